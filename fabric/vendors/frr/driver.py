"""FRR rollout driver: commit-confirmed over SSH with a checkpoint and a revert timer on the device."""

from __future__ import annotations

import shlex
from typing import Any

from fabric import ssh
from fabric.frr_reload import RELOAD, frr_clean, frr_delta, not_applied, replace_script
from fabric.rollout.drivers import Driver, DriverError, Target

FRR_STATE_DIR = "/var/tmp/netfabric-rollout"


def frr_paths(target: Target, token: str) -> dict[str, str]:
    # The lab's nodes share one filesystem, so the state dir is keyed by node name + mgmt address;
    # on a real box it is simply a local directory.
    d = f"{FRR_STATE_DIR}/{target.name}-{target.address}"
    return {
        "dir": d,
        "ckpt": f"{d}/{token}.ckpt",
        "cand": f"{d}/{token}.cand",
        "armed": f"{d}/{token}.armed",
        "reverting": f"{d}/{token}.reverting",
        "reverted": f"{d}/{token}.reverted",
        "confirmed": f"{d}/{token}.confirmed",
        "pid": f"{d}/{token}.pid",
    }


def frr_timer_cmd(p: dict[str, str], timeout: int) -> str:
    """The on-device revert timer: detached (nohup setsid), survives the SSH session and our process.

    ``mv armed reverting`` is the atomic decision point: confirm does ``mv armed confirmed``; exactly
    one of the two renames succeeds, so a late confirm can never race a revert in progress.
    """
    q = shlex.quote
    # The delta reload, else the full replace, then a second delta pass (frr-reload may order deletions
    # badly).  The engine checks the result against the checkpoint when it next reaches the device.
    body = (
        f"sleep {int(timeout)}; if mv {q(p['armed'])} {q(p['reverting'])} 2>/dev/null; then "
        f"{RELOAD} --reload {q(p['ckpt'])} >/dev/null 2>&1 || "
        f"{{ {replace_script(p['ckpt'])}; }} >/dev/null 2>&1; "
        f"{RELOAD} --reload {q(p['ckpt'])} >/dev/null 2>&1; mv {q(p['reverting'])} {q(p['reverted'])}; fi"
    )
    # The subshell keeps '&' from backgrounding the whole '&&' chain (which would hold the SSH channel).
    return (
        f"touch {q(p['armed'])} && (nohup setsid sh -c {q(body)} </dev/null >/dev/null 2>&1 & "
        f"echo $! > {q(p['pid'])})"
    )


