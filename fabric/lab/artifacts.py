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


def _layers(topo: Topology) -> list[list[str]]:
    """Rows of the drawing, top to bottom. containerlab's ``graph-level`` label wins; otherwise nodes are
    grouped by name without its number (spine1, spine2 -> spine) and the groups with more links per node
    go higher, which puts a Clos's spines above its leaves, and single-homed hosts at the bottom."""
    import re

    degree = dict.fromkeys(topo.nodes, 0)
    for lk in topo.links:
        degree[lk.a.node] += 1
        degree[lk.b.node] += 1

    def natural(name: str) -> list[Any]:
        return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]

    group = {n: node.group or re.sub(r"[\d_-]+$", "", n) or n for n, node in topo.nodes.items()}
    links: dict[str, list[int]] = {}  # group -> its members' link counts
    for n, g in group.items():
        links.setdefault(g, []).append(degree[n])

    def key(n: str) -> tuple[int, float, str]:
        level = str(topo.nodes[n].labels.get("graph-level", ""))
        if level.lstrip("-").isdigit():
            return (int(level), 0.0, "")
        g = group[n]
        return (0, -sum(links[g]) / len(links[g]), g)

    rows: dict[tuple[int, float, str], list[str]] = {}
    for n in topo.nodes:
        rows.setdefault(key(n), []).append(n)
    return [sorted(rows[k], key=natural) for k in sorted(rows)]


_GRAPH_CSS = """
svg{border:1px solid #ddd;background:#fff;max-width:100%;height:auto}
.node rect{fill:#eef3fb;stroke:#4a6fa5;stroke-width:1.5;cursor:pointer}
.node text{font-size:12px;pointer-events:none}
.node.sel rect{fill:#ffe9a8;stroke:#b07d00;stroke-width:2.5}.node.dim{opacity:.35}
.link{stroke:#888;stroke-width:1.5}.link.hi{stroke:#b07d00;stroke-width:3}.link.dim{opacity:.2}
.ifl{font-size:10px;fill:#555;display:none}.ifl.hi{display:inline}
"""

# Click a node (or type its name): its links are highlighted with both ends' interface names, the panel
# lists kind, management address and every link. Escape or a click on the background clears it.
_GRAPH_JS = """
const panel=document.getElementById('panel');
function clear(){document.querySelectorAll('.sel,.hi,.dim').forEach(e=>e.classList.remove('sel','hi','dim'));
  panel.innerHTML='<span class="muted">click a node</span>';}
function pick(name){
  const n=DATA.nodes[name]; if(!n){return false;}
  clear();
  document.querySelectorAll('.node').forEach(g=>{g.classList.add(g.dataset.node===name?'sel':'dim');});
  let rows='';
  DATA.links.forEach((l,i)=>{
    const mine=l.a===name||l.b===name;
    document.querySelectorAll('[data-link="'+i+'"]').forEach(e=>e.classList.add(mine?'hi':'dim'));
    if(mine){const me=l.a===name?l.ai:l.bi, peer=l.a===name?l.b:l.a, pi=l.a===name?l.bi:l.ai;
      rows+='<tr><td>'+esc(me)+'</td><td>'+esc(peer)+'</td><td>'+esc(pi)+'</td></tr>';
      document.querySelector('.node[data-node="'+CSS.escape(peer)+'"]').classList.remove('dim');}
  });
  panel.innerHTML='<h3>'+esc(name)+'</h3><p>kind '+esc(n.kind)+', management '+esc(n.mgmt)+'</p>'+
    '<table class="links"><tr><th>interface</th><th>peer</th><th>peer interface</th></tr>'+rows+'</table>';
  return true;
}
document.querySelectorAll('.node').forEach(g=>g.addEventListener('click',ev=>{ev.stopPropagation();
  pick(g.dataset.node);}));
document.querySelector('svg').addEventListener('click',clear);
document.getElementById('find').addEventListener('input',e=>{if(!pick(e.target.value.trim())){clear();}});
document.addEventListener('keydown',e=>{if(e.key==='Escape'){clear();}});
clear();
"""


def graph_html(topo: Topology) -> str:
    """The lab as one self-contained page: an SVG drawing in layers (spines over leaves over hosts),
    a click on a node shows its links with both interface names."""
    from html import escape

    from fabric.htmlpage import page

    layers = _layers(topo)
    w_node, h_node, gap_x, gap_y, margin = 150, 44, 30, 110, 30
    width = max(len(r) for r in layers) * (w_node + gap_x) + 2 * margin if layers else 200
    height = len(layers) * (h_node + gap_y) - gap_y + 2 * margin if layers else 100
    pos: dict[str, tuple[float, float]] = {}
    for i, row in enumerate(layers):
        span = len(row) * (w_node + gap_x) - gap_x
        x0 = (width - span) / 2
        for j, name in enumerate(row):
            pos[name] = (x0 + j * (w_node + gap_x) + w_node / 2, margin + i * (h_node + gap_y) + h_node / 2)
    svg = [f"<svg id='graph' xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width:.0f} {height:.0f}' "
           f"width='{width:.0f}' height='{height:.0f}'>"]
    for i, lk in enumerate(topo.links):
        (x1, y1), (x2, y2) = pos[lk.a.node], pos[lk.b.node]
        ends = f"{escape(lk.a.node)}:{escape(lk.a.given)} - {escape(lk.b.node)}:{escape(lk.b.given)}"
        svg.append(f"<line class='link' data-link='{i}' x1='{x1:.0f}' y1='{y1:.0f}' x2='{x2:.0f}' "
                   f"y2='{y2:.0f}'><title>{ends}</title></line>")
        for (xa, ya), (xb, yb), label in (((x1, y1), (x2, y2), lk.a.given), ((x2, y2), (x1, y1), lk.b.given)):
            lx, ly = xa + (xb - xa) * 0.28, ya + (yb - ya) * 0.28
            svg.append(f"<text class='ifl' data-link='{i}' x='{lx:.0f}' y='{ly:.0f}'>{escape(label)}</text>")
    for name, (x, y) in pos.items():
        node = topo.nodes[name]
        svg.append(
            f"<g class='node' data-node='{escape(name)}'><rect x='{x - w_node / 2:.0f}' "
            f"y='{y - h_node / 2:.0f}' width='{w_node}' height='{h_node}' rx='6'/>"
            f"<text x='{x:.0f}' y='{y - 3:.0f}' text-anchor='middle' font-weight='bold'>{escape(name)}</text>"
            f"<text x='{x:.0f}' y='{y + 13:.0f}' text-anchor='middle'>{escape(node.kind)}</text></g>"
        )
    svg.append("</svg>")
    body = (
        f"<h1>Lab {escape(topo.name)}</h1>"
        f"<p class='sum'>{len(topo.nodes)} nodes, {len(topo.links)} links, management {topo.mgmt_subnet}</p>"
        "<label>node <input id='find' placeholder='name'></label> "
        "<span class='muted'>(click a node for its links; Escape clears)</span>"
        + "<div>" + "".join(svg) + "</div><div id='panel'></div>"
    )
    data = {
        "nodes": {n.name: {"kind": n.kind, "mgmt": n.mgmt_ipv4} for n in topo.nodes.values()},
        "links": [{"a": lk.a.node, "ai": lk.a.given, "b": lk.b.node, "bi": lk.b.given} for lk in topo.links],
    }
    return page(f"netfabric lab: {topo.name}", body, css=_GRAPH_CSS, js=_GRAPH_JS, data=data)
