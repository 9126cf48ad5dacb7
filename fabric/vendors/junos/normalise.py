"""Junos NETCONF RPC replies -> state model.

Pure functions on the reply elements (lxml), namespace-agnostic: PyEZ strips Junos's namespaces
and ``junos:`` attribute prefixes from replies, a raw ncclient reply keeps them; both read the same.
Interface names stay Junos's (``ge-0/0/0``, ``lo0``); unit 0 (``ge-0/0/0.0``), where Junos keeps a
port's addresses and where protocols run, is folded into its port, as the intent names it.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Literal

from lxml import etree

from fabric.platforms import port_index
from fabric.state.model import (
    BgpSession,
    Facts,
    InterfaceState,
    IsisAdjacency,
    LldpNeighbor,
    OspfNeighbor,
    PrefixCounts,
)
from fabric.state.xml import kid as _kid
from fabric.state.xml import kids as _kids
from fabric.state.xml import local as _local
from fabric.state.xml import text as _t
from fabric.state.xml import to_int as _int


def _root(reply: Any) -> Any:
    """An lxml element from a reply (element, bytes or str); an ``rpc-reply`` wrapper is unwrapped."""
    el = (
        reply
        if hasattr(reply, "tag")
        else etree.fromstring(reply.encode() if isinstance(reply, str) else reply)
    )
    if _local(el) == "rpc-reply":
        kids = [c for c in el if isinstance(c.tag, str)]
        el = kids[0] if kids else el
    return el


def _attr(el: Any, name: str) -> str | None:
    """An attribute by local name (``seconds`` is ``junos:seconds`` on the wire, plain after PyEZ)."""
    if el is None:
        return None
    for k, v in el.attrib.items():
        if etree.QName(k).localname == name:
            return str(v)
    return None


def base_name(name: str) -> str:
    """``ge-0/0/0.0`` -> ``ge-0/0/0`` (unit 0 is the port); other units keep their number."""
    return name[:-2] if name.endswith(".0") else name


def _mac(value: str) -> str | None:
    """NAPALM's MAC format (08:00:27:E0:12:D2), as the NAPALM collectors report it."""
    digits = "".join(c for c in value if c.isalnum())
    if len(digits) != 12:
        return value or None
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2)).upper()


# ---- facts ----------------------------------------------------------------------------------
def facts(software: Any, inventory: Any = None) -> Facts:
    """``get-software-information`` (+ ``get-chassis-inventory`` for the serial number)."""
    sw = _root(software)
    if _local(sw) == "multi-routing-engine-results":  # dual-RE / VC boxes wrap it per RE
        sw = _kid(sw, "multi-routing-engine-item", "software-information")
    serial = _t(_root(inventory), "chassis", "serial-number") if inventory is not None else ""
    version = _t(sw, "junos-version")
    if not version:  # older releases: only the package comment "JUNOS Software Release [12.1X47]"
        comment = _t(sw, "package-information", "comment")
        version = comment[comment.find("[") + 1 : comment.find("]")] if "[" in comment else ""
    return Facts(
        hostname=_t(sw, "host-name") or None,
        vendor="Juniper",
        model=(_t(sw, "product-model") or "").upper() or None,
        os_version=version or None,
        serial=serial or None,
    )


# ---- interfaces -----------------------------------------------------------------------------
def _addresses(logical: Any) -> tuple[list[str], int | None]:
    """Addresses of a logical interface (``a.b.c.d/len``; no link-local) and its inet MTU."""
    addrs: list[str] = []
    mtu = None
    for af in _kids(logical, "address-family"):
        fam = _t(af, "address-family-name")
        if fam not in ("inet", "inet6"):
            continue
        if fam == "inet":
            mtu = _int(_t(af, "mtu"))
        for ia in _kids(af, "interface-address"):
            local = _t(ia, "ifa-local")
            if not local:
                continue
            if "/" in local:  # terse: ifa-local is address/len
                addr, _, plen = local.partition("/")
            else:
                dest = _t(ia, "ifa-destination")
                addr = local
                plen = dest.split("/")[1] if "/" in dest else ("32" if fam == "inet" else "128")
            try:
                ip = ipaddress.ip_address(addr)
            except ValueError:
                continue
            if ip.is_link_local or (ip.version == 6 and ip.ipv4_mapped is not None):
                continue
            addrs.append(f"{addr}/{plen}")
    return addrs, mtu


