"""EOS system show commands (clock, uptime, reload cause, NTP, SNMP, logging, AAA, DNS, ZTP,
maintenance, configuration diffs, processes) answered from the twin's running config and its host.

What a container cannot have, the twin answers as a cEOS-lab container does: no reload history, no
core files, no crash logs, ZTP off (containerlab cancels it). ``bash`` answers only the read-only
forms ANTA and operators send (``ls /mnt/flash``, ``nproc``, ``df -h``), for the twin's own flash
directory and its host's CPUs: a twin never runs a shell command.
"""

from __future__ import annotations

import difflib
import ipaddress
import os
import re
import shutil
import time
from typing import TYPE_CHECKING, Any

from fabric.vendors.eos.twin.session import CommandError, Handler

if TYPE_CHECKING:
    from fabric.vendors.eos.twin.twin import EosTwin

# /proc/stat's column for each of top's CPU fields, in top's order
_TOP_CPU = ((0, "us"), (2, "sy"), (1, "ni"), (3, "id"), (4, "wa"), (5, "hi"), (6, "si"), (7, "st"))
MEM_TOTAL, MEM_FREE = 8000000, 4000000  # KiB: a twin has no memory of its own (show version says the same)


def _lines(tw: EosTwin, pattern: str) -> list[re.Match[str]]:
    """Matches of ``pattern`` against the running config's top-level lines."""
    rx = re.compile(pattern)
    return [m for ln in tw.running.to_text().splitlines() if (m := rx.fullmatch(ln.strip()))]


