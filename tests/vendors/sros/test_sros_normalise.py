"""SR OS normalisers on REAL recorded NETCONF replies (napalm-sros's mocked data, SR OS 19.10/22.x, compared
with its expected results), and on IS-IS / OSPF / route-table replies written from the nokia-state 24.10 YANG
(nokia/7x50_YangModels latest_sros_24.10: nokia-state-router-isis.yang, -ospf.yang, -router.yang): no
recording of those exists, so their shape follows the model's paths and enumerations."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from fabric.vendors.sros import collector, normalise

REF = Path(__file__).resolve().parents[3] / ".." / "shared" / "reference" / "napalm-mocked-community" / "sros"

recorded = pytest.mark.skipif(not REF.is_dir(), reason="napalm-sros's recorded replies missing")


def _xml(getter: str) -> bytes:
    files = sorted(REF.joinpath(getter, "normal").glob("*.xml"))
    assert len(files) == 1, files
    return files[0].read_bytes()


def _expected(getter: str) -> Any:
    return json.loads(REF.joinpath(getter, "normal", "expected_result.json").read_text())


# ---- facts ------------------------------------------------------------------------------------
@recorded
def test_facts_real() -> None:
    reply, want = _xml("test_get_facts"), _expected("test_get_facts")
    got = normalise.facts(reply)
    assert got.hostname == want["hostname"] == "nokia01.sfo07"
    assert got.vendor == want["vendor"] == "Nokia"
    assert got.model == want["model"] == "7750 SR-1s"
    assert got.os_version == want["os_version"] == "B-19.10.R4"
    assert got.serial == want["serial_number"] == "NS1921F1814"
    assert normalise.uptime(reply) == pytest.approx(want["uptime"])  # up-time is in milliseconds


@recorded
def test_facts_accept_str_element_and_ncclient_style_reply() -> None:
    raw = _xml("test_get_facts")

    class Reply:  # ncclient's GetReply: the reply text in .xml
        xml = raw.decode()

    for form in (raw, raw.decode(), etree.fromstring(raw), Reply()):
        assert normalise.facts(form).hostname == "nokia01.sfo07"


# ---- interfaces -------------------------------------------------------------------------------
@recorded
def test_interfaces_real() -> None:
    want = _expected("test_get_interfaces")
    got = normalise.interfaces(_xml("test_get_interfaces"), _xml("test_get_interfaces_ip"))
    port, system = got["esat-1/1/1"], got["system"]
    assert port.admin_up is want["esat-1/1/1"]["is_enabled"] is True
    assert port.oper_up is want["esat-1/1/1"]["is_up"] is True
    assert port.mac == want["esat-1/1/1"]["mac_address"].upper()
    assert port.description == want["esat-1/1/1"]["description"]
    # the model's MTU is the IP MTU: SR OS's port MTU (9208, what NAPALM reports) less the Ethernet header
    assert want["esat-1/1/1"]["mtu"] == 9208 and port.mtu == 9208 - 14
    assert system.admin_up and system.oper_up
    assert system.mtu == want["system"]["mtu"] == 1500  # oper-ip-mtu
    assert system.mac == want["system"]["mac_address"].upper()  # no port: the chassis base MAC, as NAPALM
    # addresses come from the router Base interfaces of get_interfaces_ip (the VPRN's to_Network is no
    # fabric interface); no state for vlan901 in that reply: oper down
    ips = _expected("test_get_interfaces_ip")
    assert system.addresses == [f"{a}/{v['prefix_length']}" for a, v in ips["system"]["ipv4"].items()]
    assert got["vlan901"].addresses == ["2400:cb00:133:900::1/64"]
    assert "to_Network" not in got
    oper, detail = normalise.interface_detail(_xml("test_get_interfaces"))
    assert oper == {"esat-1/1/1": True, "system": True}
    assert detail["system"] == {"admin_up": True, "mtu": 1500}


_PORTED = b"""<data xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">
<configure xmlns="urn:nokia.com:sros:ns:yang:sr:conf">
  <port><port-id>1/1/c1/1</port-id><admin-state>enable</admin-state><description>to p2</description>
    <ethernet><mtu>9014</mtu></ethernet></port>
  <port><port-id>1/1/c2/1</port-id><admin-state>enable</admin-state><ethernet><mtu>9014</mtu></ethernet></port>
  <port><port-id>1/1/c3/1</port-id></port>
  <router><router-name>Base</router-name>
    <interface><interface-name>to-p2</interface-name><port>1/1/c1/1</port><ip-mtu>9000</ip-mtu>
      <ipv4><primary><address>10.2.0.0</address><prefix-length>31</prefix-length></primary>
        <secondary><address>10.9.0.0</address><prefix-length>31</prefix-length></secondary></ipv4>
      <ipv6><address><ipv6-address>fe80::1</ipv6-address><prefix-length>64</prefix-length></address>
        <address><ipv6-address>2001:db8::1</ipv6-address><prefix-length>127</prefix-length></address></ipv6>
    </interface>
    <interface><interface-name>to-rr1</interface-name><admin-state>disable</admin-state><port>1/1/c2/1</port>
    </interface>
  </router>
  <router><router-name>management</router-name>
    <interface><interface-name>management</interface-name></interface></router>
