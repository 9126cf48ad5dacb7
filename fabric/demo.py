"""`make demo`: the whole product on the embedded lab, one step after another.

Each step runs the same `fabric` commands an operator would type, so the demo
doubles as a tour of the CLI.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys

from rich.console import Console
from rich.rule import Rule

console = Console()
FABRIC = [sys.executable, "-m", "fabric.cli"]


def step(title: str) -> None:
    console.print(Rule(f"[bold cyan]{title}"))


def run(*args: str, check: bool = True) -> int:
    console.print(f"[dim]$ fabric {' '.join(shlex.quote(a) for a in args)}[/]")
    rc = subprocess.run([*FABRIC, *args], check=False).returncode
    if check and rc != 0:
        console.print(f"[red]step failed (exit {rc})[/]")
        sys.exit(rc)
    return rc


def main() -> None:
    os.chdir(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    step("1. Intent: expand the example fabrics")
    for name in ("dc1", "backbone", "dc-large"):
        run("build", name, *(["--lab-platform", "frr"] if name in ("dc1", "dc-large") else []))
    run("show", "dc1")
    run("show", "backbone")


if __name__ == "__main__":
    main()
