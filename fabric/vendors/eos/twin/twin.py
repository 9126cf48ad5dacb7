"""The Arista EOS twin: CLI/eAPI command semantics, config sessions, commit timers."""

from __future__ import annotations

import asyncio
import difflib
import hashlib
import json
import logging
import os
import re
import time
from pathlib import Path
from typing import Any

from fabric.twins.base import DeviceTwin
from fabric.twins.frr import run
from fabric.vendors.eos.twin import counters, features, routing, show, system, tables
from fabric.vendors.eos.twin.cli import run_shell
from fabric.vendors.eos.twin.config import ConfigError, EosConfig, prompt_suffix
from fabric.vendors.eos.twin.eapi import make_handler
from fabric.vendors.eos.twin.model import Device, kernel_links, parse, to_frr
from fabric.vendors.eos.twin.names import to_eos
from fabric.vendors.eos.twin.session import ApplyError, CommandError, Context, Session, _sanitize, invalid

log = logging.getLogger(__name__)


class EosTwin(DeviceTwin):
    platform = "eos"

    def __init__(self, name: str, node: dict[str, Any], lab: dict[str, Any]) -> None:
        super().__init__(name, node, lab)
        self.running = EosConfig()
        self.sessions: dict[str, Session] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._lock = asyncio.Lock()
        self._bg: set[asyncio.Future[None]] = set()
        self._device_cache: tuple[str, Device] | None = None
        self.serial = hashlib.sha1(name.encode()).hexdigest()[:12].upper()
        self.netns_id = ""
        self._fresh = False
        self.system_mac = ""
        self._frr_wanted = 0  # apply requests so far
        self._frr_done = 0  # the request the last FRR apply covered
        # The running-config FRR last took.  A commit whose FRR apply fails goes back to it, so the
        # running-config never claims what the control plane does not run (twin contract: atomic commit).
        self._applied: str | None = None

    # ---- protocol hooks -------------------------------------------------------
    async def ssh_shell(self, process: Any) -> None:
        await run_shell(self, process)

    def http_handler(self) -> Any:
        return make_handler(self)

    # ---- persistence ------------------------------------------------------
    def _f(self, name: str) -> Path:
        return self.state_dir / name

    def flash(self, name: str) -> Path:
        return self.state_dir / "flash" / name

    def save(self) -> None:
        self._write(self._f("running-config"), self.running.to_text())
        data = {
            "sessions": {k: v.to_json() for k, v in self.sessions.items()},
            "boot_time": self.boot_time,
            "netns_id": self.netns_id,
        }
        self._write(self._f("sessions.json"), json.dumps(data, indent=1))

    @staticmethod
    def _write(path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text)
        tmp.replace(path)  # atomic: a crash never leaves half a config

    def _netns_id(self) -> str:
        """This deployment of the node: the lab's deploy id (a namespace's inode number alone is reused
        by the kernel, so a redeploy could look like a twin restart and keep the old running-config)."""
        try:
            st = os.stat(f"/run/netns/{self.netns}") if self.netns else None
        except OSError:
            return ""
        return f"{self.lab.get('deploy_id', '')}:{st.st_dev}:{st.st_ino}" if st else ""

    def load(self) -> None:
        """The cheap half of a boot: state files only, so the node can serve at once."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        (self.state_dir / "flash").mkdir(exist_ok=True)
        startup = self._f("startup-config")
        sess_file = self._f("sessions.json")
        saved = json.loads(sess_file.read_text()) if sess_file.exists() else {}
        self.netns_id = self._netns_id()
        # A new deployment (new namespace) is a device boot: running-config comes from the
        # topology's startup-config and sessions/timers do not survive.  A restart of the
        # twin server alone (same namespace) keeps everything.
        self._fresh = saved.get("netns_id") != self.netns_id
        if self._fresh:
            for f in ("running-config", "sessions.json"):
                self._f(f).unlink(missing_ok=True)
            if self.node.get("startup_config"):
                startup.unlink(missing_ok=True)
        if not startup.exists():
            src = self.node.get("startup_config")
            text = Path(src).read_text() if src and Path(src).exists() else f"hostname {self.name}\n"
            self._write(startup, EosConfig.from_text(text).to_text())
        run_file = self._f("running-config")
        self.running = EosConfig.from_text((run_file if run_file.exists() else startup).read_text())
        if sess_file.exists():
            data = json.loads(sess_file.read_text())
            self.sessions = {k: Session(**v) for k, v in data.get("sessions", {}).items()}
            self.boot_time = float(data.get("boot_time", self.boot_time))
        self.save()

    @property
    def config_size(self) -> int:
        """Rough cost of applying the config (lines), for boot scheduling."""
        return sum(1 + len(n.children) for n in self.running.root.children)

    async def apply_boot(self) -> None:
        """The expensive half: running-config -> FRR and kernel, then pending commit timers."""
        try:
            await self.apply_running(fresh=self._fresh)
        except ApplyError as e:  # a device boots with a bad startup-config too; its log says so
            log.error("%s: startup-config not applied to FRR: %s", self.name, e)
        self._fresh = False
        for s in self.sessions.values():
            if s.state == "pendingCommitTimer" and s.commit_deadline:
                self._arm_timer(s)

    # ---- config -> FRR/kernel ----------------------------------------------
    def device(self) -> Device:
        text = self.running.to_text()
        if self._device_cache is None or self._device_cache[0] != text:
            self._device_cache = (text, parse(self.running))
        return self._device_cache[1]

    def structured(self) -> Any:
        """The running-config as the fabric's vendor-neutral ``StructuredConfig`` (see eos/structured.py)."""
        from fabric.vendors.eos.twin.structured import parse_eos

        return parse_eos(self.running)

    @property
    def hostname(self) -> str:
        return self.device().hostname

    async def apply_running(self, fresh: bool = False, frr_in_background: bool = False) -> None:
        """Make FRR and the kernel match the running-config (``fresh``: FRR holds no config yet).

        ``frr_in_background``: return once the kernel (MTU, admin state, forwarding) matches; FRR
        follows in a background task that applies whatever is running by then (several quick
        changes coalesce into one reload).
        """
        self._frr_wanted += 1
        async with self._lock:
            dev = self.device()
            await self.frr.set_links(kernel_links(dev), fresh=fresh)
            await self.frr.sysctl_forwarding(dev.ip_routing)
            if not frr_in_background:
                await self._apply_frr(fresh)
        if frr_in_background:
            self._spawn(self._apply_frr_later(self._frr_wanted))
        # lldpd may still be starting: never hold boot or a commit on it.
        self._spawn(self._lldp_identity(dev))

    @classmethod
    def boot_frr_config(cls, startup_config: str, kind: str = "") -> str | None:
        # The same text load() + apply_running() derive from the startup-config at boot.
        return to_frr(parse(EosConfig.from_text(EosConfig.from_text(startup_config).to_text())))

    async def _apply_frr(self, fresh: bool = False) -> None:
        """Under ``self._lock``: push the running-config's FRR translation; ApplyError if FRR refused it."""
        self._frr_done = self._frr_wanted
        text = self.running.to_text()
        target = to_frr(self.device())
        if fresh and self.frr.started_with(target):
            # The lab started the daemons with it (boot_frr_config): nothing to push.
            log.info("%s: FRR started with the startup-config's translation", self.name)
            self._applied = text
            return
        ok, detail = await (self.frr.load_fresh if fresh else self.frr.reload)(target)
        if not ok:
            log.error("%s: FRR did not take the configuration: %s", self.name, detail.strip()[-300:])
            raise ApplyError(_last_line(detail) or "the control plane rejected the configuration")
        self._applied = text

    async def _apply_frr_later(self, generation: int) -> None:
        try:
            async with self._lock:
                if self._frr_done < generation:  # not yet covered by a later apply
                    await self._apply_frr()
        except ApplyError:
            # Nobody waits for this answer (SSH CLI config mode): go back to what FRR runs.
            await self._revert_to_applied()

    async def _revert_to_applied(self) -> None:
        """After a failed apply: running-config (and kernel/FRR) back to what the control plane last took."""
        if self._applied is None:
            return
        self.running = EosConfig.from_text(self._applied)
        self.save()
        try:
            await self.apply_running()
        except ApplyError:
            log.error("%s: restoring the last applied configuration failed too", self.name)

    async def commit_running(self, text: str) -> None:
        """Make ``text`` the running-config atomically: FRR and the kernel take it, or nothing changes
        and the client gets EOS's error (a commit never reports success for a change FRR refused)."""
        self.running = EosConfig.from_text(text)
        await self._apply_or_fail()

    async def _apply_or_fail(self) -> None:
        try:
            await self.apply_running()
        except ApplyError as e:
            await self._revert_to_applied()
            raise CommandError(f"Error: configuration could not be applied: {e}") from None

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._bg.add(task)
        task.add_done_callback(self._bg.discard)

    async def _lldp_identity(self, dev: Device) -> None:
        """Make lldpd advertise what an EOS box does: its hostname and EthernetN port ids."""
        if not os.path.exists(self.lldpd_socket):
            return
        desc = f"Arista Networks EOS version {show.EOS_VERSION} running on an Arista cEOSLab"
        cmds = [
            f"configure system hostname {_lldp_quote(dev.hostname)}",
            f"configure system description {_lldp_quote(desc)}",
        ]
        for linux in self.node.get("interfaces", []):
            eos = to_eos(linux)
            if eos and eos.startswith("Ethernet"):
                itf = dev.interfaces.get(eos)
                extra = f" description {_lldp_quote(itf.description)}" if itf and itf.description else ""
                cmds.append(f"configure ports {linux} lldp portidsubtype local {eos}{extra}")
        # One lldpcli reading its commands from stdin, not one process per command.
        await run("lldpcli", "-u", self.lldpd_socket, stdin=("\n".join(cmds) + "\n").encode(), timeout=10)

    # ---- sessions / commit timers --------------------------------------------
    def _arm_timer(self, s: Session) -> None:
        loop = asyncio.get_running_loop()
        delay = max(0.0, (s.commit_deadline or 0) - time.time())
        self._cancel_timer(s.name)
        self._timers[s.name] = loop.call_later(delay, lambda: asyncio.ensure_future(self._expire(s.name)))

    def _cancel_timer(self, name: str) -> None:
        h = self._timers.pop(name, None)
        if h:
            h.cancel()

    async def _expire(self, name: str) -> None:
        s = self.sessions.get(name)
        self._timers.pop(name, None)
        if s is None or s.state != "pendingCommitTimer":
            return
        log.info("%s: commit timer of session %s expired, reverting", self.name, name)
        s.state = "aborted"
        s.commit_deadline = None
        try:
            await self.commit_running(s.pre_commit or "")
        except CommandError as e:
            log.error("%s: the commit timer's revert failed: %s", self.name, e.message)
        self.save()

    def pending_timer(self) -> Session | None:
        for s in self.sessions.values():
            if s.state == "pendingCommitTimer":
                return s
        return None

    async def commit_session(self, name: str, timer: str | None = None) -> None:
        s = self.sessions.get(name)
        if s is None:
            raise CommandError(f"Cannot commit session {name}: session does not exist")
        if s.state == "pendingCommitTimer":
            if timer is None:  # confirmation of a timed commit: keep what is running
                self._cancel_timer(name)
                s.state, s.commit_deadline, s.completed_time = "completed", None, time.time()
                self.save()
                return
        elif s.state != "pending":
            raise CommandError(f"Cannot commit session {name}: session is {s.state}")
        pre = self.running.to_text()
        await self.commit_running(s.text)  # raises (session still pending, nothing changed) if FRR refuses
        if timer:
            hh, mm, ss = (int(x) for x in timer.split(":"))
            s.state, s.pre_commit = "pendingCommitTimer", pre
            s.commit_deadline = time.time() + hh * 3600 + mm * 60 + ss
            self._arm_timer(s)
        else:
            s.state, s.completed_time = "completed", time.time()
        self._prune()
        self.save()

    def _prune(self) -> None:
        done = [k for k, v in self.sessions.items() if v.state in ("completed", "aborted")]
        for k in done[:-1]:  # EOS keeps one saved completed session (maxSavedSessions 1)
            del self.sessions[k]

    def abort_session(self, name: str) -> bool:
        """Abort a session; returns True when running-config must be reverted and re-applied."""
        s = self.sessions.get(name)
        if s is None:
            return False
        revert = False
        if s.state == "pendingCommitTimer":
            self._cancel_timer(name)
            self.running = EosConfig.from_text(s.pre_commit or "")
            revert = True
        del self.sessions[name]
        self.save()
        return revert

    def session_diff(self, name: str) -> str:
        s = self.sessions[name]
        a = self.running.to_text().splitlines()
        b = EosConfig.from_text(s.text).to_text().splitlines()
        diff = difflib.unified_diff(
            a, b, "system:/running-config", f"session:/{name}-session-config", lineterm="", n=3
        )
        return "\n".join(diff) + "\n"

    def header(self, what: str) -> str:
        return (
            f"! Command: show {what}\n! device: {self.hostname} (cEOSLab, EOS-{show.EOS_VERSION})\n!\n"
            f"! boot system flash:/cEOS-lab.swi\n!\n"
        )

    # ---- the command interpreter ----------------------------------------------
    def prompt(self, ctx: Context) -> str:
        host = self.hostname
        if ctx.config is not None:
            mode = prompt_suffix(ctx.config.mode_lines)
            base = f"config-s-{ctx.session[:6]}" if ctx.session else "config"
            return f"{host}({base}{mode})#"
        return f"{host}{'#' if ctx.privileged else '>'}"

    async def finish(self, ctx: Context) -> None:
        """End of an eAPI request / leaving config mode: push edits to FRR (a refused apply goes back to
        the last applied config and, where a client waits for the answer, raises EOS's error)."""
        if ctx.dirty:
            ctx.dirty = False
            if ctx.cli:
                self.save()
                await self.apply_running(frr_in_background=True)
            else:
                await self._apply_or_fail()
                self.save()

    async def execute(self, ctx: Context, cmd: str, fmt: str = "text") -> Any:
        """Run one command; returns dict (json) or str (text); raises CommandError."""
        cmd = " ".join(cmd.strip().split())
        if not cmd or cmd.startswith("!"):
            return {} if fmt == "json" else ""
        pipe = None
        if " | " in cmd:
            cmd, pipe = (x.strip() for x in cmd.split(" | ", 1))
        if pipe == "json":
            fmt = "json"
        # a text filter (| include, | section...) works on the text form, whatever the format asked
        res = await self._dispatch(ctx, cmd, "text" if pipe and pipe != "json" else fmt)
        if isinstance(res, str) and pipe and pipe != "json":
            res = _filter(res, pipe)
        if fmt == "json" and isinstance(res, str):
            return {"output": res} if res else {}
        if fmt == "text" and isinstance(res, dict):
            return res.get("output", "")
        return res

    async def _dispatch(self, ctx: Context, cmd: str, fmt: str) -> Any:
        low = cmd.lower()
        if low == "enable":
            ctx.privileged = True
            return ""
        if low == "disable":
            ctx.privileged = False
            return ""
        if m := re.fullmatch(r"terminal length (\d+)", low):
            return "Pagination disabled." if m.group(1) == "0" else ""
        if m := re.fullmatch(r"terminal width (\d+)", low):
            return f"Width set to {m.group(1)} columns."
        if low.startswith("terminal "):
            return ""
        if low.startswith("show "):
            return await self._show(ctx, cmd, fmt)
        if ctx.in_config:
            return await self._config_cmd(ctx, cmd)
        for rx, handler in _EXEC:
            if m := rx.fullmatch(cmd):
                return await handler(self, m, fmt)
        if not ctx.privileged:
            raise invalid(cmd)
        return await self._exec(ctx, cmd)

    async def _exec(self, ctx: Context, cmd: str) -> Any:
        low = cmd.lower()
        if low in ("configure", "configure terminal", "config", "conf t"):
            ctx.config, ctx.session = self.running, None
            ctx.config.path = []
            return ""
        if m := re.fullmatch(
            r"configure session(?: (\S+))?(?: (commit|abort|commit timer (\d+:\d\d:\d\d)))?", cmd
        ):
            name = m.group(1) or f"session{int(time.time() * 1000) % 10**9}"
            action = m.group(2)
            if action is None:
                s = self.sessions.get(name)
                if s is None or s.state != "pending":
                    if s is not None and s.state != "pending":
                        raise CommandError(f"Cannot enter session {name} (session is {s.state})")
                    if (p := self.pending_timer()) is not None:
                        raise CommandError(
                            f"Cannot enter session: session {p.name} has a pending commit timer"
                        )
                    s = Session(name=name, text=self.running.to_text())
                    self.sessions[name] = s
                    self.save()
                ctx.config, ctx.session = EosConfig.from_text(s.text), name
                return ""
            if action == "abort":
                if self.abort_session(name):
                    await self._apply_or_fail()
                return ""
            await self.commit_session(name, m.group(3))
            return ""
        if low in ("copy running-config startup-config", "write memory", "write"):
            self._write(self._f("startup-config"), self.running.to_text())
            return "Copy completed successfully." if low.startswith("copy") else ""
        if m := re.fullmatch(r"copy (\S+) (\S+)", cmd):
            text = self._read_src(m.group(1))
            dst = m.group(2)
            if dst == "startup-config":
                self._write(self._f("startup-config"), text)
            elif dst.startswith("flash:"):
                self._write(self.flash(dst[6:].lstrip("/")), text)
            elif dst == "running-config":  # merge, as on EOS
                cfg = EosConfig.from_text(self.running.to_text())
                for line in text.splitlines():
                    cfg.apply_line(line, indented=True)
                await self.commit_running(cfg.to_text())
                self.save()
            else:
                raise CommandError(f"Invalid destination {dst}")
            return "Copy completed successfully."
        if m := re.fullmatch(r"configure replace (\S+)(?: force)?", cmd):
            await self.commit_running(self._read_src(m.group(1)))
            self.save()
            return ""
        if m := re.fullmatch(r"bash timeout \d+ (.*)", cmd):
            return self._bash(m.group(1))
        if low in ("exit", "logout", "quit", "end"):
            return ""
        raise invalid(cmd)

    def _read_src(self, src: str) -> str:
        if src == "running-config":
            return self.running.to_text()
        if src == "startup-config":
            return self._f("startup-config").read_text()
        if src == "clean-config":
            return ""
        if src.startswith("flash:"):
            p = self.flash(src[6:].lstrip("/"))
            if p.exists():
                return p.read_text()
            raise CommandError(f"Error copying {src}: No such file or directory")
        raise CommandError(f"Invalid source {src}")

    def _bash(self, line: str) -> str:
        return system.bash(self, line)

    async def _config_cmd(self, ctx: Context, cmd: str) -> Any:
        assert ctx.config is not None
        low = cmd.lower()
        if low == "end" or (low == "exit" and not ctx.config.path):
            await self._leave_config(ctx)
            return ""
        if re.match(r"(configure|config)( |$)", low) and not low.startswith("configure replace"):
            # EOS lets you switch session/terminal straight from config mode.
            await self._leave_config(ctx)
            return await self._exec(ctx, cmd)
        if re.match(r"(write|copy) ", low + " "):
            return await self._exec(ctx, cmd)
        if ctx.session:
            s = self.sessions.get(ctx.session)
            if s is None:
                raise CommandError(f"Session {ctx.session} no longer exists")
            if low == "rollback clean-config":
                ctx.config = EosConfig()
                s.text = ""
                return ""
            if low == "abort":
                name = ctx.session
                ctx.config, ctx.session = None, None
                if self.abort_session(name):
                    await self._apply_or_fail()
                return ""
            if m := re.fullmatch(r"commit(?: timer (\d+:\d\d:\d\d))?", low):
                s.text = ctx.config.to_text()
                name = ctx.session
                ctx.config, ctx.session = None, None
                await self.commit_session(name, m.group(1))
                return ""
        elif re.fullmatch(r"rollback clean-config|commit.*|abort", low):
            raise CommandError("Command not available outside a configuration session")
        if low.startswith("hostname") and len(cmd.split()) != 2:
            raise CommandError("Incomplete command")
        if low.startswith("do "):
            return await self._dispatch(Context(privileged=True), cmd[3:], "text")
        try:
            ctx.config.apply_line(cmd)
        except ConfigError as e:
            raise CommandError(str(e)) from None
        if ctx.session:
            self.sessions[ctx.session].text = ctx.config.to_text()
            self.save()
        else:
            ctx.dirty = True
        return ""

    async def _leave_config(self, ctx: Context) -> None:
        if ctx.session and ctx.config is not None and ctx.session in self.sessions:
            self.sessions[ctx.session].text = ctx.config.to_text()
            self.save()
        if ctx.config is not None:
            ctx.config.path = []
        ctx.config, ctx.session = None, None
        await self.finish(ctx)

    # ---- show ----------------------------------------------------------------
    async def _show(self, ctx: Context, cmd: str, fmt: str) -> Any:
        c = cmd[5:].strip()
        low = c.lower()
        if low == "version":
            v = await show.show_version(self)
            return v if fmt == "json" else _text_version(v)
        if low == "hostname":
            h = show.show_hostname(self)
            return h if fmt == "json" else f"Hostname: {h['hostname']}\nFQDN:     {h['fqdn']}\n"
        if m := re.fullmatch(r"running-config(?: (all))?(?: (sanitized))?", low):
            text = self.header("running-config") + self.running.to_text()
            text = _sanitize(text) if m.group(2) else text
            return system.config_json(text) if fmt == "json" else text
        if low == "startup-config":
            return self.header("startup-config") + self._f("startup-config").read_text()
        if m := re.fullmatch(r"session-config(?: named (\S+))?( diffs)?(?: sanitized)?", c):
            name = m.group(1) or ctx.session
            if not name or name not in self.sessions:
                raise CommandError(f"Session {name} does not exist")
            if ctx.session == name and ctx.config is not None:
                self.sessions[name].text = ctx.config.to_text()
            if m.group(2):
                return self.session_diff(name)
            return self.header("session-config") + EosConfig.from_text(self.sessions[name].text).to_text()
        if m := re.fullmatch(r"configuration sessions( detail)?", low):
            return self._sessions_json() if fmt == "json" else self._sessions_text()
        if low == "interfaces":
            return (
                await show.show_interfaces(self)
                if fmt == "json"
                else _text_interfaces(await show.show_interfaces(self))
            )
        if low == "ip interface":
            d = await show.show_ip_interface(self)
            return d if fmt == "json" else _text_ip_interface(d)
        if low == "ip interface brief":
            d = await show.show_ip_interface(self)
            return d if fmt == "json" else _text_ip_interface_brief(d)
        if low in ("ipv6 interface", "ipv6 interface brief"):
            # The twin configures no IPv6: EOS answers this way then (NAPALM get_interfaces_ip knows it).
            raise CommandError("No IPv6 configured interfaces", code=1000)
        if low == "interfaces status":
            d = await show.show_interfaces_status(self)
            return d if fmt == "json" else _text_if_status(d)
        if low == "lldp neighbors":
            d = await show.show_lldp_neighbors(self)
            return d if fmt == "json" else _text_lldp(d)
        if low.startswith("lldp neighbors") and low.endswith("detail"):
            return await show.show_lldp_neighbors_detail(self)
        if m := re.fullmatch(r"ip(v6)? bgp summary(?: vrf (\S+))?", low):
            d = await show.show_bgp_summary(self, "ipv6" if m.group(1) else "ipv4")
            d = _vrf_filter(d, m.group(2))
            return d if fmt == "json" else _text_bgp_summary(d)
        if m := re.fullmatch(
            r"ip bgp neighbors(?: (\S+))?(?: vrf (\S+))?|ipv6 bgp peers(?: (\S+))?(?: vrf (\S+))?", low
        ):
            afi = "ipv6" if low.startswith("ipv6") else "ipv4"
            d = _vrf_filter(await show.show_bgp_neighbors(self, afi), m.group(2) or m.group(4))
            peer = m.group(1) or m.group(3)
            if peer and peer != "vrf":
                for v in d["vrfs"].values():
                    v["peerList"] = [p for p in v["peerList"] if p["peerAddress"] == peer]
            return d if fmt == "json" else _text_bgp_neighbors(d)
        if low == "ip ospf neighbor":
            d = await show.show_ospf_neighbor(self)
            return d if fmt == "json" else _text_ospf(d)
        if low == "isis neighbors":
            d = await show.show_isis_neighbors(self)
            return d if fmt == "json" else _text_isis(d)
        if low == "users accounts":
            return {
                "users": {
                    u: {
                        "username": u,
                        "privLevel": 15,
                        "role": "network-admin",
                        "sshAuthorizedKey": "",
                        "nopassword": False,
                    }
                    for u in self.device().users
                }
            }
        if low == "management api http-commands":
            return {
                "enabled": True,
                "httpServer": {"configured": True, "running": True, "port": 80},
                "httpsServer": {"configured": True, "running": True, "port": 443},
            }
        for rx, handler in _SHOW:
            if m := rx.fullmatch(c):
                return await handler(self, m, fmt)
        raise invalid(cmd)

    def _sessions_json(self) -> dict[str, Any]:
        uptime_now = time.time() - self.boot_time
        out: dict[str, Any] = {}
        res: dict[str, Any] = {
            "maxSavedSessions": 1,
            "maxOpenSessions": 5,
            "mergeOnCommit": False,
            "sessions": out,
        }
        for s in self.sessions.values():
            d: dict[str, Any] = {"state": s.state, "instances": {}, "description": ""}
            if s.completed_time:
                d["completedTime"] = s.completed_time
            if s.state == "pendingCommitTimer" and s.commit_deadline:
                # EOS reports commitBy relative to the switch uptime.
                d["commitBy"] = uptime_now + (s.commit_deadline - time.time())
            out[s.name] = d
        return res

    def _sessions_text(self) -> str:
        lines = [
            "Maximum number of completed sessions: 1",
            "Maximum number of pending sessions: 5",
            "",
            "  Name                 State                      User    Terminal",
            "  -------------------- -------------------------- ------- --------",
        ]
        for s in self.sessions.values():
            lines.append(f"  {s.name:<20} {s.state:<26}")
        return "\n".join(lines) + "\n"




