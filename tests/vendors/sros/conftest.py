"""An SR OS twin's MD-CLI (SSH) and NETCONF server on 127.0.0.1 (ephemeral ports), no lab: the real twin
server code (``fabric.twins.server.start_node``) in an asyncio loop on a background thread, stopped after
the test."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from _twinbed import serve_twin

from fabric.vendors.sros.config import ConfigError
from fabric.vendors.sros.twin import control
from fabric.vendors.sros.twin.twin import SrosTwin

ROOT = Path(__file__).resolve().parents[3]


class LocalSrosTwin(SrosTwin):
    """The SR OS twin's management plane on ephemeral ports of 127.0.0.1 (no netns, no FRR).

    Commits are validated as the twin does (``control.validate``) and recorded (``applied``), not applied to
    FRR: the control plane is exercised by the lab tests (``test_lab_sros.py``). ``refuse``: a commit whose
    configuration contains this text fails in the control plane, as when FRR does not take it."""

    refuse: str = ""

    @property
    def services(self) -> dict[str, int]:
        return {"ssh": 0, "netconf": 0}

    async def apply_control_plane(self, conf: Any) -> None:
        control.validate(conf, self.name, self.kind)
        if self.refuse and self.refuse in conf.full_context():
            raise ConfigError(f"MINOR: MGMT_CORE #5001: Commit failed - refused: {self.refuse}",
                              tag="operation-failed")
        self.applied = conf


STARTUP = """\
/configure system name "sr1"
/configure system management-interface configuration-mode model-driven
/configure system management-interface netconf admin-state enable
/configure port 1/1/c1 admin-state enable
/configure port 1/1/c1 connector breakout c1-100g
/configure port 1/1/c1/1 admin-state enable
/configure port 1/1/c1/1 description "to sr2"
/configure port 1/1/c1/1 ethernet mode network
/configure port 1/1/c1/1 ethernet mtu 9014
/configure router "Base" autonomous-system 65001
/configure router "Base" router-id 10.255.0.1
/configure router "Base" interface "system" ipv4 primary address 10.255.0.1
/configure router "Base" interface "system" ipv4 primary prefix-length 32
/configure router "Base" interface "to-sr2" port 1/1/c1/1
/configure router "Base" interface "to-sr2" ipv4 primary address 10.0.0.0
/configure router "Base" interface "to-sr2" ipv4 primary prefix-length 31
/configure router "Base" bgp router-id 10.255.0.1
/configure router "Base" bgp group "ebgp" peer-as 65002
/configure router "Base" bgp neighbor "10.0.0.1" group "ebgp"
"""


@dataclass
class Bed:
    twin: LocalSrosTwin
    ssh_port: int  # the MD-CLI (port 22 on a device)
    port: int  # NETCONF (830)
    user: str
    password: str = field(repr=False)  # never printed, also not in a failure report
    loop: asyncio.AbstractEventLoop = field(repr=False)

    def run(self, coro: Any) -> Any:
        """Run a coroutine on the twin's loop (the twin is not thread-safe) and return its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=60)

    def call(self, fn: Any) -> Any:
        async def wrap() -> Any:
            return fn()

        return self.run(wrap())

    def ncclient(self, **kw: Any) -> Any:
        from ncclient import manager

        return manager.connect(host="127.0.0.1", port=self.port, username=self.user, password=self.password,
                               hostkey_verify=False, allow_agent=False, look_for_keys=False,
                               device_params={"name": "sros"}, timeout=20, **kw)

    def napalm(self, **optional: Any) -> Any:
        from napalm import get_network_driver

        drv = get_network_driver("sros")("127.0.0.1", self.user, self.password, timeout=20,
                                         optional_args={"port": self.port, **optional})
        drv.open()
        return drv

    def netmiko(self) -> Any:
        from netmiko import ConnectHandler

        return ConnectHandler(device_type="nokia_sros", host="127.0.0.1", port=self.ssh_port,
                              username=self.user, password=self.password, fast_cli=True)

    def scrapli(self) -> Any:
        from scrapli import Scrapli

        conn = Scrapli(host="127.0.0.1", port=self.ssh_port, auth_username=self.user,
                       auth_password=self.password, auth_strict_key=False, transport="system",
                       platform="nokia_sros", timeout_ops=20)
        conn.open()
        return conn


@contextmanager
def serve_bed(tmp_path: Path, startup_config: str, kind: str = "nokia_sros") -> Iterator[Bed]:
    """A twin booted from ``startup_config``, served until the block ends."""
    startup = tmp_path / "startup.cfg"
    startup.write_text(startup_config)
    password = secrets.token_urlsafe(12)
    node = {"node_dir": str(tmp_path / "sr1"), "kind": kind, "username": "admin", "password": password,
            "mgmt_ipv4": "127.0.0.1", "startup_config": str(startup), "interfaces": ["eth1"]}
    twin = LocalSrosTwin("sr1", node, {"lab_dir": str(tmp_path)})
    with serve_twin(twin) as (loop, ports):
        ssh_port, port = ports[:2]  # start_node binds ssh first, then netconf
        yield Bed(twin, ssh_port, port, "admin", password, loop)


@pytest.fixture
def bed(tmp_path: Path) -> Iterator[Bed]:
    with serve_bed(tmp_path, STARTUP) as b:
        yield b


@pytest.fixture
def sros_twin(bed: Bed) -> Iterator[Bed]:
    """The name API.md gives the helpers: the same served twin."""
    yield bed
