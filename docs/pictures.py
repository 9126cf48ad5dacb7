"""Regenerate the README's pictures (docs/img/*.png) from real runs: `make pictures` (root, the embedded lab).

dc1 (EOS twins and FRR) is deployed on the embedded lab, then:
  * lab graph       `fabric lab graph -f html` of containerlab/dc1.clab.yml;
  * validate        leaf3's uplink to spine1 is cut, `fabric validate -f html`, the link is restored;
  * rollout         a change that breaks leaf2's BGP session, rolled out canary-first and rolled back,
                    then `fabric rollout report -f html`;
  * compliance      a rogue prefix-list added on leaf3's CLI, `fabric compliance run -f html`.
Each page is screenshotted by headless Chromium (its own profile, no network). The lab is destroyed after,
also on failure. Refuses to run while dc1 is deployed (it would take that lab down after).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMG = ROOT / "docs" / "img"


def shoot(page: Path, png: Path, width: int, height: int, tmp: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        sys.exit("chromium is missing: make system installs it")
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    "--disable-background-networking", "--disable-component-update", "--no-first-run",
                    f"--user-data-dir={tmp / 'profile'}", f"--window-size={width},{height}",
                    f"--screenshot={png}", page.as_uri()],
                   check=True, capture_output=True, timeout=120)
    print(f"wrote {png.relative_to(ROOT)}")


def main() -> None:
    from fabric.compliance import history, report, run_compliance
    from fabric.credentials import credentials_for
    from fabric.lab import api
    from fabric.lab.artifacts import graph_html
    from fabric.lab.state import registered
    from fabric.lab.topology import load_topology
    from fabric.rollout.drivers import Target, driver_for
    from fabric.rollout.engine import FabricSource, Options, Rollout
    from fabric.rollout.journal import Journal
    from fabric.rollout.playbook import Playbook
    from fabric.rollout.timeline import report_data, to_html
    from fabric.validation import report as vreport
    from fabric.validation.run import validate

    IMG.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="nf-pictures-"))
    try:
        page = tmp / "graph.html"
        page.write_text(graph_html(load_topology(ROOT / "containerlab" / "dc1.clab.yml", warn=False)))
        shoot(page, IMG / "lab-graph.png", 1000, 640, tmp)
        topo = ROOT / "containerlab" / "dc1.clab.yml"
        if any(st.get("topology") == str(topo) for st in registered()):
            sys.exit("dc1 is deployed: `fabric lab destroy -t containerlab/dc1.clab.yml` first")
        # dc1 itself, not a private copy: its startup configs carry dc1's own management addresses,
        # so a fresh lab is compliant in every feature (a copy on another subnet drifts in mgmt).
        state = api.deploy(topo, wait_converged=True, timeout=90)
        try:
            src = FabricSource(str(ROOT / "inventory" / "dc1"), lab_topology=str(topo))
            fab = src.load()
            ns = state["nodes"]["leaf3"]["netns"]
            subprocess.run(["ip", "-n", ns, "link", "set", "eth1", "down"], check=True)
            try:
                for _ in range(30):
                    run = validate(fab)
                    if any(r.device == "leaf3" and r.check == "bgp_session" and r.status == "fail"
                           for r in run.results):
                        break
                    time.sleep(1)
                page = tmp / "validate.html"
                vreport.emit(run.results, "html", page, title="Validation of dc1")
            finally:
                subprocess.run(["ip", "-n", ns, "link", "set", "eth1", "up"], check=True)
            shoot(page, IMG / "validate.png", 1100, 760, tmp)

            time.sleep(5)  # BGP back on leaf3 before the rollout's pre-checks
            bad = {"eos": "router bgp {{ intent.bgp.asn }}\n{% if host == 'leaf2' %}   neighbor "
                          "{{ intent.bgp.neighbors[0].ip }} remote-as 65999\n{% endif %}"
                          "   neighbor {{ intent.bgp.neighbors[0].ip }} description canary-demo\n",
                   "frr": "router bgp {{ intent.bgp.asn }}\n neighbor {{ intent.bgp.neighbors[0].ip }} "
                          "description canary-demo\nexit\n"}
            pb = Playbook.model_validate({
                "name": "bgp-description", "targets": {"roles": ["leaf"]},
                "change": {"type": "merge", "template": bad},
                "waves": {"canary": ["leaf1"], "sizes": [1, "100%"]},
                "gates": {"convergence_wait": 0.5, "convergence_timeout": 8}, "commit_confirm": 60,
                "failure": {"rollback": "all"},
            })
            journal = tmp / "journal.sqlite"
            rep = Rollout(pb, src, Options(journal=str(journal))).run()
            page = tmp / "rollout.html"
            page.write_text(to_html(report_data(Journal(journal), rep["rollout"])))
            shoot(page, IMG / "rollout-timeline.png", 1100, 820, tmp)

            # drift as an operator makes it: on leaf3's own CLI, over SSH
            creds = credentials_for("frr", fab.devices["leaf3"].mgmt_ipv4)
            drv = driver_for(Target("leaf3", fab.devices["leaf3"].mgmt_ipv4.split("/")[0], "frr",
                                    creds.username, creds.password))
            try:
                drv.sh("vtysh -c 'configure terminal' -c 'ip prefix-list ROGUE seq 5 permit 192.0.2.0/24'")
            finally:
                drv.close()
            db = tmp / "compliance.sqlite"
            crep = run_compliance(fab.file, fab=fab, db=db)
            page = tmp / "compliance.html"
            page.write_text(report.to_html(crep.fabric, crep.results, crep.remediations,
                                           history.runs(db, crep.fabric), crep.finished))
            shoot(page, IMG / "compliance.png", 1100, 760, tmp)
        finally:
            api.destroy(topo)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
