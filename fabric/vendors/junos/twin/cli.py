"""The Junos CLI on SSH port 22: operational (``user@host> ``) and configuration mode (``[edit ...]`` line,
``user@host# ``), Junos's messages, carets and pipes, so that scrapli, netmiko and people drive the twin
as they drive a vMX. Configuration goes through the same database and commit as NETCONF (``session.py``).

Operational ``show`` commands for protocol state come from ``oper.py`` (``command(twin, cmd, fmt)``), looked
up when used: a command it does not model (or a missing module) is answered as Junos answers a command
the platform does not have.
"""

from __future__ import annotations

import copy
import importlib
import json
import logging
import math
import re
import time
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import asyncssh
from asyncssh.misc import SoftEOFReceived
from lxml import etree

from fabric.vendors.junos.twin.config import (
    NAMED,
    VALUE,
    Config,
    ConfigError,
    Node,
    _print_children,
    _quote,
    find,
)
from fabric.vendors.junos.twin.diff import junos_diff
from fabric.vendors.junos.twin.session import JUNOS_VERSION, DbError, Editor

if TYPE_CHECKING:
    from fabric.vendors.junos.twin.twin import JunosTwin

log = logging.getLogger(__name__)

KERNEL = "JNPR-12.1-20230613.7723847_buil"  # the kernel build of the 23.2R1.15 image, cut as Junos prints it
OP_VERBS = ("clear", "configure", "exit", "file", "help", "load", "monitor", "op", "ping", "quit", "request",
            "restart", "save", "set", "show", "ssh", "start", "telnet", "test", "traceroute")
CONF_VERBS = ("activate", "annotate", "commit", "copy", "deactivate", "delete", "edit", "exit", "help",
              "insert", "load", "protect", "quit", "rename", "replace", "rollback", "run", "save", "set",
              "show", "status", "top", "unprotect", "up", "wildcard")
# second words of ``show`` Junos has (a typo elsewhere gets the caret; these get "not valid on" when
# oper.py does not model them)
SHOW_WORDS = ("arp", "bfd", "bgp", "bridge", "chassis", "class-of-service", "cli", "configuration",
              "ddos-protection", "dhcp", "ethernet-switching", "evpn", "firewall", "host", "igmp",
              "interfaces", "ipv6", "isis", "krt", "lacp", "ldp", "lldp", "log", "mpls", "ntp", "ospf",
              "ospf3", "pfe", "pim", "policer", "policy", "route", "rsvp", "security", "services",
              "snmp", "system", "task", "version", "vlans", "vrrp")
_WORD = re.compile(r'"(?:[^"\\]|\\.)*"?|[^\s|"]+|\|')

# CLI sessions in configuration mode, per twin (``configure`` lists the other users editing)
_EDITING: weakref.WeakKeyDictionary[Any, set[CliSession]] = weakref.WeakKeyDictionary()


class CliFail(Exception):
    """An error the CLI prints instead of output (already in Junos's words)."""


@dataclass
class Word:
    text: str  # unquoted
    col: int  # column in the typed line (for the caret)
    quoted: bool = False  # a quoted "|" is a word, not a pipe


def _words(line: str) -> list[Word]:
    out = []
    for m in _WORD.finditer(line):
        t = m.group()
        quoted = t.startswith('"')
        if quoted:
            t = re.sub(r"\\(.)", r"\1", t[1:-1] if len(t) > 1 and t.endswith('"') else t[1:])
        out.append(Word(t, m.start(), quoted))
    return out


def _expand(word: str, choices: tuple[str, ...]) -> tuple[str | None, list[str]]:
    """Junos accepts any unique prefix of a keyword: (the keyword or None, the candidates)."""
    if word in choices:
        return word, [word]
    hits = [c for c in choices if c.startswith(word)]
    return (hits[0] if len(hits) == 1 else None), hits


def _only(conf: Config, path: tuple[str, ...]) -> Config:
    """``conf`` reduced to the statement at ``path`` (with its parents), for show/compare at a level."""
    if not path:
        return conf
    hit = find(conf.root, path)
    out = Config()
    if hit is None:
        return out
    parents, node = hit
    cur = out.root
    for p in parents[1:]:
        n = Node(p.words, [], p.inactive, p.protect, p.oneline)
        cur.children.append(n)  # type: ignore[union-attr]
        cur = n
    cur.children.append(copy.deepcopy(node))  # type: ignore[union-attr]
    return out


