"""`fabric --version`, `fabric --help` and every sub-command's --help render cleanly."""

from __future__ import annotations

import subprocess
import sys

import typer.main

from fabric import __version__
from fabric.cli import app


def _commands(group: object, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = [prefix]
    for name, cmd in sorted(group.commands.items()):  # type: ignore[attr-defined]
        if hasattr(cmd, "commands"):  # a group (typer vendors click, so no isinstance on click.Group)
            out += _commands(cmd, prefix + (name,))
        else:
            out.append(prefix + (name,))
    return out


def test_version() -> None:
    r = subprocess.run([sys.executable, "-m", "fabric.cli", "--version"], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip() == f"netfabric {__version__}"


def test_every_help_renders() -> None:
    from typer.testing import CliRunner

    group = typer.main.get_command(app)
    paths = _commands(group)
    assert ("build",) in paths and ("show",) in paths and len(paths) > 3
    runner = CliRunner()
    for path in paths:
        r = runner.invoke(app, [*path, "--help"], terminal_width=100)
        assert r.exit_code == 0, (path, r.output)
        assert "Usage:" in r.output and "Traceback" not in r.output, path
