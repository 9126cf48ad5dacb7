"""The demo's bad-change playbook on dc1 (EOS twins and FRR), where `make demo` ran it before it moved
to dc-mixed (tests/multivendor/test_lab_mixed.py runs it there, each vendor's device the canary in turn).

On a fresh machine the demo's canary (leaf1, an EOS twin) passed its gate and was CONFIRMED with the
wrong remote-as: the twin's FRR apply failed silently, its running-config claimed the change, and FRR
kept peering with the old AS.  These tests run the demo's own playbook and assert what an operator
needs: the canary is rolled back, nothing else is touched, and every device's running config is
byte-identical (normalised) to what it was before the rollout.  They also break FRR for real (a failing
delta reload on an FRR device) and check that the rollback still lands.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from _twinbed import running_configs

from fabric.rollout.engine import FabricSource, Options, Rollout
from fabric.rollout.journal import Journal
from fabric.rollout.playbook import Playbook
from fabric.rollout.scenario import PrivateLab
from tests.conftest import lab_copy

pytestmark = pytest.mark.lab
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def dc1(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateLab]:
    with lab_copy(tmp_path_factory, "dc1") as lab:
        yield lab



def demo_playbook(**override: Any) -> Playbook:
    data = yaml.safe_load((ROOT / "tasks" / "demo-bad-peer-as.yaml").read_text())
    return Playbook.model_validate({**data, **override})


def test_demo_bad_change_is_rolled_back_at_the_eos_canary(dc1: PrivateLab, tmp_path: Path) -> None:
    src = FabricSource(str(ROOT / "inventory" / "dc1"), lab_topology=str(dc1.path))
    journal = tmp_path / "journal.sqlite"
    ro = Rollout(demo_playbook(), src, Options(journal=str(journal)))
    assert ro.waves[0] == ["leaf1"] and ro._targets["leaf1"].platform == "eos"
    before = running_configs(ro)
    rep = ro.run()
    states = {d["host"]: d["state"] for d in rep["devices"]}
    assert rep["outcome"] == "rolled_back", states
    assert states == {"leaf1": "rolled_back", **dict.fromkeys(("leaf2", "leaf3", "leaf4"), "untouched")}
    gate = {d["host"]: d for d in rep["devices"]}["leaf1"]
    assert "gate failed" in (gate.get("error") or ""), gate
    events = Journal(journal).events(ro.rid)
    assert not [e for e in events if e["host"] != "leaf1" and e["step"] in ("commit", "armed", "confirm")]
    assert not [e for e in events if e["step"] == "confirm" and e["status"] == "ok"]
    after = running_configs(ro)
    for h in before:
        assert after[h] == before[h], f"{h}: running config differs after the rollout"


def _break_frr_reload(lab: PrivateLab, node: str) -> None:
    """``frr-reload.py --reload`` fails on this node only (a bind mount in the node's private mount
    namespace), as on the fresh machine of issue 12 where the script was not installed."""
    st = lab.state["nodes"][node]
    anchor = (Path(st["node_dir"]) / "anchor.pid").read_text().strip()
    # --reload fails; --test (the diff) still works, from a copy of the real script.
    real = Path(st["node_dir"]) / "frr-reload-real.py"
    real.write_bytes(Path("/usr/lib/frr/frr-reload.py").read_bytes())
    broken = Path(st["node_dir"]) / "frr-reload-broken"
    broken.write_text(
        "#!/bin/sh\ncase \" $* \" in\n"
        "  *' --reload '*) echo 'frr-reload.py: simulated failure' >&2; exit 2;;\nesac\n"
        f"exec /usr/bin/python3 {real} \"$@\"\n"
    )
    broken.chmod(0o755)
    subprocess.run(["nsenter", "-t", anchor, "-m", "mount", "--bind", str(broken),
                    "/usr/lib/frr/frr-reload.py"], check=True)


def _unbreak(lab: PrivateLab, node: str) -> None:
    anchor = (Path(lab.state["nodes"][node]["node_dir"]) / "anchor.pid").read_text().strip()
    subprocess.run(["nsenter", "-t", anchor, "-m", "umount", "/usr/lib/frr/frr-reload.py"], check=True)


def test_frr_rollback_lands_when_the_delta_reload_fails(dc1: PrivateLab, tmp_path: Path) -> None:
    """leaf3 (FRR) as canary with a broken frr-reload.py: the merge commit works (vtysh -f), the gate
    fails on the wrong AS, the delta rollback fails, the full replace lands, and the rollout says so."""
    src = FabricSource(str(ROOT / "inventory" / "dc1"), lab_topology=str(dc1.path))
    ro = Rollout(demo_playbook(waves={"canary": ["leaf3"], "sizes": ["100%"]}), src,
                 Options(journal=str(tmp_path / "journal.sqlite")))
    assert ro._targets["leaf3"].platform == "frr"
    before = running_configs(ro)
    _break_frr_reload(dc1, "leaf3")
    try:
        rep = ro.run()
    finally:
        _unbreak(dc1, "leaf3")
    states = {d["host"]: d["state"] for d in rep["devices"]}
    assert rep["outcome"] == "rolled_back", rep["devices"]
    assert states["leaf3"] == "rolled_back", states
    assert {h: s for h, s in states.items() if h != "leaf3"} == {
        "leaf1": "untouched", "leaf2": "untouched", "leaf4": "untouched"}
    assert running_configs(ro) == before


def test_frr_commit_whose_reload_fails_is_rolled_back(dc1: PrivateLab, tmp_path: Path) -> None:
    """A full golden replace on leaf4 (FRR) with a broken frr-reload.py: the commit itself fails, the
    device is rolled back through the full-replace fallback, and no other device is touched."""
    src = FabricSource(str(ROOT / "inventory" / "dc1"), lab_topology=str(dc1.path))
    p = Playbook.model_validate({
        "name": "golden-broken-reload", "targets": {"hosts": ["leaf4"]}, "change": {"type": "golden"},
        "waves": {"canary": ["leaf4"], "sizes": ["100%"]},
        "gates": {"convergence_wait": 0.5, "convergence_timeout": 8}, "commit_confirm": 60,
    })
    ro = Rollout(p, src, Options(journal=str(tmp_path / "journal.sqlite")))
    before = running_configs(ro)
    _break_frr_reload(dc1, "leaf4")
    try:
        rep = ro.run()
    finally:
        _unbreak(dc1, "leaf4")
    dev = {d["host"]: d for d in rep["devices"]}["leaf4"]
    assert rep["outcome"] == "rolled_back" and dev["state"] == "rolled_back", rep["devices"]
    assert "simulated failure" in (dev.get("error") or "") or "applying the candidate failed" in dev["error"]
    assert running_configs(ro) == before
