"""Fuzzing the command line's inputs (issue #20, "errors that lead to the fix").

Whatever an operator gets wrong -- a fabric file mangled in any way, any value of any option -- ends in
the exit-code contract (0 ok, 1 checks failed, 2 usage or bad input, 3 could not check) and, for bad
input, in one error naming the file, the key or line, and the fix. Never in a traceback.

The CLI runs in-process through its real entry point (``fabric.cli.run``, what the ``fabric`` script
calls, so errors are printed as an operator sees them) inside typer's CliRunner isolation.

Nothing leaves the test's workspace:
 * the current directory is a private copy of inventory/{dc1,backbone,dc-mixed} (and a two-node
   "deadnet"), with every management pool moved to 127.77.x.0/24 where nothing listens;
 * every state directory (lab registry, rollout journals, snapshots, compliance history, credentials)
   points into the workspace, and no NETFABRIC_* variable of the caller leaks in;
 * a socket guard refuses, in-process, any connection outside 127.77.0.0/16 and any DNS lookup (a
   fuzzed management pool must reach neither the network nor a service on this host) and records it;
 * commands that deploy, destroy, push or roll back are never run (UNSAFE below): a new command must
   be classified before this file passes (test_every_command_is_classified).

Reproducible: derandomize=True and no example database. FABRIC_FUZZ_SCALE=10 runs ten times as many
examples (a longer local hunt).
"""

from __future__ import annotations

import builtins
import contextlib
import copy
import errno
import importlib
import ipaddress
import itertools
import os
import pkgutil
import re
import shutil
import socket
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from _deadnet import dead_fabric
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from fabric.cli import command, run

ROOT = Path(__file__).resolve().parent.parent
FABRICS = ("dc1", "backbone", "dc-mixed")
SCALE = int(os.environ.get("FABRIC_FUZZ_SCALE", "1"))


def fuzz(n: int) -> settings:
    return settings(max_examples=n * SCALE, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.filter_too_much])


# Commands the fuzz runs: they read files, render, or read devices (here: nothing answers).
SAFE = frozenset({
    "build", "show", "render", "validate", "snapshot", "diff",
    "rollout plan", "rollout status", "rollout history", "rollout report",
    "compliance run", "compliance history",
    "lab inspect", "lab graph",
})
# Never run: they deploy or destroy labs, push or roll back configs, or change the host.
UNSAFE = frozenset({
    "deploy", "doctor",
    "lab deploy", "lab destroy", "lab exec", "lab scenario",
    "rollout run", "rollout resume", "rollout abort", "rollout scenario",
    "compliance remediate",
})

DEADNET = dead_fabric(leaf_tags=", tags: [edge]")
PLAYBOOK = """\
name: fuzz
targets: {}
change: {type: merge, template: "route-map FUZZ permit 10\\n"}
waves: {canary: 1, sizes: ["100%"]}
commit_confirm: 120
"""


def _loopback_mgmt(text: str) -> str:
    """172.20.N.0/24 -> 127.77.N.0/24: the fabric's devices are addresses where nothing listens."""
    return re.sub(r"(mgmt:\s*)172\.20\.(\d+)\.0/24", r"\g<1>127.77.\2.0/24", text)


BASE_TEXT = {n: _loopback_mgmt((ROOT / "inventory" / n / "fabric.yaml").read_text()) for n in FABRICS}
BASE_DATA = {name: yaml.safe_load(text) for name, text in BASE_TEXT.items()}
assert all("127.77." in t for t in BASE_TEXT.values())


# ---------------------------------------------------------------------------------------- the sandbox


DEAD = ipaddress.ip_network("127.77.0.0/16")


class NetworkGuard:
    """Refuse, in this process, every connection outside 127.77.0.0/16 and every lookup of a name (and
    record them)."""

    def __init__(self) -> None:
        self.blocked: list[str] = []  # connections refused
        self.lookups: list[str] = []  # names not resolved (a bad URL's host): refused too, but expected
        self._connect = socket.socket.connect
        self._connect_ex = socket.socket.connect_ex
        self._getaddrinfo = socket.getaddrinfo

    @staticmethod
    def local(host: Any) -> bool:
        """127.77.0.0/16, where nothing listens (not all of 127/8: a test's twin may listen there)."""
        try:
            return ipaddress.ip_address(str(host).split("%")[0]) in DEAD
        except ValueError:
            return False

    @staticmethod
    def numeric(host: Any) -> bool:
        """A lookup that asks no name server (pyeapi resolves "localhost" for its syslog handler)."""
        if host is None or host == "localhost":
            return True
        try:
            ipaddress.ip_address(str(host).split("%")[0])
        except ValueError:
            return False
        return True

    def install(self, mp: pytest.MonkeyPatch) -> None:
        guard = self

        def connect(sock: socket.socket, address: Any) -> None:
            if isinstance(address, tuple) and not guard.local(address[0]):
                guard.blocked.append(f"connect {address}")
                raise ConnectionRefusedError(errno.ECONNREFUSED, f"blocked by the fuzz test: {address}")
            guard._connect(sock, address)

        def connect_ex(sock: socket.socket, address: Any) -> int:
            if isinstance(address, tuple) and not guard.local(address[0]):
                guard.blocked.append(f"connect {address}")
                return errno.ECONNREFUSED
            return guard._connect_ex(sock, address)

        def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
            name = host.decode() if isinstance(host, bytes) else host
            if not guard.numeric(name):
                guard.lookups.append(f"lookup {name!r}")
                raise socket.gaierror(socket.EAI_NONAME, f"blocked by the fuzz test: {name!r}")
            return guard._getaddrinfo(host, *args, **kwargs)

        mp.setattr(socket.socket, "connect", connect)
        mp.setattr(socket.socket, "connect_ex", connect_ex)
        mp.setattr(socket, "getaddrinfo", getaddrinfo)


