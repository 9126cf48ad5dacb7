"""Operational state of the SR OS twin: the nokia-state ``<state>`` tree (NETCONF ``<get>``) and the MD-CLI
``show`` commands, answered from the node's live control plane and its running configuration.

As the IOS-XR twin's ``oper.py``: an async *gather* (FRR JSON through vtysh, the kernel through ``ip -j``,
lldpd through ``lldpcli``), a pure *model* step (sources + ``twin.db.running`` -> small dataclasses) and two
renderings, so tests run on captured fixtures:

- :func:`render` / :func:`state_xml`: ``<state xmlns="urn:nokia.com:sros:ns:yang:sr:state">``. Element names,
  nesting and order follow the recorded replies of real routers (napalm-mocked-community/sros) and, for what
  they do not show (IS-IS adjacencies, OSPF neighbours, route-table statistics, port statistics), the SR OS
  24.10 nokia-state YANG (nokia/7x50_YangModels). List keys come first. The NETCONF layer cuts the tree with
  :func:`fabric.twins.netconf.subtree` and :data:`KEYS` (SR OS sends the keys of every selected entry).
- :func:`show`: the MD-CLI ``show`` commands, laid out as SR OS 24 prints them (ntc-templates' alcatel_sros
  templates read ``show port``, ``show router interface`` and ``show router isis adjacency``).

Only ``router "Base"`` carries the fabric's routing; ``router "management"`` (port A/1, linux eth0) is listed
as a real SR OS lists it. A source that does not answer raises :class:`StateError` (the NETCONF layer answers
an rpc-error, the CLI an error line), never an empty success.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import re
import time
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from fabric.twins import live as live_src

# lldpcli/IS-IS readers shared with the SR Linux twin (both lldpcli JSON forms; `show isis hostname`)
from fabric.twins.live import SYSID, isis_hostnames, lldp_age, lldp_entries, lldp_value
from fabric.vendors.sros.config import ConfigError
from fabric.vendors.sros.twin import control

NS = "urn:nokia.com:sros:ns:yang:sr:state"
BASE = "Base"
SOURCES = ("links", "bgp", "isis", "ospf", "routes", "lldp")
DEFAULT_PORT_MTU = 9212  # SR OS `port ethernet mtu` default for network/hybrid ports (L2, header included)
ETH_HEADER = 14
MGMT_PORT = "A/1"
# list -> key leaves, sent in every selected entry whatever a subtree filter selects (RFC 6241 6.2.5)
KEYS: dict[str, tuple[str, ...]] = {
    "chassis": ("chassis-class", "chassis-number"),
    "port": ("port-id",),
    "router": ("router-name",),
    "interface": ("interface-name",),
    "neighbor": ("ip-address",),
    "isis": ("isis-instance",),
    "adjacency": ("adjacency-index",),
    "hostname": ("system-id",),
    "ospf": ("ospf-instance",),
    "area": ("area-id",),
    "neighbor-state": ("router-id",),
    "dest-mac": ("mac-type",),
    "remote-system": ("remote-time-mark", "remote-index"),
    "vprn": ("service-name",),
    "configuration-region": ("region-name",),
    "commit-id": ("id",),
}


class StateError(ConfigError):
    """A live source (FRR, kernel, lldpd) did not answer: the NETCONF ``<get>`` answers an rpc-error
    (operation-failed) and the CLI prints the message, as for any SR OS error."""

    def __init__(self, message: str, tag: str = "operation-failed") -> None:
        text = message if message.startswith("MINOR") else f"MINOR: MGMT_CORE #2001: {message}"
        super().__init__(text, tag)


_frr_json = functools.partial(live_src.frr_json, error=StateError)
_ip_json = functools.partial(live_src.ip_json, error=StateError)
_lldp_json = functools.partial(live_src.lldp_json, error=StateError)


async def _frr_text(twin: Any, cmd: str) -> str:
    return str(await twin.frr.show_text(cmd))


# ---- names and formats -----------------------------------------------------------------------
def _lst(d: Any, key: str) -> list[dict[str, Any]]:
    v = d.get(key) if isinstance(d, dict) else None
    if isinstance(v, dict):
        return [v]
    return [e for e in v if isinstance(e, dict)] if isinstance(v, list) else []


def _d(d: Any, *path: str) -> dict[str, Any]:
    for k in path:
        d = d.get(k) if isinstance(d, dict) else None
    return d if isinstance(d, dict) else {}


def _s(d: Any, *path: str, default: str = "") -> str:
    *head, last = path
    v = _d(d, *head).get(last)
    return v if isinstance(v, str) else default


def _strs(v: Any) -> list[str]:
    return [v] if isinstance(v, str) else [x for x in v if isinstance(x, str)] if isinstance(v, list) else []


def router_conf(conf: dict[str, Any], name: str = BASE) -> dict[str, Any]:
    return next((r for r in _lst(conf, "router") if r.get("router-name") == name), {})


@dataclass
class _Ports:
    """What control.to_port reads of a Device: the configured port ids."""

    ports: set[str] | frozenset[str]


def port_of(linux: str, kind: str, configured: set[str] | frozenset[str] = frozenset()) -> str | None:
    """The node's Linux interface -> SR OS port (control.to_port; ``1/1/N`` when that is the configured
    form); the management interface eth0 is the CPM's ``A/1``."""
    if linux == "eth0":
        return MGMT_PORT
    dev: Any = _Ports(configured)
    return control.to_port(linux, kind, dev)


def stamp(t: float) -> str:
    """SR OS date-and-time leaves: ``2022-10-12T01:07:50.6Z`` (tenths of a second)."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t * 10) % 10}Z"


def _hms(secs: float) -> str:
    """SR OS elapsed time in tables: ``00h49m03s``, ``01d02h03m``."""
    s = max(0, int(secs))
    d, r = divmod(s, 86400)
    h, r = divmod(r, 3600)
    m, sec = divmod(r, 60)
    return f"{d:02d}d{h:02d}h{m:02d}m" if d else f"{h:02d}h{m:02d}m{sec:02d}s"


def _port_key(p: str) -> tuple[Any, ...]:
    """SR OS port order: card/mda/connector/breakout numerically, management (A/1) last."""
    nums = [int(n) for n in re.findall(r"\d+", p)]
    return (p.startswith("A/"), nums, p)


def _ipkey(ip: str) -> tuple[int, int]:
    try:
        a = ipaddress.ip_address(ip)
        return (a.version, int(a))
    except ValueError:
        return (9, 0)


def base_mac(twin: Any) -> str:
    """A stable chassis MAC per node (real chassis have one burnt in)."""
    h = hashlib.sha1(str(twin.name).encode()).hexdigest()
    return "0c:00:" + ":".join(h[i : i + 2] for i in range(0, 8, 2))


# ---- gather ----------------------------------------------------------------------------------
@dataclass
class Live:
    """What the sources said (raw JSON); None: not asked, or its protocol is not configured."""

    now: float
    boot: float
    links: list[dict[str, Any]] | None = None  # ip -j -s addr show
    changed: dict[str, float] = field(default_factory=dict)  # SR OS port -> last oper-state change
    bgp: dict[str, Any] | None = None  # show bgp neighbors json
    isis: dict[str, Any] | None = None  # show isis neighbor json
    isis_hosts: str = ""  # show isis hostname
    ospf: dict[str, Any] | None = None  # show ip ospf neighbor json
    route_summary: dict[str, Any] | None = None  # show ip route summary json
    routes: dict[str, Any] | None = None  # show ip route json (show router route-table only)
    lldp: dict[str, Any] | None = None  # lldpcli -f json0 show neighbors details


def _link_up(lk: dict[str, Any]) -> bool:
    flags = lk.get("flags", [])
    return "UP" in flags and "LOWER_UP" in flags


def sources_for(flt: Any) -> set[str]:
    """Which sources a subtree filter's selection needs (get_facts asks none but the links)."""
    if flt is None:
        return set(SOURCES)
    need = {"links"}
    for el in flt.iter():
        if not isinstance(el.tag, str):
            continue
        name = etree.QName(el).localname
        leafless = not any(isinstance(c.tag, str) for c in el)
        if name in ("filter", "state") and leafless:
            return set(SOURCES)
        if name == "router" and leafless:
            need |= {"bgp", "isis", "ospf", "routes"}
        if name in ("port", "ethernet") and leafless:
            need.add("lldp")
        need |= {"bgp": {"bgp"}, "isis": {"isis"}, "ospf": {"ospf"}, "route-table": {"routes"},
                 "lldp": {"lldp"}}.get(name, set())
    return need


