"""EOS config tree -> the twin's internal device model -> FRR configuration.

This internal model drives FRR and also covers commands the fabric never renders (static routes,
redistribute, one-line prefix-lists ...).  The fabric's vendor-neutral model
(``fabric.structured.StructuredConfig``) is produced from the same tree by
``fabric/vendors/eos/twin/structured.py`` (``parse_eos``).  Lines not recognised below stay verbatim in the
running-config and do not affect routing.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from fabric.twins.frr import ISIS_LSP_GEN_INTERVAL
from fabric.vendors.eos.twin.config import EosConfig, Node
from fabric.vendors.eos.twin.names import to_linux


@dataclass
class Interface:
    name: str
    linux: str
    description: str = ""
    mtu: int | None = None
    shutdown: bool = False
    routed: bool = False
    ipv4: list[str] = field(default_factory=list)
    ospf_p2p: bool = False
    ospf_area: str | None = None
    isis: str | None = None
    isis_p2p: bool = False
    vrf: str = "default"


@dataclass
class BgpNeighbor:
    key: str
    remote_as: str | None = None
    peer_group: str | None = None
    is_group: bool = False
    description: str = ""
    update_source: str | None = None
    bfd: bool = False
    send_community: bool = False
    max_routes: int | None = None
    route_maps: list[str] = field(default_factory=list)  # "NAME in" / "NAME out"
    shutdown: bool = False
    activate: bool | None = None


@dataclass
class Bgp:
    asn: str
    router_id: str | None = None
    maximum_paths: int | None = None
    neighbors: dict[str, BgpNeighbor] = field(default_factory=dict)
    networks: list[str] = field(default_factory=list)
    redistribute: list[str] = field(default_factory=list)
    default_ipv4: bool = True


@dataclass
class Ospf:
    pid: str
    router_id: str | None = None
    networks: list[tuple[str, str]] = field(default_factory=list)
    passive: list[str] = field(default_factory=list)
    passive_default: bool = False
    max_lsa: int | None = None


@dataclass
class Isis:
    tag: str
    nets: list[str] = field(default_factory=list)
    is_type: str | None = None
    afs: list[str] = field(default_factory=list)


@dataclass
class Device:
    hostname: str = "localhost"
    ip_routing: bool = False
    interfaces: dict[str, Interface] = field(default_factory=dict)
    bgp: Bgp | None = None
    ospf: Ospf | None = None
    isis: Isis | None = None
    route_maps: list[Node] = field(default_factory=list)
    prefix_lists: list[str] = field(default_factory=list)
    static_routes: list[str] = field(default_factory=list)
    lldp_run: bool = True
    users: list[str] = field(default_factory=list)
    bfd_timers: tuple[int, int, int] | None = None  # `router bfd` default: interval, min-rx, multiplier


def router_bfd_timers(router_bfd: Node) -> tuple[int, int, int] | None:
    """(interval, min-rx, multiplier) of ``router bfd`` / ``interval X min-rx Y multiplier M default``."""
    for c in router_bfd.children:
        m = re.fullmatch(r"interval (\d+) min-rx (\d+) multiplier (\d+) default", c.line)
        if m:
            return int(m.group(1)), int(m.group(2)), int(m.group(3))
    return None


def _mask_to_prefix(addr: str, mask: str | None = None) -> str:
    if mask:
        return str(ipaddress.ip_interface(f"{addr}/{mask}"))
    return addr


def parse(cfg: EosConfig) -> Device:
    dev = Device()
    for node in cfg.root.children:
        line = node.line
        w = line.split()
        if w[0] == "hostname" and len(w) > 1:
            dev.hostname = w[1]
        elif line == "ip routing":
            dev.ip_routing = True
        elif line == "no lldp run":
            dev.lldp_run = False
        elif w[0] == "username" and len(w) > 1:
            dev.users.append(w[1])
        elif w[0] == "interface" and len(w) == 2:
            _parse_interface(dev, node)
        elif line == "router bfd":
            dev.bfd_timers = router_bfd_timers(node) or dev.bfd_timers
        elif line.startswith("router bgp ") and len(w) == 3:
            dev.bgp = _parse_bgp(w[2], node)
        elif line.startswith("router ospf "):
            dev.ospf = _parse_ospf(w[2], node)
        elif line.startswith("router isis ") and len(w) == 3:
            dev.isis = _parse_isis(w[2], node)
        elif w[0] == "route-map":
            dev.route_maps.append(node)
        elif line.startswith("ip prefix-list ") and len(w) == 3:
            # EOS prefix-list mode: "ip prefix-list NAME" + "seq N permit ..." children
            dev.prefix_lists.extend(f"{line} {c.line}" for c in node.children if c.line.startswith("seq "))
        elif line.startswith("ip prefix-list "):
            dev.prefix_lists.append(line)
        elif line.startswith("ip route ") and len(w) >= 4 and w[2] != "vrf":
            dev.static_routes.append(line)  # VRF routes (e.g. the MGMT default) stay in the config only
    return dev


def _parse_interface(dev: Device, node: Node) -> None:
    name = node.line.split()[1]
    linux = to_linux(name)
    if linux is None:
        return
    itf = Interface(name=name, linux=linux, routed=not name.startswith("Ethernet"))
    for c in node.children:
        w = c.line.split()
        if w[0] == "description":
            itf.description = c.line.split(" ", 1)[1]
        elif w[0] == "mtu" and len(w) == 2 and w[1].isdigit():
            itf.mtu = int(w[1])
        elif c.line == "shutdown":
            itf.shutdown = True
        elif c.line == "no switchport":
            itf.routed = True
        elif w[:2] == ["ip", "address"] and len(w) >= 3:
            itf.ipv4.append(_mask_to_prefix(w[2], w[3] if len(w) > 3 and w[3] != "secondary" else None))
        elif c.line == "ip ospf network point-to-point":
            itf.ospf_p2p = True
        elif w[:3] == ["ip", "ospf", "area"] and len(w) == 4:
            itf.ospf_area = w[3]
        elif w[:2] == ["isis", "enable"] and len(w) == 3:
            itf.isis = w[2]
        elif c.line == "isis network point-to-point":
            itf.isis_p2p = True
        elif w[0] == "vrf" and len(w) == 2:
            itf.vrf = w[1]
    dev.interfaces[name] = itf


def _nbr(bgp: Bgp, key: str) -> BgpNeighbor:
    return bgp.neighbors.setdefault(key, BgpNeighbor(key=key))


def _parse_bgp_lines(bgp: Bgp, children: list[Node], in_af: bool) -> None:
    for c in children:
        line = c.line
        w = line.split()
        if w[0] == "router-id" and len(w) == 2:
            bgp.router_id = w[1]
        elif w[0] == "maximum-paths" and len(w) >= 2 and w[1].isdigit():
            bgp.maximum_paths = int(w[1])
        elif line == "no bgp default ipv4-unicast":
            bgp.default_ipv4 = False
        elif w[0] == "network" and len(w) >= 2:
            bgp.networks.append(_mask_to_prefix(w[1], w[3] if len(w) > 3 and w[2] == "mask" else None))
        elif w[0] == "redistribute" and len(w) >= 2:
            bgp.redistribute.append(" ".join(w[1:]))
        elif w[0] == "neighbor" and len(w) >= 3:
            n = _nbr(bgp, w[1])
            rest = w[2:]
            if rest == ["peer", "group"] or rest == ["peer-group"]:
                n.is_group = True
            elif rest[0] == "remote-as" and len(rest) == 2:
                n.remote_as = rest[1]
            elif rest[:2] == ["peer", "group"] and len(rest) == 3:
                n.peer_group = rest[2]
            elif rest[0] == "peer-group" and len(rest) == 2:
                n.peer_group = rest[1]
            elif rest[0] == "description":
                n.description = " ".join(rest[1:])
            elif rest[0] == "update-source" and len(rest) == 2:
                n.update_source = rest[1]
            elif rest == ["bfd"]:
                n.bfd = True
            elif rest[0] == "send-community":
                n.send_community = True
            elif rest[0] == "maximum-routes" and len(rest) >= 2 and rest[1].isdigit():
                n.max_routes = int(rest[1])
            elif rest == ["shutdown"]:
                n.shutdown = True
            elif rest[0] == "route-map" and len(rest) == 3 and rest[2] in ("in", "out"):
                n.route_maps.append(f"{rest[1]} {rest[2]}")
            elif rest == ["activate"]:
                n.activate = True
        elif w[0] == "no" and len(w) == 4 and w[1] == "neighbor" and w[3] == "activate" and in_af:
            _nbr(bgp, w[2]).activate = False
        elif line.startswith("address-family ipv4") and not in_af:
            _parse_bgp_lines(bgp, c.children, True)


def _parse_bgp(asn: str, node: Node) -> Bgp:
    bgp = Bgp(asn=asn)
    _parse_bgp_lines(bgp, node.children, False)
    return bgp


def _parse_ospf(pid: str, node: Node) -> Ospf:
    o = Ospf(pid=pid)
    for c in node.children:
        w = c.line.split()
        if w[0] == "router-id" and len(w) == 2:
            o.router_id = w[1]
        elif w[0] == "network" and "area" in w:
            i = w.index("area")
            pfx = _mask_to_prefix(w[1], w[2] if i == 3 else None)
            o.networks.append((str(ipaddress.ip_network(pfx, strict=False)), w[i + 1]))
        elif c.line == "passive-interface default":
            o.passive_default = True
        elif w[0] == "passive-interface" and len(w) == 2:
            o.passive.append(w[1])
        elif w[0] == "max-lsa" and len(w) >= 2 and w[1].isdigit():
            o.max_lsa = int(w[1])
    return o


def _parse_isis(tag: str, node: Node) -> Isis:
    i = Isis(tag=tag)
    for c in node.children:
        w = c.line.split()
        if w[0] == "net" and len(w) == 2:
            i.nets.append(w[1])
        elif w[0] == "is-type" and len(w) == 2:
            i.is_type = w[1]
        elif w[0] == "address-family" and len(w) >= 2:
            i.afs.append(w[1])
    return i


_ISTYPE = {"level-1": "level-1", "level-2": "level-2-only", "level-1-2": "level-1-2"}


def _frr_ifname(name: str) -> str:
    return to_linux(name) or name


def to_frr(dev: Device) -> str:
    """Render the FRR integrated config equivalent to the EOS config."""
    out = ["frr defaults traditional", f"hostname {dev.hostname}", "service integrated-vtysh-config"]
    out.append("ip forwarding" if dev.ip_routing else "no ip forwarding")
    for r in dev.static_routes:
        w = r.split()
        out.append(f"ip route {w[2]} {_frr_ifname(w[3]) if w[3][0].isalpha() else w[3]}")
    for itf in dev.interfaces.values():
        if itf.linux == "eth0":
            continue  # the lab owns the management address; never break the mgmt path
        out.append(f"interface {itf.linux}")
        if itf.description:
            out.append(f" description {itf.description}")
        if itf.routed:
            for a in itf.ipv4:
                out.append(f" ip address {a}")
        if itf.ospf_p2p:
            out.append(" ip ospf network point-to-point")
        if itf.ospf_area and dev.ospf:
            out.append(f" ip ospf area {itf.ospf_area}")
        if itf.isis and dev.isis and itf.isis == dev.isis.tag:
            out.append(f" ip router isis {itf.isis}")
            if itf.isis_p2p:
                out.append(" isis network point-to-point")
        if itf.shutdown:
            out.append(" shutdown")
        out.append("exit")
    for pl in dev.prefix_lists:
        out.append(pl)
    for rm in dev.route_maps:
        out.append(rm.line)
        out.extend(f" {c.line}" for c in rm.children)
        out.append("exit")
    if dev.bgp:
        out.extend(_bgp_frr(dev, dev.bgp))
    if dev.ospf:
        o = dev.ospf
        out.append("router ospf")
        if o.router_id:
            out.append(f" ospf router-id {o.router_id}")
        if o.passive_default:
            out.append(" passive-interface default")
        for p in o.passive:
            out.append(f" passive-interface {_frr_ifname(p)}")
        for net, area in o.networks:
            out.append(f" network {net} area {area}")
        out.append("exit")
    if dev.isis:
        i = dev.isis
        out.append(f"router isis {i.tag}")
        if i.is_type in _ISTYPE:
            out.append(f" is-type {_ISTYPE[i.is_type]}")
        out.append(ISIS_LSP_GEN_INTERVAL)
        # net last: isisd reads its file line by line, and is-type/metric-style after net arm the next LSP
        # regeneration with the default 30 s interval, which lsp-timers does not re-arm (see the Junos twin)
        for n in i.nets:
            out.append(f" net {n}")
        out.append("exit")
    if dev.bfd_timers:
        # EOS `router bfd` timers apply to every session; FRR sets them per session through a profile.
        # Values equal to FRR's defaults are left out, as FRR's running config leaves them out: a line FRR
        # never shows would look "not applied" to the post-reload check (fabric.frr_reload).
        tx, rx, mult = dev.bfd_timers
        frr_defaults = (("detect-multiplier", mult, 3), ("transmit-interval", tx, 300),
                        ("receive-interval", rx, 300))
        timers = [f"  {k} {v}" for k, v, dflt in frr_defaults if v != dflt]
        out += ["bfd", f" profile {BFD_PROFILE}", *timers, " exit", "exit"]
    return "\n".join(out) + "\n"


BFD_PROFILE = "eos-default"


def _bgp_frr(dev: Device, bgp: Bgp) -> list[str]:
    out = [f"router bgp {bgp.asn}"]
    if bgp.router_id:
        out.append(f" bgp router-id {bgp.router_id}")
    # EOS accepts and advertises eBGP routes without policy; FRR must be told.
    out.append(" no bgp ebgp-requires-policy")
    out.append(" no bgp network import-check")
    if not bgp.default_ipv4:
        out.append(" no bgp default ipv4-unicast")
    groups = [n for n in bgp.neighbors.values() if n.is_group]
    peers = [n for n in bgp.neighbors.values() if not n.is_group]
    valid: list[BgpNeighbor] = []
    for n in groups + peers:
        if n.is_group:
            out.append(f" neighbor {n.key} peer-group")
        elif not _is_ip(n.key):
            continue
        if n.remote_as:
            out.append(f" neighbor {n.key} remote-as {n.remote_as}")
        if n.peer_group and not n.is_group:
            if not any(g.key == n.peer_group for g in groups):
                continue
            out.append(f" neighbor {n.key} peer-group {n.peer_group}")
        elif not n.remote_as and not n.is_group:
            continue
        valid.append(n)
        if n.description:
            out.append(f" neighbor {n.key} description {n.description}")
        if n.update_source:
            out.append(f" neighbor {n.key} update-source {_frr_ifname(n.update_source)}")
        if n.bfd:
            out.append(f" neighbor {n.key} bfd")
            if dev.bfd_timers:
                out.append(f" neighbor {n.key} bfd profile {BFD_PROFILE}")
        if n.shutdown:
            out.append(f" neighbor {n.key} shutdown")
    out.append(" address-family ipv4 unicast")
    if bgp.maximum_paths:
        out.append(f"  maximum-paths {bgp.maximum_paths}")
    for net in bgp.networks:
        out.append(f"  network {net}")
    for r in bgp.redistribute:
        out.append(f"  redistribute {r}")
    for n in valid:
        if n.activate is True and not bgp.default_ipv4:
            out.append(f"  neighbor {n.key} activate")
        if n.activate is False and bgp.default_ipv4:
            out.append(f"  no neighbor {n.key} activate")
        if n.max_routes:
            out.append(f"  neighbor {n.key} maximum-prefix {n.max_routes}")
        for rm in n.route_maps:
            out.append(f"  neighbor {n.key} route-map {rm}")
    out.append(" exit-address-family")
    out.append("exit")
    return out


def _is_ip(s: str) -> bool:
    try:
        ipaddress.ip_address(s)
        return True
    except ValueError:
        return False


def kernel_links(dev: Device) -> dict[str, tuple[int, bool]]:
    """Linux interface -> (mtu, admin up) that the kernel must reflect."""
    res: dict[str, tuple[int, bool]] = {}
    for itf in dev.interfaces.values():
        if itf.linux == "eth0":
            continue
        res[itf.linux] = (itf.mtu or (65535 if itf.linux.startswith("lo") else 1500), not itf.shutdown)
    return res