@dataclass
class Workspace:
    root: Path
    template: Path  # what every run's current directory starts as (fabrics, topologies, playbooks, junk)
    env: dict[str, str | None]
    guard: NetworkGuard
    counter: Iterator[int]

    @contextlib.contextmanager
    def cwd(self) -> Iterator[Path]:
        """A fresh copy of the template as the current directory: what one run writes (an --output over
        a fabric file, a directory where a file was) never changes what the next one reads."""
        d = self.root / "runs" / f"cwd-{next(self.counter)}"
        shutil.copytree(self.template, d, symlinks=True)
        old = Path.cwd()
        os.chdir(d)
        try:
            yield d
        finally:
            os.chdir(old)


def _template(root: Path) -> Path:
    t = root / "template"
    for name, text in {**BASE_TEXT, "deadnet": DEADNET}.items():
        (t / "inventory" / name).mkdir(parents=True)
        (t / "inventory" / name / "fabric.yaml").write_text(text)
    (t / "containerlab").mkdir()
    for topo in ("dc1", "frr-triangle"):  # the topology and its nodes' startup configs
        shutil.copy(ROOT / "containerlab" / f"{topo}.clab.yml", t / "containerlab" / f"{topo}.clab.yml")
        shutil.copytree(ROOT / "containerlab" / topo, t / "containerlab" / topo)
    (t / "tasks").mkdir()
    shutil.copy(ROOT / "tasks" / "bgp-policy.yaml", t / "tasks" / "bgp-policy.yaml")
    (t / "tasks" / "fuzz.yaml").write_text(PLAYBOOK)
    (t / "garbage.bin").write_bytes(bytes(range(256)))
    (t / "garbage.yaml").write_text("{[: - \t\n")
    (t / "empty-dir").mkdir()
    (t / "out").mkdir()
    (t / "a-file").write_text("not a directory\n")
    (t / "bad").mkdir()
    (t / "bad" / "garbage.clab.yml").write_text("- not\n- a topology\n")
    # the one topology in the current directory: what `fabric lab ...` without -t takes
    shutil.copy(ROOT / "containerlab" / "frr-triangle.clab.yml", t / "frr-triangle.clab.yml")
    shutil.copytree(ROOT / "containerlab" / "frr-triangle", t / "frr-triangle")
    (t / "garbage.json").write_text('{"devices": 42}\n')
    return t


def _import_everything() -> None:
    """Import every fabric module now, in this thread. Under pytest they are compiled by its assertion
    rewriter (fabric ships a pytest plugin), and CPython 3.11's ast module is not safe in two threads at
    once ("SystemError: AST constructor recursion depth mismatch"): Nornir's worker threads import driver
    modules lazily. Outside pytest imports read the bytecode cache and never go through ast."""
    import fabric

    for mod in pkgutil.walk_packages(fabric.__path__, "fabric."):
        if not mod.name.endswith("__main__"):
            importlib.import_module(mod.name)


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    _import_everything()
    root = tmp_path_factory.mktemp("cli-fuzz")
    template = _template(root)
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("NETFABRIC_")}
    env.update({
        "NETFABRIC_LAB_REGISTRY": str(root / "labs"),
        "NETFABRIC_STATE_DIR": str(root / "state"),
        "NETFABRIC_SNAPSHOTS": str(root / "snapshots"),
        "NETFABRIC_SCENARIO_DIR": str(root / "scenarios"),
        "NETFABRIC_CREDENTIALS": str(root / "no-credentials.yaml"),
        # configured, so the commands that read devices get past the credential check to the devices
        # (127.77.x.y: refused at once)
        "NETFABRIC_USERNAME": "fuzz",
        "NETFABRIC_PASSWORD": "Fuzz-cli-20#",
        "NETFABRIC_OPERATOR": "fuzz",
        "HOME": str(root / "home"),
        "COLUMNS": "200",
        "NO_COLOR": "1",
    })
    guard = NetworkGuard()
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(template)
        guard.install(mp)
        # nothing answers on 127.77.x.y: retrying a refused connection after the default second only
        # slows the fuzz down (the retry itself still runs)
        import tenacity

        import fabric.state.collect as collect

        mp.setattr(collect, "wait_fixed", lambda _s: tenacity.wait_none())
        w = Workspace(root, template, env, guard, itertools.count())
        # something for diff, compliance history and the journal commands to read
        for args in (["snapshot", "deadnet", "--name", "pre"], ["snapshot", "deadnet", "--name", "post"],
                     ["compliance", "run", "deadnet", "-q"],
                     ["rollout", "plan", "tasks/fuzz.yaml", "-F", "deadnet"]):
            r = fabric(w, *args)
            assert r.code == 3 and not r.crash, r
        for journal in (template / "journal.sqlite", root / "state" / "deadnet" / "journal.sqlite"):
            _seed_journal(journal)
        mp.chdir(root)
        yield w


