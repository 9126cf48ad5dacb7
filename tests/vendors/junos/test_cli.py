"""The Junos twin's SSH CLI driven by unmodified scrapli (juniper_junos), netmiko (juniper_junos) and raw
paramiko, against the real asyncssh server on 127.0.0.1 (no lab: commits reach the running config only)."""

from __future__ import annotations

import re
import sys
import time
import types
from collections.abc import Iterator
from typing import Any

import paramiko
import pytest
from _twinbed import poll
from lxml import etree

from fabric.vendors.junos.twin.config import ConfigError

from .conftest import Bed

PROMPT = re.compile(r"admin@vr1[>#] $")



def running(bed: Bed) -> str:
    return bed.call(lambda: bed.twin.db.running.text())


class Term:
    """An interactive session (pty) as a person has it: what was typed is echoed by the device."""

    def __init__(self, bed: Bed) -> None:
        self.client = paramiko.SSHClient()
        self.client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        self.client.connect("127.0.0.1", bed.ssh_port, bed.user, bed.password, look_for_keys=False,
                            allow_agent=False, timeout=10)
        self.chan = self.client.invoke_shell(width=511)
        self.login = self.read(PROMPT)

    def read(self, until: re.Pattern[str], bound: float = 10.0) -> str:
        buf = ""
        deadline = time.monotonic() + bound
        while not until.search(buf.replace("\r\n", "\n")):
            assert time.monotonic() < deadline, f"no {until.pattern!r} in {buf!r}"
            if self.chan.recv_ready():
                buf += self.chan.recv(65536).decode()
            else:
                time.sleep(0.01)
        return buf.replace("\r\n", "\n")

    def cmd(self, line: str, until: re.Pattern[str] = PROMPT) -> str:
        """The output of ``line``: what follows its echo, up to and without the next prompt."""
        self.chan.send(line + "\n")
        out = self.read(until)
        assert out.startswith(line + "\n"), out  # the echo
        return out[len(line) + 1:]

    def close(self) -> None:
        self.client.close()


@pytest.fixture
def term(bed: Bed) -> Iterator[Term]:
    t = Term(bed)
    yield t
    t.close()


# ---- prompts, banner, modes (raw SSH) -------------------------------------------------------------
def test_login_banner_and_prompts(term: Term) -> None:
    assert term.login == "--- JUNOS 23.2R1.15 Kernel 64-bit  JNPR-12.1-20230613.7723847_buil\nadmin@vr1> "
    assert term.cmd("configure") == "Entering configuration mode\n\n[edit]\nadmin@vr1# "
    assert term.cmd("edit protocols bgp group ibgp") == "\n[edit protocols bgp group ibgp]\nadmin@vr1# "
    assert term.cmd("up") == "\n[edit protocols bgp]\nadmin@vr1# "
    assert term.cmd("exit") == "\n[edit]\nadmin@vr1# "
    assert term.cmd("exit") == "Exiting configuration mode\n\nadmin@vr1> "  # nothing changed: no question
    assert term.cmd("") == "admin@vr1> "


def test_unknown_command_gets_the_caret(term: Term) -> None:
    # the caret sits under the bad word, counting the prompt ("admin@vr1> " is 11 columns)
    assert term.cmd("show foo") == " " * 16 + "^\nsyntax error, expecting <command>.\n\nadmin@vr1> "
    assert term.cmd("frobnicate") == " " * 11 + "^\nunknown command.\n\nadmin@vr1> "
    out = term.cmd("s")
    assert "'s' is ambiguous." in out and "  show\n" in out
    assert "Hostname: vr1" in term.cmd("sh ver")  # unique prefixes are commands


def test_exec_runs_one_command(bed: Bed) -> None:
    c = paramiko.SSHClient()
    c.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    c.connect("127.0.0.1", bed.ssh_port, bed.user, bed.password, look_for_keys=False, allow_agent=False)
    try:
        _, stdout, _ = c.exec_command("show configuration system host-name")
        assert stdout.read().decode() == "host-name vr1;\n"
        assert stdout.channel.recv_exit_status() == 0
    finally:
        c.close()


