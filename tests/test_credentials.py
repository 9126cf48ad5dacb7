"""Lab default credentials apply only to nodes of a deployed lab (lab registry); anywhere else a
missing credential is a FabricError naming the NETFABRIC_* variables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _deadnet import dead_fabric
from typer.testing import CliRunner

from fabric.credentials import credentials_for
from fabric.errors import FabricError

LAB_EOS, LAB_FRR, ELSEWHERE = "127.77.1.11", "127.77.1.41", "127.77.0.11"

FABRIC = dead_fabric("loop")


@pytest.fixture
def registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private lab registry holding one deployed lab (the shape fabric.lab.state writes), and no
    credentials configured anywhere."""
    for var in ("USERNAME", "PASSWORD", "EOS_USERNAME", "EOS_PASSWORD", "FRR_USERNAME", "FRR_PASSWORD"):
        monkeypatch.delenv(f"NETFABRIC_{var}", raising=False)
    monkeypatch.setenv("NETFABRIC_CREDENTIALS", str(tmp_path / "no-such-credentials.yaml"))
    reg = tmp_path / "labs"
    reg.mkdir()
    monkeypatch.setenv("NETFABRIC_LAB_REGISTRY", str(reg))
    nodes = {
        "spine1": {"kind": "arista_ceos", "mgmt_ipv4": LAB_EOS, "username": "admin", "password": "admin"},
        "leaf1": {"kind": "linux", "mgmt_ipv4": LAB_FRR, "username": "root", "password": "netfabric"},
    }
    (reg / "loop.json").write_text(json.dumps({"name": "loop", "nodes": nodes}))
    return reg


def test_lab_node_gets_the_labs_credentials(registry: Path) -> None:
    eos = credentials_for("eos", LAB_EOS)
    assert (eos.username, eos.password) == ("admin", "admin")
    frr = credentials_for("frr", f"{LAB_FRR}/24")  # a fabric's mgmt_ipv4 carries its prefix length
    assert (frr.username, frr.password) == ("root", "netfabric")


def test_a_lab_destroyed_meanwhile_does_not_hide_the_others(registry: Path) -> None:
    """Another process destroys its lab between the registry listing and the read (the listing still
    names a file that is gone, as a dangling link does here): this lab's nodes keep their credentials.
    Regression: any vanished file made every lookup fail, so a rollout in one lab failed for lack of
    credentials while a test destroyed another lab."""
    (registry / "gone.json").symlink_to(registry / "no-such-lab.json")
    eos = credentials_for("eos", LAB_EOS)
    assert (eos.username, eos.password) == ("admin", "admin")


def test_other_host_without_credentials_is_an_error_naming_the_variables(registry: Path) -> None:
    with pytest.raises(FabricError) as exc:
        credentials_for("eos", ELSEWHERE)
    text = exc.value.render()
    assert ELSEWHERE in text
    for var in ("EOS_USERNAME", "EOS_PASSWORD", "USERNAME", "PASSWORD"):
        assert f"NETFABRIC_{var}" in text
    assert "admin" not in text


def test_destroyed_lab_no_longer_lends_its_defaults(registry: Path) -> None:
    assert credentials_for("eos", LAB_EOS).password == "admin"
    (registry / "loop.json").unlink()
    with pytest.raises(FabricError, match="NETFABRIC_EOS_PASSWORD"):
        credentials_for("eos", LAB_EOS)


