"""Parallel state collection with Nornir, one collector per platform.

Collectors register per platform (like Nornir connection plugins), so a new vendor
plugs in with ``@register_collector("junos")`` and a class that fills a
:class:`DeviceState`. A failure never escapes a host: it becomes ``DeviceState.error``
(whole device) or ``DeviceState.errors[section]`` (one section), with the password masked.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from fabric.credentials import mask
from fabric.state import normalise_eos, normalise_frr, normalise_napalm
from fabric.state.model import SECTIONS, DeviceState, FabricState, LldpNeighbor


@dataclass
class CollectOptions:
    num_workers: int = 32
    timeout: float = 15.0  # per connection / command
    retries: int = 1  # extra attempts after a connection failure
    retry_delay: float = 1.0
    sections: tuple[str, ...] = SECTIONS
    # EOS OSPF/IS-IS: "eapi" (JSON, text+TTP fallback through the NAPALM connection) or "scrapli" (SSH+TTP).
    cli_transport: str = "eapi"
    # Keep SSH connections (FRR) open for the next collection in this process.
    reuse_connections: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


class CollectorError(Exception):
    pass


class Collector:
    """Base class: subclasses implement :meth:`collect` and fill ``state`` section by section."""

    platforms: ClassVar[tuple[str, ...]] = ()

    def __init__(self, host: Any, nornir_config: Any, opts: CollectOptions) -> None:
        self.host = host
        self.config = nornir_config
        self.opts = opts

    def collect(self, state: DeviceState) -> None:
        raise NotImplementedError

    def section(self, state: DeviceState, name: str, fn: Callable[[], None]) -> None:
        """Run one section; a failure is recorded for that section only."""
        if name not in self.opts.sections:
            return
        try:
            fn()
        except Exception as exc:  # noqa: BLE001 - any parse/command failure is a per-section result
            state.errors[name] = _reason(exc, self.host)

    def close(self) -> None:
        pass


COLLECTORS: dict[str, type[Collector]] = {}


def register_collector(*platforms: str) -> Callable[[type[Collector]], type[Collector]]:
    def deco(cls: type[Collector]) -> type[Collector]:
        for p in platforms:
            COLLECTORS[p] = cls
        cls.platforms = tuple(platforms)
        return cls

    return deco


def _reason(exc: BaseException, host: Any) -> str:
    text = f"{exc.__class__.__name__}: {exc}" if str(exc) else exc.__class__.__name__
    secrets = [getattr(host, "password", None) or ""]
    return mask(text, secrets)[:500]


def platform_of(host: Any) -> str:
    return str(host.data.get("platform") or (host.data.get("intent") or {}).get("platform") or host.platform)


# --------------------------------------------------------------------------------------------- NAPALM
@register_collector("eos", "junos", "iosxr", "srlinux", "sros")
class NapalmCollector(Collector):
    """NAPALM getters; OSPF/IS-IS come from platform hooks (EOS: eAPI/TTP, NETCONF vendors: later)."""

    def collect(self, state: DeviceState) -> None:
        dev = self.host.get_connection("napalm", self.config)
        self.dev = dev

        def facts() -> None:
            state.facts = normalise_napalm.facts(dev.get_facts())

        def interfaces() -> None:
            try:
                ips = dev.get_interfaces_ip()
            except Exception as exc:  # noqa: BLE001 - admin/oper/MTU are still worth checking
                ips = self.addresses_fallback()
                if ips is None:
                    state.errors["addresses"] = _reason(exc, self.host)
            state.interfaces = normalise_napalm.interfaces(dev.get_interfaces(), ips)

        def lldp() -> None:
            native = self.lldp_native()
            if native is not None:
                state.lldp = native
                return
            try:
                detail = dev.get_lldp_neighbors_detail()
            except Exception:  # noqa: BLE001 - the detail parser is picky (capabilities); basic suffices
                detail = None
            state.lldp = normalise_napalm.lldp(None if detail else dev.get_lldp_neighbors(), detail)

        def bgp() -> None:
            if not self.bgp_native(state):
                state.bgp, state.bgp_router_id = normalise_napalm.bgp(dev.get_bgp_neighbors())

        self.section(state, "facts", facts)
        self.section(state, "interfaces", interfaces)
        self.section(state, "lldp", lldp)
        self.section(state, "bgp", bgp)
        self.section(state, "ospf", lambda: self.ospf(state))
        self.section(state, "isis", lambda: self.isis(state))

    # Hooks for platform specifics. NETCONF platforms implement these with ncclient RPCs.
    def addresses_fallback(self) -> dict[str, Any] | None:
        """Interface addresses in get_interfaces_ip's shape when that getter fails."""
        return None

    def lldp_native(self) -> list[LldpNeighbor] | None:
        """LLDP from the platform's own model (keeps port id *and* description); None: use NAPALM."""
        return None

    def bgp_native(self, state: DeviceState) -> bool:
        """Fill state.bgp from the platform's own model (FSM state, last error); False: use NAPALM."""
        return False

    def ospf(self, state: DeviceState) -> None:
        if self.wants("ospf"):
            raise CollectorError(
                f"OSPF neighbor collection is not implemented for {platform_of(self.host)} yet"
            )

    def isis(self, state: DeviceState) -> None:
        if self.wants("isis"):
            raise CollectorError(
                f"IS-IS adjacency collection is not implemented for {platform_of(self.host)} yet"
            )

    def wants(self, proto: str) -> bool:
        """Collect a protocol the intent runs; without intent (plain lab) collect everything."""
        intent = self.host.data.get("intent")
        return True if intent is None else bool(intent.get(proto))

    def netconf(self) -> Any:
        """ncclient manager for NETCONF platforms (iosxr/junos/sros): the hook for their IGP collectors."""
        return self.host.get_connection("netconf", self.config)


