"""SR Linux JSON-RPC against the twin's real server (plain urllib): get, set, validate, diff, cli, errors,
confirmed commits with a device-side timer, checkpoints; replies compared with recorded real ones."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from fabric.vendors.srlinux.twin.config import parse_flat
from fabric.vendors.srlinux.twin.session import ConfigStore

from .conftest import PE2, Bed

REF = Path(__file__).resolve().parents[4] / "shared" / "reference" / "napalm-mocked-community" / "srlinux"


def _shape(x: Any) -> Any:
    """Keys and types, not values (what a real reply and ours must share)."""
    if isinstance(x, dict):
        return {k: _shape(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_shape(x[0])] if x else []
    return type(x).__name__


def test_get_running_whole_config_is_the_golden_config(bed: Bed) -> None:
    reply = bed.rpc("get", commands=[{"path": "/", "datastore": "running"}])
    (root,) = reply["result"]
    assert "srl_nokia-interfaces:interface" in root and "srl_nokia-network-instance:network-instance" in root
    ni = {n["name"]: n for n in root["srl_nokia-network-instance:network-instance"]}
    assert ni["default"]["type"] == "srl_nokia-network-instance:default"
    bgp = ni["default"]["protocols"]["srl_nokia-bgp:bgp"]
    assert bgp["afi-safi"][0]["afi-safi-name"] == "srl_nokia-common:ipv4-unicast"
    golden = parse_flat(PE2.read_text())
    from fabric.vendors.srlinux.twin.config import parse_json

    got = parse_json(root)
    for path in ("/interface[name=ethernet-1/1]", "/network-instance[name=default]", "/routing-policy"):
        assert got.get(path) == golden.get(path)


def test_get_wildcards_and_state_shapes_match_a_real_device(bed: Bed) -> None:
    reply = bed.rpc("get", commands=[
        {"path": "/interface[name=*]/subinterface", "datastore": "state"},
        {"path": "/system/information", "datastore": "state"},
        {"path": "/system/name/host-name", "datastore": "state"},
        {"path": "/interface[name=*]/description", "datastore": "running"},
    ])
    subs, info, host, desc = reply["result"]
    real = json.loads((REF / "test_get_interfaces_ip" / "normal" /
                       "_interface_name____subinterface__state.json").read_text())[0]
    assert list(subs) == list(real) == ["srl_nokia-interfaces:interface"]
    ours = next(i for i in subs["srl_nokia-interfaces:interface"] if i["name"] == "ethernet-1/1")
    theirs = real["srl_nokia-interfaces:interface"][0]
    assert set(_shape(ours)) <= set(_shape(theirs))
    sub_ours, sub_real = ours["subinterface"][0], theirs["subinterface"][0]
    for k in ("index", "admin-state", "ip-mtu", "name", "oper-state"):
        assert type(sub_ours[k]) is type(sub_real[k]), k
    assert sub_ours["ipv4"]["address"][0]["ip-prefix"] == "10.2.0.11/31"
    facts = json.loads(next((REF / "test_get_facts" / "normal").glob("_platform*")).read_text())
    assert host == "pe2" and isinstance(facts[2], str)
    assert {"version", "description", "last-booted", "current-datetime"} <= set(info) <= set(facts[1]) | {"x"}
    assert desc["srl_nokia-interfaces:interface"][-3] == {"name": "ethernet-1/1",
                                                          "description": "to p1 1/1/c4/1"}


def test_set_update_replace_delete_commit_atomically(bed: Bed) -> None:
    n = len(bed.twin.history)
    reply = bed.rpc("set", commands=[
        {"action": "update", "path": "/interface[name=ethernet-1/1]/description:via json-rpc"},
        {"action": "update", "path": "/interface[name=ethernet-1/3]", "value": {"admin-state": "enable"}},
        {"action": "replace", "path": "/system/name", "value": {"host-name": "pe2-x"}},
        {"action": "delete", "path": "/bfd"},
    ])
    assert reply["result"] == [{}, {}, {}, {}]
    assert len(bed.twin.history) == n + 1  # one commit for the whole request
    run = bed.twin.store.running
    assert run.get("/interface[name=ethernet-1/1]/description") == "via json-rpc"
    assert run.get("/system/name") == {"host-name": "pe2-x"} and run.get("/bfd") == {}
    # one bad command: nothing changes
    before = run.flat()
    bad = bed.rpc("set", commands=[
        {"action": "update", "path": "/interface[name=ethernet-1/1]/description", "value": "half"},
        {"action": "update", "path": "/interface[name=*]/description", "value": "wild"},
    ])
    assert bad["error"]["code"] == -1 and "wildcards" in bad["error"]["message"]
    assert bed.twin.store.running.flat() == before
    # the control plane refuses: the commit fails, nothing changes
    bed.twin.refuse = "refuse-me"
    bad = bed.rpc("set", commands=[{"action": "update", "path": "/interface[name=ethernet-1/1]/description",
                                    "value": "refuse-me"}])
    assert bad["error"] == {"code": -1, "message": "Error: Commit failed: control plane refused"}
    assert bed.twin.store.running.flat() == before


def test_validate_and_diff_change_nothing(bed: Bed) -> None:
    before = bed.twin.store.running.flat()
    cmds = [{"action": "update", "path": "/interface[name=ethernet-1/1]", "value": {"description": "d"}}]
    assert bed.rpc("validate", commands=cmds)["result"] == [{}]
    (diff,) = bed.rpc("diff", commands=cmds)["result"]
    assert diff == ("      interface ethernet-1/1 {\n"
                    "-         description \"to p1 1/1/c4/1\"\n"
                    "+         description d\n"
                    "      }\n")
    bad = bed.rpc("validate", commands=[{"action": "update", "path": "/interface[name=ethernet-1/1]",
                                         "value": {"admin-state": "up"}}])
    assert bad["error"]["code"] == -1 and "admin-state" in bad["error"]["message"]
    assert bed.twin.store.running.flat() == before


def test_cli_commands(bed: Bed) -> None:
    r = bed.rpc("cli", commands=["info flat network-instance mgmt", "show version", "info system name"],
                **{"output-format": "text"})
    flat, version, info = r["result"]
    assert "set / network-instance mgmt interface mgmt0.0\n" in flat["text"]
    assert "Software Version      : v24.10.1" in version["text"]
    assert info["text"] == ("    system {\n        name {\n            host-name pe2\n"
                            "            domain-name lab.local\n        }\n    }\n")
    j = bed.rpc("cli", commands=["show version", "info system name"])["result"]
    assert j[0]["basic system info"]["Hostname"] == "pe2"
    assert j[1] == {"host-name": "pe2", "domain-name": "lab.local"}
    r = bed.rpc("cli", commands=[
        "enter candidate private",
        "set / interface ethernet-1/1 description \"from cli\"",
        "interface ethernet-1/2 {",
        "admin-state disable",
        "}",
        "diff",
        "commit now",
        "info from running interface ethernet-1/2 admin-state",
    ], **{"output-format": "text"})
    diff = r["result"][5]["text"]
    assert "+         description \"from cli\"\n" in diff and "+         admin-state disable\n" in diff
    assert bed.twin.store.running.get("/interface[name=ethernet-1/2]/admin-state") == "disable"
    err = bed.rpc("cli", commands=["show version", "bogus command"])
    assert err["error"]["code"] == -1
    assert err["error"]["message"].startswith("Parsing error: Unknown token 'bogus'. Options are [")
    err = bed.rpc("cli", commands=["enter candidate", "set / foo bar"])
    assert err["error"]["message"].startswith("Parsing error: Unknown token 'foo'")


def test_protocol_errors_and_auth(bed: Bed) -> None:
    status, body = bed.post({"jsonrpc": "2.0", "id": 1, "method": "get", "params": {"commands": []}},
                            password="wrong")
    assert status == 401
    status, reply = bed.post(None, raw=b"{nope")
    assert status == 200 and reply["error"]["code"] == -32700
    status, reply = bed.post({"jsonrpc": "2.0", "id": 3, "method": "frobnicate", "params": {"commands": []}})
    assert reply["error"]["code"] == -32601 and reply["id"] == 3
    status, reply = bed.post({"jsonrpc": "2.0", "id": 4, "method": "get", "params": {}})
    assert reply["error"]["code"] == -32602
    status, reply = bed.post({"jsonrpc": "2.0", "id": 5, "method": "get",
                              "params": {"commands": [{"path": "/system/name", "datastore": "running"}]}},
                             https=True)
    assert status == 200 and reply["result"] == [{"host-name": "pe2", "domain-name": "lab.local"}]


def test_confirm_timeout_reverts_by_itself(bed: Bed, monkeypatch: Any) -> None:
    monkeypatch.setattr(ConfigStore, "seconds_scale", 0.01)  # 30 s -> 0.3 s
    reply = bed.rpc("set", commands=[{"action": "update", "path": "/system/name/host-name", "value": "tmp"}],
                    **{"confirm-timeout": 30})
    assert reply["result"] == [{}]
    assert bed.twin.hostname == "tmp"
    (state,) = bed.rpc("get", commands=[{"path": "/system/configuration/commit[id=*]",
                                         "datastore": "state"}])["result"]
    commits = state["commit"] if "commit" in state else state["srl_nokia-configuration:commit"]
    assert commits[0]["status"] == "unconfirmed"
    deadline = time.time() + 5
    while bed.call(lambda: bed.twin.hostname) == "tmp" and time.time() < deadline:
        time.sleep(0.05)
    assert bed.twin.hostname == "pe2"
    assert bed.twin.history[-1].get("/system/name/host-name") == "pe2"  # the control plane got it back
    # accepted in time: it stays
    bed.rpc("set", commands=[{"action": "update", "path": "/system/name/host-name", "value": "kept"}],
            **{"confirm-timeout": 30})
    assert bed.rpc("cli", commands=["tools system configuration confirmed-accept"])["result"] == [{}]
    time.sleep(0.5)
    assert bed.twin.hostname == "kept"
    # rejected: back at once
    bed.rpc("set", commands=[{"action": "update", "path": "/system/name/host-name", "value": "no"}],
            **{"confirm-timeout": 30})
    bed.rpc("set", datastore="tools", commands=[{"action": "update",
                                                 "path": "/system/configuration/confirmed-reject"}])
    assert bed.twin.hostname == "kept"
    err = bed.rpc("cli", commands=["tools system configuration confirmed-accept"])
    assert err["error"]["code"] == -1


def test_checkpoints_and_state_persist(bed: Bed) -> None:
    r = bed.rpc("cli", commands=['tools system configuration generate-checkpoint name before comment "x y"'])
    assert "Generated checkpoint 'before'" in r["result"][0]["text"]
    # (deleting /routing-policy itself is refused at commit: BGP still references its policies)
    bed.rpc("set", commands=[{"action": "delete", "path": "/system/name/domain-name"}])
    assert not bed.twin.store.running.get("/system/name/domain-name")
    bed.rpc("cli", commands=["enter candidate private", "load checkpoint id 0", "commit now"])
    assert bed.twin.store.running == parse_flat(bed.twin.store.checkpoint("before").config.flat())
    assert bed.twin.store.running.get("/system/name/domain-name") == "lab.local"
    d = bed.twin.state_dir
    assert (d / "checkpoint" / "checkpoint-0.json").exists() and (d / "running.json").exists()
    store = ConfigStore(d, bed.twin._activate)
    assert store.restore() and store.running == bed.twin.store.running
    assert store.checkpoints[0].name == "before" and store.checkpoints[0].comment == "x y"


def test_deleting_a_referenced_policy_is_refused_at_commit(bed: Bed) -> None:
    before = bed.twin.store.running.flat()
    r = bed.rpc("set", commands=[{"action": "delete", "path": "/routing-policy"}])
    assert r["error"]["code"] == -1 and "does not exist" in r["error"]["message"], r
    assert bed.twin.store.running.flat() == before
