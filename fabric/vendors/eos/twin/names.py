"""The one place mapping EOS interface names to the node's Linux interfaces."""

from __future__ import annotations

import functools
import re

_ETH = re.compile(r"^(?:Ethernet|Et|eth)(\d+)$", re.IGNORECASE)
_LO = re.compile(r"^(?:Loopback|Lo)(\d+)$", re.IGNORECASE)
_MGMT = re.compile(r"^(?:Management|Ma)([01])$", re.IGNORECASE)
MGMT_NAME = "Management0"


def to_linux(name: str) -> str | None:
    """Ethernet1 -> eth1, Management0/1 -> eth0, Loopback0 -> lo0 (dummy)."""
    if m := _ETH.match(name):
        return f"eth{m.group(1)}"
    if m := _LO.match(name):
        return f"lo{m.group(1)}"
    if _MGMT.match(name):
        return "eth0"
    return None


_LINUX_ETH = re.compile(r"^eth(\d+)$")
_LINUX_LO = re.compile(r"^lo(\d+)$")


@functools.lru_cache(maxsize=4096)  # asked for every interface of every show: a handful of names per node
def to_eos(linux: str) -> str | None:
    if linux == "eth0":
        return MGMT_NAME
    if m := _LINUX_ETH.match(linux):
        return f"Ethernet{m.group(1)}"
    if m := _LINUX_LO.match(linux):
        return f"Loopback{m.group(1)}"
    return None


def canonical(name: str) -> str:
    """Expand EOS abbreviations (Et1 -> Ethernet1)."""
    linux = to_linux(name)
    if linux is None:
        return name
    if _MGMT.match(name):
        return "Management" + _MGMT.match(name).group(1)  # type: ignore[union-attr]
    return to_eos(linux) or name


_SHORT = (("Ethernet", "Et"), ("Loopback", "Lo"), ("Management", "Ma"), ("Port-Channel", "Po"),
          ("Vlan", "Vl"))


def short(name: str) -> str:
    """EOS's short interface name, as in prompts and text tables: Ethernet1 -> Et1, Loopback0 -> Lo0."""
    for long, abbr in _SHORT:
        if name.startswith(long):
            return abbr + name[len(long):]
    return name
