"""containerlab topology parsing: inheritance, naming, aliases, template vars, schema errors, warnings."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import yaml
from _skip import need

from fabric.errors import FabricError
from fabric.lab import artifacts, clab_backend, load_topology
from fabric.lab.netns import (
    _exec_script,
    daemons_from_config,
    mgmt_veth,
    neigh_thresholds,
    parse_daemons_file,
    raise_neigh_limits,
)
from fabric.lab.state import build_state
from fabric.lab.topology import DEFAULT_LINK_MTU, linux_ifname, long_name

pytestmark = pytest.mark.lab


def write(tmp: Path, text: str, name: str = "t.clab.yml") -> Path:
    p = tmp / name
    p.write_text(textwrap.dedent(text))
    return p


def test_inheritance_defaults_kinds_groups_node(tmp_path: Path) -> None:
    (tmp_path / "frr.conf").write_text("hostname x\n")
    p = write(tmp_path, """
        name: inh
        topology:
          defaults:
            kind: linux
            env: {A: d, B: d}
            labels: {l1: d}
            binds: ["frr.conf:/etc/frr/frr.conf"]
          kinds:
            linux: {image: "alpine:3", env: {B: k, C: k}}
          groups:
            g: {env: {C: g}, labels: {l2: g}, image: "quay.io/frrouting/frr:8.4.4"}
          nodes:
            n1: {group: g, env: {D: n}}
            n2: {}
    """)
    t = load_topology(p)
    n1, n2 = t.nodes["n1"], t.nodes["n2"]
    assert n1.env == {"A": "d", "B": "k", "C": "g", "D": "n"}
    assert n1.labels == {"l1": "d", "l2": "g"}
    assert n1.image.startswith("quay.io/frrouting/frr") and n2.image == "alpine:3"
    assert n1.binds == [(str(tmp_path / "frr.conf"), "/etc/frr/frr.conf")]
    assert n1.runs_frr and n2.runs_frr  # both bind FRR files (from defaults)


def test_naming_prefix_rules() -> None:
    assert long_name("clab", "dc1", "leaf1") == "clab-dc1-leaf1"
    assert long_name("", "dc1", "leaf1") == "leaf1"
    assert long_name("__lab-name", "dc1", "leaf1") == "dc1-leaf1"
    assert long_name("acme", "dc1", "leaf1") == "acme-dc1-leaf1"


def test_prefix_and_lab_dir(tmp_path: Path) -> None:
    p = write(tmp_path, """
        name: pfx
        prefix: __lab-name
        topology: {nodes: {a: {kind: linux}}}
    """)
    t = load_topology(p)
    assert t.nodes["a"].long_name == "pfx-a"
    assert t.lab_dir == tmp_path / "clab-pfx"


@pytest.mark.parametrize(
    ("kind", "given", "linux"),
    [
        ("nokia_srlinux", "ethernet-1/1", "e1-1"),
        ("nokia_srlinux", "e1-2", "e1-2"),
        ("arista_ceos", "Ethernet1", "eth1"),
        ("arista_ceos", "eth3", "eth3"),
        ("cisco_xrd", "Gi0-0-0-0", "Gi0-0-0-0"),
        ("cisco_xrd", "GigabitEthernet0/0/0/1", "Gi0-0-0-1"),
        ("cisco_xrv9k", "eth1", "Gi0-0-0-0"),  # vrnetlab: ethN is GigabitEthernet0/0/0/{N-1}
        ("cisco_xrv", "Gi0/0/0/2", "Gi0-0-0-2"),
        ("juniper_vjunosrouter", "ge-0/0/0", "eth1"),
        ("nokia_sros", "1/1/3", "eth3"),
        ("linux", "eth7", "eth7"),
    ],
)
def test_interface_aliases(kind: str, given: str, linux: str) -> None:
    assert linux_ifname(kind, given) == linux


def test_bad_interface_names() -> None:
    with pytest.raises(ValueError):
        linux_ifname("arista_ceos", "Gi1")
    with pytest.raises(ValueError):
        linux_ifname("linux", "eth0")
    with pytest.raises(ValueError):
        linux_ifname("cisco_xrd", "eth1")  # XRd takes Gi0-0-0-N only
    with pytest.raises(ValueError):
        linux_ifname("linux", "x" * 16)


def test_kinds_links_and_mgmt(tmp_path: Path) -> None:
    p = write(tmp_path, """
        name: al
        mgmt: {ipv4-subnet: 10.99.0.0/24}
        topology:
          nodes:
            s1: {kind: nokia_srlinux}
            c1: {kind: arista_ceos, mgmt-ipv4: 10.99.0.2}
            h: {kind: linux}
          links:
            - endpoints: ["s1:ethernet-1/1", "c1:Ethernet1"]
            - type: veth
              endpoints: [{node: c1, interface: Ethernet2}, {node: h, interface: eth1}]
    """)
    t = load_topology(p)
    assert t.nodes["s1"].kind == "nokia_srlinux" and t.nodes["c1"].kind == "arista_ceos"
    assert [(lk.a.interface, lk.b.interface) for lk in t.links] == [("e1-1", "eth1"), ("eth2", "eth1")]
    # explicit address kept; others deterministic from the bottom of the subnet, skipping gateway/used
    assert t.mgmt_gateway == "10.99.0.1"
    assert (t.nodes["s1"].mgmt_ipv4, t.nodes["c1"].mgmt_ipv4, t.nodes["h"].mgmt_ipv4) == (
        "10.99.0.3", "10.99.0.2", "10.99.0.4")
    assert t.nodes["c1"].username == "admin" and t.nodes["c1"].interfaces == ["eth1", "eth2"]
    assert len(mgmt_veth(t.nodes["c1"].long_name)) <= 15


def test_template_vars(tmp_path: Path) -> None:
    (tmp_path / "cfg").mkdir()
    for n in ("r1", "r2"):
        (tmp_path / "cfg" / f"{n}.conf").write_text(f"hostname {n}\n")
        (tmp_path / "cfg" / f"clab-tv-{n}.daemons").write_text("bgpd=yes\n")
    p = write(tmp_path, """
        name: tv
        topology:
          defaults:
            kind: linux
            binds:
              - cfg/__clabNodeName__.conf:/etc/frr/frr.conf
              - "cfg/{{ .LongName }}.daemons:/etc/frr/daemons"
              - __clabNodeDir__/x:/x
          nodes:
            r1: {}
            r2: {startup-config: "cfg/{{ .ShortName }}.conf"}
    """)
    t = load_topology(p)
    r2 = t.nodes["r2"]
    assert r2.bind_for("/etc/frr/frr.conf") == str(tmp_path / "cfg/r2.conf")
    assert r2.bind_for("/etc/frr/daemons") == str(tmp_path / "cfg/clab-tv-r2.daemons")
    assert r2.bind_for("/x") == str(tmp_path / "clab-tv/r2/x")
    assert r2.startup_config == str(tmp_path / "cfg/r2.conf")


def test_unknown_template_var(tmp_path: Path) -> None:
    p = write(tmp_path, """
        name: tv
        topology: {nodes: {r1: {kind: linux, startup-config: "{{ .Nope }}.cfg"}}}
    """)
    with pytest.raises(FabricError) as ei:
        load_topology(p)
    assert ei.value.key == "topology.nodes.r1.startup-config" and "Nope" in str(ei.value)


def test_inline_startup_config(tmp_path: Path) -> None:
    p = write(tmp_path, """
        name: inl
        topology:
          nodes:
            r1:
              kind: linux
              startup-config: |
                hostname r1
                router ospf
    """)
    t = load_topology(p)
    assert t.nodes["r1"].startup_config_inline == "hostname r1\nrouter ospf\n"


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ("topology: {nodes: {r1: {kind: linux, mgmt-ipv4: 300.1.1.1}}}", "topology.nodes.r1.mgmt-ipv4"),
        ("topology: {nodes: {r1: {kind: linux, exec: 5}}}", "topology.nodes.r1.exec"),
        ("topology: {nodes: {r1: {kind: linux}}, links: [{endpoints: 3}]}", "topology.links.0"),
        # schema v0.79 only knows canonical kind names
        ("topology: {nodes: {r1: {kind: ceos}}}", "topology.nodes.r1.kind"),
    ],
)
def test_schema_error_names_key_path(tmp_path: Path, body: str, key: str) -> None:
    p = write(tmp_path, "name: se\n" + body + "\n")
    with pytest.raises(FabricError) as ei:
        load_topology(p)
    assert ei.value.file == str(p)
    assert ei.value.key is not None and ei.value.key.startswith(key), ei.value.key
    assert "schema error at" in str(ei.value)


def test_semantic_errors(tmp_path: Path) -> None:
    p = write(tmp_path, "name: x\ntopology:\n  nodes: {r1: {kind: linux}}\n"
                        "  links: [{endpoints: [r1:eth1, r9:eth1]}]\n")
    with pytest.raises(FabricError, match="unknown node 'r9'") as ei:
        load_topology(p)
    assert ei.value.key == "topology.links[0].endpoints[1]"
    p = write(tmp_path, "name: x\ntopology: {nodes: {r1: {kind: cisco_iol}}}\n")
    with pytest.raises(FabricError, match="not supported") as ei:
        load_topology(p)
    assert ei.value.key == "topology.nodes.r1.kind"
    with pytest.raises(FabricError, match="not found"):
        load_topology(tmp_path / "missing.clab.yml")


def test_unsupported_fields_warn(tmp_path: Path) -> None:
    p = write(tmp_path, """
        name: w
        topology:
          nodes:
            r1: {kind: linux, ports: ["8080:80"], cpu: 1}
            r2: {kind: linux}
          links:
            - endpoints: ["r1:eth1", "r2:eth1"]
              vars: {x: 1}
    """)
    with pytest.warns(UserWarning) as rec:
        t = load_topology(p)
    joined = "\n".join(t.warnings)
    assert len(rec) == len(t.warnings) == 3
    assert any("topology.nodes.r1.ports" in str(w.message) for w in rec)
    assert "topology.nodes.r1.cpu" in joined and "topology.links[0].vars" in joined


def test_link_mtu(tmp_path: Path) -> None:
    """containerlab: veth links get MTU 9500 (DefaultVethLinkMTU) unless the link sets `mtu`."""
    p = write(tmp_path, """
        name: m
        topology:
          nodes: {r1: {kind: linux}, r2: {kind: linux}}
          links:
            - endpoints: ["r1:eth1", "r2:eth1"]
              mtu: 9000
            - endpoints: ["r1:eth2", "r2:eth2"]
            - type: veth
              mtu: 1500
              endpoints: [{node: r1, interface: eth3}, {node: r2, interface: eth3}]
    """)
    t = load_topology(p)
    assert [lk.mtu for lk in t.links] == [9000, DEFAULT_LINK_MTU, 1500] and DEFAULT_LINK_MTU == 9500
    assert not t.warnings
    bad = write(tmp_path, """
        name: m2
        topology:
          nodes: {r1: {kind: linux}, r2: {kind: linux}}
          links: [{endpoints: ["r1:eth1", "r2:eth1"], mtu: 20}]
    """, name="bad.clab.yml")
    with pytest.raises(FabricError) as ei:
        load_topology(bad)
    assert ei.value.key == "topology.links[0].mtu"


def test_neighbour_table_limits_only_raised(tmp_path: Path) -> None:
    t1, t2, t3 = neigh_thresholds(64, 448)
    assert t1 >= 2 * (64 + 448) and t1 <= t2 <= t3 and t3 > 1024  # dc-large alone overflows 1024
    for fam in ("ipv4", "ipv6"):
        d = tmp_path / fam / "neigh" / "default"
        d.mkdir(parents=True)
        for k, v in (("gc_thresh1", 128), ("gc_thresh2", 512), ("gc_thresh3", 99999)):
            (d / k).write_text(f"{v}\n")
    logs: list[str] = []
    changed = raise_neigh_limits(64, 448, log=logs.append, root=tmp_path)
    v4 = tmp_path / "ipv4" / "neigh" / "default"
    assert int((v4 / "gc_thresh1").read_text()) == t1 and int((v4 / "gc_thresh2").read_text()) == t2
    assert int((v4 / "gc_thresh3").read_text()) == 99999  # never lowered
    assert len(changed) == 4 and len(logs) == 1 and "gc_thresh1 128 -> " in logs[0]
    assert raise_neigh_limits(3, 2, log=logs.append, root=tmp_path) == [] and len(logs) == 1  # logged once


def test_exec_lines_one_shell_per_node(tmp_path: Path) -> None:
    """All exec lines of a node run in one shell, each on its own, in order; failures are reported."""
    from fabric.lab.topology import Node

    n = Node(name="h1", kind="linux", long_name="clab-x-h1",
             exec=["echo a >> out", "exit 3", "echo 'unbalanced", "echo b >> out; echo oops >&2; false"])
    script = tmp_path / "exec.sh"
    script.write_text(_exec_script(n, tmp_path))
    import subprocess

    p = subprocess.run(["sh", str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=10)
    assert (tmp_path / "out").read_text() == "a\nb\n"
    rcs = dict(line.split() for line in p.stdout.splitlines())
    assert rcs["0"] == "0" and rcs["1"] == "3" and rcs["2"] != "0" and rcs["3"] == "1"
    assert (tmp_path / "exec.3.err").read_text().strip() == "oops"


def test_exec_ip_link_lines_batched_with_per_line_results(tmp_path: Path) -> None:
    """Runs of `ip link set ... mtu/up/down` go to one `ip -force -batch`; each line still gets its own
    exit code and error, the lines around the run keep their order, and the changes are made."""
    import subprocess

    from _labutil import require_lab_env

    from fabric.lab.topology import Node

    require_lab_env()
    ns = "nf-exec-batch-test"
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        veth = ["ip", "-n", ns, "link", "add", "d1", "type", "veth", "peer", "name", "d2"]
        subprocess.run(veth, check=True)
        out = tmp_path / "out"
        n = Node(name="h1", kind="linux", long_name=ns, exec=[
            f"echo a >> {out}", "ip link set d1 mtu 1400", "ip link set nosuch mtu 1400",
            "ip link set dev d1 up", "ip link set d2 mtu 99999", "ip link set d2 mtu 1300 up",
            f"echo b >> {out}",
        ])
        script = _exec_script(n, tmp_path)
        assert script.count("ip -force -batch") == 1 and script.count("eval") == 2
        p = subprocess.run(["ip", "netns", "exec", ns, "sh", "-c", script], capture_output=True, text=True)
        rcs = dict(line.split() for line in p.stdout.splitlines())
        assert rcs == {"0": "0", "1": "0", "2": "1", "3": "0", "4": "1", "5": "0", "6": "0"}
        assert "nosuch" in (tmp_path / "exec.2.err").read_text()
        assert "mtu" in (tmp_path / "exec.4.err").read_text()
        assert out.read_text() == "a\nb\n"
        links = subprocess.run(["ip", "-n", ns, "-j", "link"], capture_output=True, text=True).stdout
        mtu = {lk["ifname"]: (lk["mtu"], lk["operstate"]) for lk in json.loads(links)}
        assert mtu["d1"][0] == 1400 and mtu["d2"] == (1300, "UP")
    finally:
        subprocess.run(["ip", "netns", "del", ns], check=False)


def test_daemons_file_and_detection() -> None:
    enabled, opts = parse_daemons_file('bgpd=yes\nospfd=no\n# x\nbgpd_options="  -A 127.0.0.1"\nisisd=yes\n')
    assert enabled == ["bgpd", "isisd"] and opts == {"bgpd": "-A 127.0.0.1"}
    assert daemons_from_config("router bgp 1\n!\nrouter ospf\n") == ["bgpd", "ospfd"]


def test_state_and_artifacts_shapes(repo: Path) -> None:
    t = load_topology(repo / "containerlab/frr-triangle.clab.yml")
    st = build_state(t)
    r1 = st["nodes"]["r1"]
    assert st["mgmt"]["bridge"].startswith("nfbr-") and len(st["mgmt"]["bridge"]) <= 15
    assert r1["netns"] == r1["frr_pathspace"] == "clab-frr-triangle-r1" and r1["twin"] is None
    assert st["nodes"]["h1"]["frr_pathspace"] is None
    assert r1["interfaces"] == ["eth1", "eth2", "eth3"]
    td = artifacts.topology_data(t)
    assert td["nodes"]["r1"]["longname"] == "clab-frr-triangle-r1"
    assert td["nodes"]["r1"]["mgmt-ipv4-address"] == "172.20.31.11"
    assert td["links"][0]["a"]["node"] == "r1" and td["links"][0]["z"]["peer"] == "a"
    json.dumps(td)
    inv = artifacts.ansible_inventory(t)
    assert inv["all"]["children"]["linux"]["hosts"]["clab-frr-triangle-r1"]["ansible_host"] == "172.20.31.11"
    nr = yaml.safe_load(yaml.safe_dump(artifacts.nornir_inventory(t)))
    assert nr["r1"]["hostname"] == "172.20.31.11" and nr["r1"]["platform"] == "linux"
    assert "r1 -- " not in artifacts.graph_dot(t) and '"r1" -- "r2"' in artifacts.graph_dot(t)


def test_containerlab_backend_commands(tmp_path: Path) -> None:
    topo = tmp_path / "x.clab.yml"
    assert clab_backend.deploy_cmd(topo) == ["containerlab", "deploy", "-t", str(topo)]
    assert clab_backend.destroy_cmd(topo, cleanup=True) == [
        "containerlab", "destroy", "-t", str(topo), "--cleanup"]
    assert clab_backend.destroy_cmd(None, all_labs=True) == ["containerlab", "destroy", "--all"]
    assert clab_backend.inspect_cmd(None, all_labs=True)[-1] == "--all"


def test_containerlab_backend_live(repo: Path) -> None:
    reason = clab_backend.available()
    # containerlab needs Docker, which CI is documented not to have (the embedded lab exists so that
    # it need not): the one skip CI allows. Command construction is tested above without it.
    need(not reason, f"live containerlab run: {reason}", ci_ok="docker")
    assert clab_backend.run(clab_backend.inspect_cmd(None, all_labs=True)) in (0, 1)


def test_convergence_report(monkeypatch: pytest.MonkeyPatch) -> None:
    from fabric.lab import readiness

    isis_if = "Area core:\n  Interface: eth1, State: Up, Active, Circuit Id: 0x0\n    Type: p2p, Level: L2\n"
    isis_nbr = ("Area core:\n  System Id   Interface   L  State   Holdtime SNPA\n"
                " r2   eth1   2  Up   10  2020.2020\n")
    assert readiness._isis_interfaces(isis_if) == {"eth1"}
    assert readiness._isis_up(isis_nbr) == {"eth1"}
    infos = {
        "a": {"name": "a",
              "bgp": {"10.0.0.1": {"bgpState": "Active"}, "10.0.0.3": {"bgpState": "Established"}},
              "ospf_if": {"eth1": {}}, "ospf_nbr": {}, "isis_if": {"eth2"}, "isis_up": {"eth2"}},
        "b": {"name": "b", "ospf_if": {"eth1": {}},
              "ospf_nbr": {"1.1.1.1": [{"nbrState": "Full/-", "ifaceName": "eth1:10.0.0.2"}]},
              "isis_if": {"eth2"}, "isis_up": set()},
    }
    monkeypatch.setattr(readiness, "_node_protocols", lambda item: infos[item[0]])
    state = {"nodes": {"a": {"frr_pathspace": "a"}, "b": {"frr_pathspace": "b"}},
             "links": [{"a": {"node": "a", "interface": "eth1"}, "b": {"node": "b", "interface": "eth1"}},
                       {"a": {"node": "a", "interface": "eth2"}, "b": {"node": "b", "interface": "eth2"}}]}
    assert readiness.protocols_pending(state) == [
        "a: BGP 10.0.0.1 Active",
        "a: OSPF adjacency on eth1 not Full",
        "b: IS-IS adjacency on eth2 not Up",
    ]


def test_lldp_wait_counts_an_lldpd_that_does_not_answer_as_pending(monkeypatch: pytest.MonkeyPatch) -> None:
    """A node whose lldpd has no socket yet (or does not answer) keeps the LLDP wait going: it used to
    be skipped as converged, and validation right after deploy then raced that node's first frames."""
    from fabric.lab import readiness

    ports = {"/s/a": {"eth1", "eth2"}, "/s/b": None, "/s/c": {"eth1"}}
    monkeypatch.setattr(readiness, "_lldp_ports", lambda sock: ports[sock])
    monkeypatch.setattr(readiness, "_up_links", lambda netns: {"eth1", "eth2"})
    link = lambda x, i, y, j: {"a": {"node": x, "interface": i}, "b": {"node": y, "interface": j}}  # noqa: E731
    state = {"nodes": {n: {"lldpd_socket": f"/s/{n}", "netns": n} for n in "abc"},
             "links": [link("a", "eth1", "b", "eth1"), link("a", "eth2", "c", "eth1")]}
    assert readiness.lldp_pending(state) == ["b: lldpd not answering yet"]
    ports["/s/b"] = {"eth1"}
    assert readiness.lldp_pending(state) == []
