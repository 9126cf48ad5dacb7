"""NETCONF server of the IOS-XR twin: ``netconf-yang agent ssh`` on port 830.

Framing and hello come from ``fabric.twins.netconf``: XR's hello (``nc:`` prefixed, as XR sends it) offers
base:1.0 and base:1.1, so a 1.1 client gets chunked framing and a 1.0-only client end-of-message framing.

Datastores, as XR does them: ``running`` is read-only (no ``:writable-running``); each NETCONF session's
``candidate`` is that session's own XR target configuration (a ``configure`` session of the commit
database, ``session.py``), so two sessions never see each other's uncommitted edits and ``<commit/>``
commits the session's own target. ``<lock>`` on running or candidate is XR's exclusive configuration
lock (``configure exclusive``): the other sessions may still edit their target but cannot commit.

Models: configuration as CLI text (``Cisco-IOS-XR-cli-cfg``, what NAPALM iosxr_netconf reads and
writes by default) and as XML for the host name and the interfaces (``Cisco-IOS-XR-um-hostname-cfg``,
``Cisco-IOS-XR-um-interface-cfg`` with ``um-if-ip-address-cfg``: description, mtu, shutdown, IPv4
addresses); the Cisco actions ``get-cli-config-diff`` and ``roll-back-configuration*``; the yang-library;
the ``*-oper`` models of ``oper.py`` for ``<get>``. Anything else is an rpc-error, never an empty success.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

from fabric.twins.netconf import (
    BASE10,
    BASE11,
    NC_NS,
    PARSER,
    NetconfTransport,
    child,
    elements,
    hello_xml,
    local,
    subtree,
)
from fabric.vendors.iosxr.twin.config import XR_VERSION, Config, ConfigError, Editor, parse_text

if TYPE_CHECKING:
    from fabric.vendors.iosxr.twin.twin import IosxrTwin

log = logging.getLogger(__name__)

XR = "http://cisco.com/ns/yang/"
CLI_NS = XR + "Cisco-IOS-XR-cli-cfg"
DIFF_NS = XR + "Cisco-IOS-XR-cli-diff-act"
ROLLBACK_NS = XR + "Cisco-IOS-XR-cfgmgr-rollback-act"
HOSTNAME_NS = XR + "Cisco-IOS-XR-um-hostname-cfg"
IF_NS = XR + "Cisco-IOS-XR-um-interface-cfg"
IFADDR_NS = XR + "Cisco-IOS-XR-um-if-ip-address-cfg"
YLIB_NS = "urn:ietf:params:xml:ns:yang:ietf-yang-library"

# The YANG modules this twin serves, with the revisions XR 24.1.1 (vendor/cisco/xr/2411 in
# YangModels/yang) advertises. invmgr-oper is not in the XRd list but is on XRv9k and NAPALM's get_facts
# reads it; the ietf ones are the yang-library and NETCONF itself.
MODULES: tuple[tuple[str, str], ...] = (
    ("Cisco-IOS-XR-cli-cfg", "2019-10-01"),
    ("Cisco-IOS-XR-cli-diff-act", "2019-10-01"),
    ("Cisco-IOS-XR-cfgmgr-rollback-act", "2019-10-01"),
    ("Cisco-IOS-XR-um-hostname-cfg", "2021-04-21"),
    ("Cisco-IOS-XR-um-interface-cfg", "2022-07-11"),
    ("Cisco-IOS-XR-um-if-ip-address-cfg", "2022-07-11"),
    ("Cisco-IOS-XR-shellutil-oper", "2019-04-05"),
    ("Cisco-IOS-XR-pfi-im-cmd-oper", "2022-11-15"),
    ("Cisco-IOS-XR-invmgr-oper", "2019-04-05"),
    ("Cisco-IOS-XR-ethernet-lldp-oper", "2022-11-08"),
    ("Cisco-IOS-XR-ipv4-bgp-oper", "2024-01-31"),
    ("Cisco-IOS-XR-clns-isis-oper", "2023-06-23"),
    ("Cisco-IOS-XR-ipv4-ospf-oper", "2023-10-04"),
    ("Cisco-IOS-XR-ip-bfd-oper", "2023-07-12"),
    ("Cisco-IOS-XR-ip-rib-ipv4-oper", "2023-10-27"),
    ("Cisco-IOS-XR-ipv4-arp-oper", "2023-10-03"),
    ("Cisco-IOS-XR-ipv4-io-oper", "2023-10-12"),
)
_YLIB_REV = "2019-01-04"
_CONTENT_ID = hashlib.md5("".join(n + r for n, r in MODULES).encode()).hexdigest()  # noqa: S324 - an id
PROTOCOL_CAPABILITIES = (
    BASE10,
    BASE11,
    "urn:ietf:params:netconf:capability:candidate:1.0",
    "urn:ietf:params:netconf:capability:rollback-on-error:1.0",
    "urn:ietf:params:netconf:capability:validate:1.1",
    "urn:ietf:params:netconf:capability:confirmed-commit:1.1",
    "urn:ietf:params:netconf:capability:with-defaults:1.0?basic-mode=explicit",
    f"urn:ietf:params:netconf:capability:yang-library:1.0?revision={_YLIB_REV}&module-set-id={_CONTENT_ID}",
    f"urn:ietf:params:netconf:capability:yang-library:1.1?revision={_YLIB_REV}&content-id={_CONTENT_ID}",
)
CAPABILITIES = (
    *PROTOCOL_CAPABILITIES,
    *(f"{XR}{n}?module={n}&revision={r}" for n, r in MODULES),
    f"{YLIB_NS}?module=ietf-yang-library&revision={_YLIB_REV}&deviations=cisco-xr-ietf-yang-library-deviations",
    "urn:ietf:params:xml:ns:netconf:base:1.0?module=ietf-netconf&revision=2011-06-01",
)
# Configuration models answered here (everything else in a <get> filter goes to oper.py).
CONFIG_MODELS = {CLI_NS, HOSTNAME_NS, IF_NS}
_OPS = ("merge", "replace", "create", "delete", "remove")


class RpcFail(Exception):
    def __init__(self, body: str) -> None:
        super().__init__("rpc-error")
        self.body = body


def rpc_error(message: str, *, tag: str = "operation-failed", kind: str = "application", path: str = "",
              info: str = "") -> str:
    """One ``<rpc-error>`` in XR's shape (error-message with xml:lang, error-info when there is some)."""
    parts = [f" <rpc-error>\n  <error-type>{kind}</error-type>\n  <error-tag>{tag}</error-tag>\n"
             "  <error-severity>error</error-severity>\n"]
    if path:
        parts.append(f"  <error-path>{escape(path)}</error-path>\n")
    parts.append(f'  <error-message xml:lang="en">{escape(message)}</error-message>\n')
    if info:
        parts.append(f"  <error-info>{info}</error-info>\n")
    parts.append(" </rpc-error>\n")
    return "".join(parts)


