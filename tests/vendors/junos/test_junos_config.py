"""Junos configuration model: curly-brace, display-set and XML in and out, load actions (no lab)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from _skip import need
from lxml import etree

from fabric.vendors.junos.render import junos_display_set
from fabric.vendors.junos.twin.config import Config, ConfigError, from_xml, parse_text

ROOT = Path(__file__).resolve().parents[3]
GOLDEN = ROOT / "tests" / "render" / "golden" / "backbone"
REAL = ROOT.parent / "shared" / "reference" / "napalm-mocked" / "junos" / "test_get_config" / "normal"


def _no_comments(text: str) -> str:
    return re.sub(r"/\*.*?\*/\n", "", text)


def _real_config() -> str:
    path = REAL / "get_config__database_committed__format_text.xml"
    need(path.exists(), f"reference data missing: {path}")
    return etree.fromstring(path.read_bytes()).text or ""


def test_golden_text_round_trip() -> None:
    cfg = (GOLDEN / "rr2.cfg").read_text()
    conf = parse_text(cfg)
    assert conf.text() == _no_comments(cfg)
    assert conf.display_set() == (GOLDEN / "rr2.set").read_text()
    assert conf.display_set() == junos_display_set(cfg)


def test_golden_set_gives_the_same_tree() -> None:
    conf = Config().load((GOLDEN / "rr2.set").read_text(), action="set")
    assert conf.text() == _no_comments((GOLDEN / "rr2.cfg").read_text())


def test_golden_xml_round_trip() -> None:
    conf = parse_text((GOLDEN / "rr2.cfg").read_text())
    xml = conf.xml()
    assert xml.findtext("interfaces/interface/name") == "ge-0/0/0"
    assert xml.findtext("interfaces/interface/unit/family/inet/address/name") == "10.2.0.5/31"
    assert xml.findtext("system/login/user/class") == "super-user"
    assert from_xml(conf.xml_text()).text() == conf.text()


def test_real_config_as_napalm_recorded_it() -> None:
    """NAPALM's recorded reply has one stray '}' (line 25 of the text): Junos itself would refuse
    that text, and so does the model; without the stray line it round-trips through every form."""
    text = _real_config()
    with pytest.raises(ConfigError) as err:
        parse_text(text)
    assert err.value.message == "syntax error" and err.value.token == "}"
    lines = text.splitlines(keepends=True)
    assert lines[24].strip() == "}"
    del lines[24]
    fixed = "".join(lines).lstrip("\n")
    conf = parse_text(fixed)
    assert conf.text() == fixed
    assert 'authentication-order [ password radius ];' in conf.text()
    assert "set system authentication-order password" in conf.display_set()
    assert Config().load(conf.display_set(), action="set").text() == fixed
    assert from_xml(conf.xml_text()).text() == fixed


def test_set_replaces_single_values_and_delete() -> None:
    conf = Config().load("set system host-name a\nset system host-name b\n"
                         "set interfaces ge-0/0/0 unit 0 family inet address 10.0.0.1/31\n"
                         "set interfaces ge-0/0/0 unit 0 family inet address 10.0.0.3/31\n", action="set")
    assert "host-name b;" in conf.text() and "host-name a" not in conf.text()
    assert conf.text().count("address 10.0.0.") == 2
    conf = conf.load("delete interfaces ge-0/0/0 unit 0 family inet address 10.0.0.1/31\n"
                     "deactivate system host-name\n", action="set")
    assert "10.0.0.1/31" not in conf.text()
    assert "inactive: host-name b;" in conf.text()
    assert "deactivate system host-name b" in conf.display_set()
    conf = conf.load("delete interfaces\n", action="set")
    assert "interfaces" not in conf.text()


def test_load_actions() -> None:
    base = parse_text("system {\n    host-name a;\n    services {\n        ssh;\n    }\n}\n")
    merged = base.load("system { domain-name x; }", "text", "merge")
    assert "host-name a;" in merged.text() and "domain-name x;" in merged.text()
    replaced = base.load("system { replace: services { netconf { ssh; } } }", "text", "replace")
    assert "ssh;\n        }" in replaced.text() and "        ssh;\n    }" not in replaced.text()
    assert "host-name a;" in replaced.text()
    over = base.load("snmp { contact me; }", "text", "override")
    assert over.text() == "snmp {\n    contact me;\n}\n"
    xml = base.load("<configuration><system><host-name>c</host-name></system></configuration>",
                    "xml", "merge")
    assert "host-name c;" in xml.text() and "host-name a" not in xml.text()
    assert base.text().startswith("system {\n    host-name a;")  # loads never touch the original


@pytest.mark.parametrize("bad", ["system { host-name a; ", "system { host-name a; }}", "system { [ x ] }",
                                 "system { host-name \"a; }", "{ }"])
def test_bad_text_is_a_syntax_error(bad: str) -> None:
    base = parse_text("system { host-name a; }")
    with pytest.raises(ConfigError) as err:
        base.load(bad, "text", "merge")
    assert err.value.message.startswith("syntax error")
    assert base.text() == "system {\n    host-name a;\n}\n"


def test_bad_set_lines() -> None:
    base = Config()
    with pytest.raises(ConfigError, match="syntax error, expecting <command>"):
        base.load("sett system host-name a", action="set")
    warned = base.load("delete system host-name\nset system domain-name d", action="set")
    assert [(w.severity, w.message) for w in warned.warnings] == [("warning", "statement not found")]
    assert "domain-name d;" in warned.text()
    with pytest.raises(ConfigError):
        base.load("<configuration><system>", "xml", "merge")
    assert base.text() == ""


def test_set_lines_with_unknown_keywords() -> None:
    conf = Config().load('set system location building "B 1"\nset system services ssh root-login deny\n'
                         "set system services netconf ssh\nset system radius-server 10.0.0.1 timeout 3\n",
                         action="set")
    assert conf.text() == (
        "system {\n    location {\n        building \"B 1\";\n    }\n    services {\n        ssh {\n"
        "            root-login deny;\n        }\n        netconf {\n            ssh;\n        }\n    }\n"
        "    radius-server {\n        10.0.0.1 {\n            timeout 3;\n        }\n    }\n}\n")
    assert parse_text(conf.text()).text() == conf.text()
