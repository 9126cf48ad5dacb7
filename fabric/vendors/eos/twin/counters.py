"""EOS interface counters, descriptions and err-disabled state, from the kernel's link statistics.

Discards: EOS counts frames dropped for lack of buffer. The kernel's ``rx dropped`` counts frames no
protocol took (an LLDP frame before lldpd listens, say), which a switch ASIC never counts as a
discard, so the twin reports only the kernel's congestion drops (rx missed/fifo, tx dropped).
Rates: the average since the previous read of the same interface (since boot for the first read),
where EOS averages over its 5-minute load interval.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

from fabric.vendors.eos.twin.names import short, to_eos
from fabric.vendors.eos.twin.session import Handler

if TYPE_CHECKING:
    from fabric.vendors.eos.twin.twin import EosTwin

# (twin name, interface) -> (time, rx bytes, tx bytes, rx packets, tx packets) of the previous read
_LAST: dict[tuple[str, str], tuple[float, int, int, int, int]] = {}


async def _stats(tw: EosTwin) -> dict[str, dict[str, Any]]:
    """EOS interface name -> {"rx": {...}, "tx": {...}, "up", "lower", "mtu"} for the node's ports."""
    out = {}
    for lk in await tw.frr.ip_json("-s", "-s", "link", "show") or []:
        name = to_eos(str(lk.get("ifname", "")))
        if name is None or name.startswith("Loopback"):
            continue
        flags = lk.get("flags", [])
        s = lk.get("stats64", {})
        out[name] = {
            "rx": s.get("rx", {}),
            "tx": s.get("tx", {}),
            "up": "UP" in flags,
            "lower": "LOWER_UP" in flags,
        }
    return out


def _discards(rx: dict[str, Any], tx: dict[str, Any]) -> tuple[int, int]:
    return int(rx.get("missed_errors", 0)) + int(rx.get("fifo_errors", 0)), int(tx.get("dropped", 0))


async def errors(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    res = {}
    for name, s in sorted((await _stats(tw)).items()):
        rx, tx = s["rx"], s["tx"]
        res[name] = {
            "inErrors": int(rx.get("errors", 0)),
            "frameTooLongs": int(rx.get("over_errors", 0)),
            "outErrors": int(tx.get("errors", 0)),
            "frameTooShorts": int(rx.get("length_errors", 0)),
            "fcsErrors": int(rx.get("crc_errors", 0)),
            "alignmentErrors": int(rx.get("frame_errors", 0)),
            "symbolErrors": 0,
        }
    return {"interfaceErrorCounters": res}


async def discards(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    res, tin, tout = {}, 0, 0
    for name, s in sorted((await _stats(tw)).items()):
        i, o = _discards(s["rx"], s["tx"])
        res[name] = {"inDiscards": i, "outDiscards": o}
        tin, tout = tin + i, tout + o
    return {"interfaces": res, "inDiscardsTotal": tin, "outDiscardsTotal": tout}


async def rates(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    now = time.time()
    dev = tw.device()
    res = {}
    for name, s in sorted((await _stats(tw)).items()):
        rx, tx = s["rx"], s["tx"]
        cur = (
            now,
            int(rx.get("bytes", 0)),
            int(tx.get("bytes", 0)),
            int(rx.get("packets", 0)),
            int(tx.get("packets", 0)),
        )
        prev = _LAST.get((tw.name, name), (tw.boot_time, 0, 0, 0, 0))
        _LAST[(tw.name, name)] = cur
        dt = max(cur[0] - prev[0], 1e-3)
        in_pps, out_pps = (cur[3] - prev[3]) / dt, (cur[4] - prev[4]) / dt
        cfg = dev.interfaces.get(name)
        res[name] = {
            "description": cfg.description if cfg else "",
            "interval": 300,
            "inBpsRate": (cur[1] - prev[1]) * 8 / dt,
            "inPktsRate": in_pps,
            "inPpsRate": in_pps,
            "outBpsRate": (cur[2] - prev[2]) * 8 / dt,
            "outPktsRate": out_pps,
            "outPpsRate": out_pps,
            "lastUpdateTimestamp": now,
        }
    return {"interfaces": res}


async def descriptions(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    """``show interfaces description``: admin/oper state per interface, loopbacks included."""
    from fabric.vendors.eos.twin import show

    res = {}
    for name, e in (await show.show_interfaces(tw))["interfaces"].items():
        cfg = tw.device().interfaces.get(name)
        admin_down = e["interfaceStatus"] == "disabled" or (cfg is not None and cfg.shutdown)
        res[name] = {
            "description": e.get("description", ""),
            "interfaceStatus": "adminDown"
            if admin_down
            else ("up" if e["lineProtocolStatus"] == "up" else "down"),
            "lineProtocolStatus": e["lineProtocolStatus"],
        }
    if fmt == "text":
        rows = [f"{'Interface':<30} {'Status':<14} {'Protocol':<9} Description"]
        rows += [
            f"{short(n):<30} {d['interfaceStatus'].replace('adminDown', 'admin down'):<14} "
            f"{d['lineProtocolStatus']:<9} {d['description']}".rstrip()
            for n, d in res.items()
        ]
        return "\n".join(rows) + "\n"
    return {"interfaceDescriptions": res}


async def errdisabled(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    return {
        "interfaceStatuses": {}
    }  # nothing err-disables a port on the twin (no errdisable causes modelled)


COMMANDS: list[tuple[re.Pattern[str], Handler]] = [
    (re.compile(r"interfaces counters errors"), errors),
    (re.compile(r"interfaces counters discards"), discards),
    (re.compile(r"interfaces counters rates"), rates),
    (re.compile(r"interfaces description"), descriptions),
    (re.compile(r"interfaces status errdisabled"), errdisabled),
]
