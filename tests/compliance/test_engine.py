"""Per-feature compliance and remediation on real-format configs (golden renders, device output)."""

from __future__ import annotations

import pytest
from netutils.config.compliance import parser_map

from fabric.compliance.collect import sanitize
from fabric.compliance.engine import (
    RULES_DIR,
    clean,
    compare,
    flatten,
    load_rules,
    remediate_config,
)
from fabric.render import render_fabric

PLATFORMS = ["eos", "frr", "iosxr", "junos", "srlinux", "sros"]

# How the devices print their running config around the config proper.
EOS_HEADER = (
    "! Command: show running-config\n! device: leaf1 (cEOSLab, EOS-4.32.0F)\n"
    "!\n! boot system flash:/x.swi\n!\n"
)
FRR_HEADER = "Building configuration...\n\nCurrent configuration:\n!\n"


def drifted(text: str, *subs: tuple[str, str]) -> str:
    for old, new in subs:
        assert old in text, old
        text = text.replace(old, new)
    return text


def failing(results):  # type: ignore[no-untyped-def]
    return {r.feature: (r.missing, r.extra) for r in results if not r.compliant}


def test_rules_files_exist_for_every_platform() -> None:
    assert sorted(p.stem for p in RULES_DIR.glob("*.yaml")) == sorted(PLATFORMS)
    for p in PLATFORMS:
        rules = load_rules(p)
        assert rules.features and len(set(rules.feature_names())) == len(rules.features)


@pytest.mark.parametrize("fabric_name", ["dc1", "backbone", "dc-large"])
def test_golden_is_compliant_with_itself_and_fully_covered(fabric_name: str) -> None:
    from fabric.design import load_fabric

    fab = load_fabric(f"inventory/{fabric_name}")
    for host, golden in render_fabric(fab).items():
        plat = fab.devices[host].platform
        rules = load_rules(plat)
        assert all(r.compliant for r in compare(host, plat, golden, golden)), host
        assert remediate_config(plat, golden, golden) == "", host
        # Every managed line of the golden config belongs to a feature (nothing silently unchecked).
        if rules.style == "set":
            paths = flatten(golden, rules)
            secs = [s for f in rules.features for s in f.section]
            uncovered = [p for p in paths if not any(p == s or p.startswith(s + " ") for s in secs)]
        else:
            lines = parser_map[rules.parser](clean(golden, rules)).config_lines
            secs = [s for f in rules.features for s in f.section]
            uncovered = [
                c.config_line
                for c in lines
                if not c.parents
                and not any(c.config_line.startswith(s) for s in secs)
                and not any(p.search(c.config_line) for p in rules.continuation)
            ]
        assert uncovered == [], (host, uncovered)


# ---------------------------------------------------------------- EOS


def test_eos_reference_headers_ignored_and_secrets_sanitised(eos_reference: str) -> None:
    rules = load_rules("eos")
    cleaned = clean(eos_reference, rules)
    for volatile in ("! Command:", "! device:", "! Startup-config last modified", "! boot system", "end"):
        assert not any(ln.strip().startswith(volatile) for ln in cleaned.splitlines()), volatile
    assert "event-handler dhclient" in cleaned
    safe = sanitize(eos_reference, ["vagrant"])
    assert "$1$" not in safe
    assert "aaa root secret 5 <removed>" in safe
    assert "username admin privilege 15 role network-admin secret 5 <removed>" in safe
    # The password "vagrant" is masked where it is a token, the role name is kept.
    assert "username ******** privilege 15 role network-admin secret 5 <removed>" in safe


def test_eos_reference_against_golden(eos_reference: str, dc1_golden: dict[str, str]) -> None:
    # This device indents everything below its event-handler: the parser keeps it inside that block,
    # which no feature owns, so nothing of it is misattributed; every golden line is missing.
    res = {r.feature: r for r in compare("leaf1", "eos", eos_reference, dc1_golden["leaf1"])}
    assert res["system"].missing == [
        "hostname leaf1",
        "ip domain-name lab.local",
        "snmp-server contact netops",
        "snmp-server location dc1 dc1",
        "spanning-tree mode none",
        "no aaa root",
        "username admin privilege 15 role network-admin",
    ]
    assert res["management_api"].missing == [
        "management api http-commands",
        "   protocol https",
        "   no shutdown",
        "   vrf MGMT",
        "      no shutdown",
    ]
    assert all(r.extra == [] for r in res.values())
    assert res["ospf"].compliant and res["lldp"].compliant  # absent on both sides


