"""One asyncio process serving every twin node of a lab."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import json
import logging
import os
import signal
import ssl
import time
from pathlib import Path
from typing import Any

import asyncssh

from fabric.twins import BOOTED, lldpwatch, twin_class
from fabric.twins.base import DeviceTwin
from fabric.twins.http import serve_http
from fabric.twins.netns import bind_in_netns

log = logging.getLogger(__name__)


def _lab_secrets_dir(state: dict[str, Any], state_path: Path) -> Path:
    d = Path(state.get("lab_dir") or state_path.parent) / ".twin"
    d.mkdir(parents=True, exist_ok=True)
    d.chmod(0o700)
    return d


def host_key(secrets: Path) -> asyncssh.SSHKey:
    path = secrets / "ssh_host_rsa_key"
    if path.exists():
        return asyncssh.read_private_key(str(path))
    key = asyncssh.generate_private_key("ssh-rsa", key_size=2048)
    key.write_private_key(str(path))
    path.chmod(0o600)
    return key


def tls_context(secrets: Path) -> ssl.SSLContext:
    """Self-signed certificate, generated once per lab (cryptography comes with asyncssh)."""
    cert, keyf = secrets / "eapi-cert.pem", secrets / "eapi-key.pem"
    if not cert.exists() or not keyf.exists():
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "netfabric-twin")])
        now = datetime.datetime.now(datetime.UTC)
        crt = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(
                x509.SubjectAlternativeName(
                    [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
                ),
                critical=False,
            )
            .sign(key, hashes.SHA256())
        )
        keyf.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        keyf.chmod(0o600)
        cert.write_bytes(crt.public_bytes(serialization.Encoding.PEM))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(cert), str(keyf))
    return ctx


class _BinaryNetconfProcess(asyncssh.SSHServerProcess):  # type: ignore[type-arg]
    """A session that switches to bytes when the client asks for the ``netconf`` subsystem.

    The SSH port serves the CLI (text, line editor) and, on Junos, NETCONF as a subsystem (bytes:
    1.1 chunks count octets). The choice comes with the subsystem request, before any data arrives
    and before the session's streams exist, so the encoding is changed exactly there."""

    def subsystem_requested(self, subsystem: str) -> bool:
        if subsystem == "netconf":  # as asyncssh's own sftp start does (SSHServerStreamSession)
            self._chan.set_encoding(None)
            self._encoding = None
        return bool(super().subsystem_requested(subsystem))


class _SSHServer(asyncssh.SSHServer):
    def __init__(self, twin: DeviceTwin, process_factory: Any = None) -> None:
        self.twin = twin
        self.process_factory = process_factory

    def session_requested(self) -> Any:
        # Only used for servers created without ``process_factory`` (see start_node).
        return _BinaryNetconfProcess(self.process_factory, None, asyncssh.sftp.MIN_SFTP_VERSION, False)

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def kbdint_auth_supported(self) -> bool:
        return False

    def validate_password(self, username: str, password: str) -> bool:
        return self.twin.check_credentials(username, password)


