"""IOS-XR configuration -> the twin's control plane: FRR configuration, kernel links, loopbacks.

Naming (containerlab XRd): ``GigabitEthernet0/0/0/N`` is the Linux ``Gi0-0-0-N``, ``LoopbackN`` a
Linux dummy of the same name, ``MgmtEth0/RP0/CPU0/0`` is ``eth0``: the lab owns the management port
(it is in vrf MGMT in our configs), so it is never touched, and only the default VRF reaches FRR.

XR semantics FRR does not have by default, and how they are kept:
- ``route-policy`` (RPL) is a program, not a list: ``pass`` marks a route accepted and goes on, ``set``
  implies ``pass``, ``drop`` rejects and stops, ``done`` accepts and stops, a route nothing passed is
  dropped at ``end-policy``. Each path through the policy (one branch per ``if``/``elseif``/``else``,
  ``apply`` inlined) becomes one route-map entry, in source order, matching only the positive
  conditions of its path: first match then picks the path XR would run (an earlier path differs in
  a branch whose condition the route failed). ``destination in SET`` conditions of one path are ANDed
  by intersecting the prefix-sets (FRR keeps one ``match ip address`` per entry).
- An eBGP neighbor without a ``route-policy in``/``out`` exchanges no routes that way (XR's RFC 8212
  default): an explicit deny-all route-map per direction, with FRR's ``ebgp-requires-policy`` off, so
  the counters FRR reports are plain numbers as on XR (not FRR's ``(Policy)`` marker).
- A neighbor exchanges IPv4 routes only with ``address-family ipv4 unicast`` (its own or its
  neighbor-group's): ``no bgp default ipv4-unicast``. Neighbor-groups are FRR peer-groups (the
  remote-as stays on each neighbor: XR lets a neighbor override its group's).
- XR defaults that differ from FRR's: one BGP path unless ``maximum-paths`` (FRR: 64); no standard
  or extended communities to eBGP peers unless ``send-community-ebgp`` /
  ``send-extended-community-ebgp``; IS-IS ``metric-style`` narrow unless set (FRR: wide); OSPF cost
  1 on Gigabit and loopback interfaces (reference bandwidth 100 Mb/s; FRR computes 10 on a veth);
  BFD 50 ms x 3 for BGP and 150 ms x 3 for IS-IS/OSPF unless set (FRR: 300 ms x 3). Hold time
  180 s / keepalive 60 s are FRR's too (no line); connect retry is short, as on the other twins, so
  sessions come up within seconds of the peer.
- Loopbacks never form IGP adjacencies on XR: passive in FRR.

Never emitted: a line FRR's running config would not show (FRR defaults such as ``isis metric 10``,
BFD 300 ms x 3, ``is-type level-1-2``, ``timers bgp 60 180``): the twin verifies each commit with
``frr-reload --test`` and such a line would fail every commit.

``validate`` raises ``ConfigError`` for what XR refuses at commit (an undefined route-policy,
prefix-set or neighbor-group at an attach point, a neighbor without remote-as, a neighbor address
family without the global one), in the form of ``show configuration failed``; the ``!!%`` reasons
follow XR's wording where known and approximate it elsewhere.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, fields

from fabric.twins.frr import ISIS_LSP_GEN_INTERVAL, bfd_profiles
from fabric.vendors.iosxr.twin.config import Config, ConfigError, Node

FRR_BFD_DEFAULT = (300, 3)  # FRR's BFD interval (ms) and multiplier
XR_BFD_BGP = 50  # XR's default bfd minimum-interval (ms) for BGP ...
XR_BFD_IGP = 150  # ... and for IS-IS / OSPF; the multiplier defaults to 3 everywhere
FRR_MAXPATHS = 64
CONNECT_RETRY = 5
DEFAULT_IP_MTU = 1500
REDISTRIBUTE = ("connected", "static", "isis", "ospf")
DROP_ALL = "XR-EBGP-NO-POLICY"  # eBGP without a policy: nothing in, nothing out
MAX_PATHS = 256  # RPL paths per policy the translation enumerates
NO_REMOTE_AS = "The remote-as is not configured for this neighbor or its neighbor-group"
SEMANTIC_HEADER = ("!! SEMANTIC ERRORS: This configuration was rejected by \n"
                   "!! the system due to semantic errors. The individual \n"
                   "!! errors with each failed configuration command can be \n"
                   "!! found below.\n\n\n")

_GI = re.compile(r"^GigabitEthernet(\d+)/(\d+)/(\d+)/(\d+)$")
_GI_LINUX = re.compile(r"^Gi(\d+)-(\d+)-(\d+)-(\d+)$")
_MGMT = re.compile(r"^MgmtEth0/R[S]?P0/CPU0/0$")
_LOOP = re.compile(r"^Loopback(\d+)$")
# abbreviations XR's parser expands (`interface Gi0/0/0/0`, `update-source Lo0`)
_ABBREV = (("gigabitethernet", "GigabitEthernet"), ("gige", "GigabitEthernet"), ("gi", "GigabitEthernet"),
           ("loopback", "Loopback"), ("lo", "Loopback"), ("mgmteth", "MgmtEth"), ("mg", "MgmtEth"))


def canonical(name: str) -> str:
    """An interface name as `show running-config` prints it (`Gi0/0/0/1`: `GigabitEthernet0/0/0/1`)."""
    m = re.match(r"^([A-Za-z-]+)(\d.*)$", name)
    if m:
        low = m.group(1).lower()
        for short, full in _ABBREV:
            if low == short:
                return full + m.group(2)
    return name


def to_linux(name: str) -> str | None:
    """XR interface -> the node's Linux interface (containerlab XRd naming)."""
    name = canonical(name)
    if m := _GI.match(name):
        return "Gi" + "-".join(m.groups())
    if _MGMT.match(name):
        return "eth0"
    if _LOOP.match(name):
        return name
    return None


def to_xr(linux: str) -> str | None:
    if m := _GI_LINUX.match(linux):
        return "GigabitEthernet" + "/".join(m.groups())
    if linux == "eth0":
        return "MgmtEth0/RP0/CPU0/0"
    if _LOOP.match(linux):
        return linux
    return None


