"""A minimal HTTP/1.1 server for eAPI-style JSON-RPC endpoints.

Written on asyncio streams instead of adding aiohttp: the twin only needs
GET/HEAD/POST with Content-Length, Basic auth, cookies and keep-alive, and must accept a socket
pre-bound inside another network namespace.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import socket
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)
MAX_BODY = 4 * 1024 * 1024  # eAPI requests are small; refuse anything huge
MAX_HEADER = 16 * 1024


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    version: str = "HTTP/1.1"

    def basic_auth(self) -> tuple[str, str] | None:
        auth = self.headers.get("authorization", "")
        if not auth.lower().startswith("basic "):
            return None
        try:
            user, _, pw = base64.b64decode(auth[6:].strip()).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return None
        return user, pw

    def cookie(self, name: str) -> str | None:
        for part in self.headers.get("cookie", "").split(";"):
            k, _, v = part.strip().partition("=")
            if k == name:
                return v
        return None


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] | None = None


Handler = Callable[[Request], Awaitable[Response]]
_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Payload Too Large",
    500: "Internal Server Error",
}


async def serve_http(sock: object, handler: Handler, ssl_ctx: ssl.SSLContext | None = None) -> asyncio.Server:
    async def conn(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # No Nagle, as nginx in front of EOS's eAPI (tcp_nodelay): over TLS a small reply left the
        # twin in two segments, the second held until the client's delayed ACK, 40 ms per request
        sock = writer.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while True:
                req = await _read_request(reader)
                if req is None:
                    break
                if isinstance(req, Response):
                    await _write(writer, req, close=True)
                    break
                try:
                    resp = await handler(req)
                except Exception:  # a handler bug must not kill the server
                    log.exception("handler failed")
                    resp = Response(500, b'{"error": "internal error"}')
                conn_hdr = req.headers.get("connection", "").lower()
                # HTTP/1.0 closes unless asked to keep alive; 1.1 keeps alive unless asked to close
                close = conn_hdr == "close" or (req.version == "HTTP/1.0" and conn_hdr != "keep-alive")
                await _write(writer, resp, close, head_only=req.method == "HEAD")
                if close:
                    break
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError, TimeoutError):
            pass
        finally:
            writer.close()

    return await asyncio.start_server(conn, sock=sock, ssl=ssl_ctx)  # type: ignore[arg-type]


async def _read_request(reader: asyncio.StreamReader) -> Request | Response | None:
    try:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=300)
    except asyncio.LimitOverrunError:
        return Response(413, b"header too large", "text/plain")
    except asyncio.IncompleteReadError:
        return None
    if len(head) > MAX_HEADER:
        return Response(413, b"header too large", "text/plain")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split()
    if len(parts) != 3:
        return Response(400, b"bad request line", "text/plain")
    headers = {}
    for h in lines[1:]:
        if ":" in h:
            k, v = h.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    try:
        length = int(headers.get("content-length", "0"))
    except ValueError:
        return Response(400, b"bad content-length", "text/plain")
    if length > MAX_BODY or length < 0:
        return Response(413, b"request body too large", "text/plain")
    body = await reader.readexactly(length) if length else b""
    return Request(parts[0], parts[1], headers, body, parts[2])


async def _write(writer: asyncio.StreamWriter, resp: Response, close: bool, head_only: bool = False) -> None:
    hdrs = {
        "Content-Type": resp.content_type,
        "Content-Length": str(len(resp.body)),
        "Server": "netfabric-twin",
        "Connection": "close" if close else "keep-alive",
    }
    hdrs.update(resp.headers or {})
    head = f"HTTP/1.1 {resp.status} {_REASONS.get(resp.status, 'OK')}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in hdrs.items()) + "\r\n"
    # HEAD: the headers a GET would get (Content-Length included), never the body
    writer.write(head.encode() + (b"" if head_only else resp.body))
    await writer.drain()
