"""Talking to a node's FRR (vtysh pathspace) and kernel (ip -n) from a twin."""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from fabric.frr_reload import RELOAD, not_applied
from fabric.twins import jsonio
from fabric.twins.netns import write_in_netns

log = logging.getLogger(__name__)
_LOOPBACK_KINDS: tuple[str, ...] = ("dummy", "ifb")  # the one that worked last comes first


# Child processes are started and waited for on these threads, not on the event loop: an asyncio
# subprocess costs the loop about 1.5 ms (pipe transports, a child-watcher thread per child), and one
# twin server's loop answers every device of a lab, so each `ip`/`lldpcli`/`vtysh` behind a show
# delayed every other device's reply (measured: 21 % of the loop's time in a validate of 36 EOS twins).
# A pool of its own, so minutes-long frr-reloads never hold up a show command; idle threads cost nothing.
_SPAWN = ThreadPoolExecutor(max_workers=64, thread_name_prefix="twin-spawn")


def _run_sync(argv: tuple[str, ...], timeout: float, stdin: bytes | None) -> tuple[int, str, str]:
    try:
        p = subprocess.run(argv, input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL,
                           capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:  # run() has killed and reaped it
        return 124, "", "timeout"
    except OSError as e:  # no such program: as a shell would answer
        return 127, "", str(e)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


async def run(*argv: str, timeout: float = 30.0, stdin: bytes | None = None) -> tuple[int, str, str]:
    """Run a program to completion: (exit status, stdout, stderr); 124 after ``timeout`` (killed)."""
    return await asyncio.get_running_loop().run_in_executor(_SPAWN, _run_sync, argv, timeout, stdin)


FRR_RUN = Path("/var/run/frr")
FRR_ETC = Path("/etc/frr")


class VtyError(Exception):
    """The daemon answered with a non-success status (unknown command, warning ...)."""


class Vty:
    """A persistent connection to one FRR daemon's vtysh socket (``<rundir>/<daemon>.vty``).

    The wire protocol is vtysh's own (FRR lib/vty.c ``vtysh_read``/``vtysh_flush``, vtysh.c
    ``vtysh_client_run``): the command is sent NUL-terminated; the reply is the command's output
    followed by three NUL bytes and one status byte (``CMD_SUCCESS`` = 0).  A connection starts in
    the view node; like vtysh we send ``enable`` once after connecting.  Commands on one connection
    are serialised; callers fall back to spawning vtysh when this returns None.
    """

    LIMIT = 64 * 1024 * 1024  # largest reply we read (a full-table JSON is a few MB)

    def __init__(self, path: Path) -> None:
        self.path = path
        self._rw: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        self._lock = asyncio.Lock()

    async def _raw(self, command: str, timeout: float) -> str:
        assert self._rw is not None
        reader, writer = self._rw
        writer.write(command.encode() + b"\0")
        await writer.drain()
        data = await asyncio.wait_for(reader.readuntil(b"\0\0\0"), timeout)
        status = (await asyncio.wait_for(reader.readexactly(1), timeout))[0]
        if status != 0:
            raise VtyError(f"{command!r}: status {status}: {data[:-3].decode(errors='replace')[:200]}")
        return data[:-3].decode(errors="replace")

    async def command(self, command: str, timeout: float = 15.0) -> str | None:
        async with self._lock:
            for _attempt in range(2):  # a daemon restart leaves a dead connection: reconnect once
                try:
                    if self._rw is None:
                        self._rw = await asyncio.wait_for(
                            asyncio.open_unix_connection(str(self.path), limit=self.LIMIT), timeout
                        )
                        await self._raw("enable", timeout)
                    return await self._raw(command, timeout)
                except VtyError as e:
                    log.debug("vty %s: %s", self.path, e)
                    return None
                except (OSError, EOFError, TimeoutError, asyncio.LimitOverrunError):
                    self.close()  # the stream position is unknown after any error: start afresh
            return None

    def close(self) -> None:
        if self._rw is not None:
            self._rw[1].close()
            self._rw = None


def daemon_for(cmd: str) -> str | None:
    """Which daemon answers a show command (vtysh routes the same way); None = ask vtysh."""
    w = cmd.split()
    if w[:2] == ["show", "bgp"] or w[:3] == ["show", "ip", "bgp"] or w[:3] == ["show", "ipv6", "bgp"]:
        return "bgpd"
    if w[:3] == ["show", "ip", "ospf"]:
        return "ospfd"
    if w[:2] == ["show", "isis"]:
        return "isisd"
    if w[:3] in (["show", "ip", "route"], ["show", "ipv6", "route"]) or w[:2] == ["show", "interface"]:
        return "zebra"
    return None


# FRR regenerates an IS-IS LSP at most once per lsp-gen-interval, 30 s by default: a new adjacency or
# loopback then takes up to 30 s to reach the other routers. EOS, IOS-XR (initial wait 50 ms), Junos
# and SR Linux regenerate within milliseconds, so a twin's IS-IS runs with FRR's minimum, 1 s
# (measured on xr-core: every iBGP session up 32.7 s after deploy with the default, 3.5 s with 1 s).
# Written as FRR 8.4 prints it (`lsp-gen-interval 1` reads back as this line, refresh and lifetime
# at their defaults), so frr-reload's check finds no delta.
ISIS_LSP_GEN_INTERVAL = " lsp-timers gen-interval 1 refresh-interval 900 max-lifetime 1200"


BFD_DEFAULT = (300, 300, 3)  # bfdd's transmit and receive interval (ms) and detect multiplier


def bfd_profiles(profiles: dict[str, tuple[int, int, int]]) -> list[str]:
    """FRR's ``bfd`` block: one profile per name -> (transmit ms, receive ms, detect multiplier). Values
    equal to bfdd's defaults (300 ms, 300 ms, 3) are left out: its running config never shows them, and
    the post-reload check would then fail every commit. No profiles: no block."""
    if not profiles:
        return []
    out = ["bfd"]
    for name, (tx, rx, mult) in sorted(profiles.items()):
        out.append(f" profile {name}")
        if mult != BFD_DEFAULT[2]:
            out.append(f"  detect-multiplier {mult}")
        if rx != BFD_DEFAULT[1]:
            out.append(f"  receive-interval {rx}")
        if tx != BFD_DEFAULT[0]:
            out.append(f"  transmit-interval {tx}")
        out.append(" exit")
    out.append("exit")
    return out


class Frr:
    def __init__(self, pathspace: str | None, netns: str | None, workdir: Path) -> None:
        self.pathspace = pathspace
        self.netns = netns
        self.workdir = workdir
        self._vty: dict[str, Vty] = {}

    def _vtysh(self) -> list[str]:
        return ["vtysh", "-N", self.pathspace] if self.pathspace else ["vtysh"]

    def vty(self, daemon: str) -> Vty:
        if daemon not in self._vty:
            rundir = FRR_RUN / self.pathspace if self.pathspace else FRR_RUN
            self._vty[daemon] = Vty(rundir / f"{daemon}.vty")
        return self._vty[daemon]

    def close(self) -> None:
        for v in self._vty.values():
            v.close()

    async def show_text(self, cmd: str) -> str:
        daemon = daemon_for(cmd)
        if daemon is not None:
            out = await self.vty(daemon).command(cmd)
            if out is not None:
                return out
        _, out, _ = await run(*self._vtysh(), "-c", cmd, timeout=15)  # fallback: one vtysh process
        return out

    async def show_json(self, cmd: str) -> Any:
        out = await self.show_text(cmd)
        if not out.strip():
            return {}
        try:
            return jsonio.loads(out)
        except json.JSONDecodeError:
            return {}

    async def show_json_many(self, *cmds: str) -> list[Any]:
        """Several JSON show commands (each on its daemon's persistent vty connection)."""
        return [await self.show_json(c) for c in cmds]

    def started_with(self, config: str) -> bool:
        """True when the lab started this node's daemons with exactly ``config`` (its startup file)."""
        if not self.pathspace:
            return False
        try:
            return (FRR_ETC / self.pathspace / "frr.conf").read_text() == config
        except OSError:
            return False

    async def load_fresh(self, config: str) -> tuple[bool, str]:
        """Push a whole config into daemons that hold (almost) nothing yet: one ``vtysh -f``.

        Used at device boot, where FRR was just started with an empty config: frr-reload's delta
        computation (a Python process and several ``show running-config`` round trips) costs about
        ten times as much.  Any error falls back to :meth:`reload`, which converges on the target.
        """
        self.workdir.mkdir(parents=True, exist_ok=True)
        boot = self.workdir / "frr-boot.conf"
        # "frr defaults" is only valid when a daemon reads its startup file.
        boot.write_text("".join(ln for ln in config.splitlines(True) if not ln.startswith("frr defaults")))
        rc, out, err = await run(*self._vtysh(), "-f", str(boot), timeout=60)
        if rc == 0:
            return True, ""
        log.info("vtysh -f rc=%s, falling back to frr-reload: %s", rc, (err or out)[-300:])
        return await self.reload(config)

    async def reload(self, config: str) -> tuple[bool, str]:
        """Make FRR's running config equal to ``config`` (frr-reload computes the delta), and check that
        it is: frr-reload exits 0 even when a daemon it had to configure is not running."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        target = self.workdir / "frr-target.conf"
        target.write_text(config)
        argv = [RELOAD, "--stdout", "--confdir", str(self._confdir())]
        if self.pathspace:
            argv += ["--pathspace", self.pathspace]
        missing: list[str] = []
        for _attempt in range(2):
            rc, out, err = await run(*argv, "--reload", str(target), timeout=120)
            if rc != 0:
                # frr-reload can order deletions badly (e.g. "router isis" before the interfaces
                # using it); a second pass applies the remaining delta.
                log.warning("frr-reload rc=%s: %s", rc, (err or out)[-800:])
                continue
            _, test_out, _ = await run(*argv, "--test", str(target), timeout=120)
            missing = not_applied(test_out)
            if not missing:
                return True, ""
            log.warning("frr-reload rc=0 but FRR did not take: %s", "; ".join(missing)[:500])
        if missing:
            return False, "FRR did not take: " + "; ".join(ln.strip() for ln in missing[:5])
        return False, err or out

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
            return jsonio.loads(out or "[]")
        except json.JSONDecodeError:
            return []

    async def set_links(self, wanted: dict[str, tuple[int, bool]], fresh: bool = False,
                        loopbacks: frozenset[str] = frozenset()) -> None:
        """MTU / admin state / loopback stand-ins, in one ``ip -batch`` (one process, not one per change).

        ``fresh`` (device boot): skip reading the current state and set everything; ``-force`` lets the
        batch continue past an interface the topology does not wire. Loopback stand-ins are created:
        names starting with ``lo`` and those in ``loopbacks`` (SR Linux's ``system0``).
        """

        def is_lo(name: str) -> bool:
            return name.startswith("lo") or name in loopbacks

        batch: list[str] = []
        if fresh:
            for name, (mtu, up) in wanted.items():
                if is_lo(name):
                    batch.append(f"link add {name} type {_LOOPBACK_KINDS[0]}")
                batch += [f"link set dev {name} mtu {mtu}", f"link set dev {name} {'up' if up else 'down'}"]
            rc, _, err = await self._batch(batch)
            if rc == 0 or not any(is_lo(n) for n in wanted):
                return
            # Some line failed (no such device, or no loopback driver of that kind): redo it the careful way.
        links = {lk["ifname"]: lk for lk in await self.ip_json("link", "show")}
        batch = []
        for name, (mtu, up) in wanted.items():
            cur = links.get(name)
            if cur is None:
                if not is_lo(name) or not await self._add_loopback(name):
                    continue  # an EthernetN the topology does not wire
                cur = {"mtu": 0, "flags": []}
            if cur.get("mtu") != mtu:
                batch.append(f"link set dev {name} mtu {mtu}")
            is_up = "UP" in cur.get("flags", [])
            if up != is_up:
                batch.append(f"link set dev {name} {'up' if up else 'down'}")
        rc, _, err = await self._batch(batch)
        if rc != 0:
            log.warning("ip -batch in %s: %s", self.netns, err.strip()[-300:])

    async def _batch(self, lines: list[str]) -> tuple[int, str, str]:
        if not lines:
            return 0, "", ""
        stdin = ("\n".join(lines) + "\n").encode()
        return await run(*self._ip(), "-force", "-batch", "-", stdin=stdin, timeout=30)

    async def _add_loopback(self, name: str) -> bool:
        """A LoopbackN stand-in: a dummy, or an ifb where the kernel has no dummy driver (both are
        always-up, carrier-on devices that only own addresses)."""
        global _LOOPBACK_KINDS
        for kind in _LOOPBACK_KINDS:
            rc, _, err = await run(*self._ip(), "link", "add", name, "type", kind, timeout=10)
            if rc == 0:
                _LOOPBACK_KINDS = (kind,) + tuple(k for k in _LOOPBACK_KINDS if k != kind)
                return True
        log.warning("cannot create %s in %s: %s", name, self.netns, err.strip())
        return False

    async def sysctl_forwarding(self, on: bool) -> None:
        if self.netns:
            write_in_netns(self.netns, "/proc/sys/net/ipv4/ip_forward", f"{int(on)}\n")
