"""A Junos twin's IS-IS at boot, in a real FRR started the way the lab starts a twin's FRR: each daemon
reads the startup-config's translation itself (``-f``), then the twin creates the loopback (``lo0``).

Regression: isisd applies the file line by line; a line after ``net`` that regenerates the LSP
(``is-type``, ``metric-style``) armed the next regeneration with FRR's default 30 s gen-interval, which
the later ``lsp-timers`` line does not re-arm: the LSP kept no loopback for ~30 s (junos-core: the iBGP
session over the loopbacks came up 31 s after deploy instead of ~3 s).
"""

from __future__ import annotations

import asyncio
import shlex
import shutil
import time
from pathlib import Path

import pytest
from _skip import need
from srlinux.frrcheck import FrrNode, _sh, frr_available

from fabric.lab.netns import FRR_ETC, FRR_TMP, FRR_TMP_MOUNT, daemon_config
from fabric.twins.frr import Frr
from fabric.vendors.junos.twin.config import parse_text
from fabric.vendors.junos.twin.control import kernel_links, to_frr, validate

ROOT = Path(__file__).resolve().parents[3]
PE1 = ROOT / "containerlab" / "junos-core" / "pe1.cfg"  # level 2 only, wide-metrics-only


class BootedFrr(FrrNode):
    """zebra and isisd reading the node's FRR config at start, as the lab starts them."""

    def boot(self, config: str, ports: list[str]) -> None:
        _sh("ip", "netns", "add", self.ns)
        _sh("ip", "-n", self.ns, "link", "set", "lo", "up")
        for i, name in enumerate(ports):  # the lab wires the ports before FRR starts
            _sh("ip", "-n", self.ns, "link", "add", name, "type", "veth", "peer", "name", f"far{i}")
            _sh("ip", "-n", self.ns, "link", "set", f"far{i}", "up")
        etc = FRR_ETC / self.ns
        etc.mkdir(parents=True, exist_ok=True)
        (etc / "frr.conf").write_text(daemon_config(config))
        for d in (etc, self.rundir):
            d.mkdir(parents=True, exist_ok=True)
            shutil.chown(d, "frr", "frr")
        shutil.chown(etc / "frr.conf", "frr", "frr")
        FRR_TMP.mkdir(parents=True, exist_ok=True)
        for daemon in ("zebra", "isisd"):
            argv = [f"/usr/lib/frr/{daemon}", "-N", self.ns, "-d", "-F", "traditional",
                    "-f", str(etc / "frr.conf"), "-i", str(self.rundir / f"{daemon}.pid")]
            _sh("ip", "netns", "exec", self.ns, "sh", "-c", f"{FRR_TMP_MOUNT} && exec {shlex.join(argv)}")

    def stop(self) -> None:
        super().stop()
        shutil.rmtree(FRR_ETC / self.ns, ignore_errors=True)


def _own_lsp(node: BootedFrr) -> str:
    return node.vtysh("show isis database detail")


@pytest.mark.parametrize("narrow", [False, True], ids=["wide-metrics-only", "narrow-and-wide"])
def test_own_lsp_carries_the_loopback_within_seconds_of_boot(tmp_path: Path, narrow: bool) -> None:
    reason = frr_available()
    need(reason is None, f"real FRR unavailable: {reason}")
    text = PE1.read_text()
    if narrow:  # without wide-metrics-only the translation adds `metric-style transition`
        text = text.replace("level 2 wide-metrics-only;", "")
    dev = validate(parse_text(text), "pe1")
    config = to_frr(dev)
    assert (" metric-style transition" in config) is narrow
    links = kernel_links(dev)
    node = BootedFrr(tmp_path)
    try:
        node.boot(config, [n for n in links if not n.startswith("lo")])
        # what the twin's boot does next: lo0 (a loopback stand-in) created, MTUs and admin state set
        asyncio.run(Frr(node.ns, node.ns, tmp_path / "twin").set_links(links, fresh=True))
        t0 = time.monotonic()
        while "10.254.7.3/32" not in (lsp := _own_lsp(node)) and time.monotonic() - t0 < 40:
            time.sleep(0.2)
        took = time.monotonic() - t0
        assert "10.254.7.3/32" in lsp, lsp
        assert took < 5, f"own LSP got the loopback only after {took:.1f} s:\n{lsp}"
        assert "Protocols Supported: IPv4" in lsp, lsp
    finally:
        node.stop()
