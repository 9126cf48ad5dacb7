"""EOS rollout driver: NAPALM eos configuration sessions with ``commit timer`` (EOS reverts on its own)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fabric.rollout.drivers import Driver, DriverError, Target


class EosDriver(Driver):
    """NAPALM eos: configuration sessions with ``commit timer`` (EOS reverts on its own)."""

    platform = "eos"
    prefetch = True  # a diff is a configuration session filled and aborted: seconds for a spine's config

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self._d: Any = None

    def open(self) -> None:
        from napalm import get_network_driver

        d = get_network_driver("eos")(
            self.t.address, self.t.username, self.t.password, timeout=60, optional_args={"transport": "https"}
        )
        try:
            d.open()
        except Exception as exc:
            raise DriverError(
                f"{self.t.name}: eAPI connect failed: {exc.__class__.__name__}", unreachable=True
            ) from None
        self._d = d

    def close(self) -> None:
        if self._d:
            # napalm's close() discards self.config_session: that would ABORT a pending commit-confirmed
            # session. Forget it first: the on-device timer (or our confirm) decides, never a disconnect.
            self._d.config_session = None
            try:
                self._d.close()
            finally:
                self._d = None

    def _dev(self) -> Any:
        if self._d is None:
            self.open()
        return self._d

    def _call(self, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except DriverError:
            raise
        except (ConnectionError, OSError, TimeoutError) as exc:
            self.close()
            raise DriverError(f"{self.t.name}: {exc.__class__.__name__}", unreachable=True) from None
        except Exception as exc:
            raise DriverError(f"{self.t.name}: {exc}") from None

    def running(self) -> str:
        return str(self._call(lambda: self._dev().get_config(retrieve="running")["running"]))

    def _load(self, candidate: str, mode: str, token: str) -> None:
        d = self._dev()
        d.config_session = token  # our token names the session, so resume can find it again
        if mode == "merge":
            self._call(lambda: d.load_merge_candidate(config=candidate))
        else:
            self._call(lambda: d.load_replace_candidate(config=candidate))

    def diff(self, candidate: str, mode: str) -> str:
        d = self._dev()
        self._load(candidate, mode, "netfabric_diff")
        try:
            return str(self._call(d.compare_config)).strip()
        finally:
            self._call(d.discard_config)

    def commit_confirmed(self, candidate: str, mode: str, timeout: int, token: str) -> None:
        self._load(candidate, mode, token)
        self._call(lambda: self._dev().commit_config(revert_in=timeout))

    def confirm(self, token: str) -> bool:
        d = self._dev()
        if not self._call(d.has_pending_commit):
            return False
        d.config_session = token
        self._call(d.confirm_commit)
        return True

    def rollback(self, token: str) -> str:
        d = self._dev()
        d.config_session = token
        if self._call(d.has_pending_commit):
            self._call(d.rollback)  # aborts the pending session: EOS restores the pre-commit config
            return "rolled_back"
        d.config_session = None
        self._call(d.rollback)  # after a confirm: napalm's rollback-0 checkpoint
        return "rolled_back"

    def timer_state(self, token: str) -> str:
        return "armed" if self._call(self._dev().has_pending_commit) else "none"

    def facts(self) -> dict[str, Any]:
        d = self._dev()
        nb = self._call(d.get_bgp_neighbors)
        all_peers = {ip: p for vrf in nb.values() for ip, p in vrf.get("peers", {}).items()}
        ifs = self._call(d.get_interfaces)
        return {
            "bgp": {ip: bool(p.get("is_up")) for ip, p in all_peers.items()},
            "bgp_peers": {ip: {"up": bool(p.get("is_up")), "remote_as": p.get("remote_as"),
                               "uptime": p.get("uptime") if p.get("is_up") and (p.get("uptime") or -1) >= 0
                               else None} for ip, p in all_peers.items()},
            "routes": 0,
            "interfaces": {},
            "interface_detail": {n: {"admin_up": i.get("is_enabled"), "mtu": i.get("mtu")}
                                 for n, i in ifs.items()},
        }
