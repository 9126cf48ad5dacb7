"""Operational RPCs of the Junos twin, answered from the node's live control plane.

Every RPC is an async *gather* (FRR JSON through vtysh, the kernel through ``ip -j``, lldpd through
``lldpcli``) and a pure *render* (gathered data -> the XML Junos sends, element names, nesting,
namespaces and ``junos:style`` as in real replies). A data source that does not answer raises
:class:`OperError`, so the RPC fails with an rpc-error instead of reporting an empty device.

The CLI (``show ...``) and NETCONF ``<command>`` share :data:`COMMANDS`: a command is parsed into
the RPC it stands for and its arguments; ``fmt`` "xml" is the RPC reply body, "json" Junos's
``| display json`` form of it and "text" what the Junos CLI prints.
"""

from __future__ import annotations

import fnmatch
import functools
import ipaddress
import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lxml import etree

from fabric.twins import live
from fabric.vendors.junos.twin import control
from fabric.vendors.junos.twin.session import JUNOS_VERSION

if TYPE_CHECKING:
    from fabric.vendors.junos.twin.twin import JunosTwin

JUNOS_NS = f"http://xml.juniper.net/junos/{JUNOS_VERSION}/junos"
STYLE = f"{{{JUNOS_NS}}}style"
SECONDS = f"{{{JUNOS_NS}}}seconds"
FORMAT = f"{{{JUNOS_NS}}}format"


class OperError(Exception):
    """A live data source (FRR, kernel, lldpd) did not answer."""


def ns(module: str) -> str:
    return f"http://xml.juniper.net/junos/{JUNOS_VERSION}/{module}"


# ---- XML building ---------------------------------------------------------------------------
def _root(tag: str, module: str | None = None, style: str | None = None) -> Any:
    nsmap: dict[str | None, str] = {"junos": JUNOS_NS}
    if module:
        nsmap[None] = ns(module)
    el = etree.Element(f"{{{ns(module)}}}{tag}" if module else tag, nsmap=nsmap)  # type: ignore[dict-item]
    if style:
        el.set(STYLE, style)
    return el


def _sub(parent: Any, tag: str, text: Any = None, **attrs: str) -> Any:
    """A child in the parent's namespace (Junos puts a reply's elements in its root's namespace)."""
    uri = etree.QName(parent).namespace
    el = etree.SubElement(parent, f"{{{uri}}}{tag}" if uri else tag)
    for k, v in attrs.items():
        el.set(k, v)
    if text is not None:
        el.text = str(text)
    return el


def _xml(el: Any) -> str:
    return str(etree.tostring(el, encoding="unicode", pretty_print=True))


def _local(el: Any) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _arg(op: Any, name: str) -> str | None:
    """An RPC argument: a child element's text, or '' for a flag (``<terse/>``)."""
    if op is None:
        return None
    for c in op:
        if _local(c) == name.replace("_", "-"):
            return (c.text or "").strip()
    return None


def _dur(secs: float) -> str:
    """Junos's elapsed-time form: 1w2d3h, 2d 4:05:06, 4:05:06 or 5:06."""
    s = max(0, int(secs))
    w, r = divmod(s, 604800)
    d, r = divmod(r, 86400)
    h, r = divmod(r, 3600)
    m, sec = divmod(r, 60)
    if w:
        return f"{w}w{d}d{h}h"
    if d:
        return f"{d}d {h}:{m:02d}:{sec:02d}"
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def _stamp(t: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(t))


# ---- live sources ---------------------------------------------------------------------------
_frr_json = functools.partial(live.frr_json, error=OperError)
_ip_json = functools.partial(live.ip_json, error=OperError)
_lldp_json = functools.partial(live.lldp_json, error=OperError)


def _junos_name(linux: str) -> str | None:
    return control.to_junos(linux)


# ---- interfaces -----------------------------------------------------------------------------
@dataclass
class Iface:
    name: str  # ge-0/0/0, lo0, fxp0
    admin_up: bool
    oper_up: bool
    mtu: int  # IP MTU (the kernel's)
    index: int = 0
    mac: str = ""
    description: str = ""
    addresses: list[tuple[str, int]] = field(default_factory=list)  # (address, prefix length), v4 and v6
    stats: dict[str, int] = field(default_factory=dict)  # rx/tx bytes, packets, errors, dropped, multicast
    flapped: float = 0.0

    @property
    def loopback(self) -> bool:
        return self.name.startswith("lo")

    @property
    def media_mtu(self) -> str:
        return "Unlimited" if self.loopback else str(self.mtu + 14)


def parse_links(links: list[dict[str, Any]], descriptions: dict[str, str], boot: float) -> list[Iface]:
    """``ip -j -s -d addr show`` -> interfaces under their Junos names (the rest are not Junos's)."""
    out = []
    for lk in links:
        name = _junos_name(str(lk.get("ifname", "")))
        if name is None:
            continue
        flags = lk.get("flags", [])
        st = lk.get("stats64", {})
        rx, tx = st.get("rx", {}), st.get("tx", {})
        up = "UP" in flags
        out.append(
            Iface(
                name=name,
                admin_up=up,
                oper_up=up and ("LOWER_UP" in flags or name == "lo0"),
                mtu=int(lk.get("mtu", 1500)),
                index=int(lk.get("ifindex", 0)),
                mac=str(lk.get("address") or ""),
                description=descriptions.get(name, ""),
                addresses=[
                    (str(a["local"]), int(a["prefixlen"]))
                    for a in lk.get("addr_info", [])
                    if a.get("family") in ("inet", "inet6")
                    and "local" in a
                    and not str(a["local"]).startswith("fe80")
                ],
                stats={
                    "rx_bytes": rx.get("bytes", 0),
                    "rx_packets": rx.get("packets", 0),
                    "rx_errors": rx.get("errors", 0),
                    "rx_dropped": rx.get("dropped", 0),
                    "rx_multicast": rx.get("multicast", 0),
                    "tx_bytes": tx.get("bytes", 0),
                    "tx_packets": tx.get("packets", 0),
                    "tx_errors": tx.get("errors", 0),
                    "tx_dropped": tx.get("dropped", 0),
                },
                flapped=boot,
            )
        )
    return sorted(out, key=lambda i: _ifkey(i.name))


def _ifkey(name: str) -> tuple[int, int, str]:
    base = name.split(".")[0]
    if base.startswith(("ge-", "xe-", "et-")):
        return (0, int(base.rsplit("/", 1)[1]), name)
    return (1 if base == "lo0" else 2, 0, name)


async def gather_interfaces(twin: JunosTwin) -> list[Iface]:
    dev = twin.device()
    desc = {n: i.description for n, i in dev.interfaces.items() if i.description}
    return parse_links(await _ip_json(twin, "-s", "-d", "addr", "show"), desc, twin.boot_time)


def _matches(pattern: str | None, phys: str) -> bool:
    if not pattern:
        return True
    return fnmatch.fnmatchcase(phys, pattern) or fnmatch.fnmatchcase(f"{phys}.0", pattern)


def render_interfaces(ifaces: list[Iface], style: str = "normal", name: str | None = None) -> str:
    """``get-interface-information``: style normal | terse | detail | extensive."""
    root = _root("interface-information", "junos-interface", style)
    now = time.time()
    for i in ifaces:
        if not _matches(name, i.name):
            continue
        p = _sub(root, "physical-interface")
        _sub(p, "name", i.name)
        _sub(
            p,
            "admin-status",
            "up" if i.admin_up else "down",
            **({FORMAT: "Enabled" if i.admin_up else "Disabled"} if style != "terse" else {}),
        )
        _sub(p, "oper-status", "up" if i.oper_up else "down")
        if i.description and style != "terse":
            _sub(p, "description", i.description)
        if style != "terse":
            _sub(p, "local-index", i.index)
            _sub(p, "snmp-index", 500 + i.index)
            _sub(p, "if-type", "Loopback" if i.loopback else "Ethernet")
            _sub(p, "link-level-type", "Unspecified" if i.loopback else "Ethernet")
            _sub(p, "mtu", i.media_mtu)
            _sub(p, "speed", "Unspecified" if i.loopback else "1000mbps")
            flags = _sub(p, "if-device-flags")
            _sub(flags, "ifdf-present")
            _sub(flags, "ifdf-running")
            if i.loopback:
                _sub(flags, "ifdf-loopback")
            if not i.admin_up:
                _sub(flags, "ifdf-down")
            cfg = _sub(p, "if-config-flags")
            _sub(cfg, "iff-snmp-traps")
            if i.mac:
                _sub(p, "current-physical-address", i.mac)
                _sub(p, "hardware-physical-address", i.mac)
            _sub(
                p,
                "interface-flapped",
                f"{_stamp(i.flapped)} ({_dur(now - i.flapped)} ago)",
                **{SECONDS: str(int(now - i.flapped))},
            )
            _traffic(p, i, style)
        if i.addresses or not i.loopback or style != "terse":
            _logical(p, i, style)
    return _xml(root)


