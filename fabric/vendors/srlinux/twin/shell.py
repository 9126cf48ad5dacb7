"""The SR Linux CLI on SSH port 22, as scrapli (``nokia_srlinux``), netmiko (``nokia_srl``) and people
drive it: the login banner, the two-line prompt (``--{ <flags> <mode> }--[ <context> ]--`` then
``A:<host># ``), contexts, candidates, commits and pipes (``| as json``, ``| grep``, ``| head``, ``| tail``,
``| wc -l``, ``| more``). The commands themselves run in ``cli.CliSession``, the same code as the JSON-RPC
``cli`` method, so both ways of configuring share one transaction model (``session.py``).

Prompt flags as SR Linux sets them: ``+`` running differs from startup (``save startup`` clears it),
``!`` another session committed since this candidate started, ``*`` the candidate has uncommitted
changes. ``environment ...`` commands (the clients' ``cli-engine type basic``, ``complete-on-space
false``) are accepted and change nothing: the twin has no completion or toolbar to turn off.
"""

from __future__ import annotations

import json
import logging
import re
from typing import TYPE_CHECKING, Any

import asyncssh
from asyncssh.misc import SoftEOFReceived

from fabric.vendors.srlinux.twin.cli import CliSession
from fabric.vendors.srlinux.twin.config import ConfigError, _unknown, tokens

if TYPE_CHECKING:
    from fabric.vendors.srlinux.twin.twin import SrlinuxTwin

log = logging.getLogger(__name__)

# what the CLI prints after login (24.10; the SSH pre-auth banner is the server's, not the CLI's)
BANNER = ("Loading environment configuration file(s): ['/etc/opt/srlinux/srlinux.rc']\n"
          "Welcome to the srlinux CLI.\n"
          "Type 'help' (and press <ENTER>) if you need any help using this.\n")
PIPES = ("as", "grep", "head", "more", "tail", "wc")


def split_pipes(line: str) -> list[str]:
    """``cmd | grep x | head`` -> its stages; a ``|`` inside quotes is part of a word."""
    stages, cur, quote = [], "", ""
    for c in line:
        if quote:
            quote = "" if c == quote else quote
        elif c in "\"'":
            quote = c
        elif c == "|":
            stages.append(cur.strip())
            cur = ""
            continue
        cur += c
    return [*stages, cur.strip()]


def _filter(text: str, stage: list[str]) -> str:
    """One text pipe stage (SR Linux hands these to the Linux tools of the same name)."""
    verb, args = stage[0], stage[1:]
    lines = text.splitlines()
    if verb == "more":
        return text
    if verb == "grep":
        flags = [a for a in args if a.startswith("-")]
        words = [a for a in args if not a.startswith("-")]
        if not words:
            raise ConfigError("Parsing error: Incomplete command: grep needs a pattern")
        try:
            rx = re.compile(words[0], re.I if any("i" in f for f in flags) else 0)
        except re.error as e:
            raise ConfigError(f"grep: {e}") from None
        invert = any("v" in f for f in flags)
        lines = [ln for ln in lines if bool(rx.search(ln)) != invert]
    elif verb in ("head", "tail"):
        n = 10
        for i, a in enumerate(args):
            if a == "-n" and i + 1 < len(args) and args[i + 1].isdigit():
                n = int(args[i + 1])
            elif a.lstrip("-").isdigit():
                n = int(a.lstrip("-"))
        lines = lines[:n] if verb == "head" else lines[-n:] if n else []
    elif verb == "wc":
        return f"{len(lines)}\n" if "-l" in args else f"{len(lines)} {len(text.split())} {len(text)}\n"
    return "".join(ln + "\n" for ln in lines)


