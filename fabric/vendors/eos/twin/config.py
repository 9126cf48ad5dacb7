"""EOS configuration as a tree of lines, edited the way the EOS CLI edits it.

The running-config is kept as text lines in a tree (mode -> children).  Lines
the twin does not understand are kept verbatim, so diffs, compliance and
drift work on them; only the parser in ``model.py`` decides what reaches FRR.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from fabric.vendors.eos.twin.names import short

INDENT = "   "

# Commands that open a sub-mode, per parent mode.  Everything else is a leaf.
_MODE_OPENERS: dict[str, re.Pattern[str]] = {
    "top": re.compile(
        r"^(interface \S+|router (bgp|ospf|isis|ospfv3|bfd)\b.*|route-map \S+.*|management \S+.*"
        r"|ip(v6)? prefix-list \S+"
        r"|vrf instance \S+|ip access-list \S+.*|ipv6 access-list \S+.*|vlan \S+|daemon \S+"
        r"|event-handler \S+|peer-filter \S+|aaa \S+ \S+ \S+ group.*|policy-map .*|class-map .*|mlag.*"
        r"|monitor .*|queue-monitor .*|spanning-tree mst configuration|ip extcommunity-list regexp .*)$"
    ),
    "router bgp": re.compile(r"^(address-family \S+.*|vrf \S+)$"),
    "router bgp vrf": re.compile(r"^address-family \S+.*$"),
    "router isis": re.compile(r"^address-family \S+.*$"),
    "management api": re.compile(r"^vrf \S+$"),
}

# Lines that always belong to the global config mode: seeing one in a
# sub-mode leaves the sub-mode first (the EOS parser falls back the same way).
_GLOBAL = re.compile(
    r"^(hostname|username|interface|router|route-map|management|lldp|spanning-tree|service|transceiver"
    r"|aaa|enable|vlan|vrf instance|ntp|snmp-server|logging|daemon|banner|clock|dns|peer-filter|mpls"
    r"|event-handler|errdisable|agent|hardware|platform|alias|boot|ptp|sflow|tacacs-server|radius-server"
    r"|control-plane|mlag|monitor|policy-map|class-map|load-balance|queue-monitor|end"
    r"|ip (routing|prefix-list|route|access-list|name-server|domain|domain-name|host|as-path|community-list"
    r"|extcommunity-list|virtual-router|icmp|multicast-routing|ssh|http|ftp|tftp|radius|tacacs)"
    r"|ipv6 (unicast-routing|route|prefix-list|access-list|hardware))(?=\s|$)"
)

_BGP_LEVEL = re.compile(
    r"^(router-id|maximum-paths|bgp |timers|distance"
    r"|neighbor \S+ (remote-as|peer group|peer-group|description|update-source|bfd|send-community"
    r"|maximum-routes|shutdown|ebgp-multihop|password|timers|local-as"
    r"|route-reflector-client|next-hop-self|allowas-in)|neighbor \S+ peer group$|vrf \S+$|address-family )"
)

# First words the EOS global configuration mode accepts.  Anything else typed at the top
# level is "% Invalid input" (as on EOS); sub-mode lines are accepted leniently and kept verbatim.
GLOBAL_WORDS = frozenset(
    [
        "aaa",
        "agent",
        "alias",
        "arp",
        "banner",
        "bfd",
        "boot",
        "class-map",
        "clock",
        "comment",
        "control-plane",
        "cvx",
        "daemon",
        "default",
        "dhcp",
        "dns",
        "dot1x",
        "email",
        "enable",
        "errdisable",
        "event-handler",
        "event-monitor",
        "hardware",
        "hostname",
        "interface",
        "ip",
        "ipv6",
        "lacp",
        "link-tracking",
        "lldp",
        "load-interval",
        "logging",
        "mac",
        "mac-address-table",
        "management",
        "match-list",
        "mlag",
        "monitor",
        "mpls",
        "no",
        "ntp",
        "openflow",
        "peer-filter",
        "platform",
        "policy-map",
        "port-channel",
        "prompt",
        "ptp",
        "qos",
        "queue-monitor",
        "radius-server",
        "redundancy",
        "role",
        "route-map",
        "router",
        "schedule",
        "security",
        "service",
        "sflow",
        "snmp-server",
        "spanning-tree",
        "ssh",
        "switchport",
        "system",
        "tacacs-server",
        "tap",
        "tcam",
        "traffic-policies",
        "transceiver",
        "trace",
        "tunnel",
        "username",
        "vlan",
        "vrf",
        "vrrp",
        "vxlan",
    ]
)

# Settings with a single value: a new line replaces an old one with the same key.
_KEYS: list[tuple[re.Pattern[str], int]] = [
    (re.compile(r"^neighbor \S+ (peer group|peer-group) \S+"), 4 - 0),
    (
        re.compile(
            r"^neighbor \S+ (remote-as|description|update-source|maximum-routes|ebgp-multihop|password"
            r"|local-as|timers)\b"
        ),
        3,
    ),
    (re.compile(r"^ip ospf (network|area|cost|priority|dead-interval|hello-interval)\b"), 3),
    (re.compile(r"^ip address \S+$"), 2),
    (re.compile(r"^ipv6 address \S+$"), 0),
    (re.compile(r"^isis (enable|metric|network|circuit-type)\b"), 2),
    (re.compile(r"^username \S+"), 2),
    (
        re.compile(
            r"^(hostname|description|mtu|router-id|maximum-paths|is-type|max-lsa|speed|load-interval"
            r"|log-adjacency-changes)\b"
        ),
        1,
    ),
    (re.compile(r"^switchport mode\b"), 2),
]


# EOS's running-config section order (the order templates/eos/ renders, which follows EOS): prefix ->
# (rank, group).  Consecutive one-line commands of one group print without "!" between them
# ("hostname" + "ip domain-name", "ip routing" + "no ip routing vrf MGMT").
_TOP_ORDER: list[tuple[re.Pattern[str], int, str]] = [
    (re.compile(p), rank, group)
    for p, rank, group in [
        (r"^logging\b", 10, "logging"),
        (r"^hostname\b", 20, "system"),
        (r"^(ip domain-name|dns domain)\b", 21, "system"),
        (r"^ip name-server\b", 22, "name-server"),
        (r"^ntp\b", 30, "ntp"),
        (r"^snmp-server\b", 40, "snmp"),
        (r"^spanning-tree\b", 50, "spanning-tree"),
        (r"^(no )?aaa\b", 60, "aaa"),
        (r"^username\b", 70, "username"),
        (r"^(no )?lldp\b", 80, "lldp"),
        (r"^vrf instance\b", 90, "vrf"),
        (r"^interface\b", 100, "interface"),
        (r"^(no )?ip routing\b", 110, "ip routing"),
        (r"^(no )?ipv6 unicast-routing\b", 111, "ip routing"),
        (r"^ip prefix-list\b", 120, "prefix-list"),
        (r"^ipv6 prefix-list\b", 121, "prefix-list"),
        (r"^ip route\b", 130, "ip route"),
        (r"^ipv6 route\b", 131, "ip route"),
        (r"^route-map\b", 140, "route-map"),
        (r"^router bfd\b", 150, "router"),
        (r"^router bgp\b", 160, "router"),
        (r"^router isis\b", 170, "router"),
        (r"^router ospf\b", 180, "router"),
        (r"^management api\b", 190, "management api"),
    ]
]
_IF_TYPES = ("Ethernet", "Loopback", "Management", "Port-Channel", "Tunnel", "Vlan", "Vxlan")


def _top_rank(line: str) -> tuple[int, str] | None:
    for rx, rank, group in _TOP_ORDER:
        if rx.match(line):
            return rank, group
    return None


def top_group(line: str) -> str:
    """Separator group of a one-line top-level command (unknown commands: their first two words)."""
    known = _top_rank(line)
    return known[1] if known else " ".join(line.split()[:2])


def _if_key(line: str) -> tuple[int, tuple[int, ...], str]:
    name = line.split()[1] if len(line.split()) > 1 else ""
    kind = name.rstrip("0123456789/.")
    typ = _IF_TYPES.index(kind) if kind in _IF_TYPES else len(_IF_TYPES)
    nums = tuple(int(x) for x in re.findall(r"\d+", name[len(kind) :] if typ < len(_IF_TYPES) else ""))
    return typ, nums, name


def canonical_order(nodes: list[Node]) -> list[Node]:
    """Top-level sections in EOS order; interfaces by type and number.  Commands the table does not
    know keep their place after the known command entered before them (stable sort)."""
    keyed = []
    rank = 0
    for i, n in enumerate(nodes):
        known = _top_rank(n.line)
        if known:
            rank = known[0]
        sub = _if_key(n.line) if known and known[0] == 100 else (0, (), "")
        keyed.append(((rank, sub, i), n))
    keyed.sort(key=lambda kv: kv[0])
    return [n for _, n in keyed]


@functools.lru_cache(maxsize=65536)
def line_key(line: str) -> str:
    """Identity of a setting inside its parent (used for replacement)."""
    neg = line.startswith("no ")
    body = line[3:] if neg else line
    for rx, n in _KEYS:
        if rx.match(body):
            if n == 0:
                return body
            words = body.split()
            if body.startswith("neighbor ") and "peer group" in body:
                return " ".join(words[:4])
            return " ".join(words[:n])
    return body


def mode_kind(path: list[str]) -> str:
    """Classify a mode path (list of opener lines) for sub-mode rules."""
    if not path:
        return "top"
    head = path[0]
    if head.startswith("router bgp"):
        if len(path) == 1:
            return "router bgp"
        if len(path) == 2 and path[1].startswith("vrf "):
            return "router bgp vrf"
        return "router bgp af"
    if head.startswith("router isis"):
        return "router isis" if len(path) == 1 else "router isis af"
    if head.startswith("management api"):
        return "management api" if len(path) == 1 else "management api sub"
    return "leafmode"


def prompt_suffix(path: list[str]) -> str:
    """EOS sub-mode prompt suffix, e.g. ``-if-Et1`` or ``-router-bgp``."""
    if not path:
        return ""
    last = path[-1]
    words = last.split()
    if last.startswith("interface "):
        name = short(words[1])
        return f"-if-{name}"
    if last.startswith("router bgp"):
        return "-router-bgp"
    if last.startswith("router ospf"):
        return "-router-ospf"
    if last.startswith("router isis"):
        return "-router-isis"
    if last.startswith("address-family"):
        return "-router-bgp-af" if path[0].startswith("router bgp") else "-router-isis-af"
    if last.startswith("vrf ") and path[0].startswith("router bgp"):
        return f"-router-bgp-vrf-{words[1]}"
    if last.startswith("route-map"):
        return f"-route-map-{words[1]}"
    if last.startswith("management api http-commands"):
        return "-mgmt-api-http-cmds"
    if last.startswith("management "):
        return "-mgmt-" + "-".join(words[1:])
    return "-" + "-".join(words[:2])


@dataclass
class Node:
    line: str
    children: list[Node] = field(default_factory=list)
    key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.key = line_key(self.line)  # computed once: _set compares it against every sibling

    def find(self, line: str) -> Node | None:
        for c in self.children:
            if c.line == line:
                return c
        return None

    def copy(self) -> Node:
        return Node(self.line, [c.copy() for c in self.children])


class ConfigError(Exception):
    """Raised for input the EOS CLI itself would reject."""


class EosConfig:
    """A config tree plus the editing cursor of a CLI/eAPI config session."""

    def __init__(self, root: Node | None = None) -> None:
        self.root = root or Node("")
        self.path: list[Node] = []
        # Every edit goes through apply_line, which bumps the generation: to_text() (asked by every show
        # that reads the config, several times per eAPI request) is then computed once per edit.
        self._gen = 0
        self._text: tuple[int, str] | None = None

    # ---- text <-> tree -------------------------------------------------
    @classmethod
    def from_text(cls, text: str) -> EosConfig:
        cfg = cls()
        for raw in text.splitlines():
            cfg.apply_line(raw, indented=True)
        cfg.path = []
        return cfg

    def to_text(self) -> str:
        """The config as ``show running-config`` prints it: EOS section order, 3-space indentation,
        ``!`` between sections and before every nested sub-mode."""
        if self._text is not None and self._text[0] == self._gen:
            return self._text[1]
        text = self._render()
        self._text = (self._gen, text)
        return text

    def _render(self) -> str:
        out: list[str] = []

        def walk(node: Node, path: list[str], depth: int) -> None:
            opener = _MODE_OPENERS.get(mode_kind(path))
            for c in node.children:
                if c.children or (opener is not None and opener.match(c.line)):
                    out.append(INDENT * depth + "!")  # EOS separates each nested sub-mode
                out.append(INDENT * depth + c.line)
                walk(c, [*path, c.line], depth + 1)

        prev_group: str | None = None
        for c in canonical_order(self.root.children):
            block = bool(c.children) or bool(_MODE_OPENERS["top"].match(c.line))
            group = None if block else top_group(c.line)
            if out and (group is None or group != prev_group):
                out.append("!")
            out.append(c.line)
            walk(c, [c.line], 1)
            prev_group = group
        if out:
            out.append("!")
        return "\n".join(out) + ("\n" if out else "") + "end\n"

    def copy(self) -> EosConfig:
        return EosConfig(self.root.copy())

    def top(self, prefix: str) -> list[Node]:
        return [c for c in self.root.children if c.line.startswith(prefix)]

    # ---- editing ---------------------------------------------------------
    @property
    def mode_lines(self) -> list[str]:
        return [n.line for n in self.path]

    def _current(self) -> Node:
        return self.path[-1] if self.path else self.root

    def apply_line(self, raw: str, indented: bool = False) -> None:
        """Apply one configuration line in the current mode (like typing it)."""
        self._gen += 1
        line = raw.rstrip()
        if indented:
            stripped = line.lstrip(" ")
            depth = (len(line) - len(stripped)) // len(INDENT) if stripped else 0
            line = stripped
            if not line or line.startswith("!") or line == "end":
                return
            # Indentation is authoritative when reading a saved config file.
            del self.path[depth:]
        line = " ".join(line.split())
        if not line or line.startswith("!"):
            return
        if line in ("exit",):
            if self.path:
                self.path.pop()
            return
        if line == "end":
            self.path = []
            return
        if not indented:
            self._fallback(line)
            words = line.split()
            first = words[1] if words[0] in ("no", "default") and len(words) > 1 else words[0]
            if not self.path and first not in GLOBAL_WORDS:
                raise ConfigError(f"Invalid input (at token {0 if first == words[0] else 1}: '{first}')")
        self._set(line, literal_no=indented)

    def _fallback(self, line: str) -> None:
        body = line[3:] if line.startswith("no ") else line
        body = body[8:] if body.startswith("default ") else body
        while self.path:
            kind = mode_kind(self.mode_lines)
            if _GLOBAL.match(body) and not (kind.startswith("management") and body.startswith("vrf")):
                self.path = []
                return
            if kind == "router bgp af" and (_BGP_LEVEL.match(body) and not self._af_line(body)):
                self.path.pop()
                continue
            if kind == "router bgp vrf" and body.startswith("vrf "):
                self.path.pop()
                continue
            if kind == "router isis af" and re.match(r"^(net|is-type|router-id|address-family)\b", body):
                self.path.pop()
                continue
            return

    @staticmethod
    def _af_line(body: str) -> bool:
        return bool(
            re.match(
                r"^neighbor \S+ (activate|route-map|prefix-list|maximum-routes|next-hop-self"
                r"|default-originate|additional-paths|send-community)",
                body,
            )
        )

    def _set(self, line: str, literal_no: bool = False) -> None:
        cur = self._current()
        kind = mode_kind(self.mode_lines)
        opener = _MODE_OPENERS.get(kind)
        if line.startswith("no ") or line.startswith("default "):
            body = line.split(" ", 1)[1] if " " in line else ""
            removed = [
                c
                for c in cur.children
                if c.line == body
                or c.line.startswith(body + " ")
                or line_key(c.line) == line_key(body)
                and not c.line.startswith("no ")
            ]
            cur.children = [c for c in cur.children if c not in removed and c.line != "no " + body]
            # A saved config states its "no" lines; typed ones are shown only where EOS shows them.
            if (
                line.startswith("no ")
                and (literal_no or (cur is self.root and not removed))
                or (
                    line.startswith("no ")
                    and re.match(
                        r"^(switchport|ip routing|aaa root|shutdown|ipv6 unicast-routing|bgp default \S+"
                        r"|neighbor \S+ send-community|lldp run|spanning-tree \S+|logging console)$",
                        body,
                    )
                    and not (body == "shutdown" and not self._shutdown_default(cur))
                )
            ):
                cur.children.append(Node(line))
            return
        if opener is not None and opener.match(line):
            node = cur.find(line)
            if node is None:
                node = Node(line)
                cur.children.append(node)
            self.path.append(node)
            return
        key = line_key(line)
        neg = "no " + line
        for i, c in enumerate(cur.children):
            if c.key != key and c.line != neg:
                continue
            if c.line == line:
                return
            cur.children[i] = Node(line, c.children)
            return
        if cur is not self.root:
            # EOS lists a mode's own settings before its nested sub-modes.
            for i, c in enumerate(cur.children):
                if c.children:
                    cur.children.insert(i, Node(line))
                    return
        cur.children.append(Node(line))

    def _shutdown_default(self, node: Node) -> bool:
        # "no shutdown" is displayed only where shutdown is the default.
        path = self.mode_lines
        return bool(path) and (
            path[0].startswith("management ") or path[0].startswith("interface Management")
        )