def _seed_journal(path: Path) -> None:
    """Two past rollouts of deadnet, as the engine writes them: one completed, one rolled back at its gate
    (written here, not by `rollout run`: the fuzz runs nothing that pushes)."""
    from fabric.rollout.journal import Journal

    j = Journal(path)
    try:
        for rid, outcome in (("fuzz-1", "completed"), ("fuzz-2", "rolled_back")):
            j.create(rid, "fuzz", "tasks/fuzz.yaml", "deadnet", "fuzz", [["leaf1"], ["spine1"]], {})
            j.set_rollout(rid, "running")
            j.event(rid, 0, None, "wave", "start", "")
            ok = outcome == "completed"
            gate = {"ok": ok, "checks": [{"name": "bgp", "ok": ok, "detail": "[/x] 1 session down"}]}
            j.device(rid, "leaf1", "committed", diff="+route-map FUZZ permit 10", platform="frr")
            # an SR OS error quotes its MD-CLI context in brackets: text, never rich markup
            j.device(rid, "leaf1", "confirmed" if ok else "rolled_back", gate=gate,
                     error=None if ok else "MINOR: MGMT_CORE #2201: [/configure router] commit failed")
            j.device(rid, "spine1", "confirmed" if ok else "untouched")
            j.event(rid, 0, None, "wave", "done" if ok else "failed", "")
            j.set_rollout(rid, outcome, {"outcome": outcome})
    finally:
        j.close()


# ------------------------------------------------------------------------------------- running the CLI


@dataclass
class Run:
    args: tuple[str, ...]
    code: int
    output: str  # stdout and stderr, as the operator sees them
    crash: str | None  # the traceback of an exception that escaped the entry point

    def __str__(self) -> str:
        args = " ".join(map(repr, self.args))
        return f"fabric {args} -> exit {self.code}\n{self.output[-3000:]}\n{self.crash or ''}"


RUNNER = CliRunner()


def fabric(w: Workspace, *args: str) -> Run:
    """``fabric ARGS`` through fabric.cli.run, in the workspace, with its environment."""
    crash = None
    code = 0
    with RUNNER.isolation(env=w.env) as (_out, _err, mixed):
        old_argv = sys.argv
        sys.argv = ["fabric", *args]
        try:
            run()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except Exception:  # what Python would print as a traceback and exit 1 for
            crash = traceback.format_exc()
            code = 1
        finally:
            sys.argv = old_argv
            sys.stdout.flush()
            sys.stderr.flush()
        output = mixed.getvalue().decode("utf-8", "replace")
    return Run(tuple(args), code, output, crash)


# Tracebacks in files this change could not touch (others were editing them), reported on issue #20 with
# their fixes: the fuzz tolerates exactly these, and the test then xfails naming them. Delete an entry when
# its fix lands; from then on the fuzz holds the line.
# Tracebacks found and not fixed yet: (innermost fabric/ file, exception) -> the bug. Empty: every one the
# fuzz found is fixed; an entry makes its test xfail, naming the bug, until the fix lands.
KNOWN_BUGS: dict[tuple[str, str], str] = {}


def known_bug(r: Run) -> str | None:
    """The KNOWN_BUGS entry of a traceback: its innermost frame in fabric/ and its exception (OSError for
    any of its subclasses)."""
    text = r.crash or r.output
    frames = re.findall(re.escape(str(ROOT)) + r'/(fabric/[\w/]+\.py)", line \d+', text)
    errors = re.findall(r"^([\w.]+(?:Error|Exception))\b", text, re.M)
    if not frames or not errors:
        return None
    name = errors[-1].rsplit(".", 1)[-1]
    cls = getattr(builtins, name, None)
    family = "OSError" if isinstance(cls, type) and issubclass(cls, OSError) else name
    return KNOWN_BUGS.get((frames[-1], family))


