"""A rollout's story, read back from its journal: waves, each device's states over time, gate results and
rollbacks. ``fabric rollout report`` prints it as a table, JSON/YAML/CSV, or a self-contained HTML page
with a timeline drawn in SVG.

Only what the journal holds, and the journal holds no secret (``journal.scrub``); device configs are left
out (``fabric rollout status -f json`` has them), the diff each device got is kept.
"""

from __future__ import annotations

from html import escape
from typing import Any

from fabric.rollout.journal import FINAL_DEVICE, Journal

# Per-device states the journal records (pending is the start, not an event); colours in the timeline.
STATE_COLOURS = {
    "prechecked": "#c9c9c9", "armed": "#8fb3e0", "committed": "#4a7fc1", "gated": "#9bd39b",
    "confirmed": "#2e8b3d", "rolling_back": "#f0a04b", "rolled_back": "#c0392b",
    "reverted_by_timer": "#8e44ad", "unreachable": "#555555", "skipped": "#e6e6e6", "untouched": "#f4f4f4",
}


def report_data(journal: Journal, rollout_id: str | None = None) -> dict[str, Any]:
    """The rollout (latest without an id) as plain data: times are seconds since its start."""
    r = journal.rollout(rollout_id)
    start = r["started"]
    end = r["ended"]
    events = journal.events(r["id"])
    last = end or (events[-1]["ts"] if events else start)
    phases: dict[str, list[dict[str, Any]]] = {}
    marks: dict[str, list[dict[str, Any]]] = {}
    for e in events:
        host = e["host"]
        if not host:
            continue
        t = round(e["ts"] - start, 3)
        if e["wave"] is None and e["step"] in STATE_COLOURS:  # a state change, written with its event
            seq = phases.setdefault(host, [])
            if seq:
                seq[-1]["end"] = t
            seq.append({"state": e["step"], "start": t, "end": None})
        elif e["step"] in ("gate", "rollback", "commit", "confirm"):
            marks.setdefault(host, []).append(
                {"step": e["step"], "status": e["status"], "t": t, "detail": e["detail"] or ""})
    for seq in phases.values():  # the last state lasts until the rollout ended (a final one is a point)
        if seq[-1]["end"] is None:
            seq[-1]["end"] = seq[-1]["start"] if seq[-1]["state"] in FINAL_DEVICE else round(last - start, 3)
    waves: list[dict[str, Any]] = []
    for e in events:
        if e["host"] is None and e["step"] == "wave" and e["wave"] is not None:
            t = round(e["ts"] - start, 3)
            if e["status"] == "start":
                hosts = r["plan"][e["wave"]] if e["wave"] < len(r["plan"]) else []
                waves.append({"wave": e["wave"], "hosts": hosts, "start": t, "end": None,
                              "result": "running"})
            elif waves and waves[-1]["wave"] == e["wave"]:
                waves[-1].update(end=t, result="failed" if e["status"] == "failed" else "passed")
    devices = []
    for d in journal.devices(r["id"]):
        gate = d.get("gate") or None
        devices.append({
            # as `rollout status` has them: null until the rollout sets them
            "host": d["host"], "wave": d["wave"], "platform": d.get("platform"), "state": d["state"],
            "error": d.get("error"), "mode": d.get("mode"),
            "gate": None if gate is None else {"ok": bool(gate.get("ok")), "checks": gate.get("checks", [])},
            "diff": d.get("diff"),
            "phases": phases.get(d["host"], []), "marks": marks.get(d["host"], []),
        })
    return {
        "rollout": {
            "id": r["id"], "playbook": r["playbook"], "fabric": r["fabric"], "operator": r["operator"],
            "state": r["state"], "started": start, "ended": end,
            "duration": round(last - start, 3), "plan": r["plan"],
        },
        "waves": waves,
        "devices": devices,
        "events": [
            {"t": round(e["ts"] - start, 3), "wave": e["wave"], "host": e["host"], "step": e["step"],
             "status": e["status"], "detail": e["detail"] or ""}
            for e in events
        ],
    }


def rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per device (CSV, and the table)."""
    out = []
    for d in data["devices"]:
        gate = d["gate"]
        failed = [c["name"] for c in (gate or {}).get("checks", []) if not c.get("ok")]
        out.append({
            "wave": d["wave"], "device": d["host"], "platform": d["platform"] or "",
            "final_state": d["state"],
            "gate": "-" if gate is None else "pass" if gate["ok"] else "FAIL",
            "failed_checks": ", ".join(failed),
            "error": d["error"] or "",
        })
    return out


_CSS = """
#timeline{border:1px solid #ddd;background:#fff;max-width:100%;height:auto}
#timeline text{font-size:12px}.row{cursor:pointer}.row:hover rect.bg{fill:#f2f6fc}
.row.sel rect.bg{fill:#fff3c4}tr.row.sel td{outline:1px solid #b07d00}
.legend span{display:inline-block;margin-right:1em}.legend i{display:inline-block;width:12px;height:12px;
margin-right:4px;vertical-align:middle;border:1px solid #999}
"""

# Click a device row (timeline or table): the panel shows its gate checks, its diff and its events.
_JS = """
const panel=document.getElementById('panel');
function show(host){
  const d=DATA.devices.find(x=>x.host===host); if(!d){return;}
  document.querySelectorAll('.row').forEach(r=>r.classList.toggle('sel',r.dataset.host===host));
  let h='<h3>'+esc(host)+' (wave '+esc(d.wave)+'): '+esc(d.state)+'</h3>';
  if(d.error){h+='<p class="bad-t">'+esc(d.error)+'</p>';}
  if(d.gate){h+='<table class="gate"><tr><th>gate check</th><th>result</th><th>detail</th></tr>';
    d.gate.checks.forEach(c=>{h+='<tr class="'+(c.ok?'pass':'fail')+'"><td>'+esc(c.name)+'</td><td>'+
      (c.ok?'pass':'FAIL')+'</td><td>'+esc(c.detail||'')+'</td></tr>';});h+='</table>';}
  else{h+='<p class="muted">no gate ran on this device</p>';}
  if(d.diff){h+='<p>change:</p><pre>'+esc(d.diff)+'</pre>';}
  h+='<details><summary>events</summary><table>';
  DATA.events.filter(e=>e.host===host).forEach(e=>{h+='<tr><td>'+e.t.toFixed(2)+'s</td><td>'+esc(e.step)+
    '</td><td>'+esc(e.status)+'</td><td>'+esc(e.detail)+'</td></tr>';});
  panel.innerHTML=h+'</table></details>';
}
document.querySelectorAll('.row').forEach(r=>r.addEventListener('click',()=>show(r.dataset.host)));
const bad=DATA.devices.find(d=>d.gate&&!d.gate.ok)||DATA.devices.find(d=>d.error);
if(bad){show(bad.host);}
"""


def _svg(data: dict[str, Any]) -> str:
    devices = sorted(data["devices"], key=lambda d: (d["wave"], d["host"]))
    label_w, plot_w, row_h, top = 150, 760, 26, 34
    total = max(data["rollout"]["duration"], 0.001)

    def x(t: float) -> float:
        return label_w + plot_w * min(max(t, 0.0), total) / total

    height = top + row_h * len(devices) + 20
    out = [f"<svg id='timeline' xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {label_w + plot_w + 20} "
           f"{height}' width='{label_w + plot_w + 20}' height='{height}'>"]
    for i in range(6):  # time axis
        t = total * i / 5
        out.append(f"<line x1='{x(t):.1f}' y1='{top - 6}' x2='{x(t):.1f}' y2='{height - 20}' stroke='#eee'/>"
                   f"<text x='{x(t):.1f}' y='{top - 10}' text-anchor='middle'>{t:.1f}s</text>")
    row_of = {d["host"]: i for i, d in enumerate(devices)}
    for w in data["waves"]:  # a band behind each wave's rows, from its start to its end
        ys = [row_of[h] for h in w["hosts"] if h in row_of]
        if not ys:
            continue
        y0, y1 = top + min(ys) * row_h, top + (max(ys) + 1) * row_h
        end = w["end"] if w["end"] is not None else total
        fill = "#fde3e1" if w["result"] == "failed" else "#eef7ee"
        out.append(f"<rect class='wave wave-{w['result']}' data-wave='{w['wave']}' x='{x(w['start']):.1f}' "
                   f"y='{y0}' width='{max(x(end) - x(w['start']), 1):.1f}' height='{y1 - y0}' fill='{fill}'>"
                   f"<title>wave {w['wave']}: {w['result']} ({', '.join(w['hosts'])})</title></rect>")
    for i, d in enumerate(devices):
        y = top + i * row_h
        out.append(f"<g class='row' data-host='{escape(d['host'])}'>"
                   f"<rect class='bg' x='0' y='{y}' width='{label_w}' height='{row_h}' fill='transparent'/>"
                   f"<text x='4' y='{y + 17}'>w{d['wave']} {escape(d['host'])}</text>")
        for p in d["phases"]:
            colour = STATE_COLOURS.get(p["state"], "#999")
            width = max(x(p["end"]) - x(p["start"]), 3)
            out.append(f"<rect class='phase st-{p['state']}' x='{x(p['start']):.1f}' y='{y + 5}' "
                       f"width='{width:.1f}' height='{row_h - 10}' fill='{colour}'>"
                       f"<title>{escape(d['host'])}: {p['state']} {p['start']:.2f}s - {p['end']:.2f}s</title>"
                       "</rect>")
        for m in d["marks"]:
            if m["step"] != "gate":
                continue
            ok = m["status"] == "pass"
            glyph = "\u2713" if ok else "\u2717"
            out.append(f"<text class='gate gate-{'pass' if ok else 'fail'}' x='{x(m['t']):.1f}' y='{y + 18}' "
                       f"fill='{'#17692e' if ok else '#a31515'}' font-weight='bold' text-anchor='middle'>"
                       f"{glyph}"
                       f"<title>gate {escape(m['status'])}: {escape(m['detail'])}</title></text>")
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)


def to_html(data: dict[str, Any]) -> str:
    from fabric.htmlpage import page

    ro = data["rollout"]
    good = ro["state"] == "completed"
    legend = "".join(f"<span><i style='background:{c}'></i>{s}</span>" for s, c in STATE_COLOURS.items())
    table = ["<table id='devices'><tr><th>wave</th><th>device</th><th>platform</th><th>final state</th>"
             "<th>gate</th><th>failed checks</th><th>error</th></tr>"]
    for r in rows(data):
        bad = r["gate"] == "FAIL" or r["error"]
        cls = "pass" if r["final_state"] == "confirmed" else "fail" if bad else ""
        table.append(f"<tr class='row {cls}' data-host='{escape(r['device'])}'><td>{r['wave']}</td>"
                     f"<td>{escape(r['device'])}</td><td>{escape(r['platform'])}</td><td>{r['final_state']}</td>"
                     f"<td>{r['gate']}</td><td>{escape(r['failed_checks'])}</td><td>{escape(r['error'])}</td></tr>")
    table.append("</table>")
    waves = ", ".join(f"wave {w['wave']} {w['result']}" for w in data["waves"]) or "no wave started"
    body = (
        f"<h1>Rollout {escape(ro['id'])}</h1>"
        f"<p class='sum'>{escape(ro['playbook'])} on {escape(ro['fabric'])} by {escape(ro['operator'])}: "
        f"<span id='outcome' class='{'good-t' if good else 'bad-t'}'>{escape(ro['state'])}</span> "
        f"in {ro['duration']:.1f}s; {len(data['devices'])} devices in {len(ro['plan'])} waves "
        f"({escape(waves)})</p>"
        f"<div class='legend'>{legend}</div><div>{_svg(data)}</div>"
        "<div id='panel'><span class='muted'>click a device</span></div>"
        "<h2>Devices</h2>" + "".join(table)
    )
    return page(f"netfabric rollout {ro['id']}", body, css=_CSS, js=_JS, data=data, generated=ro["ended"])
