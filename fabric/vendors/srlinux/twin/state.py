"""Live operational state for the SR Linux twin's ``state`` datastore (JSON-RPC ``get``).

Two halves, as the Junos twin's ``oper.py``: *gather* (async) reads FRR (vtysh JSON), the kernel
(``ip -j``) and lldpd (``lldpcli``) for what the requested paths need; *render* (pure) lays that onto
the configuration-derived tree (``SrlinuxTwin.state_tree``) with SR Linux's leaf names, nesting and
value types (counter64 as strings, as the recorded device replies in the reference data have them).
A source that does not answer raises :class:`StateError`: the ``get`` fails rather than show config.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fabric.twins import live
from fabric.twins.live import SYSID, isis_hostnames, lldp_age, lldp_entries, lldp_value
from fabric.vendors.srlinux.twin.config import _IDENTITY, _MODULE, parse_path

if TYPE_CHECKING:
    from fabric.vendors.srlinux.twin.twin import SrlinuxTwin

SOURCES = ("links", "bgp", "isis", "ospf", "routes", "lldp")
DEFAULT_PORT_MTU = 9232  # SR Linux's default ethernet port MTU (YANG default)
MGMT_PORT_MTU = 1514

# module prefixes the config module does not know: state-only members and identity values
_STATE_MODULE = {("route-table", "ipv4-unicast"): "srl_nokia-ip-route-tables",
                 ("route-table", "ipv6-unicast"): "srl_nokia-ip-route-tables"}
_STATE_IDENTITY = {("capability", "name"): "srl_nokia-lldp-types",
                   ("neighbor", "adjacency-state"): "srl_nokia-ospf-types",
                   ("route-type", "ip-route-type-name"): "srl_nokia-common"}


class StateError(Exception):
    """A live source failed: the ``get`` answers an error, never config-only state."""


# ---- names and formats -----------------------------------------------------------------------
def srl_name(linux: str) -> str | None:
    """The node's Linux interface -> SR Linux's name (containerlab: e1-N is ethernet-1/N)."""
    if m := re.fullmatch(r"e(\d+)-(\d+)", linux):
        return f"ethernet-{m.group(1)}/{m.group(2)}"
    if linux == "eth0":
        return "mgmt0"
    if linux == "system0":
        return "system0"
    return None


def stamp(t: float) -> str:
    """SR Linux's date-and-time leaves: ``2026-06-12T14:43:32.348Z``."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t * 1000) % 1000:03d}Z"


def _mac(v: Any) -> str:
    return str(v or "").upper()


def prefixed(data: Any, parent: str = "", name: str = "") -> Any:
    """Module prefixes as the server prints them: the config module's table plus state-only ones."""
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for k, v in data.items():
            mod = _STATE_MODULE.get((name, k)) or _MODULE.get((name, k))
            if mod is None and name == "" and ":" not in k and not k.startswith("_"):
                mod = f"srl_nokia-{k}"
            out[f"{mod}:{k}" if mod and ":" not in k else k] = prefixed(v, name, k)
        return out
    if isinstance(data, list):
        return [prefixed(v, parent, name) for v in data]
    mod = _STATE_IDENTITY.get((parent, name)) or _IDENTITY.get((parent, name))
    if mod and isinstance(data, str) and ":" not in data:
        return f"{mod}:{data}"
    return data


# ---- gather ----------------------------------------------------------------------------------
@dataclass
class Live:
    """What the sources said (raw JSON), for :func:`render`; None: that source was not asked."""

    now: float
    boot: float
    links: list[dict[str, Any]] | None = None  # ip -j -s -d addr show
    changed: dict[str, float] = field(default_factory=dict)  # SR Linux name -> last oper-state change
    bgp: dict[str, Any] | None = None  # show bgp vrf all neighbors json
    bgp_summary: dict[str, Any] | None = None  # show bgp vrf all summary json
    rib: dict[str, Any] = field(default_factory=dict)  # afi -> show bgp vrf all <afi> unicast json
    isis: dict[str, Any] | None = None  # show isis neighbor json
    isis_hosts: str = ""  # show isis hostname (system id <-> dynamic hostname)
    ospf: dict[str, Any] | None = None  # show ip ospf neighbor json
    ospf_ifaces: dict[str, Any] | None = None  # show ip ospf interface json
    routes: dict[str, Any] | None = None  # show ip route summary json
    lldp: dict[str, Any] | None = None  # lldpcli -f json0 show neighbors details