# ---- reading the tree ----------------------------------------------------------------------
def _kids(node: Node | None, *prefix: str) -> list[Node]:
    if node is None:
        return []
    n = len(prefix)
    return [c for c in node.children if c.words[:n] == prefix]


def _one(node: Node | None, *words: str) -> Node | None:
    for c in node.children if node is not None else ():
        if c.words == words:
            return c
    return None


def _val(node: Node | None, *prefix: str) -> str | None:
    """The word after ``prefix`` of the first such child."""
    for c in _kids(node, *prefix):
        if len(c.words) > len(prefix):
            return c.words[len(prefix)]
    return None


def _rest(node: Node | None, kw: str) -> str | None:
    """The rest of the line after ``kw`` (descriptions keep their spaces)."""
    for c in _kids(node, kw):
        parts = c.line.strip().split(None, 1)
        return parts[1] if len(parts) > 1 else ""
    return None


def _int(v: str | None) -> int | None:
    return int(v) if v is not None and v.isdigit() else None


# ---- the model ---------------------------------------------------------------------------
@dataclass
class Interface:
    name: str  # GigabitEthernet0/0/0/0, Loopback0
    linux: str
    description: str = ""
    mtu: int | None = None  # XR `mtu`: the L2 MTU (14 bytes of Ethernet header included)
    ipv4_mtu: int | None = None  # XR `ipv4 mtu`
    shutdown: bool = False
    ipv4: list[str] = field(default_factory=list)  # "10.0.0.0/31", primary first
    ipv6: list[str] = field(default_factory=list)
    vrf: str | None = None

    @property
    def loopback(self) -> bool:
        return self.name.startswith("Loopback")

    @property
    def ip_mtu(self) -> int:
        if self.loopback:
            return self.ipv4_mtu or self.mtu or DEFAULT_IP_MTU
        ip = self.mtu - 14 if self.mtu else DEFAULT_IP_MTU
        return min(ip, self.ipv4_mtu) if self.ipv4_mtu else ip


@dataclass(frozen=True)
class Bfd:
    interval: int  # ms
    multiplier: int

    @property
    def profile(self) -> str | None:
        if (self.interval, self.multiplier) == FRR_BFD_DEFAULT:
            return None
        return f"xr-{self.interval}x{self.multiplier}"


@dataclass
class PeerConfig:
    """What a neighbor or a neighbor-group sets itself (None: not set at this level)."""

    remote_as: str | None = None
    description: str | None = None
    update_source: str | None = None  # XR interface name
    bfd: bool | None = None  # bfd fast-detect
    bfd_interval: int | None = None
    bfd_multiplier: int | None = None
    shutdown: bool | None = None
    timers: tuple[int, int] | None = None  # keepalive, hold
    ebgp_multihop: int | None = None
    local_as: str | None = None
    ipv4: bool | None = None  # address-family ipv4 unicast
    policy_in: str | None = None
    policy_out: str | None = None
    rr_client: bool | None = None
    next_hop_self: bool | None = None
    send_community_ebgp: bool | None = None
    send_ext_community_ebgp: bool | None = None
    soft_reconfig: bool | None = None

    def merged(self, group: PeerConfig | None) -> PeerConfig:
        out = PeerConfig()
        for f in fields(self):
            mine = getattr(self, f.name)
            setattr(out, f.name, mine if mine is not None or group is None else getattr(group, f.name))
        return out


@dataclass
class Neighbor:
    ip: str
    group: str | None  # use neighbor-group
    own: PeerConfig  # set on the neighbor itself
    eff: PeerConfig  # in effect: own, else the neighbor-group's
    remote_as: str | None = None
    description: str = ""
    update_source: str | None = None
    bfd: Bfd | None = None
    policy_in: str | None = None
    policy_out: str | None = None
    rr_client: bool = False
    next_hop_self: bool = False
    shutdown: bool = False
    ipv4: bool = False
    ebgp: bool = False


@dataclass
class Bgp:
    asn: str
    router_id: str | None = None
    cluster_id: str | None = None
    timers: tuple[int, int] | None = None
    ipv4: bool = False  # global address-family ipv4 unicast
    networks: list[tuple[str, str | None]] = field(default_factory=list)  # prefix, route-policy
    redistribute: list[tuple[str, str | None]] = field(default_factory=list)  # FRR source, route-policy
    ebgp_paths: int = 1
    ibgp_paths: int = 1
    multipath_relax: bool = False
    groups: dict[str, PeerConfig] = field(default_factory=dict)
    neighbors: list[Neighbor] = field(default_factory=list)


@dataclass
class IsisInterface:
    name: str
    passive: bool = False
    p2p: bool = False
    ipv4: bool = False
    metric: dict[int, int] = field(default_factory=dict)  # level (0: both) -> metric
    bfd: Bfd | None = None
    circuit_type: str | None = None


@dataclass
class Isis:
    instance: str
    is_type: str = "level-1-2"
    nets: list[str] = field(default_factory=list)
    metric_style: str = "narrow"  # XR's default
    router_id: str | None = None
    log_adjacency: bool = False
    interfaces: dict[str, IsisInterface] = field(default_factory=dict)


@dataclass
class OspfInterface:
    name: str
    area: str
    passive: bool = False
    p2p: bool = False
    cost: int | None = None
    hello: int | None = None
    dead: int | None = None
    bfd: Bfd | None = None


@dataclass
class Ospf:
    process: str
    router_id: str | None = None
    interfaces: dict[str, OspfInterface] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    """A prefix-set entry: ``net`` with prefix lengths lo..hi."""

    net: ipaddress.IPv4Network
    lo: int
    hi: int

    def frr(self) -> str:
        plen, top = self.net.prefixlen, self.net.max_prefixlen
        if self.lo == plen and self.hi == plen:
            return f"permit {self.net}"
        if self.lo == plen:
            return f"permit {self.net} le {self.hi}"
        if self.hi == top:
            return f"permit {self.net} ge {self.lo}"
        return f"permit {self.net} ge {self.lo} le {self.hi}"

    def __and__(self, other: Rule) -> Rule | None:
        a, b = (self, other) if self.net.prefixlen >= other.net.prefixlen else (other, self)
        if not a.net.subnet_of(b.net):
            return None
        lo, hi = max(a.lo, b.lo), min(a.hi, b.hi)
        return Rule(a.net, lo, hi) if lo <= hi else None


