"""The SR Linux twin's live state datastore (twin/state.py): replies shaped as the recorded real SR Linux
replies (keys, nesting, value types, module prefixes), and napalm-srlinux's getters over JSON-RPC on the
Bed, with the sources (FRR, kernel, lldpd) answering real FRR/kernel/lldpd captures (tests/state/fixtures,
renamed to the SR Linux namespace's e1-N links and pe2's addresses)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from fabric.vendors.srlinux.twin import state

from .conftest import ROOT, Bed

REF = ROOT.parent / "shared" / "reference" / "napalm-mocked-community" / "srlinux"
FX = ROOT / "tests" / "state" / "fixtures"
# the captures' node "a" -> pe2 (containerlab/backbone/pe2.cfg): links, addresses, the RR peer
RENAME = [
    ("eth1", "e1-1"),
    ("eth2", "e1-2"),
    ("10.1.0.1", "10.2.0.11"),
    ("10.1.0.3", "10.2.0.13"),
    ("10.1.0.0", "10.254.0.1"),
    ("172.30.99.11", "172.20.22.16"),
    ("65100", "65000"),
    ("65101", "65000"),
    ("10.255.0.1", "10.254.0.6"),
]


def fx(name: str) -> Any:
    text = (FX / name).read_text()
    for a, b in RENAME:
        text = text.replace(a, b)
    return json.loads(text)


def links() -> list[dict[str, Any]]:
    out = []
    for lk in fx("frr_a_ip_addr.json"):
        if lk["ifname"] == "lo":  # pe2's system0 is a loopback stand-in (dummy) carrying its address
            lk = {
                **lk,
                "ifname": "system0",
                "ifindex": 3,
                "flags": ["BROADCAST", "NOARP", "UP", "LOWER_UP"],
                "mtu": 1500,
                "link_type": "ether",
                "address": "2a:55:0e:11:4c:01",
                "addr_info": [{**lk["addr_info"][1], "local": "10.254.0.6", "label": "system0"}],
            }
        for a in lk["addr_info"]:
            if a["local"] in ("10.2.0.11", "10.2.0.13"):
                a["prefixlen"] = 31
        # ``ip -s``: the counters a real link reports
        lk["stats64"] = {
            "rx": {
                "bytes": 48049,
                "packets": 443,
                "errors": 0,
                "dropped": 6,
                "over_errors": 0,
                "multicast": 125,
            },
            "tx": {
                "bytes": 50229,
                "packets": 458,
                "errors": 0,
                "dropped": 0,
                "carrier_errors": 0,
                "collisions": 0,
            },
        }
        out.append(lk)
    return out


RIB = {
    "default": {
        "vrfId": 0,
        "vrfName": "default",
        "tableVersion": 3,
        "routerId": "10.254.0.6",
        "defaultLocPrf": 100,
        "localAS": 65000,
        "routes": {
            "10.254.0.1/32": [
                {
                    "valid": True,
                    "bestpath": True,
                    "selectionReason": "First path",
                    "pathFrom": "internal",
                    "prefix": "10.254.0.1",
                    "prefixLen": 32,
                    "network": "10.254.0.1/32",
                    "metric": 0,
                    "locPrf": 100,
                    "weight": 0,
                    "peerId": "10.254.0.1",
                    "path": "",
                    "origin": "IGP",
                    "nexthops": [{"ip": "10.254.0.1", "afi": "ipv4", "used": True}],
                }
            ],
            "10.254.0.6/32": [
                {
                    "valid": True,
                    "bestpath": True,
                    "pathFrom": "external",
                    "prefix": "10.254.0.6",
                    "prefixLen": 32,
                    "metric": 0,
                    "weight": 32768,
                    "peerId": "(unspec)",
                    "path": "",
                    "origin": "incomplete",
                    "nexthops": [{"ip": "0.0.0.0", "afi": "ipv4", "used": True}],
                }
            ],
        },
    }
}
ROUTE_SUMMARY = {
    "routes": [
        {"fib": 4, "rib": 4, "fibOffLoaded": 0, "fibTrapped": 0, "type": "connected"},
        {"fib": 4, "rib": 4, "fibOffLoaded": 0, "fibTrapped": 0, "type": "local"},
        {"fib": 3, "rib": 3, "fibOffLoaded": 0, "fibTrapped": 0, "type": "isis"},
        {"fib": 1, "rib": 2, "fibOffLoaded": 0, "fibTrapped": 0, "type": "ibgp"},
    ],
    "routesTotal": 13,
    "routesTotalFib": 12,
}
ISIS_HOSTS = (  # ``show isis hostname`` (its text form)
    "vrf : default\nLevel  System ID      Dynamic Hostname\n"
    "2      0102.5400.0001 vm\n     * 0102.5400.0006 pe2\n"
)


def frr_reply(cmd: str) -> Any:
    return {
        "show bgp vrf all neighbors json": fx("frr_a_show_bgp_vrf_all_neighbors.json"),
        "show bgp vrf all summary json": fx("frr_a_show_bgp_vrf_all_summary.json"),
        "show bgp vrf all ipv4 unicast json": RIB,
        "show bgp vrf all ipv6 unicast json": {"default": {"vrfId": 0, "routes": {}}},
        "show isis neighbor json": fx("frr_a_show_isis_neighbor.json"),
        "show ip ospf neighbor json": fx("frr_a_show_ip_ospf_neighbor.json"),
        "show ip ospf interface json": fx("frr_a_show_ip_ospf_interface.json"),
        "show ip route summary json": ROUTE_SUMMARY,
    }[cmd]


@pytest.fixture
def live(bed: Bed, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The raw sources replaced by the captures (gather's choice of sources and render run for real);
    the list collects what was asked."""
    asked: list[str] = []

    async def frr(twin: Any, cmd: str) -> Any:
        asked.append(cmd)
        return frr_reply(cmd)

    async def frr_text(twin: Any, cmd: str) -> str:
        asked.append(cmd)
        return ISIS_HOSTS

    async def ip(twin: Any, *args: str) -> Any:
        asked.append("ip " + " ".join(args))
        return links()

    async def lldp(twin: Any) -> Any:
        asked.append("lldpcli")
        return fx("frr_a_lldp_neighbors.json")

    monkeypatch.setattr(state, "_frr_json", frr)
    monkeypatch.setattr(state, "_frr_text", frr_text)
    monkeypatch.setattr(state, "_ip_json", ip)
    monkeypatch.setattr(state, "_lldp_json", lldp)
    monkeypatch.setattr(bed.twin, "netns", "pe2-test")  # a control plane to read
    return asked


