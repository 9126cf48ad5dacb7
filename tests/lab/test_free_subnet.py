"""free_mgmt_subnet never hands out a subnet the host already has an address in (a lab of another
lab registry, or anything else), not only the subnets its own registry knows."""

from __future__ import annotations

import os
import secrets
import subprocess

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
