"""Junos configuration -> the twin's control plane: FRR configuration, kernel links, LLDP identity.

Junos semantics FRR does not have by default, and how they are kept:
- BGP import/export policies: ``policy-statement`` terms become route-maps (accept = permit,
  reject = deny); a route no term decides falls through to Junos's default policy, which for BGP
  accepts (import) and re-advertises active BGP routes (export): a final ``permit``.
- Junos exports only BGP routes unless a policy term names ``protocol direct``/``static``: such terms
  become ``redistribute connected|static route-map`` with only those terms (other routes: reject).
- eBGP needs no policy on Junos (FRR's ``bgp ebgp-requires-policy`` is turned off); hold time 90 s,
  Junos's default; connect retry short, as Junos retries an idle peer within seconds.
- ``bfd-liveness-detection`` (group, neighbor, IS-IS/OSPF interface) -> BFD on the session, with a
  BFD profile when the timers are not FRR's defaults.
- OSPF ``hello-interval``/``dead-interval`` per interface (FRR's defaults equal Junos's).
- ``family iso`` on a unit enables IS-IS on it; lo0's ISO address is the NET; ``level N disable``
  sets the level; without ``wide-metrics-only`` -> ``metric-style transition`` (narrow and wide).
- Inactive statements (``deactivate``) do not reach the control plane, as on Junos.

What a commit is checked for before FRR sees it (Junos rejects these at ``commit check`` too):
undefined policies, prefix/route-filter lists and BGP without an AS; an external peer without
``peer-as``. Errors use Junos's commit error wording.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from fabric.twins.frr import ISIS_LSP_GEN_INTERVAL, bfd_profiles
from fabric.vendors.junos.twin.config import Config, ConfigError, Node

_PHYS = re.compile(r"^(?:ge|xe|et)-0/0/(\d+)$")
ISIS_TAG = "junos"  # FRR needs an IS-IS area tag; Junos has a single, unnamed instance
FRR_BFD_DEFAULT = (300, 3)  # FRR's default BFD interval (ms) and multiplier
HOLD_TIME = 90  # Junos's default BGP hold time


def to_linux(name: str) -> str | None:
    """Junos interface -> the node's Linux interface (containerlab: ethN is ge-0/0/{N-1})."""
    name = name.split(".", 1)[0]
    if m := _PHYS.match(name):
        return f"eth{int(m.group(1)) + 1}"
    if name in ("fxp0", "em0", "re0:mgmt-0"):
        return "eth0"
    if name == "lo0":
        return "lo0"
    if re.fullmatch(r"eth[1-9]\d*", name):
        return name  # cRPD runs on the container's own Linux interfaces
    return None


def to_junos(linux: str, prefix: str = "ge") -> str | None:
    if linux == "eth0":
        return "fxp0"
    if m := re.fullmatch(r"eth(\d+)", linux):
        return f"{prefix}-0/0/{int(m.group(1)) - 1}"
    if linux == "lo0":
        return "lo0"
    return None


# ---- reading the tree ----------------------------------------------------------------------
def _kids(node: Node | None, kw: str) -> list[Node]:
    if node is None:
        return []
    return [c for c in node.children or () if c.words and c.words[0] == kw and not c.inactive]


def _one(node: Node | None, *words: str) -> Node | None:
    for c in (node.children or ()) if node else ():
        if c.words == words and not c.inactive:
            return c
    return None


def _val(node: Node | None, kw: str) -> str | None:
    for c in _kids(node, kw):
        if len(c.words) >= 2:
            return c.words[1]
    return None


def _vals(node: Node | None, kw: str) -> list[str]:
    return [w for c in _kids(node, kw) for w in c.words[1:]]


def _path(root: Node, *path: tuple[str, ...]) -> Node | None:
    node: Node | None = root
    for words in path:
        node = _one(node, *words)
        if node is None:
            return None
    return node


# ---- the model ---------------------------------------------------------------------------
@dataclass
class Interface:
    name: str  # ge-0/0/0, lo0
    linux: str
    description: str = ""
    mtu: int | None = None  # media MTU as configured (IP MTU + 14 on Ethernet)
    disabled: bool = False
    ipv4: list[str] = field(default_factory=list)  # unit 0 family inet
    iso: bool = False  # unit 0 family iso
    iso_addresses: list[str] = field(default_factory=list)

    @property
    def ip_mtu(self) -> int:
        if self.linux.startswith("lo"):
            return 65535
        return self.mtu - 14 if self.mtu else 1500


