"""containerlab topology for a fabric.

``fabric build`` writes ``containerlab/<name>.clab.yml`` with containerlab's
own kinds and interface names, the design's management addresses, and the
golden configs as startup configs (FRR nodes get ``frr.conf`` and ``daemons``
bound into ``/etc/frr`` as containerlab's FRR examples do).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from fabric.model import Fabric
from fabric.platforms import PLATFORMS

FRR_DAEMONS = """\
# FRR daemons for a netfabric node (containerlab binds this to /etc/frr/daemons).
zebra=yes
bgpd=yes
ospfd={ospfd}
ospf6d=no
ripd=no
ripngd=no
isisd={isisd}
pimd=no
ldpd=no
nhrpd=no
eigrpd=no
babeld=no
sharpd=no
pbrd=no
bfdd=yes
fabricd=no
vrrpd=no
pathd=no
staticd=no
vtysh_enable=yes
zebra_options="  -A 127.0.0.1 -s 90000000"
bgpd_options="   -A 127.0.0.1"
ospfd_options="  -A 127.0.0.1"
isisd_options="  -A 127.0.0.1"
bfdd_options="   -A 127.0.0.1"
staticd_options="-A 127.0.0.1"
"""


def daemons_file(fab: Fabric) -> str:
    """Start only the daemons the fabric uses: each idle daemon costs ~20-60 ms CPU at boot (FRR builds
    its whole CLI graph), 2-4 CPU-s on a 64-node lab.  staticd stays off: the model has no static routes
    (management is out of band, eth0 outside the routing protocols)."""
    ospf = any(d.ospf for d in fab.devices.values())
    isis = any(d.isis for d in fab.devices.values())
    return FRR_DAEMONS.format(ospfd="yes" if ospf else "no", isisd="yes" if isis else "no")


def lab_name(fab: Fabric, platform_override: str | None) -> str:
    return f"{fab.name}-{platform_override}" if platform_override else fab.name


def topology_dict(
    fab: Fabric, configs: dict[str, str] | None, config_dir: str, platform_override: str | None = None
) -> dict[str, Any]:
    """The .clab.yml content. ``configs`` maps host -> rendered startup config (or None)."""
    kinds: dict[str, Any] = {}
    nodes: dict[str, Any] = {}
    for name, dev in fab.devices.items():
        p = PLATFORMS[platform_override or dev.platform]
        kinds.setdefault(p.clab_kind, {"image": p.clab_image})
        node: dict[str, Any] = {
            "kind": p.clab_kind,
            "mgmt-ipv4": dev.mgmt_ipv4.split("/")[0],
            "labels": {
                "netfabric.role": dev.role,
                "netfabric.platform": p.name,
                "netfabric.pod": str(dev.pod),
            },
        }
        if p.runs_on_linux:
            # FRR has no MTU command: on a Linux router the kernel owns it, so set it as containerlab
            # FRR labs do, with exec lines run in the node once its links exist.
            node["exec"] = [
                f"ip link set {p.clab_port(i.port)} mtu {i.mtu}" for i in dev.interfaces if i.port and i.mtu
            ]
        if configs and name in configs:
            if p.runs_on_linux:  # FRR: its frr.conf and daemons files bound into the Linux node
                node["binds"] = [
                    f"{config_dir}/{name}/frr.conf:/etc/frr/frr.conf",
                    f"{config_dir}/daemons:/etc/frr/daemons",
                ]
            else:
                node["startup-config"] = f"{config_dir}/{name}.cfg"
        nodes[name] = node
    links = []
    for link in fab.links:
        a_plat = PLATFORMS[platform_override or fab.devices[link.a.node].platform]
        b_plat = PLATFORMS[platform_override or fab.devices[link.b.node].platform]
        links.append(
            {
                "endpoints": [
                    f"{link.a.node}:{a_plat.clab_port(link.a.port)}",
                    f"{link.b.node}:{b_plat.clab_port(link.b.port)}",
                ]
            }
        )
    return {
        "name": lab_name(fab, platform_override),
        "mgmt": {"network": f"nf-{lab_name(fab, platform_override)}"[:15], "ipv4-subnet": fab.mgmt_subnet},
        "topology": {"kinds": kinds, "nodes": nodes, "links": links},
    }


def write_topology(
    fab: Fabric, out_dir: Path, configs: dict[str, str] | None, platform_override: str | None = None
) -> list[Path]:
    name = lab_name(fab, platform_override)
    cfg_dir = out_dir / name
    written: list[Path] = []
    if configs:
        cfg_dir.mkdir(parents=True, exist_ok=True)
        for host, text in configs.items():
            plat = PLATFORMS[platform_override or fab.devices[host].platform]
            path = cfg_dir / host / "frr.conf" if plat.runs_on_linux else cfg_dir / f"{host}.cfg"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            written.append(path)
        if any(PLATFORMS[platform_override or d.platform].runs_on_linux for d in fab.devices.values()):
            (cfg_dir / "daemons").write_text(daemons_file(fab))
            written.append(cfg_dir / "daemons")
    data = topology_dict(fab, configs, name, platform_override)
    path = out_dir / f"{name}.clab.yml"
    header = (
        f"# containerlab topology for fabric '{fab.name}', generated by `fabric build`.\n"
        "# Deploy with `fabric lab deploy -t <this file>` (embedded lab) or containerlab.\n"
    )
    path.write_text(header + yaml.safe_dump(data, sort_keys=False, default_flow_style=None, width=120))
    written.append(path)
    return written
