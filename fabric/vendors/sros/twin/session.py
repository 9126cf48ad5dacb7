"""SR OS configuration datastores: running, the global candidate, private candidates, commits, confirmed
commits, the rollback history and the NETCONF locks.

MD-CLI semantics (MD-CLI user guide, "Candidate configuration modes"):
- ``edit-config private``: the session's own candidate, based on running at entry;
- ``edit-config global``: the shared global candidate (NETCONF's ``<candidate/>`` is the same one);
- ``edit-config exclusive``: the global candidate with exclusive access: nobody else may edit it and no
  other session may commit; refused while another session holds it or the global candidate has
  uncommitted changes; its uncommitted changes are discarded when the session leaves;
- ``edit-config read-only``: sees the global candidate, cannot edit or commit.
Every candidate remembers its *baseline* (running when it was last in step); when running moved on
meanwhile, ``commit`` replays the candidate's changes onto today's running configuration (``three_way``,
the automatic ``update`` SR OS does).

``commit confirmed`` arms a timer here, on the device side: unless accepted in time the configuration from
before the first unaccepted confirmed commit comes back by itself. Without a persist token the trial also
ends when the session that made it ends (RFC 6241 8.4; the brief of issue #17); with one it survives the
session and is accepted or cancelled by any session that gives the token. The deadline is absolute and
saved, so a restart of the twin server keeps the time left.

Every commit records a rollback checkpoint (the configuration it made, who, when, comment): checkpoint 0 is
running, 1 the configuration before the latest commit, and so on (napalm-sros's ``rollback 1`` undoes the
last commit). The boot configuration is the oldest entry, committed by ``system``.

The store does not reach a control plane itself: ``apply`` (an async callable of the twin) activates a
configuration and raises ConfigError when SR OS would refuse it; the commit then changes nothing.
Error texts follow SR OS's ``MINOR: MGMT_CORE #nnnn: ...`` form; the numbers and wording we could not check
on a device are marked "approximated".
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import shutil
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fabric.vendors.sros import config as cfg
from fabric.vendors.sros.config import Config, ConfigError

__all__ = ["Commit", "Datastore", "EditSession", "LockDenied", "Pending", "MODES"]

log = logging.getLogger(__name__)

Apply = Callable[[Config], Awaitable[None]]
MODES = ("private", "exclusive", "global", "read-only")
HISTORY = 50  # commit history entries kept (SR OS's default `commit-history`, as we understand it)
DEFAULT_CONFIRM_MIN = 10  # MD-CLI `commit confirmed` default timeout, minutes
DEFAULT_CONFIRM_S = 600  # RFC 6241 default <confirm-timeout>, seconds

EXCLUSIVE_MSG = "MINOR: MGMT_CORE #2052: Exclusive datastore access unavailable"
# approximated wording from here on
COMMIT_BLOCKED_MSG = "MINOR: MGMT_CORE #2053: Commit failed - exclusive access held by another session"
READ_ONLY_MSG = "MINOR: MGMT_CORE #2054: Operation not allowed - currently in read-only mode"
NOT_EDITABLE_MSG = "MINOR: MGMT_CORE #2055: Candidate configuration locked by another session"
NO_CONFIRMED_MSG = "MINOR: MGMT_CORE #2702: No confirmed commit in progress"
PERSIST_MSG = "MINOR: MGMT_CORE #2703: Invalid persist-id for the confirmed commit in progress"
REVERTING_MSG = "MINOR: MGMT_CORE #2704: Confirmed commit is being reverted"


class LockDenied(ConfigError):
    """RFC 6241 ``lock-denied``; ``session_id``: the holder's NETCONF session id (0: not NETCONF)."""

    def __init__(self, message: str, session_id: int) -> None:
        super().__init__(message, tag="lock-denied")
        self.session_id = session_id


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)  # a crash never leaves half a file


@dataclass
class Candidate:
    config: Config
    base: Config  # running when the candidate was last in step with it (SR OS's "baseline")

    def modified(self) -> bool:
        return self.config != self.base

    def reset(self, running: Config) -> None:
        self.config, self.base = running.copy(), running.copy()


