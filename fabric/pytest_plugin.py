"""pytest plugin: ``pytest --fabric <inventory>`` runs one test per checked item.

Test ids read like ``leaf1::bgp_session::10.1.0.0``. Without ``--fabric`` the plugin
does nothing; it imports nothing heavy at module level because pytest loads it in
every run of this project's own tests.
"""

from __future__ import annotations

from typing import Any

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("netfabric", "netfabric fabric validation")
    group.addoption(
        "--fabric",
        action="store",
        default=None,
        metavar="INVENTORY",
        help="validate this fabric (inventory/dc1, a fabric.yaml or a lab name): one test per check item",
    )
    group.addoption("--fabric-hosts", action="store", default=None, metavar="H1,H2", help="only these hosts")
    group.addoption(
        "--fabric-keep-tests",
        action="store_true",
        default=False,
        help="also run the collected test files (default: only the fabric checks)",
    )


class FabricCheckItem(pytest.Item):
    def __init__(self, *, result: Any, **kw: Any) -> None:
        super().__init__(**kw)
        self.result = result

    def runtest(self) -> None:
        r = self.result
        if r.status == "skip":
            pytest.skip(r.reason or "skipped")
        if r.status in ("fail", "error"):
            raise FabricCheckFailure(r)

    def repr_failure(self, excinfo: Any, style: Any = None) -> str:  # type: ignore[override]
        if isinstance(excinfo.value, FabricCheckFailure):
            r = excinfo.value.result
            return f"{r.status}: {r.reason}\n  expected: {r.expected}\n  actual:   {r.actual}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[str, int | None, str]:
        return self.config.getoption("--fabric") or "fabric", None, self.name


class FabricCheckFailure(Exception):
    def __init__(self, result: Any) -> None:
        super().__init__(result.reason)
        self.result = result


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    target = config.getoption("--fabric", default=None)
    if not target:
        return
    from fabric.validation.run import validate

    hosts_opt = config.getoption("--fabric-hosts")
    hosts = [h for h in hosts_opt.split(",") if h] if hosts_opt else None
    run = validate(target, hosts)
    new = [FabricCheckItem.from_parent(session, name=r.id, result=r) for r in run.results]
    if config.getoption("--fabric-keep-tests"):
        items.extend(new)
    else:
        items[:] = new