def fail(message: str, **kw: Any) -> RpcFail:
    return RpcFail(rpc_error(message, **kw))


def bad_element(name: str, message: str = "", *, tag: str = "unknown-element",
                kind: str = "protocol") -> RpcFail:
    return fail(message or f"Unknown element is specified: {name}", tag=tag, kind=kind,
                info=f"<bad-element>{escape(name)}</bad-element>")


def _ns(el: Any) -> str:
    return etree.QName(el).namespace or "" if isinstance(el.tag, str) else ""


@dataclass
class _Confirm:
    """The confirmed commit a NETCONF session has pending (RFC 6241 8.4)."""

    sid: int
    persist: str | None


# twin -> the NETCONF confirmed commit pending on it (the commit database keeps the timer itself)
_PENDING: weakref.WeakKeyDictionary[Any, _Confirm] = weakref.WeakKeyDictionary()


class XrNetconfSession(NetconfTransport):
    def __init__(self, twin: IosxrTwin, process: Any) -> None:
        super().__init__(process)
        self.twin = twin
        self.sid = twin.new_session_id()
        self.user = process.get_extra_info("username") or twin.username
        self.cs = twin.db.session(self.user, client="NETCONF")  # this session's candidate (XR target)
        self.locks: set[str] = set()
        self.ended = False

    async def run(self) -> None:
        if await self.exchange_hello(hello_xml(list(CAPABILITIES), self.sid, prefix="nc")):
            await self.loop()

    def end(self) -> None:
        """Session over: its lock goes, its uncommitted target is dropped and a confirmed commit it
        issued without <persist> is rolled back now (RFC 6241 8.4.1)."""
        if self.ended:
            return
        self.ended = True
        db = self.twin.db
        if self.locks:
            self.locks.clear()
            with contextlib.suppress(ConfigError):
                db.unlock(self.cs)
        self.cs.abort()
        close = getattr(db, "close_session", None)
        if close is not None:
            close(self.cs)
        pend = _PENDING.get(self.twin)
        if pend is not None and pend.sid == self.sid and pend.persist is None:
            _PENDING.pop(self.twin, None)
            if db.pending_confirm is not None:
                self.twin.spawn(self._revert())

    async def _revert(self) -> None:
        try:
            await _maybe_await(self.twin.db.cancel_confirmed())
        except ConfigError as e:
            log.error("iosxr twin %s: reverting the confirmed commit of closed session %d: %s",
                      self.twin.name, self.sid, e.message)

    # ---- dispatch ----------------------------------------------------------------------------
    async def handle(self, msg: str) -> str:
        try:
            rpc = etree.fromstring(msg.strip().encode(), PARSER)
        except etree.XMLSyntaxError as e:
            return self.reply(None, rpc_error(f"XML parse error: {e}", tag="malformed-message", kind="rpc"))
        if local(rpc) != "rpc":
            return self.reply(None, bad_element(local(rpc), kind="rpc").body)
        ops = elements(rpc)
        if len(ops) != 1:
            return self.reply(rpc, rpc_error("An rpc must contain exactly one operation",
                                             tag="missing-element", kind="rpc",
                                             info="<bad-element>rpc</bad-element>"))
        op = ops[0]
        name = local(op)
        fn = getattr(self, "op_" + name.replace("-", "_"), None)
        try:
            if fn is None:
                raise bad_element(name, tag="operation-not-supported", kind="rpc")
            body = await fn(op)
        except RpcFail as e:
            body = e.body
        except ConfigError as e:
            body = rpc_error(e.message)
        except Exception:  # a twin bug must still answer the rpc, as an error
            log.exception("iosxr twin %s: rpc %s failed", self.twin.name, name)
            body = rpc_error("'YANG framework' detected the 'fatal' condition 'Operation failed'")
        return self.reply(rpc, body)

    def reply(self, rpc: Any, body: str) -> str:
        """``<rpc-reply>`` echoing the rpc's attributes and prefixed namespace declarations, as XR does."""
        attrs = ""
        if rpc is not None:
            attrs = "".join(f" {k}={quoteattr(v)}" for k, v in rpc.attrib.items() if not k.startswith("{"))
            attrs += "".join(f' xmlns:{p}="{escape(u)}"' for p, u in (rpc.nsmap or {}).items() if p)
        return f'<?xml version="1.0"?>\n<rpc-reply{attrs} xmlns="{NC_NS}">\n{body}</rpc-reply>\n'

    # ---- reading -----------------------------------------------------------------------------
    def _datastore(self, op: Any, which: str, allowed: tuple[str, ...]) -> str:
        el = elements(child(op, which))
        name = local(el[0]) if el else ""
        if name not in allowed:
            raise bad_element(name or which, f"Invalid {which} datastore: {name or 'none'}",
                              tag="invalid-value")
        return name

    def _conf(self, store: str) -> Config:
        return self.twin.db.running if store == "running" else self.cs.target

    async def op_get_config(self, op: Any) -> str:
        store = self._datastore(op, "source", ("running", "candidate"))
        conf = self._conf(store)
        flt = child(op, "filter")
        if flt is not None and flt.get("type", "subtree") != "subtree":
            raise bad_element("filter", f"Unsupported filter type: {flt.get('type')}", tag="invalid-value")
        tops = elements(flt)
        if flt is None or not tops:
            return self._data([self._model_xml(ns, conf) for ns in (HOSTNAME_NS, IF_NS)])
        out: list[Any] = []
        for f in tops:
            ns = _ns(f)
            if ns == CLI_NS and local(f) == "cli":
                if store == "candidate" and not self.cs.changed():
                    continue  # XR: the cli model of an unchanged candidate is empty (recorded reply)
                out.append(self._cli_element(conf))
            elif ns in (HOSTNAME_NS, IF_NS):
                out.append(subtree(self._model_xml(ns, conf), f))
            else:
                raise self._unknown_model(f)
        return self._data(out)

    def _unknown_model(self, f: Any) -> RpcFail:
        return fail(f"Unknown namespace or element: {{{_ns(f)}}}{local(f)}", tag="unknown-namespace" if _ns(f)
                    else "unknown-element", kind="application",
                    info=f"<bad-element>{escape(local(f))}</bad-element><bad-namespace>{escape(_ns(f))}"
                         "</bad-namespace>")

    async def op_get(self, op: Any) -> str:
        flt = child(op, "filter")
        tops = elements(flt)
        mine: list[Any] = []
        others: list[Any] = []
        for f in tops:
            ns = _ns(f)
            if ns == YLIB_NS:
                mine.append(subtree(self._yang_library(), f))
            elif ns in (HOSTNAME_NS, IF_NS):
                mine.append(subtree(self._model_xml(ns, self.twin.db.running), f))
            elif ns == CLI_NS:
                mine.append(self._cli_element(self.twin.db.running))
            else:
                others.append(f)
        oper_xml = ""
        if others or not tops:
            from fabric.vendors.iosxr.twin import oper

            query = None if not tops else (
                f'<filter xmlns="{NC_NS}">' + "".join(etree.tostring(f, encoding="unicode") for f in others)
                + "</filter>")
            try:
                oper_xml = await oper.get(self.twin, query)
            except oper.OperError as e:
                bad = others[0] if others else None
                info = f"<bad-element>{escape(local(bad))}</bad-element>" if bad is not None else ""
                raise fail(str(e), tag="unknown-element" if bad is not None else "operation-failed",
                           info=info) from None
        body = "".join(etree.tostring(e, encoding="unicode") for e in mine if e is not None)
        if not body and not oper_xml.strip():
            return " <data/>\n"
        return f" <data>\n{body}{oper_xml}</data>\n"

    def _data(self, els: list[Any]) -> str:
        body = "".join(etree.tostring(e, encoding="unicode") for e in els if e is not None)
        return f" <data>\n{body}</data>\n" if body else " <data/>\n"

    def _cli_element(self, conf: Config) -> Any:
        el = etree.Element(f"{{{CLI_NS}}}cli", nsmap={None: CLI_NS})
        el.text = "\n" + self._config_text(conf) + "\n"
        return el

    def _config_text(self, conf: Config) -> str:
        """``show running-config`` as XR's cli-cfg model returns it: the version line, the last change,
        then the configuration ending in ``end`` (recorded reply of test_get_config)."""
        if not conf.last_change and self.twin.db.history:
            last = self.twin.db.history[-1]
            conf = conf.copy()
            conf.last_change = f"{_stamp(last.time)} by {last.user}"
        return conf.text(header=True)

    def _yang_library(self) -> Any:
        """ietf-yang-library 1.1: one module-set, "XR-only" (the Cisco-IOS-XR models, what NAPALM reads)."""
        E = f"{{{YLIB_NS}}}"
        lib = etree.Element(E + "yang-library", nsmap={None: YLIB_NS})
        ms = etree.SubElement(lib, E + "module-set")
        etree.SubElement(ms, E + "name").text = "XR-only"
        for name, rev in MODULES:
            m = etree.SubElement(ms, E + "module")
            etree.SubElement(m, E + "name").text = name
            etree.SubElement(m, E + "revision").text = rev
            etree.SubElement(m, E + "namespace").text = XR + name
        etree.SubElement(lib, E + "content-id").text = _CONTENT_ID
        return lib

    def _model_xml(self, ns: str, conf: Config) -> Any:
        if ns == HOSTNAME_NS:
            el = etree.Element(f"{{{HOSTNAME_NS}}}hostname", nsmap={None: HOSTNAME_NS})
            for n in conf.root.children:
                if n.words[:1] == ("hostname",) and len(n.words) == 2:
                    etree.SubElement(el, f"{{{HOSTNAME_NS}}}system-network-name").text = n.words[1]
            return el
        return interfaces_xml(conf)

    # ---- editing -------------------------------------------------------------------------------
    def _snapshot(self) -> tuple[Config, bool]:
        return self.cs.target.copy(), self.cs.replace_pending

    def _restore(self, snap: tuple[Config, bool]) -> None:
        set_target(self.cs, snap[0], replace=snap[1])

    async def op_edit_config(self, op: Any) -> str:
        self._datastore(op, "target", ("candidate",))
        dflt = (getattr(child(op, "default-operation"), "text", None) or "merge").strip()
        if dflt not in ("merge", "replace", "none"):
            raise bad_element("default-operation", f"Invalid default-operation: {dflt}", tag="invalid-value")
        erropt = (getattr(child(op, "error-option"), "text", None) or "stop-on-error").strip()
        if erropt not in ("stop-on-error", "continue-on-error", "rollback-on-error"):
            raise bad_element("error-option", f"Invalid error-option: {erropt}", tag="invalid-value")
        cfg = child(op, "config")
        if cfg is None:
            if child(op, "url") is not None:
                raise bad_element("url", "The url capability is not supported", tag="operation-not-supported")
            raise bad_element("config", "Missing element: config", tag="missing-element")
        # XR applies an edit-config as one unit whatever the error-option: on an error the target is
        # as it was before the rpc (rollback-on-error; stop-on-error has nothing applied either).
        snap = self._snapshot()
        try:
            if dflt == "replace":
                set_target(self.cs, parse_text(""), replace=True)
            for top in elements(cfg):
                self._edit_model(top, dflt)
        except ConfigError as e:
            self._restore(snap)
            raise fail(e.message, tag="invalid-value", path=_path(op)) from None
        except RpcFail:
            self._restore(snap)
            raise
        return " <ok/>\n"

    def _edit_model(self, top: Any, dflt: str) -> None:
        ns = _ns(top)
        if ns == CLI_NS and local(top) == "cli":
            text = top.text or ""
            if dflt == "replace":
                set_target(self.cs, parse_text(text), replace=True)
            else:
                feed_text(self.cs, text)
        elif ns == HOSTNAME_NS and local(top) == "hostname":
            feed_lines(self.cs, hostname_lines(top, dflt))
        elif ns == IF_NS and local(top) == "interfaces":
            feed_lines(self.cs, interface_lines(top, dflt, self.cs.target))
        else:
            raise self._unknown_model(top)

    async def op_copy_config(self, op: Any) -> str:
        self._datastore(op, "target", ("candidate",))
        src = child(op, "source")
        srcs = elements(src)
        if not srcs:
            raise bad_element("source", "Missing element: source", tag="missing-element")
        if local(srcs[0]) == "running":
            self.cs.abort()
            return " <ok/>\n"
        if local(srcs[0]) != "config":
            raise bad_element(local(srcs[0]), f"Unsupported source: {local(srcs[0])}", tag="invalid-value")
        snap = self._snapshot()
        try:
            set_target(self.cs, parse_text(""), replace=True)
            for top in elements(srcs[0]):
                self._edit_model(top, "replace")
        except ConfigError as e:
            self._restore(snap)
            raise fail(e.message, tag="invalid-value", path=_path(op)) from None
        except RpcFail:
            self._restore(snap)
            raise
        return " <ok/>\n"

    async def op_discard_changes(self, op: Any) -> str:
        self.cs.abort()
        return " <ok/>\n"

    async def op_validate(self, op: Any) -> str:
        store = self._datastore(op, "source", ("candidate", "running", "config"))
        if store == "config":
            raise bad_element("config", "validate of an inline config is not supported",
                              tag="operation-not-supported")
        from fabric.vendors.iosxr.twin import control

        control.validate(self._conf(store), self.twin.name)
        return " <ok/>\n"

    # ---- locks -----------------------------------------------------------------------------------
    def _holder_sid(self) -> int:
        """The NETCONF session id holding the configuration lock; 0 when a CLI session holds it (RFC 6241)."""
        holder = lock_holder(self.twin.db)
        for s in list(getattr(self.twin, "netconf_sessions", {}).values()):
            if s.cs is holder:
                return int(s.sid)
        return 0

    async def op_lock(self, op: Any) -> str:
        store = self._datastore(op, "target", ("running", "candidate"))
        holder = lock_holder(self.twin.db)
        if holder is not None and holder is not self.cs or store in self.locks:
            sid = self._holder_sid() if holder is not self.cs else self.sid
            raise fail("Lock failed, lock is already held", tag="lock-denied", kind="protocol",
                       info=f"<session-id>{sid}</session-id>")
        if holder is None:
            try:
                self.twin.db.lock_exclusive(self.cs)
            except ConfigError:
                raise fail("Lock failed, lock is already held", tag="lock-denied", kind="protocol",
                           info=f"<session-id>{self._holder_sid()}</session-id>") from None
        self.locks.add(store)
        return " <ok/>\n"

    async def op_unlock(self, op: Any) -> str:
        store = self._datastore(op, "target", ("running", "candidate"))
        if store not in self.locks:
            raise fail("Unlock failed, no lock held on this datastore by this session",
                       tag="operation-failed", kind="protocol",
                       info=f"<session-id>{self._holder_sid()}</session-id>")
        self.locks.discard(store)
        if not self.locks:
            self.twin.db.unlock(self.cs)
        return " <ok/>\n"

    # ---- commit ------------------------------------------------------------------------------------
    async def op_commit(self, op: Any) -> str:
        db = self.twin.db
        pend = _PENDING.get(self.twin)
        if pend is not None and db.pending_confirm is None:  # the timer expired (reverted) meanwhile
            _PENDING.pop(self.twin, None)
            pend = None
        confirmed = child(op, "confirmed") is not None
        persist = _text(op, "persist")
        persist_id = _text(op, "persist-id")
        seconds = 600  # RFC 6241 default confirm-timeout
        if (t := _text(op, "confirm-timeout")) is not None:
            if not t.isdigit() or int(t) == 0:
                raise bad_element("confirm-timeout", f"Invalid confirm-timeout: {t}", tag="invalid-value")
            seconds = int(t)
        if pend is not None:
            # RFC 6241 8.4: a follow-up commit comes from the same session, or names the persist token.
            if pend.persist is None and pend.sid != self.sid or pend.persist is not None and (
                    persist_id != pend.persist):
                raise fail("A confirmed commit is pending from another session", tag="in-use",
                           kind="protocol", info=f"<session-id>{pend.sid}</session-id>")
        elif persist_id is not None:
            raise bad_element("persist-id", f"No confirmed commit is pending for persist-id {persist_id}",
                              tag="invalid-value")
        try:
            if confirmed:
                commit = await db.commit(self.cs, replace=self.cs.replace_pending, confirmed=seconds)
                if commit is not None or pend is not None or db.pending_confirm is not None:
                    _PENDING[self.twin] = _Confirm(self.sid, persist)
                return " <ok/>\n"
            # no changes in this session: XR's <commit/> then confirms a pending trial
            await db.commit(self.cs, replace=self.cs.replace_pending)
        except ConfigError as e:
            reason = getattr(self.cs, "failed", None)
            detail = f"\n{reason}" if isinstance(reason, str) and reason and reason not in e.message else ""
            raise fail(e.message + detail, path=_path(op)) from None
        if not confirmed:
            _PENDING.pop(self.twin, None)
        return " <ok/>\n"

    async def op_cancel_commit(self, op: Any) -> str:
        db = self.twin.db
        pend = _PENDING.get(self.twin)
        persist_id = _text(op, "persist-id")
        if db.pending_confirm is None:
            _PENDING.pop(self.twin, None)
            raise fail("No confirmed commit is pending", tag="operation-failed", kind="protocol")
        if pend is not None and (pend.persist is None and pend.sid != self.sid or
                                 pend.persist is not None and persist_id != pend.persist):
            raise fail("The confirmed commit was issued by another session", tag="in-use", kind="protocol",
                       info=f"<session-id>{pend.sid}</session-id>")
        await _maybe_await(db.cancel_confirmed())
        _PENDING.pop(self.twin, None)
        return " <ok/>\n"

    # ---- Cisco actions -------------------------------------------------------------------------------
    async def op_get_cli_config_diff(self, op: Any) -> str:
        """The candidate against running as XR's ``show commit changes diff`` prints it (NAPALM reads
        the first child's text and strips the header and the final ``end``)."""
        if _ns(op) != DIFF_NS:
            raise self._unknown_model(op)
        text = f"Building configuration...\n!! IOS XR Configuration {XR_VERSION}\n{self.cs.diff()}"
        if not text.endswith("\n"):
            text += "\n"
        if not text.rstrip().endswith("end"):
            text += "end\n"
        return f' <cli xmlns="{DIFF_NS}">\n{escape(text)}\n</cli>\n'

    async def op_roll_back_configuration_last(self, op: Any) -> str:
        if _ns(op) != ROLLBACK_NS:
            raise self._unknown_model(op)
        n = _text(op, "count")
        if n is None or not n.isdigit() or int(n) < 1:
            raise bad_element("count", f"Invalid count: {n}", tag="invalid-value" if n else "missing-element")
        await self._rollback(self.twin.db.rollback_last(int(n), self.user), op)
        return " <ok/>\n"

    async def op_roll_back_configuration_to(self, op: Any) -> str:
        if _ns(op) != ROLLBACK_NS:
            raise self._unknown_model(op)
        cid = _text(op, "commit-id")
        if not cid:
            raise bad_element("commit-id", "Missing element: commit-id", tag="missing-element")
        await self._rollback(self.twin.db.rollback_to(cid, self.user), op)
        return " <ok/>\n"

    op_roll_back_configuration = op_roll_back_configuration_to

    async def _rollback(self, coro: Any, op: Any) -> None:
        try:
            await coro
        except ConfigError as e:
            raise fail(e.message, path=_path(op)) from None
        if self.twin.db.pending_confirm is None:
            _PENDING.pop(self.twin, None)

    # ---- session ---------------------------------------------------------------------------------------
    async def op_close_session(self, op: Any) -> str:
        self.closing = True
        return " <ok/>\n"

    async def op_kill_session(self, op: Any) -> str:
        sid = _text(op, "session-id") or ""
        other = self.twin.netconf_sessions.get(int(sid)) if sid.isdigit() else None
        if other is None or other is self:
            raise bad_element("session-id", f"Invalid session-id: {sid}", tag="invalid-value")
        other.end()  # its lock and its uncommitted target go, as with `clear configuration sessions`
        other.closing = True
        with contextlib.suppress(Exception):
            other.process.exit(0)
        return " <ok/>\n"


