"""A twin's live sources as JSON: FRR (vtysh), the kernel (ip -j) and lldpd (lldpcli), and when each
interface last changed state. What the vendor twins' operational replies are built from.

A source that does not answer, or answers something unreadable, raises the caller's error class (the
vendor's "could not get state" error): a reply is never built from nothing.
"""

from __future__ import annotations

import json
import re
import weakref
from collections.abc import Callable
from typing import Any

from fabric.twins import jsonio, lldpwatch
from fabric.twins.frr import run


async def frr_json(twin: Any, cmd: str, error: type[Exception]) -> Any:
    out = await twin.frr.show_text(cmd)
    if not out.strip():
        raise error(f"routing daemon did not answer '{cmd}'")
    try:
        return jsonio.loads(out)
    except json.JSONDecodeError as e:
        raise error(f"routing daemon: unreadable reply to '{cmd}'") from e


async def ip_json(twin: Any, *args: str, error: type[Exception]) -> Any:
    netns = getattr(twin.frr, "netns", None)
    argv = ["ip", "-n", netns] if netns else ["ip"]
    rc, out, err = await run(*argv, "-j", *args, timeout=10)
    if rc != 0:
        raise error(f"kernel: {err.strip()[:200] or 'ip failed'}")
    try:
        return jsonio.loads(out or "[]")
    except json.JSONDecodeError as e:
        raise error("kernel: unreadable ip reply") from e


async def lldp_json(twin: Any, error: type[Exception]) -> Any:
    rc, out, err = await lldpwatch.neighbors(twin.lldpd_socket, timeout=5)
    if rc != 0:
        raise error(f"lldpd: {err.strip()[:200] or 'no answer'}")
    try:
        return jsonio.loads(out or "{}")
    except json.JSONDecodeError as e:
        raise error("lldpd: unreadable reply") from e


# per twin: NOS interface name -> (up, since)
_SEEN: weakref.WeakKeyDictionary[Any, dict[str, tuple[bool, float]]] = weakref.WeakKeyDictionary()


def track_changes(twin: Any, links: list[dict[str, Any]], now: float, name_of: Callable[[str], str | None],
                  is_up: Callable[[dict[str, Any]], bool]) -> dict[str, float]:
    """NOS name -> when its state last changed (the twin's boot for a state it has had since then), from
    ``ip -j link/addr`` entries seen at each gathering: the kernel keeps no such time."""
    seen = _SEEN.setdefault(twin, {})
    out = {}
    for lk in links:
        name = name_of(str(lk.get("ifname", "")))
        if name is None:
            continue
        up = is_up(lk)
        prev = seen.get(name)
        since = prev[1] if prev and prev[0] == up else (twin.boot_time if prev is None else now)
        seen[name] = (up, since)
        out[name] = since
    return out


# ---- small readers of lldpcli's JSON and FRR's IS-IS text the twins share ----------------------------
SYSID = re.compile(r"^[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}$")


def isis_hostnames(text: str) -> dict[str, str]:
    """``show isis hostname`` (``Level  System ID      Dynamic Hostname``) -> hostname -> system id."""
    out = {}
    for line in text.splitlines():
        words = line.split()
        if len(words) >= 3 and SYSID.match(words[1]):
            out[words[2]] = words[1]
    return out


def lldp_entries(x: Any) -> list[dict[str, Any]]:
    """lldpcli's JSON nests lists of ``{name: {...}}`` (``-f json``) or of ``{"name": ...}`` (``json0``)."""
    out = []
    for e in x if isinstance(x, list) else [x] if isinstance(x, dict) else []:
        one = isinstance(e, dict) and len(e) == 1 and "name" not in e
        if one and isinstance(next(iter(e.values())), dict):
            (k, v), = e.items()
            out.append({"name": k, **v})
        elif isinstance(e, dict):
            out.append(e)
    return out


def lldp_value(x: Any) -> str:
    while isinstance(x, list):
        x = x[0] if x else ""
    if isinstance(x, dict):
        return str(x.get("value", ""))
    return "" if x is None else str(x)


def lldp_age(s: str) -> float:
    """lldpcli's age ``0 day, 00:00:13`` -> seconds."""
    m = re.search(r"(\d+) days?, (\d+):(\d+):(\d+)", s)
    if not m:
        return 0
    return int(m.group(1)) * 86400 + int(m.group(2)) * 3600 + int(m.group(3)) * 60 + int(m.group(4))
