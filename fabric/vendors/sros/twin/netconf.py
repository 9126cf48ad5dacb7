"""NETCONF server of the SR OS twin (port 830, model-driven management interface).

Framing and hello come from ``fabric.twins.netconf``; the hello offers base:1.0 and base:1.1, the RFC 6241
capabilities SR OS lists (writable-running, candidate, confirmed-commit 1.0/1.1, rollback-on-error, validate
1.0/1.1, startup, notification/interleave, with-defaults, yang-library) and the Nokia models with the
revisions SR OS 24.10 carries (``nokia-conf``/``nokia-state`` 2024-03-01, tag sros_24.10.r1 of
nokia/7x50_YangModels; napalm-sros reads the nokia-state revision to tell R19 from newer releases).

Datastores, as SR OS does them (``session.py``): ``candidate`` is the global candidate shared with MD-CLI
``edit-config global`` sessions (a client offering ``urn:nokia.com:nc:pc`` gets a private candidate instead,
as ncclient's ``config_mode='private'`` asks); ``running`` is writable: an edit-config on it is an implicit
candidate edit and commit of its own; ``startup`` reads as running (``auto-config-save``), copy-config
running -> startup saves. ``<lock>`` on candidate is exclusive access to the global candidate; on running,
no other session commits. Configuration is ``<configure xmlns="urn:nokia.com:sros:ns:yang:sr:conf">``
(``config.py``), operational state ``<state xmlns="urn:nokia.com:sros:ns:yang:sr:state">`` (``state.py``);
subtree filters keep list keys in every selected entry, as SR OS replies do. Anything the twin does not
model is an rpc-error, never an empty success.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import logging
import time
from collections.abc import Iterator
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
from fabric.vendors.sros import config as cfg
from fabric.vendors.sros.config import Config, ConfigError
from fabric.vendors.sros.twin import state

if TYPE_CHECKING:
    from fabric.vendors.sros.twin.session import EditSession
    from fabric.vendors.sros.twin.twin import SrosTwin

log = logging.getLogger(__name__)

CONF_NS = cfg.NS
STATE_NS = "urn:nokia.com:sros:ns:yang:sr:state"
OPER_GLOBAL_NS = "urn:nokia.com:sros:ns:yang:sr:oper-global"
AUGMENTS_NS = "urn:nokia.com:sros:ns:yang:sr:ietf-netconf-augments"
YLIB_NS = "urn:ietf:params:xml:ns:yang:ietf-yang-library"
NCM_NS = "urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring"
WD_NS = "urn:ietf:params:xml:ns:yang:ietf-netconf-with-defaults"
NOTIF_NS = "urn:ietf:params:xml:ns:netconf:notification:1.0"
PRIVATE_CANDIDATE = "urn:nokia.com:nc:pc"  # a client asking for a private candidate (ncclient config_mode)
NC_CAP = "urn:ietf:params:netconf:capability:"
REVISION = "2024-03-01"  # nokia-conf / nokia-state in SR OS 24.3 to 24.10 (25.3: 2025-03-12)

# (module, namespace, revision) as in YANG/ of tag sros_24.10.r1
MODULES: tuple[tuple[str, str, str], ...] = (
    ("nokia-conf", CONF_NS, REVISION),
    ("nokia-state", STATE_NS, REVISION),
    ("nokia-oper-global", OPER_GLOBAL_NS, "2020-10-15"),
    ("nokia-sros-yang-extensions", "urn:nokia.com:sros:ns:yang:sr:sros-yang-extensions", "2024-04-12"),
    ("nokia-sr-ietf-netconf-augments", AUGMENTS_NS, "2020-12-23"),
    ("ietf-netconf", NC_NS, "2011-06-01"),
    ("ietf-netconf-with-defaults", WD_NS, "2011-06-01"),
    ("ietf-netconf-monitoring", NCM_NS, "2010-10-04"),
    ("ietf-yang-library", YLIB_NS, "2019-01-04"),
)
_CONTENT_ID = hashlib.md5("".join(n + r for n, _, r in MODULES).encode()).hexdigest()  # noqa: S324 - an id
CAPABILITIES = (
    BASE10,
    BASE11,
    NC_CAP + "writable-running:1.0",
    NC_CAP + "candidate:1.0",
    NC_CAP + "confirmed-commit:1.0",
    NC_CAP + "confirmed-commit:1.1",
    NC_CAP + "rollback-on-error:1.0",
    NC_CAP + "validate:1.0",
    NC_CAP + "validate:1.1",
    NC_CAP + "startup:1.0",
    NC_CAP + "notification:1.0",
    NC_CAP + "interleave:1.0",
    NC_CAP + "with-defaults:1.0?basic-mode=explicit&also-supported=report-all",
    NC_CAP + f"yang-library:1.0?revision=2019-01-04&module-set-id={_CONTENT_ID}",
    NC_CAP + f"yang-library:1.1?revision=2019-01-04&content-id={_CONTENT_ID}",
    "urn:nokia.com:sros:ns:yang:sr:major-release-24",
    *(f"{ns}?module={name}&revision={rev}" for name, ns, rev in MODULES),
)

_OPERATION_IDS = itertools.count(1)  # nokia-oper-global operation-id


def _list_keys() -> dict[str, tuple[str, ...]]:
    """list -> key leaves, for the subtree filter: the configuration lists (``config.KEYS``) and the state
    lists the twin serves (``state.KEYS``)."""
    out: dict[str, tuple[str, ...]] = {}
    for name, keys in [*((n, k) for (_, n), k in cfg.KEYS.items()), *state.KEYS.items()]:
        out[name] = tuple(dict.fromkeys(out.get(name, ()) + keys))
    return out


LIST_KEYS = _list_keys()


class RpcFail(Exception):
    def __init__(self, body: str) -> None:
        super().__init__("rpc-error")
        self.body = body


def rpc_error(message: str, *, tag: str = "operation-failed", kind: str = "application", path: str = "",
              info: str = "") -> str:
    """One ``<rpc-error>`` as SR OS sends it (RFC 6241 element order, error-message with xml:lang)."""
    parts = ["    <rpc-error>\n", f"        <error-type>{kind}</error-type>\n",
             f"        <error-tag>{tag}</error-tag>\n", "        <error-severity>error</error-severity>\n"]
    if path:
        parts.append(f"        <error-path>{escape(path)}</error-path>\n")
    parts.append(f'        <error-message xml:lang="en">{escape(message)}</error-message>\n')
    if info:
        parts.append(f"        <error-info>{info}</error-info>\n")
    parts.append("    </rpc-error>\n")
    return "".join(parts)


def fail(message: str, **kw: Any) -> RpcFail:
    return RpcFail(rpc_error(message, **kw))


def bad_element(name: str, message: str = "", *, tag: str = "bad-element", kind: str = "protocol") -> RpcFail:
    return fail(message or f"MINOR: MGMT_CORE #2201: Unknown element - '{name}'", tag=tag, kind=kind,
                info=f"<bad-element>{escape(name)}</bad-element>")


def config_fail(e: ConfigError, op: Any = None) -> RpcFail:
    """A refused edit or commit: SR OS's message; a lock conflict names the holder's session."""
    sid = getattr(e, "session_id", None)
    protocol = e.tag in ("lock-denied", "in-use", "access-denied")
    info = f"<session-id>{sid}</session-id>" if sid is not None else ""
    return fail(e.message, tag=e.tag, kind="protocol" if protocol else "application", info=info,
                path="" if op is None else f"/rpc/{local(op)}")


def _ns(el: Any) -> str:
    return (etree.QName(el).namespace or "") if isinstance(el.tag, str) else ""


def _text(op: Any, name: str) -> str | None:
    el = child(op, name)
    return None if el is None else (el.text or "").strip()


def _pretty(el: Any) -> str:
    etree.indent(el, space="    ", level=2)
    return "        " + etree.tostring(el, encoding="unicode") + "\n"


def with_defaults(conf: Config) -> Config:
    """``report-all``: the defaults napalm-sros reads, filled in (router interface admin-state enable, port
    admin-state disable, ethernet mtu 9212 in network/hybrid mode and 1514 in access mode, BGP and its
    groups and neighbors admin-state enable: nokia-conf's YANG defaults for those leaves)."""
    out = conf.copy()
    for port in out.data.get("port", []) if isinstance(out.data.get("port"), list) else []:
        if isinstance(port, dict):
            port.setdefault("admin-state", "disable")
            eth = port.get("ethernet")
            if isinstance(eth, dict):
                eth.setdefault("mtu", "1514" if eth.get("mode") == "access" else "9212")
    routers = out.data.get("router")
    for r in routers if isinstance(routers, list) else []:
        ifs = r.get("interface") if isinstance(r, dict) else None
        for itf in ifs if isinstance(ifs, list) else []:
            if isinstance(itf, dict):
                itf.setdefault("admin-state", "enable")
        bgp = r.get("bgp") if isinstance(r, dict) else None
        if isinstance(bgp, dict):
            bgp.setdefault("admin-state", "enable")
            for key in ("group", "neighbor"):
                entries = bgp.get(key)
                for e in entries if isinstance(entries, list) else []:
                    if isinstance(e, dict):
                        e.setdefault("admin-state", "enable")
    return out


class SrosNetconfSession(NetconfTransport):
    def __init__(self, twin: SrosTwin, process: Any) -> None:
        super().__init__(process)
        self.twin = twin
        self.sid = twin.new_session_id()
        self.user = process.get_extra_info("username") or "admin"
        self._es: EditSession | None = None
        self.ended = False

    async def run(self) -> None:
        if not await self.exchange_hello(hello_xml(list(CAPABILITIES), self.sid)):
            return
        with contextlib.suppress(ConfigError):  # refused while an MD-CLI session is exclusive: opened later
            self.es  # noqa: B018 - opens the session's configuration session
        await self.loop()

    @property
    def es(self) -> EditSession:
        """This session's configuration session, opened at its first use: the global candidate (private
        when the client asked for it). SR OS refuses it while an MD-CLI session is in exclusive mode."""
        if self._es is None or self._es.closed:
            mode = "private" if PRIVATE_CANDIDATE in self.client_capabilities else "global"
            self._es = self.twin.db.open(self.user, mode, client="NETCONF", sid=self.sid)
        return self._es

    def end(self) -> None:
        """Session over: its locks go (a locked candidate's changes with them, RFC 6241 7.5), a private
        candidate is dropped and a confirmed commit it made without <persist> reverts (RFC 6241 8.4.1)."""
        if self.ended:
            return
        self.ended = True
        if self._es is not None:
            self.twin.db.close(self._es)

    # ---- dispatch ----------------------------------------------------------------------------
    async def handle(self, msg: str) -> str:
        try:
            rpc = etree.fromstring(msg.strip().encode(), PARSER)
        except etree.XMLSyntaxError as e:
            return self.reply(None, rpc_error(f"MINOR: MGMT_CORE #2001: Malformed XML - {e}",
                                              tag="malformed-message", kind="rpc"))
        if local(rpc) != "rpc":
            return self.reply(None, bad_element(local(rpc), tag="unknown-element", kind="rpc").body)
        ops = elements(rpc)
        if len(ops) != 1:
            msg1 = "MINOR: MGMT_CORE #2001: An rpc must contain exactly one operation"
            return self.reply(rpc, rpc_error(msg1,
                                             tag="missing-element" if not ops else "bad-element", kind="rpc",
                                             info="<bad-element>rpc</bad-element>"))
        op = ops[0]
        name = local(op)
        fn = getattr(self, "op_" + name.replace("-", "_"), None)
        try:
            if fn is None or _ns(op) not in (NC_NS, NOTIF_NS, "urn:ietf:params:xml:ns:yang:1", ""):
                raise bad_element(name, f"MINOR: MGMT_CORE #2201: Unsupported operation - '{name}'",
                                  tag="operation-not-supported", kind="protocol")
            body = await fn(op)
        except RpcFail as e:
            body = e.body
        except ConfigError as e:
            body = config_fail(e, op).body
        except Exception:  # a twin bug still answers the rpc, as an error
            log.exception("sros twin %s: rpc %s failed", self.twin.name, name)
            body = rpc_error("MINOR: MGMT_CORE #2000: Internal error", tag="operation-failed")
        return self.reply(rpc, body)

    def reply(self, rpc: Any, body: str) -> str:
        """``<rpc-reply>`` echoing the rpc's attributes (message-id) and prefixed namespace declarations."""
        attrs = ""
        if rpc is not None:
            attrs = "".join(f" {k}={quoteattr(v)}" for k, v in rpc.attrib.items() if not k.startswith("{"))
            attrs += "".join(f' xmlns:{p}="{escape(u)}"' for p, u in (rpc.nsmap or {}).items() if p)
        return (f'<?xml version="1.0" encoding="UTF-8"?>\n<rpc-reply{attrs} xmlns="{NC_NS}">\n{body}'
                "</rpc-reply>\n")

    # ---- reading -----------------------------------------------------------------------------
    def _datastore(self, op: Any, which: str, allowed: tuple[str, ...]) -> str:
        els = elements(child(op, which))
        name = local(els[0]) if els else ""
        if not name:
            raise bad_element(which, f"MINOR: MGMT_CORE #2008: Missing element - '{which}'",
                              tag="missing-element")
        if name not in allowed:
            raise bad_element(name, f"MINOR: MGMT_CORE #2007: Datastore '{name}' is not supported in "
                                    f"<{local(op)}>", tag="invalid-value")
        return name

    def _conf(self, store: str) -> Config:
        db = self.twin.db
        if store == "candidate":
            return self._es.candidate if self._es is not None and not self._es.closed else db.candidate
        return db.running

    def _wd(self, op: Any) -> str:
        wd = child(op, "with-defaults")
        mode = (wd.text or "").strip() if wd is not None else "explicit"
        if mode not in ("explicit", "report-all"):
            raise bad_element("with-defaults", f"MINOR: MGMT_CORE #2007: Unsupported with-defaults mode "
                                               f"'{mode}'", tag="invalid-value", kind="application")
        return mode

    def _config_el(self, conf: Config, mode: str) -> Any:
        return (with_defaults(conf) if mode == "report-all" else conf).xml()

    @staticmethod
    def _filter(op: Any) -> tuple[Any, list[Any]]:
        flt = child(op, "filter")
        if flt is not None and flt.get("type", "subtree") != "subtree":
            raise bad_element("filter", f"MINOR: MGMT_CORE #2007: Unsupported filter type "
                                        f"'{flt.get('type')}'", tag="invalid-value")
        return flt, elements(flt)

    def _unknown_model(self, f: Any) -> RpcFail:
        tag = "unknown-namespace" if _ns(f) else "unknown-element"
        info = f"<bad-element>{escape(local(f))}</bad-element>"
        if _ns(f):
            info += f"<bad-namespace>{escape(_ns(f))}</bad-namespace>"
        return fail(f"MINOR: MGMT_CORE #2201: Unknown element - '{local(f)}'", tag=tag, kind="application",
                    info=info)

    async def op_get_config(self, op: Any) -> str:
        store = self._datastore(op, "source", ("running", "candidate", "startup"))
        conf = self._conf(store)
        mode = self._wd(op)
        flt, tops = self._filter(op)
        if flt is None:
            return self._data([self._config_el(conf, mode)])
        out: list[Any] = []
        for f in tops:
            if _ns(f) == CONF_NS and local(f) == "configure":
                out.append(subtree(self._config_el(conf, mode), f, LIST_KEYS))
            elif _ns(f) != STATE_NS:  # state is no configuration: nothing from get-config
                raise self._unknown_model(f)
        return self._data(out)

    async def op_get(self, op: Any) -> str:
        mode = self._wd(op)
        flt, tops = self._filter(op)
        if flt is None:
            return self._data([self._config_el(self.twin.db.running, mode), await self._state(None)])
        out: list[Any] = []
        for f in tops:
            ns, name = _ns(f), local(f)
            if ns == CONF_NS and name == "configure":
                out.append(subtree(self._config_el(self.twin.db.running, mode), f, LIST_KEYS))
            elif ns == STATE_NS and name == "state":
                out.append(subtree(await self._state(f), f, LIST_KEYS))
            elif ns == YLIB_NS:
                out.append(subtree(self._yang_library(name), f, LIST_KEYS))
            else:
                raise self._unknown_model(f)
        return self._data(out)

    async def _state(self, flt: Any) -> Any:
        """``<state>`` from the live sources the filter needs; a source that does not answer (a routing
        daemon restarting) is an rpc-error, never an empty success."""
        try:
            return await state.state_xml(self.twin, state.sources_for(flt))
        except state.StateError as e:
            msg = str(e) if str(e).startswith("MINOR:") else f"MINOR: MGMT_CORE #2000: {e}"
            raise fail(msg, tag="operation-failed") from None

    @staticmethod
    def _data(els: list[Any]) -> str:
        body = "".join(_pretty(e) for e in els if e is not None)
        return f"    <data>\n{body}    </data>\n" if body else "    <data/>\n"

    def _yang_library(self, name: str) -> Any:
        """ietf-yang-library: the 1.1 ``yang-library`` (one module-set) or the 1.0 ``modules-state``."""
        E = f"{{{YLIB_NS}}}"
        if name == "modules-state":
            root = etree.Element(E + "modules-state", nsmap={None: YLIB_NS})
            etree.SubElement(root, E + "module-set-id").text = _CONTENT_ID
            for mod, ns, rev in MODULES:
                m = etree.SubElement(root, E + "module")
                etree.SubElement(m, E + "name").text = mod
                etree.SubElement(m, E + "revision").text = rev
                etree.SubElement(m, E + "namespace").text = ns
                etree.SubElement(m, E + "conformance-type").text = "implement"
            return root
        root = etree.Element(E + "yang-library", nsmap={None: YLIB_NS})
        ms = etree.SubElement(root, E + "module-set")
        etree.SubElement(ms, E + "name").text = "complete"
        for mod, ns, rev in MODULES:
            m = etree.SubElement(ms, E + "module")
            etree.SubElement(m, E + "name").text = mod
            etree.SubElement(m, E + "revision").text = rev
            etree.SubElement(m, E + "namespace").text = ns
        etree.SubElement(root, E + "content-id").text = _CONTENT_ID
        return root

    # ---- editing -------------------------------------------------------------------------------
    def _config_arg(self, op: Any) -> Any:
        el = child(op, "config")
        if el is None:
            if child(op, "url") is not None:
                raise bad_element("url", "MINOR: MGMT_CORE #2007: The url capability is not supported",
                                  tag="operation-not-supported")
            raise bad_element("config", "MINOR: MGMT_CORE #2008: Missing element - 'config'",
                              tag="missing-element")
        for top in elements(el):
            if _ns(top) != CONF_NS or local(top) != "configure":
                raise self._unknown_model(top)
        return el

    async def op_edit_config(self, op: Any) -> str:
        store = self._datastore(op, "target", ("candidate", "running"))
        dflt = (_text(op, "default-operation") or "merge")
        if dflt not in ("merge", "replace", "none"):
            raise bad_element("default-operation", f"MINOR: MGMT_CORE #2007: Invalid default-operation "
                                                   f"'{dflt}'", tag="invalid-value")
        test = _text(op, "test-option") or "test-then-set"
        if test not in ("test-then-set", "set", "test-only"):
            raise bad_element("test-option", f"MINOR: MGMT_CORE #2007: Invalid test-option '{test}'",
                              tag="invalid-value")
        erropt = _text(op, "error-option") or "stop-on-error"
        if erropt not in ("stop-on-error", "continue-on-error", "rollback-on-error"):
            raise bad_element("error-option", f"MINOR: MGMT_CORE #2007: Invalid error-option '{erropt}'",
                              tag="invalid-value")
        el = self._config_arg(op)
        # SR OS applies an edit-config as one unit whatever the error-option: on an error nothing changed
        if test == "test-only":
            trial = self._conf(store).copy()
            cfg.edit_xml(trial, el, dflt)
            self._validate(trial)
            return "    <ok/>\n"
        if store == "candidate":
            self.es.edit_xml(el, dflt)
            return "    <ok/>\n"
        await self._write_running(lambda s: s.edit_xml(el, dflt), op)
        return "    <ok/>\n"

    async def _write_running(self, edit: Any, op: Any) -> None:
        """writable-running: the edit in a candidate of its own, committed at once (SR OS's implicit
        commit); this session's locks count as its own."""
        db = self.twin.db
        mine = self.es
        tmp = db.open(self.user, "private", client="NETCONF", sid=self.sid)
        try:
            edit(tmp)
            with _standing_in(db, mine, tmp):
                await db.commit(tmp)
        except ConfigError as e:
            raise config_fail(e, op) from None
        finally:
            db.close(tmp)

    async def op_copy_config(self, op: Any) -> str:
        target = self._datastore(op, "target", ("candidate", "running", "startup"))
        src = elements(child(op, "source"))
        what = local(src[0]) if src else ""
        if target == "startup":
            if what not in ("running", "startup"):
                raise bad_element(what or "source", tag="invalid-value")
            self.twin.db.save()  # admin save: the twin's running configuration is what it boots from
            return "    <ok/>\n"
        if what == "running" and target == "candidate":
            self.es.discard()
            return "    <ok/>\n"
        if what != "config":
            raise bad_element(what or "source", f"MINOR: MGMT_CORE #2007: Unsupported source '{what}'",
                              tag="invalid-value")
        conf = cfg.parse_xml(src[0])
        if target == "candidate":
            self.es.load(conf, replace=True)
        else:
            await self._write_running(lambda s: s.load(conf, replace=True), op)
        return "    <ok/>\n"

    async def op_discard_changes(self, op: Any) -> str:
        self.es.discard()
        return "    <ok/>\n"

    def _validate(self, conf: Config) -> None:
        from fabric.vendors.sros.twin import control

        control.validate(conf, self.twin.name)

    async def op_validate(self, op: Any) -> str:
        store = self._datastore(op, "source", ("candidate", "running", "config"))
        if store == "running":
            return "    <ok/>\n"  # running has been validated by its commit
        if store == "config":
            src = child(child(op, "source"), "config")
            trial = self._conf("candidate").copy()
            cfg.edit_xml(trial, src, "merge")
            self._validate(trial)
            return "    <ok/>\n"
        self._validate(self.twin.db.proposed(self.es) if self._es is not None else self.twin.db.candidate)
        return "    <ok/>\n"

    # ---- locks -----------------------------------------------------------------------------------
    async def op_lock(self, op: Any) -> str:
        store = self._datastore(op, "target", ("running", "candidate"))
        db = self.twin.db
        try:
            es = self.es
        except ConfigError:  # no configuration session while another one holds the candidate exclusively
            holder = db.exclusive
            sid = holder.sid if holder is not None and holder.client == "NETCONF" else 0
            raise fail(f"Lock failed, lock is already held by session {sid}", tag="lock-denied",
                       kind="protocol", info=f"<session-id>{sid}</session-id>") from None
        db.lock(store, es)
        return "    <ok/>\n"

    async def op_unlock(self, op: Any) -> str:
        store = self._datastore(op, "target", ("running", "candidate"))
        self.twin.db.unlock(store, self.es)
        return "    <ok/>\n"

    # ---- commit ------------------------------------------------------------------------------------
    async def op_commit(self, op: Any) -> str:
        confirmed = child(op, "confirmed") is not None
        persist = _text(op, "persist")
        persist_id = _text(op, "persist-id")
        comment = ""
        for c in elements(op):
            if local(c) == "comment":
                comment = (c.text or "").strip()
            elif local(c) not in ("confirmed", "confirm-timeout", "persist", "persist-id"):
                raise bad_element(local(c), tag="unknown-element")
        seconds: float | None = None
        if confirmed:
            t = _text(op, "confirm-timeout")
            if t is not None and (not t.isdigit() or int(t) == 0):
                raise bad_element("confirm-timeout", f"MINOR: MGMT_CORE #2701: Invalid confirm-timeout '{t}'",
                                  tag="invalid-value")
            seconds = float(t) if t is not None else 600.0  # RFC 6241 default
        elif persist is not None or child(op, "confirm-timeout") is not None:
            raise bad_element("confirmed", "MINOR: MGMT_CORE #2008: Missing element - 'confirmed'",
                              tag="missing-element")
        await self.twin.db.commit(self.es, timeout_s=seconds, persist=persist if confirmed else None,
                                  persist_id=persist_id, comment=comment)
        return "    <ok/>\n"

    async def op_cancel_commit(self, op: Any) -> str:
        await self.twin.db.cancel_confirmed(_text(op, "persist-id"), s=self.es)
        return "    <ok/>\n"

    # ---- Nokia actions ---------------------------------------------------------------------------
    async def op_action(self, op: Any) -> str:
        """YANG 1.1 ``<action>``: ``global-operations md-cli-raw-command`` (ncclient's
        ``md_cli_raw_command``) for the MD-CLI ``show`` commands the twin models and ``admin show
        configuration``."""
        go = child(op, "global-operations")
        raw = child(go, "md-cli-raw-command")
        if go is not None and _ns(go) == OPER_GLOBAL_NS and child(go, "md-rollback") is not None:
            return await self._md_rollback(child(go, "md-rollback"))
        if go is None or _ns(go) != OPER_GLOBAL_NS or raw is None:
            first = elements(op)[0] if elements(op) else op
            raise self._unknown_model(elements(first)[0] if go is not None and elements(first) else first)
        line = (_text(raw, "md-cli-input-line") or "").strip()
        words = cfg.tokens(line)
        if words[:1] == ["show"]:
            try:
                text = await state.show(self.twin, words[1:])
            except state.StateError as e:
                raise fail(f"MINOR: CLI #2069: {e}", tag="operation-failed") from None
        elif words[:3] == ["admin", "show", "configuration"]:
            text = self.twin.db.running.admin_show(self.twin.version, self.twin.chassis)
        else:
            raise fail(f"MINOR: CLI #2069: Command not supported through NETCONF - '{line}'",
                       tag="operation-not-supported")
        return (f'    <results xmlns="{OPER_GLOBAL_NS}">\n        <md-cli-output-block>{escape(text or "")}'
                "</md-cli-output-block>\n    </results>\n")

    async def _md_rollback(self, rb: Any) -> str:
        """``global-operations md-rollback`` (nokia-oper-global): the configuration of a commit-history
        entry (``commit-id``) or of rollback checkpoint ``rollback-id`` becomes running, as a new commit;
        it ends a pending confirmed commit (what runs is chosen)."""
        region = _text(rb, "configuration-region") or "configure"
        cid, rid = _text(rb, "commit-id"), _text(rb, "rollback-id")
        if region != "configure":
            raise bad_element("configuration-region", f"MINOR: MGMT_CORE #2007: Unsupported configuration "
                              f"region '{region}'", tag="invalid-value")  # approximated
        if (cid is None) == (rid is None) or not (cid or rid or "").isdigit():
            raise bad_element("md-rollback", "MINOR: MGMT_CORE #2008: Missing element - 'commit-id' or "
                              "'rollback-id'", tag="missing-element")  # approximated
        started = state.stamp(time.time())
        try:
            n = self.twin.db.by_commit_id(int(cid)) if cid is not None else int(str(rid))
            await self.twin.db.rollback_revert(n, user=self.user, s=self.es, client="NETCONF")
        except ConfigError as e:
            raise config_fail(e) from None
        return (f'    <operation-id xmlns="{OPER_GLOBAL_NS}">{next(_OPERATION_IDS)}</operation-id>\n'
                f'    <start-time xmlns="{OPER_GLOBAL_NS}">{started}</start-time>\n'
                f'    <status xmlns="{OPER_GLOBAL_NS}">completed</status>\n'
                f'    <end-time xmlns="{OPER_GLOBAL_NS}">{state.stamp(time.time())}</end-time>\n')

    async def op_create_subscription(self, op: Any) -> str:
        """RFC 5277: accepted; the twin raises no log events, so no <notification> follows."""
        stream = _text(op, "stream") or "NETCONF"
        if stream != "NETCONF":
            raise bad_element("stream", f"MINOR: MGMT_CORE #2007: Unknown stream '{stream}'",
                              tag="invalid-value")
        return "    <ok/>\n"

    # ---- session ---------------------------------------------------------------------------------------
    async def op_close_session(self, op: Any) -> str:
        self.closing = True
        return "    <ok/>\n"

    async def op_kill_session(self, op: Any) -> str:
        sid = _text(op, "session-id") or ""
        other = self.twin.netconf_sessions.get(int(sid)) if sid.isdigit() else None
        if other is None or other is self:
            raise bad_element("session-id", f"MINOR: MGMT_CORE #2007: Invalid session-id '{sid}'",
                              tag="invalid-value", kind="application")
        other.end()  # its locks, its locked candidate's changes and its non-persist confirmed commit go
        other.closing = True
        with contextlib.suppress(Exception):
            other.process.exit(0)
        return "    <ok/>\n"


@contextlib.contextmanager
def _standing_in(db: Any, holder: EditSession, tmp: EditSession) -> Iterator[None]:
    """The locks ``holder`` has are ``tmp``'s while it commits (writable-running in a locked session)."""
    swapped = [a for a in ("exclusive", "running_lock") if getattr(db, a) is holder]
    for a in swapped:
        setattr(db, a, tmp)
    try:
        yield
    finally:
        for a in swapped:
            if getattr(db, a) is tmp:
                setattr(db, a, holder)


async def serve_netconf(twin: SrosTwin, process: Any) -> None:
    """One NETCONF session on an asyncssh server process (the ``netconf`` subsystem)."""
    sess = SrosNetconfSession(twin, process)
    twin.netconf_sessions[sess.sid] = sess

    def end() -> None:
        twin.netconf_sessions.pop(sess.sid, None)
        sess.end()

    await twin.serve_session(sess.run, end, process, f"netconf {sess.sid}")