def _traffic(p: Any, i: Iface, style: str) -> None:
    s = i.stats
    detailed = style in ("detail", "extensive")
    ts = _sub(p, "traffic-statistics", **{STYLE: "verbose" if detailed else "brief"})
    if detailed:
        _sub(ts, "input-bytes", s["rx_bytes"])
        _sub(ts, "input-bps", 0)
        _sub(ts, "output-bytes", s["tx_bytes"])
        _sub(ts, "output-bps", 0)
    _sub(ts, "input-packets", s["rx_packets"])
    if detailed:
        _sub(ts, "input-pps", 0)
    _sub(ts, "output-packets", s["tx_packets"])
    if detailed:
        _sub(ts, "output-pps", 0)
    if style != "extensive":
        return
    ie = _sub(p, "input-error-list")
    _sub(ie, "input-errors", s["rx_errors"])
    _sub(ie, "input-drops", s["rx_dropped"])
    _sub(ie, "input-discards", s["rx_dropped"])
    oe = _sub(p, "output-error-list")
    _sub(oe, "carrier-transitions", 0)
    _sub(oe, "output-errors", s["tx_errors"])
    _sub(oe, "output-drops", s["tx_dropped"])
    if not i.loopback:
        em = _sub(p, "ethernet-mac-statistics", **{STYLE: "verbose"})
        _sub(em, "input-bytes", s["rx_bytes"])
        _sub(em, "output-bytes", s["tx_bytes"])
        _sub(em, "input-packets", s["rx_packets"])
        _sub(em, "output-packets", s["tx_packets"])
        _sub(em, "input-unicasts", max(0, s["rx_packets"] - s["rx_multicast"]))
        _sub(em, "output-unicasts", s["tx_packets"])
        _sub(em, "input-broadcasts", 0)
        _sub(em, "output-broadcasts", 0)
        _sub(em, "input-multicasts", s["rx_multicast"])
        _sub(em, "output-multicasts", 0)


def _logical(p: Any, i: Iface, style: str) -> None:
    lg = _sub(p, "logical-interface")
    _sub(lg, "name", f"{i.name}.0")
    _sub(
        lg,
        "admin-status" if style == "terse" else "local-index",
        ("up" if i.admin_up else "down") if style == "terse" else 1000 + i.index,
    )
    if style == "terse":
        _sub(lg, "oper-status", "up" if i.oper_up else "down")
    else:
        _sub(lg, "snmp-index", 1500 + i.index)
        flags = _sub(lg, "if-config-flags")
        if i.admin_up:
            _sub(flags, "iff-up")
        else:
            _sub(flags, "iff-down")
        _sub(flags, "iff-snmp-traps")
        _sub(lg, "encapsulation", "Unspecified" if i.loopback else "ENET2")
        ts = _sub(lg, "traffic-statistics", **{STYLE: "brief", f"{{{JUNOS_NS}}}indent": "16"})
        _sub(ts, "input-packets", i.stats["rx_packets"])
        _sub(ts, "output-packets", i.stats["tx_packets"])
    for fam, addrs in (
        ("inet", [a for a in i.addresses if ":" not in a[0]]),
        ("inet6", [a for a in i.addresses if ":" in a[0]]),
    ):
        if not addrs:
            continue
        af = _sub(lg, "address-family")
        _sub(af, "address-family-name", fam)
        if style != "terse":
            _sub(af, "mtu", "Unlimited" if i.loopback else i.mtu)
            aff = _sub(af, "address-family-flags")
            _sub(aff, "ifff-is-primary")
        for addr, plen in addrs:
            ia = _sub(af, "interface-address")
            if style == "terse":
                _sub(ia, "ifa-local", f"{addr}/{plen}", **{f"{{{JUNOS_NS}}}emit": "emit"})
                continue
            fl = _sub(ia, "ifa-flags")
            _sub(fl, "ifaf-current-preferred")
            _sub(fl, "ifaf-current-primary")
            net = ipaddress.ip_interface(f"{addr}/{plen}").network
            if not (i.loopback and plen in (32, 128)):
                _sub(ia, "ifa-destination", str(net))
            _sub(ia, "ifa-local", addr)
            if fam == "inet" and not i.loopback and plen < 31:
                _sub(ia, "ifa-broadcast", str(net.broadcast_address))


def text_interfaces(xml: str, style: str) -> str:
    root = etree.fromstring(xml.encode())
    if style == "terse":
        lines = [f"{'Interface':<24}{'Admin':<6}{'Link':<5}{'Proto':<7}{'Local':<28}Remote"]
        for p in _kids(root, "physical-interface"):
            lines.append(f"{_t(p, 'name'):<24}{_t(p, 'admin-status'):<6}{_t(p, 'oper-status')}")
            for lg in _kids(p, "logical-interface"):
                fams = _kids(lg, "address-family") or [None]
                for n, af in enumerate(fams):
                    addrs = (
                        [_t(a, "ifa-local") for a in _kids(af, "interface-address")] if af is not None else []
                    )
                    head = (
                        f"{_t(lg, 'name'):<24}{_t(lg, 'admin-status'):<6}{_t(lg, 'oper-status'):<5}"
                        if n == 0
                        else " " * 35
                    )
                    fam = _t(af, "address-family-name") if af is not None else ""
                    lines.append(f"{head}{fam:<7}{addrs[0] if addrs else ''}".rstrip())
                    lines += [" " * 42 + a for a in addrs[1:]]
        return "\n".join(lines) + "\n"
    out = []
    for p in _kids(root, "physical-interface"):
        admin = "Enabled" if _t(p, "admin-status") == "up" else "Administratively down"
        out.append(
            f"Physical interface: {_t(p, 'name')}, {admin}, Physical link is "
            f"{_t(p, 'oper-status').capitalize()}"
        )
        out.append(f"  Interface index: {_t(p, 'local-index')}, SNMP ifIndex: {_t(p, 'snmp-index')}")
        if _t(p, "description"):
            out.append(f"  Description: {_t(p, 'description')}")
        out.append(
            f"  Link-level type: {_t(p, 'link-level-type')}, MTU: {_t(p, 'mtu')}, Speed: {_t(p, 'speed')}"
        )
        if _t(p, "current-physical-address"):
            out.append(
                f"  Current address: {_t(p, 'current-physical-address')}, Hardware address: "
                f"{_t(p, 'hardware-physical-address')}"
            )
        out.append(f"  Last flapped   : {_t(p, 'interface-flapped')}")
        ts = _kid(p, "traffic-statistics")
        if ts is not None:
            out.append(f"  Input packets : {_t(ts, 'input-packets')}")
            out.append(f"  Output packets: {_t(ts, 'output-packets')}")
        for lg in _kids(p, "logical-interface"):
            out.append(f"\n  Logical interface {_t(lg, 'name')} (Index {_t(lg, 'local-index')})")
            for af in _kids(lg, "address-family"):
                out.append(f"    Protocol {_t(af, 'address-family-name')}, MTU: {_t(af, 'mtu')}")
                for a in _kids(af, "interface-address"):
                    dest = f"Destination: {_t(a, 'ifa-destination')}, " if _t(a, "ifa-destination") else ""
                    out.append(
                        f"      Addresses, Flags: Is-Preferred Is-Primary\n        {dest}"
                        f"Local: {_t(a, 'ifa-local')}"
                    )
        out.append("")
    return "\n".join(out)


def _kids(el: Any, name: str) -> list[Any]:
    return [c for c in el if _local(c) == name] if el is not None else []


def _kid(el: Any, name: str) -> Any:
    k = _kids(el, name)
    return k[0] if k else None


