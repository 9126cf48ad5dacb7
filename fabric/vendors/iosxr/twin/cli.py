"""The IOS-XR CLI on SSH port 22: EXEC (``RP/0/RP0/CPU0:host#``) and configuration mode with its parser
sub-modes (``RP/0/RP0/CPU0:host(config-bgp-nbr)#``), XR's two-stage commit (a target configuration per
session, ``commit``, ``commit confirmed``, ``commit replace`` and its question, ``abort``), rollback,
XR's messages, carets and pipes, so that scrapli (cisco_iosxr, scrapli-cfg), netmiko (cisco_xr) and people
drive the twin as they drive an XRd. Configuration goes through the commit database shared with NETCONF
(``session.py``); protocol state comes from ``oper.show`` (``oper.py``), looked up when used.

XR facts this follows (recorded from real XR 6.x-24.x sessions): every executed EXEC command, and ``commit``
and ``show`` in configuration mode, prints a timestamp line first (``Wed Dec  2 16:20:00.123 UTC``) unless
``terminal exec prompt no-timestamp``; configuration lines print nothing; a pipe filters the command's
body, not the timestamp or ``Building configuration...``; the caret of ``% Invalid input`` counts the
prompt; a configuration session's target starts empty (``show configuration`` is the uncommitted
changes) and ``commit replace`` makes it the whole running configuration.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import logging
import re
import time
from typing import TYPE_CHECKING, Any

import asyncssh
from asyncssh.misc import SoftEOFReceived

from fabric.vendors.iosxr.twin.config import XR_VERSION, Config, ConfigError, Editor, InvalidInput, Node, diff

if TYPE_CHECKING:
    from fabric.vendors.iosxr.twin.twin import IosxrTwin

log = logging.getLogger(__name__)

NODE = "RP/0/RP0/CPU0:"  # the route processor the CLI runs on, as XR prefixes every prompt
INVALID = "% Invalid input detected at '^' marker."
INCOMPLETE = "% Incomplete command."
REPLACE_Q = ("This commit will replace or remove the entire running configuration. This\n"
             "operation can be service affecting.\nDo you wish to proceed? [no]: ")
UNCOMMITTED_Q = "Uncommitted changes found, commit them before exiting(yes/no/cancel)? [cancel]:"
TRIAL_EXIT_Q = ("\nYou are exiting after a 'commit confirm' with an active rollback session.  If you exit "
                "the configuration awaiting confirmation will not be confirmed and the router will "
                "immediately rollback to the previous configuration.\nDo you wish to exit? [no]: ")
NO_CHANGES = "No configuration changes to commit.\n"
CONFIRMING = "% Confirming commit for trial session.\n"
NO_ITEMS = "% No such configuration item(s)\n"

# EXEC verbs of XR (for unique-prefix expansion and ambiguity); the twin models the first group, the
# others are real commands it answers as not supported (the invalid-input caret under the verb).
EXEC_MODELLED = ("configure", "exit", "logout", "rollback", "show", "terminal")
EXEC_OTHER = ("admin", "bash", "cd", "clear", "clock", "copy", "debug", "delete", "describe", "dir",
              "environment", "hw-module", "install", "mkdir", "monitor", "ping", "process", "reload", "run",
              "ssh", "telnet", "traceroute", "undebug", "upgrade", "utility", "who")
EXEC_VERBS = EXEC_MODELLED + EXEC_OTHER
PIPES = ("begin", "exclude", "file", "include", "utility")

# ``show`` words the twin knows (expansion of unique prefixes, caret placement); ``*`` is an argument
# (address, interface, instance). State commands are answered by oper.show with the expanded words.
_NBR: dict[str, Any] = {"*": {"detail": {}}, "detail": {}, "brief": {}}
SHOW_TREE: dict[str, Any] = {
    "running-config": None,  # handled here: any section words follow
    "configuration": None,
    "version": {"brief": {}},
    "clock": {},
    "bgp": {"summary": {}, "neighbor": _NBR, "neighbors": _NBR,
            "ipv4": {"unicast": {"summary": {}, "neighbors": _NBR, "neighbor": _NBR}},
            "vrf": {"*": {"summary": {}, "neighbors": _NBR, "ipv4": {"unicast": {"summary": {}}}}}},
    "isis": {"adjacency": {"detail": {}}, "neighbors": {"detail": {}}, "interface": {"brief": {}},
             "database": {"detail": {}}},
    "ospf": {"neighbor": {"detail": {}}, "interface": {"brief": {}}, "database": {}},
    "lldp": {"neighbors": {"detail": {}}, "interface": {}},
    "interfaces": {"brief": {}, "description": {}, "summary": {}, "*": {"brief": {}}},
    "ipv4": {"interface": {"brief": {}, "*": {}}, "vrf": {"*": {"interface": {"brief": {}}}}},
    "route": {"summary": {}, "ipv4": {"summary": {}, "*": {}}, "*": {}},
    "bfd": {"session": {"detail": {}}, "sessions": {"detail": {}}, "neighbors": {"detail": {}}},
    "arp": {},
    "ipv6": {"interface": {"brief": {}}},
    "vrf": {"all": {}, "*": {}},
    "inventory": {},
    "platform": {},
    "users": {},
    "processes": {"cpu": {}, "memory": {}},
    "memory": {"summary": {}},
}


class CliFail(Exception):
    """A message the CLI prints instead of output (already in XR's words, ends with a newline)."""


def _stamp(now: float | None = None) -> str:
    """XR's command timestamp: ``Wed Dec  2 16:20:00.123 UTC`` (day padded to two columns)."""
    now = time.time() if now is None else now
    t = time.gmtime(now)
    ms = int(now * 1000) % 1000
    return f"{time.strftime('%a %b', t)} {t.tm_mday:2d} {time.strftime('%H:%M:%S', t)}.{ms:03d} UTC"


def _words(line: str) -> list[tuple[str, int]]:
    return [(m.group(), m.start()) for m in re.finditer(r"\S+", line)]


def _expand(word: str, choices: tuple[str, ...] | list[str]) -> tuple[str | None, list[str]]:
    """XR takes any unique prefix of a keyword (case-insensitive): (the keyword or None, the candidates)."""
    w = word.lower()
    if w in choices:
        return w, [w]
    hits = [c for c in choices if c.startswith(w)]
    return (hits[0] if len(hits) == 1 else None), hits


def _filter(text: str, pipes: list[tuple[str, str]]) -> str:
    """``| include/exclude/begin <regex>`` on the command's body, in order."""
    lines = text.splitlines()
    for verb, arg in pipes:
        rx = re.compile(arg)
        if verb == "include":
            lines = [ln for ln in lines if rx.search(ln)]
        elif verb == "exclude":
            lines = [ln for ln in lines if not rx.search(ln)]
        elif verb == "begin":
            first = next((i for i, ln in enumerate(lines) if rx.search(ln)), len(lines))
            lines = lines[first:]
    return "".join(ln + "\n" for ln in lines)


class CliSession:
    def __init__(self, twin: IosxrTwin, process: Any) -> None:
        self.twin = twin
        self.process = process
        self.out = process.stdout
        self.user: str = process.get_extra_info("username") or twin.username
        self.sid = twin.new_session_id()
        self.vty = f"vty{self.sid % 100}"
        self.timestamps = True  # ``terminal exec prompt no-timestamp`` turns them off
        self.sess: Any = None  # the configuration session (its target), None in EXEC mode
        self.new_buffer()  # what this configuration session typed (XR's target buffer)
        self.exclusive = False
        self.armed = False  # this session's ``commit confirmed`` is the pending trial
        self.since = time.time()
        self.quit = False

    @property
    def db(self) -> Any:
        return self.twin.db

    # ---- prompts and questions -------------------------------------------------------------------
    def prompt(self) -> str:
        host = self.twin.hostname
        if self.sess is None:
            return f"{NODE}{host}#"
        return f"{NODE}{host}({self.sess.editor.prompt_mode()})#"

    def ts(self) -> str:
        return _stamp() + "\n" if self.timestamps else ""

    async def ask(self, question: str) -> str:
        self.out.write(question)
        try:
            return (await self.process.stdin.readline()).strip().lower()
        except (asyncssh.BreakReceived, asyncssh.SignalReceived, SoftEOFReceived):
            self.out.write("\n")
            return ""

    @staticmethod
    def caret(width: int, col: int) -> str:
        return " " * (width + col) + "^\n" + INVALID + "\n"

    # ---- the session ---------------------------------------------------------------------------
    async def run(self) -> None:
        if self.process.command:  # ``ssh host "show version"``: one command, no prompt
            self.out.write(await self.exec(self.process.command.strip(), 0))
            return
        self.out.write("\n" + self.prompt())
        while not self.quit:
            try:
                raw = await self.process.stdin.readline()
            except (asyncssh.BreakReceived, asyncssh.SignalReceived, SoftEOFReceived):
                self.out.write("\n" + self.prompt())
                continue
            except asyncssh.TerminalSizeChanged:
                continue
            if not raw:
                break
            line = raw.rstrip("\r\n")
            width = len(self.prompt())
            if not line.strip():
                self.out.write(self.prompt())
                continue
            text = await (self.exec(line, width) if self.sess is None else self.config(line, width))
            self.out.write(text)
            if not self.quit:
                self.out.write(self.prompt())

    def end(self) -> None:
        """The connection is gone: XR drops the session's uncommitted target and its exclusive lock (a
        pending confirmed commit keeps its timer)."""
        if self.sess is not None:
            self.leave_config()

    # ---- EXEC mode -------------------------------------------------------------------------------
    async def exec(self, line: str, width: int) -> str:
        try:
            return await self._exec(line, width)
        except CliFail as e:
            return str(e)

    def _verb(self, word: str, col: int, choices: tuple[str, ...], width: int, line: str) -> str:
        verb, hits = _expand(word, choices)
        if verb is not None:
            return verb
        if hits:
            raise CliFail(f'% Ambiguous command:  "{line.strip()}"\n')
        raise CliFail(self.caret(width, col))

    def _split_pipes(self, line: str, width: int) -> tuple[str, list[tuple[str, str]]]:
        """The command and its ``| include X`` pipes (XR: a pipe's argument is the rest of the segment)."""
        parts = line.split("|")
        cmd = parts[0]
        pipes: list[tuple[str, str]] = []
        col = len(cmd) + 1
        for seg in parts[1:]:
            ws = _words(seg)
            if not ws:
                raise CliFail(INCOMPLETE + "\n")
            verb = self._verb(ws[0][0], col + ws[0][1], PIPES, width, line)
            if verb in ("file", "utility"):
                raise CliFail(self.caret(width, col + ws[0][1]))
            if len(ws) < 2:
                raise CliFail(INCOMPLETE + "\n")
            arg = seg[ws[1][1]:].strip()
            try:
                re.compile(arg)
            except re.error:
                raise CliFail(self.caret(width, col + ws[1][1])) from None
            pipes.append((verb, arg))
            col += len(seg) + 1
        return cmd, pipes

    async def _exec(self, line: str, width: int) -> str:
        cmd, pipes = self._split_pipes(line, width)
        words = _words(cmd)
        if not words:
            raise CliFail(self.caret(width, 0))
        verb = self._verb(words[0][0], words[0][1], EXEC_VERBS, width, line)
        args = words[1:]
        if verb not in EXEC_MODELLED:
            raise CliFail(self.caret(width, words[0][1]))
        if verb in ("exit", "logout"):
            if args:
                raise CliFail(self.caret(width, args[0][1]))
            self.quit = True
            return ""
        if verb == "terminal":
            return self.terminal(args, width, line)
        if verb == "configure":
            return await self.enter_config(args, width, line)
        if verb == "rollback":
            return await self.rollback(args, width, line)
        if not args:
            raise CliFail(INCOMPLETE + "\n")
        return await self.show(args, pipes, width, line, config_mode=False)

    def terminal(self, args: list[tuple[str, int]], width: int, line: str) -> str:
        if not args:
            raise CliFail(INCOMPLETE + "\n")
        opt = self._verb(args[0][0], args[0][1], ("length", "width", "exec", "monitor", "no"), width, line)
        rest = args[1:]
        if opt in ("length", "width"):
            hi = 512 if opt == "length" else 512
            if not rest:
                raise CliFail(INCOMPLETE + "\n")
            if not rest[0][0].isdigit() or int(rest[0][0]) > hi or len(rest) > 1:
                raise CliFail(self.caret(width, (rest[1] if rest[0][0].isdigit() and len(rest) > 1
                                                 else rest[0])[1]))
        elif opt == "exec":
            # ``terminal exec prompt no-timestamp`` / ``timestamp``
            if len(rest) < 2:
                raise CliFail(INCOMPLETE + "\n")
            self._verb(rest[0][0], rest[0][1], ("prompt",), width, line)
            kind = self._verb(rest[1][0], rest[1][1], ("no-timestamp", "timestamp"), width, line)
            self.timestamps = kind == "timestamp"
        elif opt == "no":
            if not rest:
                raise CliFail(INCOMPLETE + "\n")
            self._verb(rest[0][0], rest[0][1], ("monitor",), width, line)
        return self.ts()

    # ---- show ------------------------------------------------------------------------------------
    async def show(self, args: list[tuple[str, int]], pipes: list[tuple[str, str]], width: int, line: str,
                   config_mode: bool) -> str:
        first = self._verb(args[0][0], args[0][1], tuple(SHOW_TREE), width, line) if args else ""
        if first == "running-config":
            return self.ts() + self.running_config([w for w, _ in args[1:]], pipes)
        if first == "configuration":
            return await self.show_configuration(args[1:], pipes, width, line)
        if first == "version" and len(args) == 1:
            return self.ts() + _filter(self.version(), pipes)
        if first == "clock" and len(args) == 1:
            now = time.time()
            t = time.gmtime(now)
            body = (f"{time.strftime('%H:%M:%S', t)}.{int(now * 1000) % 1000:03d} UTC "
                    f"{time.strftime('%a %b', t)} {t.tm_mday} {t.tm_year}\n")
            return self.ts() + _filter(body, pipes)
        if config_mode:
            # configuration mode has only the configuration show commands; the rest needs ``do``
            raise CliFail(self.caret(width, args[0][1]))
        words, bad = self._expand_show(args, width, line)
        text = await self._oper(" ".join(["show", *words]))
        if text is None:
            raise CliFail(self.caret(width, bad))
        return self.ts() + _filter(text, pipes)

    def _expand_show(self, args: list[tuple[str, int]], width: int, line: str) -> tuple[list[str], int]:
        """Expand the unique prefixes of known ``show`` words; the caret column for the first word the
        tree does not know (where XR's parser would stop), or the last word."""
        node: Any = SHOW_TREE
        out: list[str] = []
        bad: int | None = None
        for w, col in args:
            if isinstance(node, dict) and node:
                keys = tuple(k for k in node if k != "*")
                hit, hits = _expand(w, keys)
                if hit is not None:
                    out.append(hit)
                    node = node[hit]
                    continue
                if len(hits) > 1 and "*" not in node:
                    raise CliFail(f'% Ambiguous command:  "{line.strip()}"\n')
                if "*" in node:
                    out.append(w)
                    node = node["*"]
                    continue
            if bad is None:  # the first word off the tree
                bad = col
            out.append(w)
            node = None
        if bad is None:
            bad = args[-1][1] if args else 0
        return out, bad

    async def _oper(self, command: str) -> str | None:
        """``oper.show`` (another module; absent, OperError or a bug = not modelled, XR's invalid input)."""
        try:
            mod = importlib.import_module("fabric.vendors.iosxr.twin.oper")
        except ImportError:
            return None
        fn = getattr(mod, "show", None)
        err = getattr(mod, "OperError", None)
        if fn is None:
            return None
        try:
            text = await fn(self.twin, command)
        except Exception as e:
            if err is None or not isinstance(e, err):  # a bug there must not end the session
                log.exception("iosxr twin %s: %r failed", self.twin.name, command)
            return None
        if text is None:
            return None
        return text if text.endswith("\n") or not text else text + "\n"

    def version(self) -> str:
        t = self.twin
        up = int(time.time() - t.boot_time)
        days, rem = divmod(up, 86400)
        hours, rem = divmod(rem, 3600)
        minutes = rem // 60
        parts = [f"{n} {u}{'s' if n != 1 else ''}" for n, u in ((days, "day"), (hours, "hour"),
                                                               (minutes, "minute")) if n]
        uptime = " ".join(parts) or "0 minutes"
        return (f"Cisco IOS XR Software, Version {XR_VERSION} LNT\n"
                "Copyright (c) 2013-2024 by Cisco Systems, Inc.\n\n"
                "Build Information:\n"
                " Built By     : swtools\n"
                " Built On     : Thu Feb 22 10:56:39 UTC 2024\n"
                " Build Host   : iox-lnx-064\n"
                f" Workspace    : /auto/srcarchive17/prod/{XR_VERSION}/xrd-control-plane/ws\n"
                f" Version      : {XR_VERSION}\n"
                f" Label        : {XR_VERSION}\n\n"
                f"cisco {t.model} () processor\n"
                f"System uptime is {uptime}\n\n")

    def header(self, last_change: bool) -> str:
        out = f"Building configuration...\n!! IOS XR Configuration {XR_VERSION}\n"
        if last_change:
            db = self.db
            if db.history:
                c = db.history[-1]
                when, who = c.time, c.user
            else:  # the startup configuration, applied when the router booted
                when, who = self.twin.boot_time, "SYSTEM"
            g = time.gmtime(when)
            stamp = f"{time.strftime('%a %b', g)} {g.tm_mday:2d} {time.strftime('%H:%M:%S %Y', g)}"
            out += f"!! Last configuration change at {stamp} by {who}\n"
        return out

    def running_config(self, section: list[str], pipes: list[tuple[str, str]]) -> str:
        """``show running-config [section]``: the whole configuration with XR's header, or the blocks of
        a section (no header then, and ``% No such configuration item(s)`` when there is none). The
        pipes filter the configuration, not the ``Building configuration...`` line (as XR)."""
        conf = self.db.running
        if not section:
            building, rest = self.header(True).split("\n", 1)
            return building + "\n" + _filter(rest + "!\n" + conf.text(header=False) + "\n", pipes)
        body = conf.section(section)
        if not body.strip():
            return NO_ITEMS + "\n"
        return _filter(body + "\n", pipes)

    async def show_configuration(self, args: list[tuple[str, int]], pipes: list[tuple[str, str]],
                                 width: int, line: str) -> str:
        in_config = self.sess is not None
        subs = ("commit", "failed", "sessions", "running", "merge", "changes", "history", "lock",
                "rollback", "inconsistency")
        if not args:
            if not in_config:
                raise CliFail(INCOMPLETE + "\n")
            return self.ts() + self.target_text(pipes)
        sub = self._verb(args[0][0], args[0][1], subs, width, line)
        rest = args[1:]
        db = self.db
        if sub == "commit":
            if not rest:
                raise CliFail(INCOMPLETE + "\n")
            what = self._verb(rest[0][0], rest[0][1], ("list", "changes"), width, line)
            more = rest[1:]
            if what == "list":
                n: int | None = None
                detail = False
                for w, col in more:
                    if w.isdigit() and n is None and not detail:
                        n = int(w)
                    elif _expand(w, ("detail",))[0]:
                        detail = True
                    else:
                        raise CliFail(self.caret(width, col))
                return self.ts() + _filter(self._commit_list(n, detail), pipes)
            if not more:
                raise CliFail(INCOMPLETE + "\n")
            cid = more[0][0]
            if _expand(cid, ("last",))[0] == "last" and len(more) == 2 and more[1][0].isdigit():
                k = int(more[1][0])
                hist = db.history
                if not 1 <= k <= len(hist):
                    raise CliFail(self.caret(width, more[1][1]))
                cid = hist[-k].id
            elif len(more) > 1:
                raise CliFail(self.caret(width, more[1][1]))
            try:
                text = db.commit_changes(cid)
            except ConfigError as e:
                return self.ts() + e.message.rstrip("\n") + "\n"
            return self.ts() + _filter(text, pipes)
        if sub == "sessions":
            return self.ts() + _filter(self._sessions(), pipes)
        if not in_config and sub in ("running", "merge", "changes", "failed"):
            raise CliFail(self.caret(width, args[0][1]))
        if sub == "running":
            return self.ts() + self.running_config([w for w, _ in rest], pipes)
        if sub == "merge":
            text = self.sess.target.text(header=False)
            return self.ts() + _filter(self.header(False) + text + "\n", pipes)
        if sub == "changes":  # ``show configuration changes diff``: a ``commit replace`` preview
            if not rest or _expand(rest[0][0], ("diff",))[0] != "diff":
                raise CliFail(INCOMPLETE + "\n" if not rest else self.caret(width, rest[0][1]))
            body = diff(self.db.running, self.buf.target)
            return self.ts() + _filter(self.header(False) + body + "end\n\n", pipes)
        if sub == "failed":
            failed = getattr(self.sess, "failed", None)
            if not failed:
                return self.ts() + NO_ITEMS
            return self.ts() + _filter(str(failed).rstrip("\n") + "\n", pipes)
        raise CliFail(self.caret(width, args[0][1]))

    def _commit_list(self, n: int | None, detail: bool) -> str:
        if not detail:
            return str(self.db.commit_list(n))
        hist = list(reversed(self.db.history))[:n]
        if not hist:
            return "The commit database is empty.\n"
        out = []
        for i, c in enumerate(hist, 1):
            when = time.strftime("%a %b", time.gmtime(c.time)) + f" {time.gmtime(c.time).tm_mday:2d} " + \
                time.strftime("%H:%M:%S %Y", time.gmtime(c.time))
            out.append(f"\n{i:>4}) CommitId: {c.id:<24}Label: {c.label or 'NONE'}\n"
                       f"      UserId:   {c.user:<24}Line:  {c.line}\n"
                       f"      Client:   {c.client:<24}Time:  {when}\n"
                       f"      Comment:  {c.comment or 'NONE'}\n")
        return "".join(out)

    def _sessions(self) -> str:
        """``show configuration sessions``: the open configuration sessions, ``*`` on the lock holder."""
        rows = []
        for s in self.db.sessions:
            when = time.gmtime(s.since)
            date = f"{time.strftime('%a %b', when)} {when.tm_mday:2d} {time.strftime('%H:%M:%S %Y', when)}"
            line = (s.line or "").split(":")[0]
            lock = " *" if self.db.lock_owner is s else ""
            rows.append(f"00001000-{id(s) & 0xFFFFFFFF:08x}-00000000     {line:<11}{s.user:<9}{date}{lock}")
        if not rows:
            return ""
        return ("Current Configuration Session  Line       User     Date                     Lock\n"
                + "".join(r + "\n" for r in rows))

    # ---- the target configuration ------------------------------------------------------------------
    def target_text(self, pipes: list[tuple[str, str]]) -> str:
        """``show configuration`` in configuration mode: what this session typed (XR's target buffer)."""
        return _filter(self.header(False) + self.buf.target.text(header=False) + "\n", pipes)

    def new_buffer(self) -> None:
        """XR's target buffer of a configuration session starts empty (``configure`` does not copy the
        running configuration into it): ``show configuration`` lists what was typed, and ``commit
        replace`` makes exactly that the running configuration."""
        self.buf = Editor(Config())
        self.detached: list[Node] = []

    # ---- configuration mode ------------------------------------------------------------------------
    async def enter_config(self, args: list[tuple[str, int]], width: int, line: str) -> str:
        exclusive = False
        if args:
            kind = self._verb(args[0][0], args[0][1], ("terminal", "exclusive"), width, line)
            if len(args) > 1:
                raise CliFail(self.caret(width, args[1][1]))
            exclusive = kind == "exclusive"
        sess = self.db.session(self.user, "CLI")
        sess.line = f"{self.vty}:node0_RP0_CPU0"  # the commit list's Line column
        if exclusive:
            try:
                self.db.lock_exclusive(sess)
            except ConfigError:
                self._close(sess)
                return (self.ts() + self._sessions() + "Cannot enter exclusive mode. "
                        "The Configuration Namespace is locked by another agent.\n")
        self.sess, self.exclusive = sess, exclusive
        self.new_buffer()
        return self.ts()

    def _close(self, sess: Any) -> None:
        with contextlib.suppress(ConfigError):
            self.db.close(sess)

    def leave_config(self) -> None:
        sess = self.sess
        if sess is None:
            return
        sess.abort()
        self._close(sess)  # the exclusive lock goes with the session
        self.sess, self.exclusive = None, False

    def trial_pending(self) -> bool:
        return self.armed and self.db.pending_confirm is not None

    async def exit_config(self) -> str:
        """``end``, or ``exit`` at the top: XR asks before it drops uncommitted changes, and before it
        leaves a confirmed commit of this session unconfirmed (that rolls it back at once)."""
        if self.sess.changed():
            answer = _expand(await self.ask(UNCOMMITTED_Q), ("yes", "no", "cancel"))[0]
            if answer == "yes":
                out = await self.commit_now()
                if out and out not in (NO_CHANGES, CONFIRMING):  # it failed: XR stays in configuration mode
                    return out
            elif answer != "no":  # cancel, the default
                return ""
        elif self.trial_pending():
            if _expand(await self.ask(TRIAL_EXIT_Q), ("yes", "no"))[0] != "yes":
                return ""
            self.armed = False
            await self._cancel_trial()
        self.leave_config()
        return ""

    async def _cancel_trial(self) -> None:
        res = self.db.cancel_confirmed()
        if inspect.isawaitable(res):
            await res

    async def config(self, line: str, width: int) -> str:
        try:
            return await self._config(line, width)
        except CliFail as e:
            return str(e)

    async def _config(self, line: str, width: int) -> str:
        words = _words(line)
        if not words:
            return ""
        first = words[0][0].lower()
        col0 = words[0][1]
        if first.startswith("!") or first.startswith("#"):
            return ""
        if first == "do":
            if len(words) == 1:
                raise CliFail(INCOMPLETE + "\n")
            return await self.exec(line[words[1][1]:], width + words[1][1])
        # XR's configuration-session commands (any sub-mode); prefixes only where they are unique among
        # them and no configuration keyword shares them (``com`` is ``commit``, ``show`` is ``show``)
        verb = {"commit": "commit", "show": "show", "end": "end", "abort": "abort"}.get(first)
        if verb is None and len(first) >= 3 and "commit".startswith(first):
            verb = "commit"
        if verb is None and len(first) >= 2 and "show".startswith(first):
            verb = "show"
        if verb == "end":
            if len(words) > 1:
                raise CliFail(self.caret(width, words[1][1]))
            return await self.exit_config()
        if verb == "abort":
            if len(words) > 1:
                raise CliFail(self.caret(width, words[1][1]))
            self.leave_config()
            return ""
        if verb == "commit":
            return await self.commit(line, words[1:], width)
        if verb == "show":
            cmd, pipes = self._split_pipes(line, width)
            args = _words(cmd)[1:]
            if not args:
                return self.ts() + self.target_text(pipes)
            w0 = _expand(args[0][0], ("commit",))[0]
            if w0 == "commit":  # ``show commit changes diff``: what a ``commit`` would change
                if len(args) < 3:
                    raise CliFail(INCOMPLETE + "\n")
                self._verb(args[1][0], args[1][1], ("changes",), width, line)
                self._verb(args[2][0], args[2][1], ("diff",), width, line)
                return self.ts() + _filter(self.header(False) + str(self.sess.diff()) + "end\n\n", pipes)
            return await self.show(args, pipes, width, line, config_mode=True)
        if first == "exit" and len(words) == 1 and not self.sess.editor.mode:
            return await self.exit_config()
        if first == "clear" and len(words) == 1:  # XR: discard this session's changes, stay in config mode
            self.sess.abort()
            self.new_buffer()
            return ""
        try:
            feed = getattr(self.sess, "feed", None) or self.sess.editor.feed
            feed(line)
        except InvalidInput as e:
            return self.caret(width, col0 + e.pos)
        except ConfigError as e:
            return e.message.rstrip("\n") + "\n"
        with contextlib.suppress(ConfigError):  # the buffer follows the same parser modes
            self.buf.feed(line)
            if self.detached:
                self.attach()
        return ""

    async def commit(self, line: str, args: list[tuple[str, int]], width: int) -> str:
        """``commit [replace] [best-effort] [confirmed [<30-65535> | minutes <1-1024>]] [label <l>]
        [comment <text>] [force] [show-error]``."""
        replace = False
        confirmed: int | None = None
        comment = label = ""
        i = 0
        opts = ("best-effort", "comment", "confirmed", "force", "label", "replace", "save-running",
                "show-error")
        while i < len(args):
            w, col = args[i]
            opt = _expand(w, opts)[0]
            if opt is None:
                raise CliFail(self.caret(width, col))
            if opt == "replace":
                replace = True
            elif opt == "confirmed":
                confirmed = 60  # XR's default trial: 60 seconds
                nxt = args[i + 1] if i + 1 < len(args) else None
                if nxt is not None and nxt[0].isdigit():
                    confirmed = int(nxt[0])
                    if not 30 <= confirmed <= 65535:
                        raise CliFail(self.caret(width, nxt[1]))
                    i += 1
                elif nxt is not None and _expand(nxt[0], ("minutes",))[0] == "minutes":
                    if i + 2 >= len(args):
                        raise CliFail(INCOMPLETE + "\n")
                    m, mcol = args[i + 2]
                    if not m.isdigit() or not 1 <= int(m) <= 1024:
                        raise CliFail(self.caret(width, mcol))
                    confirmed = int(m) * 60
                    i += 2
            elif opt == "comment":  # the rest of the line (or up to ``label``) is the comment
                if i + 1 >= len(args):
                    raise CliFail(INCOMPLETE + "\n")
                j = i + 1
                while j < len(args) and _expand(args[j][0], ("label",))[0] != "label":
                    j += 1
                end = args[j][1] if j < len(args) else len(line)
                comment = line[args[i + 1][1]:end].strip()
                i = j
                continue
            elif opt == "label":
                if i + 1 >= len(args):
                    raise CliFail(INCOMPLETE + "\n")
                label = args[i + 1][0]
                i += 1
            elif opt == "save-running":
                raise CliFail(self.caret(width, col))
            i += 1
        head = self.ts()
        if replace:
            answer = await self.ask(head + "\n" + REPLACE_Q)
            if _expand(answer, ("yes",))[0] != "yes" or not answer:
                return ""
            head = ""
            # the session's target becomes exactly what this session typed
            self.sess.set_target(self.buf.target.copy(), replace=True)
        return head + await self.commit_now(replace=replace, confirmed=confirmed, comment=comment,
                                            label=label)

    async def commit_now(self, *, replace: bool = False, confirmed: int | None = None,
                         comment: str = "", label: str = "") -> str:
        """Commit this session's target; XR's text for what happened ("" on a plain success)."""
        db = self.db
        trial_before = db.pending_confirm is not None
        path = [n.line for n in self.sess.editor.mode]
        try:
            c = await db.commit(self.sess, replace=replace, confirmed=confirmed, comment=comment, label=label)
        except ConfigError as e:  # CommitFailed and the database's own refusals (lock, trial)
            log.info("iosxr twin %s: cli commit failed: %s", self.twin.name, e.message)
            return e.message.rstrip("\n") + "\n"
        self.keep_mode(path)
        return self._commit_result(c, confirmed, trial_before)

    def keep_mode(self, path: list[str]) -> None:
        """After a commit XR stays in the sub-mode it was typed in (the target starts over)."""
        ed = self.sess.editor
        nodes = []
        node = self.sess.target.root
        for line in path:
            node = node.child(line)
            if node is None:
                break
            nodes.append(node)
        ed.mode = nodes
        # the new buffer is empty: the mode's blocks are only added to it once something is typed in them
        self.new_buffer()
        self.detached = [Node(n.line, block=True) for n in nodes]
        self.buf.mode = self.detached

    def attach(self) -> None:
        """Put the detached mode blocks into the buffer once one of them (or a deeper one) has content."""
        parent = self.buf.target.root
        path = self.detached
        for i, n in enumerate(path):
            if parent.child(n.line) is not n:
                if not any(m.children or m.body is not None for m in path[i:]):
                    return
                parent.children.append(n)
            parent = n
        self.detached = []

    def _commit_result(self, c: Any, confirmed: int | None, trial_before: bool) -> str:
        db = self.db
        if confirmed is not None and c is not None:
            self.armed = True
            return ""
        if trial_before and db.pending_confirm is None:
            self.armed = False
            return CONFIRMING if c is None else ""
        return NO_CHANGES if c is None else ""

    # ---- rollback (EXEC) -------------------------------------------------------------------------
    async def rollback(self, args: list[tuple[str, int]], width: int, line: str) -> str:
        if not args:
            raise CliFail(INCOMPLETE + "\n")
        self._verb(args[0][0], args[0][1], ("configuration",), width, line)
        rest = args[1:]
        if not rest:
            raise CliFail(INCOMPLETE + "\n")
        how = self._verb(rest[0][0], rest[0][1], ("last", "to"), width, line)
        if len(rest) < 2:
            raise CliFail(INCOMPLETE + "\n")
        arg, col = rest[1]
        if len(rest) > 2:
            raise CliFail(self.caret(width, rest[2][1]))
        db = self.db
        before = db.running.text(header=False)
        try:
            if how == "last":
                if not arg.isdigit() or not 0 < int(arg) <= 100:
                    raise CliFail(self.caret(width, col))
                await db.rollback_last(int(arg), self.user)
                done = f"Configuration successfully rolled back {int(arg)} commits.\n"
            else:
                await db.rollback_to(arg, self.user)
                done = f"Configuration successfully rolled back to '{arg}'.\n"
        except ConfigError as e:
            return self.ts() + e.message.rstrip("\n") + "\n"
        after = db.running.text(header=False)
        items = max(1, len(set(after.splitlines()) ^ set(before.splitlines())))
        return (self.ts() + "\nLoading Rollback Changes.\nLoaded Rollback Changes in 1 sec \nCommitting.\n"
                f"{items} items committed in 1 sec ({items})items/sec\nUpdating.\n"
                f"Updated Commit database in 1 sec \n{done}")


async def serve_cli(twin: IosxrTwin, process: Any) -> None:
    """One SSH session of the XR CLI (an asyncssh server process, text, line editor)."""
    sess = CliSession(twin, process)
    await twin.serve_session(sess.run, sess.end, process, f"cli {sess.sid}")
