"""Nokia SR OS MD-CLI configuration model: one dict tree under ``/configure`` read from and printed as
``info``, ``info flat``, full-context ``/configure ...`` lines, ``admin show configuration`` and NETCONF XML.

The tree (``Config.data``): containers are dicts (an empty container ``netconf { }`` is ``{}``), lists
are lists of dicts that carry their key leaves first, leaves are strings (MD-CLI and XML are text; the
quotes of ``router "Base"`` are not stored), leaf-lists are lists of strings, and a YANG ``empty`` leaf
(``destination { console }``, ``<allow-unsecure-connection/>``) is ``""``.

The model is schema-light, as the SR Linux one: which words open a list and how many key values follow
comes from ``KEYS`` (list -> key leaves, from the Nokia YANG, nokia/7x50_YangModels
latest_sros_24.10/nokia-submodule/nokia-conf-*.yang); a word followed by one value is a leaf, by more
words a container. Which values ``info`` prints in double quotes comes from ``QUOTED`` (YANG string
leaves: names, descriptions; numbers, enumerations, IP addresses and port ids are bare), derived from
the recorded ``info`` of a 7750 (napalm-sros test_get_config).
"""

from __future__ import annotations

import copy
import re
import time
from collections.abc import Iterator
from typing import Any

from lxml import etree

from fabric.twins import tree

Tree = dict[str, Any]
NS = "urn:nokia.com:sros:ns:yang:sr:conf"
NC_NS = "urn:ietf:params:xml:ns:netconf:base:1.0"


class ConfigError(Exception):
    """Refused input; ``message`` is SR OS's error text, ``tag`` the NETCONF error-tag."""

    def __init__(self, message: str, tag: str = "invalid-value") -> None:
        super().__init__(message)
        self.message = message
        self.tag = tag


# (parent, list) -> key leaves; parent "*" = any parent without an entry of its own. From the 24.10 YANG
# (nokia/7x50_YangModels latest_sros_24.10/nokia-submodule/): nokia-conf-card (card slot-number, mda
# mda-slot, fp fp-number), nokia-conf-port (port port-id; connector breakout is a leaf),
# nokia-conf-port-eth-lldp (dest-mac mac-type), nokia-conf-router (router router-name, interface
# interface-name), nokia-conf-router-isis (isis isis-instance, interface interface-name, level
# level-number), nokia-conf-router-ospf (ospf ospf-instance, area area-id, interface interface-name),
# nokia-conf-router-bgp (group group-name, neighbor ip-address), nokia-conf-router-static-route (route
# "ip-prefix route-type", next-hop ip-address), nokia-conf-policy-options (prefix-list name, prefix
# "ip-prefix type", policy-statement name, entry entry-id), nokia-conf-log (filter filter-name, entry
# entry-id, log-id name, syslog syslog-name), nokia-conf-system-security-user-parameters (user user-name,
# rsa-key rsa-public-key-id), nokia-conf-system-security-aaa (profile user-profile-name, entry entry-id),
# nokia-conf-system-security (ssh cipher index, mac index), nokia-conf-system-time (ntp server
# "ip-address router-instance"), nokia-conf-service (vprn service-name, customer customer-name),
# nokia-conf-svc-vprn (interface interface-name, sap sap-id).
KEYS: dict[tuple[str, str], tuple[str, ...]] = {
    ("", "card"): ("slot-number",),
    ("card", "mda"): ("mda-slot",),
    ("card", "fp"): ("fp-number",),
    ("", "port"): ("port-id",),
    ("lldp", "dest-mac"): ("mac-type",),
    ("", "router"): ("router-name",),
    ("router", "interface"): ("interface-name",),
    ("router", "isis"): ("isis-instance",),
    ("router", "ospf"): ("ospf-instance",),
    ("router", "ospf3"): ("ospf-instance",),
    ("isis", "interface"): ("interface-name",),
    ("isis", "level"): ("level-number",),
    ("interface", "level"): ("level-number",),
    ("ospf", "area"): ("area-id",),
    ("ospf3", "area"): ("area-id",),
    ("area", "interface"): ("interface-name",),
    ("bgp", "group"): ("group-name",),
    ("bgp", "neighbor"): ("ip-address",),
    ("static-routes", "route"): ("ip-prefix", "route-type"),
    ("route", "next-hop"): ("ip-address",),
    ("policy-options", "prefix-list"): ("name",),
    ("prefix-list", "prefix"): ("ip-prefix", "type"),
    ("policy-options", "policy-statement"): ("name",),
    ("policy-options", "community"): ("name",),
    ("policy-options", "as-path"): ("name",),
    ("policy-statement", "entry"): ("entry-id",),
    ("log", "filter"): ("filter-name",),
    ("filter", "entry"): ("entry-id",),
    ("log", "log-id"): ("name",),
    ("log", "syslog"): ("syslog-name",),
    ("log", "file"): ("file-policy-name",),
    ("local-user", "user"): ("user-name",),
    ("rsa", "rsa-key"): ("rsa-public-key-id",),
    ("local-profiles", "profile"): ("user-profile-name",),
    ("profile", "entry"): ("entry-id",),
    ("*", "entry"): ("entry-id",),
    ("*", "cipher"): ("index",),
    ("*", "mac"): ("index",),
    ("ntp", "server"): ("ip-address", "router-instance"),
    ("service", "vprn"): ("service-name",),
    ("service", "ies"): ("service-name",),
    ("service", "vpls"): ("service-name",),
    ("service", "epipe"): ("service-name",),
    ("service", "customer"): ("customer-name",),
    ("vprn", "interface"): ("interface-name",),
    ("ies", "interface"): ("interface-name",),
    ("*", "sap"): ("sap-id",),
    ("bfd", "seamless-bfd"): (),
    ("mirror-dest", "mirror-dest"): ("service-name",),
}
# key leaves with a YANG default: ``configure router`` is ``router "Base"``, ``router isis`` is ``isis 0``
KEY_DEFAULTS = {("", "router"): "Base", ("router", "isis"): "0", ("router", "ospf"): "0",
                ("router", "ospf3"): "0"}
