"""The Junos twin in the embedded lab: containerlab/junos-dc.clab.yml (one FRR spine, two vJunos-router
leaves booted from our own rendered Junos configs), driven by unmodified clients exactly as a real box.

Ground truth is never the twin's own answer: BGP state is read from the FRR spine (a plain FRR node)
and from the kernel of the Junos node's namespace.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _skip import need
from _twinbed import wait_for

from fabric.vendors.eos.twin.testbed import private_topology

pytestmark = pytest.mark.lab

REPO = Path(__file__).resolve().parents[3]
TOPOLOGY = REPO / "containerlab" / "junos-dc.clab.yml"
SPINE_AS_CHANGE = "set protocols bgp group SPINES neighbor 10.7.0.0 peer-as 65299"


class JunosLab:
    def __init__(self, state: dict[str, Any]) -> None:
        self.state = state
        self.nodes: dict[str, Any] = state["nodes"]

    def ip(self, node: str) -> str:
        return str(self.nodes[node]["mgmt_ipv4"])

    def creds(self, node: str) -> tuple[str, str]:
        n = self.nodes[node]
        return str(n["username"]), str(n["password"])

    def ns_run(self, node: str, *argv: str) -> str:
        return subprocess.run(["ip", "netns", "exec", self.nodes[node]["netns"], *argv], capture_output=True,
                              text=True, timeout=30, check=True).stdout

    def vtysh(self, node: str, cmd: str) -> str:
        n = self.nodes[node]
        return subprocess.run(["vtysh", "-N", n["frr_pathspace"], "-c", cmd], capture_output=True, text=True,
                              timeout=30).stdout

    def spine_peer_state(self, peer: str) -> str:
        data = json.loads(self.vtysh("spine1", f"show bgp neighbors {peer} json") or "{}")
        return str(data.get(peer, {}).get("bgpState", "absent"))

    def napalm(self, node: str, **optional: Any) -> Any:
        from napalm import get_network_driver

        user, pw = self.creds(node)
        d = get_network_driver("junos")(self.ip(node), user, pw, timeout=60, optional_args=optional)
        d.open()
        return d



@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JunosLab]:
    need(os.geteuid() == 0, "the embedded lab needs root (network namespaces)")
    need(Path("/usr/lib/frr/zebra").exists(), "FRR is not installed")
    from fabric.lab import api

    topo = private_topology(TOPOLOGY, tmp_path_factory.mktemp("junoslab"), prefix="jn")
    api.destroy(topo)
    try:
        state = api.deploy(topo, wait_converged=True, timeout=90)
        yield JunosLab(state)
    finally:
        api.destroy(topo, cleanup=True)


def test_twins_boot_our_golden_configs_and_peer_with_frr(lab: JunosLab) -> None:
    # eBGP from both Junos twins to a plain FRR spine, as seen by the spine
    for peer in ("10.7.0.1", "10.7.0.5"):
        assert lab.spine_peer_state(peer) == "Established"
    # vr1's export policy advertises its loopback (a direct route: FABRIC-EXPORT term loopbacks), and
    # vr2 learns it through the spine: Junos policy semantics reached FRR
    wait_for("vr2 to learn vr1's loopback",
             lambda: "10.255.7.33/32" in lab.vtysh("vr2", "show ip route bgp"), 30)
    # the /31 is a direct route too, but the policy does not export it
    assert "10.7.0.0/31" not in lab.vtysh("spine1", "show ip route bgp")
    # the kernel took the golden config's MTU (mtu 9014 = IP MTU 9000) and the lo0 address
    link = json.loads(lab.ns_run("vr1", "ip", "-j", "link", "show", "eth1"))[0]
    assert link["mtu"] == 9000
    assert "10.255.7.33" in lab.ns_run("vr1", "ip", "-4", "addr", "show", "lo0")


def test_napalm_getters_agree_with_frr_and_the_kernel(lab: JunosLab) -> None:
    d = lab.napalm("vr1")
    try:
        facts = d.get_facts()
        assert facts["hostname"] == "vr1" and facts["vendor"] == "Juniper"
        assert "ge-0/0/0" in facts["interface_list"]
        peers = d.get_bgp_neighbors()["global"]["peers"]
        frr = json.loads(lab.vtysh("vr1", "show bgp summary json"))["ipv4Unicast"]["peers"]["10.7.0.0"]
        assert peers["10.7.0.0"]["is_up"] and peers["10.7.0.0"]["remote_as"] == 65200
        assert peers["10.7.0.0"]["address_family"]["ipv4"]["received_prefixes"] == frr["pfxRcd"]
        ifs = d.get_interfaces()
        kernel = json.loads(lab.ns_run("vr1", "ip", "-j", "link", "show", "eth1"))[0]
        assert ifs["ge-0/0/0"]["mtu"] == kernel["mtu"] + 14 and ifs["ge-0/0/0"]["is_up"]
        assert ifs["ge-0/0/0"]["mac_address"].lower() == kernel["address"].lower()
        assert d.get_interfaces_ip()["ge-0/0/0.0"]["ipv4"] == {"10.7.0.1": {"prefix_length": 31}}
        lldp = d.get_lldp_neighbors()
        assert [n["hostname"] for n in lldp["ge-0/0/0"]] == ["spine1"]
    finally:
        d.close()


def test_scrapli_and_netmiko_drive_the_cli(lab: JunosLab) -> None:
    from netmiko import ConnectHandler
    from scrapli import Scrapli

    user, pw = lab.creds("vr2")
    with Scrapli(host=lab.ip("vr2"), auth_username=user, auth_password=pw, auth_strict_key=False,
                 platform="juniper_junos", transport="paramiko") as conn:
        out = conn.send_command("show bgp summary").result
        assert "10.7.0.4" in out and "Establ" in out
        r = conn.send_configs(['set interfaces ge-0/0/0 description "via scrapli"', "commit"])
        assert not r.failed, r.result
    nm = ConnectHandler(device_type="juniper_junos", host=lab.ip("vr2"), username=user, password=pw)
    try:
        assert "ge-0/0/0" in nm.send_command("show interfaces terse")
        assert 'description "via scrapli";' in nm.send_command("show configuration interfaces ge-0/0/0")
        nm.send_config_set(["rollback 1"])
        nm.commit()
        nm.exit_config_mode()
        assert "via scrapli" not in nm.send_command("show configuration interfaces ge-0/0/0")
    finally:
        nm.disconnect()
    wait_for("FRR to drop the description",
             lambda: "via scrapli" not in lab.vtysh("vr2", "show running-config"), 10)


def test_napalm_config_workflow_and_bad_change_rejected(lab: JunosLab) -> None:
    d = lab.napalm("vr1")
    try:
        before = d.get_config(retrieve="running")["running"]
        # a policy that does not exist: Junos refuses the commit, nothing changes
        d.load_merge_candidate(config="set protocols bgp group SPINES export NO-SUCH-POLICY")
        assert "NO-SUCH-POLICY" in d.compare_config()
        with pytest.raises(Exception, match="NO-SUCH-POLICY"):
            d.commit_config()
        d.discard_config()
        assert d.get_config(retrieve="running")["running"] == before
        assert lab.spine_peer_state("10.7.0.1") == "Established"
        # a good change: a description reaches FRR and lldpd-independent state
        d.load_merge_candidate(config='set interfaces ge-0/0/0 description "uplink to spine1"')
        assert '+   description "uplink to spine1";' in d.compare_config()
        d.commit_config()
        assert "description uplink to spine1" in lab.vtysh("vr1", "show running-config")
        d.rollback()
        assert d.get_config(retrieve="running")["running"] == before
        wait_for("FRR to drop the description again",
                 lambda: "uplink to spine1" not in lab.vtysh("vr1", "show running-config"), 10)
    finally:
        d.close()


def test_interface_disable_reaches_the_kernel_and_peer(lab: JunosLab) -> None:
    d = lab.napalm("vr2")
    try:
        d.load_merge_candidate(config="set interfaces ge-0/0/0 disable")
        d.commit_config()
        link = json.loads(lab.ns_run("vr2", "ip", "-j", "link", "show", "eth1"))[0]
        assert "UP" not in link["flags"]
        wait_for("the spine to lose vr2", lambda: lab.spine_peer_state("10.7.0.5") != "Established", 30)
        d.rollback()
        wait_for("vr2's session back", lambda: lab.spine_peer_state("10.7.0.5") == "Established", 60)
    finally:
        d.close()


def test_bfd_timers_reach_frr(lab: JunosLab) -> None:
    """A BFD interval that is not FRR's default goes through a BFD profile; a commit of it is verified
    against FRR's running config (lines FRR never prints must not be pushed, or every commit fails)."""
    d = lab.napalm("vr1")
    try:
        d.load_merge_candidate(
            config="set protocols bgp group SPINES bfd-liveness-detection minimum-interval 1000")
        d.commit_config()

        def tx() -> Any:
            peers = json.loads(lab.vtysh("vr1", "show bfd peers json") or "[]")
            return peers[0].get("transmit-interval") if peers else None

        wait_for("BFD at 1000 ms on vr1", lambda: tx() == 1000, 30)
        d.rollback()
        wait_for("BFD back at 300 ms", lambda: tx() == 300, 30)
    finally:
        d.close()


