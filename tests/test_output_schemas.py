"""Machine formats (docs/formats.md): each reporting command's JSON output, from a real run, is
checked against its JSON Schema in docs/schemas/.

Two sources, both real runs of the CLI (typer's CliRunner on fabric.cli.app, in process):
  * offline: `show` on every fabric in inventory/, and a fabric whose devices are on 127.77.0.x. Nothing
    listens there, so connections are refused at once, as in tests/test_exit_codes.py. That covers the
    could-not-check side: error results, unreachable devices, null fields.
  * lab (root, the embedded lab; CI=true fails without it): a private all-FRR fabric (1 spine, 2 leaves,
    its own name and management subnet), deployed from its generated topology, and destroyed after.
    There the commands see real state: validate, snapshot, diff, compliance run with drift, rollout
    plan/run/status/history (including the status of a rollout in flight), and lab inspect.

Each check can fail: a document without one of its required keys, or with a key it does not declare,
must be rejected.
"""

from __future__ import annotations

import functools
import json
import re
import secrets
import socket
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from _deadnet import dead_fabric
from _twinbed import wait_for
from jsonschema import Draft202012Validator, FormatChecker
from typer.testing import CliRunner

from fabric.cli import app
from tests.conftest import require_lab

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "docs" / "schemas"
FORMATS_MD = ROOT / "docs" / "formats.md"
runner = CliRunner()

FORMAT_CHECKER = FormatChecker()


@FORMAT_CHECKER.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    """RFC 3339 (jsonschema only checks it with an optional package): ISO 8601 with a UTC offset."""
    if not isinstance(value, str):
        return True
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} has no UTC offset")
    return True


def schema(name: str) -> dict[str, Any]:
    return dict(json.loads((SCHEMAS / f"{name}.schema.json").read_text()))


def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(schema(name), format_checker=FORMAT_CHECKER)


