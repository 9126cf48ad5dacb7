"""A self-contained twin test bed: one EOS-twin netns + one plain-FRR peer netns.

Used by tests/vendors/eos and bench/bench_twin.py until (and besides) the embedded lab.
Everything created here is removed by ``TestBed.destroy`` (namespaces, daemons).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from fabric.lab.netns import FRR_TMP, FRR_TMP_MOUNT

DAEMONS = ["zebra", "bgpd", "ospfd", "isisd", "staticd"]

PEER_FRR = """frr defaults traditional
hostname peer
interface eth1
 ip address 10.99.0.1/31
exit
interface lo
 ip address 192.0.2.99/32
exit
router bgp 65002
 bgp router-id 192.0.2.99
 no bgp ebgp-requires-policy
 neighbor 10.99.0.0 remote-as 65001
 neighbor 10.99.0.0 timers 1 3
 neighbor 10.99.0.0 timers connect 1
 address-family ipv4 unicast
  network 192.0.2.99/32
 exit-address-family
exit
"""

EOS_STARTUP = """hostname twin1
username admin privilege 15 role network-admin secret 0 admin
!
interface Ethernet1
   description to-peer
   no switchport
   ip address 10.99.0.0/31
!
interface Loopback0
   ip address 192.0.2.1/32
!
interface Management0
   ip address {mgmt}/30
!
ip routing
!
router bgp 65001
   router-id 192.0.2.1
   maximum-paths 4
   neighbor 10.99.0.1 remote-as 65002
   neighbor 10.99.0.1 description peer-frr
   network 192.0.2.1/32
!
management api http-commands
   no shutdown
