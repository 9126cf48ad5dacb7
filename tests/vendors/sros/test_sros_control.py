"""SR OS control plane: /configure trees (our rendered golden configs and hand-written MD-CLI flat paths)
-> Device -> FRR text, kernel links, port names, and the commits SR OS refuses. A real FRR (when this host
can run one) takes every line of every translation, as the twin's frr-reload check requires."""

from __future__ import annotations

from pathlib import Path

import pytest
from srlinux.frrcheck import frr_available, frr_node

from fabric.twins.frr import ISIS_LSP_GEN_INTERVAL
from fabric.vendors.sros.config import ConfigError, parse_flat, parse_text
from fabric.vendors.sros.twin import control

ROOT = Path(__file__).resolve().parents[3]
P1 = ROOT / "containerlab" / "backbone" / "p1.cfg"

_PORTS = """
/configure port 1/1/c1 admin-state enable
/configure port 1/1/c1 connector breakout c1-100g
/configure port 1/1/c1/1 admin-state enable
/configure port 1/1/c1/1 description "to spine1"
/configure port 1/1/c1/1 ethernet mode network
/configure port 1/1/c1/1 ethernet mtu 9014
/configure port 1/1/c2 admin-state enable
/configure port 1/1/c2 connector breakout c1-100g
/configure port 1/1/c2/1 admin-state enable
/configure router "Base" interface "system" ipv4 primary address 10.255.8.33
/configure router "Base" interface "system" ipv4 primary prefix-length 32
/configure router "Base" interface "to-spine1" ip-mtu 9000
/configure router "Base" interface "to-spine1" port 1/1/c1/1
/configure router "Base" interface "to-spine1" ipv4 primary address 10.8.0.1
/configure router "Base" interface "to-spine1" ipv4 primary prefix-length 31
/configure router "Base" interface "to-spine1" ipv4 bfd admin-state enable
/configure router "Base" interface "to-spine1" ipv4 bfd transmit-interval 300
/configure router "Base" interface "to-spine1" ipv4 bfd receive 300
/configure router "Base" interface "to-spine1" ipv4 bfd multiplier 3
/configure router "Base" interface "to-rr" port 1/1/c2/1
/configure router "Base" interface "to-rr" ipv4 primary address 10.8.0.2
/configure router "Base" interface "to-rr" ipv4 primary prefix-length 31
"""

# an eBGP leaf as our bgp.j2/policy.j2 render it (srl-dc with SR OS nodes)
LEAF = """
/configure system name "leaf1"
/configure policy-options prefix-list "LOOPBACKS" prefix 10.255.8.0/24 type range start-length 32
/configure policy-options prefix-list "LOOPBACKS" prefix 10.255.8.0/24 type range end-length 32
/configure policy-options policy-statement "FABRIC-EXPORT" entry 10 from prefix-list ["LOOPBACKS"]
/configure policy-options policy-statement "FABRIC-EXPORT" entry 10 action action-type accept
/configure policy-options policy-statement "FABRIC-EXPORT" default-action action-type reject
/configure policy-options policy-statement "FABRIC-IMPORT" default-action action-type accept
/configure router "Base" autonomous-system 65301
/configure router "Base" router-id 10.255.8.33
""" + _PORTS + """
/configure router "Base" bgp admin-state enable
/configure router "Base" bgp router-id 10.255.8.33
/configure router "Base" bgp multipath max-paths 2
/configure router "Base" bgp multipath ebgp 2
/configure router "Base" bgp multipath ibgp 2
/configure router "Base" bgp group "SPINES" description "eBGP to spines"
/configure router "Base" bgp group "SPINES" bfd-liveness true
/configure router "Base" bgp group "SPINES" family ipv4 true
/configure router "Base" bgp group "SPINES" import policy ["FABRIC-IMPORT"]
/configure router "Base" bgp group "SPINES" export policy ["FABRIC-EXPORT"]
/configure router "Base" bgp group "BARE" peer-as 65999
/configure router "Base" bgp neighbor "10.8.0.0" description "spine1 1/1/c1/1"
/configure router "Base" bgp neighbor "10.8.0.0" group "SPINES"
/configure router "Base" bgp neighbor "10.8.0.0" peer-as 65300
/configure router "Base" bgp neighbor "10.8.0.3" group "BARE"
"""

