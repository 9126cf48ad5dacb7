"""Declarative checks of collected state against intent (in the spirit of ANTA).

Each check class declares the state section it reads, the items it generates from
a device's intent, and how one item is tested. The runner turns every item into
exactly one :class:`CheckResult` (pass/fail/error/skip) with expected, actual and
a reason an engineer would write, correlating the peer device's state where that
explains a failure (interface down, AS mismatch seen from the other side).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from pydantic import BaseModel

from fabric.model import DeviceIntent, Fabric, InterfaceIntent
from fabric.platforms import PLATFORMS, port_index
from fabric.state.model import BgpSession, DeviceState, FabricState, InterfaceState

Status = Literal["pass", "fail", "error", "skip"]


class CheckResult(BaseModel):
    device: str
    check: str
    item: str
    status: Status
    expected: Any = None
    actual: Any = None
    reason: str = ""

    @property
    def id(self) -> str:
        return f"{self.device}::{self.check}::{self.item}"


@dataclass
class CheckSettings:
    min_prefixes: int = 1  # per fabric BGP peer, accepted
    max_prefixes: int | None = None
    checks: tuple[str, ...] | None = None  # only these check names (None: all)
    skip_checks: tuple[str, ...] = ()
    mgmt_interfaces: tuple[str, ...] = ("eth0", "Management0", "Management1", "mgmt0")


@dataclass
class Context:
    fabric: Fabric | None
    state: FabricState
    settings: CheckSettings = field(default_factory=CheckSettings)
    _sessions: dict[str, tuple[list[BgpSession], dict[str, BgpSession]]] = field(default_factory=dict)

    def intent(self, name: str) -> DeviceIntent | None:
        return self.fabric.devices.get(name) if self.fabric else None

    def dev_state(self, name: str) -> DeviceState | None:
        return self.state.devices.get(name)

    def session(self, st: DeviceState, peer: str) -> BgpSession | None:
        """The device's default-VRF BGP session to ``peer`` (None: not in its state). Indexed once per
        device: a spine's check asks for each of its peers, which was one scan of every session each."""
        index = self._sessions.get(st.host)
        if index is None or index[0] is not st.bgp:
            by_peer = {x.peer: x for x in reversed(st.bgp) if x.vrf == "default"}  # the first one wins
            index = self._sessions[st.host] = (st.bgp, by_peer)
        return index[1].get(peer)


Outcome = tuple[Status, Any, str]  # status, actual, reason


class Check:
    name: ClassVar[str]
    section: ClassVar[str]
    description: ClassVar[str]

    @classmethod
    def reads(cls) -> tuple[str, ...]:
        """The state sections the check needs collected (its own; a few read more)."""
        return (cls.section,)

    def items(self, dev: DeviceIntent, ctx: Context) -> Iterable[tuple[str, Any, Any]]:
        """(item id, expected, extra data for test) per item; expected is shown in reports."""
        return []

    def test(
        self, dev: DeviceIntent, st: DeviceState, item: str, expected: Any, data: Any, ctx: Context
    ) -> Outcome:
        raise NotImplementedError


CHECKS: list[Check] = []


def register(cls: type[Check]) -> type[Check]:
    CHECKS.append(cls())
    return cls


# ------------------------------------------------------------------ naming helpers
def short(host: str | None) -> str:
    return (host or "").split(".")[0].lower()


def iface_problem(st: DeviceState | None, name: str | None) -> str | None:
    """'interface Ethernet1 down' style cause, when the state shows one."""
    if st is None or not name or st.section_error("interfaces"):
        return None
    i = st.interfaces.get(name)
    if i is None:
        return f"interface {name} missing"
    if not i.admin_up:
        return f"interface {name} admin down"
    if not i.oper_up:
        return f"interface {name} down"
    return None


def peer_session(peer_st: DeviceState | None, our_ips: set[str]) -> BgpSession | None:
    if peer_st is None:
        return None
    for s in peer_st.bgp:
        if s.peer in our_ips:
            return s
    return None


def our_addresses(dev: DeviceIntent) -> set[str]:
    return {i.ipv4.split("/")[0] for i in dev.interfaces if i.ipv4}


