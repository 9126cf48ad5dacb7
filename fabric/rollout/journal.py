"""Rollout journal (SQLite) and the per-fabric rollout lock.

Every step is written (and committed) BEFORE the device action it announces, so after a kill -9 the
journal says the furthest a device may have got. Per-device state machine::

    pending -> prechecked -> armed -> committed -> gated -> confirmed            (new config, final)
                    |          \\________\\__________\\-> rolling_back -> rolled_back (old config, final)
                    \\-> skipped (empty diff: never touched)          \\-> reverted_by_timer (old, final)
                                                                      \\-> unreachable (timer pending)

``armed`` is written before the checkpoint+timer+commit, so a device in armed/committed/gated is
"maybe changed, revert timer running"; resume rolls it back (idempotent), then continues.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fabric.credentials import mask
from fabric.errors import FabricError

# One journal (and so one lock) per fabric per machine, wherever the operator's shell is:
# <state dir>/<fabric name>/journal.sqlite. --journal / Options.journal override it.
STATE_DIR = Path("/var/lib/netfabric")
FINAL_DEVICE = {"confirmed", "rolled_back", "reverted_by_timer", "skipped", "untouched"}
IN_FLIGHT = {"armed", "committed", "gated", "rolling_back", "unreachable"}
ACTIVE_ROLLOUT = {"planned", "running", "abort_requested"}
# every device on its old or new config (nothing half-way): the end state a rollout must reach
CONSISTENT = FINAL_DEVICE | {"pending"}

_SECRET_LINE = re.compile(r"(?im)^(\s*\S*.*?\b(?:secret|password)\b\s+(?:\d\s+)?)(\S+)(.*)$")


def scrub(text: str | None, secrets: list[str]) -> str | None:
    """Mask known secrets and the value of every ``secret``/``password`` line."""
    if text is None:
        return None
    return _SECRET_LINE.sub(r"\1********\3", mask(text, secrets))


SCHEMA = """
CREATE TABLE IF NOT EXISTS rollouts (
  id TEXT PRIMARY KEY, playbook TEXT, playbook_file TEXT, fabric TEXT, operator TEXT, state TEXT,
  started REAL, ended REAL, plan TEXT, options TEXT, summary TEXT);
CREATE TABLE IF NOT EXISTS devices (
  rollout_id TEXT, host TEXT, wave INTEGER, state TEXT, token TEXT, platform TEXT, address TEXT,
  mode TEXT, candidate TEXT, pre_config TEXT, post_config TEXT, diff TEXT, gate TEXT, error TEXT,
  updated REAL, PRIMARY KEY (rollout_id, host));
CREATE TABLE IF NOT EXISTS events (
  rollout_id TEXT, ts REAL, wave INTEGER, host TEXT, step TEXT, status TEXT, detail TEXT);
CREATE TABLE IF NOT EXISTS locks (
  fabric TEXT PRIMARY KEY, rollout_id TEXT, pid INTEGER, hostname TEXT, heartbeat REAL);
