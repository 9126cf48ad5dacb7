"""IOS-XR rollout driver: the XR CLI over SSH (scrapli cisco_iosxr, scrapli-cfg), XR's ``commit confirmed``.

Why the CLI and not NETCONF for the change itself:
- XR's CLI commit carries a ``comment``: the rollout token lands in the device's own commit database
  (``show configuration commit list detail``), so a rollout resumed by another process finds its commit,
  tells a timer revert from a manual one and undoes it and what came after
  (``rollback configuration to <id>``). NETCONF commits carry neither comment nor label on XR.
- NAPALM's iosxr and iosxr_netconf drivers have no commit confirm at all.
XR binds a CLI trial commit to the configuration session that made it: only that session's ``commit``
confirms it, and leaving it (``end`` + yes) rolls it back at once. So the SSH session that committed
stays open, parked in configuration mode per (device, token) in this process, and ``confirm`` /
``rollback`` reuse it. If this process dies, nothing can confirm the trial: the device's timer reverts
it, which is the dead-man switch doing its job.
scrapli-cfg loads the candidate (``configure exclusive``, XR's target buffer) and computes the diff with
the device's ``show commit changes diff``; the commit itself is ours, as scrapli-cfg commits without
``confirmed``. ``commit replace`` answers XR's "proceed?" prompt as scrapli-cfg does.

Gate facts are read over NETCONF from XR's operational models (BGP, interfaces, RIB summary, IS-IS and
OSPF adjacencies): structured replies, no screen scraping (``facts``).
"""

from __future__ import annotations

import contextlib
import re
import threading
from typing import Any

from fabric.rollout.drivers import Driver, DriverError

MIN_CONFIRM, MAX_CONFIRM = 30, 65535  # XR: commit confirmed <30-65535> seconds
# (address, port, token) -> the scrapli connection whose configuration session holds that trial commit
_TRIALS: dict[tuple[str, int, str], Any] = {}
_TRIALS_LOCK = threading.Lock()
_FAILED = ("% Failed to commit", "% Invalid input", "% Incomplete command", "% Ambiguous command",
           "% Failed", "ERROR:")
_COMMIT = re.compile(r"^\s*\d+\)\s+CommitId:\s+(\S+)", re.M)
_ENTRY = re.compile(r"^\s*\d+\)\s+CommitId:", re.M)


def iosxr_commands(timeout: int) -> dict[str, list[str]]:
    """IOS-XR CLI: ``commit confirmed <seconds>`` (30..65535); a later plain ``commit`` confirms."""
    s = min(max(MIN_CONFIRM, int(timeout)), MAX_CONFIRM)
    return {"commit": [f"commit confirmed {s}"], "confirm": ["commit"]}


def commit_list(detail: str) -> list[dict[str, str]]:
    """``show configuration commit list detail`` -> [{id, user, client, comment, label}], newest first."""
    out: list[dict[str, str]] = []
    starts = [m.start() for m in _ENTRY.finditer(detail)] + [len(detail)]
    for a, b in zip(starts, starts[1:], strict=False):
        block = detail[a:b]
        m_id = _COMMIT.search(block)
        entry = {"id": m_id.group(1) if m_id else ""}
        for key, field in (("label", "Label"), ("user", "UserId"), ("client", "Client"),
                           ("comment", "Comment")):
            m = re.search(rf"{field}:\s+(.*?)(?:\s{{2,}}\S+:|$)", block, re.M)
            entry[key] = m.group(1).strip() if m else ""
        out.append(entry)
    return out


def token_state(commits: list[dict[str, str]], token: str) -> tuple[str, str | None]:
    """(state, id of our commit) from the commit list (newest first).

    ``reverted``: a later commit undid ours (the confirmed-commit timer, or a rollback to before it);
    ``armed``: our commit is in effect (pending or confirmed: XR does not list the trial state);
    ``none``: the device has no commit of this rollout."""
    ours = next((i for i, c in enumerate(commits) if c["comment"] == token), None)
    if ours is None:
        return "none", None
    cid = commits[ours]["id"]
    for later in commits[:ours]:
        # XR records the trial timer's revert and every `rollback configuration` as a commit of client
        # "Rollback": one after ours undid it (the engine checks the running config afterwards anyway)
        if later["client"].lower() == "rollback":
            return "reverted", cid
    return "armed", cid


