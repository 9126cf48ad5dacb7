"""`fabric render`: write golden configs, optionally showing what changed since the last render."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from fabric.cliopts import HostsOpt, PlatformOpt, RoleOpt, TagOpt, csv
from fabric.errors import FabricError

console = Console()


def _diff_text(old: str, new: str, name: str) -> Text:
    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{name}", f"b/{name}"
    )
    out = Text()
    for line in lines:
        style = None
        if line.startswith(("+++", "---")):
            style = "bold"
        elif line.startswith("@@"):
            style = "cyan"
        elif line.startswith("+"):
            style = "green"
        elif line.startswith("-"):
            style = "red"
        out.append(line if line.endswith("\n") else line + "\n", style=style)
    return out


def render_command(
    fabric: Annotated[str, typer.Argument(help="Fabric: inventory/<name>, its fabric.yaml, or just <name>.")],
    hosts: HostsOpt = None,
    role: RoleOpt = None,
    platform: PlatformOpt = None,
    tag: TagOpt = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Directory for <host>.cfg files (default: build/configs/<fabric>)."),
    ] = None,
    diff: Annotated[
        bool, typer.Option("--diff", help="Show a unified diff against the previous render in --out.")
    ] = False,
) -> None:
    """Render golden configs: one <out>/<host>.cfg per device (two-stage: intent -> structured -> text)."""
    from fabric.design import load_fabric
    from fabric.render import render_fabric
    from fabric.targets import select_devices

    fab = load_fabric(fabric)
    # one directory per fabric: dc1's and dc-large's spine1..4 must not overwrite each other
    out = out or Path("build") / "configs" / fab.name
    wanted = select_devices(fab, csv(hosts), csv(role), csv(platform), csv(tag))
    configs = render_fabric(fab, wanted)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FabricError(f"cannot create output directory {out}: {exc.strerror}", key="--out") from None
    changed = 0
    for host, text in configs.items():
        path = out / f"{host}.cfg"
        old = path.read_text() if path.exists() else ""
        if old != text:
            changed += 1
            if diff:
                console.print(_diff_text(old, text, path.name), end="", soft_wrap=True)
        path.write_text(text)
    console.print(
        f"[green]{fab.name}[/]: rendered {len(configs)} device(s) to {escape(str(out))} ({changed} changed)",
        soft_wrap=True,
    )


def register(app: typer.Typer) -> None:
    """Add `render` to the main CLI (called by fabric/cli.py)."""
    app.command(name="render")(render_command)
