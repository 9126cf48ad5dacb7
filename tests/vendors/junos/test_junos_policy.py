"""Junos policy actions in the twin's control plane: the merge snippets of tasks/ (drain's
``as-path-prepend``, bgp-policy's ``local-preference``) on a golden config, translated and loaded into
a real FRR, which must take every line."""

from __future__ import annotations

from pathlib import Path

import pytest
from _skip import need
from srlinux.frrcheck import frr_available, frr_node

from fabric.rollout.engine import FabricSource, candidates
from fabric.rollout.playbook import load_playbook
from fabric.vendors.junos.twin.config import parse_text
from fabric.vendors.junos.twin.control import to_frr, validate

ROOT = Path(__file__).resolve().parents[3]


def _with(playbook: str) -> str:
    """leaf2 of dc-mixed (Junos): its golden config with the playbook's Junos snippet applied."""
    src = FabricSource(str(ROOT / "inventory" / "dc-mixed"))
    fab = src.load()
    snippet = candidates(load_playbook(ROOT / "tasks" / f"{playbook}.yaml"), src, fab, ["leaf2"])[0]["leaf2"]
    conf = parse_text((ROOT / "containerlab" / "dc-mixed" / "leaf2.cfg").read_text())
    conf.apply_set(snippet)
    dev = validate(conf, "leaf2")
    assert not dev.errors
    return to_frr(dev)


def test_drain_prepends_and_undrain_removes() -> None:
    drained = _with("drain")
    assert "route-map FABRIC-EXPORT permit 10\n match ip address prefix-list LOOPBACKS\n" in drained
    # once, on the way out to the neighbours: not also where the loopback is redistributed into BGP
    assert drained.count(" set as-path prepend 65402 65402 65402\n") == 1, drained
    assert "as-path prepend" not in _with("undrain")


def test_bgp_policy_sets_local_preference() -> None:
    assert " set local-preference 150\n" in _with("bgp-policy")


@pytest.mark.parametrize("playbook", ["drain", "bgp-policy"])
def test_real_frr_takes_every_line(playbook: str, tmp_path: Path) -> None:
    reason = frr_available()
    need(reason is None, f"real FRR unavailable: {reason}")
    with frr_node(tmp_path) as node:
        assert node.load(_with(playbook)) == []
