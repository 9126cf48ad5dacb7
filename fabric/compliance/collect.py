"""Running-config collection through Nornir, and the git repository of sanitised backups."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fabric.credentials import mask

# Secrets as the platforms print them (hashes included: a hash in a backup repo is still a secret):
# EOS/IOS-XR/FRR `secret|password [type] X` anywhere on a line (users, enable, BGP/IS-IS/OSPF auth),
# Junos `encrypted-password` / `authentication-key`, SR Linux `hashed-password`, SNMP communities,
# TACACS+/RADIUS keys. netutils' own sample filters are applied too.
_SECRET_FILTERS = [
    {
        "regex": r"((?:^|\s)(?:secret|password)(?:\s+(?:0|5|7|8|9|sha512))?\s+)(\"[^\"]*\"|[^\s;]+)",
        "replace": r"\1<removed>",
    },
    {
        "regex": r"((?:encrypted-password|authentication-key|hashed-password)\s+)(\"[^\"]*\"|[^\s;]+)",
        "replace": r"\1<removed>",
    },
    {"regex": r"^(\s*snmp-server community\s+)\S+", "replace": r"\1<removed>"},
    {"regex": r"^(\s*(?:tacacs-server|radius-server)\s.*?\bkey\s+(?:\d\s+)?)\S+", "replace": r"\1<removed>"},
]


# What scrub() leaves in place of a secret (compliance treats such statements as unmanaged).
PLACEHOLDER = "<removed>"


# Curly-brace SNMP communities (``snmp { community NAME { ... } }``, ``set snmp community NAME ...``):
# only inside the top-level snmp block, since ``community`` under policy-options names BGP communities.
_SNMP_BLOCK = re.compile(r"^(snmp \{\n)(.*?)(^\})", re.M | re.S)
_SNMP_COMMUNITY = re.compile(r"^(\s+community\s+)(\"[^\"]*\"|[^\s;{]+)", re.M)
_SET_SNMP_COMMUNITY = re.compile(r"^(set snmp community\s+)(\"[^\"]*\"|\S+)", re.M)


def scrub(config: str) -> str:
    """Pattern-based secret removal (netutils sanitize_config): applied to every running config before
    it is compared, so results, history and reports never carry a secret or hash."""
    from netutils.config.clean import sanitize_config
    from netutils.constants import _PROVIDED_SANITIZE_FILTERS

    config = _SNMP_BLOCK.sub(lambda m: m.group(1) + _SNMP_COMMUNITY.sub(rf"\1{PLACEHOLDER}", m.group(2))
                             + m.group(3), config)
    config = _SET_SNMP_COMMUNITY.sub(rf"\1{PLACEHOLDER}", config)
    return sanitize_config(config, [*_SECRET_FILTERS, *_PROVIDED_SANITIZE_FILTERS])


def mask_tokens(text: str, secrets: list[str]) -> str:
    """mask() for word-like secrets, but only where the secret is a whole token.

    Lab passwords are words ("admin"): masking every substring would also turn the EOS role
    "network-admin" into garbage and make the backup useless, without hiding anything more.
    """
    words = [s for s in secrets if s and re.fullmatch(r"[A-Za-z0-9]+", s)]
    text = mask(text, [s for s in secrets if s not in words])
    for w in words:
        text = re.sub(rf"(?<![A-Za-z0-9_.-]){re.escape(w)}(?![A-Za-z0-9_.-])", "********", text)
    return text


def sanitize(config: str, secrets: list[str]) -> str:
    """Backups: :func:`scrub`, then the credentials in use masked wherever they appear as a token."""
    return mask_tokens(scrub(config), secrets)


def get_running(task: Any) -> Any:
    """Nornir task: the device's running config as text, read the way its rollout driver reads it
    (one code path per platform for compliance and rollouts: FRR over SSH, EOS through NAPALM, ...)."""
    from nornir.core.task import Result

    from fabric.rollout.drivers import DriverError, Target, driver_for

    host = task.host
    platform = str(host.data.get("platform"))
    # host.port: an inventory that names the management port (None: the platform's default)
    drv = driver_for(Target(host.name, str(host.hostname), platform, str(host.username or ""),
                            str(host.password or ""), port=int(host.port or 0)))
    try:
        text = drv.running()
    except DriverError as exc:
        raise RuntimeError(str(exc)) from None
    finally:
        drv.close()
    return Result(host=host, result=text)


class _Done:
    """Nornir processor: ``on_device(host, failed)`` as each host's task completes (progress bars)."""

    def __init__(self, on_device: Callable[[str, bool], None]) -> None:
        self.on_device = on_device

    def task_started(self, task: Any) -> None: ...
    def task_completed(self, task: Any, result: Any) -> None: ...
    def task_instance_started(self, task: Any, host: Any) -> None: ...
    def subtask_instance_started(self, task: Any, host: Any) -> None: ...
    def subtask_instance_completed(self, task: Any, host: Any, result: Any) -> None: ...

    def task_instance_completed(self, task: Any, host: Any, result: Any) -> None:
        self.on_device(host.name, bool(result.failed))


def collect(
    nr: Any, on_device: Callable[[str, bool], None] | None = None
) -> tuple[dict[str, str], dict[str, str]]:
    """Running configs of every host of a Nornir object: (configs, errors). A failed host never aborts."""
    if on_device is not None:
        nr = nr.with_processors([_Done(on_device)])
    res = nr.run(task=get_running, on_failed=True)
    configs: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name, multi in res.items():
        host = nr.inventory.hosts[name]
        if multi.failed:
            exc = multi[0].exception
            msg = f"{exc.__class__.__name__}: {exc}".rstrip(": ") if exc else str(multi[0].result)
            errors[name] = mask(msg.strip().splitlines()[-1] if msg.strip() else msg, [host.password or ""])
        else:
            configs[name] = str(multi[0].result)
    return configs, errors


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            "git",
            "-C",
            str(repo),
            "-c",
            "user.name=netfabric",
            "-c",
            "user.email=netfabric@localhost",
            "-c",
            "commit.gpgsign=false",
            *args,
        ],
        check=True,
        capture_output=True,
        text=True,
    )


def write_backups(
    repo: Path, configs: dict[str, str], secrets: list[str], message: str
) -> tuple[list[Path], str | None]:
    """One sanitised file per device in a git repo, one commit per run; returns (files, commit or None)."""
    repo.mkdir(parents=True, exist_ok=True)
    if not (repo / ".git").exists():
        _git(repo, "init", "-q")
    files = []
    for name, text in sorted(configs.items()):
        path = repo / f"{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}.cfg"
        path.write_text(sanitize(text, secrets))
        files.append(path)
    if not files:
        return [], None
    _git(repo, "add", "--", *[p.name for p in files])
    # One commit per run, even when nothing changed, so every run is traceable in the backup history.
    _git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return files, _git(repo, "rev-parse", "HEAD").stdout.strip()
