"""The SR Linux configuration model: golden configs, a real device's config, older syntax, errors, paths."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from fabric.vendors.srlinux.twin.config import (
    Config,
    ConfigError,
    parse_flat,
    parse_info,
    parse_json,
    parse_path,
    parse_text,
    three_way,
)

ROOT = Path(__file__).resolve().parents[3]
REF = ROOT.parent / "shared" / "reference" / "napalm-mocked-community" / "srlinux"
PE2 = ROOT / "containerlab" / "backbone" / "pe2.cfg"


def _real() -> list[Any]:
    return json.loads((REF / "test_get_config" / "normal" / "___running.json").read_text())  # type: ignore[no-any-return]


def _no_annotations(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if not k.startswith("_annotate")}


def test_golden_config_prints_back_unchanged() -> None:
    text = PE2.read_text()
    conf = parse_flat(text)
    assert conf.flat() == text  # our templates render SR Linux's own flat order
    assert parse_info(conf.info()) == conf
    assert parse_json(json.dumps(conf.json(prefixes=True))) == conf
    bgp = conf.get("/network-instance[name=default]/protocols/bgp")
    assert bgp["autonomous-system"] == 65000 and isinstance(bgp["autonomous-system"], int)
    group = bgp["group"][0]
    assert group["group-name"] == "RR" and group["export-policy"] == ["FABRIC-EXPORT"]
    assert group["afi-safi"] == [{"afi-safi-name": "ipv4-unicast", "admin-state": "enable"}]
    assert conf.get("/interface[name=ethernet-1/1]/description") == "to p1 1/1/c4/1"
    prefix = conf.get("/routing-policy/prefix-set[name=LOOPBACKS]")["prefix"]
    assert prefix == [{"ip-prefix": "10.254.0.0/24", "mask-length-range": "32..32"}]
    assert "    interface ethernet-1/1 {\n        description \"to p1 1/1/c4/1\"\n" in conf.info()
    assert re.search(r"\n( +)net \[\n\1    49\.0001\.0102\.5400\.0006\.00\n\1\]\n", conf.info())


def test_golden_render_matches_the_file() -> None:
    from fabric.design import load_fabric
    from fabric.render import render_fabric

    rendered = render_fabric(load_fabric(ROOT / "inventory" / "backbone"))
    text = next(v for k, v in rendered.items() if "pe2" in str(k))
    assert parse_text(text) == parse_flat(PE2.read_text())


def test_a_real_device_config_loads_and_prints_back() -> None:
    real = _real()
    conf = parse_json(real)
    # the JSON-RPC server's module prefixes, keys and identity values, come back as the device sent them
    assert conf.json(prefixes=True) == real[0]
    assert "srl_nokia-bgp:bgp" in json.dumps(conf.json(prefixes=True))
    assert conf.get("/network-instance[name=default]/type") == "default"
    assert parse_info(conf.info()) == conf
    assert _no_annotations(parse_flat(conf.flat()).data) == _no_annotations(conf.data)


OLD = """
set / network-instance default protocols bgp ipv4-unicast admin-state enable
set / network-instance default protocols bgp group ebgp ipv4-unicast admin-state enable
set / network-instance default protocols bgp group ebgp export-policy all
set / network-instance default protocols bgp neighbor 10.0.0.2 peer-group ebgp
set / network-instance default protocols bgp neighbor 10.0.0.2 ipv6-unicast admin-state disable
set / routing-policy policy all default-action accept
set / routing-policy policy lo statement 10 action accept
"""


def test_older_release_syntax_normalises() -> None:
    conf = parse_flat(OLD)
    new = parse_flat("""
set / network-instance default protocols bgp afi-safi ipv4-unicast admin-state enable
set / network-instance default protocols bgp group ebgp afi-safi ipv4-unicast admin-state enable
set / network-instance default protocols bgp group ebgp export-policy [ all ]
set / network-instance default protocols bgp neighbor 10.0.0.2 peer-group ebgp
set / network-instance default protocols bgp neighbor 10.0.0.2 afi-safi ipv6-unicast admin-state disable
set / routing-policy policy all default-action policy-result accept
set / routing-policy policy lo statement 10 action policy-result accept
""")
    assert conf == new
    old_info = """
    routing-policy {
        policy all {
            default-action {
                accept {
                }
            }
            statement 10 {
                action {
                    accept {
                        bgp {
                            local-preference {
                                set 200
                            }
                        }
                    }
                }
            }
        }
    }
