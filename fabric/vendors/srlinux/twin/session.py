"""SR Linux configuration transactions: running vs candidates, commits, confirmed commits, checkpoints.

Candidates are as SR Linux has them: the shared ``default`` candidate (``enter candidate``), private
candidates (``enter candidate private [name N]``; a named one outlives the session that made it) and
the exclusive candidate (``enter candidate exclusive``: nobody else may edit while it exists). A
candidate remembers the running configuration it started from; when running moved on meanwhile, its
changes are replayed onto the new running configuration at commit (a three-way merge), as a private
candidate commit does on SR Linux.

``commit confirmed [timeout N]`` starts a timer *here*, on the device side: unless
``tools system configuration confirmed-accept`` comes in time, the previous running configuration
comes back by itself; ``confirmed-reject`` brings it back at once. The deadline is absolute and
saved, so a restart of the twin keeps the time left.

The store does not reach a control plane itself: ``apply`` (an async callable given by the twin) is
called with the configuration to activate before it becomes running; an exception there fails the
commit and changes nothing.

Error texts approximate SR Linux's (``Error: ...``); those we could not check on a device are marked.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fabric.vendors.srlinux.twin.config import (
    Config,
    ConfigError,
    _info_lines,
    _is_list,
    canonical,
    keys_of,
    parse_json,
    three_way,
)

log = logging.getLogger(__name__)

SRL_VERSION = "v24.10.1-492-gf8858c5836"  # the release of VENDOR.clab_image (ghcr.io/nokia/srlinux:24.10.1)
MAX_CHECKPOINTS = 10  # SR Linux's default ``system configuration max-checkpoints``
DEFAULT_CONFIRM_TIMEOUT = 600  # seconds, SR Linux's default for ``commit confirmed``
Apply = Callable[[Config], Awaitable[None]]


class SessionError(ConfigError):
    """A transaction error (candidate busy, nothing to confirm, unknown checkpoint ...)."""


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)  # a crash never leaves half a file


@dataclass
class Candidate:
    name: str
    kind: str  # shared | private | exclusive
    config: Config
    base: Config  # the running configuration it started from
    owner: str = ""
    named: bool = False  # a named private candidate outlives its session

    def modified(self) -> bool:
        return self.config != self.base


@dataclass
class Checkpoint:
    name: str
    comment: str
    created: float
    username: str
    config: Config


@dataclass
class CommitRecord:
    """One row of ``/system/configuration/commit`` (state): what NAPALM polls for ``unconfirmed``."""

    id: int
    user: str
    session: str
    start: float
    end: float
    status: str  # complete | unconfirmed | reverted (our wording for a timed out or rejected commit)
    comment: str = ""

    def state(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "user": self.user, "session-id": self.session,
                               "start-time": _ts(self.start), "end-time": _ts(self.end),
                               "status": self.status}
        if self.comment:
            out["comment"] = self.comment
        return out


def _ts(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t * 1000) % 1000:03d}Z"


@dataclass
class Pending:
    """A confirmed commit waiting for confirmed-accept."""

    commit_id: int
    deadline: float
    previous: Config
    save: bool = False  # ``commit save confirmed``: startup follows only once accepted
    timer: asyncio.TimerHandle | None = field(default=None, repr=False)


class ConfigStore:
    """The configuration datastores of one twin (shared by all its sessions)."""

    # real seconds per timeout second of ``commit confirmed`` (tests shorten it; nothing else may)
    seconds_scale = 1.0

    def __init__(self, state_dir: Path, apply: Apply) -> None:
        self.state_dir = state_dir
        self.apply = apply
        self.running = Config()
        self.startup: Config | None = None
        self.candidates: dict[str, Candidate] = {}
        self.checkpoints: list[Checkpoint] = []  # 0 = newest
        self.commits: list[CommitRecord] = []
        self.pending: Pending | None = None
        self._ids = itertools.count(1)
        self._busy = asyncio.Lock()

    # ---- candidates ---------------------------------------------------------------------------
    def enter(self, kind: str = "shared", name: str | None = None, user: str = "admin") -> Candidate:
        exclusive = next((c for c in self.candidates.values() if c.kind == "exclusive"), None)
        if exclusive is not None and exclusive.owner != user:
            raise SessionError("Error: Cannot enter candidate mode: an exclusive candidate is in use "
                               f"by user '{exclusive.owner}'")  # wording approximated
        if kind == "shared":
            name = name or "default"
        elif kind == "exclusive":
            name = name or "exclusive"
            shared = self.candidates.get("default")
            if shared is not None and shared.modified():
                raise SessionError("Error: Cannot enter exclusive mode: the shared candidate 'default' "
                                   "has uncommitted changes")  # wording approximated
        elif kind == "private":
            named = name is not None
            name = name or f"private-{next(self._ids)}"
            cand = self.candidates.get(name)
            if cand is None:
                cand = self.candidates[name] = Candidate(name, kind, self.running.copy(), self.running.copy(),
                                                         user, named)
            return cand
        else:
            raise SessionError(f"Parsing error: Unknown token '{kind}'. Options are "
                               "['exclusive', 'name', 'private']")
        cand = self.candidates.get(name)
        if cand is None:
            cand = Candidate(name, kind, self.running.copy(), self.running.copy(), user)
            self.candidates[name] = cand
        return cand

    def leave(self, cand: Candidate) -> None:
        """The session that made it ends: unnamed private and exclusive candidates go with it."""
        if cand.kind == "exclusive" or cand.kind == "private" and not cand.named:
            self.candidates.pop(cand.name, None)

    def discard(self, cand: Candidate) -> None:
        cand.config, cand.base = self.running.copy(), self.running.copy()

    def result_of(self, cand: Candidate) -> Config:
        """What committing ``cand`` would make running (its changes on today's running config)."""
        if cand.base == self.running:
            return cand.config.copy()
        return three_way(cand.base, cand.config, self.running)

    def diff(self, cand: Candidate) -> str:
        return srl_diff(self.running, self.result_of(cand))

    # ---- commit --------------------------------------------------------------------------------
    async def commit(self, cand: Candidate, *, save: bool = False, confirmed: bool = False,
                     timeout: int = DEFAULT_CONFIRM_TIMEOUT, comment: str = "", user: str = "admin",
                     session: str = "") -> CommitRecord:
        if confirmed and not 1 <= timeout <= 86400:
            raise SessionError(f"Error: Invalid value '{timeout}' for timeout: out of range 1..86400")
        async with self._busy:
            if self.pending is not None:
                # wording approximated: SR Linux refuses a commit while one waits for confirmation
                raise SessionError("Error: Commit not allowed: a confirmed commit is in progress; "
                                   "use 'tools system configuration confirmed-accept' or 'confirmed-reject'")
            new = self.result_of(cand)
            previous = self.running
            start = time.time()
            try:
                await self.apply(new)
            except ConfigError:
                raise
            except Exception as e:  # the control plane refused it: nothing changed
                raise SessionError(f"Error: Commit failed: {e}") from e
            self.running = new
            rec = CommitRecord(next(self._ids), user, session or cand.name, start, time.time(),
                               "unconfirmed" if confirmed else "complete", comment)
            self.commits.insert(0, rec)
            del self.commits[20:]
            for other in self.candidates.values():  # unmodified candidates follow running
                if other is cand or not other.modified():
                    other.config, other.base = new.copy(), new.copy()
            if confirmed:
                self.pending = Pending(rec.id, time.time() + timeout * self.seconds_scale, previous, save)
                self._arm()
            elif save:
                self.startup = new.copy()
            self.save()
            return rec

    def _arm(self) -> None:
        p = self.pending
        assert p is not None
        if p.timer is not None:
            p.timer.cancel()
        loop = asyncio.get_running_loop()
        delay = max(0.0, p.deadline - time.time())
        p.timer = loop.call_later(delay, lambda: loop.create_task(self._expire()))

    async def _expire(self) -> None:
        try:
            await self.confirmed_reject(timed_out=True)
        except Exception:  # keep what runs and try again shortly, the deadline has passed
            log.exception("confirmed commit revert failed; retrying in 5 s")
            if self.pending is not None:
                self.pending.deadline = time.time() + 5
                self._arm()

    async def confirmed_accept(self) -> None:
        async with self._busy:
            p = self.pending
            if p is None:
                raise SessionError("Error: There is no confirmed commit in progress")  # wording approximated
            if p.timer is not None:
                p.timer.cancel()
            self.pending = None
            self._status(p.commit_id, "complete")
            if p.save:
                self.startup = self.running.copy()
            self.save()

    async def confirmed_reject(self, timed_out: bool = False) -> None:
        async with self._busy:
            p = self.pending
            if p is None:
                if timed_out:
                    return
                raise SessionError("Error: There is no confirmed commit in progress")  # wording approximated
            await self.apply(p.previous)
            if p.timer is not None:
                p.timer.cancel()
            self.pending = None
            self._status(p.commit_id, "reverted")
            for c in self.candidates.values():
                if not c.modified():
                    c.config, c.base = p.previous.copy(), p.previous.copy()
            self.running = p.previous
            self.save()

    def _status(self, commit_id: int, status: str) -> None:
        for c in self.commits:
            if c.id == commit_id:
                c.status = status

    def resume(self) -> None:
        """After a restart: a pending confirmed commit keeps the time it had left."""
        if self.pending is not None:
            self._arm()

    # ---- checkpoints -------------------------------------------------------------------------------
    def generate_checkpoint(self, name: str = "", comment: str = "", user: str = "admin") -> Checkpoint:
        self.checkpoints = [c for c in self.checkpoints if not name or c.name != name]
        cp = Checkpoint(name or f"checkpoint-{time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime())}",
                        comment, time.time(), user, self.running.copy())
        self.checkpoints.insert(0, cp)
        del self.checkpoints[MAX_CHECKPOINTS:]
        self.save()
        return cp

    def checkpoint(self, ref: str | int) -> Checkpoint:
        if isinstance(ref, int) or str(ref).isdigit():
            i = int(ref)
            if 0 <= i < len(self.checkpoints):
                return self.checkpoints[i]
        else:
            for c in self.checkpoints:
                if c.name == ref:
                    return c
        raise SessionError(f"Error: Checkpoint '{ref}' does not exist")  # wording approximated

    def load_checkpoint(self, cand: Candidate, ref: str | int) -> None:
        cand.config = self.checkpoint(ref).config.copy()

    def save_startup(self) -> None:
        self.startup = self.running.copy()
        self.save()

    # ---- state ---------------------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        """``/system/configuration`` in the state datastore."""
        return {"commit": [c.state() for c in self.commits],
                "checkpoint": [{"id": i, "name": c.name, "comment": c.comment, "created": _ts(c.created),
                                "username": c.username} for i, c in enumerate(self.checkpoints)],
                "candidate": [{"name": c.name, "type": c.kind, "username": c.owner}
                              for c in self.candidates.values()]}

    # ---- persistence ---------------------------------------------------------------------------------
    def save(self) -> None:
        d = self.state_dir
        write_atomic(d / "running.json", json.dumps(self.running.json(), indent=2))
        if self.startup is not None:
            write_atomic(d / "config.json", json.dumps(self.startup.json(), indent=2))
        for i, c in enumerate(self.checkpoints):
            write_atomic(d / "checkpoint" / f"checkpoint-{i}.json", json.dumps(c.config.json(), indent=2))
        for i in range(len(self.checkpoints), MAX_CHECKPOINTS):
            (d / "checkpoint" / f"checkpoint-{i}.json").unlink(missing_ok=True)
        p = self.pending
        meta = {
            "checkpoints": [{"name": c.name, "comment": c.comment, "created": c.created,
                             "username": c.username} for c in self.checkpoints],
            "commits": [vars(c) for c in self.commits],
            "pending": None if p is None else {"commit_id": p.commit_id, "deadline": p.deadline,
                                               "previous": p.previous.json(), "save": p.save},
        }
        write_atomic(d / "transactions.json", json.dumps(meta, indent=1))

    def restore(self) -> bool:
        """Load saved state; False when there is none."""
        d = self.state_dir
        if not (d / "running.json").exists() or not (d / "transactions.json").exists():
            return False
        self.running = parse_json((d / "running.json").read_text())
        if (d / "config.json").exists():
            self.startup = parse_json((d / "config.json").read_text())
        meta = json.loads((d / "transactions.json").read_text())
        self.checkpoints = []
        for i, m in enumerate(meta.get("checkpoints", [])):
            f = d / "checkpoint" / f"checkpoint-{i}.json"
            if f.exists():
                self.checkpoints.append(Checkpoint(m["name"], m["comment"], m["created"], m["username"],
                                                   parse_json(f.read_text())))
        self.commits = [CommitRecord(**c) for c in meta.get("commits", [])]
        self._ids = itertools.count(max([c.id for c in self.commits], default=0) + 1)
        p = meta.get("pending")
        if p:
            self.pending = Pending(p["commit_id"], p["deadline"], parse_json(p["previous"]),
                                   p.get("save", False))
        return True


# ------------------------------------------------------------------------------------------ diff
def srl_diff(old: Config, new: Config) -> str:
    """SR Linux's ``diff``: ``info`` lines behind a ``+``/``-``/blank column, parents as context."""
    return "".join(_diff(canonical(old.data), canonical(new.data), "", 1))


def _mark(mark: str, node: dict[str, Any], parent: str, depth: int) -> list[str]:
    return [f"{mark} {line}\n" for chunk in _info_lines(node, parent, depth) for line in chunk.splitlines()]


def _diff(a: dict[str, Any], b: dict[str, Any], parent: str, depth: int) -> list[str]:
    out: list[str] = []
    pad = "    " * depth
    for k in list(a) + [k for k in b if k not in a]:
        x, y = a.get(k), b.get(k)
        if x == y or k.startswith("_annotate"):
            continue
        if isinstance(x, dict) and isinstance(y, dict):
            sub = _diff(x, y, k, depth + 1)
            if sub:
                out += [f"  {pad}{k} {{\n", *sub, f"  {pad}}}\n"]
        elif _is_list(x) and _is_list(y):
            assert isinstance(x, list) and isinstance(y, list)
            keys = keys_of(parent, k, x + y) or ()

            def key(e: dict[str, Any], ks: tuple[str, ...] = keys) -> tuple[Any, ...]:
                return tuple(e.get(n) for n in ks)

            old = {key(e): e for e in x}
            new = {key(e): e for e in y}
            for kv, e in list(old.items()) + [(kv, e) for kv, e in new.items() if kv not in old]:
                if kv not in new:
                    out += _mark("-", {k: [e]}, parent, depth)
                elif kv not in old:
                    out += _mark("+", {k: [e]}, parent, depth)
                elif old[kv] != new[kv]:
                    body_a = {n: v for n, v in old[kv].items() if n not in keys}
                    body_b = {n: v for n, v in new[kv].items() if n not in keys}
                    head = _info_lines({k: [{n: e[n] for n in keys if n in e}]}, parent, depth)
                    first = next(iter(head))
                    out += [f"  {first}", *_diff(body_a, body_b, k, depth + 1), f"  {pad}}}\n"]
        else:
            if x is not None:
                out += _mark("-", {k: x}, parent, depth)
            if y is not None:
                out += _mark("+", {k: y}, parent, depth)
    return out
