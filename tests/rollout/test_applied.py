"""The config_applied gate check on real config text and real gate facts (FRR vtysh JSON)."""

from __future__ import annotations

import json

from fabric.rollout.applied import check, missing_lines, stanza_lines
from fabric.vendors.frr.driver import _frr_facts

RUNNING_FRR = """frr version 8.4.4
frr defaults traditional
hostname leaf3
!
interface eth1
 mtu 9214
exit
!
router bgp 65103
 bgp router-id 10.0.0.3
 neighbor 10.1.0.4 remote-as 65001
 !
 address-family ipv4 unicast
  network 10.0.0.3/32
 exit-address-family
exit
!
end
"""
RUNNING_EOS = """! Command: show running-config
interface Ethernet1
   mtu 9214
   no switchport
!
router bgp 65101
   neighbor 10.1.0.0 remote-as 65001
!
"""


def test_stanza_lines_keep_context() -> None:
    lines = stanza_lines(RUNNING_FRR)
    assert ("router bgp 65103", "neighbor 10.1.0.4 remote-as 65001") in lines
    assert ("router bgp 65103", "address-family ipv4 unicast", "network 10.0.0.3/32") in lines
    assert ("neighbor 10.1.0.4 remote-as 65001",) not in lines  # only inside its stanza


def test_missing_lines_frr_and_eos() -> None:
    good = "router bgp 65103\n neighbor 10.1.0.4 remote-as 65001\nexit\n"
    assert missing_lines(good, RUNNING_FRR) == []
    bad = "router bgp 65103\n neighbor 10.1.0.4 remote-as 65999\nexit\n"
    assert missing_lines(bad, RUNNING_FRR) == ["router bgp 65103 > neighbor 10.1.0.4 remote-as 65999"]
    eos = "router bgp 65101\n   neighbor 10.1.0.0 remote-as 65001\n"
    assert missing_lines(eos, RUNNING_EOS) == []
    assert missing_lines("interface Ethernet1\n   no switchport\n", RUNNING_EOS) == []
    assert missing_lines("interface Ethernet1\n   no mtu 9214\n", RUNNING_EOS) == [
        "interface Ethernet1 > no mtu 9214"
    ]


def _facts(remote_as: int, uptime_ms: int, mtu: int = 9214, admin: str = "up") -> dict:
    summary = {"ipv4Unicast": {"peers": {"10.1.0.4": {"remoteAs": remote_as, "state": "Established",
                                                      "peerUptimeMsec": uptime_ms},
                                         "10.1.0.6": {"remoteAs": 65002, "state": "Established",
                                                      "peerUptimeMsec": 3_600_000}}}}
    routes = {"routesTotal": 12}
    ifs = {"eth1": {"administrativeStatus": admin, "operationalStatus": admin, "mtu": mtu}}
    return _frr_facts("\n".join(json.dumps(d) for d in (summary, routes, ifs)))


def test_state_must_agree_with_the_config() -> None:
    """The silent failure of issue 12: the running config says 65999, the control plane peers with 65001."""
    cand = "router bgp 65103\n neighbor 10.1.0.4 remote-as 65999\nexit\n"
    running = RUNNING_FRR.replace("remote-as 65001", "remote-as 65999")
    (res, flap) = check(candidate=cand, mode="merge", running=running, post=_facts(65001, 3_600_000),
                        diff="+ neighbor 10.1.0.4 remote-as 65999", commit_age=10)
    assert not res["ok"] and "peers with AS 65001" in res["detail"]
    assert flap["ok"]
    (ok, _) = check(candidate=cand, mode="merge", running=running, post=_facts(65999, 3_600_000),
                    diff="", commit_age=10)
    assert ok["ok"], ok


def test_interfaces_mtu_and_admin_state() -> None:
    cand = "interface eth1\n mtu 1500\n shutdown\nexit\n"
    running = RUNNING_FRR.replace(" mtu 9214", " mtu 1500\n shutdown")
    (res, _) = check(candidate=cand, mode="merge", running=running, post=_facts(65001, 10**7),
                     diff="", commit_age=5)
    assert not res["ok"]
    assert "mtu 1500, the interface has 9214" in res["detail"] and "admin up" in res["detail"]


