"""EOS features the twin does not model, answered as an EOS answers without them: the log buffer (which the
twin does keep), LACP/port-channels, storm-control, PFC/QoS/queue counters, SNMP users/groups/hosts/ACLs,
err-disable recovery, IS-IS graceful restart and segment routing, BGP redistribution, OSPF instance
detail, `show ip`. Commands tied to an ASIC or a chassis (Trident/Sand tables, FAP mapping, PCIe,
modules, supervisor redundancy, TCAM capacity, PHY detail, DOM thresholds, queue drops) get cEOS-lab's
own error, "Unavailable command (not supported on this hardware platform)", which ANTA reads as
"not supported" and skips.
"""

from __future__ import annotations

import copy
import re
import time
from typing import TYPE_CHECKING, Any

from fabric.vendors.eos.twin.session import CommandError, Handler

if TYPE_CHECKING:
    from fabric.vendors.eos.twin.twin import EosTwin

SEVERITIES = (
    "emergencies",
    "alerts",
    "critical",
    "errors",
    "warnings",
    "notifications",
    "informational",
    "debugging",
)
_MNEMONIC = ("EMERG", "ALERT", "CRIT", "ERR", "WARNING", "NOTICE", "INFO", "DEBUG")
_UNIT_S = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
LOG_BUFFER = 1000  # entries the twin keeps, as EOS's default `logging buffered 32000` keeps the newest


def _buffer(tw: EosTwin) -> list[tuple[float, int, str]]:
    """(time, severity, line) entries of the node's log buffer, oldest first."""
    buf: list[tuple[float, int, str]] = tw.__dict__.setdefault("log_buffer", [])
    return buf


def log(tw: EosTwin, severity: int, facility: str, mnemonic: str, text: str) -> None:
    buf = _buffer(tw)
    now = time.time()
    stamp = time.strftime("%b %d %H:%M:%S", time.localtime(now))
    buf.append((now, severity, f"{stamp} {tw.hostname} {facility}: %{mnemonic}: {text}"))
    del buf[:-LOG_BUFFER]


