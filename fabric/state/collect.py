"""Parallel state collection with Nornir, one collector per platform.

Collectors register per platform (like Nornir connection plugins), so a new vendor
plugs in with ``@register_collector("junos")`` and a class that fills a
:class:`DeviceState`. A failure never escapes a host: it becomes ``DeviceState.error``
(whole device) or ``DeviceState.errors[section]`` (one section), with the password masked.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
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
# One SSH exec runs every command; sections are split by markers so a failing command
# only fails its own section.
FRR_COMMANDS: dict[str, str] = {
    "bgp_summary": "vtysh -c 'show bgp vrf all summary json'",
    "bgp_neighbors": "vtysh -c 'show bgp vrf all neighbors json'",
    "ospf": "vtysh -c 'show ip ospf neighbor json'",
    "ospf_router": "vtysh -c 'show ip ospf json'",
    "isis": "vtysh -c 'show isis neighbor json'",
    "interfaces": "vtysh -c 'show interface json'",
    "ip_addr": "ip -j addr",
    "hostname": "hostname",
    # lldpd's socket: the default one, else the listening lldpd socket of this network namespace
    # (/proc/net/unix is per namespace; lldpd rewrites its argv, so -u cannot be read back).
    "lldp": (
        "lldpcli -f json show neighbors 2>/dev/null || { "
        "s=$(awk '$NF ~ /lldpd.*[.]sock(et)?$/ {print $NF; exit}' /proc/net/unix); "
        "[ -n \"$s\" ] && lldpcli -u \"$s\" -f json show neighbors; }"
    ),
}
_MARK = "@@netfabric@@"


def frr_script(commands: dict[str, str]) -> str:
    parts = []
    for name, cmd in commands.items():
        parts.append(f"echo '{_MARK} begin {name}'; ( {cmd} ) 2>&1; echo \"{_MARK} end {name} $?\"")
    return "; ".join(parts)


def split_sections(output: str) -> dict[str, tuple[int, str]]:
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
    """Fill ``state`` from the split output of :data:`FRR_COMMANDS` (also used by tests on fixtures)."""
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
        state.ospf = normalise_frr.ospf(_json(sections, "ospf"))
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


@register_collector("frr")
class FrrCollector(Collector):
    """FRR boxes are Linux hosts: one SSH exec (paramiko, as netmiko's 'linux' would use) runs vtysh JSON."""

    def _ssh_params(self) -> dict[str, Any]:
        opts = self.host.get_connection_parameters("netmiko")
        extras = dict(opts.extras or {})
        params: dict[str, Any] = {
            "hostname": opts.hostname or self.host.hostname,
            "port": opts.port or 22,
            "username": opts.username or self.host.username,
            "timeout": self.opts.timeout,
            "banner_timeout": self.opts.timeout,
            "auth_timeout": self.opts.timeout,
            "allow_agent": False,
            "look_for_keys": False,
        }
        key = extras.get("key_file") or self.opts.extra.get("key_file")
        if key:
            params["key_filename"] = key
        if opts.password or self.host.password:
            params["password"] = opts.password or self.host.password
        return params

    def collect(self, state: DeviceState) -> None:
        import paramiko

        client = paramiko.SSHClient()
        client.set_missing_host_key_policy(paramiko.AutoAddPolicy())  # lab devices: keys change per deploy
        try:
            client.connect(**self._ssh_params())
            _, stdout, _ = client.exec_command(frr_script(FRR_COMMANDS), timeout=self.opts.timeout)
            output = stdout.read().decode(errors="replace")
        finally:
            client.close()
        sections = split_sections(output)
        if not sections:
            raise CollectorError("the device ran none of the collection commands (is it a Linux/FRR host?)")
        normalise_frr_sections(state, sections, self.opts.sections)
        if _vtysh_down(sections, "bgp_summary"):
            for s in ("bgp", "ospf", "isis"):
                if s in state.errors:
                    state.errors[s] = "FRR is not running (vtysh: failed to connect to any daemons)"


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

    nr.runner.num_workers = opts.num_workers  # type: ignore[attr-defined]
    results = nr.run(task=task, name="netfabric collect", on_failed=True)
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
    fs.duration = round(time.monotonic() - start, 3)
    return fs


def redact(text: str, nr: Any) -> str:
    return mask(text, [h.password or "" for h in nr.inventory.hosts.values()])
