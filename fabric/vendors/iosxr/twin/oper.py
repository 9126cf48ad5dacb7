"""Operational state of the IOS-XR twin, answered from the node's live control plane.

As the Junos twin's ``oper.py``: an async *gather* (FRR JSON through vtysh, the kernel through
``ip -j``, lldpd through ``lldpcli``) and pure *parse* (source JSON -> small models) and *render*
(models -> XR's text or XML) steps, so tests run on captured fixtures. Two renderings:

- :func:`get`: the Cisco-IOS-XR ``*-oper`` XML of a NETCONF ``<get>``. The whole modelled tree is
  built, then cut down by RFC 6241 subtree filtering, so NAPALM's filters (selection leaves, a
  content match such as ``<name>Rack 0</name>``) get what a router sends. Element names, nesting and
  value forms follow the recorded replies of real routers (napalm-mocked/iosxr_netconf) and, for
  IS-IS, OSPF, BFD and the RIB, the 24.1 YANG models; list keys come first, as XR sends them.
- :func:`show`: the exec ``show`` commands, laid out as XR prints them (ntc-templates' cisco_xr
  templates read them).

A filter or command the twin does not model, or a source that does not answer, raises
:class:`OperError`: the NETCONF layer answers an rpc-error and the CLI ``% Invalid input``, never an
empty success.
"""

from __future__ import annotations

import copy
import functools
import ipaddress
import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lxml import etree

from fabric.twins import live
from fabric.vendors.iosxr.twin import control

if TYPE_CHECKING:
    from fabric.vendors.iosxr.twin.twin import IosxrTwin

XR_VERSION = "24.1.1"
NODE = "0/RP0/CPU0"


class OperError(Exception):
    """Not modelled, or a live source (FRR, kernel, lldpd) did not answer."""


def ns(module: str) -> str:
    return f"http://cisco.com/ns/yang/Cisco-IOS-XR-{module}"


NS_INT, NS_SUO, NS_INV = ns("pfi-im-cmd-oper"), ns("shellutil-oper"), ns("invmgr-oper")
NS_LLDP, NS_BGP, NS_IP4 = ns("ethernet-lldp-oper"), ns("ipv4-bgp-oper"), ns("ipv4-io-oper")
NS_IP6, NS_ARP, NS_ISIS = ns("ipv6-ma-oper"), ns("ipv4-arp-oper"), ns("clns-isis-oper")
NS_OSPF, NS_BFD, NS_RIB = ns("ipv4-ospf-oper"), ns("ip-bfd-oper"), ns("ip-rib-ipv4-oper")
NS_MEM, NS_CPU = ns("nto-misc-oper"), ns("wdsysmon-fd-oper")


# ---- names ----------------------------------------------------------------------------------
def xr_name(linux: str) -> str | None:
    return control.to_xr(linux)


def short_name(name: str) -> str:
    """XR's abbreviated interface names (brief tables): Gi0/0/0/0, Lo0, Mg0/RP0/CPU0/0, Nu0."""
    for full, short in (
        ("GigabitEthernet", "Gi"),
        ("Loopback", "Lo"),
        ("MgmtEth", "Mg"),
        ("Null", "Nu"),
        ("TenGigE", "Te"),
        ("HundredGigE", "Hu"),
        ("Bundle-Ether", "BE"),
    ):
        if name.startswith(full):
            return short + name[len(full) :]
    return name


def cli_key(name: str) -> tuple[int, tuple[int, ...], str]:
    """XR's interface order in tables: loopbacks, Null0, management, then the ports by number."""
    order = {"Loopback": 0, "Null": 1, "MgmtEth": 2, "GigabitEthernet": 3}
    m = re.match(r"([A-Za-z-]+)(.*)", name)
    kind = m.group(1) if m else name
    nums = tuple(int(n) for n in re.findall(r"\d+", m.group(2) if m else ""))
    return (order.get(kind, 9), nums, name)


def _dur(secs: float) -> str:
    """XR's elapsed time: 00:01:02, 1d02h, 2w3d."""
    s = max(0, int(secs))
    d, r = divmod(s, 86400)
    h, r = divmod(r, 3600)
    m, sec = divmod(r, 60)
    if d >= 7:
        return f"{d // 7}w{d % 7}d"
    if d:
        return f"{d}d{h:02d}h"
    return f"{h:02d}:{m:02d}:{sec:02d}"


# ---- live sources ---------------------------------------------------------------------------
SOURCES = ("links", "bgp", "isis", "ospf", "bfd", "routes", "lldp", "arp")


@dataclass
class Live:
    """What the sources said (raw JSON); None: that source was not asked."""

    now: float
    boot: float
    links: list[dict[str, Any]] | None = None  # ip -j -s addr show
    changed: dict[str, float] = field(default_factory=dict)  # XR name -> last line-state change
    bgp: dict[str, Any] | None = None  # show bgp vrf all neighbors json
    bgp_summary: dict[str, Any] | None = None  # show bgp vrf all summary json
    isis: dict[str, Any] | None = None  # show isis neighbor json
    isis_hosts: str = ""  # show isis hostname
    ospf: dict[str, Any] | None = None  # show ip ospf neighbor json
    ospf_ifaces: dict[str, Any] | None = None  # show ip ospf interface json
    bfd: list[dict[str, Any]] | None = None  # show bfd peers json
    routes: dict[str, Any] | None = None  # show ip route json
    lldp: dict[str, Any] | None = None  # lldpcli -f json0 show neighbors details
    arp: list[dict[str, Any]] | None = None  # ip -j -4 neigh show


_frr_json = functools.partial(live.frr_json, error=OperError)
_ip_json = functools.partial(live.ip_json, error=OperError)
_lldp_json = functools.partial(live.lldp_json, error=OperError)


def _track(twin: Any, links: list[dict[str, Any]], now: float) -> dict[str, float]:
    """XR name -> last line-state change (XR's last state transition)."""
    return live.track_changes(twin, links, now, xr_name, _line_up)


async def gather(twin: IosxrTwin, sources: set[str]) -> Live:
    """The live sources ``sources`` names, for the protocols the running configuration has."""
    dev = twin.device()
    live = Live(now=time.time(), boot=float(getattr(twin, "boot_time", 0.0) or 0.0))
    if "links" in sources:
        live.links = await _ip_json(twin, "-s", "addr", "show")
        live.changed = _track(twin, live.links, live.now)
    if "bgp" in sources and getattr(dev, "bgp", None) is not None:
        live.bgp = await _frr_json(twin, "show bgp vrf all neighbors json")
        live.bgp_summary = await _frr_json(twin, "show bgp vrf all summary json")
    if "isis" in sources and getattr(dev, "isis", None) is not None:
        live.isis = await _frr_json(twin, "show isis neighbor json")
        live.isis_hosts = await twin.frr.show_text("show isis hostname")
    if "ospf" in sources and getattr(dev, "ospf", None) is not None:
        live.ospf = await _frr_json(twin, "show ip ospf neighbor json")
        live.ospf_ifaces = await _frr_json(twin, "show ip ospf interface json")
    if "bfd" in sources:
        data = await _frr_json(twin, "show bfd peers json")
        live.bfd = data if isinstance(data, list) else []
    if "routes" in sources:
        live.routes = await _frr_json(twin, "show ip route json")
    if "lldp" in sources:
        # LLDP is off on XR until `lldp` is configured: no neighbors then, whatever lldpd heard
        live.lldp = await _lldp_json(twin) if getattr(dev, "lldp", True) else {}
    if "arp" in sources:
        live.arp = await _ip_json(twin, "-4", "neigh", "show")
    return live


# ---- parse: interfaces ----------------------------------------------------------------------
def _line_up(lk: dict[str, Any]) -> bool:
    flags = lk.get("flags", [])
    return "UP" in flags and "LOWER_UP" in flags


@dataclass
class Iface:
    name: str  # GigabitEthernet0/0/0/0
    admin_up: bool
    line_up: bool
    mtu: int  # XR's interface MTU: L2 (Ethernet header included); 1500 on loopbacks and Null0
    ip_mtu: int
    bandwidth: int  # kbit/s
    mac: str = ""
    description: str = ""
    vrf: str = "default"
    ipv4: list[tuple[str, int]] = field(default_factory=list)  # primary first
    ipv6: list[tuple[str, int]] = field(default_factory=list)
    link_local: str = ""
    stats: dict[str, int] = field(default_factory=dict)
    if_index: int = 0
    changed: float = 0.0
    transitions: int = 0

    @property
    def kind(self) -> str:
        m = re.match(r"[A-Za-z-]+", self.name)
        return m.group(0) if m else self.name

    @property
    def ethernet(self) -> bool:
        return self.kind in ("GigabitEthernet", "MgmtEth")

    @property
    def state(self) -> str:
        return (
            "im-state-admin-down" if not self.admin_up else "im-state-up" if self.line_up else "im-state-down"
        )


def parse_links(
    links: list[dict[str, Any]], dev: Any, boot: float, changed: dict[str, float] | None = None
) -> list[Iface]:
    """``ip -j -s addr show`` + the configuration -> XR's interfaces (the ports the node has, the
    configured loopbacks, Null0), sorted by name as XR's oper models list them."""
    conf = getattr(dev, "interfaces", {}) or {}
    out: dict[str, Iface] = {}
    for lk in links:
        name = xr_name(str(lk.get("ifname", "")))
        if name is None:
            continue
        c = conf.get(name)
        st = lk.get("stats64") or lk.get("stats") or {}
        rx, tx = st.get("rx", {}), st.get("tx", {})
        ethernet = not name.startswith("Loopback")
        admin = "UP" in lk.get("flags", []) and not (c is not None and c.shutdown)
        ip_mtu = int(lk.get("mtu", 1500))
        v4, v6, ll = [], [], ""
        for a in lk.get("addr_info", []):
            if "local" not in a:
                continue
            if a.get("family") == "inet":
                v4.append((str(a["local"]), int(a["prefixlen"])))
            elif a.get("family") == "inet6":
                if ipaddress.ip_address(str(a["local"])).is_link_local:
                    ll = str(a["local"])
                else:
                    v6.append((str(a["local"]), int(a["prefixlen"])))
        if c is not None and c.ipv4:  # the configured primary first (the kernel lists by age)
            order = [a.split("/")[0] for a in c.ipv4]
            v4.sort(key=lambda a: order.index(a[0]) if a[0] in order else len(order))
        out[name] = Iface(
            name=name,
            admin_up=admin,
            line_up=admin and (_line_up(lk) or not ethernet),
            mtu=ip_mtu + 14 if ethernet else 1500,
            ip_mtu=ip_mtu,
            bandwidth=1000000 if ethernet else 0,
            mac=str(lk.get("address") or "") if ethernet else "",
            description=c.description if c is not None else "",
            vrf=(c.vrf if c is not None and c.vrf else "default"),
            ipv4=v4,
            ipv6=v6,
            link_local=ll,
            stats={
                "rx_packets": int(rx.get("packets", 0)),
                "rx_bytes": int(rx.get("bytes", 0)),
                "rx_errors": int(rx.get("errors", 0)),
                "rx_dropped": int(rx.get("dropped", 0)),
                "rx_multicast": int(rx.get("multicast", 0)),
                "tx_packets": int(tx.get("packets", 0)),
                "tx_bytes": int(tx.get("bytes", 0)),
                "tx_errors": int(tx.get("errors", 0)),
                "tx_dropped": int(tx.get("dropped", 0)),
            },
            if_index=int(lk.get("ifindex", 0)),
            changed=(changed or {}).get(name, boot),
            transitions=1 if _line_up(lk) else 0,
        )
    for name, c in conf.items():  # configured, no Linux link (yet): XR lists it, down
        if name not in out and name.startswith(("Loopback", "GigabitEthernet", "MgmtEth")):
            lo = name.startswith("Loopback")
            out[name] = Iface(
                name=name,
                admin_up=not c.shutdown,
                line_up=lo and not c.shutdown,
                mtu=1500 if lo else 1514,
                ip_mtu=1500,
                bandwidth=0 if lo else 1000000,
                description=c.description,
                vrf=c.vrf or "default",
                ipv4=[(a.split("/")[0], int(a.split("/")[1])) for a in c.ipv4 if "/" in a],
                changed=boot,
            )
    out["Null0"] = Iface(
        name="Null0", admin_up=True, line_up=True, mtu=1500, ip_mtu=1500, bandwidth=0, changed=boot
    )
    return [out[n] for n in sorted(out)]