def _lldp_quote(s: str) -> str:
    return '"' + s.replace("\\", "").replace('"', "") + '"'


def _vrf_filter(d: dict[str, Any], vrf: str | None) -> dict[str, Any]:
    if vrf in (None, "all"):
        return d
    return {"vrfs": {k: v for k, v in d["vrfs"].items() if k == vrf}}


def _filter(text: str, pipe: str) -> str:
    if m := re.fullmatch(r"(head|tail)(?: -n)?(?: (\d+))?", pipe):  # EOS's head/tail: 10 lines unless told
        n = int(m.group(2) or 10)
        lines = text.splitlines()
        out = lines[:n] if m.group(1) == "head" else lines[-n:] if n else []
        return "\n".join(out) + ("\n" if out else "")
    m = re.fullmatch(r"(include|grep|exclude|section|begin) (.+)", pipe)
    if not m:
        raise CommandError(f"Invalid input (at token 1: '{pipe}')")
    op, pat = m.group(1).replace("grep", "include"), m.group(2)  # EOS's grep is include's alias
    lines = text.splitlines()
    rx = re.compile(pat)
    if op == "include":
        out = [x for x in lines if rx.search(x)]
    elif op == "exclude":
        out = [x for x in lines if not rx.search(x)]
    elif op == "begin":
        idx = next((i for i, x in enumerate(lines) if rx.search(x)), len(lines))
        out = lines[idx:]
    else:
        out, keep = [], False
        for x in lines:
            if not x.startswith(" "):
                keep = bool(rx.search(x))
            if keep and x != "!":
                out.append(x)
    return "\n".join(out) + ("\n" if out else "")


