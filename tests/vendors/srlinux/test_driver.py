"""The SR Linux rollout driver against the twin's JSON-RPC server over HTTPS (Basic auth, self-signed
certificate), and its facts parser on real SR Linux replies recorded by napalm-srlinux.

What the rollout engine relies on: merge and replace (``delete /``) candidates, a diff that leaves
nothing behind, ``commit confirmed`` reverted by the device itself, confirmed-accept, rollback
(confirmed-reject while pending, the checkpoint afterwards) and the timer state from the commit list.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from _skip import need

from fabric.rollout.drivers import DriverError, Target, driver_for
from fabric.vendors.srlinux.driver import SrlinuxDriver, adjacencies, srlinux_facts

from .conftest import PE2, Bed

REF = Path(__file__).resolve().parents[4] / "shared" / "reference" / "napalm-mocked-community" / "srlinux"
CHANGE = "set / system name domain-name netfabric.example\n"


def _driver(bed: Bed, **kw: Any) -> SrlinuxDriver:
    d = driver_for(Target("pe2", "127.0.0.1", "srlinux", bed.user, bed.password, port=bed.https_port, **kw))
    assert isinstance(d, SrlinuxDriver)
    return d


def test_running_is_info_flat_and_merge_commit_confirmed_then_confirm(bed: Bed) -> None:
    d = _driver(bed)
    before = d.running()
    assert "set / system name domain-name lab.local\n" in before
    assert all(ln.startswith("set / ") for ln in before.splitlines())
    for ln in PE2.read_text().splitlines():  # the golden config as the device prints it
        assert ln in before.splitlines(), ln
    diff = d.diff(CHANGE, "merge")
    marked = {(ln[:1], ln[1:].strip()) for ln in diff.splitlines()}
    assert {("-", "domain-name lab.local"), ("+", "domain-name netfabric.example")} <= marked, diff
    assert d.running() == before  # the diff left nothing in running
    assert not bed.twin.store.candidates["netfabric-diff"].modified()  # ... nor in its candidate
    d.commit_confirmed(CHANGE, "merge", 120, "nf-r1")
    assert d.timer_state("nf-r1") == "armed"
    assert "set / system name domain-name netfabric.example" in d.running()
    assert bed.twin.store.pending is not None  # SR Linux's own timer runs on the device
    assert d.confirm("nf-r1") is True
    assert d.timer_state("nf-r1") == "confirmed" and bed.twin.store.pending is None
    assert d.confirm("nf-r1") is True  # idempotent (rollout resume)
    assert "set / system name domain-name netfabric.example" in d.running()
    # the checkpoint taken before the change, named after the token
    assert bed.twin.store.checkpoint("netfabric-nf-r1").config.get("/system/name/domain-name") == "lab.local"


def test_replace_is_delete_slash_and_rollback_while_pending(bed: Bed) -> None:
    d = _driver(bed)
    before = d.running()
    full = before.replace("description rr1", "description rr1-new").replace(
        "set / system lldp admin-state enable\n", "")
    diff = d.diff(full, "replace")
    assert "rr1-new" in diff and "lldp" in diff
    d.commit_confirmed(full, "replace", 120, "nf-r2")
    now = d.running()
    assert "description rr1-new" in now and "system lldp" not in now
    assert d.timer_state("nf-r2") == "armed"
    assert d.rollback("nf-r2") == "rolled_back"  # confirmed-reject
    assert d.normalise_config(d.running()) == d.normalise_config(before)
    assert d.timer_state("nf-r2") == "reverted"
    assert d.rollback("nf-r2") == "reverted_by_timer"  # idempotent: nothing left to undo


def test_rollback_after_confirm_loads_the_checkpoint(bed: Bed) -> None:
    d = _driver(bed)
    before = d.running()
    d.commit_confirmed(CHANGE + "delete / network-instance default protocols bgp neighbor 10.254.0.2\n",
                       "merge", 120, "nf-r3")
    assert d.confirm("nf-r3")
    assert "10.254.0.2" not in d.running()
    assert d.rollback("nf-r3") == "rolled_back"
    assert d.normalise_config(d.running()) == d.normalise_config(before)
    assert d.rollback("nf-r3") == "rolled_back"  # loading the same checkpoint again changes nothing
    assert d.normalise_config(d.running()) == d.normalise_config(before)


def test_unconfirmed_commit_reverts_on_the_device(bed: Bed) -> None:
    bed.call(lambda: setattr(bed.twin.store, "seconds_scale", 0.05))  # a device second of 50 ms
    d = _driver(bed)
    before = d.running()
    d.commit_confirmed(CHANGE, "merge", 20, "nf-r4")
    assert d.timer_state("nf-r4") == "armed"
    deadline = time.monotonic() + 10
    while d.timer_state("nf-r4") == "armed":
        assert time.monotonic() < deadline, "the device never reverted by itself"
        time.sleep(0.1)
    assert d.timer_state("nf-r4") == "reverted"
    assert d.confirm("nf-r4") is False
    assert d.rollback("nf-r4") == "reverted_by_timer"
    assert d.normalise_config(d.running()) == d.normalise_config(before)


def test_refused_changes_raise_and_change_nothing(bed: Bed) -> None:
    d = _driver(bed)
    before = d.running()
    with pytest.raises(DriverError, match="Unknown token"):  # a line the CLI refuses
        d.commit_confirmed(CHANGE + "set / frobnicate on\n", "merge", 120, "nf-r5")
    bed.twin.refuse = "refused-by-control-plane"
    with pytest.raises(DriverError, match="Commit failed"):  # a commit the device refuses
        d.commit_confirmed("set / system name domain-name refused-by-control-plane\n", "merge", 120, "nf-r6")
    bed.twin.refuse = ""
    assert d.running() == before and bed.twin.store.pending is None
    assert d.timer_state("nf-r6") == "none"
    assert d.rollback("nf-r6") == "rolled_back"  # nothing was committed: nothing to undo
    assert not any(c.modified() for c in bed.twin.store.candidates.values())  # nothing left behind
    d.commit_confirmed(CHANGE, "merge", 120, "nf-r7")  # the next change goes through cleanly
    assert d.running().count("domain-name") == 1 and d.confirm("nf-r7")


def test_a_second_confirmed_commit_while_one_is_pending_is_refused(bed: Bed) -> None:
    d = _driver(bed)
    d.commit_confirmed(CHANGE, "merge", 120, "nf-r8")
    with pytest.raises(DriverError, match="already waiting"):
        d.commit_confirmed("set / system lldp admin-state disable\n", "merge", 120, "nf-r9")
    assert d.timer_state("nf-r8") == "armed" and d.confirm("nf-r8")


def test_errors_wrong_password_and_no_device(bed: Bed) -> None:
    bad = driver_for(Target("pe2", "127.0.0.1", "srlinux", bed.user, "not-the-password", port=bed.https_port))
    with pytest.raises(DriverError, match="HTTP 401") as e:
        bad.running()
    assert not e.value.unreachable and "not-the-password" not in str(e.value)
    gone = driver_for(Target("pe2", "127.0.0.1", "srlinux", bed.user, bed.password, port=bed.http_port))
    assert isinstance(gone, SrlinuxDriver)
    gone.request_timeout = 3  # the plain HTTP server waits for a request line that never comes
    with pytest.raises(DriverError) as e2:  # TLS to a plain HTTP port: no management connection
        gone.running()
    assert e2.value.unreachable and bed.password not in str(e2.value)


def test_facts_from_the_twin(bed: Bed) -> None:
    f = _driver(bed).facts()
    assert f["interfaces"]["ethernet-1/1"] is True and f["interface_detail"]["mgmt0"]["admin_up"] is True
    assert set(f) >= {"bgp", "bgp_peers", "routes", "interfaces", "interface_detail"}


# ------------------------------------------------------------------ recorded real SR Linux replies
def _ref(test: str) -> list[Any]:
    folder = REF / test / "normal"
    need(folder.exists(), f"reference replies missing: {folder}")
    (f,) = [p for p in folder.glob("*.json") if p.name != "expected_result.json"]
    return json.loads(f.read_text())  # type: ignore[no-any-return]


def test_facts_parse_real_replies() -> None:
    bgp, info = _ref("test_get_bgp_neighbors")  # /network-instance[name=*]/protocols/bgp, /system/information
    ifs, _ = _ref("test_get_interfaces")  # /interface[name=*], /system/information
    # no recorded route-table reply: the documented shape (uint64 counters as strings)
    stats = {"statistics": {"active-routes": "12", "total-routes": "14"}}
    routes = {"srl_nokia-network-instance:network-instance": [
        {"name": "default", "route-table": {"srl_nokia-ip-route-tables:ipv4-unicast": stats}}]}
    f = srlinux_facts(bgp, ifs, routes, info)
    expected = json.loads((REF / "test_get_bgp_neighbors/normal/expected_result.json").read_text())
    want = expected["global"]["peers"]
    assert f["bgp"] == {ip: p["is_up"] for ip, p in want.items()} == {"10.0.0.2": True}
    peer = f["bgp_peers"]["10.0.0.2"]
    assert peer["up"] and peer["remote_as"] == want["10.0.0.2"]["remote_as"] == 65002
    assert peer["uptime"] == pytest.approx(want["10.0.0.2"]["uptime"], abs=1)  # NAPALM: 21 s
    assert f["routes"] == 12
    exp_if = json.loads((REF / "test_get_interfaces/normal/expected_result.json").read_text())
    assert f["interfaces"] == {n: i["is_up"] for n, i in exp_if.items()}
    assert f["interface_detail"]["ethernet-1/1"] == {"admin_up": True, "mtu": 9232}
    assert f["interface_detail"]["ethernet-1/4"] == {"admin_up": False, "mtu": None}
    # the same neighbours rooted where a reply to BGP_PATH starts (the bgp container), no prefixes
    bgp_ni = bgp["srl_nokia-network-instance:network-instance"][0]["protocols"]["srl_nokia-bgp:bgp"]
    assert srlinux_facts({"neighbor": bgp_ni["neighbor"]}, {}, {}, {})["bgp"] == {"10.0.0.2": True}
    # nothing configured: empty replies
    assert srlinux_facts({}, {}, {}, {}) == {"bgp": {}, "bgp_peers": {}, "routes": 0, "interfaces": {},
                                             "interface_detail": {}}


def test_adjacency_counts() -> None:
    isis = {"instance": [{"name": "FABRIC", "interface": [
        {"interface-name": "ethernet-1/1.0", "adjacency": [{"neighbor-system-id": "0102.5400.0001",
                                                            "adjacency-state": "up"}]},
        {"interface-name": "ethernet-1/2.0", "adjacency": [{"neighbor-system-id": "0102.5400.0002",
                                                            "adjacency-state": "down"}]}]}]}
    assert adjacencies(isis, "adjacency", "up") == {"up": 1, "total": 2}
    ospf = {"srl_nokia-ospf:instance": [{"name": "main", "area": [{"area-id": "0.0.0.0", "interface": [
        {"interface-name": "ethernet-1/1.0", "neighbor": [{"router-id": "10.0.0.1", "adjacency-state":
                                                           "srl_nokia-ospf-types:full"}]}]}]}]}
    assert adjacencies(ospf, "neighbor", "full") == {"up": 1, "total": 1}