@register_collector("eos")
class EosCollector(NapalmCollector):
    """One eAPI request (runCmds) with every show command; NAPALM's getters only as the fallback."""

    def batch(self) -> dict[str, str]:
        cmds = {
            "version": "show version",
            "hostname": "show hostname",
            "interfaces": "show interfaces",
            "lldp": "show lldp neighbors detail",
            "bgp_summary": "show ip bgp summary vrf all",
            "bgp_neighbors": "show ip bgp neighbors vrf all",
        }
        if self.wants("ospf"):
            cmds["ospf"] = "show ip ospf neighbor"
        if self.wants("isis"):
            cmds["isis"] = "show isis neighbors"
        return cmds

    def collect(self, state: DeviceState) -> None:
        self.dev = self.host.get_connection("napalm", self.config)
        cmds = self.batch() if self.opts.cli_transport != "scrapli" else {}
        try:
            replies = dict(zip(cmds, self._eapi(list(cmds.values())), strict=True)) if cmds else None
        except Exception:  # noqa: BLE001 - an older EOS without one of the JSON models: per-getter path
            replies = None
        if replies is None:
            super().collect(state)
            return
        r = replies

        def bgp() -> None:
            state.bgp, state.bgp_router_id = normalise_eos.bgp(r["bgp_summary"], r["bgp_neighbors"])

        self.section(
            state, "facts", lambda: setattr(state, "facts", normalise_eos.facts(r["version"], r["hostname"]))
        )
        self.section(
            state,
            "interfaces",
            lambda: setattr(state, "interfaces", normalise_eos.interfaces(r["interfaces"])),
        )
        self.section(state, "lldp", lambda: setattr(state, "lldp", normalise_eos.lldp_detail(r["lldp"])))
        self.section(state, "bgp", bgp)
        if "ospf" in r:
            self.section(state, "ospf", lambda: setattr(state, "ospf", normalise_eos.ospf_json(r["ospf"])))
        if "isis" in r:
            self.section(state, "isis", lambda: setattr(state, "isis", normalise_eos.isis_json(r["isis"])))

    def _eapi(self, commands: list[str], encoding: str = "json") -> list[Any]:
        return list(self.dev._run_commands(commands, encoding=encoding))  # noqa: SLF001 - NAPALM's eAPI runner

    def _text(self, command: str) -> str:
        if self.opts.cli_transport == "scrapli":
            conn = self.host.get_connection("scrapli", self.config)
            return str(conn.send_command(command).result)
        return str(self.dev.cli([command])[command])

    def addresses_fallback(self) -> dict[str, Any] | None:
        try:
            return normalise_eos.addresses_from_show_interfaces(self._eapi(["show interfaces"])[0])
        except Exception:  # noqa: BLE001 - no fallback available
            return None

    def lldp_native(self) -> list[LldpNeighbor] | None:
        try:
            return normalise_eos.lldp_detail(self._eapi(["show lldp neighbors detail"])[0])
        except Exception:  # noqa: BLE001 - let NAPALM's getters try
            return None

    def bgp_native(self, state: DeviceState) -> bool:
        # The same replies NAPALM's get_bgp_neighbors reads, minus its IPv6 calls, plus the FSM state
        # (Active/Idle/Connect) and last NOTIFICATION that the getter reduces to is_up.
        summary, neighbors = self._eapi(["show ip bgp summary vrf all", "show ip bgp neighbors vrf all"])
        state.bgp, state.bgp_router_id = normalise_eos.bgp(summary, neighbors)
        return True

    def ospf(self, state: DeviceState) -> None:
        if not self.wants("ospf"):
            return
        if self.opts.cli_transport != "scrapli":
            try:
                state.ospf = normalise_eos.ospf_json(self._eapi(["show ip ospf neighbor"])[0])
                return
            except Exception:  # noqa: BLE001 - old EOS/twins without the JSON model: parse the text
                pass
        state.ospf = normalise_eos.ospf_text(self._text("show ip ospf neighbor"))

    def isis(self, state: DeviceState) -> None:
        if not self.wants("isis"):
            return
        if self.opts.cli_transport != "scrapli":
            try:
                state.isis = normalise_eos.isis_json(self._eapi(["show isis neighbors"])[0])
                return
            except Exception:  # noqa: BLE001 - see ospf()
                pass
        state.isis = normalise_eos.isis_text(self._text("show isis neighbors"))


