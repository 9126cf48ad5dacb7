"""What bench_junos.py and bench_srl.py share: deploy a private copy of a twin lab, time it to BGP
converged, print memory per node and a vendor's protocol latency, each against the twin contract's
budgets (docs/twins.md), and destroy the copy."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

BUDGET_MB, BUDGET_MS, BUDGET_BOOT = 60.0, 10.0, 20.0
Latency = Callable[[str, str, str, int], None]  # (host, user, password, n): prints its figures


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def memory(state: dict[str, Any], vendor: str) -> None:
    from bench_twin import lab_memory

    per_node, twin_mb, procs = lab_memory(state)
    twins = [k for k, v in state["nodes"].items() if v.get("twin")]
    print(f"  memory: {per_node:.1f} MB PSS per node ({procs} processes; twin server {twin_mb:.1f} MB for "
          f"{len(twins)} {vendor} twins; budget <= {BUDGET_MB:g} MB per twin node: "
          f"{verdict(per_node <= BUDGET_MB)})")


def bench(topology: Path, vendor: str, latency: Latency, *, timeout: float, n: int, big: bool) -> None:
    from fabric.lab import api, readiness
    from fabric.vendors.eos.twin.testbed import private_topology

    topo = private_topology(topology, Path(tempfile.mkdtemp(prefix="nftwinbench-")), prefix="tb")
    t0 = time.monotonic()
    try:
        state = api.deploy(topo, wait=True, timeout=timeout)
        pending = readiness.wait_converged(state, timeout, lldp=False)
        routed = time.monotonic() - t0
        if pending:
            raise SystemExit(f"not converged after {timeout:g}s: {pending[:5]}")
        twins = [k for k, v in state["nodes"].items() if v.get("twin")]
        print(f"lab {topology.name}: {len(state['nodes'])} nodes ({len(twins)} {vendor} twins)")
        if big:
            print(f"  deploy -> routing converged (every BGP session up): {routed:.1f} s (budget <= "
                  f"{BUDGET_BOOT:g} s for 64 nodes: {verdict(routed <= BUDGET_BOOT)})")
        memory(state, vendor)
        if big:  # steady state, not the boot storm: 64 FRRs still exchange their first updates
            time.sleep(15)
        node = state["nodes"][twins[0]]
        latency(node["mgmt_ipv4"], node["username"], node["password"], n)
    finally:
        api.destroy(topo, cleanup=True)


def main(small: str, vendor: str, latency: Latency) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=50)
    ap.add_argument("--lab", type=Path, help="a big topology to deploy (a private copy) and time")
    ap.add_argument("--timeout", type=float, default=90.0)
    a = ap.parse_args()
    topology = a.lab or ROOT / "containerlab" / small
    bench(topology, vendor, latency, timeout=a.timeout, n=a.n, big=a.lab is not None)
    return 0
