"""`fabric validate --export-anta`: the EOS devices' checks as an ANTA catalog and inventory.

The files are read back with ANTA's own parsers (AntaCatalog.parse, AntaInventory.parse), and what
they hold is compared with the items our checks derive from the same intent (fabric.validation.checks),
device by device. Nothing here contacts a device: `validate` itself is replaced by a tripwire.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from anta.catalog import AntaCatalog, AntaTestDefinition
from anta.inventory import AntaInventory
from anta.models import AntaTest
from typer.testing import CliRunner

from fabric.cli import app
from fabric.credentials import LAB_DEFAULT_CREDENTIALS
from fabric.design import load_fabric
from fabric.errors import ExitCode, FabricError
from fabric.model import Fabric
from fabric.state.model import FabricState
from fabric.validation.anta import MAPPING, export_anta
from fabric.validation.checks import CHECKS, CheckSettings, Context, GenericCheck

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()
SECRET = "Anta-export-9%"  # configured for the CLI runs below; must never reach the files

# An OSPF and an IS-IS underlay (no inventory uses one with EOS devices), level-1-2 for the IS-IS one.
IGP_FABRIC = """\
name: {name}
design: clos
underlay: {underlay}
pools: {{loopback: 10.255.0.0/24, p2p: 10.1.0.0/22, mgmt: 127.78.0.0/24}}
nodes:
  spines: [{{name: spine1, id: 1, platform: eos}}, {{name: spine2, id: 2, platform: frr}}]
  leaves: [{{name: leaf1, id: 1, platform: eos}}, {{name: leaf2, id: 2, platform: frr}}]