class FrrDriver(Driver):
    """FRR over SSH: checkpoint file + revert timer on the device; replace through frr-reload.py.

    frr-reload.py works with the lab's pathspaces because each node's ``/usr/bin/vtysh`` is a wrapper
    bound to its pathspace; it computes the minimal delta, so BGP sessions that are not changed stay up.
    """

    platform = "frr"
    prefetch = True  # frr-reload.py --test: two vtysh and Python on the device per diff

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self._ssh = ssh.SshTarget(host=target.address, username=target.username, password=target.password)

    def open(self) -> None:
        try:
            ssh.exec_command(self._ssh, "true", connect_timeout=5, timeout=10)
        except Exception as exc:
            raise DriverError(
                f"{self.t.name}: SSH to {self.t.address} failed: {exc.__class__.__name__}", unreachable=True
            ) from None

    def close(self) -> None:
        # The connection lives as long as this driver (one per rollout step); the next step's driver
        # connects afresh, so a device whose management went away is found out by a 5 s connect.
        ssh.forget(self._ssh)

    def sh(self, cmd: str, stdin: str | None = None, timeout: float = 30) -> tuple[int, str]:
        """Run a shell command on the device (fabric.ssh): (exit status, stdout + stderr)."""
        try:
            out, err, rc = ssh.exec_command(self._ssh, cmd, stdin=stdin, connect_timeout=5, timeout=timeout)
        except Exception as exc:
            self.close()
            raise DriverError(
                f"{self.t.name}: SSH command failed: {exc.__class__.__name__}", unreachable=True
            ) from None
        return rc, out + err

    def running(self) -> str:
        rc, out = self.sh("vtysh -c 'show running-config'")
        if rc:
            raise DriverError(f"{self.t.name}: show running-config failed: {out[-300:]}")
        return frr_clean(out)

    def _put(self, path: str, text: str) -> None:
        rc, out = self.sh(
            f"mkdir -p {shlex.quote(path.rsplit('/', 1)[0])} && cat > {shlex.quote(path)}", text
        )
        if rc:
            raise DriverError(f"{self.t.name}: writing {path} failed: {out[-300:]}")

    def diff(self, candidate: str, mode: str) -> str:
        if mode == "merge":
            # A merge snippet adds lines: its diff is the snippet lines not already in the running config.
            run = set(ln.rstrip() for ln in self.running().splitlines())
            return "\n".join(
                f"+ {ln}"
                for ln in candidate.splitlines()
                if ln.strip() and ln.strip() not in ("!", "exit", "end") and ln.rstrip() not in run
            )
        p = frr_paths(self.t, "diff")
        self._put(p["cand"], candidate)
        rc, out = self.sh(
            f"{RELOAD} --test {shlex.quote(p['cand'])} 2>&1; rc=$?; rm -f {shlex.quote(p['cand'])}; exit $rc"
        )
        if rc:  # an empty delta from a failed diff would skip the device as "no change"
            raise DriverError(f"{self.t.name}: frr-reload --test failed (rc {rc}): {out.strip()[-300:]}")
        return frr_delta(out)

    def presnap(
        self, candidate: str, mode: str, known: tuple[str, str] | None = None
    ) -> tuple[str, dict[str, Any], str]:
        if mode == "merge":
            return super().presnap(candidate, mode, known)
        if known is not None:
            rc, out = self.sh(_SNAP_CMD)
            running, end, facts = out.partition("\nend\n")
            if not rc and end and frr_clean(running + end) == known[0]:
                return known[0], _frr_facts(facts), known[1]
        p = frr_paths(self.t, "diff")
        q = shlex.quote
        snap, run = f"{p['dir']}/diff.snap", f"{p['dir']}/diff.run"
        rc, out = self.sh(
            f"mkdir -p {q(p['dir'])} && cat > {q(p['cand'])} && {_SNAP_CMD} > {q(snap)} && "
            f"sed '/^end$/q' {q(snap)} > {q(run)} && {RELOAD} --test --input {q(run)} {q(p['cand'])} "
            f"2>&1; echo \"@@@$?\"; cat {q(snap)}; rm -f {q(p['cand'])} {q(snap)} {q(run)}",
            candidate,
        )
        delta, _, snapshot = out.partition("@@@")
        test_rc, _, snapshot = snapshot.partition("\n")
        running, end, facts = snapshot.partition("\nend\n")
        if rc or not end or "frr version" not in running:
            raise DriverError(f"{self.t.name}: pre-snapshot failed: {out[-300:]}")
        if test_rc.strip() != "0":  # an empty delta from a failed diff would skip the device as "no change"
            raise DriverError(f"{self.t.name}: frr-reload --test failed (rc {test_rc.strip()}): "
                              f"{delta.strip()[-300:]}")
        return frr_clean(running + end), _frr_facts(facts), frr_delta(delta)

    def commit_confirmed(self, candidate: str, mode: str, timeout: int, token: str) -> None:
        p = frr_paths(self.t, token)
        q = shlex.quote
        self._put(p["cand"], candidate)
        # Checkpoint and timer BEFORE touching the config: if anything dies after this, the device reverts.
        rc, out = self.sh(
            f"vtysh -c 'show running-config' | sed -n '/^frr version/,$p' > {q(p['ckpt'])} && "
            f"test -s {q(p['ckpt'])} && {frr_timer_cmd(p, timeout)}"
        )
        if rc:
            raise DriverError(f"{self.t.name}: checkpoint/timer failed: {out[-300:]}")
        apply = (
            f"vtysh -f {q(p['cand'])}" if mode == "merge" else f"{RELOAD} --reload --stdout {q(p['cand'])}"
        )
        rc, out = self.sh(apply + " 2>&1", timeout=120)
        if rc:
            raise DriverError(f"{self.t.name}: applying the candidate failed: {out[-400:]}")
        if mode != "merge" and (missing := self._not_landed(p["cand"])):
            # frr-reload exits 0 even when a daemon it had to configure is not running.
            raise DriverError(f"{self.t.name}: FRR did not take the candidate: {'; '.join(missing[:5])}")

    def confirm(self, token: str) -> bool:
        p = frr_paths(self.t, token)
        q = shlex.quote
        # One round trip: win the rename race, stop the timer, persist (like a commit survives a reboot).
        rc, _ = self.sh(
            f"mv {q(p['armed'])} {q(p['confirmed'])} 2>/dev/null || exit 3; "
            f"kill $(cat {q(p['pid'])}) 2>/dev/null; vtysh -c 'write memory' >/dev/null 2>&1; exit 0"
        )
        if rc:
            return self.timer_state(token) == "confirmed"
        return True

    def rollback(self, token: str) -> str:
        p = frr_paths(self.t, token)
        q = shlex.quote
        # Claim the revert from the timer (the same atomic rename it uses).  The timer is stopped only once
        # the checkpoint has landed: a restore that fails re-arms it, so the device still reverts by itself.
        rc, out = self.sh(
            f"test -s {q(p['ckpt'])} || exit 4; "
            f"if mv {q(p['armed'])} {q(p['reverting'])} 2>/dev/null; then echo CLAIMED; exit 0; fi; "
            f"n=0; while test -e {q(p['reverting'])} && [ $n -lt 300 ]; do sleep 0.2; n=$((n+1)); done; "
            f"if test -e {q(p['reverted'])} && ! test -e {q(p['confirmed'])}; then echo TIMER; exit 0; fi; "
            f"echo RESTORE"
        )
        if rc:
            raise DriverError(f"{self.t.name}: rollback to checkpoint {token} failed (rc {rc}): {out[-300:]}")
        if "TIMER" in out and not self._not_landed(p["ckpt"]):
            return "reverted_by_timer"
        claimed = "CLAIMED" in out
        missing = self._restore(p["ckpt"])
        if missing:
            if claimed:  # give the revert back to the device's timer (still sleeping: it was not killed)
                self.sh(f"mv {q(p['reverting'])} {q(p['armed'])}")
            raise DriverError(
                f"{self.t.name}: rollback to checkpoint {token} did not land"
                f"{' (the device timer stays armed)' if claimed else ''}: {'; '.join(missing[:5])}"
            )
        self.sh(
            (f"kill $(cat {q(p['pid'])}) 2>/dev/null; " if claimed else "")
            + f"touch {q(p['reverted'])}; rm -f {q(p['reverting'])} {q(p['confirmed'])}"
        )
        return "rolled_back"

    def _not_landed(self, ckpt: str) -> list[str]:
        """What still differs between the running config and ``ckpt`` ([] = landed): byte-equal to the
        checkpoint (taken with the same command), else what ``frr-reload --test`` still finds."""
        q = shlex.quote(ckpt)
        rc, out = self.sh(f"vtysh -c 'show running-config' | sed -n '/^frr version/,$p' | cmp -s - {q} && "
                          f"echo SAME || {RELOAD} --test {q} 2>/dev/null", timeout=120)
        if rc == 0 and out.strip() == "SAME":
            return []
        return not_applied(out) if rc == 0 else [f"differs, and frr-reload --test failed (rc {rc})"]

    def _restore(self, ckpt: str) -> list[str]:
        """The checkpoint back in place: delta reload (twice: frr-reload may order deletions badly), then
        the full replace when the delta did not land.  Returns what still differs ([] = landed)."""
        q = shlex.quote(ckpt)
        for cmd in (f"{RELOAD} --reload {q}", f"{RELOAD} --reload {q}", replace_script(ckpt)):
            self.sh(cmd + " >/dev/null 2>&1", timeout=120)
            missing = self._not_landed(ckpt)
            if not missing:
                return []
        return missing

    def timer_state(self, token: str) -> str:
        p = frr_paths(self.t, token)
        q = shlex.quote
        _, out = self.sh(
            " ; ".join(
                f"test -e {q(p[s])} && echo {s}" for s in ("reverted", "confirmed", "reverting", "armed")
            )
            + "; true"
        )
        found = out.split()
        return found[0] if found else "none"

    def facts(self) -> dict[str, Any]:
        _, out = self.sh(_FACTS_CMD, timeout=20)
        return _frr_facts(out)


