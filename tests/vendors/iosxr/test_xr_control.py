"""IOS-XR configuration -> FRR: the golden configs, the real reference config, RPL, commit errors, and the
real FRR taking every line of each translation (``frr-reload --test`` shows no delta) and behaving as XR."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest
from _skip import need
from srlinux.frrcheck import FrrNode, frr_available, frr_node

from fabric.vendors.iosxr.twin.config import ConfigError, parse_text
from fabric.vendors.iosxr.twin.control import (
    canonical,
    kernel_links,
    loopbacks,
    to_frr,
    to_linux,
    to_xr,
    validate,
)

ROOT = Path(__file__).resolve().parents[3]
BACKBONE = ROOT / "containerlab" / "backbone"
REFERENCE = ROOT.parent / "shared" / "reference" / "napalm-mocked" / "iosxr_netconf" / "test_get_config"


def golden(name: str) -> str:
    return (BACKBONE / f"{name}.cfg").read_text()


def reference() -> str:
    path = REFERENCE / "normal" / "expected_result.json"
    need(path.exists(), f"reference data missing: {path}")
    return str(json.loads(path.read_text())["running"])


def frr_lines(text: str) -> list[str]:
    return to_frr(validate(parse_text(text), "xr")).splitlines()


RR1_FRR = """frr defaults traditional
hostname rr1
service integrated-vtysh-config
ip forwarding
router isis FABRIC
 is-type level-2-only
 log-adjacency-changes
 lsp-timers gen-interval 1 refresh-interval 900 max-lifetime 1200
 net 49.0001.0102.5400.0001.00
exit
interface Loopback0
 description router-id and overlay peering
 ip address 10.254.0.1/32
 ip router isis FABRIC
 isis passive
exit
interface Gi0-0-0-0
 description to p1 1/1/c2/1
 ip address 10.2.0.3/31
 ip router isis FABRIC
 isis network point-to-point
 isis bfd
exit
interface Gi0-0-0-1
 description to rr2 ge-0/0/1
 ip address 10.2.0.14/31
 ip router isis FABRIC
 isis network point-to-point
 isis metric 100
 isis bfd
exit
ip prefix-list LOOPBACKS seq 5 permit 10.254.0.0/24 ge 32
route-map FABRIC-IMPORT permit 10
exit
route-map FABRIC-EXPORT permit 10
 match ip address prefix-list LOOPBACKS
exit
route-map FABRIC-EXPORT deny 20
exit
router bgp 65000
 bgp router-id 10.254.0.1
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 neighbor RR-CLIENTS peer-group
 neighbor RR-CLIENTS description iBGP RR clients
 neighbor RR-CLIENTS update-source Loopback0
 neighbor RR-CLIENTS bfd
 neighbor RR-MESH peer-group
 neighbor RR-MESH description iBGP between route reflectors
 neighbor RR-MESH update-source Loopback0
 neighbor RR-MESH bfd
 neighbor 10.254.0.2 remote-as 65000
 neighbor 10.254.0.2 peer-group RR-MESH
 neighbor 10.254.0.2 description rr2
 neighbor 10.254.0.2 timers connect 5
 neighbor 10.254.0.5 remote-as 65000
 neighbor 10.254.0.5 peer-group RR-CLIENTS
 neighbor 10.254.0.5 description pe1
 neighbor 10.254.0.5 timers connect 5
 neighbor 10.254.0.6 remote-as 65000
 neighbor 10.254.0.6 peer-group RR-CLIENTS
 neighbor 10.254.0.6 description pe2
 neighbor 10.254.0.6 timers connect 5
 address-family ipv4 unicast
  network 10.254.0.1/32
  maximum-paths 1
  maximum-paths ibgp 4
  neighbor RR-CLIENTS activate
  neighbor RR-CLIENTS route-reflector-client
  neighbor RR-CLIENTS route-map FABRIC-IMPORT in
  neighbor RR-CLIENTS route-map FABRIC-EXPORT out
  neighbor RR-MESH activate
  neighbor RR-MESH route-map FABRIC-IMPORT in
  neighbor RR-MESH route-map FABRIC-EXPORT out
 exit-address-family
exit
"""

RICH = """hostname xr9
interface Loopback0
 ipv4 address 10.255.9.1 255.255.255.255
!
interface Loopback10
 ipv4 address 10.255.9.10/32
!
interface MgmtEth0/RP0/CPU0/0
 vrf MGMT
 ipv4 address 172.20.22.9 255.255.255.0