def get(bed: Bed, *paths: str) -> list[Any]:
    reply = bed.rpc("get", commands=[{"path": p, "datastore": "state"} for p in paths])
    assert "error" not in reply, reply
    return reply["result"]  # type: ignore[no-any-return]


def recorded(test: str, index: int = 0) -> Any:
    (f,) = [p for p in (REF / test / "normal").iterdir() if p.name != "expected_result.json"]
    return json.loads(f.read_text())[index]


# leaves the recorded device did not have configured (or down ports did not show): YANG names checked
CONFIG_ONLY = frozenset({"description", "oper-down-reason", "import-policy", "export-policy"})


def same_shape(ours: Any, real: Any, where: str = "") -> None:
    """Every member we send is one the device sends at that place, with the same JSON type."""
    if isinstance(real, dict):
        assert isinstance(ours, dict), where
        for k, v in ours.items():
            if k in CONFIG_ONLY and k not in real:  # configured here, not on the recorded device
                continue
            assert k in real, f"{where}/{k} not in the device's reply"
            same_shape(v, real[k], f"{where}/{k}")
    elif isinstance(real, list):
        assert isinstance(ours, list), where
        if real and ours and isinstance(real[0], dict):
            union: dict[str, Any] = {}  # list entries differ (afi-safi evpn vs ipv4-unicast): all of them
            for e in real:
                union.update({k: v for k, v in e.items() if k not in union})
            for e in ours:
                same_shape(e, union, where + "[]")
    else:
        assert type(ours) is type(real), f"{where}: {ours!r} vs the device's {real!r}"


