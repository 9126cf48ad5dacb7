"""Parallel state collection with Nornir, one collector per platform.

Each vendor names its collector class in its vendor package (``Vendor.collector``: the NAPALM
collector below, or its own subclass in ``fabric/vendors/<nos>/collector.py``), found through the
vendor registry.  A collector fills a :class:`DeviceState`.  A failure never escapes a host: it
becomes ``DeviceState.error`` (whole device) or ``DeviceState.errors[section]`` (one section), with
the password masked.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from tenacity import AsyncRetrying, Retrying, retry_if_exception, stop_after_attempt, wait_fixed

from fabric import ssh, vendors
from fabric.credentials import mask
from fabric.errors import FabricError
from fabric.state import normalise_napalm
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
    # Called with each device's state as soon as it is collected (from a worker thread or the SSH loop):
    # progress bars. Must not raise.
    on_device: Callable[[DeviceState], None] | None = None

    def __post_init__(self) -> None:
        import math

        # NaN passes every range check, and int(inf) raises deep in a worker thread: refuse them here
        if not (math.isfinite(self.timeout) and self.timeout > 0):
            raise FabricError(f"timeout {self.timeout!r} is not a number of seconds", key="--timeout",
                              fix="a positive number, e.g. --timeout 15")
        if self.num_workers < 1:
            raise FabricError(f"{self.num_workers} workers", key="--workers",
                              fix="at least 1 parallel connection (default 32)")
        if not 0 <= self.retries <= 10:
            raise FabricError(f"{self.retries} retries", key="--retries",
                              fix="0 to 10 extra attempts after a connection failure (default 1)")


class CollectorError(Exception):
    pass


class Collector:
    """Base class: subclasses implement :meth:`collect` and fill ``state`` section by section.

    A collector whose devices are reached over plain SSH (Linux hosts) may also define
    ``async fill_async(host, opts, state)``: :func:`collect` then runs all of its hosts concurrently on
    the shared asyncio loop (:func:`ssh_run`) instead of one Nornir thread each.
    """

    fill_async: ClassVar[Callable[..., Any] | None] = None

    def __init__(self, host: Any, nornir_config: Any, opts: CollectOptions) -> None:
        self.host = host
        self.config = nornir_config
        self.opts = opts

    def collect(self, state: DeviceState) -> None:
        raise NotImplementedError

    def connection(self, name: str) -> Any:
        """The host's Nornir connection ``name`` (napalm, scrapli, netconf), its plugin loaded on first
        use (fabric.inventory.ensure_connection_plugins)."""
        from fabric.inventory import ensure_connection_plugins

        ensure_connection_plugins()
        return self.host.get_connection(name, self.config)

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


def collector_class(platform: str) -> type[Collector] | None:
    """The platform's collector, from its vendor package (None for an unknown platform)."""
    cls: type[Collector] | None = vendors.load(platform, "collector")
    return cls


def _reason(exc: BaseException, host: Any) -> str:
    text = f"{exc.__class__.__name__}: {exc}" if str(exc) else exc.__class__.__name__
    secrets = [getattr(host, "password", None) or ""]
    return mask(text, secrets)[:500]


def _netconf(platform: str) -> bool:
    from fabric import vendors

    vendor = vendors.all_vendors().get(platform)
    return bool(vendor and vendor.netconf)


def platform_of(host: Any) -> str:
    return str(host.data.get("platform") or (host.data.get("intent") or {}).get("platform") or host.platform)


# --------------------------------------------------------------------------------------------- NAPALM
class NapalmCollector(Collector):
    """NAPALM getters; OSPF/IS-IS come from platform hooks (EOS: eAPI/TTP, NETCONF vendors: later)."""

    def collect(self, state: DeviceState) -> None:
        dev = self.connection("napalm")
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
        return self.connection("netconf")


def close_ssh_connections() -> None:
    """Close the SSH connections kept for reuse (they also go away with the process)."""
    ssh.close_connections()


def ssh_target(host: Any, opts: CollectOptions) -> ssh.SshTarget:
    params = host.get_connection_parameters("netmiko")
    extras = dict(params.extras or {})
    return ssh.SshTarget(
        host=params.hostname or host.hostname,
        port=params.port or 22,
        username=params.username or host.username,
        password=(params.password or host.password) or None,
        key_file=extras.get("key_file") or opts.extra.get("key_file"),
    )


async def ssh_run(host: Any, opts: CollectOptions, command: str) -> tuple[str, str, int]:
    """One command on a Linux host (fabric.ssh: the shared loop, connection kept for reuse)."""
    try:
        return await ssh.exec_async(ssh_target(host, opts), command, connect_timeout=opts.timeout,
                                    timeout=opts.timeout, reuse=opts.reuse_connections)
    except TimeoutError as exc:
        if "no answer" in str(exc):
            raise TimeoutError(f"collection commands timed out after {opts.timeout:g}s") from None
        raise


