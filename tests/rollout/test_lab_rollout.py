"""Rollouts against the embedded lab (all-FRR dc1, deployed as a private copy and destroyed after).

Short timers keep the module well under 4 minutes. Skipped without root, FAILS when CI=true.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from fabric.errors import FabricError
from fabric.rollout.drivers import driver_for
from fabric.rollout.engine import FabricSource, Options, Rollout, candidates
from fabric.rollout.journal import Journal
from fabric.rollout.playbook import Playbook
from fabric.rollout.scenario import (
    PrivateLab,
    kill_and_resume,
    mgmt_down_hook,
    run_scenario,
    snapshot_configs,
)
from tests.conftest import require_lab

pytestmark = pytest.mark.lab
ROOT = Path(__file__).resolve().parents[2]
TOPO = ROOT / "containerlab" / "dc1-frr.clab.yml"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateLab]:
    require_lab()
    with PrivateLab(TOPO, tmp_path_factory.mktemp("lab")) as lb:
        yield lb


def pb(template: str, *, canary: Any = None, sizes: Any = None, **kw: Any) -> Playbook:
    return Playbook.model_validate(
        {
            "name": "t",
            "targets": kw.pop("targets", {"roles": ["leaf"]}),
            "change": {"type": "merge", "template": template},
            "waves": {"canary": canary or ["leaf1"], "sizes": sizes or ["100%"]},
            "gates": {"convergence_wait": 0.5, "convergence_timeout": kw.pop("timeout", 6)},
            "commit_confirm": kw.pop("commit_confirm", 30),
            **kw,
        }
    )


def rollout(lab: PrivateLab, p: Playbook, tmp_path: Path, **kw: Any) -> Rollout:
    src = FabricSource(str(ROOT / "inventory" / "dc1"), platform_override="frr", lab_topology=str(lab.path))
    return Rollout(p, src, Options(journal=str(tmp_path / "journal.sqlite")), **kw)


def bgp_up(ro: Rollout, hosts: list[str]) -> dict[str, set[str]]:
    out = {}
    for h in hosts:
        d = driver_for(ro._targets[h])
        try:
            out[h] = {ip for ip, up in d.facts()["bgp"].items() if up}
        finally:
            d.close()
    return out


def wait_bgp(
    ro: Rollout, hosts: list[str], want: dict[str, set[str]], timeout: float = 30
) -> dict[str, set[str]]:
    end = time.monotonic() + timeout
    while True:
        now = bgp_up(ro, hosts)
        if now == want or time.monotonic() > end:
            return now
        time.sleep(1)


LP = "route-map FABRIC-IMPORT permit 10\n set local-preference {{ lp }}\nexit\n"
BAD_AS = (
    "router bgp {{ intent.bgp.asn }}\n{% if host in bad %} neighbor {{ intent.bgp.neighbors[0].ip }} "
    "remote-as 65999\n{% endif %}exit\n"
)


def test_frr_presnap_equals_separate_reads(lab: PrivateLab, tmp_path: Path) -> None:
    """The one-round-trip pre-snapshot (one vtysh; frr-reload --test --input on that running config)
    gives what separate reads give: running config, facts, and frr-reload's own diff of the live box."""
    import shlex

    from fabric.frr_reload import RELOAD, frr_delta
    from fabric.vendors.frr.driver import frr_paths

    ro = rollout(lab, pb("!\n"), tmp_path)
    gold = Playbook.model_validate({"name": "g", "change": {"type": "golden"}})
    golden, _ = candidates(gold, ro.src, ro.fab, ["spine1"])
    cand = golden["spine1"].replace("description to leaf1 eth1", "description to leaf1")  # a real delta
    d = driver_for(ro._targets["spine1"])
    try:
        running, facts, delta = d.presnap(cand, "replace")
        assert running == d.running()
        assert facts["bgp"] and all(facts["bgp"].values())

        def stable(f: dict[str, Any]) -> dict[str, Any]:  # session uptimes tick between two reads
            peers = {ip: {k: v for k, v in p.items() if k != "uptime"} for ip, p in f["bgp_peers"].items()}
            return {**f, "bgp_peers": peers}

        again = d.facts()
        assert stable(facts) == stable(again)
        up_then, up_now = facts["bgp_peers"], again["bgp_peers"]
        assert all(up_now[ip]["uptime"] >= up_then[ip]["uptime"] for ip in facts["bgp"])
        p = frr_paths(ro._targets["spine1"], "eq")
        d._put(p["cand"], cand)
        _, out = d.sh(f"{RELOAD} --test {shlex.quote(p['cand'])} 2>/dev/null; rm -f {shlex.quote(p['cand'])}")
        assert delta == frr_delta(out)
        assert "description to leaf1 eth1" in delta and "+  description to leaf1" in delta, delta
        # A diff computed earlier is reused only while the running config is byte-identical.
        assert d.presnap(cand, "replace", (running, "EARLIER"))[2] == "EARLIER"
        assert d.presnap(cand, "replace", (running.replace("spine1", "spineX"), "EARLIER"))[2] == delta
    finally:
        d.close()


