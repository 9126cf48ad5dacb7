"""FRR (vtysh ``... json``), iproute2 (``ip -j addr``) and lldpd (``lldpcli -f json``) -> state model."""

from __future__ import annotations

import re
from typing import Any

from fabric.state.model import (
    BgpSession,
    InterfaceState,
    IsisAdjacency,
    LldpNeighbor,
    OspfNeighbor,
    PrefixCounts,
)

_AFI = {
    "ipv4Unicast": "ipv4-unicast",
    "ipv6Unicast": "ipv6-unicast",
    "l2VpnEvpn": "l2vpn-evpn",
    "ipv4Vpn": "ipv4-vpn",
    "ipv6Vpn": "ipv6-vpn",
}


def _int(v: Any) -> int | None:
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def bgp(
    summary: dict[str, Any], neighbors: dict[str, Any] | None = None
) -> tuple[list[BgpSession], str | None]:
    """``show bgp vrf all summary json`` (+ ``show bgp vrf all neighbors json`` for errors and counters)."""
    sessions: dict[tuple[str, str], BgpSession] = {}
    router_id: str | None = None
    for vrf, per_afi in (summary or {}).items():
        if not isinstance(per_afi, dict):
            continue
        for afi_key, afi in per_afi.items():
            if not isinstance(afi, dict) or "peers" not in afi:
                continue
            if vrf == "default":
                router_id = router_id or afi.get("routerId")
            for peer, p in afi["peers"].items():
                state = str(p.get("state", "Unknown"))
                s = sessions.get((vrf, peer))
                if s is None:
                    s = sessions[(vrf, peer)] = BgpSession(
                        vrf=vrf,
                        peer=peer,
                        local_as=_int(p.get("localAs") or afi.get("as")),
                        peer_as=_int(p.get("remoteAs")),
                        state=state.split(" ")[0],
                        enabled="admin" not in state.lower(),
                        description=p.get("desc"),
                        uptime=(p["peerUptimeMsec"] / 1000.0)
                        if state == "Established" and "peerUptimeMsec" in p
                        else None,
                    )
                s.prefixes[_AFI.get(afi_key) or str(afi_key)] = PrefixCounts(
                    received=_int(p.get("pfxRcd")), accepted=_int(p.get("pfxRcd")), sent=_int(p.get("pfxSnt"))
                )
    for vrf, peers in (neighbors or {}).items():
        if not isinstance(peers, dict):
            continue
        for peer, n in peers.items():
            if not isinstance(n, dict) or "bgpState" not in n:
                continue
            s = sessions.get((vrf, peer))
            if s is None:
                state = str(n["bgpState"])
                s = sessions[(vrf, peer)] = BgpSession(
                    vrf=vrf,
                    peer=peer,
                    state=state.split(" ")[0],
                    local_as=_int(n.get("localAs")),
                    peer_as=_int(n.get("remoteAs")),
                )
            s.peer_router_id = n.get("remoteRouterId") if n.get("remoteRouterId") != "0.0.0.0" else None
            s.local_address = n.get("hostLocal") or s.local_address
            s.description = s.description or n.get("nbrDesc")
            for afi_key, info in (n.get("addressFamilyInfo") or {}).items():
                pc = s.prefixes.setdefault(_AFI.get(afi_key) or str(afi_key), PrefixCounts())
                pc.accepted = _int(info.get("acceptedPrefixCounter", pc.accepted))
                pc.sent = _int(info.get("sentPrefixCounter", pc.sent))
                if pc.received is None:
                    pc.received = pc.accepted
            s.last_error = _frr_last_error(n)
    return sorted(sessions.values(), key=lambda x: (x.vrf, x.peer)), router_id


def _frr_last_error(n: dict[str, Any]) -> str | None:
    reason = n.get("lastNotificationReason")
    due = n.get("lastResetDueTo")
    if reason:
        code = n.get("lastErrorCodeSubcode")
        return f"{due or 'notification'}: {reason}" + (f" (code {code})" if code else "")
    if due and n.get("bgpState") != "Established":
        return str(due)
    return None


def ospf_areas(data: dict[str, Any] | None) -> dict[tuple[str, str], str]:
    """``show ip ospf interface json`` -> {(vrf, interface): area}; the neighbor JSON lacks the area."""
    out: dict[tuple[str, str], str] = {}
    blocks: list[tuple[str, dict[str, Any]]] = []
    if data and "interfaces" in data:
        blocks.append(("default", data["interfaces"]))
    else:
        for vrf, v in (data or {}).items():
            if isinstance(v, dict) and "interfaces" in v:
                blocks.append((vrf, v["interfaces"]))
    for vrf, ifaces in blocks:
        for name, i in (ifaces or {}).items():
            area = i.get("area") if isinstance(i, dict) else None
            if area:
                out[(vrf, name)] = str(area).split()[0]  # "0.0.0.1 [Stub]" -> "0.0.0.1"
    return out