# --------------------------------------------------------------------------------------------- FRR
# One SSH exec per device runs ONE vtysh process with every show command (vtysh connects to every
# daemon when it starts, so six vtysh processes cost six times that), then the shell commands.
# ``vtysh -E`` echoes "<hostname># <command>" before each command's output: that splits the
# concatenated JSON replies. vtysh (FRR 8.x) stops at the first failing command (e.g. "bgpd is not
# running"); the collector then runs the remaining commands again on the same connection.
# Daemons a fabric may not run (ospfd, isisd: the lab and Debian's daemons file start only what is
# used) come last, so a "not running" stop costs at most one more exec per such daemon.
FRR_VTYSH: dict[str, str] = {
    "bgp_summary": "show bgp vrf all summary json",
    "bgp_neighbors": "show bgp vrf all neighbors json",
    "interfaces": "show interface json",
    "ospf": "show ip ospf neighbor json",
    "ospf_router": "show ip ospf json",
    "ospf_interfaces": "show ip ospf interface json",  # the area of each neighbor's interface
    "isis": "show isis neighbor json",
}
_VTYSH_DAEMON = {
    "bgp_summary": "bgpd",
    "bgp_neighbors": "bgpd",
    "ospf": "ospfd",
    "ospf_router": "ospfd",
    "ospf_interfaces": "ospfd",
    "isis": "isisd",
    "interfaces": "zebra",
}
FRR_SHELL: dict[str, str] = {
    "ip_addr": "ip -j addr",
    "hostname": 'read -r h < /proc/sys/kernel/hostname && echo "$h"',  # shell builtins: no process
    # One lldpcli: lldpd's listening socket of this network namespace (/proc/net/unix is per namespace;
    # the lab runs one lldpd per node on its own socket, and lldpd rewrites its argv, so -u cannot be read
    # back), else lldpcli's default socket.
    "lldp": (
        "s=$(awk '$NF ~ /lldpd.*[.]sock(et)?$/ {print $NF; exit}' /proc/net/unix); "
        'lldpcli ${s:+-u "$s"} -f json show neighbors'
    ),
}
# Every command by section name, as a device operator would type it (error messages, docs).
FRR_COMMANDS: dict[str, str] = {**{k: f"vtysh -c '{v}'" for k, v in FRR_VTYSH.items()}, **FRR_SHELL}
_MARK = "@@netfabric@@"