</configure>
<state xmlns="urn:nokia.com:sros:ns:yang:sr:state">
  <port><port-id>1/1/c1/1</port-id><oper-state>up</oper-state>
    <hardware-mac-address>0c:00:aa:bb:cc:01</hardware-mac-address></port>
  <port><port-id>1/1/c2/1</port-id><oper-state>up</oper-state></port>
  <port><port-id>1/1/c3/1</port-id><oper-state>down</oper-state></port>
  <router><router-name>Base</router-name>
    <interface><interface-name>to-p2</interface-name><oper-state>up</oper-state><oper-ip-mtu>9000</oper-ip-mtu>
    </interface>
    <interface><interface-name>to-rr1</interface-name><oper-state>down</oper-state></interface>
  </router>
</state></data>"""


def test_router_interface_is_reported_under_its_port() -> None:
    """Our golden configs: a router interface per port; the intent names the port (1/1/cN/1)."""
    got = normalise.interfaces(_PORTED)
    assert set(got) == {"1/1/c1/1", "1/1/c2/1", "1/1/c3/1"}  # router "management" is not the fabric
    p1 = got["1/1/c1/1"]
    assert (p1.admin_up, p1.oper_up, p1.mtu, p1.description) == (True, True, 9000, "to p2")
    assert p1.addresses == ["10.2.0.0/31", "10.9.0.0/31", "2001:db8::1/127"]  # no link-local
    assert p1.mac == "0C:00:AA:BB:CC:01"
    assert not got["1/1/c2/1"].admin_up and not got["1/1/c2/1"].oper_up  # its interface is disabled
    assert got["1/1/c2/1"].mtu == 9000  # no ip-mtu: port MTU - 14
    assert not got["1/1/c3/1"].admin_up  # no admin-state: SR OS's port default is disable
    assert normalise.router_ports(_PORTED) == {"to-p2": "1/1/c1/1", "to-rr1": "1/1/c2/1"}


# ---- LLDP -------------------------------------------------------------------------------------
@recorded
@pytest.mark.parametrize("getter", ["test_get_lldp_neighbors", "test_get_lldp_neighbors_detail"])
def test_lldp_real(getter: str) -> None:
    got = normalise.lldp(_xml(getter))
    want = _expected("test_get_lldp_neighbors")
    assert [(n.local_port, n.remote_system) for n in got] == [
        (port, e["hostname"]) for port, entries in want.items() for e in entries]
    n = got[0]
    # the port id is an ifIndex (35700737); SR OS's default port description names the port first
    assert want["1/1/c1/1"][0]["port"] == "35700737"
    assert n.remote_port == "1/1/c1/1"
    assert n.remote_port_description == "1/1/c1/1, 100-Gig Ethernet"
    assert n.remote_chassis_id == "D0:99:D5:D8:50:41"


# ---- BGP --------------------------------------------------------------------------------------
@recorded
def test_bgp_real() -> None:
    reply, want = _xml("test_get_bgp_neighbors"), _expected("test_get_bgp_neighbors")
    base = normalise._when("2022-10-12T01:07:50.6Z")  # noqa: SLF001
    assert base is not None
    sessions, rid = normalise.bgp(reply, now=base + timedelta(seconds=4036))
    assert rid == want["global"]["router_id"] == "10.0.0.2"
    by = {s.key: s for s in sessions}
    assert set(by) == set(want["global"]["peers"]) | {f"test:{p}" for p in want["test"]["peers"]}
    for key, s in by.items():
        vrf, peer = ("global", key) if s.vrf == "default" else (s.vrf, s.peer)
        w = want[vrf]["peers"][peer]
        assert s.established is w["is_up"] is True
        assert s.enabled is w["is_enabled"]
        assert (s.local_as, s.peer_as) == (w["local_as"], w["remote_as"]) == (12552, 13414)
        assert s.peer_router_id == w["remote_id"]
        assert s.description == w["description"] == "Twitter"
        for fam, counts in w["address_family"].items():
            got = s.prefixes[f"{fam}-unicast"]
            assert (got.received, got.accepted, got.sent) == (
                counts["received_prefixes"], counts["accepted_prefixes"], counts["sent_prefixes"])
    assert by["80.81.192.10"].uptime == pytest.approx(4036)
    assert normalise.bgp_peers(sessions)["80.81.192.10"] == {"up": True, "remote_as": 13414,
                                                              "uptime": pytest.approx(4036)}


@recorded
def test_bgp_detail_real() -> None:
    """The detail reply: local address from operational-local-address; rejected counts give accepted."""
    sessions, _ = normalise.bgp(_xml("test_get_bgp_neighbors_detail"))
    want = _expected("test_get_bgp_neighbors_detail")["global"]["13414"]
    by = {s.peer: s for s in sessions}
    for w in want:
        s = by[w["remote_address"]]
        assert s.local_address == w["local_address"]
        assert s.state == w["connection_state"] == "Established"
        # NAPALM's detail sums the families
        assert sum(p.accepted or 0 for p in s.prefixes.values()) == w["accepted_prefix_count"]
        assert sum(p.received or 0 for p in s.prefixes.values()) == w["received_prefix_count"]
        assert sum(p.sent or 0 for p in s.prefixes.values()) == w["advertised_prefix_count"]
    assert by["10.1.0.2"].vrf == "test" and by["10.1.0.2"].local_address == "10.1.0.1"


def test_bgp_down_peer_group_inheritance() -> None:
    reply = b"""<data xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">
