"""inventory/backbone in the embedded lab, from the topology `fabric build` writes, unchanged: IS-IS
level 2 between IOS-XR, Junos, SR OS, EOS and SR Linux twins, iBGP through the IOS-XR and Junos route
reflectors. It converges and validates with state collected from every vendor."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from _twinbed import wait_for

from fabric.rollout.engine import FabricSource
from fabric.rollout.scenario import PrivateLab
from fabric.validation.run import validate
from tests.conftest import lab_copy

pytestmark = pytest.mark.lab
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def backbone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateLab]:
    with lab_copy(tmp_path_factory, "backbone") as lab:
        yield lab


def test_backbone_converges_and_validates(backbone: PrivateLab) -> None:
    fab = FabricSource(str(ROOT / "inventory" / "backbone"), lab_topology=str(backbone.path)).load()
    assert {d.platform for d in fab.devices.values()} == {"iosxr", "junos", "sros", "eos", "srlinux"}

    def clean() -> bool:
        return not validate(fab).failures()

    wait_for("backbone to validate clean", clean, 120, every=3)
    run = validate(fab)
    checks: dict[str, set[str]] = {}
    for r in run.results:
        checks.setdefault(r.device, set()).add(r.check)
    for host, dev in fab.devices.items():  # P routers run no BGP
        want = {"interface", "isis_adjacency", "lldp_neighbor"} | ({"bgp_session"} if dev.bgp else set())
        assert checks.get(host, set()) >= want, (host, checks)
    # the route reflectors reflect: pe2 (SR Linux) has pe1's (IOS-XR) loopback by iBGP, in its own FRR
    pe1_lo = fab.devices["pe1"].loopback0.split("/")[0]
    node = backbone.state["nodes"]["pe2"]
    out = subprocess.run(["vtysh", "-N", node.get("frr_pathspace", node["netns"]), "-c",
                          f"show bgp ipv4 unicast {pe1_lo}/32 json"], capture_output=True, text=True,
                         timeout=30).stdout
    paths = json.loads(out or "{}").get("paths", [])
    assert paths, out
