"""Helpers for the lab tests (imported as a plain module: tests/ has no packages)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from _skip import need

REPO = Path(__file__).resolve().parents[2]


def require(ok: bool, reason: str) -> None:
    need(ok, reason)


def require_lab_env(*tools: str) -> None:
    require(os.geteuid() == 0, "the embedded lab needs root (network namespaces)")
    for t in ("ip", "nsenter", "unshare", "lldpd", "lldpcli", *tools):
        require(shutil.which(t) is not None or Path("/usr/sbin", t).exists(), f"{t} is not installed")


def require_frr() -> None:
    require_lab_env("vtysh", "sshd", "ssh-keygen", "openssl")
    require(Path("/usr/lib/frr/zebra").exists(), "FRR is not installed (/usr/lib/frr/zebra)")


def lab_leftovers(names: set[str], bridge: str) -> list[str]:
    """Anything a destroyed lab could leave behind."""
    left = []
    netns = set(os.listdir("/run/netns")) if os.path.isdir("/run/netns") else set()
    left += [f"netns {n}" for n in sorted(names & netns)]
    if Path("/sys/class/net", bridge).exists():
        left.append(f"bridge {bridge}")
    for n in names:
        for d in (Path("/etc/frr", n), Path("/var/run/frr", n)):
            if d.exists():
                left.append(str(d))
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if stat != "Z" and any(n in cmd for n in names):
            left.append(f"process {pid}: {cmd[:80]}")
    with open("/proc/self/mounts") as fh:
        left += [f"mount {line.split()[1]}" for line in fh if any(n in line for n in names)]
    return left
