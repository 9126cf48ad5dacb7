"""The SR OS twin's MD-CLI driven by unmodified netmiko (nokia_sros), scrapli-community (nokia_sros),
napalm-sros' SSH shell (text-mode candidate, compare, commit, rollback, get_config format cli) and raw
paramiko, against the real asyncssh server on 127.0.0.1 (no lab: commits are validated by the twin's control
module and recorded, not pushed into FRR)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import paramiko
import pytest
from _twinbed import poll

from .conftest import Bed

# napalm-sros' prompt pattern (sros.py terminal_stdout_re[0]), the one its shell waits for
NAPALM_PROMPT = re.compile(r"[\r\n]*\!?\*?(\((ex|gl|pr|ro)\))?\[.*\][\r\n]+[ABCD]\:\S+\@\S+\#\s$")


class Term:
    """An interactive session (pty) as a person has it: what was typed is echoed by the device."""

    def __init__(self, bed: Bed) -> None:
        self.client = paramiko.SSHClient()
        self.client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        self.client.connect("127.0.0.1", bed.ssh_port, bed.user, bed.password, look_for_keys=False,
                            allow_agent=False, timeout=10)
        self.chan = self.client.invoke_shell(width=511)
        self.login = self.read()

    def read(self, bound: float = 10.0) -> str:
        buf = ""
        deadline = time.monotonic() + bound
        while not NAPALM_PROMPT.search(buf):
            assert time.monotonic() < deadline, f"no prompt in {buf!r}"
            if self.chan.recv_ready():
                buf += self.chan.recv(65536).decode()
            else:
                time.sleep(0.01)
        return buf.replace("\r\n", "\n")

    def cmd(self, line: str) -> str:
        """What follows the echo of ``line``, up to and with the next prompt."""
        self.chan.send(line + "\n")
        out = self.read()
        assert out.startswith(line + "\n"), out
        return out[len(line) + 1:]

    def body(self, line: str) -> str:
        """The output of ``line`` without the prompt (the blank line before it included)."""
        return re.sub(r"\n\S*\[.*\]\nA:\S+# $", "", self.cmd(line))

    def close(self) -> None:
        self.client.close()


@pytest.fixture
def term(bed: Bed) -> Iterator[Term]:
    t = Term(bed)
    yield t
    t.close()


def running(bed: Bed) -> str:
    return bed.call(lambda: bed.twin.db.running.full_context())


def test_prompts_modes_and_uncommitted_star(term: Term, bed: Bed) -> None:
    assert term.login.endswith("\n[/]\nA:admin@sr1# ")
    out = term.cmd("edit-config exclusive")
    assert out == ("INFO: CLI #2060: Entering exclusive configuration mode\n"
                   "INFO: CLI #2061: Uncommitted changes are discarded on configuration mode exit\n"
                   "\n(ex)[/]\nA:admin@sr1# ")
    assert term.cmd('configure router "Base"').endswith('\n(ex)[/configure router "Base"]\nA:admin@sr1# ')
    out = term.cmd('interface "to-sr2" description "uplink"')
    assert out == '\n*(ex)[/configure router "Base"]\nA:admin@sr1# '
    assert term.cmd("exit").endswith("\n*(ex)[/configure]\nA:admin@sr1# ")
    assert term.cmd("exit all").endswith("\n*(ex)[/]\nA:admin@sr1# ")
    assert term.cmd("discard").endswith("\n(ex)[/]\nA:admin@sr1# ")
    assert term.body("quit-config") == "INFO: CLI #2064: Exiting exclusive configuration mode\n"
    # the implicit workflow: [pr:/configure], `exit` at its top leaves configuration mode
    assert term.cmd("configure private").endswith("\n[pr:/configure]\nA:admin@sr1# ")
    assert term.cmd("system location lab").endswith("\n*[pr:/configure]\nA:admin@sr1# ")
    assert term.cmd("router Base interface to-sr2").endswith(  # keys shown as SR OS shows them
        '\n*[pr:/configure router "Base" interface "to-sr2"]\nA:admin@sr1# ')
    assert term.cmd("top").endswith("\n*[pr:/configure]\nA:admin@sr1# ")
    assert term.cmd("exit").endswith("\n[/]\nA:admin@sr1# ")
    assert 'location' not in running(bed)  # a private candidate goes with the mode


def test_baseline_out_of_date_mark(term: Term, bed: Bed) -> None:
    term.cmd("edit-config private")
    assert term.cmd("/configure system location here").endswith("\n*(pr)[/]\nA:admin@sr1# ")
    other = Term(bed)
    other.cmd("edit-config private")
    other.cmd("/configure system contact noc")
    other.cmd("commit")
    other.close()
    assert term.cmd("").endswith("\n!*(pr)[/]\nA:admin@sr1# ")  # running moved on under the candidate
    term.cmd("commit")  # SR OS updates the candidate onto the new running
    assert 'location "here"' in running(bed) and 'contact "noc"' in running(bed)


def test_show_and_one_shot_command(term: Term, bed: Bed) -> None:
    assert term.body("show version | match TiMOS").startswith("TiMOS-B-24.10.R1 both/x86_64 Nokia")
    assert "Interface Table (Router: Base)" in term.body('show router "Base" interface')
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect("127.0.0.1", bed.ssh_port, bed.user, bed.password, look_for_keys=False, allow_agent=False)
    try:
        _, stdout, _ = client.exec_command("admin show configuration | match autonomous-system")
        assert stdout.read().decode() == "        autonomous-system 65001\n"
    finally:
        client.close()


def test_errors_in_sros_form(term: Term) -> None:
    assert term.body("bogus") == "             ^^^^^\nMINOR: MGMT_CORE #2201: Unknown element - 'bogus'\n"
    assert term.body("commit") == "MINOR: CLI #2069: Operation not allowed - currently in operational mode\n"
    term.cmd("edit-config read-only")
    assert term.body("configure system location x") == (
        "MINOR: CLI #2069: Operation not allowed - currently in read-only mode\n")
    term.cmd("quit-config")
    term.cmd("edit-config private")
    out = term.body("/configure system name")
    assert out.endswith("MINOR: CLI #2001: Missing element value - 'name'\n") and "^^^^" in out
    out = term.body("/configure nonsense 1")
    assert re.search(r"^MINOR: .*Unknown element - 'nonsense'$", out, re.M), out


def test_info_forms_pipes_and_admin_show(term: Term) -> None:
    term.cmd("environment more false")
    term.cmd("edit-config private")
    term.cmd('configure router "Base" interface "to-sr2"')
    assert term.body("info") == ("port 1/1/c1/1\nipv4 {\n    primary {\n        address 10.0.0.0\n"
                                 "        prefix-length 31\n    }\n}\n")
    assert term.body("info flat | match address") == "ipv4 primary address 10.0.0.0\n"
    assert term.body('info full-context | match prefix-length') == (
        '/configure router "Base" interface "to-sr2" ipv4 primary prefix-length 31\n')
    assert term.body("info | match primary invert-match | count") == "Count: 6 lines\n"
    admin = term.body("admin show configuration | no-more")
    assert admin.startswith("# TiMOS-B-24.10.R1 both/x86_64 Nokia 7750 SR-1")
    assert "\nconfigure {\n    system {\n        name \"sr1\"\n" in admin


def test_hierarchical_paste_and_compare(term: Term, bed: Bed) -> None:
    term.cmd("edit-config exclusive")
    block = """configure {
    system {
        location "rack 7"
    }
    router "Base" {
        interface "lo1" {
            ipv4 {
                primary {
                    address 10.9.9.9
                    prefix-length 32
                }
            }
        }
    }
}"""
    for line in block.splitlines():
        out = term.cmd(line)
        assert "MINOR" not in out, (line, out)
    assert out.endswith("\n*(ex)[/]\nA:admin@sr1# ")
    assert term.body("compare") == (
        "    configure {\n        system {\n+           location \"rack 7\"\n        }\n"
        "        router \"Base\" {\n+           interface \"lo1\" {\n+               ipv4 {\n"
        "+                   primary {\n+                       address 10.9.9.9\n"
        "+                       prefix-length 32\n+                   }\n+               }\n+           }\n"
        "        }\n    }\n")
    term.cmd("configure system")
    assert term.body("compare") == '+   location "rack 7"\n'
    assert term.body("commit") == ""
    assert '/configure system location "rack 7"' in running(bed)
    assert '/configure router "Base" interface "lo1" ipv4 primary address 10.9.9.9' in running(bed)


def test_commit_confirmed_reverts_when_the_session_ends(bed: Bed) -> None:
    before = running(bed)
    t = Term(bed)
    t.cmd("edit-config private")
    t.cmd('/configure router "Base" interface "to-sr2" description "trial"')
    assert t.body("commit confirmed 1") == ""
    assert "trial" in running(bed)
    t.close()  # the session ends before `commit confirmed accept`
    poll(lambda: running(bed) == before)


def test_commit_confirmed_accept_and_cancel(term: Term, bed: Bed) -> None:
    term.cmd("edit-config global")
    term.cmd('/configure router "Base" interface "to-sr2" description "kept"')
    term.cmd("commit confirmed 5")
    assert term.body("commit confirmed accept") == ""
    term.cmd('/configure router "Base" interface "to-sr2" description "undone"')
    term.cmd("commit confirmed 5")
    assert "undone" in running(bed)
    assert term.body("commit confirmed cancel") == ""
    assert '"to-sr2" description "kept"' in running(bed)
    out = term.body("commit confirmed accept")
    assert out.startswith("MINOR: MGMT_CORE #") and "No confirmed commit" in out


def test_rollback_and_admin_rollback_revert(term: Term, bed: Bed) -> None:
    before = running(bed)
    term.cmd("edit-config exclusive")
    term.cmd("/configure system location one")
    term.cmd("commit")
    assert "location" in running(bed)
    term.cmd("rollback 1")  # the checkpoint before the last commit becomes the candidate
    assert term.body("compare") == ('    configure {\n        system {\n-           location "one"\n'
                                    "        }\n    }\n")
    term.cmd("commit")
    assert running(bed) == before
    term.cmd("quit-config")
    term.cmd("admin rollback revert 1")  # checkpoint 1: what the first commit made (before the undo)
    assert '/configure system location "one"' in running(bed)


def test_commit_refused_keeps_the_candidate(term: Term, bed: Bed) -> None:
    bed.twin.refuse = "refuse-me"
    term.cmd("edit-config exclusive")
    term.cmd('/configure router "Base" interface "to-sr2" description "refuse-me"')
    out = term.cmd("commit")
    assert out.startswith("MINOR: MGMT_CORE #5001: Commit failed - refused: refuse-me\n")
    assert out.endswith("\n*(ex)[/]\nA:admin@sr1# ")
    assert "refuse-me" not in running(bed)


def test_netmiko(bed: Bed) -> None:
    conn = bed.netmiko()
    try:
        assert conn.base_prompt == "A:admin@sr1"
        out = conn.send_command("admin show configuration")
        assert 'name "sr1"' in out and "[/]" not in out
        assert "Interface Table (Router: Base)" in conn.send_command("show router interface")
        conn.send_config_set(['/configure router "Base" interface "to-sr2" description "netmiko"',
                              '/configure router "Base" interface "to-sr2"', "admin-state enable"],
                             error_pattern=r"MINOR|MAJOR")
        assert conn.check_config_mode()
        conn.commit()
        assert 'description "netmiko"' in running(bed)
        assert '"to-sr2" admin-state enable' in running(bed)
        conn.exit_config_mode()
        assert not conn.check_config_mode()
    finally:
        conn.disconnect()


def test_scrapli_community(bed: Bed) -> None:
    conn = bed.scrapli()
    try:
        r = conn.send_command("admin show configuration")
        assert not r.failed and 'name "sr1"' in r.result
        r = conn.send_configs(['/configure router "Base" interface "to-sr2" description "scrapli"',
                               "commit"])
        assert not r.failed, r.result
        assert 'description "scrapli"' in running(bed)
        r = conn.send_configs(["/configure nonsense 1"])
        assert r.failed
        assert conn.get_prompt().endswith("A:admin@sr1#")
    finally:
        conn.close()


def napalm_shell(bed: Bed) -> Any:
    """napalm-sros with its SSH shell opened on the twin's port (it would dial port 22); NETCONF not used
    by the text-mode methods."""
    from napalm_sros.sros import NokiaSROSDriver

    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect("127.0.0.1", bed.ssh_port, bed.user, bed.password, look_for_keys=False, allow_agent=False,
                   timeout=10)
    chan = client.invoke_shell()
    return NokiaSROSDriver("127.0.0.1", bed.user, bed.password, timeout=20,
                           optional_args={"ssh_conn": client, "ssh_channel": chan})


def test_napalm_sros_text_candidate_commit_rollback(bed: Bed) -> None:
    drv = napalm_shell(bed)
    try:
        before = running(bed)
        drv.load_merge_candidate(config='/configure router "Base" interface "to-sr2" description "napalm"\n'
                                        '/configure system location "dc1"')
        diff = drv.compare_config()
        assert '+               description "napalm"' in diff and '+           location "dc1"' in diff
        assert diff.splitlines()[0] == "configure {"
        drv.commit_config()
        assert 'description "napalm"' in running(bed)
        got = drv.get_config(retrieve="running", format="cli")["running"]
        assert got.startswith("configure {\n    system {") and 'location "dc1"' in got
        cand = drv.get_config(retrieve="candidate", format="cli")["candidate"]
        assert 'location "dc1"' in cand
        drv.rollback()
        assert running(bed) == before
        with pytest.raises(Exception, match="Unknown element"):
            drv.load_merge_candidate(config="/configure nonsense 1")
    finally:
        drv.conn_ssh.close()


def test_napalm_sros_text_replace(bed: Bed) -> None:
    from .conftest import STARTUP

    drv = napalm_shell(bed)
    try:
        new = STARTUP.replace('"to sr2"', '"to sr2 (replaced)"').replace(
            '/configure router "Base" bgp neighbor "10.0.0.1" group "ebgp"\n', "")
        drv.load_replace_candidate(config=new)
        diff = drv.compare_config()
        assert '-           description "to sr2"' in diff
        assert '+           description "to sr2 (replaced)"' in diff
        assert '-               neighbor "10.0.0.1" {' in diff
        drv.commit_config()
        assert running(bed) == bed.call(lambda: __import__("fabric.vendors.sros.config", fromlist=["x"])
                                        .parse_flat(new).full_context())
    finally:
        drv.conn_ssh.close()
