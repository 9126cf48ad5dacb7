"""Junos configuration model: one tree that reads and prints curly-brace, ``| display set`` and XML.

The tree is schema-light: a node is one *statement* (its words, e.g. ``("unit", "0")``,
``("host-name", "rr2")``, ``("ge-0/0/0",)``) with children (a container, printed with braces) or
without (a leaf, printed ``words;``). How the words of a ``set`` line split into statements is
decided by the existing tree first and then by small keyword tables (``NAMED``: keyword + identifier
containers; ``VALUE``: keyword + one value leaves, which a new ``set`` replaces; ``LISTS``: leaves
printed ``kw [ a b ];``; ``ONELINE``: containers Junos prints on one line while they hold one
statement, ``level 1 disable;``). A curly-brace leaf of several words is split the same way (marked
one-line), so text, set and XML input give one tree and print back the same text.

Load actions follow ``load-configuration``: merge, replace (statements marked ``replace:``),
override (the whole configuration), update (like override; only changed statements differ, which
for this model is the same result), set (``set``/``delete``/``activate``/``deactivate`` lines).
Invalid input raises :class:`ConfigError` (Junos's message, line and token) and the caller keeps
its candidate unchanged (loads work on a copy).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

# keyword + identifier containers (``user admin { ... }``); a keyword here with only its identifier
# left on a set line is a leaf (``family iso;``, ``neighbor 10.0.0.1;``) until something goes inside.
NAMED = frozenset({
    "unit", "family", "group", "neighbor", "user", "policy-statement", "term", "route-filter-list",
    "interface", "level", "route", "community", "prefix-list", "as-path", "area", "instance",
    "server", "filter", "vlan", "class", "peer", "address",
    "rib", "rib-groups", "vrf-target", "local-address-family",
})
# keyword + value leaves: a ``set`` with another value replaces the old one
VALUE = frozenset({
    "host-name", "domain-name", "time-zone", "location", "contact", "description", "mtu", "class",
    "uid", "encrypted-password", "secret", "timeout", "retry", "router-id", "autonomous-system",
    "export", "import", "type", "local-address", "cluster", "minimum-interval", "multiplier",
    "peer-as", "local-as", "metric", "protocol-version", "authorization", "version", "load-balance",
    "next-hop", "prefix-length-range", "hold-time", "preference", "local-preference", "authentication-key",
    "instance-type", "route-distinguisher", "interface-type", "vlan-id", "plain-text-password-value",
    "full-name", "route-filter-list", "port", "area-range", "reference-bandwidth", "priority",
    "lsp-lifetime", "hello-interval", "dead-interval", "vrf-import", "vrf-export", "root-login",
    "building", "floor", "country-code", "mode", "speed", "encapsulation", "family-type",
})
# leaves that may repeat, printed as ``kw [ a b ];`` when there are several
LISTS = frozenset({"protocol", "authentication-order", "members", "apply-groups", "community", "export",
                   "import", "vrf-import", "vrf-export", "interface-routes"})
# containers Junos prints on one line while they hold exactly one statement
ONELINE = frozenset({"route", "level", "then", "from", "to", "route-filter", "prefix-list-filter"})
# XML element names of the entries of a bare container (``interfaces { ge-0/0/0 { ... } }``)
XML_ENTRY = {"interfaces": "interface", "routing-instances": "instance", "radius-server": "radius-server",
             "route-filter-list": "address"}
_XML_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_KEYWORD = re.compile(r"^[a-z][a-z-]*$")
_PREFIX = re.compile(r"^(?:\d+\.\d+\.\d+\.\d+|[0-9a-fA-F]*:[0-9a-fA-F:]*)/\d+$")  # route-filter entries
# one-line containers that stay on one line only around a one-word action (``then accept;``)
ONELINE_WORD = frozenset({"then"})
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|\[|\]|\{|\}|;|[^\s{};\[\]"]+')


class ConfigError(Exception):
    """A configuration Junos rejects: ``message`` as Junos prints it, the offending ``token``."""

    def __init__(self, message: str, *, token: str = "", line: int = 0, path: str = "",
                 tag: str = "operation-failed", kind: str = "protocol", severity: str = "error",
                 info: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.token = token
        self.line = line
        self.path = path
        self.tag = tag
        self.kind = kind
        self.severity = severity
        self.info = info  # extra <error-info> XML (e.g. the lock holder's <session-id>)

    def cli(self) -> str:
        """As the Junos CLI prints it (for the SSH CLI of a later increment)."""
        where = f"  '{self.token}'\n" if self.token else ""
        return f"{where}{self.message}\n"


@dataclass
class Node:
    words: tuple[str, ...]
    children: list[Node] | None = None  # None: a leaf
    inactive: bool = False
    protect: bool = False
    oneline: bool = False
    replace: bool = False  # ``replace:`` tag of loaded text (consumed by the replace action)
    comment: str = ""

    @property
    def key(self) -> str:
        return " ".join(self.words)

    def child(self, words: tuple[str, ...]) -> Node | None:
        for c in self.children or ():
            if c.words == words:
                return c
        return None


@dataclass
class Config:
    """A Junos configuration: the root's children are the top-level statements."""

    root: Node = field(default_factory=lambda: Node((), []))
    # from the last load: ``delete``s of statements that do not exist (Junos warns and goes on) and,
    # for XML input, the paths marked ``delete="delete"``/``operation="delete"`` to remove from the target
    warnings: list[ConfigError] = field(default_factory=list)
    deletes: list[tuple[str, ...]] = field(default_factory=list)

    def copy(self) -> Config:
        return copy.deepcopy(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Config) and self.text() == other.text()

    # ---- printing ---------------------------------------------------------------------------
    def text(self) -> str:
        """``show configuration``: 4-space indent, ``[ ]`` lists, one-line containers."""
        out: list[str] = []
        _print_children(self.root, 0, out)
        return "".join(line + "\n" for line in out)

    def display_set(self) -> str:
        """``show configuration | display set``."""
        out: list[str] = []
        for path, node in _walk(self.root, ()):
            stmt = " ".join(path)
            out.append(f"set {stmt}")
            if node.inactive:
                out.append(f"deactivate {stmt}")
            if node.protect:
                out.append(f"protect {stmt}")
        return "".join(line + "\n" for line in out)

    def xml(self) -> etree._Element:
        """``show configuration | display xml`` (the ``<configuration>`` element)."""
        conf = etree.Element("configuration")
        for c in self.root.children or ():
            _to_xml(c, conf, None)
        return conf

    def xml_text(self) -> str:
        return etree.tostring(self.xml(), pretty_print=True, encoding="unicode")

    # ---- loading ----------------------------------------------------------------------------
    def load(self, data: str | etree._Element, fmt: str = "text", action: str = "merge") -> Config:
        """A new Config: this one with ``data`` loaded as ``load-configuration`` does it."""
        if action not in ("merge", "replace", "override", "update", "set"):
            raise ConfigError(f"invalid value for action: {action}", token=action, tag="invalid-value")
        if fmt == "set" or action == "set":
            if not isinstance(data, str):
                raise ConfigError("syntax error")
            new = self.copy()
            new.warnings = []
            new.apply_set(data)
            return new
        incoming = from_xml(data) if fmt == "xml" else parse_text(data if isinstance(data, str) else "")
        if action in ("override", "update"):
            return incoming
        new = self.copy()
        new.warnings, new.deletes = [], []
        for d in incoming.deletes:
            hit = find(new.root, d)
            if hit:
                _delete(*hit)
            else:
                new.warnings.append(ConfigError("statement not found", token=d[-1], severity="warning"))
        _merge(new.root, incoming.root, honour_replace=(action == "replace"))
        return new

    def apply_set(self, text: str) -> None:
        for n, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            toks = _tokens(line, n)
            verb, words = toks[0], [_unquote(t) for t in toks[1:]]
            if any(t in "{};[]" for t in toks[1:]):
                if "[" in toks and "]" in toks and verb == "set":
                    i, j = toks.index("["), toks.index("]")
                    for item in toks[i + 1 : j]:
                        self.apply_set(" ".join([*toks[:i], item]))
                    continue
                raise ConfigError("syntax error", token=next(t for t in toks if t in "{};[]"), line=n)
            if verb == "set":
                if not words:
                    raise ConfigError("syntax error, expecting <statement> or <identifier>",
                                      line=n, token=verb)
                set_path(self.root, tuple(words))
            elif verb in ("delete", "deactivate", "activate", "protect", "unprotect"):
                if not words:
                    if verb == "delete":
                        self.root.children = []
                        continue
                    raise ConfigError("syntax error", token=verb, line=n)
                hit = find(self.root, tuple(words))
                if hit is None:  # Junos: "warning: statement not found", and the load goes on
                    self.warnings.append(ConfigError("statement not found", token=words[-1], line=n,
                                                     severity="warning"))
                    continue
                parents, node = hit
                if verb == "delete":
                    _delete(parents, node)
                elif verb in ("deactivate", "activate"):
                    node.inactive = verb == "deactivate"
                else:
                    node.protect = verb == "protect"
            else:
                raise ConfigError("syntax error, expecting <command>", token=verb, line=n)