# ---- helpers: config model <-> CLI -------------------------------------------------------------------
def _text(op: Any, name: str) -> str | None:
    el = child(op, name)
    return None if el is None else (el.text or "").strip()


def _path(op: Any) -> str:
    return "/rpc/" + local(op)


async def _maybe_await(v: Any) -> Any:
    if hasattr(v, "__await__"):
        return await v
    return v


def lock_holder(db: Any) -> Any:
    """The session holding the commit database's exclusive lock, or None."""
    for attr in ("lock_owner", "locked_by", "exclusive", "lock_holder"):
        if hasattr(db, attr):
            return getattr(db, attr)
    return None


def set_target(cs: Any, conf: Config, *, replace: bool) -> None:
    """Make ``conf`` the session's target (``load`` / ``commit replace`` semantics when ``replace``)."""
    setter = getattr(cs, "set_target", None)
    if setter is not None:
        setter(conf, replace=replace)
        return
    cs.target = conf
    cs.editor = Editor(conf)
    cs.replace_pending = replace


def feed_text(cs: Any, text: str) -> None:
    """A cli-cfg merge: the lines as XR's parser takes a pasted configuration (indentation where given);
    what ``show running-config`` adds around a configuration (header, ``end``) is no command."""
    keep = [ln for ln in text.replace("\r", "").split("\n")
            if ln.strip() != "end" and not ln.strip().startswith("Building configuration")]
    cs.editor.reset()
    try:
        cs.editor.feed_text("\n".join(keep))
    finally:
        cs.editor.reset()


