"""Benchmark the SR Linux twin against the twin contract's budgets (docs/twins.md).

Usage (root):
  python bench/bench_srl.py                   # JSON-RPC latency + memory on a private copy of srl-dc
  python bench/bench_srl.py --lab containerlab/dc-large-srlinux.clab.yml
                                              # + deploy to converged of a 64-node all-SR Linux lab

Prints the JSON-RPC p50/p90 of small replies (HTTP keep-alive, one connection as napalm-srlinux's
client keeps it), the PSS per node (FRR, lldpd and its share of the twin server), and with ``--lab``
the time from deploy to BGP converged on every session.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

REQUESTS = (
    ("get /system/information (state)", "get", {"commands": [{"path": "/system/information",
                                                                 "datastore": "state"}]}),
    ("get bgp neighbors (state)", "get", {"commands": [{
        "path": "/network-instance[name=default]/protocols/bgp/neighbor[peer-address=*]",
        "datastore": "state"}]}),
    ("get /interface[name=ethernet-1/1] (running)", "get", {"commands": [{
        "path": "/interface[name=ethernet-1/1]", "datastore": "running"}]}),
)
BUDGET_MB, BUDGET_MS, BUDGET_BOOT = 60.0, 10.0, 20.0


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def jsonrpc_latency(host: str, user: str, password: str, n: int) -> None:
    import http.client
    import json
    from base64 import b64encode

    auth = "Basic " + b64encode(f"{user}:{password}".encode()).decode()
    conn = http.client.HTTPConnection(host, 80, timeout=30)  # keep-alive
    for label, method, params in REQUESTS:
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()
        lat = []
        for i in range(n + 3):
            t = time.perf_counter()
            conn.request("POST", "/jsonrpc", body=body,
                         headers={"Authorization": auth, "Content-Type": "application/json"})
            reply = json.loads(conn.getresponse().read())
            if i >= 3:  # warm-up
                lat.append((time.perf_counter() - t) * 1000)
            if "error" in reply:
                raise SystemExit(f"{label}: error from the twin: {reply['error']}")
        p50, p90 = statistics.median(lat), statistics.quantiles(lat, n=10)[8]
        print(f"  JSON-RPC {label}: p50 {p50:.1f} ms  p90 {p90:.1f} ms  (n={n}; "
              f"budget p50 <= {BUDGET_MS:g} ms: {_verdict(p50 <= BUDGET_MS)})")


def memory(state: dict[str, Any]) -> None:
    from bench_twin import lab_memory

    per_node, twin_mb, procs = lab_memory(state)
    twins = [k for k, v in state["nodes"].items() if v.get("twin")]
    ok = _verdict(per_node <= BUDGET_MB)
    print(f"  memory: {per_node:.1f} MB PSS per node ({procs} processes; twin server {twin_mb:.1f} MB for "
          f"{len(twins)} SR Linux twins; budget <= {BUDGET_MB:g} MB per twin node: {ok})")


def bench(topology: Path, timeout: float, n: int, wait: bool) -> None:
    from fabric.lab import api, readiness
    from fabric.vendors.eos.twin.testbed import private_topology

    topo = private_topology(topology, Path(tempfile.mkdtemp(prefix="nfsrlbench-")), prefix="sb")
    t0 = time.monotonic()
    try:
        state = api.deploy(topo, wait=True, timeout=timeout)
        pending = readiness.wait_converged(state, timeout, lldp=False)
        routed = time.monotonic() - t0
        if pending:
            raise SystemExit(f"not converged after {timeout:g}s: {pending[:5]}")
        twins = [k for k, v in state["nodes"].items() if v.get("twin")]
        print(f"lab {topology.name}: {len(state['nodes'])} nodes ({len(twins)} SR Linux twins)")
        if wait:
            print(f"  deploy -> routing converged (every BGP session up): {routed:.1f} s (budget <= "
                  f"{BUDGET_BOOT:g} s for 64 nodes: {_verdict(routed <= BUDGET_BOOT)})")
        memory(state)
        if wait:  # steady state, not the boot storm: 64 FRRs still exchange their first updates
            time.sleep(15)
        node = state["nodes"][twins[0]]
        jsonrpc_latency(node["mgmt_ipv4"], node["username"], node["password"], n)
    finally:
        api.destroy(topo, cleanup=True)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=50)
    ap.add_argument("--lab", type=Path, help="a big topology to deploy (a private copy) and time")
    ap.add_argument("--timeout", type=float, default=90.0)
    a = ap.parse_args()
    if a.lab:
        bench(a.lab, a.timeout, a.n, wait=True)
    else:
        bench(ROOT / "containerlab" / "srl-dc.clab.yml", a.timeout, a.n, wait=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
