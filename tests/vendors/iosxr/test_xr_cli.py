"""The IOS-XR twin's SSH CLI driven by unmodified scrapli (cisco_iosxr), scrapli-cfg (IOSXR platform), netmiko
(cisco_xr) and raw paramiko, against the real asyncssh server on 127.0.0.1 (no lab: commits are validated by
the twin's control module and recorded, not pushed into FRR; the lab tests cover that)."""

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

from .conftest import Bed

EXEC = "RP/0/RP0/CPU0:xr1#"
PROMPT = re.compile(r"RP/0/RP0/CPU0:xr1(\([a-z0-9-]+\))?#$")
STAMP = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                   r"[ \d]\d \d\d:\d\d:\d\d\.\d{3} UTC$")
UNCOMMITTED = "Uncommitted changes found, commit them before exiting(yes/no/cancel)? [cancel]:"
INVALID = "% Invalid input detected at '^' marker.\n"


def scrapli(bed: Bed, transport: str = "paramiko") -> Any:
    """scrapli's IOSXRDriver as a user opens it (on_open: ``terminal length 0``, ``terminal width 512``)."""
    from scrapli.driver.core import IOSXRDriver

    opts = {"system": {"open_cmd": ["-o", "UserKnownHostsFile=/dev/null", "-o", "PubkeyAuthentication=no"]}}
    conn = IOSXRDriver(host="127.0.0.1", port=bed.ssh_port, auth_username=bed.user,
                       auth_password=bed.password, auth_strict_key=False, transport=transport,
                       transport_options=opts.get(transport, {}), ssh_config_file=False, timeout_ops=20)
    conn.open()
    return conn


def running(bed: Bed) -> str:
    return bed.call(lambda: bed.twin.db.running.text(header=False))


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
        """The output of ``line``: what follows its echo, up to and with the next prompt."""
        self.chan.send(line + "\n")
        out = self.read(until)
        assert out.startswith(line + "\n"), out  # the echo
        return out[len(line) + 1:]

    def body(self, line: str) -> str:
        """The output of an EXEC command without its timestamp line and the prompt."""
        out = self.cmd(line)
        first, rest = out.split("\n", 1)
        assert STAMP.match(first), out
        return PROMPT.sub("", rest)

    def close(self) -> None:
        self.client.close()


@pytest.fixture
def term(bed: Bed) -> Iterator[Term]:
    t = Term(bed)
    yield t
    t.close()


def _stamped(out: str, rest: str) -> None:
    first, tail = out.split("\n", 1)
    assert STAMP.match(first), out
    assert tail == rest, out


# ---- prompts, modes, timestamps (raw SSH) ---------------------------------------------------------
def test_prompts_follow_the_parser_modes(term: Term) -> None:
    assert term.login.endswith(EXEC)
    _stamped(term.cmd("configure"), "RP/0/RP0/CPU0:xr1(config)#")
    assert term.cmd("router bgp 65001") == "RP/0/RP0/CPU0:xr1(config-bgp)#"  # config lines print nothing
    assert term.cmd(" neighbor 10.0.0.1") == "RP/0/RP0/CPU0:xr1(config-bgp-nbr)#"
    assert term.cmd("  address-family ipv4 unicast") == "RP/0/RP0/CPU0:xr1(config-bgp-nbr-af)#"
    assert term.cmd("exit") == "RP/0/RP0/CPU0:xr1(config-bgp-nbr)#"
    assert term.cmd("interface Loopback0") == "RP/0/RP0/CPU0:xr1(config-if)#"  # XR falls back to parents
    assert term.cmd("root") == "RP/0/RP0/CPU0:xr1(config)#"
    assert term.cmd("end") == EXEC  # nothing typed changed the configuration: no question
    assert term.cmd("") == EXEC


