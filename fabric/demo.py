"""`make demo`: the whole product on the embedded lab, one step after another, on dc-mixed: a Clos
fabric of six platforms (EOS and IOS-XR spines; FRR, Junos, SR Linux and SR OS leaves), each vendor
a device twin speaking its own management protocols, FRR routing underneath.

Each step runs the `fabric` command an operator would type (shown before it
runs), so the demo doubles as a tour of the CLI. The lab is destroyed at the
end, also on failure or Ctrl-C, unless ``--keep-lab`` is given.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.rule import Rule
from rich.syntax import Syntax

console = Console()
FABRIC = [sys.executable, "-m", "fabric.cli"]
NAME = "dc-mixed"
TOPO = f"containerlab/{NAME}.clab.yml"
ONE_PER_PLATFORM = {  # host: platform, one device of each
    "spine1": "eos", "spine2": "iosxr", "leaf1": "frr", "leaf2": "junos", "leaf3": "srlinux", "leaf4": "sros",
}


class StepFailed(Exception):
    pass


def step(title: str) -> None:
    console.print()
    console.print(Rule(f"[bold cyan]{title}"))


def fabric(*args: str, expect: int | None = 0) -> int:
    """Run `fabric ...`; ``expect`` is the exit code the demo needs (None: any)."""
    console.print(f"[bold]$ fabric {' '.join(shlex.quote(a) for a in args)}[/]")
    rc = subprocess.run([*FABRIC, *args], check=False).returncode
    if expect is not None and rc != expect:
        raise StepFailed(f"`fabric {' '.join(args)}` exited {rc}, expected {expect}")
    return rc


def quiet(*args: str) -> int:
    return subprocess.run([*FABRIC, *args], check=False, capture_output=True).returncode


def contained(report: str, canary: str) -> None:
    """The rollout report shows the bad change rolled back at ``canary`` and no other device touched."""
    states = {d["host"]: d["state"] for d in json.loads(Path(report).read_text())["devices"]}
    others = {s for h, s in states.items() if h != canary}
    if states.get(canary) != "rolled_back" or others - {"untouched"}:
        raise StepFailed(f"the bad change was not contained at the canary {canary}: {states}")
    console.print(f"[green]bad change caught at the canary ({canary}), rolled back; "
                  "no other device touched[/]")


def anta_on_eos() -> None:
    """Arista's own test framework, unmodified, on the EOS twin: the same checks exported as an ANTA
    catalog (`fabric validate --export-anta`), run with `anta nrfu`."""
    from fabric.credentials import credentials_for
    from fabric.design import load_fabric

    fabric("validate", NAME, "--export-anta", "build/anta")
    spine = load_fabric(NAME).devices["spine1"]
    creds = credentials_for(spine.platform, spine.mgmt_ipv4.split("/")[0])
    argv = [str(Path(sys.executable).parent / "anta"), "nrfu", "-i", "build/anta/inventory.yml",
            "-c", "build/anta/catalog.yml", "--disable-cache", "text"]
    console.print(f"[bold]$ anta {' '.join(argv[1:])}[/]  (credentials in ANTA_USERNAME/ANTA_PASSWORD)")
    env = dict(os.environ, ANTA_USERNAME=creds.username, ANTA_PASSWORD=creds.password)
    rc = subprocess.run(argv, env=env, check=False).returncode
    if rc != 0:  # ANTA: 0 every test passed, 3 errored, 4 failed
        raise StepFailed(f"`anta nrfu` exited {rc}: the EOS twin did not pass the exported catalog")


def wait_valid(timeout: float = 90, name: str = NAME) -> None:
    """Poll validation until the fabric is healthy again (protocol timers, not the tool, set the pace)."""
    deadline = time.monotonic() + timeout
    while quiet("validate", name) != 0:
        if time.monotonic() > deadline:
            raise StepFailed(f"{name} did not converge back")
        time.sleep(3)


def main() -> None:
    keep = "--keep-lab" in sys.argv
    os.chdir(Path(__file__).resolve().parent.parent)
    started = time.monotonic()
    step("1. Intent: expand the compact fabric files into per-device intent, inventory, lab topology")
    for name in (NAME, "backbone"):
        fabric("build", name)
    fabric("show", NAME)

    step("2. Golden configs: intent -> structured config -> per-platform templates")
    fabric("render", NAME)  # to build/configs/<fabric>/
    for host, plat in ONE_PER_PLATFORM.items():
        text = Path(f"build/configs/{NAME}/{host}.cfg").read_text().splitlines()
        console.print(f"[bold]{host}[/] ({plat}, {len(text)} lines, first 8):")
        console.print(Syntax("\n".join(text[:8]), "text", line_numbers=False))

    step(f"3. Lab: {NAME} on the embedded lab (FRR in network namespaces, a device twin per vendor)")
    fabric("doctor", "--quiet", "--no-netns")
    # --reconfigure: every node boots from the topology's startup-config, never from what an earlier run
    # left in the lab directory (a twin's saved running-config would make the canary's diff empty).
    fabric("lab", "deploy", "-t", TOPO, "--reconfigure", "--wait-converged")
    fabric("lab", "graph", "-t", TOPO, "-f", "html", "-o", "build/lab.html")
    try:
        run_lab_steps()
    finally:
        if keep:
            console.print(f"[yellow]lab left up (--keep-lab): `fabric lab destroy -t {TOPO}` removes it[/]")
        else:
            step(f"8. Teardown of {NAME}")
            fabric("lab", "destroy", "-t", TOPO, "--cleanup", expect=None)
    console.print("\nHTML pages (self-contained, open them from disk): build/lab.html (the lab), "
                  "build/validate.html (the broken link), build/rollout.html (the bad canary's timeline), "
                  "build/compliance.html")
    console.print(f"[bold green]demo complete in {time.monotonic() - started:.0f} s[/]")


def run_lab_steps() -> None:
    fabric("lab", "inspect", "-t", TOPO)

    step("4. Validation: state collected from every vendor (NAPALM, NETCONF, eAPI, JSON-RPC), checked "
         "against intent; then Arista's ANTA on the EOS spine with the same checks")
    # --wait-converged means sessions are up; LLDP (2 s tx interval here) may need a few more seconds,
    # as on real boxes after a reload.
    wait_valid(60)
    fabric("validate", NAME)
    console.print("[yellow]breaking the leaf1 <-> spine1 link (leaf1 eth1 down)...[/]")
    fabric("lab", "exec", "-t", TOPO, "leaf1", "--", "ip", "link", "set", "eth1", "down")
    time.sleep(3)
    fabric("validate", NAME, "--problems", expect=1)
    fabric("validate", NAME, "-f", "html", "-o", "build/validate.html", "--quiet", expect=1)
    fabric("lab", "exec", "-t", TOPO, "leaf1", "--", "ip", "link", "set", "eth1", "up")
    wait_valid()
    console.print(f"[green]link restored, {NAME} healthy again[/]")
    anta_on_eos()

    step("5. Canary rollout of a good change (BGP policy, a snippet per vendor): canary, then widening waves")
    common = ["--fabric", f"inventory/{NAME}", "--journal", "build/journal.sqlite"]
    fabric("rollout", "run", "tasks/bgp-policy.yaml", *common, "--report", "build/rollout-good.json")

    step("6. Canary rollout of a bad change (wrong peer AS on the canary): rolled back automatically")
    fabric("rollout", "run", "tasks/demo-bad-peer-as.yaml", *common, "--report", "build/rollout-bad.json",
           expect=1)
    contained("build/rollout-bad.json", "leaf1")
    fabric("rollout", "history", "--journal", "build/journal.sqlite", expect=None)
    fabric("rollout", "report", "--journal", "build/journal.sqlite", "-f", "html", "-o", "build/rollout.html")
    # The rolled-back session comes back on BGP's own timers (connect-retry after the NOTIFICATION).
    wait_valid(150)

    step("7. Compliance: running vs golden per feature, drift, remediation")
    comp = ["--db", "build/compliance.sqlite", "--backup-dir", f"build/backups/{NAME}"]
    console.print(
        "[dim]The BGP policy of step 5 was pushed as a snippet and is not in intent yet: "
        "compliance reports it as drift until fabric.yaml carries it.[/]"
    )
    fabric("compliance", "run", NAME, *comp, expect=1)
    console.print("[yellow]introducing drift on leaf1 through its own CLI (vtysh)...[/]")
    fabric("lab", "exec", "-t", TOPO, "leaf1", "--", "vtysh", "-c", "configure terminal",
           "-c", "interface eth1", "-c", "description drifted-by-hand")
    fabric("compliance", "run", NAME, "--hosts", "leaf1", *comp, "--html", "build/compliance.html", expect=1)
    console.print("HTML report: build/compliance.html")
    fabric("compliance", "remediate", NAME, "--push", "--out", "build/remediation")
    fabric("compliance", "run", NAME, *comp)
    fabric("compliance", "history", NAME, "--db", "build/compliance.sqlite", expect=None)


if __name__ == "__main__":
    try:
        main()
    except StepFailed as exc:
        console.print(f"[red]demo failed: {exc}[/]")
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