# what follows ``router`` when its name is left out (nokia-conf-router.yang, the ones we configure)
ROUTER_CHILDREN = frozenset({
    "interface", "bgp", "isis", "ospf", "ospf3", "static-routes", "router-id", "autonomous-system",
    "policy-options", "mpls", "ldp", "rsvp", "bfd", "segment-routing", "pim", "igmp", "aggregates",
    "ecmp", "admin-state", "description", "confederation", "route-distinguisher", "sgt-qos", "l2tp",
    "ipv6", "mpls-labels", "rib-api", "fib-priority", "triggered-policy", "flowspec", "network-domains",
})
# leaf-lists (YANG ``leaf-list``): ``[a b]`` in text, repeated elements in XML
LEAF_LISTS = frozenset({
    "member", "area-address", "policy", "export-policy", "import-policy", "apply-groups",
    "apply-groups-exclude", "community", "prefix-policy", "export", "import", "cipher-list",
})
# (parent, leaf-list) where the name is a list or leaf elsewhere: ``from { prefix-list ["X"] }``
LEAF_LISTS_AT = frozenset({("from", "prefix-list"), ("to", "prefix-list"), ("from", "community")})
# YANG ``empty`` leaves (printed bare: ``destination { console }``; ``<x/>`` in XML)
EMPTY_LEAVES = frozenset({("destination", "console"), ("destination", "session"),
                          ("grpc", "allow-unsecure-connection"), ("ipv6", "link-local-address")})
# values printed in double quotes (YANG string types): names, descriptions and text; numbers,
# enumerations, IP addresses/prefixes, port ids and booleans are bare
QUOTED = frozenset({
    "description", "name", "router-name", "interface-name", "group-name", "group", "user-name",
    "user-profile-name", "service-name", "customer", "customer-name", "route-distinguisher", "match",
    "password", "member", "key-value", "contact", "location", "policy", "prefix-list", "router-instance",
    "syslog-name", "file-policy-name", "import-policy", "export-policy", "apply-groups", "vrf-target",
    "community", "hash2", "authentication-key", "sap-id", "filter-name", "isis-name", "ca-profile",
    "peer-group", "export", "import", "prefix-policy", "server-name", "tls-client-profile",
})
# (parent, leaf) exceptions both ways
QUOTED_AT = frozenset({("neighbor", "ip-address")})
UNQUOTED_AT = frozenset({("cipher", "name"), ("mac", "name")})
# names that were numbers before 21.x (log ids and filters): bare when numeric, as the recorded 7750
# prints ``log-id 99`` and ``filter 1001``; quoted when named
NUMERIC_NAMES = frozenset({("log-id", "name"), ("log-id", "filter"), ("filter", "filter-name")})
# the containers and lists directly under /configure (nokia-conf.yang), for ``Unknown element``
TOP = frozenset({
    "apply-groups", "apply-groups-exclude", "aaa", "application-assurance", "bfd", "call-trace", "card",
    "cflowd", "chassis", "connection-profile", "esa", "eth-cfm", "eth-ring", "filter", "fwd-path-ext",
    "group-encryption", "groups", "ipsec", "isa", "lag", "log", "macsec", "mcast-management", "mirror",
    "multicast-management", "multilink-bundle", "mpls-labels", "oam-pm", "openflow", "policy-options",
    "port", "port-policy", "port-xc", "pw-port", "python", "qos", "redundancy", "router", "routing-options",
    "saa", "satellite", "service", "sfm", "subscriber-mgmt", "system", "test-oam", "vrrp",
})


def keys_of(parent: str, name: str) -> tuple[str, ...] | None:
    """The key leaves of list ``name`` under ``parent``; None when it is not a (known) list."""
    k = KEYS.get((parent, name))
    if k is None:
        k = KEYS.get(("*", name))
    return k or None


