"""One output contract for reporting commands: ``--format table|json|yaml|csv`` and ``-o/--output FILE``
honoured by every format (a table too: plain text, wide), never silently ignored.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console

from fabric.errors import FabricError

FORMATS = ("table", "json", "yaml", "csv")


def check(fmt: str, formats: tuple[str, ...] = FORMATS) -> None:
    if fmt not in formats:
        raise FabricError(f"unknown format '{fmt}'", key="--format", fix=f"one of {', '.join(formats)}")


def render(data: Any, fmt: str, table: Callable[[Console], None] | None = None,
           rows: list[dict[str, Any]] | None = None) -> str:
    """``data`` as ``fmt`` text: ``table`` draws with ``table(console)`` (plain text, wide); ``csv`` writes
    ``rows`` (one line per row; the command's list), json and yaml the whole ``data``."""
    check(fmt)
    if fmt == "table":
        if table is None:
            raise FabricError("this command has no table form", key="--format", fix="json or yaml")
        buf = io.StringIO()
        table(Console(file=buf, width=200, no_color=True))
        return buf.getvalue()
    if fmt == "json":
        return json.dumps(data, indent=2, default=str) + "\n"
    if fmt == "yaml":
        return str(yaml.safe_dump(json.loads(json.dumps(data, default=str)), sort_keys=False))
    if rows is None:
        raise FabricError("this command has no CSV form", key="--format", fix="json or yaml")
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]) if rows else [], lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def emit(data: Any, fmt: str, output: Path | None, table: Callable[[Console], None],
         rows: list[dict[str, Any]] | None = None) -> None:
    """Print ``data`` as ``fmt`` (a table in colour on a terminal), or write it to ``output``."""
    check(fmt)
    if fmt == "table" and output is None:
        table(Console())
        return
    write(render(data, fmt, table, rows), output)


def write(text: str, output: Path | None) -> None:
    """``text`` to ``output``, or to stdout without one; a file that cannot be written is a usage error
    (a directory, a path below a file, a name too long), never a traceback."""
    if output is None:
        print(text, end="")
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text)
    except OSError as exc:
        raise FabricError(f"cannot write the report: {exc.strerror or exc}", file=str(output),
                          key="--output", fix="a file path in a writable directory") from None
