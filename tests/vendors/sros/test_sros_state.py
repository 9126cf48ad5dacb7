"""The SR OS twin's operational state (twin/state.py) built from FRR, kernel and lldpd JSON captured from a
real FRR pair (tests/state/fixtures, node "a": eth1/eth2 are SR OS ports 1/1/c1/1 and 1/1/c2/1):

- the ``<state>`` reply, cut by napalm-sros' own subtree filters, has the element paths and sibling order of
  the recorded replies of real SR OS routers (napalm-mocked-community/sros) and nothing they do not have;
- napalm-sros (the real driver, over the twin's real NETCONF server) reads it into the values put in;
- IS-IS adjacencies, OSPF neighbours and route-table statistics use the nokia-state 24.10 YANG names;
- the ``show`` commands' text parses with ntc-templates' alcatel_sros templates where one exists.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from fabric.twins.netconf import subtree
from fabric.vendors.sros.config import ConfigError, parse_flat
from fabric.vendors.sros.twin import state

from .conftest import ROOT, serve_bed

FX = ROOT / "tests" / "state" / "fixtures"
XR_DATA = ROOT / "tests" / "vendors" / "iosxr" / "data"
REF = ROOT.parent / "shared" / "reference" / "napalm-mocked-community" / "sros"
if not REF.is_dir():
    REF = Path("/work/shared/reference/napalm-mocked-community/sros")
NS = state.NS

CONF = """\
/configure system name "sr1"
/configure system contact "netops"
/configure system location "lab"
/configure system management-interface configuration-mode model-driven
/configure system management-interface netconf admin-state enable
/configure system lldp admin-state enable
/configure port 1/1/c1 admin-state enable
/configure port 1/1/c1 connector breakout c1-100g
/configure port 1/1/c1/1 admin-state enable
/configure port 1/1/c1/1 description "to b eth1"
/configure port 1/1/c1/1 ethernet mode network
/configure port 1/1/c1/1 ethernet mtu 9214
/configure port 1/1/c2 admin-state enable
/configure port 1/1/c2 connector breakout c1-100g
/configure port 1/1/c2/1 admin-state enable
/configure port 1/1/c2/1 ethernet mtu 9214
/configure router "Base" autonomous-system 65101
/configure router "Base" router-id 10.255.0.1
/configure router "Base" interface "system" ipv4 primary address 10.255.0.1
/configure router "Base" interface "system" ipv4 primary prefix-length 32
/configure router "Base" interface "to-b-1" description "to b eth1"
/configure router "Base" interface "to-b-1" port 1/1/c1/1
/configure router "Base" interface "to-b-1" ipv4 primary address 10.1.0.1
/configure router "Base" interface "to-b-1" ipv4 primary prefix-length 31
/configure router "Base" interface "to-b-2" port 1/1/c2/1
/configure router "Base" interface "to-b-2" ip-mtu 9000
/configure router "Base" interface "to-b-2" ipv4 primary address 10.1.0.3
/configure router "Base" interface "to-b-2" ipv4 primary prefix-length 31
/configure router "Base" isis 0 admin-state enable
/configure router "Base" isis 0 area-address [49.0001]
/configure router "Base" isis 0 level-capability 2
/configure router "Base" isis 0 interface "system" passive true
/configure router "Base" isis 0 interface "to-b-1" interface-type point-to-point
/configure router "Base" isis 0 interface "to-b-2" interface-type point-to-point
/configure router "Base" ospf 0 admin-state enable
/configure router "Base" ospf 0 area 0.0.0.0 interface "to-b-1" interface-type point-to-point
/configure router "Base" ospf 0 area 0.0.0.0 interface "to-b-2" interface-type point-to-point
/configure router "Base" bgp group "ebgp" peer-as 65100
/configure router "Base" bgp group "ebgp" import policy ["PASS"]
/configure router "Base" bgp group "ebgp" export policy ["PASS"]
/configure router "Base" bgp neighbor "10.1.0.0" group "ebgp"
/configure router "Base" bgp neighbor "10.1.0.0" description "peer b"
/configure router "Base" bgp neighbor "10.1.0.0" peer-as 65100
/configure router "Base" bgp neighbor "10.1.0.2" group "ebgp"
/configure router "Base" bgp neighbor "10.1.0.2" admin-state disable
/configure router "Base" bgp neighbor "10.9.9.9" group "ebgp"
"""
ISIS_HOSTS = ("vrf     : default\nLevel  System ID      Dynamic Hostname\n2      0102.5500.0002 vm\n"
              "     * 0102.5500.0001 sr1\n")
ROUTES = {
    "10.1.0.0/31": [{"protocol": "connected", "selected": True, "metric": 0, "uptime": "01:02:03",
                     "nexthops": [{"active": True, "directlyConnected": True, "interfaceName": "eth1"}]}],
    "10.255.0.2/32": [{"protocol": "ospf", "selected": False, "metric": 10, "uptime": "00:10:00",
                       "nexthops": [{"active": True, "ip": "10.1.0.0", "interfaceName": "eth1"}]},
                      {"protocol": "isis", "selected": True, "metric": 10, "uptime": "1d02h03m",
                       "nexthops": [{"active": True, "ip": "10.1.0.0", "interfaceName": "eth1"}]}],
}


def fx(name: str) -> Any:
    return json.loads((FX / name).read_text())


def links() -> list[dict[str, Any]]:
    """``ip -j -s addr show``: the captured addresses with counters a real link reports."""
    out = []
    for lk in fx("frr_a_ip_addr.json"):
        lk["stats64"] = {"rx": {"bytes": 48049, "packets": 443, "errors": 0, "dropped": 6, "multicast": 125},
                         "tx": {"bytes": 50229, "packets": 458, "errors": 0, "dropped": 0}}
        out.append(lk)
    return out


FRR = {
    "show bgp neighbors json": lambda: fx("frr_a_show_bgp_vrf_all_neighbors.json"),
    "show isis neighbor json": lambda: fx("frr_a_show_isis_neighbor.json"),
    "show ip ospf neighbor json": lambda: fx("frr_a_show_ip_ospf_neighbor.json"),
    "show ip route summary json": lambda: json.loads((XR_DATA / "frr_route_summary.json").read_text()),
    "show ip route json": lambda: ROUTES,
}


@pytest.fixture(autouse=True)
def sources(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The live sources answer the captures; the list records what was asked."""
    asked: list[str] = []

    async def frr_json(_twin: Any, cmd: str) -> Any:
        asked.append(cmd)
        return FRR[cmd]()

    async def frr_text(_twin: Any, cmd: str) -> str:
        asked.append(cmd)
        return ISIS_HOSTS

    async def ip_json(_twin: Any, *args: str) -> Any:
        asked.append("ip " + " ".join(args))
        return links()

    async def lldp_json(_twin: Any) -> Any:
        asked.append("lldp")
        return fx("frr_a_lldp_neighbors.json")

    monkeypatch.setattr(state, "_frr_json", frr_json)
    monkeypatch.setattr(state, "_frr_text", frr_text)
    monkeypatch.setattr(state, "_ip_json", ip_json)
    monkeypatch.setattr(state, "_lldp_json", lldp_json)
    return asked