<configure xmlns="urn:nokia.com:sros:ns:yang:sr:conf"><router><router-name>Base</router-name>
  <autonomous-system>65001</autonomous-system>
  <bgp><group><group-name>ebgp</group-name><peer-as>65002</peer-as><description>spines</description>
    <admin-state>disable</admin-state></group>
    <neighbor><ip-address>10.0.0.1</ip-address><group>ebgp</group></neighbor></bgp></router></configure>
<state xmlns="urn:nokia.com:sros:ns:yang:sr:state"><router><router-name>Base</router-name>
  <oper-router-id>10.255.0.1</oper-router-id>
  <bgp><neighbor><ip-address>10.0.0.1</ip-address><statistics><session-state>Active</session-state>
    <last-error>Hold Timer Expired</last-error><peer-as>0</peer-as>
    <operational-local-address>0.0.0.0</operational-local-address>
    <family-prefix><ipv4><received>10</received><active>2</active><rejected>3</rejected><sent>1</sent></ipv4>
    </family-prefix></statistics></neighbor></bgp></router></state></data>"""
    (s,), rid = normalise.bgp(reply)
    assert rid == "10.255.0.1"
    assert (s.state, s.established, s.enabled) == ("Active", False, False)  # the group is disabled
    assert (s.local_as, s.peer_as, s.description) == (65001, 65002, "spines")  # from the group / router
    assert s.local_address is None and s.uptime is None
    assert s.last_error == "Hold Timer Expired"
    assert s.prefixes["ipv4-unicast"].accepted == 7  # received - rejected, not active


# ---- IS-IS / OSPF / routes: shapes from the nokia-state 24.10 YANG (no recording exists) -----------
_IGP = b"""<data xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">
<configure xmlns="urn:nokia.com:sros:ns:yang:sr:conf"><router><router-name>Base</router-name>
  <interface><interface-name>to-p2</interface-name><port>1/1/c1/1</port></interface>
  <interface><interface-name>to-rr1</interface-name><port>1/1/c2/1</port></interface>
