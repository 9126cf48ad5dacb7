"""EOS running-config -> :class:`fabric.structured.StructuredConfig`, the model rendering starts from.

``parse_eos(text)`` is the inverse of ``templates/eos/`` for everything the config states:
``parse_eos(render_device(x))`` equals ``x`` on :func:`routing_view` (interfaces, addresses, MTU,
shutdown, IGP participation, BGP, OSPF, IS-IS, prefix-lists, route-maps, management).  What a config
cannot say is left empty: the design's ``fabric``/``site``/``role``, the fabric port and peer of a link,
the peer device of a BGP neighbor, per-link BFD without an IGP, secret references.

The twin's own ``model.Device`` (EOS -> FRR translation) stays separate: it also covers commands the
fabric never renders (static routes, redistribute, ...), while this module speaks the fabric's model.
"""

from __future__ import annotations

import re
from typing import Any, Literal, cast

from fabric.model import BFD_DEFAULT_INTERVAL, BFD_DEFAULT_MULTIPLIER
from fabric.structured import (
    Bgp,
    BgpAddressFamily,
    BgpNeighbor,
    BgpPeerGroup,
    Interface,
    Isis,
    Mgmt,
    Ospf,
    PolicyTerm,
    PrefixEntry,
    PrefixList,
    RoutePolicy,
    Services,
    StructuredConfig,
    System,
    User,
)
from fabric.vendors.eos.twin.config import EosConfig, Node
from fabric.vendors.eos.twin.model import _mask_to_prefix, router_bfd_timers

_LEVELS = ("level-1", "level-2", "level-1-2")
_Level = Literal["level-1", "level-2", "level-1-2"]


def _words(node: Node) -> list[str]:
    return node.line.split()


