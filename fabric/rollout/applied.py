"""The ``config_applied`` gate check: did the device really take what was committed?

A gate that only looks at sessions can be fooled by a silent failure: a device (or a twin) that says
"committed" while its control plane kept the old config shows healthy sessions with the OLD settings.
This check looks at both sides, for every platform with a driver:

* the running config contains what was committed (merge snippets: every line, in its stanza; a replace
  is verified by the driver itself against the candidate after the commit);
* where state can show it, state agrees with the config: a BGP neighbour the change touched has the
  peer AS the config says, an interface the change touched has the configured admin state and MTU;
* a BGP session that is up but younger than the commit flapped: the change reset it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

_SKIP = {"!", "exit", "end", "exit-address-family", "exit-vrf", "quit"}
# "neighbor X remote-as N" (EOS, FRR, IOS-XR) or a set line ending in "neighbor X peer-as N" (Junos)
_NEIGHBOR_AS = re.compile(r"^(?:\s*|set .* )neighbor (\S+) (?:remote-as|peer-as) (\d+)\s*$")
_SET_VERBS = ("set ", "delete ", "activate ", "deactivate ")
_NEIGHBOR = re.compile(r"\bneighbor (\d+\.\d+\.\d+\.\d+|[0-9a-fA-F:]+:[0-9a-fA-F:]*)\b")
_INTERFACE = re.compile(r"^interface (\S+)\s*$")


def stanza_lines(text: str) -> list[tuple[str, ...]]:
    """Each meaningful line with the stanza headers above it (by indentation, as EOS, FRR, IOS-XR and
    SR OS print them): ``("router bgp 65101", "neighbor 10.1.0.0 remote-as 65001")``."""
    out: list[tuple[str, ...]] = []
    stack: list[tuple[int, str]] = []
    for raw in text.splitlines():
        line = raw.rstrip()
        body = line.strip()
        if not body or body in _SKIP or body.startswith(("!", "#")):
            continue
        indent = len(line) - len(line.lstrip())
        while stack and stack[-1][0] >= indent:
            stack.pop()
        out.append(tuple(s for _, s in stack) + (body,))
        stack.append((indent, body))
    return out


def missing_lines(candidate: str, running: str) -> list[str]:
    """Candidate lines the running config does not have (``no X`` lines: X must be absent)."""
    have = set(stanza_lines(running))
    missing = []
    for path in stanza_lines(candidate):
        *ctx, line = path
        if line.startswith("no "):
            if (*ctx, line[3:]) in have:
                missing.append(" > ".join(path))
        elif path not in have:
            missing.append(" > ".join(path))
    return missing


def missing_set_lines(candidate: str, running_set: str) -> list[str]:
    """``set``/``delete`` candidate lines against the running config's set form (Junos ``display set``):
    a ``set`` line must be there, nothing may remain under a ``delete``d path."""
    # quotes differ between what operators type and what the device prints ("a b" vs a b): ignored
    have = {" ".join(ln.replace('"', "").split()) for ln in running_set.splitlines() if ln.strip()}
    missing = []
    for raw in candidate.splitlines():
        line = " ".join(raw.replace('"', "").split())
        if line.startswith("set ") and line not in have:
            missing.append(line)
        elif line.startswith("delete "):
            path = "set " + line[len("delete "):]
            if any(h == path or h.startswith(path + " ") for h in have):
                missing.append(line)
    return missing


def check(
    *,
    candidate: str,
    mode: str,
    running: str | None,
    post: dict[str, Any],
    diff: str,
    commit_age: float | None,
    set_form: Callable[[str], str] | None = None,
    merge_check: Callable[[str, str], list[str]] | None = None,
) -> list[dict[str, Any]]:
    """Gate results (``device.config_applied``, ``device.bgp_flap``) for one device after its commit.

    ``set_form``: the platform's curly-brace -> set-lines conversion; a merge given as set lines
    (Junos) is checked against the running config in that form. ``merge_check``: the platform's own
    reading of a merge (snippet, running) -> problems, where lines cannot be compared (SR OS)."""
    problems: list[str] = []
    lines = [ln.strip() for ln in candidate.splitlines() if ln.strip()]
    as_set = bool(lines) and all(ln.startswith(_SET_VERBS) for ln in lines)
    if running is not None and mode == "merge" and merge_check is not None:
        problems += merge_check(candidate, running)[:5]
    elif running is not None and mode == "merge" and as_set and set_form is not None:
        problems += [f"not in the running config: {m}"
                     for m in missing_set_lines(candidate, set_form(running))[:5]]
    elif running is not None and mode == "merge":
        problems += [f"not in the running config: {m}" for m in missing_lines(candidate, running)[:5]]
    peers = post.get("bgp_peers", {})
    touched_as = {m.group(1): int(m.group(2))
                  for ln in candidate.splitlines() if (m := _NEIGHBOR_AS.match(ln))}
    for ip, asn in sorted(touched_as.items()):
        got = (peers.get(ip) or {}).get("remote_as")
        if got is not None and int(got) != asn:
            problems.append(f"neighbor {ip}: config says remote-as {asn}, "
                            f"the control plane peers with AS {got}")
    detail = post.get("interface_detail", {})
    iface = None
    for path in stanza_lines(candidate):
        m = _INTERFACE.match(path[0])
        iface = m.group(1) if m else None
        if iface is None or len(path) != 2 or iface not in detail:
            continue
        st, line = detail[iface], path[1]
        if (mtu := re.fullmatch(r"mtu (\d+)", line)) and st.get("mtu") not in (None, int(mtu.group(1))):
            problems.append(f"{iface}: config says mtu {mtu.group(1)}, the interface has {st['mtu']}")
        if line in ("shutdown", "no shutdown") and st.get("admin_up") is not None:
            want_up = line == "no shutdown"
            if bool(st["admin_up"]) != want_up:
                problems.append(f"{iface}: config says {line}, the interface is admin "
                                f"{'up' if st['admin_up'] else 'down'}")
    results = [{
        "name": "device.config_applied",
        "ok": not problems,
        "detail": "; ".join(problems) if problems else
        ("running config and state match the change" if mode == "merge" else
         "state matches the change (the driver checked the replace against the running config)"),
    }]
    if commit_age is not None and peers:
        touched = set(_NEIGHBOR.findall(diff or candidate))
        flapped = sorted(ip for ip, p in peers.items()
                         if p.get("up") and p.get("uptime") is not None and p["uptime"] < commit_age
                         and ip not in touched)
        results.append({
            "name": "device.bgp_flap",
            "ok": not flapped,
            "detail": (f"session(s) reset by the change (up for less than the {commit_age:.0f}s since the "
                       f"commit): {', '.join(flapped)}") if flapped else "no untouched session reset",
        })
    return results
