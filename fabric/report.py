"""Writers for check results: rich table, JSON, JUnit XML, markdown."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from fabric.checks import CheckResult, summary

FORMATS = ("table", "json", "junit", "markdown")
_STYLE = {"pass": "green", "fail": "bold red", "error": "magenta", "skip": "yellow"}


def _fmt(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, dict):
        return ", ".join(f"{k}={_fmt(x)}" for k, x in v.items() if x is not None)
    if isinstance(v, list):
        return ", ".join(_fmt(x) for x in v)
    return str(v)


def by_device(results: Iterable[CheckResult]) -> dict[str, list[CheckResult]]:
    out: dict[str, list[CheckResult]] = defaultdict(list)
    for r in results:
        out[r.device].append(r)
    return dict(sorted(out.items()))


def summary_line(results: list[CheckResult], extra: str = "") -> str:
    s = summary(results)
    devices = len({r.device for r in results})
    line = (
        f"{len(results)} checks on {devices} devices: {s['pass']} passed, {s['fail']} failed, "
        f"{s['error']} errors, {s['skip']} skipped"
    )
    return line + (f" ({extra})" if extra else "")


def table(
    results: list[CheckResult], *, console: Any = None, only_problems: bool = False, extra: str = ""
) -> None:
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    t = Table(show_lines=False, header_style="bold")
    for col in ("device", "check", "item", "status", "expected", "actual", "reason"):
        t.add_column(col, overflow="fold")
    for dev, rows in by_device(results).items():
        shown = [r for r in rows if not only_problems or r.status in ("fail", "error")]
        for i, r in enumerate(shown):
            t.add_row(
                dev if i == 0 else "",
                r.check,
                r.item,
                f"[{_STYLE[r.status]}]{r.status}[/]",
                _fmt(r.expected),
                _fmt(r.actual),
                r.reason,
                end_section=i == len(shown) - 1,
            )
    console.print(t)
    s = summary(results)
    style = "bold green" if s["fail"] == 0 and s["error"] == 0 else "bold red"
    console.print(f"[{style}]{summary_line(results, extra)}[/]")


def to_json(results: list[CheckResult], meta: dict[str, Any] | None = None) -> str:
    doc = {
        "summary": summary(results),
        **(meta or {}),
        "results": [r.model_dump(mode="json") for r in results],
    }
    return json.dumps(doc, indent=2, default=str)


def to_junit(results: list[CheckResult], name: str = "netfabric") -> str:
    """JUnit XML: one testsuite per device, one testcase per checked item."""
    root = ET.Element("testsuites", name=name)
    s = summary(results)
    root.set("tests", str(len(results)))
    root.set("failures", str(s["fail"]))
    root.set("errors", str(s["error"]))
    root.set("skipped", str(s["skip"]))
    for dev, rows in by_device(results).items():
        ds = summary(rows)
        suite = ET.SubElement(
            root,
            "testsuite",
            name=dev,
            tests=str(len(rows)),
            failures=str(ds["fail"]),
            errors=str(ds["error"]),
            skipped=str(ds["skip"]),
        )
        for r in rows:
            case = ET.SubElement(suite, "testcase", classname=f"{dev}.{r.check}", name=r.id)
            detail = f"expected: {_fmt(r.expected)}\nactual: {_fmt(r.actual)}"
            if r.status == "fail":
                ET.SubElement(case, "failure", message=r.reason or "failed").text = detail
            elif r.status == "error":
                ET.SubElement(case, "error", message=r.reason or "error").text = detail
            elif r.status == "skip":
                ET.SubElement(case, "skipped", message=r.reason or "skipped")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _md(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def to_markdown(results: list[CheckResult], title: str = "Validation") -> str:
    lines = [f"# {title}", "", summary_line(results), ""]
    for dev, rows in by_device(results).items():
        ds = summary(rows)
        lines += [
            f"## {dev} ({ds['pass']} pass, {ds['fail']} fail, {ds['error']} error, {ds['skip']} skip)",
            "",
            "| check | item | status | expected | actual | reason |",
            "|---|---|---|---|---|---|",
        ]
        for r in rows:
            lines.append(
                f"| {r.check} | {_md(r.item)} | {r.status} | {_md(_fmt(r.expected))} | "
                f"{_md(_fmt(r.actual))} | {_md(r.reason)} |"
            )
        lines.append("")
    return "\n".join(lines)


def render(results: list[CheckResult], fmt: str, meta: dict[str, Any] | None = None) -> str:
    if fmt == "json":
        return to_json(results, meta)
    if fmt == "junit":
        return to_junit(results)
    if fmt == "markdown":
        return to_markdown(results)
    raise ValueError(f"unknown format {fmt!r} (use one of {', '.join(FORMATS)})")
