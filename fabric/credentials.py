"""Device credentials: never in the repository.

Resolution order, first match wins:
1. ``NETFABRIC_<PLATFORM>_USERNAME`` / ``NETFABRIC_<PLATFORM>_PASSWORD`` (e.g. ``NETFABRIC_EOS_PASSWORD``);
2. ``NETFABRIC_USERNAME`` / ``NETFABRIC_PASSWORD``;
3. a YAML credentials file outside the repo: ``$NETFABRIC_CREDENTIALS`` or
   ``~/.config/netfabric/credentials.yaml``, with ``default: {username, password}`` and
   optional per-platform entries (``eos: {username, password}``);
4. the public default credentials of the lab images (containerlab's kind defaults), so the
   embedded lab works out of the box.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

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


def credentials_for(platform: str) -> Credentials:
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
    u, pw_default = LAB_DEFAULT_CREDENTIALS[platform]
    return Credentials(user or u, pw or pw_default)


def mask(text: str, secrets: list[str]) -> str:
    """Replace every occurrence of a secret in text (for logs, journals and reports)."""
    for s in secrets:
        if s:
            text = text.replace(s, "********")
    return text