"""


def _igp_fabric(base: Path, underlay: str) -> Path:
    d = base / f"{underlay}net"
    d.mkdir()
    (d / "fabric.yaml").write_text(IGP_FABRIC.format(name=f"{underlay}net", underlay=underlay))
    return d


@pytest.fixture(scope="module")
def fabrics(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Fabric]:
    base = tmp_path_factory.mktemp("fabrics")
    out = {n: load_fabric(ROOT / "inventory" / n) for n in ("dc1", "dc-large", "dc-mixed", "backbone")}
    out["ospfnet"] = load_fabric(_igp_fabric(base, "ospf"))
    isis = load_fabric(_igp_fabric(base, "isis"))
    for dev in isis.devices.values():
        if dev.isis:
            dev.isis.level = "level-1-2"
    out["isisnet"] = isis
    return out


FABRICS = ["dc1", "dc-large", "dc-mixed", "backbone", "ospfnet", "isisnet"]


def _export(fab: Fabric, tmp_path: Path, settings: CheckSettings | None = None) -> tuple[Path, Path]:
    return export_anta(fab, tmp_path / "anta", settings=settings)


def _ours(fab: Fabric, settings: CheckSettings | None = None) -> dict[str, Counter[tuple[str, str]]]:
    """Check name -> (device, item) of every EOS device, derived as run_checks derives them."""
    ctx = Context(fabric=fab, state=FabricState(), settings=settings or CheckSettings())
    out: dict[str, Counter[tuple[str, str]]] = {}
    for name, dev in fab.devices.items():
        if dev.platform != "eos":
            continue
        for check in CHECKS:
            if not isinstance(check, GenericCheck):
                for item, _, _ in check.items(dev, ctx):
                    out.setdefault(check.name, Counter())[(name, item)] += 1
    return out


# ANTA test -> (our check, the items of its inputs); an IS-IS level-1-2 interface is one item per level.
PER_ITEM: dict[str, tuple[str, Callable[[Any], list[str]]]] = {
    "VerifyInterfacesStatus": ("interface", lambda i: [x.name for x in i.interfaces]),
    "VerifyLLDPNeighbors": ("lldp_neighbor", lambda i: [n.port for n in i.neighbors]),
    "VerifyBGPPeerSession": ("bgp_session", lambda i: [str(p.peer_address) for p in i.bgp_peers]),
    "VerifyBGPExchangedRoutes": ("bgp_prefixes", lambda i: [str(p.peer_address) for p in i.bgp_peers]),
    "VerifyOSPFSpecificNeighbors": ("ospf_neighbor", lambda i: [n.local_interface for n in i.neighbors]),
    "VerifyISISNeighborCount": (
        "isis_adjacency",
        lambda i: [x.name for x in i.interfaces if x.level == 2],
    ),
}


def _device(t: AntaTestDefinition) -> str:
    assert t.inputs.filters is not None and t.inputs.filters.tags is not None
    (tag,) = t.inputs.filters.tags  # bound to exactly one device
    return tag


def _check(t: AntaTestDefinition) -> str:
    assert t.inputs.result_overwrite is not None and t.inputs.result_overwrite.custom_field
    return t.inputs.result_overwrite.custom_field.removeprefix("netfabric check: ")


@pytest.mark.parametrize("name", FABRICS)
def test_catalog_holds_exactly_our_check_items(name: str, fabrics: dict[str, Fabric], tmp_path: Path) -> None:
    fab = fabrics[name]
    catalog_path, _ = _export(fab, tmp_path)
    catalog = AntaCatalog.parse(catalog_path)
    ours = _ours(fab)
    theirs: dict[str, Counter[tuple[str, str]]] = {}
    per_device = Counter((_device(t), t.test.__name__) for t in catalog.tests)
    assert max(per_device.values()) == 1  # one entry per device and ANTA test
    for t in catalog.tests:
        mapped = {m.check for m in MAPPING if m.test == t.test.__name__}
        assert mapped == {_check(t)}, t.test.__name__
        if t.test.__name__ in PER_ITEM:
            check, items = PER_ITEM[t.test.__name__]
            for item in items(t.inputs):
                theirs.setdefault(check, Counter())[(_device(t), item)] += 1
    assert theirs == ours
    assert all(c for c in ours.values())
    expected = {"interface", "lldp_neighbor"} | {
        "dc1": {"bgp_session", "bgp_prefixes"},
        "dc-large": {"bgp_session", "bgp_prefixes"},
        "dc-mixed": {"bgp_session", "bgp_prefixes"},
        "backbone": {"isis_adjacency"},  # p2: a P router, IS-IS only
        "ospfnet": {"bgp_session", "bgp_prefixes", "ospf_neighbor"},
        "isisnet": {"bgp_session", "bgp_prefixes", "isis_adjacency"},
    }[name]
    assert set(ours) == expected


@pytest.mark.parametrize("name", FABRICS)
def test_inputs_are_the_intent(name: str, fabrics: dict[str, Fabric], tmp_path: Path) -> None:
    fab = fabrics[name]
    catalog = AntaCatalog.parse(_export(fab, tmp_path)[0])
    tests: dict[tuple[str, str], Any] = {(_device(t), t.test.__name__): t.inputs for t in catalog.tests}
    for dev_name, dev in fab.devices.items():
        if dev.platform != "eos":
            assert not {d for d, _ in tests if d == dev_name}
            continue
        p2p = [i for i in dev.interfaces if i.kind == "p2p"]
        ipv4 = tests[(dev_name, "VerifyInterfaceIPv4")].interfaces
        assert [(x.name, str(x.primary_ip)) for x in ipv4] == [(i.name, i.ipv4) for i in dev.interfaces]
        status = tests[(dev_name, "VerifyInterfacesStatus")].interfaces
        assert {(x.status, x.line_protocol_status) for x in status} == {("up", "up")}
        assert "Loopback0" in [x.name for x in status]
        mtu = tests[(dev_name, "VerifyL3MTU")]
        assert mtu.specific_mtu == [{i.name: i.mtu} for i in p2p] and mtu.mtu == dev.mtu
        lldp = tests[(dev_name, "VerifyLLDPNeighbors")]
        assert lldp.require_fqdn is False
        assert [(n.port, n.neighbor_device, n.neighbor_port) for n in lldp.neighbors] == [
            (i.name, fab.devices[i.peer].hostname, i.peer_interface) for i in p2p if i.peer
        ]
        if dev.bgp:
            nbrs = dev.bgp.neighbors
            sessions = tests[(dev_name, "VerifyBGPPeerSession")]
            assert [(str(p.peer_address), p.vrf) for p in sessions.bgp_peers] == [
                (n.ip, "default") for n in nbrs
            ]
            routes = tests[(dev_name, "VerifyBGPExchangedRoutes")].bgp_peers
            # at least one prefix from each peer: the loopback the peer originates
            assert [(str(p.peer_address), [str(r) for r in p.received_routes]) for p in routes] == [
                (n.ip, [fab.devices[n.peer].loopback0]) for n in nbrs
            ]
            (af,) = tests[(dev_name, "VerifyBGPPeerCount")].address_families
            assert (af.afi, af.safi, af.vrf, af.num_peers) == ("ipv4", "unicast", "default", len(nbrs))
        if dev.ospf:
            ospf = tests[(dev_name, "VerifyOSPFSpecificNeighbors")].neighbors
            peer_ip = {i.name: i.peer_ipv4.split("/")[0] for i in p2p if i.peer_ipv4}
            assert {(n.local_interface, str(n.ip_address), str(n.area_id), n.state) for n in ospf} == {
                (i, peer_ip[i], "0.0.0.0", "full") for i in dev.ospf.interfaces
            }
        if dev.isis:
            isis = tests[(dev_name, "VerifyISISNeighborCount")].interfaces
            levels = (1, 2) if dev.isis.level == "level-1-2" else (int(dev.isis.level[-1]),)
            assert sorted((x.name, x.level, x.count) for x in isis) == sorted(
                (i, lvl, 1) for i in dev.isis.interfaces for lvl in levels
            )


@pytest.mark.parametrize("name", FABRICS)
def test_inventory_and_tags_schedule_each_test_on_its_device(
    name: str, fabrics: dict[str, Fabric], tmp_path: Path
) -> None:
    fab = fabrics[name]
    catalog_path, inventory_path = _export(fab, tmp_path)
    inventory = AntaInventory.parse(inventory_path, username="x", password="y")
    eos = {n: d for n, d in fab.devices.items() if d.platform == "eos"}
    seen = {d.name: dict(d.__rich_repr__()) for d in inventory.devices}  # what ANTA will connect to
    assert {n: (r["host"], r["eapi_port"]) for n, r in seen.items()} == {
        n: (d.mgmt_ipv4.split("/")[0], 443) for n, d in eos.items()
    }
    if name == "dc-mixed":
        assert list(eos) == ["spine1"]
    raw = yaml.safe_load(inventory_path.read_text())["anta_inventory"]["hosts"]
    assert all(h["tags"] == [h["name"]] and "port" not in h for h in raw)
    # what `anta nrfu` runs on each device (anta/_runner.py: no CLI tags -> tests matching device tags)
    catalog = AntaCatalog.parse(catalog_path)
    catalog.build_indexes()
    scheduled: Counter[AntaTestDefinition] = Counter()
    for device in inventory.devices:
        tests = catalog.get_tests_by_tags(device.tags)
        assert tests and {_device(t) for t in tests} == {device.name}
        scheduled.update(tests)
    assert not catalog.tag_to_tests[None]  # no test without a device
    assert set(scheduled) == set(catalog.tests) and set(scheduled.values()) == {1}


def test_mapping_table_covers_every_check_and_names_the_unmapped(tmp_path: Path) -> None:
    ours = {c.name for c in CHECKS} | {"router_id"}  # router_id is run_checks' own
    assert {m.check for m in MAPPING} == ours
    text = _export(load_fabric(ROOT / "inventory" / "dc1"), tmp_path)[0].read_text()
    head = [line for line in text.splitlines() if line.startswith("#")]
    for m in MAPPING:
        if m.test is None:
            assert any(line.startswith(f"#   {m.check}: no ANTA equivalent") for line in head), m.check
    for m in MAPPING:
        if m.test is not None:
            assert m.module and m.inputs
            assert getattr(__import__(m.module, fromlist=[m.test]), m.test).__name__ == m.test


def test_prefixes_a_peer_cannot_send_are_listed_not_dropped(
    fabrics: dict[str, Fabric], tmp_path: Path
) -> None:
    """min_prefixes 2: dc1's peers originate one prefix each, so no peer can be given two."""
    fab = fabrics["dc1"]
    catalog_path, _ = _export(fab, tmp_path, CheckSettings(min_prefixes=2))
    catalog = AntaCatalog.parse(catalog_path)
    assert "VerifyBGPExchangedRoutes" not in {t.test.__name__ for t in catalog.tests}
    text = catalog_path.read_text()
    for dev, ip in _ours(fab)["bgp_prefixes"]:
        assert f"#   not exported, no ANTA input can be derived: {dev} bgp_prefixes {ip} (" in text


