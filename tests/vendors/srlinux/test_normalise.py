"""SR Linux state normalisers (fabric/vendors/srlinux/normalise.py) on the REAL recorded SR Linux JSON-RPC
replies (compared with napalm-srlinux's expected_result.json where the two overlap), on the twin's own
renders (twin/state.py) and through SrlinuxCollector with a fake JSON-RPC client."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fabric.state.collect import CollectOptions
from fabric.state.model import DeviceState
from fabric.vendors.srlinux import normalise
from fabric.vendors.srlinux.collector import SrlinuxCollector
from fabric.vendors.srlinux.twin import state

from .test_state_render import fx

REF = (
    Path(__file__).resolve().parents[3].parent
    / "shared"
    / "reference"
    / "napalm-mocked-community"
    / "srlinux"
)


def replies(test: str) -> list[Any]:
    (f,) = [p for p in (REF / test / "normal").iterdir() if p.name != "expected_result.json"]
    return json.loads(f.read_text())  # type: ignore[no-any-return]


def expected(test: str) -> Any:
    return json.loads((REF / test / "normal" / "expected_result.json").read_text())


def test_facts_from_the_real_reply() -> None:
    chassis, info, host, _itfs = replies("test_get_facts")
    f = normalise.facts(chassis, info, host)
    exp = expected("test_get_facts")
    assert (f.hostname, f.model, f.os_version, f.serial) == (
        exp["hostname"],
        exp["model"],
        exp["os_version"],
        exp["serial_number"] or None,
    )
    assert f.vendor == exp["vendor"]


def test_interfaces_from_the_real_reply() -> None:
    itfs, _info = replies("test_get_interfaces")
    got = normalise.interfaces(itfs)
    exp = expected("test_get_interfaces")
    for name, e in exp.items():
        assert got[name].admin_up == e["is_enabled"] and got[name].oper_up == e["is_up"], name
        assert (got[name].mac or "") == e["mac_address"]
    e1 = got["ethernet-1/1"]
    assert e1.mtu == 1500  # the IP MTU of subinterface 0, not the 9232 port MTU NAPALM reports
    assert e1.addresses == ["10.0.0.1/30", "2001:db8:0:1::1/64"]  # link-local left out
    ips = expected("test_get_interfaces_ip")
    assert {a.split("/")[0] for a in got["mgmt0"].addresses} == set(ips["mgmt0.0"]["ipv4"])
    assert got["ethernet-1/3"].addresses == [] and got["ethernet-1/4"].oper_up is False


def test_lldp_from_the_real_reply() -> None:
    (data,) = replies("test_get_lldp_neighbors_detail")
    got = normalise.lldp(data)
    exp = expected("test_get_lldp_neighbors_detail")
    assert {n.local_port for n in got} == set(exp)
    for n in got:
        (e,) = exp[n.local_port]
        assert (n.remote_system, n.remote_port, n.remote_chassis_id) == (
            e["remote_system_name"],
            e["remote_port"],
            e["remote_chassis_id"],
        )
        assert (n.remote_port_description or "") == e["remote_port_description"]


def test_bgp_from_the_real_reply() -> None:
    data, info = replies("test_get_bgp_neighbors")
    sessions, rid = normalise.bgp(data, info)
    exp = expected("test_get_bgp_neighbors")["global"]
    assert rid == exp["router_id"]
    (s,) = sessions
    e = exp["peers"][s.peer]
    assert (s.local_as, s.peer_as, s.established, s.enabled, s.description) == (
        e["local_as"],
        e["remote_as"],
        e["is_up"],
        e["is_enabled"],
        e["description"],
    )
    assert s.uptime is not None and int(s.uptime) == e["uptime"]  # NAPALM truncates
    assert s.state == "Established" and s.peer_router_id == "2.2.2.2" and s.local_address == "10.0.0.1"
    for afi, fam in (("ipv4-unicast", "ipv4"), ("ipv6-unicast", "ipv6")):
        c = s.prefixes[afi]
        # accepted: received less rejected, and this reply has no rejected-routes (napalm-srlinux's
        # accepted_prefixes is active-routes, which leaves out paths accepted but not in use; see
        # fabric/vendors/srlinux/normalise.py)
        assert (c.received, c.accepted, c.sent) == (
            e["address_family"][fam]["received_prefixes"],
            e["address_family"][fam]["received_prefixes"],
            e["address_family"][fam]["sent_prefixes"],
        )
        assert e["address_family"][fam]["accepted_prefixes"] <= c.accepted
    assert "evpn" not in s.prefixes  # disabled on the device: no counts
    assert s.last_error == "Cease / Other Configuration Change"


# ---- the twin's renders ----------------------------------------------------------------------------
def rendered() -> dict[str, Any]:
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
                                        "interface": [{"interface-name": "ethernet-1/1.0"}],
                                    }
                                ],
                            }
                        ]
                    },
                    "isis": {
                        "instance": [
                            {
                                "name": "FABRIC",
                                "interface": [
                                    {"interface-name": "ethernet-1/1.0"},
                                    {"interface-name": "ethernet-1/2.0"},
                                ],
                            }
                        ]
                    },
                },
            }
        ]
    }
    live = state.Live(
        now=1_800_000_000.0,
        boot=0.0,
        ospf=fx("frr_a_show_ip_ospf_neighbor.json"),
        isis=fx("frr_a_show_isis_neighbor.json"),
        isis_hosts="Level  System ID      Dynamic Hostname\n2      0102.5400.0001 vm\n",
    )
    return state.prefixed(state.render(tree, live))  # type: ignore[no-any-return]


def test_igps_from_the_twins_render() -> None:
    tree = rendered()
    (o,) = normalise.ospf(tree)
    assert (o.router_id, o.interface, o.state, o.area, o.address) == (
        "10.255.0.2",
        "ethernet-1/1",
        "Full",
        "0.0.0.0",
        "10.254.0.1",
    )
    adjs = normalise.isis(tree)
    assert [(a.interface, a.level, a.state, a.system_id, a.hostname) for a in adjs] == [
        ("ethernet-1/1", 2, "Up", "0102.5400.0001", "vm"),
        ("ethernet-1/2", 2, "Up", "0102.5400.0001", "vm"),
    ]
    assert all(a.instance == "FABRIC" for a in adjs)


# ---- the collector -----------------------------------------------------------------------------------
class FakeRpc:
    """napalm-srlinux's JSON-RPC client: get_paths answers the recorded replies by path."""

    class Datastore:
        STATE = "state"

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    def get_paths(self, paths: list[str], datastore: str) -> list[Any]:
        assert datastore == "state"
        self.asked += paths
        return [self.answers[p] for p in paths]


