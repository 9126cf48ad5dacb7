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

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from twinbench import BUDGET_MS, main, verdict  # noqa: E402 - after the path set-up

REQUESTS = (
    ("get /system/information (state)", "get", {"commands": [{"path": "/system/information",
                                                                 "datastore": "state"}]}),
    ("get bgp neighbors (state)", "get", {"commands": [{
        "path": "/network-instance[name=default]/protocols/bgp/neighbor[peer-address=*]",
        "datastore": "state"}]}),
    ("get /interface[name=ethernet-1/1] (running)", "get", {"commands": [{
        "path": "/interface[name=ethernet-1/1]", "datastore": "running"}]}),
)


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
              f"budget p50 <= {BUDGET_MS:g} ms: {verdict(p50 <= BUDGET_MS)})")


if __name__ == "__main__":
    sys.exit(main("srl-dc.clab.yml", "SR Linux", jsonrpc_latency))
