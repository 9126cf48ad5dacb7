"""Cisco IOS-XR: XRd, XRv 9000 and XRv in containerlab; NAPALM iosxr_netconf, scrapli cisco_iosxr, netmiko
cisco_xr, ncclient iosxr; the IOS-XR device twin."""

from __future__ import annotations

import re

from fabric.vendors.base import Service, Vendor

_XR_RX = re.compile(r"^(?:GigabitEthernet|Gi)(\d+)[/-](\d+)[/-](\d+)[/-](\d+)$", re.IGNORECASE)
_VRNETLAB = ("cisco_xrv9k", "cisco_xrv")


def _linux_ifname(kind: str, name: str) -> str | None:
    """containerlab's interface names -> the Linux name in the node. XRd takes ``Gi0-0-0-N`` (the Linux
    name XRd itself maps to GigabitEthernet0/0/0/N); the vrnetlab kinds take ``ethN`` (N >= 1 is
    GigabitEthernet0/0/0/{N-1}) or the XR name. The embedded lab names every XR data port ``Gi0-0-0-N``
    whatever the kind, so the twin needs no per-kind mapping."""
    if m := _XR_RX.match(name):
        return "Gi" + "-".join(m.groups())
    if kind in _VRNETLAB and (m := re.fullmatch(r"eth([1-9]\d*)", name)):
        return f"Gi0-0-0-{int(m.group(1)) - 1}"
    return name if name == "eth0" else None


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
    clab_kinds=("cisco_xrd", "cisco_xrv9k", "cisco_xrv"),
    clab_aliases={"xrd": "cisco_xrd", "vr-xrv9k": "cisco_xrv9k", "vr-cisco_xrv9k": "cisco_xrv9k",
                  "vr-xrv": "cisco_xrv", "vr-cisco_xrv": "cisco_xrv"},
    # containerlab's defaults: kinds/xrd, kinds/vr_xrv9k and kinds/vr_xrv (clab/clab@123)
    lab_credentials={k: ("clab", "clab@123") for k in ("cisco_xrd", "cisco_xrv9k", "cisco_xrv")},
    nornir_platform="cisco_xr",
    ansible_vars={"ansible_network_os": "cisco.iosxr.iosxr",
                  "ansible_connection": "ansible.netcommon.network_cli"},
    linux_ifname=_linux_ifname,
    napalm="iosxr_netconf",
    scrapli="cisco_iosxr",
    netmiko="cisco_xr",
    netconf=True,
    mgmt_vrf="MGMT",
    mode_reset="root",
    driver="fabric.vendors.iosxr.driver:IosxrDriver",
    collector="fabric.vendors.iosxr.collector:IosxrCollector",
    twin="fabric.vendors.iosxr.twin.twin:IosxrTwin",
    twin_services=(Service("ssh", 22), Service("netconf", 830)),
)