async def gather(twin: Any, sources: set[str], *, full_routes: bool = False) -> Live:
    """The live sources ``sources`` names, for the protocols the running configuration has."""
    conf = twin.db.running.data
    base = router_conf(conf)
    live = Live(now=time.time(), boot=float(getattr(twin, "boot_time", 0.0) or 0.0))
    if "links" in sources:
        live.links = await _ip_json(twin, "-s", "addr", "show")
        configured = {str(p.get("port-id")) for p in _lst(conf, "port")}
        live.changed = live_src.track_changes(
            twin, live.links, live.now, lambda n: port_of(n, twin.kind, configured), _link_up
        )
    if "bgp" in sources and "bgp" in base:
        live.bgp = await _frr_json(twin, "show bgp neighbors json")
    if "isis" in sources and _lst(base, "isis"):
        live.isis = await _frr_json(twin, "show isis neighbor json")
        live.isis_hosts = await _frr_text(twin, "show isis hostname")
    if "ospf" in sources and _lst(base, "ospf"):
        live.ospf = await _frr_json(twin, "show ip ospf neighbor json")
    if "routes" in sources:
        live.route_summary = await _frr_json(twin, "show ip route summary json")
        if full_routes:
            live.routes = await _frr_json(twin, "show ip route json")
    if "lldp" in sources:
        # no neighbours while `system lldp admin-state` is not enabled, whatever lldpd heard
        on = _s(conf, "system", "lldp", "admin-state") == "enable"
        live.lldp = await _lldp_json(twin) if on else {}
    return live


# ---- model: ports and router interfaces ------------------------------------------------------
@dataclass
class Port:
    port_id: str
    admin: bool
    up: bool
    mtu: int
    speed: int  # Mb/s
    mac: str = ""
    description: str = ""
    mode: str = "netw"
    connector: bool = False
    stats: dict[str, int] = field(default_factory=dict)
    changed: float = 0.0


def _speed(breakout: str) -> int:
    m = re.fullmatch(r"c\d+-(\d+)g", breakout)
    return int(m[1]) * 1000 if m else 100000


def ports(conf: dict[str, Any], live: Live, kind: str) -> list[Port]:
    """The node's ports: the ones it has links for (and their connectors), plus the configured ones."""
    pconf = {str(p.get("port-id")): p for p in _lst(conf, "port")}
    links = {}
    for link in live.links or []:
        pid = port_of(str(link.get("ifname", "")), kind, set(pconf))
        if pid:
            links[pid] = link
    out: dict[str, Port] = {}
    connectors = [p for p in pconf if re.fullmatch(r"\d+/\d+/c\d+", p)]
    for pid in (set(links) | {p for p in pconf if "/" in p}) - set(connectors):
        c = pconf.get(pid, {})
        lk = links.get(pid)
        mgmt = pid == MGMT_PORT
        admin = True if mgmt else c.get("admin-state") == "enable"
        st = (lk or {}).get("stats64") or (lk or {}).get("stats") or {}
        rx, tx = st.get("rx", {}), st.get("tx", {})
        conn = re.match(r"(\d+/\d+/c\d+)/\d+$", pid)
        breakout = _s(pconf.get(conn[1], {}), "connector", "breakout") if conn else ""
        speed = 1000 if mgmt else _speed(breakout) if conn else 10000
        out[pid] = Port(
            port_id=pid,
            admin=admin,
            up=admin and lk is not None and _link_up(lk),
            mtu=1514 if mgmt else int(_s(c, "ethernet", "mtu") or DEFAULT_PORT_MTU),
            speed=speed,
            mac=str((lk or {}).get("address") or ""),
            description=str(c.get("description", "")),
            mode={"access": "accs", "hybrid": "hybr"}.get(_s(c, "ethernet", "mode"), "netw"),
            stats={
                "in-discards": int(rx.get("dropped", 0)),
                "in-errors": int(rx.get("errors", 0)),
                "in-octets": int(rx.get("bytes", 0)),
                "in-packets": int(rx.get("packets", 0)),
                "in-multicast-packets": int(rx.get("multicast", 0)),
                "in-unicast-packets": max(0, int(rx.get("packets", 0)) - int(rx.get("multicast", 0))),
                "out-discards": int(tx.get("dropped", 0)),
                "out-errors": int(tx.get("errors", 0)),
                "out-octets": int(tx.get("bytes", 0)),
                "out-packets": int(tx.get("packets", 0)),
                "out-unicast-packets": int(tx.get("packets", 0)),
            },
            changed=live.changed.get(pid, live.boot),
        )
    for pid in connectors:  # a connector (1/1/c1) has no link of its own: up when a breakout port is
        c = pconf[pid]
        admin = c.get("admin-state") == "enable"
        kids = [p for k, p in out.items() if k.startswith(pid + "/")]
        out[pid] = Port(pid, admin, admin and any(k.up for k in kids), 0,
                        _speed(_s(c, "connector", "breakout")), connector=True,
                        description=str(c.get("description", "")), changed=live.boot)
    return [out[k] for k in sorted(out, key=_port_key)]


@dataclass
class Itf:
    name: str
    router: str
    port: str  # "" for system and loopbacks
    admin: bool
    up: bool
    ip_mtu: int
    ipv4: list[tuple[str, int]] = field(default_factory=list)
    description: str = ""
    changed: float = 0.0


def interfaces(conf: dict[str, Any], plist: list[Port], live: Live) -> list[Itf]:
    """Router "Base" interfaces as configured (system first, then by name, as SR OS lists them), and the
    management router's ``management`` interface on A/1."""
    by_port = {p.port_id: p for p in plist}
    out = []
    rows = sorted(_lst(router_conf(conf), "interface"),
                  key=lambda i: (i.get("interface-name") != "system", str(i.get("interface-name"))))
    for i in rows:
        name = str(i.get("interface-name", ""))
        port = _s(i, "port").split(":")[0]
        admin = i.get("admin-state", "enable") == "enable"
        prim = _d(i, "ipv4", "primary")
        v4 = [(str(prim["address"]), int(prim.get("prefix-length", 32)))] if "address" in prim else []
        for sec in _lst(_d(i, "ipv4"), "secondary"):
            v4.append((str(sec.get("address")), int(sec.get("prefix-length", 32))))
        p = by_port.get(port)
        logical = name == "system" or "loopback" in i
        up = admin and bool(v4) and (logical or (p is not None and p.up))
        mtu = int(i["ip-mtu"]) if "ip-mtu" in i else (p.mtu - ETH_HEADER if p and not logical else 1500)
        out.append(Itf(name, BASE, port, admin, up, 1500 if logical else mtu, v4,
                       str(i.get("description", "")), p.changed if p else live.boot))
    mp = by_port.get(MGMT_PORT)
    out.append(Itf("management", "management", MGMT_PORT, True, mp is not None and mp.up, 1500,
                   [], "", mp.changed if mp else live.boot))
    return out


def router_id(conf: dict[str, Any]) -> str:
    base = router_conf(conf)
    rid = _s(base, "router-id") or _s(base, "bgp", "router-id")
    if rid:
        return rid
    system = next((i for i in _lst(base, "interface") if i.get("interface-name") == "system"), {})
    return _s(system, "ipv4", "primary", "address") or "0.0.0.0"


# ---- model: BGP ------------------------------------------------------------------------------
@dataclass
class Peer:
    address: str
    group: str
    peer_as: int
    local_as: int
    description: str
    admin: bool
    state: str  # SR OS session-state: Idle, Connect, Active, OpenSent, OpenConfirm, Established
    router_id: str = "0.0.0.0"
    local_address: str = ""
    local_port: int = 0
    peer_port: int = 0
    hold: int = 90
    keepalive: int = 30
    conf_hold: int = 90
    conf_keepalive: int = 30
    since: float = 0.0  # established at / went down at
    flaps: int = 0
    received: int = 0
    active: int = 0
    sent: int = 0
    msgs_in: int = 0
    msgs_out: int = 0
    updates_in: int = 0
    updates_out: int = 0
    outq: int = 0
    inq: int = 0
    import_policy: list[str] = field(default_factory=list)
    export_policy: list[str] = field(default_factory=list)
    last_event: str = "none"
    last_state: str = "Idle"

    @property
    def up(self) -> bool:
        return self.state == "Established"


def _frr_peers(data: Any) -> dict[str, dict[str, Any]]:
    """``show bgp [vrf all] neighbors json`` -> address -> neighbour (the default VRF)."""
    if not isinstance(data, dict):
        return {}
    if isinstance(data.get("default"), dict) and "remoteAs" not in data["default"]:
        data = data["default"]
    return {k: v for k, v in data.items() if isinstance(v, dict) and "remoteAs" in v}


