"""SR OS state collection: NETCONF ``<get>`` with subtree filters on nokia-state (``<state>``) and, for what
only the configuration holds (admin states, descriptions, addresses, a router interface's port, a BGP
peer's group), nokia-conf (``<configure>``): SR OS answers both in one ``<get>``, as NAPALM's sros driver
asks them.

The requests go over the NAPALM ``sros`` connection's ncclient session (``dev.conn``). NAPALM's getters
reduce BGP to is_up, drop the router interface -> port binding and have no IGPs, so the collector asks
its own filters (paths from nokia-state / nokia-conf 24.10) and normalises the replies (normalise.py).

``gate_facts`` serves the rollout driver (fabric/vendors/sros/driver.py): the same filters over its own
short ncclient session.
"""

from __future__ import annotations

import contextlib
from typing import Any

from fabric.credentials import mask
from fabric.state.collect import CollectorError, NapalmCollector
from fabric.state.model import DeviceState
from fabric.vendors.sros import normalise

NETCONF_PORT = 830
STATE_NS = "urn:nokia.com:sros:ns:yang:sr:state"
CONF_NS = "urn:nokia.com:sros:ns:yang:sr:conf"


def _state(body: str) -> str:
    return f'<state xmlns="{STATE_NS}">{body}</state>'


def _conf(body: str) -> str:
    return f'<configure xmlns="{CONF_NS}">{body}</configure>'


def _base(body: str) -> str:
    """``router "Base"`` only (a content-match node on the list key)."""
    return f"<router><router-name>Base</router-name>{body}</router>"


# router interface -> port (what IS-IS/OSPF adjacencies and interfaces are named after)
_RIF_PORT = _conf(_base("<interface><interface-name/><port/></interface>"))

FACTS = [_state("<system><oper-name/><platform/><up-time/><version><version-number/></version></system>"
                "<chassis><hardware-data><serial-number/></hardware-data></chassis>")]

INTERFACES = [
    _state("<port><port-id/><oper-state/><hardware-mac-address/></port>"
           + _base("<interface><interface-name/><oper-state/><oper-ip-mtu/></interface>")
           + "<chassis><hardware-data><base-mac-address/></hardware-data></chassis>"),
    _conf("<port><port-id/><admin-state/><description/><ethernet><mtu/></ethernet></port>"
          + _base("<interface><interface-name/><admin-state/><description/><port/><ip-mtu/><mac/>"
                  "<ipv4><primary><address/><prefix-length/></primary>"
                  "<secondary><address/><prefix-length/></secondary></ipv4>"
                  "<ipv6><address><ipv6-address/><prefix-length/></address></ipv6></interface>")),
]

LLDP = [_state("<port><port-id/><ethernet><lldp><dest-mac><mac-type/><remote-system>"
               "<remote-time-mark/><remote-index/><chassis-id/><remote-port-id/><port-description/>"
               "<system-name/></remote-system></dest-mac></lldp></ethernet></port>")]

_BGP_STATS = ("<bgp><neighbor><ip-address/><statistics><peer-as/><session-state/><last-error/>"
              "<operational-local-address/><peer-identifier/><last-established-time/>"
              "<family-prefix/></statistics></neighbor></bgp>")
_BGP_CONF = ("<autonomous-system/><bgp><admin-state/><local-as><as-number/></local-as>"
             "<group><group-name/><admin-state/><description/><peer-as/><local-as><as-number/></local-as>"
             "</group><neighbor><ip-address/><group/><admin-state/><description/><peer-as/>"
             "<local-as><as-number/></local-as></neighbor></bgp>")
BGP = [
    _state(_base("<oper-router-id/>" + _BGP_STATS)
           + "<service><vprn><service-name/><oper-router-id/>" + _BGP_STATS + "</vprn></service>"),
    _conf(_base(_BGP_CONF) + "<service><vprn><service-name/>" + _BGP_CONF + "</vprn></service>"),
]

ISIS = [_state(_base("<isis><isis-instance/><hostname/><interface><interface-name/><adjacency/>"
                     "</interface></isis>")), _RIF_PORT]

OSPF = [_state(_base("<ospf><ospf-instance/><oper-router-id/><area><area-id/><interface><interface-name/>"
                     "<neighbor-state/></interface></area></ospf>")), _RIF_PORT]

ROUTES = [_state(_base("<route-table><unicast><ipv4><statistics/></ipv4></unicast></route-table>"))]


def get_xml(mgr: Any, subtree: list[str]) -> Any:
    """``<get>`` with a subtree filter of one or more roots on an ncclient manager -> the reply's root."""
    flt = ("subtree", subtree[0]) if len(subtree) == 1 else subtree
    return reply_root(mgr.get(filter=flt))