# ------------------------------------------------------------------ checks
@register
class InterfaceCheck(Check):
    name = "interface"
    section = "interfaces"
    description = "fabric interfaces admin/oper up with the intended MTU and address"

    def items(self, dev: DeviceIntent, ctx: Context) -> Iterable[tuple[str, Any, Any]]:
        for i in dev.interfaces:
            exp: dict[str, Any] = {"admin": "up", "oper": "up"}
            if i.kind == "p2p" and i.mtu:
                exp["mtu"] = i.mtu
            if i.ipv4:
                exp["ipv4"] = i.ipv4
            yield i.name, exp, i

    def test(
        self, dev: DeviceIntent, st: DeviceState, item: str, expected: Any, data: Any, ctx: Context
    ) -> Outcome:
        i: InterfaceState | None = st.interfaces.get(item)
        if i is None:
            return "fail", None, f"{item} does not exist on the device"
        actual = {
            "admin": "up" if i.admin_up else "down",
            "oper": "up" if i.oper_up else "down",
            "mtu": i.mtu,
            "ipv4": [a for a in i.addresses if ":" not in a],
        }
        problems = []
        if not i.admin_up:
            problems.append(f"{item} admin down")
        elif not i.oper_up:
            problems.append(f"{item} oper down (admin up)" + _far_end(dev, item, ctx))
        if "mtu" in expected and i.mtu is not None and i.mtu != expected["mtu"]:
            problems.append(f"{item} MTU {i.mtu}, intended {expected['mtu']}")
        if "ipv4" in expected and not st.errors.get("addresses") and expected["ipv4"] not in i.addresses:
            have = ", ".join(a for a in i.addresses if ":" not in a) or "none"
            problems.append(f"{item} lacks {expected['ipv4']} (has {have})")
        return ("fail" if problems else "pass"), actual, "; ".join(problems)


def _intf(dev: DeviceIntent, name: str) -> InterfaceIntent | None:
    return next((i for i in dev.interfaces if i.name == name), None)


def _far_end(dev: DeviceIntent, ifname: str, ctx: Context) -> str:
    intf = _intf(dev, ifname)
    if not intf or not intf.peer:
        return ""
    pst = ctx.dev_state(intf.peer)
    cause = iface_problem(pst, intf.peer_interface)
    return f": far end {intf.peer} {cause.replace('interface ', '')}" if cause else ""


@register
class LldpCheck(Check):
    name = "lldp_neighbor"
    section = "lldp"
    description = "LLDP neighbors match the cabling plan"

    def items(self, dev: DeviceIntent, ctx: Context) -> Iterable[tuple[str, Any, Any]]:
        if not dev.lldp:
            return
        for i in dev.interfaces:
            if i.kind == "p2p" and i.peer:
                yield i.name, f"{i.peer} {i.peer_interface}", i

    def test(
        self, dev: DeviceIntent, st: DeviceState, item: str, expected: Any, data: Any, ctx: Context
    ) -> Outcome:
        nbrs = [n for n in st.lldp if n.local_port == item]
        want_port = port_index(data.peer_interface)
        if not nbrs:
            cause = iface_problem(st, item)
            return (
                "fail",
                None,
                (
                    f"{item}: no LLDP neighbor, cabling plan says {expected}"
                    + (f" ({cause})" if cause else "")
                ),
            )
        seen = []
        for n in nbrs:
            idx = port_index(n.remote_port) or port_index(n.remote_port_description)
            if short(n.remote_system) == short(data.peer) and idx == want_port:
                return "pass", f"{n.remote_system} {n.remote_port}", ""
            seen.append(_display(n.remote_system, n.remote_port, idx, ctx))
        return (
            "fail",
            "; ".join(seen),
            f"{dev.hostname} {item}: LLDP sees {', '.join(seen)}, cabling plan says {expected}",
        )


def _display(system: str, port: str, idx: int | None, ctx: Context) -> str:
    """Show the remote port in the remote device's own naming when we know its platform."""
    remote = ctx.intent(short(system))
    if remote is not None and idx is not None:
        port = PLATFORMS[remote.platform].interface(idx)
    return f"{short(system) or '?'} {port}"


