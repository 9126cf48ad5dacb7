"""Host prerequisites as code: `fabric doctor`, and the rule that the code runs no undeclared program.

The lab half (a fresh host: no /run/sshd, PATH reduced to the declared programs) is in
tests/lab/test_fresh_host.py.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from _skip import need
from typer.testing import CliRunner

from fabric import doctor
from fabric.cli import app

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "fabric").rglob("*.py"))
EXEC_FUNCS = {"run", "Popen", "call", "check_call", "check_output", "create_subprocess_exec", "_run"}
ABS_PROGRAM = re.compile(r"(?<![\w.-])(/usr/(?:s?bin|lib/frr|lib/openssh)/[A-Za-z0-9_.+-]+)")


def _argv0(call: ast.Call) -> str | None:
    """The program of ``run(["prog", ...])`` / ``create_subprocess_exec("prog", ...)``, when a literal."""
    if not call.args:
        return None
    first = call.args[0]
    if isinstance(first, (ast.List, ast.Tuple)) and first.elts:
        first = first.elts[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str) and " " not in first.value:
        return first.value
    return None


def programs_in_code() -> dict[str, str]:
    """Every program fabric/ names literally as argv[0], and every absolute program path in its strings."""
    found: dict[str, str] = {}
    for path in SOURCES:
        text = path.read_text()
        rel = str(path.relative_to(ROOT))
        for m in ABS_PROGRAM.finditer(text):
            if path.name != "doctor.py":
                found.setdefault(m.group(1), rel)
        # A bare ``run(...)`` is a process only where it is the twins' async runner, not a local helper.
        bare_run = path.name == "frr.py" or re.search(r"from fabric\.twins\.frr import .*\brun\b", text)
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.Call):
                continue
            if isinstance(node.func, ast.Attribute):
                owner = getattr(node.func.value, "id", "")
                ok = node.func.attr in EXEC_FUNCS and owner in {"subprocess", "asyncio"}
            else:
                name = getattr(node.func, "id", None)
                ok = name == "_run" or (name == "run" and bool(bare_run))
            if ok and (prog := _argv0(node)) and not prog.startswith("-"):
                found.setdefault(prog, rel)
    return found


def test_every_program_the_code_runs_is_declared() -> None:
    found = programs_in_code()
    # Sanity: the scan sees the programs we know the code runs (a scan that finds nothing proves nothing).
    known = {"ip", "lldpcli", "ssh-keygen", "openssl", "/usr/lib/frr/frr-reload.py", "/usr/sbin/sshd"}
    assert known <= set(found)
    undeclared = {p: f for p, f in found.items() if p not in doctor.PROGRAM_NAMES and p != sys.executable}
    assert not undeclared, f"programs run by the code but missing from fabric.doctor.PROGRAMS: {undeclared}"


def test_the_makefile_installs_every_declared_package() -> None:
    apt = re.search(r"^APT_PACKAGES := (.*)$", (ROOT / "Makefile").read_text(), re.M)
    assert apt, "Makefile has no APT_PACKAGES line"
    listed = set(apt.group(1).split())
    # Packages that Debian installs as Essential/Priority required on every system need not be listed.
    essential = {"dash", "coreutils", "sed", "mount", "diffutils", "util-linux"}
    needed = {p.package for p in doctor.PROGRAMS} - essential
    assert needed <= listed, f"packages the code needs but `make` does not install: {sorted(needed - listed)}"


def test_findings_name_the_package_of_a_missing_program(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = doctor.Program("/nonexistent/netfabric-probe", "netfabric-probe-pkg", "a test")
    (f,) = doctor.check_programs((fake,))
    assert not f.ok
    assert "netfabric-probe-pkg" in f.fix
    msg, fix = doctor.missing_summary([f])
    assert "/nonexistent/netfabric-probe" in msg and "apt-get install" in fix and "netfabric-probe-pkg" in fix


def test_runtime_dirs_are_created_when_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    want = tmp_path / "run" / "sshd"
    monkeypatch.setattr(doctor, "RUNTIME_DIRS", ((str(want), 0o755, "test"),))
    (finding,) = doctor.check_runtime_dirs()
    assert finding.ok and finding.detail == "created by the lab"
    doctor.ensure_runtime_dirs()
    assert want.is_dir() and (want.stat().st_mode & 0o777) == 0o755
    (finding,) = doctor.check_runtime_dirs()
    assert finding.detail == "exists"


def test_doctor_cli_exit_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["doctor", "--no-netns"])
    missing_now = [f.name for f in doctor.failures(doctor.lab_findings(probe_netns=False))]
    # After `make` (which .ci/run and the README's commands run first) every prerequisite is in place.
    if os.environ.get("CI") == "true":
        assert ok.exit_code == 0, ok.output
    assert ok.exit_code == (1 if missing_now else 0), ok.output
    fake = doctor.Program("/nonexistent/netfabric-probe", "netfabric-probe-pkg", "a test")
    monkeypatch.setattr(doctor, "PROGRAMS", (*doctor.PROGRAMS, fake))
    bad = runner.invoke(app, ["doctor", "--no-netns", "--quiet"])
    assert bad.exit_code == 1
    assert "netfabric-probe-pkg" in bad.output and "MISSING" in bad.output


@pytest.mark.lab
def test_doctor_probes_netns_for_real() -> None:
    need(os.geteuid() == 0, "needs root")
    f = doctor.check_netns()
    assert f.ok, f.detail
    names = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    assert "nfdoctor" not in names  # the probe removed what it made
