"""Export the checks of a fabric's EOS devices as an ANTA catalog and inventory (``fabric validate
--export-anta``), as Arista AVD does: one test entry per device and ANTA test, bound to its device by a
tag (the device's name, in the inventory too), inputs derived from the same check items
(:meth:`fabric.validation.checks.Check.items`) that ``fabric validate`` tests.

The files are plain YAML written here: ANTA itself is not needed to export (it is a test dependency,
whose parser checks what this module writes). Nothing contacts a device and no credential is read.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from fabric.errors import FabricError
from fabric.model import DeviceIntent, Fabric
from fabric.state.model import FabricState
from fabric.validation.checks import CHECKS, CheckSettings, Context, selected

PLATFORM = "eos"  # ANTA tests EOS over eAPI
CATALOG = "catalog.yml"
INVENTORY = "inventory.yml"

Item = tuple[str, Any, Any]  # (item id, expected, data), as Check.items yields them
Inputs = Callable[[DeviceIntent, list[Item], Context], dict[str, Any] | None]


# ------------------------------------------------------------------ inputs of each ANTA test
def _status(dev: DeviceIntent, items: list[Item], ctx: Context) -> dict[str, Any] | None:
    return {"interfaces": [{"name": n, "status": "up", "line_protocol_status": "up"} for n, _, _ in items]}


def _ipv4(dev: DeviceIntent, items: list[Item], ctx: Context) -> dict[str, Any] | None:
    intfs = [{"name": n, "primary_ip": exp["ipv4"]} for n, exp, _ in items if "ipv4" in exp]
    return {"interfaces": intfs} if intfs else None


def _mtu(dev: DeviceIntent, items: list[Item], ctx: Context) -> dict[str, Any] | None:
    specific = [{n: exp["mtu"]} for n, exp, _ in items if "mtu" in exp]
    # VerifyL3MTU checks every routed interface (loopbacks and management excepted, its default): those
    # outside the intent are held to the fabric MTU, the intended ones to their own.
    return {"mtu": dev.mtu, "specific_mtu": specific} if specific else None


def _lldp(dev: DeviceIntent, items: list[Item], ctx: Context) -> dict[str, Any] | None:
    nbrs = []
    for port, _, intf in items:
        peer = ctx.intent(intf.peer)
        # our check compares short host names: the peer may announce itself as host.domain
        nbrs.append({
            "port": port,
            "neighbor_device": peer.hostname if peer else intf.peer,
            "neighbor_port": intf.peer_interface,
        })
    return {"require_fqdn": False, "neighbors": nbrs} if nbrs else None


def _sessions(dev: DeviceIntent, items: list[Item], ctx: Context) -> dict[str, Any] | None:
    peers = [{"peer_address": ip, "vrf": "default", "description": n.peer} for ip, _, n in items]
    # our check does not look at TCP queues: a busy but Established session passes
    return {"check_tcp_queues": False, "bgp_peers": peers} if peers else None


def _received(nbr: Any, ctx: Context) -> list[str]:
    """What a peer is bound to send: the prefixes it originates itself, its loopback first."""
    peer = ctx.intent(nbr.peer)
    if peer is None or peer.bgp is None:
        return []
    return sorted(peer.bgp.networks, key=lambda p: p != peer.loopback0)


def _prefixes(dev: DeviceIntent, items: list[Item], ctx: Context) -> dict[str, Any] | None:
    # No ANTA test counts the prefixes accepted from a peer (VerifyBGPNlriAcceptance passes when a peer
    # sends nothing), so "at least N accepted" becomes "these N prefixes the peer originates are
    # accepted from it", valid (active is not asked: another path may win).
    want = max(ctx.settings.min_prefixes, 1)
    peers = [
        {"peer_address": ip, "vrf": "default", "description": n.peer, "received_routes": routes[:want]}
        for ip, _, n in items
        if len(routes := _received(n, ctx)) >= want
    ]
    return {"check_active": False, "bgp_peers": peers} if peers else None


def _ospf(dev: DeviceIntent, items: list[Item], ctx: Context) -> dict[str, Any] | None:
    if dev.ospf is None:
        return None
    nbrs = [
        {
            "instance": dev.ospf.process_id,
            "vrf": "default",
            "ip_address": intf.peer_ipv4.split("/")[0],
            "local_interface": ifname,
            "area_id": exp["area"],
            "state": "full",
        }
        for ifname, exp, intf in items
        if intf is not None and intf.peer_ipv4 and exp.get("area")
    ]
    return {"neighbors": nbrs} if nbrs else None


def _isis(dev: DeviceIntent, items: list[Item], ctx: Context) -> dict[str, Any] | None:
    intfs = [
        {"name": ifname, "vrf": "default", "level": level, "count": 1}
        for ifname, exp, _ in items
        for level in ((1, 2) if exp["level"] == "1-2" else (exp["level"],))
    ]
    return {"interfaces": intfs} if intfs else None


def _peer_count(dev: DeviceIntent, items: list[Item], ctx: Context) -> dict[str, Any] | None:
    if not dev.bgp or not dev.bgp.neighbors:
        return None
    # With VerifyBGPPeerSession finding every intended peer, this count leaves no room for another one.
    af = {"afi": "ipv4", "safi": "unicast", "vrf": "default", "num_peers": len(dev.bgp.neighbors)}
    return {"address_families": [af]}


# ------------------------------------------------------------------ the mapping
@dataclass(frozen=True)
class AntaMapping:
    check: str  # our check (fabric.validation.checks)
    module: str | None  # ANTA test module; None: no ANTA equivalent
    test: str | None
    inputs: Inputs | None
    gap: str = ""  # what of our check the ANTA test does not verify (or why nothing does)


# One row per (our check, ANTA test); a check without an ANTA equivalent has a row too, so that the
# catalog header names it.
MAPPING: tuple[AntaMapping, ...] = (
    AntaMapping("interface", "anta.tests.interfaces", "VerifyInterfacesStatus", _status),
    AntaMapping("interface", "anta.tests.interfaces", "VerifyInterfaceIPv4", _ipv4),
    AntaMapping("interface", "anta.tests.interfaces", "VerifyL3MTU", _mtu,
            "VerifyL3MTU also holds routed interfaces outside the intent to the fabric MTU"),
    AntaMapping("lldp_neighbor", "anta.tests.connectivity", "VerifyLLDPNeighbors", _lldp,
            "ANTA matches the neighbor's port id exactly; ours also accepts its port description"),
    AntaMapping("bgp_session", "anta.tests.routing.bgp", "VerifyBGPPeerSession", _sessions,
            "the peer AS is not compared with the intent"),
    AntaMapping("bgp_prefixes", "anta.tests.routing.bgp", "VerifyBGPExchangedRoutes", _prefixes,
            "a count becomes named prefixes (those the peer originates); a maximum is not checked"),
    AntaMapping("ospf_neighbor", "anta.tests.routing.ospf", "VerifyOSPFSpecificNeighbors", _ospf,
            "the neighbor is identified by its interface address, not its router-id"),
    AntaMapping("isis_adjacency", "anta.tests.routing.isis", "VerifyISISNeighborCount", _isis,
            "the adjacency's peer host name is not compared with the intent"),
    AntaMapping("bgp_peer", "anta.tests.routing.bgp", "VerifyBGPPeerCount", _peer_count,
            "only IPv4 unicast peers of the default VRF are counted"),
    AntaMapping("unexpected_neighbor", None, None, None,
            "ANTA's LLDP, OSPF and IS-IS tests ignore neighbors they are not given"),
    AntaMapping("router_id", None, None, None,
            "no ANTA test reads the router-id, and its uniqueness is a fabric-wide property"),
)


# ------------------------------------------------------------------ export
def _devices(fab: Fabric, hosts: list[str] | None) -> list[tuple[str, DeviceIntent]]:
    """(name, intent) of the EOS devices to export, by name; FabricError when there is none."""
    if hosts:
        unknown = sorted(set(hosts) - set(fab.devices))
        if unknown:
            raise FabricError(
                f"unknown host(s): {', '.join(unknown)}", fix=f"hosts of {fab.name}: {', '.join(fab.devices)}"
            )
    names = sorted(set(hosts or fab.devices))
    devs = [(n, fab.devices[n]) for n in names if fab.devices[n].platform == PLATFORM]
    if not devs:
        platforms = sorted({fab.devices[n].platform for n in names})
        raise FabricError(
            f"no EOS device (platform '{PLATFORM}') to export among the "
            f"{'--hosts' if hosts else 'devices'} of {fab.name} (platforms: {', '.join(platforms)})",
            file=fab.file,
            fix="ANTA tests EOS devices only: select a fabric (or hosts) with at least one EOS device",
        )
    return devs


# The ANTA tests that take every item of our check, and where the item is in their inputs: an item
# that cannot be given to them is listed in the catalog's header.
_PER_ITEM: dict[str, Callable[[dict[str, Any]], list[str]]] = {
    "VerifyInterfacesStatus": lambda i: [x["name"] for x in i["interfaces"]],
    "VerifyLLDPNeighbors": lambda i: [x["port"] for x in i["neighbors"]],
    "VerifyBGPPeerSession": lambda i: [x["peer_address"] for x in i["bgp_peers"]],
    "VerifyBGPExchangedRoutes": lambda i: [x["peer_address"] for x in i["bgp_peers"]],
    "VerifyOSPFSpecificNeighbors": lambda i: [x["local_interface"] for x in i["neighbors"]],
    "VerifyISISNeighborCount": lambda i: [x["name"] for x in i["interfaces"]],
}


def catalog_data(
    fab: Fabric, hosts: list[str] | None = None, settings: CheckSettings | None = None
) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
    """(ANTA catalog as a dict, notes for its header: checks not mapped, gaps, items not exported)."""
    ctx = Context(fabric=fab, state=FabricState(fabric=fab.name), settings=settings or CheckSettings())
    checks = {c.name: c for c in CHECKS}
    catalog: dict[str, list[dict[str, Any]]] = {m.module: [] for m in MAPPING if m.module}
    used: set[str] = set()
    missing: list[str] = []
    for name, dev in _devices(fab, hosts):
        for m in MAPPING:
            # only the checks selected (validate's --checks / --skip-checks), as fabric validate runs them
            if not (m.module and m.test and m.inputs) or not selected(m.check, ctx.settings):
                continue
            items = list(checks[m.check].items(dev, ctx))
            inputs = m.inputs(dev, items, ctx)
            if inputs is not None:
                # custom_field names our check in ANTA's results; the tag binds the test to its device
                inputs["result_overwrite"] = {"custom_field": f"netfabric check: {m.check}"}
                inputs["filters"] = {"tags": [name]}
                catalog[m.module].append({m.test: inputs})
                used.add(m.test)
            if m.test in _PER_ITEM:
                given = set(_PER_ITEM[m.test](inputs)) if inputs else set()
                missing += [f"{name} {m.check} {i} ({m.test})" for i, _, _ in items if i not in given]
    notes = [f"{m.check}: no ANTA equivalent: {m.gap}" for m in MAPPING if not m.test]
    notes += [f"{m.check} -> {m.test}: {m.gap}" for m in MAPPING if m.test in used and m.gap]
    if ctx.settings.max_prefixes is not None:
        notes.append(f"bgp_prefixes: the maximum ({ctx.settings.max_prefixes}) has no ANTA equivalent")
    notes += [f"not exported, no ANTA input can be derived: {u}" for u in missing]
    return {mod: tests for mod, tests in catalog.items() if tests}, notes


def inventory_data(fab: Fabric, hosts: list[str] | None = None) -> dict[str, Any]:
    """ANTA inventory: each EOS device by its management address, tagged with its own name."""
    # eAPI's default port (443, as our EOS driver uses) is left to ANTA
    hosts_ = [{"host": d.mgmt_ipv4.split("/")[0], "name": n, "tags": [n]} for n, d in _devices(fab, hosts)]
    return {"anta_inventory": {"hosts": hosts_}}


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=False, width=math.inf)


def _comment(lines: list[str]) -> str:
    return "".join(f"# {line}\n" if line else "#\n" for line in lines)


def export_anta(
    fab: Fabric,
    directory: str | Path,
    *,
    hosts: list[str] | None = None,
    settings: CheckSettings | None = None,
) -> tuple[Path, Path]:
    """Write ``catalog.yml`` and ``inventory.yml`` for the EOS devices of ``fab`` into ``directory``
    (created if needed); returns their paths. FabricError when there is no EOS device to export."""
    out = Path(directory)
    if out.exists() and not out.is_dir():
        raise FabricError("not a directory", file=str(out), fix="pass a directory for the ANTA files")
    catalog, notes = catalog_data(fab, hosts, settings)
    inventory = inventory_data(fab, hosts)
    out.mkdir(parents=True, exist_ok=True)
    n_devices = len(inventory["anta_inventory"]["hosts"])
    n_tests = sum(len(t) for t in catalog.values())
    catalog_head = [
        f"ANTA catalog for the EOS devices of fabric {fab.name} ({n_devices} devices, {n_tests} tests), "
        "written by `fabric validate --export-anta`",
        "from the same intent as `fabric validate`; each test runs on the device named in its tags.",
        f"Run: anta nrfu -i {INVENTORY} -c {CATALOG} -u <user> -p <password> table",
        "",
        "Differences from `fabric validate`:",
        *(f"  {n}" for n in notes),
    ]
    inventory_head = [
        f"ANTA inventory of the EOS devices of fabric {fab.name}, written by `fabric validate --export-anta`",
        "No credentials are stored here: give them to anta with -u <user> -p <password> (or -P to be",
        "prompted), or in the environment variables ANTA_USERNAME and ANTA_PASSWORD.",
    ]
    catalog_path, inventory_path = out / CATALOG, out / INVENTORY
    catalog_path.write_text(_comment(catalog_head) + _dump(catalog))
    inventory_path.write_text(_comment(inventory_head) + _dump(inventory))
    return catalog_path, inventory_path