@dataclass
class Commit:
    """One commit history entry = one rollback checkpoint (``config`` is running after the commit)."""

    serial: int  # SR OS's commit-id (1 = the boot configuration): grows with every commit, never reused
    user: str
    client: str  # MD-CLI | NETCONF | system (a confirmed-commit revert) | boot
    time: float
    comment: str = ""
    config: Config = field(default_factory=Config)
    id: int = 0  # position in the rollback history when listed: 0 = running, 1 = before the latest commit

    @property
    def type(self) -> str:
        """nokia-state ``commit-history/commit-id/type``."""
        return {"MD-CLI": "md-cli", "NETCONF": "netconf", "boot": "database-initialization"}.get(
            self.client, "system")

    def meta(self) -> dict[str, Any]:
        return {"serial": self.serial, "user": self.user, "client": self.client, "time": self.time,
                "comment": self.comment}


@dataclass
class Pending:
    """A confirmed commit waiting for acceptance."""

    deadline: float  # time.time() when it reverts by itself
    revert_to: Config  # running before the first unaccepted confirmed commit
    persist: str | None = None
    owner: EditSession | None = field(default=None, repr=False)  # the session whose end reverts it
    timer: asyncio.TimerHandle | None = field(default=None, repr=False)

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.time())


class EditSession:
    """One configuration session: an MD-CLI ``edit-config`` or one NETCONF session (mode ``global``)."""

    def __init__(self, db: Datastore, user: str, mode: str, client: str, sid: int) -> None:
        self.db = db
        self.user = user
        self.mode = mode
        self.client = client
        self.sid = sid
        self.since = time.time()
        self.closed = False
        self._private = Candidate(db.running.copy(), db.running.copy()) if mode == "private" else None

    @property
    def cand(self) -> Candidate:
        return self._private if self._private is not None else self.db.global_cand

    @property
    def candidate(self) -> Config:
        return self.cand.config

    @property
    def baseline(self) -> Config:
        return self.cand.base

    def _writable(self) -> Candidate:
        if self.closed or self.mode == "read-only":
            raise ConfigError(READ_ONLY_MSG, tag="access-denied")
        holder = self.db.exclusive
        if self._private is None and holder is not None and holder is not self:
            raise ConfigError(NOT_EDITABLE_MSG, tag="in-use")
        return self.cand

    def edit(self, words: list[str], delete: bool = False) -> None:
        """One MD-CLI edit (words relative to /configure); nothing changes when it fails."""
        cand = self._writable()
        new = cand.config.copy()
        cfg.edit(new, words, delete=delete)
        cand.config = new

    def edit_xml(self, config_el: Any, default_operation: str = "merge") -> None:
        """NETCONF edit-config content; all or nothing (rollback-on-error)."""
        cfg.edit_xml(self._writable().config, config_el, default_operation)  # it is all or nothing itself

    def load(self, conf: Config, replace: bool = False) -> None:
        """``load full-replace`` (replace) or ``load merge`` of a whole configuration."""
        cand = self._writable()
        cand.config = conf.copy() if replace else _merge(cand.config, conf)

    def discard(self) -> None:
        """``discard`` / ``<discard-changes>``: the candidate is running again (for the global candidate,
        everybody's changes go, as on SR OS)."""
        self._writable().reset(self.db.running)

    def update(self) -> None:
        """``update``: the baseline catches up with running, the candidate's changes replayed onto it."""
        cand = self._writable()
        cand.config, cand.base = self.db.proposed(self), self.db.running.copy()

    def rollback(self, n: int) -> None:
        """``rollback <n>`` in a candidate: checkpoint n replaces the candidate (no commit)."""
        conf = self.db.checkpoint(n)
        self.load(conf, replace=True)

    def changed(self) -> bool:
        return self.cand.modified()

    def compare(self) -> str:
        return cfg.diff(self.baseline, self.candidate)


def _merge(into: Config, conf: Config) -> Config:
    """``load merge``: conf's content on top of ``into`` (three_way from an empty base adds all of conf)."""
    return cfg.three_way(Config(), conf, into)


