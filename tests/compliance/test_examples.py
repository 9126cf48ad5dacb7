"""The shipped scheduling examples parse and only use options `fabric compliance run` has."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import typer.main
import yaml

from fabric.compliance.cli import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "scheduling"


def _run_options() -> set[str]:
    run = typer.main.get_command(app).commands["run"]  # type: ignore[attr-defined]
    return {o for p in run.params for o in getattr(p, "opts", [])}


def _invocations() -> list[list[str]]:
    """Every `fabric compliance run ...` command line found in the examples, as argv."""
    out = []
    for f in sorted(EXAMPLES.iterdir()):
        text = f.read_text().replace("\\\n", " ")
        if f.suffix in (".yml", ".yaml"):
            doc = yaml.safe_load(text)
            args = _find_args(doc)
            if args:
                out.append(args)
            text = "\n".join(_strings(doc))
        for m in re.finditer(r"fabric compliance run [^\n|&;>]*", text):
            out.append(shlex.split(m.group(0)))
    return out


def _strings(doc: object) -> list[str]:
    if isinstance(doc, str):
        return [doc]
    if isinstance(doc, dict):
        return [s for v in doc.values() for s in _strings(v)]
    if isinstance(doc, list):
        return [s for v in doc for s in _strings(v)]
    return []


def _find_args(doc: object) -> list[str] | None:
    if isinstance(doc, dict):
        if doc.get("args", [None])[:3] == ["fabric", "compliance", "run"]:
            return [str(a) for a in doc["args"]]
        for v in doc.values():
            if found := _find_args(v):
                return found
    if isinstance(doc, list):
        for v in doc:
            if found := _find_args(v):
                return found
    return None


def test_examples_exist_and_parse() -> None:
    names = {p.name for p in EXAMPLES.iterdir()}
    assert {
        "netfabric-compliance.cron",
        "netfabric-compliance@.service",
        "netfabric-compliance@.timer",
        "kubernetes-cronjob.yaml",
        "github-actions-compliance.yml",
    } <= names
    cron = [
        ln for ln in (EXAMPLES / "netfabric-compliance.cron").read_text().splitlines() if ln[:1].isdigit()
    ]
    assert cron and all(len(ln.split()) > 6 for ln in cron)  # 5 time fields, user, command
    k8s = yaml.safe_load((EXAMPLES / "kubernetes-cronjob.yaml").read_text())
    assert k8s["kind"] == "CronJob" and k8s["spec"]["concurrencyPolicy"] == "Forbid"
    gha = yaml.safe_load((EXAMPLES / "github-actions-compliance.yml").read_text())
    assert gha[True]["schedule"][0]["cron"]  # YAML 1.1 reads the key `on` as True
    timer = (EXAMPLES / "netfabric-compliance@.timer").read_text()
    assert "OnCalendar=" in timer and "[Install]" in timer
    for f in EXAMPLES.glob("*.y*ml"):
        yaml.safe_load(f.read_text())


def test_examples_use_existing_options() -> None:
    known = _run_options()
    calls = _invocations()
    assert len(calls) >= 5
    for argv in calls:
        used = {a for a in argv if a.startswith("--")}
        assert used <= known, (argv, used - known)


def test_schedules_and_alerts_follow_the_exit_code_contract() -> None:
    """Only 1 (drift found) may count as a successful systemd run: 2 (bad input) and 3 (could not
    check) must fail the unit. Every alert reads a series `--metrics` writes, and drift and
    unreachable devices are alerted on separately."""
    from fabric.compliance import history
    from fabric.compliance.engine import COMPLIANT, NONCOMPLIANT, UNREACHABLE, FeatureResult
    from fabric.errors import ExitCode

    unit = (EXAMPLES / "netfabric-compliance@.service").read_text()
    ok = {
        int(c)
        for ln in unit.splitlines()
        if ln.startswith("SuccessExitStatus=")
        for c in ln.split("=")[1].split()
    }
    assert ok == {ExitCode.FAILED}
    written = set(
        re.findall(
            r"^(netfabric_\w+)",
            history.metrics_text(
                "dc1",
                [
                    FeatureResult("a", "bgp", COMPLIANT),
                    FeatureResult("b", "bgp", NONCOMPLIANT, ["x"], []),
                    FeatureResult("c", "bgp", UNREACHABLE),
                ],
                0,
            ),
            re.M,
        )
    )
    rules = yaml.safe_load((EXAMPLES / "prometheus-alerts.yml").read_text())["groups"][0]["rules"]
    exprs = {r["alert"]: r["expr"] for r in rules}
    for name, expr in exprs.items():
        for series in re.findall(r"netfabric_\w+", expr):
            assert series in written, (name, series)
    assert "netfabric_compliance_devices_drifted" in exprs["NetfabricConfigDrift"]
    assert "netfabric_compliance_devices_unchecked" in exprs["NetfabricComplianceUnchecked"]
