"""EOS forwarding tables and chassis inventory: VRFs, ARP/ND (the node kernel's neighbour table), the MAC
table and VLANs of a routed-port switch, transceivers, environment and inventory.

A cEOS-lab container has no fans, power supplies, temperature sensors or transceivers: EOS answers
those commands with empty tables there (and ANTA skips its hardware tests on cEOSLab), so does the
twin. All ports are routed (``no switchport``), so the MAC table holds nothing and VLAN 1 no member.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

from fabric.vendors.eos.twin.names import to_eos
from fabric.vendors.eos.twin.session import Handler

if TYPE_CHECKING:
    from fabric.vendors.eos.twin.twin import EosTwin



def _dotted(mac: str) -> str:
    h = mac.replace(":", "").lower()
    return f"{h[0:4]}.{h[4:8]}.{h[8:12]}" if len(h) == 12 else mac


def vrf_of(tw: EosTwin, eos_name: str) -> str:
    itf = tw.device().interfaces.get(eos_name)
    return itf.vrf if itf else "default"


def vrf_names(tw: EosTwin) -> list[str]:
    """default first, then the configured ``vrf instance`` names."""
    named = {i.vrf for i in tw.device().interfaces.values()} | {
        ln.split()[2] for ln in tw.running.to_text().splitlines() if ln.startswith("vrf instance ")
    }
    return ["default", *sorted(named - {"default"})]


async def show_vrf(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    vrfs: dict[str, Any] = {}
    for v in vrf_names(tw):
        members = sorted(n for n, i in tw.device().interfaces.items() if i.vrf == v)
        routing = tw.device().ip_routing if v == "default" else False
        state = {"protocolState": "up", "routingState": "up" if routing else "down"}
        vrfs[v] = {
            "routeDistinguisher": "",
            "vrfState": "up",
            "interfaces": members,
            "protocols": {"ipv4": state, "ipv6": {"protocolState": "up", "routingState": "down"}},
        }
    if fmt == "text":
        rows = [
            "Maximum number of VRFs allowed: 1024",
            "   VRF           RD       Protocols   State   Interfaces",
            "------------- ------------ ----------- ------- ----------------------",
        ]
        for name, v in vrfs.items():
            rows.append(
                f"   {name:<13} <not set> ipv4,ipv6   v4:{v['protocols']['ipv4']['routingState']:<6} "
                f"{', '.join(v['interfaces'])}"
            )
        return "\n".join(rows) + "\n"
    return {"vrfs": vrfs}


async def arp(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    """``show arp [vrf V|all]`` / ``show ip arp``: the node's kernel neighbour table, per VRF."""
    want = m.group(1)
    entries: dict[str, list[dict[str, Any]]] = {v: [] for v in vrf_names(tw)}
    for n in await tw.frr.ip_json("-4", "neigh", "show") or []:
        name = to_eos(str(n.get("dev", "")))
        if name is None or not n.get("lladdr") or "FAILED" in n.get("state", []):
            continue
        entries.setdefault(vrf_of(tw, name), []).append(
            {"address": n.get("dst"), "hwAddress": _dotted(str(n["lladdr"])), "interface": name, "age": 0}
        )

    def table(rows: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "dynamicEntries": len(rows),
            "staticEntries": 0,
            "notLearnedEntries": 0,
            "totalEntries": len(rows),
            "ipV4Neighbors": sorted(rows, key=lambda r: str(r["address"])),
        }

    if want == "all":
        return {"vrfs": {v: table(rows) for v, rows in entries.items()}}
    return table(entries.get(want or "default", []))


async def mac_table(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    return {
        "unicastTable": {"tableEntries": []},
        "multicastTable": {"tableEntries": []},
        "disabledMacLearningVlans": [],
    }


async def vlans(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    return {
        "vlans": {"1": {"name": "default", "dynamic": False, "status": "active", "interfaces": {}}},
        "sourceDetail": "",
    }


async def transceivers(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    return {"interfaces": {}, "updateTime": time.time()}


async def cooling(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    return {
        "systemStatus": "coolingOk",
        "fanTraySlots": [],
        "powerSupplySlots": [],
        "ambientTemperature": None,
        "airflowDirection": "unknownAirflowDirection",
        "overrideFanSpeed": 0,
        "minFanSpeed": 0,
        "shutdownOnInsufficientFans": True,
        "currentZones": 1,
        "configuredZones": 0,
        "defaultZones": False,
    }


async def temperature(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    if m.group(1):  # transceiver temperatures: none on a container
        return {"tempSensors": []}
    return {
        "systemStatus": "temperatureOk",
        "tempSensors": [],
        "cardSlots": [],
        "powerSupplySlots": [],
        "shutdownOnOverheat": True,
        "ambientThreshold": 45,
    }


async def power(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    return {"powerSupplies": {}}


async def drop_rates(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    return {
        "totalAdverseDrops": 0,
        "totalCongestionDrops": 0,
        "totalPacketProcessorDrops": 0,
        "dropEvents": {},
    }


async def inventory(tw: EosTwin, m: re.Match[str], fmt: str) -> Any:
    ports = [n for n in tw.device().interfaces if n.startswith("Ethernet")]
    return {
        "systemInformation": {
            "name": "cEOSLab",
            "description": "cEOSLab",
            "hardwareRev": "",
            "serialNum": tw.serial,
            "mfgDate": "",
            "hwEpoch": "",
        },
        "powerSupplySlots": {},
        "fanTraySlots": {},
        "portCount": len(ports),
        "switchedPortCount": len(ports),
        "internalPortCount": 0,
        "switchedBootPortCount": 0,
        "switchedFortyGOnlyPortCount": 0,
        "xcvrSlots": {},
        "cardSlots": {},
        "storageDevices": {},
        "dimmSlots": {},
        "emmcFlashDevices": {},
    }


COMMANDS: list[tuple[re.Pattern[str], Handler]] = [
    (re.compile(r"vrf"), show_vrf),
    (re.compile(r"(?:ip )?arp(?: vrf (\S+))?"), arp),
    (re.compile(r"mac address-table(?: dynamic| static)?"), mac_table),
    (re.compile(r"vlan(?: brief)?"), vlans),
    (re.compile(r"interfaces transceiver(?: detail| dom)?"), transceivers),
    (re.compile(r"(?:system )?environment cooling"), cooling),
    (re.compile(r"(?:system )?environment temperature( transceiver)?"), temperature),
    (re.compile(r"(?:system )?environment power"), power),
    (re.compile(r"hardware counter drop rates"), drop_rates),
    (re.compile(r"inventory"), inventory),
]
