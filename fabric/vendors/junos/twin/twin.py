"""The Juniper Junos twin (issue #14) - FIRST INCREMENT, NOT REGISTERED.

What works: the Junos configuration model (``config.py``), transactions (``session.py``: candidate,
commit / commit check / commit confirmed with a device-side timer, 50 rollbacks, lock, private
candidates) and the NETCONF server (``netconf.py``) that ncclient and PyEZ drive unmodified.

What this increment does NOT do: reach a control plane. :meth:`JunosTwin.apply_control_plane` is
the one place a committed configuration goes; today it only records what would be applied. The
Junos -> FRR translation (through ``self.frr.reload``) and the lab registration
(``twin=``/``twin_services=`` in ``fabric/vendors/junos/__init__.py``) are the next increment; until
then the lab keeps refusing Junos kinds, and nothing here pretends a commit changed routing.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

from fabric.twins.base import DeviceTwin
from fabric.vendors.junos.twin.config import Config, parse_text
from fabric.vendors.junos.twin.session import ConfigDb, write_atomic


class JunosTwin(DeviceTwin):
    platform = "junos"
    model = "vmx"
    netconf_base11 = False  # Junos's default hello offers base:1.0 only; True also offers base:1.1

    @property
    def services(self) -> dict[str, int]:
        # Not from the vendor description: the twin is not registered there yet (see module doc).
        return {"ssh": 22, "netconf": 830}

    def __init__(self, name: str, node: dict[str, Any], lab: dict[str, Any]) -> None:
        super().__init__(name, node, lab)
        self.db = ConfigDb(self.state_dir, self.apply_control_plane, hostname=name)
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

    # ---- the control plane (next increment) ----------------------------------------------------
    async def apply_control_plane(self, conf: Config) -> None:
        """Activate ``conf`` on the node. An exception fails the commit and leaves running unchanged.

        FIRST INCREMENT: no control plane yet. This records the configuration only; the next
        increment translates it to FRR and applies it with ``self.frr.reload(...)`` (verified), the
        kernel links and lldpd, as the EOS twin does.
        """
        self.applied = conf
        self.applied_at = time.time()

    # ---- boot -------------------------------------------------------------------------------
    def load(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        if self.db.restore():
            return
        src = self.node.get("startup_config")
        default = f"system {{\n    host-name {self.name};\n}}\n"
        text = Path(src).read_text() if src and Path(src).exists() else default
        conf = parse_text(text)
        self.db.history[0].config = conf
        self.db.candidate = conf.copy()
        write_atomic(self.state_dir / "startup-config", conf.text())
        self.db.save()

    async def apply_boot(self) -> None:
        await self.apply_control_plane(self.db.running)
        self.db.resume()

    # ---- protocol hooks ------------------------------------------------------------------------
    async def netconf_session(self, process: Any) -> None:
        from fabric.vendors.junos.twin.netconf import serve_netconf

        await serve_netconf(self, process)
