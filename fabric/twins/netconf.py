"""NETCONF over SSH for the twins (RFC 6241/6242): framing, the hello exchange and the rpc loop.

A vendor's NETCONF server subclasses ``NetconfTransport`` and implements ``handle(msg) -> reply``
(the whole ``<rpc-reply>`` text). Framing: NETCONF 1.0 (``]]>]]>``) until both hellos carry base:1.1,
then 1.1 chunked framing (RFC 6242 4.2). The subsystem's streams are bytes (a chunk counts octets and
may end inside a UTF-8 character); text streams work too. A message over ``MAX_MESSAGE`` or a framing
error ends the session instead of filling memory.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape

from lxml import etree

NC_NS = "urn:ietf:params:xml:ns:netconf:base:1.0"
BASE10 = "urn:ietf:params:netconf:base:1.0"
BASE11 = "urn:ietf:params:netconf:base:1.1"
EOM = b"]]>]]>"
MAX_MESSAGE = 16 * 1024 * 1024
_CHUNK = re.compile(rb"\n#([1-9][0-9]{0,9}|#)\n")
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False, huge_tree=False)


def local(el: Any) -> str:
    """An element's tag without its namespace ('' for comments and processing instructions)."""
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def child(el: Any, name: str) -> Any:
    """The first child element called ``name`` (any namespace), or None."""
    if el is None:
        return None
    for c in el:
        if local(c) == name:
            return c
    return None


def elements(el: Any) -> list[Any]:
    return [c for c in el if isinstance(c.tag, str)] if el is not None else []


def hello_xml(capabilities: list[str], session_id: int, *, prefix: str = "", indent: str = " ") -> str:
    """The server's ``<hello>``; ``prefix`` names the base namespace as some servers do (``nc:``),
    ``indent`` is one level of the server's pretty-printing (XR one space, Junos two)."""
    p = f"{prefix}:" if prefix else ""
    decl = f"xmlns:{prefix}" if prefix else "xmlns"
    i = indent
    caps = "".join(f"{i}{i}<{p}capability>{escape(c)}</{p}capability>\n" for c in capabilities)
    return (f'<{p}hello {decl}="{NC_NS}">\n{i}<{p}capabilities>\n{caps}{i}</{p}capabilities>\n'
            f"{i}<{p}session-id>{session_id}</{p}session-id>\n</{p}hello>\n")


# ---- subtree filtering (RFC 6241 6) -------------------------------------------------------------------
def _same(f: Any, d: Any) -> bool:
    fq, dq = etree.QName(f), etree.QName(d)
    return fq.localname == dq.localname and (not fq.namespace or fq.namespace == NC_NS
                                             or fq.namespace == dq.namespace)


def subtree(data: Any, flt: Any, keys: Mapping[str, tuple[str, ...]] | None = None) -> Any:
    """``data`` filtered by the subtree filter element ``flt`` (same top element), or None.

    ``keys``: list name -> its key leaves, which a server sending them (SR OS, RFC 6241 6.2.5 allows it)
    includes in every selected list entry, whatever the filter selects."""
    if not _same(flt, data):
        return None
    return _select(data, flt, keys or {})


def _select(d: Any, f: Any, keys: Mapping[str, tuple[str, ...]]) -> Any:
    fkids = elements(f)
    if not fkids:
        text = (f.text or "").strip()
        if text and (d.text or "").strip() != text:
            return None
        return _copy(d)
    matches = [c for c in fkids if not elements(c) and (c.text or "").strip()]
    for m in matches:
        if not any(_same(m, x) and (x.text or "").strip() == (m.text or "").strip() for x in elements(d)):
            return None
    out = etree.Element(d.tag, nsmap=d.nsmap)
    others = [c for c in fkids if c not in matches]
    if not others:
        return _copy(d)
    key_names = keys.get(local(d), ())
    for x in elements(d):
        if any(_same(m, x) for m in matches) or local(x) in key_names and not elements(x):
            out.append(_copy(x))
            continue
        for c in others:
            if _same(c, x):
                r = _select(x, c, keys)
                if r is not None:
                    out.append(r)
                break
    return out


def _copy(el: Any) -> Any:
    return etree.fromstring(etree.tostring(el))


class NetconfTransport:
    """One NETCONF session on an asyncssh server process (the ``netconf`` subsystem)."""

    def __init__(self, process: Any) -> None:
        self.process = process
        self.chunked = False
        self.closing = False
        self.client_capabilities: set[str] = set()
        self._buf = bytearray()
        self._binary = process.channel.get_encoding()[0] is None

    # ---- framing ---------------------------------------------------------------------------
    def send(self, text: str) -> None:
        data = text.encode()
        out = b"\n#%d\n%s\n##\n" % (len(data), data) if self.chunked else data + EOM
        self.process.stdout.write(out if self._binary else out.decode())

    async def _fill(self) -> bool:
        try:
            data = await self.process.stdin.read(65536)
        except Exception:  # the channel went away
            return False
        if not data:
            return False
        self._buf += data if isinstance(data, bytes) else data.encode()
        return True

    async def read_message(self) -> str | None:
        """The next message, or None at EOF or on a framing error (the session then ends)."""
        if not self.chunked:
            while True:
                i = self._buf.find(EOM)
                if i >= 0:
                    msg = bytes(self._buf[:i])
                    del self._buf[: i + len(EOM)]
                    return msg.decode(errors="replace")
                if len(self._buf) > MAX_MESSAGE or not await self._fill():
                    return None
        parts: list[bytes] = []
        total = 0
        while True:
            while (m := _CHUNK.match(self._buf)) is None:
                # a chunk header is at most "\n#4294967295\n": anything else is a framing error
                if len(self._buf) >= 2 and not self._buf.startswith(b"\n#") or len(self._buf) > 14:
                    return None
                if not await self._fill():
                    return None
            word = bytes(m.group(1))  # before the buffer changes: a match reads the live bytearray
            del self._buf[: m.end()]
            if word == b"#":
                return b"".join(parts).decode(errors="replace")
            size = int(word)
            total += size
            if total > MAX_MESSAGE:
                return None
            while len(self._buf) < size:
                if not await self._fill():
                    return None
            parts.append(bytes(self._buf[:size]))
            del self._buf[:size]

    # ---- session -----------------------------------------------------------------------------
    async def exchange_hello(self, hello: str, *, base11: bool = True, require_base: bool = True) -> bool:
        """Send our hello, read the client's. False when the client's first message is not a hello
        or (with ``require_base``) has no base capability (RFC 6241 8.1: the session is then closed).
        ``base11``: whether our hello offered base:1.1, so that chunked framing may follow."""
        self.send(hello)
        first = await self.read_message()
        if first is None:
            return False
        try:
            client = etree.fromstring(first.strip().encode(), PARSER)
        except etree.XMLSyntaxError:
            return False
        if local(client) != "hello":
            return False
        self.client_capabilities = {(c.text or "").strip() for c in client.iter() if local(c) == "capability"}
        if require_base and not self.client_capabilities & {BASE10, BASE11}:
            return False
        self.chunked = base11 and BASE11 in self.client_capabilities
        return True

    async def loop(self) -> None:
        """Answer rpcs until the client closes, ``closing`` is set, or the framing breaks."""
        while not self.closing:
            msg = await self.read_message()
            if msg is None:
                break
            if not msg.strip():
                continue
            self.send(await self.handle(msg))
            with contextlib.suppress(Exception):
                await self.process.stdout.drain()

    async def handle(self, msg: str) -> str:  # pragma: no cover - abstract
        raise NotImplementedError
