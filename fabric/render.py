"""Stage 2 of rendering: StructuredConfig -> configuration text, through Jinja2 templates.

One template tree per platform (``templates/<platform>/main.j2`` including one
file per feature). Templates hold syntax only; every decision was taken in
:mod:`fabric.structured`. A single :class:`jinja2.Environment` is built once per
process and its compiled templates are reused (rendering is on the hot path of
compliance checks over big fabrics).

Usage::

    render_fabric(load_fabric("inventory/dc1"))          # {host: text}
    render_device(structured)                              # one device
    nornir.run(task=render_task)                           # hosts carry data["intent"]
    python -m fabric.render --regen-golden                 # rewrite tests/render/golden
"""

from __future__ import annotations

import ipaddress
import re
import sys
import threading
import traceback
from functools import lru_cache
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import jinja2
from pydantic import ValidationError

from fabric.errors import FabricError
from fabric.model import DeviceIntent, Fabric
from fabric.platforms import PLATFORMS
from fabric.resources import templates_dir
from fabric.structured import (
    FabricFacts,
    StructuredConfig,
    build_device,
    build_structured,
    fabric_facts,
    facts_from_intents,
)
from fabric.vendors import get as get_vendor

if TYPE_CHECKING:
    from nornir.core.task import Result, Task

TEMPLATES = templates_dir()
GOLDEN_FABRICS = ("dc1", "backbone")

# Bytes the NOS counts in its interface MTU on top of the IP MTU (Ethernet header), for NOSes whose
# interface/port MTU is the L2 MTU (IOS-XR, Junos physical, SR OS port). EOS/FRR/SR Linux ip-mtu are L3.
L2_OVERHEAD = 14
_FACTS_LOCK = threading.Lock()  # Nornir's threaded runner renders hosts concurrently


# ---------------------------------------------------------------- filters (pure formatting helpers)


def _ip(cidr: str) -> str:
    return cidr.split("/")[0]


def _plen(cidr: str) -> int:
    return int(cidr.split("/")[1])


def _netmask(cidr: str) -> str:
    return str(ipaddress.IPv4Interface(cidr).netmask)


def _l2_mtu(mtu: int) -> int:
    return mtu + L2_OVERHEAD


def _quote(s: str) -> str:
    """Always double-quoted, as SR OS MD-CLI prints strings."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _quote_if_needed(s: str) -> str:
    """Quoted only when it has to be, as Junos and SR Linux print strings."""
    return _quote(s) if not s or re.search(r"[\s;{}\[\]\"#'|]", s) else s


def _sid(text: str) -> str:
    """Name usable as an identifier (SR OS interface names): 'to p2 Ethernet1' -> 'to-p2-Ethernet1'."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The process-wide Environment: built once, compiled templates cached inside (cache_size=-1)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        cache_size=-1,
        auto_reload=False,  # templates do not change under a running process; skips a stat() per render
    )
    env.filters.update(
        ip=_ip, plen=_plen, netmask=_netmask, l2_mtu=_l2_mtu, q=_quote, qn=_quote_if_needed, sid=_sid
    )
    return env


# ---------------------------------------------------------------- errors


def _template_frame(tb: TracebackType | None) -> tuple[str | None, int | None]:
    """Innermost template file and line of a traceback (Jinja rewrites frames to template lines)."""
    found: tuple[str | None, int | None] = (None, None)
    for frame, lineno in traceback.walk_tb(tb):
        fname = frame.f_code.co_filename
        if fname.endswith(".j2"):
            found = (fname, lineno)
    return found


def _relative(path: str | None) -> str | None:
    if path is None:
        return None
    try:
        return str(Path(path).resolve().relative_to(TEMPLATES.parent))
    except ValueError:
        return path


def _template_error(host: str, platform: str, exc: Exception) -> FabricError:
    if isinstance(exc, jinja2.TemplateSyntaxError):
        file, line = exc.filename, exc.lineno
        what = f"template syntax error: {exc.message}"
    elif isinstance(exc, jinja2.TemplateNotFound):
        file, line = str(TEMPLATES / platform / "main.j2"), None
        what = f"template not found: {exc.name}"
    else:
        file, line = _template_frame(exc.__traceback__)
        kind = "undefined value" if isinstance(exc, jinja2.UndefinedError) else type(exc).__name__
        what = f"{kind}: {exc}"
    return FabricError(
        f"rendering {host} ({platform}) failed: {what}",
        file=_relative(file),
        line=line,
        fix="fix the template at that line, or the intent that feeds it (fabric/structured.py)",
    )


# ---------------------------------------------------------------- rendering


def render_device(structured: StructuredConfig) -> str:
    """Configuration text of one device, as the NOS prints its running config."""
    host, platform = structured.system.hostname, structured.system.platform
    if platform not in PLATFORMS:
        raise FabricError(f"{host}: unknown platform '{platform}'", fix=f"use one of {', '.join(PLATFORMS)}")
    try:
        template = environment().get_template(f"{platform}/main.j2")
        text = template.render(c=structured, pl={p.name: p for p in structured.prefix_lists})
    except (jinja2.TemplateError, TypeError, ValueError, AttributeError, KeyError) as exc:
        raise _template_error(host, platform, exc) from None
    if not text.strip():
        raise FabricError(
            f"rendering {host} ({platform}) produced an empty configuration",
            file=_relative(str(TEMPLATES / platform / "main.j2")),
            fix="check the includes of main.j2",
        )
    return text


