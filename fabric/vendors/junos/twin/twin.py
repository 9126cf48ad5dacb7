"""The Juniper Junos twin: NETCONF (830 and the ``netconf`` subsystem on 22), the Junos CLI on 22,
the configuration database (``session.py``) and its control plane: every commit is validated and
translated (``control.py``) into FRR, kernel links and the LLDP identity before it becomes the
running configuration; a commit the control plane does not take fails with Junos's error and
changes nothing (twin contract: atomic commit).
"""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path
from typing import Any

from fabric.twins.base import DeviceTwin
from fabric.vendors.junos.twin import control
from fabric.vendors.junos.twin.config import Config, ConfigError, parse_text
from fabric.vendors.junos.twin.session import JUNOS_VERSION, ConfigDb, write_atomic

log = logging.getLogger(__name__)


class JunosTwin(DeviceTwin):
    platform = "junos"
    model = "vmx"
    netconf_base11 = False  # Junos's default hello offers base:1.0 only; True also offers base:1.1

    def __init__(self, name: str, node: dict[str, Any], lab: dict[str, Any]) -> None:
        super().__init__(name, node, lab)
        self.db = ConfigDb(self.state_dir, self.apply_control_plane, hostname=name)
        self.db.validate = lambda conf: control.validate(conf, self.name)
        self.netconf_sessions: dict[int, Any] = {}  # session-id -> NetconfSession (kill-session)
        self.applied: Config | None = None  # what apply_control_plane last took
        self.applied_at = 0.0
        self.serial = "VM" + hashlib.sha1(name.encode()).hexdigest()[:10].upper()
        self._next_sid = 1000 + (sum(name.encode()) % 8000)

    def new_session_id(self) -> int:
        self._next_sid += 1
        return self._next_sid

    @property
    def hostname(self) -> str:
        for c in self.db.running.root.children or ():
            if c.words == ("system",):
                for s in c.children or ():
                    if s.words[0] == "host-name" and len(s.words) == 2:
                        return s.words[1]
        return self.name

    def device(self) -> control.Device:
        return control.parse(self.db.running, self.name)

    # ---- the control plane -----------------------------------------------------------------
    async def apply_control_plane(self, conf: Config) -> None:
        """Activate ``conf``: kernel links, then FRR (verified). Raises ConfigError (Junos's commit error)
        when Junos would refuse it or FRR did not take it; the previous configuration is then restored."""
        dev = control.validate(conf, self.name)
        applied = self.applied
        previous = None if applied is None else (lambda: control.parse(applied, self.name))
        await self.apply_or_restore(self._apply, dev, previous, ConfigError)
        self.applied = conf
        self.applied_at = time.time()
        self.spawn(self._lldp_identity(dev))

    async def _apply(self, dev: control.Device) -> None:
        refused = await self.push_frr(control.kernel_links(dev), control.to_frr(dev), fresh=self._fresh)
        if refused is not None:
            raise ConfigError(f"commit failed: (statements constraint check failed)\n{refused}",
                              tag="operation-failed", kind="application")

    @classmethod
    def boot_frr_config(cls, startup_config: str, kind: str = "") -> str | None:
        # What load() + apply_boot() derive from the startup-config (the host name is in it): the lab
        # starts FRR with it, so the boot pushes nothing (started_with). Measured on the 64-node
        # all-Junos lab (2 cores): 17-18 s to every BGP session up this way; 35 s when FRR starts
        # empty and each boot pushes its translation (counted until every twin has applied it).
        try:
            return control.to_frr(control.validate(parse_text(startup_config), "junos"))
        except ConfigError:
            return None

    async def _lldp_identity(self, dev: control.Device) -> None:
        """lldpd advertises what a Junos box does: its host name, Junos port ids and descriptions."""
        # containerlab's names: et-0/0/N on vJunos-evolved, the Linux name itself on cRPD
        kind = self.node.get("kind", "")
        ports = []
        for linux in self.node.get("interfaces", []):
            name = linux if kind == "juniper_crpd" else control.to_junos(
                linux, "et" if kind == "juniper_vjunosevolved" else "ge")
            if name and name != "fxp0":
                itf = dev.interfaces.get(name)
                ports.append((linux, name, itf.description if itf else ""))
        desc = f"Juniper Networks, Inc. {self.model} internet router, kernel JUNOS {JUNOS_VERSION}"
        await self.lldp_identity(dev.hostname, desc, ports)

    # ---- boot -------------------------------------------------------------------------------
    def load(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        marker = self.state_dir / "deployment"
        deployment = self.deployment()
        # A restart of the twin server alone (same namespace) keeps the committed configuration, its
        # rollbacks and a pending confirmed commit, and FRR kept running it. A new deployment boots the
        # node: vrnetlab kinds (vJunos, vMX, vSRX) get a new VM disk from the image and the topology's
        # startup-config, as with containerlab; cRPD keeps the configuration its lab directory holds
        # (containerlab mounts it), so it boots from its last commit. `destroy --cleanup` drops both.
        same = marker.exists() and marker.read_text() == deployment
        write_atomic(marker, deployment)
        keeps_disk = self.node.get("kind") == "juniper_crpd"
        if (same or keeps_disk) and self.db.restore():
            if same:
                self.applied = self.db.running
            else:
                self._fresh = True
            return
        self._fresh = True
        src = self.node.get("startup_config")
        default = f"system {{\n    host-name {self.name};\n}}\n"
        text = Path(src).read_text() if src and Path(src).exists() else default
        conf = parse_text(text)
        self.db.history[0].config = conf
        self.db.candidate = conf.copy()
        write_atomic(self.state_dir / "startup-config", conf.text())
        self.db.save()

    async def apply_boot(self) -> None:
        try:
            await self.apply_control_plane(self.db.running)
        except ConfigError as e:  # a device boots with a bad startup config too; its log says so
            log.error("%s: configuration not applied at boot: %s", self.name, e.message)
        self.db.resume()

    # ---- protocol hooks ------------------------------------------------------------------------
    async def ssh_shell(self, process: Any) -> None:
        """Port 22: the Junos CLI, or NETCONF when the client asks for the ``netconf`` subsystem."""
        if process.subsystem == "netconf":
            await self.netconf_session(process)
            return
        from fabric.vendors.junos.twin.cli import serve_cli

        await serve_cli(self, process)

    async def netconf_session(self, process: Any) -> None:
        from fabric.vendors.junos.twin.netconf import serve_netconf

        await serve_netconf(self, process)