# ---- parse: LLDP ----------------------------------------------------------------------------
@dataclass
class LldpNbr:
    local: str  # GigabitEthernet0/0/0/0
    chassis_id: str  # XR's dotted form for a MAC: 70e4.2261.6cfe
    port_id: str
    port_descr: str
    system_name: str
    system_descr: str
    caps: list[str]  # XR letters of the capabilities the neighbor has: R, B, ...
    enabled: list[str]
    mgmt: list[str]
    peer_mac: str
    hold: int = 120
    age: int = 0


_CAP = {
    "Router": "R",
    "Bridge": "B",
    "Telephone": "T",
    "Docsis": "C",
    "Wlan": "W",
    "Repeater": "P",
    "Station": "S",
    "Other": "O",
}


def _dotted(mac: str) -> str:
    h = mac.replace(":", "").lower()
    return ".".join(h[i : i + 4] for i in range(0, 12, 4)) if len(h) == 12 else mac


def _v(x: Any) -> str:
    while isinstance(x, list):
        x = x[0] if x else ""
    if isinstance(x, dict):
        return str(x.get("value", ""))
    return "" if x is None else str(x)


def _age(s: str) -> int:
    m = re.search(r"(\d+) days?, (\d+):(\d+):(\d+)", s)
    if not m:
        return 0
    return int(m.group(1)) * 86400 + int(m.group(2)) * 3600 + int(m.group(3)) * 60 + int(m.group(4))


def parse_lldp(data: Any) -> list[LldpNbr]:
    """``lldpcli -f json0 show neighbors details`` -> neighbors on XR's ports (not the management port)."""
    roots = data.get("lldp") if isinstance(data, dict) else None
    root = roots[0] if isinstance(roots, list) and roots else roots if isinstance(roots, dict) else {}
    out = []
    for itf in (root or {}).get("interface", []) or []:
        local = xr_name(str(itf.get("name", "")))
        if local is None or local.startswith(("MgmtEth", "Loopback")):  # XR runs LLDP on its ports only
            continue
        ch = (itf.get("chassis") or [{}])[0]
        pt = (itf.get("port") or [{}])[0]
        cid = (ch.get("id") or [{}])[0]
        pid = (pt.get("id") or [{}])[0]
        cval = str(cid.get("value", ""))
        pval = str(pid.get("value", ""))
        caps = [c for c in ch.get("capability", []) or [] if isinstance(c, dict)]
        ttl = _v(pt.get("ttl")) or _v(itf.get("ttl"))
        out.append(
            LldpNbr(
                local=local,
                chassis_id=_dotted(cval) if cid.get("type") == "mac" else cval,
                port_id=_dotted(pval) if pid.get("type") == "mac" else pval,
                port_descr=_v(pt.get("descr")),
                system_name=_v(ch.get("name")),
                system_descr=_v(ch.get("descr")),
                caps=[_CAP.get(str(c.get("type")), "O") for c in caps],
                enabled=[_CAP.get(str(c.get("type")), "O") for c in caps if c.get("enabled")],
                mgmt=[_v(m) for m in ch.get("mgmt-ip", []) or []],
                peer_mac=cval if cid.get("type") == "mac" else "",
                hold=int(ttl) if ttl.isdigit() else 120,
                age=_age(str(itf.get("age", ""))),
            )
        )
    return sorted(out, key=lambda n: (cli_key(n.local), n.system_name))


# ---- parse: BGP -----------------------------------------------------------------------------
_BGP_STATE = {
    "Idle": "bgp-st-idle",
    "Connect": "bgp-st-connect",
    "Active": "bgp-st-active",
    "OpenSent": "bgp-st-open-sent",
    "OpenConfirm": "bgp-st-open-confirm",
    "Established": "bgp-st-estab",
    "Clearing": "bgp-st-closing",
}


@dataclass
class BgpPeer:
    address: str
    remote_as: int
    local_as: int
    state: str  # FRR/XR FSM word: Idle, Active, Established, ...
    description: str = ""
    shutdown: bool = False
    router_id: str = "0.0.0.0"
    local_address: str = ""
    local_port: int = 0
    remote_port: int = 0
    up_seconds: int = 0  # in the current state (up or down)
    msgs_in: int = 0
    msgs_out: int = 0
    updates_in: int = 0
    updates_out: int = 0
    notifications_in: int = 0
    notifications_out: int = 0
    accepted: int = 0
    advertised: int = 0
    bestpaths: int = 0
    established: int = 0
    dropped: int = 0
    hold: int = 180
    keepalive: int = 60
    conf_hold: int = 180
    conf_keepalive: int = 60
    policy_in: str = ""
    policy_out: str = ""
    update_source: bool = False
    rr_client: bool = False
    bfd: str = "none"  # up / down / none
    last_reset: str = ""
    external: bool = False

    @property
    def up(self) -> bool:
        return self.state == "Established"


def _fsm(s: str) -> str:
    return next((k for k in _BGP_STATE if s.startswith(k)), "Idle")


def best_by_peer(routes: Any) -> dict[str, int]:
    """``show ip route json`` -> selected BGP routes per next hop peer (XR's number-of-bestpaths)."""
    out: dict[str, int] = {}
    for lst in (routes or {}).values() if isinstance(routes, dict) else []:
        for r in lst if isinstance(lst, list) else []:
            if r.get("protocol") == "bgp" and r.get("selected"):
                peer = next((h.get("ip") for h in r.get("nexthops", []) if h.get("ip")), None)
                if peer:
                    out[str(peer)] = out.get(str(peer), 0) + 1
    return out


def parse_bgp(neighbors: Any, summary: Any, dev: Any, routes: Any = None) -> tuple[list[BgpPeer], str]:
    """``show bgp vrf all neighbors json`` + ``summary json`` (default VRF) + the configuration ->
    (peers, router id). A configured neighbor FRR does not list is shown Idle."""
    bgp = getattr(dev, "bgp", None)
    asn = int(getattr(bgp, "asn", 0) or 0) if bgp is not None else 0
    conf = {n.ip: n for n in (getattr(bgp, "neighbors", None) or [])}
    frr = (neighbors or {}).get("default") or {}
    frr = {ip: n for ip, n in frr.items() if isinstance(n, dict) and "bgpState" in n}
    sm = ((summary or {}).get("default") or {}).get("ipv4Unicast") or {}
    speers = sm.get("peers") or {}
    best = best_by_peer(routes)
    peers = []
    for ip in sorted(set(conf) | set(frr), key=_ipkey):
        n, c, sp = frr.get(ip, {"bgpState": "Idle"}), conf.get(ip), speers.get(ip, {})
        state = _fsm(str(n.get("bgpState", "Idle")))
        up = state == "Established"
        af = ((n.get("addressFamilyInfo") or {}).get("ipv4Unicast")) or {}
        ms = n.get("messageStats") or {}
        remote = n.get("remoteAs", getattr(c, "remote_as", None) if c else None)
        local = int(n.get("localAs", asn) or asn)
        bfd = n.get("peerBfdInfo") or {}
        peers.append(
            BgpPeer(
                address=ip,
                remote_as=int(remote or 0),
                local_as=local,
                state=state,
                description=str((c.description if c is not None else "") or n.get("nbrDesc") or ""),
                shutdown=bool(n.get("adminShutDown"))
                or bool(c is not None and c.shutdown)
                or "Admin" in str(n.get("bgpState", "")),
                router_id=str(n.get("remoteRouterId") or "0.0.0.0") if up else "0.0.0.0",
                local_address=str(n.get("hostLocal") or "") if up else "",
                local_port=int(n.get("portLocal", 0) or 0) if up else 0,
                remote_port=int(n.get("portForeign", 0) or 0) if up else 0,
                up_seconds=(
                    int(n.get("bgpTimerUpMsec", 0)) // 1000
                    if up
                    else int(n.get("lastResetTimerMsecs", 0) or 0) // 1000
                ),
                msgs_in=int(ms.get("totalRecv", sp.get("msgRcvd", 0))),
                msgs_out=int(ms.get("totalSent", sp.get("msgSent", 0))),
                updates_in=int(ms.get("updatesRecv", 0)),
                updates_out=int(ms.get("updatesSent", 0)),
                notifications_in=int(ms.get("notificationsRecv", 0)),
                notifications_out=int(ms.get("notificationsSent", 0)),
                accepted=int(af.get("acceptedPrefixCounter", sp.get("pfxRcd", 0)) or 0),
                advertised=int(af.get("sentPrefixCounter", sp.get("pfxSnt", 0)) or 0),
                bestpaths=best.get(ip, 0),
                established=int(n.get("connectionsEstablished", 0) or 0),
                dropped=int(n.get("connectionsDropped", 0) or 0),
                hold=int(n.get("bgpTimerHoldTimeMsecs") or 180000) // 1000,
                keepalive=int(n.get("bgpTimerKeepAliveIntervalMsecs") or 60000) // 1000,
                conf_hold=int(n.get("bgpTimerConfiguredHoldTimeMsecs") or 180000) // 1000,
                conf_keepalive=int(n.get("bgpTimerConfiguredKeepAliveIntervalMsecs") or 60000) // 1000,
                policy_in=str(getattr(c, "policy_in", "") or "") if c else "",
                policy_out=str(getattr(c, "policy_out", "") or "") if c else "",
                update_source=bool(getattr(c, "update_source", None)) if c else False,
                rr_client=bool(getattr(c, "rr_client", False)) if c else False,
                bfd=str(bfd.get("status", "")).lower() or ("down" if c is not None and c.bfd else "none"),
                last_reset=str(n.get("lastResetDueTo") or ""),
                external=remote is not None and int(remote) != local,
            )
        )
    rid = str(sm.get("routerId") or getattr(bgp, "router_id", None) or "0.0.0.0")
    return peers, rid


