"""containerlab topology files (``*.clab.yml``): parsing, validation and containerlab semantics.

The result is a fully resolved :class:`Topology`: inheritance applied (defaults -> kinds -> groups ->
node), names computed as containerlab computes them, interfaces mapped to Linux names, management
addresses assigned, template variables expanded.  Backends never look at the raw YAML.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from fabric import vendors
from fabric.errors import FabricError

DEFAULT_SUBNET = "172.20.20.0/24"
DEFAULT_NETWORK = "clab"

# Kinds, aliases, default credentials and inventory platform names come from the vendor registry
# (fabric/vendors/<nos>/): each vendor owns its containerlab kinds, as containerlab's nodes/<kind> do.
VENDOR_KINDS = {k for v in vendors.all_vendors().values() if not v.runs_on_linux for k in v.clab_kinds}
SUPPORTED_KINDS = VENDOR_KINDS | {"linux"}
FRR_IMAGES = ("quay.io/frrouting/frr", "frrouting/frr", "docker.io/frrouting/frr")
LINUX_USER, LINUX_PASSWORD = vendors.by_kind("linux").default_credentials()  # type: ignore[union-attr]


def default_credentials(kind: str) -> tuple[str, str]:
    """containerlab's default credentials for a kind (its kinds/<kind>/<kind>.go)."""
    vendor = vendors.by_kind(kind)
    assert vendor is not None, kind
    return vendor.default_credentials(vendors.canonical_kind(kind))


def nornir_platform(kind: str) -> str:
    """The Nornir/Ansible platform name containerlab writes into its inventories for a kind."""
    vendor = vendors.by_kind(kind)
    return vendor.nornir_platform if vendor else kind


# Node keys the netns backend implements.  Everything else in a node triggers a warning.
SUPPORTED_NODE_KEYS = {
    "kind", "image", "group", "startup-config", "exec", "binds", "env", "labels", "mgmt-ipv4",
}
SUPPORTED_TOP_KEYS = {"name", "prefix", "mgmt", "topology"}
SUPPORTED_MGMT_KEYS = {"network", "ipv4-subnet", "ipv4-gw"}


class TopologyError(FabricError):
    """A topology file that cannot be used; names the file and the offending key."""


@dataclass
class Endpoint:
    node: str
    interface: str  # Linux name inside the node's namespace
    given: str  # name as written in the topology (may be an alias)


# containerlab's DefaultVethLinkMTU: every veth link is created with MTU 9500 unless the link sets `mtu`
# (node `exec` lines may lower it afterwards, e.g. `ip link set eth1 mtu 9214`).
DEFAULT_LINK_MTU = 9500


@dataclass
class Link:
    a: Endpoint
    b: Endpoint
    mtu: int = DEFAULT_LINK_MTU


@dataclass
class Node:
    name: str
    kind: str
    long_name: str
    mgmt_ipv4: str = ""
    image: str = ""
    group: str = ""
    startup_config: str | None = None  # absolute path (inline configs are written to the lab dir)
    startup_config_inline: str | None = None
    binds: list[tuple[str, str]] = field(default_factory=list)  # (host path, node path)
    exec: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    username: str = ""
    password: str = ""
    interfaces: list[str] = field(default_factory=list)

    @property
    def is_vendor(self) -> bool:
        return self.kind in VENDOR_KINDS

    def bind_for(self, target: str) -> str | None:
        """Host path bound to ``target`` inside the node, if any."""
        for src, dst in self.binds:
            if dst.rstrip("/") == target:
                return src
        return None

    @property
    def runs_frr(self) -> bool:
        """Vendor kinds always run FRR; linux nodes when they bind FRR files or use an FRR image."""
        if self.is_vendor:
            return True
        if any(dst.startswith("/etc/frr") for _, dst in self.binds):
            return True
        return any(self.image.startswith(img) for img in FRR_IMAGES)