def vtysh_command(names: Iterable[str]) -> str:
    """One vtysh process for the given FRR_VTYSH sections; its stderr stays on the channel's stderr."""
    return "vtysh -E " + " ".join(f"-c '{FRR_VTYSH[n]}'" for n in names)


def frr_script(vtysh: Iterable[str] | None = None, shell: dict[str, str] | None = None) -> str:
    """The whole collection as one shell line: vtysh first, then each shell command between markers."""
    names = list(FRR_VTYSH if vtysh is None else vtysh)
    parts = [f'{vtysh_command(names)}; echo "{_MARK} vtysh $?"'] if names else []
    for name, cmd in (FRR_SHELL if shell is None else shell).items():
        parts.append(f"echo '{_MARK} begin {name}'; ( {cmd} ) 2>&1; echo \"{_MARK} end {name} $?\"")
    return "; ".join(parts)


def split_sections(output: str) -> dict[str, tuple[int, str]]:
    """Shell sections between begin/end markers -> {name: (rc, output)}."""
    out: dict[str, tuple[int, str]] = {}
    name: str | None = None
    buf: list[str] = []
    for line in output.splitlines():
        if line.startswith(f"{_MARK} begin "):
            name, buf = line.split()[2], []
        elif line.startswith(f"{_MARK} end ") and name:
            rc = line.split()[3]
            out[name] = (int(rc) if rc.isdigit() else 1, "\n".join(buf))
            name = None
        elif name:
            buf.append(line)
    return out


def split_vtysh(
    stdout: str, stderr: str, rc: int, names: list[str]
) -> tuple[dict[str, tuple[int, str]], list[str]]:
    """``vtysh -E`` output -> ({section: (rc, output)}, sections still to run).

    A command that vtysh stopped at gets rc 1 and the stderr lines about it (``bgpd is not
    running``); the commands after it are returned to be run again without it.
    """
    out: dict[str, tuple[int, str]] = {}
    seen: list[str] = []
    buf: list[str] = []
    pending = list(names)
    for line in stdout.splitlines():
        if pending and line.endswith(f"# {FRR_VTYSH[pending[0]]}") and " " not in line.split("# ", 1)[0]:
            if seen:
                out[seen[-1]] = (0, "\n".join(buf))
            seen.append(pending.pop(0))
            buf = []
        elif seen:
            buf.append(line)
    err = [ln for ln in stderr.splitlines() if ln.strip()]
    if rc == 0 or not seen:
        if seen:
            out[seen[-1]] = (0, "\n".join(buf))
        if rc != 0:  # nothing ran: "failed to connect to any daemons", no vtysh, ...
            text = "\n".join(err) or f"vtysh exited with {rc}"
            return {n: (rc, text) for n in names}, []
        return out, []
    failed = seen[-1]
    daemon = _VTYSH_DAEMON.get(failed, "")
    why = [ln for ln in err if daemon and ln.startswith(daemon)] or err[-1:] or [f"vtysh exited with {rc}"]
    out[failed] = (rc, "\n".join([*buf, *why]).strip())
    if daemon and any("is not running" in ln for ln in why):
        # The daemon's other commands would stop vtysh the same way: answer them now, not by re-running.
        for n in [p for p in pending if _VTYSH_DAEMON.get(p) == daemon]:
            out[n] = (rc, "\n".join(why))
            pending.remove(n)
    return out, pending


