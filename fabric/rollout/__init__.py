"""Deploy and staged canary rollouts with commit-confirmed on every platform and automatic rollback.

Public API: :func:`load_playbook`, :class:`Rollout`, :class:`FabricSource`, :func:`plan_waves`,
:class:`Journal`. See docs/rollout.md.
"""

from fabric.rollout.engine import FabricSource, Options, Rollout, from_journal
from fabric.rollout.journal import Journal
from fabric.rollout.plan import plan_waves
from fabric.rollout.playbook import Playbook, load_playbook

__all__ = [
    "FabricSource",
    "Journal",
    "Options",
    "Playbook",
    "Rollout",
    "from_journal",
    "load_playbook",
    "plan_waves",
]