def _level_text(conf: Config, path: tuple[str, ...]) -> str:
    """``show`` at a level: the statements inside it, indented from column 0."""
    if not path:
        return conf.text()
    hit = find(conf.root, path)
    if hit is None:
        return ""
    node = hit[1]
    out: list[str] = []
    _print_children(node if node.children is not None else Node((), [node]), 0, out)
    return "".join(line + "\n" for line in out)


def _to_json(el: Any) -> Any:
    """Junos's JSON rendering of configuration XML: named entries are lists, empty leaves ``[null]``."""
    kids = [c for c in el if isinstance(c.tag, str)]
    if not kids:
        text = (el.text or "").strip()
        return text if text else [None]
    obj: dict[str, Any] = {}
    if el.get("inactive"):
        obj["@"] = {"inactive": True}
    groups: dict[str, list[Any]] = {}
    for c in kids:
        groups.setdefault(etree.QName(c).localname, []).append(c)
    for tag, els in groups.items():
        vals = [_to_json(e) for e in els]
        listy = len(els) > 1 or any(e.find("name") is not None for e in els)
        obj[tag] = vals if listy else vals[0]
    return obj


def _filter(text: str, pipes: list[list[Word]]) -> str:
    """The text pipes, in order (``display`` and ``compare`` were taken by the producer)."""
    lines = text.splitlines()
    for p in pipes:
        verb, args = p[0].text, [w.text for w in p[1:]]
        if verb in ("match", "except", "find"):
            try:
                rx = re.compile(" ".join(args), re.I)
            except re.error:
                raise CliFail("error: invalid regular expression") from None
            if verb == "match":
                lines = [ln for ln in lines if rx.search(ln)]
            elif verb == "except":
                lines = [ln for ln in lines if not rx.search(ln)]
            else:
                first = next((i for i, ln in enumerate(lines) if rx.search(ln)), len(lines))
                lines = lines[first:]
        elif verb == "count":
            lines = [f"Count: {len(lines)} lines"]
        elif verb == "last":
            n = int(args[0]) if args and args[0].isdigit() else 0
            lines = lines[-n:] if n else lines
        elif verb == "trim":
            n = int(args[0]) if args and args[0].isdigit() else 0
            lines = [ln[n:] for ln in lines]
    return "".join(ln + "\n" for ln in lines)


