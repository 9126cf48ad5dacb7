"""Junos rollout driver: NETCONF with ncclient's junos device handler and Junos's own RPCs.

The change goes into the candidate with ``load-configuration`` (merge, or ``override`` for a full
replace: Junos's ``replace`` only replaces elements tagged ``replace:``), then ``commit-configuration``
with ``<confirmed/>`` and ``<confirm-timeout>`` in MINUTES: the device rolls back by itself unless a
second commit confirms it.  Every commit carries the rollout token in its log, which is how
``timer_state`` and ``rollback`` tell our commit from the device's own timer revert.

Gate facts come from Junos's operational RPCs (BGP summary, interfaces, route summary, IS-IS and OSPF
adjacencies). Tested against the Junos twin's NETCONF server (tests/vendors/junos/test_driver.py) and
in rollouts with a Junos canary on the junos-dc lab (tests/vendors/junos/test_lab_rollout.py).
"""

from __future__ import annotations

import math
import re
from typing import Any
from xml.sax.saxutils import escape

from fabric.rollout.drivers import DriverError, _NetconfDriver

_PENDING = re.compile(r"commit confirmed, rollback in")


def junos_commit_rpc(timeout: int, confirm: bool = False, log: str = "") -> str:
    """Junos ``commit confirmed`` over NETCONF: Junos counts the timeout in MINUTES (rounded up)."""
    log_el = f"<log>{escape(log)}</log>" if log else ""
    if confirm:
        return f"<commit-configuration>{log_el}</commit-configuration>" if log else "<commit-configuration/>"
    minutes = max(1, math.ceil(timeout / 60))
    return (
        f"<commit-configuration><confirmed/><confirm-timeout>{minutes}</confirm-timeout>{log_el}"
        "</commit-configuration>"
    )


class JunosDriver(_NetconfDriver):
    platform = "junos"
    netconf_device = "junos"

    def _rpc(self, xml: str, warnings_ok: bool = False) -> Any:
        from ncclient.operations.rpc import RPCError
        from ncclient.xml_ import to_ele

        try:
            return self._mgr().dispatch(to_ele(xml))
        except RPCError as exc:
            errors = getattr(exc, "errors", None) or [exc]
            if warnings_ok and all(getattr(e, "severity", "") == "warning" for e in errors):
                # Junos went on with the load (e.g. "statement not found" for a delete of something
                # absent: an undrain of a device that was never drained); ncclient raises for any
                # rpc-error, warnings included
                return None
            raise DriverError(f"{self.t.name}: {exc.message or exc}") from None

    def _load(self, candidate: str, mode: str) -> None:
        """The change into the (locked) candidate: merge, or override for a full replace."""
        action = "merge" if mode == "merge" else "override"
        lines = [ln.split()[0] for ln in candidate.splitlines() if ln.strip()]
        verbs = ("set", "delete", "activate", "deactivate")
        fmt = "set" if lines and all(w in verbs for w in lines) else "text"
        tag = "configuration-set" if fmt == "set" else "configuration-text"
        self._rpc(f'<load-configuration action="{"set" if fmt == "set" else action}" format="{fmt}">'
                  f"<{tag}>{escape(candidate)}</{tag}></load-configuration>", warnings_ok=True)

    def running(self) -> str:
        reply = self._rpc('<get-configuration database="committed" format="text"/>')
        text = reply.xpath("//configuration-text")
        return str(text[0].text or "") if text else ""

    def diff(self, candidate: str, mode: str) -> str:
        """``show | compare`` of the candidate against running, then the candidate is discarded."""
        m = self._mgr()
        m.lock(target="candidate")
        try:
            self._load(candidate, mode)
            reply = self._rpc('<get-configuration compare="rollback" rollback="0" format="text"/>')
            out = reply.xpath("//configuration-output")
            return str(out[0].text or "").strip() if out else ""
        finally:
            self._rpc("<discard-changes/>")
            m.unlock(target="candidate")

    def commit_confirmed(self, candidate: str, mode: str, timeout: int, token: str) -> None:
        m = self._mgr()
        m.lock(target="candidate")
        try:
            self._load(candidate, mode)
            self._rpc(junos_commit_rpc(timeout, log=token))
        except DriverError:
            self._rpc("<discard-changes/>")
            raise
        finally:
            m.unlock(target="candidate")

    def _last_commit(self) -> str:
        """The comment of the latest commit: 'commit confirmed, rollback in N' while one is pending."""
        reply = self._rpc("<get-commit-revision-information/>")
        comment = reply.xpath("//comment")
        return str(comment[0].text or "") if comment else ""

    def timer_state(self, token: str) -> str:
        last = self._last_commit()
        if _PENDING.search(last):
            return "armed"
        if last.startswith(token):
            return "confirmed"
        return "reverted"

    def confirm(self, token: str) -> bool:
        if self.timer_state(token) != "armed":
            return False  # the device rolled back by itself: too late
        self._rpc(junos_commit_rpc(0, confirm=True, log=f"{token} confirmed"))
        return True

    def rollback(self, token: str) -> str:
        state = self.timer_state(token)
        if state == "reverted":
            return "reverted_by_timer"
        m = self._mgr()
        m.lock(target="candidate")
        try:
            self._rpc('<load-configuration rollback="1"/>')
            self._rpc(junos_commit_rpc(0, confirm=True, log=f"{token} rolled back"))
        finally:
            m.unlock(target="candidate")
        return "rolled_back"

    def facts(self) -> dict[str, Any]:
        """Gate facts (see Driver.facts) from Junos's operational RPCs."""
        bgp = self._rpc("<get-bgp-summary-information/>")
        ifs = self._rpc("<get-interface-information><media/></get-interface-information>")
        routes = self._rpc("<get-route-summary-information/>")
        facts = junos_facts(bgp, ifs, routes)
        for rpc, key, tag, field, up in (
                ("<get-isis-adjacency-information/>", "isis", "isis-adjacency", "adjacency-state", "Up"),
                ("<get-ospf-neighbor-information/>", "ospf", "ospf-neighbor", "ospf-neighbor-state", "Full")):
            try:
                reply = self._rpc(rpc)
            except DriverError:  # the protocol is not configured: Junos answers with an error
                continue
            adj = reply.xpath(f"//*[local-name()='{tag}']")
            facts[key] = {"up": sum(_text(a, field) == up for a in adj), "total": len(adj)}
        return facts


