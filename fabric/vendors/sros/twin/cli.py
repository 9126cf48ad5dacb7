"""The SR OS MD-CLI on SSH port 22: the two-line prompt (``[/]`` / ``A:admin@sr1# ``), operational mode and
the four configuration modes in both workflows (explicit ``edit-config exclusive`` -> ``(ex)[/]``, implicit
``configure private`` -> ``[pr:/configure]``), context navigation (``router "Base"``, ``exit [all]``,
``back``, ``top``, ``/`` paths, pasted ``info`` blocks with braces), leaf sets and ``delete``, ``info [flat |
full-context]``, ``compare [summary]``, ``commit [confirmed <min> [persist-id <id>] | confirmed accept |
cancel]``, ``discard``, ``rollback <n>``, ``quit-config``, ``admin show configuration``, ``admin rollback
revert <n>``, ``show ...`` (``state.show``), ``environment ...`` and the ``| no-more``, ``| match``,
``| count`` pipes, so that netmiko (nokia_sros), scrapli-community (nokia_sros), napalm-sros' SSH shell and
people drive the twin as they drive an SR OS 24.x node. The configuration lives in the session datastore
(``session.py``) that NETCONF shares.

SR OS facts this follows: the prompt is ``<!><*>(<mode>)[<context>]`` (explicit) or
``<!><*>[<mode>:<context>]`` (implicit) over ``A:<user>@<host># ``, a blank line before it; ``*`` marks
uncommitted changes of the session's candidate; an error is a caret line under the offending word (its
column counts the second prompt line) and ``MINOR: <app> #<n>: <text>``; private and exclusive
candidates are discarded on leaving configuration mode; a path that ends at a container or list entry
enters it (creating a missing entry), one that ends with a value sets the leaf. Messages the twin could not
check against a device are approximations in SR OS's form.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import asyncssh
from asyncssh.misc import SoftEOFReceived

from fabric.vendors.sros import config as cfg
from fabric.vendors.sros.config import Config, ConfigError

if TYPE_CHECKING:
    from fabric.vendors.sros.twin.twin import SrosTwin

log = logging.getLogger(__name__)

MODES = ("private", "exclusive", "global", "read-only")
SHORT = {"private": "pr", "exclusive": "ex", "global": "gl", "read-only": "ro"}
ENTER_MSG = {  # edit-config / configure <mode>
    "private": "INFO: CLI #2070: Entering private configuration mode",
    "exclusive": "INFO: CLI #2060: Entering exclusive configuration mode",
    "global": "INFO: CLI #2054: Entering global configuration mode",
    "read-only": "INFO: CLI #2066: Entering read-only configuration mode",
}
DISCARDED_ON_EXIT = "INFO: CLI #2061: Uncommitted changes are discarded on configuration mode exit"
EXIT_MSG = {
    "private": "INFO: CLI #2071: Exiting private configuration mode",
    "exclusive": "INFO: CLI #2064: Exiting exclusive configuration mode",
    "global": "INFO: CLI #2055: Exiting global configuration mode",
    "read-only": "INFO: CLI #2067: Exiting read-only configuration mode",
}
OPERATIONAL = "MINOR: CLI #2069: Operation not allowed - currently in operational mode"
NOT_CONFIG = "MINOR: CLI #2069: Operation not allowed - not in configuration mode"
READ_ONLY = "MINOR: CLI #2069: Operation not allowed - currently in read-only mode"
ALREADY = "MINOR: CLI #2069: Operation not allowed - already in configuration mode"
UNKNOWN = "MINOR: MGMT_CORE #2201: Unknown element"
MISSING = "MINOR: CLI #2001: Missing element value"
PAGER = "Press Q to quit, Enter to print next line or any other key to print next page."

# Commands of the MD-CLI the twin answers in any context (global commands)
GLOBAL = ("admin", "back", "commit", "compare", "configure", "delete", "discard", "edit-config",
          "environment", "exit", "history", "info", "logout", "ping", "pwc", "quit", "quit-config",
          "rollback", "show", "top", "tree", "validate", "file", "tools", "clear", "traceroute", "monitor",
          "password", "update")
NOT_MODELLED = ("file", "tools", "clear", "traceroute", "monitor", "password", "ping", "tree", "history")
ELEMENT_TOO = frozenset({"file", "password", "update", "clear", "monitor", "history", "tools", "ping", "tree",
                         "traceroute"})
# containers a two-word path may enter before they exist (``ipv4 primary`` in a new interface would
# otherwise read as the leaf ``ipv4`` set to ``primary``); others are learnt from the configurations
CONTAINERS = frozenset({
    "ipv4", "ipv6", "primary", "bfd", "ethernet", "lldp", "dest-mac", "management-interface", "netconf",
    "bgp", "ospf", "ospf3", "mpls", "rsvp", "ldp", "segment-routing", "security", "user-params", "local-user",
    "access", "console", "connector", "from", "to", "action", "default-action", "area", "level", "source",
    "destination", "memory", "system", "family", "send-communities", "timers", "graceful-restart",
    "policy-options", "static-routes", "router-advertisement", "snmp", "grpc", "login-control", "ssh",
    "cli", "md-cli", "yang-modules", "configuration-save", "time", "ntp", "sntp", "dns", "aaa",
})


class CliFail(Exception):
    """Text the CLI prints instead of output (an SR OS error, possibly with its caret line)."""


@dataclass
class Word:
    text: str  # without quotes
    col: int  # where it starts on the line
    raw: str  # as typed (with quotes)


_WORD = re.compile(r'"(?:[^"\\]|\\.)*"|\[|\]|\{|\}|[^\s\[\]{}"]+')


def split_words(line: str) -> list[Word]:
    """MD-CLI words with their columns; ``"..."`` is one word, ``[ ] { }`` are words, ``#`` starts a comment
    (outside quotes)."""
    out: list[Word] = []
    for m in _WORD.finditer(line):
        raw = m.group()
        if raw.startswith("#"):
            break
        text = raw[1:-1].replace('\\"', '"') if raw.startswith('"') and len(raw) > 1 else raw
        out.append(Word(text, m.start(), raw))
    return out


def quoted(w: str) -> str:
    return '"' + w.replace('"', '\\"') + '"'


def _match_filter(text: str, args: list[str]) -> str:
    """``| match <pattern> [ignore-case] [invert-match] [pre-lines N] [post-lines N] [max-count N]``."""
    if not args:
        raise CliFail(MISSING + " - 'pattern'")
    pat, rest = args[0], args[1:]
    flags, invert, pre, post, most = 0, False, 0, 0, None
    i = 0
    while i < len(rest):
        o = rest[i]
        if o == "ignore-case":
            flags |= re.I
        elif o == "invert-match":
            invert = True
        elif o in ("pre-lines", "post-lines", "max-count") and i + 1 < len(rest) and rest[i + 1].isdigit():
            n = int(rest[i + 1])
            pre, post, most = (n, post, most) if o == "pre-lines" else (pre, n, most) if o == "post-lines" \
                else (pre, post, n)
            i += 1
        elif o == "expression":
            pass
        else:
            raise CliFail(f"{UNKNOWN} - '{o}'")
        i += 1
    try:
        rx = re.compile(pat, flags)
    except re.error:
        raise CliFail(f"MINOR: CLI #2008: Invalid element value - '{pat}'") from None
    lines = text.splitlines()
    hits = [i for i, ln in enumerate(lines) if bool(rx.search(ln)) != invert]
    if most is not None:
        hits = hits[:most]
    keep: set[int] = set()
    for i in hits:
        keep.update(range(max(0, i - pre), min(len(lines), i + post + 1)))
    return "".join(lines[i] + "\n" for i in sorted(keep))


def apply_pipes(text: str, pipes: list[list[str]]) -> str:
    for p in pipes:
        verb, args = p[0], p[1:]
        if verb == "no-more":
            continue
        if verb == "match":
            text = _match_filter(text, args)
        elif verb == "count":
            text = f"Count: {len(text.splitlines())} lines\n"
        else:
            raise CliFail(f"{UNKNOWN} - '{verb}'")
    return text


class Session:
    """One MD-CLI session: its configuration mode (None: operational), workflow, context, edit session."""

    def __init__(self, twin: SrosTwin, process: Any) -> None:
        self.twin = twin
        self.process = process
        self.out = process.stdout
        self.user: str = process.get_extra_info("username") or twin.username
        self.mode: str | None = None
        self.implicit = False  # ``configure <mode>``: restricted to the configure branch, [ex:/configure]
        self.edit: Any = None  # the datastore's EditSession while in a configuration mode
        self.ctx: list[list[Word]] = []  # the context levels as typed, each a word group (after /configure)
        self.in_configure = False  # the context is in (or is) the configure branch
        self.braces: list[tuple[int, bool]] = []  # (context depth, in_configure) at each open ``{``
        self.more = True  # ``environment more``; the twin does not page (see PAGER)
        self.quit = False

    @property
    def db(self) -> Any:
        return self.twin.db

    # ---- the prompt ----------------------------------------------------------------------------
    def path_words(self) -> list[str]:
        return [w.text for lvl in self.ctx for w in lvl]

    def context(self) -> str:
        if not self.in_configure:
            return "/"
        return " ".join(["/configure"] + _display(self.path_words()))

    def changed(self) -> bool:
        if self.edit is None:
            return False
        with contextlib.suppress(Exception):
            return bool(self.db.changed(self.edit))
        return False

    def prompt_line2(self) -> str:
        return f"A:{self.user}@{self.twin.hostname}# "

    def out_of_date(self) -> bool:
        """``!``: running moved on since the candidate's baseline (another session committed)."""
        if self.edit is None:
            return False
        with contextlib.suppress(Exception):
            return bool(self.edit.baseline != self.db.running)
        return False

    def prompt(self) -> str:
        star = ("!" if self.out_of_date() else "") + ("*" if self.changed() else "")
        ctx = self.context()
        if self.mode is None:
            first = f"[{ctx}]"
        elif self.implicit:
            first = f"{star}[{SHORT[self.mode]}:{ctx}]"
        else:
            first = f"{star}({SHORT[self.mode]})[{ctx}]"
        return f"\n{first}\n{self.prompt_line2()}"

    # ---- the session loop ----------------------------------------------------------------------
    async def run(self) -> None:
        if self.process.command:  # ``ssh host "show version"``: one command, no prompt
            self.out.write(await self.execute(self.process.command.strip()))
            return
        self.out.write(self.prompt())
        while not self.quit:
            try:
                raw = await self.process.stdin.readline()
            except (asyncssh.BreakReceived, asyncssh.SignalReceived, SoftEOFReceived):
                self.out.write(self.prompt())
                continue
            except asyncssh.TerminalSizeChanged:
                continue
            if not raw:
                break
            text = await self.execute(raw.rstrip("\r\n"))
            if text:
                self.out.write(text if text.endswith("\n") else text + "\n")
            if not self.quit:
                self.out.write(self.prompt())

    def end(self) -> None:
        """The connection is gone: the session leaves configuration mode (the datastore discards a private
        candidate, frees the exclusive lock and rolls back this session's unaccepted confirmed commit)."""
        self._close_edit()

    async def execute(self, line: str) -> str:
        try:
            return await self._execute(line)
        except CliFail as e:
            return str(e)
        except ConfigError as e:
            return e.message.rstrip("\n") + "\n"

    def caret(self, w: Word) -> str:
        return " " * (len(self.prompt_line2()) + w.col) + "^" * max(1, len(w.raw)) + "\n"

    def fail(self, w: Word, msg: str) -> CliFail:
        return CliFail(self.caret(w) + msg)

    # ---- dispatch ------------------------------------------------------------------------------
    async def _execute(self, line: str) -> str:
        words = split_words(line)
        if not words:
            return ""
        pipes: list[list[str]] = []
        if any(w.raw == "|" for w in words):
            at = next(i for i, w in enumerate(words) if w.raw == "|")
            seg: list[str] = []
            for w in words[at + 1:]:
                if w.raw == "|":
                    pipes.append(seg)
                    seg = []
                else:
                    seg.append(w.text)
            pipes.append(seg)
            words = words[:at]
            for p in pipes:
                if not p:
                    raise CliFail(MISSING + " - 'pipe'")
                if p[0] not in ("no-more", "match", "count"):
                    raise CliFail(f"{UNKNOWN} - '{p[0]}'")
            if not words:
                raise CliFail(MISSING)
        text = await self.command(words)
        return apply_pipes(text, pipes) if pipes else text

    async def command(self, words: list[Word]) -> str:
        first = words[0]
        if first.raw.startswith("//"):  # a classic CLI command run from the MD-CLI (netmiko, scrapli)
            return ""
        if first.raw == "/" or (first.raw.startswith("/") and first.raw != "/"):
            # an absolute path or a command from the root
            if first.raw == "/":
                rest = words[1:]
            else:
                rest = [Word(first.text[1:], first.col + 1, first.raw[1:])] + words[1:]
            if not rest:
                self.go_root()
                return ""
            return await self.absolute(rest)
        verb = first.text
        if verb in ("}",):
            return self.close_brace()
        if verb in GLOBAL and not (self.in_configure and self._is_config_word(verb)):
            return await self.global_command(verb, words)
        if self.in_configure:
            return await self.config_line(words)
        raise self.fail(first, f"{UNKNOWN} - '{first.text}'")

    def _is_config_word(self, verb: str) -> bool:
        """In the configure branch a word that is both a command the twin does not model and an element
        name (``password``, ``file``) is the element."""
        return verb in ELEMENT_TOO

    async def absolute(self, rest: list[Word]) -> str:
        """``/<command>`` or ``/configure <path>``: run from the root context, the context stays unless
        the path enters one."""
        verb = rest[0].text
        if verb == "configure" and len(rest) > 1 and rest[1].text in MODES:
            return await self.global_command("configure", rest)
        if verb == "configure":
            if self.mode is None:
                if len(rest) == 1:
                    return await self.global_command("configure", rest)
                raise CliFail(OPERATIONAL)
            saved = (self.ctx, self.in_configure, self.braces)
            self.ctx, self.in_configure, self.braces = [], True, []
            if len(rest) == 1:
                return ""
            try:
                out, entered = await self._config_path(rest[1:])
            except BaseException:
                self.ctx, self.in_configure, self.braces = saved
                raise
            if not entered:
                self.ctx, self.in_configure, self.braces = saved
            return out
        saved_ctx = (self.ctx, self.in_configure)
        if verb in ("info", "compare", "delete"):  # relative to the root
            self.ctx, self.in_configure = [], False
            try:
                return await self.global_command(verb, rest)
            finally:
                self.ctx, self.in_configure = saved_ctx
        if verb in GLOBAL:
            return await self.global_command(verb, rest)
        raise self.fail(rest[0], f"{UNKNOWN} - '{verb}'")

    def go_root(self) -> None:
        self.ctx, self.braces = [], []
        self.in_configure = self.implicit and self.mode is not None

    # ---- global commands -----------------------------------------------------------------------
    async def global_command(self, verb: str, words: list[Word]) -> str:
        args = words[1:]
        if verb in ("logout", "quit"):
            self.quit = True
            return ""
        if verb == "environment":
            return self.environment(args)
        if verb == "edit-config":
            return self.enter_mode(args, implicit=False, words=words)
        if verb == "configure":
            if args and args[0].text in MODES:
                return self.enter_mode(args, implicit=True, words=words)
            if self.mode is None:
                if args:
                    raise CliFail(OPERATIONAL)
                return self.enter_mode([], implicit=True, words=words)
            if [w.raw for w in args] == ["{"]:  # a pasted ``configure {`` block
                self.braces.append((len(self.ctx) if self.in_configure else 0, self.in_configure))
                self.ctx, self.in_configure = [], True
                return ""
            self.ctx, self.in_configure, self.braces = [], True, []
            if args:
                out, _ = await self._config_path(args)
                return out
            return ""
        if verb == "exit":
            return self.exit(args)
        if verb == "back":
            if self.ctx:
                self.ctx.pop()
            elif not self.implicit:
                self.in_configure = False
            return ""
        if verb == "top":
            self.go_root()
            return ""
        if verb == "pwc":
            return self.pwc()
        if verb == "show":
            return await self.show(args)
        if verb == "admin":
            return await self.admin(args)
        if verb in NOT_MODELLED:
            raise self.fail(words[0], f"MINOR: CLI #2069: Operation not allowed - '{verb}' is not available "
                                      "on this node")
        # configuration-mode commands
        if self.mode is None:
            raise CliFail(NOT_CONFIG if verb == "quit-config" else OPERATIONAL)
        if verb == "quit-config":
            return self.leave_mode()
        if verb == "info":
            return self.info(args)
        if verb == "compare":
            return self.compare(args)
        if verb == "commit":
            return await self.commit(args)
        if verb == "discard":
            return self.discard(args)
        if verb == "delete":
            return self.delete(args, words[0])
        if verb == "rollback":
            return await self.rollback(args)
        if verb == "validate":
            return self.validate()
        if verb == "update":
            return self.update()
        raise self.fail(words[0], f"{UNKNOWN} - '{verb}'")

    def environment(self, args: list[Word]) -> str:
        a = [w.text for w in args]
        if a[:1] == ["more"]:
            if a[1:] not in (["true"], ["false"], []):
                raise self.fail(args[1], f"MINOR: CLI #2008: Invalid element value - '{a[1]}'")
            self.more = a[1:] != ["false"]
        elif a[:1] == ["no"] and a[1:] == ["more"]:
            self.more = False
        # console width, command-completion, time-display, ...: accepted, nothing the twin renders changes
        return ""

    def pwc(self) -> str:
        lines = ["Present Working Context:"]
        if self.in_configure:
            lines.append("configure")
            done = 0
            for i, lvl in enumerate(self.ctx):
                shown = _display(self.path_words()[:done + len(lvl)])[done:]
                done += len(lvl)
                lines.append("    " * (i + 1) + " ".join(shown))
        return "\n".join(lines) + "\n"

    # ---- configuration modes -------------------------------------------------------------------
    def enter_mode(self, args: list[Word], *, implicit: bool, words: list[Word]) -> str:
        if args and args[0].text not in MODES:
            raise self.fail(args[0], f"MINOR: CLI #2008: Invalid element value - '{args[0].text}'")
        if len(args) > 1:
            raise self.fail(args[1], f"{UNKNOWN} - '{args[1].text}'")
        mode = args[0].text if args else "private"
        if self.mode is not None:
            if mode == self.mode and implicit == self.implicit:
                self.go_root()
                return ""
            raise CliFail(ALREADY)
        try:
            self.edit = self.db.open(self.user, mode, client="CLI")
        except ConfigError as e:
            raise CliFail(e.message) from None
        self.mode, self.implicit = mode, implicit
        self.ctx, self.braces = [], []
        self.in_configure = implicit
        lines = [ENTER_MSG[mode]]
        if mode in ("private", "exclusive"):
            lines.append(DISCARDED_ON_EXIT)
        return "\n".join(lines) + "\n"

    def _close_edit(self) -> None:
        if self.edit is not None:
            edit, self.edit = self.edit, None
            try:
                res = self.db.close(edit)
                if inspect.isawaitable(res):  # pragma: no cover - close is synchronous in session.py
                    self.twin.spawn(res)
            except Exception:
                log.exception("sros twin %s: closing the edit session failed", self.twin.name)
        self.mode = None
        self.implicit = False
        self.ctx, self.braces, self.in_configure = [], [], False

    def leave_mode(self) -> str:
        mode = self.mode
        self._close_edit()
        return EXIT_MSG[mode] + "\n" if mode else ""

    def exit(self, args: list[Word]) -> str:
        if args and args[0].text != "all":
            raise self.fail(args[0], f"{UNKNOWN} - '{args[0].text}'")
        if args:  # exit all: to the top of the configuration mode's branch (or the root)
            self.go_root()
            return ""
        if self.ctx:
            self.ctx.pop()
            self.braces = [b for b in self.braces if b[0] <= len(self.ctx)]
            return ""
        if self.in_configure and not self.implicit:
            self.in_configure = False
            return ""
        if self.mode is not None and self.implicit:
            return self.leave_mode()
        return ""

    def close_brace(self) -> str:
        if self.braces:
            depth, inside = self.braces.pop()
            del self.ctx[depth:]
            self.in_configure = inside or (self.implicit and self.mode is not None)
            return ""
        return self.exit([])

    # ---- configuration lines -------------------------------------------------------------------
    def _need_edit(self, write: bool = True) -> Any:
        if self.edit is None:
            raise CliFail(OPERATIONAL)
        if write and self.mode == "read-only":
            raise CliFail(READ_ONLY)
        return self.edit

    async def config_line(self, words: list[Word]) -> str:
        out, _ = await self._config_path(words)
        return out

    async def _config_path(self, words: list[Word]) -> tuple[str, bool]:
        """A path relative to the context: a leaf set, or a container/entry to enter (``{`` opens a
        block, ``{ }`` an empty one). Returns the output and whether the context moved."""
        if self.mode is None:
            raise CliFail(OPERATIONAL)
        opens = bool(words) and words[-1].raw == "{"
        empty = len(words) >= 2 and words[-2].raw == "{" and words[-1].raw == "}"
        body = words[:-2] if empty else words[:-1] if opens else words
        if not body:
            raise CliFail(MISSING)
        base = self.path_words()
        texts = [w.text for w in body]
        kind = self.classify(base, texts, body)
        if kind == "leaf" and not opens and not empty:
            self._need_edit()
            self._edit(base + texts, body)
            return "", False
        if kind == "leaf":
            raise self.fail(body[-1], f"{UNKNOWN} - '{body[-1].text}'")
        # a container or list entry: create it (in a writable mode) and enter it unless ``{ }``
        if self.mode != "read-only":
            self._edit(base + texts, body, opener=True)
        if empty:
            return "", False
        if opens:
            self.braces.append((len(self.ctx), True))
        self.ctx.append(body)
        return "", True

    def classify(self, base: list[str], words: list[str], body: list[Word]) -> str:
        """``leaf`` when ``base + words`` ends with a value (a leaf set), ``node`` when it ends at a
        container or list entry: the edit is tried on a copy and the path looked up after it."""
        conf = self.edit.candidate if self.edit is not None else self.db.running
        scratch = conf.copy()
        try:
            cfg.edit(scratch, base + words)
        except ConfigError as e:
            raise self._error(e, body) from None
        node, _ = scratch.node_at(base + words)
        if isinstance(node, dict):
            return "node"
        if len(words) >= 2 and not isinstance(conf.node_at(base + words[:-1])[0], str) and (
                words[-2] in CONTAINERS or words[-2] in _containers(conf.data)):
            return "node"
        return "leaf"

    def _error(self, e: ConfigError, body: list[Word]) -> CliFail:
        bad = self._bad_word(e, body)
        msg = e.message.rstrip("\n")
        return CliFail(self.caret(bad) + msg if bad is not None else msg)

    def _edit(self, path: list[str], body: list[Word], *, opener: bool = False, delete: bool = False) -> None:
        try:
            if opener:
                self.edit.edit(path + ["{"])
            else:
                self.edit.edit(path, delete=delete)
        except ConfigError as e:
            raise self._error(e, body) from None

    @staticmethod
    def _bad_word(e: ConfigError, body: list[Word]) -> Word | None:
        m = re.search(r"- '([^']*)'", e.message)
        if m:
            for w in body:
                if w.text == m.group(1):
                    return w
        return body[-1] if body else None

    def delete(self, args: list[Word], verb: Word) -> str:
        self._need_edit()
        if not args:
            raise self.fail(verb, MISSING + " - 'path'")
        texts = [w.text for w in args]
        if not self.in_configure:
            if texts[0] != "configure":
                raise self.fail(args[0], f"{UNKNOWN} - '{texts[0]}'")
            path, body = texts[1:], args[1:]
        else:
            path, body = self.path_words() + texts, args
        if not path:  # ``delete configure``: the whole candidate (napalm-sros' replace)
            self.edit.load(Config(), replace=True)
            return ""
        self._edit(path, body, delete=True)
        return ""

    # ---- info / compare ------------------------------------------------------------------------
    def _source(self) -> Config:
        return self.edit.candidate if self.edit is not None else self.db.running

    def _where(self, args: list[Word]) -> tuple[list[str], set[str]]:
        opts = {"flat", "full-context", "detail", "summary", "json", "xml", "converted", "inheritance",
                "exclude-defaults", "candidate", "running", "baseline"}
        flags = {w.text for w in args if w.text in opts}
        rest = [w for w in args if w.text not in opts]
        if rest and rest[0].text == "from":
            rest = rest[2:] if len(rest) > 1 else []
        path = self.path_words() + [w.text for w in rest] if self.in_configure else [w.text for w in rest]
        if not self.in_configure and path:
            if path[0] != "configure":
                raise self.fail(rest[0], f"{UNKNOWN} - '{path[0]}'")
            path = path[1:]
        return path, flags

    def info(self, args: list[Word]) -> str:
        path, flags = self._where(args)
        conf = self._source()
        if "full-context" in flags:
            text = conf.full_context()
            if path:
                prefix = "/configure " + " ".join(path)
                text = "".join(ln + "\n" for ln in text.splitlines() if _under(ln, path))
                _ = prefix
            return text
        if "flat" in flags:
            text = conf.flat(path)
            if not self.in_configure and not path:
                text = "".join("configure " + ln + "\n" for ln in text.splitlines())
            return text
        if not self.in_configure and not path:  # at the root: the configure branch itself
            body = conf.info([])
            return "configure {\n" + _indent(body) + "}\n"
        return conf.info(path)

    def compare(self, args: list[Word]) -> str:
        """``compare [summary] [path]``: the candidate against its baseline, from the present context
        (SR OS indents the tree by one level to keep the first column for ``+``/``-``)."""
        edit = self._need_edit(write=False)
        path, _flags = self._where(args)
        text = self.db.compare(edit)
        if path:
            return _subtree_diff(text, path)
        if not self.in_configure and text:  # at the root the configure branch is a level of its own
            return "    configure {\n" + _shift(text) + "    }\n"
        return text

    # ---- commit / discard / rollback -----------------------------------------------------------
    async def commit(self, args: list[Word]) -> str:
        edit = self._need_edit()
        a = [w.text for w in args]
        confirmed: int | None = None
        persist: str | None = None
        comment = ""
        i = 0
        while i < len(a):
            w = a[i]
            if w == "confirmed":
                nxt = a[i + 1] if i + 1 < len(a) else None
                if nxt == "accept":
                    return self._confirm(a[i + 2:])
                if nxt == "cancel":
                    return await self._cancel(a[i + 2:])
                confirmed = 10  # SR OS's default timeout, minutes
                if nxt is not None and nxt.isdigit():
                    confirmed = int(nxt)
                    if not 1 <= confirmed <= 168 * 60:
                        raise self.fail(args[i + 1], f"MINOR: CLI #2008: Invalid element value - '{nxt}'")
                    i += 1
            elif w == "timeout" and i + 1 < len(a) and a[i + 1].isdigit():
                confirmed = int(a[i + 1])
                i += 1
            elif w == "persist-id" and i + 1 < len(a):
                persist = a[i + 1]
                i += 1
            elif w == "comment" and i + 1 < len(a):
                comment = a[i + 1]
                i += 1
            elif w in ("no-checkpoint",):
                pass
            else:
                raise self.fail(args[i], f"{UNKNOWN} - '{w}'")
            i += 1
        if persist is not None and confirmed is None:
            raise CliFail(MISSING + " - 'confirmed'")
        try:
            await self.db.commit(edit, confirmed=confirmed, persist=persist, comment=comment)
        except ConfigError as e:
            log.info("sros twin %s: cli commit failed: %s", self.twin.name, e.message)
            return e.message.rstrip("\n") + "\n"
        return ""

    def _confirm(self, rest: list[str]) -> str:
        pid = rest[1] if rest[:1] == ["persist-id"] and len(rest) > 1 else None
        try:
            self.db.confirm(pid, self.edit)
        except ConfigError as e:
            return e.message.rstrip("\n") + "\n"
        return ""

    async def _cancel(self, rest: list[str]) -> str:
        pid = rest[1] if rest[:1] == ["persist-id"] and len(rest) > 1 else None
        try:
            await self.db.cancel_confirmed(pid, self.edit)
        except ConfigError as e:
            return e.message.rstrip("\n") + "\n"
        return ""

    def discard(self, args: list[Word]) -> str:
        edit = self._need_edit()
        if args:
            raise self.fail(args[0], f"{UNKNOWN} - '{args[0].text}'")
        edit.discard()
        return ""

    async def rollback(self, args: list[Word]) -> str:
        """``rollback <n>`` (configuration mode): checkpoint n becomes the candidate; commit applies it."""
        edit = self._need_edit()
        if len(args) != 1 or not (args[0].text.isdigit() or args[0].text == "startup"):
            raise CliFail(MISSING + " - 'checkpoint'") if not args else self.fail(
                args[0], f"MINOR: CLI #2008: Invalid element value - '{args[0].text}'")
        n = 0 if args[0].text == "startup" else int(args[0].text)
        edit.rollback(n)
        return ""

    def validate(self) -> str:
        edit = self._need_edit(write=False)
        fn = getattr(self.db, "validate", None)
        if fn is not None:
            try:
                fn(edit)
            except ConfigError as e:
                return e.message.rstrip("\n") + "\n"
        return ""

    def update(self) -> str:
        edit = self._need_edit()
        fn = getattr(self.db, "update", None)
        if fn is not None:
            fn(edit)
        return ""

    # ---- admin / show --------------------------------------------------------------------------
    async def admin(self, args: list[Word]) -> str:
        a = [w.text for w in args]
        if a[:2] == ["show", "configuration"]:
            rest = a[2:]
            if rest and rest[0] != "configure":
                raise self.fail(args[2], f"{UNKNOWN} - '{rest[0]}'")
            return self.db.running.admin_show(version=self.twin.version, chassis=self.twin.chassis)
        if a[:2] == ["rollback", "revert"] and len(a) == 3:
            n = a[2]
            if not n.isdigit():
                raise self.fail(args[2], f"MINOR: CLI #2008: Invalid element value - '{n}'")
            try:
                await self.db.rollback_revert(int(n))
            except ConfigError as e:
                return e.message.rstrip("\n") + "\n"
            return ""
        if a[:1] == ["save"]:
            save = getattr(self.db, "save", None)
            if save is not None:
                save()
            return ""
        raise self.fail(args[0] if args else Word("admin", 0, "admin"),
                        f"{UNKNOWN} - '{a[0] if a else 'admin'}'")

    async def show(self, args: list[Word]) -> str:
        a = [w.text for w in args]
        if not a:
            raise CliFail(MISSING)
        try:
            state = importlib.import_module("fabric.vendors.sros.twin.state")
        except ImportError:
            raise self.fail(args[0], f"{UNKNOWN} - '{a[0]}'") from None
        try:
            text = await state.show(self.twin, a)
        except ConfigError as e:
            return e.message.rstrip("\n") + "\n"
        if text is None:
            raise self.fail(args[0], f"{UNKNOWN} - '{a[0]}'")
        return text if text.endswith("\n") or not text else text + "\n"


