"""Synthetic 'converged' state derived from intent, for check tests (then broken on purpose)."""

from __future__ import annotations

from fabric.model import Fabric
from fabric.platforms import PLATFORMS
from fabric.state.model import (
    BgpSession,
    DeviceState,
    FabricState,
    InterfaceState,
    IsisAdjacency,
    LldpNeighbor,
    OspfNeighbor,
    PrefixCounts,
)


def converged(fab: Fabric) -> FabricState:
    fs = FabricState(fabric=fab.name)
    for name, dev in fab.devices.items():
        st = DeviceState(host=name, platform=dev.platform, bgp_router_id=dev.router_id)
        for i in dev.interfaces:
            st.interfaces[i.name] = InterfaceState(
                name=i.name,
                admin_up=True,
                oper_up=True,
                mtu=i.mtu or 65535,
                addresses=[i.ipv4] if i.ipv4 else [],
            )
            if i.peer:
                peer = fab.devices[i.peer]
                # LLDP on Linux/FRR (and the EOS twin's lldpd) may report the Linux port name.
                idx = PLATFORMS[peer.platform].port_of(i.peer_interface or "") or 0
                rport = (
                    PLATFORMS[peer.platform].clab_port(idx) if name.startswith("leaf") else i.peer_interface
                )
                st.lldp.append(LldpNeighbor(local_port=i.name, remote_system=i.peer, remote_port=rport or ""))
                if dev.ospf:
                    st.ospf.append(
                        OspfNeighbor(
                            router_id=peer.router_id,
                            interface=i.name,
                            state="Full",
                            address=(i.peer_ipv4 or "").split("/")[0],
                            area="0.0.0.0",
                        )
                    )
                if dev.isis:
                    st.isis.append(IsisAdjacency(hostname=i.peer, interface=i.name, level=2, state="Up"))
        if dev.ospf:
            st.ospf_router_id = dev.router_id
        for n in dev.bgp.neighbors if dev.bgp else []:
            st.bgp.append(
                BgpSession(
                    peer=n.ip,
                    local_as=dev.asn,
                    peer_as=n.peer_as,
                    state="Established",
                    uptime=100.0,
                    prefixes={"ipv4-unicast": PrefixCounts(received=3, accepted=3, sent=4)},
                )
            )
        fs.devices[name] = st
    return fs
