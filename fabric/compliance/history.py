"""Run history in SQLite (per-device per-feature results), trends, and Prometheus textfile metrics."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fabric.compliance.engine import COMPLIANT, ERROR, UNREACHABLE, FeatureResult
from fabric.errors import FabricError

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  fabric TEXT NOT NULL,
  started REAL NOT NULL,
  finished REAL NOT NULL,
  compliant INTEGER NOT NULL,
  devices INTEGER NOT NULL,
  devices_compliant INTEGER NOT NULL,
  backup_commit TEXT
);
CREATE TABLE IF NOT EXISTS results (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  device TEXT NOT NULL,
  feature TEXT NOT NULL,
  status TEXT NOT NULL,
  missing TEXT NOT NULL,
  extra TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS results_run ON results(run_id);
CREATE INDEX IF NOT EXISTS runs_fabric ON runs(fabric, id);
"""


@dataclass
class RunSummary:
    id: int
    fabric: str
    started: float
    compliant: bool
    devices: int
    devices_compliant: int
    failures: int


def connect(path: Path) -> sqlite3.Connection:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path)
        db.executescript(SCHEMA)
    except (OSError, sqlite3.Error) as exc:  # a directory, not a database, not writable
        raise FabricError(
            f"cannot open the history database: {getattr(exc, 'strerror', None) or exc}",
            file=str(path),
            key="--db",
            fix="pass --db a SQLite file in a writable directory (default .netfabric/compliance.sqlite)",
        ) from None
    return db


def device_status(results: list[FeatureResult]) -> dict[str, bool]:
    out: dict[str, bool] = {}
    for r in results:
        out[r.device] = out.get(r.device, True) and r.compliant
    return out


def store_run(
    db_path: Path,
    fabric: str,
    started: float,
    finished: float,
    results: list[FeatureResult],
    backup_commit: str | None = None,
) -> int:
    devs = device_status(results)
    with connect(db_path) as db:
        cur = db.execute(
            "INSERT INTO runs (fabric, started, finished, compliant, devices, devices_compliant,"
            " backup_commit) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                fabric,
                started,
                finished,
                int(all(devs.values())),
                len(devs),
                sum(devs.values()),
                backup_commit,
            ),
        )
        run_id = int(cur.lastrowid or 0)
        db.executemany(
            "INSERT INTO results VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (run_id, r.device, r.feature, r.status, json.dumps(r.missing), json.dumps(r.extra), r.detail)
                for r in results
            ],
        )
    return run_id


def runs(db_path: Path, fabric: str, limit: int = 20) -> list[RunSummary]:
    with contextlib.suppress(OSError):  # a name too long to look at: connect() says so, as a FabricError
        if not db_path.exists():
            return []
    with connect(db_path) as db:
        rows = db.execute(
            "SELECT r.id, r.fabric, r.started, r.compliant, r.devices, r.devices_compliant,"
            " (SELECT COUNT(*) FROM results x WHERE x.run_id = r.id AND x.status != ?)"
            " FROM runs r WHERE r.fabric = ? ORDER BY r.id DESC LIMIT ?",
            (COMPLIANT, fabric, min(limit, 2**63 - 1)),  # SQLite's integers are 64-bit
        ).fetchall()
    return [RunSummary(a, b, c, bool(d), e, f, g) for a, b, c, d, e, f, g in reversed(rows)]


def results_of(db_path: Path, run_id: int) -> list[FeatureResult]:
    with connect(db_path) as db:
        rows = db.execute(
            "SELECT device, feature, status, missing, extra, detail FROM results WHERE run_id = ?"
            " ORDER BY device, rowid",
            (run_id,),
        ).fetchall()
    return [FeatureResult(d, f, s, json.loads(m), json.loads(e), det) for d, f, s, m, e, det in rows]


