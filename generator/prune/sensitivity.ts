// Pruning sensitivity of a network (DESIGN.md §7): prune one conv layer at a time to N:M (then the
// chosen layers together), run the golden network and report how far the final features move
// from the unpruned network — SQNR in dB over every output value, the fraction of points whose
// argmax class changes — and the cycles an N:M accelerator saves on the pruned layers (cycle
// model: each pruned layer on the N:M twin of the spec, every other layer at dense speed, which is
// what the host driver's padded dense mode gives). With the float network of a model-zoo network
// (`net init --float-out`), the same outputs are also compared with the float reference (float
// weights, no rounding), so that the error of INT8 quantization alone, of pruning alone and of both
// together sit side by side.
import type { AcceleratorSpec } from '../dsl/spec.ts';
import { parseSpec } from '../dsl/define.ts';
import { inChannelsPerPass, weightIndexWidth } from '../dsl/sparsity.ts';
import { nmName, runNetwork, type ArithmeticWidths, type NmPattern } from '../model/index.ts';
import type { Network, NodeTensor } from '../model/network-types.ts';
import { estimateNetwork } from '../network/estimate.ts';
import { runFloatNetwork, type FloatTensor } from '../network/float.ts';
import type { FloatNetworkFile } from '../network/float-file.ts';
import { pruneNetwork } from './prune.ts';

/** Output values of one network run, per output node: canonical points × channels, row-major. */
type Outputs = Map<string, { points: number; channels: number; values: Float64Array }>;

export interface FloatComparison {
  /** SQNR (dB) of the INT8 network's outputs (dequantized) against the float network: quantization. */
  int8: number;
  /** SQNR of the float network with the same weights pruned away: pruning alone. */
  pruned: number;
  /** SQNR of the pruned INT8 network against the unpruned float one: both. */
  both: number;
  /** Fraction of points whose argmax differs from the float network's: INT8, pruned float, pruned INT8. */
  argmaxInt8: number;
  argmaxPruned: number;
  argmaxBoth: number;
}

export interface SensitivityRow {
  /** A conv node's name, or `all` for the chosen layers together. */
  layer: string;
  pruned: string[];
  /** Weights zeroed by pruning / non-zero weights before, over the pruned layers. */
  zeroed: number;
  nonZeros: number;
  /** SQNR (dB) of the pruned INT8 network's outputs against the unpruned one (Infinity: identical). */
  sqnrDb: number;
  /** Fraction of output points whose argmax class changed. */
  argmaxChanged: number;
  /** Cycle-model cycles the N:M accelerator saves on the pruned layers, and the share of the dense network's accelerator cycles. */
  cyclesSaved: number;
  cyclesSavedFraction: number;
  float?: FloatComparison;
}

export interface SensitivityReport {
  network: string;
  pattern: string;
  points: number;
  spec: { dense: string; sparse: string };
  /** Accelerator cycles of the whole network on the dense spec (cycle model). */
  denseCycles: number;
  /** The float reference, when a float network was given: quantization error of the unpruned network. */
  floatReference: { int8SqnrDb: number; argmaxInt8: number } | undefined;
  rows: SensitivityRow[];
}

export interface SensitivityOptions {
  pattern: NmPattern;
  /** Conv nodes to try one at a time (default: every conv node); `all` prunes these together. */
  layers?: string[];
  /** Accelerator for the cycles; its dense and N:M twins are compared. */
  spec: AcceleratorSpec;
  float?: FloatNetworkFile;
  widths?: ArithmeticWidths;
  onProgress?: (line: string) => void;
}

/** `spec` with `weightSparsity` set (dense or the pattern) and the stream widened to carry its words. */
export function withWeightSparsity(spec: AcceleratorSpec, pattern: string): AcceleratorSpec {
  const m = { ...spec.matrix, weightSparsity: pattern };
  const probe = { ...spec, matrix: m };
  const need = Math.max(inChannelsPerPass(probe) * spec.arithmetic.inWidth, spec.matrix.cols * (spec.arithmetic.weightWidth + weightIndexWidth(probe)));
  let axis = spec.interfaces.axisDataWidth;
  while (axis < need) axis *= 2;
  const suffix = pattern === 'dense' ? '_dense' : `_${pattern.replace(':', 'of')}`;
  const name = spec.name.endsWith(suffix) ? spec.name : `${spec.name.slice(0, 40 - suffix.length)}${suffix}`;
  // An N:M pass covers more input channels than an output word holds, so the twin cannot keep a
  // layer's output as the next layer's features (buffers.keepFeatures); the dense twin keeps it.
  const buffers = { ...spec.buffers, keepFeatures: spec.buffers.keepFeatures && pattern === 'dense' };
  return parseSpec({ ...spec, name, matrix: m, buffers, interfaces: { ...spec.interfaces, axisDataWidth: axis } });
}

