"""`make demo`: the whole product on the embedded lab, one step after another (dc1 with EOS twins and
FRR, then the Junos and SR Linux twin labs).

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
TOPO = "containerlab/dc1.clab.yml"
ONE_PER_PLATFORM = {  # fabric, host: one device of each platform
    ("dc1", "spine1"): "eos",
    ("dc1", "leaf3"): "frr",
    ("backbone", "rr1"): "iosxr",
    ("backbone", "rr2"): "junos",
    ("backbone", "pe2"): "srlinux",
    ("backbone", "p1"): "sros",
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


def wait_valid(timeout: float = 90, name: str = "dc1") -> None:
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
    for name in ("dc1", "backbone", "dc-large"):
        fabric("build", name, *(["--lab-platform", "frr"] if name != "backbone" else []))
    fabric("show", "dc1")
    fabric("show", "backbone")

    step("2. Golden configs: intent -> structured config -> per-platform templates")
    fabric("render", "dc1", "--out", "build/configs/dc1")
    fabric("render", "backbone", "--out", "build/configs/backbone")
    for (fab, host), plat in ONE_PER_PLATFORM.items():
        text = Path(f"build/configs/{fab}/{host}.cfg").read_text().splitlines()
        console.print(f"[bold]{fab}/{host}[/] ({plat}, {len(text)} lines, first 14):")
        console.print(Syntax("\n".join(text[:14]), "text", line_numbers=False))

    step("3. Lab: dc1 on the embedded lab (FRR in network namespaces, EOS device twins)")
    fabric("doctor", "--quiet", "--no-netns")
    # --reconfigure: every node boots from the topology's startup-config, never from what an earlier run
    # left in the lab directory (a twin's saved running-config would make the canary's diff empty).
    fabric("lab", "deploy", "-t", TOPO, "--reconfigure", "--wait-converged")
    try:
        run_lab_steps()
    finally:
        if keep:
            console.print(f"[yellow]lab left up (--keep-lab): `fabric lab destroy -t {TOPO}` removes it[/]")
        else:
            step("8. Teardown of dc1")
            fabric("lab", "destroy", "-t", TOPO, "--cleanup", expect=None)
    for n, (name, canary, what) in enumerate(MULTIVENDOR, start=9):
        run_vendor_lab(n, name, canary, what, keep)
    console.print(f"\n[bold green]demo complete in {time.monotonic() - started:.0f} s[/]")


# Labs whose leaves are device twins of other vendors: the same commands, the vendors' own protocols.
MULTIVENDOR = (
    ("junos-dc", "vr1", "Juniper Junos twins (NETCONF, Junos CLI) under an FRR spine"),
    ("srl-dc", "srl1", "Nokia SR Linux twins (JSON-RPC, SR Linux CLI) under an FRR spine"),
    ("sros-core", "pe1", "Nokia SR OS twins (NETCONF, MD-CLI): IS-IS core, iBGP via an SR OS reflector"),
)


def run_vendor_lab(n: int, name: str, canary: str, what: str, keep: bool) -> None:
    """Deploy, validate, and contain the same bad change at this lab's canary, then tear down."""
    topo = f"containerlab/{name}.clab.yml"
    step(f"{n}. {name}: {what}")
    fabric("lab", "deploy", "-t", topo, "--reconfigure", "--wait-converged")
    try:
        # --wait-converged: the IGP is up; an iBGP session over it may still be opening (as after a reload)
        wait_valid(90, name)
        fabric("validate", name)
        report = f"build/rollout-bad-{name}.json"
        fabric("rollout", "run", "tasks/demo-bad-peer-as.yaml", "--fabric", f"inventory/{name}",
               "--journal", f"build/journal-{name}.sqlite", "--report", report, expect=1)
        contained(report, canary)
    finally:
        if keep:
            console.print(f"[yellow]lab left up (--keep-lab): `fabric lab destroy -t {topo}` removes it[/]")
        else:
            fabric("lab", "destroy", "-t", topo, "--cleanup", expect=None)


def run_lab_steps() -> None:
    fabric("lab", "inspect", "-t", TOPO)

    step("4. Validation: state collected from the lab, checked against intent")
    # --wait-converged means sessions are up; LLDP (2 s tx interval here) and the twins' LLDP identity
    # may need a few more seconds, as on real boxes after a reload.
    wait_valid(60)
    fabric("validate", "dc1")
    console.print("[yellow]breaking the leaf3 <-> spine1 link (leaf3 eth1 down)...[/]")
    fabric("lab", "exec", "-t", TOPO, "leaf3", "--", "ip", "link", "set", "eth1", "down")
    time.sleep(3)
    fabric("validate", "dc1", "--problems", expect=1)
    fabric("lab", "exec", "-t", TOPO, "leaf3", "--", "ip", "link", "set", "eth1", "up")
    wait_valid()
    console.print("[green]link restored, dc1 healthy again[/]")

    step("5. Canary rollout of a good change (BGP policy): canary, then widening waves")
    common = ["--fabric", "inventory/dc1", "--journal", "build/journal.sqlite"]
    fabric("rollout", "run", "tasks/bgp-policy.yaml", *common, "--report", "build/rollout-good.json")

    step("6. Canary rollout of a bad change (wrong peer AS on the canary): rolled back automatically")
    fabric(
        "rollout",
        "run",
        "tasks/demo-bad-peer-as.yaml",
        *common,
        "--report",
        "build/rollout-bad.json",
        expect=1,
    )
    contained("build/rollout-bad.json", "leaf1")
    fabric("rollout", "history", "--journal", "build/journal.sqlite", expect=None)
    # The rolled-back session comes back on BGP's own timers: after the peer-AS NOTIFICATION a side may
    # sit out FRR's connect-retry (120 s with `frr defaults traditional`) before it connects again.
    wait_valid(150)

    step("7. Compliance: running vs golden per feature, drift, remediation")
    comp = ["--db", "build/compliance.sqlite", "--backup-dir", "build/backups/dc1"]
    console.print(
        "[dim]The BGP policy of step 5 was pushed as a snippet and is not in intent yet: "
        "compliance reports it as drift until fabric.yaml carries it.[/]"
    )
    fabric("compliance", "run", "dc1", *comp, expect=1)
    console.print("[yellow]introducing drift on leaf3 through its own CLI (vtysh)...[/]")
    fabric(
        "lab",
        "exec",
        "-t",
        TOPO,
        "leaf3",
        "--",
        "vtysh",
        "-c",
        "configure terminal",
        "-c",
        "router bgp 65103",
        "-c",
        "neighbor SPINES description drifted-by-hand",
    )
    fabric("compliance", "run", "dc1", "--hosts", "leaf3", *comp, "--html", "build/compliance.html", expect=1)
    console.print("HTML report: build/compliance.html")
    fabric("compliance", "remediate", "dc1", "--push", "--out", "build/remediation")
    fabric("compliance", "run", "dc1", *comp)
    fabric("compliance", "history", "dc1", "--db", "build/compliance.sqlite", expect=None)


if __name__ == "__main__":
    try:
        main()
    except StepFailed as exc:
        console.print(f"[red]demo failed: {exc}[/]")
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