def parse_eos(text: str | EosConfig) -> StructuredConfig:
    """Parse an EOS running-config (text or the twin's tree) into the vendor-neutral model."""
    cfg = text if isinstance(text, EosConfig) else EosConfig.from_text(text)
    top = cfg.root.children
    hostname, domain = "localhost", ""
    users: list[User] = []
    ntp: list[str] = []
    syslog: list[str] = []
    snmp = {"location": "", "contact": ""}
    lldp = True
    gateways: dict[str, str] = {}
    raw_ifs: list[Node] = []
    prefix_lists: list[PrefixList] = []
    policies: dict[str, list[PolicyTerm]] = {}
    bgp_node = ospf_node = isis_node = None
    bfd_timers = (BFD_DEFAULT_INTERVAL, BFD_DEFAULT_MULTIPLIER)  # EOS prints no `router bfd` for them
    for n in top:
        w = _words(n)
        if w[0] == "hostname" and len(w) == 2:
            hostname = w[1]
        elif w[:2] in (["ip", "domain-name"], ["dns", "domain"]) and len(w) == 3:
            domain = w[2]
        elif w[0] == "username" and len(w) >= 2:
            priv = int(w[w.index("privilege") + 1]) if "privilege" in w[:-1] else 1
            role = w[w.index("role") + 1] if "role" in w[:-1] else "network-operator"
            users.append(User(name=w[1], privilege=priv, role=role))
        elif w[0] == "ntp" and "server" in w:
            ntp.append(w[-1])
        elif w[0] == "logging" and "host" in w[:-1]:
            syslog.append(w[w.index("host") + 1])
        elif w[:2] == ["snmp-server", "location"]:
            snmp["location"] = n.line.split(" ", 2)[2] if len(w) > 2 else ""
        elif w[:2] == ["snmp-server", "contact"]:
            snmp["contact"] = n.line.split(" ", 2)[2] if len(w) > 2 else ""
        elif n.line == "no lldp run":
            lldp = False
        elif w[:3] == ["ip", "route", "vrf"] and len(w) >= 6 and w[4] in ("0.0.0.0/0", "0.0.0.0"):
            gateways[w[3]] = w[-1]
        elif w[0] == "interface" and len(w) == 2:
            raw_ifs.append(n)
        elif w[:2] == ["ip", "prefix-list"] and len(w) >= 3:
            prefix_lists.append(_prefix_list(n))
        elif w[0] == "route-map" and len(w) == 4 and w[3].isdigit():
            pl = "match ip address prefix-list "
            match = next((c.line.split()[-1] for c in n.children if c.line.startswith(pl)), None)
            action: Literal["accept", "reject"] = "accept" if w[2] == "permit" else "reject"
            term = PolicyTerm(name="", seq=int(w[3]), action=action, match_prefix_list=match)
            policies.setdefault(w[1], []).append(term)
        elif w[:2] == ["router", "bfd"]:
            t = router_bfd_timers(n)
            bfd_timers = (t[0], t[2]) if t else bfd_timers  # the model has one interval (tx = rx)
        elif w[:2] == ["router", "bgp"] and len(w) == 3:
            bgp_node = n
        elif w[:2] == ["router", "ospf"] and len(w) >= 3:
            ospf_node = n
        elif w[:2] == ["router", "isis"] and len(w) == 3:
            isis_node = n

    ospf_passive = _passive(ospf_node)
    isis_passive = _passive(isis_node)
    loopbacks: list[Interface] = []
    routed: list[Interface] = []
    mgmt = Mgmt(interface="Management0", ipv4="", gateway="", vrf="default")
    ospf_area = None
    for n in raw_ifs:
        name = _words(n)[1]
        attrs = _interface(n)
        if name.startswith("Management"):
            vrf = attrs.pop("vrf", "default")
            mgmt = Mgmt(interface=name, ipv4=attrs.get("ipv4") or "", gateway=gateways.get(vrf, ""), vrf=vrf)
            continue
        attrs.pop("vrf", None)
        ospf_area = ospf_area or attrs.pop("ospf_area", None)
        attrs.pop("ospf_area", None)
        attrs["ospf_passive"] = attrs["ospf"] and name in ospf_passive
        attrs["isis_passive"] = attrs["isis"] and name in isis_passive
        if name.startswith("Loopback"):
            for k in ("mtu", "isis_metric", "ospf_cost"):
                attrs.pop(k, None)
            loopbacks.append(Interface(name=name, kind="loopback", **attrs))
        elif attrs.get("ipv4"):
            m = re.fullmatch(r"Ethernet(\d+)", name)
            routed.append(Interface(name=name, kind="routed", port=int(m.group(1)) if m else None, **attrs))
    all_ifs = loopbacks + routed
    bgp = _bgp(bgp_node) if bgp_node is not None else None
    ospf = None
    if ospf_node is not None:
        w = _words(ospf_node)
        lines = [c.line for c in ospf_node.children]
        ospf = Ospf(
            process_id=int(w[2]) if w[2].isdigit() else 1,
            router_id=next((ln.split()[1] for ln in lines if ln.startswith("router-id ")), ""),
            area=ospf_area or "0.0.0.0",
            interfaces=tuple(i.name for i in all_ifs if i.ospf and not i.ospf_passive),
            passive=tuple(i.name for i in all_ifs if i.ospf_passive),
            bfd="bfd default" in lines,
        )
    isis = None
    if isis_node is not None:
        lines = [c.line for c in isis_node.children]
        net = next((ln.split()[1] for ln in lines if ln.startswith("net ")), "")
        parts = net.split(".")
        level = next((ln.split()[1] for ln in lines if ln.startswith("is-type ")), "level-1-2")
        isis = Isis(
            instance=_words(isis_node)[2],
            net=net,
            area=".".join(parts[:-4]),
            system_id=".".join(parts[-4:-1]),
            router_id=next((ln.split()[-1] for ln in lines if ln.startswith("router-id ipv4 ")), ""),
            level=cast(_Level, level if level in _LEVELS else "level-1-2"),
            interfaces=tuple(i.name for i in all_ifs if i.isis and not i.isis_passive),
            passive=tuple(i.name for i in all_ifs if i.isis_passive),
            bfd=any("isis bfd" in (c.line for c in n.children) for n in raw_ifs),
        )
    router_id = (
        (bgp.router_id if bgp else "")
        or (ospf.router_id if ospf else "")
        or (isis.router_id if isis else "")
        or next((i.ipv4.split("/")[0] for i in loopbacks if i.ipv4), "")
    )
    mtus = [i.mtu for i in routed if i.mtu]
    return StructuredConfig(
        system=System(
            hostname=hostname, domain=domain, router_id=router_id, fabric="", site="", role="", platform="eos"
        ),
        users=tuple(users),
        mgmt=mgmt,
        services=Services(
            ntp_servers=tuple(ntp),
            syslog_servers=tuple(syslog),
            snmp_location=snmp["location"],
            snmp_contact=snmp["contact"],
            lldp=lldp,
        ),
        loopbacks=tuple(loopbacks),
        interfaces=tuple(sorted(routed, key=lambda i: i.port or 0)),
        prefix_lists=tuple(prefix_lists),
        route_policies=tuple(RoutePolicy(name=k, terms=tuple(v)) for k, v in policies.items()),
        bgp=bgp,
        ospf=ospf,
        isis=isis,
        bfd=bool(bgp and bgp.bfd) or bool(ospf and ospf.bfd) or bool(isis and isis.bfd),
        bfd_interval=bfd_timers[0],
        bfd_multiplier=bfd_timers[1],
        fabric_mtu=max(mtus) if mtus else 9214,
    )


