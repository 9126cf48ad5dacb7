"""Arista EOS: cEOS in containerlab; NAPALM eos / eAPI; the EOS device twin."""

from __future__ import annotations

import re

from fabric.vendors.base import Service, Vendor

_CEOS_RX = re.compile(r"^(?:Ethernet|Et|eth)(\d+)(?:/(\d+))?$", re.IGNORECASE)


def _linux_ifname(kind: str, name: str) -> str | None:
    m = _CEOS_RX.match(name)
    return f"eth{m.group(1)}" + (f"_{m.group(2)}" if m.group(2) else "") if m else None


VENDOR = Vendor(
    name="eos",
    description="Arista EOS",
    port_name=lambda n: f"Ethernet{n}",
    port_pattern=re.compile(r"Ethernet([1-9][0-9]*)"),
    port_from_match=lambda m: int(m.group(1)),
    loopback="Loopback0",
    mgmt_interface="Management0",
    clab_kind="arista_ceos",
    clab_image="ceos:4.32.0F",
    clab_port=lambda n: f"eth{n}",
    clab_kinds=("arista_ceos",),
    clab_aliases={"ceos": "arista_ceos"},
    lab_credentials={"arista_ceos": ("admin", "admin")},  # containerlab kinds/ceos
    nornir_platform="arista_eos",
    ansible_vars={"ansible_network_os": "arista.eos.eos",
                  "ansible_connection": "ansible.netcommon.network_cli"},
    linux_ifname=_linux_ifname,
    napalm="eos",
    # The lab's eAPI uses a self-signed certificate; pyeapi does not verify it by default.
    napalm_optional_args={"transport": "https"},
    scrapli="arista_eos",
    netmiko="arista_eos",
    mgmt_vrf="MGMT",
    config_indent=3,
    driver="fabric.vendors.eos.driver:EosDriver",
    collector="fabric.vendors.eos.collector:EosCollector",
    twin="fabric.vendors.eos.twin.twin:EosTwin",
    twin_services=(Service("ssh", 22), Service("http", 80), Service("https", 443)),
)