# ---- set-path placement ----------------------------------------------------------------------
def _split(words: tuple[str, ...]) -> tuple[tuple[str, ...], bool]:
    """The first statement of ``words`` where nothing exists yet: (its words, is-container)."""
    kw = words[0]
    if kw in NAMED and len(words) > 2:
        return words[:2], True
    if kw in NAMED and len(words) == 2:
        return words, False
    if (kw in VALUE or kw in LISTS) and len(words) == 2:
        return words, False
    if len(words) == 2 and not _KEYWORD.match(words[1]):
        # an unknown keyword with a value that cannot be a keyword (digits, dots, capitals, spaces,
        # non-ASCII ...): ``building "B 1";``; with a keyword-like word it is a container:
        # ``netconf { ssh; }``
        return words, False
    if len(words) == 1:
        return words, False
    return words[:1], True


def set_path(parent: Node, words: tuple[str, ...], *, oneline: bool = False) -> Node:
    """``set <words>`` under ``parent``; returns the statement it made or found."""
    while True:
        kids = parent.children if parent.children is not None else []
        parent.children = kids
        best = None
        for c in kids:
            k = len(c.words)
            # a leaf grows into a container when something is set inside it: a named entry
            # (``family iso;``) or a one-word statement (``ssh;``, a bare ``ge-0/0/5;``)
            if (c.words == words[:k] and (best is None or k > len(best.words))
                    and (c.children is not None or k == len(words) or c.words[0] in NAMED or k == 1)):
                best = c
        if best is not None and len(best.words) == len(words):
            return best
        if best is not None:
            if best.children is None:  # ``family iso;`` gets something inside
                best.children = []
                best.oneline = best.oneline or best.words[0] in ONELINE
            parent, words = best, words[len(best.words):]
            continue
        head, container = _split(words)
        if not container:
            kw = head[0]
            if len(head) == 2 and kw in VALUE and kw not in LISTS:
                kids[:] = [c for c in kids if not (c.words[0] == kw and len(c.words) == 2)]
            node = Node(head, None)
            kids.append(node)
            return node
        node = Node(head, [], oneline=oneline or head[0] in ONELINE or bool(_PREFIX.match(head[0])))
        kids.append(node)
        parent, words = node, words[len(head):]