def _text_version(v: dict[str, Any]) -> str:
    return (
        f"Arista {v['modelName']}\nHardware version: \nSerial number: {v['serialNumber']}\n"
        f"Hardware MAC address: {v['systemMacAddress']}\nSystem MAC address: {v['systemMacAddress']}\n\n"
        f"Software image version: {v['version']}\nArchitecture: {v['architecture']}\n"
        f"Internal build version: {v['internalVersion']}\n\nUptime: {int(v['uptime'])} seconds\n"
        f"Total memory: {v['memTotal']} kB\nFree memory: {v['memFree']} kB\n"
    )


def _text_interfaces(d: dict[str, Any]) -> str:
    out = []
    for n, e in d["interfaces"].items():
        out.append(
            f"{n} is {'up' if e['interfaceStatus'] == 'connected' else 'down'}, line protocol is "
            f"{e['lineProtocolStatus']}"
        )
        if e.get("physicalAddress"):
            out.append(f"  Hardware is Ethernet, address is {e['physicalAddress']}")
        if e.get("description"):
            out.append(f"  Description: {e['description']}")
        for a in e["interfaceAddress"]:
            out.append(f"  Internet address is {a['primaryIp']['address']}/{a['primaryIp']['maskLen']}")
        out.append(f"  IP MTU {e['mtu']} bytes")
    return "\n".join(out) + "\n"


