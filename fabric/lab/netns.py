"""netns backend: one network namespace per node, veth links, real FRR/lldpd/sshd inside.

Why ``ip -batch`` rather than pyroute2: one ``ip -batch`` process creates every namespace, and a second
one every veth pair (both ends placed straight into their namespaces), so link creation is a handful
of netlink round trips with no Python per-object overhead; pyroute2 would need a helper process per
namespace (NetNS) and is slower to import than the whole batch takes to run.

Each node's daemons run in a private mount + UTS namespace (like a container): hostname = node name,
``/sys`` remounted for the node's netns, ``/etc/shadow`` replaced by the lab's copy (lab root
password without touching the host's) and ``/usr/bin/vtysh`` replaced by a wrapper that adds
``-N <pathspace>`` so a plain ``vtysh`` in an SSH session reaches the node's FRR.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from fabric import doctor, vendors
from fabric.errors import FabricError
from fabric.lab import artifacts
from fabric.lab.state import LLDPD_RUN, State, build_state, forget, lldpd_socket, registered, save_state
from fabric.lab.topology import Node, Topology

FRR_BIN = Path("/usr/lib/frr")
FRR_ETC = Path("/etc/frr")
FRR_RUN = Path("/var/run/frr")
# FRR daemons keep crash logs and per-thread log buffers (mmap'd files) in /var/tmp/frr/<daemon>.<pid>/
# and leave them behind when killed: 30,000 directories (677 MB) piled up on one test box, and each
# daemon start got slower as that directory grew.  Each node mounts a tmpfs there in its private mount
# namespace: cheap to write, and gone with the node's last process, even after a crash.
FRR_TMP = Path("/var/tmp/frr")
FRR_TMP_MOUNT = f"mount -t tmpfs -o size=16m,mode=0700,uid=frr,gid=frr netfabric-frr {FRR_TMP}"
NETNS_DIR = Path("/run/netns")
FRR_DAEMON_ORDER = ["zebra", "staticd", "bgpd", "ospfd", "ospf6d", "isisd", "fabricd", "ripd", "ripngd",
                    "pimd", "pim6d", "ldpd", "nhrpd", "eigrpd", "babeld", "pbrd", "bfdd", "vrrpd", "pathd"]
# Vendor kinds get the daemons a twin may need to configure.
VENDOR_DAEMONS = ["zebra", "staticd", "bgpd", "ospfd", "isisd", "bfdd"]
DEFAULT_OPTS = "-A 127.0.0.1"
# Start nodes all at once: already-running nodes burn CPU (BGP connects, LLDP) while others wait
# for a worker, so a short start phase costs less CPU overall (measured: 8 workers 42 CPU-s, 64: 18).
WORKERS = 96

Log = Callable[[str], None]


class LabError(FabricError):
    """Deploy/destroy problems the operator can act on."""


def _nolog(msg: str) -> None:
    pass


def require_root() -> None:
    if os.geteuid() != 0:
        raise LabError("the netns lab backend needs root (network namespaces, veth, bridges)",
                       fix="re-run with sudo, or use --backend containerlab")


def _preflight(topo: Topology) -> None:
    """Every host prerequisite (fabric.doctor's one list) before anything is created: a fresh host gets
    one error naming each missing part and its fix, not a node that fails to start halfway through."""
    bad = doctor.failures(doctor.lab_findings(probe_netns=False))
    if bad:
        msg, fix = doctor.missing_summary(bad)
        raise LabError(msg, file=str(topo.path), fix=fix)
    doctor.ensure_runtime_dirs()


def _run(cmd: list[str], *, stdin: str | None = None, check: bool = True, timeout: float = 60) -> str:
    p = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=timeout)
    if check and p.returncode != 0:
        raise LabError(f"command failed ({p.returncode}): {' '.join(cmd[:6])}: {p.stderr.strip()[:500]}")
    return p.stdout


def _ip_batch(lines: Iterable[str], *, netns: str | None = None, force: bool = False) -> str:
    text = "\n".join(lines) + "\n"
    cmd = ["ip"] + (["-n", netns] if netns else []) + (["-force"] if force else []) + ["-batch", "-"]
    p = subprocess.run(cmd, input=text, capture_output=True, text=True, timeout=60)
    if p.returncode != 0 and not force:
        raise LabError(f"ip -batch failed{' in ' + netns if netns else ''}: {p.stderr.strip()[:500]}")
    return p.stderr


def _pmap(fn: Callable[[Any], Any], items: list[Any], workers: int = WORKERS) -> list[Any]:
    if not items:
        return []
    with ThreadPoolExecutor(max_workers=min(workers, len(items))) as ex:
        return list(ex.map(fn, items))


def mgmt_veth(long_name: str) -> str:
    """Root-side name of a node's mgmt veth (<= 15 chars, stable)."""
    return "nfm" + hashlib.sha1(long_name.encode()).hexdigest()[:10]


# ---------------------------------------------------------------------------------------------------
# FRR files


def parse_daemons_file(text: str) -> tuple[list[str], dict[str, str]]:
    """Debian /etc/frr/daemons: ``bgpd=yes`` and ``bgpd_options="..."`` lines."""
    enabled: list[str] = []
    opts: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        m = re.fullmatch(r"(\w+)=(.*)", line)
        if not m:
            continue
        key, val = m.group(1), m.group(2).strip().strip("\"'").strip()
        if key.endswith("_options"):
            opts[key[: -len("_options")]] = val
        elif key in FRR_DAEMON_ORDER and val.lower() == "yes":
            enabled.append(key)
    return enabled, opts


def daemons_from_config(conf: str) -> list[str]:
    found = []
    for pat, d in ((r"^router bgp", "bgpd"), (r"^router ospf(\s|$)", "ospfd"), (r"^router ospf6", "ospf6d"),
                   (r"^router isis", "isisd"), (r"^router rip(\s|$)", "ripd"), (r"^bfd", "bfdd"),
                   (r"^router openfabric", "fabricd"), (r"^pbr-map", "pbrd")):
        if re.search(pat, conf, re.MULTILINE):
            found.append(d)
    return found


def _twin_boot_config(node: Node) -> str:
    """A twin node's FRR starts with its startup-config's translation (the twin's own), so the twin
    does not push it again at boot: a vtysh -f per node was most of a big twin lab's boot time."""
    from fabric.twins import twin_class, twin_for_kind

    cls = twin_class(twin_for_kind(node.kind) or "")
    text = None
    if node.startup_config and Path(node.startup_config).exists():
        text = Path(node.startup_config).read_text()
    elif node.startup_config_inline:
        text = node.startup_config_inline
    if cls is None or text is None:
        return ""
    try:
        return cls.boot_frr_config(text, node.kind) or ""
    except Exception:  # noqa: BLE001 - the twin's boot reports a bad startup-config itself
        return ""


FrrPlan = tuple[list[str], dict[str, str], str]


def frr_plan(node: Node) -> FrrPlan:
    """(daemons in start order, options per daemon, frr.conf text) for a node; computed once per
    deploy (for a twin node it includes translating its startup-config)."""
    conf = ""
    src = node.bind_for("/etc/frr/frr.conf")
    if src:
        conf = Path(src).read_text()
    elif node.startup_config and not node.is_vendor:
        conf = Path(node.startup_config).read_text()
    elif node.startup_config_inline and not node.is_vendor:
        conf = node.startup_config_inline
    elif node.is_vendor:
        conf = _twin_boot_config(node)
    opts: dict[str, str] = {}
    dsrc = node.bind_for("/etc/frr/daemons")
    if node.is_vendor:
        daemons = list(VENDOR_DAEMONS)
    elif dsrc:
        daemons, opts = parse_daemons_file(Path(dsrc).read_text())
    else:
        daemons = daemons_from_config(conf)
    # staticd only when asked for or needed: one daemon less per node on big labs.
    if re.search(r"^\s*ipv?6? route ", conf, re.MULTILINE) or (not dsrc and not node.is_vendor):
        daemons.append("staticd")
    wanted = {"zebra", *daemons}
    return [d for d in FRR_DAEMON_ORDER if d in wanted], opts, conf


# ---------------------------------------------------------------------------------------------------
# per-node start script


def _ssh_material(lab_dir: Path) -> Path:
    """Host keys, lab client key and the lab's shadow file, generated once per lab directory."""
    d = lab_dir / "ssh"
    d.mkdir(parents=True, exist_ok=True)
    os.chmod(d, 0o700)
    for t in ("ed25519", "ecdsa"):
        key = d / f"ssh_host_{t}_key"
        if not key.exists():
            _run(["ssh-keygen", "-q", "-t", t, "-N", "", "-f", str(key), "-C", f"netfabric-{lab_dir.name}"])
    client = d / "id_ed25519"
    if not client.exists():
        _run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(client), "-C", "netfabric-lab"])
    (d / "authorized_keys").write_text((d / "id_ed25519.pub").read_text())
    shadow = d / "shadow"
    if not shadow.exists():
        from fabric.lab.topology import LINUX_PASSWORD

        write_shadow(d, LINUX_PASSWORD)
    vtysh_real = lab_dir / ".bin" / "vtysh.real"
    if not vtysh_real.exists() and Path("/usr/bin/vtysh").exists():
        vtysh_real.parent.mkdir(exist_ok=True)
        shutil.copy2("/usr/bin/vtysh", vtysh_real)
    return d


