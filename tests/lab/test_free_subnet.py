"""free_mgmt_subnet never hands out a subnet the host already has an address in (a lab of another
lab registry, or anything else), not only the subnets its own registry knows."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

from _labutil import require

from fabric.lab.api import free_mgmt_subnet


def test_subnet_on_a_host_interface_is_not_free() -> None:
    require(os.geteuid() == 0, "adding a host interface needs root")
    third = 100 + secrets.randbelow(100)
    taken, free = f"10.254.{third}.0/24", f"10.254.{third + 1}.0/24"
    assert free_mgmt_subnet([taken, free]) == taken  # nothing uses it yet
    br = f"nfsub{secrets.token_hex(3)}"
    subprocess.run(["ip", "link", "add", br, "type", "bridge"], check=True)
    try:
        # what another registry's lab looks like to this host: its mgmt bridge holds the subnet's .1
        subprocess.run(["ip", "addr", "add", f"10.254.{third}.1/24", "dev", br], check=True)
        assert free_mgmt_subnet([taken, free]) == free
    finally:
        subprocess.run(["ip", "link", "del", br], check=False)


def test_a_subnet_another_process_just_picked_is_not_free() -> None:
    """Two private copies picked at once (two scenario runs, two test workers) get different subnets,
    although neither bridge exists yet; the process that picked one may pick it again, and once that
    process is gone its pick is free (its lab is deployed, and then seen, or it never will be)."""
    require(os.geteuid() == 0, "/run/netfabric is root's")
    third = 100 + secrets.randbelow(100)
    a, b = f"10.253.{third}.0/24", f"10.253.{third + 1}.0/24"
    code = f"from fabric.lab.api import free_mgmt_subnet as f; print(f({[a, b]!r}), flush=True); input()"
    other = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True)
    try:
        assert other.stdout is not None and other.stdout.readline().strip() == a
        assert free_mgmt_subnet([a, b]) == b
        assert free_mgmt_subnet([a, b]) == b  # its own pick is still free to this process
    finally:
        other.communicate("\n", timeout=30)
    assert free_mgmt_subnet([a, b]) == a
