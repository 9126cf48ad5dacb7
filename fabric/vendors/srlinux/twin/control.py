"""SR Linux configuration (its JSON form) -> the twin's control plane: FRR configuration, kernel links.

The input is SR Linux's own JSON (``info | as json``, JSON-RPC ``get /``) without module prefixes.
Only ``network-instance default`` routes; other instances (the mgmt VRF, mac-vrfs, ip-vrfs) and
``mgmt0`` are left alone. Only subinterface 0 of an interface is modelled.

It reads the configuration into the Nokia routing model of ``fabric.twins.nokia`` (shared with the
SR OS twin: same routing-policy semantics), which writes the FRR configuration. What is SR Linux's own:
- eBGP without a policy: ``ebgp-default-policy import-reject-all``/``export-reject-all`` (true unless
  set) reject what no policy decided, as RFC 8212.
- BFD parameters live on the subinterface (``bfd subinterface``, microseconds; 1 s x 3 unless set) and
  a protocol's ``enable-bfd`` only runs where that subinterface has BFD enabled.
- IS-IS metric style per level, narrow unless set; one path unless ``multipath`` says more.

``validate`` raises ``CommitError`` for what SR Linux refuses at commit (undefined policies, prefix-sets,
peer-groups, subinterfaces; BGP without AS or router-id). The wording approximates SR Linux's commit
errors (``Error: Path '...'``), it is not a verbatim copy.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from fabric.twins.nokia import (
    PROTO_ALIASES,
    Bfd,
    Bgp,
    Device,
    IgpInterface,
    Interface,
    Isis,
    Neighbor,
    Ospf,
    Policy,
    Statement,
    kernel_links,
    to_frr,
)

__all__ = ["CommitError", "Device", "kernel_links", "parse", "to_frr", "to_linux", "validate"]

SRL_BFD_DEFAULT_US = 1_000_000  # SR Linux's default BFD intervals (microseconds)
_ETH = re.compile(r"^ethernet-(\d+)/(\d+)$")
_LOOP = re.compile(r"^(system0|lo\d+)$")

class CommitError(Exception):
    """What SR Linux answers to a commit it refuses."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.path = path


def to_linux(name: str) -> str | None:
    """SR Linux interface (or subinterface) -> the node's Linux interface (containerlab: e1-N)."""
    name = name.split(".", 1)[0]
    if m := _ETH.match(name):
        return f"e{m.group(1)}-{m.group(2)}"
    if _LOOP.match(name):
        return name
    return None


# ---- reading the JSON ------------------------------------------------------------------------
def _d(node: Any, *keys: str) -> dict[str, Any]:
    for k in keys:
        node = node.get(k) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else {}


def _l(node: Any, key: str) -> list[dict[str, Any]]:
    v = node.get(key) if isinstance(node, dict) else None
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


def _bool(v: Any) -> bool:
    return v is True or str(v).lower() == "true"


def _enabled(node: dict[str, Any], default: bool = True) -> bool:
    state = node.get("admin-state")
    return default if state is None else state == "enable"


def _proto(v: Any) -> str:
    p = str(v).rsplit(":", 1)[-1]
    return PROTO_ALIASES.get(p, p)


# ---- parsing ---------------------------------------------------------------------------------
_NI = '.network-instance{.name=="default"}'


def parse(cfg: dict[str, Any], default_hostname: str = "srlinux") -> Device:
    """The control-plane model of an SR Linux configuration (its JSON form)."""
    system = _d(cfg, "system")
    dev = Device(hostname=str(_d(system, "name").get("host-name") or default_hostname))
    dev.lldp = _enabled(_d(system, "lldp"), default=True)
    ni = next((n for n in _l(cfg, "network-instance") if n.get("name") == "default"), {})
    attached = {str(i.get("name")) for i in _l(ni, "interface")}
    _parse_interfaces(dev, cfg, attached)
    _parse_bfd(dev, cfg)
    _parse_policies(dev, _d(cfg, "routing-policy"))
    if ni and _enabled(ni):
        dev.router_id = str(ni["router-id"]) if ni.get("router-id") else None
        protocols = _d(ni, "protocols")
        if "bgp" in protocols:
            _parse_bgp(dev, _d(protocols, "bgp"))
        _parse_isis(dev, _d(protocols, "isis"))
        _parse_ospf(dev, _d(protocols, "ospf"))
        _parse_static(dev, ni)
    return dev


