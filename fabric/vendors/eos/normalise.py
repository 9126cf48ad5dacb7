"""Arista EOS extras on top of NAPALM: eAPI JSON for BGP state and errors, OSPF and IS-IS (JSON or TTP)."""

from __future__ import annotations

import re
import time
from typing import Any, Literal

from fabric.state import normalise_napalm, ttp
from fabric.state.model import (
    BgpSession,
    Facts,
    InterfaceState,
    IsisAdjacency,
    LldpNeighbor,
    OspfNeighbor,
)


def asn(value: Any) -> int | None:
    """EOS prints 4-byte ASNs as asdot ('65002.2048') when configured so."""
    if value in (None, ""):
        return None
    s = str(value)
    if "." in s:
        hi, lo = s.split(".", 1)
        return int(hi) * 65536 + int(lo)
    return int(s)


def bgp(
    summary: dict[str, Any], neighbors: dict[str, Any] | None = None, base: list[BgpSession] | None = None
) -> tuple[list[BgpSession], str | None]:
    """``show ip bgp summary vrf all`` (+ ``show ip bgp neighbors vrf all``) -> sessions.

    ``base`` (from NAPALM get_bgp_neighbors) contributes per-AFI sent counts; the eAPI summary
    contributes the real FSM state (Active/Idle/Connect...), which NAPALM reduces to is_up.
    Each session is gathered as plain fields and validated once (a spine has 32 sessions of a dozen
    fields; setting them one by one on the models was most of an EOS device's normalisation).
    """
    rows: dict[tuple[str, str], dict[str, Any]] = {
        (s.vrf, s.peer): s.model_dump() for s in base or []}
    router_id: str | None = None
    now = time.time()
    for vrf, v in (summary.get("vrfs") or {}).items():
        if vrf == "default":
            router_id = v.get("routerId")
        for peer, p in (v.get("peers") or {}).items():
            state = str(p.get("peerState", "Unknown"))
            r = rows.get((vrf, peer))
            if r is None:
                r = rows[(vrf, peer)] = {"vrf": vrf, "peer": peer, "prefixes": {}}
            r["state"] = state
            r["local_as"] = r.get("local_as") or asn(v.get("asn"))
            r["peer_as"] = asn(p.get("asn")) or r.get("peer_as")
            if state == "Established" and p.get("upDownTime"):
                r["uptime"] = max(0.0, now - float(p["upDownTime"]))
            if state != "Established":
                r["uptime"] = None
            pc = r["prefixes"].setdefault("ipv4-unicast" if ":" not in peer else "ipv6-unicast", {})
            pc["received"] = p.get("prefixReceived", pc.get("received"))
            pc["accepted"] = p.get("prefixAccepted", pc.get("accepted"))
    for vrf, v in ((neighbors or {}).get("vrfs") or {}).items():
        for n in v.get("peerList") or []:
            r = rows.get((vrf, n.get("peerAddress")))
            if r is None:
                continue
            r["local_address"] = n.get("updateSource") or r.get("local_address")
            if n.get("routerId") not in (None, "0.0.0.0"):
                r["peer_router_id"] = n["routerId"]
            r["description"] = r.get("description") or n.get("description")
            if "prefixesSent" in n:
                r["prefixes"].setdefault("ipv4-unicast", {})["sent"] = n["prefixesSent"]
            r["last_error"] = _eos_last_error(n)
            if n.get("idleReason") == "Administratively shut down":
                r["enabled"] = False
    return [BgpSession.model_validate(rows[k]) for k in sorted(rows)], router_id


def _eos_last_error(n: dict[str, Any]) -> str | None:
    parts = []
    for direction, key in (("received", "Rcvd"), ("sent", "Sent")):
        code = n.get(f"lastError{key}Code")
        if code:
            sub = n.get(f"lastError{key}Subcode")
            parts.append(f"notification {direction}: {code}" + (f"/{sub}" if sub else ""))
    if n.get("state") != "Established" and n.get("idleReason") not in (None, "No reason"):
        parts.append(str(n["idleReason"]))
    return "; ".join(parts) or None


def ospf_json(data: dict[str, Any]) -> list[OspfNeighbor]:
    out = []
    for vrf, v in (data.get("vrfs") or {}).items():
        for inst in (v.get("instList") or {}).values():
            for e in inst.get("ospfNeighborEntries") or []:
                out.append(
                    OspfNeighbor(
                        vrf=vrf,
                        router_id=e["routerId"],
                        address=e.get("interfaceAddress"),
                        interface=e.get("interfaceName", ""),
                        state=_ospf_state(str(e.get("adjacencyState", ""))),
                        area=(e.get("details") or {}).get("areaId"),
                    )
                )
    return sorted(out, key=lambda n: (n.vrf, n.interface, n.router_id))


_OSPF_STATES = {
    "full": "Full",
    "2 ways": "2-Way",
    "2-way": "2-Way",
    "2way": "2-Way",
    "init": "Init",
    "down": "Down",
    "exstart": "ExStart",
    "exchange": "Exchange",
    "loading": "Loading",
    "attempt": "Attempt",
}


