"""Junos transactions without a transport: rollback slots, atomic commit, compare."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from fabric.vendors.junos.twin.config import Config
from fabric.vendors.junos.twin.session import ROLLBACK_SLOTS, ConfigDb, DbError, Editor


async def _nothing(conf: Config) -> None:
    return None


def test_fifty_rollback_slots(tmp_path: Path) -> None:
    db = ConfigDb(tmp_path, _nothing)
    ed = Editor(1, "admin")

    async def run() -> None:
        for i in range(60):
            db.load(ed, f"set system host-name h{i}", "set", "set")
            await db.commit(ed)

    asyncio.run(run())
    assert len(db.history) == ROLLBACK_SLOTS == 50
    assert "host-name h59;" in db.rollback_config(0).text()
    assert "host-name h10;" in db.rollback_config(49).text()
    with pytest.raises(DbError, match="invalid rollback index"):
        db.rollback_config(50)
    names = {p.name for p in (tmp_path / "rollback").iterdir()}
    assert names == {f"juniper.conf.{i}" for i in range(50)}
    assert (tmp_path / "juniper.conf").read_text() == db.running.text()
    assert db.compare(db.candidate, 1) == "[edit system]\n-   host-name h58;\n+   host-name h59;\n"


def test_commit_the_control_plane_refuses_changes_nothing(tmp_path: Path) -> None:
    async def refuse(conf: Config) -> None:
        raise RuntimeError("control plane refused")

    db = ConfigDb(tmp_path, refuse)
    ed = Editor(1, "admin")
    db.load(ed, "set system host-name x", "set", "set")
    with pytest.raises(RuntimeError):
        asyncio.run(db.commit(ed))
    assert db.running.text() == "" and len(db.history) == 1
    assert "host-name x;" in db.candidate.text()  # the candidate keeps the change, as on Junos


def test_commit_check_does_not_commit(tmp_path: Path) -> None:
    db = ConfigDb(tmp_path, _nothing)
    ed = Editor(1, "admin")
    db.load(ed, "system { host-name c; }", "text", "merge")
    asyncio.run(db.commit(ed, check=True))
    assert db.running.text() == "" and db.modified()


def test_compare_is_in_configuration_order() -> None:
    from fabric.vendors.junos.twin.config import parse_text
    from fabric.vendors.junos.twin.diff import junos_diff

    old = parse_text("system { host-name a; services { ssh; } }\ninterfaces { ge-0/0/0 { mtu 1500; } }")
    new = parse_text("system { host-name b; services { ssh; netconf { ssh; } } }\n"
                     "interfaces { ge-0/0/0 { mtu 9000; } }\nsnmp { contact noc; }")
    assert junos_diff(old, new) == (
        "[edit system]\n-   host-name a;\n+   host-name b;\n"
        "[edit system services]\n+   netconf {\n+       ssh;\n+   }\n"
        "[edit interfaces ge-0/0/0]\n-   mtu 1500;\n+   mtu 9000;\n"
        "[edit]\n+  snmp {\n+      contact noc;\n+  }\n")
    assert junos_diff(new, new) == ""
