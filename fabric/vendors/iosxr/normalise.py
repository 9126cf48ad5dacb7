"""IOS-XR NETCONF ``<get>`` replies (Cisco-IOS-XR ``*-oper`` models) -> state model.

Pure functions on the reply (lxml element, bytes or str), by local name: the models' namespaces are
matched by element name only, so a raw ncclient reply, NAPALM's ``.xml`` text and the twin's rendering
read the same. Interface names stay XR's (``GigabitEthernet0/0/0/0``, ``Loopback0``).

Models and paths (Cisco-IOS-XR YANG, vendor/cisco/xr/2411 in YangModels/yang):
- facts: shellutil-oper ``system-time/uptime/host-name``, invmgr-oper ``inventory/entities/entity/
  attributes/inv-basic-bag`` (NAPALM's FACTS_RPC_REQ);
- interfaces: pfi-im-cmd-oper ``interfaces/interface-xr/interface`` (state, line-state, mtu, MAC) and
  ``interfaces/interfaces/interface`` (description); ipv4-io-oper / ipv6-ma-oper for addresses and the
  IPv4 MTU (NAPALM's INT_RPC_REQ_FILTER and INT_IPV4_IPV6_RPC_REQ);
- LLDP: ethernet-lldp-oper ``lldp/nodes/node/neighbors/details/detail/lldp-neighbor``;
- BGP: ipv4-bgp-oper ``bgp/instances/instance/instance-active/{default-vrf,vrfs/vrf}/neighbors/neighbor``;
- IS-IS: clns-isis-oper ``isis/instances/instance/levels/level/adjacencies/adjacency`` (``show isis
  adjacency``) or ``.../neighbors/neighbor`` (``show isis neighbors``), ``host-names`` for names;
- OSPF: ipv4-ospf-oper ``ospf/processes/process/{default-vrf,vrfs/vrf}/adjacency-information/
  {neighbor-details/neighbor-detail,neighbors/neighbor}``;
- routes: ip-rib-ipv4-oper ``rib/vrfs/vrf/afs/af/safs/saf/ip-rib-route-table-names/
  ip-rib-route-table-name/protocol/<proto>/{non-as,as}/information/number-of-active-routes``.
"""

from __future__ import annotations

import ipaddress
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
from fabric.state.xml import path as _path
from fabric.state.xml import root as _root
from fabric.state.xml import text as _t
from fabric.state.xml import to_int as _int


# ---- element helpers (local names) ------------------------------------------------------------
def _mac(value: str) -> str | None:
    """NAPALM's MAC format (70:E4:22:61:6C:FE) from XR's ``70:e4:22:61:6c:fe`` or ``70e4.2261.6cfe``."""
    digits = "".join(c for c in value if c.isalnum())
    if len(digits) != 12:
        return value or None
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2)).upper()


# ---- facts ------------------------------------------------------------------------------------
def facts(reply: Any) -> Facts:
    """NAPALM's FACTS_RPC_REQ reply: system-time (hostname), inventory ``Rack 0`` (version/model/serial)."""
    root = _root(reply)
    st = next(iter(_all(root, "system-time")), None)
    hostname = _t(st, "uptime", "host-name") if st is not None else ""
    bag = None
    for ent in _all(root, "entity"):
        b = _kid(ent, "attributes", "inv-basic-bag")
        if b is not None and (bag is None or _t(ent, "name") == "Rack 0"):
            bag = b
    return Facts(
        hostname=hostname or None,
        vendor="Cisco",
        model=_t(bag, "model-name") or None,
        os_version=_t(bag, "software-revision") or None,
        serial=_t(bag, "serial-number") or None,
    )


def uptime(reply: Any) -> float | None:
    """Seconds since boot (system-time/uptime/uptime), as NAPALM's get_facts reports it."""
    st = next(iter(_all(_root(reply), "system-time")), None)
    v = _int(_t(st, "uptime", "uptime")) if st is not None else None
    return float(v) if v is not None else None