class Shell:
    """One interactive CLI session over SSH."""

    def __init__(self, twin: SrlinuxTwin, process: Any) -> None:
        self.twin = twin
        self.process = process
        self.out = process.stdout
        self.user: str = process.get_extra_info("username") or twin.username
        self.cli = CliSession(twin, self.user)
        self.quit = False

    # ---- the prompt ------------------------------------------------------------------------------
    def mode(self) -> str:
        cand = self.cli.cand
        if cand is None:
            return "running"
        if cand.kind == "exclusive":
            return "candidate shared-exclusive default"  # as scrapli-community's recorded prompts show it
        if cand.kind == "private":
            return f"candidate private {cand.name if cand.named else 'private-' + self.user}"
        return f"candidate {cand.kind} {cand.name}"

    def flags(self) -> str:
        store, cand = self.twin.store, self.cli.cand
        out = "+" if store.startup is not None and store.running != store.startup else ""
        if cand is not None:
            out += "!" if cand.base != store.running else ""
            out += "*" if cand.modified() else ""
        return out

    def prompt(self) -> str:
        flags = self.flags()
        ctx = " ".join(_word(w) for w in self.cli._words())
        return (f"--{{ {flags + ' ' if flags else ''}{self.mode()} }}--[ {ctx} ]--\n"
                f"A:{self.twin.hostname}# ")

    # ---- one command -------------------------------------------------------------------------------
    async def execute(self, line: str) -> str:
        """The output of one command line (errors in SR Linux's words), without the prompt."""
        try:
            return await self._execute(line)
        except ConfigError as e:
            return e.message + "\n"
        except Exception as e:  # noqa: BLE001 - a twin bug must not end the session; the log has it
            log.exception("srlinux twin %s: cli command failed", self.twin.name)
            return f"Error: {e}\n"

    async def _execute(self, line: str) -> str:
        stages = split_pipes(line)
        cmd, pipes = stages[0], [tokens(s) for s in stages[1:]]
        words = cmd.split()
        if not words:
            return ""
        verb = words[0]
        if verb == "environment":
            return ""
        if verb in ("quit", "logout"):
            self.quit = True
            return ""
        for p in pipes:
            if not p or p[0] not in PIPES:
                raise _unknown(p[0] if p else "|", PIPES)
            if p[0] == "as" and p[1:] not in (["json"], ["text"]):
                raise _unknown(p[1] if len(p) > 1 else "as", ["json", "table", "text"])
        as_json = bool(pipes) and pipes[0] == ["as", "json"]
        text_pipes = [p for p in pipes if p[0] != "as"]
        was_candidate = self.cli.cand is not None
        result = await self.cli.run(cmd, "json" if as_json else "text")
        if as_json:
            text = json.dumps(result, indent=2) + "\n" if verb in ("info", "show") else ""
        else:
            text = str(result.get("text", "")) if isinstance(result, dict) else str(result)
        if verb == "commit" and was_candidate and words[1:2] != ["validate"]:
            # wording as SR Linux prints it after a successful commit
            text += ("All changes have been committed. "
                     + ("Starting new transaction.\n" if self.cli.cand is not None
                        else "Leaving candidate mode.\n"))
        for p in text_pipes:
            text = _filter(text, p)
        return text

    # ---- the session ------------------------------------------------------------------------------
    async def run(self) -> None:
        if self.process.command:  # ``ssh host "show version"``: one command, no prompt
            out = await self.execute(self.process.command.strip())
            self.out.write(out)
            self.process.exit(1 if out.startswith(("Error", "Parsing error")) else 0)
            return
        self.out.write(BANNER + self.prompt())
        while not self.quit:
            try:
                raw = await self.process.stdin.readline()
            except (asyncssh.BreakReceived, asyncssh.SignalReceived, SoftEOFReceived):
                self.out.write("\n" + self.prompt())  # Ctrl-C: a fresh prompt, as on the device
                continue
            except asyncssh.TerminalSizeChanged:
                continue
            if not raw:
                break
            out = await self.execute(raw.rstrip("\r\n"))
            if self.quit:
                break
            # SR Linux leaves an empty line between a command's output and the next prompt
            self.out.write(out + "\n" + self.prompt())


def _word(w: str) -> str:
    return f'"{w}"' if not w or any(c.isspace() for c in w) else w


async def serve_shell(twin: SrlinuxTwin, process: Any) -> None:
    """One SSH session of the SR Linux CLI (an asyncssh server process: text, line editor)."""
    sh = Shell(twin, process)
    # unnamed private and exclusive candidates end with their session
    await twin.serve_session(sh.run, sh.cli.close, process, "cli")