class FakeTwin:
    """The attributes state.py reads of SrosTwin."""

    name = "sr1"
    hostname = "sr1"
    kind = "nokia_sros"
    version = "B-24.10.R1"
    chassis = "7750 SR-1"
    serial = "NS1234ABCDE"

    def __init__(self) -> None:
        self.boot_time = time.time() - 3 * 86400 - 3723
        self.db = type("Db", (), {"running": parse_flat(CONF)})()


@pytest.fixture
def twin() -> FakeTwin:
    return FakeTwin()


def state_el(twin: Any) -> Any:
    return asyncio.run(state.state_xml(twin))


def q(el: Any, path: str) -> list[Any]:
    return el.xpath(path, namespaces={"s": NS})


def t(el: Any, path: str) -> str:
    hits = q(el, path)
    assert hits, path
    return str(hits[0].text)


# ---- shape against the recorded replies (napalm-sros' own filters) -------------------------------------
def _state_filter(flt: str) -> Any:
    root = etree.fromstring(flt.encode())
    return next(c for c in root if isinstance(c.tag, str) and etree.QName(c).localname == "state")


def _paths(el: Any, prefix: str = "") -> list[str]:
    out = []
    for c in el:
        if isinstance(c.tag, str):
            p = f"{prefix}/{etree.QName(c).localname}"
            out += [p, *_paths(c, p)]
    return out


