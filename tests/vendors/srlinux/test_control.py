"""SR Linux configuration (JSON) -> FRR: golden translations, policies, commit errors, and the real FRR
taking every line of each generated configuration."""

from __future__ import annotations

import copy
import json
import re
import shlex
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from _skip import need

from fabric.vendors.srlinux.twin.control import CommitError, kernel_links, parse, to_frr, validate

from .frrcheck import FrrNode, frr_available, frr_node

ROOT = Path(__file__).resolve().parents[3]
PE2 = ROOT / "containerlab" / "backbone" / "pe2.cfg"
REFERENCE = ROOT.parent / "shared" / "reference" / "napalm-mocked-community" / "srlinux"

# list -> key leaves (by parent where the name is ambiguous), enough for the fixtures below
_KEYS = {"interface": ("name",), "subinterface": ("index",), "address": ("ip-prefix",),
         "network-instance": ("name",), "group": ("group-name",), "neighbor": ("peer-address",),
         "afi-safi": ("afi-safi-name",), "instance": ("name",), "level": ("level-number",),
         "area": ("area-id",), "route": ("prefix",), "nexthop": ("index",), "prefix-set": ("name",),
         "prefix": ("ip-prefix", "mask-length-range"), "policy": ("name",), "statement": ("name",),
         "server": ("address",), "remote-server": ("host",)}
_BY_PARENT = {("instance", "interface"): ("interface-name",), ("area", "interface"): ("interface-name",),
              ("next-hop-groups", "group"): ("name",), ("bfd", "subinterface"): ("id",),
              ("static-routes", "route"): ("prefix",)}
_STRINGS = {"name", "description", "router-id", "area-id", "id", "peer-address", "ip-prefix", "prefix"}


def _typed(leaf: str, v: str) -> Any:
    if leaf not in _STRINGS and re.fullmatch(r"\d+", v):
        return int(v)
    return {"true": True, "false": False}.get(v, v)


def flat_to_json(text: str) -> dict[str, Any]:
    """``set / ...`` lines (``info flat``) -> SR Linux's JSON (the obvious nesting)."""
    root: dict[str, Any] = {}
    for line in text.splitlines():
        if not line.startswith("set / "):
            continue
        words = shlex.split(line[len("set / "):])
        node, parent, i = root, "", 0
        while i < len(words):
            w = words[i]
            keys = None if parent == "match" else _BY_PARENT.get((parent, w)) or _KEYS.get(w)
            rest = words[i + 1:]
            if keys and rest:
                # the first key is positional, further ones are named: `prefix P mask-length-range R`
                vals = {keys[0]: _typed(keys[0], rest[0])}
                n = 1
                for k in keys[1:]:
                    if rest[n:n + 1] == [k]:
                        vals[k] = _typed(k, rest[n + 1])
                        n += 2
                lst = node.setdefault(w, [])
                entry = next((e for e in lst if all(e.get(k) == v for k, v in vals.items())), None)
                if entry is None:
                    entry = dict(vals)
                    lst.append(entry)
                node, parent, i = entry, w, i + 1 + n
            elif len(rest) == 1 or rest[:1] == ["["]:
                if rest[0] == "[":
                    node[w] = [_typed(w, v) for v in rest[1:-1]]
                else:
                    node[w] = _typed(w, rest[0])
                break
            else:
                node, parent, i = node.setdefault(w, {}), w, i + 1
    return root


def pe2() -> dict[str, Any]:
    return flat_to_json(PE2.read_text())


