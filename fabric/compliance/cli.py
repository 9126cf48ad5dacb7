"""`fabric compliance`: run (once or --every), remediate, history."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from fabric import output as output_
from fabric.cliopts import HostsOpt, PlatformOpt, RoleOpt, TagOpt, csv
from fabric.errors import ExitCode, FabricError
from fabric.rollout.drivers import DriverError

app = typer.Typer(
    help="Config compliance: drift per feature, backups, remediation, history.", no_args_is_help=True
)
console = Console()
err = Console(stderr=True)

TargetArg = Annotated[
    str, typer.Argument(help="Fabric (inventory/<name> or <name>) or lab topology (.clab.yml).")
]
DbOpt = Annotated[Path, typer.Option("--db", help="History database (SQLite).")]


def parse_interval(text: str) -> float:
    """'90s', '15m', '1h', '1d' or plain seconds."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text)
    if not m:
        raise FabricError(f"bad interval '{text}'", key="--every", fix="use e.g. 30s, 15m, 1h, 1d")
    return float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]


def _table(report) -> Table:  # type: ignore[no-untyped-def]
    feats = list(dict.fromkeys(r.feature for r in report.results))
    t = Table(title=f"compliance {report.fabric}")
    t.add_column("device")
    for f in feats:
        t.add_column(f)
    cells = {(r.device, r.feature): r for r in report.results}
    for dev in sorted({r.device for r in report.results}):
        row = []
        for f in feats:
            r = cells.get((dev, f))
            if r is None:
                row.append("-")
            elif r.compliant:
                row.append("[green]ok[/]")
            else:
                row.append(f"[red]{r.status}[/]")
        t.add_row(dev, *row)
    return t


def _html(rep, db: Path) -> str:  # type: ignore[no-untyped-def]
    from fabric.compliance import history, report

    trend = history.runs(db, rep.fabric)
    changes = None
    if len(trend) >= 2 and trend[-1].id == rep.run_id:
        changes = history.changes(history.results_of(db, trend[-2].id), rep.results)
    return report.to_html(rep.fabric, rep.results, rep.remediations, trend, rep.finished, changes)


def verdict(report) -> ExitCode:  # type: ignore[no-untyped-def]
    """1 when drift was found on a device that could be checked (even if others could not); else 3
    when a device was unreachable or its config could not be compared (or nothing was checked);
    else 0."""
    from fabric.compliance import ERROR, UNREACHABLE
    from fabric.compliance.engine import COMPLIANT

    status = {r.status for r in report.results}
    return ExitCode.verdict(
        failed=bool(status - {COMPLIANT, UNREACHABLE, ERROR}),
        unchecked=not status or bool(status & {UNREACHABLE, ERROR}),
    )


FORMATS = ("table", "json", "yaml", "junit", "markdown", "csv", "html")


def _once(
    target: str,
    features: list[str] | None,
    hosts: list[str] | None,
    fmt: str,
    output: Path | None,
    db: Path,
    backup_dir: Path | None,
    metrics: Path | None,
    state: bool,
    extra: dict[str, Path | None] | None = None,
    pushgateway: str | None = None,
    quiet: bool = False,
) -> ExitCode:
    from fabric import progress
    from fabric.compliance import history, report, resolve_target, run_compliance

    fab = resolve_target(target)  # once: the progress bar's count and the run itself
    total = len(hosts) if hosts else len(fab.devices)
    with progress.devices(total, "reading running configs", progress.wanted(quiet)) as done:
        rep = run_compliance(target, features=features, hosts=hosts, fab=fab, db=db, backup_dir=backup_dir,
                             state=state, on_device=lambda _host, failed: done(failed))
    if fmt == "json":
        text = report.to_json(rep.as_dict())
    elif fmt == "junit":
        text = report.to_junit(rep.fabric, rep.results)
    elif fmt == "html":
        text = _html(rep, db)
    elif fmt == "yaml":
        text = output_.render(rep.as_dict(), "yaml")
    elif fmt == "csv":
        text = output_.render(None, "csv", rows=[
            {"device": r.device, "feature": r.feature, "status": r.status, "missing": len(r.missing),
             "extra": len(r.extra), "detail": r.detail} for r in rep.results])
    elif fmt == "markdown":
        text = report.to_markdown(rep.fabric, rep.results)
    elif output:  # the table goes to the file (plain text, wide), never silently nowhere
        text = output_.render(None, "table", lambda c: _print_report(rep, c))
    else:
        text = ""
        _print_report(rep, console)
    if text:
        output_.write(text, output)
        if output:
            err.print(f"wrote {output}")
    # Extra report files from the same run (CI wants JUnit for the verdict and HTML for humans).
    for kind, path in (extra or {}).items():
        if path:
            if kind == "html":
                trend = history.runs(db, rep.fabric)
                text = report.to_html(rep.fabric, rep.results, rep.remediations, trend, rep.finished)
            else:
                text = report.to_junit(rep.fabric, rep.results)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
            except OSError as exc:  # a directory, below a file, not writable
                raise FabricError(f"cannot write the {kind} report: {exc.strerror or exc}", file=str(path),
                                  key=f"--{kind}", fix="pass a file path in a writable directory") from None
    if metrics or pushgateway:
        registry = history.metrics_registry(rep.fabric, rep.results, rep.finished, features)
        if metrics:
            history.write_metrics(metrics, registry)
        if pushgateway:
            try:
                history.push_metrics(pushgateway, rep.fabric, registry)
            except OSError as exc:  # the run's verdict stands; the push is reported, not fatal
                err.print(f"[red]pushgateway {pushgateway}: {exc}[/]", highlight=False)
    devs = history.device_status(rep.results)
    err.print(
        f"{rep.fabric}: {sum(devs.values())}/{len(devs)} devices compliant"
        + (f", backup {rep.backup_commit[:10]}" if rep.backup_commit else "")
        + (f", run {rep.run_id}" if rep.run_id else ""),
        highlight=False,
    )
    return verdict(rep)


