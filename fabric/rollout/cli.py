"""`fabric rollout run|plan|status|resume|abort|history|scenario` and the top-level `fabric deploy`."""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.live import Live
from rich.markup import escape
from rich.table import Table

from fabric.cliopts import HostsOpt, PlatformOpt, RoleOpt, TagOpt, csv
from fabric.errors import ExitCode, FabricError

app = typer.Typer(
    help="Staged canary rollouts with commit-confirmed and automatic rollback.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console()
err = Console(stderr=True)

# Required, no default: a forgotten flag must be a usage error, never a rollout on some default fabric.
FabricOpt = Annotated[
    str, typer.Option("--fabric", "-F", help="Fabric: inventory/<name> or its fabric.yaml (required).")
]
LabPlatOpt = Annotated[
    str | None,
    typer.Option(
        "--lab-platform", help="Treat every device as this platform (the all-FRR lab variant, e.g. frr)."
    ),
]
LabOpt = Annotated[
    str | None,
    typer.Option("--lab", help="A deployed lab topology (.clab.yml): management addresses come from it."),
]
JournalOpt = Annotated[
    Path | None,
    typer.Option(
        "--journal",
        help="SQLite journal and lock (default: the fabric's, $NETFABRIC_STATE_DIR or /var/lib/netfabric, "
        "then <fabric name>/journal.sqlite).",
    ),
]
FabricOfJournalOpt = Annotated[
    str | None,
    typer.Option("--fabric", "-F", help="Fabric whose journal to read (or give --journal)."),
]
ReportOpt = Annotated[Path | None, typer.Option("--report", help="Write a JSON report here.")]

_STYLE = {"FAIL": "red", "pass": "green", "ok": "green", "empty": "dim", "run": "cyan", "wait": "yellow"}


class LiveView:
    """A live table (wave, device, step, result) fed by engine events from worker threads."""

    def __init__(self, quiet: bool = False) -> None:
        self.rows: dict[str, list[str]] = {}
        self.head = ""
        self._mu = threading.Lock()
        self.live: Live | None = (
            None
            if quiet or not console.is_terminal
            else Live(self._table(), console=console, refresh_per_second=8, transient=False)
        )
        self.quiet = quiet

    def _table(self) -> Table:
        t = Table(title=self.head or "rollout", expand=False)
        for c in ("wave", "device", "step", "result", "detail"):
            t.add_column(c)
        for host, (wave, step, status, detail) in self.rows.items():
            # device replies and journal text may hold brackets (SR OS "[/configure router]"): not markup
            t.add_row(escape(wave), escape(host), escape(step),
                      f"[{_STYLE.get(status, 'white')}]{escape(status)}[/]", escape(detail[:90]))
        return t

    def __call__(self, wave: int | None, host: str | None, step: str, status: str, detail: str) -> None:
        with self._mu:
            if host:
                self.rows[host] = ["" if wave is None else str(wave), step, status, detail]
            else:
                self.head = (
                    f"wave {wave}: {step} {status} {detail}".strip()
                    if wave is not None
                    else f"{step} {status} {detail}"
                )
            if self.live:
                self.live.update(self._table())
            elif not self.quiet:
                w = "-" if wave is None else str(wave)
                console.print(
                    f"[dim]{time.strftime('%H:%M:%S')}[/] wave {w} {escape(host or ''):8} {escape(step):13} "
                    f"[{_STYLE.get(status, 'white')}]{escape(status)}[/] {escape(detail)}",
                    highlight=False,
                )

    def __enter__(self) -> LiveView:
        if self.live:
            self.live.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.live:
            self.live.__exit__(None, None, None)


def summary_table(report: dict[str, Any]) -> Table:
    t = Table(title=escape(f"rollout {report['rollout']} ({report['playbook']}): {report['outcome']}"))
    for c in ("wave", "device", "final state", "gate", "error"):
        t.add_column(c)
    for d in report["devices"]:
        gate = d.get("gate") or {}
        g = "-" if not gate else ("pass" if gate.get("ok") else "FAIL")
        style = (
            "green"
            if d["state"] == "confirmed"
            else "red"
            if d["state"] in ("rolled_back", "reverted_by_timer", "unreachable")
            else "white"
        )
        t.add_row(str(d["wave"]), escape(d["host"]), f"[{style}]{escape(d['state'])}[/]", g,
                  escape((d.get("error") or "")[:80]))
    return t


def _emit_report(report: dict[str, Any], path: Path | None) -> None:
    console.print(summary_table(report))
    timing = report.get("timing", {})
    ov = timing.get("overhead")
    if ov:
        ahead = timing.get("prefetched")
        console.print(
            f"wall {ov['wall_s']:.1f}s, device critical path {ov['device_s']:.1f}s, "
            f"framework overhead {ov['overhead_share'] * 100:.1f}%"
            + (f" ({ahead} diffs computed while the previous wave converged)" if ahead else "")
        )
    if path:
        path.write_text(json.dumps(report, indent=2, default=str))
        console.print(f"report written to {escape(str(path))}")


# A device that failed in one of these states never got its change: the rollout could not read it
# (pre-snapshot) or lost it after the commit (its own timer reverted it).
_UNCHECKED_STATES = {"pending", "prechecked", "untouched", "unreachable", "reverted_by_timer"}


def exit_code(report: dict[str, Any]) -> ExitCode:
    """0 completed; 1 a gate failed, a device refused the change, or the rollout was aborted; else 3
    when it stopped because a device could not be reached (FAILED wins when both happened)."""
    if report["outcome"] == "completed":
        return ExitCode.OK
    devs = report["devices"]
    gate_failed = any(d.get("gate") and not d["gate"].get("ok") for d in devs)
    refused = any(d.get("error") and d["state"] not in _UNCHECKED_STATES for d in devs)
    unchecked = any(d.get("error") and d["state"] in _UNCHECKED_STATES for d in devs)
    failed = gate_failed or refused or report["outcome"] == "aborted" or not unchecked
    return ExitCode.verdict(failed=failed, unchecked=unchecked)


def _exit_for(report: dict[str, Any]) -> None:
    code = exit_code(report)
    if code != ExitCode.OK:
        raise typer.Exit(code)


def _report_and_exit(report: dict[str, Any], path: Path | None) -> None:
    _emit_report(report, path)
    _exit_for(report)


def _fail(exc: FabricError) -> NoReturn:
    err.print(f"[red]error:[/] {escape(exc.render())}", highlight=False, soft_wrap=True)
    raise typer.Exit(ExitCode.USAGE)


# Rollout.plan() puts this in place of the diff of a device it could not read.
_NOT_REACHABLE = "(device not reachable:"


FmtOpt = Annotated[str, typer.Option("--format", "-f", help="table, json, yaml or csv")]
OutOpt = Annotated[Path | None, typer.Option("--output", "-o", help="write it to this file")]


def _emit(data: Any, fmt: str, output: Path | None, table: Any, rows: list[dict[str, Any]]) -> None:
    from fabric import output as out

    try:
        out.emit(data, fmt, output, table, rows)
    except FabricError as exc:
        _fail(exc)


def _options(journal: Path | None, only: list[str] | None = None) -> Any:
    """No --journal: the engine uses the fabric's own journal and lock (journal_path(<fabric name>))."""
    from fabric.rollout.engine import Options

    return Options(journal=str(journal.resolve()) if journal else "", only=only)


def _journal_of(fabric: str | None, journal: Path | None) -> Path:
    """The journal a status/resume/abort/history command reads: --journal, or the fabric's."""
    if journal:
        return journal
    if not fabric:
        raise typer.BadParameter(
            "give the fabric (--fabric inventory/<name>) or --journal", param_hint="'--fabric'"
        )
    from fabric.design import load_fabric
    from fabric.rollout.journal import journal_path

    return journal_path(load_fabric(fabric).name)


def _rollout(
    playbook: Path,
    fabric: str,
    lab_platform: str | None,
    lab: str | None,
    journal: Path | None,
    emit: Any = None,
    filters: tuple[str | None, str | None, str | None, str | None] = (None, None, None, None),
) -> Any:
    from fabric.rollout.engine import FabricSource, Rollout
    from fabric.rollout.playbook import load_playbook
    from fabric.targets import select_devices

    pb = load_playbook(playbook)
    src = FabricSource(fabric, platform_override=lab_platform, lab_topology=lab)
    only = select_devices(src.load(), *(csv(f) for f in filters)) if any(filters) else None
    return _checked(Rollout(pb, src, _options(journal, only), emit=emit))


def _checked(ro: Any) -> Any:
    """Every device the rollout reads or changes (targets and their gate neighbours) has credentials:
    configured ones, or the lab's defaults for a node of a deployed lab. Else FabricError, before
    anything is touched."""
    from fabric.credentials import require_credentials
    from fabric.rollout.engine import neighbors_of

    names = set(ro.targets)
    for h in ro.targets:
        names.update(neighbors_of(ro.fab, h))
    devs = [ro.fab.devices[n] for n in sorted(names) if n in ro.fab.devices]
    require_credentials((d.platform, d.mgmt_ipv4) for d in devs)
    return ro


def _print_plan(plan: dict[str, Any], show_diffs: bool = True, to: Any = None) -> None:
    to = to or console
    t = Table(title=f"plan: {plan['playbook']} ({plan['mode']})")
    t.add_column("wave")
    t.add_column("devices")
    for i, w in enumerate(plan["waves"]):
        t.add_row("canary" if i == 0 else str(i), ", ".join(w))
    to.print(t)
    if show_diffs:
        for h, d in plan["diffs"].items():
            to.print(f"[bold]{h}[/]" + ("" if d.strip() else " [dim](no change)[/]"))
            if d.strip():
                to.print(d, highlight=False, markup=False)


@app.command()
def plan(
    playbook: Annotated[Path, typer.Argument(help="tasks/<playbook>.yaml")],
    fabric: FabricOpt,
    lab_platform: LabPlatOpt = None,
    lab: LabOpt = None,
    journal: JournalOpt = None,
    report: ReportOpt = None,
    hosts: HostsOpt = None,
    role: RoleOpt = None,
    platform: PlatformOpt = None,
    tag: TagOpt = None,
    fmt: FmtOpt = "table",
    output: OutOpt = None,
) -> None:
    """Waves, devices and diffs. Reads devices, never changes them (exit 3 if one could not be read).
    --hosts/--role/--platform/--tag narrow the playbook's targets."""
    from fabric import output as out

    try:
        out.check(fmt)
        filters = (hosts, role, platform, tag)
        p = _rollout(playbook, fabric, lab_platform, lab, journal, filters=filters).plan()
    except FabricError as exc:
        _fail(exc)
    wave_of = {h: i for i, w in enumerate(p["waves"]) for h in w}
    rows = [{"wave": wave_of.get(h), "device": h, "changed": bool((d or "").strip()),
             "diff_lines": len([ln for ln in (d or "").splitlines() if ln.startswith(("+", "-"))])}
            for h, d in p["diffs"].items()]
    _emit(p, fmt, output, lambda c: _print_plan(p, to=c), rows)
    if report:
        report.write_text(json.dumps(p, indent=2))
    _exit_if_unread(p)


def _exit_if_unread(plan: dict[str, Any]) -> None:
    unread = sorted(h for h, d in plan["diffs"].items() if (d or "").startswith(_NOT_REACHABLE))
    if unread:
        msg = f"could not read {len(unread)} of {len(plan['diffs'])} device(s): {', '.join(unread)}"
        err.print(f"[red]{msg}[/]", highlight=False)
        raise typer.Exit(ExitCode.UNCHECKED)


@app.command()
def run(
    playbook: Annotated[Path, typer.Argument(help="tasks/<playbook>.yaml")],
    fabric: FabricOpt,
    lab_platform: LabPlatOpt = None,
    lab: LabOpt = None,
    journal: JournalOpt = None,
    report: ReportOpt = None,
    hosts: HostsOpt = None,
    role: RoleOpt = None,
    platform: PlatformOpt = None,
    tag: TagOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Plan only (same as `plan`).")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress lines, only the result.")] = False,
) -> None:
    """Run a playbook wave by wave; exits non-zero when anything was rolled back. --hosts/--role/
    --platform/--tag narrow the playbook's targets."""
    if dry_run:
        plan(playbook, fabric, lab_platform, lab, journal, report, hosts, role, platform, tag)
        return
    view = LiveView(quiet)
    try:
        filters = (hosts, role, platform, tag)
        ro = _rollout(playbook, fabric, lab_platform, lab, journal, emit=view, filters=filters)
        view.head = f"rollout {ro.rid}: {len(ro.targets)} devices in {len(ro.waves)} waves"
        with view:
            rep = ro.run()
    except FabricError as exc:
        _fail(exc)
    _report_and_exit(rep, report)