def test_golden_rollout_uses_next_wave_diffs_computed_ahead(lab: PrivateLab, tmp_path: Path) -> None:
    """Full golden-config replace (the private lab's management descriptions differ from the golden
    ones: a real diff everywhere): the second wave's diffs are computed while the canary converges,
    and each equals the diff computed from scratch."""
    p = Playbook.model_validate(
        {
            "name": "golden",
            "targets": {"roles": ["leaf"]},
            "change": {"type": "golden"},
            "waves": {"canary": 1, "sizes": ["100%"]},
            "gates": {"convergence_wait": 0.5, "convergence_timeout": 15},
            "commit_confirm": 60,
        }
    )
    box: list[Rollout] = []

    def computed_ahead(h: str) -> None:
        """The canary, past its commit, holds its gate until the next wave's diffs are computed (a
        functional check, not a race with the gate: how often the prefetch beats a real gate on its
        own is a figure of bench/bench_rollout.py)."""
        pf = box[0]._prefetch
        if pf is None or h not in box[0].waves[0]:
            return
        end = time.monotonic() + 60
        while len(pf.known) < len(pf.nxt) and pf._thread.is_alive() and time.monotonic() < end:
            time.sleep(0.1)

    ro = rollout(lab, p, tmp_path, after_commit=computed_ahead)
    box.append(ro)
    golden, _ = candidates(p, ro.src, ro.fab, ro.waves[1])
    fresh = {}
    for h in ro.waves[1]:
        d = driver_for(ro._targets[h])
        try:
            fresh[h] = d.presnap(golden[h], "replace")[2]
        finally:
            d.close()
    rep = ro.run()
    assert rep["outcome"] == "completed", [(d["host"], d["state"], d.get("error")) for d in rep["devices"]]
    assert ro.timing.get("prefetched") == len(ro.waves[1]) >= 2
    from fabric.rollout import cli as rollout_cli

    with rollout_cli.console.capture() as cap:
        rollout_cli._emit_report(rep, None)
    shown = " ".join(cap.get().split())  # rich wraps at the console width
    assert f"({len(ro.waves[1])} diffs computed while the previous wave converged)" in shown, shown
    devs = {d["host"]: d for d in Journal(tmp_path / "journal.sqlite").devices(ro.rid)}
    for h in ro.waves[1]:
        assert devs[h]["state"] == "confirmed" and devs[h]["diff"] == fresh[h]
        assert "oob management" in fresh[h]


