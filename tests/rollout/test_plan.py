"""Wave planning with constraints."""

from __future__ import annotations

from typing import Any

import pytest

from fabric.errors import FabricError
from fabric.rollout.plan import plan_waves
from fabric.rollout.playbook import Playbook


def pb(**kw: Any) -> Playbook:
    return Playbook.model_validate({"name": "t", "change": {"type": "golden"}, **kw})


HOSTS = [f"leaf{i}" for i in range(1, 9)] + ["spine1", "spine2", "spine3", "spine4"]
GROUPS: dict[str, str | None] = {h: None for h in HOSTS}
GROUPS.update({"spine1": "pod1", "spine2": "pod1", "spine3": "pod2", "spine4": "pod2"})


def test_every_target_once_canary_first() -> None:
    waves = plan_waves(pb(waves={"canary": 1, "sizes": [2, "50%", "100%"]}), HOSTS, GROUPS)
    flat = [h for w in waves for h in w]
    assert sorted(flat) == sorted(HOSTS) and len(flat) == len(set(flat))
    assert len(waves[0]) == 1 and len(waves[1]) == 2 and len(waves[2]) == 6


def test_redundancy_group_never_twice_in_a_wave() -> None:
    for sizes in ([12], ["100%"], [3, 5], ["25%"]):
        waves = plan_waves(pb(waves={"canary": 0, "sizes": sizes}), HOSTS, GROUPS)
        for w in waves:
            groups = [GROUPS[h] for h in w if GROUPS[h]]
            assert len(groups) == len(set(groups)), w
        assert sorted(h for w in waves for h in w) == sorted(HOSTS)


def test_constraint_can_be_disabled() -> None:
    waves = plan_waves(
        pb(waves={"canary": 0, "sizes": ["100%"]}, constraints={"redundancy_groups": False}), HOSTS, GROUPS
    )
    assert waves == [HOSTS]


def test_explicit_canary() -> None:
    waves = plan_waves(pb(waves={"canary": ["spine3", "leaf5"], "sizes": ["100%"]}), HOSTS, GROUPS)
    assert waves[0] == ["spine3", "leaf5"]
    with pytest.raises(FabricError, match="redundancy group"):
        plan_waves(pb(waves={"canary": ["spine1", "spine2"]}), HOSTS, GROUPS)
    with pytest.raises(FabricError, match="not targets"):
        plan_waves(pb(waves={"canary": ["ghost"]}), HOSTS, GROUPS)


def test_last_size_repeats() -> None:
    waves = plan_waves(pb(waves={"canary": 1, "sizes": [2]}), HOSTS, GROUPS)
    assert [len(w) for w in waves] == [1, 2, 2, 2, 2, 2, 1]