def _t(el: Any, name: str) -> str:
    k = _kid(el, name)
    return (k.text or "").strip() if k is not None else ""


# ---- LLDP -----------------------------------------------------------------------------------
@dataclass
class LldpNbr:
    local: str  # ge-0/0/0
    chassis_id: str
    chassis_type: str  # lldpd's: mac, ip, local ...
    port_id: str
    port_type: str  # ifname, mac, local ...
    port_descr: str
    system_name: str
    system_descr: str = ""
    caps: list[tuple[str, bool]] = field(default_factory=list)
    mgmt_ip: str = ""
    ttl: int = 120


def _first(x: Any) -> Any:
    return x[0] if isinstance(x, list) and x else x


def _v(x: Any) -> str:
    x = _first(x)
    if isinstance(x, dict):
        return str(x.get("value", ""))
    return "" if x is None else str(x)


def parse_lldp(data: dict[str, Any]) -> list[LldpNbr]:
    """``lldpcli -f json0 show neighbors details`` -> neighbors under the Junos port names."""
    out = []
    root = _first(data.get("lldp", [{}])) if isinstance(data, dict) else {}
    for itf in (root or {}).get("interface", []) or []:
        local = _junos_name(str(itf.get("name", "")))
        if not local or local == "fxp0":
            continue
        ch = _first(itf.get("chassis", [{}])) or {}
        pt = _first(itf.get("port", [{}])) or {}
        cid, pid = _first(ch.get("id", [{}])) or {}, _first(pt.get("id", [{}])) or {}
        caps = [(str(c.get("type", "")), bool(c.get("enabled"))) for c in ch.get("capability", []) or []]
        ttl = _v(pt.get("ttl")) or _v(itf.get("ttl"))
        out.append(
            LldpNbr(
                local=local,
                chassis_id=str(cid.get("value", "")),
                chassis_type=str(cid.get("type", "")),
                port_id=str(pid.get("value", "")),
                port_type=str(pid.get("type", "")),
                port_descr=_v(pt.get("descr")),
                system_name=_v(ch.get("name")),
                system_descr=_v(ch.get("descr")),
                caps=caps,
                mgmt_ip=_v(ch.get("mgmt-ip")),
                ttl=int(ttl) if ttl.isdigit() else 120,
            )
        )
    return sorted(out, key=lambda n: _ifkey(n.local))


async def gather_lldp(twin: JunosTwin) -> list[LldpNbr]:
    return parse_lldp(await _lldp_json(twin))


_ID_TYPE = {
    "mac": "Mac address",
    "ifname": "Interface name",
    "local": "Locally assigned",
    "ip": "Network address",
    "ifalias": "Interface alias",
}


def render_lldp(nbrs: list[LldpNbr], interface: str | None = None) -> str:
    """``get-lldp-neighbors-information`` (brief); ``get-lldp-interface-neighbors``: one port, detail."""
    root = _root("lldp-neighbors-information", None, "detail" if interface is not None else "brief")
    for n, nb in enumerate(nbrs, 1):
        if interface is not None and interface.split(".")[0] != nb.local:
            continue
        e = _sub(root, "lldp-neighbor-information")
        if interface is not None:
            _sub(e, "lldp-index", n)
            _sub(e, "lldp-ttl", nb.ttl)
        _sub(e, "lldp-local-port-id", nb.local)
        _sub(e, "lldp-local-parent-interface-name", "-")
        _sub(e, "lldp-remote-chassis-id-subtype", _ID_TYPE.get(nb.chassis_type, nb.chassis_type))
        _sub(e, "lldp-remote-chassis-id", nb.chassis_id)
        _sub(e, "lldp-remote-port-id-subtype", _ID_TYPE.get(nb.port_type, nb.port_type))
        _sub(e, "lldp-remote-port-id", nb.port_id)
        if nb.port_descr:
            _sub(e, "lldp-remote-port-description", nb.port_descr)
        _sub(e, "lldp-remote-system-name", nb.system_name)
        if interface is None:
            continue
        sd = _sub(e, "lldp-system-description")
        _sub(sd, "lldp-remote-system-description", nb.system_descr)
        _sub(e, "lldp-remote-system-capabilities-supported", " ".join(_cap(c) for c, _ in nb.caps))
        _sub(e, "lldp-remote-system-capabilities-enabled", " ".join(_cap(c) for c, on in nb.caps if on))
        if nb.mgmt_ip:
            _sub(e, "lldp-remote-management-address", nb.mgmt_ip)
    return _xml(root)


def _cap(c: str) -> str:
    return {"Wlan": "WLAN Access Point", "Station": "Station Only"}.get(c, c)


def text_lldp(xml: str) -> str:
    root = etree.fromstring(xml.encode())
    lines = [f"{'Local Interface':<19}{'Parent Interface':<19}{'Chassis Id':<20}{'Port info':<17}System Name"]
    for e in _kids(root, "lldp-neighbor-information"):
        port = _t(e, "lldp-remote-port-description") or _t(e, "lldp-remote-port-id")
        lines.append(
            f"{_t(e, 'lldp-local-port-id'):<19}{'-':<19}{_t(e, 'lldp-remote-chassis-id'):<20}"
            f"{port:<17}{_t(e, 'lldp-remote-system-name')}"
        )
    return "\n".join(lines) + "\n"


# ---- BGP ------------------------------------------------------------------------------------
@dataclass
class BgpPeer:
    address: str
    peer_as: str
    local_as: str
    state: str  # Established, Active, Idle, Connect, OpenSent, OpenConfirm
    group: str = ""
    external: bool = True
    description: str = ""
    local_address: str = ""
    peer_port: int = 0
    local_port: int = 0
    peer_id: str = ""
    local_id: str = ""
    last_state: str = ""
    last_error: str = ""
    shutdown: bool = False
    flaps: int = 0
    elapsed: int = 0  # seconds in this state
    holdtime: int = 90
    keepalive: int = 30
    in_msgs: int = 0
    out_msgs: int = 0
    in_updates: int = 0
    out_updates: int = 0
    out_queue: int = 0
    received: int = 0
    accepted: int = 0
    active: int = 0
    advertised: int = 0
    bfd: bool = False
    imports: list[str] = field(default_factory=list)
    exports: list[str] = field(default_factory=list)


_FSM = ("Established", "OpenConfirm", "OpenSent", "Active", "Connect", "Idle")


def _fsm(s: str) -> str:
    return next((k for k in _FSM if s.startswith(k)), "Idle")


def parse_bgp(neighbors: dict[str, Any], summary: dict[str, Any], dev: control.Device) -> list[BgpPeer]:
    """``show bgp vrf all neighbors json`` + ``... summary json`` (default VRF: Junos's master) -> peers."""
    cfg = {n.ip: n for n in dev.neighbors}
    peers = []
    v = neighbors.get("default", {}) if isinstance(neighbors, dict) else {}
    sm = ((summary or {}).get("default") or {}).get("ipv4Unicast") or {}
    for ip, n in v.items():
        if not isinstance(n, dict) or "remoteAs" not in n:
            continue
        c = cfg.get(ip)
        state = _fsm(str(n.get("bgpState", "Idle")))
        af = (n.get("addressFamilyInfo") or {}).get("ipv4Unicast") or {}
        ms = n.get("messageStats") or {}
        sp = (sm.get("peers") or {}).get(ip, {})
        up = state == "Established"
        elapsed = (
            int(n.get("bgpTimerUpMsec", 0)) // 1000 if up else int(n.get("lastResetTimerMsecs", 0)) // 1000
        )
        peers.append(
            BgpPeer(
                address=ip,
                peer_as=str(n.get("remoteAs")),
                local_as=str(n.get("localAs", dev.asn or "")),
                state=state,
                group=c.group if c else "",
                external=n.get("remoteAs") != n.get("localAs"),
                description=str(n.get("nbrDesc") or (c.description if c else "")),
                local_address=str(n.get("hostLocal") or (c.local_address if c and c.local_address else "")),
                peer_port=int(n.get("portForeign", 0)),
                local_port=int(n.get("portLocal", 0)),
                peer_id=str(n.get("remoteRouterId", "")) if up else "",
                local_id=str(n.get("localRouterId") or sm.get("routerId") or dev.router_id or ""),
                last_state="OpenConfirm" if up else "Idle",
                last_error=str(n.get("lastNotificationReason") or n.get("lastResetDueTo") or "None"),
                shutdown=bool(n.get("adminShutDown")) or "Admin" in str(n.get("bgpState", "")),
                flaps=int(n.get("connectionsDropped", 0)),
                elapsed=elapsed,
                holdtime=int(n.get("bgpTimerHoldTimeMsec") or 90000) // 1000,
                keepalive=int(n.get("bgpTimerKeepAliveIntervalMsec") or 30000) // 1000,
                in_msgs=int(ms.get("totalRecv", sp.get("msgRcvd", 0))),
                out_msgs=int(ms.get("totalSent", sp.get("msgSent", 0))),
                in_updates=int(ms.get("updatesRecv", 0)),
                out_updates=int(ms.get("updatesSent", 0)),
                out_queue=int(sp.get("outq", 0)),
                received=int(af.get("acceptedPrefixCounter", sp.get("pfxRcd", 0))),
                accepted=int(af.get("acceptedPrefixCounter", sp.get("pfxRcd", 0))),
                active=int(af.get("acceptedPrefixCounter", sp.get("pfxRcd", 0))),
                advertised=int(af.get("sentPrefixCounter", sp.get("pfxSnt", 0))),
                bfd=bool(n.get("peerBfdInfo")) or (c is not None and c.bfd is not None),
                imports=c.imports if c else [],
                exports=c.exports if c else [],
            )
        )
    return sorted(peers, key=lambda p: ipaddress.ip_address(p.address))


