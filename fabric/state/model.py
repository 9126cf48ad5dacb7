"""One typed, vendor-neutral model of operational state.

Every collector (NAPALM, scrapli+TTP, NETCONF, FRR vtysh JSON) normalises into
these classes, so checks, snapshots and diffs never see a vendor format.
Interface names stay in the device's own naming (FRR ``eth1``, EOS ``Ethernet1``);
``fabric.platforms`` maps between namings through the port index.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field

# Sections a collector fills; a failed section is recorded in DeviceState.errors[section].
SECTIONS = ("facts", "interfaces", "lldp", "bgp", "ospf", "isis")

# Fields that change on every poll: excluded from snapshot diffs.
VOLATILE_FIELDS = frozenset({"uptime", "collected_at", "duration", "age", "expires_in", "taken_at"})


class PrefixCounts(BaseModel):
    received: int | None = None
    accepted: int | None = None
    sent: int | None = None


class BgpSession(BaseModel):
    vrf: str = "default"
    peer: str  # peer address, or the interface name for unnumbered sessions
    local_address: str | None = None
    local_as: int | None = None
    peer_as: int | None = None
    state: str  # RFC 4271 FSM state as the device names it: Established, Active, Idle, Connect, ...
    enabled: bool = True
    description: str | None = None
    peer_router_id: str | None = None
    uptime: float | None = None  # seconds in the current state (volatile)
    prefixes: dict[str, PrefixCounts] = {}  # address family (ipv4-unicast, ...) -> counts
    last_error: str | None = None  # last NOTIFICATION / reset reason where the device reports it

    @property
    def established(self) -> bool:
        return self.state.lower() == "established"

    @property
    def key(self) -> str:
        return self.peer if self.vrf == "default" else f"{self.vrf}:{self.peer}"


class OspfNeighbor(BaseModel):
    vrf: str = "default"
    router_id: str
    address: str | None = None
    interface: str
    state: str  # Full, 2-Way, Init, ExStart, ... (without the /DR role suffix)
    area: str | None = None

    @property
    def key(self) -> str:
        return f"{self.interface}:{self.router_id}"


class IsisAdjacency(BaseModel):
    instance: str | None = None
    system_id: str | None = None
    hostname: str | None = None
    interface: str
    level: int | Literal["1-2"]
    state: str  # Up, Init, Down

    @property
    def key(self) -> str:
        return f"{self.interface}:L{self.level}"


class InterfaceState(BaseModel):
    name: str
    admin_up: bool
    oper_up: bool
    mtu: int | None = None
    addresses: list[str] = []  # a.b.c.d/len, IPv4 and global IPv6
    description: str | None = None
    mac: str | None = None


class LldpNeighbor(BaseModel):
    local_port: str
    remote_system: str
    remote_port: str  # remote's port as it advertises it (ifname preferred over MAC port ids)
    remote_port_description: str | None = None
    remote_chassis_id: str | None = None


class Facts(BaseModel):
    hostname: str | None = None
    vendor: str | None = None
    model: str | None = None
    os_version: str | None = None
    serial: str | None = None


class DeviceState(BaseModel):
    host: str
    platform: str
    address: str | None = None  # management address used
    collected_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    duration: float = 0.0
    # Whole-device failure (cannot connect, authentication): nothing else is meaningful.
    error: str | None = None
    # Per-section failures (section -> reason); other sections are still valid.
    errors: dict[str, str] = {}
    facts: Facts = Facts()
    interfaces: dict[str, InterfaceState] = {}
    lldp: list[LldpNeighbor] = []
    bgp: list[BgpSession] = []
    bgp_router_id: str | None = None
    ospf: list[OspfNeighbor] = []
    ospf_router_id: str | None = None
    isis: list[IsisAdjacency] = []

    @property
    def reachable(self) -> bool:
        return self.error is None

    def section_error(self, section: str) -> str | None:
        return self.error or self.errors.get(section)


class FabricState(BaseModel):
    fabric: str | None = None
    taken_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    tag: str | None = None
    devices: dict[str, DeviceState] = {}
    duration: float = 0.0
