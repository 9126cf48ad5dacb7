"""FRR state collection: one SSH exec per device runs one vtysh with every show command (JSON)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable
from typing import Any

from fabric.state.collect import CollectOptions, Collector, CollectorError, run_on_loop, ssh_run
from fabric.state.model import DeviceState
from fabric.vendors.frr import normalise as normalise_frr

# One SSH exec per device runs ONE vtysh process with every show command (vtysh connects to every
# daemon when it starts, so six vtysh processes cost six times that), then the shell commands.
# ``vtysh -E`` echoes "<hostname># <command>" before each command's output: that splits the
# concatenated JSON replies. vtysh (FRR 8.x) stops at the first failing command (e.g. "bgpd is not
# running"); the collector then runs the remaining commands again on the same connection.
# Daemons a fabric may not run (ospfd, isisd: the lab and Debian's daemons file start only what is
# used) come last, so a "not running" stop costs at most one more exec per such daemon.
FRR_VTYSH: dict[str, str] = {
    "bgp_summary": "show bgp vrf all summary json",
    "bgp_neighbors": "show bgp vrf all neighbors json",
    "interfaces": "show interface json",
    "ospf": "show ip ospf neighbor json",
    "ospf_router": "show ip ospf json",
    "ospf_interfaces": "show ip ospf interface json",  # the area of each neighbor's interface
    "isis": "show isis neighbor json",
}
_VTYSH_DAEMON = {
    "bgp_summary": "bgpd",
    "bgp_neighbors": "bgpd",
    "ospf": "ospfd",
    "ospf_router": "ospfd",
    "ospf_interfaces": "ospfd",
    "isis": "isisd",
    "interfaces": "zebra",
}
FRR_SHELL: dict[str, str] = {
    "ip_addr": "ip -j addr",
    "hostname": 'read -r h < /proc/sys/kernel/hostname && echo "$h"',  # shell builtins: no process
    # One lldpcli: lldpd's listening socket of this network namespace (/proc/net/unix is per namespace;
    # the lab runs one lldpd per node on its own socket, and lldpd rewrites its argv, so -u cannot be read
    # back), else lldpcli's default socket.
    "lldp": (
        "s=$(awk '$NF ~ /lldpd.*[.]sock(et)?$/ {print $NF; exit}' /proc/net/unix); "
        'lldpcli ${s:+-u "$s"} -f json show neighbors'
    ),
}
# Every command by section name, as a device operator would type it (error messages, docs).
FRR_COMMANDS: dict[str, str] = {**{k: f"vtysh -c '{v}'" for k, v in FRR_VTYSH.items()}, **FRR_SHELL}
_MARK = "@@netfabric@@"


def vtysh_command(names: Iterable[str]) -> str:
    """One vtysh process for the given FRR_VTYSH sections; its stderr stays on the channel's stderr."""
    return "vtysh -E " + " ".join(f"-c '{FRR_VTYSH[n]}'" for n in names)


def frr_script(vtysh: Iterable[str] | None = None, shell: dict[str, str] | None = None) -> str:
    """The whole collection as one shell line: vtysh first, then each shell command between markers."""
    names = list(FRR_VTYSH if vtysh is None else vtysh)
    parts = [f'{vtysh_command(names)}; echo "{_MARK} vtysh $?"'] if names else []
    for name, cmd in (FRR_SHELL if shell is None else shell).items():
        parts.append(f"echo '{_MARK} begin {name}'; ( {cmd} ) 2>&1; echo \"{_MARK} end {name} $?\"")
    return "; ".join(parts)


def split_sections(output: str) -> dict[str, tuple[int, str]]:
    """Shell sections between begin/end markers -> {name: (rc, output)}."""
    out: dict[str, tuple[int, str]] = {}
    name: str | None = None
    buf: list[str] = []
    for line in output.splitlines():
        if line.startswith(f"{_MARK} begin "):
            name, buf = line.split()[2], []
        elif line.startswith(f"{_MARK} end ") and name:
            rc = line.split()[3]
            out[name] = (int(rc) if rc.isdigit() else 1, "\n".join(buf))
            name = None
        elif name:
            buf.append(line)
    return out


