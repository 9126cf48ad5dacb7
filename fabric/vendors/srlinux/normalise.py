"""SR Linux JSON-RPC ``get`` replies (state datastore) -> state model.

Pure functions on the parsed replies, module-prefix agnostic (``srl_nokia-interfaces:interface`` and
``interface`` read the same). Interface names stay SR Linux's (``ethernet-1/1``, ``system0``); a port's
subinterface 0 (``ethernet-1/1.0``), where SR Linux keeps its addresses and where protocols run, is
folded into the port, as the intent names it. The MTU reported is the IP MTU (subinterface ``ip-mtu``).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from fabric.state.model import (
    BgpSession,
    Facts,
    InterfaceState,
    IsisAdjacency,
    LldpNeighbor,
    OspfNeighbor,
    PrefixCounts,
)

_PREFIX = re.compile(r"^[\w-]+:")


def strip(s: Any) -> str:
    """``srl_nokia-common:ipv4-unicast`` -> ``ipv4-unicast``."""
    return _PREFIX.sub("", str(s))


def _get(node: Any, *keys: str) -> Any:
    """Members by name, with or without their module prefix."""
    for k in keys:
        if not isinstance(node, dict):
            return None
        node = next((v for kk, v in node.items() if strip(kk) == k), None)
    return node


def _list(node: Any, *keys: str) -> list[dict[str, Any]]:
    v = _get(node, *keys)
    return [e for e in v if isinstance(e, dict)] if isinstance(v, list) else []


def _int(v: Any) -> int | None:
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def _time(s: Any) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(str(s), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def base_name(name: str) -> str:
    """``ethernet-1/1.0`` -> ``ethernet-1/1`` (subinterface 0 is the port); others keep their index."""
    return name[:-2] if name.endswith(".0") else name


# ---- facts -----------------------------------------------------------------------------------
def facts(chassis: Any, information: Any, hostname: Any) -> Facts:
    """``/platform/chassis``, ``/system/information``, ``/system/name/host-name``."""
    return Facts(hostname=hostname if isinstance(hostname, str) and hostname else None, vendor="Nokia",
                 model=str(_get(chassis, "type") or "") or None,
                 os_version=str(_get(information, "version") or "") or None,
                 serial=str(_get(chassis, "serial-number") or "") or None)


# ---- interfaces ------------------------------------------------------------------------------
def interfaces(reply: Any) -> dict[str, InterfaceState]:
    """``/interface[name=*]``: ports with subinterface 0's addresses and IP MTU; other subinterfaces
    under their own names (``ethernet-1/1.10``)."""
    out: dict[str, InterfaceState] = {}
    for itf in _list(reply, "interface"):
        name = str(itf.get("name", ""))
        admin = _get(itf, "admin-state") == "enable"
        oper = _get(itf, "oper-state") == "up"
        mac = _get(itf, "ethernet", "hw-mac-address")
        port = InterfaceState(name=name, admin_up=admin, oper_up=oper, description=_get(itf, "description"),
                              mac=str(mac) if mac else None)
        out[name] = port
        for sub in _list(itf, "subinterface"):
            sname = str(sub.get("name") or f"{name}.{sub.get('index', 0)}")
            addrs = [str(a.get("ip-prefix")) for fam in ("ipv4", "ipv6") for a in _list(sub, fam, "address")
                     if a.get("ip-prefix") and _get(a, "type") != "link-local-unicast"]
            mtu = _int(_get(sub, "ip-mtu"))
            if base_name(sname) == name:
                port.addresses, port.mtu = addrs, mtu
            else:
                out[sname] = InterfaceState(
                    name=sname, admin_up=admin and _get(sub, "admin-state") != "disable",
                    oper_up=_get(sub, "oper-state") == "up", mtu=mtu, addresses=addrs,
                    description=_get(sub, "description"))
    return out


# ---- LLDP ------------------------------------------------------------------------------------
def lldp(reply: Any) -> list[LldpNeighbor]:
    """``/system/lldp``: neighbors per local port (the port id as advertised, its description kept)."""
    out = []
    for itf in _list(reply, "interface"):
        for n in _list(itf, "neighbor"):
            out.append(LldpNeighbor(local_port=str(itf.get("name", "")),
                                    remote_system=str(_get(n, "system-name") or ""),
                                    remote_port=str(_get(n, "port-id") or ""),
                                    remote_port_description=_get(n, "port-description") or None,
                                    remote_chassis_id=_get(n, "chassis-id") or None))
    return out


# ---- BGP -------------------------------------------------------------------------------------
_FSM = {"established": "Established", "active": "Active", "idle": "Idle", "connect": "Connect",
        "opensent": "OpenSent", "openconfirm": "OpenConfirm"}


def bgp(reply: Any, information: Any = None) -> tuple[list[BgpSession], str | None]:
    """``/network-instance[name=*]/protocols/bgp`` (+ ``/system/information`` for the clock) -> sessions
    and the default instance's router id."""
    now = _time(_get(information, "current-datetime"))
    sessions: list[BgpSession] = []
    rid = None
    for ni in _list(reply, "network-instance"):
        b = _get(ni, "protocols", "bgp")
        if not isinstance(b, dict):
            continue
        vrf = str(ni.get("name", "default"))
        if vrf == "default":
            rid = _get(b, "router-id") or None
        asn = _int(_get(b, "autonomous-system"))
        for n in _list(b, "neighbor"):
            state = str(_get(n, "session-state") or "idle")
            since = _time(_get(n, "last-established"))
            up = state == "established"
            prefixes = {}
            for a in _list(n, "afi-safi"):
                if _get(a, "oper-state") == "down" and _int(_get(a, "received-routes")) is None:
                    continue
                name = strip(_get(a, "afi-safi-name") or "")
                if name in ("ipv4-unicast", "ipv6-unicast", "evpn"):
                    # accepted = what the import policy let in (received less rejected), as Junos's
                    # accepted-prefix-count and EOS's prefixAccepted mean it. napalm-srlinux reports
                    # active-routes there, which counts only paths in use: an iBGP copy of a route the
                    # IGP also carries (a backbone PE's loopbacks) is accepted but never active.
                    received = _int(_get(a, "received-routes"))
                    rejected = _int(_get(a, "rejected-routes")) or 0
                    prefixes[name] = PrefixCounts(received=received,
                                                  accepted=None if received is None else received - rejected,
                                                  sent=_int(_get(a, "sent-routes")))
            err = _get(n, "received-messages", "last-notification-error-code")
            sub = _get(n, "received-messages", "last-notification-error-subcode")
            sessions.append(BgpSession(
                vrf=vrf, peer=str(n.get("peer-address", "")),
                local_address=_get(n, "transport", "local-address"),
                local_as=_int(_get(n, "local-as", "as-number")) or asn,
                peer_as=_int(_get(n, "peer-as")), state=_FSM.get(state, state.capitalize()),
                enabled=_get(n, "admin-state") != "disable", description=_get(n, "description"),
                peer_router_id=_get(n, "peer-router-id"),
                uptime=(now - since).total_seconds() if up and now and since else None,
                prefixes={k: v for k, v in prefixes.items() if v.received is not None or v.sent is not None},
                last_error=f"{err} / {sub}" if err and sub else err))
    return sorted(sessions, key=lambda s: (s.vrf, s.peer)), rid


