"""SR OS compliance: configurations as MD-CLI ``info flat`` statements, and the ``/configure ...`` and
``delete /configure ...`` lines (full context, the golden configs' form) that turn running into intended.

Both sides are read with the SR OS configuration model (:mod:`fabric.vendors.sros.config`: full-context
lines, ``info``, ``admin show configuration`` or NETCONF XML), whose key table tells list entries from
containers and leaves and whose printer quotes values as SR OS does (``router "Base" interface
"system"``, ``port 1/1/c1/1``), so the statements match the rules' sections
(templates/compliance/sros.yaml). On that tree: a changed leaf is a set of the new value (MD-CLI replaces
a leaf); a leaf, list entry or container intended nowhere is deleted by its path; a changed leaf-list is
deleted and set whole (a set of ``[a b]`` adds to a leaf-list on MD-CLI); a removed subtree holding
statements the caller does not manage (``keep``) is not deleted whole, only its managed statements are.
The lines are what the twin's MD-CLI and the rollout driver (merge with deletes) take.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fabric.vendors.sros.config import Config, _entry_head, _leaf_text, leaves, parse_text

Keep = Callable[[str], bool]
Leaf = tuple[Any, ...]


def read(text: str) -> Config:
    """Any SR OS configuration text; empty text is an empty configuration."""
    return parse_text(text) if text.strip() else Config()


def path_words(path: Leaf) -> str:
    """A leaf-map path as MD-CLI words (``router "Base" interface "system" description``)."""
    words: list[str] = []
    parent = ""
    for step in path:
        if isinstance(step, tuple):
            name, kv = step
            words.append(_entry_head(parent, name, dict(kv))[0])
            parent = name
        else:
            words.append(step)
            parent = step
    return " ".join(words)


def _statement(path: Leaf, value: Any) -> str:
    """The ``info flat`` statement of one leaf-map node (an empty container or key-only entry: ``{ }``)."""
    if value == {}:
        return f"{path_words(path)} {{ }}"
    parent = next((s[0] if isinstance(s, tuple) else s for s in reversed(path[:-1])), "")
    head = path_words(path[:-1])
    return f"{head} {_leaf_text(parent, path[-1], value)}".strip()


class _Tree:
    """A configuration as a leaf map plus who has children (statements are the childless nodes)."""

    def __init__(self, conf: Config) -> None:
        self.m = leaves(conf.data)
        self.kids: dict[Leaf, list[Leaf]] = {}
        for p in self.m:
            self.kids.setdefault(p[:-1], []).append(p)

    def statement_nodes(self, path: Leaf) -> list[Leaf]:
        kids = self.kids.get(path)
        if not kids:
            return [path]
        return [s for k in kids for s in self.statement_nodes(k)]

    def statements(self) -> list[str]:
        return [_statement(p, self.m[p]) for p in self.statement_nodes(())] if self.m else []


def statements(config: str) -> list[tuple[str, str]]:
    """(path, entry) per ``info flat`` statement: the path picks the feature, the entry is compared."""
    return [(s, s) for s in _Tree(read(config)).statements()]


def remediate(running: str, intended: str, keep: Keep | None = None) -> str:
    """``delete /configure ...`` lines, then ``/configure ...`` lines turning running into intended,
    limited to the statements ``keep`` accepts (default: all)."""
    ok: Keep = keep or (lambda s: True)
    have, want = _Tree(read(running)), _Tree(read(intended))
    deletes: list[str] = []
    sets: list[str] = []

    def remove(p: Leaf) -> None:
        """``p`` (in running) is intended nowhere: delete it, or what of it is managed."""
        nodes = have.statement_nodes(p)
        if all(ok(_statement(s, have.m[s])) for s in nodes):
            deletes.append(f"delete /configure {path_words(p)}")
        elif p in have.kids:
            for k in have.kids[p]:
                remove(k)

    for p in have.m:
        if p not in want.m and (len(p) == 1 or p[:-1] in want.m):
            remove(p)
    for p, v in want.m.items():
        stmt = _statement(p, v)
        if v == {}:
            # a container or entry: created by the statements under it, set alone only when empty
            if p not in have.m and p not in want.kids and ok(stmt):
                sets.append(f"/configure {stmt}")
            continue
        old = have.m.get(p)
        if (p in have.m and old == v) or not ok(stmt):
            continue
        if isinstance(v, list) and isinstance(old, list) and ok(_statement(p, old)):
            deletes.append(f"delete /configure {path_words(p)}")
        sets.append(f"/configure {stmt}")
    return "".join(line + "\n" for line in [*deletes, *sets])


class SrosRemediation:
    """The vendor hook the compliance engine loads (``Vendor.remediation``)."""

    statements = staticmethod(statements)
    remediate = staticmethod(remediate)