def _active(journal: Path, rollout_id: str | None, verb: str) -> tuple[Any, dict[str, Any]] | None:
    """(open journal, rollout row) when the rollout is still active; else say so and return None."""
    from fabric.rollout.journal import ACTIVE_ROLLOUT, Journal

    j = Journal(journal)
    r = j.rollout(rollout_id)
    if r["state"] not in ACTIVE_ROLLOUT:
        j.close()
        console.print(f"rollout {r['id']} is {r['state']}: nothing to {verb}")
        return None
    return j, r


@app.command()
def resume(
    rollout_id: Annotated[str | None, typer.Argument(help="Rollout id (default: the latest).")] = None,
    fabric: FabricOfJournalOpt = None,
    journal: JournalOpt = None,
    report: ReportOpt = None,
    rollback: Annotated[bool, typer.Option("--rollback", help="Roll everything back instead.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress lines, only the result.")] = False,
) -> None:
    """Finish an interrupted rollout (in-flight devices are rolled back, then the rest runs)."""
    from fabric.rollout.engine import from_journal

    view = LiveView(quiet)
    try:
        journal = _journal_of(fabric, journal)
        found = _active(journal, rollout_id, "resume")
        if found is None:
            return
        j, r = found
        j.close()
        ro = _checked(from_journal(r["id"], journal, emit=view))
        with view:
            rep = ro.resume(rollback_all=rollback)
    except FabricError as exc:
        _fail(exc)
    _report_and_exit(rep, report)


