"""Side-by-side rendering benchmark: our two stages against Arista's pyavd (eos_designs ->
eos_cli_config_gen) on the EOS devices of inventory/dc-large.

    python bench/bench_pyavd.py [--repeat 3] [--per-device]

pyavd is an optional extra (`pip install -e '.[bench]'`); without it this prints how to install it
and exits 0.

The pyavd input is generated from our own intent (load_fabric on inventory/dc-large), so both sides
describe the same fabric: AVD's l3ls-evpn design with node types `spine` and `l3leaf` (no MLAG, no
VTEP, `overlay_routing_protocol: none`: a plain eBGP underlay), the same hostnames, ids, ASNs
(spine AS in spine.defaults, one `bgp_as` per leaf), loopback pool (each role's offset derived from
our addresses), the p2p pool as the leaves' `uplink_ipv4_pool` (AVD's offset formula,
(id - 1) x uplink switches + uplink index, gives our /31s), our cabling as uplink_interfaces /
uplink_switches / uplink_switch_interfaces, the mgmt IPs and gateway (Management0 in VRF MGMT),
BFD on the underlay peer group (bgp_peer_groups.ipv4_underlay_peers.bfd) with our timers as a
`structured_config: router_bfd` node default, maximum-paths, and the few base settings our EOS
golden config carries too (domain, again as node `structured_config` since AVD's dns_settings
wants name servers; admin user without a secret, SNMP contact/location, spanning-tree none, eAPI
over HTTPS in VRF MGMT). Inputs must validate without violations, deprecations or ignored keys.

The FRR leaves are not EOS and have no place in eos_designs, but leaving them out would halve the
spines' configs (28 instead of 56 fabric interfaces and BGP neighbours) and make the spines
incomparable. So they are modelled as generic peers outside the AVD inventory: one `l3_edge`
p2p link per spine-FRR leaf cable, with our interface names, /31s and ASNs and
`include_in_underlay_protocol: true`, which gives each spine the same 56 routed interfaces and 56
neighbours in the underlay peer group as ours. pyavd computes facts for the 36 EOS devices only.

Before timing, both sides' rendered configs are parsed and compared per device (BGP ASN,
router-id, neighbour IPs and remote-as, routed interface addresses, maximum-paths, BFD on the peer
group and its timers); the run stops if they differ. What still differs is each tool's own
spelling and defaults, counted in its config lines: AVD's descriptions, peer group names and
extra defaults (`service routing protocols model multi-agent`, `update wait-install`,
`maximum-routes`, ...), `redistribute connected` where we originate the loopback with `network`
behind prefix-list/route-map filters.

Timing follows bench_render.py: one warm-up pass (template compilation, caches), then the best of
--repeat passes per device, both tools interleaved device by device in the same process. Per
device, pyavd is get_device_structured_config + get_device_config, ours is build_device +
render_device (what build_structured runs per host, after fabric_facts once). The fabric-wide
steps are timed once and printed apart: ours load_fabric + fabric_facts; pyavd validate_inputs,
loading the validated inputs into AVDDesign objects (done once here, where
get_device_structured_config would redo it per call from a dict: this favours pyavd) and
get_avd_facts. Figures only: nothing asserts on time.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import platform
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from twinbench import verdict  # noqa: E402

from fabric.design import load_fabric  # noqa: E402
from fabric.model import DeviceIntent, Fabric, InterfaceIntent  # noqa: E402
from fabric.render import render_device  # noqa: E402
from fabric.structured import build_device, fabric_facts  # noqa: E402

FABRIC = ROOT / "inventory" / "dc-large"
TARGET = 50.0  # render >= 50x faster per config line than pyavd
INSTALL_HINT = "pyavd is not installed (optional): pip install -e '.[bench]' to run this benchmark"


# ---------------------------------------------------------------- pyavd input from our intent


def _p2p(dev: DeviceIntent) -> list[InterfaceIntent]:
    return sorted((i for i in dev.interfaces if i.kind == "p2p"), key=lambda i: i.port or 0)


def _loopback_offset(devs: list[DeviceIntent], pool: str) -> int:
    """AVD's loopback_ipv4_offset for a role: router-id = pool + id + offset; one offset per role."""
    base = int(ipaddress.ip_network(pool).network_address)
    offsets = {int(ipaddress.ip_address(d.router_id)) - base - d.id for d in devs}
    if len(offsets) != 1:
        raise SystemExit(f"loopbacks of {devs[0].role}s are not pool + id + one offset: {sorted(offsets)}")
    return offsets.pop()


