"""The SR OS twin's NETCONF server (port 830) driven by unmodified clients: ncclient with the sros device
handler, napalm-sros (XML mode) and raw SSH for the 1.0 framing. The datastores behind it are
``session.py``'s (global candidate, confirmed commits, locks)."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest
from _twinbed import poll
from lxml import etree
from ncclient.operations import RPCError

from fabric.vendors.sros.twin import netconf

NC = "urn:ietf:params:xml:ns:netconf:base:1.0"
CONF = "urn:nokia.com:sros:ns:yang:sr:conf"
NS = {"c": CONF, "nc": NC}
LO1 = (f'<config><configure xmlns="{CONF}"><router><router-name>Base</router-name><interface{{op}}>'
       "<interface-name>lo1</interface-name><loopback/><description>added</description><ipv4><primary>"
       "<address>10.255.9.1</address><prefix-length>32</prefix-length></primary></ipv4>"
       "</interface></router></configure></config>")
IFS = (f'<configure xmlns="{CONF}"><router><interface><interface-name/><description/></interface></router>'
       "</configure>")


def lo1(op: str = "") -> str:
    return LO1.replace("{op}", f' xmlns:nc="{NC}" nc:operation="{op}"' if op else "")


def _ifnames(bed: Any, which: str = "running") -> set[str]:
    def read() -> set[str]:
        db = bed.twin.db
        conf = db.running if which == "running" else db.candidate
        return {i["interface-name"] for r in conf.data.get("router", []) for i in r.get("interface", [])}

    return bed.call(read)  # type: ignore[no-any-return]


def _data(reply: Any) -> Any:
    """The ``<data>`` of a reply (the sros handler hands back the reply document unchanged)."""
    return etree.fromstring(str(reply).encode()).find(f"{{{NC}}}data")


# ---- hello and framing --------------------------------------------------------------------------------
def test_hello_offers_sros_capabilities_and_1_1_framing(bed: Any) -> None:
    with bed.ncclient() as m:
        caps = set(m.server_capabilities)
        for c in ("base:1.0", "base:1.1", "capability:writable-running:1.0", "capability:candidate:1.0",
                  "capability:confirmed-commit:1.1", "capability:rollback-on-error:1.0",
                  "capability:validate:1.1", "capability:notification:1.0"):
            assert f"urn:ietf:params:netconf:{c}" in caps
        assert f"{CONF}?module=nokia-conf&revision=2024-03-01" in caps
        assert "urn:nokia.com:sros:ns:yang:sr:state?module=nokia-state&revision=2024-03-01" in caps
        assert "urn:nokia.com:sros:ns:yang:sr:major-release-24" in caps
        assert any(c.startswith("urn:ietf:params:netconf:capability:with-defaults:1.0?basic-mode=explicit")
                   and "report-all" in c for c in caps)
        from ncclient.transport.session import NetconfBase

        assert m._session._base == NetconfBase.BASE_11
        assert int(m.session_id) > 0


def test_netconf_1_0_framing_and_message_id_echo(bed: Any) -> None:
    import asyncssh

    async def raw() -> tuple[bytes, bytes]:
        async with asyncssh.connect("127.0.0.1", bed.port, username=bed.user, password=bed.password,
                                    known_hosts=None, client_keys=None) as conn:
            w, r, _ = await conn.open_session(subsystem="netconf", encoding=None)
            buf = b""
            while b"]]>]]>" not in buf:
                buf += await asyncio.wait_for(r.read(65536), 10)
            hello, buf = buf.split(b"]]>]]>", 1)
            w.write(f'<hello xmlns="{NC}"><capabilities><capability>urn:ietf:params:netconf:base:1.0'
                    "</capability></capabilities></hello>]]>]]>".encode())
            w.write(f'<rpc message-id="7" xmlns="{NC}"><get-config><source><running/></source><filter>'
                    f'<configure xmlns="{CONF}"><system><name/></system></configure></filter>'
                    "</get-config></rpc>]]>]]>".encode())
            while b"]]>]]>" not in buf:
                buf += await asyncio.wait_for(r.read(65536), 10)
            w.close()
            return hello, buf.split(b"]]>]]>")[0]

    hello, reply = asyncio.run(raw())
    assert etree.fromstring(hello.strip()).findtext(f"{{{NC}}}session-id").isdigit()
    doc = etree.fromstring(reply.strip())
    assert doc.get("message-id") == "7"
    assert doc.findtext("nc:data/c:configure/c:system/c:name", namespaces=NS) == "sr1"


# ---- reading ---------------------------------------------------------------------------------------------
def test_get_config_subtree_filter_keeps_list_keys(bed: Any) -> None:
    with bed.ncclient() as m:
        data = _data(m.get_config(source="running", filter=("subtree", IFS)))
        router = data.find("c:configure/c:router", namespaces=NS)
        assert router.findtext("c:router-name", namespaces=NS) == "Base"  # the key, though not asked for
        assert [e.text for e in router.iterfind("c:interface/c:interface-name", namespaces=NS)] == [
            "system", "to-sr2"]
        assert router.find("c:autonomous-system", namespaces=NS) is None  # not selected
        # content match: one port, its keys and the selected leaf
        f = f'<configure xmlns="{CONF}"><port><port-id>1/1/c1/1</port-id><description/></port></configure>'
        ports = _data(m.get_config(source="running", filter=("subtree", f))).findall("c:configure/c:port",
                                                                                   namespaces=NS)
        assert len(ports) == 1 and ports[0].findtext("c:description", namespaces=NS) == "to sr2"
        whole = _data(m.get_config(source="candidate"))
        assert whole.find("c:configure/c:router/c:bgp/c:neighbor", namespaces=NS) is not None


def test_get_with_defaults_report_all_fills_admin_state(bed: Any) -> None:
    f = (f'<configure xmlns="{CONF}"><router><interface><admin-state/></interface></router>'
         "<port><ethernet><mtu/></ethernet></port></configure>")
    with bed.ncclient() as m:
        data = _data(m.get(filter=("subtree", f), with_defaults="report-all"))
        states = data.xpath("c:configure/c:router/c:interface/c:admin-state/text()", namespaces=NS)
        assert states == ["enable", "enable"]
        plain = _data(m.get(filter=("subtree", f)))
        assert plain.xpath("c:configure/c:router/c:interface/c:admin-state", namespaces=NS) == []
        n = (f'<configure xmlns="{CONF}"><router><bgp><neighbor><admin-state/></neighbor></bgp></router>'
             "</configure>")
        data = _data(m.get(filter=("subtree", n), with_defaults="report-all"))
        states = data.xpath("c:configure/c:router/c:bgp/c:neighbor/c:admin-state/text()", namespaces=NS)
        assert states and set(states) == {"enable"}  # what napalm-sros's is_enabled reads


def test_unknown_model_is_an_rpc_error(bed: Any) -> None:
    with bed.ncclient() as m:
        with pytest.raises(RPCError) as e:
            m.get_config(source="running", filter=("subtree", '<interfaces xmlns="urn:x"/>'))
        assert e.value.tag == "unknown-namespace"
        with pytest.raises(RPCError) as e:
            m.get_config(source="url")
        assert e.value.tag == "invalid-value"


# ---- editing -----------------------------------------------------------------------------------------------
def test_edit_config_merge_commit_and_discard(bed: Any) -> None:
    with bed.ncclient() as m:
        m.edit_config(target="candidate", config=lo1())
        assert "lo1" in _ifnames(bed, "candidate") and "lo1" not in _ifnames(bed)
        cand = _data(m.get_config(source="candidate", filter=("subtree", IFS)))
        assert "added" in cand.xpath("//c:description/text()", namespaces=NS)
        m.discard_changes()
        assert "lo1" not in _ifnames(bed, "candidate")
        m.edit_config(target="candidate", config=lo1())
        m.validate(source="candidate")
        m.commit()
        assert "lo1" in _ifnames(bed)
        assert bed.call(lambda: bed.twin.applied) == bed.call(lambda: bed.twin.db.running)
        run = _data(m.get_config(source="running", filter=("subtree", IFS)))
        assert "lo1" in run.xpath("//c:interface-name/text()", namespaces=NS)


def test_create_existing_and_delete_missing_fail(bed: Any) -> None:
    with bed.ncclient() as m:
        m.edit_config(target="candidate", config=lo1())
        with pytest.raises(RPCError) as e:
            m.edit_config(target="candidate", config=lo1("create"))
        assert e.value.tag == "data-exists" and "Data exists" in e.value.message
        m.edit_config(target="candidate", config=lo1("delete"))
        assert "lo1" not in _ifnames(bed, "candidate")
        with pytest.raises(RPCError) as e:
            m.edit_config(target="candidate", config=lo1("delete"))
        assert e.value.tag == "data-missing"
        m.edit_config(target="candidate", config=lo1("remove"))  # remove of nothing is fine
        assert bed.call(lambda: bed.twin.db.candidate) == bed.call(lambda: bed.twin.db.running)


def test_replace_default_operation_is_the_whole_configuration(bed: Any) -> None:
    with bed.ncclient() as m:
        whole = _data(m.get_config(source="running")).find("c:configure", namespaces=NS)
        for itf in whole.iterfind("c:router/c:interface", namespaces=NS):
            if itf.findtext("c:interface-name", namespaces=NS) == "to-sr2":
                etree.SubElement(itf, f"{{{CONF}}}description").text = "replaced"
        cfg = etree.Element(f"{{{NC}}}config")
        cfg.append(whole)
        m.edit_config(target="candidate", config=cfg, default_operation="replace")
        diff = bed.call(lambda: [s for s in bed.twin.db.sessions if s.client == "NETCONF"][0].compare())
        changed = [ln for ln in diff.splitlines() if ln[:1] in "+-"]
        assert changed == ['+           description "replaced"']
        m.commit()
        run = bed.call(lambda: bed.twin.db.running)
        assert run.data["router"][0]["interface"][1]["description"] == "replaced"


def test_writable_running_is_an_implicit_commit(bed: Any) -> None:
    with bed.ncclient() as m:
        m.lock(target="running")  # the session's own lock does not block its own edit
        m.edit_config(target="running", config=lo1())
        assert "lo1" in _ifnames(bed)
        assert bed.call(lambda: bed.twin.db.history[0].client) == "NETCONF"
        with bed.ncclient() as other:
            with pytest.raises(RPCError) as e:
                other.edit_config(target="running", config=lo1("delete"))
            assert e.value.tag == "in-use"
        m.unlock(target="running")
        m.edit_config(target="running", config=lo1("delete"))
        assert "lo1" not in _ifnames(bed)


def test_a_refused_commit_changes_nothing(bed: Any) -> None:
    bed.twin.refuse = "10.255.9.1"
    with bed.ncclient() as m:
        m.edit_config(target="candidate", config=lo1())
        with pytest.raises(RPCError) as e:
            m.commit()
        assert e.value.tag == "operation-failed" and "refused" in e.value.message
        assert "lo1" not in _ifnames(bed) and "lo1" in _ifnames(bed, "candidate")


# ---- confirmed commits -------------------------------------------------------------------------------------
def test_confirmed_commit_with_persist_confirmed_from_a_new_session(bed: Any) -> None:
    with bed.ncclient() as m:
        m.edit_config(target="candidate", config=lo1())
        m.commit(confirmed=True, timeout="60", persist="tok1")
    assert "lo1" in _ifnames(bed)
    assert bed.call(lambda: bed.twin.db.pending) is not None  # survived the session's end
    with bed.ncclient() as m2:
        with pytest.raises(RPCError) as e:
            m2.commit(persist_id="wrong")
        assert e.value.tag == "invalid-value"
        m2.commit(persist_id="tok1")
    assert bed.call(lambda: bed.twin.db.pending) is None and "lo1" in _ifnames(bed)


def test_unconfirmed_commit_reverts_by_itself(bed: Any) -> None:
    with bed.ncclient() as m:
        m.edit_config(target="candidate", config=lo1())
        m.commit(confirmed=True, timeout="1", persist="tok2")
        assert "lo1" in _ifnames(bed)
        t0 = time.monotonic()
        poll(lambda: "lo1" not in _ifnames(bed), 5)
        assert time.monotonic() - t0 < 3
        assert bed.call(lambda: bed.twin.db.pending) is None
        assert bed.call(lambda: bed.twin.applied) == bed.call(lambda: bed.twin.db.running)


def test_cancel_commit_and_session_end_revert(bed: Any) -> None:
    with bed.ncclient() as m:
        m.edit_config(target="candidate", config=lo1())
        m.commit(confirmed=True, timeout="60")
        assert "lo1" in _ifnames(bed)
        # a non-persist trial is its own session's to cancel (RFC 6241 8.4)
        with bed.ncclient() as other, pytest.raises(RPCError):
            other.cancel_commit()
        m.cancel_commit()
        assert "lo1" not in _ifnames(bed)
        m.edit_config(target="candidate", config=lo1())
        m.commit(confirmed=True, timeout="60")
        assert "lo1" in _ifnames(bed)
    poll(lambda: "lo1" not in _ifnames(bed), 5)  # the session ended without confirming: reverted


# ---- locks and sessions ------------------------------------------------------------------------------------
def test_lock_conflict_and_kill_session(bed: Any) -> None:
    a = bed.ncclient()
    with bed.ncclient() as b:
        a.lock(target="candidate")
        with pytest.raises(RPCError) as e:
            b.lock(target="candidate")
        assert e.value.tag == "lock-denied" and e.value.type == "protocol"
        assert f"<session-id>{a.session_id}</session-id>" in str(e.value.info)
        with pytest.raises(RPCError) as e:
            b.edit_config(target="candidate", config=lo1())
        assert e.value.tag == "in-use"
        a.edit_config(target="candidate", config=lo1())
        b.kill_session(a.session_id)  # a's lock and its locked candidate's changes go (RFC 6241 7.5)
        assert "lo1" not in _ifnames(bed, "candidate")
        poll(lambda: not a.connected, 5)
        b.lock(target="candidate")
        b.unlock(target="candidate")
        with pytest.raises(RPCError) as e:
            b.unlock(target="candidate")
        assert e.value.tag == "operation-failed"


def test_private_candidate_for_a_client_asking_for_one(bed: Any) -> None:
    with bed.ncclient() as g:
        from ncclient import manager

        with manager.connect(host="127.0.0.1", port=bed.port, username=bed.user, password=bed.password,
                             hostkey_verify=False, allow_agent=False, look_for_keys=False, timeout=20,
                             device_params={"name": "sros", "config_mode": "private"}) as p:
            p.edit_config(target="candidate", config=lo1())
            assert "lo1" not in _ifnames(bed, "candidate")  # the global candidate does not see it
            mine = _data(p.get_config(source="candidate", filter=("subtree", IFS)))
            assert "lo1" in mine.xpath("//c:interface-name/text()", namespaces=NS)
            g.edit_config(target="candidate", config=lo1().replace("lo1", "lo2").replace("9.1", "9.2"))
            p.commit()
        assert {"lo1"} <= _ifnames(bed) and "lo2" not in _ifnames(bed)
        g.commit()
        assert {"lo1", "lo2"} <= _ifnames(bed)


def test_md_cli_raw_command_admin_show_configuration(bed: Any) -> None:
    with bed.ncclient() as m:
        r = m.md_cli_raw_command("admin show configuration")
        out = etree.fromstring(str(r).encode()).xpath("//*[local-name()='md-cli-output-block']/text()")[0]
        assert out.startswith("# TiMOS-B-24.10.R1") and 'name "sr1"' in out


HISTORY = ('<state xmlns="urn:nokia.com:sros:ns:yang:sr:state"><system><management-interface>'
           "<configuration-region><commit-history/></configuration-region></management-interface></system>"
           "</state>")
ROLLBACK = ('<action xmlns="urn:ietf:params:xml:ns:yang:1"><global-operations '
            'xmlns="urn:nokia.com:sros:ns:yang:sr:oper-global"><md-rollback>{}</md-rollback>'
            "</global-operations></action>")


def test_commit_history_and_md_rollback(bed: Any) -> None:
    """nokia-state commit-history lists every commit (boot, ours with its comment); nokia-oper-global
    md-rollback to a commit-id makes its configuration running again, as a new commit."""
    from ncclient.xml_ import to_ele

    with bed.ncclient() as m:
        m.edit_config(target="candidate", config=lo1())
        m.commit(comment="add lo1")
        hist = _data(m.get(filter=("subtree", HISTORY)))
        ids = [int(i) for i in hist.xpath("//*[local-name()='commit-id']/*[local-name()='id']/text()")]
        types = hist.xpath("//*[local-name()='commit-id']/*[local-name()='type']/text()")
        assert ids == sorted(ids) and ids[0] == 1 and types[0] == "database-initialization", ids
        assert types[-1] == "netconf" and hist.xpath("//*[local-name()='comment']/text()")[-1] == "add lo1"
        assert "lo1" in _ifnames(bed)
        r = m.dispatch(to_ele(ROLLBACK.format(f"<commit-id>{ids[-2]}</commit-id>")))
        assert etree.fromstring(str(r).encode()).xpath("//*[local-name()='status']/text()") == ["completed"]
        assert "lo1" not in _ifnames(bed)  # the configuration of the commit before ours runs again
        assert bed.call(lambda: bed.twin.applied) == bed.call(lambda: bed.twin.db.running)
        with pytest.raises(RPCError, match="does not exist"):
            m.dispatch(to_ele(ROLLBACK.format("<commit-id>9999</commit-id>")))


# ---- napalm-sros -------------------------------------------------------------------------------------
def test_napalm_sros_xml_config_cycle(bed: Any) -> None:
    drv = bed.napalm()
    try:
        running = drv.get_config(retrieve="running")["running"]
        assert etree.fromstring(running.encode()).tag == f"{{{CONF}}}configure"
        conf = lo1()[len("<config>"):-len("</config>")]
        drv.load_merge_candidate(config=conf)
        diff = drv.compare_config()
        assert "lo1" in diff and "10.255.9.1" in diff
        drv.discard_config()
        assert drv.compare_config() == "" and "lo1" not in _ifnames(bed, "candidate")
        drv.load_merge_candidate(config=conf)
        drv.commit_config()
        assert "lo1" in _ifnames(bed)
        assert bed.call(lambda: bed.twin.db.exclusive) is None  # napalm's lock is released
        whole = drv.get_config(retrieve="running")["running"].replace("<description>added</description>",
                                                                      "<description>again</description>")
        drv.load_replace_candidate(config=whole)
        assert "again" in drv.compare_config()
        drv.commit_config()
        itfs = bed.call(lambda: bed.twin.db.running.data["router"][0]["interface"])
        assert itfs[-1]["description"] == "again"
    finally:
        drv.close()


class _Frr:
    """FRR's answers for the bed (it runs no routing daemons): one established eBGP session."""

    netns = None

    async def show_text(self, cmd: str) -> str:
        if cmd == "show bgp neighbors json":
            return json.dumps({"10.0.0.1": {
                "remoteAs": 65002, "localAs": 65001, "bgpState": "Established",
                "remoteRouterId": "10.255.0.2",
                "bgpTimerUpMsec": 5000, "hostLocal": "10.0.0.0", "portLocal": 179, "portForeign": 40000,
                "bgpTimerHoldTimeMsecs": 90000, "bgpTimerKeepAliveIntervalMsecs": 30000,
                "addressFamilyInfo": {"ipv4Unicast": {"acceptedPrefixCounter": 3, "sentPrefixCounter": 2}},
                "messageStats": {"totalRecv": 10, "totalSent": 9}}})
        if cmd.startswith("show ip route summary"):
            return json.dumps({"routes": [], "routesTotal": 0, "routesTotalFib": 0})
        return ""