@register
class BgpSessionCheck(Check):
    name = "bgp_session"
    section = "bgp"
    description = "every intended BGP session exists, is Established, with the intended peer AS"

    def items(self, dev: DeviceIntent, ctx: Context) -> Iterable[tuple[str, Any, Any]]:
        for n in dev.bgp.neighbors if dev.bgp else []:
            yield n.ip, {"state": "Established", "peer_as": n.peer_as, "peer": n.peer}, n

    def test(
        self, dev: DeviceIntent, st: DeviceState, item: str, expected: Any, data: Any, ctx: Context
    ) -> Outcome:
        s = ctx.session(st, item)
        if s is None:
            return (
                "fail",
                None,
                f"no BGP session to {item} configured (intent: {data.peer} AS {data.peer_as})",
            )
        actual = {"state": s.state, "peer_as": s.peer_as}
        if s.peer_as is not None and s.peer_as != data.peer_as:
            return (
                "fail",
                actual,
                f"peer {item}: remote AS mismatch (configured {s.peer_as}, intent {data.peer_as})",
            )
        if s.established:
            return "pass", actual, ""
        return "fail", actual, f"peer {item} {s.state}: {bgp_cause(dev, st, s, data, ctx)}"


def bgp_cause(dev: DeviceIntent, st: DeviceState, s: BgpSession, nbr: Any, ctx: Context) -> str:
    if not s.enabled:
        return "administratively shut down"
    cause = iface_problem(st, nbr.interface)
    if cause:
        return cause
    pst = ctx.dev_state(nbr.peer)
    peer_intent = ctx.intent(nbr.peer)
    if pst is not None and pst.error:
        return f"{nbr.peer} unreachable for collection ({pst.error[:80]})"
    if pst is not None and pst.errors.get("bgp") and "not running" in pst.errors["bgp"]:
        return f"BGP not running on {nbr.peer}"
    ps = peer_session(pst, our_addresses(dev) | ({dev.router_id} if dev.router_id else set()))
    if ps is not None:
        if ps.peer_as is not None and s.local_as is not None and ps.peer_as != s.local_as:
            return f"{nbr.peer} expects AS {ps.peer_as} from us, we are AS {s.local_as}"
        if ps.local_as is not None and s.peer_as is not None and ps.local_as != s.peer_as:
            return f"remote AS mismatch (configured {s.peer_as}, peer says {ps.local_as})" + (
                f" — {s.last_error}" if s.last_error else ""
            )
        if not ps.enabled:
            return f"{nbr.peer} has the session administratively shut down"
    elif pst is not None and not pst.section_error("bgp") and peer_intent is not None:
        return f"{nbr.peer} has no BGP session configured towards us"
    if nbr.interface is None and not _igp_up(st):
        return "no route to peer (no IGP adjacency up)"
    if s.last_error:
        return s.last_error
    if pst is not None and not pst.section_error("interfaces") and peer_intent is not None:
        far = next((i for i in peer_intent.interfaces if i.ipv4 and i.ipv4.split("/")[0] == nbr.ip), None)
        if far is not None:
            cause = iface_problem(pst, far.name)
            if cause:
                return f"{nbr.peer} {cause}"
    return "no reason reported by the device"


def _igp_up(st: DeviceState) -> bool:
    return any(n.state == "Full" for n in st.ospf) or any(a.state == "Up" for a in st.isis)


@register
class BgpPrefixCheck(Check):
    name = "bgp_prefixes"
    section = "bgp"
    description = "prefixes accepted from each fabric peer within bounds"

    def items(self, dev: DeviceIntent, ctx: Context) -> Iterable[tuple[str, Any, Any]]:
        lo, hi = ctx.settings.min_prefixes, ctx.settings.max_prefixes
        for n in dev.bgp.neighbors if dev.bgp else []:
            yield n.ip, {"min": lo, "max": hi} if hi is not None else {"min": lo}, n

    def test(
        self, dev: DeviceIntent, st: DeviceState, item: str, expected: Any, data: Any, ctx: Context
    ) -> Outcome:
        s = ctx.session(st, item)
        if s is None or not s.established:
            return "skip", None, f"session to {item} not Established"
        counts = s.prefixes.get("ipv4-unicast")
        got = (
            counts.accepted
            if counts and counts.accepted is not None
            else (counts.received if counts else None)
        )
        if got is None:
            return "error", None, "the device reports no prefix counters"
        if got < expected["min"]:
            return (
                "fail",
                got,
                f"peer {item} ({data.peer}): {got} prefixes accepted, expected at least {expected['min']}",
            )
        if expected.get("max") is not None and got > expected["max"]:
            return (
                "fail",
                got,
                f"peer {item} ({data.peer}): {got} prefixes accepted, more than {expected['max']}",
            )
        return "pass", got, ""


