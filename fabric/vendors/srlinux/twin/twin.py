"""The Nokia SR Linux twin: JSON-RPC on HTTP 80 / HTTPS 443 (``jsonrpc.py``), the CLI on SSH 22
(``shell.py``), the configuration datastores and transactions (``session.py``) and its control plane:
every commit is validated and translated (``control.py``) into kernel links, FRR (verified) and the
LLDP identity before it becomes running; one FRR does not take fails and changes nothing. The state
datastore is read from live FRR, kernel and lldpd (``state.py``).
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from pathlib import Path
from typing import Any

from fabric.twins.base import DeviceTwin
from fabric.vendors.srlinux.twin import control
from fabric.vendors.srlinux.twin.cli import CHASSIS
from fabric.vendors.srlinux.twin.config import Config, ConfigError, canonical, parse_text
from fabric.vendors.srlinux.twin.session import SRL_VERSION, ConfigStore, write_atomic

log = logging.getLogger(__name__)


class SrlinuxTwin(DeviceTwin):
    platform = "srlinux"

    def __init__(self, name: str, node: dict[str, Any], lab: dict[str, Any]) -> None:
        super().__init__(name, node, lab)
        self.store = ConfigStore(self.state_dir, self._activate)
        self.applied: Config | None = None  # what apply_control_plane last took
        self.applied_at = 0.0
        digest = hashlib.sha1(name.encode()).hexdigest()
        self.mac = "1A:" + ":".join(digest[i:i + 2] for i in range(0, 10, 2)).upper()

    @property
    def hostname(self) -> str:
        host = self.store.running.get("/system/name/host-name")
        return host if isinstance(host, str) and host else self.name

    @property
    def config_size(self) -> int:
        return len(self.store.running.data.get("interface", []))

    # ---- the control plane -----------------------------------------------------------------
    def validate(self, conf: Config) -> None:
        """What SR Linux checks at commit beyond syntax (``commit validate``, JSON-RPC ``validate``)."""
        for itf in conf.data.get("interface", []):
            if itf.get("admin-state", "enable") not in ("enable", "disable"):
                raise ConfigError(f"Error: Invalid value \"{itf['admin-state']}\" for admin-state: "
                                  "must be one of ['disable', 'enable']")  # wording approximated

    async def _activate(self, conf: Config) -> None:
        self.validate(conf)
        await self.apply_control_plane(conf)

    async def apply_control_plane(self, conf: Config) -> None:
        """Activate ``conf`` (kernel links, then FRR, verified); ConfigError with SR Linux's commit error
        when SR Linux would refuse it or FRR did not take it, after restoring what ran before."""
        try:
            dev = control.validate(canonical(conf.data), self.name)
        except control.CommitError as e:
            raise ConfigError(e.message) from None
        applied = self.applied
        previous = None if applied is None else (lambda: control.parse(canonical(applied.data), self.name))
        await self.apply_or_restore(self._apply, dev, previous, ConfigError)
        self.applied = conf
        self.applied_at = time.time()
        self.spawn(self._lldp_identity(dev))

    async def _apply(self, dev: control.Device) -> None:
        links = control.kernel_links(dev)
        refused = await self.push_frr(links, control.to_frr(dev), fresh=self._fresh,
                                      loopbacks=frozenset(n for n in links if not n.startswith("e")))
        if refused is not None:
            # wording approximated (SR Linux reports a failed commit by the app that refused it)
            raise ConfigError("Error: Commit failed: the routing daemons rejected the configuration: "
                              + refused)

    @classmethod
    def boot_frr_config(cls, startup_config: str, kind: str = "") -> str | None:
        """FRR's startup file for the lab: the startup-config's translation. The default config the boot
        merges it into (``default_config``) holds nothing FRR sees but the host name, which a rendered
        startup sets; if the two differ anyway, the boot pushes the difference (``started_with``)."""
        try:
            conf = parse_text(startup_config)
            return control.to_frr(control.validate(canonical(conf.data), "srlinux"))
        except (ConfigError, control.CommitError):
            return None

    async def _lldp_identity(self, dev: control.Device) -> None:
        """lldpd advertises what SR Linux does: its host name and ethernet-1/N port ids."""
        ports = []
        for linux in self.node.get("interfaces", []):
            if m := re.fullmatch(r"e(\d+)-(\d+)", linux):
                itf = next((i for i in dev.interfaces.values() if i.linux == linux), None)
                ports.append((linux, f"ethernet-{m.group(1)}/{m.group(2)}", itf.description if itf else ""))
        desc = f"SRLinux-{SRL_VERSION} {CHASSIS} Copyright (c) 2000-2024 Nokia."
        await self.lldp_identity(dev.hostname, desc, ports)

    # ---- boot ---------------------------------------------------------------------------------
    def default_config(self) -> Config:
        """What an SR Linux container without a startup-config runs (the parts the twin models)."""
        return parse_text(f"""