# ---- shapes against the recorded replies ---------------------------------------------------------------
def test_interfaces_have_the_devices_shape(bed: Bed, live: list[str]) -> None:
    itfs, info = get(bed, "/interface[name=*]", "/system/information")
    real = recorded("test_get_interfaces")
    assert list(itfs) == ["srl_nokia-interfaces:interface"]
    by_name = {i["name"]: i for i in itfs["srl_nokia-interfaces:interface"]}
    real_eth = real["srl_nokia-interfaces:interface"][0]
    same_shape(by_name["ethernet-1/1"], real_eth, "ethernet-1/1")
    same_shape(by_name["mgmt0"], real_eth, "mgmt0")
    e1 = by_name["ethernet-1/1"]
    for leaf in ("admin-state", "mtu", "oper-state", "last-change", "statistics", "ethernet", "subinterface"):
        assert leaf in e1
    lk = {x["ifname"]: x for x in links()}
    assert e1["oper-state"] == "up" and e1["mtu"] == 9232  # SR Linux's default port MTU (not configured)
    assert e1["ethernet"]["hw-mac-address"] == lk["e1-1"]["address"].upper()
    assert e1["statistics"]["in-octets"] == "48049" and e1["statistics"]["in-multicast-packets"] == "125"
    sub = e1["subinterface"][0]
    assert sub["name"] == "ethernet-1/1.0" and sub["ip-mtu"] == lk["e1-1"]["mtu"]
    assert sub["ipv4"]["address"] == [
        {"ip-prefix": "10.2.0.11/31", "origin": "static", "status": "preferred"}
    ]
    assert [a["type"] for a in sub["ipv6"]["address"]] == ["link-local-unicast"]
    assert by_name["system0"]["subinterface"][0]["ipv4"]["address"][0]["ip-prefix"] == "10.254.0.6/32"
    assert by_name["mgmt0"]["mtu"] == 1514
    assert "ip " + "-s -d addr show" in live and not any(c.startswith("show bgp") for c in live)
    assert set(info) >= {"version", "current-datetime", "last-booted", "description"}


def test_bgp_has_the_devices_shape(bed: Bed, live: list[str]) -> None:
    (got,) = get(bed, "/network-instance[name=*]/protocols/bgp")
    real = recorded("test_get_bgp_neighbors")
    (ni,) = [n for n in got["srl_nokia-network-instance:network-instance"] if n["name"] == "default"]
    bgp = ni["protocols"]["srl_nokia-bgp:bgp"]
    real_bgp = real["srl_nokia-network-instance:network-instance"][0]["protocols"]["srl_nokia-bgp:bgp"]
    ours = {k: v for k, v in bgp.items() if k not in ("neighbor", "group")}
    same_shape(ours, {k: v for k, v in real_bgp.items() if k not in ("neighbor", "group")}, "bgp")
    real_nbr = real_bgp["neighbor"][0]
    nbrs = {n["peer-address"]: n for n in bgp["neighbor"]}
    same_shape(
        {k: v for k, v in nbrs["10.254.0.1"].items() if k not in ("import-policy", "export-policy")},
        real_nbr,
        "neighbor",
    )
    up, down = nbrs["10.254.0.1"], nbrs["10.254.0.2"]  # the capture has the first only: FRR has no session
    assert up["session-state"] == "established" and up["peer-type"] == "ibgp" and up["peer-as"] == 65000
    assert up["peer-router-id"] == "10.255.0.2" and up["established-transitions"] == "1"
    assert up["afi-safi"] == [
        {
            "afi-safi-name": "srl_nokia-common:ipv4-unicast",
            "admin-state": "enable",
            "oper-state": "up",
            "received-routes": 1,
            "sent-routes": 2,
            "active-routes": 1,
        }
    ]
    assert up["transport"]["local-address"] == "10.2.0.11" and up["timers"]["negotiated-hold-time"] == 9
    assert down["session-state"] == "idle" and "peer-router-id" not in down
    assert bgp["router-id"] == "10.254.0.6" and bgp["oper-state"] == "up"
    assert bgp["statistics"]["total-peers"] == 2 and bgp["statistics"]["up-peers"] == 1
    assert bgp["statistics"]["total-active-routes"] == "1"
    assert "lldpcli" not in live and "show isis neighbor json" not in live