def _ipkey(ip: str) -> tuple[int, int, str]:
    try:
        a = ipaddress.ip_address(ip)
        return (a.version, int(a), ip)
    except ValueError:
        return (9, 0, ip)


# ---- parse: IS-IS, OSPF, BFD, routes, ARP ---------------------------------------------------
_SYSID = re.compile(r"^[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}$")


def isis_hostnames(text: str) -> dict[str, str]:
    """``show isis hostname`` -> dynamic hostname -> system id."""
    out = {}
    for line in text.splitlines():
        w = line.split()
        if len(w) >= 3 and _SYSID.match(w[-2]):
            out[w[-1]] = w[-2]
    return out


@dataclass
class IsisAdj:
    instance: str
    interface: str  # XR name
    system: str  # dynamic hostname (or the system id when the neighbor sends none)
    system_id: str
    level: int  # 1 or 2
    state: str  # Up, Init, Failed
    hold: int
    snpa: str  # *PtoP* on point-to-point circuits
    p2p: bool
    uptime: int = 0


def parse_isis(
    data: Any, hosts: str, dev: Any, now: float, since: dict[str, float] | None = None
) -> list[IsisAdj]:
    """``show isis neighbor json`` (FRR 8.4: areas -> circuits) -> adjacencies per level."""
    isis = getattr(dev, "isis", None)
    names = isis_hostnames(hosts)
    p2p = {n for n, i in (getattr(isis, "interfaces", {}) or {}).items() if getattr(i, "p2p", True)}
    out = []
    for area in data.get("areas", []) if isinstance(data, dict) else []:
        for c in area.get("circuits", []):
            if "adj" not in c or "interface" not in c:
                continue
            itf = xr_name(str(c["interface"])) or str(c["interface"])
            adj = str(c["adj"])
            hold = str(c.get("expires-in", "")).rstrip("s")
            st = str(c.get("state", "Down")).lower()
            is_p2p = itf in p2p or str(c.get("snpa", "")) in ("", "2020.2020.2020")
            out.append(
                IsisAdj(
                    instance=getattr(isis, "instance", None) or str(area.get("area", "")),
                    interface=itf,
                    system=adj,
                    system_id=(adj if _SYSID.match(adj) else names.get(adj, "0000.0000.0000")).lower(),
                    level=int(c.get("level", 2) or 2),
                    state="Up" if st == "up" else "Init" if st.startswith("init") else "Failed",
                    hold=int(hold) if hold.isdigit() else 0,
                    snpa="*PtoP*" if is_p2p else str(c.get("snpa", "")),
                    p2p=is_p2p,
                    uptime=int(now - (since or {}).get(itf, now)),
                )
            )
    return sorted(out, key=lambda a: (a.level, cli_key(a.interface)))


_OSPF_STATE = {
    "full": ("mgmt-nbr-full", "FULL"),
    "2-way": ("mgmt-nbr-2way", "2WAY"),
    "twoway": ("mgmt-nbr-2way", "2WAY"),
    "init": ("mgmt-nbr-init", "INIT"),
    "down": ("mgmt-nbr-down", "DOWN"),
    "attempt": ("mgmt-nbr-attempt", "ATTEMPT"),
    "exstart": ("mgmt-nbr-ex-start", "EXSTART"),
    "exchange": ("mgmt-nbr-ex-change", "EXCHANGE"),
    "loading": ("mgmt-nbr-load-ing", "LOADING"),
}


@dataclass
class OspfNbr:
    process: str
    router_id: str
    address: str
    interface: str
    state: str  # FRR's word, lowered: full, 2-way, ...
    role: str  # DR, BDR, DROther or "-" (point-to-point)
    priority: int
    dead: int  # seconds
    up: int  # seconds
    area: str = "0"


def parse_ospf(neighbors: Any, interfaces: Any, dev: Any) -> list[OspfNbr]:
    ospf = getattr(dev, "ospf", None)
    areas = {
        n: str(i.get("area", "")).split()[0]
        for n, i in ((interfaces or {}).get("interfaces") or {}).items()
        if isinstance(i, dict) and i.get("area")
    }
    out = []
    for rid, lst in ((neighbors or {}).get("neighbors") or {}).items():
        for n in lst if isinstance(lst, list) else [lst]:
            linux = str(n.get("ifaceName", "")).split(":")[0]
            full = str(n.get("nbrState") or n.get("state") or "Down")
            st, _, role = full.partition("/")
            role = role or str(n.get("role", "-"))
            out.append(
                OspfNbr(
                    process=str(getattr(ospf, "process", None) or "1"),
                    router_id=rid,
                    address=str(n.get("ifaceAddress") or n.get("address") or ""),
                    interface=xr_name(linux) or linux,
                    state=st.lower(),
                    role={"DROther": "-", "Backup": "BDR"}.get(role, role),
                    priority=int(n.get("nbrPriority", n.get("priority", 1))),
                    dead=int(n.get("routerDeadIntervalTimerDueMsec", n.get("deadTimeMsecs", 0)) or 0) // 1000,
                    up=int(n.get("upTimeInMsec", 0) or 0) // 1000,
                    area=areas.get(linux, "0.0.0.0"),
                )
            )
    return sorted(out, key=lambda n: (_ipkey(n.router_id), cli_key(n.interface)))


@dataclass
class BfdSess:
    neighbor: str
    interface: str
    state: str  # up, down, init, admin-down
    tx_ms: int
    rx_ms: int
    multiplier: int
    local_disc: int = 0
    echo_ms: int = 0


def parse_bfd(data: Any) -> list[BfdSess]:
    """``show bfd peers json``: single-hop IPv4 sessions."""
    out = []
    for p in data if isinstance(data, list) else []:
        if ":" in str(p.get("peer", "")):
            continue
        linux = str(p.get("interface", ""))
        st = str(p.get("status", "down"))
        out.append(
            BfdSess(
                neighbor=str(p.get("peer", "")),
                interface=xr_name(linux) or linux,
                state={"shutdown": "admin-down"}.get(st, st),
                tx_ms=int(p.get("transmit-interval", 300) or 300),
                rx_ms=int(p.get("receive-interval", 300) or 300),
                multiplier=int(p.get("detect-multiplier", 3) or 3),
                local_disc=int(p.get("id", 0) or 0),
                echo_ms=int(p.get("echo-transmit-interval", 0) or 0),
            )
        )
    return sorted(out, key=lambda s: (cli_key(s.interface), _ipkey(s.neighbor)))


@dataclass
class RouteCount:
    source: str  # XR's route source: local, connected, static, bgp 65000, isis CORE, ospf 1
    routes: int = 0
    backup: int = 0


def route_summary(routes: Any, ifaces: list[Iface], dev: Any) -> list[RouteCount]:
    """``show ip route json`` (selected routes) + interface addresses -> XR's route summary (default
    VRF). FRR has no local routes: XR's are the interface addresses (a /32 each); a connected /32
    (a loopback) is a local route only on XR. Paths FRR has but did not select are XR's backups."""
    vrf_if = {i.name for i in ifaces if i.vrf != "default"}
    local = sum(len(i.ipv4) for i in ifaces if i.vrf == "default" and i.line_up)
    counts: dict[str, RouteCount] = {}
    bgp, isis, ospf = getattr(dev, "bgp", None), getattr(dev, "isis", None), getattr(dev, "ospf", None)
    names = {
        "connected": "connected",
        "static": "static",
        "bgp": f"bgp {getattr(bgp, 'asn', '')}".strip(),
        "isis": f"isis {getattr(isis, 'instance', '')}".strip(),
        "ospf": f"ospf {getattr(ospf, 'process', '')}".strip(),
    }
    order = ["local", "connected", "dagr", "static"]
    order += [
        names[p] for p in ("bgp", "isis", "ospf") if {"bgp": bgp, "isis": isis, "ospf": ospf}[p] is not None
    ]
    for o in order:
        counts[o] = RouteCount(o)
    counts["local"].routes = local
    for pfx, lst in (routes or {}).items() if isinstance(routes, dict) else []:
        for r in lst if isinstance(lst, list) else []:
            proto = str(r.get("protocol", ""))
            hops = [xr_name(str(h.get("interfaceName", ""))) for h in r.get("nexthops", [])]
            if proto == "connected" and (pfx.endswith("/32") or any(h in vrf_if for h in hops)):
                continue
            src = names.get(proto)
            if src is None:
                continue
            rc = counts.setdefault(src, RouteCount(src))
            if r.get("selected"):
                rc.routes += 1
            else:
                rc.backup += 1
    return list(counts.values())


def parse_arp(neigh: list[dict[str, Any]], ifaces: list[Iface], now: float) -> list[dict[str, Any]]:
    """``ip -j -4 neigh show`` -> XR's ARP entries: the resolved neighbors, then each interface's own
    addresses (XR lists them as interface entries)."""
    out = []
    for n in neigh or []:
        dev = xr_name(str(n.get("dev", "")))
        states = n.get("state", [])
        if dev and n.get("lladdr") and "FAILED" not in states and "INCOMPLETE" not in states:
            out.append(
                {
                    "address": str(n.get("dst", "")),
                    "interface": dev,
                    "mac": str(n["lladdr"]),
                    "state": "state-dynamic",
                    "age": 0,
                }
            )
    for i in ifaces:
        if i.ethernet and i.mac:
            for a, _ in i.ipv4:
                out.append(
                    {"address": a, "interface": i.name, "mac": i.mac, "state": "state-interface", "age": 0}
                )
    return sorted(out, key=lambda e: (cli_key(e["interface"]), _ipkey(e["address"])))


# ---- XML building ---------------------------------------------------------------------------
def _el(tag: str, uri: str) -> Any:
    return etree.Element(f"{{{uri}}}{tag}", nsmap={None: uri})  # type: ignore[dict-item]


def _sub(parent: Any, tag: str, text: Any = None) -> Any:
    uri = etree.QName(parent).namespace
    el = etree.SubElement(parent, f"{{{uri}}}{tag}")
    if text is not None:
        el.text = ("true" if text else "false") if isinstance(text, bool) else str(text)
    return el