def test_exit_with_uncommitted_changes_asks(term: Term, bed: Bed) -> None:
    term.cmd("configure")
    term.cmd("set system domain-name ask.example")
    q = re.compile(r"\(yes\) $")
    assert term.cmd("exit", q) == ("The configuration has been changed but not committed\n"
                                   "Exit with uncommitted changes? [yes,no] (yes) ")
    assert term.cmd("no").endswith("[edit]\nadmin@vr1# ")  # stays
    term.cmd("exit configuration-mode", q)
    assert "Exiting configuration mode" in term.cmd("yes")
    # a shared candidate keeps the change (Junos): the next ``configure`` says so
    assert "The configuration has been changed but not committed" in term.cmd("configure")
    assert "domain-name" not in running(bed)


# ---- configuration: set, commit, compare, rollback -------------------------------------------------
def test_set_commit_is_seen_over_netconf(term: Term, bed: Bed) -> None:
    term.cmd("configure")
    assert term.cmd("set system domain-name cli.example") == "\n[edit]\nadmin@vr1# "
    assert term.cmd("show | compare") == ("[edit system]\n+   domain-name cli.example;\n\n"
                                          "[edit]\nadmin@vr1# ")
    assert "domain-name" not in running(bed)  # not before the commit
    assert term.cmd("commit") == "commit complete\n\n[edit]\nadmin@vr1# "
    with bed.connect() as m:
        xml = etree.fromstring(str(m.get_config(source="running")).encode())
        assert [e.text for e in xml.iter("{*}domain-name")] == ["cli.example"]
    out = term.cmd("run show system commit")
    assert re.match(r"0   \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC by admin via cli\n", out), out


def test_edit_levels_set_relative_statements(term: Term, bed: Bed) -> None:
    term.cmd("configure")
    term.cmd("edit interfaces ge-0/0/0 unit 0")
    term.cmd('set description "to r2"')
    term.cmd("set family inet address 10.0.0.1/31")
    assert term.cmd("show") == ('description "to r2";\nfamily inet {\n    address 10.0.0.1/31;\n}\n\n'
                                "[edit interfaces ge-0/0/0 unit 0]\nadmin@vr1# ")
    out = term.cmd("show | display set")
    assert out.startswith('set interfaces ge-0/0/0 unit 0 description "to r2"\n'
                          "set interfaces ge-0/0/0 unit 0 family inet address 10.0.0.1/31\n")
    assert term.cmd("up") .endswith("[edit interfaces ge-0/0/0]\nadmin@vr1# ")  # ``unit 0`` is one level
    term.cmd("top commit")
    assert 'description "to r2";' in running(bed)


def test_invalid_input_changes_nothing(term: Term, bed: Bed) -> None:
    before = bed.call(lambda: bed.twin.db.candidate.text())
    term.cmd("configure")
    # "admin@vr1# " is 11 columns: the caret goes after the last word
    assert term.cmd("set system host-name") == " " * 32 + "^\nmissing argument.\n\n[edit]\nadmin@vr1# "
    assert term.cmd('set system host-name "a') != ""
    assert term.cmd("set system location building {").startswith(" " * 11)
    assert "syntax error." in term.cmd("set system location building {")
    assert term.cmd("delete system no-such-thing").startswith("warning: statement not found\n")
    assert term.cmd("frobnicate").startswith(" " * 11 + "^\nunknown command.")
    assert bed.call(lambda: bed.twin.db.candidate.text()) == before
    assert term.cmd("show | compare") == "\n[edit]\nadmin@vr1# "


def test_commit_refused_by_validation_leaves_running(term: Term, bed: Bed) -> None:
    before = running(bed)
    term.cmd("configure")
    term.cmd("set protocols bgp group ibgp type internal")
    term.cmd("set protocols bgp group ibgp neighbor 10.0.0.2")
    assert term.cmd("commit check") == ("[edit routing-options]\n  'autonomous-system'\n"
                                        "    BGP: autonomous-system is not configured\n"
                                        "error: configuration check-out failed\n\n[edit]\nadmin@vr1# ")
    assert "error: configuration check-out failed" in term.cmd("commit")
    assert running(bed) == before
    term.cmd("set routing-options autonomous-system 65001")
    assert term.cmd("commit check").startswith("configuration check succeeds\n")
    assert running(bed) == before  # a check commits nothing
    assert term.cmd("commit").startswith("commit complete\n")
    assert "autonomous-system 65001;" in running(bed)