def test_lldp_has_the_devices_shape(bed: Bed, live: list[str]) -> None:
    (got,) = get(bed, "/system/lldp")
    real = recorded("test_get_lldp_neighbors")
    same_shape(got, real, "lldp")
    itfs = {i["name"]: i for i in got["interface"]}
    (nbr,) = itfs["ethernet-1/1"]["neighbor"]
    assert nbr["system-name"] == "vm" and nbr["port-id"] == "e1-1" and nbr["port-id-type"] == "INTERFACE_NAME"
    assert nbr["chassis-id"] == "7A:F6:97:66:72:50" and nbr["chassis-id-type"] == "MAC_ADDRESS"
    assert {"name": "srl_nokia-lldp-types:ROUTER", "enabled": True} in nbr["capability"]
    assert got["system-name"] == "pe2"


def test_isis_adjacencies_and_route_table(bed: Bed, live: list[str]) -> None:
    (isis,) = get(
        bed,
        "/network-instance[name=default]/protocols/isis/instance[name=*]/interface[interface-name=*]"
        "/adjacency[neighbor-system-id=*]",
    )
    insts = isis["instance"]
    itfs = {i["interface-name"]: i for i in insts[0]["interface"]}
    adj = itfs["ethernet-1/1.0"]["adjacency"]
    assert adj == [
        {
            "neighbor-system-id": "0102.5400.0001",
            "adjacency-level": "L2",
            "neighbor-hostname": "vm",
            "state": "up",
            "remaining-holdtime": 29,
        }
    ]
    (rt,) = get(bed, "/network-instance[name=default]/route-table/ipv4-unicast")
    assert list(rt) == ["srl_nokia-ip-route-tables:ipv4-unicast"] or "statistics" in rt
    table = rt.get("srl_nokia-ip-route-tables:ipv4-unicast", rt)
    assert table["statistics"] == {"active-routes": 12, "total-routes": "13"}
    types = {t["ip-route-type-name"]: t["active-routes"] for t in table["route-summary"]["route-type"]}
    assert types == {"srl_nokia-common:local": 8, "srl_nokia-common:isis": 3, "srl_nokia-common:bgp": 1}


