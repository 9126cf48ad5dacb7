"""The HTML pages operators open (validate's device x check matrix, a rollout's timeline) built from a real
lab run and loaded in headless Chromium: no console error, no request leaves the file, the expected
elements are there, and the drill-down works when clicked. A private dc1-frr lab; fails under CI=true
without the lab or Chromium."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from _browser import Page
from _twinbed import wait_for
from jsonschema import Draft202012Validator

from fabric.rollout.engine import FabricSource, Options, Rollout
from fabric.rollout.playbook import Playbook
from fabric.rollout.scenario import PrivateLab
from tests.conftest import lab_copy

pytestmark = pytest.mark.lab
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateLab]:
    with lab_copy(tmp_path_factory, "dc1-frr") as lb:
        yield lb


def fabric(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "fabric.cli", *argv], capture_output=True, text=True,
                          timeout=180)


def assert_clean(page: Page) -> None:
    assert page.errors() == [], page.errors()
    assert page.outside_requests() == [], page.outside_requests()


def test_validate_html_matrix(lab: PrivateLab, tmp_path: Path) -> None:
    """leaf3 loses its uplink to spine1: the matrix shows leaf3's and spine1's BGP cells failed, a click
    lists the failed session with its reason, and 'only problems' hides the clean devices."""
    from fabric.validation import report
    from fabric.validation.run import validate

    fab = FabricSource(str(ROOT / "inventory" / "dc1"), platform_override="frr",
                       lab_topology=str(lab.path)).load()
    ns = lab.netns("leaf3")
    out = tmp_path / "validate.html"
    subprocess.run(["ip", "-n", ns, "link", "set", "eth1", "down"], check=True)
    try:
        def failing() -> bool:
            run = validate(fab)
            report.emit(run.results, "html", out, title="Validation of dc1")
            return any(r.device == "leaf3" and r.check == "bgp_session" and r.status == "fail"
                       for r in run.results)

        wait_for("validate to fail on leaf3's broken uplink", failing, timeout=30, every=1)
    finally:
        subprocess.run(["ip", "-n", ns, "link", "set", "eth1", "up"], check=True)
    with Page() as page:
        page.open(out)
        assert_clean(page)
        assert page.js("document.querySelector('.sum').textContent").endswith("(FAIL)")
        rows = page.js("[...document.querySelectorAll('#matrix tr.dev th')].map(t => t.textContent)")
        assert rows == ["leaf1", "leaf2", "leaf3", "leaf4", "spine1", "spine2"]
        cells = page.js("Object.fromEntries([...document.querySelectorAll('#matrix td.cell')]"
                        ".map(td => [td.dataset.device + '/' + td.dataset.check, td.className]))")
        # the page opens on the first failed cell (leaf3's interfaces): it is selected
        assert cells["leaf3/interface"] == "cell fail sel", cells
        assert cells["leaf3/bgp_session"] == "cell fail", cells
        assert cells["spine1/bgp_session"] == "cell fail" and cells["leaf1/bgp_session"] == "cell pass", cells
        cell = "#matrix td.cell[data-device='leaf3'][data-check='bgp_session']"
        # the drill-down: click leaf3's BGP cell, the panel lists its sessions, one failed
        page.js(f"document.querySelector(\"{cell}\").click()")
        items = page.js("[...document.querySelectorAll('#panel table.items tr.fail')]"
                        ".map(r => r.textContent)")
        assert len(items) == 1 and "10.1.0.16" in items[0], items
        assert page.js("document.querySelector('#panel h3').textContent") == "leaf3: bgp_session"
        # only problems: leaf1, leaf2, leaf4, spine2 stay clean (a leaf's uplink to spine1 only)
        page.js("const c=document.getElementById('problems'); c.checked=true;"
                "c.dispatchEvent(new Event('change'))")
        shown = page.js("[...document.querySelectorAll('#matrix tr.dev')]"
                        ".filter(r => r.style.display !== 'none').map(r => r.cells[0].textContent)")
        assert shown == ["leaf3", "spine1"]
        assert_clean(page)


BAD = ("route-map FABRIC-IMPORT permit 10\n set local-preference 140\nexit\n"
       "router bgp {{ intent.bgp.asn }}\n{% if host == 'leaf2' %} neighbor {{ intent.bgp.neighbors[0].ip }} "
       "remote-as 65999\n{% endif %}exit\n")


def test_rollout_report_timeline(lab: PrivateLab, tmp_path: Path) -> None:
    """A good canary (leaf1), then a bad change on leaf2 in wave 2: the timeline shows three waves, the
    failed gate, every device rolled back, and a click on a device shows its gate checks."""
    journal = tmp_path / "journal.sqlite"
    pb = Playbook.model_validate({
        "name": "bad-on-leaf2", "targets": {"roles": ["leaf"]},
        "change": {"type": "merge", "template": BAD},
        "waves": {"canary": ["leaf1"], "sizes": [1, "100%"]},
        "gates": {"convergence_wait": 0.5, "convergence_timeout": 6}, "commit_confirm": 30,
        "failure": {"rollback": "all"},
    })
    # the plan first, as an operator would, in the machine formats (it reads devices, changes nothing)
    pb_file = tmp_path / "bad-on-leaf2.yaml"
    pb_file.write_text(yaml.safe_dump(pb.model_dump(mode="json", exclude={"file"})))
    lab_args = ["-F", str(ROOT / "inventory" / "dc1"), "--lab", str(lab.path), "--lab-platform", "frr",
                "--journal", str(journal)]
    p = fabric("rollout", "plan", str(pb_file), *lab_args, "-f", "csv")
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines() == ["wave,device,changed,diff_lines", "0,leaf1,True,1", "1,leaf2,True,2",
                                     "2,leaf3,True,1", "2,leaf4,True,1"], p.stdout
    plan_yaml = tmp_path / "plan.yaml"
    p = fabric("rollout", "plan", str(pb_file), *lab_args, "-f", "yaml", "-o", str(plan_yaml))
    assert p.returncode == 0 and yaml.safe_load(plan_yaml.read_text())["waves"] == [
        ["leaf1"], ["leaf2"], ["leaf3", "leaf4"]], p.stderr

    src = FabricSource(str(ROOT / "inventory" / "dc1"), platform_override="frr", lab_topology=str(lab.path))
    rep = Rollout(pb, src, Options(journal=str(journal))).run()
    assert rep["outcome"] == "rolled_back"
    rid = rep["rollout"]

    p = fabric("rollout", "report", rid, "--journal", str(journal), "-f", "json")
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    schema = json.loads((ROOT / "docs" / "schemas" / "rollout-report.schema.json").read_text())
    errors = [e.message for e in Draft202012Validator(schema).iter_errors(data)]
    assert errors == []
    broken = dict(data, devices=[{k: v for k, v in d.items() if k != "phases"} for d in data["devices"]])
    assert not Draft202012Validator(schema).is_valid(broken)  # the schema can fail
    assert [w["result"] for w in data["waves"]] == ["passed", "failed"]
    assert {d["host"]: d["state"] for d in data["devices"]} == {
        "leaf1": "rolled_back", "leaf2": "rolled_back", "leaf3": "untouched", "leaf4": "untouched"}
    assert "password" not in p.stdout.lower() and "secret" not in p.stdout.lower()
    p = fabric("rollout", "report", rid, "--journal", str(journal), "-f", "csv")
    assert p.returncode == 0 and p.stdout.splitlines()[0].startswith("wave,device,platform,final_state,gate")

    out = tmp_path / "timeline.html"
    p = fabric("rollout", "report", rid, "--journal", str(journal), "-f", "html", "-o", str(out))
    assert p.returncode == 0, p.stderr
    with Page() as page:
        page.open(out)
        assert_clean(page)
        assert page.js("document.getElementById('outcome').textContent") == "rolled_back"
        assert page.js("[...document.querySelectorAll('svg .row')].map(r => r.dataset.host)") == [
            "leaf1", "leaf2", "leaf3", "leaf4"]
        assert page.js("document.querySelectorAll('rect.wave-failed').length") == 1
        assert page.js("document.querySelectorAll('rect.wave-passed').length") == 1
        # leaf1: confirmed, then rolled back with the failed wave; leaf2: its gate failed
        leaf1 = page.js("[...document.querySelectorAll(\"svg .row[data-host='leaf1'] rect.phase\")]"
                        ".map(r => r.getAttribute('class'))")
        assert "phase st-confirmed" in leaf1 and leaf1[-1] == "phase st-rolled_back", leaf1
        assert page.js("document.querySelectorAll(\"svg .row[data-host='leaf2'] .gate-fail\").length") == 1
        assert page.js("[...document.querySelectorAll(\"svg .row[data-host='leaf3'] rect.phase\")]"
                       ".map(r => r.getAttribute('class'))") == ["phase st-untouched"]  # never changed
        # opened on the failed device; a click on leaf1 shows leaf1's passed gate
        assert page.js("document.querySelector('#panel h3').textContent").startswith("leaf2 (wave 1)")
        assert "FAIL" in page.js("document.querySelector('#panel table.gate').textContent")
        page.js("document.querySelector(\"svg .row[data-host='leaf1']\").dispatchEvent("
                "new MouseEvent('click', {bubbles: true}))")
        assert page.js("document.querySelector('#panel h3').textContent").startswith("leaf1 (wave 0)")
        assert "FAIL" not in page.js("document.querySelector('#panel table.gate').textContent")
        assert_clean(page)