def interfaces(reply: Any) -> dict[str, InterfaceState]:
    """``get-interface-information`` (normal, detail or extensive; terse lacks MTU and MAC).

    MTU is the IP MTU, as the intent and the other platforms count it: unit 0's ``inet`` MTU, else
    the Ethernet media MTU minus its 14-byte header; loopbacks ("Unlimited") have none."""
    out: dict[str, InterfaceState] = {}
    for p in _kids(_root(reply), "physical-interface"):
        name = _t(p, "name")
        if not name:
            continue
        admin = _t(p, "admin-status") == "up"
        oper = _t(p, "oper-status") == "up"
        media = _int(_t(p, "mtu"))
        ethernet = _t(p, "link-level-type").lower().startswith("ethernet")
        state = InterfaceState(
            name=name,
            admin_up=admin,
            oper_up=oper,
            mtu=media - 14 if media and ethernet else None,
            description=_t(p, "description") or None,
            mac=_mac(_t(p, "current-physical-address")),
        )
        out[name] = state
        for lg in _kids(p, "logical-interface"):
            lname = _t(lg, "name")
            addrs, mtu = _addresses(lg)
            lg_down = _kid(lg, "if-config-flags", "iff-down") is not None or _t(lg, "admin-status") == "down"
            if lname == f"{name}.0":
                state.addresses += addrs
                state.mtu = mtu or state.mtu
                state.admin_up = state.admin_up and not lg_down
                state.description = state.description or _t(lg, "description") or None
            elif lname:
                out[lname] = InterfaceState(
                    name=lname,
                    admin_up=admin and not lg_down,
                    oper_up=oper and not lg_down,
                    mtu=mtu,
                    addresses=addrs,
                    description=_t(lg, "description") or None,
                )
    return dict(sorted(out.items()))


# ---- LLDP -----------------------------------------------------------------------------------
def lldp(reply: Any) -> list[LldpNeighbor]:
    """``get-lldp-neighbors-information``. The remote port: its port id when that names an interface,
    else its description (a MAC or an index as port id says nothing about cabling)."""
    out = []
    for e in _kids(_root(reply), "lldp-neighbor-information"):
        local = base_name(_t(e, "lldp-local-port-id") or _t(e, "lldp-local-interface"))
        pid, pdesc = _t(e, "lldp-remote-port-id"), _t(e, "lldp-remote-port-description")
        subtype = _t(e, "lldp-remote-port-id-subtype").lower()
        named = subtype in ("interface name", "locally assigned") or port_index(pid) is not None
        port = pid if pid and (named and (port_index(pid) is not None or port_index(pdesc) is None)) else ""
        out.append(
            LldpNeighbor(
                local_port=local,
                remote_system=_t(e, "lldp-remote-system-name") or _t(e, "lldp-remote-chassis-id"),
                remote_port=port or pdesc or pid,
                remote_port_description=pdesc or None,
                remote_chassis_id=_t(e, "lldp-remote-chassis-id") or None,
            )
        )
    return sorted(out, key=lambda n: (n.local_port, n.remote_system))


# ---- BGP ------------------------------------------------------------------------------------
def _afi(table: str) -> tuple[str | None, str]:
    """``inet.0`` -> (None, ipv4-unicast); ``blue.inet6.0`` -> (blue, ipv6-unicast)."""
    parts = table.split(".")
    vrf = parts[0] if len(parts) > 2 and parts[0] != "bgp" else None  # bgp.l3vpn.0: master's VPN table
    fam = parts[-2] if len(parts) >= 2 else table
    return vrf, {
        "inet": "ipv4-unicast",
        "inet6": "ipv6-unicast",
        "inetflow": "ipv4-flowspec",
        "l3vpn": "ipv4-vpn",
        "l3vpn-inet6": "ipv6-vpn",
        "evpn": "l2vpn-evpn",
    }.get(fam, fam)


def _vrf(instance: str | None) -> str:
    return "default" if instance in (None, "", "master") else str(instance)


