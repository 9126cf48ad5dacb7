"""SR Linux configuration model: one JSON tree that reads and prints ``info``, ``info flat`` and JSON.

The canonical form is SR Linux's own JSON (``info | as json``, JSON-RPC ``get /``): nested dicts,
lists as lists of dicts that carry their key leaves, leaf-lists as lists, empty leaves as ``[null]``.
Module prefixes (``srl_nokia-interfaces:interface``, identity values such as
``srl_nokia-common:ipv4-unicast``) are stripped on input and added back only where the JSON-RPC
server shows them (:func:`with_prefixes`).

The model is schema-light: how the words of a ``set`` line split into lists, containers and leaves
comes from a small table of list keys (``KEYS``); a word followed by one value is a leaf, by more
words a container. Text has no types, so numbers and booleans are typed by their looks, except
for leaves known to be strings (``STRING_LEAVES``); JSON input keeps the types it has.

Syntax accepted: the current form (23.10 to 25.x), and these older forms (21.x to 23.7, still in
containerlab's own examples), normalised on input to the current form:

* BGP ``ipv4-unicast`` / ``ipv6-unicast`` / ``evpn`` directly under ``bgp``, ``group`` or ``neighbor``
  (now ``afi-safi <name>``), and ``export-policy X`` / ``import-policy X`` as plain leaves (now
  leaf-lists);
* routing policy ``action accept`` / ``action reject`` and ``default-action accept`` (also as
  ``accept { }`` containers, 21.x to 23.3; now ``policy-result accept``), and ``statement``
  keyed by ``sequence-id`` (now ``name``).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from typing import Any

from fabric.twins import tree

Tree = dict[str, Any]


class ConfigError(Exception):
    """Invalid input; ``message`` is SR Linux's error text (the caller keeps its config unchanged)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# (parent, list) -> key leaves; parent "" is the root. Lookups fall back to (*, list).
KEYS: dict[tuple[str, str], tuple[str, ...]] = {
    ("", "interface"): ("name",),
    ("interface", "subinterface"): ("index",),
    ("ipv4", "address"): ("ip-prefix",),
    ("ipv6", "address"): ("ip-prefix",),
    ("", "network-instance"): ("name",),
    ("network-instance", "interface"): ("name",),
    ("bgp", "group"): ("group-name",),
    ("bgp", "neighbor"): ("peer-address",),
    ("bgp", "afi-safi"): ("afi-safi-name",),
    ("group", "afi-safi"): ("afi-safi-name",),
    ("neighbor", "afi-safi"): ("afi-safi-name",),
    ("routing-policy", "policy"): ("name",),
    ("policy", "statement"): ("name",),
    ("routing-policy", "prefix-set"): ("name",),
    ("prefix-set", "prefix"): ("ip-prefix", "mask-length-range"),
    ("routing-policy", "community-set"): ("name",),
    ("routing-policy", "as-path-set"): ("name",),
    ("routing-policy", "tag-set"): ("name",),
    ("isis", "instance"): ("name",),
    ("ospf", "instance"): ("name",),
    ("instance", "interface"): ("interface-name",),
    ("area", "interface"): ("interface-name",),
    ("instance", "area"): ("area-id",),
    ("instance", "level"): ("level-number",),
    ("interface", "level"): ("level-number",),
    ("static-routes", "route"): ("prefix",),
    ("next-hop-groups", "group"): ("name",),
    ("group", "nexthop"): ("index",),
    ("bfd", "subinterface"): ("id",),
    ("acl", "acl-filter"): ("name", "type"),
    ("acl-filter", "entry"): ("sequence-id",),
    ("acl", "ipv4-filter"): ("name",),
    ("acl", "ipv6-filter"): ("name",),
    ("ipv4-filter", "entry"): ("sequence-id",),
    ("ipv6-filter", "entry"): ("sequence-id",),
    ("logging", "buffer"): ("buffer-name",),
    ("logging", "file"): ("file-name",),
    ("buffer", "facility"): ("facility-name",),
    ("file", "facility"): ("facility-name",),
    ("aaa", "server-group"): ("name",),
    ("authentication", "user"): ("username",),
    ("authorization", "role"): ("rolename",),
    ("ntp", "server"): ("address",),
    ("tls", "server-profile"): ("name",),
    ("system", "grpc-server"): ("name",),
    ("system", "ssh-server"): ("name",),
    ("json-rpc-server", "network-instance"): ("name",),
    ("netconf-server", "instance"): ("name",),
    ("lldp", "interface"): ("name",),
    ("snmp", "access-group"): ("name",),
    ("snmp", "network-instance"): ("name",),
    ("access-group", "community-entry"): ("name",),
    ("bgp-evpn", "bgp-instance"): ("id",),
    ("bgp-vpn", "bgp-instance"): ("id",),
    ("", "tunnel-interface"): ("name",),
    ("tunnel-interface", "vxlan-interface"): ("index",),
    ("system", "netconf-server"): ("name",),
    ("policers", "system-cpu-policer"): ("name",),
    ("policers", "policer"): ("name",),
    ("", "platform"): (),  # container
    ("platform", "linecard"): ("slot",),
    ("subinterface", "vlan"): (),  # container
}
_BY_NAME = {"interface": ("name",), "neighbor": ("peer-address",), "group": ("group-name",),
            "afi-safi": ("afi-safi-name",), "address": ("ip-prefix",)}
