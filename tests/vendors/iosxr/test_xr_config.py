"""The IOS-XR configuration model: a real XR config and our golden configs load and print back, XR's parser
modes for typed lines, ``no``, one-value leaves, merge, ``show commit changes diff``, XR's error text."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from fabric.vendors.iosxr.twin.config import (
    Config,
    Editor,
    InvalidInput,
    changes,
    diff,
    load_cli_xml,
    merge,
    parse_text,
)

ROOT = Path(__file__).resolve().parents[3]
REF = Path("/work/shared/reference/napalm-mocked/iosxr_netconf/test_get_config/normal")
if not REF.exists():
    REF = ROOT.parent / "shared/reference/napalm-mocked/iosxr_netconf/test_get_config/normal"


def _no_bang_bang(text: str) -> str:
    """The text without its ``!!`` header comments (XR's version line, our golden banner)."""
    return "".join(ln + "\n" for ln in text.rstrip("\n").split("\n") if not ln.startswith("!!"))


@cache
def _golden() -> dict[str, str]:
    """Every rendered IOS-XR golden config of every inventory that has IOS-XR devices."""
    from fabric.design import load_fabric
    from fabric.render import render_fabric
    from fabric.structured import build_structured

    out = {}
    for inv in sorted((ROOT / "inventory").iterdir()):
        if not (inv / "fabric.yaml").exists() or "iosxr" not in (inv / "fabric.yaml").read_text():
            continue
        fab = load_fabric(inv)
        xr = {h for h, sc in build_structured(fab).items() if sc.platform == "iosxr"}
        for host, text in render_fabric(fab, sorted(xr)).items():
            out[f"{inv.name}/{host}"] = text
    return out


def _real() -> str:
    return str(json.loads((REF / "expected_result.json").read_text())["running"])


def _typed(text: str) -> Config:
    """The text typed line by line without indentation, as a user or a script does at the XR CLI."""
    conf = Config()
    ed = Editor(conf)
    for line in text.splitlines():
        if line.startswith("!!") or line.strip() == "end":
            continue
        ed.feed(line.strip())
    return conf


def test_golden_configs_exist() -> None:
    assert {"backbone/rr1", "backbone/pe1"} <= set(_golden())


@pytest.mark.parametrize("name", sorted(_golden()))
def test_golden_config_loads_and_prints_back(name: str) -> None:
    text = _golden()[name]
    conf = parse_text(text)
    out = conf.text()
    assert out.startswith("!! IOS XR Configuration ")
    assert _no_bang_bang(out) == _no_bang_bang(text)
    assert parse_text(out).text() == out


@pytest.mark.parametrize("name", sorted(_golden()))
def test_golden_config_typed_flat_gives_the_same_tree(name: str) -> None:
    text = _golden()[name]
    assert _typed(text).text(header=False) == parse_text(text).text(header=False)


def test_real_xr_config_loads_and_prints_back() -> None:
    text = _real()
    conf = parse_text(text)
    assert conf.text() == text.replace("6.7.1", conf.text().split()[4]).rstrip("\n") + "\n"  # our version
    assert conf.last_change == "Thu Oct  8 06:29:40 2020 by admin"
    assert conf.find("router isis DEFAULT", "interface Loopback0", "passive") is not None
    # empty sub-mode blocks keep their own "!"
    assert conf.find("mpls traffic-eng", "interface GigabitEthernet0/0/0/0").is_block  # type: ignore[union-attr]
    assert _typed(text).text(header=False) == conf.text(header=False)


def test_netconf_cli_cfg_reply_loads() -> None:
    conf = load_cli_xml((REF / "cli-cfg_cli__running.xml").read_text())
    assert conf == parse_text(_real())


def test_section() -> None:
    conf = parse_text(_golden()["backbone/rr1"])
    bgp = conf.section(["router", "bgp"])
    assert bgp.startswith("router bgp 65000\n bgp router-id 10.254.0.1\n") and bgp.endswith(" !\n!\n")
    nbr = conf.section(["router", "bgp", "65000", "neighbor", "10.254.0.2"])
    assert nbr == ("router bgp 65000\n neighbor 10.254.0.2\n  use neighbor-group RR-MESH\n"
                   "  description rr2\n !\n!\n")
    assert conf.section(["interface", "gi0/0/0/0"]).startswith("interface GigabitEthernet0/0/0/0\n")
    assert conf.section(["router", "ospf"]) == ""


def test_parser_modes_and_prompts() -> None:
    conf = parse_text(_golden()["backbone/rr1"])
    ed = Editor(conf)
    seen = []
    for line in ["router bgp 65000", "neighbor 10.254.0.9", "remote-as 65000", "address-family ipv4 unicast",
                 "route-policy FABRIC-IMPORT in", "neighbor-group RR-MESH", "address-family ipv4 unicast",
                 "exit", "exit", "router isis FABRIC", "interface GigabitEthernet0/0/0/0",
                 "address-family ipv4 unicast", "metric 20", "root", "router ospf 1", "area 0",
                 "interface Loopback0", "passive enable", "router static", "address-family ipv4 unicast",
                 "vrf MGMT", "address-family ipv4 unicast", "vrf BLUE", "root", "vrf BLUE",
                 "address-family ipv4 unicast", "rd 65000:1", "interface GigabitEthernet0/0/0/1"]:
        ed.feed(line)
        seen.append(ed.prompt_mode())
    assert seen == ["config-bgp", "config-bgp-nbr", "config-bgp-nbr", "config-bgp-nbr-af",
                    "config-bgp-nbr-af",
                    "config-bgp-nbrgrp", "config-bgp-nbrgrp-af", "config-bgp-nbrgrp", "config-bgp",
                    "config-isis", "config-isis-if", "config-isis-if-af", "config-isis-if-af", "config",
                    "config-ospf", "config-ospf-ar", "config-ospf-ar-if", "config-ospf-ar-if",
                    "config-static",
                    "config-static-afi", "config-static-vrf", "config-static-vrf-afi",
                    "config-static-vrf",  # the nearest mode that has `vrf` takes it
                    "config", "config-vrf", "config-vrf-af", "config-vrf", "config-if"]
    assert conf.find("router bgp 65000", "neighbor 10.254.0.9", "address-family ipv4 unicast",
                     "route-policy FABRIC-IMPORT in") is not None
    assert conf.find("router isis FABRIC", "interface GigabitEthernet0/0/0/0", "address-family ipv4 unicast",
                     "metric 20") is not None  # the one metric replaced 10
    assert conf.find("router isis FABRIC", "interface GigabitEthernet0/0/0/0", "address-family ipv4 unicast",
                     "metric 10") is None
    assert conf.find("vrf BLUE", "rd 65000:1") is not None  # `rd` is not a leaf of config-vrf-af
    ed.feed("route-policy P")
    assert ed.prompt_mode() == "config-rpl"


def test_lines_fall_back_to_parent_modes() -> None:
    conf = Config()
    ed = Editor(conf)
    for line in ["router bgp 1", "neighbor 10.0.0.1", "remote-as 2", "hostname r9"]:
        ed.feed(line)
    # hostname is not a neighbor command: XR takes it in global config (and stays there) ...
    assert conf.find("hostname r9") is not None
    assert ed.prompt_mode() == "config"
    with pytest.raises(InvalidInput):  # ... where a neighbor's description is no command
        ed.feed("description top?")


def test_no_deletes_leaves_and_blocks() -> None:
    conf = parse_text(_golden()["backbone/rr1"])
    ed = Editor(conf)
    ed.feed("interface GigabitEthernet0/0/0/0")
    ed.feed("no description")
    ed.feed("no mtu")
    node = conf.find("interface GigabitEthernet0/0/0/0")
    assert node is not None and [c.line for c in node.children] == ["ipv4 address 10.2.0.3 255.255.255.254"]
    ed.feed("router bgp 65000")
    ed.feed("no neighbor 10.254.0.5")
    assert conf.find("router bgp 65000", "neighbor 10.254.0.5") is None
    assert conf.find("router bgp 65000", "neighbor 10.254.0.6") is not None
    ed.feed("no route-policy FABRIC-IMPORT")
    assert conf.find("route-policy FABRIC-IMPORT") is None
    ed.feed("no lldp")
    assert "lldp" not in conf.text()
    ed.feed("no interface Loopback99")  # nothing to delete: XR takes it silently
    with pytest.raises(InvalidInput) as e:
        ed.feed("no frobnicate 1")
    assert e.value.pos == 3


def test_invalid_input_text() -> None:
    ed = Editor(Config())
    with pytest.raises(InvalidInput) as e:
        ed.feed("frobnicate on")
    assert str(e.value) == " frobnicate on\n ^\n% Invalid input detected at '^' marker."
    with pytest.raises(InvalidInput) as e:
        ed.feed("router bgpp 1")
    assert (e.value.line, e.value.pos) == ("router bgpp 1", 7)
    assert str(e.value) == " router bgpp 1\n        ^\n% Invalid input detected at '^' marker."
    prompt = "RP/0/RP0/CPU0:xr1(config)#"
    assert e.value.cli(prompt) == " " * (len(prompt) + 7) + "^\n% Invalid input detected at '^' marker.\n"
    ed.feed("router bgp 1")
    ed.feed("neighbor 1.1.1.1")
    with pytest.raises(InvalidInput):
        ed.feed("metric-style wide")  # an IS-IS command: no mode on the path takes it
    with pytest.raises(InvalidInput):
        parse_text("hostname a\nfrobnicate\n")


def test_route_policy_typed_flat_is_reindented() -> None:
    ed = Editor(conf := Config())
    for line in ["route-policy P", "if destination in S then", "pass", "elseif destination in T then",
                 "drop", "else", "set local-preference 200", "endif", "end-policy",
                 "prefix-set S", "10.0.0.0/8 le 32,", "192.168.0.0/16", "end-set"]:
        ed.feed(line)
    assert ed.prompt_mode() == "config"
    assert conf.text(header=False) == (
        "route-policy P\n  if destination in S then\n    pass\n  elseif destination in T then\n    drop\n"
        "  else\n    set local-preference 200\n  endif\nend-policy\n!\n"
        "prefix-set S\n  10.0.0.0/8 le 32,\n  192.168.0.0/16\nend-set\n!\nend\n")
    assert parse_text(conf.text()) == conf


def test_one_value_leaves_replace() -> None:
    ed = Editor(conf := Config())
    for line in ["interface GigabitEthernet0/0/0/3", "description a", "ipv4 address 10.0.0.1 255.255.255.0",
                 "ipv4 address 10.0.1.1 255.255.255.0 secondary", "description b",
                 "ipv4 address 10.0.0.9 255.255.255.0", "mtu 1514", "mtu 9014", "router bgp 1",
                 "bgp router-id 1.1.1.1", "bgp router-id 2.2.2.2", "neighbor 1.1.1.1", "remote-as 1",
                 "remote-as 2", "router isis X", "net 49.0001.0000.0000.0001.00",
                 "net 49.0002.0000.0000.0001.00"]:
        ed.feed(line)
    assert conf.text(header=False) == (
        "interface GigabitEthernet0/0/0/3\n description b\n ipv4 address 10.0.0.9 255.255.255.0\n"
        " ipv4 address 10.0.1.1 255.255.255.0 secondary\n mtu 9014\n!\n"
        "router bgp 1\n bgp router-id 2.2.2.2\n neighbor 1.1.1.1\n  remote-as 2\n !\n!\n"
        "router isis X\n net 49.0001.0000.0000.0001.00\n net 49.0002.0000.0000.0001.00\n!\nend\n")


def test_paste_uses_indentation_for_blocks_the_tables_do_not_know() -> None:
    ed = Editor(conf := Config())
    ed.feed_text("mpls traffic-eng\n pce\n  peer ipv4 192.0.2.1\n  !\n  stateful-client\n   report\n"
                 "  !\n !\n!\n")
    assert conf.find("mpls traffic-eng", "pce", "stateful-client", "report") is not None
    assert parse_text(conf.text()) == conf


def test_merge() -> None:
    base = parse_text(_golden()["backbone/rr1"])
    add = parse_text("hostname rr1-new\ninterface GigabitEthernet0/0/0/0\n description changed\n!\n"
                     "interface Loopback1\n ipv4 address 10.9.9.9 255.255.255.255\n!\n")
    out = merge(base, add)
    assert out.find("hostname rr1-new") is not None and out.find("hostname rr1") is None
    assert out.find("interface GigabitEthernet0/0/0/0", "description changed") is not None
    assert out.find("interface GigabitEthernet0/0/0/0", "mtu 9014") is not None
    # a new interface goes with the other interfaces, as XR orders them
    tops = [c.line for c in out.root.children]
    assert tops.index("interface Loopback1") < tops.index("prefix-set LOOPBACKS")
    assert base.find("hostname rr1") is not None  # base untouched


def test_diff_and_changes() -> None:
    old = parse_text("hostname a\ninterface Loopback0\n description x\n"
                     " ipv4 address 1.1.1.1 255.255.255.255\n!\n"
                     "interface Loopback1\n shutdown\n!\n")
    new = parse_text("hostname b\ninterface Loopback0\n description y\n"
                     " ipv4 address 1.1.1.1 255.255.255.255\n!\n"
                     "interface Loopback2\n!\n")
    assert diff(old, new) == (
        "-  hostname a\n+  hostname b\n"
        "   interface Loopback0\n-   description x\n+   description y\n   !\n"
        "-  interface Loopback1\n-   shutdown\n-  !\n+  interface Loopback2\n+  !\n")
    assert changes(old, new) == (
        "no interface Loopback1\nhostname b\ninterface Loopback0\n description y\n!\n"
        "interface Loopback2\n!\n")
    assert diff(new, new) == ""
