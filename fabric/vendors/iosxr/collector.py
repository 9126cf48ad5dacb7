"""IOS-XR state collection: NETCONF ``<get>`` with Cisco-IOS-XR ``*-oper`` subtree filters.

The requests go over the NAPALM ``iosxr_netconf`` connection's ncclient session (``dev.device``).
NAPALM's own filters are used where it has them (facts, interfaces, addresses, LLDP, BGP), so the
collector asks the device exactly what NAPALM's getters ask; NAPALM's getters themselves reduce BGP to
is_up, report the L2 MTU, zip interface lists by position and have no IGPs, so the replies are
normalised here (normalise.py). IS-IS, OSPF and the RIB summary come from the clns-isis, ipv4-ospf and
ip-rib-ipv4 oper models (paths from the Cisco-IOS-XR YANG models, vendor/cisco/xr/2411).

``gate_facts`` serves the rollout driver (fabric/vendors/iosxr/driver.py): the same models over its own
short ncclient session.
"""

from __future__ import annotations

import contextlib
from typing import Any

from fabric.credentials import mask
from fabric.state.collect import NapalmCollector, _reason
from fabric.state.model import DeviceState
from fabric.vendors.iosxr import normalise

NETCONF_PORT = 830

# IS-IS adjacencies per level (``show isis adjacency``) and the dynamic host-name table, every instance.
ISIS_ADJ_FILTER = """
<isis xmlns="http://cisco.com/ns/yang/Cisco-IOS-XR-clns-isis-oper">
  <instances>
    <instance>
      <instance-name/>
      <host-names/>
      <neighbors/>
      <levels>
        <level>
          <level/>
          <adjacencies/>
        </level>
      </levels>
    </instance>
  </instances>
</isis>"""

# OSPFv2 neighbors with their area (``show ospf neighbor detail``; else ``neighbors``, which devices and the
# twin without the detail table answer) and the router ID, every process and VRF.
OSPF_NBR_FILTER = """
<ospf xmlns="http://cisco.com/ns/yang/Cisco-IOS-XR-ipv4-ospf-oper">
  <processes>
    <process>
      <process-name/>
      <default-vrf>
        <process-information>
          <process-summary>
            <router-id/>
          </process-summary>
        </process-information>
        <adjacency-information>
          <neighbor-details/>
          <neighbors/>
        </adjacency-information>
      </default-vrf>
      <vrfs>
        <vrf>
          <vrf-name/>
          <adjacency-information>
            <neighbor-details/>
            <neighbors/>
          </adjacency-information>
        </vrf>
      </vrfs>
    </process>
  </processes>
</ospf>"""

# Per-protocol route counts of the default VRF's IPv4 unicast table (``show route summary``): only the
# protocols' ``information`` (counts), not their routes.
_RIB_PROTOCOLS = {"connected": "non-as", "local": "non-as", "static": "non-as",
                  "bgp": "as", "isis": "as", "ospf": "as"}
RIB_SUMMARY_FILTER = """
<rib xmlns="http://cisco.com/ns/yang/Cisco-IOS-XR-ip-rib-ipv4-oper">
  <vrfs>
    <vrf>
      <vrf-name>default</vrf-name>
      <afs>
        <af>
          <af-name>IPv4</af-name>
          <safs>
            <saf>
              <saf-name>Unicast</saf-name>
              <ip-rib-route-table-names>
                <ip-rib-route-table-name>
                  <route-table-name>default</route-table-name>
                  <protocol>
{protocols}
                  </protocol>
                </ip-rib-route-table-name>
              </ip-rib-route-table-names>
            </saf>
          </safs>
        </af>
      </afs>
    </vrf>
  </vrfs>
</rib>""".format(protocols="\n".join(
    f"                    <{p}><{k}><information/></{k}></{p}>" for p, k in _RIB_PROTOCOLS.items()))


def _napalm_constants() -> Any:
    from napalm.iosxr_netconf import constants

    return constants


def get_xml(mgr: Any, subtree: str) -> Any:
    """``<get>`` with a subtree filter on an ncclient manager -> the reply's lxml root."""
    return normalise._root(mgr.get(filter=("subtree", subtree)).xml)  # noqa: SLF001 - same package


def dispatch_xml(mgr: Any, rpc: str) -> Any:
    """A whole RPC (NAPALM's FACTS_RPC_REQ / INT_IPV4_IPV6_RPC_REQ are complete ``<get>`` requests)."""
    from ncclient.xml_ import to_ele

    return normalise._root(mgr.dispatch(to_ele(rpc)).xml)  # noqa: SLF001 - same package


