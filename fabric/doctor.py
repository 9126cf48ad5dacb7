"""Host prerequisites, in one place: `fabric doctor` prints them, `fabric lab deploy` refuses to start
without them, and the tests check that the code runs no external program missing from this list.

Why a list in code and not a note in the README: a fresh Debian box lacked ``frr-pythontools`` (``frr``
only *recommends* it, and ``--no-install-recommends`` skips it) and ``/run/sshd`` (nothing creates it
when the ssh service is disabled).  Both failed deep inside a rollout or a node start.  Every external
program the code executes is declared here with the Debian package that ships it, so the Makefile's
package list, the doctor and the lab's pre-flight check cannot drift apart.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

FRR_MIN_VERSION = (8, 4)


@dataclass(frozen=True)
class Program:
    """An external program the code executes: ``name`` as the code spells it (a bare name found on
    PATH, or an absolute path), the Debian package that ships it, and who needs it."""

    name: str
    package: str
    used_by: str


# Everything fabric/ executes, directly or in the shell scripts it generates (node start scripts, the
# FRR driver's on-device commands, exec lines).  tests/test_doctor.py fails when the code names a program
# that is not here; the lab pre-flight test runs a deploy with PATH reduced to exactly these programs.
PROGRAMS: tuple[Program, ...] = (
    # iproute2 / util-linux / coreutils: namespaces, links, node start scripts
    Program("ip", "iproute2", "lab: namespaces, veth links, addresses; twins: MTU/admin state"),
    Program("nsenter", "util-linux", "lab: run commands inside a node"),
    Program("unshare", "util-linux", "lab: private mount/UTS namespace per node"),
    Program("mount", "mount", "lab: per-node sysfs, tmpfs and bind mounts"),
    Program("setsid", "util-linux", "lab: detached daemons; FRR driver: on-device revert timer"),
    Program("sh", "dash", "lab: node start scripts; FRR driver: on-device commands"),
    Program("sleep", "coreutils", "lab: node anchor process; FRR driver: revert timer"),
    Program("nohup", "coreutils", "FRR driver: revert timer that outlives the SSH session"),
    Program("cat", "coreutils", "FRR driver: checkpoint files"),
    Program("mv", "coreutils", "FRR driver: armed/confirmed/reverting markers (atomic rename)"),
    Program("rm", "coreutils", "FRR driver: markers"),
    Program("touch", "coreutils", "FRR driver: markers"),
    Program("mkdir", "coreutils", "FRR driver: state directory"),
    Program("kill", "procps", "FRR driver: stop the revert timer on confirm"),
    Program("sed", "sed", "FRR driver: strip vtysh banners"),
    Program("cmp", "diffutils", "FRR driver: verify a rollback landed on the checkpoint"),
    # FRR
    Program("vtysh", "frr", "lab, twins, FRR driver, collection: FRR's shell"),
    Program("/usr/bin/vtysh", "frr", "lab: per-node vtysh wrapper bound to the node's pathspace"),
    Program("/usr/lib/frr/zebra", "frr", "lab: FRR daemons"),
    Program("/usr/lib/frr/bgpd", "frr", "lab: FRR daemons"),
    Program("/usr/lib/frr/ospfd", "frr", "lab: FRR daemons"),
    Program("/usr/lib/frr/isisd", "frr", "lab: FRR daemons"),
    Program("/usr/lib/frr/bfdd", "frr", "lab: FRR daemons"),
    Program("/usr/lib/frr/staticd", "frr", "lab: FRR daemons"),
    Program("/usr/lib/frr/frr-reload.py", "frr-pythontools", "FRR driver and twins: config delta reload"),
    Program("/usr/bin/python3", "python3", "frr-reload.py's interpreter (its #! line)"),
    # lldpd
    Program("git", "git", "compliance: config backups and history"),
    Program("lldpd", "lldpd", "lab: LLDP on every node"),
    Program("lldpcli", "lldpd", "lab readiness, twins, collection: LLDP neighbours and identity"),
    # OpenSSH / OpenSSL
    Program("/usr/sbin/sshd", "openssh-server", "lab: SSH on FRR nodes"),
    Program("/usr/lib/openssh/sftp-server", "openssh-sftp-server", "lab: sftp subsystem on FRR nodes"),
    Program("ssh-keygen", "openssh-client", "lab: host and client keys"),
    Program("openssl", "openssl", "lab: hash of the lab root password"),
)

PROGRAM_NAMES = frozenset(p.name for p in PROGRAMS)

# Runtime directories the lab and the FRR driver write to; each is created when missing (doctor checks
# that it can be), never assumed to exist: a fresh box has none of them.
RUNTIME_DIRS: tuple[tuple[str, int, str], ...] = (
    ("/run/sshd", 0o755, "sshd's privilege-separation directory (sshd refuses to start without it)"),
    ("/run/netfabric", 0o755, "lab registry and lldpd sockets"),
    ("/var/run/frr", 0o755, "FRR sockets, one pathspace per node"),
    ("/etc/frr", 0o755, "FRR configs, one pathspace per node"),
    ("/var/tmp/frr", 0o755, "mount point of each node's FRR crash-log tmpfs"),
    ("/var/tmp/netfabric-rollout", 0o700, "FRR driver: checkpoints and revert-timer markers"),
    ("/var/lib/netfabric", 0o755, "rollout journals and locks, one per fabric ($NETFABRIC_STATE_DIR)"),
)

# Kernel settings the lab changes (neighbour table limits) or relies on (forwarding inside nodes).
SYSCTLS: tuple[str, ...] = (
    "/proc/sys/net/ipv4/neigh/default/gc_thresh3",
    "/proc/sys/net/ipv6/neigh/default/gc_thresh3",
    "/proc/sys/net/ipv4/ip_forward",
    "/proc/sys/net/ipv6/conf/all/forwarding",
)

APT_FIX = "make system   (or: apt-get install -y --no-install-recommends {pkgs})"


@dataclass(frozen=True)
class Finding:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    package: str = ""  # the Debian package that fixes it, where one does


def find_program(name: str) -> str | None:
    if name.startswith("/"):
        return name if os.access(name, os.X_OK) else None
    return shutil.which(name)


def check_programs(programs: tuple[Program, ...] | None = None) -> list[Finding]:
    out = []
    for p in PROGRAMS if programs is None else programs:
        where = find_program(p.name)
        fix = "" if where else APT_FIX.format(pkgs=p.package)
        out.append(Finding(f"program {p.name}", where is not None, where or f"missing ({p.used_by})", fix,
                           p.package))
    return out


def frr_version() -> tuple[int, ...] | None:
    zebra = "/usr/lib/frr/zebra"
    if not os.access(zebra, os.X_OK):
        return None
    try:
        out = subprocess.run([zebra, "--version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r"version (\d+)\.(\d+)(?:\.(\d+))?", out)
    return tuple(int(x) for x in m.groups() if x is not None) if m else None


def check_frr_version() -> Finding:
    v = frr_version()
    want = ".".join(map(str, FRR_MIN_VERSION))
    if v is None:
        return Finding("FRR version", False, "FRR not installed", APT_FIX.format(pkgs="frr"), "frr")
    got = ".".join(map(str, v))
    return Finding(f"FRR version >= {want}", v[:2] >= FRR_MIN_VERSION, got,
                   "" if v[:2] >= FRR_MIN_VERSION else f"install FRR {want} or newer (Debian 12 ships 8.4)")


def check_root() -> Finding:
    root = os.geteuid() == 0
    return Finding("root", root, "uid 0" if root else f"uid {os.geteuid()}",
                   "" if root else "run as root (network namespaces, veth, mounts), or use sudo")


def check_runtime_dirs() -> list[Finding]:
    out = []
    for path, _mode, why in RUNTIME_DIRS:
        p = Path(path)
        existing = p if p.exists() else next((a for a in p.parents if a.exists()), Path("/"))
        ok = existing.is_dir() and os.access(existing, os.W_OK | os.X_OK)
        state = "exists" if existing == p else "created by the lab"
        out.append(Finding(f"runtime dir {path}", ok, state if ok else f"{existing} not writable ({why})",
                           "" if ok else f"make {existing} writable for root (read-only /run or /var?)"))
    return out


def check_sysctls() -> list[Finding]:
    out = []
    for path in SYSCTLS:
        ok = os.path.exists(path) and os.access(path, os.W_OK)
        key = path.removeprefix("/proc/sys/").replace("/", ".")
        out.append(Finding(f"sysctl {key}", ok, "writable" if ok else "missing or read-only",
                           "" if ok else "run where /proc/sys is writable (a privileged container or a VM)"))
    return out


def check_netns() -> Finding:
    """Create a namespace and a veth pair into it, then remove both: what every lab deploy does first."""
    if os.geteuid() != 0:
        return Finding("netns + veth", False, "needs root", "run as root")
    ip = shutil.which("ip")
    if ip is None:
        return Finding("netns + veth", False, "ip missing", APT_FIX.format(pkgs="iproute2"))
    ns, veth = f"nfdoctor{os.getpid()}", f"nfdr{os.getpid() % 100000}"
    batch = f"netns add {ns}\nlink add {veth} type veth peer name eth0 netns {ns}\n"
    try:
        p = subprocess.run([ip, "-batch", "-"], input=batch, capture_output=True, text=True, timeout=20)
        ok, err = p.returncode == 0, p.stderr.strip()
    finally:
        subprocess.run([ip, "link", "del", veth], capture_output=True, timeout=20)
        subprocess.run([ip, "netns", "del", ns], capture_output=True, timeout=20)
    detail = "created and removed a test namespace and veth pair" if ok else err[:200]
    return Finding("netns + veth", ok, detail,
                   "" if ok else "the kernel needs network namespaces and veth (CONFIG_NET_NS, CONFIG_VETH)")


def check_frr_user() -> Finding:
    import pwd

    try:
        pwd.getpwnam("frr")
        return Finding("user frr", True, "exists")
    except KeyError:
        return Finding("user frr", False, "missing (FRR daemons and their tmpfs run as frr)",
                       APT_FIX.format(pkgs="frr"), "frr")


def lab_findings(*, probe_netns: bool = True) -> list[Finding]:
    """What a netns lab deploy needs.  ``probe_netns``: also create and remove a test namespace."""
    found = [check_root(), *check_programs(), check_frr_version(), check_frr_user(),
             *check_runtime_dirs(), *check_sysctls()]
    if probe_netns and found[0].ok:
        found.append(check_netns())
    return found


def failures(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if not f.ok]


def ensure_runtime_dirs() -> None:
    """Create the runtime directories a fresh host lacks (``/run`` is a tmpfs: gone after a reboot)."""
    for path, mode, _why in RUNTIME_DIRS:
        p = Path(path)
        if not p.is_dir():
            p.mkdir(parents=True, exist_ok=True)
            os.chmod(p, mode)


def missing_summary(bad: list[Finding]) -> tuple[str, str]:
    """(message, fix) for an error that lists every missing prerequisite at once."""
    pkgs = sorted({f.package for f in bad if f.package})
    fixes = [f.fix for f in bad if f.fix and not f.fix.startswith("make system")]
    if pkgs:
        fixes.insert(0, APT_FIX.format(pkgs=" ".join(pkgs)))
    msg = "host prerequisites missing: " + "; ".join(f"{f.name} ({f.detail})" for f in bad)
    return msg, " | ".join(dict.fromkeys(fixes)) + "   (details: fabric doctor)"


def register(app: object) -> None:
    """`fabric doctor`: mounted by fabric.cli like every feature's commands."""
    import typer
    from rich.console import Console
    from rich.table import Table

    def doctor(
        no_netns: bool = typer.Option(False, "--no-netns", help="skip the namespace + veth probe"),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="print only what is missing"),
    ) -> None:
        """Check the host prerequisites of the lab, twins and drivers; print the fix for each missing one.

        Exit 0 when everything is in place, 1 when something is missing."""
        findings = lab_findings(probe_netns=not no_netns)
        bad = failures(findings)
        console = Console()
        table = Table("check", "status", "detail", "fix", show_lines=False)
        for f in findings:
            if quiet and f.ok:
                continue
            table.add_row(f.name, "[green]ok[/]" if f.ok else "[red]MISSING[/]", f.detail, f.fix)
        if table.rows:
            console.print(table)
        if bad:
            msg, fix = missing_summary(bad)
            console.print(f"[red]{len(bad)} of {len(findings)} prerequisites missing[/]\n  fix: {fix}")
            raise typer.Exit(1)
        console.print(f"[green]all {len(findings)} prerequisites in place[/]")

    app.command("doctor")(doctor)  # type: ignore[attr-defined]
