"""Golden configs: golden files, determinism, minimal diffs, FRR parser check, errors.

Regenerate the golden files with ``UPDATE_GOLDEN=1 pytest tests/render`` (or
``python -m fabric.render --regen-golden``) and review the git diff. Refused under ``CI=true``.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from _skip import in_ci, need

from fabric import render
from fabric.design import load_fabric
from fabric.errors import FabricError
from fabric.model import Fabric
from fabric.platforms import LAB_DEFAULT_CREDENTIALS, PLATFORMS
from fabric.render import render_device, render_fabric
from fabric.structured import build_structured
from fabric.vendors.junos.render import junos_display_set

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parent / "golden"
FABRICS = ("dc1", "backbone")
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"

_CACHE: dict[str, dict[str, str]] = {}
_FABRICS: dict[str, Fabric] = {}


def fabric(name: str) -> Fabric:
    """inventory/<name>, loaded once per session (tests that mutate it take a deep copy)."""
    if name not in _FABRICS:
        _FABRICS[name] = load_fabric(ROOT / "inventory" / name)
    return _FABRICS[name]


def rendered(name: str) -> dict[str, str]:
    if name not in _CACHE:
        _CACHE[name] = render_fabric(fabric(name))
    return _CACHE[name]


def changed_lines(old: str, new: str) -> list[str]:
    """The +/- lines of a unified diff (no headers), sorted: independent of hunk placement."""
    diff = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)
    return sorted(x for x in diff if x[:1] in "+-" and not x.startswith(("+++", "---")))


# ---------------------------------------------------------------- golden files


@pytest.mark.parametrize("name", FABRICS)
def test_golden_files(name: str) -> None:
    configs = rendered(name)
    fab = fabric(name)
    expected: dict[str, str] = {}
    for host, text in configs.items():
        expected[f"{host}.cfg"] = text
        if fab.devices[host].platform == "junos":
            expected[f"{host}.set"] = junos_display_set(text)
    d = GOLDEN / name
    if UPDATE:
        # A CI run must compare against the committed files, never rewrite them and pass.
        assert not in_ci(), "UPDATE_GOLDEN=1 with CI=true: refusing to rewrite the golden files under test"
        d.mkdir(parents=True, exist_ok=True)
        for stale in d.glob("*"):
            stale.unlink()
        for fname, text in expected.items():
            (d / fname).write_text(text)
    assert sorted(p.name for p in d.iterdir()) == sorted(expected), "golden file set differs: UPDATE_GOLDEN=1"
    for fname, text in expected.items():
        golden = (d / fname).read_text()
        assert text == golden, f"{name}/{fname} differs from golden:\n" + "".join(
            difflib.unified_diff(golden.splitlines(True), text.splitlines(True), "golden", "rendered")
        )


def test_update_golden_refused_under_ci() -> None:
    """UPDATE_GOLDEN=1 rewrites the files test_golden_files compares against: under CI it fails the run
    and leaves them alone."""
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in GOLDEN.rglob("*") if p.is_file()}
    env = {**os.environ, "CI": "true", "UPDATE_GOLDEN": "1"}
    p = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"{__file__}::test_golden_files"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p.returncode == 1, p.stdout + p.stderr
    assert "refusing to rewrite the golden files" in p.stdout, p.stdout
    assert f"{len(FABRICS)} failed" in p.stdout, p.stdout
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in GOLDEN.rglob("*") if p.is_file()}
    assert after == before


def test_every_platform_has_a_golden_config() -> None:
    seen = {fabric(f).devices[h].platform for f in FABRICS for h in rendered(f)}
    assert seen == set(PLATFORMS)


def test_no_secrets_in_golden_configs() -> None:
    # The vendor default passwords that cannot be mistaken for ordinary words of a config.
    passwords = {pw for _, pw in LAB_DEFAULT_CREDENTIALS.values() if not pw.isalpha()}
    assert passwords
    for f in FABRICS:
        for host, text in rendered(f).items():
            low = text.lower()
            for word in ("password", " secret ", "encrypted-password", "sha512", "$6$", "$1$"):
                assert word not in low, f"{host}: '{word}' in golden config"
            for pw in passwords:
                assert f" {pw}" not in text, f"{host}: a default password is in the config"


def test_structured_config_is_vendor_neutral_and_frozen() -> None:
    sc = build_structured(fabric("backbone"))
    rr1 = sc["rr1"]
    assert rr1.bgp is not None and rr1.bgp.asn == 65000
    assert [g.name for g in rr1.bgp.peer_groups] == ["RR-CLIENTS", "RR-MESH"]
    assert all(n.remote_as is None for n in rr1.bgp.neighbors)  # inherited from the iBGP groups
    assert rr1.isis is not None and rr1.isis.area == "49.0001" and rr1.isis.system_id == "0102.5400.0001"
    # Fabric-wide: every device filters on the whole loopback pool, not only its own loopback.
    assert [e.prefix for e in rr1.prefix_lists[0].entries] == ["10.254.0.0/24"]
    with pytest.raises(Exception):  # noqa: B017 - pydantic frozen instance error
        rr1.system.hostname = "x"  # type: ignore[misc]
    dumped = rr1.model_dump_json()
    assert "router bgp" not in dumped and "neighbor-group" not in dumped


# ---------------------------------------------------------------- determinism


def _digest(configs: dict[str, str]) -> str:
    h = hashlib.sha256()
    for host, text in sorted(configs.items()):
        h.update(host.encode() + b"\0" + text.encode() + b"\0")
    return h.hexdigest()


def test_deterministic_in_process_and_across_processes() -> None:
    for f in FABRICS:
        a = render_fabric(load_fabric(ROOT / "inventory" / f))
        b = render_fabric(load_fabric(ROOT / "inventory" / f))
        assert a == b
    local = {f: _digest(rendered(f)) for f in FABRICS}
    code = (
        "import hashlib,sys\n"
        "from fabric.design import load_fabric\nfrom fabric.render import render_fabric\n"
        "for f in sys.argv[1:]:\n"
        "    c = render_fabric(load_fabric('inventory/' + f)); h = hashlib.sha256()\n"
        "    for k, v in sorted(c.items()): h.update(k.encode() + b'\\0' + v.encode() + b'\\0')\n"
        "    print(f, h.hexdigest())\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code, *FABRICS], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    assert dict(line.split() for line in out.splitlines()) == local


# ---------------------------------------------------------------- minimal diffs on intent changes


def test_add_a_leaf_changes_only_the_spines_lines(fabric_copy) -> None:  # type: ignore[no-untyped-def]
    before = rendered("dc1")
    path = fabric_copy(
        "dc1", lambda d: d["nodes"]["leaves"].append({"name": "leaf5", "id": 5, "platform": "frr"})
    )
    after = render_fabric(load_fabric(path))
    assert set(after) == set(before) | {"leaf5"}
    for host in ("leaf1", "leaf2", "leaf3", "leaf4"):
        assert after[host] == before[host], host
    # leaf5 is id 5: /31 number (5-1)*max_spines + rank -> 10.1.0.32/31 (spine1), 10.1.0.34/31 (spine2).
    assert changed_lines(before["spine1"], after["spine1"]) == sorted(
        [
            "+interface Ethernet5",
            "+   description to leaf5 eth1",
            "+   mtu 9214",
            "+   no switchport",
            "+   ip address 10.1.0.32/31",
            "+!",
            "+   neighbor 10.1.0.33 peer group LEAVES",
            "+   neighbor 10.1.0.33 remote-as 65105",
            "+   neighbor 10.1.0.33 description leaf5 eth1",
        ]
    )
    assert changed_lines(before["spine2"], after["spine2"]) == sorted(
        [
            "+interface Ethernet5",
            "+   description to leaf5 eth2",
            "+   mtu 9214",
            "+   no switchport",
            "+   ip address 10.1.0.34/31",
            "+!",
            "+   neighbor 10.1.0.35 peer group LEAVES",
            "+   neighbor 10.1.0.35 remote-as 65105",
            "+   neighbor 10.1.0.35 description leaf5 eth2",
        ]
    )
    assert "router bgp 65105" in after["leaf5"]


def test_change_an_asn_changes_only_the_session_lines(fabric_copy) -> None:  # type: ignore[no-untyped-def]
    before = rendered("dc1")

    def edit(d: dict) -> None:  # type: ignore[type-arg]
        d["nodes"]["leaves"][0]["asn"] = 65201  # leaf1

    after = render_fabric(load_fabric(fabric_copy("dc1", edit)))
    assert changed_lines(before["leaf1"], after["leaf1"]) == ["+router bgp 65201", "-router bgp 65101"]
    assert changed_lines(before["spine1"], after["spine1"]) == [
        "+   neighbor 10.1.0.1 remote-as 65201",
        "-   neighbor 10.1.0.1 remote-as 65101",
    ]
    assert changed_lines(before["spine2"], after["spine2"]) == [
        "+   neighbor 10.1.0.3 remote-as 65201",
        "-   neighbor 10.1.0.3 remote-as 65101",
    ]
    for host in ("leaf2", "leaf3", "leaf4"):
        assert after[host] == before[host], host


def test_change_mtu_changes_only_mtu_lines(fabric_copy) -> None:  # type: ignore[no-untyped-def]
    before = rendered("backbone")

    def edit(d: dict) -> None:  # type: ignore[type-arg]
        d["mtu"] = 9100

    after = render_fabric(load_fabric(fabric_copy("backbone", edit)))
    # Every vendor spells the MTU its own way (L3 ip-mtu vs L2 port MTU = IP MTU + 14).
    expected = {
        "p2": ("   mtu 9000", "   mtu 9100", 4),  # eos: 4 links
        "rr1": (" mtu 9014", " mtu 9114", 2),  # iosxr: L2
        "pe1": (" mtu 9014", " mtu 9114", 2),
        "rr2": ("        mtu 9014;", "        mtu 9114;", 2),  # junos: physical (L2) mtu
    }
    for host, (old, new, count) in expected.items():
        assert changed_lines(before[host], after[host]) == sorted(
            ["-" + old] * count + ["+" + new] * count
        ), host
    srl = changed_lines(before["pe2"], after["pe2"])
    assert srl == [
        "+set / interface ethernet-1/1 subinterface 0 ip-mtu 9100",
        "+set / interface ethernet-1/2 subinterface 0 ip-mtu 9100",
        "-set / interface ethernet-1/1 subinterface 0 ip-mtu 9000",
        "-set / interface ethernet-1/2 subinterface 0 ip-mtu 9000",
    ]
    sros = changed_lines(before["p1"], after["p1"])
    assert len(sros) == 16  # 4 ports x (port mtu + ip-mtu) x (-/+)
    assert all(("ethernet mtu 91" in x or "ip-mtu 9100" in x) if x[0] == "+" else True for x in sros)


def test_bfd_timers_change_only_bfd_lines(fabric_copy) -> None:  # type: ignore[no-untyped-def]
    def edit(d: dict) -> None:  # type: ignore[type-arg]
        d["bfd"] = {"interval": 1000, "multiplier": 4}

    expect = {  # a line each platform must gain (in its own units and syntax)
        "backbone": {
            "rr1": "+  bfd minimum-interval 1000",  # iosxr
            "rr2": "+                minimum-interval 1000;",  # junos
            "p1": "bfd transmit-interval 1000",  # sros (ms)
            "p2": "+   interval 1000 min-rx 1000 multiplier 4 default",  # eos: router bfd
            "pe2": "desired-minimum-transmit-interval 1000000",  # srlinux (microseconds)
        },
        "dc1": {"spine1": "+router bfd", "leaf3": "+ neighbor SPINES bfd profile fabric"},  # eos, frr
    }
    for name, hosts in expect.items():
        before = rendered(name)
        after = render_fabric(load_fabric(fabric_copy(name, edit)))
        for host in before:
            diff = changed_lines(before[host], after[host])
            assert diff, f"{name}/{host}: BFD timers changed nothing"
            framing = ("!", "exit", "router bfd", "bfd", "profile fabric")
            keys = ("interval", "multiplier", "bfd profile", "bfd receive", "minimum-receive")
            noise = [x for x in diff if x[1:].strip() not in framing and not any(k in x for k in keys)]
            assert not noise, f"{name}/{host}: unrelated lines changed: {noise}"
            if host in hosts:
                assert any(hosts[host] in x for x in diff), f"{name}/{host}: {hosts[host]!r} not in {diff}"
    frr = render_fabric(load_fabric(fabric_copy("dc1", edit)))["leaf3"]
    assert "bfd\n profile fabric\n  detect-multiplier 4\n  transmit-interval 1000\n" in frr


# ---------------------------------------------------------------- FRR's own parser


def _frr_configs() -> list[tuple[str, str]]:
    out = []
    for f in FABRICS:
        fab = fabric(f)
        out += [(f"{f}/{h}", t) for h, t in rendered(f).items() if fab.devices[h].platform == "frr"]
    return out


def _frr_variants(fabric_copy) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """dc1 with OSPF and IS-IS underlays (iBGP + RR) + advertised links: FRR paths not in goldens."""
    out = []
    for underlay, bfd in (("ospf", None), ("isis", None), ("ospf", 1000), ("isis", 1000), ("ebgp", 1000)):

        def edit(d: dict, u: str = underlay, b: int | None = bfd) -> None:  # type: ignore[type-arg]
            d["underlay"] = u
            d["bgp"] = {"advertise_p2p": True}
            if b:
                d["bfd"] = {"interval": b, "multiplier": 4}  # FRR bfd profile paths

        fab = load_fabric(fabric_copy("dc1", edit))
        out += [
            (f"dc1-{underlay}-bfd{bfd}/{h}", t)
            for h, t in render_fabric(fab).items()
            if fab.devices[h].platform == "frr"
        ]
    return out


def test_frr_configs_pass_the_frr_parser(tmp_path: Path, fabric_copy) -> None:  # type: ignore[no-untyped-def]
    need(shutil.which("vtysh"), "FRR (vtysh) not installed")
    configs = _frr_configs() + _frr_variants(fabric_copy)
    assert len(configs) >= 6
    for name, text in configs:
        f = tmp_path / (name.replace("/", "_") + ".conf")
        f.write_text(text)
        proc = subprocess.run(["vtysh", "--dryrun", "-f", str(f)], capture_output=True, text=True, timeout=30)
        output = proc.stdout + proc.stderr
        assert proc.returncode == 0, f"{name}: vtysh --dryrun exit {proc.returncode}\n{output}"
        bad = [x for x in output.splitlines() if "%" in x or "error" in x.lower() or "unknown" in x.lower()]
        assert not bad, f"{name}: FRR parser complained:\n" + "\n".join(bad)


def test_frr_parser_check_catches_errors(tmp_path: Path) -> None:
    """The check above is meaningful: vtysh --dryrun rejects a bad line."""
    need(shutil.which("vtysh"), "FRR (vtysh) not installed")
    f = tmp_path / "bad.conf"
    f.write_text(rendered("dc1")["leaf3"].replace("router bgp", "router bgpx"))
    proc = subprocess.run(["vtysh", "--dryrun", "-f", str(f)], capture_output=True, text=True, timeout=30)
    # vtysh's exit code alone is not enough (it depends on the line that failed): check the output too.
    assert "Unknown command" in proc.stdout + proc.stderr


# ---------------------------------------------------------------- junos set form


def test_junos_display_set() -> None:
    text = rendered("backbone")["rr2"]
    sets = junos_display_set(text).splitlines()
    assert "set system host-name rr2" in sets
    assert "set protocols isis interface ge-0/0/0.0 level 2 metric 10" in sets
    assert "set policy-options policy-statement FABRIC-EXPORT term loopbacks from protocol direct" in sets
    assert "set policy-options policy-statement FABRIC-EXPORT term loopbacks from protocol bgp" in sets
    assert all(x.startswith("set ") for x in sets)
    with pytest.raises(FabricError, match="unbalanced"):
        junos_display_set("system {\n    host-name x;\n")


# ---------------------------------------------------------------- errors


@pytest.fixture
def scratch_templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A private copy of templates/ that a test may break; the env cache is reset around it."""
    tpl = tmp_path / "repo" / "templates"
    shutil.copytree(render.TEMPLATES, tpl)
    monkeypatch.setattr(render, "TEMPLATES", tpl)
    render.environment.cache_clear()
    yield tpl
    render.environment.cache_clear()