def write_shadow(ssh_dir: Path, password: str) -> None:
    """The lab's copy of /etc/shadow, bind-mounted in every FRR node: root gets ``password``, every other
    account is locked, and no host password hash is copied into the lab dir.  The password goes to
    openssl through stdin, never argv (visible in ps).  Replaced atomically: a new inode, so a lab
    already running from this directory keeps its own."""
    hashed = _run(["openssl", "passwd", "-6", "-stdin"], stdin=password + "\n").strip()
    lines = []
    for line in Path("/etc/shadow").read_text().splitlines():
        parts = line.split(":")
        if len(parts) > 2:
            parts[1] = hashed if parts[0] == "root" else "*"
        lines.append(":".join(parts))
    ssh_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(ssh_dir, 0o700)
    tmp = ssh_dir / "shadow.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
    with os.fdopen(fd, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    os.replace(tmp, ssh_dir / "shadow")


def _start_script(topo: Topology, node: Node, ndir: Path, ssh_dir: Path | None, plan: FrrPlan | None) -> str:
    ns = node.long_name
    q = shlex.quote
    sh = [
        "#!/bin/sh",
        "# generated by fabric.lab: runs in the node's netns + private mount/UTS namespaces",
        "set -e",
        f"echo {q(node.name)} > /proc/sys/kernel/hostname",  # the UTS namespace's; no hostname(1) per node
        "mount -t sysfs sysfs /sys",  # /sys/class/net must show this netns (as ip netns exec does)
        f"setsid sleep infinity </dev/null >/dev/null 2>&1 & echo $! > {q(str(ndir / 'anchor.pid'))}",
    ]
    if plan is not None:
        daemons, opts, _ = plan
        sh += [
            FRR_TMP_MOUNT,
            "echo 1 > /proc/sys/net/ipv4/ip_forward",
            "echo 1 > /proc/sys/net/ipv6/conf/all/forwarding",
        ]
        conf = FRR_ETC / ns / DAEMON_CONF
        for d in daemons:
            o = opts.get(d, DEFAULT_OPTS + (" -s 90000000" if d == "zebra" else ""))
            # Each daemon reads the integrated frr.conf itself (-f; its `exit` lines dropped, see
            # daemon_config) and skips the other daemons' lines:
            # same result as starting them empty and running `vtysh -b`, without a vtysh process per node
            # (a quarter of the start-up CPU of a 64-node lab).  No watchfrr: nothing restarts daemons in
            # a lab, and it would be one more process per node.  One after the other (`-d` returns once
            # the daemon has read its config and serves): starting all but zebra side by side was
            # measured slower on dc-large-frr (45.7 s vs 31.6 s to converged: bgpd+zebra+bfdd used 42.6
            # vs 24.0 CPU-s; why was not analysed).
            sh.append(f"{FRR_BIN / d} -d -N {q(ns)} -f {q(str(conf))} {o} >>{q(str(ndir / 'frr.log'))} 2>&1")
        wrapper = ndir / "vtysh"
        wrapper.write_text(
            f"#!/bin/sh\n# vtysh for node {node.name}: its FRR pathspace\n"
            f"exec {q(str(topo.lab_dir / '.bin' / 'vtysh.real'))} -N {q(ns)} \"$@\"\n"
        )
        wrapper.chmod(0o755)
        sh.append(f"mount --bind {q(str(wrapper))} /usr/bin/vtysh")
    lldp_conf = LLDPD_RUN / f"{ns}.conf"  # readable by lldpcli's unprivileged helper, like the socket
    # port id = interface name, as network OSes and lldpd-on-a-router set-ups announce it (lldpd's default
    # is the MAC): a neighbour's "port" is then eth1, which is what LLDP checks (ours, ANTA's) expect.
    # Vendor twins set their own port ids per port.
    lldp_conf.write_text("configure lldp tx-interval 2\nconfigure lldp portidsubtype ifname\n")
    sh.append(
        f"setsid lldpd -d -u {q(str(lldpd_socket(ns)))} -I '*,!eth0' -O {q(str(lldp_conf))} "
        f"</dev/null >{q(str(ndir / 'lldpd.log'))} 2>&1 & echo $! > {q(str(ndir / 'lldpd.pid'))}"
    )
    if ssh_dir is not None and node.runs_frr and not node.is_vendor:
        home = _node_home(node, ndir)
        passwd = ndir / "passwd"
        passwd.write_text(_node_passwd(home))
        cfg = ndir / "sshd_config"
        cfg.write_text("\n".join([
            f"ListenAddress {node.mgmt_ipv4}:22",
            f"PidFile {ndir / 'sshd.pid'}",
            *[f"HostKey {ssh_dir / f'ssh_host_{t}_key'}" for t in ("ed25519", "ecdsa")],
            "PermitRootLogin yes",
            "PasswordAuthentication yes",
            "KbdInteractiveAuthentication no",
            "UsePAM no",
            f"AuthorizedKeysFile {ssh_dir / 'authorized_keys'} .ssh/authorized_keys",
            "StrictModes no",
            "UseDNS no",
            "PrintMotd no",
            "Subsystem sftp /usr/lib/openssh/sftp-server",
        ]) + "\n")
        sh.append(f"mount --bind {q(str(ssh_dir / 'shadow'))} /etc/shadow")
        sh.append(f"mount --bind {q(str(passwd))} /etc/passwd")
        sh.append(f"/usr/sbin/sshd -f {q(str(cfg))} -E {q(str(ndir / 'sshd.log'))}")
    return "\n".join(sh) + "\n"


# Node shells must not run the host's startup files: nodes share the host's /root, and e.g. a
# `pyenv init` in /root/.bashrc stalled concurrent SSH sessions for tens of seconds (a stale pyenv lock
# made every `ssh node cmd` take 60 s).  Each node gets its own root home, <node_dir>/home, through a
# node copy of /etc/passwd bind-mounted in the node's private mount namespace (like /etc/shadow).
# Why this and not the alternatives: the passwd entry is what sshd uses for HOME, for the session's
# working directory, for ~/.ssh/authorized_keys and for the login shell, and what bash uses for `~`, so
# every path (interactive login, `ssh node cmd` with bash's sshd-started ~/.bashrc, scp/sftp, `su`)
# agrees without depending on sshd option ordering (SetEnv vs. the HOME sshd sets) or on a wrapper
# shell that must re-implement login/non-login/-c handling.  Bind-mounting a directory over /root
# instead would hide a lab directory that lives under /root (host keys, vtysh wrapper).  The host's
# /etc/passwd and /root are untouched; /etc/profile and /etc/bash.bashrc (system files) still apply.
NODE_BASHRC = """# netfabric lab node shell (the host's /root startup files are not used in lab nodes)
export NETFABRIC_NODE={name}
[ -n "$PS1" ] && PS1='{name}:\\w\\$ '
"""


def _node_home(node: Node, ndir: Path) -> Path:
    home = ndir / "home"
    home.mkdir(exist_ok=True)
    os.chmod(home, 0o700)
    rc = home / ".bashrc"
    if not rc.exists():
        rc.write_text(NODE_BASHRC.format(name=node.name))
    profile = home / ".profile"
    if not profile.exists():
        profile.write_text('# login shells: same settings as ~/.bashrc\n'
                           '[ -f "$HOME/.bashrc" ] && . "$HOME/.bashrc"\n')
    return home


def _node_passwd(home: Path) -> str:
    lines = []
    for line in Path("/etc/passwd").read_text().splitlines():
        parts = line.split(":")
        if len(parts) == 7 and parts[0] == "root":
            parts[5] = str(home)
        lines.append(":".join(parts))
    return "\n".join(lines) + "\n"


DAEMON_CONF = "frr-daemons.conf"


def daemon_config(integrated: str) -> str:
    """The integrated config as each daemon reads it with ``-f``: without its ``exit`` lines.

    A daemon reading the integrated file fails on another daemon's block (bfdd on ``router bgp``) and
    stays at the config node, where that block's closing ``exit`` takes it out of configuration mode:
    every later line is then lost (measured: a ``bfd`` profile after ``router bgp`` never reached
    bfdd).  Without ``exit`` lines a daemon leaves a block the way FRR configs did before 8.0 wrote
    them: the next top-level command fails in the block and is retried in its parent node.
    """
    return "".join(ln for ln in integrated.splitlines(True) if ln.strip() != "exit")


def _prepare_frr_dirs(node: Node, plan: FrrPlan) -> None:
    """Debian frr 8.4 pathspace layout: /etc/frr/<ns>/ and /var/run/frr/<ns>/, owned by frr."""
    ns = node.long_name
    etc, run = FRR_ETC / ns, FRR_RUN / ns
    for d in (etc, run):
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)
    conf = plan[2]
    (etc / "frr.conf").write_text(conf if conf else f"hostname {node.name}\n")
    (etc / DAEMON_CONF).write_text(daemon_config(conf or f"hostname {node.name}\n"))
    (etc / "vtysh.conf").write_text("service integrated-vtysh-config\n")
    src = node.bind_for("/etc/frr/daemons")
    if src:
        shutil.copyfile(src, etc / "daemons")
    for d in (etc, run):
        shutil.chown(d, "frr", "frr")
        for f in d.iterdir():
            shutil.chown(f, "frr", "frr")
    os.chmod(run, 0o755)