def test_a_source_that_fails_fails_the_get(
    bed: Bed, live: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def down(twin: Any, cmd: str) -> Any:
        raise state.StateError(f"routing daemon did not answer '{cmd}'")

    monkeypatch.setattr(state, "_frr_json", down)
    reply = bed.rpc(
        "get", commands=[{"path": "/network-instance[name=default]/protocols/bgp", "datastore": "state"}]
    )
    assert reply["error"]["code"] == -1 and "routing daemon" in reply["error"]["message"]
    assert "result" not in reply
    get(bed, "/interface[name=ethernet-1/1]")  # the kernel still answers: interfaces need no FRR


# ---- NAPALM's getters over the twin --------------------------------------------------------------------
def test_napalm_getters(bed: Bed, live: list[str]) -> None:
    dev = bed.napalm()
    try:
        facts = dev.get_facts()
        itfs = dev.get_interfaces()
        ips = dev.get_interfaces_ip()
        bgp = dev.get_bgp_neighbors()
        lldp = dev.get_lldp_neighbors()
    finally:
        dev.close()
    assert facts["hostname"] == "pe2" and facts["vendor"] == "Nokia"
    assert {"ethernet-1/1", "ethernet-1/2", "system0", "mgmt0"} <= set(facts["interface_list"])
    assert facts["uptime"] >= 0
    e1 = itfs["ethernet-1/1"]
    assert e1["is_up"] and e1["is_enabled"] and e1["mtu"] == 9232 and e1["description"] == "to p1 1/1/c4/1"
    assert e1["mac_address"] == "DE:AE:6B:46:37:83" and e1["last_flapped"] >= 0
    assert ips["ethernet-1/1.0"]["ipv4"] == {"10.2.0.11": {"prefix_length": 31}}
    assert ips["system0.0"]["ipv4"] == {"10.254.0.6": {"prefix_length": 32}}
    peer = bgp["global"]["peers"]["10.254.0.1"]
    assert bgp["global"]["router_id"] == "10.254.0.6"
    assert peer["is_up"] and peer["remote_as"] == 65000 and peer["local_as"] == 65000
    assert peer["address_family"]["ipv4"] == {
        "received_prefixes": 1,
        "accepted_prefixes": 1,
        "sent_prefixes": 2,
    }
    assert 10 <= peer["uptime"] <= 60
    assert not bgp["global"]["peers"]["10.254.0.2"]["is_up"]
    assert lldp["ethernet-1/1"] == [{"hostname": "vm", "port": "e1-1"}]


# ---- pure renders -----------------------------------------------------------------------------------------
def test_ospf_neighbors_render_under_their_area_interface() -> None:
    tree = {
        "network-instance": [
            {
                "name": "default",
                "protocols": {
                    "ospf": {
                        "instance": [
                            {
                                "name": "main",
                                "area": [
                                    {
                                        "area-id": "0.0.0.0",
                                        "interface": [
                                            {"interface-name": "ethernet-1/1.0"},
                                            {"interface-name": "ethernet-1/3.0"},
                                        ],
                                    }
                                ],
                            }
                        ]
                    }
                },
            }
        ]
    }
    live = state.Live(now=1_800_000_000.0, boot=0.0, ospf=fx("frr_a_show_ip_ospf_neighbor.json"))
    out = state.render(tree, live)
    itfs = out["network-instance"][0]["protocols"]["ospf"]["instance"][0]["area"][0]["interface"]
    (nbr,) = itfs[0]["neighbor"]
    assert nbr["router-id"] == "10.255.0.2" and nbr["address"] == "10.254.0.1"
    assert nbr["adjacency-state"] == "full" and nbr["dead-time"] == 37
    assert nbr["last-established-time"] == state.stamp(1_800_000_000.0 - 3.459)
    assert "neighbor" not in itfs[1]
    pre = state.prefixed(nbr, "interface", "neighbor")
    assert pre["adjacency-state"] == "srl_nokia-ospf-types:full"


def test_last_change_follows_oper_state_changes() -> None:
    class T:
        boot_time = 100.0

    t = T()
    lk = links()
    assert state._track(t, lk, 200.0)["ethernet-1/1"] == 100.0  # up since boot
    assert state._track(t, lk, 300.0)["ethernet-1/1"] == 100.0
    lk[2]["flags"] = ["BROADCAST", "MULTICAST", "UP"]  # carrier lost
    assert lk[2]["ifname"] == "e1-1"
    assert state._track(t, lk, 400.0)["ethernet-1/1"] == 400.0


def test_no_namespace_no_live_sources(bed: Bed) -> None:
    assert asyncio.run(state.gather(bed.twin, set(state.SOURCES))) is None


def test_sources_follow_the_paths() -> None:
    assert state.sources_for(["/system/information"]) == set()
    assert state.sources_for(["/interface[name=*]/subinterface"]) == {"links"}
    assert state.sources_for(["/network-instance[name=*]/protocols/bgp/neighbor[peer-address=*]"]) == {"bgp"}
    assert state.sources_for(["/system/lldp"]) == {"lldp"}
    assert state.sources_for(["/"]) == set(state.SOURCES)


def test_reference_is_there() -> None:
    assert Path(REF).is_dir()
