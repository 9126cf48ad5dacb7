"""User-facing errors.

Bad input never reaches the user as a traceback: everything the user can get
wrong raises :class:`FabricError`, which names the file, the key and the fix.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """The one exit-code contract of every ``fabric`` command (docs/commands.md).

    When one run has both findings and devices it could not check (drift on some devices, others
    unreachable), FAILED wins: a finding is reported even if the picture is incomplete; the devices
    that could not be checked are still listed in the output.
    """

    OK = 0  # done, everything checked is fine
    FAILED = 1  # checks failed, drift found, a change was rolled back
    USAGE = 2  # usage error or bad input (FabricError: the message names the file, key and fix)
    UNCHECKED = 3  # could not check: device unreachable / not collected, or the tool itself failed

    @classmethod
    def verdict(cls, *, failed: bool, unchecked: bool) -> ExitCode:
        """FAILED if anything failed, else UNCHECKED if anything could not be checked, else OK."""
        if failed:
            return cls.FAILED
        return cls.UNCHECKED if unchecked else cls.OK


class FabricError(Exception):
    """An error in user input or environment, explained for an operator."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        key: str | None = None,
        line: int | None = None,
        fix: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.key = key
        self.line = line
        self.fix = fix
        super().__init__(self.render())

    def render(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "")
        parts = []
        if where:
            parts.append(where)
        if self.key:
            parts.append(f"key '{self.key}'")
        head = ": ".join([", ".join(parts), self.message]) if parts else self.message
        if self.fix:
            head += f"\n  fix: {self.fix}"
        return head