def sources_for(paths: list[str]) -> set[str]:
    """Which live sources the requested paths need (a ``get`` of /system/information asks none)."""
    need: set[str] = set()
    for p in paths:
        names = [n for n, _kv in parse_path(p)]
        if not names:
            return set(SOURCES)
        if names[0] == "interface":
            need.add("links")
        elif names[0] == "network-instance":
            proto = {"bgp", "isis", "ospf", "route-table"} & set(names)
            if not proto:
                need |= {"bgp", "isis", "ospf", "routes"}
            need |= {"routes" if x == "route-table" else x for x in proto}
        elif names[0] == "system" and (len(names) == 1 or names[1] == "lldp"):
            need.add("lldp")
    return need


_frr_json = functools.partial(live.frr_json, error=StateError)
_ip_json = functools.partial(live.ip_json, error=StateError)
_lldp_json = functools.partial(live.lldp_json, error=StateError)


async def _frr_text(twin: SrlinuxTwin, cmd: str) -> str:
    return await twin.frr.show_text(cmd)


def _track(twin: Any, links: list[dict[str, Any]], now: float) -> dict[str, float]:
    """SR Linux name -> last oper-state change (SR Linux's last-change)."""
    return live.track_changes(twin, links, now, srl_name, _oper_up)


def _configured(conf: dict[str, Any], proto: str) -> bool:
    return any(proto in (ni.get("protocols") or {}) for ni in conf.get("network-instance", []))


async def gather(twin: SrlinuxTwin, sources: set[str]) -> Live | None:
    """The live sources ``sources`` names, for the protocols the running configuration has.

    None when the twin has no network namespace (its management plane alone, without a control
    plane to read: the configuration-derived state is all there is)."""
    if twin.netns is None:
        return None
    conf = twin.store.running.data
    live = Live(now=time.time(), boot=twin.boot_time)
    if sources & {"links", "lldp"}:
        live.links = await _ip_json(twin, "-s", "-d", "addr", "show")
        live.changed = _track(twin, live.links, live.now)
    if "bgp" in sources and _configured(conf, "bgp"):
        live.bgp = await _frr_json(twin, "show bgp vrf all neighbors json")
        live.bgp_summary = await _frr_json(twin, "show bgp vrf all summary json")
        # the RIB dump (best paths per peer = active-routes) is the costly read: IPv6 only when configured
        afis = ("ipv4", "ipv6") if "ipv6-unicast" in json.dumps(conf) else ("ipv4",)
        for afi in afis:
            live.rib[afi] = await _frr_json(twin, f"show bgp vrf all {afi} unicast json")
    if "isis" in sources and _configured(conf, "isis"):
        live.isis = await _frr_json(twin, "show isis neighbor json")
        live.isis_hosts = await _frr_text(twin, "show isis hostname")
    if "ospf" in sources and _configured(conf, "ospf"):
        live.ospf = await _frr_json(twin, "show ip ospf neighbor json")
        live.ospf_ifaces = await _frr_json(twin, "show ip ospf interface json")
    if "routes" in sources:
        live.routes = await _frr_json(twin, "show ip route summary json")
    if "lldp" in sources:
        live.lldp = await _lldp_json(twin)
    return live