def entry_keys(parent: str, name: str, entry: Tree) -> tuple[str, ...]:
    """The key leaves an entry carries: the YANG ones, or its first leaf (XML of another release)."""
    k = keys_of(parent, name)
    if k and all(x in entry for x in k):
        return k
    first = next(iter(entry), None)
    return (first,) if first is not None and isinstance(entry[first], str) else ()


def is_leaf_list(parent: str, name: str) -> bool:
    return (parent, name) in LEAF_LISTS_AT or (name in LEAF_LISTS and keys_of(parent, name) is None)


def quoted(parent: str, name: str, value: str = "") -> bool:
    if (parent, name) in UNQUOTED_AT:
        return False
    if (parent, name) in NUMERIC_NAMES:
        return not value.isdigit()
    return name in QUOTED or (parent, name) in QUOTED_AT


def _q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def word(parent: str, name: str, value: str) -> str:
    """A value as ``info`` prints it."""
    if quoted(parent, name, value) or value == "" or re.search(r"[\s\"'{}\[\];#\\]", value):
        return _q(value)
    return value


_is_list = tree.is_list


# ------------------------------------------------------------------------------------------ words
def tokens(line: str) -> list[str]:
    """MD-CLI words: double-quoted strings (backslash escapes), ``#`` comments outside quotes, and
    ``[``, ``]``, ``{``, ``}`` as words of their own."""
    out: list[str] = []
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        if c.isspace():
            i += 1
        elif c == "#":
            break
        elif c in "[]{}":
            out.append(c)
            i += 1
        elif c == '"':
            j, buf = i + 1, []
            while j < n and line[j] != '"':
                if line[j] == "\\" and j + 1 < n:
                    j += 1
                    buf.append({"n": "\n", "t": "\t"}.get(line[j], line[j]))
                else:
                    buf.append(line[j])
                j += 1
            if j >= n:
                raise ConfigError("MINOR: CLI #2005: Parsing error: Missing closing quote")
            out.append("".join(buf))
            i = j + 1
        else:
            j = i
            while j < n and not line[j].isspace() and line[j] not in '[]{}"':
                j += 1
            out.append(line[i:j])
            i = j
    return out


def _unknown(w: str) -> ConfigError:
    """The CLI's error for a word it does not know (as a 7750 prints it under the caret line)."""
    return ConfigError(f"MINOR: MGMT_CORE #2201: Unknown element - '{w}'", "unknown-element")


def _missing(w: str) -> ConfigError:
    return ConfigError(f"MINOR: CLI #2001: Missing element value - '{w}'", "missing-element")


# ------------------------------------------------------------------------------------------ the tree
class Config:
    """One configuration (running, a candidate, a checkpoint, a golden config)."""

    def __init__(self, data: Tree | None = None) -> None:
        self.data: Tree = data if data is not None else {}

    def copy(self) -> Config:
        return Config(copy.deepcopy(self.data))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Config) and canonical(self.data) == canonical(other.data)

    def __hash__(self) -> int:  # pragma: no cover - configs are not used as keys
        return hash(repr(canonical(self.data)))

    def __repr__(self) -> str:
        return f"Config({self.data!r})"

    # ---- printing ------------------------------------------------------------------------
    def node_at(self, path: list[str]) -> tuple[Any, str]:
        """The node a CLI context names (``["router", "Base"]``) and its element name."""
        node: Any = self.data
        parent = ""
        i = 0
        while i < len(path):
            if not isinstance(node, dict):
                return None, parent
            w = path[i]
            keys = keys_of(parent, w)
            child = node.get(w)
            if keys and isinstance(child, list):
                vals, i = _key_values(path, i, keys, parent)
                node = _find(child, keys, vals)
                if node is None:
                    return None, w
                if i == len(path):  # inside an entry its keys are not printed
                    node = {k: v for k, v in node.items() if k not in keys}
            else:
                node = child
                i += 1
            parent = w
            if node is None:
                return None, parent
        return node, parent

    def info(self, path: list[str] | None = None) -> str:
        node, parent = self.node_at(path or [])
        if not isinstance(node, dict):
            return ""
        return "".join(_info_lines(node, parent, 0))

    def flat(self, path: list[str] | None = None) -> str:
        node, parent = self.node_at(path or [])
        if not isinstance(node, dict):
            return ""
        return "".join(line + "\n" for line in _flat_lines(node, parent))

    def full_context(self) -> str:
        return "".join(f"/configure {line}\n" for line in _flat_lines(self.data, ""))

    def admin_show(self, version: str = "B-24.10.R1", chassis: str = "7750 SR-1",
                   when: float | None = None) -> str:
        """``admin show configuration``: header comments, the tree in ``configure { }``, footer."""
        stamp = time.strftime("%a %b %d %H:%M:%S %Y UTC", time.gmtime(when)).upper()
        major = ".".join(re.findall(r"\d+", version)[:2])
        body = "".join("    " + line if line.strip() else line for line in _info_lines(self.data, "", 0))
        return (f"# TiMOS-{version} both/x86_64 Nokia {chassis} Copyright (c) 2000-2024 Nokia.\n"
                "# All rights reserved. All use subject to applicable license agreements.\n"
                f"# Configuration format version {major} revision 0\n\n"
                f"# Generated {stamp}\n\n"
                f"configure {{\n{body}}}\n\n# Finished {stamp}\n")

    def xml(self) -> Any:
        root = etree.Element(f"{{{NS}}}configure", nsmap={None: NS})
        _to_xml(root, self.data, "")
        return root


