"""Cisco IOS-XR: XRd in containerlab; NAPALM iosxr_netconf, scrapli cisco_iosxr."""

from __future__ import annotations

import re

from fabric.vendors.base import Vendor

_XRD_RX = re.compile(r"^(?:GigabitEthernet|Gi)(\d+)[/-](\d+)[/-](\d+)[/-](\d+)$", re.IGNORECASE)


def _linux_ifname(kind: str, name: str) -> str | None:
    if m := _XRD_RX.match(name):
        return "Gi" + "-".join(m.groups())
    return name if re.match(r"^eth(\d+)$", name) else None


VENDOR = Vendor(
    name="iosxr",
    description="Cisco IOS-XR",
    port_name=lambda n: f"GigabitEthernet0/0/0/{n - 1}",
    port_pattern=re.compile(r"GigabitEthernet0/0/0/([0-9]+)"),
    port_from_match=lambda m: int(m.group(1)) + 1,
    loopback="Loopback0",
    mgmt_interface="MgmtEth0/RP0/CPU0/0",
    clab_kind="cisco_xrd",
    clab_image="ios-xr/xrd-control-plane:24.1.1",
    clab_port=lambda n: f"Gi0-0-0-{n - 1}",
    clab_kinds=("cisco_xrd",),
    clab_aliases={"xrd": "cisco_xrd"},
    lab_credentials={"cisco_xrd": ("clab", "clab@123")},  # containerlab kinds/xrd
    nornir_platform="cisco_xr",
    ansible_vars={"ansible_network_os": "cisco.iosxr.iosxr",
                  "ansible_connection": "ansible.netcommon.network_cli"},
    linux_ifname=_linux_ifname,
    napalm="iosxr_netconf",
    scrapli="cisco_iosxr",
    netmiko="cisco_xr",
    netconf=True,
    mgmt_vrf="MGMT",
    driver="fabric.vendors.iosxr.driver:IosxrDriver",
    collector="fabric.state.collect:NapalmCollector",
)