def no_traceback(r: Run, known: set[str]) -> bool:
    """No traceback and an exit code of the contract; False (and the bug noted in ``known``) for a known
    bug, whose run says nothing more."""
    if r.crash or "Traceback" in r.output:
        bug = known_bug(r)
        assert bug, str(r)
        known.add(bug)
        return False
    assert r.code in (0, 1, 2, 3), str(r)
    return True


def xfail_if(known: set[str]) -> None:
    if known:
        pytest.xfail("known bugs, reported on issue #20: " + "; ".join(sorted(known)))


def names_file_key_fix(r: Run, file: str) -> None:
    """The error names the file, a key or line in it (``file:12`` or ``file..., key 'x'``), and a fix."""
    assert re.search(re.escape(file) + r"(:\d+|(:\d+)?, key ')", r.output), str(r)
    assert "\n  fix: " in r.output, str(r)


CLICK_ERROR = re.compile(r"(^|\n)(Error: |╭─ Error )")  # click's usage errors, plain or drawn by typer


def has_fix(r: Run) -> None:
    """A usage error: click's own (a wrong option: it shows the usage), or a FabricError with its fix."""
    if CLICK_ERROR.search(r.output):
        return
    assert "error:" in r.output and "\n  fix: " in r.output, str(r)


def says_what_is_wrong(r: Run) -> None:
    assert CLICK_ERROR.search(r.output) or "error:" in r.output, str(r)


# ------------------------------------------------------------------------------------- fabric.yaml fuzz

BAD_NETS = ["10.0.0.0/33", "300.1.1.1/24", "10.0.0.1/24", "10.0.0.0/0", "10.0.0.0/32", "::1/128", "fe80::/64",
            "10.0.0.0", "10.0.0.0/", "/24", "10.0.0.0/24/24", "0.0.0.0/31", "255.255.255.255/32", "1-2",
            "10.0.0.0/ 24", "١٠.0.0.0/8"]
UNICODE = ["spïne1", "лиф1", "叶1", "🙂", "\u202espine1", "a\u0301", "ǅ", "ﬁ", "x" * 300, "[/x]", "[bold]x"]
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3),
    st.sampled_from([-1, 0, 65535, 2**31, 2**32, 2**63, 10**30, -(10**30)]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12), st.sampled_from(BAD_NETS + UNICODE),
    st.sampled_from(["eos", "frr", "junos", "srlinux", "sros", "iosxr", "clos", "backbone", "leaf", "spine",
                     "ebgp", "isis", "ospf", "65101-65199", "spine1:Ethernet1"]),
)
wrong_values = st.one_of(
    scalars,
    st.lists(scalars, max_size=3),
    st.dictionaries(st.one_of(st.text(max_size=6), st.integers(-2, 2)), scalars, max_size=3),
)


