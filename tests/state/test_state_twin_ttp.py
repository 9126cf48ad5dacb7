"""TTP templates and JSON normalisers on the EOS twin's own renderings of OSPF/IS-IS neighbors.

The twin renders EOS text from the eAPI JSON model; feeding one model through both paths
(JSON normaliser, and twin text -> TTP) must give the same normalised state.
"""

from __future__ import annotations

import time

from fabric.vendors.eos import normalise as normalise_eos
from fabric.vendors.eos.twin import twin

OSPF = {
    "vrfs": {
        "default": {
            "instList": {
                "1": {
                    "ospfNeighborEntries": [
                        {
                            "routerId": "10.255.0.17",
                            "priority": 0,
                            "drState": "P2P",
                            "interfaceName": "Ethernet1",
                            "adjacencyState": "full",
                            "interfaceAddress": "10.1.0.0",
                            "inactivity": time.time() + 35,
                        },
                        {
                            "routerId": "10.255.0.18",
                            "priority": 1,
                            "drState": "DROther",
                            "interfaceName": "Ethernet2",
                            "adjacencyState": "init",
                            "interfaceAddress": "10.1.0.2",
                            "inactivity": time.time() + 31,
                        },
                    ]
                }
            }
        }
    }
}
ISIS = {
    "vrfs": {
        "default": {
            "isisInstances": {
                "FABRIC": {
                    "neighbors": {
                        "spine1": {
                            "adjacencies": [
                                {
                                    "hostname": "spine1",
                                    "interfaceName": "Ethernet1",
                                    "state": "up",
                                    "level": "level-2",
                                    "snpa": "",
                                    "details": {"holdtime": 27},
                                }
                            ]
                        },
                        "spine2": {
                            "adjacencies": [
                                {
                                    "hostname": "spine2",
                                    "interfaceName": "Ethernet2",
                                    "state": "init",
                                    "level": "level-2",
                                    "snpa": "",
                                    "details": {"holdtime": 9},
                                }
                            ]
                        },
                    }
                }
            }
        }
    }
}


def _key_ospf(ns):  # type: ignore[no-untyped-def]
    return [(n.interface, n.router_id, n.state, n.address) for n in ns]


def test_twin_ospf_text_matches_json() -> None:
    text = twin._text_ospf(OSPF)
    assert _key_ospf(normalise_eos.ospf_text(text)) == _key_ospf(normalise_eos.ospf_json(OSPF))
    assert [n.state for n in normalise_eos.ospf_text(text)] == ["Full", "Init"]


def test_twin_isis_text_matches_json() -> None:
    text = twin._text_isis(ISIS)
    from_text = [(a.interface, a.hostname, a.level, a.state) for a in normalise_eos.isis_text(text)]
    from_json = [(a.interface, a.hostname, a.level, a.state) for a in normalise_eos.isis_json(ISIS)]
    assert from_text == from_json == [("Ethernet1", "spine1", 2, "Up"), ("Ethernet2", "spine2", 2, "Init")]
