"""Stage 1 of rendering: per-device intent -> StructuredConfig (vendor neutral).

A :class:`StructuredConfig` is everything that will be configured on one
device, as typed data and without any syntax: the templates of
``templates/<platform>/`` only spell it out. It is the seam between the design
and the NOS: the renderer reads it, and device twins parse running configs back
into it, so it must stay vendor neutral (interface *names* are the NOS's own,
everything else is plain values). See docs/structured-config.md.

Secrets never appear here: a user carries ``secret_ref``, the *name* of a
hashed-secret variable resolved at deploy time, never a password or hash.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from fabric.errors import FabricError
from fabric.model import BFD_DEFAULT_INTERVAL, BFD_DEFAULT_MULTIPLIER, DeviceIntent, Fabric
from fabric.platforms import get_platform

SCHEMA_VERSION = 1


class _M(BaseModel):
    # Frozen: one StructuredConfig is shared by every template render of a device.
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------- system


class System(_M):
    hostname: str
    domain: str
    router_id: str  # the device's router-id (its loopback address)
    fabric: str
    site: str
    role: str
    platform: str


class User(_M):
    name: str
    role: str = "network-admin"  # vendor-neutral: network-admin | network-operator
    privilege: int = 15
    # Name of the variable holding the hashed secret (deploy-time); None = no secret managed here.
    secret_ref: str | None = None


class Mgmt(_M):
    interface: str
    ipv4: str  # a.b.c.d/len
    gateway: str
    vrf: str  # management VRF / network-instance / routing-instance name as the NOS calls it


class Services(_M):
    ntp_servers: tuple[str, ...] = ()
    syslog_servers: tuple[str, ...] = ()
    snmp_location: str = ""
    snmp_contact: str = ""
    lldp: bool = True


# ---------------------------------------------------------------- interfaces


class Interface(_M):
    name: str  # the NOS's own name (Ethernet1, ge-0/0/0, 1/1/c1/1, lo0, system0 ...)
    kind: Literal["loopback", "routed"]
    description: str = ""
    ipv4: str | None = None  # a.b.c.d/len
    mtu: int | None = None  # L3/IP MTU; None = platform default
    shutdown: bool = False
    port: int | None = None  # fabric port number (1-based) for routed interfaces
    peer: str | None = None
    peer_interface: str | None = None
    # Per-interface protocol participation (decided here, spelled by the templates).
    ospf: bool = False
    ospf_passive: bool = False
    isis: bool = False
    isis_passive: bool = False
    isis_metric: int | None = None
    ospf_cost: int | None = None
    bfd: bool = False


# ---------------------------------------------------------------- routing policy


class PrefixEntry(_M):
    prefix: str  # a.b.c.d/len
    # Mask-length range; both None = exact match. Always both set otherwise (no vendor defaults to guess).
    ge: int | None = None
    le: int | None = None


class PrefixList(_M):
    name: str
    entries: tuple[PrefixEntry, ...]


class PolicyTerm(_M):
    name: str  # short name, used by NOSes that name terms/entries (junos, srlinux, sros)
    seq: int  # sequence number for NOSes that number entries (eos, frr)
    action: Literal["accept", "reject"]
    match_prefix_list: str | None = None  # None = match everything


class RoutePolicy(_M):
    name: str
    terms: tuple[PolicyTerm, ...]


# ---------------------------------------------------------------- protocols


class BgpPeerGroup(_M):
    name: str
    remote_as: int | None = None  # None: set per neighbor (eBGP fabrics)
    description: str = ""
    update_source: str | None = None  # interface name
    route_reflector_client: bool = False
    next_hop_self: bool = False
    bfd: bool = False
    send_community: bool = True
    ebgp: bool = False
    import_policy: str | None = None
    export_policy: str | None = None


class BgpNeighbor(_M):
    ip: str
    peer_group: str
    remote_as: int | None  # None: inherited from the peer group (iBGP), as NOSes print it
    description: str = ""
    peer: str = ""  # hostname of the peer device
    interface: str | None = None  # local interface for directly connected peers


class BgpAddressFamily(_M):
    name: Literal["ipv4-unicast"]
    peer_groups: tuple[str, ...]  # activated groups
    networks: tuple[str, ...]  # originated prefixes (a.b.c.d/len)


class Bgp(_M):
    asn: int
    router_id: str
    maximum_paths: int = 1
    ebgp: bool = False  # any eBGP session (XR/SR Linux need explicit policies then)
    peer_groups: tuple[BgpPeerGroup, ...] = ()
    neighbors: tuple[BgpNeighbor, ...] = ()
    address_families: tuple[BgpAddressFamily, ...] = ()
    bfd: bool = False


class Ospf(_M):
    process_id: int
    router_id: str
    area: str
    interfaces: tuple[str, ...]  # point-to-point, active
    passive: tuple[str, ...]
    bfd: bool = False


class Isis(_M):
    instance: str
    net: str
    area: str  # area address part of the NET (49.0001), for NOSes that configure it apart
    system_id: str  # system-id part of the NET (0102.5500.0001)
    router_id: str
    level: Literal["level-1", "level-2", "level-1-2"]
    interfaces: tuple[str, ...]  # point-to-point, active
    passive: tuple[str, ...]
    bfd: bool = False


class StructuredConfig(_M):
    """Everything configured on one device. Field order is render order."""

    schema_version: int = SCHEMA_VERSION
    system: System
    users: tuple[User, ...] = ()
    mgmt: Mgmt
    services: Services
    loopbacks: tuple[Interface, ...]
    interfaces: tuple[Interface, ...]  # routed fabric interfaces, by port
    prefix_lists: tuple[PrefixList, ...] = ()
    route_policies: tuple[RoutePolicy, ...] = ()
    bgp: Bgp | None = None
    ospf: Ospf | None = None
    isis: Isis | None = None
    bfd: bool = False
    bfd_interval: int = BFD_DEFAULT_INTERVAL  # ms, transmit = receive
    bfd_multiplier: int = BFD_DEFAULT_MULTIPLIER
    # Fabric-wide facts (same for every device of a fabric), computed once by build_structured.
    fabric_mtu: int = 9214
    mgmt_subnet: str = ""

    @property
    def platform(self) -> str:
        return self.system.platform

    @property
    def bfd_custom_interval(self) -> bool:
        return self.bfd_interval != BFD_DEFAULT_INTERVAL

    @property
    def bfd_custom_multiplier(self) -> bool:
        return self.bfd_multiplier != BFD_DEFAULT_MULTIPLIER

    @property
    def bfd_custom_timers(self) -> bool:
        """Timers other than the common default (BFD_DEFAULT_*): platforms that print nothing for
        the default (EOS, FRR) then need explicit configuration."""
        return self.bfd and (self.bfd_custom_interval or self.bfd_custom_multiplier)

    @property
    def hostname(self) -> str:
        return self.system.hostname


# ---------------------------------------------------------------- build

# Users the fabric manages; secrets come from the named deploy-time variable, never from here.
# (Each vendor says whether its golden config carries local users and which management VRF it uses:
# Vendor.local_users, Vendor.mgmt_vrf.)
_USERS = (User(name="admin", secret_ref="ADMIN_SECRET_HASH"),)

LOOPBACKS_PL = "LOOPBACKS"
FABRIC_LINKS_PL = "FABRIC-LINKS"
EXPORT_POLICY = "FABRIC-EXPORT"
IMPORT_POLICY = "FABRIC-IMPORT"


class FabricFacts(BaseModel):
    """Facts shared by all devices of a fabric, computed once per fabric."""

    name: str
    mtu: int
    mgmt_subnet: str
    # Every loopback / fabric link of the fabric, as prefix-list entries (pools + out-of-pool overrides):
    # transit devices (spines, RRs) must re-advertise the loopbacks of others, not just their own.
    loopback_entries: tuple[PrefixEntry, ...]
    link_entries: tuple[PrefixEntry, ...]


def _covering(prefixes: list[str], pools: list[str], length: int) -> tuple[PrefixEntry, ...]:
    """Entries matching every ``/length`` inside the pools, plus exact entries for prefixes outside them."""
    nets = [ipaddress.IPv4Network(p) for p in pools if p]
    covered = [n for n in nets if n.prefixlen < length]
    entries = [PrefixEntry(prefix=str(n), ge=length, le=length) for n in covered]
    # Integer compare: thousands of links per fabric, ipaddress objects per link cost seconds at 1k devices.
    masks = [(int(n.network_address), int(n.netmask)) for n in covered]
    extra: set[tuple[int, int]] = set()
    for p in prefixes:
        addr, plen = p.split("/")
        a, b, c, d = (int(x) for x in addr.split("."))
        ip = (a << 24) | (b << 16) | (c << 8) | d
        if not any(ip & mask == net for net, mask in masks):
            extra.add((ip, int(plen)))
    return tuple(entries) + tuple(
        PrefixEntry(prefix=str(ipaddress.IPv4Network((ip, plen), strict=False))) for ip, plen in sorted(extra)
    )


def fabric_facts(fabric: Fabric) -> FabricFacts:
    return facts_from_intents(list(fabric.devices.values()), fabric.pools, fabric.name)


def facts_from_intents(
    devices: list[DeviceIntent], pools: dict[str, str] | None = None, name: str | None = None
) -> FabricFacts:
    """Fabric facts from a set of device intents (a whole fabric, or what a Nornir inventory holds).

    ``pools`` is ``Fabric.pools``; without it the prefix filters list every loopback/link exactly,
    which routes the same but does not match the golden text.
    """
    pools = pools or {}
    mtus = {d.mtu for d in devices}
    loops = [d.loopback0 for d in devices]
    try:
        links = sorted(
            {
                str(ipaddress.IPv4Interface(i.ipv4).network)
                for d in devices
                for i in d.interfaces
                if i.kind == "p2p" and i.ipv4
            }
        )
    except ValueError:
        for d in devices:  # name the culprit
            _check_intent(d)
        raise
    mgmt = {str(ipaddress.IPv4Interface(d.mgmt_ipv4).network) for d in devices}
    return FabricFacts(
        name=name or (devices[0].fabric if devices else ""),
        mtu=max(mtus) if mtus else 9214,
        mgmt_subnet=pools.get("mgmt") or (min(mgmt) if mgmt else ""),
        loopback_entries=_covering(loops, [pools.get("loopback", "")], 32),
        link_entries=_covering(links, [pools.get("p2p", ""), pools.get("p2p_super", "")], 31),
    )


def _policies(
    dev: DeviceIntent, facts: FabricFacts
) -> tuple[tuple[PrefixList, ...], tuple[RoutePolicy, ...]]:
    """Advertise only loopbacks, plus fabric links when the design originates them (BgpIntent.networks)."""
    assert dev.bgp is not None
    loop_ips = {i.ipv4 for i in dev.interfaces if i.kind == "loopback"}
    with_links = any(n not in loop_ips for n in dev.bgp.networks)
    pls = [PrefixList(name=LOOPBACKS_PL, entries=facts.loopback_entries)]
    terms = [PolicyTerm(name="loopbacks", seq=10, action="accept", match_prefix_list=LOOPBACKS_PL)]
    if with_links:
        pls.append(PrefixList(name=FABRIC_LINKS_PL, entries=facts.link_entries))
        terms.append(
            PolicyTerm(name="fabric-links", seq=20, action="accept", match_prefix_list=FABRIC_LINKS_PL)
        )
    terms.append(PolicyTerm(name="reject", seq=100, action="reject"))
    export = RoutePolicy(name=EXPORT_POLICY, terms=tuple(terms))
    # Import everything the fabric sends: filtering happens at origination (export).
    imp = RoutePolicy(name=IMPORT_POLICY, terms=(PolicyTerm(name="accept", seq=10, action="accept"),))
    return tuple(pls), (export, imp)


def _check_intent(dev: DeviceIntent) -> None:
    """Reject intent the templates cannot spell, naming the device and the item (never render 'None')."""

    def bad(what: str, fix: str) -> FabricError:
        return FabricError(f"{dev.hostname}: {what}", key=dev.hostname, fix=fix)

    names = {i.name for i in dev.interfaces}
    for itf in dev.interfaces:
        if not itf.ipv4:
            raise bad(
                f"interface {itf.name} has no IPv4 address", "give every fabric link and loopback an address"
            )
        try:
            ipaddress.IPv4Interface(itf.ipv4)
        except ValueError:
            raise bad(f"interface {itf.name}: '{itf.ipv4}' is not a.b.c.d/len", "fix the address") from None
    for igp, what in ((dev.ospf, "ospf"), (dev.isis, "isis")):
        for name in (igp.interfaces + igp.passive) if igp else []:
            if name not in names:
                raise bad(f"{what} interface {name} does not exist on the device", f"remove it from {what}")
    if dev.bgp:
        groups = {g.name for g in dev.bgp.peer_groups}
        for n in dev.bgp.neighbors:
            if n.peer_group not in groups:
                raise bad(
                    f"BGP neighbor {n.ip} uses unknown peer group '{n.peer_group}'",
                    f"define it in bgp.peer_groups ({', '.join(sorted(groups)) or 'none defined'})",
                )
        for af in dev.bgp.address_families:
            if af != "ipv4-unicast":
                raise bad(f"BGP address family '{af}' is not supported", "use ipv4-unicast")


def build_device(dev: DeviceIntent, facts: FabricFacts) -> StructuredConfig:
    """One device's StructuredConfig; ``facts`` are the fabric-wide values from :func:`fabric_facts`."""
    plat = get_platform(dev.platform, key=f"{dev.hostname}.platform")
    _check_intent(dev)
    ospf_if = set(dev.ospf.interfaces) if dev.ospf else set()
    ospf_pas = set(dev.ospf.passive) if dev.ospf else set()
    isis_if = set(dev.isis.interfaces) if dev.isis else set()
    isis_pas = set(dev.isis.passive) if dev.isis else set()
    loopbacks: list[Interface] = []
    routed: list[Interface] = []
    igp = bool(dev.ospf or dev.isis)
    # BFD runs on a link when an IGP or a directly connected eBGP session uses it.
    ebgp_ifaces = {n.interface for n in dev.bgp.neighbors if n.interface} if dev.bgp else set()
    for itf in dev.interfaces:
        common: dict[str, Any] = dict(
            name=itf.name,
            description=itf.description,
            ipv4=itf.ipv4,
            ospf=itf.name in ospf_if or itf.name in ospf_pas,
            ospf_passive=itf.name in ospf_pas,
            isis=itf.name in isis_if or itf.name in isis_pas,
            isis_passive=itf.name in isis_pas,
        )
        if itf.kind == "loopback":
            loopbacks.append(Interface(kind="loopback", **common))
        else:
            routed.append(
                Interface(
                    kind="routed",
                    mtu=itf.mtu or dev.mtu,
                    port=itf.port,
                    peer=itf.peer,
                    peer_interface=itf.peer_interface,
                    isis_metric=itf.metric if dev.isis else None,
                    ospf_cost=itf.metric if dev.ospf else None,
                    bfd=dev.bfd and (igp or itf.name in ebgp_ifaces),
                    **common,
                )
            )
    bgp = None
    prefix_lists: tuple[PrefixList, ...] = ()
    policies: tuple[RoutePolicy, ...] = ()
    if dev.bgp:
        prefix_lists, policies = _policies(dev, facts)
        ebgp_groups = {n.peer_group for n in dev.bgp.neighbors if n.peer_as != dev.bgp.asn}
        groups = tuple(
            BgpPeerGroup(
                name=g.name,
                remote_as=g.remote_as,
                description=g.description,
                update_source=g.update_source,
                route_reflector_client=g.route_reflector_client,
                next_hop_self=g.next_hop_self,
                bfd=g.bfd,
                send_community=g.send_community,
                ebgp=g.name in ebgp_groups,
                import_policy=IMPORT_POLICY,
                export_policy=EXPORT_POLICY,
            )
            for g in dev.bgp.peer_groups
        )
        group_as = {g.name: g.remote_as for g in dev.bgp.peer_groups}
        neighbors = tuple(
            BgpNeighbor(
                ip=n.ip,
                peer_group=n.peer_group,
                remote_as=None if group_as.get(n.peer_group) == n.peer_as else n.peer_as,
                description=n.description,
                peer=n.peer,
                interface=n.interface,
            )
            for n in dev.bgp.neighbors
        )
        afs = tuple(
            BgpAddressFamily(
                name="ipv4-unicast",
                peer_groups=tuple(g.name for g in groups),
                networks=tuple(dev.bgp.networks),
            )
            for af in dev.bgp.address_families
            if af == "ipv4-unicast"
        )
        bgp = Bgp(
            asn=dev.bgp.asn,
            router_id=dev.bgp.router_id,
            maximum_paths=dev.bgp.maximum_paths,
            ebgp=bool(ebgp_groups),
            peer_groups=groups,
            neighbors=neighbors,
            address_families=afs,
            bfd=any(g.bfd for g in groups),
        )
    ospf = None
    if dev.ospf:
        ospf = Ospf(
            process_id=dev.ospf.process_id,
            router_id=dev.ospf.router_id,
            area=dev.ospf.area,
            interfaces=tuple(dev.ospf.interfaces),
            passive=tuple(dev.ospf.passive),
            bfd=dev.bfd,
        )
    isis = None
    if dev.isis:
        parts = dev.isis.net.split(".")
        isis = Isis(
            instance=dev.isis.instance,
            net=dev.isis.net,
            area=".".join(parts[:-4]),
            system_id=".".join(parts[-4:-1]),
            router_id=dev.router_id,
            level=dev.isis.level,
            interfaces=tuple(dev.isis.interfaces),
            passive=tuple(dev.isis.passive),
            bfd=dev.bfd,
        )
    return StructuredConfig(
        system=System(
            hostname=dev.hostname,
            router_id=dev.router_id,
            domain=dev.domain,
            fabric=dev.fabric,
            site=dev.site,
            role=dev.role,
            platform=dev.platform,
        ),
        users=_USERS if plat.local_users else (),
        mgmt=Mgmt(
            interface=plat.mgmt_interface,
            ipv4=dev.mgmt_ipv4,
            gateway=dev.mgmt_gateway,
            vrf=plat.mgmt_vrf,
        ),
        services=Services(
            ntp_servers=tuple(dev.ntp_servers),
            syslog_servers=tuple(dev.syslog_servers),
            snmp_location=f"{dev.site} {dev.fabric}",
            snmp_contact="netops",
            lldp=dev.lldp,
        ),
        loopbacks=tuple(loopbacks),
        interfaces=tuple(sorted(routed, key=lambda i: i.port or 0)),
        prefix_lists=prefix_lists,
        route_policies=policies,
        bgp=bgp,
        ospf=ospf,
        isis=isis,
        bfd=dev.bfd and (bgp is not None and bgp.bfd or ospf is not None or isis is not None),
        bfd_interval=dev.bfd_interval,
        bfd_multiplier=dev.bfd_multiplier,
        fabric_mtu=facts.mtu,
        mgmt_subnet=facts.mgmt_subnet,
    )


def build_structured(fabric: Fabric, hosts: list[str] | None = None) -> dict[str, StructuredConfig]:
    """StructuredConfig for every device (or ``hosts``), fabric-wide facts computed once."""
    names = list(fabric.devices) if hosts is None else hosts
    unknown = [h for h in names if h not in fabric.devices]
    if unknown:
        raise FabricError(
            f"unknown host(s): {', '.join(unknown)}",
            file=fabric.file,
            fix=f"use device names of fabric '{fabric.name}': {', '.join(sorted(fabric.devices))}",
        )
    facts = fabric_facts(fabric)
    return {h: build_device(fabric.devices[h], facts) for h in sorted(names)}
