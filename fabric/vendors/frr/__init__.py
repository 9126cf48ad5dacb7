"""FRRouting on Linux: containerlab kind `linux` with an FRR image; vtysh over SSH; no twin needed."""

from __future__ import annotations

import re

from fabric.vendors.base import Vendor


def _linux_ifname(kind: str, name: str) -> str | None:
    # A plain Linux node: any valid Linux interface name but the loopback and the mgmt interface.
    return name if re.fullmatch(r"[A-Za-z0-9_.\-]{1,15}", name) and name not in ("lo", "eth0") else None


LINUX_USER = "root"
# linux/FRR nodes have no containerlab default, so the lab sets its own root password (docs/lab.md).
LINUX_PASSWORD = "netfabric"

VENDOR = Vendor(
    name="frr",
    description="FRRouting on Linux",
    port_name=lambda n: f"eth{n}",
    port_pattern=re.compile(r"eth([1-9][0-9]*)"),
    port_from_match=lambda m: int(m.group(1)),
    loopback="lo",
    mgmt_interface="eth0",
    clab_kind="linux",
    clab_image="quay.io/frrouting/frr:8.4.4",
    clab_port=lambda n: f"eth{n}",
    clab_kinds=("linux",),
    lab_credentials={"linux": (LINUX_USER, LINUX_PASSWORD)},
    nornir_platform="linux",
    linux_ifname=_linux_ifname,
    runs_on_linux=True,
    # FRR boxes are Linux hosts: collection goes over SSH to `vtysh ... json`.
    netmiko="linux",
    local_users=False,
    block_exit=True,
    driver="fabric.vendors.frr.driver:FrrDriver",
    collector="fabric.vendors.frr.collector:FrrCollector",
)