def _ospf_state(s: str) -> str:
    base = s.split("/")[0].strip().lower()
    return _OSPF_STATES.get(base, base.capitalize())


def ospf_text(text: str) -> list[OspfNeighbor]:
    rows = ttp.parse("eos", "show ip ospf neighbor", text, "neighbors")
    out = [
        OspfNeighbor(
            vrf=r.get("vrf", "default"),
            router_id=r["router_id"],
            address=r.get("address"),
            interface=r["interface"],
            state=_ospf_state(r["state"]),
        )
        for r in rows
    ]
    return sorted(out, key=lambda n: (n.vrf, n.interface, n.router_id))


def _level(v: str) -> int | Literal["1-2"]:
    v = str(v).lower().replace("level-", "").replace("l", "")
    return "1-2" if v in ("1-2", "12", "1_2") else int(v)


def isis_json(data: dict[str, Any]) -> list[IsisAdjacency]:
    out = []
    for v in (data.get("vrfs") or {}).values():
        for inst_name, inst in (v.get("isisInstances") or {}).items():
            for sysid, nb in (inst.get("neighbors") or {}).items():
                for a in nb.get("adjacencies") or []:
                    out.append(
                        IsisAdjacency(
                            instance=inst_name,
                            system_id=sysid,
                            hostname=a.get("hostname"),
                            interface=a.get("interfaceName", ""),
                            level=_level(a.get("level", "2")),
                            state=str(a.get("state", "")).capitalize(),
                        )
                    )
    return sorted(out, key=lambda a: (a.interface, str(a.level)))


def isis_text(text: str) -> list[IsisAdjacency]:
    rows = ttp.parse("eos", "show isis neighbors", text, "adjacencies")
    out = [
        IsisAdjacency(
            instance=r.get("instance"),
            hostname=r["system_id"],
            interface=r["interface"],
            level=_level(r["level"]),
            state=str(r["state"]).capitalize(),
        )
        for r in rows
    ]
    return sorted(out, key=lambda a: (a.interface, str(a.level)))


def addresses_from_show_interfaces(data: dict[str, Any]) -> dict[str, Any]:
    """``show interfaces`` JSON -> get_interfaces_ip shape (primary and secondary IPv4)."""
    out: dict[str, Any] = {}
    for name, i in (data.get("interfaces") or {}).items():
        v4: dict[str, Any] = {}
        for a in i.get("interfaceAddress") or []:
            prim = a.get("primaryIp") or {}
            if prim.get("address") not in (None, "0.0.0.0"):
                v4[prim["address"]] = {"prefix_length": prim.get("maskLen")}
            for sec in (a.get("secondaryIps") or {}).values():
                v4[sec["address"]] = {"prefix_length": sec.get("maskLen")}
        if v4:
            out[name] = {"ipv4": v4}
    return out


def lldp_detail(data: dict[str, Any]) -> list[LldpNeighbor]:
    """``show lldp neighbors detail`` JSON. EOS quotes interfaceId for the 'local' id type."""
    out = []
    for local, v in (data.get("lldpNeighbors") or {}).items():
        for n in v.get("lldpNeighborInfo") or []:
            info = n.get("neighborInterfaceInfo") or {}
            pid = str(info.get("interfaceId", "")).strip('"')
            pdesc = info.get("interfaceDescription") or None
            mac_like = info.get("interfaceIdType") == "macAddress"
            out.append(
                LldpNeighbor(
                    local_port=local,
                    remote_system=n.get("systemName") or n.get("chassisId", ""),
                    remote_port=(pdesc or pid) if mac_like else pid,
                    remote_port_description=pdesc,
                    remote_chassis_id=n.get("chassisId"),
                )
            )
    return sorted(out, key=lambda x: (x.local_port, x.remote_system))


def facts(version: dict[str, Any], hostname: dict[str, Any]) -> Facts:
    """``show version`` + ``show hostname`` JSON (what NAPALM's get_facts reads)."""
    return Facts(
        hostname=hostname.get("hostname"),
        vendor="Arista",
        model=version.get("modelName"),
        os_version=version.get("internalVersion") or version.get("version"),
        serial=version.get("serialNumber") or None,
    )


_SEPARATORS = re.compile(r"[^0-9A-Za-z]")


def _mac(value: Any) -> str | None:
    """NAPALM's MAC format: 08:00:27:E0:12:D2."""
    digits = _SEPARATORS.sub("", str(value or ""))
    if len(digits) != 12:
        return str(value) if value else None
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2)).upper()


def interfaces(data: dict[str, Any]) -> dict[str, InterfaceState]:
    """``show interfaces`` JSON: the fields NAPALM's get_interfaces reads, plus the IPv4 addresses."""
    shaped = {
        name: {
            "is_enabled": i.get("interfaceStatus") != "disabled",
            "is_up": i.get("lineProtocolStatus") == "up",
            "mtu": i.get("mtu"),
            "description": i.get("description"),
            "mac_address": _mac(i.get("physicalAddress") or i.get("burnedInAddress")),
        }
        for name, i in (data.get("interfaces") or {}).items()
    }
    return normalise_napalm.interfaces(shaped, addresses_from_show_interfaces(data))
