"""SR OS configuration (``/configure`` of ``fabric.vendors.sros.config``) -> the twin's control plane.

Only ``router "Base"`` routes (``router "management"`` and services are left alone: the lab owns the
management port). It reads the configuration into the Nokia routing model and FRR translation of
``fabric.twins.nokia`` (shared with the SR Linux twin): both are Nokia routers with the same
routing-policy semantics (entries in order, ``default-action``, else the protocol's default: BGP imports
everything and exports BGP-learned routes only; an export policy applies to every route of the route
table, so direct, static, IS-IS and OSPF routes it can accept are redistributed *tagged* by source and
each neighbor's route-map decides), the same eBGP default (``ebgp-default-reject-policy`` import/export
true, RFC 8212), the same BGP timers (hold 90 s / keepalive 30 s) and BFD-profile handling. What differs
is read here:

- Ports: ``admin-state`` defaults to disable (an unconfigured or undeclared port is down); ``ethernet mtu``
  includes the 14-byte Ethernet header (Linux MTU = port MTU - 14, at most ``ip-mtu``); network-mode
  ports default to 9212. ``connector breakout`` makes ``1/1/cN/M`` exist.
- Router interfaces: ``admin-state`` defaults to enable; ``interface "system"`` is the loopback and
  router-id source (its address goes on Linux ``lo``); ``loopback`` interfaces are dummies ``lo1``, ``lo2``...
  BFD parameters (``ipv4 bfd``, ms, 100 ms x 3 unless set) live on the interface; a protocol's
  ``bfd-liveness`` runs where the session's interface has BFD enabled.
- IS-IS ``isis 0``: disabled unless ``admin-state enable``; level-capability 1/2 unless set; narrow metrics
  unless ``level N wide-metrics-only true``; the system-id comes from ``system-id``, else the router-id
  (10.254.0.3 -> 0102.5400.0003), one NET per ``area-address``.
- OSPF ``ospf 0``: disabled unless enabled; metric from the 100 Gb/s reference bandwidth and the port's
  breakout speed (1 on a 100G port; the system interface's 0 becomes FRR's minimum 1).
- BGP: the AS is ``router "Base" autonomous-system``; a neighbor takes each setting from itself, else its
  group, else ``bgp``; ``cluster cluster-id`` on a group makes its peers route-reflector clients;
  ``multipath`` restrict ``same-as-path-length`` (default) is FRR's ``as-path multipath-relax``.

``validate`` raises ``ConfigError`` for what SR OS refuses at commit (undefined policy or prefix-list,
router interface on a port that is not configured, overlapping addresses, BGP neighbor without group or
peer-as, BGP without autonomous-system ...). The messages follow SR OS's ``MINOR: MGMT_CORE #<n>:
configure ... - <reason>`` form; numbers and wording are approximations, not verbatim SR OS text.

Not modelled: VLAN (``port:vlan``) interfaces, IPv6, per-group ``ebgp-default-reject-policy``, the
``next-policy`` action (treated as ``next-entry``), policy entries matching other than prefix-list/protocol.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from fabric.twins import nokia
from fabric.vendors.sros.config import ConfigError

SROS_BFD_DEFAULT_MS = 100  # router interface ipv4 bfd transmit-interval / receive
NETWORK_PORT_MTU, ACCESS_PORT_MTU = 9212, 1514  # SR OS default port MTUs (L2, header included)
OSPF_REFERENCE_MBPS = 100_000  # ospf reference-bandwidth default (100 Gb/s)
DEFAULT_PORT_MBPS = 10_000  # a port without a connector breakout speed we can read
ISIS_LEVELS = {"1": {1}, "2": {2}, "1/2": {1, 2}}
KINDS = ("nokia_sros", "nokia_srsim")
_CONN = re.compile(r"^(\d+)/(\d+)/c(\d+)/(\d+)$")  # 1/1/c1/1
_PLAIN = re.compile(r"^(\d+)/(\d+)/(\d+)$")  # 1/1/1
_ETH = re.compile(r"^eth(\d+)$")
_SIM = re.compile(r"^e(\d+)-(\d+)-(c\d+-\d+|\d+)$")
_BREAKOUT = re.compile(r"^c(\d+)-(\d+)g$")  # c1-100g, c4-25g


# ---- port names ------------------------------------------------------------------------------
def to_linux(port: str, kind: str = "nokia_sros") -> str | None:
    """SR OS port -> the node's Linux interface (containerlab: nokia_sros ethN, nokia_srsim e1-1-cN-1)."""
    m, p = _CONN.match(port), _PLAIN.match(port)
    if kind == "nokia_srsim":
        if m:
            return f"e{m.group(1)}-{m.group(2)}-c{m.group(3)}-{m.group(4)}"
        return f"e{p.group(1)}-{p.group(2)}-{p.group(3)}" if p else None
    if m and m.group(1) == m.group(2) == m.group(4) == "1":
        return f"eth{m.group(3)}"
    if p and p.group(1) == p.group(2) == "1":
        return f"eth{p.group(3)}"
    return None