async def send_log(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    """``send log [level SEV] message TEXT``: a message into the node's log, as EOS records it."""
    sev = SEVERITIES.index(m.group(1).lower()) if m.group(1) else 6
    log(
        tw,
        sev,
        "ConfigAgent",
        f"SYS-{sev}-LOGMSG_{_MNEMONIC[sev]}",
        f"Message from admin on command-api: {m.group(2)}",
    )
    return ""


async def show_log(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    """``show logging [threshold] [N | last N UNIT] [SEVERITY] [last N UNIT]``: buffer entries at SEVERITY
    or worse, the newest N or those of the last N UNITs."""
    words = m.group(1).split()
    threshold = bool(words) and words[0] == "threshold"
    words = words[1:] if threshold else words
    sev, count, since = 7, None, 0.0
    while words:
        w = words.pop(0)
        if w.isdigit():
            count = int(w)
        elif w in SEVERITIES:
            sev = SEVERITIES.index(w)
        elif w == "last" and len(words) >= 2 and words[0].isdigit() and words[1] in _UNIT_S:
            since = time.time() - int(words[0]) * _UNIT_S[words[1]]
            words = words[2:]
        else:
            raise CommandError(f"Invalid input (at token 2: '{w}')")
    return buffered(tw, sev, count, since)


def buffered(tw: EosTwin, sev: int = 7, count: int | None = None, since: float = 0.0) -> str:
    """The log buffer's lines at severity ``sev`` or worse, newer than ``since``, the last ``count``."""
    lines = [ln for t, s, ln in _buffer(tw) if s <= sev and t >= since]
    if count is not None:
        lines = lines[-count:]
    return "".join(ln + "\n" for ln in lines)


async def aaa_accounting_logs(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    return ""  # no `aaa accounting` in the golden configs: nothing is recorded


_ERRDISABLE = (
    "acl",
    "arp-inspection",
    "bpduguard",
    "dot1x",
    "hitless-reload-down",
    "lacp-rate-limit",
    "link-flap",
    "no-internal-vlan",
    "portchannelguard",
    "portsec",
    "speed-misconfigured",
    "tapagg",
    "uplink-failure-detection",
    "xcvr-misconfigured",
    "xcvr-overheat",
    "xcvr-power-unsupported",
    "xcvr-unsupported",
)


async def errdisable_recovery(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    rows = [
        "Errdisable Reason              Timer Status   Timer Interval",
        "------------------------------ ----------------- --------------",
    ]
    rows += [f"{r:<30} {'Disabled':<17} {300:>14}" for r in _ERRDISABLE]  # EOS's defaults
    return "\n".join(rows) + "\n"


async def show_ip(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    return {
        "v4RoutingEnabled": tw.device().ip_routing,
        "v6RoutingEnabled": False,
        "vrrpIntfs": 0,
        "v6IntfForwarding": False,
        "multicastRouting": {"ipMulticastEnabled": False, "ip6MulticastEnabled": False},
        "v6EcmpInfo": {"v6EcmpRouteSupport": True},
    }


async def ospf_instance(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    """``show ip ospf``: the instance, its router-id and LSA limit from the config, LSA count from FRR."""
    dev = tw.device()
    if not dev.ospf:
        return {"vrfs": {}}
    data = await tw.frr.show_json("show ip ospf json") or {}
    inst = {
        "instanceId": int(dev.ospf.pid) if dev.ospf.pid.isdigit() else 1,
        "routerId": data.get("routerId", dev.ospf.router_id or ""),
        "maxLsaInformation": {"maxLsa": dev.ospf.max_lsa or 12000, "maxLsaThreshold": 75},
        "lsaInformation": {
            "numLsa": int(data.get("lsaExternalCounter", 0))
            + sum(int(a.get("lsaNumber", 0)) for a in (data.get("areas") or {}).values())
        },
    }
    return {"vrfs": {"default": {"instList": {dev.ospf.pid: inst}}}}


_REDIST = {"connected": "Connected", "static": "Static", "ospf": "OSPF Internal", "isis": "IS-IS"}


async def bgp_instance(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    """``show bgp instance vrf all``: the redistribution of each address family, from the config."""
    dev = tw.device()
    if not dev.bgp:
        return {"vrfs": {}}
    routes = []
    for r in dev.bgp.redistribute:
        w = r.split()
        entry: dict[str, Any] = {"proto": _REDIST.get(w[0], w[0].capitalize())}
        if "route-map" in w:
            entry["routeMap"] = w[w.index("route-map") + 1]
        routes.append(entry)
    return {"vrfs": {"default": {"afiSafiConfig": {"v4u": {"redistributedRoutes": routes}}}}}


async def isis_graceful_restart(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    dev = tw.device()
    if not dev.isis:
        return {"vrfs": {}}
    inst = {dev.isis.tag: {"gracefulRestart": "disabled", "gracefulRestartHelper": "enabled"}}  # EOS defaults
    return {"vrfs": {"default": {"isisInstances": inst}}}


def _const(reply: dict[str, Any]) -> Handler:
    """A handler answering ``reply`` (a fresh copy each time: callers may change what they get)."""

    async def handler(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
        return copy.deepcopy(reply)

    return handler


async def unsupported(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    raise CommandError("Unavailable command (not supported on this hardware platform)", code=1000)


COMMANDS: list[tuple[re.Pattern[str], Handler]] = [
    (re.compile(r"logging((?: \S+)+)"), show_log),
    (re.compile(r"aaa accounting logs"), aaa_accounting_logs),
    (re.compile(r"errdisable recovery"), errdisable_recovery),
    (re.compile(r"ip"), show_ip),
    (re.compile(r"ip ospf"), ospf_instance),
    (re.compile(r"bgp instance(?: vrf \S+)?"), bgp_instance),
    (re.compile(r"isis graceful-restart(?: vrf \S+)?"), isis_graceful_restart),
    (re.compile(r"isis segment-routing(?: adjacency-segments| tunnel)?"), _const({"vrfs": {}})),
    (re.compile(r"port-channel(?: \S+)*"), _const({"portChannels": {}})),
    (re.compile(r"lacp (?:counters all-ports|interface detailed|neighbor)"), _const({"portChannels": {}})),
    (re.compile(r"storm-control"), _const({"interfaces": {}})),
    (re.compile(r"ip virtual-router"), _const({"virtualRouters": []})),
    (re.compile(r"priority-flow-control counters"), _const({"interfaceCounters": {}})),
    (re.compile(r"qos interfaces ecn counters queue"), _const({"interfaces": {}})),
    (re.compile(r"interfaces counters queue detail"), _const({"interfaces": {}})),
    (re.compile(r"snmp user"), _const({"usersByVersion": {}})),
    (re.compile(r"snmp group"), _const({"groups": {}})),
    (re.compile(r"snmp notification host"), _const({"hosts": []})),
    (re.compile(r"snmp ipv[46] access-list summary"), _const({"ipAclList": {"aclList": []}})),
    (
        re.compile(
            r"interfaces counters queue drops|interfaces phy detail|interfaces transceiver dom thresholds|"
            r"platform (?:trident|sand|fap)\b.*|pci|module(?: power)?|redundancy status|"
            r"hardware capacity .+|hardware tcam profile"
        ),
        unsupported,
    ),
]
EXEC: list[tuple[re.Pattern[str], Handler]] = [
    (re.compile(r"send log(?: level (\S+))? message (.+)"), send_log),
]