# an OSPF + iBGP route reflector (backbone design with SR OS nodes and igp: ospf)
RR = """
/configure system name "rr1"
/configure policy-options prefix-list "LOOPBACKS" prefix 10.255.8.0/24 type longer
/configure policy-options policy-statement "EXPORT" entry 10 from prefix-list ["LOOPBACKS"]
/configure policy-options policy-statement "EXPORT" entry 10 from protocol name [direct]
/configure policy-options policy-statement "EXPORT" entry 10 action action-type accept
/configure policy-options policy-statement "EXPORT" entry 20 action action-type reject
/configure router "Base" autonomous-system 65000
""" + _PORTS + """
/configure router "Base" ospf 0 admin-state enable
/configure router "Base" ospf 0 area 0.0.0.0 interface "system" passive true
/configure router "Base" ospf 0 area 0.0.0.0 interface "to-spine1" interface-type point-to-point
/configure router "Base" ospf 0 area 0.0.0.0 interface "to-spine1" metric 100
/configure router "Base" ospf 0 area 0.0.0.0 interface "to-rr" interface-type point-to-point
/configure router "Base" bgp group "RR-CLIENTS" peer-as 65000
/configure router "Base" bgp group "RR-CLIENTS" local-address "system"
/configure router "Base" bgp group "RR-CLIENTS" cluster cluster-id 10.255.8.33
/configure router "Base" bgp group "RR-CLIENTS" export policy ["EXPORT"]
/configure router "Base" bgp group "RR-CLIENTS" keepalive 10
/configure router "Base" bgp group "RR-CLIENTS" hold-time seconds 30
/configure router "Base" bgp group "FAR" peer-as 65500
/configure router "Base" bgp group "FAR" multihop 3
/configure router "Base" bgp group "FAR" local-address 10.255.8.33
/configure router "Base" bgp neighbor "10.255.8.5" group "RR-CLIENTS"
/configure router "Base" bgp neighbor "10.255.8.6" group "RR-CLIENTS"
/configure router "Base" bgp neighbor "10.255.8.6" admin-state disable
/configure router "Base" bgp neighbor "192.0.2.1" group "FAR"
"""


def _dev(text: str, kind: str = "nokia_sros") -> control.Device:
    return control.validate(parse_text(text), "sros", kind)


def _lines(dev: control.Device) -> list[str]:
    return control.to_frr(dev).splitlines()


def test_port_names() -> None:
    assert control.to_linux("1/1/c3/1") == "eth3"
    assert control.to_linux("1/1/4") == "eth4"
    assert control.to_linux("1/1/c3") is None  # a connector is not a port
    assert control.to_linux("1/1/c3/2") is None  # vrnetlab wires breakout port 1 only
    assert control.to_linux("1/1/c3/1", "nokia_srsim") == "e1-1-c3-1"
    assert control.to_linux("1/2/5", "nokia_srsim") == "e1-2-5"
    assert control.to_port("eth3", "nokia_sros") == "1/1/c3/1"
    assert control.to_port("eth0", "nokia_sros") is None  # management
    assert control.to_port("e1-1-c3-1", "nokia_srsim") == "1/1/c3/1"
    assert control.to_port("e1-2-5", "nokia_srsim") == "1/2/5"
    plain = _dev("/configure port 1/1/2 admin-state enable\n")
    assert control.to_port("eth2", "nokia_sros", plain) == "1/1/2"
    assert control.to_port("eth3", "nokia_sros", plain) == "1/1/c3/1"


