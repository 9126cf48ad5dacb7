"""State collection retries (tenacity): a transient connection failure gets ``opts.retries`` more attempts,
``opts.retry_delay`` apart; a failure that is not about the connection, or a refused SSH login, gets none;
the error reported is the last attempt's."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest

from fabric.state import collect as c
from fabric.state.model import DeviceState


def _host(platform: str, closed: list[int] | None = None) -> Any:
    return SimpleNamespace(name="r1", hostname="10.0.0.1", password="pw-s3cret", platform=platform,
                           data={"platform": platform},
                           close_connections=lambda: closed.append(1) if closed is not None else None)


def _sync(monkeypatch: pytest.MonkeyPatch, failures: list[Exception]) -> tuple[Any, list[int], list[int]]:
    """A Nornir-path collector that raises ``failures`` in turn, then succeeds."""
    attempts: list[int] = []
    closed: list[int] = []

    class Flaky(c.Collector):
        def collect(self, state: DeviceState) -> None:
            attempts.append(1)
            state.errors["bgp"] = "partial"  # cleared before the next attempt
            if len(attempts) <= len(failures):
                raise failures[len(attempts) - 1]
            state.errors.clear()

    real = c.collector_class
    monkeypatch.setattr(c, "collector_class", lambda p: Flaky if p == "flakyos" else real(p))
    return _host("flakyos", closed), attempts, closed


def test_sync_transient_failure_is_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    host, attempts, closed = _sync(monkeypatch, [ConnectionError("connection reset")])
    st = c.collect_host(host, None, c.CollectOptions(retries=1, retry_delay=0))
    assert len(attempts) == 2 and st.error is None and st.errors == {}
    assert len(closed) >= 1  # the broken connection was dropped before the retry


def test_sync_retries_exhausted_reports_last_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    fails: list[Exception] = [TimeoutError(f"attempt {i} timed out") for i in range(1, 5)]
    host, attempts, _ = _sync(monkeypatch, fails)
    st = c.collect_host(host, None, c.CollectOptions(retries=2, retry_delay=0.05))
    assert len(attempts) == 3  # 1 + retries
    assert st.error == "TimeoutError: attempt 3 timed out"
    assert st.duration >= 0.1  # two waits of retry_delay


def test_sync_no_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    host, attempts, _ = _sync(monkeypatch, [ConnectionError("connection reset")])
    st = c.collect_host(host, None, c.CollectOptions(retries=0, retry_delay=0))
    assert len(attempts) == 1 and st.error == "ConnectionError: connection reset"


@pytest.mark.parametrize(("field", "value"), [("retries", -1), ("retries", 11), ("timeout", float("nan")),
                                              ("timeout", float("inf")), ("timeout", 0.0),
                                              ("num_workers", 0)])
def test_options_out_of_range_are_usage_errors(field: str, value: float) -> None:
    """NaN passes range checks and int(inf) raised deep in a worker: refused when the options are made."""
    from fabric.errors import FabricError

    with pytest.raises(FabricError) as err:
        c.CollectOptions(**{field: value})
    assert err.value.key == {"num_workers": "--workers"}.get(field, f"--{field}") and err.value.fix


def test_sync_non_connection_failure_is_not_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    host, attempts, _ = _sync(monkeypatch, [ValueError("unexpected reply for pw-s3cret")])
    st = c.collect_host(host, None, c.CollectOptions(retries=3, retry_delay=0))
    assert len(attempts) == 1
    assert st.error == "ValueError: unexpected reply for ********"


def _async_collector(failures: list[Exception]) -> tuple[type[c.Collector], list[int]]:
    attempts: list[int] = []

    async def fill(host: Any, opts: c.CollectOptions, state: DeviceState) -> None:
        attempts.append(1)
        if len(attempts) <= len(failures):
            raise failures[len(attempts) - 1]
        state.errors.clear()

    class Ssh(c.Collector):
        fill_async = staticmethod(fill)

    return Ssh, attempts


def test_async_transient_failure_is_retried() -> None:
    cls, attempts = _async_collector([OSError("Connect call failed ('10.0.0.1', 22)")])
    st = asyncio.run(c.collect_async_host(cls, _host("frr"), c.CollectOptions(retries=1, retry_delay=0)))
    assert len(attempts) == 2 and st.error is None


def test_async_timeout_retried_until_exhausted() -> None:
    cls, attempts = _async_collector([TimeoutError(f"try {i}") for i in range(1, 5)])
    st = asyncio.run(c.collect_async_host(cls, _host("frr"), c.CollectOptions(retries=2, retry_delay=0)))
    assert len(attempts) == 3 and st.error == "TimeoutError: try 3"


def test_async_permission_denied_is_never_retried() -> None:
    # A connection error by type and wording, but a refused login: retrying only locks the account out.
    cls, attempts = _async_collector([ConnectionError("connect failed: Permission denied for user admin")])
    st = asyncio.run(c.collect_async_host(cls, _host("frr"), c.CollectOptions(retries=3, retry_delay=0)))
    assert len(attempts) == 1
    assert st.error == "ConnectionError: connect failed: Permission denied for user admin"


def test_retry_predicates() -> None:
    assert c._retryable(EOFError()) and c._retryable(RuntimeError("could not connect"))
    assert c._retryable(RuntimeError("operation timed out"))
    assert not c._retryable(KeyError("x")) and not c._retryable(KeyboardInterrupt())
    assert c._retryable(OSError("Permission denied (publickey)"))  # the Nornir path: by type, as before
    assert not c._retryable_ssh(OSError("Permission denied (publickey)"))
    assert c._retryable_ssh(OSError("No route to host"))