# ---- render: interfaces ----------------------------------------------------------------------
def _oper_up(lk: dict[str, Any]) -> bool:
    flags = lk.get("flags", [])
    # a loopback stand-in (dummy) reports no carrier the way a veth does: UP is enough
    return "UP" in flags and ("LOWER_UP" in flags or lk.get("ifname") == "system0")


def _addresses(lk: dict[str, Any], configured: dict[str, dict[str, Any]],
               family: str) -> list[dict[str, Any]]:
    out = []
    for a in lk.get("addr_info", []):
        if a.get("family") != ("inet" if family == "ipv4" else "inet6") or "local" not in a:
            continue
        prefix = f"{a['local']}/{a['prefixlen']}"
        conf = configured.get(prefix)
        if family == "ipv6" and ipaddress.ip_address(str(a["local"])).is_link_local:
            out.append({"ip-prefix": prefix, "type": "link-local-unicast", "origin": "link-layer",
                        "status": "preferred"})
            continue
        entry: dict[str, Any] = {"ip-prefix": prefix}
        if family == "ipv6":
            entry["type"] = "global-unicast"
        entry["origin"] = "static" if conf is not None else "dhcp"
        if conf is not None and "primary" in conf:
            entry["primary"] = [None]
        entry["status"] = "preferred"
        out.append(entry)
    return out


