#!/usr/bin/env python3
"""Benchmark collect + validate over every device of a lab.

    sudo .venv/bin/python bench/bench_validate.py [--fabric inventory/dc-large]
        [--topology containerlab/dc-large.clab.yml] [--lab NAME] [--workers 64] [--rounds 3] [--all-frr]
        [--fresh]

Deploys a private copy of the fabric's generated topology (own name and mgmt subnet),
waits for convergence, then runs validation ``--rounds`` times and prints devices/s and the
split between collection and evaluation. ``--lab NAME`` reuses a deployed copy instead.
Round 1 opens new SSH connections (a fresh ``fabric validate`` process); later rounds reuse them
(rollout gates, snapshots) unless ``--fresh``. Target: 64 devices <= 5 s.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "state"))
sys.path.insert(0, str(ROOT / "bench"))

from labutil import free_subnet, lab_name, point_nornir_at_lab, private_topology  # noqa: E402

from fabric.design import load_fabric  # noqa: E402
from fabric.lab import api  # noqa: E402
from fabric.lab.state import load_state  # noqa: E402
from fabric.state.collect import CollectOptions, close_ssh_connections  # noqa: E402
from fabric.validation.checks import summary  # noqa: E402
from fabric.validation.run import fabric_nornir, validate  # noqa: E402


def _lab_cpu_seconds(state: dict) -> float:  # type: ignore[type-arg]
    from bench_lab import proc_cpu_s

    from fabric.lab import netns

    pids = set(netns._pids_in_netns({n["netns"] for n in state["nodes"].values()}))
    if (state.get("pids") or {}).get("twin"):
        pids.add(int(state["pids"]["twin"]))
    return proc_cpu_s(pids)


def settle(state: dict, limit: float = 90.0) -> None:  # type: ignore[type-arg]
    """Validation is measured on a steady fabric: "converged" (every session Established) comes
    while 64 nodes still exchange their first UPDATEs and the twins finish booting, which on 2 CPUs
    leaves validation a fraction of a CPU. Wait until the lab's own CPU use (1 s samples) is flat:
    three samples within 0.1 CPU (its steady state: BFD, keepalives), at most ``limit`` s."""
    t0 = time.monotonic()
    prev = _lab_cpu_seconds(state)
    uses: list[float] = []
    while time.monotonic() - t0 < limit:
        time.sleep(1.0)
        cur = _lab_cpu_seconds(state)
        uses, prev = [*uses[-2:], cur - prev], cur
        if len(uses) == 3 and max(uses) - min(uses) < 0.1:
            break
    print(f"lab settled after {time.monotonic() - t0:.1f}s (lab CPU {uses[-1]:.2f} CPUs in the last second)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fabric", default=str(ROOT / "inventory" / "dc-large"))
    ap.add_argument("--topology", default=None, help="default: containerlab/<fabric name>.clab.yml")
    ap.add_argument("--lab", default=None, help="use this already deployed lab (a private copy)")
    ap.add_argument("--workers", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--keep", action="store_true", help="leave the lab running")
    ap.add_argument("--fresh", action="store_true", help="new SSH connections every round (no reuse)")
    ap.add_argument(
        "--all-frr",
        action="store_true",
        help="every node FRR (topology default: containerlab/<fabric>-frr.clab.yml): no twins",
    )
    args = ap.parse_args()

    fab_path = Path(args.fabric)
    if args.all_frr:
        from fabric.design import fabric_file

        text = fabric_file(fab_path).read_text()
        fab_path = Path(tempfile.mkdtemp(prefix="nfbench-fab-")) / "fabric.yaml"
        fab_path.write_text(re.sub(r"platform: *\w+", "platform: frr", text))
    fab = load_fabric(fab_path)
    topo = None
    if args.lab:
        state = load_state(args.lab)
        if state is None:
            print(f"no lab named {args.lab}", file=sys.stderr)
            return 2
    else:
        suffix = "-frr" if args.all_frr else ""
        src = Path(args.topology or ROOT / "containerlab" / f"{fab.name}{suffix}.clab.yml")
        topo = private_topology(src, Path(tempfile.mkdtemp(prefix="nfbench-")), lab_name("bv"), free_subnet())
        t = time.monotonic()
        state = api.deploy(topo, wait_converged=True, timeout=180)
        print(
            f"lab {state['name']}: {len(state['nodes'])} nodes deployed+converged "
            f"in {time.monotonic() - t:.1f}s"
        )
    try:
        settle(state)
        opts = CollectOptions(num_workers=args.workers, timeout=20, reuse_connections=not args.fresh)
        print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
        rows = []
        for i in range(args.rounds):
            nr = point_nornir_at_lab(fabric_nornir(fab, num_workers=args.workers), state)
            t0 = time.monotonic()
            run = validate(fab, nr=nr, options=opts)
            total = time.monotonic() - t0
            n = len(run.state.devices)
            errs = sum(1 for d in run.state.devices.values() if d.error)
            s = summary(run.results)
            slowest = max(run.state.devices.values(), key=lambda d: d.duration)
            rows.append((total, run.collect_seconds, run.evaluate_seconds))
            reasons: dict[str, int] = {}
            for d in run.state.devices.values():
                if d.error:
                    key = d.error[:70]
                    reasons[key] = reasons.get(key, 0) + 1
            for why, count in sorted(reasons.items(), key=lambda x: -x[1])[:3]:
                print(f"  unreachable x{count}: {why}")
            conns = "new connections" if i == 0 or args.fresh else "kept connections"
            print(
                f"round {i + 1} ({conns}): {n} devices in {total:.2f}s = {n / total:.1f} devices/s "
                f"(collection {run.collect_seconds:.2f}s, evaluation {run.evaluate_seconds * 1000:.0f}ms); "
                f"{len(run.results)} checks: {s['pass']} pass {s['fail']} fail {s['error']} error; "
                f"unreachable {errs}; slowest {slowest.host} {slowest.duration:.2f}s"
            )
        n = len(state["nodes"])
        groups = [("all rounds", rows)]
        if len(rows) > 1 and not args.fresh:
            groups = [("new connections (round 1)", rows[:1]), ("kept connections", rows[1:])]
        for label, rs in groups:
            med = statistics.median(r[0] for r in rs)
            verdict = "OK" if (n < 64 or med <= 5.0) else "SLOWER THAN TARGET"
            print(
                f"{label}: median {med:.2f}s for {n} devices ({n / med:.1f} devices/s), "
                f"collection {statistics.median(r[1] for r in rs):.2f}s, "
                f"evaluation {statistics.median(r[2] for r in rs) * 1000:.0f}ms; "
                f"target 64 devices <= 5 s: {verdict}"
            )
    finally:
        close_ssh_connections()
        if topo is not None and not args.keep:
            t = time.monotonic()
            api.destroy(topo)
            print(f"destroyed in {time.monotonic() - t:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
