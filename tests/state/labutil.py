"""Deploy a private copy of a generated lab topology (own name + mgmt subnet) for the state lab tests,
so it never collides with another lab of the same fabric, and point a fabric's Nornir at it."""

from __future__ import annotations

import contextlib
import ipaddress
import secrets
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def private_topology(src: Path, dest_dir: Path, name: str, subnet: str) -> Path:
    data = yaml.safe_load(src.read_text())
    old = ipaddress.IPv4Network(data["mgmt"]["ipv4-subnet"])
    new = ipaddress.IPv4Network(subnet)
    data["name"] = name
    data["mgmt"] = {"network": f"nf-{name}", "ipv4-subnet": subnet}
    for node in data["topology"]["nodes"].values():
        if "mgmt-ipv4" in node:
            offset = int(ipaddress.IPv4Address(node["mgmt-ipv4"])) - int(old.network_address)
            node["mgmt-ipv4"] = str(new.network_address + offset)
        if "startup-config" in node:
            node["startup-config"] = str((src.parent / node["startup-config"]).resolve())
        if "binds" in node:
            node["binds"] = [
                str((src.parent / b.split(":", 1)[0]).resolve()) + ":" + b.split(":", 1)[1]
                for b in node["binds"]
            ]
    dest_dir.mkdir(parents=True, exist_ok=True)
    out = dest_dir / f"{name}.clab.yml"
    out.write_text(yaml.safe_dump(data, sort_keys=False))
    return out


def free_subnet() -> str:
    import json

    from fabric.lab.state import registry

    used = set()
    for f in registry().glob("*.json"):
        with contextlib.suppress(OSError, KeyError, ValueError):
            used.add(json.loads(f.read_text())["mgmt"]["ipv4_subnet"])
    for third in range(200, 250):
        cand = f"172.20.{third}.0/24"
        if cand not in used:
            return cand
    raise RuntimeError("no free mgmt subnet")


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
