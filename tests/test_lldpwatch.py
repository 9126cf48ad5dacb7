"""The twins' LLDP reading (fabric.twins.lldpwatch), against a stand-in lldpcli: a reading is kept
until `lldpcli watch` reports a change, never during the watch's warm-up, and its ages move on."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest

from fabric.twins import lldpwatch

# `watch` prints one line per change signalled by an <sock>.event file; `show` prints <sock>.table and
# counts its readings in <sock>.count.
FAKE = """#!/bin/sh
sock="$2"
if [ "$5" = watch ]; then
  while :; do
    if [ -e "$sock.event" ]; then rm -f "$sock.event"; echo '{"lldp-updated": {}}'; fi
    sleep 0.02
  done
fi
echo x >> "$sock.count"
cat "$sock.table"
"""


def table(age: str = "0 day, 00:00:05", name: str = "spine1") -> str:
    itf = {"name": "eth1", "age": age, "chassis": [{"name": [{"value": name}]}]}
    return json.dumps({"lldp": [{"interface": [itf]}]})


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "lldpcli").write_text(FAKE)
    (bindir / "lldpcli").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}:{Path('/usr/bin')}:{Path('/bin')}")
    monkeypatch.setattr(lldpwatch, "WARMUP", 0.3)
    return tmp_path / "node.sock"


def readings(sock: Path) -> int:
    count = Path(f"{sock}.count")
    return len(count.read_text().splitlines()) if count.exists() else 0


def test_kept_until_a_change(fake: Path) -> None:
    sock = fake
    Path(f"{sock}.table").write_text(table())

    async def scenario() -> None:
        assert (await lldpwatch.neighbors(str(sock)))[1].strip() == table()  # starts the watch
        assert readings(sock) == 1
        await asyncio.sleep(0.4)  # past the warm-up
        await lldpwatch.neighbors(str(sock))
        assert readings(sock) == 2
        # kept: lldpd's table changes without a notification (it never does): still the kept reading
        Path(f"{sock}.table").write_text(table(name="spine9"))
        rc, out, _ = await lldpwatch.neighbors(str(sock))
        assert rc == 0 and "spine1" in out and readings(sock) == 2
        # lldpd notifies: the next answer is a new reading
        Path(f"{sock}.event").write_text("")
        deadline = time.monotonic() + 5
        while "spine9" not in (await lldpwatch.neighbors(str(sock)))[1]:
            assert time.monotonic() < deadline, "the change was never seen"
            await asyncio.sleep(0.05)
        n = readings(sock)
        await lldpwatch.neighbors(str(sock))
        assert readings(sock) == n  # kept again
        # ages move on with the time since the reading
        await asyncio.sleep(1.1)
        out = (await lldpwatch.neighbors(str(sock)))[1]
        assert '"age": "0 day, 00:00:06"' in out and readings(sock) == n

    try:
        asyncio.run(scenario())
    finally:
        lldpwatch.stop_all()


def test_nothing_kept_during_the_warm_up_or_without_lldpd(fake: Path) -> None:
    sock = fake
    Path(f"{sock}.table").write_text(table())

    async def scenario() -> None:
        for _ in range(3):  # all within the warm-up: every show is a reading
            await lldpwatch.neighbors(str(sock))
        assert readings(sock) == 3
        # lldpcli failing (no lldpd): an error each time, never a kept answer
        Path(f"{sock}.table").unlink()
        await asyncio.sleep(0.4)
        for _ in range(2):
            rc, _, _ = await lldpwatch.neighbors(str(sock))
            assert rc != 0

    try:
        asyncio.run(scenario())
    finally:
        lldpwatch.stop_all()


def test_aged() -> None:
    text = '{"age": "0 day, 23:59:58", "x": 1, "age": "1 day, 00:00:01"}'
    assert lldpwatch._aged(text, 3.4) == '{"age": "1 day, 00:00:01", "x": 1, "age": "1 day, 00:00:04"}'
    assert lldpwatch._aged('"age": "1 day, 23:59:59"', 1) == '"age": "2 days, 00:00:00"'
    assert lldpwatch._aged(text, 0.9) is text
