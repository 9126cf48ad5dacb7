"""Compliance: scheduled drift checks, backups, remediation, history and reports.

Public API::

    run_compliance("inventory/dc1")                 # -> RunReport (backups, per-feature results, history)
    remediation(fabric, "leaf1")                    # -> minimal config snippet for a rollout to push
    compare(device, platform, running, golden)      # pure per-feature comparison (engine)

A target is a fabric (``inventory/<name>``, its fabric.yaml, or ``<name>``) or a lab topology
(``containerlab/<lab>.clab.yml``): lab nodes may run another platform than the fabric file says
(the all-FRR ``dc1-frr`` variant), so devices are re-targeted to the platform the lab labels them with.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from fabric.compliance.engine import (
    COMPLIANT,
    ERROR,
    UNREACHABLE,
    FeatureResult,
    compare,
    load_rules,
    remediate_config,
)
from fabric.errors import FabricError
from fabric.lab.state import registry
from fabric.model import Fabric

__all__ = [
    "COMPLIANT",
    "FeatureResult",
    "RunReport",
    "compare",
    "golden_configs",
    "push_remediation",
    "load_rules",
    "remediate_config",
    "remediation",
    "resolve_target",
    "target_label",
    "run_compliance",
]

STATE_DIR = Path(".netfabric")
DEFAULT_DB = STATE_DIR / "compliance.sqlite"


@dataclass
class RunReport:
    fabric: str
    started: float
    finished: float
    results: list[FeatureResult]
    remediations: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    backup_commit: str | None = None
    run_id: int | None = None

    @property
    def compliant(self) -> bool:
        return bool(self.results) and all(r.compliant for r in self.results)

    def as_dict(self) -> dict[str, Any]:
        return {
            "fabric": self.fabric,
            "run_id": self.run_id,
            "started": self.started,
            "finished": self.finished,
            "compliant": self.compliant,
            "backup_commit": self.backup_commit,
            "errors": self.errors,
            "results": [r.as_dict() for r in self.results],
            "remediations": self.remediations,
        }


def resolve_target(target: str | Path) -> Fabric:
    """The fabric to check: a fabric directly, or the fabric behind a lab or topology, re-targeted
    (fabric.targets, the one resolver every command uses)."""
    from fabric.targets import resolve

    fab = resolve(target).fabric
    if fab is None:
        raise FabricError(f"no fabric found for '{target}': compliance compares against a fabric's golden "
                          "configs", fix="name the lab <fabric>[-<platform>], or pass inventory/<fabric>")
    return fab


def target_label(target: str | Path, fab: Fabric) -> str:
    """Name a run is recorded under: the lab's name for a lab, so a lab never mixes into its fabric's
    history or backups (dc1-frr vs dc1)."""
    p = Path(target)
    if p.name.endswith((".clab.yml", ".clab.yaml")) and p.exists():
        return str((yaml.safe_load(p.read_text()) or {}).get("name") or fab.name)
    if not Path(str(target)).exists() and (registry() / f"{target}.json").exists():
        from fabric.design import fabric_file

        if not fabric_file(target).exists():
            return str(target)
    return fab.name


def golden_configs(fab: Fabric, hosts: list[str] | None = None) -> dict[str, str]:
    from fabric.render import render_fabric

    return dict(render_fabric(fab, hosts=hosts))


def remediation(
    fab: Fabric | str | Path,
    host: str,
    running: str | None = None,
    features: list[str] | None = None,
    golden: str | None = None,
) -> str:
    """Minimal config bringing ``host`` to its golden config (fetches the running config, renders the
    golden one, if not given).

    The result is a merge snippet in the device's own syntax, ready for fabric.rollout to push.
    """
    fab = fab if isinstance(fab, Fabric) else resolve_target(fab)
    if host not in fab.devices:
        raise FabricError(f"unknown host '{host}' in fabric {fab.name}", key="--hosts")
    if golden is None:
        golden = golden_configs(fab, [host])[host]
    if running is None:
        configs, errors = fetch_running(fab, [host])
        if host in errors:
            raise FabricError(f"{host}: cannot read the running config: {errors[host]}")
        running = configs[host]
    from fabric.compliance.collect import scrub

    return remediate_config(fab.devices[host].platform, scrub(running), golden, features)


def push_remediation(fab: Fabric, host: str, snippet: str, timeout: int = 120) -> str:
    """Push a remediation snippet as a merge, commit-confirmed, through fabric.rollout's drivers.

    Returns how it was pushed.
    """
    if not snippet.strip():
        return "nothing to push"
    from fabric.credentials import credentials_for

    dev = fab.devices[host]
    address = dev.mgmt_ipv4.split("/")[0]
    creds = credentials_for(dev.platform, address)
    from fabric.rollout.drivers import Target, driver_for

    drv = driver_for(Target(host, address, dev.platform, creds.username, creds.password))
    token = f"nfcompliance{int(time.time() * 1000)}"
    try:
        drv.commit_confirmed(snippet, "merge", timeout, token)
        if not drv.confirm(token):
            raise FabricError(f"{host}: remediation commit {token} could not be confirmed (reverted)")
    finally:
        drv.close()
    return f"rollout {dev.platform} driver, commit-confirmed merge {token}"


def fetch_running(
    fab: Fabric, hosts: list[str] | None = None, on_device: Callable[[str, bool], None] | None = None
) -> tuple[dict[str, str], dict[str, str]]:
    from fabric.compliance.collect import collect
    from fabric.inventory import load_nornir

    nr = load_nornir(fab.file, fab=fab, hosts=hosts, require_credentials=True, connection_plugins=False)
    return collect(nr, on_device)  # through the rollout drivers, no Nornir connection


def _secrets(fab: Fabric) -> list[str]:
    from fabric.credentials import credentials_for

    out = set()
    for d in fab.devices.values():
        try:
            out.add(credentials_for(d.platform, d.mgmt_ipv4).password)
        except FabricError:  # no credentials, so none to mask (collection already reported the device)
            continue
    return sorted(out)


def _state_results(fab: Fabric, hosts: list[str] | None) -> list[FeatureResult]:
    """Validation state checks (fabric.validation.run) as one "state" feature per device."""
    from fabric.validation.run import validate

    out: dict[str, FeatureResult] = {}
    for c in validate(fab, hosts).results:
        res = out.setdefault(c.device, FeatureResult(c.device, "state", COMPLIANT))
        # "skip" follows from a failure reported elsewhere: only fail/error break compliance.
        if c.status in ("fail", "error"):
            res.status = "noncompliant" if c.status == "fail" else ERROR
            res.missing.append(f"{c.check} {c.item}: {c.reason or c.status}")
    return list(out.values())


def run_compliance(
    target: str | Path,
    *,
    features: list[str] | None = None,
    hosts: list[str] | None = None,
    fab: Fabric | None = None,
    db: Path | None = DEFAULT_DB,
    backup_dir: Path | None = None,
    backups: bool = True,
    state: bool = False,
    on_device: Callable[[str, bool], None] | None = None,
) -> RunReport:
    """One compliance run: collect, back up, compare per feature, remediation, store in history."""
    from fabric.compliance import collect, history

    started = time.time()
    fab = fab or resolve_target(target)
    label = target_label(target, fab)
    names = [h for h in fab.devices if not hosts or h in hosts]
    unknown = sorted(set(hosts or []) - set(fab.devices))
    if unknown:
        raise FabricError(f"unknown host(s): {', '.join(unknown)}", key="--hosts", fix=", ".join(fab.devices))
    known = {f for n in names for f in load_rules(fab.devices[n].platform).feature_names()}
    bad = sorted(set(features or []) - known)
    if bad:
        raise FabricError(
            f"unknown feature(s): {', '.join(bad)}", key="--features", fix=", ".join(sorted(known))
        )
    golden = golden_configs(fab, names)
    configs, errors = fetch_running(fab, names, on_device)
    # Compared (and so stored, reported) only once scrubbed of secrets; golden never holds any.
    safe = {n: collect.scrub(c) for n, c in configs.items()}
    results: list[FeatureResult] = []
    remediations: dict[str, str] = {}
    for name in names:
        plat = fab.devices[name].platform
        rules = load_rules(plat)
        feats = [f for f in rules.feature_names() if not features or f in features]
        if name in errors:
            # Every feature of an unreachable device is unknown, not compliant: one cell per feature.
            results += [FeatureResult(name, f, UNREACHABLE, detail=errors[name]) for f in feats]
            continue
        try:
            results += compare(name, plat, safe[name], golden[name], feats)
            remediations[name] = remediate_config(plat, safe[name], golden[name], feats)
        except Exception as exc:  # one unparsable config must not stop the run
            results += [
                FeatureResult(name, f, ERROR, detail=f"{exc.__class__.__name__}: {exc}") for f in feats
            ]
    if state:
        results += _state_results(fab, hosts)
    commit = None
    if backups and configs:
        repo = backup_dir or STATE_DIR / "backups" / label
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started))
        _, commit = collect.write_backups(
            repo, configs, _secrets(fab), f"backup {label} {stamp}: {len(configs)} device(s)"
        )
    finished = time.time()
    report = RunReport(label, started, finished, results, remediations, errors, commit)
    if db is not None:
        report.run_id = history.store_run(db, label, started, finished, results, commit)
    return report