def test_undefined_variable_names_device_template_and_line(scratch_templates: Path) -> None:
    f = scratch_templates / "eos" / "bgp.j2"
    lines = f.read_text().splitlines(keepends=True)
    lines.insert(3, "   bgp cluster-id {{ b.cluster_idd }}\n")  # becomes line 4
    f.write_text("".join(lines))
    sc = build_structured(fabric("dc1"), ["leaf1"])["leaf1"]
    with pytest.raises(FabricError) as ei:
        render_device(sc)
    msg = str(ei.value)
    assert "leaf1" in msg and "eos" in msg
    assert "templates/eos/bgp.j2:4" in msg
    assert "cluster_idd" in msg


def test_template_syntax_error_names_template_and_line(scratch_templates: Path) -> None:
    f = scratch_templates / "frr" / "isis.j2"
    f.write_text(f.read_text().replace("{% endif %}", "{% endfi %}"))
    sc = build_structured(fabric("dc1"), ["leaf3"])["leaf3"]
    with pytest.raises(FabricError) as ei:
        render_device(sc)
    msg = str(ei.value)
    assert "leaf3" in msg and "templates/frr/isis.j2:" in msg and "syntax" in msg


def test_empty_render_is_an_error(scratch_templates: Path) -> None:
    (scratch_templates / "sros" / "main.j2").write_text("{# nothing #}\n")
    sc = build_structured(fabric("backbone"), ["p1"])["p1"]
    with pytest.raises(FabricError, match="p1 .*empty"):
        render_device(sc)