!
interface GigabitEthernet0/0/0/0
 description to spine1
 mtu 1514
 ipv4 address 10.9.0.0 255.255.255.254
!
interface GigabitEthernet0/0/0/1
 mtu 9014
 ipv4 mtu 8000
 ipv4 address 10.9.0.2 255.255.255.254
 ipv4 address 10.9.1.2 255.255.255.0 secondary
!
interface GigabitEthernet0/0/0/2
 ipv4 address 10.9.0.4 255.255.255.254
 shutdown
!
interface GigabitEthernet0/0/0/3
 vrf CUST
 ipv4 address 192.168.7.1 255.255.255.0
!
prefix-set LOOPS
  10.255.0.0/16 ge 32 le 32,
  10.0.0.0/8 ge 24 le 28,
  10.9.0.0/24
end-set
!
prefix-set SHORT
  10.0.0.0/8 le 16,
  10.255.0.0/16 eq 32
end-set
!
route-policy EXPORT
  if destination in LOOPS then
    set med 50
    pass
  elseif destination in (192.0.2.0/24 le 32) then
    prepend as-path 65009 2
  else
    drop
  endif
end-policy
!
route-policy IMPORT
  if destination in LOOPS and destination in SHORT then
    set local-preference 300
    done
  endif
  if destination in SHORT then
    drop
  endif
  apply COMMON
end-policy
!
route-policy COMMON
  pass
end-policy
!
route-policy UNUSED
  drop
end-policy
!
route-policy EMPTY
end-policy
!
router static
 address-family ipv4 unicast
  10.99.0.0/16 10.9.0.1 200
  10.98.0.0/16 Null0
  10.97.0.0/16 GigabitEthernet0/0/0/0 10.9.0.1
 !
 vrf MGMT
  address-family ipv4 unicast
   0.0.0.0/0 172.20.22.1
  !
 !
!
router isis CORE
 is-type level-1-2
 net 49.0009.0102.5500.9001.00
 address-family ipv4 unicast
 !
 interface Loopback0
  address-family ipv4 unicast
  !
 !
 interface GigabitEthernet0/0/0/1
  circuit-type level-2-only
  bfd minimum-interval 100
  bfd multiplier 5
  bfd fast-detect ipv4
  point-to-point
  address-family ipv4 unicast
   metric 100 level 2
  !
 !
!
router ospf 1
 router-id 10.255.9.1
 area 0
  cost 20
  interface Loopback0
   passive enable
  !
  interface GigabitEthernet0/0/0/0
   bfd fast-detect
   network point-to-point
   cost 50
  !
  interface GigabitEthernet0/0/0/2
  !
 !
!
router bgp 65009
 bgp router-id 10.255.9.1
 timers bgp 30 90
 address-family ipv4 unicast
  maximum-paths ebgp 8
  network 10.255.9.1/32
  redistribute connected route-policy EXPORT
 !
 neighbor-group SPINES
  remote-as 65000
  bfd fast-detect
  address-family ipv4 unicast
   route-policy EXPORT out
   send-community-ebgp
  !
 !
 neighbor-group IBGP
  remote-as 65009
  update-source Loopback0
  address-family ipv4 unicast
   route-policy IMPORT in
   next-hop-self
  !
 !
 neighbor 10.9.0.1
  use neighbor-group SPINES
  description spine1
 !
 neighbor 10.9.0.3
  use neighbor-group SPINES
  remote-as 65001
  shutdown
  bfd minimum-interval 200
  address-family ipv4 unicast
   route-policy IMPORT in
  !
 !
 neighbor 10.9.0.5
  remote-as 65100
  ebgp-multihop 2
  timers 10 30
  address-family ipv4 unicast
  !
 !
 neighbor 10.255.9.2
  use neighbor-group IBGP
 !
 neighbor 10.255.9.3
  remote-as 65009
 !