async def gather_bgp(twin: JunosTwin) -> list[BgpPeer]:
    dev = twin.device()
    if not dev.neighbors:
        return []
    neighbors = await _frr_json(twin, "show bgp vrf all neighbors json")
    summary = await _frr_json(twin, "show bgp vrf all summary json")
    return parse_bgp(neighbors, summary, dev)


def _wanted_instance(instance: str | None) -> bool:
    return instance in (None, "", "master")


def render_bgp_neighbors(
    peers: list[BgpPeer], address: str | None = None, instance: str | None = None
) -> str:
    """``get-bgp-neighbor-information`` (``show bgp neighbor``): one detail ``bgp-peer`` per peer."""
    root = _root("bgp-information", "junos-routing")
    for p in peers if _wanted_instance(instance) else []:
        if address and address != p.address:
            continue
        up = p.state == "Established"
        e = _sub(root, "bgp-peer", **{STYLE: "detail"})
        _sub(e, "peer-address", f"{p.address}+{p.peer_port}" if up and p.peer_port else p.address)
        _sub(e, "peer-as", p.peer_as)
        if p.local_address:
            _sub(
                e,
                "local-address",
                f"{p.local_address}+{p.local_port}" if up and p.local_port else p.local_address,
            )
        _sub(e, "local-as", p.local_as)
        if p.description:
            _sub(e, "description", p.description)
        _sub(e, "peer-group", p.group)
        _sub(e, "peer-cfg-rti", "master")
        _sub(e, "peer-fwd-rti", "master")
        _sub(e, "peer-type", "External" if p.external else "Internal")
        _sub(e, "peer-state", p.state)
        _sub(e, "peer-flags", "Sync" if up else "")
        _sub(e, "last-state", p.last_state)
        _sub(e, "last-event", "RecvKeepAlive" if up else "Start")
        _sub(e, "last-error", p.last_error)
        bo = _sub(e, "bgp-option-information")
        if p.exports:
            _sub(bo, "export-policy", " ".join(p.exports))
        if p.imports:
            _sub(bo, "import-policy", " ".join(p.imports))
        opts = ["Preference", "PeerAS", "Refresh"] + (["LocalAddress"] if p.local_address else [])
        _sub(bo, "bgp-options", " ".join(opts))
        _sub(bo, "bgp-options2")
        if p.shutdown:
            _sub(bo, "bgp-options-extended", "Shutdown")
        _sub(bo, "holdtime", p.holdtime)
        _sub(bo, "preference", 170)
        _sub(e, "flap-count", p.flaps)
        if not up:
            continue
        _sub(e, "peer-id", p.peer_id)
        _sub(e, "local-id", p.local_id)
        _sub(e, "active-holdtime", p.holdtime)
        _sub(e, "keepalive-interval", p.keepalive)
        bfd = _sub(e, "bgp-bfd")
        _sub(bfd, "bfd-configuration-state", "enabled" if p.bfd else "disabled")
        _sub(bfd, "bfd-operational-state", "up" if p.bfd else "down")
        _sub(e, "nlri-type-peer", "inet-unicast")
        _sub(e, "nlri-type-session", "inet-unicast")
        _sub(e, "peer-4byte-as-capability-advertised", p.peer_as)
        _sub(e, "peer-addpath-not-supported")
        rib = _sub(e, "bgp-rib", **{STYLE: "detail"})
        _sub(rib, "name", "inet.0")
        _sub(rib, "send-state", "in sync")
        _sub(rib, "active-prefix-count", p.active)
        _sub(rib, "received-prefix-count", p.received)
        _sub(rib, "accepted-prefix-count", p.accepted)
        _sub(rib, "suppressed-prefix-count", 0)
        _sub(rib, "advertised-prefix-count", p.advertised)
        _sub(e, "input-messages", p.in_msgs)
        _sub(e, "input-updates", p.in_updates)
        _sub(e, "output-messages", p.out_msgs)
        _sub(e, "output-updates", p.out_updates)
        q = _sub(e, "bgp-output-queue")
        _sub(q, "number", 0)
        _sub(q, "count", p.out_queue)
    return _xml(root)


def render_bgp_summary(peers: list[BgpPeer], instance: str | None = None) -> str:
    """``get-bgp-summary-information`` (``show bgp summary``)."""
    root = _root("bgp-information", "junos-routing")
    peers = peers if _wanted_instance(instance) else []
    groups = {p.group for p in peers}
    _sub(root, "group-count", len(groups))
    _sub(root, "peer-count", len(peers))
    _sub(root, "down-peer-count", sum(p.state != "Established" for p in peers))
    if peers:
        rib = _sub(root, "bgp-rib", **{STYLE: "brief"})
        _sub(rib, "name", "inet.0")
        total = sum(p.received for p in peers)
        active = sum(p.active for p in peers)
        ext = sum(p.received for p in peers if p.external)
        for tag, val in (
            ("total-prefix-count", total),
            ("received-prefix-count", total),
            ("accepted-prefix-count", total),
            ("active-prefix-count", active),
            ("suppressed-prefix-count", 0),
            ("history-prefix-count", 0),
            ("damped-prefix-count", 0),
            ("total-external-prefix-count", ext),
            ("active-external-prefix-count", sum(p.active for p in peers if p.external)),
            ("accepted-external-prefix-count", ext),
            ("suppressed-external-prefix-count", 0),
            ("total-internal-prefix-count", total - ext),
            ("active-internal-prefix-count", sum(p.active for p in peers if not p.external)),
            ("accepted-internal-prefix-count", total - ext),
            ("suppressed-internal-prefix-count", 0),
            ("pending-prefix-count", 0),
        ):
            _sub(rib, tag, val)
        _sub(rib, "bgp-rib-state", "BGP restart is complete")
    for p in peers:
        e = _sub(root, "bgp-peer", **{STYLE: "terse"})
        _sub(e, "peer-address", p.address)
        _sub(e, "peer-as", p.peer_as)
        _sub(e, "input-messages", p.in_msgs)
        _sub(e, "output-messages", p.out_msgs)
        _sub(e, "route-queue-count", p.out_queue)
        _sub(e, "flap-count", p.flaps)
        _sub(e, "elapsed-time", _dur(p.elapsed), **{SECONDS: str(p.elapsed)})
        _sub(e, "peer-state", p.state, **({FORMAT: "Establ"} if p.state == "Established" else {}))
        if p.state == "Established":
            r = _sub(e, "bgp-rib", **{STYLE: "terse"})
            _sub(r, "name", "inet.0")
            _sub(r, "active-prefix-count", p.active)
            _sub(r, "received-prefix-count", p.received)
            _sub(r, "accepted-prefix-count", p.accepted)
            _sub(r, "suppressed-prefix-count", 0)
    return _xml(root)


