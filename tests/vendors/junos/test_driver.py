"""The Junos rollout driver against the Junos twin's NETCONF server (real ncclient, junos handler).

What the rollout engine relies on: a change loaded as merge or override, ``commit confirmed`` that the
device reverts by itself, confirmation by a second commit, rollback to the previous commit, and the
timer's state told from the commit log (our token vs. the device's own revert).
"""

from __future__ import annotations

import time

from fabric.rollout.drivers import Target, driver_for
from fabric.vendors.junos.twin.session import ConfigDb

from .conftest import Bed

CHANGE = "set system login message netfabric-change\n"


def _driver(bed: Bed):  # type: ignore[no-untyped-def]
    d = driver_for(Target("vr1", "127.0.0.1", "junos", bed.user, bed.password, port=bed.port))
    assert d.netconf_device == "junos"
    return d


def test_merge_commit_confirmed_then_confirm(bed: Bed) -> None:
    d = _driver(bed)
    try:
        before = d.running()
        assert "host-name vr1;" in before
        diff = d.diff(CHANGE, "merge")
        assert "+    login {" in diff or "netfabric-change" in diff, diff
        assert d.running() == before  # the diff left nothing in the candidate or running
        d.commit_confirmed(CHANGE, "merge", 120, "nf-r1")
        assert d.timer_state("nf-r1") == "armed"
        assert "netfabric-change" in d.running()
        assert d.confirm("nf-r1") is True
        assert d.timer_state("nf-r1") == "confirmed"
        assert "netfabric-change" in d.running()
    finally:
        d.close()


def test_replace_is_override_and_rollback_restores(bed: Bed) -> None:
    d = _driver(bed)
    try:
        before = d.running()
        full = before.replace("host-name vr1;", "host-name vr1-new;")
        d.commit_confirmed(full, "replace", 120, "nf-r2")
        assert "host-name vr1-new;" in d.running() and "host-name vr1;" not in d.running()
        assert d.rollback("nf-r2") == "rolled_back"
        assert d.normalise_config(d.running()) == d.normalise_config(before)
        assert d.timer_state("nf-r2") == "confirmed"  # the rollback commit carries the token
    finally:
        d.close()


def test_unconfirmed_commit_reverts_by_itself_and_confirm_comes_too_late(bed: Bed) -> None:
    bed.call(lambda: setattr(ConfigDb, "seconds_per_minute", 0.3))  # a device "minute" of 0.3 s
    d = _driver(bed)
    try:
        before = d.running()
        d.commit_confirmed(CHANGE, "merge", 60, "nf-r3")
        assert d.timer_state("nf-r3") == "armed"
        deadline = time.monotonic() + 10
        while d.timer_state("nf-r3") == "armed":
            assert time.monotonic() < deadline, "the device never rolled back by itself"
            time.sleep(0.1)
        assert d.timer_state("nf-r3") == "reverted"
        assert d.confirm("nf-r3") is False
        assert d.rollback("nf-r3") == "reverted_by_timer"
        assert d.normalise_config(d.running()) == d.normalise_config(before)
    finally:
        d.close()
        ConfigDb.seconds_per_minute = 60.0


def test_a_refused_change_is_an_error_and_leaves_nothing(bed: Bed) -> None:
    import pytest

    from fabric.rollout.drivers import DriverError

    d = _driver(bed)
    try:
        before = d.running()
        with pytest.raises(DriverError):
            d.commit_confirmed("system {\n    host-name\n", "replace", 120, "nf-r4")
        assert d.running() == before
        d.commit_confirmed(CHANGE, "merge", 120, "nf-r5")  # the candidate was unlocked and is clean
        assert d.confirm("nf-r5")
    finally:
        d.close()
