"""The routing model the Nokia twins (SR Linux and SR OS) translate their configuration into, and its
FRR configuration. Both routers share the routing-policy semantics kept here:

- Routing policies (statements/entries in order, ``default-action``) become route-maps. A route no
  statement decides gets the policy's default-action, else the protocol's default: BGP imports
  everything and exports BGP routes only (never local/static/IGP routes).
- An export policy applies to every route of the route table, not just BGP's: when one can accept
  local (direct), static, IS-IS or OSPF routes, those are redistributed into BGP *tagged* by source
  (``TAGS``; the tag never leaves the router), and each neighbor's outbound route-map decides, with
  ``match tag`` standing for the statement's ``match protocol``. Untagged = learned by BGP.
- eBGP without a policy rejects what no policy decided (RFC 8212: SR Linux ``ebgp-default-policy``,
  SR OS ``ebgp-default-reject-policy``), kept with explicit route-maps (FRR's ``ebgp-requires-policy``
  is off) because the flags are per direction and also close policy chains.
- BFD parameters live on the interface and a protocol's BFD only runs where its interface has BFD
  enabled; FRR takes them as BFD profiles (milliseconds), left out where they equal FRR's defaults.
- Defaults that differ from FRR's: BGP hold 90 s / keepalive 30 s; IS-IS metric style per level,
  narrow unless set; one path unless multipath says more.

Never emitted: a line FRR's running config would not show (FRR defaults such as ``metric-style wide``,
``isis metric 10``, BFD values 300 ms/3, ``is-type level-1-2``): the twins verify each commit with
``frr-reload --test`` (``fabric.frr_reload.not_applied``) and such a line would fail every commit.
Each vendor's parser (``fabric/vendors/<nos>/twin/control.py``) reads its own configuration into
``Device``; the route-map and profile names keep their historical ``SRL-``/``srl-`` prefixes.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any, cast

from fabric.twins.frr import ISIS_LSP_GEN_INTERVAL, bfd_profiles

FRR_BFD_DEFAULT = (300, 300, 3)  # FRR's default BFD tx/rx interval (ms) and multiplier
SRL_HOLD, SRL_KEEPALIVE = 90, 30
FRR_MAXPATHS = 64  # FRR's default maximum-paths (eBGP and iBGP), never shown in its running config
DEFAULT_IP_MTU = 1500
# source protocol -> (FRR redistribute keyword, tag marking it inside BGP)
TAGS = {"local": ("connected", 101), "static": ("static", 102), "isis": ("isis", 103),
        "ospfv2": ("ospf", 104)}
PROTO_ALIASES = {"direct": "local", "ospf": "ospfv2"}  # older releases' names
REJECT_ALL = "SRL-REJECT-ALL"
BGP_ONLY = "SRL-BGP-ONLY"
CONNECTED_PL = "SRL-DEFAULT-CONNECTED"


# ---- the model -------------------------------------------------------------------------------
@dataclass
class Interface:
    name: str  # ethernet-1/1, system0
    linux: str
    description: str = ""
    disabled: bool = False  # interface or subinterface 0 admin-state disable
    mtu: int | None = None  # port MTU, L2 header included
    ip_mtu: int | None = None  # subinterface 0
    ipv4: list[str] = field(default_factory=list)  # subinterface 0, when ipv4 is enabled
    routed: bool = False  # subinterface 0 belongs to network-instance default

    @property
    def kernel_mtu(self) -> int:
        mtu = self.ip_mtu or DEFAULT_IP_MTU
        return min(mtu, self.mtu - 14) if self.mtu else mtu


@dataclass(frozen=True)
class Bfd:
    tx_ms: int
    rx_ms: int
    multiplier: int

    @property
    def profile(self) -> str | None:
        if (self.tx_ms, self.rx_ms, self.multiplier) == FRR_BFD_DEFAULT:
            return None
        return f"srl-{self.tx_ms}-{self.rx_ms}x{self.multiplier}"


@dataclass
class Neighbor:
    ip: str
    group: str
    peer_as: int | None
    local_as: int | None = None
    description: str = ""
    enabled: bool = True
    ipv4: bool = True  # afi-safi ipv4-unicast active
    imports: list[str] = field(default_factory=list)
    exports: list[str] = field(default_factory=list)
    bfd: bool = False
    local_address: str | None = None
    rr_client: bool = False
    next_hop_self: bool = False
    hold: int | None = None
    keepalive: int | None = None
    connect_retry: int | None = None


@dataclass
class Bgp:
    asn: int | None
    router_id: str | None
    neighbors: list[Neighbor] = field(default_factory=list)
    groups: set[str] = field(default_factory=set)
    ebgp_paths: int = 1
    ibgp_paths: int = 1
    multiple_as: bool = True  # multipath allow-multiple-as (SR Linux's default)
    import_reject_all: bool = True
    export_reject_all: bool = True
    cluster_id: str | None = None


@dataclass
class IgpInterface:
    name: str  # subinterface, e.g. ethernet-1/1.0
    p2p: bool = False
    passive: bool = False
    bfd: bool = False
    metrics: dict[int, int] = field(default_factory=dict)  # IS-IS level -> metric
    metric: int | None = None  # OSPF
    area: str = ""


@dataclass
class Isis:
    tag: str
    nets: list[str]
    levels: set[int]  # level-capability
    narrow: set[int]  # levels with metric-style narrow
    interfaces: list[IgpInterface] = field(default_factory=list)


@dataclass
class Ospf:
    router_id: str | None
    interfaces: list[IgpInterface] = field(default_factory=list)


@dataclass
class Statement:
    name: str
    prefix_set: str | None = None
    protocol: str | None = None  # SR Linux name (local, bgp, isis, ospfv2, static ...)
    result: str | None = None  # accept | reject | None (no decision)
    local_preference: int | None = None
    med: int | None = None
    prepend: list[int] = field(default_factory=list)  # AS numbers to prepend, repeats spelled out (0: local)


@dataclass
class Policy:
    name: str
    statements: list[Statement] = field(default_factory=list)
    default: str | None = None  # default-action policy-result


@dataclass
class Device:
    hostname: str
    router_id: str | None = None
    lldp: bool = True
    interfaces: dict[str, Interface] = field(default_factory=dict)
    bgp: Bgp | None = None
    isis: Isis | None = None
    ospf: Ospf | None = None
    static_routes: list[tuple[str, str, int | None]] = field(default_factory=list)  # prefix, nh, distance
    prefix_sets: dict[str, list[str]] = field(default_factory=dict)  # name -> FRR "permit P [ge/le]"
    policies: dict[str, Policy] = field(default_factory=dict)
    bfd: dict[str, Bfd] = field(default_factory=dict)  # subinterface -> parameters (BFD enabled)
    errors: list[Exception] = field(default_factory=list)

    def bfd_for(self, subif: str) -> Bfd | None:
        return self.bfd.get(subif if "." in subif else f"{subif}.0")


# ---- FRR -------------------------------------------------------------------------------------
def _bfd_lines(prefix: str, b: Bfd | None, profile_kw: str = "bfd profile") -> list[str]:
    if b is None:
        return []
    out = [f"{prefix}bfd"]
    if b.profile:
        out.append(f"{prefix}{profile_kw} {b.profile}")
    return out


class _Maps:
    """Route-maps for policy chains, one per (chain, direction, fall-through), made on demand."""

    def __init__(self, dev: Device, tags: dict[str, int]) -> None:
        self.dev = dev
        self.tags = tags  # redistributed source protocol -> tag
        self.out: list[str] = []
        self.made: dict[tuple[tuple[str, ...], str, bool], str] = {}

    def get(self, chain: list[str], direction: str, reject: bool) -> str:
        key = (tuple(chain), direction, reject)
        if key not in self.made:
            name = "_".join(chain) + ("-ebgp" if reject else "") + f"-{direction}"
            self.made[key] = name
            self._emit(name, [self.dev.policies[p] for p in chain], direction == "out", reject)
        return self.made[key]

    def _emit(self, name: str, chain: list[Policy], export: bool, reject: bool) -> None:
        seq = 0
        final: str | None = None
        for pol in chain:
            for s in pol.statements:
                entry: list[str] = []
                if s.prefix_set:
                    entry.append(f" match ip address prefix-list {s.prefix_set}")
                if s.protocol not in (None, "bgp"):
                    if not export or s.protocol not in self.tags:
                        continue  # imports are all BGP routes; this protocol never reaches BGP
                    entry.append(f" match tag {self.tags[str(s.protocol)]}")
                sets = [f" set local-preference {s.local_preference}"] if s.local_preference else []
                sets += [f" set metric {s.med}"] if s.med is not None else []
                local = self.dev.bgp.asn if self.dev.bgp else None
                prepend = [str(a or local) for a in s.prepend]
                sets += [f" set as-path prepend {' '.join(prepend)}"] if s.prepend else []
                if s.result is None and not sets:
                    continue
                seq += 10
                if export and s.protocol == "bgp" and self.tags:
                    # `match protocol bgp`: routes redistributed here (tagged) skip the statement
                    for t in sorted(self.tags.values()):
                        self.out += [f"route-map {name} permit {seq}", f" match tag {t}",
                                     f" on-match goto {seq + len(self.tags) + 1}", "exit"]
                        seq += 1
                kind = "deny" if s.result == "reject" else "permit"
                self.out.append(f"route-map {name} {kind} {seq}")
                self.out += entry
                if kind == "permit":
                    self.out += sets
                    if s.result is None:
                        self.out.append(" on-match next")
                self.out.append("exit")
            if pol.default is not None:
                final = pol.default
                break
        if final is None:
            # the protocol's default: BGP imports all; exports BGP-learned routes only
            if export:
                for i, t in enumerate(sorted(self.tags.values())):
                    self.out += [f"route-map {name} deny {65500 + i}", f" match tag {t}", "exit"]
            final = "reject" if reject else "accept"
        self.out += [f"route-map {name} {'deny' if final == 'reject' else 'permit'} 65535", "exit"]


def _can_accept(pol_chain: list[Policy], proto: str) -> bool:
    """Could the export chain accept a route of this (non-BGP) source protocol?"""
    for pol in pol_chain:
        for s in pol.statements:
            if s.result == "accept" and s.protocol in (None, proto):
                return True
        if pol.default is not None:
            return pol.default == "accept"
    return False


def to_frr(dev: Device) -> str:
    """The FRR integrated configuration equivalent to the SR Linux configuration."""
    out = ["frr defaults traditional", f"hostname {dev.hostname}", "service integrated-vtysh-config",
           "ip forwarding"]
    for prefix, nh, dist in dev.static_routes:
        out.append(f"ip route {prefix} {nh}" + (f" {dist}" if dist and dist != 1 else ""))
    isis = {i.name.split(".")[0]: i for i in dev.isis.interfaces} if dev.isis else {}
    ospf = {i.name.split(".")[0]: i for i in dev.ospf.interfaces} if dev.ospf else {}
    for itf in dev.interfaces.values():
        if not itf.routed:
            continue
        start = len(out)
        out.append(f"interface {itf.linux}")
        if itf.description:
            out.append(f" description {itf.description}")
        out += [f" ip address {a}" for a in itf.ipv4]
        if (o := ospf.get(itf.name)) is not None and itf.ipv4:
            out.append(f" ip ospf area {o.area}")
            if o.p2p:
                out.append(" ip ospf network point-to-point")
            if o.metric is not None and o.metric != 10:  # FRR computes 10 from the reference bandwidth
                out.append(f" ip ospf cost {o.metric}")
            if o.passive:
                out.append(" ip ospf passive")
            if o.bfd:
                out += _bfd_lines(" ip ospf ", dev.bfd_for(o.name))
        if (s := isis.get(itf.name)) is not None and dev.isis and itf.ipv4:
            out.append(f" ip router isis {dev.isis.tag}")
            if s.p2p:
                out.append(" isis network point-to-point")
            if s.passive:
                out.append(" isis passive")
            metrics = {lv: s.metrics.get(lv, 10) for lv in sorted(dev.isis.levels)}
            if len(set(metrics.values())) == 1:
                if (m := next(iter(metrics.values()))) != 10:  # 10: both defaults; FRR never shows it
                    out.append(f" isis metric {m}")
            else:
                out += [f" isis metric level-{lv} {m}" for lv, m in metrics.items() if m != 10]
            if s.bfd:
                out += _bfd_lines(" isis ", dev.bfd_for(s.name))
        if itf.disabled:
            out.append(" shutdown")
        if len(out) == start + 1:
            del out[start:]  # FRR shows no empty interface stanza
        else:
            out.append("exit")
    for name, rules in dev.prefix_sets.items():
        out += [f"ip prefix-list {name} seq {5 * (i + 1)} {r}" for i, r in enumerate(rules)]
    if dev.bgp and dev.bgp.asn is not None:
        out += _bgp(dev, dev.bgp)
    if dev.ospf:
        out.append("router ospf")
        if dev.ospf.router_id:
            out.append(f" ospf router-id {dev.ospf.router_id}")
        out.append("exit")
    if dev.isis:
        out.append(f"router isis {dev.isis.tag}")
        is_type = {frozenset({1}): "level-1", frozenset({2}): "level-2-only"}.get(frozenset(dev.isis.levels))
        if is_type:  # level-1-2 is FRR's default (never shown)
            out.append(f" is-type {is_type}")
        if dev.isis.narrow == dev.isis.levels:
            out.append(" metric-style narrow")
        elif dev.isis.narrow:
            out.append(" metric-style transition")
        out.append(ISIS_LSP_GEN_INTERVAL)
        # net last: isisd reads its file line by line, and is-type/metric-style after net arm the next LSP
        # regeneration with the default 30 s interval, which lsp-timers does not re-arm (see the Junos twin)
        out += [f" net {n}" for n in dev.isis.nets]
        out.append("exit")
    out += bfd_profiles({b.profile: (b.tx_ms, b.rx_ms, b.multiplier) for b in _bfd_used(dev) if b.profile})
    return "\n".join(out) + "\n"


def _bfd_used(dev: Device) -> list[Bfd]:
    used: list[Bfd | None] = []
    for igp in ([dev.isis.interfaces] if dev.isis else []) + ([dev.ospf.interfaces] if dev.ospf else []):
        used += [dev.bfd_for(i.name) for i in igp if i.bfd]
    if dev.bgp:
        used += [_bgp_bfd(dev, n) for n in dev.bgp.neighbors if n.bfd]
    return [b for b in used if b is not None]


def _owner(dev: Device, ip: str) -> Interface | None:
    """The routed interface whose address is ``ip`` (exact) or whose subnet holds ``ip``."""
    addr = ipaddress.ip_address(ip)
    nets = _networks(dev)
    for exact in (True, False):
        for i, iface in nets:
            if iface.ip == addr if exact else addr in iface.network:
                return i
    return None


def _networks(dev: Device) -> list[tuple[Interface, Any]]:
    """Each routed interface's addresses, parsed once per device (``_owner`` runs per neighbor: a
    56-neighbor spine parsed every address of every interface ~100 times)."""
    cached = getattr(dev, "_nets", None)
    if cached is None:
        cached = [(i, ipaddress.ip_interface(a)) for i in dev.interfaces.values() if i.routed for a in i.ipv4]
        object.__setattr__(dev, "_nets", cached)
    return cast("list[tuple[Interface, Any]]", cached)


def _bgp_bfd(dev: Device, n: Neighbor) -> Bfd | None:
    """BFD runs where the session's subinterface has BFD enabled (local-address's, else the peer's link)."""
    try:
        itf = _owner(dev, n.local_address) if n.local_address else _owner(dev, n.ip)
    except ValueError:
        return None
    return dev.bfd_for(itf.name) if itf else None


