"""The eAPI client of state collection (fabric.vendors.eos.eapiclient) against replies a device should
never send, from a stand-in HTTP server on 127.0.0.1: each is an EapiError that names the device,
never a crash or a password. (Real replies: tests/vendors/eos/test_clients.py, on the twin.)"""

from __future__ import annotations

import base64
import http.server
import json
import threading
from collections.abc import Iterator

import pytest

from fabric.vendors.eos.eapiclient import CommandError, Eapi, EapiError

REPLY: dict[str, tuple[int, bytes]] = {}
SEEN: list[dict[str, object]] = []


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        SEEN.append({"path": self.path, "auth": self.headers["Authorization"], "body": body,
                     "type": self.headers["Content-Type"]})
        status, data = REPLY["next"]
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        yield srv.server_address[1]
    finally:
        srv.shutdown()
        srv.server_close()


def _api(port: int) -> Eapi:
    return Eapi("127.0.0.1", "admin", "s3cret-pw", transport="http", port=port, timeout=5)


def test_request_is_eapi_json_rpc(port: int) -> None:
    REPLY["next"] = (200, json.dumps({"jsonrpc": "2.0", "id": "x", "result": [{"a": 1}, {"b": 2}]}).encode())
    api = _api(port)
    try:
        assert api.run_cmds(["show version", "show hostname"]) == [{"a": 1}, {"b": 2}]
    finally:
        api.close()
    req = SEEN[-1]
    assert req["path"] == "/command-api" and req["type"] == "application/json-rpc"
    assert req["auth"] == "Basic " + base64.b64encode(b"admin:s3cret-pw").decode()
    assert req["body"] == {"jsonrpc": "2.0", "method": "runCmds", "id": "netfabric",
                           "params": {"version": 1, "cmds": ["show version", "show hostname"],
                                      "format": "json"}}


@pytest.mark.parametrize(("status", "data", "match"), [
    (200, b"<html>not json</html>", "not JSON"),
    (200, b"[1, 2]", "not a JSON-RPC response"),
    (200, b'{"jsonrpc": "2.0", "result": [{}]}', "no result per command"),
    (200, b'{"jsonrpc": "2.0", "result": {"a": 1}}', "no result per command"),
    (500, b"oops", "HTTP 500"),
    (401, b"Unauthorized", "HTTP 401"),
])
def test_bad_replies_are_errors(port: int, status: int, data: bytes, match: str) -> None:
    REPLY["next"] = (status, data)
    api = _api(port)
    try:
        with pytest.raises(EapiError, match=match) as err:
            api.run_cmds(["show version", "show hostname"])
    finally:
        api.close()
    assert "127.0.0.1" in str(err.value) and "s3cret-pw" not in str(err.value)


def test_command_error_carries_code_and_messages(port: int) -> None:
    REPLY["next"] = (200, json.dumps({"jsonrpc": "2.0", "id": "x", "error": {
        "code": 1002, "message": "CLI command 2 of 2 'show bogus' failed: invalid command",
        "data": [{"modelName": "cEOSLab"}, {"errors": ["Invalid input (at token 1: 'bogus')"]}]}}).encode())
    api = _api(port)
    try:
        with pytest.raises(CommandError) as err:
            api.run_cmds(["show version", "show bogus"])
    finally:
        api.close()
    assert err.value.code == 1002
    assert "show bogus" in err.value.message and "Invalid input" in err.value.message
    REPLY["next"] = (200, b'{"jsonrpc": "2.0", "error": "broken"}')
    api = _api(port)
    try:
        with pytest.raises(CommandError, match="broken"):
            api.run_cmds(["show version"])
    finally:
        api.close()
