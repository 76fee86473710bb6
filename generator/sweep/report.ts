// The sweep report: one self-contained HTML file (inline CSS, inline SVG, a few lines of inline
// script for sorting the table; no external assets) that opens offline and can be committed
// beside the results. Charts: Pareto fronts of cycles against LUTs, DSP48s and block RAM per
// workload; predicted utilisation per point and workload; the cycle breakdown; then a table of
// every point, invalid and failed ones included. Tooltips are SVG <title> elements.
import { paramLabels } from './grid.ts';
import { metricOf, PARETO_RESOURCES, type ParetoMetric, type ParetoResource, type PointResult, type SweepResults } from './results.ts';
import { sparsityComparison } from './sparsity.ts';

const COLORS = ['#1f77b4', '#e6550d', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const PHASES = ['load', 'mapping', 'compute', 'drain', 'tiling'] as const;
const PHASE_COLORS = ['#9ecae1', '#fdae6b', '#74c476', '#bcbddc', '#fc9272'];
const RESOURCE_LABEL: Record<ParetoResource, string> = { luts: 'LUTs', dsp48: 'DSP48 slices', bram36: 'block RAM (RAMB36 equivalents)' };

function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(3)));
}

interface Scale {
  map(v: number): number;
  ticks: number[];
  log: boolean;
}

function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/** Linear from 0 unless the values span more than a factor of 30 (then log10). */
function scale(values: number[], r0: number, r1: number, allowLog = true): Scale {
  const pos = values.filter((v) => v > 0);
  let lo = Math.min(...values, 0);
  let hi = Math.max(...values, 1);
  const useLog = allowLog && pos.length === values.length && pos.length > 0 && Math.max(...pos) / Math.min(...pos) > 30;
  if (useLog) {
    lo = 10 ** Math.floor(Math.log10(Math.min(...pos)));
    hi = 10 ** Math.ceil(Math.log10(Math.max(...pos)));
    const l0 = Math.log10(lo);
    const l1 = Math.log10(hi);
    const ticks: number[] = [];
    for (let e = l0; e <= l1; e++) {
      ticks.push(10 ** e);
      if (l1 - l0 <= 2 && e < l1) ticks.push(2 * 10 ** e, 5 * 10 ** e);
    }
    return { map: (v) => r0 + ((Math.log10(Math.max(v, lo)) - l0) / (l1 - l0 || 1)) * (r1 - r0), ticks: ticks.sort((a, b) => a - b), log: true };
  }
  const step = niceStep(hi - lo, 5);
  hi = Math.ceil(hi / step) * step;
  lo = Math.floor(lo / step) * step;
  const ticks: number[] = [];
  for (let t = lo; t <= hi + step / 2; t += step) ticks.push(Number(t.toPrecision(12)));
  return { map: (v) => r0 + ((v - lo) / (hi - lo || 1)) * (r1 - r0), ticks, log: false };
}

