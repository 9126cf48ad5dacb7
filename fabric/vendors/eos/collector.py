"""EOS state collection: one eAPI request (runCmds) with every show command; NAPALM's getters as fallback."""

from __future__ import annotations

from typing import Any

from fabric.state.collect import NapalmCollector
from fabric.state.model import DeviceState, LldpNeighbor
from fabric.vendors.eos import normalise as normalise_eos


class EosCollector(NapalmCollector):
    """One eAPI request (runCmds) with every show command; NAPALM's getters only as the fallback."""

    def batch(self) -> dict[str, str]:
        cmds = {
            "version": "show version",
            "hostname": "show hostname",
            "interfaces": "show interfaces",
            "lldp": "show lldp neighbors detail",
            "bgp_summary": "show ip bgp summary vrf all",
            "bgp_neighbors": "show ip bgp neighbors vrf all",
        }
        if self.wants("ospf"):
            cmds["ospf"] = "show ip ospf neighbor"
        if self.wants("isis"):
            cmds["isis"] = "show isis neighbors"
        return cmds

    def collect(self, state: DeviceState) -> None:
        self.dev = self.host.get_connection("napalm", self.config)
        cmds = self.batch() if self.opts.cli_transport != "scrapli" else {}
        try:
            replies = dict(zip(cmds, self._eapi(list(cmds.values())), strict=True)) if cmds else None
        except Exception:  # noqa: BLE001 - an older EOS without one of the JSON models: per-getter path
            replies = None
        if replies is None:
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
        return list(self.dev._run_commands(commands, encoding=encoding))  # noqa: SLF001 - NAPALM's eAPI runner

    def _text(self, command: str) -> str:
        if self.opts.cli_transport == "scrapli":
            conn = self.host.get_connection("scrapli", self.config)
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
