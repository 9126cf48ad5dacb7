"""Benchmark the six-vendor lab: a private copy of containerlab/dc-large-mixed.clab.yml (64 nodes: EOS
and IOS-XR spines, leaves cycling through FRR, Junos, SR Linux, SR OS, EOS and IOS-XR twins).

    python bench/bench_mixed.py [--topology containerlab/dc-mixed.clab.yml --fabric inventory/dc-mixed]

Prints each figure next to its budget (issue #18):
  * deploy -> every BGP session up: <= 20 s
  * memory per node (PSS of its FRR, lldpd and its share of the twin servers): <= 60 MB
  * `fabric validate` of every device (collection through each vendor's own API + checks): <= 5 s
  * a golden rollout across every device in 5 waves: framework overhead <= 10 % (wall time minus the
    device critical path: per wave, the slowest device's commit + convergence + confirm)

The copy has its own lab name and management subnet, so each device's golden config differs from its
running one (management address): every device gets a real diff, commit-confirmed, gate and confirm.
Needs root; the copy is destroyed at the end.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from twinbench import BUDGET_BOOT, BUDGET_MB, verdict  # noqa: E402 - after the path set-up

BUDGET_VALIDATE, BUDGET_OVERHEAD = 5.0, 0.10


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--topology", type=Path, default=ROOT / "containerlab" / "dc-large-mixed.clab.yml")
    ap.add_argument("--fabric", type=Path, default=ROOT / "inventory" / "dc-large-mixed")
    ap.add_argument("--timeout", type=float, default=90.0)
    ap.add_argument("--journal", type=Path, help="keep the rollout journal (SQLite) here "
                    "(`fabric rollout report --journal FILE -f html` draws it)")
    a = ap.parse_args()

    from bench_twin import lab_memory

    from fabric.lab import api, readiness
    from fabric.rollout.engine import FabricSource, Options, Rollout
    from fabric.rollout.playbook import Playbook
    from fabric.validation.run import validate
    from fabric.vendors.eos.twin.testbed import private_topology

    tmp = Path(tempfile.mkdtemp(prefix="nfmixedbench-"))
    topo = private_topology(a.topology, tmp, prefix="mx")
    t0 = time.monotonic()
    try:
        state = api.deploy(topo, wait=True, timeout=a.timeout)
        pending = readiness.wait_converged(state, a.timeout, lldp=False)
        boot = time.monotonic() - t0
        if pending:
            raise SystemExit(f"not converged after {a.timeout:g}s: {pending[:5]}")
        src = FabricSource(str(a.fabric), lab_topology=str(topo))
        fab = src.load()
        kinds = Counter(d.platform for d in fab.devices.values())
        print(f"lab {a.topology.name}: {len(state['nodes'])} nodes "
              f"({', '.join(f'{n} {p}' for p, n in sorted(kinds.items()))})")
        print(f"  deploy -> routing converged (every BGP session up): {boot:.1f} s "
              f"(budget <= {BUDGET_BOOT:g} s for 64 nodes: {verdict(boot <= BUDGET_BOOT)})")
        per_node, twin_mb, procs = lab_memory(state)
        print(f"  memory: {per_node:.1f} MB PSS per node ({procs} processes, twin servers {twin_mb:.1f} MB; "
              f"budget <= {BUDGET_MB:g} MB: {verdict(per_node <= BUDGET_MB)})")

        # validation: wait for LLDP and every session (as `fabric validate` would be run), then time it
        deadline = time.monotonic() + a.timeout
        while (failures := validate(fab).failures()) and time.monotonic() < deadline:
            time.sleep(2)
        if failures:
            raise SystemExit(f"the lab does not validate clean: {[f.id for f in failures[:5]]}")
        times = []
        for _ in range(3):
            v0 = time.monotonic()
            run = validate(fab)
            times.append(time.monotonic() - v0)
        best = min(times)
        print(f"  validate: {len(run.results)} checks on {len(fab.devices)} devices, every vendor's own API: "
              f"{best:.2f} s best of 3 (collection {run.collect_seconds:.2f} s; budget <= "
              f"{BUDGET_VALIDATE:g} s: {verdict(best <= BUDGET_VALIDATE)})")

        pb = Playbook.model_validate({
            "name": "bench-golden-mixed",
            "change": {"type": "golden"},
            "waves": {"canary": 1, "sizes": [4, 16, 32, "100%"]},
            "constraints": {"redundancy_groups": False},  # as bench_rollout --large: spines may share
            "gates": {"convergence_wait": 2, "convergence_timeout": 30},
            "commit_confirm": 300,
        })
        r0 = time.monotonic()
        journal = a.journal.resolve() if a.journal else tmp / "journal.sqlite"
        ro = Rollout(pb, src, Options(journal=str(journal)))
        rep = ro.run()
        total = time.monotonic() - r0
        ov = rep["timing"]["overhead"]
        states = Counter(d["state"] for d in rep["devices"])
        print(f"  golden rollout: {len(ro.targets)} devices in {len(ro.waves)} waves "
              f"{[len(w) for w in ro.waves]}: {rep['outcome']} {dict(states)}")
        for d in rep["devices"]:
            if d["state"] not in ("confirmed", "untouched", "skipped"):
                print(f"    {d['host']}: {d['state']}: {(d.get('error') or '')[:300]}")
        print(f"    wall {ov['wall_s']:.1f} s (+{total - ov['wall_s']:.1f} s setup), device critical path "
              f"{ov['device_s']:.1f} s, framework overhead {ov['overhead_s']:.1f} s = "
              f"{ov['overhead_share'] * 100:.1f} % (budget <= {BUDGET_OVERHEAD * 100:g} %: "
              f"{verdict(ov['overhead_share'] <= BUDGET_OVERHEAD)})")
        print("    per wave: wall = device critical path (commit + gate) + confirm + framework")
        from fabric.rollout.journal import Journal

        events = Journal(journal).events(ro.rid)
        t_wave = {e["wave"]: e["ts"] for e in events if e["step"] == "wave" and e["status"] == "start"}
        t_done = {e["wave"]: e["ts"] for e in events if e["step"] == "wave" and e["status"] == "done"}
        for w in sorted(t_wave):
            wall = t_done.get(w, t_wave[w]) - t_wave[w]
            dev = ro.timing.get("wave_device", {}).get(str(w), 0.0)
            conf = ro.timing.get("wave_confirm", {}).get(str(w), 0.0)
            print(f"      wave {w} ({len(ro.waves[w])} devices): {wall:.1f} s = {dev:.1f} + {conf:.1f} + "
                  f"{wall - dev - conf:.1f} s")
        ahead, eligible = ro.timing.get("prefetched", 0), sum(len(w) for w in ro.waves[1:])
        print(f"    diffs computed ahead (while the previous wave converged): {ahead} of {eligible}")
        return 0 if rep["outcome"] == "completed" else 1
    finally:
        api.destroy(topo, cleanup=True)


if __name__ == "__main__":
    sys.exit(main())
