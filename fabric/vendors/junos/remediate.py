"""Junos compliance: configurations as statements, and the ``set``/``delete`` lines that turn running
into intended.

Both sides are read with the Junos twin's configuration model (:mod:`fabric.vendors.junos.twin.config`),
whose keyword tables are the schema split Junos applies: a ``VALUE`` leaf (``host-name``, ``peer-as``)
is replaced by a ``set`` of the new value and deleted by its keyword alone (``delete system
domain-name``); a ``LISTS`` leaf (``protocol [ direct bgp ]``) is deleted member by member; a
``NAMED`` entry (``neighbor 10.0.0.1``) and a container are deleted by their path. Order is kept
where Junos gives it meaning (policy terms, export/import chains): ``set`` only appends, so the
entries from the first one out of place are deleted and set again.

The lines use only ``set`` and ``delete`` (what the rollout driver loads as ``format="set"``), except
``deactivate`` for a statement intended inactive; a statement deactivated on the device is brought
back by deleting it and setting it again (same candidate, so the commit changes only its flag).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from fabric.vendors.junos.twin.config import LISTS, NAMED, VALUE, Config, Node, _quote, parse_text

Keep = Callable[[str], bool]
Words = tuple[str, ...]

# Leaves whose order is the configuration's meaning (policy chains, lookup orders); other lists
# (``protocol``, ``members``) are sets for Junos, so their order is never remediated.
ORDERED_LISTS = frozenset({"export", "import", "vrf-import", "vrf-export", "apply-groups",
                           "authentication-order"})
ORDERED_ENTRIES = frozenset({"term"})
_KEYWORD = re.compile(r"^[a-z][a-z-]*$")


def read(text: str) -> Config:
    """A curly-brace configuration (``show configuration``, a golden render) or ``set`` lines."""
    first = next((ln.strip() for ln in text.splitlines()
                  if ln.strip() and not ln.strip().startswith(("#", "/*"))), "")
    if first.split(" ", 1)[0] in ("set", "delete", "deactivate", "activate"):
        return Config().load(text, fmt="set")
    return parse_text(text)


def path_text(words: Words) -> str:
    return " ".join(map(_quote, words))


def statements(config: str) -> list[tuple[str, str]]:
    """(path, entry) per statement, as ``| display set`` lists them: ``path`` decides the feature and
    ``entry`` is what is compared. An inactive statement adds ``deactivate <its path>``, filed under
    its first statement's path (a deactivated ``system`` belongs to the feature of its host-name)."""
    out: list[tuple[str, str]] = []

    def walk(path: Words, node: Node) -> None:
        for c in node.children or ():
            here = (*path, *c.words)
            if c.inactive:
                out.append((path_text(next(_leaves(here, c))), f"deactivate {path_text(here)}"))
            if c.children:
                walk(here, c)
            else:
                out.append((path_text(here), path_text(here)))

    walk((), read(config).root)
    return out


def _value_leaf(node: Node) -> bool:
    """``keyword value;``: deleted by its keyword alone. Unknown keywords count when the value
    cannot be a keyword (``minimum-receive-interval 300``), as the model decides for ``set``."""
    if node.children is not None or len(node.words) != 2 or node.words[0] in LISTS:
        return False
    kw, value = node.words
    return kw in VALUE or (kw not in NAMED and not _KEYWORD.match(value))


def _leaves(path: Words, node: Node) -> Iterator[Words]:
    """Paths of the statements under ``node`` (itself when it is a leaf or empty), in order."""
    if not node.children:
        yield path
        return
    for c in node.children:
        yield from _leaves((*path, *c.words), c)


def _order_key(node: Node) -> tuple[str, ...] | None:
    """The group an order-sensitive statement belongs to (terms, members of an ordered list)."""
    kw = node.words[0]
    if kw in ORDERED_ENTRIES and len(node.words) == 2:
        return (kw,)
    if kw in ORDERED_LISTS and node.children is None and len(node.words) >= 2:
        return node.words[:-1]
    return None


def _misplaced(have: list[Node], want: list[Node], reset: set[Words]) -> set[Words]:
    """Running entries that must be deleted and set again so that appending yields want's order
    (``reset``: entries set again anyway, which so move to the end)."""
    out: set[Words] = set()
    groups = {k for c in want if (k := _order_key(c)) is not None}
    for key in groups:
        wanted = [c.words for c in want if _order_key(c) == key]
        kept = [c.words for c in have if _order_key(c) == key and c.words in wanted and c.words not in reset]
        # Entries left in place must be a prefix of want's order; keep the longest one that running
        # already has in sequence, the rest is appended again.
        n = 0
        for words in kept:
            if n < len(wanted) and words == wanted[n]:
                n += 1
        out.update(w for w in kept if w not in wanted[:n])
    return out


