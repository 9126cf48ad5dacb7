"""Shared fixtures. Lab tests need root; in CI (CI=true) a missing lab is a failure, not a skip."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from _skip import need

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT.parent / "shared" / "reference"

# A private lab registry, so `destroy --all` in a test never touches a developer's labs. Set at
# import, before any fixture deploys; subprocesses inherit it. After an interrupted run:
#   NETFABRIC_LAB_REGISTRY=/run/netfabric/labs-test fabric lab destroy --all
os.environ["NETFABRIC_LAB_REGISTRY"] = "/run/netfabric/labs-test"


def lab_unavailable_reason() -> str | None:
    if os.geteuid() != 0:
        return "the embedded lab needs root (network namespaces)"
    for tool in ("ip", "vtysh", "lldpd", "sshd"):
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists():
            return f"'{tool}' is not installed (run `make test`, which installs it)"
    return None


def require_lab() -> None:
    """Skip a lab test where the lab cannot run; in CI, fail instead (a missing lab must not pass)."""
    reason = lab_unavailable_reason()
    need(reason is None, f"lab unavailable: {reason}")


@pytest.fixture
def repo_root() -> Path:
    return ROOT
