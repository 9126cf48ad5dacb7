"""SR OS rollout driver: NETCONF confirmed-commit with a persist id.  Untested against a live device."""

from __future__ import annotations

from typing import Any

from fabric.rollout.drivers import _NetconfDriver


def sros_commit_kwargs(timeout: int, token: str) -> dict[str, dict[str, Any]]:
    """SR OS NETCONF (RFC 6241 :confirmed-commit:1.1) with a persist id, so another session may confirm."""
    return {
        "commit": {"confirmed": True, "timeout": str(int(timeout)), "persist": token},
        "confirm": {"persist_id": token},
        "cancel": {"persist_id": token},
    }


class SrosDriver(_NetconfDriver):
    platform = "sros"

    def commit_confirmed(self, candidate: str, mode: str, timeout: int, token: str) -> None:
        m = self._mgr()
        m.edit_config(
            target="candidate", config=candidate, default_operation="replace" if mode != "merge" else "merge"
        )
        m.commit(**sros_commit_kwargs(timeout, token)["commit"])

    def confirm(self, token: str) -> bool:
        self._mgr().commit(**sros_commit_kwargs(0, token)["confirm"])
        return True

    def rollback(self, token: str) -> str:
        self._mgr().cancel_commit(**sros_commit_kwargs(0, token)["cancel"])
        return "rolled_back"

    def timer_state(self, token: str) -> str:
        return "unknown"

    def facts(self) -> dict[str, Any]:
        return {"bgp": {}, "routes": 0, "interfaces": {}}