def _one(values: set[Any], what: str) -> Any:
    if len(values) != 1:
        raise SystemExit(f"AVD takes one {what} here, the fabric has {sorted(values)}")
    return values.pop()


def avd_inputs(fabric: Fabric) -> dict[str, dict[str, Any]]:
    """eos_designs inputs (as group_vars + host_vars merged per host) for the EOS devices of ``fabric``."""
    eos = [d for d in fabric.devices.values() if d.platform == "eos"]
    spines = [d for d in eos if d.role == "spine"]
    leaves = [d for d in eos if d.role == "leaf"]
    if not spines or not leaves or len(spines) + len(leaves) != len(eos):
        raise SystemExit("expected an eBGP Clos of EOS spines and leaves")
    bgp = {d.hostname: d.bgp for d in eos if d.bgp and not d.ospf and not d.isis}
    if len(bgp) != len(eos):
        raise SystemExit("expected an eBGP underlay only")
    loop_pool, p2p_pool = fabric.pools["loopback"], fabric.pools["p2p"]
    bfd, interval, multiplier = _one({(d.bfd, d.bfd_interval, d.bfd_multiplier) for d in eos}, "BFD setting")
    # Keys eos_designs has no input for (dns_settings wants name servers), merged into its output.
    custom: dict[str, Any] = {"dns_domain": _one({d.domain for d in eos}, "domain")}
    if bfd:
        custom["router_bfd"] = {"interval": interval, "min_rx": interval, "multiplier": multiplier}
    leaf_nodes = []
    for d in sorted(leaves, key=lambda d: d.id):
        ups = _p2p(d)
        leaf_nodes.append({
            "name": d.hostname,
            "id": d.id,
            "bgp_as": str(bgp[d.hostname].asn),
            "mgmt_ip": d.mgmt_ipv4,
            "uplink_interfaces": [i.name for i in ups],
            "uplink_switches": [i.peer for i in ups],
            "uplink_switch_interfaces": [i.peer_interface for i in ups],
        })
    # FRR leaves: generic peers outside the AVD inventory, one l3_edge link per spine cable.
    edge = []
    for s in sorted(spines, key=lambda d: d.id):
        for i in _p2p(s):
            peer = fabric.devices[i.peer or ""]
            if peer.platform == "eos":
                continue
            if peer.bgp is None:
                raise SystemExit(f"{peer.hostname}: expected an eBGP underlay only")
            edge.append({
                "nodes": [s.hostname, peer.hostname],
                "interfaces": [i.name, i.peer_interface],
                "ip": [i.ipv4, i.peer_ipv4],
                "as": [str(bgp[s.hostname].asn), str(peer.bgp.asn)],
                "include_in_underlay_protocol": True,
                "mtu": i.mtu,
            })
    common: dict[str, Any] = {
        "fabric_name": fabric.name,
        "underlay_routing_protocol": "ebgp",
        "overlay_routing_protocol": "none",
        "mgmt_interface_settings": {"interface": "Management0", "vrf": "MGMT"},
        "mgmt_gateway": _one({d.mgmt_gateway for d in eos}, "mgmt gateway"),
        "p2p_uplinks_mtu": _one({i.mtu for d in eos for i in _p2p(d)}, "fabric MTU"),
        "bgp_maximum_paths": _one({b.maximum_paths for b in bgp.values()}, "maximum-paths"),
        "bgp_ecmp": _one({b.maximum_paths for b in bgp.values()}, "maximum-paths"),
        "bgp_peer_groups": {"ipv4_underlay_peers": {"bfd": bfd}},
        "aaa_settings": {"local_users": [{"name": "admin", "privilege": 15, "role": "network-admin",
                                          "no_password": True}]},
        "snmp_settings": {"contact": "netops", "location": True},
        "management_eapi": {"enabled": True, "enable_https": True,
                            "vrfs": [{"name": "MGMT", "enabled": True}]},
        "spine": {
            "defaults": {
                "bgp_as": str(_one({bgp[d.hostname].asn for d in spines}, "spine ASN")),
                "loopback_ipv4_pool": loop_pool,
                "loopback_ipv4_offset": _loopback_offset(spines, loop_pool),
                "spanning_tree_mode": "none",
                "structured_config": custom,
            },
            "nodes": [{"name": d.hostname, "id": d.id, "mgmt_ip": d.mgmt_ipv4}
                      for d in sorted(spines, key=lambda d: d.id)],
        },
        "l3leaf": {
            "defaults": {
                "loopback_ipv4_pool": loop_pool,
                "loopback_ipv4_offset": _loopback_offset(leaves, loop_pool),
                "uplink_ipv4_pool": p2p_pool,
                "vtep": False,
                "spanning_tree_mode": "none",
                "structured_config": custom,
            },
            "node_groups": [{"group": n["name"], "nodes": [n]} for n in leaf_nodes],
        },
        "l3_edge": {"p2p_links": edge},
    }
    return {d.hostname: {**common, "type": "spine" if d.role == "spine" else "l3leaf"} for d in eos}


