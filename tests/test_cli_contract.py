"""The CLI's option contract, walked over every command: each option has help text, a short letter
means one option everywhere, devices are chosen with --hosts, and every option can be set as
NETFABRIC_<OPTION> (except the flags that destroy, push or roll back)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fabric.cli import NO_ENVVAR, command

ROOT = Path(__file__).resolve().parents[1]
# containerlab's own letters, kept so its users' fingers work: deploy -c is --reconfigure, destroy -c is
# --cleanup (`containerlab deploy -c`, `containerlab destroy -c`)
CONTAINERLAB_C = {"--reconfigure", "--cleanup"}


def options() -> Iterator[tuple[str, Any]]:
    def walk(cmd: Any, path: list[str]) -> Iterator[tuple[str, Any]]:
        for name, sub in (getattr(cmd, "commands", None) or {}).items():
            yield from walk(sub, [*path, name])
        for p in cmd.params:
            if getattr(p, "param_type_name", "") == "option":
                yield " ".join(path) or "fabric", p

    yield from walk(command(), [])


def test_every_option_has_help() -> None:
    missing = [f"{where} {p.opts[0]}" for where, p in options() if not (p.help or "").strip()]
    assert not missing


def test_a_short_letter_means_one_option_everywhere() -> None:
    meaning: dict[str, set[str]] = defaultdict(set)
    for _, p in options():
        long = next(o for o in p.opts if o.startswith("--"))
        for short in (o for o in p.opts + p.secondary_opts if len(o) == 2):
            meaning[short].add(long)
    meaning["-c"] -= CONTAINERLAB_C
    clashes = {s: sorted(longs) for s, longs in meaning.items() if len(longs) > 1}
    assert not clashes
    assert meaning["-f"] == {"--format"} and meaning["-o"] == {"--output"} and meaning["-H"] == {"--hosts"}
    assert meaning["-t"] == {"--topo"} and meaning["-F"] == {"--fabric"} and meaning["-q"] == {"--quiet"}


def test_devices_are_chosen_with_hosts() -> None:
    assert not [f"{w} {p.opts}" for w, p in options() if "--host" in p.opts]
    assert all("-H" in p.opts for _, p in options() if "--hosts" in p.opts)


def test_every_option_has_its_environment_variable() -> None:
    for where, p in options():
        long = next(o for o in p.opts if o.startswith("--"))
        if p.name in NO_ENVVAR:
            assert not p.envvar, (where, long)
        else:
            assert p.envvar == "NETFABRIC_" + long[2:].upper().replace("-", "_"), (where, long)


def test_the_environment_is_read() -> None:
    env = dict(os.environ, NETFABRIC_CHECKS="lldp_neighbr")
    r = subprocess.run([sys.executable, "-m", "fabric.cli", "validate", "inventory/dc1"], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "unknown check 'lldp_neighbr'" in r.stderr, r.stderr


def test_reporting_commands_take_format_and_output() -> None:
    """table/json/yaml/csv (or the command's own set) and -o FILE on every reporting command."""
    have: dict[str, set[str]] = {}
    for where, p in options():
        have.setdefault(where, set()).update(p.opts)
    for cmd in ("show", "validate", "diff", "compliance run", "rollout status", "rollout history",
                "lab inspect", "lab graph"):
        assert {"--format", "-f", "--output", "-o"} <= have[cmd], cmd


def test_a_run_imports_only_the_module_of_its_command() -> None:
    """The `fabric` command imports the module that registers the sub-command it runs, not the others
    (fabric.cli._needed): `fabric validate` does not pay for the rollout and compliance engines. Every
    command it maps is registered by that module, and the others are defined in fabric/cli.py."""
    import importlib

    import typer

    from fabric import cli

    for name, module in cli._COMMANDS.items():
        probe = typer.Typer()
        probe.command("probe-only")(lambda: None)  # two commands: get_command gives a group
        mod = importlib.import_module(module)
        if hasattr(mod, "register"):
            mod.register(probe)
        else:
            probe.add_typer(mod.app, name=cli._SUBMODULES[module])
        assert name in typer.main.get_command(probe).commands, (name, module)  # type: ignore[attr-defined]
    defined_here = {c.name or c.callback.__name__ for c in cli.app.registered_commands
                    if c.callback and c.callback.__module__ == "fabric.cli"}
    assert set(command().commands) == set(cli._COMMANDS) | defined_here

    # what the `fabric` script imports for `fabric validate ...`, in a fresh interpreter (argv[0] is the
    # script's name there, which is how fabric.cli knows it is the command and not a library)
    code = ("import json, sys; sys.argv = ['fabric', 'validate', 'dc1']; import fabric.cli\n"
            "print(json.dumps(sorted(sys.modules)))")
    env = {k: v for k, v in os.environ.items() if not k.endswith("_COMPLETE")}
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert p.returncode == 0, p.stderr[-500:]
    imported = set(json.loads(p.stdout))
    assert "fabric.validation.cli" in imported
    assert not imported & {"fabric.rollout.cli", "fabric.rollout.engine", "fabric.compliance.cli",
                           "fabric.lab.cli", "napalm"}, sorted(imported)
    binary = Path(sys.executable).parent / "fabric"
    p = subprocess.run([str(binary), "--help"], capture_output=True, text=True, timeout=60)
    assert all(c in p.stdout for c in cli._COMMANDS), p.stdout  # a top-level --help mounts everything
