"""Capture the fixtures of test_xr_oper.py from a real FRR, kernel and lldpd (run as root, by hand:
``.venv/bin/python tests/vendors/iosxr/data/capture.py``). Two namespaces: "xr" (the twin's node: the
Linux names an XRd node has) and "peer", joined by two veth links; BGP (one session up, one to a
peer that does not exist, one shut down), IS-IS on the first link, OSPF on the second, BFD on the BGP
session; lldpd on both ends. Writes the JSON the twin's oper.py reads into this directory."""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DAEMONS = ("zebra", "staticd", "bgpd", "ospfd", "isisd", "bfdd")
NS = {"xr": "nfxrcap-xr", "peer": "nfxrcap-peer"}

XR_FRR = """frr defaults datacenter
hostname xr1
interface Gi0-0-0-0
 description to peer1 eth1
 ip address 10.0.0.0/31
 ip router isis CORE
 isis network point-to-point
 isis circuit-type level-2-only
interface Gi0-0-0-1
 ip address 10.0.1.0/31
 ip ospf area 0
 ip ospf network point-to-point
interface Loopback0
 ip address 10.255.0.1/32
 ip router isis CORE
 isis passive
 ip ospf area 0
router isis CORE
 net 49.0001.0102.5500.0001.00
 is-type level-2-only
 metric-style wide
router ospf
 ospf router-id 10.255.0.1
router bgp 65000
 bgp router-id 10.255.0.1
 no bgp ebgp-requires-policy
 neighbor 10.0.0.1 remote-as 65001
 neighbor 10.0.0.1 description peer1 via Gi0/0/0/0
 neighbor 10.0.0.1 bfd
 neighbor 10.0.9.9 remote-as 65002
 neighbor 10.0.9.9 description nobody home
 neighbor 10.0.0.5 remote-as 65003
 neighbor 10.0.0.5 shutdown
 address-family ipv4 unicast
  network 10.255.0.1/32
 exit-address-family
ip route 192.0.2.0/24 Null0
"""
PEER_FRR = """frr defaults datacenter
hostname peer1
interface eth1
 ip address 10.0.0.1/31
 ip router isis CORE
 isis network point-to-point
 isis circuit-type level-2-only
interface eth2
 ip address 10.0.1.1/31
 ip ospf area 0
 ip ospf network point-to-point
interface lo
 ip address 10.255.0.2/32
 ip router isis CORE
 isis passive
 ip ospf area 0
router isis CORE
 net 49.0001.0102.5500.0002.00
 is-type level-2-only
 metric-style wide
router ospf
 ospf router-id 10.255.0.2
router bgp 65001
 bgp router-id 10.255.0.2
 no bgp ebgp-requires-policy
 neighbor 10.0.0.0 remote-as 65000
 neighbor 10.0.0.0 bfd
 address-family ipv4 unicast
  network 10.255.0.2/32
  network 198.51.100.0/24
 exit-address-family
ip route 198.51.100.0/24 Null0
"""


