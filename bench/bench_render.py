"""Rendering benchmark: inventory/dc-large (64 devices), a synthetic 1,000-device Clos, and
inventory/backbone for the platforms the Clos fabrics do not use.

    python bench/bench_render.py [--repeat 3]

Prints, per fabric and platform, the warm per-device render time (stage 2,
best of --repeat runs, after one warm-up pass that compiles the templates)
next to the config size in lines, plus stage 1 (build_structured) and the
design expansion. Figures only: nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fabric.design import load_fabric  # noqa: E402
from fabric.render import render_device  # noqa: E402
from fabric.structured import build_structured  # noqa: E402


def synthetic_fabric(directory: Path, spines: int = 16, leaves: int = 984) -> Path:
    """A 1,000-device eBGP Clos: /16 pools, offsets moved apart via `roles:`, wide leaf ASN range."""
    platforms = ("eos", "frr")
    data = {
        "name": "synthetic-1k",
        "design": "clos",
        "underlay": "ebgp",
        "pools": {"loopback": "10.200.0.0/16", "p2p": "10.0.0.0/16", "mgmt": "172.16.0.0/16"},
        # Spines first, leaves from .256 on: both pools hold 1,000+ nodes without overlap.
        "roles": {"spine": {"loopback": 16, "mgmt": 16}, "leaf": {"loopback": 256, "mgmt": 256}},
        "max_spines": spines,
        "max_leaves_per_spine": leaves,
        "asn": {"spine": 65000, "leaf_range": f"4200000001-{4200000000 + leaves}"},
        "nodes": {
            "spines": [{"name": f"spine{i}", "id": i, "platform": "eos"} for i in range(1, spines + 1)],
            "leaves": [
                {"name": f"leaf{i}", "id": i, "platform": platforms[i % len(platforms)]}
                for i in range(1, leaves + 1)
            ],
        },
    }
    path = directory / "fabric.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def bench(label: str, path: Path, repeat: int) -> None:
    t0 = time.perf_counter()
    fabric = load_fabric(path)
    t1 = time.perf_counter()
    structured = build_structured(fabric)
    t2 = time.perf_counter()
    texts = {h: render_device(sc) for h, sc in structured.items()}  # warm-up: compiles templates
    best: dict[str, float] = {h: float("inf") for h in structured}
    for _ in range(repeat):
        for h, sc in structured.items():
            s = time.perf_counter()
            render_device(sc)
            best[h] = min(best[h], time.perf_counter() - s)
    by_platform: dict[tuple[str, str], list[str]] = defaultdict(list)
    for h, sc in structured.items():
        by_platform[(sc.system.platform, sc.system.role)].append(h)
    n = len(structured)
    print(
        f"\n{label}: {n} devices  design {1000 * (t1 - t0):.0f} ms  "
        f"structured {1000 * (t2 - t1):.0f} ms ({1000 * (t2 - t1) / n:.3f} ms/device)"
    )
    print(
        f"  {'platform':<9}{'role':<7}{'devices':>8}{'ms/device':>11}{'p95 ms':>9}{'lines':>8}{'µs/line':>9}"
    )
    for (plat, role), hosts in sorted(by_platform.items()):
        ms = [1000 * best[h] for h in hosts]
        lines = [texts[h].count("\n") for h in hosts]
        p95 = sorted(ms)[max(0, int(len(ms) * 0.95) - 1)]
        mean_ms, mean_lines = statistics.mean(ms), statistics.mean(lines)
        print(
            f"  {plat:<9}{role:<7}{len(hosts):>8}{mean_ms:>11.3f}{p95:>9.3f}{mean_lines:>8.0f}"
            f"{1000 * mean_ms / mean_lines:>9.2f}"
        )
    total = sum(best.values())
    print(f"  all: {1000 * total / n:.3f} ms/device warm, {total:.2f} s for the fabric")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    bench("dc-large", ROOT / "inventory" / "dc-large", args.repeat)
    bench("backbone (iosxr, junos, sros, srlinux figures)", ROOT / "inventory" / "backbone", args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        bench("synthetic-1k (16 spines x 984 leaves)", synthetic_fabric(Path(tmp)), args.repeat)


if __name__ == "__main__":
    main()
