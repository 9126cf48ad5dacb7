"""Live: FRR OSPF triangle with a host behind each router (real daemons in network namespaces)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paramiko
import pytest
from _labutil import REPO, lab_leftovers, require, require_frr

from fabric.errors import FabricError
from fabric.lab import deploy, destroy, inspect

pytestmark = pytest.mark.lab


def copy_topology(dst: Path, name: str) -> Path:
    """Work on a copy so the lab directory lands in a temp dir, not in the repo."""
    shutil.copy(REPO / "containerlab" / f"{name}.clab.yml", dst)
    shutil.copytree(REPO / "containerlab" / name, dst / name)
    return dst / f"{name}.clab.yml"


@pytest.fixture(scope="module")
def triangle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    require_frr()
    require(shutil.which("ping") is not None, "ping is not installed (apt-get install iputils-ping)")
    topo = copy_topology(tmp_path_factory.mktemp("tri"), "frr-triangle")
    destroy(topo)  # a previous interrupted run
    state = deploy(topo, wait_converged=True, timeout=40)
    names = {n["netns"] for n in state["nodes"].values()}
    try:
        yield {"state": state, "topo": topo}
    finally:
        destroy(topo)  # how long it takes: bench/bench_lab.py (target <= 3 s)
        left = lab_leftovers(names, state["mgmt"]["bridge"])
        assert not left, f"destroy left: {left}"


def ns_ping(ns: str, ip: str, tries: int = 5) -> bool:
    # Adjacencies are up when deploy returns; SPF may still be installing routes for a moment.
    for _ in range(tries):
        p = subprocess.run(["ip", "netns", "exec", ns, "ping", "-c1", "-W1", ip], capture_output=True)
        if p.returncode == 0:
            return True
    return False


def test_converged_means_lldp_sees_every_link(triangle: dict[str, Any]) -> None:
    """First test after the deploy: --wait-converged returned only once LLDP showed both ends of
    every link (validation's cabling checks must not race lldpd's first frames)."""
    from fabric.lab.readiness import lldp_pending

    assert lldp_pending(triangle["state"]) == []
    assert len(triangle["state"]["links"]) >= 6  # the check had links to look at


def test_hosts_ping_across_routers(triangle: dict[str, Any]) -> None:
    hosts = {"h1": "192.168.1.10", "h2": "192.168.2.10", "h3": "192.168.3.10"}
    for src in hosts:
        for dst, ip in hosts.items():
            if src != dst:
                ns = triangle["state"]["nodes"][src]["netns"]
                assert ns_ping(ns, ip), f"{src} cannot reach {dst} ({ip})"


def test_ssh_into_router_runs_vtysh(triangle: dict[str, Any]) -> None:
    r1 = triangle["state"]["nodes"]["r1"]
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(r1["mgmt_ipv4"], port=22, username=r1["username"], password=r1["password"],
                   look_for_keys=False, allow_agent=False, timeout=10)
    try:
        _, out, _ = client.exec_command('hostname; vtysh -c "show ip ospf neighbor json"', timeout=15)
        text = out.read().decode()
    finally:
        client.close()
    hostname, _, body = text.partition("\n")
    assert hostname.strip() == "r1"
    nbrs = json.loads(body)["neighbors"]
    assert set(nbrs) == {"10.255.0.2", "10.255.0.3"}
    assert all(n[0]["nbrState"].startswith("Full") for n in nbrs.values())


def test_ssh_with_lab_key(triangle: dict[str, Any]) -> None:
    st = triangle["state"]
    key = Path(st["lab_dir"]) / "ssh" / "id_ed25519"
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(st["nodes"]["r2"]["mgmt_ipv4"], username="root", key_filename=str(key),
                   look_for_keys=False, allow_agent=False, timeout=10)
    try:
        _, out, _ = client.exec_command("vtysh -c 'show version'", timeout=15)
        assert "FRRouting" in out.read().decode()
    finally:
        client.close()


def test_ssh_sessions_use_the_node_home(triangle: dict[str, Any]) -> None:
    """Node shells never run the host's /root startup files (nodes share the host's /root)."""
    st = triangle["state"]
    r1 = st["nodes"]["r1"]
    home = str(Path(r1["node_dir"]) / "home")
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    key = str(Path(st["lab_dir"]) / "ssh" / "id_ed25519")
    client.connect(r1["mgmt_ipv4"], username="root", key_filename=key, look_for_keys=False,
                   allow_agent=False, timeout=10)
    try:
        _, out, _ = client.exec_command('echo "$HOME"; pwd; shopt login_shell; echo "rc=$NETFABRIC_NODE"; '
                                        'echo ~root', timeout=15)
        lines = out.read().decode().splitlines()
        chan = client.invoke_shell()  # interactive login shell: ~/.profile of the node home
        chan.sendall(b'echo "LOGIN:$HOME:$NETFABRIC_NODE"; exit\n')
        buf = b""
        deadline = time.monotonic() + 10
        while b"LOGIN:/" not in buf and time.monotonic() < deadline:
            if chan.recv_ready():
                buf += chan.recv(4096)
            else:
                time.sleep(0.05)
    finally:
        client.close()
    assert lines[0] == home and lines[1] == home and lines[4] == home, lines
    assert lines[2].split() == ["login_shell", "off"]
    assert lines[3] == "rc=r1"  # the node's own ~/.bashrc ran, not /root's
    assert f"LOGIN:{home}:r1".encode() in buf, buf[-300:]
    # how long the login + command takes: bench/bench_lab.py (ssh figure, target <= 5 s)
    # the host's passwd is untouched
    assert Path("/etc/passwd").read_text().split("root:", 1)[1].split(":")[4] != home


def test_link_mtu_and_neighbour_limits(triangle: dict[str, Any]) -> None:
    from fabric.lab.netns import neigh_thresholds

    st = triangle["state"]
    for node, ifname in (("r1", "eth1"), ("r2", "eth1"), ("r2", "eth2"), ("h1", "eth1")):
        out = subprocess.run(["ip", "-n", st["nodes"][node]["netns"], "-o", "link", "show", ifname],
                             capture_output=True, text=True).stdout
        assert " mtu 9500 " in out, (node, ifname, out)
    need = neigh_thresholds(len(st["nodes"]), len(st["links"]))
    for key, want in zip(("gc_thresh1", "gc_thresh2", "gc_thresh3"), need, strict=True):
        assert int(Path("/proc/sys/net/ipv4/neigh/default", key).read_text()) >= want


def test_frr_crash_log_dirs_stay_in_the_node(triangle: dict[str, Any]) -> None:
    """FRR keeps /var/tmp/frr/<daemon>.<pid>/ (crash log, log buffers) and never removes it when
    killed: each node has its own tmpfs there, so the host's /var/tmp/frr gets nothing from a lab."""
    st = triangle["state"]
    from fabric.lab.netns import _pids_in_netns

    daemons = {}
    for pid in _pids_in_netns({st["nodes"]["r1"]["netns"]}):
        comm = Path(f"/proc/{pid}/comm").read_text().strip()
        if comm in ("zebra", "ospfd", "bfdd"):
            daemons[comm] = pid
    assert {"zebra", "ospfd"} <= set(daemons), daemons
    inside = subprocess.run(["nsenter", "-t", str(daemons["zebra"]), "-m", "ls", "/var/tmp/frr"],
                            capture_output=True, text=True).stdout.split()
    # Named after the pid before daemonising: FRR still has its crash logs, in the node's tmpfs only.
    assert {d.split(".")[0] for d in inside} >= {"zebra", "ospfd"}, inside
    on_host = [d for d in inside if Path("/var/tmp/frr", d).exists()]
    assert not on_host, f"crash log dirs on the host: {on_host}"