def text_bgp_summary(xml: str) -> str:
    root = etree.fromstring(xml.encode())
    lines = [
        f"Groups: {_t(root, 'group-count')} Peers: {_t(root, 'peer-count')} "
        f"Down peers: {_t(root, 'down-peer-count')}"
    ]
    rib = _kid(root, "bgp-rib")
    if rib is not None:
        lines += [
            "Table          Tot Paths  Act Paths Suppressed    History Damp State    Pending",
            f"{_t(rib, 'name'):<15}{_t(rib, 'total-prefix-count'):>9}{_t(rib, 'active-prefix-count'):>11}"
            f"{0:>11}{0:>11}{0:>11}{0:>11}",
        ]
    lines.append(
        "Peer                     AS      InPkt     OutPkt    OutQ   Flaps Last Up/Dwn "
        "State|#Active/Received/Accepted/Damped..."
    )
    for p in _kids(root, "bgp-peer"):
        r = _kid(p, "bgp-rib")
        st = (
            (
                f"Establ\n  {_t(r, 'name')}: {_t(r, 'active-prefix-count')}/{_t(r, 'received-prefix-count')}/"
                f"{_t(r, 'accepted-prefix-count')}/0"
            )
            if r is not None
            else _t(p, "peer-state")
        )
        lines.append(
            f"{_t(p, 'peer-address'):<19}{_t(p, 'peer-as'):>10}{_t(p, 'input-messages'):>11}"
            f"{_t(p, 'output-messages'):>11}{_t(p, 'route-queue-count'):>8}{_t(p, 'flap-count'):>8} "
            f"{_t(p, 'elapsed-time'):>11} {st}"
        )
    return "\n".join(lines) + "\n"


def text_bgp_neighbors(xml: str) -> str:
    root = etree.fromstring(xml.encode())
    out = []
    for p in _kids(root, "bgp-peer"):
        out.append(
            f"Peer: {_t(p, 'peer-address')} AS {_t(p, 'peer-as')} Local: {_t(p, 'local-address')} "
            f"AS {_t(p, 'local-as')}"
        )
        if _t(p, "description"):
            out.append(f"  Description: {_t(p, 'description')}")
        out.append(f"  Group: {_t(p, 'peer-group')}  Routing-Instance: master")
        out.append(
            f"  Type: {_t(p, 'peer-type')}    State: {_t(p, 'peer-state')}    Flags: <{_t(p, 'peer-flags')}>"
        )
        out.append(f"  Last State: {_t(p, 'last-state')}   Last Event: {_t(p, 'last-event')}")
        out.append(f"  Last Error: {_t(p, 'last-error')}")
        bo = _kid(p, "bgp-option-information")
        if _t(bo, "export-policy"):
            out.append(f"  Export: [ {_t(bo, 'export-policy')} ]")
        if _t(bo, "import-policy"):
            out.append(f"  Import: [ {_t(bo, 'import-policy')} ]")
        out.append(f"  Holdtime: {_t(bo, 'holdtime')} Preference: 170")
        out.append(f"  Number of flaps: {_t(p, 'flap-count')}")
        if _t(p, "peer-id"):
            out.append(
                f"  Peer ID: {_t(p, 'peer-id'):<15} Local ID: {_t(p, 'local-id'):<15} "
                f"Active Holdtime: {_t(p, 'active-holdtime')}"
            )
            r = _kid(p, "bgp-rib")
            out.append(
                f"  Table {_t(r, 'name')} Bit: 20000\n    Send state: in sync\n"
                f"    Active prefixes:              {_t(r, 'active-prefix-count')}\n"
                f"    Received prefixes:            {_t(r, 'received-prefix-count')}\n"
                f"    Accepted prefixes:            {_t(r, 'accepted-prefix-count')}\n"
                f"    Advertised prefixes:          {_t(r, 'advertised-prefix-count')}"
            )
            out.append(
                f"  Input messages:  Total {_t(p, 'input-messages')}\tUpdates {_t(p, 'input-updates')}"
            )
            out.append(
                f"  Output messages: Total {_t(p, 'output-messages')}\tUpdates {_t(p, 'output-updates')}"
            )
        out.append("")
    return "\n".join(out)


def render_instances(routes_active: int) -> str:
    """``get-instance-information`` (``show route instance``): the master instance only (no VRFs yet)."""
    root = _root("instance-information", "junos-routing", "terse")
    core = _sub(root, "instance-core")
    _sub(core, "instance-name", "master")
    _sub(core, "instance-type", "forwarding")
    rib = _sub(core, "instance-rib")
    _sub(rib, "irib-name", "inet.0")
    _sub(rib, "irib-active-count", routes_active)
    _sub(rib, "irib-holddown-count", 0)
    _sub(rib, "irib-hidden-count", 0)
    return _xml(root)


# ---- routes ---------------------------------------------------------------------------------
@dataclass
class Route:
    prefix: str
    protocol: str  # Junos: Direct, Local, Static, OSPF, IS-IS, BGP, Kernel
    preference: int
    metric: int
    active: bool
    age: int = 0
    nexthops: list[tuple[str, str]] = field(default_factory=list)  # (to, via), either may be ""
    as_path: str = ""


_PROTO = {
    "connected": "Direct",
    "local": "Local",
    "static": "Static",
    "ospf": "OSPF",
    "isis": "IS-IS",
    "bgp": "BGP",
    "kernel": "Kernel",
}
_PREF = {"Direct": 0, "Local": 0, "Static": 5, "OSPF": 10, "IS-IS": 18, "BGP": 170, "Kernel": 254}


def _uptime(s: str) -> int:
    """FRR's route uptime ('00:01:02', '1d02h03m', '01w2d03h') -> seconds."""
    if ":" in s:
        parts = [int(x) for x in s.split(":") if x.isdigit()]
        return sum(v * m for v, m in zip(reversed(parts), (1, 60, 3600), strict=False))
    total, num = 0, ""
    for ch in s:
        if ch.isdigit():
            num += ch
        elif num:
            total += int(num) * {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}.get(ch, 0)
            num = ""
    return total


def parse_routes(data: dict[str, Any]) -> list[Route]:
    """``show ip route json`` -> routes (Junos protocol names and default preferences)."""
    out = []
    for pfx, lst in (data or {}).items():
        for r in lst if isinstance(lst, list) else []:
            proto = _PROTO.get(str(r.get("protocol", "")), str(r.get("protocol", "")).upper())
            nhs = []
            for nh in r.get("nexthops", []):
                if r.get("selected") and not nh.get("active", True):
                    continue
                via = str(nh.get("interfaceName", ""))
                nhs.append((str(nh.get("ip", "")), f"{_junos_name(via) or via}.0" if via else ""))
            out.append(
                Route(
                    prefix=pfx,
                    protocol=proto,
                    preference=_PREF.get(proto, int(r.get("distance", 0))),
                    metric=int(r.get("metric", 0)),
                    active=bool(r.get("selected")),
                    age=_uptime(str(r.get("uptime", ""))),
                    nexthops=nhs,
                )
            )
    return sorted(out, key=lambda r: (ipaddress.ip_network(r.prefix, strict=False), not r.active))


async def gather_routes(twin: JunosTwin) -> list[Route]:
    return parse_routes(await _frr_json(twin, "show ip route json"))


def render_routes(
    routes: list[Route], destination: str | None = None, protocol: str | None = None, detail: bool = False
) -> str:
    """``get-route-information`` (``show route``): inet.0."""
    root = _root("route-information", "junos-routing")
    sel = [
        r
        for r in routes
        if (not destination or _covers(r.prefix, destination))
        and (
            not protocol
            or r.protocol.lower() == protocol.lower()
            or (protocol == "direct" and r.protocol == "Direct")
        )
    ]
    tbl = _route_table(root, routes)
    by_pfx: dict[str, list[Route]] = {}
    for r in sel:
        by_pfx.setdefault(r.prefix, []).append(r)
    for pfx, rs in by_pfx.items():
        rt = _sub(tbl, "rt", **{STYLE: "detail" if detail else "brief"})
        if detail:  # detail/extensive split the prefix, the brief form keeps it whole
            _sub(rt, "rt-destination", pfx.split("/")[0])
            _sub(rt, "rt-prefix-length", pfx.split("/")[1] if "/" in pfx else "32")
        else:
            _sub(rt, "rt-destination", pfx)
        for r in rs:
            e = _sub(rt, "rt-entry")
            _sub(e, "active-tag", "*" if r.active else "")
            if r.active:
                _sub(e, "current-active")
                _sub(e, "last-active")
            _sub(e, "protocol-name", r.protocol)
            _sub(e, "preference", r.preference)
            if r.protocol not in ("Direct", "Local"):
                _sub(e, "metric", r.metric)
            _sub(e, "age", _dur(r.age), **{SECONDS: str(r.age)})
            for n, (to, via) in enumerate(r.nexthops):
                nh = _sub(e, "nh")
                if n == 0 and r.active:
                    _sub(nh, "selected-next-hop")
                if to:
                    _sub(nh, "to", to)
                if via:
                    _sub(nh, "via", via)
    return _xml(root)


