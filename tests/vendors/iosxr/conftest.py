"""An IOS-XR twin's SSH CLI and NETCONF server on 127.0.0.1 (ephemeral ports), no lab: the real twin
server code (``fabric.twins.server.start_node``) in an asyncio loop on a background thread, stopped after
the test."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from _twinbed import serve_twin

from fabric.vendors.iosxr.twin import control
from fabric.vendors.iosxr.twin.config import ConfigError
from fabric.vendors.iosxr.twin.twin import IosxrTwin

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[3]


class LocalIosxrTwin(IosxrTwin):
    """The IOS-XR twin's management plane on ephemeral ports of 127.0.0.1 (no netns, no FRR).

    Commits are validated as the twin does (``control.validate``) and recorded (``applied``), not applied to
    FRR: the control plane is exercised by the lab tests (``test_lab_*.py``). ``refuse``: a commit whose
    configuration contains this text fails in the control plane, as when FRR does not take it."""

    refuse: str = ""

    @property
    def services(self) -> dict[str, int]:
        return {"ssh": 0, "netconf": 0}

    async def apply_control_plane(self, conf: Any) -> None:
        control.validate(conf, self.name)
        if self.refuse and self.refuse in conf.text():
            raise ConfigError("!! SEMANTIC ERRORS: This configuration was rejected by \n"
                              f"!! the system due to semantic errors.\n!!% refused: {self.refuse}")
        self.applied = conf


STARTUP = """hostname xr1
interface Loopback0
 ipv4 address 10.255.0.1 255.255.255.255
!
interface MgmtEth0/RP0/CPU0/0
 vrf MGMT
 ipv4 address 127.0.0.1 255.0.0.0
!
interface GigabitEthernet0/0/0/0
 description to-xr2
 mtu 9214
 ipv4 address 10.0.0.0 255.255.255.254
!
router bgp 65001
 bgp router-id 10.255.0.1
 address-family ipv4 unicast
 !
 neighbor 10.0.0.1
  remote-as 65002
  address-family ipv4 unicast
   route-policy PASS in
   route-policy PASS out
  !
 !
!
route-policy PASS
  pass
end-policy
!
netconf-yang agent
 ssh
!
end
"""


@dataclass
class Bed:
    twin: LocalIosxrTwin
    ssh_port: int  # the XR CLI (port 22 on a device)
    port: int  # NETCONF (830)
    user: str
    password: str = field(repr=False)  # never printed, also not in a failure report
    loop: asyncio.AbstractEventLoop = field(repr=False)

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

    def run(self, coro: Any) -> Any:
        """Run a coroutine on the twin's loop and return its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=60)

    def ncclient(self, **kw: Any) -> Any:
        from ncclient import manager

        return manager.connect(host="127.0.0.1", port=self.port, username=self.user, password=self.password,
                               hostkey_verify=False, allow_agent=False, look_for_keys=False,
                               device_params={"name": "iosxr"}, timeout=20, **kw)

    def napalm(self) -> Any:
        from napalm import get_network_driver

        drv = get_network_driver("iosxr_netconf")(
            "127.0.0.1", self.user, self.password, timeout=20,
            optional_args={"port": self.port, "hostkey_verify": False, "allow_agent": False,
                           "look_for_keys": False})
        drv.open()
        return drv

    def scrapli(self) -> Any:
        from scrapli.driver.core import IOSXRDriver

        conn = IOSXRDriver(host="127.0.0.1", port=self.ssh_port, auth_username=self.user,
                           auth_password=self.password, auth_strict_key=False, transport="system",
                           timeout_ops=20)
        conn.open()
        return conn

    def netmiko(self) -> Any:
        from netmiko import ConnectHandler

        return ConnectHandler(device_type="cisco_xr", host="127.0.0.1", port=self.ssh_port,
                              username=self.user, password=self.password, fast_cli=False)


@pytest.fixture
def bed(tmp_path: Path) -> Iterator[Bed]:
    with serve_bed(tmp_path, STARTUP) as b:
        yield b


@pytest.fixture
def golden_bed(tmp_path: Path) -> Iterator[Bed]:
    """A twin booted from our golden config of xr-core's rr1."""
    with serve_bed(tmp_path, (ROOT / "containerlab" / "xr-core" / "rr1.cfg").read_text()) as b:
        yield b


@contextmanager
def serve_bed(tmp_path: Path, startup_config: str) -> Iterator[Bed]:
    """A twin booted from ``startup_config``, served until the block ends."""
    startup = tmp_path / "startup.cfg"
    startup.write_text(startup_config)
    password = secrets.token_urlsafe(12)
    node = {"node_dir": str(tmp_path / "xr1"), "kind": "cisco_xrd", "username": "clab", "password": password,
            "mgmt_ipv4": "127.0.0.1", "startup_config": str(startup)}
    twin = LocalIosxrTwin("xr1", node, {"lab_dir": str(tmp_path)})
    with serve_twin(twin) as (loop, ports):
        ssh_port, port = ports[:2]  # start_node binds ssh first, then netconf
        yield Bed(twin, ssh_port, port, "clab", password, loop)
