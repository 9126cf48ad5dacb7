"""NAPALM configuration workflow against the twin, with effects seen from the real FRR peer."""

from __future__ import annotations

import time

import pytest

from fabric.vendors.eos.twin.testbed import TestBed

pytestmark = pytest.mark.lab


def _running(d) -> str:  # type: ignore[no-untyped-def]
    return str(d.get_config(retrieve="running")["running"])


def test_merge_compare_discard(napalm_eos) -> None:  # type: ignore[no-untyped-def]
    d = napalm_eos()
    try:
        before = _running(d)
        d.load_merge_candidate(config="interface Ethernet1\n   description merged-candidate\n")
        diff = d.compare_config()
        assert "+   description merged-candidate" in diff and "-   description " in diff
        assert not diff.startswith("---")  # NAPALM strips the two header lines
        d.discard_config()
        assert d.compare_config() == ""
        assert _running(d) == before
    finally:
        d.close()


def test_replace_commit_and_rollback(napalm_eos) -> None:  # type: ignore[no-untyped-def]
    d = napalm_eos()
    try:
        running = _running(d)
        body = running.split("!\n", 1)[1] if running.startswith("! Command") else running
        d.load_replace_candidate(config=body.replace("maximum-paths 4", "maximum-paths 8"))
        diff = d.compare_config()
        assert "-   maximum-paths 4" in diff and "+   maximum-paths 8" in diff
        assert diff.count("\n+") + diff.count("\n-") == 2, diff  # replace of the same text: only the change
        d.commit_config()
        assert "maximum-paths 8" in _running(d)
        assert "maximum-paths 8" in d.get_config(retrieve="startup")["startup"]  # write memory
        d.rollback()
        assert "maximum-paths 4" in _running(d)
    finally:
        d.close()


def test_commit_breaks_bgp_and_revert_in_restores_it(bed: TestBed, napalm_eos) -> None:  # type: ignore[no-untyped-def]
    d = napalm_eos()
    try:
        assert bed.wait_peer("Established", 20)
        running = _running(d)
        d.load_replace_candidate(config=running.replace("remote-as 65002", "remote-as 65009"))
        t0 = time.monotonic()
        d.commit_config(revert_in=8)
        assert d.has_pending_commit()
        assert bed.wait_peer("Idle", 6) or bed.peer_bgp_state() != "Established"
        assert "remote-as 65009" in _running(d)
        # Nobody confirms: EOS rolls back when the timer expires, and the session comes back.
        assert bed.wait_peer("Established", 30)
        assert time.monotonic() - t0 >= 7.5  # not reverted before its timer
        assert "remote-as 65002" in _running(d)
        assert not d.has_pending_commit()
    finally:
        d.close()


def test_confirm_commit_keeps_change(bed: TestBed, napalm_eos) -> None:  # type: ignore[no-untyped-def]
    revert_in = 15
    d = napalm_eos()
    try:
        d.load_merge_candidate(config="interface Ethernet1\n   description confirmed\n")
        t0 = time.monotonic()
        d.commit_config(revert_in=revert_in)
        assert d.has_pending_commit(), f"the {revert_in}s commit timer expired before the confirm"
        d.confirm_commit()
        assert not d.has_pending_commit()
        # Past the moment the unconfirmed commit would have been reverted, the change is still there.
        while time.monotonic() < t0 + revert_in + 3:
            assert "description confirmed" in _running(d), "a confirmed commit was reverted"
            assert not d.has_pending_commit()
            time.sleep(1)
    finally:
        d.close()


def test_rollback_of_pending_commit(bed: TestBed, napalm_eos) -> None:  # type: ignore[no-untyped-def]
    d = napalm_eos()
    try:
        d.load_merge_candidate(config="router bgp 65001\n   neighbor 10.99.0.1 shutdown\n")
        d.commit_config(revert_in=60)
        assert bed.wait_peer("Idle", 10) or bed.peer_bgp_state() != "Established"
        d.rollback()  # aborts the timed session: immediate revert
        assert not d.has_pending_commit()
        assert "neighbor 10.99.0.1 shutdown" not in _running(d)
        assert bed.wait_peer("Established", 30)
    finally:
        d.close()


def test_pending_timer_survives_server_restart(bed: TestBed, napalm_eos) -> None:  # type: ignore[no-untyped-def]
    # Long enough for a stop + start of the twin on a 2-core host (a restart takes ~2 s idle; the
    # precondition below fails the test, naming the time, if the restart ate the timer).
    revert_in = 20
    d = napalm_eos()
    d.load_merge_candidate(config="interface Ethernet1\n   description before-restart\n")
    t0 = time.monotonic()
    d.commit_config(revert_in=revert_in)
    # Drop the driver without close() (close would abort the session), then restart the twin.
    bed.stop_server()
    bed.start_server()
    d2 = napalm_eos()
    try:
        back = time.monotonic() - t0
        # The precondition of what follows, asserted (not skipped): the twin is back before the timer ends.
        assert back < revert_in - 5, f"the twin restart took {back:.0f}s of the {revert_in}s commit timer"
        assert d2.has_pending_commit(), "the pending commit did not survive the restart"
        assert "description before-restart" in _running(d2)
        while time.monotonic() < t0 + revert_in + 40 and d2.has_pending_commit():
            time.sleep(0.5)
        assert not d2.has_pending_commit(), f"the commit timer never fired ({revert_in}s + 40 s)"
        assert time.monotonic() - t0 >= revert_in - 0.5, "reverted before the timer expired"
        assert "description before-restart" not in _running(d2)
    finally:
        d2.close()
        d.discard_config()  # aborts the timed session if an assertion left it pending


def test_invalid_candidate_raises_like_eos(napalm_eos) -> None:  # type: ignore[no-untyped-def]
    from napalm.base.exceptions import MergeConfigException

    d = napalm_eos()
    try:
        with pytest.raises(MergeConfigException, match="Invalid input"):
            d.load_merge_candidate(config="hostname ok\nthis is not eos\n")
        assert d.compare_config() == ""  # NAPALM discarded the session
    finally:
        d.close()
