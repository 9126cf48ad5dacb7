"""The `fabric` command line (typer + rich).

Every user error is a FabricError and is printed as one clear message with the
file, key and fix; no traceback reaches an operator for bad input.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import traceback
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.main
from rich.console import Console
from rich.markup import escape

from fabric import __version__
from fabric.errors import ExitCode, FabricError

console = Console()
err_console = Console(stderr=True)

app = typer.Typer(
    name="fabric",
    help="netfabric: multi-vendor fabrics as software (intent, golden configs, validation, rollouts, labs).",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        console.print(f"netfabric {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """netfabric command line."""


FabricArg = Annotated[str, typer.Argument(help="Fabric: inventory/<name>, its fabric.yaml, or just <name>.")]


@app.command()
def build(
    fabric: FabricArg,
    lab_platform: Annotated[
        str | None,
        typer.Option(
            help="Also write a lab topology with every node on this platform (e.g. frr): <fabric>-<platform>."
        ),
    ] = None,
    topology_dir: Annotated[Path, typer.Option(help="Where to write the .clab.yml files.")] = Path(
        "containerlab"
    ),
    render: Annotated[bool, typer.Option(help="Render golden configs as the lab's startup configs.")] = True,
) -> None:
    """Expand fabric.yaml: Nornir inventory (hosts/groups/defaults.yaml) and containerlab topology."""
    from fabric.design import load_fabric
    from fabric.inventory import fabric_dir, write_inventory
    from fabric.topology import write_topology

    fab = load_fabric(fabric)
    if lab_platform:
        from fabric.platforms import get_platform

        get_platform(lab_platform, key="--lab-platform")  # before anything is written
    configs = _render_all(fab) if render else None
    other = _render_all(fab, platform_override=lab_platform) if render and lab_platform else None
    try:
        written = write_inventory(fab, fabric_dir(fabric))
        topology_dir.mkdir(parents=True, exist_ok=True)
        written += write_topology(fab, topology_dir, configs)
        if lab_platform:
            written += write_topology(fab, topology_dir, other, platform_override=lab_platform)
    except OSError as exc:  # --topology-dir is a file, a directory is not writable...
        raise FabricError(
            f"cannot write {exc.filename or topology_dir}: {exc.strerror or exc}", key="--topology-dir",
            fix="pass --topology-dir a writable directory (the inventory goes next to fabric.yaml: that "
            "directory must be writable too)",
        ) from None
    for p in written:
        if p.suffix in (".yaml", ".yml"):
            console.print(f"wrote {escape(str(p))}")
    console.print(
        f"[green]{fab.name}[/]: {len(fab.devices)} devices, {len(fab.links)} links ({len(written)} files)"
    )


def _render_all(fab, platform_override: str | None = None) -> dict[str, str] | None:  # type: ignore[no-untyped-def]
    try:
        render = importlib.import_module("fabric.render")
    except ModuleNotFoundError as exc:
        if exc.name != "fabric.render":
            raise
        return None
    if platform_override:
        from fabric.platforms import retarget_device

        fab = fab.model_copy(deep=True)
        for dev in fab.devices.values():
            retarget_device(dev, platform_override)
    return render.render_fabric(fab)  # type: ignore[no-any-return]




@app.command()
def show(
    fabric: FabricArg,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="table, json, yaml, csv, markdown (fabric docs) or mermaid")
    ] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write it to this file")] = None,
) -> None:
    """Summary of a fabric: devices by role and platform, links, allocated pools (--format markdown:
    fabric documentation with a topology diagram, as AVD writes it)."""
    from fabric import fabricdoc
    from fabric import output as out
    from fabric.design import load_fabric

    if fmt not in fabricdoc.FORMATS:
        raise FabricError(f"unknown format '{fmt}'", key="--format",
                          fix=f"one of {', '.join(fabricdoc.FORMATS)}")
    fab = load_fabric(fabric)
    if fmt in fabricdoc.RENDER:
        out.write(fabricdoc.RENDER[fmt](fab), output)
        if output:
            err_console.print(f"wrote {escape(str(output))}")
        return
    rows = fabricdoc.devices(fab)

    def table(c: Console) -> None:
        from rich.table import Table  # here: rich.table (with decimal, fractions) only when a table is drawn

        t = Table(title=f"{fab.name} ({fab.design})")
        for col in ("device", "role", "platform", "mgmt", "loopback", "ASN", "links"):
            t.add_column(col)
        for r in rows:
            t.add_row(*(str(r[k] if r[k] is not None else "-") for k in
                        ("device", "role", "platform", "mgmt", "loopback", "asn", "links")))
        c.print(t)
        roles = Counter(d.role for d in fab.devices.values())
        plats = Counter(d.platform for d in fab.devices.values())
        c.print("roles: " + ", ".join(f"{k} {v}" for k, v in sorted(roles.items())))
        c.print("platforms: " + ", ".join(f"{k} {v}" for k, v in sorted(plats.items())))
        c.print(f"links: {len(fab.links)}; pools: " + ", ".join(f"{k} {v}" for k, v in fab.pools.items()))

    out.emit(fabricdoc.as_data(fab), fmt, output, table, rows)


# Sub-commands that live next to their module (Nornir-style registration: each module adds its own).
_SUBMODULES = {
    "fabric.render_cli": None,
    "fabric.validation.cli": None,
    "fabric.lab.cli": "lab",
    "fabric.rollout.cli": "rollout",
    "fabric.compliance.cli": "compliance",
    "fabric.doctor": None,
}


# Which module registers each top-level command (the others are defined here).
_COMMANDS = {"render": "fabric.render_cli", "validate": "fabric.validation.cli",
             "snapshot": "fabric.validation.cli", "diff": "fabric.validation.cli", "lab": "fabric.lab.cli",
             "rollout": "fabric.rollout.cli", "deploy": "fabric.rollout.cli",
             "compliance": "fabric.compliance.cli", "doctor": "fabric.doctor"}


def _needed() -> set[str] | None:
    """When this process is the ``fabric`` command running one sub-command, the module that registers it:
    the others are not imported (the rollout and compliance engines cost ~0.1 s to import that
    ``fabric validate`` would pay for nothing). None (mount all): imported as a library or by tests, a
    top-level --help, shell completion, or an unknown command (its "did you mean" needs them all)."""
    if Path(sys.argv[0]).name != "fabric" or any(k.endswith("_COMPLETE") for k in os.environ):
        return None
    cmd = next((a for a in sys.argv[1:] if not a.startswith("-")), None)
    return {_COMMANDS[cmd]} if cmd in _COMMANDS else None


def _mount(only: set[str] | None = None) -> None:
    for module, name in _SUBMODULES.items():
        if only is not None and module not in only:
            continue
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            # Only tolerate the module itself being absent (a feature not installed), never a broken import.
            if exc.name and module.startswith(exc.name):
                continue
            raise
        if name is None or hasattr(mod, "register"):
            mod.register(app)
        else:
            app.add_typer(mod.app, name=name)


_mount(_needed())


# Libraries that log a traceback for every device they could not reach (pyeapi, paramiko's transport
# thread, a failed Nornir task); the commands report each unreachable device themselves, in one line.
_NOISY_LOGGERS = ("pyeapi", "paramiko", "ncclient", "nornir")


# Flags that destroy, push or roll back are never read from the environment: a stray variable must not
# change what a command does to a lab or a device.
NO_ENVVAR = frozenset({"all_labs", "cleanup", "push", "rollback", "reconfigure", "version", "max_runs",
                       "install_completion", "show_completion"})


def command() -> Any:
    """The click command tree of the CLI, every option also settable as NETFABRIC_<OPTION> (as ANTA and
    containerlab take theirs): --workers from NETFABRIC_WORKERS, --format from NETFABRIC_FORMAT..."""
    root = typer.main.get_command(app)

    def walk(cmd: Any) -> None:
        for sub in (getattr(cmd, "commands", None) or {}).values():
            walk(sub)
        for p in cmd.params:
            if getattr(p, "param_type_name", "") == "option" and not p.envvar and p.name not in NO_ENVVAR:
                long = next(o for o in p.opts if o.startswith("--"))
                p.envvar = "NETFABRIC_" + long[2:].upper().replace("-", "_")
                p.show_envvar = True

    walk(root)
    return root


def run() -> None:
    """Entry point. Exit codes (fabric.errors.ExitCode, docs/commands.md): 0 ok, 1 checks failed or
    drift found, 2 usage or bad input, 3 could not check (unreachable, or the tool itself failed)."""
    for name in _NOISY_LOGGERS:
        logging.getLogger(name).addHandler(logging.NullHandler())
    try:
        command()(standalone_mode=True)
    except FabricError as exc:
        # escaped: a message quotes what the user typed, and "[/x]" in a path is not markup
        err_console.print(f"[red]error:[/] {escape(exc.render())}", highlight=False, soft_wrap=True)
        sys.exit(ExitCode.USAGE)
    except Exception:  # a bug or a failing environment: never 1, which a scheduler reads as "drift found"
        traceback.print_exc()
        err_console.print("[red]error:[/] internal error (above): nothing was checked", highlight=False)
        sys.exit(ExitCode.UNCHECKED)


if __name__ == "__main__":
    run()
