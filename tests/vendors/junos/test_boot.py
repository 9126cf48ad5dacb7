"""What a Junos twin boots from: a twin-server restart keeps the committed configuration; a new
deployment boots vrnetlab kinds from the topology's startup-config (containerlab gives the VM a new
disk) and cRPD from its last commit (its config directory is in the lab directory)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from .conftest import LocalJunosTwin

STARTUP = "system {\n    host-name vr9;\n}\n"


def _twin(tmp_path: Path, kind: str, deploy_id: str) -> LocalJunosTwin:
    node = {"node_dir": str(tmp_path / "vr9"), "kind": kind, "startup_config": str(tmp_path / "startup.conf")}
    t = LocalJunosTwin("vr9", node, {"lab_dir": str(tmp_path), "deploy_id": deploy_id})
    t.load()
    return t


def _commit(t: LocalJunosTwin) -> None:
    from fabric.vendors.junos.twin.session import Editor

    async def run() -> None:
        ed = Editor(sid=1, user="admin")
        t.db.load(ed, "set system domain-name committed.example", "set", "set")
        await t.db.commit(ed)

    asyncio.run(run())


@pytest.mark.parametrize(("kind", "kept_after_redeploy"),
                         [("juniper_vjunosrouter", False), ("juniper_crpd", True)])
def test_restart_keeps_the_commit_and_redeploy_boots_as_the_kind_does(
        tmp_path: Path, kind: str, kept_after_redeploy: bool) -> None:
    (tmp_path / "startup.conf").write_text(STARTUP)
    t = _twin(tmp_path, kind, "d1")
    assert "domain-name" not in t.db.running.text()
    _commit(t)
    assert "committed.example" in t.db.running.text()
    restarted = _twin(tmp_path, kind, "d1")  # same deployment: the twin server restarted
    assert "committed.example" in restarted.db.running.text()
    assert len(restarted.db.history) == 2  # rollback 1 survives too
    redeployed = _twin(tmp_path, kind, "d2")
    assert ("committed.example" in redeployed.db.running.text()) is kept_after_redeploy
    assert "host-name vr9;" in redeployed.db.running.text()