def _order(el: Any) -> dict[str, list[str]]:
    """parent path -> child names in the order the reply has them (optional siblings slotted in)."""
    order: dict[str, list[str]] = {}
    for e in el.iter():
        if not isinstance(e.tag, str):
            continue
        kids = order.setdefault(_path(e), [])
        prev = -1
        for c in e:
            if not isinstance(c.tag, str):
                continue
            n = etree.QName(c).localname
            if n not in kids:
                kids.insert(prev + 1, n)
            prev = kids.index(n)
    return order


def _path(e: Any) -> str:
    return "/".join(etree.QName(a).localname for a in [*reversed(list(e.iterancestors())), e])


def _napalm_filters() -> dict[str, str]:
    import importlib

    from napalm_sros import nc_filters as F

    # napalm_sros.api re-exports the getters under the modules' names: the modules by path
    B = importlib.import_module("napalm_sros.api.get_bgp_neighbors")
    BD = importlib.import_module("napalm_sros.api.get_bgp_neighbors_detail")

    return {
        "test_get_facts": F.GET_FACTS["_"],
        "test_get_interfaces": F.GET_INTERFACES(R19=False),
        "test_get_bgp_neighbors": B.GET_BGP_NEIGHBORS,
        "test_get_bgp_neighbors_detail": BD.GET_BGP_NEIGHBORS_DETAILS.format(neighbor_address=""),
        "test_get_lldp_neighbors": F.GET_LLDP_NEIGHBORS["_"],
        "test_get_lldp_neighbors_detail": F.GET_LLDP_NEIGHBORS_DETAIL["_"].format(port_id=""),
    }


REQUIRED = {
    "test_get_facts": {"/system/oper-name", "/system/up-time", "/system/platform",
                       "/system/version/version-number", "/chassis/hardware-data/serial-number",
                       "/router/interface/interface-name"},
    "test_get_interfaces": {"/port/port-id", "/port/oper-state", "/port/hardware-mac-address",
                            "/port/ethernet/oper-speed", "/router/interface/oper-ip-mtu",
                            "/router/interface/oper-state", "/router/interface/last-oper-change",
                            "/chassis/hardware-data/base-mac-address"},
    "test_get_bgp_neighbors": {"/system/current-time", "/router/oper-router-id",
                               "/router/bgp/neighbor/statistics/last-established-time",
                               "/router/bgp/neighbor/statistics/family-prefix/ipv4/active"},
    "test_get_bgp_neighbors_detail": {"/router/bgp/neighbor/statistics/operational-local-address",
                                      "/router/bgp/neighbor/statistics/received/updates",
                                      "/router/bgp/neighbor/statistics/sent/queues"},
    "test_get_lldp_neighbors": {"/port/ethernet/lldp/dest-mac/remote-system/system-name",
                                "/port/ethernet/lldp/dest-mac/remote-system/remote-port-id"},
    "test_get_lldp_neighbors_detail": {"/port/ethernet/lldp/dest-mac/remote-system/chassis-id"},
}


@pytest.mark.parametrize("getter", sorted(REQUIRED))
def test_state_shape_matches_the_recorded_reply(twin: Any, getter: str) -> None:
    flt = _state_filter(_napalm_filters()[getter])
    ours = subtree(state_el(twin), flt, state.KEYS)
    assert ours is not None
    ref_file = next((REF / getter / "normal").glob("*.xml"))
    ref = next(e for e in etree.parse(str(ref_file)).getroot().iter()
               if isinstance(e.tag, str) and e.tag == f"{{{NS}}}state")
    ref_paths, mine = set(_paths(ref)), set(_paths(ours))
    if getter == "test_get_lldp_neighbors_detail":  # the recording is the non-detail reply again
        ref_paths |= {f"/port/ethernet/lldp/dest-mac/remote-system/{x}" for x in
                      ("system-description", "system-supported-capabilities", "system-enabled-capabilities")}
    assert not mine - ref_paths, f"elements the real reply does not have: {sorted(mine - ref_paths)}"
    assert not REQUIRED[getter] - mine
    ref_order = _order(ref)
    for parent, kids in _order(ours).items():
        known = [k for k in kids if k in ref_order.get(parent, [])]
        assert known == [k for k in ref_order.get(parent, []) if k in known], parent


