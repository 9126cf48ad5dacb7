"""A tiny FRR-only lab for the state tests: real FRR, lldpd and sshd in network namespaces.

Used to record the FRR fixtures (``python tests/state/frrlab.py record``) and, while the
project's embedded lab cannot deploy dc1 yet, as the lab for ``@pytest.mark.lab`` tests.
Each node gets: namespace ``clab-<lab>-<node>``, FRR daemons with pathspace equal to
the namespace name, lldpd with its own socket, and sshd on the node's mgmt IP
(key authentication with a throw-away key; the SSH session's PATH has wrappers so plain
``vtysh`` and ``lldpcli`` talk to the node's own daemons, like the project lab helper).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from fabric import doctor
from fabric.lab.netns import FRR_TMP, FRR_TMP_MOUNT

DAEMONS = ("zebra", "staticd", "bgpd", "ospfd", "isisd")


def sh(*argv: str, check: bool = True, input: str | None = None) -> str:
    res = subprocess.run(argv, capture_output=True, text=True, input=input)
    if check and res.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: {res.stderr.strip()}")
    return res.stdout


@dataclass
class Node:
    name: str
    mgmt_ip: str
    config: str  # FRR config (vtysh syntax)
    ifaces: dict[str, str] = field(default_factory=dict)  # eth1 -> 10.0.0.0/31
    loopback: str | None = None


@dataclass
class FrrLab:
    name: str
    nodes: dict[str, Node]
    links: list[tuple[str, str, str, str]]  # node_a, if_a, node_b, if_b
    workdir: Path
    mgmt_prefix: str = "172.30.99"
    bridge: str = "nfvtbr0"

    def ns(self, node: str) -> str:
        return f"clab-{self.name}-{node}"

    @property
    def key(self) -> Path:
        return self.workdir / "id_ed25519"

    def nsx(self, node: str, *argv: str, check: bool = True) -> str:
        return sh("ip", "netns", "exec", self.ns(node), *argv, check=check)

    def vtysh(self, node: str, cmd: str) -> str:
        return self.nsx(node, "vtysh", "-N", self.ns(node), "-c", cmd)

    def lldp_sock(self, node: str) -> str:
        return str(self.workdir / node / "lldpd.socket")

    # -------------------------------------------------------------- lifecycle
    def up(self) -> None:
        self.destroy()
        self.workdir.mkdir(parents=True, exist_ok=True)
        if not self.key.exists():
            sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(self.key))
        sh("ip", "link", "add", self.bridge, "type", "bridge")
        sh("ip", "addr", "add", f"{self.mgmt_prefix}.1/24", "dev", self.bridge)
        sh("ip", "link", "set", self.bridge, "up")
        for i, node in enumerate(self.nodes.values()):
            ns = self.ns(node.name)
            sh("ip", "netns", "add", ns)
            self.nsx(node.name, "ip", "link", "set", "lo", "up")
            host_if = f"nfvt{i}m"
            sh("ip", "link", "add", host_if, "type", "veth", "peer", "name", "eth0", "netns", ns)
            sh("ip", "link", "set", host_if, "master", self.bridge, "up")
            self.nsx(node.name, "ip", "addr", "add", f"{node.mgmt_ip}/24", "dev", "eth0")
            self.nsx(node.name, "ip", "link", "set", "eth0", "up")
            self.nsx(node.name, "sysctl", "-qw", "net.ipv4.ip_forward=1")
        for i, (na, ia, nb, ib) in enumerate(self.links):
            tmp_a, tmp_b = f"nfvt{i}a", f"nfvt{i}b"
            sh("ip", "link", "add", tmp_a, "type", "veth", "peer", "name", tmp_b)
            sh("ip", "link", "set", tmp_a, "netns", self.ns(na))
            sh("ip", "link", "set", tmp_b, "netns", self.ns(nb))
            self.nsx(na, "ip", "link", "set", tmp_a, "name", ia)
            self.nsx(nb, "ip", "link", "set", tmp_b, "name", ib)
            for n, ifn in ((na, ia), (nb, ib)):
                self.nsx(n, "ip", "link", "set", ifn, "mtu", "9214")
                self.nsx(n, "ip", "link", "set", ifn, "up")
        for node in self.nodes.values():
            self._start_node(node)

    def _start_node(self, node: Node) -> None:
        ns = self.ns(node.name)
        d = self.workdir / node.name
        d.mkdir(parents=True, exist_ok=True)
        run = Path("/var/run/frr") / ns
        run.mkdir(parents=True, exist_ok=True)
        shutil.chown(run, "frr", "frr")
        etc = Path("/etc/frr") / ns
        etc.mkdir(parents=True, exist_ok=True)
        (etc / "vtysh.conf").write_text("service integrated-vtysh-config\n")
        # Own UTS namespace per node so FRR (BGP hostname capability, IS-IS dynamic hostname)
        # and lldpd (system name) see the node's name.
        # `ip netns exec` gives each a private mount namespace: FRR's crash-log dir goes to a tmpfs there.
        FRR_TMP.mkdir(parents=True, exist_ok=True)
        uts = ["unshare", "--uts", "sh", "-c", f'hostname {node.name} && {FRR_TMP_MOUNT} && exec "$0" "$@"']
        for daemon in DAEMONS:
            self.nsx(
                node.name,
                *uts,
                f"/usr/lib/frr/{daemon}",
                "-d",
                "-N",
                ns,
                "-A",
                "127.0.0.1",
                "-f",
                "/dev/null",
                "-i",
                str(run / f"{daemon}.pid"),
            )
        # `-d` returns before the daemon listens: vtysh -f needs every daemon's vty socket.
        socks = [run / f"{daemon}.vty" for daemon in DAEMONS]
        end = time.monotonic() + 15
        while not all(s.exists() for s in socks) and time.monotonic() < end:
            time.sleep(0.05)
        missing = [s.name for s in socks if not s.exists()]
        if missing:
            raise RuntimeError(f"{node.name}: FRR daemons not listening after 15 s: {missing}")
        conf = d / "frr.conf"
        conf.write_text(node.config)
        sh("ip", "netns", "exec", ns, "vtysh", "-N", ns, "-f", str(conf))
        # lldpd: own socket, hostname set to the node name (the namespace shares the host's UTS).
        sh(
            "ip",
            "netns",
            "exec",
            ns,
            *uts,
            "lldpd",
            "-u",
            self.lldp_sock(node.name),
            "-I",
            "eth*,!eth0",
            "-S",
            f"netfabric {node.name}",
        )
        for _ in range(50):
            if os.path.exists(self.lldp_sock(node.name)):
                break
            time.sleep(0.1)
        else:
            raise RuntimeError(f"{node.name}: lldpd never created {self.lldp_sock(node.name)}")
        # Fast LLDP so tests converge in seconds; lldpd refuses config until it is fully up.
        for cmd in ("configure lldp tx-interval 1", "configure lldp portidsubtype ifname"):
            for _ in range(50):
                res = subprocess.run(
                    ["lldpcli", "-u", self.lldp_sock(node.name), *cmd.split()], capture_output=True, text=True
                )
                if res.returncode == 0 and not res.stderr.strip():
                    break
                time.sleep(0.1)
            else:
                raise RuntimeError(f"{node.name}: lldpcli {cmd!r} refused for 5 s: {res.stderr.strip()}")
        # sshd with wrappers so `vtysh` / `lldpcli` in the session reach this node's daemons.
        bindir = d / "bin"
        bindir.mkdir(exist_ok=True)
        (bindir / "vtysh").write_text(f'#!/bin/sh\nexec /usr/bin/vtysh -N {ns} "$@"\n')
        (bindir / "lldpcli").write_text(
            f'#!/bin/sh\nexec /usr/sbin/lldpcli -u {self.lldp_sock(node.name)} "$@"\n'
        )
        for f in bindir.iterdir():
            f.chmod(0o755)
        hostkey = d / "ssh_host_ed25519_key"
        if not hostkey.exists():
            sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(hostkey))
        doctor.ensure_runtime_dirs()  # /run/sshd: sshd's privilege-separation dir (absent on a fresh host)
        auth = d / "authorized_keys"
        auth.write_text(Path(str(self.key) + ".pub").read_text())
        auth.chmod(0o600)
        cfg = d / "sshd_config"
        cfg.write_text(
            f"ListenAddress {node.mgmt_ip}\nHostKey {hostkey}\nPidFile {d / 'sshd.pid'}\n"
            f"AuthorizedKeysFile {auth}\nPermitRootLogin prohibit-password\nPasswordAuthentication no\n"
            f"KbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\nMaxStartups 200\nMaxSessions 50\n"
            f"SetEnv PATH={bindir}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
        )
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        self.nsx(node.name, "/usr/sbin/sshd", "-f", str(cfg))

    def destroy(self) -> None:
        for node in self.nodes.values():
            ns = self.ns(node.name)
            d = self.workdir / node.name
            for pidfile in [Path("/var/run/frr") / ns / f"{x}.pid" for x in DAEMONS] + [d / "sshd.pid"]:
                _kill_pidfile(pidfile)
            # lldpd has no pid file option: find it by its socket argument, in our namespace only.
            out = sh("ip", "netns", "pids", ns, check=False)
            for pid in out.split():
                with contextlib.suppress(ProcessLookupError, ValueError):
                    os.kill(int(pid), 15)
            for _ in range(50):
                if not sh("ip", "netns", "pids", ns, check=False).split():
                    break
                time.sleep(0.1)
            sh("ip", "netns", "del", ns, check=False)
            shutil.rmtree(Path("/var/run/frr") / ns, ignore_errors=True)
            shutil.rmtree(Path("/etc/frr") / ns, ignore_errors=True)
        for i in range(len(self.nodes)):
            sh("ip", "link", "del", f"nfvt{i}m", check=False)
        sh("ip", "link", "del", self.bridge, check=False)

    # -------------------------------------------------------------- helpers for tests
    def wait(self, predicate, timeout: float = 60.0, step: float = 1.0) -> bool:  # type: ignore[no-untyped-def]
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                if predicate():
                    return True
            except Exception:  # noqa: BLE001 - the daemons may still be starting
                pass
            time.sleep(step)
        return False

    def bgp_established(self, node: str) -> int:
        data = json.loads(self.vtysh(node, "show bgp vrf all summary json"))
        n = 0
        for vrf in data.values():
            for peer in vrf.get("ipv4Unicast", {}).get("peers", {}).values():
                n += peer.get("state") == "Established"
        return n


def _kill_pidfile(path: Path) -> None:
    try:
        pid = int(path.read_text().strip())
        os.kill(pid, 15)
    except (FileNotFoundError, ValueError, ProcessLookupError):
        pass


def pair_lab(workdir: Path, name: str = "valtest") -> FrrLab:
    """Two FRR routers: eBGP over eth1 + OSPF + IS-IS level-2 on eth1 and eth2."""

    def conf(host: str, asn: int, peer_as: int, lo: str, ip1: str, peer1: str, ip2: str, net: str) -> str:
        return f"""hostname {host}
