"""containerlab backend: shells out to the real containerlab when it and docker are installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from fabric.errors import FabricError


def available() -> str | None:
    """None when usable, else the reason it is not."""
    if shutil.which("containerlab") is None:
        return "containerlab is not installed"
    if shutil.which("docker") is None:
        return "docker is not installed"
    return None


def deploy_cmd(topology: Path, *, reconfigure: bool = False) -> list[str]:
    cmd = ["containerlab", "deploy", "-t", str(topology)]
    return cmd + (["--reconfigure"] if reconfigure else [])


def destroy_cmd(topology: Path | None, *, all_labs: bool = False, cleanup: bool = False) -> list[str]:
    cmd = ["containerlab", "destroy"]
    if all_labs:
        cmd.append("--all")
    elif topology is not None:
        cmd += ["-t", str(topology)]
    return cmd + (["--cleanup"] if cleanup else [])


def inspect_cmd(topology: Path | None, *, all_labs: bool = False) -> list[str]:
    cmd = ["containerlab", "inspect", "--format", "json"]
    if all_labs:
        cmd.append("--all")
    elif topology is not None:
        cmd += ["-t", str(topology)]
    return cmd


def run(cmd: list[str]) -> int:
    reason = available()
    if reason:
        raise FabricError(f"--backend containerlab: {reason}",
                          fix="install containerlab, or use --backend netns")
    return subprocess.call(cmd)