def to_port(linux: str, kind: str = "nokia_sros", dev: Device | None = None) -> str | None:
    """Linux interface -> SR OS port. nokia_sros ``ethN`` is ``1/1/cN/1`` (connector ports, SR-1) unless
    ``dev`` configures ``1/1/N``."""
    if kind == "nokia_srsim":
        if m := _SIM.match(linux):
            return f"{m.group(1)}/{m.group(2)}/{m.group(3).replace('-', '/')}"
        return None
    if m := _ETH.match(linux):
        n = int(m.group(1))
        if n == 0:
            return None  # the management port (the lab's)
        if dev is not None and f"1/1/{n}" in dev.ports and f"1/1/c{n}/1" not in dev.ports:
            return f"1/1/{n}"
        return f"1/1/c{n}/1"
    return None


# ---- reading the tree ------------------------------------------------------------------------
def _d(node: Any, *keys: str) -> dict[str, Any]:
    for k in keys:
        node = node.get(k) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else {}


def _l(node: Any, key: str) -> list[dict[str, Any]]:
    v = node.get(key) if isinstance(node, dict) else None
    if isinstance(v, dict):
        return [v]
    return [x for x in v if isinstance(x, dict)] if isinstance(v, list) else []


def _strs(v: Any) -> list[str]:
    if v is None:
        return []
    return [str(x) for x in v] if isinstance(v, list) else [str(v)]


def _int(v: Any) -> int | None:
    try:
        return int(v) if v is not None and not isinstance(v, bool) else None
    except (TypeError, ValueError):
        return None


def _bool(v: Any) -> bool | None:
    return None if v is None else str(v).lower() == "true"


def _enabled(node: dict[str, Any], default: bool) -> bool:
    state = node.get("admin-state")
    return default if state is None else state == "enable"


def _err(path: str, reason: str, num: int = 2001, tag: str = "invalid-value") -> ConfigError:
    """An SR OS commit error (approximate wording and numbers; SR OS prints `MINOR: MGMT_CORE #n: ...`)."""
    return ConfigError(f"MINOR: MGMT_CORE #{num}: configure {path} - {reason}", tag=tag)


# ---- the model -------------------------------------------------------------------------------
@dataclass
class Port:
    port_id: str
    linux: str | None
    up: bool = False  # admin-state (SR OS default: disable)
    mtu: int = NETWORK_PORT_MTU  # ethernet mtu, L2 header included
    mode: str = "network"
    description: str = ""
    breakout: str | None = None  # connector port: `connector breakout c1-100g`
    speed_mbps: int = DEFAULT_PORT_MBPS

    @property
    def ip_mtu(self) -> int:
        return self.mtu - 14


