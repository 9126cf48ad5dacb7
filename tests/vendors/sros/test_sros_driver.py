"""The SR OS rollout driver (ncclient, device handler ``sros``) against the twin's real NETCONF server:
replace and merge (with and without ``delete`` lines) through the locked global candidate, SR OS's
confirmed commit with a persist token confirmed or cancelled from another session, a rollback after the
confirm, the device's own timer reverting a trial nobody confirms, refused and unparsable candidates, a
locked candidate; the commit-history reader on a reply shaped by the nokia-state 24.10 YANG."""

from __future__ import annotations

from typing import Any

import pytest
from _twinbed import poll

from fabric.rollout.drivers import DriverError, Target
from fabric.vendors.sros import driver as sros_driver
from fabric.vendors.sros.driver import SrosDriver, commit_history, token_state


def _driver(b: Any) -> SrosDriver:
    return SrosDriver(Target("sr1", "127.0.0.1", "sros", b.user, b.password, port=b.port))


@pytest.fixture
def drv(sros_twin: Any) -> Any:
    d = _driver(sros_twin)
    yield d
    d.close()


def test_replace_confirm_from_another_session_then_rollback(sros_twin: Any, drv: SrosDriver) -> None:
    b = sros_twin
    before = drv.running()
    assert before.startswith('/configure system name "sr1"\n')  # the golden configs' full-context form
    changed = before.replace('description "to sr2"', 'description "replaced"')
    diff = drv.diff(changed, "replace")
    assert '-       description "to sr2"' in diff and '+       description "replaced"' in diff, diff
    assert drv.running() == before  # diff loads nothing
    drv.commit_confirmed(changed, "replace", 120, "nf-replace-1")
    assert drv.running() == changed
    assert b.twin.db.pending is not None and b.twin.db.pending.persist == "nf-replace-1"
    assert b.twin.db.history[0].comment == "nf-replace-1"  # the token is in the device's commit history
    drv.close()  # the trial survives its session (persist)
    other = _driver(b)
    try:
        assert other.confirm("nf-replace-1") is True
        assert b.twin.db.pending is None
        assert other.confirm("nf-replace-1") is True  # idempotent: it is what runs
        ours = b.twin.db.history[0].serial
        assert other.timer_state("nf-replace-1") == "armed"  # read from the device's commit history
        sros_driver._TRIALS.clear()  # noqa: SLF001 - a new process: only the device's history can tell
        assert other.rollback("nf-replace-1") == "rolled_back"  # after the confirm: back to before
        assert other.running() == before
        # md-rollback to the commit before the token's: a new NETCONF commit, which the history shows
        top = b.twin.db.history[0]
        assert top.serial == ours + 1 and top.type == "netconf" and "rollback" in top.comment
        assert other.timer_state("nf-replace-1") == "reverted"
        assert other.rollback("nf-replace-1") == "reverted_by_timer"  # idempotent: nothing more to undo
    finally:
        other.close()


def test_merge_then_cancel(sros_twin: Any, drv: SrosDriver) -> None:
    b = sros_twin
    before = drv.running()
    snippet = ('/configure port 1/1/c1/1 description "merged"\n'
               '/configure router "Base" interface "to-sr2" description "merged too"\n')
    assert '+       description "merged"' in drv.diff(snippet, "merge")
    drv.commit_confirmed(snippet, "merge", 120, "nf-merge-1")
    run = drv.running()
    assert '/configure port 1/1/c1/1 description "merged"\n' in run
    assert '/configure router "Base" interface "to-sr2" description "merged too"\n' in run
    assert '/configure router "Base" bgp group "ebgp" peer-as 65002\n' in run  # the rest stays
    assert drv.timer_state("nf-merge-1") in ("armed", "unknown")
    assert drv.rollback("nf-merge-1") == "rolled_back"  # <cancel-commit><persist-id>
    assert b.twin.db.pending is None
    assert drv.running() == before


def test_merge_with_delete_lines(sros_twin: Any, drv: SrosDriver) -> None:
    before = drv.running()
    snippet = ('delete /configure port 1/1/c1/1 description\n'
               '/configure router "Base" bgp group "ebgp" peer-as 65003\n')
    drv.commit_confirmed(snippet, "merge", 120, "nf-del-1")
    run = drv.running()
    assert "description" not in run
    assert '/configure router "Base" bgp group "ebgp" peer-as 65003\n' in run
    assert drv.confirm("nf-del-1") is True
    assert drv.rollback("nf-del-1") == "rolled_back"
    assert drv.running() == before


def test_trial_nobody_confirms_is_reverted_by_the_device(sros_twin: Any, drv: SrosDriver) -> None:
    b = sros_twin
    before = drv.running()
    drv.commit_confirmed('/configure port 1/1/c1/1 admin-state disable\n', "merge", 1, "nf-timer-1")
    assert "admin-state disable" in drv.running()
    drv.close()  # nobody connected: the device's own timer reverts it
    poll(lambda: b.twin.db.pending is None, 10)
    assert drv.running() == before
    assert drv.timer_state("nf-timer-1") == "reverted"
    assert drv.confirm("nf-timer-1") is False  # too late
    assert drv.rollback("nf-timer-1") == "reverted_by_timer"


