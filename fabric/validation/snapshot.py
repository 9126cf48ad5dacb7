"""Snapshots of normalised state and pre/post diffs with delta rules (JSNAPy / Genie style).

A snapshot is a :class:`FabricState` as JSON under ``.netfabric/snapshots/<fabric>/<tag>.json``.
Diffs ignore volatile fields (uptimes, timestamps) and evaluate delta rules into
:class:`CheckResult` items, so rollout gates and reports treat them like validation.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fabric.errors import FabricError
from fabric.state.collect import CollectOptions, collect
from fabric.state.model import VOLATILE_FIELDS, DeviceState, FabricState
from fabric.validation.checks import CheckResult, Status

DEFAULT_ROOT = Path(".netfabric") / "snapshots"


def snapshot_root(root: str | Path | None = None) -> Path:
    return Path(root or os.environ.get("NETFABRIC_SNAPSHOTS") or DEFAULT_ROOT)


def snapshot_path(fabric: str, tag: str, root: str | Path | None = None) -> Path:
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", tag):
        raise FabricError(
            f"snapshot tag '{tag}' has characters that are not allowed",
            fix="use letters, digits, '.', '_' or '-' (e.g. pre, post, 2024-06-01)",
        )
    return snapshot_root(root) / fabric / f"{tag}.json"


def take_snapshot(
    nr_or_fabric: Any,
    hosts: Iterable[str] | None = None,
    *,
    tag: str | None = None,
    options: CollectOptions | None = None,
) -> FabricState:
    """Collect normalised state from a Nornir object or a fabric (path/name)."""
    if hasattr(nr_or_fabric, "inventory"):
        state = collect(nr_or_fabric, hosts=hosts, opts=options)
    else:
        from fabric.targets import resolve

        options = options or CollectOptions()
        target = resolve(nr_or_fabric)
        hl = list(hosts) if hosts else None
        nr = target.nornir(num_workers=options.num_workers, hosts=hl)
        fab = target.fabric
        state = collect(nr, hosts=hl, opts=options, fabric=fab.name if fab else str(nr_or_fabric))
    state.tag = tag
    return state


def save_snapshot(state: FabricState, fabric: str, tag: str, root: str | Path | None = None) -> Path:
    path = snapshot_path(fabric, tag, root)
    state.tag = tag
    tmp = path.with_suffix(".json.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(state.model_dump_json(indent=2))
        tmp.replace(path)  # atomic: a crash never leaves half a snapshot
    except OSError as exc:  # --dir is a file, not writable, a name too long
        raise FabricError(f"cannot write the snapshot: {exc.strerror or exc}", file=str(path)[:300],
                          key="--dir", fix="pass --dir a writable directory (default .netfabric/snapshots)",
                          ) from None
    return path


def load_snapshot(fabric: str, tag: str, root: str | Path | None = None) -> FabricState:
    from pydantic import ValidationError

    path = Path(tag) if tag.endswith(".json") else snapshot_path(fabric, tag, root)
    try:
        if not path.is_file():
            raise FabricError(
                f"no snapshot '{tag}' for {fabric}",
                file=str(path),
                fix=f"take one first: fabric snapshot {fabric} --name {tag}",
            )
        return FabricState.model_validate_json(path.read_bytes())
    except (OSError, ValidationError) as exc:  # a path too long, unreadable, or not a snapshot
        why = exc.strerror if isinstance(exc, OSError) else f"not a snapshot ({exc.error_count()} problem(s))"
        raise FabricError(f"cannot read snapshot '{tag}': {why}", file=str(path)[:300],
                          fix=f"pass a snapshot written by `fabric snapshot {fabric} --name <tag>`") from None


# ------------------------------------------------------------------ diff
@dataclass
class DeltaRules:
    max_prefix_drop_pct: float = 10.0  # accepted prefixes per session may drop at most this much
    established_must_stay: bool = True  # BGP sessions Established in pre must be Established in post
    adjacencies_must_stay: bool = True  # OSPF Full / IS-IS Up in pre must stay
    interfaces_must_stay_up: bool = True
    lldp_must_stay: bool = True


def strip_volatile(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: strip_volatile(v) for k, v in data.items() if k not in VOLATILE_FIELDS}
    if isinstance(data, list):
        return [strip_volatile(v) for v in data]
    return data


def changes(pre: DeviceState, post: DeviceState) -> list[tuple[str, Any, Any]]:
    """(path, pre, post) for every non-volatile difference; lists of keyed objects are matched by key."""
    out: list[tuple[str, Any, Any]] = []

    def keyed(items: list[Any]) -> dict[str, Any]:
        return {getattr(i, "key", None) or f"{i.local_port}>{i.remote_system}": i for i in items}

    for section in ("bgp", "ospf", "isis", "lldp"):
        a, b = keyed(getattr(pre, section)), keyed(getattr(post, section))
        for k in sorted(set(a) | set(b)):
            va = strip_volatile(a[k].model_dump(mode="json")) if k in a else None
            vb = strip_volatile(b[k].model_dump(mode="json")) if k in b else None
            if va != vb:
                out.append((f"{section}.{k}", va, vb))
    ia, ib = pre.interfaces, post.interfaces
    for k in sorted(set(ia) | set(ib)):
        va = ia[k].model_dump(mode="json") if k in ia else None
        vb = ib[k].model_dump(mode="json") if k in ib else None
        if va != vb:
            out.append((f"interfaces.{k}", va, vb))
    return out


def _r(
    dev: str, check: str, item: str, status: Status, expected: Any, actual: Any, reason: str = ""
) -> CheckResult:
    return CheckResult(
        device=dev, check=check, item=item, status=status, expected=expected, actual=actual, reason=reason
    )


def _must_stay(
    dev: str,
    check: str,
    want: str,
    before: Iterable[tuple[str, Any]],
    after: Mapping[str, Any],
    state: Callable[[Any], str],
    describe: Callable[[str, Any], str],
) -> list[CheckResult]:
    """One result per item that was in state ``want`` before: pass if it still is, else fail
    with "<describe(key, item)> was <want>, now <state>|gone"."""
    out: list[CheckResult] = []
    for key, old in before:
        if state(old) != want:
            continue
        new = after.get(key)
        now = state(new) if new is not None else None
        ok = now == want
        reason = "" if ok else f"{describe(key, old)} was {want}, now {now if new is not None else 'gone'}"
        out.append(_r(dev, check, key, "pass" if ok else "fail", want, now, reason))
    return out


def diff_snapshots(pre: FabricState, post: FabricState, rules: DeltaRules | None = None) -> list[CheckResult]:
    """Delta rules as check results (one per compared item)."""
    rules = rules or DeltaRules()
    out: list[CheckResult] = []
    for dev in sorted(set(pre.devices) | set(post.devices)):
        a, b = pre.devices.get(dev), post.devices.get(dev)
        if a is None or b is None:
            out.append(
                _r(
                    dev,
                    "diff_device",
                    "present",
                    "fail" if a and not b else "pass",
                    "present",
                    "present" if b else "missing",
                    "device missing from post snapshot" if a and not b else "device new in post snapshot",
                )
            )
            continue
        if b.error:
            out.append(_r(dev, "diff_device", "collected", "error", "collected", None, b.error))
            continue
        if rules.established_must_stay:
            post_bgp = {s.key: s for s in b.bgp}
            for s in a.bgp:
                if not s.established:
                    continue
                t = post_bgp.get(s.key)
                if t is None:
                    out.append(
                        _r(
                            dev,
                            "diff_bgp_session",
                            s.key,
                            "fail",
                            "Established",
                            None,
                            f"session to {s.key} disappeared",
                        )
                    )
                elif not t.established:
                    out.append(
                        _r(
                            dev,
                            "diff_bgp_session",
                            s.key,
                            "fail",
                            "Established",
                            t.state,
                            f"session to {s.key} was Established, now {t.state}"
                            + (f" ({t.last_error})" if t.last_error else ""),
                        )
                    )
                else:
                    out.append(_r(dev, "diff_bgp_session", s.key, "pass", "Established", t.state))
                if t is None or not t.established or rules.max_prefix_drop_pct is None:
                    continue
                for afi, pc in s.prefixes.items():
                    before = pc.accepted or 0
                    tpc = t.prefixes.get(afi)
                    after = (tpc.accepted if tpc else 0) or 0
                    limit = before * (1 - rules.max_prefix_drop_pct / 100.0)
                    item = f"{s.key}:{afi}"
                    if before and after < limit:
                        drop = 100.0 * (before - after) / before
                        out.append(
                            _r(
                                dev,
                                "diff_bgp_prefixes",
                                item,
                                "fail",
                                f">= {limit:g}",
                                after,
                                f"{afi} prefixes from {s.key} dropped {before} -> {after} ({drop:.0f}%, "
                                f"limit {rules.max_prefix_drop_pct:g}%)",
                            )
                        )
                    else:
                        out.append(_r(dev, "diff_bgp_prefixes", item, "pass", f">= {limit:g}", after))
        if rules.adjacencies_must_stay:
            out += _must_stay(
                dev,
                "diff_ospf_neighbor",
                "Full",
                ((n.key, n) for n in a.ospf),
                {n.key: n for n in b.ospf},
                lambda n: n.state,
                lambda _k, n: f"OSPF neighbor {n.router_id} on {n.interface}",
            )
            out += _must_stay(
                dev,
                "diff_isis_adjacency",
                "Up",
                ((x.key, x) for x in a.isis),
                {x.key: x for x in b.isis},
                lambda x: x.state,
                lambda _k, x: f"IS-IS adjacency on {x.interface} L{x.level}",
            )
        if rules.interfaces_must_stay_up:
            out += _must_stay(
                dev,
                "diff_interface",
                "up",
                a.interfaces.items(),
                b.interfaces,
                lambda i: "up" if i.oper_up else "down",
                lambda name, _i: name,
            )
        if rules.lldp_must_stay:
            post_lldp = {(m.local_port, m.remote_system, m.remote_port) for m in b.lldp}
            for nb in a.lldp:
                ok = (nb.local_port, nb.remote_system, nb.remote_port) in post_lldp
                now = [f"{m.remote_system} {m.remote_port}" for m in b.lldp if m.local_port == nb.local_port]
                out.append(
                    _r(
                        dev,
                        "diff_lldp",
                        nb.local_port,
                        "pass" if ok else "fail",
                        f"{nb.remote_system} {nb.remote_port}",
                        ", ".join(now) or None,
                        ""
                        if ok
                        else f"{nb.local_port}: LLDP neighbor {nb.remote_system} {nb.remote_port} "
                        f"gone (now: {', '.join(now) or 'none'})",
                    )
                )
    return out
