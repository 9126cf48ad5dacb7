"""Lab operations shared by the CLI and the Python API."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from fabric.errors import FabricError
from fabric.lab import clab_backend, netns, readiness
from fabric.lab.state import State, load_state, registered
from fabric.lab.topology import Topology, load_topology

Log = netns.Log


def _topo(topology: str | Path | Topology) -> Topology:
    return topology if isinstance(topology, Topology) else load_topology(topology)


LAB_PASSWORD_ENV = "NETFABRIC_LAB_PASSWORD"


def apply_lab_password(topo: Topology) -> None:
    """``$NETFABRIC_LAB_PASSWORD``, when set, is the password of every node of the lab instead of its
    kind's public default: the FRR nodes' root login (the lab's shadow file) and the device twins' user.
    It is recorded where the defaults are (lab state and inventories, mode 0600), so clients find it
    for the lab's nodes (fabric.credentials). Usernames stay the kind's (root, admin, ...)."""
    ssh = topo.lab_dir / "ssh"
    shadow, marker = ssh / "shadow", ssh / ".password-from-env"
    pw = os.environ.get(LAB_PASSWORD_ENV)
    if not pw:
        if marker.exists():  # that deploy's shadow holds its password: the netns backend writes the default
            shadow.unlink(missing_ok=True)
            marker.unlink()
        return
    if pw != pw.strip() or any(c in pw for c in "\n\r") or len(pw) > 128:
        raise FabricError(
            "the lab password must be one line without surrounding blanks, at most 128 characters",
            key=LAB_PASSWORD_ENV,
            fix=f"unset {LAB_PASSWORD_ENV} for the kind defaults, or choose another password",
        )
    for node in topo.nodes.values():
        node.password = pw
    if not any(n.runs_frr for n in topo.nodes.values()):
        return
    netns.write_shadow(ssh, pw)  # what the netns backend bind-mounts as /etc/shadow in every node
    marker.touch()


def deploy(
    topology: str | Path | Topology,
    *,
    backend: str = "netns",
    wait: bool = False,
    wait_converged: bool = False,
    timeout: float = 60,
    reconfigure: bool = False,
    log: Log = netns._nolog,
) -> State:
    """Deploy a lab and return its state (contracts.md shape).

    ``wait``: every FRR daemon answers vtysh; ``wait_converged``: also every configured BGP/OSPF/IS-IS
    session is up and LLDP sees both ends of every link.  Raises ``LabError`` listing what is not
    ready after ``timeout`` (lab left running).  ``reconfigure`` (containerlab's ``deploy
    --reconfigure``): destroy the lab if it runs and delete its lab directory first, so every node boots
    from the topology's startup-config, not from what it saved (twins' running and saved configs).
    """
    if backend == "containerlab":
        topo_path = topology.path if isinstance(topology, Topology) else Path(topology)
        rc = clab_backend.run(clab_backend.deploy_cmd(topo_path, reconfigure=reconfigure))
        if rc != 0:
            raise netns.LabError(f"containerlab deploy failed ({rc})", file=str(topo_path))
        return {"name": "", "backend": "containerlab", "topology": str(topo_path), "nodes": {}}
    if backend != "netns":
        raise netns.LabError(f"unknown backend '{backend}'", key="--backend", fix="netns or containerlab")
    topo = _topo(topology)
    if reconfigure:
        destroy(topo.path, cleanup=True, log=log)
    apply_lab_password(topo)
    state = netns.deploy(topo, log=log)
    pending: list[str] = []
    if wait_converged:
        pending = readiness.wait_converged(state, timeout)
    elif wait:
        pending = readiness.wait_daemons(state, timeout)
    if pending:
        raise netns.LabError(
            f"lab {topo.name} deployed but not ready after {timeout:.0f}s:\n  " + "\n  ".join(pending[:50]),
            file=str(topo.path),
            fix="look with `fabric lab exec <node> -- vtysh -c 'show ...'`; remove with `fabric lab destroy`",
        )
    return state


def _states(topology: str | Path | None, all_labs: bool) -> list[State]:
    if all_labs:
        return registered()
    if topology is None:
        labs = registered()
        if len(labs) == 1:
            return labs
        if not labs:
            return []
        raise netns.LabError(f"{len(labs)} labs deployed; say which with -t or use --all",
                             fix=", ".join(s["topology"] for s in labs))
    path = Path(topology).resolve()
    # A deployed lab is in the registry under its topology path: no need to parse and schema-validate
    # the topology (2.4 s for a 64-node file on a loaded 2-CPU box, most of a destroy).
    for known in registered():
        if known.get("topology") == str(path):
            return [known]
    try:
        topo = load_topology(path, warn=False)
        st = load_state(topo.name, topo.lab_dir)
    except Exception:
        # A broken/edited topology file must not break destroy; what the registry knows under this
        # path was looked up above.
        st = None
    return [st] if st else []


def destroy(topology: str | Path | None = None, *, all_labs: bool = False, backend: str = "netns",
            cleanup: bool = False, log: Log = netns._nolog) -> list[str]:
    """Destroy one lab (by topology) or every registered lab; returns the destroyed lab names.

    ``cleanup`` (containerlab's ``destroy --cleanup``): also delete each lab directory, with the
    twins' saved running/startup configs and the lab's keys, so the next deploy starts clean."""
    if backend == "containerlab":
        clab_backend.run(clab_backend.destroy_cmd(Path(topology) if topology else None, all_labs=all_labs,
                                                  cleanup=cleanup))
        return []
    netns.require_root()
    names = []
    dirs = []
    for st in _states(topology, all_labs):
        netns.destroy_state(st, log=log)
        names.append(st["name"])
        dirs.append((st["name"], Path(st["lab_dir"])))
    if all_labs:
        netns.sweep_orphans(log=log)
    if cleanup:
        if topology is not None and not all_labs:
            with contextlib.suppress(FabricError):  # not deployed: its lab dir may still be there
                t = load_topology(Path(topology).resolve(), warn=False)
                dirs.append((t.name, t.lab_dir))
        for name, d in dict.fromkeys(dirs):
            # Only ever a directory named as containerlab names lab directories.
            if d.name == f"clab-{name}" and d.is_dir():
                shutil.rmtree(d)
                log(f"lab directory {d} removed")
    return names


def inspect(topology: str | Path | None = None, *, all_labs: bool = False) -> list[dict[str, Any]]:
    """One row per node of each selected lab: lab, node, kind, netns, mgmt ip, status."""
    rows = []
    for st in _states(topology, all_labs or topology is None):
        status = netns.node_status(st)
        for name, n in st["nodes"].items():
            rows.append({
                "lab": st["name"], "node": name, "kind": n["kind"], "netns": n["netns"],
                "mgmt_ipv4": n["mgmt_ipv4"], "twin": n.get("twin"), "status": status[name],
            })
    return rows


def state_for(topology: str | Path | None) -> State:
    sts = _states(topology, False)
    if not sts:
        raise netns.LabError("no deployed lab found" + (f" for {topology}" if topology else ""),
                             fix="fabric lab deploy -t <file.clab.yml>")
    return sts[0]


def _host_networks() -> list[Any]:
    """The IPv4 networks of the host's own interface addresses (``ip -j -4 addr``)."""
    import ipaddress
    import json

    p = subprocess.run(["ip", "-j", "-4", "addr"], capture_output=True, text=True, timeout=10)
    nets = []
    for link in json.loads(p.stdout or "[]") if p.returncode == 0 else []:
        for a in link.get("addr_info", []):
            if a.get("local") and a.get("prefixlen") is not None:
                nets.append(ipaddress.ip_interface(f"{a['local']}/{a['prefixlen']}").network)
    return nets


RESERVATIONS = Path("/run/netfabric/subnets")
RESERVED_FOR = 600.0  # s: a private copy is deployed well within this after its subnet was picked


def free_mgmt_subnet(candidates: Iterable[str]) -> str:
    """The first candidate /24 (``a.b.c.0/24``) no deployed lab uses and no host interface is on.

    The host check also sees labs of another registry (NETFABRIC_LAB_REGISTRY: the tests use their
    own) and anything else on the host: their mgmt bridges carry the subnet's first address.

    The subnet is reserved against other processes for RESERVED_FOR seconds, or until the process that
    picked it ends: two private copies picked at once (two scenario runs, two test workers) would
    otherwise both see it free until the first one's bridge exists.
    """
    import fcntl
    import ipaddress

    used = {str(s.get("mgmt", {}).get("ipv4_subnet", "")) for s in registered()}
    host = _host_networks()
    RESERVATIONS.mkdir(parents=True, exist_ok=True)
    with (RESERVATIONS / ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        for old in RESERVATIONS.glob("*_*"):
            with contextlib.suppress(OSError):
                if time.time() - old.stat().st_mtime >= RESERVED_FOR:
                    old.unlink()
        for c in candidates:
            if c in used or any(ipaddress.ip_network(c).overlaps(n) for n in host):
                continue
            mark = RESERVATIONS / c.replace("/", "_")
            try:
                pid = int(mark.read_text().partition(" ")[0])
                fresh = time.time() - mark.stat().st_mtime < RESERVED_FOR
                if pid != os.getpid() and fresh and netns._alive(pid):
                    continue  # another process picked it a moment ago (a dead one's lab is up or never was)
            except (OSError, ValueError):
                pass
            mark.write_text(f"{os.getpid()} {c}\n")
            return c
    raise netns.LabError("no free management subnet for a private lab",
                         fix="destroy labs you no longer need: fabric lab destroy --all")


def private_topology(src: Path, workdir: Path, name: str, subnet: str) -> Path:
    """A private copy of a topology: lab ``name``, mgmt ``subnet`` (node addresses keep their offset),
    bind and startup-config paths made absolute. Tests, benchmarks and scenarios deploy copies so
    they never destroy (or clash with) a lab someone else deployed from the same file."""
    import ipaddress

    import yaml

    src = src.resolve()
    data = yaml.safe_load(src.read_text())
    old = ipaddress.IPv4Network(data["mgmt"]["ipv4-subnet"])
    new = ipaddress.IPv4Network(subnet)
    data["name"] = name
    data["mgmt"] = {"network": f"nf-{name}", "ipv4-subnet": subnet}
    for node in data["topology"]["nodes"].values():
        if node.get("binds"):
            node["binds"] = [
                f"{(src.parent / b.partition(':')[0]).resolve()}:{b.partition(':')[2]}" for b in node["binds"]
            ]
        if node.get("startup-config"):
            node["startup-config"] = str((src.parent / node["startup-config"]).resolve())
        if "mgmt-ipv4" in node:
            offset = int(ipaddress.IPv4Address(node["mgmt-ipv4"])) - int(old.network_address)
            node["mgmt-ipv4"] = str(new.network_address + offset)
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / f"{name}.clab.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path
