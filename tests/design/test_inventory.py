from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from _skip import need

import fabric
from fabric.design import load_fabric
from fabric.inventory import write_inventory
from fabric.lab.topology import _python_patterns, load_topology
from fabric.topology import write_topology

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT.parent / "shared/reference/containerlab/clab.schema.json"


@pytest.mark.parametrize("name", ["dc1", "backbone", "dc-large"])
def test_generated_topology_is_valid_containerlab(tmp_path: Path, name: str) -> None:
    need(SCHEMA.exists(), f"containerlab schema not found next to the repo: {SCHEMA}")
    fab = load_fabric(ROOT / "inventory" / name)
    configs = {h: f"hostname {h}\n" for h in fab.devices}
    paths = write_topology(fab, tmp_path, configs)
    topo = yaml.safe_load(paths[-1].read_text())
    # The reference schema itself (its \\p{..} regex classes translated the way the lab's validator does).
    schema = _python_patterns(json.loads(SCHEMA.read_text()))
    jsonschema.Draft7Validator(schema).validate(topo)
    load_topology(paths[-1], warn=False)  # and the lab's own parser accepts it
    nodes = topo["topology"]["nodes"]
    assert set(nodes) == set(fab.devices)
    kinds = {n["kind"] for n in nodes.values()}
    if name == "backbone":
        assert kinds == {"cisco_xrd", "juniper_vjunosrouter", "nokia_sros", "arista_ceos", "nokia_srlinux"}
        pe2_link = next(lk["endpoints"] for lk in topo["topology"]["links"] if "pe2:e1-1" in lk["endpoints"])
        assert sorted(pe2_link, reverse=True) == ["pe2:e1-1", "p1:eth4"]
    for host, node in nodes.items():
        assert node["mgmt-ipv4"] == fab.devices[host].mgmt_ipv4.split("/")[0]
        if node["kind"] == "linux":
            assert any(b.endswith(":/etc/frr/frr.conf") for b in node["binds"])
        else:
            assert (tmp_path / node["startup-config"]).read_text() == f"hostname {host}\n"


def test_committed_inventory_matches_fabric_file(tmp_path: Path) -> None:
    """The committed generated files are what `fabric build` writes today (regenerate with `fabric build`)."""
    for name in ("dc1", "backbone", "dc-large"):
        fab = load_fabric(f"inventory/{name}" if Path.cwd() == ROOT else ROOT / "inventory" / name)
        write_inventory(fab, tmp_path)
        for f in ("hosts.yaml", "groups.yaml", "defaults.yaml"):
            committed = ROOT / "inventory" / name / f
            stale = f"{committed} is stale: run `fabric build`"
            assert committed.read_text() == (tmp_path / f).read_text(), stale


def test_nornir_native_config_file_with_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`fabric build <name>` writes a nornir.yaml that Nornir's own InitNornir loads from any cwd: the
    SimpleInventory paths in it are absolute (Nornir resolves relative ones against the cwd)."""
    from nornir import InitNornir
    from typer.testing import CliRunner

    from fabric.cli import app

    fab_dir = tmp_path / "inventory" / "dc1"
    fab_dir.mkdir(parents=True)
    (fab_dir / "fabric.yaml").write_text((ROOT / "inventory/dc1/fabric.yaml").read_text())
    monkeypatch.chdir(tmp_path)  # `fabric build dc1` from a checkout's root: a relative inventory dir
    r = CliRunner().invoke(app, ["build", "dc1", "--topology-dir", str(tmp_path / "clab"), "--no-render"])
    assert r.exit_code == 0, r.output
    cfg = fab_dir / "nornir.yaml"
    options = yaml.safe_load(cfg.read_text())["inventory"]["options"]
    assert options == {f"{k}_file": str(fab_dir.resolve() / f"{f}.yaml")
                       for k, f in (("host", "hosts"), ("group", "groups"), ("defaults", "defaults"))}

    monkeypatch.setenv("NETFABRIC_EOS_USERNAME", "ops")
    monkeypatch.setenv("NETFABRIC_EOS_PASSWORD", "s3cret-from-env")
    # The documented call from the root, then from an unrelated cwd with the absolute path.
    for cwd, config_file in ((tmp_path, "inventory/dc1/nornir.yaml"), (Path("/"), str(cfg))):
        monkeypatch.chdir(cwd)
        nr = InitNornir(config_file=config_file)
        assert sorted(nr.inventory.hosts) == ["leaf1", "leaf2", "leaf3", "leaf4", "spine1", "spine2"]
        leaf1 = nr.inventory.hosts["leaf1"]
        assert (leaf1.hostname, leaf1.username, leaf1.password) == ("172.20.21.41", "ops", "s3cret-from-env")
        assert leaf1.get_connection_parameters("napalm").platform == "eos"
        assert leaf1.get_connection_parameters("scrapli").platform == "arista_eos"
        assert leaf1.get_connection_parameters("netmiko").platform == "arista_eos"
        assert leaf1.data["intent"]["bgp"]["asn"] == 65101
    # The secret never lands in the generated files.
    for f in fab_dir.glob("*.yaml"):
        assert "s3cret" not in f.read_text()


def test_committed_inventory_has_no_nornir_yaml() -> None:
    """nornir.yaml holds this machine's absolute paths: `fabric build` writes it, git ignores it."""
    import subprocess

    tracked = subprocess.run(["git", "ls-files", "inventory/*/nornir.yaml"], cwd=ROOT, capture_output=True,
                             text=True)
    need(tracked.returncode == 0, f"not a git checkout: {tracked.stderr.strip()}")
    assert tracked.stdout.split() == [], "generated nornir.yaml is committed: git rm --cached it"
    ignored = subprocess.run(["git", "check-ignore", "-q", "--no-index", "inventory/dc1/nornir.yaml"],
                             cwd=ROOT)
    assert ignored.returncode == 0, "inventory/*/nornir.yaml is not in .gitignore"


def test_load_nornir_connection_options_per_platform() -> None:
    nr = fabric.load_nornir(ROOT / "inventory/backbone")
    expect = {
        "rr1": ("iosxr_netconf", "cisco_iosxr", "cisco_xr"),
        "rr2": ("junos", "juniper_junos", "juniper_junos"),
        "pe2": ("srlinux", "nokia_srlinux", "nokia_srl"),
        "p1": ("sros", "nokia_sros", "nokia_sros"),
    }
    for host, (napalm, scrapli, netmiko) in expect.items():
        h = nr.inventory.hosts[host]
        assert h.get_connection_parameters("napalm").platform == napalm
        assert h.get_connection_parameters("scrapli").platform == scrapli
        assert h.get_connection_parameters("netmiko").platform == netmiko
    assert nr.inventory.hosts["rr1"].get_connection_parameters("netconf").port == 830




def test_credentials_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    from fabric.credentials import credentials_for, mask

    monkeypatch.setenv("NETFABRIC_PASSWORD", "Sup3r-secret")
    monkeypatch.setenv("NETFABRIC_USERNAME", "ops")
    creds = credentials_for("eos", "192.0.2.10")  # configured in the environment: any address
    assert creds.password not in repr(creds) and creds.password not in str(creds)
    assert mask("password Sup3r-secret here", [creds.password]) == "password ******** here"


def test_load_nornir_twice_in_one_process() -> None:
    a = fabric.load_nornir(ROOT / "inventory/dc1")
    b = fabric.load_nornir(ROOT / "inventory/backbone", hosts=["p1"])
    assert sorted(a.inventory.hosts) == ["leaf1", "leaf2", "leaf3", "leaf4", "spine1", "spine2"]
    assert list(b.inventory.hosts) == ["p1"]
