"""Check generation and reasons, on synthetic states derived from dc1's intent and then broken."""

from __future__ import annotations

from pathlib import Path

import pytest
from synth import converged

from fabric.design import load_fabric
from fabric.model import Fabric
from fabric.state.model import BgpSession, FabricState, LldpNeighbor, OspfNeighbor
from fabric.validation.checks import CheckSettings, run_checks, summary

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def dc1() -> Fabric:
    return load_fabric(ROOT / "inventory" / "dc1")


def by_id(results):  # type: ignore[no-untyped-def]
    return {r.id: r for r in results}


def test_converged_all_pass(dc1: Fabric) -> None:
    res = run_checks(converged(dc1), dc1)
    s = summary(res)
    assert s["fail"] == 0 and s["error"] == 0, [r for r in res if r.status != "pass"]
    ids = by_id(res)
    # one atomic result per item, readable ids
    assert "leaf1::bgp_session::10.1.0.0" in ids
    assert "spine1::bgp_session::10.1.0.17" in ids
    assert "leaf3::lldp_neighbor::eth1" in ids
    assert "spine1::interface::Ethernet3" in ids
    assert "leaf3::router_id::10.255.0.35" in ids
    assert len([r for r in res if r.device == "spine1" and r.check == "bgp_session"]) == 4


def test_interface_down_explains_bgp(dc1: Fabric) -> None:
    st = converged(dc1)
    st.devices["leaf1"].interfaces["Ethernet1"].oper_up = False
    st.devices["leaf1"].bgp[0].state = "Active"
    st.devices["spine1"].bgp[0].state = "Active"
    st.devices["spine1"].interfaces["Ethernet1"].oper_up = False
    ids = by_id(run_checks(st, dc1))
    r = ids["leaf1::bgp_session::10.1.0.0"]
    assert r.status == "fail" and r.reason == "peer 10.1.0.0 Active: interface Ethernet1 down"
    assert ids["leaf1::interface::Ethernet1"].status == "fail"
    assert (
        "Ethernet1 oper down (admin up): far end spine1 Ethernet1 down"
        in ids["leaf1::interface::Ethernet1"].reason
    )
    assert ids["leaf1::bgp_prefixes::10.1.0.0"].status == "skip"


def test_admin_down(dc1: Fabric) -> None:
    st = converged(dc1)
    i = st.devices["leaf3"].interfaces["eth2"]
    i.admin_up = i.oper_up = False
    st.devices["leaf3"].bgp[1].state = "Connect"
    ids = by_id(run_checks(st, dc1))
    assert ids["leaf3::interface::eth2"].reason == "eth2 admin down"
    assert ids["leaf3::bgp_session::10.1.0.18"].reason == "peer 10.1.0.18 Connect: interface eth2 admin down"


def test_peer_as_mismatch_seen_from_both_sides(dc1: Fabric) -> None:
    st = converged(dc1)
    # spine1 misconfigured with 65199 for leaf1; leaf1 still says it is 65101
    sp = next(s for s in st.devices["spine1"].bgp if s.peer == "10.1.0.1")
    sp.peer_as, sp.state = 65199, "Idle"
    sp.last_error = "BGP Notification send: OPEN Message Error/Bad Peer AS (code 0202)"
    lf = next(s for s in st.devices["leaf1"].bgp if s.peer == "10.1.0.0")
    lf.state = "Active"
    ids = by_id(run_checks(st, dc1))
    assert (
        ids["spine1::bgp_session::10.1.0.1"].reason
        == "peer 10.1.0.1: remote AS mismatch (configured 65199, intent 65101)"
    )
    r = ids["leaf1::bgp_session::10.1.0.0"]
    assert r.reason == "peer 10.1.0.0 Active: spine1 expects AS 65199 from us, we are AS 65101"


def test_remote_as_mismatch_peer_says(dc1: Fabric) -> None:
    """Intent and local config agree, but the peer runs another AS: 'peer says' from its own state."""
    st = converged(dc1)
    for s in st.devices["leaf2"].bgp:
        s.local_as = 65199  # leaf2 actually runs AS 65199
    sp = next(s for s in st.devices["spine1"].bgp if s.peer == "10.1.0.9")
    sp.state, sp.last_error = "Active", "notification sent: OPEN Message Error/Bad Peer AS"
    r = by_id(run_checks(st, dc1))["spine1::bgp_session::10.1.0.9"]
    assert r.reason.startswith("peer 10.1.0.9 Active: remote AS mismatch (configured 65102, peer says 65199)")
    assert "Bad Peer AS" in r.reason


