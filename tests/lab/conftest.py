"""Lab tests: private lab registry so `destroy --all` in a test never touches a developer's labs.

After an interrupted run: NETFABRIC_LAB_REGISTRY=/run/netfabric/labs-test fabric lab destroy --all
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

TEST_REGISTRY = "/run/netfabric/labs-test"
os.environ["NETFABRIC_LAB_REGISTRY"] = TEST_REGISTRY  # for subprocesses


@pytest.fixture(autouse=True)
def _private_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    # fabric.lab.state may have been imported (by other test dirs) before this conftest ran.
    import fabric.lab.state as state

    monkeypatch.setattr(state, "REGISTRY", Path(TEST_REGISTRY))


@pytest.fixture(scope="session")
def repo() -> Path:
    return Path(__file__).resolve().parents[2]
