"""Writers for check results: rich table, JSON, JUnit XML, markdown."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from fabric.validation.checks import CheckResult, summary

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


@dataclass(frozen=True)
class JunitCase:
    """One JUnit testcase: ``status`` pass | fail | error | skip."""

    suite: str
    classname: str
    name: str
    status: str = "pass"
    message: str = ""
    text: str = ""


def junit_xml(name: str, cases: Iterable[JunitCase]) -> str:
    """JUnit XML with one testsuite per ``suite`` (validation: a device; compliance: a device)."""
    root = ET.Element("testsuites", name=name)
    suites: dict[str, list[JunitCase]] = {}
    for c in cases:
        suites.setdefault(c.suite, []).append(c)
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite_name, rows in suites.items():
        counts = {
            "tests": len(rows),
            "failures": sum(c.status == "fail" for c in rows),
            "errors": sum(c.status == "error" for c in rows),
            "skipped": sum(c.status == "skip" for c in rows),
        }
        attrs = {"name": suite_name} | {k: str(v) for k, v in counts.items()}
        suite = ET.SubElement(root, "testsuite", attrs)
        for k, v in counts.items():
            totals[k] += v
        for c in rows:
            case = ET.SubElement(suite, "testcase", classname=c.classname, name=c.name)
            tag = {"fail": "failure", "error": "error", "skip": "skipped"}.get(c.status)
            if tag:
                el = ET.SubElement(case, tag, message=c.message or c.status)
                if c.text and tag != "skipped":
                    el.text = c.text
    for k, v in totals.items():
        root.set(k, str(v))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def to_junit(results: list[CheckResult], name: str = "netfabric") -> str:
    """JUnit XML: one testsuite per device, one testcase per checked item."""
    return junit_xml(
        name,
        (
            JunitCase(
                suite=dev,
                classname=f"{dev}.{r.check}",
                name=r.id,
                status=r.status,
                message=r.reason or {"fail": "failed", "error": "error", "skip": "skipped"}.get(r.status, ""),
                text=f"expected: {_fmt(r.expected)}\nactual: {_fmt(r.actual)}",
            )
            for dev, rows in by_device(results).items()
            for r in rows
        ),
    )


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