run_on_loop = ssh.run_on_loop


async def collect_async_host(cls: type[Collector], host: Any, opts: CollectOptions) -> DeviceState:
    """Collect one host with ``cls.fill_async`` on the shared loop; never raises (errors are results)."""
    assert cls.fill_async is not None
    fill = cls.fill_async
    state = DeviceState(host=host.name, platform=platform_of(host), address=host.hostname)
    start = time.monotonic()
    try:
        async for attempt in AsyncRetrying(**_retry_policy(opts, _retryable_ssh)):
            with attempt:
                state.errors.clear()
                await fill(host, opts, state)
        state.error = None
    except Exception as exc:  # noqa: BLE001 - a host failure is a result, not a crash
        state.error = _reason(exc, host)
    state.duration = round(time.monotonic() - start, 3)
    return state


# --------------------------------------------------------------------------------------------- runner
_RETRYABLE = (OSError, socket.timeout, TimeoutError, ConnectionError, EOFError)


def _retryable(exc: BaseException) -> bool:
    """A connection-level failure worth another attempt (the Nornir collectors)."""
    if not isinstance(exc, Exception):  # KeyboardInterrupt, CancelledError, SystemExit: never
        return False
    text = str(exc).lower()
    return isinstance(exc, _RETRYABLE) or "timed out" in text or "connect" in text


def _retryable_ssh(exc: BaseException) -> bool:
    """The same for the SSH collectors, except that a refused login ("permission denied") is final."""
    return _retryable(exc) and "permission denied" not in str(exc).lower()


def _retry_policy(opts: CollectOptions, retryable: Callable[[BaseException], bool]) -> dict[str, Any]:
    """tenacity arguments: ``opts.retries`` extra attempts, ``opts.retry_delay`` seconds apart, only for
    ``retryable`` failures; the last failure is raised as it is (``reraise``)."""
    return {
        "stop": stop_after_attempt(opts.retries + 1),
        "wait": wait_fixed(opts.retry_delay),
        "retry": retry_if_exception(retryable),
        "reraise": True,
    }


def collect_host(host: Any, nornir_config: Any, opts: CollectOptions) -> DeviceState:
    """Collect one host; never raises."""
    platform = platform_of(host)
    state = DeviceState(host=host.name, platform=platform, address=host.hostname)
    start = time.monotonic()
    cls = collector_class(platform)
    if cls is None:
        state.error = f"no state collector registered for platform '{platform}'"
        return state

    def attempt() -> None:
        collector = cls(host, nornir_config, opts)
        try:
            state.errors.clear()
            collector.collect(state)
        except Exception:
            _close_connections(host)
            raise
        finally:
            collector.close()

    try:
        Retrying(**_retry_policy(opts, _retryable))(attempt)
        state.error = None
    except Exception as exc:  # noqa: BLE001 - a host failure is a result, not a crash
        state.error = _reason(exc, host)
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

    from fabric.netconf import tune

    opts = opts or CollectOptions()
    _quiet_driver_logs()
    if hosts:
        wanted = set(hosts)
        nr = nr.filter(filter_func=lambda h: h.name in wanted)
    # NAPALM's junos (PyEZ), sros and iosxr_netconf drivers talk through ncclient too; importing it
    # (lxml included) is left to runs that have a NETCONF platform
    if any(_netconf(platform_of(h)) for h in nr.inventory.hosts.values()):
        tune()
    _apply_timeouts(nr, opts)
    start = time.monotonic()

    def task(task: Task) -> Result:
        state = collect_host(task.host, task.nornir.config, opts)
        if opts.on_device:
            opts.on_device(state)
        return Result(host=task.host, result=state)

    # Hosts whose collector works over plain SSH (FRR): all on the shared asyncio loop (one SSH exec
    # each); the others (NAPALM drivers are synchronous) through Nornir's threads at the same time.
    frr = {}
    for n, h in nr.inventory.hosts.items():
        cls = collector_class(platform_of(h))
        if cls is not None and cls.fill_async is not None:
            frr[n] = (cls, h)
    frr_future = None
    if frr:
        frr_future = asyncio.run_coroutine_threadsafe(
            _collect_all_async(list(frr.values()), opts), ssh.loop()
        )
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


async def _collect_all_async(
    hosts: list[tuple[type[Collector], Any]], opts: CollectOptions
) -> dict[str, DeviceState]:
    sem = asyncio.Semaphore(max(1, opts.num_workers))

    async def one(cls_host: tuple[type[Collector], Any]) -> DeviceState:
        async with sem:
            state = await collect_async_host(cls_host[0], cls_host[1], opts)
        if opts.on_device:
            opts.on_device(state)
        return state

    states = await asyncio.gather(*(one(ch) for ch in hosts))
    return {s.host: s for s in states}


def redact(text: str, nr: Any) -> str:
    return mask(text, [h.password or "" for h in nr.inventory.hosts.values()])