def _bgp(dev: Device, bgp: Bgp) -> list[str]:
    # redistribution: every non-BGP source some used export chain could accept, tagged by source
    chains = [n.exports for n in bgp.neighbors if n.exports and all(p in dev.policies for p in n.exports)]
    have = {"local": True, "static": bool(dev.static_routes), "isis": dev.isis is not None,
            "ospfv2": dev.ospf is not None}
    tags = {p: TAGS[p][1] for p in TAGS
            if have[p] and any(_can_accept([dev.policies[x] for x in c], p) for c in chains)}
    maps = _Maps(dev, tags)
    pre: list[str] = []
    redistribute: list[str] = []
    for p, tag in tags.items():
        rm = f"SRL-REDIST-{TAGS[p][0].upper()}"
        pre.append(f"route-map {rm} permit 10")
        if p == "local":  # only subnets of network-instance default (not the lab's management subnet)
            nets = sorted({str(ipaddress.ip_interface(a).network) for i in dev.interfaces.values()
                           if i.routed for a in i.ipv4})
            pre = [f"ip prefix-list {CONNECTED_PL} seq {5 * (k + 1)} permit {n}"
                   for k, n in enumerate(nets)] + pre
            pre.append(f" match ip address prefix-list {CONNECTED_PL}")
        pre += [f" set tag {tag}", "exit"]
        redistribute.append(f"  redistribute {TAGS[p][0]} route-map {rm}")

    head = [f"router bgp {bgp.asn}"]
    if bgp.router_id:
        head.append(f" bgp router-id {bgp.router_id}")
    head += [" no bgp ebgp-requires-policy", " no bgp network import-check", " no bgp default ipv4-unicast",
             f" timers bgp {SRL_KEEPALIVE} {SRL_HOLD}"]
    if bgp.cluster_id:
        head.append(f" bgp cluster-id {bgp.cluster_id}")
    if bgp.multiple_as and bgp.ebgp_paths > 1:
        head.append(" bgp bestpath as-path multipath-relax")
    af: list[str] = []
    used_fixed: set[str] = set()
    for n in bgp.neighbors:
        ebgp = n.peer_as != (n.local_as or bgp.asn)
        head.append(f" neighbor {n.ip} remote-as {n.peer_as}")
        if n.description:
            head.append(f" neighbor {n.ip} description {n.description}")
        if n.local_as and n.local_as != bgp.asn:
            head.append(f" neighbor {n.ip} local-as {n.local_as}")
        if not n.enabled:
            head.append(f" neighbor {n.ip} shutdown")
        if n.local_address:
            try:
                src = _owner(dev, n.local_address)
            except ValueError:
                src = None
            head.append(f" neighbor {n.ip} update-source {src.linux if src else n.local_address}")
        if n.hold or n.keepalive:
            hold = n.hold or SRL_HOLD
            head.append(f" neighbor {n.ip} timers {n.keepalive or max(1, hold // 3)} {hold}")
        if n.connect_retry and n.connect_retry != 120:
            head.append(f" neighbor {n.ip} timers connect {n.connect_retry}")
        if n.bfd and (b := _bgp_bfd(dev, n)) is not None:
            head += _bfd_lines(f" neighbor {n.ip} ", b)
        if not n.ipv4:
            continue
        af.append(f"  neighbor {n.ip} activate")
        if n.rr_client and not ebgp:
            af.append(f"  neighbor {n.ip} route-reflector-client")
        if n.next_hop_self:
            af.append(f"  neighbor {n.ip} next-hop-self")
        for direction, chain, reject_all in (("in", n.imports, bgp.import_reject_all),
                                             ("out", n.exports, bgp.export_reject_all)):
            strict = ebgp and reject_all
            if chain and all(p in dev.policies for p in chain):
                af.append(f"  neighbor {n.ip} route-map {maps.get(chain, direction, strict)} {direction}")
            elif strict:
                used_fixed.add(REJECT_ALL)
                af.append(f"  neighbor {n.ip} route-map {REJECT_ALL} {direction}")
            elif direction == "out" and tags:
                used_fixed.add(BGP_ONLY)  # no export policy: BGP routes only, nothing redistributed
                af.append(f"  neighbor {n.ip} route-map {BGP_ONLY} out")
    fixed: list[str] = []
    if REJECT_ALL in used_fixed:
        fixed += [f"route-map {REJECT_ALL} deny 65535", "exit"]
    if BGP_ONLY in used_fixed:
        fixed += [ln for i, t in enumerate(sorted(tags.values()))
                  for ln in (f"route-map {BGP_ONLY} deny {10 * (i + 1)}", f" match tag {t}", "exit")]
        fixed += [f"route-map {BGP_ONLY} permit 65535", "exit"]
    body = [" address-family ipv4 unicast", *redistribute]
    if bgp.ebgp_paths != FRR_MAXPATHS:  # SR Linux: 1 unless multipath says more
        body.append(f"  maximum-paths {bgp.ebgp_paths}")
    if bgp.ibgp_paths != FRR_MAXPATHS:
        body.append(f"  maximum-paths ibgp {bgp.ibgp_paths}")
    return pre + maps.out + fixed + head + body + af + [" exit-address-family", "exit"]


def kernel_links(dev: Device) -> dict[str, tuple[int, bool]]:
    """Linux interface -> (MTU, admin up) the kernel must reflect (system0/loN: a dummy)."""
    return {i.linux: (i.kernel_mtu, not i.disabled) for i in dev.interfaces.values()}
