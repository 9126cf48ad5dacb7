"""The one way a test may skip: skip on a developer box, FAIL under CI (``CI=true``).

CI runs as root with the lab's tools installed (``make test`` installs them), so a missing lab, tool,
reference file or generated topology there means the run is broken, not that the test does not apply:
it must fail, never pass silently. Import as a plain module (``from _skip import need``): tests/ is on
sys.path through tests/conftest.py.

``ci_ok`` names a prerequisite CI is documented NOT to have (``CI_LACKS``, docs/lab.md "Tests"); only
those may still skip under CI. Anything else passed there is a programming error.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

# What the CI machine is documented not to have. Docker (and so a live containerlab run): the lab is
# network namespaces precisely so that CI needs no Docker.
CI_LACKS = frozenset({"docker"})


def in_ci() -> bool:
    return os.environ.get("CI") == "true"


def skip_or_fail(reason: str, *, ci_ok: str | None = None) -> NoReturn:
    """Skip with ``reason``; under CI=true fail instead, unless ``ci_ok`` names one of ``CI_LACKS``."""
    __tracebackhide__ = True  # reports point at the test that needed it, not at this file
    if ci_ok is not None and ci_ok not in CI_LACKS:
        raise ValueError(f"ci_ok={ci_ok!r}: CI is only documented to lack {sorted(CI_LACKS)}")
    if in_ci() and ci_ok is None:
        pytest.fail(f"CI=true: {reason} (in CI a missing prerequisite fails, never skips)", pytrace=False)
    pytest.skip(reason)


def need(ok: object, reason: str, *, ci_ok: str | None = None) -> None:
    """``skip_or_fail(reason)`` unless ``ok`` is true."""
    __tracebackhide__ = True
    if not ok:
        skip_or_fail(reason, ci_ok=ci_ok)
