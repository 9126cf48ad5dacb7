"""The SR OS MD-CLI configuration model: a real 7750's config in its three forms, our golden configs,
round trips, NETCONF edit-config operations, compare output, the three-way merge and errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from fabric.design import load_fabric
from fabric.render import render_fabric
from fabric.vendors.sros.config import (
    NS,
    Config,
    ConfigError,
    diff,
    edit,
    edit_xml,
    parse_flat,
    parse_info,
    parse_text,
    parse_xml,
    three_way,
    tokens,
)

ROOT = Path(__file__).resolve().parents[3]
REF = ROOT.parent / "shared" / "reference" / "napalm-mocked-community" / "sros" / "test_get_config" / "normal"
NC = "urn:ietf:params:xml:ns:netconf:base:1.0"


def _ref(name: str) -> str:
    return (REF / name).read_text()


def _info_body() -> str:
    """``info`` as recorded, without the prompt lines after it."""
    text = _ref("info___no-more.txt")
    return text[: text.index("\n[gl:configure]")].rstrip() + "\n"


def _strip(text: str) -> list[str]:
    return [ln.rstrip() for ln in text.strip().splitlines()]


def _shape(el: Any) -> tuple[str, str, list[Any]]:
    kids = [_shape(c) for c in el if isinstance(c.tag, str)]
    return etree.QName(el).localname, (el.text or "").strip(), kids


# ------------------------------------------------------------------------------ the recorded device


def test_info_prints_back_as_recorded() -> None:
    conf = parse_info(_ref("info___no-more.txt"))
    assert _strip(conf.info()) == _strip(_info_body())
    assert conf.data["router"][0]["router-name"] == "Base"
    assert conf.data["router"][0]["interface"][0] == {
        "interface-name": "system",
        "ipv4": {"primary": {"address": "192.168.0.1", "prefix-length": "32"}},
    }
    assert conf.data["log"]["log-id"][0]["destination"] == {"console": ""}  # YANG empty leaf
    assert conf.data["log"]["log-id"][3]["destination"] == {"netconf": {}}  # empty container
    user = conf.data["system"]["security"]["user-params"]["local-user"]["user"][0]
    assert user["console"] == {"member": ["administrative"]}


def test_admin_show_configuration_is_the_same_config() -> None:
    """Same device as ``info``: its ``configure { }`` body is the info text indented once; the
    ``persistent-indices`` block and the comments are not configuration."""
    text = _ref("admin_show_configuration___no-more.txt")
    conf = parse_info(text)
    assert conf == parse_info(_ref("info___no-more.txt"))
    printed = conf.admin_show(when=0)
    assert printed.startswith("# TiMOS-B-24.10.R1 ")
    body = printed[printed.index("configure {\n") : printed.index("\n}\n") + 3]
    recorded = text[text.index("configure {\n") : text.index("\n}\n") + 3]
    assert _strip(body) == _strip(recorded)
    assert "persistent-indices" not in printed
    assert parse_info(printed) == conf


def test_netconf_running_loads_and_prints_back_with_the_same_shape() -> None:
    raw = _ref("get_config_running.xml")
    conf = parse_xml(raw)
    recorded = etree.fromstring(raw.encode())[0]
    assert _shape(conf.xml()) == _shape(recorded)
    assert conf.xml().tag == f"{{{NS}}}configure"
    assert parse_xml(etree.tostring(conf.xml())) == conf
    assert parse_text(raw) == conf
    access = conf.data["system"]["security"]["user-params"]["local-user"]["user"][1]
    assert access["user-name"] == "vrnetlab"
    assert access["console"]["member"] == ["administrative", "default"]
    assert conf.data["system"]["grpc"]["allow-unsecure-connection"] == ""


def test_the_three_forms_agree_on_what_they_share() -> None:
    """The XML reply comes from another box (sros-test, iom-1, release 20+: log-id keyed ``id``,
    filter ``filter-id``) than the two CLI captures (vSR-AUTO-01, iom-v, 24.10 key names after
    parsing); what both configure must be equal: the AAA profiles they share and the ssh lists."""
    cli = parse_info(_ref("info___no-more.txt"))
    xml = parse_xml(_ref("get_config_running.xml"))
    assert cli.data["system"]["security"]["ssh"] == xml.data["system"]["security"]["ssh"]
    profiles = {p["user-profile-name"]: p for p in
                cli.data["system"]["security"]["aaa"]["local-profiles"]["profile"]}
    for p in xml.data["system"]["security"]["aaa"]["local-profiles"]["profile"]:
        if p["user-profile-name"] == "administrative":
            assert p == profiles["administrative"]
    # its info text is stable through a parse, though ``log-id 99`` is then keyed by the 24.10 ``name``
    assert parse_info(xml.info()).info() == xml.info()
    assert parse_info(xml.info()).data["log"]["log-id"][0]["name"] == "99"


def test_round_trips_info_flat_full_context_xml() -> None:
    conf = parse_info(_ref("info___no-more.txt"))
    assert parse_flat(conf.flat()) == conf
    assert parse_flat(conf.full_context()) == conf
    assert parse_text(conf.full_context()) == conf
    assert parse_xml(conf.xml()) == conf
    assert parse_info(parse_flat(conf.flat()).info()).info() == conf.info()
    assert "/configure log log-id 101 destination netconf { }\n" in conf.full_context()
    assert '/configure router "Base" interface "toR2" port 1/1/1\n' in conf.full_context()


def test_context_views() -> None:
    conf = parse_info(_ref("info___no-more.txt"))
    assert conf.info(["router", "Base", "interface", "toR2"]) == (
        "admin-state enable\nport 1/1/1\nipv4 {\n    primary {\n        address 10.0.12.1\n"
        "        prefix-length 24\n    }\n}\n")
    assert conf.flat(["router", "Base", "ospf", "0"]).splitlines()[:2] == [
        "admin-state enable", 'area 0.0.0.0 interface "system" admin-state enable']
    assert conf.info(["router", "nope"]) == ""


# ------------------------------------------------------------------------------ golden configs


def _sros_golden() -> list[tuple[str, str]]:
    out = []
    for name in ("backbone", "sros-core"):
        fab = load_fabric(ROOT / "inventory" / name)
        hosts = [h for h, d in fab.devices.items() if d.platform == "sros"]
        rendered = render_fabric(fab, hosts)
        out += [(f"{name}/{h}", rendered[h]) for h in hosts]
    return out


GOLDEN = _sros_golden()


@pytest.mark.parametrize(("name", "text"), GOLDEN, ids=[g[0] for g in GOLDEN])
def test_golden_configs_load_unmodified(name: str, text: str) -> None:
    conf = parse_flat(text)
    lines = [ln for ln in text.splitlines() if ln.startswith("/configure ")]
    assert sorted(conf.full_context().splitlines()) == sorted(set(lines))
    assert parse_info(conf.info()) == conf
    assert parse_xml(conf.xml()) == conf
    assert parse_text(text) == conf
    assert conf.data["router"][0]["router-name"] == "Base"


def test_golden_keys_and_leaf_lists() -> None:
    conf = parse_flat(dict(GOLDEN)["sros-core/rr1"])
    base = conf.data["router"][0]
    assert base["isis"][0]["isis-instance"] == "0"
    assert base["isis"][0]["area-address"] == ["49.0010"]
    assert base["bgp"]["group"][0]["import"] == {"policy": ["FABRIC-IMPORT"]}
    assert list(base["bgp"]["neighbor"][0])[:2] == ["ip-address", "description"]
    prefix = conf.data["policy-options"]["prefix-list"][0]["prefix"][0]
    assert prefix == {"ip-prefix": "10.254.10.0/24", "type": "range",
                      "start-length": "32", "end-length": "32"}
    assert conf.info(["policy-options"]).splitlines()[1] == "    prefix 10.254.10.0/24 type range {"
    port = conf.data["port"][1]
    assert port["port-id"] == "1/1/c1/1"
    assert port["ethernet"]["lldp"]["dest-mac"] == [{"mac-type": "nearest-bridge", "receive": "true",
                                                    "transmit": "true"}]
    xml = etree.tostring(conf.xml()).decode()
    assert "<dest-mac><mac-type>nearest-bridge</mac-type><receive>true</receive>" in xml
    assert "<prefix><ip-prefix>10.254.10.0/24</ip-prefix><type>range</type><start-length>" in xml


# ------------------------------------------------------------------------------ CLI edits


def test_tokens() -> None:
    assert tokens('router "Base" interface "a b" description "say \\"hi\\"" # c') == [
        "router", "Base", "interface", "a b", "description", 'say "hi"']
    assert tokens('member ["a" "b"]') == ["member", "[", "a", "b", "]"]
    assert tokens("port 1/1/c1/1 {") == ["port", "1/1/c1/1", "{"]
    with pytest.raises(ConfigError, match="Missing closing quote"):
        tokens('description "x')


def test_edit_and_delete() -> None:
    conf = Config()
    edit(conf, ["router", "Base", "interface", "x", "port", "1/1/c1/1"])
    edit(conf, ["router", "Base", "interface", "x", "{"])
    edit(conf, ["policy-options", "prefix-list", "L", "prefix", "10.0.0.0/8", "type", "exact", "{"])
    user = ["system", "security", "user-params", "local-user", "user", "u"]
    edit(conf, user + ["console", "member", "[", "a", "]"])
    edit(conf, user + ["console", "member", "b"])
    assert conf.data["router"] == [
        {"router-name": "Base", "interface": [{"interface-name": "x", "port": "1/1/c1/1"}]}]
    assert conf.data["policy-options"]["prefix-list"][0]["prefix"] == [
        {"ip-prefix": "10.0.0.0/8", "type": "exact"}]
    assert 'member ["a" "b"]' in conf.info()
    edit(conf, ["router", "Base", "interface", "x", "port"], delete=True)
    assert conf.data["router"][0]["interface"] == [{"interface-name": "x"}]
    edit(conf, ["router", "Base", "interface", "x"], delete=True)
    assert "interface" not in conf.data["router"][0]
    edit(conf, ["router", "Base", "interface", "nothing"], delete=True)  # not an error on SR OS
    edit(conf, user + ["console", "member", "a"], delete=True)
    assert conf.flat(["system"]).strip() == 'security user-params local-user user "u" console member ["b"]'


def test_default_keys() -> None:
    """``configure router`` is ``router "Base"``, ``router isis`` is ``isis 0`` (MD-CLI user guide,
    "Default values for key leafs")."""
    conf = Config()
    edit(conf, ["router", "bgp", "admin-state", "enable"])
    edit(conf, ["router", "isis", "level-capability", "2"])
    edit(conf, ["router", "Base", "ospf", "{"])
    edit(conf, ["router", "management", "{"])
    assert conf.flat().splitlines() == [
        'router "Base" bgp admin-state enable', 'router "Base" isis 0 level-capability 2',
        'router "Base" ospf 0 { }', 'router "management" { }']


def test_two_key_lists() -> None:
    """``system.j2``'s NTP line: the server list is keyed ip-address and router-instance (24.10)."""
    conf = parse_flat('/configure system time ntp server 192.0.2.1 router-instance "management"\n'
                      "/configure router static-routes route 0.0.0.0/0 route-type unicast "
                      "next-hop 192.0.2.254 admin-state enable")
    assert conf.data["system"]["time"]["ntp"]["server"] == [
        {"ip-address": "192.0.2.1", "router-instance": "management"}]
    assert conf.full_context().splitlines() == [
        '/configure system time ntp server 192.0.2.1 router-instance "management" { }',
        '/configure router "Base" static-routes route 0.0.0.0/0 route-type unicast next-hop 192.0.2.254 '
        "admin-state enable"]
    assert parse_flat(conf.full_context()) == conf