def _print_report(rep: Any, out: Console) -> None:
    out.print(_table(rep))
    for dev, msg in sorted(rep.errors.items()):
        out.print(Text(f"{dev}: unreachable: {msg}", style="red"))
    for r in rep.results:
        if not r.compliant and r.device not in rep.errors:
            out.print(Text(f"{r.device} {r.feature}: {r.status} {r.detail}".rstrip(), style="bold"))
            # Text, not markup: config lines contain brackets ("[ FABRIC-EXPORT ]") rich would eat.
            for ln in r.missing:
                out.print(Text(f"  - {ln}", style="red"))
            for ln in r.extra:
                out.print(Text(f"  + {ln}", style="blue"))


def _pick(target: str, hosts: str | None, role: str | None, platform: str | None, tag: str | None
          ) -> list[str] | None:
    """The devices the filters pick (None: all); run_compliance itself reports an unknown host."""
    if not (role or platform or tag):
        return csv(hosts)
    from fabric.compliance import resolve_target
    from fabric.targets import select_devices

    return select_devices(resolve_target(target), csv(hosts), csv(role), csv(platform), csv(tag))


@app.command()
def run(
    target: TargetArg,
    features: Annotated[str | None, typer.Option("--features", help="Comma-separated features.")] = None,
    hosts: HostsOpt = None,
    role: RoleOpt = None,
    platform: PlatformOpt = None,
    tag: TagOpt = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="table, json, yaml, junit, markdown, csv or html")
    ] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report here.")] = None,
    db: DbOpt = Path(".netfabric/compliance.sqlite"),
    backup_dir: Annotated[
        Path | None, typer.Option(help="Git repo of backups (default .netfabric/backups/<fabric>).")
    ] = None,
    metrics: Annotated[Path | None, typer.Option(help="Prometheus textfile (node_exporter).")] = None,
    pushgateway: Annotated[
        str | None, typer.Option("--pushgateway", help="Also push the metrics to this Pushgateway (URL).")
    ] = None,
    state: Annotated[bool, typer.Option("--state", help="Also run validation state checks.")] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar (it is off anyway when not on a terminal).")
    ] = False,
    html: Annotated[Path | None, typer.Option("--html", help="Also write the HTML report here.")] = None,
    junit: Annotated[Path | None, typer.Option("--junit", help="Also write a JUnit report here.")] = None,
    every: Annotated[
        str | None, typer.Option("--every", help="Run forever at this interval (15m, 1h).")
    ] = None,
    max_runs: Annotated[
        int | None, typer.Option("--max-runs", hidden=True, help="With --every: stop after N runs (tests).")
    ] = None,
) -> None:
    """Compare running vs golden per feature. Exit 0 compliant, 1 drift, 3 a device could not be checked."""
    if fmt not in FORMATS:
        raise FabricError(f"unknown format '{fmt}'", key="--format", fix=", ".join(FORMATS))
    extra = {"html": html, "junit": junit}
    args = (target, csv(features), _pick(target, hosts, role, platform, tag), fmt, output, db, backup_dir,
            metrics, state, extra,
            pushgateway, quiet)
    if not every:
        raise typer.Exit(_once(*args))
    interval = parse_interval(every)
    n, code = 0, ExitCode.UNCHECKED
    while max_runs is None or n < max_runs:
        start = time.monotonic()
        try:
            code = _once(*args)
        except FabricError:
            if n == 0:  # bad input: fail now (exit 2), not once per interval forever
                raise
            code = ExitCode.UNCHECKED
        except Exception as exc:  # a scheduler loop must survive anything one run throws
            code = ExitCode.UNCHECKED
            err.print(f"[red]run failed:[/] {exc.__class__.__name__}: {exc}", highlight=False)
        n += 1
        if max_runs is not None and n >= max_runs:
            break
        time.sleep(max(0.0, interval - (time.monotonic() - start)))
    raise typer.Exit(code)  # the last run's


