"""Junos normalisers on REAL recorded replies (NAPALM's mocked data, compared with NAPALM's expected
results) and on the twin's rendered replies (values in == values out, wire namespaces kept)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from lxml import etree

from fabric.vendors.junos import normalise
from fabric.vendors.junos.twin import oper

from .test_oper_render import IFACES, ISIS, NBRS, OSPF, PEERS, REF, live

__all__ = ["live"]  # the fixture that stands in for the twin's live sources


def _read(*parts: str) -> bytes:
    return REF.joinpath(*parts).read_bytes()


def _expected(*parts: str) -> Any:
    return json.loads(REF.joinpath(*parts, "expected_result.json").read_text())


@pytest.mark.parametrize("case", ["normal", "iffdown"])
def test_interfaces_real(case: str) -> None:
    reply = _read("test_get_interfaces", case, "get-interface-information.xml")
    got = normalise.interfaces(reply)
    want = _expected("test_get_interfaces", case)
    phys = {e.findtext("name").strip(): e for e in etree.fromstring(reply).iter("physical-interface")}
    assert set(phys) <= set(got)
    for name in phys:
        w, g = want[name], got[name]
        # a disabled unit 0 (iff-down) disables the port's routing: state says admin down, NAPALM
        # keeps the physical flag
        unit0 = want.get(f"{name}.0", {"is_enabled": True})
        assert (g.admin_up, g.oper_up) == (w["is_enabled"] and unit0["is_enabled"], w["is_up"]), name
        assert (g.description or "") == w["description"], name
        assert g.mac == (w["mac_address"] if w["mac_address"] not in ("", "None") else None), name
        # NAPALM reports the media MTU; state keeps the IP MTU the intent speaks of
        if phys[name].findtext("link-level-type", "").startswith("Ethernet") and w["mtu"]:
            inet = [
                m
                for m in phys[name].iterfind(f"logical-interface[name='{name}.0']/address-family/mtu")
                if m.getparent().findtext("address-family-name") == "inet" and m.text.strip().isdigit()
            ]
            assert g.mtu == (int(inet[0].text) if inet else w["mtu"] - 14), name
    # other units stay separate; unit 0 is folded into its port
    other = [n for n in want if "." in n and not n.endswith(".0") and n.split(".")[0] in phys]
    assert other and all(n in got for n in other)
    assert not any(n.endswith(".0") for n in got if n.split(".")[0] in phys)


def test_interfaces_real_addresses() -> None:
    got = normalise.interfaces(_read("test_get_interfaces", "normal", "get-interface-information.xml"))
    with_addr = {n: i.addresses for n, i in got.items() if i.addresses}
    assert with_addr, "the recording has addressed interfaces"
    flat = [a for v in with_addr.values() for a in v]
    assert "192.168.0.1/31" in flat
    assert not any(a.startswith("fe80") or a.startswith("::ffff:") for a in flat)


@pytest.mark.parametrize("case", ["normal", "old_without_remote_port_id"])
def test_lldp_real(case: str) -> None:
    got = normalise.lldp(_read("test_get_lldp_neighbors", case, "get-lldp-neighbors-information.xml"))
    want = _expected("test_get_lldp_neighbors", case)
    # NAPALM keys by the local name as reported (ge-0/0/0.0); state folds unit 0 into the port
    assert {n.local_port for n in got} == {normalise.base_name(k) for k in want}
    for k, nbrs in want.items():
        g = next(n for n in got if n.local_port == normalise.base_name(k))
        assert g.remote_system == nbrs[0]["hostname"]
        assert g.remote_port in (nbrs[0]["port"], g.remote_port_description)
    assert next(n for n in got if n.local_port == "xe-0/1/0").remote_port == "xe-0/0/0"


@pytest.mark.parametrize("case", ["normal", "pr_581", "use-send-state-pr209"])
def test_bgp_real(case: str) -> None:
    want = _expected("test_get_bgp_neighbors", case)
    inst = normalise.instances(_read("test_get_bgp_neighbors", case, "get-instance-information.xml"))
    sessions: dict[tuple[str, str], Any] = {}
    rids: dict[str, str | None] = {}
    for i in inst:
        try:
            nb = _read("test_get_bgp_neighbors", case, f"get-bgp-neighbor-information{i}.xml")
        except FileNotFoundError:
            continue
        try:
            sm: bytes | None = _read("test_get_bgp_neighbors", case, f"get-bgp-summary-information{i}.xml")
        except FileNotFoundError:
            sm = None
        got, rid = normalise.bgp(nb, sm, instance=i)
        rids[normalise._vrf(i)] = rid
        sessions.update({(s.vrf, s.peer): s for s in got})
    for vrf, data in want.items():
        v = "default" if vrf == "global" else vrf
        if v == "default":
            assert rids["default"] == data["router_id"]
        for peer, p in data["peers"].items():
            s = sessions[(v, peer)]
            assert s.established == p["is_up"], peer
            assert s.enabled == p["is_enabled"], peer
            assert (s.peer_as, s.local_as) == (p["remote_as"], p["local_as"]), peer
            assert (s.description or "") == p["description"], peer
            assert (s.peer_router_id or "") == p["remote_id"], peer
            if p["is_up"]:
                assert s.uptime == p["uptime"], peer
            for fam, c in p["address_family"].items():
                if c["received_prefixes"] != -1:
                    pc = s.prefixes[f"{fam}-unicast"]
                    assert (pc.received, pc.accepted) == (c["received_prefixes"], c["accepted_prefixes"]), (
                        peer
                    )
    assert sum(len(d["peers"]) for d in want.values()) <= len(sessions)


def test_bgp_last_error_real() -> None:
    got, _ = normalise.bgp(
        _read("test_get_bgp_neighbors", "normal", "get-bgp-neighbor-informationmaster.xml")
    )
    by = {s.peer: s for s in got}
    assert by["192.169.1.0"].state == "Active"
    assert by["192.169.1.0"].last_error == "Cease (sent 6, received 4)"
    assert by["10.3.1.254"].last_error is None
    assert by["10.3.1.254"].local_address == "10.3.1.1"  # the +port is not part of the address


# ---- the twin's renders, with Junos's namespaces as they go over the wire ---------------------
def test_twin_interfaces() -> None:
    got = normalise.interfaces(oper.render_interfaces(IFACES, "normal"))
    assert set(got) == {"ge-0/0/0", "ge-0/0/1", "lo0"}
    ge0 = got["ge-0/0/0"]
    assert (ge0.admin_up, ge0.oper_up, ge0.mtu, ge0.addresses) == (True, True, 9000, ["10.0.0.1/31"])
    assert ge0.description == "to spine1 ge-0/0/3" and ge0.mac == "AA:C1:AB:00:00:01"
    assert (got["ge-0/0/1"].admin_up, got["ge-0/0/1"].oper_up) == (False, False)
    assert got["lo0"].addresses == ["10.255.0.1/32"] and got["lo0"].mtu is None
    # the terse form (no MTU) still gives states and addresses
    terse = normalise.interfaces(oper.render_interfaces(IFACES, "terse"))
    assert terse["ge-0/0/0"].addresses == ["10.0.0.1/31"] and terse["ge-0/0/1"].admin_up is False


def test_twin_lldp_bgp_igp() -> None:
    (n,) = normalise.lldp(oper.render_lldp(NBRS))
    assert (n.local_port, n.remote_system, n.remote_port, n.remote_port_description) == (
        "ge-0/0/0",
        "spine1",
        "ge-0/0/3",
        "to leaf1",
    )
    sessions, rid = normalise.bgp(oper.render_bgp_neighbors(PEERS), oper.render_bgp_summary(PEERS), "master")
    assert rid == "10.255.0.1"
    up, down = sessions
    assert (up.peer, up.state, up.peer_as, up.local_as, up.uptime, up.peer_router_id) == (
        "10.0.0.0",
        "Established",
        65000,
        65001,
        3723.0,
        "10.255.0.100",
    )
    assert up.local_address == "10.0.0.1" and up.prefixes["ipv4-unicast"].sent == 4
    assert (down.peer, down.state, down.enabled) == ("10.0.0.2", "Idle", False)
    assert normalise.router_id(oper.render_route_summary([], "10.255.0.1", "65001")) == "10.255.0.1"
    assert normalise.instances(oper.render_instances(3)) == ["master"]
    (o,) = normalise.ospf(oper.render_ospf(OSPF, detail=True))
    assert (o.interface, o.router_id, o.state, o.area, o.address) == (
        "ge-0/0/0",
        "10.255.0.100",
        "Full",
        "0.0.0.0",
        "10.0.0.0",
    )
    (a,) = normalise.isis(oper.render_isis(ISIS))
    assert (a.interface, a.hostname, a.level, a.state) == ("ge-0/0/0", "spine1", 2, "Up")
    assert normalise.ospf(oper.render_ospf(None)) == [] and normalise.isis(oper.render_isis(None)) == []


def test_facts_from_rpc_replies() -> None:
    ver = oper.JUNOS_VERSION
    sw = (
        f"<rpc-reply><software-information><host-name>leaf1</host-name><product-model>vmx</product-model>"
        f"<junos-version>{ver}</junos-version></software-information></rpc-reply>"
    )
    inv = "<chassis-inventory><chassis><serial-number>VM123</serial-number></chassis></chassis-inventory>"
    f = normalise.facts(sw, inv)
    assert (f.hostname, f.vendor, f.model, f.os_version, f.serial) == (
        "leaf1",
        "Juniper",
        "VMX",
        ver,
        "VM123",
    )
    old = (
        "<software-information><host-name>r</host-name><package-information><name>junos</name>"
        "<comment>JUNOS Software Release [12.1X47-D20.7]</comment></package-information>"
        "</software-information>"
    )
    assert normalise.facts(old).os_version == "12.1X47-D20.7"


@pytest.mark.usefixtures("live")
def test_collector_sections() -> None:
    """JunosCollector end to end on the twin's renders through a PyEZ-like device (the RPCs it sends)."""
    from fabric.state.collect import CollectOptions
    from fabric.state.model import DeviceState
    from fabric.vendors.junos.collector import JunosCollector

    from .test_oper_render import FakeDevice

    fake = FakeDevice()
    sw = "<software-information><host-name>leaf1</host-name><product-model>vmx</product-model>"
    sw += "</software-information>"

    class Napalm:
        device = fake

    class Host:
        name, data = "leaf1", {"intent": {"ospf": True, "isis": True}}

        def get_connection(self, kind: str, config: Any) -> Any:
            return Napalm()

    orig = fake.rpc.__class__.__getattr__

    def rpc_attr(self: Any, name: str) -> Any:
        if name == "get_software_information":
            return lambda **kw: etree.fromstring(sw)
        if name == "get_chassis_inventory":
            raise RuntimeError("no inventory")
        return orig(self, name)

    fake.rpc.__class__.__getattr__ = rpc_attr  # type: ignore[method-assign]
    try:
        st = DeviceState(host="leaf1", platform="junos")
        JunosCollector(Host(), None, CollectOptions()).collect(st)
    finally:
        fake.rpc.__class__.__getattr__ = orig  # type: ignore[method-assign]
    assert st.errors == {}
    assert st.facts.hostname == "leaf1" and st.facts.serial is None
    assert st.interfaces["ge-0/0/0"].addresses == ["10.0.0.1/31"] and st.interfaces["ge-0/0/0"].mtu == 9000
    assert [n.local_port for n in st.lldp] == ["ge-0/0/0"]
    assert st.bgp_router_id == "10.255.0.1" and [s.peer for s in st.bgp] == ["10.0.0.0", "10.0.0.2"]
    assert st.ospf[0].area == "0.0.0.0" and st.isis[0].interface == "ge-0/0/0"
    assert ("get-ospf-neighbor-information", {"extensive": True}) in fake.calls