def test_timestamps_and_terminal(term: Term) -> None:
    out = term.cmd("terminal length 0")
    assert STAMP.match(out.split("\n")[0]) and out.endswith(EXEC)
    term.cmd("terminal width 512")
    assert term.cmd("terminal exec prompt no-timestamp") == EXEC
    assert term.cmd("show version").startswith("Cisco IOS XR Software, Version 24.1.1 LNT\n")
    term.cmd("terminal exec prompt timestamp")
    assert "Cisco IOS XR Software" in term.body("sh ver")  # unique prefixes are commands


def test_unknown_commands_get_the_caret(term: Term, bed: Bed) -> None:
    # the caret sits under the bad word, counting the prompt ("RP/0/RP0/CPU0:xr1#" is 18 columns)
    assert term.cmd("show tacocat") == " " * 23 + "^\n" + INVALID + EXEC
    assert term.cmd("frobnicate") == " " * 18 + "^\n" + INVALID + EXEC
    assert term.cmd("s") == '% Ambiguous command:  "s"\n' + EXEC
    assert term.cmd("show") == "% Incomplete command.\n" + EXEC
    assert term.cmd("ping 10.0.0.1") == " " * 18 + "^\n" + INVALID + EXEC  # real, not modelled
    before = running(bed)
    term.cmd("configure")
    # "RP/0/RP0/CPU0:xr1(config)#" is 26 columns; a bad keyword is marked, a bad argument too
    assert term.cmd("frobnicate foo") == " " * 26 + "^\n" + INVALID + "RP/0/RP0/CPU0:xr1(config)#"
    assert term.cmd("show bgp summary").startswith(" " * 31 + "^\n" + INVALID)  # needs ``do``
    assert term.cmd("show configuration").startswith(STAMP.pattern[:0])
    assert running(bed) == before
    assert "\n+" not in term.cmd("show commit changes diff")


def test_exec_request_runs_one_command(bed: Bed) -> None:
    c = paramiko.SSHClient()
    c.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    c.connect("127.0.0.1", bed.ssh_port, bed.user, bed.password, look_for_keys=False, allow_agent=False)
    try:
        _, stdout, _ = c.exec_command("show running-config hostname")
        out = stdout.read().decode()
        first, rest = out.split("\n", 1)
        assert STAMP.match(first) and rest == "hostname xr1\n\n", out
        assert stdout.channel.recv_exit_status() == 0
    finally:
        c.close()


def test_show_running_config_and_pipes(term: Term) -> None:
    out = term.body("show running-config")
    assert out.startswith("Building configuration...\n!! IOS XR Configuration 24.1.1\n"
                          "!! Last configuration change at ")
    assert "\nhostname xr1\n" in out and out.endswith("\nend\n\n")
    # a pipe filters the body, not the timestamp or "Building configuration..." (as real XR)
    assert term.body("show run | i Loopback") == "Building configuration...\ninterface Loopback0\n"
    assert term.body("show running-config router bgp | include remote-as") == "  remote-as 65002\n"
    assert term.body("show running-config interface Loopback0") == (
        "interface Loopback0\n ipv4 address 10.255.0.1 255.255.255.255\n!\n\n")
    assert term.body("show running-config router ospf") == "% No such configuration item(s)\n\n"
    out = term.body("show running-config | begin ^route-policy | exclude pass")
    assert out.startswith("Building configuration...\nroute-policy PASS\nend-policy\n")
    assert term.cmd("show run | frob x").startswith(" " * 29 + "^\n" + INVALID)


