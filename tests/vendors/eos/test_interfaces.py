"""``show interfaces`` lists loopbacks; ``show ip interface`` as EOS sends it (NAPALM get_interfaces_ip)."""

from __future__ import annotations

import pytest

from fabric.vendors.eos.twin.testbed import TestBed

pytestmark = pytest.mark.lab

# Keys of a real EOS "show ip interface" entry (NAPALM's EOS test data, get_interfaces_ip/normal).
IP_IF_KEYS = {
    "name",
    "interfaceAddress",
    "urpf",
    "interfaceStatus",
    "enabled",
    "mtu",
    "vrf",
    "localProxyArp",
    "proxyArp",
    "lineProtocolStatus",
    "description",
}
IP_ADDR_KEYS = {"secondaryIpsOrderedList", "broadcastAddress", "secondaryIps", "primaryIp", "virtualIp"}


@pytest.fixture(scope="module")
def eapi(bed: TestBed):  # type: ignore[no-untyped-def]
    import pyeapi

    return pyeapi.connect(
        transport="http", host=bed.mgmt_ip, username="admin", password="admin", return_node=True
    )


def test_show_interfaces_has_loopbacks(eapi) -> None:  # type: ignore[no-untyped-def]
    itfs = eapi.enable(["show interfaces"])[0]["result"]["interfaces"]
    lo = itfs["Loopback0"]
    assert lo["hardware"] == "loopback" and lo["lineProtocolStatus"] == "up"
    assert lo["interfaceAddress"][0]["primaryIp"] == {"address": "192.0.2.1", "maskLen": 32}
    text = eapi.enable(["show interfaces"], encoding="text")[0]["result"]["output"]
    assert "Loopback0 is up, line protocol is up" in text


def test_show_ip_interface_json_and_text(eapi) -> None:  # type: ignore[no-untyped-def]
    itfs = eapi.enable(["show ip interface"])[0]["result"]["interfaces"]
    assert {"Ethernet1", "Loopback0", "Management0"} <= set(itfs)
    for name, e in itfs.items():
        assert set(e) == IP_IF_KEYS, name
        assert set(e["interfaceAddress"]) == IP_ADDR_KEYS, name
    assert itfs["Ethernet1"]["interfaceAddress"]["primaryIp"] == {"address": "10.99.0.0", "maskLen": 31}
    assert itfs["Ethernet1"]["enabled"] is True and itfs["Ethernet1"]["vrf"] == "default"
    text = eapi.enable(["show ip interface"], encoding="text")[0]["result"]["output"]
    assert "Ethernet1 is up, line protocol is up (connected)" in text
    assert "  Internet address is 192.0.2.1/32" in text
    brief = eapi.enable(["show ip interface brief"], encoding="text")[0]["result"]["output"]
    assert any(ln.startswith("Loopback0") and "192.0.2.1/32" in ln for ln in brief.splitlines())


def test_napalm_get_interfaces_ip(napalm_eos) -> None:  # type: ignore[no-untyped-def]
    d = napalm_eos()
    try:
        ips = d.get_interfaces_ip()
    finally:
        d.close()
    assert ips["Loopback0"]["ipv4"] == {"192.0.2.1": {"prefix_length": 32}}
    assert ips["Ethernet1"]["ipv4"] == {"10.99.0.0": {"prefix_length": 31}}
