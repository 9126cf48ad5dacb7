"""The IOS-XR rollout driver (scrapli + scrapli-cfg over the XR CLI) against the twin's real SSH server:
replace and merge with XR's own `commit confirmed`, confirm and rollback through the trial's own session,
a rollback after a confirm, and the device reverting a trial nobody confirms."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from _twinbed import poll

from fabric.rollout.drivers import DriverError, Target
from fabric.vendors.iosxr.driver import IosxrDriver

ROOT = Path(__file__).resolve().parents[3]
GOLDEN = (ROOT / "containerlab" / "xr-core" / "rr1.cfg").read_text()


def _driver(b: Any) -> IosxrDriver:
    return IosxrDriver(Target("rr1", "127.0.0.1", "iosxr", b.user, b.password, port=b.ssh_port))


def test_replace_then_rollback_restores_running(golden_bed: Any) -> None:
    b = golden_bed
    drv = _driver(b)
    try:
        before = drv.normalise_config(drv.running())
        assert drv.diff(GOLDEN, "replace") == ""  # the running config is the golden one: nothing to do
        changed = GOLDEN.replace("description to p1 eth1", "description replaced")
        diff = drv.diff(changed, "replace")
        assert "description replaced" in diff and "description to p1 eth1" in diff, diff
        assert drv.normalise_config(drv.running()) == before  # diff loads nothing
        drv.commit_confirmed(changed, "replace", 120, "nf-replace-1")
        assert "description replaced" in drv.running()
        assert drv.timer_state("nf-replace-1") == "armed"
        assert b.twin.db.pending_confirm is not None
        assert drv.rollback("nf-replace-1") == "rolled_back"  # in the trial's own session: at once
        assert b.twin.db.pending_confirm is None
        assert drv.normalise_config(drv.running()) == before
    finally:
        drv.close()


def test_merge_confirm_then_rollback_after_confirm(golden_bed: Any) -> None:
    """As the engine does it: a new driver object confirms (the parked trial session is found by token),
    and a later rollback undoes the confirmed commit with `rollback configuration to <id>`."""
    b = golden_bed
    drv = _driver(b)
    try:
        before = drv.normalise_config(drv.running())
        snippet = "interface GigabitEthernet0/0/0/0\n description merged\n"
        assert "description merged" in drv.diff(snippet, "merge")
        drv.commit_confirmed(snippet, "merge", 60, "nf-merge-1")
        assert b.twin.db.pending_confirm is not None
        other = _driver(b)
        try:
            assert other.confirm("nf-merge-1") is True
        finally:
            other.close()
        assert b.twin.db.pending_confirm is None
        assert " description merged" in drv.running()
        assert drv.timer_state("nf-merge-1") == "armed"  # in effect (XR does not list trial vs confirmed)
        assert drv.rollback("nf-merge-1") == "rolled_back"
        assert drv.normalise_config(drv.running()) == before
        assert drv.timer_state("nf-merge-1") == "reverted"
    finally:
        drv.close()


def test_trial_nobody_confirms_is_reverted_by_the_device(golden_bed: Any) -> None:
    b = golden_bed
    drv = _driver(b)
    try:
        before = drv.normalise_config(drv.running())
        drv.commit_confirmed("interface GigabitEthernet0/0/0/1\n shutdown\n", "merge", 30, "nf-timer-1")
        # the trial runs on the device's own timer: pulled in here for speed (test_lab_xr waits 30 s)
        b.call(lambda: b.twin.db._arm(time.time() + 0.3))
        poll(lambda: b.twin.db.pending_confirm is None, 10)
        poll(lambda: drv.timer_state("nf-timer-1") == "reverted", 10)
        assert drv.normalise_config(drv.running()) == before
        assert drv.confirm("nf-timer-1") is False  # too late: the device reverted
        assert drv.rollback("nf-timer-1") == "reverted_by_timer"
    finally:
        drv.close()


def test_refused_candidate_is_an_error_and_changes_nothing(golden_bed: Any) -> None:
    drv = _driver(golden_bed)
    try:
        before = drv.normalise_config(drv.running())
        with pytest.raises(DriverError):
            drv.commit_confirmed("frobnicate the router\n", "merge", 60, "nf-bad-1")
        assert drv.normalise_config(drv.running()) == before
        assert drv.timer_state("nf-bad-1") == "none"
    finally:
        drv.close()
