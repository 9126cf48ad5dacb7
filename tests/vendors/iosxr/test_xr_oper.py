"""The IOS-XR twin's operational state (oper.py) rendered from FRR, kernel and lldpd JSON captured from
a real FRR pair (data/capture.py): the <get> replies have the shape of real XR replies (the recorded
napalm-mocked/iosxr_netconf ones, element by element; the XR 24.1 YANG schema for IS-IS, OSPF, BFD and
the RIB), NAPALM's iosxr_netconf getters read them into the values put in, and the show commands'
text parses with ntc-templates' cisco_xr templates."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from fabric.vendors.iosxr.twin import config, control, oper

DATA = Path(__file__).resolve().parent / "data"
REF = Path(__file__).resolve().parents[3] / ".." / "shared" / "reference" / "napalm-mocked" / "iosxr_netconf"
if not REF.is_dir():
    REF = Path("/work/shared/reference/napalm-mocked/iosxr_netconf")

CONF = """hostname xr1
interface Loopback0
 ipv4 address 10.255.0.1 255.255.255.255
!
interface GigabitEthernet0/0/0/0
 description to peer1 eth1
 ipv4 address 10.0.0.0 255.255.255.254
!
interface GigabitEthernet0/0/0/1
 ipv4 address 10.0.1.0 255.255.255.254
!
interface GigabitEthernet0/0/0/2
 shutdown
!
router isis CORE
 is-type level-2-only
 net 49.0001.0102.5500.0001.00
 interface GigabitEthernet0/0/0/0
  point-to-point
  address-family ipv4 unicast
  !
 !
!
router ospf 1
 router-id 10.255.0.1
 area 0
  interface GigabitEthernet0/0/0/1
   network point-to-point
  !
 !
!
router bgp 65000
 bgp router-id 10.255.0.1
 address-family ipv4 unicast
 !
 neighbor 10.0.0.1
  remote-as 65001
  description peer1 via Gi0/0/0/0
  address-family ipv4 unicast
   route-policy PASS in
   route-policy PASS out
  !
 !
 neighbor 10.0.9.9
  remote-as 65002
  description nobody home
 !
 neighbor 10.0.0.5
  remote-as 65003
  shutdown
 !