def _leaves(parent: Any, pairs: list[tuple[str, Any]]) -> None:
    for k, v in pairs:
        if v is not None:
            _sub(parent, k, v)


def render_system_time(hostname: str, boot: float, now: float) -> Any:
    t = time.gmtime(now)
    root = _el("system-time", NS_SUO)
    clock = _sub(root, "clock")
    _leaves(
        clock,
        [
            ("year", t.tm_year),
            ("month", t.tm_mon),
            ("day", t.tm_mday),
            ("hour", t.tm_hour),
            ("minute", t.tm_min),
            ("second", t.tm_sec),
            ("millisecond", int(now * 1000) % 1000),
            ("wday", (t.tm_wday + 1) % 7),
            ("time-zone", "UTC"),
            ("time-source", "calendar"),
        ],
    )
    up = _sub(root, "uptime")
    _leaves(up, [("host-name", hostname), ("uptime", int(now - boot))])
    return root


def render_interfaces(ifaces: list[Iface], now: float) -> Any:
    """Cisco-IOS-XR-pfi-im-cmd-oper ``interfaces``: the interface table (names, descriptions), the
    brief table and ``interface-xr`` with state, MAC, bandwidth and counters (leaves in the order of
    the recorded reply, then the rest in YANG order)."""
    root = _el("interfaces", NS_INT)
    table = _sub(root, "interfaces")
    for i in ifaces:
        e = _sub(table, "interface")
        _leaves(
            e,
            [
                ("interface-name", i.name),
                ("interface", i.name),
                ("state", i.state),
                ("line-state", i.state),
                ("description", i.description or None),
            ],
        )
    briefs = _sub(root, "interface-briefs")
    for i in ifaces:
        e = _sub(briefs, "interface-brief")
        _leaves(
            e,
            [
                ("interface-name", i.name),
                ("interface", i.name),
                ("type", _type(i)),
                ("state", i.state),
                ("actual-state", i.state),
                ("line-state", i.state),
                ("actual-line-state", i.state),
                ("encapsulation", _encap(i)[0]),
                ("encapsulation-type-string", _encap(i)[1]),
                ("mtu", i.mtu),
                ("sub-interface-mtu-overhead", 0),
                ("l2-transport", False),
                ("bandwidth", i.bandwidth),
                ("bandwidth64-bit", i.bandwidth),
            ],
        )
    xr = _sub(root, "interface-xr")
    for i in ifaces:
        e = _sub(xr, "interface")
        _leaves(e, [("interface-name", i.name), ("state", i.state), ("line-state", i.state), ("mtu", i.mtu)])
        if i.mac:
            _sub(_sub(e, "mac-address"), "address", i.mac)
        _sub(e, "bandwidth", i.bandwidth)
        if i.mac:
            _sub(_sub(e, "burned-in-address"), "address", i.mac)
        s = i.stats
        st = _sub(e, "interface-statistics")
        if i.name == "Null0" or not s:
            _sub(st, "stats-type", "basic")
        else:
            _sub(st, "stats-type", "full")
            f = _sub(st, "full-interface-stats")
            _leaves(
                f,
                [
                    ("packets-received", s["rx_packets"]),
                    ("bytes-received", s["rx_bytes"]),
                    ("packets-sent", s["tx_packets"]),
                    ("bytes-sent", s["tx_bytes"]),
                    ("multicast-packets-received", s["rx_multicast"]),
                    ("broadcast-packets-received", 0),
                    ("multicast-packets-sent", 0),
                    ("broadcast-packets-sent", 0),
                    ("output-drops", s["tx_dropped"]),
                    ("output-queue-drops", 0),
                    ("input-drops", s["rx_dropped"]),
                    ("input-queue-drops", 0),
                    ("input-errors", s["rx_errors"]),
                    ("crc-errors", 0),
                    ("output-errors", s["tx_errors"]),
                    ("carrier-transitions", i.transitions),
                    ("seconds-since-last-clear-counters", 0),
                ],
            )
        _leaves(
            e,
            [
                ("interface-handle", i.name),
                ("interface-type", _type(i)),
                ("hardware-type-string", _hw(i)),
                ("encapsulation", _encap(i)[0]),
                ("encapsulation-type-string", _encap(i)[1]),
                ("is-l2-transport-enabled", False),
                ("state-transition-count", i.transitions),
                ("last-state-transition-time", int(now - i.changed)),
                ("description", i.description or None),
                ("if-index", i.if_index),
                ("is-intf-logical", not i.ethernet),
                ("is-intf-type-management", i.name.startswith("MgmtEth")),
            ],
        )
    return root


def _type(i: Iface) -> str:
    return {
        "GigabitEthernet": "IFT_GETHERNET",
        "MgmtEth": "IFT_ETHERNET",
        "Loopback": "IFT_LOOPBACK",
        "Null": "IFT_NULL",
    }.get(i.kind, "IFT_ETHERNET")


def _hw(i: Iface) -> str:
    return {
        "GigabitEthernet": "GigabitEthernet",
        "MgmtEth": "Management Ethernet",
        "Loopback": "Loopback interface(s)",
        "Null": "Null interface",
    }.get(i.kind, "Ethernet")


def _encap(i: Iface) -> tuple[str, str]:
    if i.ethernet:
        return "ether", "ARPA"
    return ("loopback", "Loopback") if i.kind == "Loopback" else ("null", "Null")


def render_inventory(model: str, serial: str) -> Any:
    root = _el("inventory", NS_INV)
    ent = _sub(_sub(root, "entities"), "entity")
    _sub(ent, "name", "Rack 0")
    bag = _sub(_sub(ent, "attributes"), "inv-basic-bag")
    _leaves(
        bag,
        [
            ("description", f"Cisco {model}"),
            ("vendor-type", "0"),
            ("name", "Rack 0"),
            ("hardware-revision", "V00"),
            ("software-revision", XR_VERSION),
            ("serial-number", serial),
            ("manufacturer-name", "Cisco Systems, Inc."),
            ("model-name", model),
            ("is-field-replaceable-unit", False),
        ],
    )
    return root


def render_lldp(nbrs: list[LldpNbr]) -> Any:
    """Cisco-IOS-XR-ethernet-lldp-oper ``lldp``: per local port a ``detail`` with its neighbors."""
    root = _el("lldp", NS_LLDP)
    node = _sub(_sub(root, "nodes"), "node")
    _sub(node, "node-name", NODE)
    nb = _sub(node, "neighbors")
    details = _sub(nb, "details")
    by_port: dict[str, list[LldpNbr]] = {}
    for n in nbrs:
        by_port.setdefault(n.local, []).append(n)
    for port, lst in by_port.items():
        d = _sub(details, "detail")
        _leaves(d, [("interface-name", port), ("device-id", lst[0].system_name)])
        for idx, n in enumerate(lst, 1):
            e = _sub(d, "lldp-neighbor")
            _leaves(
                e,
                [
                    ("receiving-interface-name", n.local),
                    ("device-id", n.system_name),
                    ("chassis-id", n.chassis_id),
                    ("port-id-detail", n.port_id),
                    ("header-version", 0),
                    ("hold-time", n.hold),
                    ("enabled-capabilities", ",".join(n.enabled)),
                ],
            )
            dd = _sub(e, "detail")
            if n.peer_mac:
                _sub(dd, "peer-mac-address", n.peer_mac.lower())
            _leaves(
                dd,
                [
                    ("port-description", n.port_descr or None),
                    ("system-name", n.system_name),
                    ("system-description", n.system_descr),
                    ("time-remaining", max(0, n.hold - n.age % 30)),
                    ("system-capabilities", ",".join(n.caps)),
                    ("enabled-capabilities", ",".join(n.enabled)),
                ],
            )
            addrs = _sub(dd, "network-addresses")
            for m in n.mgmt:
                v6 = ":" in m
                a = _sub(addrs, "lldp-addr-entry")
                ad = _sub(a, "address")
                _leaves(
                    ad,
                    [
                        ("address-type", "ipv6" if v6 else "ipv4"),
                        ("ipv6-address" if v6 else "ipv4-address", m),
                    ],
                )
                _leaves(a, [("ma-subtype", 2 if v6 else 1), ("if-num", 0)])
            _leaves(dd, [("media-attachment-unit-type", 0), ("port-vlan-id", 0)])
            mib = _sub(e, "mib")
            _leaves(
                mib,
                [
                    ("rem-time-mark", 0),
                    ("rem-local-port-num", 0),
                    ("rem-index", idx),
                    ("chassis-id-sub-type", 4 if n.peer_mac else 7),
                    ("chassis-id-len", len(n.chassis_id)),
                    ("port-id-sub-type", 5),
                    ("port-id-len", len(n.port_id)),
                    ("combined-capabilities", 0),
                ],
            )
    return root


