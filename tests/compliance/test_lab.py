"""Compliance against the embedded lab: fresh deploy, drift from the device CLI, remediation, unreachable.

Each lab here is a copy of dc1 with its own name and management subnet, so it never collides with
another lab deployed on the same machine (the demo's dc1, other test suites).
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest
from _skip import need
from typer.testing import CliRunner

from fabric.compliance import (
    UNREACHABLE,
    push_remediation,
    remediation,
    resolve_target,
    run_compliance,
)
from fabric.credentials import credentials_for
from fabric.model import Fabric
from fabric.rollout.drivers import Target, driver_for

pytestmark = pytest.mark.lab
ROOT = Path(__file__).resolve().parents[2]


def _require_lab() -> None:
    need(os.geteuid() == 0, "the embedded lab needs root (network namespaces)")
    need(Path("/usr/lib/frr/zebra").exists(), "FRR is not installed (run `make test`)")


def _fabric_copy(base: Path, name: str, subnet: str) -> Path:
    """dc1's fabric file under another name and management subnet, at <base>/inventory/<name>/."""
    text = (ROOT / "inventory/dc1/fabric.yaml").read_text()
    text = re.sub(r"(?m)^name: dc1$", f"name: {name}", text).replace("172.20.21.", subnet)
    path = base / "inventory" / name / "fabric.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(text)
    return path


def _deploy(base: Path, name: str, subnet: str, platform: str | None) -> Iterator[Path]:
    """Write the lab exactly as `fabric build [--lab-platform]` does, deploy it, destroy it after."""
    from fabric.cli import _render_all
    from fabric.design import load_fabric
    from fabric.lab import api
    from fabric.topology import write_topology

    fab = load_fabric(_fabric_copy(base, name, subnet))
    topo = [
        p
        for p in write_topology(fab, base / "containerlab", _render_all(fab, platform), platform)
        if p.name.endswith(".clab.yml")
    ][0]
    try:
        api.deploy(topo, wait=True, timeout=90)
        _wait_ssh([d.mgmt_ipv4.split("/")[0] for d in fab.devices.values()])
        yield topo
    finally:
        api.destroy(topo)


def _wait_ssh(addresses: list[str], timeout: float = 90) -> None:
    """`deploy(wait=True)` waits for FRR; sshd may still be starting on a loaded machine."""
    import socket
    import time

    deadline = time.monotonic() + timeout
    pending = list(addresses)
    while pending and time.monotonic() < deadline:
        for addr in list(pending):
            try:
                with socket.create_connection((addr, 22), timeout=2) as sock:
                    if sock.recv(4).startswith(b"SSH"):
                        pending.remove(addr)
            except OSError:
                pass
        if pending:
            time.sleep(0.5)
    assert not pending, f"sshd not answering after {timeout:.0f}s on {pending}"


@pytest.fixture(scope="module")
def frr_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The all-FRR variant of dc1 (what `fabric build dc1 --lab-platform frr` writes), booted golden."""
    _require_lab()
    base = tmp_path_factory.mktemp("cfrr")
    old = Path.cwd()
    os.chdir(base)  # the lab resolves its fabric as inventory/<name>, like in the repo
    try:
        yield from _deploy(base, "cfrr", "172.20.57.", "frr")
    finally:
        os.chdir(old)


@pytest.fixture(scope="module")
def eos_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Fabric, Path]]:
    """dc1 as designed: EOS spines/leaves as device twins, FRR leaves."""
    _require_lab()
    base = tmp_path_factory.mktemp("ceos")
    from fabric.design import load_fabric

    for _topo in _deploy(base, "ceos", "172.20.58.", None):
        yield load_fabric(base / "inventory/ceos"), base


def _failing(rep, host: str) -> dict[str, tuple[list[str], list[str]]]:  # type: ignore[no-untyped-def]
    return {r.feature: (r.missing, r.extra) for r in rep.results if r.device == host and not r.compliant}


def _frr_ssh(fab: Fabric, host: str, lines: list[str]) -> None:
    """Drift made the way an operator would: on the device's own CLI, over SSH."""
    creds = credentials_for("frr", fab.devices[host].mgmt_ipv4)
    drv = driver_for(Target(host, fab.devices[host].mgmt_ipv4.split("/")[0], "frr", creds.username,
                            creds.password))
    try:
        rc, out = drv.sh("vtysh " + " ".join(f"-c {shlex.quote(x)}" for x in ["configure terminal", *lines]))
        assert rc == 0, out
    finally:
        drv.close()


