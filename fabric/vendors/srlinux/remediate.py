"""SR Linux compliance: configurations as ``info flat`` statements, and the ``set / ...`` and
``delete / ...`` lines that turn running into intended.

Both sides are read with the SR Linux twin's configuration model
(:mod:`fabric.vendors.srlinux.twin.config`: flat ``set`` lines, ``info`` text or JSON), whose key
table tells list entries from containers and leaves. On that tree: a changed leaf is a ``set`` of the
new value (``set`` replaces a leaf); a leaf, list entry or container intended nowhere is deleted by
its path (``delete / interface ethernet-1/5``, ``delete / system name domain-name``); a changed
leaf-list is deleted then set whole, so the result does not depend on whether ``set`` of a leaf-list
merges or replaces. A removed subtree holding statements the caller does not manage (``keep``: device
defaults, other features) is not deleted whole: only its managed statements are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fabric.vendors.srlinux.twin.config import Config, Leaf, _word, leaves, parse_text

Keep = Callable[[str], bool]


def read(text: str) -> Config:
    """Any SR Linux configuration text (``info flat``, ``info``, JSON); empty text is empty."""
    return parse_text(text) if text.strip() else Config()


def path_words(path: Leaf) -> str:
    """A leaf-map path as CLI words (``interface ethernet-1/1 subinterface 0 description``)."""
    words: list[str] = []
    for step in path:
        if isinstance(step, tuple):
            name, kv = step
            words.append(name)
            for n, (k, v) in enumerate(kv):
                words += [_word(v)] if n == 0 else [k, _word(v)]
        else:
            words.append(step)
    return " ".join(words)


def _statement(path: Leaf, value: Any) -> str:
    """The ``info flat`` statement (without ``set / ``) of one leaf-map node."""
    head = path_words(path)
    if value == {} or value == [None]:
        return head  # an empty container, a key-only list entry, a YANG empty leaf
    if isinstance(value, list):
        return f"{head} [ " + " ".join(_word(x) for x in value) + " ]"
    return f"{head} {_word(value)}"


class _Tree:
    """A configuration as a leaf map plus who has children (statements are the childless nodes)."""

    def __init__(self, conf: Config) -> None:
        # annotations (``!!!`` comments) are not configuration: ``info flat`` does not print them
        self.m = {p: v for p, v in leaves(conf.data).items() if not str(p[0]).startswith("_annotate")}
        self.kids: dict[Leaf, list[Leaf]] = {}
        for p in self.m:
            self.kids.setdefault(p[:-1], []).append(p)

    def statement_nodes(self, path: Leaf) -> list[Leaf]:
        """The statements at or under ``path``."""
        kids = self.kids.get(path)
        if not kids:
            return [path]
        return [s for k in kids for s in self.statement_nodes(k)]

    def statements(self) -> list[str]:
        return [_statement(p, self.m[p]) for p in self.statement_nodes(())] if self.m else []


def statements(config: str) -> list[tuple[str, str]]:
    """(path, entry) per ``info flat`` statement (without ``set / ``): the path picks the feature,
    the entry is compared."""
    return [(s, s) for s in _Tree(read(config)).statements()]


def remediate(running: str, intended: str, keep: Keep | None = None) -> str:
    """``delete / ...`` lines, then ``set / ...`` lines turning running into intended, limited to the
    statements ``keep`` accepts (default: all)."""
    ok: Keep = keep or (lambda s: True)
    have, want = _Tree(read(running)), _Tree(read(intended))
    deletes: list[str] = []
    sets: list[str] = []

    def remove(p: Leaf) -> None:
        """``p`` (in running) is intended nowhere: delete it, or what of it is managed."""
        nodes = have.statement_nodes(p)
        if all(ok(_statement(s, have.m[s])) for s in nodes):
            deletes.append(f"delete / {path_words(p)}")
        elif p in have.kids:
            for k in have.kids[p]:
                remove(k)

    for p in have.m:
        if p not in want.m and (len(p) == 1 or p[:-1] in want.m):
            remove(p)
    for p, v in want.m.items():
        old = have.m.get(p, None)
        stmt = _statement(p, v)
        if v == {}:
            # a container or entry: created by the statements under it, set alone only when empty
            if p not in have.m and p not in want.kids and ok(stmt):
                sets.append(f"set / {stmt}")
            continue
        if p in have.m and old == v or not ok(stmt):
            continue
        if isinstance(v, list) and v != [None] and isinstance(old, list) and ok(_statement(p, old)):
            deletes.append(f"delete / {path_words(p)}")
        sets.append(f"set / {stmt}")
    return "".join(line + "\n" for line in [*deletes, *sets])


class SrlinuxRemediation:
    """The vendor hook the compliance engine loads (``Vendor.remediation``)."""

    statements = staticmethod(statements)
    remediate = staticmethod(remediate)