# ---------------------------------------------------------------- equivalence


@dataclass
class Parsed:
    asn: str | None
    router_id: str | None
    neighbors: dict[str, str]  # ip -> remote-as
    addresses: dict[str, str]  # interface -> ip address (Ethernet, Loopback, Management)
    mgmt_route: str | None  # the management VRF's default route
    max_paths: str | None
    group_bfd: bool
    bfd_timers: str | None


_NEIGHBOR_AS = re.compile(r"^ {3}neighbor (\d+\.\d+\.\d+\.\d+) remote-as (\d+)$", re.M)
# interface -> its `ip address`, the lines between staying inside the interface block (3-space indent)
_ADDRESS = re.compile(
    r"^interface ((?:Ethernet|Loopback|Management)\S+)\n(?: {3}.*\n)*? {3}ip address (\S+)$", re.M
)


def parse_eos(text: str) -> Parsed:
    """The facts both configs must agree on, read from EOS running-config text."""
    asn = re.search(r"^router bgp (\d+)$", text, re.M)
    rid = re.search(r"^ {3}router-id (\S+)$", text, re.M)
    paths = re.search(r"^ {3}maximum-paths (\d+)", text, re.M)
    mgmt = re.search(r"^ip route vrf \S+ 0\.0\.0\.0/0 \S+$", text, re.M)
    timers = re.search(r"^ {3}interval (.*) default$", text, re.M)
    groups = set(re.findall(r"^ {3}neighbor (\S+) peer group$", text, re.M))
    bfd = {g for g in groups if re.search(rf"^ {{3}}neighbor {re.escape(g)} bfd$", text, re.M)}
    addresses = dict(_ADDRESS.findall(text))
    return Parsed(
        asn=asn and asn[1],
        router_id=rid and rid[1],
        neighbors=dict(_NEIGHBOR_AS.findall(text)),
        addresses=addresses,
        mgmt_route=mgmt and mgmt[0],
        max_paths=paths and paths[1],
        group_bfd=bool(groups) and bfd == groups,
        bfd_timers=timers and timers[1],
    )


_REQUIRED = ("asn", "router_id", "neighbors", "addresses", "mgmt_route", "max_paths")  # empty = not parsed


