"""Reading vendor XML replies by local name (namespace-agnostic): what the NETCONF normalisers share.

Replies arrive with namespaces (raw ncclient) or without (PyEZ strips Junos's); reading by local name
serves both, and a model's prefix never matters.
"""

from __future__ import annotations

from typing import Any

from lxml import etree


def local(el: Any) -> str:
    """The element's tag without its namespace ("" for comments and processing instructions)."""
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def kids(el: Any, name: str) -> list[Any]:
    """The children with this local name (none below a missing element)."""
    return [c for c in el if local(c) == name] if el is not None else []


def kid(el: Any, *path: str) -> Any:
    """The first element at this path of local names, or None."""
    for name in path:
        k = kids(el, name)
        if not k:
            return None
        el = k[0]
    return el


def text(el: Any, *path: str) -> str:
    """The stripped text at this path ("" when absent)."""
    k = kid(el, *path)
    return (k.text or "").strip() if k is not None else ""


def to_int(s: str | None) -> int | None:
    try:
        return int(str(s).strip())
    except (TypeError, ValueError):
        return None


def root(reply: Any) -> Any:
    """An lxml element from a reply: element, ncclient reply (``.xml``/``.data_ele``), bytes or str."""
    if hasattr(reply, "tag"):
        return reply
    if hasattr(reply, "xml") and not isinstance(reply, str | bytes):
        reply = reply.xml
    data = reply.encode() if isinstance(reply, str) else reply
    return etree.fromstring(data, parser=etree.XMLParser(remove_blank_text=True, huge_tree=True))


def all_named(el: Any, name: str) -> list[Any]:
    """Every descendant element with this local name (document order)."""
    return [e for e in el.iter() if isinstance(e.tag, str) and local(e) == name]


def path(el: Any, *path: str) -> list[Any]:
    """Every element at this path of local names below ``el`` (lists expanded; ``*``: any element)."""
    level = [el] if el is not None else []
    for name in path:
        level = [c for e in level for c in e if isinstance(c.tag, str) and (name == "*" or local(c) == name)]
    return level
