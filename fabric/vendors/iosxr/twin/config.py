"""IOS-XR configuration model: one tree that reads and prints ``show running-config`` text.

A node is one command line; a node that opens a sub-mode (``interface ...``, ``router bgp ...``,
``neighbor ...``) is a *block* and prints its children one space deeper, closed by ``!`` at its own
level, as XR prints it (an empty block still prints its ``!``: ``lldp`` / ``!``). The routing policy
language objects (``route-policy``, ``prefix-set`` ...) keep their body as raw lines, re-indented the
way XR shows them, up to ``end-policy`` / ``end-set``.

Two ways in:
- :func:`parse_text` for whole configurations (show run output, startup/golden configs, NETCONF
  ``cli-cfg``): the nesting comes from the indentation; the global keywords are checked.
- :class:`Editor` for what is typed or pasted in config mode: XR ignores indentation there and uses
  its parser modes (grammar.py): a sub-mode opener enters the mode, other lines are tried in the
  current mode and then its parents, ``exit`` / ``root`` move up, ``no ...`` deletes.
"""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from fabric.vendors.iosxr.twin import grammar

# The XRd release our containerlab topologies name (show version, the config header)
XR_VERSION = "24.1.1"

_TIMESTAMP = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
                        r" +\d+ \d\d:\d\d:\d\d(\.\d+)? \S+$")
MARKER = "% Invalid input detected at '^' marker."


class ConfigError(Exception):
    """A configuration XR refuses; ``message`` is the text XR shows."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(ConfigError):
    """A line XR's parser has no grammar for; ``pos`` is the column of the caret in ``line``."""

    def __init__(self, line: str, pos: int) -> None:
        self.line = line
        self.pos = pos
        super().__init__(f" {line}\n{' ' * (pos + 1)}^\n{MARKER}")

    def cli(self, prompt: str) -> str:
        """What the CLI prints after echoing ``prompt + line``: the caret under the bad word."""
        return f"{' ' * (len(prompt) + self.pos)}^\n{MARKER}\n"


@dataclass
class Node:
    line: str
    children: list[Node] = field(default_factory=list)
    body: list[str] | None = None  # route-policy / *-set bodies (re-indented raw lines)
    block: bool = False            # opens a sub-mode (printed with its ``!`` even when empty)

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(self.line.split())

    @property
    def is_block(self) -> bool:
        return self.block or bool(self.children) or self.body is not None

    def child(self, line: str) -> Node | None:
        for c in self.children:
            if c.line == line:
                return c
        return None


@dataclass
class Config:
    root: Node = field(default_factory=lambda: Node(""))
    last_change: str = ""  # "Thu Oct  8 06:29:40 2020 by admin" for the second header line

    def copy(self) -> Config:
        return copy.deepcopy(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Config) and self.text(header=False) == other.text(header=False)

    def text(self, header: bool = True) -> str:
        """``show running-config``: the ``!!`` header, ``!`` after it, the blocks, ``end``."""
        out: list[str] = []
        if header:
            out.append(f"!! IOS XR Configuration {XR_VERSION}")
            if self.last_change:
                out.append(f"!! Last configuration change at {self.last_change}")
            out.append("!")
        for c in self.root.children:
            _emit(c, 0, out)
        out.append("end")
        return "".join(line + "\n" for line in out)

    def find(self, *lines: str) -> Node | None:
        node: Node | None = self.root
        for line in lines:
            assert node is not None
            node = node.child(" ".join(line.split()))
            if node is None:
                return None
        return node

    def section(self, words: list[str] | tuple[str, ...]) -> str:
        """``show running-config <words>``: the matching blocks with their parent lines, '' if none."""
        out: list[str] = []
        _section(self.root, tuple(_canon_words(tuple(words))), 0, out)
        return "".join(line + "\n" for line in out)

    def walk(self) -> Iterator[tuple[tuple[str, ...], Node]]:
        """(path of lines, node) for every node, depth first."""
        def rec(n: Node, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Node]]:
            for c in n.children:
                yield path + (c.line,), c
                yield from rec(c, path + (c.line,))
        yield from rec(self.root, ())


def _emit(n: Node, depth: int, out: list[str]) -> None:
    ind = " " * depth
    out.append(ind + n.line)
    if n.body is not None:
        out.extend(ind + b for b in n.body)
        out.append(ind + grammar.end_keyword(n.line))
        out.append(ind + "!")
    elif n.is_block:
        for c in n.children:
            _emit(c, depth + 1, out)
        out.append(ind + "!")