def find(root: Node, words: tuple[str, ...]) -> tuple[list[Node], Node] | None:
    parents: list[Node] = [root]
    node = root
    while words:
        nxt = None
        for c in node.children or ():
            k = len(c.words)
            if c.words == words[:k] and (nxt is None or k > len(nxt.words)):
                nxt = c
        if nxt is None:
            # ``delete ... description`` names a keyword-value leaf by its keyword
            for c in node.children or ():
                if c.children is None and c.words[: len(words)] == words:
                    return parents, c
            return None
        words = words[len(nxt.words):]
        if not words:
            return parents, nxt
        parents.append(nxt)
        node = nxt
    return None


def _delete(parents: list[Node], node: Node) -> None:
    parent = parents[-1]
    assert parent.children is not None
    parent.children.remove(node)
    for i in range(len(parents) - 1, 0, -1):
        p, up = parents[i], parents[i - 1]
        if p.children == [] and up.children is not None:
            up.children.remove(p)


def _place(parent: Node, words: tuple[str, ...], container: bool, oneline: bool = False) -> Node:
    """The child of ``parent`` that is exactly the statement ``words`` (made if missing; a new
    keyword-value leaf replaces the old value, as ``set`` does)."""
    kids = parent.children if parent.children is not None else []
    parent.children = kids
    for c in kids:
        if c.words == words:
            if container and c.children is None:
                c.children = []
            return c
    kw = words[0]
    if not container and len(words) == 2 and kw not in LISTS and (kw in VALUE or kw not in NAMED):
        kids[:] = [c for c in kids if not (c.words[0] == kw and len(c.words) == 2 and c.children is None)]
    node = Node(words, [] if container else None, oneline=oneline)
    kids.append(node)
    return node


