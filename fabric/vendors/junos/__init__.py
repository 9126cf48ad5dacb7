"""Juniper Junos: vJunos (router, switch, evolved), vMX, vSRX and cRPD in containerlab; NAPALM junos
(NETCONF), PyEZ, scrapli/netmiko juniper_junos; the Junos device twin."""

from __future__ import annotations

import re

from fabric.vendors.base import Service, Vendor

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
    clab_kinds=("juniper_vjunosrouter", "juniper_vjunosswitch", "juniper_vjunosevolved", "juniper_vmx",
                "juniper_vsrx", "juniper_crpd"),
    clab_aliases={"crpd": "juniper_crpd", "vr-vjunosrouter": "juniper_vjunosrouter",
                  "vr-juniper_vjunosrouter": "juniper_vjunosrouter", "vr-vmx": "juniper_vmx",
                  "vr-juniper_vmx": "juniper_vmx", "vr-vsrx": "juniper_vsrx",
                  "vr-juniper_vsrx": "juniper_vsrx"},
    # containerlab's defaults: kinds/vr_vjunos*, vr_vmx, vr_vsrx (admin/admin@123) and crpd (root/clab123)
    lab_credentials={**{k: ("admin", "admin@123") for k in (
        "juniper_vjunosrouter", "juniper_vjunosswitch", "juniper_vjunosevolved", "juniper_vmx",
        "juniper_vsrx")}, "juniper_crpd": ("root", "clab123")},
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
    remediation="fabric.vendors.junos.remediate:JunosRemediation",
    driver="fabric.vendors.junos.driver:JunosDriver",
    collector="fabric.vendors.junos.collector:JunosCollector",
    twin="fabric.vendors.junos.twin.twin:JunosTwin",
    # The CLI and the ``netconf`` subsystem on 22 (NAPALM junos's default port), NETCONF on 830.
    twin_services=(Service("ssh", 22), Service("netconf", 830)),
)