# leaves whose values stay strings even when they look like numbers (uint64 is a string in RFC 7951)
STRING_LEAVES = frozenset({
    "name", "description", "host-name", "domain-name", "group-name", "peer-group", "comment",
    "size", "username", "password", "contact", "location", "area-id", "router-id", "id",
    "community-member", "member", "mask-length-range", "prefix", "ip-prefix", "peer-address",
})
# empty containers that ``info flat`` prints like a leaf (``action accept``): the second word is the container
PRESENCE = frozenset({("action", "accept"), ("action", "drop"), ("action", "reject"),
                      ("default-action", "accept"), ("default-action", "reject")})
EMPTY_LEAVES = frozenset({"primary"})  # YANG ``empty``: ``primary`` in text, ``[null]`` in JSON
LEAF_LISTS = frozenset({"export-policy", "import-policy", "net", "server-list", "search-list",
                        "services", "member", "community-member", "role", "network-instance-name"})
# the top-level containers a ``set /`` may name (23.10+), for the ``Unknown token`` error
TOP = ("acl", "bfd", "interface", "network-instance", "oam", "platform", "qos", "routing-policy",
       "system", "tunnel", "tunnel-interface")
# identity values the JSON-RPC server shows with their module (the real replies in the reference)
_IDENTITY = {("network-instance", "type"): "srl_nokia-network-instance",
             ("afi-safi", "afi-safi-name"): "srl_nokia-common",
             ("subinterface", "type"): "srl_nokia-interfaces",
             ("server-group", "type"): "srl_nokia-aaa-types",
             ("grpc-server", "services"): "srl_nokia-grpc"}
# JSON member -> module where its module differs from its parent's (RFC 7951 section 4)
_MODULE = {
    ("", "interface"): "srl_nokia-interfaces", ("", "network-instance"): "srl_nokia-network-instance",
    ("", "routing-policy"): "srl_nokia-routing-policy", ("", "system"): "srl_nokia-system",
    ("", "acl"): "srl_nokia-acl", ("", "bfd"): "srl_nokia-bfd", ("", "platform"): "srl_nokia-platform",
    ("", "qos"): "srl_nokia-qos", ("", "tunnel-interface"): "srl_nokia-tunnel-interfaces",
    ("", "tunnel"): "srl_nokia-tunnel", ("", "oam"): "srl_nokia-oam",
    ("protocols", "bgp"): "srl_nokia-bgp", ("protocols", "isis"): "srl_nokia-isis",
    ("protocols", "ospf"): "srl_nokia-ospf", ("protocols", "linux"): "srl_nokia-linux",
    ("protocols", "bgp-evpn"): "srl_nokia-bgp-evpn", ("protocols", "bgp-vpn"): "srl_nokia-bgp-vpn",
    ("network-instance", "static-routes"): "srl_nokia-static-routes",
    ("network-instance", "next-hop-groups"): "srl_nokia-next-hop-groups",
    ("system", "name"): "srl_nokia-system-name", ("system", "lldp"): "srl_nokia-lldp",
    ("system", "aaa"): "srl_nokia-aaa", ("system", "dns"): "srl_nokia-dns",
    ("system", "grpc-server"): "srl_nokia-grpc", ("system", "json-rpc-server"): "srl_nokia-json-rpc",
    ("system", "logging"): "srl_nokia-logging", ("system", "ntp"): "srl_nokia-ntp",
    ("system", "ssh-server"): "srl_nokia-ssh", ("system", "banner"): "srl_nokia-system-banner",
    ("system", "information"): "srl_nokia-system-info", ("system", "snmp"): "srl_nokia-system-snmp",
    ("system", "tls"): "srl_nokia-tls", ("system", "netconf-server"): "srl_nokia-netconf-server",
    ("system", "ndk-server"): "srl_nokia-ndk", ("system", "configuration"): "srl_nokia-configuration",
    ("management", "openconfig"): "srl_nokia-openconfig", ("input", "acl"): "srl_nokia-acl",
    ("ipv4", "dhcp-client"): "srl_nokia-interfaces-ip-dhcp",
    ("ipv6", "dhcp-client"): "srl_nokia-interfaces-ip-dhcp",
    ("ipv4", "arp"): "srl_nokia-interfaces-nbr", ("ipv6", "neighbor-discovery"): "srl_nokia-interfaces-nbr",
    ("interface", "vlan-tagging"): "srl_nokia-interfaces-vlans", ("subinterface", "vlan"):
    "srl_nokia-interfaces-vlans", ("interface", "tpid"): "srl_nokia-interfaces-vlans",
}
_PREFIX_RX = re.compile(r"^srl_nokia-[\w-]+:|^srl-[\w-]+:")
_INT_RX = re.compile(r"^-?\d+$")


