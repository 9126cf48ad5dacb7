"""SR Linux CLI commands as the JSON-RPC ``cli`` method runs them (one CLI session per request).

Modelled: ``enter candidate [private|exclusive] [name N]`` / ``enter running``, ``/``, ``exit [all]``,
context blocks (``interface ethernet-1/1 {`` ... ``}``, pasted ``info`` text), ``set`` / ``delete``
(absolute ``/ ...`` or relative to the context) and implicit sets in candidate mode, ``info [flat]
[from running|candidate|state] [path]`` (``| as json``), ``diff``, ``commit now|stay|save|checkpoint|
validate|confirmed [timeout N] [comment C]``, ``discard now|stay``, ``load checkpoint name|id X``,
``save startup``, ``tools system configuration generate-checkpoint|confirmed-accept|confirmed-reject``,
``show version|interface [brief]|network-instance N protocols bgp neighbor|system lldp
neighbor`` (from the state datastore). Anything else gets SR Linux's ``Parsing error: Unknown token``.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from fabric.vendors.srlinux.twin.config import (
    TOP,
    Config,
    ConfigError,
    Step,
    _info_lines,
    _split_brackets,
    _unknown,
    _walk_words,
    canonical,
    clean,
    get_at,
    keys_of,
    tokens,
    typed,
)
from fabric.vendors.srlinux.twin.session import SRL_VERSION, Candidate, SessionError

if TYPE_CHECKING:
    from fabric.vendors.srlinux.twin.twin import SrlinuxTwin

COMMANDS = ("back", "commit", "delete", "diff", "discard", "enter", "exit", "info", "load", "save", "set",
            "show", "tools")
CHASSIS = "7220 IXR-D2L"  # containerlab's default SR Linux type (ixrd2l)


def cli_steps(words: list[str]) -> list[Step]:
    """CLI words (``interface ethernet-1/1 subinterface 0``) -> path steps."""
    steps: list[Step] = []
    parent, i = "", 0
    while i < len(words):
        w = words[i]
        keys = keys_of(parent, w)
        if keys is not None and i + 1 < len(words):
            kv: dict[str, str] = {}
            j = i + 1
            for n, k in enumerate(keys):
                if n > 0 and j < len(words) and words[j] == k:
                    j += 1
                if j < len(words):
                    kv[k] = words[j]
                    j += 1
            steps.append((w, kv))
            parent, i = w, j
        else:
            steps.append((w, {}))
            parent, i = w, i + 1
    return steps


def prune(data: dict[str, Any], steps: list[Step]) -> dict[str, Any]:
    """The tree cut down to one path (for ``info <path>``), parents kept."""
    if not steps:
        return data
    name, kv = steps[0]
    if name not in data:
        return {}
    child = data[name]
    if isinstance(child, list) and child and isinstance(child[0], dict):
        entries = [e for e in child if all(v == "*" or str(e.get(k)) == v for k, v in kv.items())]
        if len(steps) > 1:
            keys = set(kv)
            entries = [{**{k: v for k, v in e.items() if k in keys}, **sub} for e in entries
                       if (sub := prune({k: v for k, v in e.items() if k not in keys}, steps[1:]))]
        return {name: entries} if entries else {}
    if len(steps) == 1:
        return {name: child}
    sub = prune(child, steps[1:]) if isinstance(child, dict) else {}
    return {name: sub} if sub else {}


def show_version(twin: SrlinuxTwin) -> dict[str, Any]:
    return {"basic system info": {
        "Hostname": twin.hostname,
        "Chassis Type": CHASSIS,
        "Part Number": "Sim Part No.",
        "Serial Number": "Sim Serial No.",
        "System HW MAC Address": twin.mac,
        "OS": "SR Linux",
        "Software Version": SRL_VERSION.split("-")[0],
        "Build Number": SRL_VERSION.split("-", 1)[1],
        "Architecture": "x86_64",
        "Last Booted": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(twin.boot_time)),
    }}


SHOW = ("interface", "network-instance", "system", "version")


def show(twin: SrlinuxTwin, args: list[str], fmt: str) -> Any:
    """``show`` commands, rendered from the state datastore (``twin.state_tree()``): whatever live state
    it carries (oper-state, BGP sessions, LLDP neighbors) shows; what it lacks shows as ``-``."""
    if args == ["version"]:
        v = show_version(twin)
        return v if fmt == "json" else {"text": _table(v["basic system info"])}
    if not args or args[0] not in SHOW:
        raise _unknown(args[0] if args else "show", SHOW)
    state = twin.state_tree()
    if args[0] == "interface":
        brief = args[-1:] == ["brief"]
        names = args[1:-1] if brief else args[1:]
        if len(names) > 1:
            raise _unknown(names[1], ["brief"])
        itfs = [i for i in state.get("interface", []) if not names or i.get("name") == names[0]]
        if names and not itfs:
            raise ConfigError(f"Error: Interface '{names[0]}' does not exist")  # wording approximated
        if fmt == "json":
            return {"interface": itfs}
        return {"text": _show_interface_brief(itfs) if brief else _show_interface(itfs, state)}
    if args[0] == "network-instance":
        if len(args) < 2:
            raise ConfigError("Parsing error: Incomplete command: a value for 'name' is needed")
        rest = args[2:]
        if rest[:3] != ["protocols", "bgp", "neighbor"] or len(rest) > 4:
            raise _unknown((rest or ["network-instance"])[min(len(rest), 3) - 1 if rest else 0],
                           ["protocols"] if not rest else ["bgp", "neighbor"])
        nis = [n for n in state.get("network-instance", []) if args[1] in ("*", n.get("name"))]
        if not nis:
            raise ConfigError(f"Error: Network-instance '{args[1]}' does not exist")  # wording approximated
        peers = [(n, p) for n in nis for p in n.get("protocols", {}).get("bgp", {}).get("neighbor", [])
                 if len(rest) < 4 or p.get("peer-address") == rest[3]]
        if fmt == "json":
            return {"neighbor": [{"network-instance": n["name"], **p} for n, p in peers]}
        return {"text": _show_bgp_neighbors(nis, peers)}
    if args[1:] != ["lldp", "neighbor"]:
        raise _unknown(args[1] if len(args) > 1 else "system", ["lldp"])
    rows = [(i.get("name", ""), nb) for i in state.get("system", {}).get("lldp", {}).get("interface", [])
            for nb in i.get("neighbor", [])]
    if fmt == "json":
        return {"neighbor": [{"name": n, **nb} for n, nb in rows]}
    return {"text": _grid(["Name", "Neighbor", "Neighbor System Name", "Neighbor Chassis ID",
                           "Neighbor First Message", "Neighbor Last Update", "Neighbor Port"],
                          [[n, nb.get("id", "-"), nb.get("system-name", "-"), nb.get("chassis-id", "-"),
                            nb.get("first-message", "-"), nb.get("last-update", "-"), nb.get("port-id", "-")]
                           for n, nb in rows])}


def _grid(head: list[str], rows: list[list[Any]]) -> str:
    """SR Linux's boxed tables (``+---+`` rules, ``+===+`` under the header)."""
    cells = [[str(c) for c in r] for r in rows]
    width = [max([len(h)] + [len(r[i]) for r in cells]) + 2 for i, h in enumerate(head)]

    def rule(c: str) -> str:
        return "+" + "+".join(c * w for w in width) + "+\n"

    def line(r: list[str], center: bool = False) -> str:
        pairs = zip(r, width, strict=True)
        return "|" + "|".join((v.center(w) if center else " " + v.ljust(w - 1)) for v, w in pairs) + "|\n"

    return rule("-") + line(head, True) + rule("=") + "".join(line(r) for r in cells) + rule("-")