def _parse_interfaces(dev: Device, cfg: dict[str, Any], attached: set[str]) -> None:
    subifs = set()
    for itf in _l(cfg, "interface"):
        name = str(itf.get("name", ""))
        linux = to_linux(name)
        for s in _l(itf, "subinterface"):
            subifs.add(f"{name}.{s.get('index')}")
        if linux is None:
            continue  # mgmt0 is the lab's: never break the management path
        i = Interface(name=name, linux=linux, description=str(itf.get("description", "")),
                      mtu=_int(itf.get("mtu")), disabled=not _enabled(itf))
        sub = next((s for s in _l(itf, "subinterface") if _int(s.get("index")) == 0), None)
        if sub is not None:
            i.disabled = i.disabled or not _enabled(sub)
            i.ip_mtu = _int(sub.get("ip-mtu"))
            i.routed = f"{name}.0" in attached
            ipv4 = _d(sub, "ipv4")
            if _enabled(ipv4, default=False):  # SR Linux: ipv4 is disabled unless enabled
                i.ipv4 = [str(a["ip-prefix"]) for a in _l(ipv4, "address") if a.get("ip-prefix")]
        dev.interfaces[name] = i
    for missing in sorted(attached - subifs):
        dev.errors.append(CommitError(
            f"Error: Path '{_NI}.interface{{.name==\"{missing}\"}}': subinterface '{missing}' does not exist",
            path=f"network-instance default interface {missing}"))