def sh(*argv: str, check: bool = True) -> str:
    res = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    if check and res.returncode != 0:
        raise RuntimeError(f"{shlex.join(argv)}: {res.stderr.strip()[-400:]}")
    return res.stdout


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="xrcap-"))
    os.chmod(work, 0o755)  # lldpcli drops privileges before it opens the socket
    pids: list[int] = []
    try:
        for ns in NS.values():
            sh("ip", "netns", "add", ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        x, p = NS["xr"], NS["peer"]
        for a, b in (("Gi0-0-0-0", "eth1"), ("Gi0-0-0-1", "eth2")):
            sh("ip", "link", "add", a, "netns", x, "type", "veth", "peer", "name", b, "netns", p)
            sh("ip", "-n", x, "link", "set", a, "mtu", "1500", "up")
            sh("ip", "-n", p, "link", "set", b, "up")
        sh("ip", "link", "add", "Gi0-0-0-2", "netns", x, "type", "veth", "peer", "name", "far2", "netns", x)
        sh("ip", "-n", x, "link", "set", "Gi0-0-0-2", "mtu", "1500")  # admin down (shutdown)
        sh("ip", "link", "add", "eth0", "netns", x, "type", "veth", "peer", "name", "far0", "netns", x)
        sh("ip", "-n", x, "addr", "add", "172.20.20.2/24", "dev", "eth0")
        sh("ip", "-n", x, "link", "set", "eth0", "up")
        sh("ip", "-n", x, "link", "set", "far0", "up")
        # no dummy driver on every kernel: a veth stands in for the loopback, as the twin's Frr.set_links does
        sh("ip", "-n", x, "link", "add", "Loopback0", "type", "veth", "peer", "name", "farlo")
        sh("ip", "-n", x, "link", "set", "farlo", "up")
        sh("ip", "-n", x, "link", "set", "Loopback0", "mtu", "1500", "up")
        for name, ns in NS.items():
            run = Path("/var/run/frr") / ns
            run.mkdir(parents=True, exist_ok=True)
            shutil.chown(run, "frr", "frr")
            conf = work / f"{name}.conf"
            conf.write_text(XR_FRR if name == "xr" else PEER_FRR)
            os.chmod(conf, 0o644)
            for d in DAEMONS:
                argv = [f"/usr/lib/frr/{d}", "-N", ns, "-d", "-f", str(conf), "-i", str(run / f"{d}.pid")]
                sh(
                    "ip",
                    "netns",
                    "exec",
                    ns,
                    "sh",
                    "-c",
                    "mount -t tmpfs -o size=16m,mode=0700,uid=frr,gid=frr xrcap /var/tmp/frr 2>/dev/null;"
                    f" exec {shlex.join(argv)}",
                )
            lconf = work / f"{name}-lldp.conf"
            lconf.write_text("configure lldp tx-interval 2\n")
            os.chmod(lconf, 0o644)
            sock = work / f"{name}.lldp.sock"
            proc = subprocess.Popen(
                [
                    "ip",
                    "netns",
                    "exec",
                    ns,
                    "lldpd",
                    "-d",
                    "-u",
                    str(sock),
                    "-I",
                    "*,!eth0",
                    "-O",
                    str(lconf),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            pids.append(proc.pid)
        time.sleep(3)
        # the XR side's identity as the twin sets it (base.lldp_identity)
        sh("lldpcli", "-u", str(work / "peer.lldp.sock"), "configure", "system", "hostname", "peer1")
        subprocess.run(
            ["lldpcli", "-u", str(work / "xr.lldp.sock")],
            input=(
                "configure system hostname xr1\n"
                'configure system description "Cisco IOS XR Software, Version 24.1.1"\n'
                "configure ports Gi0-0-0-0 lldp portidsubtype local GigabitEthernet0/0/0/0"
                ' description "to peer1"\n'
            ),
            text=True,
            capture_output=True,
            check=False,
        )
        vt = ["vtysh", "-N", x, "-c"]
        end = time.monotonic() + 90
        while time.monotonic() < end:
            s = json.loads(sh(*vt, "show bgp vrf all summary json") or "{}")
            peers = ((s.get("default") or {}).get("ipv4Unicast") or {}).get("peers") or {}
            isis = sh(*vt, "show isis neighbor")
            ospf = json.loads(sh(*vt, "show ip ospf neighbor json") or "{}")
            full = any("Full" in str(n) for n in json.dumps(ospf).split(","))
            if (peers.get("10.0.0.1") or {}).get("state") == "Established" and " Up " in isis and full:
                break
            time.sleep(1)
        time.sleep(8)  # BFD up, LLDP both ways, BGP routes exchanged
        cmds = {
            "frr_bgp_neighbors.json": "show bgp vrf all neighbors json",
            "frr_bgp_summary.json": "show bgp vrf all summary json",
            "frr_isis_neighbor.json": "show isis neighbor json",
            "frr_ospf_neighbor.json": "show ip ospf neighbor json",
            "frr_ospf_interface.json": "show ip ospf interface json",
            "frr_bfd_peers.json": "show bfd peers json",
            "frr_route.json": "show ip route json",
            "frr_route_summary.json": "show ip route summary json",
        }
        for fn, cmd in cmds.items():
            (HERE / fn).write_text(json.dumps(json.loads(sh(*vt, cmd)), indent=1, sort_keys=True) + "\n")
        (HERE / "frr_isis_hostname.txt").write_text(sh(*vt, "show isis hostname"))
        for fn, args in {
            "ip_link.json": ("-s", "link", "show"),
            "ip_addr.json": ("addr", "show"),
            "ip_neigh.json": ("-4", "neigh", "show"),
        }.items():
            (HERE / fn).write_text(json.dumps(json.loads(sh("ip", "-n", x, "-j", *args)), indent=1) + "\n")
        lldp = sh("lldpcli", "-u", str(work / "xr.lldp.sock"), "-f", "json0", "show", "neighbors", "details")
        (HERE / "lldp_neighbors.json").write_text(json.dumps(json.loads(lldp), indent=1) + "\n")
        print("captured into", HERE)
    finally:
        for ns in NS.values():
            ps = [int(v) for v in sh("ip", "netns", "pids", ns, check=False).split()]
            for pid in ps + pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)
            time.sleep(1)
            for pid in ps + pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            shutil.rmtree(Path("/var/run/frr") / ns, ignore_errors=True)
            sh("ip", "netns", "del", ns, check=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