async def start_node(twin: DeviceTwin, key: asyncssh.SSHKey, tls: ssl.SSLContext) -> list[Any]:
    """Bind and serve one node's protocols (fast: a few sockets); the caller boots it."""
    servers: list[Any] = []
    ip, ns = twin.mgmt_ip, twin.netns
    ports = twin.services

    def ssh_server(port: int, factory: Any, line_editor: bool, encoding: str | None = "utf-8",
                   subsystem_bytes: bool = False) -> Any:
        return asyncssh.create_server(
            lambda: _SSHServer(twin, factory if subsystem_bytes else None),
            sock=bind_in_netns(ns, ip, port),
            server_host_keys=[key],
            process_factory=None if subsystem_bytes else factory,
            encoding=encoding,
            line_editor=line_editor,
            keepalive_interval=30,
            login_timeout=30,
        )

    if "ssh" in ports:
        # With NETCONF also on offer, the SSH port serves it as a subsystem too (Junos: NAPALM's port 22).
        servers.append(await ssh_server(ports["ssh"], twin.ssh_shell, True,
                                        subsystem_bytes="netconf" in ports))
    if "netconf" in ports:

        async def netconf(process: asyncssh.SSHServerProcess) -> None:  # type: ignore[type-arg]
            if process.subsystem != "netconf":
                process.exit(1)
                return
            await twin.netconf_session(process)

        # Bytes, not text: NETCONF 1.1 chunk sizes count octets and a chunk may end inside a UTF-8
        # character (RFC 6242 4.2), so the subsystem cannot be decoded before it is de-framed.
        servers.append(await ssh_server(ports["netconf"], netconf, False, encoding=None))
    handler = twin.http_handler()
    if handler is not None and "http" in ports:
        servers.append(await serve_http(bind_in_netns(ns, ip, ports["http"]), handler))
    if handler is not None and "https" in ports:
        servers.append(await serve_http(bind_in_netns(ns, ip, ports["https"]), handler, tls))
    log.debug("twin %s (%s) listening on %s in netns %s", twin.name, twin.platform, ip, ns)
    return servers


def boot_concurrency() -> int:
    """How many nodes apply their config to FRR at once: bounded, or a big lab starves the host."""
    env = os.environ.get("NETFABRIC_TWIN_BOOT_JOBS")
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    return max(2, min(8, 2 * (os.cpu_count() or 1)))


async def _boot(twin: DeviceTwin, sem: asyncio.Semaphore) -> None:
    async with sem:
        t0 = time.monotonic()
        try:
            await twin.apply_boot()
        except Exception:  # one broken node must not take the others down
            log.exception("twin %s failed to apply its configuration", twin.name)
            return
        log.info("twin %s (%s) booted in %.2fs", twin.name, twin.platform, time.monotonic() - t0)


async def serve(state_path: Path) -> int:
    state = json.loads(state_path.read_text())
    secrets = _lab_secrets_dir(state, state_path)
    (secrets / BOOTED).unlink(missing_ok=True)  # a restart boots again
    key, tls = host_key(secrets), tls_context(secrets)
    servers: list[Any] = []
    twins: list[DeviceTwin] = []
    t0 = time.monotonic()
    # 1) every node: state files + listening sockets.  Cheap (milliseconds per node), so the whole lab
    #    is reachable (the lab's readiness check) long before FRR has been configured everywhere.
    for name, node in state.get("nodes", {}).items():
        cls = twin_class(node.get("twin") or "")
        if cls is None:
            continue
        twin = cls(name, node, state)
        try:
            twin.load()
            servers += await start_node(twin, key, tls)
        except Exception:  # one broken node must not take the others down
            log.exception("twin %s failed to start", name)
            continue
        twins.append(twin)
    log.info("%d twin(s) listening after %.2fs", len(twins), time.monotonic() - t0)
    # 2) config -> FRR/kernel, a bounded number of nodes at a time, in the background.
    sem = asyncio.Semaphore(boot_concurrency())
    # Biggest configs first (spines: most sessions, longest apply): the lab converges when they are up,
    # and longest-first keeps one big node from finishing alone at the end.
    order = sorted(twins, key=lambda t: -getattr(t, "config_size", 0))
    boots = [asyncio.ensure_future(_boot(t, sem)) for t in order]
    done = asyncio.gather(*boots)

    def booted(_f: Any) -> None:
        log.info("%d twin(s) booted after %.2fs", len(twins), time.monotonic() - t0)
        # the lab's readiness waits for this: before it, a twin's FRR may not hold its sessions yet
        (secrets / BOOTED).write_text(str(state.get("deploy_id", "")))

    done.add_done_callback(booted)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    for s in servers:
        s.close()
    for b in boots:
        b.cancel()
    lldpwatch.stop_all()
    for t in twins:
        save = getattr(t, "save", None)
        if save:
            save()  # pending timers keep their absolute deadline on disk
    return 0
