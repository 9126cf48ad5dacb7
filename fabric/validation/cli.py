"""CLI: ``fabric validate``, ``fabric snapshot``, ``fabric diff`` (registered by fabric/cli.py)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from fabric import progress
from fabric.cliopts import HostsOpt, PlatformOpt, RoleOpt, TagOpt, csv
from fabric.errors import ExitCode, FabricError

if TYPE_CHECKING:
    from fabric.model import Fabric
    from fabric.targets import Resolved
    from fabric.validation.checks import CheckSettings

FormatOpt = Annotated[
    str, typer.Option("--format", "-f", help="table, json, yaml, junit, markdown, csv or html")
]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="write the report to this file")]
WorkersOpt = Annotated[int, typer.Option("--workers", help="parallel connections")]
TimeoutOpt = Annotated[float, typer.Option("--timeout", help="seconds per connection/command")]
QuietOpt = Annotated[
    bool, typer.Option("--quiet", "-q", help="no progress bar (it is off anyway when not on a terminal)")
]
RetriesOpt = Annotated[int, typer.Option("--retries", help="extra attempts after a connection failure")]


def _fail(exc: FabricError) -> None:
    typer.echo(f"error: {exc.render()}", err=True)
    raise typer.Exit(ExitCode.USAGE)


def _verdict(results: list[Any]) -> ExitCode:
    """1 when a check failed; else 3 when one could not run (device not collected, no data) or
    nothing passed at all; else 0."""
    status = [r.status for r in results]
    return ExitCode.verdict(failed="fail" in status, unchecked="error" in status or "pass" not in status)


def _export_anta(target: str, fab: Fabric | None, directory: Path, hosts: list[str] | None,
                 settings: CheckSettings) -> None:
    """`validate --export-anta`: the target's intent only, no device is contacted."""
    from fabric.validation.anta import export_anta

    try:
        if fab is None:
            raise FabricError(
                f"no fabric describes '{target}': ANTA tests are derived from a fabric's intent",
                fix="pass inventory/<fabric>, its fabric.yaml, or a lab generated from a fabric",
            )
        catalog, inventory = export_anta(fab, directory, hosts=hosts, settings=settings)
    except FabricError as exc:
        _fail(exc)
        return
    typer.echo(f"ANTA catalog: {catalog}\nANTA inventory: {inventory}")
    raise typer.Exit(ExitCode.OK)


def _pick(target: str, hosts: str | None, role: str | None = None, platform: str | None = None,
          tag: str | None = None) -> tuple[Resolved, list[str] | None, int]:
    """(the resolved target, the devices the filters pick or None for all, how many devices the run
    will collect)."""
    from fabric.targets import resolve, select_devices

    r = resolve(target)
    picked = select_devices(r.fabric, csv(hosts), csv(role), csv(platform), csv(tag))
    total = len(picked) if picked is not None else len(r.fabric.devices) if r.fabric else len(
        (r.lab or {}).get("nodes", {}))
    return r, picked, total


