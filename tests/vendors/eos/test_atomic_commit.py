"""A commit the control plane does not take fails towards the client, and changes nothing.

The fault is real: the twin node's bgpd is killed, so FRR cannot take a BGP change (as when a daemon
crashed on a box).  Before this was fixed, the twin logged a warning, answered NAPALM's commit with
success and kept the change in its running-config, while FRR kept peering with the old AS: a rollout
gate then saw a healthy session and confirmed a change that never ran.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _skip import need

from fabric.lab import api

pytestmark = pytest.mark.lab
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    need(os.geteuid() == 0, "needs root")
    work = tmp_path_factory.mktemp("atomic")
    subnet = api.free_mgmt_subnet(f"172.20.{i}.0/24" for i in range(190, 200))
    topo = api.private_topology(REPO / "containerlab" / "eos-pair.clab.yml", work, "nf-atomic", subnet)
    state = api.deploy(topo, wait_converged=True, timeout=60)
    try:
        yield state
    finally:
        api.destroy(topo)


def _napalm(state: dict[str, Any]):  # type: ignore[no-untyped-def]
    from napalm import get_network_driver

    d = get_network_driver("eos")(state["nodes"]["twin1"]["mgmt_ipv4"], "admin", "admin", timeout=30,
                                  optional_args={"transport": "https"})
    d.open()
    return d


def _running(d: Any) -> str:
    return str(d.get_config(retrieve="running")["running"])


def _kill_bgpd(state: dict[str, Any]) -> None:
    ns = state["nodes"]["twin1"]["netns"]
    pid = int(Path(f"/var/run/frr/{ns}/bgpd.pid").read_text().split()[0])
    os.kill(pid, signal.SIGKILL)


def test_commit_fails_and_running_config_is_unchanged_when_frr_refuses(pair: dict[str, Any]) -> None:
    d = _napalm(pair)
    try:
        d.load_merge_candidate(config="interface Ethernet1\n   description before-the-fault\n")
        d.commit_config()  # the control plane is healthy: a commit works
        before = _running(d)
        assert "description before-the-fault" in before
        _kill_bgpd(pair)
        d.load_merge_candidate(config="router bgp 65001\n   neighbor 10.99.0.1 remote-as 65999\n")
        with pytest.raises(Exception) as exc:
            d.commit_config()
        # EOS's error shape through eAPI: pyeapi/NAPALM raise with the device's message.
        assert "could not be applied" in str(exc.value), exc.value
        d.discard_config()
        after = _running(d)
        assert after == before, "the running-config changed although the commit failed"
        assert "65999" not in after
    finally:
        d.close()