@app.command()
def abort(
    rollout_id: Annotated[str | None, typer.Argument(help="Rollout id (default: the latest).")] = None,
    fabric: FabricOfJournalOpt = None,
    journal: JournalOpt = None,
) -> None:
    """Stop a rollout: the running process rolls back its wave; a dead one is rolled back here."""
    from fabric.rollout.engine import from_journal

    try:
        journal = _journal_of(fabric, journal)
        found = _active(journal, rollout_id, "abort")
        if found is None:
            return
        j, r = found
        j.set_rollout(r["id"], "abort_requested")
        alive = not j.lock_is_stale(r["fabric"])
        j.close()
        if alive:
            console.print(f"abort requested: the running process rolls back rollout {r['id']}")
            return
        rep = _checked(from_journal(r["id"], journal, emit=LiveView())).resume()
    except FabricError as exc:
        _fail(exc)
    _emit_report(rep, None)


@app.command()
def status(
    rollout_id: Annotated[str | None, typer.Argument(help="Rollout id (default: the latest).")] = None,
    fabric: FabricOfJournalOpt = None,
    journal: JournalOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
    fmt: FmtOpt = "table",
    output: OutOpt = None,
) -> None:
    """Per-device state of a rollout (from the journal)."""
    from fabric.rollout.journal import Journal

    try:
        j = Journal(_journal_of(fabric, journal))
        r = j.rollout(rollout_id)
        devs = j.devices(r["id"])
        lock = j.lock_holder(r["fabric"])
    except FabricError as exc:
        _fail(exc)
    def table(c: Any) -> None:
        c.print(
            escape(f"rollout {r['id']} ({r['playbook']}) on {r['fabric']} by {r['operator']}: ")
            + f"[bold]{escape(r['state'])}[/]"
            + (escape(f"; lock held by pid {lock['pid']} on {lock['hostname']}") if lock else "")
        )
        rep = {"rollout": r["id"], "playbook": r["playbook"], "outcome": r["state"], "devices": devs}
        c.print(summary_table(rep))

    rows = [{k: d.get(k) for k in ("host", "wave", "state", "error")} for d in devs]
    _emit({"rollout": r, "devices": devs, "lock": lock}, "json" if as_json else fmt, output, table, rows)


