"""A twin booted from its golden config prints that golden config back (compliance fidelity).

No lab needed: the twin's CLI is driven in-process; FRR is never touched (``load`` only).
"""

from __future__ import annotations

import asyncio
from functools import cache
from pathlib import Path

import pytest

from fabric.compliance import compare, golden_configs, resolve_target
from fabric.vendors.eos.twin.config import EosConfig
from fabric.vendors.eos.twin.twin import Context, EosTwin

ROOT = Path(__file__).resolve().parents[3]
TARGETS = ["inventory/dc1", "inventory/dc-large"]


@cache
def _goldens(target: str) -> dict[str, str]:
    fab = resolve_target(ROOT / target)
    return golden_configs(fab, [n for n, d in fab.devices.items() if d.platform == "eos"])


def _body(text: str) -> list[str]:
    """Drop the header comment lines (EOS: "! Command:", "! device:", "! boot system"; golden: its banner)."""
    lines = text.splitlines()
    while lines and lines[0].startswith("!"):
        lines.pop(0)
    return lines


def _boot(tmp: Path, name: str, golden: str) -> EosTwin:
    cfg = tmp / f"{name}.cfg"
    cfg.write_text(golden)
    node = {"node_dir": str(tmp / name), "startup_config": str(cfg), "netns": None}
    twin = EosTwin(name, node, {"lab_dir": str(tmp)})
    twin.load()
    return twin


def _show_run(twin: EosTwin) -> str:
    return str(asyncio.run(twin.execute(Context(privileged=True), "show running-config")))


@pytest.mark.parametrize("target", TARGETS)
def test_running_config_equals_golden(target: str, tmp_path: Path) -> None:
    goldens = _goldens(target)
    assert goldens, f"no EOS devices in {target}"
    for name, golden in goldens.items():
        running = _show_run(_boot(tmp_path, name, golden))
        assert running.startswith("! Command: show running-config\n! device: ")
        assert _body(running) == _body(golden), name
        bad = [r for r in compare(name, "eos", running, golden) if not r.compliant]
        assert not bad, [(r.feature, r.missing, r.extra) for r in bad]


def test_typed_golden_prints_the_same(tmp_path: Path) -> None:
    """NAPALM sends the golden config unindented, line by line: same running-config."""
    for name, golden in _goldens("inventory/dc1").items():
        cfg = EosConfig()
        for line in golden.splitlines():
            line = line.strip()
            if line and not line.startswith("!") and line != "end":
                cfg.apply_line(line)
        assert _body(cfg.to_text()) == _body(golden), name


def test_specific_lines_kept() -> None:
    golden = _goldens("inventory/dc-large")["leaf1"]
    text = EosConfig.from_text(golden).to_text()
    assert "ip prefix-list LOOPBACKS\n   seq 10 permit " in text  # indented under its list
    assert "ip routing\nno ip routing vrf MGMT\n!\n" in text
    mgmt_api = (
        "management api http-commands\n   protocol https\n   no shutdown\n"
        "   !\n   vrf MGMT\n      no shutdown\n"
    )
    assert mgmt_api in text


def test_canonical_order_not_entry_order() -> None:
    typed = EosConfig()
    for line in [
        "router bgp 65001",
        "router-id 10.0.0.1",
        "ip prefix-list LOOPBACKS",
        "seq 10 permit 10.0.0.0/24 ge 32 le 32",
        "interface Loopback0",
        "ip address 10.0.0.1/32",
        "interface Ethernet10",
        "no switchport",
        "interface Ethernet2",
        "no switchport",
        "ip routing",
        "hostname sw1",
    ]:
        typed.apply_line(line)
    heads = [ln for ln in typed.to_text().splitlines() if ln and not ln.startswith((" ", "!"))]
    assert heads == [
        "hostname sw1",
        "interface Ethernet2",
        "interface Ethernet10",
        "interface Loopback0",
        "ip routing",
        "ip prefix-list LOOPBACKS",
        "router bgp 65001",
        "end",
    ]


@pytest.mark.parametrize("target", TARGETS)
def test_lab_boot_config_is_what_the_twin_would_push(target: str, tmp_path: Path) -> None:
    """The lab starts FRR with boot_frr_config(startup); the twin skips its boot push only when that
    equals the translation of its running-config, so the two must agree for every golden config."""
    from fabric.vendors.eos.twin.model import to_frr

    for name, golden in _goldens(target).items():
        twin = _boot(tmp_path, name, golden)
        assert EosTwin.boot_frr_config(golden) == to_frr(twin.device()), name
