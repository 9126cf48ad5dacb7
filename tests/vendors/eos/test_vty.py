"""The persistent vty client speaks vtysh's protocol (no lab: a fake daemon socket)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from fabric.twins.frr import Frr, Vty, daemon_for


async def _fake_daemon(path: Path, seen: list[str], conns: list[int]) -> asyncio.AbstractServer:
    """Replies like an FRR daemon's vtysh socket: output, three NULs, status byte."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conns.append(1)
        while True:
            try:
                cmd = (await reader.readuntil(b"\0"))[:-1].decode()
            except asyncio.IncompleteReadError:
                break
            seen.append(cmd)
            if cmd == "drop":
                writer.close()
                return
            if cmd == "bogus":
                writer.write(b"% Unknown command: bogus\n\0\0\0\x02")
            elif cmd == "enable":
                writer.write(b"\0\0\0\0")
            else:
                writer.write(f'{{"echo": "{cmd}", "pad": "{"x" * 100000}"}}\n'.encode() + b"\0\0\0\0")
            await writer.drain()

    return await asyncio.start_unix_server(handle, path=str(path))


def test_protocol_enable_errors_reconnect(tmp_path: Path) -> None:
    async def main() -> None:
        seen: list[str] = []
        conns: list[int] = []
        sock = tmp_path / "bgpd.vty"
        server = await _fake_daemon(sock, seen, conns)
        v = Vty(sock)
        out = await v.command("show bgp summary json")
        assert out is not None and '"echo": "show bgp summary json"' in out and len(out) > 100000
        assert seen[:2] == ["enable", "show bgp summary json"]  # enable once, as vtysh does
        assert await v.command("show version") is not None and len(conns) == 1  # persistent
        assert await v.command("bogus") is None  # non-zero status: the caller falls back to vtysh
        assert await v.command("drop") is None  # daemon went away mid-command
        assert await v.command("show again") is not None and len(conns) >= 2  # reconnected
        v.close()
        server.close()
        await server.wait_closed()
        assert await Vty(tmp_path / "missing.vty").command("show version") is None

    asyncio.run(main())


def test_frr_show_json_uses_daemon_socket(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import fabric.twins.frr as frr

    async def main() -> None:
        seen: list[str] = []
        (tmp_path / "ps").mkdir()
        server = await _fake_daemon(tmp_path / "ps" / "bgpd.vty", seen, [])
        monkeypatch.setattr(frr, "FRR_RUN", tmp_path)
        f = Frr("ps", None, tmp_path)
        data, again = await f.show_json_many(
            "show bgp vrf all summary json", "show bgp vrf all neighbors json"
        )
        assert data["echo"] == "show bgp vrf all summary json" and again["echo"].endswith("neighbors json")
        f.close()
        server.close()
        await server.wait_closed()

    asyncio.run(main())


def test_daemon_routing() -> None:
    assert daemon_for("show ip bgp summary vrf all") == "bgpd"
    assert daemon_for("show bgp vrf all neighbors json") == "bgpd"
    assert daemon_for("show ip ospf neighbor json") == "ospfd"
    assert daemon_for("show isis neighbor") == "isisd"
    assert daemon_for("show ip route json") == "zebra"
    assert daemon_for("show running-config") is None  # needs every daemon: vtysh


@pytest.mark.lab
def test_real_frr_over_vty(bed) -> None:  # type: ignore[no-untyped-def]
    """Against the twin node's real bgpd: the vty reply is what vtysh prints."""
    import json
    import subprocess

    async def main() -> tuple[Any, Any]:
        f = Frr(bed.eos_ns, bed.eos_ns, Path("/tmp"))
        try:
            v = f.vty("bgpd")
            raw = await v.command("show bgp vrf all summary json")
            assert raw is not None, "bgpd vty socket did not answer"
            return json.loads(raw), await f.show_json("show ip route json")
        finally:
            f.close()

    over_vty, routes = asyncio.run(main())
    ref = json.loads(
        subprocess.run(
            ["vtysh", "-N", bed.eos_ns, "-c", "show bgp vrf all summary json"],
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout
    )
    assert over_vty.keys() == ref.keys() and "default" in over_vty
    assert over_vty["default"]["ipv4Unicast"]["peers"].keys() == ref["default"]["ipv4Unicast"]["peers"].keys()
    assert routes  # zebra's socket answers too
