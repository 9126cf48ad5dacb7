"""Helpers the vendor twin tests share (imported as a plain module, like _skip): serving a twin's real
servers on 127.0.0.1 without a lab, and polling for a condition with a bound instead of sleeping."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest


def poll(cond: Callable[[], bool], bound: float = 10.0) -> None:
    """Wait (briefly, often) until ``cond()`` holds; fail the test after ``bound`` seconds."""
    deadline = time.monotonic() + bound
    while not cond():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


def wait_for(what: str, fn: Callable[[], bool], timeout: float, every: float = 0.5) -> None:
    """``poll`` for lab conditions (protocol timers set the pace): fails naming what never happened."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if fn():
            return
        time.sleep(every)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


@contextmanager
def serve_twin(twin: Any, tls: Any = None) -> Iterator[tuple[asyncio.AbstractEventLoop, list[int]]]:
    """Boot ``twin`` and serve it (``fabric.twins.server.start_node``, the real server code) in an asyncio
    loop on a background thread; yields the loop and the bound ports in start_node's order. Everything
    is stopped afterwards, also when the test fails."""
    import asyncssh

    from fabric.twins.server import start_node

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    async def start() -> list[Any]:
        twin.load()
        await twin.apply_boot()
        key = asyncssh.generate_private_key("ssh-ed25519")
        return await start_node(twin, key, tls)

    servers = asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=30)
    try:
        yield loop, [s.sockets[0].getsockname()[1] for s in servers]
    finally:

        async def stop() -> None:
            for s in servers:
                s.close()
            for s in servers:
                await s.wait_closed()
            for t in asyncio.all_tasks():
                if t is not asyncio.current_task():
                    t.cancel()

        asyncio.run_coroutine_threadsafe(stop(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        loop.close()


def running_configs(ro: Any) -> dict[str, str]:
    """Every device's running config of a rollout's fabric, read and normalised through its driver."""
    from fabric.rollout.drivers import driver_for

    out = {}
    for h in sorted(ro.fab.devices):
        d = driver_for(ro._targets[h])
        try:
            out[h] = d.normalise_config(d.running())
        finally:
            d.close()
    return out
