"""Typed models: the fabric file a human writes, and the per-device intent the design produces.

The fabric file models are strict (``extra='forbid'``) so a typo in a key is
an error naming that key, not a silently ignored setting.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Role = Literal["super_spine", "spine", "leaf", "p", "pe", "rr"]

# BFD timers when the fabric file sets none: the common platform default, which EOS and FRR
# print nothing for (see StructuredConfig.bfd_custom_timers).
BFD_DEFAULT_INTERVAL = 300  # ms, transmit and receive
BFD_DEFAULT_MULTIPLIER = 3


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _network(value: str) -> str:
    try:
        return str(ipaddress.IPv4Network(value, strict=True))
    except ValueError as exc:
        raise ValueError(f"'{value}' is not an IPv4 prefix ({exc})") from None


# ---------------------------------------------------------------- fabric file (input)


class NodeSpec(_Strict):
    name: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,40}$")]
    id: Annotated[int, Field(ge=1, le=100000)]
    platform: str
    pod: Annotated[int, Field(ge=1)] = 1
    role: Literal["p", "pe", "rr"] | None = None  # backbone nodes only
    asn: Annotated[int, Field(ge=1, le=4294967295)] | None = None
    loopback: str | None = None
    mgmt_ip: str | None = None
    tags: list[str] = []


class ClosNodes(_Strict):
    super_spines: list[NodeSpec] = []
    spines: list[NodeSpec]
    leaves: list[NodeSpec]


class Pools(_Strict):
    loopback: str
    p2p: str
    p2p_super: str | None = None
    mgmt: str = "172.20.20.0/24"

    _check = field_validator("loopback", "p2p", "p2p_super", "mgmt")(
        lambda v: None if v is None else _network(v)
    )


class RoleOffsets(_Strict):
    loopback: Annotated[int, Field(ge=0)]
    mgmt: Annotated[int, Field(ge=1)]


def _default_offsets() -> dict[str, RoleOffsets]:
    # Offsets keep roles apart inside one pool; address = pool + offset + id (like AVD).
    return {
        "super_spine": RoleOffsets(loopback=0, mgmt=2),
        "spine": RoleOffsets(loopback=16, mgmt=10),
        "leaf": RoleOffsets(loopback=32, mgmt=40),
        "p": RoleOffsets(loopback=0, mgmt=10),
        "pe": RoleOffsets(loopback=0, mgmt=10),
        "rr": RoleOffsets(loopback=0, mgmt=10),
    }


class ClosAsn(_Strict):
    scheme: Literal["per-leaf", "per-node"] = "per-leaf"
    super_spine: Annotated[int, Field(ge=1, le=4294967295)] = 65000
    spine: Annotated[int, Field(ge=1, le=4294967295)] = 65100
    leaf_range: str = "65101-65199"
    fabric: Annotated[int, Field(ge=1, le=4294967295)] = 65000  # iBGP overlay AS (ospf/isis underlays)

    @field_validator("leaf_range")
    @classmethod
    def _range(cls, v: str) -> str:
        try:
            lo, hi = (int(x) for x in v.split("-"))
        except ValueError:
            raise ValueError(f"'{v}' is not a range like 65101-65199") from None
        if not 1 <= lo <= hi <= 4294967295:
            raise ValueError(f"'{v}' is not a valid ASN range (low <= high, 1..4294967295)")
        return v

    def leaf_bounds(self) -> tuple[int, int]:
        lo, hi = (int(x) for x in self.leaf_range.split("-"))
        return lo, hi


class BgpSettings(_Strict):
    maximum_paths: Annotated[int, Field(ge=1, le=128)] | None = None
    bfd: bool = True
    advertise_p2p: bool = False  # advertise connected fabric links, not only loopbacks


class BfdTimers(_Strict):
    """BFD timers of every fabric session (BGP and IGP): RFC 5880 desired/required interval, both ends."""

    interval: Annotated[int, Field(ge=50, le=30000)] = BFD_DEFAULT_INTERVAL  # ms (all platforms accept)
    multiplier: Annotated[int, Field(ge=3, le=20)] = BFD_DEFAULT_MULTIPLIER


class ExplicitLink(_Strict):
    endpoints: Annotated[list[str], Field(min_length=2, max_length=2)]
    metric: Annotated[int, Field(ge=1, le=16777215)] = 10
    subnet: str | None = None

    _check = field_validator("subnet")(lambda v: None if v is None else _network(v))


class CommonSpec(_Strict):
    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,30}$")]
    site: str | None = None
    mtu: Annotated[int, Field(ge=1280, le=9216)] = 9214
    pools: Pools
    roles: dict[str, RoleOffsets] = Field(default_factory=dict)
    ntp_servers: list[str] = []
    syslog_servers: list[str] = []
    domain: str = "lab.local"
    bfd: BfdTimers = BfdTimers()  # used where bgp.bfd enables BFD


class ClosSpec(CommonSpec):
    design: Literal["clos"]
    underlay: Literal["ebgp", "ospf", "isis"] = "ebgp"
    asn: ClosAsn = ClosAsn()
    bgp: BgpSettings = BgpSettings()
    isis_area: Annotated[str, Field(pattern=r"^49\.[0-9]{4}$")] = "49.0001"
    uplinks_per_spine: Annotated[int, Field(ge=1, le=8)] = 1
    max_spines: Annotated[int, Field(ge=1, le=64)] = 4
    max_super_spines: Annotated[int, Field(ge=1, le=64)] = 4
    leaf_uplink_start: Annotated[int, Field(ge=1)] = 1
    spine_downlink_start: Annotated[int, Field(ge=1)] = 1
    spine_uplink_start: Annotated[int, Field(ge=1)] | None = None  # default: after the downlinks
    max_leaves_per_spine: Annotated[int, Field(ge=1)] = 64
    nodes: ClosNodes
    links: list[ExplicitLink] | None = None  # replaces the generated leaf-spine cabling


class BackboneSpec(CommonSpec):
    design: Literal["backbone"]
    igp: Literal["isis", "ospf"] = "isis"
    asn: Annotated[int, Field(ge=1, le=4294967295)] = 65000
    isis_area: Annotated[str, Field(pattern=r"^49\.[0-9]{4}$")] = "49.0001"
    bgp: BgpSettings = BgpSettings(bfd=True)
    nodes: list[NodeSpec]
    links: list[ExplicitLink]


# ---------------------------------------------------------------- per-device intent (output)


class InterfaceIntent(BaseModel):
    name: str
    port: int | None = None
    clab_name: str | None = None  # containerlab's name for it (eth1, e1-1, Gi0-0-0-0)
    kind: Literal["p2p", "loopback"] = "p2p"
    description: str = ""
    ipv4: str | None = None  # a.b.c.d/len
    mtu: int | None = None
    peer: str | None = None
    peer_interface: str | None = None
    peer_ipv4: str | None = None
    metric: int | None = None


class BgpNeighborIntent(BaseModel):
    ip: str
    peer_as: int
    description: str
    peer_group: str
    peer: str  # hostname of the peer device
    interface: str | None = None  # local interface for directly connected peers


class PeerGroupIntent(BaseModel):
    name: str
    remote_as: int | None = None
    description: str = ""
    update_source: str | None = None
    route_reflector_client: bool = False
    next_hop_self: bool = False
    bfd: bool = False
    send_community: bool = True


class BgpIntent(BaseModel):
    asn: int
    router_id: str
    maximum_paths: int = 1
    peer_groups: list[PeerGroupIntent] = []
    neighbors: list[BgpNeighborIntent] = []
    address_families: list[str] = ["ipv4-unicast"]
    networks: list[str] = []  # prefixes originated (loopbacks, optionally fabric links)


class OspfIntent(BaseModel):
    process_id: int = 1
    router_id: str
    area: str = "0.0.0.0"
    interfaces: list[str]  # point-to-point fabric interfaces
    passive: list[str]  # loopbacks


class IsisIntent(BaseModel):
    instance: str = "FABRIC"
    net: str
    level: Literal["level-1", "level-2", "level-1-2"] = "level-2"
    interfaces: list[str]
    passive: list[str]


class DeviceIntent(BaseModel):
    hostname: str
    fabric: str
    site: str
    design: Literal["clos", "backbone"]
    platform: str
    role: Role
    id: int
    pod: int = 1
    redundancy_group: str | None = None  # devices a rollout must never change together
    tags: list[str] = []
    mgmt_ipv4: str  # a.b.c.d/len
    mgmt_gateway: str
    loopback0: str  # a.b.c.d/32
    router_id: str
    asn: int | None = None
    mtu: int
    domain: str
    ntp_servers: list[str] = []
    syslog_servers: list[str] = []
    interfaces: list[InterfaceIntent]
    bgp: BgpIntent | None = None
    ospf: OspfIntent | None = None
    isis: IsisIntent | None = None
    lldp: bool = True
    bfd: bool = False
    bfd_interval: int = BFD_DEFAULT_INTERVAL  # ms
    bfd_multiplier: int = BFD_DEFAULT_MULTIPLIER


class LinkEnd(BaseModel):
    node: str
    interface: str
    port: int
    ipv4: str


class Link(BaseModel):
    a: LinkEnd
    b: LinkEnd
    subnet: str
    metric: int = 10


class Fabric(BaseModel):
    """A fully expanded fabric: what the design made of the fabric file."""

    name: str
    design: Literal["clos", "backbone"]
    file: str
    devices: dict[str, DeviceIntent]
    links: list[Link]
    pools: dict[str, str]
    mgmt_subnet: str