# ---- interfaces -------------------------------------------------------------------------------
ETHERNET_HEADER = 14  # XR's interface `mtu` is the L2 MTU (1514 default): IP MTU = mtu - 14 on Ethernet
DOT1Q_TAG = 4


def addresses(reply: Any) -> tuple[dict[str, list[str]], dict[str, int]]:
    """ipv4-network / ipv6-network details -> ({interface: [a.b.c.d/len, ...]}, {interface: IPv4 MTU}).

    Global IPv6 addresses only (link-local ones say nothing about the fabric); the IPv4 MTU is the
    ``mtu`` leaf of the ipv4 detail (``show ipv4 interface``: "MTU is 1500 (1500 is available to IP)")."""
    root = _root(reply)
    out: dict[str, list[str]] = {}
    mtus: dict[str, int] = {}
    for d in _all(root, "detail"):
        if not _kids(d, "primary-address") and not _kids(d, "mtu"):
            continue  # not an ipv4-io-oper detail (other models have "detail" elements too)
        name = _t(d, "interface-name")
        if not name:
            continue
        mtu = _int(_t(d, "mtu"))
        if mtu:
            mtus[name] = mtu
        pairs = [(_t(d, "primary-address"), _t(d, "prefix-length"))]
        pairs += [(_t(s, "address"), _t(s, "prefix-length")) for s in _kids(d, "secondary-address")]
        for addr, plen in pairs:
            if addr and addr != "0.0.0.0" and plen.isdigit():
                out.setdefault(name, []).append(f"{addr}/{plen}")
    for g in _all(root, "global-detail"):
        name = _t(g, "interface-name")
        for a in _kids(g, "address"):
            addr, plen = _t(a, "address"), _t(a, "prefix-length")
            try:
                ip = ipaddress.ip_address(addr)
            except ValueError:
                continue
            if name and plen.isdigit() and not ip.is_link_local:
                out.setdefault(name, []).append(f"{addr}/{plen}")
    return out, mtus


def interfaces(reply: Any, ip_reply: Any = None) -> dict[str, InterfaceState]:
    """NAPALM's INT_RPC_REQ_FILTER reply (+ INT_IPV4_IPV6_RPC_REQ's for addresses and the IPv4 MTU).

    Admin state: ``state`` is not ``im-state-admin-down``; oper: ``line-state`` is ``im-state-up``
    (NAPALM's reading). MTU is the IP MTU, as the intent and the other platforms count it: the IPv4 MTU
    where the interface has IPv4, else the L2 ``mtu`` less the Ethernet header (and dot1q tag) on Ethernet
    (it has a MAC).
    Entries are matched by name (NAPALM zips the two interface lists by position)."""
    tops = _pfi(_root(reply))
    desc = {_t(i, "interface-name"): _t(i, "description")
            for t in tops for i in _path(t, "interfaces", "interface")}
    addrs, ip_mtus = addresses(ip_reply) if ip_reply is not None else ({}, {})
    out: dict[str, InterfaceState] = {}
    for i in [i for t in tops for i in _path(t, "interface-xr", "interface")]:
        name = _t(i, "interface-name")
        if not name:
            continue
        mac = _mac(_t(i, "mac-address", "address"))
        l2 = _int(_t(i, "mtu"))
        mtu = ip_mtus.get(name) or _ip_mtu(name, l2, mac is not None)
        out[name] = InterfaceState(
            name=name,
            admin_up=_t(i, "state") != "im-state-admin-down",
            oper_up=_t(i, "line-state") == "im-state-up",
            mtu=mtu,
            addresses=addrs.get(name, []),
            description=desc.get(name) or None,
            mac=mac,
        )
    return dict(sorted(out.items()))


def _ip_mtu(name: str, l2: int | None, ethernet: bool) -> int | None:
    """IP MTU from XR's L2 ``mtu`` without the IPv4 detail: less the Ethernet header, and a dot1q tag
    on a sub-interface (XR: 1514 on a port, 1518 on its dot1q sub-interface, both IP MTU 1500)."""
    if not l2 or not ethernet:
        return l2 or None
    return l2 - ETHERNET_HEADER - (DOT1Q_TAG if "." in name else 0)


