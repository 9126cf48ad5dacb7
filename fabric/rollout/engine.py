"""The rollout engine: waves of devices, each pre-snapshot -> candidate -> diff -> commit-confirmed ->
convergence -> post-snapshot -> gate (device + neighbors) -> confirm, or roll back.

Inside a wave devices run concurrently on Nornir's threaded runner; a device's failure is recorded
as that device's result and never hides the others'. Between waves nothing runs: a failed wave is
rolled back (and, when the policy says so, every earlier wave) and the rollout halts.
"""

from __future__ import annotations

import contextlib
import copy
import difflib
import getpass
import os
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from fabric import vendors
from fabric.credentials import credentials_for
from fabric.errors import FabricError
from fabric.model import Fabric
from fabric.rollout import applied
from fabric.rollout.drivers import Driver, DriverError, Target, driver_class, driver_for
from fabric.rollout.journal import (
    CONSISTENT,
    IN_FLIGHT,
    Heartbeat,
    Journal,
    journal_path,
    resume_action,
    scrub,
)
from fabric.rollout.plan import groups_of, plan_waves
from fabric.rollout.playbook import Playbook, select_targets

Emit = Callable[[int | None, str | None, str, str, str], None]  # wave, host, step, status, detail


# ------------------------------------------------------------------------------------------ fabric


@dataclass
class FabricSource:
    """Where the fabric comes from, re-loadable on resume: fabric.yaml, optionally retargeted to one
    platform (an all-FRR lab) with management addresses taken from a deployed lab."""

    path: str
    platform_override: str | None = None
    lab_topology: str | None = None
    mgmt_overrides: dict[str, str] = field(default_factory=dict)  # host -> a.b.c.d/len

    def load(self, patch: dict[str, Any] | None = None) -> Fabric:
        from fabric.design import expand, fabric_file
        from fabric.yamlfile import YamlDoc, load_yaml

        doc = load_yaml(fabric_file(self.path))
        if patch:
            doc = YamlDoc(doc.path, deep_merge(doc.data, patch), doc._lines)
        fab = expand(doc)
        if self.platform_override:
            from fabric.platforms import retarget_device

            for dev in fab.devices.values():
                retarget_device(dev, self.platform_override)
        mg = dict(self.mgmt_overrides)
        if self.lab_topology:
            from fabric.lab.api import state_for

            st = state_for(self.lab_topology)
            mg.update({n: f"{v['mgmt_ipv4']}/{v.get('mgmt_prefix_len', 24)}" for n, v in st["nodes"].items()})
        for name, ip in mg.items():
            if name in fab.devices:
                fab.devices[name].mgmt_ipv4 = ip
        return fab

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def deep_merge(base: Any, patch: Any) -> Any:
    """Mappings merge key by key; lists of named items (nodes) merge by 'name'; anything else replaces."""
    if isinstance(base, dict) and isinstance(patch, dict):
        out = dict(base)
        for k, v in patch.items():
            out[k] = deep_merge(base.get(k), v) if k in base else copy.deepcopy(v)
        return out
    if (
        isinstance(base, list)
        and isinstance(patch, list)
        and patch
        and all(isinstance(x, dict) and "name" in x for x in base + patch)
    ):
        by = {x["name"]: x for x in base}
        merged = [deep_merge(by[x["name"]], x) if x["name"] in by else x for x in patch]
        names = {x["name"] for x in patch}
        return [x for x in base if x["name"] not in names] + merged
    return copy.deepcopy(patch)


def candidates(pb: Playbook, src: FabricSource, fab: Fabric, hosts: list[str]) -> tuple[dict[str, str], str]:
    """Per-host candidate text and the load mode ('replace' or 'merge')."""
    ch = pb.change
    if ch.type == "merge":
        env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)  # noqa: S701
        out = {}
        for h in hosts:
            dev = fab.devices[h]
            tpl = ch.template if isinstance(ch.template, str) else (ch.template or {}).get(dev.platform)
            if tpl is None:
                raise FabricError(
                    f"no merge template for platform '{dev.platform}' (host {h})",
                    file=pb.file,
                    key="change.template",
                    fix=f"add a '{dev.platform}:' entry or narrow the targets",
                )
            try:
                out[h] = env.from_string(tpl).render(
                    vars=ch.vars, intent=dev.model_dump(mode="json"), host=h, device=dev, **ch.vars
                )
            except jinja2.TemplateError as exc:
                raise FabricError(
                    f"template error for {h}: {exc}",
                    file=pb.file,
                    key="change.template",
                    fix="check the variables used by the snippet",
                ) from None
        return out, "merge"
    from fabric.render import render_fabric

    rendered_fab = src.load(ch.patch) if ch.type == "intent_patch" else fab
    return render_fabric(rendered_fab, hosts), "replace"


