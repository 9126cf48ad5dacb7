"""Every FRR daemon gets its part of an integrated frr.conf written the FRR 8 way (blocks closed by `exit`).

Found by a benchmark: a daemon reading the integrated file fails on another daemon's block and that
block's `exit` took it out of configuration mode, so a `router ospf` or a `bfd` profile after
`router bgp` silently never reached ospfd / bfdd.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from _labutil import lab_leftovers, require_frr

from fabric.lab import deploy, destroy
from fabric.lab.netns import daemon_config

pytestmark = pytest.mark.lab

CONF = """frr version 8.4
frr defaults datacenter
hostname r1
!
interface lo
 ip address 10.255.9.1/32
exit
!
router bgp 65001
 bgp router-id 10.255.9.1
 neighbor 10.9.0.1 remote-as 65002
 address-family ipv4 unicast
  network 10.255.9.1/32
 exit-address-family
exit
!
router ospf
 ospf router-id 10.255.9.1
 network 10.255.9.1/32 area 0
exit
!
bfd
 profile slow
  transmit-interval 1000
  receive-interval 1000
 exit
 !
exit
!
end
"""

DAEMONS = "zebra=yes\nbgpd=yes\nospfd=yes\nbfdd=yes\nstaticd=yes\nvtysh_enable=yes\n"


def test_daemon_config_drops_only_exit_lines() -> None:
    out = daemon_config(CONF)
    assert "exit\n" not in out.replace("exit-address-family", "")
    assert out.count("\n") == CONF.count("\n") - 5  # five `exit` lines, everything else kept
    assert " exit-address-family\n" in out and "  transmit-interval 1000\n" in out


def test_each_daemon_gets_its_blocks_after_foreign_ones(tmp_path: Path) -> None:
    require_frr()
    (tmp_path / "r1.conf").write_text(CONF)
    (tmp_path / "daemons").write_text(DAEMONS)
    topo = tmp_path / "nf-frrconf.clab.yml"
    topo.write_text(
        "name: nf-frrconf\nmgmt: {ipv4-subnet: 172.20.34.0/24}\n"
        "topology:\n  nodes:\n"
        "    r1:\n      kind: linux\n      image: quay.io/frrouting/frr:8.4.4\n"
        "      binds: [r1.conf:/etc/frr/frr.conf, daemons:/etc/frr/daemons]\n"
    )
    st = deploy(topo, wait=True, timeout=60)
    ns = st["nodes"]["r1"]["netns"]
    try:

        def daemon_running(d: str) -> str:
            return subprocess.run(["vtysh", "-N", ns, "-d", d, "-c", "show running-config"],
                                  capture_output=True, text=True, timeout=20).stdout

        assert "router bgp 65001" in daemon_running("bgpd")
        assert "ospf router-id 10.255.9.1" in daemon_running("ospfd")
        bfd = daemon_running("bfdd")
        assert "profile slow" in bfd and "transmit-interval 1000" in bfd
        assert "10.255.9.1/32" in daemon_running("zebra")  # the interface block before the others
    finally:
        destroy(topo)
    assert not lab_leftovers({ns}, st["mgmt"]["bridge"])