def canonical(node: Any, parent: str = "", name: str = "") -> Any:
    """Order-free form for equality: list entries by their keys (containers compare as dicts)."""
    if isinstance(node, dict):
        return {k: canonical(v, name, k) for k, v in node.items()}
    if _is_list(node):
        out = {}
        for e in node:
            keys = entry_keys(parent, name, e)
            out[tuple(e.get(k) for k in keys)] = canonical(e, parent, name)
        return ("list", tuple(sorted(out.items(), key=lambda kv: repr(kv[0]))))
    return node


def _find(lst: list[Tree], keys: tuple[str, ...], vals: tuple[str, ...]) -> Tree | None:
    return next((e for e in lst if tuple(e.get(k) for k in keys) == vals), None)


def _takes_default(parent: str, name: str, rest: list[str]) -> bool:
    """Whether the words after a list with a default key start inside its entry instead of with a key."""
    if not rest or rest[0] in ("{", "}"):
        return True
    if name == "router":
        return rest[0] in ROUTER_CHILDREN
    return not rest[0].isdigit()


def _key_values(words: list[str], i: int, keys: tuple[str, ...], parent: str) -> tuple[tuple[str, ...], int]:
    """The key values after list word ``words[i]``: the first positional (or named), the others named."""
    name = words[i]
    vals: list[str] = []
    j = i + 1
    for n, k in enumerate(keys):
        if j < len(words) and words[j] == k and j + 1 < len(words) and words[j + 1] not in "{}[]":
            j += 1  # ``prefix 10.0.0.0/8 type exact``, ``interface interface-name "x"``
        elif n == 0 and (parent, name) in KEY_DEFAULTS and _takes_default(parent, name, words[j:]):
            vals.append(KEY_DEFAULTS[(parent, name)])  # ``router bgp`` is ``router "Base" bgp``
            continue
        elif n > 0:
            raise _missing(k)
        if j >= len(words) or words[j] in ("{", "}", "[", "]"):
            raise _missing(k)
        vals.append(words[j])
        j += 1
    return tuple(vals), j


# ------------------------------------------------------------------------------------------ printing
def _entry_head(parent: str, name: str, e: Tree) -> tuple[str, tuple[str, ...]]:
    keys = entry_keys(parent, name, e)
    parts = [name]
    for n, k in enumerate(keys):
        if n:
            parts.append(k)
        parts.append(word(name, k, str(e[k])))
    return " ".join(parts), keys


def _leaf_text(parent: str, name: str, v: Any) -> str:
    if isinstance(v, list):
        return f"{name} [" + " ".join(word(parent, name, str(x)) for x in v) + "]"
    if v == "":
        return name  # YANG empty leaf
    return f"{name} {word(parent, name, str(v))}"


def _info_lines(node: Tree, parent: str, depth: int) -> Iterator[str]:
    pad = "    " * depth
    for k, v in node.items():
        if isinstance(v, dict):
            yield f"{pad}{k} {{\n"
            yield from _info_lines(v, k, depth + 1)
            yield f"{pad}}}\n"
        elif _is_list(v):
            for e in v:
                head, keys = _entry_head(parent, k, e)
                yield f"{pad}{head} {{\n"
                yield from _info_lines({x: y for x, y in e.items() if x not in keys}, k, depth + 1)
                yield f"{pad}}}\n"
        else:
            yield f"{pad}{_leaf_text(parent, k, v)}\n"


def _flat_lines(node: Tree, parent: str, prefix: str = "") -> Iterator[str]:
    for k, v in node.items():
        if isinstance(v, dict):
            if not v:
                yield f"{prefix}{k} {{ }}"
            yield from _flat_lines(v, k, f"{prefix}{k} ")
        elif _is_list(v):
            for e in v:
                head, keys = _entry_head(parent, k, e)
                rest = {x: y for x, y in e.items() if x not in keys}
                if not rest:
                    yield f"{prefix}{head} {{ }}"
                yield from _flat_lines(rest, k, f"{prefix}{head} ")
        else:
            yield f"{prefix}{_leaf_text(parent, k, v)}"


def _to_xml(el: Any, node: Tree, parent: str) -> None:
    for k, v in node.items():
        if isinstance(v, dict):
            _to_xml(etree.SubElement(el, f"{{{NS}}}{k}"), v, k)
        elif _is_list(v):
            for e in v:
                keys = entry_keys(parent, k, e)
                sub = etree.SubElement(el, f"{{{NS}}}{k}")
                ordered = {**{x: e[x] for x in keys}, **{x: y for x, y in e.items() if x not in keys}}
                _to_xml(sub, ordered, k)
        elif isinstance(v, list):
            for x in v:
                etree.SubElement(el, f"{{{NS}}}{k}").text = str(x)
        else:
            leaf = etree.SubElement(el, f"{{{NS}}}{k}")
            if v != "":
                leaf.text = str(v)


