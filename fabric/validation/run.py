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

from fabric import vendors
from fabric.errors import FabricError
from fabric.model import Fabric
from fabric.state.collect import CollectOptions, collect
from fabric.state.model import FabricState
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


def nornir_from_lab(lab: dict[str, Any], *, num_workers: int = 32, hosts: Iterable[str] | None = None) -> Any:
    """Nornir over a lab's nodes (no intent): twin platform or FRR, mgmt IP, the lab's credentials."""
    from nornir import InitNornir
    from nornir.core.inventory import ConnectionOptions, Defaults, Groups, Host, Hosts, Inventory
    from nornir.core.plugins.inventory import InventoryPluginRegister

    from fabric.credentials import credentials_for
    from fabric.inventory import _connection_options
    from fabric.platforms import PLATFORMS

    wanted = set(hosts) if hosts else None

    class _LabInventory:
        def __init__(self, **_: Any) -> None:
            pass

        def load(self) -> Inventory:
            defaults = Defaults()
            hs = Hosts()
            for name, n in lab.get("nodes", {}).items():
                if wanted and name not in wanted:
                    continue
                vendor = vendors.by_kind(n["kind"])
                plat = n.get("twin") or (vendor.name if vendor else n["kind"])
                # The lab's state records what its nodes accept; a lab found by path may be unregistered.
                user, pw = n.get("username"), n.get("password")
                if not (user and pw):
                    creds = credentials_for(plat, n["mgmt_ipv4"])
                    user, pw = user or creds.username, pw or creds.password
                opts = {k: ConnectionOptions(**v) for k, v in _connection_options(PLATFORMS[plat]).items()}
                hs[name] = Host(
                    name=name,
                    hostname=n["mgmt_ipv4"],
                    platform=PLATFORMS[plat].napalm or plat,
                    username=user,
                    password=pw,
                    data={"platform": plat},
                    connection_options=opts,
                    defaults=defaults,
                )
            return Inventory(hosts=hs, groups=Groups(), defaults=defaults)

    # A fresh class per call: replace the previous registration instead of failing on it.
    InventoryPluginRegister.available.pop("NetfabricLabInventory", None)
    InventoryPluginRegister.register("NetfabricLabInventory", _LabInventory)  # type: ignore[arg-type]
    return InitNornir(
        inventory={"plugin": "NetfabricLabInventory"},
        runner={"plugin": "threaded", "options": {"num_workers": num_workers}},
        logging={"enabled": False},
    )


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
) -> ValidationRun:
    """Collect (unless ``state`` is given) and check. Never raises for device problems."""
    options = options or CollectOptions()
    hosts = list(hosts) if hosts else None
    lab = None
    if isinstance(fabric, Fabric):
        fab: Fabric | None = fabric
        target = fabric.name
    else:
        target = str(fabric)
        fab, lab = resolve(fabric)
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
            if fab is not None:
                nr = fabric_nornir(
                    fab, num_workers=options.num_workers, hosts=hosts, require_credentials=True
                )
            else:
                assert lab is not None
                nr = nornir_from_lab(lab, num_workers=options.num_workers, hosts=hosts)
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