class FakeHost:
    name = "srl1"
    password = "not-shown"

    def __init__(self, device: Any, intent: Any = None) -> None:
        self.device = device
        self.data = {"platform": "srlinux", "intent": intent}

    def get_connection(self, kind: str, config: Any) -> Any:
        assert kind == "napalm"
        return type("Napalm", (), {"device": self.device})()


def test_collector_fills_every_section() -> None:
    chassis, info, host, itfs = replies("test_get_facts")
    bgp, _ = replies("test_get_bgp_neighbors")
    (lldp,) = replies("test_get_lldp_neighbors")
    tree = rendered()
    rpc = FakeRpc(
        {
            "/platform/chassis": chassis,
            "/system/information": info,
            "/system/name/host-name": host,
            "/interface[name=*]": itfs,
            "/system/lldp": lldp,
            "/network-instance[name=*]/protocols/bgp": bgp,
            "/network-instance[name=*]/protocols/ospf": tree,
            "/network-instance[name=*]/protocols/isis": tree,
        }
    )
    st = DeviceState(host="srl1", platform="srlinux")
    SrlinuxCollector(FakeHost(rpc), None, CollectOptions()).collect(st)
    assert st.errors == {}
    assert st.facts.hostname == "srl1" and "ethernet-1/1" in st.interfaces and st.bgp_router_id == "1.1.1.1"
    assert (
        len(st.lldp) == sum(len(v) for v in expected("test_get_lldp_neighbors").values())
        and st.bgp[0].established
        and st.ospf
        and len(st.isis) == 2
    )


def test_collector_section_error_and_intent() -> None:
    class Broken(FakeRpc):
        def get_paths(self, paths: list[str], datastore: str) -> list[Any]:
            if "bgp" in paths[0]:
                raise RuntimeError("Error: state not available: routing daemon did not answer (not-shown)")
            return super().get_paths(paths, datastore)

    chassis, info, host, itfs = replies("test_get_facts")
    (lldp,) = replies("test_get_lldp_neighbors")
    rpc = Broken(
        {
            "/platform/chassis": chassis,
            "/system/information": info,
            "/system/name/host-name": host,
            "/interface[name=*]": itfs,
            "/system/lldp": lldp,
        }
    )
    st = DeviceState(host="srl1", platform="srlinux")
    SrlinuxCollector(FakeHost(rpc, intent={"bgp": True}), None, CollectOptions()).collect(st)
    assert set(st.errors) == {"bgp"} and "not-shown" not in st.errors["bgp"]  # the password is masked
    assert not any("ospf" in p or "isis" in p for p in rpc.asked)  # the intent runs no IGP
