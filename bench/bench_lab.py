#!/usr/bin/env python3
"""Benchmark the netns lab: 64-node FRR eBGP Clos, deploy-to-converged, destroy, memory per node.

    sudo .venv/bin/python bench/bench_lab.py [--spines 4 --leaves 60] [--topology file.clab.yml]

Targets: deploy-to-converged <= 15 s, destroy <= 3 s, <= 40 MB PSS per node.
Without --topology it generates its own Clos (numbered /31 eBGP, one ASN per leaf) in a temp dir.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fabric.lab import api, netns, readiness  # noqa: E402
from fabric.lab.topology import load_topology  # noqa: E402

DAEMONS = """zebra=yes
staticd=yes
bgpd=yes
zebra_options="  -A 127.0.0.1 -s 90000000"
bgpd_options="   -A 127.0.0.1"
staticd_options="-A 127.0.0.1"
"""


def generate(d: Path, spines: int, leaves: int, name: str = "bench") -> Path:
    """Write a spine/leaf FRR topology with its frr.conf files into ``d``."""
    cfg = d / "configs"
    cfg.mkdir(parents=True, exist_ok=True)
    (cfg / "daemons").write_text(DAEMONS)
    links, nodes = [], []
    conf: dict[str, list[str]] = {}
    nbrs: dict[str, list[tuple[str, str, int]]] = {}
    names = [f"spine{s}" for s in range(1, spines + 1)] + [f"leaf{x}" for x in range(1, leaves + 1)]
    asn = {n: (65000 if n.startswith("spine") else 65100 + i) for i, n in enumerate(names)}
    for idx, n in enumerate(names, 1):
        conf[n] = [f"interface lo\n ip address 10.255.{idx // 256}.{idx % 256}/32\n!"]
        nbrs[n] = []
    for s in range(1, spines + 1):
        for x in range(1, leaves + 1):
            sp, lf = f"spine{s}", f"leaf{x}"
            base = (s * 1024 + x) * 2
            a = f"10.{base >> 16 & 255}.{base >> 8 & 255}.{base & 255}"
            b = f"10.{(base + 1) >> 16 & 255}.{(base + 1) >> 8 & 255}.{(base + 1) & 255}"
            links.append(f'    - endpoints: ["{sp}:eth{x}", "{lf}:eth{s}"]')
            conf[sp].append(f"interface eth{x}\n ip address {a}/31\n!")
            conf[lf].append(f"interface eth{s}\n ip address {b}/31\n!")
            nbrs[sp].append((b, lf, asn[lf]))
            nbrs[lf].append((a, sp, asn[sp]))
    for idx, n in enumerate(names, 1):
        rid = f"10.255.{idx // 256}.{idx % 256}"
        body = [f"frr defaults datacenter\nhostname {n}\n!", *conf[n], f"router bgp {asn[n]}",
                f" bgp router-id {rid}", " no bgp ebgp-requires-policy",
                " bgp bestpath as-path multipath-relax",
                " timers bgp 3 9"]
        body += [f" neighbor {ip} remote-as {peer_as}" for ip, _, peer_as in nbrs[n]]
        body += [" address-family ipv4 unicast", "  redistribute connected route-map LO",
                 " exit-address-family",
                 "!", "route-map LO permit 10", " match interface lo", "!"]
        (cfg / f"{n}.conf").write_text("\n".join(body) + "\n")
        nodes.append(f"    {n}: {{}}")
    topo = d / f"{name}.clab.yml"
    topo.write_text(
        f"name: {name}\nmgmt:\n  ipv4-subnet: 172.30.64.0/22\ntopology:\n  defaults:\n    kind: linux\n"
        "    image: quay.io/frrouting/frr:8.4.4\n    binds:\n"
        "      - configs/__clabNodeName__.conf:/etc/frr/frr.conf\n      - configs/daemons:/etc/frr/daemons\n"
        "  nodes:\n" + "\n".join(nodes) + "\n  links:\n" + "\n".join(links) + "\n"
    )
    return topo


def pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--spines", type=int, default=4)
    ap.add_argument("--leaves", type=int, default=60)
    ap.add_argument("--topology", type=Path, help="use this topology instead of generating one")
    ap.add_argument("--timeout", type=float, default=90)
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("bench_lab: needs root (network namespaces)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="nf-bench-") as tmp:
        path = args.topology or generate(Path(tmp), args.spines, args.leaves)
        topo = load_topology(path, warn=False)
        n = len(topo.nodes)
        print(f"topology: {path} ({n} nodes, {len(topo.links)} links)")
        t0 = time.monotonic()
        try:
            state = netns.deploy(topo, log=lambda m: print(f"  [{time.monotonic() - t0:6.2f}s] {m}"))
            t_up = time.monotonic() - t0
            pending = readiness.wait_converged(state, args.timeout)
            t_conv = time.monotonic() - t0
            sessions = sum(len(v.get("frr_daemons", [])) and 1 for v in state["nodes"].values())
            print(f"deploy (all daemons started): {t_up:.2f} s")
            verdict = "NOT CONVERGED" if pending else "ok"
            print(f"deploy-to-converged: {t_conv:.2f} s  (target <= 15 s) {verdict}")
            for p in pending[:10]:
                print(f"  pending: {p}")
            names = {v["netns"] for v in state["nodes"].values()}
            pids = netns._pids_in_netns(names)
            total = sum(pss_kb(p) for p in pids)
            print(f"memory: {total / 1024:.1f} MB PSS over {len(pids)} processes = "
                  f"{total / 1024 / n:.2f} MB/node (target <= 40 MB) [{sessions} FRR nodes]")
        finally:
            t1 = time.monotonic()
            api.destroy(path)
            print(f"destroy: {time.monotonic() - t1:.2f} s  (target <= 3 s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