def _text_ip_interface(d: dict[str, Any]) -> str:
    out = []
    for n, e in d["interfaces"].items():
        state = "administratively down" if not e["enabled"] else "down"
        state = "up" if e["interfaceStatus"] == "connected" else state
        out.append(f"{n} is {state}, line protocol is {e['lineProtocolStatus']} ({e['interfaceStatus']})")
        if e["description"]:
            out.append(f"  Description: {e['description']}")
        p = e["interfaceAddress"]["primaryIp"]
        if p["address"] != "0.0.0.0":
            out.append(f"  Internet address is {p['address']}/{p['maskLen']}")
            for s in e["interfaceAddress"]["secondaryIpsOrderedList"]:
                out.append(f"  Secondary address is {s['address']}/{s['maskLen']}")
            out.append(f"  Broadcast address is {e['interfaceAddress']['broadcastAddress']}")
        else:
            out.append("  No Internet protocol address assigned")
        if e["vrf"] != "default":
            out.append(f'  VPN Routing/Forwarding "{e["vrf"]}"')
        out += [
            "  IPv6 Interface Forwarding : None",
            "  Proxy-ARP is disabled",
            "  Local Proxy-ARP is disabled",
            "  Gratuitous ARP is ignored",
            f"  IP MTU {e['mtu']} bytes",
        ]
    return "\n".join(out) + "\n"