def _subs(itf: dict[str, Any]) -> list[dict[str, Any]]:
    return [{**s, "name": s.get("name") or f"{itf['name']}.{s.get('index', 0)}"}
            for s in itf.get("subinterface", [])]


def _show_interface_brief(itfs: list[dict[str, Any]]) -> str:
    rows = [[i["name"], i.get("admin-state", "enable"), i.get("oper-state", "-"),
             i.get("ethernet", {}).get("port-speed", "-") if i["name"].startswith("ethernet") else "-",
             i.get("description", "")] for i in itfs]
    return _grid(["Port", "Admin State", "Oper State", "Speed", "Description"], rows)


def _show_interface(itfs: list[dict[str, Any]], state: dict[str, Any]) -> str:
    owner = {str(i): n.get("name", "") for n in state.get("network-instance", [])
             for i in (x.get("name") for x in n.get("interface", []))}
    rule, out = "=" * 93 + "\n", ""
    for i in itfs:
        speed = i.get("ethernet", {}).get("port-speed")
        out += rule + f"{i['name']} is {i.get('oper-state', 'down')}"
        out += (f", speed {speed}" if speed else "") + "\n"
        for s in _subs(i):
            out += f"  {s['name']} is {s.get('oper-state', 'down')}\n"
            out += f"    Network-instance: {owner.get(s['name'], '-')}\n"
            for fam in ("ipv4", "ipv6"):
                for a in s.get(fam, {}).get("address", []):
                    out += f"    {fam.upper()} addr    : {a.get('ip-prefix')} ({a.get('origin', 'static')})\n"
    return out + rule if out else ""