def _display(words: list[str]) -> list[str]:
    """Path words as SR OS prints a context: string keys in double quotes (``router "Base"``)."""
    out: list[str] = []
    parent, i = "", 0
    while i < len(words):
        w = words[i]
        keys = cfg.keys_of(parent, w)
        out.append(w)
        i += 1
        if keys:
            for k in keys:
                if i < len(words):
                    out.append(cfg.word(w, k, words[i]))
                    i += 1
        parent = w
    return out


def _containers(data: Any, out: set[str] | None = None) -> set[str]:
    """The names of the containers a configuration tree has (at any depth)."""
    out = set() if out is None else out
    if isinstance(data, dict):
        for k, v in data.items():
            if isinstance(v, dict):
                out.add(k)
                _containers(v, out)
            elif isinstance(v, list):
                for e in v:
                    _containers(e, out)
    return out


def _indent(text: str, n: int = 4) -> str:
    pad = " " * n
    return "".join((pad + ln if ln.strip() else ln) + "\n" for ln in text.splitlines())


def _under(line: str, path: list[str]) -> bool:
    words = [w.strip('"') for w in line.split()]
    return words[1:1 + len(path)] == path


def _shift(text: str, n: int = 4) -> str:
    """Indent ``compare`` lines by ``n``, the ``+``/``-`` staying in the first column."""
    out = []
    for ln in text.splitlines():
        sign, rest = (ln[0], ln[1:]) if ln[:1] in ("+", "-", "~") else (" ", ln[1:] if ln[:1] == " " else ln)
        out.append(sign + " " * n + rest if ln.strip() else ln)
    return "".join(o + "\n" for o in out)


def _subtree_diff(text: str, path: list[str]) -> str:
    """The part of a hierarchical ``compare`` under ``path`` (its blocks, re-indented to the context)."""
    lines = text.splitlines()
    depth, i = 0, 0
    while i < len(lines) and depth < len(path):
        body = lines[i][1:].strip()
        head = [w.strip('"') for w in body.rstrip("{").split()]
        if body.endswith("{") and head and head == path[depth:depth + len(head)]:
            depth += len(head)
        i += 1
    if depth < len(path):
        return ""
    out: list[str] = []
    level: int | None = None
    for ln in lines[i:]:
        sign, rest = ln[:1], ln[1:]
        indent = len(rest) - len(rest.lstrip())
        if level is None:
            level = indent
        if indent < level:
            break
        out.append(sign + rest[level - 3:])
    return "".join(o + "\n" for o in out)


async def serve_cli(twin: SrosTwin, process: Any) -> None:
    """One SSH session of the MD-CLI (an asyncssh server process, text, line editor)."""
    sess = Session(twin, process)
    await twin.serve_session(sess.run, sess.end, process, "md-cli")
