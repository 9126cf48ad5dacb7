"""Junos configuration transactions: candidate vs running, commit, commit check, commit confirmed,
50 rollback slots, the configuration lock, private candidates.

What the database does not do itself is reach a control plane: :class:`ConfigDb` calls ``apply``
(an async callable given by the twin) with the configuration to activate, before it becomes the
running configuration; an exception there fails the commit and changes nothing.
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

from fabric.vendors.junos.twin.config import Config, ConfigError, parse_text
from fabric.vendors.junos.twin.diff import junos_diff

log = logging.getLogger(__name__)

# The vJunos-router image our containerlab topologies name (show version, facts RPCs).
JUNOS_VERSION = "23.2R1.15"
ROLLBACK_SLOTS = 50
Apply = Callable[[Config], Awaitable[None]]


class DbError(ConfigError):
    """A transaction error (lock denied, database modified, bad rollback number ...)."""


@dataclass
class Commit:
    config: Config
    when: float
    user: str
    client: str
    comment: str = ""
    log: str = ""


@dataclass
class Editor:
    """One management session's view: shared candidate or its own private candidate."""

    sid: int
    user: str
    client: str = "netconf"
    private: Config | None = None
    base: Config | None = None  # the running config a private candidate started from
    since: float = field(default_factory=time.time)


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)  # a crash never leaves half a file


