"""The twin's EOS parser produces the rendering model: parse_eos(render(x)) == x where it matters."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from fabric.design import load_fabric
from fabric.render import render_device
from fabric.structured import StructuredConfig, build_structured
from fabric.vendors.eos.twin.config import EosConfig
from fabric.vendors.eos.twin.structured import parse_eos, routing_view

ROOT = Path(__file__).resolve().parents[3]
FABRICS = ["inventory/dc1", "inventory/backbone", "inventory/dc-large"]


@cache
def _eos(fabric: str) -> dict[str, StructuredConfig]:
    return {n: sc for n, sc in build_structured(load_fabric(ROOT / fabric)).items() if sc.platform == "eos"}


@pytest.mark.parametrize("fabric", FABRICS)
def test_round_trip(fabric: str) -> None:
    configs = _eos(fabric)
    assert configs, f"no EOS device in {fabric}"
    for name, sc in configs.items():
        text = render_device(sc)
        parsed = parse_eos(text)
        assert routing_view(parsed) == routing_view(sc), name
        # The twin's own running-config (its tree, EOS order) parses the same.
        assert routing_view(parse_eos(EosConfig.from_text(text))) == routing_view(sc), name


def test_parts_that_matter_are_really_compared() -> None:
    sc = _eos("inventory/dc1")["leaf1"]
    parsed = parse_eos(render_device(sc))
    assert parsed.bgp is not None and sc.bgp is not None
    assert parsed.bgp.asn == sc.bgp.asn and parsed.bgp.maximum_paths == sc.bgp.maximum_paths
    assert [n.ip for n in parsed.bgp.neighbors] == [n.ip for n in sc.bgp.neighbors]
    got = [(i.name, i.ipv4, i.mtu) for i in parsed.interfaces]
    assert got == [(i.name, i.ipv4, i.mtu) for i in sc.interfaces]
    changed = render_device(sc).replace(f"mtu {sc.interfaces[0].mtu}", "mtu 1500", 1)
    assert routing_view(parse_eos(changed)) != routing_view(sc)
    down = render_device(sc).replace("   no switchport\n", "   shutdown\n   no switchport\n", 1)
    assert parse_eos(down).interfaces[0].shutdown


def test_igp_and_line_forms() -> None:
    text = """hostname r1
interface Ethernet1
   mtu 1500
   no switchport
   ip address 10.0.0.1 255.255.255.254
   ip ospf cost 5
   ip ospf area 0.0.0.0
interface Loopback0
   ip address 10.255.0.1/32
   ip ospf area 0.0.0.0
ip prefix-list PL seq 10 permit 10.255.0.0/16 ge 32 le 32
router ospf 7
   router-id 10.255.0.1
   passive-interface Loopback0
router bgp 65000
   router-id 10.255.0.1
   neighbor 10.0.0.0 remote-as 65000
   neighbor 10.0.0.0 update-source Loopback0
"""
    sc = parse_eos(text)
    assert sc.interfaces[0].ipv4 == "10.0.0.1/31" and sc.interfaces[0].ospf_cost == 5
    assert sc.ospf is not None and sc.ospf.process_id == 7 and sc.ospf.interfaces == ("Ethernet1",)
    assert sc.ospf.passive == ("Loopback0",) and sc.loopbacks[0].ospf_passive
    assert sc.prefix_lists[0].entries[0].ge == 32
    assert sc.bgp is not None and sc.bgp.neighbors[0].remote_as == 65000 and not sc.bgp.ebgp