def bgp_peers(conf: dict[str, Any], live: Live) -> tuple[list[Peer], int]:
    """The configured neighbours of router "Base" with FRR's view of each session, and the local AS."""
    base = router_conf(conf)
    bgp = _d(base, "bgp")
    asn = int(_s(bgp, "local-as", "as-number") or _s(base, "autonomous-system") or 0)
    groups = {str(g.get("group-name")): g for g in _lst(bgp, "group")}
    frr = _frr_peers(live.bgp)
    out = []
    for n in _lst(bgp, "neighbor"):
        ip = str(n.get("ip-address", ""))
        g = groups.get(str(n.get("group", "")), {})

        def pick(*path: str, _n: dict[str, Any] = n, _g: dict[str, Any] = g) -> str:
            return _s(_n, *path) or _s(_g, *path)

        admin = (bgp.get("admin-state", "enable") == "enable" and n.get("admin-state", "enable") == "enable"
                 and g.get("admin-state", "enable") == "enable")
        f = frr.get(ip, {})
        state = str(f.get("bgpState") or "Idle") if admin else "Idle"
        state = {"Clearing": "Idle", "Deleted": "Idle"}.get(state, state)
        af = _d(f, "addressFamilyInfo", "ipv4Unicast")
        ms = _d(f, "messageStats")
        up = state == "Established"
        ms_up = int(f.get("bgpTimerUpMsec", 0) or 0)
        ms_down = int(f.get("lastResetTimerMsecs", 0) or 0)
        since = live.now - (ms_up if up else ms_down) / 1000 if (up or ms_down) else live.boot
        conf_hold = int(pick("hold-time", "seconds") or 90)
        conf_ka = int(pick("keepalive") or 30)
        out.append(Peer(
            address=ip,
            group=str(n.get("group", "")),
            peer_as=int(pick("peer-as") or f.get("remoteAs") or 0),
            local_as=int(_s(n, "local-as", "as-number") or _s(g, "local-as", "as-number") or asn),
            description=_s(n, "description"),
            admin=admin,
            state=state,
            router_id=str(f.get("remoteRouterId") or "0.0.0.0") if up else "0.0.0.0",
            local_address=str(f.get("hostLocal", "")) if up else pick("local-address"),
            local_port=int(f.get("portLocal", 0) or 0) if up else 0,
            peer_port=int(f.get("portForeign", 0) or 0) if up else 0,
            hold=int(f.get("bgpTimerHoldTimeMsecs", conf_hold * 1000)) // 1000 if up else 0,
            keepalive=int(f.get("bgpTimerKeepAliveIntervalMsecs", conf_ka * 1000)) // 1000 if up else 0,
            conf_hold=conf_hold,
            conf_keepalive=conf_ka,
            since=since,
            flaps=int(f.get("connectionsDropped", 0) or 0),
            received=int(af.get("acceptedPrefixCounter", 0) or 0) if up else 0,
            active=int(af.get("acceptedPrefixCounter", 0) or 0) if up else 0,
            sent=int(af.get("sentPrefixCounter", 0) or 0) if up else 0,
            msgs_in=int(ms.get("totalRecv", 0) or 0),
            msgs_out=int(ms.get("totalSent", 0) or 0),
            updates_in=int(ms.get("updatesRecv", 0) or 0),
            updates_out=int(ms.get("updatesSent", 0) or 0),
            outq=int(ms.get("depthOutq", 0) or 0),
            inq=int(ms.get("depthInq", 0) or 0),
            import_policy=_strs(_d(n, "import").get("policy")) or _strs(_d(g, "import").get("policy")),
            export_policy=_strs(_d(n, "export").get("policy")) or _strs(_d(g, "export").get("policy")),
            last_event=("recvKeepAlive" if up else "stop" if not admin else "openFail" if ms_down
                        else "none"),
            last_state="OpenConfirm" if up else ("Established" if int(f.get("connectionsDropped", 0) or 0)
                                                 else "Idle"),
        ))
    return sorted(out, key=lambda p: _ipkey(p.address)), asn


# ---- model: IS-IS, OSPF ----------------------------------------------------------------------
def _itf_by_linux(conf: dict[str, Any], kind: str) -> dict[str, str]:
    """port -> router "Base" interface name bound to it."""
    out = {}
    for i in _lst(router_conf(conf), "interface"):
        port = _s(i, "port").split(":")[0]
        if port:
            out[port] = str(i.get("interface-name"))
    return out


def _itf_of(linux: str, conf: dict[str, Any], kind: str) -> str | None:
    port = port_of(linux.split(":")[0], kind, {str(p.get("port-id")) for p in _lst(conf, "port")})
    return _itf_by_linux(conf, kind).get(port or "")


@dataclass
class Adj:
    instance: str
    interface: str
    index: int
    system_id: str  # 1921.6800.1001
    hostname: str
    level: int
    state: str  # up, initializing, down
    hold: int
    expires: int
    uptime: int
    snpa: str


def isis_adjs(conf: dict[str, Any], live: Live, kind: str) -> list[Adj]:
    """FRR's IS-IS neighbours on the interfaces of router "Base" IS-IS instance(s) (first instance that has
    the interface)."""
    insts = _lst(router_conf(conf), "isis")
    if live.isis is None or not insts:
        return []
    hosts = isis_hostnames(live.isis_hosts)
    itf_inst: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    for inst in insts:
        for i in _lst(inst, "interface"):
            itf_inst.setdefault(str(i.get("interface-name")), (inst, i))
    out: list[Adj] = []
    for area in live.isis.get("areas", []) if isinstance(live.isis, dict) else []:
        for c in area.get("circuits", []):
            if "adj" not in c or "interface" not in c:
                continue
            name = _itf_of(str(c["interface"]), conf, kind)
            if name is None or name not in itf_inst:
                continue
            inst, iconf = itf_inst[name]
            adj = str(c["adj"])
            sysid = adj if SYSID.match(adj) else hosts.get(adj, "")
            st = str(c.get("state", "Down")).lower()
            level = int(c.get("level", 2) or 2)
            lv = next((x for x in _lst(iconf, "level") if str(x.get("level-number")) == str(level)), {})
            hold = int(lv.get("hello-interval", 9)) * int(lv.get("hello-multiplier", 3))
            exp = str(c.get("expires-in", "")).rstrip("s")
            port = port_of(str(c["interface"]), kind, {str(p.get("port-id")) for p in _lst(conf, "port")})
            since = live.changed.get(port or "", live.boot)
            out.append(Adj(
                instance=str(inst.get("isis-instance", "0")),
                interface=name,
                index=0,
                system_id=sysid.lower() if sysid else "",
                hostname=adj if not SYSID.match(adj) else hosts.get(adj, adj),
                level=level,
                state="up" if st == "up" else "initializing" if st.startswith("init") else "down",
                hold=hold,
                expires=int(exp) if exp.isdigit() else hold,
                uptime=int(live.now - since),
                snpa=_snpa(str(c.get("snpa", ""))),
            ))
    out.sort(key=lambda a: (a.instance, a.interface, a.system_id))
    for n, a in enumerate(out, 1):
        a.index = n
    return out


def _snpa(s: str) -> str:
    h = re.sub(r"[^0-9a-fA-F]", "", s)
    return ":".join(h[i : i + 2] for i in range(0, 12, 2)).lower() if len(h) == 12 else "00:00:00:00:00:00"


_OSPF_STATE = {"full": "full", "2-way": "two-way", "twoway": "two-way", "init": "init", "down": "down",
               "exstart": "exchange-start",
               "exchange": "exchange", "loading": "loading", "attempt": "attempt"}


@dataclass
class OspfNbr:
    instance: str
    area: str
    interface: str
    router_id: str
    address: str
    priority: int
    state: str  # YANG enum: full, two-way, ...
    up_cs: int  # centiseconds
    dead: int


