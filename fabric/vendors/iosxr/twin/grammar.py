"""IOS-XR parser-mode grammar: which lines open which sub-mode, which leaves each mode takes.

XR does not look at indentation when a configuration is typed or pasted: a line that opens a sub-mode
of the current mode enters it, any other line is tried in the current mode and then in its parent
modes, up to global configuration. These tables are what that resolution needs. A mode whose
``leaves`` is ``None`` is permissive (any leaf is taken there once the ancestors' openers and leaves
did not claim the line); the modes we model closely list their leaf keywords, so that e.g.
``hostname x`` typed in ``config-bgp-nbr`` goes back to global config, as on XR.

Patterns are word tuples: a literal word, ``*`` (any one word), ``a|b`` (alternatives) or
``<prefix>`` (an IPv4/IPv6 prefix). A leaf entry matches a line that starts with its words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_PREFIX = re.compile(r"^(?:\d+\.\d+\.\d+\.\d+|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)/\d+$")


def _p(text: str) -> tuple[str, ...]:
    return tuple(text.split())


@dataclass(frozen=True)
class Mode:
    openers: tuple[tuple[tuple[str, ...], str], ...] = ()
    leaves: tuple[tuple[str, ...], ...] | None = None  # None: permissive
    raw_end: str = ""  # route-policy / *-set: the body is raw text up to this keyword


def _mode(openers: dict[str, str] | None = None, leaves: str | None = None, raw_end: str = "") -> Mode:
    ops = tuple((_p(k), v) for k, v in (openers or {}).items())
    lv = None if leaves is None else tuple(_p(x) for x in leaves.split(",") if x.strip())
    return Mode(ops, lv, raw_end)


_NBR_LEAVES = (
    "remote-as,use,description,update-source,bfd,password,timers,shutdown,ebgp-multihop,local-as,"
    "ttl-security,capability,graceful-restart,session-open-mode,local,advertisement-interval,"
    "egress-engineering,keychain,dmz-link-bandwidth,ignore-connected-check,tcp,log,enforce-first-as,"
    "update,receive-buffer-size,send-buffer-size,precedence,dscp,cluster-id,idle-watch-time,"
    "ebgp-recv-extcommunity-dmz,ebgp-send-extcommunity-dmz,address-family"
)
_NBR_AF_LEAVES = (
    "route-policy,route-reflector-client,next-hop-self,send-community-ebgp,send-extended-community-ebgp,"
    "soft-reconfiguration,maximum-prefix,default-originate,as-override,allowas-in,remove-private-AS,"
    "next-hop-unchanged,use,orf,capability,weight,additional-paths,encapsulation-type,site-of-origin,aigp,"
    "multipath,signalling,accept-own,long-lived-graceful-restart,import,advertise,update,send-community-gshut-ebgp,"
    "send-multicast-attributes,bestpath"
)
_BGP_AF_LEAVES = (
    "maximum-paths,network,redistribute,aggregate-address,additional-paths,bgp attribute-download,"
    "bgp bestpath,bgp dampening,bgp scan-time,bgp label-delay,bgp origin-as,bgp import,bgp client-to-client,"
    "distance,nexthop,allocate-label,label,table-policy,advertise,retain,segment-routing,allow,update,"
    "dynamic-med,weight,inter-as,global-table-multicast,mvpn,permanent-network,default-martian-check,"
    "optimal-route-reflection,route,selective-vrf-download,vrf,rd"
)
_ISIS_IF_LEAVES = (
    "passive,point-to-point,bfd,circuit-type,hello-interval,hello-multiplier,hello-padding,hello-password,"
    "priority,csnp-interval,lsp-interval,suppressed,shutdown,mesh-group,retransmit-interval,"
    "retransmit-throttle-interval,link-down,lsp-fast-flood-threshold,affinity,delay,address-family"
)
_OSPF_IF_LEAVES = (
    "cost,network,passive,bfd,hello-interval,dead-interval,mtu-ignore,priority,authentication,"
    "authentication-key,message-digest-key,retransmit-interval,transmit-delay,fast-reroute,prefix-sid,"
    "segment-routing,mpls,database-filter,demand-circuit,flood-reduction,link-down,loopback,packet-size,"
    "prefix-suppression,security,weight,adjacency-sid,delay,distribute-list,neighbor"
)
_OSPF_COMMON = (
    _OSPF_IF_LEAVES + ",log,redistribute,default-information,auto-cost,timers,nsr,nsf,summary-prefix,"
    "max-metric,distance,maximum,capability,default-metric,microloop,snmp,ucmp,max-lsa,adjacency,"
    "external-out,summary-in,stub,nssa,range,default-cost,route-policy,multi-area-interface,sham-link,"
    "spf,apply-weight,graceful-restart,bandwidth"
)

MODES: dict[str, Mode] = {
    "config-if": _mode({"lldp": "config-if-lldp", "l2transport": "config-if-l2"},
                       "description,ipv4,ipv6,mtu,shutdown,vrf,encapsulation,load-interval,bundle,cdp,bfd,"
                       "carrier-delay,negotiation,service-policy,speed,duplex,mac-address,dampening,flow,"
                       "arp,proxy-arp,frequency,transceiver,logging,ethernet,host-routing,monitor-session,"
                       "lacp,bandwidth,tunnel,keepalive,destination,source,nv,rewrite,l2transport,"
                       "ptp,flow-control,lldp,snmp,storm-control,encryption,macsec,fec,dot1q,pseudowire,"
                       "backup,transport,multicast,point-to-point,vlan,passive,service"),
    "config-if-lldp": _mode(leaves="receive,transmit,destination,enable"),
    "config-if-l2": _mode(),
    # BGP
    "config-bgp": _mode({"address-family * *": "config-bgp-af", "neighbor *": "config-bgp-nbr",
                         "neighbor-group *": "config-bgp-nbrgrp", "vrf *": "config-bgp-vrf",
                         "af-group * address-family * *": "config-bgp-afgrp",
                         "session-group *": "config-bgp-sngrp", "rpki server *": "config-bgp-rpki-server"},
                        "bgp,timers,nsr,ibgp,default-information,default-metric,mpls,socket,update,"
                        "segment-routing,distance,graceful-restart,bfd,nexthop,mvpn,install"),
    "config-bgp-af": _mode(leaves=_BGP_AF_LEAVES),
    "config-bgp-nbr": _mode({"address-family * *": "config-bgp-nbr-af"}, _NBR_LEAVES),
    "config-bgp-nbrgrp": _mode({"address-family * *": "config-bgp-nbrgrp-af"}, _NBR_LEAVES),
    "config-bgp-nbr-af": _mode(leaves=_NBR_AF_LEAVES),
    "config-bgp-nbrgrp-af": _mode(leaves=_NBR_AF_LEAVES),
    "config-bgp-afgrp": _mode(leaves=_NBR_AF_LEAVES),
    "config-bgp-sngrp": _mode(leaves=_NBR_LEAVES),
    "config-bgp-rpki-server": _mode(),
    "config-bgp-vrf": _mode({"address-family * *": "config-bgp-vrf-af", "neighbor *": "config-bgp-vrf-nbr"},
                            "rd,bgp,timers,default-information,default-metric,label,mpls,distance,bfd,"
                            "socket,update"),
    "config-bgp-vrf-af": _mode(leaves=_BGP_AF_LEAVES),
    "config-bgp-vrf-nbr": _mode({"address-family * *": "config-bgp-vrf-nbr-af"}, _NBR_LEAVES),
    "config-bgp-vrf-nbr-af": _mode(leaves=_NBR_AF_LEAVES),
    # IS-IS
    "config-isis": _mode({"address-family * *": "config-isis-af", "interface *": "config-isis-if",
                          "flex-algo *": "config-isis-flex-algo"},
                         "is-type,net,log,nsr,nsf,lsp-gen-interval,lsp-refresh-interval,max-lsp-lifetime,"
                         "lsp-password,distribute,set-overload-bit,hostname,min-lsp-arrivaltime,"
                         "ignore-lsp-errors,segment-routing,domain-password,lsp-mtu,purge-originator,srlg,"
                         "affinity-map,authentication,lsp-check-interval,init-wait-timeout,nsf-lifetime,"
                         "max-link-metric,adjacency-stagger"),
    "config-isis-af": _mode(leaves="metric-style,router-id,mpls,redistribute,maximum-paths,spf-interval,"
                            "segment-routing,metric,distance,default-information,advertise,microloop,"
                            "fast-reroute,propagate,summary-prefix,ispf,attached-bit,adjacency-check,"
                            "single-topology,maximum-redistributed-prefixes,spf,spf-prefix-priority,ucmp,"
                            "topology-id,monitor-convergence,apply-weight,set-attached-bit,"
                            "generate-default-route,igp,maximum-paths,route-source,set-overload-bit"),
    "config-isis-if": _mode({"address-family * *": "config-isis-if-af"}, _ISIS_IF_LEAVES),
    "config-isis-if-af": _mode(leaves="metric,fast-reroute,prefix-sid,adjacency-sid,tag,weight,mpls,"
                               "advertise,prefix-attributes,auto-metric,link-group,manual-adjacency-sid"),
    "config-isis-flex-algo": _mode(),
    # OSPF
    "config-ospf": _mode({"area *": "config-ospf-ar", "vrf *": "config-ospf-vrf"},
                         "router-id,address-family," + _OSPF_COMMON),
    "config-ospf-vrf": _mode({"area *": "config-ospf-vrf-ar"}, "router-id,address-family," + _OSPF_COMMON),
    "config-ospf-ar": _mode({"interface *": "config-ospf-ar-if", "virtual-link *": "config-ospf-ar-vl"},
                            _OSPF_COMMON),
    "config-ospf-vrf-ar": _mode({"interface *": "config-ospf-vrf-ar-if"}, _OSPF_COMMON),
    "config-ospf-ar-if": _mode(leaves=_OSPF_IF_LEAVES),
    "config-ospf-vrf-ar-if": _mode(leaves=_OSPF_IF_LEAVES),
    "config-ospf-ar-vl": _mode(),
    "config-ospfv3": _mode({"area *": "config-ospfv3-ar"}),
    "config-ospfv3-ar": _mode({"interface *": "config-ospfv3-ar-if"}),
    "config-ospfv3-ar-if": _mode(),
    # static routes: the route lines are prefixes
    "config-static": _mode({"address-family * *": "config-static-afi", "vrf *": "config-static-vrf"},
                           "maximum,nexthop"),
    "config-static-afi": _mode(leaves="<prefix>"),
    "config-static-vrf": _mode({"address-family * *": "config-static-vrf-afi"}, "maximum"),
    "config-static-vrf-afi": _mode(leaves="<prefix>"),
    # VRF
    "config-vrf": _mode({"address-family * *": "config-vrf-af"},
                        "description,rd,vpn,fallback-vrf,mode,evpn-route-sync,remote-route-filtering"),
    "config-vrf-af": _mode(leaves="import,export,maximum"),
    # routing policy language: raw bodies
    "config-rpl": _mode(raw_end="end-policy"),
    "config-pfx": _mode(raw_end="end-set"),
    "config-comm": _mode(raw_end="end-set"),
    "config-as": _mode(raw_end="end-set"),
    "config-ext": _mode(raw_end="end-set"),
    "config-rd": _mode(raw_end="end-set"),
    "config-largecomm": _mode(raw_end="end-set"),
    "config-policy-global": _mode(raw_end="end-global"),
    # management plane
    "config-un": _mode(leaves="group,secret,password,description,login-history,policy"),
    "config-ug": _mode(), "config-tg": _mode(),
    "config-line": _mode(leaves="exec-timeout,session-timeout,transport,access-class,session-limit,"
                         "timestamp,absolute-timeout,users,width,length,escape-character,"
                         "disconnect-character,secret,password,login,autocommand,authorization,"
                         "accounting,cli,exec"),
    "config-call-home": _mode({"profile *": "config-call-home-profile"},
                              "service,contact,contract-id,customer-id,site-id,street-address,phone-number,"
                              "mail-server,sender,source-interface,vrf,http-proxy,alert-group,data-privacy,"
                              "rate-limit,smart-licensing,syslog-throttling,alert-group-config,crashinfo"),
    "config-call-home-profile": _mode(),
    "config-ntp": _mode({"interface *": "config-ntp-int"},
                        "server,peer,source,authenticate,authentication-key,trusted-key,master,update-calendar,"
                        "max-associations,access-group,log-internal-sync,broadcastdelay,drift,ipv4,ipv6,"
                        "passive,vrf,cmac-authentication-key,hmac-sha1-authentication-key"),
    "config-ntp-int": _mode(),
    "config-lldp": _mode({"tlv-select": "config-lldp-tlv-select"},
                         "timer,holdtime,reinit,subinterfaces,management,extended-show-width,priorityaddr"),
    "config-lldp-tlv-select": _mode(),
    "config-ncy-agent": _mode(leaves="ssh,session,with-defaults-support,defaults"),
    "config-snmp-vrf": _mode(),
    "config-rsvp": _mode({"interface *": "config-rsvp-if"}),
    "config-rsvp-if": _mode(),
    "config-mpls-te": _mode({"interface *": "config-mpls-te-if"}),
    "config-mpls-te-if": _mode(),
    "config-ldp": _mode({"interface *": "config-ldp-if", "address-family * *": "config-ldp-af"}),
    "config-ldp-if": _mode(), "config-ldp-af": _mode(),
    "config-sr": _mode(), "config-grpc": _mode(), "config-model-driven": _mode(), "config-bfd": _mode(),
    "config-l2vpn": _mode(), "config-evpn": _mode(), "config-ctrl": _mode(), "config-kc": _mode(),
    "config-cmap": _mode(), "config-pmap": _mode(), "config-tpa": _mode(), "config-ipv4-acl": _mode(),
    "config-ipv6-acl": _mode(), "config-mcast": _mode(), "config-pim": _mode(), "config-igmp": _mode(),
    "config-telnet": _mode(), "config-hw-module": _mode(), "config-explicit-path": _mode(),
    "config-aaa": _mode(), "config-tacacs": _mode(), "config-radius": _mode(), "config-ssh": _mode(),
    "config-xml": _mode(), "config-http": _mode(), "config-cdp": _mode(), "config-mpls-oam": _mode(),
    "config-ptp": _mode(), "config-frequency": _mode(), "config-fpd": _mode(), "config-vty-pool": _mode(),
    "config-srlg": _mode(), "config-track": _mode(), "config-sampler": _mode(),
    "config-flow-exporter": _mode(), "config-flow-monitor": _mode(), "config-hsrp": _mode(),
    "config-vrrp": _mode(), "config-router-id": _mode(), "config-ipsla": _mode(),
    "config-performance-mgmt": _mode(), "config-event-manager": _mode(), "config-cef": _mode(),
    "config-lpts": _mode(), "config-ethernet": _mode(), "config-dhcpv4": _mode(), "config-dhcpv6": _mode(),
    "config-l2tp": _mode(), "config-mpls-static": _mode(), "config-pce": _mode(), "config-xtc": _mode(),
    "config-netconf": _mode(), "config-license": _mode(), "config-crypto": _mode(),
}

# Global configuration: sub-mode openers, then the first words of top-level leaves.
MODES["config"] = _mode(
    {
        "interface *": "config-if", "interface preconfigure *": "config-if",
        "router bgp *": "config-bgp", "router isis *": "config-isis", "router ospf *": "config-ospf",
        "router ospfv3 *": "config-ospfv3", "router static": "config-static", "router pim": "config-pim",
        "router igmp": "config-igmp", "router hsrp": "config-hsrp", "router vrrp": "config-vrrp",
        "vrf *": "config-vrf",
        "route-policy *": "config-rpl", "prefix-set *": "config-pfx", "community-set *": "config-comm",
        "as-path-set *": "config-as", "extcommunity-set * *": "config-ext", "rd-set *": "config-rd",
        "large-community-set *": "config-largecomm", "policy-global": "config-policy-global",
        "username *": "config-un", "usergroup *": "config-ug", "taskgroup *": "config-tg",
        "line console|default|aux": "config-line", "line template *": "config-line",
        "call-home": "config-call-home", "ntp": "config-ntp", "lldp": "config-lldp",
        "netconf-yang agent": "config-ncy-agent", "snmp-server vrf *": "config-snmp-vrf",
        "rsvp": "config-rsvp", "mpls traffic-eng": "config-mpls-te", "mpls ldp": "config-ldp",
        "mpls oam": "config-mpls-oam", "mpls static": "config-mpls-static",
        "segment-routing": "config-sr", "grpc": "config-grpc",
        "telemetry model-driven": "config-model-driven",
        "bfd": "config-bfd", "l2vpn": "config-l2vpn", "evpn": "config-evpn", "control-plane": "config-ctrl",
        "key chain *": "config-kc", "class-map * *": "config-cmap", "class-map *": "config-cmap",
        "policy-map * *": "config-pmap", "policy-map *": "config-pmap", "tpa": "config-tpa",
        "ipv4 access-list *": "config-ipv4-acl", "ipv6 access-list *": "config-ipv6-acl",
        "multicast-routing": "config-mcast", "explicit-path name *": "config-explicit-path",
        "ptp": "config-ptp", "frequency synchronization": "config-frequency", "vty-pool *": "config-vty-pool",
        "srlg": "config-srlg", "track *": "config-track", "sampler-map *": "config-sampler",
        "flow exporter-map *": "config-flow-exporter", "flow monitor-map *": "config-flow-monitor",
        "ipsla": "config-ipsla", "performance-mgmt": "config-performance-mgmt",
        "event manager": "config-event-manager", "lpts": "config-lpts", "dhcp ipv4": "config-dhcpv4",
        "dhcp ipv6": "config-dhcpv6", "pce": "config-pce", "xtc": "config-xtc",
        "ethernet cfm": "config-ethernet", "hw-module": "config-hw-module",
    },
    "hostname,domain,logging,service,ssh,telnet,snmp-server,clock,banner,cdp,ipv4,ipv6,aaa,tacacs-server,"
    "radius-server,tftp,ftp,http,xml,alias,fpd,cef,license,crypto,errdisable,arp,mpls,netconf,icmp,tcp,"
    "udp,ethernet,flow,monitor-session,nsr,statistics,hw-module,exception,cli,tty,environment,macsec,lacp,"
    "rcc,event,dhcp,frequency,smart-license,watchdog,ipsec,keychain,controller,redundancy,configuration,"
    "openconfig,interface-range,install,linux,cinetd,l2tp,pseudowire-class,generic-interface-list,lmp,nv",
)

# Leaves with one value: a new one replaces the old one (``description``, ``remote-as`` ...). Keys are
# word prefixes; ``*`` is any mode. ``net`` is not here: IS-IS takes up to three NETs.
_SINGLE_ANY = (
    "description|mtu|hostname|router-id|is-type|update-source|cost|metric|remote-as|local-as|"
    "bgp router-id|domain name|snmp-server location|snmp-server contact|exec-timeout|secret|password|"
    "load-interval|encapsulation|priority|hello-interval|dead-interval|retransmit-interval|"
    "transmit-delay|bfd minimum-interval|bfd multiplier|maximum-paths ibgp|maximum-paths ebgp|"
    "maximum-paths eibgp|maximum-paths|metric-style|circuit-type|bgp cluster-id|vrf|carrier-delay|"
    "clock timezone|logging buffered|rd|auto-cost reference-bandwidth|timers bgp|ebgp-multihop|"
    "use neighbor-group|use session-group|lsp-mtu|max-lsp-lifetime|lsp-refresh-interval|speed|"
    "duplex|mac-address|session-timeout|bandwidth|default-metric|distance"
)
SINGLE: dict[str, frozenset[tuple[str, ...]]] = {
    "*": frozenset(_p(x) for x in _SINGLE_ANY.split("|")),
    # ``network point-to-point`` is the OSPF network type; BGP ``network`` lines are many
    "config-ospf": frozenset({("network",)}),
    "config-ospf-ar": frozenset({("network",)}),
    "config-ospf-ar-if": frozenset({("network",)}),
    "config-ospf-vrf": frozenset({("network",)}),
    "config-ospf-vrf-ar": frozenset({("network",)}),
    "config-ospf-vrf-ar-if": frozenset({("network",)}),
}
# ``mtu`` etc. are single values but ``vrf`` in config-static is a sub-mode (blocks are never SINGLE)


def _word_match(pat: str, word: str) -> bool:
    if pat == "*":
        return True
    if pat == "<prefix>":
        return bool(_PREFIX.match(word))
    if "|" in pat:
        return word.lower() in pat.split("|")
    return pat == word.lower()


def opener(mode: str, words: tuple[str, ...]) -> str | None:
    """The sub-mode ``words`` opens from ``mode``, or None."""
    m = MODES.get(mode)
    if m is None:
        return None
    for pat, child in m.openers:
        if len(pat) == len(words) and all(_word_match(p, w) for p, w in zip(pat, words, strict=True)):
            return child
    return None


def leaf_ok(mode: str, words: tuple[str, ...]) -> bool | None:
    """True: a known leaf of ``mode``; False: not one; None: the mode is permissive."""
    m = MODES.get(mode)
    if m is None or m.leaves is None:
        return None
    if words[0] == "route-policy" and (len(words) < 3 or words[-1] not in ("in", "out")):
        return False  # an attach point takes `route-policy NAME in|out`; a bare name is the global block
    for pat in m.leaves:
        if len(words) >= len(pat) and all(_word_match(p, w) for p, w in zip(pat, words, strict=False)):
            return True
    return False


def raw_end(mode: str) -> str:
    m = MODES.get(mode)
    return m.raw_end if m else ""


def single_key(mode: str, words: tuple[str, ...]) -> tuple[str, ...] | None:
    """The identity of a one-value leaf (lines with the same key replace each other), or None."""
    if not words:
        return None
    if words[0] == "route-policy" and len(words) >= 3 and words[-1] in ("in", "out"):
        return ("route-policy", words[-1])  # one import and one export policy per neighbor/AF
    if words[:2] in (("ipv4", "address"), ("ipv6", "address")):
        # the primary IPv4 address is one; secondaries and IPv6 addresses are many
        return ("ipv4", "address") if words[0] == "ipv4" and "secondary" not in words else None
    keys = SINGLE["*"] | SINGLE.get(mode, frozenset())
    for n in (3, 2, 1):
        if len(words) > n and words[:n] in keys:
            return words[:n]
    return None


def end_keyword(line: str) -> str:
    """``end-policy`` / ``end-set`` / ``end-global`` for a raw-body block line."""
    w = line.split()[0] if line.split() else ""
    if w == "route-policy":
        return "end-policy"
    if w == "policy-global":
        return "end-global"
    return "end-set"


# interface name abbreviations XR expands (``int gi0/0/0/0``)
_IFNAMES = (
    ("gigabitethernet", "GigabitEthernet"), ("gi", "GigabitEthernet"), ("g", "GigabitEthernet"),
    ("tengige", "TenGigE"), ("te", "TenGigE"), ("hundredgige", "HundredGigE"), ("hu", "HundredGigE"),
    ("fortygige", "FortyGigE"), ("fo", "FortyGigE"), ("twentyfivegige", "TwentyFiveGigE"),
    ("tf", "TwentyFiveGigE"), ("fourhundredgige", "FourHundredGigE"), ("foh", "FourHundredGigE"),
    ("loopback", "Loopback"), ("lo", "Loopback"), ("mgmteth", "MgmtEth"), ("mg", "MgmtEth"),
    ("bundle-ether", "Bundle-Ether"), ("be", "Bundle-Ether"), ("null", "Null"), ("nu", "Null"),
    ("tunnel-te", "tunnel-te"), ("tunnel-ip", "tunnel-ip"), ("bvi", "BVI"), ("ptp", "PTP"),
)
_IFRE = re.compile(r"^([A-Za-z-]+?)(\d.*)$")


def canon_ifname(name: str) -> str:
    m = _IFRE.match(name)
    if not m:
        return name
    kind = m.group(1).lower()
    for short, full in _IFNAMES:
        if kind == short or (len(kind) >= 2 and full.lower().startswith(kind) and kind == full.lower()):
            return full + m.group(2)
    return name


@dataclass
class Resolution:
    depth: int              # how many modes of the current path to keep (0 = global config)
    mode: str | None = None  # the sub-mode the line opens, or None for a leaf
    words: tuple[str, ...] = field(default_factory=tuple)


def known_mode(name: str) -> bool:
    return name in MODES


# every first word XR takes in global configuration
TOP_LEVEL: frozenset[str] = frozenset(
    {p[0] for p, _ in MODES["config"].openers} | {p[0] for p in MODES["config"].leaves or ()})