def test_facts_interfaces_and_lldp_values(twin: Any) -> None:
    st = state_el(twin)
    assert t(st, "s:system/s:oper-name") == "sr1" and t(st, "s:system/s:platform") == "7750 SR-1"
    assert t(st, "s:system/s:version/s:version-number") == "B-24.10.R1"
    assert abs(int(t(st, "s:system/s:up-time")) / 1000 - (3 * 86400 + 3723)) < 5
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\dZ", t(st, "s:system/s:current-time"))
    assert [e.text for e in q(st, "s:port/s:port-id")] == ["1/1/c1", "1/1/c1/1", "1/1/c2", "1/1/c2/1", "A/1"]
    p1 = q(st, "s:port[s:port-id='1/1/c1/1']")[0]
    assert t(p1, "s:oper-state") == "up" and t(p1, "s:hardware-mac-address") == "de:ae:6b:46:37:83"
    assert t(p1, "s:ethernet/s:oper-speed") == "100000" and t(p1, "s:statistics/s:in-octets") == "48049"
    names = [e.text for e in q(st, "s:router[s:router-name='Base']/s:interface/s:interface-name")]
    assert names == ["system", "to-b-1", "to-b-2"]
    b2 = q(st, "s:router/s:interface[s:interface-name='to-b-2']")[0]
    assert t(b2, "s:oper-state") == "up" and t(b2, "s:oper-ip-mtu") == "9000"
    assert t(st, "s:router/s:interface[s:interface-name='to-b-1']/s:oper-ip-mtu") == "9200"  # 9214 - 14
    assert q(st, "s:router[s:router-name='management']/s:interface[s:interface-name='management']")
    rs = q(st, "s:port[s:port-id='1/1/c1/1']/s:ethernet/s:lldp/s:dest-mac/s:remote-system")[0]
    assert t(rs, "../s:mac-type") == "nearest-bridge"
    assert (t(rs, "s:system-name"), t(rs, "s:remote-port-id"), t(rs, "s:chassis-id")) == (
        "vm", "eth1", "7A:F6:97:66:72:50")
    assert t(rs, "s:system-enabled-capabilities") == "router"
    assert t(rs, "s:system-supported-capabilities").split() == ["bridge", "router", "wlan-access-point",
                                                                 "station-only"]


def test_bgp_neighbors(twin: Any) -> None:
    st = state_el(twin)
    base = q(st, "s:router[s:router-name='Base']")[0]
    assert t(base, "s:oper-router-id") == "10.255.0.1"
    assert [e.text for e in q(base, "s:bgp/s:neighbor/s:ip-address")] == ["10.1.0.0", "10.1.0.2", "10.9.9.9"]
    up = q(base, "s:bgp/s:neighbor[s:ip-address='10.1.0.0']/s:statistics")[0]
    assert t(up, "s:session-state") == "Established" and t(up, "s:peer-identifier") == "10.255.0.2"
    assert (t(up, "s:local-port"), t(up, "s:peer-port")) == ("179", "49220")
    assert t(up, "s:operational-local-address") == "10.1.0.1"
    assert (t(up, "s:hold-time-interval"), t(up, "s:keep-alive-interval")) == ("9", "3")
    assert [t(up, f"s:family-prefix/s:ipv4/s:{k}") for k in ("received", "active", "sent")] == ["1", "1", "2"]
    assert (t(up, "s:received/s:messages"), t(up, "s:sent/s:messages"), t(up, "s:sent/s:updates")) == (
        "8", "9", "3")
    for down in ("10.1.0.2", "10.9.9.9"):  # admin disabled / FRR has no session: Idle, still listed
        s = q(base, f"s:bgp/s:neighbor[s:ip-address='{down}']/s:statistics")[0]
        assert t(s, "s:session-state") == "Idle" and t(s, "s:peer-identifier") == "0.0.0.0"