interface lo
 ip address {lo}/32
 ip ospf passive
 ip router isis FABRIC
 isis passive
interface eth1
 description to peer eth1
 ip address {ip1}/31
 ip ospf network point-to-point
 ip ospf area 0.0.0.0
 ip router isis FABRIC
 isis network point-to-point
interface eth2
 ip address {ip2}/31
 ip ospf network point-to-point
 ip ospf area 0.0.0.0
 ip router isis FABRIC
 isis network point-to-point
router ospf
 ospf router-id {lo}
router isis FABRIC
 net {net}
 is-type level-2-only
router bgp {asn}
 bgp router-id {lo}
 no bgp ebgp-requires-policy
 neighbor {peer1} remote-as {peer_as}
 neighbor {peer1} description peer
 neighbor {peer1} timers 3 9
 neighbor {peer1} timers connect 2
 address-family ipv4 unicast
  network {lo}/32
 exit-address-family
"""

    nodes = {
        "a": Node(
            "a",
            "172.30.99.11",
            conf(
                "a",
                65101,
                65100,
                "10.255.0.1",
                "10.1.0.1",
                "10.1.0.0",
                "10.1.0.3",
                "49.0001.0102.5500.0001.00",
            ),
        ),
        "b": Node(
            "b",
            "172.30.99.12",
            conf(
                "b",
                65100,
                65101,
                "10.255.0.2",
                "10.1.0.0",
                "10.1.0.1",
                "10.1.0.2",
                "49.0001.0102.5500.0002.00",
            ),
        ),
    }
    return FrrLab(name, nodes, [("a", "eth1", "b", "eth1"), ("a", "eth2", "b", "eth2")], workdir)


def _prefixes_received(lab: FrrLab, node: str) -> int:
    data = json.loads(lab.vtysh(node, "show bgp vrf all summary json"))
    peers = [p for vrf in data.values() for p in vrf.get("ipv4Unicast", {}).get("peers", {}).values()]
    return min((int(p.get("pfxRcd", 0)) for p in peers), default=0)


def record(out: Path) -> None:
    """Record FRR's JSON from a converged real pair into fixture files."""
    lab = pair_lab(Path("/tmp/netfabric-valtest"))
    lab.up()
    try:
        ok = lab.wait(lambda: lab.bgp_established("a") == 1, 60)
        ok = ok and lab.wait(lambda: "Full" in lab.vtysh("a", "show ip ospf neighbor"), 60)
        ok = ok and lab.wait(lambda: lab.vtysh("a", "show isis neighbor").count("Up") >= 2, 60)
        ok = ok and lab.wait(
            lambda: (
                "SysName:      b" in lab.nsx("a", "lldpcli", "-u", lab.lldp_sock("a"), "show", "neighbors")
            ),
            30,
        )
        # and each side has the other's loopback (the counters recorded below are not 0)
        ok = ok and all(lab.wait(lambda n=n: _prefixes_received(lab, n) >= 1, 30) for n in ("a", "b"))
        if not ok:
            raise SystemExit("FRR pair did not converge")
        out.mkdir(parents=True, exist_ok=True)
        cmds = {
            "show_bgp_vrf_all_summary.json": "show bgp vrf all summary json",
            "show_bgp_vrf_all_neighbors.json": "show bgp vrf all neighbors json",
            "show_ip_ospf_neighbor.json": "show ip ospf neighbor json",
            "show_ip_ospf_interface.json": "show ip ospf interface json",
            "show_isis_neighbor.json": "show isis neighbor json",
            "show_interface.json": "show interface json",
        }
        for node in ("a", "b"):
            for fname, cmd in cmds.items():
                (out / f"frr_{node}_{fname}").write_text(lab.vtysh(node, cmd))
            (out / f"frr_{node}_ip_addr.json").write_text(lab.nsx(node, "ip", "-j", "addr"))
            (out / f"frr_{node}_lldp_neighbors.json").write_text(
                lab.nsx(node, "lldpcli", "-u", lab.lldp_sock(node), "-f", "json", "show", "neighbors")
            )
        # A broken session too: peer AS mismatch on a, shut eth2 on b.
        lab.vtysh("a", "configure terminal\nrouter bgp 65101\nneighbor 10.1.0.0 remote-as 65199")
        lab.vtysh("a", "clear bgp *")
        # recorded once a's session is down with the reason b gave it (what the fixture is for)
        if not lab.wait(
            lambda: "Bad Peer AS" in lab.vtysh("a", "show bgp vrf all neighbors json")
            and lab.bgp_established("a") == 0,
            30,
        ):
            raise SystemExit("the AS mismatch never showed on a")
        (out / "frr_a_broken_show_bgp_vrf_all_summary.json").write_text(
            lab.vtysh("a", "show bgp vrf all summary json")
        )
        (out / "frr_a_broken_show_bgp_vrf_all_neighbors.json").write_text(
            lab.vtysh("a", "show bgp vrf all neighbors json")
        )
    finally:
        lab.destroy()


if __name__ == "__main__":
    if sys.argv[1:2] == ["record"]:
        record(Path(__file__).parent / "fixtures")
    elif sys.argv[1:2] == ["up"]:
        pair_lab(Path("/tmp/netfabric-valtest")).up()
    elif sys.argv[1:2] == ["down"]:
        pair_lab(Path("/tmp/netfabric-valtest")).destroy()