def keys_of(parent: str, name: str, entries: list[Any] | None = None) -> tuple[str, ...] | None:
    """The key leaves of list ``name`` under ``parent``; None when it is not a (known) list."""
    k = KEYS.get((parent, name))
    if k is None and (name in _BY_NAME and parent not in ("",)):
        k = _BY_NAME[name]
    if k == ():
        return None
    if k is None and entries and all(isinstance(e, dict) and e for e in entries):
        return (next(iter(entries[0])),)  # an unknown list from JSON: SR Linux puts the key first
    return k


def strip_prefix(s: str) -> str:
    return _PREFIX_RX.sub("", s)


def typed(leaf: str, word: str) -> Any:
    if leaf in STRING_LEAVES:
        return word
    if _INT_RX.match(word) and len(word) < 19:
        return int(word)
    if word in ("true", "false"):
        return word == "true"
    return word


def _word(v: Any) -> str:
    """A value as the CLI prints it (double quotes where SR Linux needs them)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    s = str(v)
    if s == "" or re.search(r"[\s\"'{}\[\];#!]", s):
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return s


# ------------------------------------------------------------------------------------------ the tree
def clean(obj: Any, parent: str = "", name: str = "") -> Any:
    """JSON input -> canonical: no module prefixes, current syntax."""
    if isinstance(obj, dict):
        out: Tree = {}
        for k, v in obj.items():
            key = strip_prefix(k)
            out[key] = clean(v, name, key)
        return _normalise(parent, name, out)
    if isinstance(obj, list):
        return [clean(v, parent, name) for v in obj]
    if isinstance(obj, str) and (parent, name) in _IDENTITY or isinstance(obj, str) and name == "type":
        return strip_prefix(obj)
    return obj


def _normalise(parent: str, name: str, node: Tree) -> Tree:
    """Older release syntax -> the current form (see the module docstring)."""
    if name in ("bgp", "group", "neighbor") and (name == "bgp" or parent == "bgp"):
        for afi in ("ipv4-unicast", "ipv6-unicast", "evpn", "ipv4-labeled-unicast", "l3vpn-ipv4-unicast"):
            old = node.get(afi)
            if isinstance(old, dict):
                del node[afi]
                entries = node.setdefault("afi-safi", [])
                entry = next((e for e in entries if e.get("afi-safi-name") == afi), None)
                if entry is None:
                    entries.append({"afi-safi-name": afi, **old})
                else:
                    entry.update(old)
        for pol in ("export-policy", "import-policy"):
            if isinstance(node.get(pol), str):
                node[pol] = [node[pol]]
    if name == "default-action" or name == "action" and parent == "statement":  # not ACL entries
        for res in ("accept", "reject", "next-entry", "next-policy"):
            if res in node:
                extra = node.pop(res)
                node["policy-result"] = res
                if isinstance(extra, dict):
                    node.update(extra)  # e.g. ``accept { bgp { local-preference ... } }``
    if name == "statement" and "sequence-id" in node and "name" not in node:
        node = {"name": str(node.pop("sequence-id")), **node}
    return node


def merge(dst: Tree, src: Tree, parent: str = "") -> None:
    """``update``: src merged into dst (list entries by key, leaves and leaf-lists replaced)."""
    for k, v in src.items():
        cur = dst.get(k)
        if isinstance(v, dict) and isinstance(cur, dict):
            merge(cur, v, k)
        elif isinstance(v, list) and isinstance(cur, list) and v and isinstance(v[0], dict):
            keys = keys_of(parent, k, v) or ()
            for e in v:
                match = next((c for c in cur if all(c.get(x) == e.get(x) for x in keys)), None)
                if match is None:
                    cur.append(copy.deepcopy(e))
                else:
                    merge(match, e, k)
        else:
            dst[k] = copy.deepcopy(v)


class Config:
    """One configuration (running, a candidate, a checkpoint)."""

    def __init__(self, data: Tree | None = None) -> None:
        self.data: Tree = data if data is not None else {}

    def copy(self) -> Config:
        return Config(copy.deepcopy(self.data))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Config) and canonical(self.data) == canonical(other.data)

    def __hash__(self) -> int:  # pragma: no cover - configs are not used as keys
        return hash(json.dumps(canonical(self.data), sort_keys=True))

    # ---- printing ------------------------------------------------------------------------
    def json(self, prefixes: bool = False) -> Tree:
        data = canonical(self.data)
        return with_prefixes(data) if prefixes else data

    def info(self) -> str:
        return "".join(_info_lines(canonical(self.data), "", 1))

    def flat(self) -> str:
        return "".join(f"set / {line}\n" for line in _flat_lines(canonical(self.data), ""))

    # ---- paths ---------------------------------------------------------------------------
    def get(self, path: str | list[Step]) -> Any:
        steps = parse_path(path) if isinstance(path, str) else path
        return get_at(self.data, steps)

    def update(self, path: str, value: Any) -> None:
        _set_at(self.data, parse_path(path), value, replace=False)

    def replace(self, path: str, value: Any) -> None:
        _set_at(self.data, parse_path(path), value, replace=True)

    def delete(self, path: str) -> None:
        delete_at(self.data, parse_path(path))


def canonical(data: Tree, parent: str = "") -> Tree:
    """Keys first in each list entry (SR Linux prints them first); otherwise the order given."""
    out: Tree = {}
    for k, v in data.items():
        if isinstance(v, dict):
            out[k] = canonical(v, k)
        elif isinstance(v, list) and v and isinstance(v[0], dict):
            keys = keys_of(parent, k, v) or ()
            entries = []
            for e in v:  # the order given, as the real replies keep it (``facility`` is not sorted)
                body = canonical(e, k)
                entries.append({**{x: body[x] for x in keys if x in body},
                                **{x: y for x, y in body.items() if x not in keys}})
            out[k] = entries
        else:
            out[k] = copy.deepcopy(v)
    return out


def with_prefixes(data: Any, parent: str = "", name: str = "") -> Any:
    """Module prefixes where the JSON-RPC server prints them (members and identity values)."""
    if isinstance(data, dict):
        out: Tree = {}
        for k, v in data.items():
            mod = _MODULE.get((name, k))
            if mod is None and name == "" and not k.startswith("_"):
                mod = f"srl_nokia-{k}"
            out[f"{mod}:{k}" if mod else k] = with_prefixes(v, name, k)
        return out
    if isinstance(data, list):
        return [with_prefixes(v, parent, name) for v in data]
    mod = _IDENTITY.get((parent, name))
    if mod and isinstance(data, str):
        return f"{mod}:{data}"
    return data


# ------------------------------------------------------------------------------------------ printing
_is_list = tree.is_list


def _entry_head(name: str, e: Tree, keys: tuple[str, ...]) -> str:
    words = [name, _word(e.get(keys[0], ""))] if keys else [name]
    for k in keys[1:]:
        words += [k, _word(e.get(k, ""))]
    return " ".join(words)


def _info_lines(node: Tree, parent: str, depth: int) -> Iterator[str]:
    pad = "    " * depth
    for k, v in node.items():
        if k == "_annotate":
            yield f"{pad}!!! {v}\n"
        elif k.startswith("_annotate"):
            continue
        elif isinstance(v, dict):
            yield f"{pad}{k} {{\n"
            yield from _info_lines(v, k, depth + 1)
            yield f"{pad}}}\n"
        elif _is_list(v):
            keys = keys_of(parent, k, v) or ()
            for e in v:
                yield f"{pad}{_entry_head(k, e, keys)} {{\n"
                yield from _info_lines({x: y for x, y in e.items() if x not in keys}, k, depth + 1)
                yield f"{pad}}}\n"
        elif v == [None]:
            yield f"{pad}{k}\n"
        elif isinstance(v, list):
            # leaf-lists print one value a line in ``info`` (``[ a b ]`` on one line is read as well)
            yield f"{pad}{k} [\n" + "".join(f"{pad}    {_word(x)}\n" for x in v) + f"{pad}]\n"
        else:
            yield f"{pad}{k} {_word(v)}\n"


def _flat_lines(node: Tree, parent: str, prefix: str = "") -> Iterator[str]:
    for k, v in node.items():
        if k.startswith("_annotate"):
            continue
        if isinstance(v, dict):
            if not v:
                yield f"{prefix}{k}"
            yield from _flat_lines(v, k, f"{prefix}{k} ")
        elif _is_list(v):
            keys = keys_of(parent, k, v) or ()
            for e in v:
                head = f"{prefix}{_entry_head(k, e, keys)}"
                rest = {x: y for x, y in e.items() if x not in keys}
                if not rest:
                    yield head
                yield from _flat_lines(rest, k, head + " ")
        elif v == [None]:
            yield f"{prefix}{k}"
        elif isinstance(v, list):
            yield f"{prefix}{k} [ " + " ".join(_word(x) for x in v) + " ]"
        else:
            yield f"{prefix}{k} {_word(v)}"


# ------------------------------------------------------------------------------------------ parsing
def tokens(line: str) -> list[str]:
    """CLI words: double quotes with ``\\``, ``\\"`` and ``\\n`` escapes, single quotes, ``#`` comments."""
    if '"' not in line and "'" not in line and "#" not in line:
        return line.split()  # the common case, without the character loop (big configs: 4000+ lines)
    out: list[str] = []
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        if c.isspace():
            i += 1
            continue
        if c == "#":
            break
        word, quoted = [], False
        while i < n and not line[i].isspace():
            c = line[i]
            if c in "\"'":
                quoted, q, i = True, c, i + 1
                while i < n and line[i] != q:
                    if q == '"' and line[i] == "\\" and i + 1 < n:
                        i += 1
                        word.append("\n" if line[i] == "n" else line[i])
                    else:
                        word.append(line[i])
                    i += 1
                if i >= n:
                    raise ConfigError("Parsing error: No closing quotation")
                i += 1
            else:
                word.append(c)
                i += 1
        out.append("".join(word) if word or quoted else "")
    return out


