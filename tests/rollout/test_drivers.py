"""Driver registry and command construction (Junos/IOS-XR/SR Linux/SR OS are not tested live)."""

from __future__ import annotations

import pytest

from fabric import vendors
from fabric.errors import FabricError
from fabric.frr_reload import frr_clean, frr_delta
from fabric.rollout.drivers import Target, driver_class, driver_for
from fabric.vendors.frr.driver import frr_paths, frr_timer_cmd
from fabric.vendors.iosxr.driver import iosxr_commands
from fabric.vendors.junos.driver import junos_commit_rpc
from fabric.vendors.srlinux.driver import srlinux_commands
from fabric.vendors.sros.driver import sros_commit_kwargs


def test_registry_covers_every_platform() -> None:
    for name in ("frr", "eos", "junos", "iosxr", "srlinux", "sros"):
        assert driver_class(Target("x", "127.0.0.1", name, "u")).platform == name
    assert set(vendors.all_vendors()) >= {"frr", "eos", "junos", "iosxr", "srlinux", "sros"}
    with pytest.raises(FabricError):
        driver_for(Target("x", "127.0.0.1", "nos9", "u"))


def test_target_repr_hides_password() -> None:
    assert "hunter2" not in repr(Target("x", "127.0.0.1", "frr", "root", "hunter2"))


def test_frr_timer_is_detached_and_atomic() -> None:
    p = frr_paths(Target("leaf1", "10.0.0.1", "frr", "root"), "nf-r1")
    cmd = frr_timer_cmd(p, 42)
    assert "nohup setsid sh -c" in cmd and "sleep 42" in cmd and "</dev/null" in cmd
    assert f"mv {p['armed']} {p['reverting']}" in cmd and "frr-reload.py --reload" in cmd
    assert cmd.startswith(f"touch {p['armed']} && (")  # subshell: '&' must not background the chain
    assert p["dir"].endswith("leaf1-10.0.0.1")


def test_frr_delta_and_clean() -> None:
    out = (
        "\nLines To Delete\n===============\nrouter bgp 1\n no neighbor 1.1.1.1 remote-as 2\n\n"
        "Lines To Add\n============\nrouter bgp 1\n neighbor 1.1.1.1 remote-as 3\n\n"
    )
    d = frr_delta(out)
    assert "- router bgp 1" in d and "+  neighbor 1.1.1.1 remote-as 3" in d
    assert frr_delta("\nLines To Delete\n===============\n\nLines To Add\n============\n\n") == ""
    assert (
        frr_clean("Building configuration...\n\nCurrent configuration:\n!\nfrr version 8.4\nx\n")
        == "frr version 8.4\nx\n"
    )


def test_vendor_commit_confirmed_construction() -> None:
    assert "<confirm-timeout>2</confirm-timeout>" in junos_commit_rpc(90)  # Junos: minutes, rounded up
    assert junos_commit_rpc(0, confirm=True) == "<commit-configuration/>"
    assert iosxr_commands(10)["commit"] == ["commit confirmed 30"]  # XR minimum is 30 s
    assert iosxr_commands(120)["confirm"] == ["commit"]
    c = srlinux_commands(60)
    assert c["commit"] == ["commit confirmed timeout 60"]
    assert c["confirm"] == ["tools system configuration confirmed-accept"]
    assert c["rollback"] == ["tools system configuration confirmed-reject"]
    k = sros_commit_kwargs(60, "tok")
    # the token also rides in the commit comment (ncclient sros handler: SR OS's augment), for its history
    assert k["commit"] == {"confirmed": True, "timeout": "60", "persist": "tok", "comment": "tok"}
    assert k["confirm"] == {"persist_id": "tok"} and k["cancel"] == {"persist_id": "tok"}


def test_a_diff_computed_ahead_is_reused_when_only_the_timestamp_moved() -> None:
    """IOS-XR prints a timestamp on top of every show: the running config read at the wave's own
    pre-snapshot never equals the one read ahead byte for byte, but it is the same config, so the diff
    computed ahead is reused (and recomputed when the config itself changed)."""
    from fabric.vendors.iosxr.driver import IosxrDriver

    class Reads(IosxrDriver):
        def __init__(self, running: str) -> None:
            super().__init__(Target("rr1", "127.0.0.1", "iosxr", "u", "p"))
            self.text, self.diffs = running, 0

        def running(self) -> str:
            return self.text

        def facts(self) -> dict[str, object]:
            return {}

        def diff(self, candidate: str, mode: str) -> str:
            self.diffs += 1
            return "fresh diff"

    body = "hostname rr1\ninterface Loopback0\n ipv4 address 10.0.0.1 255.255.255.255\n!\n"
    ahead = ("Thu Dec  3 13:16:21.611 UTC\n" + body, "diff computed ahead")
    drv = Reads("Thu Dec  3 13:17:05.002 UTC\n" + body)
    assert drv.presnap("cand", "replace", ahead)[2] == "diff computed ahead" and drv.diffs == 0
    drv.text = "Thu Dec  3 13:17:06.100 UTC\n" + body.replace("10.0.0.1", "10.0.0.9")
    assert drv.presnap("cand", "replace", ahead)[2] == "fresh diff" and drv.diffs == 1
