"""Validation: checks generated from intent, run against collected state; snapshots and diffs; reports.

Public API: :func:`validate` (collect + check a fabric, a lab or a topology), :func:`run_checks`,
snapshots (:mod:`fabric.validation.snapshot`) and report writers (:mod:`fabric.validation.report`).
The ``fabric validate|snapshot|diff`` commands are in :mod:`fabric.validation.cli`.
"""

from fabric.validation.checks import CheckResult, run_checks
from fabric.validation.run import validate

__all__ = ["CheckResult", "run_checks", "validate"]
