"""FRR's own config-delta tool, ``frr-reload.py``, as the twins and the FRR rollout driver use it.

Why a verification step: ``frr-reload.py --reload`` exits 0 even when a daemon it must configure is not
running (measured: bgpd killed, a BGP change "reloaded" with rc 0 and nothing applied).  So every reload
is followed by ``--test`` against the same target: what is still to add or delete did not land.
"""

from __future__ import annotations

import re

RELOAD = "/usr/lib/frr/frr-reload.py"
_HEADER = re.compile(r"\A.*?(?=^frr version)", re.S | re.M)

# Lines ``frr-reload.py --test`` keeps reporting after a successful reload, because FRR never shows them
# in its running config or cannot change them at run time: forwarding is a kernel sysctl (on by default,
# so FRR prints nothing), the hostname comes from the node's UTS namespace unless a config sets one, and
# ``frr version``/``frr defaults`` describe the build and are read only at daemon start.
_ALWAYS_IN_DELTA = re.compile(
    r"^[-+] (no )?(ip forwarding|ipv6 forwarding|hostname \S+|frr (version|defaults) .*)$"
)


def frr_clean(text: str) -> str:
    """Running config without vtysh's 'Building configuration...' banner (frr-reload chokes on it)."""
    return _HEADER.sub("", text, count=1)


def frr_delta(test_output: str) -> str:
    """The 'Lines To Delete'/'Lines To Add' part of ``frr-reload.py --test`` ('' when nothing changes)."""
    out: list[str] = []
    tag = None
    for ln in test_output.splitlines():
        if ln.strip() in ("Lines To Delete", "Lines To Add"):
            tag = "-" if "Delete" in ln else "+"
        elif tag and ln.strip() and not set(ln.strip()) <= {"="}:
            if re.match(r"^\d{4}-\d\d-\d\d ", ln):  # its log lines end the section
                tag = None
                continue
            out.append(f"{tag} {ln}")
    return "\n".join(out)


def not_applied(test_output: str) -> list[str]:
    """After a reload: the delta lines ``--test`` still reports, less those FRR never shows (see above).
    Empty means FRR's running config is the target."""
    return [ln for ln in frr_delta(test_output).splitlines() if not _ALWAYS_IN_DELTA.match(ln.strip())]


def replace_script(target: str) -> str:
    """Shell: the full-replace fallback when a delta reload fails.  Every routing-protocol stanza of the
    running config is removed, then ``target`` is loaded whole with ``vtysh -f`` (a merge into a config
    that no longer has anything to conflict with).  Sessions restart: it is the fallback, not the path."""
    q = "'" + target.replace("'", "'\\''") + "'"
    return (
        "vtysh -c 'show running-config' | sed -n "
        "'s/^router \\(bgp\\|ospf\\|ospf6\\|isis\\|rip\\|ripng\\|openfabric\\)\\( \\|$\\)/no &/p' "
        f"| sed 's/ *$//' > {q}.del && vtysh -f {q}.del >/dev/null 2>&1; vtysh -f {q}"
    )