# ---------------------------------------------------------------------------------------------------
# deploy


def _existing_netns() -> set[str]:
    try:
        return set(os.listdir(NETNS_DIR))
    except FileNotFoundError:
        return set()


def check_conflicts(topo: Topology) -> None:
    for other in registered():
        if other["name"] == topo.name:
            raise LabError(
                f"lab '{topo.name}' is already deployed (from {other.get('topology')})",
                file=str(topo.path), key="name",
                fix=f"fabric lab destroy -t {other.get('topology')}  (or rename the lab)",
            )
        import ipaddress

        net = ipaddress.IPv4Network(other["mgmt"]["ipv4_subnet"])
        if net.overlaps(topo.mgmt_subnet):
            raise LabError(
                f"mgmt subnet {topo.mgmt_subnet} overlaps lab '{other['name']}' ({net})",
                file=str(topo.path), key="mgmt.ipv4-subnet", fix="give this lab another mgmt.ipv4-subnet",
            )
        for n in other["nodes"].values():
            if n["netns"] in {x.long_name for x in topo.nodes.values()}:
                raise LabError(f"namespace {n['netns']} belongs to lab '{other['name']}'",
                               file=str(topo.path), key="prefix")
    clash = sorted(_existing_netns() & {n.long_name for n in topo.nodes.values()})
    if clash:
        raise LabError(f"network namespaces already exist: {', '.join(clash[:5])}", file=str(topo.path),
                       fix="fabric lab destroy --all, or `ip netns del` them")
    if Path("/sys/class/net", topo.bridge).exists():
        raise LabError(f"bridge {topo.bridge} already exists", file=str(topo.path), key="name")


