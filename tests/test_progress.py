"""The progress bar of long commands: on a terminal only, never with --quiet, counts devices done and
failed from any thread."""

from __future__ import annotations

import io
import threading

from rich.console import Console

from fabric import progress


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_only_on_a_terminal_and_not_when_quiet() -> None:
    assert progress.wanted(stream=Tty()) and not progress.wanted(quiet=True, stream=Tty())
    assert not progress.wanted(stream=io.StringIO())  # a pipe, a CI log, cron


def test_counts_devices_done_and_failed_from_threads() -> None:
    out = Tty()
    console = Console(file=out, force_terminal=True, width=100)
    with progress.devices(3, "collecting", True, console=console) as done:
        threads = [threading.Thread(target=done, args=(f,)) for f in (False, True, False)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    text = out.getvalue()
    assert "collecting" in text and "3/3" in text and "1 failed" in text


def test_disabled_writes_nothing() -> None:
    out = Tty()
    with progress.devices(3, "collecting", False, console=Console(file=out)) as done:
        done(False)
    assert out.getvalue() == ""
