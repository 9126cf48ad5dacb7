"""Device twins: vendor management planes on top of a node's real FRR.

Vendors register like Nornir plugins: a registry of name -> twin class.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fabric.twins.base import DeviceTwin

REGISTRY: dict[str, type[DeviceTwin]] = {}

_KINDS = {"arista_ceos": "eos", "ceos": "eos"}


def register_twin(name: str, cls: type[DeviceTwin]) -> None:
    REGISTRY[name] = cls


def twin_for_kind(kind: str) -> str | None:
    """Containerlab kind -> twin platform name, or None when no twin exists."""
    return _KINDS.get(kind)


def _register_builtin() -> None:
    from fabric.twins.eos.twin import EosTwin

    register_twin("eos", EosTwin)


_register_builtin()
