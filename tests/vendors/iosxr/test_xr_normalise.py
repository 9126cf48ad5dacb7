"""IOS-XR normalisers on REAL recorded NETCONF replies (NAPALM iosxr_netconf's mocked data, compared with
NAPALM's expected results), and the collector's filters against the real Cisco-IOS-XR model paths."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from fabric.vendors.iosxr import collector, normalise

REF = Path(__file__).resolve().parents[3] / ".." / "shared" / "reference" / "napalm-mocked" / "iosxr_netconf"

pytestmark = pytest.mark.skipif(not REF.is_dir(), reason="NAPALM's recorded iosxr_netconf replies missing")


def _xml(*parts: str) -> bytes:
    files = sorted(REF.joinpath(*parts).glob("*.xml"))
    assert len(files) == 1, files
    return files[0].read_bytes()


def _expected(*parts: str) -> Any:
    return json.loads(REF.joinpath(*parts, "expected_result.json").read_text())


def _cases(getter: str) -> list[str]:
    return sorted(p.name for p in REF.joinpath(getter).iterdir() if p.is_dir()) if REF.is_dir() else []


# ---- facts ------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", _cases("test_get_facts"))
def test_facts_real(case: str) -> None:
    reply = _xml("test_get_facts", case)
    got, want = normalise.facts(reply), _expected("test_get_facts", case)
    assert got.hostname == want["hostname"]
    assert got.vendor == want["vendor"] == "Cisco"
    assert got.model == want["model"]
    assert got.os_version == want["os_version"]  # the recording has "6.3.2\n": stripped, as NAPALM does
    assert got.serial == want["serial_number"]
    assert normalise.uptime(reply) == float(want["uptime"])


def test_facts_accept_str_element_and_ncclient_style_reply() -> None:
    raw = _xml("test_get_facts", "xrv9k")

    class Reply:  # what ncclient's GetReply / RPCReply offers: the reply text in .xml
        xml = raw.decode()

    for form in (raw, raw.decode(), etree.fromstring(raw), Reply()):
        assert normalise.facts(form).hostname == "pavarotti"


# ---- interfaces -------------------------------------------------------------------------------
def test_interfaces_real() -> None:
    reply = _xml("test_get_interfaces", "normal")
    got, want = normalise.interfaces(reply), _expected("test_get_interfaces", "normal")
    assert set(got) == set(want)
    for name, w in want.items():
        g = got[name]
        assert (g.admin_up, g.oper_up) == (w["is_enabled"], w["is_up"]), name
        assert (g.description or "") == w["description"], name
        assert g.mac == (w["mac_address"] or None), name
        # NAPALM reports XR's L2 mtu; state keeps the IP MTU (the intent's): without the IPv4 detail,
        # less the Ethernet header, and a dot1q tag on a sub-interface; loopback/Null0 have no L2 header
        if w["mac_address"]:
            assert g.mtu == w["mtu"] - 14 - (4 if "." in name else 0), name
        else:
            assert g.mtu == w["mtu"], name
    assert got["Bundle-Ether1"].mtu == got["Bundle-Ether1.10"].mtu == 1500
    assert not got["TenGigE0/0/0/0"].admin_up  # shut down in the recording
    assert got["Loopback0"].description == "PRIMARY ROUTER LOOPBACK"


def test_interfaces_ipv4_detail_wins_and_addresses() -> None:
    """The ipv4-io-oper detail (NAPALM's INT_IPV4_IPV6_RPC_REQ) carries the addresses and the IPv4 MTU;
    the reply below is that request's shape (the recordings have no get_interfaces_ip case)."""
    ip = """<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><data>
    <ipv4-network xmlns="http://cisco.com/ns/yang/Cisco-IOS-XR-ipv4-io-oper"><nodes><node>
     <node-name>0/RP0/CPU0</node-name><interface-data><vrfs><vrf><vrf-name>default</vrf-name><details>
      <detail><interface-name>TenGigE0/0/0/2</interface-name><primary-address>10.0.0.0</primary-address>
       <prefix-length>31</prefix-length><mtu>9000</mtu>
       <secondary-address><address>10.9.9.1</address><prefix-length>24</prefix-length></secondary-address>
      </detail>
     </details></vrf></vrfs></interface-data></node></nodes></ipv4-network>
    <ipv6-network xmlns="http://cisco.com/ns/yang/Cisco-IOS-XR-ipv6-ma-oper"><nodes><node>
     <interface-data><vrfs><vrf><vrf-name>default</vrf-name><global-details><global-detail>
      <interface-name>TenGigE0/0/0/2</interface-name>
      <address><address>fe80::1</address><prefix-length>64</prefix-length></address>
      <address><address>2001:db8::1</address><prefix-length>127</prefix-length></address>
     </global-detail></global-details></vrf></vrfs></interface-data></node></nodes></ipv6-network>
    </data></rpc-reply>"""
    got = normalise.interfaces(_xml("test_get_interfaces", "normal"), ip)
    te = got["TenGigE0/0/0/2"]
    assert te.addresses == ["10.0.0.0/31", "10.9.9.1/24", "2001:db8::1/127"]  # no link-local
    assert te.mtu == 9000  # the IPv4 MTU, not the L2 mtu less 14
    assert got["TenGigE0/0/0/3"].mtu == 1500 and got["TenGigE0/0/0/3"].addresses == []


def test_interface_gate_detail_real() -> None:
    oper, detail = normalise.interface_detail(_xml("test_get_interfaces", "normal"))
    want = _expected("test_get_interfaces", "normal")
    assert set(oper) == set(detail) == set(want)
    for name, w in want.items():
        assert oper[name] == w["is_up"], name
        # the gate compares XR's own `mtu` (what `interface ... mtu N` sets), as NAPALM reports it
        assert detail[name] == {"admin_up": w["is_enabled"], "mtu": w["mtu"]}, name


# ---- LLDP -------------------------------------------------------------------------------------
def test_lldp_real() -> None:
    got = normalise.lldp(_xml("test_get_lldp_neighbors", "normal"))
    want = _expected("test_get_lldp_neighbors", "normal")
    assert sorted((n.local_port, n.remote_system, n.remote_port) for n in got) == sorted(
        (local, e["hostname"], e["port"]) for local, nbrs in want.items() for e in nbrs
    )
    r312 = next(n for n in got if n.remote_system == "r312")
    assert r312.remote_port_description == "CONNECTS TO 304 Te0/0/0/8"
    assert r312.remote_chassis_id == "00:8A:96:42:B0:DF"  # XR's 008a.9642.b0df in NAPALM's MAC form


# ---- BGP --------------------------------------------------------------------------------------
def test_bgp_real() -> None:
    sessions, rid = normalise.bgp(_xml("test_get_bgp_neighbors", "normal"))
    want = _expected("test_get_bgp_neighbors", "normal")
    assert rid == want["global"]["router_id"] == "172.16.255.2"
    got = {(s.vrf, s.peer): s for s in sessions}
    expect = {("default" if v == "global" else v, peer): p
              for v, d in want.items() for peer, p in d["peers"].items()}
    assert set(got) == set(expect)
    for key, w in expect.items():
        s = got[key]
        assert s.established == w["is_up"], key
        assert (s.local_as, s.peer_as, s.enabled) == (w["local_as"], w["remote_as"], w["is_enabled"]), key
        assert (s.description or "") == w["description"], key
        assert (s.peer_router_id or "0.0.0.0") == w["remote_id"], key
        assert s.uptime == (float(w["uptime"]) if w["is_up"] else None), key
        (afi, counts), = w["address_family"].items()
        pc = s.prefixes[f"{afi}-unicast"]
        assert (pc.received, pc.accepted, pc.sent) == (
            counts["received_prefixes"], counts["accepted_prefixes"], counts["sent_prefixes"]), key


def test_bgp_fsm_state_and_last_error_real() -> None:
    """What NAPALM reduces to is_up: the FSM state and the NOTIFICATION history XR keeps per neighbor."""
    got = {s.key: s for s in normalise.bgp(_xml("test_get_bgp_neighbors", "normal"))[0]}
    assert got["192.168.0.3"].state == "Idle"
    assert got["private:10.0.0.0"].state == "Active"
    assert got["172.16.255.3"].state == "Established"
    assert got["172.16.255.3"].local_address == "172.16.255.2"
    assert got["172.16.255.3"].last_error == "notification sent: 6/6 (Cease/Other Configuration Change)"
    assert got["192.168.0.3"].local_address is None  # 0.0.0.0 while not connected


def test_bgp_gate_peers_real() -> None:
    sessions, _ = normalise.bgp(_xml("test_get_bgp_neighbors", "normal"))
    peers = normalise.bgp_peers(sessions)
    assert peers["172.16.255.3"] == {"up": True, "remote_as": 65172, "uptime": 8023.0}
    assert peers["192.168.0.3"] == {"up": False, "remote_as": 65000, "uptime": None}
    assert peers["10.0.0.0"]["up"] is False  # a VRF peer is reported too (no clash with a default one)


@pytest.mark.parametrize("state,name", [("bgp-st-estab", "Established"), ("bgp-st-open-sent", "OpenSent"),
                                        ("bgp-st-open-confirm", "OpenConfirm"),
                                        ("bgp-st-connect", "Connect")])
def test_bgp_state_names(state: str, name: str) -> None:
    assert normalise.bgp_state(state) == name


# ---- filters against the Cisco-IOS-XR models --------------------------------------------------
def _tags(xml: str) -> list[str]:
    return [etree.QName(e).localname for e in etree.fromstring(xml).iter() if isinstance(e.tag, str)]


def test_filters_are_well_formed_subtrees_of_the_models() -> None:
    """The paths of the Cisco-IOS-XR YANG models (YangModels/yang vendor/cisco/xr/2411): a typo in a
    container name makes a device answer an rpc-error (or nothing)."""
    isis = etree.fromstring(collector.ISIS_ADJ_FILTER)
    assert etree.QName(isis).namespace == "http://cisco.com/ns/yang/Cisco-IOS-XR-clns-isis-oper"
    assert _tags(collector.ISIS_ADJ_FILTER) == [
        "isis", "instances", "instance", "instance-name", "host-names", "neighbors", "levels", "level",
        "level", "adjacencies"]
    ospf = etree.fromstring(collector.OSPF_NBR_FILTER)
    assert etree.QName(ospf).namespace == "http://cisco.com/ns/yang/Cisco-IOS-XR-ipv4-ospf-oper"
    assert _tags(collector.OSPF_NBR_FILTER)[:10] == [
        "ospf", "processes", "process", "process-name", "default-vrf", "process-information",
        "process-summary", "router-id", "adjacency-information", "neighbor-details"]
    rib = etree.fromstring(collector.RIB_SUMMARY_FILTER)
    assert etree.QName(rib).namespace == "http://cisco.com/ns/yang/Cisco-IOS-XR-ip-rib-ipv4-oper"
    keys = {etree.QName(e).localname: e.text for e in rib.iter() if e.text and e.text.strip()}
    assert keys == {"vrf-name": "default", "af-name": "IPv4", "saf-name": "Unicast",
                    "route-table-name": "default"}
    protos = rib.find(".//{*}protocol")
    assert protos is not None
    assert {etree.QName(p).localname: etree.QName(p[0]).localname for p in protos} == {
        "connected": "non-as", "local": "non-as", "static": "non-as", "bgp": "as", "isis": "as", "ospf": "as"}
    assert all(etree.QName(p[0][0]).localname == "information" for p in protos)


# ---- gate facts: the connection contract --------------------------------------------------------
def test_gate_facts_unreachable_is_a_driver_error_marked_unreachable() -> None:
    """ncclient against a closed port: DriverError(unreachable=True), without the password in it."""
    import socket

    from fabric.rollout.drivers import DriverError, Target

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]  # nothing listens once the socket is closed
    t = Target("xr9", "127.0.0.1", "iosxr", "clab", "s3cr3t-pw")
    with pytest.raises(DriverError) as e:
        collector.gate_facts(t, port=closed)
    assert e.value.unreachable
    assert "NETCONF connect failed" in str(e.value) and "s3cr3t-pw" not in str(e.value)