def twin_map(topo: Topology) -> dict[str, str | None]:
    """Twin platform per vendor node; fails before anything is created if a kind has no twin."""
    vendor = sorted({n.kind for n in topo.nodes.values() if n.is_vendor})
    if not vendor:
        return {}
    try:
        from fabric.twins import twin_for_kind
    except Exception as exc:  # noqa: BLE001 - any import failure means "no twins available"
        raise LabError(
            f"kind(s) {', '.join(vendor)} need device twins but fabric.twins is not available ({exc})",
            file=str(topo.path), key="topology.nodes.*.kind",
        ) from None
    kinds = {k: twin_for_kind(k) for k in vendor}
    missing = [k for k, v in kinds.items() if not v]
    if missing:
        raise LabError(f"no device twin for kind(s) {', '.join(missing)}", file=str(topo.path),
                       key="topology.nodes.*.kind", fix="use kind linux with FRR for these nodes")
    return {n.name: kinds[n.kind] for n in topo.nodes.values() if n.is_vendor}


NEIGH_SYSCTL = Path("/proc/sys/net")
NEIGH_KEYS = ("gc_thresh1", "gc_thresh2", "gc_thresh3")


def neigh_thresholds(nodes: int, links: int) -> tuple[int, int, int]:
    """gc_thresh1/2/3 the neighbour tables need for this many lab nodes and links (all labs together).

    The kernel's ARP/ND tables are shared by every network namespace (limits live in the root one):
    each node adds an entry on both sides of the mgmt bridge, each link one per end, so a 64-node Clos
    with 448 links alone fills the default gc_thresh3 of 1024 ("neighbor table overflow").  thresh1
    (never garbage-collected below) covers the live entries, thresh2/thresh3 leave room for node-to-node
    management traffic and the host's own neighbours."""
    live = 2 * (nodes + links)

    def pow2(x: int) -> int:  # rounded up: labs coming and going rarely change (and log) anything
        return 1 << max(0, x - 1).bit_length()

    return pow2(live), pow2(2 * live + 512), pow2(4 * live + 1024)