def _stats(lk: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """(interface statistics, subinterface statistics) from ``stats64``; counter64 leaves are strings."""
    st = lk.get("stats64") or lk.get("stats") or {}
    rx, tx = st.get("rx", {}), st.get("tx", {})
    if not rx and not tx:
        return {}, {}
    rxp, txp, mc = int(rx.get("packets", 0)), int(tx.get("packets", 0)), int(rx.get("multicast", 0))
    itf = {"in-packets": rxp, "in-octets": rx.get("bytes", 0), "in-unicast-packets": rxp - mc,
           "in-multicast-packets": mc, "in-discarded-packets": rx.get("dropped", 0),
           "in-error-packets": rx.get("errors", 0), "out-packets": txp, "out-octets": tx.get("bytes", 0),
           "out-discarded-packets": tx.get("dropped", 0), "out-error-packets": tx.get("errors", 0)}
    if "carrier_changes" in lk:
        itf["carrier-transitions"] = lk["carrier_changes"]
    sub = {"in-packets": rxp, "in-octets": rx.get("bytes", 0), "in-discarded-packets": rx.get("dropped", 0),
           "out-discarded-packets": tx.get("dropped", 0), "out-packets": txp,
           "out-octets": tx.get("bytes", 0)}
    return {k: str(v) for k, v in itf.items()}, {k: str(v) for k, v in sub.items()}


def _iface_key(name: str) -> tuple[int, int, int, str]:
    if m := re.fullmatch(r"ethernet-(\d+)/(\d+)", name):
        return (0, int(m.group(1)), int(m.group(2)), name)
    return (1 if name == "mgmt0" else 2, 0, 0, name)


def render_interfaces(tree: dict[str, Any], live: Live) -> None:
    """``/interface``: every port the namespace has (unconfigured ones admin-disabled, as a device lists
    its ports) with kernel state, counters and addresses; configured ports without a link are down."""
    links = {n: lk for lk in live.links or [] if (n := srl_name(str(lk.get("ifname", "")))) is not None}
    by_name = {i["name"]: i for i in tree.get("interface", [])}
    for name in links:
        if name not in by_name and name.startswith("ethernet-"):
            by_name[name] = {"name": name, "admin-state": "disable"}
    out = []
    for name in sorted(by_name, key=_iface_key):
        itf = by_name[name]
        lk = links.get(name)
        admin = itf.get("admin-state", "enable") == "enable"
        up = admin and lk is not None and _oper_up(lk)
        new: dict[str, Any] = {"name": name, "admin-state": "enable" if admin else "disable"}
        if "description" in itf:
            new["description"] = itf["description"]
        if name.startswith("ethernet-") or name == "mgmt0":
            new["mtu"] = itf.get("mtu", DEFAULT_PORT_MTU if name != "mgmt0" else MGMT_PORT_MTU)
        if lk is not None:
            new["ifindex"] = int(lk.get("ifindex", 0))
        new["oper-state"] = "up" if up else "down"
        if not up:
            new["oper-down-reason"] = ("port-admin-disabled" if not admin
                                       else "port-not-present" if lk is None else "link-down")
        if name in live.changed:
            new["last-change"] = stamp(live.changed[name])
        new.update({k: v for k, v in itf.items() if k not in new and k != "subinterface"})
        itf_stats, sub_stats = _stats(lk) if lk is not None else ({}, {})
        if itf_stats:
            new["statistics"] = itf_stats
        if lk is not None and name != "system0":
            eth = dict(itf.get("ethernet") or {})
            eth["hw-mac-address"] = _mac(lk.get("address"))
            new["ethernet"] = eth
        subs = []
        for sub in itf.get("subinterface", []):
            subs.append(_render_sub(name, sub, lk if sub.get("index", 0) == 0 else None, up, sub_stats,
                                    live.changed.get(name)))
        if subs:
            new["subinterface"] = subs
        out.append(new)
    tree["interface"] = out


def _render_sub(parent: str, sub: dict[str, Any], lk: dict[str, Any] | None, parent_up: bool,
                stats: dict[str, str], changed: float | None) -> dict[str, Any]:
    idx = sub.get("index", 0)
    up = parent_up and sub.get("admin-state", "enable") == "enable"
    new: dict[str, Any] = {"index": idx}
    new.update({k: v for k, v in sub.items() if k not in ("ipv4", "ipv6", "oper-state", "name")})
    if lk is not None:
        new["ip-mtu"] = int(lk.get("mtu", 1500))  # the kernel's: what IP really uses
    new["name"] = f"{parent}.{idx}"
    if lk is not None:
        new["ifindex"] = int(lk.get("ifindex", 0))
    new["oper-state"] = "up" if up else "down"
    if changed is not None:
        new["last-change"] = stamp(changed)
    for fam in ("ipv4", "ipv6"):
        conf = dict(sub.get(fam) or {})
        configured = {a.get("ip-prefix", ""): a for a in conf.get("address", [])}
        addrs = _addresses(lk, configured, fam) if lk is not None else []
        if addrs or conf:
            conf.pop("address", None)
            new[fam] = {**conf, **({"address": addrs} if addrs else {})}
    if stats:
        new["statistics"] = stats
    return new


# ---- render: BGP -----------------------------------------------------------------------------
_FSM = ("established", "openconfirm", "opensent", "active", "connect", "idle")
_AFI = {"ipv4Unicast": "ipv4-unicast", "ipv6Unicast": "ipv6-unicast"}


def _fsm(s: Any) -> str:
    low = str(s).lower()
    return next((k for k in _FSM if low.startswith(k)), "idle")


def best_by_peer(rib: Any, vrf: str) -> dict[str, int]:
    """``show bgp vrf all <afi> unicast json`` -> best paths per peer (SR Linux's active-routes)."""
    out: dict[str, int] = {}
    routes = ((rib or {}).get(vrf) or {}).get("routes") or {} if isinstance(rib, dict) else {}
    for paths in routes.values():
        for p in paths if isinstance(paths, list) else []:
            # "(unspec)": a locally originated path, not a route received from a peer
            if p.get("bestpath") and p.get("peerId") and not str(p["peerId"]).startswith("("):
                out[str(p["peerId"])] = out.get(str(p["peerId"]), 0) + 1
    return out


def _neighbor(conf: dict[str, Any], n: dict[str, Any], active: dict[str, dict[str, int]], ip: str,
              now: float) -> dict[str, Any]:
    state = _fsm(n.get("bgpState", "Idle"))
    up = state == "established"
    remote, local = n.get("remoteAs"), n.get("localAs")
    new: dict[str, Any] = {"peer-address": ip,
                           "admin-state": conf.get("admin-state", "enable")}
    if conf.get("description") or n.get("nbrDesc"):
        new["description"] = conf.get("description") or n.get("nbrDesc")
    new["peer-type"] = "ebgp" if remote != local else "ibgp"
    if remote is not None:
        new["peer-as"] = int(remote)
    if conf.get("peer-group"):
        new["peer-group"] = conf["peer-group"]
    if up and n.get("remoteRouterId"):
        new["peer-router-id"] = str(n["remoteRouterId"])
    new["session-state"] = state
    epoch = n.get("bgpTimerUpEstablishedEpoch")
    if up and n.get("bgpTimerUpMsec") is not None:
        new["last-established"] = stamp(now - int(n["bgpTimerUpMsec"]) / 1000)
    elif epoch:
        new["last-established"] = stamp(float(epoch))
    new["established-transitions"] = str(int(n.get("connectionsEstablished", 0)))
    afis = []
    for key, afi in _AFI.items():
        info = (n.get("addressFamilyInfo") or {}).get(key)
        if info is None:
            continue
        # FRR keeps only what the import policy accepted (no soft-reconfiguration): received = accepted
        afis.append({"afi-safi-name": afi, "admin-state": "enable", "oper-state": "up" if up else "down",
                     "received-routes": int(info.get("acceptedPrefixCounter", 0)),
                     "sent-routes": int(info.get("sentPrefixCounter", 0)),
                     "active-routes": active.get(afi, {}).get(ip, 0)})
    if afis:
        new["afi-safi"] = afis
    if local is not None:
        new["local-as"] = {**(conf.get("local-as") or {}), "as-number": int(local)}
    timers = dict(conf.get("timers") or {})
    if up:
        timers["negotiated-hold-time"] = int(n.get("bgpTimerHoldTimeMsecs", 90000)) // 1000
        timers["negotiated-keepalive-interval"] = int(n.get("bgpTimerKeepAliveIntervalMsecs", 30000)) // 1000
    if timers:
        new["timers"] = timers
    transport = dict(conf.get("transport") or {})
    if n.get("hostLocal"):
        transport.update({"local-address": str(n["hostLocal"]), "local-port": int(n.get("portLocal", 0)),
                          "remote-port": int(n.get("portForeign", 0))})
    if transport:
        new["transport"] = transport
    ms = n.get("messageStats") or {}
    if ms:
        new["sent-messages"] = {"queue-depth": int(ms.get("depthOutq", 0)),
                                "total-updates": str(ms.get("updatesSent", 0)),
                                "total-messages": str(ms.get("totalSent", 0)),
                                "total-notifications": int(ms.get("notificationsSent", 0))}
        new["received-messages"] = {"queue-depth": int(ms.get("depthInq", 0)),
                                    "total-updates": str(ms.get("updatesRecv", 0)),
                                    "total-messages": str(ms.get("totalRecv", 0)),
                                    "total-notifications": int(ms.get("notificationsRecv", 0))}
    new.update({k: v for k, v in conf.items() if k not in new})
    return new


def render_bgp(tree: dict[str, Any], live: Live) -> None:
    if live.bgp is None:
        return
    for ni in tree.get("network-instance", []):
        bgp = (ni.get("protocols") or {}).get("bgp")
        if bgp is None:
            continue
        vrf = ni["name"]
        frr = live.bgp.get(vrf) if isinstance(live.bgp.get(vrf), dict) else {}
        summ = ((live.bgp_summary or {}).get(vrf) or {})
        rid = next((s.get("routerId") for s in summ.values() if isinstance(s, dict) and s.get("routerId")),
                   bgp.get("router-id"))
        active = {_AFI[f"{a}Unicast"]: best_by_peer(r, vrf) for a, r in live.rib.items()}
        conf_nbrs = {str(c.get("peer-address")): c for c in bgp.get("neighbor", [])}
        frr_nbrs = {ip: n for ip, n in (frr or {}).items() if isinstance(n, dict) and "bgpState" in n}
        nbrs = [_neighbor(conf_nbrs.get(ip, {}), frr_nbrs.get(ip, {"bgpState": "Idle"}), active, ip, live.now)
                for ip in sorted(set(conf_nbrs) | set(frr_nbrs), key=_ipkey)]
        admin = bgp.get("admin-state", "enable") == "enable"
        new: dict[str, Any] = {"admin-state": bgp.get("admin-state", "enable"),
                               "oper-state": "up" if admin and vrf in live.bgp else "down"}
        new.update({k: v for k, v in bgp.items() if k not in ("neighbor", "afi-safi", "group")})
        if rid:
            new["router-id"] = rid
        totals = {a: (sum(x.get("received-routes", 0) for n in nbrs for x in n.get("afi-safi", [])
                          if x["afi-safi-name"] == a),
                      sum(active.get(a, {}).values())) for a in _AFI.values()}
        afis = []
        for a in bgp.get("afi-safi", []):
            name = str(a.get("afi-safi-name", ""))
            rec, act = totals.get(name, (0, 0))
            afis.append({"afi-safi-name": name, "admin-state": a.get("admin-state", "enable"),
                         "received-routes": str(rec), "active-routes": str(act),
                         **{k: v for k, v in a.items() if k not in ("afi-safi-name", "admin-state")}})
        if afis:
            new["afi-safi"] = afis
        new["statistics"] = {"total-received-routes": str(sum(r for r, _ in totals.values())),
                             "total-active-routes": str(sum(a for _, a in totals.values())),
                             "total-peers": len(nbrs),
                             "up-peers": sum(n["session-state"] == "established" for n in nbrs),
                             "disabled-peers": sum(n["admin-state"] == "disable" for n in nbrs)}
        if "group" in bgp:
            new["group"] = bgp["group"]
        if nbrs:
            new["neighbor"] = nbrs
        ni["protocols"]["bgp"] = new


def _ipkey(ip: str) -> tuple[int, Any]:
    try:
        a = ipaddress.ip_address(ip)
        return (a.version, int(a))
    except ValueError:
        return (9, ip)


# ---- render: IS-IS, OSPF, route table --------------------------------------------------------
def _sub_name(linux: str) -> str | None:
    name = srl_name(linux.split(":")[0])
    return f"{name}.0" if name else None


def render_isis(tree: dict[str, Any], live: Live) -> None:
    if live.isis is None:
        return
    hosts = isis_hostnames(live.isis_hosts)
    adjs: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for area in live.isis.get("areas", []) if isinstance(live.isis, dict) else []:
        for c in area.get("circuits", []):
            if "adj" not in c or "interface" not in c:
                continue
            sub = _sub_name(str(c["interface"]))
            adj = str(c["adj"])
            sysid = adj if SYSID.match(adj) else hosts.get(adj)
            if sub is None or sysid is None:
                continue  # no system id to key the adjacency by: not shown rather than invented
            hold = str(c.get("expires-in", "")).rstrip("s")
            state = str(c.get("state", "Down")).lower()
            entry: dict[str, Any] = {"neighbor-system-id": sysid.upper(),
                                     "adjacency-level": f"L{int(c.get('level', 2) or 2)}"}
            if adj != sysid:
                entry["neighbor-hostname"] = adj
            entry["state"] = "init" if state.startswith("init") else ("up" if state == "up" else "down")
            if hold.isdigit():
                entry["remaining-holdtime"] = int(hold)
            adjs.setdefault((str(area.get("area", "")), sub), []).append(entry)
    for ni in tree.get("network-instance", []):
        isis = (ni.get("protocols") or {}).get("isis")
        insts = (isis or {}).get("instance", [])
        for inst in insts:
            single = len(insts) == 1
            for itf in inst.get("interface", []):
                found = [a for (tag, sub), lst in adjs.items() for a in lst
                         if sub == itf.get("interface-name") and (tag == inst.get("name") or single)]
                if found:
                    itf["adjacency"] = found


_OSPF_STATE = {"full": "full", "2-way": "two-way", "twoway": "two-way", "init": "init", "down": "down",
               "exstart": "exstart", "exchange": "exchange", "loading": "loading", "attempt": "attempt"}


def render_ospf(tree: dict[str, Any], live: Live) -> None:
    if live.ospf is None:
        return
    nbrs: dict[str, list[dict[str, Any]]] = {}
    for rid, lst in (live.ospf.get("neighbors") or {}).items():
        for n in lst if isinstance(lst, list) else [lst]:
            sub = _sub_name(str(n.get("ifaceName", "")))
            if sub is None:
                continue
            state = str(n.get("nbrState") or n.get("state") or "").split("/")[0].lower()
            entry: dict[str, Any] = {"router-id": rid,
                                     "address": str(n.get("ifaceAddress") or n.get("address") or ""),
                                     "priority": int(n.get("nbrPriority", n.get("priority", 1))),
                                     "dead-time": int(n.get("routerDeadIntervalTimerDueMsec",
                                                            n.get("deadTimeMsecs", 0))) // 1000,
                                     "adjacency-state": _OSPF_STATE.get(state, state)}
            if n.get("upTimeInMsec") is not None and entry["adjacency-state"] == "full":
                entry["last-established-time"] = stamp(live.now - int(n["upTimeInMsec"]) / 1000)
            nbrs.setdefault(sub, []).append(entry)
    for ni in tree.get("network-instance", []):
        ospf = (ni.get("protocols") or {}).get("ospf")
        for inst in (ospf or {}).get("instance", []):
            for area in inst.get("area", []):
                for itf in area.get("interface", []):
                    found = nbrs.get(str(itf.get("interface-name")))
                    if found:
                        itf["neighbor"] = sorted(found, key=lambda e: _ipkey(e["router-id"]))


_ROUTE_TYPE = {"connected": "local", "local": "local", "static": "static", "bgp": "bgp", "ebgp": "bgp",
               "ibgp": "bgp", "isis": "isis", "ospf": "ospfv2"}


def render_routes(tree: dict[str, Any], live: Live) -> None:
    """``/network-instance[name=default]/route-table/ipv4-unicast``: statistics and route-summary."""
    if live.routes is None:
        return
    counts: dict[str, int] = {}
    for r in live.routes.get("routes", []):
        t = _ROUTE_TYPE.get(str(r.get("type", "")))
        if t is not None:
            counts[t] = counts.get(t, 0) + int(r.get("fib", 0))
    total = sum(int(r.get("rib", 0)) for r in live.routes.get("routes", [])
                if str(r.get("type", "")) in _ROUTE_TYPE)
    table = {"statistics": {"active-routes": sum(counts.values()), "total-routes": str(total)},
             "route-summary": {"route-type": [{"ip-route-type-name": t, "active-routes": c}
                                              for t, c in sorted(counts.items())]}}
    for ni in tree.get("network-instance", []):
        if ni.get("name") == "default":
            ni.setdefault("route-table", {})["ipv4-unicast"] = table


# ---- render: LLDP ----------------------------------------------------------------------------
_ID_TYPE = {"mac": "MAC_ADDRESS", "ifname": "INTERFACE_NAME", "local": "LOCAL", "ifalias": "INTERFACE_ALIAS",
            "ip": "NETWORK_ADDRESS"}


def lldp_neighbors(data: Any, now: float) -> dict[str, list[dict[str, Any]]]:
    """lldpcli ``show neighbors details`` (json or json0) -> SR Linux neighbor entries per SR Linux port."""
    lldp = lldp_entries(data.get("lldp") if isinstance(data, dict) else None)
    out: dict[str, list[dict[str, Any]]] = {}
    for itf in lldp_entries((lldp[0] if lldp else {}).get("interface")):
        local = srl_name(str(itf.get("name", "")))
        if local is None or local == "mgmt0":
            continue
        chassis = lldp_entries(itf.get("chassis"))
        ch = chassis[0] if chassis else {}
        ports = lldp_entries(itf.get("port"))
        pt = ports[0] if ports else {}
        cid = (lldp_entries(ch.get("id")) or [{}])[0]
        pid = (lldp_entries(pt.get("id")) or [{}])[0]
        ctype = str(cid.get("type", ""))
        cval = _mac(cid.get("value")) if ctype == "mac" else str(cid.get("value", ""))
        seen = now - lldp_age(str(itf.get("age", "")))
        entry: dict[str, Any] = {"id": cval, "first-message": stamp(seen), "last-update": stamp(now)}
        name = lldp_value(ch.get("name")) or (str(ch["name"]) if isinstance(ch.get("name"), str) else "")
        if name:
            entry["system-name"] = name
        if lldp_value(ch.get("descr")):
            entry["system-description"] = lldp_value(ch.get("descr"))
        port = _mac(pid.get("value")) if pid.get("type") == "mac" else str(pid.get("value", ""))
        entry.update({"chassis-id": cval, "chassis-id-type": _ID_TYPE.get(ctype, "LOCAL"), "port-id": port,
                      "port-id-type": _ID_TYPE.get(str(pid.get("type", "")), "LOCAL"),
                      "port-description": lldp_value(pt.get("descr"))})
        caps = [{"name": str(c.get("type", "")).upper(), "enabled": bool(c.get("enabled"))}
                for c in ch.get("capability", []) or [] if isinstance(c, dict)]
        if caps:
            entry["capability"] = caps
        out.setdefault(local, []).append(entry)
    return out


def render_lldp(tree: dict[str, Any], live: Live) -> None:
    if live.lldp is None:
        return
    system = tree.setdefault("system", {})
    conf = system.get("lldp") or {}
    nbrs = lldp_neighbors(live.lldp, live.now)
    links = {n: lk for lk in live.links or [] if (n := srl_name(str(lk.get("ifname", "")))) is not None}
    enabled = conf.get("admin-state", "enable") == "enable"
    conf_itfs = {i.get("name"): i for i in conf.get("interface", [])}
    itfs = []
    for name in sorted({n for n in links if n.startswith("ethernet-")} | set(nbrs) | set(conf_itfs),
                       key=_iface_key):
        c = conf_itfs.get(name, {})
        on = enabled and c.get("admin-state", "enable") == "enable"
        lk = links.get(name)
        entry: dict[str, Any] = {"name": name, "admin-state": "enable" if on else "disable",
                                 "oper-state": "up" if on and lk is not None and _oper_up(lk) else "down"}
        if on and nbrs.get(name):
            entry["neighbor"] = nbrs[name]
        itfs.append(entry)
    new: dict[str, Any] = {"admin-state": "enable" if enabled else "disable",
                           **{k: v for k, v in conf.items() if k not in ("interface", "admin-state")}}
    host = (system.get("name") or {}).get("host-name")
    if host:
        new["system-name"] = host
    if (system.get("information") or {}).get("description"):
        new["system-description"] = system["information"]["description"]
    new["interface"] = itfs
    system["lldp"] = new


def render(tree: dict[str, Any], live: Live) -> dict[str, Any]:
    """Live state laid onto the configuration-derived state tree (unprefixed; :func:`prefixed` after)."""
    info = (tree.get("system") or {}).get("information")
    if isinstance(info, dict):  # the same clock as the live timestamps (NAPALM subtracts them)
        info["current-datetime"] = stamp(live.now)
    if live.links is not None:
        render_interfaces(tree, live)
    render_bgp(tree, live)
    render_isis(tree, live)
    render_ospf(tree, live)
    render_routes(tree, live)
    render_lldp(tree, live)
    return tree
