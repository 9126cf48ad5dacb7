"""A unique password through a real lab validate, rollout and compliance run never lands in an artifact.

The lab is dc1 as designed (EOS device twins and FRR leaves), as `fabric build` writes it, under its own
name and management subnet (tests/compliance/test_lab.py's helper). Its nodes get a password made for
this run (digits and symbols, so no word-only masking rule hides it) through NETFABRIC_LAB_PASSWORD;
the commands get it through NETFABRIC_PASSWORD, the operator's variable. The default lab credentials
are refused, so every command below really authenticated with the unique password. Then the journal,
every report, the compliance history and backups (git history included), every captured line of CLI
output and every file under the lab directory (twin.log, FRR logs, saved configs, ...) are searched
for it. The only files allowed to hold it are the lab's own credential stores (state file and
inventories, as containerlab writes them), and those must be 0600.
"""

from __future__ import annotations

import json
import secrets
import stat
import subprocess
import sys
import time
from pathlib import Path

import paramiko
import pytest

from fabric.lab.state import STATE_NAME
from tests.compliance.test_lab import _deploy, _require_lab

pytestmark = pytest.mark.lab
ROOT = Path(__file__).resolve().parent.parent
# The lab's credential stores: where a lab password is supposed to be (docs/lab.md, Credentials).
CREDENTIAL_STORES = {STATE_NAME, "ansible-inventory.yml", "nornir-simple-inventory.yml"}


def _ssh_login(address: str, username: str, password: str) -> bool:
    c = paramiko.SSHClient()
    c.set_missing_host_key_policy(paramiko.AutoAddPolicy())  # noqa: S507 - fresh lab host keys
    try:
        c.connect(
            address,
            username=username,
            password=password,
            timeout=10,
            banner_timeout=20,
            auth_timeout=20,
            look_for_keys=False,
            allow_agent=False,
        )
        return True
    except paramiko.AuthenticationException:
        return False
    finally:
        c.close()