@dataclass
class Bfd:
    interval: int
    multiplier: int


@dataclass
class BgpNeighbor:
    ip: str
    group: str
    external: bool
    peer_as: str | None
    description: str = ""
    local_address: str | None = None
    local_as: str | None = None
    imports: list[str] = field(default_factory=list)
    exports: list[str] = field(default_factory=list)
    bfd: Bfd | None = None
    rr_client: bool = False
    hold_time: int | None = None
    multipath: bool = False
    multiple_as: bool = False


@dataclass
class IgpInterface:
    name: str  # without the unit
    p2p: bool = False
    passive: bool = False
    metric: int | None = None
    bfd: Bfd | None = None
    levels_disabled: set[int] = field(default_factory=set)
    area: str = ""  # OSPF
    hello: int | None = None  # OSPF hello-interval / dead-interval (s); Junos's defaults are FRR's: 10/40
    dead: int | None = None


@dataclass
class Term:
    name: str
    prefix_lists: list[str] = field(default_factory=list)  # FRR prefix-list names to match (any)
    protocols: list[str] = field(default_factory=list)
    action: str | None = None  # accept | reject | None (no decision: fall through)
    local_preference: int | None = None
    metric: int | None = None
    prepend: list[str] = field(default_factory=list)  # then as-path-prepend "65001 65001"


@dataclass
class Device:
    hostname: str
    router_id: str | None = None
    asn: str | None = None
    interfaces: dict[str, Interface] = field(default_factory=dict)
    neighbors: list[BgpNeighbor] = field(default_factory=list)
    isis: list[IgpInterface] | None = None
    isis_levels_disabled: set[int] = field(default_factory=set)
    isis_wide: bool = False
    ospf: list[IgpInterface] | None = None
    policies: dict[str, list[Term]] = field(default_factory=dict)
    prefix_lists: dict[str, list[str]] = field(default_factory=dict)  # FRR name -> "permit P [ge/le]"
    static_routes: list[tuple[str, str]] = field(default_factory=list)
    lldp: bool = False
    errors: list[ConfigError] = field(default_factory=list)


def _bfd(node: Node | None) -> Bfd | None:
    b = _one(node, "bfd-liveness-detection") if node else None
    if b is None:
        return None
    interval = _val(b, "minimum-interval") or "300"
    mult = _val(b, "multiplier") or "3"
    return Bfd(int(interval), int(mult)) if interval.isdigit() and mult.isdigit() else None


def _route_filter(prefix: str, words: tuple[str, ...]) -> str | None:
    """A route-filter(-list) entry as an FRR prefix-list rule (``permit P ge X le Y``)."""
    try:
        net = ipaddress.ip_network(prefix, strict=False)
    except ValueError:
        return None
    plen, top = net.prefixlen, net.max_prefixlen
    kind = words[0] if words else "exact"
    if kind == "exact":
        return f"permit {net}"
    if kind == "orlonger":
        return f"permit {net} le {top}"
    if kind == "longer":
        return f"permit {net} ge {plen + 1} le {top}" if plen < top else None
    if kind == "upto" and len(words) > 1:
        return f"permit {net} le {int(words[1].strip('/'))}"
    if kind == "prefix-length-range" and len(words) > 1:
        lo, _, hi = words[1].partition("-")
        lo_i, hi_i = int(lo.strip("/")), int(hi.strip("/"))
        ge = f" ge {lo_i}" if lo_i > plen else ""
        return f"permit {net}{ge} le {hi_i}"
    return None


def parse(conf: Config, default_hostname: str) -> Device:
    root = conf.root
    system = _one(root, "system")
    dev = Device(hostname=_val(system, "host-name") or default_hostname)
    ro = _one(root, "routing-options")
    dev.router_id = _val(ro, "router-id")
    dev.asn = _val(ro, "autonomous-system")
    for r in _kids(_path(root, ("routing-options",), ("static",)), "route"):
        if len(r.words) == 2 and (nh := _val(r, "next-hop")):
            dev.static_routes.append((r.words[1], nh))
    _parse_interfaces(dev, _one(root, "interfaces"))
    po = _one(root, "policy-options")
    _parse_policy_options(dev, po)
    protocols = _one(root, "protocols")
    _parse_bgp(dev, _one(protocols, "bgp"))
    _parse_isis(dev, _one(protocols, "isis"))
    _parse_ospf(dev, _one(protocols, "ospf"))
    dev.lldp = _one(protocols, "lldp") is not None
    return dev


