"""`python -m fabric.rollout ...`: the rollout CLI on its own (used by the kill -9 scenario)."""

from fabric.rollout.cli import main

main()
