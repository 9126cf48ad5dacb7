"""The six-vendor fabric in the embedded lab: inventory/dc-mixed (EOS and IOS-XR spines; FRR, Junos,
SR Linux and SR OS leaves), deployed from the topology `fabric build` writes, unchanged.

One lab boot serves the module, in this order: validation with state collected from every platform;
drift made through each vendor's own CLI, found with its feature named and remediated by pushing; the
scenarios of labs/mixed-*.yaml (a bad canary on each vendor in turn, a management connection lost after
the SR Linux canary's commit, a killed rollout resumed); last, the good change through every wave.
Between scenarios the fabric is back to healthy first (validation passes), so each starts from a sound
fabric and a failed gate can only be the change's doing.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _twinbed import wait_for

from fabric.compliance import push_remediation, remediation, run_compliance
from fabric.model import Fabric
from fabric.rollout.engine import FabricSource, Options, Rollout
from fabric.rollout.playbook import load_playbook
from fabric.rollout.scenario import PrivateLab, run_scenario
from fabric.validation.run import ValidationRun, validate
from tests.conftest import lab_copy

pytestmark = pytest.mark.lab
ROOT = Path(__file__).resolve().parents[2]
PLATFORMS = {"spine1": "eos", "spine2": "iosxr", "leaf1": "frr", "leaf2": "junos", "leaf3": "srlinux",
             "leaf4": "sros"}


class Mixed:
    def __init__(self, lab: PrivateLab) -> None:
        self.lab = lab
        self.src = FabricSource(str(ROOT / "inventory" / "dc-mixed"), lab_topology=str(lab.path))
        self.fab: Fabric = self.src.load()

    def validate(self) -> ValidationRun:
        return validate(self.fab)

    def healthy(self) -> bool:
        return not self.validate().failures()

    def wait_healthy(self, timeout: float = 150) -> None:
        # a session reset by a bad change comes back on BGP's own timers (connect-retry, idle hold)
        wait_for("dc-mixed to validate clean", self.healthy, timeout, every=3)

    def ip(self, host: str) -> str:
        return self.fab.devices[host].mgmt_ipv4.split("/")[0]

    def netmiko(self, host: str) -> Any:
        from netmiko import ConnectHandler

        kind = {"eos": "arista_eos", "iosxr": "cisco_xr", "junos": "juniper_junos", "srlinux": "nokia_srl",
                "sros": "nokia_sros"}[PLATFORMS[host]]
        node = self.lab.state["nodes"][host]  # the credentials the lab gave the node
        return ConnectHandler(device_type=kind, host=self.ip(host), username=node["username"],
                              password=node["password"], conn_timeout=30, read_timeout_override=90)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mixed]:
    with lab_copy(tmp_path_factory, "dc-mixed") as lab:
        m = Mixed(lab)
        assert {h: d.platform for h, d in m.fab.devices.items()} == PLATFORMS
        m.wait_healthy(90)
        yield m


def test_validates_with_state_from_every_vendor(mixed: Mixed) -> None:
    run = mixed.validate()
    assert not run.failures(), run.failures()
    by_device: dict[str, set[str]] = {}
    for r in run.results:
        by_device.setdefault(r.device, set()).add(r.check)
    for host in PLATFORMS:  # every device's own state was collected and checked, whatever its vendor
        assert by_device.get(host, set()) >= {"bgp_session", "interface", "lldp_neighbor"}, (host, by_device)
    # each leaf's sessions to both spines (EOS and IOS-XR) as the leaf itself reports them
    sessions = {(r.device, r.item) for r in run.results if r.check == "bgp_session" and r.status == "pass"}
    assert len([s for s in sessions if s[0].startswith("leaf")]) == 8, sessions


# Drift made the way an operator would, on each device's own CLI: the description of its first uplink.
DRIFT: dict[str, list[str]] = {
    "spine1": ["interface Ethernet1", "description rogue-eos"],
    "spine2": ["interface GigabitEthernet0/0/0/0", "description rogue-xr"],
    "leaf2": ["set interfaces ge-0/0/0 description rogue-junos"],
    "leaf3": ["set / interface ethernet-1/1 description rogue-srl"],
    "leaf4": ['/configure port 1/1/c1/1 description "rogue-sros"'],
}


def _vtysh(mixed: Mixed, host: str, *cmds: str) -> str:
    """vtysh on the node's own FRR (a twin's control plane, or the FRR router itself)."""
    node = mixed.lab.state["nodes"][host]
    return subprocess.run(["vtysh", "-N", node.get("frr_pathspace", node["netns"]),
                           *[a for c in cmds for a in ("-c", c)]],
                          capture_output=True, text=True, timeout=30, check=True).stdout


def _drift(mixed: Mixed, host: str) -> None:
    if host == "leaf1":  # FRR: vtysh inside the node, as on a Linux router
        _vtysh(mixed, "leaf1", "configure terminal", "interface eth1", "description rogue-frr")
        return
    conn = mixed.netmiko(host)
    try:
        conn.send_config_set(DRIFT[host], exit_config_mode=False)
        if PLATFORMS[host] != "eos":  # EOS applies each line at once; the others commit
            conn.commit()
    finally:
        conn.disconnect()


def _failing(rep: Any, host: str) -> dict[str, tuple[list[str], list[str]]]:
    # "mgmt" aside: the private copy moves the management subnet, the startup configs keep the original
    return {r.feature: (r.missing, r.extra) for r in rep.results
            if r.device == host and not r.compliant and r.feature != "mgmt"}


def test_drift_on_each_vendors_cli_is_found_and_remediated(mixed: Mixed, tmp_path: Path) -> None:
    db, backups = tmp_path / "c.sqlite", tmp_path / "b"
    rep = run_compliance(mixed.fab.file, fab=mixed.fab, db=db, backup_dir=backups)
    assert rep.errors == {}
    assert {h: _failing(rep, h) for h in PLATFORMS if _failing(rep, h)} == {}
    for host in PLATFORMS:
        _drift(mixed, host)
    rep = run_compliance(mixed.fab.file, fab=mixed.fab, db=db, backup_dir=backups)
    assert rep.errors == {}
    for host in PLATFORMS:
        failing = _failing(rep, host)
        assert set(failing) == {"interfaces"}, (host, failing)
        assert any("rogue" in line for line in failing["interfaces"][1]), (host, failing)
    for host in PLATFORMS:
        snippet = remediation(mixed.fab, host, features=["interfaces"])
        assert snippet.strip(), host
        push_remediation(mixed.fab, host, snippet)
    rep = run_compliance(mixed.fab.file, fab=mixed.fab, db=db, backup_dir=backups)
    assert {h: _failing(rep, h) for h in PLATFORMS if _failing(rep, h)} == {}


def _scenario(mixed: Mixed, name: str, **kw: Any) -> dict[str, Any]:
    mixed.wait_healthy()
    res = run_scenario(ROOT / "labs" / f"{name}.yaml", lab=mixed.lab, **kw)
    assert res["ok"], [c for c in res["checks"] if not c["ok"]]
    return res


@pytest.mark.parametrize("canary", sorted(PLATFORMS, key=lambda h: PLATFORMS[h]),
                         ids=lambda h: PLATFORMS[h])
def test_bad_canary_on_each_vendor_is_rolled_back(mixed: Mixed, canary: str) -> None:
    """tasks/demo-bad-peer-as.yaml with each vendor's device as the canary and every device targeted:
    the canary is rolled back, nothing else is touched, every running config is as before."""
    pb = load_playbook(ROOT / "tasks" / "demo-bad-peer-as.yaml")
    pb = pb.model_copy(update={"targets": pb.targets.model_copy(update={"roles": []}),
                               "waves": pb.waves.model_copy(update={"canary": [canary]})})
    mixed.wait_healthy()
    res = run_scenario(ROOT / "labs" / "mixed-bad-canary.yaml", lab=mixed.lab, playbook=pb)
    # the scenario's per-device expectations name leaf1 as the canary: this canary's are checked below
    failed = [c for c in res["checks"] if not c["ok"] and not c["name"].startswith("device ")]
    assert not failed, failed
    states = {d["host"]: d["state"] for d in res["report"]["devices"]}
    assert states == {h: "rolled_back" if h == canary else "untouched" for h in PLATFORMS}, states
    canary_gate = next(d for d in res["report"]["devices"] if d["host"] == canary)["gate"]
    failed_checks = {c["name"] for c in _gate_checks(canary_gate) if not c["ok"]}
    assert "device.bgp" in failed_checks, canary_gate  # caught by its own BGP session to spine1


def test_lost_management_after_commit_reverts_by_the_devices_timer(mixed: Mixed) -> None:
    _scenario(mixed, "mixed-mgmt-loss")


def test_killed_rollout_resumes(mixed: Mixed) -> None:
    _scenario(mixed, "mixed-kill-resume")


def _as_paths(mixed: Mixed, at: str, of: str) -> set[str]:
    """The AS paths ``at``'s own BGP table has for ``of``'s loopback."""
    prefix = mixed.fab.devices[of].loopback0
    data = json.loads(_vtysh(mixed, at, f"show bgp ipv4 unicast {prefix} json") or "{}")
    return {str((p.get("aspath") or {}).get("string", "")) for p in data.get("paths", [])}


def _asn(mixed: Mixed, host: str) -> str:
    return str(mixed.fab.devices[host].bgp.asn)  # type: ignore[union-attr]


def _wait_path(mixed: Mixed, at: str, of: str, prepends: int) -> None:
    """Until ``at`` has ``of``'s loopback with ``of``'s AS in the path 1 + ``prepends`` times, no more."""
    want = " ".join([_asn(mixed, of)] * (1 + prepends))
    wait_for(f"{at} to see {of}'s loopback with path {want}", lambda: _as_paths(mixed, at, of) == {want}, 30)


def test_drain_and_undrain_on_every_vendor(mixed: Mixed) -> None:
    """tasks/drain.yaml and undrain.yaml, one snippet per platform, on all six devices at once: every
    device's loopback reaches its neighbours with its AS prepended three more times, then without."""
    def on_all(name: str) -> None:
        pb = load_playbook(ROOT / "tasks" / f"{name}.yaml")
        pb = pb.model_copy(update={
            "targets": pb.targets.model_copy(update={"hosts": sorted(PLATFORMS)}),
            "waves": pb.waves.model_copy(update={"canary": 1, "sizes": ["100%"]}),
            "constraints": pb.constraints.model_copy(update={"redundancy_groups": False,
                                                             "max_in_flight": 6})})
        journal = mixed.lab.dir / f"{mixed.lab.name}-{name}.sqlite"
        rep = Rollout(pb, mixed.src, Options(journal=str(journal))).run()
        assert rep["outcome"] == "completed", [(d["host"], d["state"], d["error"]) for d in rep["devices"]]

    seen = (("spine1", "leaf1"), ("spine2", "leaf2"), ("spine1", "leaf3"), ("spine2", "leaf4"),
            ("leaf3", "spine1"), ("leaf4", "spine2"))  # one neighbour of each vendor's device
    mixed.wait_healthy()
    on_all("drain")
    for at, of in seen:
        _wait_path(mixed, at, of, prepends=3)
    on_all("undrain")
    for at, of in seen:
        _wait_path(mixed, at, of, prepends=0)


def test_good_change_walks_every_wave_with_neighbour_gates_on_every_platform(mixed: Mixed) -> None:
    res = _scenario(mixed, "mixed-good-change")
    rep = res["report"]
    waves = {d.get("wave") for d in rep["devices"]}
    assert len(waves) >= 3, rep["devices"]
    neighbour_checks = {c["name"] for d in rep["devices"] for c in _gate_checks(d["gate"])
                        if c["name"].startswith("neighbor.") and c["ok"]}
    # spines are gated on leaves of four platforms, leaves on the EOS and IOS-XR spines
    assert {f"neighbor.{h}.bgp" for h in PLATFORMS} <= neighbour_checks, neighbour_checks
    # the change is in each device's control plane: FRR's route-map sets local-preference 150
    for host in PLATFORMS:
        out = _vtysh(mixed, host, "show running-config")
        assert "set local-preference 150" in out, (host, out[-400:])


def _gate_checks(gate: Any) -> list[dict[str, Any]]:
    return list(gate.get("checks", [])) if isinstance(gate, dict) else []