@dataclass
class Interface(nokia.Interface):
    """A router "Base" interface; ``name`` is its interface-name, ``linux`` its port's (``lo`` for system)."""

    port: str | None = None
    system: bool = False
    loopback: bool = False
    enabled: bool = True  # the interface's own admin-state

    @property
    def kernel_mtu(self) -> int:
        mtu = self.mtu - 14 if self.mtu else nokia.DEFAULT_IP_MTU
        return min(mtu, self.ip_mtu) if self.ip_mtu else mtu

    @property
    def address(self) -> str | None:
        return self.ipv4[0] if self.ipv4 else None


@dataclass(frozen=True)
class Bfd(nokia.Bfd):
    @property
    def profile(self) -> str | None:
        if (self.tx_ms, self.rx_ms, self.multiplier) == nokia.FRR_BFD_DEFAULT:
            return None
        return f"sros-{self.tx_ms}-{self.rx_ms}x{self.multiplier}"


@dataclass
class Neighbor(nokia.Neighbor):
    multihop: int | None = None
    bfd_session: Bfd | None = None  # the BFD the session runs with (None: no BFD)


@dataclass
class Device(nokia.Device):
    """What a commit runs. Shares the Nokia model's fields (``interfaces`` are router "Base" interfaces
    keyed by interface-name; ``bfd`` is keyed by interface-name) plus the SR OS ones."""

    kind: str = "nokia_sros"
    asn: int | None = None
    ports: dict[str, Port] = field(default_factory=dict)
    isis_system_id: str | None = None
    refusals: list[ConfigError] = field(default_factory=list)  # what SR OS would refuse, in order

    def bfd_for(self, subif: str) -> nokia.Bfd | None:
        return self.bfd.get(subif)

    def refuse(self, path: str, reason: str, num: int = 2001, tag: str = "invalid-value") -> None:
        self.refusals.append(_err(path, reason, num, tag))

    @property
    def router_interfaces(self) -> dict[str, Interface]:
        """``interfaces`` with their SR OS type (every entry is an ``Interface``)."""
        return {k: i for k, i in self.interfaces.items() if isinstance(i, Interface)}

    def interface_on(self, port: str) -> Interface | None:
        return next((i for i in self.router_interfaces.values() if i.port == port), None)


# ---- parsing ---------------------------------------------------------------------------------
def _data(conf: Any) -> dict[str, Any]:
    data = getattr(conf, "data", conf)
    return data if isinstance(data, dict) else {}


def parse(conf: Any, default_hostname: str = "sros", kind: str = "nokia_sros") -> Device:
    """The control-plane model of an SR OS configuration (a ``Config`` or its ``data`` dict)."""
    cfg = _data(conf)
    dev = Device(hostname=str(_d(cfg, "system").get("name") or default_hostname), kind=kind)
    dev.lldp = _enabled(_d(cfg, "system", "lldp"), default=False)
    _parse_ports(dev, cfg)
    base = next((r for r in _l(cfg, "router") if r.get("router-name") == "Base"), {})
    dev.asn = _int(base.get("autonomous-system"))
    _parse_interfaces(dev, base)
    system = dev.interfaces.get("system")
    sys_addr = system.address.split("/")[0] if isinstance(system, Interface) and system.address else None
    dev.router_id = str(base["router-id"]) if base.get("router-id") else sys_addr
    _parse_policies(dev, _d(cfg, "policy-options"))
    _parse_static(dev, base)
    _parse_isis(dev, base)
    _parse_ospf(dev, base)
    if "bgp" in base:
        _parse_bgp(dev, base, _d(base, "bgp"))
    return dev


