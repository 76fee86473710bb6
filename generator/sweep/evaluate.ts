// Evaluation of one sweep point: emit, lint and synthesize its RTL units, predict cycles on every
// workload, optionally co-simulate. External tools (Verilator, Yosys) run under one shared limit
// of `jobs` processes, and a unit that two points share is processed once (in-flight requests are
// joined), so the limit counts real processes, not points.
import { join } from 'node:path';
import { configHash } from '../dsl/derive/index.ts';
import type { AcceleratorSpec } from '../dsl/spec.ts';
import { GENERATOR_VERSION } from '../dsl/version.ts';
import type { EmitResult } from '../emit/index.ts';
import { predictCycles, type CyclePrediction } from '../model/cycle-model.ts';
import { cycleModelRuns } from '../model/cycle-model-runs.ts';
import { FieldError } from '../model/errors.ts';
import { checkCaseForSpec, hardwareCase } from '../sim/accel/check.ts';
import { checkWeightPattern } from '../sim/accel/sparse.ts';
import { workloadForSpec } from './sparsity.ts';
import { buildAccel } from '../sim/accel/rtl.ts';
import { TilingError } from '../model/tiles.ts';
import { nodeLayerShape } from '../model/network-plan.ts';
import type { LayerCase } from '../model/types.ts';
import { estimateNetwork } from '../network/estimate.ts';
import type { NetworkReport } from '../network/report.ts';
import { fmaxRange, type CornerEstimate } from '../synth/estimate.ts';
import type { SynthCounts } from '../synth/yosys.ts';
import { hashJson, SWEEP_CACHE_VERSION } from './cache.ts';
import type { PointDef } from './grid.ts';
import type { PointResult, PointTiming, Resources, WorkloadOutcome } from './results.ts';
import { designUnits, lintUnit, synthUnit, type RtlUnit, type UnitLint } from './rtl-units.ts';
import { verifyWorkload } from './verify.ts';
import type { PreparedWorkload } from './workloads.ts';

export interface Steps {
  lint: boolean;
  synth: boolean;
  verify: boolean;
}

export interface Counters {
  /** Yosys runs (units not found in the synthesis cache). */
  synthRuns: number;
  lintRuns: number;
  simBuilds: number;
  simRuns: number;
}

/** A counting semaphore for external processes. */
export class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(n: number) {
    this.free = Math.max(1, n);
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((r) => this.waiting.push(r));
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}

export interface EvalContext {
  steps: Steps;
  workloads: PreparedWorkload[];
  cacheRoot: string;
  modelHash: string;
  tools: { yosys: string | null; verilator: string | null };
  slots: Slots;
  counters: Counters;
  /** In-flight and finished unit jobs by kind and unit hash. */
  memo: Map<string, Promise<unknown>>;
}

export interface PlannedPoint {
  def: PointDef & { spec: AcceleratorSpec };
  emitted: EmitResult;
  units: RtlUnit[];
  rtlHash: string;
  key: string;
}

/** Everything a point's result depends on; equal keys give equal results. */
export function pointKey(ctx: Pick<EvalContext, 'steps' | 'workloads' | 'modelHash' | 'tools'>, spec: AcceleratorSpec, rtlHash: string): string {
  return hashJson({
    v: SWEEP_CACHE_VERSION,
    generator: GENERATOR_VERSION,
    spec,
    rtlHash,
    workloads: ctx.workloads.map((w) => [w.name, w.hash]),
    model: ctx.modelHash,
    steps: ctx.steps,
    tools: ctx.tools,
  });
}

function memo<T>(ctx: EvalContext, key: string, fn: () => Promise<T>): Promise<T> {
  let p = ctx.memo.get(key) as Promise<T> | undefined;
  if (!p) {
    p = fn();
    ctx.memo.set(key, p);
    // A failure is not remembered: the next point asks again.
    p.catch(() => ctx.memo.delete(key));
  }
  return p;
}

const signedFits = (lo: number, hi: number, bits: number) => lo >= -(2 ** (bits - 1)) && hi <= 2 ** (bits - 1) - 1;

/**
 * Why the accelerator cannot run the workload as given, or undefined when it can: what the host
 * driver refuses (generator/sim/accel/check.ts), and data wider than the datapath.
 */
