"""SR Linux JSON-RPC on ``/jsonrpc`` (HTTP 80, HTTPS 443, Basic auth): get, set, validate, diff, cli.

Request and reply follow SR Linux's JSON-RPC 2.0 server: ``result`` is a list with one entry per
command; an application error is ``{"code": -1, "message": "<SR Linux's error text>"}``, protocol
errors use the JSON-RPC codes (-32700 parse, -32600 invalid request, -32601 unknown method, -32602
invalid params). ``set`` works on a private candidate of its own, committed at the end of the request
(all commands or none; ``confirm-timeout`` makes it a confirmed commit); ``validate`` and ``diff`` do
the same without committing. What we could not check against a device: the exact messages of the
protocol errors, and that ``diff`` with text output answers a list holding one string.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from fabric.twins.http import Request, Response
from fabric.vendors.srlinux.twin import state
from fabric.vendors.srlinux.twin.cli import CliSession
from fabric.vendors.srlinux.twin.config import (
    Config,
    ConfigError,
    _set_at,
    canonical,
    delete_at,
    get_at,
    parse_path,
    strip_prefix,
    with_prefixes,
)
from fabric.vendors.srlinux.twin.session import srl_diff

if TYPE_CHECKING:
    from fabric.vendors.srlinux.twin.twin import SrlinuxTwin

log = logging.getLogger(__name__)
METHODS = ("get", "set", "validate", "diff", "cli")
ACTIONS = ("update", "replace", "delete")


class RpcError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _reply(rid: Any, result: Any = None, error: RpcError | None = None) -> Response:
    body: dict[str, Any] = {"jsonrpc": "2.0", "id": rid}
    if error is not None:
        body["error"] = {"code": error.code, "message": error.message}
    else:
        body["result"] = result
    return Response(200, json.dumps(body).encode())


def make_handler(twin: SrlinuxTwin):  # type: ignore[no-untyped-def]
    async def handler(req: Request) -> Response:
        if req.path.split("?")[0].rstrip("/") != "/jsonrpc":
            return Response(404, b"Not Found", "text/plain")
        creds = req.basic_auth()
        if creds is None or not twin.check_credentials(*creds):
            return Response(401, b"Unauthorized", "text/plain", {"WWW-Authenticate": 'Basic realm="jsonrpc"'})
        if req.method == "HEAD":  # NAPALM's open()/is_alive() probe
            return Response(200, b"")
        if req.method != "POST":
            return Response(405, b"Method Not Allowed", "text/plain", {"Allow": "POST"})
        try:
            msg = json.loads(req.body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return _reply(None, error=RpcError(-32700, "Parse error"))
        if not isinstance(msg, dict) or msg.get("jsonrpc") != "2.0" or not isinstance(msg.get("method"), str):
            return _reply(msg.get("id") if isinstance(msg, dict) else None,
                          error=RpcError(-32600, "Invalid Request"))
        rid = msg.get("id")
        method = msg["method"]
        if method not in METHODS:
            return _reply(rid, error=RpcError(-32601, f"Method not found: '{method}'"))
        params = msg.get("params")
        if not isinstance(params, dict) or not isinstance(params.get("commands"), list):
            return _reply(rid, error=RpcError(-32602, "Invalid params: 'commands' must be a list"))
        user = creds[0]
        try:
            result = await _dispatch(twin, method, params, user)
        except RpcError as e:
            return _reply(rid, error=e)
        except ConfigError as e:
            return _reply(rid, error=RpcError(-1, e.message))
        except Exception:  # a twin bug answers as an error, never a dead server
            log.exception("%s: JSON-RPC %s failed", twin.name, method)  # params may hold secrets: not logged
            return _reply(rid, error=RpcError(-1, "Internal error"))
        return _reply(rid, result)

    return handler


async def _dispatch(twin: SrlinuxTwin, method: str, params: dict[str, Any], user: str) -> Any:
    commands = params["commands"]
    if method == "cli":
        return await _cli(twin, commands, str(params.get("output-format", "json")), user)
    if method == "get":
        tree = await _state(twin, commands, params)
        return [_get(twin, c, params, tree) for c in commands]
    datastore = str(params.get("datastore", "candidate"))
    if method == "set" and datastore == "tools":
        return [await _tools(twin, c) for c in commands]
    if datastore != "candidate":
        raise RpcError(-1, f"Error: the {method} method is not supported on the '{datastore}' datastore")
    new = _edited(twin.store.running, commands)
    if method == "validate":
        twin.validate(new)
        return [{} for _ in commands]
    if method == "diff":
        text = srl_diff(twin.store.running, new)
        if params.get("output-format") == "json":
            return [{"text": text}]
        return [text]
    timeout = params.get("confirm-timeout")
    if timeout is not None and (not isinstance(timeout, int) or isinstance(timeout, bool) or timeout < 1):
        raise RpcError(-32602, "Invalid params: 'confirm-timeout' must be a positive integer")
    twin.validate(new)
    cand = twin.store.enter("private", None, user)
    try:
        cand.config = new
        await twin.store.commit(cand, confirmed=timeout is not None, timeout=timeout or 600, user=user,
                                session="json-rpc")
    finally:
        twin.store.leave(cand)
    return [{} for _ in commands]


def _split_value(path: str) -> tuple[str, Any]:
    """``/interface[name=mgmt0]/description:text``: SR Linux's path:value shorthand."""
    depth, cut = 0, -1
    for i, ch in enumerate(path):
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif ch == "/" and depth == 0:
            cut = -1
        elif ch == ":" and depth == 0 and cut < 0:
            cut = i
    if cut < 0:
        return path, None
    seg_start = path.rfind("/", 0, cut) + 1
    if strip_prefix(path[seg_start:]) != path[seg_start:]:  # a module prefix, not a value
        rest = path[seg_start:]
        stripped = strip_prefix(rest)
        head, value = _split_value(path[:seg_start] + stripped)
        return head, value
    return path[:cut], path[cut + 1:]


