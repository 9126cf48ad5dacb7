"""Options every command that targets devices shares, so they read the same everywhere: --hosts, --role,
--platform, --tag (fabric.targets.select_devices applies them)."""

from __future__ import annotations

from typing import Annotated

import typer

HostsOpt = Annotated[
    str | None, typer.Option("--hosts", "-H", help="comma-separated device names (default: all)")
]
RoleOpt = Annotated[str | None, typer.Option("--role", help="only devices of these roles (comma-separated)")]
PlatformOpt = Annotated[
    str | None, typer.Option("--platform", help="only devices of these platforms (comma-separated)")
]
TagOpt = Annotated[
    str | None, typer.Option("--tag", help="only devices with one of these tags (comma-separated)")
]


def csv(value: str | None) -> list[str] | None:
    """``a, b,`` -> ["a", "b"]; None or empty -> None."""
    items = [v.strip() for v in (value or "").split(",") if v.strip()]
    return items or None
