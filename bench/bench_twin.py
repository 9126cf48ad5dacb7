"""Benchmark the EOS twin: eAPI latency, and deploy time / memory of a big EOS-twin lab.

Usage (root):
  python bench/bench_twin.py                       # deploys a private copy of eos-pair.clab.yml, measures,
                                                   # destroys
  python bench/bench_twin.py --host 172.20.77.11   # an already running twin (127.0.0.1 or a lab mgmt IP)
  python bench/bench_twin.py --lab containerlab/dc-large.clab.yml
                                                   # + deploy to converged, twin boot, PSS per node
Prints p50/p90 latency of eAPI ``show version`` and ``show ip bgp summary vrf all``; with ``--lab``
also the time until every twin listens, until every twin applied its config, until the lab is
converged, and the memory (PSS, so shared pages count once) per node including FRR, lldpd and the
node's share of the one twin server process.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import ipaddress
import json
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def _allowed(host: str) -> bool:
    """Only loopback or a mgmt IP of a registered embedded lab: never load a real network."""
    if ipaddress.ip_address(host).is_loopback:
        return True
    from fabric.lab.state import registry

    for f in registry().glob("*.json"):
        nodes = json.loads(f.read_text()).get("nodes", {})
        if any(n.get("mgmt_ipv4") == host for n in nodes.values()):
            return True
    return False


def measure(host: str, cmd: str, n: int, user: str, password: str, tls: bool = False) -> list[float]:
    """Latency of ``cmd`` over one keep-alive connection: raw HTTP, or HTTPS through pyeapi, the client
    NAPALM uses (it writes a request in two TLS records: a twin without TCP_NODELAY answered it 40 ms
    late, the client's delayed ACK)."""
    if tls:
        import pyeapi

        node = pyeapi.connect(transport="https", host=host, username=user, password=password,
                              return_node=True)
        lat = []
        for _ in range(n):
            t = time.perf_counter()
            node.enable([cmd])
            lat.append((time.perf_counter() - t) * 1000)
        return lat
    auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    body = json.dumps(
        {
            "jsonrpc": "2.0",
            "method": "runCmds",
            "id": 1,
            "params": {"version": 1, "cmds": [cmd], "format": "json"},
        }
    ).encode()
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


def lab_memory(state: dict) -> tuple[float, float, int]:  # type: ignore[type-arg]
    """(MB per node, twin server MB, processes): every process in a lab netns + the twin server."""
    from bench_lab import pss_kb

    from fabric.lab.netns import _pids_in_netns

    pids = _pids_in_netns({n["netns"] for n in state["nodes"].values()})
    total = sum(pss_kb(p) for p in pids)
    twin_pid = (state.get("pids") or {}).get("twin")
    twin_kb = pss_kb(int(twin_pid)) if twin_pid else 0
    return (total + twin_kb) / 1024 / max(1, len(state["nodes"])), twin_kb / 1024, len(pids) + bool(twin_kb)


def _twin_log_times(lab_dir: Path) -> tuple[float | None, float | None]:
    listening = booted = None
    log = lab_dir / "twin.log"
    text = log.read_text() if log.exists() else ""
    for m in re.finditer(r"twin\(s\) (listening|booted) after ([0-9.]+)s", text):
        if m.group(1) == "listening":
            listening = float(m.group(2))
        else:
            booted = float(m.group(2))
    return listening, booted


def bench_lab(topology: Path, timeout: float, user: str, password: str, n: int) -> None:
    import tempfile

    from fabric.lab import api
    from fabric.vendors.eos.twin.testbed import private_topology

    work = Path(tempfile.mkdtemp(prefix="nftwinbench-"))
    topo = private_topology(topology, work, prefix="twb")
    t0 = time.monotonic()
    try:
        from fabric.lab import readiness

        state = api.deploy(topo, wait=True, timeout=timeout)
        pending = readiness.wait_converged(state, timeout, lldp=False)
        routed = time.monotonic() - t0
        pending = pending or readiness.wait_converged(state, timeout)
        converged = time.monotonic() - t0
        if pending:
            raise SystemExit(f"not converged after {timeout:g}s: {pending[:5]}")
        listening, booted = _twin_log_times(Path(state["lab_dir"]))
        twins = [k for k, v in state["nodes"].items() if v.get("twin")]
        print(f"lab {topology.name}: {len(state['nodes'])} nodes ({len(twins)} EOS twins)")
        print(f"  deploy -> routing converged (BGP): {routed:.1f} s (target <= 20 s: "
              f"{'met' if routed <= 20 else 'NOT MET'}); LLDP on every link too: {converged:.1f} s")
        if listening is not None:
            print(f"  twin server: all twins listening {listening:.2f} s after start", end="")
            print(f", all configs applied {booted:.2f} s after start" if booted is not None else "")
        per_node, twin_mb, procs = lab_memory(state)
        print(
            f"  memory: {per_node:.1f} MB PSS per node ({procs} processes; twin server {twin_mb:.1f} MB,"
            f" {twin_mb / max(1, len(twins)):.2f} MB per twin)"
        )
        host = state["nodes"][twins[0]]["mgmt_ipv4"]
        for cmd in ("show version", "show ip bgp summary vrf all"):
            measure(host, cmd, 3, user, password)
            report(f"{twins[0]}: {cmd}", measure(host, cmd, n, user, password))
    finally:
        api.destroy(topo)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--host")
    ap.add_argument("-n", type=int, default=50)
    ap.add_argument("--user", default="admin")
    ap.add_argument("--password", default="admin")
    ap.add_argument("--lab", type=Path, help="also deploy this topology (a private copy) and measure it")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds to converged for --lab")
    a = ap.parse_args()
    if a.lab:
        bench_lab(a.lab, a.timeout, a.user, a.password, a.n)
        return 0
    bed = None
    host = a.host
    if host is None:
        import tempfile

        from fabric.vendors.eos.twin.testbed import LabBed

        work = Path(tempfile.mkdtemp(prefix="nftwinbench-"))
        bed = LabBed(ROOT / "containerlab" / "eos-pair.clab.yml", work)
        bed.create()
        bed.wait_peer("Established", 30)
        host = bed.mgmt_ip
    try:
        if not _allowed(host):
            raise SystemExit(f"refusing to benchmark {host}: only 127.0.0.0/8 or lab mgmt addresses")
        for cmd in ("show version", "show ip bgp summary vrf all"):
            for tls in (False, True):
                measure(host, cmd, 3, a.user, a.password, tls)  # warm-up
                lat = measure(host, cmd, a.n, a.user, a.password, tls)
                report(f"{cmd} over {'HTTPS (pyeapi)' if tls else 'HTTP'}", lat)
    finally:
        if bed is not None:
            bed.destroy()
    return 0


if __name__ == "__main__":
    sys.exit(main())