def render_bgp(peers: list[BgpPeer], router_id: str, asn: int) -> Any:
    """Cisco-IOS-XR-ipv4-bgp-oper ``bgp``: the default instance's default VRF (a subset of the leaves
    the recorded reply has, in its order)."""
    root = _el("bgp", NS_BGP)
    inst = _sub(_sub(root, "instances"), "instance")
    _sub(inst, "instance-name", "default")
    act = _sub(inst, "instance-active")
    dv = _sub(act, "default-vrf")
    gpi = _sub(dv, "global-process-info")
    _leaves(gpi, [("vrf-name", "default"), ("vrfid", 1610612736)])
    g = _sub(gpi, "global")
    _leaves(
        g,
        [
            ("in-standalone-mode", True),
            ("local-as", asn),
            ("instance-name", "default"),
            ("restart-count", 1),
            ("update-delay", 120),
            ("generic-scan-period", 60),
        ],
    )
    v = _sub(gpi, "vrf")
    _leaves(
        v,
        [
            ("vrf-is-active", True),
            ("route-distinguisher", "00:00:00:00:00:00:00:00"),
            ("router-id", router_id),
            ("configured-router-id", router_id),
            ("is-enforce-first-as-enabled", True),
            ("default-local-preference", 100),
            ("keep-alive-time", 60),
            ("hold-time", 180),
            ("min-acceptable-hold-time", 3),
            ("is-neighbor-logging", True),
            ("is-graceful-restart", False),
            ("is-nsr", True),
            ("restart-time", 120),
            ("stale-path-time", 360),
        ],
    )
    nbrs = _sub(dv, "neighbors")
    for p in peers:
        afi = "ipv6" if ":" in p.address else "ipv4"
        e = _sub(nbrs, "neighbor")
        _leaves(
            e,
            [
                ("neighbor-address", p.address),
                ("speaker-id", 0),
                ("description", p.description or None),
                ("local-as", p.local_as),
                ("remote-as", p.remote_as),
                ("has-internal-link", not p.external),
                ("is-external-neighbor-not-directly-connected", False),
                ("messages-received", p.msgs_in),
                ("messages-sent", p.msgs_out),
                ("update-messages-in", p.updates_in),
                ("update-messages-out", p.updates_out),
                ("messages-queued-in", 0),
                ("messages-queued-out", 0),
                ("connection-established-time", p.up_seconds if p.up else 0),
                ("connection-state", _BGP_STATE[p.state]),
                ("previous-connection-state", 4 if p.up else 1),
                ("connection-admin-status", 1 if p.shutdown else 0),
                ("open-check-error-code", "none"),
            ],
        )
        la = _sub(e, "connection-local-address")
        _leaves(
            la, [("afi", afi), (f"{afi}-address", p.local_address or ("::" if afi == "ipv6" else "0.0.0.0"))]
        )
        _sub(e, "is-local-address-configured", p.update_source)
        _sub(e, "connection-local-port", p.local_port)
        ra = _sub(e, "connection-remote-address")
        _leaves(ra, [("afi", afi), (f"{afi}-address", p.address)])
        _leaves(
            e,
            [
                ("connection-remote-port", p.remote_port),
                ("neighbor-interface-handle", 0),
                ("is-administratively-shut-down", p.shutdown),
                (
                    "bfd-session-state",
                    f"bgp-bfd-state-{p.bfd}" if p.bfd in ("up", "down", "none") else "bgp-bfd-state-none",
                ),
                ("router-id", p.router_id),
                ("negotiated-protocol-version", 4 if p.up else 0),
                ("hold-time", p.hold),
                ("keep-alive-time", p.keepalive),
                ("configured-hold-time", p.conf_hold),
                ("configured-keepalive", p.conf_keepalive),
                ("configured-min-acc-hold-time", 3),
                ("connect-retry-interval", 30),
                ("connection-up-count", p.established),
                ("connection-down-count", p.dropped),
            ],
        )
        af = _sub(e, "af-data")
        _leaves(
            af,
            [
                ("af-name", afi),
                ("is-neighbor-route-reflector-client", p.rr_client),
                ("is-neighbor-af-capable", p.up),
                ("remove-private-as-from-updates", False),
                ("prefixes-accepted", p.accepted),
                ("prefixes-denied", 0),
                ("number-of-bestpaths", p.bestpaths),
                ("prefixes-advertised", p.advertised),
                ("prefixes-suppressed", 0),
                ("prefixes-withdrawn", 0),
                ("route-policy-in", p.policy_in or None),
                ("route-policy-out", p.policy_out or None),
                ("selective-multipath-eligible", False),
            ],
        )
        _leaves(e, [("vrf-name", "default"), ("nsr-enabled", True)])
    _sub(act, "vrfs")
    return root


def render_ipv4_network(ifaces: list[Iface]) -> Any:
    """Cisco-IOS-XR-ipv4-io-oper ``ipv4-network``: per VRF the interfaces' addresses (details)."""
    root = _el("ipv4-network", NS_IP4)
    node = _sub(_sub(root, "nodes"), "node")
    _sub(node, "node-name", NODE)
    vrfs = _sub(_sub(node, "interface-data"), "vrfs")
    for vrf in sorted({i.vrf for i in ifaces}):
        v = _sub(vrfs, "vrf")
        _sub(v, "vrf-name", vrf)
        briefs = _sub(v, "briefs")
        for i in ifaces:
            if i.vrf == vrf and i.name != "Null0":
                b = _sub(briefs, "brief")
                _leaves(
                    b,
                    [
                        ("interface-name", i.name),
                        ("primary-address", i.ipv4[0][0] if i.ipv4 else "0.0.0.0"),
                        ("vrf-id", 0),
                        ("vrf-name", vrf),
                        ("protocol-state", _ip_state(i)),
                    ],
                )
        details = _sub(v, "details")
        for i in ifaces:
            if i.vrf != vrf or i.name == "Null0":
                continue
            d = _sub(details, "detail")
            _leaves(
                d,
                [
                    ("interface-name", i.name),
                    ("primary-address", i.ipv4[0][0] if i.ipv4 else "0.0.0.0"),
                    ("vrf-id", 0),
                    ("protocol-state", _ip_state(i)),
                    ("prefix-length", i.ipv4[0][1] if i.ipv4 else 0),
                    ("route-tag", 0),
                    ("mtu", i.ip_mtu),
                    ("unreachable", True),
                    ("redirect", False),
                    ("direct-broadcast", False),
                    ("mask-reply", False),
                ],
            )
            for a, plen in i.ipv4[1:]:
                s = _sub(d, "secondary-address")
                _leaves(s, [("address", a), ("prefix-length", plen), ("route-tag", 0)])
    return root


def _ip_state(i: Iface) -> str:
    """Ipv4-ma-state: up, down, shutdown."""
    return "shutdown" if not i.admin_up else "up" if i.line_up else "down"


def render_ipv6_network(ifaces: list[Iface]) -> Any:
    root = _el("ipv6-network", NS_IP6)
    node = _sub(_sub(root, "nodes"), "node")
    _sub(node, "node-name", NODE)
    vrfs = _sub(_sub(node, "interface-data"), "vrfs")
    for vrf in sorted({i.vrf for i in ifaces}):
        v = _sub(vrfs, "vrf")
        _sub(v, "vrf-name", vrf)
        gd = _sub(v, "global-details")
        for i in ifaces:
            if i.vrf != vrf or i.name == "Null0" or not (i.ipv6 or i.link_local):
                continue
            d = _sub(gd, "global-detail")
            _sub(d, "interface-name", i.name)
            if i.link_local:
                ll = _sub(d, "link-local-address")
                _leaves(
                    ll, [("address", i.link_local), ("prefix-length", 128), ("address-state", "stateless")]
                )
            _leaves(d, [("line-state", "im-state-up" if i.line_up else i.state), ("mtu", i.ip_mtu)])
            for a, plen in i.ipv6:
                x = _sub(d, "address")
                _leaves(x, [("address", a), ("prefix-length", plen), ("address-state", "stateless")])
    return root


def render_arp(entries: list[dict[str, Any]]) -> Any:
    root = _el("arp", NS_ARP)
    node = _sub(_sub(root, "nodes"), "node")
    _sub(node, "node-name", NODE)
    ents = _sub(node, "entries")
    for x in entries:
        e = _sub(ents, "entry")
        _leaves(
            e,
            [
                ("address", x["address"]),
                ("interface-name", x["interface"]),
                ("media-type", "media-arpa"),
                ("state", x["state"]),
                ("flag", "flag-none"),
                ("age", x["age"]),
                ("encapsulation-type", "arpa"),
                ("hardware-length", 6),
                ("hardware-address", x["mac"]),
            ],
        )
    return root


_ISIS_STATE = {"Up": "isis-adj-up-state", "Init": "isis-adj-init-state", "Failed": "isis-adj-failed-state"}


def render_isis(adjs: list[IsisAdj], instance: str) -> Any:
    """Cisco-IOS-XR-clns-isis-oper ``isis``: instances/instance/neighbors/neighbor (24.1 model)."""
    root = _el("isis", NS_ISIS)
    insts = _sub(root, "instances")
    names = [instance] if instance else sorted({a.instance for a in adjs})
    for name in names:
        inst = _sub(insts, "instance")
        _sub(inst, "instance-name", name)
        # the dynamic host names learnt from the neighbors' LSPs (``show isis hostname``)
        hn = _sub(inst, "host-names")
        for sysid, host in sorted({(a.system_id, a.system) for a in adjs
                                   if a.instance == name and a.system != a.system_id}):
            h = _sub(hn, "host-name")
            _leaves(h, [("system-id", sysid), ("host-name", host)])
        nb = _sub(inst, "neighbors")
        for a in adjs:
            if a.instance != name:
                continue
            e = _sub(nb, "neighbor")
            _leaves(
                e,
                [
                    ("system-id", a.system_id),
                    ("interface-name", a.interface),
                    ("neighbor-system-id", a.system_id),
                    ("neighbor-snpa", a.snpa),
                    ("local-interface", a.interface),
                    ("neighbor-state", _ISIS_STATE[a.state]),
                    ("neighbor-circuit-type", f"isis-levels-{a.level}"),
                    ("neighbor-ietf-nsf-capable-flag", 1),
                    ("neighbor-media-type", "isis-media-class-p2p" if a.p2p else "isis-media-class-lan"),
                    ("neighbor-holdtime", a.hold),
                    ("neighbor-uptime-valid-flag", a.state == "Up"),
                    ("neighbor-uptime", a.uptime),
                    ("nsr-standby", False),
                ],
            )
    return root


def render_ospf(nbrs: list[OspfNbr], process: str) -> Any:
    """Cisco-IOS-XR-ipv4-ospf-oper ``ospf``: processes/process/default-vrf/adjacency-information."""
    root = _el("ospf", NS_OSPF)
    procs = _sub(root, "processes")
    names = [process] if process else sorted({n.process for n in nbrs})
    for name in names:
        p = _sub(procs, "process")
        _sub(p, "process-name", name)
        ai = _sub(_sub(p, "default-vrf"), "adjacency-information")
        nb = _sub(ai, "neighbors")
        for n in nbrs:
            if n.process != name:
                continue
            e = _sub(nb, "neighbor")
            _leaves(e, [("interface-name", n.interface), ("neighbor-address", n.address)])
            bfd = _sub(e, "neighbor-bfd-information")
            _leaves(bfd, [("bfd-intf-enable-mode", 0), ("bfd-status-flag", 0)])
            _leaves(
                e,
                [
                    ("neighbor-id", n.router_id),
                    ("neighbor-ip-address", n.address),
                    ("neighbor-interface-name", n.interface),
                    ("neighbor-dr-priority", n.priority),
                    ("neighbor-state", _OSPF_STATE.get(n.state, ("mgmt-nbr-down", ""))[0]),
                    (
                        "dr-bdr-state",
                        {"DR": "mgmt-dbdr-dr", "BDR": "mgmt-dbdr-bdr"}.get(n.role, "mgmt-dbdr-none"),
                    ),
                    ("neighbor-dead-timer", n.dead),
                    ("neighbor-up-time", n.up),
                    ("neighbor-madj-interface", False),
                ],
            )
    return root


_BFD_STATE = {
    "up": "bfd-mgmt-session-state-up",
    "down": "bfd-mgmt-session-state-down",
    "init": "bfd-mgmt-session-state-init",
    "admin-down": "bfd-mgmt-session-state-admin-down",
}