def _parse_bfd(dev: Device, cfg: dict[str, Any]) -> None:
    for s in _l(_d(cfg, "bfd"), "subinterface"):
        if not _enabled(s, default=False):
            continue
        tx = _int(s.get("desired-minimum-transmit-interval")) or SRL_BFD_DEFAULT_US
        rx = _int(s.get("required-minimum-receive")) or SRL_BFD_DEFAULT_US
        mult = _int(s.get("detection-multiplier")) or 3
        dev.bfd[str(s.get("id"))] = Bfd(max(10, tx // 1000), max(10, rx // 1000), mult)


def _mask_range(prefix: str, rng: str) -> str | None:
    """An SR Linux prefix-set entry as an FRR prefix-list rule (``permit P [ge X] [le Y]``)."""
    try:
        net = ipaddress.ip_network(prefix, strict=False)
    except ValueError:
        return None
    if rng in ("exact", ""):
        return f"permit {net}"
    lo_s, sep, hi_s = rng.partition("..")
    if not sep or not lo_s.isdigit() or not hi_s.isdigit():
        return None
    lo, hi = int(lo_s), int(hi_s)
    if lo == hi == net.prefixlen:
        return f"permit {net}"
    ge = f" ge {lo}" if lo > net.prefixlen else ""
    le = f" le {hi}" if hi != lo or not ge else ""
    return f"permit {net}{ge}{le}"


def _parse_policies(dev: Device, rp: dict[str, Any]) -> None:
    for ps in _l(rp, "prefix-set"):
        rules = [r for p in _l(ps, "prefix")
                 if (r := _mask_range(str(p.get("ip-prefix")), str(p.get("mask-length-range", "exact"))))]
        dev.prefix_sets[str(ps.get("name"))] = rules
    for po in _l(rp, "policy"):
        name = str(po.get("name"))
        pol = Policy(name=name, default=_result(_d(po, "default-action")))
        for st in _l(po, "statement"):
            match, action = _d(st, "match"), _d(st, "action")
            s = Statement(name=str(st.get("name", st.get("sequence-id", ""))),
                          result=_result(action))
            pset = match.get("prefix-set") or _d(match, "prefix").get("prefix-set")
            if pset:
                s.prefix_set = str(pset)
                if s.prefix_set not in dev.prefix_sets:
                    dev.errors.append(CommitError(
                        f"Error: Path '.routing-policy.policy{{.name==\"{name}\"}}.statement"
                        f"{{.name==\"{s.name}\"}}.match.prefix-set': "
                        f"prefix-set '{s.prefix_set}' does not exist",
                        path=f"routing-policy policy {name} statement {s.name} match prefix-set"))
            if match.get("protocol"):
                s.protocol = _proto(match["protocol"])
            bgp = _d(action, "bgp")
            s.local_preference = _int(_d(bgp, "local-preference").get("set"))
            s.med = _int(_d(bgp, "med").get("set"))
            prep = _d(_d(bgp, "as-path"), "prepend")
            if prep.get("as-number") is not None:  # "auto" (0 here): the local AS
                asn = 0 if str(prep["as-number"]) == "auto" else (_int(prep["as-number"]) or 0)
                s.prepend = [asn] * (_int(prep.get("repeat-n")) or 1)
            pol.statements.append(s)
        dev.policies[name] = pol


def _result(action: dict[str, Any]) -> str | None:
    r = action.get("policy-result")
    if r in ("accept", "reject"):
        return str(r)
    for kw in ("accept", "reject"):  # older releases: `action accept {}`
        if kw in action:
            return kw
    return None


def _policy_refs(dev: Device, names: list[str], where: str) -> None:
    for p in names:
        if p not in dev.policies:
            dev.errors.append(CommitError(
                f"Error: Path '{_NI}.protocols.bgp{where}': policy '{p}' does not exist",
                path=f"network-instance default protocols bgp{where}"))


def _afi(node: dict[str, Any]) -> dict[str, Any]:
    return next((a for a in _l(node, "afi-safi") if _proto(a.get("afi-safi-name")) == "ipv4-unicast"), {})


def _parse_bgp(dev: Device, b: dict[str, Any]) -> None:
    if not _enabled(b):
        return
    bgp = Bgp(asn=_int(b.get("autonomous-system")), router_id=b.get("router-id") or dev.router_id)
    if bgp.asn is None:
        dev.errors.append(CommitError(
            f"Error: Path '{_NI}.protocols.bgp': mandatory leaf 'autonomous-system' is missing",
            path="network-instance default protocols bgp autonomous-system"))
    if bgp.router_id is None:
        dev.errors.append(CommitError(
            f"Error: Path '{_NI}.protocols.bgp': mandatory leaf 'router-id' is missing",
            path="network-instance default protocols bgp router-id"))
    af = _afi(b)
    ipv4_on = _enabled(af)
    mp = _d(af, "multipath")
    both = _int(mp.get("maximum-paths"))
    bgp.ebgp_paths = _int(_d(mp, "ebgp").get("maximum-paths")) or both or 1
    bgp.ibgp_paths = _int(_d(mp, "ibgp").get("maximum-paths")) or both or 1
    bgp.multiple_as = _bool(mp.get("allow-multiple-as", True))
    edp = _d(b, "ebgp-default-policy")
    bgp.import_reject_all = _bool(edp.get("import-reject-all", True))
    bgp.export_reject_all = _bool(edp.get("export-reject-all", True))
    rr = _d(b, "route-reflector")
    bgp.cluster_id = rr.get("cluster-id")
    _policy_refs(dev, _strs(b.get("import-policy")) + _strs(b.get("export-policy")), "")
    groups = {str(g.get("group-name")): g for g in _l(b, "group")}
    bgp.groups = set(groups)
    for gname, g in groups.items():
        _policy_refs(dev, _strs(g.get("import-policy")) + _strs(g.get("export-policy")),
                     f'.group{{.group-name=="{gname}"}}')
        bgp.cluster_id = bgp.cluster_id or _d(g, "route-reflector").get("cluster-id")
    for n in _l(b, "neighbor"):
        ip = str(n.get("peer-address"))
        where = f'.neighbor{{.peer-address=="{ip}"}}'
        gname = str(n.get("peer-group", ""))
        if not gname:
            dev.errors.append(CommitError(f"Error: Path '{_NI}.protocols.bgp{where}': mandatory leaf "
                                          "'peer-group' is missing", path=f"bgp neighbor {ip}"))
            continue
        if gname not in groups:
            dev.errors.append(CommitError(
                f"Error: Path '{_NI}.protocols.bgp{where}.peer-group': peer-group '{gname}' does not exist",
                path=f"bgp neighbor {ip} peer-group"))
            continue
        g = groups[gname]

        def pick(*path: str, n: dict[str, Any] = n, g: dict[str, Any] = g) -> Any:
            for node in (n, g, b):
                v: Any = node
                for k in path:
                    v = v.get(k) if isinstance(v, dict) else None
                if v is not None:
                    return v
            return None

        peer_as = _int(pick("peer-as"))
        if peer_as is None:
            dev.errors.append(CommitError(
                f"Error: Path '{_NI}.protocols.bgp{where}': peer-as is not configured for the neighbor "
                f"nor for its peer-group '{gname}'", path=f"bgp neighbor {ip} peer-as"))
            continue
        nafi, gafi = _afi(n), _afi(g)
        nb = Neighbor(
            ip=ip, group=gname, peer_as=peer_as,
            local_as=_int(_d(n, "local-as").get("as-number") or _d(g, "local-as").get("as-number")),
            description=str(n.get("description") or g.get("description") or ""),
            enabled=_enabled(n) and _enabled(g),
            ipv4=_enabled(nafi, _enabled(gafi, ipv4_on)),
            imports=_strs(pick("import-policy")), exports=_strs(pick("export-policy")),
            bfd=_bool(pick("failure-detection", "enable-bfd")),
            local_address=pick("transport", "local-address"),
            rr_client=_bool(pick("route-reflector", "client")),
            next_hop_self=_bool(pick("next-hop-self")),
            hold=_int(pick("timers", "hold-time")), keepalive=_int(pick("timers", "keepalive-interval")),
            connect_retry=_int(pick("timers", "connect-retry")),
        )
        _policy_refs(dev, _strs(n.get("import-policy")) + _strs(n.get("export-policy")), where)
        bgp.neighbors.append(nb)
    dev.bgp = bgp


def _parse_isis(dev: Device, isis: dict[str, Any]) -> None:
    inst = next((i for i in _l(isis, "instance") if _enabled(i, default=False)), None)
    if inst is None:
        return
    caps = {"L1": {1}, "L2": {2}, "L1L2": {1, 2}}
    levels = caps.get(str(inst.get("level-capability", "L2")), {2})
    narrow = {lv for lv in levels
              if next((x.get("metric-style") for x in _l(inst, "level") if _int(x.get("level-number")) == lv),
                      "narrow") == "narrow"}
    out = Isis(tag=str(inst.get("name")), nets=_strs(inst.get("net")), levels=levels, narrow=narrow)
    for itf in _l(inst, "interface"):
        if not _enabled(itf) or not _enabled(_d(itf, "ipv4-unicast")):
            continue
        ii = IgpInterface(name=str(itf.get("interface-name")),
                          p2p=itf.get("circuit-type") == "point-to-point", passive=_bool(itf.get("passive")),
                          bfd=_bool(_d(itf, "ipv4-unicast").get("enable-bfd")))
        for lv in _l(itf, "level"):
            num, metric = _int(lv.get("level-number")), _int(lv.get("metric"))
            if num in levels and metric is not None:
                ii.metrics[num] = metric
        out.interfaces.append(ii)
    dev.isis = out


def _parse_ospf(dev: Device, ospf: dict[str, Any]) -> None:
    inst = next((i for i in _l(ospf, "instance") if _enabled(i, default=False)
                 and _proto(i.get("version", "ospf-v2")) == "ospf-v2"), None)
    if inst is None:
        return
    out = Ospf(router_id=inst.get("router-id") or dev.router_id)
    for area in _l(inst, "area"):
        for itf in _l(area, "interface"):
            if not _enabled(itf):
                continue
            out.interfaces.append(IgpInterface(
                name=str(itf.get("interface-name")), area=str(area.get("area-id")),
                p2p=itf.get("interface-type") == "point-to-point", passive=_bool(itf.get("passive")),
                metric=_int(itf.get("metric")), bfd=_bool(_d(itf, "failure-detection").get("enable-bfd"))))
    dev.ospf = out


def _parse_static(dev: Device, ni: dict[str, Any]) -> None:
    groups = {str(g.get("name")): g for g in _l(_d(ni, "next-hop-groups"), "group")}
    for r in _l(_d(ni, "static-routes"), "route"):
        if not _enabled(r):
            continue
        prefix, gname = str(r.get("prefix")), str(r.get("next-hop-group", ""))
        g = groups.get(gname)
        if g is None:
            dev.errors.append(CommitError(
                f"Error: Path '{_NI}.static-routes.route{{.prefix==\"{prefix}\"}}.next-hop-group': "
                f"next-hop-group '{gname}' does not exist", path=f"static-routes route {prefix}"))
            continue
        dist = _int(r.get("preference"))
        if "blackhole" in g:
            dev.static_routes.append((prefix, "blackhole", dist))
        for nh in _l(g, "nexthop"):
            if _enabled(nh) and nh.get("ip-address"):
                dev.static_routes.append((prefix, str(nh["ip-address"]), dist))


def validate(cfg: dict[str, Any], default_hostname: str = "srlinux") -> Device:
    """The device a commit of ``cfg`` would run; CommitError (SR Linux's wording, approximated) if refused."""
    dev = parse(cfg, default_hostname)
    if dev.errors:
        raise dev.errors[0]
    return dev