def test_refused_candidate_changes_nothing_and_frees_the_candidate(sros_twin: Any, drv: SrosDriver) -> None:
    b = sros_twin
    before = drv.running()
    b.twin.refuse = "refuse-me"
    with pytest.raises(DriverError, match="refused.*refuse-me"):
        drv.commit_confirmed('/configure port 1/1/c1/1 description "refuse-me"\n', "merge", 60, "nf-bad-1")
    assert drv.running() == before and b.twin.db.pending is None
    b.twin.refuse = ""
    drv.commit_confirmed('/configure port 1/1/c1/1 description "fine"\n', "merge", 60, "nf-ok-1")
    assert drv.rollback("nf-ok-1") == "rolled_back"  # unlocked and discarded: the next change goes through
    assert drv.running() == before


def test_unparsable_and_unknown_candidates(sros_twin: Any, drv: SrosDriver) -> None:
    before = drv.running()
    with pytest.raises(DriverError, match="does not parse"):
        drv.commit_confirmed("/configure port 1/1/c1/1 {\n", "replace", 60, "nf-parse-1")
    with pytest.raises(DriverError, match="refused"):  # the device's commit error, not a silent success
        drv.commit_confirmed('/configure router "Base" bgp group "ebgp" import policy ["nope"]\n', "merge",
                             60, "nf-unknown-1")
    assert drv.running() == before and sros_twin.twin.db.pending is None


def test_locked_candidate(sros_twin: Any, drv: SrosDriver) -> None:
    m = sros_twin.ncclient()
    try:
        m.lock(target="candidate")
        with pytest.raises(DriverError, match="lock candidate"):
            drv.commit_confirmed('/configure port 1/1/c1/1 description "x"\n', "merge", 60, "nf-lock-1")
    finally:
        m.close_session()
    assert sros_twin.twin.db.pending is None


def test_rollback_without_this_process_or_history(sros_twin: Any, drv: SrosDriver) -> None:
    """A resumed rollout (new process: no in-process record) cancels a pending trial by its token."""
    before = drv.running()
    drv.commit_confirmed('/configure port 1/1/c1/1 description "resumed"\n', "merge", 120, "nf-res-1")
    sros_driver._TRIALS.clear()  # noqa: SLF001 - what a new process knows
    other = _driver(sros_twin)
    try:
        assert other.rollback("nf-res-1") == "rolled_back"
        assert other.rollback("nf-res-1") in ("nothing_to_roll_back", "reverted_by_timer")  # idempotent
        assert other.running() == before
    finally:
        other.close()


# ---- the commit history ------------------------------------------------------------------
_HISTORY = """<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><data>
<state xmlns="urn:nokia.com:sros:ns:yang:sr:state"><system><management-interface><configuration-region>
<region-name>configure</region-name><commit-history>
  <commit-id><id>1</id><user>system</user><type>system</type><comment>boot</comment></commit-id>
  <commit-id><id>2</id><user>admin</user><type>netconf</type><comment>nf-a</comment></commit-id>
  <commit-id><id>3</id><user>system</user><type>system</type><comment>confirmed commit timed out</comment>
  </commit-id>
  <commit-id><id>4</id><user>admin</user><type>netconf</type><comment>nf-b</comment></commit-id>
</commit-history></configuration-region></management-interface></system></state></data></rpc-reply>"""


def test_commit_history_and_token_state() -> None:
    h = commit_history(_HISTORY)
    assert [c["id"] for c in h] == ["4", "3", "2", "1"]
    assert token_state(h, "nf-a") == ("reverted", "2", "1")  # the system's revert came after it
    assert token_state(h, "nf-b") == ("armed", "4", "3")
    assert token_state(h, "nf-c") == ("none", None, None)


# ---- compliance remediation (remediate.py) pushed back through the driver and the MD-CLI -----------------
def test_statements_are_info_flat(drv: SrosDriver) -> None:
    from fabric.vendors.sros.config import parse_flat
    from fabric.vendors.sros.remediate import statements

    golden = drv.running()
    assert [e for _, e in statements(golden)] == parse_flat(golden).flat().splitlines()
    assert ('router "Base" bgp group "ebgp" peer-as 65002',) * 2 in statements(golden)
    assert statements("") == []


