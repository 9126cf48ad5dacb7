"""Running-config collection through Nornir, and the git repository of sanitised backups."""

from __future__ import annotations

import re
import shlex
import subprocess
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


def scrub(config: str) -> str:
    """Pattern-based secret removal (netutils sanitize_config): applied to every running config before
    it is compared, so results, history and reports never carry a secret or hash."""
    from netutils.config.clean import sanitize_config
    from netutils.constants import _PROVIDED_SANITIZE_FILTERS

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


# Connecting must be quick (an unreachable device is reported, not waited for); a command may take
# longer: big configs, or a login shell that is slow to start on the box.
CONNECT_TIMEOUT = 15.0
COMMAND_TIMEOUT = 90.0


def _ssh_exec(
    host: Any, command: str, timeout: float = CONNECT_TIMEOUT, cmd_timeout: float = COMMAND_TIMEOUT
) -> str:
    """Run one command on a Linux (FRR) box over SSH; exec channel, so no prompt parsing."""
    from fabric import sshclient

    client = sshclient.connect(
        host.hostname, port=host.port or 22, username=host.username, password=host.password, timeout=timeout
    )
    try:
        _, stdout, stderr = client.exec_command(command, timeout=cmd_timeout)
        try:
            out = stdout.read().decode(errors="replace")
        except TimeoutError:
            raise TimeoutError(f"no answer to '{command[:60]}' within {cmd_timeout:.0f}s") from None
        rc = stdout.channel.recv_exit_status()
        if rc != 0:
            raise RuntimeError(f"'{command}' exited {rc}: {stderr.read().decode(errors='replace')[:200]}")
        return out
    finally:
        client.close()


def vtysh_command(lines: list[str]) -> str:
    return "vtysh " + " ".join(f"-c {shlex.quote(x)}" for x in lines)


def get_running(task: Any) -> Any:
    """Nornir task: the device's running config as text (NAPALM get_config, or vtysh for FRR)."""
    from nornir.core.task import Result

    platform = task.host.data.get("platform")
    if platform == "frr":
        text = _ssh_exec(task.host, vtysh_command(["show running-config"]))
    else:
        from nornir_napalm.plugins.tasks import napalm_get

        r = task.run(task=napalm_get, getters=["config"], retrieve="running")
        text = r.result["config"]["running"]
    return Result(host=task.host, result=text)


def collect(nr: Any) -> tuple[dict[str, str], dict[str, str]]:
    """Running configs of every host of a Nornir object: (configs, errors). A failed host never aborts."""
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