def render_bfd(sessions: list[BfdSess]) -> Any:
    """Cisco-IOS-XR-ip-bfd-oper ``bfd``: session-briefs (all) and ipv4-single-hop-session-briefs."""
    root = _el("bfd", NS_BFD)
    for cont, item in (
        ("session-briefs", "session-brief"),
        ("ipv4-single-hop-session-briefs", "ipv4-single-hop-session-brief"),
    ):
        c = _sub(root, cont)
        for s in sessions:
            e = _sub(c, item)
            _leaves(
                e,
                [
                    ("interface-name", s.interface),
                    ("destination-address", s.neighbor),
                    ("location", NODE),
                    ("local-discriminator", s.local_disc),
                ],
            )
            sb = _sub(e, "status-brief-information")
            am = _sub(sb, "async-interval-multiplier")
            _leaves(
                am,
                [
                    ("negotiated-remote-transmit-interval", s.rx_ms * 1000),
                    ("negotiated-local-transmit-interval", s.tx_ms * 1000),
                    ("detection-time", s.rx_ms * s.multiplier * 1000),
                    ("detection-multiplier", s.multiplier),
                ],
            )
            em = _sub(sb, "echo-interval-multiplier")
            _leaves(
                em,
                [
                    ("negotiated-transmit-interval", s.echo_ms * 1000),
                    ("detection-time", s.echo_ms * s.multiplier * 1000),
                    ("detection-multiplier", s.multiplier),
                ],
            )
            _leaves(
                e,
                [
                    ("node-id", NODE),
                    ("state", _BFD_STATE.get(s.state, "bfd-mgmt-session-state-unknown")),
                    ("session-type", "ip-single-hop"),
                    ("session-subtype", ""),
                    ("session-flags", 0),
                ],
            )
    return root


# route source -> (protocol container, its instance container, keyed by the AS/instance?)
_RIB_PROTO = {
    "local": ("local", "non-as"),
    "connected": ("connected", "non-as"),
    "dagr": ("dagr", "non-as"),
    "static": ("static", "non-as"),
    "bgp": ("bgp", "as"),
    "isis": ("isis", "as"),
    "ospf": ("ospf", "as"),
}


def render_rib(counts: list[RouteCount]) -> Any:
    """Cisco-IOS-XR-ip-rib-ipv4-oper ``rib``: the default table's per-protocol ``information`` (what
    ``show route summary`` prints)."""
    root = _el("rib", NS_RIB)
    vrf = _sub(_sub(root, "vrfs"), "vrf")
    _sub(vrf, "vrf-name", "default")
    af = _sub(_sub(vrf, "afs"), "af")
    _sub(af, "af-name", "IPv4")
    saf = _sub(_sub(af, "safs"), "saf")
    _sub(saf, "saf-name", "Unicast")
    tbl = _sub(_sub(saf, "ip-rib-route-table-names"), "ip-rib-route-table-name")
    _sub(tbl, "route-table-name", "default")
    proto = _sub(tbl, "protocol")
    for rc in counts:
        kind, _, inst = rc.source.partition(" ")
        cont, sub = _RIB_PROTO[kind]
        p = _sub(proto, cont)
        holder = _sub(p, sub)
        if sub == "as":
            _sub(holder, "as", inst)
        info = _sub(holder, "information")
        _leaves(
            info,
            [
                ("protocol-name", kind),
                ("protocol-instance", inst),
                ("protocol-version", 0),
                ("number-of-redistribution-clients", 0),
                ("number-of-protocol-clients", 0),
                ("number-of-routes", rc.routes),
                ("number-of-active-routes", rc.routes),
                ("number-of-deleted-routes", 0),
                ("number-of-paths", rc.routes + rc.backup),
                ("protocol-route-memory", 208 * (rc.routes + rc.backup)),
                ("backup-routes-count", rc.backup),
            ],
        )
    return root


def render_memory(total: int, free: int) -> Any:
    root = _el("memory-summary", NS_MEM)
    node = _sub(_sub(root, "nodes"), "node")
    _sub(node, "node-name", NODE)
    s = _sub(node, "summary")
    _leaves(
        s,
        [
            ("page-size", 4096),
            ("ram-memory", total),
            ("free-physical-memory", free),
            ("system-ram-memory", total),
            ("free-application-memory", free),
            ("image-memory", 0),
            ("boot-ram-size", 0),
            ("reserved-memory", 0),
            ("io-memory", 0),
            ("flash-system", 0),
        ],
    )
    return root


def render_cpu(one: int, five: int, fifteen: int) -> Any:
    root = _el("system-monitoring", NS_CPU)
    c = _sub(root, "cpu-utilization")
    _leaves(
        c,
        [
            ("node-name", NODE),
            ("total-cpu-one-minute", one),
            ("total-cpu-five-minute", five),
            ("total-cpu-fifteen-minute", fifteen),
        ],
    )
    return root


def _host_resources() -> tuple[int, int, tuple[int, int, int]]:
    """The host's memory (bytes) and load (percent of one CPU): what the container would see."""
    total = free = 0
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                k, v = line.split(":", 1)
                if k == "MemTotal":
                    total = int(v.split()[0]) * 1024
                elif k == "MemAvailable":
                    free = int(v.split()[0]) * 1024
        with open("/proc/loadavg", encoding="ascii") as f:
            la = [float(x) for x in f.read().split()[:3]]
    except (OSError, ValueError):
        la = [0.0, 0.0, 0.0]
    pct = tuple(min(100, int(x * 100)) for x in la)
    return total, free, (pct[0], pct[1], pct[2])


# ---- subtree filtering (RFC 6241 6.2) -------------------------------------------------------
def _qn(el: Any) -> tuple[str | None, str]:
    q = etree.QName(el)
    return q.namespace, q.localname


_KEYS = {
    "instance-name",
    "process-name",
    "vrf-name",
    "af-name",
    "saf-name",
    "route-table-name",
    "node-name",
    "interface-name",
    "neighbor-address",
    "name",
    "as",
}


def subtree(data: Any, flt: Any) -> Any:
    """``data`` cut down by the filter element ``flt`` (same node); None when nothing matches."""
    kids = [c for c in flt if isinstance(c.tag, str)]
    if not kids:
        return copy.deepcopy(data)
    content = [c for c in kids if len(c) == 0 and (c.text or "").strip()]
    for c in content:
        if not any(_qn(d)[1] == _qn(c)[1] and (d.text or "").strip() == (c.text or "").strip() for d in data):
            return None
    rest = [c for c in kids if c not in content]
    out = etree.Element(data.tag, nsmap=data.nsmap)
    if not rest:
        return copy.deepcopy(data)
    wanted = {_qn(c)[1]: c for c in rest}
    got = False
    leading = True  # XR sends a list entry's keys (its first leaves) with whatever else is selected
    for d in data:
        name = _qn(d)[1]
        leading = leading and len(d) == 0 and name in _KEYS  # the keys: the first leaves, key names
        if any(_qn(c)[1] == name for c in content) or (leading and name not in wanted):
            out.append(copy.deepcopy(d))
            continue
        f = wanted.get(name)
        if f is None:
            continue
        if len(f) == 0:
            out.append(copy.deepcopy(d))
            got = True
            continue
        sub = subtree(d, f)
        if sub is not None:
            out.append(sub)
            got = True
    return out if got or content else None


# ---- get ------------------------------------------------------------------------------------
# top-level oper containers the twin models: (namespace, name) -> live sources they need
MODELS: dict[tuple[str, str], set[str]] = {
    (NS_SUO, "system-time"): set(),
    (NS_INT, "interfaces"): {"links"},
    (NS_INV, "inventory"): set(),
    (NS_LLDP, "lldp"): {"lldp"},
    (NS_BGP, "bgp"): {"bgp", "routes"},
    (NS_IP4, "ipv4-network"): {"links"},
    (NS_IP6, "ipv6-network"): {"links"},
    (NS_ARP, "arp"): {"arp", "links"},
    (NS_ISIS, "isis"): {"isis", "links"},
    (NS_OSPF, "ospf"): {"ospf"},
    (NS_BFD, "bfd"): {"bfd"},
    (NS_RIB, "rib"): {"routes", "links"},
    (NS_MEM, "memory-summary"): set(),
    (NS_CPU, "system-monitoring"): set(),
}


def render_model(key: tuple[str, str], twin: Any, live: Live) -> Any:
    """One modelled top-level container from the gathered sources (pure but for the twin's facts)."""
    dev = twin.device()
    uri, name = key
    ifaces = parse_links(live.links, dev, live.boot, live.changed) if live.links is not None else []
    if name == "system-time":
        return render_system_time(getattr(dev, "hostname", None) or twin.hostname, live.boot, live.now)
    if name == "interfaces":
        return render_interfaces(ifaces, live.now)
    if name == "inventory":
        return render_inventory(twin.model, twin.serial)
    if name == "lldp":
        return render_lldp(parse_lldp(live.lldp))
    if name == "bgp":
        bgp = getattr(dev, "bgp", None)
        if bgp is None:
            return render_bgp([], "0.0.0.0", 0)
        peers, rid = parse_bgp(live.bgp, live.bgp_summary, dev, live.routes)
        return render_bgp(peers, rid, int(bgp.asn))
    if name == "ipv4-network":
        return render_ipv4_network(ifaces)
    if name == "ipv6-network":
        return render_ipv6_network(ifaces)
    if name == "arp":
        return render_arp(parse_arp(live.arp or [], ifaces, live.now))
    if name == "isis":
        isis = getattr(dev, "isis", None)
        adjs = parse_isis(live.isis, live.isis_hosts, dev, live.now, live.changed) if isis is not None else []
        return render_isis(adjs, getattr(isis, "instance", "") if isis is not None else "")
    if name == "ospf":
        ospf = getattr(dev, "ospf", None)
        nbrs = parse_ospf(live.ospf, live.ospf_ifaces, dev) if ospf is not None else []
        return render_ospf(nbrs, getattr(ospf, "process", "") if ospf is not None else "")
    if name == "bfd":
        return render_bfd(parse_bfd(live.bfd))
    if name == "rib":
        return render_rib(route_summary(live.routes, ifaces, dev))
    if name == "memory-summary":
        total, free, _ = _host_resources()
        return render_memory(total, free)
    if name == "system-monitoring":
        _, _, (one, five, fifteen) = _host_resources()
        return render_cpu(one, five, fifteen)
    raise OperError(f"{uri}: {name} is not modelled")


def _tops(filter_xml: str | None) -> list[Any] | None:
    if filter_xml is None or not filter_xml.strip():
        return None
    try:
        root = etree.fromstring(filter_xml.encode())
    except etree.XMLSyntaxError as e:
        raise OperError(f"malformed filter: {e}") from e
    if _qn(root)[1] == "filter":
        return [c for c in root if isinstance(c.tag, str)]
    return [root]