def test_frr_lab_fresh_drift_remediate_unreachable(
    frr_lab: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, backups = tmp_path / "c.sqlite", tmp_path / "backups"
    fab = resolve_target(frr_lab)
    assert {d.platform for d in fab.devices.values()} == {"frr"}
    # The deployed lab by name (lab registry) resolves to the same re-targeted fabric.
    assert resolve_target("cfrr-frr") == fab

    # 1. Freshly deployed with its golden config: fully compliant, backed up.
    rep = run_compliance(frr_lab, db=db, backup_dir=backups)
    assert rep.errors == {}
    assert [r for r in rep.results if not r.compliant] == []
    assert rep.compliant and rep.backup_commit
    assert sorted(p.name for p in backups.glob("*.cfg")) == sorted(f"{h}.cfg" for h in fab.devices)
    lab_pw = credentials_for("frr", fab.devices["leaf3"].mgmt_ipv4).password
    assert lab_pw not in (backups / "leaf3.cfg").read_text()

    # 2. Drift through the device's CLI: an extra network and a changed interface description.
    golden_desc = next(i.description for i in fab.devices["leaf3"].interfaces if i.name == "eth1")
    _frr_ssh(
        fab,
        "leaf3",
        [
            "interface eth1",
            "description rogue",
            "exit",
            "router bgp 65103",
            "address-family ipv4 unicast",
            "network 192.0.2.0/24",
        ],
    )
    rep = run_compliance(frr_lab, db=db, backup_dir=backups)
    assert _failing(rep, "leaf3") == {
        "interfaces": (
            ["interface eth1", f" description {golden_desc}"],
            ["interface eth1", " description rogue"],
        ),
        "bgp": ([], ["router bgp 65103", " address-family ipv4 unicast", "  network 192.0.2.0/24"]),
    }
    assert not rep.compliant and [r.device for r in rep.results if not r.compliant] == ["leaf3"] * 2

    # 3. Remediation: minimal snippet, pushed through fabric.rollout's commit-confirmed driver.
    snippet = remediation(fab, "leaf3")
    assert snippet == (
        f"interface eth1\n description {golden_desc}\nexit\n"
        "router bgp 65103\n address-family ipv4 unicast\n  no network 192.0.2.0/24\n"
        " exit-address-family\nexit\n"
    )
    assert "commit-confirmed" in push_remediation(fab, "leaf3", snippet)
    rep = run_compliance(frr_lab, db=db, backup_dir=backups)
    assert rep.compliant, _failing(rep, "leaf3")

    # History saw it break and get fixed.
    from fabric.compliance import history

    runs = history.runs(db, "cfrr-frr")  # a lab is recorded under its own name
    assert [r.compliant for r in runs] == [True, False, True]
    out = CliRunner().invoke(
        __import__("fabric.compliance.cli", fromlist=["app"]).app,
        ["history", str(frr_lab), "--db", str(db)],
        env={"COLUMNS": "200"},
    )
    assert "leaf3 interfaces: fixed (noncompliant -> compliant)" in out.output

    # 4. A device nothing answers for (inside the lab's subnet): reported, the rest completes.
    ghost = fab.devices["leaf4"].model_copy(deep=True)
    ghost.hostname, ghost.mgmt_ipv4 = "ghost", "172.20.57.199/24"
    fab_g = fab.model_copy(deep=True)
    fab_g.devices["ghost"] = ghost
    # Not a lab node, so no lab defaults for it: configured credentials (the lab's own values), as an
    # operator has for every device; without them the run stops naming the variables (test_credentials).
    monkeypatch.setenv("NETFABRIC_FRR_USERNAME", "root")
    monkeypatch.setenv("NETFABRIC_FRR_PASSWORD", lab_pw)
    rep = run_compliance(frr_lab, fab=fab_g, db=db, backup_dir=backups)
    assert set(rep.errors) == {"ghost"}
    assert {r.status for r in rep.results if r.device == "ghost"} == {UNREACHABLE}
    assert all(r.compliant for r in rep.results if r.device != "ghost")
    assert len({r.device for r in rep.results}) == len(fab_g.devices)


def test_frr_lab_cli_run_reports(frr_lab: Path, tmp_path: Path) -> None:
    from fabric.compliance.cli import app

    args = ["run", str(frr_lab), "--db", str(tmp_path / "c.sqlite"), "--backup-dir", str(tmp_path / "b")]
    out = CliRunner().invoke(
        app,
        [*args, "--format", "html", "-o", str(tmp_path / "r.html"), "--metrics", str(tmp_path / "m.prom")],
    )
    assert out.exit_code == 0, out.output
    assert "6 of 6 devices compliant" in (tmp_path / "r.html").read_text()
    assert re.search(r'^netfabric_compliance_devices_compliant\{fabric="[^"]+"\} 6\.0$',
                     (tmp_path / "m.prom").read_text(), re.M)
    out = CliRunner().invoke(app, [*args, "--features", "bgp", "--hosts", "leaf3", "--format", "json"])
    assert out.exit_code == 0, out.output
    assert '"feature": "bgp"' in out.output and '"feature": "interfaces"' not in out.output
    for fmt, first in (("yaml", "fabric: "), ("csv", "device,feature,status,missing,extra,detail"),
                       ("markdown", "# Compliance of ")):
        dest = tmp_path / f"r.{fmt}"
        out = CliRunner().invoke(app, [*args, "--hosts", "leaf3", "-f", fmt, "-o", str(dest)])
        assert out.exit_code == 0 and dest.read_text().startswith(first), (fmt, out.output)
    assert "leaf3,bgp,compliant,0,0," in (tmp_path / "r.csv").read_text()

    # Drift, seen by the table output and fixed with `remediate --push`.
    fab = resolve_target(frr_lab)
    _frr_ssh(fab, "spine2", ["ip prefix-list ROGUE seq 5 permit 192.0.2.0/24"])
    out = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert out.exit_code == 1
    assert "spine2 routing: noncompliant" in out.output
    assert "  + ip prefix-list ROGUE seq 5 permit 192.0.2.0/24" in out.output
    rem = tmp_path / "rem"
    out = CliRunner().invoke(
        app, ["remediate", str(frr_lab), "--hosts", "spine2", "--out", str(rem), "--push"]
    )
    assert out.exit_code == 0, out.output
    assert (rem / "spine2.cfg").read_text() == "no ip prefix-list ROGUE seq 5 permit 192.0.2.0/24\n"
    assert "spine2: pushed (rollout frr driver, commit-confirmed merge" in out.output
    assert CliRunner().invoke(app, args).exit_code == 0


def test_eos_twin_drift_and_remediation(eos_lab: tuple[Fabric, Path], tmp_path: Path) -> None:
    from netmiko import ConnectHandler

    fab, _ = eos_lab
    db, backups = tmp_path / "c.sqlite", tmp_path / "b"
    rep = run_compliance(fab.file, fab=fab, db=db, backup_dir=backups)
    assert rep.errors == {}
    # A fresh lab, EOS twins included, is compliant in every feature: the twin prints nested
    # `ip prefix-list` entries, `no ip routing vrf` and `management api ... vrf` like EOS
    # (tests/vendors/eos/test_fidelity.py), so nothing is excused here.
    assert {h: _failing(rep, h) for h in fab.devices if _failing(rep, h)} == {}
    assert {fab.devices[h].platform for h in fab.devices} == {"eos", "frr"}

    creds = credentials_for("eos", fab.devices["leaf1"].mgmt_ipv4)
    conn = ConnectHandler(
        device_type="arista_eos",
        host=fab.devices["leaf1"].mgmt_ipv4.split("/")[0],
        username=creds.username,
        password=creds.password,
        fast_cli=False,
        conn_timeout=30,
        read_timeout_override=90,  # the lab shares the machine with other suites: be patient
    )
    try:
        conn.send_config_set(
            ["interface Ethernet2", "description rogue", "exit", "ntp server vrf MGMT 192.0.2.1"]
        )
    finally:
        conn.disconnect()
    rep = run_compliance(fab.file, fab=fab, db=db, backup_dir=backups, hosts=["leaf1"])
    assert _failing(rep, "leaf1") == {
        "interfaces": (
            ["interface Ethernet2", "   description to spine2 Ethernet1"],
            ["interface Ethernet2", "   description rogue"],
        ),
        "ntp": ([], ["ntp server vrf MGMT 192.0.2.1"]),
    }
    snippet = remediation(fab, "leaf1", features=["interfaces", "ntp"])
    assert (
        snippet
        == "no ntp server vrf MGMT 192.0.2.1\ninterface Ethernet2\n   description to spine2 Ethernet1\n"
    )
    assert "commit-confirmed" in push_remediation(fab, "leaf1", snippet)
    rep = run_compliance(
        fab.file, fab=fab, db=db, backup_dir=backups, hosts=["leaf1"], features=["interfaces", "ntp"]
    )
    assert rep.compliant, _failing(rep, "leaf1")


def test_frr_lab_state_compliance(frr_lab: Path, tmp_path: Path) -> None:
    # --state adds the validation checks as a "state" feature per device (their verdicts belong to
    # the validation suite; here: they are run and reported next to the config features).
    rep = run_compliance(frr_lab, db=None, backups=False, state=True, hosts=["leaf3"], features=["bgp"])
    state = [r for r in rep.results if r.feature == "state"]
    assert state and {r.device for r in state} >= {"leaf3"}
    assert [r.feature for r in rep.results if r.device == "leaf3"] == ["bgp", "state"]