def ospf_nbrs(conf: dict[str, Any], live: Live, kind: str) -> list[OspfNbr]:
    insts = _lst(router_conf(conf), "ospf")
    if live.ospf is None or not insts:
        return []
    where: dict[str, tuple[str, str]] = {}
    for inst in insts:
        for area in _lst(inst, "area"):
            for i in _lst(area, "interface"):
                where.setdefault(str(i.get("interface-name")),
                                 (str(inst.get("ospf-instance", "0")), str(area.get("area-id"))))
    out = []
    for rid, lst in (live.ospf.get("neighbors") or {}).items():
        for n in lst if isinstance(lst, list) else [lst]:
            name = _itf_of(str(n.get("ifaceName", "")), conf, kind)
            if name is None or name not in where:
                continue
            st = str(n.get("nbrState") or n.get("state") or "").split("/")[0].lower()
            oi, oa = where[name]
            addr = str(n.get("ifaceAddress") or n.get("address") or "")
            out.append(OspfNbr(oi, oa, name, str(rid), addr,
                               int(n.get("nbrPriority", n.get("priority", 1))), _OSPF_STATE.get(st, st),
                               int(n.get("upTimeInMsec", 0) or 0) // 10,
                               int(n.get("routerDeadIntervalTimerDueMsec", n.get("deadTimeMsecs", 0)) or 0)
                               // 1000))
    return sorted(out, key=lambda x: (x.instance, x.area, x.interface, _ipkey(x.router_id)))


# ---- model: route table, LLDP ----------------------------------------------------------------
# SR OS route-table statistics protocol <- FRR route type; YANG order
_RT = {"bgp": ("ebgp", "ibgp", "bgp"), "direct": ("connected",), "isis": ("isis",), "ospf": ("ospf",),
       "static": ("static",)}


def route_counts(live: Live) -> dict[str, tuple[int, int]]:
    """protocol -> (active, available) from ``show ip route summary json``."""
    routes = (live.route_summary or {}).get("routes", [])
    out = {}
    for proto, types in _RT.items():
        rs = [r for r in routes if str(r.get("type")) in types]
        out[proto] = (sum(int(r.get("fib", 0)) for r in rs), sum(int(r.get("rib", 0)) for r in rs))
    return out


_CAP = {"Other": "other", "Repeater": "repeater", "Bridge": "bridge", "Wlan": "wlan-access-point",
        "Router": "router", "Telephone": "telephone", "Docsis": "docsis-cable-device",
        "Station": "station-only"}
_PID = {"mac": "mac-address", "ifname": "interface-name", "ifalias": "interface-alias", "local": "local",
        "ip": "network-address"}


@dataclass
class LldpNbr:
    port: str
    index: int
    time_mark: int  # sysUpTime (centiseconds) when first heard
    age: int
    chassis_id: str
    chassis_subtype: str
    port_id: str
    port_subtype: str
    port_descr: str
    system_name: str
    system_descr: str
    supported: list[str]
    enabled: list[str]


def lldp_nbrs(data: Any, live: Live, kind: str, configured: set[str]) -> list[LldpNbr]:
    """lldpcli ``show neighbors details`` (json or json0) -> neighbours on SR OS ports (not A/1)."""
    lldp = lldp_entries(data.get("lldp") if isinstance(data, dict) else None)
    out = []
    for itf in lldp_entries((lldp[0] if lldp else {}).get("interface")):
        port = port_of(str(itf.get("name", "")), kind, configured)
        if port is None or port == MGMT_PORT:
            continue
        ch = (lldp_entries(itf.get("chassis")) or [{}])[0]
        pt = (lldp_entries(itf.get("port")) or [{}])[0]
        cid = (lldp_entries(ch.get("id")) or [{}])[0]
        pid = (lldp_entries(pt.get("id")) or [{}])[0]
        ctype, ptype = str(cid.get("type", "")), str(pid.get("type", ""))
        cval, pval = str(cid.get("value", "")), str(pid.get("value", ""))
        age = int(lldp_age(str(itf.get("age", ""))))
        caps = [c for c in ch.get("capability", []) or [] if isinstance(c, dict)]
        name = lldp_value(ch.get("name"))
        rid = str(itf.get("rid", ""))
        out.append(LldpNbr(
            port=port,
            index=int(rid) if rid.isdigit() else 1,
            time_mark=max(0, int((live.now - age - live.boot) * 100)),
            age=age,
            chassis_id=cval.upper() if ctype == "mac" else cval,
            chassis_subtype=_PID.get(ctype, "local") if ctype != "ifname" else "interface-name",
            port_id=pval.upper() if ptype == "mac" else pval,
            port_subtype=_PID.get(ptype, "local"),
            port_descr=lldp_value(pt.get("descr")),
            system_name=name,
            system_descr=lldp_value(ch.get("descr")),
            supported=[_CAP.get(str(c.get("type")), "other") for c in caps],
            enabled=[_CAP.get(str(c.get("type")), "other") for c in caps if c.get("enabled")],
        ))
    return sorted(out, key=lambda n: (_port_key(n.port), n.index))


# ---- render: XML -----------------------------------------------------------------------------
def _sub(parent: Any, tag: str, text: Any = None) -> Any:
    el = etree.SubElement(parent, f"{{{NS}}}{tag}")
    if text is not None:
        el.text = str(text)
    return el


def render(twin: Any, conf: dict[str, Any], live: Live) -> Any:
    """The whole modelled ``<state>`` tree (the NETCONF layer applies the subtree filter)."""
    kind = str(getattr(twin, "kind", "nokia_sros"))
    root = etree.Element(f"{{{NS}}}state", nsmap={None: NS})
    ch = _sub(root, "chassis")
    _sub(ch, "chassis-class", "router")
    _sub(ch, "chassis-number", "1")
    hw = _sub(ch, "hardware-data")
    _sub(hw, "serial-number", twin.serial)
    _sub(hw, "base-mac-address", base_mac(twin))

    plist = ports(conf, live, kind) if live.links is not None else []
    configured = {str(p.get("port-id")) for p in _lst(conf, "port")}
    nbrs: dict[str, list[LldpNbr]] = {}
    for n in lldp_nbrs(live.lldp, live, kind, configured) if live.lldp is not None else []:
        nbrs.setdefault(n.port, []).append(n)
    for p in plist:
        pe = _sub(root, "port")
        _sub(pe, "port-id", p.port_id)
        if not p.connector:
            _sub(pe, "hardware-mac-address", p.mac or "00:00:00:00:00:00")
        _sub(pe, "oper-state", "up" if p.up else "down")
        if p.connector:
            continue
        _sub(pe, "oper-state-last-changed", stamp(p.changed))
        st = _sub(pe, "statistics")
        for k in ("in-discards", "in-errors", "in-octets", "in-packets", "in-multicast-packets",
                  "in-unicast-packets", "out-discards", "out-errors", "out-octets", "out-packets",
                  "out-unicast-packets"):
            _sub(st, k, p.stats.get(k, 0))
        eth = _sub(pe, "ethernet")
        _sub(eth, "oper-speed", p.speed if p.up else 0)
        if nbrs.get(p.port_id):
            dm = _sub(_sub(eth, "lldp"), "dest-mac")
            _sub(dm, "mac-type", "nearest-bridge")
            for n in nbrs[p.port_id]:
                rs = _sub(dm, "remote-system")
                _sub(rs, "remote-time-mark", n.time_mark)
                _sub(rs, "remote-index", n.index)
                _sub(rs, "age", n.age)
                _sub(rs, "chassis-id", n.chassis_id)
                _sub(rs, "chassis-id-subtype", n.chassis_subtype)
                _sub(rs, "remote-port-id", n.port_id)
                _sub(rs, "remote-port-id-subtype", n.port_subtype)
                _sub(rs, "port-description", n.port_descr)
                _sub(rs, "system-enabled-capabilities", " ".join(n.enabled))
                _sub(rs, "system-supported-capabilities", " ".join(n.supported))
                _sub(rs, "system-description", n.system_descr)
                _sub(rs, "system-name", n.system_name)

    itfs = interfaces(conf, plist, live)
    rid = router_id(conf)
    for rname in (BASE, "management"):
        re_ = _sub(root, "router")
        _sub(re_, "router-name", rname)
        _sub(re_, "oper-router-id", rid)
        for i in itfs:
            if i.router != rname:
                continue
            ie = _sub(re_, "interface")
            _sub(ie, "interface-name", i.name)
            _sub(ie, "oper-state", "up" if i.up else "down")
            _sub(ie, "oper-ip-mtu", i.ip_mtu)
            _sub(ie, "last-oper-change", stamp(i.changed))
        if rname == BASE:
            _render_routing(re_, conf, live, kind)
    sy = _sub(root, "system")
    _sub(sy, "oper-name", twin.hostname)
    _sub(sy, "base-mac-address", base_mac(twin))
    _sub(sy, "platform", twin.chassis)
    _sub(sy, "up-time", int(max(0.0, live.now - live.boot) * 1000))
    _sub(sy, "current-time", stamp(live.now))
    _sub(_sub(sy, "version"), "version-number", twin.version)
    _render_commit_history(_sub(sy, "management-interface"), twin)
    return root


def _render_commit_history(mi: Any, twin: Any) -> None:
    """``management-interface/configuration-region[configure]/commit-history`` (nokia-state-system): one
    ``commit-id`` per entry the datastore keeps; the driver reads what became of its token's commit here."""
    region = _sub(mi, "configuration-region")
    _sub(region, "region-name", "configure")
    hist = _sub(region, "commit-history")
    for c in reversed(getattr(twin.db, "history", [])):
        e = _sub(hist, "commit-id")
        _sub(e, "id", c.serial)
        _sub(e, "timestamp", stamp(c.time))
        _sub(e, "user", c.user)
        _sub(e, "type", c.type)
        if c.type == "system":  # a revert: what the system did goes in the log, not a user's comment
            _sub(e, "log", c.comment)
        elif c.comment:
            _sub(e, "comment", c.comment)


def _render_routing(re_: Any, conf: dict[str, Any], live: Live, kind: str) -> None:
    """route-table statistics, then BGP, IS-IS, OSPF (the order nokia-state-router.yang has them)."""
    if live.route_summary is not None:
        stats = _sub(_sub(_sub(_sub(re_, "route-table"), "unicast"), "ipv4"), "statistics")
        for proto, (active, avail) in route_counts(live).items():
            pe = _sub(stats, proto)
            _sub(pe, "active-routes", active)
            _sub(pe, "available-routes", avail)
    base = router_conf(conf)
    if "bgp" in base and live.bgp is not None:
        peers, _asn = bgp_peers(conf, live)
        be = _sub(re_, "bgp")
        for p in peers:
            ne = _sub(be, "neighbor")
            _sub(ne, "ip-address", p.address)
            s = _sub(ne, "statistics")
            _sub(s, "peer-port", p.peer_port)
            _sub(s, "local-port", p.local_port)
            _sub(s, "session-state", p.state)
            _sub(s, "last-state", p.last_state)
            _sub(s, "last-event", p.last_event)
            _sub(s, "operational-local-address", p.local_address if p.up else "")
            _sub(s, "operational-remote-address", p.address if p.up else "")
            _sub(s, "peer-identifier", p.router_id)
            _sub(s, "last-established-time", stamp(p.since))
            _sub(s, "hold-time-interval", p.hold)
            _sub(s, "keep-alive-interval", p.keepalive)
            _sub(s, "number-of-update-flaps", p.flaps)
            fp = _sub(s, "family-prefix")
            for afi, (rcv, act, snt) in (("ipv4", (p.received, p.active, p.sent)), ("ipv6", (0, 0, 0))):
                a = _sub(fp, afi)
                for k, v in (("received", rcv), ("active", act), ("suppressed", 0), ("rejected", 0),
                             ("sent", snt)):
                    _sub(a, k, v)
            se = _sub(s, "sent")
            _sub(se, "queues", p.outq)
            _sub(se, "messages", p.msgs_out)
            _sub(se, "updates", p.updates_out)
            rc = _sub(s, "received")
            _sub(rc, "queues", p.inq)
            _sub(rc, "messages", p.msgs_in)
            _sub(rc, "updates", p.updates_in)
    rid = router_id(conf)
    if live.isis is not None:
        adjs = isis_adjs(conf, live, kind)
        names = {sysid.lower(): host for host, sysid in isis_hostnames(live.isis_hosts).items()}
        own = next((ln.split()[1] for ln in live.isis_hosts.splitlines()
                    if ln.split()[:1] == ["*"] and len(ln.split()) > 2), "")
        for inst in _lst(base, "isis"):
            iname = str(inst.get("isis-instance", "0"))
            on = inst.get("admin-state") == "enable"
            ie = _sub(re_, "isis")
            _sub(ie, "isis-instance", iname)
            sysid = own.lower() or _s(inst, "system-id")
            if sysid:
                _sub(ie, "oper-system-id", sysid)
            _sub(ie, "oper-router-id", rid)
            _sub(ie, "oper-state", "up" if on else "down")
            for itf in _lst(inst, "interface"):
                name = str(itf.get("interface-name"))
                mine = [a for a in adjs if a.instance == iname and a.interface == name]
                te = _sub(ie, "interface")
                _sub(te, "interface-name", name)
                on = inst.get("admin-state") == "enable" and itf.get("admin-state", "enable") == "enable"
                _sub(te, "oper-state", "up" if on else "down")
                for a in mine:
                    ae = _sub(te, "adjacency")
                    _sub(ae, "adjacency-index", a.index)
                    _sub(ae, "oper-state", a.state)
                    _sub(ae, "usage", f"level{a.level}")
                    _sub(ae, "hold-timer", a.hold)
                    _sub(ae, "uptime", a.uptime)
                    _sub(ae, "expires-in", a.expires)
                    _sub(ae, "level", f"level{a.level}")
                    nb = _sub(ae, "neighbor")
                    _sub(nb, "snpa-address", a.snpa)
                    _sub(nb, "system-type", f"l{a.level}-is")
                    _sub(nb, "system-id", a.system_id)
            if on:  # dynamic host names (TLV 137) the instance learnt, its own included
                for sid in sorted(names):
                    he = _sub(ie, "hostname")
                    _sub(he, "system-id", sid)
                    _sub(he, "host-name", names[sid])
    if live.ospf is not None:
        nbrs = ospf_nbrs(conf, live, kind)
        for inst in _lst(base, "ospf"):
            oname = str(inst.get("ospf-instance", "0"))
            oe = _sub(re_, "ospf")
            _sub(oe, "ospf-instance", oname)
            _sub(oe, "oper-state", "up" if inst.get("admin-state") == "enable" else "down")
            _sub(oe, "oper-router-id", _s(inst, "router-id") or rid)
            for area in _lst(inst, "area"):
                aid = str(area.get("area-id"))
                ae = _sub(oe, "area")
                _sub(ae, "area-id", aid)
                for itf in _lst(area, "interface"):
                    name = str(itf.get("interface-name"))
                    here = [n for n in nbrs if (n.instance, n.area, n.interface) == (oname, aid, name)]
                    te = _sub(ae, "interface")
                    _sub(te, "interface-name", name)
                    _sub(te, "neighbor-count", len(here))
                    for n in here:
                        ne = _sub(te, "neighbor-state")
                        _sub(ne, "router-id", n.router_id)
                        _sub(ne, "address", n.address)
                        _sub(ne, "priority", n.priority)
                        _sub(ne, "oper-state", n.state)
                        _sub(ne, "up-time", n.up_cs)
                        _sub(ne, "dead-time-outstanding", n.dead)


async def state_xml(twin: Any, sources: set[str] | None = None) -> Any:
    """``<state>`` from the live sources (``sources``: what a filter needs, see :func:`sources_for`)."""
    conf = twin.db.running.data
    live = await gather(twin, set(SOURCES) if sources is None else sources)
    return render(twin, conf, live)


# ---- render: show ------------------------------------------------------------------------------
EQ = "=" * 79
DASH = "-" * 79


def _title(t: str) -> list[str]:
    return [EQ, t, EQ]


def text_version(twin: Any) -> str:
    return (f"TiMOS-{twin.version} both/x86_64 Nokia {twin.chassis.split('-')[0].strip()} "
            "Copyright (c) 2000-2024 Nokia.\nAll rights reserved. All use subject to applicable license "
            "agreements.\nBuilt on Thu Oct 17 18:25:46 PDT 2024 by builder in "
            "/builds/c/2410B/R1/panos/main/sros\n")


def _uptime(secs: float) -> str:
    s = max(0.0, secs)
    d, r = divmod(int(s), 86400)
    h, r = divmod(r, 3600)
    m, sec = divmod(r, 60)
    return f"{d} days, {h:02d}:{m:02d}:{sec:02d}.{int(s * 100) % 100:02d} (hr:min:sec)"


def text_system_information(twin: Any, conf: dict[str, Any], now: float) -> str:
    boot = float(getattr(twin, "boot_time", now) or now)
    sysc = _d(conf, "system")
    mgmt = next((i for i in _lst(router_conf(conf, "management"), "interface")), {})
    maddr = _d(mgmt, "ipv4", "primary")
    mgmt_ip = f"{maddr['address']}/{maddr.get('prefix-length', 24)}" if "address" in maddr else "N/A"
    mode = _s(sysc, "management-interface", "configuration-mode") or "model-driven"
    rows = [
        ("System Name", twin.hostname),
        ("System Type", twin.chassis),
        ("Chassis Topology", "Standalone"),
        ("System Version", twin.version),
        ("Crypto Module Version", "SRCM 3.1"),
        ("System Contact", _s(sysc, "contact")),
        ("System Location", _s(sysc, "location")),
        ("System Coordinates", ""),
        ("System Up Time", _uptime(now - boot)),
        ("", None),
        ("Configuration Mode Cfg", mode),
        ("Configuration Mode Oper", mode),
        ("", None),
        ("SNMP Port", "161"),
        ("SNMP Engine ID", "0000197f0000" + base_mac(twin).replace(":", "")),
        ("SNMP Engine Boots", "1"),
        ("SNMP Max Message Size", "1500"),
        ("SNMP Admin State", "Disabled"),
        ("SNMP Oper State", "Disabled"),
        ("SNMP Index Boot Status", "Not Persistent"),
        ("SNMP Sync State", "N/A"),
        ("", None),
        ("Tel/Tel6/SSH/FTP Admin", "Disabled/Disabled/Enabled/Disabled"),
        ("Tel/Tel6/SSH/FTP Oper", "Down/Down/Up/Down"),
        ("", None),
        ("BOF Source", "cf3:"),
        ("Image Source", "primary"),
        ("Config Source", "primary"),
        ("Last Booted Config File", "cf3:\\config.cfg"),
        ("Last Boot Cfg Version", time.strftime("%a %b %d %H:%M:%S %Y UTC", time.gmtime(boot))),
        ("Last Boot Config Header", f"# TiMOS-{twin.version} Configuration format version 24.10 revision 0"),
        ("Last Boot Index Version", "N/A"),
        ("Last Boot Index Header", "N/A"),
        ("Last Saved Config", "N/A"),
        ("Time Last Saved", "N/A"),
        ("Changes Since Last Save", "No"),
        ("Max Cfg/BOF Backup Rev", "5"),
        ("Cfg-OK Script", "N/A"),
        ("Cfg-OK Script Status", "not used"),
        ("Cfg-Fail Script", "N/A"),
        ("Cfg-Fail Script Status", "not used"),
        ("", None),
        ("Management IP Addr", mgmt_ip),
        ("Primary DNS Server", "N/A"),
        ("Secondary DNS Server", "N/A"),
        ("Tertiary DNS Server", "N/A"),
        ("DNS Domain", "N/A"),
        ("DNS Resolve Preference", "ipv4-only"),
        ("DNSSEC AD Validation", "False"),
        ("DNSSEC Response Control", "drop"),
        ("", None),
        ("Vendor Class Id (Ascii)", "N/A"),
        ("Vendor Class Id (Hex)", "N/A"),
        ("Client Id (Ascii)", "N/A"),
        ("Client Id (Hex)", "N/A"),
        ("", None),
        ("EFM OAM Grace Tx Enable", "False"),
    ]
    lines = _title("System Information")
    lines += ["" if v is None else f"{k:<23}: {v}".rstrip() if k else "" for k, v in rows]
    lines.append(EQ)
    return "\n".join(lines) + "\n"


def text_ports(plist: list[Port]) -> str:
    out: list[str] = []
    for slot, sel in (("1", [p for p in plist if p.port_id != MGMT_PORT]),
                      ("A", [p for p in plist if p.port_id == MGMT_PORT])):
        if not sel:
            continue
        out += ([""] if out else []) + _title(f"Ports on Slot {slot}")
        out += ["Port          Admin Link Port    Cfg  Oper LAG/ Port Port Port   C/QS/S/XFP/",
                "Id            State      State   MTU  MTU  Bndl Mode Encp Type   MDIMDX", DASH]
        for p in sel:
            adm = "Up" if p.admin else "Down"
            if p.connector:
                st = "Link Up" if p.up else "Down"
                out.append(f"{p.port_id:<14}{adm:<11}{st:<33}conn   {p.speed // 1000}GBASE-LR4*")
                continue
            oper = p.mtu if p.up else 0
            mgmt = p.port_id == MGMT_PORT
            typ = "faste" if mgmt else {10000: "xgige", 100000: "cgige"}.get(p.speed, "xcme")
            out.append(f"{p.port_id:<14}{adm:<6}{'Yes' if p.up else 'No':<5}{'Up' if p.up else 'Down':<8}"
                       f"{p.mtu:<5}{oper:<5}{'-':>4} {p.mode} null {typ}" + ("  MDI" if mgmt else ""))
        out.append(EQ)
    return "\n".join(out) + "\n"


def text_port(p: Port, now: float) -> str:
    lines = _title("Ethernet Interface")
    adm, oper = ("Up" if p.admin else "Down"), ("Up" if p.up else "Down")
    rows = [
        ("Description", p.description or "N/A", None, None),
        ("Interface", p.port_id, "Oper Speed", f"{p.speed // 1000} Gbps" if p.up else "N/A"),
        ("Link-level", "Ethernet", "Config Speed", "N/A"),
        ("Admin State", adm.lower(), "Oper Duplex", "full" if p.up else "N/A"),
        ("Oper State", oper.lower(), None, None),
        ("Physical Link", "Yes" if p.up else "No", "MTU", str(p.mtu)),
        ("Single Fiber Mode", "No", "Min Frame Length", "64 Bytes"),
        ("IfIndex", str(_ifindex(p.port_id)), "Hold time up", "0 seconds"),
        ("Last State Change", time.strftime("%m/%d/%Y %H:%M:%S", time.gmtime(p.changed)),
         "Hold time down", "0 seconds"),
        ("Last Cleared Time", "N/A", "DDM Events", "Enabled"),
        ("Phys State Chng Cnt", "1" if p.up else "0", None, None),
        ("", None, None, None),
        ("Configured Mode", {"netw": "network", "accs": "access", "hybr": "hybrid"}[p.mode],
         "Encap Type", "null"),
        ("Dot1Q Ethertype", "0x8100", "QinQ Ethertype", "0x8100"),
        ("PBB Ethertype", "0x88e7", None, None),
        ("Ing. Pool % Rate", "100", "Egr. Pool % Rate", "100"),
        ("Net. Egr. Queue Pol", "default", None, None),
        ("Egr. Sched. Pol", "n/a", None, None),
        ("Auto-negotiate", "false", "MDI/MDX", "unknown"),
        ("Oper Phy-tx-clock", "not-applicable", None, None),
        ("Accounting Policy", "None", "Collect-stats", "Disabled"),
        ("Acct Plcy Eth Phys", "None", "Collect Eth Phys", "Disabled"),
        ("Egress Rate", "Default", "Ingress Rate", "Default"),
        ("Load-balance-algo", "Default", "LACP Tunnel", "Disabled"),
        ("", None, None, None),
        ("Down-when-looped", "Disabled", "Keep-alive", "10"),
        ("Loop Detected", "False", "Retry", "120"),
        ("Use Broadcast Addr", "False", None, None),
        ("", None, None, None),
        ("Configured Address", p.mac, None, None),
        ("Hardware Address", p.mac, None, None),
    ]
    for a, av, b, bv in rows:
        if av is None:
            lines.append("")
        elif b is None:
            lines.append(f"{a:<20}: {av}")
        else:
            lines.append(f"{a:<20}: {av:<22}{b:<17}: {bv}")
    lines += ["", EQ, "Traffic Statistics", EQ,
              f"{'':<47}{'Input':>16}{'Output':>16}", DASH,
              f"{'Octets':<47}{p.stats.get('in-octets', 0):>16}{p.stats.get('out-octets', 0):>16}",
              f"{'Packets':<47}{p.stats.get('in-packets', 0):>16}{p.stats.get('out-packets', 0):>16}",
              f"{'Errors':<47}{p.stats.get('in-errors', 0):>16}{p.stats.get('out-errors', 0):>16}",
              f"{'Discards':<47}{p.stats.get('in-discards', 0):>16}{p.stats.get('out-discards', 0):>16}",
              EQ]
    return "\n".join(lines) + "\n"


def _ifindex(port: str) -> int:
    nums = [int(n) for n in re.findall(r"\d+", port)]
    return 1610899456 + sum(n << (5 * i) for i, n in enumerate(reversed(nums)))


def text_router_interfaces(itfs: list[Itf]) -> str:
    lines = _title("Interface Table (Router: Base)")
    lines += ["Interface-Name                   Adm       Opr(v4/v6)  Mode    Port/SapId",
              "   IP-Address                                                  PfxState", DASH]
    n = 0
    for i in itfs:
        if i.router != BASE:
            continue
        n += 1
        opr = f"{'Up' if i.up else 'Down'}/Down"
        port = "system" if i.name == "system" else (i.port or "loopback")
        lines.append(f"{i.name:<33}{'Up' if i.admin else 'Down':<10}{opr:<12}{'Network':<8}{port}")
        for a, plen in i.ipv4:
            lines.append(f"   {a + '/' + str(plen):<60}n/a")
        if not i.ipv4:
            lines.append(f"   {'-':<60}-")
    lines += [DASH, f"Interfaces : {n}", EQ]
    return "\n".join(lines) + "\n"


def text_bgp_summary(peers: list[Peer], conf: dict[str, Any], asn: int, now: float) -> str:
    bgp = _d(router_conf(conf), "bgp")
    up = bgp.get("admin-state", "enable") == "enable"
    groups = {p.group for p in peers if p.group}
    rid = router_id(conf)
    rcv = sum(p.received for p in peers)
    act = sum(p.active for p in peers)

    def pair(a: str, av: Any, b: str, bv: Any) -> str:
        return f"{a:<24}: {av!s:<12}{b:<28}: {bv!s}"

    lines = [EQ, f" BGP Router ID:{rid:<17}AS:{asn:<12}Local AS:{asn}", EQ,
             pair("BGP Admin State", "Up" if up else "Down", "BGP Oper State", "Up" if up else "Down"),
             pair("Total Peer Groups", len(groups), "Total Peers", len(peers)),
             pair("Total VPN Peer Groups", 0, "Total VPN Peers", 0),
             pair("Current Internal Groups", len(groups), "Max Internal Groups", len(groups)),
             pair("Total BGP Paths", rcv + 3, "Total Path Memory", 1152 + 384 * rcv),
             "",
             pair("Total IPv4 Remote Rts", rcv, "Total IPv4 Rem. Active Rts", act),
             pair("Total IPv6 Remote Rts", 0, "Total IPv6 Rem. Active Rts", 0),
             pair("Total IPv4 Backup Rts", 0, "Total IPv6 Backup Rts", 0),
             pair("Total LblIpv4 Rem Rts", 0, "Total LblIpv4 Rem. Act Rts", 0),
             pair("Total LblIpv6 Rem Rts", 0, "Total LblIpv6 Rem. Act Rts", 0),
             pair("Total LblIpv4 Bkp Rts", 0, "Total LblIpv6 Bkp Rts", 0),
             pair("Total Supressed Rts", 0, "Total Hist. Rts", 0),
             f"{'Total Decay Rts':<24}: 0",
             "",
             pair("Total VPN-IPv4 Rem. Rts", 0, "Total VPN-IPv4 Rem. Act. Rts", 0),
             pair("Total VPN-IPv6 Rem. Rts", 0, "Total VPN-IPv6 Rem. Act. Rts", 0),
             pair("Total VPN-IPv4 Bkup Rts", 0, "Total VPN-IPv6 Bkup Rts", 0),
             pair("Total VPN Supp. Rts", 0, "Total VPN Hist. Rts", 0),
             f"{'Total VPN Decay Rts':<24}: 0",
             "",
             EQ, "BGP Summary", EQ, "Legend : D - Dynamic Neighbor", EQ,
             "Neighbor", "Description",
             "                   AS PktRcvd InQ  Up/Down   State|Rcv/Act/Sent (Addr Family)",
             "                      PktSent OutQ", DASH]
    for p in peers:
        state = (f"{p.received}/{p.active}/{p.sent} (IPv4)" if p.up
                 else "Disabled" if not p.admin else p.state)
        lines += [p.address, p.description or "(Not Specified)",
                  f"{p.peer_as:>21}{p.msgs_in:>8}{p.inq:>4} {_hms(now - p.since)} {state}",
                  f"{p.msgs_out:>29}{p.outq:>4}"]
    if not peers:
        lines.append("No Peers Found")
    lines.append(DASH)
    return "\n".join(lines) + "\n"


def text_bgp_neighbor(peers: list[Peer], conf: dict[str, Any], asn: int, now: float) -> str:
    lines = _title("BGP Neighbor")
    for p in peers:
        internal = p.peer_as == asn
        col: list[tuple[str, Any, str | None, Any]] = [
            ("Peer AS", p.peer_as, "Peer Port", p.peer_port),
            ("Peer Address", p.address, None, None),
            ("Local AS", p.local_as, "Local Port", p.local_port),
            ("Local Address", p.local_address or "0.0.0.0", None, None),
            ("Peer Type", "Internal" if internal else "External", "Dynamic Peer", "No"),
            ("State", p.state, "Last State", p.last_state),
            ("Last Event", p.last_event, None, None),
            ("Last Error", "Unknown" if p.flaps else "None", None, None),
            ("Local Family", "IPv4", None, None),
            ("Remote Family", "IPv4" if p.up else "Unused", None, None),
            ("Hold Time", p.conf_hold, "Keep Alive", p.conf_keepalive),
            ("Min Hold Time", 0, None, None),
            ("Active Hold Time", p.hold, "Active Keep Alive", p.keepalive),
            ("Cluster Id", "None", None, None),
            ("Preference", 170, "Num of Update Flaps", p.flaps),
            ("Recd. Paths", p.received, None, None),
            ("IPv4 Recd. Prefixes", p.received, "IPv4 Active Prefixes", p.active),
            ("IPv4 Suppressed Pfxs", 0, "IPv4 Rejected Pfxs", 0),
            ("IPv4 Sent Prefixes", p.sent, None, None),
            ("Input Queue", p.inq, "Output Queue", p.outq),
            ("i/p Messages", p.msgs_in, "o/p Messages", p.msgs_out),
            ("i/p Updates", p.updates_in, "o/p Updates", p.updates_out),
            ("TTL Security", "Disabled", "Min TTL Value", "n/a"),
            ("Graceful Restart", "Disabled", "Stale Routes Time", "n/a"),
            ("Advertise Inactive", "Disabled", "Peer Tracking", "Disabled"),
            ("Advertise Label", "None", None, None),
            ("Auth key chain", "n/a", None, None),
            ("Bfd Enabled", "Disabled", None, None),
            ("Local Capability", "RtRefresh MPBGP 4byte ASN", None, None),
            ("Remote Capability", "RtRefresh MPBGP 4byte ASN" if p.up else "", None, None),
            ("Import Policy", " ".join(p.import_policy) or "None Specified / Default", None, None),
            ("Export Policy", " ".join(p.export_policy) or "None Specified / Default", None, None),
        ]
        lines += [DASH, f"{'Peer':<21}: {p.address}",
                  f"{'Description':<21}: {p.description or '(Not Specified)'}",
                  f"{'Group':<21}: {p.group or 'N/A'}", DASH]
        for a, av, b, bv in col:
            lines.append(f"{a:<21}: {av!s:<17}{b:<21}: {bv}" if b else f"{a:<21}: {av}".rstrip())
    lines += [DASH, f"Neighbors : {len(peers)}", EQ]
    return "\n".join(lines) + "\n"


def text_isis_adjacency(adjs: list[Adj], instance: str) -> str:
    lines = _title(f"Rtr Base ISIS Instance {instance} Adjacency ")
    lines += ["System ID                Usage State Hold Interface                     MT-ID", DASH]
    for a in adjs:
        sid = (a.hostname or a.system_id)[:24]
        lines.append(f"{sid:<25}L{a.level:<5}{a.state.capitalize()[:5]:<6}{a.expires:<5}"
                     f"{a.interface[:29]:<30}0")
    lines += [DASH, f"Adjacencies : {len(adjs)}", EQ]
    return "\n".join(lines) + "\n"


def text_ospf_neighbor(nbrs: list[OspfNbr], instance: str) -> str:
    lines = _title(f"Rtr Base OSPFv2 Instance {instance} Neighbors")
    lines += ["Interface-Name                   Rtr Id          State      Pri  RetxQ   TTL",
              "   Area-Id", DASH]
    names = {"full": "Full", "two-way": "Two Way", "init": "Init", "down": "Down", "attempt": "Attempt",
             "exchange-start": "ExchStart", "exchange": "Exchange", "loading": "Loading"}
    for n in nbrs:
        lines.append(f"{n.interface[:32]:<33}{n.router_id:<16}{names.get(n.state, n.state):<11}"
                     f"{n.priority:<5}{0:<8}{n.dead}")
        lines.append(f"   {n.area}")
    lines += [DASH, f"No. of Neighbors: {len(nbrs)}", EQ]
    return "\n".join(lines) + "\n"


def text_lldp_neighbors(nbrs: list[LldpNbr]) -> str:
    lines = ["", "Link Layer Discovery Protocol (LLDP) System Information", "", EQ,
             "NB = nearest-bridge   NTPMR = nearest-non-tpmr   NC = nearest-customer", EQ,
             "Lcl Port      Scope Remote Chassis ID  Index  Remote Port     Remote Sys Name", DASH]
    for n in nbrs:
        lines.append(f"{n.port:<14}{'NB':<6}{n.chassis_id[:18]:<19}{n.index:<7}{n.port_id[:15]:<16}"
                     f"{n.system_name}")
    lines += [DASH, f"Number of neighbors : {len(nbrs)}"]
    return "\n".join(lines) + "\n"


_RT_NAMES = (("Static", "static"), ("Direct", "direct"), ("Host", None), ("BGP", "bgp"), ("BGP-Backup", None),
             ("BGP-Label", None), ("OSPF", "ospf"), ("OSPF-Backup", None), ("ISIS", "isis"),
             ("ISIS-Backup", None), ("RIP", None), ("Aggregate", None), ("Sub Mgmt", None), ("Managed", None),
             ("NAT", None), ("VPN Leak", None))


def text_commit_history(history: list[Any]) -> str:
    """``show system management-interface commit-history``, newest first (layout approximated)."""
    lines = [*_title("Commit History"), "Configuration Region: configure", DASH]
    for c in history:
        who = {"md-cli": "MD-CLI", "netconf": "NETCONF", "system": "System",
               "database-initialization": "Database Initialization"}[c.type]
        lines.append(f"{c.serial}")
        lines.append(f"  Committed {stamp(c.time)} by {c.user} ({who})")
        if c.comment:
            lines.append(f"  {'Log' if c.type == 'system' else 'Comment'}{' ' * 3}\"{c.comment}\"")
    lines += [DASH, f"No. of Commit History Entries: {len(history)}", EQ]
    return "\n".join(lines) + "\n"


def text_route_summary(counts: dict[str, tuple[int, int]]) -> str:
    lines = _title("Route Table Summary (Router: Base)")
    lines += [f"{'':<25}{'Active':<21}Available", DASH]
    for label, key in _RT_NAMES:
        act, avail = counts.get(key or "", (0, 0))
        lines.append(f"{label:<25}{act:<21}{avail}")
    ta = sum(c[0] for c in counts.values())
    tv = sum(c[1] for c in counts.values())
    lines += [DASH, f"{'Total':<25}{ta:<21}{tv}", EQ,
              "NOTE: ISIS-Backup, OSPF-Backup and BGP-Backup routes are not installed in the routing "
              "table", EQ]
    return "\n".join(lines) + "\n"


_PROTO = {"connected": ("Local", "Local"), "static": ("Remote", "Static"), "isis": ("Remote", "ISIS"),
          "ospf": ("Remote", "OSPF"), "bgp": ("Remote", "BGP")}
_PREF = {"Local": 0, "Static": 5, "OSPF": 10, "ISIS": 18, "BGP": 170}


def _frr_age(s: str) -> float:
    """FRR route uptime ``00:01:02`` / ``1d02h03m`` / ``02w3d04h`` -> seconds."""
    if m := re.fullmatch(r"(\d+):(\d+):(\d+)", s):
        return int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3])
    total = 0
    for n, u in re.findall(r"(\d+)([wdhms])", s):
        total += int(n) * {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}[u]
    return total