@dataclass
class Entry:
    """One route-map entry: one path through a route-policy."""

    permit: bool
    sets: list[str] = field(default_factory=list)  # FRR `set ...` lines
    match: str | None = None  # prefix-list name


@dataclass
class Device:
    hostname: str
    interfaces: dict[str, Interface] = field(default_factory=dict)
    bgp: Bgp | None = None
    isis: Isis | None = None
    ospf: Ospf | None = None
    statics: list[tuple[str, str, int | None]] = field(default_factory=list)  # prefix, FRR nexthop, distance
    prefix_sets: dict[str, list[Rule]] = field(default_factory=dict)
    route_policies: dict[str, list[str]] = field(default_factory=dict)  # name -> body lines
    lldp: bool = False
    errors: list[tuple[tuple[str, ...], str]] = field(default_factory=list)  # (config path, reason)
    # route-policy name -> its route-map entries; extra prefix-lists the translation made
    route_maps: dict[str, list[Entry]] = field(default_factory=dict)
    extra_lists: dict[str, list[Rule]] = field(default_factory=dict)

    def loopbacks(self) -> frozenset[str]:
        return frozenset(i.linux for i in self.interfaces.values() if i.loopback)


# ---- parsing -------------------------------------------------------------------------------
def parse(conf: Config, default_hostname: str) -> Device:
    root = conf.root
    dev = Device(hostname=_val(root, "hostname") or default_hostname)
    dev.lldp = _one(root, "lldp") is not None
    for node in _kids(root, "interface"):
        if len(node.words) == 2:
            _parse_interface(dev, node)
    for node in _kids(root, "prefix-set"):
        if len(node.words) == 2:
            dev.prefix_sets[node.words[1]] = _prefix_rules(node.body or [])
    for node in _kids(root, "route-policy"):
        if len(node.words) == 2:
            dev.route_policies[node.words[1]] = _body(node.body or [], "end-policy")
    _parse_static(dev, _one(root, "router", "static"))
    isis = _kids(root, "router", "isis")
    if isis and len(isis[0].words) == 3:
        _parse_isis(dev, isis[0])
    ospf = _kids(root, "router", "ospf")
    if ospf and len(ospf[0].words) == 3:
        _parse_ospf(dev, ospf[0])
    bgp = _kids(root, "router", "bgp")
    if bgp and len(bgp[0].words) == 3:
        _parse_bgp(dev, bgp[0])
    return dev


def _parse_interface(dev: Device, node: Node) -> None:
    name = canonical(node.words[1])
    linux = to_linux(name)
    if linux is None:
        return  # other kinds of port do not exist in the lab
    # The management port (eth0) is modelled for the operational state (its vrf, description), but the
    # lab owns it: kernel_links and to_frr leave it alone.
    i = Interface(name=name, linux=linux, description=_rest(node, "description") or "",
                  shutdown=_one(node, "shutdown") is not None, vrf=_val(node, "vrf"),
                  mtu=_int(_val(node, "mtu")), ipv4_mtu=_int(_val(node, "ipv4", "mtu")))
    for a in _kids(node, "ipv4", "address"):
        w = a.words[2:]
        try:
            if len(w) >= 2 and "." in w[1]:
                addr = str(ipaddress.ip_interface(f"{w[0]}/{w[1]}"))
            elif w and "/" in w[0]:
                addr = str(ipaddress.ip_interface(w[0]))
            else:
                continue  # `ipv4 address dhcp` and the like
        except ValueError:
            continue
        if "secondary" in w:
            i.ipv4.append(addr)
        else:
            i.ipv4.insert(0, addr)
    for a in _kids(node, "ipv6", "address"):
        if len(a.words) >= 3 and "/" in a.words[2]:
            i.ipv6.append(a.words[2])
    dev.interfaces[name] = i


def _body(lines: Iterable[str], end: str) -> list[str]:
    out = []
    for ln in lines:
        s = ln.strip()
        if s and not s.startswith("#") and s != end and s != "!":
            out.append(s)
    return out


def _prefix_rules(lines: Iterable[str]) -> list[Rule]:
    rules = []
    for item in " ".join(_body(lines, "end-set")).split(","):
        if (r := _rule(item.split())) is not None:
            rules.append(r)
    return rules


def _rule(words: list[str]) -> Rule | None:
    """``10.0.0.0/8 [ge N] [le M] | [eq N]`` (XR prefix-set syntax); IPv6 entries are not routed here."""
    if not words:
        return None
    try:
        net = ipaddress.IPv4Network(words[0], strict=False)
    except ValueError:
        return None
    plen, top = net.prefixlen, net.max_prefixlen
    opts = dict(zip(words[1::2], (int(v) for v in words[2::2] if v.isdigit()), strict=False))
    if "eq" in opts:
        lo = hi = opts["eq"]
    else:
        lo = opts.get("ge", plen)
        hi = opts.get("le", top if "ge" in opts else plen)
    lo = max(lo, plen)
    return Rule(net, lo, hi) if lo <= hi <= top else None


def _parse_static(dev: Device, node: Node | None) -> None:
    for r in _kids(_one(node, "address-family", "ipv4", "unicast")):  # vrf blocks: not FRR's default VRF
        w = list(r.words)
        if len(w) < 2 or "/" not in w[0]:
            continue
        prefix, rest = w[0], w[1:]
        hops: list[str] = []
        distance = None
        for tok in rest:
            if tok.isdigit() and distance is None:
                distance = int(tok)
            elif tok in ("description", "tag", "metric", "permanent", "bfd", "vrf"):
                break
            else:
                hops.append(tok)
        if not hops:
            continue
        nh = hops[-1]
        if canonical(hops[0]).lower().startswith("null"):
            nh = "blackhole"
        elif not re.fullmatch(r"[\d.]+", nh):
            linux = to_linux(nh)
            if linux is None or linux == "eth0":
                continue
            nh = linux
        elif len(hops) == 2 and (linux := to_linux(hops[0])) and linux != "eth0":
            nh = f"{hops[1]} {linux}"
        dev.statics.append((prefix, nh, distance))