def raise_neigh_limits(nodes: int, links: int, *, log: Log = _nolog,
                       root: Path = NEIGH_SYSCTL) -> list[str]:
    """Raise (never lower) IPv4 and IPv6 neighbour table limits; logs once what it changed."""
    want = neigh_thresholds(nodes, links)
    changed = []
    for fam in ("ipv4", "ipv6"):
        for key, value in zip(NEIGH_KEYS, want, strict=True):
            f = root / fam / "neigh" / "default" / key
            try:
                cur = int(f.read_text().strip())
                if cur < value:
                    f.write_text(f"{value}\n")
                    changed.append(f"net.{fam}.neigh.default.{key} {cur} -> {value}")
            except (OSError, ValueError):
                continue
    if changed:
        log(f"raised kernel neighbour table limits for {nodes} lab nodes / {links} links: "
            + ", ".join(changed))
    return changed


def _lab_size() -> tuple[int, int]:
    """Nodes and links of every registered lab (the one being deployed is registered already)."""
    nodes = links = 0
    for st in registered():
        nodes += len(st.get("nodes", {}))
        links += len(st.get("links", []))
    return nodes, links


def deploy(topo: Topology, *, log: Log = _nolog) -> State:
    """Create the lab.  On any failure everything created so far is destroyed before raising."""
    require_root()
    _preflight(topo)
    twins = twin_map(topo)
    check_conflicts(topo)
    topo.lab_dir.mkdir(parents=True, exist_ok=True)
    state = build_state(topo, "netns", twins)
    save_state(state)  # before anything exists: destroy must always find what may have been created
    try:
        _deploy(topo, state, log)
    except BaseException:
        log("deploy failed, cleaning up")
        destroy_state(state)
        raise
    return state


