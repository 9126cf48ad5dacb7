"""A two-node fabric (an EOS spine, an FRR leaf) whose management addresses are on 127.77.0.0/24, where
nothing listens: every connection is refused at once, so commands that would reach devices exercise
their could-not-check path fast, offline, and never leave 127.0.0.0/8."""

from __future__ import annotations


def dead_fabric(name: str = "deadnet", leaf_tags: str = "") -> str:
    """fabric.yaml text; ``leaf_tags`` e.g. ``", tags: [edge]"``."""
    return (
        f"name: {name}\n"
        "design: clos\n"
        "pools: {loopback: 10.255.0.0/24, p2p: 10.1.0.0/22, mgmt: 127.77.0.0/24}\n"
        "nodes:\n"
        "  spines: [{name: spine1, id: 1, platform: eos}]\n"
        f"  leaves: [{{name: leaf1, id: 1, platform: frr{leaf_tags}}}]\n"
    )
