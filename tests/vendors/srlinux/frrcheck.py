"""Load an FRR config into a real FRR in a private network namespace; report what FRR did not take.

The twin's own check (``fabric.twins.frr.Frr.reload``): ``frr-reload --reload`` then ``--test`` against
the same target, whose leftover delta (``fabric.frr_reload.not_applied``) must be empty. Everything
started here (namespace, daemons, their tmpfs mounts, run dirs) is removed on exit, also on failure.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shlex
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from fabric.frr_reload import RELOAD, not_applied
from fabric.lab.netns import FRR_TMP, FRR_TMP_MOUNT

DAEMONS = ("zebra", "staticd", "bgpd", "ospfd", "isisd", "bfdd")
FRR_RUN = Path("/var/run/frr")


def _sh(*argv: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    res = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if check and res.returncode != 0:
        raise RuntimeError(f"{shlex.join(argv)}: rc {res.returncode}: {res.stderr.strip()[-500:]}")
    return res


def frr_available() -> str | None:
    """Why a real FRR cannot run here (None: it can)."""
    if os.geteuid() != 0:
        return "needs root (network namespaces, FRR daemons)"
    missing = [p for p in [RELOAD, *(f"/usr/lib/frr/{d}" for d in DAEMONS)] if not Path(p).exists()]
    if missing or not shutil.which("vtysh"):
        return f"FRR not installed ({', '.join(missing) or 'vtysh'})"
    return None


class FrrNode:
    """Real FRR daemons in one private namespace (pathspace = namespace name)."""

    def __init__(self, workdir: Path) -> None:
        self.ns = f"nfsrl-{secrets.token_hex(3)}"
        self.workdir = workdir
        self.rundir = FRR_RUN / self.ns

    def links(self, links: dict[str, tuple[int, bool]]) -> None:
        """The kernel links the twin would set; veth pairs stand in for ports and loopbacks alike (some
        kernels have no dummy driver), the far end left in the namespace, up."""
        for i, (name, (mtu, up)) in enumerate(links.items()):
            _sh("ip", "-n", self.ns, "link", "add", name, "type", "veth", "peer", "name", f"far{i}")
            _sh("ip", "-n", self.ns, "link", "set", f"far{i}", "mtu", str(mtu), "up")
            _sh("ip", "-n", self.ns, "link", "set", name, "mtu", str(mtu), "up" if up else "down")

    def start(self) -> None:
        sweep_stale()
        _sh("ip", "netns", "add", self.ns)
        _sh("ip", "-n", self.ns, "link", "set", "lo", "up")
        self.rundir.mkdir(parents=True, exist_ok=True)
        shutil.chown(self.rundir, "frr", "frr")
        FRR_TMP.mkdir(parents=True, exist_ok=True)
        for d in DAEMONS:
            argv = [f"/usr/lib/frr/{d}", "-N", self.ns, "-d", "-F", "traditional", "-f", "/dev/null",
                    "-i", str(self.rundir / f"{d}.pid"), "--log", f"file:{self.workdir}/{d}.log"]
            # `ip netns exec` gives a private mount namespace: FRR's crash-log dir is a tmpfs there
            _sh("ip", "netns", "exec", self.ns, "sh", "-c", f"{FRR_TMP_MOUNT} && exec {shlex.join(argv)}")
        end = time.monotonic() + 20
        while not all((self.rundir / f"{d}.vty").exists() for d in DAEMONS):
            if time.monotonic() > end:
                raise RuntimeError(f"FRR daemons not listening after 20 s in {self.ns}")
            time.sleep(0.05)

    def load(self, config: str) -> list[str]:
        """What FRR did not take of ``config`` (as the twin checks a commit): [] when all of it."""
        confdir = self.workdir / "etc"
        (confdir / self.ns).mkdir(parents=True, exist_ok=True)
        (confdir / self.ns / "vtysh.conf").write_text("service integrated-vtysh-config\n")
        target = self.workdir / "frr.conf"
        target.write_text(config)
        argv = [RELOAD, "--stdout", "--confdir", str(confdir), "--pathspace", self.ns]
        res = _sh(*argv, "--reload", str(target), check=False)
        if res.returncode != 0:
            return [f"frr-reload --reload rc {res.returncode}: {(res.stderr or res.stdout)[-800:]}"]
        return not_applied(_sh(*argv, "--test", str(target), check=False).stdout)

    def vtysh(self, cmd: str) -> str:
        return _sh("vtysh", "-N", self.ns, "-c", cmd).stdout

    def stop(self) -> None:
        pids = []
        for pidf in self.rundir.glob("*.pid"):
            with contextlib.suppress(ValueError, OSError):
                pids.append(int(pidf.read_text().strip()))
        pids += [int(p) for p in _sh("ip", "netns", "pids", self.ns, check=False).stdout.split()]
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, sig)
            end = time.monotonic() + 5
            while time.monotonic() < end and any(_alive(p) for p in pids):
                time.sleep(0.05)
        shutil.rmtree(self.rundir, ignore_errors=True)
        _sh("ip", "netns", "del", self.ns, check=False)


def sweep_stale(min_age: float = 120) -> None:
    """Remove what a killed test run left behind (its ``finally`` never ran): ``nfsrl-`` namespaces with
    no process in them, older than ``min_age`` so that a node another xdist worker is starting is safe."""
    for ns_file in Path("/run/netns").glob("nfsrl-*"):
        with contextlib.suppress(OSError):
            if time.time() - ns_file.stat().st_mtime < min_age:
                continue
        if _sh("ip", "netns", "pids", ns_file.name, check=False).stdout.split():
            continue
        shutil.rmtree(FRR_RUN / ns_file.name, ignore_errors=True)
        _sh("ip", "netns", "del", ns_file.name, check=False)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@contextlib.contextmanager
def frr_node(workdir: Path) -> Iterator[FrrNode]:
    node = FrrNode(workdir)
    try:
        node.start()
        yield node
    finally:
        node.stop()