# ------------------------------------------------------------------------------------------ editing
def edit(conf: Config, words: list[str], *, delete: bool = False) -> None:
    """One MD-CLI edit relative to ``/configure``: ``router Base interface x port 1/1/c1/1``; a trailing
    ``{`` (block opener) or ``{ }`` creates the container or entry; ``delete`` removes what the words name
    (a missing element is not an error, as on SR OS)."""
    _edit(conf.data, list(words), delete=delete)


def _edit(data: Tree, words: list[str], *, delete: bool = False, bare_leaf: bool = False) -> None:
    block = False
    if words[-2:] == ["{", "}"]:
        words, block = words[:-2], True
    elif words and words[-1] == "{":
        words, block = words[:-1], True
    if not words:
        raise ConfigError("MINOR: CLI #2004: Parsing error: Incomplete command")
    if any(w in ("{", "}") for w in words):
        raise ConfigError("MINOR: CLI #2004: Parsing error: Unexpected '{' or '}'")
    if words[0] not in TOP:
        raise _unknown(words[0])
    node: Tree = data
    parent = ""
    i = 0
    while i < len(words):
        w = words[i]
        rest = len(words) - i - 1
        keys = keys_of(parent, w)
        if keys and not isinstance(node.get(w), str) and not is_leaf_list(parent, w):
            vals, j = _key_values(words, i, keys, parent)
            lst = node.get(w)
            if not isinstance(lst, list):
                if delete:
                    return
                lst = node[w] = []
            entry = _find(lst, keys, vals)
            if j == len(words) and delete:
                if entry is not None:
                    lst.remove(entry)
                if not lst:
                    del node[w]
                return
            if entry is None:
                if delete:
                    return
                entry = dict(zip(keys, vals, strict=True))
                lst.append(entry)
            node, parent, i = entry, w, j
            continue
        if rest >= 1 and words[i + 1] == "[":
            if "]" not in words[i + 2:]:
                raise ConfigError("MINOR: CLI #2004: Parsing error: Missing closing ']'")
            end = words.index("]", i + 2)
            if end != len(words) - 1:
                raise _unknown(words[end + 1])
            vals_ = words[i + 2:end]
            if delete:
                _drop_values(node, w, vals_)
                return
            cur = node.get(w)
            lst_ = cur if isinstance(cur, list) else []
            node[w] = lst_ + [x for x in vals_ if x not in lst_]
            return
        if delete and rest <= 1 and not isinstance(node.get(w), dict):
            if rest == 1 and isinstance(node.get(w), list):
                _drop_values(node, w, [words[i + 1]])
            else:
                node.pop(w, None)  # ``delete description`` or ``delete description "x"``: the leaf
            return
        if delete and rest == 0:
            node.pop(w, None)
            return
        if rest == 0:
            cur = node.get(w)
            if (parent, w) in EMPTY_LEAVES or (bare_leaf and not block and not isinstance(cur, dict)):
                node[w] = ""
            elif not isinstance(cur, dict):
                if isinstance(cur, str) and not block:
                    raise _missing(w)
                node[w] = {}
            return
        if rest == 1 and not isinstance(node.get(w), dict) and (w, words[i + 1]) not in EMPTY_LEAVES \
                and not block:
            v = words[i + 1]
            if is_leaf_list(parent, w):
                cur = node.get(w)
                lst_ = cur if isinstance(cur, list) else []
                node[w] = lst_ + ([v] if v not in lst_ else [])
            else:
                node[w] = v
            return
        child = node.get(w)
        if not isinstance(child, dict):
            if delete:
                return
            if child is not None and not (isinstance(child, str) and child == ""):
                raise _unknown(words[i + 2])  # ``name x y``: a leaf takes one value
            child = node[w] = {}
        node, parent, i = child, w, i + 1


def _drop_values(node: Tree, name: str, values: list[str]) -> None:
    cur = node.get(name)
    if isinstance(cur, list):
        node[name] = [x for x in cur if x not in values]
        if not node[name]:
            del node[name]
    elif isinstance(cur, str) and cur in values:
        del node[name]


