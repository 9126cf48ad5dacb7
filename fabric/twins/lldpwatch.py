"""lldpd's neighbour table for the twins' LLDP shows, read once per change instead of once per show.

A device's LLDP agent answers from its table in memory. The twins' table is lldpd's, and reading it
means starting ``lldpcli show neighbors details``: about 2.5 ms of the twin server's event loop per
show, which serves every device of a lab (18 % of the loop in a validate of 36 EOS twins). So one
``lldpcli watch`` per node (lldpd's own change notification: one line of JSON per neighbour added,
updated or deleted, port down included) tells when the table changed, and a reading is kept until then.

Ages (``"age": "0 day, 00:01:37"``) are the one field that moves without a change: a kept reading has
them advanced by the time since it was taken, so a reply is what a new reading would say.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time

from fabric.twins.frr import run

log = logging.getLogger(__name__)

# lldpcli subscribes to lldpd's notifications only once it has connected: a reading taken before
# that could miss a change made in between, so a watch's first second's readings are not kept.
WARMUP = 1.0
RESTART = 2.0
_AGE = re.compile(r'"age": ?"(\d+) days?, (\d+):(\d\d):(\d\d)"')


class _Table:
    def __init__(self, sock: str) -> None:
        self.sock = sock
        self.changes = 0  # bumped on every notification and when the watch ends
        self.kept: tuple[float, str] | None = None  # (monotonic time read, lldpcli's JSON)
        self.proc: asyncio.subprocess.Process | None = None
        self.started = -RESTART
        self.task: asyncio.Task[None] | None = None

    async def watch(self) -> None:
        # a watch that ended (lldpd not up yet, or restarting) is restarted at most once per RESTART s
        if self.proc is not None or time.monotonic() - self.started < RESTART:
            return
        try:
            self.proc = await asyncio.create_subprocess_exec(
                "lldpcli", "-u", self.sock, "-f", "json0", "watch",
                stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL)
        except OSError as e:
            log.debug("lldpcli watch %s: %s", self.sock, e)
            return
        self.started = time.monotonic()
        self.task = asyncio.create_task(self._follow(self.proc))

    async def _follow(self, proc: asyncio.subprocess.Process) -> None:
        assert proc.stdout is not None
        try:
            while await proc.stdout.read(65536):
                self.changes += 1
                self.kept = None
        finally:
            # lldpd gone (lab destroyed, daemon restarted): nothing tells of changes any more
            self.changes += 1
            self.kept = None
            self.proc = None
            if proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
            with contextlib.suppress(Exception):
                await proc.wait()

    async def read(self, timeout: float, ages: bool) -> tuple[int, str, str]:
        now = time.monotonic()
        if self.kept is not None:
            return 0, _aged(self.kept[1], now - self.kept[0]) if ages else self.kept[1], ""
        await self.watch()
        before = self.changes
        rc, out, err = await run("lldpcli", "-u", self.sock, "-f", "json0", "show", "neighbors", "details",
                                 timeout=timeout)
        # kept only if nothing changed while reading and the watch was surely subscribed before it
        if rc == 0 and self.proc is not None and self.changes == before and now - self.started >= WARMUP:
            self.kept = (now, out)
        return rc, out, err

    def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
        if self.task is not None:
            self.task.cancel()


_TABLES: dict[str, _Table] = {}


async def neighbors(sock: str, timeout: float = 5.0, ages: bool = True) -> tuple[int, str, str]:
    """``lldpcli -u SOCK -f json0 show neighbors details``: (exit status, JSON text, stderr).

    ``ages=False``: the caller reads no neighbour age, and a kept reading comes back as the very same
    string, unchanged until the table changes (a memo key for what is built from it)."""
    table = _TABLES.get(sock)
    if table is None:
        table = _TABLES[sock] = _Table(sock)
    return await table.read(timeout, ages)


def stop_all() -> None:
    """Stop every watch (the twin server is shutting down)."""
    for table in _TABLES.values():
        table.stop()
    _TABLES.clear()


def _aged(text: str, elapsed: float) -> str:
    step = int(elapsed)
    if step <= 0:
        return text

    def bump(m: re.Match[str]) -> str:
        d, h, mi, s = (int(x) for x in m.groups())
        t = d * 86400 + h * 3600 + mi * 60 + s + step
        days = t // 86400  # lldpcli: "0 day", "1 day", "2 days"
        clock = f"{t % 86400 // 3600:02d}:{t % 3600 // 60:02d}:{t % 60:02d}"
        return f'"age": "{days} day{"s" if days > 1 else ""}, {clock}"'

    return _AGE.sub(bump, text)