def _bfd(node: Node | None, default_interval: int) -> tuple[bool, Bfd]:
    """(fast-detect on, its timers) of an XR BFD-capable block."""
    on = any(c.words[:2] == ("bfd", "fast-detect") for c in (node.children if node else ()))
    interval = _int(_val(node, "bfd", "minimum-interval")) or default_interval
    mult = _int(_val(node, "bfd", "multiplier")) or 3
    return on, Bfd(interval, mult)


def _parse_isis(dev: Device, node: Node) -> None:
    isis = Isis(instance=node.words[2])
    isis.is_type = _val(node, "is-type") or "level-1-2"
    isis.nets = [c.words[1] for c in _kids(node, "net") if len(c.words) == 2]
    isis.log_adjacency = _one(node, "log", "adjacency", "changes") is not None
    af = _one(node, "address-family", "ipv4", "unicast")
    for c in _kids(af, "metric-style"):
        isis.metric_style = c.words[1] if len(c.words) > 1 else isis.metric_style
    isis.router_id = _val(af, "router-id")
    for itf in _kids(node, "interface"):
        if len(itf.words) != 2:
            continue
        name = canonical(itf.words[1])
        ii = IsisInterface(name=name, passive=_one(itf, "passive") is not None,
                           p2p=_one(itf, "point-to-point") is not None,
                           circuit_type=_val(itf, "circuit-type"))
        iaf = _one(itf, "address-family", "ipv4", "unicast")
        ii.ipv4 = iaf is not None
        for m in _kids(iaf, "metric"):
            w = m.words
            if len(w) >= 2 and w[1].isdigit():
                ii.metric[int(w[3]) if len(w) == 4 and w[2] == "level" and w[3].isdigit() else 0] = int(w[1])
        on = any(c.words[:3] == ("bfd", "fast-detect", "ipv4") for c in itf.children)
        ii.bfd = _bfd(itf, XR_BFD_IGP)[1] if on else None
        isis.interfaces[name] = ii
    dev.isis = isis


def _parse_ospf(dev: Device, node: Node) -> None:
    ospf = Ospf(process=node.words[2], router_id=_val(node, "router-id"))

    def settings(n: Node | None, base: dict[str, object]) -> dict[str, object]:
        """OSPF inherits interface settings from the process and the area."""
        out = dict(base)
        if n is None:
            return out
        if (p := _kids(n, "passive")):
            out["passive"] = p[0].words[1:] in ((), ("enable",))
        if (nt := _val(n, "network")) is not None:
            out["p2p"] = nt == "point-to-point"
        for kw in ("cost", "hello-interval", "dead-interval"):
            if (v := _int(_val(n, kw))) is not None:
                out[kw] = v
        if any(c.words[:2] == ("bfd", "fast-detect") for c in n.children):
            out["bfd"] = True
        for kw in ("minimum-interval", "multiplier"):
            if (v := _int(_val(n, "bfd", kw))) is not None:
                out[f"bfd-{kw}"] = v
        return out

    top = settings(node, {})
    for area in _kids(node, "area"):
        if len(area.words) != 2:
            continue
        at_area = settings(area, top)
        for itf in _kids(area, "interface"):
            if len(itf.words) != 2:
                continue
            s = settings(itf, at_area)
            name = canonical(itf.words[1])
            bfd = None
            if s.get("bfd"):
                bfd = Bfd(int(s.get("bfd-minimum-interval", XR_BFD_IGP)),  # type: ignore[call-overload]
                          int(s.get("bfd-multiplier", 3)))  # type: ignore[call-overload]
            ospf.interfaces[name] = OspfInterface(
                name=name, area=area.words[1], passive=bool(s.get("passive")), p2p=bool(s.get("p2p")),
                cost=s.get("cost"), hello=s.get("hello-interval"), dead=s.get("dead-interval"),  # type: ignore[arg-type]
                bfd=bfd)
    dev.ospf = ospf


def _peer_config(node: Node) -> PeerConfig:
    p = PeerConfig(remote_as=_val(node, "remote-as"), description=_rest(node, "description"),
                   update_source=_val(node, "update-source"), local_as=_val(node, "local-as"))
    if p.update_source:
        p.update_source = canonical(p.update_source)
    if any(c.words[:2] == ("bfd", "fast-detect") for c in node.children):
        p.bfd = True
    p.bfd_interval = _int(_val(node, "bfd", "minimum-interval"))
    p.bfd_multiplier = _int(_val(node, "bfd", "multiplier"))
    if _one(node, "shutdown") is not None:
        p.shutdown = True
    t = _kids(node, "timers")
    if t and len(t[0].words) >= 3 and t[0].words[1].isdigit() and t[0].words[2].isdigit():
        p.timers = (int(t[0].words[1]), int(t[0].words[2]))
    if (m := _kids(node, "ebgp-multihop")):
        p.ebgp_multihop = _int(m[0].words[1] if len(m[0].words) > 1 else "255")
    af = _one(node, "address-family", "ipv4", "unicast")
    if af is not None:
        p.ipv4 = True
        for c in _kids(af, "route-policy"):
            if len(c.words) == 3 and c.words[2] in ("in", "out"):
                setattr(p, f"policy_{c.words[2]}", c.words[1])
        for kw, attr in (("route-reflector-client", "rr_client"), ("next-hop-self", "next_hop_self"),
                         ("send-community-ebgp", "send_community_ebgp"),
                         ("send-extended-community-ebgp", "send_ext_community_ebgp")):
            if _one(af, kw) is not None:
                setattr(p, attr, True)
        if _kids(af, "soft-reconfiguration", "inbound"):
            p.soft_reconfig = True
    return p


