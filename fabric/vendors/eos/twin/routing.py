"""EOS multi-agent routing show commands beyond the ``show ip ...`` set of show.py: the address-family
neutral ``show bgp ...`` forms (ANTA's), BGP routes per neighbour and per prefix, RIB summary and
lookups, BFD peers and IS-IS interfaces. Each answer is built from FRR's own JSON of the same state.

Each handler takes (twin, regex match, format) and is found through ``COMMANDS``; a reply key set
follows EOS 4.3x's JSON (the fields ANTA and NAPALM read are always present).
"""

from __future__ import annotations

import ipaddress
import re
import time
from typing import TYPE_CHECKING, Any

from fabric.vendors.eos.twin import show, tables
from fabric.vendors.eos.twin.names import to_eos
from fabric.vendors.eos.twin.session import CommandError, Handler

if TYPE_CHECKING:
    from fabric.vendors.eos.twin.twin import EosTwin

_VRF = r"(?: vrf (\S+))?"
_AFI = {"ipv4Unicast": "ipv4Unicast", "ipv6Unicast": "ipv6Unicast", "l2VpnEvpn": "l2VpnEvpn"}


def _vrfs(data: dict[str, Any], vrf: str | None) -> dict[str, Any]:
    """Only the VRF asked for (``all`` or none: every VRF); an unknown VRF is an EOS error."""
    if vrf in (None, "all"):
        return data
    if vrf not in data:
        raise CommandError(f"VRF {vrf} not found", code=1000)
    return {vrf: data[vrf]}