def ospf(data: dict[str, Any], interfaces: dict[str, Any] | None = None) -> list[OspfNeighbor]:
    """``show ip ospf neighbor json`` (single default instance; ``vrf all`` nests one level more);
    the area of each neighbor comes from ``show ip ospf interface json`` (``interfaces``)."""
    areas = ospf_areas(interfaces)
    out: list[OspfNeighbor] = []
    blocks: list[tuple[str, dict[str, Any]]] = []
    if "neighbors" in data:
        blocks.append(("default", data["neighbors"]))
    else:
        for vrf, v in data.items():
            if isinstance(v, dict) and "neighbors" in v:
                blocks.append((vrf, v["neighbors"]))
    for vrf, neighbors in blocks:
        for rid, entries in neighbors.items():
            for e in entries if isinstance(entries, list) else [entries]:
                state = str(e.get("nbrState") or e.get("state") or "")
                ifname = str(e.get("ifaceName", "")).split(":")[0]
                area = e.get("areaId") or areas.get((vrf, ifname))
                out.append(
                    OspfNeighbor(
                        vrf=vrf,
                        router_id=rid,
                        address=e.get("ifaceAddress") or e.get("address"),
                        interface=ifname,
                        state=state.split("/")[0],
                        area=area,
                    )
                )
    return sorted(out, key=lambda n: (n.vrf, n.interface, n.router_id))


_SYSID = re.compile(r"[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}")


def isis(data: dict[str, Any]) -> list[IsisAdjacency]:
    """``show isis neighbor json`` (FRR 8.4: areas -> circuits; a circuit without ``adj`` has none)."""
    out: list[IsisAdjacency] = []
    for area in data.get("areas", []) if isinstance(data, dict) else []:
        for c in area.get("circuits", []):
            if "adj" not in c or "interface" not in c:
                continue
            adj = str(c["adj"])
            level = c.get("level")
            out.append(
                IsisAdjacency(
                    instance=area.get("area"),
                    interface=c["interface"],
                    system_id=adj if _SYSID.fullmatch(adj) else None,
                    hostname=None if _SYSID.fullmatch(adj) else adj,
                    level="1-2" if str(level) in ("3", "1-2", "L1L2") else int(level or 0),
                    state=str(c.get("state", "Unknown")),
                )
            )
    return sorted(out, key=lambda a: (a.interface, str(a.level)))


def _global(addr: str) -> bool:
    return not addr.lower().startswith("fe80")


def interfaces(
    show_interface: dict[str, Any] | None, ip_addr: list[dict[str, Any]] | None = None
) -> dict[str, InterfaceState]:
    """zebra's ``show interface json``; falls back to / completes with ``ip -j addr``."""
    out: dict[str, InterfaceState] = {}
    for name, i in (show_interface or {}).items():
        if not isinstance(i, dict):
            continue
        out[name] = InterfaceState(
            name=name,
            admin_up=i.get("administrativeStatus") == "up",
            oper_up=i.get("operationalStatus") == "up",
            mtu=_int(i.get("mtu")),
            addresses=[a["address"] for a in i.get("ipAddresses", []) if _global(a.get("address", ""))],
            description=i.get("description"),
            mac=i.get("hardwareAddress"),
        )
    for link in ip_addr or []:
        name = str(link.get("ifname") or "")
        if not name or name in out:
            continue
        flags = link.get("flags", [])
        out[name] = InterfaceState(
            name=name,
            admin_up="UP" in flags,
            oper_up="LOWER_UP" in flags and link.get("operstate") in ("UP", "UNKNOWN"),
            mtu=_int(link.get("mtu")),
            addresses=[
                f"{a['local']}/{a['prefixlen']}"
                for a in link.get("addr_info", [])
                if a.get("family") in ("inet", "inet6") and _global(a["local"])
            ],
            mac=link.get("address"),
        )
    return dict(sorted(out.items()))


def _as_list(v: Any) -> list[Any]:
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def _first(d: Any) -> Any:
    return d[0] if isinstance(d, list) and d else d


def lldp(data: dict[str, Any]) -> list[LldpNeighbor]:
    """``lldpcli -f json show neighbors`` and the ``json0`` variant (lists everywhere)."""
    out: list[LldpNeighbor] = []
    root = _first(data.get("lldp")) if isinstance(data, dict) else None
    if not isinstance(root, dict):
        return out
    for entry in _as_list(root.get("interface")):
        # json: {"eth1": {...}} (or a dict of several); json0: {"name": "eth1", ...}
        items = [(entry["name"], entry)] if "name" in entry else list(entry.items())
        for local, nb in items:
            chassis = _first(nb.get("chassis"))
            sysname, cid = "", None
            if isinstance(chassis, dict):
                if "name" in chassis:  # json0
                    sysname = str(_first(chassis["name"]).get("value", ""))
                    cid = _first(chassis.get("id", {})).get("value")
                elif "id" in chassis and len(chassis) > 1 and not isinstance(chassis.get("id"), list):
                    cid = chassis["id"].get("value") if isinstance(chassis["id"], dict) else None
                else:
                    for k, v in chassis.items():
                        if isinstance(v, dict) and "id" in v:
                            sysname, cid = k, (v["id"] or {}).get("value")
                            break
            port = _first(nb.get("port")) or {}
            pid = _first(port.get("id")) or {}
            pdescr = port.get("descr")
            if isinstance(pdescr, list):
                pdescr = _first(pdescr).get("value")
            ptype, pval = pid.get("type"), pid.get("value")
            remote_port = pval if ptype in ("ifname", "local") or not pdescr else pdescr
            out.append(
                LldpNeighbor(
                    local_port=local,
                    remote_system=sysname or (cid or ""),
                    remote_port=str(remote_port or ""),
                    remote_port_description=pdescr,
                    remote_chassis_id=cid,
                )
            )
    return sorted(out, key=lambda n: (n.local_port, n.remote_system))