@dataclass
class Topology:
    name: str
    prefix: str
    path: Path
    lab_dir: Path
    mgmt_network: str
    mgmt_subnet: ipaddress.IPv4Network
    mgmt_gateway: str
    nodes: dict[str, Node]
    links: list[Link]
    warnings: list[str] = field(default_factory=list)

    @property
    def bridge(self) -> str:
        return "nfbr-" + hashlib.sha1(self.name.encode()).hexdigest()[:8]


# ---------------------------------------------------------------------------------------------------
# naming


def long_name(prefix: str, lab: str, node: str) -> str:
    """containerlab's container naming: prefix "" -> node, "__lab-name" -> lab-node, else prefix-lab-node."""
    if prefix == "":
        return node
    if prefix == "__lab-name":
        return f"{lab}-{node}"
    return f"{prefix}-{lab}-{node}"


def linux_ifname(kind: str, name: str) -> str:
    """Map an interface name as written in a topology (possibly a vendor alias) to the Linux name.

    Raises ValueError for names that are not valid for the kind (each vendor knows its own naming).
    """
    vendor = vendors.by_kind(kind)
    linux = vendor.linux_ifname(kind, name) if vendor else None
    if linux is not None:
        return linux
    if vendor is not None and vendor.runs_on_linux:
        raise ValueError(f"'{name}' is not a usable Linux interface name (1-15 chars, not lo/eth0)")
    raise ValueError(f"'{name}' is not a valid interface name for kind {kind}")


# ---------------------------------------------------------------------------------------------------
# schema


def schema_path() -> Path:
    """The vendored schema; the shared reference copy when running from a checkout without it."""
    here = Path(__file__).with_name("clab.schema.json")
    if here.exists():
        return here
    return Path(__file__).resolve().parents[2].parent / "shared/reference/containerlab/clab.schema.json"


@lru_cache(maxsize=1)
def _validator() -> Any:
    import jsonschema

    schema = json.loads(schema_path().read_text())
    return jsonschema.Draft7Validator(_python_patterns(schema))


def _python_patterns(obj: Any) -> Any:
    """The schema's regexes use Go/ECMA ``\\p{N}\\p{L}`` classes Python's re lacks.

    ``[\\p{N}\\p{L}]`` (letters and digits) means the same as ``[^\\W_]``.
    """
    if isinstance(obj, dict):
        return {k: (v.replace("[\\p{N}\\p{L}]", "[^\\W_]") if k == "pattern" and isinstance(v, str)
                    else _python_patterns(v)) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_python_patterns(v) for v in obj]
    return obj


def _key_path(parts: Any) -> str:
    return ".".join(str(p) for p in parts) or "<top>"


def validate_schema(data: Any, file: str) -> None:
    errors = sorted(_validator().iter_errors(data), key=lambda e: (len(e.absolute_path), str(e.path)))
    if not errors:
        return
    # The deepest error is the most specific one (oneOf/anyOf wrap the real cause).
    err = max(errors, key=lambda e: len(e.absolute_path))
    best = err
    if err.context:
        best = max(err.context, key=lambda e: len(e.absolute_path))
    path = _key_path(best.absolute_path)
    msg = best.message if len(best.message) < 300 else best.message[:300] + "..."
    raise TopologyError(
        f"schema error at {path}: {msg}",
        file=file,
        key=path,
        fix="compare with the containerlab topology reference (https://containerlab.dev/manual/topo-def-file/)",
    )


# ---------------------------------------------------------------------------------------------------
# parsing


def _merge(layers: list[dict[str, Any]]) -> dict[str, Any]:
    """containerlab inheritance: later layers win; env/labels merge key by key; binds merge by target."""
    out: dict[str, Any] = {}
    for layer in layers:
        for key, value in layer.items():
            if key in ("env", "labels") and isinstance(value, dict):
                out[key] = {**out.get(key, {}), **value}
            elif key == "binds" and isinstance(value, list):
                merged: dict[str, str] = {}
                for b in [*out.get("binds", []), *value]:
                    parts = str(b).split(":")
                    merged[parts[1] if len(parts) > 1 else parts[0]] = str(b)
                out[key] = list(merged.values())
            else:
                out[key] = value
    return out