@app.command()
def history(
    fabric: FabricOfJournalOpt = None,
    journal: JournalOpt = None,
    limit: Annotated[int, typer.Option(help="The newest N rollouts.")] = 20,
    fmt: FmtOpt = "table",
    output: OutOpt = None,
) -> None:
    """Past rollouts, newest first."""
    from fabric.rollout.journal import Journal

    try:
        j = Journal(_journal_of(fabric, journal))
    except FabricError as exc:
        _fail(exc)
    past = j.history(limit)

    def table(c: Any) -> None:
        t = Table(title="rollouts")
        for col in ("id", "playbook", "fabric", "operator", "state", "started", "duration"):
            t.add_column(col)
        for r in past:
            dur = f"{r['ended'] - r['started']:.1f}s" if r["ended"] else "-"
            t.add_row(*(escape(str(r[k])) for k in ("id", "playbook", "fabric", "operator", "state")),
                      time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(r["started"])), dur)
        c.print(t)

    _emit(past, fmt, output, table, past)


@app.command()
def report(
    rollout_id: Annotated[str | None, typer.Argument(help="Rollout id (default: the latest).")] = None,
    fabric: FabricOfJournalOpt = None,
    journal: JournalOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json, yaml, csv or html")] = "table",
    output: OutOpt = None,
) -> None:
    """A rollout from its journal: waves, devices, gate results and rollbacks (html: a timeline)."""
    from fabric import output as out
    from fabric.rollout import timeline
    from fabric.rollout.journal import Journal

    try:
        out.check(fmt, (*out.FORMATS, "html"))
        data = timeline.report_data(Journal(_journal_of(fabric, journal)), rollout_id)
    except FabricError as exc:
        _fail(exc)
    if fmt == "html":
        out.write(timeline.to_html(data), output)
        return
    ro = data["rollout"]

    def table(c: Any) -> None:
        c.print(escape(f"rollout {ro['id']} ({ro['playbook']}) on {ro['fabric']} by {ro['operator']}: ")
                + f"[bold]{escape(ro['state'])}[/] in {ro['duration']:.1f}s")
        t = Table()
        for col in ("wave", "device", "platform", "final state", "gate", "failed checks"):
            t.add_column(col)
        for r in timeline.rows(data):
            t.add_row(*(escape(str(r[k])) for k in ("wave", "device", "platform", "final_state", "gate",
                                                     "failed_checks")))
        c.print(t)

    _emit(data, fmt, output, table, timeline.rows(data))


