"""Lab state file (shape pinned in docs/contracts.md) and the registry under /run/netfabric/labs."""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from pathlib import Path
from typing import Any

from fabric.lab.topology import Topology


def registry() -> Path:
    """Where deployed labs are recorded. Read at call time so NETFABRIC_LAB_REGISTRY (tests use a
    private one) applies whenever it is set, not only if set before the first import."""
    return Path(os.environ.get("NETFABRIC_LAB_REGISTRY", "/run/netfabric/labs"))


STATE_NAME = "netfabric-lab.json"
# lldpd control sockets live here, not in the lab dir: lldpcli cannot use a socket below a directory
# the _lldpd user cannot traverse (e.g. pytest's 0700 /tmp/pytest-of-root).
LLDPD_RUN = Path("/run/netfabric/lldpd")


def lldpd_socket(netns: str) -> Path:
    return LLDPD_RUN / f"{netns}.sock"


State = dict[str, Any]


def build_state(topo: Topology, backend: str = "netns", twins: dict[str, str | None] | None = None) -> State:
    twins = twins or {}
    nodes: dict[str, Any] = {}
    for n in topo.nodes.values():
        nodes[n.name] = {
            "kind": n.kind,
            "long_name": n.long_name,
            "netns": n.long_name,
            "mgmt_ipv4": n.mgmt_ipv4,
            "mgmt_prefix_len": topo.mgmt_subnet.prefixlen,
            "mgmt_if": "eth0",
            "frr_pathspace": n.long_name if n.runs_frr else None,
            "twin": twins.get(n.name),
            "interfaces": list(n.interfaces),
            "startup_config": n.startup_config,
            "username": n.username,
            "password": n.password,
            "node_dir": str(topo.lab_dir / n.name),
            "lldpd_socket": str(lldpd_socket(n.long_name)),
            "labels": dict(n.labels),
            "group": n.group,
            "image": n.image,
        }
    return {
        "name": topo.name,
        # One id per deployment: a twin that finds another id in its saved state knows the device was
        # "rebooted" (namespace inode numbers are reused by the kernel, so they cannot tell).
        "deploy_id": uuid.uuid4().hex,
        "prefix": topo.prefix,
        "topology": str(topo.path),
        "lab_dir": str(topo.lab_dir),
        "backend": backend,
        "mgmt": {
            "network": topo.mgmt_network,
            "bridge": topo.bridge,
            "ipv4_subnet": str(topo.mgmt_subnet),
            "gateway": topo.mgmt_gateway,
        },
        "nodes": nodes,
        "links": [
            {"a": {"node": lk.a.node, "interface": lk.a.interface},
             "b": {"node": lk.b.node, "interface": lk.b.interface}}
            for lk in topo.links
        ],
        "pids": {},
    }


def _write(path: Path, state: State) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    # 0600: the state holds device passwords.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(state, fh, indent=2)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def save_state(state: State) -> None:
    """Lab dir copy and registry copy; the registry is what destroy --all reads after a crash."""
    _write(Path(state["lab_dir"]) / STATE_NAME, state)
    _write(registry() / f"{state['name']}.json", state)


def registered() -> list[State]:
    out: list[State] = []
    reg = registry()
    if not reg.is_dir():
        return out
    for p in sorted(reg.glob("*.json")):
        try:
            out.append(json.loads(p.read_text()))
        except (OSError, ValueError):
            continue
    return out


def load_state(name: str | None = None, lab_dir: Path | None = None) -> State | None:
    if name:
        p = registry() / f"{name}.json"
        if p.exists():
            return dict(json.loads(p.read_text()))
    if lab_dir is not None:
        p = lab_dir / STATE_NAME
        if p.exists():
            return dict(json.loads(p.read_text()))
    return None


def forget(state: State) -> None:
    for p in (registry() / f"{state['name']}.json", Path(state["lab_dir"]) / STATE_NAME):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()