def _section(n: Node, words: tuple[str, ...], depth: int, out: list[str]) -> None:
    for c in n.children:
        cw = c.words
        if len(words) <= len(cw):
            if cw[:len(words)] == words:
                _emit(c, depth, out)
        elif words[:len(cw)] == cw and c.children:
            sub: list[str] = []
            _section(c, words[len(cw):], depth + 1, sub)
            if sub:
                out.append(" " * depth + c.line)
                out.extend(sub)
                out.append(" " * depth + "!")


def _canon_words(words: tuple[str, ...]) -> tuple[str, ...]:
    """``interface gi0/0/0/0`` -> ``interface GigabitEthernet0/0/0/0`` (also ``... interface X`` in modes)."""
    if len(words) >= 2 and "interface" in words[:-1]:
        i = words.index("interface")
        if i + 1 < len(words):
            return words[:i + 1] + (grammar.canon_ifname(words[i + 1]),) + words[i + 2:]
    return words


def normalize_body(end: str, lines: list[str]) -> list[str]:
    """XR re-indents RPL: statements two spaces per nesting level, set entries two spaces."""
    out: list[str] = []
    level = 1
    for raw in lines:
        s = " ".join(raw.split())
        if not s or s == "!":
            continue
        if end != "end-policy":
            out.append("  " + s)
            continue
        w = s.split()[0]
        if w == "endif":
            level = max(1, level - 1)
            out.append("  " * level + s)
        elif w in ("else", "elseif"):
            out.append("  " * max(1, level - 1) + s)
        else:
            out.append("  " * level + s)
            if w == "if" and not s.endswith("endif"):
                level += 1
    return out


# ---- editing ----------------------------------------------------------------------------------
def _insert(parent: Node, node: Node, at_root: bool) -> None:
    """XR keeps like with like: a new node goes after its last sibling with the same first word;
    in a sub-mode a new leaf otherwise goes before the first sub-block (XR prints leaves first)."""
    first = node.words[0] if node.words else ""
    last = -1
    for i, c in enumerate(parent.children):
        if c.words and c.words[0] == first:
            last = i
    if last >= 0:
        parent.children.insert(last + 1, node)
        return
    if not at_root and not node.is_block:
        for i, c in enumerate(parent.children):
            if c.is_block:
                parent.children.insert(i, node)
                return
    parent.children.append(node)


def set_leaf(parent: Node, mode: str, line: str, at_root: bool = False) -> None:
    """Add a leaf; a one-value leaf (grammar.SINGLE) replaces the one it had."""
    if parent.child(line) is not None:
        return
    key = grammar.single_key(mode, tuple(line.split()))
    if key is not None:
        for i, c in enumerate(parent.children):
            if not c.is_block and grammar.single_key(mode, c.words) == key:
                parent.children[i] = Node(line)
                return
    _insert(parent, Node(line), at_root)


def _word_positions(line: str) -> list[int]:
    return [m.start() for m in re.finditer(r"\S+", line)]


