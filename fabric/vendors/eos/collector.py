"""EOS state collection: one eAPI request (runCmds) with every show command; NAPALM's getters as fallback.

The request goes through a small eAPI client (fabric.vendors.eos.eapiclient: see there why not pyeapi)
rather than a NAPALM connection: NAPALM's open() sends its own ``show version`` first (one more round
trip per device) and importing napalm loads every driver it ships (netmiko, paramiko, PyEZ: about 0.6 s
of a CLI run). NAPALM is opened only when the batch cannot be answered in JSON (an older EOS without a
model).
"""

from __future__ import annotations

from typing import Any

from fabric.state.collect import NapalmCollector
from fabric.state.model import DeviceState, LldpNeighbor
from fabric.vendors.eos import normalise as normalise_eos
from fabric.vendors.eos.eapiclient import CommandError, Eapi


class EosCollector(NapalmCollector):
    """One eAPI request (runCmds) with every show command; NAPALM's getters only as the fallback."""

    _node: Eapi | None = None

    def batch(self) -> dict[str, str]:
        """The commands for the sections asked for (``CollectOptions.sections``), reply key -> command."""
        wanted = set(self.opts.sections)
        cmds: dict[str, str] = {}
        if "facts" in wanted:
            cmds |= {"version": "show version", "hostname": "show hostname"}
        if "interfaces" in wanted:
            cmds["interfaces"] = "show interfaces"
        if "lldp" in wanted:
            cmds["lldp"] = "show lldp neighbors detail"
        if "bgp" in wanted:
            cmds |= {"bgp_summary": "show ip bgp summary vrf all",
                     "bgp_neighbors": "show ip bgp neighbors vrf all"}
        if "ospf" in wanted and self.wants("ospf"):
            cmds["ospf"] = "show ip ospf neighbor"
        if "isis" in wanted and self.wants("isis"):
            cmds["isis"] = "show isis neighbors"
        return cmds

    def collect(self, state: DeviceState) -> None:
        cmds = self.batch() if self.opts.cli_transport != "scrapli" else {}
        replies: dict[str, Any] | None = None
        if cmds:
            try:
                replies = dict(zip(cmds, self._eapi(list(cmds.values())), strict=True))
            except CommandError:  # an older EOS without one of the JSON models: per-getter path
                replies = None
        if replies is None:
            self.dev = self.connection("napalm")
            super().collect(state)
            return
        r = replies

        def bgp() -> None:
            state.bgp, state.bgp_router_id = normalise_eos.bgp(r["bgp_summary"], r["bgp_neighbors"])

        self.section(
            state, "facts", lambda: setattr(state, "facts", normalise_eos.facts(r["version"], r["hostname"]))
        )
        self.section(
            state,
            "interfaces",
            lambda: setattr(state, "interfaces", normalise_eos.interfaces(r["interfaces"])),
        )
        self.section(state, "lldp", lambda: setattr(state, "lldp", normalise_eos.lldp_detail(r["lldp"])))
        self.section(state, "bgp", bgp)
        if "ospf" in r:
            self.section(state, "ospf", lambda: setattr(state, "ospf", normalise_eos.ospf_json(r["ospf"])))
        if "isis" in r:
            self.section(state, "isis", lambda: setattr(state, "isis", normalise_eos.isis_json(r["isis"])))

    def _eapi(self, commands: list[str], encoding: str = "json") -> list[Any]:
        """runCmds, connected as NAPALM's eos driver would be (the host's napalm connection options:
        transport, port), on one kept-alive HTTP(S) connection."""
        if self._node is None:
            params = self.host.get_connection_parameters("napalm")
            args = dict((params.extras or {}).get("optional_args") or {})
            self._node = Eapi(params.hostname, params.username or "", params.password or "",
                              transport=args.get("transport", "https"), port=args.get("port") or params.port,
                              timeout=self.opts.timeout)
        return self._node.run_cmds(commands, encoding)

    def close(self) -> None:
        if self._node is not None:
            self._node.close()
            self._node = None
        super().close()

    def _text(self, command: str) -> str:
        if self.opts.cli_transport == "scrapli":
            conn = self.connection("scrapli")
            return str(conn.send_command(command).result)
        return str(self.dev.cli([command])[command])

    def addresses_fallback(self) -> dict[str, Any] | None:
        try:
            return normalise_eos.addresses_from_show_interfaces(self._eapi(["show interfaces"])[0])
        except Exception:  # noqa: BLE001 - no fallback available
            return None

    def lldp_native(self) -> list[LldpNeighbor] | None:
        try:
            return normalise_eos.lldp_detail(self._eapi(["show lldp neighbors detail"])[0])
        except Exception:  # noqa: BLE001 - let NAPALM's getters try
            return None

    def bgp_native(self, state: DeviceState) -> bool:
        # The same replies NAPALM's get_bgp_neighbors reads, minus its IPv6 calls, plus the FSM state
        # (Active/Idle/Connect) and last NOTIFICATION that the getter reduces to is_up.
        summary, neighbors = self._eapi(["show ip bgp summary vrf all", "show ip bgp neighbors vrf all"])
        state.bgp, state.bgp_router_id = normalise_eos.bgp(summary, neighbors)
        return True

    def ospf(self, state: DeviceState) -> None:
        if not self.wants("ospf"):
            return
        if self.opts.cli_transport != "scrapli":
            try:
                state.ospf = normalise_eos.ospf_json(self._eapi(["show ip ospf neighbor"])[0])
                return
            except Exception:  # noqa: BLE001 - old EOS/twins without the JSON model: parse the text
                pass
        state.ospf = normalise_eos.ospf_text(self._text("show ip ospf neighbor"))

    def isis(self, state: DeviceState) -> None:
        if not self.wants("isis"):
            return
        if self.opts.cli_transport != "scrapli":
            try:
                state.isis = normalise_eos.isis_json(self._eapi(["show isis neighbors"])[0])
                return
            except Exception:  # noqa: BLE001 - see ospf()
                pass
        state.isis = normalise_eos.isis_text(self._text("show isis neighbors"))