def bgp(
    neighbors: Any, summary: Any = None, instance: str | None = None
) -> tuple[list[BgpSession], str | None]:
    """``get-bgp-neighbor-information`` (+ ``get-bgp-summary-information`` for the time in state).

    The VRF is the peer's ``peer-fwd-rti`` when the reply carries it, else ``instance`` (the
    routing instance the RPC asked for; master = default)."""
    uptimes: dict[str, int] = {}
    if summary is not None:
        for p in _kids(_root(summary), "bgp-peer"):
            secs = _int(_attr(_kid(p, "elapsed-time"), "seconds"))
            if secs is not None:
                uptimes[_t(p, "peer-address").split("+")[0]] = secs
    sessions: list[BgpSession] = []
    router_id: str | None = None
    for p in _kids(_root(neighbors), "bgp-peer"):
        peer = _t(p, "peer-address").split("+")[0]
        if not peer:
            continue
        state = _t(p, "peer-state") or "Unknown"
        vrf = _vrf(_t(p, "peer-fwd-rti") or instance)
        up = state == "Established"
        opts = _t(p, "bgp-option-information", "bgp-options-extended").lower().split()
        local_id = _t(p, "local-id")
        if vrf == "default" and local_id and router_id is None:
            router_id = local_id
        prefixes: dict[str, PrefixCounts] = {}
        for rib in _kids(p, "bgp-rib"):
            rib_vrf, afi = _afi(_t(rib, "name"))
            if _vrf(rib_vrf) != vrf:  # a VRF's table fed through this peer (VPN import): not its counts
                continue
            prefixes[afi] = PrefixCounts(
                received=_int(_t(rib, "received-prefix-count")),
                accepted=_int(_t(rib, "accepted-prefix-count")),
                sent=_int(_t(rib, "advertised-prefix-count")),
            )
        err = _t(p, "last-error")
        errors = [
            f"{_t(e, 'name')} (sent {_t(e, 'send-count')}, received {_t(e, 'receive-count')})"
            for e in _kids(p, "bgp-error")
        ]
        # bgp-error counts the NOTIFICATIONs per kind; last-error names the latest kind
        last_error = "; ".join(errors) or (err if err and err != "None" else None)
        sessions.append(
            BgpSession(
                vrf=vrf,
                peer=peer,
                local_address=_t(p, "local-address").split("+")[0] or None,
                local_as=_int(_t(p, "local-as")),
                peer_as=_int(_t(p, "peer-as")),
                state=state,
                enabled="shutdown" not in opts,
                description=_t(p, "description") or None,
                peer_router_id=_t(p, "peer-id") or None,
                uptime=float(uptimes[peer]) if up and peer in uptimes else None,
                prefixes=prefixes,
                last_error=last_error,
            )
        )
    return sorted(sessions, key=lambda s: (s.vrf, s.peer)), router_id


def router_id(route_summary: Any) -> str | None:
    """``get-route-summary-information``: the router ID even without an established BGP peer."""
    return _t(_root(route_summary), "router-id") or None


def instances(reply: Any) -> list[str]:
    """``get-instance-information``: routing instances (Junos's internal ``__...__`` ones left out)."""
    names = [_t(c, "instance-name") for c in _kids(_root(reply), "instance-core")]
    return [n for n in names if n and not n.startswith("__")]


# ---- IGPs -----------------------------------------------------------------------------------
_OSPF = {
    "full": "Full",
    "2way": "2-Way",
    "init": "Init",
    "down": "Down",
    "exstart": "ExStart",
    "exchange": "Exchange",
    "loading": "Loading",
    "attempt": "Attempt",
}


def ospf(reply: Any) -> list[OspfNeighbor]:
    """``get-ospf-neighbor-information`` (``extensive``/``detail`` add the area)."""
    out = []
    for e in _kids(_root(reply), "ospf-neighbor"):
        state = _t(e, "ospf-neighbor-state")
        out.append(
            OspfNeighbor(
                router_id=_t(e, "neighbor-id"),
                address=_t(e, "neighbor-address") or None,
                interface=base_name(_t(e, "interface-name")),
                state=_OSPF.get(state.lower(), state),
                area=_t(e, "ospf-area") or None,
            )
        )
    return sorted(out, key=lambda n: (n.vrf, n.interface, n.router_id))


def _level(v: str) -> int | Literal["1-2"]:
    return "1-2" if v in ("3", "1-2", "1/2") else int(v) if v.isdigit() else 2


def isis(reply: Any) -> list[IsisAdjacency]:
    """``get-isis-adjacency-information``. Junos shows the neighbor's host name when it knows it."""
    out = []
    for e in _kids(_root(reply), "isis-adjacency"):
        system = _t(e, "system-name")
        sysid = len(system) == 14 and system.count(".") == 2
        state = _t(e, "adjacency-state")
        out.append(
            IsisAdjacency(
                system_id=system if sysid else None,
                hostname=None if sysid else system or None,
                interface=base_name(_t(e, "interface-name")),
                level=_level(_t(e, "level")),
                state="Init" if state.lower().startswith("init") else state.capitalize(),
            )
        )
    return sorted(out, key=lambda a: (a.interface, str(a.level)))