"""
    pol = parse_info(old_info).get("/routing-policy/policy[name=all]")
    assert pol["default-action"] == {"policy-result": "accept"}
    assert pol["statement"] == [{"name": "10", "action": {"policy-result": "accept",
                                                          "bgp": {"local-preference": {"set": 200}}}}]
    old_json = {"routing-policy": {"policy": [{"name": "p", "statement": [{"sequence-id": 5,
                                                                           "action": {"reject": {}}}]}]}}
    assert parse_json(old_json).get("/routing-policy/policy[name=p]/statement[name=5]/action") == {
        "policy-result": "reject"}


def test_errors_carry_sr_linux_text() -> None:
    with pytest.raises(ConfigError, match=r"Parsing error: Unknown token 'foo'. Options are \["):
        parse_flat("set / foo bar baz")
    with pytest.raises(ConfigError, match="Unknown token 'sett'"):
        parse_flat("sett / interface ethernet-1/1 admin-state enable")
    with pytest.raises(ConfigError, match="missing '}'"):
        parse_info("interface ethernet-1/1 {\n admin-state enable\n")
    with pytest.raises(ConfigError, match="Parse error"):
        parse_json("{not json")


def test_paths_get_update_replace_delete() -> None:
    conf = parse_flat(PE2.read_text())
    assert parse_path("/srl_nokia-interfaces:interface[name=ethernet-1/1]/subinterface[index=0]") == [
        ("interface", {"name": "ethernet-1/1"}), ("subinterface", {"index": "0"})]
    got = conf.get("/interface[name=*]/description")
    assert got == {"interface": [{"name": "ethernet-1/1", "description": "to p1 1/1/c4/1"},
                                 {"name": "ethernet-1/2", "description": "to p2 Ethernet4"},
                                 {"name": "system0", "description": "router-id and overlay peering"}]}
    subs = conf.get("/interface[name=*]/subinterface[index=0]/ipv4/address")
    assert subs["interface"][0] == {"name": "ethernet-1/1", "subinterface": [
        {"index": 0, "ipv4": {"address": [{"ip-prefix": "10.2.0.11/31"}]}}]}
    conf.update("/interface[name=ethernet-1/3]", {"description": "new", "admin-state": "enable"})
    conf.update("/interface[name=ethernet-1/3]/subinterface[index=0]/ipv4/address[ip-prefix=10.9.0.1/31]", {})
    assert "set / interface ethernet-1/3 subinterface 0 ipv4 address 10.9.0.1/31" in conf.flat()
    conf.replace("/interface[name=ethernet-1/3]", {"admin-state": "disable"})
    assert conf.get("/interface[name=ethernet-1/3]") == {"name": "ethernet-1/3", "admin-state": "disable"}
    conf.update("/system/name/host-name", "pe2-new")
    assert conf.get("/system/name") == {"host-name": "pe2-new", "domain-name": "lab.local"}
    conf.delete("/interface[name=ethernet-1/3]")
    conf.delete("/system/name/domain-name")
    assert conf.get("/interface[name=ethernet-1/3]") == {}
    assert conf.get("/system/name") == {"host-name": "pe2-new"}
    with pytest.raises(ConfigError, match="wildcards"):
        conf.update("/interface[name=*]/description", "x")


def test_three_way_merge_of_a_private_candidate() -> None:
    base = parse_flat("set / system name host-name a\nset / interface ethernet-1/1 description x")
    mine = base.copy()
    mine.update("/interface[name=ethernet-1/1]/description", "mine")
    theirs = base.copy()
    theirs.update("/system/name/host-name", "b")
    merged = three_way(base, mine, theirs)
    assert merged == parse_flat("set / system name host-name b\n"
                                "set / interface ethernet-1/1 description mine")
    assert Config() == parse_flat("")