def test_a_session_younger_than_the_commit_flapped() -> None:
    cand = "route-map X permit 10\n set local-preference 120\nexit\n"
    running = RUNNING_FRR + cand
    results = check(candidate=cand, mode="merge", running=running, post=_facts(65001, 4_000),
                    diff="+ route-map X permit 10", commit_age=20)
    flap = results[1]
    assert not flap["ok"] and "10.1.0.4" in flap["detail"] and "10.1.0.6" not in flap["detail"]
    # A neighbour the change itself touches may reset: not reported.
    touched = check(candidate=cand, mode="merge", running=running, post=_facts(65001, 4_000),
                    diff="+ neighbor 10.1.0.4 route-map X in", commit_age=20)
    assert touched[1]["ok"]


def test_missing_merge_line_fails_and_replace_relies_on_the_driver() -> None:
    cand = "route-map X permit 10\n set local-preference 120\nexit\n"
    (res,) = check(candidate=cand, mode="merge", running=RUNNING_FRR, post={}, diff="", commit_age=None)
    assert not res["ok"] and "set local-preference 120" in res["detail"]
    (rep,) = check(candidate=cand, mode="replace", running=RUNNING_FRR, post={}, diff="", commit_age=None)
    assert rep["ok"]


def test_set_line_merge_is_checked_against_the_display_set_form() -> None:
    from fabric.vendors.junos.render import junos_display_set

    running = ('protocols {\n    bgp {\n        group SPINES {\n            neighbor 10.0.0.0 {\n'
               '                description "spine 1";\n                peer-as 65200;\n'
               '            }\n        }\n    }\n}\n')
    ok = 'set protocols bgp group SPINES neighbor 10.0.0.0 description "spine 1"\n'
    res = check(candidate=ok, mode="merge", running=running, post={}, diff="", commit_age=None,
                set_form=junos_display_set)
    assert res[0]["ok"], res
    missing = "set protocols bgp group SPINES neighbor 10.0.0.0 peer-as 65999\n"
    res = check(candidate=missing, mode="merge", running=running, post={}, diff="", commit_age=None,
                set_form=junos_display_set)
    assert not res[0]["ok"] and "peer-as 65999" in res[0]["detail"]
    gone = "delete protocols bgp group SPINES neighbor 10.0.0.0\n"
    res = check(candidate=gone, mode="merge", running=running, post={}, diff="", commit_age=None,
                set_form=junos_display_set)
    assert not res[0]["ok"]  # the neighbor is still there: the delete did not land


def test_a_platforms_own_merge_check_reads_what_lines_cannot() -> None:
    """SR OS: the snippet's quoting differs from the running config's and it deletes; the vendor's
    merge_check (registered in its Vendor entry) reads both with its config model."""
    from fabric import vendors

    merge_check = vendors.get("sros").load("merge_check")
    running = ('/configure router "Base" interface "to-p2" description "old"\n'
               '/configure router "Base" interface "to-p2" port 1/1/c1/1\n'
               '/configure router "Base" interface "lab" port 1/1/c2/1\n')
    ok = ('/configure router Base interface to-p2 description "old"\n'
          'delete /configure router "Base" interface "gone"\n')
    res = check(candidate=ok, mode="merge", running=running, post={}, diff="", commit_age=None,
                merge_check=merge_check)
    assert res[0]["ok"], res
    left = 'delete /configure router "Base" interface "lab"\n'
    res = check(candidate=left, mode="merge", running=running, post={}, diff="", commit_age=None,
                merge_check=merge_check)
    assert not res[0]["ok"] and "lab" in res[0]["detail"]  # the delete did not land
    other = '/configure router "Base" interface "to-p2" description "new"\n'
    res = check(candidate=other, mode="merge", running=running, post={}, diff="", commit_age=None,
                merge_check=merge_check)
    assert not res[0]["ok"] and "to-p2" in res[0]["detail"]
