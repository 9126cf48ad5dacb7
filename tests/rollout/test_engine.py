"""Engine pieces that need no device: gates, neighbors, candidates, deep merge, planning."""

from __future__ import annotations

from pathlib import Path

from fabric.rollout.engine import FabricSource, candidates, deep_merge, evaluate_gate, neighbors_of
from fabric.rollout.playbook import Playbook

ROOT = Path(__file__).resolve().parents[2]


def src() -> FabricSource:
    return FabricSource(str(ROOT / "inventory" / "dc1"), platform_override="frr")


def test_deep_merge_named_lists() -> None:
    base = {"mtu": 9214, "nodes": {"leaves": [{"name": "a", "id": 1}, {"name": "b", "id": 2}]}}
    out = deep_merge(base, {"mtu": 9000, "nodes": {"leaves": [{"name": "b", "tags": ["x"]}]}})
    assert out["mtu"] == 9000
    assert {"name": "b", "id": 2, "tags": ["x"]} in out["nodes"]["leaves"] and len(
        out["nodes"]["leaves"]
    ) == 2
    assert base["mtu"] == 9214


def test_gate_device_neighbors_and_rules() -> None:
    fab = src().load()
    pb = Playbook.model_validate({"name": "t", "change": {"type": "golden"}})
    nbrs = neighbors_of(fab, "leaf1")
    assert set(nbrs) == {"spine1", "spine2"}
    ips = [n.ip for n in fab.devices["leaf1"].bgp.neighbors]  # type: ignore[union-attr]
    pre = {"bgp": {ip: True for ip in ips}}
    ok = evaluate_gate(pb, fab, "leaf1", pre, pre, {n: {"bgp": {ip: True}} for n, ip in nbrs.items()})
    assert ok["ok"] and {c["name"] for c in ok["checks"]} >= {"device.bgp", "neighbor.spine1.bgp"}
    post = {"bgp": {ips[0]: True, ips[1]: False}}
    bad = evaluate_gate(pb, fab, "leaf1", pre, post, {})
    assert not bad["ok"]
    failed = {c["name"] for c in bad["checks"] if not c["ok"]}
    assert failed == {"device.bgp", "snapshot.bgp_established"}
    nb_bad = evaluate_gate(pb, fab, "leaf1", pre, pre, {"spine1": {"bgp": {nbrs["spine1"]: False}}})
    assert [c["name"] for c in nb_bad["checks"] if not c["ok"]] == ["neighbor.spine1.bgp"]


def test_candidates_merge_per_platform_and_golden() -> None:
    s = src()
    fab = s.load()
    pb = Playbook.model_validate(
        {
            "name": "t",
            "change": {
                "type": "merge",
                "vars": {"lp": 150},
                "template": {"frr": "router bgp {{ intent.bgp.asn }}\n! {{ host }} {{ lp }}\n"},
            },
        }
    )
    c, mode = candidates(pb, s, fab, ["leaf1"])
    assert mode == "merge" and c["leaf1"] == "router bgp 65101\n! leaf1 150\n"
    pb = Playbook.model_validate({"name": "t", "change": {"type": "golden"}})
    c, mode = candidates(pb, s, fab, ["leaf1", "spine1"])
    assert mode == "replace" and "router bgp 65101" in c["leaf1"]