def _text_ip_interface_brief(d: dict[str, Any]) -> str:
    out = [
        "Interface         IP Address          Status     Protocol         MTU    Owner  ",
        "----------------- ------------------- ---------- ------------ ---------- -------",
    ]
    for n, e in d["interfaces"].items():
        p = e["interfaceAddress"]["primaryIp"]
        ip = f"{p['address']}/{p['maskLen']}" if p["address"] != "0.0.0.0" else "unassigned"
        status = "up" if e["interfaceStatus"] == "connected" else ("adm down" if not e["enabled"] else "down")
        out.append(f"{n:<17} {ip:<19} {status:<10} {e['lineProtocolStatus']:<12} {e['mtu']:>10}        ")
    return "\n".join(out) + "\n"


def _text_if_status(d: dict[str, Any]) -> str:
    out = ["Port       Name        Status       Vlan     Duplex Speed  Type         Flags Encapsulation"]
    for n, e in d["interfaceStatuses"].items():
        short = n.replace("Ethernet", "Et").replace("Management", "Ma")
        out.append(
            f"{short:<10} {e['description'][:11]:<11} {e['linkStatus']:<12} routed   full   1G     "
            f"{e['interfaceType']}"
        )
    return "\n".join(out) + "\n"


def _text_lldp(d: dict[str, Any]) -> str:
    out = [
        "Last table change time   : 0:00:00 ago",
        f"Number of table inserts  : {d['tablesInserts']}",
        "Number of table deletes  : 0",
        "Number of table drops    : 0",
        "Number of table age-outs : 0",
        "",
        "Port          Neighbor Device ID       Neighbor Port ID    TTL",
        "------------- ------------------------ ------------------- ---",
    ]
    for n in d["lldpNeighbors"]:
        out.append(
            f"{n['port'].replace('Ethernet', 'Et'):<13} {n['neighborDevice']:<24} "
            f"{n['neighborPort']:<19} {n['ttl']}"
        )
    return "\n".join(out) + "\n"