def equivalence(fabric: Fabric, ours: dict[str, str], avd: dict[str, str]) -> None:
    print("equivalence (parsed from both rendered configs; BGP neighbours: intent / ours / pyavd):")
    print(f"  {'device':<9}{'role':<7}{'neighbours':>14}{'routed ifaces':>16}{'lines ours/pyavd':>19}")
    bad: list[str] = []
    for h in ours:
        dev = fabric.devices[h]
        a, b = parse_eos(ours[h]), parse_eos(avd[h])
        want = len(dev.bgp.neighbors) if dev.bgp else 0
        routed_a = sum(1 for k in a.addresses if k.startswith("Ethernet"))
        routed_b = sum(1 for k in b.addresses if k.startswith("Ethernet"))
        print(f"  {h:<9}{dev.role:<7}{f'{want}/{len(a.neighbors)}/{len(b.neighbors)}':>14}"
              f"{f'{routed_a}/{routed_b}':>16}{f'{ours[h].count(chr(10))}/{avd[h].count(chr(10))}':>19}")
        for field in (*_REQUIRED, "group_bfd", "bfd_timers"):
            x, y = getattr(a, field), getattr(b, field)
            if isinstance(x, dict) and x != y:  # name only what differs
                keys = sorted(k for k in x.keys() | y.keys() if x.get(k) != y.get(k))
                x, y = {k: x.get(k) for k in keys}, {k: y.get(k) for k in keys}
            if x != y or (field in _REQUIRED and not x):
                bad.append(f"{h}: {field}: ours {x!r} pyavd {y!r}")
        if len(a.neighbors) != want:
            bad.append(f"{h}: {len(a.neighbors)} neighbours rendered, {want} in the intent")
    if bad:
        print("\n".join(f"  DIFFERS {b}" for b in bad[:20]))
        raise SystemExit(f"pyavd and ours do not describe the same fabric ({len(bad)} differences)")
    print(f"  all {len(ours)} EOS devices: same BGP ASN, router-id, neighbour IPs and remote-as, "
          "Ethernet/Loopback/Management addresses, mgmt VRF default route, maximum-paths, BFD peer group and "
          "timers")