!
"""
NOW = 1_800_000_000.0
BOOT = NOW - 3 * 86400 - 3723


def _j(name: str) -> Any:
    return json.loads((DATA / name).read_text())


def _links() -> list[dict[str, Any]]:
    """``ip -s addr show`` (what gather reads) = the captured addresses with the captured counters."""
    stats = {lk["ifname"]: lk.get("stats64") for lk in _j("ip_link.json")}
    return [{**a, "stats64": stats.get(a["ifname"])} for a in _j("ip_addr.json")]


def live() -> oper.Live:
    return oper.Live(
        now=NOW,
        boot=BOOT,
        links=_links(),
        bgp=_j("frr_bgp_neighbors.json"),
        bgp_summary=_j("frr_bgp_summary.json"),
        isis=_j("frr_isis_neighbor.json"),
        isis_hosts=(DATA / "frr_isis_hostname.txt").read_text(),
        ospf=_j("frr_ospf_neighbor.json"),
        ospf_ifaces=_j("frr_ospf_interface.json"),
        bfd=_j("frr_bfd_peers.json"),
        routes=_j("frr_route.json"),
        lldp=_j("lldp_neighbors.json"),
        arp=_j("ip_neigh.json"),
    )


class FakeTwin:
    """The attributes oper.py reads of IosxrTwin; its sources are the captured fixtures."""

    hostname = "xr1"
    model = "XRd Control Plane"
    serial = "A1B2C3D4E5F"
    boot_time = BOOT
    lldpd_socket = "/nonexistent"

    def __init__(self) -> None:
        self._dev = control.parse(config.parse_text(CONF), "xr1")

    def device(self) -> control.Device:
        return self._dev


@pytest.fixture
def twin(monkeypatch: pytest.MonkeyPatch) -> Any:
    async def gather(_twin: Any, _sources: set[str]) -> oper.Live:
        return live()

    monkeypatch.setattr(oper, "gather", gather)
    return FakeTwin()


def get(twin: Any, flt: str | None) -> Any:
    body = asyncio.run(
        oper.get(
            twin,
            None
            if flt is None
            else f'<filter xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">{flt}</filter>',
        )
    )
    return etree.fromstring(
        f'<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><data>{body}</data></rpc-reply>'.encode()
    )


# ---- shape against the recorded replies -------------------------------------------------------
def _paths(el: Any, prefix: str = "") -> list[str]:
    """Every element as namespace-qualified path, in document order."""
    out = []
    for c in el:
        if not isinstance(c.tag, str):
            continue
        p = f"{prefix}/{c.tag}"
        out.append(p)
        out += _paths(c, p)
    return out


def _leaf_kinds(el: Any, prefix: str = "") -> dict[str, set[str]]:
    kinds: dict[str, set[str]] = {}
    for c in el.iter():
        if not isinstance(c.tag, str) or len(c):
            continue
        path = (
            "/".join(etree.QName(a).localname for a in reversed(list(c.iterancestors())))
            + "/"
            + etree.QName(c).localname
        )
        kinds.setdefault(path, set()).add(_kind((c.text or "").strip()))
    return kinds


def _kind(v: str) -> str:
    if v in ("true", "false"):
        return "bool"
    if re.fullmatch(r"-?\d+", v):
        return "int"
    if v.startswith(("im-state-", "bgp-st-", "bgp-bfd-")):
        return "enum"
    return "str"


def _order_ok(ours: Any, ref: Any) -> list[str]:
    """Siblings in our reply come in the order the recorded reply has them (per parent path)."""
    order: dict[str, list[str]] = {}
    for el in ref.iter():
        if isinstance(el.tag, str):
            kids = order.setdefault(_path(el), [])
            prev = -1
            for c in el:
                if not isinstance(c.tag, str):
                    continue
                if c.tag not in kids:  # an optional leaf: right after its predecessor in this element
                    kids.insert(prev + 1, c.tag)
                prev = kids.index(c.tag)
    bad = []
    for el in ours.iter():
        if not isinstance(el.tag, str):
            continue
        ref_kids = order.get(_path(el), [])
        seen = [ref_kids.index(c.tag) for c in el if isinstance(c.tag, str) and c.tag in ref_kids]
        if seen != sorted(seen):
            bad.append(_path(el))
    return bad


def _path(el: Any) -> str:
    return "/".join(a.tag for a in reversed(list(el.iterancestors()))) + "/" + el.tag


def _shape(ours: Any, ref_file: Path, required: set[str]) -> None:
    ref = etree.parse(str(ref_file)).getroot()
    ref_paths = set(_paths(ref))
    mine = _paths(ours)
    extra = sorted({p for p in mine if p not in ref_paths})
    assert not extra, f"elements the real reply does not have: {extra[:10]}"
    short = {re.sub(r"\{[^}]*\}", "", p) for p in mine}
    missing = {r for r in required if not any(s.endswith(r) for s in short)}
    assert not missing, missing
    assert not _order_ok(ours, ref)
    rk, ok = _leaf_kinds(ref), _leaf_kinds(ours)
    for path, kinds in ok.items():
        if path in rk and "str" not in rk[path] and kinds != {"str"}:
            assert kinds <= rk[path] | {"int"} if rk[path] == {"int"} else kinds <= rk[path], (
                path,
                kinds,
                rk[path],
            )


def test_facts_shape(twin: Any) -> None:
    from napalm.iosxr_netconf import constants as C

    flt = etree.fromstring(C.FACTS_RPC_REQ.encode())[0]
    data = get(twin, "".join(etree.tostring(c, encoding="unicode") for c in flt))
    _shape(
        data,
        REF
        / "test_get_facts"
        / "xrv9k"
        / "shellutil-oper_system-time__pfi-im-cmd-oper_interfaces__invmgr-oper_inventory.xml",
        {"uptime/host-name", "interfaces/interface/interface-name", "inv-basic-bag/model-name"},
    )


def test_interfaces_shape(twin: Any) -> None:
    from napalm.iosxr_netconf import constants as C

    data = get(twin, C.INT_RPC_REQ_FILTER)
    _shape(
        data,
        REF / "test_get_interfaces" / "normal" / "pfi-im-cmd-oper_interfaces.xml",
        {"interface-xr/interface/line-state", "mac-address/address", "interface-xr/interface/bandwidth"},
    )
    # the filter selects: no counters, no brief table
    assert not data.xpath("//*[local-name()='interface-statistics' or local-name()='interface-briefs']")


def test_lldp_shape(twin: Any) -> None:
    from napalm.iosxr_netconf import constants as C

    data = get(twin, C.LLDP_RPC_REQ_FILTER)
    _shape(
        data,
        REF / "test_get_lldp_neighbors" / "normal" / "ethernet-lldp-oper_lldp.xml",
        {"lldp-neighbor/receiving-interface-name", "lldp-neighbor/port-id-detail", "detail/system-name"},
    )


def test_bgp_shape(twin: Any) -> None:
    from napalm.iosxr_netconf import constants as C

    data = get(twin, C.BGP_NEIGHBOR_REQ_FILTER)
    _shape(
        data,
        REF / "test_get_bgp_neighbors" / "normal" / "ipv4-bgp-oper_bgp.xml",
        {"neighbor/connection-state", "af-data/prefixes-accepted", "vrf/router-id"},
    )


# ---- the 24.1 YANG schema (IS-IS, OSPF, BFD, RIB and the rest the twin renders) -------------------
def _schema() -> dict[str, str]:
    out = {}
    for line in (DATA / "xr_yang_paths.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            p, t = line.split("\t")
            out[p] = t
    return out


def _check_yang(el: Any, schema: dict[str, str]) -> None:
    for c in el.iter():
        if not isinstance(c.tag, str):
            continue
        path = "/".join(
            etree.QName(a).localname
            for a in reversed(list(c.iterancestors()))
            if etree.QName(a).localname not in ("rpc-reply", "data")
        )
        path = (path + "/" if path else "") + etree.QName(c).localname
        assert path in schema or any(k.startswith(path + "/") for k in schema), (
            f"not in the XR 24.1 model: {path}"
        )
        t = schema.get(path, "container")
        v = (c.text or "").strip()
        if len(c) == 0 and t.startswith(("uint", "int")):
            assert re.fullmatch(r"-?\d+", v), (path, v)
        if len(c) == 0 and t == "boolean":
            assert v in ("true", "false"), (path, v)


@pytest.mark.parametrize(
    "top,ns",
    [
        ("isis", oper.NS_ISIS),
        ("ospf", oper.NS_OSPF),
        ("bfd", oper.NS_BFD),
        ("rib", oper.NS_RIB),
        ("ipv4-network", oper.NS_IP4),
        ("ipv6-network", oper.NS_IP6),
        ("arp", oper.NS_ARP),
        ("system-monitoring", oper.NS_CPU),
    ],
)
def test_yang_paths(twin: Any, top: str, ns: str) -> None:
    data = get(twin, f'<{top} xmlns="{ns}"/>')
    assert len(data[0]) == 1 and etree.QName(data[0][0]).namespace == ns
    _check_yang(data[0][0], _schema())


def test_isis_ospf_bfd_values(twin: Any) -> None:
    d = get(
        twin,
        f'<isis xmlns="{oper.NS_ISIS}"><instances><instance><neighbors/></instance></instances></isis>'
        f'<ospf xmlns="{oper.NS_OSPF}"/><bfd xmlns="{oper.NS_BFD}"><session-briefs/></bfd>',
    )
    n = {"i": oper.NS_ISIS, "o": oper.NS_OSPF, "b": oper.NS_BFD}
    assert d.xpath("//i:instance/i:instance-name/text()", namespaces=n) == ["CORE"]
    nb = d.xpath("//i:neighbor", namespaces=n)[0]
    assert nb.findtext(f"{{{oper.NS_ISIS}}}neighbor-state") == "isis-adj-up-state"
    assert nb.findtext(f"{{{oper.NS_ISIS}}}interface-name") == "GigabitEthernet0/0/0/0"
    assert nb.findtext(f"{{{oper.NS_ISIS}}}system-id") == "0102.5500.0002"
    assert nb.findtext(f"{{{oper.NS_ISIS}}}neighbor-circuit-type") == "isis-levels-2"
    assert d.xpath("//o:process/o:process-name/text()", namespaces=n) == ["1"]
    on = d.xpath("//o:neighbor", namespaces=n)[0]
    assert on.findtext(f"{{{oper.NS_OSPF}}}neighbor-state") == "mgmt-nbr-full"
    assert on.findtext(f"{{{oper.NS_OSPF}}}neighbor-id") == "10.255.0.2"
    assert d.xpath("//b:session-brief/b:state/text()", namespaces=n) == ["bfd-mgmt-session-state-up"]
    assert not d.xpath("//b:ipv4-single-hop-session-briefs", namespaces=n)  # not selected


def test_route_summary_xml_and_text(twin: Any) -> None:
    d = get(twin, f'<rib xmlns="{oper.NS_RIB}"/>')
    n = {"r": oper.NS_RIB}
    info = {
        (x.findtext("r:protocol-name", namespaces=n), x.findtext("r:protocol-instance", namespaces=n)): int(
            x.findtext("r:number-of-active-routes", namespaces=n) or -1
        )
        for x in d.xpath("//r:information", namespaces=n)
    }
    # FRR selected 2 BGP routes, 1 static; XR's local routes are the interface addresses
    assert info[("bgp", "65000")] == 2 and info[("static", "")] == 1 and info[("local", "")] == 4
    text = asyncio.run(oper.show(twin, "show route summary"))
    assert (
        text.splitlines()[0]
        == "Route Source                     Routes     Backup     Deleted     Memory(bytes)"
    )
    assert re.search(r"^bgp 65000\s+2\s+0\s+0\s+416", text, re.M)
    assert re.search(r"^Total\s+\d+", text, re.M)


def test_unmodelled_filter_is_an_error(twin: Any) -> None:
    from napalm.iosxr_netconf import constants as C

    with pytest.raises(oper.OperError):
        get(twin, C.MAC_TABLE_RPC_REQ_FILTER)
    with pytest.raises(oper.OperError):
        asyncio.run(oper.show(twin, "show mpls ldp neighbor"))


def test_subtree_content_match(twin: Any) -> None:
    inv = (
        f'<inventory xmlns="{oper.NS_INV}"><entities><entity><name>Rack 1</name></entity></entities>'
        "</inventory>"
    )
    assert len(get(twin, inv)[0]) == 0  # no such entity: nothing, not the whole table
    one = get(
        twin,
        f'<interfaces xmlns="{oper.NS_INT}"><interface-xr><interface>'
        "<interface-name>GigabitEthernet0/0/0/2</interface-name><state/></interface></interface-xr></interfaces>",
    )
    states = one.xpath("//*[local-name()='state']/text()")
    assert states == ["im-state-admin-down"]


# ---- NAPALM's own parsing ---------------------------------------------------------------------
class _Reply:
    def __init__(self, xml: str) -> None:
        self.xml = xml


class FakeDevice:
    """What IOSXRNETCONFDriver calls on ncclient's manager, answered by oper.get."""

    server_capabilities: list[str] = []

    def __init__(self, twin: Any) -> None:
        self.twin = twin

    def _reply(self, flt: str) -> _Reply:
        body = asyncio.run(
            oper.get(self.twin, f'<filter xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">{flt}</filter>')
        )
        return _Reply(
            f'<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><data>{body}</data></rpc-reply>'
        )

    def get(self, filter: tuple[str, str]) -> _Reply:  # noqa: A002 (ncclient's keyword)
        return self._reply(filter[1])

    def dispatch(self, rpc: Any) -> _Reply:
        flt = rpc.find("{*}filter")
        return self._reply("".join(etree.tostring(c, encoding="unicode") for c in flt))