def test_missing_session_and_unexpected_peer(dc1: Fabric) -> None:
    st = converged(dc1)
    st.devices["leaf4"].bgp = [s for s in st.devices["leaf4"].bgp if s.peer != "10.1.0.26"]
    st.devices["leaf4"].bgp.append(BgpSession(peer="10.9.9.9", peer_as=65000, state="Active", local_as=65104))
    ids = by_id(run_checks(st, dc1))
    assert (
        ids["leaf4::bgp_session::10.1.0.26"].reason
        == "no BGP session to 10.1.0.26 configured (intent: spine2 AS 65100)"
    )
    assert ids["leaf4::bgp_peer::10.9.9.9"].status == "fail"
    assert "unexpected BGP peer 10.9.9.9" in ids["leaf4::bgp_peer::10.9.9.9"].reason
    # the far end sees no session towards leaf4 as the reason for its own failure
    st.devices["spine2"].bgp[3].state = "Active"
    r = by_id(run_checks(st, dc1))["spine2::bgp_session::10.1.0.27"]
    assert r.reason == "peer 10.1.0.27 Active: leaf4 has no BGP session configured towards us"


def test_lldp_miscabling_reason_uses_remote_naming(dc1: Fabric) -> None:
    st = converged(dc1)
    st.devices["leaf3"].lldp = [
        LldpNeighbor(local_port="eth1", remote_system="spine1", remote_port="eth3"),  # Linux naming: ok
        LldpNeighbor(local_port="eth2", remote_system="spine1.lab.local", remote_port="eth4"),
    ]
    ids = by_id(run_checks(st, dc1))
    assert ids["leaf3::lldp_neighbor::eth1"].status == "pass"
    r = ids["leaf3::lldp_neighbor::eth2"]
    assert r.status == "fail"
    assert r.reason == "leaf3 eth2: LLDP sees spine1 Ethernet4, cabling plan says spine2 Ethernet3"


def test_lldp_missing_and_unexpected(dc1: Fabric) -> None:
    st = converged(dc1)
    st.devices["spine2"].lldp = [n for n in st.devices["spine2"].lldp if n.local_port != "Ethernet4"]
    st.devices["spine2"].lldp.append(
        LldpNeighbor(local_port="Ethernet9", remote_system="rogue", remote_port="eth1")
    )
    ids = by_id(run_checks(st, dc1))
    assert (
        ids["spine2::lldp_neighbor::Ethernet4"].reason
        == "Ethernet4: no LLDP neighbor, cabling plan says leaf4 eth2"
    )
    assert (
        ids["spine2::unexpected_neighbor::lldp:Ethernet9"].reason
        == "unexpected LLDP neighbor rogue eth1 on Ethernet9"
    )


def test_mtu_and_address(dc1: Fabric) -> None:
    st = converged(dc1)
    st.devices["leaf2"].interfaces["Ethernet2"].mtu = 1500
    st.devices["leaf2"].interfaces["Ethernet2"].addresses = []
    r = by_id(run_checks(st, dc1))["leaf2::interface::Ethernet2"]
    assert r.reason == "Ethernet2 MTU 1500, intended 9214; Ethernet2 lacks 10.1.0.11/31 (has none)"


def test_prefix_bounds(dc1: Fabric) -> None:
    st = converged(dc1)
    st.devices["leaf1"].bgp[0].prefixes["ipv4-unicast"].accepted = 0
    ids = by_id(run_checks(st, dc1, settings=CheckSettings(min_prefixes=1, max_prefixes=2)))
    assert (
        ids["leaf1::bgp_prefixes::10.1.0.0"].reason
        == "peer 10.1.0.0 (spine1): 0 prefixes accepted, expected at least 1"
    )
    assert (
        ids["leaf1::bgp_prefixes::10.1.0.2"].reason
        == "peer 10.1.0.2 (spine2): 3 prefixes accepted, more than 2"
    )