def test_only_the_selected_checks_are_exported(fabrics: dict[str, Fabric], tmp_path: Path) -> None:
    """--checks / --skip-checks narrow the export as they narrow `fabric validate`."""
    def tests(settings: CheckSettings) -> set[str]:
        catalog, _ = export_anta(fabrics["dc1"], tmp_path / "anta", settings=settings)
        return {t.test.__name__ for t in AntaCatalog.parse(catalog).tests}

    assert tests(CheckSettings(checks=("lldp_neighbor", "bgp_session"))) == {
        "VerifyLLDPNeighbors", "VerifyBGPPeerSession"}
    skipped = tests(CheckSettings(skip_checks=("interface",)))
    assert not skipped & {"VerifyInterfacesStatus", "VerifyInterfaceIPv4", "VerifyL3MTU"}
    assert "VerifyLLDPNeighbors" in skipped


def test_no_eos_device_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FabricError, match="no EOS device"):
        export_anta(load_fabric(ROOT / "inventory" / "junos-dc"), tmp_path / "anta")
    with pytest.raises(FabricError, match="no EOS device"):
        export_anta(load_fabric(ROOT / "inventory" / "dc1"), tmp_path / "anta", hosts=["leaf3", "leaf4"])
    assert not (tmp_path / "anta").exists()