def _parse_ports(dev: Device, cfg: dict[str, Any]) -> None:
    for p in _l(cfg, "port"):
        pid = str(p.get("port-id", ""))
        eth = _d(p, "ethernet")
        mode = str(eth.get("mode") or "network")
        port = Port(port_id=pid, linux=to_linux(pid, dev.kind), up=_enabled(p, default=False), mode=mode,
                    description=str(p.get("description", "")),
                    mtu=_int(eth.get("mtu")) or (ACCESS_PORT_MTU if mode == "access" else NETWORK_PORT_MTU),
                    breakout=_d(p, "connector").get("breakout"))
        dev.ports[pid] = port
    for port in dev.ports.values():  # a breakout port's speed comes from its connector's breakout
        if m := _CONN.match(port.port_id):
            conn = dev.ports.get(f"{m.group(1)}/{m.group(2)}/c{m.group(3)}")
            if conn and conn.breakout and (b := _BREAKOUT.match(conn.breakout)):
                port.speed_mbps = int(b.group(2)) * 1000
            if conn is None or not conn.breakout:
                dev.refuse(f'port {port.port_id}', f"port is not provisioned: configure "
                                       f'"connector breakout" on port {port.port_id.rsplit("/", 1)[0]}', 4001)


def _parse_interfaces(dev: Device, base: dict[str, Any]) -> None:
    seen: list[tuple[str, ipaddress.IPv4Interface]] = []
    ports_used: dict[str, str] = {}
    loop_n = 0
    for itf in _l(base, "interface"):
        name = str(itf.get("interface-name", ""))
        path = f'router "Base" interface "{name}"'
        v4 = _d(itf, "ipv4")
        prim = _d(v4, "primary")
        addrs: list[str] = []
        for a in [prim, *_l(v4, "secondary")]:
            if a.get("address") is None:
                continue
            try:
                addr = ipaddress.IPv4Interface(f"{a['address']}/{a.get('prefix-length', 32)}")
            except ValueError:
                dev.refuse(path, f"invalid address {a['address']}/{a.get('prefix-length')}")
                continue
            for other, o in seen:
                if addr.ip == o.ip or (addr.network.overlaps(o.network) and other != name
                                       and addr.network.prefixlen < 32 and o.network.prefixlen < 32):
                    dev.refuse(path, f"IP address {addr} overlaps with interface "
                                                 f'"{other}" address {o}', 2207)
            seen.append((name, addr))
            addrs.append(str(addr))
        i = Interface(name=name, linux="", description=str(itf.get("description", "")),
                      enabled=_enabled(itf, default=True), ip_mtu=_int(itf.get("ip-mtu")), ipv4=addrs)
        if name == "system":
            i.system, i.linux, i.routed = True, "lo", True
        elif "loopback" in itf:
            loop_n += 1
            i.loopback, i.linux, i.routed = True, f"lo{loop_n}", True
        elif itf.get("port"):
            pid = str(itf["port"])
            i.port = pid
            port = dev.ports.get(pid)
            if ":" in pid:
                pass  # an encapsulated (VLAN) interface: not modelled, never routed
            elif port is None:
                dev.refuse(f"{path} port", f'port "{pid}" is not configured', 2203, "data-missing")
            elif port.mode == "access":
                dev.refuse(f"{path} port", f'port "{pid}" is not in network or hybrid mode', 2204)
            elif pid in ports_used:
                dev.refuse(f"{path} port", f'port "{pid}" is already used by interface '
                                                       f'"{ports_used[pid]}"', 2205, "data-exists")
            elif port.linux:
                ports_used[pid] = name
                i.linux, i.routed, i.mtu = port.linux, True, port.mtu
        port_up = i.port is None or (p := dev.ports.get(i.port)) is not None and p.up
        i.disabled = not i.enabled or not port_up
        bfd = _d(v4, "bfd")
        if _enabled(bfd, default=False):
            tx = _int(bfd.get("transmit-interval")) or SROS_BFD_DEFAULT_MS
            rx = _int(bfd.get("receive")) or SROS_BFD_DEFAULT_MS
            dev.bfd[name] = Bfd(tx, rx, _int(bfd.get("multiplier")) or 3)
        dev.interfaces[name] = i


