"""The Junos twin's NETCONF server driven by unmodified ncclient (junos device handler) and PyEZ,
against a real asyncssh server on 127.0.0.1 (no lab: commits reach the twin's running config only)."""

from __future__ import annotations

import pytest
from _twinbed import poll
from lxml import etree
from ncclient.operations.rpc import RPCError

from fabric.vendors.junos.twin.session import ConfigDb

from .conftest import Bed


def running(bed: Bed) -> str:
    return bed.call(lambda: bed.twin.db.running.text())


def test_hello_has_junos_capabilities(bed: Bed) -> None:
    with bed.connect() as m:
        caps = set(m.server_capabilities)
        assert {"urn:ietf:params:netconf:base:1.0", "urn:ietf:params:netconf:capability:candidate:1.0",
                "urn:ietf:params:netconf:capability:confirmed-commit:1.0",
                "urn:ietf:params:netconf:capability:validate:1.0",
                "urn:ietf:params:netconf:capability:url:1.0?scheme=http,ftp,file",
                "http://xml.juniper.net/netconf/junos/1.0"} <= caps
        assert "urn:ietf:params:netconf:base:1.1" not in caps
        assert int(m.session_id) > 0


def test_ncclient_load_commit_compare(bed: Bed) -> None:
    with bed.connect() as m:
        m.lock()
        r = m.load_configuration(action="merge", format="text",
                                 config="system { domain-name x.test; }\nsnmp { contact noc; }")
        assert r.find(".//ok") is not None
        diff = m.compare_configuration(rollback=0).find(".//configuration-output").text
        assert "[edit system]\n+   domain-name x.test;" in diff
        assert "[edit]\n+  snmp {\n+      contact noc;\n+  }" in diff
        assert "domain-name" not in running(bed)  # not committed yet
        m.commit()
        assert "domain-name x.test;" in running(bed)
        m.unlock()
        text = m.get_configuration(format="text").find(".//configuration-text").text
        assert text.lstrip("\n") == running(bed)  # Junos starts configuration-text with a newline
        xml = m.get_configuration().find(".//configuration")
        assert xml.findtext("system/domain-name") == "x.test"
        r = m.load_configuration(action="set", config=["set system host-name vr9", "delete snmp"])
        m.commit()
        assert "host-name vr9;" in running(bed) and "snmp" not in running(bed)
        info = m.rpc(etree.fromstring("<get-rollback-information><rollback>1</rollback>"
                                      "<compare>0</compare></get-rollback-information>"))
        out = info.find(".//configuration-output").text
        assert "[edit system]\n-   host-name vr9;\n+   host-name vr1;" in out


def test_ncclient_edit_config_and_discard(bed: Bed) -> None:
    with bed.connect() as m:
        m.edit_config(target="candidate", config="<config><configuration><system><location>"
                      "<building>b1</building></location></system></configuration></config>")
        assert "building b1;" in m.get_configuration(format="text").find(".//configuration-text").text
        assert m.validate(source="candidate").find(".//ok") is not None
        m.discard_changes()
        assert "building" not in m.get_configuration(format="text").find(".//configuration-text").text
        m.edit_config(target="candidate", config="<config><configuration><system>"
                      "<host-name operation=\"delete\"/></system></configuration></config>")
        m.commit()
        assert "host-name" not in running(bed)


def test_commit_confirmed_rolls_back_by_itself(bed: Bed) -> None:
    bed.call(lambda: setattr(ConfigDb, "seconds_per_minute", 0.3))
    try:
        before = running(bed)
        with bed.connect() as m:
            m.load_configuration(action="set", config="set system domain-name tmp.test")
            m.commit(confirmed=True, timeout="1")
            assert "domain-name tmp.test;" in running(bed)
            assert bed.call(lambda: bed.twin.db.confirm_deadline) is not None
        poll(lambda: running(bed) == before)  # nobody confirmed: the device rolled back itself
        commits = bed.call(lambda: [c.log for c in bed.twin.db.history])
        assert commits[0] == "automatic rollback (commit confirmed)"
        with bed.connect() as m:  # confirmed by a plain commit: stays
            m.load_configuration(action="set", config="set system domain-name keep.test")
            m.commit(confirmed=True, timeout="1")
            m.commit()
        assert bed.call(lambda: bed.twin.db.confirm_deadline) is None
        assert "domain-name keep.test;" in running(bed)
    finally:
        ConfigDb.seconds_per_minute = 60.0