@pytest.fixture
def napalm(twin: Any) -> Any:
    from napalm.iosxr_netconf.iosxr_netconf import IOSXRNETCONFDriver

    drv = IOSXRNETCONFDriver("xr1", "clab", "clab@123")
    drv.device = FakeDevice(twin)
    return drv


def _same_types(ours: Any, ref: Any) -> None:
    if isinstance(ref, dict):
        assert isinstance(ours, dict)
        if set(ours) <= set(ref):  # a record: field by field
            for k, v in ours.items():
                _same_types(v, ref[k])
        else:  # a map (peers by address ...): every value like the reference's first
            for v in ours.values():
                _same_types(v, next(iter(ref.values())))
    elif isinstance(ref, list):
        assert isinstance(ours, list)
        for v in ours:
            _same_types(v, ref[0])
    elif isinstance(ref, bool):
        assert isinstance(ours, bool)
    elif isinstance(ref, (int, float)):
        assert isinstance(ours, (int, float)) and not isinstance(ours, bool)
    else:
        assert isinstance(ours, str)


def test_napalm_facts(napalm: Any) -> None:
    f = napalm.get_facts()
    ref = json.loads((REF / "test_get_facts" / "xrv9k" / "expected_result.json").read_text())
    assert set(f) == set(ref)
    assert f["hostname"] == "xr1" and f["os_version"] == "24.1.1" and f["model"] == "XRd Control Plane"
    assert f["serial_number"] == "A1B2C3D4E5F" and f["uptime"] == NOW - BOOT
    assert f["interface_list"] == sorted(f["interface_list"])
    assert {"GigabitEthernet0/0/0/0", "Loopback0", "MgmtEth0/RP0/CPU0/0", "Null0"} <= set(f["interface_list"])