</router></configure>
<state xmlns="urn:nokia.com:sros:ns:yang:sr:state"><router><router-name>Base</router-name>
  <isis><isis-instance>0</isis-instance>
    <interface><interface-name>to-p2</interface-name>
      <adjacency><adjacency-index>1</adjacency-index><oper-state>up</oper-state><usage>level2</usage>
        <level>level1-l2</level><neighbor><system-id>0102.5400.0002</system-id></neighbor></adjacency>
    </interface>
    <interface><interface-name>to-rr1</interface-name>
      <adjacency><adjacency-index>2</adjacency-index><oper-state>initializing</oper-state>
        <usage>level1and2</usage><neighbor><system-id>0102.5400.0009</system-id></neighbor></adjacency>
    </interface>
    <interface><interface-name>system</interface-name></interface>
    <hostname><system-id>0102.5400.0002</system-id><host-name>p2</host-name></hostname>
  </isis>
  <ospf><ospf-instance>0</ospf-instance><oper-router-id>10.254.0.3</oper-router-id>
    <area><area-id>0.0.0.0</area-id>
      <interface><interface-name>to-p2</interface-name>
        <neighbor-state><router-id>10.254.0.2</router-id><address>10.2.0.1</address><oper-state>full</oper-state>
        </neighbor-state></interface>
      <interface><interface-name>to-rr1</interface-name>
        <neighbor-state><router-id>10.254.0.9</router-id><address>10.2.0.3</address>
          <oper-state>exchange-start</oper-state></neighbor-state></interface>
    </area></ospf>
  <route-table><unicast><ipv4><statistics>
    <direct><active-routes>5</active-routes><available-routes>5</available-routes></direct>
    <isis><active-routes>7</active-routes><available-routes>7</available-routes></isis>
    <isis-lfa><active-routes>4</active-routes></isis-lfa>
    <bgp><active-routes>2</active-routes><available-routes>3</available-routes></bgp>
    <bgp-backup><active-routes>1</active-routes></bgp-backup>
  </statistics></ipv4></unicast></route-table>
</router></state></data>"""


def test_isis_adjacencies() -> None:
    a, b = normalise.isis(_IGP)
    assert (a.interface, a.level, a.state, a.system_id, a.hostname, a.instance) == (
        "1/1/c1/1", 2, "Up", "0102.5400.0002", "p2", "0")  # level from usage, the port's name
    assert (b.interface, b.level, b.state, b.hostname) == ("1/1/c2/1", "1-2", "Init", None)
    assert normalise.isis_counts(_IGP) == {"up": 1, "total": 2}
    assert normalise.isis_counts(_PORTED) is None  # no IS-IS instance


def test_ospf_neighbors() -> None:
    nbrs, rid = normalise.ospf(_IGP)
    assert rid == "10.254.0.3"
    assert [(n.interface, n.router_id, n.address, n.state, n.area) for n in nbrs] == [
        ("1/1/c1/1", "10.254.0.2", "10.2.0.1", "Full", "0.0.0.0"),
        ("1/1/c2/1", "10.254.0.9", "10.2.0.3", "ExStart", "0.0.0.0")]
    assert normalise.ospf_counts(_IGP) == {"up": 1, "total": 2}
    assert normalise.ospf_counts(_PORTED) is None


def test_route_count_skips_backup_counters() -> None:
    assert normalise.route_count(_IGP) == 5 + 7 + 2


# ---- the collector's filters ----------------------------------------------------------------------
@pytest.mark.parametrize("name", ["FACTS", "INTERFACES", "LLDP", "BGP", "ISIS", "OSPF", "ROUTES"])
def test_filters_are_nokia_subtrees(name: str) -> None:
    from ncclient.operations.util import build_filter

    roots = getattr(collector, name)
    flt = build_filter(("subtree", roots[0]) if len(roots) == 1 else roots)
    assert flt.get("type") == "subtree"
    assert {etree.QName(c).namespace for c in flt} <= {collector.STATE_NS, collector.CONF_NS}
    for c in flt:  # router "Base" only, chosen by a content-match node
        for r in c.iter(f"{{{etree.QName(c).namespace}}}router"):
            assert r[0].text == "Base"


# ---- the collector's filters and normalisers on the twin's NETCONF server -------------------------------
@pytest.fixture
def state_bed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The twin served on 127.0.0.1 with the live sources answering FRR/kernel/lldpd JSON captured from a
    real FRR pair (the state tests' fixtures: eth1/eth2 are 1/1/c1/1 and 1/1/c2/1)."""
    from fabric.vendors.sros.twin import state

    from . import test_sros_state as captured
    from .conftest import serve_bed

    async def frr_json(_twin: Any, cmd: str) -> Any:
        return captured.FRR[cmd]()

    async def frr_text(_twin: Any, cmd: str) -> str:
        return captured.ISIS_HOSTS

    async def ip_json(_twin: Any, *args: str) -> Any:
        return captured.links()

    async def lldp_json(_twin: Any) -> Any:
        return captured.fx("frr_a_lldp_neighbors.json")

    for name, fn in (("_frr_json", frr_json), ("_frr_text", frr_text), ("_ip_json", ip_json),
                     ("_lldp_json", lldp_json)):
        monkeypatch.setattr(state, name, fn)
    with serve_bed(tmp_path, captured.CONF) as b:
        yield b