# ---- IGPs ------------------------------------------------------------------------------------
def ospf(reply: Any) -> list[OspfNeighbor]:
    """``/network-instance[name=*]/protocols/ospf`` (instances, areas, interfaces, neighbors)."""
    out = []
    for ni in _list(reply, "network-instance"):
        for inst in _list(_get(ni, "protocols", "ospf"), "instance"):
            for area in _list(inst, "area"):
                for itf in _list(area, "interface"):
                    for n in _list(itf, "neighbor"):
                        state = strip(_get(n, "adjacency-state") or "")
                        out.append(OspfNeighbor(
                            vrf=str(ni.get("name", "default")), router_id=str(n.get("router-id", "")),
                            address=_get(n, "address"),
                            interface=base_name(str(itf.get("interface-name", ""))),
                            state={"two-way": "2-Way", "exstart": "ExStart"}.get(state, state.capitalize()),
                            area=str(area.get("area-id", "")) or None))
    return out


def isis(reply: Any) -> list[IsisAdjacency]:
    """``/network-instance[name=*]/protocols/isis`` (instances, interfaces, adjacencies)."""
    out = []
    for ni in _list(reply, "network-instance"):
        for inst in _list(_get(ni, "protocols", "isis"), "instance"):
            for itf in _list(inst, "interface"):
                for a in _list(itf, "adjacency"):
                    lvl = str(_get(a, "adjacency-level") or "L2")
                    level: int | str = "1-2" if lvl == "L1L2" else int(lvl.lstrip("L") or 2)
                    out.append(IsisAdjacency(
                        instance=str(inst.get("name", "")) or None, system_id=_get(a, "neighbor-system-id"),
                        hostname=_get(a, "neighbor-hostname"),
                        interface=base_name(str(itf.get("interface-name", ""))), level=level,  # type: ignore[arg-type]
                        state=str(_get(a, "state") or "down").capitalize()))
    return out