export function unsupportedReason(spec: AcceleratorSpec, w: PreparedWorkload): string | undefined {
  if (w.network) {
    // Every conv node as the host driver would check it.
    const { net, shapes } = w.network;
    for (const n of net.nodes) {
      if (n.op !== 'conv') continue;
      const c: LayerCase = { layer: nodeLayerShape(shapes.plan, n), input: { coords: shapes.coords.get(n.inputs[0])!, features: [] }, weights: n.weights };
      if (n.bias !== undefined) c.bias = n.bias;
      if (n.requant !== undefined) c.requant = n.requant;
      if (n.outputCoordsOf !== undefined) c.outputCoords = shapes.coords.get(n.outputCoordsOf)!;
      try {
        // Coordinates are re-based per batch as the host driver does (model/rebase.ts).
        checkCaseForSpec(spec, hardwareCase(spec, c).hc);
        checkWeightPattern(spec, c);
      } catch (e) {
        if (e instanceof FieldError) return `node ${JSON.stringify(n.name)}: ${e.message}`;
        throw e;
      }
    }
  } else {
    try {
      // Coordinates are re-based per batch as the host driver does (model/rebase.ts).
      checkCaseForSpec(spec, hardwareCase(spec, w.case).hc);
      checkWeightPattern(spec, w.case);
    } catch (e) {
      if (e instanceof FieldError) return e.message;
      throw e;
    }
  }
  const x = w.extent;
  const a = spec.arithmetic;
  if (!signedFits(x.featureMin, x.featureMax, a.inWidth)) return `input.features: values [${x.featureMin}, ${x.featureMax}] exceed arithmetic.inWidth ${a.inWidth}`;
  if (!signedFits(x.weightMin, x.weightMax, a.weightWidth)) return `weights: values [${x.weightMin}, ${x.weightMax}] exceed arithmetic.weightWidth ${a.weightWidth}`;
  return undefined;
}

/**
 * The cycle model on the layer's hardware runs — the tiles the host driver cuts — which selects
 * its calibrated schedule replay. A layer the driver cannot tile on this spec (a neighbourhood
 * larger than the buffers) is unsupported, with the driver's reason.
 */
export function predictWorkload(spec: AcceleratorSpec, w: PreparedWorkload): CyclePrediction | { unsupported: string } {
  if (w.network) {
    const r = predictNetwork(spec, w);
    return 'unsupported' in r ? r : r.prediction;
  }
  let runs;
  try {
    runs = cycleModelRuns(spec, w.case).runs;
  } catch (e) {
    if (e instanceof TilingError) return { unsupported: `host tiling: ${e.message}` };
    throw e;
  }
  return predictCycles(spec, w.stats, { ...w.layer, runs });
}

/**
 * A network workload: the cycle model's network estimate (net sim --model) as one prediction —
 * cycles, phases and compute bound summed over the conv nodes — and the network figures.
 */
export function predictNetwork(spec: AcceleratorSpec, w: PreparedWorkload): { prediction: CyclePrediction; report: NetworkReport } | { unsupported: string } {
  const { net, input } = w.network!;
  let report: NetworkReport;
  try {
    report = estimateNetwork(spec, net, input.coords);
  } catch (e) {
    if (e instanceof FieldError) return { unsupported: e.message };
    throw e;
  }
  const acc = report.nodes.filter((n) => n.where === 'accelerator');
  const sum = (f: (n: (typeof acc)[number]) => number) => acc.reduce((a, n) => a + f(n), 0);
  const T = report.totals;
  const prediction: CyclePrediction = {
    method: 'replay', total: T.cycles, load: sum((n) => n.cycles.coordLoad), mapping: sum((n) => n.cycles.mapping), compute: sum((n) => n.cycles.compute),
    drain: sum((n) => n.cycles.tail), tiling: 0, computeBound: T.computeBound, utilisation: T.utilisation, tiles: sum((n) => n.tiles), overflows: [],
    detail: { coordBeats: sum((n) => n.cycles.coordLoad), featureBeats: 0, weightBeats: 0, paramBeats: 0, downsample: 0, merge: 0, mergedOffsets: 0, comparisons: 0, passes: 0, outBeats: 0 },
  };
  return { prediction, report };
}

function sumCounts(units: { root: string; counts: SynthCounts }[]): Resources {
  const r: Resources = { luts: 0, ffs: 0, dsp48: 0, ramb18: 0, ramb36: 0, bram36: 0, lutram: 0, latches: 0, units: {} };
  for (const { root, counts: c } of units) {
    r.luts += c.luts;
    r.ffs += c.ffs;
    r.dsp48 += c.dsp48;
    r.ramb18 += c.bram.ramb18;
    r.ramb36 += c.bram.ramb36;
    r.lutram += c.lutram;
    r.latches += c.latches;
    r.units[root] = { luts: c.luts, ffs: c.ffs, dsp48: c.dsp48, ramb18: c.bram.ramb18, ramb36: c.bram.ramb36, lutram: c.lutram };
  }
  r.bram36 = r.ramb36 + r.ramb18 / 2;
  return r;
}