def test_remediation_per_feature_through_the_mdcli_and_the_driver(sros_twin: Any, drv: SrosDriver) -> None:
    from fabric.compliance.engine import feature_of, load_rules
    from fabric.vendors.sros.remediate import remediate

    rules = load_rules("sros")
    golden = drv.running()
    drv.commit_confirmed('/configure port 1/1/c1/1 description "drift"\n'
                         '/configure port 1/1/c1/1 ethernet mtu 1514\n'
                         '/configure router "Base" bgp group "extra" peer-as 65010\n'
                         'delete /configure router "Base" bgp neighbor "10.0.0.1"\n',
                         "merge", 60, "nf-drift-1")
    assert drv.confirm("nf-drift-1") is True
    drifted = drv.running()

    def only(feature: str) -> Any:
        return lambda path: feature_of(path, rules) == feature

    fix_if = remediate(drifted, golden, only("interfaces"))
    assert fix_if == ('/configure port 1/1/c1/1 description "to sr2"\n'
                      "/configure port 1/1/c1/1 ethernet mtu 9014\n")
    fix_bgp = remediate(drifted, golden, only("bgp"))
    assert fix_bgp == ('delete /configure router "Base" bgp group "extra"\n'
                       '/configure router "Base" bgp neighbor "10.0.0.1" group "ebgp"\n')
    assert remediate(golden, golden) == ""
    conn = sros_twin.scrapli()  # the interfaces' lines as an operator pastes them into the MD-CLI
    try:
        out = conn.send_configs([*fix_if.splitlines(), "commit"])
        assert not out.failed, [r.result for r in out]
    finally:
        conn.close()
    assert remediate(drv.running(), golden, only("interfaces")) == ""
    drv.commit_confirmed(fix_bgp, "merge", 60, "nf-fix-1")  # BGP's as compliance pushes it (merge)
    assert drv.confirm("nf-fix-1") is True
    assert drv.running() == golden


def test_intended_and_verification_paths() -> None:
    """What the driver sends and checks: replace = the candidate; merge = running + snippet (``info`` or
    flat, with deletes); the check names intended leaves missing and removed leaves still there."""
    from fabric.vendors.sros.config import parse_flat
    from fabric.vendors.sros.driver import contains, deleted, intended

    run = parse_flat('/configure port 1/1/c1/1 description "a"\n/configure port 1/1/c1/1 ethernet mtu 9014\n')
    want, replace = intended('/configure port 1/1/c2/1 admin-state enable\n', "replace", run)
    assert replace and want == parse_flat('/configure port 1/1/c2/1 admin-state enable\n')
    want, replace = intended('port 1/1/c1/1 {\n    description "b"\n}\n', "merge", run)
    assert not replace and want == parse_flat('/configure port 1/1/c1/1 description "b"\n'
                                              '/configure port 1/1/c1/1 ethernet mtu 9014\n')
    want, replace = intended('delete /configure port 1/1/c1/1 ethernet mtu\n', "merge", run)
    assert replace and want == parse_flat('/configure port 1/1/c1/1 description "a"\n'
                                          '/configure port 1/1/c1/1 ethernet { }\n')
    assert contains(run, want) == [] and deleted(run, want, run) == ["port 1/1/c1/1 ethernet mtu"]
    other = parse_flat('/configure port 1/1/c1/1 description "z"\n')
    assert contains(other, run) == ["port 1/1/c1/1 description", "port 1/1/c1/1 ethernet",
                                    "port 1/1/c1/1 ethernet mtu"]


def test_merge_problems_reads_the_snippet_with_the_model() -> None:
    """The config_applied check for SR OS merges: quoting variants and delete lines are understood."""
    from fabric.vendors.sros.driver import merge_problems

    run = ('/configure port 1/1/c1/1 description "to p2"\n'
           '/configure router "Base" interface "system" description "x y"\n')
    ok = ('/configure router Base interface system description "x y"\n'  # MD-CLI takes it unquoted too
          'delete /configure port 1/1/c9/1\n')
    assert merge_problems(ok, run) == []
    bad = ('/configure port 1/1/c1/1 description "other"\n'
           'delete /configure router "Base" interface "system" description\n')
    assert merge_problems(bad, run) == [
        "not in the running config: port 1/1/c1/1 description",
        'still in the running config: router "Base" interface "system" description']


def test_compliance_engine_with_the_sros_model(drv: SrosDriver, monkeypatch: pytest.MonkeyPatch) -> None:
    """The compliance engine with SrosRemediation as the vendor's set model (what VENDOR.remediation names):
    per-feature drift of the twin's running config and the remediation of the chosen features."""
    from fabric.compliance import engine
    from fabric.vendors.sros.remediate import SrosRemediation

    monkeypatch.setattr(engine, "set_model", lambda platform: SrosRemediation)
    golden = drv.running()
    drifted = golden.replace('peer-as 65002', 'peer-as 65009') + '/configure system contact "x"\n'
    bad = {r.feature: r for r in engine.compare("sr1", "sros", drifted, golden) if not r.compliant}
    assert set(bad) == {"bgp", "system"}
    assert bad["bgp"].missing == ['router "Base" bgp group "ebgp" peer-as 65002']
    assert bad["bgp"].extra == ['router "Base" bgp group "ebgp" peer-as 65009']
    assert engine.remediate_config("sros", drifted, golden, ["bgp"]) == (
        '/configure router "Base" bgp group "ebgp" peer-as 65002\n')
    assert engine.remediate_config("sros", drifted, golden) == (
        'delete /configure system contact\n/configure router "Base" bgp group "ebgp" peer-as 65002\n')
