"""tests/_skip.py: a missing prerequisite skips on a developer box and FAILS under CI=true."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent

SAMPLE = f"""
import sys
sys.path.insert(0, {str(TESTS)!r})
from _skip import need, skip_or_fail

def test_missing_tool():
    need(False, "frobnicator is not installed")

def test_present_tool():
    need(True, "never shown")

def test_docker():
    skip_or_fail("docker is not installed", ci_ok="docker")
"""


def _run(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_sample.py").write_text(SAMPLE)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,  # not the repo: its conftest and pyproject stay out of this run
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_fails_under_ci(tmp_path: Path) -> None:
    p = _run(tmp_path, "true")
    assert p.returncode == 1, p.stdout + p.stderr
    assert "FAILED test_sample.py::test_missing_tool" in p.stdout, p.stdout
    assert "CI=true: frobnicator is not installed" in p.stdout, p.stdout
    assert "PASSED test_sample.py::test_present_tool" in p.stdout, p.stdout
    # The one documented exception: CI has no Docker.
    assert "SKIPPED [1] test_sample.py:" in p.stdout and "docker is not installed" in p.stdout, p.stdout
    assert "1 failed, 1 passed, 1 skipped" in p.stdout, p.stdout


@pytest.mark.parametrize("ci", [None, "false"])
def test_skips_outside_ci(tmp_path: Path, ci: str | None) -> None:
    p = _run(tmp_path, ci)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "frobnicator is not installed" in p.stdout and "1 passed, 2 skipped" in p.stdout, p.stdout


def test_ci_ok_only_for_what_ci_lacks() -> None:
    from _skip import skip_or_fail

    with pytest.raises(ValueError, match="only documented to lack"):
        skip_or_fail("vtysh missing", ci_ok="frr")