!
end
"""


def _sh(*argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, check=check, capture_output=True, text=True, timeout=60)


class TestBed:
    __test__ = False  # not a pytest test class

    @property
    def eos_ns_name(self) -> str:
        return self.eos_ns

    def __init__(self, workdir: Path) -> None:
        tag = secrets.token_hex(3)
        self.tag = tag
        self.workdir = workdir
        self.eos_ns = f"clab-twintest-{tag}-eos"
        self.peer_ns = f"clab-twintest-{tag}-peer"
        self.host_if = f"nftw{tag}"
        octet = int(tag[:2], 16) % 200 + 20
        self.host_ip = f"10.251.{octet}.1"
        self.mgmt_ip = f"10.251.{octet}.2"
        self.state_path = workdir / "netfabric-lab.json"
        self.server: subprocess.Popen[bytes] | None = None
        self._created: list[str] = []

    # ---- build ---------------------------------------------------------------
    def create(self) -> None:
        for ns in (self.eos_ns, self.peer_ns):
            _sh("ip", "netns", "add", ns)
            self._created.append(ns)
            _sh("ip", "-n", ns, "link", "set", "lo", "up")
        a, b, m = "nftwa" + self.tag, "nftwb" + self.tag, "nftwm" + self.tag
        _sh("ip", "link", "add", a, "type", "veth", "peer", "name", b)
        _sh("ip", "link", "set", a, "netns", self.eos_ns, "name", "eth1")
        _sh("ip", "link", "set", b, "netns", self.peer_ns, "name", "eth1")
        _sh("ip", "link", "add", self.host_if, "type", "veth", "peer", "name", m)
        _sh("ip", "link", "set", m, "netns", self.eos_ns, "name", "eth0")
        _sh("ip", "addr", "add", f"{self.host_ip}/30", "dev", self.host_if)
        _sh("ip", "link", "set", self.host_if, "up")
        _sh("ip", "-n", self.eos_ns, "addr", "add", f"{self.mgmt_ip}/30", "dev", "eth0")
        for ns in (self.eos_ns, self.peer_ns):
            for itf in ("eth0", "eth1"):
                _sh("ip", "-n", ns, "link", "set", itf, "up", check=False)
        for ns in (self.eos_ns, self.peer_ns):
            self._start_frr(ns)
        peer_conf = self.workdir / "peer-frr.conf"
        peer_conf.write_text(PEER_FRR)
        _sh("vtysh", "-N", self.peer_ns, "-f", str(peer_conf), check=False)
        node_dir = self.workdir / "twin1"
        node_dir.mkdir(parents=True, exist_ok=True)
        startup = self.workdir / "twin1.cfg"
        startup.write_text(EOS_STARTUP.format(mgmt=self.mgmt_ip))
        node = {
            "kind": "arista_ceos",
            "long_name": self.eos_ns,
            "netns": self.eos_ns,
            "mgmt_ipv4": self.mgmt_ip,
            "mgmt_prefix_len": 30,
            "mgmt_if": "eth0",
            "frr_pathspace": self.eos_ns,
            "twin": "eos",
            "interfaces": ["eth1"],
            "startup_config": str(startup),
            "username": "admin",
            "password": "admin",
            "node_dir": str(node_dir),
        }
        peer = {
            "kind": "linux",
            "long_name": self.peer_ns,
            "netns": self.peer_ns,
            "mgmt_ipv4": None,
            "frr_pathspace": self.peer_ns,
            "twin": None,
            "interfaces": ["eth1"],
            "node_dir": str(self.workdir / "peer"),
        }
        state = {
            "name": f"twintest-{self.tag}",
            "prefix": "clab",
            "topology": "",
            "lab_dir": str(self.workdir),
            "backend": "netns",
            "mgmt": {},
            "nodes": {"twin1": node, "peer": peer},
            "links": [
                {"a": {"node": "twin1", "interface": "eth1"}, "b": {"node": "peer", "interface": "eth1"}}
            ],
            "pids": {},
        }
        self.state_path.write_text(json.dumps(state, indent=1))
        self.start_server()

    def _start_frr(self, ns: str) -> None:
        rundir = Path("/var/run/frr") / ns
        rundir.mkdir(parents=True, exist_ok=True)
        shutil.chown(rundir, "frr", "frr")
        FRR_TMP.mkdir(parents=True, exist_ok=True)
        for d in DAEMONS:
            argv = [f"/usr/lib/frr/{d}", "-N", ns, "-d", "-F", "traditional", "-f", "/dev/null",
                    "--log", f"file:{self.workdir}/{ns}-{d}.log"]
            # `ip netns exec` runs it in a private mount namespace: FRR's crash-log dir goes to a tmpfs
            # there, not to the host's /var/tmp/frr (see fabric.lab.netns.FRR_TMP).
            _sh("ip", "netns", "exec", ns, "sh", "-c", f"{FRR_TMP_MOUNT} && exec {shlex.join(argv)}")
        for _ in range(50):
            if all((rundir / f"{d}.vty").exists() for d in DAEMONS):
                return
            time.sleep(0.1)

    def start_server(self) -> None:
        log = open(self.workdir / "twin-server.log", "ab")  # noqa: SIM115 - handed to the child
        self.server = subprocess.Popen(
            [sys.executable, "-m", "fabric.twins", "serve", str(self.state_path)],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=str(Path(__file__).resolve().parents[2]),
        )
        self.wait_ports()

    def wait_ports(self, timeout: float = 30) -> None:
        deadline = time.time() + timeout
        for port in (22, 443, 80):
            while True:
                with contextlib.suppress(OSError), socket.create_connection((self.mgmt_ip, port), timeout=1):
                    break
                if time.time() > deadline:
                    raise RuntimeError(f"twin port {port} not ready; see {self.workdir}/twin-server.log")
                if self.server and self.server.poll() is not None:
                    raise RuntimeError(f"twin server exited; see {self.workdir}/twin-server.log")
                time.sleep(0.2)

    def stop_server(self) -> None:
        if self.server and self.server.poll() is None:
            self.server.send_signal(signal.SIGTERM)
            try:
                self.server.wait(10)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
        self.server = None

    # ---- peer view -------------------------------------------------------------
    def peer_bgp_state(self) -> str:
        out = _sh("vtysh", "-N", self.peer_ns, "-c", "show bgp neighbors 10.99.0.0 json", check=False).stdout
        try:
            return str(json.loads(out).get("10.99.0.0", {}).get("bgpState", "?"))
        except json.JSONDecodeError:
            return "?"

    def wait_peer(self, state: str, timeout: float = 30) -> bool:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.peer_bgp_state() == state:
                return True
            time.sleep(0.5)
        return False

    def wait_received(self, minimum: int = 1, timeout: float = 30) -> bool:
        """Established is not enough for prefix assertions: the peer's first UPDATE follows it."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            cmd = "show bgp ipv4 unicast summary json"
            out = _sh("vtysh", "-N", self.eos_ns, "-c", cmd, check=False).stdout
            try:
                peers = json.loads(out).get("peers", {})
            except json.JSONDecodeError:
                peers = {}
            if any(int(p.get("pfxRcd", 0)) >= minimum for p in peers.values()):
                return True
            time.sleep(0.5)
        return False

    # ---- teardown ----------------------------------------------------------------
    def destroy(self) -> None:
        self.stop_server()
        for ns in self._created:
            rundir = Path("/var/run/frr") / ns
            for pidf in rundir.glob("*.pid"):
                with contextlib.suppress(ValueError, ProcessLookupError, OSError):
                    os.kill(int(pidf.read_text().strip()), signal.SIGTERM)
            time.sleep(0.3)
            for pidf in rundir.glob("*.pid"):
                with contextlib.suppress(ValueError, ProcessLookupError, OSError):
                    os.kill(int(pidf.read_text().strip()), signal.SIGKILL)
            shutil.rmtree(rundir, ignore_errors=True)
            _sh("ip", "netns", "del", ns, check=False)
        _sh("ip", "link", "del", self.host_if, check=False)
        self._created.clear()