class Editor:
    """An edit cursor on a target configuration, with XR's parser modes."""

    def __init__(self, target: Config) -> None:
        self.target = target
        self._mode: list[Node] = []  # the current mode path (empty = global config)
        self._names: list[str] = []
        # collecting a route-policy / set body: (parent, line, mode name, lines so far)
        self._raw: tuple[Node, str, str, list[str]] | None = None

    # ---- modes ---------------------------------------------------------------------------------
    @property
    def mode(self) -> list[Node]:
        return self._mode

    @mode.setter
    def mode(self, nodes: list[Node]) -> None:
        """Set the mode path (callers reset it with ``[]``); the mode names follow."""
        nodes = list(nodes)
        self._raw = None
        if len(nodes) <= len(self._mode) and all(a is b for a, b in zip(nodes, self._mode, strict=False)):
            self._truncate(len(nodes))
            return
        names, name = [], "config"
        for n in nodes:
            name = grammar.opener(name, n.words) or f"{name}-{n.words[0]}"
            names.append(name)
        self._mode, self._names = nodes, names

    def prompt_mode(self) -> str:
        return self._names[-1] if self._names else "config"

    def _mode_name(self, depth: int) -> str:
        return self._names[depth - 1] if depth else "config"

    def _node(self, depth: int) -> Node:
        return self._mode[depth - 1] if depth else self.target.root

    def _truncate(self, depth: int) -> None:
        del self._mode[depth:]
        del self._names[depth:]

    def reset(self) -> None:
        """Back to global configuration (``root``); a half-typed policy is dropped."""
        self._truncate(0)
        self._raw = None

    # ---- input ------------------------------------------------------------------------------------
    def feed(self, line: str) -> None:
        """One line typed in config mode (indentation ignored, as on XR)."""
        self._feed(line, strict=True)

    def feed_text(self, text: str, strict: bool = True, indented: bool | None = None) -> None:
        """Many lines: a paste, a ``load``, NETCONF ``cli-cfg``. Indentation, when present, says where a
        line belongs (that is how a block XR's tables do not know keeps its children); unindented text
        goes through the parser modes exactly as :meth:`feed`."""
        lines = [ln.rstrip() for ln in text.replace("\r", "").split("\n")]
        if indented is None:
            indented = any(ln[:1] == " " for ln in lines if ln.strip())
        if not indented:
            for ln in lines:
                self._feed(ln, strict=strict)
            return
        base = len(self._mode)
        stack: list[tuple[int, int]] = []  # (indentation of an opener, mode depth inside it)
        for i, raw in enumerate(lines):
            s = raw.strip()
            if self._raw is not None:
                self._feed(raw, strict=strict)
                continue
            if not s or s.startswith("!") or s.startswith("#"):
                continue
            ind = len(raw) - len(raw.lstrip())
            while stack and stack[-1][0] >= ind:
                stack.pop()
            depth = stack[-1][1] if stack else base
            if depth < len(self._mode):
                self._truncate(depth)
            opens = self._opens_by_indent(lines, i, ind)
            self._feed(raw, strict=strict, block_hint=opens)
            if len(self._mode) > depth:
                stack.append((ind, len(self._mode)))

    @staticmethod
    def _opens_by_indent(lines: list[str], i: int, ind: int) -> str:
        """'deeper': the next line is indented deeper; 'bang': next is ``!`` at the same indentation."""
        for nxt in lines[i + 1:]:
            if not nxt.strip():
                continue
            nind = len(nxt) - len(nxt.lstrip())
            if nind > ind:
                return "deeper"
            if nind == ind and nxt.strip() == "!":
                return "bang"
            return ""
        return ""

    def _feed(self, typed: str, strict: bool, block_hint: str = "") -> None:
        s = " ".join(typed.split())
        if self._raw is not None:
            self._feed_raw(s)
            return
        if not s or s.startswith("!") or s.startswith("#"):
            return
        words = _canon_words(tuple(s.split()))
        if words == ("exit",):
            self._truncate(max(0, len(self._mode) - 1))
            return
        if words in (("root",), ("end",)):
            self._truncate(0)
            return
        if words[0] == "no" and len(words) > 1:
            self._no(typed, words[1:])
            return
        depth, child = self._resolve(typed, words, strict, block_hint)
        self._apply(depth, child, " ".join(words))

    def _feed_raw(self, s: str) -> None:
        assert self._raw is not None
        parent, line, name, body = self._raw
        end = grammar.raw_end(name)
        w = s.split()[0] if s else ""
        if w in (end, "exit"):
            node = parent.child(line)
            if node is None:
                node = Node(line, block=True)
                _insert(parent, node, parent is self.target.root)
            node.body = normalize_body(end, body)
            node.block = True
            self._raw = None
            self._truncate(max(0, len(self._mode) - 1))
        elif w == "abort":  # leaves the policy as it was
            self._raw = None
            self._truncate(max(0, len(self._mode) - 1))
        else:
            body.append(s)

    def _resolve(self, typed: str, words: tuple[str, ...], strict: bool,
                 block_hint: str) -> tuple[int, str | None]:
        """Where a line goes: (mode depth, sub-mode it opens or None for a leaf)."""
        cur = len(self._mode)
        name = self._mode_name(cur)
        child = grammar.opener(name, words)
        if child is not None:
            return cur, child
        ok = grammar.leaf_ok(name, words)
        if cur == 0:  # global config: only what XR has
            if not ok:
                raise self._invalid(typed, words)
            return 0, (f"config-{words[0]}" if block_hint == "deeper" else None)
        # indentation says "block" (children deeper, or an empty block's own ``!``): a sub-mode the
        # tables do not know keeps its children
        if block_hint == "deeper" or (block_hint == "bang" and (ok is None or not strict)):
            return cur, f"{name}-{words[0]}"
        if ok or not strict:  # whole configs: trust the indentation
            return cur, None
        for d in range(cur - 1, -1, -1):
            n = self._mode_name(d)
            child = grammar.opener(n, words)
            if child is not None:
                return d, child
            if grammar.leaf_ok(n, words):
                return d, None
        for d in range(cur, 0, -1):  # the nearest permissive mode takes it as a leaf
            if grammar.leaf_ok(self._mode_name(d), words) is None:
                return d, None
        raise self._invalid(typed, words)

    def _invalid(self, typed: str, words: tuple[str, ...]) -> InvalidInput:
        line = typed.strip()
        pos = _word_positions(line)
        at = 0
        if not self._mode and words[0] in grammar.TOP_LEVEL and len(pos) > 1:
            at = 1  # a known keyword with a wrong argument: XR marks the argument
        return InvalidInput(line, pos[at] if pos else 0)

    def _apply(self, depth: int, child: str | None, line: str) -> None:
        self._truncate(depth)
        parent = self._node(depth)
        if child is None:
            set_leaf(parent, self._mode_name(depth), line, at_root=depth == 0)
            return
        if grammar.raw_end(child):
            self._mode.append(parent.child(line) or Node(line, block=True))
            self._names.append(child)
            self._raw = (parent, line, child, [])
            return
        node = parent.child(line)
        if node is None:
            node = Node(line, block=True)
            _insert(parent, node, depth == 0)
        node.block = True
        self._mode.append(node)
        self._names.append(child)

    def _no(self, typed: str, words: tuple[str, ...]) -> None:
        """``no <cmd>``: remove the matching leaf or block, looked up in this mode then its parents."""
        for d in range(len(self._mode), -1, -1):
            parent = self._node(d)
            hits = [c for c in parent.children if c.words[:len(words)] == words]
            if hits:
                for h in hits:
                    parent.children.remove(h)
                self._truncate(d)
                return
        # nothing to delete: XR takes a valid ``no`` silently, an invalid one gets the caret
        line = typed.strip()
        try:
            self._resolve(line[line.index("no") + 2:].strip(), words, True, "")
        except InvalidInput as e:
            raise InvalidInput(line, e.pos + line.index("no") + 3) from None