def _covers(prefix: str, destination: str) -> bool:
    try:
        net = ipaddress.ip_network(prefix, strict=False)
        if "/" in destination:
            return net == ipaddress.ip_network(destination, strict=False)
        return ipaddress.ip_address(destination) in net
    except ValueError:
        return False


def text_routes(xml: str) -> str:
    root = etree.fromstring(xml.encode())
    out = []
    for tbl in _kids(root, "route-table"):
        out.append(
            f"\n{_t(tbl, 'table-name')}: {_t(tbl, 'destination-count')} destinations, "
            f"{_t(tbl, 'total-route-count')} routes ({_t(tbl, 'active-route-count')} active, 0 holddown, "
            "0 hidden)\n+ = Active Route, - = Last Active, * = Both\n"
        )
        for rt in _kids(tbl, "rt"):
            dest = _t(rt, "rt-destination") + (
                f"/{_t(rt, 'rt-prefix-length')}" if _t(rt, "rt-prefix-length") else ""
            )
            for n, e in enumerate(_kids(rt, "rt-entry")):
                head = dest if n == 0 else ""
                tag = "*" if _kid(e, "current-active") is not None else " "
                out.append(
                    f"{head:<19}{tag}[{_t(e, 'protocol-name')}/{_t(e, 'preference')}] "
                    f"{_t(e, 'age')}" + (f", metric {_t(e, 'metric')}" if _t(e, "metric") else "")
                )
                for nh in _kids(e, "nh"):
                    sel = ">" if _kid(nh, "selected-next-hop") is not None else " "
                    to = f"to {_t(nh, 'to')} " if _t(nh, "to") else ""
                    out.append(f"{'':<20}{sel}  {to}via {_t(nh, 'via')}")
    return "\n".join(out) + "\n"


def _route_table(root: Any, routes: list[Route]) -> Any:
    """The ``route-table`` element with inet.0's counts, as both route RPCs open it."""
    tbl = _sub(root, "route-table")
    _sub(tbl, "table-name", "inet.0")
    _sub(tbl, "destination-count", len({r.prefix for r in routes}))
    _sub(tbl, "total-route-count", len(routes))
    _sub(tbl, "active-route-count", sum(r.active for r in routes))
    _sub(tbl, "holddown-route-count", 0)
    _sub(tbl, "hidden-route-count", 0)
    return tbl


def render_route_summary(routes: list[Route], router_id: str | None, asn: str | None) -> str:
    """``get-route-summary-information`` (``show route summary``)."""
    root = _root("route-summary-information", "junos-routing")
    if asn:
        _sub(root, "as-number", asn)
    if router_id:
        _sub(root, "router-id", router_id)
    tbl = _route_table(root, routes)
    protos: dict[str, list[Route]] = {}
    for r in routes:
        protos.setdefault(r.protocol, []).append(r)
    for name in sorted(protos):
        ps = _sub(tbl, "protocols")
        _sub(ps, "protocol-name", name)
        _sub(ps, "protocol-route-count", len(protos[name]))
        _sub(ps, "active-route-count", sum(r.active for r in protos[name]))
    return _xml(root)


def text_route_summary(xml: str) -> str:
    root = etree.fromstring(xml.encode())
    out = []
    if _t(root, "as-number"):
        out.append(f"Autonomous system number: {_t(root, 'as-number')}")
    if _t(root, "router-id"):
        out.append(f"Router ID: {_t(root, 'router-id')}")
    for tbl in _kids(root, "route-table"):
        out.append(
            f"\n{_t(tbl, 'table-name')}: {_t(tbl, 'destination-count')} destinations, "
            f"{_t(tbl, 'total-route-count')} routes ({_t(tbl, 'active-route-count')} active, 0 holddown, "
            "0 hidden)"
        )
        for ps in _kids(tbl, "protocols"):
            out.append(
                f"{_t(ps, 'protocol-name'):>17}: {_t(ps, 'protocol-route-count'):>8} routes, "
                f"{_t(ps, 'active-route-count'):>8} active"
            )
    return "\n".join(out) + "\n"


# ---- OSPF / IS-IS / BFD ---------------------------------------------------------------------
@dataclass
class OspfNbr:
    address: str
    interface: str  # ge-0/0/0.0
    state: str  # Full, 2Way, Init, ExStart ...
    router_id: str
    priority: int = 128
    dead: int = 40
    area: str = ""
    up: int = 0


_OSPF_STATE = {
    "full": "Full",
    "2-way": "2Way",
    "twoway": "2Way",
    "init": "Init",
    "down": "Down",
    "exstart": "ExStart",
    "exchange": "Exchange",
    "loading": "Loading",
    "attempt": "Attempt",
}


def parse_ospf(neighbors: dict[str, Any], interfaces: dict[str, Any]) -> list[OspfNbr]:
    """``show ip ospf neighbor json`` + ``show ip ospf interface json`` (for the area)."""
    areas = {
        n: str(i.get("area", "")).split()[0]
        for n, i in (interfaces.get("interfaces") or {}).items()
        if isinstance(i, dict) and i.get("area")
    }
    out = []
    for rid, lst in (neighbors.get("neighbors") or {}).items():
        for n in lst if isinstance(lst, list) else [lst]:
            ifname = str(n.get("ifaceName", "")).split(":")[0]
            state = str(n.get("nbrState") or n.get("state") or "").split("/")[0]
            out.append(
                OspfNbr(
                    address=str(n.get("ifaceAddress") or n.get("address") or ""),
                    interface=f"{_junos_name(ifname) or ifname}.0",
                    state=_OSPF_STATE.get(state.lower(), state),
                    router_id=rid,
                    priority=int(n.get("nbrPriority", n.get("priority", 128))),
                    dead=int(n.get("routerDeadIntervalTimerDueMsec", n.get("deadTimeMsecs", 40000))) // 1000,
                    area=areas.get(ifname, ""),
                    up=int(n.get("upTimeInMsec", 0)) // 1000,
                )
            )
    return sorted(out, key=lambda n: (_ifkey(n.interface), n.router_id))


async def gather_ospf(twin: JunosTwin) -> list[OspfNbr] | None:
    if twin.device().ospf is None:
        return None
    return parse_ospf(
        await _frr_json(twin, "show ip ospf neighbor json"),
        await _frr_json(twin, "show ip ospf interface json"),
    )


def render_ospf(nbrs: list[OspfNbr] | None, detail: bool = False) -> str:
    """``get-ospf-neighbor-information``; None: OSPF does not run (Junos then says so)."""
    root = _root("ospf-neighbor-information", "junos-routing")
    if nbrs is None:
        return _xml(root)
    for n in nbrs:
        e = _sub(root, "ospf-neighbor")
        _sub(e, "neighbor-address", n.address)
        _sub(e, "interface-name", n.interface)
        _sub(e, "ospf-neighbor-state", n.state)
        _sub(e, "neighbor-id", n.router_id)
        _sub(e, "neighbor-priority", n.priority)
        _sub(e, "activity-timer", n.dead)
        if detail:
            _sub(e, "ospf-area", n.area)
            _sub(e, "options", "0x52")
            _sub(e, "dr-address", "0.0.0.0")
            _sub(e, "bdr-address", "0.0.0.0")
            _sub(e, "neighbor-up-time", _dur(n.up), **{SECONDS: str(n.up)})
            _sub(e, "neighbor-adjacency-time", _dur(n.up), **{SECONDS: str(n.up)})
    return _xml(root)