def feed_lines(cs: Any, lines: list[str]) -> None:
    cs.editor.reset()
    try:
        for line in lines:
            cs.editor.feed(line)
    finally:
        cs.editor.reset()


def _stamp(t: float) -> str:
    """XR's ``Thu Oct  8 06:29:40 2020`` (day of month padded with a space)."""
    tm = time.gmtime(t)
    return time.strftime(f"%a %b {tm.tm_mday:2d} %H:%M:%S %Y", tm)


def _op(el: Any, inherited: str) -> str:
    for k, v in el.attrib.items():
        if etree.QName(k).localname == "operation":
            if v not in _OPS:
                raise bad_element("operation", f"Invalid operation: {v}", tag="bad-attribute")
            return v
    return inherited


def hostname_lines(top: Any, dflt: str) -> list[str]:
    op = _op(top, "merge" if dflt == "none" else dflt)
    name = child(top, "system-network-name")
    if name is not None:
        op = _op(name, op)
    if op in ("delete", "remove") or name is None and op == "replace":
        return ["no hostname"]
    if name is None:
        return []
    value = (name.text or "").strip()
    if not value:
        raise bad_element("system-network-name", "Missing value: system-network-name", tag="invalid-value")
    return [f"hostname {value}"]


def _mask(bits: int) -> str:
    v = (0xFFFFFFFF << (32 - bits)) & 0xFFFFFFFF if bits else 0
    return ".".join(str(v >> s & 255) for s in (24, 16, 8, 0))


