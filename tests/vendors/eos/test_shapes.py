"""Twin replies must have the keys and value types of real EOS replies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from _skip import need

from fabric.vendors.eos.twin.testbed import TestBed

pytestmark = pytest.mark.lab
REF = Path(__file__).resolve().parents[3] / ".." / "shared" / "reference" / "napalm-mocked" / "eos"
# Dicts keyed by data (interface names, peer addresses, VRFs): compare values to a sample entry.
DATA_KEYED = {"interfaces", "peers", "vrfs", "secondaryIps"}


def _type(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int | float):
        return "number"
    return type(v).__name__


def compare(mine: Any, ref: Any, path: str = "") -> list[str]:
    """Every key the twin sends must exist in the real reply with the same type."""
    errs: list[str] = []
    if _type(mine) != _type(ref):
        return [f"{path}: {_type(mine)} != {_type(ref)}"]
    if isinstance(mine, dict):
        if path.rsplit(".", 1)[-1] in DATA_KEYED:
            if ref and mine:
                sample: Any = None
                for v in ref.values():  # union of every real entry (loopbacks, ethernets...)
                    sample = _merge(sample, v)
                for k, v in mine.items():
                    errs += compare(v, sample, f"{path}[{k}]")
            return errs
        for k, v in mine.items():
            if k not in ref:
                if f"{path}.{k}" in EXTRA_OK:
                    continue
                errs.append(f"{path}.{k}: not in the real EOS reply")
            else:
                errs += compare(v, ref[k], f"{path}.{k}")
    elif isinstance(mine, list) and mine and ref:
        for i, v in enumerate(mine):
            errs += compare(v, ref[0], f"{path}[{i}]")
    return errs


# Keys real EOS sends that the (EOS 4.15) reference sample lacks; each is needed by a client.
EXTRA_OK = {"show version.uptime"}  # NAPALM has_pending_commit() reads it


def merged_reference(ref_file: str) -> Any:
    """Union of the same command's replies over every reference case (e.g. with/without descriptions)."""
    test_dir, _case, names = ref_file.split("/")
    out: Any = None
    for name in names.split("|"):  # commands whose entries share one EOS schema
        for f in sorted((REF / test_dir).glob(f"*/{name}")):
            out = _merge(out, json.loads(f.read_text()))
    return out


def _merge(a: Any, b: Any) -> Any:
    if isinstance(a, dict) and isinstance(b, dict):
        res = dict(a)
        for k, v in b.items():
            res[k] = _merge(a.get(k), v) if k in a else v
        return res
    if isinstance(a, list) and isinstance(b, list):
        items = [x for x in a + b if x is not None]
        if items and all(isinstance(x, dict) for x in items):
            m: Any = {}
            for x in items:
                m = _merge(m, x)
            return [m]
        return a or b
    return b if a is None else a


def missing(mine: dict[str, Any], ref: dict[str, Any], path: str = "") -> list[str]:
    return [f"{path}.{k}" for k in ref if k not in mine]


CASES = [
    ("show version", "test_get_facts/normal/show_version.json", True),
    ("show hostname", "test_get_facts/normal/show_hostname.json", True),
    ("show interfaces", "test_get_interfaces/normal/show_interfaces.json", False),
    ("show lldp neighbors", "test_get_lldp_neighbors/normal/show_lldp_neighbors.json", True),
    ("show ip bgp summary vrf all", "test_get_bgp_neighbors/normal/show_ip_bgp_summary_vrf_all.json", False),
    (
        "show ip bgp neighbors vrf all",
        "test_get_bgp_neighbors/normal/show_ip_bgp_neighbors_vrf_all.json|show_ipv6_bgp_peers_vrf_all.json",
        False,
    ),
    (
        "show ipv6 bgp summary vrf all",
        "test_get_bgp_neighbors/normal/show_ipv6_bgp_summary_vrf_all.json",
        False,
    ),
    (
        "show ipv6 bgp peers vrf all",
        "test_get_bgp_neighbors/normal/show_ipv6_bgp_peers_vrf_all.json|show_ip_bgp_neighbors_vrf_all.json",
        False,
    ),
]


@pytest.fixture(scope="module")
def eapi(bed: TestBed):  # type: ignore[no-untyped-def]
    import pyeapi

    return pyeapi.connect(
        transport="http", host=bed.mgmt_ip, username="admin", password="admin", return_node=True
    )


@pytest.mark.parametrize("cmd,ref_file,all_keys", CASES)
def test_reply_shape(eapi, cmd: str, ref_file: str, all_keys: bool) -> None:  # type: ignore[no-untyped-def]
    ref_path = REF / ref_file.split("|")[0]
    need(ref_path.exists(), f"reference data missing: {ref_path}")
    ref = merged_reference(ref_file)
    mine = eapi.enable([cmd])[0]["result"]
    errs = compare(mine, ref, cmd)
    assert not errs, "\n".join(errs)
    if all_keys:
        assert not missing(mine, ref, cmd)


def test_bgp_entries_have_real_keys(eapi) -> None:  # type: ignore[no-untyped-def]
    """The entries NAPALM reads must carry every key the real peer entry has that NAPALM uses."""
    ref = json.loads((REF / "test_get_bgp_neighbors/normal/show_ip_bgp_neighbors_vrf_all.json").read_text())
    ref_peer = ref["vrfs"]["default"]["peerList"][0]
    mine = eapi.enable(["show ip bgp neighbors vrf all"])[0]["result"]["vrfs"]["default"]["peerList"][0]
    used = [
        "peerAddress",
        "localAsn",
        "asn",
        "routerId",
        "state",
        "prefixesReceived",
        "prefixesSent",
        "v6PrefixesReceived",
        "v6PrefixesSent",
        "establishedTime",
        "holdTime",
        "keepaliveTime",
        "localPort",
        "remotePort",
        "updateSource",
        "localRouterId",
        "inMessageStats",
        "outMessageStats",
    ]
    for k in used:
        assert k in ref_peer and k in mine, k
    summ = eapi.enable(["show ip bgp summary vrf all"])[0]["result"]["vrfs"]["default"]["peers"]["10.99.0.1"]
    ref_summ = json.loads(
        (REF / "test_get_bgp_neighbors/normal/show_ip_bgp_summary_vrf_all.json").read_text()
    )
    assert not missing(summ, next(iter(ref_summ["vrfs"]["default"]["peers"].values())))


def test_interface_entry_has_real_keys(eapi) -> None:  # type: ignore[no-untyped-def]
    ref = json.loads((REF / "test_get_interfaces/normal/show_interfaces.json").read_text())
    ref_eth = next(v for k, v in ref["interfaces"].items() if k.startswith("Ethernet"))
    mine = eapi.enable(["show interfaces"])[0]["result"]["interfaces"]["Ethernet1"]
    assert not missing(mine, ref_eth), missing(mine, ref_eth)
