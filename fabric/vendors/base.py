"""The vendor contract: what one network OS tells the rest of netfabric about itself.

A :class:`Vendor` is data (interface naming, containerlab kinds, credentials, library driver names, the
services its twin listens on) plus the import paths of its code: the commit-confirmed rollout driver,
the state collector and the device twin.  Code is loaded lazily (``module:attr``), so reading the
registry never imports NAPALM, asyncssh or a twin.  The Protocols below are what the core layers call;
``tests/vendors/test_contract.py`` holds every registered vendor to them.

Learnt from NAPALM (one package per NOS behind one interface), scrapli (thin platform definitions),
containerlab (each kind owns its naming and credentials) and Nornir (a typed registry that refuses
duplicates and finds plugins through entry points).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from fabric.state.model import DeviceState


@dataclass(frozen=True)
class Service:
    """A management service a twin serves on the node's mgmt address (what the lab waits for)."""

    name: str  # ssh, https, netconf, gnmi, json-rpc ...
    port: int


@dataclass(frozen=True)
class Vendor:
    # ---- identity and naming
    name: str  # the fabric's platform name (fabric.yaml `platform:`)
    description: str
    port_name: Callable[[int], str]  # fabric port N (1-based) -> the NOS's interface name
    port_pattern: re.Pattern[str]
    port_from_match: Callable[[re.Match[str]], int]
    loopback: str
    mgmt_interface: str
    default_mtu: int = 9214
    # ---- containerlab
    clab_kind: str = ""  # the kind `fabric build` writes
    clab_image: str = ""
    clab_port: Callable[[int], str] = lambda n: f"eth{n}"  # fabric port N -> containerlab's name
    clab_kinds: tuple[str, ...] = ()  # every kind this NOS runs as (clab_kind first)
    clab_aliases: dict[str, str] = field(default_factory=dict)  # short/legacy kind -> canonical kind
    lab_credentials: dict[str, tuple[str, str]] = field(default_factory=dict)  # kind -> containerlab default
    nornir_platform: str = ""  # what containerlab writes into its Nornir/Ansible inventories
    # ansible_network_os / ansible_connection containerlab writes for kinds with an Ansible collection
    ansible_vars: dict[str, str] = field(default_factory=dict)
    # (kind, interface as written in a topology) -> Linux name in the node, None when not valid for the kind
    linux_ifname: Callable[[str, str], str | None] = lambda kind, name: None
    runs_on_linux: bool = False  # FRR itself: the node runs the NOS directly, no twin
    # ---- automation libraries
    napalm: str | None = None
    napalm_optional_args: dict[str, Any] = field(default_factory=dict)
    scrapli: str | None = None
    netmiko: str | None = None
    netconf: bool = False
    # ---- golden config and compliance
    mgmt_vrf: str = "default"
    local_users: bool = True  # the golden config carries local users
    config_indent: int = 1  # spaces per nesting level in the running config (compliance parsing)
    block_exit: bool = False  # config blocks are closed with `exit` lines (vtysh), remediation too
    mode_reset: str = ""  # the command back to global config mode, put between remediation blocks (XR `root`)
    set_form: str = ""  # "module:func": rendered config -> the NOS's set-command form (Junos display set)
    # "module:func": (merge snippet, running config) -> what did not land, for a config form the line-based
    # config_applied check cannot read (SR OS: `delete /configure ...` lines, quoting variants)
    merge_check: str = ""
    # "module:attr": schema-aware compliance of a set-style NOS, an object with statements(config) and
    # remediate(running, intended, keep) (fabric.compliance.engine.SetModel); empty: generic path sets
    remediation: str = ""
    # ---- code, loaded lazily ("module:attr")
    driver: str = ""  # rollout driver class (commit-confirmed)
    collector: str = ""  # state collector class
    twin: str = ""  # device twin class
    twin_services: tuple[Service, ...] = ()

    # -- naming helpers (what Platform offered)
    def interface(self, port: int) -> str:
        return self.port_name(port)

    def port_of(self, name: str) -> int | None:
        m = self.port_pattern.fullmatch(name)
        return self.port_from_match(m) if m else None

    @property
    def has_twin(self) -> bool:
        return bool(self.twin)

    def default_credentials(self, kind: str | None = None) -> tuple[str, str]:
        return self.lab_credentials[kind or self.clab_kind]

    # -- code
    def load(self, what: str) -> Any:
        """The class behind ``driver``, ``collector`` or ``twin`` (None when the vendor has none)."""
        ref = getattr(self, what)
        if not ref:
            return None
        module, _, attr = ref.partition(":")
        return getattr(importlib.import_module(module), attr)


# ------------------------------------------------------------------------ protocols the core calls


@runtime_checkable
class Driver(Protocol):
    """Commit-confirmed rollout driver (fabric.rollout.drivers.Driver is the base implementation)."""

    platform: str

    def running(self) -> str: ...
    def diff(self, candidate: str, mode: str) -> str: ...
    def commit_confirmed(self, candidate: str, mode: str, timeout: int, token: str) -> None: ...
    def confirm(self, token: str) -> bool: ...
    def rollback(self, token: str) -> str: ...
    def timer_state(self, token: str) -> str: ...
    def facts(self) -> dict[str, Any]: ...
    def normalise_config(self, text: str) -> str: ...
    def close(self) -> None: ...


@runtime_checkable
class Collector(Protocol):
    """Fills one device's normalised state (fabric.state.collect.Collector is the base)."""

    def collect(self, state: DeviceState) -> None: ...
    def close(self) -> None: ...


@runtime_checkable
class Twin(Protocol):
    """A device twin (fabric.twins.base.DeviceTwin is the base)."""

    platform: str

    def load(self) -> None: ...
    async def apply_boot(self) -> None: ...
