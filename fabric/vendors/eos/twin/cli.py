"""The EOS SSH CLI: prompts, echo (asyncssh line editor), modes, error text."""

from __future__ import annotations

import contextlib
import json
import logging
from typing import TYPE_CHECKING

import asyncssh

from fabric.vendors.eos.twin.session import CommandError, Context

if TYPE_CHECKING:
    from fabric.vendors.eos.twin.twin import EosTwin

log = logging.getLogger(__name__)


async def run_shell(twin: EosTwin, process: asyncssh.SSHServerProcess) -> None:  # type: ignore[type-arg]
    # Privilege-15 users (cEOS admin) land directly in privileged exec mode.
    ctx = Context(privileged=True, cli=True)
    out = process.stdout
    try:
        if process.command:  # "ssh host 'show version'": run one command, no prompt
            out.write(await _one(twin, ctx, process.command))
            process.exit(0)
            return
        out.write("\n" + twin.prompt(ctx))
        while True:
            line = await process.stdin.readline()
            if not line:
                break
            cmd = line.strip()
            low = cmd.lower()
            if low in ("exit", "logout", "quit") and ctx.config is None:
                break
            if cmd:
                out.write(await _one(twin, ctx, cmd))
            out.write(twin.prompt(ctx))
    except (asyncssh.BreakReceived, asyncssh.TerminalSizeChanged):
        pass
    except (asyncssh.Error, ConnectionError, BrokenPipeError) as e:
        log.debug("%s: ssh session ended: %s", twin.name, e)
    finally:
        if ctx.config is not None:
            await twin._leave_config(ctx)
        await twin.finish(ctx)
        with contextlib.suppress(OSError, asyncssh.Error):
            process.exit(0)


async def _one(twin: EosTwin, ctx: Context, cmd: str) -> str:
    try:
        res = await twin.execute(ctx, cmd, "text")
    except CommandError as e:
        return f"% {e.message}\n"
    if isinstance(res, dict):
        text = json.dumps(res, indent=2) if res else "{\n}"
        return text + "\n"
    if ctx.config is None and cmd.lower() in ("end", "exit"):
        await twin.finish(ctx)
    if res and not res.endswith("\n"):
        res += "\n"
    return res
