"""Device filters (--hosts, --role, --platform, --tag) as every targeting command applies them, and the
rollout's narrowing of a playbook's targets to them."""

from __future__ import annotations

from pathlib import Path

import pytest

from fabric.design import load_fabric
from fabric.errors import FabricError
from fabric.targets import select_devices

ROOT = Path(__file__).resolve().parents[1]


def test_filters_combine_and_values_alternate() -> None:
    fab = load_fabric(ROOT / "inventory" / "dc1")
    assert select_devices(fab) is None  # no filter: every device
    assert select_devices(fab, roles=["spine"]) == ["spine1", "spine2"]
    assert select_devices(fab, platforms=["frr"]) == ["leaf3", "leaf4"]
    assert select_devices(fab, roles=["leaf"], platforms=["eos"]) == ["leaf1", "leaf2"]  # AND
    assert select_devices(fab, hosts=["leaf1", "spine1"], roles=["leaf", "spine"]) == ["leaf1", "spine1"]


def test_a_filter_that_picks_nothing_lists_what_exists() -> None:
    fab = load_fabric(ROOT / "inventory" / "dc1")
    with pytest.raises(FabricError) as e:
        select_devices(fab, roles=["border"])
    assert e.value.fix and "--role: leaf, spine" in e.value.fix and "--platform: eos, frr" in e.value.fix
    with pytest.raises(FabricError, match="unknown host"):
        select_devices(fab, hosts=["leaf9"])
    with pytest.raises(FabricError, match="need a fabric"):
        select_devices(None, roles=["leaf"])
    assert select_devices(None, hosts=["r1"]) == ["r1"]  # a lab without a fabric: names only


def test_tags_come_from_the_fabric_file(tmp_path: Path) -> None:
    import yaml

    data = yaml.safe_load((ROOT / "inventory" / "dc1" / "fabric.yaml").read_text())
    data["nodes"]["leaves"][0]["tags"] = ["canary"]
    (tmp_path / "fabric.yaml").write_text(yaml.safe_dump(data))
    assert select_devices(load_fabric(tmp_path), tags=["canary"]) == ["leaf1"]


def test_rollout_narrows_the_playbook_targets(monkeypatch: pytest.MonkeyPatch) -> None:
    from fabric.rollout.engine import FabricSource, Options, Rollout
    from fabric.rollout.playbook import load_playbook

    for p in ("EOS", "FRR"):
        monkeypatch.setenv(f"NETFABRIC_{p}_USERNAME", "ops")
        monkeypatch.setenv(f"NETFABRIC_{p}_PASSWORD", "x")
    pb = load_playbook(ROOT / "tasks" / "bgp-policy.yaml")
    src = FabricSource(str(ROOT / "inventory" / "dc1"))
    everything = Rollout(pb, src, Options()).targets
    narrowed = Rollout(pb, src, Options(only=["leaf3", "leaf4"])).targets
    assert set(narrowed) == {"leaf3", "leaf4"} <= set(everything)
    with pytest.raises(FabricError, match="leave none of the playbook's targets"):
        Rollout(pb, src, Options(only=["no-such"]))
