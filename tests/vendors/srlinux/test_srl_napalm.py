"""The community NAPALM driver (napalm-srlinux, JSON-RPC) drives the twin unmodified: getters' reply shapes
against the recorded real replies, candidate load/compare/commit, confirmed commits, rollback."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import napalm_srlinux  # noqa: F401 - the driver napalm's get_network_driver("srlinux") loads
import pytest

from fabric.vendors.srlinux.twin.session import ConfigStore

from .conftest import Bed

REF = Path(__file__).resolve().parents[4] / "shared" / "reference" / "napalm-mocked-community" / "srlinux"


def _wait(cond: Any, timeout: float = 5.0) -> bool:
    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return True
        time.sleep(0.05)
    return bool(cond())


def test_get_config_has_the_real_shape(bed: Bed) -> None:
    dev = bed.napalm()
    try:
        got = dev.get_config()
        expected = json.loads((REF / "test_get_config" / "normal" / "expected_result.json").read_text())
        assert set(got) == set(expected) and got["candidate"] == expected["candidate"] == ""
        ours, theirs = json.loads(got["running"]), json.loads(expected["running"])
        shared = {"srl_nokia-interfaces:interface", "srl_nokia-network-instance:network-instance",
                  "srl_nokia-routing-policy:routing-policy", "srl_nokia-system:system"}
        assert shared <= set(ours) and shared <= set(theirs)
        nis = ours["srl_nokia-network-instance:network-instance"]
        default = next(n for n in nis if n["name"] == "default")
        assert "srl_nokia-bgp:bgp" in default["protocols"]
        assert dev.get_config(format="cli")["running"] == bed.twin.store.running.flat()
    finally:
        dev.close()


def test_merge_compare_commit_and_rollback(bed: Bed) -> None:
    dev = bed.napalm()
    try:
        dev.load_merge_candidate(config=json.dumps({"updates": [
            {"path": "/interface[name=ethernet-1/1]", "value": {"description": "by napalm"}}]}))
        diff = dev.compare_config()
        assert "-         description \"to p1 1/1/c4/1\"" in diff
        assert "+         description \"by napalm\"" in diff
        assert bed.twin.store.running.get("/interface[name=ethernet-1/1]/description") == "to p1 1/1/c4/1"
        dev.commit_config(message="first")
        assert bed.twin.store.running.get("/interface[name=ethernet-1/1]/description") == "by napalm"
        assert bed.twin.store.checkpoints[0].comment == "first"  # napalm's rollback anchor
        assert dev.compare_config() == ""
        dev.rollback()
        assert bed.twin.store.running.get("/interface[name=ethernet-1/1]/description") == "to p1 1/1/c4/1"
        # CLI-format candidates go through a named private candidate
        dev.load_merge_candidate(config="set / interface ethernet-1/2 description \"cli form\"\n")
        assert "+         description \"cli form\"" in dev.compare_config()
        dev.commit_config()
        assert bed.twin.store.running.get("/interface[name=ethernet-1/2]/description") == "cli form"
        # a bad candidate is refused at load, and nothing changes
        from napalm.base.exceptions import MergeConfigException

        with pytest.raises(MergeConfigException, match="wildcards"):
            dev.load_merge_candidate(config=json.dumps({"updates": [
                {"path": "/interface[name=*]/description", "value": "x"}]}))
    finally:
        dev.close()


def test_commit_with_revert_in_reverts_on_the_device(bed: Bed, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ConfigStore, "seconds_scale", 0.02)  # revert_in=30 -> 0.6 s
    dev = bed.napalm()
    try:
        dev.load_merge_candidate(config=json.dumps({"updates": [
            {"path": "/system/name", "value": {"host-name": "unconfirmed"}}]}))
        dev.commit_config(revert_in=30)
        assert bed.twin.hostname == "unconfirmed" and dev.has_pending_commit()
        assert _wait(lambda: bed.call(lambda: bed.twin.hostname) == "pe2")
        assert not dev.has_pending_commit()
        # confirmed in time: kept
        dev.load_merge_candidate(config=json.dumps({"updates": [
            {"path": "/system/name", "value": {"host-name": "confirmed"}}]}))
        dev.commit_config(revert_in=30)
        dev.confirm_commit()
        time.sleep(0.8)
        assert bed.twin.hostname == "confirmed" and not dev.has_pending_commit()
        # rollback() of a pending confirmed commit rejects it at once
        dev.load_merge_candidate(config=json.dumps({"updates": [
            {"path": "/system/name", "value": {"host-name": "rejected"}}]}))
        monkeypatch.setattr(ConfigStore, "seconds_scale", 10.0)
        dev.commit_config(revert_in=30)
        dev.rollback()
        assert bed.twin.hostname == "confirmed" and not dev.has_pending_commit()
    finally:
        dev.close()
