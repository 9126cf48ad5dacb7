"""Wave planning: canary first, then growing waves, never two members of one redundancy group together."""

from __future__ import annotations

import math
from typing import Any

from fabric.errors import FabricError
from fabric.rollout.playbook import Playbook


def _count(size: int | str, total: int) -> int:
    if isinstance(size, str):
        return max(1, math.ceil(total * int(size.rstrip("%")) / 100))
    return size


def plan_waves(pb: Playbook, targets: list[str], groups: dict[str, str | None]) -> list[list[str]]:
    """Waves of host names. ``groups``: host -> redundancy group (None: no group).

    A wave's size is a count or a percentage of all targets; after the listed sizes, the last size
    repeats until every target is placed. A device that would join a wave already holding a member
    of its redundancy group is deferred to the next wave (each wave still makes progress).
    """
    remaining = list(targets)
    waves: list[list[str]] = []
    use_groups = pb.constraints.redundancy_groups

    def take(n: int, first: list[str] | None = None) -> list[str]:
        wave: list[str] = []
        seen: set[str] = set()
        for h in (first or []) + [h for h in remaining if not first or h not in first]:
            if len(wave) >= n:
                break
            g = groups.get(h) if use_groups else None
            if g is not None and g in seen:
                if first and h in first:
                    raise FabricError(
                        f"canary hosts {first} contain two members of redundancy group '{g}'",
                        file=pb.file,
                        key="waves.canary",
                        fix="pick canary hosts from different groups",
                    )
                continue
            if g is not None:
                seen.add(g)
            wave.append(h)
        for h in wave:
            remaining.remove(h)
        return wave

    canary = pb.waves.canary
    if isinstance(canary, list):
        missing = [h for h in canary if h not in targets]
        if missing:
            raise FabricError(
                f"canary host(s) {missing} are not targets of this playbook",
                file=pb.file,
                key="waves.canary",
                fix="pick canary hosts among the targets",
            )
        waves.append(take(len(canary), canary))
    elif canary > 0:
        waves.append(take(canary))
    sizes = pb.waves.sizes or [len(targets)]
    i = 0
    while remaining:
        n = _count(sizes[min(i, len(sizes) - 1)], len(targets))
        wave = take(n)
        if not wave:  # cannot happen (first remaining host always fits), but never loop forever
            raise FabricError("wave planning made no progress", file=pb.file, key="waves")
        waves.append(wave)
        i += 1
    return [w for w in waves if w]


def groups_of(devices: dict[str, Any]) -> dict[str, str | None]:
    return {name: d.redundancy_group for name, d in devices.items()}