@app.command()
def scenario(
    file: Annotated[Path, typer.Argument(help="labs/<scenario>.yaml")],
    report: ReportOpt = None,
    keep: Annotated[bool, typer.Option(help="Keep the lab running.")] = False,
) -> None:
    """Run a lab scenario: deploy the topology, run the change with faults, check the expected outcome."""
    from fabric.rollout.scenario import run_scenario

    try:
        res = run_scenario(file, keep=keep, emit=LiveView())
    except FabricError as exc:
        _fail(exc)
    for c in res["checks"]:
        mark = "[green]ok[/]" if c["ok"] else "[red]FAIL[/]"
        console.print(f"{mark} {escape(c['name'])}: {escape(str(c['detail']))}", highlight=False)
    if report:
        report.write_text(json.dumps(res, indent=2, default=str))
    if not res["ok"]:
        raise typer.Exit(ExitCode.FAILED)


def deploy(
    fabric: Annotated[str, typer.Argument(help="Fabric: inventory/<name>.")],
    hosts: Annotated[
        str | None, typer.Option("--hosts", "-H", help="Only these devices (comma-separated; default: all).")
    ] = None,
    lab_platform: LabPlatOpt = None,
    lab: LabOpt = None,
    journal: JournalOpt = None,
    report: ReportOpt = None,
    commit_confirm: Annotated[
        int, typer.Option(help="Seconds each device waits for the confirm before reverting by itself.")
    ] = 120,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Plan only: waves, devices, diffs; touch nothing.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress lines, only the result.")] = False,
) -> None:
    """Push golden configs in one wave, with the same safety (commit-confirmed, gates, rollback)."""
    from fabric.rollout.engine import FabricSource, Rollout
    from fabric.rollout.playbook import Playbook

    view = LiveView(quiet)
    try:
        pb = Playbook.model_validate(
            {
                "name": "deploy",
                "change": {"type": "golden"},
                "targets": {"hosts": [h.strip() for h in (hosts or "").split(",") if h.strip()]},
                "commit_confirm": commit_confirm,
                "waves": {"canary": 0, "sizes": ["100%"]},
                "constraints": {"redundancy_groups": False},
            }
        )
        ro = _checked(Rollout(pb, FabricSource(fabric, lab_platform, lab), _options(journal), emit=view))
        if dry_run:
            p = ro.plan()
            _print_plan(p)
            _exit_if_unread(p)
            return
        with view:
            rep = ro.run()
    except FabricError as exc:
        _fail(exc)
    _report_and_exit(rep, report)


def register(root: typer.Typer) -> None:
    """Mounted by fabric/cli.py: `fabric rollout ...` and `fabric deploy`."""
    root.add_typer(app, name="rollout")
    root.command("deploy")(deploy)


def main() -> None:  # python -m fabric.rollout.cli
    try:
        app()
    except FabricError as exc:
        err.print(f"[red]error:[/] {escape(exc.render())}", highlight=False, soft_wrap=True)
        sys.exit(2)
