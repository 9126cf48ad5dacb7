"""Junos rollout driver: NETCONF ``commit confirmed`` (minutes).  Untested against a live device."""

from __future__ import annotations

import math
from typing import Any

from fabric.rollout.drivers import _NetconfDriver


def junos_commit_rpc(timeout: int, confirm: bool = False) -> str:
    """Junos ``commit confirmed`` over NETCONF: Junos counts the timeout in MINUTES (rounded up)."""
    if confirm:
        return "<commit-configuration/>"
    minutes = max(1, math.ceil(timeout / 60))
    return (
        f"<commit-configuration><confirmed/><confirm-timeout>{minutes}</confirm-timeout>"
        "</commit-configuration>"
    )


class JunosDriver(_NetconfDriver):
    platform = "junos"

    def commit_confirmed(self, candidate: str, mode: str, timeout: int, token: str) -> None:
        from ncclient.xml_ import to_ele

        m = self._mgr()
        m.lock(target="candidate")
        m.load_configuration(
            action="replace" if mode != "merge" else "merge", format="text", config=candidate
        )
        m.dispatch(to_ele(junos_commit_rpc(timeout)))
        m.unlock(target="candidate")

    def confirm(self, token: str) -> bool:
        from ncclient.xml_ import to_ele

        self._mgr().dispatch(to_ele(junos_commit_rpc(0, confirm=True)))
        return True

    def rollback(self, token: str) -> str:
        from ncclient.xml_ import to_ele

        m = self._mgr()
        m.dispatch(to_ele("<load-configuration rollback='1'/>"))
        m.dispatch(to_ele("<commit-configuration/>"))
        return "rolled_back"

    def timer_state(self, token: str) -> str:
        return "unknown"

    def facts(self) -> dict[str, Any]:
        return {"bgp": {}, "routes": 0, "interfaces": {}}