def test_p1_golden_isis() -> None:
    dev = _dev(P1.read_text())
    assert (dev.hostname, dev.router_id, dev.isis_system_id) == ("p1", "10.254.0.3", "0102.5400.0003")
    assert dev.ports["1/1/c1/1"].description == "to p2 Ethernet1" and dev.ports["1/1/c1/1"].up
    assert dev.router_interfaces["to-p2-1-1-c1-1"].port == "1/1/c1/1"
    lines = _lines(dev)
    isis = lines[lines.index("router isis 0"):]
    assert isis[:5] == ["router isis 0", " is-type level-2-only", ISIS_LSP_GEN_INTERVAL,
                        " net 49.0001.0102.5400.0003.00", "exit"]  # net last
    assert " metric-style narrow" not in isis  # level 2 wide-metrics-only true: FRR's wide (no line)
    eth3 = lines[lines.index("interface eth3"):]
    assert eth3[:7] == ["interface eth3", " description to pe1 GigabitEthernet0/0/0/0",
                        " ip address 10.2.0.6/31", " ip router isis 0", " isis network point-to-point",
                        " isis metric 20", "exit"]
    assert "interface lo" in lines and " ip address 10.254.0.3/32" in lines and " isis passive" in lines
    assert not any("isis metric 10" in ln or "bfd" in ln for ln in lines)  # defaults; no protocol asks BFD
    links = control.kernel_links(dev, ["eth1", "eth2", "eth3", "eth4", "eth5"])
    assert links == {"eth1": (9000, True), "eth2": (9000, True), "eth3": (9000, True), "eth4": (9000, True),
                     "eth5": (9198, False)}  # eth5: no port config -> admin down (SR OS default)
    assert control.loopbacks(dev) == frozenset()


def test_ebgp_leaf() -> None:
    dev = _dev(LEAF)
    assert dev.asn == 65301 and dev.bgp is not None
    lines = _lines(dev)
    for want in ["router bgp 65301", " bgp router-id 10.255.8.33", " timers bgp 30 90",
                 " neighbor 10.8.0.0 remote-as 65300", " neighbor 10.8.0.0 description spine1 1/1/c1/1",
                 " neighbor 10.8.0.0 bfd",  # interface BFD 300 ms x 3 = FRR's defaults: no profile
                 "  maximum-paths 2", "  maximum-paths ibgp 2", " bgp bestpath as-path multipath-relax",
                 "  neighbor 10.8.0.0 route-map FABRIC-IMPORT-ebgp-in in",
                 "  neighbor 10.8.0.0 route-map FABRIC-EXPORT-ebgp-out out",
                 # eBGP without policies: ebgp-default-reject-policy (RFC 8212) both ways
                 "  neighbor 10.8.0.3 route-map SRL-REJECT-ALL in",
                 "  neighbor 10.8.0.3 route-map SRL-REJECT-ALL out",
                 "ip prefix-list LOOPBACKS seq 5 permit 10.255.8.0/24 ge 32"]:
        assert want in lines, want
    # the export policy matches any protocol: connected routes are redistributed tagged, the route-map decides
    assert "  redistribute connected route-map SRL-REDIST-CONNECTED" in lines
    rm = lines.index("route-map FABRIC-EXPORT-ebgp-out permit 10")
    assert lines[rm + 1] == " match ip address prefix-list LOOPBACKS"
    assert "route-map FABRIC-EXPORT-ebgp-out deny 65535" in lines
    assert not any(ln.startswith(" neighbor 10.8.0.3 bfd") for ln in lines)
    eth1 = lines[lines.index("interface eth1"):]
    assert eth1[1:3] == [" ip address 10.8.0.1/31", "exit"]
    assert control.kernel_links(dev)["eth1"] == (9000, True)  # min(ip-mtu 9000, port mtu 9014 - 14)
    assert control.kernel_links(dev)["eth2"] == (9198, True)  # port mtu default 9212 (network mode)


def test_ospf_rr() -> None:
    dev = _dev(RR)
    assert dev.router_id == "10.255.8.33"  # the system interface address, no router-id configured
    lines = _lines(dev)
    lo = lines[lines.index("interface lo"):]
    assert lo[:6] == ["interface lo", " ip address 10.255.8.33/32", " ip ospf area 0.0.0.0",
                      " ip ospf cost 1", " ip ospf passive", "exit"]
    eth1 = lines[lines.index("interface eth1"):]
    assert " ip ospf cost 100" in eth1[:6] and " ip ospf network point-to-point" in eth1[:6]
    eth2 = lines[lines.index("interface eth2"):lines.index("interface eth2") + 6]
    assert " ip ospf cost 1" in eth2  # no metric: 100 Gb/s reference bandwidth on a c1-100g port
    assert "router ospf" in lines and " ospf router-id 10.255.8.33" in lines
    for want in [" bgp cluster-id 10.255.8.33", " neighbor 10.255.8.5 update-source 10.255.8.33",
                 " neighbor 10.255.8.5 timers 10 30", " neighbor 10.255.8.6 shutdown",
                 "  neighbor 10.255.8.5 route-reflector-client", " neighbor 192.0.2.1 ebgp-multihop 3",
                 "  redistribute connected route-map SRL-REDIST-CONNECTED"]:
        assert want in lines, want
    hop = lines.index(" neighbor 192.0.2.1 ebgp-multihop 3")
    assert lines[hop - 1] == " neighbor 192.0.2.1 remote-as 65500"
    # from protocol direct: only connected routes (tag 101) pass the export entry; OSPF routes are not
    # redistributed at all (no entry could accept them)
    assert not any("redistribute ospf" in ln for ln in lines)
    rm = lines.index("route-map EXPORT-out permit 10")
    assert lines[rm + 1:rm + 4] == [" match ip address prefix-list LOOPBACKS", " match tag 101", "exit"]
    assert "ip prefix-list LOOPBACKS seq 5 permit 10.255.8.0/24 le 32" in lines


