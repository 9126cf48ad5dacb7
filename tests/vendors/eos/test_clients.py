"""Unmodified client libraries against the EOS twin."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from fabric.vendors.eos.twin.testbed import LabBed, TestBed

pytestmark = pytest.mark.lab


@pytest.mark.parametrize("transport", ["https", "http", "ssh"])
def test_napalm_getters(napalm_eos, transport: str) -> None:  # type: ignore[no-untyped-def]
    d = napalm_eos(transport)
    try:
        facts = d.get_facts()
        assert facts["hostname"] == "twin1" and facts["vendor"] == "Arista"
        assert "Ethernet1" in facts["interface_list"]
        bgp = d.get_bgp_neighbors()
        peer = bgp["global"]["peers"]["10.99.0.1"]
        assert peer["is_up"] and peer["remote_as"] == 65002 and peer["local_as"] == 65001
        assert peer["address_family"]["ipv4"]["received_prefixes"] >= 1
        itf = d.get_interfaces()
        assert itf["Ethernet1"]["is_up"] and itf["Ethernet1"]["mtu"] == 1500
        assert isinstance(d.get_lldp_neighbors(), dict)
        cfg = d.get_config()
        assert "router bgp 65001" in cfg["running"] and "router bgp 65001" in cfg["startup"]
    finally:
        d.close()


def test_frr_started_configured(bed: TestBed) -> None:
    """The lab started twin1's FRR with its startup-config's translation: the boot pushed nothing,
    and routing is up anyway (the fixture waited for a received prefix)."""
    log = (Path(bed.workdir) / "twin.log").read_text()
    if isinstance(bed, LabBed):
        assert "twin1: FRR started with the startup-config's translation" in log


def test_pyeapi(bed: TestBed) -> None:
    import pyeapi

    node = pyeapi.connect(
        transport="https", host=bed.mgmt_ip, username="admin", password="admin", return_node=True
    )
    assert node.enable(["show version"])[0]["result"]["modelName"] == "cEOSLab"
    text = node.enable(["show ip bgp summary vrf all"], encoding="text")[0]["result"]["output"]
    assert "10.99.0.1" in text
    assert node.api("system").get()["hostname"] == "twin1"  # pyeapi parses the running-config
    with pytest.raises(pyeapi.eapilib.CommandError) as err:
        node.run_commands(["show version", "show bogus"])
    assert err.value.error_code == 1002
    # partial results of the commands before the failing one, then its errors
    assert "modelName" in err.value.output[-2] and "errors" in err.value.output[-1]


@pytest.mark.parametrize("transport", ["https", "http"])
def test_our_eapi_client(bed: TestBed, transport: str) -> None:
    """The eAPI client state collection uses (fabric.vendors.eos.eapiclient): replies, a failing
    command's eAPI error, a refused password, and one connection kept for several requests."""
    from fabric.vendors.eos.eapiclient import CommandError, Eapi, EapiError

    api = Eapi(bed.mgmt_ip, "admin", "admin", transport=transport, timeout=10)
    try:
        version, summary = api.run_cmds(["show version", "show ip bgp summary vrf all"])
        assert version["modelName"] == "cEOSLab"
        assert summary["vrfs"]["default"]["peers"]["10.99.0.1"]["peerState"] == "Established"
        conn = api._conn
        assert "10.99.0.1" in api.run_cmds(["show ip bgp summary"], encoding="text")[0]["output"]
        assert api._conn is conn  # kept alive
        with pytest.raises(CommandError) as err:
            api.run_cmds(["show version", "show bogus"])
        assert err.value.code == 1002 and "show bogus" in err.value.message
    finally:
        api.close()
    wrong = Eapi(bed.mgmt_ip, "admin", "not-the-password", transport=transport, timeout=10)
    with pytest.raises(EapiError, match="HTTP 401") as refused:
        wrong.run_cmds(["show version"])
    assert "not-the-password" not in str(refused.value)


def test_netmiko(bed: TestBed) -> None:
    from netmiko import ConnectHandler

    c = ConnectHandler(device_type="arista_eos", host=bed.mgmt_ip, username="admin", password="admin")
    try:
        assert c.find_prompt() == "twin1#"
        assert "cEOSLab" in c.send_command("show version")
        out = c.send_config_set(["interface Loopback9", "description via-netmiko"])
        assert "(config-if-Lo9)#" in out
        assert "description via-netmiko" in c.send_command("show running-config | section Loopback9")
        assert "% Invalid input" in c.send_command("show nonsense")
        c.send_config_set(["no interface Loopback9"])
    finally:
        c.disconnect()


def test_scrapli_system(bed: TestBed) -> None:
    from scrapli.driver.core import EOSDriver

    with EOSDriver(
        host=bed.mgmt_ip,
        auth_username="admin",
        auth_password="admin",
        auth_strict_key=False,
        transport="system",
    ) as conn:
        assert "twin1" in conn.send_command("show hostname").result
        r = conn.send_configs(
            ["interface Ethernet1", "description via-scrapli"], privilege_level="configuration"
        )
        assert not r.failed
        assert "via-scrapli" in conn.send_command("show interfaces status").result