def test_duplicate_router_id(dc1: Fabric) -> None:
    st = converged(dc1)
    st.devices["leaf4"].bgp_router_id = "10.255.0.35"
    ids = by_id(run_checks(st, dc1))
    assert ids["leaf4::router_id::10.255.0.36"].reason == "router-id 10.255.0.35 is also used by leaf3"
    assert ids["leaf3::router_id::10.255.0.35"].reason == "router-id 10.255.0.35 is also used by leaf4"


def test_unreachable_and_section_errors(dc1: Fabric) -> None:
    st = converged(dc1)
    st.devices["spine2"].error = "TimeoutError: connect to 172.20.21.12:443 timed out"
    st.devices["leaf3"].errors["bgp"] = "FRR is not running (vtysh: failed to connect to any daemons)"
    res = run_checks(st, dc1)
    sp2 = [r for r in res if r.device == "spine2"]
    assert sp2 and all(r.status == "error" for r in sp2)
    assert any("timed out" in r.reason for r in sp2)
    ids = by_id(res)
    assert ids["leaf3::bgp_session::10.1.0.16"].status == "error"
    # spine1's session to leaf3 explains itself from leaf3's state
    next(s for s in st.devices["spine1"].bgp if s.peer == "10.1.0.17").state = "Active"
    r = by_id(run_checks(st, dc1))["spine1::bgp_session::10.1.0.17"]
    assert r.reason == "peer 10.1.0.17 Active: BGP not running on leaf3"


def test_igp_checks() -> None:
    bb = load_fabric(ROOT / "inventory" / "backbone")
    st = converged(bb)
    res = run_checks(st, bb)
    assert summary(res)["fail"] == 0, [r for r in res if r.status == "fail"]
    name, dev = next((n, d) for n, d in bb.devices.items() if d.isis or d.ospf)
    proto = "isis" if dev.isis else "ospf"
    first = (dev.isis or dev.ospf).interfaces[0]  # type: ignore[union-attr]
    if proto == "isis":
        st.devices[name].isis[0].level = 1
        r = by_id(run_checks(st, bb))[f"{name}::isis_adjacency::{first}"]
        assert r.reason == f"IS-IS adjacency on {first} is Up at level ['1'], intent level 2"
        st.devices[name].isis = st.devices[name].isis[1:]
        r = by_id(run_checks(st, bb))[f"{name}::isis_adjacency::{first}"]
        assert r.status == "fail" and r.reason.startswith(f"no IS-IS adjacency on {first}")


def test_ospf_check_reasons() -> None:
    from fabric.validation.checks import CHECKS, Context

    chk = next(c for c in CHECKS if c.name == "ospf_neighbor")
    from fabric.model import DeviceIntent, InterfaceIntent, OspfIntent

    dev = DeviceIntent(
        hostname="r1",
        fabric="f",
        site="s",
        design="backbone",
        platform="frr",
        role="p",
        id=1,
        mgmt_ipv4="172.20.20.2/24",
        mgmt_gateway="172.20.20.1",
        loopback0="10.0.0.1/32",
        router_id="10.0.0.1",
        mtu=9214,
        domain="x",
        interfaces=[
            InterfaceIntent(name="eth1", port=1, ipv4="10.1.0.0/31", peer="r2", peer_interface="eth1")
        ],
        ospf=OspfIntent(router_id="10.0.0.1", interfaces=["eth1"], passive=["lo"]),
    )
    from fabric.state.model import DeviceState, InterfaceState

    st = DeviceState(
        host="r1",
        platform="frr",
        interfaces={"eth1": InterfaceState(name="eth1", admin_up=True, oper_up=True)},
        ospf=[OspfNeighbor(router_id="10.0.0.2", interface="eth1", state="ExStart")],
    )
    ctx = Context(fabric=None, state=FabricState(devices={"r1": st}))
    status, _, reason = chk.test(
        dev, st, "eth1", {"state": "Full", "router_id": None, "peer": "r2"}, None, ctx
    )
    assert status == "fail" and reason == "OSPF neighbor 10.0.0.2 on eth1 is ExStart, not Full"