def _unknown(tok: str, options: tuple[str, ...] | list[str]) -> ConfigError:
    # SR Linux's CLI message; the option list is ours (the twin has no full YANG schema).
    return ConfigError(f"Parsing error: Unknown token '{tok}'. Options are {sorted(options)}")


def _walk_words(root: Tree, words: list[str], *, delete: bool = False, top_check: bool = True) -> None:
    """One ``set`` (or ``delete``) path of CLI words, applied to ``root``."""
    node, parent, i = root, "", 0
    if top_check and words and parent == "" and words[0] not in TOP:
        raise _unknown(words[0], TOP)
    while i < len(words):
        w = strip_prefix(words[i])
        rest = len(words) - i - 1
        keys = keys_of(parent, w)
        if keys is not None:
            kv: dict[str, Any] = {}
            j = i + 1
            for n, k in enumerate(keys):
                if n > 0:
                    if j < len(words) and words[j] == k:
                        j += 1
                    elif delete and j >= len(words):
                        break
                if j >= len(words):
                    if delete and not kv:
                        node.pop(w, None)  # ``delete interface``: the whole list
                        return
                    raise ConfigError(f"Parsing error: Incomplete command: a value for '{k}' is needed")
                kv[k] = typed(k, words[j])
                j += 1
            entries = node.setdefault(w, []) if not delete else node.get(w, [])
            if not isinstance(entries, list):
                raise ConfigError(f"Parsing error: '{w}' is not a list")
            # flat configs set one entry line after line: try the newest entry before scanning the list
            last = entries[-1] if entries else None
            if last is not None and all(last.get(k) == v for k, v in kv.items()):
                match: dict[str, Any] | None = last
            else:
                match = next((e for e in entries if all(e.get(k) == v for k, v in kv.items())), None)
            if delete and j >= len(words):
                if match is not None:
                    entries.remove(match)
                    if not entries:
                        node.pop(w, None)
                return
            if match is None:
                if delete:
                    return
                match = dict(kv)
                entries.append(match)
            node, parent, i = match, w, j
            continue
        if delete and rest == 0:
            node.pop(w, None)
            return
        if delete and rest >= 1 and not isinstance(node.get(w), dict):
            node.pop(w, None)  # ``delete ... description foo``: the leaf, whatever its value
            return
        if rest >= 1 and words[i + 1] == "[":
            if "]" not in words[i + 2:]:
                raise ConfigError("Parsing error: Missing closing ']'")
            end = words.index("]", i + 2)
            node[w] = [typed(w, x) for x in words[i + 2:end]]
            if end != len(words) - 1:
                raise _unknown(words[end + 1], [])
            return
        if rest == 1 and (w, words[i + 1]) in PRESENCE:
            if not isinstance(node.get(w), dict):
                node[w] = {}
            node[w].setdefault(words[i + 1], {})
            return
        if rest == 1 and not isinstance(node.get(w), dict):
            node[w] = [typed(w, words[i + 1])] if w in LEAF_LISTS else typed(w, words[i + 1])
            return
        if rest == 0:
            if w in EMPTY_LEAVES:
                node[w] = [None]
            elif not isinstance(node.get(w), dict):
                node[w] = {}
            return
        child = node.get(w)
        if not isinstance(child, dict):
            child = node[w] = {}
        node, parent, i = child, w, i + 1