def _pfi(root: Any) -> list[Any]:
    """pfi-im-cmd-oper's top ``interfaces`` container(s) (the one holding ``interface-xr``/``interfaces``)."""
    return [e for e in _all(root, "interfaces") if _kids(e, "interface-xr") or _kids(e, "interfaces")]


def interface_detail(reply: Any) -> tuple[dict[str, bool], dict[str, dict[str, Any]]]:
    """Gate facts from INT_RPC_REQ_FILTER's reply: ({name: oper up}, {name: {"admin_up", "mtu"}}).

    ``mtu`` is XR's own L2 ``mtu`` (what ``interface ... mtu N`` sets), so the config_applied gate
    compares it with the change's ``mtu`` line, as the Junos driver reports its media MTU."""
    oper: dict[str, bool] = {}
    detail: dict[str, dict[str, Any]] = {}
    for i in [i for t in _pfi(_root(reply)) for i in _path(t, "interface-xr", "interface")]:
        name = _t(i, "interface-name")
        if not name:
            continue
        oper[name] = _t(i, "line-state") == "im-state-up"
        detail[name] = {"admin_up": _t(i, "state") != "im-state-admin-down", "mtu": _int(_t(i, "mtu"))}
    return oper, detail


# ---- LLDP -------------------------------------------------------------------------------------
def lldp(reply: Any) -> list[LldpNeighbor]:
    """NAPALM's LLDP_RPC_REQ_FILTER reply (``show lldp neighbors detail``). The remote port: its port id
    when that names an interface, else its description (lldpd on Linux may send a MAC as port id)."""
    out = []
    for n in _all(_root(reply), "lldp-neighbor"):
        local = _t(n, "receiving-interface-name")
        if not local:
            continue
        pid, pdesc = _t(n, "port-id-detail"), _t(n, "detail", "port-description")
        port = pid if port_index(pid) is not None or port_index(pdesc) is None else pdesc
        chassis = _t(n, "chassis-id")
        out.append(
            LldpNeighbor(
                local_port=local,
                remote_system=_t(n, "detail", "system-name") or _t(n, "device-id") or chassis,
                remote_port=port or pdesc or pid,
                remote_port_description=pdesc or None,
                remote_chassis_id=_mac(chassis) if chassis else None,
            )
        )
    return sorted(out, key=lambda n: (n.local_port, n.remote_system, n.remote_port))


# ---- BGP --------------------------------------------------------------------------------------
_BGP_STATE = {
    "bgp-st-dont-care": "Idle",
    "bgp-st-idle": "Idle",
    "bgp-st-connect": "Connect",
    "bgp-st-active": "Active",
    "bgp-st-open-sent": "OpenSent",
    "bgp-st-open-confirm": "OpenConfirm",
    "bgp-st-estab": "Established",
    "bgp-st-closing": "Closing",
    "bgp-st-closing-sync": "Closing",
}
# Bgp-afi (ipv4-bgp-oper) -> the model's address-family names (as the other normalisers name them)
_AFI = {
    "ipv4": "ipv4-unicast",
    "ipv6": "ipv6-unicast",
    "ipv4-multicast": "ipv4-multicast",
    "ipv6-multicast": "ipv6-multicast",
    "ipv4-labeled": "ipv4-labeled-unicast",
    "ipv6-labeled": "ipv6-labeled-unicast",
    "vpnv4": "ipv4-vpn",
    "vpnv6": "ipv6-vpn",
    "l2vpn-evpn": "l2vpn-evpn",
    "ipv4-flowspec": "ipv4-flowspec",
    "ipv6-flowspec": "ipv6-flowspec",
}
# RFC 4271 6 NOTIFICATION error codes (+ the subcodes an operator meets on a fabric)
_NOTIFY = {1: "Message Header Error", 2: "OPEN Message Error", 3: "UPDATE Message Error",
           4: "Hold Timer Expired", 5: "Finite State Machine Error", 6: "Cease"}
