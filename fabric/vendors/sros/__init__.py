"""Nokia SR OS (MD-CLI): vrnetlab SR OS (kind nokia_sros) and the native SR-SIM (kind nokia_srsim) in
containerlab; NETCONF with the Nokia YANG models, NAPALM sros (napalm-sros), scrapli-community and netmiko
nokia_sros; the SR OS device twin."""

from __future__ import annotations

import re

from fabric.vendors.base import Service, Vendor

# 1/1/c3/1 (a connector's breakout port) or 1/1/3 (a fixed port), card 1, MDA 1: what the lab models
_PORT_RX = re.compile(r"^1/1/(c?)([1-9][0-9]*)(?:/1)?$")


def _linux_ifname(kind: str, name: str) -> str | None:
    """containerlab's interface names -> the Linux name in the node. nokia_sros (vrnetlab) numbers data ports
    ``ethN`` (port N of the first MDA, ``1/1/cN/1`` or ``1/1/N``); nokia_srsim (SR-SIM) names them after the
    port, ``1/1/c1/1`` -> ``e1-1-c1-1`` (containerlab's kind docs), and takes that form directly too."""
    m = _PORT_RX.match(name)
    if kind == "nokia_srsim":
        if m:
            return "e" + name.replace("/", "-")
        return name if re.fullmatch(r"e1-1-c?[1-9][0-9]*(-1)?", name) else None
    if m and (m.group(1) == "") == (name.count("/") == 2):
        return f"eth{m.group(2)}"
    return name if re.fullmatch(r"eth(0|[1-9][0-9]*)", name) else None


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
    clab_kinds=("nokia_sros", "nokia_srsim"),
    clab_aliases={"vr-sros": "nokia_sros", "vr-nokia_sros": "nokia_sros"},
    # containerlab's defaults: kinds/vr_sros (admin/admin) and kinds/sros (SR-SIM: admin/NokiaSros1!)
    lab_credentials={"nokia_sros": ("admin", "admin"), "nokia_srsim": ("admin", "NokiaSros1!")},
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
    collector="fabric.vendors.sros.collector:SrosCollector",
    remediation="fabric.vendors.sros.remediate:SrosRemediation",
    merge_check="fabric.vendors.sros.driver:merge_problems",
    twin="fabric.vendors.sros.twin.twin:SrosTwin",
    twin_services=(Service("ssh", 22), Service("netconf", 830)),
)