def parse_frr_output(
    stdout: str, stderr: str, names: list[str]
) -> tuple[dict[str, tuple[int, str]], list[str]]:
    """Output of :func:`frr_script` -> ({section: (rc, output)}, vtysh sections still to run)."""
    head, sep, tail = stdout.partition(f"{_MARK} vtysh ")
    sections = split_sections(tail if sep else stdout)
    if not sep and not sections:
        raise CollectorError("the device ran none of the collection commands (is it a Linux/FRR host?)")
    if not names:
        return sections, []
    if not sep:  # the script did not get past vtysh
        return {**sections, **{n: (1, "vtysh did not finish") for n in names}}, []
    rc_text = tail.split("\n", 1)[0].strip()
    vt, pending = split_vtysh(head, stderr, int(rc_text) if rc_text.isdigit() else 1, names)
    return {**sections, **vt}, pending


def _json(sections: dict[str, tuple[int, str]], name: str) -> Any:
    if name not in sections:
        raise CollectorError(f"no output for {name}")
    rc, text = sections[name]
    if rc != 0 and "is not running" in text:
        raise CollectorError(text.strip().splitlines()[-1])  # e.g. "bgpd is not running"
    if rc != 0:
        raise CollectorError(f"{FRR_COMMANDS.get(name, name)} failed (rc {rc}): {text.strip()[:200]}")
    text = text.strip()
    if not text:
        return {}
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise CollectorError(f"{name}: not JSON: {text[:120]!r}") from None


def normalise_frr_sections(
    state: DeviceState, sections: dict[str, tuple[int, str]], wanted: Iterable[str]
) -> None:
    """Fill ``state`` from the per-section output of :data:`FRR_COMMANDS` (also used by tests on fixtures)."""
    wanted = set(wanted)

    def run(section: str, fn: Callable[[], None]) -> None:
        if section in wanted:
            try:
                fn()
            except Exception as exc:  # noqa: BLE001 - per-section result
                state.errors[section] = f"{exc.__class__.__name__}: {exc}"[:500]

    def facts() -> None:
        rc, text = sections.get("hostname", (1, ""))
        state.facts.hostname = text.strip() or None
        state.facts.vendor, state.facts.os_version = "FRRouting", None

    def bgp() -> None:
        summary = _json(sections, "bgp_summary")
        try:
            nbrs = _json(sections, "bgp_neighbors")
        except CollectorError:
            nbrs = None
        state.bgp, state.bgp_router_id = normalise_frr.bgp(summary, nbrs)

    def ospf() -> None:
        try:
            ifaces = _json(sections, "ospf_interfaces")
        except CollectorError:
            ifaces = None  # neighbors without their area
        state.ospf = normalise_frr.ospf(_json(sections, "ospf"), ifaces)
        with contextlib.suppress(CollectorError):
            state.ospf_router_id = _json(sections, "ospf_router").get("routerId")

    def interfaces() -> None:
        try:
            show = _json(sections, "interfaces")
        except CollectorError:
            show = None  # zebra down: the kernel still knows the interfaces
        state.interfaces = normalise_frr.interfaces(show, _json(sections, "ip_addr"))

    run("facts", facts)
    run("bgp", bgp)
    run("ospf", ospf)
    run("isis", lambda: setattr(state, "isis", normalise_frr.isis(_json(sections, "isis"))))
    run("interfaces", interfaces)
    run("lldp", lambda: setattr(state, "lldp", normalise_frr.lldp(_json(sections, "lldp"))))