# ---- policies --------------------------------------------------------------------------------
def _prefix_rule(p: dict[str, Any]) -> str | None:
    """An SR OS prefix-list entry as an FRR prefix-list rule (``permit P [ge X] [le Y]``)."""
    try:
        net = ipaddress.IPv4Network(str(p.get("ip-prefix")), strict=False)
    except ValueError:
        return None
    plen, kind = net.prefixlen, str(p.get("type", "exact"))
    if kind == "exact":
        lo, hi = plen, plen
    elif kind == "longer":
        lo, hi = plen, 32
    elif kind == "through":
        lo, hi = plen, _int(p.get("through-length")) or plen
    elif kind == "range":
        lo, hi = _int(p.get("start-length")) or plen, _int(p.get("end-length")) or 32
    else:
        return None  # to / address-mask: not modelled
    if lo == hi == plen:
        return f"permit {net}"
    ge = f" ge {lo}" if lo > plen else ""
    le = f" le {hi}" if hi != lo or not ge else ""
    return f"permit {net}{ge}{le}"


def _parse_policies(dev: Device, po: dict[str, Any]) -> None:
    for pl in _l(po, "prefix-list"):
        dev.prefix_sets[str(pl.get("name"))] = [r for p in _l(pl, "prefix") if (r := _prefix_rule(p))]
    for ps in _l(po, "policy-statement"):
        name = str(ps.get("name"))
        default = _d(ps, "default-action").get("action-type")
        pol = nokia.Policy(name=name, default=default if default in ("accept", "reject") else None)
        for e in sorted(_l(ps, "entry"), key=lambda e: _int(e.get("entry-id")) or 0):
            eid = str(e.get("entry-id"))
            frm, act = _d(e, "from"), _d(e, "action")
            lists = _strs(frm.get("prefix-list"))
            for pl_name in lists:
                if pl_name not in dev.prefix_sets:
                    dev.refuse(f'policy-options policy-statement "{name}" entry {eid} from '
                                           f'prefix-list', f'prefix-list "{pl_name}" does not exist', 2501,
                                           "data-missing")
            pset: str | None = None
            if len(lists) == 1:
                pset = lists[0]
            elif len(lists) > 1:  # any of them: one FRR prefix-list holding all their rules
                pset = "+".join(lists)
                dev.prefix_sets[pset] = [r for x in lists for r in dev.prefix_sets.get(x, [])]
            action = act.get("action-type")
            result = action if action in ("accept", "reject") else None
            lp = _int(act.get("local-preference"))
            med = _int(_d(act, "metric").get("set"))
            app = _d(act, "as-path-prepend")
            prepend = [_int(app["as-path"]) or 0] * (_int(app.get("repeat")) or 1) if "as-path" in app else []
            protos: list[str | None] = [nokia.PROTO_ALIASES.get(p, p)
                                        for p in _strs(_d(frm, "protocol").get("name"))] or [None]
            for proto in protos:  # several protocols: any of them, one statement each
                pol.statements.append(nokia.Statement(name=eid, prefix_set=pset, protocol=proto,
                                                      result=result, local_preference=lp, med=med,
                                                      prepend=prepend))
        dev.policies[name] = pol


def _policy_refs(dev: Device, names: list[str], path: str) -> None:
    for p in names:
        if p not in dev.policies:
            dev.refuse(path, f'policy "{p}" does not exist', 2502, "data-missing")


# ---- routing protocols -----------------------------------------------------------------------
def _parse_static(dev: Device, base: dict[str, Any]) -> None:
    for r in _l(_d(base, "static-routes"), "route"):
        prefix = str(r.get("ip-prefix"))
        pref = _int(r.get("preference"))
        for nh in _l(r, "next-hop"):
            if _enabled(nh, default=False) and nh.get("ip-address"):
                dev.static_routes.append((prefix, str(nh["ip-address"]), _int(nh.get("preference")) or pref))
        if _enabled(_d(r, "blackhole"), default=False):
            dev.static_routes.append((prefix, "blackhole", pref))


