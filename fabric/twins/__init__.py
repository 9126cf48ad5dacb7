"""Device twins: vendor management planes on top of a node's real FRR.

This package is the vendor-neutral twin runtime (server, HTTP, netns helpers, FRR access).  Each
vendor's twin lives in its vendor package and is found through the vendor registry (fabric.vendors).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fabric import vendors

if TYPE_CHECKING:
    from fabric.twins.base import DeviceTwin

# <lab_dir>/.twin/booted holds the deploy id once every twin has applied its configuration (the twin
# server writes it, the lab's readiness waits for it)
BOOTED = "booted"


def twin_for_kind(kind: str) -> str | None:
    """Containerlab kind -> the platform whose twin serves it, or None when no twin exists."""
    vendor = vendors.by_kind(kind)
    return vendor.name if vendor is not None and vendor.has_twin else None


def twin_class(platform: str) -> type[DeviceTwin] | None:
    """The twin class of a platform (imported on first use), None when the platform has no twin."""
    cls: type[DeviceTwin] | None = vendors.load(platform, "twin")
    return cls
