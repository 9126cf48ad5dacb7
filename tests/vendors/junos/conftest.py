"""A Junos twin's NETCONF server and SSH CLI on 127.0.0.1 (ephemeral ports), no lab: the real twin server code
(``fabric.twins.server.start_node``) in an asyncio loop on a background thread, stopped after the test."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from _twinbed import serve_twin

from fabric.vendors.junos.twin.twin import JunosTwin

T = TypeVar("T")


class LocalJunosTwin(JunosTwin):
    """The Junos twin's management plane on ephemeral ports of 127.0.0.1 (no netns, no FRR).

    Commits are recorded, not applied: the control plane is exercised by the lab tests
    (tests/vendors/junos/test_lab_*.py), where every twin runs its own FRR."""

    @property
    def services(self) -> dict[str, int]:
        return {"netconf": 0, "ssh": 0}

    async def apply_control_plane(self, conf: Any) -> None:
        self.applied = conf


@dataclass
class Bed:
    twin: LocalJunosTwin
    port: int  # NETCONF (the 830 server)
    user: str
    password: str = field(repr=False)  # never printed, also not in a failure report
    loop: asyncio.AbstractEventLoop = field(repr=False)
    ssh_port: int = 0  # the CLI (and the ``netconf`` subsystem), Junos's port 22

    def call(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` on the twin's loop (the twin is not thread-safe) and return its result."""
        fut: Future[T] = Future()

        def run() -> None:
            try:
                fut.set_result(fn())
            except Exception as e:  # pragma: no cover - surfaces in the test
                fut.set_exception(e)

        self.loop.call_soon_threadsafe(run)
        return fut.result(timeout=10)

    def connect(self, **kw: Any) -> Any:
        from ncclient import manager

        return manager.connect(host="127.0.0.1", port=self.port, username=self.user, password=self.password,
                               hostkey_verify=False, allow_agent=False, look_for_keys=False,
                               device_params={"name": "junos"}, timeout=20, **kw)

    def pyez(self) -> Any:
        from jnpr.junos import Device

        dev = Device(host="127.0.0.1", port=self.port, user=self.user, passwd=self.password,
                     gather_facts=False)
        dev.open()
        return dev


STARTUP = """system {
    host-name vr1;
    services {
        netconf {
            ssh;
        }
    }
}
"""


@pytest.fixture
def bed(tmp_path: Path) -> Iterator[Bed]:
    startup = tmp_path / "startup.conf"
    startup.write_text(STARTUP)
    password = secrets.token_urlsafe(12)
    node = {"node_dir": str(tmp_path / "vr1"), "username": "admin", "password": password,
            "mgmt_ipv4": "127.0.0.1", "startup_config": str(startup)}
    twin = LocalJunosTwin("vr1", node, {"lab_dir": str(tmp_path)})
    with serve_twin(twin) as (loop, ports):
        ssh_port, port = ports[:2]  # start_node binds ssh first, then netconf
        yield Bed(twin, port, "admin", password, loop, ssh_port)
