"""NETCONF server of the Junos twin: the ``netconf`` SSH subsystem as Junos serves it on port 830.

Framing, hello exchange and rpc loop: ``fabric.twins.netconf`` (NETCONF 1.0 ``]]>]]>``; 1.1 chunked framing
when both hellos offer base:1.1: Junos offers base:1.0 only unless the twin's ``netconf_base11`` is set).
RPCs: the standard ones Junos implements (get-config, edit-config, lock, unlock, commit, validate,
discard-changes, close-session, kill-session) and the Junos ones clients send (load-configuration,
commit-configuration, get-configuration, get-rollback-information, lock-/unlock-configuration,
open-/close-configuration, command, get-software-information), and the operational RPCs of ``oper.py``
(interfaces, LLDP, BGP, routes, OSPF, IS-IS, BFD, ARP) from the live control plane. Anything else gets an
rpc-error, never an empty success.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
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
)
from fabric.vendors.junos.twin import oper
from fabric.vendors.junos.twin.config import ConfigError, from_xml, select
from fabric.vendors.junos.twin.session import JUNOS_VERSION, Editor

if TYPE_CHECKING:
    from fabric.vendors.junos.twin.twin import JunosTwin

log = logging.getLogger(__name__)

CAPABILITIES = (
    BASE10,
    "urn:ietf:params:netconf:capability:candidate:1.0",
    "urn:ietf:params:netconf:capability:confirmed-commit:1.0",
    "urn:ietf:params:netconf:capability:validate:1.0",
    "urn:ietf:params:netconf:capability:url:1.0?scheme=http,ftp,file",
    "urn:ietf:params:xml:ns:netconf:base:1.0",
    "urn:ietf:params:xml:ns:netconf:capability:candidate:1.0",
    "urn:ietf:params:xml:ns:netconf:capability:confirmed-commit:1.0",
    "urn:ietf:params:xml:ns:netconf:capability:validate:1.0",
    "urn:ietf:params:xml:ns:netconf:capability:url:1.0?scheme=http,ftp,file",
    "urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring",
    "http://xml.juniper.net/netconf/junos/1.0",
    "http://xml.juniper.net/dmi/system/1.0",
)
# Commands about the configuration database (session.py); every other ``show`` is operational (oper.py).
_CONFIG_SHOW = re.compile(r"^show (configuration|config|system commit|version)\b")


class RpcFail(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("rpc-error")
        self.errors = errors


def rpc_error(message: str, *, tag: str = "operation-failed", kind: str = "protocol",
              severity: str = "error", bad: str = "", path: str = "", info: str = "") -> str:
    """One ``<rpc-error>`` as Junos sends it."""
    parts = [f"<rpc-error>\n<error-type>{kind}</error-type>\n<error-tag>{tag}</error-tag>\n"
             f"<error-severity>{severity}</error-severity>\n"]
    if path:
        parts.append(f"<error-path>{escape(path)}</error-path>\n")
    parts.append(f"<error-message>\n{escape(message)}\n</error-message>\n")
    if bad or info:
        parts.append("<error-info>\n")
        if bad:
            parts.append(f"<bad-element>{escape(bad)}</bad-element>\n")
        parts.append(info)
        parts.append("</error-info>\n")
    parts.append("</rpc-error>\n")
    return "".join(parts)


def config_error(e: ConfigError) -> str:
    return rpc_error(e.message, tag=e.tag, kind=e.kind, severity=e.severity, bad=e.token, info=e.info,
                     path=e.path or ("[edit]" if e.kind != "rpc" else ""))


def _flag(el: Any, name: str) -> bool:
    return child(el, name) is not None or el.get(name) is not None


class NetconfSession(NetconfTransport):
    """One Junos NETCONF session; framing, hello exchange and rpc loop are ``fabric.twins.netconf``'s."""

    def __init__(self, twin: JunosTwin, process: Any) -> None:
        super().__init__(process)
        self.twin = twin
        self.sid = twin.new_session_id()
        user = process.get_extra_info("username") or twin.username
        self.ed = Editor(self.sid, user)

    # ---- session ------------------------------------------------------------------------------
    async def run(self) -> None:
        base11 = self.twin.netconf_base11
        caps = [*CAPABILITIES, *([BASE11] if base11 else [])]
        hello = ("<!-- No zombies were killed during the creation of this user interface -->\n"
                 f"<!-- user {escape(self.ed.user)}, class super-user -->\n"
                 + hello_xml(caps, self.sid, indent="  "))
        # The twin has always accepted a client hello without a base capability; kept so.
        if await self.exchange_hello(hello, base11=base11, require_base=False):
            await self.loop()

    async def handle(self, msg: str) -> str:
        try:
            rpc = etree.fromstring(msg.strip().encode(), PARSER)
        except etree.XMLSyntaxError as e:
            return self.reply({}, rpc_error(f"XML parse error: {e}", tag="malformed-message", kind="rpc"))
        attrs = {k: v for k, v in rpc.attrib.items() if not k.startswith("{")}
        if local(rpc) != "rpc":
            return self.reply(attrs, rpc_error("syntax error, expecting <rpc>", bad=local(rpc),
                                               tag="unknown-element"))
        ops = elements(rpc)
        if len(ops) != 1:
            return self.reply(attrs, rpc_error("syntax error", tag="missing-element", bad="rpc"))
        op = ops[0]
        name = local(op)
        fn = getattr(self, "op_" + name.replace("-", "_"), None)
        try:
            body = await fn(op) if fn is not None else await self._oper_rpc(name, op)
        except ConfigError as e:
            body = config_error(e)
        except RpcFail as e:
            body = "".join(e.errors)
        except Exception:  # a twin bug must still answer the rpc, as an error
            log.exception("junos twin %s: rpc %s failed", self.twin.name, name)
            body = rpc_error("mgd: internal error", tag="operation-failed", kind="application")
        return self.reply(attrs, body)

    async def _oper_rpc(self, name: str, op: Any) -> str:
        """An operational RPC answered from the live control plane (oper.py); one the twin does not
        model is Junos's syntax error, a data source that does not answer an rpc-error."""
        try:
            body = await oper.rpc(self.twin, name, op)
        except oper.OperError as e:
            raise RpcFail([rpc_error(str(e), kind="application")]) from None
        if body is None:
            raise RpcFail([rpc_error("syntax error", bad=name)])
        return body

    def reply(self, attrs: dict[str, str], body: str) -> str:
        a = "".join(f" {k}={quoteattr(v)}" for k, v in attrs.items())
        return (f'<rpc-reply xmlns="{NC_NS}" xmlns:junos="http://xml.juniper.net/junos/'
                f'{_version()}/junos"{a}>\n{body}</rpc-reply>\n')

    def end(self) -> None:
        self.twin.db.end_session(self.ed)

    # ---- configuration RPCs --------------------------------------------------------------------
    def _config_reply(self, which: str, fmt: str, filt: Any = None) -> str:
        db = self.twin.db
        conf = db.running if which in ("running", "committed") else db.candidate_of(self.ed)
        if filt is not None and len(filt):
            conf = select(conf, from_xml(filt))
        if fmt == "text":
            return f"<configuration-text>\n{escape(conf.text())}</configuration-text>\n"
        if fmt == "set":
            return f"<configuration-set>\n{escape(conf.display_set())}</configuration-set>\n"
        c = db.history[0]
        x = conf.xml()
        body = "".join(etree.tostring(e, encoding="unicode") for e in x)
        if which in ("running", "committed"):  # Junos stamps the committed database with its commit
            attrs = (f'junos:commit-seconds="{int(c.when)}" junos:commit-localtime="{_stamp(c.when)}" '
                     f'junos:commit-user="{escape(c.user)}"')
        else:
            attrs = f'junos:changed-seconds="{int(c.when)}" junos:changed-localtime="{_stamp(c.when)}"'
        return f"<configuration {attrs}>\n{body}\n</configuration>\n"

    async def op_get_config(self, op: Any) -> str:
        src = child(op, "source")
        which = local(src[0]) if src is not None and len(src) else ""
        if which not in ("running", "candidate"):
            raise RpcFail([rpc_error("syntax error, expecting <running/> or <candidate/>",
                                     bad=which or "source", tag="bad-element")])
        flt = child(op, "filter")
        sub = child(flt, "configuration") if flt is not None else None
        return f"<data>\n{self._config_reply(which, 'xml', sub)}</data>\n"

    async def op_get_configuration(self, op: Any) -> str:
        db = self.twin.db
        fmt = op.get("format", "xml")
        which = op.get("database", "candidate")
        if op.get("compare") == "rollback":
            n = int(op.get("rollback", "0")) if op.get("rollback", "0").isdigit() else -1
            diff = db.compare(db.candidate_of(self.ed), n)
            return (f"<configuration-information>\n<configuration-output>\n{escape(diff)}"
                    "</configuration-output>\n</configuration-information>\n")
        if fmt not in ("xml", "text", "set"):
            raise RpcFail([rpc_error(f"invalid value: {fmt}", bad="format", tag="invalid-value")])
        return self._config_reply("committed" if which == "committed" else "candidate", fmt,
                                  child(op, "configuration"))

    async def op_load_configuration(self, op: Any) -> str:
        db = self.twin.db
        action = op.get("action", "merge")
        fmt = op.get("format", "xml")
        if op.get("rollback") is not None:
            rb = op.get("rollback", "")
            if not rb.isdigit():
                raise RpcFail([rpc_error(f"invalid rollback index: {rb}", bad=rb)])
            db.load_rollback(self.ed, int(rb))
            return "<load-configuration-results>\n<ok/>\n</load-configuration-results>\n"
        if op.get("url") is not None:
            raise RpcFail([rpc_error("load-configuration from url is not supported by this twin",
                                     bad="url", tag="operation-not-supported")])
        text_el = child(op, "configuration-text")
        set_el = child(op, "configuration-set")
        xml_el = child(op, "configuration")
        data: Any
        if set_el is not None or action == "set":
            el = set_el if set_el is not None else text_el
            data, fmt, action = (el.text or "") if el is not None else "", "set", "set"
        elif text_el is not None:
            data, fmt = text_el.text or "", "text"
        elif xml_el is not None:
            data, fmt = xml_el, "xml"
        else:
            raise RpcFail([rpc_error("syntax error, expecting <configuration>", bad="load-configuration",
                                     tag="missing-element")])
        try:
            db.load(self.ed, data, fmt, action)
        except ConfigError as e:
            return (f"<load-configuration-results>\n{config_error(e)}"
                    "<load-error-count>1</load-error-count>\n</load-configuration-results>\n")
        warnings = "".join(config_error(w) for w in db.candidate_of(self.ed).warnings)
        return f"<load-configuration-results>\n{warnings}<ok/>\n</load-configuration-results>\n"

    async def op_edit_config(self, op: Any) -> str:
        target = child(op, "target")
        if target is None or child(target, "candidate") is None:
            raise RpcFail([rpc_error("only <candidate/> can be edited", bad="target", tag="invalid-value")])
        dflt = (getattr(child(op, "default-operation"), "text", None) or "merge").strip()
        action = {"merge": "replace", "replace": "override", "none": "replace"}.get(dflt)
        if action is None:
            raise RpcFail([rpc_error(f"invalid value: {dflt}", bad="default-operation", tag="invalid-value")])
        cfg = child(op, "config")
        txt = child(op, "config-text")
        if cfg is not None and child(cfg, "configuration") is not None:
            self.twin.db.load(self.ed, child(cfg, "configuration"), "xml", action)
        elif txt is not None and child(txt, "configuration-text") is not None:
            self.twin.db.load(self.ed, child(txt, "configuration-text").text or "", "text",
                              "override" if dflt == "replace" else "merge")
        else:
            raise RpcFail([rpc_error("syntax error, expecting <configuration>", bad="config",
                                     tag="missing-element")])
        return "<ok/>\n"

    def _target_candidate(self, op: Any) -> None:
        target = child(op, "target")
        if target is None or child(target, "candidate") is None:
            raise RpcFail([rpc_error("only the candidate configuration can be locked", bad="target",
                                     tag="invalid-value")])

    async def op_lock(self, op: Any) -> str:
        self._target_candidate(op)
        self.twin.db.lock(self.ed)
        return "<ok/>\n"

    async def op_unlock(self, op: Any) -> str:
        self._target_candidate(op)
        self.twin.db.unlock(self.ed)
        return "<ok/>\n"

    async def op_lock_configuration(self, op: Any) -> str:
        self.twin.db.lock(self.ed)
        return "<ok/>\n"

    async def op_unlock_configuration(self, op: Any) -> str:
        self.twin.db.unlock(self.ed)
        return "<ok/>\n"

    async def op_discard_changes(self, op: Any) -> str:
        self.twin.db.discard(self.ed)
        return "<ok/>\n"

    async def op_open_configuration(self, op: Any) -> str:
        if _flag(op, "private"):
            self.twin.db.open_private(self.ed)
        elif _flag(op, "exclusive"):
            self.twin.db.lock(self.ed)
        elif any(_flag(op, k) for k in ("dynamic", "ephemeral-instance", "batch")):
            raise RpcFail([rpc_error("this database is not supported by this twin", bad=local(op[0]),
                                     tag="operation-not-supported")])
        return "<ok/>\n"

    async def op_close_configuration(self, op: Any) -> str:
        if self.ed.private is not None:
            self.twin.db.close_private(self.ed)
        elif self.twin.db.lock_owner is self.ed:
            self.twin.db.end_session(self.ed)
        return "<ok/>\n"

    def _commit_results(self, check: bool) -> str:
        ok = "<commit-check-success/>" if check else "<commit-success/>"
        n = len(self.twin.db.history)
        rev = "" if check else f"\n<commit-revision>re0-{int(time.time())}-{n}</commit-revision>"
        return (f'<commit-results>\n<routing-engine junos:style="normal">\n<name>re0</name>\n{ok}{rev}\n'
                "</routing-engine>\n</commit-results>\n")

    async def op_commit_configuration(self, op: Any) -> str:
        check = _flag(op, "check")
        confirmed = _flag(op, "confirmed")
        minutes = 10
        if (t := child(op, "confirm-timeout")) is not None:
            if not (t.text or "").strip().isdigit():
                raise RpcFail([rpc_error(f"invalid value: {t.text}", bad="confirm-timeout",
                                         tag="invalid-value")])
            minutes = int((t.text or "").strip())
        comment = getattr(child(op, "log"), "text", None) or ""
        await self.twin.db.commit(self.ed, check=check, confirmed=confirmed, minutes=minutes, comment=comment)
        return self._commit_results(check)

    async def op_commit(self, op: Any) -> str:
        """Standard NETCONF commit: ``confirm-timeout`` in seconds (RFC 6241), rounded up to minutes."""
        confirmed = _flag(op, "confirmed")
        seconds = 600
        if (t := child(op, "confirm-timeout")) is not None:
            if not (t.text or "").strip().isdigit():
                raise RpcFail([rpc_error(f"invalid value: {t.text}", bad="confirm-timeout",
                                         tag="invalid-value")])
            seconds = int((t.text or "").strip())
        await self.twin.db.commit(self.ed, confirmed=confirmed, minutes=max(1, -(-seconds // 60)))
        return "<ok/>\n"

    async def op_validate(self, op: Any) -> str:
        self.twin.db.check(self.ed)
        return "<ok/>\n"

    async def op_get_rollback_information(self, op: Any) -> str:
        db = self.twin.db
        rb = (getattr(child(op, "rollback"), "text", None) or "0").strip()
        cmp_el = child(op, "compare")
        if not rb.isdigit():
            raise RpcFail([rpc_error(f"invalid rollback index: {rb}", bad=rb, tag="invalid-value")])
        if cmp_el is not None:
            other = (cmp_el.text or "").strip()
            if not other.isdigit():
                raise RpcFail([rpc_error(f"invalid rollback index: {other}", bad=other, tag="invalid-value")])
            from fabric.vendors.junos.twin.diff import junos_diff

            text = junos_diff(db.rollback_config(int(other)), db.rollback_config(int(rb)))
        else:
            text = db.rollback_config(int(rb)).text()
        return ("<rollback-information>\n<ok/>\n<configuration-information>\n<configuration-output>\n"
                f"{escape(text)}</configuration-output>\n</configuration-information>\n"
                "</rollback-information>\n")

    async def op_close_session(self, op: Any) -> str:
        self.closing = True
        return "<ok/>\n"

    async def op_request_end_session(self, op: Any) -> str:
        self.closing = True
        return "<end-session/>\n"

    async def op_kill_session(self, op: Any) -> str:
        sid = (getattr(child(op, "session-id"), "text", None) or "").strip()
        other = self.twin.netconf_sessions.get(int(sid)) if sid.isdigit() else None
        if other is None or other is self:
            raise RpcFail([rpc_error(f"invalid session-id: {sid}", bad="session-id", tag="invalid-value",
                                     kind="protocol")])
        other.end()  # its lock and uncommitted changes under the lock go, as on Junos
        other.closing = True
        with contextlib.suppress(Exception):
            other.process.exit(0)
        return "<ok/>\n"

    # ---- operational -------------------------------------------------------------------------
    async def op_get_software_information(self, op: Any) -> str:
        t = self.twin
        return (f"<software-information>\n<host-name>{escape(t.hostname)}</host-name>\n"
                f"<product-model>{t.model}</product-model>\n<product-name>{t.model}</product-name>\n"
                f"<junos-version>{_version()}</junos-version>\n<package-information>\n<name>junos</name>\n"
                f"<comment>JUNOS Software Release [{_version()}]</comment>\n</package-information>\n"
                "</software-information>\n")

    async def op_get_system_uptime_information(self, op: Any) -> str:
        now = time.time()
        boot = self.twin.boot_time
        last = self.twin.db.history[0]
        return ("<system-uptime-information>\n"
                f"<current-time>\n{_dt(now)}</current-time>\n"
                f"<system-booted-time>\n{_dt(boot)}{_length(now - boot)}</system-booted-time>\n"
                f"<protocols-started-time>\n{_dt(boot)}{_length(now - boot)}</protocols-started-time>\n"
                f"<last-configured-time>\n{_dt(last.when)}{_length(now - last.when)}"
                f"<user>{escape(last.user)}</user>\n</last-configured-time>\n"
                "</system-uptime-information>\n")

    async def op_get_route_engine_information(self, op: Any) -> str:
        up = int(time.time() - self.twin.boot_time)
        return (f'<route-engine-information xmlns="http://xml.juniper.net/junos/{_version()}/junos-chassis">\n'
                "<route-engine>\n<slot>0</slot>\n<mastership-state>master</mastership-state>\n"
                "<mastership-priority>master (default)</mastership-priority>\n<status>OK</status>\n"
                "<model>RE-VMX</model>\n"
                f'<start-time junos:seconds="{int(self.twin.boot_time)}">'
                f"{_stamp(self.twin.boot_time)}</start-time>\n"
                f'<up-time junos:seconds="{up}">{_words(up)}</up-time>\n'
                "<last-reboot-reason>Router rebooted after a normal shutdown.</last-reboot-reason>\n"
                "</route-engine>\n</route-engine-information>\n")

    async def op_get_chassis_inventory(self, op: Any) -> str:
        return (f'<chassis-inventory xmlns="http://xml.juniper.net/junos/{_version()}/junos-chassis">\n'
                '<chassis junos:style="inventory">\n<name>Chassis</name>\n'
                f"<serial-number>{self.twin.serial}</serial-number>\n<description>VMX</description>\n"
                "</chassis>\n</chassis-inventory>\n")

    async def op_get_commit_revision_information(self, op: Any) -> str:
        """``show system commit revision detail``: the last commit; NAPALM's has_pending_commit reads
        the pending ``commit confirmed`` from its comment."""
        db = self.twin.db
        c = db.history[0]
        comment = (f"<comment>commit confirmed, rollback in {db.confirm_minutes}mins</comment>\n"
                   if db.confirm_deadline is not None else
                   (f"<comment>{escape(c.comment)}</comment>\n" if c.comment else ""))
        return (f"<commit-revision-information>\n{_dt(c.when)}"
                f"<revision>re0-{int(c.when)}-{len(db.history)}</revision>\n"
                f"<user>{escape(c.user)}</user>\n<client>{escape(c.client)}</client>\n{comment}"
                "</commit-revision-information>\n")

    async def op_command(self, op: Any) -> str:
        cmd = " ".join((op.text or "").split())
        fmt = op.get("format", "xml")
        if fmt != "text" and cmd == "show version":
            return await self.op_get_software_information(op)
        if cmd.startswith("show ") and not _CONFIG_SHOW.match(cmd):
            return await self._oper_command(cmd, fmt)
        text = self._show(cmd)
        if text is None:
            raise RpcFail([rpc_error("syntax error, expecting <command>",
                                     bad=cmd.split(" ")[-1] if cmd else "")])
        return f"<output>\n{escape(text)}</output>\n"

    async def _oper_command(self, cmd: str, fmt: str) -> str:
        """An operational ``show``: the RPC reply body for format xml, the JSON text for json (Junos
        sends both bare inside rpc-reply), ``<output>`` for text."""
        parsed = oper.parse_command(cmd)
        out = None
        if parsed is not None:
            fmt = parsed[2] or fmt
            try:
                out = await oper.command(self.twin, cmd, fmt)
            except oper.OperError as e:
                raise RpcFail([rpc_error(str(e), kind="application")]) from None
        if out is None:
            raise RpcFail([rpc_error("syntax error, expecting <command>", bad=cmd.split(" ")[-1])])
        if fmt == "xml":
            return out
        return escape(out) if fmt == "json" else f"<output>\n{escape(out)}</output>\n"

    def _show(self, cmd: str) -> str | None:
        db = self.twin.db
        pipe = ""
        if "|" in cmd:
            cmd, pipe = (s.strip() for s in cmd.split("|", 1))
        cmd = re.sub(r"^show\s+", "show ", cmd)
        if cmd in ("show configuration", "show config"):
            if pipe in ("display set", "display set "):
                return db.running.display_set()
            if pipe == "display xml":
                return db.running.xml_text()
            return None if pipe else db.running.text()
        if pipe:
            return None
        if cmd == "show version":
            t = self.twin
            return f"Hostname: {t.hostname}\nModel: {t.model}\nJunos: {_version()}\n"
        if cmd == "show system commit":
            out = []
            for i, c in enumerate(db.history):
                stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(c.when))
                extra = ""
                if i == 0 and db.confirm_deadline is not None:
                    left = max(1, -(-int(db.confirm_deadline - time.time()) // 60))
                    extra = f" commit confirmed, rollback in {left}mins"
                out.append(f"{i}   {stamp} by {c.user} via {c.client}{extra}")
                if c.comment:
                    out.append(f"    {c.comment}")
            return "\n".join(out) + "\n"
        return None


def _stamp(t: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(t))


def _dt(t: float) -> str:
    return f'<date-time junos:seconds="{int(t)}">{_stamp(t)}</date-time>\n'


def _words(secs: int) -> str:
    d, r = divmod(secs, 86400)
    h, r = divmod(r, 3600)
    m, s = divmod(r, 60)
    parts = ([f"{d} days"] if d else []) + ([f"{h} hours"] if h else []) + [f"{m} minutes", f"{s} seconds"]
    return ", ".join(parts)


def _length(secs: float) -> str:
    s = int(max(0, secs))
    h, r = divmod(s, 3600)
    return f'<time-length junos:seconds="{s}">{h}:{r // 60:02d}:{r % 60:02d}</time-length>\n'


def _version() -> str:
    return JUNOS_VERSION


async def serve_netconf(twin: JunosTwin, process: Any) -> None:
    """One NETCONF session on an asyncssh server process (the ``netconf`` subsystem)."""
    sess = NetconfSession(twin, process)
    twin.netconf_sessions[sess.sid] = sess

    def end() -> None:
        twin.netconf_sessions.pop(sess.sid, None)
        sess.end()

    await twin.serve_session(sess.run, end, process, f"netconf {sess.sid}")