@pytest.mark.slow
def test_commit_confirmed_1_reverts_by_itself_and_bgp_comes_back(lab: JunosLab) -> None:
    """NAPALM ``commit_config(revert_in=60)`` = Junos ``commit confirmed 1``, never confirmed: the device's
    own timer rolls the wrong peer-as back, the session goes down and then comes back."""
    d = lab.napalm("vr1")
    try:
        before = d.get_config(retrieve="running")["running"]
        d.load_merge_candidate(config=SPINE_AS_CHANGE)
        t0 = time.monotonic()
        d.commit_config(revert_in=60)
        assert d.has_pending_commit()
        wait_for("the wrong peer-as to take the session down",
                 lambda: lab.spine_peer_state("10.7.0.1") != "Established", 30)
        wait_for("the device-side rollback", lambda: not d.has_pending_commit(), 90, every=2)
        assert time.monotonic() - t0 >= 55  # not before the minute is up
        # the rollback is a commit of its own: running shows it once the control plane took it all
        wait_for("running to be back to before",
                 lambda: d.get_config(retrieve="running")["running"] == before, 30, every=1)
        wait_for("the session to come back", lambda: lab.spine_peer_state("10.7.0.1") == "Established", 60)
    finally:
        d.close()


def test_atomic_commit_when_frr_refuses(lab: JunosLab) -> None:
    """A commit the control plane does not take is an rpc-error, and running stays as it was.

    Last in this module: it leaves vr1's bgpd dead (the fault is real: a daemon that crashed)."""
    from ncclient import manager

    user, pw = lab.creds("vr1")
    pid = lab.ns_run("vr1", "cat", f"/var/run/frr/{lab.nodes['vr1']['frr_pathspace']}/bgpd.pid").strip()
    with manager.connect(host=lab.ip("vr1"), port=830, username=user, password=pw, hostkey_verify=False,
                         allow_agent=False, look_for_keys=False, device_params={"name": "junos"},
                         timeout=60) as m:
        before = m.get_configuration(format="text").xpath("//configuration-text")[0].text
        subprocess.run(["kill", "-KILL", pid], check=True)
        m.lock()
        m.load_configuration(action="set", format="text",
                             config=["set protocols bgp group SPINES neighbor 10.7.0.0 description x"])
        with pytest.raises(Exception, match="commit failed"):
            m.commit()
        m.discard_changes()
        m.unlock()
        after = m.get_configuration(format="text").xpath("//configuration-text")[0].text
        assert after == before
