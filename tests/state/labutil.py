"""Deploy a private copy of a generated lab topology (own name + mgmt subnet) for the state lab tests,
so it never collides with another lab of the same fabric, and point a fabric's Nornir at it."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from fabric.lab.api import free_mgmt_subnet, private_topology  # noqa: F401 - private_topology re-exported

ROOT = Path(__file__).resolve().parents[2]


def free_subnet() -> str:
    return free_mgmt_subnet(f"172.20.{third}.0/24" for third in range(200, 250))


def lab_name(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(2)}"


def point_nornir_at_lab(nr: Any, lab: dict[str, Any]) -> Any:
    """Use the lab's mgmt IPs and credentials (the lab copy has its own subnet)."""
    for name, host in nr.inventory.hosts.items():
        node = lab["nodes"].get(name)
        if node is None:
            continue
        host.hostname = node["mgmt_ipv4"]
        if node.get("username"):
            host.username = node["username"]
        if node.get("password"):
            host.password = node["password"]
    return nr