_NOTIFY_SUB = {(2, 2): "Bad Peer AS", (2, 3): "Bad BGP Identifier", (2, 6): "Unacceptable Hold Time",
               (6, 1): "Maximum Number of Prefixes Reached", (6, 2): "Administrative Shutdown",
               (6, 3): "Peer De-configured", (6, 4): "Administrative Reset", (6, 5): "Connection Rejected",
               (6, 6): "Other Configuration Change", (6, 7): "Connection Collision Resolution"}


def bgp_state(value: str) -> str:
    """``bgp-st-estab`` -> ``Established`` (RFC 4271 names, as the other platforms report them)."""
    return _BGP_STATE.get(value, value.removeprefix("bgp-st-").capitalize() or "Unknown")


def _notification(info: Any) -> str | None:
    code = _int(_t(info, "notification-error-code")) if info is not None else None
    if not code:
        return None
    sub = _int(_t(info, "notification-error-subcode")) or 0
    name = _NOTIFY.get(code, f"code {code}")
    sub_name = _NOTIFY_SUB.get((code, sub))
    return f"{code}/{sub} ({name}{'/' + sub_name if sub_name else ''})"


def _last_error(n: Any, established: bool) -> str | None:
    parts = []
    for direction, tag in (("received", "received-notification-info"), ("sent", "send-notification-info")):
        text = _notification(_kid(n, tag))
        if text:
            parts.append(f"notification {direction}: {text}")
    reason = _t(n, "reset-reason")
    if not established and reason and reason not in ("bgp-none", "none"):
        parts.append(f"reset reason: {reason}")
    return "; ".join(parts) or None


def _neighbor_sessions(container: Any, vrf: str) -> list[BgpSession]:
    sessions = []
    for n in _path(container, "neighbors", "neighbor"):
        peer = _t(n, "neighbor-address")
        if not peer:
            continue
        state = bgp_state(_t(n, "connection-state"))
        up = state == "Established"
        prefixes: dict[str, PrefixCounts] = {}
        for af in _kids(n, "af-data"):
            name = _t(af, "af-name")
            accepted = _int(_t(af, "prefixes-accepted"))
            denied = _int(_t(af, "prefixes-denied")) or 0
            prefixes[_AFI.get(name, name)] = PrefixCounts(
                # NAPALM's reading: received = accepted + denied (XR keeps no separate received count)
                received=accepted + denied if accepted is not None else None,
                accepted=accepted,
                sent=_int(_t(af, "prefixes-advertised")),
            )
        local = _t(n, "connection-local-address", "ipv4-address") or _t(
            n, "connection-local-address", "ipv6-address")
        rid = _t(n, "router-id")
        secs = _int(_t(n, "connection-established-time"))
        sessions.append(
            BgpSession(
                vrf=vrf,
                peer=peer,
                local_address=local if local and local not in ("0.0.0.0", "::") else None,
                local_as=_int(_t(n, "local-as")),
                peer_as=_int(_t(n, "remote-as")),
                state=state,
                enabled=_t(n, "is-administratively-shut-down") != "true",
                description=_t(n, "description") or None,
                peer_router_id=rid if rid and rid != "0.0.0.0" else None,
                uptime=float(secs) if up and secs is not None else None,
                prefixes=prefixes,
                last_error=_last_error(n, up),
            )
        )
    return sessions


def bgp(reply: Any) -> tuple[list[BgpSession], str | None]:
    """NAPALM's BGP_NEIGHBOR_REQ_FILTER reply -> (sessions of every VRF, the default VRF's router ID)."""
    sessions: dict[str, BgpSession] = {}
    router_id = None
    for active in _all(_root(reply), "instance-active"):
        for dv in _kids(active, "default-vrf"):
            rid = _t(dv, "global-process-info", "vrf", "router-id")
            if rid and rid != "0.0.0.0" and router_id is None:
                router_id = rid
            for s in _neighbor_sessions(dv, "default"):
                sessions.setdefault(s.key, s)
        for v in _path(active, "vrfs", "vrf"):
            name = _t(v, "vrf-name") or "default"
            for s in _neighbor_sessions(v, name):
                sessions.setdefault(s.key, s)
    return sorted(sessions.values(), key=lambda s: (s.vrf, s.peer)), router_id