# ---- the two-stage commit --------------------------------------------------------------------------
def test_target_diff_commit(term: Term, bed: Bed) -> None:
    term.cmd("configure")
    term.cmd("interface Loopback9")
    term.cmd(" description cli test")
    term.cmd(" ipv4 address 10.9.9.9 255.255.255.255")
    assert "Loopback9" not in running(bed)  # the target only
    out = term.cmd("show commit changes diff")
    first, rest = out.split("\n", 1)
    assert STAMP.match(first), out
    assert rest == ("Building configuration...\n!! IOS XR Configuration 24.1.1\n"
                    "+  interface Loopback9\n+   description cli test\n"
                    "+   ipv4 address 10.9.9.9 255.255.255.255\n+  !\nend\n\n"
                    "RP/0/RP0/CPU0:xr1(config-if)#")
    # ``show configuration``: the target buffer (what this session typed)
    assert term.cmd("show configuration").split("\n", 1)[1] == (
        "Building configuration...\n!! IOS XR Configuration 24.1.1\n"
        "interface Loopback9\n description cli test\n ipv4 address 10.9.9.9 255.255.255.255\n!\nend\n\n"
        "RP/0/RP0/CPU0:xr1(config-if)#")
    # ``show running-config`` in configuration mode is the running one
    assert "Loopback9" not in term.cmd("show running-config interface Loopback9")
    _stamped(term.cmd("commit comment first cli commit"), "RP/0/RP0/CPU0:xr1(config-if)#")  # XR stays in mode
    assert "interface Loopback9\n description cli test\n" in running(bed)
    _stamped(term.cmd("commit"), "No configuration changes to commit.\nRP/0/RP0/CPU0:xr1(config-if)#")
    assert term.cmd("end") == EXEC
    out = term.body("show configuration commit list detail")
    assert "first cli commit" in out


def test_do_in_configuration_mode(term: Term) -> None:
    term.cmd("configure")
    out = term.cmd("do show running-config hostname")
    assert STAMP.match(out.split("\n")[0]) and out.split("\n", 1)[1] == (
        "hostname xr1\n\nRP/0/RP0/CPU0:xr1(config)#")


def test_uncommitted_changes_question(term: Term, bed: Bed) -> None:
    q = re.compile(r"\[cancel\]:$")
    term.cmd("configure")
    term.cmd("interface Loopback7")
    # cancel (the default) stays, in the same mode
    assert term.cmd("end", q) == UNCOMMITTED
    assert term.cmd("") == "RP/0/RP0/CPU0:xr1(config-if)#"
    term.cmd("exit")
    # ``exit`` at the top asks the same; ``no`` discards and leaves
    term.cmd("exit", q)
    assert term.cmd("no") == EXEC
    assert "Loopback7" not in running(bed)
    term.cmd("configure")
    assert "Loopback7" not in term.cmd("show commit changes diff")  # the target was dropped
    term.cmd("interface Loopback8")
    term.cmd("end", q)
    assert term.cmd("yes") == EXEC  # commits, then leaves
    assert "interface Loopback8\n" in running(bed)


def test_abort_discards(term: Term, bed: Bed) -> None:
    term.cmd("configure")
    term.cmd("hostname other")
    assert term.cmd("abort") == EXEC
    term.cmd("configure")
    assert "other" not in term.cmd("show commit changes diff")
    assert "hostname xr1" in running(bed)


def test_commit_replace_asks_and_replaces(term: Term, bed: Bed) -> None:
    q = re.compile(r"\[no\]: $")
    term.cmd("configure")
    term.cmd("hostname xr1")
    term.cmd("netconf-yang agent")
    term.cmd(" ssh")
    out = term.cmd("commit replace", q)
    assert STAMP.match(out.split("\n")[0]), out
    assert out.split("\n", 1)[1] == (
        "\nThis commit will replace or remove the entire running configuration. This\n"
        "operation can be service affecting.\nDo you wish to proceed? [no]: ")
    assert PROMPT.fullmatch(term.cmd("no"))  # still in configuration mode
    assert "router bgp 65001" in running(bed)  # nothing happened
    # the replace preview: what the running configuration loses
    diff = term.cmd("show configuration changes diff")
    assert "-  router bgp 65001\n" in diff and "hostname xr1" not in diff.replace("   hostname", "")
    term.cmd("commit replace", q)
    assert PROMPT.fullmatch(term.cmd("yes"))
    assert running(bed) == "hostname xr1\nnetconf-yang agent\n ssh\n!\nend\n"


