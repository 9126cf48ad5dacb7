"""EOS CLI state shared by the twin and its transports (SSH CLI, eAPI): errors, sessions, contexts.

Kept apart from twin.py so the transports import it without importing the twin (no import cycle).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fabric.vendors.eos.twin.config import EosConfig

if TYPE_CHECKING:
    from fabric.vendors.eos.twin.twin import EosTwin

# A command of the topic modules (routing, counters, system, tables, features): (twin, the command's
# match, "json" | "text") -> the reply; each module lists (pattern, handler) pairs in COMMANDS
Handler = Callable[["EosTwin", "re.Match[str]", str], Awaitable[Any]]


class CommandError(Exception):
    """An EOS CLI error; ``message`` is what EOS prints after ``% ``."""

    def __init__(self, message: str, code: int = 1002) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class ApplyError(Exception):
    """FRR (the control plane) did not take the running-config's translation."""


def invalid(cmd: str) -> CommandError:
    words = cmd.split()
    # EOS points at the first word it could not match; for "show foo" that is token 1.
    i = 1 if len(words) > 1 and words[0].lower() == "show" else 0
    return CommandError(f"Invalid input (at token {i}: '{words[i] if words else cmd}')")


@dataclass
class Session:
    name: str
    text: str
    state: str = "pending"  # pending | pendingCommitTimer | completed | aborted
    commit_deadline: float | None = None  # absolute epoch seconds
    pre_commit: str | None = None  # running-config to restore on timer expiry
    completed_time: float | None = None

    def to_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


@dataclass
class Context:
    """Per-connection CLI state (one per SSH channel or per eAPI request)."""

    privileged: bool = False
    config: EosConfig | None = None  # the tree being edited while in config mode
    session: str | None = None
    dirty: bool = False
    outputs: list[str] = field(default_factory=list)
    #: SSH CLI: leaving config mode returns the prompt once the kernel has the change, while FRR
    #: converges in the background (as EOS agents do); eAPI requests wait for FRR.
    cli: bool = False

    @property
    def in_config(self) -> bool:
        return self.config is not None


_SECRET = re.compile(r"\b(secret|password|key)( \d+| sha512| md5| 7)? \S+")


def _sanitize(text: str) -> str:
    return _SECRET.sub(lambda m: f"{m.group(1)}{m.group(2) or ''} <removed>", text)