async def get(twin: IosxrTwin, filter_xml: str | None) -> str:
    """The ``<data>`` content of a NETCONF ``<get>`` for the oper models in ``filter_xml`` (a
    ``<filter>`` element or one top-level subtree); None: every modelled container."""
    tops = _tops(filter_xml)
    keys: list[tuple[tuple[str, str], Any]] = []
    if tops is None:
        keys = [(k, None) for k in MODELS]
    else:
        for t in tops:
            q = _qn(t)
            if (q[0] or "", q[1]) not in MODELS:
                raise OperError(f"the twin does not model {q[1]} ({q[0]})")
            keys.append(((q[0] or "", q[1]), t))
    need: set[str] = set()
    for k, _ in keys:
        need |= MODELS[k]
    live = await gather(twin, need)
    out = []
    for k, f in keys:
        data = render_model(k, twin, live)
        cut = data if f is None else subtree(data, f)
        if cut is not None:
            out.append(etree.tostring(cut, encoding="unicode"))
    return "".join(out)


# ---- CLI text -------------------------------------------------------------------------------
def text_interfaces_brief(ifaces: list[Iface]) -> str:
    lines = [
        "",
        "               Intf       Intf        LineP              Encap  MTU        BW",
        "               Name       State       State               Type (byte)    (Kbps)",
        "-" * 80,
    ]
    for i in sorted(ifaces, key=lambda i: cli_key(i.name)):
        st = "admin-down" if not i.admin_up else "up" if i.line_up else "down"
        lines.append(f"{short_name(i.name):>19}{st:>12}{st:>12}{_encap(i)[1]:>19}{i.mtu:>6}{i.bandwidth:>11}")
    return "\n".join(lines) + "\n"


def text_ipv4_brief(ifaces: list[Iface], vrf: str | None = "default") -> str:
    lines = [f"{'Interface':<31}{'IP-Address':<16}{'Status':<16}{'Protocol':<9}Vrf-Name"]
    for i in sorted(ifaces, key=lambda i: cli_key(i.name)):
        if i.name == "Null0" or (vrf is not None and i.vrf != vrf):
            continue
        status = "Shutdown" if not i.admin_up else "Up" if i.line_up else "Down"
        addr = i.ipv4[0][0] if i.ipv4 else "unassigned"
        lines.append(f"{i.name:<31}{addr:<16}{status:<16}{'Up' if i.line_up else 'Down':<9}{i.vrf} ")
    return "\n".join(lines) + "\n"


def text_interface(i: Iface, now: float) -> str:
    """``show interfaces <name>``."""
    admin = "administratively down" if not i.admin_up else "up" if i.line_up else "down"
    s = i.stats or {
        k: 0
        for k in (
            "rx_packets",
            "rx_bytes",
            "rx_dropped",
            "rx_multicast",
            "tx_packets",
            "tx_bytes",
            "tx_dropped",
            "rx_errors",
            "tx_errors",
        )
    }
    lines = [
        f"{i.name} is {admin}, line protocol is {admin}",
        f"  Interface state transitions: {i.transitions}",
    ]
    if i.mac:
        mac = _dotted(i.mac)
        lines.append(f"  Hardware is {_hw(i)}, address is {mac} (bia {mac})")
    else:
        lines.append(f"  Hardware is {_hw(i)}")
    if i.description:
        lines.append(f"  Description: {i.description}")
    lines.append(
        f"  Internet address is {i.ipv4[0][0]}/{i.ipv4[0][1]}" if i.ipv4 else "  Internet address is Unknown"
    )
    lines.append(
        f"  MTU {i.mtu} bytes, BW {i.bandwidth} Kbit" + (" (Max: 1000000 Kbit)" if i.ethernet else "")
    )
    lines.append("     reliability 255/255, txload 0/255, rxload 0/255")
    lines.append(f"  Encapsulation {_encap(i)[1]},  loopback not set,")
    if i.ethernet:
        lines.append("  Duplex full, 1000Mb/s, link type is force-up")
    lines.append(f"  Last link flapped {_dur(now - i.changed)}")
    lines.append("  Last input 00:00:00, output 00:00:00")
    lines.append('  Last clearing of "show interface" counters never')
    lines.append("  5 minute input rate 0 bits/sec, 0 packets/sec")
    lines.append("  5 minute output rate 0 bits/sec, 0 packets/sec")
    lines.append(
        f"     {s['rx_packets']} packets input, {s['rx_bytes']} bytes, {s['rx_dropped']} total input drops"
    )
    lines.append("     0 drops for unrecognized upper-level protocol")
    lines.append(f"     Received 0 broadcast packets, {s['rx_multicast']} multicast packets")
    lines.append("              0 runts, 0 giants, 0 throttles, 0 parity")
    lines.append(f"     {s['rx_errors']} input errors, 0 CRC, 0 frame, 0 overrun, 0 ignored, 0 abort")
    lines.append(
        f"     {s['tx_packets']} packets output, {s['tx_bytes']} bytes, {s['tx_dropped']} total output drops"
    )
    lines.append("     Output 0 broadcast packets, 0 multicast packets")
    lines.append(f"     {s['tx_errors']} output errors, 0 underruns, 0 applique, 0 resets")
    lines.append("     0 output buffer failures, 0 output buffers swapped out")
    lines.append(f"     {i.transitions} carrier transitions")
    return "\n".join(lines) + "\n"


_CAP_LEGEND = (
    "Capability codes:\n"
    "        (R) Router, (B) Bridge, (T) Telephone, (C) DOCSIS Cable Device\n"
    "        (W) WLAN Access Point, (P) Repeater, (S) Station, (O) Other\n"
)


def text_lldp(nbrs: list[LldpNbr]) -> str:
    lines = [_CAP_LEGEND, f"{'Device ID':<16}{'Local Intf':<20}{'Hold-time':<11}{'Capability':<15}Port ID"]
    for n in nbrs:
        dev = n.system_name[:20]
        lines.append(
            f"{dev:<16}{short_name(n.local):<20}{n.hold:<11}{','.join(n.enabled) or 'N/A':<16}{n.port_id}"
        )
    lines.append(f"\nTotal entries displayed: {len(nbrs)}")
    return "\n".join(lines) + "\n"


def text_lldp_detail(nbrs: list[LldpNbr]) -> str:
    out = [_CAP_LEGEND]
    for n in nbrs:
        out += [
            "-" * 48,
            f"Local Interface: {n.local}",
            f"Chassis id: {n.chassis_id}",
            f"Port id: {n.port_id}",
            f"Port Description: {n.port_descr or 'not advertised'}",
            f"System Name: {n.system_name}",
            "",
            "System Description: ",
            n.system_descr,
            "",
            f"Time remaining: {max(0, n.hold - n.age % 30)} seconds",
            f"Hold Time: {n.hold} seconds",
            f"Age: {n.age} seconds",
            f"System Capabilities: {','.join(n.caps) or 'N/A'}",
            f"Enabled Capabilities: {','.join(n.enabled) or 'N/A'}",
            "Management Addresses:",
        ]
        for m in n.mgmt:
            out.append(f"  {'IPv6' if ':' in m else 'IPv4'} address: {m}")
        if not n.mgmt:
            out.append("  not advertised")
        out += ["", f"Peer MAC Address: {n.peer_mac.lower() or 'not advertised'}", "", ""]
    out.append(f"Total entries displayed: {len(nbrs)}")
    return "\n".join(out) + "\n"


def text_bgp_summary(peers: list[BgpPeer], router_id: str, asn: int, version: int) -> str:
    v = version
    lines = [
        f"BGP router identifier {router_id}, local AS number {asn}",
        "BGP generic scan interval 60 secs",
        "Non-stop routing is enabled",
        "BGP table state: Active",
        f"Table ID: 0xe0000000   RD version: {v}",
        f"BGP main routing table version {v}",
        "BGP NSR Initial initsync version 2 (Reached)",
        "BGP NSR/ISSU Sync-Group versions 0/0",
        "BGP scan interval 60 secs",
        "",
        "BGP is operating in STANDALONE mode.",
        "",
        "",
        "Process       RcvTblVer   bRIB/RIB   LabelVer  ImportVer  SendTblVer  StandbyVer",
        f"Speaker       {v:>9}{v:>11}{v:>11}{v:>11}{v:>12}{0:>12}",
        "",
        "Neighbor        Spk    AS MsgRcvd MsgSent   TblVer  InQ OutQ  Up/Down  St/PfxRcd",
    ]
    for p in peers:
        tbl = v if p.up else 0
        updown = _dur(p.up_seconds) if (p.up or p.up_seconds) else "00:00:00"
        state = f"{p.accepted:>10}" if p.up else ("Idle (Admin)" if p.shutdown else p.state)
        lines.append(
            f"{p.address:<15}{0:>4}{p.remote_as:>6}{p.msgs_in:>8}{p.msgs_out:>8}{tbl:>9}"
            f"{0:>5}{0:>5}{updown:>9} {state}"
        )
    return "\n".join(lines) + "\n"


def text_bgp_neighbor(p: BgpPeer) -> str:
    link = "external link" if p.external else "internal link"
    lines = [f"BGP neighbor is {p.address}", f" Remote AS {p.remote_as}, local AS {p.local_as}, {link}"]
    if p.description:
        lines.append(f" Description: {p.description}")
    lines.append(f" Remote router ID {p.router_id}")
    st = "Idle (Admin)" if p.shutdown else p.state
    lines.append(f"  BGP state = {st}" + (f", up for {_dur(p.up_seconds)}" if p.up else ""))
    lines += [
        "  NSR State: None",
        f"  Last read 00:00:00, Last read before reset {'00:00:00' if p.up else 'never'}",
        f"  Hold time is {p.hold}, keepalive interval is {p.keepalive} seconds",
        f"  Configured hold time: {p.conf_hold}, keepalive: {p.conf_keepalive}, min acceptable hold time: 3",
        "  Last write 00:00:00, attempted 19, written 19",
        "  Precedence: internet",
        "  Non-stop routing is enabled",
    ]
    if p.up:
        lines += [
            "  Multi-protocol capability received",
            "  Neighbor capabilities:",
            "    Route refresh: advertised (old + new) and received (old + new)",
            "    4-byte AS: advertised and received",
            "    Address family IPv4 Unicast: advertised and received",
        ]
    lines += [
        f"  Received {p.msgs_in} messages, {p.notifications_in} notifications, 0 in queue",
        f"  Sent {p.msgs_out} messages, {p.notifications_out} notifications, 0 in queue",
        "  Minimum time between advertisement runs is 0 secs",
    ]
    if p.bfd != "none":
        lines.append(f"  BFD enabled (session {'up' if p.bfd == 'up' else 'down'})")
    lines += [
        "",
        " For Address Family: IPv4 Unicast",
        "  BGP neighbor version 0",
        "  Update group: 0.1 Filter-group: 0.1  No Refresh request being processed",
    ]
    if p.rr_client:
        lines.append("  Route-Reflector Client")
    if p.policy_in:
        lines.append(f"  Policy for incoming advertisements is {p.policy_in}")
    if p.policy_out:
        lines.append(f"  Policy for outgoing advertisements is {p.policy_out}")
    lines += [
        f"  {p.accepted} accepted prefixes, {p.bestpaths} are bestpaths",
        "  Cumulative no. of prefixes denied: 0. ",
        f"  Prefix advertised {p.advertised}, suppressed 0, withdrawn 0",
        "  Maximum prefixes allowed 1048576",
        "  Threshold for warning message 75%, restart interval 0 min",
        "  AIGP is enabled",
        "  An EoR was not received during read-only mode",
        "  Last ack version 1, Last synced ack version 0",
        "  Outstanding version objects: current 0, max 0",
        "  Additional-paths operation: None",
        "",
        f"  Connections established {p.established}; dropped {p.dropped}",
    ]
    if p.up:
        lines += [
            f"  Local host: {p.local_address}, Local port: {p.local_port}, IF Handle: 0x00000000",
            f"  Foreign host: {p.address}, Foreign port: {p.remote_port}",
        ]
    lines.append(
        "  Last reset "
        + (
            f"{_dur(p.up_seconds)}, due to {p.last_reset}"
            if p.last_reset and p.dropped
            else "00:00:00, due to BGP neighbor initialized"
        )
    )
    return "\n".join(lines) + "\n"


