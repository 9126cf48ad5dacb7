"""Benchmark the IOS-XR twin against the twin contract's budgets (docs/twins.md).

Usage (root):
  python bench/bench_xr.py                  # CLI + NETCONF latency and memory on a private copy of xr-core
  python bench/bench_xr.py --lab containerlab/dc-large-iosxr.clab.yml
                                            # + deploy to converged of a 64-node all-IOS-XR lab

Prints the p50/p90 of small replies on the wire: XR CLI show commands over one SSH session (as scrapli
and netmiko keep it) and NETCONF <get>s over one session (as NAPALM iosxr_netconf keeps it); the PSS
per XR node (its FRR, lldpd and its share of the twin server); with ``--lab``, deploy to every BGP
session up.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from twinbench import BUDGET_MS, main, verdict  # noqa: E402 - after the path set-up

COMMANDS = ("show version", "show bgp summary", "show ipv4 interface brief")
GETS = (
    '<get><filter><bgp xmlns="http://cisco.com/ns/yang/Cisco-IOS-XR-ipv4-bgp-oper"><instances><instance>'
    "<instance-active><default-vrf><neighbors/></default-vrf></instance-active></instance></instances></bgp>"
    "</filter></get>",
    '<get-config><source><running/></source><filter><cli xmlns="http://cisco.com/ns/yang/Cisco-IOS-XR-cli-cfg"/>'
    "</filter></get-config>",
)
EOM = "]]>]]>"
PROMPT = "#"


def _report(what: str, lat: list[float], n: int) -> None:
    p50, p90 = statistics.median(lat), statistics.quantiles(lat, n=10)[8]
    print(f"  {what}: p50 {p50:.1f} ms  p90 {p90:.1f} ms  (n={n}; budget p50 <= {BUDGET_MS:g} ms: "
          f"{verdict(p50 <= BUDGET_MS)})")


async def _wire(host: str, user: str, password: str, n: int) -> None:
    import asyncssh

    async with asyncssh.connect(host, 22, username=user, password=password, known_hosts=None) as conn:
        proc = await conn.create_process(term_type="vt100", encoding="utf-8")
        await proc.stdout.readuntil(PROMPT)
        proc.stdin.write("terminal length 0\n")
        await proc.stdout.readuntil(PROMPT)
        for cmd in COMMANDS:
            lat = []
            for i in range(n + 3):
                t = time.perf_counter()
                proc.stdin.write(cmd + "\n")
                await proc.stdout.readuntil(PROMPT)  # the echo has no '#': the next one ends the reply
                if i >= 3:
                    lat.append((time.perf_counter() - t) * 1000)
            _report(f"CLI {cmd!r}", lat, n)
    async with asyncssh.connect(host, 830, username=user, password=password, known_hosts=None) as conn:
        proc = await conn.create_process(subsystem="netconf", encoding="utf-8")
        await proc.stdout.readuntil(EOM)
        proc.stdin.write('<hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities><capability>'
                         f"urn:ietf:params:netconf:base:1.0</capability></capabilities></hello>{EOM}")
        for rpc in GETS:
            lat = []
            for i in range(n + 3):
                t = time.perf_counter()
                proc.stdin.write(f'<rpc message-id="{i}" xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">'
                                 f"{rpc}</rpc>{EOM}")
                reply = await proc.stdout.readuntil(EOM)
                if i >= 3:
                    lat.append((time.perf_counter() - t) * 1000)
                if "<rpc-error>" in reply:
                    raise SystemExit(f"rpc-error from the twin: {reply[:300]}")
            _report(f"NETCONF {rpc[5:60]}...", lat, n)


def latency(host: str, user: str, password: str, n: int) -> None:
    asyncio.run(_wire(host, user, password, n))


if __name__ == "__main__":
    sys.exit(main("xr-core.clab.yml", "IOS-XR", latency))
