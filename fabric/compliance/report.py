"""Compliance reports: JSON, JUnit XML and one self-contained HTML page (no external assets)."""

from __future__ import annotations

import json
import time
from html import escape
from typing import Any

from fabric.compliance.engine import COMPLIANT, FeatureResult
from fabric.compliance.history import RunSummary, device_status


def to_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, sort_keys=False) + "\n"


def to_junit(fabric: str, results: list[FeatureResult]) -> str:
    """One testsuite per device, one testcase per feature: CI systems show drift as failed tests."""
    from fabric.validation.report import JunitCase, junit_xml

    return junit_xml(
        f"compliance {fabric}",
        (
            JunitCase(
                suite=r.device,
                classname=f"compliance.{r.device}",
                name=r.feature,
                status="pass" if r.compliant else "fail",
                message="" if r.compliant else f"{r.feature}: {r.status}",
                text="" if r.compliant else _diff_text(r),
            )
            for r in sorted(results, key=lambda r: r.device)
        ),
    )


def to_markdown(fabric: str, results: list[FeatureResult]) -> str:
    """A section per device with a row per feature; the drift of a non-compliant one in a diff block."""
    devs = device_status(results)
    ok_n = sum(devs.values())
    lines = [f"# Compliance of {fabric}", "", f"{ok_n} of {len(devs)} devices compliant", ""]
    for dev in sorted(devs):
        rows = [r for r in results if r.device == dev]
        lines += [f"## {dev}", "", "| feature | status | missing | extra |", "|---|---|---|---|"]
        lines += [f"| {r.feature} | {r.status} | {len(r.missing)} | {len(r.extra)} |" for r in rows]
        for r in rows:
            if not r.compliant and (r.missing or r.extra or r.detail):
                lines += ["", f"{r.feature}:", "", "```diff", _diff_text(r), "```"]
        lines.append("")
    return "\n".join(lines)


def _diff_text(r: FeatureResult) -> str:
    parts = [r.detail] if r.detail else []
    parts += [f"- {ln}" for ln in r.missing] + [f"+ {ln}" for ln in r.extra]
    return "\n".join(parts)


