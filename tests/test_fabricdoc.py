"""`fabric show --format ...`: fabric documentation from intent (devices, links, ASNs, topology)."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from fabric import fabricdoc, output
from fabric.cli import app
from fabric.design import load_fabric
from fabric.errors import ExitCode

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", ["dc1", "backbone", "dc-mixed"])
def test_every_device_and_link_is_documented(name: str) -> None:
    fab = load_fabric(ROOT / "inventory" / name)
    md = fabricdoc.to_markdown(fab)
    for n, d in fab.devices.items():
        assert f"| {n} | {d.role} | {d.platform} | {d.mgmt_ipv4} | {d.loopback0} |" in md
    for lk in fab.links:
        assert f"| {lk.a.node} | {lk.a.interface} | {lk.a.ipv4} | {lk.b.node} | {lk.b.interface} |" in md
    assert "```mermaid\nflowchart TB\n" in md and md.rstrip().endswith("```")
    data = json.loads(output.render(fabricdoc.as_data(fab), "json"))
    assert data == yaml.safe_load(output.render(fabricdoc.as_data(fab), "yaml"))
    assert {d["device"] for d in data["devices"]} == set(fab.devices) and len(data["links"]) == len(fab.links)
    rows = list(csv.DictReader(io.StringIO(output.render(None, "csv", rows=fabricdoc.devices(fab)))))
    assert [r["device"] for r in rows] == list(fab.devices)
    assert all(r["asn"] == str(fab.devices[r["device"]].asn or "") for r in rows)


def test_mermaid_diagram_has_each_device_once_and_each_link_as_an_edge() -> None:
    fab = load_fabric(ROOT / "inventory" / "dc1")
    text = fabricdoc.to_mermaid(fab)
    nodes = re.findall(r'^\s+(n_\w+)\["', text, re.M)
    edges = re.findall(r"^\s+(n_\w+) ---\|\"[^\"]+\"\| (n_\w+)$", text, re.M)
    assert sorted(nodes) == sorted(f"n_{n}" for n in fab.devices)
    assert sorted(edges) == sorted((f"n_{lk.a.node}", f"n_{lk.b.node}") for lk in fab.links)
    # spines are drawn above leaves
    assert text.index("subgraph spine") < text.index("subgraph leaf")


def test_cli_formats_and_output(tmp_path: Path) -> None:
    dc1 = str(ROOT / "inventory" / "dc1")
    runner = CliRunner()
    r = runner.invoke(app, ["show", dc1, "-f", "markdown", "-o", str(tmp_path / "dc1.md")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "dc1.md").read_text().startswith("# Fabric dc1\n")
    r = runner.invoke(app, ["show", dc1, "--format", "json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["fabric"] == "dc1"
    p = subprocess.run([sys.executable, "-m", "fabric.cli", "show", dc1, "-f", "svg"], capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == ExitCode.USAGE, p.stderr
    # the table honours -o too (plain text, never silently dropped)
    r = runner.invoke(app, ["show", dc1, "-o", str(tmp_path / "dc1.txt")])
    text = (tmp_path / "dc1.txt").read_text()
    assert r.exit_code == 0 and "spine1" in text and "links: 8" in text and "\x1b[" not in text


def test_the_committed_example_is_current() -> None:
    committed = (ROOT / "docs" / "fabric-dc1.md").read_text()
    assert committed == fabricdoc.to_markdown(load_fabric(ROOT / "inventory" / "dc1")), (
        "docs/fabric-dc1.md is stale: fabric show dc1 -f markdown -o docs/fabric-dc1.md")
    # the README's picture too
    mermaid = fabricdoc.to_mermaid(load_fabric(ROOT / "inventory" / "dc1"))
    assert f"```mermaid\n{mermaid}```" in (ROOT / "README.md").read_text(), "README's dc1 diagram is stale"


def test_lab_graph_mermaid(tmp_path: Path) -> None:
    from fabric.lab.artifacts import graph_mermaid
    from fabric.lab.topology import load_topology

    topo = load_topology(ROOT / "containerlab" / "dc-mixed.clab.yml", warn=False)
    text = graph_mermaid(topo)
    assert text.startswith("flowchart TB\n")
    nodes = re.findall(r'^\s+(n_\w+)\["', text, re.M)
    edges = re.findall(r"^\s+(n_\w+) ---\|\"[^\"]+\"\| (n_\w+)$", text, re.M)
    assert sorted(nodes) == sorted("n_" + n.replace("-", "_") for n in topo.nodes)
    assert len(edges) == len(topo.links)
    out = tmp_path / "lab.mmd"
    p = subprocess.run([sys.executable, "-m", "fabric.cli", "lab", "graph", "-t",
                        str(ROOT / "containerlab" / "dc-mixed.clab.yml"), "-f", "mermaid", "-o", str(out)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and out.read_text() == text, p.stderr
    p = subprocess.run([sys.executable, "-m", "fabric.cli", "lab", "graph", "-t",
                        str(ROOT / "containerlab" / "dc-mixed.clab.yml"), "-f", "svg"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == ExitCode.USAGE


def test_lab_graph_html_in_headless_chromium(tmp_path: Path) -> None:
    """`lab graph -f html`: one self-contained page (no request leaves the file, no console error), spines
    drawn above leaves, and a click on a node lists its links with both interface names."""
    from _browser import Page

    out = tmp_path / "lab.html"
    p = subprocess.run([sys.executable, "-m", "fabric.cli", "lab", "graph", "-t",
                        str(ROOT / "containerlab" / "dc-mixed.clab.yml"), "-f", "html", "-o", str(out)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    with Page() as page:
        page.open(out)
        assert page.errors() == [] and page.outside_requests() == []
        nodes = page.js("Object.fromEntries([...document.querySelectorAll('.node')].map(g => "
                        "[g.dataset.node, +g.querySelector('rect').getAttribute('y')]))")
        assert sorted(nodes) == ["leaf1", "leaf2", "leaf3", "leaf4", "spine1", "spine2"]
        assert max(nodes["spine1"], nodes["spine2"]) < min(nodes[f"leaf{i}"] for i in range(1, 5))
        assert page.js("document.querySelectorAll('line.link').length") == 8
        page.js("document.querySelector(\".node[data-node='spine2']\").dispatchEvent("
                "new MouseEvent('click', {bubbles: true}))")
        assert page.js("document.querySelector('#panel h3').textContent") == "spine2"
        rows = page.js("[...document.querySelectorAll('#panel table.links tr')].slice(1)"
                       ".map(r => [...r.cells].map(c => c.textContent))")
        assert sorted(r[1] for r in rows) == ["leaf1", "leaf2", "leaf3", "leaf4"], rows
        assert all(r[0] and r[2] for r in rows)  # both interface names
        assert page.js("document.querySelectorAll('line.link.hi').length") == 4
        assert page.js("document.querySelector(\".node[data-node='spine1']\").classList.contains('dim')")
        page.js("document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape'}))")
        assert page.js("document.querySelectorAll('.hi, .dim, .sel').length") == 0
        page.js("const f = document.getElementById('find'); f.value = 'leaf3';"
                "f.dispatchEvent(new Event('input'))")
        assert page.js("document.querySelector('.node.sel').dataset.node") == "leaf3"
        assert page.errors() == []


def test_readme_shows_one_picture_of_each_kind() -> None:
    """The README shows the fabric diagram (checked current above) and a screenshot of each HTML page,
    which `make pictures` (docs/pictures.py) regenerates from real runs."""
    readme = (ROOT / "README.md").read_text()
    shots = re.findall(r"!\[[^\]]+\]\((docs/img/[\w-]+\.png)\)", readme)
    assert sorted(shots) == ["docs/img/compliance.png", "docs/img/lab-graph.png",
                             "docs/img/rollout-timeline.png", "docs/img/validate.png"]
    for shot in shots:
        assert (ROOT / shot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", shot
        assert f"\"{Path(shot).name}\"" in (ROOT / "docs" / "pictures.py").read_text()
    assert "pictures:" in (ROOT / "Makefile").read_text()