# ------------------------------------------------------------------ what ANTA makes of the inputs
def _run(t: AntaTestDefinition, device: Any, eos_data: list[dict[str, Any]]) -> tuple[str, list[str]]:
    test: AntaTest = t.test(device, inputs=t.inputs, eos_data=eos_data)
    result = asyncio.run(test.test())
    return str(result.result), [str(m) for m in result.messages]


def test_anta_passes_the_intended_state_and_fails_a_broken_one(tmp_path: Path) -> None:
    """leaf1 of dc1, offline: its exported tests on the eAPI output of a converged fabric pass; an
    interface down or a recabled port fails them, as our checks would."""
    fab = load_fabric(ROOT / "inventory" / "dc1")
    catalog_path, inventory_path = _export(fab, tmp_path)
    device = AntaInventory.parse(inventory_path, username="x", password="y")["leaf1"]
    tests = {t.test.__name__: t for t in AntaCatalog.parse(catalog_path).tests if _device(t) == "leaf1"}
    leaf1 = fab.devices["leaf1"]
    p2p = [i for i in leaf1.interfaces if i.kind == "p2p"]

    def status(down: str = "") -> dict[str, Any]:
        return {
            "interfaceDescriptions": {
                i.name: {
                    "interfaceStatus": "down" if i.name == down else "up",
                    "lineProtocolStatus": "down" if i.name == down else "up",
                    "description": i.description,
                }
                for i in leaf1.interfaces
            }
        }

    def lldp(port_of: Callable[[str], str] = lambda p: p) -> dict[str, Any]:
        return {
            "lldpNeighbors": {
                i.name: {
                    "lldpNeighborInfo": [
                        {
                            "systemName": f"{i.peer}.lab.local",  # EOS announces its FQDN
                            "neighborInterfaceInfo": {"interfaceId_v2": port_of(str(i.peer_interface))},
                        }
                    ]
                }
                for i in p2p
            }
        }

    assert _run(tests["VerifyInterfacesStatus"], device, [status()]) == ("success", [])
    result, messages = _run(tests["VerifyInterfacesStatus"], device, [status(down="Ethernet2")])
    assert result == "failure"
    assert messages == ["Interface: Ethernet2 - Status mismatch - Expected: up/up, Actual: down/down"]
    assert _run(tests["VerifyLLDPNeighbors"], device, [lldp()]) == ("success", [])
    result, messages = _run(tests["VerifyLLDPNeighbors"], device, [lldp(lambda p: p.replace("1", "3"))])
    assert result == "failure" and len(messages) == 2, messages
    assert messages[0].endswith("Wrong LLDP neighbors: spine1.lab.local/Ethernet3"), messages