async def clock(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    now = time.time()
    if fmt == "text":
        return (
            time.strftime("%a %b %d %H:%M:%S %Y", time.gmtime(now)) + "\nTimezone: UTC\nClock source: local\n"
        )
    t = time.gmtime(now)
    return {
        "utcTime": now,
        "timezone": "UTC",
        "clockSource": {"local": True},
        "localTime": {
            "year": t.tm_year,
            "month": t.tm_mon,
            "dayOfMonth": t.tm_mday,
            "hour": t.tm_hour,
            "min": t.tm_min,
            "sec": t.tm_sec,
            "dayOfWeek": t.tm_wday,
            "dayOfYear": t.tm_yday,
            "daylightSavingsAdjust": 0,
        },
    }


async def uptime(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    up, load = time.time() - tw.boot_time, [round(x, 2) for x in os.getloadavg()]
    if fmt == "text":
        return (
            f" {time.strftime('%H:%M:%S', time.gmtime())} up {int(up // 60)} min,  0 users,  "
            f"load average: {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}\n"
        )
    return {"upTime": up, "loadAvg": load, "users": 0, "currentTime": time.time()}


async def reload_cause(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    # a lab node boots fresh: no reset cause recorded, as on a new cEOS-lab container
    return {"kernelCrashData": [], "resetCauses": [], "full": False}


async def coredump(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    return {"mode": "compressedDeferred", "coreFiles": []}


async def agent_crashes(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    return ""  # no agent ever crashed: EOS prints nothing


async def zerotouch(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    return {"mode": "disabled"}  # containerlab's cEOS start-up cancels ZTP


async def maintenance(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    return {"units": {}, "interfaces": {}, "vrfs": {}, "warnings": ["Maintenance Mode is disabled."]}


async def config_diffs(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    """``show running-config diffs``: the unsaved changes, as a unified diff startup -> running."""
    f = tw._f("startup-config")
    startup = f.read_text().splitlines() if f.exists() else []
    running = tw.running.to_text().splitlines()
    diff = difflib.unified_diff(
        startup, running, "flash:/startup-config", "system:/running-config", lineterm=""
    )
    return "\n".join(diff) + "\n" if startup != running else ""


def config_json(text: str) -> dict[str, Any]:
    """``show running-config`` in JSON, as EOS nests it: {"header": [...], "cmds": {line: None or
    {"comments": [], "cmds": {...}}}}, a section's lines under it (read from the text's indentation)."""
    header: list[str] = []
    root: dict[str, Any] = {}
    stack: list[tuple[int, dict[str, Any]]] = [(-1, root)]  # (indent of the section's own line, its cmds)
    last: tuple[int, str, dict[str, Any]] | None = None  # the previous line: indent, text, where it is
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line == "end" or line.startswith("!"):
            if line.startswith("!") and not root:
                header.append(line)
            continue
        indent = len(raw) - len(raw.lstrip())
        if last is not None and indent > last[0]:  # the previous line opens a section
            holder = last[2]
            holder[last[1]] = {"comments": [], "cmds": {}}
            stack.append((last[0], holder[last[1]]["cmds"]))
        while stack[-1][0] >= indent:
            stack.pop()
        stack[-1][1][line] = None
        last = (indent, line, stack[-1][1])
    return {"header": header, "cmds": root}


# ---- NTP: the twin keeps no time of its own (it is the host's clock) and runs no NTP client, so it
# is never synchronised to the configured servers: EOS's answer for servers it cannot reach.
async def ntp_status(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    if fmt == "json":
        return {"status": "unsynchronised", "pollInterval": None}
    return "unsynchronised\npoll interval unknown\n"


async def ntp_associations(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    peers: dict[str, Any] = {}
    for s in _lines(tw, r"ntp server(?: vrf (\S+))? (\S+).*"):
        peers[s.group(2)] = {
            "peerIpAddr": s.group(2),
            "condition": "reject",
            "refid": ".INIT.",
            "stratumLevel": 16,
            "peerType": "unicast",
            "lastReceived": 0.0,
            "pollInterval": 64,
            "reachabilityHistory": [],
            "delay": 0.0,
            "offset": 0.0,
            "jitter": 0.0,
        }
    if fmt == "text":  # ntpq's table, as EOS prints it (NAPALM's get_ntp_stats reads this form)
        rows = [
            "     remote           refid      st t when  poll reach   delay   offset  jitter",
            "===============================================================================",
        ]
        rows += [
            f" {ip:<16} {p['refid']:<11} {p['stratumLevel']:>2} u    -   {p['pollInterval']:>3}    0"
            "    0.000    0.000   0.000"
            for ip, p in peers.items()
        ]
        return "\n".join(rows) + "\n"
    return {"peers": peers}


# ---- SNMP, logging, DNS, AAA: read from the running config
async def snmp(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    contact = _lines(tw, r"snmp-server contact (.+)")
    location = _lines(tw, r"snmp-server location (.+)")
    # EOS runs the agent once a community or a user is configured
    enabled = bool(_lines(tw, r"snmp-server (community|user) .+"))
    vrfs = sorted(
        {v.group(1) or "default" for v in _lines(tw, r"snmp-server(?: vrf (\S+))? (community|user) .+")}
    )
    zero = {
        k: 0
        for k in (
            "inPkts",
            "inVersionErrs",
            "inBadCommunityNames",
            "inBadCommunityUses",
            "inParseErrs",
            "inRequestVars",
            "inSetVars",
            "inGetPdus",
            "inGetNextPdus",
            "inSetPdus",
            "outPkts",
            "outTooBigErrs",
            "outNoSuchNameErrs",
            "outBadValueErrs",
            "outGeneralErrs",
            "outGetResponsePdus",
            "outTrapPdus",
        )
    }
    return {
        "enabled": enabled,
        "contact": {"contact": contact[0].group(1) if contact else ""},
        "location": {"location": location[0].group(1) if location else ""},
        "chassis": {"chassisId": ""},
        "vrfs": {"snmpVrfs": vrfs},
        "counters": zero,
        "srcIntf": {},
        "logging": {"loggingEnabled": False},
        "notificationsEnabled": False,
    }


async def snmp_v2_mib(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    """``show snmp v2-mib chassis|contact|location`` (NAPALM's get_snmp_information)."""
    what = m.group(1)
    if what == "chassis":
        return {"chassisId": ""}
    found = _lines(tw, rf"snmp-server {what} (.+)")
    return {what: found[0].group(1) if found else ""}


async def logging_status(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    out = [
        "Syslog logging: enabled",
        "    Buffer logging: level debugging",
        "    Console logging: level errors",
        "    Persistent logging: disabled",
        "    Monitor logging: level errors",
        "    Synchronous logging: disabled",
        "    Trap logging: level informational",
    ]
    for h in _lines(tw, r"logging(?: vrf (\S+))? host (\S+)(?: (\d+))?.*"):
        out.append(
            f"                Logging to '{h.group(2)}' port {h.group(3) or 514} in VRF "
            f"{h.group(1) or 'default'} via udp"
        )
    from fabric.vendors.eos.twin.features import buffered

    return "\n".join([*out, "", "Log Buffer:"]) + "\n" + buffered(tw)


async def name_servers(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    cfgs = []
    for s in _lines(tw, r"ip name-server(?: vrf (\S+))? (.+)"):
        for ip in s.group(2).split():
            cfgs.append({"ipAddr": ip, "vrf": s.group(1) or "default", "priority": 0})
    return {"nameServerConfigs": cfgs}


async def aaa_methods(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    """EOS's defaults (the golden configs set no method lists): local authentication, no
    authorization, no accounting."""
    what = m.group(1)
    if what == "authentication":
        return {
            # before 4.36 EOS names the console's list "login"; ANTA reads either
            "loginAuthenMethods": {"default": {"methods": ["local"]}, "login": {"methods": ["local"]}},
            "enableAuthenMethods": {"default": {"methods": ["local"]}},
            "dot1xAuthenMethods": {"default": {"methods": []}},
        }
    if what == "authorization":
        return {
            "commandsAuthzMethods": {"privilege0-15": {"methods": ["none"]}},
            "execAuthzMethods": {"exec": {"methods": ["none"]}},
            "dot1xAuthzMethods": {"dot1x": {"methods": []}},
        }
    none = {"defaultAction": "none", "defaultMethods": [], "consoleAction": "none", "consoleMethods": []}
    return {
        k: {n: dict(none)}
        for k, n in (
            ("commandsAcctMethods", "privilege0-15"),
            ("execAcctMethods", "exec"),
            ("systemAcctMethods", "system"),
            ("dot1xAcctMethods", "dot1x"),
        )
    }


async def tacacs(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    return {"tacacsServers": [], "groups": {}, "srcIntf": {}}


# ---- the twin's host: processes, bash
async def processes_top(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    """``show processes top once``: CPU use over 0.2 s from /proc/stat (the twin's CPUs are its host's)."""
    import asyncio

    def sample() -> list[int]:
        with open("/proc/stat") as f:
            return [int(x) for x in f.readline().split()[1:]]

    a = sample()
    await asyncio.sleep(0.2)
    b = sample()
    d = [y - x for x, y in zip(a, b, strict=False)] or [1]
    total = sum(d) or 1
    pct = [round(100.0 * x / total, 1) for x in d] + [0.0] * 8
    load = [round(x, 2) for x in os.getloadavg()]
    if fmt == "text":  # top's header, as EOS prints it (NAPALM's get_environment reads lines 3 and 4)
        up = int(time.time() - tw.boot_time)
        return (
            f"top - {time.strftime('%H:%M:%S')} up {up // 60} min,  0 users,  load average: "
            f"{load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}\n"
            "Tasks:   0 total,   0 running,   0 sleeping,   0 stopped,   0 zombie\n"
            "%Cpu(s): " + ", ".join(f"{pct[i]:4.1f} {k}" for i, k in _TOP_CPU) + "\n"
            f"KiB Mem :  {MEM_TOTAL} total,  {MEM_FREE} free,  {MEM_TOTAL - MEM_FREE} used,"
            "        0 buff/cache\n"
            f"KiB Swap:        0 total,        0 free,        0 used.  {MEM_FREE} avail Mem\n"
        )
    return {
        "timeInfo": {
            "time": time.strftime("%H:%M:%S"),
            "loadAvg": load,
            "upTime": time.time() - tw.boot_time,
            "users": 0,
        },
        "cpuInfo": {
            "%Cpu(s)": {
                "user": pct[0],
                "nice": pct[1],
                "system": pct[2],
                "idle": pct[3],
                "ioWait": pct[4],
                "hwIrq": pct[5],
                "swIrq": pct[6],
                "stolen": pct[7],
            }
        },
        "memInfo": {
            "physicalMem": {
                "total": MEM_TOTAL,
                "free": MEM_FREE,
                "used": MEM_TOTAL - MEM_FREE,
                "buffCache": 0,
                "unit": "KiB",
            }
        },
        "processes": {},
    }


def bash(tw: EosTwin, line: str) -> str:
    """``bash timeout N <line>`` (privileged): the read-only forms ANTA and operators send; the
    twin's flash is its state directory."""
    line = " ".join(line.split())
    if re.fullmatch(r"ls( -1)? /mnt/flash/?", line):
        flash = tw.flash("")
        names = sorted(p.name for p in flash.iterdir()) if flash.is_dir() else []
        return "\n".join([*names, "startup-config"]) + "\n"
    if line == "nproc":
        return f"{os.cpu_count() or 1}\n"
    if line == "df -h":
        u = shutil.disk_usage(tw.state_dir)

        def h(n: float) -> str:
            for unit in ("", "K", "M", "G", "T"):
                if n < 1024:
                    return f"{n:.1f}{unit}" if unit else f"{int(n)}"
                n /= 1024
            return f"{n:.1f}P"

        pct = round(100 * u.used / u.total) if u.total else 0
        return (
            "Filesystem      Size  Used Avail Use% Mounted on\n"
            f"flash           {h(u.total):>4}  {h(u.used):>4}  {h(u.free):>4}  {pct:>2}% /mnt/flash\n"
        )
    raise CommandError("bash on this twin answers only 'ls /mnt/flash', 'nproc' and 'df -h'")


async def dir_flash(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    """``dir [flash:[/path]]``: the twin's flash is its work directory (startup-config and friends)."""
    arg = (m.group(1) or "flash:").strip()
    if not arg.startswith("flash:"):
        raise CommandError(f"Invalid input (at token 1: '{arg}')")
    root = tw.flash("").resolve()
    path = (root / arg[len("flash:") :].strip("/")).resolve()
    if path == root:  # flash: itself holds the startup-config (kept beside it by the twin)
        files = [tw._f("startup-config"), *(sorted(root.iterdir()) if root.is_dir() else [])]
    elif root in path.parents and path.exists():
        files = sorted(path.iterdir()) if path.is_dir() else [path]
    else:
        raise CommandError(f"Error: could not open directory {arg} (No such file or directory)", code=1000)
    files = [f for f in files if f.exists()]
    rows = [f"Directory of {arg}", ""]
    for f in files:
        st = f.stat()
        when = time.strftime("%b %d %H:%M", time.gmtime(st.st_mtime))
        rows.append(f"       -rw-  {st.st_size:>12}  {when}  {f.name}")
    u = shutil.disk_usage(tw.state_dir)
    rows += ["", f"{u.total:>20} bytes total ({u.free} bytes free)"]
    return "\n".join(rows) + "\n"


COMMANDS: list[tuple[re.Pattern[str], Handler]] = [
    (re.compile(r"clock"), clock),
    (re.compile(r"uptime"), uptime),
    (re.compile(r"reload cause(?: full)?"), reload_cause),
    (re.compile(r"system coredump"), coredump),
    (re.compile(r"agent logs crash"), agent_crashes),
    (re.compile(r"zerotouch"), zerotouch),
    (re.compile(r"maintenance"), maintenance),
    (re.compile(r"running-config diffs"), config_diffs),
    (re.compile(r"ntp status"), ntp_status),
    (re.compile(r"ntp associations(?: detail)?"), ntp_associations),
    (re.compile(r"snmp"), snmp),
    (re.compile(r"snmp v2-mib (chassis|contact|location)"), snmp_v2_mib),
    (re.compile(r"logging"), logging_status),
    (re.compile(r"ip name-server"), name_servers),
    (re.compile(r"aaa methods (authentication|authorization|accounting)"), aaa_methods),
    (re.compile(r"tacacs"), tacacs),
    (re.compile(r"processes top once"), processes_top),
]
_PING_OPTS = {"timeout", "size", "repeat", "source", "interface"}


async def ping(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    """``ping [vrf V] DEST [timeout S] [size N] [repeat C] [source A] [interface I] [df-bit]`` (NAPALM's
    and ANTA's forms): EOS's ping is Linux iputils ping, so is the twin's, run in the node's namespace.
    Only destinations the node has a specific route to are pinged: the lab's networks, never beyond."""
    from fabric.twins.frr import run

    words = m.group(0).split()[1:]
    vrf = "default"
    if words[:1] == ["vrf"] and len(words) > 1:
        vrf, words = words[1], words[2:]
    if not words:
        raise CommandError("Incomplete command")
    dest, rest, opts, df = words[0], words[1:], {}, False
    while rest:
        key = rest.pop(0)
        if key == "df-bit":
            df = True
        elif key in _PING_OPTS and rest:
            opts[key] = rest.pop(0)
        else:
            raise CommandError(f"Invalid input (at token {len(words) - len(rest)}: '{key}')")
    if vrf not in ("default", *_vrfs(tw)):
        raise CommandError(f"VRF {vrf} does not exist", code=1000)
    try:
        size, count = int(opts.get("size", 100)), int(opts.get("repeat", 5))
        wait = int(opts.get("timeout", 2))
        addr = ipaddress.ip_address(dest)
    except ValueError:
        return _ping_reply(f"ping: {dest}: Name or service not known\n", fmt)
    if not await _routable(tw, addr):
        return _ping_reply("connect: Network is unreachable\n", fmt)
    argv = [
        "ip",
        "netns",
        "exec",
        tw.frr.netns or "",
        "ping",
        "-n",
        "-c",
        str(min(max(count, 1), 100)),
        "-s",
        str(max(size - 28, 0)),
        "-W",
        str(min(max(wait, 1), 30)),
    ]
    if src := opts.get("source") or opts.get("interface"):
        argv += ["-I", _linux_if(src)]
    if df:
        argv += ["-M", "do"]
    _, out, err = await run(*argv, str(addr), timeout=count * (wait + 1) + 5)
    return _ping_reply(out or err, fmt)


def _ping_reply(text: str, fmt: str) -> Any:
    # EOS's JSON form of ping carries the text as one message
    return {"messages": [text]} if fmt == "json" else text


def _vrfs(tw: EosTwin) -> list[str]:
    return [v.group(1) for v in _lines(tw, r"vrf instance (\S+)")]


def _linux_if(name: str) -> str:
    """An EOS interface name as the node's kernel knows it (addresses pass through)."""
    from fabric.vendors.eos.twin.names import to_linux

    return to_linux(name) or name


async def _routable(tw: EosTwin, addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A route more specific than a default covers ``addr`` in the node's kernel table."""
    routes = await tw.frr.ip_json("route", "show") or []
    for r in routes:
        dst = str(r.get("dst", ""))
        if dst == "default":
            continue
        net = ipaddress.ip_network(dst if "/" in dst else f"{dst}/{addr.max_prefixlen}", strict=False)
        if net.version == addr.version and addr in net:
            return True
    return False


async def cli_vrf(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    """``cli vrf V`` (NAPALM sends it before a ping): the twin's VRFs share one kernel table."""
    if m.group(1) not in ("default", *_vrfs(tw)):
        raise CommandError(f"VRF {m.group(1)} does not exist", code=1000)
    return ""


EXEC: list[tuple[re.Pattern[str], Handler]] = [
    (re.compile(r"ping .+"), ping),
    (re.compile(r"cli vrf (\S+)"), cli_vrf),
    (re.compile(r"dir(?: (\S+))?"), dir_flash),
]
