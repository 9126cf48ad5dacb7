"""Report writers, snapshots/diffs, CLI wiring and the pytest plugin, on synthetic states."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import typer
import yaml
from synth import converged
from typer.testing import CliRunner

from fabric.design import load_fabric
from fabric.validation import report
from fabric.validation.checks import run_checks
from fabric.validation.cli import register
from fabric.validation.run import ValidationRun
from fabric.validation.snapshot import DeltaRules, changes, diff_snapshots, load_snapshot, save_snapshot

ROOT = Path(__file__).resolve().parents[2]
pytest_plugins = ["pytester"]


@pytest.fixture(scope="module")
def broken_results():  # type: ignore[no-untyped-def]
    fab = load_fabric(ROOT / "inventory" / "dc1")
    st = converged(fab)
    st.devices["leaf1"].interfaces["Ethernet1"].oper_up = False
    st.devices["leaf1"].bgp[0].state = "Active"
    st.devices["leaf2"].error = "TimeoutError: timed out"
    return fab, st, run_checks(st, fab)


def test_junit_is_valid_one_suite_per_device(broken_results) -> None:  # type: ignore[no-untyped-def]
    _, _, results = broken_results
    root = ET.fromstring(report.to_junit(results))
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {r.device for r in results}
    leaf1 = suites["leaf1"]
    cases = {c.get("name"): c for c in leaf1.iter("testcase")}
    assert "leaf1::bgp_session::10.1.0.0" in cases
    fail = cases["leaf1::bgp_session::10.1.0.0"].find("failure")
    assert fail is not None and fail.get("message") == "peer 10.1.0.0 Active: interface Ethernet1 down"
    assert int(leaf1.get("failures")) == sum(
        1 for c in leaf1.iter("testcase") if c.find("failure") is not None
    )
    assert suites["leaf2"].find("testcase/error") is not None
    assert int(root.get("tests")) == len(results)


def test_json_markdown_table(broken_results) -> None:  # type: ignore[no-untyped-def]
    _, _, results = broken_results
    doc = json.loads(report.to_json(results, {"target": "dc1"}))
    assert doc["summary"]["fail"] > 0 and doc["target"] == "dc1" and len(doc["results"]) == len(results)
    md = report.to_markdown(results)
    assert "## leaf1" in md and "peer 10.1.0.0 Active: interface Ethernet1 down" in md
    from io import StringIO

    from rich.console import Console

    buf = StringIO()
    report.table(results, console=Console(file=buf, width=300), only_problems=True)
    text = buf.getvalue()
    assert "interface Ethernet1 down" in text and "failed" in text


def test_snapshot_roundtrip_and_diff(tmp_path: Path) -> None:
    fab = load_fabric(ROOT / "inventory" / "dc1")
    pre = converged(fab)
    path = save_snapshot(pre, "dc1", "pre", tmp_path)
    assert path == tmp_path / "dc1" / "pre.json"
    post = load_snapshot("dc1", "pre", tmp_path)
    for s in post.devices["spine1"].bgp:
        s.uptime = 5.0  # volatile: no difference
    assert changes(pre.devices["spine1"], post.devices["spine1"]) == []
    assert all(r.status == "pass" for r in diff_snapshots(pre, post))
    post.devices["spine1"].bgp[0].state = "Idle"
    post.devices["spine1"].bgp[1].prefixes["ipv4-unicast"].accepted = 1  # 3 -> 1
    post.devices["leaf3"].interfaces["eth2"].oper_up = False
    res = {r.id: r for r in diff_snapshots(pre, post, DeltaRules(max_prefix_drop_pct=50))}
    assert res["spine1::diff_bgp_session::10.1.0.1"].reason == "session to 10.1.0.1 was Established, now Idle"
    assert res["spine1::diff_bgp_prefixes::10.1.0.9:ipv4-unicast"].reason.startswith(
        "ipv4-unicast prefixes from 10.1.0.9 dropped 3 -> 1 (67%"
    )
    assert res["leaf3::diff_interface::eth2"].status == "fail"
    assert res["leaf1::diff_bgp_session::10.1.0.0"].status == "pass"
    paths = [p for p, _, _ in changes(pre.devices["spine1"], post.devices["spine1"])]
    assert paths == ["bgp.10.1.0.1", "bgp.10.1.0.9"]


def test_cli_diff(tmp_path: Path) -> None:
    fab = load_fabric(ROOT / "inventory" / "dc1")
    pre = converged(fab)
    save_snapshot(pre, "dc1", "pre", tmp_path)
    pre.devices["leaf4"].bgp[0].state = "Active"
    save_snapshot(pre, "dc1", "post", tmp_path)
    app = typer.Typer()
    register(app)
    r = CliRunner().invoke(
        app,
        ["diff", str(ROOT / "inventory" / "dc1"), "pre", "post", "--dir", str(tmp_path), "--format", "json"],
    )
    assert r.exit_code == 1, r.output
    doc = json.loads(r.output)
    assert doc["summary"]["fail"] == 1
    r = CliRunner().invoke(app, ["diff", "dc1", "pre", "nope", "--dir", str(tmp_path)])
    assert r.exit_code == 2 and "no snapshot 'nope'" in r.output


def test_cli_validate_uses_api(monkeypatch: pytest.MonkeyPatch, broken_results, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fab, st, results = broken_results
    import fabric.validation.run as v

    monkeypatch.setattr(v, "validate", lambda *a, **k: ValidationRun("dc1", fab, st, results, 0.5, 0.01))
    app = typer.Typer()
    register(app)
    out = tmp_path / "r.md"
    r = CliRunner().invoke(app, ["validate", "dc1", "--format", "markdown", "--output", str(out)])
    assert r.exit_code == 1 and out.read_text().startswith("# Validation")
    ok = [x for x in results if x.status == "pass"]
    monkeypatch.setattr(v, "validate", lambda *a, **k: ValidationRun("dc1", fab, st, ok, 0.5, 0.01))
    r = CliRunner().invoke(app, ["validate", "dc1"])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(app, ["validate", "dc1", "--format", "pdf"])
    assert r.exit_code == 2 and "--format" in r.output
    # every format honours -o, the table too; nothing is silently dropped
    head = "device,check,item,status,expected,actual,reason"
    for fmt, check in (("yaml", lambda t: yaml.safe_load(t)["summary"]["pass"] == len(ok)),
                       ("csv", lambda t: t.splitlines()[0] == head and len(t.splitlines()) == len(ok) + 1),
                       ("html", lambda t: t.startswith("<!DOCTYPE html>") and "id='matrix'" in t),
                       ("table", lambda t: "leaf1" in t and "passed" in t)):
        out = tmp_path / f"r.{fmt}"
        r = CliRunner().invoke(app, ["validate", "dc1", "-f", fmt, "-o", str(out)])
        assert r.exit_code == 0 and check(out.read_text()), (fmt, r.output)


def test_validate_unknown_target() -> None:
    from fabric.errors import FabricError
    from fabric.validation.run import validate

    with pytest.raises(FabricError, match="neither a fabric nor a deployed lab"):
        validate("no-such-fabric-xyz")


def test_pytest_plugin(pytester: pytest.Pytester, broken_results, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    fab, st, results = broken_results
    import fabric.validation.run as v

    monkeypatch.setattr(v, "validate", lambda *a, **k: ValidationRun("dc1", fab, st, results, 0.5, 0.01))
    pytester.makepyfile(test_other="def test_x():\n    pass\n")
    res = pytester.runpytest_inprocess("--fabric", "dc1", "-q")
    outcomes = res.parseoutcomes()
    assert outcomes["failed"] == sum(1 for r in results if r.status in ("fail", "error"))
    assert outcomes["passed"] == sum(1 for r in results if r.status == "pass")
    res.stdout.fnmatch_lines(["*leaf1::bgp_session::10.1.0.0*"])
    # without --fabric: the plugin does nothing
    res = pytester.runpytest_inprocess("-q")
    assert res.parseoutcomes() == {"passed": 1}
