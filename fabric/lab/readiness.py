"""Readiness: FRR daemons answering, configured BGP/OSPF/IS-IS sessions up, LLDP seeing every link."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

from fabric.lab import netns
from fabric.lab.state import State

FRR_RUN = "/var/run/frr"


def vty(pathspace: str, daemon: str, command: str, timeout: float = 5) -> str | None:
    """One command on a daemon's vtysh socket, speaking vtysh's wire protocol (command NUL-terminated;
    reply ends with three NULs and a status byte).  Much cheaper than spawning vtysh for every poll of
    every node, which dominated convergence polling CPU on big labs."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(f"{FRR_RUN}/{pathspace}/{daemon}.vty")
            s.sendall(command.encode() + b"\0")
            buf = bytearray()
            while not (len(buf) >= 4 and buf[-4:-1] == b"\0\0\0"):
                chunk = s.recv(65536)
                if not chunk:
                    return None
                buf += chunk
            return buf[:-4].decode(errors="replace") if buf[-1] == 0 else None
    except OSError:
        return None


def vty_json(pathspace: str, daemon: str, command: str) -> Any:
    out = vty(pathspace, daemon, command)
    if not out or not out.strip():
        return None
    try:
        return json.loads(out)
    except ValueError:
        return None


def _frr_nodes(state: State) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in state["nodes"].items() if v.get("frr_pathspace")}


def _pmap(fn: Any, items: list[Any]) -> list[Any]:
    return netns._pmap(fn, items, workers=16)  # polls: fewer threads than the deploy's start phase


def daemons_pending(state: State) -> list[str]:
    nodes = _frr_nodes(state)

    def check(item: tuple[str, dict[str, Any]]) -> str | None:
        name, n = item
        missing = [d for d in n.get("frr_daemons", []) if vty(n["frr_pathspace"], d, "show version") is None]
        return f"{name}: daemons not answering: {', '.join(missing)}" if missing else None

    return [r for r in _pmap(check, list(nodes.items())) if r]


def wait_daemons(state: State, timeout: float = 30) -> list[str]:
    deadline = time.monotonic() + timeout
    while True:
        pending = daemons_pending(state)
        if not pending or time.monotonic() > deadline:
            return pending
        time.sleep(0.2)


def _isis_interfaces(text: str | None) -> set[str]:
    out = set()
    for line in (text or "").splitlines():
        if line.startswith("  Interface:"):
            out.add(line.split()[1].rstrip(","))
    return out


def _isis_up(text: str | None) -> set[str]:
    # "System Id  Interface  L  State  Holdtime  SNPA" rows
    up = set()
    for line in (text or "").splitlines():
        parts = line.split()
        if len(parts) >= 4 and "Up" in parts:
            up.add(parts[1])
    return up