def _parse_interfaces(dev: Device, node: Node | None) -> None:
    for itf in (node.children or ()) if node else ():
        if itf.inactive or len(itf.words) != 1 or itf.children is None:
            continue
        name = itf.words[0]
        linux = to_linux(name)
        if linux is None or linux == "eth0":
            continue  # the lab owns the management port; never break the mgmt path
        i = Interface(name=name, linux=linux, description=_val(itf, "description") or "")
        mtu = _val(itf, "mtu")
        i.mtu = int(mtu) if mtu and mtu.isdigit() else None
        i.disabled = _one(itf, "disable") is not None
        unit = _one(itf, "unit", "0")
        if unit is not None:
            i.disabled = i.disabled or _one(unit, "disable") is not None
            inet = _one(unit, "family", "inet")
            i.ipv4 = [c.words[1] for c in _kids(inet, "address") if len(c.words) == 2]
            iso = _one(unit, "family", "iso")
            i.iso = iso is not None
            i.iso_addresses = [c.words[1] for c in _kids(iso, "address") if len(c.words) == 2]
        dev.interfaces[name] = i


def _parse_policy_options(dev: Device, po: Node | None) -> None:
    for pl in _kids(po, "prefix-list"):
        if len(pl.words) == 2:
            entries = [c.words[0] for c in pl.children or () if not c.inactive]
            dev.prefix_lists[pl.words[1]] = [r for e in entries if (r := _route_filter(e, ("exact",)))]
    for rfl in _kids(po, "route-filter-list"):
        if len(rfl.words) == 2:
            dev.prefix_lists[rfl.words[1]] = [
                r for c in (rfl.children or ()) if not c.inactive and (r := _route_filter(
                    c.words[0], c.words[1:] or next((k.words for k in c.children or ()), ())))]
    for ps in _kids(po, "policy-statement"):
        if len(ps.words) != 2:
            continue
        name = ps.words[1]
        terms = [_term(dev, name, t) for t in _kids(ps, "term") if len(t.words) == 2]
        if _one(ps, "from") or _one(ps, "then"):  # an unnamed final term
            terms.append(_term(dev, name, ps, unnamed=True))
        dev.policies[name] = terms


def _term(dev: Device, policy: str, node: Node, unnamed: bool = False) -> Term:
    t = Term(name="" if unnamed else node.words[1])
    frm, then = _one(node, "from"), _one(node, "then")
    t.protocols = _vals(frm, "protocol")
    for kw in ("route-filter-list", "prefix-list"):
        for name in _vals(frm, kw):
            if name not in dev.prefix_lists:
                dev.errors.append(ConfigError(
                    f"Policy error: {kw} {name} referenced in policy {policy} is not defined",
                    path=f"[edit policy-options policy-statement {policy}]", token=name))
            t.prefix_lists.append(name)
    rules = [r for rf in _kids(frm, "route-filter") if (r := _route_filter(rf.words[1], rf.words[2:]))]
    if rules:
        adhoc = f"{policy}-{t.name or 'final'}"
        dev.prefix_lists[adhoc] = rules
        t.prefix_lists.append(adhoc)
    if then is not None:
        for c in then.children or ():
            if c.inactive:
                continue
            if c.words[0] in ("accept", "reject"):
                t.action = c.words[0]
            elif c.words[0] == "local-preference" and len(c.words) == 2 and c.words[1].isdigit():
                t.local_preference = int(c.words[1])
            elif c.words[0] == "metric" and len(c.words) == 2 and c.words[1].isdigit():
                t.metric = int(c.words[1])
            elif c.words[0] == "as-path-prepend" and len(c.words) == 2:
                asns = c.words[1].split()
                if not all(a.isdigit() for a in asns):
                    dev.errors.append(ConfigError(f"Invalid as-path-prepend: {c.words[1]}",
                                                  path=f"[edit policy-options policy-statement {policy}]",
                                                  token=c.words[1]))
                t.prepend = asns
    return t


