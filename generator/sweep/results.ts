// The results of a sweep: per point its parameters, resources and per-workload cycles; Pareto
// fronts; the CSV and JSON files. Everything here is a function of the grid and the tools'
// answers — no clock, no host name — so a sharded sweep merged back together gives files
// byte-identical to the unsharded run (run.json holds the timings).
import type { Issue } from '../dsl/schema.ts';
import type { AcceleratorSpec } from '../dsl/spec.ts';
import { CYCLE_MODEL, CYCLE_MODEL_REPLAY, type CyclePrediction } from '../model/cycle-model.ts';
import type { LayerShape } from '../model/types.ts';
import type { UnitLint } from './rtl-units.ts';
import type { VerifyOutcome } from './verify.ts';

export const RESULTS_FORMAT = 'sparseforge.sweep-results/1';

export interface Resources {
  luts: number;
  ffs: number;
  dsp48: number;
  ramb18: number;
  ramb36: number;
  /** Block RAM in RAMB36 equivalents: ramb36 + ramb18 / 2. */
  bram36: number;
  lutram: number;
  latches: number;
  /** Per root module (unit) of the emission. */
  units: Record<string, { luts: number; ffs: number; dsp48: number; ramb18: number; ramb36: number; lutram: number }>;
}

/** The 7-series clock estimate of a point (generator/synth/estimate.ts): a range, not a promise. */
export interface PointTiming {
  /** Estimated Fmax (MHz) per speed grade: min with slow nets, max with fast nets. */
  fmaxMHz: { '-1': { min: number; max: number }; '-2': { min: number; max: number } };
  /** The critical path at -2 with slow nets. */
  critical: { module: string; start: string; end: string; levels: number };
}

export type Cycles = Pick<CyclePrediction, 'total' | 'load' | 'mapping' | 'compute' | 'drain' | 'tiling'>;

export interface WorkloadOutcome {
  /** False when the accelerator cannot run the layer (kernel, stride, type, channels, coordinates). */
  supported: boolean;
  reason?: string;
  /** Which cycle-model method answered (generator/model/cycle-model.ts). */
  model?: 'replay' | 'first-order';
  cycles?: Cycles;
  computeBound?: number;
  utilisation?: number;
  tiles?: number;
  overflows?: string[];
  /** Time on a -2 7-series part (µs): cycles at the estimated Fmax range (with synthesis). */
  timeUs?: { min: number; max: number };
  verify?: VerifyOutcome;
  /** Network workloads: the network figures of the cycle model's estimate (net sim --model). */
  network?: NetworkOutcome;
}

export interface NetworkOutcome {
  /** The cycle model's total with no map reuse at all (`cycles.total` is with reuse). */
  cyclesNoReuse: number;
  offChipBytes: number;
  convNodes: number;
  hostNodes: number;
  reusedNodes: number;
  /** Per layer kind ('subm k3', 'conv k2 s2', …): cycles and utilisation. */
  byKind: Record<string, { cycles: number; utilisation: number }>;
}

export interface PointResult {
  id: string;
  index: number;
  params: Record<string, unknown>;
  status: 'ok' | 'invalid' | 'failed';
  /** invalid: the first broken rule; failed: the error. */
  error?: string;
  issues?: Issue[];
  /** Cache key (absent for invalid points). */
  key?: string;
  configHash?: string;
  rtlHash?: string;
  spec?: AcceleratorSpec;
  lint?: { ok: boolean; warnings: number; messages: string[] };
  resources?: Resources;
  timing?: PointTiming;
  workloads: Record<string, WorkloadOutcome>;
}

export interface WorkloadSummary {
  name: string;
  hash: string;
  description: string;
  layer: LayerShape;
  pointsIn: number;
  pointsOut: number;
  mapEntries: number;
  macs: number;
  /** Network workloads: the network (layer is its first conv node; points/entries/MACs are the network's). */
  network?: { name: string; nodes: number; convNodes: number };
}

export type ParetoResource = 'luts' | 'dsp48' | 'bram36';
export const PARETO_RESOURCES: ParetoResource[] = ['luts', 'dsp48', 'bram36'];

export interface SweepResults {
  format: typeof RESULTS_FORMAT;
  name: string;
  /** Grid file relative to the project root (absolute when outside it). */
  grid: string;
  gridHash: string;
  generator: { name: string; version: string };
  /** The cycle-model method(s) behind the predictions, and how many predictions each made. */
  cycleModel: { methods: { name: string; version: number; calibrated: boolean; predictions: number }[] };
  base: string;
  /** The varied spec fields. */
  parameters: string[];
  steps: { lint: boolean; synth: boolean; verify: boolean };
  workloads: WorkloadSummary[];
  /** Points in the whole grid. */
  totalPoints: number;
  /** Present on the results of one shard. */
  shard?: { index: number; count: number };
  /** Ids of points of this run (shard) that have no result (interrupted run). */
  missing: string[];
  points: PointResult[];
  /** Per workload and resource: the ids of the points on the front (cycles vs resource), by rising resource. */
  pareto: Record<string, Record<ParetoResource, string[]>>;
  /** The same fronts in time (µs at the slow end of the -2 Fmax estimate) instead of cycles. */
  paretoTime?: Record<string, Record<ParetoResource, string[]>>;
}