def test_prefix_types_and_chains() -> None:
    dev = _dev("""
/configure policy-options prefix-list "A" prefix 10.0.0.0/8 type exact
/configure policy-options prefix-list "A" prefix 10.1.0.0/16 type through through-length 24
/configure policy-options prefix-list "A" prefix 10.2.0.0/16 type range start-length 20
/configure policy-options prefix-list "A" prefix 10.2.0.0/16 type range end-length 24
/configure policy-options prefix-list "B" prefix 192.168.0.0/16 type longer
/configure policy-options policy-statement "P" entry 10 from prefix-list ["A" "B"]
/configure policy-options policy-statement "P" entry 10 action action-type accept
/configure policy-options policy-statement "P" entry 10 action local-preference 200
/configure policy-options policy-statement "P" entry 20 action action-type next-entry
/configure policy-options policy-statement "P" entry 20 action metric set 50
/configure policy-options policy-statement "P" entry 20 action as-path-prepend as-path 65001
/configure policy-options policy-statement "P" entry 20 action as-path-prepend repeat 3
""")
    assert dev.prefix_sets["A"] == ["permit 10.0.0.0/8", "permit 10.1.0.0/16 le 24",
                                    "permit 10.2.0.0/16 ge 20 le 24"]
    assert dev.prefix_sets["B"] == ["permit 192.168.0.0/16 le 32"]
    assert dev.prefix_sets["A+B"] == dev.prefix_sets["A"] + dev.prefix_sets["B"]
    st = dev.policies["P"].statements
    assert [(s.prefix_set, s.result, s.local_preference, s.med) for s in st] == [
        ("A+B", "accept", 200, None), (None, None, None, 50)]
    assert [s.prepend for s in st] == [[], [65001] * 3]
    assert dev.policies["P"].default is None


def test_admin_states_and_mtu() -> None:
    dev = _dev("""
/configure port 1/1/c1 connector breakout c1-100g
/configure port 1/1/c1/1 ethernet mtu 1514
/configure port 1/1/c2 connector breakout c1-100g
/configure port 1/1/c2/1 admin-state enable
/configure router "Base" interface "a" port 1/1/c1/1
/configure router "Base" interface "a" ipv4 primary address 10.0.0.0
/configure router "Base" interface "a" ipv4 primary prefix-length 31
/configure router "Base" interface "b" admin-state disable
/configure router "Base" interface "b" port 1/1/c2/1
/configure router "Base" interface "b" ipv4 primary address 10.0.0.2
/configure router "Base" interface "b" ipv4 primary prefix-length 31
/configure router "Base" interface "lb" loopback
/configure router "Base" interface "lb" ipv4 primary address 10.9.9.9
/configure router "Base" interface "lb" ipv4 primary prefix-length 32
""")
    links = control.kernel_links(dev, ["eth1", "eth2"])
    assert links["eth1"] == (1500, False)  # port admin-state unset: disabled on SR OS
    assert links["eth2"] == (9198, False)  # interface disabled
    assert links["lo1"] == (1500, True) and control.loopbacks(dev) == frozenset({"lo1"})
    lines = _lines(dev)
    eth2 = lines[lines.index("interface eth2"):]
    assert eth2[:3] == ["interface eth2", " ip address 10.0.0.2/31", " shutdown"]
    assert "interface lo1" in lines and " ip address 10.9.9.9/32" in lines
    assert control.kernel_links(dev, ["e1-1-c1-1"], "nokia_srsim")["e1-1-c1-1"] == (1500, False)