def interface_lines(top: Any, dflt: str, target: Config) -> list[str]:
    """XR CLI lines for an um-interface-cfg edit (description, mtu, shutdown, IPv4 addresses)."""
    top_op = _op(top, "merge" if dflt == "none" else dflt)
    lines: list[str] = []
    existing = {n.line for n in target.root.children if n.words[:1] == ("interface",)}
    for itf in elements(top):
        if local(itf) != "interface":
            raise bad_element(local(itf))
        name_el = child(itf, "interface-name")
        name = (name_el.text or "").strip() if name_el is not None else ""
        if not name:
            raise bad_element("interface-name", "Missing key: interface-name", tag="missing-element")
        op = _op(itf, top_op)
        if op == "create" and f"interface {name}" in existing:
            raise fail(f"Data already exists: interface {name}", tag="data-exists")
        if op in ("delete", "remove"):
            if op == "delete" and f"interface {name}" not in existing:
                raise fail(f"Data missing: interface {name}", tag="data-missing")
            lines += ["root", f"no interface {name}"]
            continue
        if op == "replace" and f"interface {name}" in existing:
            lines += ["root", f"no interface {name}"]
        lines += ["root", f"interface {name}"]
        # the leaves in the order XR prints them (description, mtu, ipv4, shutdown), whatever the XML's
        order = {"interface-name": 0, "description": 1, "mtu": 2, "ipv4": 3, "shutdown": 4}
        for leaf in sorted(elements(itf), key=lambda e: order.get(local(e), 5)):
            what = local(leaf)
            lop = _op(leaf, op if op != "replace" else "merge")
            gone = lop in ("delete", "remove")
            value = (leaf.text or "").strip()
            if what == "interface-name":
                continue
            if what == "description":
                lines.append("no description" if gone else f"description {value}")
            elif what == "mtu":
                if not gone and not value.isdigit():
                    raise bad_element("mtu", f"Invalid value for mtu: {value}", tag="invalid-value")
                lines.append("no mtu" if gone else f"mtu {value}")
            elif what == "shutdown":
                lines.append("no shutdown" if gone else "shutdown")
            elif what == "ipv4":
                lines += _ipv4_lines(leaf, lop)
            else:
                raise bad_element(what)
    return lines