def split_vtysh(
    stdout: str, stderr: str, rc: int, names: list[str]
) -> tuple[dict[str, tuple[int, str]], list[str]]:
    """``vtysh -E`` output -> ({section: (rc, output)}, sections still to run).

    A command that vtysh stopped at gets rc 1 and the stderr lines about it (``bgpd is not
    running``); the commands after it are returned to be run again without it.
    """
    out: dict[str, tuple[int, str]] = {}
    seen: list[str] = []
    buf: list[str] = []
    pending = list(names)
    for line in stdout.splitlines():
        if pending and line.endswith(f"# {FRR_VTYSH[pending[0]]}") and " " not in line.split("# ", 1)[0]:
            if seen:
                out[seen[-1]] = (0, "\n".join(buf))
            seen.append(pending.pop(0))
            buf = []
        elif seen:
            buf.append(line)
    err = [ln for ln in stderr.splitlines() if ln.strip()]
    if rc == 0 or not seen:
        if seen:
            out[seen[-1]] = (0, "\n".join(buf))
        if rc != 0:  # nothing ran: "failed to connect to any daemons", no vtysh, ...
            text = "\n".join(err) or f"vtysh exited with {rc}"
            return {n: (rc, text) for n in names}, []
        return out, []
    failed = seen[-1]
    daemon = _VTYSH_DAEMON.get(failed, "")
    why = [ln for ln in err if daemon and ln.startswith(daemon)] or err[-1:] or [f"vtysh exited with {rc}"]
    out[failed] = (rc, "\n".join([*buf, *why]).strip())
    if daemon and any("is not running" in ln for ln in why):
        # The daemon's other commands would stop vtysh the same way: answer them now, not by re-running.
        for n in [p for p in pending if _VTYSH_DAEMON.get(p) == daemon]:
            out[n] = (rc, "\n".join(why))
            pending.remove(n)
    return out, pending


def parse_frr_output(
    stdout: str, stderr: str, names: list[str]
) -> tuple[dict[str, tuple[int, str]], list[str]]:
    """Output of :func:`frr_script` -> ({section: (rc, output)}, vtysh sections still to run)."""
    head, sep, tail = stdout.partition(f"{_MARK} vtysh ")
    sections = split_sections(tail if sep else stdout)
    if not sep and not sections:
        raise CollectorError("the device ran none of the collection commands (is it a Linux/FRR host?)")
    if not names:
        return sections, []
    if not sep:  # the script did not get past vtysh
        return {**sections, **{n: (1, "vtysh did not finish") for n in names}}, []
    rc_text = tail.split("\n", 1)[0].strip()
    vt, pending = split_vtysh(head, stderr, int(rc_text) if rc_text.isdigit() else 1, names)
    return {**sections, **vt}, pending


def _json(sections: dict[str, tuple[int, str]], name: str) -> Any:
    if name not in sections:
        raise CollectorError(f"no output for {name}")
    rc, text = sections[name]
    if rc != 0 and "is not running" in text:
        raise CollectorError(text.strip().splitlines()[-1])  # e.g. "bgpd is not running"
    if rc != 0:
        raise CollectorError(f"{FRR_COMMANDS.get(name, name)} failed (rc {rc}): {text.strip()[:200]}")
    text = text.strip()
    if not text:
        return {}
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise CollectorError(f"{name}: not JSON: {text[:120]!r}") from None


