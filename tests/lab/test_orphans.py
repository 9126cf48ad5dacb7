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