def _paths(obj: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _paths(v, (*prefix, i))


def _misspell(key: str, how: int) -> str:
    if how == 0:
        return key[:-1] or "x"
    if how == 1:
        return key + "s"
    if how == 2 and len(key) > 1:
        return key[1] + key[0] + key[2:]
    if how == 3:
        return key.upper()
    if how == 4:
        return key.replace("_", "-") if "_" in key else key.replace("-", "_") + "_"
    return " " + key


@st.composite
def structured_mutation(draw: st.DrawFn, data: Any) -> Any:
    """One key deleted, renamed or misspelt, or one value replaced: by a wrong one, or by one of the right
    type that the design may still refuse."""
    path = draw(st.sampled_from([p for p in _paths(data) if p]))
    data = copy.deepcopy(data)
    parent = data
    for k in path[:-1]:
        parent = parent[k]
    last = path[-1]
    how = draw(st.sampled_from(["delete", "rename", "wrong", "plausible", "plausible"]))
    if how == "delete":
        del parent[last]
    elif how == "rename" and isinstance(parent, dict):
        new = draw(st.one_of(st.integers(0, 5).map(lambda i: _misspell(str(last), i)), st.text(max_size=8),
                             st.integers(-1, 2), st.none()))
        parent[new] = parent.pop(last)
    elif how == "plausible":
        parent[last] = draw(plausible(parent[last]))
    else:
        parent[last] = draw(wrong_values)
    return data


PLAUSIBLE_TEXT = [
    "eos", "frr", "junos", "srlinux", "sros", "iosxr", "leaf", "spine", "p", "pe", "rr", "ebgp", "ospf",
    "isis", "per-node", "per-leaf", "65101-65102", "65101-65101", "49.0002", "edge", "spine1", "leaf1",
    # pools and addresses (a management pool outside 127.77/16 is refused by the guard, not reached)
    "10.9.0.0/30", "10.9.0.0/16", "127.77.9.0/28", "127.77.9.0/30", "127.0.0.0/8", "10.255.0.1",
    "127.77.0.200",
    "spine1:Ethernet9", "leaf1:eth9", "p1:1/1/c9/1", "rr1:GigabitEthernet0/0/0/9",
]


def plausible(old: Any) -> st.SearchStrategy[Any]:
    """A value of the right type that a design may still refuse: other platforms, ids, pools, lists."""
    if isinstance(old, bool):
        return st.just(not old)
    if isinstance(old, int):
        return st.one_of(st.integers(0, 130), st.sampled_from(
            [1, 2, 31, 32, 64, 127, 128, 1280, 9216, 65535, 100000, 4294967295]))
    if isinstance(old, str):
        return st.sampled_from(PLAUSIBLE_TEXT)
    if isinstance(old, list) and old:
        return st.sampled_from(["empty", "first", "dup", "rest"]).map(
            lambda how: {"empty": [], "first": old[:1], "dup": old + old[:1], "rest": old[1:]}[how])
    return st.just(old)


def _duplicate_key(text: str, draw: st.DrawFn) -> str:
    lines = text.splitlines(keepends=True)
    flow = [i for i, ln in enumerate(lines) if re.search(r"\{\s*\w+:", ln)]
    block = [i for i, ln in enumerate(lines) if re.match(r"\s*[\w-]+:", ln)]
    i = draw(st.sampled_from(flow + block))
    if i in flow and draw(st.booleans()):
        m = re.search(r"\{\s*(\w+:[^,}]*)", lines[i])
        assert m is not None
        lines[i] = lines[i][: m.start(1)] + m.group(1) + ", " + lines[i][m.start(1):]
    else:
        lines.insert(i + 1, lines[i] if lines[i].endswith("\n") else lines[i] + "\n")
    return "".join(lines)


def _break_syntax(text: str, draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["tab", "unclose", "insert", "indent"]))
    lines = text.splitlines(keepends=True)
    i = draw(st.integers(0, len(lines) - 1))
    if kind == "tab":
        lines[i] = "\t" + lines[i]
    elif kind == "indent":
        lines[i] = " " * draw(st.integers(1, 5)) + lines[i]
    elif kind == "unclose":
        closers = [m.start() for m in re.finditer(r"[\]}\"']", text)]
        if closers:
            j = draw(st.sampled_from(closers))
            return text[:j] + text[j + 1:]
        lines[i] = "[" + lines[i]
    else:
        pos = draw(st.integers(0, len(text)))
        junk = draw(st.sampled_from([
            "[", "{", "]", "}", ":", ": :", "'", '"', "&a", "*a", "*nope", "- ", "? ", "|", ">", "#", "@",
            "`", ",", "!!", "!!python/object:os.system ", "%YAML 1.1\n", "---\n", "...\n", "<<: *a\n",
            "\x07", "\x1b[31m", "\ufeff", "\x85", "\u2028",
        ]))
        return text[:pos] + junk + text[pos:]
    return "".join(lines)


SPECIAL = [
    "", "\n", "   \n", "# only a comment\n", "---\n", "~\n", "[]\n", "{}\n", "42\n", "- a\n- b\n", "name\n",
    "\ufeff", "---\n---\n", "name: dc1\n---\nname: dc2\n",
    # aliases: recursive, and a small billion-laughs
    "name: dc1\ndesign: clos\nntp_servers: &a [*a]\n",
    "name: dc1\ndesign: clos\npools: &p {loopback: 10.255.0.0/24, p2p: 10.1.0.0/22, mgmt: *p}\n",
    "a: &a [x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b]\n"
    "d: &d [*c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e]\n"
    "g: &g [*f, *f, *f, *f, *f, *f]\nh: &h [*g, *g, *g, *g, *g, *g]\nname: dc1\ndesign: clos\n",
    # keys that are not strings, and ones PyYAML cannot hash
    "? [a, b]\n: x\nname: dc1\ndesign: clos\n", "? {a: 1}\n: x\nname: dc1\n", "null: x\nname: dc1\n",
    "1: x\n2.5: y\ntrue: z\nname: dc1\ndesign: clos\n",
    # tags and types YAML has but a fabric file does not
    "name: !!binary aGVsbG8=\ndesign: clos\n", "name: 2001-01-01\ndesign: clos\n", "name: !!set {a, b}\n",
    "name: !!python/name:os.system\n", "name: !custom x\n", "mtu: 1e400\nname: dc1\ndesign: clos\n",
]