def neighbors_of(fab: Fabric, host: str) -> dict[str, str]:
    """Fabric BGP neighbors of ``host``: neighbor name -> the address that neighbor peers with on ``host``."""
    out: dict[str, str] = {}
    dev = fab.devices[host]
    for n in dev.bgp.neighbors if dev.bgp else []:
        peer = fab.devices.get(n.peer)
        if not peer or not peer.bgp:
            continue
        for pn in peer.bgp.neighbors:
            if pn.peer == host:
                out[n.peer] = pn.ip
    return out


# ------------------------------------------------------------------------------------------ gates


def evaluate_gate(
    pb: Playbook,
    fab: Fabric,
    host: str,
    pre: dict[str, Any],
    post: dict[str, Any],
    neighbor_facts: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """One result per check: {"name": ..., "ok": bool, "detail": str}. Pure, unit-tested."""
    g = pb.gates
    results: list[dict[str, Any]] = []
    dev = fab.devices[host]
    if "bgp" in g.device and dev.bgp:
        want = [n.ip for n in dev.bgp.neighbors]
        down = [ip for ip in want if not post.get("bgp", {}).get(ip)]
        results.append(
            {
                "name": "device.bgp",
                "ok": not down,
                "detail": f"{len(want) - len(down)}/{len(want)} sessions established"
                + (f"; down: {', '.join(down)}" if down else ""),
            }
        )
    if "interfaces" in g.device and post.get("interfaces"):
        down = [i for i, up in post["interfaces"].items() if not up and i in {x.name for x in dev.interfaces}]
        results.append(
            {"name": "device.interfaces", "ok": not down, "detail": f"down: {down}" if down else "up"}
        )
    for rule in g.snapshot_rules:
        pre_up = sum(1 for v in pre.get("bgp", {}).values() if v)
        post_up = sum(1 for v in post.get("bgp", {}).values() if v)
        if rule.rule == "bgp_established_no_decrease":
            results.append(
                {
                    "name": "snapshot.bgp_established",
                    "ok": post_up >= pre_up,
                    "detail": f"established {pre_up} -> {post_up}",
                }
            )
        elif rule.rule == "routes_no_decrease":
            results.append(
                {
                    "name": "snapshot.routes",
                    "ok": post.get("routes", 0) >= pre.get("routes", 0),
                    "detail": f"routes {pre.get('routes', 0)} -> {post.get('routes', 0)}",
                }
            )
        elif rule.rule == "routes_max_loss_pct":
            a, b = pre.get("routes", 0), post.get("routes", 0)
            loss = 0.0 if not a else max(0.0, (a - b) * 100.0 / a)
            results.append(
                {
                    "name": "snapshot.routes_loss",
                    "ok": loss <= rule.value,
                    "detail": f"routes {a} -> {b} ({loss:.1f}% loss, max {rule.value}%)",
                }
            )
    if "bgp" in g.neighbors:
        for nb, ip in sorted(neighbors_of(fab, host).items()):
            facts = neighbor_facts.get(nb)
            if facts is None:
                continue  # not reachable for reads: the device-side check already covers the session
            up = bool(facts.get("bgp", {}).get(ip))
            results.append(
                {
                    "name": f"neighbor.{nb}.bgp",
                    "ok": up,
                    "detail": f"{nb} -> {ip} " + ("established" if up else "NOT established"),
                }
            )
    return {"ok": all(r["ok"] for r in results), "checks": results}


# ------------------------------------------------------------------------------------------ engine


@dataclass
class Options:
    journal: str = ""  # "": the fabric's own journal and lock, journal_path(<fabric name>)
    dry_run: bool = False
    # --hosts/--role/--platform/--tag on the command line: the playbook's targets, narrowed to these
    only: list[str] | None = None
    operator: str = ""
    stale_after: float = 30.0


def new_rollout_id() -> str:
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + "-" + secrets.token_hex(3)


class _DiffPrefetch:
    """Computes the next wave's diffs while the current wave waits for convergence.

    A diff is a function of (running config, candidate) only, and computing it is most of a
    pre-snapshot (FRR: frr-reload.py --test, two vtysh processes and Python on the device).  Once every
    device of the current wave is past its commit, the next wave's pre-snapshots run here, read-only
    and a few at a time; at its own pre-snapshot a device then reads running config and facts afresh and
    reuses the diff only when the running config is byte-identical (``Driver.presnap(known=...)``).
    Measured on the 64-device bench: the serial pre-snapshot phase of a 32-device wave went from 5.5 s
    to 1.0 s.  Never written to the journal; a failed or unfinished prefetch just means a full
    pre-snapshot later.
    """

    WORKERS = 4

    def __init__(self, ro: Rollout, wave: list[str], nxt: list[str], cands: dict[str, str], mode: str):
        self.ro, self.nxt, self.cands, self.mode = ro, nxt, cands, mode
        self.waiting = set(wave)
        self.known: dict[str, tuple[str, str]] = {}
        self._mu = threading.Lock()
        self._go = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="netfabric-prefetch", daemon=True)
        self._thread.start()

    def past_commit(self, host: str) -> None:
        with self._mu:
            self.waiting.discard(host)
            if not self.waiting:
                self._go.set()

    def _one(self, h: str) -> None:
        if self._stop.is_set():
            return
        drv = driver_for(self.ro._targets[h])
        try:
            running, _, diff = drv.presnap(self.cands[h], self.mode)
            with self._mu:
                self.known[h] = (running, diff)
        except Exception:  # noqa: BLE001 - a read-only cache: the device's own pre-snapshot reports errors
            pass
        finally:
            drv.close()

    def _run(self) -> None:
        self._go.wait()
        if self._stop.is_set():
            return
        # longest first: a pre-snapshot's cost grows with the candidate (IOS-XR's is loaded line by line
        # over the CLI, twice: a 56-leaf spine's golden config took 27 s on a loaded 2-core box), so the
        # big ones must not be the ones still waiting when the wave starts
        order = sorted(self.nxt, key=lambda h: -len(self.cands.get(h, "")))
        with ThreadPoolExecutor(max_workers=self.WORKERS) as ex:
            list(ex.map(self._one, order))

    def finish(self) -> dict[str, tuple[str, str]]:
        """Stop (devices in progress finish, no new ones start) and hand over what was computed."""
        self._stop.set()
        self._go.set()
        self._thread.join()
        return dict(self.known)


