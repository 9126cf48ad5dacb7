"""The Cisco IOS-XR twin (containerlab kinds cisco_xrd, cisco_xrv9k, cisco_xrv): the XR CLI on SSH 22
(``cli.py``), NETCONF on 830 (``netconf.py``), the commit database with its target configurations,
confirmed commits and rollback points (``session.py``), and its control plane: every commit is
validated and translated (``control.py``) into kernel links, FRR (verified) and the LLDP identity
before it becomes the running configuration; a commit the control plane does not take fails with XR's
pseudo-atomic commit error and changes nothing (twin contract: atomic commit).
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any

from fabric.twins.base import DeviceTwin
from fabric.vendors.iosxr.twin import control
from fabric.vendors.iosxr.twin.config import Config, ConfigError, parse_text
from fabric.vendors.iosxr.twin.session import XR_VERSION, CommitDb

log = logging.getLogger(__name__)

# What `show version` / the inventory model call each kind's chassis.
MODELS = {"cisco_xrd": "XRd Control Plane", "cisco_xrv9k": "R-IOSXRV9000-CC", "cisco_xrv": "IOS XRv Chassis"}


class IosxrTwin(DeviceTwin):
    platform = "iosxr"

    def __init__(self, name: str, node: dict[str, Any], lab: dict[str, Any]) -> None:
        super().__init__(name, node, lab)
        self.db = CommitDb(self.state_dir, self.apply_control_plane, hostname=name)
        self.applied: Config | None = None  # what apply_control_plane last took
        self.applied_at = 0.0
        self.model = MODELS.get(str(node.get("kind", "cisco_xrd")), MODELS["cisco_xrd"])
        self.serial = hashlib.sha1(name.encode()).hexdigest()[:11].upper()
        self.version = XR_VERSION
        self.netconf_sessions: dict[int, Any] = {}  # session-id -> NETCONF session (kill-session, locks)
        self._next_sid = 100 + (sum(name.encode()) % 8000)

    def new_session_id(self) -> int:
        self._next_sid += 1
        return self._next_sid

    @property
    def hostname(self) -> str:
        for c in self.db.running.root.children:
            if c.words[:1] == ("hostname",) and len(c.words) == 2:
                return c.words[1]
        return self.name

    def device(self) -> control.Device:
        return control.parse(self.db.running, self.name)

    # ---- the control plane -----------------------------------------------------------------
    async def apply_control_plane(self, conf: Config) -> None:
        """Activate ``conf``: kernel links, then FRR (verified). ConfigError (XR's semantic error) when XR
        would refuse it or FRR did not take it; what ran before is then restored."""
        dev = control.validate(conf, self.name)
        applied = self.applied
        previous = None if applied is None else (lambda: control.parse(applied, self.name))
        await self.apply_or_restore(self._apply, dev, previous, ConfigError)
        self.applied = conf
        self.applied_at = time.time()
        self.spawn(self._lldp_identity(dev))

    async def _apply(self, dev: control.Device) -> None:
        links = control.kernel_links(dev, self.node.get("interfaces", []))
        refused = await self.push_frr(links, control.to_frr(dev), fresh=self._fresh,
                                      loopbacks=control.loopbacks(dev))
        if refused is not None:
            reason = f"the routing daemons refused it: {refused}"
            raise ConfigError(control.failed_text([(("router",), reason)]))

    @classmethod
    def boot_frr_config(cls, startup_config: str, kind: str = "") -> str | None:
        # The lab starts FRR with the startup-config's translation, so the boot pushes nothing
        # (started_with): the same measured saving as the Junos twin (half the 64-node boot time).
        try:
            return control.to_frr(control.validate(parse_text(startup_config), "xr"))
        except ConfigError:
            return None

    async def _lldp_identity(self, dev: control.Device) -> None:
        """lldpd advertises what XR does: its host name, XR port ids and descriptions."""
        ports = []
        for linux in self.node.get("interfaces", []):
            name = control.to_xr(linux)
            if name and not name.startswith("MgmtEth"):
                itf = dev.interfaces.get(name)
                ports.append((linux, name, itf.description if itf else ""))
        desc = (f"Cisco IOS XR Software, Version {XR_VERSION}\n"
                f"Copyright (c) 2013-2024 by Cisco Systems, Inc., {self.model}")
        await self.lldp_identity(dev.hostname, desc, ports)

    # ---- boot -------------------------------------------------------------------------------
    def default_config(self) -> str:
        """An XRd's configuration without a startup-config (the parts the twin models)."""
        return (f"hostname {self.name}\n"
                "interface MgmtEth0/RP0/CPU0/0\n ipv4 address dhcp\n!\n"
                "ssh server v2\nnetconf-yang agent\n ssh\n!\nend\n")

    def load(self) -> None:
        # a twin-server restart keeps the datastores; a new deployment boots the startup-config, as
        # containerlab does with XRd (it renders the config into the container at each deploy)
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
        """Port 22: the XR CLI, or NETCONF for a client asking for the ``netconf`` subsystem (XR's
        ``ssh server netconf``)."""
        if process.subsystem == "netconf":
            await self.netconf_session(process)
            return
        from fabric.vendors.iosxr.twin.cli import serve_cli

        await serve_cli(self, process)

    async def netconf_session(self, process: Any) -> None:
        from fabric.vendors.iosxr.twin.netconf import serve_netconf

        await serve_netconf(self, process)