class ConfigDb:
    """The configuration database of one twin (shared by all its sessions)."""

    # ``commit confirmed N`` counts N minutes of this many seconds (tests shorten it; nothing else may)
    seconds_per_minute = 60.0

    def __init__(self, state_dir: Path, apply: Apply, hostname: str = "") -> None:
        self.state_dir = state_dir
        self.apply = apply
        # what ``commit check`` runs beyond syntax (the twin's control.validate: policies, peer-as ...)
        self.validate: Callable[[Config], object] = lambda conf: None
        self.history: list[Commit] = [Commit(Config(), time.time(), "root", "boot")]
        self.candidate = Config()
        self.lock_owner: Editor | None = None
        self.confirm_deadline: float | None = None
        self.confirm_minutes = 0  # N of the pending ``commit confirmed N``
        self._timer: asyncio.TimerHandle | None = None
        self._busy = asyncio.Lock()
        self.hostname = hostname

    # ---- views ----------------------------------------------------------------------------
    @property
    def running(self) -> Config:
        return self.history[0].config

    def candidate_of(self, ed: Editor) -> Config:
        return ed.private if ed.private is not None else self.candidate

    def modified(self) -> bool:
        return self.candidate.text() != self.running.text()

    def rollback_config(self, n: int) -> Config:
        if not 0 <= n < ROLLBACK_SLOTS:
            raise DbError(f"invalid rollback index: {n}", token=str(n))
        if n >= len(self.history):
            raise DbError(f"rollback {n} does not exist", token=str(n), tag="data-missing")
        return self.history[n].config

    # ---- locks and editing -----------------------------------------------------------------
    def _locked_msg(self) -> str:
        o = self.lock_owner
        assert o is not None
        since = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(o.since))
        return (f"configuration database locked by:\n  {o.user} terminal -- (pid {o.sid}) on since {since}\n"
                "      exclusive [edit]")

    def lock(self, ed: Editor) -> None:
        if self.lock_owner is not None and self.lock_owner is not ed:
            raise DbError(self._locked_msg(), tag="lock-denied", kind="protocol",
                          info=f"<session-id>{self.lock_owner.sid}</session-id>\n")
        if self.lock_owner is None and self.modified():
            raise DbError("configuration database modified", tag="lock-denied", kind="protocol")
        self.lock_owner = ed

    def unlock(self, ed: Editor) -> None:
        if self.lock_owner is not ed:
            raise DbError("configuration database not locked", tag="operation-failed", kind="protocol")
        self.lock_owner = None

    def _check_edit(self, ed: Editor) -> None:
        if ed.private is None and self.lock_owner is not None and self.lock_owner is not ed:
            raise DbError(self._locked_msg(), tag="in-use", kind="protocol")

    def load(self, ed: Editor, data: Any, fmt: str, action: str) -> None:
        """``load-configuration``: the candidate is replaced only when the whole load succeeds."""
        self._check_edit(ed)
        new = self.candidate_of(ed).load(data, fmt, action)
        self._set_candidate(ed, new)

    def load_rollback(self, ed: Editor, n: int) -> None:
        self._check_edit(ed)
        self._set_candidate(ed, self.rollback_config(n).copy())

    def discard(self, ed: Editor) -> None:
        """``discard-changes`` (rollback 0)."""
        self._check_edit(ed)
        self._set_candidate(ed, self.running.copy())

    def _set_candidate(self, ed: Editor, new: Config) -> None:
        if ed.private is not None:
            ed.private = new
        else:
            self.candidate = new

    def open_private(self, ed: Editor) -> None:
        if self.lock_owner is not None and self.lock_owner is not ed:
            raise DbError(self._locked_msg(), tag="lock-denied", kind="protocol")
        if self.modified():
            raise DbError("shared configuration database modified", tag="lock-denied", kind="protocol")
        ed.private = self.running.copy()
        ed.base = self.running.copy()

    def close_private(self, ed: Editor) -> None:
        ed.private = None
        ed.base = None

    def end_session(self, ed: Editor) -> None:
        """A session that ends with the lock held loses its uncommitted changes (``configure exclusive``)."""
        if self.lock_owner is ed:
            self.lock_owner = None
            self.candidate = self.running.copy()

    # ---- commit ------------------------------------------------------------------------------
    def check(self, ed: Editor) -> Config:
        """``commit check``: the candidate as it would be committed (syntax is checked at load)."""
        conf = parse_text(self.candidate_of(ed).text())  # a configuration that would not load back is refused
        self.validate(conf)
        return conf

    async def commit(self, ed: Editor, *, check: bool = False, confirmed: bool = False,
                     minutes: int = 10, comment: str = "", log: str = "") -> None:
        if confirmed and not 1 <= minutes <= 65535:
            raise DbError(f"invalid value for confirm-timeout: {minutes}", token=str(minutes),
                          tag="invalid-value")
        async with self._busy:
            self._check_edit(ed)
            new = self.check(ed)
            if self.confirm_deadline is not None:
                self._cancel_timer()  # any commit (also ``commit check``) confirms a pending one
            if check:
                self.save()
                return
            if ed.private is not None and ed.base is not None and self.running.text() != ed.base.text():
                raise DbError("configuration database modified since private session started",
                              tag="operation-failed", kind="application")
            shared_clean = not self.modified()
            await self.apply(new)
            self._push(Commit(new, time.time(), ed.user, ed.client, comment, log))
            if ed.private is not None:
                ed.private, ed.base = new.copy(), new.copy()
            if ed.private is None or shared_clean:  # an unchanged shared candidate follows running
                self.candidate = new.copy()
            if confirmed:
                self.confirm_deadline = time.time() + self.seconds_per_minute * minutes
                self.confirm_minutes = minutes
                self._arm()
            self.save()

    def _push(self, c: Commit) -> None:
        self.history.insert(0, c)
        del self.history[ROLLBACK_SLOTS:]

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = None
        self.confirm_deadline = None

    def _arm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        assert self.confirm_deadline is not None
        delay = max(0.0, self.confirm_deadline - time.time())
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(delay, lambda: loop.create_task(self._expire()))

    async def _expire(self) -> None:
        """``commit confirmed`` not confirmed in time: rollback 1 is committed again, by the device."""
        async with self._busy:
            if self.confirm_deadline is None or len(self.history) < 2:
                return
            self._timer = None
            self.confirm_deadline = None
            old = self.history[1].config.copy()
            try:
                await self.apply(old)
            except Exception:  # the control plane refused the old config: keep what runs, retry later
                log.exception("commit confirmed rollback could not be applied; retrying in 5 s")
                self.confirm_deadline = time.time() + 5
                self._arm()
                return
            was_shared_clean = not self.modified()
            self._push(Commit(old, time.time(), "root", "other", log="automatic rollback (commit confirmed)"))
            if was_shared_clean:
                self.candidate = old.copy()
            self.save()

    def resume(self) -> None:
        """After a restart: a pending confirmed commit keeps the time it had left."""
        if self.confirm_deadline is not None:
            self._arm()

    # ---- compare -------------------------------------------------------------------------
    def compare(self, new: Config, n: int) -> str:
        return junos_diff(self.rollback_config(n), new)

    # ---- persistence ---------------------------------------------------------------------------
    def save(self) -> None:
        d = self.state_dir
        write_atomic(d / "juniper.conf", self.running.text())
        for i, c in enumerate(self.history):
            write_atomic(d / "rollback" / f"juniper.conf.{i}", c.config.text())
        for i in range(len(self.history), ROLLBACK_SLOTS):
            (d / "rollback" / f"juniper.conf.{i}").unlink(missing_ok=True)
        meta = {
            "commits": [{"when": c.when, "user": c.user, "client": c.client, "comment": c.comment,
                         "log": c.log} for c in self.history],
            "confirm_deadline": self.confirm_deadline,
            "confirm_minutes": self.confirm_minutes,
        }
        write_atomic(d / "commits.json", json.dumps(meta, indent=1))

    def restore(self) -> bool:
        """Load saved state; False when there is none."""
        d = self.state_dir
        meta_file = d / "commits.json"
        if not meta_file.exists():
            return False
        meta = json.loads(meta_file.read_text())
        hist = []
        for i, m in enumerate(meta.get("commits", [])):
            f = d / "rollback" / f"juniper.conf.{i}"
            if not f.exists():
                break
            hist.append(Commit(parse_text(f.read_text()), float(m["when"]), m["user"], m["client"],
                               m.get("comment", ""), m.get("log", "")))
        if not hist:
            return False
        self.history = hist
        self.candidate = self.running.copy()
        self.confirm_deadline = meta.get("confirm_deadline")
        self.confirm_minutes = int(meta.get("confirm_minutes", 0))
        return True
