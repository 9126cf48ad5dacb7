"""SR Linux state collection: JSON-RPC ``get`` on the state datastore through the NAPALM srlinux
connection (napalm-srlinux's JSON-RPC client), normalised in normalise.py.

NAPALM's getters reduce BGP to is_up, report the port MTU and have no IGPs; the state paths carry the
FSM state, the IP MTU, OSPF neighbors and IS-IS adjacencies.
"""

from __future__ import annotations

from typing import Any

from fabric.state.collect import NapalmCollector
from fabric.state.model import DeviceState
from fabric.vendors.srlinux import normalise


class SrlinuxCollector(NapalmCollector):
    def collect(self, state: DeviceState) -> None:
        self.dev = self.connection("napalm")

        def facts() -> None:
            chassis, info, host = self.get("/platform/chassis", "/system/information",
                                           "/system/name/host-name")
            state.facts = normalise.facts(chassis, info, host)

        def interfaces() -> None:
            (itfs,) = self.get("/interface[name=*]")
            state.interfaces = normalise.interfaces(itfs)

        def lldp() -> None:
            (data,) = self.get("/system/lldp")
            state.lldp = normalise.lldp(data)

        def bgp() -> None:
            data, info = self.get("/network-instance[name=*]/protocols/bgp", "/system/information")
            state.bgp, state.bgp_router_id = normalise.bgp(data, info)

        self.section(state, "facts", facts)
        self.section(state, "interfaces", interfaces)
        self.section(state, "lldp", lldp)
        self.section(state, "bgp", bgp)
        self.section(state, "ospf", lambda: self.ospf(state))
        self.section(state, "isis", lambda: self.isis(state))

    def get(self, *paths: str) -> list[Any]:
        """One JSON-RPC ``get`` of ``paths`` on the state datastore; an error reply raises."""
        device = self.dev.device  # napalm-srlinux: its JSON-RPC client
        return list(device.get_paths(list(paths), device.Datastore.STATE))

    def ospf(self, state: DeviceState) -> None:
        if self.wants("ospf"):
            (data,) = self.get("/network-instance[name=*]/protocols/ospf")
            state.ospf = normalise.ospf(data)

    def isis(self, state: DeviceState) -> None:
        if self.wants("isis"):
            (data,) = self.get("/network-instance[name=*]/protocols/isis")
            state.isis = normalise.isis(data)
