"""Fixtures for twin acceptance tests: a real FRR peer and an EOS twin in netns."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from _skip import need

from fabric.vendors.eos.twin.testbed import LabBed, TestBed

TOPOLOGY = Path(__file__).resolve().parents[3] / "containerlab" / "eos-pair.clab.yml"


@pytest.fixture(scope="session")
def bed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestBed]:
    need(os.geteuid() == 0, "twin lab tests need root for network namespaces")
    # The embedded lab (fabric.lab) deploys containerlab/eos-pair.clab.yml. The self-contained netns
    # bed only on explicit request (NETFABRIC_TWIN_BED=netns), never as a silent fallback: a broken
    # fabric.lab must fail here, not be swapped for another bed.
    kind = os.environ.get("NETFABRIC_TWIN_BED", "lab")
    tb: TestBed
    if kind == "lab":
        tb = LabBed(TOPOLOGY, Path(tmp_path_factory.mktemp("twinlab")))
    elif kind == "netns":
        tb = TestBed(Path(tmp_path_factory.mktemp("twinbed")))
    else:
        pytest.fail(f"NETFABRIC_TWIN_BED={kind!r}: expected 'lab' (default) or 'netns'")
    try:
        tb.create()
        assert tb.wait_peer("Established", 30), "eBGP between twin and FRR peer never came up"
        assert tb.wait_received(1, 30), "the twin never received a prefix from its FRR peer"
        yield tb
    finally:
        tb.destroy()


@pytest.fixture()
def napalm_eos(bed: TestBed):  # type: ignore[no-untyped-def]
    from napalm import get_network_driver

    def make(transport: str = "https"):  # type: ignore[no-untyped-def]
        drv = get_network_driver("eos")(
            bed.mgmt_ip, "admin", "admin", timeout=30, optional_args={"transport": transport}
        )
        drv.open()
        return drv

    return make
