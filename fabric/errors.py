"""User-facing errors.

Bad input never reaches the user as a traceback: everything the user can get
wrong raises :class:`FabricError`, which names the file, the key and the fix.
"""

from __future__ import annotations


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