def test_napalm_sros_getters(bed: Any) -> None:
    drv = bed.napalm()
    try:
        facts = drv.get_facts()
        assert facts["hostname"] == "sr1" and facts["vendor"] == "Nokia" and facts["os_version"]
        assert "system" in facts["interface_list"] and "to-sr2" in facts["interface_list"]
        ifs = drv.get_interfaces()
        assert "to-sr2" in ifs and ifs["to-sr2"]["is_enabled"] is True  # report-all: admin-state enable
        ips = drv.get_interfaces_ip()
        assert ips["to-sr2"]["ipv4"]["10.0.0.0"]["prefix_length"] == 31
        bgp = drv.get_bgp_config()
        assert "ebgp" in bgp and "10.0.0.1" in bgp["ebgp"]["neighbors"]
        assert drv.get_bgp_neighbors() == {}  # the bed has no routing daemon: rpc-error, napalm-sros gives {}
        with bed.ncclient() as m, pytest.raises(RPCError) as e:
            m.get(filter=("subtree", '<state xmlns="urn:nokia.com:sros:ns:yang:sr:state"><router><bgp/>'
                                     "</router></state>"))
        assert e.value.tag == "operation-failed" and "routing daemon" in e.value.message
        bed.twin.frr = _Frr()
        peers = drv.get_bgp_neighbors()["global"]["peers"]
        # napalm-sros reads remote_as from the neighbor's own peer-as (configured on the group here)
        assert peers["10.0.0.1"]["is_up"] is True and peers["10.0.0.1"]["remote_id"] == "10.255.0.2"
        assert peers["10.0.0.1"]["address_family"]["ipv4"]["received_prefixes"] == 3
        detail = drv.get_bgp_neighbors_detail()
        assert isinstance(detail, dict)
        assert isinstance(drv.get_lldp_neighbors(), dict)
    finally:
        drv.close()


