"""Every getter of NAPALM's eos driver (unmodified) against an EOS twin of a private dc1 lab, with values
checked against the lab's live state: ARP entries from the neighbour's real MAC, route lookups against
FRR's RIB and BGP table, ping through the node's namespace, SNMP/NTP/VRFs from the golden config."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _twinbed import wait_for

from fabric.credentials import credentials_for
from fabric.rollout.engine import FabricSource
from tests.conftest import lab_copy

ROOT = Path(__file__).resolve().parents[3]
# NAPALM's eos getters that take no argument (get_ipv6_neighbors_table: NAPALM's eos driver has none)
GETTERS = (
    "get_facts", "get_interfaces", "get_interfaces_counters", "get_interfaces_ip", "get_lldp_neighbors",
    "get_lldp_neighbors_detail", "get_bgp_neighbors", "get_bgp_neighbors_detail", "get_bgp_config",
    "get_environment", "get_arp_table", "get_mac_address_table", "get_ntp_servers", "get_ntp_stats",
    "get_snmp_information", "get_optics", "get_vlans", "get_network_instances", "get_users", "get_config",
)


@pytest.fixture(scope="module")
def spine1(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Any]]:
    from napalm import get_network_driver

    with lab_copy(tmp_path_factory, "dc1") as lab:
        fab = FabricSource(str(ROOT / "inventory" / "dc1"), lab_topology=str(lab.path)).load()
        addr = fab.devices["spine1"].mgmt_ipv4.split("/")[0]
        c = credentials_for("eos", addr)
        drv = get_network_driver("eos")(addr, c.username, c.password, timeout=30)
        drv.open()
        try:
            wait_for("spine1's four BGP sessions", lambda: all(
                p["is_up"] for p in drv.get_bgp_neighbors()["global"]["peers"].values()) and len(
                drv.get_bgp_neighbors()["global"]["peers"]) == 4, timeout=60)
            yield drv, lab
        finally:
            drv.close()


@pytest.mark.parametrize("getter", GETTERS)
def test_getter_answers(spine1: tuple[Any, Any], getter: str) -> None:
    drv, _ = spine1
    result = getattr(drv, getter)()
    assert result is not None


def _peer_mac(lab: Any, node: str, ifname: str) -> str:
    out = subprocess.run(["ip", "-n", lab.netns(node), "-j", "link", "show", ifname], check=True,
                         capture_output=True, text=True).stdout
    return str(json.loads(out)[0]["address"]).upper()


def test_arp_table_is_the_kernels(spine1: tuple[Any, Any]) -> None:
    drv, lab = spine1
    subprocess.run(["ip", "netns", "exec", lab.netns("spine1"), "ping", "-c1", "-W1", "10.1.0.17"],
                   check=True, capture_output=True)
    arp = {e["ip"]: e for e in drv.get_arp_table()}
    assert arp["10.1.0.17"]["interface"] == "Ethernet3"
    assert arp["10.1.0.17"]["mac"] == _peer_mac(lab, "leaf3", "eth1")  # leaf3 (FRR)'s own port MAC


def test_route_to_bgp_and_connected(spine1: tuple[Any, Any]) -> None:
    drv, _ = spine1
    bgp = drv.get_route_to("10.255.0.35/32")["10.255.0.35/32"]  # leaf3's loopback, by eBGP
    assert [r["protocol"] for r in bgp] == ["eBGP"]
    r = bgp[0]
    assert (r["next_hop"], r["outgoing_interface"], r["current_active"]) == ("10.1.0.17", "Ethernet3", True)
    attrs = r["protocol_attributes"]
    assert (attrs["local_as"], attrs["remote_as"], attrs["remote_address"]) == (65100, 65103, "10.1.0.17")
    assert attrs["as_path"].split()[0] == "65103"
    conn = drv.get_route_to("10.1.0.16/31")["10.1.0.16/31"]
    assert [(x["protocol"], x["outgoing_interface"]) for x in conn] == [("connected", "Ethernet3")]
    # an address takes the longest match; the management VRF answers from its own table
    assert "10.255.0.35/32" in drv.get_route_to("10.255.0.35")
    mgmt = drv.get_route_to("0.0.0.0/0")
    assert [x["routing_table"] for x in mgmt["0.0.0.0/0"]] == ["MGMT"]


def test_ping(spine1: tuple[Any, Any]) -> None:
    drv, _ = spine1
    ok = drv.ping("10.1.0.1", count=3)["success"]  # leaf1 (EOS twin) across Ethernet1
    assert (ok["probes_sent"], ok["packet_loss"]) == (3, 0)
    assert len(ok["results"]) == 3 and all(x["ip_address"] == "10.1.0.1" for x in ok["results"])
    # no route outside the lab: the twin never sends there
    assert "error" in drv.ping("198.51.100.7", count=1)


def test_environment_and_inventory_like_ceos(spine1: tuple[Any, Any]) -> None:
    drv, _ = spine1
    env = drv.get_environment()
    assert env["fans"] == {} and env["temperature"] == {} and env["power"] == {}  # a container has none
    assert 0.0 <= env["cpu"][0]["%usage"] <= 100.0
    assert env["memory"]["available_ram"] > env["memory"]["used_ram"] > 0
    assert drv.get_optics() == {} and drv.get_mac_address_table() == []
    assert drv.get_vlans() == {"1": {"name": "default", "interfaces": []}}


def test_config_derived_getters(spine1: tuple[Any, Any]) -> None:
    drv, _ = spine1
    snmp = drv.get_snmp_information()
    assert (snmp["contact"], snmp["location"]) == ("netops", "dc1 dc1")
    servers = list(drv.get_ntp_servers())
    assert len(servers) == 1  # dc1's ntp_servers
    stats = drv.get_ntp_stats()  # the lab runs no NTP server: configured, never synchronised
    assert [s["remote"] for s in stats] == servers and not stats[0]["synchronized"]
    ni = drv.get_network_instances()
    assert set(ni) == {"default", "MGMT"}
    assert "Management0" in ni["MGMT"]["interfaces"]["interface"]
    assert "Ethernet1" in ni["default"]["interfaces"]["interface"]


def test_lldp_follows_a_link_change(spine1: tuple[Any, Any]) -> None:
    """The twin keeps its LLDP reading until lldpd reports a change (fabric.twins.lldpwatch): a port
    going down takes its neighbour out of the very next answers, and its return brings it back."""
    drv, lab = spine1
    ns = lab.netns("spine1")
    before = drv.get_lldp_neighbors()
    assert "Ethernet1" in before
    time.sleep(1.5)  # past the watch's warm-up: from here on the twin answers from its kept reading
    assert drv.get_lldp_neighbors() == before
    subprocess.run(["ip", "-n", ns, "link", "set", "eth1", "down"], check=True)
    try:
        wait_for("spine1 Ethernet1's neighbour gone", lambda: "Ethernet1" not in drv.get_lldp_neighbors(),
                 timeout=5)
    finally:
        subprocess.run(["ip", "-n", ns, "link", "set", "eth1", "up"], check=True)
    wait_for("spine1 Ethernet1's neighbour back", lambda: drv.get_lldp_neighbors() == before, timeout=30)