def bgp_peers(sessions: list[BgpSession]) -> dict[str, dict[str, Any]]:
    """Gate facts' ``bgp_peers``: {peer ip: {"up", "remote_as", "uptime"}} (the default VRF wins a clash)."""
    out: dict[str, dict[str, Any]] = {}
    for s in sorted(sessions, key=lambda s: s.vrf != "default"):
        out.setdefault(s.peer, {"up": s.established, "remote_as": s.peer_as, "uptime": s.uptime})
    return out


# ---- IS-IS ------------------------------------------------------------------------------------
_ISIS_STATE = {"isis-adj-up-state": "Up", "isis-adj-init-state": "Init", "isis-adj-failed-state": "Down"}
_ISIS_LEVEL: dict[str, int | Literal["1-2"]] = {
    "level1": 1, "level2": 2, "isis-levels-1": 1, "isis-levels-2": 2, "isis-levels-12": "1-2",
}


def _isis_state(value: str) -> str:
    return _ISIS_STATE.get(value, value.removeprefix("isis-adj-").removesuffix("-state").capitalize())


def isis(reply: Any) -> list[IsisAdjacency]:
    """clns-isis-oper: per-level ``levels/level/adjacencies/adjacency`` (``show isis adjacency``), else
    ``neighbors/neighbor`` (``show isis neighbors``: one entry per circuit, level from its circuit type).
    XR reports the neighbor's system ID; its name comes from the instance's ``host-names`` table."""
    out = []
    for inst in _all(_root(reply), "instance"):
        if not _kids(inst, "levels") and not _kids(inst, "neighbors") and not _kids(inst, "host-names"):
            continue  # another model's "instance" (this one holds IS-IS tables)
        name = _t(inst, "instance-name") or None
        hosts = {_t(h, "system-id"): _t(h, "host-name") for h in _path(inst, "host-names", "host-name")}
        adjs = []
        for lv in _path(inst, "levels", "level"):
            level = _ISIS_LEVEL.get(_t(lv, "level"), 2)
            for a in _path(lv, "adjacencies", "adjacency"):
                sysid = _t(a, "system-id") or _t(a, "adjacency-system-id")
                adjs.append((sysid, _t(a, "interface-name") or _t(a, "adjacency-interface"), level,
                             _isis_state(_t(a, "adjacency-state"))))
        if not adjs:
            for n in _path(inst, "neighbors", "neighbor"):
                sysid = _t(n, "system-id") or _t(n, "neighbor-system-id")
                adjs.append((sysid, _t(n, "interface-name") or _t(n, "local-interface"),
                             _ISIS_LEVEL.get(_t(n, "neighbor-circuit-type"), 2),
                             _isis_state(_t(n, "neighbor-state"))))
        for sysid, ifname, level, state in adjs:
            out.append(IsisAdjacency(instance=name, system_id=sysid or None,
                                     hostname=hosts.get(sysid) or None, interface=ifname, level=level,
                                     state=state))
    return sorted(out, key=lambda a: (a.interface, str(a.level), a.system_id or ""))


def isis_counts(reply: Any) -> dict[str, int] | None:
    """Gate facts' ``isis``: {"up", "total"} adjacencies; None when the reply has no IS-IS instance."""
    root = _root(reply)
    if not any(_kids(i, "instance-name") or _kids(i, "levels") or _kids(i, "neighbors")
               for i in _all(root, "instance")):
        return None
    adj = isis(root)
    return {"up": sum(a.state == "Up" for a in adj), "total": len(adj)}