def test_napalm_interfaces(napalm: Any) -> None:
    got = napalm.get_interfaces()
    ref = json.loads((REF / "test_get_interfaces" / "normal" / "expected_result.json").read_text())
    for v in got.values():
        assert set(v) == set(next(iter(ref.values()))) | {"mtu"} or set(v) == set(next(iter(ref.values())))
    g0, g2 = got["GigabitEthernet0/0/0/0"], got["GigabitEthernet0/0/0/2"]
    assert g0["is_up"] and g0["is_enabled"] and g0["description"] == "to peer1 eth1" and g0["speed"] == 1000
    assert g0["mtu"] == 1514 and re.fullmatch(r"([0-9A-F]{2}:){5}[0-9A-F]{2}", g0["mac_address"])
    assert not g2["is_up"] and not g2["is_enabled"]
    assert got["Loopback0"]["mac_address"] == "" and got["Loopback0"]["speed"] == 0
    counters = napalm.get_interfaces_counters()
    assert counters["GigabitEthernet0/0/0/0"]["rx_unicast_packets"] > 0
    assert "Loopback0" not in counters and counters["Null0"]["rx_octets"] == ""


def test_napalm_bgp(napalm: Any) -> None:
    got = napalm.get_bgp_neighbors()
    ref = json.loads((REF / "test_get_bgp_neighbors" / "normal" / "expected_result.json").read_text())
    _same_types(got, ref)
    peers = got["global"]["peers"]
    assert got["global"]["router_id"] == "10.255.0.1"
    up = peers["10.0.0.1"]
    assert (
        up["is_up"]
        and up["remote_as"] == 65001
        and up["local_as"] == 65000
        and up["remote_id"] == "10.255.0.2"
    )
    assert up["address_family"]["ipv4"] == {
        "received_prefixes": 2,
        "accepted_prefixes": 2,
        "sent_prefixes": 3,
    }
    assert up["uptime"] > 0 and up["description"] == "peer1 via Gi0/0/0/0"
    assert not peers["10.0.9.9"]["is_up"] and peers["10.0.9.9"]["uptime"] == -1
    assert not peers["10.0.0.5"]["is_enabled"]
    detail = napalm.get_bgp_neighbors_detail()["global"][65001][0]
    assert detail["connection_state"] == "Established" and detail["import_policy"] == "PASS"
    assert detail["remote_port"] == 179 and detail["local_address"] == "10.0.0.0"


