"""Junos text forms: the curly-brace golden config as ``show configuration | display set`` lines."""

from __future__ import annotations

import re

from fabric.errors import FabricError

_SET_LEAF = re.compile(r"^(?P<stmt>.*?);(?:\s*##.*)?$")


def junos_display_set(text: str) -> str:
    """Junos curly-brace config -> ``show configuration | display set`` lines.

    Handles what the templates emit: nested ``name {`` blocks, ``leaf;`` statements,
    ``[ a b ]`` lists (expanded to one set line per element, as Junos does) and
    ``/* comments */`` (dropped).
    """
    out: list[str] = []
    path: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("/*", "#")):
            continue
        if line.endswith("{"):
            path.append(line[:-1].strip())
        elif line == "}":
            path.pop()
        else:
            m = _SET_LEAF.match(line)
            if not m:
                raise FabricError(f"junos: cannot convert line to set form: {raw!r}")
            stmt = m.group("stmt")
            lm = re.fullmatch(r"(.*?)\s*\[\s*(.*?)\s*\]", stmt)
            if lm:
                for item in lm.group(2).split():
                    out.append("set " + " ".join([*path, lm.group(1), item]))
            else:
                out.append("set " + " ".join([*path, stmt]))
    if path:
        raise FabricError(f"junos: unbalanced braces, still inside {' '.join(path)!r}")
    return "\n".join(out) + "\n"