@st.composite
def fabric_files(draw: st.DrawFn) -> bytes:
    name = draw(st.sampled_from(FABRICS))
    text, data = BASE_TEXT[name], BASE_DATA[name]
    kind = draw(st.sampled_from(["structured"] * 4 + ["several", "duplicate", "syntax", "truncate", "special",
                                                      "binary"]))
    event(f"mutation: {kind}")
    if kind in ("structured", "several"):
        for _ in range(1 if kind == "structured" else draw(st.integers(2, 4))):
            data = draw(structured_mutation(data))
        dumped = yaml.safe_dump(data, sort_keys=False, allow_unicode=draw(st.booleans()))
        return dumped.encode("utf-8", "surrogateescape")
    if kind == "duplicate":
        return _duplicate_key(text, draw).encode()
    if kind == "syntax":
        return _break_syntax(text, draw).encode()
    if kind == "truncate":
        return text[: draw(st.integers(0, len(text) - 1))].encode()
    if kind == "special":
        return draw(st.sampled_from(SPECIAL)).encode()
    return draw(st.one_of(st.binary(max_size=64), st.binary(max_size=16).map(lambda b: b"\xff\xfe" + b),
                          st.binary(max_size=16).map(lambda b: text.encode()[:40] + b"\x00\x80" + b)))


def _valid(file: Path) -> bool:
    from fabric.design import load_fabric

    try:
        load_fabric(file)
    except Exception:  # noqa: BLE001 - a FabricError; anything else the CLI runs report, with its traceback
        return False
    return True


def test_mangled_fabric_files(ws: Workspace) -> None:
    """build, show, render and rollout plan of a mangled fabric.yaml: a clean FabricError that names
    the file, the key or line and the fix (exit 2), or a fabric that works (exit 0; plan: 3, nothing
    answers)."""
    known: set[str] = set()

    @fuzz(120)
    @given(content=fabric_files())
    def check(content: bytes) -> None:
        with ws.cwd() as d:
            file = d / "mangled" / "fabric.yaml"
            file.parent.mkdir()
            file.write_bytes(content)
            f = str(file)
            runs = [
                fabric(ws, "build", f, "--topology-dir", str(d / "topo")),
                fabric(ws, "show", f, "-f", "json"),
                fabric(ws, "render", f, "--out", str(d / "configs")),
                fabric(ws, "rollout", "plan", "tasks/fuzz.yaml", "-F", f),
            ]
            valid = _valid(file)
        event(f"valid fabric: {valid}")
        for r in runs:
            if not no_traceback(r, known):
                continue
            if not valid:
                assert r.code == 2, str(r)
                names_file_key_fix(r, f)
            elif r.args[0] == "rollout":
                assert r.code in (0, 2, 3), str(r)
            else:
                assert r.code in (0, 2), str(r)
            if r.code == 2:
                has_fix(r)

    check()
    xfail_if(known)


# ---------------------------------------------------------------------------------------- option fuzz


def commands() -> dict[str, Any]:
    out: dict[str, Any] = {}

    def walk(cmd: Any, path: list[str]) -> None:
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, [*path, name])
        else:
            out[" ".join(path)] = cmd

    walk(command(), [])
    return out


def test_every_command_is_classified() -> None:
    """A new command is fuzzed (SAFE) or deliberately not (UNSAFE: it deploys, pushes or rolls back)."""
    have = set(commands())
    assert set(BASELINE) == SAFE
    assert have - SAFE - UNSAFE == set(), "classify the new command as SAFE or UNSAFE"
    assert (SAFE | UNSAFE) - have == set(), "a command is gone"
    assert not SAFE & UNSAFE


# Every option and argument gets values that work (so that a run gets past it, to the next one) two times
# in three, and values that must be refused (exit 2 and what to fix, never a traceback) one time in three.
ARG_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="\x00/", exclude_categories=("Cs",)), max_size=12
)
JUNK = ["", " ", ",", ",,", " , ", "-", "--", "--help", "-x", "nosuch", "NoSuch", "[/x]", "[bold]x]", "%s",
        "{}", "..", ".", "~", "ü", "🙂", "x" * 300, "a,b,c", "spine1,,nosuch", "\t", "\n", "-1", "0", "1e9"]
junk = st.one_of(st.sampled_from(JUNK), ARG_TEXT)

# Paths: always inside the run's own directory (relative), existing or not, a file where a directory is
# expected and back, names no file system takes.
GOOD_PATHS = ["out/r.json", "new/dir/r.txt", "r.html", "out/r.xml", "r.yaml", "new/r.csv"]
BAD_PATHS = ["out", "a-file/x", "empty-dir", ".", "", "garbage.bin", "garbage.yaml", "tasks", "[/x]", "ü",
             "x" * 300, "x" * 200 + "/" + "y" * 200, "-", "..x", "a,b", " ", "inventory/deadnet/fabric.yaml"]
paths = st.one_of(st.sampled_from(GOOD_PATHS), st.sampled_from(GOOD_PATHS),
                  st.one_of(st.sampled_from(BAD_PATHS), ARG_TEXT.map(lambda s: s.replace("..", "."))))