# ------------------------------------------------------------------------------------------ parsing
def parse_info(text: str) -> Config:
    """``info`` text, with or without ``configure { }`` around it; ``admin show configuration`` output
    (its ``#`` comments, ``exit all`` and the ``persistent-indices { }`` block are dropped)."""
    conf = Config()
    stack: list[list[str]] = []
    wrapper = 0  # depth of a ``configure {`` wrapper
    skip = 0  # depth inside ``persistent-indices { }``
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#") or line.startswith("[") and line.endswith("]") \
                or re.match(r"^[A-Z]:\S+@\S+#", line) or line in ("exit all", "exit"):
            continue
        words = tokens(line)
        if not words:
            continue
        if skip:
            skip += words.count("{") - words.count("}")
            continue
        if not stack and words == ["persistent-indices", "{"]:
            skip = 1
            continue
        if not stack and not wrapper and words == ["configure", "{"]:
            wrapper = 1
            continue
        if words == ["}"]:
            if stack:
                stack.pop()
            elif wrapper:
                wrapper = 0
            else:
                raise ConfigError(f"MINOR: CLI #2004: Parsing error: Unexpected '}}' (line {n})")
            continue
        try:
            if words[-1] == "{":
                stack.append(words[:-1])
                _edit(conf.data, sum(stack, []) + ["{"])
            else:
                _edit(conf.data, sum(stack, []) + words, bare_leaf=True)
        except ConfigError as e:
            raise ConfigError(f"{e.message} (line {n})", e.tag) from None
    if stack:
        raise ConfigError("MINOR: CLI #2004: Parsing error: Incomplete configuration: missing '}'")
    return conf


def parse_flat(text: str, base: Config | None = None) -> Config:
    """``/configure a b c`` lines (full context, our golden configs), lines relative to ``/configure``
    (``info flat``) and ``delete ...`` lines, applied on a copy of ``base``."""
    conf = base.copy() if base is not None else Config()
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#") or line.startswith("!"):
            continue
        words = tokens(line)
        if not words:
            continue
        delete = False
        if words[0] == "delete":
            delete, words = True, words[1:]
        if words and words[0] in ("/configure", "configure"):
            words = words[1:]
        if not words:
            raise ConfigError(f"MINOR: CLI #2004: Parsing error: Incomplete command (line {n})")
        try:
            _edit(conf.data, words, delete=delete, bare_leaf=True)
        except ConfigError as e:
            raise ConfigError(f"{e.message} (line {n})", e.tag) from None
    return conf


def _local(el: Any) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _elements(el: Any) -> list[Any]:
    return [c for c in el if isinstance(c.tag, str)]


