"""Operator safety at the command line: no command silently targets a default fabric."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from fabric.cli import app

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


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