_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em}table{border-collapse:collapse;margin:1em 0}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:center}th{background:#f4f4f4}
td.ok{background:#d9f2d9}td.bad{background:#f8d0d0}td.down{background:#e0e0e0}td.na{color:#999}
.sum{font-weight:bold}.ok-t{color:#17692e}.bad-t{color:#a31515}
details{margin:.4em 0;border:1px solid #ddd;padding:.3em .6em}summary{cursor:pointer;font-weight:600}
pre{background:#fafafa;padding:.5em;overflow:auto}.miss{color:#a31515}.extra{color:#1f4fa3}
.bar{display:inline-block;width:14px;margin-right:2px;vertical-align:bottom;background:#4a9}
.bar.b{background:#c55}#filter{margin:.5em 0}
"""

_JS = """
document.getElementById('filter').addEventListener('change',function(e){
  document.querySelectorAll('tr.dev').forEach(function(tr){
    tr.style.display=(e.target.checked && tr.dataset.ok==='1')?'none':'';});});
"""


def to_html(
    fabric: str,
    results: list[FeatureResult],
    remediations: dict[str, str],
    trend: list[RunSummary],
    generated: float | None = None,
    changes: list[dict[str, Any]] | None = None,
) -> str:
    """Device x feature matrix, drill-down to diffs and remediation, trend. Readable from file://."""
    devs = device_status(results)
    features = list(dict.fromkeys(r.feature for r in results))
    cell = {(r.device, r.feature): r for r in results}
    when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(generated or time.time()))
    ok_n = sum(devs.values())
    h: list[str] = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>netfabric compliance: {escape(fabric)}</title><style>{_CSS}</style></head><body>",
        f"<h1>Compliance of {escape(fabric)}</h1>",
        f"<p class='sum'>{ok_n} of {len(devs)} devices compliant"
        f" <span class='{'ok-t' if ok_n == len(devs) else 'bad-t'}'>"
        f"({'COMPLIANT' if ok_n == len(devs) else 'NOT COMPLIANT'})</span>; generated {when}</p>",
        "<label><input type='checkbox' id='filter'> hide compliant devices</label>",
        "<h2>Device x feature</h2><table id='matrix'><tr><th>device</th>",
    ]
    h += [f"<th>{escape(f)}</th>" for f in features] + ["</tr>"]
    for dev in sorted(devs):
        h.append(
            f"<tr class='dev' data-ok='{int(devs[dev])}'>"
            f"<th><a href='#d-{escape(dev)}'>{escape(dev)}</a></th>"
        )
        for f in features:
            r = cell.get((dev, f))
            if r is None:
                h.append("<td class='na'>-</td>")
            else:
                cls = "ok" if r.compliant else ("down" if r.status in ("unreachable", "error") else "bad")
                label = "ok" if r.compliant else r.status
                h.append(f"<td class='{cls}' title='{escape(dev)} {escape(f)}'>{escape(label)}</td>")
        h.append("</tr>")
    h.append("</table><h2>Details</h2>")
    for dev in sorted(devs):
        bad = [r for r in results if r.device == dev and r.status != COMPLIANT]
        state = "compliant" if not bad else f"{len(bad)} feature(s) not compliant"
        h.append(f"<details id='d-{escape(dev)}'{'' if not bad else ' open'}>")
        h.append(f"<summary>{escape(dev)}: {escape(state)}</summary>")
        for r in bad:
            h.append(f"<details><summary>{escape(r.feature)}: {escape(r.status)}</summary>")
            if r.detail:
                h.append(f"<p>{escape(r.detail)}</p>")
            if r.missing:
                h.append("<p>missing (in golden, not on the device):</p><pre class='miss'>")
                h.append(escape("\n".join(r.missing)) + "</pre>")
            if r.extra:
                h.append("<p>extra (on the device, not in golden):</p><pre class='extra'>")
                h.append(escape("\n".join(r.extra)) + "</pre>")
            h.append("</details>")
        if remediations.get(dev):
            h.append("<details><summary>remediation</summary><pre class='rem'>")
            h.append(escape(remediations[dev]) + "</pre></details>")
        h.append("</details>")
    if changes is not None:
        h.append("<h2>Changes since the previous run</h2>")
        if changes:
            h.append(
                "<table id='changes'><tr><th>device</th><th>feature</th><th>change</th><th>now</th></tr>"
            )
            for c in changes:
                h.append(
                    f"<tr><td>{escape(c['device'])}</td><td>{escape(c['feature'])}</td>"
                    f"<td>{escape(c['change'])}</td><td>{escape(str(c.get('now', '-')))}</td></tr>"
                )
            h.append("</table>")
        else:
            h.append("<p>no changes</p>")
    h.append("<h2>Trend</h2>")
    if trend:
        h.append("<div class='trend' aria-label='devices compliant per run'>")
        for t in trend:
            pct = 100 * t.devices_compliant / t.devices if t.devices else 0
            ts = time.strftime("%Y-%m-%d %H:%M", time.gmtime(t.started))
            h.append(
                f"<span class='bar{'' if t.compliant else ' b'}' style='height:{max(pct, 4):.0f}px'"
                f" title='run {t.id} {ts}: {t.devices_compliant}/{t.devices}'></span>"
            )
        h.append("</div><table><tr><th>run</th><th>time (UTC)</th><th>devices compliant</th>")
        h.append("<th>feature failures</th></tr>")
        for t in trend:
            ts = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t.started))
            h.append(
                f"<tr><td>{t.id}</td><td>{ts}</td><td>{t.devices_compliant}/{t.devices}</td>"
                f"<td>{t.failures}</td></tr>"
            )
        h.append("</table>")
    else:
        h.append("<p>no previous runs</p>")
    h.append(f"<script>{_JS}</script></body></html>\n")
    return "".join(h)
