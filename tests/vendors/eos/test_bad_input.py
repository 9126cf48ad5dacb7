"""Malformed and hostile input gets vendor-style errors; the server keeps serving."""

from __future__ import annotations

import base64
import http.client
import json
import socket

import pytest

from fabric.vendors.eos.twin.testbed import TestBed

pytestmark = pytest.mark.lab
AUTH = "Basic " + base64.b64encode(b"admin:admin").decode()


def _post(bed: TestBed, body: bytes, auth: str = AUTH) -> tuple[int, bytes]:
    c = http.client.HTTPConnection(bed.mgmt_ip, 80, timeout=10)
    c.request(
        "POST",
        "/command-api",
        body=body,
        headers={"Authorization": auth, "Content-Type": "application/json-rpc"},
    )
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data


def _rpc(cmds: list[object], method: str = "runCmds", fmt: str = "json") -> bytes:
    return json.dumps(
        {"jsonrpc": "2.0", "method": method, "id": "t", "params": {"version": 1, "cmds": cmds, "format": fmt}}
    ).encode()


def test_wrong_credentials_401(bed: TestBed) -> None:
    bad = "Basic " + base64.b64encode(b"admin:wrong").decode()
    status, _ = _post(bed, _rpc(["show version"]), bad)
    assert status == 401


def test_malformed_json_rpc(bed: TestBed) -> None:
    status, data = _post(bed, b"{not json")
    assert status == 200 and json.loads(data)["error"]["code"] == -32700
    assert json.loads(_post(bed, _rpc(["show version"], method="nope"))[1])["error"]["code"] == -32601
    assert json.loads(_post(bed, b'{"method": "runCmds", "params": {}}')[1])["error"]["code"] == -32602


def test_error_envelope_partial_results(bed: TestBed) -> None:
    _, data = _post(bed, _rpc(["show hostname", "show nonsense", "show version"]))
    err = json.loads(data)["error"]
    assert err["code"] == 1002
    assert err["message"] == "CLI command 2 of 3 'show nonsense' failed: invalid command"
    assert err["data"][0]["hostname"] == "twin1" and "errors" in err["data"][1] and len(err["data"]) == 2


def test_text_format_and_dict_commands(bed: TestBed) -> None:
    _, data = _post(bed, _rpc([{"cmd": "enable", "input": ""}, "show hostname"], fmt="text"))
    res = json.loads(data)["result"]
    assert res[1]["output"].startswith("Hostname: twin1")


def test_oversized_request(bed: TestBed) -> None:
    s = socket.create_connection((bed.mgmt_ip, 80), timeout=10)
    s.sendall(
        b"POST /command-api HTTP/1.1\r\nHost: x\r\nAuthorization: "
        + AUTH.encode()
        + b"\r\nContent-Length: 500000000\r\n\r\n"
    )
    assert b" 413 " in s.recv(200)
    s.close()


def test_abrupt_disconnects_do_not_hurt(bed: TestBed) -> None:
    for port in (22, 80, 443):
        s = socket.create_connection((bed.mgmt_ip, port), timeout=5)
        s.sendall(b"\x16\x03garbage\r\n\r\n" if port != 22 else b"SSH-2.0-x\r\n\x00\x01")
        s.close()
    s = socket.create_connection((bed.mgmt_ip, 80), timeout=5)
    s.sendall(b"POST /command-api HTTP/1.1\r\nContent-Length: 100\r\n\r\n{")  # body never finishes
    s.close()
    status, data = _post(bed, _rpc(["show hostname"]))
    assert status == 200 and json.loads(data)["result"][0]["hostname"] == "twin1"


def test_ssh_wrong_password(bed: TestBed) -> None:
    import paramiko

    c = paramiko.SSHClient()
    c.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    with pytest.raises(paramiko.AuthenticationException):
        c.connect(
            bed.mgmt_ip,
            username="admin",
            password="wrong",
            look_for_keys=False,
            allow_agent=False,
            timeout=10,
        )
    c.close()