/** Points not dominated in (resource, cycles), both minimised; ties on both stay on the front. */
export function paretoFront(items: { id: string; x: number; y: number }[]): string[] {
  const sorted = [...items].sort((a, b) => a.x - b.x || a.y - b.y || (a.id < b.id ? -1 : 1));
  const front: string[] = [];
  let bestY = Infinity;
  let last: { x: number; y: number } | undefined;
  for (const p of sorted) {
    if (p.y < bestY || (last && p.x === last.x && p.y === last.y)) {
      front.push(p.id);
      bestY = Math.min(bestY, p.y);
      last = p;
    }
  }
  return front;
}

/** How many predictions each cycle-model method made (replay first). */
export function cycleModelSummary(points: PointResult[]): SweepResults['cycleModel'] {
  const count = { replay: 0, 'first-order': 0 };
  for (const p of points) for (const o of Object.values(p.workloads)) if (o.model) count[o.model]++;
  return {
    methods: [
      { ...CYCLE_MODEL_REPLAY, predictions: count.replay },
      { ...CYCLE_MODEL, predictions: count['first-order'] },
    ].filter((m) => m.predictions > 0),
  };
}

/** The figure a front minimises: cycles, or time at the slow end of the estimated clock. */
export type ParetoMetric = 'cycles' | 'time';
export function metricOf(o: WorkloadOutcome | undefined, metric: ParetoMetric): number | undefined {
  return metric === 'cycles' ? o?.cycles?.total : o?.timeUs?.max;
}

export function computePareto(points: PointResult[], workloads: string[], metric: ParetoMetric = 'cycles'): SweepResults['pareto'] {
  const out: SweepResults['pareto'] = {};
  for (const w of workloads) {
    const fronts = {} as Record<ParetoResource, string[]>;
    for (const r of PARETO_RESOURCES) {
      const items = points.flatMap((p) => {
        const y = metricOf(p.workloads[w], metric);
        return p.status === 'ok' && p.resources && y !== undefined ? [{ id: p.id, x: p.resources[r], y }] : [];
      });
      fronts[r] = paretoFront(items);
    }
    out[w] = fronts;
  }
  return out;
}

function csvCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = typeof v === 'number' ? (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)))) : typeof v === 'string' ? v : JSON.stringify(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One row per (point, workload): the long format that spreadsheets and pandas pivot easily. */
export function resultsCsv(r: SweepResults): string {
  const header = [
    'point',
    'status',
    ...r.parameters,
    'luts',
    'ffs',
    'dsp48',
    'ramb18',
    'ramb36',
    'bram36',
    'lutram',
    'lint_warnings',
    'workload',
    'supported',
    'cycles_total',
    'cycles_load',
    'cycles_mapping',
    'cycles_compute',
    'cycles_drain',
    'cycles_tiling',
    'compute_bound',
    'utilisation',
    'tiles',
    'pareto_luts',
    'pareto_dsp48',
    'pareto_bram36',
    'fmax_min_mhz',
    'fmax_max_mhz',
    'time_us_min',
    'time_us_max',
    'pareto_time_luts',
    'pareto_time_dsp48',
    'pareto_time_bram36',
    'cycle_model',
    'verify',
    'verify_cycles',
    'model_error',
    'error',
  ];
  const rows = [header.map(csvCell).join(',')];
  const onFront = (w: string, res: ParetoResource, id: string) => (r.pareto[w]?.[res] ?? []).includes(id);
  const onTimeFront = (w: string, res: ParetoResource, id: string) => (r.paretoTime?.[w]?.[res] ?? []).includes(id);
  for (const p of r.points) {
    for (const w of r.workloads) {
      const o = p.workloads[w.name];
      const res = p.resources;
      const v = o?.verify;
      rows.push(
        [
          p.id,
          p.status,
          ...r.parameters.map((k) => p.params[k]),
          res?.luts,
          res?.ffs,
          res?.dsp48,
          res?.ramb18,
          res?.ramb36,
          res?.bram36,
          res?.lutram,
          p.lint?.warnings,
          w.name,
          o ? o.supported : undefined,
          o?.cycles?.total,
          o?.cycles?.load,
          o?.cycles?.mapping,
          o?.cycles?.compute,
          o?.cycles?.drain,
          o?.cycles?.tiling,
          o?.computeBound,
          o?.utilisation,
          o?.tiles,
          res && o?.cycles ? onFront(w.name, 'luts', p.id) : undefined,
          res && o?.cycles ? onFront(w.name, 'dsp48', p.id) : undefined,
          res && o?.cycles ? onFront(w.name, 'bram36', p.id) : undefined,
          p.timing?.fmaxMHz['-2'].min,
          p.timing?.fmaxMHz['-2'].max,
          o?.timeUs?.min,
          o?.timeUs?.max,
          res && o?.timeUs ? onTimeFront(w.name, 'luts', p.id) : undefined,
          res && o?.timeUs ? onTimeFront(w.name, 'dsp48', p.id) : undefined,
          res && o?.timeUs ? onTimeFront(w.name, 'bram36', p.id) : undefined,
          o?.model,
          v?.status,
          v?.measured?.total,
          v?.modelError,
          p.error ?? o?.reason,
        ]
          .map(csvCell)
          .join(','),
      );
    }
  }
  return `${rows.join('\n')}\n`;
}

export function resultsJson(r: SweepResults): string {
  return `${JSON.stringify(r, null, 1)}\n`;
}