class Rollout:
    """One rollout. ``after_commit`` is a fault-injection hook for lab scenarios (called per device)."""

    def __init__(
        self,
        pb: Playbook,
        src: FabricSource,
        opts: Options | None = None,
        emit: Emit | None = None,
        after_commit: Callable[[str], None] | None = None,
        rid: str | None = None,
    ) -> None:
        self.pb, self.src, self.opts = pb, src, opts or Options()
        self._emit_cb = emit
        self.after_commit = after_commit
        self.fab = src.load()
        self.targets = select_targets(pb, self.fab.devices)
        if self.opts.only is not None:
            kept = [t for t in self.targets if t in self.opts.only]
            if not kept:
                raise FabricError("the command line's filters leave none of the playbook's targets",
                                  file=pb.file, key="targets",
                                  fix=f"the playbook targets: {', '.join(self.targets) or '(none)'}")
            self.targets = kept
        self.waves = plan_waves(pb, self.targets, groups_of(self.fab.devices))
        self.rid = rid or new_rollout_id()
        self._targets: dict[str, Target] = {}
        for name, dev in self.fab.devices.items():
            address = dev.mgmt_ipv4.split("/")[0]
            c = credentials_for(dev.platform, address)
            self._targets[name] = Target(name, address, dev.platform, c.username, c.password)
        self.journal: Journal | None = None
        self.timing: dict[str, Any] = {"device_wait": 0.0, "wall": 0.0}
        self._tlock = threading.Lock()
        self._nr: Any = None
        self._prefetch: _DiffPrefetch | None = None
        self._known: dict[str, tuple[str, str]] = {}  # host -> (running config, diff), from the prefetch
        # host -> its pre-snapshot, taken while the previous wave was being confirmed (_presnap_ahead)
        self._ahead: dict[str, Future[tuple[Driver, tuple[str, dict[str, Any], str], bool]]] = {}

    # -------------------------------------------------------------- helpers
    def emit(self, wave: int | None, host: str | None, step: str, status: str, detail: str = "") -> None:
        if self.journal:
            self.journal.event(self.rid, wave, host, step, status, detail)
        if self._emit_cb:
            self._emit_cb(wave, host, step, status, detail)

    def _wait(self, seconds: float) -> None:
        """Sleeping for convergence/timers is device time, not framework overhead (bench accounting)."""
        time.sleep(seconds)
        with self._tlock:
            self.timing["device_wait"] += seconds

    def _secrets(self) -> list[str]:
        return sorted({t.password for t in self._targets.values() if t.password})

    def plan(self) -> dict[str, Any]:
        """Waves, devices and diffs; reads the devices, never changes them."""
        cands, mode = candidates(self.pb, self.src, self.fab, self.targets)

        def one(h: str) -> tuple[str, str]:
            drv = driver_for(self._targets[h])
            try:
                return h, drv.diff(cands[h], mode)
            except DriverError as exc:
                return h, f"(device not reachable: {exc})"
            finally:
                drv.close()

        with ThreadPoolExecutor(max_workers=max(1, min(20, len(self.targets)))) as ex:
            diffs = dict(ex.map(one, self.targets))
        from fabric.rollout.journal import scrub

        return {
            "playbook": self.pb.name,
            "mode": mode,
            "waves": self.waves,
            "diffs": {h: scrub(d, self._secrets()) for h, d in diffs.items()},
        }

    # -------------------------------------------------------------- run
    def run(self) -> dict[str, Any]:
        t0 = time.monotonic()
        j = self.journal = Journal(self.opts.journal or journal_path(self.fab.name), secrets=self._secrets())
        fabric_key = self.fab.name
        j.acquire(fabric_key, self.rid, self.opts.stale_after)
        try:
            j.create(
                self.rid,
                self.pb.name,
                self.pb.file,
                fabric_key,
                self.opts.operator or _operator(),
                self.waves,
                {"source": self.src.as_dict(), "playbook": self.pb.model_dump(mode="json")},
            )
            with Heartbeat(j, fabric_key, self.rid):
                j.set_rollout(self.rid, "running")
                outcome = self._run_waves(start=0)
            self.timing["wall"] = time.monotonic() - t0
            return self._finish(outcome)
        finally:
            j.release(fabric_key, self.rid)

    def overhead(self) -> dict[str, float]:
        """Framework overhead: wall time minus the device critical path (commit + convergence of the
        slowest device of each wave, plus the timer waits)."""
        dev = (
            sum(self.timing.get("wave_device", {}).values())
            + sum(self.timing.get("wave_confirm", {}).values())
            + self.timing.get("timer_wait", 0.0)
        )
        wall = self.timing["wall"]
        return {
            "wall_s": round(wall, 3),
            "device_s": round(dev, 3),
            "overhead_s": round(wall - dev, 3),
            "overhead_share": round((wall - dev) / wall, 4) if wall else 0.0,
        }

    def _finish(self, outcome: str) -> dict[str, Any]:
        assert self.journal
        self.timing["overhead"] = self.overhead()
        summary = self.report(outcome)
        self.journal.set_rollout(self.rid, outcome, summary)
        return summary

    def report(self, outcome: str) -> dict[str, Any]:
        assert self.journal
        devs = self.journal.devices(self.rid)
        return {
            "rollout": self.rid,
            "playbook": self.pb.name,
            "fabric": self.fab.name,
            "outcome": outcome,
            "waves": self.waves,
            "timing": dict(self.timing),
            "devices": [{k: d[k] for k in ("host", "wave", "state", "error", "gate", "diff")} for d in devs],
        }

    def _aborted(self) -> bool:
        return bool(self.journal and self.journal.rollout(self.rid)["state"] == "abort_requested")

    def _run_waves(self, start: int) -> str:
        try:
            return self._waves(start)
        finally:
            self._end_prefetch()
            self._drop_ahead()
            self._known.clear()

    def _waves(self, start: int) -> str:
        assert self.journal
        cands, mode = candidates(self.pb, self.src, self.fab, self.targets)
        done: list[str] = []  # confirmed hosts, for a rollback of everything
        for w in range(start):
            done += [h for h in self.waves[w]]
        for w in range(start, len(self.waves)):
            wave = self.waves[w]
            self._end_prefetch()  # the previous wave's: what it computed is used by this wave
            self.emit(w, None, "wave", "start", ", ".join(wave))
            nxt = self.waves[w + 1] if w + 1 < len(self.waves) else []
            nxt = [h for h in nxt if driver_class(self._targets[h]).prefetch]
            if nxt and mode == "replace":
                self._prefetch = _DiffPrefetch(self, wave, nxt, cands, mode)
            results = self._run_wave(w, wave, cands, mode)
            failed = [h for h, r in results.items() if not r.get("ok")]
            if self._aborted():
                failed = failed or ["(abort requested)"]
            if not failed:
                if w + 1 < len(self.waves):
                    self._end_prefetch()  # its diffs feed the pre-snapshots taken now
                    self._presnap_ahead(self.waves[w + 1], cands, mode)
                failed = self._confirm_wave(w, [h for h, r in results.items() if r.get("state") == "gated"])
            if failed:
                self._drop_ahead()
                self._end_prefetch()
                self.emit(w, None, "wave", "failed", ", ".join(failed))
                self._rollback_hosts(w, wave)
                if self.pb.failure.rollback == "all":
                    self._undo_confirmed(done)
                self._await_timers()
                for d in self.journal.devices(self.rid):
                    if d["state"] == "pending":
                        self.journal.device(self.rid, d["host"], "untouched")
                if self._aborted():
                    return "aborted"
                return "rolled_back" if self._all_consistent() else "failed"
            done += wave
            self.emit(w, None, "wave", "done", "")
        return "completed"

    def _presnap_ahead(self, wave: list[str], cands: dict[str, str], mode: str) -> None:
        """The next wave's pre-snapshots (running config, facts, diff), started while this wave is being
        confirmed: every device of this wave has passed its gate, so the fabric is in the state the next
        wave starts from, and a confirm changes no running state. Read-only: nothing is journalled until
        the device's own step (device_steps), and the drivers stay open for its commit. If this wave
        fails to confirm, they are closed unused (_drop_ahead)."""
        workers = min(len(wave), self.pb.constraints.max_in_flight or len(wave))
        pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="netfabric-presnap")

        def one(h: str) -> tuple[Driver, tuple[str, dict[str, Any], str], bool]:
            drv = driver_for(self._targets[h])
            try:
                with self._tlock:
                    known = self._known.pop(h, None)
                return drv, drv.presnap(cands[h], mode, known), known is not None
            except BaseException:
                drv.close()
                raise

        self._ahead = {h: pool.submit(one, h) for h in wave}
        pool.shutdown(wait=False)

    def _drop_ahead(self) -> None:
        """Close the drivers of pre-snapshots taken ahead that no device step used."""
        ahead, self._ahead = self._ahead, {}
        for fut in ahead.values():
            try:
                drv, _, _ = fut.result()
            except Exception:  # noqa: BLE001 - its driver is closed already; nothing was changed
                continue
            drv.close()

    def _end_prefetch(self) -> None:
        if self._prefetch is not None:
            self._known = self._prefetch.finish()
            self._prefetch = None

    def _run_wave(
        self, w: int, wave: list[str], cands: dict[str, str], mode: str
    ) -> dict[str, dict[str, Any]]:
        from nornir.core.filter import F
        from nornir.plugins.runners import ThreadedRunner

        workers = min(len(wave), self.pb.constraints.max_in_flight or len(wave))
        nr = self._nornir().with_runner(ThreadedRunner(num_workers=max(1, workers)))
        agg = nr.filter(F(name__any=wave)).run(
            task=self._device_task, wave=w, cands=cands, mode=mode, on_failed=True
        )
        out: dict[str, dict[str, Any]] = {}
        for h in wave:
            mr = agg.get(h)
            if mr is None or mr[0].result is None:
                exc = mr[0].exception if mr is not None else None
                out[h] = {"ok": False, "state": "error", "error": repr(exc)}
                self.journal.device(self.rid, h, error=f"internal error: {exc!r}")  # type: ignore[union-attr]
            else:
                out[h] = mr[0].result
        return out

    def _nornir(self) -> Any:
        if self._nr is None:
            from fabric.inventory import load_nornir

            self._nr = load_nornir(self.src.path, fab=self.fab, hosts=self.targets, connection_plugins=False)
        return self._nr

    def _device_task(self, task: Any, wave: int, cands: dict[str, str], mode: str) -> Any:
        from nornir.core.task import Result

        return Result(
            host=task.host, result=self.device_steps(wave, task.host.name, cands[task.host.name], mode)
        )

    def device_steps(self, w: int, h: str, cand: str, mode: str) -> dict[str, Any]:
        j = self.journal
        assert j
        tgt = self._targets[h]
        ahead = self._ahead.pop(h, None)
        drv: Driver | None = driver_for(tgt) if ahead is None else None
        state = "pending"
        try:
            if ahead is not None:
                self.emit(w, h, "pre-snapshot", "ahead", "taken while the previous wave was confirmed")
                drv, (pre_cfg, pre, diff), prefetched = ahead.result()
            else:
                assert drv is not None
                self.emit(w, h, "pre-snapshot", "run")
                with self._tlock:
                    known = self._known.pop(h, None)
                prefetched = known is not None
                pre_cfg, pre, diff = drv.presnap(cand, mode, known)
            if prefetched:
                with self._tlock:
                    self.timing["prefetched"] = self.timing.get("prefetched", 0) + 1
            if self.pb.gates.validate_checks:
                pre["validate_failing"] = sorted(self._validate_failures(h))
            j.device(
                self.rid,
                h,
                "prechecked",
                pre_config=pre_cfg,
                platform=tgt.platform,
                address=tgt.address,
                mode=mode,
            )
            state = "prechecked"
            if not diff.strip():
                j.device(self.rid, h, "skipped", diff="")
                self.emit(w, h, "diff", "empty", "no change: skipped")
                return {"ok": True, "state": "skipped"}
            token = f"nf-{self.rid}"
            j.device(self.rid, h, "armed", token=token, diff=diff, candidate=cand)
            state = "armed"
            self.emit(w, h, "commit", "run", f"confirm within {self.pb.commit_confirm}s")
            t_dev = time.monotonic()
            committed_at = time.time()
            drv.commit_confirmed(cand, mode, self.pb.commit_confirm, token)
            j.device(self.rid, h, "committed")
            state = "committed"
            if self._prefetch is not None:
                self._prefetch.past_commit(h)
            if self.after_commit:
                self.after_commit(h)
            gate = self._gate(w, h, drv, pre, change=(cand, mode, diff, committed_at))
            self._device_time(w, time.monotonic() - t_dev)
            post_cfg = gate.pop("running")
            if gate["ok"]:
                j.device(self.rid, h, "gated", post_config=post_cfg, gate=gate)
                self.emit(w, h, "gate", "pass", _gate_line(gate))
                return {"ok": True, "state": "gated", "gate": gate}
            j.device(self.rid, h, post_config=post_cfg, gate=gate, error="gate failed: " + _gate_line(gate))
            self.emit(w, h, "gate", "FAIL", _gate_line(gate))
            return {"ok": False, "state": state, "gate": gate}
        except DriverError as exc:
            if exc.unreachable and state in IN_FLIGHT:
                j.device(self.rid, h, "unreachable", error=f"{exc}; the device reverts on its own timer")
                state = "unreachable"
            else:
                j.device(self.rid, h, error=str(exc))
            self.emit(w, h, "error", "FAIL", str(exc))
            return {"ok": False, "state": state, "error": str(exc)}
        finally:
            if drv is not None:
                drv.close()
            if self._prefetch is not None:
                self._prefetch.past_commit(h)

    def _device_time(self, w: int, seconds: float) -> None:
        """Commit + convergence time on the critical path of wave ``w`` (the slowest device)."""
        with self._tlock:
            crit = self.timing.setdefault("wave_device", {})
            crit[str(w)] = max(crit.get(str(w), 0.0), seconds)

    def _gate(
        self, w: int, h: str, drv: Driver, pre: dict[str, Any], change: tuple[str, str, str, float]
    ) -> dict[str, Any]:
        """Poll the gate until it passes or times out.  ``change``: (candidate, mode, diff, commit time)
        for the config_applied check, which every gate runs (a silent failure must never confirm)."""
        g = self.pb.gates
        self.emit(w, h, "converge", "wait", f"up to {g.convergence_timeout:.0f}s")
        self._wait(g.convergence_wait)
        deadline = time.monotonic() + g.convergence_timeout
        nbrs = neighbors_of(self.fab, h) if g.neighbors else {}
        ndrv = {n: driver_for(self._targets[n]) for n in nbrs}
        running = drv.running()  # what the device says it runs after the commit (also the journal's post)
        cand, mode, diff, committed_at = change
        vendor = vendors.get(self._targets[h].platform)
        set_form, merge_check = vendor.load("set_form"), vendor.load("merge_check")
        try:
            while True:
                post = drv.facts()
                nfacts: dict[str, dict[str, Any]] = {}
                for n, d in ndrv.items():
                    # A neighbor we cannot read is reported by its own gate, not this one.
                    with contextlib.suppress(DriverError):
                        nfacts[n] = d.facts()
                gate = evaluate_gate(self.pb, self.fab, h, pre, post, nfacts)
                gate["checks"][:0] = applied.check(candidate=cand, mode=mode, running=running, post=post,
                                                   diff=diff, commit_age=time.time() - committed_at,
                                                   set_form=set_form, merge_check=merge_check)
                gate["ok"] = all(c["ok"] for c in gate["checks"])
                if gate["ok"] and g.validate_checks:
                    gate["checks"] += self._validate_checks(h, set(pre.get("validate_failing", [])))
                    gate["ok"] = all(c["ok"] for c in gate["checks"])
                if gate["ok"] or time.monotonic() >= deadline:
                    gate["post"] = post
                    gate["running"] = running
                    return gate
                self._wait(1.0)
        finally:
            for d in ndrv.values():
                d.close()

    def _validate_failures(self, h: str) -> dict[str, str]:
        """fabric.validation failing intent checks on the device (id -> reason), {} when not installed."""
        try:
            from nornir.core.filter import F

            from fabric.validation.run import validate
        except ImportError:
            return {}
        wanted = set(self.pb.gates.validate_checks)
        run = validate(self.fab, hosts=[h], nr=self._nornir().filter(F(name__any=[h])))
        return {
            r.id: f"{r.check} {r.item}: {r.reason}"
            for r in run.results
            if r.status in ("fail", "error") and ("all" in wanted or r.check in wanted)
        }

    def _validate_checks(self, h: str, pre_failing: set[str]) -> list[dict[str, Any]]:
        """Only NEW failures fail the gate: a pre-existing problem is not this change's fault."""
        now = self._validate_failures(h)
        new = {k: v for k, v in now.items() if k not in pre_failing}
        if new:
            return [{"name": "validate", "ok": False, "detail": v} for v in new.values()]
        return [
            {
                "name": "validate",
                "ok": True,
                "detail": f"no new failure ({len(now)} pre-existing)" if now else "all passed",
            }
        ]

    def _confirm_wave(self, w: int, hosts: list[str]) -> list[str]:
        assert self.journal
        j = self.journal

        def one(h: str) -> str | None:
            drv = driver_for(self._targets[h])
            token = f"nf-{self.rid}"
            t = time.monotonic()
            try:
                ok = drv.confirm(token)
                with self._tlock:
                    crit = self.timing.setdefault("wave_confirm", {})
                    crit[str(w)] = max(crit.get(str(w), 0.0), time.monotonic() - t)
                if ok:
                    j.device(self.rid, h, "confirmed")
                    self.emit(w, h, "confirm", "ok")
                    return None
                j.device(self.rid, h, "reverted_by_timer", error="confirm came too late: the device reverted")
                self.emit(w, h, "confirm", "FAIL", "timer already fired")
                return h
            except DriverError as exc:
                j.device(self.rid, h, error=f"confirm failed: {exc}")
                return h
            finally:
                drv.close()

        with ThreadPoolExecutor(max_workers=max(1, len(hosts))) as ex:
            return [h for h in ex.map(one, hosts) if h]

    def _rollback_hosts(self, w: int | None, hosts: list[str]) -> None:
        assert self.journal
        j = self.journal
        states = {d["host"]: d for d in j.devices(self.rid)}

        def one(h: str) -> None:
            d = states[h]
            if resume_action(d["state"]) != "rollback" or not d["token"]:
                if d["state"] in ("pending", "prechecked"):
                    j.device(self.rid, h, "untouched")
                return
            j.device(self.rid, h, "rolling_back")
            self.emit(w, h, "rollback", "run")
            drv = driver_for(self._targets[h])
            try:
                how = drv.rollback(d["token"])
                self._check_restored(drv, h, d["pre_config"])
                j.device(
                    self.rid,
                    h,
                    how,
                    error=(d["error"] or "")
                    + ("; reverted by its own commit-confirm timer" if how == "reverted_by_timer" else ""),
                )
                self.emit(w, h, "rollback", "ok", how)
            except DriverError as exc:
                state = "unreachable" if exc.unreachable else "rolling_back"
                j.device(self.rid, h, state, error=f"rollback failed: {exc}; the device reverts on its timer")
                self.emit(w, h, "rollback", "FAIL", str(exc))
            finally:
                drv.close()

        with ThreadPoolExecutor(max_workers=max(1, len(hosts))) as ex:
            list(ex.map(one, hosts))

    def _check_restored(self, drv: Driver, h: str, pre_config: str | None) -> None:
        """Every driver, after a rollback: the running config must be the pre-change one again (as the
        journal keeps it: secrets masked), or the rollback did not land, whatever the device said."""
        if not pre_config:
            return
        assert self.journal
        now = scrub(drv.running(), self.journal.secrets) or ""
        if drv.normalise_config(now) == drv.normalise_config(pre_config):
            return
        delta = [ln for ln in difflib.unified_diff(drv.normalise_config(pre_config).splitlines(),
                                                   drv.normalise_config(now).splitlines(), lineterm="", n=0)
                 if ln[:1] in "+-" and ln[:3] not in ("+++", "---")]
        raise DriverError(f"{h}: after the rollback the running config still differs from the pre-change "
                          f"config: {'; '.join(delta[:6])}")

    def _undo_confirmed(self, hosts: list[str]) -> None:
        """Failure policy 'all': confirmed devices go back to their checkpoint (kept on the device)."""
        assert self.journal
        j = self.journal
        states = {d["host"]: d for d in j.devices(self.rid)}
        todo = [h for h in hosts if states[h]["state"] == "confirmed"]
        for h in todo:
            j.device(self.rid, h, "gated")  # back in flight: a crash now makes resume roll it back
        self._rollback_hosts(None, todo)

    def _await_timers(self) -> None:
        """Devices we lost: wait for their own revert timer, then check they did revert."""
        assert self.journal
        j = self.journal
        lost = [d for d in j.devices(self.rid) if d["state"] in ("unreachable", "rolling_back")]
        if not lost:
            return
        latest = max(d["updated"] for d in lost)
        wait = max(0.0, latest + self.pb.commit_confirm + 3 - time.time())
        self.emit(
            None,
            None,
            "timer",
            "wait",
            f"{len(lost)} device(s) unreachable: waiting {wait:.0f}s for their own revert timer",
        )
        self._wait(wait)
        self.timing["timer_wait"] = self.timing.get("timer_wait", 0.0) + wait
        for d in lost:
            self._verify_reverted(d["host"], d["token"])

    def _verify_reverted(self, h: str, token: str | None, tries: int = 20) -> bool:
        assert self.journal
        pre = {d["host"]: d for d in self.journal.devices(self.rid)}[h]["pre_config"]
        last: DriverError | None = None
        for _ in range(tries):
            drv = driver_for(self._targets[h])
            try:
                st = drv.timer_state(token or "")
                if st == "reverting":
                    self._wait(1.0)
                    continue
                how = drv.rollback(token or "")  # idempotent: reports the timer's revert, or does it
                self._check_restored(drv, h, pre)
                self.journal.device(
                    self.rid,
                    h,
                    how,
                    error="reverted by its own commit-confirm timer"
                    if how == "reverted_by_timer"
                    else "rolled back after reconnecting",
                )
                self.emit(None, h, "timer", "ok", how)
                return True
            except DriverError as exc:
                last = exc
                self._wait(1.0)
            finally:
                drv.close()
        if last is not None and not last.unreachable:
            # Reachable, but the checkpoint did not land: say so (never "unreachable"), keep it in flight.
            self.journal.device(self.rid, h, "rolling_back", error=f"rollback failed: {last}")
            self.emit(None, h, "timer", "FAIL", f"reachable, rollback did not land: {last}")
            return False
        self.emit(None, h, "timer", "UNKNOWN", "still unreachable; `fabric rollout resume` will verify")
        return False

    def _all_consistent(self) -> bool:
        assert self.journal
        return all(d["state"] in CONSISTENT for d in self.journal.devices(self.rid))

    # -------------------------------------------------------------- resume
    def resume(self, rollback_all: bool = False) -> dict[str, Any]:
        """Finish an interrupted rollout: in-flight devices go back to their checkpoint (safe whatever
        the step the process died at), then the remaining waves run (or, with ``rollback_all`` or an
        abort request, every confirmed device is rolled back too)."""
        t0 = time.monotonic()
        j = self.journal = Journal(self.opts.journal or journal_path(self.fab.name), secrets=self._secrets())
        r = j.rollout(self.rid)
        fabric_key = r["fabric"]
        j.acquire(fabric_key, self.rid, self.opts.stale_after)
        try:
            with Heartbeat(j, fabric_key, self.rid):
                abort = r["state"] == "abort_requested"
                j.set_rollout(self.rid, "abort_requested" if abort else "running")
                devs = j.devices(self.rid)
                inflight = [d["host"] for d in devs if resume_action(d["state"]) == "rollback"]
                self.emit(None, None, "resume", "run", f"rolling back in-flight: {inflight or 'none'}")
                self._rollback_hosts(None, inflight)
                self._await_timers()
                if abort or rollback_all:
                    self._undo_confirmed([d["host"] for d in devs])
                    self._await_timers()
                    outcome = "aborted" if abort else "rolled_back"
                else:
                    # Re-run from the first wave with a device not in its final state.
                    devs = j.devices(self.rid)
                    start = next(
                        (d["wave"] for d in devs if d["state"] not in ("confirmed", "skipped")),
                        len(self.waves),
                    )
                    for d in devs:
                        if d["wave"] >= start and d["state"] not in ("confirmed", "skipped"):
                            j.device(self.rid, d["host"], "pending", token=None, error=None)
                    outcome = self._run_waves(start)
            self.timing["wall"] = time.monotonic() - t0
            return self._finish(outcome)
        finally:
            j.release(fabric_key, self.rid)


def _gate_line(gate: dict[str, Any]) -> str:
    bad = [c for c in gate["checks"] if not c["ok"]]
    if not bad:
        return f"{len(gate['checks'])} checks passed"
    return "; ".join(f"{c['name']}: {c['detail']}" for c in bad[:4])


def _operator() -> str:
    try:
        return os.environ.get("NETFABRIC_OPERATOR") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def from_journal(rid: str | None, journal: str | Path, emit: Emit | None = None) -> Rollout:
    """Rebuild a rollout from what the journal recorded (playbook model, fabric source, waves)."""
    j = Journal(journal)
    try:
        r = j.rollout(rid)
    finally:
        j.close()
    pb = Playbook.model_validate(r["options"]["playbook"])
    src = FabricSource(**r["options"]["source"])
    ro = Rollout(pb, src, Options(journal=str(journal)), emit=emit, rid=r["id"])
    ro.waves = r["plan"]  # the recorded plan, even if the fabric changed since
    ro.targets = [h for w in ro.waves for h in w]
    return ro