class IosxrCollector(NapalmCollector):
    def collect(self, state: DeviceState) -> None:
        self.dev = self.connection("napalm")
        c = _napalm_constants()

        def facts() -> None:
            state.facts = normalise.facts(dispatch_xml(self.mgr, c.FACTS_RPC_REQ))

        def interfaces() -> None:
            try:
                ips = dispatch_xml(self.mgr, c.INT_IPV4_IPV6_RPC_REQ)
            except Exception as exc:  # noqa: BLE001 - admin/oper/MTU are still worth checking
                ips = None
                state.errors["addresses"] = _reason(exc, self.host)
            state.interfaces = normalise.interfaces(self.get(c.INT_RPC_REQ_FILTER), ips)

        def lldp() -> None:
            state.lldp = normalise.lldp(self.get(c.LLDP_RPC_REQ_FILTER))

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
        """The ncclient manager of NAPALM's iosxr_netconf driver."""
        return self.dev.device

    def get(self, subtree: str) -> Any:
        return get_xml(self.mgr, subtree)

    def bgp_native(self, state: DeviceState) -> bool:
        state.bgp, state.bgp_router_id = normalise.bgp(self.get(_napalm_constants().BGP_NEIGHBOR_REQ_FILTER))
        return True

    def ospf(self, state: DeviceState) -> None:
        if self.wants("ospf"):
            state.ospf, state.ospf_router_id = normalise.ospf(self.get(OSPF_NBR_FILTER))

    def isis(self, state: DeviceState) -> None:
        if self.wants("isis"):
            state.isis = normalise.isis(self.get(ISIS_ADJ_FILTER))


# ---- rollout gate facts -----------------------------------------------------------------------
def netconf_session(target: Any, port: int | None = None) -> Any:
    """An ncclient session to the device's NETCONF server (``port``, else the target's ``netconf_port``
    when it has one, else 830; ``target.port`` is the CLI's SSH port for the IOS-XR driver)."""
    from ncclient import manager

    from fabric.netconf import tune
    from fabric.rollout.drivers import DriverError

    tune()
    try:
        return manager.connect(
            host=target.address,
            port=port or getattr(target, "netconf_port", 0) or NETCONF_PORT,
            username=target.username,
            password=target.password,
            hostkey_verify=False,
            allow_agent=False,
            look_for_keys=False,
            timeout=30,
            device_params={"name": "iosxr"},
        )
    except Exception as exc:
        raise DriverError(f"{target.name}: NETCONF connect failed: {exc.__class__.__name__}",
                          unreachable=True) from None


def gate_facts(target: Any, port: int | None = None, mgr: Any = None) -> dict[str, Any]:
    """Driver.facts() for IOS-XR (see fabric/rollout/drivers.py): BGP, interfaces, the RIB's active route
    count, IS-IS and OSPF adjacency counts, read over NETCONF.

    ``mgr``: the driver's own session, kept for every read of one rollout step (a new SSH handshake
    per gate poll cost more CPU than the reads); without one, a session is opened and closed here
    (:func:`netconf_session` for the port). ``isis``/``ospf`` are left out when the device runs no
    such instance/process."""
    from ncclient.operations import RPCError, TimeoutExpiredError
    from ncclient.transport import TransportError

    from fabric.rollout.drivers import DriverError

    c = _napalm_constants()
    own = mgr is None
    if own:
        mgr = netconf_session(target, port)
    try:
        sessions, _ = normalise.bgp(get_xml(mgr, c.BGP_NEIGHBOR_REQ_FILTER))
        oper, detail = normalise.interface_detail(get_xml(mgr, c.INT_RPC_REQ_FILTER))
        peers = normalise.bgp_peers(sessions)
        facts: dict[str, Any] = {
            "bgp": {ip: p["up"] for ip, p in peers.items()},
            "bgp_peers": peers,
            "routes": normalise.route_count(get_xml(mgr, RIB_SUMMARY_FILTER)),
            "interfaces": oper,
            "interface_detail": detail,
        }
        for key, subtree, count in (("isis", ISIS_ADJ_FILTER, normalise.isis_counts),
                                    ("ospf", OSPF_NBR_FILTER, normalise.ospf_counts)):
            try:
                got = count(get_xml(mgr, subtree))
            except RPCError:  # a device without that oper model loaded: the protocol is not in use
                continue
            if got is not None:
                facts[key] = got
        return facts
    except (TransportError, TimeoutExpiredError) as exc:  # the session dropped or timed out mid-read
        raise DriverError(f"{target.name}: gate facts: NETCONF session lost: {exc.__class__.__name__}",
                          unreachable=True) from None
    except RPCError as exc:
        msg = mask(str(exc), [target.password or ""])[:300]
        raise DriverError(f"{target.name}: gate facts: rpc-error: {msg}") from None
    finally:
        if own:
            with contextlib.suppress(Exception):  # the session may be gone already: nothing left to close
                mgr.close_session()
