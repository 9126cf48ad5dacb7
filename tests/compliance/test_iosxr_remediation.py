"""IOS-XR remediation: hier_config's CISCO_XR remediation, checked by applying it as XR does.

Applied line by line with the XR twin's parser modes (indentation means nothing to XR; a line not valid
in the current mode goes to a parent mode; ``root`` goes back to global configuration), the remediation
must turn the drifted running config into the golden one. The end-to-end test drifts a twin through its
own CLI (netmiko), finds the drift per feature from the running config read by the rollout driver,
pushes the remediation with a confirmed commit and re-checks clean.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

from fabric.compliance.engine import compare, remediate_config
from fabric.rollout.drivers import Target
from fabric.vendors.iosxr.driver import IosxrDriver
from fabric.vendors.iosxr.twin.config import Editor, parse_text

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = (ROOT / "containerlab" / "xr-core" / "rr1.cfg").read_text()


def _bed_module() -> Any:
    """tests/vendors/iosxr/conftest.py (the XR twin's servers on 127.0.0.1), loaded by path to reuse it."""
    spec = importlib.util.spec_from_file_location("iosxr_twin_bed", ROOT / "tests/vendors/iosxr/conftest.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


_bed = _bed_module()


def failing(running: str, golden: str) -> list[str]:
    return [f.feature for f in compare("rr1", "iosxr", running, golden) if f.status != "compliant"]


def canonical(text: str) -> str:
    """Config text with every block's lines sorted: XR prints in its schema order whatever the order of
    entry, which the twin's model (entry order) does not know. Route-policy bodies keep their order."""
    conf = parse_text(text)

    def sort(node: Any) -> None:
        for c in node.children:
            sort(c)
        node.children.sort(key=lambda c: c.line)

    sort(conf.root)
    return conf.text(header=False)


def applied(running: str, remediation: str) -> str:
    conf = parse_text(running)
    ed = Editor(conf)
    for line in remediation.splitlines():
        ed.feed(line)
    return conf.text(header=False)


DRIFTS = {
    "interfaces": [("description to p1 eth1", "description drifted"),
                   (" mtu 9014\n ipv4 address 10.2.9.4", " ipv4 address 10.2.9.4")],
    "lldp": [("lldp\n!\n", "")],
    "bgp": [("   route-reflector-client\n", "")],
    "routing": [("    pass\n  else", "    drop\n  else")],
    "isis": [(" is-type level-2-only", " is-type level-1-2")],
}


@pytest.mark.parametrize("feature", sorted(DRIFTS))
def test_remediation_applied_as_xr_parses_it_gives_golden(feature: str) -> None:
    running = GOLDEN
    for old, new in DRIFTS[feature]:
        assert old in running, old
        running = running.replace(old, new, 1)
    running += "logging 10.9.9.9 vrf MGMT severity info\n" if feature == "interfaces" else ""
    assert feature in failing(running, GOLDEN)
    fix = remediate_config("iosxr", running, GOLDEN)
    assert fix.strip()
    assert canonical(applied(running, fix)) == canonical(GOLDEN), fix
    assert failing(applied(running, fix), GOLDEN) == []


def test_lldp_after_an_interface_needs_root() -> None:
    """Why the remediation resets the mode: typed after an interface block, XR's `lldp` opens the
    interface's LLDP sub-mode, and the global LLDP the golden config wants stays off."""
    running = GOLDEN.replace("lldp\n!\n", "").replace("description to p1 eth1", "description drifted")
    fix = remediate_config("iosxr", running, GOLDEN)
    assert "\nroot\nlldp" in fix, fix
    assert canonical(applied(running, fix.replace("root\n", ""))) != canonical(GOLDEN)


@pytest.fixture
def golden_bed(tmp_path: Path) -> Any:
    with _bed.serve_bed(tmp_path, GOLDEN) as b:
        yield b


def test_drift_made_on_the_cli_is_found_and_remediated_by_a_confirmed_push(golden_bed: Any) -> None:
    b = golden_bed
    drv = IosxrDriver(Target("rr1", "127.0.0.1", "iosxr", b.user, b.password, port=b.ssh_port))
    try:
        assert failing(drv.running(), GOLDEN) == []
        conn = b.netmiko()
        try:
            conn.send_config_set([
                "interface GigabitEthernet0/0/0/0", "description drifted", "root", "no lldp",
                "router bgp 65000", "neighbor-group RR-CLIENTS", "address-family ipv4 unicast",
                "no route-reflector-client"], exit_config_mode=False)
            conn.commit(comment="an operator's change")
            conn.exit_config_mode()
        finally:
            conn.disconnect()
        running = drv.running()
        assert set(failing(running, GOLDEN)) == {"interfaces", "lldp", "bgp"}
        fix = remediate_config("iosxr", running, GOLDEN)
        drv.commit_confirmed(fix, "merge", 60, "nf-remediate-1")
        assert drv.confirm("nf-remediate-1")
        assert failing(drv.running(), GOLDEN) == []
        assert b.twin.db.pending_confirm is None
    finally:
        drv.close()