def test_list_keys_cover_the_config_and_state_lists() -> None:
    assert netconf.LIST_KEYS["router"] == ("router-name",)
    assert netconf.LIST_KEYS["prefix"][:2] == ("ip-prefix", "type")
    assert netconf.LIST_KEYS["chassis"] == ("chassis-class", "chassis-number")


def test_a_twin_server_restart_keeps_the_datastores_a_redeploy_boots_startup(tmp_path: Any) -> None:
    """The same deployment (a restart of the twin server alone) restores running, its history and the
    candidate; a new deployment boots the topology's startup-config, as containerlab does."""
    from .conftest import STARTUP, LocalSrosTwin, serve_bed

    with serve_bed(tmp_path, STARTUP) as b, b.ncclient() as m:
        m.edit_config(target="candidate", config=lo1())
        m.commit(comment="add lo1")
        node = dict(b.twin.node)

    def names(twin: Any) -> set[str]:
        routers = twin.db.running.data.get("router", [])
        return {i["interface-name"] for r in routers for i in r.get("interface", [])}

    again = LocalSrosTwin("sr1", node, {"lab_dir": str(tmp_path)})
    again.load()
    assert "lo1" in names(again) and again.db.history[0].comment == "add lo1"
    assert again.applied is again.db.running and not again._fresh  # noqa: SLF001 - FRR kept running it
    fresh = LocalSrosTwin("sr1", node, {"lab_dir": str(tmp_path), "deploy_id": "another"})
    fresh.load()
    assert "lo1" not in names(fresh) and "system" in names(fresh) and len(fresh.db.history) == 1
    assert fresh._fresh  # noqa: SLF001