# ---------------------------------------------------------------- timing


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--per-device", action="store_true", help="also print every device's figures")
    args = ap.parse_args()
    try:
        import pyavd
        from pyavd.api.schemas import AVDDesign
    except ImportError:
        print(INSTALL_HINT)
        return 0

    load = os.getloadavg()
    print(f"pyavd {pyavd.__version__} vs netfabric on {FABRIC.relative_to(ROOT)}, Python "
          f"{platform.python_version()}; {os.cpu_count()} CPUs, load average "
          f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f} (other work on the machine makes figures noisy)")

    # Fabric-wide steps, once each.
    t0 = time.perf_counter()
    fabric = load_fabric(FABRIC)
    t1 = time.perf_counter()
    facts = fabric_facts(fabric)
    t2 = time.perf_counter()
    raw = avd_inputs(fabric)
    t3 = time.perf_counter()
    validated: dict[str, dict[str, Any]] = {}
    for h, inputs in raw.items():
        res = pyavd.validate_inputs(inputs)
        v = res.validation_result  # an ignored key would silently drop a setting: fail on it too
        notes = list(v.violations) + list(v.deprecations) + list(v.ignored_eos_config_keys)
        if res.validated_data is None or notes:
            raise SystemExit(f"{h}: pyavd input validation: " + "; ".join(getattr(n, "message", str(n))
                                                                           for n in notes))
        validated[h] = res.validated_data
    t4 = time.perf_counter()
    # get_avd_facts and get_device_structured_config take AVDDesign objects (or dicts they load on every
    # call); loading once here keeps that out of pyavd's per-device figure.
    designs = {h: AVDDesign._from_dict(v) for h, v in validated.items()}
    t5 = time.perf_counter()
    avd_facts = pyavd.get_avd_facts(designs)
    t6 = time.perf_counter()
    hosts = sorted(raw, key=lambda h: (fabric.devices[h].role != "spine", fabric.devices[h].id))
    n_spines = sum(fabric.devices[h].role == "spine" for h in hosts)
    n_frr = sum(d.platform != "eos" for d in fabric.devices.values())
    print(f"{len(hosts)} EOS devices ({n_spines} spines, {len(hosts) - n_spines} leaves) in both; "
          f"the {n_frr} FRR leaves are l3_edge peers of the spines in pyavd's input (see the docstring)")

    def ours_once(h: str) -> tuple[str, float, float]:
        s = time.perf_counter()
        sc = build_device(fabric.devices[h], facts)
        m = time.perf_counter()
        text = render_device(sc)
        return text, m - s, time.perf_counter() - m

    def avd_once(h: str) -> tuple[str, float, float]:
        s = time.perf_counter()
        sc = pyavd.get_device_structured_config(h, designs[h], avd_facts)
        m = time.perf_counter()
        text = pyavd.get_device_config(sc)
        return text, m - s, time.perf_counter() - m

    # Warm-up pass, also the output the equivalence check reads.
    ours_text = {h: ours_once(h)[0] for h in hosts}
    avd_text = {h: avd_once(h)[0] for h in hosts}
    missing = [h for h in hosts if "\nrouter bgp " not in avd_text[h]]
    if missing:
        raise SystemExit(f"pyavd rendered no router bgp for {missing}")
    print()
    equivalence(fabric, ours_text, avd_text)

    inf = float("inf")
    best = {side: {h: [inf, inf, inf] for h in hosts} for side in ("ours", "pyavd")}  # total, stage1, stage2
    for _ in range(args.repeat):
        for h in hosts:  # interleaved: a load spike hits both sides alike
            for side, once in (("ours", ours_once), ("pyavd", avd_once)):
                _, st, rt = once(h)
                b = best[side][h]
                best[side][h] = [min(b[0], st + rt), min(b[1], st), min(b[2], rt)]

    print(f"\nfabric-wide, once per fabric (not in the per-device figures): ours load_fabric "
          f"{1000 * (t1 - t0):.0f} ms + fabric_facts {1000 * (t2 - t1):.1f} ms; pyavd input generation "
          f"{1000 * (t3 - t2):.1f} ms, validate_inputs {1000 * (t4 - t3):.0f} ms, AVDDesign load "
          f"{1000 * (t5 - t4):.0f} ms, get_avd_facts {1000 * (t6 - t5):.0f} ms")
    print(f"\nwarm per device (best of {args.repeat} after 1 warm-up pass); ms = stage 1 + stage 2 "
          "(ours build_device + render_device, pyavd get_device_structured_config + get_device_config)")
    head = f"  {'':<9}{'role':<7}{'devices':>8}{'ours ms':>9}{'pyavd ms':>10}{'ours lines':>11}"
    print(f"{head}{'pyavd lines':>12}{'ours µs/line':>13}{'pyavd µs/line':>14}{'ratio':>8}")

    def row(label: str, role: str, group: list[str]) -> tuple[float, float]:
        ms = {s: 1000 * sum(best[s][h][0] for h in group) for s in best}
        lines = {"ours": sum(ours_text[h].count("\n") for h in group),
                 "pyavd": sum(avd_text[h].count("\n") for h in group)}
        us = {s: 1000 * ms[s] / lines[s] for s in best}
        n = len(group)
        print(f"  {label:<9}{role:<7}{n:>8}{ms['ours'] / n:>9.2f}{ms['pyavd'] / n:>10.1f}"
              f"{lines['ours'] / n:>11.0f}{lines['pyavd'] / n:>12.0f}{us['ours']:>13.2f}{us['pyavd']:>14.1f}"
              f"{us['pyavd'] / us['ours']:>7.0f}x")
        return us["ours"], us["pyavd"]

    if args.per_device:
        for h in hosts:
            row(h, fabric.devices[h].role, [h])
    for role in ("spine", "leaf"):
        row("", role, [h for h in hosts if fabric.devices[h].role == role])
    ours_us, avd_us = row("all", "", hosts)
    ratio = avd_us / ours_us

    def stage_ratio(i: int) -> float:
        lines_o = sum(t.count("\n") for t in ours_text.values())
        lines_a = sum(t.count("\n") for t in avd_text.values())
        return (sum(best["pyavd"][h][i] for h in hosts) / lines_a) / (
            sum(best["ours"][h][i] for h in hosts) / lines_o)

    print(f"  per config line, by stage (pyavd / ours): structured config {stage_ratio(1):.0f}x, "
          f"config text {stage_ratio(2):.0f}x")
    print(f"target: render >= {TARGET:g}x faster per config line than pyavd: {ratio:.0f}x "
          f"({ours_us:.2f} vs {avd_us:.1f} µs/line; {verdict(ratio >= TARGET)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
