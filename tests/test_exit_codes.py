"""The exit-code contract (fabric.errors.ExitCode, docs/commands.md), walked through the real CLI.

0 ok, 1 checks failed / drift, 2 usage or bad input, 3 could not check. Everything here runs without a
lab: the unreachable cases use a fabric whose management addresses are 127.77.0.x, where nothing
listens (connections are refused at once; no traffic leaves 127.0.0.0/8).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from _deadnet import dead_fabric
from typer.testing import CliRunner

from fabric.cli import app
from fabric.errors import ExitCode

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()

FABRIC = dead_fabric()
PLAYBOOK = """\
name: exit-codes
targets: {}
change: {type: merge, template: "route-map EXITCODES permit 10\\n"}
waves: {canary: 1, sizes: ["100%"]}
commit_confirm: 120
"""


@pytest.mark.parametrize("cmd", [["rollout", "plan"], ["rollout", "run"], ["rollout", "run", "--dry-run"]])
def test_rollout_without_fabric_is_a_usage_error(cmd: list[str]) -> None:
    r = runner.invoke(app, [*cmd, str(ROOT / "tasks/bgp-policy.yaml")])
    assert r.exit_code == 2, r.output
    assert "Missing option '--fabric'" in r.output


@pytest.mark.parametrize("cmd", [["status"], ["history"], ["resume"], ["abort"]])
def test_journal_commands_need_the_fabric_or_a_journal(cmd: list[str]) -> None:
    r = runner.invoke(app, ["rollout", *cmd])
    assert r.exit_code == 2, r.output
    assert "--fabric" in r.output and "--journal" in r.output


@pytest.fixture(scope="module")
def dead(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A fabric nobody answers for, credentials configured (so only reachability is missing)."""
    base = tmp_path_factory.mktemp("exitcodes")
    fab = base / "inventory" / "deadnet" / "fabric.yaml"
    fab.parent.mkdir(parents=True)
    fab.write_text(FABRIC)
    (base / "pb.yaml").write_text(PLAYBOOK)
    env = {
        **os.environ,
        "NETFABRIC_USERNAME": "ops",
        "NETFABRIC_PASSWORD": "Exit-codes-3#",
        "NETFABRIC_CREDENTIALS": str(base / "none.yaml"),
        "NETFABRIC_LAB_REGISTRY": str(base / "labs"),
        "NETFABRIC_STATE_DIR": str(base / "state"),
        "COLUMNS": "200",
    }
    return {"base": base, "fabric": str(fab.parent), "pb": str(base / "pb.yaml"), "env": env}


def fabric(dead: dict[str, Any], *args: str) -> subprocess.CompletedProcess[str]:
    """The real entry point (`fabric.cli:run`, what the `fabric` script calls) in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "fabric.cli", *args],
        cwd=dead["base"],
        env=dead["env"],
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_walk_commands(dead: dict[str, Any]) -> None:
    base, fab, pb = dead["base"], dead["fabric"], dead["pb"]
    cases: list[tuple[int, list[str]]] = [
        # ok
        (ExitCode.OK, ["show", fab]),
        (ExitCode.OK, ["render", fab, "--out", str(base / "configs")]),
        # usage / bad input
        (ExitCode.USAGE, ["validate", fab, "--bogus-option"]),
        (ExitCode.USAGE, ["validate", str(base / "no-such-fabric")]),
        (ExitCode.USAGE, ["snapshot", fab]),  # --name missing
        (ExitCode.USAGE, ["validate", fab, "--role", "no-such-role"]),  # a filter that picks nothing
        (ExitCode.USAGE, ["diff", fab, "pre", "post", "--dir", str(base / "snaps")]),  # no such snapshots
        (ExitCode.USAGE, ["compliance", "run", fab, "--format", "bogus"]),
        (ExitCode.USAGE, ["rollout", "plan", str(base / "no-such-playbook.yaml"), "-F", fab]),
        # could not check: every device unreachable
        (ExitCode.UNCHECKED, ["validate", fab, "--timeout", "5", "--retries", "0"]),
        (
            ExitCode.UNCHECKED,
            ["snapshot", fab, "--name", "pre", "--dir", str(base / "snaps"), "--timeout", "5"],
        ),
        (
            ExitCode.UNCHECKED,
            ["compliance", "run", fab, "--db", str(base / "c.sqlite"), "--backup-dir", str(base / "b")],
        ),
        (ExitCode.UNCHECKED, ["compliance", "remediate", fab, "--out", str(base / "rem")]),
        (ExitCode.UNCHECKED, ["rollout", "plan", pb, "-F", fab]),
        (ExitCode.UNCHECKED, ["rollout", "run", pb, "-F", fab, "-q"]),
        (ExitCode.UNCHECKED, ["deploy", fab, "--dry-run"]),
        (ExitCode.UNCHECKED, ["deploy", fab, "-q"]),
        # the rollouts above were journaled in the fabric's journal, read back from there
        (ExitCode.OK, ["rollout", "history", "-F", fab]),
    ]
    wrong = []
    for want, args in cases:
        r = fabric(dead, *args)
        out = r.stdout + r.stderr
        if r.returncode != want or "Traceback" in out:
            wrong.append((args, want, r.returncode, out[-600:]))
    assert not wrong, "\n\n".join(f"{a}: want {w}, got {g}\n{o}" for a, w, g, o in wrong)
    # The unreachable runs said why, and the journal is where the contract says.
    assert (base / "state" / "deadnet" / "journal.sqlite").exists()
    assert not (base / ".netfabric" / "journal.sqlite").exists()


def test_verdicts_when_drift_and_unreachable_meet() -> None:
    """The precedence that cannot be produced without a reachable device: 1 wins over 3."""
    from fabric.compliance import RunReport
    from fabric.compliance.cli import verdict
    from fabric.compliance.engine import COMPLIANT, ERROR, NONCOMPLIANT, UNREACHABLE, FeatureResult
    from fabric.rollout.cli import exit_code

    def comp(*status: str) -> ExitCode:
        res = [
            FeatureResult(f"d{i}", "bgp", s, ["x"] if s == NONCOMPLIANT else []) for i, s in enumerate(status)
        ]
        return verdict(RunReport("f", 0.0, 1.0, res))

    assert comp(COMPLIANT, COMPLIANT) == ExitCode.OK
    assert comp(COMPLIANT, NONCOMPLIANT) == ExitCode.FAILED
    assert comp(NONCOMPLIANT, UNREACHABLE) == ExitCode.FAILED
    assert comp(COMPLIANT, UNREACHABLE) == ExitCode.UNCHECKED
    assert comp(COMPLIANT, ERROR) == ExitCode.UNCHECKED
    assert comp() == ExitCode.UNCHECKED  # nothing checked is not "compliant"

    def ro(outcome: str, *devs: dict[str, Any]) -> ExitCode:
        return exit_code({"outcome": outcome, "devices": list(devs)})

    gate_failed = {"state": "rolled_back", "gate": {"ok": False}, "error": "gate failed: bgp"}
    unreachable = {"state": "untouched", "gate": None, "error": "leaf1: SSH to 127.77.0.41 failed"}
    bystander = {"state": "rolled_back", "gate": {"ok": True}, "error": None}
    assert ro("completed", bystander) == ExitCode.OK
    assert ro("rolled_back", gate_failed, bystander) == ExitCode.FAILED
    assert ro("rolled_back", unreachable, bystander) == ExitCode.UNCHECKED
    assert ro("rolled_back", gate_failed, unreachable) == ExitCode.FAILED
    assert ro("aborted", bystander) == ExitCode.FAILED