def _show_bgp_neighbors(nis: list[dict[str, Any]], peers: list[tuple[dict[str, Any], dict[str, Any]]]) -> str:
    rows = []
    for ni, p in peers:
        bgp = ni.get("protocols", {}).get("bgp", {})
        groups = [g for g in bgp.get("group", []) if g.get("group-name") == p.get("peer-group")]
        group: dict[str, Any] = groups[0] if groups else {}
        peer_as = p.get("peer-as", group.get("peer-as", "-"))
        afi = [a.get("afi-safi-name", "") for a in p.get("afi-safi", []) or bgp.get("afi-safi", [])
               if a.get("admin-state", "enable") == "enable"]
        routes = ["[" + "/".join(str(a.get(f"{k}-routes", "-")) for k in ("received", "active", "sent")) + "]"
                  for a in p.get("afi-safi", []) if "received-routes" in a]
        rows.append([ni.get("name", ""), p.get("peer-address", ""), p.get("peer-group", "-"), "S", peer_as,
                     p.get("session-state", "-"), p.get("last-established", "-"),
                     ", ".join(afi) or "-", " ".join(routes) or "-"])
    head = "-" * 93 + "\n"
    title = "".join(f'BGP neighbor summary for network-instance "{n.get("name")}"\n' for n in nis)
    flags = "Flags: S static, D dynamic, L discovered by LLDP, B BFD enabled, - disabled, * slow\n"
    return (head + title + flags + head
            + _grid(["Net-Inst", "Peer", "Group", "Flags", "Peer-AS", "State", "Uptime", "AFI/SAFI",
                     "[Rx/Active/Tx]"], rows)
            + f"Summary:\n{len(rows)} configured neighbors, "
            + f"{sum(r[5] == 'established' for r in rows)} configured sessions are established\n")


def _table(d: dict[str, Any]) -> str:
    width = max(len(k) for k in d)
    rule = "-" * 78 + "\n"
    return rule + "".join(f"{k.ljust(width)} : {v}\n" for k, v in d.items()) + rule