def _parse_bgp(dev: Device, bgp: Node | None) -> None:
    if bgp is None:
        return
    groups = _kids(bgp, "group")
    if groups and not dev.asn:
        dev.errors.append(ConfigError("BGP: autonomous-system is not configured",
                                      path="[edit routing-options]", token="autonomous-system"))
    for g in groups:
        if len(g.words) != 2:
            continue
        gname = g.words[1]
        external = _val(g, "type") == "external"
        gmp = _one(g, "multipath")
        for n in _kids(g, "neighbor"):
            if len(n.words) != 2:
                continue
            peer_as = _val(n, "peer-as") or _val(g, "peer-as")
            if not external:
                peer_as = peer_as or dev.asn
            elif peer_as is None:
                dev.errors.append(ConfigError(
                    f"Error in neighbor {n.words[1]} of group {gname}:\n"
                    "peer-as must be specified for external peers",
                    path=f"[edit protocols bgp group {gname} neighbor {n.words[1]}]", token="peer-as"))
                continue
            mp = _one(n, "multipath") or gmp
            hold = _val(n, "hold-time") or _val(g, "hold-time") or _val(bgp, "hold-time")
            nb = BgpNeighbor(
                ip=n.words[1], group=gname, external=external, peer_as=peer_as,
                description=_val(n, "description") or _val(g, "description") or "",
                local_address=_val(n, "local-address") or _val(g, "local-address"),
                local_as=_val(n, "local-as") or _val(g, "local-as"),
                imports=_vals(n, "import") or _vals(g, "import") or _vals(bgp, "import"),
                exports=_vals(n, "export") or _vals(g, "export") or _vals(bgp, "export"),
                bfd=_bfd(n) or _bfd(g) or _bfd(bgp),
                rr_client=_val(g, "cluster") is not None,
                hold_time=int(hold) if hold and hold.isdigit() else None,
                multipath=mp is not None, multiple_as=mp is not None and _one(mp, "multiple-as") is not None,
            )
            for p in nb.imports + nb.exports:
                if p not in dev.policies:
                    dev.errors.append(ConfigError(
                        f"Policy error: Policy {p} referenced but not defined",
                        path=f"[edit protocols bgp group {gname}]", token=p))
            dev.neighbors.append(nb)


def _igp_interface(node: Node) -> IgpInterface:
    name = node.words[1].split(".", 1)[0]
    ii = IgpInterface(name=name, p2p=_one(node, "point-to-point") is not None
                      or _val(node, "interface-type") == "p2p",
                      passive=_one(node, "passive") is not None)
    metric = _val(node, "metric")
    for lv in _kids(node, "level"):
        if len(lv.words) == 2 and lv.words[1].isdigit():
            if _one(lv, "disable") is not None:
                ii.levels_disabled.add(int(lv.words[1]))
            metric = _val(lv, "metric") or metric
    ii.metric = int(metric) if metric and metric.isdigit() else None
    ii.bfd = _bfd(node) or _bfd(_one(node, "family", "inet"))
    hello, dead = _val(node, "hello-interval"), _val(node, "dead-interval")
    ii.hello = int(hello) if hello and hello.isdigit() else None
    ii.dead = int(dead) if dead and dead.isdigit() else None
    return ii


def _parse_isis(dev: Device, isis: Node | None) -> None:
    if isis is None:
        return
    dev.isis = [_igp_interface(n) for n in _kids(isis, "interface") if len(n.words) == 2]
    for lv in _kids(isis, "level"):
        if len(lv.words) == 2 and lv.words[1].isdigit():
            if _one(lv, "disable") is not None:
                dev.isis_levels_disabled.add(int(lv.words[1]))
            if _one(lv, "wide-metrics-only") is not None:
                dev.isis_wide = True


def _parse_ospf(dev: Device, ospf: Node | None) -> None:
    if ospf is None:
        return
    dev.ospf = []
    for area in _kids(ospf, "area"):
        if len(area.words) != 2:
            continue
        for n in _kids(area, "interface"):
            if len(n.words) == 2:
                ii = _igp_interface(n)
                ii.area = area.words[1]
                dev.ospf.append(ii)


# ---- FRR ---------------------------------------------------------------------------------
def _bfd_profile(b: Bfd) -> str | None:
    return None if (b.interval, b.multiplier) == FRR_BFD_DEFAULT else f"junos-{b.interval}x{b.multiplier}"