def _vtysh_down(sections: dict[str, tuple[int, str]], text_of: str) -> bool:
    return "failed to connect to any daemons" in sections.get(text_of, (0, ""))[1]


def finish_frr(state: DeviceState, sections: dict[str, tuple[int, str]], wanted: Iterable[str]) -> None:
    normalise_frr_sections(state, sections, wanted)
    if _vtysh_down(sections, "bgp_summary"):
        for s in ("bgp", "ospf", "isis"):
            if s in state.errors:
                state.errors[s] = "FRR is not running (vtysh: failed to connect to any daemons)"


# The collection is I/O bound: a device spends its time in the SSH handshake and in vtysh on the far
# end, not in Python. A thread per host (paramiko/netmiko under Nornir's threaded runner) costs more
# than that work on a 2-core box (64 threads each doing its own key exchange under the GIL, context
# switches, a transport thread per paramiko client), so FRR devices share one asyncio event loop with
# asyncssh. The loop lives in a daemon thread for the life of the process, so connections can be kept
# and reused by the next collection (rollout gates and snapshots validate the same devices repeatedly).
class _SshPool:
    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.conns: dict[tuple[Any, ...], Any] = {}
        self.lock = threading.Lock()

    def run(self, coro: Any) -> Any:
        with self.lock:
            if self.loop is None or self.loop.is_closed():
                self.loop = asyncio.new_event_loop()
                threading.Thread(target=self.loop.run_forever, name="netfabric-ssh", daemon=True).start()
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    async def close_all(self) -> None:
        conns, self.conns = list(self.conns.values()), {}
        for c in conns:
            c.close()
        for c in conns:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(c.wait_closed(), 2)


_POOL = _SshPool()


def close_ssh_connections() -> None:
    """Close the SSH connections kept for reuse (they also go away with the process)."""
    if _POOL.loop is not None and _POOL.conns:
        _POOL.run(_POOL.close_all())


def _ssh_params(host: Any, opts: CollectOptions) -> dict[str, Any]:
    params = host.get_connection_parameters("netmiko")
    extras = dict(params.extras or {})
    key = extras.get("key_file") or opts.extra.get("key_file")
    password = params.password or host.password
    return {
        "host": params.hostname or host.hostname,
        "port": params.port or 22,
        "username": params.username or host.username,
        "password": password or None,
        "client_keys": [key] if key else None,  # None: no default keys tried, no agent
        "agent_path": None,
        "known_hosts": None,  # lab devices: host keys change on every deploy
        "connect_timeout": opts.timeout,
        "login_timeout": opts.timeout,
        "config": [],  # no ~/.ssh/config lookups
    }


async def _frr_exec(host: Any, opts: CollectOptions, command: str) -> tuple[str, str, int]:
    import asyncssh

    params = _ssh_params(host, opts)
    key = (params["host"], params["port"], params["username"], params["password"], str(params["client_keys"]))
    conn = _POOL.conns.get(key) if opts.reuse_connections else None
    for fresh in (False, True) if conn is not None else (True,):
        if fresh:
            try:
                conn = await asyncio.wait_for(asyncssh.connect(**params), opts.timeout)
            except TimeoutError:
                raise TimeoutError(
                    f"SSH connection to {params['host']}:{params['port']} timed out after {opts.timeout:g}s"
                ) from None
            if opts.reuse_connections:
                _POOL.conns[key] = conn
        assert conn is not None
        try:
            res = await asyncio.wait_for(conn.run(command, check=False), opts.timeout)
        except (TimeoutError, OSError, asyncssh.Error) as exc:
            _POOL.conns.pop(key, None)
            conn.close()
            if fresh and isinstance(exc, TimeoutError):
                raise TimeoutError(f"collection commands timed out after {opts.timeout:g}s") from None
            if fresh:
                raise
            continue  # a kept connection went stale (device restarted, lab redeployed): reconnect once
        finally:
            if not opts.reuse_connections:
                conn.close()
        rc = res.exit_status if res.exit_status is not None else 255
        return str(res.stdout or ""), str(res.stderr or ""), rc
    raise CollectorError("unreachable")  # pragma: no cover - the loop returns or raises


