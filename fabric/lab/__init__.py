"""Embedded lab: containerlab topologies run with real FRR daemons in Linux network namespaces.

Public API: :func:`load_topology`, :func:`deploy`, :func:`destroy`, :func:`inspect`.

They are imported on first use: commands that only read the lab registry (``fabric.lab.state``:
validate, snapshot, credentials) need not load the namespace machinery behind them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fabric.lab.api import deploy, destroy, inspect
    from fabric.lab.topology import load_topology

__all__ = ["deploy", "destroy", "inspect", "load_topology"]


def __getattr__(name: str) -> Any:
    if name in ("deploy", "destroy", "inspect"):
        from fabric.lab import api

        return getattr(api, name)
    if name == "load_topology":
        from fabric.lab.topology import load_topology

        return load_topology
    raise AttributeError(f"module 'fabric.lab' has no attribute {name!r}")