def _route_map(name: str, terms: list[Term], final: str | None, out: list[str],
               only: tuple[str, ...] | None = None, prepend: bool = True) -> None:
    """``policy-statement`` -> ``route-map``; ``only``: keep terms matching these protocols (or none).

    ``prepend=False``: the redistribution side of an export policy, which the neighbour's outbound
    route-map (the same policy) then applies again: an AS-path prepend must happen once, as on Junos."""
    seq = 0
    for t in terms:
        if only is not None and t.protocols and not set(t.protocols) & set(only):
            continue
        if t.action is None and t.local_preference is None and t.metric is None and not t.prepend:
            continue
        seq += 10
        kind = "deny" if t.action == "reject" else "permit"
        lists: list[str | None] = list(t.prefix_lists) or [None]
        for i, pl in enumerate(lists):  # several lists in one term: any of them matches (one entry each)
            out.append(f"route-map {name} {kind} {seq + i}")
            if pl:
                out.append(f" match ip address prefix-list {pl}")
            if kind == "permit" and t.local_preference is not None:
                out.append(f" set local-preference {t.local_preference}")
            if kind == "permit" and t.metric is not None:
                out.append(f" set metric {t.metric}")
            if kind == "permit" and t.prepend and prepend:
                out.append(f" set as-path prepend {' '.join(t.prepend)}")
            if t.action is None:
                out.append(" on-match next")
            out.append("exit")
        seq += len(lists) - 1
    if final:
        out += [f"route-map {name} {final} 65535", "exit"]


def to_frr(dev: Device) -> str:
    """The FRR integrated configuration equivalent to the Junos configuration."""
    out = ["frr defaults traditional", f"hostname {dev.hostname}", "service integrated-vtysh-config",
           "ip forwarding"]
    for pfx, nh in dev.static_routes:
        out.append(f"ip route {pfx} {nh}")
    isis = {i.name: i for i in dev.isis or ()}
    ospf = {i.name: i for i in dev.ospf or ()}
    for itf in dev.interfaces.values():
        out.append(f"interface {itf.linux}")
        if itf.description:
            out.append(f" description {itf.description}")
        out += [f" ip address {a}" for a in itf.ipv4]
        if (o := ospf.get(itf.name)) is not None and itf.ipv4:
            out.append(f" ip ospf area {o.area}")
            if o.p2p:
                out.append(" ip ospf network point-to-point")
            if o.metric is not None:
                out.append(f" ip ospf cost {o.metric}")
            if o.hello is not None and o.hello != 10:  # 10/40: FRR's defaults, never shown
                out.append(f" ip ospf hello-interval {o.hello}")
            if o.dead is not None and o.dead != 40:
                out.append(f" ip ospf dead-interval {o.dead}")
            if o.passive or itf.linux.startswith("lo"):
                out.append(" ip ospf passive")
            if o.bfd is not None:
                out.append(" ip ospf bfd")
                if prof := _bfd_profile(o.bfd):
                    out.append(f" ip ospf bfd profile {prof}")
        if (s := isis.get(itf.name)) is not None and itf.iso:
            out.append(f" ip router isis {ISIS_TAG}")
            if s.p2p:
                out.append(" isis network point-to-point")
            if s.passive or itf.linux.startswith("lo"):
                out.append(" isis passive")
            levels = s.levels_disabled | dev.isis_levels_disabled
            if levels == {1}:
                out.append(" isis circuit-type level-2-only")
            elif levels == {2}:
                out.append(" isis circuit-type level-1")
            if s.metric is not None and s.metric != 10:  # 10: the default of both (FRR never shows it)
                out.append(f" isis metric {s.metric}")
            if s.bfd is not None:
                out.append(" isis bfd")
                if prof := _bfd_profile(s.bfd):
                    out.append(f" isis bfd profile {prof}")
        if itf.disabled:
            out.append(" shutdown")
        out.append("exit")
    for name, rules in dev.prefix_lists.items():
        for i, rule in enumerate(rules):
            out.append(f"ip prefix-list {name} seq {5 * (i + 1)} {rule}")
    used = {p for n in dev.neighbors for p in n.imports + n.exports}
    for name in sorted(used & dev.policies.keys()):
        _route_map(name, dev.policies[name], "permit", out)
    redistribute: list[str] = []
    for name in sorted({p for n in dev.neighbors for p in n.exports} & dev.policies.keys()):
        for proto, frr in (("direct", "connected"), ("static", "static")):
            terms = dev.policies[name]
            if any(proto in t.protocols and t.action == "accept" for t in terms):
                rm = f"{name}-{frr.upper()}"
                _route_map(rm, terms, None, out, only=(proto,), prepend=False)
                redistribute.append(f"  redistribute {frr} route-map {rm}")
    if dev.neighbors and dev.asn:
        out += _bgp(dev, redistribute)
    if dev.ospf:
        out.append("router ospf")
        if dev.router_id:
            out.append(f" ospf router-id {dev.router_id}")
        out.append("exit")
    if dev.isis is not None:
        # `net` last: isisd generates its first LSP at `net` and then applies each later line as it
        # reads it. `is-type` or `metric-style` after it regenerates the LSP and arms the next
        # regeneration with the gen-interval still at FRR's 30 s default; the armed timer survives
        # `lsp-timers`, so every change until then (adjacencies, the loopback) waited ~30 s (junos-core:
        # iBGP up 31 s after deploy). Before `net` there is no LSP, so nothing is armed.
        out.append(f"router isis {ISIS_TAG}")
        levels = dev.isis_levels_disabled
        is_type = "level-2-only" if levels == {1} else "level-1" if levels == {2} else "level-1-2"
        out.append(f" is-type {is_type}")
        if not dev.isis_wide:
            # Junos sends narrow and wide metrics unless wide-metrics-only; wide is FRR's default, which
            # its running config (and so the post-reload check) never shows
            out.append(" metric-style transition")
        out.append(ISIS_LSP_GEN_INTERVAL)
        lo = dev.interfaces.get("lo0")
        for net in lo.iso_addresses if lo else ():
            out.append(f" net {net}")
        out.append("exit")
    bfds = [n.bfd for n in dev.neighbors] + [i.bfd for i in (dev.isis or []) + (dev.ospf or [])]
    out += bfd_profiles({p: (b.interval, b.interval, b.multiplier)
                         for b in bfds if b is not None and (p := _bfd_profile(b))})
    return "\n".join(out) + "\n"


