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
    """Empty string when equal, else Junos's ``show | compare`` text."""
    out: list[str] = []
    _diff(old.root, new.root, [], out)
    return "".join(line + "\n" for line in out)


def _diff(a: Node, b: Node, path: list[str], out: list[str]) -> None:
    header = "[edit" + "".join(" " + _quote(w) for w in path) + "]"
    block: list[str] = []
    akids = {c.words: c for c in a.children or ()}
    bkids = {c.words: c for c in b.children or ()}
    nested: list[tuple[Node, Node]] = []
    top = not path
    depth = 0 if top else 1
    for w, c in akids.items():
        if w not in bkids:
            block += _signed("-", _lines(c, depth), top)
    for w, c in bkids.items():
        old = akids.get(w)
        if old is None:
            block += _signed("+", _lines(c, depth), top)
        elif _same(old, c):
            continue
        elif old.children is not None and c.children is not None and old.inactive == c.inactive:
            nested.append((old, c))
        else:
            block += _signed("-", _lines(old, depth), top) + _signed("+", _lines(c, depth), top)
    if block:
        out.append(header)
        out.extend(block)
    for old, c in nested:
        _diff(old, c, [*path, *c.words], out)
