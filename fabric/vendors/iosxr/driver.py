"""IOS-XR rollout driver: scrapli, ``commit confirmed <seconds>``.  Untested against a live device."""

from __future__ import annotations

from fabric.rollout.drivers import _ScrapliDriver


def iosxr_commands(timeout: int) -> dict[str, list[str]]:
    """IOS-XR CLI: ``commit confirmed <seconds>`` (30..65535); ``commit`` confirms; rollback cancels."""
    s = min(max(30, int(timeout)), 65535)
    return {
        "commit": [f"commit confirmed {s}"],
        "confirm": ["commit"],
        "rollback": ["rollback configuration last 1"],
    }


class IosxrDriver(_ScrapliDriver):
    platform = "iosxr"
    scrapli_platform = "cisco_iosxr"

    def commit_confirmed(self, candidate: str, mode: str, timeout: int, token: str) -> None:
        pre = ["commit replace"] if mode != "merge" else []
        self._cfg(pre + candidate.splitlines() + iosxr_commands(timeout)["commit"])

    def confirm(self, token: str) -> bool:
        self._cfg(iosxr_commands(0)["confirm"])
        return True

    def rollback(self, token: str) -> str:
        self._cfg(iosxr_commands(0)["rollback"])
        return "rolled_back"
