"""Talking to a node's FRR (vtysh pathspace) and kernel (ip -n) from a twin."""

from __future__ import annotations

import asyncio
import json
import logging
import os
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
FRR_RELOAD = "/usr/lib/frr/frr-reload.py"


async def run(*argv: str, timeout: float = 30.0, stdin: bytes | None = None) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        *argv,
        stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(stdin), timeout)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        return 124, "", "timeout"
    return proc.returncode or 0, out.decode(errors="replace"), err.decode(errors="replace")


class Frr:
    def __init__(self, pathspace: str | None, netns: str | None, workdir: Path) -> None:
        self.pathspace = pathspace
        self.netns = netns
        self.workdir = workdir

    def _vtysh(self) -> list[str]:
        return ["vtysh", "-N", self.pathspace] if self.pathspace else ["vtysh"]

    async def show_json(self, cmd: str) -> Any:
        rc, out, _ = await run(*self._vtysh(), "-c", cmd, timeout=15)
        if rc != 0 or not out.strip():
            return {}
        try:
            return json.loads(out)
        except json.JSONDecodeError:
            return {}

    async def show_json_many(self, *cmds: str) -> list[Any]:
        """Several JSON show commands in one vtysh process (one spawn instead of N)."""
        argv = [a for c in cmds for a in ("-c", c)]
        _, out, _ = await run(*self._vtysh(), *argv, timeout=15)
        dec, res, pos = json.JSONDecoder(), [], 0
        for _ in cmds:
            while pos < len(out) and out[pos] != "{":
                pos += 1
            try:
                obj, pos = dec.raw_decode(out, pos)
            except json.JSONDecodeError:
                obj = {}
            res.append(obj)
        return res

    async def show_text(self, cmd: str) -> str:
        _, out, _ = await run(*self._vtysh(), "-c", cmd, timeout=15)
        return out

    async def running(self) -> str:
        return await self.show_text("show running-config")

    async def reload(self, config: str) -> tuple[bool, str]:
        """Make FRR's running config equal to ``config`` (frr-reload computes the delta)."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        target = self.workdir / "frr-target.conf"
        target.write_text(config)
        argv = ["python3", FRR_RELOAD, "--reload", "--stdout", "--confdir", str(self._confdir())]
        if self.pathspace:
            argv += ["--pathspace", self.pathspace]
        for _attempt in range(2):
            rc, out, err = await run(*argv, str(target), timeout=120)
            if rc == 0:
                break
            # frr-reload can order deletions badly (e.g. "router isis" before the interfaces
            # using it); a second pass applies the remaining delta.
            log.warning("frr-reload rc=%s: %s", rc, (err or out)[-800:])
        return rc == 0, err or out

    def _confdir(self) -> Path:
        # frr-reload reads <confdir>/<pathspace>/vtysh.conf for the integrated-config check.
        conf = self.workdir / "frr-etc"
        sub = conf / self.pathspace if self.pathspace else conf
        sub.mkdir(parents=True, exist_ok=True)
        (sub / "vtysh.conf").write_text("service integrated-vtysh-config\n")
        return conf

    # ---- kernel ---------------------------------------------------------
    def _ip(self) -> list[str]:
        return ["ip", "-n", self.netns] if self.netns else ["ip"]

    async def ip_json(self, *args: str) -> Any:
        rc, out, _ = await run(*self._ip(), "-j", *args, timeout=10)
        if rc != 0:
            return []
        try:
            return json.loads(out or "[]")
        except json.JSONDecodeError:
            return []

    async def set_links(self, wanted: dict[str, tuple[int, bool]]) -> None:
        links = {lk["ifname"]: lk for lk in await self.ip_json("link", "show")}
        for name, (mtu, up) in wanted.items():
            if name not in links:
                if not name.startswith("lo"):
                    continue  # an EthernetN the topology does not wire
                await run(*self._ip(), "link", "add", name, "type", "dummy")
                links[name] = {"mtu": 0, "flags": []}
            cur = links[name]
            if cur.get("mtu") != mtu:
                await run(*self._ip(), "link", "set", "dev", name, "mtu", str(mtu))
            is_up = "UP" in cur.get("flags", [])
            if up != is_up or name.startswith("lo"):
                await run(*self._ip(), "link", "set", "dev", name, "up" if up else "down")

    async def sysctl_forwarding(self, on: bool) -> None:
        if self.netns:
            await run("ip", "netns", "exec", self.netns, "sysctl", "-qw", f"net.ipv4.ip_forward={int(on)}")


def lldp_cli(netns: str | None, socket_path: str) -> list[str]:
    base = ["lldpcli", "-u", socket_path, "-f", "json0"]
    return (["ip", "netns", "exec", netns] + base) if netns and not os.path.exists(socket_path) else base