def test_napalm_lldp_arp_ips_env(napalm: Any) -> None:
    lldp = napalm.get_lldp_neighbors()
    assert lldp == {
        "GigabitEthernet0/0/0/0": [{"hostname": "peer1", "port": lldp["GigabitEthernet0/0/0/0"][0]["port"]}],
        "GigabitEthernet0/0/0/1": [{"hostname": "peer1", "port": lldp["GigabitEthernet0/0/0/1"][0]["port"]}],
    }
    det = napalm.get_lldp_neighbors_detail()["GigabitEthernet0/0/0/0"][0]
    assert det["remote_system_name"] == "peer1" and det["remote_port_description"] == "eth1"
    assert re.fullmatch(r"([0-9A-F]{2}:){5}[0-9A-F]{2}", det["remote_chassis_id"])
    arp = napalm.get_arp_table()
    assert {"interface": "GigabitEthernet0/0/0/0", "ip": "10.0.0.1"}.items() <= next(
        e for e in arp if e["ip"] == "10.0.0.1"
    ).items()
    ips = napalm.get_interfaces_ip()
    assert ips["GigabitEthernet0/0/0/0"]["ipv4"] == {"10.0.0.0": {"prefix_length": 31}}
    assert ips["Loopback0"]["ipv4"] == {"10.255.0.1": {"prefix_length": 32}}