def render_fabric(fabric: Fabric, hosts: list[str] | None = None) -> dict[str, str]:
    """Configuration text of every device (or ``hosts``), keyed by hostname, sorted."""
    return {host: render_device(sc) for host, sc in build_structured(fabric, hosts).items()}


# Facts of the last fabric / Nornir inventory rendered: computed once per run, not once per host
# (O(n) not O(n^2) on big fabrics). Strong refs to one object each: identity checks stay valid.
_LAST_FABRIC: list[tuple[Fabric, FabricFacts]] = []
_LAST_INVENTORY: list[tuple[Any, int, FabricFacts]] = []


def _fabric_facts(fabric: Fabric) -> FabricFacts:
    with _FACTS_LOCK:
        if not _LAST_FABRIC or _LAST_FABRIC[0][0] is not fabric:
            _LAST_FABRIC[:] = [(fabric, fabric_facts(fabric))]
        return _LAST_FABRIC[0][1]


def _inventory_facts(task: Task, intent: DeviceIntent) -> FabricFacts:
    """Fabric-wide facts from every host of the task's inventory that carries an intent."""
    inv = getattr(getattr(task, "nornir", None), "inventory", None)
    pools = task.host.get("pools")  # host/group/default data: lets the inventory carry Fabric.pools
    if inv is None:
        return facts_from_intents([intent], pools)
    with _FACTS_LOCK:
        if _LAST_INVENTORY and _LAST_INVENTORY[0][0] is inv and _LAST_INVENTORY[0][1] == len(inv.hosts):
            return _LAST_INVENTORY[0][2]
        intents = []
        for h in inv.hosts.values():
            raw = h.data.get("intent")
            if raw is not None:
                intents.append(raw if isinstance(raw, DeviceIntent) else DeviceIntent.model_validate(raw))
        facts = facts_from_intents(intents or [intent], pools)
        _LAST_INVENTORY[:] = [(inv, len(inv.hosts), facts)]
    return facts


def render_task(task: Task, fabric: Fabric | None = None, set_form: bool = False) -> Result:
    """Nornir task: render ``task.host`` from ``host.data["intent"]`` (DeviceIntent as JSON).

    Fabric-wide facts come from ``fabric`` when given (exact golden text), else from every host of
    the inventory that carries an intent, with the pools from ``host.get("pools")`` if the inventory
    holds them (``Fabric.pools``); without pools the prefix filters list each loopback/link exactly.
    The text is also stored in ``host.data["config"]``.  ``set_form``: the platform's set-command form
    where it has one (Junos ``| display set``).
    """
    from nornir.core.task import Result

    host = task.host
    if fabric is not None and host.name in fabric.devices:
        sc = build_device(fabric.devices[host.name], _fabric_facts(fabric))
    else:
        raw = host.data.get("intent") if hasattr(host, "data") else None
        if raw is None:
            raise FabricError(
                f"{host.name}: host has no data['intent']",
                fix="build the inventory with fabric.inventory (hosts carry the device intent)",
            )
        try:
            intent = raw if isinstance(raw, DeviceIntent) else DeviceIntent.model_validate(raw)
        except ValidationError as exc:
            raise FabricError(
                f"{host.name}: data['intent'] is not a valid DeviceIntent: {exc.errors()[0]}"
            ) from None
        sc = build_device(intent, _inventory_facts(task, intent))
    text = render_device(sc)
    if set_form and (to_set := get_vendor(sc.system.platform).load("set_form")) is not None:
        text = to_set(text)
    host.data["config"] = text
    return Result(host=host, result=text)


# ---------------------------------------------------------------- golden files


def golden_dir() -> Path:
    return TEMPLATES.parent / "tests" / "render" / "golden"


def regen_golden(root: Path | None = None) -> list[Path]:
    """Rewrite tests/render/golden/<fabric>/<host>.cfg (+ <host>.set where the platform has a set form)."""
    from fabric.design import load_fabric

    base = TEMPLATES.parent
    out = root or golden_dir()
    written: list[Path] = []
    for name in GOLDEN_FABRICS:
        fabric = load_fabric(base / "inventory" / name)
        d = out / name
        d.mkdir(parents=True, exist_ok=True)
        for stale in d.glob("*"):
            stale.unlink()
        for host, text in render_fabric(fabric).items():
            (d / f"{host}.cfg").write_text(text)
            written.append(d / f"{host}.cfg")
            if (to_set := get_vendor(fabric.devices[host].platform).load("set_form")) is not None:
                (d / f"{host}.set").write_text(to_set(text))
                written.append(d / f"{host}.set")
    return written


def _main(argv: list[str]) -> int:
    if argv == ["--regen-golden"]:
        for p in regen_golden():
            print(p.relative_to(TEMPLATES.parent))
        return 0
    print("usage: python -m fabric.render --regen-golden", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
