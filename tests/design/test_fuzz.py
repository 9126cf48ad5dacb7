"""Property-based: random and malformed fabric files give a clean FabricError or a valid design."""

from __future__ import annotations

import copy
import ipaddress
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fabric.design import load_fabric
from fabric.errors import FabricError

ROOT = Path(__file__).resolve().parents[2]
BASE = yaml.safe_load((ROOT / "inventory/dc1/fabric.yaml").read_text())
BACKBONE = yaml.safe_load((ROOT / "inventory/backbone/fabric.yaml").read_text())

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 70000),
    st.text(max_size=12),
    st.sampled_from(["10.0.0.0/30", "eos", "frr", "junos", "x:y", "ebgp", "isis", "1-2"]),
)
json_like = st.recursive(
    scalars,
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=8), c, max_size=3),
    max_leaves=6,
)


def _paths(obj, prefix=()):  # type: ignore[no-untyped-def]
    yield prefix
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _paths(v, prefix + (i,))


def _mutate(base, path, value):  # type: ignore[no-untyped-def]
    data = copy.deepcopy(base)
    if not path:
        return value
    cur = data
    for k in path[:-1]:
        cur = cur[k]
    cur[path[-1]] = value
    return data


def _check(tmp: Path, data: object) -> None:
    p = tmp / "fabric.yaml"
    p.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    try:
        fab = load_fabric(p)
    except FabricError as exc:
        assert exc.message and exc.file
        return
    # A valid design is internally consistent.
    for link in fab.links:
        assert ipaddress.IPv4Network(link.subnet).prefixlen == 31
    loops = [d.loopback0 for d in fab.devices.values()]
    assert len(loops) == len(set(loops))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(base=st.sampled_from([BASE, BACKBONE]), data=st.data(), value=json_like)
def test_mutated_fabric_files(tmp_path: Path, base, data, value) -> None:  # type: ignore[no-untyped-def]
    path = data.draw(st.sampled_from(list(_paths(base))))
    _check(tmp_path, _mutate(base, path, value))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=200))
def test_random_text(tmp_path: Path, text: str) -> None:
    _check(tmp_path, text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    n_spines=st.integers(1, 4),
    leaf_ids=st.lists(st.integers(1, 70), min_size=1, max_size=8, unique=True),
    platforms=st.lists(
        st.sampled_from(["eos", "iosxr", "junos", "srlinux", "sros", "frr"]), min_size=12, max_size=12
    ),
)
def test_random_valid_clos(tmp_path: Path, n_spines: int, leaf_ids: list[int], platforms: list[str]) -> None:
    data = copy.deepcopy(BASE)
    data["nodes"] = {
        "spines": [{"name": f"s{i}", "id": i, "platform": platforms[i]} for i in range(1, n_spines + 1)],
        "leaves": [{"name": f"l{i}", "id": i, "platform": platforms[i % 12]} for i in leaf_ids],
    }
    _check(tmp_path, data)
