"""The IOS-XR twin in the embedded lab: containerlab/xr-core.clab.yml (two XRd nodes, rr1 and pe1, and an FRR
P router p1; IS-IS level 2 with iBGP through the XR route reflector), booted from our own rendered XR configs
and driven by unmodified clients: NAPALM iosxr_netconf, ncclient, scrapli, netmiko, and our rollouts.

Ground truth is the FRR P router (plain FRR, not a twin) and the XR nodes' own FRR and kernel. One lab boot
serves every test of this module (IS-IS takes its time to carry the loopbacks the iBGP sessions need).
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from _twinbed import running_configs, wait_for

from fabric.rollout.engine import FabricSource, Options, Rollout
from fabric.rollout.journal import Journal
from fabric.rollout.playbook import Playbook
from fabric.rollout.scenario import PrivateLab
from tests.conftest import lab_copy

pytestmark = pytest.mark.lab
ROOT = Path(__file__).resolve().parents[3]
RR1_LO, PE1_LO = "10.254.9.1", "10.254.9.3"


class Core:
    def __init__(self, lab: PrivateLab) -> None:
        self.lab = lab
        self.nodes: dict[str, Any] = lab.state["nodes"]

    def vtysh(self, node: str, cmd: str) -> str:
        return subprocess.run(["vtysh", "-N", self.nodes[node]["frr_pathspace"], "-c", cmd],
                              capture_output=True, text=True, timeout=30).stdout

    def link_up(self, node: str, ifname: str) -> bool:
        out = subprocess.run(["ip", "-n", self.nodes[node]["netns"], "-j", "link", "show", ifname],
                             capture_output=True, text=True, timeout=10).stdout
        return "UP" in (json.loads(out or "[{}]")[0].get("flags") or [])

    def isis_up(self, node: str) -> set[str]:
        data = json.loads(self.vtysh(node, "show isis neighbor json") or "{}")
        out = set()
        for area in data.get("areas", []):
            for circ in area.get("circuits", []):
                adj = circ.get("adj") or circ.get("adjacency")
                if adj and str(circ.get("state") or circ.get("adj-state")).lower() == "up":
                    out.add(adj)
        return out

    def bgp_settled(self, node: str, peer: str, seconds: float = 5) -> bool:
        """Established for ``seconds`` already: at boot the iBGP session over IS-IS may open and be reset
        a few times (connection collisions, BFD coming up) before it stays up."""
        data = json.loads(self.vtysh(node, f"show bgp neighbors {peer} json") or "{}").get(peer, {})
        return data.get("bgpState") == "Established" and data.get("bgpTimerUpMsec", 0) >= seconds * 1000

    def creds(self, node: str) -> tuple[str, str, str]:
        n = self.nodes[node]
        return str(n["mgmt_ipv4"]), str(n["username"]), str(n["password"])

    def napalm(self, node: str) -> Any:
        from napalm import get_network_driver

        host, user, pw = self.creds(node)
        d = get_network_driver("iosxr_netconf")(host, user, pw, timeout=60, optional_args={
            "hostkey_verify": False, "allow_agent": False, "look_for_keys": False})
        d.open()
        return d

    def scrapli(self, node: str) -> Any:
        from scrapli.driver.core import IOSXRDriver

        host, user, pw = self.creds(node)
        c = IOSXRDriver(host=host, auth_username=user, auth_password=pw, auth_strict_key=False,
                        transport="system", timeout_ops=60)
        c.open()
        return c

    def netmiko(self, node: str) -> Any:
        from netmiko import ConnectHandler

        host, user, pw = self.creds(node)
        return ConnectHandler(device_type="cisco_xr", host=host, username=user, password=pw)

    def ncclient(self, node: str) -> Any:
        from ncclient import manager

        host, user, pw = self.creds(node)
        return manager.connect(host=host, port=830, username=user, password=pw, hostkey_verify=False,
                               allow_agent=False, look_for_keys=False, device_params={"name": "iosxr"},
                               timeout=60)

    def rollout(self, playbook: Playbook, journal: Path) -> Rollout:
        src = FabricSource(str(ROOT / "inventory" / "xr-core"), lab_topology=str(self.lab.path))
        return Rollout(playbook, src, Options(journal=str(journal)))


@pytest.fixture(scope="module")
def core(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Core]:
    with lab_copy(tmp_path_factory, "xr-core") as lab:
        c = Core(lab)
        wait_for("IS-IS on p1 to see both XR twins", lambda: c.isis_up("p1") == {"rr1", "pe1"}, 90)
        wait_for("iBGP rr1 <-> pe1 over the IS-IS loopbacks, settled",
                 lambda: c.bgp_settled("rr1", PE1_LO), 90)
        yield c


def test_isis_and_ibgp_from_golden_configs_as_napalm_sees_them(core: Core) -> None:
    d = core.napalm("rr1")
    try:
        facts = d.get_facts()
        assert facts["hostname"] == "rr1" and facts["vendor"] == "Cisco" and facts["os_version"]
        assert "GigabitEthernet0/0/0/0" in facts["interface_list"]
        peers = d.get_bgp_neighbors()["global"]["peers"]
        assert peers[PE1_LO]["is_up"] and peers[PE1_LO]["remote_as"] == 65000
        ifs = d.get_interfaces()
        gi0 = ifs["GigabitEthernet0/0/0/0"]
        assert gi0["is_up"] and gi0["mtu"] == 9014  # XR reports the L2 MTU
        assert ifs["GigabitEthernet0/0/0/0"]["description"] == "to p1 eth1"
        lldp = d.get_lldp_neighbors()
        assert {n["hostname"] for nbrs in lldp.values() for n in nbrs} == {"p1", "pe1"}
        running = d.get_config(retrieve="running")["running"]
        assert "router isis" in running and "hostname rr1" in running
    finally:
        d.close()


def test_commit_confirmed_30_not_confirmed_is_rolled_back_by_the_twin(core: Core) -> None:
    """netmiko's commit(confirm=True, confirm_delay=30) shuts the rr1-pe1 link; nobody confirms; the
    twin's own timer brings the link and the IS-IS adjacency back after 30 real seconds."""
    conn = core.netmiko("rr1")
    try:
        conn.send_config_set(["interface GigabitEthernet0/0/0/1", "shutdown"], exit_config_mode=False)
        out = conn.commit(confirm=True, confirm_delay=30)
        # netmiko's "onfirm" pattern (XR's large-config question) matches the command's own echo, so it
        # types a "y" after the commit, which XR answers with % Invalid input: harmless, as on a router
        assert "Failed to commit" not in out, out
    finally:
        # gone without confirming (no `end`: in the trial's own session XR would offer to roll back now)
        conn.disconnect()
    t0 = time.monotonic()
    assert not core.link_up("rr1", "Gi0-0-0-1")  # the commit reached the kernel
    wait_for("the twin's timer to revert the trial commit", lambda: core.link_up("rr1", "Gi0-0-0-1"), 60)
    assert time.monotonic() - t0 >= 20  # not before its time
    wait_for("rr1-pe1 adjacency back", lambda: "pe1" in core.isis_up("rr1"), 60)
    c = core.scrapli("rr1")
    try:
        # the revert is recorded once FRR has taken it (the kernel link comes back first)
        wait_for("the revert in the commit list", lambda: "Client:   Rollback" in c.send_command(
            "show configuration commit list detail").result, 30)
        assert "GigabitEthernet0/0/0/1\n shutdown" not in c.send_command("show running-config").result
    finally:
        c.close()