def _deploy(topo: Topology, state: State, log: Log) -> None:
    t0 = time.monotonic()
    nodes = list(topo.nodes.values())
    frr_nodes = [n for n in nodes if n.runs_frr]
    raise_neigh_limits(*_lab_size(), log=log)
    ssh_dir = _ssh_material(topo.lab_dir) if frr_nodes else None
    for n in nodes:
        ndir = topo.lab_dir / n.name
        ndir.mkdir(parents=True, exist_ok=True)
        for stale in ndir.glob("*.pid"):
            stale.unlink()
        if n.startup_config_inline is not None:
            p = ndir / "startup-config.cfg"
            p.write_text(n.startup_config_inline)
            n.startup_config = str(p)
            state["nodes"][n.name]["startup_config"] = str(p)
    plans = dict(zip([n.name for n in frr_nodes], _pmap(frr_plan, frr_nodes), strict=True))
    for name, plan in plans.items():
        state["nodes"][name]["frr_daemons"] = plan[0]
        if state["nodes"][name].get("twin"):
            # FRR starts with the startup-config's translation, or empty until the twin's boot pushes
            # it (the readiness check then waits for the twins: fabric.lab.readiness.twins_pending)
            state["nodes"][name]["frr_preconfigured"] = bool(plan[2].strip())
    save_state(state)
    _pmap(lambda n: _prepare_frr_dirs(n, plans[n.name]), frr_nodes)
    LLDPD_RUN.mkdir(parents=True, exist_ok=True)
    if frr_nodes:
        FRR_TMP.mkdir(parents=True, exist_ok=True)  # mount point of the nodes' tmpfs

    # 1) namespaces, 2) bridge + every veth (all links exist before any daemon starts)
    _ip_batch(f"netns add {n.long_name}" for n in nodes)
    gw_len = f"{topo.mgmt_gateway}/{topo.mgmt_subnet.prefixlen}"
    lines = [f"link add {topo.bridge} type bridge", f"addr add {gw_len} dev {topo.bridge}",
             f"link set {topo.bridge} up"]
    for n in nodes:
        peer = mgmt_veth(n.long_name)
        lines += [f"link add eth0 netns {n.long_name} type veth peer name {peer}",
                  f"link set {peer} master {topo.bridge} up"]
    for lk in topo.links:
        na, nb = topo.nodes[lk.a.node].long_name, topo.nodes[lk.b.node].long_name
        # MTU on both ends (containerlab: 9500 unless the link sets `mtu`).
        lines.append(f"link add {lk.a.interface} netns {na} up mtu {lk.mtu} type veth "
                     f"peer name {lk.b.interface} netns {nb} mtu {lk.mtu}")
    _ip_batch(lines)

    def ns_setup(n: Node) -> None:
        cmds = ["link set lo up", f"addr add {n.mgmt_ipv4}/{topo.mgmt_subnet.prefixlen} dev eth0",
                "link set eth0 up"] + [f"link set {i} up" for i in n.interfaces]
        _ip_batch(cmds, netns=n.long_name)

    _pmap(ns_setup, nodes)
    log(f"namespaces and {len(topo.links)} links created in {time.monotonic() - t0:.2f}s")

    # Per node; generous on big labs: every node starts at once and shares the CPUs.
    start_timeout = max(120, 4 * len(nodes))

    def start(n: Node) -> list[str]:
        ndir = topo.lab_dir / n.name
        script = ndir / "start.sh"
        script.write_text(_start_script(topo, n, ndir, ssh_dir, plans.get(n.name)))
        cmd = ["nsenter", f"--net={NETNS_DIR / n.long_name}", "unshare", "--mount", "--uts",
               "--propagation", "private", "sh", str(script)]
        with open(ndir / "start.log", "w") as fh:
            try:
                p = subprocess.run(cmd, stdout=fh, stderr=subprocess.STDOUT, timeout=start_timeout)
            except subprocess.TimeoutExpired:
                raise LabError(f"node {n.name} did not start within {start_timeout}s "
                               f"(see {ndir / 'start.log'})",
                               key=f"topology.nodes.{n.name}") from None
        if p.returncode != 0:
            raise LabError(f"node {n.name} failed to start (see {ndir / 'start.log'})",
                           key=f"topology.nodes.{n.name}")
        # As containerlab: a node's exec lines run once that node is up, not after every node is
        # (a barrier that cost up to 7 s of a 64-node deploy, waiting behind the slowest node).
        return _run_exec(state, n) if n.exec else []

    for msgs in _pmap(start, nodes):
        for m in msgs:
            log(m)
    log(f"daemons started and exec lines run in {time.monotonic() - t0:.2f}s")

    if any(v for v in state["nodes"].values() if v.get("twin")):
        _start_twins(state, log)
    artifacts.write_all(topo, state)
    log(f"lab {topo.name} deployed in {time.monotonic() - t0:.2f}s")


# `ip link set DEV mtu N|up|down` exec lines: runs of them go to one `ip -force -batch` (a 64-node
# Clos has ~900 of them: one process each cost ~3 CPU-s of the deploy).  Only this form: its only
# failures are runtime ones, which ip -force reports per line and goes on; a malformed argument
# elsewhere (ip's invarg) would end the whole batch without saying which line.
_BATCHABLE_IP = re.compile(r"ip +link +set +(dev +)?[A-Za-z0-9_.@:-]{1,15}( +(mtu +[0-9]{1,6}|up|down))+")


def _exec_script(n: Node, ndir: Path) -> str:
    """All of a node's `exec` lines in one shell: one nsenter per node instead of one per line (a 64-node
    Clos has 512 of them; spawning each from Python cost ~13 s of a 2-core box).  Each line still runs
    on its own (``eval`` in a subshell: a syntax error or ``exit`` only ends that line), in order, and
    its exit code and stderr are recorded for the warning.  Consecutive plain ``ip`` lines run as one
    ``ip -force -batch`` whose "Command failed -:N" reports are mapped back to their lines."""
    q = shlex.quote
    sh = ["#!/bin/sh", "# generated by fabric.lab: the node's exec lines, run after every node is up"]
    i = 0
    while i < len(n.exec):
        j = i
        while j < len(n.exec) and _BATCHABLE_IP.fullmatch(n.exec[j].strip()):
            j += 1
        if j - i >= 2:
            err = ndir / f"exec.batch{i}.err"
            body = "\n".join(n.exec[k].strip()[3:].strip() for k in range(i, j))
            sh.append(f"ip -force -batch - >/dev/null 2>{q(str(err))} <<'NF_EXEC_EOF'\n{body}\nNF_EXEC_EOF")
            # ip reports each failed line as its messages then "Command failed -:N" (N: line of the batch).
            sh.append(
                f"awk -v s={i} -v e={j - 1} -v d={q(str(ndir))} "
                "'/^Command failed -:[0-9]+$/ { split($0, a, \":\"); k = s + a[2] - 1; bad[k] = 1; "
                "f = d \"/exec.\" k \".err\"; printf \"%s\", buf > f; close(f); buf = \"\"; next } "
                "{ buf = buf $0 \"\\n\" } END { for (k = s; k <= e; k++) { "
                # An unattributed message: ip stopped early; every line it did not report is suspect.
                "if (!(k in bad) && buf != \"\") { f = d \"/exec.\" k \".err\"; printf \"%s\", buf > f; "
                "close(f); bad[k] = 1 } print k, (k in bad) ? 1 : 0 } }' "
                f"{q(str(err))}"
            )
            i = j
            continue
        err = ndir / f"exec.{i}.err"
        sh.append(f"( eval {q(n.exec[i])} ) >/dev/null 2>{q(str(err))} </dev/null; echo \"{i} $?\"")
        i += 1
    return "\n".join(sh) + "\n"


