"""Lab scenarios (``labs/*.yaml``): topology + change + faults + expected outcome, run end to end.

The topology is deployed as a private copy (own lab name and management subnet), so a scenario never
collides with a lab someone else has running, and it is always destroyed afterwards.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from fabric.errors import FabricError
from fabric.rollout.drivers import driver_for
from fabric.rollout.engine import Emit, FabricSource, Options, Rollout
from fabric.rollout.journal import CONSISTENT
from fabric.rollout.playbook import Playbook, playbook_from_doc
from fabric.yamlfile import YamlDoc, load_yaml


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Fault(_Strict):
    # mgmt_down: the node's management interface goes down right after its commit (for `duration` s);
    # kill: the rollout process gets SIGKILL right after `host`'s commit, then `fabric rollout resume`.
    type: Literal["mgmt_down", "kill"]
    host: str
    duration: float = 0  # mgmt_down: 0 = until the commit-confirm timer has fired (+3 s)


class Expect(_Strict):
    outcome: Literal["completed", "rolled_back", "failed", "aborted"]
    devices: dict[str, str] = {}  # host -> final journal state
    unchanged: list[str] = []  # running config equal to the pre-change snapshot ("all" = every device)
    consistent: bool = True  # every device on its old or its new config, none half-way


class Scenario(_Strict):
    name: str
    description: str = ""
    topology: str
    fabric: str
    lab_platform: str | None = None
    playbook: str | dict[str, Any]
    faults: list[Fault] = []
    expect: Expect


def load_scenario(path: Path) -> Scenario:
    doc = load_yaml(path)
    try:
        return Scenario.model_validate(doc.data)
    except ValidationError as exc:
        e = exc.errors()[0]
        key = ".".join(str(x) for x in e["loc"])
        raise FabricError(
            str(e["msg"]),
            file=str(path),
            key=key,
            line=doc.line(tuple(e["loc"])),
            fix="see docs/rollout.md, section Scenarios",
        ) from None


def _playbook(sc: Scenario, base: Path) -> Playbook:
    if isinstance(sc.playbook, str):
        p = Path(sc.playbook)
        return playbook_from_doc(load_yaml(p if p.is_absolute() or p.exists() else base / p))
    return playbook_from_doc(YamlDoc(base / f"{sc.name}.playbook", sc.playbook, {}))


# ------------------------------------------------------------------------------------- private lab


def _free_subnet() -> str:
    from fabric.lab.api import free_mgmt_subnet

    return free_mgmt_subnet(f"172.20.{secrets.randbelow(100) + 120}.0/24" for _ in range(200))


class PrivateLab:
    """A deployed private copy of a topology; ``with`` destroys it (also on failure)."""

    def __init__(self, topology: str | Path, workdir: Path | None = None) -> None:
        from fabric.lab.api import private_topology

        self.name = f"ro{secrets.token_hex(3)}"
        self.dir = workdir or Path(os.environ.get("NETFABRIC_SCENARIO_DIR", "/tmp/netfabric-scenarios"))
        self.path = private_topology(Path(topology), self.dir, self.name, _free_subnet())
        self.state: dict[str, Any] = {}

    def __enter__(self) -> PrivateLab:
        from fabric.lab import api

        try:
            self.state = dict(api.deploy(self.path, wait_converged=True, timeout=60))
        except BaseException:
            self.destroy()
            raise
        return self

    def destroy(self) -> None:
        from fabric.lab import api

        api.destroy(self.path)

    def __exit__(self, *exc: Any) -> None:
        self.destroy()

    def netns(self, node: str) -> str:
        return str(self.state["nodes"][node]["netns"])

    def mgmt_if(self, node: str) -> str:
        return str(self.state["nodes"][node].get("mgmt_if", "eth0"))

    def set_mgmt(self, node: str, up: bool) -> None:
        subprocess.run(
            [
                "ip",
                "netns",
                "exec",
                self.netns(node),
                "ip",
                "link",
                "set",
                self.mgmt_if(node),
                "up" if up else "down",
            ],
            check=True,
            timeout=10,
        )


def snapshot_configs(ro: Rollout, hosts: list[str]) -> dict[str, str]:
    """Running configs as compared before/after: each platform's driver drops its banner lines."""
    out = {}
    for h in hosts:
        drv = driver_for(ro._targets[h])
        try:
            out[h] = drv.normalise_config(drv.running())
        finally:
            drv.close()
    return out


def mgmt_down_hook(lab: PrivateLab, faults: list[Fault], commit_confirm: int) -> Any:
    pending = {f.host: f for f in faults if f.type == "mgmt_down"}
    timers: list[threading.Timer] = []

    def hook(host: str) -> None:
        f = pending.pop(host, None)
        if f is None:
            return
        lab.set_mgmt(host, False)
        t = threading.Timer(f.duration or commit_confirm + 3, lab.set_mgmt, args=(host, True))
        t.daemon = True
        t.start()
        timers.append(t)

    return hook, timers