def reply_root(reply: Any) -> Any:
    """The lxml root of an ncclient reply: a GetReply (default device handler, NAPALM's session) or the
    NCElement the ``sros`` device handler returns; both have ``data_xml``."""
    return normalise._root(reply.data_xml)  # noqa: SLF001 - same package


class SrosCollector(NapalmCollector):
    def collect(self, state: DeviceState) -> None:
        self.dev = self.connection("napalm")
        if getattr(self.dev, "conn", None) is None:  # napalm-sros's open() logs a failure and carries on
            raise CollectorError("NETCONF connection to the device failed (napalm sros open)")

        def facts() -> None:
            state.facts = normalise.facts(self.get(FACTS))

        def interfaces() -> None:
            state.interfaces = normalise.interfaces(self.get(INTERFACES))

        def lldp() -> None:
            state.lldp = normalise.lldp(self.get(LLDP))

        def bgp() -> None:
            self.bgp_native(state)

        self.section(state, "facts", facts)
        self.section(state, "interfaces", interfaces)
        self.section(state, "lldp", lldp)
        self.section(state, "bgp", bgp)
        self.section(state, "ospf", lambda: self.ospf(state))
        self.section(state, "isis", lambda: self.isis(state))

    @property
    def mgr(self) -> Any:
        """The ncclient manager of NAPALM's sros driver."""
        return self.dev.conn

    def get(self, subtree: list[str]) -> Any:
        return get_xml(self.mgr, subtree)

    def bgp_native(self, state: DeviceState) -> bool:
        state.bgp, state.bgp_router_id = normalise.bgp(self.get(BGP))
        return True

    def ospf(self, state: DeviceState) -> None:
        if self.wants("ospf"):
            state.ospf, state.ospf_router_id = normalise.ospf(self.get(OSPF))

    def isis(self, state: DeviceState) -> None:
        if self.wants("isis"):
            state.isis = normalise.isis(self.get(ISIS))


# ---- rollout gate facts -----------------------------------------------------------------------
def connect(target: Any, port: int | None = None) -> Any:
    """An ncclient session to an SR OS target (device handler ``sros``); DriverError(unreachable) if not.

    The NETCONF port: ``port``, else the target's port (the SR OS driver's management protocol is
    NETCONF), else 830."""
    from ncclient import manager

    from fabric.netconf import tune
    from fabric.rollout.drivers import DriverError

    tune()
    try:
        return manager.connect(host=target.address, port=port or target.port or NETCONF_PORT,
                               username=target.username, password=target.password, hostkey_verify=False,
                               allow_agent=False, look_for_keys=False, timeout=30,
                               device_params={"name": "sros"})
    except Exception as exc:
        raise DriverError(f"{target.name}: NETCONF connect failed: {exc.__class__.__name__}",
                          unreachable=True) from None


def gate_facts(target: Any, mgr: Any = None) -> dict[str, Any]:
    """Driver.facts() for SR OS (see fabric/rollout/drivers.py): BGP, interfaces, router Base's active
    IPv4 route count, IS-IS and OSPF adjacency counts, read over NETCONF (``mgr``, else a new session).
    ``isis``/``ospf`` are left out when router Base runs no such instance."""
    from ncclient.operations import RPCError, TimeoutExpiredError
    from ncclient.transport import TransportError

    from fabric.rollout.drivers import DriverError

    own = mgr is None
    mgr = connect(target) if own else mgr
    try:
        sessions, _ = normalise.bgp(get_xml(mgr, BGP))
        oper, detail = normalise.interface_detail(get_xml(mgr, INTERFACES))
        peers = normalise.bgp_peers(sessions)
        facts: dict[str, Any] = {
            "bgp": {ip: p["up"] for ip, p in peers.items()},
            "bgp_peers": peers,
            "routes": normalise.route_count(get_xml(mgr, ROUTES)),
            "interfaces": oper,
            "interface_detail": detail,
        }
        for key, subtree, count in (("isis", ISIS, normalise.isis_counts),
                                    ("ospf", OSPF, normalise.ospf_counts)):
            got = count(get_xml(mgr, subtree))
            if got is not None:
                facts[key] = got
        return facts
    except (TransportError, TimeoutExpiredError) as exc:
        raise DriverError(f"{target.name}: gate facts: NETCONF session lost: {exc.__class__.__name__}",
                          unreachable=True) from None
    except RPCError as exc:
        msg = mask(str(exc), [target.password or ""])[:300]
        raise DriverError(f"{target.name}: gate facts: rpc-error: {msg}") from None
    finally:
        if own:
            with contextlib.suppress(Exception):  # the session may be gone already
                mgr.close_session()
