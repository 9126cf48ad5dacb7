"""Normalisers on real recorded output: FRR 8.4 (recorded from a real FRR pair, see frrlab.py) and
EOS eAPI replies + NAPALM results from NAPALM's own test-suite (/work/shared/reference)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fabric.state import normalise_napalm
from fabric.state.model import DeviceState
from fabric.vendors.eos import normalise as normalise_eos
from fabric.vendors.frr import normalise as normalise_frr
from fabric.vendors.frr.collector import (
    FRR_SHELL,
    FRR_VTYSH,
    finish_frr,
    frr_script,
    parse_frr_output,
    split_sections,
    split_vtysh,
)

FIX = Path(__file__).parent / "fixtures"
REF = Path(__file__).resolve().parents[3] / "shared" / "reference" / "napalm-mocked" / "eos"


def fx(name: str) -> dict:
    return json.loads((FIX / name).read_text())


# ------------------------------------------------------------------ FRR
def test_frr_bgp_established() -> None:
    sessions, rid = normalise_frr.bgp(
        fx("frr_a_show_bgp_vrf_all_summary.json"), fx("frr_a_show_bgp_vrf_all_neighbors.json")
    )
    assert rid == "10.255.0.1"
    (s,) = sessions
    assert (s.vrf, s.peer, s.local_as, s.peer_as, s.state) == (
        "default",
        "10.1.0.0",
        65101,
        65100,
        "Established",
    )
    assert s.established and s.enabled
    assert s.peer_router_id == "10.255.0.2" and s.local_address == "10.1.0.1"
    pc = s.prefixes["ipv4-unicast"]
    assert (pc.received, pc.accepted, pc.sent) == (1, 1, 2)
    assert s.uptime == pytest.approx(11.0)
    assert s.last_error is None  # a reset reason before Established is not an error


def test_frr_bgp_peer_as_mismatch_has_notification() -> None:
    sessions, _ = normalise_frr.bgp(
        fx("frr_a_broken_show_bgp_vrf_all_summary.json"), fx("frr_a_broken_show_bgp_vrf_all_neighbors.json")
    )
    (s,) = sessions
    assert s.state == "Idle" and not s.established and s.peer_as == 65199
    assert s.uptime is None
    assert "Bad Peer AS" in (s.last_error or "")


def test_frr_ospf_isis() -> None:
    ospf = normalise_frr.ospf(fx("frr_a_show_ip_ospf_neighbor.json"))
    assert [(n.interface, n.router_id, n.state, n.address) for n in ospf] == [
        ("eth1", "10.255.0.2", "Full", "10.1.0.0"),
        ("eth2", "10.255.0.2", "Full", "10.1.0.2"),
    ]
    isis = normalise_frr.isis(fx("frr_a_show_isis_neighbor.json"))
    assert [(a.interface, a.level, a.state, a.instance) for a in isis] == [
        ("eth1", 2, "Up", "FABRIC"),
        ("eth2", 2, "Up", "FABRIC"),
    ]


def test_frr_interfaces_and_lldp() -> None:
    itf = normalise_frr.interfaces(fx("frr_a_show_interface.json"), fx("frr_a_ip_addr.json"))
    e1 = itf["eth1"]
    assert e1.admin_up and e1.oper_up and e1.mtu == 9214 and e1.addresses == ["10.1.0.1/31"]
    assert itf["lo"].addresses == ["10.255.0.1/32"]
    # ip -j addr alone (zebra down) still gives the interfaces
    only_kernel = normalise_frr.interfaces(None, fx("frr_a_ip_addr.json"))
    assert only_kernel["eth1"].oper_up and only_kernel["eth1"].addresses == ["10.1.0.1/31"]
    lldp = normalise_frr.lldp(fx("frr_a_lldp_neighbors.json"))
    assert [(n.local_port, n.remote_port) for n in lldp] == [("eth1", "eth1"), ("eth2", "eth2")]
    assert all(n.remote_system for n in lldp)


def test_frr_lldp_json0_shape() -> None:
    data = {
        "lldp": [
            {
                "interface": [
                    {
                        "name": "eth3",
                        "chassis": [
                            {"id": [{"type": "mac", "value": "aa:bb"}], "name": [{"value": "spine1"}]}
                        ],
                        "port": [
                            {"id": [{"type": "mac", "value": "aa:cc"}], "descr": [{"value": "Ethernet4"}]}
                        ],
                    }
                ]
            }
        ]
    }
    (n,) = normalise_frr.lldp(data)
    assert (n.local_port, n.remote_system, n.remote_port) == ("eth3", "spine1", "Ethernet4")


def _frr_output(files: dict[str, str], stop_at: str | None = None) -> tuple[str, str]:
    """What the one-exec script prints: ``vtysh -E`` replies, then the shell sections."""
    out, err, rc = [], "", 0
    for name, cmd in FRR_VTYSH.items():
        out.append(f"a# {cmd}")
        if name == stop_at:
            err, rc = "bgpd is not running\n", 1
            break
        out.append((FIX / files[name]).read_text() if name in files else "{\n}")
    out.append(f"@@netfabric@@ vtysh {rc}")
    for name in FRR_SHELL:
        out.append(f"@@netfabric@@ begin {name}")
        if name in files:
            out += [(FIX / files[name]).read_text(), f"@@netfabric@@ end {name} 0"]
        elif name == "hostname":
            out += ["a", f"@@netfabric@@ end {name} 0"]
        else:
            out += ["lldpcli: unable to connect to socket", f"@@netfabric@@ end {name} 1"]
    return "\n".join(out), err


FRR_FILES = {
    "bgp_summary": "frr_a_show_bgp_vrf_all_summary.json",
    "bgp_neighbors": "frr_a_show_bgp_vrf_all_neighbors.json",
    "ospf": "frr_a_show_ip_ospf_neighbor.json",
    "ospf_interfaces": "frr_a_show_ip_ospf_interface.json",
    "isis": "frr_a_show_isis_neighbor.json",
    "interfaces": "frr_a_show_interface.json",
    "ip_addr": "frr_a_ip_addr.json",
}
ALL = ("facts", "bgp", "ospf", "isis", "interfaces", "lldp")


def test_frr_sections_end_to_end() -> None:
    """One vtysh process, split by its -E echo lines; a failed command fails only its section."""
    script = frr_script()
    assert script.count("vtysh -") == 1 and "-c 'show bgp vrf all summary json'" in script
    stdout, stderr = _frr_output(FRR_FILES)
    sections, pending = parse_frr_output(stdout, stderr, list(FRR_VTYSH))
    assert pending == []
    st = DeviceState(host="a", platform="frr")
    finish_frr(st, sections, ALL)
    assert st.facts.hostname == "a" and len(st.bgp) == 1 and len(st.ospf) == 2 and len(st.isis) == 2
    assert {n.area for n in st.ospf} == {"0.0.0.0"}  # from show ip ospf interface json
    assert "lldp" in st.errors and "unable to connect" in st.errors["lldp"]
    assert set(st.errors) == {"lldp"}


def test_frr_vtysh_stops_at_a_daemon_down() -> None:
    """FRR 8 vtysh exits at the first failing command: that section fails, and so do the other
    commands of a daemon that is not running (no second try); the rest run again."""
    stdout, stderr = _frr_output(FRR_FILES, stop_at="bgp_summary")
    sections, pending = parse_frr_output(stdout, stderr, list(FRR_VTYSH))
    assert sections["bgp_summary"] == (1, "bgpd is not running")
    assert sections["bgp_neighbors"] == (1, "bgpd is not running")
    assert pending == [n for n in FRR_VTYSH if not n.startswith("bgp")]
    rerun = "\n".join(
        f"a# {FRR_VTYSH[n]}\n" + ((FIX / FRR_FILES[n]).read_text() if n in FRR_FILES else "{}")
        for n in pending
    )
    more, rest = split_vtysh(rerun, "", 0, pending)
    assert rest == [] and "interfaces" in more and "ospf" in more
    st = DeviceState(host="a", platform="frr")
    finish_frr(st, {**sections, **more}, ALL)
    assert st.errors["bgp"] == "CollectorError: bgpd is not running" and len(st.ospf) == 2
    # nothing ran at all: every vtysh section carries vtysh's message
    vt, rest = split_vtysh("", "Exiting: failed to connect to any daemons.\n", 1, list(FRR_VTYSH))
    st = DeviceState(host="a", platform="frr")
    finish_frr(st, {**vt, **split_sections(_frr_output(FRR_FILES)[0])}, ALL)
    assert st.errors["bgp"].startswith("FRR is not running") and rest == []


# ------------------------------------------------------------------ EOS / NAPALM
def test_napalm_bgp_expected_result() -> None:
    data = json.loads((REF / "test_get_bgp_neighbors/normal/expected_result.json").read_text())
    sessions, rid = normalise_napalm.bgp(data)
    assert rid == "192.168.0.0"
    by = {s.peer: s for s in sessions}
    assert by["10.0.0.1"].established and by["10.0.0.1"].peer_as == 65002
    assert by["10.0.0.1"].prefixes["ipv4-unicast"].accepted == 3
    assert by["10.0.0.3"].state == "Down" and by["10.0.0.3"].uptime is None


def test_eos_bgp_from_eapi_replies() -> None:
    base = normalise_napalm.bgp(
        json.loads((REF / "test_get_bgp_neighbors/normal/expected_result.json").read_text())
    )
    summary = json.loads((REF / "test_get_bgp_neighbors/normal/show_ip_bgp_summary_vrf_all.json").read_text())
    nbrs = json.loads((REF / "test_get_bgp_neighbors/normal/show_ip_bgp_neighbors_vrf_all.json").read_text())
    sessions, rid = normalise_eos.bgp(summary, nbrs, base[0])
    by = {s.peer: s for s in sessions}
    assert rid == "192.168.0.0"
    assert by["10.0.0.3"].state == "Active"  # the real FSM state, not just "down"
    assert by["10.0.0.1"].state == "Established" and by["10.0.0.1"].prefixes["ipv4-unicast"].sent == 4
    assert any(s.last_error and "Cease" in s.last_error for s in sessions)


def test_eos_asdot() -> None:
    summary = json.loads(
        (REF / "test_get_bgp_neighbors/issue1759/show_ip_bgp_summary_vrf_all.json").read_text()
    )
    sessions, _ = normalise_eos.bgp(summary)
    assert sessions and all(s.local_as == 65002 * 65536 + 2048 for s in sessions)
    assert any(s.peer_as == 65001 * 65536 + 1028 for s in sessions)


def test_napalm_interfaces_lldp_facts() -> None:
    itf = normalise_napalm.interfaces(
        json.loads((REF / "test_get_interfaces/normal/expected_result.json").read_text()),
        {
            "Ethernet1": {
                "ipv4": {"10.1.0.1": {"prefix_length": 31}},
                "ipv6": {"fe80::1": {"prefix_length": 64}},
            }
        },
    )
    assert (
        itf["Ethernet1"].mtu == 9214
        and itf["Ethernet1"].oper_up
        and itf["Ethernet1"].addresses == ["10.1.0.1/31"]
    )
    lldp = normalise_napalm.lldp(
        json.loads((REF / "test_get_lldp_neighbors/normal/expected_result.json").read_text())
    )
    assert {(n.local_port, n.remote_system) for n in lldp} == {
        ("Ethernet1", "precise64"),
        ("Ethernet2", "precise64"),
    }
    detail = {
        "Ethernet3": [
            {
                "remote_system_name": "leaf3",
                "remote_port": "0c:00:11:22:33:44",
                "remote_port_description": "eth1",
                "remote_chassis_id": "0c:00:11:22:33:44",
            }
        ]
    }
    (n,) = normalise_napalm.lldp(None, detail)
    assert n.remote_port == "eth1"  # a MAC port id falls back to the description naming the port
    f = normalise_napalm.facts(json.loads((REF / "test_get_facts/normal/expected_result.json").read_text()))
    assert f.vendor == "Arista" and f.model == "vEOS"


# ------------------------------------------------------------------ TTP templates (EOS text)
EOS_OSPF = """\
Neighbor ID     Instance VRF      Pri State                  Dead Time   Address         Interface
10.255.0.33     1        default  0   FULL                   00:00:35    10.1.0.1        Ethernet1
10.255.0.34     1        default  1   2 WAYS/DROTHER         00:00:31    10.1.0.9        Ethernet2
10.255.0.35     1        default  1   INIT/DROTHER           00:00:31    10.1.0.17       Ethernet3
"""
EOS_OSPF_OLD = """Neighbor ID     VRF      Pri State                  Dead Time   Address         Interface
10.0.0.2        default  1   FULL/BDR               00:00:37    10.1.1.2        Ethernet1
"""
EOS_ISIS = """
Instance  VRF      System Id        Type Interface          SNPA              State Hold time   Circuit Id
FABRIC    default  leaf1            L2   Ethernet1          P2P               UP    26          0B
FABRIC    default  Arista-Spine3-Q2A-30 L2   Ethernet2          P2P               INIT  22          79
Otus      default  leaf-1           L1   Ethernet3          50:1:0:ca:7a:8d   UP    8           leaf-1.0b
"""


def test_ttp_eos_ospf() -> None:
    got = normalise_eos.ospf_text(EOS_OSPF)
    assert [(n.interface, n.router_id, n.state) for n in got] == [
        ("Ethernet1", "10.255.0.33", "Full"),
        ("Ethernet2", "10.255.0.34", "2-Way"),
        ("Ethernet3", "10.255.0.35", "Init"),
    ]
    (old,) = normalise_eos.ospf_text(EOS_OSPF_OLD)
    assert (old.interface, old.state, old.address) == ("Ethernet1", "Full", "10.1.1.2")


def test_ttp_eos_isis() -> None:
    got = normalise_eos.isis_text(EOS_ISIS)
    assert [(a.interface, a.hostname, a.level, a.state) for a in got] == [
        ("Ethernet1", "leaf1", 2, "Up"),
        ("Ethernet2", "Arista-Spine3-Q2A-30", 2, "Init"),
        ("Ethernet3", "leaf-1", 1, "Up"),
    ]


def test_eos_igp_json_models() -> None:
    ospf = {
        "vrfs": {
            "default": {
                "instList": {
                    "1": {
                        "ospfNeighborEntries": [
                            {
                                "routerId": "10.255.0.33",
                                "interfaceName": "Ethernet1",
                                "adjacencyState": "full",
                                "interfaceAddress": "10.1.0.1",
                                "details": {"areaId": "0.0.0.0"},
                            }
                        ]
                    }
                }
            }
        }
    }
    (n,) = normalise_eos.ospf_json(ospf)
    assert (n.interface, n.state, n.area) == ("Ethernet1", "Full", "0.0.0.0")
    isis = {
        "vrfs": {
            "default": {
                "isisInstances": {
                    "FABRIC": {
                        "neighbors": {
                            "0102.5500.0033": {
                                "adjacencies": [
                                    {
                                        "hostname": "leaf1",
                                        "interfaceName": "Ethernet1",
                                        "state": "up",
                                        "level": "level-2",
                                    }
                                ]
                            }
                        }
                    }
                }
            }
        }
    }
    (a,) = normalise_eos.isis_json(isis)
    assert (a.interface, a.level, a.state, a.hostname) == ("Ethernet1", 2, "Up", "leaf1")


# ------------------------------------------------------------------ failures are per-device results, masked
def test_collect_host_masks_password_and_never_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from fabric.state import collect as c

    class Boom(c.Collector):
        def collect(self, state: DeviceState) -> None:
            raise ConnectionError("auth failed for admin/s3cr3t-pw at 10.0.0.1")

    real = c.collector_class
    monkeypatch.setattr(c, "collector_class", lambda p: Boom if p == "boomos" else real(p))
    host = SimpleNamespace(name="r1", hostname="10.0.0.1", password="s3cr3t-pw", platform="boomos",
                           data={"platform": "boomos"}, close_connections=lambda: None)
    st = c.collect_host(host, None, c.CollectOptions(retries=1, retry_delay=0))
    assert st.error and "s3cr3t-pw" not in st.error and "********" in st.error
    unknown = c.collect_host(SimpleNamespace(name="r2", hostname="x", password="", platform="nope",
                                             data={"platform": "nope"}), None, c.CollectOptions())
    assert unknown.error == "no state collector registered for platform 'nope'"


def test_eos_one_runcmds_matches_napalm_getters(monkeypatch: pytest.MonkeyPatch) -> None:
    """EOS state comes from one eAPI request; it equals what NAPALM's getters make of the same replies."""
    from types import SimpleNamespace

    from fabric.state import normalise_napalm
    from fabric.state.collect import CollectOptions
    from fabric.vendors.eos.collector import EosCollector

    def ref(test: str, name: str) -> Any:
        return json.loads((REF / test / "normal" / name).read_text())

    show_if = ref("test_get_interfaces", "show_interfaces.json")
    ips = normalise_eos.addresses_from_show_interfaces(show_if)
    want_if = normalise_napalm.interfaces(ref("test_get_interfaces", "expected_result.json"), ips)
    assert normalise_eos.interfaces(show_if) == want_if
    facts = normalise_eos.facts(
        ref("test_get_facts", "show_version.json"), ref("test_get_facts", "show_hostname.json")
    )
    want = normalise_napalm.facts(ref("test_get_facts", "expected_result.json"))
    assert (facts.hostname, facts.model, facts.os_version, facts.serial) == (
        want.hostname,
        want.model,
        want.os_version,
        want.serial,
    )

    replies = {
        "show version": ref("test_get_facts", "show_version.json"),
        "show hostname": ref("test_get_facts", "show_hostname.json"),
        "show interfaces": show_if,
        "show lldp neighbors detail": {"lldpNeighbors": {}},
        "show ip bgp summary vrf all": ref("test_get_bgp_neighbors", "show_ip_bgp_summary_vrf_all.json"),
        "show ip bgp neighbors vrf all": ref("test_get_bgp_neighbors", "show_ip_bgp_neighbors_vrf_all.json"),
    }
    calls: list[list[str]] = []
    from fabric.vendors.eos.eapiclient import CommandError

    class Node:  # the eAPI client (fabric.vendors.eos.eapiclient.Eapi)
        fail = False

        def run_cmds(self, commands: list[str], encoding: str = "json") -> list[Any]:
            calls.append(commands)
            if self.fail:  # what eAPI answers when one command of the batch has no JSON model
                raise CommandError(1002, "CLI command 5 of 6 'show ip bgp neighbors vrf all' failed: invalid")
            return [replies[c] for c in commands]

        def close(self) -> None:
            pass

    class Dev:  # NAPALM's eos driver: only the fallback path opens it
        def get_facts(self) -> dict[str, Any]:
            return dict(ref("test_get_facts", "expected_result.json"))

        def get_interfaces(self) -> dict[str, Any]:
            return dict(ref("test_get_interfaces", "expected_result.json"))

        def get_interfaces_ip(self) -> dict[str, Any]:
            return normalise_eos.addresses_from_show_interfaces(show_if)

    node, dev, opened = Node(), Dev(), []
    connected: list[dict[str, Any]] = []

    def connect(host: str, username: str, password: str, **kw: Any) -> Node:
        connected.append(dict(kw, host=host, username=username))
        return node

    monkeypatch.setattr("fabric.vendors.eos.collector.Eapi", connect)
    params = SimpleNamespace(hostname="192.0.2.1", username="admin", password="pw", port=None,
                             extras={"optional_args": {"transport": "https"}})
    host = SimpleNamespace(
        name="r1", password="pw", data={"intent": {"ospf": None, "isis": None}},
        get_connection=lambda *a: opened.append(a) or dev, get_connection_parameters=lambda _: params,
    )
    st = DeviceState(host="r1", platform="eos")
    EosCollector(host, None, CollectOptions()).collect(st)
    assert len(calls) == 1 and len(calls[0]) == 6 and not st.errors
    assert st.interfaces == want_if and st.facts.hostname == want.hostname and st.bgp
    assert not opened  # NAPALM never opened: no extra `show version` round trip, no driver import
    assert connected[0]["transport"] == "https" and connected[0]["host"] == "192.0.2.1"
    # only the sections asked for are in the request
    calls[:] = []
    EosCollector(host, None, CollectOptions(sections=("facts", "bgp"))).collect(
        DeviceState(host="r1", platform="eos"))
    assert calls == [["show version", "show hostname", "show ip bgp summary vrf all",
                      "show ip bgp neighbors vrf all"]]
    # an EOS that rejects one command in the batch: the per-getter path still fills every section
    node.fail, calls[:] = True, []
    st2 = DeviceState(host="r1", platform="eos")
    EosCollector(host, None, CollectOptions()).collect(st2)
    assert opened
    assert len(calls) > 1 and st2.interfaces == want_if and st2.facts.hostname == want.hostname