def test_bad_intent_unknown_host_and_platform() -> None:
    fab = fabric("dc1")
    with pytest.raises(FabricError, match="unknown host.*nope"):
        render_fabric(fab, ["nope"])
    sc = build_structured(fab, ["leaf1"])["leaf1"]
    bad = sc.model_copy(update={"system": sc.system.model_copy(update={"platform": "vyos"})})
    with pytest.raises(FabricError, match="leaf1.*unknown platform 'vyos'"):
        render_device(bad)


# ---------------------------------------------------------------- nornir task


def _nornir(hosts: dict[str, dict]):  # type: ignore[no-untyped-def,type-arg]
    from nornir.core import Nornir
    from nornir.core.inventory import Defaults, Groups, Host, Hosts, Inventory
    from nornir.plugins.runners import SerialRunner

    inv = Inventory(
        hosts=Hosts({n: Host(name=n, data=d) for n, d in hosts.items()}), groups=Groups(), defaults=Defaults()
    )
    return Nornir(inventory=inv, runner=SerialRunner())


def test_render_task_from_host_intent() -> None:
    fab = fabric("backbone")
    nr = _nornir({h: {"intent": d.model_dump(mode="json")} for h, d in fab.devices.items()})
    res = nr.run(task=render.render_task)
    assert not res.failed
    for h in fab.devices:
        text = res[h][0].result
        assert text == nr.inventory.hosts[h].data["config"]
        assert fab.devices[h].hostname in text
    # Without pools the filters list every loopback exactly (same routing, other text).
    assert "  10.254.0.1/32,\n" in res["pe1"][0].result
    # With the fabric, or with the pools in the inventory data, the output is exactly the golden config.
    res = nr.run(task=render.render_task, fabric=fab)
    assert {h: r[0].result for h, r in res.items()} == rendered("backbone")
    nr = _nornir(
        {h: {"intent": d.model_dump(mode="json"), "pools": fab.pools} for h, d in fab.devices.items()}
    )
    res = nr.run(task=render.render_task)
    assert {h: r[0].result for h, r in res.items()} == rendered("backbone")