def test_flat_deletes_on_a_base() -> None:
    base = parse_info(_ref("info___no-more.txt"))
    conf = parse_flat('delete /configure router "Base" interface "toR2"\n'
                      '/configure port 1/1/1 description "new"\n', base)
    assert [i["interface-name"] for i in conf.data["router"][0]["interface"]] == ["system"]
    assert base != conf and base.data["router"][0]["interface"][1]["interface-name"] == "toR2"


def test_errors_are_sros_like() -> None:
    with pytest.raises(ConfigError) as e:
        parse_flat("/configure routerx Base")
    assert e.value.message == "MINOR: MGMT_CORE #2201: Unknown element - 'routerx' (line 1)"
    assert e.value.tag == "unknown-element"
    with pytest.raises(ConfigError) as e:
        parse_flat("/configure policy-options prefix-list L prefix 10.0.0.0/8")
    assert e.value.message == "MINOR: CLI #2001: Missing element value - 'type' (line 1)"
    conf = parse_flat('/configure system name "x"')
    with pytest.raises(ConfigError, match="^MINOR: CLI #2001: Missing element value - 'name'$"):
        edit(conf, ["system", "name"])
    with pytest.raises(ConfigError, match="^MINOR: MGMT_CORE #2201: Unknown element - 'y'$"):
        edit(conf, ["system", "name", "x", "y"])
    with pytest.raises(ConfigError, match="Missing closing"):
        parse_flat("/configure router Base isis 0 area-address [49.0001")
    with pytest.raises(ConfigError, match="missing '}'"):
        parse_info("router Base {\n")
    with pytest.raises(ConfigError, match="Unexpected"):
        parse_info("}\n")
    with pytest.raises(ConfigError, match="Malformed XML"):
        parse_xml("<configure")