def _split_brackets(toks: list[str]) -> list[str]:
    """``[a`` / ``b]`` written without spaces -> separate ``[`` and ``]`` words."""
    out: list[str] = []
    for t in toks:
        if t.startswith("[") and t != "[":
            out += ["[", t[1:]]
        elif t.endswith("]") and t != "]":
            out += [t[:-1], "]"]
        else:
            out.append(t)
    return [t for t in out if t != ""]


def parse_flat(text: str, base: Config | None = None) -> Config:
    """``set / ...`` and ``delete / ...`` lines (``info flat``, containerlab ``.cli`` startup files)."""
    conf = base.copy() if base is not None else Config()
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        words = _split_brackets(tokens(line))
        if not words:
            continue
        cmd = words[0]
        if cmd not in ("set", "delete"):
            raise _unknown(cmd, ["delete", "set"])
        path = words[1:]
        if path and path[0] == "/":
            path = path[1:]
        elif path and path[0].startswith("/"):
            path = [path[0][1:]] + path[1:]
        if not path:
            if cmd == "delete":
                conf.data.clear()
                continue
            raise ConfigError("Parsing error: Incomplete command")
        try:
            _walk_words(conf.data, path, delete=cmd == "delete")
        except ConfigError as e:
            raise ConfigError(f"{e.message} (line {n})") from None
    return Config(clean(conf.data))


