"""The SR OS twin in the embedded lab: containerlab/sros-core.clab.yml (two SR OS nodes, rr1 as kind
nokia_sros and pe1 as kind nokia_srsim, and an FRR P router p1; IS-IS level 2 with iBGP through the SR OS
route reflector), booted from our own rendered MD-CLI configs and driven by unmodified clients: napalm-sros,
ncclient (sros handler), netmiko and scrapli-community nokia_sros, and our rollouts. Confirmed commits that
nobody accepts: MD-CLI ``commit confirmed 1`` reverted by the device's timer after its minute (on pe1, while
the other tests run), ``commit confirmed 1`` cancelled and one reverted when its session ends, a NETCONF
``<confirm-timeout>`` of 10 s.

Ground truth is the FRR P router (plain FRR, not a twin) and the SR OS nodes' own FRR and kernel. One lab
boot serves every test of this module (IS-IS takes its time to carry the loopbacks the iBGP session needs).
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from _twinbed import running_configs, wait_for

from fabric.rollout.engine import FabricSource, Options, Rollout
from fabric.rollout.journal import Journal
from fabric.rollout.playbook import Playbook
from fabric.rollout.scenario import PrivateLab
from tests.conftest import lab_copy

pytestmark = pytest.mark.lab
ROOT = Path(__file__).resolve().parents[3]
RR1_LO, PE1_LO = "10.254.10.1", "10.254.10.3"
RR1_TO_PE1 = ("1/1/c2/1", "eth2")  # rr1's port to pe1 and its Linux name (kind nokia_sros)


# pe1's `commit confirmed 1` nobody accepts: started with the module's first test so that its minute runs
# while the others do (pe1 is only read until the rollouts, which wait for the revert first)
MINUTE = ("1/1/c1/1", "lab minute trial")


class Core:
    def __init__(self, lab: PrivateLab) -> None:
        self.lab = lab
        self.nodes: dict[str, Any] = lab.state["nodes"]
        self.minute_started: float | None = None

    def vtysh(self, node: str, cmd: str) -> str:
        return subprocess.run(["vtysh", "-N", self.nodes[node]["frr_pathspace"], "-c", cmd],
                              capture_output=True, text=True, timeout=30).stdout

    def link_up(self, node: str, ifname: str) -> bool:
        out = subprocess.run(["ip", "-n", self.nodes[node]["netns"], "-j", "link", "show", ifname],
                             capture_output=True, text=True, timeout=10).stdout
        return "UP" in (json.loads(out or "[{}]")[0].get("flags") or [])

    def isis_up(self, node: str) -> set[str]:
        data = json.loads(self.vtysh(node, "show isis neighbor json") or "{}")
        out = set()
        for area in data.get("areas", []):
            for circ in area.get("circuits", []):
                adj = circ.get("adj") or circ.get("adjacency")
                if adj and str(circ.get("state") or circ.get("adj-state")).lower() == "up":
                    out.add(adj)
        return out

    def bgp_settled(self, node: str, peer: str, seconds: float = 5) -> bool:
        """Established for ``seconds`` already: at boot the iBGP session over IS-IS may open and be reset
        a few times (connection collisions, BFD coming up) before it stays up."""
        data = json.loads(self.vtysh(node, f"show bgp neighbors {peer} json") or "{}").get(peer, {})
        return data.get("bgpState") == "Established" and data.get("bgpTimerUpMsec", 0) >= seconds * 1000

    def creds(self, node: str) -> tuple[str, str, str]:
        n = self.nodes[node]
        return str(n["mgmt_ipv4"]), str(n["username"]), str(n["password"])

    def napalm(self, node: str) -> Any:
        from napalm import get_network_driver

        host, user, pw = self.creds(node)
        d = get_network_driver("sros")(host, user, pw, timeout=60)
        d.open()
        assert d.conn is not None, "napalm-sros could not open its NETCONF session"  # open() only logs
        return d

    def scrapli(self, node: str) -> Any:
        from scrapli import Scrapli

        host, user, pw = self.creds(node)
        c = Scrapli(host=host, auth_username=user, auth_password=pw, auth_strict_key=False,
                    platform="nokia_sros", transport="system", timeout_ops=60)
        c.open()
        return c

    def netmiko(self, node: str) -> Any:
        from netmiko import ConnectHandler

        host, user, pw = self.creds(node)
        return ConnectHandler(device_type="nokia_sros", host=host, username=user, password=pw)

    def ncclient(self, node: str) -> Any:
        from ncclient import manager

        host, user, pw = self.creds(node)
        return manager.connect(host=host, port=830, username=user, password=pw, hostkey_verify=False,
                               allow_agent=False, look_for_keys=False, device_params={"name": "sros"},
                               timeout=60)

    def rollout(self, playbook: Playbook, journal: Path) -> Rollout:
        src = FabricSource(str(ROOT / "inventory" / "sros-core"), lab_topology=str(self.lab.path))
        return Rollout(playbook, src, Options(journal=str(journal)))


@pytest.fixture(scope="module")
def core(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Core]:
    with lab_copy(tmp_path_factory, "sros-core") as lab:
        c = Core(lab)
        wait_for("IS-IS on p1 to see both SR OS twins", lambda: c.isis_up("p1") == {"rr1", "pe1"}, 90)
        wait_for("iBGP rr1 <-> pe1 over the IS-IS loopbacks, settled",
                 lambda: c.bgp_settled("rr1", PE1_LO), 90)
        yield c


def _pe1_port_description(core: Core) -> str:
    with core.ncclient("pe1") as m:
        return str(m.get_config(source="running", filter=(
            "subtree", '<configure xmlns="urn:nokia.com:sros:ns:yang:sr:conf"><port><port-id>'
                       f"{MINUTE[0]}</port-id><description/></port></configure>")).data_xml)


@pytest.fixture(scope="module")
def minute_trial(core: Core) -> float:
    """netmiko on pe1: a port description, ``commit confirmed 1 persist-id``, session closed, never
    accepted. Returns when (monotonic) the commit was made."""
    conn = core.netmiko("pe1")
    try:
        out = str(conn.send_config_set([f'/configure port {MINUTE[0]} description "{MINUTE[1]}"',
                                        "commit confirmed 1 persist-id lab-minute"], exit_config_mode=False))
        core.minute_started = t0 = time.monotonic()
    finally:
        conn.disconnect()  # with a persist-id the trial outlives its session: only the timer ends it
    assert "MINOR" not in out, out
    assert MINUTE[1] in _pe1_port_description(core)
    return t0


@pytest.fixture
def pe1_settled(core: Core) -> None:
    """pe1 runs no trial of the minute test (a rollout committed meanwhile would be undone by its revert)."""
    if core.minute_started is not None:
        wait_for("pe1's minute trial to end", lambda: MINUTE[1] not in _pe1_port_description(core), 90)


def test_isis_and_ibgp_from_golden_configs_as_napalm_sros_sees_them(core: Core, minute_trial: float) -> None:
    assert core.nodes["pe1"]["kind"] == "nokia_srsim" and core.nodes["rr1"]["kind"] == "nokia_sros"
    d = core.napalm("rr1")
    try:
        facts = d.get_facts()
        assert facts["hostname"] == "rr1" and facts["vendor"] == "Nokia" and facts["os_version"], facts
        assert "to-pe1-1-1-c2-1" in facts["interface_list"], facts
        peers = d.get_bgp_neighbors()["global"]["peers"]
        assert peers[PE1_LO]["is_up"] and peers[PE1_LO]["is_enabled"] and peers[PE1_LO]["local_as"] == 65000
        # napalm-sros reads peer-as from the neighbor entry only: inherited from the group, it reports 0
        assert peers[PE1_LO]["remote_as"] == 0 and peers[PE1_LO]["description"] == "pe1", peers
        assert peers[PE1_LO]["address_family"]["ipv4"]["received_prefixes"] >= 1, peers
        ifs = d.get_interfaces()
        assert ifs["1/1/c1/1"]["is_up"] and ifs["1/1/c1/1"]["description"] == "to p1 eth1", ifs["1/1/c1/1"]
        ips = d.get_interfaces_ip()
        assert ips["system"]["ipv4"] == {RR1_LO: {"prefix_length": 32}}, ips
        lldp = d.get_lldp_neighbors()
        assert {n["hostname"] for nbrs in lldp.values() for n in nbrs} == {"p1", "pe1"}, lldp
        running = d.get_config(retrieve="running")["running"]  # napalm-sros's default: the NETCONF XML
        assert "<name>rr1</name>" in running and "<isis-instance>0</isis-instance>" in running, running[:500]
        info = d.get_config(retrieve="running", format="cli")["running"]  # `info` through the MD-CLI shell
        assert 'name "rr1"' in info and 'isis 0 {' in info, info[:500]
    finally:
        d.close()
    # the SR-SIM node answers as the same router family, with its own port names underneath
    d = core.napalm("pe1")
    try:
        peers = d.get_bgp_neighbors()["global"]["peers"]
        assert peers[RR1_LO]["is_up"], peers
    finally:
        d.close()


def test_scrapli_netmiko_and_ncclient_read_the_same_router(core: Core) -> None:
    c = core.scrapli("rr1")
    try:
        ver = c.send_command("show version").result
        assert "TiMOS" in ver, ver
        summary = c.send_command("show router bgp summary").result
        assert PE1_LO in summary, summary
        adj = c.send_command("show router isis adjacency").result
        assert "p1" in adj and "pe1" in adj, adj
        bad = c.send_command("show bogus thing")
        assert bad.failed and "MINOR:" in bad.result, bad.result
    finally:
        c.close()
    conn = core.netmiko("pe1")
    try:
        out = conn.send_command("show router interface")
        assert "to-p1-1-1-c1-1" in out and "system" in out, out
    finally:
        conn.disconnect()
    with core.ncclient("pe1") as m:
        text = m.get_config(source="running", filter=(
            "subtree", '<configure xmlns="urn:nokia.com:sros:ns:yang:sr:conf"><system><name/></system>'
                       "</configure>")).data_xml
        assert "<name>pe1</name>" in text, text


def _shut_rr1_pe1(conn: Any) -> str:
    """netmiko in the MD-CLI: an exclusive candidate, the rr1-pe1 port shut, ``commit confirmed 1``."""
    port = RR1_TO_PE1[0]
    return str(conn.send_config_set([f"/configure port {port} admin-state disable", "commit confirmed 1"],
                                    exit_config_mode=False))


def test_mdcli_commit_confirmed_1_arms_a_minute_and_cancel_reverts(core: Core) -> None:
    """``commit confirmed 1`` takes effect at once and arms the device's 1-minute timer; ``commit confirmed
    cancel`` reverts it without waiting (pe1's minute trial lets the timer run out)."""
    conn = core.netmiko("rr1")
    try:
        out = _shut_rr1_pe1(conn)
        assert "MINOR" not in out, out
        wait_for("the trial commit to reach the kernel", lambda: not core.link_up("rr1", RR1_TO_PE1[1]), 10)
        hist = conn.send_command("show system management-interface commit-history")
        assert "by admin (MD-CLI)" in hist.split("\n-----")[1].split("\n")[2], hist  # newest entry: ours
        out = conn.send_command_timing("commit confirmed cancel")
        assert "MINOR" not in out, out
        hist = conn.send_command("show system management-interface commit-history")
        assert '(System)\n  Log   "confirmed commit cancelled"' in hist, hist
    finally:
        conn.disconnect()
    wait_for("cancel to bring the link back", lambda: core.link_up("rr1", RR1_TO_PE1[1]), 10)
    wait_for("rr1-pe1 adjacency back", lambda: "pe1" in core.isis_up("rr1"), 60)


def test_mdcli_commit_confirmed_not_accepted_is_reverted_when_its_session_ends(core: Core) -> None:
    conn = core.netmiko("rr1")
    try:
        assert "MINOR" not in _shut_rr1_pe1(conn)
        wait_for("the trial commit to reach the kernel", lambda: not core.link_up("rr1", RR1_TO_PE1[1]), 10)
    finally:
        conn.disconnect()  # gone without `commit confirmed accept`
    wait_for("the session's end to revert the trial", lambda: core.link_up("rr1", RR1_TO_PE1[1]), 20)
    wait_for("rr1-pe1 adjacency back", lambda: "pe1" in core.isis_up("rr1"), 60)
    # the link comes up before FRR took the rest of the revert: the next edit must start from the
    # reverted running config, or SR OS (and the twin) sees it as no change
    _wait_port_enabled(core)


def _wait_port_enabled(core: Core) -> None:
    """Until rr1's running config shows its port to pe1 enabled: the revert committed as a whole."""
    flt = ('<configure xmlns="urn:nokia.com:sros:ns:yang:sr:conf"><port><port-id>'
           f"{RR1_TO_PE1[0]}</port-id><admin-state/></port></configure>")
    with core.ncclient("rr1") as m:
        wait_for("running to show the reverted port", lambda: "<admin-state>enable</admin-state>" in
                 m.get_config(source="running", filter=("subtree", flt)).data_xml, 20)


def test_netconf_confirmed_commit_not_confirmed_is_rolled_back_by_the_twin(core: Core) -> None:
    """ncclient: candidate edit, ``<commit><confirmed/><confirm-timeout>10`` with a persist token, session
    closed; nobody confirms; the twin's own timer brings the link back after 10 real seconds (enough for
    the commit itself on a host loaded by other labs: 4 s was not)."""
    from ncclient.xml_ import to_ele

    cfg = ('<config><configure xmlns="urn:nokia.com:sros:ns:yang:sr:conf"><port><port-id>'
           f"{RR1_TO_PE1[0]}</port-id><admin-state>disable</admin-state></port></configure></config>")
    with core.ncclient("rr1") as m:
        m.edit_config(target="candidate", config=to_ele(cfg))
        m.commit(confirmed=True, timeout="10", persist="lab-trial")
        t0 = time.monotonic()
        assert not core.link_up("rr1", RR1_TO_PE1[1])  # the commit reached the kernel
    wait_for("the twin's timer to revert the trial commit", lambda: core.link_up("rr1", RR1_TO_PE1[1]), 30)
    assert time.monotonic() - t0 >= 5  # not before its time
    wait_for("rr1-pe1 adjacency back", lambda: "pe1" in core.isis_up("rr1"), 60)
    # the revert is one commit: running shows it once the whole control plane took it (the link comes up
    # first, FRR's part follows), so poll rather than read once
    _wait_port_enabled(core)


def test_mdcli_commit_confirmed_1_not_accepted_reverts_by_itself(core: Core, minute_trial: float) -> None:
    """The trial ``minute_trial`` made on pe1 (``commit confirmed 1``, never accepted) is undone by the
    device's own timer after its minute, and the commit history says so."""
    wait_for("pe1's 1-minute timer to revert the trial",
             lambda: MINUTE[1] not in _pe1_port_description(core), 90)
    assert time.monotonic() - minute_trial >= 55  # not before its minute (measured after the commit)
    conn = core.netmiko("pe1")
    try:
        hist = conn.send_command("show system management-interface commit-history")
    finally:
        conn.disconnect()
    assert '(System)\n  Log   "confirmed commit timed out"' in hist, hist


def test_bad_peer_as_is_caught_and_rolled_back_at_the_sros_canary(core: Core, tmp_path: Path,
                                                                   pe1_settled: None) -> None:
    data = yaml.safe_load((ROOT / "tasks" / "demo-bad-peer-as.yaml").read_text())
    assert "peer-as 65999" in data["change"]["template"]["sros"]  # the demo's bad change, SR OS flavour
    pb = Playbook.model_validate({**data, "targets": {"roles": ["pe", "rr"]},
                                  "waves": {"canary": ["pe1"], "sizes": ["100%"]}})
    ro = core.rollout(pb, tmp_path / "journal.sqlite")
    assert ro.waves[0] == ["pe1"] and ro._targets["pe1"].platform == "sros"
    before = running_configs(ro)
    rep = ro.run()
    states = {d["host"]: d["state"] for d in rep["devices"]}
    assert rep["outcome"] == "rolled_back", rep
    assert states == {"pe1": "rolled_back", "rr1": "untouched"}, states
    gate = {d["host"]: d for d in rep["devices"]}["pe1"]
    assert "device.bgp" in (gate.get("error") or ""), gate
    events = Journal(tmp_path / "journal.sqlite").events(ro.rid)
    assert not [e for e in events if e["host"] != "pe1" and e["step"] in ("commit", "armed", "confirm")]
    assert running_configs(ro) == before
    wait_for("pe1's iBGP session back", lambda: core.bgp_settled("rr1", PE1_LO), 90)


def test_good_change_is_confirmed_and_the_fabric_validates(core: Core, tmp_path: Path,
                                                           pe1_settled: None) -> None:
    pb: dict[str, Any] = {
        "name": "sros-describe-core-link",
        "description": "a harmless description on each SR OS router's first core port",
        "targets": {"roles": ["pe", "rr"]},
        "change": {"type": "merge", "template": {
            "sros": '/configure port 1/1/c1/1 description "core {{ host }}"\n'}},
        "waves": {"canary": ["pe1"], "sizes": ["100%"]},
        "gates": {"device": ["bgp"], "neighbors": ["bgp"], "convergence_wait": 2, "convergence_timeout": 30},
        "commit_confirm": 120,
        "failure": {"rollback": "wave"},
    }
    ro = core.rollout(Playbook.model_validate(pb), tmp_path / "journal.sqlite")
    rep = ro.run()
    assert rep["outcome"] == "completed", rep
    assert {d["host"]: d["state"] for d in rep["devices"]} == {"pe1": "confirmed", "rr1": "confirmed"}
    after = running_configs(ro)
    for h in ("pe1", "rr1"):
        assert f"description \"core {h}\"" in after[h], after[h]
    # confirmed on the device: no confirmed commit is pending, so no timer will take it back
    with core.ncclient("pe1") as m:
        from ncclient.operations import RPCError

        with pytest.raises(RPCError):
            m.cancel_commit()
    from fabric.validation.run import validate

    run = validate(ro.fab, ["rr1", "pe1"], nr=ro._nornir())  # the rollout's targets (its Nornir)
    assert not run.failures(), run.failures()
    checks = {r.check for r in run.results if r.device == "rr1"}
    assert checks >= {"bgp_session", "interface", "lldp_neighbor", "isis_adjacency"}, checks