def test_eos_drift_per_feature(dc1_golden: dict[str, str]) -> None:
    g = dc1_golden["leaf1"]
    running = EOS_HEADER + drifted(
        g,
        ("ntp server vrf MGMT 172.20.21.1", "ntp server vrf MGMT 192.0.2.1"),
        ("   description to spine2 Ethernet1\n", "   description rogue\n"),
        ("   neighbor 10.1.0.2 remote-as 65100\n", "   neighbor 10.1.0.2 remote-as 65999\n"),
        ("ip routing\n", "ip routing\nlogging host 192.0.2.9\n"),
    )
    assert failing(compare("leaf1", "eos", running, g)) == {
        "ntp": (["ntp server vrf MGMT 172.20.21.1"], ["ntp server vrf MGMT 192.0.2.1"]),
        "logging": ([], ["logging host 192.0.2.9"]),
        "interfaces": (
            ["interface Ethernet2", "   description to spine2 Ethernet1"],
            ["interface Ethernet2", "   description rogue"],
        ),
        "bgp": (
            ["router bgp 65101", "   neighbor 10.1.0.2 remote-as 65100"],
            ["router bgp 65101", "   neighbor 10.1.0.2 remote-as 65999"],
        ),
    }
    assert remediate_config("eos", running, g) == (
        "no ntp server vrf MGMT 192.0.2.1\n"
        "no logging host 192.0.2.9\n"
        "ntp server vrf MGMT 172.20.21.1\n"
        "interface Ethernet2\n"
        "   description to spine2 Ethernet1\n"
        "router bgp 65101\n"
        "   neighbor 10.1.0.2 remote-as 65100\n"
    )
    # Only the requested features are compared and remediated.
    assert [r.feature for r in compare("leaf1", "eos", running, g, ["ntp"])] == ["ntp"]
    assert remediate_config("eos", running, g, ["ntp"]) == (
        "no ntp server vrf MGMT 192.0.2.1\nntp server vrf MGMT 172.20.21.1\n"
    )


def test_unmanaged_sections_are_left_alone(dc1_golden: dict[str, str]) -> None:
    g = dc1_golden["leaf1"]
    running = g.replace("end\n", "") + "clock timezone UTC\nalias shr show run\n"
    assert failing(compare("leaf1", "eos", running, g)) == {}
    assert remediate_config("eos", running, g) == ""


# ---------------------------------------------------------------- FRR


def test_frr_drift_and_remediation(dc1_golden: dict[str, str]) -> None:
    g = dc1_golden["leaf3"]
    running = FRR_HEADER + drifted(
        g,
        ("frr version 8.4", "frr version 8.4.4"),  # volatile
        ("bfd\nexit\n", ""),  # FRR does not print an empty bfd node
        ("  network 10.255.0.35/32\n", "  network 10.255.0.35/32\n  network 192.0.2.0/24\n"),
        (" neighbor 10.1.0.18 remote-as 65100\n", " neighbor 10.1.0.18 remote-as 65999\n"),
        (" description to spine1 Ethernet3\n", ""),
    )
    assert failing(compare("leaf3", "frr", running, g)) == {
        "interfaces": (["interface eth1", " description to spine1 Ethernet3"], []),
        "bgp": (
            ["router bgp 65103", " neighbor 10.1.0.18 remote-as 65100"],
            [
                "router bgp 65103",
                " neighbor 10.1.0.18 remote-as 65999",
                " address-family ipv4 unicast",
                "  network 192.0.2.0/24",
            ],
        ),
    }
    # "no neighbor X remote-as" would delete the neighbor on FRR: remote-as is replaced in place.
    assert remediate_config("frr", running, g) == (
        "interface eth1\n"
        " description to spine1 Ethernet3\n"
        "exit\n"
        "router bgp 65103\n"
        " neighbor 10.1.0.18 remote-as 65100\n"
        " address-family ipv4 unicast\n"
        "  no network 192.0.2.0/24\n"
        " exit-address-family\n"
        "exit\n"
    )


# ---------------------------------------------------------------- IOS-XR, Junos, SR Linux, SR OS


def test_iosxr_route_policy_and_prefix_set(backbone_golden: dict[str, str]) -> None:
    g = backbone_golden["rr1"]
    running = (
        "Building configuration...\n!! IOS XR Configuration 24.1.1\n"
        "!! Last configuration change at Mon Nov 23 10:00:00 2026 by clab\n!\n"
        + drifted(
            g,
            ("  10.254.0.0/24 ge 32 le 32\n", "  10.254.0.0/24 ge 32 le 32,\n  10.99.0.0/16\n"),
            ("    pass\n  else", "    drop\n  else"),
        )
    )
    assert list(failing(compare("rr1", "iosxr", running, g))) == ["routing"]
    assert remediate_config("iosxr", running, g) == (
        "prefix-set LOOPBACKS\n"
        " 10.254.0.0/24 ge 32 le 32\n"
        "end-set\n"
        "route-policy FABRIC-EXPORT\n"
        " if destination in LOOPBACKS then\n"
        "  pass\n"
        " else\n"
        "  drop\n"
        " endif\n"
        "end-policy\n"
    )


