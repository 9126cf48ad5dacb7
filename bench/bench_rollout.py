"""Benchmark: a full golden-config rollout over an all-FRR lab in 5 waves (dc1 by default; ``--large``:
the 64 nodes of dc-large).

Prints wall time and the framework overhead share: wall time minus the device critical path (per
wave, the slowest device's commit + convergence + confirm). Target: overhead <= 10 %.

The lab is a private copy of containerlab/dc1-frr.clab.yml (own name and management subnet), so its
golden configs differ from the running ones (management description) on every device: each device
gets a real diff, commit-confirmed, gate and confirm. Needs root; the lab is destroyed at the end.

    python bench/bench_rollout.py [--large] [--convergence-wait 2] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--convergence-wait", type=float, default=2.0)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--journal", type=Path, help="keep the rollout journal (SQLite) here")
    ap.add_argument("--large", action="store_true", help="inventory/dc-large on dc-large-frr (64 nodes)")
    args = ap.parse_args()

    from fabric.rollout.engine import FabricSource, Options, Rollout
    from fabric.rollout.playbook import Playbook
    from fabric.rollout.scenario import PrivateLab

    fabric = "dc-large" if args.large else "dc1"
    pb = Playbook.model_validate(
        {
            "name": "bench-golden",
            "change": {"type": "golden"},
            # 5 waves: over 6 devices 1/1/1/1(+1 deferred spine)/rest; over 64: 1/4/16/32/rest
            "waves": {"canary": 1, "sizes": [4, 16, 32, "100%"] if args.large else [1, 1, "100%"]},
            # --large: spines may share a wave (with the constraint on, 8 spines need 8 waves: 12 in all)
            "constraints": {"redundancy_groups": not args.large},
            "gates": {"convergence_wait": args.convergence_wait, "convergence_timeout": 30},
            # The wave is confirmed once its slowest device passed its gate: the timer must outlast a
            # 32-device wave on a loaded 2-core box (60 s did not: the early commits reverted).
            "commit_confirm": 300 if args.large else 60,
        }
    )
    with (
        tempfile.TemporaryDirectory() as tmp,
        PrivateLab(ROOT / f"containerlab/{fabric}-frr.clab.yml", Path(tmp)) as lab,
    ):
        src = FabricSource(
            str(ROOT / "inventory" / fabric), platform_override="frr", lab_topology=str(lab.path)
        )
        t0 = time.monotonic()
        ro = Rollout(pb, src, Options(journal=str(args.journal or Path(tmp) / "journal.sqlite")))
        rep = ro.run()
        total = time.monotonic() - t0
    ov = rep["timing"]["overhead"]
    states = sorted({d["state"] for d in rep["devices"]})
    print(f"golden rollout: {len(ro.targets)} devices in {len(ro.waves)} waves {ro.waves}:")
    print(f"outcome {rep['outcome']}, device states {states}")
    for d in rep["devices"]:  # a failed benchmark run says why, device by device
        if d["state"] not in ("confirmed", "untouched", "skipped"):
            print(f"  {d['host']}: {d['state']}: {(d.get('error') or '')[:300]}")
    print(f"wall {ov['wall_s']:.2f}s (+{total - ov['wall_s']:.2f}s setup: load fabric, render, plan)")
    print(f"device critical path (commit + convergence + confirm): {ov['device_s']:.2f}s")
    print(f"framework overhead: {ov['overhead_s']:.2f}s = {ov['overhead_share'] * 100:.1f}% (target <= 10%)")
    # Diffs computed while the previous wave converged, used at pre-snapshot (the prefetch racing the
    # gates; tests/rollout holds a gate until it is done instead). Every device after the canary wave.
    ahead, eligible = ro.timing.get("prefetched", 0), sum(len(w) for w in ro.waves[1:])
    verdict = "met" if ahead == eligible else "NOT MET"
    print(f"diffs computed ahead: {ahead} of {eligible} (target: all: {verdict})")
    if args.json:
        args.json.write_text(json.dumps({"waves": ro.waves, "outcome": rep["outcome"], **ov}, indent=2))
    return 0 if rep["outcome"] == "completed" else 1


if __name__ == "__main__":
    sys.exit(main())