@register
class OspfCheck(Check):
    name = "ospf_neighbor"
    section = "ospf"
    description = "every intended OSPF neighbor is Full"

    def items(self, dev: DeviceIntent, ctx: Context) -> Iterable[tuple[str, Any, Any]]:
        if not dev.ospf:
            return
        for ifname, intf, peer in _igp_links(dev, dev.ospf.interfaces, "ospf", ctx):
            yield (
                ifname,
                {
                    "state": "Full",
                    "router_id": peer.router_id if peer else None,
                    "peer": intf.peer if intf else None,
                    "area": _area(dev.ospf.area),
                },
                intf,
            )

    def test(
        self, dev: DeviceIntent, st: DeviceState, item: str, expected: Any, data: Any, ctx: Context
    ) -> Outcome:
        nbrs = [n for n in st.ospf if n.interface == item]
        rid = expected.get("router_id")
        if not nbrs:
            cause = _no_adj_cause(dev, st, item, expected.get("peer"), "ospf", ctx)
            return (
                "fail",
                None,
                f"no OSPF neighbor on {item} (expected {expected.get('peer')} {rid})"
                + (f": {cause}" if cause else ""),
            )
        n = next((x for x in nbrs if rid is None or x.router_id == rid), nbrs[0])
        actual = {"state": n.state, "router_id": n.router_id, "area": _area(n.area)}
        if rid is not None and n.router_id != rid:
            return (
                "fail",
                actual,
                f"OSPF neighbor on {item} is {n.router_id}, expected {expected['peer']} {rid}",
            )
        if n.state != "Full":
            return "fail", actual, f"OSPF neighbor {n.router_id} on {item} is {n.state}, not Full"
        if actual["area"] and expected.get("area") and actual["area"] != expected["area"]:
            return (
                "fail",
                actual,
                f"OSPF neighbor {n.router_id} on {item} is in area {actual['area']}, "
                f"intent says {expected['area']}",
            )
        return "pass", actual, ""


def _area(area: Any) -> str | None:
    """OSPF area as dotted quad (intent and EOS may say 0, FRR says 0.0.0.0)."""
    if area is None or area == "":
        return None
    text = str(area).split()[0]
    if text.isdigit():
        n = int(text)
        return ".".join(str((n >> s) & 255) for s in (24, 16, 8, 0))
    return text


def _igp_links(
    dev: DeviceIntent, ifnames: Iterable[str], section: str, ctx: Context
) -> Iterator[tuple[str, InterfaceIntent | None, DeviceIntent | None]]:
    """(ifname, its intent, peer's intent) per IGP interface; skips peers not running `section`."""
    for ifname in ifnames:
        intf = _intf(dev, ifname)
        peer = ctx.intent(intf.peer) if intf and intf.peer else None
        if peer is not None and getattr(peer, section) is None:
            continue
        yield ifname, intf, peer


def _no_adj_cause(
    dev: DeviceIntent, st: DeviceState, ifname: str, peer: str | None, section: str, ctx: Context
) -> str:
    """Why there is no IGP neighbor on `ifname`: local link, far end, or peer's collection."""
    return (
        iface_problem(st, ifname)
        or _far_end(dev, ifname, ctx).lstrip(": ")
        or _peer_proto(peer, section, ctx)
    )


def _peer_proto(peer: str | None, section: str, ctx: Context) -> str:
    pst = ctx.dev_state(peer) if peer else None
    if pst is None:
        return ""
    if pst.error:
        return f"{peer} unreachable for collection"
    err = pst.errors.get(section)
    return f"{peer}: {err}" if err else ""


_LEVEL = {"level-1": 1, "level-2": 2, "level-1-2": "1-2"}