def parse_info(text: str) -> Config:
    """``info`` text: ``name {`` ... ``}`` blocks, leaves ``name value``, leaf-lists ``[ a b ]`` on one
    line or one value a line, ``!!!`` annotations."""
    conf = Config()
    stack: list[list[str]] = []  # the CLI words of each open block
    pending: list[str] | None = None  # an open multi-line leaf-list
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#") or line.startswith("--{"):
            continue
        if line.startswith("!!!"):
            if not stack:  # annotations inside blocks are not kept (only the root's, as in the reference)
                conf.data["_annotate"] = line[3:].strip()
            continue
        words = _split_brackets(tokens(line))
        if pending is not None:
            if words == ["]"]:
                _walk_words(conf.data, sum(stack, []) + pending + ["]"], top_check=False)
                pending = None
            else:
                pending += words
            continue
        if words == ["}"]:
            if not stack:
                raise ConfigError(f"Parsing error: Unexpected '}}' (line {n})")
            stack.pop()
            continue
        try:
            if words[-1] == "{":
                stack.append(words[:-1])
                _walk_words(conf.data, sum(stack, []), top_check=len(stack) == 1)
            elif words[-1] == "[" and len(words) >= 2:
                pending = words
            else:
                _walk_words(conf.data, sum(stack, []) + words, top_check=not stack)
        except ConfigError as e:
            raise ConfigError(f"{e.message} (line {n})") from None
    if stack or pending is not None:
        raise ConfigError("Parsing error: Incomplete configuration: missing '}'")
    return Config(clean(conf.data))


