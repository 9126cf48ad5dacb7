"""Fixtures for compliance tests: golden configs rendered by fabric.render, the EOS reference config."""

from __future__ import annotations

from pathlib import Path

import pytest
from _skip import need

from fabric.design import load_fabric
from fabric.model import Fabric
from fabric.render import render_fabric

ROOT = Path(__file__).resolve().parents[2]
EOS_REFERENCE = (
    ROOT.parent / "shared/reference/napalm-mocked/eos/test_get_config/normal/show_running_config.text"
)


@pytest.fixture(scope="session")
def dc1() -> Fabric:
    return load_fabric(ROOT / "inventory/dc1")


@pytest.fixture(scope="session")
def backbone() -> Fabric:
    return load_fabric(ROOT / "inventory/backbone")


@pytest.fixture(scope="session")
def dc1_golden(dc1: Fabric) -> dict[str, str]:
    return render_fabric(dc1)


@pytest.fixture(scope="session")
def backbone_golden(backbone: Fabric) -> dict[str, str]:
    return render_fabric(backbone)


@pytest.fixture(scope="session")
def eos_reference() -> str:
    need(EOS_REFERENCE.exists(), f"reference config missing: {EOS_REFERENCE}")
    return EOS_REFERENCE.read_text()