def expand_vars(text: str, *, node: str, long: str, lab: str, lab_dir: Path, kind: str) -> str:
    """containerlab's magic variables and Go-template style node fields in paths."""
    repl = {
        "__clabNodeName__": node,
        "__clabNodeDir__": str(lab_dir / node),
        "__clabDir__": str(lab_dir),
    }
    for k, v in repl.items():
        text = text.replace(k, v)
    fields = {"ShortName": node, "Name": node, "LongName": long, "Kind": kind, "LabName": lab}

    def sub(m: re.Match[str]) -> str:
        key = m.group(1)
        if key not in fields:
            raise KeyError(key)
        return fields[key]

    return re.sub(r"\{\{\s*\.(\w+)\s*\}\}", sub, text)


def _load_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise TopologyError("topology file not found", file=str(path),
                            fix="pass a containerlab topology, e.g. -t containerlab/dc1.clab.yml") from None
    except (OSError, UnicodeDecodeError) as exc:  # a directory, unreadable, binary
        raise TopologyError(f"cannot read the topology: {getattr(exc, 'strerror', None) or exc}",
                            file=str(path), fix="pass a containerlab topology file (*.clab.yml)") from None
    except yaml.YAMLError as exc:
        line = None
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            line = mark.line + 1
        raise TopologyError(f"invalid YAML: {exc}", file=str(path), line=line,
                            fix="correct the YAML at that line") from None


