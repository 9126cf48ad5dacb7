"""Files containerlab writes into the lab directory, in containerlab's formats, and topology graphs."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml

from fabric import vendors
from fabric.lab.topology import Topology, nornir_platform


def _write_private(path: Path, text: str) -> None:
    # Inventories carry device passwords (as containerlab's do): owner-only.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)


def topology_data(topo: Topology) -> dict[str, Any]:
    """containerlab's topology-data.json (export template auto.tmpl)."""
    nodes = {}
    for i, n in enumerate(topo.nodes.values()):
        nodes[n.name] = {
            "index": str(i),
            "shortname": n.name,
            "longname": n.long_name,
            "fqdn": f"{n.name}.{topo.name}.io",
            "group": n.group,
            "labdir": str(topo.lab_dir / n.name),
            "kind": n.kind,
            "image": n.image,
            "mgmt-net": topo.mgmt_network,
            "mgmt-intf": "eth0",
            "mgmt-ipv4-address": n.mgmt_ipv4,
            "mgmt-ipv4-prefix-length": topo.mgmt_subnet.prefixlen,
            "mgmt-ipv6-address": "",
            "mgmt-ipv6-prefix-length": 0,
            "mac-address": "",
            "labels": {
                "clab-node-kind": n.kind,
                "clab-node-lab-dir": str(topo.lab_dir / n.name),
                "clab-node-name": n.name,
                "clab-node-type": "",
                "clab-topo-file": str(topo.path),
                "containerlab": topo.name,
                **n.labels,
            },
            "port-bindings": [],
        }
    return {
        "name": topo.name,
        "type": "clab",
        "clab": {"config": {"prefix": topo.prefix, "mgmt": {
            "network": topo.mgmt_network, "bridge": topo.bridge,
            "ipv4-subnet": str(topo.mgmt_subnet), "ipv4-gw": topo.mgmt_gateway,
        }}},
        "ssh-pub-keys": [],
        "nodes": nodes,
        "links": [
            {"a": {"node": lk.a.node, "interface": lk.a.interface, "mac": "", "peer": "z"},
             "z": {"node": lk.b.node, "interface": lk.b.interface, "mac": "", "peer": "a"}}
            for lk in topo.links
        ],
    }


def ansible_inventory(topo: Topology) -> dict[str, Any]:
    children: dict[str, Any] = {}
    for n in topo.nodes.values():
        g = children.setdefault(n.kind, {"hosts": {}})
        vendor = vendors.by_kind(n.kind)
        if vendor is not None and vendor.ansible_vars:
            g["vars"] = dict(vendor.ansible_vars)
        host: dict[str, Any] = {}
        if n.labels.get("ansible-no-host-var") != "true":
            host["ansible_host"] = n.mgmt_ipv4
        if n.username:
            host["ansible_user"] = n.username
            host["ansible_password"] = n.password
        g["hosts"][n.long_name] = host or None
        if n.labels.get("ansible-group"):
            children.setdefault(n.labels["ansible-group"], {"hosts": {}})["hosts"][n.long_name] = host or None
    return {"all": {"vars": {"ansible_httpapi_use_proxy": False}, "children": children}}


def nornir_inventory(topo: Topology) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for n in topo.nodes.values():
        out[n.name] = {
            "username": n.username,
            "password": n.password,
            "platform": nornir_platform(n.kind),
            "hostname": n.mgmt_ipv4,
        }
    return out


def write_all(topo: Topology, state: dict[str, Any]) -> None:
    d = topo.lab_dir
    d.mkdir(parents=True, exist_ok=True)
    (d / "topology-data.json").write_text(json.dumps(topology_data(topo), indent=2) + "\n")
    _write_private(d / "ansible-inventory.yml", yaml.safe_dump(ansible_inventory(topo), sort_keys=False))
    _write_private(d / "nornir-simple-inventory.yml",
                   "---\n" + yaml.safe_dump(nornir_inventory(topo), sort_keys=False))
    pub = d / "ssh" / "id_ed25519.pub"
    (d / "authorized_keys").write_text(pub.read_text() if pub.exists() else "")


def graph_dot(topo: Topology) -> str:
    lines = [f'graph "{topo.name}" {{', "  node [shape=box];"]
    for n in topo.nodes.values():
        lines.append(f'  "{n.name}" [label="{n.name}\\n{n.kind}\\n{n.mgmt_ipv4}"];')
    for lk in topo.links:
        labels = f'taillabel="{lk.a.given}", headlabel="{lk.b.given}"'
        lines.append(f'  "{lk.a.node}" -- "{lk.b.node}" [{labels}];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def graph_mermaid(topo: Topology) -> str:
    """A Mermaid flowchart of the lab (GitHub/GitLab draw it in Markdown): a node per lab node with its
    kind and management address, an edge per link labelled with both ends' interface names."""

    def nid(name: str) -> str:
        return "n_" + "".join(c if c.isalnum() else "_" for c in name)

    lines = ["flowchart TB"]
    lines += [f'  {nid(n.name)}["{n.name}<br/>{n.kind}<br/>{n.mgmt_ipv4}"]' for n in topo.nodes.values()]
    lines += [f'  {nid(lk.a.node)} ---|"{lk.a.given} - {lk.b.given}"| {nid(lk.b.node)}' for lk in topo.links]
    return "\n".join(lines) + "\n"


def graph_text(topo: Topology) -> str:
    lines = []
    for n in topo.nodes.values():
        peers = []
        for lk in topo.links:
            for me, other in ((lk.a, lk.b), (lk.b, lk.a)):
                if me.node == n.name:
                    peers.append(f"{me.given} -> {other.node}:{other.given}")
        lines.append(f"{n.name} ({n.kind}, {n.mgmt_ipv4})")
        lines += [f"  {p}" for p in peers]
    return "\n".join(lines) + "\n"
