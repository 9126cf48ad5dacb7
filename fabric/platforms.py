"""Thin platform definitions, one per network OS (in the spirit of scrapli's platforms).

Everything that differs per platform and is *data* lives here: interface
naming, the driver names of each automation library, the containerlab kind and
its Linux interface naming, management and loopback interface names. Decisions
live in the design/structured-config code; syntax lives in templates.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fabric.errors import FabricError

if TYPE_CHECKING:
    from fabric.model import DeviceIntent


@dataclass(frozen=True)
class Platform:
    name: str
    description: str
    # Fabric port N (1-based) -> the NOS's own interface name, and back.
    port_name: Callable[[int], str]
    port_pattern: re.Pattern[str]
    port_from_match: Callable[[re.Match[str]], int]
    loopback: str
    mgmt_interface: str
    clab_kind: str
    clab_image: str
    # Fabric port N -> the interface name containerlab uses for that kind.
    clab_port: Callable[[int], str]
    napalm: str | None
    scrapli: str | None
    netmiko: str | None
    netconf: bool
    default_mtu: int = 9214
    drivers: dict[str, str] = field(default_factory=dict)

    def interface(self, port: int) -> str:
        return self.port_name(port)

    def port_of(self, name: str) -> int | None:
        m = self.port_pattern.fullmatch(name)
        return self.port_from_match(m) if m else None


def _p(rx: str) -> re.Pattern[str]:
    return re.compile(rx)


PLATFORMS: dict[str, Platform] = {
    p.name: p
    for p in (
        Platform(
            name="eos",
            description="Arista EOS",
            port_name=lambda n: f"Ethernet{n}",
            port_pattern=_p(r"Ethernet([1-9][0-9]*)"),
            port_from_match=lambda m: int(m.group(1)),
            loopback="Loopback0",
            mgmt_interface="Management0",
            clab_kind="arista_ceos",
            clab_image="ceos:4.32.0F",
            clab_port=lambda n: f"eth{n}",
            napalm="eos",
            scrapli="arista_eos",
            netmiko="arista_eos",
            netconf=False,
        ),
        Platform(
            name="iosxr",
            description="Cisco IOS-XR",
            port_name=lambda n: f"GigabitEthernet0/0/0/{n - 1}",
            port_pattern=_p(r"GigabitEthernet0/0/0/([0-9]+)"),
            port_from_match=lambda m: int(m.group(1)) + 1,
            loopback="Loopback0",
            mgmt_interface="MgmtEth0/RP0/CPU0/0",
            clab_kind="cisco_xrd",
            clab_image="ios-xr/xrd-control-plane:24.1.1",
            clab_port=lambda n: f"Gi0-0-0-{n - 1}",
            napalm="iosxr_netconf",
            scrapli="cisco_iosxr",
            netmiko="cisco_xr",
            netconf=True,
        ),
        Platform(
            name="junos",
            description="Juniper Junos",
            port_name=lambda n: f"ge-0/0/{n - 1}",
            port_pattern=_p(r"ge-0/0/([0-9]+)"),
            port_from_match=lambda m: int(m.group(1)) + 1,
            loopback="lo0",
            mgmt_interface="fxp0",
            clab_kind="juniper_vjunosrouter",
            clab_image="vrnetlab/juniper_vjunos-router:23.2R1.15",
            clab_port=lambda n: f"eth{n}",
            napalm="junos",
            scrapli="juniper_junos",
            netmiko="juniper_junos",
            netconf=True,
        ),
        Platform(
            name="srlinux",
            description="Nokia SR Linux",
            port_name=lambda n: f"ethernet-1/{n}",
            port_pattern=_p(r"ethernet-1/([1-9][0-9]*)"),
            port_from_match=lambda m: int(m.group(1)),
            loopback="system0",
            mgmt_interface="mgmt0",
            clab_kind="nokia_srlinux",
            clab_image="ghcr.io/nokia/srlinux:24.10.1",
            clab_port=lambda n: f"e1-{n}",
            napalm="srl",
            scrapli="nokia_srlinux",
            netmiko="nokia_srl",
            netconf=False,
        ),
        Platform(
            name="sros",
            description="Nokia SR OS (MD-CLI)",
            port_name=lambda n: f"1/1/c{n}/1",
            port_pattern=_p(r"1/1/c([1-9][0-9]*)/1"),
            port_from_match=lambda m: int(m.group(1)),
            loopback="system",
            mgmt_interface="A/1",
            clab_kind="nokia_sros",
            clab_image="vrnetlab/nokia_sros:24.10.R1",
            clab_port=lambda n: f"eth{n}",
            napalm="sros",
            scrapli="nokia_sros",
            netmiko="nokia_sros",
            netconf=True,
        ),
        Platform(
            name="frr",
            description="FRRouting on Linux",
            port_name=lambda n: f"eth{n}",
            port_pattern=_p(r"eth([1-9][0-9]*)"),
            port_from_match=lambda m: int(m.group(1)),
            loopback="lo",
            mgmt_interface="eth0",
            clab_kind="linux",
            clab_image="quay.io/frrouting/frr:8.4.4",
            clab_port=lambda n: f"eth{n}",
            napalm=None,
            # FRR boxes are Linux hosts: collection goes over SSH to `vtysh ... json`.
            scrapli=None,
            netmiko="linux",
            netconf=False,
        ),
    )
}


def get_platform(name: str, *, file: str | None = None, key: str | None = None) -> Platform:
    try:
        return PLATFORMS[name]
    except KeyError:
        raise FabricError(
            f"unknown platform '{name}'",
            file=file,
            key=key,
            fix=f"use one of: {', '.join(sorted(PLATFORMS))}",
        ) from None


# Containerlab kind -> default credentials of that kind's image (public vendor defaults,
# as containerlab documents them). Used only when no credentials are configured.
LAB_DEFAULT_CREDENTIALS: dict[str, tuple[str, str]] = {
    "eos": ("admin", "admin"),
    "iosxr": ("clab", "clab@123"),
    "junos": ("admin", "admin@123"),
    "srlinux": ("admin", "NokiaSrl1!"),
    "sros": ("admin", "admin"),
    "frr": ("root", "netfabric"),
}


def port_index(name: str | None) -> int | None:
    """Fabric port index from any platform's naming or containerlab's Linux naming (eth3 -> 3)."""
    if not name:
        return None
    for p in PLATFORMS.values():
        n = p.port_of(name)
        if n is not None:
            return n
    return None


def retarget_device(dev: DeviceIntent, platform: str) -> None:
    """Move a device to another platform (same ports, that platform's names), e.g. for an all-FRR lab."""
    new = PLATFORMS[platform]

    def rename(name: str) -> str:
        if name == PLATFORMS[dev.platform].loopback:
            return new.loopback
        port = port_index(name)
        return new.interface(port) if port else name

    def rename_desc(text: str) -> str:
        words = text.split()
        return " ".join(words[:-1] + [rename(words[-1])]) if words else text

    for itf in dev.interfaces:
        itf.name = rename(itf.name)
        if itf.peer_interface:
            itf.peer_interface = rename(itf.peer_interface)
            itf.description = rename_desc(itf.description)
    if dev.bgp:
        for n in dev.bgp.neighbors:
            n.interface = rename(n.interface) if n.interface else None
            n.description = rename_desc(n.description)
        for g in dev.bgp.peer_groups:
            g.update_source = new.loopback if g.update_source else None
    for igp in (dev.ospf, dev.isis):
        if igp:
            igp.interfaces = [rename(i) for i in igp.interfaces]
            igp.passive = [rename(i) for i in igp.passive]
    dev.platform = new.name