# ------------------------------------------------------------------ the command
@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Credentials configured every way fabric.credentials reads them, and collection made a tripwire."""
    creds = tmp_path / "credentials.yaml"
    creds.write_text(yaml.safe_dump({"default": {"username": "ops-anta", "password": SECRET}}))
    monkeypatch.setenv("NETFABRIC_CREDENTIALS", str(creds))
    monkeypatch.setenv("NETFABRIC_USERNAME", "ops-anta")
    monkeypatch.setenv("NETFABRIC_PASSWORD", SECRET)
    monkeypatch.setenv("NETFABRIC_EOS_PASSWORD", SECRET)

    def tripwire(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("--export-anta must not collect")

    monkeypatch.setattr("fabric.validation.run.validate", tripwire)
    monkeypatch.setattr("fabric.validation.run.collect", tripwire)
    return tmp_path


@pytest.mark.parametrize("name", ["dc1", "dc-large", "dc-mixed"])
def test_cli_exports_and_exits_0_without_credentials_in_the_files(name: str, env: Path) -> None:
    out = env / "build" / "anta"
    r = runner.invoke(app, ["validate", str(ROOT / "inventory" / name), "--export-anta", str(out)])
    assert r.exit_code == ExitCode.OK, r.output
    assert f"{out / 'catalog.yml'}" in r.output and f"{out / 'inventory.yml'}" in r.output
    lab_user, lab_password = LAB_DEFAULT_CREDENTIALS["eos"]
    for f in (out / "catalog.yml", out / "inventory.yml"):
        text = f.read_text()
        for secret in (SECRET, "ops-anta", lab_password):
            assert secret not in text, (f.name, "holds a credential")
        assert "username" not in yaml.safe_dump(yaml.safe_load(text))
        assert "password" not in yaml.safe_dump(yaml.safe_load(text))
    assert SECRET not in r.output and lab_password not in r.output
    head = (out / "inventory.yml").read_text().splitlines()[:3]
    assert any("ANTA_USERNAME" in line and "ANTA_PASSWORD" in line for line in head)
    AntaCatalog.parse(out / "catalog.yml")
    AntaInventory.parse(out / "inventory.yml", username="x", password="y")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["inventory/junos-dc"], "no EOS device"),
        (["inventory/dc1", "--hosts", "leaf3,leaf4"], "no EOS device"),
        (["inventory/dc1", "--hosts", "leaf9"], "unknown host(s): leaf9"),
        (["no-such-fabric"], "neither a fabric nor a deployed lab"),
    ],
)
def test_cli_bad_input_exits_2(args: list[str], message: str, env: Path) -> None:
    target, *rest = args
    path = ROOT / target if "/" in target else target
    out = env / "anta"
    r = runner.invoke(app, ["validate", str(path), *rest, "--export-anta", str(out)])
    assert r.exit_code == ExitCode.USAGE, r.output
    assert message in r.output and "Traceback" not in r.output
    assert not out.exists()
