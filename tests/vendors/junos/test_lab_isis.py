"""IS-IS, iBGP over loopbacks, BFD and OSPF on Junos twins: containerlab/junos-core.clab.yml (two
vJunos-router nodes, rr1 and pe1, and an FRR P router p1), booted from our own rendered Junos configs.

Ground truth is the FRR P router (plain FRR, not a twin) and the Junos nodes' own FRR; the twins' RPC
replies, read through PyEZ, must agree with it.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _skip import need
from _twinbed import wait_for

from fabric.vendors.eos.twin.testbed import private_topology

pytestmark = pytest.mark.lab
REPO = Path(__file__).resolve().parents[3]


class Core:
    def __init__(self, state: dict[str, Any], topology: Path) -> None:
        self.nodes: dict[str, Any] = state["nodes"]
        self.topology = topology

    def vtysh(self, node: str, cmd: str) -> str:
        return subprocess.run(["vtysh", "-N", self.nodes[node]["frr_pathspace"], "-c", cmd],
                              capture_output=True, text=True, timeout=30).stdout

    def isis_up(self, node: str) -> set[str]:
        """Hostnames of the Up IS-IS neighbors FRR has on ``node``."""
        data = json.loads(self.vtysh(node, "show isis neighbor json") or "{}")
        out = set()
        for area in data.get("areas", []):
            for circ in area.get("circuits", []):
                adj = circ.get("adj") or circ.get("adjacency")
                state = circ.get("state") or circ.get("adj-state")
                if adj and str(state).lower() == "up":
                    out.add(adj)
        if not out and not data:  # older FRR: text only
            for ln in self.vtysh(node, "show isis neighbor").splitlines():
                w = ln.split()
                if len(w) >= 4 and w[3] == "Up":
                    out.add(w[0])
        return out

    def pyez(self, node: str) -> Any:
        from jnpr.junos import Device

        n = self.nodes[node]
        dev = Device(host=n["mgmt_ipv4"], user=n["username"], passwd=n["password"], port=22)
        dev.open()
        return dev



@pytest.fixture(scope="module")
def core(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Core]:
    need(os.geteuid() == 0, "the embedded lab needs root (network namespaces)")
    need(Path("/usr/lib/frr/zebra").exists(), "FRR is not installed")
    from fabric.lab import api

    topo = private_topology(REPO / "containerlab" / "junos-core.clab.yml", tmp_path_factory.mktemp("core"),
                            prefix="jc")
    try:
        yield Core(api.deploy(topo, wait_converged=True, timeout=90), topo)
    finally:
        api.destroy(topo, cleanup=True)


def test_isis_adjacencies_and_ibgp_from_golden_configs(core: Core) -> None:
    assert core.isis_up("p1") == {"rr1", "pe1"}  # the FRR P router sees both Junos twins
    # iBGP rr1 <-> pe1 over loopbacks learned by IS-IS (at boot the session may be reset a few times
    # while BFD and the other end come up: wait for it rather than catch one moment)
    wait_for("iBGP rr1 <-> pe1", lambda: json.loads(core.vtysh("rr1", "show bgp summary json"))[
        "ipv4Unicast"]["peers"]["10.254.7.3"]["state"] == "Established", 60)
    dev = core.pyez("rr1")
    try:
        adj = dev.rpc.get_isis_adjacency_information()
        seen = {(a.findtext("interface-name"), a.findtext("system-name"), a.findtext("adjacency-state"))
                for a in adj.findall("isis-adjacency")}
        assert seen == {("ge-0/0/0.0", "p1", "Up"), ("ge-0/0/1.0", "pe1", "Up")}
        assert dev.facts["hostname"] == "rr1" and dev.facts["version"]
    finally:
        dev.close()


def test_deactivated_isis_interface_drops_the_adjacency_and_rollback_restores(core: Core) -> None:
    from jnpr.junos.utils.config import Config

    dev = core.pyez("rr1")
    try:
        cu = Config(dev)
        cu.load("deactivate protocols isis interface ge-0/0/0.0", format="set")
        cu.commit(comment="drain rr1 from p1")
        wait_for("p1 to lose rr1", lambda: core.isis_up("p1") == {"pe1"}, 60)
        cu.rollback(1)
        cu.commit(comment="undrain")
        wait_for("p1 to see rr1 again", lambda: core.isis_up("p1") == {"rr1", "pe1"}, 60)
    finally:
        dev.close()


def test_ospf_between_two_junos_twins(core: Core) -> None:
    """OSPF configured over NETCONF on both ends of rr1 <-> pe1: FRR forms the adjacency and the twins'
    get-ospf-neighbor-information shows it Full, as the collector reads it."""
    from jnpr.junos.utils.config import Config

    devs = {n: core.pyez(n) for n in ("rr1", "pe1")}
    try:
        for d in devs.values():
            cu = Config(d)
            # 1 s hellos (Junos's hello-interval/dead-interval): the adjacency forms in seconds
            cu.load("set protocols ospf area 0.0.0.0 interface ge-0/0/1.0 interface-type p2p\n"
                    "set protocols ospf area 0.0.0.0 interface ge-0/0/1.0 hello-interval 1\n"
                    "set protocols ospf area 0.0.0.0 interface ge-0/0/1.0 dead-interval 4", format="set")
            cu.commit()

        def full() -> bool:
            nbrs = devs["rr1"].rpc.get_ospf_neighbor_information().findall("ospf-neighbor")
            return [(n.findtext("interface-name"), n.findtext("ospf-neighbor-state")) for n in nbrs] == [
                ("ge-0/0/1.0", "Full")]

        wait_for("OSPF Full on rr1", full, 60)
        frr = json.loads(core.vtysh("pe1", "show ip ospf neighbor json"))
        assert frr.get("neighbors"), frr  # pe1's own FRR has the adjacency too
        for d in devs.values():
            cu = Config(d)
            cu.load("delete protocols ospf", format="set")
            cu.commit()
    finally:
        for d in devs.values():
            d.close()


def test_core_validates_against_intent(core: Core) -> None:
    """State collected from the Junos twins (JunosCollector over NETCONF) passes every intent check,
    IS-IS adjacencies included."""
    from fabric.inventory import load_nornir
    from fabric.rollout.engine import FabricSource
    from fabric.validation.run import validate

    fab = FabricSource(str(REPO / "inventory" / "junos-core"), lab_topology=str(core.topology)).load()
    nr = load_nornir(str(REPO / "inventory" / "junos-core"), fab=fab, hosts=["rr1", "pe1"])
    run = validate(fab, ["rr1", "pe1"], nr=nr)
    assert not run.failures(), run.failures()
    assert {"isis_adjacency", "bgp_session", "interface", "lldp_neighbor"} <= {r.check for r in run.results}
