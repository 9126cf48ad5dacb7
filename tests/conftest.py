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


# `make test` runs pytest-xdist with two workers and the scheduler below. Every test file runs in one
# work unit, "serial", on one worker, in collection order, as without xdist: labs, namespaces, FRR,
# `destroy --all`, the lab registry and timing-sensitive checks never meet a concurrent test. Only the
# files below, which touch none of that (pure parsing/rendering, and twins on ephemeral 127.0.0.1 ports
# inside the test process), are spread over both workers; they mostly wait on sockets and timers, so the
# second worker saves most of their wall time. A new test file is serial until someone adds it here.
# (xdist's own --dist loadgroup cannot do this with pytest 9: it renames item._nodeid, which pytest 9
# no longer reads.)
PARALLEL_SAFE = frozenset({
    "tests/compliance/test_engine.py", "tests/compliance/test_examples.py",
    "tests/compliance/test_iosxr_remediation.py", "tests/compliance/test_junos_remediation.py",
    "tests/compliance/test_srlinux_remediation.py",
    "tests/design/test_design.py", "tests/design/test_fuzz.py", "tests/design/test_inventory.py",
    "tests/rollout/test_applied.py", "tests/rollout/test_drivers.py", "tests/rollout/test_engine.py",
    "tests/rollout/test_journal.py", "tests/rollout/test_plan.py", "tests/rollout/test_playbook.py",
    "tests/state/test_state_checks.py", "tests/state/test_state_twin_ttp.py",
    "tests/test_cli_help.py", "tests/test_imports.py", "tests/vendors/test_contract.py",
    "tests/vendors/iosxr/test_xr_cli.py", "tests/vendors/iosxr/test_xr_config.py",
    "tests/vendors/iosxr/test_xr_driver.py", "tests/vendors/iosxr/test_xr_netconf.py",
    "tests/vendors/iosxr/test_xr_normalise.py", "tests/vendors/iosxr/test_xr_oper.py",
    "tests/vendors/iosxr/test_xr_session.py",
    "tests/vendors/junos/test_boot.py", "tests/vendors/junos/test_cli.py",
    "tests/vendors/junos/test_driver.py",
    "tests/vendors/junos/test_junos_config.py", "tests/vendors/junos/test_junos_session.py",
    "tests/vendors/junos/test_netconf_clients.py", "tests/vendors/junos/test_netconf_wire.py",
    "tests/vendors/junos/test_normalise.py", "tests/vendors/junos/test_oper_render.py",
    "tests/vendors/srlinux/test_driver.py", "tests/vendors/srlinux/test_normalise.py",
    "tests/vendors/srlinux/test_shell.py", "tests/vendors/srlinux/test_srl_config.py",
    "tests/vendors/srlinux/test_srl_jsonrpc.py", "tests/vendors/srlinux/test_srl_napalm.py",
    "tests/vendors/sros/test_sros_cli.py", "tests/vendors/sros/test_sros_config.py",
    "tests/vendors/sros/test_sros_driver.py", "tests/vendors/sros/test_sros_netconf.py",
    "tests/vendors/sros/test_sros_normalise.py", "tests/vendors/sros/test_sros_session.py",
    "tests/vendors/sros/test_sros_state.py",
})


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    from xdist.scheduler import LoadScopeScheduling

    class SerialUnlessSafe(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            return nodeid if nodeid.split("::", 1)[0] in PARALLEL_SAFE else "serial"

    return SerialUnlessSafe(config, log)


@pytest.fixture
def repo_root() -> Path:
    return ROOT
