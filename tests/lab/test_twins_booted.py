"""A lab with device twins is converged only once every twin has applied its configuration: before, a
twin's FRR may hold none of its sessions, and the protocol checks would find nothing to wait for."""

from __future__ import annotations

from pathlib import Path

from fabric.lab.readiness import twins_pending
from fabric.twins import BOOTED


def test_twins_pending_until_the_server_marks_this_deployment_booted(tmp_path: Path) -> None:
    state = {"lab_dir": str(tmp_path), "deploy_id": "d2",
             "nodes": {"r1": {"twin": "junos"}, "s1": {"twin": None}}}
    assert twins_pending(state)  # the server has not written the marker yet
    (tmp_path / ".twin").mkdir()
    (tmp_path / ".twin" / BOOTED).write_text("d1")  # left by an earlier deployment
    assert twins_pending(state)
    (tmp_path / ".twin" / BOOTED).write_text("d2")
    assert twins_pending(state) == []
    assert twins_pending({"lab_dir": str(tmp_path / "x"), "nodes": {"s1": {}}}) == []  # no twins: nothing
    # a twin whose FRR the lab started with its translation is seen by the protocol checks at once
    preconfigured = {"lab_dir": str(tmp_path / "x"),
                     "nodes": {"r1": {"twin": "eos", "frr_preconfigured": True}}}
    assert twins_pending(preconfigured) == []