def test_commit_the_control_plane_refuses(term: Term, bed: Bed) -> None:
    async def refuse(conf: Any) -> None:
        raise ConfigError("commit failed: (statements constraint check failed)", kind="application")

    before = running(bed)
    original = bed.twin.db.apply
    bed.call(lambda: setattr(bed.twin.db, "apply", refuse))
    try:
        term.cmd("configure")
        term.cmd("set system domain-name refused.example")
        assert term.cmd("commit") == ("error: commit failed: (statements constraint check failed)\n\n"
                                      "[edit]\nadmin@vr1# ")
        assert running(bed) == before
        assert "+   domain-name refused.example;" in term.cmd("show | compare")  # the candidate keeps it
    finally:
        bed.call(lambda: setattr(bed.twin.db, "apply", original))


def test_rollback_restores(term: Term, bed: Bed) -> None:
    term.cmd("configure")
    for name in ("one", "two"):
        term.cmd(f"set system domain-name {name}.example")
        term.cmd(f'commit comment "{name}"')
    assert term.cmd("rollback 1") == "load complete\n\n[edit]\nadmin@vr1# "
    assert term.cmd("show | compare") == ("[edit system]\n-   domain-name two.example;\n"
                                          "+   domain-name one.example;\n\n[edit]\nadmin@vr1# ")
    assert term.cmd("show | compare rollback 1") == "\n[edit]\nadmin@vr1# "
    term.cmd("commit")
    assert "domain-name one.example;" in running(bed)
    assert "error: rollback 49 does not exist" in term.cmd("rollback 49")
    out = term.cmd('run show system commit | match "one|two"')
    assert "    two\n" in out and "    one\n" in out


def test_commit_confirmed_reverts_by_itself(term: Term, bed: Bed) -> None:
    bed.call(lambda: setattr(bed.twin.db, "seconds_per_minute", 0.5))  # a device "minute" of 0.5 s
    before = running(bed)
    term.cmd("configure")
    term.cmd("set system domain-name confirm.example")
    out = term.cmd("commit confirmed 2")
    assert out.startswith("commit confirmed will be automatically rolled back in 2 minutes unless confirmed\n"
                          "commit complete\n\n# commit confirmed will be rolled back in ")
    assert "confirm.example" in running(bed)
    poll(lambda: running(bed) == before)
    assert "via other" in term.cmd("run show system commit | last 10").splitlines()[0]


def test_load_terminal_until_ctrl_d(term: Term, bed: Bed) -> None:
    term.cmd("configure")
    term.cmd("load merge terminal", re.compile(r"end input\]\n"))
    term.chan.send("system {\n    location building b7;\n}\n")
    term.chan.send("\x04")
    out = term.read(PROMPT)
    assert out.endswith("load complete\n\n[edit]\nadmin@vr1# "), out
    assert term.cmd("show | compare").startswith("[edit system]\n+   location building b7;\n")
    term.cmd("rollback 0")
    term.cmd("load set terminal", re.compile(r"end input\]\n"))
    term.chan.send("set system domain-name set.example\nset system {\n\x04")
    out = term.read(PROMPT)
    assert "load complete (1 errors)" in out  # and nothing of it was loaded
    assert term.cmd("show | compare") == "\n[edit]\nadmin@vr1# "


def test_exclusive_and_private(bed: Bed) -> None:
    a, b = Term(bed), Term(bed)
    try:
        assert a.cmd("configure exclusive").startswith(
            "warning: uncommitted changes will be discarded on exit\nEntering configuration mode\n")
        a.cmd("set system domain-name excl.example")
        out = b.cmd("configure exclusive")
        assert out.startswith("error: configuration database locked by:\n  admin terminal "), out
        out = b.cmd("configure")
        assert "Users currently editing the configuration:\n  admin terminal" in out
        assert "      exclusive [edit]" in out
        assert b.cmd("set system domain-name other.example").startswith(
            "error: configuration database locked by:")
        b.cmd("exit", re.compile(r"\(yes\) $"))  # the shared candidate has a's changes
        b.cmd("yes")
        a.cmd("exit", re.compile(r"\(yes\) $"))
        a.cmd("yes")
        # leaving ``configure exclusive`` drops its uncommitted changes
        assert "domain-name" not in bed.call(lambda: bed.twin.db.candidate.text())
        a.cmd("configure private")
        a.cmd("set system domain-name private.example")
        assert "domain-name" not in bed.call(lambda: bed.twin.db.candidate.text())  # its own copy
        assert a.cmd("commit and-quit").startswith("commit complete\nExiting configuration mode\n")
        assert "private.example" in running(bed)
    finally:
        a.close()
        b.close()