def _bgp(dev: Device, redistribute: list[str]) -> list[str]:
    out = [f"router bgp {dev.asn}"]
    if dev.router_id:
        out.append(f" bgp router-id {dev.router_id}")
    out += [" no bgp ebgp-requires-policy", " no bgp network import-check", " no bgp default ipv4-unicast",
            f" timers bgp {HOLD_TIME // 3} {HOLD_TIME}"]
    if any(n.multiple_as for n in dev.neighbors):
        out.append(" bgp bestpath as-path multipath-relax")
    af: list[str] = []
    for n in dev.neighbors:
        out.append(f" neighbor {n.ip} remote-as {n.peer_as}")
        if n.description:
            out.append(f" neighbor {n.ip} description {n.description}")
        if n.local_as:
            out.append(f" neighbor {n.ip} local-as {n.local_as}")
        if n.local_address:
            lo = next((i.linux for i in dev.interfaces.values()
                       if any(a.split("/")[0] == n.local_address for a in i.ipv4)), None)
            out.append(f" neighbor {n.ip} update-source {lo or n.local_address}")
        if n.hold_time:
            out.append(f" neighbor {n.ip} timers {max(1, n.hold_time // 3)} {n.hold_time}")
        out.append(f" neighbor {n.ip} timers connect 5")
        if n.bfd is not None:
            out.append(f" neighbor {n.ip} bfd")
            if prof := _bfd_profile(n.bfd):
                out.append(f" neighbor {n.ip} bfd profile {prof}")
        af.append(f"  neighbor {n.ip} activate")
        if n.rr_client:
            af.append(f"  neighbor {n.ip} route-reflector-client")
        if n.imports:
            af.append(f"  neighbor {n.ip} route-map {n.imports[0]} in")
        if n.exports:
            af.append(f"  neighbor {n.ip} route-map {n.exports[0]} out")
    out.append(" address-family ipv4 unicast")
    out += redistribute
    if any(n.multipath and n.external for n in dev.neighbors):
        out.append("  maximum-paths 64")
    if any(n.multipath and not n.external for n in dev.neighbors):
        out.append("  maximum-paths ibgp 64")
    out += af
    out += [" exit-address-family", "exit"]
    return out


def kernel_links(dev: Device) -> dict[str, tuple[int, bool]]:
    """Linux interface -> (IP MTU, admin up) the kernel must reflect."""
    return {i.linux: (i.ip_mtu, not i.disabled) for i in dev.interfaces.values()}


def validate(conf: Config, hostname: str) -> Device:
    """The device a commit of ``conf`` would run; ConfigError (Junos's wording) if Junos refuses it."""
    dev = parse(conf, hostname)
    if dev.errors:
        e = dev.errors[0]
        raise ConfigError(e.message, path=e.path, token=e.token, tag="invalid-value", kind="application",
                          severity="error")
    return dev
