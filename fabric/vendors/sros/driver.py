"""SR OS rollout driver: NETCONF (ncclient, device handler ``sros``) on the global candidate, with SR OS's
RFC 6241 confirmed commit carrying a ``<persist>`` token as the dead-man switch.

Golden configs and merge snippets are MD-CLI text (``/configure ...`` full-context lines, or ``info``); the
driver reads them with the SR OS configuration model (``fabric.vendors.sros.config``) and sends the
``<configure>`` XML it prints:
- replace: ``edit-config`` with ``default-operation replace`` (the whole ``<configure>`` becomes the golden
  config, so it must carry the management plane it relies on);
- merge: ``default-operation merge`` of the snippet; a snippet with ``delete /configure ...`` lines is
  applied to the running configuration read in the same locked session and sent as a replace (NETCONF
  merge cannot delete), so the device's commit applies exactly the snippet's effect.
The candidate is locked for the load and commit; ``<commit><confirmed/><confirm-timeout>S</confirm-timeout>
<persist>TOKEN</persist>`` arms the device's own revert timer, which survives this session, so any later
session (a resumed rollout) confirms with ``<commit><persist-id>`` or cancels with ``<cancel-commit>``.
The commit's Nokia ``comment`` augment carries the token too: it lands in the device's commit history
(nokia-state ``system/management-interface/configuration-region/commit-history``), which tells
``timer_state`` and a rollback after the confirm what became of the token's commit.

Verification: right after the commit the running configuration must hold the change (every intended
leaf with its value, nothing the change removed) or the trial is cancelled at once (a device that says
"ok" but runs something else never reaches the gates); ``confirm`` checks it again when this process
made the commit.
A rollback after the confirm reverts to the configuration of the commit before the token's
(``md-rollback commit-id``); when the device offers no commit history, the pre-change configuration this
process read is pushed back. Diffs are computed locally with the model (MD-CLI ``compare`` form).

Gate facts are read over NETCONF from nokia-state (collector.gate_facts).
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from typing import Any

from lxml import etree

from fabric.credentials import mask
from fabric.rollout.drivers import Driver, DriverError, Target

STATE_NS = "urn:nokia.com:sros:ns:yang:sr:state"
CONF_NS = "urn:nokia.com:sros:ns:yang:sr:conf"
OPER_GLOBAL_NS = "urn:nokia.com:sros:ns:yang:sr:oper-global"
YANG_ACTION_NS = "urn:ietf:params:xml:ns:yang:1"
NETCONF_PORT = 830

RUNNING_FILTER = f'<configure xmlns="{CONF_NS}"/>'
HISTORY_FILTER = (f'<state xmlns="{STATE_NS}"><system><management-interface><configuration-region>'
                  "<region-name>configure</region-name><commit-history/></configuration-region>"
                  "</management-interface></system></state>")


def sros_commit_kwargs(timeout: int, token: str) -> dict[str, dict[str, Any]]:
    """ncclient ``commit``/``cancel_commit`` arguments (RFC 6241 :confirmed-commit:1.1 with a persist id,
    so another session may confirm or cancel; ``comment`` is SR OS's augment)."""
    return {
        "commit": {"confirmed": True, "timeout": str(max(1, int(timeout))), "persist": token,
                   "comment": token},
        "confirm": {"persist_id": token},
        "cancel": {"persist_id": token},
    }


# ---- commit history ---------------------------------------------------------------------------
def commit_history(reply: Any) -> list[dict[str, str]]:
    """``commit-history/commit-id`` entries -> [{id, user, type, comment, log}], newest first."""
    from fabric.state.xml import kids, text
    from fabric.vendors.sros.normalise import _all, _root

    out = []
    for h in _all(_root(reply), "commit-history"):
        for c in kids(h, "commit-id"):
            out.append({k: text(c, k) for k in ("id", "user", "type", "comment", "log")})
    return sorted(out, key=lambda c: int(c["id"]) if c["id"].isdigit() else 0, reverse=True)


def token_state(commits: list[dict[str, str]], token: str) -> tuple[str, str | None, str | None]:
    """(state, id of the token's commit, id of the commit before it) from the history (newest first).

    ``reverted``: a later commit by the system (the confirmed-commit timer or a cancel) or a rollback
    undid it; ``armed``: its configuration is in effect (pending or confirmed: the history does not
    say which); ``none``: the device has no commit of this token (e.g. the change changed nothing)."""
    ours = next((i for i, c in enumerate(commits) if c["comment"] == token), None)
    if ours is None:
        return "none", None, None
    before = commits[ours + 1]["id"] if ours + 1 < len(commits) else None
    for later in commits[:ours]:
        note = f"{later['comment']} {later['log']}".lower()
        if later["type"] == "system" or "rollback" in note or "confirmed commit" in note:
            return "reverted", commits[ours]["id"], before
    return "armed", commits[ours]["id"], before


# ---- intended configuration -----------------------------------------------------------------------
def intended(candidate: str, mode: str, running: Any) -> tuple[Any, bool]:
    """(the configuration the device should run after the change, whether to send it as a replace).

    Replace: the candidate itself. Merge: running with the snippet applied (``delete`` lines too);
    sent as a merge of the snippet unless it deletes something."""
    from fabric.vendors.sros.config import parse_flat, parse_text

    if mode != "merge":
        return parse_text(candidate), True
    if candidate.lstrip().startswith("<") or any(
            ln.rstrip().endswith("{") for ln in candidate.splitlines() if not ln.lstrip().startswith("#")):
        snippet = parse_text(candidate)
        merged = running.copy()
        _merge(merged.data, snippet.data)
        return merged, False
    deletes = any(ln.lstrip().startswith("delete ") for ln in candidate.splitlines())
    return parse_flat(candidate, base=running), deletes


def _merge(into: dict[str, Any], new: dict[str, Any], parent: str = "") -> None:
    """NETCONF merge of one config tree into another (list entries by their keys, leaf-lists unioned)."""
    from fabric.vendors.sros.config import _find, entry_keys

    for k, v in new.items():
        have = into.get(k)
        if isinstance(v, dict) and isinstance(have, dict):
            _merge(have, v, k)
        elif isinstance(v, list) and v and isinstance(v[0], dict) and isinstance(have, list):
            for e in v:
                keys = entry_keys(parent, k, e)
                cur = _find(have, keys, tuple(e[x] for x in keys))
                if cur is None:
                    have.append(e)
                else:
                    _merge(cur, e, k)
        elif isinstance(v, list) and isinstance(have, list):
            have.extend(x for x in v if x not in have)
        else:
            into[k] = v


def contains(running: Any, want: Any) -> list[str]:
    """Intended leaves the running configuration lacks or holds with another value (as flat paths)."""
    from fabric.vendors.sros.config import leaves
    from fabric.vendors.sros.remediate import path_words

    have = leaves(running.data)
    missing = []
    for path, value in leaves(want.data).items():
        if path not in have or (value != {} and have[path] != value):
            missing.append(path_words(path))
    return missing


def deleted(pre: Any, want: Any, running: Any) -> list[str]:
    """Paths the change deleted (in ``pre``, not in ``want``) that the running configuration still has."""
    from fabric.vendors.sros.config import leaves
    from fabric.vendors.sros.remediate import path_words

    gone = leaves(pre.data).keys() - leaves(want.data).keys()
    have = leaves(running.data)
    return sorted(path_words(p) for p in gone if p in have)


def merge_problems(candidate: str, running: str) -> list[str]:
    """The config_applied check of a merge for SR OS (fabric/rollout/applied.py compares lines, which
    cannot read ``delete /configure ...`` lines nor quoting variants like ``router Base``): the snippet
    read with the model, its leaves present in ``running`` and its deletes gone."""
    from fabric.vendors.sros.config import ConfigError, parse_flat, parse_text

    try:
        run = parse_text(running) if running.strip() else parse_flat("")
        want, _ = intended(candidate, "merge", run)
    except ConfigError as exc:
        return [f"unreadable: {exc.message}"]
    removed = deleted(run, want, run)  # what the snippet would still take away: its deletes did not land
    return ([f"not in the running config: {p}" for p in contains(run, want)]
            + [f"still in the running config: {p}" for p in removed])


@dataclass
class _Trial:
    """What this process knows of a trial commit (a resumed rollout in another process knows nothing)."""

    pre: Any  # Config before the change
    want: Any  # Config intended after it


_TRIALS: dict[tuple[str, int, str], _Trial] = {}
_TRIALS_LOCK = threading.Lock()


class SrosDriver(Driver):
    platform = "sros"

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self._m: Any = None

    # ---- connection -------------------------------------------------------------------------
    def open(self) -> None:
        from fabric.vendors.sros.collector import connect

        self._m = connect(self.t)

    def close(self) -> None:
        if self._m is not None:
            try:
                with contextlib.suppress(Exception):  # the session may be gone: nothing left to close
                    self._m.close_session()
            finally:
                self._m = None

    def _mgr(self) -> Any:
        if self._m is None:
            self.open()
        return self._m

    def _key(self, token: str) -> tuple[str, int, str]:
        return (self.t.address, self.t.port or NETCONF_PORT, token)

    def _rpc(self, what: str, fn: Any, *args: Any, **kw: Any) -> Any:
        """One RPC; transport failures -> DriverError(unreachable), rpc-errors -> DriverError."""
        from ncclient.operations import RPCError, TimeoutExpiredError
        from ncclient.transport import TransportError

        try:
            return fn(*args, **kw)
        except (TransportError, TimeoutExpiredError) as exc:
            self._m = None
            raise DriverError(f"{self.t.name}: {what}: NETCONF session lost: {exc.__class__.__name__}",
                              unreachable=True) from None
        except RPCError as exc:
            raise DriverError(f"{self.t.name}: {what}: {self._msg(exc)}") from None

    def _msg(self, exc: Exception) -> str:
        return mask(str(getattr(exc, "message", None) or exc).strip(), [self.t.password or ""])[:300]

    # ---- config ------------------------------------------------------------------------------
    def _running_config(self) -> Any:
        from fabric.vendors.sros.config import Config, ConfigError, parse_xml

        reply = self._rpc("get-config running", self._mgr().get_config, source="running",
                          filter=("subtree", RUNNING_FILTER))
        from fabric.vendors.sros.collector import reply_root
        from fabric.vendors.sros.normalise import _all

        try:
            found = _all(reply_root(reply), "configure")
            return parse_xml(found[0]) if found else Config()
        except ConfigError as exc:
            raise DriverError(f"{self.t.name}: the running configuration did not parse: {exc.message}"
                              ) from None

    def running(self) -> str:
        """The running configuration as ``/configure ...`` lines, the golden configs' form."""
        return str(self._running_config().full_context())

    def _intended(self, candidate: str, mode: str, running: Any) -> tuple[Any, bool]:
        from fabric.vendors.sros.config import ConfigError

        try:
            return intended(candidate, mode, running)
        except ConfigError as exc:
            raise DriverError(f"{self.t.name}: the candidate does not parse: {exc.message}") from None

    def diff(self, candidate: str, mode: str) -> str:
        """MD-CLI ``compare`` of the running configuration and what it becomes (computed locally)."""
        from fabric.vendors.sros.config import diff

        run = self._running_config()
        want, _ = self._intended(candidate, mode, run)
        return str(diff(run, want))

    def commit_confirmed(self, candidate: str, mode: str, timeout: int, token: str) -> None:
        m = self._mgr()
        self._rpc("lock candidate", m.lock, target="candidate")
        try:
            self._rpc("discard-changes", m.discard_changes)
            pre = self._running_config()
            want, as_replace = self._intended(candidate, mode, pre)
            if as_replace:
                body, op = want.xml(), "replace"
            else:
                from fabric.vendors.sros.config import parse_text

                body, op = parse_text(candidate).xml(), "merge"
            config = etree.Element(f"{{{_NC}}}config", nsmap={None: _NC})
            config.append(body)
            try:
                self._rpc("edit-config", m.edit_config, target="candidate", config=config,
                          default_operation=op)
                self._rpc("commit", m.commit, **sros_commit_kwargs(timeout, token)["commit"])
            except DriverError as exc:
                if not exc.unreachable:
                    with contextlib.suppress(DriverError):
                        self._rpc("discard-changes", m.discard_changes)
                detail = str(exc).removeprefix(f"{self.t.name}: ")
                raise DriverError(f"{self.t.name}: the candidate was refused: {detail}",
                                  unreachable=exc.unreachable) from None
        finally:
            with contextlib.suppress(DriverError):
                self._rpc("unlock candidate", m.unlock, target="candidate")
        trial = _Trial(pre, want)
        problem = self._verify(trial)
        if problem:
            with contextlib.suppress(DriverError):
                self._rpc("cancel-commit", m.cancel_commit, **sros_commit_kwargs(0, token)["cancel"])
            raise DriverError(f"{self.t.name}: committed, but the running configuration is not the intended "
                              f"one ({problem}); the trial was cancelled")
        with _TRIALS_LOCK:
            _TRIALS[self._key(token)] = trial

    def _verify(self, trial: _Trial, run: Any = None) -> str:
        """"" when the change landed, else what differs (a few paths): every intended leaf runs with its
        intended value and nothing the change removed is left. Not plain equality: a device may add
        entries of its own (system-created objects), which are not the change's to judge."""
        run = self._running_config() if run is None else run
        missing = contains(run, trial.want)
        if missing:
            return "missing " + "; ".join(missing[:4])
        kept = deleted(trial.pre, trial.want, run)
        return ("not deleted " + "; ".join(kept[:4])) if kept else ""

    # ---- the trial ---------------------------------------------------------------------------
    def _history(self) -> list[dict[str, str]] | None:
        """The device's commit history (None when it does not answer it)."""
        try:
            reply = self._rpc("commit history", self._mgr().get, filter=("subtree", HISTORY_FILTER))
        except DriverError as exc:
            if exc.unreachable:
                raise
            return None
        from fabric.vendors.sros.collector import reply_root

        # a device keeping a history has at least its boot entry: an empty answer means none is kept
        return commit_history(reply_root(reply)) or None

    def timer_state(self, token: str) -> str:
        history = self._history()
        if history is not None:
            return token_state(history, token)[0]
        with _TRIALS_LOCK:
            trial = _TRIALS.get(self._key(token))
        if trial is not None:  # no history: what runs tells, when this process made the trial
            run = self._running_config()
            if not self._verify(trial, run):
                return "armed"
            if run == trial.pre:
                return "reverted"
        return "unknown"

    def confirm(self, token: str) -> bool:
        m = self._mgr()
        with _TRIALS_LOCK:
            trial = _TRIALS.get(self._key(token))
        try:
            self._rpc("confirm", m.commit, **sros_commit_kwargs(0, token)["confirm"])
        except DriverError as exc:
            if exc.unreachable:
                raise
            # no confirmed commit of this token in progress: the timer fired, or it was confirmed before
            state = self.timer_state(token)
            if state in ("armed", "reverted"):
                return state == "armed"
            if trial is None:  # neither the device's history nor this process can tell
                raise
            return not self._verify(trial)  # still the change: confirmed before; else the timer reverted it
        if trial is not None and (problem := self._verify(trial)):
            raise DriverError(f"{self.t.name}: confirmed, but the running configuration is no longer the "
                              f"intended one ({problem})")
        return True

    def rollback(self, token: str) -> str:
        m = self._mgr()
        with _TRIALS_LOCK:
            trial = _TRIALS.pop(self._key(token), None)
        try:
            self._rpc("cancel-commit", m.cancel_commit, **sros_commit_kwargs(0, token)["cancel"])
            return "rolled_back"
        except DriverError as exc:
            if exc.unreachable:
                raise
        # nothing pending under this token: the timer fired, or the change was confirmed
        history = self._history()
        if history is not None:
            state, ours, before = token_state(history, token)
            if state == "reverted":
                return "reverted_by_timer"
            if state == "armed" and before is not None:
                self._md_rollback(before)
                return "rolled_back"
        if trial is not None:  # no history on the device: put back what this process read before
            if self._running_config() == trial.pre:
                return "reverted_by_timer"
            self._restore(trial.pre)
            return "rolled_back"
        return "nothing_to_roll_back"

    def _md_rollback(self, commit_id: str) -> None:
        """``global-operations md-rollback commit-id`` (nokia-oper-global): the configuration of that
        commit becomes running."""
        from ncclient.xml_ import to_ele

        rpc = (f'<action xmlns="{YANG_ACTION_NS}"><global-operations xmlns="{OPER_GLOBAL_NS}"><md-rollback>'
               f"<commit-id>{int(commit_id)}</commit-id></md-rollback></global-operations></action>")
        self._rpc("md-rollback", self._mgr().dispatch, to_ele(rpc))

    def _restore(self, conf: Any) -> None:
        """Replace running with ``conf`` (a plain commit, under the candidate lock)."""
        m = self._mgr()
        config = etree.Element(f"{{{_NC}}}config", nsmap={None: _NC})
        config.append(conf.xml())
        self._rpc("lock candidate", m.lock, target="candidate")
        try:
            self._rpc("discard-changes", m.discard_changes)
            self._rpc("edit-config", m.edit_config, target="candidate", config=config,
                      default_operation="replace")
            self._rpc("commit", m.commit)
        finally:
            with contextlib.suppress(DriverError):
                self._rpc("unlock candidate", m.unlock, target="candidate")

    # ---- gate facts --------------------------------------------------------------------------
    def facts(self) -> dict[str, Any]:
        from fabric.vendors.sros.collector import gate_facts

        return gate_facts(self.t, self._mgr())


_NC = "urn:ietf:params:xml:ns:netconf:base:1.0"