def _text_bgp_summary(d: dict[str, Any]) -> str:
    out = []
    for vrf, v in d["vrfs"].items():
        out.append(f"BGP summary information for VRF {vrf}")
        out.append(f"Router identifier {v['routerId']}, local AS number {v['asn']}")
        out.append("Neighbor Status Codes: m - Under maintenance")
        out.append(
            "  Neighbor         V  AS           MsgRcvd   MsgSent  InQ OutQ  Up/Down State   PfxRcd PfxAcc"
        )
        for ip, p in v["peers"].items():
            out.append(
                f"  {ip:<16} 4  {p['asn']:<12} {p['msgReceived']:>7} {p['msgSent']:>9} {0:>4} {0:>4} "
                f"{'':>8} {p['peerState']:<11} {p['prefixReceived']:>6} {p['prefixAccepted']:>6}"
            )
    return "\n".join(out) + "\n"


def _text_ospf(d: dict[str, Any]) -> str:
    out = [
        "Neighbor ID     Instance VRF      Pri State                  Dead Time   Address         Interface"
    ]
    for vrf, v in d["vrfs"].items():
        for inst, i in v["instList"].items():
            for e in i["ospfNeighborEntries"]:
                state = e["adjacencyState"].upper() + ("/" + e["drState"] if e["drState"] != "P2P" else "")
                dead = max(0, int(e["inactivity"] - time.time()))
                out.append(
                    f"{e['routerId']:<15} {inst:<8} {vrf:<8} {e['priority']:<3} {state:<22} "
                    f"00:00:{dead:02d}    {e['interfaceAddress']:<15} {e['interfaceName']}"
                )
    return "\n".join(out) + "\n"