# ---- OSPF -------------------------------------------------------------------------------------
_OSPF_STATE = {
    "mgmt-nbr-down": "Down",
    "mgmt-nbr-attempt": "Attempt",
    "mgmt-nbr-init": "Init",
    "mgmt-nbr-2way": "2-Way",
    "mgmt-nbr-ex-start": "ExStart",
    "mgmt-nbr-ex-change": "Exchange",
    "mgmt-nbr-load-ing": "Loading",
    "mgmt-nbr-full": "Full",
    "mgmt-nbr-sc-virtual": "SCVirtual",
}


def ospf_state(value: str) -> str:
    return _OSPF_STATE.get(value, value.removeprefix("mgmt-nbr-").capitalize())


def _ospf_vrfs(root: Any) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for proc in _all(root, "process"):
        out += [("default", dv) for dv in _kids(proc, "default-vrf")]
        out += [(_t(v, "vrf-name") or "default", v) for v in _path(proc, "vrfs", "vrf")]
    return out


def ospf(reply: Any) -> tuple[list[OspfNeighbor], str | None]:
    """ipv4-ospf-oper ``adjacency-information``: ``neighbor-details/neighbor-detail`` (``show ospf
    neighbor detail``: carries the area) or ``neighbors/neighbor``; the router ID from
    ``process-information/process-summary/router-id`` of the default VRF when asked for."""
    out: dict[tuple[str, str, str], OspfNeighbor] = {}
    rid = None
    for vrf, v in _ospf_vrfs(_root(reply)):
        r = _t(v, "process-information", "process-summary", "router-id")
        if vrf == "default" and r and r != "0.0.0.0" and rid is None:
            rid = r
        adj = _kid(v, "adjacency-information")
        if adj is None:
            continue
        entries = _path(adj, "neighbor-details", "neighbor-detail") or _path(adj, "neighbors", "neighbor")
        for e in entries:
            s = _kid(e, "neighbor-summary")
            s = e if s is None else s
            router_id = _t(s, "neighbor-id")
            ifname = _t(s, "neighbor-interface-name") or _t(e, "interface-name")
            if not router_id or not ifname:
                continue
            n = OspfNeighbor(
                vrf=vrf,
                router_id=router_id,
                address=_t(s, "neighbor-ip-address") or _t(e, "neighbor-address") or None,
                interface=ifname,
                state=ospf_state(_t(s, "neighbor-state")),
                area=_t(e, "neighbor-area-id") or None,
            )
            out.setdefault((vrf, ifname, router_id), n)
    return sorted(out.values(), key=lambda n: (n.vrf, n.interface, n.router_id)), rid


def ospf_counts(reply: Any) -> dict[str, int] | None:
    """Gate facts' ``ospf``: {"up" (Full), "total"}; None when the reply has no OSPF process."""
    root = _root(reply)
    if not _ospf_vrfs(root):
        return None
    nbrs, _ = ospf(root)
    return {"up": sum(n.state == "Full" for n in nbrs), "total": len(nbrs)}


# ---- RIB --------------------------------------------------------------------------------------
def route_count(reply: Any, vrf: str = "default") -> int:
    """Active IPv4 unicast routes of a VRF's default table (``show route summary``'s Total): the sum of
    ``number-of-active-routes`` over the protocols' ``information``."""
    total = 0
    for v in _all(_root(reply), "vrf"):
        if _t(v, "vrf-name") not in ("", vrf) or not _kids(v, "afs"):
            continue
        for saf in _path(v, "afs", "af", "safs", "saf"):
            for table in _path(saf, "ip-rib-route-table-names", "ip-rib-route-table-name"):
                if _t(table, "route-table-name") not in ("", "default"):
                    continue
                for proto in _path(table, "protocol", "*") or []:
                    # protocol/<proto>/non-as/information, protocol/<proto>/as/information (one per AS);
                    # local's smiap/lspv sub-tables are counted in its non-as already
                    for info in _path(proto, "non-as", "information") + _path(proto, "as", "information"):
                        total += _int(_t(info, "number-of-active-routes")) or 0
    return total