def _merge(dst: Node, src: Node, honour_replace: bool) -> None:
    for s in src.children or ():
        d = _place(dst, s.words, s.children is not None, s.oneline)
        d.inactive, d.protect = d.inactive or s.inactive, d.protect or s.protect
        d.oneline = d.oneline or s.oneline
        if s.children is None:
            continue
        if honour_replace and s.replace:
            d.children = []
        _merge(d, s, honour_replace)


# ---- curly-brace text ------------------------------------------------------------------------
def _unquote(tok: str) -> str:
    if len(tok) >= 2 and tok[0] == '"' and tok[-1] == '"':
        return re.sub(r"\\(.)", r"\1", tok[1:-1])
    return tok


def _quote(word: str) -> str:
    if word == "" or re.search(r"[^A-Za-z0-9._/:\-+,*=]", word):
        return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return word


def _tokens(line: str, n: int) -> list[str]:
    pos, out = 0, []
    for m in _TOKEN.finditer(line):
        if line[pos : m.start()].strip():
            raise ConfigError("syntax error", token=line[pos : m.start()].strip(), line=n)
        out.append(m.group())
        pos = m.end()
    if line[pos:].strip():
        raise ConfigError("syntax error", token=line[pos:].strip(), line=n)
    return out


def parse_text(text: str) -> Config:
    """Curly-brace configuration (``show configuration``, ``load merge terminal``) -> Config."""
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group().count("\n"), text, flags=re.S)
    conf = Config()
    stack: list[Node] = [conf.root]
    pending: list[str] = []
    flags: dict[str, bool] = {}
    lineno = 0
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.split("##", 1)[0] if not raw.lstrip().startswith("#") else ""
        if not line.strip():
            continue
        for tok in _tokens(line, lineno):
            if tok in ("inactive:", "protect:", "replace:") and not pending:
                flags[tok[:-1]] = True
            elif tok == "{":
                if not pending:
                    raise ConfigError("syntax error", token=tok, line=lineno)
                node = Node(tuple(pending), [])
                stack[-1].children.append(node)  # type: ignore[union-attr]
                _flag(node, flags)
                stack.append(node)
                pending, flags = [], {}
            elif tok == "}":
                if pending or len(stack) == 1:
                    raise ConfigError("syntax error", token=tok, line=lineno)
                stack.pop()
            elif tok == ";":
                if not pending:
                    raise ConfigError("syntax error", token=tok, line=lineno)
                _leaf(stack[-1], pending, flags, lineno)
                pending, flags = [], {}
            elif tok in ("[", "]"):
                pending.append(tok)
            else:
                pending.append(_unquote(tok))
    if pending or len(stack) != 1:
        raise ConfigError("syntax error, expecting '}'" if len(stack) != 1 else "syntax error",
                          token=" ".join(pending) or "}", line=lineno)
    return _normalise(conf)


def _flag(node: Node, flags: dict[str, bool]) -> None:
    node.inactive = flags.get("inactive", False)
    node.protect = flags.get("protect", False)
    node.replace = flags.get("replace", False)


def _leaf(parent: Node, words: list[str], flags: dict[str, bool], lineno: int) -> None:
    assert parent.children is not None
    if "[" in words:
        i = words.index("[")
        if words[-1] != "]" or i == 0 or "[" in words[i + 1 : -1] or "]" in words[i + 1 : -1]:
            raise ConfigError("syntax error", token="[", line=lineno)
        for item in words[i + 1 : -1]:
            parent.children.append(Node((*words[:i], item), None))
        return
    if "]" in words:
        raise ConfigError("syntax error", token="]", line=lineno)
    node = Node(tuple(words), None)
    _flag(node, flags)
    parent.children.append(node)