# ------------------------------------------------------------------------------ NETCONF


def _cfg(body: str) -> Any:
    return etree.fromstring(f'<config xmlns="{NC}" xmlns:nc="{NC}"><configure xmlns="{NS}">{body}'
                            "</configure></config>")


def test_edit_xml_operations() -> None:
    conf = parse_info(_ref("info___no-more.txt"))
    edit_xml(conf, _cfg("<port><port-id>1/1/1</port-id><description>d</description></port>"))
    assert conf.data["port"][0] == {"port-id": "1/1/1", "admin-state": "enable", "description": "d"}
    edit_xml(conf, _cfg('<port nc:operation="replace"><port-id>1/1/1</port-id>'
                        "<description>r</description></port>"))
    assert conf.data["port"][0] == {"port-id": "1/1/1", "description": "r"}
    edit_xml(conf, _cfg('<port nc:operation="create"><port-id>1/1/9</port-id></port>'))
    assert conf.data["port"][-1] == {"port-id": "1/1/9"}
    with pytest.raises(ConfigError) as e:
        edit_xml(conf, _cfg('<port nc:operation="create"><port-id>1/1/9</port-id></port>'))
    assert e.value.tag == "data-exists"
    edit_xml(conf, _cfg('<port nc:operation="delete"><port-id>1/1/9</port-id></port>'))
    assert [p["port-id"] for p in conf.data["port"]] == ["1/1/1", "1/1/2"]
    with pytest.raises(ConfigError) as e:
        edit_xml(conf, _cfg('<port nc:operation="delete"><port-id>1/1/9</port-id></port>'))
    assert e.value.tag == "data-missing"
    before = conf.copy()
    edit_xml(conf, _cfg('<port nc:operation="remove"><port-id>1/1/9</port-id></port>'))
    assert conf == before
    # deep: a leaf deleted inside a merged entry; an error leaves the config unchanged
    edit_xml(conf, _cfg("<router><router-name>Base</router-name><interface>"
                        '<interface-name>toR2</interface-name><port nc:operation="delete"/>'
                        "</interface></router>"))
    assert "port" not in conf.data["router"][0]["interface"][1]
    with pytest.raises(ConfigError):
        edit_xml(conf, _cfg('<port><port-id>1/1/1</port-id><description>x</description></port>'
                            '<system><name nc:operation="create">again</name></system>'))
    assert conf.data["port"][0]["description"] == "r"
    # a replaced entry drops what is marked delete deep inside it; a foreign namespace is refused
    edit_xml(conf, _cfg('<port nc:operation="replace"><port-id>1/1/2</port-id><ethernet><mtu>9000</mtu>'
                        '<mode nc:operation="delete"/></ethernet></port>'))
    assert conf.data["port"][1] == {"port-id": "1/1/2", "ethernet": {"mtu": "9000"}}
    with pytest.raises(ConfigError) as e:
        edit_xml(conf, _cfg('<port xmlns="urn:other"><port-id>1/1/1</port-id></port>'))
    assert e.value.tag == "unknown-namespace"


