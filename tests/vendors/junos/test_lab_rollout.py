"""Rollouts with a Junos canary on junos-dc (FRR spine, two Junos twins): the demo's bad change is caught at
the canary and rolled back through Junos's own commit history; a good change is confirmed everywhere."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from _twinbed import running_configs

from fabric.rollout.drivers import driver_for
from fabric.rollout.engine import FabricSource, Options, Rollout
from fabric.rollout.journal import Journal
from fabric.rollout.playbook import Playbook
from fabric.rollout.scenario import PrivateLab
from tests.conftest import lab_copy

pytestmark = pytest.mark.lab
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def jdc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateLab]:
    with lab_copy(tmp_path_factory, "junos-dc") as lab:
        yield lab


def _rollout(lab: PrivateLab, playbook: Playbook, journal: Path) -> Rollout:
    src = FabricSource(str(ROOT / "inventory" / "junos-dc"), lab_topology=str(lab.path))
    return Rollout(playbook, src, Options(journal=str(journal)))



def test_bad_peer_as_is_caught_and_rolled_back_at_the_junos_canary(jdc: PrivateLab, tmp_path: Path) -> None:
    data = yaml.safe_load((ROOT / "tasks" / "demo-bad-peer-as.yaml").read_text())
    ro = _rollout(jdc, Playbook.model_validate({**data, "waves": {"canary": ["vr1"], "sizes": ["100%"]}}),
                  tmp_path / "journal.sqlite")
    assert ro.waves[0] == ["vr1"] and ro._targets["vr1"].platform == "junos"
    before = running_configs(ro)
    rep = ro.run()
    states = {d["host"]: d["state"] for d in rep["devices"]}
    assert rep["outcome"] == "rolled_back", rep
    assert states == {"vr1": "rolled_back", "vr2": "untouched"}
    gate = {d["host"]: d for d in rep["devices"]}["vr1"]
    # caught for the right reason: the session went down, on the canary and as its neighbor sees it
    assert "device.bgp: 0/1 sessions established" in (gate.get("error") or ""), gate
    assert "neighbor.spine1.bgp" in gate["error"], gate
    events = Journal(tmp_path / "journal.sqlite").events(ro.rid)
    assert not [e for e in events if e["host"] != "vr1" and e["step"] in ("commit", "armed", "confirm")]
    assert running_configs(ro) == before
    # the rolled-back canary peers again (state collected from the Junos twin, checked against intent)
    from fabric.validation.run import validate

    deadline = time.monotonic() + 90
    while (failing := validate(ro.fab, ["vr1", "vr2"], nr=ro._nornir()).failures()) \
            and time.monotonic() < deadline:
        time.sleep(3)
    assert not failing, failing


def test_golden_push_then_again_is_a_no_op(jdc: PrivateLab, tmp_path: Path) -> None:
    """Templates and twin agree: the rendered golden config, loaded with ``override``, committed and read
    back, compares (``show | compare`` on the device) equal to the next render: the second push is a no-op.

    The first push differs in the management address only: the test deploys a private copy of
    junos-dc on another mgmt subnet, and its nodes booted from the original startup configs."""
    data = yaml.safe_load((ROOT / "tasks" / "golden-push.yaml").read_text())
    pb = Playbook.model_validate({**data, "targets": {"roles": ["leaf"]}})
    rep = _rollout(jdc, pb, tmp_path / "j1.sqlite").run()
    assert {d["host"]: d["state"] for d in rep["devices"]} == {"vr1": "confirmed", "vr2": "confirmed"}, rep
    for d in rep["devices"]:
        changed = [ln for ln in d["diff"].splitlines() if ln.startswith(("+", "-"))]
        assert len(changed) == 2 and all("address 172." in ln for ln in changed), d["diff"]
        assert d["diff"].startswith("[edit interfaces fxp0 unit 0 family inet]"), d["diff"]
    rep = _rollout(jdc, pb, tmp_path / "j2.sqlite").run()
    assert {d["host"]: d["state"] for d in rep["devices"]} == {"vr1": "skipped", "vr2": "skipped"}, \
        [d.get("diff") for d in rep["devices"]]


def test_good_change_is_confirmed_on_every_junos_leaf(jdc: PrivateLab, tmp_path: Path) -> None:
    pb: dict[str, Any] = {
        "name": "junos-describe-uplink",
        "description": "a harmless description on each leaf's first uplink",
        "targets": {"roles": ["leaf"]},
        "change": {"type": "merge", "template": {
            "junos": 'set interfaces ge-0/0/0 description "uplink {{ intent.bgp.neighbors[0].peer }}"\n'}},
        "waves": {"canary": ["vr1"], "sizes": ["100%"]},
        "gates": {"device": ["bgp"], "neighbors": ["bgp"], "convergence_wait": 2, "convergence_timeout": 30},
        "commit_confirm": 120,
        "failure": {"rollback": "wave"},
    }
    ro = _rollout(jdc, Playbook.model_validate(pb), tmp_path / "journal.sqlite")
    rep = ro.run()
    states = {d["host"]: d["state"] for d in rep["devices"]}
    assert rep["outcome"] == "completed", rep
    assert states == {"vr1": "confirmed", "vr2": "confirmed"}
    after = running_configs(ro)
    for h in ("vr1", "vr2"):
        assert 'description "uplink spine1";' in after[h]
        d = driver_for(ro._targets[h])
        try:  # confirmed on the device: no commit confirmed pending, so no device-side revert will come
            assert "rollback in" not in d._last_commit()
        finally:
            d.close()
    # and the fabric still validates against intent, collected from the Junos twins over NETCONF
    from fabric.validation.run import validate

    run = validate(ro.fab, ["vr1", "vr2"], nr=ro._nornir())
    assert not run.failures(), run.failures()
    assert {r.device for r in run.results} == {"vr1", "vr2"}
    assert {r.check for r in run.results} >= {"bgp_session", "interface", "lldp_neighbor", "router_id"}