# ---- CLI text through ntc-templates ---------------------------------------------------------
def _fsm(template: str, text: str) -> list[dict[str, Any]]:
    import ntc_templates
    import textfsm

    path = Path(ntc_templates.__file__).parent / "templates" / f"{template}.textfsm"
    with path.open() as f:
        fsm = textfsm.TextFSM(f)
    return [dict(zip(fsm.header, row, strict=True)) for row in fsm.ParseText(text)]


def show(twin: Any, cmd: str) -> str:
    return asyncio.run(oper.show(twin, cmd))


def test_cli_bgp_summary(twin: Any) -> None:
    rows = _fsm("cisco_xr_show_ip_bgp_summary", show(twin, "show bgp summary"))
    by = {r["BGP_NEIGH"]: r for r in rows}
    assert set(by) == {"10.0.0.1", "10.0.0.5", "10.0.9.9"}
    assert by["10.0.0.1"]["STATE_PFXRCD"] == "2" and by["10.0.0.1"]["NEIGH_AS"] == "65001"
    assert by["10.0.9.9"]["STATE_PFXRCD"] == "Active" and by["10.0.0.1"]["ROUTER_ID"] == "10.255.0.1"
    assert by["10.0.0.1"]["LOCAL_AS"] == "65000"


def test_cli_bgp_neighbor(twin: Any) -> None:
    text = show(twin, "show bgp neighbor 10.0.0.1")
    rows = _fsm("cisco_xr_show_bgp_neighbors", text)
    assert rows and rows[0]["NEIGHBOR"] == "10.0.0.1" and rows[0]["REMOTE_AS"] == "65001"
    assert rows[0]["STATE"] == "Established" and rows[0]["DESCRIPTION"] == "peer1 via Gi0/0/0/0"
    assert rows[0]["POLICY_INCOMING"] == ["PASS"] and rows[0]["PREFIXES_IN"] == ["2"]
    assert rows[0]["LOCAL_ADDRESS"] == "10.0.0.0" and rows[0]["REMOTE_PORT"] == "179"
    assert "% No such neighbor" in show(twin, "show bgp neighbor 192.0.2.99")


def test_cli_isis_adjacency(twin: Any) -> None:
    text = show(twin, "show isis adjacency")
    assert "IS-IS CORE Level-2 adjacencies:" in text
    line = next(ln for ln in text.splitlines() if ln.startswith("peer1"))
    assert line.split()[:5] == ["peer1", "Gi0/0/0/0", "*PtoP*", "Up", line.split()[4]]
    assert line.index("Gi0/0/0/0") == 15 and line.index("*PtoP*") == 40 and line.index("Up") == 55
    assert "Total adjacency count: 1" in text