!
end
"""


def test_names() -> None:
    assert to_linux("GigabitEthernet0/0/0/3") == "Gi0-0-0-3"
    assert to_xr("Gi0-0-0-3") == "GigabitEthernet0/0/0/3"
    assert to_linux("Gi0/0/0/12") == "Gi0-0-0-12" and canonical("Lo0") == "Loopback0"
    assert to_linux("MgmtEth0/RP0/CPU0/0") == "eth0" and to_xr("eth0") == "MgmtEth0/RP0/CPU0/0"
    assert to_linux("Loopback7") == "Loopback7" and to_xr("Loopback7") == "Loopback7"
    assert to_linux("TenGigE0/0/1/0") is None and to_xr("e1-1") is None


def test_rr1_golden() -> None:
    dev = validate(parse_text(golden("rr1")), "xr")
    assert dev.hostname == "rr1" and dev.lldp
    assert dev.interfaces["MgmtEth0/RP0/CPU0/0"].vrf == "MGMT"  # modelled for the operational state,
    assert to_frr(dev) == RR1_FRR  # but the lab's management port is never touched (not in FRR, nor below)
    # mtu 9014 is the L2 MTU: IP MTU 9000; a lab port the config does not name is shut, as on XRd
    assert kernel_links(dev, ["eth0", "Gi0-0-0-0", "Gi0-0-0-1", "Gi0-0-0-2"]) == {
        "Loopback0": (1500, True), "Gi0-0-0-0": (9000, True), "Gi0-0-0-1": (9000, True),
        "Gi0-0-0-2": (1500, False)}
    assert loopbacks(dev) == frozenset({"Loopback0"})
    rr = {n.ip: n for n in dev.bgp.neighbors} if dev.bgp else {}
    assert rr["10.254.0.5"].rr_client and not rr["10.254.0.2"].rr_client
    assert rr["10.254.0.5"].bfd is not None and rr["10.254.0.5"].bfd.profile is None  # 300 ms x 3


def test_pe1_semantics() -> None:
    frr = frr_lines(golden("pe1"))
    assert not any("172.20.22" in ln for ln in frr)  # mgmt address and the vrf MGMT default route stay out
    # iBGP through a neighbor-group: a peer-group, activated because the group has the address family
    assert " neighbor RR peer-group" in frr and " neighbor 10.254.0.1 peer-group RR" in frr
    assert "  neighbor RR activate" in frr and "  neighbor 10.254.0.1 activate" not in frr
    assert "  maximum-paths 1" in frr and "  maximum-paths ibgp 4" in frr  # XR: eBGP 1 path unless set
    assert " isis metric 20" in frr and " isis metric 10" not in frr
    assert not any("metric-style" in ln for ln in frr)  # wide: FRR's default
    assert not any(ln.startswith(" timers bgp") for ln in frr)  # XR's 60/180 are FRR's defaults


def test_real_reference_config() -> None:
    dev = validate(parse_text(reference()), "xr")
    frr = to_frr(dev).splitlines()
    assert dev.hostname == "asr9000-h07-2" and dev.isis and dev.isis.is_type == "level-2-only"
    # mgmt (MgmtEth0/RSP0/...) never reaches FRR; TenGigE / PTP ports do not exist in the lab
    assert not any("172.30.2.11" in ln for ln in frr) and not any("TenGig" in ln for ln in frr)
    assert "ip route 0.0.0.0/0 172.30.2.1" in frr  # a default-VRF static route
    assert " ip address 172.16.0.3/31" in frr and " ipv6 address 2001:db8::3/127" in frr
    assert kernel_links(dev)["Gi0-0-0-0"] == (1500, False) and kernel_links(dev)["Loopback0"] == (1500, True)
    assert frr[frr.index("interface Gi0-0-0-5") + 1] == " shutdown"


def test_rich_translation() -> None:
    dev = validate(parse_text(RICH), "xr")
    frr = to_frr(dev).splitlines()
    text = "\n".join(frr)
    links = kernel_links(dev)
    # ipv4 mtu below mtu-14 wins; shutdown is down; vrf CUST's port is up but not routed here
    assert links["Gi0-0-0-1"] == (8000, True) and links["Gi0-0-0-2"] == (1500, False)
    assert links["Gi0-0-0-3"] == (1500, True)
    assert "192.168.7.1" not in text and "interface Gi0-0-0-3" not in frr
    assert " ip address 10.9.0.2/31" in frr and " ip address 10.9.1.2/24" in frr  # primary and secondary
    assert "ip route 10.99.0.0/16 10.9.0.1 200" in frr and "ip route 10.98.0.0/16 blackhole" in frr
    assert "ip route 10.97.0.0/16 10.9.0.1 Gi0-0-0-0" in frr and "172.20.22.1" not in text
    # IS-IS: narrow metrics unless set (metric 100 capped to 63); BFD 100 ms x 5 as a profile
    assert " metric-style narrow" in frr and " isis metric level-2 63" in frr
    assert " isis bfd profile xr-100x5" in frr and " isis circuit-type level-2-only" in frr
    assert " is-type" not in text  # level-1-2: both defaults
    # OSPF: area cost inherited, loopbacks passive, XR's default BFD 150 ms for IGPs
    assert ("interface Gi0-0-0-2\n ip address 10.9.0.4/31\n ip ospf area 0\n ip ospf cost 20\n shutdown"
            in text)
    assert " ip ospf bfd profile xr-150x3" in frr and " ip ospf cost 50" in frr
    # BGP: XR's BGP BFD default 50 ms; a member's own BFD timer and remote-as override its group's
    assert " neighbor SPINES bfd profile xr-50x3" in frr and " neighbor 10.9.0.3 bfd profile xr-200x3" in frr
    assert " neighbor 10.9.0.3 remote-as 65001" in frr and " neighbor 10.9.0.3 shutdown" in frr
    assert " timers bgp 30 90" in frr and " neighbor 10.9.0.5 timers 10 30" in frr
    assert " neighbor 10.9.0.5 ebgp-multihop 2" in frr
    # eBGP without a policy in a direction: nothing that way (XR's default)
    assert "  neighbor 10.9.0.1 route-map XR-EBGP-NO-POLICY in" in frr
    assert "  neighbor 10.9.0.1 route-map XR-EBGP-NO-POLICY out" not in frr  # the group's EXPORT out
    assert "  neighbor 10.9.0.5 route-map XR-EBGP-NO-POLICY in" in frr
    assert "  neighbor 10.9.0.5 route-map XR-EBGP-NO-POLICY out" in frr
    assert not any("10.255.9.2 route-map XR-EBGP" in ln for ln in frr)  # iBGP: no such default
    # communities to eBGP only with send-community-ebgp (SPINES has it, not the extended ones)
    assert "  no neighbor 10.9.0.1 send-community extended" in frr
    assert "  no neighbor 10.9.0.5 send-community all" in frr
    assert not any("10.255.9.2 send-community" in ln for ln in frr)
    # without an address family a neighbor is not activated
    assert "  neighbor 10.255.9.3 activate" not in frr and " neighbor 10.255.9.3 remote-as 65009" in frr
    assert "  maximum-paths 8" in frr and "  maximum-paths ibgp 1" in frr
    assert "  redistribute connected route-map EXPORT" in frr
    assert "route-map UNUSED" not in text  # not attached: not translated


def test_rpl_paths() -> None:
    text = "\n".join(frr_lines(RICH))
    # if / elseif / else: pass with a set, prepend (implies pass), drop
    assert ("route-map EXPORT permit 10\n match ip address prefix-list LOOPS\n set metric 50\nexit\n"
            "route-map EXPORT permit 20\n match ip address prefix-list EXPORT-1\n"
            " set as-path prepend 65009 65009\nexit\nroute-map EXPORT deny 30\nexit") in text
    assert "ip prefix-list EXPORT-1 seq 5 permit 192.0.2.0/24 le 32" in text  # the inline set
    # `A and B` is the intersection of the sets; done stops; an if without else falls through to the
    # next statement; `apply COMMON` passes what is left
    assert "ip prefix-list IMPORT-1 seq 5 permit 10.255.0.0/16 ge 32" in text
    assert ("route-map IMPORT permit 10\n match ip address prefix-list IMPORT-1\n set local-preference 300\n"
            "exit\nroute-map IMPORT deny 20\n match ip address prefix-list SHORT\nexit\n"
            "route-map IMPORT permit 30\nexit") in text
    # prefix-set syntax: ge/le/eq and exact entries
    assert "ip prefix-list LOOPS seq 5 permit 10.255.0.0/16 ge 32" in text
    assert "ip prefix-list LOOPS seq 10 permit 10.0.0.0/8 ge 24 le 28" in text
    assert "ip prefix-list LOOPS seq 15 permit 10.9.0.0/24" in text
    assert "ip prefix-list SHORT seq 5 permit 10.0.0.0/8 le 16" in text


def _policy_frr(body: str, sets: str = "") -> str:
    conf = (f"{sets}route-policy P\n{body}end-policy\n!\nrouter bgp 1\n address-family ipv4 unicast\n !\n"
            " neighbor 10.0.0.1\n  remote-as 2\n  address-family ipv4 unicast\n   route-policy P in\n"
            "   route-policy P out\n  !\n !\n!\n")
    text = to_frr(validate(parse_text(conf), "xr"))
    return "\n".join(ln for ln in text.splitlines() if ln.startswith(("route-map P", " match", " set")))


def test_rpl_semantics() -> None:
    sets = "prefix-set A\n  10.0.0.0/8 le 32\nend-set\n!\nprefix-set B\n  10.1.0.0/16 le 24\nend-set\n!\n"
    # an empty policy drops everything (XR's default at end-policy)
    assert _policy_frr("") == "route-map P deny 10"
    # pass then drop: drop wins (drop stops; pass only marks the route accepted)
    assert _policy_frr("  pass\n  drop\n") == "route-map P deny 10"
    # a set alone accepts
    assert _policy_frr("  set local-preference 50\n") == "route-map P permit 10\n set local-preference 50"
    # nested if: the inner else drops what is in A but not in B; what is not in A is never passed
    nested = ("  if destination in A then\n    if destination in B then\n      pass\n    else\n      drop\n"
              "    endif\n  endif\n")
    got = _policy_frr(nested, sets)
    assert got.splitlines() == ["route-map P permit 10", " match ip address prefix-list P-1",
                                "route-map P deny 20", " match ip address prefix-list A",
                                "route-map P deny 30"]
    # or: either set
    got = _policy_frr("  if destination in A or destination in B then\n    pass\n  endif\n", sets)
    assert got.splitlines() == ["route-map P permit 10", " match ip address prefix-list A",
                                "route-map P permit 20", " match ip address prefix-list B",
                                "route-map P deny 30"]


def _failed(text: str) -> str:
    with pytest.raises(ConfigError) as e:
        validate(parse_text(text), "xr")
    return e.value.message


def test_commit_errors() -> None:
    base = golden("pe1")
    msg = _failed(base.replace("route-policy FABRIC-IMPORT in", "route-policy NOPE in"))
    assert msg.startswith("!! SEMANTIC ERRORS: This configuration was rejected by \n"
                          "!! the system due to semantic errors.")
    assert ("router bgp 65000\n neighbor-group RR\n  address-family ipv4 unicast\n"
            "   route-policy NOPE in\n!!% Policy [NOPE] does not exist\n") in msg
    assert msg.endswith("!\nend\n")
    # an attached policy whose prefix-set is missing
    msg = _failed(base.replace("if destination in LOOPBACKS then", "if destination in GONE then"))
    assert "!!% Policy [FABRIC-EXPORT] uses the prefix-set [GONE] which does not exist" in msg
    # a policy that is not attached may refer to anything (XR checks at the attach point)
    validate(parse_text(base + "route-policy LATER\n  apply NOT-YET\nend-policy\n!\n"), "xr")
    msg = _failed(base.replace("use neighbor-group RR", "use neighbor-group GHOST", 1))
    assert (" neighbor 10.254.0.1\n  use neighbor-group GHOST\n!!% Neighbor-group 'GHOST' does not exist"
            in msg)
    msg = _failed(base.replace("  remote-as 65000\n", ""))
    assert ("router bgp 65000\n neighbor 10.254.0.1\n!!% The remote-as is not configured for this neighbor "
            "or its neighbor-group\n!\n") in msg
    assert " neighbor 10.254.0.2\n!!%" in msg  # every refused item is listed
    global_af = " address-family ipv4 unicast\n  maximum-paths ibgp 4\n  network 10.254.0.5/32\n !\n"
    assert global_af in base
    msg = _failed(base.replace(global_af, ""))
    assert "  address-family ipv4 unicast\n!!% The parent address family has not been initialized" in msg


# ---- the real FRR --------------------------------------------------------------------------------
SOURCES = {"rr1": lambda: golden("rr1"), "pe1": lambda: golden("pe1"), "reference": reference,
           "rich": lambda: RICH}
EXPECT = {  # lines FRR's own running config must then show
    "rr1": ["neighbor RR-CLIENTS route-reflector-client", "neighbor 10.254.0.5 peer-group RR-CLIENTS",
            "isis metric 100", "is-type level-2-only", "ip address 10.2.0.3/31"],
    "pe1": ["neighbor RR route-map FABRIC-EXPORT out", "maximum-paths 1", "isis metric 20"],
    "reference": ["ip route 0.0.0.0/0 172.30.2.1", "ip address 172.16.255.101/32"],
    "rich": ["metric-style narrow", "neighbor 10.9.0.5 route-map XR-EBGP-NO-POLICY out",
             "no neighbor 10.9.0.5 send-community all", "isis bfd profile xr-100x5",
             "route-map IMPORT deny 20", "set as-path prepend 65009 65009"],
}


@pytest.mark.parametrize("name", list(SOURCES))
def test_real_frr_takes_every_line(name: str, tmp_path: Path) -> None:
    reason = frr_available()
    need(reason is None, f"real FRR unavailable: {reason}")
    dev = validate(parse_text(SOURCES[name]()), "xr")
    with frr_node(tmp_path) as node:
        node.links(kernel_links(dev))
        assert node.load(to_frr(dev)) == []
        running = [ln.strip() for ln in node.vtysh("show running-config").splitlines()]
        for line in EXPECT[name]:
            assert line in running, line


BEHAVIOUR = """hostname xr7
interface Loopback0
 ipv4 address 10.255.77.1 255.255.255.255