@register
class IsisCheck(Check):
    name = "isis_adjacency"
    section = "isis"
    description = "every intended IS-IS adjacency is Up at the intended level"

    def items(self, dev: DeviceIntent, ctx: Context) -> Iterable[tuple[str, Any, Any]]:
        if not dev.isis:
            return
        for ifname, intf, _peer in _igp_links(dev, dev.isis.interfaces, "isis", ctx):
            yield (
                ifname,
                {"state": "Up", "level": _LEVEL[dev.isis.level], "peer": intf.peer if intf else None},
                intf,
            )

    def test(
        self, dev: DeviceIntent, st: DeviceState, item: str, expected: Any, data: Any, ctx: Context
    ) -> Outcome:
        adjs = [a for a in st.isis if a.interface == item]
        if not adjs:
            cause = _no_adj_cause(dev, st, item, expected.get("peer"), "isis", ctx)
            return (
                "fail",
                None,
                f"no IS-IS adjacency on {item} (expected {expected.get('peer')})"
                + (f": {cause}" if cause else ""),
            )
        want = expected["level"]
        levels = {a.level for a in adjs if a.state.lower() == "up"}
        actual = {
            "state": ",".join(sorted({a.state for a in adjs})),
            "level": sorted(map(str, {a.level for a in adjs})),
        }
        ok_level = want in levels or (want == "1-2" and {1, 2} <= levels) or ("1-2" in levels)
        if not levels:
            return "fail", actual, f"IS-IS adjacency on {item} is {actual['state']}, not Up"
        if not ok_level:
            return (
                "fail",
                actual,
                f"IS-IS adjacency on {item} is Up at level {sorted(map(str, levels))}, intent level {want}",
            )
        names = {short(a.hostname) for a in adjs if a.hostname}
        if expected.get("peer") and names and short(expected["peer"]) not in names:
            return (
                "fail",
                actual,
                f"IS-IS adjacency on {item} is with {', '.join(sorted(names))}, expected {expected['peer']}",
            )
        return "pass", actual, ""


# ------------------------------------------------------------------ generic checks (state-driven items)
class GenericCheck(Check):
    """Items come from the state, not the intent; also used with no intent at all (plain labs)."""

    def state_items(self, dev: DeviceIntent | None, st: DeviceState, ctx: Context) -> list[CheckResult]:
        raise NotImplementedError


@register
class BgpUnexpectedCheck(GenericCheck):
    name = "bgp_peer"
    section = "bgp"
    description = "no configured BGP peer left down, no BGP peer outside the intent"

    def state_items(self, dev: DeviceIntent | None, st: DeviceState, ctx: Context) -> list[CheckResult]:
        intended = {n.ip for n in dev.bgp.neighbors} if dev and dev.bgp else set()
        out = []
        for s in st.bgp:
            if s.vrf == "default" and s.peer in intended:
                continue
            if dev is not None:
                status: Status = "fail"
                reason = f"unexpected BGP peer {s.key} (AS {s.peer_as}, {s.state}): not in the intent"
            elif s.established or not s.enabled:
                status, reason = "pass", ""
            else:
                status, reason = (
                    "fail",
                    f"configured peer {s.key} (AS {s.peer_as}) is {s.state}"
                    + (f": {s.last_error}" if s.last_error else ""),
                )
            out.append(
                CheckResult(
                    device=st.host,
                    check=self.name,
                    item=s.key,
                    status=status,
                    expected="absent" if dev is not None else "Established",
                    actual=s.state,
                    reason=reason,
                )
            )
        return out


@register
class UnexpectedNeighborCheck(GenericCheck):
    name = "unexpected_neighbor"
    section = "lldp"
    description = "no OSPF/IS-IS/LLDP neighbor on an interface where the intent has none"

    @classmethod
    def reads(cls) -> tuple[str, ...]:
        return ("lldp", "ospf", "isis")  # every protocol's neighbours, not only LLDP's

    def state_items(self, dev: DeviceIntent | None, st: DeviceState, ctx: Context) -> list[CheckResult]:
        if dev is None:
            return []
        mgmt = set(ctx.settings.mgmt_interfaces)
        out = []
        cabled = {i.name for i in dev.interfaces if i.peer}
        ospf_ifs = set(dev.ospf.interfaces) if dev.ospf else set()
        isis_ifs = set(dev.isis.interfaces) if dev.isis else set()
        for proto, nbrs, allowed, err in (
            (
                "lldp",
                [(n.local_port, f"{n.remote_system} {n.remote_port}") for n in st.lldp],
                cabled,
                st.section_error("lldp"),
            ),
            ("ospf", [(n.interface, n.router_id) for n in st.ospf], ospf_ifs, st.section_error("ospf")),
            (
                "isis",
                [(a.interface, a.hostname or a.system_id or "?") for a in st.isis],
                isis_ifs,
                st.section_error("isis"),
            ),
        ):
            if err:
                continue
            for ifname, who in nbrs:
                if ifname in allowed or ifname in mgmt:
                    continue
                out.append(
                    CheckResult(
                        device=st.host,
                        check=self.name,
                        item=f"{proto}:{ifname}",
                        status="fail",
                        expected="no neighbor",
                        actual=who,
                        reason=f"unexpected {proto.upper()} neighbor {who} on {ifname}",
                    )
                )
        return out