class IosxrDriver(Driver):
    platform = "iosxr"
    # scrapli-cfg loads a candidate line by line over the CLI: a 56-leaf spine's golden config took 27 s
    # to diff on a loaded 2-core box, so the next wave's diffs are worth computing while this one converges
    prefetch = True

    def __init__(self, target: Any) -> None:
        super().__init__(target)
        self._conn: Any = None
        self._cfg: Any = None
        self._nc: Any = None  # the NETCONF session gate facts are read over, kept while the driver lives

    # ---- connection -------------------------------------------------------------------------
    def open(self) -> None:
        from scrapli.driver.core import IOSXRDriver
        from scrapli_cfg import ScrapliCfg

        self._conn = IOSXRDriver(host=self.t.address, port=self.t.port or 22, auth_username=self.t.username,
                                 auth_password=self.t.password, auth_strict_key=False, transport="system",
                                 timeout_ops=120)
        try:
            self._conn.open()
        except Exception as exc:
            self._conn = None
            raise DriverError(f"{self.t.name}: SSH connect failed: {exc.__class__.__name__}",
                              unreachable=True) from None
        # ignore_version: scrapli-cfg reads `show version | i Version` only to check it parses.
        self._cfg = ScrapliCfg(conn=self._conn, ignore_version=True)
        self._cfg.prepare()

    def close(self) -> None:
        self._close_netconf()
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None
                self._cfg = None

    def _c(self) -> Any:
        if self._conn is None:
            self.open()
        return self._conn

    def _exec(self, cmd: str) -> str:
        r = self._c().send_command(cmd, timeout_ops=120)
        if r.failed:
            raise DriverError(f"{self.t.name}: {cmd!r}: {r.result.strip()[-300:]}")
        return str(r.result)

    # ---- config ------------------------------------------------------------------------------
    def running(self) -> str:
        return self._exec("show running-config")

    def normalise_config(self, text: str) -> str:
        # XR prints a timestamp line before every show output ("Wed Dec  2 16:20:00.123 UTC").
        lines = [ln for ln in text.splitlines() if not _STAMP.match(ln)]
        return super().normalise_config("\n".join(lines))

    def _load(self, candidate: str, mode: str) -> None:
        self._c()
        r = self._cfg.load_config(candidate, replace=mode != "merge", exclusive=True)
        if r.failed:
            detail = " ".join(x.result for x in r.scrapli_responses)[-400:]
            self._abort()
            raise DriverError(f"{self.t.name}: the candidate was refused: {detail.strip()}")

    def _abort(self) -> None:
        try:
            self._cfg.abort_config()
        except Exception:  # noqa: BLE001 - best effort: XR drops the target buffer with the session anyway
            self.close()

    def diff(self, candidate: str, mode: str) -> str:
        """The device's ``show commit changes diff`` of the loaded candidate, then ``abort``."""
        self._load(candidate, mode)
        try:
            d = self._cfg.diff_config()
            if d.failed:
                raise DriverError(f"{self.t.name}: show commit changes diff failed")
            # the device's own diff, in both modes: scrapli-cfg's unified_diff prints every line of a
            # replace, changed or not, so an unchanged golden config was never "no change: skipped"
            return _strip_diff(str(d.device_diff))
        finally:
            self._abort()

    def commit_confirmed(self, candidate: str, mode: str, timeout: int, token: str) -> None:
        seconds = iosxr_commands(timeout)["commit"][0].split()[-1]
        cmd = f"commit{' replace' if mode != 'merge' else ''} confirmed {seconds} comment {token}"
        self._load(candidate, mode)
        conn = self._c()
        if mode == "merge":
            r = conn.send_config(cmd, privilege_level="configuration_exclusive", timeout_ops=180)
        else:
            r = conn.send_interactive([(cmd, "proceed?"), ("yes", "")],
                                      privilege_level="configuration_exclusive", timeout_ops=180)
        out = str(r.result)
        if r.failed or any(f in out for f in _FAILED):
            self._abort()
            raise DriverError(f"{self.t.name}: commit failed: {_first_error(out)}")
        self._cfg._reset_config_session()  # noqa: SLF001 - committed: nothing left to abort
        # Stay in this configuration session: it alone can confirm the trial (`end` would roll it back).
        with _TRIALS_LOCK:
            old = _TRIALS.pop(self._key(token), None)
            _TRIALS[self._key(token)] = conn
        if old is not None and old is not conn:
            old.close()
        self._conn = self._cfg = None  # parked: close() must not end it

    def _key(self, token: str) -> tuple[str, int, str]:
        return (self.t.address, self.t.port or 22, token)

    def _trial_conn(self, token: str) -> Any:
        with _TRIALS_LOCK:
            return _TRIALS.pop(self._key(token), None)

    def _commits(self) -> list[dict[str, str]]:
        return commit_list(self._exec("show configuration commit list detail"))

    def timer_state(self, token: str) -> str:
        return token_state(self._commits(), token)[0]

    def confirm(self, token: str) -> bool:
        conn = self._trial_conn(token)
        if conn is None:
            state = self.timer_state(token)
            if state == "armed":
                raise DriverError(f"{self.t.name}: the session holding the trial commit is gone: only it can "
                                  "confirm on IOS-XR; the device reverts the change when its timer expires")
            return False  # the device reverted by itself: too late
        try:
            r = conn.send_config("commit", privilege_level="configuration_exclusive", timeout_ops=180)
            out = str(r.result)
            if "Confirming commit" in out:
                return True
            if any(f in out for f in _FAILED):
                raise DriverError(f"{self.t.name}: confirm failed: {_first_error(out)}")
            return False  # no trial left to confirm: the timer fired first
        finally:
            _end(conn)

    def rollback(self, token: str) -> str:
        conn = self._trial_conn(token)
        if conn is not None:  # the trial's own session: leaving it unconfirmed rolls it back at once
            try:
                r = conn.send_interactive([("end", "exit? [no]:"), ("yes", "")],
                                          privilege_level="configuration_exclusive", timeout_ops=180)
                out = str(r.result)
            finally:
                _end(conn)
            if "rollback" in out.lower() or "exit?" in out:
                return "rolled_back"
        state, ours = token_state(self._commits(), token)
        if state == "reverted":
            return "reverted_by_timer" if conn is None else "rolled_back"
        if state == "none" or ours is None:
            return "nothing_to_roll_back"
        # XR: `rollback configuration to <id>` undoes the changes up to and including commit <id>
        out = self._exec(f"rollback configuration to {ours}")
        if any(f in out for f in _FAILED):
            raise DriverError(f"{self.t.name}: rollback failed: {_first_error(out)}")
        return "rolled_back"

    # ---- gate facts --------------------------------------------------------------------------
    def running_and_facts(self) -> tuple[str, dict[str, Any]]:
        """The running config (the CLI session) and the gate facts (NETCONF, its own SSH session) read at
        the same time: two round trips of seconds each on a busy device."""
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="xr-facts") as pool:
            facts_f = pool.submit(self.facts)
            running = self.running()
            return running, facts_f.result()

    def facts(self) -> dict[str, Any]:
        from fabric.vendors.iosxr.collector import gate_facts, netconf_session

        if self._nc is None:
            self._nc = netconf_session(self.t)
        try:
            return gate_facts(self.t, mgr=self._nc)
        except DriverError as exc:
            if exc.unreachable:  # the session is gone: the next read opens a new one
                self._close_netconf()
            raise

    def _close_netconf(self) -> None:
        if self._nc is not None:
            with contextlib.suppress(Exception):  # the session may be gone already
                self._nc.close_session()
            self._nc = None


_STAMP = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d+ "
                    r"\d\d:\d\d:\d\d(\.\d+)? \S+$")


def _end(conn: Any) -> None:
    """Back to EXEC and close a parked trial session (best effort: the device side is decided)."""
    with contextlib.suppress(Exception):
        conn.acquire_priv("privilege_exec")
    with contextlib.suppress(Exception):
        conn.close()


def _strip_diff(text: str) -> str:
    """The changes of ``show commit changes diff``, without its header/footer lines."""
    keep = []
    for ln in text.splitlines():
        if _STAMP.match(ln) or ln.startswith(("Building configuration", "!! IOS XR", "!! Last")) \
                or ln.strip() in ("end", "#", ""):
            continue
        keep.append(ln.rstrip())
    return "\n".join(keep)


def _first_error(out: str) -> str:
    for ln in out.splitlines():
        if ln.lstrip().startswith(("%", "!!%", "ERROR")):
            return ln.strip()[:300]
    return out.strip()[-300:]