def test_good_change_rolls_through_all_waves(lab: PrivateLab, tmp_path: Path) -> None:
    p = Playbook.model_validate(
        {
            **yaml.safe_load((ROOT / "tasks" / "bgp-policy.yaml").read_text()),
            "gates": {"convergence_wait": 0.5, "convergence_timeout": 15},
        }
    )
    ro = rollout(lab, p, tmp_path)
    assert len(ro.waves) >= 3 and ro.waves[0] == ["leaf1"]
    rep = ro.run()
    assert rep["outcome"] == "completed", rep
    assert {d["state"] for d in rep["devices"]} == {"confirmed"}
    j = Journal(tmp_path / "journal.sqlite")
    devs = j.devices(ro.rid)
    assert all(d["pre_config"] and d["post_config"] and d["diff"] and d["gate"]["ok"] for d in devs)
    steps = {(e["host"], e["step"]) for e in j.events(ro.rid)}
    for d in devs:
        for s in ("prechecked", "armed", "committed", "gated", "confirmed"):
            assert (d["host"], s) in steps
    for h in ro.fab.devices:  # the change is there, and every session is up
        assert "set local-preference 150" in snapshot_configs(ro, [h])[h]
    from fabric.validation.run import validate

    failures = validate(ro.fab, nr=ro._nornir()).failures()  # final state against intent
    assert not [f for f in failures if "bgp" in f.check], failures


def test_bad_change_caught_at_canary(lab: PrivateLab, tmp_path: Path) -> None:
    p = pb(BAD_AS.replace("{% if host in bad %}", "{% if host == 'leaf1' %}"))
    ro = rollout(lab, p, tmp_path)
    every = sorted(ro.fab.devices)
    pre_cfg, pre_bgp = snapshot_configs(ro, every), bgp_up(ro, every)
    rep = ro.run()
    assert rep["outcome"] == "rolled_back"
    states = {d["host"]: d["state"] for d in rep["devices"]}
    assert states == {
        "leaf1": "rolled_back",
        "leaf2": "untouched",
        "leaf3": "untouched",
        "leaf4": "untouched",
    }
    assert snapshot_configs(ro, every) == pre_cfg
    assert wait_bgp(ro, every, pre_bgp) == pre_bgp
    events = Journal(tmp_path / "journal.sqlite").events(ro.rid)
    assert not [e for e in events if e["host"] in ("leaf2", "leaf3", "leaf4") and e["step"] == "armed"]


def test_wave2_failure_rolls_back_wave_and_earlier(lab: PrivateLab, tmp_path: Path) -> None:
    tpl = LP.replace("{{ lp }}", "140") + BAD_AS.replace("{% if host in bad %}", "{% if host == 'leaf4' %}")
    ro = rollout(lab, pb(tpl, sizes=[1, "100%"], failure={"rollback": "all"}), tmp_path)
    assert ro.waves == [["leaf1"], ["leaf2"], ["leaf3", "leaf4"]]
    every = sorted(ro.fab.devices)
    pre_cfg = snapshot_configs(ro, every)
    rep = ro.run()
    assert rep["outcome"] == "rolled_back"
    assert {d["host"]: d["state"] for d in rep["devices"]} == dict.fromkeys(
        ["leaf1", "leaf2", "leaf3", "leaf4"], "rolled_back"
    )
    assert snapshot_configs(ro, every) == pre_cfg


def test_lost_mgmt_reverts_by_itself(lab: PrivateLab, tmp_path: Path) -> None:
    from fabric.rollout.scenario import Fault

    p = pb(LP.replace("{{ lp }}", "120"), commit_confirm=8, timeout=3)
    hook, timers = mgmt_down_hook(lab, [Fault(type="mgmt_down", host="leaf1", duration=16)], 8)
    ro = rollout(lab, p, tmp_path, after_commit=hook)
    every = sorted(ro.fab.devices)
    pre_cfg = snapshot_configs(ro, every)
    try:
        rep = ro.run()
    finally:
        for t in timers:
            t.join()
    states = {d["host"]: d["state"] for d in rep["devices"]}
    assert rep["outcome"] == "rolled_back" and states["leaf1"] == "reverted_by_timer", states
    assert snapshot_configs(ro, every) == pre_cfg