def _parse_bgp(dev: Device, node: Node) -> None:
    bgp = Bgp(asn=node.words[2], router_id=_val(node, "bgp", "router-id"),
              cluster_id=_val(node, "bgp", "cluster-id"))
    t = _kids(node, "timers", "bgp")
    if t and len(t[0].words) >= 4 and t[0].words[2].isdigit() and t[0].words[3].isdigit():
        bgp.timers = (int(t[0].words[2]), int(t[0].words[3]))
    bgp.multipath_relax = _one(node, "bgp", "bestpath", "as-path", "multipath-relax") is not None
    path = (node.line,)
    af = _one(node, "address-family", "ipv4", "unicast")
    if af is not None:
        bgp.ipv4 = True
        for c in af.children:
            w = c.words
            if w[:1] == ("network",) and len(w) >= 2:
                pol = w[3] if len(w) >= 4 and w[2] == "route-policy" else None
                bgp.networks.append((w[1], pol))
                _attach(dev, pol, path + (af.line, c.line))
            elif w[:1] == ("redistribute",) and len(w) >= 2 and w[1] in REDISTRIBUTE:
                pol = w[w.index("route-policy") + 1] if "route-policy" in w[:-1] else None
                bgp.redistribute.append((w[1], pol))
                _attach(dev, pol, path + (af.line, c.line))
            elif w[:1] == ("maximum-paths",) and len(w) == 3 and w[2].isdigit():
                if w[1] in ("ebgp", "eibgp"):
                    bgp.ebgp_paths = int(w[2])
                if w[1] in ("ibgp", "eibgp"):
                    bgp.ibgp_paths = int(w[2])
    for g in _kids(node, "neighbor-group"):
        if len(g.words) == 2:
            bgp.groups[g.words[1]] = _peer_config(g)
            _check_af(dev, bgp, g, path + (g.line,))
            gaf = _one(g, "address-family", "ipv4", "unicast")
            for c in _kids(gaf, "route-policy"):
                _attach(dev, c.words[1] if len(c.words) > 1 else None, path + (g.line, gaf.line, c.line))  # type: ignore[union-attr]
    for n in _kids(node, "neighbor"):
        if len(n.words) != 2:
            continue
        npath = path + (n.line,)
        own = _peer_config(n)
        gname = _val(n, "use", "neighbor-group")
        group = bgp.groups.get(gname) if gname else None
        if gname and group is None:
            dev.errors.append((npath + (f"use neighbor-group {gname}",),
                               f"Neighbor-group '{gname}' does not exist"))
            continue
        _check_af(dev, bgp, n, npath)
        naf = _one(n, "address-family", "ipv4", "unicast")
        for c in _kids(naf, "route-policy"):
            _attach(dev, c.words[1] if len(c.words) > 1 else None, npath + (naf.line, c.line))  # type: ignore[union-attr]
        eff = own.merged(group)
        if eff.remote_as is None:
            dev.errors.append((npath, NO_REMOTE_AS))
            continue
        bfd_on = bool(eff.bfd)
        nb = Neighbor(ip=n.words[1], group=gname, own=own, eff=eff, remote_as=eff.remote_as,
                      description=eff.description or "", update_source=eff.update_source,
                      bfd=Bfd(eff.bfd_interval or XR_BFD_BGP, eff.bfd_multiplier or 3) if bfd_on else None,
                      policy_in=eff.policy_in, policy_out=eff.policy_out, rr_client=bool(eff.rr_client),
                      next_hop_self=bool(eff.next_hop_self), shutdown=bool(eff.shutdown),
                      ipv4=bool(eff.ipv4), ebgp=eff.remote_as != (eff.local_as or bgp.asn))
        bgp.neighbors.append(nb)
    dev.bgp = bgp


def _check_af(dev: Device, bgp: Bgp, node: Node, path: tuple[str, ...]) -> None:
    if not bgp.ipv4 and (af := _one(node, "address-family", "ipv4", "unicast")) is not None:
        dev.errors.append((path + (af.line,), "The parent address family has not been initialized"))


def _attach(dev: Device, policy: str | None, path: tuple[str, ...]) -> None:
    """A route-policy at an attach point: it, and all it uses, must exist (XR checks at attach time)."""
    if policy is None:
        return
    if policy not in dev.route_policies:
        dev.errors.append((path, f"Policy [{policy}] does not exist"))
        return
    for kind, name in _references(dev, policy, set()):
        dev.errors.append((path, f"Policy [{policy}] uses the {kind} [{name}] which does not exist"))


def _references(dev: Device, policy: str, seen: set[str]) -> list[tuple[str, str]]:
    """Undefined sets and policies a (defined) policy uses, ``apply`` followed."""
    seen.add(policy)
    missing = []
    for ln in dev.route_policies.get(policy, []):
        for m in re.finditer(r"\bdestination in ([\w.-]+)", ln):
            if m.group(1) not in dev.prefix_sets:
                missing.append(("prefix-set", m.group(1)))
        if m2 := re.match(r"^apply ([\w.-]+)", ln):
            sub = m2.group(1)
            if sub not in dev.route_policies:
                missing.append(("route-policy", sub))
            elif sub not in seen:
                missing += _references(dev, sub, seen)
    return missing


# ---- RPL -> route-map entries ----------------------------------------------------------------
Conj = list[list[Rule]] | None  # rule sets a route must all be in (None: a condition the twin cannot match)
Dnf = list[Conj]
State = tuple[list[list[Rule]] | None, bool, list[str], bool | None]  # path conds, accepted, sets, final
Branch = tuple[Dnf | None, list[str]]  # condition (None: else), body


