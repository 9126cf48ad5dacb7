"""Journal state machine, resume decisions, secret masking, and the rollout lock."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

from fabric.errors import FabricError
from fabric.rollout.journal import FINAL_DEVICE, IN_FLIGHT, Journal, resume_action, scrub


def test_resume_decision_table() -> None:
    for s in FINAL_DEVICE:
        assert resume_action(s) == "none"
    for s in ("pending", "prechecked"):
        assert resume_action(s) == "rerun"
    for s in IN_FLIGHT:
        assert resume_action(s) == "rollback"
    with pytest.raises(ValueError):
        resume_action("bogus")


def test_scrub_masks_secrets() -> None:
    text = "username admin secret 5 $1$abc\n enable password hunter2\nsnmp community s3cr3tpw ro\nhostname x"
    out = scrub(text, ["s3cr3tpw"])
    assert out is not None
    assert "$1$abc" not in out and "hunter2" not in out and "s3cr3tpw" not in out and "hostname x" in out


def test_journal_records_steps(tmp_path: Path) -> None:
    j = Journal(tmp_path / "j.sqlite", secrets=["topsecret"])
    j.create("r1", "pb", None, "dc1", "op", [["a"], ["b", "c"]], {})
    j.device("r1", "a", "prechecked", pre_config="password topsecret\nx")
    j.device("r1", "a", "armed", token="nf-r1", diff="+ y")
    devs = {d["host"]: d for d in j.devices("r1")}
    assert devs["a"]["state"] == "armed" and devs["b"]["wave"] == 1 and devs["c"]["state"] == "pending"
    assert "topsecret" not in devs["a"]["pre_config"]
    assert [e["step"] for e in j.events("r1")][:3] == ["rollout", "prechecked", "armed"]
    j.set_rollout("r1", "completed", {"ok": True})
    r = j.rollout("r1")
    assert r["state"] == "completed" and r["ended"] and r["plan"] == [["a"], ["b", "c"]]
    assert j.history()[0]["id"] == "r1"
    with pytest.raises(FabricError):
        j.rollout("nope")


def test_lock_refuses_second_rollout_and_takes_over_stale(tmp_path: Path) -> None:
    j = Journal(tmp_path / "j.sqlite")
    child = subprocess.Popen(["sleep", "60"])
    try:
        j.acquire("dc1", "first")
        j._x("UPDATE locks SET pid=? WHERE fabric='dc1'", (child.pid,))  # held by a live process
        with pytest.raises(FabricError, match="active"):
            j.acquire("dc1", "second")
        j.acquire("other-fabric", "second")  # another fabric is independent
    finally:
        child.kill()
        child.wait()
    j.acquire("dc1", "second")  # holder died: stale, taken over
    assert j.lock_holder("dc1")["rollout_id"] == "second"  # type: ignore[index]


def test_lock_stale_by_heartbeat_from_other_host(tmp_path: Path) -> None:
    j = Journal(tmp_path / "j.sqlite")
    j._x("INSERT INTO locks VALUES ('dc1', 'x', 1, 'elsewhere', ?)", (time.time(),))
    with pytest.raises(FabricError):
        j.acquire("dc1", "mine", stale_after=30)
    j._x("UPDATE locks SET heartbeat=? WHERE fabric='dc1'", (time.time() - 60,))
    j.acquire("dc1", "mine", stale_after=30)
    h = j.lock_holder("dc1")
    assert h and h["pid"] == os.getpid() and h["hostname"] == socket.gethostname()
    j.release("dc1", "mine")
    assert j.lock_holder("dc1") is None
