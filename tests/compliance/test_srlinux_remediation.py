"""SR Linux remediation: ``set / ...`` / ``delete / ...`` lines the device accepts, checked by applying them.

Every remediation is applied to the running config with the SR Linux twin's own model (``parse_flat``
on top of running, which raises on what the CLI refuses); the result must equal intended, compared as
leaf maps (list entries by key: SR Linux orders them by its schema, not by the order of ``set``). A
``delete`` must name something that exists (SR Linux accepts a delete of nothing silently, which
would hide a wrong path). The end-to-end test pushes the remediation over JSON-RPC into the twin
through the CLI's code path (collection and push with the rollout driver) and re-checks compliance.
"""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path
from typing import Any

import pytest
from _skip import need

from fabric.compliance.engine import compare, load_rules, remediate_config
from fabric.model import Fabric
from fabric.vendors.srlinux.remediate import read, remediate, statements
from fabric.vendors.srlinux.twin.config import Config, ConfigError, leaves, parse_flat, parse_json

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT.parent / "shared/reference/napalm-mocked-community/srlinux/test_get_config/normal" / (
    "___running.json")


def _bed_module() -> Any:
    """tests/vendors/srlinux/conftest.py (the SR Linux twin's JSON-RPC server on 127.0.0.1), whose
    ``bed`` fixture is only visible below tests/vendors/srlinux: loaded by path to reuse it here."""
    path = ROOT / "tests/vendors/srlinux/conftest.py"
    spec = importlib.util.spec_from_file_location("srlinux_twin_bed", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


bed = _bed_module().bed


# ------------------------------------------------------------------------------------------ helpers


def tree(conf: Config | str) -> dict[Any, Any]:
    c = read(conf) if isinstance(conf, str) else conf
    return {p: v for p, v in leaves(c.data).items() if not str(p[0]).startswith("_annotate")}


def applied(running: str, lines: str) -> Config:
    """Remediation applied to running by the twin's model; each delete must hit something."""
    base = read(running)
    flat = base.flat()
    for ln in lines.splitlines():
        verb, _, path = ln.partition(" / ")
        assert verb in ("set", "delete"), ln
        if verb == "delete":
            assert any(f == f"set / {path}" or f.startswith(f"set / {path} ") for f in flat.splitlines()), ln
    return parse_flat(lines, base=base)


def drifted(text: str, *subs: tuple[str, str]) -> str:
    for old, new in subs:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def assert_converges(running: str, intended: str) -> str:
    lines = remediate(running, intended)
    assert tree(applied(running, lines)) == tree(intended), lines
    assert remediate(applied(running, lines).flat(), intended) == ""  # re-checks clean
    return lines


@pytest.fixture(scope="module")
def pe2(backbone_golden: dict[str, str]) -> str:
    return backbone_golden["pe2"]


@pytest.fixture(scope="module")
def reference() -> str:
    need(REFERENCE.exists(), f"reference config missing: {REFERENCE}")
    return parse_json(REFERENCE.read_text()).flat()  # a real device's running config, as `info flat`


NBR = "network-instance default protocols bgp neighbor"


# ---------------------------------------------------------------- the cases, exact lines


def test_golden_is_info_flat(pe2: str) -> None:
    assert [s for s, _ in statements(pe2)] == [ln[len("set / "):] for ln in read(pe2).flat().splitlines()]
    assert remediate(pe2, pe2) == ""
    assert all(r.compliant for r in compare("pe2", "srlinux", pe2, pe2))


def test_changed_leaf_is_a_set_alone(pe2: str) -> None:
    running = drifted(pe2, ("host-name pe2", "host-name pe2-old"), ("ip-mtu 9000", "ip-mtu 1500"))
    assert assert_converges(running, pe2) == (
        "set / interface ethernet-1/1 subinterface 0 ip-mtu 9000\nset / system name host-name pe2\n"
    )


def test_removed_leaf_entry_and_container_are_deleted_by_path(pe2: str) -> None:
    intended = drifted(pe2, ("set / system name domain-name lab.local\n", ""))
    assert assert_converges(pe2, intended) == "delete / system name domain-name\n"
    no_rr2 = "".join(ln + "\n" for ln in pe2.splitlines() if f"{NBR} 10.254.0.2 " not in ln)
    assert assert_converges(pe2, no_rr2) == f"delete / {NBR} 10.254.0.2\n"
    no_bfd = "".join(ln + "\n" for ln in pe2.splitlines() if not ln.startswith("set / bfd "))
    assert assert_converges(pe2, no_bfd) == "delete / bfd\n"


def test_extra_interface_neighbor_and_ni_interface_are_deleted(pe2: str) -> None:
    running = pe2 + (
        "set / interface ethernet-1/5 description spare\n"
        "set / interface ethernet-1/5 subinterface 0 ipv4 address 192.0.2.9/31\n"
        f"set / {NBR} 192.0.2.1 peer-group RR\n"
        "set / network-instance default interface ethernet-1/5.0\n"
    )
    assert assert_converges(running, pe2) == (
        "delete / interface ethernet-1/5\n"
        "delete / network-instance default interface ethernet-1/5.0\n"
        f"delete / {NBR} 192.0.2.1\n"
    )
    # and the other way round: a key-only entry is a set of its own
    lines = assert_converges(pe2, running)
    assert "set / network-instance default interface ethernet-1/5.0\n" in lines


def test_leaf_lists_and_multi_key_entries(pe2: str) -> None:
    running = drifted(pe2, ("export-policy [ FABRIC-EXPORT ]", "export-policy [ FABRIC-EXPORT OTHER ]"))
    assert assert_converges(running, pe2) == (
        "delete / network-instance default protocols bgp group RR export-policy\n"
        "set / network-instance default protocols bgp group RR export-policy [ FABRIC-EXPORT ]\n"
    )
    ps = "set / routing-policy prefix-set LOOPBACKS prefix 10.254.0.0/24 mask-length-range 32..32\n"
    assert ps in pe2
    wider = drifted(pe2, (ps, ps.replace("32..32", "24..32")))
    assert assert_converges(wider, pe2) == (
        "delete / routing-policy prefix-set LOOPBACKS prefix 10.254.0.0/24 mask-length-range 24..32\n"
        "set / routing-policy prefix-set LOOPBACKS prefix 10.254.0.0/24 mask-length-range 32..32\n"
    )


def test_unmanaged_statements_are_left_alone(pe2: str) -> None:
    device = (
        "set / system gnmi-server admin-state enable\n"
        "set / system gnmi-server network-instance mgmt admin-state enable\n"
        "set / system tls server-profile clab-profile key \"$aes1$abc\"\n"
    )
    running = "# a comment the device prints\n" + pe2 + device
    assert remediate_config("srlinux", running, pe2) == ""  # no feature owns them: device defaults
    assert all(r.compliant for r in compare("pe2", "srlinux", running, pe2))
    # a container mixing managed and unmanaged statements is not deleted wholesale
    no_system = "".join(ln + "\n" for ln in pe2.splitlines() if not ln.startswith("set / system "))
    lines = remediate_config("srlinux", running, no_system)
    assert "delete / system\n" not in lines and "delete / system name\n" in lines, lines
    assert "gnmi-server" not in lines and "tls" not in lines
    out = applied(running, lines).flat()
    assert "gnmi-server admin-state enable" in out and "system name" not in out


def test_scrubbed_secrets_are_never_drift_nor_deleted(pe2: str) -> None:
    from fabric.compliance.collect import scrub

    raw = pe2 + 'set / system aaa authentication user ops hashed-password "$y$j9T$abc"\n' \
                "set / system aaa authentication user ops role [ admin ]\n"
    running = scrub(raw)
    assert "$y$j9T$abc" not in running
    gold = pe2 + "set / system aaa authentication user ops role [ admin ]\n"
    assert all(r.compliant for r in compare("pe2", "srlinux", running, gold))
    assert remediate_config("srlinux", running, gold) == ""


def test_features_limit_remediation_and_per_feature_results(pe2: str) -> None:
    running = drifted(pe2, ("host-name pe2", "host-name pe2-old"), ("level 2 metric 20", "level 2 metric 10"),
                      ("description rr1", "description rr-one"))
    results = {r.feature: r for r in compare("pe2", "srlinux", running, pe2)}
    assert {f for f, r in results.items() if not r.compliant} == {"system", "bgp", "isis"}
    isis = "network-instance default protocols isis instance FABRIC interface ethernet-1/1.0 level 2 metric"
    assert results["isis"].missing == [f"{isis} 20"] and results["isis"].extra == [f"{isis} 10"]
    assert remediate_config("srlinux", running, pe2, ["isis"]) == f"set / {isis} 20\n"
    assert assert_converges(running, pe2).count("\n") == 3


def test_rules_file_features() -> None:
    rules = load_rules("srlinux")
    assert rules.style == "set" and rules.set_prefix == "set / " and rules.delete_prefix == "delete / "
    from fabric.compliance.engine import feature_of

    assert feature_of("interface mgmt0 subinterface 0 ipv4 address 10.0.0.1/24", rules) == "mgmt"
    assert feature_of("interface ethernet-1/1 description x", rules) == "interfaces"
    assert feature_of("network-instance default interface ethernet-1/1.0", rules) == "interfaces"
    assert feature_of("network-instance default protocols bgp group RR peer-as 1", rules) == "bgp"
    assert feature_of("network-instance default router-id 1.1.1.1", rules) == "base"
    assert feature_of("system gnmi-server admin-state enable", rules) is None
    # the JSON-RPC server is the golden's (mgmt): a replace must never remove it
    assert feature_of("system json-rpc-server admin-state enable", rules) == "mgmt"


# ---------------------------------------------------------------- a real device's configuration


def test_real_device_config_mutations_converge(reference: str) -> None:
    assert len(statements(reference)) > 500
    running = drifted(
        reference,
        (f"{NBR} 10.0.0.2 description srl2", f"{NBR} 10.0.0.2 description old"),
        ("interface ethernet-1/1 admin-state enable", "interface ethernet-1/1 admin-state disable"),
        ("set / network-instance default interface ethernet-1/1.0\n", ""),
    )
    running += "set / network-instance default protocols bgp neighbor 192.0.2.7 peer-group ebgp\n"
    lines = assert_converges(running, reference)
    assert "set / interface ethernet-1/1 admin-state enable\n" in lines
    assert f"set / {NBR} 10.0.0.2 description srl2\n" in lines
    assert "set / network-instance default interface ethernet-1/1.0\n" in lines
    assert f"delete / {NBR} 192.0.2.7\n" in lines
    assert_converges(reference, running)


@pytest.mark.parametrize("seed", range(60))
def test_random_drift_converges(seed: int, pe2: str, reference: str) -> None:
    """Random deletes, additions, value changes of real statements (the golden render and the device
    config); the remediation must bring each back exactly, in both directions."""
    rng = random.Random(seed)
    intended = read(pe2 if seed % 2 else reference)
    flat = intended.flat().splitlines()
    edits = []
    for _ in range(rng.randint(1, 6)):
        words = rng.choice(flat).split()
        op = rng.choice(["delete", "value", "add", "entry"])
        if op == "delete":
            edits.append("delete / " + " ".join(words[2:rng.randint(3, len(words))]))
        elif op == "value" and len(words) > 3 and words[-1].isdigit():  # a numeric leaf, surely a leaf
            edits.append(" ".join(words[:-1]) + f" {rng.randint(2, 999)}")
        elif op == "add" and len(words) > 4:  # a new leaf next to an existing one
            edits.append(" ".join(words[:-2]) + f" extra-knob-{seed} on")
        elif op == "entry":
            edits.append(f"set / {NBR} 192.0.2.{rng.randint(1, 200)} description x{seed}")
    try:
        running = parse_flat("\n".join(edits), base=intended).flat()
    except ConfigError:
        pytest.skip("a random edit the model refuses")
    assert_converges(running, intended.flat())
    assert_converges(intended.flat(), running)


def test_the_model_rejects_what_the_cli_rejects(pe2: str) -> None:
    """The check above is meaningful: a malformed line is refused, not silently applied."""
    with pytest.raises(ConfigError):
        parse_flat("set / frobnicate on\n", base=read(pe2))
    with pytest.raises(ConfigError):
        parse_flat("set / interface ethernet-1/1 description [ a\n", base=read(pe2))


# ---------------------------------------------------------------- end to end over JSON-RPC


def _nornir(tmp_path: Path, bed: Any) -> Any:
    import yaml
    from nornir import InitNornir

    hosts = {"pe2": {"hostname": "127.0.0.1", "port": bed.https_port, "username": bed.user,
                     "password": bed.password, "platform": "srlinux", "data": {"platform": "srlinux"}}}
    (tmp_path / "hosts.yaml").write_text(yaml.safe_dump(hosts))
    (tmp_path / "groups.yaml").write_text("{}\n")
    (tmp_path / "defaults.yaml").write_text("{}\n")
    return InitNornir(
        runner={"plugin": "serial"},
        inventory={"plugin": "SimpleInventory", "options": {
            "host_file": str(tmp_path / "hosts.yaml"), "group_file": str(tmp_path / "groups.yaml"),
            "defaults_file": str(tmp_path / "defaults.yaml")}},
        logging={"enabled": False},
    )


def test_remediation_pushed_over_jsonrpc_rechecks_clean(
    bed: Any, backbone: Fabric, pe2: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import fabric.compliance as compliance
    import fabric.credentials
    import fabric.rollout.drivers as drivers
    from fabric.compliance import collect
    from fabric.credentials import Credentials

    (tmp_path / "inv").mkdir()
    nr = _nornir(tmp_path / "inv", bed)
    # The CLI's paths, pointed at the twin: collection (fabric.compliance.collect through the SR Linux
    # driver), compare/remediation/backups/history (run_compliance), push (push_remediation).
    monkeypatch.setattr(compliance, "fetch_running",
                        lambda fab, hosts=None, on_device=None: collect.collect(nr, on_device))
    real_driver_for = drivers.driver_for
    monkeypatch.setattr(drivers, "driver_for", lambda t: real_driver_for(
        drivers.Target(t.name, "127.0.0.1", t.platform, t.username, t.password, port=bed.https_port)))
    monkeypatch.setattr(fabric.credentials, "credentials_for",
                        lambda platform, address: Credentials(bed.user, bed.password))

    # the device runs a drifted golden config (merged over its defaults, then the drift)
    drift = (
        pe2
        + "set / interface ethernet-1/5 description spare\n"
        + f"set / {NBR} 192.0.2.1 peer-group RR\n"
    )
    drift = drifted(drift, ("host-name pe2", "host-name pe2-old"), ("ip-mtu 9000", "ip-mtu 1500"),
                    ("export-policy [ FABRIC-EXPORT ]", "export-policy [ FABRIC-EXPORT FABRIC-IMPORT ]"))
    drift = "".join(ln + "\n" for ln in drift.splitlines()
                    if "domain-name" not in ln and f"{NBR} 10.254.0.2 " not in ln)
    drv = drivers.driver_for(drivers.Target("pe2", "x", "srlinux", bed.user, bed.password))
    try:
        drv.commit_confirmed(drv.running() + drift + "delete / system name domain-name\n"
                             f"delete / {NBR} 10.254.0.2\n", "merge", 120, "nf-setup")
        assert drv.confirm("nf-setup")
        assert "host-name pe2-old" in drv.running()
    finally:
        drv.close()

    kw: dict[str, Any] = {"fab": backbone, "hosts": ["pe2"], "db": tmp_path / "c.sqlite",
                          "backup_dir": tmp_path / "backups"}
    before = compliance.run_compliance("inventory/backbone", **kw)
    assert not before.errors and not before.compliant
    assert {r.feature for r in before.results if not r.compliant} == {"system", "interfaces", "bgp"}
    snippet = before.remediations["pe2"]
    assert "set / system name domain-name lab.local\n" in snippet
    assert "delete / interface ethernet-1/5\n" in snippet and f"delete / {NBR} 192.0.2.1\n" in snippet
    assert "set / system name host-name pe2\n" in snippet
    group = "network-instance default protocols bgp group RR"
    assert snippet.index(f"delete / {group} export-policy\n") < \
        snippet.index(f"set / {group} export-policy [ FABRIC-EXPORT ]\n")
    backup = (tmp_path / "backups" / "pe2.cfg").read_text()
    assert "host-name pe2-old" in backup and bed.password not in backup

    # the CLI's `remediate` computes the same snippet, and --push goes through push_remediation
    assert compliance.remediation(backbone, "pe2") == snippet
    how = compliance.push_remediation(backbone, "pe2", snippet)
    assert "commit-confirmed merge" in how

    after = compliance.run_compliance("inventory/backbone", **kw)
    assert not after.errors
    assert [(r.feature, r.missing, r.extra) for r in after.results if not r.compliant] == []
    assert after.compliant and after.remediations["pe2"] == ""
    assert "host-name pe2\n" in (tmp_path / "backups" / "pe2.cfg").read_text()
