"""Device credentials: never in the repository.

Resolution order, first match wins:
1. ``NETFABRIC_<PLATFORM>_USERNAME`` / ``NETFABRIC_<PLATFORM>_PASSWORD`` (e.g. ``NETFABRIC_EOS_PASSWORD``);
2. ``NETFABRIC_USERNAME`` / ``NETFABRIC_PASSWORD``;
3. a YAML credentials file outside the repo: ``$NETFABRIC_CREDENTIALS`` or
   ``~/.config/netfabric/credentials.yaml``, with ``default: {username, password}`` and
   optional per-platform entries (``eos: {username, password}``);
4. for a node of a deployed lab (its management address is in the lab registry,
   ``fabric.lab.state.registered()``): the credentials that lab gave the node (the lab images' public
   defaults, containerlab's kind defaults), so the embedded lab works out of the box.

Anywhere else nothing is guessed: a missing credential is a :class:`FabricError` naming the
``NETFABRIC_*`` variables to set. (Callers that do not pass the device ``address`` cannot tell a lab
node from a production device and get step 4's per-platform lab defaults; every command-line path
passes it or checks first, see :func:`require_credentials`.)
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from fabric.errors import FabricError
from fabric.platforms import LAB_DEFAULT_CREDENTIALS


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str

    def __repr__(self) -> str:  # never show the secret, even in a debugger or a log line
        return f"Credentials(username={self.username!r}, password='********')"

    __str__ = __repr__


def _file() -> dict[str, dict[str, str]]:
    path = Path(os.environ.get("NETFABRIC_CREDENTIALS", "~/.config/netfabric/credentials.yaml")).expanduser()
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise FabricError(
            f"credentials file is not valid YAML: {exc.__class__.__name__}", file=str(path)
        ) from None
    if not isinstance(data, dict):
        raise FabricError("credentials file must be a mapping", file=str(path), fix="see docs/credentials.md")
    return data


_LAB_NODES: tuple[tuple[tuple[str, int, int, int], ...], dict[str, dict[str, Any]]] | None = None


def lab_node(address: str) -> dict[str, Any] | None:
    """The node of a deployed lab whose management address is ``address`` (``a.b.c.d`` or
    ``a.b.c.d/len``), from the lab registry; None when no deployed lab has it."""
    global _LAB_NODES
    from fabric.lab.state import registry

    reg = registry()
    stats = []
    for f in sorted(reg.glob("*.json")) if reg.is_dir() else []:
        # a lab destroyed meanwhile (another process) takes its file away: not an error, one lab less
        with contextlib.suppress(OSError):
            st = f.stat()
            # inode and size too: a state file rewritten (os.replace) is another file, whatever its mtime
            stats.append((str(f), st.st_mtime_ns, st.st_ino, st.st_size))
    key = tuple(stats)
    if _LAB_NODES is None or _LAB_NODES[0] != key:  # re-read only when a lab was deployed/destroyed
        from fabric.lab.state import registered

        nodes = {
            str(n.get("mgmt_ipv4")): dict(n, lab=st.get("name"))
            for st in registered()
            for n in st.get("nodes", {}).values()
            if n.get("mgmt_ipv4")
        }
        _LAB_NODES = (key, nodes)
    return _LAB_NODES[1].get(address.split("/")[0])


def _missing(platform: str, address: str, user: str | None, pw: str | None) -> FabricError:
    p = platform.upper()
    what = " and ".join(w for w, have in (("username", user), ("password", pw)) if not have)
    return FabricError(
        f"no {what} configured for {platform} device {address} (not a node of a deployed lab, so the "
        "lab's default credentials do not apply)",
        key=f"NETFABRIC_{p}_USERNAME/NETFABRIC_{p}_PASSWORD",
        fix=f"export NETFABRIC_{p}_USERNAME and NETFABRIC_{p}_PASSWORD (or NETFABRIC_USERNAME and "
        "NETFABRIC_PASSWORD for every platform), or put them in $NETFABRIC_CREDENTIALS "
        "(~/.config/netfabric/credentials.yaml); see docs/credentials.md",
    )


def credentials_for(platform: str, address: str) -> Credentials:
    """Credentials for a ``platform`` device at management ``address`` (module docstring order).

    Raises FabricError (naming the NETFABRIC_* variables) when nothing is configured and ``address``
    is not a node of a deployed lab."""
    env = os.environ
    p = platform.upper()
    user = env.get(f"NETFABRIC_{p}_USERNAME") or env.get("NETFABRIC_USERNAME")
    pw = env.get(f"NETFABRIC_{p}_PASSWORD") or env.get("NETFABRIC_PASSWORD")
    if user and pw:
        return Credentials(user, pw)
    data = _file()
    entry = data.get(platform) or data.get("default")
    if isinstance(entry, dict) and entry.get("username") and entry.get("password"):
        return Credentials(str(entry["username"]), str(entry["password"]))
    # The lab's default credentials only ever go to a node of a deployed lab (never to "any device").
    u, pw_default = LAB_DEFAULT_CREDENTIALS[platform]
    node = lab_node(address)
    if node is None:
        raise _missing(platform, address, user, pw)
    u, pw_default = node.get("username") or u, node.get("password") or pw_default
    return Credentials(user or u, pw or pw_default)


def require_credentials(devices: Iterable[tuple[str, str]]) -> None:
    """Fail before any device is touched when one of ``(platform, mgmt address)`` has no credentials."""
    for platform, address in devices:
        credentials_for(platform, address)


def mask(text: str, secrets: list[str]) -> str:
    """Replace every occurrence of a secret in text (for logs, journals and reports). A short secret
    (under 6 characters) only where it stands alone, not inside a longer word or number: the password
    "b" must not turn "unable" into "una********le", while "password b" and "b@host" are still masked."""
    import re

    for s in sorted((s for s in secrets if s), key=len, reverse=True):
        if len(s) >= 6:
            text = text.replace(s, "********")
        else:
            text = re.sub(rf"(?<![A-Za-z0-9]){re.escape(s)}(?![A-Za-z0-9])", "********", text)
    return text
