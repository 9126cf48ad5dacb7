from __future__ import annotations

import ipaddress
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from fabric.design import isis_net, load_fabric
from fabric.errors import FabricError

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, data: dict | str) -> Path:
    p = tmp_path / "fabric.yaml"
    p.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))
    return p


def dc1() -> dict:
    return yaml.safe_load((ROOT / "inventory/dc1/fabric.yaml").read_text())


def test_dc1_expands_to_ebgp_clos() -> None:
    fab = load_fabric(ROOT / "inventory/dc1")
    assert sorted(fab.devices) == ["leaf1", "leaf2", "leaf3", "leaf4", "spine1", "spine2"]
    assert len(fab.links) == 8
    leaf1, spine1 = fab.devices["leaf1"], fab.devices["spine1"]
    assert (leaf1.asn, spine1.asn, fab.devices["spine2"].asn) == (65101, 65100, 65100)
    # leaf1 Ethernet1 <-> spine1 Ethernet1 on the first /31 of the pool; spine takes the even address.
    e1 = next(i for i in leaf1.interfaces if i.name == "Ethernet1")
    assert (e1.ipv4, e1.peer, e1.peer_interface, e1.peer_ipv4) == (
        "10.1.0.1/31",
        "spine1",
        "Ethernet1",
        "10.1.0.0/31",
    )
    # leaf3 is FRR: Linux names.
    assert [i.name for i in fab.devices["leaf3"].interfaces] == ["lo", "eth1", "eth2"]
    # Every leaf peers with every spine, with the spine's AS.
    for leaf in ("leaf1", "leaf2", "leaf3", "leaf4"):
        bgp = fab.devices[leaf].bgp
        assert bgp and {(n.peer, n.peer_as) for n in bgp.neighbors} == {("spine1", 65100), ("spine2", 65100)}
    assert spine1.bgp and len(spine1.bgp.neighbors) == 4
    assert spine1.redundancy_group == "pod1-spines"


def test_all_links_are_slash31_and_unique() -> None:
    for name in ("dc1", "backbone", "dc-large"):
        fab = load_fabric(ROOT / "inventory" / name)
        subnets = [ipaddress.IPv4Network(lk.subnet) for lk in fab.links]
        assert all(s.prefixlen == 31 for s in subnets)
        assert len(set(subnets)) == len(subnets)
        loops = [d.loopback0 for d in fab.devices.values()]
        assert len(set(loops)) == len(loops)


def test_dc_large_is_64_nodes() -> None:
    fab = load_fabric(ROOT / "inventory/dc-large")
    assert len(fab.devices) == 64 and len(fab.links) == 8 * 56


def test_backbone_rr_and_isis() -> None:
    fab = load_fabric(ROOT / "inventory/backbone")
    pe1, rr1, p1 = fab.devices["pe1"], fab.devices["rr1"], fab.devices["p1"]
    assert p1.bgp is None  # BGP-free core
    assert pe1.bgp and {n.peer for n in pe1.bgp.neighbors} == {"rr1", "rr2"}
    assert rr1.bgp and {n.peer for n in rr1.bgp.neighbors} == {"pe1", "pe2", "rr2"}
    assert any(g.route_reflector_client for g in rr1.bgp.peer_groups)
    assert rr1.isis and rr1.isis.net == isis_net("49.0001", rr1.router_id)
    assert isis_net("49.0001", "10.255.0.1") == "49.0001.0102.5500.0001.00"
    p1_link = next(i for i in p1.interfaces if i.name == "1/1/c3/1")
    assert p1_link.peer == "pe1" and p1_link.metric == 20


def test_adding_a_leaf_does_not_renumber(tmp_path: Path) -> None:
    before = load_fabric(ROOT / "inventory/dc1")
    data = dc1()
    data["nodes"]["leaves"].append({"name": "leaf5", "id": 5, "platform": "eos"})
    after = load_fabric(write(tmp_path, data))
    for name, dev in before.devices.items():
        new = after.devices[name]
        if dev.role == "leaf":
            assert new == dev
        else:  # spines gain one interface and neighbor; nothing existing changes
            assert [i for i in new.interfaces if i.peer != "leaf5"] == dev.interfaces
            assert new.bgp and dev.bgp
            assert [n for n in new.bgp.neighbors if n.peer != "leaf5"] == dev.bgp.neighbors


def test_deterministic_across_processes() -> None:
    code = "from fabric.design import load_fabric; print(load_fabric('inventory/dc-large').model_dump_json())"
    outs = {
        subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    }
    assert len(outs) == 1
    import os

    os.chdir(ROOT)
    assert load_fabric("inventory/dc-large").model_dump_json() + "\n" == outs.pop()


@pytest.mark.parametrize("underlay", ["ospf", "isis"])
def test_igp_underlay_with_ibgp(tmp_path: Path, underlay: str) -> None:
    data = dc1()
    data["underlay"] = underlay
    fab = load_fabric(write(tmp_path, data))
    leaf1 = fab.devices["leaf1"]
    assert leaf1.bgp and {n.peer for n in leaf1.bgp.neighbors} == {"spine1", "spine2"}
    assert all(n.peer_as == 65000 and n.ip in {"10.255.0.17", "10.255.0.18"} for n in leaf1.bgp.neighbors)
    spine = fab.devices["spine1"]
    assert spine.bgp and spine.bgp.peer_groups[0].route_reflector_client
    igp = leaf1.ospf if underlay == "ospf" else leaf1.isis
    assert igp and igp.interfaces == ["Ethernet1", "Ethernet2"] and igp.passive == ["Loopback0"]


