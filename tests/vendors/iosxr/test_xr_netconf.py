"""The IOS-XR twin's NETCONF server (port 830) driven by unmodified clients: ncclient with the iosxr
handler, NAPALM iosxr_netconf, and raw SSH for the 1.0 and 1.1 framings. Replies are compared with the
recorded real XR replies in /work/shared/reference/napalm-mocked/iosxr_netconf/."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest
from _twinbed import poll
from lxml import etree

from fabric.vendors.iosxr.twin import netconf

REF = Path("/work/shared/reference/napalm-mocked/iosxr_netconf")
NC = "urn:ietf:params:xml:ns:netconf:base:1.0"
CLI = '<cli xmlns="http://cisco.com/ns/yang/Cisco-IOS-XR-cli-cfg"/>'
CLI_EDIT = '<config><cli xmlns="http://cisco.com/ns/yang/Cisco-IOS-XR-cli-cfg">{}</cli></config>'
DIFF_RPC = '<get-cli-config-diff xmlns="http://cisco.com/ns/yang/Cisco-IOS-XR-cli-diff-act"/>'
IF_FILTER = '<interfaces xmlns="http://cisco.com/ns/yang/Cisco-IOS-XR-um-interface-cfg"/>'
LO1 = "interface Loopback1\n description added-by-netconf\n ipv4 address 10.255.9.1 255.255.255.255\n!\n"


def _rpc_error(exc: Any) -> tuple[str, str, str]:
    return exc.tag, exc.type, exc.message


def _candidate_cli(m: Any) -> str:
    data = etree.fromstring(m.get_config(source="candidate", filter=("subtree", CLI)).xml.encode())[0]
    return data[0].text if len(data) else ""


def _running(bed: Any) -> str:
    return bed.call(lambda: bed.twin.db.running.text())


# ---- hello and framing --------------------------------------------------------------------------------
def test_hello_offers_xr_capabilities_and_1_1_framing(bed: Any) -> None:
    with bed.ncclient() as m:
        caps = set(m.server_capabilities)
        for c in ("urn:ietf:params:netconf:base:1.0", "urn:ietf:params:netconf:base:1.1",
                  "urn:ietf:params:netconf:capability:candidate:1.0",
                  "urn:ietf:params:netconf:capability:confirmed-commit:1.1",
                  "urn:ietf:params:netconf:capability:rollback-on-error:1.0",
                  "urn:ietf:params:netconf:capability:validate:1.1"):
            assert c in caps
        assert "urn:ietf:params:netconf:capability:writable-running:1.0" not in caps
        mods = {c.split("?")[0] for c in caps if "module=" in c}
        for name in ("Cisco-IOS-XR-cli-cfg", "Cisco-IOS-XR-cli-diff-act", "Cisco-IOS-XR-cfgmgr-rollback-act",
                     "Cisco-IOS-XR-um-interface-cfg", "Cisco-IOS-XR-ipv4-bgp-oper"):
            assert f"http://cisco.com/ns/yang/{name}" in mods
        ylib = "urn:ietf:params:netconf:capability:yang-library:1.1?revision=2019-01-04&content-id="
        assert any(c.startswith(ylib) for c in caps)
        assert m.session_id and int(m.session_id) > 0
        from ncclient.transport.session import NetconfBase

        assert m._session._base == NetconfBase.BASE_11  # both offered base:1.1: chunked framing


async def _raw(port: int, user: str, password: str, hello_caps: list[str], chunked: bool,
               rpcs: list[bytes]) -> tuple[str, list[bytes]]:
    """A NETCONF client on bare asyncssh: our hello, then each rpc as given (already framed)."""
    import asyncssh

    async with asyncssh.connect("127.0.0.1", port, username=user, password=password, known_hosts=None,
                                client_keys=None) as conn:
        w, r, _ = await conn.open_session(subsystem="netconf", encoding=None)
        buf = b""
        while b"]]>]]>" not in buf:
            buf += await asyncio.wait_for(r.read(65536), 10)
        hello, buf = buf.split(b"]]>]]>", 1)
        caps = "".join(f"<capability>{c}</capability>" for c in hello_caps)
        w.write(f'<hello xmlns="{NC}"><capabilities>{caps}</capabilities></hello>]]>]]>'.encode())
        replies = []
        for rpc in rpcs:
            w.write(rpc)
            end = b"\n##\n" if chunked else b"]]>]]>"
            while end not in buf:
                buf += await asyncio.wait_for(r.read(65536), 10)
            msg, buf = buf.split(end, 1)
            replies.append(msg)
        w.close()
        return hello.decode(), replies


def test_netconf_1_0_framing_for_a_1_0_client(bed: Any) -> None:
    rpc = (f'<rpc message-id="7" xmlns="{NC}"><get-config><source><running/></source>'
           f'<filter>{CLI}</filter></get-config></rpc>]]>]]>').encode()
    hello, (reply,) = asyncio.run(_raw(bed.port, bed.user, bed.password, ["urn:ietf:params:netconf:base:1.0"],
                                       False, [rpc]))
    h = etree.fromstring(hello.strip().encode())
    assert etree.QName(h).localname == "hello" and h.prefix == "nc"  # XR's hello is nc: prefixed
    assert h.findtext(f"{{{NC}}}session-id").isdigit()
    doc = etree.fromstring(reply.strip())
    assert doc.get("message-id") == "7"
    cli = doc.find(f"{{{NC}}}data/{{http://cisco.com/ns/yang/Cisco-IOS-XR-cli-cfg}}cli")
    assert "hostname xr1" in cli.text


def test_netconf_1_1_chunks_split_anywhere(bed: Any) -> None:
    """Chunked framing: a message in several chunks, one ending inside a UTF-8 character (RFC 6242 4.2)."""
    body = (f'<rpc message-id="8" xmlns="{NC}"><edit-config><target><candidate/></target>'
            + CLI_EDIT.format("interface Loopback7\n description caf\u00e9\n!\n")
            + "</edit-config></rpc>").encode()
    cut = body.index("\u00e9".encode()) + 1
    parts = [body[:10], body[10:cut], body[cut:]]
    framed = b"".join(b"\n#%d\n%s" % (len(p), p) for p in parts) + b"\n##\n"
    diff = f'<rpc message-id="9" xmlns="{NC}">{DIFF_RPC}</rpc>'.encode()
    framed2 = b"\n#%d\n%s\n##\n" % (len(diff), diff)
    _, (r1, r2) = asyncio.run(_raw(bed.port, bed.user, bed.password, ["urn:ietf:params:netconf:base:1.1"],
                                   True, [framed, framed2]))

    def unchunk(msg: bytes) -> bytes:
        out, rest = b"", msg
        while rest.startswith(b"\n#"):
            head, rest = rest[2:].split(b"\n", 1)
            out, rest = out + rest[: int(head)], rest[int(head):]
        return out

    assert b"<ok/>" in unchunk(r1)
    assert "+  interface Loopback7" in unchunk(r2).decode() and "caf\u00e9" in unchunk(r2).decode()


# ---- get-config ----------------------------------------------------------------------------------------
def _shape(xml: str) -> list[tuple[str, ...]]:
    """Element paths (namespaces included) of a reply: the shape to compare with a recorded one."""
    root = etree.fromstring(xml.encode() if isinstance(xml, str) else xml)
    return sorted({tuple(str(a.tag) for a in [*reversed(list(e.iterancestors())), e]) for e in root.iter()
                   if isinstance(e.tag, str)})


def test_get_config_cli_has_the_recorded_shape(bed: Any) -> None:
    recorded = (REF / "test_get_config/normal/cli-cfg_cli__running.xml").read_text()
    with bed.ncclient() as m:
        running = m.get_config(source="running", filter=("subtree", CLI)).xml
        candidate = m.get_config(source="candidate", filter=("subtree", CLI)).xml
    assert _shape(running) == _shape(recorded)
    text = etree.fromstring(running.encode())[0][0].text
    assert text.startswith("\n!! IOS XR Configuration 24.1.1\n")
    assert text.endswith("end\n\n")  # as recorded: the config's "end", then a blank line
    assert "\nhostname xr1\n" in text and "\ninterface GigabitEthernet0/0/0/0\n description to-xr2\n" in text
    # an unchanged candidate is empty in the cli model, as in the recorded reply
    rec_cand = (REF / "test_get_config/normal/cli-cfg_cli__candidate.xml").read_text()
    assert _shape(candidate) == _shape(rec_cand)


def test_get_config_xml_models(bed: Any) -> None:
    with bed.ncclient() as m:
        data = etree.fromstring(m.get_config(source="running").xml.encode())[0]
        one = etree.fromstring(m.get_config(source="running", filter=("subtree", (
            '<interfaces xmlns="http://cisco.com/ns/yang/Cisco-IOS-XR-um-interface-cfg"><interface>'
            '<interface-name>GigabitEthernet0/0/0/0</interface-name></interface></interfaces>'))).xml.encode())[0]
    ns = {"h": netconf.HOSTNAME_NS, "i": netconf.IF_NS, "a": netconf.IFADDR_NS}
    assert data.findtext("h:hostname/h:system-network-name", namespaces=ns) == "xr1"
    gi = one.findall("i:interfaces/i:interface", namespaces=ns)
    assert [g.findtext("i:interface-name", namespaces=ns) for g in gi] == ["GigabitEthernet0/0/0/0"]
    assert gi[0].findtext("i:description", namespaces=ns) == "to-xr2"
    assert gi[0].findtext("i:mtu", namespaces=ns) == "9214"
    assert gi[0].findtext("a:ipv4/a:addresses/a:address/a:netmask", namespaces=ns) == "255.255.255.254"


def test_unsupported_model_and_rpc_are_rpc_errors(bed: Any) -> None:
    from ncclient.operations.rpc import RPCError
    from ncclient.xml_ import to_ele

    with bed.ncclient() as m:
        with pytest.raises(RPCError) as e:
            m.get_config(source="running", filter=("subtree", '<bgp xmlns="http://cisco.com/ns/yang/Cisco-IOS-XR-nope"/>'))
        assert e.value.tag == "unknown-namespace"
        with pytest.raises(RPCError) as e:
            m.dispatch(to_ele('<frobnicate xmlns="http://example.com/x"/>'))
        assert e.value.tag == "operation-not-supported"
        with pytest.raises(RPCError) as e:
            m.edit_config(target="running", config=CLI_EDIT.format("hostname nope"))
        assert e.value.tag == "invalid-value"
        with pytest.raises(RPCError) as e:
            m.get(filter=("subtree", '<widgets xmlns="http://cisco.com/ns/yang/Cisco-IOS-XR-widgets-oper"/>'))
        assert e.value.severity == "error"


# ---- edit, diff, commit --------------------------------------------------------------------------------
def test_edit_config_cli_merge_diff_commit(bed: Any) -> None:
    from ncclient.xml_ import to_ele

    with bed.ncclient() as m:
        m.edit_config(target="candidate", config=CLI_EDIT.format(LO1), error_option="rollback-on-error")
        diff = etree.fromstring(m.dispatch(to_ele(DIFF_RPC)).xml.encode())[0].text
        assert "+  interface Loopback1" in diff and "+   description added-by-netconf" in diff
        assert "Loopback1" not in _running(bed)
        cand = _candidate_cli(m)
        assert "interface Loopback1\n description added-by-netconf" in cand
        m.commit()
    run = _running(bed)
    assert LO1 in run
    assert bed.twin.applied is not None and "Loopback1" in bed.twin.applied.text()


def test_invalid_cli_is_refused_and_the_candidate_unchanged(bed: Any) -> None:
    from ncclient.operations.rpc import RPCError

    with bed.ncclient() as m:
        m.edit_config(target="candidate", config=CLI_EDIT.format("interface Loopback5\n description ok\n!\n"))
        with pytest.raises(RPCError) as e:
            m.edit_config(target="candidate", error_option="rollback-on-error",
                          config=CLI_EDIT.format("interface Loopback6\n description x\n!\nfrobnicate all\n"))
        assert "Invalid input detected" in e.value.message
        cand = _candidate_cli(m)
        assert "Loopback5" in cand and "Loopback6" not in cand


def test_xml_model_edits(bed: Any) -> None:
    cfg = ('<config><interfaces xmlns="http://cisco.com/ns/yang/Cisco-IOS-XR-um-interface-cfg">'
           '<interface><interface-name>GigabitEthernet0/0/0/1</interface-name><description>via-yang</description>'
           '<mtu>9000</mtu><shutdown/><ipv4 xmlns="http://cisco.com/ns/yang/Cisco-IOS-XR-um-if-ip-address-cfg">'
           '<addresses><address><address>10.1.1.0</address><netmask>255.255.255.254</netmask></address>'
           '</addresses></ipv4></interface>'
           '<interface xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0">'
           '<interface-name>GigabitEthernet0/0/0/0</interface-name><description nc:operation="delete"/>'
           '</interface>'
           '</interfaces><hostname xmlns="http://cisco.com/ns/yang/Cisco-IOS-XR-um-hostname-cfg">'
           '<system-network-name>xr1-new</system-network-name></hostname></config>')
    with bed.ncclient() as m:
        m.edit_config(target="candidate", config=cfg)
        m.commit()
    run = _running(bed)
    assert ("interface GigabitEthernet0/0/0/1\n description via-yang\n mtu 9000\n"
            " ipv4 address 10.1.1.0 255.255.255.254\n shutdown\n!") in run
    assert "description to-xr2" not in run and "\nhostname xr1-new\n" in run
    with bed.ncclient() as m:
        m.edit_config(target="candidate", config=(
            '<config><interfaces xmlns="http://cisco.com/ns/yang/Cisco-IOS-XR-um-interface-cfg" '
            'xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0"><interface nc:operation="delete">'
            '<interface-name>GigabitEthernet0/0/0/1</interface-name></interface></interfaces></config>'))
        m.commit()
    assert "GigabitEthernet0/0/0/1" not in _running(bed)


def test_candidates_are_per_session(bed: Any) -> None:
    with bed.ncclient() as a, bed.ncclient() as b:
        a.edit_config(target="candidate", config=CLI_EDIT.format(LO1))
        empty = b.get_config(source="candidate", filter=("subtree", CLI)).xml
        assert etree.fromstring(empty.encode())[0].tag == f"{{{NC}}}data" and not len(
            etree.fromstring(empty.encode())[0])
        b.commit()  # nothing in b's candidate: a's edit stays a's
        assert "Loopback1" not in _running(bed)
        a.commit()
    assert "Loopback1" in _running(bed)


def test_discard_and_copy_config_replace(bed: Any) -> None:
    from ncclient.xml_ import to_ele

    with bed.ncclient() as m:
        m.edit_config(target="candidate", config=CLI_EDIT.format(LO1))
        m.discard_changes()
        assert "+" not in etree.fromstring(m.dispatch(to_ele(DIFF_RPC)).xml.encode())[0].text.replace(
            "IOS XR", "")
        replaced = _running(bed).replace("description to-xr2", "description replaced")
        m.copy_config(source=f"<source>{CLI_EDIT.format(replaced)}</source>", target="candidate")
        m.commit()
    assert "description replaced" in _running(bed) and "to-xr2" not in _running(bed)


def test_commit_refused_by_the_control_plane_changes_nothing(bed: Any) -> None:
    from ncclient.operations.rpc import RPCError

    before = _running(bed)
    bed.twin.refuse = "poison-pill"
    with bed.ncclient() as m:
        poison = CLI_EDIT.format("interface Loopback3\n description poison-pill\n!\n")
        m.edit_config(target="candidate", config=poison)
        with pytest.raises(RPCError) as e:
            m.commit()
        assert "Failed to commit" in e.value.message or "SEMANTIC" in e.value.message
        assert e.value.tag == "operation-failed"
    assert _running(bed) == before


def test_validate_and_a_semantic_error_at_commit(bed: Any) -> None:
    """XR refuses a policy that does not exist: <validate> says why, <commit> fails and changes nothing."""
    from ncclient.operations.rpc import RPCError

    bad = ("router bgp 65001\n neighbor 10.0.0.1\n  address-family ipv4 unicast\n"
           "   route-policy MISSING in\n  !\n !\n!\n")
    before = _running(bed)
    with bed.ncclient() as m:
        m.validate(source="candidate")
        m.edit_config(target="candidate", config=CLI_EDIT.format(bad))
        with pytest.raises(RPCError) as e:
            m.validate(source="candidate")
        assert "Policy [MISSING] does not exist" in e.value.message
        with pytest.raises(RPCError) as e:
            m.commit()
        assert "Failed to commit one or more configuration items" in e.value.message
        assert "Policy [MISSING] does not exist" in e.value.message
    assert _running(bed) == before


# ---- locks --------------------------------------------------------------------------------------------
def test_lock_contention_between_two_sessions(bed: Any) -> None:
    from ncclient.operations.rpc import RPCError

    with bed.ncclient() as a, bed.ncclient() as b:
        a.lock(target="candidate")
        with pytest.raises(RPCError) as e:
            b.lock(target="candidate")
        assert e.value.tag == "lock-denied" and e.value.type == "protocol"
        info = etree.fromstring(e.value.info.encode())
        assert [x.text for x in info.iter() if etree.QName(x).localname == "session-id"] == [a.session_id]
        b.edit_config(target="candidate", config=CLI_EDIT.format(LO1))
        with pytest.raises(RPCError):
            b.commit()  # XR: the exclusive lock holder alone commits
        assert "Loopback1" not in _running(bed)
        a.unlock(target="candidate")
        b.lock(target="candidate")
        b.commit()
        b.unlock(target="candidate")
    assert "Loopback1" in _running(bed)


def test_kill_session_releases_its_lock(bed: Any) -> None:
    from ncclient.operations.rpc import RPCError

    a = bed.ncclient()
    with bed.ncclient() as b:
        a.lock(target="running")
        with pytest.raises(RPCError):
            b.lock(target="running")
        with pytest.raises(RPCError) as e:
            b.kill_session(b.session_id)  # not its own session
        assert e.value.tag == "invalid-value"
        b.kill_session(a.session_id)
        poll(lambda: not a.connected, bound=5)  # the killed session's transport is closed
        b.lock(target="running")
        b.unlock(target="running")


# ---- commit confirmed ------------------------------------------------------------------------------------
def _confirm_timeout() -> int:
    """A short confirm-timeout (seconds, RFC 6241) so the revert test stays quick."""
    return 2


def test_commit_confirmed_reverts_when_not_confirmed(bed: Any) -> None:
    t0 = time.monotonic()
    with bed.ncclient() as m:
        m.edit_config(target="candidate", config=CLI_EDIT.format(LO1))
        m.commit(confirmed=True, timeout=str(_confirm_timeout()), persist="tok1")
    assert "Loopback1" in _running(bed)
    assert bed.call(lambda: bed.twin.db.pending_confirm) is not None
    poll(lambda: "Loopback1" not in _running(bed), bound=8)
    assert bed.call(lambda: bed.twin.db.pending_confirm) is None
    assert time.monotonic() - t0 < 10


def test_commit_confirmed_then_confirming_commit(bed: Any) -> None:
    with bed.ncclient() as m:
        m.edit_config(target="candidate", config=CLI_EDIT.format(LO1))
        m.commit(confirmed=True, timeout=str(_confirm_timeout()))
        assert bed.call(lambda: bed.twin.db.pending_confirm) is not None
        m.commit()
        assert bed.call(lambda: bed.twin.db.pending_confirm) is None
    time.sleep(_confirm_timeout() + 0.5)
    assert "Loopback1" in _running(bed)


def test_cancel_commit_reverts_now(bed: Any) -> None:
    from ncclient.operations.rpc import RPCError

    with bed.ncclient() as m:
        m.edit_config(target="candidate", config=CLI_EDIT.format(LO1))
        m.commit(confirmed=True, timeout="60", persist="tok2")
        assert "Loopback1" in _running(bed)
    with bed.ncclient() as other:
        with pytest.raises(RPCError) as e:
            other.cancel_commit()  # persisted: only with its persist-id
        assert e.value.tag == "in-use"
        other.cancel_commit(persist_id="tok2")
    assert "Loopback1" not in _running(bed)
    assert bed.call(lambda: bed.twin.db.pending_confirm) is None


def test_confirmed_commit_without_persist_reverts_when_its_session_ends(bed: Any) -> None:
    with bed.ncclient() as m:
        m.edit_config(target="candidate", config=CLI_EDIT.format(LO1))
        m.commit(confirmed=True, timeout="60")
        assert "Loopback1" in _running(bed)
    poll(lambda: "Loopback1" not in _running(bed), bound=5)  # RFC 6241 8.4.1


def test_persisted_confirmed_commit_confirmed_from_another_session(bed: Any) -> None:
    with bed.ncclient() as m:
        m.edit_config(target="candidate", config=CLI_EDIT.format(LO1))
        m.commit(confirmed=True, timeout="60", persist="tok3")
    with bed.ncclient() as m2:
        m2.commit(persist_id="tok3")
    assert bed.call(lambda: bed.twin.db.pending_confirm) is None
    assert "Loopback1" in _running(bed)


def test_rollback_action(bed: Any) -> None:
    from ncclient.xml_ import to_ele

    with bed.ncclient() as m:
        m.edit_config(target="candidate", config=CLI_EDIT.format(LO1))
        m.commit()
        assert "Loopback1" in _running(bed)
        m.dispatch(to_ele('<roll-back-configuration-last xmlns="http://cisco.com/ns/yang/'
                          'Cisco-IOS-XR-cfgmgr-rollback-act"><count>1</count></roll-back-configuration-last>'))
    assert "Loopback1" not in _running(bed)


# ---- NAPALM iosxr_netconf -------------------------------------------------------------------------------
def test_napalm_config_workflow(bed: Any) -> None:
    drv = bed.napalm()
    try:
        assert "http://cisco.com/ns/yang/Cisco-IOS-XR-um-interface-cfg" in drv.module_set_ns
        cfg = drv.get_config()
        assert cfg["running"].startswith("!! IOS XR Configuration 24.1.1") and cfg["running"].endswith("end")
        assert cfg["candidate"] == "" and cfg["startup"] == ""
        drv.load_merge_candidate(config=LO1)
        diff = drv.compare_config()
        assert diff.startswith("+  interface Loopback1") or "+  interface Loopback1" in diff
        drv.commit_config()
        assert "Loopback1" in _running(bed)
        assert drv.compare_config() == ""
        drv.load_merge_candidate(config="interface Loopback2\n description discard-me\n!\n")
        drv.discard_config()
        assert "Loopback2" not in _running(bed)
        drv.rollback()
        assert "Loopback1" not in _running(bed)
        replaced = _running(bed).replace("description to-xr2", "description napalm-replace")
        drv.load_replace_candidate(config=replaced)
        assert "description napalm-replace" in drv.compare_config()
        drv.commit_config()
        assert "description napalm-replace" in _running(bed)
    finally:
        drv.close()


def test_napalm_replace_with_bad_config_raises(bed: Any) -> None:
    from napalm.base.exceptions import MergeConfigException

    drv = bed.napalm()
    try:
        with pytest.raises(MergeConfigException):
            drv.load_merge_candidate(config="frobnicate all the things\n")
        assert drv.compare_config() == ""
    finally:
        drv.close()


def test_napalm_getters_from_oper(bed: Any) -> None:
    """The getters read the *-oper models through <get> (oper.py): the shape NAPALM parses. This bed runs
    no FRR: a getter whose source does not answer gets an rpc-error, never an empty success (the lab test
    tests/vendors/iosxr/test_lab_xr.py reads BGP from a live FRR)."""
    from ncclient.operations.rpc import RPCError

    drv = bed.napalm()
    try:
        facts = drv.get_facts()
        expected = json.loads((REF / "test_get_facts/xrv9k/expected_result.json").read_text())
        assert set(facts) == set(expected)
        assert facts["hostname"] == "xr1" and facts["vendor"] == "Cisco"
        assert "GigabitEthernet0/0/0/0" in facts["interface_list"]
        itfs = drv.get_interfaces()
        assert itfs["GigabitEthernet0/0/0/0"]["description"] == "to-xr2"
        assert isinstance(drv.get_lldp_neighbors(), dict)
        with pytest.raises(RPCError, match="routing daemon did not answer"):
            drv.get_bgp_neighbors()
    finally:
        drv.close()
