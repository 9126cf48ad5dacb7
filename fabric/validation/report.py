"""Writers for check results: rich table, JSON, YAML, JUnit XML, markdown, CSV and a self-contained HTML
matrix (device x check, drill-down to every item)."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson

from fabric.validation.checks import CheckResult, summary

FORMATS = ("table", "json", "yaml", "junit", "markdown", "csv", "html")
_ORDER = ("error", "fail", "pass", "skip")  # a matrix cell shows its worst status
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
    # orjson: a dc-large validation's 2052 results took json.dumps 0.1 s, a tenth of the whole command
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS, default=str).decode()


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


def to_csv(results: list[CheckResult]) -> str:
    """One line per checked item; expected/actual flattened as in the table."""
    from fabric.output import render as render_rows

    rows = [
        {"device": r.device, "check": r.check, "item": r.item, "status": r.status,
         "expected": _fmt(r.expected), "actual": _fmt(r.actual), "reason": r.reason}
        for r in results
    ]
    return render_rows(None, "csv", rows=rows)


_HTML_CSS = """
#matrix td.cell{cursor:pointer;text-align:center;min-width:4.5em}#matrix td.sel{outline:2px solid #333}
#matrix th.dev{white-space:nowrap}
"""

# Click a cell: the panel lists that device's items of that check. Checkbox: only rows with problems.
_HTML_JS = """
const panel=document.getElementById('panel');
function show(td){
  document.querySelectorAll('#matrix td.sel').forEach(x=>x.classList.remove('sel'));
  td.classList.add('sel');
  const dev=td.dataset.device, chk=td.dataset.check;
  const rows=DATA.results.filter(r=>r.device===dev&&r.check===chk);
  let h='<h3>'+esc(dev)+': '+esc(chk)+'</h3><table class="items"><tr><th>item</th><th>status</th>'+
        '<th>expected</th><th>actual</th><th>reason</th></tr>';
  rows.forEach(r=>{h+='<tr class="'+esc(r.status)+'"><td>'+esc(r.item)+'</td><td>'+esc(r.status)+'</td><td>'+
        esc(r.expected)+'</td><td>'+esc(r.actual)+'</td><td>'+esc(r.reason)+'</td></tr>';});
  panel.innerHTML=h+'</table>';
}
document.querySelectorAll('#matrix td.cell').forEach(td=>td.addEventListener('click',()=>show(td)));
document.getElementById('problems').addEventListener('change',e=>{
  document.querySelectorAll('#matrix tr.dev').forEach(tr=>{
    tr.style.display=(e.target.checked&&tr.dataset.ok==='1')?'none':'';});});
const first=document.querySelector('#matrix td.fail, #matrix td.error');
if(first){show(first);}
"""


def to_html(results: list[CheckResult], title: str = "Validation", meta: dict[str, Any] | None = None) -> str:
    """Device x check matrix: each cell the worst status and passed/total, a click shows the items;
    the same items in per-device <details> for a reader without scripts."""
    from html import escape

    from fabric.htmlpage import page

    devices = by_device(results)
    checks = list(dict.fromkeys(r.check for r in results))
    s = summary(results)
    good = s["fail"] == 0 and s["error"] == 0
    h = [
        f"<h1>{escape(title)}</h1>",
        f"<p class='sum'>{escape(summary_line(results))} <span class='{'good-t' if good else 'bad-t'}'>"
        f"({'PASS' if good else 'FAIL'})</span></p>",
        "<label><input type='checkbox' id='problems'> only devices with problems</label>",
        "<table id='matrix'><tr><th>device</th>",
        *(f"<th>{escape(c)}</th>" for c in checks),
        "</tr>",
    ]
    for dev, rows in devices.items():
        ok = all(r.status in ("pass", "skip") for r in rows)
        h.append(f"<tr class='dev' data-ok='{int(ok)}'><th class='dev'>{escape(dev)}</th>")
        for c in checks:
            cell = [r for r in rows if r.check == c]
            if not cell:
                h.append("<td class='na'>-</td>")
                continue
            worst = min((r.status for r in cell), key=_ORDER.index)
            passed = sum(r.status == "pass" for r in cell)
            h.append(
                f"<td class='cell {worst}' data-device='{escape(dev)}' data-check='{escape(c)}' "
                f"title='{escape(dev)} {escape(c)}: {worst}'>{worst} {passed}/{len(cell)}</td>"
            )
        h.append("</tr>")
    h.append("</table><div id='panel'><span class='muted'>click a cell for its items</span></div>")
    h.append("<h2>Devices</h2>")
    for dev, rows in devices.items():
        ds = summary(rows)
        bad = ds["fail"] + ds["error"]
        h.append(f"<details id='d-{escape(dev)}'{' open' if bad else ''}><summary>{escape(dev)}: "
                 f"{ds['pass']} pass, {ds['fail']} fail, {ds['error']} error, {ds['skip']} skip</summary>")
        h.append("<table><tr><th>check</th><th>item</th><th>status</th><th>expected</th><th>actual</th>"
                 "<th>reason</th></tr>")
        for r in rows:
            h.append(f"<tr class='{r.status}'><td>{escape(r.check)}</td><td>{escape(r.item)}</td>"
                     f"<td>{r.status}</td><td>{escape(_fmt(r.expected))}</td><td>{escape(_fmt(r.actual))}</td>"
                     f"<td>{escape(r.reason)}</td></tr>")
        h.append("</table></details>")
    data = {
        "meta": meta or {},
        "results": [
            {"device": r.device, "check": r.check, "item": r.item, "status": r.status,
             "expected": _fmt(r.expected), "actual": _fmt(r.actual), "reason": r.reason}
            for r in results
        ],
    }
    return page(f"netfabric: {title}", "".join(h), css=_HTML_CSS, js=_HTML_JS, data=data)


def render(results: list[CheckResult], fmt: str, meta: dict[str, Any] | None = None,
           title: str = "Validation") -> str:
    """Every format but the table (which draws on a console: ``table``)."""
    if fmt == "json":
        return to_json(results, meta) + "\n"
    if fmt == "yaml":
        import yaml

        return str(yaml.safe_dump(json.loads(to_json(results, meta)), sort_keys=False))
    if fmt == "junit":
        return to_junit(results)
    if fmt == "markdown":
        return to_markdown(results, title)
    if fmt == "csv":
        return to_csv(results)
    if fmt == "html":
        return to_html(results, title, meta)
    raise ValueError(f"unknown format {fmt!r} (use one of {', '.join(FORMATS)})")


def emit(results: list[CheckResult], fmt: str, output: Any = None, *, meta: dict[str, Any] | None = None,
         title: str = "Validation", problems: bool = False, extra: str = "") -> None:
    """``results`` as ``fmt`` on stdout, or into ``output`` (every format, the table too) with the
    summary line on stderr."""
    import sys

    from rich.console import Console

    from fabric.output import write

    if fmt == "table":
        if output is None:
            table(results, only_problems=problems, extra=extra)
            return
        buf = io.StringIO()
        table(results, console=Console(file=buf, width=200), only_problems=problems, extra=extra)
        write(buf.getvalue(), output)
    else:
        text = render(results, fmt, meta, title)
        if output is None:
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
            return
        write(text, output)
    print(summary_line(results, extra), file=sys.stderr)
