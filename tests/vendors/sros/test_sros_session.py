"""The SR OS datastores: private/global/exclusive candidates, commit (atomic when the control plane refuses),
the three-way merge of a private candidate, confirmed commits whose timer really fires, session end and
persist, rollback checkpoints, NETCONF locks, and the state saved across a twin-server restart.

The control plane is a recorder that can refuse (what the twin's apply does with control.validate and FRR is
covered by the control and lab tests)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from fabric.vendors.sros.config import Config, ConfigError, parse_text
from fabric.vendors.sros.twin.session import EXCLUSIVE_MSG, Datastore, LockDenied

STARTUP = """/configure system name "sr1"
/configure port 1/1/c1/1 admin-state enable
/configure router "Base" interface "system" ipv4 primary address 10.255.0.1
/configure router "Base" interface "system" ipv4 primary prefix-length 32
/configure router "Base" interface "to-sr2" port 1/1/c1/1
/configure router "Base" interface "to-sr2" description "to sr2"
"""
IFACE = ["router", "Base", "interface", "to-sr2"]


class Plane:
    """Records what it activates; refuses a config whose to-sr2 description is ``refuse``."""

    def __init__(self) -> None:
        self.applied: list[Config] = []

    async def __call__(self, conf: Config) -> None:
        await asyncio.sleep(0)  # a real apply yields to the loop
        if desc(conf) == "refuse":
            raise ConfigError('MINOR: MGMT_CORE #5001: configure router "Base" - Commit failed',
                              tag="operation-failed")
        self.applied.append(conf.copy())


def desc(conf: Config) -> str | None:
    for r in conf.data.get("router", []):
        for i in r.get("interface", []):
            if i.get("interface-name") == "to-sr2":
                return i.get("description")
    return None


def run(fn: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(fn())  # type: ignore[arg-type]


def _db(tmp_path: Path, plane: Plane | None = None) -> Datastore:
    db = Datastore(tmp_path, plane or Plane(), hostname="sr1")
    db.boot(parse_text(STARTUP))
    return db


async def _poll(cond: Callable[[], bool], timeout: float = 3.0) -> None:
    end = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < end, "timed out"
        await asyncio.sleep(0.02)


def test_commit_discard_compare(tmp_path: Path) -> None:
    async def go() -> None:
        plane = Plane()
        db = _db(tmp_path, plane)
        s = db.open("admin", "private")
        s.edit(IFACE + ["description", "changed"])
        assert db.changed(s) and desc(db.running) == "to sr2"
        assert "+ " in db.compare(s) and "changed" in db.compare(s) and "- " in db.compare(s)
        s.discard()
        assert not db.changed(s) and desc(s.candidate) == "to sr2"
        s.edit(IFACE + ["description", "changed"])
        c = await db.commit(s, comment="desc")
        assert c is not None and c.user == "admin" and c.comment == "desc"
        assert desc(db.running) == "changed" and desc(plane.applied[-1]) == "changed"
        assert not db.changed(s)
        assert await db.commit(s) is None  # nothing to commit
        assert len(plane.applied) == 1
        ro = db.open("oper", "read-only")
        with pytest.raises(ConfigError):
            ro.edit(IFACE + ["description", "x"])
        with pytest.raises(ConfigError):
            await db.commit(ro)
    run(go)


def test_failing_apply_changes_nothing(tmp_path: Path) -> None:
    async def go() -> None:
        plane = Plane()
        db = _db(tmp_path, plane)
        before = db.running.copy()
        s = db.open("admin", "global")
        s.edit(IFACE + ["description", "refuse"])
        with pytest.raises(ConfigError) as e:
            await db.commit(s)
        assert e.value.tag == "operation-failed" and "Commit failed" in e.value.message
        assert db.running == before and plane.applied == [] and db.checkpoints() == []
        assert desc(s.candidate) == "refuse"  # the candidate keeps the change to fix it
        with pytest.raises(ConfigError):  # a bad edit leaves the candidate as it was
            s.edit(["no-such-thing", "x"])
        assert desc(s.candidate) == "refuse"
    run(go)


def test_private_candidates_merge_three_way(tmp_path: Path) -> None:
    async def go() -> None:
        db = _db(tmp_path)
        a = db.open("alice", "private")
        b = db.open("bob", "private")
        a.edit(IFACE + ["description", "from alice"])
        b.edit(["router", "Base", "interface", "lo1", "ipv4", "primary", "address", "10.9.9.9"])
        b.edit(["router", "Base", "interface", "lo1", "ipv4", "primary", "prefix-length", "32"])
        assert desc(b.candidate) == "to sr2"  # private: alice's change is not visible
        await db.commit(a)
        await db.commit(b)  # bob's baseline is out of date: his change is replayed on today's running
        assert desc(db.running) == "from alice"
        assert "lo1" in db.running.flat()
        assert desc(b.candidate) == "from alice"
        # a candidate that deletes what another commit kept
        b.edit(IFACE + ["description"], delete=True)
        a.edit(["system", "contact", "noc"])
        await db.commit(a)
        await db.commit(b)
        assert desc(db.running) is None and "contact" in db.running.flat()
        # closing a private session drops its candidate
        c = db.open("carol", "private")
        c.edit(["system", "location", "lab"])
        assert db.close(c) is None
        assert "location" not in db.candidate.flat()
    run(go)


def test_global_candidate_is_shared(tmp_path: Path) -> None:
    async def go() -> None:
        db = _db(tmp_path)
        g1 = db.open("alice", "global")
        g2 = db.open("bob", "global", client="NETCONF", sid=42)
        g1.edit(["system", "contact", "noc"])
        assert "contact" in g2.candidate.flat() and db.changed(g2)
        ro = db.open("carol", "read-only")
        assert "contact" in ro.candidate.flat()
        await db.commit(g2)  # commits everybody's global changes
        assert "contact" in db.running.flat() and not db.changed(g1)
        db.close(g1)
    run(go)


def test_exclusive_conflicts(tmp_path: Path) -> None:
    async def go() -> None:
        db = _db(tmp_path)
        g = db.open("alice", "global")
        g.edit(["system", "contact", "noc"])
        with pytest.raises(ConfigError) as e:  # uncommitted global changes
            db.open("bob", "exclusive")
        assert e.value.message == EXCLUSIVE_MSG
        g.discard()
        ex = db.open("bob", "exclusive")
        with pytest.raises(ConfigError):
            db.open("carol", "exclusive")
        with pytest.raises(ConfigError):
            db.open("carol", "global")
        with pytest.raises(ConfigError):  # already in global mode: cannot edit the locked candidate
            g.edit(["system", "contact", "x"])
        p = db.open("dave", "private")
        p.edit(["system", "location", "lab"])
        with pytest.raises(ConfigError) as e:  # commits from other sessions are blocked
            await db.commit(p)
        assert e.value.tag == "in-use" and "location" not in db.running.flat()
        ro = db.open("eve", "read-only")  # read-only may enter
        ex.edit(["system", "contact", "bob"])
        assert "bob" in ro.candidate.flat()
        db.close(ex)  # leaving exclusive mode discards its uncommitted changes
        assert "contact" not in db.candidate.flat() and db.exclusive is None
        await db.commit(p)
        assert "location" in db.running.flat()
    run(go)


def test_netconf_locks(tmp_path: Path) -> None:
    async def go() -> None:
        db = _db(tmp_path)
        n1 = db.open("nc1", "global", client="NETCONF", sid=11)
        n2 = db.open("nc2", "global", client="NETCONF", sid=12)
        db.lock("candidate", n1)
        with pytest.raises(LockDenied) as e:
            db.lock("candidate", n2)
        assert e.value.session_id == 11 and e.value.tag == "lock-denied"
        with pytest.raises(ConfigError):
            n2.edit(["system", "contact", "x"])
        with pytest.raises(ConfigError):
            db.open("cli", "exclusive")
        n1.edit(["system", "contact", "nc1"])
        db.unlock("candidate", n1)
        with pytest.raises(LockDenied) as e:  # RFC 6241: not while the candidate has changes
            db.lock("candidate", n2)
        n2.discard()
        db.lock("running", n2)
        with pytest.raises(LockDenied) as e:
            db.lock("running", n1)
        assert e.value.session_id == 12
        n1.edit(["system", "contact", "nc1"])
        with pytest.raises(ConfigError):  # running locked by another: no commit
            await db.commit(n1)
        ex = db.open("cli", "private")
        with pytest.raises(ConfigError):
            await db.commit(ex)
        with pytest.raises(ConfigError):
            db.unlock("running", n1)
        db.close(n2)  # a session's locks go with it
        assert db.running_lock is None
        await db.commit(n1)
        assert "nc1" in db.running.flat()
        # a CLI exclusive holder shows as session 0
        ex2 = db.open("cli", "exclusive")
        with pytest.raises(LockDenied) as e:
            db.lock("candidate", n1)
        assert e.value.session_id == 0
        db.close(ex2)
        # the candidate lock holder ending discards the candidate (RFC 6241 7.5)
        db.lock("candidate", n1)
        n1.edit(["system", "location", "x"])
        db.close(n1)
        assert db.exclusive is None and "location" not in db.candidate.flat()
    run(go)


def test_confirmed_commit_reverts_by_itself(tmp_path: Path) -> None:
    async def go() -> None:
        plane = Plane()
        db = _db(tmp_path, plane)
        s = db.open("admin", "private")
        s.edit(IFACE + ["description", "trial"])
        await db.commit(s, timeout_s=0.3)
        assert desc(db.running) == "trial" and db.pending is not None
        # a later ordinary commit rides on the trial: the revert takes it back too
        s.edit(["system", "contact", "noc"])
        await db.commit(s)
        assert db.pending is not None
        await _poll(lambda: db.pending is None)
        assert desc(db.running) == "to sr2" and "contact" not in db.running.flat()
        assert desc(plane.applied[-1]) == "to sr2"
        assert db.checkpoints()[0].id == 1 and db.history[0].user == "system"
        assert not db.changed(s)  # an unmodified candidate follows running
    run(go)


def test_confirmed_accept_and_cancel(tmp_path: Path) -> None:
    async def go() -> None:
        db = _db(tmp_path)
        s = db.open("admin", "private")
        with pytest.raises(ConfigError):
            db.confirm()
        s.edit(IFACE + ["description", "keep"])
        await db.commit(s, confirmed=1)
        assert db.pending is not None and 59 < db.pending.remaining() <= 60
        db.confirm()
        assert db.pending is None and desc(db.running) == "keep"
        s.edit(IFACE + ["description", "drop"])
        await db.commit(s, confirmed=1)
        await db.cancel_confirmed()
        assert db.pending is None and desc(db.running) == "keep"
        await asyncio.sleep(0)
    run(go)


def test_netconf_confirming_commit(tmp_path: Path) -> None:
    async def go() -> None:
        db = _db(tmp_path)
        n = db.open("nc", "global", client="NETCONF", sid=7)
        other = db.open("nc2", "global", client="NETCONF", sid=8)
        n.edit(IFACE + ["description", "nc"])
        await db.commit(n, timeout_s=30)
        with pytest.raises(ConfigError):  # RFC 6241: another session cannot confirm a non-persist one
            db.confirm(s=other)
        await db.commit(other)  # an ordinary commit from another session does not confirm it
        assert db.pending is not None
        await db.commit(n)  # <commit/> from the same session confirms
        assert db.pending is None and desc(db.running) == "nc"
    run(go)


def test_session_end_reverts_unless_persist(tmp_path: Path) -> None:
    async def go() -> None:
        db = _db(tmp_path)
        s = db.open("admin", "private")
        s.edit(IFACE + ["description", "trial"])
        await db.commit(s, confirmed=5)
        task = db.close(s)
        assert task is not None
        await task
        assert db.pending is None and desc(db.running) == "to sr2"

        n = db.open("nc", "global", client="NETCONF", sid=9)
        n.edit(IFACE + ["description", "persist"])
        await db.commit(n, timeout_s=30, persist="tok")
        assert db.close(n) is None  # persist: it survives the session
        assert db.pending is not None and desc(db.running) == "persist"
        m = db.open("nc2", "global", client="NETCONF", sid=10)
        with pytest.raises(ConfigError):
            db.confirm(s=m)  # needs the token
        with pytest.raises(ConfigError):
            await db.cancel_confirmed("wrong", s=m)
        with pytest.raises(ConfigError):  # a follow-up confirmed commit needs the token too
            await db.commit(m, timeout_s=30)
        await db.commit(m, persist_id="tok")  # confirming commit with the token
        assert db.pending is None and desc(db.running) == "persist"

        m.edit(IFACE + ["description", "again"])
        await db.commit(m, timeout_s=30, persist="t2")
        await db.cancel_confirmed("t2", s=m)
        assert desc(db.running) == "persist"
    run(go)


def test_rollback_revert_and_load(tmp_path: Path) -> None:
    async def go() -> None:
        db = _db(tmp_path)
        s = db.open("admin", "private")
        for d in ("one", "two", "three"):
            s.edit(IFACE + ["description", d])
            await db.commit(s, comment=d)
        cps = db.checkpoints()
        assert [c.id for c in cps] == [1, 2, 3]
        assert [c.comment for c in cps] == ["two", "one", ""] and cps[-1].user == "system"
        assert desc(db.checkpoint(0)) == "three" and desc(db.checkpoint(3)) == "to sr2"
        s.rollback(1)  # into the candidate, no commit
        assert desc(s.candidate) == "two" and desc(db.running) == "three"
        s.discard()
        c = await db.rollback_revert(2, user="ops")
        assert c is not None and c.user == "ops" and desc(db.running) == "one"
        assert desc(db.checkpoint(1)) == "three"  # the revert is a history entry of its own
        with pytest.raises(ConfigError):
            db.checkpoint(99)
        # a revert that the control plane refuses changes nothing
        s.edit(IFACE + ["description", "refuse"])
        with pytest.raises(ConfigError):
            await db.commit(s)
        before = db.running.copy()
        db.history[1].config = parse_text(STARTUP.replace("to sr2", "refuse"))
        with pytest.raises(ConfigError):
            await db.rollback_revert(1)
        assert db.running == before
    run(go)


def test_save_restore_round_trip(tmp_path: Path) -> None:
    async def go() -> None:
        db = _db(tmp_path)
        s = db.open("admin", "private")
        for d in ("one", "two"):
            s.edit(IFACE + ["description", d])
            await db.commit(s, comment=d)
        s.edit(["system", "contact", "noc"])
        await db.commit(s, timeout_s=0.5, persist="tok")
        deadline = db.pending.deadline if db.pending else 0.0

        plane2 = Plane()
        db2 = Datastore(tmp_path, plane2, hostname="sr1")  # the twin server restarted
        assert db2.restore()
        assert db2.running == db.running and db2.candidate == db.running
        assert [(c.serial, c.user, c.comment) for c in db2.checkpoints()] == \
            [(c.serial, c.user, c.comment) for c in db.checkpoints()]
        assert db2.pending is not None and db2.pending.deadline == deadline and db2.pending.persist == "tok"
        db._drop_pending()  # the old server is gone
        db2.resume()  # the timer keeps the time it had left and reverts by itself
        await _poll(lambda: db2.pending is None)
        assert "contact" not in db2.running.flat() and desc(db2.running) == "two"
        s2 = db2.open("admin", "private")
        s2.edit(IFACE + ["description", "three"])
        c = await db2.commit(s2)
        assert c is not None and c.serial > max(x.serial for x in db.history)
        assert not Datastore(tmp_path / "none", plane2).restore()
    run(go)


def test_commits_are_serialised(tmp_path: Path) -> None:
    async def go() -> None:
        plane = Plane()
        db = _db(tmp_path, plane)
        a = db.open("alice", "private")
        b = db.open("bob", "private")
        a.edit(["system", "contact", "a"])
        b.edit(["system", "location", "b"])
        await asyncio.gather(db.commit(a), db.commit(b))
        flat = db.running.flat()
        assert "contact" in flat and "location" in flat and len(plane.applied) == 2
    run(go)


def test_boot_drops_a_previous_deployment(tmp_path: Path) -> None:
    async def go() -> None:
        db = _db(tmp_path)
        s = db.open("admin", "private")
        s.edit(IFACE + ["description", "old deployment"])
        await db.commit(s)
        db2 = Datastore(tmp_path, Plane())
        db2.boot(parse_text(STARTUP))  # a new deployment boots from its startup config
        db3 = Datastore(tmp_path, Plane())  # then the server restarts
        assert db3.restore() and desc(db3.running) == "to sr2" and db3.checkpoints() == []
    run(go)


def test_validate_update_and_netconf_edit(tmp_path: Path) -> None:
    async def go() -> None:
        from lxml import etree

        db = _db(tmp_path)
        seen: list[Config] = []

        def validator(conf: Config) -> None:
            seen.append(conf)
            if desc(conf) == "refuse":
                raise ConfigError("MINOR: MGMT_CORE #5001: refused")

        db.validator = validator
        s = db.open("admin", "private")
        s.edit(IFACE + ["description", "refuse"])
        with pytest.raises(ConfigError):
            db.validate(s)
        s.discard()
        other = db.open("bob", "private")
        other.edit(["system", "contact", "noc"])
        await db.commit(other)
        s.edit(["system", "location", "lab"])
        db.validate(s)  # what is checked is the candidate replayed on today's running
        assert "contact" in seen[-1].flat() and "location" in seen[-1].flat()
        db.update(s)
        assert s.baseline == db.running and "contact" in s.candidate.flat()

        n = db.open("nc", "global", client="NETCONF", sid=3)
        nc = "urn:ietf:params:xml:ns:netconf:base:1.0"
        el = etree.fromstring(
            f'<config xmlns="{nc}"><configure xmlns="urn:nokia.com:sros:ns:yang:sr:conf">'
            '<system><location nc:operation="create" xmlns:nc="' + nc + '">x</location></system>'
            "</configure></config>")
        n.edit_xml(el)
        assert db.changed(n)
        with pytest.raises(ConfigError) as e:  # create of what exists: nothing changes
            n.edit_xml(el)
        assert e.value.tag == "data-exists" and db.changed(n)
        await db.commit(n)
        assert db.running.data["system"]["location"] == "x"
    run(go)