/** The point's clock: the slowest design unit's estimate (one unit once the top level exists). */
export function pointTiming(units: { root: string; timing?: CornerEstimate[] }[]): PointTiming | undefined {
  let best: PointTiming | undefined;
  for (const u of units) {
    if (!u.timing) return undefined;
    const g1 = fmaxRange(u.timing, 1);
    const g2 = fmaxRange(u.timing, 2);
    if (best !== undefined && best.fmaxMHz['-2'].min <= g2.min) continue;
    const crit = u.timing.find((c) => c.grade === 2 && c.corner === 'slow')!;
    const module = Object.entries(crit.modules).find(([, p]) => p.delayNs === crit.worst.delayNs)?.[0] ?? u.root;
    best = { fmaxMHz: { '-1': g1, '-2': g2 }, critical: { module, start: crit.worst.start, end: crit.worst.end, levels: crit.worst.levels } };
  }
  return best;
}

/** Cycles at an Fmax range (MHz) in µs: min at the fast end, max at the slow end. */
export function timeUs(cycles: number, fmax: { min: number; max: number }): { min: number; max: number } {
  const r = (x: number): number => Number(x.toPrecision(6));
  return { min: r(cycles / fmax.max), max: r(cycles / fmax.min) };
}

export async function evaluatePoint(ctx: EvalContext, p: PlannedPoint): Promise<PointResult> {
  const spec = p.def.spec;
  const result: PointResult = {
    id: p.def.id,
    index: p.def.index,
    params: p.def.params,
    status: 'ok',
    key: p.key,
    configHash: configHash(spec),
    rtlHash: p.rtlHash,
    spec,
    workloads: {},
  };
  const [lints, synths] = await Promise.all([
    ctx.steps.lint
      ? Promise.all(
          p.units.map((u) =>
            memo(ctx, `lint:${u.hash}`, () =>
              ctx.slots.run(async () => {
                const r = await lintUnit(u, ctx.cacheRoot);
                if (!r.cached) ctx.counters.lintRuns++;
                return r.lint;
              }),
            ),
          ),
        )
      : Promise.resolve<UnitLint[]>([]),
    ctx.steps.synth
      ? Promise.all(
          designUnits(p.units, p.emitted.derived.accel.m.top).map((u) =>
            memo(ctx, `synth:${u.hash}`, () =>
              ctx.slots.run(async () => {
                const r = await synthUnit(u, ctx.cacheRoot);
                if (!r.cached) ctx.counters.synthRuns++;
                return { root: u.root, counts: r.counts, timing: r.timing };
              }),
            ),
          ),
        )
      : Promise.resolve([]),
  ]);
  if (ctx.steps.lint) {
    result.lint = {
      ok: lints.every((l) => l.ok),
      warnings: lints.reduce((n, l) => n + l.warnings, 0),
      messages: lints.flatMap((l) => l.messages).slice(0, 5),
    };
  }
  if (ctx.steps.synth) {
    result.resources = sumCounts(synths);
    const t = pointTiming(synths);
    if (t) result.timing = t;
  }
  for (const given of ctx.workloads) {
    const w = workloadForSpec(spec, given);
    const reason = unsupportedReason(spec, w);
    if (reason) {
      result.workloads[w.name] = { supported: false, reason };
      continue;
    }
    const pn = w.network ? predictNetwork(spec, w) : undefined;
    const c = pn === undefined ? predictWorkload(spec, w) : 'unsupported' in pn ? pn : pn.prediction;
    if ('unsupported' in c) {
      result.workloads[w.name] = { supported: false, reason: c.unsupported };
      continue;
    }
    const o: WorkloadOutcome = {
      supported: true,
      model: c.method,
      cycles: { total: c.total, load: c.load, mapping: c.mapping, compute: c.compute, drain: c.drain, tiling: c.tiling },
      computeBound: c.computeBound,
      utilisation: c.utilisation,
      tiles: c.tiles,
      overflows: c.overflows,
      ...(result.timing ? { timeUs: timeUs(c.total, result.timing.fmaxMHz['-2']) } : {}),
    };
    if (pn !== undefined && !('unsupported' in pn)) {
      const T = pn.report.totals;
      o.network = {
        cyclesNoReuse: T.modelCyclesNoReuse, offChipBytes: T.offChipBytes, convNodes: T.accelNodes, hostNodes: T.hostNodes, reusedNodes: T.reusedNodes,
        byKind: Object.fromEntries(T.byKind.map((k) => [k.kind, { cycles: k.cycles, utilisation: k.utilisation }])),
      };
    }
    if (ctx.steps.verify) {
      o.verify = await verifyWorkload(spec, w, c, {
        build: () =>
          memo(ctx, `accelbuild:${p.rtlHash}`, () =>
            ctx.slots.run(async () => {
              const b = await buildAccel(spec);
              if (!b.cached) ctx.counters.simBuilds++;
              return b;
            }),
          ),
        slot: (fn) => ctx.slots.run(fn),
        onRun: () => ctx.counters.simRuns++,
        workDir: join(ctx.cacheRoot, 'sweep', 'runs', p.key.slice(0, 16)),
      });
    }
    result.workloads[w.name] = o;
  }
  return result;
}
