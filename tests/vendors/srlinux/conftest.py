"""An SR Linux twin's JSON-RPC server on 127.0.0.1 (ephemeral ports), no lab: the real twin server code
(``fabric.twins.server.start_node``) in an asyncio loop on a background thread, stopped after the test."""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from _twinbed import serve_twin

from fabric.twins.server import tls_context
from fabric.vendors.srlinux.twin.config import Config
from fabric.vendors.srlinux.twin.twin import SrlinuxTwin

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[3]
PE2 = ROOT / "containerlab" / "backbone" / "pe2.cfg"


class LocalSrlinuxTwin(SrlinuxTwin):
    """The SR Linux twin's management plane on ephemeral ports of 127.0.0.1 (no netns, no FRR).

    Commits are validated as the twin does (``control.validate``) and recorded (``applied``, ``history``),
    not applied to FRR: the control plane is exercised by the lab tests (``test_lab_*.py``)."""

    refuse: str = ""  # a commit whose config contains this text fails in the control plane

    @property
    def services(self) -> dict[str, int]:
        return {"http": 0, "https": 0, "ssh": 0}

    async def apply_control_plane(self, conf: Config) -> None:
        if self.refuse and self.refuse in conf.flat():
            raise RuntimeError("control plane refused")
        await super().apply_control_plane(conf)
        self.history.append(conf)

    async def _apply(self, dev: Any) -> None:
        pass  # no FRR here

    async def _lldp_identity(self, dev: Any) -> None:
        pass

    history: list[Config]


@dataclass
class Bed:
    twin: LocalSrlinuxTwin
    http_port: int
    https_port: int
    ssh_port: int
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

    def post(self, body: Any, *, https: bool = False, password: str | None = None,
             raw: bytes | None = None) -> tuple[int, Any]:
        """POST /jsonrpc with urllib; (HTTP status, parsed reply or text)."""
        scheme, port = ("https", self.https_port) if https else ("http", self.http_port)
        data = raw if raw is not None else json.dumps(body).encode()
        req = urllib.request.Request(f"{scheme}://127.0.0.1:{port}/jsonrpc", data=data, method="POST")
        token = base64.b64encode(f"{self.user}:{self.password if password is None else password}".encode())
        req.add_header("Authorization", "Basic " + token.decode())
        req.add_header("Content-Type", "application/json")
        ctx = ssl.create_default_context()
        ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
        try:
            with urllib.request.urlopen(req, timeout=10, context=ctx if https else None) as r:
                text = r.read().decode()
                return r.status, json.loads(text)
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def rpc(self, method: str, **params: Any) -> dict[str, Any]:
        status, reply = self.post({"jsonrpc": "2.0", "id": 7, "method": method, "params": params})
        assert status == 200
        assert reply["jsonrpc"] == "2.0" and reply["id"] == 7
        return reply  # type: ignore[no-any-return]

    def napalm(self, **optional: Any) -> Any:
        from napalm import get_network_driver

        drv = get_network_driver("srlinux")
        dev = drv("127.0.0.1", self.user, self.password, timeout=20,
                  optional_args={"jsonrpc_port": self.http_port, "insecure": True, **optional})
        dev.open()
        return dev


@pytest.fixture
def bed(tmp_path: Path) -> Iterator[Bed]:
    password = secrets.token_urlsafe(12)
    node = {"node_dir": str(tmp_path / "pe2"), "username": "admin", "password": password,
            "mgmt_ipv4": "127.0.0.1", "startup_config": str(PE2)}
    twin = LocalSrlinuxTwin("pe2", node, {"lab_dir": str(tmp_path)})
    twin.history = []
    secrets_dir = tmp_path / ".twin"
    secrets_dir.mkdir()
    with serve_twin(twin, tls_context(secrets_dir)) as (loop, ports):
        ssh_port, http_port, https_port = ports[:3]  # start_node binds ssh, then http, then https
        yield Bed(twin, http_port, https_port, ssh_port, "admin", password, loop)
