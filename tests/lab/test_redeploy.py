"""A redeploy is a reboot: a twin starts from the topology's startup-config, not from the running-config
an earlier deployment left in the lab directory.

The second `make demo` in one checkout found the canary already carrying the previous run's bad change:
the twin told a redeploy from a twin restart by the namespace's inode number, which the kernel reuses.
Each deployment now has an id; `destroy --cleanup` and `deploy --reconfigure` also clear the lab dir.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from _labutil import REPO, require_frr

from fabric.lab import api

pytestmark = pytest.mark.lab


def _napalm(ip: str):  # type: ignore[no-untyped-def]
    from napalm import get_network_driver

    d = get_network_driver("eos")(ip, "admin", "admin", timeout=30, optional_args={"transport": "https"})
    d.open()
    return d


def test_redeploy_boots_from_startup_config_and_cleanup_removes_saved_state(tmp_path: Path) -> None:
    require_frr()
    subnet = api.free_mgmt_subnet(f"172.20.{i}.0/24" for i in range(160, 170))
    topo = api.private_topology(REPO / "containerlab" / "eos-pair.clab.yml", tmp_path, "nf-redeploy", subnet)
    lab_dir = tmp_path / "clab-nf-redeploy"
    try:
        st = api.deploy(topo, wait=True, timeout=60)
        ip = st["nodes"]["twin1"]["mgmt_ipv4"]
        d = _napalm(ip)
        try:
            d.load_merge_candidate(config="interface Ethernet1\n   description left-by-the-last-run\n")
            d.commit_config()
            assert "left-by-the-last-run" in d.get_config(retrieve="running")["running"]
        finally:
            d.close()
        api.destroy(topo)  # no cleanup: the twin's saved state stays in the lab directory
        assert (lab_dir / "twin1" / "twin" / "running-config").exists()
        st = api.deploy(topo, wait=True, timeout=60)
        d = _napalm(ip)
        try:
            assert "left-by-the-last-run" not in d.get_config(retrieve="running")["running"]
        finally:
            d.close()
        # `fabric lab destroy --cleanup` (containerlab's flag) removes the lab directory.
        cmd = [sys.executable, "-m", "fabric.cli", "lab", "destroy", "-t", str(topo), "--cleanup"]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=os.environ.copy())
        assert p.returncode == 0, p.stderr
        assert not lab_dir.exists()
    finally:
        api.destroy(topo, cleanup=True)
