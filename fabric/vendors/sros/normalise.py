"""SR OS NETCONF ``<get>`` replies (nokia-state ``<state>`` and nokia-conf ``<configure>``) -> state model.

Pure functions on a reply (lxml element, ncclient reply, bytes or str), read by local name. SR OS answers
one ``<get>`` with both trees when the filter names both (what NAPALM's sros driver asks), so a function
reads what it needs from either: the operational leaves from ``state``, what only the configuration holds
(admin states, descriptions, addresses, the router interface's port, the BGP peer's group) from
``configure``. Only ``router "Base"`` (VRF ``default``) and VPRN services (VRF = service name) are read;
``router "management"`` is the out-of-band port, not part of the fabric.

Names: a router interface bound to a port is reported under the port's name (``1/1/c1/1``, the intent's
interface naming), with the router interface's addresses and IP MTU; IS-IS/OSPF adjacencies on it too.
A router interface without a port (``system``, loopbacks) keeps its own name.

Paths (nokia-state / nokia-conf, SR OS 24.10, nokia/7x50_YangModels latest_sros_24.10):
- facts: ``state/system/{oper-name,platform,up-time,version/version-number}``,
  ``state/chassis/hardware-data/serial-number``;
- interfaces: ``state/port/{oper-state,hardware-mac-address}``, ``configure/port/{admin-state,description,
  ethernet/mtu}``, ``state/router/interface/{oper-state|if-oper-status,oper-ip-mtu}``,
  ``configure/router/interface/{admin-state,description,port,ip-mtu,ipv4/primary,ipv4/secondary,
  ipv6/address}``;
- LLDP: ``state/port/ethernet/lldp/dest-mac/remote-system``;
- BGP: ``state/router/bgp/neighbor/statistics`` + ``configure/router/bgp/{neighbor,group}``;
- IS-IS: ``state/router/isis/interface/adjacency`` (+ ``isis/hostname`` for names);
- OSPF: ``state/router/ospf/area/interface/neighbor-state``, ``ospf/oper-router-id``;
- routes: ``state/router/route-table/unicast/ipv4/statistics/<protocol>/active-routes``.
"""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime
from typing import Any, Literal

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
from fabric.state.xml import all_named as _all
from fabric.state.xml import kid as _kid
from fabric.state.xml import kids as _kids
from fabric.state.xml import local as _local
from fabric.state.xml import path as _path
from fabric.state.xml import root as _root
from fabric.state.xml import text as _t
from fabric.state.xml import to_int as _int

# The generic reply readers (reply -> element, descendants and paths by local name) live with the IOS-XR
# normaliser; they are not XR-specific.

BASE = "Base"
ETHERNET_HEADER = 14  # SR OS port `ethernet mtu` is the L2 MTU (9212 default): IP MTU = mtu - 14


def _tops(replies: tuple[Any, ...], name: str) -> list[Any]:
    """The ``<state>`` or ``<configure>`` trees of one or more replies."""
    return [e for r in replies if r is not None for e in _all(_root(r), name)]


def _routers(top: Any) -> list[tuple[str, Any]]:
    """(VRF, router-or-vprn element) for ``router "Base"`` and every VPRN below a state/configure tree."""
    out = [("default", r) for r in _kids(top, "router") if _t(r, "router-name") in ("", BASE)]
    out += [(_t(v, "service-name") or _t(v, "oper-service-id"), v) for v in _path(top, "service", "vprn")]
    return out


def _base(tops: list[Any]) -> list[Any]:
    return [r for top in tops for vrf, r in _routers(top) if vrf == "default"]


def _mac(value: str) -> str | None:
    """SR OS's ``a4:92:cb:aa:0e:69`` -> ``A4:92:CB:AA:0E:69`` (NAPALM's and the other normalisers' form)."""
    digits = "".join(c for c in value if c.isalnum())
    if len(digits) != 12:
        return value or None
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2)).upper()


# ---- facts ------------------------------------------------------------------------------------
def facts(reply: Any) -> Facts:
    """``state/system`` (name, platform, version) and the chassis serial number."""
    st = next(iter(_tops((reply,), "state")), None)
    return Facts(
        hostname=_t(st, "system", "oper-name") or None,
        vendor="Nokia",
        model=_t(st, "system", "platform") or None,
        os_version=_t(st, "system", "version", "version-number") or None,
        serial=_t(st, "chassis", "hardware-data", "serial-number") or None,
    )


