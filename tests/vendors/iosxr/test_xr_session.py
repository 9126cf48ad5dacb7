"""The IOS-XR commit database: two-stage commit, commit confirmed with a timer that really fires, atomic
failure, the exclusive lock, rollback, the commit list, persistence across a twin restart.

The control plane is ``control.validate`` (what the twin refuses at commit), recorded instead of pushed to
FRR: the lab tests cover FRR."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from fabric.vendors.iosxr.twin import control
from fabric.vendors.iosxr.twin.config import Config, ConfigError, parse_text
from fabric.vendors.iosxr.twin.session import HISTORY, CommitDb, CommitFailed, LockError

STARTUP = """hostname xr1
interface Loopback0
 ipv4 address 10.255.0.1 255.255.255.255
!
interface GigabitEthernet0/0/0/0
 description to-xr2
 ipv4 address 10.0.0.0 255.255.255.254
!
router bgp 65001
 bgp router-id 10.255.0.1
 address-family ipv4 unicast
 !
 neighbor 10.0.0.1
  remote-as 65002
  description xr2
 !
!
"""


class Plane:
    """A control plane that refuses what XR refuses (control.validate) and records what it ran."""

    def __init__(self) -> None:
        self.applied: list[Config] = []

    async def __call__(self, conf: Config) -> None:
        control.validate(conf, "xr1")
        self.applied.append(conf)


def run(coro_fn: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(coro_fn())  # type: ignore[arg-type]


def _db(tmp_path: Path, plane: Plane | None = None) -> CommitDb:
    db = CommitDb(tmp_path, plane or Plane(), hostname="xr1")
    db.boot(parse_text(STARTUP))
    return db


async def _poll(cond: Callable[[], bool], timeout: float = 3.0) -> None:
    end = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < end, "timed out"
        await asyncio.sleep(0.05)


def test_two_stage_commit(tmp_path: Path) -> None:
    async def go() -> None:
        plane = Plane()
        db = _db(tmp_path, plane)
        s = db.session("admin")
        s.feed("interface GigabitEthernet0/0/0/0")
        s.feed("description changed")
        assert db.running.find("interface GigabitEthernet0/0/0/0", "description to-xr2") is not None
        assert s.changed()
        assert s.diff() == ("   interface GigabitEthernet0/0/0/0\n-   description to-xr2\n"
                            "+   description changed\n   !\n")
        c = await db.commit(s, comment="desc")
        assert c is not None and c.id == "1000000001" and c.comment == "desc"
        assert db.running.find("interface GigabitEthernet0/0/0/0", "description changed") is not None
        assert plane.applied[-1] == db.running
        assert not s.changed() and s.editor.mode == []
        assert await db.commit(s) is None  # "% No configuration changes to commit."
        s.feed("hostname xr1b")
        c2 = await db.commit(s)
        assert c2 is not None and c2.id == "1000000002"
    run(go)


def test_sessions_keep_their_own_changes(tmp_path: Path) -> None:
    async def go() -> None:
        db = _db(tmp_path)
        a, b = db.session("alice"), db.session("bob")
        a.feed("hostname xr1-a")
        b.feed("interface Loopback1")
        b.feed("ipv4 address 10.9.9.9 255.255.255.255")
        await db.commit(a)
        assert not b.target.find("hostname xr1-a")  # b's target is still its own edit ...
        await db.commit(b)  # ... and b's commit keeps a's change: XR commits a session's changes
        assert db.running.find("hostname xr1-a") is not None
        assert db.running.find("interface Loopback1") is not None
    run(go)


def test_commit_replace(tmp_path: Path) -> None:
    async def go() -> None:
        db = _db(tmp_path)
        s = db.session("admin")
        whole = "hostname xr1\ninterface Loopback0\n ipv4 address 10.255.0.1 255.255.255.255\n!\n"
        s.set_target(parse_text(whole), replace=True)
        await db.commit(s)
        assert db.running.find("router bgp 65001") is None
        assert [c.line for c in db.running.root.children] == ["hostname xr1", "interface Loopback0"]
    run(go)


def test_commit_confirmed_reverts_when_the_timer_fires(tmp_path: Path) -> None:
    async def go() -> None:
        plane = Plane()
        db = _db(tmp_path, plane)
        before = db.running.copy()
        s = db.session("admin")
        s.feed("hostname trial")
        c = await db.commit(s, confirmed=1)
        assert c is not None and db.running.find("hostname trial") is not None
        assert db.pending_confirm is not None and db.pending_confirm - time.time() <= 1.0
        await _poll(lambda: db.pending_confirm is None)
        assert db.running == before and plane.applied[-1] == before
        # XR records the automatic rollback as a commit of its own
        assert [x.client for x in db.history] == ["CLI", "Rollback"]
        assert db.history[-1].id == "1000000002"
    run(go)


def test_plain_commit_confirms_a_trial_only_in_its_own_cli_session(tmp_path: Path) -> None:
    """XR binds a CLI trial to the session that made it: another session's `commit` neither confirms it
    nor may commit changes meanwhile; the owner's plain `commit` confirms it."""
    async def go() -> None:
        db = _db(tmp_path)
        s = db.session("admin")
        s.feed("hostname trial")
        await db.commit(s, confirmed=1)
        other = db.session("ops")
        assert await db.commit(other) is None  # no changes, and not its trial: nothing happens
        assert db.pending_confirm is not None
        other.feed("hostname other")
        with pytest.raises(ConfigError, match="unexpired trial"):
            await db.commit(other)
        assert await db.commit(s) is None  # the owner: no changes, so it confirms
        assert db.pending_confirm is None
        await asyncio.sleep(1.3)
        assert db.running.find("hostname trial") is not None and len(db.history) == 1
    run(go)


