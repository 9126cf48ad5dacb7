"""Playbook validation: shipped playbooks load; bad ones name the file, line, key and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from fabric.design import load_fabric
from fabric.errors import FabricError
from fabric.rollout.playbook import load_playbook, select_targets

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["golden-push", "bgp-policy", "drain", "undrain", "mtu-change"])
def test_shipped_playbooks_load(name: str) -> None:
    pb = load_playbook(ROOT / "tasks" / f"{name}.yaml")
    assert pb.name == name


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "pb.yaml"
    p.write_text(text)
    return p


def test_typo_names_file_line_key_fix(tmp_path: Path) -> None:
    p = _write(tmp_path, "name: x\nchange:\n  type: golden\nwaves:\n  canery: 1\n")
    with pytest.raises(FabricError) as e:
        load_playbook(p)
    assert e.value.key == "waves.canery" and e.value.line == 5 and e.value.file == str(p)
    assert "unknown key" in e.value.message and e.value.fix


def test_merge_needs_template(tmp_path: Path) -> None:
    with pytest.raises(FabricError) as e:
        load_playbook(_write(tmp_path, "name: x\nchange:\n  type: merge\n"))
    assert "template" in e.value.message and e.value.key == "change"


def test_bad_wave_size_and_check(tmp_path: Path) -> None:
    with pytest.raises(FabricError) as e:
        load_playbook(_write(tmp_path, "name: x\nchange: {type: golden}\nwaves: {sizes: ['150%']}\n"))
    assert "percentage" in e.value.message and e.value.key.startswith("waves.sizes")
    with pytest.raises(FabricError) as e:
        load_playbook(_write(tmp_path, "name: x\nchange: {type: golden}\ngates: {device: [bgpp]}\n"))
    assert "bgpp" in e.value.message


def test_commit_confirm_bounds(tmp_path: Path) -> None:
    with pytest.raises(FabricError) as e:
        load_playbook(_write(tmp_path, "name: x\nchange: {type: golden}\ncommit_confirm: 1\n"))
    assert e.value.key == "commit_confirm"


def test_commit_confirm_must_outlast_the_gate(tmp_path: Path) -> None:
    text = "name: x\nchange: {type: golden}\ngates: {convergence_wait: 2, convergence_timeout: 30}\n"
    with pytest.raises(FabricError) as e:
        load_playbook(_write(tmp_path, text + "commit_confirm: 30\n"))
    assert e.value.key == "commit_confirm" and e.value.line == 4
    assert "does not outlast the gate" in e.value.message and "above 33" in e.value.message
    assert load_playbook(_write(tmp_path, text + "commit_confirm: 33\n")).commit_confirm == 33


def test_targets_filters(tmp_path: Path) -> None:
    fab = load_fabric(ROOT / "inventory" / "dc1")
    pb = load_playbook(
        _write(tmp_path, "name: x\nchange: {type: golden}\ntargets: {roles: [leaf], platforms: [frr]}\n")
    )
    assert select_targets(pb, fab.devices) == ["leaf3", "leaf4"]
    pb = load_playbook(_write(tmp_path, "name: x\nchange: {type: golden}\ntargets: {exclude: [spine1]}\n"))
    assert "spine1" not in select_targets(pb, fab.devices) and len(select_targets(pb, fab.devices)) == 5
    pb = load_playbook(_write(tmp_path, "name: x\nchange: {type: golden}\ntargets: {hosts: [nope]}\n"))
    with pytest.raises(FabricError, match="unknown host"):
        select_targets(pb, fab.devices)
    pb = load_playbook(_write(tmp_path, "name: x\nchange: {type: golden}\ntargets: {tags: [none]}\n"))
    with pytest.raises(FabricError, match="match no device"):
        select_targets(pb, fab.devices)


MERGE_PLAYBOOKS = sorted(p.stem for p in (ROOT / "tasks").glob("*.yaml")
                         if load_playbook(p).change.type == "merge")


@pytest.mark.parametrize("name", MERGE_PLAYBOOKS)
def test_merge_playbooks_cover_every_platform(name: str) -> None:
    """A merge playbook has a snippet for every platform netfabric drives, and each renders for that
    platform's device of the mixed fabric (dc-mixed has one of each)."""
    from fabric.rollout.engine import FabricSource, candidates
    from fabric.vendors import all_vendors

    pb = load_playbook(ROOT / "tasks" / f"{name}.yaml")
    assert isinstance(pb.change.template, dict)
    assert set(pb.change.template) == set(all_vendors())
    src = FabricSource(str(ROOT / "inventory" / "dc-mixed"))
    fab = src.load()
    out, mode = candidates(pb, src, fab, sorted(fab.devices))
    assert mode == "merge"
    for host, text in out.items():
        asn = str(fab.devices[host].bgp.asn)  # type: ignore[union-attr]
        assert text.strip(), host
        if name in ("drain", "demo-bad-peer-as"):
            assert asn in text or "65999" in text, (host, text)