def text_route_table(routes: dict[str, Any], conf: dict[str, Any], kind: str) -> str:
    lines = _title("Route Table (Router: Base)")
    lines += ["Dest Prefix[Flags]                            Type    Proto     Age        Pref",
              "      Next Hop[Interface Name]                                    Metric   ", DASH]
    n = 0
    for prefix in sorted(routes, key=lambda p: (_ipkey(p.split("/")[0]), p)):
        for r in routes[prefix] if isinstance(routes[prefix], list) else []:
            if not r.get("selected") or str(r.get("protocol")) not in _PROTO:
                continue
            typ, proto = _PROTO[str(r["protocol"])]
            n += 1
            lines.append(f"{prefix:<46}{typ:<8}{proto:<10}{_hms(_frr_age(str(r.get('uptime', '')))):<11}"
                         f"{_PREF[proto]}")
            for nh in r.get("nexthops", []) or []:
                if not nh.get("active", True):
                    continue
                linux = str(nh.get("interfaceName", ""))
                name = _itf_of(linux, conf, kind) or linux
                hop = name if nh.get("directlyConnected") or "ip" not in nh else str(nh["ip"])
                if prefix.endswith("/32") and typ == "Local" and hop == "lo":
                    hop = "system"
                lines.append(f"       {hop:<61}{int(r.get('metric', 0) or 0)}")
    lines += [DASH, f"No. of Routes: {n}", "Flags: n = Number of times nexthop is repeated",
              "       B = BGP backup route available", "       L = LFA nexthop available",
              "       S = Sticky ECMP requested", EQ]
    return "\n".join(lines) + "\n"