function intOutputs(net: Network, r: ReturnType<typeof runNetwork>): Outputs {
  const out: Outputs = new Map();
  for (const name of net.outputs) {
    const t = r.result.nodes[name]!;
    const rows = t.features ?? t.accumulators ?? [];
    const channels = rows[0]?.length ?? 0;
    const values = new Float64Array(rows.length * channels);
    rows.forEach((row, i) => values.set(row, i * channels));
    out.set(name, { points: rows.length, channels, values });
  }
  return out;
}

function dequantized(o: Outputs, f: FloatNetworkFile): Outputs {
  const out: Outputs = new Map();
  for (const [name, t] of o) {
    const s = f.scales[name]?.outputScale;
    if (!s) throw new Error(`float network: no output scale for node ${name}`);
    out.set(name, { ...t, values: t.values.map((v, i) => v * s[i % t.channels]!) });
  }
  return out;
}

function floatOutputs(net: Network, m: Map<string, FloatTensor>): Outputs {
  const out: Outputs = new Map();
  for (const name of net.outputs) {
    const t = m.get(name)!;
    out.set(name, { points: t.coords.length, channels: t.channels, values: t.values });
  }
  return out;
}

/** 10·log10(Σ ref² / Σ (ref − x)²) over every output value; Infinity when x equals ref. */
export function sqnrDb(ref: Outputs, x: Outputs): number {
  let sig = 0;
  let noise = 0;
  for (const [name, r] of ref) {
    const v = x.get(name)!;
    if (v.values.length !== r.values.length) throw new Error(`output ${name}: ${v.values.length} values vs ${r.values.length}`);
    for (let i = 0; i < r.values.length; i++) {
      sig += r.values[i]! ** 2;
      noise += (r.values[i]! - v.values[i]!) ** 2;
    }
  }
  if (noise === 0) return Infinity;
  return 10 * Math.log10(sig / noise);
}

/** Fraction of output points (over every output node) whose argmax channel differs. */
export function argmaxChanged(ref: Outputs, x: Outputs): number {
  let points = 0;
  let changed = 0;
  const arg = (a: Float64Array, base: number, c: number) => {
    let best = 0;
    for (let k = 1; k < c; k++) if (a[base + k]! > a[base + best]!) best = k;
    return best;
  };
  for (const [name, r] of ref) {
    const v = x.get(name)!;
    for (let p = 0; p < r.points; p++) {
      points++;
      if (arg(r.values, p * r.channels, r.channels) !== arg(v.values, p * r.channels, r.channels)) changed++;
    }
  }
  return points === 0 ? 0 : changed / points;
}

