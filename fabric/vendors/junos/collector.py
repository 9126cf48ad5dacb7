"""Junos state collection: Junos's own RPCs over the NAPALM junos connection's NETCONF session (PyEZ).

NAPALM's getters reduce BGP to is_up, report the media MTU, key LLDP by unit and have no IGPs; the
RPC replies carry the FSM state, last error, IP MTU, OSPF and IS-IS, normalised in normalise.py.
"""

from __future__ import annotations

from typing import Any

from fabric.state.collect import NapalmCollector
from fabric.state.model import BgpSession, DeviceState
from fabric.vendors.junos import normalise


class JunosCollector(NapalmCollector):
    def collect(self, state: DeviceState) -> None:
        self.dev = self.connection("napalm")

        def facts() -> None:
            sw = self.rpc("get-software-information")
            try:
                inv = self.rpc("get-chassis-inventory")
            except Exception:  # noqa: BLE001 - the serial number is optional; the rest is still facts
                inv = None
            state.facts = normalise.facts(sw, inv)

        self.section(state, "facts", facts)
        self.section(
            state,
            "interfaces",
            lambda: setattr(state, "interfaces", normalise.interfaces(self.rpc("get-interface-information"))),
        )
        self.section(
            state,
            "lldp",
            lambda: setattr(state, "lldp", normalise.lldp(self.rpc("get-lldp-neighbors-information"))),
        )
        def bgp() -> None:
            self.bgp_native(state)

        self.section(state, "bgp", bgp)
        self.section(state, "ospf", lambda: self.ospf(state))
        self.section(state, "isis", lambda: self.isis(state))

    def rpc(self, name: str, **args: Any) -> Any:
        """One Junos RPC through PyEZ (``dev.rpc.<name>``); an rpc-error raises PyEZ's RpcError."""
        device = self.dev.device  # NAPALM junos: the PyEZ Device holding the NETCONF session
        return getattr(device.rpc, name.replace("-", "_"))(**args)

    def bgp_native(self, state: DeviceState) -> bool:
        sessions: dict[Any, BgpSession] = {}  # key -> session: the first instance reporting it wins
        rid = None
        for inst in normalise.instances(self.rpc("get-instance-information")):
            got, inst_rid = normalise.bgp(
                self.rpc("get-bgp-neighbor-information", instance=inst),
                self.rpc("get-bgp-summary-information", instance=inst),
                instance=inst,
            )
            for s in got:
                sessions.setdefault(s.key, s)
            if inst == "master":
                rid = inst_rid
        if rid is None:  # no established peer reports its local ID: ask the routing table
            rid = normalise.router_id(self.rpc("get-route-summary-information"))
        state.bgp, state.bgp_router_id = sorted(sessions.values(), key=lambda s: (s.vrf, s.peer)), rid
        return True

    def ospf(self, state: DeviceState) -> None:
        if self.wants("ospf"):
            state.ospf = normalise.ospf(self.rpc("get-ospf-neighbor-information", extensive=True))

    def isis(self, state: DeviceState) -> None:
        if self.wants("isis"):
            state.isis = normalise.isis(self.rpc("get-isis-adjacency-information"))
