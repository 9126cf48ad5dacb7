"""Commit-confirmed rollout drivers: the vendor-neutral contract and the shared NETCONF/scrapli bases.

Each platform's driver lives in its vendor package (``fabric/vendors/<nos>/driver.py``) and is found
through the vendor registry (``driver_class``).

Every driver gives the same guarantee: after ``commit_confirmed`` the device reverts BY ITSELF unless
``confirm`` arrives in time, so a rollout process that dies (or loses the device) never leaves a
half-applied change behind. A driver is rebuilt from ``(Target, token)`` alone, which is what lets
``fabric rollout resume`` finish or roll back a device after a crash.

Tested against the lab: ``frr`` (real FRR over SSH), ``eos`` (NAPALM against the EOS twin), ``junos``
(NETCONF against the Junos twin), ``iosxr`` (the XR CLI against the IOS-XR twin), ``srlinux``
(JSON-RPC against the SR Linux twin) and ``sros`` (NETCONF against the SR OS twin).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fabric import vendors
from fabric.errors import FabricError


@dataclass
class Target:
    name: str
    address: str
    platform: str
    username: str
    password: str = ""
    port: int = 0  # 0: the platform's default port for its management protocol

    def __repr__(self) -> str:  # never show the password
        return f"Target({self.name!r}, {self.address!r}, {self.platform!r})"


class DriverError(Exception):
    """A device operation failed; ``unreachable`` says the management connection is gone."""

    def __init__(self, message: str, *, unreachable: bool = False) -> None:
        super().__init__(message)
        self.unreachable = unreachable


class Driver:
    platform = ""
    # Worth computing the next wave's diffs ahead of time (engine._DiffPrefetch): diffing is costly.
    # Junos, SR Linux and SR OS stay off: on the 64-node mixed bench, diffing them ahead slowed the
    # current wave's own convergence on 2 cores (wall 141-153 s with, 122 s without; 2026-12-03).
    prefetch = False

    def __init__(self, target: Target) -> None:
        self.t = target

    def open(self) -> None: ...
    def close(self) -> None: ...

    def running(self) -> str:
        raise NotImplementedError

    def diff(self, candidate: str, mode: str) -> str:
        raise NotImplementedError

    def commit_confirmed(self, candidate: str, mode: str, timeout: int, token: str) -> None:
        raise NotImplementedError

    def presnap(
        self, candidate: str, mode: str, known: tuple[str, str] | None = None
    ) -> tuple[str, dict[str, Any], str]:
        """Pre-change running config, facts and the candidate's diff (drivers may do it in one trip).

        ``known``: (running config, diff) of this candidate from an earlier pre-snapshot; the diff is a
        function of the two texts only, so it is reused when the running config is still the same.
        """
        running, facts = self.running_and_facts()
        # compared as normalised: a running config may carry a timestamp (IOS-XR prints one on top of
        # every show), which would make every prefetched diff look stale
        if known is not None and self.normalise_config(known[0]) == self.normalise_config(running):
            return running, facts, known[1]
        return running, facts, self.diff(candidate, mode)

    def running_and_facts(self) -> tuple[str, dict[str, Any]]:
        """The pre-snapshot's two reads (a driver whose two come over separate sessions may overlap them)."""
        return self.running(), self.facts()

    def confirm(self, token: str) -> bool:
        """Make the change permanent; False when the device already reverted (timer fired)."""
        raise NotImplementedError

    def normalise_config(self, text: str) -> str:
        """The running config as compared before/after a rollback: without the banner and timestamp
        comments a device prints on top (EOS ``! Command:``/``! Time:``, IOS-XR ``!! Last
        configuration change``, Junos ``## Last commit``), trailing spaces and blank lines."""
        lines = [ln.rstrip() for ln in text.splitlines()]
        return "\n".join(ln for ln in lines if ln and not _BANNER.match(ln)) + "\n"

    def rollback(self, token: str) -> str:
        """Back to the checkpoint of ``token`` now (idempotent; fine after the timer fired)."""
        raise NotImplementedError

    def timer_state(self, token: str) -> str:
        """armed | reverting | reverted | confirmed | none."""
        raise NotImplementedError

    def facts(self) -> dict[str, Any]:
        """Operational state for gates: {"bgp": {peer_ip: established?}, "routes": n, "interfaces": {...},
        "bgp_peers": {ip: {"up", "remote_as", "uptime"}}, "interface_detail": {name: {"admin_up", "mtu"}}}
        (the last two feed the config_applied check; a platform may leave them empty)."""
        raise NotImplementedError


