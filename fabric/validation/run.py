"""Python API: collect state and check it against intent.

``validate("dc1")`` accepts a fabric (``inventory/dc1``, its fabric.yaml, or a bare
name) or a deployed lab name; a lab that no fabric describes is validated with the
generic checks only (peers up, no duplicate router-ids).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fabric.errors import FabricError
from fabric.model import Fabric
from fabric.state.collect import CollectOptions, collect
from fabric.state.model import FabricState
from fabric.targets import Resolved
from fabric.targets import resolve as resolve_target
from fabric.validation.checks import CheckResult, CheckSettings, run_checks, summary


@dataclass
class ValidationRun:
    target: str
    fabric: Fabric | None
    state: FabricState
    results: list[CheckResult]
    collect_seconds: float = 0.0
    evaluate_seconds: float = 0.0
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def summary(self) -> dict[str, int]:
        return summary(self.results)

    @property
    def ok(self) -> bool:
        """True only when nothing failed or errored (skips follow from failures reported elsewhere)."""
        s = self.summary
        return s["fail"] == 0 and s["error"] == 0 and s["pass"] > 0

    @property
    def devices_per_second(self) -> float:
        """Devices collected and checked per second of wall time (collection + evaluation)."""
        total = self.collect_seconds + self.evaluate_seconds
        return round(len(self.state.devices) / total, 1) if total > 0 else 0.0

    def failures(self) -> list[CheckResult]:
        return [r for r in self.results if r.status in ("fail", "error")]


def resolve(target: str | Path) -> tuple[Fabric | None, dict[str, Any] | None]:
    """(fabric, lab state) of a target (fabric.targets, the one resolver every command uses)."""
    r = resolve_target(target)
    return r.fabric, r.lab


def fabric_nornir(
    fab: Fabric, *, num_workers: int = 32, hosts: list[str] | None = None, require_credentials: bool = False
) -> Any:
    """fabric.inventory.load_nornir with validation's defaults."""
    from fabric.inventory import load_nornir

    return load_nornir(
        fab.file, num_workers=num_workers, hosts=hosts, fab=fab, require_credentials=require_credentials
    )


def validate(
    fabric: str | Path | Fabric,
    hosts: Iterable[str] | None = None,
    *,
    nr: Any = None,
    options: CollectOptions | None = None,
    settings: CheckSettings | None = None,
    state: FabricState | None = None,
    resolved: Resolved | None = None,
) -> ValidationRun:
    """Collect (unless ``state`` is given) and check. Never raises for device problems. ``resolved``:
    the target already resolved (the CLI resolves it once, for its filters and progress count)."""
    options = options or CollectOptions()
    hosts = list(hosts) if hosts else None
    lab = None
    if isinstance(fabric, Fabric):
        fab: Fabric | None = fabric
        target = fabric.name
    else:
        target = str(fabric)
        fab, lab = (resolved.fabric, resolved.lab) if resolved is not None else resolve(fabric)
    if hosts and fab is not None:
        unknown = sorted(set(hosts) - set(fab.devices))
        if unknown:
            raise FabricError(
                f"unknown host(s): {', '.join(unknown)}",
                fix=f"hosts of {fab.name}: " + ", ".join(fab.devices),
            )
    t0 = time.monotonic()
    if state is None:
        if nr is None:
            nr = Resolved(fab, lab).nornir(num_workers=options.num_workers, hosts=hosts)
        state = collect(nr, hosts=hosts, opts=options, fabric=fab.name if fab else target)
    t1 = time.monotonic()
    results = run_checks(state, fab, hosts=hosts, settings=settings)
    t2 = time.monotonic()
    return ValidationRun(
        target=target,
        fabric=fab,
        state=state,
        results=results,
        collect_seconds=round(t1 - t0, 3),
        evaluate_seconds=round(t2 - t1, 3),
    )
