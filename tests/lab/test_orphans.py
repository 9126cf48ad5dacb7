"""A daemon that outlived its namespace (deploy killed mid-start) is still found and killed."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from fabric.lab import netns
from tests.conftest import require_lab


def _fake_daemon(ns: str) -> subprocess.Popen[bytes]:
    # argv as FRR's: /usr/lib/frr/<daemon> ... -N <pathspace>; the process itself just sleeps.
    return subprocess.Popen(["bash", "-c", f'exec -a /usr/lib/frr/zebra {sys.executable} -c '
                             f'"import time; time.sleep(60)" -N {ns}'])


def _wait_exec(p: subprocess.Popen[bytes], ns: str) -> None:
    """Until bash has exec'd the daemon: its command line is FRR's, with the pathspace."""
    end = time.monotonic() + 10
    cmd = b""
    while time.monotonic() < end:
        cmd = Path(f"/proc/{p.pid}/cmdline").read_bytes()
        if cmd.startswith(b"/usr/lib/frr/zebra\0") and f"-N\0{ns}".encode() in cmd:
            return
        time.sleep(0.02)
    raise AssertionError(f"fake daemon {p.pid} never exec'd (cmdline {cmd!r})")


def test_sweep_kills_only_daemons_whose_namespace_is_gone() -> None:
    require_lab()
    orphan = _fake_daemon("clab-orphantest-n1")
    alive_ns = "clab-orphantest-live"
    subprocess.run(["ip", "netns", "add", alive_ns], check=True)
    live = _fake_daemon(alive_ns)
    try:
        for p, ns in ((orphan, "clab-orphantest-n1"), (live, alive_ns)):
            _wait_exec(p, ns)
        assert orphan.pid in netns._lab_pids({"clab-orphantest-n1"}, None)
        netns.sweep_orphans()
        assert orphan.wait(timeout=5) == -9
        assert live.poll() is None, "a daemon of a namespace that still exists must survive"
    finally:
        for p in (orphan, live):
            p.kill()
            p.wait()
        subprocess.run(["ip", "netns", "del", alive_ns], check=False)


def test_sweep_kills_only_twin_servers_whose_lab_is_gone(tmp_path: Path) -> None:
    """A twin server (``python -m fabric.twins serve <state file>``) of a lab whose namespaces exist is
    alive and well: a sweep (every `destroy --all`) must leave it, whatever registry the lab is in.
    Regression: /proc cmdlines end in a NUL, so the state file was read as "" and every twin server
    of every other lab on the host was killed."""
    import json

    require_lab()
    alive_ns = "clab-orphantest-twin"
    subprocess.run(["ip", "netns", "add", alive_ns], check=True)
    servers = []
    try:
        for name, ns in (("live", alive_ns), ("gone", "clab-orphantest-gone")):
            state = tmp_path / name / "netfabric-lab.json"
            state.parent.mkdir()
            state.write_text(json.dumps({"nodes": {"n1": {"netns": ns}}}))
            # argv as the lab starts a twin server; the process itself just sleeps
            servers.append(subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)",
                                             "fabric.twins", "serve", str(state)]))
        live, gone = servers
        end = time.monotonic() + 10
        while time.monotonic() < end and not all(
                b"serve" in Path(f"/proc/{p.pid}/cmdline").read_bytes() for p in servers):
            time.sleep(0.02)
        netns.sweep_orphans()
        assert gone.wait(timeout=5) == -9
        assert live.poll() is None, "the twin server of a lab that still exists must survive"
    finally:
        for p in servers:
            p.kill()
            p.wait()
        subprocess.run(["ip", "netns", "del", alive_ns], check=False)