# ---- BGP ----------------------------------------------------------------------------------------
async def bgp_summary(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    """``show bgp summary [vrf V]``: every address family of each peer (``show ip bgp summary`` is
    the IPv4-only form in show.py)."""
    data, nbrs = await tw.frr.show_json_many(
        "show bgp vrf all summary json", "show bgp vrf all neighbors json"
    )
    now = time.time()
    vrfs: dict[str, Any] = {}
    for vrf, vd in (data or {}).items():
        if not isinstance(vd, dict):
            continue
        peers: dict[str, Any] = {}
        rid, asn = None, None
        for afi_key, af in vd.items():
            if afi_key not in _AFI or not isinstance(af, dict):
                continue
            rid, asn = rid or af.get("routerId"), asn or af.get("as")
            for ip, p in af.get("peers", {}).items():
                n = (nbrs or {}).get(vrf, {}).get(ip, {})
                state = show._eos_state(str(p.get("state", "Idle")))
                up_ms = n.get("bgpTimerUpMsec", p.get("peerUptimeMsec", 0)) or 0
                peer = peers.setdefault(
                    ip,
                    {
                        "description": n.get("nbrDesc", ""),
                        "version": 4,
                        "msgReceived": int(p.get("msgRcvd", 0)),
                        "msgSent": int(p.get("msgSent", 0)),
                        "inMsgQueue": int(p.get("inq", 0)),
                        "outMsgQueue": int(p.get("outq", 0)),
                        "peerAsn": str(p.get("remoteAs", n.get("remoteAs", ""))),
                        "upDownTime": now - up_ms / 1000.0,
                        "underMaintenance": False,
                        "peerState": state,
                    },
                )
                negotiated = state == "Established"
                peer[_AFI[afi_key]] = {
                    "afiSafiState": "negotiated" if negotiated else "advertised",
                    "nlrisReceived": int(p.get("pfxRcd", 0)),
                    "nlrisAccepted": int(p.get("pfxRcd", 0)),
                }
        if rid is None and not peers:
            continue
        vrfs[vrf] = {"vrf": vrf, "routerId": rid or "0.0.0.0", "asn": str(asn or ""), "peers": peers}
    return {"vrfs": _vrfs(vrfs, m.group(1))}


async def bgp_neighbors(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    """``show [ip] bgp neighbors [PEER] [vrf V]``: show.py's peer list, both address families."""
    vrfs = _vrfs((await show.show_bgp_neighbors(tw, None))["vrfs"], m.group(2))
    if peer := m.group(1):
        for vd in vrfs.values():
            vd["peerList"] = [p for p in vd["peerList"] if p["peerAddress"] == peer]
    return {"vrfs": vrfs}


async def bgp_neighbor_routes(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    """``show [ip] bgp neighbors PEER advertised-routes|routes|received-routes [vrf V]``."""
    peer, which, vrf = m.group(1), m.group(2), m.group(3) or "default"
    ipaddress.ip_address(peer)  # a malformed address never reaches vtysh
    sub = "advertised-routes" if which == "advertised-routes" else "routes"
    data = await tw.frr.show_json(f"show bgp vrf {vrf} ipv4 unicast neighbors {peer} {sub} json")
    if not isinstance(data, dict) or "warning" in data:
        raise CommandError(f"BGP neighbor {peer} not found in VRF {vrf}", code=1000)
    entries: dict[str, Any] = {}
    if sub == "advertised-routes":
        for pfx, r in (data.get("advertisedRoutes") or {}).items():
            entries[pfx] = _route_entry(pfx, [r], advertised=True)
    else:
        for pfx, paths in (data.get("routes") or {}).items():
            entries[pfx] = _route_entry(pfx, paths)
    return {
        "vrfs": {
            vrf: {
                "vrf": vrf,
                "routerId": data.get("routerId", data.get("bgpLocalRouterId", "")),
                "asn": data.get("localAS"),
                "bgpRouteEntries": entries,
            }
        }
    }


def _route_entry(pfx: str, paths: list[dict[str, Any]], advertised: bool = False) -> dict[str, Any]:
    out = []
    for p in paths:
        best = bool(p.get("bestpath", advertised))
        hops = p.get("nexthops") or [{}]
        multi = bool(p.get("multipath"))
        origin = str(p.get("origin", "IGP")).replace("incomplete", "Incomplete")
        out.append(
            {
                "nextHop": hops[0].get("ip", p.get("nextHop", "")),
                "asPathEntry": {
                    # EOS: Local for a path this router originates, Internal/External by the peer's AS
                    "asPathType": "Local"
                    if not p.get("path")
                    else ("Internal" if p.get("pathFrom") == "internal" else "External"),
                    "asPath": (str(p.get("path", "")) + (" i" if origin == "IGP" else "")).strip(),
                },
                "importedEvpnRoute": False,
                "routeType": {
                    "valid": bool(p.get("valid", True)),
                    "active": best,
                    "ecmp": multi,
                    "ecmpContributor": multi,
                    "ecmpHead": best and multi,
                    "origin": origin,
                    "suppressed": False,
                    "stale": False,
                    "queued": False,
                    "atomicAggregator": False,
                },
                "weight": int(p.get("weight", 0)),
                "localPreference": int(p.get("locPrf", 100)),
                "med": int(p.get("metric", 0)),
                "peerEntry": {"peerAddr": p.get("peerId", ""), "peerRouterId": p.get("peerId", "")},
            }
        )
    net = ipaddress.ip_network(pfx, strict=False)
    return {
        "address": str(net.network_address),
        "maskLength": net.prefixlen,
        "bgpRoutePaths": out,
        "totalPaths": len(out),
    }


async def bgp_routes(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    """``show ip bgp [PREFIX [longer-prefixes]] [vrf V]``: the BGP table, or the entry that covers
    PREFIX (an address takes the longest match, as EOS does), or every entry inside it."""
    arg, longer, vrf = m.group(1), m.group(2), m.group(3)
    data = await tw.frr.show_json("show bgp vrf all ipv4 unicast json")
    vrfs: dict[str, Any] = {}
    for name, vd in (data or {}).items():
        if not isinstance(vd, dict):
            continue
        entries = {pfx: _route_entry(pfx, paths) for pfx, paths in (vd.get("routes") or {}).items()}
        if arg and longer:
            entries = _within(entries, arg)
        elif arg:
            hit = _lookup(entries, arg)
            entries = {hit: entries[hit]} if hit else {}
        vrfs[name] = {
            "vrf": name,
            "routerId": vd.get("routerId", ""),
            "asn": vd.get("localAS"),
            "bgpRouteEntries": entries,
        }
    return {"vrfs": _vrfs(vrfs, vrf)}


def _within(table: dict[str, Any], arg: str) -> dict[str, Any]:
    """The entries of ``table`` (IPv4 prefixes) inside the prefix ``arg`` (``longer-prefixes``)."""
    try:
        net = ipaddress.IPv4Network(arg, strict=False)
    except ValueError:
        raise CommandError(f"Invalid input (at token 0: '{arg}')") from None
    return {p: r for p, r in table.items() if ipaddress.IPv4Network(p, strict=False).subnet_of(net)}


def _lookup(table: dict[str, Any], arg: str) -> str | None:
    """The key of ``table`` (prefixes) that ``arg`` names: itself for a prefix, else the longest match."""
    try:
        if "/" in arg:
            want = ipaddress.ip_network(arg, strict=False)
            return next((p for p in table if ipaddress.ip_network(p, strict=False) == want), None)
        addr = ipaddress.ip_address(arg)
    except ValueError:
        raise CommandError(f"Invalid input (at token 0: '{arg}')") from None
    best: tuple[int, str] | None = None
    for p in table:
        net = ipaddress.ip_network(p, strict=False)
        if net.version == addr.version and addr in net and (best is None or net.prefixlen > best[0]):
            best = (net.prefixlen, p)
    return best[1] if best else None


# ---- RIB ----------------------------------------------------------------------------------------
async def route_summary(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    """``show ip route [vrf V] summary``: counts per source and per mask length."""
    summary, table = await tw.frr.show_json_many("show ip route summary json", "show ip route json")
    by = {str(r.get("type")): int(r.get("rib", 0)) for r in (summary or {}).get("routes", [])}
    masks: dict[str, int] = {}
    for pfx, lst in (table or {}).items():
        if any(r.get("selected") for r in lst):
            n = pfx.split("/")[1]
            masks[n] = masks.get(n, 0) + 1
    ospf = by.get("ospf", 0)
    isis = by.get("isis", 0)
    default = {
        "totalRoutes": int((summary or {}).get("routesTotal", 0)),
        "connected": by.get("connected", 0),
        "static": by.get("static", 0),
        "staticPersistent": 0,
        "staticNonPersistent": 0,
        "vcs": 0,
        "staticNexthopGroup": 0,
        "ospfCounts": {
            "ospfTotal": ospf,
            "ospfIntraArea": ospf,
            "ospfInterArea": 0,
            "ospfExternal1": 0,
            "ospfExternal2": 0,
            "nssaExternal1": 0,
            "nssaExternal2": 0,
        },
        "bgpCounts": {
            "bgpTotal": by.get("ebgp", 0) + by.get("ibgp", 0),
            "bgpExternal": by.get("ebgp", 0),
            "bgpInternal": by.get("ibgp", 0),
            "bgpLocal": 0,
        },
        "isisCounts": {"isisTotal": isis, "isisLevel1": 0, "isisLevel2": isis},
        "internal": by.get("kernel", 0),
        "attached": 0,
        "aggregate": 0,
        "dynamicPolicy": 0,
        "maskLen": dict(sorted(masks.items(), key=lambda kv: int(kv[0]))),
    }
    return {
        "vrfs": _vrfs({"default": default}, m.group(1)),
        "protoModelStatus": {"configuredProtoModel": "multi-agent", "operatingProtoModel": "multi-agent"},
    }


_PROTO_TYPES = {
    "bgp": ("eBGP", "iBGP"),
    "connected": ("connected",),
    "ospf": ("OSPF",),
    "isis": ("IS-IS L2", "IS-IS L1"),
    "static": ("static",),
}
_PROTOS = "|".join(_PROTO_TYPES)


async def rib(tw: EosTwin) -> dict[str, Any]:
    """VRF -> its ``show ip route`` entry: the default VRF from FRR's RIB; every other VRF (the
    management VRF) from the running config, its interfaces' subnets and its static routes, since the
    twin's FRR routes the default VRF only."""
    vrfs = (await show.show_ip_route(tw))["vrfs"]
    dev = tw.device()
    for v in tables.vrf_names(tw)[1:]:
        routes: dict[str, Any] = {}
        for name, itf in dev.interfaces.items():
            for addr in itf.ipv4 if itf.vrf == v else []:
                net = str(ipaddress.ip_interface(addr).network)
                routes[net] = {
                    "routeType": "connected",
                    "directlyConnected": True,
                    "preference": 0,
                    "metric": 1,
                    "routeAction": "forward",
                    "vias": [{"interface": name}],
                    "hardwareProgrammed": True,
                    "kernelProgrammed": True,
                }
        for line in tw.running.to_text().splitlines():
            w = line.split()  # ip route vrf V PREFIX NEXTHOP [DISTANCE] (the model keeps default-VRF ones)
            if len(w) >= 6 and w[:3] == ["ip", "route", "vrf"] and w[3] == v:
                hop = {"nexthopAddr": w[5]}
                hit = _lookup({p: r for p, r in routes.items() if r["routeType"] == "connected"}, w[5])
                if hit:
                    hop["interface"] = routes[hit]["vias"][0]["interface"]
                routes[str(ipaddress.ip_network(w[4], strict=False))] = {
                    "routeType": "static",
                    "directlyConnected": False,
                    "metric": 0,
                    "routeAction": "forward",
                    "preference": int(w[6]) if len(w) > 6 and w[6].isdigit() else 1,
                    "vias": [hop],
                    "hardwareProgrammed": True,
                    "kernelProgrammed": True,
                }
        vrfs[v] = {
            "routingDisabled": True,
            "allRoutesProgrammedHardware": True,
            "allRoutesProgrammedKernel": True,
            "defaultRouteState": "notSet",
            "routes": routes,
        }
    return vrfs


async def route_lookup(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    """``show ip route [vrf V] ADDRESS|PREFIX [longer-prefixes] [PROTOCOL] [detail]``: the covering route
    (longest match), or with longer-prefixes every route inside PREFIX."""
    vrf, arg, longer, proto = m.group(1) or "default", m.group(2), m.group(3), m.group(4)
    d = _vrfs(await rib(tw), vrf)[vrf]
    if longer:
        d["routes"] = _within(d["routes"], arg)
    else:
        hit = _lookup(d["routes"], arg)
        d["routes"] = {hit: d["routes"][hit]} if hit else {}
    if proto:
        d["routes"] = {p: r for p, r in d["routes"].items() if r["routeType"] in _PROTO_TYPES[proto]}
    return {"vrfs": {vrf: d}}


async def route_table(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    """``show ip route [vrf V] [bgp|connected|ospf|isis|static] [detail]``."""
    vrf, proto = m.group(1), m.group(2)
    vrfs = _vrfs(await rib(tw), vrf)
    if proto:
        for d in vrfs.values():
            d["routes"] = {p: r for p, r in d["routes"].items() if r["routeType"] in _PROTO_TYPES[proto]}
    return {"vrfs": vrfs}


# ---- BFD ----------------------------------------------------------------------------------------
_BFD_DOWN = {"up": "up", "down": "down", "init": "init", "shutdown": "adminDown"}


async def bfd_peers(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    """``show bfd peers [detail]``: FRR bfdd's sessions, keyed as EOS keys them (VRF, address family,
    peer, then interface). Intervals are microseconds in EOS's detail."""
    detail = bool(m.group(1))
    peers = await tw.frr.show_json("show bfd peers json") or []
    apps = _bfd_apps(tw)
    now = time.time()
    vrfs: dict[str, Any] = {}
    for p in peers:
        vrf = str(p.get("vrf", "default"))
        fam = "ipv6Neighbors" if ":" in str(p.get("peer", "")) else "ipv4Neighbors"
        v = vrfs.setdefault(vrf, {"ipv4Neighbors": {}, "ipv6Neighbors": {}})
        ifname = str(p.get("interface", ""))
        intf = "" if p.get("multihop") else (to_eos(ifname) or ifname)
        status = _BFD_DOWN.get(str(p.get("status")), "down")
        up_s = float(p.get("uptime", 0)) if status == "up" else 0.0
        downtime = float(p.get("downtime", 0))
        st: dict[str, Any] = {
            "peerAddr": p.get("peer"),
            "sourceAddr": p.get("local", ""),
            "l3intf": intf,
            "kernelIfIndex": 0,
            "status": status,
            "remoteDisc": int(p.get("remote-id", 0)),
            "localDisc": int(p.get("id", 0)),
            "lastUp": now - up_s if status == "up" else 0.0,
            "lastDown": now - downtime if downtime else 0.0,
            "lastDiag": "diagNone" if p.get("diagnostic", "ok") == "ok" else "diagCtrlTimeout",
            "authType": "authNone",
            "sessType": "sessionTypeMultihop" if p.get("multihop") else "sessionTypeNormal",
        }
        if detail:
            tx_ms, rx_ms = int(p.get("transmit-interval", 300)), int(p.get("receive-interval", 300))
            mult = int(p.get("detect-multiplier", 3))
            st["peerStatsDetail"] = {
                "operTxInterval": tx_ms * 1000,
                "operRxInterval": rx_ms * 1000,
                "detectMult": mult,
                "detectTime": max(rx_ms, int(p.get("remote-transmit-interval", rx_ms))) * mult * 1000,
                "apps": apps,
                "echoOn": False,
                "echoActive": False,
            }
        # EOS keys an IPv4 session by "" (its address is unique) and an IPv6 link-local one by interface
        key = intf if fam == "ipv6Neighbors" else ""
        v[fam].setdefault(str(p.get("peer")), {"peerStats": {}})["peerStats"][key] = st
    if not vrfs:
        vrfs["default"] = {"ipv4Neighbors": {}, "ipv6Neighbors": {}}
    return {"vrfs": vrfs}


def _bfd_apps(tw: EosTwin) -> list[str]:
    """The protocols registered with BFD: the twin configures BFD for BGP neighbours and IGPs."""
    dev = tw.device()
    apps = []
    if dev.bgp and any(n.bfd for n in dev.bgp.neighbors.values()):
        apps.append("bgp")
    if dev.ospf:
        apps.append("ospf")
    if dev.isis:
        apps.append("isis")
    return apps


# ---- IS-IS --------------------------------------------------------------------------------------
async def isis_neighbors(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    d = await show.show_isis_neighbors(tw)
    return {"vrfs": _vrfs(d["vrfs"], m.group(1)) if d["vrfs"] else {}}


async def isis_interface_brief(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    """``show isis interface brief [vrf V]``: the configured IS-IS interfaces, adjacency counts from
    FRR's live neighbours."""
    dev = tw.device()
    if not dev.isis:
        return {"vrfs": {}}
    nbrs = (await show.show_isis_neighbors(tw))["vrfs"]["default"]["isisInstances"][dev.isis.tag]["neighbors"]
    adj: dict[str, int] = {}
    for n in nbrs.values():
        for a in n["adjacencies"]:
            if a["state"] == "up":
                adj[a["interfaceName"]] = adj.get(a["interfaceName"], 0) + 1
    interfaces: dict[str, Any] = {}
    for name, itf in dev.interfaces.items():
        if itf.isis != dev.isis.tag:
            continue
        lo = name.startswith("Loopback")
        # the twin's model keeps no per-interface metric: EOS's default wide metric; loopbacks passive
        level = {
            "ipv4Metric": 10,
            "sharedSecretProfile": "",
            "isisAdjacencies": [],
            "passive": lo,
            "v4Protection": "disabled",
            "v6Protection": "disabled",
        }
        if not lo:
            level["numAdjacencies"] = adj.get(name, 0)
        interfaces[name] = {
            "enabled": True,
            "interfaceType": "loopback" if lo else ("point-to-point" if itf.isis_p2p else "broadcast"),
            "interfaceAddressFamily": "ipv4",
            "intfLevels": {"2": level},
            "areaProxyBoundary": False,
        }
    inst = {dev.isis.tag: {"interfaces": interfaces}}
    return {"vrfs": _vrfs({"default": {"isisInstances": inst}}, m.group(1))}


COMMANDS: list[tuple[re.Pattern[str], Handler]] = [
    (re.compile(r"bgp summary" + _VRF), bgp_summary),
    (
        re.compile(r"(?:ip )?bgp neighbors (\S+) (advertised-routes|routes|received-routes)" + _VRF),
        bgp_neighbor_routes,
    ),
    (re.compile(r"(?:ip )?bgp neighbors(?: (?!vrf)(\S+))?" + _VRF), bgp_neighbors),
    (re.compile(r"(?:ip )?bgp(?: ([0-9.]+(?:/\d+)?)( longer-prefixes)?)?" + _VRF), bgp_routes),
    (re.compile(r"ip route" + _VRF + r" summary"), route_summary),
    (re.compile(r"ip route" + _VRF + rf"(?: ({_PROTOS}))?(?: detail)?"), route_table),
    (
        re.compile(
            r"ip route" + _VRF + rf" ([0-9.]+(?:/\d+)?)( longer-prefixes)?(?: ({_PROTOS}))?(?: detail)?"
        ),
        route_lookup,
    ),
    (re.compile(r"bfd peers( detail)?(?: vrf all)?"), bfd_peers),
    (re.compile(r"isis neighbors(?: detail)?" + _VRF), isis_neighbors),
    (re.compile(r"isis interface brief" + _VRF), isis_interface_brief),
]
