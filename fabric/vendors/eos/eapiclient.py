"""eAPI's runCmds over one kept-alive HTTP(S) connection: what state collection sends to an EOS device.

Written on http.client rather than through pyeapi (which NAPALM's eos driver and the rollout still use)
because pyeapi's send() renders every reply into a debug log string even when logging is off
(``'eapi_response: %s' % decoded``): for the 290 KB reply of a dc-large spine's validation batch that
cost more than decoding it, about 10 % of a whole validation's CPU. The protocol is small and
documented (Arista's eAPI guide: JSON-RPC 2.0, ``POST /command-api``, Basic auth), so this sends the
request pyeapi sends and decodes the reply with orjson.
"""

from __future__ import annotations

import base64
import functools
import http.client
import ssl
from typing import Any

import orjson


@functools.cache
def tls_context() -> ssl.SSLContext:
    """What pyeapi uses when given no context (certificates not verified, as NAPALM's eos driver and
    pyeapi do by default: a switch's eAPI certificate is self-signed), made once per process."""
    return ssl._create_unverified_context()  # noqa: S323 - pyeapi's own default, lab certificates are self-signed


class EapiError(Exception):
    """The device refused the request (HTTP status) or sent something that is not a JSON-RPC reply."""


class CommandError(EapiError):
    """A command of the batch failed (eAPI's JSON-RPC error: code and message, as pyeapi raises)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"Error [{code}]: {message}")
        self.code, self.message = code, message


class Eapi:
    def __init__(self, host: str, username: str, password: str, *, transport: str = "https",
                 port: int | None = None, timeout: float = 60.0) -> None:
        if transport not in ("https", "http"):
            raise EapiError(f"eAPI transport {transport!r}: only https and http are supported")
        self.host, self.transport, self.timeout = host, transport, timeout
        self.port = port or (443 if transport == "https" else 80)
        token = base64.b64encode(f"{username}:{password}".encode()).decode()
        self._headers = {"Content-Type": "application/json-rpc", "Authorization": f"Basic {token}"}
        self._conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            if self.transport == "https":
                self._conn = http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout,
                                                         context=tls_context())
            else:
                self._conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self._conn

    def run_cmds(self, commands: list[str], encoding: str = "json") -> list[Any]:
        """One runCmds request; its results, one per command (text: ``{"output": ...}``)."""
        body = orjson.dumps({"jsonrpc": "2.0", "method": "runCmds", "id": "netfabric",
                             "params": {"version": 1, "cmds": commands, "format": encoding}})
        conn = self._connection()
        try:
            conn.request("POST", "/command-api", body, self._headers)
            resp = conn.getresponse()
            data = resp.read()
        except BaseException:
            self.close()  # the connection's state is unknown after any failure
            raise
        if resp.status != 200:
            self.close()
            raise EapiError(f"eAPI {self.host}: HTTP {resp.status} {resp.reason}")
        try:
            reply = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise EapiError(f"eAPI {self.host}: the reply is not JSON") from exc
        if not isinstance(reply, dict):
            raise EapiError(f"eAPI {self.host}: the reply is not a JSON-RPC response")
        if "error" in reply:
            err = reply["error"] if isinstance(reply["error"], dict) else {"message": str(reply["error"])}
            details = [e for d in err.get("data") or [] if isinstance(d, dict) for e in d.get("errors") or []]
            message = str(err.get("message", "")) + (f" ({'; '.join(details)})" if details else "")
            raise CommandError(int(err.get("code", 0) or 0), message)
        result = reply.get("result")
        if not isinstance(result, list) or len(result) != len(commands):
            raise EapiError(f"eAPI {self.host}: the reply has no result per command")
        return result

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