interface Geometry {
  w: number;
  h: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

function axes(g: Geometry, x: Scale, y: Scale, xLabel: string, yLabel: string, xTicks = true): string {
  const out: string[] = [];
  const x0 = g.left;
  const x1 = g.w - g.right;
  const y0 = g.h - g.bottom;
  const y1 = g.top;
  for (const t of y.ticks) {
    const py = y.map(t);
    out.push(`<line class="grid" x1="${x0}" x2="${x1}" y1="${py.toFixed(1)}" y2="${py.toFixed(1)}"/>`);
    out.push(`<text class="tick" x="${x0 - 5}" y="${(py + 3.5).toFixed(1)}" text-anchor="end">${fmt(t)}</text>`);
  }
  if (xTicks) {
    for (const t of x.ticks) {
      const px = x.map(t);
      out.push(`<line class="grid" x1="${px.toFixed(1)}" x2="${px.toFixed(1)}" y1="${y0}" y2="${y1}"/>`);
      out.push(`<text class="tick" x="${px.toFixed(1)}" y="${y0 + 14}" text-anchor="middle">${fmt(t)}</text>`);
    }
  }
  out.push(`<line class="axis" x1="${x0}" x2="${x1}" y1="${y0}" y2="${y0}"/><line class="axis" x1="${x0}" x2="${x0}" y1="${y0}" y2="${y1}"/>`);
  out.push(`<text class="label" x="${(x0 + x1) / 2}" y="${g.h - 6}" text-anchor="middle">${esc(xLabel)}${x.log ? ' (log)' : ''}</text>`);
  out.push(
    `<text class="label" transform="translate(13 ${(y0 + y1) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}${y.log ? ' (log)' : ''}</text>`,
  );
  return out.join('');
}

function pointLabel(p: PointResult, labels: Map<string, string>): string {
  return Object.entries(p.params)
    .map(([k, v]) => `${labels.get(k) ?? k}=${Array.isArray(v) ? v.join('+') : String(v)}`)
    .join(' ');
}

function paretoChart(r: SweepResults, workload: string, res: ParetoResource, color: string, labels: Map<string, string>, metric: ParetoMetric = 'cycles'): string {
  const val = (p: PointResult): number => metricOf(p.workloads[workload], metric)!;
  const pts = r.points.filter((p) => p.status === 'ok' && p.resources && metricOf(p.workloads[workload], metric) !== undefined);
  const g: Geometry = { w: 380, h: 290, left: 62, right: 14, top: 26, bottom: 40 };
  const title = `${workload}: ${metric === 'cycles' ? 'cycles' : 'time'} vs ${RESOURCE_LABEL[res]}`;
  if (pts.length === 0) return `<figure class="chart"><figcaption>${esc(title)}</figcaption><p class="empty">no points with both figures</p></figure>`;
  const xs = pts.map((p) => p.resources![res]);
  const ys = pts.map(val);
  const x = scale(xs, g.left + 8, g.w - g.right - 8);
  const y = scale(ys, g.h - g.bottom - 8, g.top + 8);
  const front = new Set((metric === 'cycles' ? r.pareto : r.paretoTime ?? {})[workload]?.[res] ?? []);
  const body: string[] = [axes(g, x, y, RESOURCE_LABEL[res], metric === 'cycles' ? 'cycles (predicted)' : 'µs at est. Fmax (-2, slow nets)')];
  const frontPts = pts.filter((p) => front.has(p.id)).sort((a, b) => a.resources![res] - b.resources![res]);
  if (frontPts.length > 1) {
    let d = '';
    frontPts.forEach((p, i) => {
      const px = x.map(p.resources![res]).toFixed(1);
      const py = y.map(val(p)).toFixed(1);
      if (i === 0) d += `M${px} ${py}`;
      else d += `H${px}V${py}`;
    });
    body.push(`<path class="front" d="${d}" stroke="${color}"/>`);
  }
  // Labels of front points that would overprint an earlier label are left to the tooltip.
  const labelled: [number, number][] = [];
  const label = (px: number, py: number, id: string): string => {
    if (labelled.some(([lx, ly]) => Math.abs(lx - px) < 30 && Math.abs(ly - py) < 11)) return '';
    labelled.push([px, py]);
    const right = px > g.w - g.right - 40;
    return `<text class="pid" x="${(right ? px - 7 : px + 7).toFixed(1)}" y="${(py - 5).toFixed(1)}"${right ? ' text-anchor="end"' : ''}>${esc(id)}</text>`;
  };
  const draw = (p: PointResult, on: boolean) => {
    const px = x.map(p.resources![res]).toFixed(1);
    const py = y.map(val(p)).toFixed(1);
    const c = p.workloads[workload]!;
    const clock = p.timing ? `\nest. Fmax ${p.timing.fmaxMHz['-2'].min}…${p.timing.fmaxMHz['-2'].max} MHz (-2)${c.timeUs ? `, ${c.timeUs.min}…${c.timeUs.max} µs` : ''}` : '';
    const tip = `${p.id}${on ? ' (Pareto)' : ''}: ${pointLabel(p, labels)}\n${c.cycles!.total} cycles, utilisation ${(100 * c.utilisation!).toFixed(1)} %${clock}\n${p.resources!.luts} LUT, ${p.resources!.dsp48} DSP48, ${p.resources!.bram36} RAMB36`;
    const shape = on
      ? `<circle cx="${px}" cy="${py}" r="5" fill="${color}" stroke="#000" stroke-width="0.8"/>${label(Number(px), Number(py), p.id)}`
      : `<circle cx="${px}" cy="${py}" r="3.5" fill="#fff" stroke="#999" stroke-width="1.2"/>`;
    return `<g class="${on ? 'pareto' : 'dominated'}" data-id="${esc(p.id)}"><title>${esc(tip)}</title>${shape}</g>`;
  };
  for (const p of pts) if (!front.has(p.id)) body.push(draw(p, false));
  for (const p of frontPts) body.push(draw(p, true));
  return `<figure class="chart"><figcaption>${esc(title)}</figcaption><svg viewBox="0 0 ${g.w} ${g.h}" width="${g.w}" height="${g.h}" role="img" aria-label="${esc(title)}">${body.join('')}</svg></figure>`;
}

function utilisationChart(r: SweepResults, labels: Map<string, string>): string {
  const pts = r.points.filter((p) => p.status === 'ok');
  const ws = r.workloads.map((w) => w.name);
  if (pts.length === 0) return '<p class="empty">no valid points</p>';
  const g: Geometry = { w: Math.max(560, 70 + pts.length * (ws.length * 9 + 8)), h: 270, left: 56, right: 12, top: 14, bottom: 58 };
  const vals = pts.flatMap((p) => ws.map((w) => p.workloads[w]?.utilisation ?? 0));
  const y = scale([...vals, 0], g.h - g.bottom, g.top, false);
  const band = (g.w - g.left - g.right) / pts.length;
  const bw = Math.min(14, (band - 6) / ws.length);
  const body: string[] = [axes(g, { map: () => 0, ticks: [], log: false }, y, 'point', 'utilisation (compute bound / cycles)', false)];
  pts.forEach((p, i) => {
    const bx = g.left + i * band + (band - bw * ws.length) / 2;
    ws.forEach((w, k) => {
      const o = p.workloads[w];
      const u = o?.utilisation;
      if (u === undefined) return;
      const top = y.map(u);
      const tip = `${p.id} ${w}: utilisation ${(100 * u).toFixed(1)} % (${o!.computeBound} of ${o!.cycles!.total} cycles)\n${pointLabel(p, labels)}`;
      body.push(
        `<rect x="${(bx + k * bw).toFixed(1)}" y="${top.toFixed(1)}" width="${(bw - 1).toFixed(1)}" height="${(g.h - g.bottom - top).toFixed(1)}" fill="${COLORS[k % COLORS.length]}"><title>${esc(tip)}</title></rect>`,
      );
    });
    const cx = g.left + (i + 0.5) * band;
    body.push(`<text class="tick" transform="translate(${cx.toFixed(1)} ${g.h - g.bottom + 10}) rotate(-50)" text-anchor="end">${esc(p.id)}</text>`);
  });
  const legend = ws.map((w, k) => `<span class="key"><i style="background:${COLORS[k % COLORS.length]}"></i>${esc(w)}</span>`).join(' ');
  return `<div class="legend">${legend}</div><div class="scroll"><svg viewBox="0 0 ${g.w} ${g.h}" width="${g.w}" height="${g.h}" role="img" aria-label="utilisation per point and workload">${body.join('')}</svg></div>`;
}

/** Phase cycles side by side per point, with the total as a black bar across them: the phases
 * add up to the total in the first-order model but overlap in the replay. */
function breakdownChart(r: SweepResults, workload: string, labels: Map<string, string>): string {
  const pts = r.points.filter((p) => p.status === 'ok' && p.workloads[workload]?.cycles);
  if (pts.length === 0) return '';
  const phases = PHASES.filter((ph) => pts.some((p) => p.workloads[workload]!.cycles![ph] > 0));
  const g: Geometry = { w: Math.max(560, 70 + pts.length * (phases.length * 5 + 10)), h: 250, left: 62, right: 12, top: 14, bottom: 58 };
  const y = scale(
    pts.map((p) => p.workloads[workload]!.cycles!.total),
    g.h - g.bottom,
    g.top,
    false,
  );
  const band = (g.w - g.left - g.right) / pts.length;
  const bw = Math.min(9, (band - 4) / phases.length);
  const body: string[] = [axes(g, { map: () => 0, ticks: [], log: false }, y, 'point', `cycles on ${workload}`, false)];
  pts.forEach((p, i) => {
    const c = p.workloads[workload]!.cycles!;
    const x0 = g.left + i * band + (band - bw * phases.length) / 2;
    const y0 = y.map(0);
    phases.forEach((ph, k) => {
      const top = y.map(c[ph]);
      const tip = `${p.id} ${ph}: ${c[ph]} cycles (${((100 * c[ph]) / c.total).toFixed(1)} % of the total)\n${pointLabel(p, labels)}`;
      body.push(
        `<rect x="${(x0 + k * bw).toFixed(1)}" y="${top.toFixed(1)}" width="${(bw - 0.5).toFixed(1)}" height="${(y0 - top).toFixed(1)}" fill="${PHASE_COLORS[PHASES.indexOf(ph)]}"><title>${esc(tip)}</title></rect>`,
      );
    });
    const ty = y.map(c.total).toFixed(1);
    body.push(
      `<line x1="${(x0 - 1).toFixed(1)}" x2="${(x0 + bw * phases.length + 1).toFixed(1)}" y1="${ty}" y2="${ty}" stroke="#000" stroke-width="2"><title>${esc(`${p.id} total: ${c.total} cycles (${p.workloads[workload]!.model ?? 'model'})`)}</title></line>`,
    );
    body.push(`<text class="tick" transform="translate(${(x0 + (bw * phases.length) / 2).toFixed(1)} ${g.h - g.bottom + 10}) rotate(-50)" text-anchor="end">${esc(p.id)}</text>`);
  });
  const legend = [...phases.map((ph) => `<span class="key"><i style="background:${PHASE_COLORS[PHASES.indexOf(ph)]}"></i>${ph}</span>`), '<span class="key"><i style="background:#000;height:3px;vertical-align:3px"></i>total</span>'].join(' ');
  return `<h3>${esc(workload)}</h3><div class="legend">${legend}</div><div class="scroll"><svg viewBox="0 0 ${g.w} ${g.h}" width="${g.w}" height="${g.h}" role="img" aria-label="cycle breakdown on ${esc(workload)}">${body.join('')}</svg></div>`;
}

function table(r: SweepResults, labels: Map<string, string>): string {
  const ws = r.workloads.map((w) => w.name);
  const onFront = (w: string, id: string) => PARETO_RESOURCES.filter((res) => (r.pareto[w]?.[res] ?? []).includes(id));
  const head = [
    '<th data-type="text">point</th>',
    '<th data-type="text">status</th>',
    ...r.parameters.map((p) => `<th data-type="auto" title="${esc(p)}">${esc(labels.get(p) ?? p)}</th>`),
    ...(r.steps.synth ? ['LUT', 'FF', 'DSP48', 'RAMB36 eq.'].map((h) => `<th data-type="num">${h}</th>`) : []),
    ...(r.steps.lint ? ['<th data-type="num">lint warnings</th>'] : []),
    ...ws.flatMap((w) => [
      `<th data-type="num">${esc(w)} cycles</th>`,
      `<th data-type="num">${esc(w)} util.</th>`,
      ...(r.steps.verify ? [`<th data-type="text">${esc(w)} verify</th>`] : []),
      ...(r.steps.synth ? [`<th data-type="text">${esc(w)} Pareto</th>`] : []),
    ]),
    '<th data-type="text">note</th>',
  ];
  const rows = r.points.map((p) => {
    const cells: string[] = [`<td>${esc(p.id)}</td>`, `<td class="st-${p.status}">${p.status}</td>`];
    for (const k of r.parameters) {
      const v = p.params[k];
      cells.push(`<td>${esc(Array.isArray(v) ? v.join('+') : String(v))}</td>`);
    }
    if (r.steps.synth) {
      const res = p.resources;
      for (const v of [res?.luts, res?.ffs, res?.dsp48, res?.bram36]) cells.push(`<td class="n">${v ?? ''}</td>`);
    }
    if (r.steps.lint) cells.push(`<td class="n">${p.lint?.warnings ?? ''}</td>`);
    const notes: string[] = [];
    if (p.error) notes.push(p.error);
    for (const w of ws) {
      const o = p.workloads[w];
      cells.push(`<td class="n">${o?.cycles?.total ?? ''}</td>`);
      cells.push(`<td class="n">${o?.utilisation === undefined ? '' : o.utilisation.toFixed(3)}</td>`);
      if (r.steps.verify) {
        const v = o?.verify;
        const err = v?.modelError === undefined ? '' : ` (model ${v.modelError >= 0 ? '+' : ''}${(100 * v.modelError).toFixed(1)} %)`;
        cells.push(`<td class="v-${v?.status ?? 'none'}" title="${esc(v?.reason ?? '')}">${v ? `${v.status}${err}` : ''}</td>`);
      }
      if (r.steps.synth) cells.push(`<td>${onFront(w, p.id).map((x) => `★${x === 'luts' ? 'LUT' : x === 'dsp48' ? 'DSP' : 'BRAM'}`).join(' ')}</td>`);
      if (o && !o.supported) notes.push(`${w}: ${o.reason}`);
      if (o?.overflows?.length) notes.push(`${w}: ${o.tiles} tiles (${o.overflows.join(', ')})`);
    }
    if (p.lint && !p.lint.ok) notes.push(...p.lint.messages.slice(0, 1));
    cells.push(`<td class="note">${esc(notes.join('; '))}</td>`);
    return `<tr>${cells.join('')}</tr>`;
  });
  return `<div class="scroll"><table id="points"><thead><tr>${head.join('')}</tr></thead><tbody>${rows.join('\n')}</tbody></table></div>`;
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1280px;padding:0 16px;color:#222}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}h3{font-size:15px;margin:14px 0 4px}
.meta{color:#555;white-space:normal}.meta td{padding:1px 12px 1px 0;vertical-align:top;border:none}.warn{background:#fff4e5;border:1px solid #f0c36d;padding:8px 12px;border-radius:4px;margin:12px 0}.note-box{background:#eef6ff;border:1px solid #a9c8ee;padding:8px 12px;border-radius:4px;margin:12px 0}
.charts{display:flex;flex-wrap:wrap;gap:8px}.chart{margin:0;border:1px solid #e3e3e3;border-radius:4px;padding:4px 6px}
figcaption{font-weight:600;font-size:13px;margin:2px 4px}svg text{font-family:inherit}.tick{font-size:10px;fill:#555}.label{font-size:11px;fill:#333}
.pid{font-size:9px;fill:#222}.grid{stroke:#eee}.axis{stroke:#888}.front{fill:none;stroke-width:1.6;stroke-dasharray:4 2}
.scroll{overflow-x:auto}.legend{margin:4px 0}.key{margin-right:14px;font-size:12px}.key i{display:inline-block;width:11px;height:11px;margin-right:4px;vertical-align:-1px}
table{border-collapse:collapse;font-size:12px;white-space:nowrap}th,td{border:1px solid #ddd;padding:3px 6px}th{background:#f4f4f4;cursor:pointer;position:sticky;top:0}
th.asc:after{content:" ▲"}th.desc:after{content:" ▼"}td.n{text-align:right;font-variant-numeric:tabular-nums}.note{white-space:normal;min-width:420px;color:#555;font-size:11px}
.st-invalid{color:#a15c00}.st-failed,.v-fail{color:#c00;font-weight:600}.v-pass{color:#080}.v-skipped{color:#888}.empty{color:#888;font-style:italic}
`;

// Click a header to sort by it (again to reverse); numbers sort numerically, blanks last.
const SCRIPT = `
document.querySelectorAll('#points th').forEach(function(th,col){th.addEventListener('click',function(){
var tb=document.querySelector('#points tbody'),rows=Array.prototype.slice.call(tb.rows),asc=!th.classList.contains('asc');
document.querySelectorAll('#points th').forEach(function(h){h.classList.remove('asc','desc')});th.classList.add(asc?'asc':'desc');
function key(r){var t=r.cells[col].textContent.trim(),n=parseFloat(t);return t===''?null:(isNaN(n)||!/^-?[\\d.]/.test(t)?t:n)}
rows.sort(function(a,b){var x=key(a),y=key(b);if(x===null)return 1;if(y===null)return -1;var c=(typeof x==='number'&&typeof y==='number')?x-y:String(x).localeCompare(String(y),undefined,{numeric:true});return asc?c:-c});
rows.forEach(function(r){tb.appendChild(r)})})});
`;

export function renderReport(r: SweepResults): string {
  const labels = paramLabels(r.parameters);
  const count = (s: PointResult['status']) => r.points.filter((p) => p.status === s).length;
  const ws = r.workloads;
  const meta: [string, string][] = [
    ['grid', r.grid],
    ['base', r.base],
    ['varied', r.parameters.map((p) => `${labels.get(p)} (${p})`).join(', ')],
    [
      'points',
      `${r.points.length}${r.shard ? ` (shard ${r.shard.index}/${r.shard.count} of ${r.totalPoints})` : ''}: ${count('ok')} ok, ${count('invalid')} invalid, ${count('failed')} failed${r.missing.length ? `, ${r.missing.length} not run (interrupted)` : ''}`,
    ],
    ['steps', `${r.steps.lint ? 'Verilator lint, ' : ''}${r.steps.synth ? 'Yosys synth_xilinx resource estimate, ' : ''}cycle model${r.steps.verify ? ', mapping-engine co-simulation' : ''}`],
    ['generator', `${r.generator.name} ${r.generator.version}`],
  ];
  const parts: string[] = [];
  parts.push(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">`);
  parts.push(`<title>sparseforge sweep: ${esc(r.name)}</title><style>${CSS}</style></head><body>`);
  parts.push(`<h1>sparseforge sweep: ${esc(r.name)}</h1>`);
  parts.push(`<table class="meta">${meta.map(([k, v]) => `<tr><td>${k}</td><td>${esc(v)}</td></tr>`).join('')}</table>`);
  parts.push(
    `<table class="meta"><tr><td>workloads</td><td>${ws
      .map((w, k) => `<span class="key"><i style="background:${COLORS[k % COLORS.length]}"></i><b>${esc(w.name)}</b></span> ${esc(w.description)}; ${w.pointsOut} output points, ${w.mapEntries} map entries, ${fmt(w.macs)} MACs`)
      .join('<br>')}</td></tr></table>`,
  );
  const methods = r.cycleModel.methods;
  const total = methods.reduce((n, m) => n + m.predictions, 0);
  for (const m of methods) {
    const share = methods.length > 1 ? `${m.predictions} of ${total} predictions: ` : '';
    parts.push(
      m.calibrated
        ? `<div class="note-box">${share}${share ? 'cycles' : 'Cycles'} predicted by the <b>${esc(m.name)}</b> cycle model (version ${m.version}, generator/model/cycle-model.ts), which replays the RTL schedule on the tiles the host driver cuts and is calibrated against co-simulation of the complete accelerator.</div>`
        : `<div class="warn">${share}${share ? 'cycles' : 'Cycles'} predicted by the <b>${esc(m.name)}</b> cycle model (version ${m.version}, generator/model/cycle-model.ts), which is <b>not calibrated against the RTL</b>: use these figures to compare design points, not as measured performance.</div>`,
    );
  }
  parts.push('<h2>Pareto fronts</h2>');
  if (!r.steps.synth) {
    parts.push('<p class="empty">No resource estimates in this sweep (synth: false), so no fronts.</p>');
  } else {
    parts.push('<p>Filled, labelled points are Pareto-optimal (no other point has both fewer cycles and fewer of the resource); the dashed line is the front. Hover a point for its parameters.</p>');
    ws.forEach((w, k) => {
      parts.push(`<div class="charts">${PARETO_RESOURCES.map((res) => paretoChart(r, w.name, res, COLORS[k % COLORS.length]!, labels)).join('')}</div>`);
    });
    if (r.points.some((p) => p.timing)) {
      parts.push(
        '<h3>In time</h3><p>The same fronts in µs: cycles at the slow end of each point’s estimated Fmax on a -2 speed grade 7-series part (static timing of the Yosys netlist with data-sheet delays, generator/synth/estimate.ts). An estimate, not a routed result.</p>',
      );
      ws.forEach((w, k) => {
        parts.push(`<div class="charts">${PARETO_RESOURCES.map((res) => paretoChart(r, w.name, res, COLORS[k % COLORS.length]!, labels, 'time')).join('')}</div>`);
      });
    }
  }
  parts.push('<h2>Utilisation per workload</h2><p>Compute lower bound (DESIGN.md §3: Σ|map<sub>i</sub>| · ⌈C<sub>in</sub>/rows⌉ · ⌈C<sub>out</sub>/cols⌉) divided by the predicted cycles.</p>');
  parts.push(utilisationChart(r, labels));
  parts.push('<h2>Cycle breakdown</h2><p>Cycles per phase (load: input streams; mapping: downsampling and merge; compute: matrix-unit passes; drain: output stream and pipeline tail; tiling: weights streamed again per extra tile). The phases add up to the total in the first-order model and overlap in the schedule replay; the black bar is the total.</p>');
  for (const w of ws) parts.push(breakdownChart(r, w.name, labels));
  const sparse = sparsityComparison(r);
  if (sparse.length) {
    const x = (v: number | undefined) => (v === undefined ? '' : `${v.toFixed(2)}×`);
    parts.push('<h2>N:M weight sparsity: speed-up and resource cost</h2><p>Each sparse point against the dense point with the same other parameters: cycles of the dense point divided by the sparse point\'s (each workload pruned to the pattern), and the sparse point\'s resources divided by the dense point\'s.</p>');
    const head = ['point', 'pattern', 'dense twin', ...r.workloads.map((w) => `${esc(w.name)} speed-up`), 'LUT', 'FF', 'DSP48'];
    const body = sparse.map(
      (s) => `<tr><td>${esc(s.point)}</td><td>${esc(s.pattern)}</td><td>${esc(s.dense)}</td>${r.workloads.map((w) => `<td class="n">${x(s.speedup[w.name])}</td>`).join('')}<td class="n">${x(s.luts)}</td><td class="n">${x(s.ffs)}</td><td class="n">${x(s.dsp48)}</td></tr>`,
    );
    parts.push(`<div class="scroll"><table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${body.join('\n')}</tbody></table></div>`);
  }
  parts.push('<h2>Every point</h2><p>Click a column header to sort.</p>');
  parts.push(table(r, labels));
  parts.push(`<script>${SCRIPT}</script></body></html>\n`);
  return parts.join('\n');
}
