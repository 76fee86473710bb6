// The network report of `net sim` and `net sim --model`: one row per node (where it ran, its
// workload, cycles and their phases, utilisation, bytes streamed, map reuse) and the totals
// (DESIGN.md §3: utilisation = Σ compute bound ÷ Σ cycles). The same shape from co-simulation
// (source 'rtl') and from the cycle model alone (source 'cycle-model').
import type { NodeOp } from '../model/network-types.ts';
import type { NodeStats } from '../model/network.ts';
import type { AccelStats } from '../sim/accel/driver.ts';
import type { PassGrouping } from '../model/pass-grouping.ts';

export const NETWORK_REPORT_FORMAT = 'sparseforge.network-report/1';

/** A node's cycles and their phases, as the host driver measures them (summed over its tiles). */
export type NodeCycles = Omit<AccelStats['cycles'], 'drainRows' | 'endToEnd'>;

export interface NodeRow {
  name: string;
  op: NodeOp;
  /** 'subm k3', 'conv k2 s2', 'deconv k2 s2', 'add', 'concat'. */
  kind: string;
  /** Conv nodes run on the accelerator; add and concat in the host driver. */
  where: 'accelerator' | 'host';
  pointsIn: number;
  pointsOut: number;
  inTensorStride: number;
  outTensorStride: number;
  inChannels: number;
  outChannels: number;
  mapEntries: number;
  macs: number;
  /** Σ_i |map_i| · ⌈Cin/rows⌉ · ⌈Cout/cols⌉ (0 on the host). */
  computeBound: number;
  tiles: number;
  /**
   * Tiled odd-k submanifold nodes: 'core' when the tiles ran core-only (stride-1 transposed runs
   * over each tile's core, no halo outputs computed), 'halo' when each tile computed every point it
   * streamed (model/tile-choice.ts; the host driver picks the faster with the cycle model).
   */
  tiling?: 'halo' | 'core';
  /** The cycle model's totals of both tile plans when the host chose between them (estimate only). */
  tilingPredicted?: { halo?: number; core?: number };
  /** The node ran with LAYER_TYPE.REUSE_MAP (no coordinates sent, no mapping). */
  reused: boolean;
  /** Accelerator nodes: the scheduler's pass grouping the host chose with the cycle model (LAYER_TYPE.GROUPING). */
  passGrouping?: PassGrouping;
  /** The cycle model's total under each pass-grouping policy the spec supports (estimate only). */
  passGroupingPredicted?: Partial<Record<PassGrouping, number>>;
  /** Co-simulation counters (source 'rtl'), or the cycle model's phases (source 'cycle-model'). */
  cycles: NodeCycles;
  /** computeBound / cycles.total. */
  utilisation: number;
  /** AXI4-Stream bytes into and out of the accelerator. */
  bytesIn: number;
  bytesOut: number;
  /** bytesIn + bytesOut of the same runs without fusion (every feature streamed in, every word out). */
  bytesNoFusion: number;
  /**
   * Fusion across layers (conv nodes): the input features came from the feature buffer; the output
   * was kept there for the next conv; it was streamed out (else only its coordinates were seen).
   */
  fusion?: { featOnChip: boolean; keptOut: boolean; streamedOut: boolean; refusal?: string };
  /**
   * The cycle model: the drain port's epoch-wrap sweeps before this node's STARTs (flagSweepCycles):
   * BUSY time outside `cycles.total`. RTL: counted from each harness run's reset; cycle model: one
   * continuous run of the whole network from reset.
   */
  sweepCycles?: number;
  /** The cycle model's breakdown of the node's predicted cycles (plan-hw.ts modelLoss): where the loss against the compute bound went. */
  loss?: NodeLoss;
  /**
   * Pass-list replay (gatherScatter.passListDepth > 0; cycle model): over the node's runs, the
   * longest list recorded, the channel-tile pairs replayed, and the runs whose list did not fit
   * (walked in every pair).
   */
  passList?: { longest: number; replayedPairs: number; fallbacks: number };
  /** The cycle model: predicted total with the same reuse, and without any reuse. */
  model: { total: number; noReuse: number; /** (predicted − measured) / measured; rtl only. */ error?: number };
  /** rtl only: bit-exact against the golden network. */
  match?: boolean;
  mismatches?: number;
}

/**
 * The cycle model's account of a node's cycles, summed over its runs (tiles): total = bound + halo
 * + startup + tileLoad + weightStream + schedule + descFifo + outStream + tail. halo: rows the
 * matrix unit computed beyond the compute bound (tile halos; odd-k centre passes count their
 * rows in the bound); startup: per run, START → its first row (coordinate load, tables, first
 * weight pair, features, map); tileLoad / weightStream / schedule / descFifo: idle cycles between
 * passes by what held the next one (a weight-tile load longer than the previous pass; the weight
 * ring not yet holding the tile; the scheduler not having issued it; a full descriptor FIFO);
 * outStream: a final pass held by the output stream; tail: last row → DONE (drain, post-processing).
 */
