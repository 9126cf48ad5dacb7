"""Nokia SR Linux: containerlab kind nokia_srlinux; JSON-RPC (napalm-srlinux), scrapli nokia_srlinux,
netmiko nokia_srl; the SR Linux device twin."""

from __future__ import annotations

import re

from fabric.vendors.base import Service, Vendor

_SRL_RX = re.compile(r"^(?:ethernet-|e)(\d+)[/-](\d+)(?:[/-](\d+))?$")


def _linux_ifname(kind: str, name: str) -> str | None:
    if m := _SRL_RX.match(name):
        card, port, sub = m.groups()
        return f"e{card}-{port}" + (f"-{sub}" if sub else "")
    return None


VENDOR = Vendor(
    name="srlinux",
    description="Nokia SR Linux",
    port_name=lambda n: f"ethernet-1/{n}",
    port_pattern=re.compile(r"ethernet-1/([1-9][0-9]*)"),
    port_from_match=lambda m: int(m.group(1)),
    loopback="system0",
    mgmt_interface="mgmt0",
    clab_kind="nokia_srlinux",
    clab_image="ghcr.io/nokia/srlinux:24.10.1",
    clab_port=lambda n: f"e1-{n}",
    clab_kinds=("nokia_srlinux",),
    clab_aliases={"srl": "nokia_srlinux"},
    lab_credentials={"nokia_srlinux": ("admin", "NokiaSrl1!")},  # containerlab kinds/srl
    nornir_platform="nokia_srlinux",
    ansible_vars={"ansible_network_os": "nokia.srlinux.srlinux",
                  "ansible_connection": "ansible.netcommon.httpapi"},
    linux_ifname=_linux_ifname,
    napalm="srlinux",  # napalm-srlinux (JSON-RPC), the successor of the gNMI-based napalm-srl
    # TLS without certificate checks, as the driver and pyeapi (EOS) do: SR Linux's JSON-RPC certificate
    # is self-signed out of the box (and in containerlab); a site CA goes in the inventory (tls_ca).
    napalm_optional_args={"skip_verify": True},
    scrapli="nokia_srlinux",
    netmiko="nokia_srl",
    mgmt_vrf="mgmt",
    local_users=False,
    remediation="fabric.vendors.srlinux.remediate:SrlinuxRemediation",
    driver="fabric.vendors.srlinux.driver:SrlinuxDriver",
    set_form="fabric.vendors.srlinux.driver:flat_form",  # `info flat` is already the set form
    collector="fabric.vendors.srlinux.collector:SrlinuxCollector",
    twin="fabric.vendors.srlinux.twin.twin:SrlinuxTwin",
    # the CLI on 22, JSON-RPC on 80 and 443 (containerlab's SR Linux serves both in the mgmt instance)
    twin_services=(Service("ssh", 22), Service("http", 80), Service("https", 443)),
)