set / system name host-name {self.name}
set / interface mgmt0 admin-state enable
set / interface mgmt0 subinterface 0 admin-state enable
set / interface mgmt0 subinterface 0 ipv4 admin-state enable
set / network-instance mgmt type ip-vrf
set / network-instance mgmt admin-state enable
set / network-instance mgmt interface mgmt0.0
set / system json-rpc-server admin-state enable
set / system json-rpc-server network-instance mgmt http admin-state enable
set / system json-rpc-server network-instance mgmt https admin-state enable
""")

    def load(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        marker = self.state_dir / "deployment"
        deployment = self.deployment()
        # A twin-server restart (same namespace) keeps running config, checkpoints and a pending
        # confirmed commit; a new deployment boots from the topology's startup-config, as containerlab.
        same = marker.exists() and marker.read_text() == deployment
        write_atomic(marker, deployment)
        if same and self.store.restore():
            self.applied = self.store.running  # FRR kept running it
            return
        self._fresh = True
        conf = self.default_config()
        src = self.node.get("startup_config")
        if src:
            text = Path(src).read_text() if "\n" not in src and Path(src).exists() else str(src)
            try:
                startup = parse_text(text)
            except ConfigError as e:  # a device boots with a bad startup config too; its log says so
                log.error("%s: startup-config not loaded: %s", self.name, e.message)
            else:
                # containerlab's .cli/flat startup files are applied on top of the default config
                conf = startup if text.lstrip().startswith("{") else parse_text(conf.flat() + text)
        self.store.running = conf
        self.store.startup = conf.copy()
        self.store.save()

    async def apply_boot(self) -> None:
        try:
            await self.apply_control_plane(self.store.running)
        except Exception as e:  # noqa: BLE001 - logged: the node keeps serving its management plane
            log.error("%s: configuration not applied at boot: %s", self.name, e)
        self.store.resume()

    def save(self) -> None:
        self.store.save()

    # ---- state ----------------------------------------------------------------------------------
    def state_tree(self, live: Any = None) -> dict[str, Any]:
        """The state datastore: running configuration plus the state it implies, with the live
        FRR/kernel/lldpd state ``live`` (``state.gather``) laid on it when given."""
        data = canonical(self.store.running.data)
        for itf in data.get("interface", []):
            up = itf.get("admin-state", "enable") == "enable"
            itf["oper-state"] = "up" if up else "down"
            for sub in itf.get("subinterface", []):
                sub.setdefault("name", f"{itf['name']}.{sub.get('index', 0)}")
                sub["oper-state"] = "up" if up and sub.get("admin-state", "enable") == "enable" else "down"
        for ni in data.get("network-instance", []):
            ni["oper-state"] = "up" if ni.get("admin-state", "enable") == "enable" else "down"
        system = data.setdefault("system", {})
        system.setdefault("name", {}).setdefault("host-name", self.hostname)
        system["information"] = {
            **system.get("information", {}),
            "version": SRL_VERSION,
            "description": f"SRLinux-{SRL_VERSION} {CHASSIS} Copyright (c) 2000-2024 Nokia.",
            "last-booted": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(self.boot_time)),
            "current-datetime": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
        }
        system["configuration"] = {**system.get("configuration", {}), **self.store.state()}
        data.setdefault("platform", {})["chassis"] = {"type": CHASSIS, "hw-mac-address": self.mac,
                                                      "serial-number": "Sim Serial No.",
                                                      "part-number": "Sim Part No.", "oper-state": "up"}
        if live is not None:
            from fabric.vendors.srlinux.twin import state

            data = state.render(data, live)
        return data

    # ---- protocol hooks ------------------------------------------------------------------------
    def http_handler(self) -> Any:
        from fabric.vendors.srlinux.twin.jsonrpc import make_handler

        return make_handler(self)

    async def ssh_shell(self, process: Any) -> None:
        from fabric.vendors.srlinux.twin.shell import serve_shell

        await serve_shell(self, process)