def kill_and_resume(
    pb_file: Path, src: FabricSource, journal: Path, fault: Fault, emit: Emit | None
) -> dict[str, Any]:
    """Run the rollout in a child process, SIGKILL it right after ``fault.host`` committed, then resume."""
    from fabric.rollout.engine import from_journal
    from fabric.rollout.journal import Journal

    cmd = [
        sys.executable,
        "-m",
        "fabric.rollout",
        "run",
        str(pb_file),
        "--fabric",
        src.path,
        "--journal",
        str(journal),
        "--quiet",
    ]
    if src.platform_override:
        cmd += ["--lab-platform", src.platform_override]
    if src.lab_topology:
        cmd += ["--lab", src.lab_topology]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    killed = False
    while time.monotonic() < deadline and proc.poll() is None:
        if journal.exists():
            j = Journal(journal)
            try:
                r = j.rollout()
                st = {d["host"]: d["state"] for d in j.devices(r["id"])}
            except FabricError:
                st = {}
            finally:
                j.close()
            if st.get(fault.host) in ("committed", "gated"):
                os.kill(proc.pid, signal.SIGKILL)
                killed = True
                break
        time.sleep(0.05)
    proc.wait(timeout=30)
    if not killed:
        raise FabricError(f"the rollout never reached {fault.host}'s commit (exit {proc.returncode})")
    return from_journal(None, journal, emit=emit).resume()


def run_scenario(
    path: str | Path,
    *,
    keep: bool = False,
    emit: Emit | None = None,
    lab: PrivateLab | None = None,
    playbook: Playbook | None = None,
) -> dict[str, Any]:
    """Deploy a private copy of the scenario's topology, run it, check the outcome, destroy the copy.

    ``lab``: run on this deployed private lab instead (several scenarios on one lab; it is left up).
    ``playbook``: instead of the scenario's own (the same scenario with another canary, say).
    """
    path = Path(path)
    sc = load_scenario(path)
    base = path.parent.parent if path.parent.name == "labs" else Path.cwd()
    pb = playbook or _playbook(sc, base)
    checks: list[dict[str, Any]] = []
    own = lab is None
    if lab is None:
        lab = PrivateLab(base / sc.topology if not Path(sc.topology).is_absolute() else sc.topology)
        lab.__enter__()
    try:
        src = FabricSource(
            str(base / sc.fabric), platform_override=sc.lab_platform, lab_topology=str(lab.path)
        )
        journal = lab.dir / f"{lab.name}.journal.sqlite"
        hook, timers = mgmt_down_hook(lab, sc.faults, pb.commit_confirm)
        ro = Rollout(pb, src, Options(journal=str(journal)), emit=emit, after_commit=hook)
        every = sorted(ro.fab.devices)
        pre = snapshot_configs(ro, every)
        kill = next((f for f in sc.faults if f.type == "kill"), None)
        if kill:
            pb_file = lab.dir / f"{lab.name}.playbook.yaml"
            pb_file.write_text(yaml.safe_dump(pb.model_dump(mode="json", exclude={"file"}), sort_keys=False))
            rep = kill_and_resume(pb_file, src, journal, kill, emit)
        else:
            rep = ro.run()
        for t in timers:
            t.join()
        post = snapshot_configs(ro, every)
        checks.append(
            {
                "name": "outcome",
                "ok": rep["outcome"] == sc.expect.outcome,
                "detail": f"{rep['outcome']} (expected {sc.expect.outcome})",
            }
        )
        states = {d["host"]: d["state"] for d in rep["devices"]}
        for h, want in sc.expect.devices.items():
            checks.append(
                {
                    "name": f"device {h}",
                    "ok": states.get(h) == want,
                    "detail": f"{states.get(h)} (expected {want})",
                }
            )
        unchanged = every if "all" in sc.expect.unchanged else sc.expect.unchanged
        for h in unchanged:
            checks.append(
                {
                    "name": f"{h} config unchanged",
                    "ok": pre[h] == post[h],
                    "detail": "equal to pre-change" if pre[h] == post[h] else "DIFFERS from pre-change",
                }
            )
        if sc.expect.consistent:
            bad = [h for h, s in states.items() if s not in CONSISTENT]
            reverted = [
                h
                for h, s in states.items()
                if s in ("rolled_back", "reverted_by_timer", "untouched", "pending") and pre[h] != post[h]
            ]
            checks.append(
                {
                    "name": "consistent",
                    "ok": not bad and not reverted,
                    "detail": f"half-way: {bad}; not back on old config: {reverted}"
                    if bad or reverted
                    else "every device on its old or new config",
                }
            )
        return {"scenario": sc.name, "ok": all(c["ok"] for c in checks), "checks": checks, "report": rep}
    finally:
        if own and not keep:
            lab.destroy()