class Datastore:
    """The configuration datastores of one twin, shared by all its sessions."""

    def __init__(self, state_dir: Path, apply: Apply, hostname: str = "") -> None:
        self.state_dir = Path(state_dir)
        self.apply = apply
        self.hostname = hostname
        # what `validate` checks without activating (the twin sets control.validate); None: syntax only
        self.validator: Callable[[Config], object] | None = None
        # newest first; history[0] is running
        self.history: list[Commit] = [Commit(1, "system", "boot", time.time(), "", Config())]
        self.global_cand = Candidate(Config(), Config())
        self.sessions: list[EditSession] = []
        self.exclusive: EditSession | None = None  # MD-CLI exclusive mode or a NETCONF lock on candidate
        self.running_lock: EditSession | None = None  # NETCONF lock on running
        self.pending: Pending | None = None
        self._serial = itertools.count(2)
        self._sids = itertools.count(1)
        self._busy = asyncio.Lock()
        self._reverting = False
        self._tasks: set[asyncio.Task[None]] = set()

    # ---- views --------------------------------------------------------------------------------
    @property
    def running(self) -> Config:
        return self.history[0].config

    @property
    def candidate(self) -> Config:
        """The global candidate (NETCONF's candidate datastore)."""
        return self.global_cand.config

    def boot(self, conf: Config) -> None:
        """The configuration the router boots with: running, the only history entry. What a previous
        deployment saved goes (a restart of the server then restores this boot, not that)."""
        shutil.rmtree(self.state_dir / "sros-db", ignore_errors=True)
        self.history = [Commit(1, "system", "boot", time.time(), "", conf.copy())]
        self._serial = itertools.count(2)
        self._drop_pending()
        self.global_cand.reset(conf)
        for s in self.sessions:
            if s._private is not None:
                s._private.reset(conf)
        self.save()

    def proposed(self, sess: EditSession) -> Config:
        """What running would be after ``commit`` in this session."""
        cand = sess.cand
        if cand.base == self.running:
            return cand.config.copy()
        return cfg.three_way(cand.base, cand.config, self.running)

    def changed(self, sess: EditSession) -> bool:
        return sess.changed()

    def update(self, sess: EditSession) -> None:
        sess.update()

    def validate(self, sess: EditSession) -> None:
        """MD-CLI ``validate``: ConfigError when a commit of this candidate would be refused."""
        if self.validator is not None:
            self.validator(self.proposed(sess))

    def compare(self, sess: EditSession) -> str:
        return sess.compare()

    # ---- sessions --------------------------------------------------------------------------------
    def open(self, user: str, mode: str = "private", client: str = "MD-CLI",
             sid: int | None = None) -> EditSession:
        """Enter a configuration mode; ConfigError when SR OS refuses it."""
        if mode not in MODES:
            raise ConfigError(f"MINOR: CLI #2069: Invalid configuration mode '{mode}'")  # approximated
        holder = self.exclusive
        if mode in ("exclusive", "global") and holder is not None:
            raise ConfigError(EXCLUSIVE_MSG, tag="in-use")
        if mode == "exclusive" and (self.global_cand.modified() or self.running_lock is not None):
            raise ConfigError(EXCLUSIVE_MSG, tag="in-use")
        s = EditSession(self, user, mode, "MD-CLI" if client == "CLI" else client,
                        next(self._sids) if sid is None else sid)
        if mode == "exclusive":
            self.exclusive = s
        self.sessions.append(s)
        return s

    def close(self, s: EditSession) -> asyncio.Task[None] | None:
        """The session ends (``quit-config``, logout, NETCONF close): its locks go; an exclusive session's
        uncommitted changes are discarded, as is a private candidate; a NETCONF lock on the candidate takes
        the candidate's changes with it (RFC 6241 7.5). Its unaccepted non-persist confirmed commit is
        reverted: the task doing it is returned (None when there is nothing to revert)."""
        if s.closed:
            return None
        if self.exclusive is s:
            self.exclusive = None
            self.global_cand.reset(self.running)
        if self.running_lock is s:
            self.running_lock = None
        s.closed = True
        if s in self.sessions:
            self.sessions.remove(s)
        p = self.pending
        if p is not None and p.owner is s and p.persist is None:
            return self._spawn(self._revert(p, "session end"))
        return None

    # ---- NETCONF locks ------------------------------------------------------------------------------
    def lock(self, target: str, owner: EditSession) -> None:
        """``<lock>``: candidate = exclusive access to the global candidate; running = nobody else commits."""
        if target == "candidate":
            if self.exclusive is not None:
                raise LockDenied(f"Lock failed, lock is already held by session {_sid(self.exclusive)}",
                                 _sid(self.exclusive))
            if self.global_cand.modified():  # RFC 6241 7.5: not while the candidate has changes
                raise LockDenied("Lock failed, the candidate configuration has uncommitted changes", 0)
            if self.running_lock is not None and self.running_lock is not owner:
                raise LockDenied(f"Lock failed, lock is already held by session {_sid(self.running_lock)}",
                                 _sid(self.running_lock))
            self.exclusive = owner
        elif target == "running":
            other = next((h for h in (self.running_lock, self.exclusive) if h is not None and h is not owner),
                         None)
            if self.running_lock is owner or other is not None:
                holder = self.running_lock or other
                assert holder is not None
                raise LockDenied(f"Lock failed, lock is already held by session {_sid(holder)}", _sid(holder))
            self.running_lock = owner
        else:
            raise ConfigError(f"MINOR: MGMT_CORE #2056: Datastore '{target}' cannot be locked",
                              tag="operation-not-supported")  # approximated

    def unlock(self, target: str, owner: EditSession) -> None:
        held = self.exclusive if target == "candidate" else self.running_lock if target == "running" else None
        if held is not owner:
            raise ConfigError(f"Unlock failed, the {target} datastore is not locked by this session",
                              tag="operation-failed")
        if target == "candidate":
            self.exclusive = None
        else:
            self.running_lock = None

    def _blocked(self, s: EditSession | None) -> bool:
        return any(h is not None and h is not s for h in (self.exclusive, self.running_lock))

    # ---- commit ---------------------------------------------------------------------------------------
    async def commit(self, s: EditSession, *, confirmed: int | None = None, timeout_s: float | None = None,
                     persist: str | None = None, persist_id: str | None = None,
                     comment: str = "") -> Commit | None:
        """Commit the session's candidate; None when it changes nothing.

        ``confirmed`` (MD-CLI minutes) or ``timeout_s`` (NETCONF seconds) make it a confirmed commit;
        ``persist`` gives it a token, ``persist_id`` names the pending one. A NETCONF ``<commit/>`` from
        the session that made the pending confirmed commit (or with its persist-id) accepts it (RFC 6241);
        an MD-CLI commit does not (``commit confirmed accept`` does). ConfigError when refused: nothing
        changes."""
        if s.mode == "read-only" or s.closed:
            raise ConfigError(READ_ONLY_MSG, tag="access-denied")
        trial = confirmed is not None or timeout_s is not None or persist is not None
        seconds = 0.0
        if trial:
            if timeout_s is not None:
                seconds = float(timeout_s)
            else:
                seconds = 60.0 * (DEFAULT_CONFIRM_MIN if confirmed is None else confirmed)
            if seconds <= 0:
                raise ConfigError(f"MINOR: MGMT_CORE #2701: Invalid confirmed commit timeout: {seconds:g}")
        async with self._busy:
            if self._blocked(s):
                raise ConfigError(COMMIT_BLOCKED_MSG, tag="in-use")
            p = self.pending
            if persist_id is not None and (p is None or p.persist != persist_id):
                raise ConfigError(PERSIST_MSG if p is not None else NO_CONFIRMED_MSG, tag="invalid-value")
            if trial and p is not None and p.persist is not None and persist_id is None:
                raise ConfigError(PERSIST_MSG, tag="invalid-value")  # a follow-up needs the token
            accepting = (not trial and p is not None
                         and (persist_id is not None or s.client == "NETCONF" and p.owner is s))
            new = self.proposed(s)
            before = self.running
            changed = new != before
            if changed:
                await self.apply(new.copy())  # ConfigError: the control plane refused it, nothing changed
            c = self._record(new, s.user, s.client, comment) if changed else None
            s.cand.reset(self.running)
            self._follow(s)
            if trial:
                if p is None:
                    p = self.pending = Pending(0.0, before.copy())
                p.persist = persist
                p.owner = None if persist is not None else s
                self._arm(p, time.time() + seconds)
            elif accepting:
                self._drop_pending()
            self.save()
            return c

    def _record(self, conf: Config, user: str, client: str, comment: str) -> Commit:
        c = Commit(next(self._serial), user, client, time.time(), comment, conf.copy())
        self.history.insert(0, c)
        del self.history[HISTORY + 1:]
        return c

    def _follow(self, s: EditSession | None) -> None:
        """Candidates without changes follow running (their baseline stays in step)."""
        cands = [self.global_cand] + [x._private for x in self.sessions if x._private is not None]
        for cand in cands:
            if (s is None or cand is not s.cand) and not cand.modified():
                cand.reset(self.running)

    # ---- confirmed commit --------------------------------------------------------------------------------
    def _check_pending(self, persist_id: str | None, s: EditSession | None) -> Pending:
        p = self.pending
        if p is None:
            raise ConfigError(NO_CONFIRMED_MSG, tag="operation-failed")
        if self._reverting:
            raise ConfigError(REVERTING_MSG, tag="operation-failed")
        if p.persist is not None and persist_id != p.persist or p.persist is None and persist_id is not None:
            raise ConfigError(PERSIST_MSG, tag="invalid-value")
        if p.persist is None and s is not None and s.client == "NETCONF" and p.owner is not s:
            # RFC 6241 8.4: only the session that made a non-persist confirmed commit confirms or cancels it
            raise ConfigError(NO_CONFIRMED_MSG, tag="operation-failed")
        return p

    def confirm(self, persist_id: str | None = None, s: EditSession | None = None) -> None:
        """``commit confirmed accept`` (NETCONF: ``<commit><persist-id>``): keep what runs."""
        self._check_pending(persist_id, s)
        self._drop_pending()
        self.save()

    async def cancel_confirmed(self, persist_id: str | None = None, s: EditSession | None = None) -> None:
        """``commit confirmed cancel`` / ``<cancel-commit>``: revert now, as the timer would."""
        p = self._check_pending(persist_id, s)
        await self._revert(p, "cancelled", strict=True)

    def _arm(self, p: Pending, deadline: float) -> None:
        if p.timer is not None:
            p.timer.cancel()
        p.deadline = deadline
        loop = asyncio.get_running_loop()
        p.timer = loop.call_later(p.remaining(), lambda: self._spawn(self._expire(p)))

    def _spawn(self, coro: Any) -> asyncio.Task[None]:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _drop_pending(self) -> None:
        p, self.pending = self.pending, None
        if p is not None and p.timer is not None:
            p.timer.cancel()

    async def _expire(self, p: Pending) -> None:
        if self.pending is not p:
            return
        if time.time() < p.deadline - 0.05:  # the loop clock ran ahead of the wall clock
            self._arm(p, p.deadline)
            return
        try:
            await self._revert(p, "timed out", strict=True)
        except ConfigError:  # keep what runs and try again shortly: the deadline has passed
            log.exception("sros twin %s: confirmed commit revert refused; retrying in 5 s", self.hostname)
            if self.pending is p:
                self._arm(p, time.time() + 5)

    async def _revert(self, p: Pending, why: str, strict: bool = False) -> None:
        """The configuration from before the trial comes back (a new history entry by ``system``)."""
        async with self._busy:
            if self.pending is not p:
                return
            self._reverting = True
            try:
                old = p.revert_to
                if old != self.running:
                    try:
                        await self.apply(old.copy())
                    except ConfigError:
                        if strict:
                            raise
                        log.exception("sros twin %s: confirmed commit revert refused", self.hostname)
                        return
                    self._record(old, "system", "system", f"confirmed commit {why}")
                self._drop_pending()
                self._follow(None)
                self.save()
            finally:
                self._reverting = False

    def resume(self) -> None:
        """After a twin-server restart: a pending confirmed commit keeps the time it had left (its session
        is gone with the server, but the device did not restart: the timer still reverts it)."""
        if self.pending is not None:
            self._arm(self.pending, self.pending.deadline)

    # ---- rollback -----------------------------------------------------------------------------------------
    def checkpoints(self) -> list[Commit]:
        """The rollback checkpoints, newest first, ids 1..N (1 = running before the latest commit)."""
        for i, c in enumerate(self.history):
            c.id = i
        return self.history[1:]

    def by_commit_id(self, commit_id: int) -> int:
        """The rollback checkpoint number of commit-history entry ``commit_id``."""
        for i, c in enumerate(self.history):
            if c.serial == commit_id:
                return i
        raise ConfigError(f"MINOR: MGMT_CORE #2301: Commit ID {commit_id} does not exist",
                          tag="invalid-value")  # approximated

    def checkpoint(self, n: int) -> Config:
        """Checkpoint n's configuration (0 = running)."""
        if not 0 <= n < len(self.history):
            raise ConfigError(f"MINOR: MGMT_CORE #2301: Rollback checkpoint {n} does not exist",
                              tag="invalid-value")  # approximated
        return self.history[n].config.copy()

    async def rollback_revert(self, n: int, *, user: str = "admin", s: EditSession | None = None,
                              client: str = "MD-CLI") -> Commit | None:
        """``admin rollback revert <n>``: checkpoint n becomes running (a new history entry); it ends a
        pending confirmed commit: what runs is chosen."""
        conf = self.checkpoint(n)
        async with self._busy:
            if self._blocked(s):
                raise ConfigError(COMMIT_BLOCKED_MSG, tag="in-use")
            c = None
            if conf != self.running:
                await self.apply(conf.copy())
                c = self._record(conf, user, client, f"rollback revert {n}")
            self._drop_pending()
            self._follow(None)
            self.save()
            return c

    # ---- persistence ------------------------------------------------------------------------------------
    def save(self) -> None:
        d = self.state_dir / "sros-db"
        keep = set()
        for c in self.history:
            f = d / "commits" / f"{c.serial}.json"
            keep.add(f.name)
            if not f.exists():
                write_atomic(f, json.dumps(c.config.data))
        if (d / "commits").exists():
            for f in (d / "commits").iterdir():
                if f.name not in keep:
                    f.unlink(missing_ok=True)
        p = self.pending
        if p is not None:
            write_atomic(d / "revert.json", json.dumps(p.revert_to.data))
        meta = {"commits": [c.meta() for c in self.history],
                "pending": None if p is None else {"deadline": p.deadline, "persist": p.persist}}
        write_atomic(d / "db.json", json.dumps(meta, indent=1))  # last: it is what restore() trusts

    def restore(self) -> bool:
        """Load the saved datastores; False when there are none (or they are incomplete)."""
        d = self.state_dir / "sros-db"
        if not (d / "db.json").exists():
            return False
        meta = json.loads((d / "db.json").read_text())
        hist = []
        for m in meta.get("commits", []):
            f = d / "commits" / f"{m['serial']}.json"
            if not f.exists():
                return False
            hist.append(Commit(int(m["serial"]), m["user"], m["client"], float(m["time"]),
                               m.get("comment", ""), Config(json.loads(f.read_text()))))
        if not hist:
            return False
        self.history = hist
        self._serial = itertools.count(max(c.serial for c in hist) + 1)
        self._drop_pending()
        p = meta.get("pending")
        if p and (d / "revert.json").exists():
            self.pending = Pending(float(p["deadline"]), Config(json.loads((d / "revert.json").read_text())),
                                   p.get("persist"))
        self.global_cand.reset(self.running)
        return True


def _sid(s: EditSession) -> int:
    return s.sid if s.client == "NETCONF" else 0