def text_ospf(xml: str) -> str:
    root = etree.fromstring(xml.encode())
    lines = ["Address          Interface              State           ID               Pri  Dead"]
    for e in _kids(root, "ospf-neighbor"):
        lines.append(
            f"{_t(e, 'neighbor-address'):<17}{_t(e, 'interface-name'):<23}{_t(e, 'ospf-neighbor-state'):<16}"
            f"{_t(e, 'neighbor-id'):<17}{_t(e, 'neighbor-priority'):>3}{_t(e, 'activity-timer'):>6}"
        )
        if _t(e, "ospf-area"):
            lines.append(f"  Area {_t(e, 'ospf-area')}, opt 0x52, DR 0.0.0.0, BDR 0.0.0.0")
    return "\n".join(lines) + "\n"


@dataclass
class IsisAdj:
    interface: str  # ge-0/0/0.0
    system: str  # hostname or system id
    level: int  # 1, 2 or 3 (L1L2)
    state: str  # Up, Initializing, Down
    hold: int = 0
    snpa: str = ""


def parse_isis(data: dict[str, Any]) -> list[IsisAdj]:
    """``show isis neighbor json`` (FRR 8.4: areas -> circuits)."""
    out = []
    for area in data.get("areas", []) if isinstance(data, dict) else []:
        for c in area.get("circuits", []):
            if "adj" not in c or "interface" not in c:
                continue
            ifname = str(c["interface"])
            hold = str(c.get("expires-in", "")).rstrip("s")
            state = str(c.get("state", "Down"))
            out.append(
                IsisAdj(
                    interface=f"{_junos_name(ifname) or ifname}.0",
                    system=str(c["adj"]),
                    level=int(c.get("level", 2) or 2),
                    state="Initializing" if state.lower().startswith("init") else state.capitalize(),
                    hold=int(hold) if hold.isdigit() else 0,
                    snpa=str(c.get("snpa", "")),
                )
            )
    return sorted(out, key=lambda a: (_ifkey(a.interface), a.level))


async def gather_isis(twin: JunosTwin) -> list[IsisAdj] | None:
    if twin.device().isis is None:
        return None
    return parse_isis(await _frr_json(twin, "show isis neighbor json"))


def render_isis(adjs: list[IsisAdj] | None, detail: bool = False) -> str:
    root = _root("isis-adjacency-information", "junos-routing", "detail" if detail else None)
    for a in adjs or []:
        e = _sub(root, "isis-adjacency")
        _sub(e, "interface-name", a.interface)
        _sub(e, "system-name", a.system)
        _sub(e, "level", a.level)
        _sub(e, "adjacency-state", a.state)
        _sub(e, "holdtime", a.hold)
        if a.snpa:
            _sub(e, "snpa", a.snpa)
        if detail:
            _sub(e, "circuit-type", a.level)
    return _xml(root)


def text_isis(xml: str) -> str:
    root = etree.fromstring(xml.encode())
    lines = ["Interface             System         L State         Hold (secs) SNPA"]
    for e in _kids(root, "isis-adjacency"):
        lines.append(
            f"{_t(e, 'interface-name'):<22}{_t(e, 'system-name'):<15}{_t(e, 'level'):<2}"
            f"{_t(e, 'adjacency-state'):<14}{_t(e, 'holdtime'):>11} {_t(e, 'snpa')}".rstrip()
        )
    return "\n".join(lines) + "\n"


@dataclass
class BfdSess:
    neighbor: str
    state: str  # Up, Down, Init, AdminDown
    interface: str
    interval_ms: int
    multiplier: int
    local_diag: str = ""


def parse_bfd(data: Any) -> list[BfdSess]:
    """``show bfd peers json``."""
    out = []
    for p in data if isinstance(data, list) else []:
        ifname = str(p.get("interface", ""))
        st = str(p.get("status", "down"))
        out.append(
            BfdSess(
                neighbor=str(p.get("peer", "")),
                state={"up": "Up", "down": "Down", "init": "Init", "shutdown": "AdminDown"}.get(st, st),
                interface=f"{_junos_name(ifname) or ifname}.0" if ifname else "",
                interval_ms=int(p.get("transmit-interval", 300)),
                multiplier=int(p.get("detect-multiplier", 3)),
                local_diag=str(p.get("diagnostic", "")),
            )
        )
    return sorted(out, key=lambda s: s.neighbor)


async def gather_bfd(twin: JunosTwin) -> list[BfdSess]:
    return parse_bfd(await _frr_json(twin, "show bfd peers json"))


def render_bfd(sessions: list[BfdSess], detail: bool = False) -> str:
    root = _root("bfd-session-information", "junos-routing")
    for s in sessions:
        e = _sub(root, "bfd-session")
        _sub(e, "session-neighbor", s.neighbor)
        _sub(e, "session-state", s.state)
        if s.interface:
            _sub(e, "session-interface", s.interface)
        _sub(e, "session-detection-time", f"{s.interval_ms * s.multiplier / 1000:.3f}")
        _sub(e, "session-transmission-interval", f"{s.interval_ms / 1000:.3f}")
        _sub(e, "session-adaptive-multiplier", s.multiplier)
        if detail:
            _sub(e, "local-diagnostic", s.local_diag or "None")
            _sub(e, "minimum-transmission-interval", f"{s.interval_ms / 1000:.3f}")
            _sub(e, "minimum-reception-interval", f"{s.interval_ms / 1000:.3f}")
            _sub(e, "detection-multiplier", s.multiplier)
    _sub(root, "sessions", len(sessions))
    _sub(root, "clients", len(sessions))
    return _xml(root)


def text_bfd(xml: str) -> str:
    root = etree.fromstring(xml.encode())
    lines = [
        "                                                  Detect   Transmit",
        "Address                  State     Interface      Time     Interval  Multiplier",
    ]
    for e in _kids(root, "bfd-session"):
        lines.append(
            f"{_t(e, 'session-neighbor'):<25}{_t(e, 'session-state'):<10}{_t(e, 'session-interface'):<15}"
            f"{_t(e, 'session-detection-time'):<9}{_t(e, 'session-transmission-interval'):<10}"
            f"{_t(e, 'session-adaptive-multiplier')}"
        )
    lines.append(f"\n{_t(root, 'sessions')} sessions, {_t(root, 'clients')} clients")
    return "\n".join(lines) + "\n"


