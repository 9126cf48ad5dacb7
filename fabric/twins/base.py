"""Base class of a device twin: one vendor node's management plane."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from fabric import vendors
from fabric.twins.frr import Frr, run

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    import asyncssh

    from fabric.twins.http import Handler


class DeviceTwin:
    """Subclasses implement ``boot`` and the vendor protocols they serve."""

    platform: ClassVar[str] = ""

    @property
    def services(self) -> dict[str, int]:
        """TCP services this twin serves on its mgmt IP, name -> port: the vendor's ``twin_services``
        (one source for the twin server, which binds them, and the lab, which waits for them)."""
        return {s.name: s.port for s in vendors.get(self.platform).twin_services}

    def __init__(self, name: str, node: dict[str, Any], lab: dict[str, Any]) -> None:
        self.name = name
        self.node = node
        self.lab = lab
        node_dir = Path(node.get("node_dir") or Path(lab.get("lab_dir", ".")) / name)
        self.node_dir = node_dir
        self.state_dir = node_dir / "twin"
        self.netns: str | None = node.get("netns")
        self.mgmt_ip: str = node.get("mgmt_ipv4") or "127.0.0.1"
        self.username: str = node.get("username") or "admin"
        self.password: str = node.get("password") or "admin"
        self.lldpd_socket: str = node.get("lldpd_socket") or str(node_dir / "lldpd.sock")
        self.frr = Frr(node.get("frr_pathspace"), self.netns, self.state_dir)
        self.boot_time = time.time()
        self._background: set[asyncio.Future[None]] = set()
        self._fresh = False  # FRR holds nothing of this node's config yet (set by load at a device boot)
        self._apply_lock = asyncio.Lock()

    @classmethod
    def boot_frr_config(cls, startup_config: str, kind: str = "") -> str | None:
        """The FRR config a device with this startup-config runs, for the lab to start the node's
        daemons with (then boot need not push it again); ``kind``: the node's containerlab kind, where it
        decides the Linux interface names. None: start FRR empty, boot applies it."""
        return None

    # ---- helpers the vendor twins share -----------------------------------------------------
    def deployment(self) -> str:
        """This deployment of the node: the lab's deploy id and the namespace's inode (an inode alone is
        reused by the kernel, so a redeploy could look like a twin restart and keep the old config)."""
        deploy_id = str(self.lab.get("deploy_id", ""))
        try:
            st = os.stat(f"/run/netns/{self.netns}") if self.netns else None
        except OSError:
            return ""
        return f"{deploy_id}:{st.st_dev}:{st.st_ino}" if st else deploy_id

    def restarted(self, restore: Callable[[], bool]) -> bool:
        """True when this is a restart of the twin server alone (same deployment) and ``restore`` loaded
        the saved datastores: the node keeps its committed configuration, its rollback points and a
        pending confirmed commit, and FRR kept running it. Otherwise the device boots (``_fresh``): a new
        deployment starts from the topology's startup-config, as containerlab does."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        marker = self.state_dir / "deployment"
        deployment = self.deployment()
        same = marker.exists() and marker.read_text() == deployment
        marker.write_text(deployment)
        if same and restore():
            return True
        self._fresh = True
        return False

    def startup_text(self, default: str) -> str:
        """The topology's startup-config (a file, or the text itself), else ``default``."""
        src = self.node.get("startup_config")
        if not src:
            return default
        return Path(src).read_text() if "\n" not in str(src) and Path(src).exists() else str(src)

    def spawn(self, coro: Any) -> None:
        """Run ``coro`` in the background, referenced until it ends (asyncio keeps only weak refs)."""
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def apply_or_restore(self, apply: Callable[[Any], Awaitable[None]], new: Any,
                               previous: Callable[[], Any] | None, refused: type[Exception]) -> None:
        """``apply(new)`` under the twin's apply lock; when it raises ``refused`` (the vendor's commit
        error), ``apply(previous())`` puts back what the control plane ran before (twin contract: a
        commit is atomic) and the error goes to the client."""
        async with self._apply_lock:
            try:
                await apply(new)
            except refused:
                if previous is not None and not self._fresh:
                    try:
                        await apply(previous())
                    except refused:
                        log.error("%s: restoring the last applied configuration failed too", self.name)
                raise
            finally:
                self._fresh = False

    async def push_frr(self, links: dict[str, tuple[int, bool]], frr_config: str, *, fresh: bool,
                       loopbacks: frozenset[str] = frozenset()) -> str | None:
        """Kernel links, forwarding, then FRR (``fresh``: FRR holds nothing yet: one ``vtysh -f``, or
        nothing when the lab started it with this config; else frr-reload, verified). None when FRR took
        it, else what FRR said (the caller turns it into its vendor's commit error)."""
        await self.frr.set_links(links, fresh=fresh, loopbacks=loopbacks)
        await self.frr.sysctl_forwarding(True)
        if fresh and self.frr.started_with(frr_config):
            return None
        ok, detail = await (self.frr.load_fresh if fresh else self.frr.reload)(frr_config)
        if ok:
            return None
        log.error("%s: FRR did not take the configuration: %s", self.name, detail.strip()[-300:])
        return (detail.strip().splitlines() or [""])[-1][:200]

    async def lldp_identity(self, hostname: str, description: str, ports: list[tuple[str, str, str]]) -> None:
        """lldpd advertises the NOS's identity: host name, system description and, per Linux port, the
        NOS's port id and description (``ports``: (linux, port id, description)). One lldpcli reading
        its commands from stdin; skipped while lldpd is not up yet (never holds a boot or a commit)."""
        if not os.path.exists(self.lldpd_socket):
            return

        def q(v: str) -> str:
            return '"' + v.replace("\\", "").replace('"', "") + '"'

        cmds = [f"configure system hostname {q(hostname)}", f"configure system description {q(description)}"]
        for linux, port, desc in ports:
            extra = f" description {q(desc)}" if desc else ""
            cmds.append(f"configure ports {linux} lldp portidsubtype local {port}{extra}")
        await run("lldpcli", "-u", self.lldpd_socket, stdin=("\n".join(cmds) + "\n").encode(), timeout=10)

    async def serve_session(self, run: Callable[[], Awaitable[None]], end: Callable[[], None], process: Any,
                            what: str) -> None:
        """One management session (CLI or NETCONF) to its end: a dropped connection is routine, any other
        error is logged with its traceback; ``end`` (the session's locks, candidates, registration) and
        the SSH process exit always run."""
        import asyncssh

        try:
            await run()
        except (asyncssh.Error, ConnectionError, BrokenPipeError) as e:
            log.debug("%s twin %s: %s session ended: %s", self.platform, self.name, what, e)
        except Exception:
            log.exception("%s twin %s: %s session failed", self.platform, self.name, what)
        finally:
            end()
            with contextlib.suppress(OSError, asyncssh.Error):
                process.exit(0)

    def check_credentials(self, username: str, password: str) -> bool:
        import hmac

        return hmac.compare_digest(username.encode(), self.username.encode()) and hmac.compare_digest(
            password.encode(), self.password.encode()
        )

    async def boot(self) -> None:
        """Load state and apply it (``load`` then ``apply_boot``)."""
        self.load()
        await self.apply_boot()

    def load(self) -> None:  # pragma: no cover - abstract
        """Cheap, synchronous: read/persist state in ``self.state_dir``; the node serves right after."""
        raise NotImplementedError

    async def apply_boot(self) -> None:  # pragma: no cover - abstract
        """Expensive: apply the loaded configuration to FRR/kernel (run in the background, bounded)."""
        raise NotImplementedError

    # ---- protocol hooks used by fabric/twins/server.py ---------------------------
    async def ssh_shell(self, process: asyncssh.SSHServerProcess) -> None:  # type: ignore[type-arg]
        """Interactive CLI (and ``ssh host cmd``) on port ``services['ssh']``."""
        process.exit(1)

    def http_handler(self) -> Handler | None:
        """Handler for ``services['http'/'https']`` (eAPI, RESTCONF, gNMI-over-HTTP ...)."""
        return None

    async def netconf_session(self, process: asyncssh.SSHServerProcess) -> None:  # type: ignore[type-arg]
        """NETCONF 1.0/1.1 framing over the ``netconf`` SSH subsystem on ``services['netconf']``.

        The process streams are bytes (no encoding): 1.1 chunks count octets and may split a character."""
        process.exit(1)