def system_id(router_id: str) -> str:
    """SR OS's default IS-IS system-id: the router-id's digits (10.254.0.3 -> 0102.5400.0003)."""
    digits = "".join(f"{int(o):03d}" for o in router_id.split("."))
    return f"{digits[0:4]}.{digits[4:8]}.{digits[8:12]}"


def _parse_isis(dev: Device, base: dict[str, Any]) -> None:
    inst = next((i for i in _l(base, "isis") if _enabled(i, default=False)), None)
    if inst is None:
        return
    levels = ISIS_LEVELS.get(str(inst.get("level-capability", "1/2")), {1, 2})
    wide = {_int(lv.get("level-number")) for lv in _l(inst, "level") if _bool(lv.get("wide-metrics-only"))}
    default_metric = {lv: _int(x.get("default-metric")) or 10 for x in _l(inst, "level")
                      if (lv := _int(x.get("level-number"))) in levels}
    sid = inst.get("system-id") or (system_id(dev.router_id) if dev.router_id else None)
    path = f'router "Base" isis {inst.get("isis-instance", 0)}'
    if sid is None:
        dev.refuse(path, "system-id or router-id (system interface address) required", 3001)
    areas = _strs(inst.get("area-address"))
    if not areas:
        dev.refuse(path, "area-address must be configured", 3002)
    dev.isis_system_id = str(sid) if sid else None
    out = nokia.Isis(tag=str(inst.get("isis-instance", "0")), nets=[f"{a}.{sid}.00" for a in areas if sid],
                   levels=levels, narrow=levels - wide)
    for itf in _l(inst, "interface"):
        name = str(itf.get("interface-name"))
        if name not in dev.interfaces:
            dev.refuse(f'{path} interface "{name}"', f'router interface "{name}" does not exist',
                                   3003, "data-missing")
            continue
        if not _enabled(itf, default=True):
            continue
        ii = nokia.IgpInterface(name=name, p2p=itf.get("interface-type") == "point-to-point",
                              passive=bool(_bool(itf.get("passive"))), bfd="ipv4" in _d(itf, "bfd-liveness"))
        for lv in levels:
            ii.metrics[lv] = default_metric.get(lv, 10)
        for il in _l(itf, "level"):
            num, metric = _int(il.get("level-number")), _int(il.get("metric"))
            if num in levels and metric is not None:
                ii.metrics[num] = metric
        out.interfaces.append(ii)
    dev.isis = out


