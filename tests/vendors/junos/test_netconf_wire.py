"""The Junos twin's NETCONF framing and error replies as bytes on the wire (asyncssh client)."""

from __future__ import annotations

import asyncio

import asyncssh
from lxml import etree

from .conftest import Bed

NC = "urn:ietf:params:xml:ns:netconf:base:1.0"
EOM = "]]>]]>"
CLIENT_HELLO = (f'<hello xmlns="{NC}"><capabilities><capability>urn:ietf:params:netconf:base:1.0</capability>'
                f"</capabilities></hello>{EOM}")


async def _exchange(bed: Bed, messages: list[str]) -> tuple[str, list[str], bool]:
    async with asyncssh.connect("127.0.0.1", bed.port, username=bed.user, password=bed.password,
                                known_hosts=None) as conn:
        proc = await conn.create_process(subsystem="netconf", encoding="utf-8")
        hello = await asyncio.wait_for(proc.stdout.readuntil(EOM), 10)
        proc.stdin.write(CLIENT_HELLO)
        replies = []
        for m in messages:
            proc.stdin.write(m + EOM)
            replies.append((await asyncio.wait_for(proc.stdout.readuntil(EOM), 10))[: -len(EOM)])
        rest = await asyncio.wait_for(proc.stdout.read(), 10)  # close-session: the server ends it
        return hello, replies, rest == ""


def _xml(text: str) -> etree._Element:
    return etree.fromstring(text.strip().encode())


def test_hello_errors_and_close(bed: Bed) -> None:
    hello, replies, closed = asyncio.run(_exchange(bed, [
        '<rpc message-id="1"><get-config><source><running/>',  # not well-formed
        f'<rpc message-id="2" xmlns="{NC}"><get-frobs/></rpc>',
        f'<rpc message-id="3" xmlns="{NC}" xmlns:x="urn:x" x:tag="t"><get-config><source><running/></source>'
        "</get-config></rpc>",
        f'<rpc message-id="4" xmlns="{NC}"><load-configuration action="bogus" format="text">'
        "<configuration-text>system { }</configuration-text></load-configuration></rpc>",
        f'<rpc message-id="5" xmlns="{NC}"><close-session/></rpc>',
    ]))
    h = _xml(hello[: -len(EOM)].split("-->")[-1])
    assert etree.QName(h).namespace == NC
    assert int(h.findtext(f"{{{NC}}}session-id")) > 0
    r1, r2, r3, r4, r5 = (_xml(r) for r in replies)
    assert r1.findtext(f".//{{{NC}}}error-tag") == "malformed-message"
    assert r2.get("message-id") == "2" and r2.findtext(f".//{{{NC}}}error-severity") == "error"
    assert r2.findtext(f".//{{{NC}}}bad-element") == "get-frobs"
    assert r3.get("message-id") == "3" and r3.find(f"{{{NC}}}data/{{{NC}}}configuration") is not None
    assert r3.find(f"{{{NC}}}rpc-error") is None
    assert r4.findtext(f".//{{{NC}}}error-message").strip() == "invalid value for action: bogus"
    assert r5.find(f"{{{NC}}}ok") is not None
    assert closed


async def _chunked(bed: Bed, raw: list[bytes]) -> tuple[bytes, bool]:
    async with asyncssh.connect("127.0.0.1", bed.port, username=bed.user, password=bed.password,
                                known_hosts=None) as conn:
        proc = await conn.create_process(subsystem="netconf", encoding=None)
        await asyncio.wait_for(proc.stdout.readuntil(EOM.encode()), 10)
        proc.stdin.write(CLIENT_HELLO.replace("base:1.0", "base:1.1").encode())
        for r in raw:
            proc.stdin.write(r)
        out = b""
        while True:  # until the server ends the session (bounded by wait_for)
            piece = await asyncio.wait_for(proc.stdout.read(65536), 10)
            if not piece:
                return out, True
            out += piece


def test_chunked_framing_on_the_wire(bed: Bed) -> None:
    bed.twin.netconf_base11 = True
    rpc = f'<rpc message-id="7" xmlns="{NC}"><load-configuration action="set"><configuration-set>' \
          'set system location building "bâtiment"</configuration-set></load-configuration></rpc>'.encode()
    cut = rpc.index("â".encode()) + 1  # a chunk boundary inside a UTF-8 character
    close = f'<rpc message-id="8" xmlns="{NC}"><close-session/></rpc>'.encode()
    out, closed = asyncio.run(_chunked(bed, [
        b"\n#%d\n" % cut + rpc[:cut] + b"\n#%d\n" % (len(rpc) - cut) + rpc[cut:] + b"\n##\n",
        b"\n#%d\n" % len(close) + close + b"\n##\n",
    ]))
    assert closed and out.count(b"\n##\n") == 2 and out.startswith(b"\n#")
    assert b'message-id="7"' in out and b"<ok/>" in out
    assert 'building "bâtiment";' in bed.call(lambda: bed.twin.db.candidate.text())


def test_chunked_framing_error_ends_the_session(bed: Bed) -> None:
    bed.twin.netconf_base11 = True
    out, closed = asyncio.run(_chunked(bed, [b"this is not a chunk\n"]))
    assert closed and out == b""