def test_collector_filters_and_gate_facts_on_the_twin(state_bed: Any) -> None:
    from fabric.rollout.drivers import Target

    m = state_bed.ncclient()
    try:
        got = {name: collector.get_xml(m, getattr(collector, name))
               for name in ("FACTS", "INTERFACES", "LLDP", "BGP", "ISIS", "OSPF", "ROUTES")}
    finally:
        m.close_session()
    assert normalise.facts(got["FACTS"]).model == "7750 SR-1"
    itfs = normalise.interfaces(got["INTERFACES"])
    p1, p2, system = itfs["1/1/c1/1"], itfs["1/1/c2/1"], itfs["system"]
    assert (p1.admin_up, p1.oper_up, p1.mtu, p1.addresses) == (True, True, 9200, ["10.1.0.1/31"])
    assert (p2.mtu, p2.addresses) == (9000, ["10.1.0.3/31"])  # ip-mtu
    assert system.addresses == ["10.255.0.1/32"] and "to-b-1" not in itfs
    (n1, *_) = normalise.lldp(got["LLDP"])
    assert (n1.local_port, n1.remote_system, n1.remote_port) == ("1/1/c1/1", "vm", "eth1")
    sessions, rid = normalise.bgp(got["BGP"])
    by = {s.peer: s for s in sessions}
    assert rid == "10.255.0.1"
    assert by["10.1.0.0"].established and by["10.1.0.0"].peer_as == 65100
    assert by["10.1.0.0"].description == "peer b" and by["10.1.0.0"].local_as == 65101
    assert by["10.1.0.2"].state == "Idle" and not by["10.1.0.2"].enabled
    adj = normalise.isis(got["ISIS"])
    assert [(a.interface, a.level, a.state, a.hostname) for a in adj][0] == ("1/1/c1/1", 2, "Up", "vm")
    nbrs, _ = normalise.ospf(got["OSPF"])
    assert ("1/1/c2/1", "10.255.0.2", "Full") in [(n.interface, n.router_id, n.state) for n in nbrs]
    assert normalise.route_count(got["ROUTES"]) > 0
    b = state_bed
    facts = collector.gate_facts(Target("sr1", "127.0.0.1", "sros", b.user, b.password, port=b.port))
    assert facts["bgp"]["10.1.0.0"] is True and facts["bgp"]["10.1.0.2"] is False
    assert facts["interfaces"]["1/1/c1/1"] is True
    assert facts["interface_detail"]["1/1/c2/1"] == {"admin_up": True, "mtu": 9000}
    assert facts["isis"]["up"] >= 1 and facts["ospf"]["up"] >= 1
    assert facts["routes"] == normalise.route_count(got["ROUTES"])


def test_collector_over_napalm_sros_on_the_twin(state_bed: Any) -> None:
    """SrosCollector as Nornir runs it: its requests over the NAPALM sros connection's ncclient session."""
    from fabric.state.collect import CollectOptions
    from fabric.state.model import DeviceState

    drv = state_bed.napalm()

    class Host:  # what the collector reads of a Nornir host
        name, password, data = "sr1", state_bed.password, {"platform": "sros"}

        def get_connection(self, kind: str, config: Any) -> Any:
            assert kind == "napalm"
            return drv

    st = DeviceState(host="sr1", platform="sros")
    try:
        collector.SrosCollector(Host(), None, CollectOptions()).collect(st)
    finally:
        drv.close()
    assert st.errors == {}
    assert st.facts.hostname == "sr1" and st.bgp_router_id == "10.255.0.1"
    assert st.interfaces["1/1/c1/1"].addresses == ["10.1.0.1/31"]
    assert [n.local_port for n in st.lldp][:1] == ["1/1/c1/1"]
    assert {s.peer for s in st.bgp} == {"10.1.0.0", "10.1.0.2", "10.9.9.9"}
    assert st.isis and st.ospf and st.ospf_router_id == "10.255.0.1"