# ---- loading -------------------------------------------------------------------------------------
def _strip_noise(text: str) -> str:
    keep = []
    for raw in text.replace("\r", "").split("\n"):
        s = raw.strip()
        if s.startswith("!!") or s.startswith("Building configuration") or _TIMESTAMP.match(s):
            continue
        if raw.rstrip() == "end":
            continue
        keep.append(raw.rstrip())
    return "\n".join(keep)


def parse_text(text: str) -> Config:
    """A whole configuration as XR prints it; InvalidInput for a global keyword XR does not have."""
    conf = Config()
    m = re.search(r"^!! Last configuration change at (.+)$", text, re.M)
    if m:
        conf.last_change = m.group(1).strip()
    ed = Editor(conf)
    ed.feed_text(_strip_noise(text), strict=False, indented=True)
    if ed._raw is not None:
        raise ConfigError(f"% missing {grammar.raw_end(ed._raw[2])} for '{ed._raw[1]}'")
    return conf


def load_cli_xml(xml_text: str) -> Config:
    """The ``<cli>`` text of a NETCONF Cisco-IOS-XR-cli-cfg reply or edit."""
    from lxml import etree

    root = etree.fromstring(xml_text.encode())
    for el in root.iter():
        if isinstance(el.tag, str) and etree.QName(el).localname == "cli":
            return parse_text(el.text or "")
    raise ConfigError("no <cli> element")


# ---- merge / diff ------------------------------------------------------------------------------------
def _merge_into(dst: Node, src: Node, mode: str, at_root: bool) -> None:
    for c in src.children:
        if not c.is_block:
            set_leaf(dst, mode, c.line, at_root)
            continue
        child_mode = grammar.opener(mode, c.words) or f"{mode}-{c.words[0]}"
        d = dst.child(c.line)
        if d is None:
            _insert(dst, copy.deepcopy(c), at_root)
            continue
        d.block = True
        if c.body is not None:
            d.body = list(c.body)
        else:
            _merge_into(d, c, child_mode, False)


def merge(base: Config, add: Config) -> Config:
    """``load merge``: a new Config, ``add``'s lines put into ``base`` (one-value leaves replaced)."""
    out = base.copy()
    _merge_into(out.root, add.root, "config", True)
    return out


def _block_lines(n: Node, depth: int) -> list[str]:
    out: list[str] = []
    _emit(n, depth, out)
    return out


def _marked(sign: str, lines: list[str]) -> list[str]:
    return [f"{sign}  {x}" for x in lines]


