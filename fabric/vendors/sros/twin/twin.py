"""The Nokia SR OS twin (containerlab kinds nokia_sros (vrnetlab) and nokia_srsim (native SR-SIM)): the
MD-CLI on SSH 22 (``cli.py``), NETCONF on 830 (``netconf.py``) with the Nokia YANG models, the datastores
with their candidates, confirmed commits and rollback checkpoints (``session.py``), and the control plane:
every commit is validated and translated (``control.py``) into kernel links, FRR (verified) and the LLDP
identity before it becomes the running configuration. A commit the control plane does not take fails with
an SR OS commit error and changes nothing (twin contract: atomic commit).
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any

from fabric.twins.base import DeviceTwin
from fabric.vendors.sros.config import Config, ConfigError, parse_text
from fabric.vendors.sros.twin import control
from fabric.vendors.sros.twin.session import Datastore

log = logging.getLogger(__name__)

VERSION = "B-24.10.R1"  # what `show version` and nokia-state system/version report
CHASSIS = {"nokia_sros": "7750 SR-1", "nokia_srsim": "7750 SR-1"}


class SrosTwin(DeviceTwin):
    platform = "sros"

    def __init__(self, name: str, node: dict[str, Any], lab: dict[str, Any]) -> None:
        super().__init__(name, node, lab)
        self.kind = str(node.get("kind") or "nokia_sros")
        self.db = Datastore(self.state_dir, self.apply_control_plane, hostname=name)
        # MD-CLI `validate` and NETCONF <validate> check a candidate as a commit would
        self.db.validator = lambda conf: control.validate(conf, self.name, self.kind)
        self.applied: Config | None = None  # what apply_control_plane last took
        self.applied_at = 0.0
        self.version = VERSION
        self.chassis = CHASSIS.get(self.kind, "7750 SR-1")
        self.serial = "NS" + hashlib.sha1(name.encode()).hexdigest()[:9].upper()
        self.netconf_sessions: dict[int, Any] = {}  # session-id -> NETCONF session (kill-session, locks)
        self._next_sid = 100 + (sum(name.encode()) % 8000)

    def new_session_id(self) -> int:
        self._next_sid += 1
        return self._next_sid

    @property
    def hostname(self) -> str:
        name = self.db.running.data.get("system", {}).get("name")
        return name if isinstance(name, str) and name else self.name

    def device(self) -> control.Device:
        return control.validate(self.db.running, self.name, self.kind)

    # ---- the control plane -----------------------------------------------------------------
    async def apply_control_plane(self, conf: Config) -> None:
        """Activate ``conf``: kernel links, then FRR (verified). ConfigError (SR OS's commit error) when SR OS
        would refuse it or FRR did not take it; what ran before is then restored."""
        dev = control.validate(conf, self.name, self.kind)
        applied = self.applied
        previous = None if applied is None else (lambda: control.validate(applied, self.name, self.kind))
        await self.apply_or_restore(self._apply, dev, previous, ConfigError)
        self.applied = conf
        self.applied_at = time.time()
        self.spawn(self._lldp_identity(dev))

    async def _apply(self, dev: control.Device) -> None:
        links = control.kernel_links(dev, self.node.get("interfaces", []), self.kind)
        refused = await self.push_frr(links, control.to_frr(dev), fresh=self._fresh,
                                      loopbacks=control.loopbacks(dev))
        if refused is not None:
            raise ConfigError(f"MINOR: MGMT_CORE #5001: configure router \"Base\" - Commit failed - "
                              f"the routing daemons refused it: {refused}", tag="operation-failed")

    @classmethod
    def boot_frr_config(cls, startup_config: str, kind: str = "") -> str | None:
        # The lab starts FRR with the startup-config's translation, so the boot pushes nothing
        # (started_with), as for the IOS-XR and Junos twins.
        try:
            return control.to_frr(control.validate(parse_text(startup_config), "sros", kind or "nokia_sros"))
        except ConfigError:
            return None

    async def _lldp_identity(self, dev: control.Device) -> None:
        """lldpd advertises what SR OS does: its system name, SR OS port ids and port descriptions."""
        ports = []
        for linux in self.node.get("interfaces", []):
            port = control.to_port(linux, self.kind, dev)
            if port:
                p = dev.ports.get(port)
                ports.append((linux, port, p.description if p else ""))
        desc = f"TiMOS-{self.version} both/x86_64 Nokia {self.chassis} Copyright (c) 2000-2024 Nokia."
        await self.lldp_identity(dev.hostname, desc, ports)

    # ---- boot -------------------------------------------------------------------------------
    def default_config(self) -> str:
        """What an SR OS node runs without a startup-config (the parts the twin models): model-driven
        management with NETCONF on, as containerlab's SR OS kinds set it up."""
        return (f'/configure system name "{self.name}"\n'
                "/configure system management-interface configuration-mode model-driven\n"
                "/configure system management-interface netconf admin-state enable\n"
                "/configure system management-interface netconf auto-config-save true\n")

    def load(self) -> None:
        # a twin-server restart keeps the datastores; a new deployment boots the startup-config
        if self.restarted(self.db.restore):
            self.applied = self.db.running
            return
        text = self.startup_text(self.default_config())
        try:
            conf = parse_text(text)
        except ConfigError as e:  # a router boots with a bad startup config too; its log says so
            log.error("%s: startup-config not loaded: %s", self.name, e.message)
            conf = parse_text(self.default_config())
        self.db.boot(conf)

    async def apply_boot(self) -> None:
        try:
            await self.apply_control_plane(self.db.running)
        except ConfigError as e:
            log.error("%s: configuration not applied at boot: %s", self.name, e.message)
        self.db.resume()

    # ---- protocol hooks ------------------------------------------------------------------------
    async def ssh_shell(self, process: Any) -> None:
        """Port 22: the MD-CLI, or NETCONF for a client asking for the ``netconf`` subsystem."""
        if process.subsystem == "netconf":
            await self.netconf_session(process)
            return
        from fabric.vendors.sros.twin.cli import serve_cli

        await serve_cli(self, process)

    async def netconf_session(self, process: Any) -> None:
        from fabric.vendors.sros.twin.netconf import serve_netconf

        await serve_netconf(self, process)