def test_edit_xml_leaf_lists_and_default_operations() -> None:
    conf = parse_flat('/configure system security user-params local-user user "u" console member ["a"]')
    body = ("<system><security><user-params><local-user><user><user-name>u</user-name><console>"
            "<member>b</member></console></user></local-user></user-params></security></system>")
    edit_xml(conf, _cfg(body))
    assert 'member ["a" "b"]' in conf.info()
    edit_xml(conf, _cfg(body.replace("<member>", '<member nc:operation="delete">')))
    assert 'member ["a"]' in conf.info()
    # replace: the new config is the whole config
    edit_xml(conf, _cfg("<port><port-id>1/1/1</port-id></port>"), default_operation="replace")
    assert conf.data == {"port": [{"port-id": "1/1/1"}]}
    # none: only explicit operations act; a missing level for a plain leaf is data-missing
    edit_xml(conf, _cfg('<port><port-id>1/1/1</port-id><description nc:operation="merge">n</description>'
                        "</port>"), default_operation="none")
    assert conf.data["port"][0]["description"] == "n"
    with pytest.raises(ConfigError) as e:
        edit_xml(conf, _cfg("<system><name>x</name></system>"), default_operation="none")
    assert e.value.tag == "data-missing"


# ------------------------------------------------------------------------------ compare, three-way


