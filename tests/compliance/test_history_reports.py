"""History (SQLite), trend, metrics, JUnit/JSON/HTML reports, backups, and the CLI loop."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from _skip import need
from typer.testing import CliRunner

from fabric.compliance import RunReport, history, report
from fabric.compliance.collect import write_backups
from fabric.compliance.engine import COMPLIANT, NONCOMPLIANT, UNREACHABLE, FeatureResult


def _run1() -> list[FeatureResult]:
    return [
        FeatureResult("leaf1", "bgp", COMPLIANT),
        FeatureResult("leaf1", "ntp", NONCOMPLIANT, ["ntp server 10.0.0.1"], ["ntp server 192.0.2.1"]),
        FeatureResult("leaf3", "bgp", COMPLIANT),
        FeatureResult("leaf3", "ntp", COMPLIANT),
    ]


def _run2() -> list[FeatureResult]:
    return [
        FeatureResult("leaf1", "bgp", COMPLIANT),
        FeatureResult("leaf1", "ntp", COMPLIANT),
        FeatureResult("leaf3", "bgp", NONCOMPLIANT, ["router bgp 65103", " network 10.0.0.3/32"], []),
        FeatureResult("leaf3", "ntp", COMPLIANT),
        FeatureResult("ghost", "bgp", UNREACHABLE, detail="NetmikoTimeoutException: timed out"),
    ]


def test_history_trend_and_changes(tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite"
    r1 = history.store_run(db, "dc1", 1000.0, 1001.0, _run1())
    r2 = history.store_run(db, "dc1", 2000.0, 2002.0, _run2())
    history.store_run(db, "other", 3000.0, 3001.0, _run1())
    runs = history.runs(db, "dc1")
    assert [(r.id, r.compliant, r.devices, r.devices_compliant, r.failures) for r in runs] == [
        (r1, False, 2, 1, 1),
        (r2, False, 3, 1, 2),
    ]
    back = history.results_of(db, r2)
    assert [(r.device, r.feature, r.status, r.missing) for r in back if not r.compliant] == [
        ("ghost", "bgp", UNREACHABLE, []),
        ("leaf3", "bgp", NONCOMPLIANT, ["router bgp 65103", " network 10.0.0.3/32"]),
    ]
    delta = history.changes(history.results_of(db, r1), back)
    assert delta == [
        {"device": "ghost", "feature": "bgp", "change": "new", "now": UNREACHABLE},
        {"device": "leaf1", "feature": "ntp", "change": "fixed", "was": NONCOMPLIANT, "now": COMPLIANT},
        {"device": "leaf3", "feature": "bgp", "change": "broke", "was": COMPLIANT, "now": NONCOMPLIANT},
    ]


def test_history_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fabric.compliance.cli import app

    db = tmp_path / "c.sqlite"
    history.store_run(db, "dc1", 1000.0, 1001.0, _run1())
    history.store_run(db, "dc1", 2000.0, 2002.0, _run2())
    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    out = CliRunner().invoke(app, ["history", "dc1", "--db", str(db)], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    assert "changes since run 1:" in out.output
    assert "leaf1 ntp: fixed (noncompliant -> compliant)" in out.output
    assert "leaf3 bgp: broke (compliant -> noncompliant)" in out.output
    assert "ghost bgp: new (unreachable)" in out.output
    assert "1/2" in out.output and "1/3" in out.output


def test_metrics_textfile(tmp_path: Path) -> None:
    text = history.metrics_text("dc1", _run2(), 1700000000.4)
    series = {ln.rsplit(" ", 1)[0]: float(ln.rsplit(" ", 1)[1]) for ln in text.splitlines()
              if ln and not ln.startswith("#")}
    # every series carries its fabric (two fabrics' textfiles never collide); drift and "could not
    # check" are separate: ghost is unreachable, not drifted, and has no compliant value at all
    assert series == {
        'netfabric_compliance_devices_compliant{fabric="dc1"}': 1,
        'netfabric_compliance_devices_total{fabric="dc1"}': 3,
        'netfabric_compliance_devices_drifted{fabric="dc1"}': 1,
        'netfabric_compliance_devices_unchecked{fabric="dc1"}': 1,
        'netfabric_compliance_devices_unreachable{fabric="dc1"}': 1,
        'netfabric_compliance_feature_failures{fabric="dc1",feature="bgp"}': 1,  # leaf3 drifted
        'netfabric_compliance_feature_failures{fabric="dc1",feature="ntp"}': 0,
        'netfabric_compliance_device_compliant{device="leaf1",fabric="dc1"}': 1,
        'netfabric_compliance_device_compliant{device="leaf3",fabric="dc1"}': 0,
        'netfabric_compliance_device_reachable{device="ghost",fabric="dc1"}': 0,
        'netfabric_compliance_device_reachable{device="leaf1",fabric="dc1"}': 1,
        'netfabric_compliance_device_reachable{device="leaf3",fabric="dc1"}': 1,
        'netfabric_compliance_last_run_timestamp_seconds{fabric="dc1"}': 1700000000,
    }
    assert "# TYPE netfabric_compliance_devices_drifted gauge" in text
    path = tmp_path / "m" / "netfabric.prom"
    history.write_metrics(path, history.metrics_registry("dc1", _run2(), 1700000000.4))
    assert path.read_text() == text and not list(path.parent.glob("*.tmp*"))


def test_metrics_pushgateway() -> None:
    """--pushgateway: one PUT per run to /metrics/job/netfabric_compliance/fabric/<fabric> (local server)."""
    import http.server
    import threading

    got: list[tuple[str, str, bytes]] = []

    class Gateway(http.server.BaseHTTPRequestHandler):
        def do_PUT(self) -> None:  # noqa: N802 - http.server's naming
            got.append((self.command, self.path, self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    srv = http.server.HTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        reg = history.metrics_registry("dc1", _run2(), 1700000000.4)
        history.push_metrics(f"http://127.0.0.1:{srv.server_address[1]}", "dc1", reg)
    finally:
        srv.shutdown()
    [(method, path, body)] = got
    assert (method, path) == ("PUT", "/metrics/job/netfabric_compliance/fabric/dc1")
    assert b'netfabric_compliance_devices_drifted{fabric="dc1"} 1.0' in body


def test_junit_and_json() -> None:
    xml = report.to_junit("dc1", _run1())
    root = ET.fromstring(xml.split("\n", 1)[1])
    suites = {s.get("name"): s for s in root}
    assert suites["leaf1"].get("failures") == "1" and suites["leaf3"].get("failures") == "0"
    fail = suites["leaf1"].find("testcase[@name='ntp']/failure")
    assert fail is not None and fail.text == "- ntp server 10.0.0.1\n+ ntp server 192.0.2.1"
    rep = RunReport("dc1", 1.0, 2.0, _run1(), {"leaf1": "ntp server 10.0.0.1\n"})
    data = json.loads(report.to_json(rep.as_dict()))
    assert data["compliant"] is False and data["results"][1]["missing"] == ["ntp server 10.0.0.1"]


def test_backups_git_commit_per_run_without_secrets(tmp_path: Path, eos_reference: str) -> None:
    repo = tmp_path / "backups"
    files, c1 = write_backups(
        repo, {"leaf1": eos_reference, "leaf3": "hostname leaf3\n"}, ["vagrant"], "run 1"
    )
    assert [f.name for f in files] == ["leaf1.cfg", "leaf3.cfg"] and c1
    _, c2 = write_backups(repo, {"leaf1": eos_reference, "leaf3": "hostname leaf3\n"}, ["vagrant"], "run 2")
    assert c2 and c2 != c1
    log = subprocess.run(["git", "-C", str(repo), "log", "--format=%s"], capture_output=True, text=True)
    assert log.stdout.split() == ["run", "2", "run", "1"]
    text = (repo / "leaf1.cfg").read_text()
    assert "$1$" not in text and "vagrant" not in text and "role network-admin" in text


# ---------------------------------------------------------------- HTML in a real browser


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def test_html_report_in_headless_chromium(tmp_path: Path) -> None:
    binary = _chromium()
    need(binary, "chromium not installed (apt-get install -y chromium)")
    db = tmp_path / "c.sqlite"
    history.store_run(db, "dc1", 1000.0, 1001.0, _run1())
    history.store_run(db, "dc1", 2000.0, 2002.0, _run2())
    page = report.to_html(
        "dc1",
        _run2(),
        {"leaf3": "router bgp 65103\n network 10.0.0.3/32\n"},
        history.runs(db, "dc1"),
        2002.0,
        history.changes(_run1(), _run2()),
    )
    # Self-contained: nothing is fetched from anywhere.
    assert "http://" not in page and "https://" not in page and "<link" not in page and " src=" not in page
    path = tmp_path / "report.html"
    path.write_text(page)
    dom = subprocess.run(
        [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            path.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    assert "<h1>Compliance of dc1</h1>" in dom
    assert "1 of 3 devices compliant" in dom and "NOT COMPLIANT" in dom
    # Matrix: one row per device, one cell per feature.
    assert "<th>bgp</th><th>ntp</th>" in dom
    assert 'title="leaf3 bgp">noncompliant</td>' in dom
    assert 'title="ghost bgp">unreachable</td>' in dom
    # Drill-down: diffs and remediation inside details/summary.
    assert "<summary>leaf3: 1 feature(s) not compliant</summary>" in dom
    assert " network 10.0.0.3/32" in dom
    assert "<summary>remediation</summary>" in dom
    assert "NetmikoTimeoutException: timed out" in dom
    # What changed since the previous run.
    assert "<td>leaf1</td><td>ntp</td><td>fixed</td><td>compliant</td>" in dom
    assert "<td>leaf3</td><td>bgp</td><td>broke</td><td>noncompliant</td>" in dom
    # Trend: one row per stored run.
    assert "<td>1/2</td>" in dom and "<td>1/3</td>" in dom
    # The script ran without error and wired the filter.
    assert 'id="filter"' in dom


# ---------------------------------------------------------------- CLI run / --every loop


def test_run_every_survives_failures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import fabric.compliance as comp
    from fabric.compliance.cli import app

    calls: list[int] = []

    def fake_run(target, **kw):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 2:
            raise ConnectionError("everything is down")
        ok = len(calls) == 3
        res = [FeatureResult("leaf1", "bgp", COMPLIANT if ok else NONCOMPLIANT, [], [] if ok else ["x"])]
        return RunReport("dc1", 1.0, 2.0, res, {}, {}, None, len(calls))

    monkeypatch.setattr(comp, "run_compliance", fake_run)
    metrics = tmp_path / "c.prom"
    out = CliRunner().invoke(
        app,
        ["run", "dc1", "--every", "0.01", "--max-runs", "3", "--metrics", str(metrics), "--format", "json"],
    )
    assert len(calls) == 3
    assert "run failed: ConnectionError: everything is down" in out.output
    assert out.exit_code == 0  # the last run was compliant
    assert 'netfabric_compliance_devices_compliant{fabric="dc1"} 1.0' in metrics.read_text()

    calls.clear()
    out = CliRunner().invoke(app, ["run", "dc1", "--format", "junit", "-o", str(tmp_path / "j.xml")])
    assert out.exit_code == 1 and (tmp_path / "j.xml").read_text().startswith("<?xml")

    # the default table format honours -o too (it used to write nothing, silently)
    calls.clear()
    out = CliRunner().invoke(app, ["run", "dc1", "-o", str(tmp_path / "t.txt")])
    table = (tmp_path / "t.txt").read_text()
    assert out.exit_code == 1 and "leaf1 bgp: noncompliant" in table and "leaf1 bgp" not in out.stdout


def test_parse_interval() -> None:
    from fabric.compliance.cli import parse_interval
    from fabric.errors import FabricError

    assert [parse_interval(x) for x in ("90", "30s", "15m", "1h", "1d")] == [90, 30, 900, 3600, 86400]
    with pytest.raises(FabricError):
        parse_interval("soon")


def test_unknown_feature_or_host_is_a_clear_error(dc1) -> None:  # type: ignore[no-untyped-def]
    from fabric.compliance import run_compliance
    from fabric.errors import FabricError

    with pytest.raises(FabricError, match="unknown feature"):
        run_compliance("dc1", fab=dc1, features=["bgpp"], db=None)
    with pytest.raises(FabricError, match="unknown host"):
        run_compliance("dc1", fab=dc1, hosts=["leaf9"], db=None)
