"""The SR Linux twin in the embedded lab: containerlab/srl-dc.clab.yml (one FRR spine, two SR Linux leaves
booted from our rendered flat `set / ...` startup configs, the `.cli` form containerlab's examples use),
driven by unmodified clients. Ground truth is the FRR spine and the kernel of the SR Linux node."""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import time
import urllib.request
from base64 import b64encode
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _skip import need
from _twinbed import wait_for

from fabric.vendors.eos.twin.testbed import private_topology

pytestmark = pytest.mark.lab
REPO = Path(__file__).resolve().parents[3]


class SrlLab:
    def __init__(self, state: dict[str, Any]) -> None:
        self.nodes: dict[str, Any] = state["nodes"]

    def ip(self, node: str) -> str:
        return str(self.nodes[node]["mgmt_ipv4"])

    def creds(self, node: str) -> tuple[str, str]:
        n = self.nodes[node]
        return str(n["username"]), str(n["password"])

    def vtysh(self, node: str, cmd: str) -> str:
        return subprocess.run(["vtysh", "-N", self.nodes[node]["frr_pathspace"], "-c", cmd],
                              capture_output=True, text=True, timeout=30).stdout

    def ns_run(self, node: str, *argv: str) -> str:
        return subprocess.run(["ip", "netns", "exec", self.nodes[node]["netns"], *argv], capture_output=True,
                              text=True, timeout=30, check=True).stdout

    def spine_peer_state(self, peer: str) -> str:
        data = json.loads(self.vtysh("spine1", f"show bgp neighbors {peer} json") or "{}")
        return str(data.get(peer, {}).get("bgpState", "absent"))

    def rpc(self, node: str, method: str, **params: Any) -> dict[str, Any]:
        """Plain JSON-RPC over HTTPS, as a script with `requests` would send it."""
        user, pw = self.creds(node)
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()
        req = urllib.request.Request(f"https://{self.ip(node)}/jsonrpc", data=body, method="POST", headers={
            "Content-Type": "application/json",
            "Authorization": "Basic " + b64encode(f"{user}:{pw}".encode()).decode()})
        ctx = ssl.create_default_context()
        ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE  # the lab's self-signed certificate
        with urllib.request.urlopen(req, timeout=30, context=ctx) as r:  # noqa: S310 - lab mgmt address
            return dict(json.loads(r.read()))

    def napalm(self, node: str) -> Any:
        from napalm import get_network_driver

        user, pw = self.creds(node)
        d = get_network_driver("srlinux")(self.ip(node), user, pw, timeout=60,
                                          optional_args={"insecure": True, "skip_verify": True})
        d.open()
        return d



@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SrlLab]:
    need(os.geteuid() == 0, "the embedded lab needs root (network namespaces)")
    need(Path("/usr/lib/frr/zebra").exists(), "FRR is not installed")
    from fabric.lab import api

    topo = private_topology(REPO / "containerlab" / "srl-dc.clab.yml", tmp_path_factory.mktemp("srllab"),
                            prefix="sl")
    try:
        yield SrlLab(api.deploy(topo, wait_converged=True, timeout=90))
    finally:
        api.destroy(topo, cleanup=True)


def test_startup_configs_boot_and_peer_with_frr(lab: SrlLab) -> None:
    for peer in ("10.8.0.1", "10.8.0.5"):
        assert lab.spine_peer_state(peer) == "Established"
    # FABRIC-EXPORT accepts the loopbacks only: srl2 learns srl1's system0, the spine not its /31
    wait_for("srl2 to learn srl1's loopback",
             lambda: "10.255.8.33/32" in lab.vtysh("srl2", "show ip route bgp"), 30)
    assert "10.8.0.0/31" not in lab.vtysh("spine1", "show ip route bgp")
    assert json.loads(lab.ns_run("srl1", "ip", "-j", "link", "show", "e1-1"))[0]["mtu"] == 9000
    assert "10.255.8.33" in lab.ns_run("srl1", "ip", "-4", "addr", "show", "system0")


def test_napalm_srlinux_getters_agree_with_frr(lab: SrlLab) -> None:
    d = lab.napalm("srl1")
    try:
        facts = d.get_facts()
        assert facts["hostname"] == "srl1" and "ethernet-1/1" in facts["interface_list"]
        peer = d.get_bgp_neighbors()["global"]["peers"]["10.8.0.0"]
        frr = json.loads(lab.vtysh("srl1", "show bgp summary json"))["ipv4Unicast"]["peers"]["10.8.0.0"]
        assert peer["is_up"] and peer["remote_as"] == 65300
        assert peer["address_family"]["ipv4"]["received_prefixes"] == frr["pfxRcd"]
        assert [n["hostname"] for n in d.get_lldp_neighbors()["ethernet-1/1"]] == ["spine1"]
        assert d.get_interfaces_ip()["ethernet-1/1.0"]["ipv4"]["10.8.0.1"] == {"prefix_length": 31}
    finally:
        d.close()