def test_junos_brace_running_vs_golden(backbone_golden: dict[str, str]) -> None:
    g = backbone_golden["rr2"]
    running = "## Last commit: 2026-11-23 10:00:00 UTC by admin\nversion 23.2R1.15;\n" + drifted(
        g,
        ("host-name rr2;", "host-name rr2-old;"),
        ("            neighbor 10.254.0.6 {\n                description pe2;\n            }\n", ""),
    )
    assert failing(compare("rr2", "junos", running, g)) == {
        "system": (["system host-name rr2"], ["system host-name rr2-old"]),
        "bgp": (
            ["protocols bgp group RR-CLIENTS neighbor 10.254.0.6 description pe2"],
            [],
        ),
    }
    # host-name is a value leaf: the set replaces it, no delete of the old value (Junos rejects that)
    assert remediate_config("junos", running, g) == (
        "set system host-name rr2\n"
        "set protocols bgp group RR-CLIENTS neighbor 10.254.0.6 description pe2\n"
    )


def test_srlinux_set_and_delete(backbone_golden: dict[str, str]) -> None:
    g = backbone_golden["pe2"]
    running = (
        drifted(
            g,
            ("set / system name host-name pe2\n", "set / system name host-name pe2x\n"),
        )
        + "set / network-instance default protocols bgp group RR timers hold-time 30\n"
    )
    assert failing(compare("pe2", "srlinux", running, g)) == {
        "system": (["system name host-name pe2"], ["system name host-name pe2x"]),
        "bgp": ([], ["network-instance default protocols bgp group RR timers hold-time 30"]),
    }
    # the changed value is one set (not "delete <leaf> <old value>"); the extra container goes by path
    assert remediate_config("srlinux", running, g) == (
        "delete / network-instance default protocols bgp group RR timers\n"
        "set / system name host-name pe2\n"
    )


def test_sros_flat_paths(backbone_golden: dict[str, str]) -> None:
    g = backbone_golden["p1"]
    running = "# TiMOS-B-24.10.R1 both/x86_64\n" + drifted(
        g, ('/configure port 1/1/c1/1 description "to p2 Ethernet1"\n', "")
    )
    assert failing(compare("p1", "sros", running, g)) == {
        "interfaces": (['port 1/1/c1/1 description "to p2 Ethernet1"'], []),
    }
    assert remediate_config("sros", running, g) == '/configure port 1/1/c1/1 description "to p2 Ethernet1"\n'


def test_ordered_feature(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # An ordered feature (ACL-like) fails on the same lines in another order; unordered does not.
    (tmp_path / "frr.yaml").write_text(
        "platform: frr\nstyle: cli\nparser: cisco_ios\n"
        "features:\n  - {name: plists, ordered: true, section: [ip prefix-list]}\n"
        "  - {name: maps, ordered: false, section: [route-map]}\n"
    )
    monkeypatch.setattr("fabric.compliance.engine.RULES_DIR", tmp_path)
    load_rules.cache_clear()
    try:
        golden = "ip prefix-list A seq 5 permit 10.0.0.0/8\nip prefix-list A seq 10 deny any\n"
        golden += "route-map M permit 10\nroute-map M deny 20\n"
        running = "ip prefix-list A seq 10 deny any\nip prefix-list A seq 5 permit 10.0.0.0/8\n"
        running += "route-map M deny 20\nroute-map M permit 10\n"
        res = {r.feature: r for r in compare("x", "frr", running, golden)}
        assert not res["plists"].compliant and res["plists"].detail == "same lines, different order"
        assert res["plists"].missing == res["plists"].extra == []
        assert res["maps"].compliant
    finally:
        load_rules.cache_clear()


def test_scrub_secrets_every_platform_syntax() -> None:
    from fabric.compliance.collect import scrub

    raw = (
        "username admin privilege 15 role network-admin secret sha512 $6$abc\n"
        "aaa root secret 5 $1$x\n"
        "router bgp 1\n neighbor 1.1.1.1 password 7 0822455D0A16\n neighbor 1.1.1.2 password s3cret\n"
        "service password-encryption\n"
        "snmp-server community public ro\n"
        "tacacs-server host 1.1.1.1 key 7 1234\n"
        '            encrypted-password "$6$abc"; ## SECRET-DATA\n'
        'set / system aaa authentication user admin password "NokiaSrl1!"\n'
    )
    assert scrub(raw) == (
        "username admin privilege 15 role network-admin secret sha512 <removed>\n"
        "aaa root secret 5 <removed>\n"
        "router bgp 1\n neighbor 1.1.1.1 password 7 <removed>\n neighbor 1.1.1.2 password <removed>\n"
        "service password-encryption\n"
        "snmp-server community <removed> ro\n"
        "tacacs-server host 1.1.1.1 key 7 <removed>\n"
        "            encrypted-password <removed>; ## SECRET-DATA\n"
        "set / system aaa authentication user admin password <removed>\n"
    )