def test_lldp_neighbors(triangle: dict[str, Any]) -> None:
    st = triangle["state"]
    sock = st["nodes"]["r1"]["lldpd_socket"]
    deadline = time.monotonic() + 15
    seen: set[str] = set()
    while time.monotonic() < deadline:
        out = subprocess.run(["lldpcli", "-u", sock, "-f", "json", "show", "neighbors"],
                             capture_output=True, text=True).stdout
        if not out.strip():  # lldpd still creating its control socket
            time.sleep(0.3)
            continue
        ifaces = json.loads(out).get("lldp", {}).get("interface", [])
        ifaces = ifaces if isinstance(ifaces, list) else [ifaces]
        seen = {chassis for i in ifaces for v in i.values() for chassis in v.get("chassis", {})}
        if {"r2", "r3", "h1"} <= seen:
            break
        time.sleep(0.5)
    assert {"r2", "r3", "h1"} <= seen, seen


def test_cli_exec_inspect_and_artifacts(triangle: dict[str, Any]) -> None:
    topo = triangle["topo"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    p = subprocess.run([sys.executable, "-m", "fabric.lab", "exec", "-t", str(topo), "r3", "--",
                        "vtysh", "-c", "show ip route 192.168.1.0/24 json"],
                       capture_output=True, text=True, env=env, timeout=30)
    assert p.returncode == 0, p.stderr
    assert "192.168.1.0/24" in json.loads(p.stdout)
    rows = inspect(topo)
    assert {r["node"] for r in rows} == {"r1", "r2", "r3", "h1", "h2", "h3"}
    assert all(r["status"] == "running" for r in rows)
    lab_dir = Path(triangle["state"]["lab_dir"])
    files = ("topology-data.json", "ansible-inventory.yml", "nornir-simple-inventory.yml",
             "netfabric-lab.json")
    for f in files:
        assert (lab_dir / f).exists(), f
    p = subprocess.run([sys.executable, "-m", "fabric.lab", "inspect", "-t", str(topo)],
                       capture_output=True, text=True, env=env, timeout=30)
    assert p.returncode == 0 and "r1" in p.stdout
    assert "netfabric" not in p.stdout + p.stderr  # the lab password is never printed


def test_management_network(triangle: dict[str, Any]) -> None:
    st = triangle["state"]
    with socket.create_connection((st["nodes"]["r3"]["mgmt_ipv4"], 22), timeout=3) as s:
        assert s.recv(64).startswith(b"SSH-2.0-")
    ns = st["nodes"]["h1"]["netns"]
    assert ns_ping(ns, st["mgmt"]["gateway"])
    routes = subprocess.run(["ip", "-n", ns, "route"], capture_output=True, text=True).stdout
    assert "default" in routes and "eth1" in routes.split("default")[1].splitlines()[0]


def test_conflicts_refused(triangle: dict[str, Any], tmp_path: Path) -> None:
    same = copy_topology(tmp_path, "frr-triangle")
    with pytest.raises(FabricError, match="already deployed"):
        deploy(same)
    overlap = tmp_path / "overlap.clab.yml"
    overlap.write_text("name: nf-overlap\nmgmt: {ipv4-subnet: 172.20.31.128/25}\n"
                       "topology: {nodes: {a: {kind: linux}}}\n")
    with pytest.raises(FabricError, match="overlaps") as ei:
        deploy(overlap)
    assert ei.value.key == "mgmt.ipv4-subnet"


def test_second_lab_side_by_side(triangle: dict[str, Any], tmp_path: Path) -> None:
    topo = tmp_path / "pair.clab.yml"
    topo.write_text(
        "name: nf-pair\nmgmt: {ipv4-subnet: 172.20.32.0/24}\n"
        "topology:\n  nodes:\n"
        "    a: {kind: linux, exec: ['ip addr add 10.9.9.1/30 dev eth1', 'ip link set eth2 down']}\n"
        "    b: {kind: linux, exec: ['ip addr add 10.9.9.2/30 dev eth1']}\n"
        "  links: [{endpoints: ['a:eth1', 'b:eth1']}, {endpoints: ['a:eth2', 'b:eth2']}]\n"
    )
    try:
        # Converged = LLDP on both ends of eth1; the link the topology keeps down is not waited for.
        st = deploy(topo, wait_converged=True, timeout=30)
        assert ns_ping(st["nodes"]["a"]["netns"], "10.9.9.2")
        assert {r["lab"] for r in inspect(all_labs=True)} >= {"frr-triangle", "nf-pair"}
    finally:
        assert destroy(topo) == ["nf-pair"]
        assert destroy(topo) == []  # idempotent
    assert not lab_leftovers({n["netns"] for n in st["nodes"].values()}, st["mgmt"]["bridge"])