def normalise_frr_sections(
    state: DeviceState, sections: dict[str, tuple[int, str]], wanted: Iterable[str]
) -> None:
    """Fill ``state`` from the per-section output of :data:`FRR_COMMANDS` (also used by tests on fixtures)."""
    wanted = set(wanted)

    def run(section: str, fn: Callable[[], None]) -> None:
        if section in wanted:
            try:
                fn()
            except Exception as exc:  # noqa: BLE001 - per-section result
                state.errors[section] = f"{exc.__class__.__name__}: {exc}"[:500]

    def facts() -> None:
        rc, text = sections.get("hostname", (1, ""))
        state.facts.hostname = text.strip() or None
        state.facts.vendor, state.facts.os_version = "FRRouting", None

    def bgp() -> None:
        summary = _json(sections, "bgp_summary")
        try:
            nbrs = _json(sections, "bgp_neighbors")
        except CollectorError:
            nbrs = None
        state.bgp, state.bgp_router_id = normalise_frr.bgp(summary, nbrs)

    def ospf() -> None:
        try:
            ifaces = _json(sections, "ospf_interfaces")
        except CollectorError:
            ifaces = None  # neighbors without their area
        state.ospf = normalise_frr.ospf(_json(sections, "ospf"), ifaces)
        with contextlib.suppress(CollectorError):
            state.ospf_router_id = _json(sections, "ospf_router").get("routerId")

    def interfaces() -> None:
        try:
            show = _json(sections, "interfaces")
        except CollectorError:
            show = None  # zebra down: the kernel still knows the interfaces
        state.interfaces = normalise_frr.interfaces(show, _json(sections, "ip_addr"))

    run("facts", facts)
    run("bgp", bgp)
    run("ospf", ospf)
    run("isis", lambda: setattr(state, "isis", normalise_frr.isis(_json(sections, "isis"))))
    run("interfaces", interfaces)
    run("lldp", lambda: setattr(state, "lldp", normalise_frr.lldp(_json(sections, "lldp"))))


def _vtysh_down(sections: dict[str, tuple[int, str]], text_of: str) -> bool:
    return "failed to connect to any daemons" in sections.get(text_of, (0, ""))[1]


def finish_frr(state: DeviceState, sections: dict[str, tuple[int, str]], wanted: Iterable[str]) -> None:
    normalise_frr_sections(state, sections, wanted)
    if _vtysh_down(sections, "bgp_summary"):
        for s in ("bgp", "ospf", "isis"):
            if s in state.errors:
                state.errors[s] = "FRR is not running (vtysh: failed to connect to any daemons)"


async def _collect_frr(host: Any, opts: CollectOptions, state: DeviceState) -> None:
    names = [n for n in FRR_VTYSH if _frr_section(n) in opts.sections]
    shell = {n: c for n, c in FRR_SHELL.items() if _frr_section(n) in opts.sections}
    stdout, stderr, _ = await ssh_run(host, opts, frr_script(names, shell))
    sections, pending = parse_frr_output(stdout, stderr, names)
    while pending:  # vtysh stopped at a failing command: run the rest, without it
        out, err, rc = await ssh_run(host, opts, vtysh_command(pending))
        vt, rest = split_vtysh(out, err, rc, pending)
        sections.update(vt)
        if len(rest) >= len(pending):
            break
        pending = rest
    finish_frr(state, sections, opts.sections)


def _frr_section(name: str) -> str:
    """The state section a FRR command feeds."""
    if name.startswith("bgp"):
        return "bgp"
    if name.startswith("ospf"):
        return "ospf"
    return {"ip_addr": "interfaces", "hostname": "facts"}.get(name, name)


class FrrCollector(Collector):
    """FRR boxes are Linux hosts: one SSH exec (asyncssh, shared event loop) runs one vtysh with JSON.

    ``fabric.state.collect.collect`` runs all FRR hosts concurrently on the loop through
    ``fill_async``; :meth:`collect` serves collect_host callers.
    """

    fill_async = staticmethod(_collect_frr)

    def collect(self, state: DeviceState) -> None:
        run_on_loop(_collect_frr(self.host, self.opts, state))
