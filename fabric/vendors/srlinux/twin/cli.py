"""SR Linux CLI commands as the JSON-RPC ``cli`` method runs them (one CLI session per request).

Modelled: ``enter candidate [private|exclusive] [name N]`` / ``enter running``, ``/``, ``exit [all]``,
context blocks (``interface ethernet-1/1 {`` ... ``}``, pasted ``info`` text), ``set`` / ``delete``
(absolute ``/ ...`` or relative to the context) and implicit sets in candidate mode, ``info [flat]
[from running|candidate|state] [path]`` (``| as json``), ``diff``, ``commit now|stay|save|checkpoint|
validate|confirmed [timeout N] [comment C]``, ``discard now|stay``, ``load checkpoint name|id X``,
``save startup``, ``tools system configuration generate-checkpoint|confirmed-accept|confirmed-reject``,
``show version``. Anything else gets SR Linux's ``Parsing error: Unknown token``.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from fabric.vendors.srlinux.twin.config import (
    TOP,
    Config,
    ConfigError,
    Step,
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
        if cmd == "show" and words[1:] == ["version"]:
            v = show_version(self.twin)
            return v if fmt == "json" else {"text": _table(v["basic system info"])}
        if cmd == "show":
            raise _unknown(words[1] if len(words) > 1 else "show", ["version"])
        # a path typed in candidate mode: a context to enter (``... {`` or no value) or an implicit set
        if self.cand is not None and (self.ctx or cmd in TOP):
            if words[-1] == "{":
                self._check_path(words[:-1])
                self.ctx.append(words[:-1])
                _walk_words(self.cand.config.data, self._words(), top_check=False)
                return {}
            return self._edit(words, delete=False, relative=True)
        raise _unknown(cmd, list(COMMANDS) + (list(TOP) if self.cand is not None else []))

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
        return {"text": part.flat() if flat else part.info()}

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