def uptime(reply: Any) -> float | None:
    """Seconds since boot (``system/up-time`` is in milliseconds)."""
    st = next(iter(_tops((reply,), "state")), None)
    ms = _int(_t(st, "system", "up-time"))
    return ms / 1000 if ms is not None else None


# ---- interfaces -------------------------------------------------------------------------------
def router_ports(*replies: Any) -> dict[str, str]:
    """``router "Base"`` interface name -> its port (``configure/router/interface/port``)."""
    out: dict[str, str] = {}
    for r in _base(_tops(replies, "configure")):
        for i in _kids(r, "interface"):
            if (name := _t(i, "interface-name")) and (port := _t(i, "port")):
                out[name] = port
    return out


def _addresses(itf: Any) -> list[str]:
    """The configured IPv4 primary/secondary and global IPv6 addresses of a router interface."""
    v4 = _kid(itf, "ipv4")
    pairs = [(_t(v4, "primary", "address"), _t(v4, "primary", "prefix-length"))]
    pairs += [(_t(s, "address"), _t(s, "prefix-length")) for s in _kids(v4, "secondary")]
    pairs += [(_t(a, "ipv6-address"), _t(a, "prefix-length")) for a in _path(itf, "ipv6", "address")]
    out = []
    for addr, plen in pairs:
        try:
            ip = ipaddress.ip_address(addr)
        except ValueError:
            continue
        if plen.isdigit() and not ip.is_link_local:
            out.append(f"{addr}/{plen}")
    return out


def interfaces(*replies: Any) -> dict[str, InterfaceState]:
    """Ports and ``router "Base"`` interfaces (one or more replies holding ``state`` and ``configure``).

    A port is admin up when configured ``admin-state enable`` (SR OS's port default is disable), oper up
    when ``state/port/oper-state`` is ``up``. A router interface is admin up unless ``admin-state
    disable`` (its default is enable), oper up when its ``oper-state`` (``if-oper-status`` on 19.x) is up.
    A router interface on a port is merged into the port's entry: both must be up, and the entry takes
    the interface's addresses and IP MTU (``oper-ip-mtu``, else ``ip-mtu``, else port MTU - 14)."""
    states, confs = _tops(replies, "state"), _tops(replies, "configure")
    ports: dict[str, dict[str, Any]] = {}
    for top in states:
        for p in _kids(top, "port"):
            if pid := _t(p, "port-id"):
                d = ports.setdefault(pid, {})
                d["oper"] = _t(p, "oper-state") == "up"
                d["mac"] = _mac(_t(p, "hardware-mac-address"))
    for top in confs:
        for p in _kids(top, "port"):
            if pid := _t(p, "port-id"):
                d = ports.setdefault(pid, {})
                d["admin"] = _t(p, "admin-state") == "enable"
                d["description"] = _t(p, "description") or None
                d["mtu"] = _int(_t(p, "ethernet", "mtu"))
    base_mac = next((m for top in states if (m := _t(top, "chassis", "hardware-data", "base-mac-address"))),
                    "")
    rifs: dict[str, dict[str, Any]] = {}
    for r in _base(states):
        for i in _kids(r, "interface"):
            if name := _t(i, "interface-name"):
                up = (_t(i, "oper-state") or _t(i, "if-oper-status")) == "up"
                rifs.setdefault(name, {}).update(oper=up, ip_mtu=_int(_t(i, "oper-ip-mtu")))
    for r in _base(confs):
        for i in _kids(r, "interface"):
            if name := _t(i, "interface-name"):
                rifs.setdefault(name, {}).update(
                    admin=_t(i, "admin-state") != "disable", description=_t(i, "description") or None,
                    port=_t(i, "port") or None, cfg_mtu=_int(_t(i, "ip-mtu")), addresses=_addresses(i),
                    mac=_mac(_t(i, "mac")) if _t(i, "mac") else None)
    out: dict[str, InterfaceState] = {}
    for pid, d in ports.items():
        out[pid] = InterfaceState(name=pid, admin_up=bool(d.get("admin")), oper_up=bool(d.get("oper")),
                                  mtu=d["mtu"] - ETHERNET_HEADER if d.get("mtu") else None,
                                  description=d.get("description"), mac=d.get("mac"))
    for name, d in rifs.items():
        port = d.get("port")
        key = port if port else name
        on_port = out.get(port) if port else None
        ip_mtu = d.get("ip_mtu") or d.get("cfg_mtu")
        admin = d.get("admin", True)
        oper = bool(d.get("oper"))
        if on_port is not None:  # the port's entry carries its router interface's L3 view
            on_port.admin_up = on_port.admin_up and admin
            on_port.oper_up = on_port.oper_up and oper
            on_port.addresses = d.get("addresses", [])
            on_port.mtu = ip_mtu or on_port.mtu
            on_port.description = on_port.description or d.get("description")
            continue
        out[key] = InterfaceState(name=key, admin_up=admin, oper_up=oper, mtu=ip_mtu,
                                  addresses=d.get("addresses", []), description=d.get("description"),
                                  mac=d.get("mac") or (_mac(base_mac) if base_mac else None))
    return dict(sorted(out.items()))