GOOD_TARGETS = ["deadnet", "inventory/deadnet", "inventory/deadnet/fabric.yaml", "dc1", "inventory/backbone",
                "dc-mixed"]
BAD_TARGETS = ["containerlab/dc1.clab.yml", "containerlab/frr-triangle.clab.yml", "nosuch", "", "empty-dir",
               "garbage.bin", "garbage.yaml", "a-file", "tasks/fuzz.yaml", "inventory", ".", "/", "[/x]",
               "dc", "DC1", "nosuch.clab.yml", "bad/garbage.clab.yml", "labs", "x" * 300,
               "inventory/" + "x" * 300]
targets = st.one_of(st.sampled_from(GOOD_TARGETS), st.sampled_from(GOOD_TARGETS),
                    st.one_of(st.sampled_from(BAD_TARGETS), junk))

GOOD = {
    "hosts": ["spine1", "leaf1", "spine1,leaf1", " spine1 , leaf1 ", "p1,pe1"],
    "role": ["leaf", "spine", "leaf,spine", "pe"],
    "platform": ["eos", "frr", "eos,frr", "junos"],
    "tag": ["edge"],
    "fmt": ["table", "json", "yaml", "csv", "markdown", "mermaid", "junit", "html", "text", "dot"],
    "checks": ["bgp_session", "lldp_neighbor,bgp_session", "router_id"],
    "skip_checks": ["bgp_session", "router_id", "interface,ospf_neighbor"],
    "features": ["bgp", "interfaces", "bgp,interfaces"],
    "lab_platform": ["frr", "eos", "junos", "sros", "srlinux", "iosxr"],
    "name": ["pre", "post", "2024-06-01"],
    "rollout_id": ["fuzz-1", "fuzz-2"],
    "pre": ["pre", "post"],
    "post": ["pre", "post"],
    "playbook": ["tasks/fuzz.yaml", "tasks/bgp-policy.yaml"],
    "backend": ["netns"],
    "topo": ["containerlab/dc1.clab.yml", "containerlab/frr-triangle.clab.yml"],
    "journal": ["journal.sqlite"],  # two rollouts of deadnet (the workspace fixture writes them)
    # never an interval the scheduler would sleep through (argv() adds --max-runs 0..2)
    "every": ["0", "0s", "0.01s"],
    # 127.77.x.y only: nothing listens there
    "pushgateway": ["http://127.77.0.1:9", "127.77.0.1:9", "http://127.77.0.1:9/metrics"],
}
BAD = {
    "hosts": ["spine1,nosuch", "nosuch", ",", "SPINE1"],
    "role": ["super_spine", "leaves", "Leaf"],
    "platform": ["nosuch", "EOS", "frr,"],
    "tag": ["a,b", "nosuch"],
    "fmt": ["JSON", "xml", "tabl", "yaml,json"],
    "checks": ["lldp_neighbr", "bgp_session,,nosuch", "bgp_sessions"],
    "skip_checks": ["nosuch"],
    "features": ["ntp", "nosuch", "bgp,,x"],
    "lab_platform": ["nosuch", "FRR", "frr,eos"],
    "lab": ["containerlab/dc1.clab.yml", "dc1", "nosuch", "garbage.yaml"],
    "backend": ["docker", "NETNS"],  # never "containerlab": it would run the containerlab binary
    "name": ["a b", "../up", "a/b", "x.json", ".", "-"],
    "rollout_id": ["nosuch", "1", "-1", "latest", "fuzz-"],
    "pre": ["nosuch", "snapshots/deadnet/pre.json", "../pre", "garbage.json", "out/r.json"],
    "post": ["nosuch", "garbage.bin", "inventory/deadnet/fabric.yaml", "x.json"],
    "playbook": ["inventory/deadnet/fabric.yaml", "garbage.bin", "garbage.yaml", "tasks", "nosuch.yaml",
                 "containerlab/dc1.clab.yml"],
    "every": ["15x", "-1m", "m", "1 h 2", ""],
    "pushgateway": ["ftp://127.77.0.1/", "http://", "http://127.77.0.1:99999", "http://127.77.0.1:x", "::::",
                    "http://[::1]:9/"],
}
# Counts a run would wait on, bounded so the fuzz never waits: nothing answers, but a billion retries of a
# refused connection still take a while.
BOUNDED = {"retries": st.integers(-2, 2), "max_runs": st.integers(-1, 2), "workers": st.integers(-2, 40)}


def _kind(param: Any) -> Any:
    ann = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    return ann if ann in (int, float, Path, bool) else str