def test_pipes(term: Term) -> None:
    assert term.cmd("show configuration | display set | match host-name") == \
        "set system host-name vr1\n\nadmin@vr1> "
    assert term.cmd("show configuration | count") == "Count: 9 lines\n\nadmin@vr1> "
    assert "host-name" not in term.cmd("show configuration | except host | no-more")
    out = term.cmd("show configuration system | display xml")
    reply = etree.fromstring(out.rsplit("\n\nadmin@vr1> ", 1)[0].encode())
    assert reply.tag == "rpc-reply" and reply.find("configuration/system/host-name").text == "vr1"
    assert term.cmd("show configuration | frob").startswith(" " * 32 + "^\nsyntax error")


def test_oper_commands_and_their_pipes(term: Term, monkeypatch: pytest.MonkeyPatch) -> None:
    """State commands come from oper.py; the CLI applies the pipes to what it returns."""
    seen: list[tuple[str, str]] = []

    async def command(twin: Any, cmd: str, fmt: str) -> str | None:
        seen.append((cmd, fmt))
        if cmd != "show bgp summary":
            return None
        if fmt == "xml":
            return "<bgp-information>\n<peer-count>2</peer-count>\n</bgp-information>"
        return "Peer          AS   State\n10.0.0.2   65002   Establ\n10.0.0.3   65003   Active\n"

    fake = types.ModuleType("fabric.vendors.junos.twin.oper")
    fake.command = command  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fabric.vendors.junos.twin.oper", fake)
    assert term.cmd("show bgp summary | match establ") == "10.0.0.2   65002   Establ\n\nadmin@vr1> "
    out = term.cmd("show bgp summary | display xml")
    assert etree.fromstring(out.rsplit("\n\nadmin@vr1> ", 1)[0].encode()).findtext(
        "bgp-information/peer-count") == "2"
    assert term.cmd("show ospf neighbor") == "error: command is not valid on the vmx\n\nadmin@vr1> "
    assert ("show bgp summary", "xml") in seen and ("show ospf neighbor", "text") in seen


# ---- unmodified clients -----------------------------------------------------------------------
def test_scrapli_paramiko(bed: Bed) -> None:
    from scrapli import Scrapli

    with Scrapli(host="127.0.0.1", port=bed.ssh_port, auth_username=bed.user, auth_password=bed.password,
                 auth_strict_key=False, platform="juniper_junos", transport="paramiko",
                 timeout_ops=20) as conn:
        assert conn.get_prompt() == "admin@vr1>"
        r = conn.send_command("show version")
        assert not r.failed and "Junos: 23.2R1.15" in r.result
        assert conn.send_command("show nonsense").failed
        rs = conn.send_configs(["set system domain-name scrapli.example", "commit"])
        assert not rs.failed and "commit complete" in rs[-1].result
        assert conn.get_prompt() == "admin@vr1#"  # scrapli stays in configuration mode
        assert conn.send_configs(["set system location building {"]).failed  # "syntax error."
        r = conn.send_command("show configuration system domain-name")
        assert r.result.strip() == "domain-name scrapli.example;"
    assert "domain-name scrapli.example;" in running(bed)


def test_scrapli_asyncssh(bed: Bed) -> None:
    import asyncio

    from scrapli import AsyncScrapli

    async def run() -> str:
        async with AsyncScrapli(host="127.0.0.1", port=bed.ssh_port, auth_username=bed.user,
                                auth_password=bed.password, auth_strict_key=False, platform="juniper_junos",
                                transport="asyncssh", timeout_ops=20) as conn:
            await conn.send_configs(["set system location building async", "commit and-quit"])
            r = await conn.send_command("show configuration system location")
            return str(r.result)

    assert asyncio.run(run()).strip() == "building async;"


