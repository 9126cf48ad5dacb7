"""Benchmark the SR OS twin against the twin contract's budgets (docs/twins.md).

Usage (root):
  python bench/bench_sros.py                # MD-CLI + NETCONF latency, memory: a private copy of sros-core
  python bench/bench_sros.py --lab containerlab/dc-large-sros.clab.yml
                                            # + deploy to converged of a 64-node all-SR OS lab

Prints the p50/p90 of small replies on the wire: MD-CLI show commands over one SSH session (as scrapli
and netmiko keep it) and NETCONF <get>/<get-config>s over one session (as napalm-sros keeps it, with its
own filters); the PSS per SR OS node (its FRR, lldpd and its share of the twin server); with ``--lab``,
deploy to every BGP session up.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from twinbench import BUDGET_MS, main, verdict  # noqa: E402 - after the path set-up

COMMANDS = ("show version", "show router bgp summary", "show router interface")
STATE = '<filter><state xmlns="urn:nokia.com:sros:ns:yang:sr:state">{}</state></filter>'
CONF = '<filter><configure xmlns="urn:nokia.com:sros:ns:yang:sr:conf">{}</configure></filter>'
GETS = {  # napalm-sros' own filters: get_facts (nc_filters.GET_FACTS), get_bgp_neighbors (NEIGHBOR_STATS)
    "<get> state system (get_facts)": "<get>" + STATE.format(
        "<chassis><hardware-data><serial-number/></hardware-data></chassis><system><oper-name/><up-time/>"
        "<platform/><version><version-number/></version></system>"
        "<router><interface><interface-name/></interface></router>") + "</get>",
    "<get> state BGP neighbors (get_bgp_neighbors)": "<get>" + STATE.format(
        "<router><router-name/><oper-router-id/><bgp><neighbor><ip-address/><statistics><peer-identifier/>"
        "<session-state/><last-established-time/><family-prefix><ipv4><received/><active/><sent/></ipv4>"
        "</family-prefix></statistics></neighbor></bgp></router>") + "</get>",
    "<get-config> router Base interfaces": "<get-config><source><running/></source>" + CONF.format(
        "<router><router-name>Base</router-name><interface/></router>") + "</get-config>",
}
EOM = "]]>]]>"


def _report(what: str, lat: list[float], n: int) -> None:
    p50, p90 = statistics.median(lat), statistics.quantiles(lat, n=10)[8]
    print(f"  {what}: p50 {p50:.1f} ms  p90 {p90:.1f} ms  (n={n}; budget p50 <= {BUDGET_MS:g} ms: "
          f"{verdict(p50 <= BUDGET_MS)})")


async def _wire(host: str, user: str, password: str, n: int) -> None:
    import asyncssh

    async with asyncssh.connect(host, 22, username=user, password=password, known_hosts=None) as conn:
        proc = await conn.create_process(term_type="vt100", encoding="utf-8")
        # the MD-CLI prompt is two lines, "[/]" then "A:admin@rr1# ": its second line ends each reply
        prompt = (await proc.stdout.readuntil("# ")).rsplit("\n", 1)[-1].lstrip("\r")
        proc.stdin.write("environment more false\n")
        await proc.stdout.readuntil(prompt)
        for cmd in COMMANDS:
            lat = []
            for i in range(n + 3):
                t = time.perf_counter()
                proc.stdin.write(cmd + "\n")
                reply = await proc.stdout.readuntil(prompt)
                if i >= 3:
                    lat.append((time.perf_counter() - t) * 1000)
                if "MINOR:" in reply:
                    raise SystemExit(f"error from the twin: {reply[:300]}")
            _report(f"MD-CLI {cmd!r}", lat, n)
    async with asyncssh.connect(host, 830, username=user, password=password, known_hosts=None) as conn:
        proc = await conn.create_process(subsystem="netconf", encoding="utf-8")
        await proc.stdout.readuntil(EOM)
        proc.stdin.write('<hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities><capability>'
                         f"urn:ietf:params:netconf:base:1.0</capability></capabilities></hello>{EOM}")
        for what, rpc in GETS.items():
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
            _report(f"NETCONF {what}", lat, n)


def latency(host: str, user: str, password: str, n: int) -> None:
    asyncio.run(_wire(host, user, password, n))


if __name__ == "__main__":
    sys.exit(main("sros-core.clab.yml", "SR OS", latency))