def _passive(node: Node | None) -> set[str]:
    if node is None:
        return set()
    return {c.line.split()[1] for c in node.children if re.fullmatch(r"passive-interface \S+", c.line)}


def _interface(node: Node) -> dict[str, Any]:
    a: dict[str, Any] = {"description": "", "ipv4": None, "mtu": None, "shutdown": False, "ospf": False}
    a.update({"isis": False, "isis_metric": None, "ospf_cost": None, "bfd": False})
    for c in node.children:
        w = c.line.split()
        if w[0] == "description" and len(w) > 1:
            a["description"] = c.line.split(" ", 1)[1]
        elif w == ["shutdown"]:
            a["shutdown"] = True
        elif w[0] == "mtu" and len(w) == 2 and w[1].isdigit():
            a["mtu"] = int(w[1])
        elif w[:2] == ["ip", "address"] and len(w) >= 3 and "secondary" not in w:
            a["ipv4"] = _mask_to_prefix(w[2], w[3] if len(w) > 3 else None)
        elif w[0] == "vrf" and len(w) == 2:
            a["vrf"] = w[1]
        elif w[:3] == ["ip", "ospf", "area"] and len(w) == 4:
            a["ospf"], a["ospf_area"] = True, w[3]
        elif w[:3] == ["ip", "ospf", "cost"] and len(w) == 4:
            a["ospf_cost"] = int(w[3])
        elif w[:2] == ["isis", "enable"] and len(w) == 3:
            a["isis"] = True
        elif w[:2] == ["isis", "metric"] and len(w) == 3 and w[2].isdigit():
            a["isis_metric"] = int(w[2])
        elif c.line in ("ip ospf bfd", "isis bfd"):
            a["bfd"] = True
    return a


def _prefix_list(node: Node) -> PrefixList:
    w = _words(node)
    # Mode form ("ip prefix-list NAME" + "seq N permit ..." children) or one-line form.
    rules = [c.line.split() for c in node.children] if len(w) == 3 else [w[3:]]
    entries = []
    for r in rules:
        if r and r[0] == "seq":
            r = r[2:]
        if len(r) >= 2 and r[0] == "permit":
            ge = int(r[r.index("ge") + 1]) if "ge" in r[:-1] else None
            le = int(r[r.index("le") + 1]) if "le" in r[:-1] else None
            entries.append(PrefixEntry(prefix=r[1], ge=ge, le=le))
    return PrefixList(name=w[2], entries=tuple(entries))


