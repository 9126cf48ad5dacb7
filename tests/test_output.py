"""The reporting commands' output contract: --format table|json|yaml|csv, and -o FILE honoured by every
format (a table too), never silently ignored."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from rich.table import Table

from fabric import output
from fabric.errors import FabricError

ROOT = Path(__file__).resolve().parents[1]


def _table(c) -> None:  # type: ignore[no-untyped-def]
    t = Table("device", "state")
    t.add_row("leaf1", "ok")
    c.print(t)


@pytest.mark.parametrize("fmt", ["table", "json", "yaml", "csv"])
def test_every_format_to_a_file(fmt: str, tmp_path: Path) -> None:
    rows = [{"device": "leaf1", "state": "ok"}]
    out = tmp_path / f"r.{fmt}"
    output.emit({"devices": rows}, fmt, out, _table, rows)
    text = out.read_text()
    parsed = {"json": json.loads, "yaml": yaml.safe_load}.get(fmt)
    if parsed:
        assert parsed(text) == {"devices": rows}
    elif fmt == "csv":
        assert list(csv.DictReader(io.StringIO(text))) == rows
    else:
        assert "leaf1" in text and "\x1b[" not in text  # plain text, no colour codes


def test_unknown_format_and_missing_csv_form() -> None:
    with pytest.raises(FabricError, match="unknown format"):
        output.emit({}, "html", None, _table)
    with pytest.raises(FabricError, match="no CSV form"):
        output.emit({}, "csv", None, _table)


def _fabric(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "fabric.cli", *argv], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env=dict(os.environ, **(env or {})))


def test_rollout_history_and_lab_inspect_honour_format_and_output(tmp_path: Path) -> None:
    journal = tmp_path / "journal.sqlite"
    p = _fabric("rollout", "history", "--journal", str(journal), "-f", "yaml", "-o", str(tmp_path / "h.yaml"))
    assert p.returncode == 0, p.stderr
    assert yaml.safe_load((tmp_path / "h.yaml").read_text()) in ([], None)
    env = {"NETFABRIC_LAB_REGISTRY": str(tmp_path / "registry")}  # no lab deployed there
    p = _fabric("lab", "inspect", "--all", "-f", "json", env=env)
    assert p.returncode == 0 and json.loads(p.stdout) == [], p.stderr
    p = _fabric("lab", "inspect", "--all", "-o", str(tmp_path / "labs.txt"), env=env)
    assert p.returncode == 0 and "no labs deployed" in (tmp_path / "labs.txt").read_text()