def _edited(running: Config, commands: list[Any]) -> Config:
    new = running.copy()
    for n, c in enumerate(commands, 1):
        if not isinstance(c, dict) or "path" not in c or c.get("action") not in ACTIONS:
            raise RpcError(-32602, f"Invalid params: command {n} needs 'action' (update, replace or delete) "
                                   "and 'path'")
        path, inline = _split_value(str(c["path"]))
        value = c.get("value", inline)
        steps = parse_path(path)
        if c["action"] == "delete":
            delete_at(new.data, steps)
        else:
            if value is None:
                raise RpcError(-1, f"Error: a value is needed for {c['action']} of '{c['path']}'")
            _set_at(new.data, steps, value, replace=c["action"] == "replace")
    return new


async def _state(twin: SrlinuxTwin, commands: list[Any], params: dict[str, Any]) -> dict[str, Any] | None:
    """The state datastore with live state, once per request, for the paths that read it."""
    paths = [str(c["path"]) for c in commands if isinstance(c, dict) and "path" in c
             and str(c.get("datastore", params.get("datastore", "running"))) == "state"]
    if not paths:
        return None
    try:
        live = await state.gather(twin, state.sources_for(paths))
    except state.StateError as e:
        log.warning("%s: state not available: %s", twin.name, e)
        # wording approximated: a device whose app does not answer fails the get the same way
        raise RpcError(-1, f"Error: state not available: {e}") from None
    return twin.state_tree(live)


def _get(twin: SrlinuxTwin, c: Any, params: dict[str, Any], tree: dict[str, Any] | None = None) -> Any:
    if not isinstance(c, dict) or "path" not in c:
        raise RpcError(-32602, "Invalid params: each command needs a 'path'")
    ds = str(c.get("datastore", params.get("datastore", "running")))
    if ds == "running":
        data = twin.store.running.data
    elif ds == "candidate":
        data = twin.store.enter("shared", None, "admin").config.data
    elif ds == "state":
        data = tree if tree is not None else twin.state_tree()
    elif ds == "tools":
        raise RpcError(-1, "Error: the get method cannot be used with the tools datastore")
    else:
        raise RpcError(-32602, f"Invalid params: unknown datastore '{ds}'")
    if c.get("yang-models", params.get("yang-models", "srl")) != "srl":
        raise RpcError(-1, "Error: only the 'srl' yang-models are modelled by this device")
    got = get_at(canonical(data), parse_path(str(c["path"])))
    if c.get("recursive") is False and isinstance(got, dict):
        got = {k: v for k, v in got.items() if not isinstance(v, dict | list) or v == [None]
               or isinstance(v, list) and v and not isinstance(v[0], dict)}
    # ``include-field-defaults``: the twin has no YANG defaults to add, so the reply is the same
    return _prefixed(parse_path(str(c["path"])), got, state.prefixed if ds == "state" else with_prefixes)


def _prefixed(steps: list[Any], got: Any, prefix: Any = with_prefixes) -> Any:
    """Module prefixes as the server adds them to a reply (relative to what the reply's root is)."""
    names = [n for n, _kv in steps]
    for i, (n, kv) in enumerate(steps):
        # a reply that starts at the first list step without one entry: its root is that list's parent
        if isinstance(got, dict) and list(got) == [n] and isinstance(got[n], list) and (
                not kv or "*" in kv.values()):
            return prefix(got, names[i - 2] if i > 1 else "", names[i - 1] if i else "")
    return prefix(got, names[-2] if len(names) > 1 else "", names[-1] if names else "")


async def _tools(twin: SrlinuxTwin, c: Any) -> Any:
    path = str(c.get("path", "")) if isinstance(c, dict) else ""
    steps = [n for n, _kv in parse_path(path)]
    value = c.get("value") if isinstance(c, dict) else None
    if steps == ["system", "configuration", "confirmed-accept"]:
        await twin.store.confirmed_accept()
    elif steps == ["system", "configuration", "confirmed-reject"]:
        await twin.store.confirmed_reject()
    elif steps == ["system", "configuration", "generate-checkpoint"]:
        v = value if isinstance(value, dict) else {}
        twin.store.generate_checkpoint(str(v.get("name", "")), str(v.get("comment", "")))
    else:
        raise RpcError(-1, f"Error: Path not valid - unknown tools path '{path}'")
    return {}


async def _cli(twin: SrlinuxTwin, commands: list[Any], fmt: str, user: str) -> list[Any]:
    if fmt not in ("json", "text", "table"):
        raise RpcError(-32602, f"Invalid params: unknown output-format '{fmt}'")
    session = CliSession(twin, user)
    results: list[Any] = []
    try:
        for c in commands:
            if not isinstance(c, str):
                raise RpcError(-32602, "Invalid params: cli commands are strings")
            results.append(await session.run(c, "json" if fmt == "json" else "text"))
    finally:
        session.close()
    return results