def _good_or_bad(good: st.SearchStrategy[str], bad: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(good, good, bad)


def _value(param: Any) -> st.SearchStrategy[str]:
    kind, name = _kind(param), param.name
    if name in ("fabric", "target"):
        return targets
    if name in BOUNDED:
        return _good_or_bad(BOUNDED[name].map(str), st.sampled_from(["", "x", "1.5", "1e3", " 1"]))
    if name in ("every", "pushgateway", "backend"):  # only values that cannot sleep, reach out or deploy
        return _good_or_bad(st.sampled_from(GOOD[name]), st.sampled_from(BAD[name]))
    if kind is int:
        return _good_or_bad(st.integers(0, 50).map(str), st.one_of(
            st.integers(-5, -1).map(str),
            st.sampled_from([str(2**31), str(2**63), str(10**30), "-0", "0x10", "1_000", "1.5", "", "one"])))
    if kind is float:
        return _good_or_bad(st.floats(0.1, 5).map(lambda f: f"{f:.2f}"), st.sampled_from(
            ["nan", "inf", "-inf", "1e308", "1e400", "-1", "-0.0", "0", "", "x", "1,5"]))
    if kind is Path:
        return paths
    good = st.sampled_from(GOOD[name]) if name in GOOD else junk
    bad = st.one_of(st.sampled_from(BAD[name]), junk) if name in BAD else junk
    return _good_or_bad(good, bad)


@st.composite
def argv(draw: st.DrawFn, cmd_name: str, cmd: Any) -> list[str]:
    args = cmd_name.split()
    for p in cmd.params:
        if getattr(p, "param_type_name", "") == "argument":
            if p.required or draw(st.booleans()):
                args.append(draw(_value(p)))
            continue
        if not p.required and not draw(st.sampled_from([False, False, False, True])):  # one time in four
            continue
        opt = draw(st.sampled_from(p.opts))
        if getattr(p, "is_flag", False):
            args.append(opt)
            continue
        if p.name == "every":  # never an endless schedule: at most two runs
            args += ["--max-runs", draw(st.sampled_from(["0", "1", "2"]))]
        value = draw(_value(p))
        if draw(st.integers(0, 3)):
            args += [opt, value]
        else:  # --opt=value, -ovalue
            args.append(f"{opt}={value}" if opt.startswith("--") else opt + value)
    return args


# Each command as an operator runs it first: the fuzz starts from a run that works.
BASELINE = {
    "build": ["build", "deadnet"], "show": ["show", "deadnet"], "render": ["render", "deadnet"],
    "validate": ["validate", "deadnet"], "snapshot": ["snapshot", "deadnet", "--name", "later"],
    "diff": ["diff", "deadnet", "pre", "post"],
    "rollout plan": ["rollout", "plan", "tasks/fuzz.yaml", "-F", "deadnet"],
    "rollout status": ["rollout", "status", "-F", "deadnet"],
    "rollout history": ["rollout", "history", "-F", "deadnet"],
    "rollout report": ["rollout", "report", "-F", "deadnet"],
    "compliance run": ["compliance", "run", "deadnet"],
    "compliance history": ["compliance", "history", "deadnet"],
    "lab inspect": ["lab", "inspect"], "lab graph": ["lab", "graph"],
}


@pytest.mark.parametrize("cmd_name", sorted(SAFE))
def test_option_values(ws: Workspace, cmd_name: str) -> None:
    """Any value of any option (and any target): an exit code of the contract, never a traceback; exit
    2 says what to fix."""
    cmd = commands()[cmd_name]
    known: set[str] = set()

    @fuzz(35)
    @example(args=BASELINE[cmd_name])
    @given(args=argv(cmd_name, cmd))
    def check(args: list[str]) -> None:
        ws.guard.blocked.clear()
        with ws.cwd():
            r = fabric(ws, *args)
        event(f"exit {r.code}")
        assert not ws.guard.blocked, f"{r}\nconnections outside 127.77.0.0/16: {ws.guard.blocked}"
        if no_traceback(r, known) and r.code == 2:
            says_what_is_wrong(r)

    check()
    xfail_if(known)


def test_the_guard_holds(ws: Workspace) -> None:
    """The sandbox itself: a device outside 127.77.0.0/16 is refused in-process and recorded."""
    ws.guard.blocked.clear()
    with pytest.raises(ConnectionRefusedError), socket.socket() as s:
        s.connect(("192.0.2.1", 22))
    with pytest.raises(ConnectionRefusedError), socket.socket() as s:
        s.connect(("127.0.0.1", 22))
    with pytest.raises(ConnectionRefusedError), socket.socket() as s:
        s.connect(("127.77.0.1", 22))  # the real refusal: nothing listens there
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("example.com", 80)
    assert ws.guard.blocked == ["connect ('192.0.2.1', 22)", "connect ('127.0.0.1', 22)"]
    assert ws.guard.lookups[-1] == "lookup 'example.com'"
    ws.guard.blocked.clear()
    assert Path.cwd() == ws.root
    with ws.cwd() as d:
        assert Path.cwd() == d and (d / "inventory" / "deadnet" / "fabric.yaml").exists()
    assert Path.cwd() == ws.root

