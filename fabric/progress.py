"""A progress bar for commands that wait on many devices (validate, snapshot, compliance): devices done
and failed, and the time left, on stderr (so a report on stdout stays clean). Off when stderr is not a
terminal (CI logs, pipes, cron) or with --quiet.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console


def wanted(quiet: bool = False, stream: Any = None) -> bool:
    return not quiet and bool(getattr(stream or sys.stderr, "isatty", lambda: False)())


@contextmanager
def devices(total: int, what: str, enabled: bool, console: Console | None = None
            ) -> Iterator[Callable[[bool], None]]:
    """Yields ``done(failed)``, to call once per device (from any thread)."""
    if not enabled or total <= 0:
        yield lambda failed: None
        return
    # imported here: only a terminal gets a bar
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    lock = threading.Lock()
    failed_n = 0
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("[red]{task.fields[failed]} failed"), TimeRemainingColumn(),
                   console=console or Console(stderr=True), transient=True)
    with bar:
        task = bar.add_task(what, total=total, failed=0)

        def done(failed: bool) -> None:
            nonlocal failed_n
            with lock:
                failed_n += int(failed)
                bar.update(task, advance=1, failed=failed_n)

        yield done