class _Diff:
    def __init__(self, keep: Keep) -> None:
        self.keep = keep
        self.deletes: list[str] = []
        self.sets: list[str] = []
        self.flags: list[str] = []

    def kept(self, path: Words, node: Node) -> bool:
        return all(self.keep(path_text(p)) for p in _leaves(path, node))

    def touches(self, path: Words, node: Node) -> bool:
        """A flag on ``path`` concerns the managed statements: it holds one."""
        return any(self.keep(path_text(p)) for p in _leaves(path, node))

    def delete(self, path: Words) -> None:
        self.deletes.append(f"delete {path_text(path)}")

    def add(self, path: Words, node: Node) -> None:
        """Set every managed statement of an intended subtree that running does not have."""
        for p in _leaves(path, node):
            if self.keep(path_text(p)):
                self.sets.append(f"set {path_text(p)}")
        self._inactive(path, node)

    def _inactive(self, path: Words, node: Node) -> None:
        if node.inactive and self.touches(path, node):
            self.flags.append(f"deactivate {path_text(path)}")
        for c in node.children or ():
            self._inactive((*path, *c.words), c)

    def remove(self, path: Words, node: Node, want_parent: Node) -> None:
        """A running statement intended nowhere: delete what of it is managed."""
        here = (*path, *node.words)
        if node.children:
            if self.kept(here, node):
                self.delete(here)
            else:  # unmanaged statements inside (a device default, another feature): keep them
                self.children(here, node, Node(node.words, []))
            return
        if not self.keep(path_text(here)):
            return
        if _value_leaf(node):
            kw = node.words[0]
            replaced = any(_value_leaf(c) and c.words[0] == kw for c in want_parent.children or ())
            if not (replaced and kw in VALUE):  # a known value leaf is replaced by the set alone
                self.delete((*path, kw))
            return
        self.delete(here)

    def children(self, path: Words, have: Node, want: Node) -> None:
        have_kids, want_kids = have.children or [], want.children or []
        wanted = {c.words: c for c in want_kids}
        present = {c.words: c for c in have_kids}
        reset = {c.words for c in have_kids if c.words in wanted and self.reactivated(
            (*path, *c.words), c, wanted[c.words])}
        redo = _misplaced(have_kids, want_kids, reset)
        for c in have_kids:
            if c.words not in wanted or c.words in redo:
                self.remove(path, c, want)
        for c in want_kids:
            here = (*path, *c.words)
            if c.words in redo or c.words not in present:
                self.add(here, c)
            else:
                self.both(here, present[c.words], c)

    def reactivated(self, path: Words, have: Node, want: Node) -> bool:
        """Deactivated on the device, active in intent: deleted and set again (only set/delete)."""
        return have.inactive and not want.inactive and self.kept(path, have) and self.kept(path, want)

    def both(self, path: Words, have: Node, want: Node) -> None:
        if have.inactive and not want.inactive:
            if self.reactivated(path, have, want):
                self.delete(path)
                self.add(path, want)
                return
            if self.touches(path, have):  # holds unmanaged statements: keep them, flip the flag
                self.flags.append(f"activate {path_text(path)}")
        if want.inactive and not have.inactive and self.touches(path, want):
            self.flags.append(f"deactivate {path_text(path)}")
        if have.children and not want.children:
            # `family inet;` intended, addresses running: Junos may drop the emptied container with
            # the last delete (the twin's model does), so set it again after the deletes.
            self.children(path, have, want)
            if self.keep(path_text(path)):
                self.sets.append(f"set {path_text(path)}")
            return
        if want.children:
            self.children(path, have, want)


def remediate(running: str, intended: str, keep: Keep | None = None) -> str:
    """Ordered ``delete`` lines, then ``set`` lines (then ``deactivate``) turning running into
    intended, limited to statements whose display-set path ``keep`` accepts (default: all)."""
    diff = _Diff(keep or (lambda path: True))
    diff.children((), read(running).root, read(intended).root)
    lines = [*diff.deletes, *dict.fromkeys(diff.sets), *diff.flags]
    return "".join(line + "\n" for line in lines)


class JunosRemediation:
    """The vendor hook the compliance engine loads (``Vendor.remediation``)."""

    statements = staticmethod(statements)
    remediate = staticmethod(remediate)
