"""One journal and lock per fabric, wherever the operator's shell is: two real `fabric rollout run`
processes on one fabric, started from two different working directories.

No lab: the fabric's management addresses are 127.77.0.x. spine1's eAPI port is a local listener that
accepts and never answers, so the first rollout sits in spine1's pre-snapshot holding the real lock
(taken by the engine in the real journal) while the second one starts.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from _deadnet import dead_fabric

from fabric.rollout.journal import Journal, journal_path

FABRIC = dead_fabric("locktest")
PLAYBOOK = """\
name: lock-test
targets: {hosts: [spine1]}
change: {type: merge, template: "route-map LOCKTEST permit 10\\n"}
waves: {canary: 1, sizes: ["100%"]}
commit_confirm: 120
"""
SPINE1 = ("127.77.0.11", 443)  # mgmt pool + spine offset 10 + id 1; eAPI over https


class Tarpit:
    """Accepts TCP connections and never says a word (a device that hangs mid-handshake)."""

    def __init__(self, addr: tuple[str, int]) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(addr)
        self.sock.listen(8)
        self.conns: list[socket.socket] = []
        self.accepted = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(c)
            self.accepted.set()

    def close(self) -> None:
        self.sock.close()
        for c in self.conns:
            c.close()


def test_second_process_refused_from_another_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fab = tmp_path / "inventory" / "locktest" / "fabric.yaml"
    fab.parent.mkdir(parents=True)
    fab.write_text(FABRIC)
    pb = tmp_path / "lock-test.yaml"
    pb.write_text(PLAYBOOK)
    state = tmp_path / "state"
    monkeypatch.setenv("NETFABRIC_STATE_DIR", str(state))  # this process reads the same journal
    env = {
        **os.environ,
        "NETFABRIC_STATE_DIR": str(state),
        "NETFABRIC_USERNAME": "ops",
        "NETFABRIC_PASSWORD": "Lock-test-7%",
        "NETFABRIC_CREDENTIALS": str(tmp_path / "none.yaml"),
        "NETFABRIC_LAB_REGISTRY": str(tmp_path / "labs"),
    }
    cmd = [sys.executable, "-m", "fabric.cli", "rollout", "run", str(pb), "--fabric", str(fab), "-q"]
    cwd_a, cwd_b = tmp_path / "alice", tmp_path / "bob"
    cwd_a.mkdir()
    cwd_b.mkdir()
    pit = Tarpit(SPINE1)
    first = subprocess.Popen(cmd, cwd=cwd_a, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        # The first process holds the lock and is stuck on spine1's eAPI (60 s client timeout).
        assert pit.accepted.wait(60), "first rollout never reached spine1"
        journal = journal_path("locktest")
        assert journal == state / "locktest" / "journal.sqlite"
        j = Journal(journal)
        holder = j.lock_holder("locktest")
        j.close()
        assert holder is not None and holder["pid"] == first.pid, holder
        assert first.poll() is None

        second = subprocess.run(cmd, cwd=cwd_b, env=env, capture_output=True, text=True, timeout=120)
        out = second.stdout + second.stderr
        assert second.returncode == 2, out
        assert f"rollout {holder['rollout_id']} is active on fabric 'locktest'" in out, out
        assert f"pid {first.pid} on {socket.gethostname()}" in out, out
        assert first.poll() is None, "the first rollout must still be running (it held the lock throughout)"
    finally:
        pit.close()  # spine1 hangs up: the first rollout finds it unreachable and ends
        try:
            first.wait(120)
        except subprocess.TimeoutExpired:
            first.kill()
            first.wait()
    # Neither operator's directory got a journal of its own.
    assert not list(cwd_a.rglob("*.sqlite")) and not list(cwd_b.rglob("*.sqlite"))
    j = Journal(journal)
    try:
        rollouts = j.history()
        assert [r["id"] for r in rollouts] == [holder["rollout_id"]]  # the refused one recorded nothing
        assert j.lock_holder("locktest") is None  # released when the first one ended
    finally:
        j.close()


def test_relative_state_dir_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from fabric.errors import FabricError

    monkeypatch.setenv("NETFABRIC_STATE_DIR", "state")
    with pytest.raises(FabricError, match="NETFABRIC_STATE_DIR"):
        journal_path("dc1")
    monkeypatch.delenv("NETFABRIC_STATE_DIR")
    assert journal_path("dc1") == Path("/var/lib/netfabric/dc1/journal.sqlite")