export interface NodeLoss {
  bound: number;
  halo: number;
  startup: number;
  tileLoad: number;
  weightStream: number;
  schedule: number;
  descFifo: number;
  outStream: number;
  tail: number;
}

export interface KindTotals {
  kind: string;
  nodes: number;
  cycles: number;
  computeBound: number;
  utilisation: number;
}

export interface NetworkReport {
  format: typeof NETWORK_REPORT_FORMAT;
  network: string;
  spec: string;
  source: 'rtl' | 'cycle-model';
  inputPoints: number;
  reuse: boolean;
  /** Fusion across layers: 'off', 'on' or 'debug' (network/plan-hw.ts). */
  fusion?: string;
  /** The clock given for the time figures (net sim --clock-mhz); absent when none was given. */
  clockMhz?: number;
  /**
   * The estimated Fmax range of the accelerator top (synth --timing, cached), when there is one:
   * the time figures are at its ends when no clock was given, and a given clock is compared with it.
   */
  clockEstimate?: ClockRange;
  nodes: NodeRow[];
  totals: {
    /** Σ cycles of the accelerator nodes (measured with 'rtl'). */
    cycles: number;
    /** The cycle model's Σ with the same reuse, and with no map reuse at all. */
    modelCycles: number;
    modelCyclesNoReuse: number;
    macs: number;
    computeBound: number;
    /** computeBound / cycles. */
    utilisation: number;
    bytesIn: number;
    bytesOut: number;
    offChipBytes: number;
    /** Off-chip bytes of the same runs without fusion. */
    offChipBytesNoFusion: number;
    /** Conv nodes whose input features came from chip. */
    fusedNodes: number;
    /** Σ epoch-wrap sweeps (cycle model, NodeRow.sweepCycles): outside `cycles`, inside the time figures. */
    sweepCycles: number;
    /** cycles + sweepCycles at clockMhz (only with clockMhz). */
    timeMs?: number;
    timeMsNoReuse?: number;
    /** cycles at the ends of clockEstimate (only with clockEstimate): min at its fast end, max at its slow end. */
    timeMsAtEstimate?: { min: number; max: number; noReuseMin: number; noReuseMax: number };
    accelNodes: number;
    hostNodes: number;
    reusedNodes: number;
    byKind: KindTotals[];
  };
  /** rtl only. */
  match?: boolean;
  /** rtl only: the first mismatching node (topological order) and its report. */
  firstMismatch?: { node: string; report: string };
  run?: { wallMs: number; harnessRuns: number; simulatedCycles: number; buildMs: number };
}

/** An estimated Fmax range (MHz) of an accelerator top on a speed grade (generator/synth/timing.ts). */
export interface ClockRange {
  top: string;
  grade: number;
  minMhz: number;
  maxMhz: number;
}

export function nodeKind(s: Pick<NodeStats, 'op' | 'layerType' | 'kernelSize' | 'stride'>): string {
  if (s.op !== 'conv') return s.op;
  const t = s.layerType === 'submanifold' ? 'subm' : s.layerType === 'transposed' ? 'deconv' : 'conv';
  return `${t} k${s.kernelSize}${s.layerType === 'submanifold' ? '' : ` s${s.stride}`}`;
}

/** A host-side row (add / concat): no accelerator cycles or traffic. */
export function hostRow(s: NodeStats): NodeRow {
  return {
    name: s.name, op: s.op, kind: nodeKind(s), where: 'host', pointsIn: s.pointsIn, pointsOut: s.pointsOut,
    inTensorStride: s.inTensorStride, outTensorStride: s.outTensorStride, inChannels: s.inChannels, outChannels: s.outChannels,
    mapEntries: 0, macs: 0, computeBound: 0, tiles: 0, reused: false,
    cycles: { total: 0, coordLoad: 0, measured: 0, mapping: 0, compute: 0, stall: 0, tail: 0 },
    utilisation: 0, bytesIn: 0, bytesOut: 0, bytesNoFusion: 0, model: { total: 0, noReuse: 0 },
  };
}

