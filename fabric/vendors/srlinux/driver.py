"""SR Linux rollout driver: scrapli, ``commit confirmed``.  Untested against a live device."""

from __future__ import annotations

from fabric.rollout.drivers import _ScrapliDriver


def srlinux_commands(timeout: int) -> dict[str, list[str]]:
    """SR Linux CLI: private candidate, ``commit confirmed timeout <s>``, then accept or reject."""
    return {
        "begin": ["enter candidate private"],
        "commit": [f"commit confirmed timeout {int(timeout)}"],
        "confirm": ["tools system configuration confirmed-accept"],
        "rollback": ["tools system configuration confirmed-reject"],
    }


class SrlinuxDriver(_ScrapliDriver):
    platform = "srlinux"
    scrapli_platform = "nokia_srl"

    def commit_confirmed(self, candidate: str, mode: str, timeout: int, token: str) -> None:
        c = srlinux_commands(timeout)
        pre = ["delete /"] if mode != "merge" else []
        self._cfg(c["begin"] + pre + candidate.splitlines() + c["commit"])

    def confirm(self, token: str) -> bool:
        self._cfg(srlinux_commands(0)["confirm"])
        return True

    def rollback(self, token: str) -> str:
        self._cfg(srlinux_commands(0)["rollback"])
        return "rolled_back"