def test_router_management_and_isis_disabled_ignored() -> None:
    dev = _dev("""
/configure router "management" interface "x" ipv4 primary address 10.0.0.1
/configure router "management" interface "x" ipv4 primary prefix-length 24
/configure router "Base" isis 0 area-address [49.0001]
/configure router "Base" ospf 0 router-id 1.1.1.1
""")
    assert dev.interfaces == {} and dev.isis is None and dev.ospf is None and dev.bgp is None
    assert not any(ln.startswith(("router", "interface")) for ln in _lines(dev))


REFUSED = [
    ('/configure router "Base" interface "x" port 1/1/c9/1',
     'configure router "Base" interface "x" port - port "1/1/c9/1" is not configured'),
    ('/configure router "Base" interface "to-dup" port 1/1/c2/1\n'
     '/configure router "Base" interface "system" ipv4 secondary 10.8.0.1 prefix-length 32',
     'port "1/1/c2/1" is already used by interface "to-rr"'),
    ('/configure router "Base" interface "lb2" loopback\n'
     '/configure router "Base" interface "lb2" ipv4 primary address 10.8.0.1\n'
     '/configure router "Base" interface "lb2" ipv4 primary prefix-length 32',
     "overlaps with interface"),
    ('/configure router "Base" bgp group "G" export policy ["NOPE"]',
     'configure router "Base" bgp group "G" - policy "NOPE" does not exist'),
    ('/configure policy-options policy-statement "P" entry 10 from prefix-list ["NOPE"]\n'
     '/configure policy-options policy-statement "P" entry 10 action action-type accept',
     'prefix-list "NOPE" does not exist'),
    ('/configure router "Base" bgp group "G" description "x"\n'
     '/configure router "Base" bgp neighbor "10.0.0.1" group "G"',
     'MINOR: MGMT_CORE #4405: configure router "Base" bgp neighbor "10.0.0.1" - peer-as must be configured'),
    ('/configure router "Base" bgp neighbor "10.0.0.1" group "NOPE"\n'
     '/configure router "Base" bgp neighbor "10.0.0.1" peer-as 1',
     'group "NOPE" does not exist'),
    ('/configure port 1/1/c7/1 admin-state enable', "port is not provisioned"),
    ('/configure router "Base" isis 0 admin-state enable\n'
     '/configure router "Base" isis 0 area-address [49.0001]\n'
     '/configure router "Base" isis 0 interface "ghost"',
     'router interface "ghost" does not exist'),
]


@pytest.mark.parametrize(("extra", "message"), REFUSED)
def test_commit_refused(extra: str, message: str) -> None:
    conf = parse_flat(extra, base=parse_text(_PORTS + '/configure router "Base" autonomous-system 65000\n'))
    with pytest.raises(ConfigError) as err:
        control.validate(conf, "sros")
    assert message in err.value.message
    assert err.value.message.startswith("MINOR: MGMT_CORE #")


def test_bgp_without_autonomous_system_refused() -> None:
    conf = parse_text(_PORTS + '/configure router "Base" bgp group "G" peer-as 1\n')
    with pytest.raises(ConfigError, match="autonomous-system must be configured"):
        control.validate(conf, "sros")
    ok = parse_text(_PORTS + '/configure router "Base" autonomous-system 65000\n'
                    '/configure router "Base" bgp group "G" type internal\n'
                    '/configure router "Base" bgp neighbor "10.0.0.9" group "G"\n')
    dev = control.validate(ok, "sros")
    assert dev.bgp is not None and dev.bgp.neighbors[0].peer_as == 65000  # type internal: our AS


@pytest.mark.parametrize("name", ["p1", "leaf", "rr"])
def test_real_frr_takes_every_line(name: str, tmp_path: Path) -> None:
    reason = frr_available()
    if reason:
        pytest.skip(reason)
    dev = _dev({"p1": P1.read_text(), "leaf": LEAF, "rr": RR}[name])
    with frr_node(tmp_path) as node:
        node.links(control.kernel_links(dev))
        assert node.load(control.to_frr(dev)) == []