def test_commit_the_control_plane_refuses(term: Term, bed: Bed) -> None:
    before = running(bed)
    bed.call(lambda: setattr(bed.twin, "refuse", "description refused"))
    term.cmd("configure")
    term.cmd("interface Loopback5")
    term.cmd(" description refused")
    out = term.cmd("commit")
    assert STAMP.match(out.split("\n")[0]), out
    assert out.split("\n", 1)[1].startswith(
        "% Failed to commit one or more configuration items during a pseudo-atomic operation. All changes "
        "made have been reverted. Please issue 'show configuration failed [inheritance]' from this session "
        "to view the errors\n"), out
    assert running(bed) == before
    assert "refused" in term.cmd("show configuration failed")
    assert "+   description refused" in term.cmd("show commit changes diff")  # the target keeps it
    bed.call(lambda: setattr(bed.twin, "refuse", ""))
    _stamped(term.cmd("commit"), "RP/0/RP0/CPU0:xr1(config-if)#")
    assert "description refused" in running(bed)


def test_exclusive_lock(bed: Bed) -> None:
    a, b = Term(bed), Term(bed)
    try:
        _stamped(a.cmd("configure exclusive"), "RP/0/RP0/CPU0:xr1(config)#")
        out = b.cmd("configure exclusive")
        assert out.endswith(EXEC) and "locked" in out, out
        out = b.body("show configuration sessions")
        assert out.startswith("Current Configuration Session  Line       User     Date"
                              "                     Lock\n")
        assert out.rstrip().endswith("*"), out
        b.cmd("configure")
        b.cmd("interface Loopback66")
        out = b.cmd("commit")
        assert "Loopback66" not in running(bed), out  # only the lock holder commits
        assert out.split("\n", 1)[1] == (
            "% Failed to commit because the configuration is locked by another agent. Please use "
            "'show configuration sessions' to see the agent that holds the lock.\n"
            "RP/0/RP0/CPU0:xr1(config-if)#"), out
        a.cmd("interface Loopback67")
        _stamped(a.cmd("commit"), "RP/0/RP0/CPU0:xr1(config-if)#")
        assert a.cmd("end") == EXEC
        assert b.cmd("abort") == EXEC
        assert "interface Loopback67" in running(bed)
        # the lock went with a's session: b may take it now
        _stamped(b.cmd("configure exclusive"), "RP/0/RP0/CPU0:xr1(config)#")
    finally:
        a.close()
        b.close()


# ---- EXEC: rollback and the commit database ----------------------------------------------------------
def test_rollback_and_commit_list(term: Term, bed: Bed) -> None:
    from ntc_templates.parse import parse_output

    term.cmd("configure")
    for name in ("one", "two"):
        term.cmd("interface Loopback1")
        term.cmd(f" description {name}")
        term.cmd(f"commit comment {name}")
    term.cmd("end")
    assert "description two" in running(bed)
    rows = parse_output(platform="cisco_xr", command="show configuration commit list",
                        data=term.body("show configuration commit list"))
    assert len(rows) >= 2 and rows[0]["user"] == "clab" and rows[0]["client"] == "CLI"
    newest, previous = rows[0]["commit"], rows[1]["commit"]
    assert "description two" in term.body(f"show configuration commit changes {newest}")
    out = term.body("rollback configuration last 1")
    assert out.startswith("\nLoading Rollback Changes.\nLoaded Rollback Changes in 1 sec \nCommitting.\n")
    assert out.endswith("Updated Commit database in 1 sec \n"
                        "Configuration successfully rolled back 1 commits.\n")
    assert "description one" in running(bed)
    out = term.body(f"rollback configuration to {previous}")
    assert out.endswith(f"Configuration successfully rolled back to '{previous}'.\n")
    assert term.cmd("rollback configuration last 0").startswith(" " * 46 + "^\n" + INVALID)


