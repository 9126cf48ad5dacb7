"""YAML loading that remembers where every key came from.

Errors about user files must name the file, the key and its line; PyYAML's
composed node tree has the marks, so we keep a map from key path to line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from fabric.errors import FabricError

KeyPath = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """SafeLoader; duplicate keys are refused (PyYAML silently keeps the last one)."""


class DuplicateKey(yaml.constructor.ConstructorError):
    """A key given twice in one mapping: its own message, with both lines (not a syntax error)."""

    def __init__(self, key: Any, first: int, mark: Any) -> None:
        super().__init__(None, None, f"duplicate key '{key}'", mark)
        self.key, self.first, self.again = key, first, mark.line + 1


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, int] = {}  # key -> its line
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)  # type: ignore[no-untyped-call]
        try:
            hash(key)
        except TypeError:  # a list or mapping as a key ("? [a, b]"): PyYAML's own error, with its line
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark, "found unhashable key", key_node.start_mark
            ) from None
        if key in seen:
            raise DuplicateKey(key, seen[key], key_node.start_mark)
        seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

# libyaml's parser when PyYAML was built with it (Debian's and the wheels are): the same node tree and
# marks, ten times faster than the pure-Python one (0.35 s of `fabric validate` went into parsing the
# 64-node dc-large topology). Its error messages are vaguer, so a file it refuses is parsed again by the
# pure-Python loader, whose errors name the problem precisely.
_FastLoader: type[Any] | None = None
if getattr(yaml, "__with_libyaml__", False):

    class _CLoader(yaml.CSafeLoader):  # type: ignore[misc, name-defined]
        """The same as _Loader, parsed by libyaml."""

    _CLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    _FastLoader = _CLoader


def _lines(node: yaml.Node, path: KeyPath, out: dict[KeyPath, int], seen: set[int] | None = None) -> None:
    # An alias is the same node again: walk each node once, or a recursive alias (&a [*a]) never ends
    # and a billion-laughs file takes exponential time. Its own lines are where the anchor is.
    seen = set() if seen is None else seen
    if id(node) in seen:
        return
    seen.add(id(node))
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            key = k.value if isinstance(k, yaml.ScalarNode) else str(k)
            out[path + (key,)] = k.start_mark.line + 1
            if not isinstance(v, yaml.ScalarNode):
                _lines(v, path + (key,), out, seen)
                out[path + (key,)] = k.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out[path + (i,)] = item.start_mark.line + 1
            if not isinstance(item, yaml.ScalarNode):
                _lines(item, path + (i,), out, seen)


class YamlDoc:
    def __init__(self, path: Path, data: Any, lines: dict[KeyPath, int]) -> None:
        self.path = path
        self.data = data
        self._lines = lines

    def line(self, keypath: KeyPath) -> int | None:
        # The deepest known ancestor of the path (pydantic locs can point at missing keys).
        p = tuple(keypath)
        while p:
            if p in self._lines:
                return self._lines[p]
            p = p[:-1]
        return self._lines.get((), None)


def load_yaml(path: Path) -> YamlDoc:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        fix = fabrics_hint(path.parent.name) if path.name == "fabric.yaml" else "check the path"
        raise FabricError("file not found", file=str(path.resolve()), fix=fix) from None
    except OSError as exc:
        raise FabricError(f"cannot read file: {exc.strerror or exc}", file=str(path),
                          fix="pass a readable file (check the path and its permissions)") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FabricError(
            f"not UTF-8 text: byte {raw[exc.start]:#04x} at offset {exc.start}",
            file=str(path),
            line=raw[: exc.start].count(b"\n") + 1,
            fix="save the file as UTF-8 text (is it the right file?)",
        ) from None
    try:
        try:
            data, lines = _parse(_FastLoader or _Loader, text)
        except yaml.YAMLError:
            if _FastLoader is None:
                raise
            data, lines = _parse(_Loader, text)  # the precise error (or, rarely, what libyaml refused)
    except DuplicateKey as exc:
        raise FabricError(
            f"key '{exc.key}' is given twice (first on line {exc.first}): YAML keeps only one of them",
            file=str(path),
            line=exc.again,
            fix=f"keep one '{exc.key}' (merge the two if both hold settings)",
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise FabricError(
            f"YAML syntax error: {exc.problem or exc.context}",
            file=str(path),
            line=(mark.line + 1) if mark else None,
            fix="correct the YAML at that line (indentation, a missing ':' or quote)",
        ) from None
    except yaml.reader.ReaderError as exc:  # a control character: no YAML file has one
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise FabricError(
            f"YAML does not allow the character U+{char:04X}",
            file=str(path),
            line=text[: exc.position].count("\n") + 1,
            fix="remove it (a binary or mis-encoded file?)",
        ) from None
    except yaml.YAMLError as exc:
        raise FabricError(f"YAML error: {exc}", file=str(path), fix="correct the YAML") from None
    return YamlDoc(path, data, lines)


def fabrics_hint(name: str) -> str:
    """The fabrics that exist under ./inventory, the closest to ``name`` first (for "not found" fixes)."""
    import difflib

    known = sorted(p.parent.name for p in Path("inventory").glob("*/fabric.yaml"))
    if not known:
        return "pass inventory/<fabric> (a directory holding fabric.yaml)"
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"{hint}fabrics under inventory/: {', '.join(known)}"


def _parse(loader_class: type[Any], text: str) -> tuple[Any, dict[KeyPath, int]]:
    lines: dict[KeyPath, int] = {}
    loader = loader_class(text)  # one parse: the node tree gives the lines, then the data (as yaml.load)
    try:
        node = loader.get_single_node()
        if node is not None:
            _lines(node, (), lines)  # before construction, which may rewrite merge keys in the tree
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return data, lines