def test_netmiko(bed: Bed) -> None:
    from netmiko import ConnectHandler

    bed.call(lambda: setattr(bed.twin.db, "seconds_per_minute", 0.5))
    c = ConnectHandler(device_type="juniper_junos", host="127.0.0.1", port=bed.ssh_port, username=bed.user,
                       password=bed.password, use_keys=False, allow_agent=False)
    try:
        assert c.find_prompt() == "admin@vr1>"
        assert "Junos: 23.2R1.15" in c.send_command("show version")
        before = running(bed)
        out = c.send_config_set(["set system domain-name netmiko.example"], exit_config_mode=False)
        assert "[edit]" in out
        assert "configuration check succeeds" in c.commit(check=True)
        assert "commit complete" in c.commit(comment="via netmiko")
        assert "domain-name netmiko.example;" in running(bed)
        assert "via netmiko" in c.send_command("run show system commit")
        c.send_config_set(["set system domain-name confirmed.example"], exit_config_mode=False)
        c.commit(confirm=True, confirm_delay=1)
        assert "confirmed.example" in running(bed)
        poll(lambda: "netmiko.example" in running(bed))  # the device rolled it back
        c.send_config_set(["set system location building netmiko"], exit_config_mode=False)
        c.exit_config_mode()  # answers the uncommitted-changes question
        assert not c.check_config_mode()
        assert "syntax error" in c.send_command("show nonsense")
        assert before != running(bed)
    finally:
        c.disconnect()


def test_scrapli_system_ssh(bed: Bed) -> None:
    """The OpenSSH client in a pty (scrapli's default transport)."""
    from scrapli import Scrapli

    opts = {"open_cmd": ["-o", "UserKnownHostsFile=/dev/null", "-o", "PubkeyAuthentication=no"]}
    with Scrapli(host="127.0.0.1", port=bed.ssh_port, auth_username=bed.user, auth_password=bed.password,
                 auth_strict_key=False, platform="juniper_junos", transport="system",
                 transport_options=opts, ssh_config_file=False, timeout_ops=20) as conn:
        r = conn.send_command("show configuration system host-name")
        assert r.result.strip() == "host-name vr1;"


def test_root_lands_in_the_shell(bed: Bed) -> None:
    """Junos logs root in to the shell; ``cli`` starts the CLI (netmiko sends it when it sees the shell)."""
    from netmiko import ConnectHandler

    bed.call(lambda: setattr(bed.twin, "username", "root"))
    t = Term.__new__(Term)
    t.client = paramiko.SSHClient()
    t.client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    t.client.connect("127.0.0.1", bed.ssh_port, "root", bed.password, look_for_keys=False, allow_agent=False)
    t.chan = t.client.invoke_shell()
    try:
        shell = re.compile(r"root@vr1:~ # $")
        assert t.read(shell) == "root@vr1:~ # "
        assert t.cmd("cli", re.compile(r"root@vr1> $")) == "root@vr1> "
        assert t.cmd("exit", shell) == "root@vr1:~ # "
    finally:
        t.close()
    c = ConnectHandler(device_type="juniper_junos", host="127.0.0.1", port=bed.ssh_port, username="root",
                       password=bed.password, use_keys=False, allow_agent=False)
    try:
        assert c.find_prompt() == "root@vr1>"
        assert "host-name vr1;" in c.send_command("show configuration system")
    finally:
        c.disconnect()


def test_display_json_and_compare_at_a_level(term: Term) -> None:
    import json

    out = term.cmd("show configuration | display json")
    conf = json.loads(out.rsplit("\n\nadmin@vr1> ", 1)[0])["configuration"]
    assert conf["system"]["host-name"] == "vr1"
    assert conf["system"]["services"]["netconf"]["ssh"] == [None]
    term.cmd("configure")
    term.cmd("set system domain-name level.example")
    term.cmd("set snmp contact noc")
    term.cmd("edit snmp")
    # only this level's changes (the domain-name is outside it)
    assert term.cmd("show | compare") == ("[edit]\n+  snmp {\n+      contact noc;\n+  }\n\n"
                                          "[edit snmp]\nadmin@vr1# ")


def test_a_commit_confirms_a_confirmed_commit(term: Term, bed: Bed) -> None:
    term.cmd("configure")
    term.cmd("set system domain-name keep.example")
    term.cmd("commit confirmed 5")
    assert bed.call(lambda: bed.twin.db.confirm_deadline) is not None
    assert "# commit confirmed will be rolled back in 5 minutes\n" in term.cmd("show | compare")
    assert term.cmd("commit") == "commit complete\n\n[edit]\nadmin@vr1# "  # no reminder any more
    assert bed.call(lambda: bed.twin.db.confirm_deadline) is None