def test_json_rpc_refused_change_leaves_everything_as_it_was(lab: SrlLab) -> None:
    before = lab.rpc("srl1", "get", commands=[{"path": "/", "datastore": "running"}])["result"][0]
    r = lab.rpc("srl1", "set", commands=[{
        "action": "update", "value": "NO-SUCH-POLICY",
        "path": "/network-instance[name=default]/protocols/bgp/group[group-name=SPINES]/export-policy"}])
    assert r["error"]["code"] == -1 and "NO-SUCH-POLICY" in r["error"]["message"], r
    assert lab.rpc("srl1", "get", commands=[{"path": "/", "datastore": "running"}])["result"][0] == before
    assert lab.spine_peer_state("10.8.0.1") == "Established"


def test_confirmed_commit_not_accepted_reverts_by_itself_and_bgp_comes_back(lab: SrlLab) -> None:
    """JSON-RPC `set` with `confirm-timeout` (SR Linux's native confirmed commit), never accepted: the wrong
    peer-as takes the session down, the device reverts by itself and the session comes back."""
    path = "/network-instance[name=default]/protocols/bgp/neighbor[peer-address=10.8.0.0]/peer-as"
    r = lab.rpc("srl1", "set", commands=[{"action": "update", "path": path, "value": 65399}],
                **{"confirm-timeout": 20})
    assert "error" not in r, r
    t0 = time.monotonic()
    wait_for("the wrong peer-as to take the session down",
             lambda: lab.spine_peer_state("10.8.0.1") != "Established", 20)
    wait_for("the device's own revert",
             lambda: lab.rpc("srl1", "get", commands=[{"path": path, "datastore": "running"}])
             ["result"][0] == 65300, 40, every=1)
    assert time.monotonic() - t0 >= 15
    wait_for("the session to come back", lambda: lab.spine_peer_state("10.8.0.1") == "Established", 60)


def test_scrapli_and_netmiko_drive_the_cli(lab: SrlLab) -> None:
    from netmiko import ConnectHandler
    from scrapli import Scrapli

    user, pw = lab.creds("srl2")
    with Scrapli(host=lab.ip("srl2"), auth_username=user, auth_password=pw, auth_strict_key=False,
                 platform="nokia_srlinux", transport="paramiko", timeout_ops=30) as conn:
        assert conn.get_prompt().endswith("A:srl2#")
        r = conn.send_command("show network-instance default protocols bgp neighbor")
        assert "10.8.0.4" in r.result and "established" in r.result.lower(), r.result
        rs = conn.send_configs(['set / interface ethernet-1/1 description "via scrapli"', "commit stay"])
        assert not rs.failed, rs.result
    wait_for("FRR to take the description",
             lambda: "via scrapli" in lab.vtysh("srl2", "show running-config"), 10)
    nm = ConnectHandler(device_type="nokia_srl", host=lab.ip("srl2"), username=user, password=pw)
    try:
        assert "via scrapli" in nm.send_command("info flat interface ethernet-1/1 description")
        nm.send_config_set(['set / interface ethernet-1/1 description "to spine1 eth2"'])
        nm.commit()
        nm.exit_config_mode()
    finally:
        nm.disconnect()
    wait_for("FRR to follow netmiko's commit",
             lambda: "to spine1 eth2" in lab.vtysh("srl2", "show running-config"), 10)


def test_atomic_commit_when_frr_refuses(lab: SrlLab) -> None:
    """Last: it leaves srl2's bgpd dead (a real fault, as when a daemon crashed)."""
    pid = lab.ns_run("srl2", "cat", f"/var/run/frr/{lab.nodes['srl2']['frr_pathspace']}/bgpd.pid").strip()
    before = lab.rpc("srl2", "get", commands=[{"path": "/", "datastore": "running"}])["result"][0]
    subprocess.run(["kill", "-KILL", pid], check=True)
    r = lab.rpc("srl2", "set", commands=[{
        "action": "update", "value": "changed",
        "path": "/network-instance[name=default]/protocols/bgp/neighbor[peer-address=10.8.0.4]/description"}])
    assert r["error"]["code"] == -1 and "Commit failed" in r["error"]["message"], r
    assert lab.rpc("srl2", "get", commands=[{"path": "/", "datastore": "running"}])["result"][0] == before