def test_diff_is_md_cli_compare() -> None:
    old = parse_info(_ref("info___no-more.txt"))
    new = parse_flat('/configure router "Base" interface "toR2" port 1/1/2\n'
                     '/configure router "Base" interface "lo1" description "l"\n'
                     "delete /configure log log-id 50\n", old)
    assert diff(old, new) == (
        "    log {\n"
        "-       log-id 50 {\n"
        "-           admin-state enable\n"
        "-           source {\n"
        "-               debug true\n"
        "-           }\n"
        "-           destination {\n"
        "-               console\n"
        "-           }\n"
        "-       }\n"
        "    }\n"
        '    router "Base" {\n'
        '        interface "toR2" {\n'
        "-           port 1/1/1\n"
        "+           port 1/1/2\n"
        "        }\n"
        '+       interface "lo1" {\n'
        '+           description "l"\n'
        "+       }\n"
        "    }\n")
    assert diff(old, old) == ""


def test_three_way_replays_a_private_candidate() -> None:
    base = parse_info(_ref("info___no-more.txt"))
    mine = parse_flat('/configure port 1/1/1 description "mine"\ndelete /configure port 1/1/2', base)
    theirs = parse_flat('/configure router "Base" interface "toR2" port 1/1/2\n'
                        '/configure port 1/1/1 admin-state disable', base)
    merged = three_way(base, mine, theirs)
    ports = {p["port-id"]: p for p in merged.data["port"]}
    assert ports == {"1/1/1": {"port-id": "1/1/1", "admin-state": "disable", "description": "mine"}}
    assert merged.data["router"][0]["interface"][1]["port"] == "1/1/2"