def test_unique_password_never_in_artifacts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _require_lab()
    from fabric.lab.api import free_mgmt_subnet

    password = f"Nf{secrets.token_hex(5)}-{secrets.randbelow(90000) + 10000}#%!"
    assert not password.isalpha() and any(c.isdigit() for c in password)
    name = f"pw{secrets.token_hex(2)}"
    subnet = free_mgmt_subnet(f"172.20.{secrets.randbelow(40) + 60}.0/24" for _ in range(100))
    base = tmp_path / "work"
    base.mkdir()
    state_dir = tmp_path / "state"
    monkeypatch.setenv("NETFABRIC_LAB_PASSWORD", password)  # read by the lab deploy below
    monkeypatch.setenv("NETFABRIC_PASSWORD", password)  # the operator's credentials, for the commands
    for var in ("NETFABRIC_USERNAME", "NETFABRIC_EOS_PASSWORD", "NETFABRIC_FRR_PASSWORD"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NETFABRIC_CREDENTIALS", str(tmp_path / "no-credentials-file.yaml"))
    monkeypatch.setenv("NETFABRIC_STATE_DIR", str(state_dir))
    monkeypatch.setenv("COLUMNS", "200")

    outputs: list[str] = []

    def fabric(*args: str) -> subprocess.CompletedProcess[str]:
        r = subprocess.run(
            [sys.executable, "-m", "fabric.cli", *args], cwd=base, capture_output=True, text=True, timeout=600
        )
        outputs.append(f"$ fabric {' '.join(args)}\n{r.stdout}\n{r.stderr}")
        return r

    deployed = _deploy(base, name, subnet.rsplit(".", 1)[0] + ".", None)
    topo = next(deployed)
    try:
        fab = str(base / "inventory" / name)
        lab_dir = topo.parent / f"clab-{name}"
        assert stat.S_IMODE((lab_dir / STATE_NAME).stat().st_mode) == 0o600  # (destroy removes it)
        prefix = subnet.rsplit(".", 1)[0]
        leaf3, spine1 = f"{prefix}.43", f"{prefix}.11"  # dc1: FRR leaf3, EOS (twin) spine1
        # The lab took the unique password and the public defaults no longer open it.
        assert _ssh_login(leaf3, "root", password) and not _ssh_login(leaf3, "root", "netfabric")
        assert _ssh_login(spine1, "admin", password) and not _ssh_login(spine1, "admin", "admin")

        # validate (until converged: BGP may still be coming up right after the deploy)
        deadline = time.monotonic() + 120
        while True:
            v = fabric("validate", fab, "--format", "json", "--output", str(base / "validate.json"))
            if v.returncode == 0 or time.monotonic() > deadline:
                break
            time.sleep(5)
        assert v.returncode == 0, outputs[-1][-3000:]
        checks = json.loads((base / "validate.json").read_text())["results"]
        assert len({c["device"] for c in checks if c["status"] == "pass"}) == 6
        assert fabric("validate", fab, "--problems").returncode == 0, outputs[-1][-3000:]

        # a rollout (the shipped BGP policy change, canary then waves) in the fabric's own journal
        r = fabric(
            "rollout",
            "run",
            str(ROOT / "tasks/bgp-policy.yaml"),
            "-F",
            fab,
            "-q",
            "--report",
            str(base / "rollout.json"),
        )
        assert r.returncode == 0, outputs[-1][-3000:]
        rep = json.loads((base / "rollout.json").read_text())
        assert rep["outcome"] == "completed" and len(rep["devices"]) == 6
        assert {d["state"] for d in rep["devices"]} == {"confirmed"}, rep["devices"]
        assert fabric("rollout", "status", "-F", fab, "--json").returncode == 0
        journal = state_dir / name / "journal.sqlite"
        assert journal.exists()

        # compliance (the policy is not in intent yet: drift, exit 1; nothing unreachable)
        c = fabric(
            "compliance",
            "run",
            fab,
            "--db",
            str(base / "compliance.sqlite"),
            "--backup-dir",
            str(base / "backups"),
            "--format",
            "json",
            "--output",
            str(base / "compliance.json"),
            "--html",
            str(base / "compliance.html"),
            "--junit",
            str(base / "compliance.xml"),
            "--metrics",
            str(base / "compliance.prom"),
        )
        assert c.returncode == 1, outputs[-1][-3000:]
        assert '"errors": {}' in (base / "compliance.json").read_text()
        assert (
            fabric(
                "compliance",
                "run",
                fab,
                "--db",
                str(base / "compliance.sqlite"),
                "--backup-dir",
                str(base / "backups"),
            ).returncode
            == 1
        )
        git_log = subprocess.run(
            ["git", "-C", str(base / "backups"), "log", "-p", "--all"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "router bgp" in git_log  # the backups hold real configs (decompressed here)
        outputs.append(git_log)
    finally:
        # Twins flush their logs and saved configs at shutdown: grep after the destroy.
        deployed.close()

    secret = password.encode()
    leaks = [text[max(0, text.find(password) - 200) :][:400] for text in outputs if password in text]
    assert not leaks, f"password in CLI output: {leaks[0]}"
    searched = 0
    stores = []
    for path in sorted(p for p in tmp_path.rglob("*") if p.is_file() and not p.is_symlink()):
        data = path.read_bytes()
        searched += 1
        if path.name in CREDENTIAL_STORES and path.parent == lab_dir:
            stores.append(path)
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
            continue
        assert secret not in data, f"password in {path}"
    # What was searched: the journal, the reports, the lab directory with the twins' logs.
    names = {p.name for p in tmp_path.rglob("*")}
    assert {
        "journal.sqlite",
        "rollout.json",
        "validate.json",
        "compliance.sqlite",
        "compliance.html",
        "twin.log",
    } <= names, sorted(names)
    assert searched > 50
    assert {p.name for p in stores} == CREDENTIAL_STORES - {STATE_NAME}
    assert all(secret in p.read_bytes() for p in stores)  # it is there, and only there