export function sensitivity(net: Network, input: NodeTensor, o: SensitivityOptions): SensitivityReport {
  const p = o.pattern;
  const log = o.onProgress ?? (() => undefined);
  const convs = net.nodes.filter((n) => n.op === 'conv').map((n) => n.name);
  const layers = o.layers ?? convs;
  pruneNetwork(net, p, layers); // names checked here
  const run = (n: Network) => runNetwork(n, input, { widths: o.widths, keep: false });
  const base = run(net);
  const baseOut = intOutputs(net, base);

  const dense = withWeightSparsity(o.spec, 'dense');
  const sparse = withWeightSparsity(o.spec, nmName(p));
  const coords = base.tensors.get('input')!.coords;
  const cycles = (s: AcceleratorSpec) => new Map(estimateNetwork(s, net, coords).nodes.filter((r) => r.where === 'accelerator').map((r): [string, number] => [r.name, r.cycles.total]));
  const dc = cycles(dense);
  const sc = cycles(sparse);
  const denseCycles = [...dc.values()].reduce((a, b) => a + b, 0);
  const saved = (names: string[]) => names.reduce((s, n) => s + (dc.get(n)! - sc.get(n)!), 0);

  const f = o.float;
  let floatRef: Outputs | undefined;
  let int8Deq: Outputs | undefined;
  if (f) {
    for (const n of convs) if (!f.network.nodes.some((x) => x.name === n && x.op === 'conv')) throw new Error(`float network ${f.network.name} has no conv node ${n}: it is not the float form of ${net.name}`);
    floatRef = floatOutputs(net, runFloatNetwork(f.network, input, f.inputScale));
    int8Deq = dequantized(baseOut, f);
  }

  const rows: SensitivityRow[] = [];
  const variants: [string, string[]][] = [...layers.map((l): [string, string[]] => [l, [l]]), ['all', layers]];
  for (const [label, names] of variants) {
    const pr = pruneNetwork(net, p, names);
    const out = intOutputs(net, run(pr.network));
    const row: SensitivityRow = {
      layer: label,
      pruned: names,
      zeroed: pr.layers.reduce((s, l) => s + l.count.zeroed, 0),
      nonZeros: pr.layers.reduce((s, l) => s + l.count.nonZerosBefore, 0),
      sqnrDb: sqnrDb(baseOut, out),
      argmaxChanged: argmaxChanged(baseOut, out),
      cyclesSaved: saved(names),
      cyclesSavedFraction: denseCycles === 0 ? 0 : saved(names) / denseCycles,
    };
    if (f && floatRef && int8Deq) {
      // Pruning alone: the float weights where pruning zeroed the INT8 weight are zeroed too.
      const masked: Record<string, number[][][]> = {};
      for (const n of names) {
        const q = net.nodes.find((x) => x.name === n)!;
        const qp = pr.network.nodes.find((x) => x.name === n)!;
        const fl = f.network.nodes.find((x) => x.name === n)!;
        if (q.op !== 'conv' || qp.op !== 'conv' || fl.op !== 'conv') continue;
        masked[n] = fl.weights.map((wi, i) => wi.map((row, c) => row.map((w, k) => (q.weights[i]![c]![k] !== 0 && qp.weights[i]![c]![k] === 0 ? 0 : w))));
      }
      const prunedFloat = floatOutputs(net, runFloatNetwork(f.network, input, f.inputScale, masked));
      const bothDeq = dequantized(out, f);
      row.float = {
        int8: sqnrDb(floatRef, int8Deq),
        pruned: sqnrDb(floatRef, prunedFloat),
        both: sqnrDb(floatRef, bothDeq),
        argmaxInt8: argmaxChanged(floatRef, int8Deq),
        argmaxPruned: argmaxChanged(floatRef, prunedFloat),
        argmaxBoth: argmaxChanged(floatRef, bothDeq),
      };
    }
    rows.push(row);
    log(`${label}: SQNR ${fmtDb(row.sqnrDb)}, argmax changed ${(100 * row.argmaxChanged).toFixed(2)} %, ${row.cyclesSaved} cycles saved`);
  }
  return {
    network: net.name,
    pattern: nmName(p),
    points: coords.length,
    spec: { dense: dense.name, sparse: sparse.name },
    denseCycles,
    floatReference: floatRef && int8Deq ? { int8SqnrDb: sqnrDb(floatRef, int8Deq), argmaxInt8: argmaxChanged(floatRef, int8Deq) } : undefined,
    rows,
  };
}

export function fmtDb(v: number): string {
  return Number.isFinite(v) ? `${v.toFixed(1)} dB` : '∞ (identical)';
}

/** The human-readable table. */
export function formatSensitivity(r: SensitivityReport): string {
  const hasFloat = r.rows.some((x) => x.float);
  const head = ['layer', 'zeroed', 'SQNR vs INT8', 'argmax changed', 'cycles saved', ...(hasFloat ? ['float: INT8', 'pruned', 'both'] : [])];
  const db = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '∞');
  const rows = r.rows.map((x) => [
    x.layer,
    `${x.zeroed}/${x.nonZeros}`,
    `${db(x.sqnrDb)} dB`,
    `${(100 * x.argmaxChanged).toFixed(2)} %`,
    `${x.cyclesSaved} (${(100 * x.cyclesSavedFraction).toFixed(1)} %)`,
    ...(x.float ? [`${db(x.float.int8)} dB`, `${db(x.float.pruned)} dB`, `${db(x.float.both)} dB`] : hasFloat ? ['', '', ''] : []),
  ]);
  const all = [head, ...rows];
  const w = head.map((_, c) => Math.max(...all.map((row) => row[c]!.length)));
  const lines = all.map((row) => row.map((v, c) => (c === 0 ? v.padEnd(w[c]!) : v.padStart(w[c]!))).join('  ').trimEnd());
  const intro = [
    `${r.network}: ${r.pattern} pruning sensitivity on ${r.points} points; cycles: cycle model, ${r.spec.sparse} vs ${r.spec.dense} (${r.denseCycles} accelerator cycles dense)`,
    r.floatReference
      ? `float reference: INT8 quantization alone ${fmtDb(r.floatReference.int8SqnrDb)}, argmax differs from float on ${(100 * r.floatReference.argmaxInt8).toFixed(2)} % of points`
      : 'no float network given (--float): SQNR and argmax are against the unpruned INT8 network only',
  ];
  return `${[...intro, ...lines].join('\n')}\n`;
}
