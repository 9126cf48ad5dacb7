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