def test_oper_show_commands_reach_oper(term: Term, bed: Bed, monkeypatch: pytest.MonkeyPatch) -> None:
    """State commands come from oper.show (abbreviations expanded); the CLI applies the pipes."""
    seen: list[str] = []

    class OperError(Exception):
        pass

    async def show(twin: Any, command: str) -> str:
        seen.append(command)
        if command != "show bgp summary":
            raise OperError(command)
        return "Neighbor        Spk    AS\n10.0.0.1          0 65002\n10.0.0.3          0 65003\n"

    fake = types.ModuleType("fabric.vendors.iosxr.twin.oper")
    fake.show = show  # type: ignore[attr-defined]
    fake.OperError = OperError  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fabric.vendors.iosxr.twin.oper", fake)
    assert term.body("sh bgp sum | i 10.0.0.3") == "10.0.0.3          0 65003\n"
    assert term.cmd("show bgp frob").startswith(" " * 27 + "^\n" + INVALID)
    assert seen == ["show bgp summary", "show bgp frob"]


# ---- unmodified clients -----------------------------------------------------------------------------
def test_scrapli(bed: Bed) -> None:
    conn = scrapli(bed)
    try:
        assert conn.get_prompt() == EXEC
        r = conn.send_command("show version")
        assert not r.failed
        facts = r.textfsm_parse_output()  # ntc-templates' cisco_xr show version reads it
        assert facts[0]["version"] == "24.1.1 LNT" and facts[0]["hardware"] == "XRd Control Plane", facts
        assert conn.send_command("show tacocat").failed
        rs = conn.send_configs(["interface Loopback123", "description scrapli was here", "commit"])
        assert not rs.failed
        assert [x.result for x in rs] == ["", "", rs[-1].result] and STAMP.match(rs[-1].result)
        assert conn.get_prompt() == "RP/0/RP0/CPU0:xr1(config-if)#"
        # a refused line: scrapli's IOSXRDriver aborts the session (``abort``, XR's discard) and is in EXEC
        rs = conn.send_configs(["interface Loopback124", "frobnicate", "commit"], stop_on_failed=True)
        assert rs.failed and len(rs) == 2
        assert rs[1].result == " " * 29 + "^\n" + INVALID.rstrip("\n")
        assert conn.get_prompt() == EXEC
        r = conn.send_command("show run interface Loopback123")
        assert STAMP.match(r.result.split("\n")[0])
        assert r.result.split("\n", 1)[1] == "interface Loopback123\n description scrapli was here\n!"
    finally:
        conn.close()
    assert "interface Loopback123\n description scrapli was here\n" in running(bed)
    assert "Loopback124" not in running(bed)  # the failed set was aborted


def test_scrapli_cfg_merge_replace_abort(bed: Bed) -> None:
    from scrapli_cfg import ScrapliCfg

    conn = scrapli(bed)
    try:
        cfg = ScrapliCfg(conn=conn)
        cfg.prepare()
        assert cfg.get_version().result == "24.1.1"
        source = cfg.get_config().result
        assert "hostname xr1" in source
        # merge
        r = cfg.load_config("interface Loopback20\n description merged\n!\n", replace=False)
        assert not r.failed
        d = cfg.diff_config()
        assert "+  interface Loopback20\n+   description merged\n" in d.device_diff
        assert not cfg.commit_config().failed
        assert "description merged" in running(bed)
        # abort
        assert not cfg.load_config("interface Loopback21\n description aborted\n!\n").failed
        assert not cfg.abort_config().failed
        assert "Loopback21" not in running(bed)
        # replace: the whole configuration, without Loopback20
        whole = bed.call(lambda: bed.twin.db.running.text())
        whole = whole.replace("interface Loopback20\n description merged\n!\n", "")
        r = cfg.load_config(whole, replace=True)
        assert not r.failed, [x.result for x in r.scrapli_responses]
        d = cfg.diff_config()
        assert "-  interface Loopback20" in d.device_diff, d.device_diff
        assert not cfg.commit_config().failed
        assert "Loopback20" not in running(bed) and "router bgp 65001" in running(bed)
        # a bad line fails the load
        r = cfg.load_config("interface Loopback22\n frobnicate\n!\n")
        assert r.failed
        cfg.abort_config()
    finally:
        conn.close()