def test_render_task_without_intent_fails_clearly() -> None:
    nr = _nornir({"x1": {}})
    res = nr.run(task=render.render_task)
    assert res.failed
    assert "x1: host has no data['intent']" in str(res["x1"][0].exception)


# ---------------------------------------------------------------- CLI


def test_cli_render_writes_files_and_diffs(  # type: ignore[no-untyped-def]
    tmp_path: Path, fabric_copy, monkeypatch: pytest.MonkeyPatch
) -> None:
    import typer
    from typer.testing import CliRunner

    from fabric.render_cli import register

    app = typer.Typer()
    register(app)

    @app.callback()
    def _main() -> None:  # a callback keeps `render` a named sub-command
        pass

    out = tmp_path / "configs"
    runner = CliRunner()
    r = runner.invoke(
        app, ["render", str(ROOT / "inventory" / "dc1"), "--out", str(out), "--hosts", "leaf1,leaf3"]
    )
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == ["leaf1.cfg", "leaf3.cfg"]
    assert (out / "leaf1.cfg").read_text() == rendered("dc1")["leaf1"]

    def edit(d: dict) -> None:  # type: ignore[type-arg]
        d["nodes"]["leaves"][0]["asn"] = 65201

    r = runner.invoke(
        app, ["render", str(fabric_copy("dc1", edit)), "--out", str(out), "--hosts", "leaf1", "--diff"]
    )
    assert r.exit_code == 0, r.output
    assert "-router bgp 65101" in r.output and "+router bgp 65201" in r.output
    assert "1 changed" in r.output

    # without --out: build/configs/<fabric>/, so two fabrics' spine1..4 never overwrite each other
    monkeypatch.chdir(tmp_path)
    for name in ("dc1", "dc-large"):
        r = runner.invoke(app, ["render", str(ROOT / "inventory" / name), "--hosts", "spine1"])
        assert r.exit_code == 0, r.output
    for name in ("dc1", "dc-large"):
        assert (tmp_path / "build" / "configs" / name / "spine1.cfg").read_text() == rendered(name)["spine1"]