def _diff_nodes(old: Node, new: Node, depth: int, out: list[str]) -> None:
    ind = " " * depth
    old_by = {c.line: c for c in old.children}
    new_by = {c.line: c for c in new.children}
    sm = difflib.SequenceMatcher(a=[c.line for c in old.children], b=[c.line for c in new.children],
                                 autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag != "equal":  # removed lines first, where they were, then the added ones
            for gone in old.children[i1:i2]:
                if gone.line not in new_by:
                    out.extend(_marked("-", _block_lines(gone, depth)))
        for c in new.children[j1:j2]:
            o = old_by.get(c.line)
            if o is None:
                out.extend(_marked("+", _block_lines(c, depth)))
            elif _block_lines(o, depth) != _block_lines(c, depth):
                out.append("   " + ind + c.line)
                if c.body is not None or o.body is not None:
                    ob, nb = o.body or [], c.body or []
                    bm = difflib.SequenceMatcher(a=ob, b=nb, autojunk=False)
                    for t, a1, a2, b1, b2 in bm.get_opcodes():
                        if t == "equal":
                            out.extend("   " + ind + x for x in ob[a1:a2])
                        else:
                            out.extend(_marked("-", [ind + x for x in ob[a1:a2]]))
                            out.extend(_marked("+", [ind + x for x in nb[b1:b2]]))
                    out.append("   " + ind + grammar.end_keyword(c.line))
                else:
                    _diff_nodes(o, c, depth + 1, out)
                out.append("   " + ind + "!")


def diff(old: Config, new: Config) -> str:
    """``show commit changes diff`` lines: ``+  `` added, ``-  `` removed, ``   `` the context."""
    out: list[str] = []
    _diff_nodes(old.root, new.root, 0, out)
    return "".join(line + "\n" for line in out)


def changes(old: Config, new: Config) -> str:
    """``show configuration commit changes <id>`` body: what the commit set, as configuration lines
    (``no <line>`` for what it removed; a one-value leaf that was replaced shows only its new value)."""
    out: list[str] = []
    _changes(old.root, new.root, 0, "config", out)
    return "".join(line + "\n" for line in out)


def _changes(old: Node, new: Node, depth: int, mode: str, out: list[str]) -> None:
    ind = " " * depth
    new_by = {c.line: c for c in new.children}
    new_keys = {grammar.single_key(mode, c.words) for c in new.children if not c.is_block} - {None}
    for gone in old.children:
        if gone.line in new_by:
            continue
        if not gone.is_block and grammar.single_key(mode, gone.words) in new_keys:
            continue
        out.append(f"{ind}no {gone.line}")
    for c in new.children:
        o = old.child(c.line)
        if o is None:
            out.extend(_block_lines(c, depth))
        elif _block_lines(o, depth) != _block_lines(c, depth):
            if c.body is not None:
                out.extend(_block_lines(c, depth))
                continue
            out.append(ind + c.line)
            _changes(o, c, depth + 1, grammar.opener(mode, c.words) or f"{mode}-{c.words[0]}", out)
            out.append(ind + "!")


def rebase(base: Config, target: Config, running: Config) -> Config:
    """A session's edits (``base`` -> ``target``) applied on ``running`` as it is now: XR keeps a
    session's changes, not a copy of the whole configuration, so commits of other sessions stay."""
    if base == running:
        return target.copy()
    out = running.copy()
    _rebase(base.root, target.root, out.root, "config")
    return out


def _rebase(base: Node, target: Node, dst: Node, mode: str) -> None:
    tgt_by = {c.line: c for c in target.children}
    for gone in base.children:
        if gone.line not in tgt_by:
            d = dst.child(gone.line)
            if d is not None:
                dst.children.remove(d)
    for t in target.children:
        b = base.child(t.line)
        if b is not None and _block_lines(b, 0) == _block_lines(t, 0):
            continue  # untouched by this session
        if not t.is_block:
            set_leaf(dst, mode, t.line, mode == "config")
            continue
        d = dst.child(t.line)
        if d is None or b is None or t.body is not None:
            if d is not None:
                dst.children[dst.children.index(d)] = copy.deepcopy(t)
            else:
                _insert(dst, copy.deepcopy(t), mode == "config")
            continue
        _rebase(b, t, d, grammar.opener(mode, t.words) or f"{mode}-{t.words[0]}")


def diff_text(old: Config, new: Config) -> str:
    """The whole ``show commit changes diff`` / ``show configuration diff`` reply."""
    return f"Building configuration...\n!! IOS XR Configuration {XR_VERSION}\n{diff(old, new)}end\n"