def interface_detail(*replies: Any) -> tuple[dict[str, bool], dict[str, dict[str, Any]]]:
    """Gate facts: ({name: oper up}, {name: {"admin_up", "mtu"}}) from :func:`interfaces`.

    ``mtu`` is the IP MTU (the router interface's ``ip-mtu`` where there is one)."""
    itfs = interfaces(*replies)
    return ({n: i.oper_up for n, i in itfs.items()},
            {n: {"admin_up": i.admin_up, "mtu": i.mtu} for n, i in itfs.items()})


# ---- LLDP -------------------------------------------------------------------------------------
def lldp(reply: Any) -> list[LldpNeighbor]:
    """``state/port/ethernet/lldp/dest-mac/remote-system`` of every port.

    The remote port: its port id when that names an interface, else its description (SR OS sends its
    ifIndex as port id and ``1/1/c1/1, 100-Gig Ethernet`` as default description: the first word is the
    port), else the port id as sent. An entry without chassis id (a mandatory TLV) is no neighbor."""
    out = []
    for top in _tops((reply,), "state"):
        for p in _kids(top, "port"):
            local = _t(p, "port-id")
            for rs in _path(p, "ethernet", "lldp", "dest-mac", "remote-system"):
                chassis = _t(rs, "chassis-id")
                if not local or not chassis:
                    continue
                pid, pdesc = _t(rs, "remote-port-id"), _t(rs, "port-description")
                first = pdesc.split(",")[0].strip()
                port = next((c for c in (pid, pdesc, first) if port_index(c) is not None), pid or pdesc)
                out.append(LldpNeighbor(local_port=local, remote_system=_t(rs, "system-name") or chassis,
                                        remote_port=port, remote_port_description=pdesc or None,
                                        remote_chassis_id=_mac(chassis) if chassis else None))
    return sorted(out, key=lambda n: (n.local_port, n.remote_system, n.remote_port))


# ---- BGP --------------------------------------------------------------------------------------
_FAMILY = {"ipv4": "ipv4-unicast", "ipv6": "ipv6-unicast", "vpn-ipv4": "ipv4-vpn", "vpn-ipv6": "ipv6-vpn",
           "evpn": "l2vpn-evpn", "label-ipv4": "ipv4-labeled-unicast", "label-ipv6": "ipv6-labeled-unicast"}
# session-state is free text on SR OS (``show router bgp neighbor``'s State): RFC 4271 names
_STATE = {s.lower(): s for s in ("Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established")}


def _when(value: str) -> datetime | None:
    """yang:date-and-time (``2022-10-12T01:07:50.6Z``) -> aware datetime."""
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