async def collect_frr_async(host: Any, opts: CollectOptions) -> DeviceState:
    """Collect one FRR host on the shared loop; never raises (errors become results, masked)."""
    state = DeviceState(host=host.name, platform=platform_of(host), address=host.hostname)
    start = time.monotonic()
    attempt = 0
    while True:
        try:
            state.errors.clear()
            await _collect_frr(host, opts, state)
            state.error = None
            break
        except Exception as exc:  # noqa: BLE001 - a host failure is a result, not a crash
            state.error = _reason(exc, host)
            text = str(exc).lower()
            retryable = (
                isinstance(exc, (*_RETRYABLE, asyncio.TimeoutError))
                or "connect" in text
                or ("timed out" in text)
            )
            if "permission denied" in text or attempt >= opts.retries or not retryable:
                break
            attempt += 1
            await asyncio.sleep(opts.retry_delay)
    state.duration = round(time.monotonic() - start, 3)
    return state


async def _collect_frr(host: Any, opts: CollectOptions, state: DeviceState) -> None:
    names = [n for n in FRR_VTYSH if _frr_section(n) in opts.sections]
    shell = {n: c for n, c in FRR_SHELL.items() if _frr_section(n) in opts.sections}
    stdout, stderr, _ = await _frr_exec(host, opts, frr_script(names, shell))
    sections, pending = parse_frr_output(stdout, stderr, names)
    while pending:  # vtysh stopped at a failing command: run the rest, without it
        out, err, rc = await _frr_exec(host, opts, vtysh_command(pending))
        vt, rest = split_vtysh(out, err, rc, pending)
        sections.update(vt)
        if len(rest) >= len(pending):
            break
        pending = rest
    finish_frr(state, sections, opts.sections)


def _frr_section(name: str) -> str:
    """The state section a FRR command feeds."""
    if name.startswith("bgp"):
        return "bgp"
    if name.startswith("ospf"):
        return "ospf"
    return {"ip_addr": "interfaces", "hostname": "facts"}.get(name, name)


@register_collector("frr")
class FrrCollector(Collector):
    """FRR boxes are Linux hosts: one SSH exec (asyncssh, shared event loop) runs one vtysh with JSON.

    :func:`collect` runs all FRR hosts concurrently on the loop; this class serves collect_host callers.
    """

    def collect(self, state: DeviceState) -> None:
        _POOL.run(_collect_frr(self.host, self.opts, state))


# --------------------------------------------------------------------------------------------- runner
_RETRYABLE = (OSError, socket.timeout, TimeoutError, ConnectionError, EOFError)


def collect_host(host: Any, nornir_config: Any, opts: CollectOptions) -> DeviceState:
    """Collect one host; never raises."""
    platform = platform_of(host)
    state = DeviceState(host=host.name, platform=platform, address=host.hostname)
    start = time.monotonic()
    cls = COLLECTORS.get(platform)
    if cls is None:
        state.error = f"no state collector registered for platform '{platform}'"
        return state
    attempt = 0
    while True:
        collector = cls(host, nornir_config, opts)
        try:
            state.errors.clear()
            collector.collect(state)
            state.error = None
            break
        except Exception as exc:  # noqa: BLE001 - a host failure is a result, not a crash
            state.error = _reason(exc, host)
            _close_connections(host)
            retryable = (
                isinstance(exc, _RETRYABLE)
                or "timed out" in str(exc).lower()
                or "connect" in str(exc).lower()
            )
            if attempt >= opts.retries or not retryable:
                break
            attempt += 1
            time.sleep(opts.retry_delay)
        finally:
            collector.close()
    _close_connections(host)
    state.duration = round(time.monotonic() - start, 3)
    return state


