"""Junos remediation: set/delete lines a Junos box accepts, checked by applying them.

Every remediation is applied to the running config with the Junos twin's own configuration model
(``Config.load(lines, fmt="set")``, which raises on what Junos rejects and warns on a ``delete`` of a
missing statement); the result must equal intended. Order is compared only where Junos gives it a
meaning (terms, export/import chains, authentication-order): elsewhere Junos itself orders statements by
its schema, which the model (insertion order) does not know. The end-to-end test pushes the remediation
over NETCONF into a Junos twin through the CLI's code path and re-checks compliance.
"""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path
from typing import Any

import pytest
from _skip import need

from fabric.compliance.engine import compare, remediate_config
from fabric.model import Fabric
from fabric.vendors.junos.remediate import (
    ORDERED_ENTRIES,
    ORDERED_LISTS,
    path_text,
    read,
    remediate,
    statements,
)
from fabric.vendors.junos.twin.config import VALUE, Config, ConfigError, Node

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT.parent / "shared/reference/napalm-mocked/junos/test_get_config/normal"


def _bed_module() -> Any:
    """tests/vendors/junos/conftest.py (the Junos twin's NETCONF server on 127.0.0.1), whose ``bed``
    fixture is only visible below tests/vendors/junos: loaded by path to reuse it here."""
    spec = importlib.util.spec_from_file_location("junos_twin_bed", ROOT / "tests/vendors/junos/conftest.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


bed = _bed_module().bed


# ------------------------------------------------------------------------------------------ helpers


def _ordered(n: Node) -> bool:
    kw = n.words[0]
    return (kw in ORDERED_ENTRIES and len(n.words) == 2) or (kw in ORDERED_LISTS and n.children is None)


def _sort(node: Node) -> None:
    node.oneline = False  # a printing choice (``then next policy;``), which text and set input set apart
    kids = node.children or []
    for c in kids:
        _sort(c)
    pos = {id(c): i for i, c in enumerate(kids)}
    kids.sort(key=lambda c: (c.words[0], pos[id(c)] if _ordered(c) else 0, () if _ordered(c) else c.words))


def canonical(conf: Config | str) -> str:
    """Config text with statements sorted where their order means nothing to Junos, every container
    in braces."""
    c = (read(conf) if isinstance(conf, str) else conf).copy()
    _sort(c.root)
    return c.text()


def applied(running: str, lines: str) -> Config:
    """Remediation applied to running by the twin's model: rejected lines raise, and a delete of a
    statement that does not exist (Junos: "warning: statement not found") fails the test too."""
    out = read(running).load(lines, fmt="set")
    assert not out.warnings, [w.token for w in out.warnings]
    return out


def drifted(text: str, *subs: tuple[str, str]) -> str:
    for old, new in subs:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def assert_converges(running: str, intended: str) -> str:
    lines = remediate(running, intended)
    assert all(ln.split(" ", 1)[0] in ("set", "delete", "deactivate") for ln in lines.splitlines()), lines
    assert canonical(applied(running, lines)) == canonical(intended), lines
    assert remediate(applied(running, lines).text(), intended) == ""  # re-checks clean
    return lines


@pytest.fixture(scope="module")
def rr2(backbone_golden: dict[str, str]) -> str:
    return backbone_golden["rr2"]


@pytest.fixture(scope="module")
def reference() -> str:
    path = REFERENCE / "get_config__database_committed__format_text.xml"
    need(path.exists(), f"reference config missing: {path}")
    from lxml import etree

    text = str(etree.fromstring(path.read_bytes()).text)
    # NAPALM's recorded reply has one stray "}" after `login` (hand-edited fixture): without it the
    # braces balance and the rest is a real device's `show configuration`.
    stray = "            }\n            }\n        }\n    }\n    services"
    assert stray in text
    return text.replace(stray, "            }\n        }\n    }\n    services")


# ---------------------------------------------------------------- the cases, exact lines


def test_changed_value_leaf_is_a_set_alone(rr2: str) -> None:
    running = drifted(rr2, ("host-name rr2;", "host-name rr2-old;"), ("mtu 9014;", "mtu 1500;"))
    lines = assert_converges(running, rr2)
    assert lines == "set system host-name rr2\nset interfaces ge-0/0/0 mtu 9014\n"


def test_removed_leaf_is_deleted_by_its_keyword(rr2: str) -> None:
    intended = drifted(rr2, ("    domain-name lab.local;\n", ""))
    assert assert_converges(rr2, intended) == "delete system domain-name\n"


def test_removed_list_member_and_named_entries(rr2: str) -> None:
    intended = drifted(rr2, ("protocol [ direct bgp ];", "protocol direct;"))
    assert assert_converges(rr2, intended) == (
        "delete policy-options policy-statement FABRIC-EXPORT term loopbacks from protocol bgp\n"
    )
    pe2 = "            neighbor 10.254.0.6 {\n                description pe2;\n            }\n"
    no_pe2 = drifted(rr2, (pe2, ""))
    assert assert_converges(rr2, no_pe2) == "delete protocols bgp group RR-CLIENTS neighbor 10.254.0.6\n"


def test_extra_group_interface_and_neighbor_are_deleted_by_path(rr2: str) -> None:
    running = drifted(
        rr2,
        ("        group RR-MESH {", "        group EXTRA {\n            type external;\n"
         "            peer-as 65099;\n            neighbor 192.0.2.1;\n        }\n        group RR-MESH {"),
        ("    fxp0 {", "    ge-0/0/5 {\n        description spare;\n        unit 0 {\n"
         "            family inet {\n                address 192.0.2.9/31;\n            }\n        }\n"
         "    }\n    fxp0 {"),
        ("            neighbor 10.254.0.1 {",
         "            neighbor 10.254.0.99;\n            neighbor 10.254.0.1 {"),
    )
    assert assert_converges(running, rr2) == (
        "delete interfaces ge-0/0/5\n"
        "delete protocols bgp group EXTRA\n"
        "delete protocols bgp group RR-MESH neighbor 10.254.0.99\n"
    )


def test_deactivated_statement_is_deleted_and_set_again(rr2: str) -> None:
    running = drifted(rr2, ("            neighbor 10.254.0.5 {",
                            "            inactive: neighbor 10.254.0.5 {"))
    assert "inactive: neighbor" in read(running).text()
    assert assert_converges(running, rr2) == (
        "delete protocols bgp group RR-CLIENTS neighbor 10.254.0.5\n"
        "set protocols bgp group RR-CLIENTS neighbor 10.254.0.5 description pe1\n"
    )
    # and the other way round: intended inactive is a deactivate after the sets
    assert assert_converges(rr2, running) == "deactivate protocols bgp group RR-CLIENTS neighbor 10.254.0.5\n"


def test_changed_lists_keep_their_meaningful_order(rr2: str) -> None:
    # export chain A B -> B A: `set` appends, so A is deleted and set again after B
    intended = drifted(rr2, ("export ECMP;", "export [ ECMP LB2 ];"))
    running = drifted(rr2, ("export ECMP;", "export [ LB2 ECMP ];"))
    assert assert_converges(running, intended) == (
        "delete routing-options forwarding-table export LB2\n"
        "set routing-options forwarding-table export LB2\n"
    )
    # a new term in the middle of a policy: the terms after it are rebuilt behind it
    mid = drifted(rr2, ("        term reject {", "        term bgp {\n            from protocol bgp;\n"
                        "            then next policy;\n        }\n        term reject {"))
    lines = assert_converges(rr2, mid)
    assert lines.splitlines()[0] == "delete policy-options policy-statement FABRIC-EXPORT term reject"
    # members of a non-ordered list: no churn for their order
    swapped = drifted(rr2, ("protocol [ direct bgp ];", "protocol [ bgp direct ];"))
    assert remediate(swapped, rr2) == ""


def test_unmanaged_statements_are_left_alone(rr2: str) -> None:
    running = drifted(rr2, ("    host-name rr2;\n", "    host-name rr2;\n    root-authentication {\n"
                            "        encrypted-password \"<removed>\";\n    }\n    time-zone UTC;\n"))
    running = "## Last commit: 2026-11-23 10:00:00 UTC by admin\nversion 23.2R1.15;\n" + running
    assert remediate_config("junos", running, rr2) == ""  # no feature owns them: device defaults
    assert all(r.compliant for r in compare("rr2", "junos", running, rr2))
    # a container mixing managed and unmanaged statements is not deleted wholesale
    no_system = drifted(rr2, (rr2[rr2.index("system {"): rr2.index("snmp {")], ""))
    lines = remediate_config("junos", running, no_system)
    assert "delete system\n" not in lines and "delete system host-name\n" in lines, lines
    assert "root-authentication" not in lines and "time-zone" not in lines
    out = applied(running, lines).text()
    assert "time-zone UTC;" in out and "root-authentication" in out


def test_scrubbed_secrets_are_never_drift_nor_deleted(rr2: str) -> None:
    from fabric.compliance.collect import scrub

    raw = drifted(rr2, ("            class super-user;\n", "            class super-user;\n"
                        "            authentication {\n                encrypted-password \"$6$abc\";\n"
                        "            }\n"))
    running = scrub(raw)
    assert "encrypted-password <removed>;" in running and "$6$abc" not in running
    assert all(r.compliant for r in compare("rr2", "junos", running, rr2))
    # not `delete system login user admin authentication`
    assert remediate_config("junos", running, rr2) == ""
    # the user itself is still managed: a changed class is remediated, the password kept
    lines = remediate_config("junos", running.replace("class super-user", "class read-only"), rr2)
    assert lines == "set system login user admin class super-user\n"


def test_features_limit_remediation_and_per_feature_results(rr2: str) -> None:
    running = drifted(rr2, ("host-name rr2;", "host-name rr2-old;"), ("multiplier 3;", "multiplier 5;"),
                      ("level 2 metric 100;", "level 2 metric 10;"))
    results = {r.feature: r for r in compare("rr2", "junos", running, rr2)}
    bad = {f for f, r in results.items() if not r.compliant}
    assert bad == {"system", "bgp", "isis"}
    assert results["isis"].missing == ["protocols isis interface ge-0/0/1.0 level 2 metric 100"]
    assert results["isis"].extra == ["protocols isis interface ge-0/0/1.0 level 2 metric 10"]
    assert remediate_config("junos", running, rr2, ["isis"]) == (
        "set protocols isis interface ge-0/0/1.0 level 2 metric 100\n"
    )
    assert assert_converges(running, rr2).count("\n") == 3


def test_order_only_drift_is_noncompliant_with_a_remediation(rr2: str) -> None:
    a = rr2.index("        term loopbacks {")
    b = rr2.index("        term reject {")
    end = rr2.index("\n    }\n", b) + 1
    swapped = rr2[:a] + rr2[b:end] + rr2[a:b] + rr2[end:]
    routing = {r.feature: r for r in compare("rr2", "junos", swapped, rr2)}["routing"]
    assert not routing.compliant and routing.detail == "same statements, different order"
    assert assert_converges(swapped, rr2)


def test_statements_mark_inactive_and_cover_the_golden(rr2: str) -> None:
    st = statements(drifted(rr2, ("    lldp {", "    inactive: lldp {")))
    assert ("protocols lldp interface all", "deactivate protocols lldp") in st
    assert ("system host-name rr2", "system host-name rr2") in st
    assert len(st) == len(statements(rr2)) + 1
    # set lines and curly-brace text are one configuration
    assert statements(read(rr2).display_set()) == statements(rr2)


def test_deactivated_container_with_unmanaged_statements_is_activated(rr2: str) -> None:
    running = drifted(rr2, ("system {\n    host-name rr2;\n", "inactive: system {\n    host-name rr2;\n"
                                                               "    time-zone UTC;\n"))
    system = {r.feature: r for r in compare("rr2", "junos", running, rr2)}["system"]
    assert system.extra == ["deactivate system"]
    lines = remediate_config("junos", running, rr2)
    # time-zone belongs to no feature, so `system` is not deleted and set again: activated in place
    assert lines == "activate system\n"
    out = applied(running, lines).text()
    assert "inactive:" not in out and "time-zone UTC;" in out


# ---------------------------------------------------------------- a real device's configuration


def test_real_device_config_mutations_converge(reference: str) -> None:
    conf = read(reference)
    assert conf.text().count("{") == reference.count("{")  # parsed whole
    running = drifted(
        reference,
        ("time-zone UTC;", "time-zone Europe/Paris;"),
        ("authentication-order [ password radius ];", "authentication-order [ radius password ];"),
        ("            timeout 3;\n            retry 1;\n", "            timeout 5;\n"),
        ("            class admin;", "            class read-only;"),
        ("        server 10.17.0.1;", "        server 10.17.0.1;\n        server 10.17.0.2;"),
        ("    community secure {", "    inactive: community secure {"),
        ("        ssh {\n            protocol-version v2;\n        }\n", "        ssh;\n"),
    )
    lines = assert_converges(running, reference)
    assert "set system time-zone UTC\n" in lines and "delete system time-zone" not in lines
    assert "set system radius-server 10.0.0.1 retry 1\n" in lines
    assert "delete system ntp server 10.17.0.2\n" in lines
    assert "set system login user test-user class admin\n" in lines
    assert lines.index("delete system authentication-order radius") < lines.index(
        "set system authentication-order radius")
    # the other direction too
    assert_converges(reference, running)


@pytest.mark.parametrize("seed", range(200))
def test_random_drift_converges(seed: int, rr2: str, reference: str) -> None:
    """Random deletes, additions, value changes and deactivations of real statements (the golden
    render and the device config); the remediation must bring each back exactly."""
    rng = random.Random(seed)
    intended = read(rr2 if seed % 2 else reference)
    nodes: list[tuple[tuple[str, ...], Node]] = []

    def walk(path: tuple[str, ...], n: Node) -> None:
        for c in n.children or ():
            nodes.append(((*path, *c.words), c))
            walk((*path, *c.words), c)

    walk((), intended.root)
    edits = []
    for _ in range(rng.randint(1, 6)):
        path, node = rng.choice(nodes)
        op = rng.choice(["delete", "add", "value", "deactivate", "named"])
        if op == "delete":
            edits.append(f"delete {path_text(path)}")
        elif op == "add" and node.children:
            edits.append(f"set {path_text(path)} extra-knob-{seed}")
        elif op == "value" and node.children is None and len(node.words) == 2 and node.words[0] in VALUE:
            edits.append(f"set {path_text(path[:-1])} {rng.randint(2, 999)}")
        elif op == "deactivate":
            edits.append(f"deactivate {path_text(path)}")
        elif op == "named" and node.children:
            edits.append(f"set {path_text(path)} neighbor 192.0.2.{rng.randint(1, 200)} description x")
    running = intended.load("\n".join(edits), fmt="set").text()
    assert_converges(running, intended.text())
    assert_converges(intended.text(), running)


def test_the_model_rejects_what_junos_rejects(rr2: str) -> None:
    """The check above is meaningful: a malformed line is refused, not silently applied."""
    with pytest.raises(ConfigError):
        read(rr2).load("set system host-name [ a\n", fmt="set")
    with pytest.raises(ConfigError):
        read(rr2).load("frobnicate system\n", fmt="set")
    # the old generic remediation deleted `<leaf> <old value>`: the model warns (statement not found)
    out = read(drifted(rr2, ("description pe2;", "description x;"))).load(
        "delete protocols bgp group RR-CLIENTS neighbor 10.254.0.6 description pe2\n", fmt="set")
    assert out.warnings


# ---------------------------------------------------------------- end to end over NETCONF


def _nornir(tmp_path: Path, bed: Any) -> Any:
    import yaml
    from nornir import InitNornir

    hosts = {"rr2": {"hostname": "127.0.0.1", "port": bed.port, "username": bed.user,
                     "password": bed.password, "platform": "junos", "data": {"platform": "junos"}}}
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


def test_remediation_pushed_over_netconf_rechecks_clean(
    bed: Any, backbone: Fabric, rr2: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import fabric.compliance as compliance
    import fabric.credentials
    import fabric.rollout.drivers as drivers
    from fabric.compliance import collect
    from fabric.credentials import Credentials

    (tmp_path / "inv").mkdir()
    nr = _nornir(tmp_path / "inv", bed)
    # The CLI's paths, pointed at the twin: collection (fabric.compliance.collect through the Junos
    # driver), compare/remediation/backups/history (run_compliance), push (push_remediation).
    monkeypatch.setattr(compliance, "fetch_running",
                        lambda fab, hosts=None, on_device=None: collect.collect(nr, on_device))
    real_driver_for = drivers.driver_for
    monkeypatch.setattr(drivers, "driver_for", lambda t: real_driver_for(
        drivers.Target(t.name, "127.0.0.1", t.platform, t.username, t.password, port=bed.port)))
    monkeypatch.setattr(fabric.credentials, "credentials_for",
                        lambda platform, address: Credentials(bed.user, bed.password))

    # the device runs a drifted golden config (loaded as a full replace)
    running0 = drifted(
        rr2,
        ("host-name rr2;", "host-name rr2-old;"),
        ("    domain-name lab.local;\n", ""),
        ("protocol [ direct bgp ];", "protocol [ direct bgp static ];"),
        ("            neighbor 10.254.0.6 {\n                description pe2;\n            }\n", ""),
        ("            neighbor 10.254.0.1 {", "            inactive: neighbor 10.254.0.1 {"),
        ("    fxp0 {", "    ge-0/0/5 {\n        description spare;\n    }\n    fxp0 {"),
        ("multiplier 3;", "multiplier 5;"),
    )
    drv = drivers.driver_for(drivers.Target("rr2", "x", "junos", bed.user, bed.password))
    try:
        drv.commit_confirmed(running0, "replace", 120, "nf-setup")
        assert drv.confirm("nf-setup")
        assert "host-name rr2-old;" in drv.running()
    finally:
        drv.close()

    kw: dict[str, Any] = {"fab": backbone, "hosts": ["rr2"], "db": tmp_path / "c.sqlite",
                          "backup_dir": tmp_path / "backups"}
    before = compliance.run_compliance("inventory/backbone", **kw)
    assert not before.errors and not before.compliant
    drift = {r.feature for r in before.results if not r.compliant}
    assert drift == {"system", "interfaces", "routing", "bgp"}
    snippet = before.remediations["rr2"]
    assert "delete system domain-name\n" not in snippet and "set system domain-name lab.local\n" in snippet
    assert "delete interfaces ge-0/0/5\n" in snippet
    assert "delete protocols bgp group RR-MESH neighbor 10.254.0.1\n" in snippet
    backup = (tmp_path / "backups" / "rr2.cfg").read_text()
    assert "host-name rr2-old;" in backup and bed.password not in backup
    assert before.backup_commit

    # the CLI's `remediate` computes the same snippet, and --push goes through push_remediation
    assert compliance.remediation(backbone, "rr2") == snippet
    how = compliance.push_remediation(backbone, "rr2", snippet)
    assert "commit-confirmed merge" in how

    after = compliance.run_compliance("inventory/backbone", **kw)
    assert not after.errors
    assert [(r.feature, r.missing, r.extra) for r in after.results if not r.compliant] == []
    assert after.compliant and after.remediations["rr2"] == ""
    assert "host-name rr2;" in (tmp_path / "backups" / "rr2.cfg").read_text()


def test_device_assigned_uid_is_not_drift() -> None:
    """Junos gives every login user a ``uid`` at commit; golden configs never carry one."""
    gold = (ROOT / "containerlab" / "junos-dc" / "vr1.cfg").read_text()
    run = gold.replace("class super-user;", "uid 2000;\n            class super-user;")
    assert run != gold
    assert remediate_config("junos", run, gold) == ""


def test_snmp_communities_are_scrubbed_but_bgp_communities_kept() -> None:
    from fabric.compliance.collect import scrub

    conf = ("snmp {\n    location lab;\n    community s3cr3t-ro {\n        authorization read-only;\n    }\n"
            "    community \"s3cr3t rw\";\n}\npolicy-options {\n"
            "    community NO-EXPORT members no-export;\n}\n"
            "set snmp community s3cr3t-set authorization read-only\n")
    out = scrub(conf)
    assert "s3cr3t" not in out
    assert "community <removed> {" in out and "community NO-EXPORT members no-export;" in out
    assert "set snmp community <removed> authorization read-only" in out