def _normalise(conf: Config) -> Config:
    """Re-place every statement as a ``set`` would, so text and set input give one tree."""
    out = Config()

    def copy_into(dst: Node, src: Node) -> None:
        for s in src.children or ():
            if s.children is None:
                node = set_path(dst, s.words, oneline=True)
            else:
                node = set_path(dst, s.words)
                if node.children is None:
                    node.children = []
                copy_into(node, s)
            node.inactive, node.protect, node.replace = s.inactive, s.protect, s.replace

    copy_into(out.root, conf.root)
    return out


def _prefix(node: Node) -> str:
    return ("inactive: " if node.inactive else "") + ("protect: " if node.protect else "")


def _flat(node: Node) -> list[str] | None:
    """Words of a one-line container (``level 1 disable``), or None when it needs braces."""
    if node.children is None:
        return list(node.words)
    if node.oneline and len(node.children) == 1 and not node.children[0].inactive:
        inner = _flat(node.children[0])
        if inner is not None and not (node.words[0] in ONELINE_WORD and len(inner) > 1):
            return [*node.words, *inner]
    return None


def _print_children(node: Node, depth: int, out: list[str]) -> None:
    pad = "    " * depth
    kids = node.children or []
    done: set[int] = set()
    for i, c in enumerate(kids):
        if i in done:
            continue
        if c.children is None and len(c.words) >= 2 and c.words[0] in LISTS:
            same = [j for j in range(i, len(kids)) if kids[j].children is None
                    and kids[j].words[:-1] == c.words[:-1] and kids[j].inactive == c.inactive]
            if len(same) > 1:
                done.update(same)
                items = " ".join(_quote(kids[j].words[-1]) for j in same)
                out.append(f"{pad}{_prefix(c)}{' '.join(map(_quote, c.words[:-1]))} [ {items} ];")
                continue
        flat = _flat(c)
        if flat is not None:
            out.append(f"{pad}{_prefix(c)}{' '.join(map(_quote, flat))};")
        else:
            out.append(f"{pad}{_prefix(c)}{' '.join(map(_quote, c.words))} {{")
            _print_children(c, depth + 1, out)
            out.append(f"{pad}}}")


def _walk(node: Node, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Node]]:
    for c in node.children or ():
        p = (*path, *map(_quote, c.words))
        if c.children:
            if c.inactive or c.protect:
                yield p, Node(c.words, None, c.inactive, c.protect)
            yield from _walk(c, p)
        else:
            yield p, c


# ---- XML -------------------------------------------------------------------------------------
def _to_xml(node: Node, parent: etree._Element, entry: str | None) -> None:
    words = list(node.words)
    if not _XML_NAME.match(words[0]) or (entry is not None and not (words[0] in NAMED or words[0] in VALUE)):
        el = etree.SubElement(parent, entry or "entry")
        etree.SubElement(el, "name").text = words[0]
        rest = words[1:]
    else:
        kw = words[0]
        if kw == "family" and len(words) >= 2:
            last = parent[-1] if len(parent) else None
            fam = last if last is not None and last.tag == "family" else etree.SubElement(parent, "family")
            el = etree.SubElement(fam, words[1])
            rest = words[2:]
        elif kw in NAMED and len(words) >= 2 and not (
            kw in VALUE and node.children is None and len(words) == 2
        ):
            el = etree.SubElement(parent, kw)
            etree.SubElement(el, "name").text = words[1]
            rest = words[2:]
        else:
            el = etree.SubElement(parent, kw)
            if len(words) >= 2 and node.children is None:
                if kw in VALUE or kw in LISTS or len(words) == 2:
                    el.text = " ".join(words[1:])
                    rest = []
                else:
                    rest = words[1:]
            else:
                rest = words[1:]
    if node.inactive:
        el.set("inactive", "inactive")
    if node.protect:
        el.set("protect", "protect")
    if rest:
        _to_xml(Node(tuple(rest), node.children), el, None)
        return
    child_entry = XML_ENTRY.get(node.words[0]) if len(node.words) <= 2 else None
    for c in node.children or ():
        _to_xml(c, el, child_entry)