def _close_connections(host: Any) -> None:
    # Closing a broken connection may fail again; there is nothing more to do about it.
    with contextlib.suppress(Exception):
        host.close_connections()


def _apply_timeouts(nr: Any, opts: CollectOptions) -> None:
    """Pass the timeout to NAPALM drivers (host-level extras override the group's as a whole)."""
    from nornir.core.inventory import ConnectionOptions

    for host in nr.inventory.hosts.values():
        params = host.get_connection_parameters("napalm")
        if not params.platform:
            continue
        extras = dict(params.extras or {})
        extras["timeout"] = int(opts.timeout)
        host.connection_options["napalm"] = ConnectionOptions(extras=extras)


def _quiet_driver_logs() -> None:
    """Driver libraries log tracebacks for every failed connection (pyeapi even logs replies);
    failures are reported per device instead, so keep their logs off the terminal."""
    for name in ("pyeapi", "paramiko", "napalm", "scrapli", "ncclient", "netmiko", "nornir"):
        lg = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in lg.handlers):
            lg.addHandler(logging.NullHandler())
        lg.propagate = False


def collect(
    nr: Any, hosts: Iterable[str] | None = None, opts: CollectOptions | None = None, fabric: str | None = None
) -> FabricState:
    """Collect all (or ``hosts``) devices of a Nornir inventory in parallel."""
    from nornir.core.task import Result, Task

    opts = opts or CollectOptions()
    _quiet_driver_logs()
    if hosts:
        wanted = set(hosts)
        nr = nr.filter(filter_func=lambda h: h.name in wanted)
    _apply_timeouts(nr, opts)
    start = time.monotonic()

    def task(task: Task) -> Result:
        return Result(host=task.host, result=collect_host(task.host, task.nornir.config, opts))

    # FRR hosts: all on the shared asyncio loop (one SSH exec each); the others (NAPALM drivers are
    # synchronous) through Nornir's threads at the same time.
    frr = {n: h for n, h in nr.inventory.hosts.items() if COLLECTORS.get(platform_of(h)) is FrrCollector}
    frr_future = None
    if frr:
        _POOL.run(asyncio.sleep(0))  # start the loop
        assert _POOL.loop is not None
        frr_future = asyncio.run_coroutine_threadsafe(_collect_all_frr(list(frr.values()), opts), _POOL.loop)
    others = nr.filter(filter_func=lambda h: h.name not in frr) if frr else nr
    results: dict[str, Any] = {}
    if others.inventory.hosts:
        others.runner.num_workers = opts.num_workers  # type: ignore[attr-defined]
        results = dict(others.run(task=task, name="netfabric collect", on_failed=True).items())
    frr_states = frr_future.result() if frr_future is not None else {}
    fs = FabricState(fabric=fabric)
    for name, multi in sorted(results.items()):
        r = multi[0]
        if isinstance(r.result, DeviceState):
            fs.devices[name] = r.result
        else:  # the task itself blew up (should not happen): keep a per-device result anyway
            host = nr.inventory.hosts[name]
            fs.devices[name] = DeviceState(
                host=name,
                platform=platform_of(host),
                error=mask(str(r.exception or r.result), [host.password or ""]),
            )
    fs.devices.update(frr_states)
    fs.devices = dict(sorted(fs.devices.items()))
    fs.duration = round(time.monotonic() - start, 3)
    return fs


async def _collect_all_frr(hosts: list[Any], opts: CollectOptions) -> dict[str, DeviceState]:
    sem = asyncio.Semaphore(max(1, opts.num_workers))

    async def one(host: Any) -> DeviceState:
        async with sem:
            return await collect_frr_async(host, opts)

    states = await asyncio.gather(*(one(h) for h in hosts))
    return {s.host: s for s in states}


def redact(text: str, nr: Any) -> str:
    return mask(text, [h.password or "" for h in nr.inventory.hosts.values()])
