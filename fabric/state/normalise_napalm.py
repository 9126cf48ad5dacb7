"""NAPALM getter results (any driver) -> state model.

NAPALM already normalises across vendors; this maps its dicts onto our model and
keeps vendor extras (FSM state names, last errors) to the per-platform normalisers.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from fabric.platforms import port_index
from fabric.state.model import BgpSession, Facts, InterfaceState, LldpNeighbor, PrefixCounts

_AFI = {"ipv4": "ipv4-unicast", "ipv6": "ipv6-unicast"}


def facts(data: dict[str, Any]) -> Facts:
    return Facts(
        hostname=data.get("hostname"),
        vendor=data.get("vendor"),
        model=data.get("model"),
        os_version=data.get("os_version"),
        serial=data.get("serial_number") or None,
    )


def interfaces(ifaces: dict[str, Any], ips: dict[str, Any] | None = None) -> dict[str, InterfaceState]:
    out: dict[str, InterfaceState] = {}
    for name, i in ifaces.items():
        addrs: list[str] = []
        for fam in ("ipv4", "ipv6"):
            for ip, meta in ((ips or {}).get(name, {}).get(fam) or {}).items():
                if fam == "ipv6" and ipaddress.ip_address(ip).is_link_local:
                    continue
                addrs.append(f"{ip}/{meta.get('prefix_length')}")
        mtu = i.get("mtu")
        out[name] = InterfaceState(
            name=name,
            admin_up=bool(i.get("is_enabled")),
            oper_up=bool(i.get("is_up")),
            mtu=int(mtu) if isinstance(mtu, int | float) and mtu > 0 else None,
            addresses=addrs,
            description=i.get("description") or None,
            mac=i.get("mac_address") or None,
        )
    return dict(sorted(out.items()))


def bgp(data: dict[str, Any]) -> tuple[list[BgpSession], str | None]:
    sessions: list[BgpSession] = []
    router_id = (data.get("global") or {}).get("router_id")
    for vrf, v in data.items():
        vname = "default" if vrf == "global" else vrf
        for peer, p in (v.get("peers") or {}).items():
            enabled = bool(p.get("is_enabled", True))
            state = "Established" if p.get("is_up") else ("Idle" if not enabled else "Down")
            sessions.append(
                BgpSession(
                    vrf=vname,
                    peer=peer,
                    local_as=p.get("local_as"),
                    peer_as=p.get("remote_as"),
                    state=state,
                    enabled=enabled,
                    description=p.get("description") or None,
                    peer_router_id=p.get("remote_id")
                    if p.get("remote_id") not in (None, "", "0.0.0.0")
                    else None,
                    uptime=float(p["uptime"]) if p.get("is_up") and p.get("uptime", -1) >= 0 else None,
                    prefixes={
                        _AFI.get(afi, afi): PrefixCounts(
                            received=c.get("received_prefixes"),
                            accepted=c.get("accepted_prefixes"),
                            sent=c.get("sent_prefixes"),
                        )
                        for afi, c in (p.get("address_family") or {}).items()
                    },
                )
            )
    return sorted(sessions, key=lambda s: (s.vrf, s.peer)), router_id


def lldp(basic: dict[str, Any] | None, detail: dict[str, Any] | None = None) -> list[LldpNeighbor]:
    """Prefer get_lldp_neighbors_detail (system name, port id + description); fall back to the basic getter.

    Remote port: the port id when it names an interface, else the port description, because
    lldpd on Linux may advertise a MAC as port id and the interface name as description.
    """
    out: list[LldpNeighbor] = []
    if detail:
        for local, nbrs in detail.items():
            for n in nbrs:
                pid, pdesc = n.get("remote_port") or "", n.get("remote_port_description") or ""
                port = pid if port_index(pid) is not None or port_index(pdesc) is None else pdesc
                out.append(
                    LldpNeighbor(
                        local_port=local,
                        remote_system=n.get("remote_system_name") or "",
                        remote_port=port,
                        remote_port_description=pdesc or None,
                        remote_chassis_id=n.get("remote_chassis_id") or None,
                    )
                )
    else:
        for local, nbrs in (basic or {}).items():
            for n in nbrs:
                out.append(
                    LldpNeighbor(
                        local_port=local,
                        remote_system=n.get("hostname") or "",
                        remote_port=n.get("port") or "",
                    )
                )
    return sorted(out, key=lambda n: (n.local_port, n.remote_system))
