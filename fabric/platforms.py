"""Platforms: the fabric's name for a vendor (fabric.vendors), and helpers that work across all of them.

Everything that differs per platform lives in its vendor package (fabric/vendors/<nos>/): interface
naming, the driver names of each automation library, the containerlab kinds, credentials and code.
Decisions live in the design/structured-config code; syntax lives in templates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fabric.vendors import Vendor, all_vendors
from fabric.vendors import get as get_vendor

if TYPE_CHECKING:
    from fabric.model import DeviceIntent


# A platform is a vendor's description (fabric/vendors/<nos>/__init__.py); this module keeps the
# vendor-neutral helpers that work across all of them.
Platform = Vendor
PLATFORMS: dict[str, Vendor] = all_vendors()


def get_platform(name: str, *, file: str | None = None, key: str | None = None) -> Vendor:
    return get_vendor(name, file=file, key=key)


# Platform -> the default credentials of its containerlab kind's image (public vendor defaults, as
# containerlab documents them).  Used only for nodes of a deployed lab (fabric.credentials).
LAB_DEFAULT_CREDENTIALS: dict[str, tuple[str, str]] = {
    v.name: v.default_credentials() for v in PLATFORMS.values()
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