# One vtysh process for both (each vtysh start costs ~45 ms CPU: it builds FRR's whole CLI graph).
_FACTS_CMD = "vtysh -c 'show bgp summary json' -c 'show ip route summary json' -c 'show interface json'"
_SNAP_CMD = _FACTS_CMD.replace("vtysh", "vtysh -c 'show running-config no-header'", 1)


def _json_docs(text: str) -> list[Any]:
    """The JSON documents vtysh printed one after the other (one per -c command); a daemon that is not
    running prints a line of text instead, which is skipped."""
    import json

    dec, docs, i = json.JSONDecoder(), [], 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        try:
            doc, i = dec.raw_decode(text, i)
            docs.append(doc)
        except ValueError:
            nl = text.find("\n", i)
            i = len(text) if nl < 0 else nl + 1
    return docs


def _frr_facts(out: str) -> dict[str, Any]:
    """Gate facts (see Driver.facts) from vtysh's JSON: BGP summary, route summary, interfaces."""
    facts: dict[str, Any] = {"bgp": {}, "routes": 0, "interfaces": {}, "bgp_peers": {},
                             "interface_detail": {}}
    for doc in _json_docs(out):
        if not isinstance(doc, dict):
            continue
        if "routesTotal" in doc:
            facts["routes"] = int(doc.get("routesTotal") or 0)
        elif isinstance(doc.get("ipv4Unicast"), dict):
            peers = doc["ipv4Unicast"].get("peers") or {}
            facts["bgp"] = {ip: p.get("state") == "Established" for ip, p in peers.items()}
            facts["bgp_peers"] = {
                ip: {"up": p.get("state") == "Established", "remote_as": p.get("remoteAs"),
                     "uptime": p["peerUptimeMsec"] / 1000 if p.get("state") == "Established"
                     and isinstance(p.get("peerUptimeMsec"), int) else None}
                for ip, p in peers.items()
            }
        elif doc and all(isinstance(v, dict) and "administrativeStatus" in v for v in doc.values()):
            facts["interfaces"] = {n: v.get("operationalStatus") == "up" for n, v in doc.items()}
            facts["interface_detail"] = {
                n: {"admin_up": v.get("administrativeStatus") == "up", "mtu": v.get("mtu")}
                for n, v in doc.items()
            }
    return facts
