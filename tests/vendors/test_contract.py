"""The vendor contract, parametrised over the registry: every vendor must pass it.

What a vendor package promises (fabric/vendors/base.py): consistent naming, containerlab kinds that map
to it and back, credentials for each kind, deterministic rendering of its golden configs, and code
references (driver, collector, twin) that load and implement the core's Protocols.  A new vendor gets
all of this checked by being registered.  Its own tests sit in tests/vendors/<nos>/.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from fabric import vendors
from fabric.design import load_fabric
from fabric.render import render_fabric
from fabric.rollout.drivers import Driver, Target
from fabric.state.collect import Collector
from fabric.vendors import Vendor, VendorError
from fabric.vendors.base import Driver as DriverProtocol

ROOT = Path(__file__).resolve().parents[2]
VENDORS = sorted(vendors.all_vendors())


@pytest.fixture(params=VENDORS)
def vendor(request: pytest.FixtureRequest) -> Vendor:
    return vendors.get(request.param)


def test_the_six_platforms_are_registered() -> None:
    assert set(VENDORS) >= {"eos", "frr", "iosxr", "junos", "srlinux", "sros"}


def test_naming_round_trips(vendor: Vendor) -> None:
    for port in (1, 2, 9, 48):
        assert vendor.port_of(vendor.interface(port)) == port
    assert vendor.port_of(vendor.loopback) is None and vendor.port_of(vendor.mgmt_interface) is None


def test_containerlab_kinds_map_back_and_have_credentials(vendor: Vendor) -> None:
    assert vendor.clab_kind == vendor.clab_kinds[0]
    for kind in vendor.clab_kinds:
        assert vendors.by_kind(kind) is vendor
        user, password = vendor.default_credentials(kind)
        assert user and password
    for alias, kind in vendor.clab_aliases.items():
        assert vendors.by_kind(alias) is vendor and kind in vendor.clab_kinds
    # containerlab's Linux name for each fabric port is accepted as that kind's interface name.
    assert vendor.linux_ifname(vendor.clab_kind, vendor.clab_port(1)) is not None


def test_code_references_load_and_implement_the_protocols(vendor: Vendor) -> None:
    drv_cls = vendor.load("driver")
    assert issubclass(drv_cls, Driver) and drv_cls.platform == vendor.name
    drv = drv_cls(Target("x", "127.0.0.1", vendor.name, "u"))
    assert isinstance(drv, DriverProtocol)
    assert issubclass(vendor.load("collector"), Collector)
    if vendor.has_twin:
        twin = vendor.load("twin")
        assert twin.platform == vendor.name
        assert vendor.twin_services and all(s.port for s in vendor.twin_services)


def test_rendering_is_deterministic(vendor: Vendor) -> None:
    """Every vendor renders every fabric that uses it the same way twice, and each device's text is
    non-empty and names its hostname."""
    seen = False
    for fabric_dir in sorted((ROOT / "inventory").iterdir()):
        fab = load_fabric(fabric_dir)
        hosts = [h for h, d in fab.devices.items() if d.platform == vendor.name]
        if not hosts:
            continue
        seen = True
        first, second = render_fabric(fab, hosts), render_fabric(load_fabric(fabric_dir), hosts)
        assert first == second
        for h in hosts:
            assert h in first[h]
    if not seen:
        pytest.fail(f"no example fabric uses platform {vendor.name}: add one so it is rendered and tested")


def test_registry_refuses_duplicates() -> None:
    eos = vendors.get("eos")
    with pytest.raises(VendorError, match="registered twice"):
        vendors.register(Vendor(**{**eos.__dict__, "description": "another EOS"}))
    clash = Vendor(**{**eos.__dict__, "name": "eos2", "clab_aliases": {}})
    with pytest.raises(VendorError, match="claimed by"):
        vendors.register(clash)
    assert vendors.get("eos") is eos and "eos2" not in vendors.all_vendors()


def test_registry_finds_vendors_through_entry_points() -> None:
    from importlib.metadata import entry_points

    names = {ep.name for ep in entry_points(group=vendors.GROUP)}
    assert names >= {"eos", "frr", "iosxr", "junos", "srlinux", "sros"}, names


# ------------------------------------------------------------- the core layers never name a vendor

def _literals(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return []


def test_no_module_outside_vendors_compares_a_platform_or_kind_with_a_literal() -> None:
    names = set(VENDORS)
    kinds = {k for v in vendors.all_vendors().values() for k in (*v.clab_kinds, *v.clab_aliases)} - {"linux"}
    found = []
    for path in sorted((ROOT / "fabric").rglob("*.py")):
        rel = path.relative_to(ROOT)
        if rel.parts[:2] == ("fabric", "vendors"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Compare):
                for operand in (node.left, *node.comparators):
                    hit = [s for s in _literals(operand) if s in names or s in kinds]
                    if hit:
                        found.append(f"{rel}:{node.lineno}: {hit}")
    assert not found, "vendor names compared outside fabric/vendors/ (ask the registry):\n" + "\n".join(found)
    assert re.search(r"vendors", (ROOT / "fabric" / "platforms.py").read_text())  # the scan has a subject


# ------------------------------------------------------ collectors normalise real recorded replies

REFERENCE = ROOT.parent / "shared" / "reference"
# NAPALM's (and the community drivers') recorded device replies, with each getter's expected result.
NAPALM_REFERENCE = {
    "eos": "napalm-mocked/eos",
    "junos": "napalm-mocked/junos",
    "iosxr": "napalm-mocked/iosxr_netconf",
    "srlinux": "napalm-mocked-community/srlinux",
    "sros": "napalm-mocked-community/sros",
}


@pytest.mark.parametrize("name", sorted(NAPALM_REFERENCE))
def test_napalm_collectors_normalise_recorded_replies(name: str) -> None:
    """Every NAPALM-based vendor's collector turns its real getter results into the state model."""
    import json

    from _skip import need

    from fabric.state import normalise_napalm
    from fabric.state.collect import NapalmCollector

    vendor = vendors.get(name)
    assert issubclass(vendor.load("collector"), NapalmCollector) and vendor.napalm
    base = REFERENCE / NAPALM_REFERENCE[name]
    need(base.is_dir(), f"reference data missing: {base}")

    def expected(getter: str) -> dict:
        cases = sorted((base / f"test_{getter}").iterdir())  # "normal", or per-platform cases (IOS-XR)
        case = next((c for c in cases if c.name == "normal"), cases[0])
        return json.loads((case / "expected_result.json").read_text())

    sessions, _rid = normalise_napalm.bgp(expected("get_bgp_neighbors"))
    assert sessions and all(isinstance(s.peer_as, int) and s.peer_as > 0 for s in sessions), sessions
    ifaces = normalise_napalm.interfaces(expected("get_interfaces"))
    assert ifaces and all(i.name == n for n, i in ifaces.items())
    lldp = normalise_napalm.lldp(expected("get_lldp_neighbors"))
    assert lldp and all(n.local_port and n.remote_system for n in lldp)
    facts = normalise_napalm.facts(expected("get_facts"))
    assert facts.hostname