def test_lock_denied_to_other_session(bed: Bed) -> None:
    with bed.connect() as a, bed.connect() as b:
        a.lock()
        with pytest.raises(RPCError) as err:
            b.lock()
        assert err.value.tag == "lock-denied"
        assert "configuration database locked by" in err.value.message
        assert f"<session-id>{a.session_id}</session-id>" in (err.value.info or "")
        with pytest.raises(RPCError):
            b.load_configuration(action="set", config="set system domain-name b.test")
        a.unlock()
        b.lock()
        b.unlock()
    with bed.connect() as c:  # a lock is denied while the shared candidate has uncommitted changes
        c.load_configuration(action="set", config="set system domain-name c.test")
        with bed.connect() as d, pytest.raises(RPCError, match="configuration database modified"):
            d.lock()


def test_errors_leave_candidate_unchanged(bed: Bed) -> None:
    with bed.connect() as m:
        before = m.get_configuration(format="text").find(".//configuration-text").text
        with pytest.raises(RPCError) as err:
            m.load_configuration(action="merge", format="text", config="system { host-name a; ")
        assert err.value.severity == "error" and "syntax error" in err.value.message
        with pytest.raises(RPCError, match="syntax error"):
            m.load_configuration(action="set", config="set system host-name z\nfrobnicate system")
        assert m.get_configuration(format="text").find(".//configuration-text").text == before
        with pytest.raises(RPCError) as err:
            m.rpc(etree.fromstring("<get-frobnication-information/>"))
        assert err.value.tag == "operation-failed" and err.value.info and "get-frobnication" in err.value.info


def test_pyez_config_workflow(bed: Bed) -> None:
    from jnpr.junos.exception import ConfigLoadError, RpcError
    from jnpr.junos.utils.config import Config

    dev = bed.pyez()
    try:
        cu = Config(dev)
        cu.lock()
        cu.load('set system domain-name y.test\nset interfaces ge-0/0/0 description "to p2"', format="set")
        diff = cu.diff()
        assert diff is not None and '+      ge-0/0/0 {\n+          description "to p2";' in diff
        assert cu.commit_check() is True
        assert cu.commit(confirm=1, comment="first") is True
        assert bed.call(lambda: bed.twin.db.confirm_deadline) is not None
        cu.load("system { time-zone UTC; }", format="text")
        assert cu.commit() is True  # confirms
        assert bed.call(lambda: bed.twin.db.confirm_deadline) is None
        assert "time-zone UTC;" in running(bed)
        cu.rollback(1)
        assert "-   time-zone UTC;" in (cu.diff() or "")
        cu.commit()
        cu.unlock()
        assert "time-zone" not in running(bed)
        with pytest.raises(ConfigLoadError):
            cu.load("sett system foo", format="set")
        assert cu.diff() is None
        assert "0   " in dev.cli("show system commit", warning=False)
        text = dev.rpc.get_config(options={"format": "text"}).text
        assert "domain-name y.test;" in text
        only = dev.rpc.get_config(filter_xml="<system><domain-name/></system>")
        assert [c.tag for c in only] == ["system"] and [c.tag for c in only[0]] == ["domain-name"]
        assert only.findtext("system/domain-name") == "y.test"
        assert dev.rpc.cli("show version", format="xml").findtext("host-name") == "vr1"
        with pytest.raises(RpcError):
            dev.rpc.get_frobnication_information()
    finally:
        dev.close()


def test_private_candidate(bed: Bed) -> None:
    from jnpr.junos.utils.config import Config

    dev = bed.pyez()
    try:
        with Config(dev, mode="private") as cu:
            cu.load("set system domain-name private.test", format="set")
            assert "private.test" not in bed.call(lambda: bed.twin.db.candidate.text())
            cu.commit()
        assert "domain-name private.test;" in running(bed)
        assert bed.call(lambda: bed.twin.db.modified()) is False  # the shared candidate followed
        cu = Config(dev)
        cu.lock()  # not "configuration database modified"
        cu.unlock()
    finally:
        dev.close()


def test_state_survives_a_restart(bed: Bed) -> None:
    from .conftest import LocalJunosTwin

    with bed.connect() as m:
        m.load_configuration(action="set", config="set system domain-name saved.test")
        m.commit()
    again = LocalJunosTwin("vr1", bed.twin.node, bed.twin.lab)
    again.load()
    assert again.db.running.text() == running(bed)
    assert len(again.db.history) == len(bed.call(lambda: bed.twin.db.history))


def test_netconf_11_chunked_framing(bed: Bed) -> None:
    """With base:1.1 in both hellos the session switches to chunked framing (RFC 6242)."""
    bed.twin.netconf_base11 = True
    with bed.connect() as m:
        assert "urn:ietf:params:netconf:base:1.1" in m.server_capabilities
        from ncclient.transport.session import NetconfBase

        assert m._session._base == NetconfBase.BASE_11  # the client frames in chunks now
        big = "\n".join(f"set interfaces ge-0/0/{i} description \"port {i} é\"" for i in range(300))
        m.load_configuration(action="set", config=big)
        m.commit()
        text = m.get_configuration(format="text").find(".//configuration-text").text
        assert 'description "port 299 é";' in text
    assert "ge-0/0/299" in running(bed)