def text_isis(adjs: list[IsisAdj], instance: str) -> str:
    out = []
    for level in (1, 2):
        lst = [a for a in adjs if a.level == level]
        if not lst:
            continue
        out += [
            f"IS-IS {instance} Level-{level} adjacencies:",
            "System Id      Interface                SNPA           State Hold Changed  NSF IPv4 IPv6",
            "                                                                               BFD  BFD ",
        ]
        for a in lst:
            out.append(
                f"{a.system:<15}{short_name(a.interface):<25}{a.snpa:<15}{a.state:<6}{a.hold:<5}"
                f"{_dur(a.uptime):<9}{'Yes':<4}{'None':<5}None"
            )
        out += ["", f"Total adjacency count: {len(lst)}", ""]
    if not out:
        out = [
            f"IS-IS {instance} Level-2 adjacencies:",
            "System Id      Interface                SNPA           State Hold Changed  NSF IPv4 IPv6",
            "                                                                               BFD  BFD ",
            "",
            "Total adjacency count: 0",
            "",
        ]
    return "\n" + "\n".join(out)


def text_ospf(nbrs: list[OspfNbr], process: str) -> str:
    lines = [
        "",
        "* Indicates MADJ interface",
        "# Indicates Neighbor awaiting BFD session up",
        "",
        f"Neighbors for OSPF {process}",
        "",
        "Neighbor ID     Pri   State           Dead Time   Address         Interface",
    ]
    for n in nbrs:
        role = {"-": "  -"}.get(n.role, n.role)
        state = f"{_OSPF_STATE.get(n.state, ('', n.state.upper()))[1]}/{role}"
        dead = f"00:00:{min(n.dead, 59):02d}" if n.dead < 60 else _dur(n.dead)
        lines.append(f"{n.router_id:<16}{n.priority:<6}{state:<16}{dead:<12}{n.address:<16}{n.interface}")
        lines.append(f"    Neighbor is up for {_dur(n.up)}")
    lines += ["", f"Total neighbor count: {len(nbrs)}"]
    return "\n".join(lines) + "\n"


def _bfd_time(ms: int, mult: int) -> str:
    def fmt(v: int) -> str:
        return f"{v // 1000}s" if v % 1000 == 0 and v >= 1000 else f"{v}ms"

    return f"{fmt(ms * mult)}({fmt(ms)}*{mult})"


def text_bfd(sessions: list[BfdSess]) -> str:
    lines = [
        "Interface           Dest Addr           Local det time(int*mult)      State     ",
        "                                    Echo             Async   H/W   NPU     ",
        "------------------- --------------- ---------------- ---------------- ----------",
    ]
    for s in sessions:
        echo = _bfd_time(s.echo_ms, s.multiplier) if s.echo_ms else "n/a"
        lines.append(
            f"{short_name(s.interface):<20}{s.neighbor:<16}{echo:<17}"
            f"{_bfd_time(s.rx_ms, s.multiplier):<17}{s.state.upper():<10}"
        )
        lines.append(f"{'':<61}No    n/a            ")
    return "\n".join(lines) + "\n"


def text_route_summary(counts: list[RouteCount]) -> str:
    lines = ["Route Source                     Routes     Backup     Deleted     Memory(bytes)"]
    for rc in counts:
        mem = 208 * (rc.routes + rc.backup)
        lines.append(f"{rc.source:<33}{rc.routes:<11}{rc.backup:<11}{0:<12}{mem:<13}")
    tr, tb = sum(c.routes for c in counts), sum(c.backup for c in counts)
    lines.append(f"{'Total':<33}{tr:<11}{tb:<11}{0:<12}{208 * (tr + tb)}")
    return "\n".join(lines) + "\n"


def text_version(twin: Any, now: float) -> str:
    up = int(now - float(getattr(twin, "boot_time", now) or now))
    w, r = divmod(up, 604800)
    d, r = divmod(r, 86400)
    h, r = divmod(r, 3600)
    m = r // 60
    parts = [
        f"{n} {u}{'s' if n != 1 else ''}"
        for n, u in ((w, "week"), (d, "day"), (h, "hour"), (m, "minute"))
        if n
    ]
    host = getattr(twin.device(), "hostname", None) or twin.hostname
    return (
        f"Cisco IOS XR Software, Version {XR_VERSION} LNT\nCopyright (c) 2013-2024 by Cisco Systems, Inc.\n\n"
        "Build Information:\n Built By     : swtools\n Built On     : Thu Feb 22 10:56:39 UTC 2024\n"
        " Build Host   : iox-lnx-064\n"
        f" Workspace    : /auto/srcarchive17/prod/{XR_VERSION}/xrd-control-plane/ws\n"
        f" Version      : {XR_VERSION}\n Label        : {XR_VERSION}\n\n"
        f"cisco {twin.model}\ncisco {twin.model} processor with 4GB of memory\n"
        f"{host} uptime is {' '.join(parts) or '0 minutes'}\nCisco {twin.model}\n"
    )


# ---- show -----------------------------------------------------------------------------------
_ABBR = {
    "sh": "show",
    "int": "interfaces",
    "interface": "interfaces",
    "br": "brief",
    "nei": "neighbor",
    "neighbors": "neighbor",
    "adj": "adjacency",
    "sum": "summary",
    "summ": "summary",
    "sess": "session",
    "sessions": "session",
    "det": "detail",
    "ver": "version",
    "ro": "route",
    "ip": "ipv4",
}


async def show(twin: IosxrTwin, command: str) -> str:
    """An exec ``show`` command's output (without XR's timestamp line, which the CLI prints)."""
    words = [_ABBR.get(w, w) for w in command.split()]
    if words[:1] != ["show"]:
        raise OperError(f"not modelled: {command}")
    w = words[1:]
    dev = twin.device()
    if w == ["version"]:
        return text_version(twin, time.time())
    if w == ["interfaces", "brief"]:
        live = await gather(twin, {"links"})
        return text_interfaces_brief(parse_links(live.links or [], dev, live.boot, live.changed))
    if w[:1] == ["interfaces"] and len(w) in (2, 3) and w[1:] != ["brief"]:
        name = control.canonical(w[1])
        live = await gather(twin, {"links"})
        by_name = {i.name: i for i in parse_links(live.links or [], dev, live.boot, live.changed)}
        if name not in by_name:
            raise OperError(f"no interface {w[1]}")
        if w[2:] == ["brief"]:
            return text_interfaces_brief([by_name[name]])
        if w[2:]:
            raise OperError(f"not modelled: {command}")
        return text_interface(by_name[name], live.now)
    if w[:2] == ["ipv4", "interfaces"] and w[2:] == ["brief"]:
        live = await gather(twin, {"links"})
        return text_ipv4_brief(parse_links(live.links or [], dev, live.boot, live.changed))
    if w[:2] == ["ipv4", "vrf"] and len(w) == 5 and w[3:] == ["interfaces", "brief"]:
        live = await gather(twin, {"links"})
        ifaces = parse_links(live.links or [], dev, live.boot, live.changed)
        return text_ipv4_brief(ifaces, None if w[2] == "all" else w[2])
    if w[:1] == ["bgp"]:
        rest = w[1:]
        if rest[:2] == ["ipv4", "unicast"]:
            rest = rest[2:]
        bgp = getattr(dev, "bgp", None)
        if bgp is None:
            return "% BGP instance 'default' not active\n"
        live = await gather(twin, {"bgp", "routes"})
        peers, rid = parse_bgp(live.bgp, live.bgp_summary, dev, live.routes)
        if rest == ["summary"]:
            sm = ((live.bgp_summary or {}).get("default") or {}).get("ipv4Unicast") or {}
            return text_bgp_summary(peers, rid, int(bgp.asn), int(sm.get("tableVersion", 0) or 0))
        if rest[:1] == ["neighbor"] and len(rest) <= 3:
            if len(rest) == 1:
                return "\n".join(text_bgp_neighbor(p) for p in peers)
            want = [p for p in peers if p.address == rest[1]]
            if not want:
                return "\n% No such neighbor\n"
            return "\n" + text_bgp_neighbor(want[0])
        raise OperError(f"not modelled: {command}")
    if w == ["isis", "adjacency"]:
        isis = getattr(dev, "isis", None)
        if isis is None:
            return ""
        live = await gather(twin, {"isis", "links"})
        return text_isis(parse_isis(live.isis, live.isis_hosts, dev, live.now, live.changed), isis.instance)
    if w == ["ospf", "neighbor"]:
        ospf = getattr(dev, "ospf", None)
        if ospf is None:
            return ""
        live = await gather(twin, {"ospf"})
        return text_ospf(parse_ospf(live.ospf, live.ospf_ifaces, dev), ospf.process)
    if w[:2] == ["lldp", "neighbor"] and w[2:] in ([], ["detail"]):
        live = await gather(twin, {"lldp"})
        nbrs = parse_lldp(live.lldp)
        return text_lldp_detail(nbrs) if w[2:] else text_lldp(nbrs)
    if w in (["route", "summary"], ["route", "ipv4", "summary"]):
        live = await gather(twin, {"routes", "links"})
        ifaces = parse_links(live.links or [], dev, live.boot, live.changed)
        return text_route_summary(route_summary(live.routes, ifaces, dev))
    if w == ["bfd", "session"]:
        live = await gather(twin, {"bfd"})
        return text_bfd(parse_bfd(live.bfd))
    raise OperError(f"not modelled: {command}")