def changes(before: list[FeatureResult], after: list[FeatureResult]) -> list[dict[str, Any]]:
    """What changed between two runs: per (device, feature) of the newer run, status or drift lines."""
    old = {(r.device, r.feature): r for r in before}
    out = []
    for r in after:
        prev = old.pop((r.device, r.feature), None)
        if prev is None:
            out.append({"device": r.device, "feature": r.feature, "change": "new", "now": r.status})
        elif (prev.status, prev.missing, prev.extra) != (r.status, r.missing, r.extra):
            if prev.status == r.status:
                kind = "drift changed"
            elif r.compliant:
                kind = "fixed"
            else:
                kind = "broke"
            out.append(
                {
                    "device": r.device,
                    "feature": r.feature,
                    "change": kind,
                    "was": prev.status,
                    "now": r.status,
                }
            )
    # Pairs only in the older run are not reported: a --hosts/--features run checks a subset on purpose.
    return out


def metrics_registry(
    fabric: str, results: list[FeatureResult], timestamp: float, features: list[str] | None = None
) -> Any:
    """The run as Prometheus gauges (prometheus_client), every series labelled with its ``fabric`` (two
    fabrics' textfiles or pushes never collide), the per-device ones with their ``device``."""
    from prometheus_client import CollectorRegistry, Gauge

    reg = CollectorRegistry()

    def gauge(name: str, doc: str, *labels: str) -> Any:
        return Gauge(f"netfabric_compliance_{name}", doc, ["fabric", *labels], registry=reg)

    devs = device_status(results)
    # Drift (exit code 1) and "could not check" (exit code 3) are separate series, so an alert on
    # drift never fires for a device that is only unreachable, and the other way round.
    unreachable = {r.device for r in results if r.status == UNREACHABLE}
    unchecked = {r.device for r in results if r.status in (UNREACHABLE, ERROR)}
    drifted = [r for r in results if r.status not in (COMPLIANT, UNREACHABLE, ERROR)]
    fails = Counter(r.feature for r in drifted)
    totals = (
        ("devices_compliant", "Devices whose every feature is compliant.", sum(devs.values())),
        ("devices_total", "Devices checked in the last run.", len(devs)),
        ("devices_drifted", "Devices with drift in at least one feature.", len({r.device for r in drifted})),
        ("devices_unchecked", "Devices that could not be checked (unreachable, config not comparable).",
         len(unchecked)),
        ("devices_unreachable", "Devices that did not answer.", len(unreachable)),
    )
    for name, doc, value in totals:
        gauge(name, doc).labels(fabric).set(value)
    failures = gauge("feature_failures", "Devices whose feature drifted (not: unreachable).", "feature")
    for n in sorted({r.feature for r in results} | set(features or [])):
        failures.labels(fabric, n).set(fails.get(n, 0))
    compliant = gauge("device_compliant", "1 when every feature of the device is compliant (devices that "
                      "could not be checked have no value: unknown is not drift).", "device")
    reachable = gauge("device_reachable", "1 when the device answered.", "device")
    for dev, ok in sorted(devs.items()):
        if dev not in unchecked:
            compliant.labels(fabric, dev).set(int(ok))
        reachable.labels(fabric, dev).set(int(dev not in unreachable))
    gauge("last_run_timestamp_seconds", "Unix time the last run finished.").labels(fabric).set(int(timestamp))
    return reg


def metrics_text(
    fabric: str, results: list[FeatureResult], timestamp: float, features: list[str] | None = None
) -> str:
    """Prometheus textfile-collector format (node_exporter --collector.textfile.directory)."""
    from prometheus_client import generate_latest

    return bytes(generate_latest(metrics_registry(fabric, results, timestamp, features))).decode()


def write_metrics(path: Path, registry: Any) -> None:
    """Write then rename (prometheus_client's): the textfile collector never reads a half-written file."""
    from prometheus_client import write_to_textfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_to_textfile(str(path), registry)
    except OSError as exc:  # a directory, not writable
        raise FabricError(f"cannot write the metrics: {exc.strerror or exc}", file=str(path), key="--metrics",
                          fix="pass --metrics a file path (in node_exporter's textfile directory)") from None


def push_metrics(url: str, fabric: str, registry: Any) -> None:
    """To a Prometheus Pushgateway, grouped by fabric: a fabric's push replaces only its own series."""
    from prometheus_client import push_to_gateway

    push_to_gateway(url, job="netfabric_compliance", registry=registry, grouping_key={"fabric": fabric})

