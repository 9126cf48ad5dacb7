"""EOS config editing semantics and the EOS -> FRR translation (no lab needed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from _skip import need

from fabric.twins import twin_for_kind
from fabric.vendors.eos.twin.config import EosConfig, prompt_suffix
from fabric.vendors.eos.twin.model import kernel_links, parse, to_frr
from fabric.vendors.eos.twin.names import canonical, to_eos, to_linux

ROOT = Path(__file__).resolve().parents[3]


def typed(lines: str, start: str = "") -> EosConfig:
    cfg = EosConfig.from_text(start)
    for line in lines.strip().splitlines():
        cfg.apply_line(line.strip())  # typed: no indentation, like eAPI/NAPALM sends it
    return cfg


def test_twin_for_kind() -> None:
    assert twin_for_kind("arista_ceos") == "eos" and twin_for_kind("ceos") == "eos"
    assert twin_for_kind("linux") is None and twin_for_kind("nokia_sros") == "sros"
    assert twin_for_kind("juniper_crpd") == "junos" and twin_for_kind("vr-vmx") == "junos"


def test_interface_names() -> None:
    assert to_linux("Ethernet1") == "eth1" and to_linux("Management0") == "eth0"
    assert to_linux("Management1") == "eth0" and to_linux("Loopback0") == "lo0"
    assert to_eos("eth12") == "Ethernet12" and to_eos("eth0") == "Management0"
    assert canonical("Et3") == "Ethernet3"


def test_modes_and_fallback_to_global() -> None:
    cfg = typed("""
        interface Ethernet1
        description uplink
        no switchport
        ip address 10.0.0.1/31
        router bgp 65001
        router-id 1.1.1.1
        neighbor 10.0.0.0 remote-as 65002
        address-family ipv4
        neighbor 10.0.0.0 activate
        neighbor 10.0.0.0 description later
        hostname sw1
    """)
    text = cfg.to_text()
    assert "interface Ethernet1\n   description uplink\n   no switchport\n   ip address 10.0.0.1/31\n" in text
    # a bgp-level line typed in the address-family mode goes to the bgp mode, before the sub-mode
    assert "   neighbor 10.0.0.0 description later\n   !\n   address-family ipv4\n" in text
    # printed in EOS's section order, not in the order typed
    assert text.startswith("hostname sw1\n!\ninterface Ethernet1\n")


def test_replacement_and_no() -> None:
    cfg = typed("""
        hostname a
        hostname b
        interface Ethernet1
        ip address 10.0.0.1/31
        ip address 10.0.0.3/31
        shutdown
        no shutdown
        router bgp 1
        neighbor 10.0.0.2 remote-as 2
        neighbor 10.0.0.2 remote-as 3
        neighbor 10.0.0.2 description x
        no neighbor 10.0.0.2
    """)
    text = cfg.to_text()
    assert "hostname b" in text and "hostname a" not in text
    assert "10.0.0.3/31" in text and "10.0.0.1/31" not in text
    assert "shutdown" not in text and "neighbor" not in text


def test_prompts() -> None:
    assert prompt_suffix(["interface Ethernet1"]) == "-if-Et1"
    assert prompt_suffix(["router bgp 65001"]) == "-router-bgp"
    assert prompt_suffix(["router bgp 65001", "address-family ipv4"]) == "-router-bgp-af"
    assert prompt_suffix(["management api http-commands"]) == "-mgmt-api-http-cmds"


@pytest.mark.parametrize(
    "cfg_file",
    sorted((ROOT / "containerlab").glob("*/leaf*.cfg"))[:4]
    + sorted((ROOT / "containerlab").glob("*/spine*.cfg"))[:2],
)
def test_golden_configs_round_trip(cfg_file: Path) -> None:
    """Every line of a golden config survives (unknown ones verbatim), as text and when typed."""
    src = cfg_file.read_text()
    saved = EosConfig.from_text(src).to_text()
    lines = [ln.strip() for ln in src.splitlines() if ln.strip() and not ln.startswith("!")]
    assert all(ln in saved for ln in lines if ln != "end")
    assert EosConfig.from_text(saved).to_text() == saved
    # NAPALM sends the same text stripped of indentation: the result must be identical (no drift)
    assert typed("\n".join(ln for ln in lines if ln != "end")).to_text() == saved


def test_golden_config_to_frr() -> None:
    src = ROOT / "containerlab" / "dc1" / "leaf1.cfg"
    need(src.exists(), f"dc1 golden configs not generated: {src}")
    dev = parse(EosConfig.from_text(src.read_text()))
    frr = to_frr(dev)
    assert "router bgp 65101" in frr and " neighbor SPINES peer-group" in frr
    assert " neighbor 10.1.0.0 peer-group SPINES" in frr and "  neighbor SPINES activate" in frr
    assert "  neighbor SPINES route-map FABRIC-EXPORT out" in frr
    assert "ip prefix-list LOOPBACKS seq 10 permit 10.255.0.0/24 ge 32 le 32" in frr
    assert "interface eth0" not in frr  # the lab owns the management interface
    assert "vrf MGMT" not in frr  # VRF statics stay config-only
    assert kernel_links(dev)["eth1"] == (9214, True)


def test_router_bfd_timers_reach_frr(tmp_path: Path) -> None:
    import shutil
    import subprocess

    import yaml

    from fabric.design import load_fabric
    from fabric.render import render_device
    from fabric.structured import build_structured
    from fabric.vendors.eos.twin.structured import parse_eos, routing_view

    data = yaml.safe_load((ROOT / "inventory" / "dc1" / "fabric.yaml").read_text())
    data["bfd"] = {"interval": 1000, "multiplier": 4}
    (tmp_path / "fabric.yaml").write_text(yaml.safe_dump(data))
    sc = build_structured(load_fabric(tmp_path / "fabric.yaml"))["spine1"]
    text = render_device(sc)
    assert "router bfd\n   interval 1000 min-rx 1000 multiplier 4 default\n" in text
    parsed = parse_eos(text)
    assert (parsed.bfd_interval, parsed.bfd_multiplier) == (1000, 4)
    assert routing_view(parsed) == routing_view(sc)
    frr = to_frr(parse(EosConfig.from_text(text)))
    assert " neighbor LEAVES bfd\n neighbor LEAVES bfd profile eos-default\n" in frr
    assert "bfd\n profile eos-default\n  detect-multiplier 4\n  transmit-interval 1000\n" in frr
    if shutil.which("vtysh"):
        (tmp_path / "frr.conf").write_text(frr)
        cmd = ["vtysh", "--dryrun", "-f", str(tmp_path / "frr.conf")]
        p = subprocess.run(cmd, capture_output=True, text=True)
        assert p.returncode == 0 and "%" not in p.stdout + p.stderr, p.stdout + p.stderr
    line = "router bfd\n   interval 1000 min-rx 1000 multiplier 4 default\n"
    default = parse(EosConfig.from_text(text.replace(line, "")))
    assert "profile" not in to_frr(default)


def test_igp_translation() -> None:
    dev = parse(
        EosConfig.from_text("""hostname r
interface Ethernet1
   no switchport
   ip address 10.0.0.1/31
   ip ospf network point-to-point
   ip ospf area 0.0.0.0
   isis enable CORE
router ospf 1
   router-id 1.1.1.1
   passive-interface Loopback0
   max-lsa 12000
   network 10.0.0.0/31 area 0.0.0.0
router isis CORE
   net 49.0001.0000.0000.0001.00
   is-type level-2
   address-family ipv4 unicast
""")
    )
    frr = to_frr(dev)
    assert " ip ospf network point-to-point" in frr and " ip ospf area 0.0.0.0" in frr
    assert " ip router isis CORE" in frr and " is-type level-2-only" in frr
    assert " passive-interface lo0" in frr and " network 10.0.0.0/31 area 0.0.0.0" in frr


def test_unknown_global_command_is_invalid() -> None:
    from fabric.vendors.eos.twin.config import ConfigError

    cfg = EosConfig()
    with pytest.raises(ConfigError, match="Invalid input"):
        cfg.apply_line("frobnicate the network")
    cfg.apply_line("interface Ethernet1")
    cfg.apply_line("some-future-knob 7")  # sub-mode lines are kept verbatim
    assert "   some-future-knob 7" in cfg.to_text()