def test_cli_ospf_lldp_bfd(twin: Any) -> None:
    rows = _fsm("cisco_xr_show_ospf_neighbor", show(twin, "show ospf neighbor"))
    assert [(r["NEIGHBOR_ID"], r["STATE"], r["IP_ADDRESS"], r["INTERFACE"]) for r in rows] == [
        ("10.255.0.2", "FULL/  -", "10.0.1.1", "GigabitEthernet0/0/0/1")
    ]
    rows = _fsm("cisco_xr_show_lldp_neighbors", show(twin, "show lldp neighbors"))
    assert {(r["NEIGHBOR_NAME"], r["LOCAL_INTERFACE"]) for r in rows} == {
        ("peer1", "Gi0/0/0/0"),
        ("peer1", "Gi0/0/0/1"),
    }
    rows = _fsm("cisco_xr_show_lldp_neighbors_detail", show(twin, "show lldp neighbors detail"))
    assert {r["LOCAL_INTERFACE"] for r in rows} == {"GigabitEthernet0/0/0/0", "GigabitEthernet0/0/0/1"}
    assert {r["NEIGHBOR"] for r in rows} == {"peer1"} and all(
        r["MANAGEMENT_IP"] == "10.255.0.2" for r in rows
    )
    rows = _fsm("cisco_xr_show_bfd_sessions", show(twin, "show bfd session"))
    assert [(r["INTERFACE"], r["DSTADDRESS"], r["STATE"]) for r in rows] == [("Gi0/0/0/0", "10.0.0.1", "UP")]


def test_cli_interfaces(twin: Any) -> None:
    rows = _fsm("cisco_xr_show_interface_brief", show(twin, "show interfaces brief"))
    by = {r["INTERFACE"]: r for r in rows}
    assert by["Gi0/0/0/0"]["INTF_STATE"] == "up" and by["Gi0/0/0/2"]["INTF_STATE"] == "admin-down"
    assert by["Gi0/0/0/0"]["MTU"] == "1514" and by["Lo0"]["ENCAP_TYPE"] == "Loopback"
    rows = _fsm("cisco_xr_show_ip_interface_brief", show(twin, "show ipv4 interface brief"))
    by = {r["INTERFACE"]: r for r in rows}
    assert by["GigabitEthernet0/0/0/0"]["IP_ADDRESS"] == "10.0.0.0"
    assert by["GigabitEthernet0/0/0/2"]["STATUS"] == "Shutdown" and by["Loopback0"]["VRF"] == "default"
    rows = _fsm("cisco_xr_show_interfaces", show(twin, "show interfaces GigabitEthernet0/0/0/0"))
    assert rows and rows[0]["INTERFACE"] == "GigabitEthernet0/0/0/0" and rows[0]["LINK_STATUS"] == "up"
    assert rows[0]["DESCRIPTION"] == "to peer1 eth1" and rows[0]["IP_ADDRESS"] == "10.0.0.0/31"


def test_the_collector_reads_what_the_twin_renders(twin: Any) -> None:
    """The collector's own filters (fabric/vendors/iosxr/collector.py) against the twin's replies, through
    the normalisers validation uses: IS-IS adjacencies with their host names, OSPF, the RIB count."""
    from fabric.vendors.iosxr import collector, normalise

    isis = normalise.isis(get(twin, collector.ISIS_ADJ_FILTER))
    assert [(a.interface, a.hostname, a.level, a.state) for a in isis] == [
        ("GigabitEthernet0/0/0/0", "peer1", 2, "Up")]
    ospf, _rid = normalise.ospf(get(twin, collector.OSPF_NBR_FILTER))
    assert [(n.interface, n.router_id, n.state) for n in ospf] == [
        ("GigabitEthernet0/0/0/1", "10.255.0.2", "Full")]  # the fixtures run OSPF on the second link
    assert normalise.route_count(get(twin, collector.RIB_SUMMARY_FILTER)) > 0