def _node_protocols(item: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    name, n = item
    ps = n["frr_pathspace"]
    daemons = set(n.get("frr_daemons", []))
    info: dict[str, Any] = {"name": name}
    if "bgpd" in daemons:
        info["bgp"] = vty_json(ps, "bgpd", "show bgp neighbors json") or {}
    if "ospfd" in daemons:
        info["ospf_if"] = (vty_json(ps, "ospfd", "show ip ospf interface json") or {}).get("interfaces", {})
        info["ospf_nbr"] = (vty_json(ps, "ospfd", "show ip ospf neighbor json") or {}).get("neighbors", {})
    if "isisd" in daemons:
        info["isis_if"] = _isis_interfaces(vty(ps, "isisd", "show isis interface detail"))
        info["isis_up"] = _isis_up(vty(ps, "isisd", "show isis neighbor"))
    return info


def protocols_pending(state: State) -> list[str]:
    nodes = _frr_nodes(state)
    infos = {i["name"]: i for i in _pmap(_node_protocols, list(nodes.items()))}
    pending: list[str] = []
    for name, info in sorted(infos.items()):
        for peer, data in sorted((info.get("bgp") or {}).items()):
            if isinstance(data, dict) and data.get("bgpState") != "Established":
                pending.append(f"{name}: BGP {peer} {data.get('bgpState', '?')}")
        full_ifs = set()
        for nbrs in (info.get("ospf_nbr") or {}).values():
            for nb in nbrs if isinstance(nbrs, list) else [nbrs]:
                st = str(nb.get("nbrState") or nb.get("state") or "")
                if st.startswith("Full") or st.startswith("2-Way"):
                    full_ifs.add(str(nb.get("ifaceName", "")).split(":")[0])
        info["ospf_full"] = full_ifs
    # An OSPF/IS-IS adjacency is expected on a lab link when both ends run the protocol there.
    for lk in state.get("links", []):
        a, b = lk["a"], lk["b"]
        ia, ib = infos.get(a["node"]), infos.get(b["node"])
        if not ia or not ib:
            continue
        oa, ob = ia.get("ospf_if", {}).get(a["interface"]), ib.get("ospf_if", {}).get(b["interface"])
        both = oa is not None and ob is not None
        if both and not oa.get("timerPassiveIface") and not ob.get("timerPassiveIface"):
            for who, end in ((ia, a), (ib, b)):
                if end["interface"] not in who.get("ospf_full", set()):
                    pending.append(f"{end['node']}: OSPF adjacency on {end['interface']} not Full")
        if a["interface"] in ia.get("isis_if", set()) and b["interface"] in ib.get("isis_if", set()):
            for who, end in ((ia, a), (ib, b)):
                if end["interface"] not in who.get("isis_up", set()):
                    pending.append(f"{end['node']}: IS-IS adjacency on {end['interface']} not Up")
    return pending


def _lldp_ports(sock: str) -> set[str] | None:
    """Local ports on which lldpd has a neighbor (None: no lldpd answering on ``sock``)."""
    if not os.path.exists(sock):
        return None
    try:
        p = subprocess.run(["lldpcli", "-u", sock, "-f", "json", "show", "neighbors"],
                           capture_output=True, text=True, timeout=5)
        data = json.loads(p.stdout or "{}")
    except (OSError, subprocess.TimeoutExpired, ValueError):
        return None
    itfs = (data.get("lldp") or {}).get("interface") or []
    entries = itfs if isinstance(itfs, list) else [itfs]
    return {name for e in entries if isinstance(e, dict) for name in e}


def lldp_pending(state: State) -> list[str]:
    """Every lab link whose two ends run lldpd shows the neighbor on both ends (validation checks the
    cabling plan through LLDP, so a lab is not ready while a frame is still due)."""
    nodes = state.get("nodes", {})
    socks = {n: v.get("lldpd_socket") for n, v in nodes.items() if v.get("lldpd_socket")}
    seen = dict(zip(socks, _pmap(lambda n: _lldp_ports(str(socks[n])), list(socks)), strict=True))
    missing = []
    for lk in state.get("links", []):
        a, b = lk["a"], lk["b"]
        if a["node"] not in socks or b["node"] not in socks:
            continue  # an end without lldpd: nothing to wait for
        # An lldpd that does not answer yet (socket not created, lldpcli timed out) is pending, not
        # "fine": counting it as converged let a wait return before a slow node's LLDP was up.
        missing += [(lk, end) for end in (a, b)
                    if seen[end["node"]] is None or end["interface"] not in seen[end["node"]]]  # type: ignore[operator]
    if not missing:
        return []
    # A link the topology keeps down (an `exec` shutting it) never shows LLDP: not waited for.
    involved = sorted({end["node"] for lk, _ in missing for end in (lk["a"], lk["b"])})
    up = dict(zip(involved, _pmap(lambda n: _up_links(nodes[n].get("netns", "")), involved), strict=True))
    return [
        f"{end['node']}: " + ("lldpd not answering yet" if seen[end["node"]] is None
                              else f"no LLDP neighbor on {end['interface']} yet")
        for lk, end in missing
        if all(e["interface"] in up[e["node"]] for e in (lk["a"], lk["b"]))
    ]


def _up_links(netns: str) -> set[str]:
    try:
        p = subprocess.run(["ip", "-n", netns, "-j", "link", "show"],
                           capture_output=True, text=True, timeout=5)
        return {lk["ifname"] for lk in json.loads(p.stdout or "[]") if lk.get("operstate") == "UP"}
    except (OSError, subprocess.TimeoutExpired, ValueError):
        return set()


def twins_pending(state: State) -> list[str]:
    """Twins whose configuration is not applied yet. Matters for a twin whose FRR the lab started empty
    (no startup-config, or one the twin cannot translate up front): until its boot pushes the
    configuration its FRR holds none of the sessions the protocol checks look for, and the lab would
    look converged without them. A twin started with its translation is seen by those checks at once."""
    if not any(n.get("twin") and not n.get("frr_preconfigured", False)
               for n in state.get("nodes", {}).values()):
        return []
    from fabric.twins import BOOTED

    marker = Path(str(state.get("lab_dir", "."))) / ".twin" / BOOTED
    try:
        if marker.read_text() == str(state.get("deploy_id", "")):
            return []
    except OSError:
        pass
    return ["device twins: configurations not applied yet"]


def wait_converged(state: State, timeout: float = 60, lldp: bool = True) -> list[str]:
    deadline = time.monotonic() + timeout
    pending = wait_daemons(state, timeout)
    if pending:
        return pending
    while (pending := twins_pending(state)) and time.monotonic() < deadline:
        time.sleep(0.2)
    if pending:
        return pending
    while True:
        pending = protocols_pending(state)
        if not pending and lldp:
            pending = lldp_pending(state)
        if not pending or time.monotonic() > deadline:
            return pending
        time.sleep(0.3)
