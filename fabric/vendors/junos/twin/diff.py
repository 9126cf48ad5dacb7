"""``show | compare``: Junos's hierarchical diff (``[edit path]`` headers, ``-``/``+`` statements)."""

from __future__ import annotations

from fabric.vendors.junos.twin.config import Config, Node, _print_children, _quote


def _lines(node: Node, depth: int) -> list[str]:
    out: list[str] = []
    _print_children(Node((), [node]), depth, out)
    return out


def _signed(sign: str, lines: list[str], top: bool) -> list[str]:
    # Junos: ``+  snmp {`` under ``[edit]``, ``+   ge-0/0/1 {`` under ``[edit interfaces]``
    return [sign + ("  " + line if top else line[1:]) for line in lines]


def _same(a: Node, b: Node) -> bool:
    return _lines(a, 0) == _lines(b, 0)


def junos_diff(old: Config, new: Config) -> str:
    """Empty string when equal, else Junos's ``show | compare`` text: changes in configuration order,
    an ``[edit <path>]`` header whenever the hierarchy of the next change differs from the last one."""
    changes: list[tuple[tuple[str, ...], list[str]]] = []
    _diff(old.root, new.root, (), changes)
    out: list[str] = []
    last: tuple[str, ...] | None = None
    for path, lines in changes:
        if path != last:
            out.append("[edit" + "".join(" " + _quote(w) for w in path) + "]")
            last = path
        out.extend(lines)
    return "".join(line + "\n" for line in out)


def _diff(a: Node, b: Node, path: tuple[str, ...], out: list[tuple[tuple[str, ...], list[str]]]) -> None:
    top = not path
    depth = 0 if top else 1
    akids = {c.words: c for c in a.children or ()}
    bkids = {c.words: c for c in b.children or ()}
    done: set[tuple[str, ...]] = set()
    for w, old in akids.items():
        c = bkids.get(w)
        if c is None:
            lines = _signed("-", _lines(old, depth), top)
            # a new value of the same statement (``host-name a`` -> ``host-name b``) follows at once
            for nw, n in bkids.items():
                if nw not in akids and nw not in done and nw[0] == w[0] and len(nw) == len(w) \
                        and (n.children is None) == (old.children is None):
                    lines += _signed("+", _lines(n, depth), top)
                    done.add(nw)
                    break
            out.append((path, lines))
        elif _same(old, c):
            continue
        elif old.children is not None and c.children is not None and old.inactive == c.inactive:
            _diff(old, c, (*path, *c.words), out)
        else:
            out.append((path, _signed("-", _lines(old, depth), top) + _signed("+", _lines(c, depth), top)))
    for w, c in bkids.items():
        if w not in akids and w not in done:
            out.append((path, _signed("+", _lines(c, depth), top)))