class _Rpl:
    """Enumerates the paths through a route-policy (see the module docstring)."""

    def __init__(self, dev: Device, name: str) -> None:
        self.dev = dev
        self.name = name
        self.inline = 0

    def entries(self) -> list[Entry]:
        # a state: (rule sets the path requires (None: cannot match), accepted, sets, finished-as)
        states: list[State] = [([], False, [], None)]
        states = self._run(self.dev.route_policies.get(self.name, []), states, {self.name})
        out: list[Entry] = []
        for conds, accepted, sets, final in states:
            if conds is None:
                continue
            permit = final if final is not None else accepted
            rules = self._intersect(conds)
            if rules is not None and not rules:
                continue  # a path no route can take
            e = Entry(permit=permit, sets=sets if permit else [])
            if rules is not None:
                e.match = self._list(conds, rules)
            out.append(e)
            if rules is None:
                break  # unconditional: later paths are never reached
        return out

    def _list(self, conds: list[list[Rule]], rules: list[Rule]) -> str:
        for name, rs in self.dev.prefix_sets.items():
            if len(conds) == 1 and rs == conds[0]:
                return name
        for name, rs in self.dev.extra_lists.items():
            if rs == rules and name.startswith(f"{self.name}-"):
                return name
        self.inline += 1
        name = f"{self.name}-{self.inline}"
        self.dev.extra_lists[name] = rules
        return name

    @staticmethod
    def _intersect(conds: list[list[Rule]]) -> list[Rule] | None:
        if not conds:
            return None
        acc = conds[0]
        for c in conds[1:]:
            acc = [r for a in acc for b in c if (r := a & b) is not None]
        return list(dict.fromkeys(acc))

    def _run(self, body: list[str], states: list[State], stack: set[str]) -> list[State]:
        i = 0
        while i < len(body):
            w = body[i].split()
            if w[0] == "if":
                branches, i = self._if_block(body, i)
                nxt: list[State] = []
                for st in states:
                    if st[3] is not None or st[0] is None:
                        nxt.append(st)
                        continue
                    for cond, sub in branches:
                        for conj in (cond if cond is not None else [[]]):
                            extra = None if conj is None else st[0] + conj
                            nxt += self._run(sub, [(extra, st[1], list(st[2]), None)], stack)
                states = nxt[:MAX_PATHS]
                continue
            states = [s for st in states
                      for s in (self._act(st, w, stack) if st[3] is None and st[0] is not None else [st])]
            i += 1
        return states

    def _if_block(self, body: list[str], i: int) -> tuple[list[Branch], int]:
        """``if``/``elseif``/``else``/``endif`` from line i: its branches, and the line after it."""
        branches: list[Branch] = []
        cur: Branch | None = None
        depth = 0
        j = i
        while j < len(body):
            w = body[j].split()
            if depth == 0 and w[0] in ("if", "elseif") and (j == i or w[0] == "elseif"):
                cur = (self._cond(" ".join(w[1:-1] if w[-1] == "then" else w[1:])), [])
                branches.append(cur)
            elif depth == 0 and w == ["else"]:
                cur = (None, [])
                branches.append(cur)
            elif depth == 0 and w == ["endif"]:
                break
            else:
                if w[0] == "if":
                    depth += 1
                elif w == ["endif"]:
                    depth -= 1
                assert cur is not None
                cur[1].append(body[j])
            j += 1
        if branches and branches[-1][0] is not None:
            branches.append((None, []))  # no else: a route no branch takes goes on unchanged
        return branches, j + 1

    def _cond(self, text: str) -> Dnf:
        """A condition as a DNF of prefix-rule sets; a conjunction is None when the twin cannot match it
        (conditions other than ``destination in``: such a branch is never taken)."""
        text = text.strip()
        ors = _split_top(text, "or")
        if len(ors) > 1:
            return [c for part in ors for c in self._cond(part)]
        ands = _split_top(text, "and")
        if len(ands) > 1:
            out: Dnf = [[]]
            for part in ands:
                sub = self._cond(part)
                out = [None if a is None or b is None else a + b for a in out for b in sub]
            return out
        if text.startswith("(") and text.endswith(")"):
            return self._cond(text[1:-1])
        m = re.fullmatch(r"destination in (\S+)", text)
        if m and m.group(1) in self.dev.prefix_sets:
            return [[self.dev.prefix_sets[m.group(1)]]]
        m = re.fullmatch(r"destination in \((.*)\)", text)
        if m:
            return [[[r for item in m.group(1).split(",") if (r := _rule(item.split()))]]]
        return [None]

    def _act(self, st: State, w: list[str], stack: set[str]) -> list[State]:
        conds, accepted, sets, _ = st
        if w[0] == "pass":
            return [(conds, True, sets, None)]
        if w[0] == "drop":
            return [(conds, False, sets, False)]
        if w[0] == "done":
            return [(conds, True, sets, True)]
        if w[0] == "apply" and len(w) == 2 and w[1] not in stack and w[1] in self.dev.route_policies:
            return self._run(self.dev.route_policies[w[1]], [st], stack | {w[1]})
        frr = _set_line(w)
        if frr is not None:
            return [(conds, True, sets + [frr], None)]
        return [st]


def _split_top(text: str, op: str) -> list[str]:
    parts: list[str] = []
    cur: list[str] = []
    depth = 0
    for tok in re.findall(r"\(|\)|[^\s()]+", text):
        depth += tok == "("
        depth -= tok == ")"
        if depth == 0 and tok == op:
            parts.append(" ".join(cur))
            cur = []
        else:
            cur.append(tok)
    parts.append(" ".join(cur))
    return [p.replace("( ", "(").replace(" )", ")") for p in parts]


def _set_line(w: list[str]) -> str | None:
    """An RPL action as an FRR route-map ``set`` (None: not translated; XR's set also means pass)."""
    if w[:2] == ["set", "local-preference"] and len(w) == 3 and w[2].isdigit():
        return f" set local-preference {w[2]}"
    if w[:2] == ["set", "med"] and len(w) == 3 and w[2].isdigit():
        return f" set metric {w[2]}"
    if w[:2] == ["set", "weight"] and len(w) == 3 and w[2].isdigit():
        return f" set weight {w[2]}"
    if w[:2] == ["set", "origin"] and len(w) == 3 and w[2] in ("igp", "egp", "incomplete"):
        return f" set origin {w[2]}"
    if w[:2] == ["prepend", "as-path"] and len(w) in (3, 4) and w[2].isdigit():
        n = int(w[3]) if len(w) == 4 and w[3].isdigit() else 1
        return " set as-path prepend " + " ".join([w[2]] * n)
    return None


# ---- FRR -----------------------------------------------------------------------------------
def _bfd_lines(prefix: str, b: Bfd | None) -> list[str]:
    if b is None:
        return []
    return [f"{prefix}bfd"] + ([f"{prefix}bfd profile {b.profile}"] if b.profile else [])


