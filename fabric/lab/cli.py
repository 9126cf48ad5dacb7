"""`fabric lab ...` commands.  Mounted by fabric/cli.py as ``app.add_typer(lab_app, name="lab")``."""

from __future__ import annotations

import json
import subprocess
import warnings
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from fabric import output as output_
from fabric.errors import ExitCode, FabricError

app = typer.Typer(help="Embedded lab: run containerlab topologies with real FRR in network namespaces.",
                  no_args_is_help=True)
out = Console()
err = Console(stderr=True)

TopoOpt = typer.Option(None, "--topo", "-t", help="containerlab topology file (*.clab.yml)")


def _fail(exc: BaseException) -> NoReturn:
    err.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, markup=True, soft_wrap=True)
    # Bad topology or host (FabricError names the file/key/fix): 2, as for every command's bad input.
    # Anything else (a deploy the system refused, an interrupt) is not a failed check: 3, could not do it.
    raise typer.Exit(ExitCode.USAGE if isinstance(exc, FabricError) else ExitCode.UNCHECKED)


def _find_topology(topo: Path | None, required: bool) -> Path | None:
    """Like containerlab: no -t means the single *.clab.yml in the current directory."""
    if topo is not None:
        return topo
    found = sorted(Path.cwd().glob("*.clab.yml")) + sorted(Path.cwd().glob("*.clab.yaml"))
    if len(found) == 1:
        return found[0]
    if required:
        raise FabricError("no topology given and no single *.clab.yml in the current directory", key="-t")
    return None


def _log(msg: str) -> None:
    err.print(msg, highlight=False, markup=False)


@app.command()
def deploy(
    topo: Path = TopoOpt,
    backend: str = typer.Option("netns", "--backend", "-b", help="netns (built in) or containerlab"),
    wait: bool = typer.Option(False, "--wait", help="return when every FRR daemon answers"),
    wait_converged: bool = typer.Option(False, "--wait-converged",
                                        help="also wait for configured BGP/OSPF/IS-IS sessions"),
    timeout: float = typer.Option(60.0, "--timeout", help="seconds for --wait/--wait-converged"),
    reconfigure: bool = typer.Option(False, "--reconfigure", "-c",
                                     help="destroy the lab and delete its lab directory first: every node "
                                          "boots from the topology's startup-config (as containerlab)"),
) -> None:
    """Deploy a lab."""
    from fabric.lab import api
    from fabric.lab.topology import load_topology

    try:
        path = _find_topology(topo, True)
        assert path is not None
        if backend == "netns":
            with warnings.catch_warnings(record=True):
                t = load_topology(path, warn=False)
            for w in t.warnings:
                err.print(f"[yellow]warning:[/yellow] {path}: {w}", highlight=False)
            api.deploy(t, backend=backend, wait=wait, wait_converged=wait_converged, timeout=timeout,
                       reconfigure=reconfigure, log=_log)
            _print_rows(api.inspect(path))
        else:
            api.deploy(path, backend=backend, reconfigure=reconfigure)
    except FabricError as exc:
        _fail(exc)
    except (OSError, subprocess.SubprocessError) as exc:
        _fail(Exception(f"deploy failed, lab removed: {exc}"))
    except KeyboardInterrupt:
        _fail(Exception("interrupted; partial lab removed"))


def _print_rows(rows: list[dict[str, object]], console: Any = None) -> None:
    console = console or out
    if not rows:
        console.print("no labs deployed")
        return
    table = Table("lab", "node", "kind", "netns", "mgmt ipv4", "twin", "status")
    for r in rows:
        keys = ("lab", "node", "kind", "netns", "mgmt_ipv4", "twin", "status")
        table.add_row(*(str(r[k] or "") for k in keys))
    console.print(table)


@app.command()
def inspect(
    topo: Path = TopoOpt,
    all_labs: bool = typer.Option(False, "--all", "-a", help="every deployed lab"),
    as_json: bool = typer.Option(False, "--json", help="JSON output (same as --format json)"),
    backend: str = typer.Option("netns", "--backend", "-b", help="netns (built in) or containerlab"),
    fmt: str = typer.Option("table", "--format", "-f", help="table, json, yaml or csv"),
    output: Path | None = typer.Option(None, "--output", "-o", help="write it to this file"),
) -> None:
    """Show deployed lab nodes."""
    from fabric.lab import api, clab_backend

    try:
        if backend == "containerlab":
            raise typer.Exit(clab_backend.run(clab_backend.inspect_cmd(topo, all_labs=all_labs)))
        path = None if all_labs else _find_topology(topo, False)
        rows = api.inspect(path, all_labs=all_labs)
        output_.emit(rows, "json" if as_json else fmt, output, lambda c: _print_rows(rows, c), rows=rows)
    except FabricError as exc:
        _fail(exc)


