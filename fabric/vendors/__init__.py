"""The vendor registry: every network OS netfabric knows, found by platform name or containerlab kind.

The core layers (design, rendering, checks, rollout, compliance, lab, twins) ask this registry and never
name a vendor.  Vendors are found through the entry-point group ``netfabric.vendors`` (each entry
point is a :class:`~fabric.vendors.base.Vendor`), so a vendor package installed on its own registers
like a Nornir plugin; two vendors with one name, or one containerlab kind claimed twice, are refused.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any

from fabric.errors import FabricError
from fabric.vendors.base import Service, Vendor

__all__ = [
    "Service", "Vendor", "VendorError", "all_vendors", "by_kind", "canonical_kind", "get", "load", "register",
]

GROUP = "netfabric.vendors"
_BUILTIN = ("eos", "frr", "iosxr", "junos", "srlinux", "sros")


class VendorError(FabricError):
    """A vendor that cannot be registered or found."""


_VENDORS: dict[str, Vendor] = {}
_KINDS: dict[str, Vendor] = {}
_ALIASES: dict[str, str] = {}


def register(vendor: Vendor) -> Vendor:
    """Add a vendor; refuses a second vendor of the same name or a containerlab kind claimed twice."""
    if vendor.name in _VENDORS:
        if _VENDORS[vendor.name] is vendor:
            return vendor
        raise VendorError(f"vendor '{vendor.name}' is registered twice",
                          key=f"entry point {GROUP}:{vendor.name}", fix="uninstall one of the two packages")
    for kind in (*vendor.clab_kinds, *vendor.clab_aliases):
        if kind in _KINDS or kind in _ALIASES:
            other = _KINDS.get(kind) or _KINDS[_ALIASES[kind]]
            raise VendorError(f"containerlab kind '{kind}' claimed by '{vendor.name}' and '{other.name}'",
                              key=f"entry point {GROUP}:{vendor.name}", fix="one kind, one vendor")
    _VENDORS[vendor.name] = vendor
    for kind in vendor.clab_kinds:
        _KINDS[kind] = vendor
    _ALIASES.update(vendor.clab_aliases)
    return vendor


def _load() -> None:
    if _VENDORS:
        return
    found = {ep.name: ep for ep in entry_points(group=GROUP)}
    # The built-in vendors also load from a source checkout that was never pip-installed.
    for name in _BUILTIN:
        if name not in found:
            import importlib

            register(importlib.import_module(f"fabric.vendors.{name}").VENDOR)
    for ep in found.values():
        register(ep.load())


def all_vendors() -> dict[str, Vendor]:
    _load()
    return dict(sorted(_VENDORS.items()))


def get(name: str, *, file: str | None = None, key: str | None = None) -> Vendor:
    _load()
    try:
        return _VENDORS[name]
    except KeyError:
        raise VendorError(f"unknown platform '{name}'", file=file, key=key,
                          fix=f"use one of: {', '.join(sorted(_VENDORS))}") from None


def load(platform: str, what: str) -> Any:
    """The ``driver``, ``collector`` or ``twin`` class of a platform; None for an unknown platform or a
    vendor without that code."""
    _load()
    vendor = _VENDORS.get(platform)
    return vendor.load(what) if vendor is not None else None


def canonical_kind(kind: str) -> str:
    """containerlab's short or legacy kind names (``ceos``, ``srl``, ``vr-sros``) -> the canonical kind."""
    _load()
    return _ALIASES.get(kind, kind)


def by_kind(kind: str) -> Vendor | None:
    """The vendor that runs as this containerlab kind (aliases accepted), None when no vendor does."""
    _load()
    return _KINDS.get(canonical_kind(kind))