def _ospf_default_metric(dev: Device, name: str) -> int:
    i = dev.interfaces.get(name)
    if not isinstance(i, Interface) or i.system or i.loopback or i.port is None:
        return 1  # SR OS: 0 on the system/loopback interfaces; FRR's lowest cost is 1
    port = dev.ports.get(i.port)
    speed = port.speed_mbps if port else DEFAULT_PORT_MBPS
    return max(1, OSPF_REFERENCE_MBPS // speed)


def _parse_ospf(dev: Device, base: dict[str, Any]) -> None:
    inst = next((i for i in _l(base, "ospf") if _enabled(i, default=False)), None)
    if inst is None:
        return
    out = nokia.Ospf(router_id=inst.get("router-id") or dev.router_id)
    path = f'router "Base" ospf {inst.get("ospf-instance", 0)}'
    for area in _l(inst, "area"):
        for itf in _l(area, "interface"):
            name = str(itf.get("interface-name"))
            if name not in dev.interfaces:
                dev.refuse(f'{path} area {area.get("area-id")} interface "{name}"',
                                       f'router interface "{name}" does not exist', 3103, "data-missing")
                continue
            if not _enabled(itf, default=True):
                continue
            out.interfaces.append(nokia.IgpInterface(
                name=name, area=str(area.get("area-id")), p2p=itf.get("interface-type") == "point-to-point",
                passive=bool(_bool(itf.get("passive"))), bfd="bfd-liveness" in itf,
                metric=_int(itf.get("metric")) or _ospf_default_metric(dev, name)))
    dev.ospf = out


def _parse_bgp(dev: Device, base: dict[str, Any], b: dict[str, Any]) -> None:
    if not _enabled(b, default=True):
        return
    bgp = nokia.Bgp(asn=dev.asn, router_id=b.get("router-id") or dev.router_id)
    if bgp.asn is None:
        dev.refuse('router "Base" bgp', 'autonomous-system must be configured in router "Base"',
                               4401, "data-missing")
    if bgp.router_id is None:
        dev.refuse('router "Base" bgp', "router-id or system interface address must be configured",
                               4402, "data-missing")
    mp = _d(b, "multipath")
    both = _int(mp.get("max-paths")) or 1
    bgp.ebgp_paths = _int(mp.get("ebgp")) or both
    bgp.ibgp_paths = _int(mp.get("ibgp")) or both
    bgp.multiple_as = mp.get("restrict", "same-as-path-length") == "same-as-path-length"
    rej = _d(b, "ebgp-default-reject-policy")
    bgp.import_reject_all = _bool(rej.get("import")) is not False
    bgp.export_reject_all = _bool(rej.get("export")) is not False
    _policy_refs(dev, _strs(_d(b, "import").get("policy")) + _strs(_d(b, "export").get("policy")),
                 'router "Base" bgp')
    groups = {str(g.get("group-name")): g for g in _l(b, "group")}
    bgp.groups = set(groups)
    for gname, g in groups.items():
        _policy_refs(dev, _strs(_d(g, "import").get("policy")) + _strs(_d(g, "export").get("policy")),
                     f'router "Base" bgp group "{gname}"')
    fam_bgp = _d(b, "family")
    for n in _l(b, "neighbor"):
        ip = str(n.get("ip-address"))
        path = f'router "Base" bgp neighbor "{ip}"'
        gname = str(n.get("group", ""))
        if not gname:
            dev.refuse(path, "group must be configured", 4403, "data-missing")
            continue
        if gname not in groups:
            dev.refuse(f"{path} group", f'group "{gname}" does not exist', 4404, "data-missing")
            continue
        g = groups[gname]
        _policy_refs(dev, _strs(_d(n, "import").get("policy")) + _strs(_d(n, "export").get("policy")), path)

        def pick(*keys: str, n: dict[str, Any] = n, g: dict[str, Any] = g) -> Any:
            for node in (n, g, b):
                v: Any = node
                for k in keys:
                    v = v.get(k) if isinstance(v, dict) else None
                if v is not None:
                    return v
            return None

        peer_as = _int(n.get("peer-as")) or _int(g.get("peer-as"))
        if peer_as is None and (n.get("type") or g.get("type")) == "internal":
            peer_as = bgp.asn
        if peer_as is None:
            dev.refuse(path, f'peer-as must be configured in the neighbor or its group "{gname}"',
                                   4405, "data-missing")
            continue
        # the most specific family container in use decides (an empty one at neighbor/group: nothing set)
        fam = next((f for f in (_d(n, "family"), _d(g, "family")) if f), fam_bgp)
        ipv4 = _bool(fam.get("ipv4")) if fam else True
        local_as = _int(_d(n, "local-as").get("as-number") or _d(g, "local-as").get("as-number"))
        nb = Neighbor(
            ip=ip, group=gname, peer_as=peer_as, local_as=local_as,
            description=str(n.get("description") or g.get("description") or ""),
            enabled=_enabled(n, True) and _enabled(g, True),
            ipv4=ipv4 is not False if fam is fam_bgp else bool(ipv4),
            imports=_strs(pick("import", "policy")), exports=_strs(pick("export", "policy")),
            bfd=bool(_bool(pick("bfd-liveness"))), local_address=_local_address(dev, pick("local-address")),
            rr_client=bool(_d(n, "cluster").get("cluster-id") or _d(g, "cluster").get("cluster-id")),
            next_hop_self=bool(_bool(pick("next-hop-self"))),
            hold=_int(pick("hold-time", "seconds")), keepalive=_int(pick("keepalive")),
            connect_retry=_int(pick("connect-retry")), multihop=_int(pick("multihop")),
        )
        if nb.rr_client:
            bgp.cluster_id = bgp.cluster_id or (_d(n, "cluster").get("cluster-id")
                                                or _d(g, "cluster").get("cluster-id"))
        bgp.neighbors.append(nb)
    dev.bgp = bgp


def _local_address(dev: Device, v: Any) -> str | None:
    """``local-address``: an IP address, or a router interface name (its primary address)."""
    if v is None:
        return None
    i = dev.interfaces.get(str(v))
    if isinstance(i, Interface):
        return i.address.split("/")[0] if i.address else None
    return str(v)


# ---- FRR -------------------------------------------------------------------------------------
def to_frr(dev: Device) -> str:
    """The FRR integrated configuration equivalent to the SR OS configuration (the shared Nokia translation
    with the SR OS additions: ``ebgp-multihop``; a session sourced from the system address names the address,
    as ``lo`` also holds 127.0.0.1)."""
    text = nokia.to_frr(dev)
    if dev.bgp is None:
        return text
    asn = dev.bgp.asn
    hops = {n.ip: n.multihop for n in dev.bgp.neighbors
            if isinstance(n, Neighbor) and n.multihop and n.peer_as != (n.local_as or asn)}
    sources = {n.ip: n.local_address for n in dev.bgp.neighbors if n.local_address}
    out = []
    for ln in text.splitlines():
        w = ln.split()
        if len(w) == 4 and w[0] == "neighbor" and w[2] == "update-source" and w[3] == "lo":
            ln = f" neighbor {w[1]} update-source {sources[w[1]]}"
        out.append(ln)
        if len(w) == 4 and w[0] == "neighbor" and w[2] == "remote-as" and w[1] in hops:
            out.append(f" neighbor {w[1]} ebgp-multihop {hops[w[1]]}")  # FRR shows it right after remote-as
    return "\n".join(out) + "\n"


def kernel_links(dev: Device, linux_ifnames: Iterable[str] = (),
                 kind: str | None = None) -> dict[str, tuple[int, bool]]:
    """Linux interface -> (IP MTU, admin up): every configured port, every data port the node has
    (``linux_ifnames``; one the configuration does not enable is down, as an SR OS port is by default) and
    the loopback interfaces (``lo1``...; the system address sits on ``lo``, never touched)."""
    kind = kind or dev.kind
    links: dict[str, tuple[int, bool]] = {}
    for name in linux_ifnames:
        if name != "eth0" and to_port(name, kind, dev) is not None:
            links[name] = (NETWORK_PORT_MTU - 14, False)
    for port in dev.ports.values():
        if (linux := to_linux(port.port_id, kind)) is None:
            continue
        itf = dev.interface_on(port.port_id)
        links[linux] = (itf.kernel_mtu if itf else port.ip_mtu, port.up and (itf is None or itf.enabled))
    for i in dev.interfaces.values():
        if isinstance(i, Interface) and i.loopback:
            links[i.linux] = (i.ip_mtu or nokia.DEFAULT_IP_MTU, i.enabled)
    return links


def loopbacks(dev: Device) -> frozenset[str]:
    """The Linux stand-ins (dummies) for SR OS ``loopback`` interfaces (``system`` is on ``lo``)."""
    return frozenset(i.linux for i in dev.interfaces.values() if isinstance(i, Interface) and i.loopback)


def validate(conf: Any, hostname: str = "sros", kind: str = "nokia_sros") -> Device:
    """The device a commit of ``conf`` would run; ConfigError (SR OS's commit error, approximated) if
    refused. ``kind`` names the Linux ports (``to_linux``)."""
    dev = parse(conf, hostname, kind)
    if dev.refusals:
        raise dev.refusals[0]
    return dev
