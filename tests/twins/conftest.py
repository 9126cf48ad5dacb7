"""Fixtures for twin acceptance tests: a real FRR peer and an EOS twin in netns."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from fabric.twins.testbed import LabBed, TestBed

TOPOLOGY = Path(__file__).resolve().parents[2] / "containerlab" / "eos-pair.clab.yml"


def _need_root() -> None:
    if os.geteuid() != 0:
        if os.environ.get("CI") == "true":
            pytest.fail("twin lab tests need root (CI=true: not skipping)")
        pytest.skip("twin lab tests need root for network namespaces")


def _lab_available() -> bool:
    try:
        from fabric.lab import api  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="session")
def bed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestBed]:
    _need_root()
    # The embedded lab (fabric.lab) deploys containerlab/eos-pair.clab.yml; NETFABRIC_TWIN_BED=netns
    # falls back to the self-contained bed (no dependency on fabric.lab).
    tb: TestBed
    if os.environ.get("NETFABRIC_TWIN_BED", "lab") == "lab" and _lab_available():
        tb = LabBed(TOPOLOGY, Path(tmp_path_factory.mktemp("twinlab")))
    else:
        tb = TestBed(Path(tmp_path_factory.mktemp("twinbed")))
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