def parse_json(data: str | Tree) -> Config:
    """JSON (containerlab ``config.json``, ``info | as json``, JSON-RPC replies): prefixes stripped."""
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as e:
            raise ConfigError(f"Parse error: invalid JSON: {e.msg} at line {e.lineno}") from None
    if isinstance(data, list) and len(data) == 1:
        data = data[0]  # a JSON-RPC ``result`` of one command
    if not isinstance(data, dict):
        raise ConfigError("Parse error: the configuration must be a JSON object")
    return Config(clean(data))


def parse_text(text: str) -> Config:
    """Any of the three forms, told apart by their first word."""
    s = text.lstrip()
    if s.startswith("{") or s.startswith("["):
        return parse_json(s)
    lines = [ln.split()[0] for ln in s.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    first = lines[0] if lines else ""
    if first in ("set", "delete"):
        return parse_flat(text)
    return parse_info(text)


# ------------------------------------------------------------------------------------------ paths
Step = tuple[str, dict[str, str]]  # element name, key selectors (value "*" = any)


def parse_path(path: str) -> list[Step]:
    """``/interface[name=ethernet-1/1]/subinterface[index=*]/description`` -> steps."""
    p = path.strip()
    if not p.startswith("/"):
        p = "/" + p
    steps: list[Step] = []
    i = 1
    while i < len(p):
        j = i
        name = ""
        keys: dict[str, str] = {}
        while j < len(p) and p[j] not in "/[":
            j += 1
        name = strip_prefix(p[i:j])
        while j < len(p) and p[j] == "[":
            end = p.find("]", j)
            if end < 0 or "=" not in p[j + 1:end]:
                raise ConfigError(f"Path not valid - malformed key selector in '{path}'")
            k, v = p[j + 1:end].split("=", 1)
            keys[strip_prefix(k.strip())] = v.strip().strip('"')
            j = end + 1
        if name:
            steps.append((name, keys))
        elif keys:
            raise ConfigError(f"Path not valid - '{path}'")
        i = j + 1
    return steps


def format_path(steps: list[Step]) -> str:
    return "/" + "/".join(n + "".join(f"[{k}={v}]" for k, v in kv.items()) for n, kv in steps)


def _match(e: Tree, kv: dict[str, str]) -> bool:
    return all(v == "*" or str(_word_plain(e.get(k))) == v for k, v in kv.items())


def _word_plain(v: Any) -> str:
    return ("true" if v else "false") if isinstance(v, bool) else str(v)


def get_at(data: Tree, steps: list[Step]) -> Any:
    """JSON-RPC ``get``: the subtree at a path; from the first list step without a single entry (a
    wildcard or no key) the reply is ``{list: [entries, each cut to the rest of the path]}``."""
    node: Any = data
    parent = ""
    for n, (name, kv) in enumerate(steps):
        if not isinstance(node, dict) or name not in node:
            return {}
        child = node[name]
        if isinstance(child, list) and child and isinstance(child[0], dict):
            if not kv or any(v == "*" for v in kv.values()):
                return _cut(node, steps[n:], parent) or {}
            found = [e for e in child if _match(e, kv)]
            if not found:
                return {}
            node = found[0]
        else:
            node = child
        parent = name
    return copy.deepcopy(node)


def _cut(node: Tree, steps: list[Step], parent: str) -> Tree | None:
    """``node`` pruned to ``steps`` (list entries keep their keys); None when nothing is there."""
    name, kv = steps[0]
    if name not in node:
        return None
    child = node[name]
    if _is_list(child):
        keys = keys_of(parent, name, child) or ()
        kept = []
        for e in child:
            if not _match(e, kv):
                continue
            if len(steps) == 1:
                kept.append(copy.deepcopy(e))
            elif (sub := _cut(e, steps[1:], name)) is not None:
                kept.append({**{k: e[k] for k in keys if k in e}, **sub})
        return {name: kept} if kept else None
    if len(steps) == 1:
        return {name: copy.deepcopy(child)}
    sub = _cut(child, steps[1:], name) if isinstance(child, dict) else None
    return None if sub is None else {name: sub}


def _descend(data: Tree, steps: list[Step], create: bool) -> tuple[Tree | None, Step | None, str]:
    """The container holding the last step (created on the way when ``create``)."""
    node: Tree = data
    parent = ""
    for name, kv in steps[:-1]:
        if any(v == "*" for v in kv.values()):
            raise ConfigError(f"Path not valid - wildcards are not allowed in a set: '{format_path(steps)}'")
        if kv:
            lst = node.get(name)
            if lst is None:
                if not create:
                    return None, None, ""
                lst = node[name] = []
            found = next((e for e in lst if _match(e, kv)), None)
            if found is None:
                if not create:
                    return None, None, ""
                found = {k: typed(k, v) for k, v in kv.items()}
                lst.append(found)
            node = found
        else:
            child = node.get(name)
            if not isinstance(child, dict):
                if not create:
                    return None, None, ""
                child = node[name] = {}
            node = child
        parent = name
    return node, (steps[-1] if steps else None), parent


def _set_at(data: Tree, steps: list[Step], value: Any, replace: bool) -> None:
    if not steps:
        new = clean(value) if isinstance(value, dict) else None
        if new is None:
            raise ConfigError("Invalid value: the value at '/' must be an object")
        if replace:
            data.clear()
        merge(data, new)
        return
    node, last, parent = _descend(data, steps, create=True)
    assert node is not None and last is not None
    name, kv = last
    if any(v == "*" for v in kv.values()):
        raise ConfigError(f"Path not valid - wildcards are not allowed in a set: '{format_path(steps)}'")
    if kv:  # a list entry
        if value is not None and not isinstance(value, dict):
            raise ConfigError(f"Invalid value for list entry '{format_path(steps)}': an object is needed")
        body = clean(value or {}, parent, name)
        body = {**{k: typed(k, v) for k, v in kv.items()}, **body}
        lst = node.setdefault(name, [])
        found = next((e for e in lst if _match(e, kv)), None)
        if found is None:
            lst.append(body)
        elif replace:
            found.clear()
            found.update(body)
        else:
            merge(found, body, name)
        return
    if isinstance(value, dict):
        body = clean(value, parent, name)
        if replace or not isinstance(node.get(name), dict):
            node[name] = body
        else:
            merge(node[name], body, name)
        return
    if value is None:
        raise ConfigError(f"Invalid value for '{format_path(steps)}': a value is needed")
    if isinstance(value, list) and value and isinstance(value[0], dict):
        value = clean(value, parent, name)
        if not replace and isinstance(node.get(name), list):
            merge(node, {name: value}, parent)
            return
    node[name] = clean(value, parent, name) if isinstance(value, str) else value


def delete_at(data: Tree, steps: list[Step]) -> None:
    if not steps:
        data.clear()
        return
    node, last, _parent = _descend(data, steps, create=False)
    if node is None or last is None:
        return  # deleting what is not there is not an error on SR Linux
    name, kv = last
    if kv:
        lst = node.get(name)
        if isinstance(lst, list):
            node[name] = [e for e in lst if not _match(e, kv)]
            if not node[name]:
                del node[name]
    else:
        node.pop(name, None)


# ------------------------------------------------------------------------------------------ leaf view
Leaf = tree.Leaf
from_leaves = tree.from_leaves


def _list_keys(parent: str, name: str, entry: Tree, entries: list[Any]) -> tuple[str, ...]:
    return keys_of(parent, name, entries) or ()


def leaves(node: Tree, parent: str = "", prefix: Leaf = ()) -> dict[Leaf, Any]:
    """Every leaf (and every empty container or key-only entry) by its path: a private candidate's
    changes are replayed onto a running configuration that moved on (a three-way merge)."""
    return tree.leaves(node, _list_keys, parent, prefix)


def three_way(base: Config, mine: Config, theirs: Config) -> Config:
    """``theirs`` (running now) with the changes from ``base`` to ``mine`` replayed on it."""
    return Config(tree.three_way(base.data, mine.data, theirs.data, _list_keys))
