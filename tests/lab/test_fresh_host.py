"""A fresh host: what a new Debian box lacks is absent, and the lab still deploys.

Two things a fresh box lacked broke `make demo` there while this box passed: `/run/sshd` (sshd's
privilege-separation dir, created by the ssh service, which the Makefile disables) and programs from
packages nobody declared.  This test removes `/run/sshd` (restored afterwards if the host had it) and
runs `fabric lab deploy` with PATH holding ONLY the programs declared in fabric.doctor.PROGRAMS, so any
program the lab, the node start scripts or the twins run without declaring it fails the deploy.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import paramiko
import pytest
from _labutil import REPO, require_frr

from fabric import doctor
from fabric.lab.api import free_mgmt_subnet, private_topology
from fabric.lab.topology import LINUX_PASSWORD

pytestmark = pytest.mark.lab


def declared_path(jail: Path) -> str:
    """A PATH directory with a link to each declared program (absolute ones are run by path anyway)."""
    jail.mkdir(parents=True, exist_ok=True)
    for p in doctor.PROGRAMS:
        if not p.name.startswith("/"):
            real = shutil.which(p.name)
            assert real, f"{p.name} not installed: run `make system`"
            (jail / p.name).symlink_to(real)
    return str(jail)


@pytest.fixture
def no_run_sshd() -> Iterator[None]:
    run_sshd = Path("/run/sshd")
    saved = None
    if run_sshd.exists():
        saved = run_sshd.with_name("sshd.netfabric-test-saved")
        run_sshd.rename(saved)
    try:
        yield
    finally:
        if saved is not None:
            if run_sshd.exists():
                shutil.rmtree(run_sshd)
            saved.rename(run_sshd)


def test_lab_deploys_on_a_fresh_host_with_only_declared_programs(tmp_path: Path, no_run_sshd: None) -> None:
    require_frr()
    subnet = free_mgmt_subnet(f"172.20.{i}.0/24" for i in range(170, 180))
    topo = private_topology(REPO / "containerlab" / "eos-pair.clab.yml", tmp_path, "nf-fresh", subnet)
    env = {**os.environ, "PATH": declared_path(tmp_path / "bin")}
    fabric = [sys.executable, "-m", "fabric.cli", "lab"]
    assert not Path("/run/sshd").exists()
    try:
        p = subprocess.run([*fabric, "deploy", "-t", str(topo), "--wait-converged"], env=env,
                           capture_output=True, text=True, timeout=240)
        assert p.returncode == 0, f"deploy on a fresh host failed:\n{p.stdout[-1500:]}\n{p.stderr[-1500:]}"
        assert Path("/run/sshd").is_dir(), "the lab did not create sshd's privilege-separation dir"
        # The FRR node's sshd really serves (it refuses connections without /run/sshd).
        import yaml

        peer_ip = yaml.safe_load(topo.read_text())["topology"]["nodes"]["peer"]["mgmt-ipv4"]
        c = paramiko.SSHClient()
        c.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        c.connect(peer_ip, username="root", password=LINUX_PASSWORD, timeout=10,
                  allow_agent=False, look_for_keys=False)
        try:
            _, out, _ = c.exec_command("vtysh -c 'show bgp summary json'", timeout=20)
            assert '"peers"' in out.read().decode()
        finally:
            c.close()
    finally:
        d = subprocess.run([*fabric, "destroy", "-t", str(topo)], env=env, capture_output=True, text=True,
                           timeout=120)
    assert d.returncode == 0, d.stderr[-1000:]


def test_deploy_stops_before_creating_anything_when_a_prerequisite_is_missing(tmp_path: Path) -> None:
    require_frr()
    subnet = free_mgmt_subnet(f"172.20.{i}.0/24" for i in range(180, 190))
    topo = private_topology(REPO / "containerlab" / "eos-pair.clab.yml", tmp_path, "nf-nolldp", subnet)
    bindir = tmp_path / "bin"
    env = {**os.environ, "PATH": declared_path(bindir)}
    (bindir / "lldpcli").unlink()  # as on a host without the lldpd package
    before = set(os.listdir("/run/netns")) if os.path.isdir("/run/netns") else set()
    p = subprocess.run([sys.executable, "-m", "fabric.cli", "lab", "deploy", "-t", str(topo)], env=env,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2, p.stdout + p.stderr  # bad environment: the operator must fix the host
    err = " ".join((p.stdout + p.stderr).split())
    assert "program lldpcli" in err and "apt-get install" in err and "lldpd" in err, err
    after = set(os.listdir("/run/netns")) if os.path.isdir("/run/netns") else set()
    assert after == before, f"namespaces created despite the missing prerequisite: {after - before}"
    assert not (tmp_path / "clab-nf-nolldp").exists()