def _text(el: Any, name: str) -> str:
    found = el.xpath(f"./*[local-name()='{name}']")
    return str(found[0].text or "").strip() if found else ""


def junos_facts(bgp: Any, ifs: Any, routes: Any) -> dict[str, Any]:
    """Gate facts from the replies of get-bgp-summary-information, get-interface-information and
    get-route-summary-information (lxml elements, any namespace)."""
    peers: dict[str, Any] = {}
    for p in bgp.xpath("//*[local-name()='bgp-peer']"):
        ip = _text(p, "peer-address").split("+", 1)[0]
        up = _text(p, "peer-state") == "Established"
        elapsed = p.xpath("./*[local-name()='elapsed-time']/@*[local-name()='seconds']")
        asn = _text(p, "peer-as")
        peers[ip] = {"up": up, "remote_as": int(asn) if asn.isdigit() else None,
                     "uptime": float(elapsed[0]) if up and elapsed else None}
    detail: dict[str, Any] = {}
    oper: dict[str, bool] = {}
    for i in ifs.xpath("//*[local-name()='physical-interface']"):
        name = _text(i, "name")
        mtu = _text(i, "mtu")
        detail[name] = {"admin_up": _text(i, "admin-status") == "up",
                        "mtu": int(mtu) if mtu.isdigit() else None}
        oper[name] = _text(i, "oper-status") == "up"
    total = routes.xpath("//*[local-name()='route-table'][*[local-name()='table-name']='inet.0']"
                         "/*[local-name()='active-route-count']")
    return {
        "bgp": {ip: p["up"] for ip, p in peers.items()},
        "bgp_peers": peers,
        "routes": int(total[0].text) if total and (total[0].text or "").strip().isdigit() else 0,
        "interfaces": oper,
        "interface_detail": detail,
    }