def duplicate_router_ids(state: FabricState) -> dict[str, list[str]]:
    owners: dict[str, set[str]] = defaultdict(set)
    for name, st in state.devices.items():
        for rid in (st.bgp_router_id, st.ospf_router_id):
            if rid and rid != "0.0.0.0":
                owners[rid].add(name)
    return {rid: sorted(devs) for rid, devs in owners.items() if len(devs) > 1}


# ------------------------------------------------------------------ runner
def selected(name: str, settings: CheckSettings) -> bool:
    """Whether check ``name`` runs under ``settings`` (its --checks / --skip-checks)."""
    if settings.checks is not None and name not in settings.checks:
        return False
    return name not in settings.skip_checks


def run_checks(
    state: FabricState,
    fabric: Fabric | None = None,
    hosts: Iterable[str] | None = None,
    settings: CheckSettings | None = None,
) -> list[CheckResult]:
    """Evaluate every check for every device of ``state`` (limited to ``hosts``)."""
    ctx = Context(fabric=fabric, state=state, settings=settings or CheckSettings())
    names = sorted(set(hosts) if hosts else set(state.devices) | (set(fabric.devices) if fabric else set()))
    dups = duplicate_router_ids(state)
    results: list[CheckResult] = []
    for name in names:
        dev = ctx.intent(name)
        st = state.devices.get(name)
        if st is None:
            results.append(
                CheckResult(
                    device=name,
                    check="collection",
                    item="state",
                    status="error",
                    reason="no state collected for this device",
                )
            )
            continue
        if st.error:
            results.append(
                CheckResult(device=name, check="collection", item="state", status="error", reason=st.error)
            )
        for check in CHECKS:
            if not selected(check.name, ctx.settings):
                continue
            if isinstance(check, GenericCheck):
                if st.error or st.section_error(check.section):
                    continue
                results.extend(check.state_items(dev, st, ctx))
                continue
            if dev is None:
                continue
            for item, expected, data in check.items(dev, ctx):
                err = st.section_error(check.section)
                if err:
                    results.append(
                        CheckResult(
                            device=name,
                            check=check.name,
                            item=item,
                            status="error",
                            expected=expected,
                            reason=f"{check.section} not collected: {err}",
                        )
                    )
                    continue
                try:
                    status, actual, reason = check.test(dev, st, item, expected, data, ctx)
                except Exception as exc:  # noqa: BLE001 - a check bug is an error result, not a crash
                    status, actual, reason = "error", None, f"check failed: {exc.__class__.__name__}: {exc}"
                results.append(
                    CheckResult(
                        device=name,
                        check=check.name,
                        item=item,
                        status=status,
                        expected=expected,
                        actual=actual,
                        reason=reason,
                    )
                )
        if selected("router_id", ctx.settings) and not st.error:
            rid = st.bgp_router_id or st.ospf_router_id or (dev.router_id if dev else None)
            if rid:
                others = [d for d in dups.get(rid, []) if d != name]
                intended = dev.router_id if dev else None
                rstatus: Status = "pass"
                rreason = ""
                if others:
                    rstatus, rreason = "fail", f"router-id {rid} is also used by {', '.join(others)}"
                elif intended and (st.bgp_router_id or st.ospf_router_id) and rid != intended:
                    rstatus, rreason = "fail", f"router-id {rid}, intended {intended}"
                results.append(
                    CheckResult(
                        device=name,
                        check="router_id",
                        item=intended if intended else rid,
                        status=rstatus,
                        expected=intended or "unique",
                        actual=rid,
                        reason=rreason,
                    )
                )
    return results


def summary(results: Iterable[CheckResult]) -> dict[str, int]:
    out = {"pass": 0, "fail": 0, "error": 0, "skip": 0}
    for r in results:
        out[r.status] += 1
    return out