def _run_exec(state: State, n: Node) -> list[str]:
    ndir = Path(state["nodes"][n.name]["node_dir"])
    script = ndir / "exec.sh"
    script.write_text(_exec_script(n, ndir))
    p = subprocess.run(node_command(state, n.name, ["sh", str(script)]), capture_output=True, text=True,
                       timeout=120, env={**os.environ, **n.env})
    rcs = dict(line.split() for line in p.stdout.splitlines() if len(line.split()) == 2)
    msgs = []
    for i, cmd in enumerate(n.exec):
        rc = rcs.get(str(i))
        if rc == "0":
            continue
        err_file = ndir / f"exec.{i}.err"
        try:
            err = err_file.read_text(errors="replace").strip()
        except OSError:
            err = p.stderr.strip()
        msgs.append(f"warning: {n.name}: exec '{cmd}' failed ({rc if rc is not None else p.returncode}): "
                    f"{err[:200]}")
    for f in ndir.glob("exec.*.err"):
        f.unlink(missing_ok=True)
    return msgs


def _start_twins(state: State, log: Log) -> None:
    lab_dir = Path(state["lab_dir"])
    logf = open(lab_dir / "twin.log", "ab")  # noqa: SIM115 - handed to the child process
    p = subprocess.Popen([sys.executable, "-m", "fabric.twins", "serve", str(lab_dir / "netfabric-lab.json")],
                         stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                         start_new_session=True)
    logf.close()
    state["pids"]["twin"] = p.pid
    save_state(state)
    deadline = time.monotonic() + 60
    # Every service the vendor's twin serves (its vendor package says which: SSH, HTTPS, NETCONF ...).
    pending = {
        name: [svc.port for svc in vendors.get(n["twin"]).twin_services]
        for name, n in state["nodes"].items() if n.get("twin")
    }
    while pending and time.monotonic() < deadline:
        if p.poll() is not None:
            raise LabError(f"twin server exited with {p.returncode} (see {lab_dir / 'twin.log'})")
        for name in list(pending):
            ip = state["nodes"][name]["mgmt_ipv4"]
            pending[name] = [port for port in pending[name] if not _tcp_open(ip, port)]
            if not pending[name]:
                del pending[name]
        if pending:
            time.sleep(0.2)
    if pending:
        raise LabError(f"device twins not ready after 60s: {', '.join(sorted(pending))} "
                       f"(see {lab_dir / 'twin.log'})")
    log("device twins ready")


def _tcp_open(ip: str, port: int) -> bool:
    try:
        with socket.create_connection((ip, port), timeout=0.5):
            return True
    except OSError:
        return False


# ---------------------------------------------------------------------------------------------------
# exec / inspect helpers