# ---- show --------------------------------------------------------------------------------------
# keyword -> the keywords that may follow it (MD-CLI accepts any unambiguous prefix of a keyword)
_TREE = {"": ("show",), "show": ("port", "router", "system", "version"),
         "router": ("bgp", "interface", "isis", "ospf", "route-table"), "bgp": ("summary", "neighbor"),
         "isis": ("adjacency",), "ospf": ("neighbor",),
         "system": ("information", "lldp", "management-interface"),
         "management-interface": ("commit-history",),
         "lldp": ("neighbor",), "route-table": ("summary",)}


def _expand(words: list[str]) -> list[str]:
    out: list[str] = []
    prev = ""
    for w in words:
        hits = [k for k in _TREE.get(prev, ()) if k.startswith(w)]
        word = hits[0] if len(hits) == 1 or w in hits else w
        if not out and word != "show":
            out.append("show")
            hits = [k for k in _TREE["show"] if k.startswith(w)]
            word = hits[0] if len(hits) == 1 or w in hits else w
        out.append(word)
        prev = word if word in _TREE else prev if word == "Base" else word
    return out


async def show(twin: Any, words: list[str]) -> str | None:
    """An MD-CLI ``show`` command's output (``words`` with or without the leading ``show``); None for a
    command the twin does not model. Errors (an unknown port, a source that did not answer) raise
    :class:`StateError`, a ConfigError whose message the CLI prints."""
    w = _expand(words)[1:]
    if w[:2] == ["router", "Base"]:
        w = ["router", *w[2:]]
    conf = twin.db.running.data
    kind = str(getattr(twin, "kind", "nokia_sros"))
    if w == ["version"]:
        return text_version(twin)
    if w == ["system", "information"]:
        return text_system_information(twin, conf, time.time())
    if w[:1] == ["port"] and len(w) <= 2:
        live = await gather(twin, {"links"})
        plist = ports(conf, live, kind)
        if len(w) == 1:
            return text_ports(plist)
        hit = [p for p in plist if p.port_id == w[1] and not p.connector]
        if not hit:
            raise StateError(f'MINOR: CLI #2004: Entry does not exist - port "{w[1]}"')
        return text_port(hit[0], live.now)
    if w == ["router", "interface"]:
        live = await gather(twin, {"links"})
        return text_router_interfaces(interfaces(conf, ports(conf, live, kind), live))
    if w[:2] == ["router", "bgp"]:
        if "bgp" not in router_conf(conf):
            return "MINOR: CLI BGP is not configured.\n"
        live = await gather(twin, {"bgp"})
        peers, asn = bgp_peers(conf, live)
        if w[2:] == ["summary"]:
            return text_bgp_summary(peers, conf, asn, live.now)
        if w[2:3] == ["neighbor"] and len(w) <= 4:
            sel = peers if len(w) == 3 else [p for p in peers if p.address == w[3]]
            if len(w) == 4 and not sel:
                return f"MINOR: CLI Could not find neighbor {w[3]}.\n"
            return text_bgp_neighbor(sel, conf, asn, live.now)
    if w == ["router", "isis", "adjacency"]:
        insts = _lst(router_conf(conf), "isis")
        if not insts:
            return "MINOR: CLI ISIS is not configured.\n"
        live = await gather(twin, {"isis", "links"})
        return text_isis_adjacency(isis_adjs(conf, live, kind), str(insts[0].get("isis-instance", "0")))
    if w == ["router", "ospf", "neighbor"]:
        insts = _lst(router_conf(conf), "ospf")
        if not insts:
            return "MINOR: CLI OSPF is not configured.\n"
        live = await gather(twin, {"ospf"})
        return text_ospf_neighbor(ospf_nbrs(conf, live, kind), str(insts[0].get("ospf-instance", "0")))
    if w == ["system", "management-interface", "commit-history"]:
        return text_commit_history(twin.db.history)
    if w == ["system", "lldp", "neighbor"]:
        live = await gather(twin, {"lldp"})
        configured = {str(p.get("port-id")) for p in _lst(conf, "port")}
        return text_lldp_neighbors(lldp_nbrs(live.lldp, live, kind, configured))
    if w == ["router", "route-table", "summary"]:
        live = await gather(twin, {"routes"})
        return text_route_summary(route_counts(live))
    if w == ["router", "route-table"]:
        live = await gather(twin, {"routes"}, full_routes=True)
        return text_route_table(live.routes or {}, conf, kind)
    return None  # not modelled: the CLI answers SR OS's "Unknown element"