def test_isis_ospf_and_route_table_follow_nokia_state(twin: Any) -> None:
    st = state_el(twin)
    isis = q(st, "s:router[s:router-name='Base']/s:isis[s:isis-instance='0']")[0]
    assert [e.text for e in q(isis, "s:interface/s:interface-name")] == ["system", "to-b-1", "to-b-2"]
    adj = q(isis, "s:interface[s:interface-name='to-b-1']/s:adjacency")[0]
    assert [etree.QName(c).localname for c in adj] == ["adjacency-index", "oper-state", "usage", "hold-timer",
                                                      "uptime", "expires-in", "level", "neighbor"]
    assert (t(adj, "s:oper-state"), t(adj, "s:usage"), t(adj, "s:expires-in")) == ("up", "level2", "29")
    assert t(adj, "s:neighbor/s:system-id") == "0102.5500.0002"
    assert t(adj, "s:neighbor/s:snpa-address") == "20:20:20:20:20:20"
    assert not q(isis, "s:interface[s:interface-name='system']/s:adjacency")
    assert (t(isis, "s:oper-system-id"), t(isis, "s:oper-router-id"), t(isis, "s:oper-state")) == (
        "0102.5500.0001", "10.255.0.1", "up")
    assert [(t(h, "s:system-id"), t(h, "s:host-name")) for h in q(isis, "s:hostname")] == [
        ("0102.5500.0001", "sr1"), ("0102.5500.0002", "vm")]
    assert t(st, "s:router/s:ospf[s:ospf-instance='0']/s:oper-router-id") == "10.255.0.1"
    ospf = q(st, "s:router/s:ospf[s:ospf-instance='0']/s:area[s:area-id='0.0.0.0']")[0]
    nb = q(ospf, "s:interface[s:interface-name='to-b-2']/s:neighbor-state")[0]
    assert (t(nb, "s:router-id"), t(nb, "s:address"), t(nb, "s:oper-state")) == (
        "10.255.0.2", "10.1.0.2", "full")
    assert t(nb, "s:up-time") == "345" and t(nb, "s:dead-time-outstanding") == "37"  # centiseconds, seconds
    assert t(ospf, "s:interface[s:interface-name='to-b-1']/s:neighbor-count") == "1"
    stats = q(st, "s:router/s:route-table/s:unicast/s:ipv4/s:statistics")[0]
    assert [etree.QName(c).localname for c in stats] == ["bgp", "direct", "isis", "ospf", "static"]
    assert (t(stats, "s:direct/s:active-routes"), t(stats, "s:ospf/s:available-routes")) == ("4", "3")
    assert t(stats, "s:bgp/s:active-routes") == "2"


def test_sources_follow_the_filter(twin: Any, sources: list[str]) -> None:
    F = _napalm_filters()
    assert state.sources_for(_state_filter(F["test_get_facts"])) == {"links"}
    assert state.sources_for(_state_filter(F["test_get_bgp_neighbors"])) == {"links", "bgp"}
    assert state.sources_for(_state_filter(F["test_get_lldp_neighbors"])) == {"links", "lldp"}
    assert state.sources_for(None) == set(state.SOURCES)
    asyncio.run(state.state_xml(twin, {"links"}))
    assert sources == ["ip -s addr show"]


