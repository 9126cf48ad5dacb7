"""Benchmark the Junos twin against the twin contract's budgets (docs/twins.md).

Usage (root):
  python bench/bench_junos.py                 # NETCONF latency + memory on a private copy of junos-dc
  python bench/bench_junos.py --lab containerlab/dc-large-junos.clab.yml
                                              # + deploy to converged of a 64-node all-Junos lab

Prints the NETCONF p50/p90 of small replies (ncclient with the junos device handler, one session
as NAPALM and PyEZ keep it), the PSS per Junos node (its FRR, lldpd and its share of the twin
server), and with ``--lab`` the time from deploy to BGP converged on every session.
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

RPCS = ("<get-software-information/>", "<get-bgp-summary-information/>",
        "<get-interface-information><terse/></get-interface-information>")
BUDGET_MB, BUDGET_MS, BUDGET_BOOT = 60.0, 10.0, 20.0


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


EOM = "]]>]]>"


async def _wire_latency(host: str, user: str, password: str, n: int) -> dict[str, list[float]]:
    """Round trips on one NETCONF 1.0 session over asyncssh: what the twin costs per RPC.

    Not through ncclient: its session thread sends a queued request only when its 100 ms select()
    tick ends (ncclient/transport/session.py, TICK = 0.1), so every ncclient RPC takes >= ~100 ms
    against any server; that figure is printed too, as what NAPALM/PyEZ users see."""
    import asyncssh

    out: dict[str, list[float]] = {}
    async with asyncssh.connect(host, 830, username=user, password=password, known_hosts=None) as conn:
        proc = await conn.create_process(subsystem="netconf", encoding="utf-8")
        await proc.stdout.readuntil(EOM)
        proc.stdin.write('<hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities><capability>'
                         f"urn:ietf:params:netconf:base:1.0</capability></capabilities></hello>{EOM}")
        for rpc in RPCS:
            lat = []
            for i in range(n + 3):
                t = time.perf_counter()
                proc.stdin.write(f'<rpc message-id="{i}">{rpc}</rpc>{EOM}')
                reply = await proc.stdout.readuntil(EOM)
                if i >= 3:  # warm-up
                    lat.append((time.perf_counter() - t) * 1000)
                if "<rpc-error>" in reply:
                    raise SystemExit(f"{rpc}: rpc-error from the twin: {reply[:300]}")
            out[rpc] = lat
    return out


def netconf_latency(host: str, user: str, password: str, n: int) -> None:
    import asyncio

    from ncclient import manager
    from ncclient.xml_ import to_ele

    for rpc, lat in asyncio.run(_wire_latency(host, user, password, n)).items():
        p50, p90 = statistics.median(lat), statistics.quantiles(lat, n=10)[8]
        print(f"  NETCONF {rpc}: p50 {p50:.1f} ms  p90 {p90:.1f} ms  (n={n}; "
              f"budget p50 <= {BUDGET_MS:g} ms: {_verdict(p50 <= BUDGET_MS)})")
    with manager.connect(host=host, port=830, username=user, password=password, hostkey_verify=False,
                         allow_agent=False, look_for_keys=False, device_params={"name": "junos"},
                         timeout=30) as m:
        lat = []
        for _ in range(10):
            t = time.perf_counter()
            m.dispatch(to_ele(RPCS[0]))
            lat.append((time.perf_counter() - t) * 1000)
        print(f"  through ncclient (its 100 ms select tick included): p50 {statistics.median(lat):.1f} ms")


def memory(state: dict[str, Any]) -> None:
    from bench_twin import lab_memory

    per_node, twin_mb, procs = lab_memory(state)
    twins = [k for k, v in state["nodes"].items() if v.get("twin")]
    ok = _verdict(per_node <= BUDGET_MB)
    print(f"  memory: {per_node:.1f} MB PSS per node ({procs} processes; twin server {twin_mb:.1f} MB for "
          f"{len(twins)} Junos twins; budget <= {BUDGET_MB:g} MB per twin node: {ok})")


def bench(topology: Path, timeout: float, n: int, wait: bool) -> None:
    from fabric.lab import api, readiness
    from fabric.vendors.eos.twin.testbed import private_topology

    topo = private_topology(topology, Path(tempfile.mkdtemp(prefix="nfjunosbench-")), prefix="jb")
    t0 = time.monotonic()
    try:
        state = api.deploy(topo, wait=True, timeout=timeout)
        pending = readiness.wait_converged(state, timeout, lldp=False)
        routed = time.monotonic() - t0
        if pending:
            raise SystemExit(f"not converged after {timeout:g}s: {pending[:5]}")
        twins = [k for k, v in state["nodes"].items() if v.get("twin")]
        print(f"lab {topology.name}: {len(state['nodes'])} nodes ({len(twins)} Junos twins)")
        if wait:
            print(f"  deploy -> routing converged (every BGP session up): {routed:.1f} s (budget <= "
                  f"{BUDGET_BOOT:g} s for 64 nodes: {_verdict(routed <= BUDGET_BOOT)})")
        memory(state)
        if wait:  # steady state, not the boot storm: 64 FRRs still exchange their first updates
            time.sleep(15)
        node = state["nodes"][twins[0]]
        netconf_latency(node["mgmt_ipv4"], node["username"], node["password"], n)
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
        bench(ROOT / "containerlab" / "junos-dc.clab.yml", a.timeout, a.n, wait=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
