"""Embedded lab: containerlab topologies run with real FRR daemons in Linux network namespaces.

Public API: :func:`load_topology`, :func:`deploy`, :func:`destroy`, :func:`inspect`.
"""

from __future__ import annotations

from fabric.lab.api import deploy, destroy, inspect
from fabric.lab.topology import load_topology

__all__ = ["deploy", "destroy", "inspect", "load_topology"]