def test_netmiko_commit_confirmed_then_confirm(bed: Bed) -> None:
    c = bed.netmiko()
    try:
        assert c.find_prompt() == EXEC
        assert "Cisco IOS XR Software" in c.send_command("show version")
        c.send_config_set(["interface Loopback30", "description netmiko"])
        assert c.check_config_mode()
        c.commit(comment="via netmiko")
        assert "description netmiko" in running(bed)
        c.send_config_set(["interface Loopback31", "description confirmed"])
        c.commit(confirm=True, confirm_delay=30)
        assert "description confirmed" in running(bed)
        assert bed.call(lambda: bed.twin.db.pending_confirm) is not None
        out = c.commit()  # confirms the trial
        assert "Confirming commit for trial session" in out
        assert bed.call(lambda: bed.twin.db.pending_confirm) is None
        c.send_config_set(["interface Loopback32"])
        c.exit_config_mode()  # answers "no" to the uncommitted-changes question
        assert not c.check_config_mode()
        assert "Loopback32" not in running(bed)
        assert "% Invalid input detected" in c.send_command("show tacocat")
        with pytest.raises(ValueError, match="Commit failed"):
            bed.call(lambda: setattr(bed.twin, "refuse", "refused-by-plane"))
            c.send_config_set(["interface Loopback33", "description refused-by-plane"])
            c.commit()
    finally:
        bed.call(lambda: setattr(bed.twin, "refuse", ""))
        c.disconnect()
    assert "description confirmed" in running(bed)


def _shorten_trial(bed: Bed, seconds: float) -> None:
    """The confirmed-commit timer of the device, brought forward for a fast test (XR's minimum is 30 s;
    the real 30 s case is test_confirmed_commit_30s_reverts_by_itself)."""
    db = bed.twin.db
    bed.call(lambda: db._arm(time.time() + seconds))


def test_unconfirmed_commit_reverts_by_itself(bed: Bed) -> None:
    c = bed.netmiko()
    try:
        before = running(bed)
        c.send_config_set(["interface Loopback40", "description trial"])
        c.commit(confirm=True, confirm_delay=30)
        assert "description trial" in running(bed)
        _shorten_trial(bed, 0.5)
        poll(lambda: running(bed) == before)
        out = c.send_command("do show configuration commit list 1 detail")
        assert "Rollback" in out or "rollback" in out, out
    finally:
        c.disconnect()


def test_commit_confirmed_bounds_and_confirm_by_commit(term: Term, bed: Bed) -> None:
    term.cmd("configure")
    term.cmd("interface Loopback50")
    # XR's trial is 30..65535 seconds (or minutes 1..1024); "RP/0/RP0/CPU0:xr1(config-if)#" is 29 columns
    assert term.cmd("commit confirmed 10") == " " * 46 + "^\n" + INVALID + "RP/0/RP0/CPU0:xr1(config-if)#"
    _stamped(term.cmd("commit confirmed minutes 2"), "RP/0/RP0/CPU0:xr1(config-if)#")
    deadline = bed.call(lambda: bed.twin.db.pending_confirm)
    assert deadline is not None and 100 < deadline - time.time() <= 120
    _stamped(term.cmd("commit"), "% Confirming commit for trial session.\nRP/0/RP0/CPU0:xr1(config-if)#")
    assert bed.call(lambda: bed.twin.db.pending_confirm) is None
    assert "interface Loopback50" in running(bed)


def test_scrapli_system_ssh(bed: Bed) -> None:
    """The OpenSSH client in a pty (scrapli's default transport)."""
    conn = scrapli(bed, transport="system")
    try:
        r = conn.send_command("show running-config hostname")
        assert r.result.split("\n", 1)[1] == "hostname xr1"
    finally:
        conn.close()
