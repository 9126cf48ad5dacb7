"""eAPI: JSON-RPC ``runCmds`` on POST /command-api, as served by EOS.

Authentication as EOS takes it: HTTP Basic on every request (pyeapi, NAPALM), or a cookie session
from ``POST /login`` (``{"username", "password"}`` -> ``Set-Cookie: Session=...``) ended by
``POST /logout`` (asynceapi/ANTA with session auth). ``HEAD``/``GET /command-api`` answer 200 to an
authenticated client: ANTA probes the endpoint with HEAD before it sends any command.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from typing import TYPE_CHECKING, Any

from fabric.twins import jsonio
from fabric.twins.http import Request, Response
from fabric.vendors.eos.twin.session import CommandError, Context, _sanitize

if TYPE_CHECKING:
    from fabric.vendors.eos.twin.twin import EosTwin

log = logging.getLogger(__name__)


def _rpc_error(rid: Any, code: int, message: str, data: Any = None) -> Response:
    err: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        err["data"] = data
    return Response(200, json.dumps({"jsonrpc": "2.0", "id": rid, "error": err}).encode())


SESSION_TTL = 24 * 3600.0  # seconds a /login cookie stays valid without use
_DENIED = b"Unable to authenticate user: Bad username/password combination"
_EXPLORER = b"<html><body>Command API: POST JSON-RPC runCmds requests here.</body></html>\n"


def make_handler(twin: EosTwin):  # type: ignore[no-untyped-def]
    sessions: dict[str, float] = {}  # cookie -> last use (the cookie itself is never logged)

    def authenticated(req: Request) -> bool:
        cookie = req.cookie("Session")
        if cookie is not None and cookie in sessions:
            if time.monotonic() - sessions[cookie] < SESSION_TTL:
                sessions[cookie] = time.monotonic()
                return True
            del sessions[cookie]
        creds = req.basic_auth()
        return creds is not None and twin.check_credentials(*creds)

    async def handler(req: Request) -> Response:
        path = req.path.split("?")[0].rstrip("/") or "/"
        if path == "/login":
            return login(req)
        if path == "/logout":
            cookie = req.cookie("Session")
            if req.method != "POST" or cookie is None or sessions.pop(cookie, None) is None:
                return Response(401, _DENIED, "text/plain")
            return Response(200, b"{}", headers={"Set-Cookie": "Session=; Max-Age=0; Path=/"})
        if path != "/command-api":
            return Response(404, b"Not Found", "text/plain")
        if not authenticated(req):
            return Response(401, _DENIED, "text/plain", {"WWW-Authenticate": 'Basic realm="eAPI"'})
        if req.method in ("GET", "HEAD"):
            return Response(200, _EXPLORER, "text/html")
        if req.method != "POST":
            return Response(405, b"Method Not Allowed", "text/plain", {"Allow": "GET, HEAD, POST"})
        try:
            msg = json.loads(req.body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return _rpc_error(None, -32700, "Parse error")
        if not isinstance(msg, dict):
            return _rpc_error(None, -32600, "Invalid request")
        rid = msg.get("id")
        if msg.get("method") != "runCmds":
            return _rpc_error(rid, -32601, f"Method not found: {msg.get('method')!r}")
        params = msg.get("params")
        if not isinstance(params, dict) or not isinstance(params.get("cmds"), list):
            return _rpc_error(rid, -32602, "Invalid params: 'cmds' must be a list")
        version = params.get("version", 1)
        if version not in (1, "1", "latest"):
            return _rpc_error(rid, -32602, f"Invalid params: unsupported version {version!r}")
        fmt = params.get("format", "json")
        if fmt not in ("json", "text"):
            return _rpc_error(rid, -32602, "Invalid params: format must be 'json' or 'text'")
        return await run_cmds(twin, rid, params["cmds"], fmt)

    def login(req: Request) -> Response:
        if req.method != "POST":
            return Response(405, b"Method Not Allowed", "text/plain", {"Allow": "POST"})
        try:
            body = json.loads(req.body)
            user, password = str(body["username"]), str(body["password"])
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            return Response(400, b'Bad Request: expected {"username": ..., "password": ...}', "text/plain")
        if not twin.check_credentials(user, password):
            return Response(401, _DENIED, "text/plain")
        now = time.monotonic()
        for old in [c for c, used in sessions.items() if now - used >= SESSION_TTL]:
            del sessions[old]
        cookie = secrets.token_hex(16)
        sessions[cookie] = now
        return Response(200, b"{}", headers={"Set-Cookie": f"Session={cookie}; Path=/; HttpOnly"})

    return handler


async def run_cmds(twin: EosTwin, rid: Any, cmds: list[Any], fmt: str) -> Response:
    ctx = Context()
    results: list[Any] = []
    total = len(cmds)
    try:
        for i, c in enumerate(cmds, 1):
            if isinstance(c, dict):
                cmd = str(c.get("cmd", ""))
                # 'input' answers prompts such as the enable password; the twin has none.
            elif isinstance(c, str):
                cmd = c
            else:
                return _rpc_error(rid, -32602, "Invalid params: each command must be a string or object")
            try:
                res = await twin.execute(ctx, cmd, fmt)
            except CommandError as e:
                data = results + [{"errors": [e.message]}]
                what = "invalid command" if e.message.startswith("Invalid input") else "could not run command"
                return _rpc_error(rid, e.code, f"CLI command {i} of {total} '{cmd}' failed: {what}", data)
            except Exception:  # a twin bug answers like an EOS internal error, never a dead server
                log.exception("%s: command %r failed", twin.name, _sanitize(cmd))  # never log secrets
                data = results + [{"errors": ["Internal error"]}]
                return _rpc_error(
                    rid, 1000, f"CLI command {i} of {total} '{cmd}' failed: internal error", data
                )
            results.append(res if fmt == "json" else {"output": res if isinstance(res, str) else ""})
        return Response(200, jsonio.dumps({"jsonrpc": "2.0", "id": rid, "result": results}))
    finally:
        # Leaving the request ends the CLI; session edits stay in the session.
        if ctx.config is not None:
            await twin._leave_config(ctx)
        await twin.finish(ctx)