/** Totals over the rows. */
export function summarize(
  base: Omit<NetworkReport, 'totals' | 'format'>,
): NetworkReport {
  const acc = base.nodes.filter((n) => n.where === 'accelerator');
  const sum = (f: (n: NodeRow) => number) => acc.reduce((a, n) => a + f(n), 0);
  const cycles = sum((n) => n.cycles.total);
  const computeBound = sum((n) => n.computeBound);
  const kinds = new Map<string, KindTotals>();
  for (const n of acc) {
    const k = kinds.get(n.kind) ?? { kind: n.kind, nodes: 0, cycles: 0, computeBound: 0, utilisation: 0 };
    k.nodes++;
    k.cycles += n.cycles.total;
    k.computeBound += n.computeBound;
    kinds.set(n.kind, k);
  }
  for (const k of kinds.values()) k.utilisation = k.cycles > 0 ? k.computeBound / k.cycles : 0;
  const bytesIn = sum((n) => n.bytesIn);
  const bytesOut = sum((n) => n.bytesOut);
  const modelCyclesNoReuse = sum((n) => n.model.noReuse);
  const modelCycles = sum((n) => n.model.total);
  // The accelerator is BUSY for the epoch-wrap sweeps too: they count in the time figures.
  const sweepCycles = sum((n) => n.sweepCycles ?? 0);
  const busy = cycles + sweepCycles;
  // Without reuse: the measured cycles plus what the model says reuse saved.
  const noReuse = busy + (modelCyclesNoReuse - modelCycles);
  const ms = (c: number, mhz: number) => c / (mhz * 1e3);
  const given = base.clockMhz;
  const est = base.clockEstimate;
  return {
    format: NETWORK_REPORT_FORMAT,
    ...base,
    totals: {
      cycles, modelCycles, modelCyclesNoReuse, macs: sum((n) => n.macs), computeBound,
      utilisation: cycles > 0 ? computeBound / cycles : 0, bytesIn, bytesOut, offChipBytes: bytesIn + bytesOut,
      offChipBytesNoFusion: sum((n) => n.bytesNoFusion), fusedNodes: acc.filter((n) => n.fusion?.featOnChip).length, sweepCycles,
      ...(given !== undefined ? { timeMs: ms(busy, given), timeMsNoReuse: ms(noReuse, given) } : {}),
      ...(est !== undefined
        ? { timeMsAtEstimate: { min: ms(busy, est.maxMhz), max: ms(busy, est.minMhz), noReuseMin: ms(noReuse, est.maxMhz), noReuseMax: ms(noReuse, est.minMhz) } }
        : {}),
      accelNodes: acc.length, hostNodes: base.nodes.length - acc.length,
      reusedNodes: acc.filter((n) => n.reused).length, byKind: [...kinds.values()],
    },
  };
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const kb = (b: number) => (b / 1024).toFixed(1);

/** The per-node table and the totals, as printed by `net sim`. */
export function formatNetworkReport(r: NetworkReport): string {
  const rtl = r.source === 'rtl';
  const head = ['node', 'op', 'on', 'points in→out', 'ts', 'ch', 'map entries', 'MACs', 'cycles', 'coord', 'mapping', 'compute', 'stall', 'tail',
    'util', 'KB in', 'KB out', 'tiles', 'reuse', 'features in→out', 'grouping', rtl ? 'model err' : 'no-reuse cyc'];
  const rows = r.nodes.map((n) => {
    const a = n.where === 'accelerator';
    const d = (v: string) => (a ? v : '-');
    return [
      n.name, n.kind, a ? 'accel' : 'host', `${n.pointsIn}→${n.pointsOut}`,
      n.inTensorStride === n.outTensorStride ? String(n.outTensorStride) : `${n.inTensorStride}→${n.outTensorStride}`,
      n.op === 'conv' ? `${n.inChannels}→${n.outChannels}` : String(n.outChannels),
      d(int(n.mapEntries)), d(int(n.macs)), d(int(n.cycles.total)), d(int(n.cycles.coordLoad)), d(int(n.cycles.mapping)),
      d(int(n.cycles.compute)), d(int(n.cycles.stall)), d(int(n.cycles.tail)), d(pct(n.utilisation)), d(kb(n.bytesIn)), d(kb(n.bytesOut)),
      // 'core': core-only tiles (no halo outputs computed; model/tile-choice.ts).
      a ? `${n.tiles}${n.tiling === 'core' ? ' core' : ''}` : '-',
      a ? (n.reused ? 'yes' : 'no') : '-',
      a ? fusionCell(n) : '-',
      a ? (n.passGrouping ?? '-') : '-',
      a ? (rtl ? `${n.model.error! >= 0 ? '+' : ''}${(100 * n.model.error!).toFixed(2)}%` : int(n.model.noReuse)) : '-',
    ];
  });
  const all = [head, ...rows];
  const w = head.map((_, c) => Math.max(...all.map((x) => x[c]!.length)));
  const left = new Set([0, 1, 2]);
  const table = all.map((x) => x.map((v, c) => (left.has(c) ? v.padEnd(w[c]!) : v.padStart(w[c]!))).join('  ').trimEnd()).join('\n');
  const t = r.totals;
  const lines = [
    table,
    '',
    `${r.network} on ${r.spec} (${rtl ? 'co-simulation' : 'cycle model'}), ${int(r.inputPoints)} input points: ` +
      `${t.accelNodes} conv nodes on the accelerator (${t.reusedNodes} reusing the map on chip), ${t.hostNodes} add/concat nodes in the host driver`,
    `cycles ${int(t.cycles)}${rtl ? ` (cycle model ${int(t.modelCycles)}, ${signedPct((t.modelCycles - t.cycles) / Math.max(1, t.cycles))})` : ''}; ` +
      `without map reuse ${int(t.cycles + t.modelCyclesNoReuse - t.modelCycles)}${rtl && r.reuse ? ' (cycle model)' : ''}` +
      (t.sweepCycles > 0 ? `; epoch-wrap sweeps ${int(t.sweepCycles)} more (drain port, cycle model; in the time figures)` : ''),
    `MACs ${int(t.macs)}, compute bound ${int(t.computeBound)} cycles, utilisation ${pct(t.utilisation)} (Σ bound ÷ Σ cycles)`,
    `off-chip ${(t.offChipBytes / 1e6).toFixed(3)} MB (in ${(t.bytesIn / 1e6).toFixed(3)}, out ${(t.bytesOut / 1e6).toFixed(3)}); ` +
      `without fusion ${(t.offChipBytesNoFusion / 1e6).toFixed(3)} MB` +
      (t.offChipBytesNoFusion > 0 ? ` (fusion ${r.fusion ?? 'off'}: ${t.fusedNodes} conv nodes read their features on chip, ${pct(1 - t.offChipBytes / t.offChipBytesNoFusion)} saved)` : ''),
    timeLine(r),
    `utilisation by layer kind: ${t.byKind.map((k) => `${k.kind} ${pct(k.utilisation)} (${k.nodes})`).join(', ')}`,
  ];
  // Outputs kept on chip only (fusion on) were never seen by the host: say what was compared.
  const unseen = r.nodes.filter((n) => n.fusion?.keptOut && !n.fusion.streamedOut).length;
  if (rtl && r.match && unseen > 0) {
    lines.push(`bit-exact: every streamed node matches the golden network; ${unseen} conv node${unseen === 1 ? '' : 's'} kept ${unseen === 1 ? 'its' : 'their'} output on chip only ` +
      `(coordinates compared, features through the nodes computed from them; --fusion debug compares every node)`);
  } else if (rtl) lines.push(r.match ? `bit-exact: every node matches the golden network` : `MISMATCH at node ${r.firstMismatch?.node}`);
  return `${lines.join('\n')}\n`;
}

/**
 * The time figures, never at a clock the reader is not told about: at a given clock (compared with
 * the cached Fmax estimate when there is one), else at the ends of the estimate, else none.
 */
export function timeLine(r: NetworkReport): string {
  const t = r.totals;
  const e = r.clockEstimate;
  const range = e ? `${e.minMhz.toFixed(0)} … ${e.maxMhz.toFixed(0)} MHz` : '';
  const estName = e ? `the estimated Fmax of ${e.top} (xc7 -${e.grade}, synth --timing): ${range}` : '';
  if (r.clockMhz !== undefined && t.timeMs !== undefined && t.timeMsNoReuse !== undefined) {
    const vs = !e ? `no clock estimate cached for ${r.spec} (sparseforge synth --timing with the same spec)`
      : r.clockMhz > e.maxMhz ? `ABOVE ${estName}`
      : r.clockMhz < e.minMhz ? `below ${estName}`
      : `within ${estName}`;
    return `time at ${r.clockMhz} MHz (given; ${vs}): ${t.timeMs.toFixed(3)} ms (${t.timeMsNoReuse.toFixed(3)} ms without map reuse), accelerator only`;
  }
  if (e && t.timeMsAtEstimate) {
    const x = t.timeMsAtEstimate;
    return `time at ${estName}: ${x.min.toFixed(3)} … ${x.max.toFixed(3)} ms (${x.noReuseMin.toFixed(3)} … ${x.noReuseMax.toFixed(3)} ms without map reuse), accelerator only`;
  }
  return `time: no clock (no estimate cached for ${r.spec}: run sparseforge synth --timing with the same spec, or give --clock-mhz F)`;
}

/** Where a conv node's features came from and where its output went: 'stream→stream', 'chip→kept', 'stream→kept+stream'. */
function fusionCell(n: NodeRow): string {
  const f = n.fusion;
  if (f === undefined) return 'stream→stream';
  return `${f.featOnChip ? 'chip' : 'stream'}→${f.keptOut ? (f.streamedOut ? 'kept+stream' : 'kept') : 'stream'}`;
}

function signedPct(x: number): string {
  return `${x >= 0 ? '+' : ''}${(100 * x).toFixed(2)}%`;
}
