"""IOS-XR commit database: target configurations per session, two-stage commit, commit confirmed,
rollback points, the exclusive lock.

XR semantics, not Junos's: every configuration session has its own *target* configuration (its edits
on top of running); ``commit`` applies the session's changes to running as one atomic operation and
records a commit (IDs 1000000001 upward). ``commit confirmed <seconds>`` arms one timer on the device:
when it expires the configuration from before the trial is committed back, as a new commit. A plain
commit (or a NETCONF ``<commit/>``) while a trial runs confirms it. ``rollback configuration last N``
undoes the last N commits, ``rollback configuration to <id>`` undoes that commit and every later one.

The database does not reach a control plane itself: ``apply`` (an async callable of the twin)
activates a configuration and raises ConfigError when the control plane refuses it; the commit then
changes nothing.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fabric.vendors.iosxr.twin.config import (
    XR_VERSION,
    Config,
    ConfigError,
    Editor,
    changes,
    diff,
    parse_text,
    rebase,
)

__all__ = ["XR_VERSION", "Commit", "CommitDb", "CommitFailed", "Session", "LockError"]

log = logging.getLogger(__name__)

HISTORY = 100  # rollback points XR keeps (commit database size)
FIRST_ID = 1000000001
Apply = Callable[[Config], Awaitable[None]]

FAILED_MSG = ("% Failed to commit one or more configuration items during a pseudo-atomic operation. "
              "All changes made have been reverted. Please issue 'show configuration failed [inheritance]' "
              "from this session to view the errors")
LOCKED_COMMIT_MSG = ("% Failed to commit because the configuration is locked by another agent. "
                     "Please use 'show configuration sessions' to see the agent that holds the lock.")
LOCKED_MSG = ("% Failed to lock the configuration because it is locked by another agent. "
              "Please use 'show configuration sessions' to see the agent that holds the lock.")
NO_CHANGES = "% No configuration changes to commit."
_SEMANTIC = ("!! SEMANTIC ERRORS: This configuration was rejected by \n"
             "!! the system due to semantic errors. The individual \n"
             "!! errors with each failed configuration command can be \n"
             "!! found below.\n\n\n")


TRIAL_PENDING_MSG = ("% Cannot commit because there is an unexpired trial/rollback session. "
                     "Please try again after the trial/rollback session is over.")

class CommitFailed(ConfigError):
    """The control plane refused the commit; nothing changed (``show configuration failed`` has why)."""


class LockError(ConfigError):
    """The configuration is locked by another session (``configure exclusive`` / NETCONF lock)."""


@dataclass
class Commit:
    id: str
    user: str
    line: str
    client: str
    time: float
    comment: str = ""
    label: str = ""
    config: Config = field(default_factory=Config)  # running after this commit

    def meta(self) -> dict[str, Any]:
        return {"id": self.id, "user": self.user, "line": self.line, "client": self.client,
                "time": self.time, "comment": self.comment, "label": self.label}


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)  # a crash never leaves half a file


class Session:
    """One configuration session (``configure`` in the CLI, one NETCONF session): its target config."""

    def __init__(self, db: CommitDb, user: str, client: str = "CLI", line: str = "") -> None:
        self.db = db
        self.user = user
        self.client = client
        self.line = line or ("vty0:node0_RP0_CPU0" if client == "CLI" else "netconf")
        self.since = time.time()
        self.base = db.running.copy()     # running when this session's edits started
        self.target = self.base.copy()
        self.editor = Editor(self.target)
        self.replace_pending = False      # ``commit replace`` / NETCONF replace: target is the whole config
        self.failed: str | None = None    # ``show configuration failed`` of the last failed commit
        self.closed = False

    def feed(self, line: str) -> None:
        self.editor.feed(line)

    def feed_text(self, text: str) -> None:
        self.editor.feed_text(text)

    def set_target(self, conf: Config, *, replace: bool = False) -> None:
        """``load`` a configuration into the target; ``replace``: it is the whole configuration."""
        self.target = conf
        self.editor = Editor(conf)
        self.replace_pending = replace

    def proposed(self) -> Config:
        """What running would be after ``commit``."""
        if self.replace_pending:
            return self.target.copy()
        return rebase(self.base, self.target, self.db.running)

    def changed(self) -> bool:
        return self.proposed() != self.db.running

    def diff(self) -> str:
        """``show commit changes diff`` lines (the caller adds XR's header and ``end``)."""
        return diff(self.db.running, self.proposed())

    def abort(self) -> None:
        """``abort`` / ``clear``: the target is running again."""
        self.base = self.db.running.copy()
        self.set_target(self.base.copy())

    def refresh(self) -> None:
        self.abort()


class CommitDb:
    """The commit database of one twin, shared by all its sessions."""

    def __init__(self, state_dir: Path, apply: Apply, hostname: str = "") -> None:
        self.state_dir = Path(state_dir)
        self.apply = apply
        self.hostname = hostname
        self.base = Config()              # running before the oldest commit kept (boot config)
        self.history: list[Commit] = []   # oldest first
        self.next_id = FIRST_ID
        self.lock_owner: Session | None = None
        self.sessions: list[Session] = []
        # the pending trial (``commit confirmed``): when it ends, what it reverts to, who armed it
        self.pending_confirm: float | None = None
        self.trial_seconds = 0
        self._revert_to: Config | None = None
        self._trial_user = ""
        self._trial_owner: Session | None = None  # the CLI session whose `commit confirmed` is pending
        self._trial_line = ""
        self._timer: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._busy = asyncio.Lock()

    # ---- views --------------------------------------------------------------------------------
    @property
    def running(self) -> Config:
        return self.history[-1].config if self.history else self.base

    def boot(self, conf: Config) -> None:
        """The configuration the router boots with (startup-config): running, no commit yet."""
        self.base = conf.copy()
        self.history = []
        self.next_id = FIRST_ID
        for s in self.sessions:
            s.abort()

    def find(self, commit_id: str) -> int:
        for i, c in enumerate(self.history):
            if c.id == commit_id or (c.label and c.label == commit_id):
                return i
        raise ConfigError(f"% Invalid commit id '{commit_id}'. Please use 'show configuration commit list' "
                          "to list the valid commit ids.")

    def before(self, i: int) -> Config:
        """Running before commit number i of the history."""
        return self.history[i - 1].config if i > 0 else self.base

    # ---- sessions and the lock ------------------------------------------------------------------
    def session(self, user: str, client: str = "CLI", line: str = "") -> Session:
        s = Session(self, user, client, line)
        self.sessions.append(s)
        return s

    def close(self, s: Session) -> None:
        """A session ends: its lock goes with it (its target is dropped by the caller's abort)."""
        if self.lock_owner is s:
            self.lock_owner = None
        s.closed = True
        if s in self.sessions:
            self.sessions.remove(s)

    close_session = close

    def lock_exclusive(self, s: Session) -> None:
        if self.lock_owner is not None and self.lock_owner is not s:
            raise LockError(LOCKED_MSG)
        self.lock_owner = s

    def unlock(self, s: Session) -> None:
        if self.lock_owner is not s:
            raise LockError("% The configuration is not locked by this session.")
        self.lock_owner = None

    # ---- commit -------------------------------------------------------------------------------
    async def commit(self, s: Session, *, replace: bool = False, confirmed: int | None = None,
                     comment: str = "", label: str = "") -> Commit | None:
        """Commit the session's target. None when there is nothing to commit (a pending trial is then
        confirmed, as XR does). CommitFailed when the control plane refuses: nothing changes."""
        if confirmed is not None and not 1 <= confirmed <= 65535:
            raise ConfigError(f"% Invalid confirmed commit timeout: {confirmed} (30-65535 seconds)")
        if label and (label[0].isdigit() or any(c.label == label for c in self.history)):
            raise ConfigError(f"% Label '{label}' is invalid or already in use.")
        async with self._busy:
            if self.lock_owner is not None and self.lock_owner is not s:
                raise LockError(LOCKED_COMMIT_MSG)
            if replace:
                s.replace_pending = True
            new = s.proposed()
            # XR binds a CLI trial to the session that made it: only that session's `commit` confirms it,
            # another CLI session cannot commit meanwhile (NETCONF has its own rules: RFC 6241 persist)
            foreign = (self.pending_confirm is not None and s.client == "CLI"
                       and self._trial_owner is not None and self._trial_owner is not s)
            if new == self.running:
                s.failed = None
                if self.pending_confirm is not None and confirmed is None and not foreign:
                    self.confirm()
                s.abort()
                return None
            if foreign:
                raise ConfigError(TRIAL_PENDING_MSG)
            before = self.running
            try:
                await self.apply(new.copy())
            except ConfigError as e:
                s.failed = self._failed_text(e)
                raise CommitFailed(FAILED_MSG) from e
            s.failed = None
            c = self._record(new, s.user, s.line, s.client, comment, label)
            if confirmed is not None:
                if self.pending_confirm is None:  # a second trial keeps the first one's way back
                    self._revert_to = before.copy()
                self._trial_user, self._trial_line = s.user, s.line
                self._trial_owner = s if s.client == "CLI" else None
                self.trial_seconds = confirmed
                self._arm(time.time() + confirmed)
            elif self.pending_confirm is not None:
                self.confirm()
            s.abort()
            self.save()
            return c

    @staticmethod
    def _failed_text(e: ConfigError) -> str:
        if e.message.lstrip().startswith("!!"):  # control.validate gives XR's whole text already
            return e.message if e.message.rstrip().endswith("end") else e.message.rstrip("\n") + "\nend\n"
        path = getattr(e, "path", None)
        lines = []
        depth = 0
        if isinstance(path, (list, tuple)):
            for depth, p in enumerate(path):
                lines.append(" " * depth + str(p))
            depth = len(path)
        for m in e.message.strip().splitlines() or [""]:
            lines.append(" " * depth + "!!% " + m.lstrip("% "))
        lines.extend(" " * d + "!" for d in range(depth - 1, -1, -1))
        return _SEMANTIC + "\n".join(lines) + "\nend\n"

    def _record(self, conf: Config, user: str, line: str, client: str, comment: str = "",
                label: str = "") -> Commit:
        c = Commit(str(self.next_id), user, line, client, time.time(), comment, label, conf.copy())
        self.next_id += 1
        self.history.append(c)
        while len(self.history) > HISTORY:
            self.base = self.history.pop(0).config
        return c

    # ---- commit confirmed -------------------------------------------------------------------------
    def _arm(self, deadline: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self.pending_confirm = deadline
        loop = asyncio.get_running_loop()
        delay = max(0.0, deadline - time.time())
        self._timer = loop.call_later(delay, self._fire)

    def _fire(self) -> None:
        task = asyncio.get_running_loop().create_task(self._expire())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def confirm(self) -> bool:
        """The trial is kept (plain ``commit``, NETCONF ``<commit/>``); False when none was pending."""
        if self.pending_confirm is None:
            return False
        if self._timer is not None:
            self._timer.cancel()
        self._timer = None
        self.pending_confirm = None
        self._revert_to = None
        self.save()
        return True

    async def cancel_confirmed(self) -> bool:
        """NETCONF ``<cancel-commit/>`` (or leaving the trial): revert now, as the timer would."""
        if self.pending_confirm is None:
            return False
        await self._expire(now=True)
        return True

    async def _expire(self, now: bool = False) -> None:
        """The trial ran out: the configuration from before it is committed back by the device."""
        async with self._busy:
            if self.pending_confirm is None or self._revert_to is None:
                return
            if not now and time.time() < self.pending_confirm - 0.05:  # the loop clock ran ahead
                self._arm(self.pending_confirm)
                return
            if self._timer is not None:
                self._timer.cancel()
            self._timer = None
            old = self._revert_to.copy()
            try:
                await self.apply(old.copy())
            except ConfigError:  # the control plane refused the old config: keep what runs, retry
                log.exception("iosxr twin %s: commit confirmed rollback refused; retrying in 5 s",
                              self.hostname)
                self._arm(time.time() + 5)
                return
            self.pending_confirm = None
            self._revert_to = None
            self._record(old, self._trial_user or "system", self._trial_line, "Rollback",
                         comment="commit confirmed rollback")
            self.save()

    def resume(self) -> None:
        """After a twin restart: a pending trial keeps the time it had left (or ends now)."""
        if self.pending_confirm is not None and self._revert_to is not None:
            self._arm(self.pending_confirm)

    # ---- rollback ---------------------------------------------------------------------------------
    async def rollback_last(self, n: int, user: str, line: str = "") -> Commit | None:
        """``rollback configuration last N``: undo the last N commits."""
        if not 1 <= n <= len(self.history):
            raise ConfigError(f"% Rollback of {n} commits is not possible: the commit database has "
                              f"{len(self.history)} commits.")
        return await self._rollback(self.before(len(self.history) - n), user, line)

    async def rollback_to(self, commit_id: str, user: str, line: str = "") -> Commit | None:
        """``rollback configuration to <id>``: undo that commit and every later one."""
        return await self._rollback(self.before(self.find(commit_id)), user, line)

    async def _rollback(self, conf: Config, user: str, line: str) -> Commit | None:
        async with self._busy:
            if self.lock_owner is not None and self.lock_owner.user != user:
                raise LockError(LOCKED_COMMIT_MSG)
            if conf == self.running:
                return None
            try:
                await self.apply(conf.copy())
            except ConfigError as e:
                raise CommitFailed(FAILED_MSG) from e
            if self.pending_confirm is not None:  # a rollback ends the trial: what runs is chosen
                if self._timer is not None:
                    self._timer.cancel()
                self._timer, self.pending_confirm, self._revert_to = None, None, None
            c = self._record(conf, user, line or "vty0:node0_RP0_CPU0", "Rollback")
            self.save()
            return c

    # ---- show -------------------------------------------------------------------------------------
    def commit_list(self, n: int | None = None) -> str:
        """``show configuration commit list [n]``: newest first."""
        if not self.history:
            return "The commit database is empty.\n"
        out = ["SNo. Label/ID              User      Line                Client      Time Stamp",
               "~~~~ ~~~~~~~~              ~~~~      ~~~~                ~~~~~~      ~~~~~~~~~~"]
        for sno, c in enumerate(reversed(self.history), 1):
            if n is not None and sno > n:
                break
            ident = c.label or c.id
            out.append(f"{sno:<5}{ident:<22}{c.user[:9]:<10}{c.line[:18]:<20}{c.client[:11]:<12}"
                       f"{_stamp(c.time)}")
        return "\n".join(out) + "\n"

    def commit_changes(self, commit_id: str) -> str:
        """``show configuration commit changes <id>``: what that commit set."""
        i = self.find(commit_id)
        body = changes(self.before(i), self.history[i].config)
        return f"Building configuration...\n!! IOS XR Configuration {XR_VERSION}\n{body}end\n"

    # ---- persistence --------------------------------------------------------------------------------
    def save(self) -> None:
        d = self.state_dir
        write_atomic(d / "running.cfg", self.running.text())
        write_atomic(d / "base.cfg", self.base.text())
        keep = {f"{c.id}.cfg" for c in self.history}
        for c in self.history:
            f = d / "commits" / f"{c.id}.cfg"
            if not f.exists():
                write_atomic(f, c.config.text())
        if (d / "commits").exists():
            for f in (d / "commits").iterdir():
                if f.name not in keep:
                    f.unlink(missing_ok=True)
        meta = {"next_id": self.next_id, "commits": [c.meta() for c in self.history],
                "pending_confirm": self.pending_confirm, "trial_seconds": self.trial_seconds,
                "trial_user": self._trial_user, "trial_line": self._trial_line}
        if self._revert_to is not None:
            write_atomic(d / "trial-revert.cfg", self._revert_to.text())
        # the meta file goes last: it is what restore() trusts
        write_atomic(d / "commitdb.json", json.dumps(meta, indent=1))

    def restore(self) -> bool:
        """Load the saved database; False when there is none."""
        d = self.state_dir
        meta_file = d / "commitdb.json"
        if not meta_file.exists():
            return False
        meta = json.loads(meta_file.read_text())
        hist = []
        for m in meta.get("commits", []):
            f = d / "commits" / f"{m['id']}.cfg"
            if not f.exists():
                return False
            hist.append(Commit(m["id"], m["user"], m.get("line", ""), m.get("client", "CLI"),
                               float(m["time"]), m.get("comment", ""), m.get("label", ""),
                               parse_text(f.read_text())))
        self.base = parse_text((d / "base.cfg").read_text()) if (d / "base.cfg").exists() else Config()
        self.history = hist
        self.next_id = int(meta.get("next_id", FIRST_ID + len(hist)))
        self.pending_confirm = meta.get("pending_confirm")
        self.trial_seconds = int(meta.get("trial_seconds", 0))
        self._trial_user = meta.get("trial_user", "")
        self._trial_line = meta.get("trial_line", "")
        revert = d / "trial-revert.cfg"
        self._revert_to = parse_text(revert.read_text()) if self.pending_confirm and revert.exists() else None
        if self._revert_to is None:
            self.pending_confirm = None
        for s in self.sessions:
            s.abort()
        return True


def _stamp(t: float) -> str:
    """``Mon Jun  2 10:54:57 2025`` (XR pads the day with a space)."""
    g = time.gmtime(t)
    return f"{time.strftime('%a %b', g)} {g.tm_mday:2d} {time.strftime('%H:%M:%S %Y', g)}"