def check(name: str, doc: Any) -> None:
    """``doc`` conforms to docs/schemas/<name>.schema.json, and the schema rejects a mutilated copy."""
    errors = sorted(validator(name).iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, f"{name}: output does not match its schema:\n" + "\n".join(
        f"  at /{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in errors[:10])
    # The schema must be able to fail: the same document without a required key, or with an unknown
    # one, is rejected.
    target = doc[0] if isinstance(doc, list) else doc
    assert isinstance(target, dict) and target, f"{name}: nothing to check (empty output)"
    required = (schema(name)["items"] if isinstance(doc, list) else schema(name))["required"]
    for key in required:
        broken = json.loads(json.dumps(doc))
        (broken[0] if isinstance(doc, list) else broken).pop(key)
        assert not validator(name).is_valid(broken), f"{name}: accepted without '{key}'"
    broken = json.loads(json.dumps(doc))
    (broken[0] if isinstance(doc, list) else broken)["not_in_the_contract"] = 1
    assert not validator(name).is_valid(broken), f"{name}: accepted an undeclared key"


def cli(*args: object, out: Path | None = None) -> tuple[int, str]:
    """Run `fabric <args>` in process; (exit code, output). A traceback is never an exit code."""
    r = runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        raise AssertionError(f"fabric {' '.join(map(str, args))} raised:\n{r.output}") from r.exception
    if out is not None:
        what = f"fabric {' '.join(map(str, args))}"
        assert out.exists(), f"{what} wrote no {out} (exit {r.exit_code}):\n{r.output}"
    return r.exit_code, r.output


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text()) if path.suffix == ".yaml" else json.loads(path.read_text())


# ------------------------------------------------------------------------------ the schema files


def _schema_files() -> list[Path]:
    return sorted(SCHEMAS.glob("*.schema.json"))


def _undescribed(node: Any, path: str = "") -> list[str]:
    """Every property (and every item/value schema) without a description."""
    out: list[str] = []
    if isinstance(node, dict):
        for key, sub in (node.get("properties") or {}).items():
            if not (isinstance(sub, dict) and sub.get("description")):
                out.append(f"{path}/properties/{key}")
        for key in ("items", "additionalProperties"):
            sub = node.get(key)
            if isinstance(sub, dict) and not sub.get("description"):
                out.append(f"{path}/{key}")
        if "properties" in node and "required" not in node:
            out.append(f"{path}: object without 'required'")
        for key, sub in node.items():
            out += _undescribed(sub, f"{path}/{key}")
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            out += _undescribed(sub, f"{path}/{i}")
    return out


@pytest.mark.parametrize("path", _schema_files(), ids=lambda p: p.name)
def test_schema_is_a_documented_draft_2020_12_schema(path: Path) -> None:
    s = json.loads(path.read_text())
    Draft202012Validator.check_schema(s)
    assert s["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert s["$id"] == path.name  # relative: resolves next to wherever the schemas are published
    assert s["title"].startswith("fabric ") and s["description"]
    assert s["type"] in ("object", "array")
    assert not _undescribed(s), _undescribed(s)


def test_formats_md_links_every_schema_and_every_command_has_one() -> None:
    """Each row of docs/formats.md links the schema named after its command (`fabric rollout plan`:
    rollout-plan.schema.json), the files exist, and no schema is left unlisted."""
    rows = re.findall(r"^\| `fabric ([a-z ]+)` \|.*\]\(schemas/([a-z-]+\.schema\.json)\) \|$",
                      FORMATS_MD.read_text(), re.M)
    assert len(rows) >= 10, rows
    for command, file in rows:
        assert file == "-".join(command.split()) + ".schema.json", (command, file)
        assert (SCHEMAS / file).exists(), file
    linked = [file for _, file in rows]
    assert sorted(linked) == sorted(p.name for p in _schema_files()), "formats.md and docs/schemas differ"
    assert len(set(linked)) == len(linked)


# ------------------------------------------------------------------------------ offline


def test_show_every_fabric(tmp_path: Path) -> None:
    fabrics = sorted(p for p in (ROOT / "inventory").iterdir() if (p / "fabric.yaml").exists())
    assert fabrics
    for fab in fabrics:
        out = tmp_path / f"{fab.name}.json"
        assert cli("show", fab, "-f", "json", "-o", out, out=out)[0] == 0
        doc = load(out)
        check("show", doc)
        # the YAML form is the same document
        assert cli("show", fab, "-f", "yaml", "-o", tmp_path / "s.yaml")[0] == 0
        assert load(tmp_path / "s.yaml") == doc


DEAD_FABRIC = dead_fabric()
PLAYBOOK = """\
name: {name}
targets: {{{targets}}}
change: {{type: merge, template: "route-map {route_map} permit 10\\n set local-preference 150\\nexit\\n"}}
waves: {{canary: 1, sizes: ["100%"]}}
gates: {{convergence_wait: 0.5, convergence_timeout: 10}}
commit_confirm: 30
"""


@pytest.fixture(scope="module")
def dead(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every command once against a fabric nobody answers for (credentials configured, so only
    reachability is missing). Returns {"codes": {command: exit code}, "<schema>": output path}."""
    base = tmp_path_factory.mktemp("deadnet")
    fab = base / "inventory" / "deadnet"
    fab.mkdir(parents=True)
    (fab / "fabric.yaml").write_text(DEAD_FABRIC)
    pb = base / "pb.yaml"
    pb.write_text(PLAYBOOK.format(name="dead", targets="", route_map="SCHEMA-DEAD"))
    j, snaps, out = base / "journal.sqlite", base / "snapshots", base / "out"
    out.mkdir()  # -o creates its directory, --report does not
    res: dict[str, Any] = {"codes": {}}

    def run(key: str, *args: object) -> None:
        res["codes"][key] = cli(*args, out=res.get(key))[0]

    with pytest.MonkeyPatch.context() as mp:  # only for these runs: the lab tests use the lab's own
        mp.setenv("NETFABRIC_USERNAME", "ops")
        mp.setenv("NETFABRIC_PASSWORD", "Schema-dead-3#")
        mp.setenv("NETFABRIC_CREDENTIALS", str(base / "none.yaml"))
        res["validate"] = out / "validate.json"
        run("validate", "validate", fab, "-f", "json", "-o", res["validate"], "-q", "--timeout", "5",
            "--retries", "0")
        res["snapshot"] = snaps / "deadnet" / "pre.json"
        run("snapshot", "snapshot", fab, "--name", "pre", "--dir", snaps, "-q", "--timeout", "5")
        res["diff"] = out / "diff.json"
        run("diff", "diff", fab, "pre", "pre", "--dir", snaps, "-f", "json", "-o", res["diff"])
        res["compliance-run"] = out / "compliance.json"
        run("compliance-run", "compliance", "run", fab, "-f", "json", "-o", res["compliance-run"],
            "--db", base / "c.sqlite", "--backup-dir", base / "backups", "-q")
        res["rollout-plan"] = out / "plan.json"
        run("rollout-plan", "rollout", "plan", pb, "-F", fab, "--journal", j, "--report", res["rollout-plan"])
        res["rollout-run"] = out / "run.json"
        run("rollout-run", "rollout", "run", pb, "-F", fab, "--journal", j, "--report", res["rollout-run"],
            "-q")
        res["rollout-status"] = out / "status.json"
        run("rollout-status", "rollout", "status", "--journal", j, "-f", "json", "-o", res["rollout-status"])
        res["rollout-history"] = out / "history.yaml"
        run("rollout-history", "rollout", "history", "--journal", j, "-f", "yaml", "-o",
            res["rollout-history"])
    return res


def test_offline_commands_could_not_check(dead: dict[str, Any]) -> None:
    """The documented exit codes: 3 where no device could be read, 0 for the journal's own reports."""
    assert dead["codes"] == {
        "validate": 3, "snapshot": 3, "diff": 3, "compliance-run": 3, "rollout-plan": 3, "rollout-run": 3,
        "rollout-status": 0, "rollout-history": 0,
    }


OFFLINE = ("validate", "snapshot", "diff", "compliance-run", "rollout-plan", "rollout-run", "rollout-status",
           "rollout-history")


@pytest.mark.parametrize("name", OFFLINE)
def test_offline_output_matches_schema(dead: dict[str, Any], name: str) -> None:
    check(name, load(dead[name]))


# ------------------------------------------------------------------------------ lab

LAB_FABRIC = """\
name: {name}
design: clos
pools: {{loopback: 10.255.0.0/24, p2p: 10.1.0.0/22, mgmt: {subnet}}}
nodes:
  spines: [{{name: spine1, id: 1, platform: frr}}]
  leaves: [{{name: leaf1, id: 1, platform: frr}}, {{name: leaf2, id: 2, platform: frr}}]
"""


def _ssh_answers(address: str) -> bool:
    try:
        with socket.create_connection((address, 22), timeout=2) as sock:
            return sock.recv(4).startswith(b"SSH")
    except OSError:
        return False


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A private all-FRR fabric deployed from its generated topology; every command run against it once.
    Returns {"codes": {command: exit code}, "<schema>": [output paths]}."""
    require_lab()
    from fabric.design import load_fabric
    from fabric.lab import api
    from fabric.render import render_fabric
    from fabric.rollout.engine import FabricSource, Options, Rollout
    from fabric.rollout.playbook import load_playbook
    from fabric.topology import write_topology

    base = tmp_path_factory.mktemp("schemalab")
    name = f"sc{secrets.token_hex(3)}"  # fabric, lab and journal name: nobody else's
    subnet = api.free_mgmt_subnet(f"172.20.{secrets.randbelow(100) + 120}.0/24" for _ in range(200))
    fab_dir = base / "inventory" / name
    fab_dir.mkdir(parents=True)
    (fab_dir / "fabric.yaml").write_text(LAB_FABRIC.format(name=name, subnet=subnet))
    fab = load_fabric(fab_dir)
    topo = next(p for p in write_topology(fab, base / "containerlab", render_fabric(fab))
                if p.name.endswith(".clab.yml"))
    pb, pb2 = base / "pb.yaml", base / "pb2.yaml"
    pb.write_text(PLAYBOOK.format(name="schema-lp", targets="roles: [leaf]", route_map="SCHEMA-LP"))
    pb2.write_text(PLAYBOOK.format(name="schema-inflight", targets="hosts: [leaf2]",
                                   route_map="SCHEMA-FLIGHT"))
    j, snaps, out = base / "journal.sqlite", base / "snapshots", base / "out"
    out.mkdir()  # -o creates its directory, --report does not
    res: dict[str, Any] = {"codes": {}}

    def run(key: str, path: Path, *args: object) -> int:
        res.setdefault(key, []).append(path)
        code = cli(*args, out=path)[0]
        res["codes"].setdefault(key, []).append(code)
        return code

    try:
        api.deploy(topo, wait_converged=True, timeout=60)
        for dev in fab.devices.values():
            addr = dev.mgmt_ipv4.split("/")[0]
            wait_for(f"sshd on {dev.hostname} ({addr})", functools.partial(_ssh_answers, addr), timeout=60)

        # validate until every check passes (BGP prefixes may lag the sessions by a moment)
        def validated() -> bool:
            path = out / "validate.json"
            path.unlink(missing_ok=True)
            return cli("validate", topo, "-f", "json", "-o", path, "-q", out=path)[0] == 0

        wait_for("every validation check passing", validated, timeout=60, every=1)
        res["validate"], res["codes"]["validate"] = [out / "validate.json"], [0]
        run("snapshot", snaps / name / "pre.json", "snapshot", topo, "--name", "pre", "--dir", snaps, "-q")
        run("rollout-plan", out / "plan.json", "rollout", "plan", pb, "-F", fab_dir, "--journal", j,
            "--report", out / "plan.json")
        run("rollout-run", out / "run.json", "rollout", "run", pb, "-F", fab_dir, "--journal", j,
            "--report", out / "run.json", "-q")
        run("rollout-status", out / "status.json", "rollout", "status", "--journal", j, "-f", "json", "-o",
            out / "status.json")

        # The status of a rollout in flight (lock held, a device committed, no summary yet): the engine
        # the CLI runs, with `rollout status` called from its after-commit hook.
        def in_flight(host: str) -> None:
            run("rollout-status", out / "status-inflight.json", "rollout", "status", "--journal", j,
                "-f", "json", "-o", out / "status-inflight.json")

        ro = Rollout(load_playbook(pb2), FabricSource(str(fab_dir)), Options(journal=str(j)),
                     after_commit=in_flight)
        res["inflight_outcome"] = ro.run()["outcome"]

        run("rollout-history", out / "history.json", "rollout", "history", "--journal", j, "-f", "json",
            "-o", out / "history.json")
        run("rollout-history", out / "history.yaml", "rollout", "history", "--journal", j, "-f", "yaml",
            "-o", out / "history.yaml")
        run("snapshot", snaps / name / "post.json", "snapshot", topo, "--name", "post", "--dir", snaps, "-q")
        run("diff", out / "diff.json", "diff", fab_dir, "pre", "post", "--dir", snaps, "-f", "json", "-o",
            out / "diff.json")
        run("diff", out / "diff.yaml", "diff", fab_dir, "pre", "post", "--dir", snaps, "-f", "yaml", "-o",
            out / "diff.yaml")
        # both rollouts left their route-map on the leaves: drift
        run("compliance-run", out / "compliance.json", "compliance", "run", topo, "-f", "json", "-o",
            out / "compliance.json", "--db", base / "c.sqlite", "--backup-dir", base / "backups", "-q")
        run("lab-inspect", out / "inspect.json", "lab", "inspect", "-t", topo, "-f", "json", "-o",
            out / "inspect.json")
        run("lab-inspect", out / "inspect.yaml", "lab", "inspect", "-t", topo, "-f", "yaml", "-o",
            out / "inspect.yaml")
        yield res
    finally:
        api.destroy(topo)


@pytest.mark.lab
def test_lab_commands_exit_as_documented(lab: dict[str, Any]) -> None:
    assert lab["inflight_outcome"] == "completed"
    assert lab["codes"] == {
        "validate": [0], "snapshot": [0, 0], "rollout-plan": [0], "rollout-run": [0],
        "rollout-status": [0, 0], "rollout-history": [0, 0], "diff": [0, 0], "compliance-run": [1],
        "lab-inspect": [0, 0],
    }


LAB = ("validate", "snapshot", "diff", "compliance-run", "rollout-plan", "rollout-run", "rollout-status",
       "rollout-history", "lab-inspect")


@pytest.mark.lab
@pytest.mark.parametrize("name", LAB)
def test_lab_output_matches_schema(lab: dict[str, Any], name: str) -> None:
    docs = [load(p) for p in lab[name]]
    for doc in docs:
        check(name, doc)
    if name in ("diff", "rollout-history", "lab-inspect"):  # json, then yaml: the same document
        assert docs[0] == docs[1]


@pytest.mark.lab
def test_lab_outputs_show_both_sides_of_each_union(lab: dict[str, Any]) -> None:
    """The lab run exercised what the offline run cannot: gates, a held lock, drift with remediation."""
    done, flight = (load(p) for p in lab["rollout-status"])
    assert done["rollout"]["summary"]["outcome"] == "completed" and done["lock"] is None
    assert all(d["gate"]["ok"] for d in done["devices"])
    assert flight["rollout"]["summary"] is None and flight["rollout"]["ended"] is None
    assert flight["lock"] is not None and flight["rollout"]["state"] == "running"
    assert [d["state"] for d in flight["devices"]] == ["committed"]
    comp = load(lab["compliance-run"][0])
    assert {r["status"] for r in comp["results"]} == {"compliant", "noncompliant"}
    assert comp["backup_commit"] and comp["remediations"]["leaf1"]
