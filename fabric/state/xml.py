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
