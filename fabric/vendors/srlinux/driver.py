"""SR Linux rollout driver: JSON-RPC (HTTPS, Basic auth) with SR Linux's own confirmed commit.

Only documented JSON-RPC methods are used: ``cli`` for what the CLI does best (``info flat``, a named
private candidate fed the flat ``set``/``delete`` lines, ``diff``, ``commit confirmed timeout <s>``,
checkpoints, ``tools system configuration confirmed-accept|confirmed-reject``) and ``get`` on the
state datastore for the commit/checkpoint lists and the gate facts. A replace is ``delete /`` then the
candidate in the same candidate, so the candidate must carry the management plane it relies on.

The device reverts by itself unless ``confirm`` comes in time. Before each change a checkpoint named
after the rollout token is generated; its comment records the newest commit id at that moment, so
the token's commit is the first later one in ``/system/configuration/commit`` (the JSON-RPC commit
carries no comment): its status tells ``timer_state`` armed (unconfirmed), confirmed or reverted. A
rollback rejects a pending commit, or loads that checkpoint and checks that it landed.

Tested against the SR Linux twin's JSON-RPC server (tests/vendors/srlinux/test_driver.py); the
facts parser against real SR Linux replies recorded by napalm-srlinux.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import re
import ssl
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

from fabric.rollout.drivers import Driver, DriverError, Target

# module prefixes only: a bare ``[\w-]+:`` would also eat the first group of an IPv6 address
_PREFIX = re.compile(r"^(?:srl_nokia|srl|openconfig|ietf|iana)[\w-]*:")
_BASE = re.compile(r"base-commit (\d+)")
# /system/configuration/commit status -> timer state (anything else: the commit was undone)
_STATUS = {"unconfirmed": "armed", "complete": "confirmed", "completed": "confirmed",
           "confirmed": "confirmed"}


def _strip(s: str) -> str:
    return _PREFIX.sub("", s)


def _name(token: str) -> str:
    """A token as an SR Linux checkpoint/candidate name (no quoting needed on the CLI)."""
    return "netfabric-" + re.sub(r"[^A-Za-z0-9_-]", "-", token)[:60]


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text(result: Any) -> str:
    """A ``cli`` result with output-format text: ``{"text": ...}`` (or a bare string)."""
    if isinstance(result, dict):
        return str(result.get("text", ""))
    return "" if result is None else str(result)


def _int(v: Any) -> int | None:
    try:
        return int(v)  # uint64 leaves are strings in SR Linux JSON
    except (TypeError, ValueError):
        return None


def _time(s: Any) -> dt.datetime | None:
    if not isinstance(s, str) or not s:
        return None
    try:
        return dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        return None


def srlinux_commands(timeout: int, name: str = "netfabric") -> dict[str, list[str]]:
    """The CLI commands of a change (each ``cli`` request starts in running mode at the root)."""
    return {
        # a named private candidate: a commit confirmed keeps its session until accepted or rejected
        "begin": [f"enter candidate private name {name}", "/"],
        "commit": [f"commit confirmed timeout {max(1, int(timeout))}"],
        "confirm": ["tools system configuration confirmed-accept"],
        "rollback": ["tools system configuration confirmed-reject"],
    }


# ------------------------------------------------------------------------------ reply navigation
def _unprefixed(x: Any) -> Any:
    """A reply without module prefixes (members and identity values)."""
    if isinstance(x, dict):
        return {_strip(k): _unprefixed(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_unprefixed(v) for v in x]
    return _strip(x) if isinstance(x, str) else x


def _entries(reply: Any, path: list[tuple[str, dict[str, str]]]) -> list[dict[str, Any]]:
    """The entries at the end of ``path`` in a ``get`` reply, whatever the reply's root is: SR Linux
    roots a reply at the parent of the first list selected by a wildcard, so leading steps may be
    absent; a step present as a list keeps the entries matching its keys."""
    nodes: list[Any] = [reply]
    for name, keys in path:
        nxt: list[Any] = []
        for n in nodes:
            if not isinstance(n, dict):
                continue
            if name not in n:
                nxt.append(n)  # the reply starts below this step
                continue
            child = n[name]
            items = child if isinstance(child, list) else [child]
            nxt += [e for e in items if isinstance(e, dict)
                    and all(str(e.get(k)) == v for k, v in keys.items())]
        nodes = nxt
    last = path[-1][0]
    # a node that never had the last step is not an entry (an empty reply: nothing configured)
    return [n for n in nodes if isinstance(n, dict) and last not in n and n]


def _walk(x: Any, list_name: str) -> Iterator[dict[str, Any]]:
    """Every entry of a list called ``list_name`` anywhere in a reply."""
    if isinstance(x, dict):
        for k, v in x.items():
            if k == list_name and isinstance(v, list):
                yield from (e for e in v if isinstance(e, dict))
            else:
                yield from _walk(v, list_name)
    elif isinstance(x, list):
        for v in x:
            yield from _walk(v, list_name)


_DEFAULT = [("network-instance", {"name": "default"})]
BGP_PATH = "/network-instance[name=default]/protocols/bgp/neighbor[peer-address=*]"
IF_PATH = "/interface[name=*]"
ROUTES_PATH = "/network-instance[name=default]/route-table/ipv4-unicast/statistics"
INFO_PATH = "/system/information"
ISIS_PATH = ("/network-instance[name=default]/protocols/isis/instance[name=*]/interface[interface-name=*]"
             "/adjacency")
OSPF_PATH = ("/network-instance[name=default]/protocols/ospf/instance[name=*]/area[area-id=*]"
             "/interface[interface-name=*]/neighbor")


def srlinux_facts(bgp: Any, interfaces: Any, routes: Any, info: Any) -> dict[str, Any]:
    """Gate facts (see Driver.facts) from the ``get`` replies (state datastore) of BGP_PATH, IF_PATH,
    ROUTES_PATH and INFO_PATH, as SR Linux gives them (module prefixes or not)."""
    bgp, interfaces, routes, info = (_unprefixed(x) for x in (bgp, interfaces, routes, info))
    sysinfo = _entries(info, [("system", {}), ("information", {})])
    now = _time(sysinfo[0].get("current-datetime")) if sysinfo else None
    peers: dict[str, Any] = {}
    path = [*_DEFAULT, ("protocols", {}), ("bgp", {}), ("neighbor", {})]
    for n in _entries(bgp, path[:-1]):
        for p in n.get("neighbor", []) if isinstance(n.get("neighbor"), list) else []:
            ip = str(p.get("peer-address", ""))
            if not ip:
                continue
            up = p.get("session-state") == "established"
            since = _time(p.get("last-established"))
            peers[ip] = {"up": up, "remote_as": _int(p.get("peer-as")),
                         "uptime": max(0.0, (now - since).total_seconds()) if up and now and since else None}
    oper: dict[str, bool] = {}
    detail: dict[str, Any] = {}
    for i in _walk(interfaces, "interface"):
        name = i.get("name")
        if not isinstance(name, str) or "admin-state" not in i and "oper-state" not in i:
            continue  # a network-instance's interface reference, not an interface
        oper[name] = i.get("oper-state") == "up"
        detail[name] = {"admin_up": i.get("admin-state", "enable") == "enable", "mtu": _int(i.get("mtu"))}
    stats = _entries(routes, [*_DEFAULT, ("route-table", {}), ("ipv4-unicast", {}), ("statistics", {})])
    active = _int(stats[0].get("active-routes")) if stats else None
    return {"bgp": {ip: p["up"] for ip, p in peers.items()}, "bgp_peers": peers, "routes": active or 0,
            "interfaces": oper, "interface_detail": detail}


def adjacencies(reply: Any, list_name: str, up: str) -> dict[str, int]:
    """IS-IS (``adjacency``) or OSPF (``neighbor``) adjacency counts from a state ``get`` reply."""
    adj = [e for e in _walk(_unprefixed(reply), list_name) if "adjacency-state" in e]
    return {"up": sum(str(e["adjacency-state"]).lower() == up for e in adj), "total": len(adj)}


# ------------------------------------------------------------------------------------------ driver
class SrlinuxDriver(Driver):
    platform = "srlinux"
    # Lab certificates are self-signed (containerlab's own CA): not verified, as NAPALM's eos driver
    # (pyeapi) and napalm-srlinux's skip_verify do. Credentials still only travel over TLS.
    verify_tls = False
    request_timeout = 60.0

    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self._ids = 0
        # one TLS context for the driver's life (creating one loads the CA store: per request it was
        # the costliest part of a small call)
        self._tls = ssl.create_default_context()
        if not self.verify_tls:
            self._tls.check_hostname, self._tls.verify_mode = False, ssl.CERT_NONE

    # ---- transport
    def _url(self) -> str:
        return f"https://{self.t.address}:{self.t.port or 443}/jsonrpc"

    def _rpc(self, method: str, params: dict[str, Any]) -> list[Any]:
        self._ids += 1
        body = json.dumps({"jsonrpc": "2.0", "id": self._ids, "method": method, "params": params}).encode()
        req = urllib.request.Request(self._url(), data=body, method="POST")
        auth = base64.b64encode(f"{self.t.username}:{self.t.password}".encode()).decode()
        req.add_header("Authorization", f"Basic {auth}")
        req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=self.request_timeout, context=self._tls) as r:
                reply = json.loads(r.read().decode())
        except urllib.error.HTTPError as e:
            raise DriverError(f"{self.t.name}: JSON-RPC {method}: HTTP {e.code} {e.reason}") from None
        except (urllib.error.URLError, OSError, TimeoutError) as e:
            reason = getattr(e, "reason", e)
            raise DriverError(f"{self.t.name}: JSON-RPC to {self.t.address} failed: "
                              f"{reason.__class__.__name__}", unreachable=True) from None
        except ValueError:
            raise DriverError(f"{self.t.name}: JSON-RPC {method}: the reply is not JSON") from None
        if reply.get("error"):
            err = reply["error"]
            raise DriverError(f"{self.t.name}: {err.get('message') or err}")
        result = reply.get("result")
        return result if isinstance(result, list) else [result]

    def _cli(self, commands: list[str]) -> list[Any]:
        return self._rpc("cli", {"commands": commands, "output-format": "text"})

    def _state(self, *paths: str) -> list[Any]:
        return self._rpc("get", {"commands": [{"path": p, "datastore": "state"} for p in paths]})

    def _discard(self, candidate: str) -> None:
        """A named private candidate emptied (it outlives the request: a stale one would be reused)."""
        self._cli([f"enter candidate private name {candidate}", "discard now"])

    @staticmethod
    def _lines(candidate: str) -> list[str]:
        return [ln.strip() for ln in candidate.splitlines() if ln.strip() and not ln.strip().startswith("#")]

    # ---- configuration
    def running(self) -> str:
        return _text(self._cli(["info flat from running"])[0])

    def normalise_config(self, text: str) -> str:
        return flat_form(text)

    def _candidate_diff(self, candidate: str, mode: str, name: str) -> str:
        self._discard(name)
        try:
            pre = ["delete /"] if mode != "merge" else []
            out = self._cli([*srlinux_commands(0, name)["begin"], *pre, *self._lines(candidate), "diff"])
        finally:
            self._discard(name)
        return _text(out[-1]).strip()

    def diff(self, candidate: str, mode: str) -> str:
        return self._candidate_diff(candidate, mode, "netfabric-diff")

    def _commits(self) -> list[dict[str, Any]]:
        (reply,) = self._state("/system/configuration/commit[id=*]")
        return [c for c in _walk(_unprefixed(reply), "commit") if _int(c.get("id")) is not None]

    def _checkpoint(self, token: str) -> dict[str, Any] | None:
        (reply,) = self._state("/system/configuration/checkpoint[id=*]")
        return next((c for c in _walk(_unprefixed(reply), "checkpoint") if c.get("name") == _name(token)),
                    None)

    def commit_confirmed(self, candidate: str, mode: str, timeout: int, token: str) -> None:
        commits = self._commits()
        if any(c.get("status") == "unconfirmed" for c in commits):
            raise DriverError(f"{self.t.name}: a confirmed commit is already waiting for confirmation")
        base = max((_int(c["id"]) or 0 for c in commits), default=0)
        name = _name(token)
        # The rollback anchor first: nothing is committed unless it is there.
        self._cli([f"/tools system configuration generate-checkpoint name {name} "
                   f"comment {_quote(f'netfabric {token} base-commit {base}')}"])
        if self._checkpoint(token) is None:
            raise DriverError(f"{self.t.name}: checkpoint {name} was not created; nothing committed")
        self._discard(name)
        pre = ["delete /"] if mode != "merge" else []
        c = srlinux_commands(timeout, name)
        try:
            self._cli([*c["begin"], *pre, *self._lines(candidate), *c["commit"]])
        except DriverError:
            self._discard(name)  # a refused line or commit: the candidate must not carry it further
            raise
        if mode != "merge":
            # A replace is checked here (fabric.rollout.applied leaves it to the driver): the same
            # candidate diffed against what now runs must be empty.
            left = self._candidate_diff(candidate, mode, "netfabric-verify")
            if left:
                raise DriverError(f"{self.t.name}: after the replace the running config still differs "
                                  f"from the candidate: {left[:300]}")

    def _ours(self, token: str) -> dict[str, Any] | None:
        """The commit of ``token``: the first one after the base its checkpoint recorded."""
        cp = self._checkpoint(token)
        if cp is None:
            return None
        m = _BASE.search(str(cp.get("comment", "")))
        base = int(m.group(1)) if m else 0
        later = [c for c in self._commits() if (_int(c["id"]) or 0) > base
                 and c.get("user", self.t.username) == self.t.username]
        return min(later, key=lambda c: _int(c["id"]) or 0) if later else None

    def timer_state(self, token: str) -> str:
        ours = self._ours(token)
        if ours is None:
            return "none"
        return _STATUS.get(str(ours.get("status", "")), "reverted")

    def confirm(self, token: str) -> bool:
        state = self.timer_state(token)
        if state == "armed":
            with contextlib.suppress(DriverError):  # the timer fired meanwhile: the state below says so
                self._cli(srlinux_commands(0)["confirm"])
            state = self.timer_state(token)
        if state == "confirmed":
            self._discard(_name(token))
        return state == "confirmed"

    def rollback(self, token: str) -> str:
        state = self.timer_state(token)
        name = _name(token)
        if state == "none":
            return "rolled_back"  # no checkpoint: the change never reached a commit
        if state == "armed":
            try:
                self._cli(srlinux_commands(0)["rollback"])
            except DriverError:
                if self.timer_state(token) != "reverted":
                    raise
                return "reverted_by_timer"  # the device's timer was quicker
            self._discard(name)
            return "rolled_back"
        if state == "reverted":
            return "reverted_by_timer"
        # confirmed: back to the checkpoint taken before the change, then check it landed
        self._discard(name)
        try:
            self._cli([f"enter candidate private name {name}", f"load checkpoint name {name}", "commit now"])
        finally:
            self._discard(name)
        verify = "netfabric-verify"
        self._discard(verify)
        try:
            left = _text(self._cli([f"enter candidate private name {verify}",
                                    f"load checkpoint name {name}", "diff"])[-1]).strip()
        finally:
            self._discard(verify)
        if left:
            raise DriverError(f"{self.t.name}: rollback to checkpoint {name} did not land: {left[:300]}")
        return "rolled_back"

    # ---- state
    def facts(self) -> dict[str, Any]:
        """Gate facts (see Driver.facts) from the state datastore; IS-IS/OSPF adjacencies when the
        device answers for them (an unconfigured protocol may be an error)."""
        bgp, ifs, routes, info = self._state(BGP_PATH, IF_PATH, ROUTES_PATH, INFO_PATH)
        facts = srlinux_facts(bgp, ifs, routes, info)
        for path, key, lst, up in ((ISIS_PATH, "isis", "adjacency", "up"),
                                   (OSPF_PATH, "ospf", "neighbor", "full")):
            try:
                (reply,) = self._state(path)
            except DriverError as e:
                if e.unreachable:
                    raise
                continue
            counts = adjacencies(reply, lst, up)
            if counts["total"]:
                facts[key] = counts
        return facts


def flat_form(text: str) -> str:
    """``info flat`` as compared before/after a rollback, and as the config_applied gate reads a merge of
    ``set``/``delete`` lines against it: comments, blank lines and the older ``set /interface`` spelling
    (SR Linux before 23.10) aside."""
    out = []
    for raw in text.splitlines():
        line = raw.rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        out.append(re.sub(r"^(set|delete) /(?=\S)", r"\1 / ", line.strip()))
    return "\n".join(out) + "\n"