def test_out_of_pool_loopback_is_advertised_everywhere(fabric_copy) -> None:  # type: ignore[no-untyped-def]
    """Fabric-wide fact: a loopback override outside the pool is added (exact) to every device's filter."""

    def edit(d: dict) -> None:  # type: ignore[type-arg]
        d["nodes"]["leaves"][3]["loopback"] = "192.168.99.4"  # leaf4

    before = rendered("dc1")
    after = render_fabric(load_fabric(fabric_copy("dc1", edit)))
    assert changed_lines(before["leaf1"], after["leaf1"]) == ["+   seq 20 permit 192.168.99.4/32"]
    assert changed_lines(before["leaf3"], after["leaf3"]) == [
        "+ip prefix-list LOOPBACKS seq 10 permit 192.168.99.4/32"
    ]


def test_render_task_with_the_fabric_inventory() -> None:
    """Hosts built by fabric.inventory (data['intent'] = DeviceIntent JSON) render out of the box."""
    from fabric import inventory
    fab = fabric("dc1")
    nr = inventory.load_nornir(ROOT / "inventory" / "dc1", fab=fab, num_workers=1)
    res = nr.run(task=render.render_task, fabric=fab)
    assert not res.failed
    assert {h: r[0].result for h, r in res.items()} == rendered("dc1")


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: setattr(d.interfaces[1], "ipv4", None), r"leaf1: interface Ethernet1 has no IPv4 address"),
        (
            lambda d: setattr(d.interfaces[1], "ipv4", "10.1.0.300/31"),
            r"leaf1: interface Ethernet1: '10.1.0.300/31'",
        ),
        (
            lambda d: setattr(d.bgp.neighbors[0], "peer_group", "SPINEZ"),
            r"leaf1: BGP neighbor 10.1.0.0 .*'SPINEZ'",
        ),
        (
            lambda d: setattr(d.bgp, "address_families", ["l2vpn-evpn"]),
            r"leaf1: BGP address family 'l2vpn-evpn'",
        ),
        (lambda d: setattr(d, "platform", "vyos"), r"unknown platform 'vyos'"),
    ],
)
def test_bad_intent_is_a_clear_error(mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    fab = fabric("dc1").model_copy(deep=True)
    mutate(fab.devices["leaf1"])
    with pytest.raises(FabricError, match=message) as ei:
        render_fabric(fab, ["leaf1"])
    assert "leaf1" in str(ei.value)


def test_main_cli_has_render() -> None:
    from typer.testing import CliRunner

    from fabric import cli
    r = CliRunner().invoke(cli.app, ["render", "--help"])
    assert r.exit_code == 0 and "--diff" in r.output and "--hosts" in r.output


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_every_platform_renders_every_underlay(platform: str, fabric_copy) -> None:  # type: ignore[no-untyped-def]
    """Code paths the goldens do not hit (eBGP on XR/Junos/SR OS/SR Linux, OSPF everywhere...)."""
    for underlay in ("ebgp", "ospf", "isis"):

        def edit(d: dict, u: str = underlay) -> None:  # type: ignore[type-arg]
            d["underlay"] = u
            d["bgp"] = {"advertise_p2p": True}
            for nodes in d["nodes"].values():
                for n in nodes:
                    n["platform"] = platform

        configs = render_fabric(load_fabric(fabric_copy("dc1", edit)))
        for host, text in configs.items():
            assert text.strip(), f"{platform}/{underlay}/{host}"
            assert "None" not in text, f"{platform}/{underlay}/{host}: a None leaked into the config"
            # The design originates links only in eBGP fabrics (an IGP carries them otherwise).
            assert ("FABRIC-LINKS" in text) == (underlay == "ebgp"), f"{platform}/{underlay}/{host}"