def from_xml(data: str | etree._Element) -> Config:
    """``<configuration>`` (Junos XML) -> Config; ``replace="replace"``/``delete="delete"`` honoured."""
    if isinstance(data, str):
        try:
            el = etree.fromstring(data.encode())
        except etree.XMLSyntaxError as e:
            raise ConfigError(f"syntax error: {e}", tag="malformed-message", kind="rpc") from None
    else:
        el = data
    if etree.QName(el).localname != "configuration":
        raise ConfigError(f"syntax error, expecting <configuration>: <{etree.QName(el).localname}>",
                          token=etree.QName(el).localname, tag="unknown-element")
    conf = Config()
    deletes: list[tuple[str, ...]] = []

    def walk(x: etree._Element, path: tuple[str, ...]) -> None:
        entry = XML_ENTRY.get(path[-1] if len(path) == 1 else etree.QName(x).localname, "entry")
        for c in x:
            if not isinstance(c.tag, str):
                continue
            tag = etree.QName(c).localname
            if tag == "name":
                continue
            name = c.find("name")
            subs = [s for s in c if isinstance(s.tag, str) and etree.QName(s).localname != "name"]
            words: tuple[str, ...]
            if tag == "family" and subs and name is None:  # <family><inet>...</inet><iso/></family>
                for fam in subs:
                    sub = [s for s in fam if isinstance(s.tag, str)]
                    p = (*path, "family", etree.QName(fam).localname)
                    _xml_node(conf, p, fam, bool(sub), deletes)
                    walk(fam, p)
                continue
            if name is not None:
                ident = (name.text or "").strip()
                words = (ident,) if tag == entry else (tag, ident)
            elif c.text and c.text.strip() and not subs:
                words = (tag, c.text.strip())
            else:
                words = (tag,)
            p = (*path, *words)
            _xml_node(conf, p, c, bool(subs), deletes)
            walk(c, p)

    walk(el, ())
    for d in deletes:
        hit = find(conf.root, d)
        if hit:
            _delete(*hit)
    conf.deletes = deletes
    return conf


def _xml_node(conf: Config, path: tuple[str, ...], el: etree._Element, container: bool,
              deletes: list[tuple[str, ...]]) -> None:
    text = (el.text or "").strip()
    if not container and text and len(path) >= 2 and path[-1] == text:
        # ``<building>b1</building>``: one keyword-value statement, whatever the keyword
        parent = set_path(conf.root, path[:-2]) if len(path) > 2 else conf.root
        if parent.children is None:
            parent.children = []
        node = _place(parent, path[-2:], False)
    else:
        node = set_path(conf.root, path)
    if container and node.children is None:
        node.children = []
    if container and (node.words[0] in ONELINE or _PREFIX.match(node.words[0])):
        node.oneline = True
    node.inactive = el.get("inactive") == "inactive"
    node.protect = el.get("protect") == "protect"
    op = el.get("operation") or el.get("{urn:ietf:params:xml:ns:netconf:base:1.0}operation")
    node.replace = el.get("replace") == "replace" or op == "replace"
    if el.get("delete") == "delete" or op in ("delete", "remove"):
        deletes.append(path)



def select(conf: Config, filt: Config) -> Config:
    """The parts of ``conf`` a ``get-configuration`` subtree filter names (``<system><domain-name/>``)."""
    out = Config()

    def pick(src: Node, f: Node, dst: Node) -> None:
        for fc in f.children or ():
            for c in src.children or ():
                hit = c.words == fc.words or (fc.children is None and len(fc.words) == 1
                                              and c.words[0] == fc.words[0])
                if not hit:
                    continue
                if fc.children:
                    sub = Node(c.words, [], c.inactive, c.protect, c.oneline)
                    pick(c, fc, sub)
                    if sub.children:
                        dst.children.append(sub)  # type: ignore[union-attr]
                else:
                    dst.children.append(copy.deepcopy(c))  # type: ignore[union-attr]

    pick(conf.root, filt.root, out.root)
    return out