!
interface Loopback1
 ipv4 address 10.66.0.1 255.255.255.255
!
interface GigabitEthernet0/0/0/0
 ipv4 address 10.77.0.0 255.255.255.254
!
prefix-set LOOPS
  10.255.0.0/16 ge 32
end-set
!
route-policy OUT
  if destination in LOOPS then
    pass
  endif
end-policy
!
route-policy IN
  pass
end-policy
!
router bgp 65077
 bgp router-id 10.255.77.1
 address-family ipv4 unicast
  network 10.255.77.1/32
  network 10.66.0.1/32
 !
 neighbor 10.77.0.1
  remote-as 65078
  address-family ipv4 unicast
   route-policy IN in
   route-policy OUT out
  !
 !
!
end
"""
PEER = """router bgp 65078
 no bgp ebgp-requires-policy
 neighbor 10.77.0.0 remote-as 65077
 neighbor 10.77.0.0 timers 1 3
 neighbor 10.77.0.0 timers connect 1
 address-family ipv4 unicast
  network 192.0.2.78/32
 exit-address-family
exit
"""


def _routes(node: FrrNode) -> set[str]:
    return set(json.loads(node.vtysh("show bgp ipv4 unicast json")).get("routes", {}))


def _settle(cond: object, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end and not cond():  # type: ignore[operator]
        time.sleep(0.5)
    time.sleep(2)  # anything else (wrongly) sent has arrived by now


def test_real_bgp_follows_xr_policy_semantics(tmp_path: Path) -> None:
    """Behaviour over a real eBGP session: the out policy sends the loopback it passes, not the other
    network; then without policies (XR's eBGP default) nothing is exchanged either way."""
    reason = frr_available()
    need(reason is None, f"real FRR unavailable: {reason}")
    dev = validate(parse_text(BEHAVIOUR), "xr")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with frr_node(tmp_path / "a") as twin, frr_node(tmp_path / "b") as peer:
        links = kernel_links(dev)
        del links["Gi0-0-0-0"]
        twin.links(links)
        run = lambda *a: subprocess.run(a, check=True, capture_output=True)  # noqa: E731
        run("ip", "-n", twin.ns, "link", "add", "Gi0-0-0-0", "type", "veth", "peer", "name", "eth1",
            "netns", peer.ns)
        run("ip", "-n", twin.ns, "link", "set", "Gi0-0-0-0", "up")
        run("ip", "-n", peer.ns, "addr", "add", "10.77.0.1/31", "dev", "eth1")
        run("ip", "-n", peer.ns, "addr", "add", "192.0.2.78/32", "dev", "lo")
        run("ip", "-n", peer.ns, "link", "set", "eth1", "up")
        assert twin.load(to_frr(dev)) == []
        assert peer.load(PEER) == []
        _settle(lambda: "10.255.77.1/32" in _routes(peer) and "192.0.2.78/32" in _routes(twin))
        assert "192.0.2.78/32" in _routes(twin)
        assert _routes(peer) - {"192.0.2.78/32"} == {"10.255.77.1/32"}  # OUT dropped 10.66.0.1/32

        bare = BEHAVIOUR.replace("   route-policy IN in\n   route-policy OUT out\n", "")
        assert twin.load(to_frr(validate(parse_text(bare), "xr"))) == []
        twin.vtysh("clear bgp * soft")  # the new policies on the session that stays up
        _settle(lambda: _routes(twin) == {"10.255.77.1/32", "10.66.0.1/32"} and _routes(peer) == {
            "192.0.2.78/32"})
        assert json.loads(twin.vtysh("show bgp ipv4 unicast summary json")).get(
            "peers", {}).get("10.77.0.1", {}).get("state") == "Established"
        assert _routes(twin) == {"10.255.77.1/32", "10.66.0.1/32"}  # its own networks only
        assert _routes(peer) == {"192.0.2.78/32"}