def _configure_el(el_or_text: Any) -> Any:
    el = el_or_text
    if isinstance(el, (str, bytes)):
        try:
            el = etree.fromstring(el.encode() if isinstance(el, str) else el,
                                  etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError as e:
            raise ConfigError(f"MINOR: MGMT_CORE #2001: Malformed XML - {e}", "malformed-message") from None
    if _local(el) == "configure":
        return el
    for c in el.iter():
        if _local(c) == "configure":
            return c
    if _local(el) in ("data", "config"):
        return None  # an empty datastore
    raise ConfigError(f"MINOR: MGMT_CORE #2201: Unknown element - '{_local(el)}'", "unknown-element")


def parse_xml(el_or_text: Any) -> Config:
    """``<configure xmlns="urn:nokia.com:sros:ns:yang:sr:conf">``, or a ``<data>``/``<config>`` holding it."""
    el = _configure_el(el_or_text)
    return Config(_from_xml(el, "") if el is not None else {})


def _from_xml(el: Any, name: str) -> Tree:
    out: Tree = {}
    kids = _elements(el)
    counts: dict[str, int] = {}
    for c in kids:
        counts[_local(c)] = counts.get(_local(c), 0) + 1
    for c in kids:
        k = _local(c)
        sub = _elements(c)
        text = (c.text or "").strip()
        if is_leaf_list(name, k) and not sub:
            out.setdefault(k, []).append(text)
        elif keys_of(name, k) is not None or sub and counts[k] > 1:
            out.setdefault(k, []).append(_from_xml(c, k))
        elif sub:
            out[k] = _from_xml(c, k)
        elif text or (name, k) in EMPTY_LEAVES:
            out[k] = text
        elif counts[k] > 1:
            out.setdefault(k, []).append(text)
        else:
            out[k] = {} if not _known_empty_leaf_name(k) else ""
    return out


def _known_empty_leaf_name(k: str) -> bool:
    return any(k == n for _, n in EMPTY_LEAVES)


def parse_text(text: str) -> Config:
    """Any form: XML, ``info`` / ``admin show configuration`` (lines ending in ``{``) or flat lines."""
    s = text.lstrip()
    if s.startswith("<"):
        return parse_xml(s)
    if any(ln.rstrip().endswith("{") for ln in s.splitlines() if not ln.lstrip().startswith("#")):
        return parse_info(text)
    return parse_flat(text)


# ------------------------------------------------------------------------------------------ NETCONF
def edit_xml(conf: Config, config_el: Any, default_operation: str = "merge") -> None:
    """NETCONF ``edit-config``: the ``<config>`` element (or its ``<configure>``) applied with RFC 6241
    7.2 ``nc:operation`` (merge, replace, create, delete, remove) at any depth. On error ``conf`` is
    unchanged."""
    if default_operation not in ("merge", "replace", "none"):
        raise ConfigError(f"Invalid default-operation '{default_operation}'", "invalid-value")
    el = _configure_el(config_el)
    if el is None:
        if default_operation == "replace":
            conf.data.clear()
        return
    work = copy.deepcopy(conf.data)
    op = _op(el) or default_operation
    if op in ("delete", "remove"):
        if not work and op == "delete":
            raise ConfigError("MINOR: MGMT_CORE #2503: Data missing - configure", "data-missing")
        work = {}
    elif op == "replace" or op == "create" and not work:
        work = _build(el, "")
    elif op == "create":
        raise ConfigError("MINOR: MGMT_CORE #2502: Data exists - configure", "data-exists")
    else:
        _apply(work, el, "", op, ["configure"])
    conf.data.clear()
    conf.data.update(work)


def _op(el: Any) -> str | None:
    op = el.get(f"{{{NC_NS}}}operation")
    if op is not None and op not in ("merge", "replace", "create", "delete", "remove"):
        raise ConfigError(f"MINOR: MGMT_CORE #2001: Invalid operation '{op}'", "bad-attribute")
    return op


def _build(el: Any, name: str) -> Tree:
    """An element's content as a tree (``delete``/``remove`` elements inside it dropped)."""
    if any(isinstance(c.tag, str) and _op(c) in ("delete", "remove") for c in el.iterdescendants()):
        el = copy.deepcopy(el)
        for c in list(el.iterdescendants()):
            if isinstance(c.tag, str) and _op(c) in ("delete", "remove") and c.getparent() is not None:
                c.getparent().remove(c)
    return _from_xml(el, name)


def _path_text(path: list[str]) -> str:
    return " ".join(path)


def _apply(node: Tree, el: Any, name: str, inherited: str, path: list[str]) -> None:
    for c in _elements(el):
        k = _local(c)
        if etree.QName(c).namespace not in (NS, None):
            raise ConfigError(f"MINOR: MGMT_CORE #2201: {_path_text(path)} - Unknown namespace for '{k}'",
                              "unknown-namespace")
        op = _op(c) or inherited
        sub = _elements(c)
        text = (c.text or "").strip()
        keys = keys_of(name, k)
        cur = node.get(k)
        if keys is None and isinstance(cur, list) and _is_list(cur):
            keys = entry_keys(name, k, cur[0])
        if keys is not None and not is_leaf_list(name, k):
            vals = tuple((next((x.text or "").strip() for x in sub if _local(x) == key)
                          if any(_local(x) == key for x in sub) else None) for key in keys)
            where = path + [k] + [str(v) for v in vals]
            if any(v is None for v in vals):
                raise ConfigError(f"MINOR: MGMT_CORE #2008: {_path_text(where)} - Missing key "
                                  f"'{keys[[v is None for v in vals].index(True)]}'", "missing-element")
            lst = cur if isinstance(cur, list) else []
            entry = _find(lst, keys, vals)  # type: ignore[arg-type]
            if op in ("delete", "remove"):
                if entry is None:
                    if op == "delete":
                        raise ConfigError(f"MINOR: MGMT_CORE #2503: {_path_text(where)} - Data missing",
                                          "data-missing")
                    continue
                lst.remove(entry)
                if not lst:
                    node.pop(k, None)
                continue
            if op == "create" and entry is not None:
                raise ConfigError(f"MINOR: MGMT_CORE #2502: {_path_text(where)} - Data exists", "data-exists")
            if op in ("create", "replace"):
                new = _build(c, k)
                new = {**{x: v for x, v in zip(keys, vals, strict=True)},
                       **{x: v for x, v in new.items() if x not in keys}}
                if entry is None:
                    node[k] = lst + [new]
                else:
                    lst[lst.index(entry)] = new
                continue
            if entry is None:
                if op == "none" and not _has_write(c):
                    raise ConfigError(f"MINOR: MGMT_CORE #2503: {_path_text(where)} - Data missing",
                                      "data-missing")
                entry = dict(zip(keys, vals, strict=True))  # type: ignore[arg-type]
                lst.append(entry)
                node[k] = lst
            _apply(entry, c, k, op, where)
            continue
        where = path + [k]
        if is_leaf_list(name, k) and not sub:
            lst2 = cur if isinstance(cur, list) else []
            if op in ("delete", "remove"):
                if text not in lst2:
                    if op == "delete":
                        raise ConfigError(f"MINOR: MGMT_CORE #2503: {_path_text(where)} {text} - "
                                          "Data missing", "data-missing")
                    continue
                lst2 = [x for x in lst2 if x != text]
                if lst2:
                    node[k] = lst2
                else:
                    node.pop(k, None)
                continue
            if op == "create" and text in lst2:
                raise ConfigError(f"MINOR: MGMT_CORE #2502: {_path_text(where)} {text} - Data exists",
                                  "data-exists")
            if op == "none":
                continue
            node[k] = lst2 + ([text] if text not in lst2 else [])
            continue
        if op in ("delete", "remove"):
            if k not in node:
                if op == "delete":
                    raise ConfigError(f"MINOR: MGMT_CORE #2503: {_path_text(where)} - Data missing",
                                      "data-missing")
                continue
            del node[k]
            continue
        if op == "create" and k in node:
            raise ConfigError(f"MINOR: MGMT_CORE #2502: {_path_text(where)} - Data exists", "data-exists")
        if sub:
            if op in ("create", "replace"):
                node[k] = _build(c, k)
                continue
            if not isinstance(cur, dict):
                if op == "none" and not _has_write(c):
                    raise ConfigError(f"MINOR: MGMT_CORE #2503: {_path_text(where)} - Data missing",
                                      "data-missing")
                cur = node[k] = {}
            _apply(cur, c, k, op, where)
            continue
        if op == "none":
            continue
        if text or (name, k) in EMPTY_LEAVES:
            node[k] = text
        elif op == "replace" or not isinstance(cur, dict):
            node[k] = "" if _known_empty_leaf_name(k) else {}


def _has_write(el: Any) -> bool:
    return any(isinstance(c.tag, str) and _op(c) in ("merge", "replace", "create") for c in el.iter())


# ------------------------------------------------------------------------------------------ compare
def diff(old: Config, new: Config) -> str:
    """MD-CLI ``compare``: the hierarchical ``info`` of both, changed lines marked ``+``/``-`` in the
    first column, unchanged blocks around them as context."""
    return "".join(_diff(old.data, new.data, "", 1))


def _diff(a: Tree, b: Tree, parent: str, depth: int) -> Iterator[str]:
    pad = "    " * depth

    def mark(sign: str, lines: Iterator[str]) -> Iterator[str]:
        for ln in lines:
            yield sign + ln[1:]

    def block(node: Tree, head: str, name: str) -> Iterator[str]:
        yield f"{pad}{head} {{\n"
        yield from _info_lines(node, name, depth + 1)
        yield f"{pad}}}\n"

    names = list(a) + [k for k in b if k not in a]
    for k in names:
        va, vb = a.get(k), b.get(k)
        if va == vb:
            continue
        if isinstance(va, dict) and isinstance(vb, dict):
            inner = list(_diff(va, vb, k, depth + 1))
            if inner:
                yield f"{pad}{k} {{\n"
                yield from inner
                yield f"{pad}}}\n"
            continue
        if _is_list(va) or _is_list(vb):
            la: list[Tree] = va if isinstance(va, list) and _is_list(va) else []
            lb: list[Tree] = vb if isinstance(vb, list) and _is_list(vb) else []
            ka = {tuple(e.get(x) for x in entry_keys(parent, k, e)): e for e in la}
            kb = {tuple(e.get(x) for x in entry_keys(parent, k, e)): e for e in lb}
            for key in list(ka) + [x for x in kb if x not in ka]:
                ea, eb = ka.get(key), kb.get(key)
                if ea == eb:
                    continue
                some = ea if ea is not None else eb
                assert some is not None
                head, keys = _entry_head(parent, k, some)
                if ea is not None and eb is not None:
                    inner = list(_diff({x: y for x, y in ea.items() if x not in keys},
                                       {x: y for x, y in eb.items() if x not in keys}, k, depth + 1))
                    yield f"{pad}{head} {{\n"
                    yield from inner
                    yield f"{pad}}}\n"
                else:
                    body = {x: y for x, y in some.items() if x not in keys}
                    yield from mark("-" if eb is None else "+", block(body, head, k))
            if not (_is_list(va) and _is_list(vb)):
                other = va if not _is_list(va) else vb
                if other is not None:
                    yield from mark("-" if other is va else "+", _leafish(k, other, parent, pad, depth))
            continue
        if va is not None:
            yield from mark("-", _leafish(k, va, parent, pad, depth))
        if vb is not None:
            yield from mark("+", _leafish(k, vb, parent, pad, depth))


def _leafish(k: str, v: Any, parent: str, pad: str, depth: int) -> Iterator[str]:
    if isinstance(v, dict):
        yield f"{pad}{k} {{\n"
        yield from _info_lines(v, k, depth + 1)
        yield f"{pad}}}\n"
    else:
        yield f"{pad}{_leaf_text(parent, k, v)}\n"


# ------------------------------------------------------------------------------------------ three-way
Leaf = tree.Leaf
from_leaves = tree.from_leaves


def _entry_keys(parent: str, name: str, entry: Tree, entries: list[Any]) -> tuple[str, ...]:
    return entry_keys(parent, name, entry)


def leaves(node: Tree, parent: str = "", prefix: Leaf = ()) -> dict[Leaf, Any]:
    """Every leaf (and every container or entry, as ``{}``) by its path."""
    return tree.leaves(node, _entry_keys, parent, prefix)


def three_way(base: Config, mine: Config, theirs: Config) -> Config:
    """``theirs`` (running now) with the changes from ``base`` to ``mine`` (a private candidate)
    replayed on it: what ``mine`` removed goes, what it added or changed wins."""
    return Config(tree.three_way(base.data, mine.data, theirs.data, _entry_keys))
