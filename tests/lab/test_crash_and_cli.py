"""Crash safety (kill -9 mid-deploy, then destroy --all), non-root message, dc1 FRR Clos when present."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _labutil import REPO, lab_leftovers, require, require_frr
from typer.testing import CliRunner

from fabric.lab import cli, deploy, destroy, readiness
from fabric.lab.state import registered

pytestmark = pytest.mark.lab


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench_lab", REPO / "bench" / "bench_lab.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_not_root_is_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    topo = REPO / "containerlab" / "frr-triangle.clab.yml"
    for args in (["deploy", "-t", str(topo)], ["destroy", "--all"], ["exec", "r1", "--", "true"]):
        res = CliRunner().invoke(cli.app, args)
        assert res.exit_code == 2, (args, res.output)  # ExitCode.USAGE: bad input/environment, with a fix
        assert "needs root" in res.output and "Traceback" not in res.output


def test_cli_errors_name_file_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.clab.yml"
    bad.write_text("name: b\ntopology: {nodes: {r1: {kind: linux, mgmt-ipv4: 1.2.3}}}\n")
    res = CliRunner().invoke(cli.app, ["graph", "-t", str(bad)])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert str(bad) in res.output and "topology.nodes.r1.mgmt-ipv4" in res.output
    tri = str(REPO / "containerlab/frr-triangle.clab.yml")
    res = CliRunner().invoke(cli.app, ["graph", "--dot", "-t", tri])
    assert res.exit_code == 0 and res.output.startswith('graph "frr-triangle"')


def test_scenario_command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`fabric lab scenario FILE` runs fabric.rollout.scenario.run_scenario (stubbed: no lab here)."""
    import inspect as pyinspect

    import fabric.rollout.scenario as sc

    params = pyinspect.signature(sc.run_scenario).parameters
    assert list(params)[0] == "path" and {"keep", "emit"} <= set(params)
    calls: list[tuple[Path, bool]] = []

    def fake(path: Path, *, keep: bool = False, emit=None):  # type: ignore[no-untyped-def]
        calls.append((Path(path), keep))
        assert emit is not None
        emit(1, "leaf1", "commit", "ok", "")
        ok = Path(path).name == "good.yaml"
        return {"scenario": "s", "ok": ok, "report": {},
                "checks": [{"name": "outcome", "ok": ok, "detail": "completed (expected completed)"}]}

    with monkeypatch.context() as m:
        m.setattr(sc, "run_scenario", fake)
        report = tmp_path / "r.json"
        res = CliRunner().invoke(cli.app, ["scenario", "labs/good.yaml", "--keep", "--report", str(report)])
        assert res.exit_code == 0, res.output
        assert calls == [(Path("labs/good.yaml"), True)] and "ok outcome" in res.output
        assert json.loads(report.read_text())["ok"] is True
        res = CliRunner().invoke(cli.app, ["scenario", "labs/bad.yaml"])
        assert res.exit_code == 1 and "FAIL outcome" in res.output
    res = CliRunner().invoke(cli.app, ["scenario", str(tmp_path / "missing.yaml")])
    assert res.exit_code == 2 and "Traceback" not in res.output and "missing.yaml" in res.output


def test_kill9_mid_deploy_then_destroy_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    require_frr()
    # a registry of its own: `destroy --all` here must not take down labs other tests have up meanwhile
    monkeypatch.setenv("NETFABRIC_LAB_REGISTRY", str(tmp_path / "registry"))
    topo = _bench_module().generate(tmp_path, 4, 20, name="nf-crash")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    nodes = [*(f"spine{i}" for i in range(1, 5)), *(f"leaf{i}" for i in range(1, 21))]
    nss = {f"clab-nf-crash-{n}" for n in nodes}
    proc = subprocess.Popen([sys.executable, "-m", "fabric.lab", "deploy", "-t", str(topo)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        # Kill once daemons are starting: namespaces, links and some processes exist, the rest does not.
        while time.monotonic() < deadline and proc.poll() is None:
            if any(Path("/var/run/frr", n, "zebra.pid").exists() for n in nss):
                break
            time.sleep(0.01)
        assert proc.poll() is None, "deploy finished before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        assert any(Path("/run/netns", n).exists() for n in nss)  # really half-deployed
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        p = subprocess.run([sys.executable, "-m", "fabric.lab", "destroy", "--all"], env=env,
                           capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    left = lab_leftovers(nss, "nfbr-" + __import__("hashlib").sha1(b"nf-crash").hexdigest()[:8])
    assert not left, left
    assert not [s for s in registered() if s["name"] == "nf-crash"]


def test_dc1_frr_clos(tmp_path: Path) -> None:
    src = REPO / "containerlab" / "dc1-frr.clab.yml"
    require(src.exists(), "containerlab/dc1-frr.clab.yml not generated yet (fabric build)")
    require_frr()
    shutil.copy(src, tmp_path)
    shutil.copytree(REPO / "containerlab" / "dc1-frr", tmp_path / "dc1-frr")
    topo = tmp_path / "dc1-frr.clab.yml"
    destroy(topo)
    state = deploy(topo, wait_converged=True, timeout=60)
    try:
        nodes = state["nodes"]
        for name, n in nodes.items():
            nbrs = readiness.vty_json(n["frr_pathspace"], "bgpd", "show bgp neighbors json") or {}
            assert nbrs, f"{name}: no BGP neighbors configured"
            bad = {p: v.get("bgpState") for p, v in nbrs.items() if v.get("bgpState") != "Established"}
            assert not bad, f"{name}: {bad}"
        loopbacks = {}
        for name in nodes:
            if name.startswith("leaf"):
                conf = (tmp_path / "dc1-frr" / name / "frr.conf").read_text()
                m = re.search(r"^interface lo\n(?:\s.*\n)*?\s+ip address (\S+)/32", conf, re.MULTILINE)
                assert m, f"{name}: no loopback in frr.conf"
                loopbacks[name] = m.group(1)
        for src_leaf in loopbacks:
            for dst_leaf, ip in loopbacks.items():
                if src_leaf == dst_leaf:
                    continue
                ok = False
                for _ in range(10):  # routes may still be installing right after convergence
                    # sourced from the own loopback: only loopbacks are advertised in the fabric
                    r = subprocess.run(["ip", "netns", "exec", nodes[src_leaf]["netns"], "ping", "-c1", "-W1",
                                        "-I", loopbacks[src_leaf], ip], capture_output=True)
                    if r.returncode == 0:
                        ok = True
                        break
                    time.sleep(0.3)
                assert ok, f"{src_leaf} cannot reach {dst_leaf} loopback {ip}"
        assert json.loads((Path(state["lab_dir"]) / "topology-data.json").read_text())["name"] == "dc1-frr"
    finally:
        names = {n["netns"] for n in state["nodes"].values()}
        destroy(topo)
        assert not lab_leftovers(names, state["mgmt"]["bridge"])