def test_scrapli_asyncssh_session(bed: TestBed) -> None:
    from scrapli.driver.core import AsyncEOSDriver

    async def go() -> None:
        async with AsyncEOSDriver(
            host=bed.mgmt_ip,
            auth_username="admin",
            auth_password="admin",
            auth_strict_key=False,
            transport="asyncssh",
        ) as conn:
            assert "twin1" in (await conn.send_command("show hostname")).result
            conn.register_configuration_session("scr1")
            r = await conn.send_configs(
                ["interface Ethernet1", "description scrapli-session"], privilege_level="scr1"
            )
            assert not r.failed
            diff = (await conn.send_command("show session-config named scr1 diffs")).result
            assert "+   description scrapli-session" in diff
            await conn.send_command("configure session scr1 abort")

    asyncio.run(go())


def test_interface_config_reaches_kernel(bed: TestBed) -> None:
    import json as _json
    import subprocess

    from netmiko import ConnectHandler

    def link() -> dict[str, object]:
        out = subprocess.run(
            ["ip", "-n", bed.eos_ns_name, "-j", "link", "show", "eth1"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return dict(_json.loads(out)[0])

    c = ConnectHandler(device_type="arista_eos", host=bed.mgmt_ip, username="admin", password="admin")
    try:
        c.send_config_set(["interface Ethernet1", "mtu 9000", "shutdown"])
        lk = link()
        assert lk["mtu"] == 9000 and "UP" not in lk["flags"]  # type: ignore[operator]
        assert "disabled" in c.send_command("show interfaces status")
        assert "secret 0 <removed>" in c.send_command("show running-config sanitized")
        c.send_config_set(["interface Ethernet1", "no mtu", "no shutdown"])
        lk = link()
        assert lk["mtu"] == 1500 and "UP" in lk["flags"]  # type: ignore[operator]
        assert bed.wait_peer("Established", 30)
    finally:
        c.disconnect()


def test_igp_config_forms_real_adjacencies(bed: TestBed) -> None:
    """OSPF and IS-IS typed as EOS config come up against the FRR peer; replies in EOS shapes."""
    import subprocess
    import time

    import pyeapi

    peer_cfg = [
        "interface eth1",
        "ip ospf network point-to-point",
        "ip ospf area 0.0.0.0",
        "ip router isis CORE",
        "isis network point-to-point",
        "exit",
        "router ospf",
        "ospf router-id 192.0.2.99",
        "exit",
        "router isis CORE",
        "net 49.0001.0000.0000.0099.00",
        "is-type level-2-only",
        "exit",
    ]
    args = [a for line in peer_cfg for a in ("-c", line)]
    subprocess.run(
        ["vtysh", "-N", bed.peer_ns, "-c", "configure terminal", *args], check=True, capture_output=True
    )
    node = pyeapi.connect(
        transport="https", host=bed.mgmt_ip, username="admin", password="admin", return_node=True
    )
    node.config(
        [
            "interface Ethernet1",
            "ip ospf network point-to-point",
            "ip ospf area 0.0.0.0",
            "isis enable CORE",
            "isis network point-to-point",
            "router ospf 1",
            "router-id 192.0.2.1",
            "max-lsa 12000",
            "router isis CORE",
            "net 49.0001.0000.0000.0001.00",
            "is-type level-2",
            "address-family ipv4 unicast",
        ]
    )
    deadline = time.time() + 40
    ospf: list[dict[str, object]] = []
    isis: dict[str, object] = {}
    while time.time() < deadline:
        o = node.enable(["show ip ospf neighbor"])[0]["result"]
        ospf = [
            e for v in o["vrfs"].values() for i in v["instList"].values() for e in i["ospfNeighborEntries"]
        ]
        i = node.enable(["show isis neighbors"])[0]["result"]
        isis = i["vrfs"].get("default", {}).get("isisInstances", {}).get("CORE", {}).get("neighbors", {})
        if ospf and ospf[0]["adjacencyState"] == "full" and isis:
            break
        time.sleep(1)
    assert ospf and ospf[0]["adjacencyState"] == "full" and ospf[0]["interfaceName"] == "Ethernet1"
    assert ospf[0]["routerId"] == "192.0.2.99"
    assert isis, "no IS-IS adjacency"
    text = node.enable(["show ip ospf neighbor"], encoding="text")[0]["result"]["output"]
    assert "192.0.2.99" in text and "Ethernet1" in text and "FULL" in text
    text = node.enable(["show isis neighbors"], encoding="text")[0]["result"]["output"]
    assert "CORE" in text and "Ethernet1" in text
    routes = node.enable(["show ip route"])[0]["result"]["vrfs"]["default"]["routes"]
    assert "192.0.2.99/32" in routes