def test_kill9_mid_wave_then_resume(lab: PrivateLab, tmp_path: Path) -> None:
    from fabric.rollout.scenario import Fault

    p = pb(LP.replace("{{ lp }}", "130"), timeout=10)
    ro = rollout(lab, p, tmp_path)
    pb_file = tmp_path / "pb.yaml"
    pb_file.write_text(yaml.safe_dump(p.model_dump(mode="json", exclude={"file"})))
    rep = kill_and_resume(
        pb_file, ro.src, tmp_path / "journal.sqlite", Fault(type="kill", host="leaf2"), None
    )
    assert rep["outcome"] == "completed", rep
    assert {d["state"] for d in rep["devices"]} == {"confirmed"}
    for h, cfg in snapshot_configs(ro, ["leaf1", "leaf2", "leaf3", "leaf4"]).items():
        assert "set local-preference 130" in cfg, h
    events = [
        e["step"] for e in Journal(tmp_path / "journal.sqlite").events(rep["rollout"]) if e["host"] == "leaf2"
    ]
    # rolled back on resume, then re-run and confirmed
    assert "rolling_back" in events and "confirmed" in events[events.index("rolling_back") :]


def test_second_concurrent_rollout_refused(lab: PrivateLab, tmp_path: Path) -> None:
    release = threading.Event()
    p = pb(LP.replace("{{ lp }}", "110"), commit_confirm=30)
    first = rollout(lab, p, tmp_path, after_commit=lambda h: release.wait(30))
    box: dict[str, Any] = {}
    t = threading.Thread(target=lambda: box.setdefault("rep", first.run()))
    t.start()
    try:
        end = time.monotonic() + 30
        while not (tmp_path / "journal.sqlite").exists() or not Journal(
            tmp_path / "journal.sqlite"
        ).lock_holder("dc1"):
            assert time.monotonic() < end, "the first rollout never took the fabric lock"
            time.sleep(0.2)
        with pytest.raises(FabricError, match="active"):
            rollout(lab, p, tmp_path).run()
    finally:
        release.set()
        t.join(120)
    assert box["rep"]["outcome"] == "completed"


@pytest.mark.slow
def test_scenario_file(tmp_path: Path) -> None:
    require_lab()
    res = run_scenario(ROOT / "labs" / "bad-canary.yaml")
    assert res["ok"], res["checks"]


@pytest.mark.slow
def test_dc1_with_eos_twins(tmp_path: Path) -> None:
    """dc1 as designed (EOS spines/leaves via the EOS twin, FRR leaves): good change everywhere, then a
    bad change caught at an EOS canary and rolled back through NAPALM."""
    require_lab()
    with PrivateLab(ROOT / "containerlab" / "dc1.clab.yml", tmp_path / "lab") as eos_lab:
        src = FabricSource(str(ROOT / "inventory" / "dc1"), lab_topology=str(eos_lab.path))
        good = Playbook.model_validate(
            {
                **yaml.safe_load((ROOT / "tasks" / "bgp-policy.yaml").read_text()),
                "gates": {"convergence_wait": 0.5, "convergence_timeout": 20},
                "commit_confirm": 30,
            }
        )
        rep = Rollout(good, src, Options(journal=str(tmp_path / "j.sqlite"))).run()
        assert rep["outcome"] == "completed", rep["devices"]
        tpl = (
            "router bgp {{ intent.bgp.asn }}\n   neighbor {{ intent.bgp.neighbors[0].ip }} remote-as 65999\n"
        )
        ro = Rollout(
            pb(tpl, targets={"hosts": ["leaf1", "leaf2"]}, timeout=8),
            src,
            Options(journal=str(tmp_path / "j.sqlite")),
        )
        pre = snapshot_configs(ro, ["leaf1", "leaf2"])
        rep = ro.run()
        assert rep["outcome"] == "rolled_back"
        assert {d["host"]: d["state"] for d in rep["devices"]} == {
            "leaf1": "rolled_back",
            "leaf2": "untouched",
        }
        assert snapshot_configs(ro, ["leaf1", "leaf2"]) == pre
