"""A configuration tree (nested dicts; a list is a list of dict entries) as a flat map of leaf paths,
and the three-way merge a private candidate's commit needs. The Nokia twins (SR Linux and SR OS) keep
trees of this shape; only how a list's key leaves are found differs, so the caller passes ``keys``."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

Tree = dict[str, Any]
Leaf = tuple[Any, ...]  # path: names and (name, ((key, value), ...)) for list entries
# (parent name, list name, this entry, all the list's entries) -> the entry's key leaves
Keys = Callable[[str, str, Tree, list[Any]], tuple[str, ...]]


def is_list(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and isinstance(v[0], dict)


def leaves(node: Tree, keys: Keys, parent: str = "", prefix: Leaf = ()) -> dict[Leaf, Any]:
    """Every leaf (and every container or list entry, as ``{}``) by its path."""
    out: dict[Leaf, Any] = {}
    for k, v in node.items():
        if isinstance(v, dict):
            out[prefix + (k,)] = {}
            out.update(leaves(v, keys, k, prefix + (k,)))
        elif is_list(v):
            for e in v:
                ks = keys(parent, k, e, v)
                step = (k, tuple((x, e.get(x)) for x in ks))
                out[prefix + (step,)] = {}
                out.update(leaves({x: y for x, y in e.items() if x not in ks}, keys, k, prefix + (step,)))
        else:
            out[prefix + (k,)] = copy.deepcopy(v)
    return out


def from_leaves(m: dict[Leaf, Any]) -> Tree:
    root: Tree = {}
    for path, value in m.items():
        node = root
        for n, step in enumerate(path):
            last = n == len(path) - 1
            if isinstance(step, tuple):
                name, kv = step
                lst = node.setdefault(name, [])
                entry = next((e for e in lst if all(e.get(a) == b for a, b in kv)), None)
                if entry is None:
                    entry = dict(kv)
                    lst.append(entry)
                node = entry
            elif last and value != {}:
                node[step] = copy.deepcopy(value)
            else:
                node = node.setdefault(step, {})
    return root


def three_way(base: Tree, mine: Tree, theirs: Tree, keys: Keys) -> Tree:
    """``theirs`` (running now) with the changes from ``base`` to ``mine`` (a private candidate) replayed
    on it: what ``mine`` removed goes, what it added or changed wins."""
    b, m, t = leaves(base, keys), leaves(mine, keys), leaves(theirs, keys)
    gone = [p for p in b if p not in m]
    out = {p: v for p, v in t.items() if not any(p[:len(g)] == g for g in gone)}
    for p, v in m.items():
        if b.get(p, object()) != v:
            out[p] = v
    return from_leaves(out)