def load_topology(path: str | Path, *, warn: bool = True) -> Topology:
    """Parse, validate and resolve a containerlab topology file.

    Unsupported keys never disappear silently: each is reported in ``Topology.warnings`` (and as a
    Python warning when ``warn`` is true).
    """
    path = Path(path).resolve()
    file = str(path)
    data = _load_yaml(path)
    if not isinstance(data, dict):
        raise TopologyError("a topology file must be a mapping", file=file)
    validate_schema(data, file)
    notes: list[str] = []

    lab = str(data["name"]) if "name" in data else ""
    if not lab:
        raise TopologyError("missing lab name", file=file, key="name")
    prefix = str(data["prefix"]) if "prefix" in data and data["prefix"] is not None else "clab"
    lab_dir = path.parent / f"clab-{lab}"
    for key in data:
        if key not in SUPPORTED_TOP_KEYS:
            notes.append(f"{key}: not supported by the netns backend, ignored")

    mgmt = data.get("mgmt") or {}
    for key in mgmt:
        if key not in SUPPORTED_MGMT_KEYS:
            notes.append(f"mgmt.{key}: not supported by the netns backend, ignored")
    try:
        subnet = ipaddress.IPv4Network(str(mgmt.get("ipv4-subnet", DEFAULT_SUBNET)))
    except ValueError as exc:
        raise TopologyError(str(exc), file=file, key="mgmt.ipv4-subnet") from None
    if subnet.num_addresses < 4:
        raise TopologyError("management subnet too small", file=file, key="mgmt.ipv4-subnet")
    gateway = str(mgmt.get("ipv4-gw") or next(iter(subnet.hosts())))

    topo = data.get("topology") or {}
    defaults = topo.get("defaults") or {}
    kinds = topo.get("kinds") or {}
    groups = topo.get("groups") or {}
    raw_nodes: dict[str, Any] = topo.get("nodes") or {}
    if not raw_nodes:
        raise TopologyError("no nodes defined", file=file, key="topology.nodes")

    nodes: dict[str, Node] = {}
    for name, raw in raw_nodes.items():
        raw = raw or {}
        key = f"topology.nodes.{name}"
        group = raw.get("group") or ""
        if group and group not in groups:
            raise TopologyError(f"unknown group '{group}'", file=file, key=f"{key}.group")
        kind_raw = raw.get("kind") or (groups.get(group) or {}).get("kind") or defaults.get("kind")
        if not kind_raw:
            raise TopologyError("node has no kind (set it on the node, its group or defaults)",
                                file=file, key=f"{key}.kind")
        kind = vendors.canonical_kind(str(kind_raw))
        if kind not in SUPPORTED_KINDS:
            raise TopologyError(
                f"kind '{kind_raw}' is not supported by the netns backend",
                file=file, key=f"{key}.kind",
                fix=f"use one of {', '.join(sorted(SUPPORTED_KINDS))} or --backend containerlab",
            )
        kind_layer = kinds.get(kind) or kinds.get(str(kind_raw)) or {}
        merged = _merge([defaults, kind_layer, groups.get(group) or {}, raw])
        for k in merged:
            if k not in SUPPORTED_NODE_KEYS:
                notes.append(f"{key}.{k}: not supported by the netns backend, ignored")
        long = long_name(prefix, lab, name)
        if len(long) > 200 or "/" in long:
            raise TopologyError("node name too long or invalid", file=file, key=key)

        def exp(text: str, k: str, _n: str = name, _l: str = long, _kind: str = kind) -> str:
            try:
                return expand_vars(text, node=_n, long=_l, lab=lab, lab_dir=lab_dir, kind=_kind)
            except KeyError as e:
                raise TopologyError(f"unknown template variable .{e.args[0]}", file=file, key=k) from None

        node = Node(name=name, kind=kind, long_name=long, image=str(merged.get("image") or ""),
                    group=group)
        sc = merged.get("startup-config")
        if sc is not None:
            sc = str(sc)
            if "\n" in sc:
                node.startup_config_inline = sc
            else:
                p = Path(exp(sc, f"{key}.startup-config")).expanduser()
                p = p if p.is_absolute() else path.parent / p
                if not p.exists():
                    raise TopologyError(f"startup-config file {p} not found", file=file,
                                        key=f"{key}.startup-config")
                node.startup_config = str(p.resolve())
        for i, b in enumerate(merged.get("binds") or []):
            parts = exp(str(b), f"{key}.binds[{i}]").split(":")
            if len(parts) < 2:
                raise TopologyError(f"bind '{b}' must be host-path:node-path[:mode]", file=file,
                                    key=f"{key}.binds[{i}]")
            src = Path(parts[0]).expanduser()
            src = src if src.is_absolute() else path.parent / src
            node.binds.append((str(src.resolve()), parts[1]))
        node.exec = [str(c) for c in merged.get("exec") or []]
        node.env = {str(k): str(v) for k, v in (merged.get("env") or {}).items()}
        node.labels = {str(k): str(v) for k, v in (merged.get("labels") or {}).items()}
        user, pw = default_credentials(kind)
        node.username, node.password = user, pw
        if merged.get("mgmt-ipv4"):
            try:
                ip = ipaddress.IPv4Address(str(merged["mgmt-ipv4"]))
            except ValueError as exc:
                raise TopologyError(str(exc), file=file, key=f"{key}.mgmt-ipv4") from None
            if ip not in subnet or str(ip) == gateway:
                raise TopologyError(f"{ip} is outside {subnet} or is the gateway", file=file,
                                    key=f"{key}.mgmt-ipv4")
            node.mgmt_ipv4 = str(ip)
        if node.is_vendor is False and any(d.startswith("/etc/frr") for _, d in node.binds):
            for bsrc, dst in node.binds:
                if dst.startswith("/etc/frr") and not Path(bsrc).exists():
                    raise TopologyError(f"bind source {bsrc} not found", file=file, key=f"{key}.binds")
        nodes[name] = node

    _assign_mgmt(nodes, subnet, gateway, file)
    links = _parse_links(topo.get("links") or [], nodes, file, notes)
    for n in nodes.values():
        n.interfaces = sorted(
            {e.interface for lk in links for e in (lk.a, lk.b) if e.node == n.name}, key=_natural
        )
    t = Topology(name=lab, prefix=prefix, path=path, lab_dir=lab_dir,
                 mgmt_network=str(mgmt.get("network") or DEFAULT_NETWORK), mgmt_subnet=subnet,
                 mgmt_gateway=gateway, nodes=nodes, links=links, warnings=notes)
    if warn:
        for note in notes:
            warnings.warn(f"{file}: {note}", UserWarning, stacklevel=2)
    return t


def _natural(s: str) -> list[Any]:
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", s)]


