"""Run history in SQLite (per-device per-feature results), trends, and Prometheus textfile metrics."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fabric.compliance.engine import COMPLIANT, ERROR, UNREACHABLE, FeatureResult

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
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
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
    if not db_path.exists():
        return []
    with connect(db_path) as db:
        rows = db.execute(
            "SELECT r.id, r.fabric, r.started, r.compliant, r.devices, r.devices_compliant,"
            " (SELECT COUNT(*) FROM results x WHERE x.run_id = r.id AND x.status != ?)"
            " FROM runs r WHERE r.fabric = ? ORDER BY r.id DESC LIMIT ?",
            (COMPLIANT, fabric, limit),
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


def metrics_text(results: list[FeatureResult], timestamp: float, features: list[str] | None = None) -> str:
    """Prometheus textfile-collector format (node_exporter --collector.textfile.directory)."""
    devs = device_status(results)
    # Drift (exit code 1) and "could not check" (exit code 3) are separate series, so an alert on
    # drift never fires for a device that is only unreachable, and the other way round.
    unchecked = {r.device for r in results if r.status in (UNREACHABLE, ERROR)}
    drifted = [r for r in results if r.status not in (COMPLIANT, UNREACHABLE, ERROR)]
    fails = Counter(r.feature for r in drifted)
    names = sorted({r.feature for r in results} | set(features or []))
    lines = [
        "# HELP netfabric_compliance_devices_compliant Devices whose every feature is compliant.",
        "# TYPE netfabric_compliance_devices_compliant gauge",
        f"netfabric_compliance_devices_compliant {sum(devs.values())}",
        "# HELP netfabric_compliance_devices_total Devices checked in the last run.",
        "# TYPE netfabric_compliance_devices_total gauge",
        f"netfabric_compliance_devices_total {len(devs)}",
        "# HELP netfabric_compliance_devices_drifted Devices with drift in at least one feature.",
        "# TYPE netfabric_compliance_devices_drifted gauge",
        f"netfabric_compliance_devices_drifted {len({r.device for r in drifted})}",
        "# HELP netfabric_compliance_devices_unchecked Devices that could not be checked (unreachable, "
        "config not comparable).",
        "# TYPE netfabric_compliance_devices_unchecked gauge",
        f"netfabric_compliance_devices_unchecked {len(unchecked)}",
        "# HELP netfabric_compliance_feature_failures Devices whose feature drifted (not: unreachable).",
        "# TYPE netfabric_compliance_feature_failures gauge",
    ]
    lines += [f'netfabric_compliance_feature_failures{{feature="{n}"}} {fails.get(n, 0)}' for n in names]
    lines += [
        "# HELP netfabric_compliance_last_run_timestamp_seconds Unix time the last run finished.",
        "# TYPE netfabric_compliance_last_run_timestamp_seconds gauge",
        f"netfabric_compliance_last_run_timestamp_seconds {timestamp:.0f}",
    ]
    return "\n".join(lines) + "\n"


def write_metrics(path: Path, text: str) -> None:
    # Write then rename: the textfile collector must never read a half-written file.
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)
