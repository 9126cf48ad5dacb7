"""Benchmark the EOS twin's eAPI latency.

Usage (root):
  python bench/bench_twin.py                       # deploys eos-pair.clab.yml, measures, destroys
  python bench/bench_twin.py --host 172.20.77.11   # an already running twin (127.0.0.1 or a lab mgmt IP)
Prints p50/p90 latency of eAPI ``show version`` and ``show ip bgp summary vrf all``.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import ipaddress
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _allowed(host: str) -> bool:
    """Only loopback or a mgmt IP of a registered embedded lab: never load a real network."""
    if ipaddress.ip_address(host).is_loopback:
        return True
    for f in Path("/run/netfabric/labs").glob("*.json"):
        nodes = json.loads(f.read_text()).get("nodes", {})
        if any(n.get("mgmt_ipv4") == host for n in nodes.values()):
            return True
    return False


def measure(host: str, cmd: str, n: int, user: str, password: str) -> list[float]:
    auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    body = json.dumps({"jsonrpc": "2.0", "method": "runCmds", "id": 1,
                       "params": {"version": 1, "cmds": [cmd], "format": "json"}}).encode()
    conn = http.client.HTTPConnection(host, 80, timeout=30)  # keep-alive, like pyeapi
    lat = []
    for _ in range(n):
        t = time.perf_counter()
        conn.request("POST", "/command-api", body=body, headers={"Authorization": auth})
        resp = conn.getresponse()
        data = json.loads(resp.read())
        lat.append((time.perf_counter() - t) * 1000)
        if "error" in data:
            raise SystemExit(f"{cmd}: {data['error']}")
    conn.close()
    return lat


def report(cmd: str, lat: list[float]) -> None:
    q = statistics.quantiles(lat, n=10)
    print(f"eAPI {cmd!r}: p50 {statistics.median(lat):.1f} ms  p90 {q[8]:.1f} ms  (n={len(lat)})")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--host")
    ap.add_argument("-n", type=int, default=50)
    ap.add_argument("--user", default="admin")
    ap.add_argument("--password", default="admin")
    a = ap.parse_args()
    bed = None
    host = a.host
    if host is None:
        from fabric.twins.testbed import LabBed

        bed = LabBed(ROOT / "containerlab" / "eos-pair.clab.yml")
        bed.create()
        bed.wait_peer("Established", 30)
        host = bed.mgmt_ip
    try:
        if not _allowed(host):
            raise SystemExit(f"refusing to benchmark {host}: only 127.0.0.0/8 or lab mgmt addresses")
        for cmd in ("show version", "show ip bgp summary vrf all"):
            measure(host, cmd, 3, a.user, a.password)  # warm-up
            report(cmd, measure(host, cmd, a.n, a.user, a.password))
    finally:
        if bed is not None:
            bed.destroy()
    return 0


if __name__ == "__main__":
    sys.exit(main())
