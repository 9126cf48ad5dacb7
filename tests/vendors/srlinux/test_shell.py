"""The SR Linux twin's SSH CLI driven by unmodified scrapli (scrapli-community ``nokia_srlinux``), netmiko
(``nokia_srl``) and raw paramiko, against the real asyncssh server on 127.0.0.1 (the Bed: no lab, commits
reach the running config and the recorded history only)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Any

import paramiko
import pytest
from _twinbed import poll

from fabric.vendors.srlinux.twin.session import ConfigStore

from .conftest import Bed

PROMPT = re.compile(r"--\{[^\n]*\}--\[[^\n]*\]--\nA:pe2# $")
RUNNING = "--{ running }--[  ]--\nA:pe2# "



def running(bed: Bed, path: str) -> Any:
    return bed.call(lambda: bed.twin.store.running.get(path))


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

    def cmd(self, line: str) -> str:
        """The output of ``line`` and the next prompt: what follows its echo."""
        self.chan.send(line + "\n")
        out = self.read(PROMPT)
        assert out.startswith(line + "\n"), out  # the echo
        return out[len(line) + 1:]

    def out(self, line: str) -> str:
        """Only the output (the empty line and the two prompt lines cut off)."""
        text = self.cmd(line)
        body, _, _ = text.rpartition("\n--{")
        assert body.endswith("\n") or body == "", text
        return body[:-1] if body.endswith("\n") else body

    def close(self) -> None:
        self.client.close()


@pytest.fixture
def term(bed: Bed) -> Iterator[Term]:
    t = Term(bed)
    yield t
    t.close()


# ---- banner, prompts, contexts (raw SSH) ----------------------------------------------------------------
def test_login_banner_and_prompts(term: Term) -> None:
    assert term.login == ("Loading environment configuration file(s): ['/etc/opt/srlinux/srlinux.rc']\n"
                          "Welcome to the srlinux CLI.\n"
                          "Type 'help' (and press <ENTER>) if you need any help using this.\n" + RUNNING)
    assert term.cmd("environment cli-engine type basic") == "\n" + RUNNING
    assert term.cmd("interface ethernet-1/1") == "\n--{ running }--[ interface ethernet-1/1 ]--\nA:pe2# "
    assert term.cmd("subinterface 0") == \
        "\n--{ running }--[ interface ethernet-1/1 subinterface 0 ]--\nA:pe2# "
    # info is relative to the context
    assert term.out("info ipv4 address") == "    ipv4 {\n        address 10.2.0.11/31 {\n        }\n    }"
    assert term.cmd("exit") == "\n--{ running }--[ interface ethernet-1/1 ]--\nA:pe2# "
    assert term.cmd("/") == "\n" + RUNNING
    term.cmd("network-instance default protocols bgp")
    assert term.cmd("exit all") == "\n" + RUNNING
    assert term.cmd("enter candidate") == "\n--{ candidate shared default }--[  ]--\nA:pe2# "
    assert term.cmd("system name domain-name x.example") == \
        "\n--{ * candidate shared default }--[  ]--\nA:pe2# "
    assert term.cmd("discard now") == "\n" + RUNNING
    assert term.cmd("enter candidate private") == "\n--{ candidate private private-admin }--[  ]--\nA:pe2# "
    assert term.cmd("enter candidate exclusive") == \
        "\n--{ candidate shared-exclusive default }--[  ]--\nA:pe2# "
    assert term.cmd("enter running") == "\n" + RUNNING
    assert term.cmd("") == "\n" + RUNNING


def test_set_diff_commit_and_the_prompt_flags(term: Term, bed: Bed) -> None:
    term.cmd("enter candidate")
    term.cmd("interface ethernet-1/1")
    assert term.cmd('description "from the shell"').startswith("\n--{ * candidate shared default }--[ "
                                                                 "interface ethernet-1/1 ]--\n")
    term.cmd("/")
    term.cmd("set / system name domain-name shell.example")
    diff = term.out("diff")
    assert '-         description "to p1 1/1/c4/1"\n+         description "from the shell"' in diff
    assert "-             domain-name lab.local\n+             domain-name shell.example" in diff
    assert running(bed, "/system/name/domain-name") == "lab.local"  # nothing before the commit
    out = term.cmd("commit stay")
    assert out == ("All changes have been committed. Starting new transaction.\n"
                   "\n--{ + candidate shared default }--[  ]--\nA:pe2# ")  # + : running is not startup
    assert running(bed, "/interface[name=ethernet-1/1]/description") == "from the shell"
    # the commit is the one JSON-RPC sees
    got = bed.rpc("get", commands=[{"path": "/system/name/domain-name", "datastore": "running"}])
    assert got["result"] == ["shell.example"]
    term.cmd("delete / system name domain-name")
    assert term.cmd("commit now") == ("All changes have been committed. Leaving candidate mode.\n"
                                      "\n--{ + running }--[  ]--\nA:pe2# ")
    assert running(bed, "/system/name/domain-name") == {}
    assert "Saved current running configuration" in term.out("save startup")
    assert term.cmd("") == "\n" + RUNNING  # startup caught up: no +


def test_another_sessions_commit_shows_bang(bed: Bed) -> None:
    a, b = Term(bed), Term(bed)
    try:
        a.cmd("enter candidate private")
        a.cmd("set / system name domain-name a.example")
        b.cmd("enter candidate private")
        b.cmd("set / interface ethernet-1/2 description b")
        b.cmd("commit now")
        assert a.cmd("").startswith("\n--{ +!* candidate private private-admin }--")
        assert "All changes have been committed" in a.out("commit now")  # merged onto b's commit
        assert running(bed, "/system/name/domain-name") == "a.example"
        assert running(bed, "/interface[name=ethernet-1/2]/description") == "b"
    finally:
        a.close()
        b.close()


def test_info_forms_and_pipes(term: Term) -> None:
    assert term.out("info system name") == ("    system {\n        name {\n            host-name pe2\n"
                                            "            domain-name lab.local\n        }\n    }")
    assert term.out("info flat system name") == ("set / system name host-name pe2\n"
                                                 "set / system name domain-name lab.local")
    assert json.loads(term.out("info system name | as json")) == {"host-name": "pe2",
                                                                   "domain-name": "lab.local"}
    assert term.out("info flat interface ethernet-1/1 | grep ip-mtu") == \
        "set / interface ethernet-1/1 subinterface 0 ip-mtu 9000"
    assert term.out("info flat interface ethernet-1/1 | grep -v ipv4 | wc -l") == "4"
    assert term.out("info flat interface ethernet-1/1 | head -n 2").count("\n") == 1
    assert "oper-state up" in term.out("info from state interface ethernet-1/1")
    assert term.out("info flat | grep 'p1 1/1'") == \
        'set / interface ethernet-1/1 description "to p1 1/1/c4/1"'


def test_show_commands(term: Term, bed: Bed) -> None:
    version = term.out("show version")
    assert "Hostname              : pe2\n" in version and "Software Version      : v24.10.1\n" in version
    info = json.loads(term.out("show version | as json"))["basic system info"]
    assert info["Chassis Type"] == "7220 IXR-D2L"
    brief = term.out("show interface brief")
    assert re.search(r"\| ethernet-1/1 +\| enable +\| up +\|", brief), brief
    assert "ethernet-1/1.0 is up" in term.out("show interface ethernet-1/1")
    assert "    Network-instance: default" in term.out("show interface ethernet-1/1")
    bgp = term.out("show network-instance default protocols bgp neighbor")
    assert 'BGP neighbor summary for network-instance "default"' in bgp
    assert re.search(r"\| default +\| 10\.254\.0\.1 +\| RR +\| S +\| 65000 +\|", bgp), bgp
    assert term.out("show network-instance default protocols bgp neighbor | grep 10.254.0.2").count("\n") == 0
    lldp = term.out("show system lldp neighbor")
    assert "Neighbor System Name" in lldp
    assert term.out("show foo").startswith("Parsing error: Unknown token 'foo'. Options are [")


def test_invalid_input_is_rejected_and_changes_nothing(term: Term, bed: Bed) -> None:
    before = bed.call(lambda: bed.twin.store.running.flat())
    assert term.out("set / system name host-name x").startswith("Error: 'set' is only available in "
                                                                "candidate mode")
    assert term.out("bogus").startswith("Parsing error: Unknown token 'bogus'. Options are [")
    term.cmd("enter candidate")
    assert term.out("set / foo bar").startswith("Parsing error: Unknown token 'foo'")
    assert term.out('set / interface ethernet-1/1 description "open').startswith(
        "Parsing error: No closing quotation")
    assert term.out("info flat | frob").startswith("Parsing error: Unknown token 'frob'")
    assert term.out("commit").startswith("Parsing error: Incomplete command")
    assert term.cmd("") == "\n--{ candidate shared default }--[  ]--\nA:pe2# "  # no * : nothing changed
    assert term.out("diff") == ""
    # a commit the platform refuses: running unchanged, the candidate keeps the change
    term.cmd("set / interface ethernet-1/1 admin-state up")
    assert "admin-state" in term.out("commit now")
    assert term.cmd("").startswith("\n--{ * candidate shared default }--")
    assert bed.call(lambda: bed.twin.store.running.flat()) == before


def test_commit_confirmed_reverts_by_itself(term: Term, bed: Bed, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ConfigStore, "seconds_scale", 0.01)  # 30 s -> 0.3 s
    term.cmd("enter candidate")
    term.cmd("set / system name domain-name confirm.example")
    assert "All changes have been committed" in term.out("commit confirmed timeout 30")
    assert running(bed, "/system/name/domain-name") == "confirm.example"
    poll(lambda: running(bed, "/system/name/domain-name") == "lab.local")  # the device reverted it
    assert bed.twin.history[-1].get("/system/name/domain-name") == "lab.local"
    # accepted in time: it stays
    term.cmd("set / system name domain-name kept.example")
    term.out("commit confirmed timeout 30")
    assert term.out("/ tools system configuration confirmed-accept") == ""
    time.sleep(0.5)  # past the deadline the accepted commit would have had
    assert running(bed, "/system/name/domain-name") == "kept.example"
    assert term.out("tools system configuration confirmed-reject").startswith("Error: ")  # none pending


def test_exec_runs_one_command(bed: Bed) -> None:
    c = paramiko.SSHClient()
    c.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    c.connect("127.0.0.1", bed.ssh_port, bed.user, bed.password, look_for_keys=False, allow_agent=False)
    try:
        _, stdout, _ = c.exec_command("info flat system name host-name")
        assert stdout.read().decode() == "set / system name host-name pe2\n"
        assert stdout.channel.recv_exit_status() == 0
        _, stdout, _ = c.exec_command("bogus")
        assert stdout.read().decode().startswith("Parsing error: Unknown token 'bogus'")
        assert stdout.channel.recv_exit_status() == 1
    finally:
        c.close()


# ---- unmodified clients ------------------------------------------------------------------------------
def _scrapli(bed: Bed, transport: str, **kw: Any) -> Any:
    from scrapli import Scrapli

    return Scrapli(host="127.0.0.1", port=bed.ssh_port, auth_username=bed.user, auth_password=bed.password,
                   auth_strict_key=False, platform="nokia_srlinux", transport=transport, timeout_ops=20, **kw)


def test_scrapli_paramiko(bed: Bed) -> None:
    with _scrapli(bed, "paramiko") as conn:
        assert conn.get_prompt() == "--{ running }--[  ]--\nA:pe2#"
        r = conn.send_command("show version")
        assert not r.failed and "Hostname              : pe2" in r.result
        # ``commit stay``: scrapli keeps to configuration mode (its de-escalation is ``discard now``)
        rs = conn.send_configs(["set / system name domain-name scrapli.example", "commit stay"])
        assert not rs.failed and "Starting new transaction" in rs[-1].result
        assert running(bed, "/system/name/domain-name") == "scrapli.example"
        # errors are printed, and a caller who names SR Linux's error words sees the failure
        bad = conn.send_configs(["set / foo bar"], failed_when_contains=["Parsing error", "Error:"])
        assert bad.failed and "Unknown token 'foo'" in bad[0].result
        r = conn.send_command("info flat system name domain-name")
        assert r.result.strip() == "set / system name domain-name scrapli.example"
    assert bed.call(lambda: bed.twin.store.candidates.get("exclusive")) is None  # gone with the session


def test_scrapli_asyncssh(bed: Bed) -> None:
    import asyncio

    from scrapli import AsyncScrapli

    async def run() -> str:
        async with AsyncScrapli(host="127.0.0.1", port=bed.ssh_port, auth_username=bed.user,
                                auth_password=bed.password, auth_strict_key=False, platform="nokia_srlinux",
                                transport="asyncssh", timeout_ops=20) as conn:
            await conn.send_configs(["interface ethernet-1/2", "description async", "/", "commit now"])
            r = await conn.send_command("info from running interface ethernet-1/2 description")
            return str(r.result)

    assert "description async" in asyncio.run(run())
    assert running(bed, "/interface[name=ethernet-1/2]/description") == "async"


def test_scrapli_system_ssh(bed: Bed) -> None:
    """The OpenSSH client in a pty (scrapli's default transport)."""
    opts = {"open_cmd": ["-o", "UserKnownHostsFile=/dev/null", "-o", "PubkeyAuthentication=no"]}
    with _scrapli(bed, "system", transport_options=opts, ssh_config_file=False) as conn:
        r = conn.send_command("info flat system name host-name")
        assert r.result.strip() == "set / system name host-name pe2"


def test_netmiko(bed: Bed) -> None:
    from netmiko import ConnectHandler

    c = ConnectHandler(device_type="nokia_srl", host="127.0.0.1", port=bed.ssh_port, username=bed.user,
                       password=bed.password, use_keys=False, allow_agent=False)
    try:
        assert c.find_prompt() == "A:pe2#"
        assert "Software Version      : v24.10.1" in c.send_command("show version")
        out = c.send_config_set(["set / system name domain-name netmiko.example"])
        assert c.check_config_mode()
        assert "Starting new transaction" in c.commit()
        assert running(bed, "/system/name/domain-name") == "netmiko.example"
        c.send_config_set(["set / system name domain-name dropped.example"])
        c.exit_config_mode()  # sees the * and discards
        assert not c.check_config_mode()
        assert running(bed, "/system/name/domain-name") == "netmiko.example"
        assert "domain-name netmiko.example" in c.send_command("info system name")
        assert out
    finally:
        c.disconnect()