_BANNER = re.compile(r"^(! (Command|Time|device|Startup-config last modified):"
                     r"|!! (Last configuration change|IOS XR)|## Last (commit|changed)"
                     r"|Building configuration|Current configuration)")


def driver_class(target: Target) -> type[Driver]:
    """The platform's rollout driver, from its vendor package (fabric/vendors/<nos>/driver.py)."""
    cls: type[Driver] | None = vendors.get(target.platform, key=target.name).load("driver")
    if cls is None:
        with_driver = sorted(n for n, v in vendors.all_vendors().items() if v.driver)
        raise FabricError(f"no commit-confirmed driver for platform '{target.platform}'",
                          key=target.name, fix=f"known: {', '.join(with_driver)}")
    return cls


def driver_for(target: Target) -> Driver:
    return driver_class(target)(target)


class _NetconfDriver(Driver):
    #: ncclient's device handler for the NOS (``junos`` makes load-configuration & co. real RPCs;
    #: the default handler silently drops their arguments).
    netconf_device = "default"

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self._m: Any = None

    def open(self) -> None:
        from ncclient import manager

        from fabric.netconf import tune

        tune()
        try:
            self._m = manager.connect(
                host=self.t.address,
                port=self.t.port or 830,
                username=self.t.username,
                password=self.t.password,
                hostkey_verify=False,
                allow_agent=False,
                look_for_keys=False,
                timeout=30,
                device_params={"name": self.netconf_device},
            )
        except Exception as exc:
            raise DriverError(
                f"{self.t.name}: NETCONF connect failed: {exc.__class__.__name__}", unreachable=True
            ) from None

    def close(self) -> None:
        if self._m:
            self._m.close_session()
            self._m = None

    def _mgr(self) -> Any:
        if self._m is None:
            self.open()
        return self._m

    def running(self) -> str:
        return str(self._mgr().get_config(source="running").data_xml)

    def diff(self, candidate: str, mode: str) -> str:
        return "(diff computed on commit: not available before load for this platform)"


class _ScrapliDriver(Driver):
    scrapli_platform = ""

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self._conn: Any = None

    def open(self) -> None:
        from scrapli import Scrapli

        self._conn = Scrapli(
            host=self.t.address,
            auth_username=self.t.username,
            auth_password=self.t.password,
            auth_strict_key=False,
            platform=self.scrapli_platform,
            transport="system",
        )
        try:
            self._conn.open()
        except Exception as exc:
            raise DriverError(
                f"{self.t.name}: SSH connect failed: {exc.__class__.__name__}", unreachable=True
            ) from None

    def close(self) -> None:
        if self._conn:
            self._conn.close()
            self._conn = None

    def _cfg(self, lines: list[str]) -> None:
        if self._conn is None:
            self.open()
        self._conn.send_configs(lines, stop_on_failed=True)

    def running(self) -> str:
        if self._conn is None:
            self.open()
        return str(self._conn.send_command("show running-config").result)

    def diff(self, candidate: str, mode: str) -> str:
        return "(diff computed on commit: not available before load for this platform)"

    def timer_state(self, token: str) -> str:
        return "unknown"

    def facts(self) -> dict[str, Any]:
        return {"bgp": {}, "routes": 0, "interfaces": {}}
