"""Nokia SR OS (MD-CLI): vrnetlab SR OS in containerlab; NETCONF, NAPALM sros."""

from __future__ import annotations

import re

from fabric.vendors.base import Vendor

_SROS_RX = re.compile(r"^(\d+)/(\d+)/(\d+)$")


def _linux_ifname(kind: str, name: str) -> str | None:
    if m := _SROS_RX.match(name):
        return f"eth{m.group(3)}"
    return name if re.match(r"^eth(\d+)$", name) else None


VENDOR = Vendor(
    name="sros",
    description="Nokia SR OS (MD-CLI)",
    port_name=lambda n: f"1/1/c{n}/1",
    port_pattern=re.compile(r"1/1/c([1-9][0-9]*)/1"),
    port_from_match=lambda m: int(m.group(1)),
    loopback="system",
    mgmt_interface="A/1",
    clab_kind="nokia_sros",
    clab_image="vrnetlab/nokia_sros:24.10.R1",
    clab_port=lambda n: f"eth{n}",
    clab_kinds=("nokia_sros",),
    clab_aliases={"vr-sros": "nokia_sros", "vr-nokia_sros": "nokia_sros"},
    lab_credentials={"nokia_sros": ("admin", "admin")},  # containerlab kinds/vr_sros
    nornir_platform="nokia_sros",
    ansible_vars={"ansible_network_os": "nokia.sros.md",
                  "ansible_connection": "ansible.netcommon.network_cli"},
    linux_ifname=_linux_ifname,
    napalm="sros",
    scrapli="nokia_sros",
    netmiko="nokia_sros",
    netconf=True,
    mgmt_vrf="management",
    driver="fabric.vendors.sros.driver:SrosDriver",
    collector="fabric.state.collect:NapalmCollector",
)