def _bgp(node: Node) -> Bgp:
    asn = int(_words(node)[2])
    router_id, max_paths = "", 1
    groups: dict[str, dict[str, Any]] = {}
    nbrs: dict[str, dict[str, Any]] = {}
    afs: list[BgpAddressFamily] = []

    def settings(key: str) -> dict[str, Any]:
        return groups[key] if key in groups else nbrs.setdefault(key, {"ip": key, "remote_as": None})

    for c in node.children:
        w = c.line.split()
        if w[0] == "router-id" and len(w) == 2:
            router_id = w[1]
        elif w[0] == "maximum-paths" and len(w) >= 2 and w[1].isdigit():
            max_paths = int(w[1])
        elif w[0] == "neighbor" and len(w) >= 3:
            key, rest = w[1], w[2:]
            if rest in (["peer", "group"], ["peer-group"]):
                groups[key] = {"name": key, "send_community": False, "remote_as": None}
                continue
            s = settings(key)
            if rest[:2] == ["peer", "group"] and len(rest) == 3 or rest[0] == "peer-group" and len(rest) == 2:
                s["peer_group"] = rest[-1]
            elif rest[0] == "remote-as" and len(rest) == 2:
                s["remote_as"] = int(rest[1])
            elif rest[0] == "description" and len(rest) > 1:
                s["description"] = c.line.split(" ", 3)[3]
            elif rest[0] == "update-source" and len(rest) == 2:
                s["update_source"] = rest[1]
            elif rest == ["route-reflector-client"]:
                s["route_reflector_client"] = True
            elif rest == ["next-hop-self"]:
                s["next_hop_self"] = True
            elif rest == ["bfd"]:
                s["bfd"] = True
            elif rest[0] == "send-community":
                s["send_community"] = True
            elif rest[0] == "route-map" and len(rest) == 3:
                s["import_policy" if rest[2] == "in" else "export_policy"] = rest[1]
        elif w[0] == "address-family" and len(w) >= 2 and w[1] == "ipv4":
            act = [x.line.split()[1] for x in c.children if re.fullmatch(r"neighbor \S+ activate", x.line)]
            nets = [
                _mask_to_prefix(x.line.split()[1], x.line.split()[3] if " mask " in x.line else None)
                for x in c.children
                if x.line.startswith("network ")
            ]
            afs.append(BgpAddressFamily(name="ipv4-unicast", peer_groups=tuple(act), networks=tuple(nets)))
    neighbors = []
    ebgp_groups = set()
    for s in nbrs.values():
        g = groups.get(s.get("peer_group") or "", {})
        remote = s["remote_as"] if s["remote_as"] is not None else g.get("remote_as")
        if remote is not None and remote != asn and s.get("peer_group"):
            ebgp_groups.add(s["peer_group"])
        neighbors.append(
            BgpNeighbor(
                ip=s["ip"],
                peer_group=s.get("peer_group") or "",
                remote_as=s["remote_as"],
                description=s.get("description", ""),
            )
        )
    peer_groups = tuple(BgpPeerGroup(ebgp=name in ebgp_groups, **g) for name, g in groups.items())
    return Bgp(
        asn=asn,
        router_id=router_id,
        maximum_paths=max_paths,
        ebgp=bool(ebgp_groups),
        peer_groups=peer_groups,
        neighbors=tuple(neighbors),
        address_families=tuple(afs),
        bfd=any(g.bfd for g in peer_groups),
    )


def routing_view(sc: StructuredConfig) -> dict[str, Any]:
    """The parts of a StructuredConfig an EOS config states (what a round trip must preserve).

    Left out: design bookkeeping (fabric/site/role, fabric port, link peer, BGP neighbor's peer device
    and local interface), secret references, per-link BFD (EOS only spells it inside an IGP), and the
    order of IGP interface lists (a set on the device).
    """
    ifs = {"name", "kind", "description", "ipv4", "mtu", "shutdown", "ospf", "ospf_passive", "isis"}
    ifs |= {"isis_passive", "isis_metric", "ospf_cost"}
    bgp = None
    if sc.bgp:
        bgp = sc.bgp.model_dump()
        bgp["neighbors"] = [n.model_dump(exclude={"peer", "interface"}) for n in sc.bgp.neighbors]
    igp: dict[str, Any] = {}
    for key, proto in (("ospf", sc.ospf), ("isis", sc.isis)):
        if proto is not None:
            d = proto.model_dump()
            d["interfaces"], d["passive"] = sorted(d["interfaces"]), sorted(d["passive"])
            igp[key] = d
        else:
            igp[key] = None
    return {
        "hostname": sc.system.hostname,
        "domain": sc.system.domain,
        "router_id": sc.system.router_id,
        "users": [u.model_dump(exclude={"secret_ref"}) for u in sc.users],
        "mgmt": sc.mgmt.model_dump(),
        "services": sc.services.model_dump(),
        "interfaces": [i.model_dump(include=ifs) for i in sc.loopbacks + sc.interfaces],
        "prefix_lists": [p.model_dump() for p in sc.prefix_lists],
        "route_policies": [
            {"name": p.name, "terms": [t.model_dump(exclude={"name"}) for t in p.terms]}
            for p in sc.route_policies
        ],
        "bgp": bgp,
        **igp,
        "bfd_timers": (sc.bfd_interval, sc.bfd_multiplier) if sc.bfd else None,
    }