def test_pending_confirmed_commit_survives_a_restart(bed: Bed) -> None:
    from .conftest import LocalJunosTwin

    with bed.connect() as m:
        m.load_configuration(action="set", config="set system domain-name pending.test")
        m.commit(confirmed=True, timeout="5")
    deadline = bed.call(lambda: bed.twin.db.confirm_deadline)
    again = LocalJunosTwin("vr1", bed.twin.node, bed.twin.lab)
    again.load()
    assert again.db.confirm_deadline == deadline
    assert "domain-name pending.test;" in again.db.running.text()


def test_napalm_junos_config_workflow(bed: Bed) -> None:
    """NAPALM's junos driver (over PyEZ): open (PyEZ gathers facts), merge/replace candidates,
    compare, commit with revert_in, has_pending_commit, confirm, discard, rollback, get_config."""
    from napalm import get_network_driver

    drv = get_network_driver("junos")("127.0.0.1", bed.user, bed.password, optional_args={"port": bed.port})
    drv.open()
    try:
        facts = drv.device.facts
        assert (facts["hostname"], facts["model"], facts["version"]) == ("vr1", "VMX", "23.2R1.15")
        assert facts["serialnumber"] == bed.twin.serial and facts["RE0"]["status"] == "OK"
        assert isinstance(drv.device.uptime, int)
        drv.load_merge_candidate(config="system { domain-name n.test; }")
        assert drv.compare_config() == "[edit system]\n+   domain-name n.test;"
        drv.commit_config(revert_in=120)
        assert drv.has_pending_commit() is True
        assert bed.call(lambda: bed.twin.db.confirm_minutes) == 2
        drv.confirm_commit()
        assert drv.has_pending_commit() is False
        drv.load_replace_candidate(config="system { host-name r2; }")
        assert "+   host-name r2;" in drv.compare_config()
        drv.discard_config()
        assert drv.compare_config() == ""
        drv.load_merge_candidate(config="system { domain-name other.test; }")
        drv.commit_config()
        drv.rollback()
        cfg = drv.get_config()
        assert "domain-name n.test;" in cfg["running"] and cfg["running"] == cfg["candidate"]
        assert cfg["running"].lstrip("\n") == running(bed)
    finally:
        drv.close()


def test_pyez_xml_load_and_override(bed: Bed) -> None:
    from jnpr.junos.utils.config import Config

    dev = bed.pyez()
    try:
        cu = Config(dev)
        cu.load(etree.fromstring("<configuration><interfaces><interface><name>ge-0/0/1</name>"
                                 "<unit><name>0</name><family><inet><address><name>10.0.0.1/31</name>"
                                 "</address></inet></family></unit></interface></interfaces></configuration>"))
        cu.commit()
        want = "ge-0/0/1 {\n        unit 0 {\n            family inet {\n                address 10.0.0.1/31;"
        assert want in running(bed)
        cu.load("system { host-name only; }", format="text", overwrite=True)
        cu.commit()
        assert running(bed) == "system {\n    host-name only;\n}\n"
    finally:
        dev.close()


def test_session_ending_with_the_lock_loses_its_changes(bed: Bed) -> None:
    with bed.connect() as a:
        a.lock()
        a.load_configuration(action="set", config="set system domain-name gone.test")
        with bed.connect() as b, pytest.raises(RPCError, match="configuration database locked by"):
            b.commit()
    poll(lambda: bed.call(lambda: bed.twin.db.lock_owner) is None)
    assert "gone.test" not in bed.call(lambda: bed.twin.db.candidate.text())
    with bed.connect() as c:
        c.lock()
        c.unlock()


def test_real_config_through_netconf(bed: Bed) -> None:
    """The config NAPALM recorded from a real device (less its stray brace), loaded with override."""
    from .test_junos_config import _real_config

    lines = _real_config().splitlines(keepends=True)
    del lines[24]
    text = "".join(lines).lstrip("\n")
    with bed.connect() as m:
        m.load_configuration(action="override", format="text", config=text)
        m.commit()
        reply = m.rpc(etree.fromstring('<get-configuration database="committed" format="text"/>'))
        got = reply.find(".//configuration-text").text
    assert got.lstrip("\n") == text == running(bed)


def test_kill_session_frees_the_lock(bed: Bed) -> None:
    a = bed.connect()
    try:
        a.lock()
        a.load_configuration(action="set", config="set system domain-name killed.test")
        with bed.connect() as b:
            with pytest.raises(RPCError, match="invalid session-id"):
                b.kill_session(session_id=b.session_id)
            b.kill_session(session_id=a.session_id)
            b.lock()
            b.unlock()
        assert "killed.test" not in bed.call(lambda: bed.twin.db.candidate.text())
        poll(lambda: not a.connected)
    finally:
        if a.connected:
            a.close_session()