def _check_names(value: str | None, option: str) -> tuple[str, ...] | None:
    """``--checks a,b`` -> ("a", "b"); an unknown name is a usage error naming the closest one."""
    import difflib

    from fabric.validation.checks import CHECKS

    if value is None:
        return None
    names = tuple(n.strip() for n in value.split(",") if n.strip())
    known = [c.name for c in CHECKS] + ["router_id"]  # router_id: a fabric-wide check run beside them
    for n in names:
        if n not in known:
            close = difflib.get_close_matches(n, known, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise FabricError(f"{option}: unknown check '{n}'", fix=f"{hint}checks: {', '.join(known)}")
    return names


def _sections(settings: CheckSettings) -> tuple[str, ...]:
    """The state sections the selected checks read (facts always: it identifies the device)."""
    from fabric.state.model import SECTIONS
    from fabric.validation.checks import CHECKS, selected

    wanted = {"facts"} | {s for c in CHECKS if selected(c.name, settings) for s in c.reads()}
    if selected("router_id", settings):  # run beside the checks (run_checks), from BGP's or OSPF's state
        wanted |= {"bgp", "ospf"}
    return tuple(s for s in SECTIONS if s in wanted)


def register(app: typer.Typer) -> None:
    @app.command("validate")
    def validate_cmd(
        target: Annotated[
            str, typer.Argument(help="fabric (inventory/dc1, a fabric.yaml, or name) or lab name")
        ],
        hosts: HostsOpt = None,
        role: RoleOpt = None,
        platform: PlatformOpt = None,
        tag: TagOpt = None,
        fmt: FormatOpt = "table",
        output: OutputOpt = None,
        workers: WorkersOpt = 32,
        timeout: TimeoutOpt = 15.0,
        retries: RetriesOpt = 1,
        min_prefixes: Annotated[int, typer.Option(help="prefixes each fabric peer must send at least")] = 1,
        problems: Annotated[
            bool, typer.Option("--problems", help="table: show only failures/errors")
        ] = False,
        quiet: QuietOpt = False,
        checks: Annotated[
            str | None,
            typer.Option("--checks", help="comma-separated check names to run (default: all)"),
        ] = None,
        skip_checks: Annotated[
            str | None, typer.Option("--skip-checks", help="comma-separated check names not to run")
        ] = None,
        export_anta: Annotated[
            Path | None,
            typer.Option(
                "--export-anta",
                metavar="DIR",
                file_okay=False,
                help="write the EOS devices' checks as ANTA catalog + inventory into DIR; collect nothing",
            ),
        ] = None,
    ) -> None:
        """Collect BGP, OSPF, IS-IS, interface and LLDP state; check it against intent (exit 0: all pass)."""
        from fabric.state.collect import CollectOptions
        from fabric.validation import report
        from fabric.validation.checks import CheckSettings
        from fabric.validation.run import validate

        try:
            settings = CheckSettings(min_prefixes=min_prefixes, checks=_check_names(checks, "--checks"),
                                     skip_checks=_check_names(skip_checks, "--skip-checks") or ())
        except FabricError as exc:
            _fail(exc)
            return
        try:
            resolved, picked, total = _pick(target, hosts, role, platform, tag)
        except FabricError as exc:
            _fail(exc)
            return
        if export_anta is not None:
            _export_anta(target, resolved.fabric, export_anta, picked, settings)
        if fmt not in report.FORMATS:
            _fail(FabricError(f"unknown format '{fmt}'", key="--format",
                              fix=f"use one of {', '.join(report.FORMATS)}"))
        try:
            with progress.devices(total, "collecting", progress.wanted(quiet)) as done:
                run = validate(
                    target,
                    picked,
                    resolved=resolved,
                    options=CollectOptions(num_workers=workers, timeout=timeout, retries=retries,
                                           sections=_sections(settings),
                                           on_device=lambda st: done(bool(st.error))),
                    settings=settings,
                )
        except FabricError as exc:
            _fail(exc)
            return
        timing = (
            f"{len(run.state.devices)} devices, collection {run.collect_seconds:.2f}s, "
            f"evaluation {run.evaluate_seconds:.3f}s, {run.devices_per_second:.1f} devices/s"
        )
        report.emit(run.results, fmt, output, problems=problems, extra=timing,
                    title=f"Validation of {run.target}",
                    meta={"target": run.target,
                          "timing": {"collect_seconds": run.collect_seconds,
                                     "evaluate_seconds": run.evaluate_seconds}})
        raise typer.Exit(_verdict(run.results))

    @app.command("snapshot")
    def snapshot_cmd(
        target: Annotated[str, typer.Argument(help="fabric or lab")],
        name: Annotated[str, typer.Option("--name", help="snapshot name, e.g. pre or post")],
        hosts: HostsOpt = None,
        role: RoleOpt = None,
        platform: PlatformOpt = None,
        tag: TagOpt = None,
        root: Annotated[Path | None, typer.Option("--dir", help="snapshot directory")] = None,
        workers: WorkersOpt = 32,
        timeout: TimeoutOpt = 15.0,
        quiet: QuietOpt = False,
    ) -> None:
        """Store normalised state as .netfabric/snapshots/<fabric>/<name>.json."""
        from fabric.state.collect import CollectOptions
        from fabric.validation.snapshot import save_snapshot, take_snapshot

        try:
            _, picked, total = _pick(target, hosts, role, platform, tag)
            with progress.devices(total, "collecting", progress.wanted(quiet)) as done:
                state = take_snapshot(
                    target, picked, tag=name,
                    options=CollectOptions(num_workers=workers, timeout=timeout,
                                           on_device=lambda st: done(bool(st.error))),
                )
            path = save_snapshot(state, state.fabric or target, name, root)
        except FabricError as exc:
            _fail(exc)
            return
        bad = {n: d.error for n, d in state.devices.items() if d.error}
        typer.echo(f"snapshot {name}: {len(state.devices)} devices -> {path}")
        for n, err in bad.items():
            typer.echo(f"  {n}: not collected: {err}", err=True)
        raise typer.Exit(ExitCode.UNCHECKED if bad else ExitCode.OK)

    @app.command("diff")
    def diff_cmd(
        target: Annotated[str, typer.Argument(help="fabric or lab")],
        pre: Annotated[str, typer.Argument(help="tag (or path) of the earlier snapshot")],
        post: Annotated[str, typer.Argument(help="tag (or path) of the later snapshot")],
        root: Annotated[Path | None, typer.Option("--dir", help="snapshot directory")] = None,
        max_prefix_drop: Annotated[
            float, typer.Option(help="allowed drop of accepted prefixes, percent")
        ] = 10.0,
        fmt: FormatOpt = "table",
        output: OutputOpt = None,
        show_changes: Annotated[
            bool, typer.Option("--changes", help="also list every non-volatile change")
        ] = False,
    ) -> None:
        """Compare two snapshots (volatile fields ignored) and apply delta rules. Exit 0 only if all pass."""
        from fabric.design import fabric_file
        from fabric.validation import report
        from fabric.validation.snapshot import DeltaRules, changes, diff_snapshots, load_snapshot

        if fmt not in report.FORMATS:
            _fail(FabricError(f"unknown format '{fmt}'", key="--format",
                              fix=f"use one of {', '.join(report.FORMATS)}"))
        # The name `snapshot` stored them under: the fabric's (from its directory, file or a topology
        # generated from it), else the target as given. No device is read: the lab may be gone.
        name = target
        try:
            if fabric_file(target).exists():
                from fabric.design import load_fabric

                name = load_fabric(fabric_file(target)).name
            elif target.endswith((".clab.yml", ".clab.yaml")):
                from fabric.targets import fabric_of_topology

                fab = fabric_of_topology(Path(target))
                name = fab.name if fab else target
            a, b = load_snapshot(name, pre, root), load_snapshot(name, post, root)
        except FabricError as exc:
            _fail(exc)
            return
        results = diff_snapshots(a, b, DeltaRules(max_prefix_drop_pct=max_prefix_drop))
        report.emit(results, fmt, output, extra=f"{pre} -> {post}",
                    title=f"Snapshot diff {name}: {pre} -> {post}",
                    meta={"target": name, "pre": pre, "post": post})
        if show_changes:
            for dev in sorted(set(a.devices) & set(b.devices)):
                for path, x, y in changes(a.devices[dev], b.devices[dev]):
                    typer.echo(f"{dev} {path}: {x} -> {y}")
        status = [r.status for r in results]
        raise typer.Exit(ExitCode.verdict(failed="fail" in status, unchecked="error" in status))
