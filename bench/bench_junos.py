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

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from twinbench import BUDGET_MS, main, verdict  # noqa: E402 - after the path set-up

RPCS = ("<get-software-information/>", "<get-bgp-summary-information/>",
        "<get-interface-information><terse/></get-interface-information>")


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
              f"budget p50 <= {BUDGET_MS:g} ms: {verdict(p50 <= BUDGET_MS)})")
    with manager.connect(host=host, port=830, username=user, password=password, hostkey_verify=False,
                         allow_agent=False, look_for_keys=False, device_params={"name": "junos"},
                         timeout=30) as m:
        lat = []
        for _ in range(10):
            t = time.perf_counter()
            m.dispatch(to_ele(RPCS[0]))
            lat.append((time.perf_counter() - t) * 1000)
        print(f"  through ncclient (its 100 ms select tick included): p50 {statistics.median(lat):.1f} ms")


if __name__ == "__main__":
    sys.exit(main("junos-dc.clab.yml", "Junos", netconf_latency))