def _text_isis(d: dict[str, Any]) -> str:
    out = [
        "Instance  VRF      System Id        Type Interface          SNPA              State Hold time   "
        "Circuit Id"
    ]
    for vrf, v in d["vrfs"].items():
        for inst, i in v["isisInstances"].items():
            for sysid, nb in i["neighbors"].items():
                for a in nb["adjacencies"]:
                    lvl = "L" + a["level"][-1]
                    out.append(
                        f"{inst:<9} {vrf:<8} {sysid:<16} {lvl:<4} {a['interfaceName']:<18} "
                        f"{a['snpa'] or 'P2P':<17} {a['state'].upper():<5} {a['details']['holdtime']:<11} 0"
                    )
    return "\n".join(out) + "\n"


def _text_bgp_neighbors(d: dict[str, Any]) -> str:
    out = []
    for vrf, v in d["vrfs"].items():
        for p in v["peerList"]:
            out.append(f"BGP neighbor is {p['peerAddress']}, remote AS {p['asn']}, {p['linkType']} link")
            if p.get("description"):
                out.append(f"  Description: {p['description']}")
            out.append(f"  BGP version 4, remote router ID {p['routerId']}, VRF {vrf}")
            out.append(f"  BGP state is {p['state']}")
            out.append(f"  Local AS is {p['localAsn']}, local router ID {p['localRouterId']}")
            out.append(f"Local TCP address is {p['updateSource']}, local port is {p['localPort']}")
            out.append(f"Remote TCP address is {p['peerAddress']}, remote port is {p['remotePort']}")
    return "\n".join(out) + "\n"


def _last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return lines[-1][:200] if lines else ""


# commands answered by the topic modules, tried in order after _show's own: keywords in any case (as the
# EOS CLI takes them), arguments (VRF names...) as typed
_SHOW = [(re.compile(rx.pattern, re.I), h) for rx, h in (
    *routing.COMMANDS, *counters.COMMANDS, *system.COMMANDS, *tables.COMMANDS, *features.COMMANDS)]
_EXEC = [(re.compile(rx.pattern, re.I), h) for rx, h in (*system.EXEC, *features.EXEC)]