def to_frr(dev: Device) -> str:
    """The FRR integrated configuration equivalent to the XR configuration."""
    out = ["frr defaults traditional", f"hostname {dev.hostname}", "service integrated-vtysh-config",
           "ip forwarding"]
    for prefix, nh, dist in dev.statics:
        out.append(f"ip route {prefix} {nh}" + (f" {dist}" if dist and dist != 1 else ""))
    isis = dev.isis.interfaces if dev.isis else {}
    ospf = dev.ospf.interfaces if dev.ospf else {}
    if dev.isis:
        # before the interfaces: FRR checks an interface's metric against the instance's metric-style
        # (frr-reload applies in file order; a metric over 63 before the instance exists is refused)
        out.append(f"router isis {dev.isis.instance}")
        if dev.isis.is_type in ("level-1", "level-2-only"):  # level-1-2: both defaults, never shown
            out.append(f" is-type {dev.isis.is_type}")
        if dev.isis.metric_style in ("narrow", "transition"):  # wide: FRR's default
            out.append(f" metric-style {dev.isis.metric_style}")
        if dev.isis.log_adjacency:
            out.append(" log-adjacency-changes")
        out.append(ISIS_LSP_GEN_INTERVAL)
        # net last: isisd reads its file line by line, and is-type/metric-style after net arm the next LSP
        # regeneration with the default 30 s interval, which lsp-timers does not re-arm (see the Junos twin)
        out += [f" net {n}" for n in dev.isis.nets]
        out.append("exit")
    names = list(dev.interfaces) + [n for n in list(isis) + list(ospf) if n not in dev.interfaces]
    for name in dict.fromkeys(names):
        linux = to_linux(name)
        if linux is None or linux == "eth0":
            continue
        itf = dev.interfaces.get(name) or Interface(name=name, linux=linux, shutdown=True)
        if itf.vrf:
            continue  # another VRF: not routed by the default one (nor by FRR here)
        start = len(out)
        out.append(f"interface {linux}")
        if itf.description:
            out.append(f" description {itf.description}")
        out += [f" ip address {a}" for a in itf.ipv4]
        out += [f" ipv6 address {a}" for a in itf.ipv6]
        if (o := ospf.get(name)) is not None:
            out.append(f" ip ospf area {o.area}")
            if o.p2p and not itf.loopback:
                out.append(" ip ospf network point-to-point")
            out.append(f" ip ospf cost {o.cost if o.cost is not None else 1}")
            if o.hello is not None and o.hello != 10:  # 10/40: XR's and FRR's defaults, never shown
                out.append(f" ip ospf hello-interval {o.hello}")
            if o.dead is not None and o.dead != 40:
                out.append(f" ip ospf dead-interval {o.dead}")
            if o.passive or itf.loopback:
                out.append(" ip ospf passive")
            out += _bfd_lines(" ip ospf ", o.bfd)
        if (s := isis.get(name)) is not None and s.ipv4 and dev.isis:
            out.append(f" ip router isis {dev.isis.instance}")
            if s.p2p and not itf.loopback:
                out.append(" isis network point-to-point")
            if s.passive or itf.loopback:
                out.append(" isis passive")
            if s.circuit_type in ("level-1", "level-2-only"):
                out.append(f" isis circuit-type {s.circuit_type}")
            both = s.metric.get(0, 10)
            m1, m2 = s.metric.get(1, both), s.metric.get(2, both)
            if dev.isis.metric_style == "narrow":  # narrow metrics stop at 63 (XR caps, FRR refuses more)
                m1, m2 = min(m1, 63), min(m2, 63)
            if m1 == m2:
                if m1 != 10:  # 10: the default of both (FRR never shows it)
                    out.append(f" isis metric {m1}")
            else:  # FRR then shows both levels, the default one too
                out += [f" isis metric level-1 {m1}", f" isis metric level-2 {m2}"]
            out += _bfd_lines(" isis ", s.bfd)
        if itf.shutdown:
            out.append(" shutdown")
        if len(out) == start + 1:
            del out[start:]  # FRR shows no empty interface stanza
        else:
            out.append("exit")
    used = _used_policies(dev)
    dev.route_maps = {}
    dev.extra_lists = {}
    for name in used:
        dev.route_maps[name] = _Rpl(dev, name).entries()
    for name, rules in list(dev.prefix_sets.items()) + list(dev.extra_lists.items()):
        out += [f"ip prefix-list {name} seq {5 * (k + 1)} {r.frr()}" for k, r in enumerate(rules)]
    for name, entries in dev.route_maps.items():
        if not entries:
            out += [f"route-map {name} deny 65535", "exit"]
        for k, e in enumerate(entries):
            out.append(f"route-map {name} {'permit' if e.permit else 'deny'} {10 * (k + 1)}")
            if e.match:
                out.append(f" match ip address prefix-list {e.match}")
            out += e.sets
            out.append("exit")
    if dev.bgp:
        out += _bgp(dev, dev.bgp)
    if dev.ospf:
        out.append("router ospf")
        if dev.ospf.router_id:
            out.append(f" ospf router-id {dev.ospf.router_id}")
        out.append("exit")
    out += bfd_profiles({b.profile: (b.interval, b.interval, b.multiplier)
                         for b in _bfd_used(dev) if b.profile})
    return "\n".join(out) + "\n"


def _used_policies(dev: Device) -> list[str]:
    used: list[str | None] = []
    if dev.bgp:
        used += [p for _, p in dev.bgp.networks] + [p for _, p in dev.bgp.redistribute]
        for g in dev.bgp.groups.values():
            used += [g.policy_in, g.policy_out]
        for n in dev.bgp.neighbors:
            used += [n.own.policy_in, n.own.policy_out]
    return [p for p in dict.fromkeys(used) if p and p in dev.route_policies]


def _bfd_used(dev: Device) -> list[Bfd]:
    out = [i.bfd for i in (dev.isis.interfaces.values() if dev.isis else ()) if i.bfd and i.ipv4]
    out += [i.bfd for i in (dev.ospf.interfaces.values() if dev.ospf else ()) if i.bfd]
    if dev.bgp:
        out += [_group_bfd(g) for g in dev.bgp.groups.values() if g.bfd]  # type: ignore[misc]
        out += [n.bfd for n in dev.bgp.neighbors if n.bfd]
    return [b for b in out if b is not None]


def _group_bfd(g: PeerConfig) -> Bfd:
    return Bfd(g.bfd_interval or XR_BFD_BGP, g.bfd_multiplier or 3)


def _source(name: str | None) -> str | None:
    linux = to_linux(name) if name else None
    return linux if linux != "eth0" else None


