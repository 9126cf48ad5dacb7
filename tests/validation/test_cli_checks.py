"""`fabric validate --checks/--skip-checks`: names checked (exit 2 with the closest name), and only the
state sections the selected checks read are collected."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from fabric.cli import app
from fabric.errors import ExitCode, FabricError
from fabric.validation.checks import CheckSettings
from fabric.validation.cli import _check_names, _sections


def test_unknown_check_is_a_usage_error_with_the_closest_name() -> None:
    r = CliRunner().invoke(app, ["validate", "inventory/dc1", "--checks", "lldp_neighbr"])
    assert r.exit_code == ExitCode.USAGE
    assert "unknown check 'lldp_neighbr'" in r.output and "did you mean 'lldp_neighbor'" in r.output
    r = CliRunner().invoke(app, ["validate", "inventory/dc1", "--skip-checks", "bogus"])
    assert r.exit_code == ExitCode.USAGE and "--skip-checks: unknown check 'bogus'" in r.output


def test_names_parse() -> None:
    assert _check_names(None, "--checks") is None
    assert _check_names("interface, bgp_session,", "--checks") == ("interface", "bgp_session")
    assert _check_names("router_id", "--checks") == ("router_id",)
    with pytest.raises(FabricError):
        _check_names("interfaces", "--checks")


@pytest.mark.parametrize("checks,skip,sections", [
    (None, (), ("facts", "interfaces", "lldp", "bgp", "ospf", "isis")),
    (("interface",), (), ("facts", "interfaces")),
    (("lldp_neighbor", "bgp_session"), (), ("facts", "lldp", "bgp")),
    (("unexpected_neighbor",), (), ("facts", "lldp", "ospf", "isis")),
    (("router_id",), (), ("facts", "bgp", "ospf")),
    (None, ("ospf_neighbor", "isis_adjacency", "unexpected_neighbor", "router_id"),
     ("facts", "interfaces", "lldp", "bgp")),
])
def test_only_the_sections_the_checks_read(checks: tuple[str, ...] | None, skip: tuple[str, ...],
                                           sections: tuple[str, ...]) -> None:
    assert _sections(CheckSettings(checks=checks, skip_checks=skip)) == sections