# ---- ARP ------------------------------------------------------------------------------------
def parse_arp(neigh: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """``ip -j -4 neigh show`` -> (mac, ip, interface) of resolved entries."""
    out = []
    for n in neigh:
        dev, mac = _junos_name(str(n.get("dev", ""))), n.get("lladdr")
        if dev and mac and "FAILED" not in n.get("state", []) and "INCOMPLETE" not in n.get("state", []):
            out.append((str(mac), str(n.get("dst", "")), f"{dev}.0"))
    return sorted(out, key=lambda e: (_ifkey(e[2]), e[1]))


async def gather_arp(twin: JunosTwin) -> list[tuple[str, str, str]]:
    return parse_arp(await _ip_json(twin, "-4", "neigh", "show"))


def render_arp(entries: list[tuple[str, str, str]]) -> str:
    root = _root("arp-table-information", "junos-arp", "normal")
    for mac, ip, itf in entries:
        e = _sub(root, "arp-table-entry")
        _sub(e, "mac-address", mac)
        _sub(e, "ip-address", ip)
        _sub(e, "hostname", ip)
        _sub(e, "interface-name", itf)
        fl = _sub(e, "arp-table-entry-flags")
        _sub(fl, "none")
    _sub(root, "arp-entry-count", len(entries))
    return _xml(root)


def text_arp(xml: str) -> str:
    root = etree.fromstring(xml.encode())
    lines = ["MAC Address       Address         Name                      Interface               Flags"]
    for e in _kids(root, "arp-table-entry"):
        lines.append(
            f"{_t(e, 'mac-address'):<18}{_t(e, 'ip-address'):<16}{_t(e, 'hostname'):<26}"
            f"{_t(e, 'interface-name'):<24}none"
        )
    lines.append(f"Total entries: {_t(root, 'arp-entry-count')}")
    return "\n".join(lines) + "\n"


# ---- dispatch -------------------------------------------------------------------------------
def _style(op: Any) -> str:
    for s in ("terse", "extensive", "detail", "brief"):
        if _arg(op, s) is not None:
            return "normal" if s == "brief" else s
    return "normal"


async def rpc(twin: JunosTwin, name: str, op: Any) -> str | None:
    """The reply body of an operational RPC; None when the twin does not model it.
    Raises OperError when a live source does not answer."""
    detail = _arg(op, "detail") is not None or _arg(op, "extensive") is not None
    if name == "get-interface-information":
        return render_interfaces(
            await gather_interfaces(twin), _style(op), _arg(op, "interface-name") or None
        )
    if name == "get-lldp-neighbors-information":
        return render_lldp(await gather_lldp(twin))
    if name in ("get-lldp-interface-neighbors", "get-lldp-interface-neighbors-information"):
        itf = _arg(op, "interface-device") or _arg(op, "interface-name") or ""
        return render_lldp(await gather_lldp(twin), itf)
    if name == "get-bgp-neighbor-information":
        return render_bgp_neighbors(
            await gather_bgp(twin), _arg(op, "neighbor-address") or None, _arg(op, "instance")
        )
    if name == "get-bgp-summary-information":
        return render_bgp_summary(await gather_bgp(twin), _arg(op, "instance"))
    if name == "get-instance-information":
        return render_instances(sum(r.active for r in await gather_routes(twin)))
    if name == "get-route-information":
        return render_routes(
            await gather_routes(twin), _arg(op, "destination") or None, _arg(op, "protocol") or None, detail
        )
    if name == "get-route-summary-information":
        dev = twin.device()
        return render_route_summary(await gather_routes(twin), dev.router_id, dev.asn)
    if name == "get-ospf-neighbor-information":
        return render_ospf(await gather_ospf(twin), detail)
    if name == "get-isis-adjacency-information":
        return render_isis(await gather_isis(twin), detail)
    if name == "get-bfd-session-information":
        return render_bfd(await gather_bfd(twin), detail)
    if name == "get-arp-table-information":
        return render_arp(await gather_arp(twin))
    return None


# CLI command -> (RPC, fixed arguments); words after the command become arguments (see _parse).
COMMANDS: dict[tuple[str, ...], tuple[str, dict[str, str]]] = {
    ("show", "interfaces"): ("get-interface-information", {}),
    ("show", "lldp", "neighbors"): ("get-lldp-neighbors-information", {}),
    ("show", "bgp", "summary"): ("get-bgp-summary-information", {}),
    ("show", "bgp", "neighbor"): ("get-bgp-neighbor-information", {}),
    ("show", "route", "summary"): ("get-route-summary-information", {}),
    ("show", "route", "instance"): ("get-instance-information", {}),
    ("show", "route"): ("get-route-information", {}),
    ("show", "ospf", "neighbor"): ("get-ospf-neighbor-information", {}),
    ("show", "isis", "adjacency"): ("get-isis-adjacency-information", {}),
    ("show", "bfd", "session"): ("get-bfd-session-information", {}),
    ("show", "arp"): ("get-arp-table-information", {}),
}
_FLAGS = {"terse", "brief", "detail", "extensive", "no-resolve"}


def parse_command(cmd: str) -> tuple[str, dict[str, str], str | None] | None:
    """``show ...`` -> (RPC name, arguments, ``| display`` format or None); None if not modelled."""
    display = None
    if "|" in cmd:
        cmd, pipe = (s.strip() for s in cmd.split("|", 1))
        p = pipe.split()
        if p[:1] != ["display"] or len(p) != 2 or p[1] not in ("xml", "json"):
            return None
        display = p[1]
    words = tuple(cmd.split())
    for key in sorted(COMMANDS, key=len, reverse=True):
        if words[: len(key)] != key:
            continue
        name, fixed = COMMANDS[key]
        args = dict(fixed)
        rest = list(words[len(key) :])
        if name == "get-lldp-neighbors-information" and rest[:1] == ["interface"] and len(rest) == 2:
            return "get-lldp-interface-neighbors", {"interface-device": rest[1]}, display
        while rest:
            w = rest.pop(0)
            if w in _FLAGS:
                args[w] = ""
            elif name == "get-interface-information" and "interface-name" not in args:
                args["interface-name"] = w
            elif name == "get-bgp-neighbor-information" and "neighbor-address" not in args:
                args["neighbor-address"] = w
            elif name == "get-route-information" and w == "protocol" and rest:
                args["protocol"] = rest.pop(0)
            elif name == "get-route-information" and "destination" not in args:
                args["destination"] = w
            else:
                return None
        return name, args, display
    return None


def _op(name: str, args: dict[str, str]) -> Any:
    op = etree.Element(name)
    for k, v in args.items():
        etree.SubElement(op, k).text = v or None
    return op


_TEXT = {
    "get-lldp-neighbors-information": text_lldp,
    "get-bgp-summary-information": text_bgp_summary,
    "get-bgp-neighbor-information": text_bgp_neighbors,
    "get-route-information": text_routes,
    "get-route-summary-information": text_route_summary,
    "get-ospf-neighbor-information": text_ospf,
    "get-isis-adjacency-information": text_isis,
    "get-bfd-session-information": text_bfd,
    "get-arp-table-information": text_arp,
}


def to_text(name: str, args: dict[str, str], xml: str) -> str:
    if name == "get-interface-information":
        return text_interfaces(xml, "terse" if "terse" in args else "normal")
    if name == "get-instance-information":
        root = etree.fromstring(xml.encode())
        lines = [
            "Instance             Type\n"
            "         Primary RIB                                     Active/holddown/hidden"
        ]
        for c in _kids(root, "instance-core"):
            lines.append(f"{_t(c, 'instance-name'):<21}{_t(c, 'instance-type')}")
            for r in _kids(c, "instance-rib"):
                lines.append(f"         {_t(r, 'irib-name'):<48}{_t(r, 'irib-active-count')}/0/0")
        return "\n".join(lines) + "\n"
    if name == "get-lldp-interface-neighbors":
        root = etree.fromstring(xml.encode())
        out = []
        for e in _kids(root, "lldp-neighbor-information"):
            out += [
                f"LLDP Neighbor Information:\nLocal Information:\nIndex: {_t(e, 'lldp-index')} "
                f"Time to live: {_t(e, 'lldp-ttl')}\nLocal Interface    : {_t(e, 'lldp-local-port-id')}\n",
                "Neighbour Information:",
                f"Chassis type       : {_t(e, 'lldp-remote-chassis-id-subtype')}",
                f"Chassis ID         : {_t(e, 'lldp-remote-chassis-id')}",
                f"Port type          : {_t(e, 'lldp-remote-port-id-subtype')}",
                f"Port ID            : {_t(e, 'lldp-remote-port-id')}",
                f"Port description   : {_t(e, 'lldp-remote-port-description')}",
                f"System name        : {_t(e, 'lldp-remote-system-name')}",
                "",
            ]
        return "\n".join(out)
    return _TEXT[name](xml)


def to_json(xml: str) -> str:
    """Junos's ``| display json``: every element a list of objects, leaves as ``{"data": text}``,
    attributes under ``"attributes"``."""

    def conv(el: Any) -> dict[str, Any]:
        obj: dict[str, Any] = {}
        attrs = {
            ("junos:" if etree.QName(k).namespace == JUNOS_NS else "") + etree.QName(k).localname: v
            for k, v in el.attrib.items()
        }
        if el.getparent() is None and etree.QName(el).namespace:
            attrs = {"xmlns": etree.QName(el).namespace, **attrs}
        if attrs:
            obj["attributes"] = attrs
        kids = [c for c in el if isinstance(c.tag, str)]
        if not kids:
            obj["data"] = el.text.strip() if el.text and el.text.strip() else [None]
            return obj
        for c in kids:
            obj.setdefault(_local(c), []).append(conv(c))
        return obj

    root = etree.fromstring(xml.encode())
    return json.dumps({_local(root): [conv(root)]}, indent=4) + "\n"


async def command(twin: JunosTwin, cmd: str, fmt: str) -> str | None:
    """A CLI operational command in ``fmt`` text | xml | json; None when the twin does not model it."""
    parsed = parse_command(" ".join(cmd.split()))
    if parsed is None:
        return None
    name, args, display = parsed
    body = await rpc(twin, name, _op(name, args))
    if body is None:
        return None
    fmt = display or fmt
    if fmt == "xml":
        return body
    if fmt == "json":
        return to_json(body)
    return to_text(name, args, body)