def test_scrapli_and_ncclient_read_the_same_router(core: Core) -> None:
    c = core.scrapli("rr1")
    try:
        ver = c.send_command("show version").result
        assert "Cisco IOS XR Software" in ver
        summary = c.send_command("show bgp summary").result
        assert PE1_LO in summary
        bad = c.send_command("show bogus thing")
        assert bad.failed and "% Invalid input detected at '^' marker." in bad.result
    finally:
        c.close()
    with core.ncclient("pe1") as m:
        text = m.get_config(source="running", filter=(
            "subtree", '<cli xmlns="http://cisco.com/ns/yang/Cisco-IOS-XR-cli-cfg"/>')).data_xml
        assert "hostname pe1" in text


def test_bad_peer_as_is_caught_and_rolled_back_at_the_xr_canary(core: Core, tmp_path: Path) -> None:
    data = yaml.safe_load((ROOT / "tasks" / "demo-bad-peer-as.yaml").read_text())
    pb = Playbook.model_validate({**data, "targets": {"roles": ["pe", "rr"]},
                                  "waves": {"canary": ["pe1"], "sizes": ["100%"]}})
    ro = core.rollout(pb, tmp_path / "journal.sqlite")
    assert ro.waves[0] == ["pe1"] and ro._targets["pe1"].platform == "iosxr"
    before = running_configs(ro)
    rep = ro.run()
    states = {d["host"]: d["state"] for d in rep["devices"]}
    assert rep["outcome"] == "rolled_back", rep
    assert states == {"pe1": "rolled_back", "rr1": "untouched"}, states
    gate = {d["host"]: d for d in rep["devices"]}["pe1"]
    assert "device.bgp" in (gate.get("error") or ""), gate
    events = Journal(tmp_path / "journal.sqlite").events(ro.rid)
    assert not [e for e in events if e["host"] != "pe1" and e["step"] in ("commit", "armed", "confirm")]
    assert running_configs(ro) == before
    wait_for("pe1's iBGP session back", lambda: core.bgp_settled("rr1", PE1_LO), 90)


def test_good_change_is_confirmed_and_the_fabric_validates(core: Core, tmp_path: Path) -> None:
    pb: dict[str, Any] = {
        "name": "xr-describe-core-link",
        "description": "a harmless description on each XR router's first core link",
        "targets": {"roles": ["pe", "rr"]},
        "change": {"type": "merge", "template": {
            "iosxr": "interface GigabitEthernet0/0/0/0\n description core {{ host }}\n"}},
        "waves": {"canary": ["pe1"], "sizes": ["100%"]},
        "gates": {"device": ["bgp"], "neighbors": ["bgp"], "convergence_wait": 2, "convergence_timeout": 30},
        "commit_confirm": 120,
        "failure": {"rollback": "wave"},
    }
    ro = core.rollout(Playbook.model_validate(pb), tmp_path / "journal.sqlite")
    rep = ro.run()
    assert rep["outcome"] == "completed", rep
    assert {d["host"]: d["state"] for d in rep["devices"]} == {"pe1": "confirmed", "rr1": "confirmed"}
    after = running_configs(ro)
    for h in ("pe1", "rr1"):
        assert f" description core {h}" in after[h]
    # confirmed on the device: no trial is pending, so the timer will not take it back
    c = core.scrapli("pe1")
    try:
        r = c.send_configs(["commit"], stop_on_failed=True).result
        assert "Confirming commit" not in r, r
    finally:
        c.close()
    from fabric.validation.run import validate

    run = validate(ro.fab, ["rr1", "pe1"], nr=ro._nornir())  # the rollout's targets (its Nornir)
    assert not run.failures(), run.failures()
    checks = {r.check for r in run.results if r.device == "rr1"}
    assert checks >= {"bgp_session", "interface", "lldp_neighbor", "isis_adjacency"}, checks