@app.command()
def remediate(
    target: TargetArg,
    hosts: HostsOpt = None,
    role: RoleOpt = None,
    platform: PlatformOpt = None,
    tag: TagOpt = None,
    out: Annotated[Path, typer.Option("--out", help="Directory for <host>.cfg snippets.")] = Path(
        ".netfabric/remediation"
    ),
    features: Annotated[str | None, typer.Option("--features", help="Comma-separated features.")] = None,
    push: Annotated[
        bool, typer.Option("--push", help="Also push each snippet (commit-confirmed merge, fabric.rollout).")
    ] = False,
) -> None:
    """Write the minimal remediation snippet per device (for `fabric rollout` to push)."""
    from fabric.compliance import fetch_running, golden_configs, push_remediation, remediation, resolve_target
    from fabric.targets import select_devices

    fab = resolve_target(target)
    names = select_devices(fab, csv(hosts), csv(role), csv(platform), csv(tag)) or list(fab.devices)
    configs, errors = fetch_running(fab, names)
    # Render the fabric's golden configs once (per host, every call redid the fabric-wide facts).
    golden = golden_configs(fab, [n for n in names if n in fab.devices and n not in errors])
    out.mkdir(parents=True, exist_ok=True)
    for name in names:
        if name in errors:
            err.print(f"[red]{name}[/]: unreachable: {errors[name]}", highlight=False)
            continue
        snippet = remediation(
            fab, name, running=configs[name], features=csv(features), golden=golden.get(name)
        )
        path = out / f"{name}.cfg"
        path.write_text(snippet)
        what = "compliant" if not snippet else f"{len(snippet.splitlines())} line(s)"
        console.print(f"{name}: {what} -> {path}")
        if push and snippet:
            try:
                console.print(f"{name}: pushed ({push_remediation(fab, name, snippet)})")
            except DriverError as exc:  # reported per device; the others are still pushed
                err.print(f"[red]{name}[/]: push failed: {exc}", highlight=False)
                errors[name] = str(exc)
    raise typer.Exit(ExitCode.UNCHECKED if errors else ExitCode.OK)


@app.command("history")
def history_cmd(
    target: TargetArg,
    db: DbOpt = Path(".netfabric/compliance.sqlite"),
    limit: Annotated[int, typer.Option(help="Runs to show.")] = 20,
) -> None:
    """Trend of past runs and what changed since the previous run."""
    from fabric.compliance import history, resolve_target, target_label

    name = target_label(target, resolve_target(target))
    past = history.runs(db, name, limit)
    if not past:
        console.print(f"no runs recorded for {name} in {db}")
        return
    t = Table(title=f"compliance history {name}")
    for col in ("run", "time (UTC)", "devices compliant", "feature failures", ""):
        t.add_column(col)
    for r in past:
        ts = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(r.started))
        t.add_row(
            str(r.id),
            ts,
            f"{r.devices_compliant}/{r.devices}",
            str(r.failures),
            "[green]compliant[/]" if r.compliant else "[red]drift[/]",
        )
    console.print(t)
    if len(past) < 2:
        return
    delta = history.changes(history.results_of(db, past[-2].id), history.results_of(db, past[-1].id))
    console.print(f"changes since run {past[-2].id}:" if delta else f"no changes since run {past[-2].id}")
    for c in delta:
        was = f"{c.get('was', '-')} -> " if "was" in c else ""
        console.print(
            f"  {c['device']} {c['feature']}: {c['change']} ({was}{c.get('now', '-')})", highlight=False
        )