def _alive(pid: int) -> bool:
    """Running and not a zombie (PID 1 in a container may never reap our killed daemons)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _read_pid(p: Path) -> int | None:
    try:
        return int(p.read_text().strip())
    except (OSError, ValueError):
        return None


def node_command(state: State, node: str, argv: list[str]) -> list[str]:
    """argv that runs a command inside a node like its daemons (netns + mount/UTS namespaces)."""
    if node not in state["nodes"]:
        raise LabError(f"no node '{node}' in lab {state['name']}",
                       fix=f"nodes: {', '.join(sorted(state['nodes']))}")
    n = state["nodes"][node]
    anchor = _read_pid(Path(n["node_dir"]) / "anchor.pid")
    if anchor and _alive(anchor):
        return ["nsenter", "-t", str(anchor), "-n", "-m", "-u", *argv]
    return ["nsenter", f"--net={NETNS_DIR / n['netns']}", *argv]


def node_status(state: State) -> dict[str, str]:
    existing = _existing_netns()
    out = {}
    for name, n in state["nodes"].items():
        if n["netns"] not in existing:
            out[name] = "absent"
            continue
        anchor = _read_pid(Path(n["node_dir"]) / "anchor.pid")
        out[name] = "running" if anchor and _alive(anchor) else "netns only"
    return out


# ---------------------------------------------------------------------------------------------------
# destroy


def _ns_inodes(names: set[str]) -> set[tuple[int, int]]:
    out = set()
    for name in names:
        try:
            st = os.stat(NETNS_DIR / name)
            out.add((st.st_dev, st.st_ino))
        except OSError:
            pass
    return out


def _pids_in_netns(names: set[str]) -> set[int]:
    """Every process whose network namespace is one of ours (what `ip netns pids` does, in one pass)."""
    inodes = {ino for _, ino in _ns_inodes(names)}
    pids: set[int] = set()
    if not inodes:
        return pids
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        try:
            if os.stat(f"/proc/{entry}/ns/net").st_ino in inodes:
                pids.add(int(entry))
        except OSError:
            continue
    return pids


def _cmdlines() -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                # NUL-terminated: without the empty string after the last NUL, argv[-1] is the last word
                out[int(entry)] = fh.read().decode(errors="replace").rstrip("\0").split("\0")
        except OSError:
            continue
    return out


def _lab_pids(names: set[str], lab_dir: Path | None) -> set[int]:
    """Every process of a lab, in one /proc walk: started with one of its FRR pathspaces or lab files
    (a process whose namespace was already deleted cannot be found through /run/netns any more), or
    living in one of its network namespaces."""
    inodes = {ino for _, ino in _ns_inodes(names)}
    lab = f"{lab_dir}/" if lab_dir else None
    pids = set()
    for pid, argv in _cmdlines().items():
        pathspace = {b for a, b in zip(argv, argv[1:], strict=False) if a in ("-N", "--pathspace")}
        if pathspace & names or (lab and any(a.startswith(lab) for a in argv)):
            pids.add(pid)
        elif inodes:
            with contextlib.suppress(OSError):
                if os.stat(f"/proc/{pid}/ns/net").st_ino in inodes:
                    pids.add(pid)
    return pids


def sweep_orphans(log: Log = _nolog) -> int:
    """Kill lab daemons whose namespace is gone and twin servers whose lab is gone (after a crash).

    Only processes that carry an FRR pathspace or a twin state file of a ``clab-`` lab are considered,
    and only when that lab's namespace (or state file) no longer exists, so running labs are safe.
    """
    existing = _existing_netns()
    killed = 0
    for pid, argv in _cmdlines().items():
        orphan = False
        if argv and argv[0].startswith("/usr/lib/frr/") and "-N" in argv:
            i = argv.index("-N")
            ns = argv[i + 1] if i + 1 < len(argv) else ""
            orphan = ns.startswith("clab-") and ns not in existing
        elif "fabric.twins" in argv and "serve" in argv:
            state_file = Path(argv[-1])
            try:
                nodes = json.loads(state_file.read_text()).get("nodes", {})
                orphan = not any(n.get("netns") in existing for n in nodes.values())
            except (OSError, ValueError):
                orphan = True
        if orphan and _alive(pid):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
                killed += 1
    if killed:
        log(f"killed {killed} orphaned lab process(es)")
    return killed


def destroy_state(state: State, *, log: Log = _nolog) -> None:
    """Idempotent: kill, delete namespaces/bridge/files; safe on half-created or already-gone labs."""
    require_root()
    t_start = time.monotonic()
    names = {n["netns"] for n in state["nodes"].values()}
    pids: set[int] = set()
    twin = state.get("pids", {}).get("twin")
    if twin and _alive(int(twin)):
        with contextlib.suppress(OSError):
            os.killpg(int(twin), signal.SIGTERM)
    for n in state["nodes"].values():
        for f in list(Path(n["node_dir"]).glob("*.pid")) + list((FRR_RUN / n["netns"]).glob("*.pid")):
            pid = _read_pid(f)
            if pid:
                pids.add(pid)
    lab_dir = Path(state["lab_dir"]) if state.get("lab_dir") else None
    pids |= _lab_pids(names, lab_dir)
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    # A daemon still forking when we scanned (a deploy killed mid-start) escapes the first pass: rescan
    # until nothing of ours is left, so no process outlives its lab.
    for _ in range(5):
        time.sleep(0.05)
        late = {p for p in _lab_pids(names, lab_dir) if _alive(p)}
        if not late:
            break
        pids |= late
        for pid in late:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
    if twin:
        deadline = time.monotonic() + 1.0
        while _alive(int(twin)) and time.monotonic() < deadline:
            time.sleep(0.05)
        with contextlib.suppress(OSError):
            os.killpg(int(twin), signal.SIGKILL)
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.02)
    t_kill = time.monotonic()
    existing = _existing_netns()
    # Namespaces first: the kernel tears down every device of the deleted namespaces (all lab veths,
    # and with eth0 its root-side mgmt peer) in one batched unregister.  An explicit `link del` per
    # mgmt veth would cost one RCU grace period each.
    lines = [f"netns del {ns}" for ns in sorted(names & existing)]
    bridge = state.get("mgmt", {}).get("bridge")
    if bridge and Path("/sys/class/net", bridge).exists():
        lines.append(f"link del {bridge}")
    if lines:
        _ip_batch(lines, force=True)
    # The namespace cleanup is asynchronous: wait (bounded) for the mgmt peers to vanish, so a redeploy
    # right after can reuse their names; delete what is left (namespace held open elsewhere) directly.
    veths = {mgmt_veth(ns) for ns in names}
    deadline = time.monotonic() + 3.0
    left = {v for v in veths if Path("/sys/class/net", v).exists()}
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = {v for v in left if Path("/sys/class/net", v).exists()}
    if left:
        _ip_batch([f"link del {v}" for v in sorted(left)], force=True)
    t_del = time.monotonic()
    for ns in names:
        for d in (FRR_ETC / ns, FRR_RUN / ns):
            if d.is_dir() and d.parent in (FRR_ETC, FRR_RUN):
                shutil.rmtree(d, ignore_errors=True)
    for n in state["nodes"].values():
        for f in Path(n["node_dir"]).glob("*.pid"):
            f.unlink(missing_ok=True)
        sock = lldpd_socket(n["netns"])
        for f in (sock, Path(f"{sock}.lock"), sock.with_suffix(".conf")):
            f.unlink(missing_ok=True)
    forget(state)
    log(f"lab {state['name']} destroyed (processes {t_kill - t_start:.2f}s, namespaces/links "
        f"{t_del - t_kill:.2f}s, files {time.monotonic() - t_del:.2f}s)")