def test_a_source_that_does_not_answer_is_an_error(twin: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    async def silent(_twin: Any, cmd: str) -> Any:
        raise state.StateError(f"routing daemon did not answer '{cmd}'")

    monkeypatch.setattr(state, "_frr_json", silent)
    with pytest.raises(ConfigError) as e:
        state_el(twin)
    assert e.value.tag == "operation-failed" and e.value.message.startswith("MINOR:")


# ---- napalm-sros over the twin's NETCONF server ------------------------------------------------------------
def test_napalm_sros_reads_the_state(tmp_path: Path) -> None:
    with serve_bed(tmp_path, CONF) as bed:
        drv = bed.napalm()
        try:
            facts = drv.get_facts()
            assert (facts["hostname"], facts["model"], facts["os_version"]) == (
                "sr1", "7750 SR-1", "B-24.10.R1")
            assert facts["serial_number"] == bed.twin.serial and facts["uptime"] >= 0.0
            assert facts["interface_list"] == ["system", "to-b-1", "to-b-2", "management"]
            ifs = drv.get_interfaces()
            assert ifs["1/1/c1/1"]["is_up"] is True and ifs["1/1/c1/1"]["speed"] == 100000.0
            assert ifs["1/1/c1/1"]["mtu"] == 9214 and ifs["1/1/c1/1"]["description"] == "to b eth1"
            # napalm-sros takes a router interface's MAC and speed from its port only for a SAP (port:vlan)
            assert ifs["to-b-1"]["is_up"] is True and ifs["to-b-1"]["mac_address"] == ""
            assert ifs["to-b-2"]["mtu"] == 9000 and isinstance(ifs["to-b-2"]["last_flapped"], float)
            assert ifs["system"]["is_up"] is True and ifs["system"]["speed"] == -1.0
            bgp = drv.get_bgp_neighbors()
            assert bgp["global"]["router_id"] == "10.255.0.1"
            peer = bgp["global"]["peers"]["10.1.0.0"]
            assert peer["is_up"] is True and peer["remote_id"] == "10.255.0.2" and peer["remote_as"] == 65100
            assert peer["address_family"]["ipv4"] == {"received_prefixes": 1, "accepted_prefixes": 1,
                                                      "sent_prefixes": 2}
            assert 0 <= peer["uptime"] < 60  # FRR: up for 11 s
            assert bgp["global"]["peers"]["10.1.0.2"]["is_enabled"] is False
            assert bgp["global"]["peers"]["10.1.0.2"]["remote_as"] == 0  # napalm-sros reads no group peer-as
            detail = drv.get_bgp_neighbors_detail()
            d = next(p for p in detail["global"][65100] if p["remote_address"] == "10.1.0.0")
            assert (d["up"], d["local_address"], d["local_port"], d["remote_port"]) == (True, "10.1.0.1", 179,
                                                                                       49220)
            assert (d["input_messages"], d["output_messages"], d["holdtime"], d["keepalive"]) == (8, 9, 9, 3)
            assert d["connection_state"] == "Established" and d["flap_count"] == 0
            lldp = drv.get_lldp_neighbors()
            assert lldp == {"1/1/c1/1": [{"hostname": "vm", "port": "eth1"}],
                            "1/1/c2/1": [{"hostname": "vm", "port": "eth2"}]}
            det = drv.get_lldp_neighbors_detail()["1/1/c1/1"][0]
            assert det["remote_chassis_id"] == "7A:F6:97:66:72:50" and det["remote_system_enable_capab"] == [
                "router"]
            assert det["remote_system_description"] == "netfabric b"
        finally:
            drv.close()


# ---- show -------------------------------------------------------------------------------------------------
def show(twin: Any, cmd: str) -> str:
    out = asyncio.run(state.show(twin, cmd.split()))
    assert isinstance(out, str)
    return out


def ntc(template: str, text: str) -> list[dict[str, Any]]:
    import ntc_templates
    import textfsm

    path = Path(ntc_templates.__file__).parent / "templates" / f"alcatel_sros_{template}.textfsm"
    with path.open() as f:
        fsm = textfsm.TextFSM(f)
    return [dict(zip(fsm.header, row, strict=True)) for row in fsm.ParseText(text)]


def test_show_port_parses_with_ntc_templates(twin: Any) -> None:
    rows = {r["PORT_ID"]: r for r in ntc("show_port", show(twin, "show port"))}
    assert set(rows) == {"1/1/c1", "1/1/c1/1", "1/1/c2", "1/1/c2/1", "A/1"}
    assert rows["1/1/c1"]["PORT_STATE"] == "Link Up"
    r = rows["1/1/c1/1"]
    assert (r["ADMIN_STATE"], r["LINK"], r["PORT_STATE"], r["CFG_MTU"], r["OPER_MTU"], r["PORT_MODE"]) == (
        "Up", "Yes", "Up", "9214", "9214", "netw")
    one = show(twin, "show port 1/1/c1/1")
    assert "Interface           : 1/1/c1/1" in one and "Oper State          : up" in one
    with pytest.raises(ConfigError):
        show(twin, "show port 1/1/c9/1")


def test_show_router_interface_parses_with_ntc_templates(twin: Any) -> None:
    rows = {r["INTERFACE"]: r for r in ntc("show_router_interface", show(twin, "show router interface"))}
    assert set(rows) == {"system", "to-b-1", "to-b-2"}
    assert rows["to-b-1"]["PORT_SAP_ID"] == "1/1/c1/1" and rows["to-b-1"]["IP_ADDRESS"] == ["10.1.0.1/31"]
    assert (rows["system"]["ADMIN_STATE"], rows["system"]["OPER_STATE_V4"]) == ("Up", "Up")


def test_show_isis_adjacency_parses_with_ntc_templates(twin: Any) -> None:
    rows = ntc("show_router_isis_adjacency", show(twin, "show router isis adjacency"))
    assert [(r["SYSTEM_ID"], r["USAGE"], r["STATE"], r["INTERFACE"]) for r in rows] == [
        ("vm", "L2", "Up", "to-b-1"), ("vm", "L2", "Up", "to-b-2")]


def test_show_bgp(twin: Any) -> None:
    out = show(twin, "show router bgp summary")
    assert " BGP Router ID:10.255.0.1" in out and "AS:65101" in out
    block = out.split("PktSent OutQ\n")[1]
    m = re.search(r"^10\.1\.0\.0\npeer b\n\s+65100\s+8\s+0 00h00m\d\ds 1/1/2 \(IPv4\)\n\s+9\s+0$",
                  block, re.M)
    assert m, block
    assert re.search(r"^10\.1\.0\.2\n\(Not Specified\)\n\s+65100\s+\d+\s+0 \S+ Disabled$", block, re.M)
    nb = show(twin, "show router bgp neighbor 10.1.0.0")
    assert "State                : Established" in nb and "Import Policy        : PASS" in nb
    assert "Neighbors : 1" in nb


def test_show_other_commands(twin: Any) -> None:
    assert show(twin, "show version").startswith("TiMOS-B-24.10.R1 both/x86_64 Nokia 7750 SR ")
    info = show(twin, "show system information")
    assert "System Name            : sr1" in info and "System Type            : 7750 SR-1" in info
    assert re.search(r"System Up Time         : 3 days, 01:02:0\d\.\d\d \(hr:min:sec\)", info)
    ospf = show(twin, "show router ospf neighbor")
    assert re.search(r"^to-b-1\s+10\.255\.0\.2\s+Full\s+1\s+0\s+37\n   0\.0\.0\.0$", ospf, re.M)
    assert "No. of Neighbors: 2" in ospf
    lldp = show(twin, "show system lldp neighbor")
    assert re.search(r"^1/1/c1/1\s+NB\s+7A:F6:97:66:72:50\s+1\s+eth1\s+vm$", lldp, re.M)
    summ = show(twin, "show router route-table summary")
    assert re.search(r"^Direct\s+4\s+4$", summ, re.M) and re.search(r"^Total\s+7\s+10$", summ, re.M)
    rt = show(twin, "show router route-table")
    assert re.search(r"^10\.1\.0\.0/31\s+Local\s+Local\s+01h02m03s\s+0\n\s+to-b-1\s+0$", rt, re.M)
    assert re.search(r"^10\.255\.0\.2/32\s+Remote\s+ISIS\s+01d02h03m\s+18\n\s+10\.1\.0\.0\s+10$", rt, re.M)
    assert "No. of Routes: 2" in rt
    short = show(twin, "sh rou bgp sum")
    assert short.splitlines()[:8] == show(twin, "show router bgp summary").splitlines()[:8]
    assert asyncio.run(state.show(twin, ["router", "mpls", "lsp"])) is None