def _unprefix(v: Any) -> Any:
    """The reference reply keeps module prefixes (``srl_nokia-bgp:bgp``); the canonical form does not."""
    if isinstance(v, dict):
        return {k.split(":", 1)[-1]: _unprefix(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_unprefix(x) for x in v]
    if isinstance(v, str) and re.fullmatch(r"srl_nokia-[\w-]+:[\w-]+", v):
        return v.split(":", 1)[1]
    return v


def reference() -> dict[str, Any]:
    path = REFERENCE / "test_get_config" / "normal" / "___running.json"
    need(path.exists(), f"reference data missing: {path}")
    return dict(_unprefix(json.loads(path.read_text())[0]))


def lines(frr: str) -> list[str]:
    return frr.splitlines()


RICH = """
set / interface ethernet-1/1 admin-state enable
set / interface ethernet-1/1 mtu 9100
set / interface ethernet-1/1 subinterface 0 ip-mtu 9000
set / interface ethernet-1/1 subinterface 0 ipv4 admin-state enable
set / interface ethernet-1/1 subinterface 0 ipv4 address 10.9.0.0/31
set / interface ethernet-1/2 admin-state disable
set / interface ethernet-1/2 subinterface 0 ipv4 admin-state enable
set / interface ethernet-1/2 subinterface 0 ipv4 address 10.9.0.2/31
set / interface ethernet-1/3 subinterface 0 ipv4 address 10.9.0.4/31
set / interface ethernet-1/4 subinterface 0 ipv4 admin-state enable
set / interface ethernet-1/4 subinterface 0 ipv4 address 192.168.7.1/24
set / interface system0 subinterface 0 ipv4 admin-state enable
set / interface system0 subinterface 0 ipv4 address 10.255.9.1/32
set / system name host-name leaf9
set / system lldp admin-state disable
set / network-instance default type default
set / network-instance default router-id 10.255.9.1
set / network-instance default interface ethernet-1/1.0
set / network-instance default interface ethernet-1/2.0
set / network-instance default interface ethernet-1/3.0
set / network-instance default interface system0.0
set / network-instance default static-routes route 10.99.0.0/16 next-hop-group NHG
set / network-instance default static-routes route 10.99.0.0/16 preference 200
set / network-instance default static-routes route 10.98.0.0/16 next-hop-group DROP
set / network-instance default next-hop-groups group NHG nexthop 1 ip-address 10.9.0.1
set / network-instance default next-hop-groups group DROP blackhole
set / network-instance default protocols bgp autonomous-system 65009
set / network-instance default protocols bgp afi-safi ipv4-unicast admin-state enable
set / network-instance default protocols bgp afi-safi ipv4-unicast multipath ebgp maximum-paths 8
set / network-instance default protocols bgp ebgp-default-policy export-reject-all false
set / network-instance default protocols bgp group SPINES peer-as 65000
set / network-instance default protocols bgp group SPINES export-policy [ EXPORT-LOCAL ]
set / network-instance default protocols bgp group SPINES failure-detection enable-bfd true
set / network-instance default protocols bgp group SPINES timers hold-time 9
set / network-instance default protocols bgp group SPINES timers keepalive-interval 3
set / network-instance default protocols bgp group PLAIN peer-as 65100
set / network-instance default protocols bgp group IBGP peer-as 65009
set / network-instance default protocols bgp group IBGP route-reflector client true
set / network-instance default protocols bgp group IBGP route-reflector cluster-id 10.255.9.1
set / network-instance default protocols bgp group IBGP import-policy [ BGP-ONLY LOCAL-PREF ]
set / network-instance default protocols bgp neighbor 10.9.0.1 peer-group SPINES
set / network-instance default protocols bgp neighbor 10.9.0.1 description spine1
set / network-instance default protocols bgp neighbor 10.9.0.3 peer-group SPINES
set / network-instance default protocols bgp neighbor 10.9.0.3 peer-as 65001
set / network-instance default protocols bgp neighbor 10.9.0.3 admin-state disable
set / network-instance default protocols bgp neighbor 10.9.0.5 peer-group PLAIN
set / network-instance default protocols bgp neighbor 10.255.9.2 peer-group IBGP
set / network-instance default protocols bgp neighbor 10.255.9.2 transport local-address 10.255.9.1
ISIS admin-state enable
ISIS level-capability L1L2
ISIS net [ 49.0009.0102.5500.9001.00 ]
ISIS interface ethernet-1/2.0 circuit-type point-to-point
ISIS interface ethernet-1/2.0 level 1 metric 30
ISIS interface ethernet-1/2.0 level 2 metric 40
ISIS interface ethernet-1/2.0 ipv4-unicast enable-bfd true
OSPF admin-state enable
OSPF version ospf-v2
OSPF area 0.0.0.0 interface ethernet-1/1.0 interface-type point-to-point
OSPF area 0.0.0.0 interface ethernet-1/1.0 metric 50
OSPF area 0.0.0.0 interface ethernet-1/1.0 failure-detection enable-bfd true
OSPF area 0.0.0.0 interface system0.0 passive true
set / network-instance mgmt type ip-vrf
set / network-instance mgmt interface ethernet-1/4.0
set / bfd subinterface ethernet-1/1.0 admin-state enable
set / bfd subinterface ethernet-1/1.0 desired-minimum-transmit-interval 100000
set / bfd subinterface ethernet-1/1.0 required-minimum-receive 100000
set / bfd subinterface ethernet-1/1.0 detection-multiplier 5
set / bfd subinterface ethernet-1/2.0 admin-state enable
set / routing-policy prefix-set LOOPS prefix 10.255.0.0/16 mask-length-range 32..32
set / routing-policy prefix-set LOOPS prefix 10.0.0.0/8 mask-length-range 24..28
set / routing-policy prefix-set LOOPS prefix 10.9.0.0/24 mask-length-range exact
set / routing-policy policy EXPORT-LOCAL statement 10 match protocol local
set / routing-policy policy EXPORT-LOCAL statement 10 match prefix-set LOOPS
set / routing-policy policy EXPORT-LOCAL statement 10 action policy-result accept
set / routing-policy policy EXPORT-LOCAL statement 10 action bgp as-path prepend as-number auto
set / routing-policy policy EXPORT-LOCAL statement 10 action bgp as-path prepend repeat-n 2
set / routing-policy policy EXPORT-LOCAL statement 20 match protocol bgp
set / routing-policy policy EXPORT-LOCAL statement 20 action policy-result reject
set / routing-policy policy BGP-ONLY statement deny-loops match prefix-set LOOPS
set / routing-policy policy BGP-ONLY statement deny-loops action policy-result reject
set / routing-policy policy LOCAL-PREF statement all action bgp local-preference set 300
set / routing-policy policy LOCAL-PREF statement all action policy-result accept
"""


def rich() -> dict[str, Any]:
    prefix = "set / network-instance default protocols"
    text = re.sub(r"^ISIS ", f"{prefix} isis instance CORE ", RICH, flags=re.M)
    return flat_to_json(re.sub(r"^OSPF ", f"{prefix} ospf instance main ", text, flags=re.M))


def _frr_takes_all(cfg: dict[str, Any], tmp_path: Path) -> None:
    reason = frr_available()
    need(reason is None, f"real FRR unavailable: {reason}")
    dev = validate(cfg)
    with frr_node(tmp_path) as node:
        node.links(kernel_links(dev))
        assert node.load(to_frr(dev)) == []


# ---- golden: the rendered backbone pe2 ---------------------------------------------------------
PE2_FRR = """frr defaults traditional
hostname pe2
service integrated-vtysh-config
ip forwarding
interface e1-1
 description to p1 1/1/c4/1
 ip address 10.2.0.11/31
 ip router isis FABRIC
 isis network point-to-point
 isis metric 20
 isis bfd
exit
interface e1-2
 description to p2 Ethernet4
 ip address 10.2.0.13/31
 ip router isis FABRIC
 isis network point-to-point
 isis metric 20
 isis bfd
exit
interface system0
 description router-id and overlay peering
 ip address 10.254.0.6/32
 ip router isis FABRIC
 isis passive
exit
ip prefix-list LOOPBACKS seq 5 permit 10.254.0.0/24 ge 32
ip prefix-list SRL-DEFAULT-CONNECTED seq 5 permit 10.2.0.10/31
ip prefix-list SRL-DEFAULT-CONNECTED seq 10 permit 10.2.0.12/31
ip prefix-list SRL-DEFAULT-CONNECTED seq 15 permit 10.254.0.6/32
route-map SRL-REDIST-CONNECTED permit 10
 match ip address prefix-list SRL-DEFAULT-CONNECTED
 set tag 101
exit
route-map SRL-REDIST-ISIS permit 10
 set tag 103
exit
route-map FABRIC-IMPORT-in permit 65535
exit
route-map FABRIC-EXPORT-out permit 10
 match ip address prefix-list LOOPBACKS
exit
route-map FABRIC-EXPORT-out deny 65535
exit
router bgp 65000
 bgp router-id 10.254.0.6
 no bgp ebgp-requires-policy
 no bgp network import-check
 no bgp default ipv4-unicast
 timers bgp 30 90
 neighbor 10.254.0.1 remote-as 65000
 neighbor 10.254.0.1 description rr1
 neighbor 10.254.0.1 update-source system0
 neighbor 10.254.0.2 remote-as 65000
 neighbor 10.254.0.2 description rr2
 neighbor 10.254.0.2 update-source system0
 address-family ipv4 unicast
  redistribute connected route-map SRL-REDIST-CONNECTED
  redistribute isis route-map SRL-REDIST-ISIS
  maximum-paths 1
  maximum-paths ibgp 4
  neighbor 10.254.0.1 activate
  neighbor 10.254.0.1 route-map FABRIC-IMPORT-in in
  neighbor 10.254.0.1 route-map FABRIC-EXPORT-out out
  neighbor 10.254.0.2 activate
  neighbor 10.254.0.2 route-map FABRIC-IMPORT-in in
  neighbor 10.254.0.2 route-map FABRIC-EXPORT-out out
 exit-address-family
exit
router isis FABRIC
 is-type level-2-only
 lsp-timers gen-interval 1 refresh-interval 900 max-lifetime 1200
 net 49.0001.0102.5400.0006.00
exit
"""


def test_pe2_golden() -> None:
    dev = validate(pe2())
    assert dev.hostname == "pe2" and dev.lldp and dev.router_id == "10.254.0.6"
    assert "mgmt0" not in dev.interfaces  # the lab's management port is never touched
    assert to_frr(dev) == PE2_FRR
    # ip-mtu is the kernel MTU; system0 is a loopback stand-in
    assert kernel_links(dev) == {"e1-1": (9000, True), "e1-2": (9000, True), "system0": (1500, True)}


def test_pe2_semantics() -> None:
    frr = lines(to_frr(parse(pe2())))
    assert not any("172.20.22" in ln for ln in frr)  # mgmt0 and the mgmt VRF's static route stay out
    # BFD at 300 ms x 3 is FRR's default: BFD on, no profile (FRR would never show one)
    assert " isis bfd" in frr and not any("profile" in ln for ln in frr)
    # BGP's enable-bfd runs only where the session's subinterface (system0.0 here) has BFD enabled
    assert not any(ln.startswith(" neighbor") and ln.endswith(" bfd") for ln in frr)
    # the export policy accepts 10.254.0.0/24 32..32 from any protocol: local and IS-IS routes are
    # redistributed (tagged) and the neighbor's route-map decides
    assert "  redistribute connected route-map SRL-REDIST-CONNECTED" in frr
    assert "  redistribute isis route-map SRL-REDIST-ISIS" in frr
    assert "ip prefix-list LOOPBACKS seq 5 permit 10.254.0.0/24 ge 32" in frr
    assert "  maximum-paths 1" in frr and "  maximum-paths ibgp 4" in frr  # SR Linux: eBGP 1 path
    assert " metric-style narrow" not in frr and " is-type level-2-only" in frr


def test_real_reference_config() -> None:
    dev = validate(reference())
    frr = lines(to_frr(dev))
    assert "interface e1-1" in frr and " ip address 10.0.0.1/30" in frr
    # ethernet-1/2 is in ip-vrf TEST, ethernet-1/3 bridged in a mac-vrf: not routed by the default instance
    assert not any("10.0.1.1" in ln for ln in frr) and "interface e1-2" not in frr
    assert set(kernel_links(dev)) == {"e1-1", "e1-2", "e1-3"}
    assert " neighbor 10.0.0.2 remote-as 65002" in frr and " neighbor 10.0.0.2 description srl2" in frr
    # policy `all` (default-action accept) both ways: eBGP gets everything, local routes included
    assert "  neighbor 10.0.0.2 route-map all-ebgp-in in" in frr
    assert "  neighbor 10.0.0.2 route-map all-ebgp-out out" in frr
    assert "route-map all-ebgp-out permit 65535" in frr
    assert "  redistribute connected route-map SRL-REDIST-CONNECTED" in frr


def test_rich_translation() -> None:
    dev = validate(rich())
    frr = to_frr(dev)
    assert dev.hostname == "leaf9" and not dev.lldp
    # port MTU 9100 allows ip-mtu 9000; disabled port is down; ethernet-1/4 (mgmt VRF) gets no address
    links = kernel_links(dev)
    assert links["e1-1"] == (9000, True) and links["e1-2"] == (1500, False)
    assert "192.168.7.1" not in frr
    assert "interface e1-3" not in frr  # ipv4 not enabled: no address, no routing
    for ln in ["ip route 10.99.0.0/16 10.9.0.1 200", "ip route 10.98.0.0/16 blackhole",
               " ip ospf area 0.0.0.0", " ip ospf network point-to-point", " ip ospf cost 50",
               " ip ospf bfd profile srl-100-100x5", " ip ospf passive",
               " isis metric level-1 30", " isis metric level-2 40", " isis bfd profile srl-1000-1000x3",
               " shutdown", " metric-style narrow", "router ospf", " ospf router-id 10.255.9.1",
               " neighbor 10.9.0.1 timers 3 9", " neighbor 10.9.0.1 bfd profile srl-100-100x5",
               " neighbor 10.9.0.3 remote-as 65001", " neighbor 10.9.0.3 shutdown",
               " bgp cluster-id 10.255.9.1", "  neighbor 10.255.9.2 route-reflector-client",
               " neighbor 10.255.9.2 update-source system0", "  maximum-paths 8", "  maximum-paths ibgp 1",
               " bgp bestpath as-path multipath-relax", " profile srl-100-100x5", "  detect-multiplier 5",
               "  transmit-interval 100", "  receive-interval 100"]:
        assert ln in lines(frr), ln
    assert ("router isis CORE\n metric-style narrow\n"
            " lsp-timers gen-interval 1 refresh-interval 900 max-lifetime 1200\n"
            " net 49.0009.0102.5500.9001.00\nexit") in frr  # L1L2


def test_policies_and_prefix_sets() -> None:
    frr = lines(to_frr(validate(rich())))
    assert [ln for ln in frr if ln.startswith("ip prefix-list LOOPS")] == [
        "ip prefix-list LOOPS seq 5 permit 10.255.0.0/16 ge 32",
        "ip prefix-list LOOPS seq 10 permit 10.0.0.0/8 ge 24 le 28",
        "ip prefix-list LOOPS seq 15 permit 10.9.0.0/24",
    ]
    text = "\n".join(frr)
    # match protocol local -> the tag of redistributed connected routes; protocol bgp -> tagged routes skip
    # as-path prepend as-number auto: the local AS, repeat-n times
    assert ("route-map EXPORT-LOCAL-out permit 10\n match ip address prefix-list LOOPS\n match tag 101\n"
            " set as-path prepend 65009 65009\nexit" in text)
    assert "route-map EXPORT-LOCAL-out permit 20\n match tag 101\n on-match goto 22\nexit" in text
    assert "route-map EXPORT-LOCAL-out deny 21\nexit" in text
    # no default-action: BGP routes are exported (export-reject-all false), local ones not
    assert "route-map EXPORT-LOCAL-out deny 65500\n match tag 101\nexit" in text
    assert "route-map EXPORT-LOCAL-out permit 65535" in text
    # a chain: BGP-ONLY decides nothing by default, LOCAL-PREF accepts with local-preference 300
    assert ("route-map BGP-ONLY_LOCAL-PREF-in deny 10\n match ip address prefix-list LOOPS\nexit\n"
            "route-map BGP-ONLY_LOCAL-PREF-in permit 20\n set local-preference 300\nexit") in text
    # eBGP without import policy: import-reject-all (default true); no export policy: BGP routes only
    assert "  neighbor 10.9.0.5 route-map SRL-REJECT-ALL in" in frr
    assert "  neighbor 10.9.0.5 route-map SRL-BGP-ONLY out" in frr
    assert "  neighbor 10.255.9.2 route-map SRL-BGP-ONLY out" in frr  # iBGP: no local routes either


def test_ebgp_default_policy_reject_all() -> None:
    cfg = rich()
    bgp = cfg["network-instance"][0]["protocols"]["bgp"]
    del bgp["ebgp-default-policy"]  # both true: no policy, nothing learned or advertised
    frr = lines(to_frr(validate(cfg)))
    assert "  neighbor 10.9.0.5 route-map SRL-REJECT-ALL out" in frr
    assert "route-map EXPORT-LOCAL-ebgp-out permit 65535" not in frr
    assert "route-map EXPORT-LOCAL-ebgp-out deny 65535" in frr
    bgp["ebgp-default-policy"] = {"import-reject-all": False, "export-reject-all": False}
    frr = lines(to_frr(validate(cfg)))
    assert not any("neighbor 10.9.0.5 route-map" in ln and "REJECT" in ln for ln in frr)


def _commit_error(cfg: dict[str, Any]) -> str:
    with pytest.raises(CommitError) as e:
        validate(cfg)
    return e.value.message


def test_commit_errors() -> None:
    base = rich()
    ni = lambda c: c["network-instance"][0]  # noqa: E731
    c = copy.deepcopy(base)
    ni(c)["protocols"]["bgp"]["group"][0]["export-policy"] = ["NOPE"]
    assert "policy 'NOPE' does not exist" in _commit_error(c)
    c = copy.deepcopy(base)
    ni(c)["protocols"]["bgp"]["neighbor"][0]["peer-group"] = "GHOST"
    assert "peer-group 'GHOST' does not exist" in _commit_error(c)
    c = copy.deepcopy(base)
    del ni(c)["protocols"]["bgp"]["autonomous-system"]
    assert "autonomous-system" in _commit_error(c)
    c = copy.deepcopy(base)
    c["routing-policy"]["policy"][1]["statement"][0]["match"]["prefix-set"] = "MISSING"
    assert "prefix-set 'MISSING' does not exist" in _commit_error(c)
    c = copy.deepcopy(base)
    ni(c)["interface"].append({"name": "ethernet-1/9.0"})
    assert "ethernet-1/9.0" in _commit_error(c)
    c = copy.deepcopy(base)
    ni(c)["static-routes"]["route"][0]["next-hop-group"] = "NONE"
    assert "next-hop-group 'NONE' does not exist" in _commit_error(c)
    c = copy.deepcopy(base)
    del ni(c)["protocols"]["bgp"]["group"][1]["peer-as"]  # PLAIN
    assert "peer-as" in _commit_error(c)


# ---- the real FRR takes every line ---------------------------------------------------------------
@pytest.mark.parametrize("name", ["pe2", "reference", "rich"])
def test_real_frr_takes_every_line(name: str, tmp_path: Path) -> None:
    _frr_takes_all({"pe2": pe2, "reference": reference, "rich": rich}[name](), tmp_path)


BEHAVIOUR = """
set / interface ethernet-1/1 subinterface 0 ipv4 admin-state enable
set / interface ethernet-1/1 subinterface 0 ipv4 address 10.77.0.0/31
set / interface ethernet-1/2 subinterface 0 ipv4 admin-state enable
set / interface ethernet-1/2 subinterface 0 ipv4 address 10.77.1.0/31
set / interface system0 subinterface 0 ipv4 admin-state enable
set / interface system0 subinterface 0 ipv4 address 10.255.77.1/32
set / network-instance default interface ethernet-1/1.0
set / network-instance default interface ethernet-1/2.0
set / network-instance default interface system0.0
set / network-instance default protocols bgp autonomous-system 65077
set / network-instance default protocols bgp router-id 10.255.77.1
set / network-instance default protocols bgp group EBGP peer-as 65078
set / network-instance default protocols bgp group EBGP export-policy [ EXPORT-LOCAL ]
set / network-instance default protocols bgp group EBGP import-policy [ ALL ]
set / network-instance default protocols bgp neighbor 10.77.0.1 peer-group EBGP
set / routing-policy prefix-set LOOPS prefix 10.255.0.0/16 mask-length-range 32..32
set / routing-policy policy EXPORT-LOCAL statement 10 match protocol local
set / routing-policy policy EXPORT-LOCAL statement 10 match prefix-set LOOPS
set / routing-policy policy EXPORT-LOCAL statement 10 action policy-result accept
set / routing-policy policy ALL default-action policy-result accept
"""
PEER = """router bgp 65078
 no bgp ebgp-requires-policy
 neighbor 10.77.0.0 remote-as 65077
 neighbor 10.77.0.0 timers 1 3
 address-family ipv4 unicast
  network 192.0.2.78/32
 exit-address-family
exit
"""


def test_real_bgp_exports_what_the_policy_accepts(tmp_path: Path) -> None:
    """Behaviour, not just syntax: over a real eBGP session the tag-based export sends the loopback the
    policy accepts (a local route), not the other connected subnets; the import policy takes the peer's."""
    reason = frr_available()
    need(reason is None, f"real FRR unavailable: {reason}")
    dev = validate(flat_to_json(BEHAVIOUR))
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with frr_node(tmp_path / "a") as twin, frr_node(tmp_path / "b") as peer:
        links = kernel_links(dev)
        del links["e1-1"]
        twin.links(links)
        run = lambda *a: subprocess.run(a, check=True, capture_output=True)  # noqa: E731
        run("ip", "-n", twin.ns, "link", "add", "e1-1", "type", "veth", "peer", "name", "eth1",
            "netns", peer.ns)
        run("ip", "-n", twin.ns, "link", "set", "e1-1", "up")
        run("ip", "-n", peer.ns, "addr", "add", "10.77.0.1/31", "dev", "eth1")
        run("ip", "-n", peer.ns, "addr", "add", "192.0.2.78/32", "dev", "lo")
        run("ip", "-n", peer.ns, "link", "set", "eth1", "up")
        assert twin.load(to_frr(dev)) == []
        assert peer.load(PEER) == []

        def routes(node: FrrNode) -> set[str]:
            return set(json.loads(node.vtysh("show bgp ipv4 unicast json")).get("routes", {}))

        end = time.monotonic() + 60
        while time.monotonic() < end and not ({"10.255.77.1/32"} <= routes(peer)
                                               and "192.0.2.78/32" in routes(twin)):
            time.sleep(0.5)
        time.sleep(2)  # anything else the twin would (wrongly) send has arrived by now
        assert "192.0.2.78/32" in routes(twin)
        got = routes(peer) - {"192.0.2.78/32"}
        assert got == {"10.255.77.1/32"}, got
