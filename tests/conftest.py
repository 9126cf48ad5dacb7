"""Shared fixtures. Lab tests need root; in CI (CI=true) a missing lab is a failure, not a skip."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from _skip import need

if TYPE_CHECKING:
    from fabric.rollout.scenario import PrivateLab

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


@contextlib.contextmanager
def lab_copy(tmp_path_factory: pytest.TempPathFactory, topology: str) -> Iterator[PrivateLab]:
    """A deployed private copy of containerlab/<topology>.clab.yml (fabric.rollout.scenario.PrivateLab:
    own lab name and management subnet), destroyed afterwards; the lab is required (CI fails without)."""
    from fabric.rollout.scenario import PrivateLab

    require_lab()
    with PrivateLab(ROOT / "containerlab" / f"{topology}.clab.yml", tmp_path_factory.mktemp(topology)) as lab:
        yield lab


# `make test` runs pytest-xdist with two workers and the scheduler below. Test files run in two big
# work units, each on one worker, in collection order, as without xdist:
#  * "labs": lab modules that deploy only their own private copies of a topology (own lab name, own
#    management subnet: fabric.lab.api.free_mgmt_subnet reserves it against the other worker) and touch
#    nothing host-wide. They mostly wait on protocol and commit-confirm timers, so running them beside
#    the other unit halves the suite's wall time on 2 cores.
#  * "serial": every other file, including everything host-wide (`destroy --all`, orphan sweeps, a host
#    made to look fresh). A file in HOST_WIDE holds the host lock exclusively for its module, and a
#    "labs" module holds it shared, so the two never overlap (_host_lock below). HOST_WIDE files run
#    first, while "labs" is in its first (short) module, so that the wait costs seconds.
# The files in PARALLEL_SAFE, which touch none of that (pure parsing/rendering, and twins on ephemeral
# 127.0.0.1 ports inside the test process), are spread over both workers. A new file is "serial" until
# someone adds it to a set. (xdist's own --dist loadgroup cannot do this with pytest 9: it renames
# item._nodeid, which pytest 9 no longer reads.)
LABS_UNIT = frozenset({
    "tests/multivendor/test_lab_mixed.py", "tests/multivendor/test_lab_backbone.py",
    "tests/vendors/iosxr/test_lab_xr.py", "tests/vendors/junos/test_lab_isis.py",
    "tests/vendors/junos/test_lab_junos.py", "tests/vendors/junos/test_lab_rollout.py",
    "tests/vendors/srlinux/test_lab_rollout.py", "tests/vendors/srlinux/test_lab_srl.py",
    "tests/vendors/sros/test_lab_sros.py", "tests/validation/test_lab_anta.py",
    "tests/vendors/eos/test_lab_napalm.py", "tests/test_lab_html.py",
    "tests/test_output_schemas.py",
})
HOST_WIDE = frozenset({
    "tests/lab/test_fresh_host.py",  # removes /run/sshd and deploys with a reduced PATH
})
HOST_LOCK = Path("/run/netfabric/test-host.lock")
PARALLEL_SAFE = frozenset({
    "tests/test_cli_fuzz.py",
    "tests/compliance/test_engine.py", "tests/compliance/test_examples.py",
    "tests/compliance/test_iosxr_remediation.py", "tests/compliance/test_junos_remediation.py",
    "tests/compliance/test_srlinux_remediation.py",
    "tests/design/test_design.py", "tests/design/test_fuzz.py", "tests/design/test_inventory.py",
    "tests/rollout/test_applied.py", "tests/rollout/test_drivers.py", "tests/rollout/test_engine.py",
    "tests/rollout/test_journal.py", "tests/rollout/test_plan.py", "tests/rollout/test_playbook.py",
    "tests/state/test_state_checks.py", "tests/state/test_state_twin_ttp.py",
    "tests/test_cli_help.py", "tests/validation/test_cli_checks.py", "tests/test_imports.py",
    "tests/test_fabricdoc.py", "tests/test_cli_contract.py", "tests/test_progress.py", "tests/test_select.py",
    "tests/test_output.py", "tests/test_lldpwatch.py", "tests/vendors/eos/test_eapiclient.py",
    "tests/validation/test_anta_export.py",
    "tests/vendors/test_contract.py",
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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda it: it.nodeid.split("::", 1)[0] not in HOST_WIDE)  # stable: HOST_WIDE first


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    from xdist.scheduler import LoadScopeScheduling

    class SerialUnlessSafe(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return nodeid if path in PARALLEL_SAFE else "labs" if path in LABS_UNIT else "serial"

    return SerialUnlessSafe(config, log)


@pytest.fixture(scope="module", autouse=True)
def _host_lock(request: pytest.FixtureRequest) -> Iterator[None]:
    """HOST_WIDE modules run alone: they hold the host lock exclusively, "labs" modules hold it shared."""
    path = Path(str(request.module.__file__)).resolve().relative_to(ROOT).as_posix()
    mode = fcntl.LOCK_EX if path in HOST_WIDE else fcntl.LOCK_SH if path in LABS_UNIT else None
    if mode is None or os.geteuid() != 0:
        yield
        return
    HOST_LOCK.parent.mkdir(parents=True, exist_ok=True)
    # the turnstile makes the lock fair: a HOST_WIDE module waiting for the labs to finish their module
    # keeps the next "labs" module from starting (flock alone lets shared holders starve it)
    with HOST_LOCK.with_suffix(".turnstile").open("a") as turnstile, HOST_LOCK.open("a") as lock:
        fcntl.flock(turnstile, fcntl.LOCK_EX)
        fcntl.flock(lock, mode)
        fcntl.flock(turnstile, fcntl.LOCK_UN)
        yield


@pytest.fixture
def repo_root() -> Path:
    return ROOT