class CliSession:
    def __init__(self, twin: JunosTwin, process: Any) -> None:
        self.twin = twin
        self.process = process
        self.out = process.stdout
        self.user: str = process.get_extra_info("username") or twin.username
        self.sid = twin.new_session_id()
        self.ed = Editor(self.sid, self.user, client="cli")
        self.mode = "shell" if self.user == "root" else "op"  # Junos logs root in to the shell
        self.shell_login = self.mode == "shell"  # ``exit`` from the CLI returns to that shell
        self.kind = ""  # configuration database: "" shared, "private", "exclusive"
        self.path: tuple[str, ...] = ()  # the [edit ...] level
        self.edit_stack: list[tuple[str, ...]] = []  # the levels ``edit`` came from (``exit`` goes back)
        self.since = time.time()
        self.tty = f"p{self.sid % 10}"
        self.quit = False

    @property
    def db(self) -> Any:
        return self.twin.db

    # ---- prompts -------------------------------------------------------------------------------
    def prompt(self) -> str:
        host = self.twin.hostname
        if self.mode == "shell":
            return f"{self.user}@{host}:~ # "
        return f"{self.user}@{host}{'#' if self.mode == 'config' else '>'} "

    def header(self) -> str:
        """What Junos prints above the prompt: the pending confirmed commit, then the edit level."""
        lines = []
        if self.db.confirm_deadline is not None:
            left = max(0.0, self.db.confirm_deadline - time.time())
            mins = max(1, math.ceil(left / self.db.seconds_per_minute))
            lines.append(f"# commit confirmed will be rolled back in {mins} minute{'s' if mins != 1 else ''}")
        if self.mode == "config":
            lines.append(self.edit_label(self.path))
        return "".join(ln + "\n" for ln in lines)

    @staticmethod
    def edit_label(path: tuple[str, ...]) -> str:
        return "[edit" + "".join(" " + _quote(w) for w in path) + "]"

    async def ask(self, question: str) -> str:
        self.out.write(question)
        try:
            return (await self.process.stdin.readline()).strip().lower()
        except (asyncssh.BreakReceived, asyncssh.SignalReceived, SoftEOFReceived):
            self.out.write("\n")
            return "no"

    # ---- the session ---------------------------------------------------------------------------
    async def run(self) -> None:
        if self.process.command:  # ``ssh host "show version"``: one command, no prompt
            self.mode = "op"
            self.out.write(await self.op(self.process.command.strip(), 0))
            return
        if self.mode == "op":
            self.out.write(f"--- JUNOS {JUNOS_VERSION} Kernel 64-bit  {KERNEL}\n")
        self.out.write(self.header() + self.prompt())
        while not self.quit:
            try:
                raw = await self.process.stdin.readline()
            except (asyncssh.BreakReceived, asyncssh.SignalReceived, SoftEOFReceived):
                self.out.write("\n" + self.header() + self.prompt())
                continue
            except asyncssh.TerminalSizeChanged:
                continue
            if not raw:
                break
            line = raw.rstrip("\r\n")
            width = len(self.prompt())
            if not line.strip():
                self.out.write(("\n" + self.header() if self.mode == "config" else "") + self.prompt())
                continue
            before = self.mode
            if self.mode == "shell":
                text = self.shell(line.strip())
            elif self.mode == "op":
                text = await self.op(line, width)
            else:
                text = await self.config(line, width)
            if self.quit:
                self.out.write(text)
                break
            sep = "" if "shell" in (before, self.mode) else "\n"
            self.out.write(text + sep + self.header() + self.prompt())

    def shell(self, cmd: str) -> str:
        if cmd == "cli":
            self.mode = "op"
            return ""
        if cmd in ("exit", "logout"):
            self.quit = True
            return "logout\n"
        return f"{cmd.split()[0]}: Command not found.\n"

    def end(self) -> None:
        if self.mode == "config":
            self.leave_config()

    # ---- errors ----------------------------------------------------------------------------------
    @staticmethod
    def caret(width: int, col: int, message: str) -> str:
        return " " * (width + col) + "^\n" + message + "\n"

    def config_error(self, e: ConfigError, line: str, width: int, col0: int = 0) -> str:
        """A ConfigError from ``set``/``load``: the caret under the token when it is in the typed line."""
        msg = e.message if e.message.endswith(".") or "\n" in e.message else e.message + "."
        if isinstance(e, DbError) or e.kind == "application":
            return f"error: {e.message}\n"
        if e.token:
            i = line.find(e.token, col0)
            if i >= 0:
                return self.caret(width, i, msg)
        return msg + "\n"

    @staticmethod
    def commit_error(e: Exception) -> str:
        if isinstance(e, DbError):
            return f"error: {e.message}\n"
        if isinstance(e, ConfigError):
            if e.message.startswith("commit failed"):
                return f"error: {e.message}\n"
            where = (e.path + "\n") if e.path else ""
            tok = f"  '{e.token}'\n" if e.token else ""
            body = "".join("    " + ln + "\n" for ln in e.message.splitlines())
            return f"{where}{tok}{body}error: configuration check-out failed\n"
        return "error: commit failed: (statements constraint check failed)\n"

    # ---- operational mode ------------------------------------------------------------------------
    async def op(self, line: str, width: int) -> str:
        try:
            return await self._op(line, width)
        except CliFail as e:
            return str(e) + ("" if str(e).endswith("\n") else "\n")

    def _verb(self, w: Word, choices: tuple[str, ...], width: int) -> str:
        verb, hits = _expand(w.text, choices)
        if verb is not None:
            return verb
        if hits:
            raise CliFail(self.caret(width, w.col, f"'{w.text}' is ambiguous.") + "Possible completions:\n"
                          + "".join(f"  {h}\n" for h in hits))
        raise CliFail(self.caret(width, w.col, "unknown command."))

    def _split_pipes(self, words: list[Word], width: int) -> tuple[list[Word], list[list[Word]]]:
        cmd: list[Word] = []
        pipes: list[list[Word]] = []
        for w in words:
            if w.text == "|" and not w.quoted:
                pipes.append([])
            elif pipes:
                pipes[-1].append(w)
            else:
                cmd.append(w)
        for p in pipes:
            if not p:
                raise CliFail(self.caret(width, cmd[-1].col + len(cmd[-1].text) + 3 if cmd else 0,
                                         "syntax error, expecting <command>."))
            kw = ("compare", "count", "display", "except", "find", "last", "match", "no-more", "trim")
            verb, _ = _expand(p[0].text, kw)
            if verb is None:
                raise CliFail(self.caret(width, p[0].col, "syntax error, expecting <command>."))
            p[0] = Word(verb, p[0].col)
            if verb in ("match", "except", "find") and len(p) < 2:
                raise CliFail(self.caret(width, p[0].col + len(p[0].text) + 1, "missing argument."))
            if verb == "display":
                if len(p) < 2:
                    raise CliFail(self.caret(width, p[0].col + len(p[0].text) + 1, "missing argument."))
                sub, _ = _expand(p[1].text, ("set", "xml", "json", "detail", "inheritance", "omit"))
                if sub is None:
                    raise CliFail(self.caret(width, p[1].col, "syntax error."))
                p[1] = Word(sub, p[1].col)
        return cmd, pipes

    @staticmethod
    def _display(pipes: list[list[Word]]) -> str:
        fmt = "text"
        for p in pipes:
            if p[0].text == "display" and p[1].text in ("set", "xml", "json"):
                fmt = p[1].text
        return fmt

    async def _op(self, line: str, width: int) -> str:
        words, pipes = self._split_pipes(_words(line), width)
        if not words:
            raise CliFail(self.caret(width, 0, "syntax error, expecting <command>."))
        verb = self._verb(words[0], OP_VERBS, width)
        args = words[1:]
        if verb in ("exit", "quit"):
            if self.shell_login and not self.process.command:
                self.mode = "shell"
            else:
                self.quit = True
            return ""
        if verb == "configure":
            return self.enter_config(args, width)
        if verb == "set" and args and _expand(args[0].text, ("cli",))[0] == "cli":
            return self.set_cli(args[1:], width)
        if verb == "show" and args:
            sub, hits = _expand(args[0].text, SHOW_WORDS)
            if sub is None and hits:
                raise CliFail(self.caret(width, args[0].col, f"'{args[0].text}' is ambiguous."))
            if sub is None:
                raise CliFail(self.caret(width, args[0].col, "syntax error, expecting <command>."))
            if sub == "configuration":
                return self.show_configuration(self.db.running, tuple(w.text for w in args[1:]), pipes,
                                               "commit", width)
            args = [Word(sub, args[0].col), *args[1:]]
        if verb == "show" and not args:
            raise CliFail(self.caret(width, words[0].col + len(words[0].text) + 1,
                                     "syntax error, expecting <command>."))
        cmd = " ".join([verb, *(_quote(w.text) for w in args)])
        fmt = self._display(pipes)
        text = await self._oper(cmd, fmt)
        if text is None:
            text = self.builtin(cmd, fmt)
        if text is None:
            raise CliFail(f"error: command is not valid on the {self.twin.model}")
        return _filter(text, pipes) if fmt == "text" else text

    async def _oper(self, cmd: str, fmt: str) -> str | None:
        """``oper.command`` (another module; absent or failing = not modelled)."""
        try:
            mod = importlib.import_module("fabric.vendors.junos.twin.oper")
        except ImportError:
            return None
        fn: Callable[[Any, str, str], Awaitable[str | None]] | None = getattr(mod, "command", None)
        if fn is None:
            return None
        try:
            text = await fn(self.twin, cmd, "json" if fmt == "json" else "xml" if fmt == "xml" else "text")
        except Exception:  # a bug there must not end the session
            log.exception("junos twin %s: %r failed", self.twin.name, cmd)
            return None
        if text is None:
            return None
        if fmt == "xml" and not text.lstrip().startswith("<rpc-reply"):
            body = "".join("    " + ln + "\n" for ln in text.strip("\n").splitlines())
            text = (f'<rpc-reply xmlns:junos="http://xml.juniper.net/junos/{JUNOS_VERSION}/junos">\n{body}'
                    "    <cli>\n        <banner></banner>\n    </cli>\n</rpc-reply>\n")
        return text if text.endswith("\n") or not text else text + "\n"

    def builtin(self, cmd: str, fmt: str) -> str | None:
        t, db = self.twin, self.db
        if cmd == "show version":
            return (f"Hostname: {t.hostname}\nModel: {t.model}\nJunos: {JUNOS_VERSION}\n"
                    f"JUNOS OS Kernel 64-bit  [20230613.7723847_builder_stable_12]\n"
                    f"JUNOS OS libs [20230613.7723847_builder_stable_12]\n"
                    f"JUNOS OS runtime [20230613.7723847_builder_stable_12]\n")
        if cmd == "show system commit":
            out = []
            for i, c in enumerate(db.history):
                stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(c.when))
                extra = ""
                if i == 0 and db.confirm_deadline is not None:
                    extra = f" commit confirmed, rollback in {db.confirm_minutes}mins"
                out.append(f"{i}   {stamp} by {c.user} via {c.client}{extra}")
                if c.comment:
                    out.append(f"    {c.comment}")
                if c.log:
                    out.append(f"    {c.log}")
            return "".join(ln + "\n" for ln in out)
        return None

    def set_cli(self, args: list[Word], width: int) -> str:
        opts = ("screen-length", "screen-width", "complete-on-space", "idle-timeout", "terminal", "timestamp")
        if not args:
            raise CliFail(self.caret(width, 8, "syntax error, expecting <command>."))
        opt, _ = _expand(args[0].text, opts)
        val = args[1].text if len(args) > 1 else ""
        if opt is None:
            raise CliFail(self.caret(width, args[0].col, "syntax error, expecting <command>."))
        if opt in ("screen-length", "screen-width", "idle-timeout") and not val.isdigit():
            raise CliFail(self.caret(width, args[0].col + len(args[0].text) + 1, "missing argument."
                                     if not val else "invalid numeric value."))
        if opt == "screen-length":
            return f"Screen length set to {val}\n"
        if opt == "screen-width":
            return f"Screen width set to {val}\n"
        if opt == "idle-timeout":
            return f"Idle timeout set to {val} minutes\n"
        if opt == "complete-on-space":
            if val not in ("on", "off"):
                raise CliFail(self.caret(width, args[0].col + len(args[0].text) + 1, "syntax error."))
            return "Disabling complete-on-space\n" if val == "off" else "Enabling complete-on-space\n"
        if opt == "timestamp":
            return ""
        return ""

    def show_configuration(self, conf: Config, path: tuple[str, ...], pipes: list[list[Word]], stamp: str,
                           width: int, compare_to: Config | None = None) -> str:
        """``show configuration [path]`` (operational) or ``show [path]`` (configuration mode)."""
        db = self.db
        for p in pipes:
            if p[0].text == "compare":
                base: Config
                if len(p) >= 3 and p[1].text == "rollback" and p[2].text.isdigit():
                    try:
                        base = db.rollback_config(int(p[2].text))
                    except ConfigError as e:
                        raise CliFail(f"error: {e.message}") from None
                elif len(p) == 1 and compare_to is not None:
                    base = compare_to
                else:
                    bad = p[1] if len(p) > 1 else p[0]
                    raise CliFail(self.caret(width, bad.col, "syntax error."))
                rest = [q for q in pipes if q is not p]
                return _filter(junos_diff(_only(base, path), _only(conf, path)), rest)
        fmt = self._display(pipes)
        if fmt == "set":
            text = _only(conf, path).display_set()
        elif fmt in ("xml", "json"):
            c = db.history[0]
            sub = _only(conf, path)
            when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(c.when))
            attrs = ({"junos:commit-seconds": str(int(c.when)), "junos:commit-localtime": when,
                      "junos:commit-user": c.user} if stamp == "commit" else
                     {"junos:changed-seconds": str(int(c.when)), "junos:changed-localtime": when})
            if fmt == "json":
                x = sub.xml()
                body = _to_json(x)
                obj = {"@": attrs, **(body if isinstance(body, dict) else {})}
                text = json.dumps({"configuration": obj}, indent=4, separators=(",", " : "))
                return re.sub(r"\[\s*null\s*\]", "[null]", text) + "\n"  # Junos keeps ``[null]`` on one line
            ns = f"http://xml.juniper.net/junos/{JUNOS_VERSION}/junos"
            reply = etree.Element("rpc-reply", nsmap={"junos": ns})
            cx = etree.SubElement(reply, "configuration")
            for k, v in attrs.items():
                cx.set(f"{{{ns}}}{k.split(':', 1)[1]}", v)
            for el in sub.xml():
                cx.append(el)
            cli = etree.SubElement(reply, "cli")
            etree.SubElement(cli, "banner").text = self.edit_label(self.path) if self.mode == "config" else ""
            etree.indent(reply, space="    ")
            return etree.tostring(reply, encoding="unicode") + "\n"
        else:
            text = _level_text(conf, path)
            if not path and text:
                c = db.history[0]
                when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(c.when))
                head = (f"## Last commit: {when} by {c.user}\n" if stamp == "commit"
                        else f"## Last changed: {when}\n")
                text = head + text
        return _filter(text, [p for p in pipes if p[0].text != "display"])

    # ---- entering and leaving configuration mode ----------------------------------------------
    def editing_users(self) -> str:
        others = [s for s in _EDITING.get(self.twin, set()) if s is not self]
        lines = []
        for s in sorted(others, key=lambda s: s.since):
            since = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(s.since))
            kind = f"{s.kind} " if s.kind else ""
            lines.append(f"  {s.user} terminal {s.tty} (pid {s.sid}) on since {since}\n"
                         f"      {kind}{self.edit_label(s.path)}")
        owner = self.db.lock_owner
        if owner is not None and not any(s.ed is owner for s in others) and owner is not self.ed:
            since = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(owner.since))
            lines.append(f"  {owner.user} terminal -- (pid {owner.sid}) on since {since}\n"
                         "      exclusive [edit]")
        if not lines:
            return ""
        return "Users currently editing the configuration:\n" + "".join(ln + "\n" for ln in lines)

    def enter_config(self, args: list[Word], width: int) -> str:
        kind = ""
        if args:
            kind_w, _ = _expand(args[0].text, ("private", "exclusive", "dynamic", "batch", "ephemeral"))
            if kind_w is None or len(args) > 1:
                raise CliFail(self.caret(width, args[-1].col if kind_w else args[0].col, "syntax error."))
            if kind_w not in ("private", "exclusive"):
                raise CliFail(f"error: configure {kind_w} is not valid on the {self.twin.model}")
            kind = kind_w
        db = self.db
        warn = ""
        try:
            if kind == "private":
                db.open_private(self.ed)
            elif kind == "exclusive":
                db.lock(self.ed)
        except DbError as e:
            return f"error: {e.message}\n" + self.editing_users()
        if kind:
            warn = "warning: uncommitted changes will be discarded on exit\n"
        users = self.editing_users()
        self.mode, self.kind, self.path, self.since = "config", kind, (), time.time()
        _EDITING.setdefault(self.twin, set()).add(self)
        changed = ("The configuration has been changed but not committed\n"
                   if not kind and db.modified() else "")
        return f"{warn}Entering configuration mode\n{users}{changed}"

    def uncommitted(self) -> bool:
        if self.ed.private is not None:
            return self.ed.private.text() != self.db.running.text()
        return bool(self.db.modified())

    def leave_config(self) -> None:
        if self.kind == "private":
            self.db.close_private(self.ed)
        elif self.kind == "exclusive":
            self.db.end_session(self.ed)  # Junos drops the uncommitted changes with the lock
        self.mode, self.kind, self.path, self.edit_stack = "op", "", (), []
        sessions = _EDITING.get(self.twin)
        if sessions is not None:
            sessions.discard(self)

    async def exit_config(self) -> str:
        out = ""
        if self.uncommitted():
            answer = await self.ask("The configuration has been changed but not committed\n"
                                    "Exit with uncommitted changes? [yes,no] (yes) ")
            if answer not in ("", "y", "ye", "yes"):
                return ""
            out = "\n"
        self.leave_config()
        return out + "Exiting configuration mode\n"

    # ---- configuration mode ------------------------------------------------------------------
    async def config(self, line: str, width: int) -> str:
        try:
            return await self._config(line, width)
        except CliFail as e:
            return str(e) + ("" if str(e).endswith("\n") else "\n")

    async def _config(self, line: str, width: int) -> str:
        all_words = _words(line)
        words, pipes = self._split_pipes(all_words, width)
        if not words:
            raise CliFail(self.caret(width, 0, "syntax error, expecting <command>."))
        verb = self._verb(words[0], CONF_VERBS, width)
        args = words[1:]
        path = self.path
        if verb == "top" and args:  # ``top <command>``: one command at the top level
            moves = _expand(args[0].text, CONF_VERBS)[0] in ("edit", "exit", "quit", "top", "up")
            saved = self.path
            self.path = ()
            try:
                return await self._config(line[args[0].col:], width + args[0].col)
            finally:
                if self.mode == "config" and not moves:
                    self.path = saved
        if verb in ("exit", "quit"):
            if args and _expand(args[0].text, ("configuration-mode",))[0]:
                return await self.exit_config()
            if args:
                raise CliFail(self.caret(width, args[0].col, "syntax error."))
            if path:  # Junos: back to the level before the last ``edit``
                self.path = self.edit_stack.pop() if self.edit_stack else ()
                return ""
            return await self.exit_config()
        if verb == "top":
            self.path = ()
            return ""
        if verb == "up":
            n = int(args[0].text) if args and args[0].text.isdigit() else 1
            self.path = self._up(path, n)
            return ""
        if verb == "edit":
            if args:
                self.edit_stack.append(path)
                self.path = (*path, *(w.text for w in args))
            return ""
        if verb == "run":
            if not args:
                raise CliFail(self.caret(width, words[0].col + 4, "missing argument."))
            return await self.op(line[args[0].col:], width + args[0].col)
        if verb == "show":
            sub = tuple(w.text for w in args)
            if sub and sub[0] == "configuration":  # ``show configuration`` is operational
                raise CliFail(self.caret(width, args[0].col, "syntax error."))
            return self.show_configuration(self.db.candidate_of(self.ed), (*path, *sub), pipes, "changed",
                                           width, compare_to=self.db.running)
        if pipes:
            raise CliFail(self.caret(width, pipes[0][0].col - 2 if pipes[0] else 0, "syntax error."))
        if verb in ("set", "delete", "activate", "deactivate", "protect", "unprotect"):
            return await self.edit_statement(verb, line, words, width)
        if verb == "commit":
            return await self.commit(args, width)
        if verb == "rollback":
            n = 0
            if args:
                if not args[0].text.isdigit() or len(args) > 1:
                    raise CliFail(self.caret(width, args[0].col, "syntax error."))
                n = int(args[0].text)
            try:
                self.db.load_rollback(self.ed, n)
            except ConfigError as e:
                return f"error: {e.message}\n"
            return "load complete\n"
        if verb == "load":
            return await self.load(args, width)
        if verb == "status":
            return self.editing_users() or "Users currently editing the configuration:\n"
        raise CliFail(f"error: {verb} is not supported by this device twin")

    @staticmethod
    def _up(path: tuple[str, ...], n: int) -> tuple[str, ...]:
        """One level up is one statement up: ``[edit protocols bgp group g]`` -> ``[edit protocols bgp]``."""
        for _ in range(n):
            if not path:
                break
            # ``group g``, ``unit 0``: a keyword and its identifier are one level
            path = path[:-2] if len(path) >= 2 and path[-2] in NAMED else path[:-1]
        return path

    async def edit_statement(self, verb: str, line: str, words: list[Word], width: int) -> str:
        db = self.db
        rest = line[words[1].col:] if len(words) > 1 else ""
        if verb == "delete" and len(words) == 1:
            what = "everything under this level"
            answer = await self.ask(f"Delete {what}? [yes,no] (no) ")
            if answer not in ("y", "ye", "yes"):
                return ""
        elif len(words) == 1 and not self.path:
            raise CliFail(self.caret(width, len(line.rstrip()) + 1, "missing argument."))
        if (verb == "set" and len(self.path) + len(words) > 2 and words[-1].text in VALUE
                and not words[-1].quoted):
            raise CliFail(self.caret(width, len(line.rstrip()) + 1, "missing argument."))
        prefix = " ".join(_quote(w) for w in self.path)
        cmd = " ".join(x for x in (verb, prefix, rest) if x)
        try:
            db.load(self.ed, cmd, "set", "set")
        except ConfigError as e:
            return self.config_error(e, line, width, words[0].col + len(words[0].text))
        warnings = db.candidate_of(self.ed).warnings
        return "".join(f"warning: {w.message}\n" for w in warnings)

    async def commit(self, args: list[Word], width: int) -> str:
        check = confirmed = and_quit = False
        minutes = 10
        comment = ""
        i = 0
        opts = ("check", "confirmed", "comment", "and-quit", "synchronize", "at", "prepare", "activate",
                "scripts")
        while i < len(args):
            w = args[i]
            opt, _ = _expand(w.text, opts)
            if opt is None:
                raise CliFail(self.caret(width, w.col, "syntax error."))
            if opt == "check":
                check = True
            elif opt == "confirmed":
                confirmed = True
                if i + 1 < len(args) and args[i + 1].text.isdigit():
                    minutes = int(args[i + 1].text)
                    i += 1
            elif opt == "comment":
                if i + 1 >= len(args):
                    raise CliFail(self.caret(width, w.col + len(w.text) + 1, "missing argument."))
                comment = args[i + 1].text
                i += 1
            elif opt == "and-quit":
                and_quit = True
            elif opt == "synchronize":
                pass  # one routing engine: the commit is the synchronised one
            else:
                raise CliFail(f"error: commit {opt} is not supported by this device twin")
            i += 1
        try:
            await self.db.commit(self.ed, check=check, confirmed=confirmed, minutes=minutes, comment=comment)
        except ConfigError as e:
            return self.commit_error(e)
        except Exception as e:  # the control plane refused it: running is unchanged (session.py)
            log.warning("junos twin %s: cli commit failed: %s", self.twin.name, e)
            return self.commit_error(e)
        if check:
            return "configuration check succeeds\n"
        out = ""
        if confirmed:
            out += (f"commit confirmed will be automatically rolled back in {minutes} minutes "
                    "unless confirmed\n")
        out += "commit complete\n"
        if and_quit:
            self.leave_config()
            out += "Exiting configuration mode\n"
        return out

    async def read_terminal(self) -> str:
        """``load ... terminal``: lines until Ctrl-D at the start of a line (or end of input)."""
        self.out.write("[Type ^D at a new line to end input]\n")
        lines: list[str] = []
        while True:
            try:
                raw = await self.process.stdin.readline()
            except SoftEOFReceived:
                break
            except (asyncssh.BreakReceived, asyncssh.SignalReceived):
                raise CliFail("\nerror: load aborted") from None
            except asyncssh.TerminalSizeChanged:
                continue
            if not raw:
                break
            if "\x04" in raw:  # no line editor (no pty): the ^D arrives as a character
                head = raw.split("\x04", 1)[0]
                if head.strip():
                    lines.append(head)
                break
            lines.append(raw.rstrip("\r\n"))
        return "\n".join(lines) + "\n"

    async def load(self, args: list[Word], width: int) -> str:
        actions = ("merge", "override", "replace", "set", "update", "patch", "factory-default")
        if not args:
            raise CliFail(self.caret(width, 5, "missing argument."))
        action, _ = _expand(args[0].text, actions)
        if action is None:
            raise CliFail(self.caret(width, args[0].col, "syntax error."))
        if action in ("patch", "factory-default"):
            raise CliFail(f"error: load {action} is not supported by this device twin")
        if len(args) < 2:
            raise CliFail(self.caret(width, args[0].col + len(args[0].text) + 1, "missing argument."))
        relative = any(_expand(w.text, ("relative",))[0] for w in args[2:])
        if args[1].text != "terminal":
            return f"error: Could not open configuration file: {args[1].text}\n"
        data = await self.read_terminal()
        if relative and self.path:
            if action == "set":
                prefix = " ".join(_quote(w) for w in self.path)
                data = "\n".join(re.sub(r"^(\s*\S+)", lambda m: f"{m.group(1)} {prefix}", ln)
                                 if ln.strip() else ln for ln in data.splitlines()) + "\n"
            else:
                opened = " ".join(_quote(w) for w in self.path)
                data = f"{opened} {{\n{data}}}\n"
        fmt = "set" if action == "set" else "text"
        try:
            self.db.load(self.ed, data, fmt, action)
        except DbError as e:
            return f"error: {e.message}\n"
        except ConfigError as e:
            tok = f": {e.token}" if e.token else ""
            return f"terminal:{e.line}:(1) {e.message}{tok}\nload complete (1 errors)\n"
        warnings = self.db.candidate_of(self.ed).warnings
        return "".join(f"warning: {w.message}\n" for w in warnings) + "load complete\n"


async def serve_cli(twin: JunosTwin, process: Any) -> None:
    """One SSH session of the Junos CLI (an asyncssh server process, text, line editor)."""
    sess = CliSession(twin, process)
    await twin.serve_session(sess.run, sess.end, process, f"cli {sess.sid}")