def test_cancel_confirmed_reverts_now(tmp_path: Path) -> None:
    async def go() -> None:
        db = _db(tmp_path)
        before = db.running.copy()
        s = db.session("admin", client="NETCONF")
        s.feed("hostname trial")
        await db.commit(s, confirmed=600)
        assert await db.cancel_confirmed() is True
        assert db.running == before and db.pending_confirm is None
        assert await db.cancel_confirmed() is False
    run(go)


def test_atomic_failure_changes_nothing(tmp_path: Path) -> None:
    async def go() -> None:
        plane = Plane()
        db = _db(tmp_path, plane)
        s = db.session("admin")
        s.feed("router bgp 65001")
        s.feed("neighbor 10.0.0.9")  # no remote-as: XR refuses the commit
        s.feed("description broken")
        before = db.running.copy()
        with pytest.raises(CommitFailed) as e:
            await db.commit(s)
        assert e.value.message.startswith("% Failed to commit one or more configuration items during a "
                                          "pseudo-atomic operation. All changes made have been reverted.")
        assert db.running == before and db.history == [] and plane.applied == []
        assert s.changed()  # the target is kept for the user to fix
        assert s.failed is not None and s.failed.startswith("!! SEMANTIC ERRORS")
        assert "remote-as" in s.failed and s.failed.rstrip().endswith("end")
        s.feed("remote-as 65003")
        assert await db.commit(s) is not None and s.failed is None
    run(go)


def test_exclusive_lock(tmp_path: Path) -> None:
    async def go() -> None:
        db = _db(tmp_path)
        owner, other = db.session("alice"), db.session("bob")
        db.lock_exclusive(owner)
        with pytest.raises(LockError):
            db.lock_exclusive(other)
        other.feed("hostname bob")
        with pytest.raises(LockError) as e:
            await db.commit(other)
        assert "locked by another agent" in e.value.message
        assert db.running.find("hostname xr1") is not None
        owner.feed("hostname alice")
        await db.commit(owner)
        db.close(owner)  # the lock ends with its session
        assert db.lock_owner is None
        await db.commit(other)
        assert db.running.find("hostname bob") is not None
    run(go)


def test_rollback_and_commit_list(tmp_path: Path) -> None:
    async def go() -> None:
        db = _db(tmp_path)
        s = db.session("admin")
        for name in ("a", "b", "c"):
            s.feed(f"hostname xr1-{name}")
            await db.commit(s)
        assert [c.id for c in db.history] == ["1000000001", "1000000002", "1000000003"]
        await db.rollback_last(2, "admin")  # undoes c and b
        assert db.running.find("hostname xr1-a") is not None
        assert db.history[-1].client == "Rollback"
        await db.rollback_to("1000000001", "admin")  # that commit and all later ones
        assert db.running == parse_text(STARTUP)
        with pytest.raises(ConfigError):
            await db.rollback_to("1000000099", "admin")
        with pytest.raises(ConfigError):
            await db.rollback_last(99, "admin")
        lines = db.commit_list().splitlines()
        assert lines[0] == "SNo. Label/ID              User      Line                Client      Time Stamp"
        assert lines[1] == "~~~~ ~~~~~~~~              ~~~~      ~~~~                ~~~~~~      ~~~~~~~~~~"
        assert re.fullmatch(r"1    1000000005            admin     vty0:node0_RP0_CPU  Rollback    "
                            r"\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}", lines[2]), lines[2]
        assert lines[-1].startswith("5    1000000001            admin     vty0:node0_RP0_CPU  CLI         ")
        assert db.commit_changes("1000000002").endswith("hostname xr1-b\nend\n")
    run(go)


def test_history_is_capped(tmp_path: Path) -> None:
    async def go() -> None:
        db = _db(tmp_path)
        s = db.session("admin")
        for i in range(HISTORY + 5):
            s.feed(f"hostname xr1-{i}")
            await db.commit(s)
        assert len(db.history) == HISTORY and db.history[0].id == "1000000006"
        await db.rollback_last(HISTORY, "admin")  # back to before the oldest commit kept
        assert db.running.find("hostname xr1-4") is not None
    run(go)


def test_persistence_and_a_pending_trial_survive_a_restart(tmp_path: Path) -> None:
    async def first() -> None:
        db = _db(tmp_path)
        s = db.session("admin")
        s.feed("hostname kept")
        await db.commit(s, label="keep")
        s.feed("hostname trial")
        await db.commit(s, confirmed=1)
        db.save()  # the twin stops here, its timer with it

    async def second() -> None:
        plane = Plane()
        db = CommitDb(tmp_path, plane, hostname="xr1")
        assert db.restore()
        assert db.running.find("hostname trial") is not None and db.pending_confirm is not None
        assert [c.label for c in db.history] == ["keep", ""]
        db.resume()
        await _poll(lambda: db.pending_confirm is None)
        assert db.running.find("hostname kept") is not None and plane.applied
        db3 = CommitDb(tmp_path, Plane())
        assert db3.restore() and db3.running == db.running
        assert db3.commit_list() == db.commit_list()

    run(first)
    assert not list(tmp_path.rglob("*.tmp"))  # atomic writes leave no temporaries
    run(second)
    assert not CommitDb(tmp_path / "none", Plane()).restore()