class CliSession:
    """One CLI session: its mode (running or a candidate) and its context path."""

    def __init__(self, twin: SrlinuxTwin, user: str) -> None:
        self.twin = twin
        self.store = twin.store
        self.user = user
        self.cand: Candidate | None = None
        self.ctx: list[list[str]] = []  # the CLI words of each context level

    def close(self) -> None:
        if self.cand is not None:
            self.store.leave(self.cand)
            self.cand = None

    def _words(self) -> list[str]:
        return sum(self.ctx, [])

    def _need_candidate(self, what: str) -> Candidate:
        if self.cand is None:
            # wording approximated (SR Linux refuses configuration commands in running mode)
            raise ConfigError(f"Error: '{what}' is only available in candidate mode: use 'enter candidate'")
        return self.cand

    async def run(self, line: str, fmt: str = "json") -> Any:
        """One command; its result as the JSON-RPC ``cli`` method returns it for ``fmt``."""
        words = _split_brackets(tokens(line))
        if not words:
            return {}
        pipe_json = False
        if "|" in words:
            at = words.index("|")
            if words[at + 1:] != ["as", "json"]:
                raise _unknown(" ".join(words[at + 1:at + 2]) or "|", ["as"])
            words, pipe_json = words[:at], True
        if words[0].startswith("/") and words[0] != "/":
            words = [words[0][1:]] + words[1:]  # ``/tools ...``: from the root context
            self.ctx = []
        cmd = words[0]
        if cmd == "/":
            self.ctx = []
            if len(words) > 1:
                return await self.run(" ".join(_quote(w) for w in words[1:]), fmt)
            return {}
        if cmd == "}":
            if self.ctx:
                self.ctx.pop()
            return {}
        if cmd == "exit":
            self.ctx = [] if words[1:] == ["all"] else self.ctx[:-1]
            return {}
        if cmd == "enter":
            return self._enter(words[1:])
        if cmd in ("set", "delete"):
            return self._edit(words[1:], delete=cmd == "delete")
        if cmd == "info":
            return self._info(words[1:], fmt, pipe_json)
        if cmd == "diff":
            cand = self._need_candidate("diff")
            return self._text(self.store.diff(cand), fmt)
        if cmd == "commit":
            return await self._commit(words[1:])
        if cmd == "discard":
            cand = self._need_candidate("discard")
            self.store.discard(cand)
            if words[1:2] != ["stay"]:
                self.close()
            return {}
        if cmd == "load" and words[1:2] == ["checkpoint"]:
            cand = self._need_candidate("load")
            if len(words) != 4 or words[2] not in ("name", "id"):
                raise ConfigError("Parsing error: Incomplete command: 'load checkpoint' needs "
                                  "'name <n>' or 'id <n>'")
            self.store.load_checkpoint(cand, int(words[3]) if words[2] == "id" else words[3])
            return {}
        if cmd == "save" and words[1:] in (["startup"], ["startup", "now"]):
            self.store.save_startup()
            return self._text("/system:\n    Saved current running configuration as initial (startup) "
                              "configuration '/etc/opt/srlinux/config.json'\n", fmt)
        if cmd == "tools":
            return await self._tools(words[1:])
        if cmd == "show":
            return show(self.twin, words[1:], "json" if pipe_json else fmt)
        # a path typed: a context to enter (``... {``, a list entry or an existing container) or, in
        # candidate mode, an implicit set
        if self.ctx or cmd in TOP:
            if words[-1] == "{" or self._is_context(words):
                path = words[:-1] if words[-1] == "{" else words
                self._check_path(path)
                if self.cand is not None:
                    _walk_words(self.cand.config.data, self._words() + path, top_check=False)
                self.ctx.append(path)
                return {}
            if self.cand is not None:
                return self._edit(words, delete=False, relative=True)
        raise _unknown(cmd, list(COMMANDS) + list(TOP))

    def _is_context(self, words: list[str]) -> bool:
        """A list entry (``interface ethernet-1/1``) or a container the configuration has."""
        steps = cli_steps(self._words() + words)
        if not steps:
            return False
        name, kv = steps[-1]
        if kv and len(kv) == len(keys_of(steps[-2][0] if len(steps) > 1 else "", name) or ()):
            return True
        data = (self.cand.config if self.cand is not None else self.store.running).data
        got = get_at(canonical(data), steps)
        return isinstance(got, dict) and bool(got)

    def _check_path(self, words: list[str]) -> None:
        if not self.ctx and words and words[0] not in TOP:
            raise _unknown(words[0], TOP)

    def _enter(self, args: list[str]) -> Any:
        if args[:1] == ["running"]:
            self.close()
            return {}
        if args[:1] != ["candidate"]:
            raise _unknown(args[0] if args else "enter", ["candidate", "running", "show", "state"])
        kind, name = "shared", None
        rest = args[1:]
        if rest[:1] in (["private"], ["exclusive"]):
            kind, rest = rest[0], rest[1:]
        if rest[:1] == ["name"] and len(rest) >= 2:
            name, rest = rest[1], rest[2:]
        if rest:
            raise _unknown(rest[0], ["exclusive", "name", "private"])
        self.close()
        self.cand = self.store.enter(kind, name, self.user)
        self.ctx = []
        return {}

    def _edit(self, words: list[str], delete: bool, relative: bool = False) -> Any:
        cand = self._need_candidate("delete" if delete else "set")
        if words and words[0] == "/":
            path = words[1:]
        elif words and words[0].startswith("/"):
            path = [words[0][1:]] + words[1:]
        else:
            path = self._words() + words
        if not path:
            if delete:
                cand.config.data.clear()
                return {}
            raise ConfigError("Parsing error: Incomplete command")
        work = cand.config.copy()  # a failed line leaves the candidate as it was
        _walk_words(work.data, path, delete=delete)
        cand.config = Config(clean(work.data))
        return {}

    def _info(self, args: list[str], fmt: str, as_json: bool) -> Any:
        flat = False
        if args[:1] == ["flat"]:
            flat, args = True, args[1:]
        source = "candidate" if self.cand is not None else "running"
        if args[:1] == ["from"] and len(args) >= 2:
            source, args = args[1], args[2:]
            if source not in ("running", "candidate", "state"):
                raise _unknown(source, ["candidate", "running", "state"])
        if args[:1] == ["detail"]:
            args = args[1:]
        if source == "candidate":
            cand = self._need_candidate("info from candidate")
            data = cand.config.data
        elif source == "state":
            data = self.twin.state_tree()
        else:
            data = self.store.running.data
        words = self._words() + args
        if words and not self.ctx:
            self._check_path(words)
        steps = cli_steps(words)
        if fmt == "json" or as_json:
            got = get_at(canonical(data), steps)
            return got if fmt == "json" else {"text": _json_text(got)}
        part = Config(prune(canonical(data), steps))
        if flat or not self.ctx:
            return {"text": part.flat() if flat else part.info()}
        # in a context SR Linux prints what is below it, indented from the context
        ctx_steps = cli_steps(self._words())
        node = get_at(part.data, ctx_steps) if part.data else {}
        if not isinstance(node, dict):
            return {"text": ""}
        body = {k: v for k, v in node.items() if k not in ctx_steps[-1][1]}  # its keys are in the prompt
        return {"text": "".join(_info_lines(body, ctx_steps[-1][0], 1))}

    def _text(self, text: str, fmt: str) -> Any:
        return {"text": text}

    async def _commit(self, args: list[str]) -> Any:
        cand = self._need_candidate("commit")
        mode, confirmed, timeout, comment = "", False, 600, ""
        i = 0
        while i < len(args):
            a = args[i]
            if a in ("now", "stay", "save", "checkpoint", "validate") and not mode:
                mode = a
            elif a == "confirmed":
                confirmed = True
            elif a == "timeout" and i + 1 < len(args) and args[i + 1].isdigit():
                timeout, i = int(args[i + 1]), i + 1
            elif a == "comment" and i + 1 < len(args):
                comment, i = args[i + 1], i + 1
            else:
                raise _unknown(a, ["checkpoint", "comment", "confirmed", "now", "save", "stay", "validate"])
            i += 1
        if not mode and not confirmed:
            raise ConfigError("Parsing error: Incomplete command: 'commit' needs one of "
                              "['checkpoint', 'confirmed', 'now', 'save', 'stay', 'validate']")
        if mode == "validate":
            self.twin.validate(self.store.result_of(cand))
            return {}
        await self.store.commit(cand, save=mode == "save", confirmed=confirmed, timeout=timeout,
                                comment=comment, user=self.user)
        if mode == "checkpoint":
            self.store.generate_checkpoint(comment=comment, user=self.user)
        if mode in ("now", "save", "checkpoint") and not confirmed:
            self.close()  # back to running mode, as SR Linux leaves candidate mode after ``commit now``
        return {}

    async def _tools(self, args: list[str]) -> Any:
        if args[:2] != ["system", "configuration"] or len(args) < 3:
            raise _unknown(args[0] if args else "tools", ["system"])
        op, rest = args[2], args[3:]
        if op == "confirmed-accept":
            await self.store.confirmed_accept()
        elif op == "confirmed-reject":
            await self.store.confirmed_reject()
        elif op == "generate-checkpoint":
            opts = dict(zip(rest[::2], rest[1::2], strict=False))
            bad = [k for k in opts if k not in ("name", "comment")]
            if bad or len(rest) % 2:
                raise _unknown(bad[0] if bad else rest[-1], ["comment", "name"])
            cp = self.store.generate_checkpoint(opts.get("name", ""), opts.get("comment", ""), self.user)
            return {"text": f"/system/configuration/checkpoint[id=0]:\n"
                            f"    Generated checkpoint '{cp.name}'\n"}
        else:
            raise _unknown(op, ["confirmed-accept", "confirmed-reject", "generate-checkpoint"])
        return {}


def _quote(w: str) -> str:
    return f'"{w}"' if not w or any(c.isspace() for c in w) else w


def _json_text(obj: Any) -> str:
    import json

    return json.dumps(obj, indent=2) + "\n"


def value_of(leaf: str, v: Any) -> Any:
    return typed(leaf, v) if isinstance(v, str) else v


__all__ = ["CliSession", "SessionError", "cli_steps", "prune", "show_version", "value_of"]
