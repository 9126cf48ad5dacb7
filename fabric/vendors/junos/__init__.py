"""Juniper Junos: vJunos-router and cRPD in containerlab; NAPALM junos (NETCONF), scrapli juniper_junos."""

from __future__ import annotations

import re

from fabric.vendors.base import Vendor

_JUNOS_RX = re.compile(r"^(?:ge|xe|et)-0/0/(\d+)$")


def _linux_ifname(kind: str, name: str) -> str | None:
    if m := _JUNOS_RX.match(name):
        return f"eth{int(m.group(1)) + 1}"
    return name if re.match(r"^eth(\d+)$", name) else None


VENDOR = Vendor(
    name="junos",
    description="Juniper Junos",
    port_name=lambda n: f"ge-0/0/{n - 1}",
    port_pattern=re.compile(r"ge-0/0/([0-9]+)"),
    port_from_match=lambda m: int(m.group(1)) + 1,
    loopback="lo0",
    mgmt_interface="fxp0",
    clab_kind="juniper_vjunosrouter",
    clab_image="vrnetlab/juniper_vjunos-router:23.2R1.15",
    clab_port=lambda n: f"eth{n}",
    clab_kinds=("juniper_vjunosrouter", "juniper_crpd"),
    clab_aliases={"crpd": "juniper_crpd", "vr-vjunosrouter": "juniper_vjunosrouter",
                  "vr-juniper_vjunosrouter": "juniper_vjunosrouter"},
    # containerlab kinds/vr_vjunosrouter and kinds/crpd
    lab_credentials={"juniper_vjunosrouter": ("admin", "admin@123"), "juniper_crpd": ("root", "clab123")},
    nornir_platform="juniper_junos",
    ansible_vars={"ansible_network_os": "junipernetworks.junos.junos",
                  "ansible_connection": "ansible.netcommon.netconf"},
    linux_ifname=_linux_ifname,
    napalm="junos",
    scrapli="juniper_junos",
    netmiko="juniper_junos",
    netconf=True,
    mgmt_vrf="mgmt_junos",
    set_form="fabric.vendors.junos.render:junos_display_set",
    driver="fabric.vendors.junos.driver:JunosDriver",
    collector="fabric.state.collect:NapalmCollector",
)