def test_super_spines(tmp_path: Path) -> None:
    data = dc1()
    data["pools"]["p2p_super"] = "10.3.0.0/24"
    data["nodes"]["super_spines"] = [
        {"name": "ss1", "id": 1, "platform": "eos"},
        {"name": "ss2", "id": 2, "platform": "eos"},
    ]
    fab = load_fabric(write(tmp_path, data))
    ss1 = fab.devices["ss1"]
    assert ss1.bgp and {n.peer for n in ss1.bgp.neighbors} == {"spine1", "spine2"}
    assert ss1.asn == 65000


# ----------------------------------------------------------------- clear errors


def err(tmp_path: Path, data: dict | str) -> FabricError:
    with pytest.raises(FabricError) as info:
        load_fabric(write(tmp_path, data))
    return info.value


def test_error_unknown_platform(tmp_path: Path) -> None:
    data = dc1()
    data["nodes"]["leaves"][1]["platform"] = "nxos"
    e = err(tmp_path, data)
    assert "unknown platform 'nxos'" in e.message and e.key == "nodes.leaves.1.platform"
    assert e.fix and "eos" in e.fix and e.line


def test_error_duplicate_name_and_id(tmp_path: Path) -> None:
    data = dc1()
    data["nodes"]["leaves"][1]["name"] = "leaf1"
    assert "duplicate node name 'leaf1'" in err(tmp_path, data).message
    data = dc1()
    data["nodes"]["leaves"][1]["id"] = 1
    e = err(tmp_path, data)
    assert "duplicate id 1" in e.message and e.key == "nodes.leaves.1.id"


def test_error_pool_exhausted(tmp_path: Path) -> None:
    data = dc1()
    data["pools"]["p2p"] = "10.1.0.0/29"
    e = err(tmp_path, data)
    assert "exhausted" in e.message and "pools.p2p" in (e.fix or "")


def test_error_yaml_syntax_has_line(tmp_path: Path) -> None:
    e = err(tmp_path, "name: dc1\ndesign: clos\npools:\n  loopback: [10.0.0.0/24\n")
    assert "YAML syntax error" in e.message and e.line and e.file and e.file.endswith("fabric.yaml")


def test_error_typo_key(tmp_path: Path) -> None:
    data = dc1()
    data["underlayy"] = "ebgp"
    e = err(tmp_path, data)
    assert e.message == "unknown key" and e.key == "underlayy" and e.line


def test_error_misspelt_required_key_names_the_typo_first(tmp_path: Path) -> None:
    """A misspelt required key is both unknown and missing: the line the operator typed is the cause."""
    data = dc1()
    data["nmae"] = data.pop("name")
    e = err(tmp_path, data)
    assert (e.message.split(" (")[0], e.key) == ("unknown key", "nmae") and e.line
    assert e.fix and "did you mean 'name'?" in e.fix
    data = dc1()
    data["pools"]["loopbak"] = data["pools"].pop("loopback")  # nested: the model's own keys are offered
    e = err(tmp_path, data)
    assert e.key == "pools.loopbak" and "did you mean 'loopback'?" in (e.fix or "")


def test_error_duplicate_key_has_its_own_message(tmp_path: Path) -> None:
    e = err(tmp_path, "name: dc1\ndesign: clos\nunderlay: ebgp\ndesign: clos\n")
    assert e.message.startswith("key 'design' is given twice (first on line 2)") and e.line == 4
    assert "YAML syntax" not in e.message and "indentation" not in (e.fix or "")


def test_error_unknown_fabric_lists_those_that_exist(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    with pytest.raises(FabricError) as info:
        load_fabric("dc-mixd")
    e = info.value
    assert e.file and e.file.endswith("inventory/dc-mixd/fabric.yaml") and e.message == "file not found"
    assert e.fix and e.fix.startswith("did you mean 'dc-mixed'?") and "dc1" in e.fix and "backbone" in e.fix


def test_error_links(tmp_path: Path) -> None:
    data = yaml.safe_load((ROOT / "inventory/backbone/fabric.yaml").read_text())
    data["links"].append({"endpoints": ["p1:1/1/c9/1", "px:Ethernet9"]})
    assert "link to unknown node 'px'" in err(tmp_path, data).message
    data["links"][-1] = {"endpoints": ["p1:1/1/c1/1", "rr2:ge-0/0/5"]}
    assert "used twice" in err(tmp_path, data).message
    data["links"][-1] = {"endpoints": ["p1:1/1/c9/1", "p2:Ethernet-9"]}
    e = err(tmp_path, data)
    assert "not a valid Arista EOS fabric port name" in e.message and "Ethernet1" in (e.fix or "")


def test_error_duplicate_asn(tmp_path: Path) -> None:
    data = dc1()
    data["nodes"]["leaves"][1]["asn"] = 65101
    assert "ASN 65101" in err(tmp_path, data).message


def test_cli_prints_error_without_traceback(tmp_path: Path) -> None:
    data = dc1()
    data["nodes"]["leaves"][0]["platform"] = "nxos"
    p = write(tmp_path, data)
    r = subprocess.run([sys.executable, "-m", "fabric.cli", "show", str(p)], capture_output=True, text=True)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr + r.stdout
    assert "unknown platform 'nxos'" in r.stderr and "fix:" in r.stderr