@app.command()
def destroy(
    topo: Path = TopoOpt,
    all_labs: bool = typer.Option(False, "--all", "-a", help="every lab in /run/netfabric/labs"),
    backend: str = typer.Option("netns", "--backend", "-b", help="netns (built in) or containerlab"),
    cleanup: bool = typer.Option(False, "--cleanup", "-c",
                                 help="also delete the lab directory (saved twin configs, keys)"),
) -> None:
    """Destroy a lab (idempotent): processes, namespaces, links, bridge, FRR pathspace dirs."""
    from fabric.lab import api

    try:
        path = None if all_labs else _find_topology(topo, True)
        names = api.destroy(path, all_labs=all_labs, backend=backend, cleanup=cleanup, log=_log)
        if not names and backend == "netns":
            err.print("nothing to destroy")
    except FabricError as exc:
        _fail(exc)


@app.command(name="exec", context_settings={"allow_interspersed_args": False})
def exec_(
    node: str = typer.Argument(..., help="node name"),
    cmd: list[str] = typer.Argument(..., help="command (after --)"),
    topo: Path = TopoOpt,
) -> None:
    """Run a command inside a node: fabric lab exec leaf1 -- vtysh -c 'show bgp summary'."""
    from fabric.lab import api, netns

    try:
        netns.require_root()
        st = api.state_for(_find_topology(topo, False))
        argv = netns.node_command(st, node, cmd)
    except FabricError as exc:
        _fail(exc)
    raise typer.Exit(subprocess.call(argv))


@app.command()
def graph(
    topo: Path = TopoOpt,
    dot: bool = typer.Option(False, "--dot", help="Graphviz DOT output (same as --format dot)"),
    fmt: str = typer.Option("text", "--format", "-f", help="text, dot, mermaid or html"),
    output: Path | None = typer.Option(None, "--output", "-o", help="write it to this file"),
) -> None:
    """Print the topology graph (text, Graphviz DOT, Mermaid, or a self-contained HTML page)."""
    from fabric.lab import artifacts
    from fabric.lab.topology import load_topology
    from fabric.output import write

    draw = {"text": artifacts.graph_text, "dot": artifacts.graph_dot, "mermaid": artifacts.graph_mermaid,
            "html": artifacts.graph_html}
    try:
        fmt = "dot" if dot else fmt
        if fmt not in draw:
            raise FabricError(f"unknown format '{fmt}'", key="--format", fix="text, dot, mermaid or html")
        path = _find_topology(topo, True)
        assert path is not None
        text = draw[fmt](load_topology(path, warn=False))
        write(text, output)
    except FabricError as exc:
        _fail(exc)


@app.command()
def scenario(
    file: Path = typer.Argument(..., help="scenario file, labs/<name>.yaml"),
    keep: bool = typer.Option(False, "--keep", help="leave the scenario's lab running afterwards"),
    report: Path | None = typer.Option(None, "--report", help="write the full result as JSON here"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="only the checks, no progress lines"),
) -> None:
    """Run a lab scenario: private copy of its topology, the change with faults, expected outcome."""
    # The runner belongs to fabric.rollout (imported lazily: `fabric lab` must work without it loaded).
    from fabric.rollout.scenario import run_scenario

    def emit(wave: int | None, host: str | None, step: str, status: str, detail: str) -> None:
        if quiet:
            return
        where = " ".join(x for x in (f"wave {wave}" if wave is not None else "", host or "") if x)
        err.print(f"{where + ': ' if where else ''}{step} {status}{': ' + detail if detail else ''}",
                  highlight=False, markup=False)

    try:
        res = run_scenario(file, keep=keep, emit=emit)
    except FabricError as exc:
        _fail(exc)
    except (OSError, subprocess.SubprocessError) as exc:
        _fail(Exception(f"scenario {file} failed: {exc}"))
    for c in res["checks"]:
        mark = "[green]ok[/green]" if c["ok"] else "[red]FAIL[/red]"
        out.print(f"{mark} {c['name']}: {c['detail']}", highlight=False)
    if report is not None:
        report.write_text(json.dumps(res, indent=2, default=str))
    out.print(f"scenario {res['scenario']}: {'passed' if res['ok'] else 'FAILED'}", highlight=False)
    if not res["ok"]:
        raise typer.Exit(ExitCode.FAILED)


def main() -> None:
    app(prog_name="fabric lab")