def _ipv4_lines(ipv4: Any, op: str) -> list[str]:
    if op in ("delete", "remove"):
        return ["no ipv4 address"]
    out: list[str] = []
    for addrs in elements(ipv4):
        if local(addrs) != "addresses":
            raise bad_element(local(addrs))
        for a in elements(addrs):
            aop = _op(a, op)
            if local(a) == "address":
                ip, mask = _text(a, "address"), _text(a, "netmask")
                if aop in ("delete", "remove"):
                    out.append("no ipv4 address")
                elif not ip or not mask:
                    raise bad_element("address", "ipv4 address needs address and netmask",
                                      tag="missing-element")
                else:
                    out.append(f"ipv4 address {ip} {mask}")
            elif local(a) == "secondaries":
                for s in elements(a):
                    ip, mask = _text(s, "address"), _text(s, "netmask")
                    sop = _op(s, aop)
                    if not ip or not mask:
                        raise bad_element("secondary", "a secondary needs address and netmask",
                                          tag="missing-element")
                    no = "no " if sop in ("delete", "remove") else ""
                    out.append(f"{no}ipv4 address {ip} {mask} secondary")
            else:
                raise bad_element(local(a))
    return out


def interfaces_xml(conf: Config) -> Any:
    """Cisco-IOS-XR-um-interface-cfg for the interfaces of ``conf`` (the leaves the twin models)."""
    E, A = f"{{{IF_NS}}}", f"{{{IFADDR_NS}}}"
    root = etree.Element(E + "interfaces", nsmap={None: IF_NS})
    for n in conf.root.children:
        if n.words[:1] != ("interface",) or len(n.words) != 2:
            continue
        itf = etree.SubElement(root, E + "interface")
        etree.SubElement(itf, E + "interface-name").text = n.words[1]
        primary: tuple[str, str] | None = None
        secondaries: list[tuple[str, str]] = []
        for c in n.children:
            w = c.words
            if w[:1] == ("description",):
                etree.SubElement(itf, E + "description").text = c.line.split(" ", 1)[1] if len(w) > 1 else ""
            elif w[:1] == ("mtu",) and len(w) == 2:
                etree.SubElement(itf, E + "mtu").text = w[1]
            elif w == ("shutdown",):
                etree.SubElement(itf, E + "shutdown")
            elif w[:2] == ("ipv4", "address") and len(w) >= 4:
                ip, mask = w[2], w[3]
                if "/" in ip:  # XR also takes a prefix length
                    ip, bits = ip.split("/", 1)
                    mask = _mask(int(bits)) if bits.isdigit() else mask
                if w[-1] == "secondary":
                    secondaries.append((ip, mask))
                else:
                    primary = (ip, mask)
            elif w[:2] == ("ipv4", "address") and len(w) == 3 and "/" in w[2]:
                ip, bits = w[2].split("/", 1)
                primary = (ip, _mask(int(bits)) if bits.isdigit() else "")
        if primary or secondaries:
            v4 = etree.SubElement(itf, A + "ipv4", nsmap={None: IFADDR_NS})
            addrs = etree.SubElement(v4, A + "addresses")
            if primary:
                a = etree.SubElement(addrs, A + "address")
                etree.SubElement(a, A + "address").text = primary[0]
                etree.SubElement(a, A + "netmask").text = primary[1]
            if secondaries:
                sec = etree.SubElement(addrs, A + "secondaries")
                for ip, mask in secondaries:
                    s = etree.SubElement(sec, A + "secondary")
                    etree.SubElement(s, A + "address").text = ip
                    etree.SubElement(s, A + "netmask").text = mask
    return root


async def serve_netconf(twin: IosxrTwin, process: Any) -> None:
    """One NETCONF session on an asyncssh server process (the ``netconf`` subsystem)."""
    sess = XrNetconfSession(twin, process)
    twin.netconf_sessions[sess.sid] = sess

    def end() -> None:
        twin.netconf_sessions.pop(sess.sid, None)
        sess.end()

    await twin.serve_session(sess.run, end, process, f"netconf {sess.sid}")
