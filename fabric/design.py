"""Fabric design: expand a compact fabric file into per-device intent.

Allocation is a pure function of the input (pool + offset + id, like AVD), so
the same file always gives the same fabric, and adding a leaf never renumbers
existing devices: every address and port is derived from the node's own id,
never from its position in a list.
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from fabric.errors import FabricError
from fabric.model import (
    BackboneSpec,
    BgpIntent,
    BgpNeighborIntent,
    ClosSpec,
    DeviceIntent,
    ExplicitLink,
    Fabric,
    InterfaceIntent,
    IsisIntent,
    Link,
    LinkEnd,
    NodeSpec,
    OspfIntent,
    PeerGroupIntent,
    RoleOffsets,
    _default_offsets,
)
from fabric.platforms import Platform, get_platform
from fabric.yamlfile import YamlDoc, load_yaml

FABRIC_FILE = "fabric.yaml"


def fabric_file(path: str | Path) -> Path:
    """Accept ``inventory/dc1``, ``inventory/dc1/fabric.yaml`` or a bare fabric name."""
    p = Path(path)
    try:
        if p.is_dir():
            return p / FABRIC_FILE
        if not p.exists() and not p.suffix:
            # a name is a fabric under ./inventory; a missing one still names the file it would be (the
            # error then lists the fabrics that exist)
            return Path("inventory") / p / FABRIC_FILE if len(p.parts) == 1 else p / FABRIC_FILE
    except OSError as exc:  # a path the file system refuses to look at (a name too long, ...)
        raise FabricError(f"cannot use this path: {exc.strerror or exc}", file=str(path)[:300],
                          fix="pass inventory/<fabric>, its fabric.yaml, or the fabric's name") from None
    return p


def load_fabric(path: str | Path) -> Fabric:
    file = fabric_file(path)
    doc = load_yaml(file)
    return expand(doc)


def expand(doc: YamlDoc) -> Fabric:
    data = doc.data
    fname = str(doc.path)
    if not isinstance(data, dict):
        raise FabricError(
            "a fabric file must be a mapping with at least 'name' and 'design'",
            file=fname,
            line=doc.line(()) or 1,
            fix="see inventory/dc1/fabric.yaml for an example",
        )
    design = data.get("design")
    spec_cls: type[ClosSpec] | type[BackboneSpec]
    if design == "clos":
        spec_cls = ClosSpec
    elif design == "backbone":
        spec_cls = BackboneSpec
    else:
        raise FabricError(
            f"unknown design {design!r}",
            file=fname,
            key="design",
            line=doc.line(("design",)),
            fix="set 'design: clos' or 'design: backbone'",
        )
    try:
        spec = spec_cls.model_validate(data)
    except ValidationError as exc:
        raise _validation_error(exc, doc) from None
    builder = _Builder(spec, doc)
    return builder.build()


def _validation_error(exc: ValidationError, doc: YamlDoc) -> FabricError:
    errors = exc.errors()
    # an unknown key first: a misspelt required key is both unknown and missing, and the unknown one
    # (the line the operator typed) is the cause
    err = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = tuple(x for x in err["loc"] if not (isinstance(x, str) and x.startswith("function-")))
    key = ".".join(str(x) for x in loc) or "(top level)"
    msg = err["msg"]
    fix = None
    if err["type"] == "extra_forbidden":
        msg = "unknown key"
        fix = "remove it or check its spelling against docs/fabric-file.md"
        if close := _closest(str(loc[-1]), [str(e["loc"][-1]) for e in errors if e["type"] == "missing"
                                             and e["loc"][:-1] == err["loc"][:-1]] + _known_keys(exc, loc)):
            fix = f"did you mean '{close}'? (docs/fabric-file.md)"
    elif err["type"] == "missing":
        msg = "required key is missing"
        fix = f"add '{loc[-1]}'"
    elif err["type"] == "string_pattern_mismatch":
        fix = f"the value must match {err.get('ctx', {}).get('pattern')}"
    else:  # a wrong type or value: what it must be
        fix = _fix_value(err, key)
    more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    return FabricError(msg + more, file=str(doc.path), key=key, line=doc.line(loc), fix=fix)


# What a value must be, by pydantic error type, for the fix of a wrong value.
_EXPECTED = {
    "int_type": "a whole number", "int_parsing": "a whole number", "int_from_float": "a whole number",
    "float_type": "a number", "float_parsing": "a number", "finite_number": "a finite number",
    "bool_type": "true or false", "bool_parsing": "true or false",
    "string_type": "text", "list_type": "a list ([a, b])",
    "dict_type": "a mapping (key: value)", "model_type": "a mapping (key: value)",
    "model_attributes_type": "a mapping (key: value)",
}
_BOUNDS = {"greater_than_equal": ("ge", "a value >= {}"), "less_than_equal": ("le", "a value <= {}"),
           "greater_than": ("gt", "a value > {}"), "less_than": ("lt", "a value < {}"),
           "too_short": ("min_length", "at least {} item(s) long"),
           "too_long": ("max_length", "at most {} item(s) long")}


def _fix_value(err: Any, key: str) -> str:
    """The fix for a value of the wrong type or out of range (every FabricError has a fix)."""
    ctx = err.get("ctx") or {}
    kind = err["type"]
    if kind in _EXPECTED:
        what = _EXPECTED[kind]
    elif kind == "literal_error" and "expected" in ctx:
        what = f"one of {ctx['expected']}"
    elif kind in _BOUNDS and _BOUNDS[kind][0] in ctx:
        what = _BOUNDS[kind][1].format(ctx[_BOUNDS[kind][0]])
    else:
        return f"correct '{key}' (docs/fabric-file.md describes every key)"
    return f"make '{key}' {what} (docs/fabric-file.md)"


def _closest(word: str, candidates: list[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return found[0] if found else None


def _known_keys(exc: ValidationError, loc: tuple[Any, ...]) -> list[str]:
    """The keys the model allows where ``loc`` is (top level of the fabric file, or a nested model)."""
    model: Any = exc.title and {"ClosSpec": ClosSpec, "BackboneSpec": BackboneSpec}.get(exc.title)
    for part in loc[:-1]:
        if model is None:
            return []
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return []  # a list index or a mapping's own keys: nothing to suggest from
        ann = field.annotation
        model = ann if isinstance(ann, type) and hasattr(ann, "model_fields") else None
    return list(getattr(model, "model_fields", {})) if model is not None else []


def isis_net(area: str, loopback: str) -> str:
    """NET from the loopback: 10.255.0.1 -> 49.0001.0102.5500.0001.00 (the usual convention)."""
    digits = "".join(f"{int(o):03d}" for o in ipaddress.IPv4Address(loopback).exploded.split("."))
    return f"{area}.{digits[0:4]}.{digits[4:8]}.{digits[8:12]}.00"


class _Builder:
    def __init__(self, spec: ClosSpec | BackboneSpec, doc: YamlDoc) -> None:
        self.spec = spec
        self.doc = doc
        self.file = str(doc.path)
        self.offsets: dict[str, RoleOffsets] = {**_default_offsets(), **spec.roles}
        self.loopback_pool = ipaddress.IPv4Network(spec.pools.loopback)
        self.mgmt_pool = ipaddress.IPv4Network(spec.pools.mgmt)
        self.mgmt_gateway = str(self.mgmt_pool.network_address + 1)
        self.p2p_pool = ipaddress.IPv4Network(spec.pools.p2p)
        self.nodes: dict[str, tuple[NodeSpec, str, tuple[str | int, ...]]] = {}  # name -> spec, role, keypath
        self.ifaces: dict[str, list[InterfaceIntent]] = defaultdict(list)
        self.links: list[Link] = []
        self.used_ports: dict[tuple[str, int], tuple[str | int, ...]] = {}

    # ------------------------------------------------------------ helpers
    def err(self, msg: str, keypath: tuple[str | int, ...], fix: str | None = None) -> FabricError:
        key = ".".join(str(k) for k in keypath)
        return FabricError(msg, file=self.file, key=key, line=self.doc.line(keypath), fix=fix)

    def platform(self, name: str) -> Platform:
        node, _, kp = self.nodes[name]
        try:
            return get_platform(node.platform)
        except FabricError as exc:
            raise self.err(exc.message, kp + ("platform",), exc.fix) from None

    def _addr(
        self, pool: ipaddress.IPv4Network, index: int, what: str, kp: tuple[str | int, ...], pool_key: str
    ) -> ipaddress.IPv4Address:
        if index >= pool.num_addresses - 1:
            raise self.err(
                f"{what} pool {pool} exhausted (needs index {index})",
                kp,
                fix=f"use a larger '{pool_key}' pool or lower the role offsets/ids",
            )
        return pool.network_address + index

    def register_nodes(self, nodes: Sequence[tuple[NodeSpec, str, tuple[str | int, ...]]]) -> None:
        ids: dict[tuple[str, int], str] = {}
        for node, role, kp in nodes:
            if node.name in self.nodes:
                raise self.err(
                    f"duplicate node name '{node.name}'", kp + ("name",), "node names must be unique"
                )
            group = role if role in ("super_spine", "spine", "leaf") else "backbone"
            if (group, node.id) in ids:
                raise self.err(
                    f"duplicate id {node.id} (already used by {ids[(group, node.id)]})",
                    kp + ("id",),
                    f"give every {group.replace('_', '-')} node a unique id",
                )
            ids[(group, node.id)] = node.name
            self.nodes[node.name] = (node, role, kp)
            self.platform(node.name)  # validates the platform name early

    def loopback(self, name: str) -> str:
        node, role, kp = self.nodes[name]
        if node.loopback:
            try:
                return str(ipaddress.IPv4Interface(node.loopback).ip)
            except ValueError:
                raise self.err(f"'{node.loopback}' is not an IPv4 address", kp + ("loopback",),
                               "write an IPv4 address (10.255.0.1), or remove it to allocate one") from None
        off = self.offsets[role].loopback
        return str(self._addr(self.loopback_pool, off + node.id, "loopback", kp + ("id",), "pools.loopback"))

    def mgmt(self, name: str) -> str:
        node, role, kp = self.nodes[name]
        if node.mgmt_ip:
            try:
                ip = ipaddress.IPv4Address(node.mgmt_ip.split("/")[0])
            except ValueError:
                raise self.err(f"'{node.mgmt_ip}' is not an IPv4 address", kp + ("mgmt_ip",),
                               "write an IPv4 address (172.20.20.11), or remove it to allocate one") from None
            if ip not in self.mgmt_pool:
                raise self.err(f"{ip} is outside the mgmt subnet {self.mgmt_pool}", kp + ("mgmt_ip",),
                               f"use an address in {self.mgmt_pool} or widen pools.mgmt")
        else:
            ip = self._addr(
                self.mgmt_pool, self.offsets[role].mgmt + node.id, "mgmt", kp + ("id",), "pools.mgmt"
            )
        return f"{ip}/{self.mgmt_pool.prefixlen}"

    def parse_endpoint(self, text: str, kp: tuple[str | int, ...]) -> tuple[str, int, str]:
        if ":" not in text:
            raise self.err(
                f"endpoint '{text}' must be 'node:interface'", kp, "write it like 'leaf1:Ethernet1'"
            )
        node, iface = text.split(":", 1)
        if node not in self.nodes:
            raise self.err(
                f"link to unknown node '{node}'", kp, f"define '{node}' under nodes or fix the name"
            )
        plat = self.platform(node)
        port = plat.port_of(iface)
        if port is None:
            raise self.err(
                f"interface '{iface}' is not a valid {plat.description} fabric port name",
                kp,
                f"use names like '{plat.interface(1)}', '{plat.interface(2)}'",
            )
        return node, port, iface

    def add_link(
        self,
        a: tuple[str, int],
        b: tuple[str, int],
        subnet: ipaddress.IPv4Network,
        kp: tuple[str | int, ...],
        metric: int = 10,
    ) -> None:
        ends = []
        for (node, port), ip in zip(
            (a, b), (subnet.network_address, subnet.network_address + 1), strict=True
        ):
            if (node, port) in self.used_ports:
                plat = self.platform(node)
                raise self.err(
                    f"interface {plat.interface(port)} of {node} is used twice",
                    kp,
                    "each interface can be cabled once; change one of the links or the port ranges",
                )
            self.used_ports[(node, port)] = kp
            ends.append((node, port, f"{ip}/31"))
        (na, pa, ia), (nb, pb, ib) = ends
        plat_a, plat_b = self.platform(na), self.platform(nb)
        link = Link(
            a=LinkEnd(node=na, interface=plat_a.interface(pa), port=pa, ipv4=ia),
            b=LinkEnd(node=nb, interface=plat_b.interface(pb), port=pb, ipv4=ib),
            subnet=str(subnet),
            metric=metric,
        )
        self.links.append(link)
        for me, other, plat in ((link.a, link.b, plat_a), (link.b, link.a, plat_b)):
            self.ifaces[me.node].append(
                InterfaceIntent(
                    name=me.interface,
                    port=me.port,
                    clab_name=plat.clab_port(me.port),
                    description=f"to {other.node} {other.interface}",
                    ipv4=me.ipv4,
                    mtu=self.spec.mtu,
                    peer=other.node,
                    peer_interface=other.interface,
                    peer_ipv4=other.ipv4,
                    metric=metric,
                )
            )

    def subnet(
        self, pool: ipaddress.IPv4Network, index: int, kp: tuple[str | int, ...], pool_key: str
    ) -> ipaddress.IPv4Network:
        base = int(pool.network_address) + 2 * index
        if base + 1 > int(pool.broadcast_address):
            raise self.err(
                f"point-to-point pool {pool} exhausted (needs /31 number {index})",
                kp,
                fix=f"use a larger '{pool_key}' pool",
            )
        return ipaddress.IPv4Network((base, 31))

    def explicit_links(self, links: list[ExplicitLink], pool: ipaddress.IPv4Network) -> None:
        for i, link in enumerate(links):
            kp: tuple[str | int, ...] = ("links", i)
            a = self.parse_endpoint(link.endpoints[0], kp + ("endpoints", 0))
            b = self.parse_endpoint(link.endpoints[1], kp + ("endpoints", 1))
            if a[0] == b[0]:
                raise self.err(f"link from {a[0]} to itself", kp, "a link joins two different nodes")
            if link.subnet:
                sub = ipaddress.IPv4Network(link.subnet)
                if sub.prefixlen != 31:
                    raise self.err(f"link subnet {sub} is not a /31", kp + ("subnet",),
                                   "give a /31, e.g. 10.1.0.0/31, or remove it to allocate one")
            else:
                # Link N gets the Nth /31: appending links never renumbers existing ones.
                sub = self.subnet(pool, i, kp, "pools.p2p")
            self.add_link((a[0], a[1]), (b[0], b[1]), sub, kp, link.metric)

    # ------------------------------------------------------------ designs
    def build(self) -> Fabric:
        if isinstance(self.spec, ClosSpec):
            devices = self.build_clos(self.spec)
        else:
            devices = self.build_backbone(self.spec)
        self.check_unique(devices)
        pools = {"loopback": str(self.loopback_pool), "p2p": str(self.p2p_pool), "mgmt": str(self.mgmt_pool)}
        if isinstance(self.spec, ClosSpec) and self.spec.pools.p2p_super:
            pools["p2p_super"] = self.spec.pools.p2p_super
        return Fabric(
            name=self.spec.name,
            design=self.spec.design,
            file=self.file,
            devices=dict(sorted(devices.items())),
            links=self.links,
            pools=pools,
            mgmt_subnet=str(self.mgmt_pool),
        )

    def check_unique(self, devices: dict[str, DeviceIntent]) -> None:
        seen: dict[str, str] = {}
        for dev in devices.values():
            _, _, kp = self.nodes[dev.hostname]
            for what, ip in (
                ("loopback", dev.loopback0.split("/")[0]),
                ("mgmt IP", dev.mgmt_ipv4.split("/")[0]),
            ):
                if ip in seen:
                    raise self.err(
                        f"{what} {ip} of {dev.hostname} is already used by {seen[ip]}",
                        kp,
                        "change the node's id or override, or the role offsets under 'roles'",
                    )
                seen[ip] = dev.hostname
        gateway = self.mgmt_gateway
        if gateway in seen:
            raise self.err(f"mgmt IP {gateway} of {seen[gateway]} is the mgmt gateway", ("pools", "mgmt"),
                           "the pool's first address is the gateway: change the node's id or mgmt_ip")

    def ibgp_group(
        self,
        group: str,
        asn: int,
        description: str,
        peers: list[str],
        loops: dict[str, str],
        update_source: str,
        bfd: bool,
        rr_client: bool = False,
    ) -> tuple[PeerGroupIntent, list[BgpNeighborIntent]]:
        """An iBGP peer group sourced from the loopback, and its neighbors (one per peer loopback)."""
        pg = PeerGroupIntent(
            name=group,
            remote_as=asn,
            description=description,
            update_source=update_source,
            route_reflector_client=rr_client,
            bfd=bfd,
        )
        neighbors = [
            BgpNeighborIntent(ip=loops[p], peer_as=asn, peer_group=group, peer=p, description=p)
            for p in peers
        ]
        return pg, neighbors

    def device(self, name: str, **kw: Any) -> DeviceIntent:
        node, role, _ = self.nodes[name]
        plat = self.platform(name)
        lo = self.loopback(name)
        interfaces = [
            InterfaceIntent(
                name=plat.loopback,
                kind="loopback",
                description="router-id and overlay peering",
                ipv4=f"{lo}/32",
            )
        ] + sorted(self.ifaces[name], key=lambda i: i.port or 0)
        return DeviceIntent(
            hostname=name,
            fabric=self.spec.name,
            site=self.spec.site or self.spec.name,
            design=self.spec.design,
            platform=plat.name,
            role=role,  # type: ignore[arg-type]
            id=node.id,
            pod=node.pod,
            tags=sorted(node.tags),
            mgmt_ipv4=self.mgmt(name),
            mgmt_gateway=self.mgmt_gateway,
            loopback0=f"{lo}/32",
            router_id=lo,
            mtu=self.spec.mtu,
            domain=self.spec.domain,
            ntp_servers=self.spec.ntp_servers,
            syslog_servers=self.spec.syslog_servers,
            interfaces=interfaces,
            bfd_interval=self.spec.bfd.interval,
            bfd_multiplier=self.spec.bfd.multiplier,
            **kw,
        )

    def build_clos(self, spec: ClosSpec) -> dict[str, DeviceIntent]:
        nodes = [
            (n, "super_spine", ("nodes", "super_spines", i)) for i, n in enumerate(spec.nodes.super_spines)
        ]
        nodes += [(n, "spine", ("nodes", "spines", i)) for i, n in enumerate(spec.nodes.spines)]
        nodes += [(n, "leaf", ("nodes", "leaves", i)) for i, n in enumerate(spec.nodes.leaves)]
        self.register_nodes(nodes)
        spines_by_pod: dict[int, list[NodeSpec]] = defaultdict(list)
        for s in sorted(spec.nodes.spines, key=lambda n: n.id):
            spines_by_pod[s.pod].append(s)
        for pod, spines in spines_by_pod.items():
            if len(spines) > spec.max_spines:
                raise self.err(
                    f"pod {pod} has {len(spines)} spines, more than max_spines={spec.max_spines}",
                    ("max_spines",),
                    f"set max_spines: {len(spines)} or more (this renumbers the /31s: plan it)",
                )
        u = spec.uplinks_per_spine
        if spec.links is not None:
            self.explicit_links(spec.links, self.p2p_pool)
        else:
            for li, leaf in enumerate(spec.nodes.leaves):
                kp: tuple[str | int, ...] = ("nodes", "leaves", li)
                pod_spines = spines_by_pod.get(leaf.pod)
                if not pod_spines:
                    raise self.err(
                        f"leaf {leaf.name} is in pod {leaf.pod}, which has no spines", kp + ("pod",),
                        "put the leaf in a pod that has spines, or add spines to this pod",
                    )
                if leaf.id > spec.max_leaves_per_spine:
                    raise self.err(
                        f"leaf id {leaf.id} exceeds max_leaves_per_spine={spec.max_leaves_per_spine}",
                        kp + ("id",),
                        "raise max_leaves_per_spine",
                    )
                for rank, spine in enumerate(pod_spines):
                    for n in range(u):
                        index = ((leaf.id - 1) * spec.max_spines + rank) * u + n
                        sub = self.subnet(self.p2p_pool, index, kp + ("id",), "pools.p2p")
                        spine_port = spec.spine_downlink_start + (leaf.id - 1) * u + n
                        leaf_port = spec.leaf_uplink_start + rank * u + n
                        self.add_link((spine.name, spine_port), (leaf.name, leaf_port), sub, kp)
            if spec.nodes.super_spines:
                if not spec.pools.p2p_super:
                    raise self.err(
                        "super-spines need a pool for their links", ("pools",), "add pools.p2p_super"
                    )
                pool = ipaddress.IPv4Network(spec.pools.p2p_super)
                sup_start = (
                    spec.spine_uplink_start or spec.spine_downlink_start + spec.max_leaves_per_spine * u
                )
                supers = sorted(spec.nodes.super_spines, key=lambda n: n.id)
                for si, spine in enumerate(spec.nodes.spines):
                    kp = ("nodes", "spines", si)
                    rank_in_pod = spines_by_pod[spine.pod].index(spine)
                    glob = (spine.pod - 1) * spec.max_spines + rank_in_pod
                    for sr, sup in enumerate(supers):
                        index = glob * spec.max_super_spines + sr
                        sub = self.subnet(pool, index, kp, "pools.p2p_super")
                        self.add_link((sup.name, 1 + glob), (spine.name, sup_start + sr), sub, kp)
        return self.clos_routing(spec, spines_by_pod)

    def clos_asn(self, spec: ClosSpec, name: str) -> int:
        node, role, kp = self.nodes[name]
        if node.asn:
            return node.asn
        if spec.underlay != "ebgp":
            return spec.asn.fabric
        if role == "super_spine":
            return spec.asn.super_spine
        if role == "spine":
            if spec.asn.scheme == "per-node":
                return spec.asn.spine + node.id - 1
            return spec.asn.spine + node.pod - 1
        lo, hi = spec.asn.leaf_bounds()
        asn = lo + node.id - 1
        if asn > hi:
            raise self.err(
                f"leaf ASN range {spec.asn.leaf_range} exhausted at leaf id {node.id}",
                kp + ("id",),
                "widen asn.leaf_range",
            )
        return asn

    def clos_routing(
        self, spec: ClosSpec, spines_by_pod: dict[int, list[NodeSpec]]
    ) -> dict[str, DeviceIntent]:
        asns = {name: self.clos_asn(spec, name) for name in self.nodes}
        if spec.underlay == "ebgp":
            owner: dict[int, str] = {}
            for name, asn in asns.items():
                node, role, kp = self.nodes[name]
                shared = (
                    role in ("spine", "super_spine")
                    and spec.asn.scheme == "per-leaf"
                    or role == "super_spine"
                )
                if asn in owner and not (shared and self.nodes[owner[asn]][1] == role):
                    raise self.err(
                        f"ASN {asn} of {name} is already used by {owner[asn]}",
                        kp,
                        "in an eBGP fabric each leaf needs its own ASN: change the id, the override or asn.*",
                    )
                owner.setdefault(asn, name)
        maximum_paths = spec.bgp.maximum_paths or max(spec.max_spines * spec.uplinks_per_spine, 2)
        group_name = {"spine": "SPINES", "leaf": "LEAVES", "super_spine": "SUPER_SPINES"}
        devices: dict[str, DeviceIntent] = {}
        loops = {name: self.loopback(name) for name in self.nodes}
        for name, (node, role, _) in self.nodes.items():
            plat = self.platform(name)
            fabric_ifaces = sorted(self.ifaces[name], key=lambda i: i.port or 0)
            neighbors: list[BgpNeighborIntent] = []
            groups: dict[str, PeerGroupIntent] = {}
            if spec.underlay == "ebgp":
                for itf in fabric_ifaces:
                    assert itf.peer and itf.peer_ipv4
                    prole = self.nodes[itf.peer][1]
                    g = group_name[prole]
                    pas = asns[itf.peer]
                    groups.setdefault(
                        g, PeerGroupIntent(name=g, description=f"eBGP to {g.lower()}", bfd=spec.bgp.bfd)
                    )
                    neighbors.append(
                        BgpNeighborIntent(
                            ip=itf.peer_ipv4.split("/")[0],
                            peer_as=pas,
                            peer_group=g,
                            peer=itf.peer,
                            description=f"{itf.peer} {itf.peer_interface}",
                            interface=itf.name,
                        )
                    )
                networks = [f"{loops[name]}/32"]
                if spec.bgp.advertise_p2p:
                    networks += [
                        str(ipaddress.IPv4Interface(i.ipv4).network) for i in fabric_ifaces if i.ipv4
                    ]
            else:
                # IGP underlay + iBGP: spines reflect routes for the leaves of their pod.
                if role in ("leaf", "spine"):
                    if role == "leaf":
                        peers = [s.name for s in spines_by_pod.get(node.pod, [])]
                        g, desc = "SPINES", "iBGP to route reflectors"
                    else:
                        peers = [
                            n for n, (nd, r, _) in self.nodes.items() if r == "leaf" and nd.pod == node.pod
                        ]
                        g, desc = "LEAVES", "iBGP to RR clients"
                    groups[g], neighbors = self.ibgp_group(
                        g,
                        spec.asn.fabric,
                        desc,
                        sorted(peers),
                        loops,
                        plat.loopback,
                        spec.bgp.bfd,
                        rr_client=role == "spine",
                    )
                networks = [f"{loops[name]}/32"]
            bgp = BgpIntent(
                asn=asns[name],
                router_id=loops[name],
                maximum_paths=maximum_paths,
                peer_groups=sorted(groups.values(), key=lambda g: g.name),
                neighbors=sorted(neighbors, key=lambda n: ipaddress.IPv4Address(n.ip)),
                networks=networks,
            )
            names = [i.name for i in fabric_ifaces]
            ospf = isis = None
            if spec.underlay == "ospf":
                ospf = OspfIntent(router_id=loops[name], interfaces=names, passive=[plat.loopback])
            elif spec.underlay == "isis":
                isis = IsisIntent(
                    net=isis_net(spec.isis_area, loops[name]), interfaces=names, passive=[plat.loopback]
                )
            rgroup = (
                f"pod{node.pod}-spines"
                if role == "spine"
                else ("super-spines" if role == "super_spine" else None)
            )
            devices[name] = self.device(
                name, asn=asns[name], bgp=bgp, ospf=ospf, isis=isis, bfd=spec.bgp.bfd, redundancy_group=rgroup
            )
        return devices

    def build_backbone(self, spec: BackboneSpec) -> dict[str, DeviceIntent]:
        nodes = []
        for i, n in enumerate(spec.nodes):
            if n.role is None:
                raise self.err("backbone nodes need a role", ("nodes", i, "role"), "set role: p, pe or rr")
            nodes.append((n, n.role, ("nodes", i)))
        self.register_nodes(nodes)
        self.explicit_links(spec.links, self.p2p_pool)
        loops = {name: self.loopback(name) for name in self.nodes}
        rrs = sorted(n for n, (_, r, _) in self.nodes.items() if r == "rr")
        pes = sorted(n for n, (_, r, _) in self.nodes.items() if r == "pe")
        if pes and not rrs:
            raise self.err(
                "a backbone with PE routers needs at least one route reflector",
                ("nodes",),
                "give one or two nodes role: rr",
            )
        devices: dict[str, DeviceIntent] = {}
        for name, (_node, role, _) in self.nodes.items():
            plat = self.platform(name)
            fabric_ifaces = sorted(self.ifaces[name], key=lambda i: i.port or 0)
            bgp = None
            if role in ("pe", "rr"):
                # (group, description, peers, route-reflector clients)
                specs: list[tuple[str, str, list[str], bool]] = []
                if role == "pe":
                    specs.append(("RR", "iBGP to route reflectors", rrs, False))
                else:
                    specs.append(("RR-CLIENTS", "iBGP RR clients", pes, True))
                    others = [r for r in rrs if r != name]
                    if others:
                        specs.append(("RR-MESH", "iBGP between route reflectors", others, False))
                groups: list[PeerGroupIntent] = []
                neighbors: list[BgpNeighborIntent] = []
                for g, desc, peers, rr_client in specs:
                    pg, ns = self.ibgp_group(
                        g, spec.asn, desc, peers, loops, plat.loopback, spec.bgp.bfd, rr_client=rr_client
                    )
                    groups.append(pg)
                    neighbors += ns
                bgp = BgpIntent(
                    asn=spec.asn,
                    router_id=loops[name],
                    maximum_paths=spec.bgp.maximum_paths or 4,
                    peer_groups=sorted(groups, key=lambda g: g.name),
                    neighbors=sorted(neighbors, key=lambda n: ipaddress.IPv4Address(n.ip)),
                    networks=[f"{loops[name]}/32"],
                )
            names = [i.name for i in fabric_ifaces]
            ospf = isis = None
            if spec.igp == "isis":
                isis = IsisIntent(
                    net=isis_net(spec.isis_area, loops[name]), interfaces=names, passive=[plat.loopback]
                )
            else:
                ospf = OspfIntent(router_id=loops[name], interfaces=names, passive=[plat.loopback])
            devices[name] = self.device(
                name,
                asn=spec.asn,
                bgp=bgp,
                ospf=ospf,
                isis=isis,
                bfd=spec.bgp.bfd,
                redundancy_group="route-reflectors" if role == "rr" else None,
            )
        return devices