def _bgp_config(conf_router: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """(neighbors by address, groups by name, router-level {"as", "admin"}) of one router's configure."""
    bgp = _kid(conf_router, "bgp")
    nbrs = {_t(n, "ip-address"): n for n in _kids(bgp, "neighbor")}
    groups = {_t(g, "group-name"): g for g in _kids(bgp, "group")}
    asn = _t(bgp, "local-as", "as-number") or _t(conf_router, "autonomous-system")
    return nbrs, groups, {"as": asn, "admin": _t(bgp, "admin-state")}


def _first(elements: list[Any], *path: str) -> str:
    return next((v for e in elements if e is not None and (v := _t(e, *path))), "")


def bgp(reply: Any, now: datetime | None = None) -> tuple[list[BgpSession], str | None]:
    """Sessions of ``router "Base"`` (VRF default) and every VPRN, and router Base's ``oper-router-id``.

    Peer AS, local AS, description and admin state come from the neighbor's configuration, else its
    group's (SR OS inherits them), peer AS from the session when it is up. ``accepted`` is ``received``
    less ``rejected`` (import policy) when the reply has it, else ``active`` (NAPALM's reading)."""
    now = now or datetime.now(UTC)
    confs: dict[str, Any] = {}
    for top in _tops((reply,), "configure"):
        for vrf, r in _routers(top):
            confs.setdefault(vrf, r)
    sessions: dict[str, BgpSession] = {}
    router_id = None
    for top in _tops((reply,), "state"):
        for vrf, r in _routers(top):
            rid = _t(r, "oper-router-id")
            if vrf == "default" and rid and rid != "0.0.0.0" and router_id is None:
                router_id = rid
            nbrs, groups, glob = _bgp_config(confs.get(vrf))
            for n in _path(r, "bgp", "neighbor"):
                peer = _t(n, "ip-address")
                if not peer:
                    continue
                st = _kid(n, "statistics")
                cn = nbrs.get(peer)
                cg = groups.get(_t(cn, "group")) if cn is not None else None
                cfg = [cn, cg]
                raw = _t(st, "session-state")
                state = _STATE.get(raw.lower(), raw or "Idle")
                up = state == "Established"
                prefixes: dict[str, PrefixCounts] = {}
                for fam in _path(st, "family-prefix", "*"):
                    name = _local(fam)
                    received, rejected = _int(_t(fam, "received")), _int(_t(fam, "rejected"))
                    accepted = (received - rejected if received is not None and rejected is not None
                                else _int(_t(fam, "active")))
                    prefixes[_FAMILY.get(name, name)] = PrefixCounts(received=received, accepted=accepted,
                                                                     sent=_int(_t(fam, "sent")))
                since = _when(_t(st, "last-established-time"))
                local = _t(st, "operational-local-address")
                peer_id = _t(st, "peer-identifier")
                admin = [_t(cn, "admin-state"), _t(cg, "admin-state"), glob["admin"]]
                error = _t(st, "last-error")
                s = BgpSession(
                    vrf=vrf,
                    peer=peer,
                    local_address=local if local and local not in ("0.0.0.0", "::") else None,
                    local_as=_int(_first(cfg, "local-as", "as-number") or glob["as"]),
                    peer_as=_int(_t(st, "peer-as")) or _int(_first(cfg, "peer-as")),
                    state=state,
                    enabled="disable" not in admin,
                    description=_first(cfg, "description") or None,
                    peer_router_id=peer_id if peer_id and peer_id != "0.0.0.0" else None,
                    uptime=max(0.0, (now - since).total_seconds()) if up and since else None,
                    prefixes=prefixes,
                    last_error=error if error and not up and error.lower() not in ("none", "n/a") else None,
                )
                sessions.setdefault(s.key, s)
    return sorted(sessions.values(), key=lambda s: (s.vrf, s.peer)), router_id


def bgp_peers(sessions: list[BgpSession]) -> dict[str, dict[str, Any]]:
    """Gate facts' ``bgp_peers``: {peer ip: {"up", "remote_as", "uptime"}} (the default VRF wins a clash)."""
    out: dict[str, dict[str, Any]] = {}
    for s in sorted(sessions, key=lambda s: s.vrf != "default"):
        out.setdefault(s.peer, {"up": s.established, "remote_as": s.peer_as, "uptime": s.uptime})
    return out


# ---- IS-IS ------------------------------------------------------------------------------------
_ISIS_STATE = {"up": "Up", "initializing": "Init", "failed": "Down", "down": "Down"}
_ISIS_LEVEL: dict[str, int | Literal["1-2"]] = {"level1": 1, "level2": 2, "level1and2": "1-2",
                                                  "level1-l2": "1-2"}


def isis(reply: Any) -> list[IsisAdjacency]:
    """``state/router[Base]/isis[isis-instance]/interface/adjacency``: state from ``oper-state``, level
    from ``usage`` (the levels the adjacency serves), the neighbour's system ID and, from the instance's
    ``hostname`` table, its dynamic host name; interfaces under their port's name."""
    ports = router_ports(reply)
    out = []
    for r in _base(_tops((reply,), "state")):
        for inst in _kids(r, "isis"):
            hosts = {_t(h, "system-id"): _t(h, "host-name") for h in _kids(inst, "hostname")}
            for itf in _kids(inst, "interface"):
                name = _t(itf, "interface-name")
                for a in _kids(itf, "adjacency"):
                    sysid = _t(a, "neighbor", "system-id")
                    level = _ISIS_LEVEL.get(_t(a, "usage")) or _ISIS_LEVEL.get(_t(a, "level"), 2)
                    oper = _t(a, "oper-state")
                    out.append(IsisAdjacency(
                        instance=_t(inst, "isis-instance") or None, system_id=sysid or None,
                        hostname=hosts.get(sysid) or None, interface=ports.get(name, name), level=level,
                        state=_ISIS_STATE.get(oper, oper.capitalize() or "Down")))
    return sorted(out, key=lambda a: (a.interface, str(a.level), a.system_id or ""))


def isis_counts(reply: Any) -> dict[str, int] | None:
    """Gate facts' ``isis``: {"up", "total"} adjacencies; None when router Base runs no IS-IS instance."""
    if not any(_kids(r, "isis") for r in _base(_tops((reply,), "state"))):
        return None
    adj = isis(reply)
    return {"up": sum(a.state == "Up" for a in adj), "total": len(adj)}


# ---- OSPF -------------------------------------------------------------------------------------
_OSPF_STATE = {"down": "Down", "attempt": "Attempt", "init": "Init", "two-way": "2-Way",
               "exchange-start": "ExStart", "exchange": "Exchange", "loading": "Loading", "full": "Full"}


def ospf(reply: Any) -> tuple[list[OspfNeighbor], str | None]:
    """``state/router[Base]/ospf[ospf-instance]/area/interface/neighbor-state`` (OSPFv2) and the first
    ``oper-router-id``; interfaces under their port's name."""
    ports = router_ports(reply)
    out: dict[tuple[str, str], OspfNeighbor] = {}
    rid = None
    for r in _base(_tops((reply,), "state")):
        for inst in _kids(r, "ospf"):
            r_id = _t(inst, "oper-router-id")
            if r_id and r_id != "0.0.0.0" and rid is None:
                rid = r_id
            for area in _kids(inst, "area"):
                for itf in _kids(area, "interface"):
                    name = _t(itf, "interface-name")
                    # neighbor-state: the adjacencies (keyed by router ID); neighbor: NBMA configured ones
                    for n in _kids(itf, "neighbor-state") or _kids(itf, "neighbor"):
                        router_id = _t(n, "router-id")
                        if not router_id or not name:
                            continue
                        oper = _t(n, "oper-state")
                        nb = OspfNeighbor(router_id=router_id, address=_t(n, "address") or None,
                                          interface=ports.get(name, name), area=_t(area, "area-id") or None,
                                          state=_OSPF_STATE.get(oper, oper.capitalize() or "Down"))
                        out.setdefault((nb.interface, router_id), nb)
    return sorted(out.values(), key=lambda n: (n.interface, n.router_id)), rid


def ospf_counts(reply: Any) -> dict[str, int] | None:
    """Gate facts' ``ospf``: {"up" (Full), "total"}; None when router Base runs no OSPF instance."""
    if not any(_kids(r, "ospf") for r in _base(_tops((reply,), "state"))):
        return None
    nbrs, _ = ospf(reply)
    return {"up": sum(n.state == "Full" for n in nbrs), "total": len(nbrs)}


# ---- routes -----------------------------------------------------------------------------------
def route_count(reply: Any) -> int:
    """Active IPv4 unicast routes of router Base (``show router route-table summary``'s Total Active):
    the sum of the protocols' ``active-routes``, without the LFA and backup path counters (those
    routes are counted under their protocol already)."""
    total = 0
    for r in _base(_tops((reply,), "state")):
        for stats in _path(r, "route-table", "unicast", "ipv4", "statistics"):
            for proto in stats:
                name = _local(proto)
                if name.endswith(("-lfa", "-backup")):
                    continue
                total += _int(_t(proto, "active-routes")) or 0
    return total