def _peer_lines(who: str, p: PeerConfig, bfd: Bfd | None) -> list[str]:
    """Session settings set at this level (a neighbor-group, or a neighbor itself)."""
    out = []
    if p.description:
        out.append(f" neighbor {who} description {p.description}")
    if p.local_as:
        out.append(f" neighbor {who} local-as {p.local_as}")
    if p.shutdown:
        out.append(f" neighbor {who} shutdown")
    if p.ebgp_multihop:
        out.append(f" neighbor {who} ebgp-multihop {p.ebgp_multihop}")
    if (src := _source(p.update_source)) is not None:
        out.append(f" neighbor {who} update-source {src}")
    if p.timers and p.timers != (60, 180):
        out.append(f" neighbor {who} timers {p.timers[0]} {p.timers[1]}")
    out += _bfd_lines(f" neighbor {who} ", bfd)
    return out


def _af_lines(who: str, p: PeerConfig, activate: bool = True) -> list[str]:
    out = []
    if p.ipv4 and activate:  # a member of an activated peer-group is active (FRR shows no line)
        out.append(f"  neighbor {who} activate")
    if p.rr_client:
        out.append(f"  neighbor {who} route-reflector-client")
    if p.next_hop_self:
        out.append(f"  neighbor {who} next-hop-self")
    if p.soft_reconfig:
        out.append(f"  neighbor {who} soft-reconfiguration inbound")
    for d in ("in", "out"):
        if (pol := getattr(p, f"policy_{d}")) is not None:
            out.append(f"  neighbor {who} route-map {pol} {d}")
    return out


def _bgp(dev: Device, bgp: Bgp) -> list[str]:
    pre: list[str] = []
    head = [f"router bgp {bgp.asn}"]
    if bgp.router_id:
        head.append(f" bgp router-id {bgp.router_id}")
    if bgp.cluster_id:
        head.append(f" bgp cluster-id {bgp.cluster_id}")
    head += [" no bgp ebgp-requires-policy", " no bgp default ipv4-unicast"]
    if bgp.timers and bgp.timers != (60, 180):
        head.append(f" timers bgp {bgp.timers[0]} {bgp.timers[1]}")
    if bgp.multipath_relax:
        head.append(" bgp bestpath as-path multipath-relax")
    af: list[str] = []
    for gname, g in bgp.groups.items():
        head.append(f" neighbor {gname} peer-group")
        head += _peer_lines(gname, g, _group_bfd(g) if g.bfd else None)
        if bgp.ipv4:
            af += _af_lines(gname, g)
    drop = False
    for n in bgp.neighbors:
        head.append(f" neighbor {n.ip} remote-as {n.remote_as}")
        if n.group:
            head.append(f" neighbor {n.ip} peer-group {n.group}")
        own_bfd = n.own.bfd or n.own.bfd_interval is not None or n.own.bfd_multiplier is not None
        head += _peer_lines(n.ip, n.own, n.bfd if own_bfd else None)
        head.append(f" neighbor {n.ip} timers connect {CONNECT_RETRY}")
        if not bgp.ipv4:
            continue
        group = bgp.groups.get(n.group) if n.group else None
        af += _af_lines(n.ip, n.own, activate=not (group and group.ipv4))
        if n.ipv4 and n.ebgp:
            for d in ("in", "out"):
                if getattr(n, f"policy_{d}") is None:
                    drop = True
                    af.append(f"  neighbor {n.ip} route-map {DROP_ALL} {d}")
            off = [k for k, on in (("standard", n.eff.send_community_ebgp),
                                   ("extended", n.eff.send_ext_community_ebgp),
                                   ("large", n.eff.send_community_ebgp)) if not on]
            if len(off) == 3:  # FRR shows the three as one line
                off = ["all"]
            af += [f"  no neighbor {n.ip} send-community {k}" for k in off]
    if drop:
        pre += [f"route-map {DROP_ALL} deny 65535", "exit"]
    body: list[str] = []
    if bgp.ipv4:
        body.append(" address-family ipv4 unicast")
        body += [f"  network {p}" + (f" route-map {pol}" if pol else "") for p, pol in bgp.networks]
        for src, pol in bgp.redistribute:
            body.append(f"  redistribute {src}" + (f" route-map {pol}" if pol else ""))
        if bgp.ebgp_paths != FRR_MAXPATHS:
            body.append(f"  maximum-paths {bgp.ebgp_paths}")
        if bgp.ibgp_paths != FRR_MAXPATHS:
            body.append(f"  maximum-paths ibgp {bgp.ibgp_paths}")
        body += af
        body.append(" exit-address-family")
    return pre + head + body + ["exit"]


def kernel_links(dev: Device, ports: Iterable[str] = ()) -> dict[str, tuple[int, bool]]:
    """Linux interface -> (IP MTU, admin up) the kernel must reflect. ``ports``: the node's Linux data
    ports; one the configuration does not name is shut down, as an unconfigured XR interface is."""
    links = {i.linux: (i.ip_mtu, not i.shutdown) for i in dev.interfaces.values() if i.linux != "eth0"}
    for p in ports:
        if p not in links and p != "eth0" and to_xr(p) is not None:
            links[p] = (DEFAULT_IP_MTU, False)
    return links


def loopbacks(dev: Device) -> frozenset[str]:
    """The Linux stand-ins (dummies) the twin creates for LoopbackN."""
    return dev.loopbacks()


def failed_text(errors: list[tuple[tuple[str, ...], str]]) -> str:
    """``show configuration failed``: each refused item under its configuration path."""
    out = [SEMANTIC_HEADER.rstrip("\n"), "", ""]
    for path, reason in errors:
        out += [" " * k + ln for k, ln in enumerate(path)]
        out.append(f"!!% {reason}")
        out += [" " * k + "!" for k in range(len(path) - 2, -1, -1)]
    out.append("end")
    return "\n".join(out) + "\n"


def validate(conf: Config, hostname: str) -> Device:
    """The device a commit of ``conf`` would run; ConfigError (``show configuration failed`` text) if XR
    refuses it."""
    dev = parse(conf, hostname)
    if dev.errors:
        raise ConfigError(failed_text(dev.errors))
    return dev