def test_configured_credentials_apply_everywhere(registry: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETFABRIC_EOS_USERNAME", "netops")
    monkeypatch.setenv("NETFABRIC_EOS_PASSWORD", "S3cret-42!")
    for address in (LAB_EOS, ELSEWHERE):
        c = credentials_for("eos", address)
        assert (c.username, c.password) == ("netops", "S3cret-42!")
    # Half a credential is not enough off the lab: the error names what is missing.
    monkeypatch.delenv("NETFABRIC_EOS_USERNAME")
    with pytest.raises(FabricError, match="no username configured"):
        credentials_for("eos", ELSEWHERE)
    assert credentials_for("eos", LAB_EOS).username == "admin"


def test_nornir_inventory_and_cli(registry: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the real entry points: a Nornir inventory for a fabric whose devices are not lab nodes
    carries no (default) credentials, a command's inventory fails naming the variables, and
    `fabric validate` turns that into exit 2, no traceback."""
    from fabric.cli import app
    from fabric.inventory import load_nornir

    path = tmp_path / "inventory" / "loop" / "fabric.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(FABRIC)
    hosts = load_nornir(path).inventory.hosts.values()
    assert [(h.username, h.password) for h in hosts] == [(None, None)] * 2
    with pytest.raises(FabricError, match="NETFABRIC_FRR_USERNAME"):
        load_nornir(path, require_credentials=True)
    r = CliRunner().invoke(app, ["validate", str(path.parent)])
    assert r.exit_code == 2, r.output
    assert "NETFABRIC_" in r.output and "Traceback" not in r.output
    monkeypatch.setenv("NETFABRIC_USERNAME", "netops")
    monkeypatch.setenv("NETFABRIC_PASSWORD", "S3cret-42!")
    nr = load_nornir(path)
    assert {h.username for h in nr.inventory.hosts.values()} == {"netops"}


def test_rollout_checks_credentials_before_touching_a_device(
    registry: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fabric.cli import app

    root = Path(__file__).resolve().parent.parent
    path = tmp_path / "inventory" / "loop" / "fabric.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(FABRIC)
    for cmd in ("plan", "run"):
        r = CliRunner().invoke(app, ["rollout", cmd, str(root / "tasks/bgp-policy.yaml"), "-F", str(path)])
        assert r.exit_code == 2, r.output
        assert "NETFABRIC_FRR_PASSWORD" in r.output and "Traceback" not in r.output


def test_lab_password_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """NETFABRIC_LAB_PASSWORD replaces the kind defaults of every node of a lab about to be deployed:
    the twins' user (node state) and the FRR root login (the lab's shadow file, hashed)."""
    import subprocess

    from fabric.lab.api import apply_lab_password, private_topology
    from fabric.lab.topology import load_topology

    root = Path(__file__).resolve().parent.parent
    path = private_topology(root / "containerlab/dc1.clab.yml", tmp_path, "pwunit", "172.20.199.0/24")
    topo = load_topology(path, warn=False)
    shadow = topo.lab_dir / "ssh" / "shadow"
    monkeypatch.delenv("NETFABRIC_LAB_PASSWORD", raising=False)
    apply_lab_password(topo)
    assert {n.password for n in topo.nodes.values()} == {"admin", "netfabric"} and not shadow.exists()

    monkeypatch.setenv("NETFABRIC_LAB_PASSWORD", "Lab-pw-42%")
    apply_lab_password(topo)
    assert {n.password for n in topo.nodes.values()} == {"Lab-pw-42%"}
    assert {n.username for n in topo.nodes.values()} == {"admin", "root"}
    text = shadow.read_text()
    assert "Lab-pw-42%" not in text and oct(shadow.stat().st_mode)[-3:] == "640"
    entries = {ln.split(":")[0]: ln.split(":")[1] for ln in text.splitlines()}
    salt = entries["root"].split("$")[2]
    again = subprocess.run(
        ["openssl", "passwd", "-6", "-salt", salt, "-stdin"],
        input="Lab-pw-42%\n",
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert entries["root"] == again  # root's login is that password
    assert {h for u, h in entries.items() if u != "root"} == {"*"}  # no host hash copied, all locked

    # A later deploy without the variable gets the defaults back (the netns backend rewrites the shadow).
    monkeypatch.delenv("NETFABRIC_LAB_PASSWORD")
    topo = load_topology(path, warn=False)
    apply_lab_password(topo)
    assert not shadow.exists() and {n.password for n in topo.nodes.values()} == {"admin", "netfabric"}

    monkeypatch.setenv("NETFABRIC_LAB_PASSWORD", "two\nlines")
    with pytest.raises(FabricError, match="NETFABRIC_LAB_PASSWORD"):
        apply_lab_password(topo)


def test_mask_short_secrets_only_where_they_stand_alone() -> None:
    """A long secret is masked anywhere; a short one (the lab's `admin`, a one-letter test password)
    wherever it stands as a token, not inside a longer word: `unable` stays readable."""
    from fabric.credentials import mask

    assert mask("login s3cr3t-pw failed; xs3cr3t-pwx", ["s3cr3t-pw"]) == "login ******** failed; x********x"
    assert mask("unable to log in as b: password b refused", ["b"]) == (
        "unable to log in as ********: password ******** refused")
    assert mask("administrator admin@10.0.0.1 'admin'", ["admin"]) == (
        "administrator ********@10.0.0.1 '********'")
    assert mask("user=admin,pw=admin", ["admin", ""]) == "user=********,pw=********"