def _assign_mgmt(nodes: dict[str, Node], subnet: ipaddress.IPv4Network, gateway: str, file: str) -> None:
    """Deterministic: explicit addresses first, then the rest in node order from the bottom of the subnet."""
    used = {gateway}
    for n in nodes.values():
        if n.mgmt_ipv4:
            if n.mgmt_ipv4 in used:
                raise TopologyError(f"duplicate mgmt-ipv4 {n.mgmt_ipv4}", file=file,
                                    key=f"topology.nodes.{n.name}.mgmt-ipv4")
            used.add(n.mgmt_ipv4)
    hosts = (str(h) for h in subnet.hosts())
    for n in nodes.values():
        if n.mgmt_ipv4:
            continue
        for h in hosts:
            if h not in used:
                n.mgmt_ipv4 = h
                used.add(h)
                break
        else:
            raise TopologyError(f"management subnet {subnet} has no free address for {n.name}",
                                file=file, key="mgmt.ipv4-subnet")


def _endpoint(text: str, nodes: dict[str, Node], file: str, key: str) -> Endpoint:
    if ":" not in text:
        raise TopologyError(f"endpoint '{text}' must be node:interface", file=file, key=key)
    node, ifname = text.split(":", 1)
    if node not in nodes:
        raise TopologyError(f"endpoint '{text}' refers to unknown node '{node}'", file=file, key=key)
    try:
        linux = linux_ifname(nodes[node].kind, ifname)
    except ValueError as exc:
        raise TopologyError(str(exc), file=file, key=key) from None
    return Endpoint(node=node, interface=linux, given=ifname)


def _parse_links(raw_links: list[Any], nodes: dict[str, Node], file: str, notes: list[str]) -> list[Link]:
    links: list[Link] = []
    seen: dict[tuple[str, str], str] = {}
    for i, raw in enumerate(raw_links):
        key = f"topology.links[{i}]"
        if "endpoints" in raw and "type" not in raw:
            eps = raw["endpoints"]
            if len(eps) != 2:
                raise TopologyError("a link needs exactly two endpoints", file=file, key=f"{key}.endpoints")
            a = _endpoint(str(eps[0]), nodes, file, f"{key}.endpoints[0]")
            b = _endpoint(str(eps[1]), nodes, file, f"{key}.endpoints[1]")
            extra = set(raw) - {"endpoints", "mtu"}
        elif raw.get("type") == "veth":
            eps = raw.get("endpoints") or []
            if len(eps) != 2:
                raise TopologyError("a veth link needs exactly two endpoints", file=file,
                                    key=f"{key}.endpoints")
            ends = []
            for j, ep in enumerate(eps):
                ends.append(_endpoint(f"{ep.get('node')}:{ep.get('interface')}", nodes, file,
                                      f"{key}.endpoints[{j}]"))
                for k in set(ep) - {"node", "interface"}:
                    notes.append(f"{key}.endpoints[{j}].{k}: not supported by the netns backend, ignored")
            a, b = ends
            extra = set(raw) - {"type", "endpoints", "mtu"}
        else:
            raise TopologyError(f"link type '{raw.get('type')}' is not supported by the netns backend",
                                file=file, key=f"{key}.type", fix="use type: veth or brief endpoints")
        for k in sorted(extra):
            notes.append(f"{key}.{k}: not supported by the netns backend, ignored")
        for e, k in ((a, f"{key}.endpoints[0]"), (b, f"{key}.endpoints[1]")):
            other = seen.get((e.node, e.interface))
            if other:
                raise TopologyError(f"interface {e.node}:{e.interface} already used by {other}", file=file,
                                    key=k)
            seen[(e.node, e.interface)] = key
        mtu = raw.get("mtu", DEFAULT_LINK_MTU)
        if isinstance(mtu, bool) or not isinstance(mtu, int) or not 68 <= mtu <= 65535:
            raise TopologyError(f"link mtu must be an integer 68..65535, got {mtu!r}", file=file,
                                key=f"{key}.mtu")
        links.append(Link(a=a, b=b, mtu=mtu))
    return links
