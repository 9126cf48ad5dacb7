"""One target resolver for every command that acts on devices (validate, snapshot, compliance).

A target is a fabric (``inventory/<name>``, its ``fabric.yaml``, or ``<name>``), a containerlab
topology (``*.clab.yml``), or a deployed lab (its name in the lab registry, its lab directory or its
state file).  What the commands need from it: the fabric to check against (re-targeted to the
platforms the lab really runs, as ``fabric build --lab-platform`` generated it) and, for a lab, the
lab state (addresses and credentials of its nodes).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fabric.errors import FabricError
from fabric.lab.state import load_state, registered, registry
from fabric.model import Fabric


@dataclass
class Resolved:
    fabric: Fabric | None  # None: a lab without a fabric behind it (checked on its own state)
    lab: dict[str, Any] | None  # the deployed lab's state, when the target is a lab

    def nornir(self, *, num_workers: int = 32, hosts: list[str] | None = None) -> Any:
        """The Nornir object for the target (fabric.inventory builds both kinds): the fabric's
        inventory with its intent, or, for a lab without a fabric, its nodes from the lab state."""
        from fabric.inventory import load_nornir, nornir_from_lab

        if self.fabric is not None:
            return load_nornir(self.fabric.file, num_workers=num_workers, hosts=hosts, fab=self.fabric,
                               require_credentials=True, connection_plugins=False)
        assert self.lab is not None
        return nornir_from_lab(self.lab, num_workers=num_workers, hosts=hosts)


def _retarget(fab: Fabric, platforms: dict[str, str]) -> Fabric:
    """Re-target devices as `fabric build --lab-platform` does, so golden == what the lab booted with.

    That build re-targets *every* device (peer interface names in descriptions change too), so as
    soon as one lab node runs another platform than the fabric says, all of them are re-targeted.
    """
    from fabric.platforms import retarget_device

    if all(not plat or fab.devices[n].platform == plat for n, plat in platforms.items() if n in fab.devices):
        return fab
    fab = fab.model_copy(deep=True)
    for name, plat in platforms.items():
        if name in fab.devices and plat:
            retarget_device(fab.devices[name], plat)
    return fab


def _mapping(value: Any) -> dict[Any, Any]:
    """``value`` if it is a mapping, else empty: a section of the wrong shape names no nodes (the lab
    commands that deploy a topology validate it in full)."""
    return value if isinstance(value, dict) else {}


def fabric_of_topology(path: Path) -> Fabric | None:
    """The fabric a topology was generated from (``<fabric>[-<platform>]``), re-targeted and limited to
    the topology's nodes; None when no fabric of that name exists next to it or under ./inventory."""
    from fabric.design import load_fabric
    from fabric.yamlfile import load_yaml

    topo = load_yaml(path).data or {}  # FabricError (file, line, fix) if missing, unreadable or not YAML
    if not isinstance(topo, dict):
        raise FabricError("a topology file must be a mapping", file=str(path), line=1,
                          fix="pass a containerlab topology (*.clab.yml), e.g. one `fabric build` wrote")
    nodes = _mapping(_mapping(topo.get("topology")).get("nodes"))
    name = str(topo.get("name", ""))
    # dc1-frr -> dc1: the generator names platform variants <fabric>-<platform>.
    candidates = [name] + [name.rsplit("-", i)[0] for i in range(1, name.count("-") + 1)]
    # The fabric is inventory/<name> from here, or next to the topology (containerlab/../inventory).
    here = path.resolve().parent
    roots = [Path("inventory"), here.parent / "inventory", here / "inventory"]
    found = next((f for c in candidates for r in roots if (f := r / c / "fabric.yaml").exists()), None)
    if found is None:
        return None
    fab = load_fabric(found)
    plats = {n: str(_mapping(_mapping(v).get("labels")).get("netfabric.platform", ""))
             for n, v in nodes.items()}
    fab = _retarget(fab, {n: pl for n, pl in plats.items() if pl})
    fab.devices = {n: d for n, d in fab.devices.items() if n in nodes}
    return fab


def _lab_state(target: str) -> dict[str, Any] | None:
    """A deployed lab by name (registry), lab directory or state file."""
    try:
        st = load_state(target, Path(target))
        if st is None and Path(target).is_file() and Path(target).suffix == ".json":
            st = json.loads(Path(target).read_text())
        return st
    except (OSError, ValueError):
        return None


def resolve(target: str | Path | Fabric) -> Resolved:
    """Fabric first (a name that is a fabric is the fabric), then topology, then deployed lab."""
    from fabric.design import fabric_file, load_fabric

    if isinstance(target, Fabric):
        return Resolved(target, None)
    p = Path(target)
    if p.name.endswith((".clab.yml", ".clab.yaml")):
        fab = fabric_of_topology(p)
        lab = next((st for st in registered() if st.get("topology") == str(p.resolve())), None)
        if fab is None and lab is None:
            raise FabricError(f"no fabric found for lab '{p.name}'", file=str(p),
                              fix="name the lab <fabric>[-<platform>], or deploy it to check it on its own")
        return Resolved(fab, lab)
    if fabric_file(target).exists():
        return Resolved(load_fabric(target), None)
    lab = _lab_state(str(target))
    if lab is None and (registry() / f"{target}.json").exists():
        lab = json.loads((registry() / f"{target}.json").read_text())
    if lab is not None:
        topo = lab.get("topology")
        fab = fabric_of_topology(Path(topo)) if topo and Path(topo).exists() else None
        return Resolved(fab, lab)
    from fabric.yamlfile import fabrics_hint

    raise FabricError(
        f"'{target}' is neither a fabric nor a deployed lab",
        fix=f"{fabrics_hint(Path(target).name)}; or a fabric.yaml, a .clab.yml, or the name of a deployed "
            "lab (`fabric lab inspect --all`)",
    )


def select_devices(
    fab: Fabric | None,
    hosts: list[str] | None = None,
    roles: list[str] | None = None,
    platforms: list[str] | None = None,
    tags: list[str] | None = None,
) -> list[str] | None:
    """The devices the filters pick (``--hosts``, ``--role``, ``--platform``, ``--tag``: a device must match
    every filter given, any value of one), or None when no filter is given (all devices). A filter that
    picks nothing, or names a host the fabric does not have, is a usage error listing what exists."""
    if not (hosts or roles or platforms or tags):
        return None
    if fab is None:
        if roles or platforms or tags:
            raise FabricError("--role, --platform and --tag need a fabric (this lab has none behind it)",
                              fix="filter with --hosts, or pass the fabric the lab was built from")
        return list(hosts or [])
    if hosts and (unknown := sorted(set(hosts) - set(fab.devices))):
        raise FabricError(f"unknown host(s): {', '.join(unknown)}", key="--hosts",
                          fix=f"hosts of {fab.name}: " + ", ".join(fab.devices))
    picked = [
        n for n, d in fab.devices.items()
        if (not hosts or n in hosts) and (not roles or d.role in roles)
        and (not platforms or d.platform in platforms) and (not tags or set(tags) & set(d.tags))
    ]
    if not picked:
        have: dict[str, list[str]] = {"--role": sorted({d.role for d in fab.devices.values()}),
                "--platform": sorted({d.platform for d in fab.devices.values()}),
                "--tag": sorted({t for d in fab.devices.values() for t in d.tags})}
        raise FabricError("no device matches the filters", key="--role/--platform/--tag",
                          fix="; ".join(f"{k}: {', '.join(v) or '(none)'}" for k, v in have.items()))
    return picked