"""


def state_dir() -> Path:
    """``$NETFABRIC_STATE_DIR`` (absolute) or /var/lib/netfabric; read at call time."""
    raw = os.environ.get("NETFABRIC_STATE_DIR")
    if not raw:
        return STATE_DIR
    path = Path(raw).expanduser()
    if not path.is_absolute():
        raise FabricError(
            f"'{raw}' is a relative path: the journal and lock would move with the current directory",
            key="NETFABRIC_STATE_DIR",
            fix="set an absolute path, e.g. /var/lib/netfabric",
        )
    return path


def journal_path(fabric: str) -> Path:
    """The rollout journal and lock of the fabric named ``fabric``."""
    return state_dir() / fabric / "journal.sqlite"


class Journal:
    """Thread-safe (one connection, one lock): Nornir worker threads write device steps concurrently."""

    def __init__(self, path: str | Path, secrets: list[str] | None = None) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                str(self.path), check_same_thread=False, timeout=30, isolation_level=None
            )
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            # a step on disk before the device action it announces
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise FabricError(
                f"cannot open the rollout journal: {getattr(exc, 'strerror', None) or exc}",
                file=str(self.path),
                fix="make its directory writable for the operators (e.g. `install -d -m 2775 -g <group> "
                f"{self.path.parent}`), set NETFABRIC_STATE_DIR, or pass --journal (see docs/rollout.md)",
            ) from None
        self._mu = threading.RLock()
        self.secrets = [s for s in (secrets or []) if s]

    def close(self) -> None:
        self._db.close()

    def _x(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._mu:
            return self._db.execute(sql, args).fetchall()

    @contextlib.contextmanager
    def _tx(self) -> Iterator[None]:
        """One write transaction (one fsync): every statement in the block commits, or none does."""
        with self._mu:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    # ------------------------------------------------------------------ rollouts
    def create(
        self,
        rid: str,
        playbook: str,
        playbook_file: str | None,
        fabric: str,
        operator: str,
        plan: list[list[str]],
        options: dict[str, Any],
    ) -> None:
        with self._tx():
            self._x(
                "INSERT INTO rollouts VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    rid,
                    playbook,
                    playbook_file,
                    fabric,
                    operator,
                    "planned",
                    time.time(),
                    None,
                    json.dumps(plan),
                    json.dumps(options),
                    None,
                ),
            )
            self._db.executemany(
                "INSERT INTO devices (rollout_id, host, wave, state, updated) VALUES (?,?,?,?,?)",
                ((rid, h, w, "pending", time.time()) for w, hosts in enumerate(plan) for h in hosts),
            )
            self.event(
                rid, None, None, "rollout", "planned", f"{sum(map(len, plan))} devices in {len(plan)} waves"
            )

    def set_rollout(self, rid: str, state: str, summary: dict[str, Any] | None = None) -> None:
        ended = time.time() if state not in ACTIVE_ROLLOUT else None
        self._x(
            "UPDATE rollouts SET state=?, ended=?, summary=COALESCE(?, summary) WHERE id=?",
            (state, ended, json.dumps(summary) if summary is not None else None, rid),
        )
        self.event(rid, None, None, "rollout", state, "")

    def rollout(self, rid: str | None = None) -> dict[str, Any]:
        rows = (
            self._x("SELECT * FROM rollouts WHERE id=?", (rid,))
            if rid
            else self._x("SELECT * FROM rollouts ORDER BY started DESC LIMIT 1")
        )
        if not rows:
            raise FabricError(
                f"no rollout {rid!r} in the journal" if rid else "the journal holds no rollout",
                file=str(self.path),
                fix="`fabric rollout history` lists rollouts",
            )
        r = dict(rows[0])
        r["plan"] = json.loads(r["plan"] or "[]")
        r["options"] = json.loads(r["options"] or "{}")
        r["summary"] = json.loads(r["summary"]) if r["summary"] else None
        return r

    def history(self, limit: int = 20) -> list[dict[str, Any]]:
        return [
            dict(r)
            for r in self._x(
                "SELECT id, playbook, fabric, operator, state, started, ended FROM rollouts"
                " ORDER BY started DESC LIMIT ?",
                (min(limit, 2**63 - 1),),  # SQLite's integers are 64-bit; a negative LIMIT is no limit
            )
        ]

    # ------------------------------------------------------------------ devices
    def device(self, rid: str, host: str, state: str | None = None, **fields: Any) -> None:
        for k in ("pre_config", "post_config", "diff", "candidate", "error"):
            if k in fields:
                fields[k] = scrub(fields[k], self.secrets)
        if "gate" in fields and not isinstance(fields["gate"], str):
            fields["gate"] = json.dumps(fields["gate"])
        if state:
            fields["state"] = state
        fields["updated"] = time.time()
        cols = ", ".join(f"{k}=?" for k in fields)
        with self._tx():  # the state and its event land together (one fsync, never one without the other)
            self._x(f"UPDATE devices SET {cols} WHERE rollout_id=? AND host=?", (*fields.values(), rid, host))  # noqa: S608
            if state:
                self.event(rid, None, host, state, "ok", str(fields.get("error") or ""))

    def devices(self, rid: str) -> list[dict[str, Any]]:
        out = []
        for r in self._x("SELECT * FROM devices WHERE rollout_id=? ORDER BY wave, host", (rid,)):
            d = dict(r)
            d["gate"] = json.loads(d["gate"]) if d["gate"] else None
            out.append(d)
        return out

    def event(
        self, rid: str, wave: int | None, host: str | None, step: str, status: str, detail: str
    ) -> None:
        self._x(
            "INSERT INTO events VALUES (?,?,?,?,?,?,?)",
            (rid, time.time(), wave, host, step, status, scrub(detail, self.secrets)),
        )

    def events(self, rid: str) -> list[dict[str, Any]]:
        return [dict(r) for r in self._x("SELECT * FROM events WHERE rollout_id=? ORDER BY ts", (rid,))]

    # ------------------------------------------------------------------ lock
    def acquire(self, fabric: str, rid: str, stale_after: float = 30.0) -> None:
        """One active rollout per fabric. A lock is stale when its pid is gone (same host) or its
        heartbeat is older than ``stale_after`` (another host): then it is taken over."""
        me = socket.gethostname()
        with self._tx():
            row = self._db.execute("SELECT * FROM locks WHERE fabric=?", (fabric,)).fetchone()
            if row and row["rollout_id"] != rid and not _stale(row, me, stale_after):
                raise FabricError(
                    f"rollout {row['rollout_id']} is active on fabric '{fabric}' "
                    f"(pid {row['pid']} on {row['hostname']}, "
                    f"heartbeat {time.time() - row['heartbeat']:.0f}s ago)",
                    key="lock",
                    fix="wait for it, or `fabric rollout abort` it",
                )
            self._db.execute(
                "INSERT OR REPLACE INTO locks VALUES (?,?,?,?,?)",
                (fabric, rid, os.getpid(), me, time.time()),
            )

    def lock_holder(self, fabric: str) -> dict[str, Any] | None:
        rows = self._x("SELECT * FROM locks WHERE fabric=?", (fabric,))
        return dict(rows[0]) if rows else None

    def lock_is_stale(self, fabric: str, stale_after: float = 30.0) -> bool:
        rows = self._x("SELECT * FROM locks WHERE fabric=?", (fabric,))
        return not rows or _stale(rows[0], socket.gethostname(), stale_after)

    def heartbeat(self, fabric: str, rid: str) -> None:
        self._x(
            "UPDATE locks SET heartbeat=?, pid=? WHERE fabric=? AND rollout_id=?",
            (time.time(), os.getpid(), fabric, rid),
        )

    def release(self, fabric: str, rid: str) -> None:
        self._x("DELETE FROM locks WHERE fabric=? AND rollout_id=?", (fabric, rid))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (killed, not yet reaped) holds no lock
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except (OSError, IndexError):
        return True


def _stale(row: sqlite3.Row | dict[str, Any], me: str, stale_after: float) -> bool:
    if row["hostname"] == me and not _pid_alive(int(row["pid"])):
        return True
    return bool(time.time() - float(row["heartbeat"]) > stale_after)


class Heartbeat:
    """Keeps the lock fresh from a daemon thread while the rollout runs."""

    def __init__(self, journal: Journal, fabric: str, rid: str, every: float = 2.0) -> None:
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, args=(journal, fabric, rid, every), daemon=True)

    def _run(self, j: Journal, fabric: str, rid: str, every: float) -> None:
        while not self._stop.wait(every):
            with contextlib.suppress(sqlite3.Error):
                j.heartbeat(fabric, rid)

    def __enter__(self) -> Heartbeat:
        self._t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._t.join(timeout=5)


def resume_action(state: str) -> str:
    """What resume does with a device found in ``state`` (the crash-consistency decision table).

    * final states: nothing;
    * pending / prechecked: nothing was applied: the device is re-run when its wave is re-run;
    * armed / committed / gated / rolling_back / unreachable: the change may be on the device with its
      revert timer running: roll back to the checkpoint (idempotent; fine if the timer already fired).
    """
    if state in FINAL_DEVICE:
        return "none"
    if state in ("pending", "prechecked"):
        return "rerun"
    if state in IN_FLIGHT:
        return "rollback"
    raise ValueError(f"unknown device state {state!r}")