def main() -> None:
    """Interactive use: ``python -m fabric.vendors.eos.twin.testbed DIR`` builds a bed until Ctrl-C."""
    wd = Path(sys.argv[1]).resolve()
    wd.mkdir(parents=True, exist_ok=True)
    bed = TestBed(wd)
    # Block the signals first so sigwait (not the default handler) receives them and cleanup runs.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        bed.create()
        print(json.dumps({"mgmt_ip": bed.mgmt_ip, "state": str(bed.state_path)}), flush=True)
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        bed.destroy()


if __name__ == "__main__":
    main()


def private_topology(src: Path, workdir: Path, prefix: str = "tw") -> Path:
    """A private copy of a topology (own lab name, a free 172.21.x.0/24 for mgmt): see
    :func:`fabric.lab.api.private_topology`."""
    from fabric.lab.api import free_mgmt_subnet
    from fabric.lab.api import private_topology as copy

    subnet = free_mgmt_subnet(f"172.21.{secrets.randbelow(200) + 20}.0/24" for _ in range(200))
    return copy(src, workdir, f"{prefix}{secrets.token_hex(3)}", subnet)


class LabBed(TestBed):
    """The same test surface on a real embedded-lab deployment of containerlab/eos-pair.clab.yml.

    A private copy (own name and mgmt subnet) is deployed, so concurrent runs never collide.
    """

    def __init__(self, topology: Path, workdir: Path | None = None) -> None:
        if workdir is not None:
            topology = private_topology(topology, workdir)
        self.topology = topology
        self.state: dict[str, object] = {}
        self.server = None
        self._created = []

    def create(self) -> None:
        from fabric.lab import api

        api.destroy(self.topology)  # a crashed earlier run must not block the deploy
        self.state = api.deploy(self.topology, wait=True, timeout=60)
        nodes = self.state["nodes"]
        assert isinstance(nodes, dict)
        self.mgmt_ip = nodes["twin1"]["mgmt_ipv4"]
        self.peer_ns = nodes["peer"]["netns"]
        self.eos_ns = nodes["twin1"]["netns"]
        self.state_path = Path(str(self.state["lab_dir"])) / "netfabric-lab.json"
        self.workdir = Path(str(self.state["lab_dir"]))

    def stop_server(self) -> None:
        pids = self.state.get("pids", {})
        pid = pids.get("twin") if isinstance(pids, dict) else None
        if pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGTERM)
            for _ in range(100):
                try:
                    os.kill(int(pid), 0)
                except ProcessLookupError:
                    break
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(int(pid), os.WNOHANG)
                time.sleep(0.1)
            else:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(int(pid), signal.SIGKILL)  # state is on disk already; never leave it running
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(int(pid), 0)

    def start_server(self) -> None:
        from fabric.lab.state import save_state

        log = open(self.workdir / "twin.log", "ab")  # noqa: SIM115 - handed to the child
        p = subprocess.Popen(
            [sys.executable, "-m", "fabric.twins", "serve", str(self.state_path)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.state.setdefault("pids", {})["twin"] = p.pid  # type: ignore[index]
        save_state(self.state)  # type: ignore[arg-type]  # so `fabric lab destroy` stops this one
        self.wait_ports()

    def destroy(self) -> None:
        from fabric.lab import api

        api.destroy(self.topology)
