// The host driver of the complete accelerator (docs/accelerator.md): checks a layer case against
// the spec, cuts it into tiles when it does not fit, packs every tile into the stream format,
// programs and runs it on the Verilator model (all tiles in one harness run), unpacks the
// outputs, merges the tiles and compares the result with the golden model.
//
// A case with requantization runs each tile twice: once with POSTPROC.REQUANT_EN = 0 (the
// stream carries the accumulators after bias) and once with it set (the requantized features,
// the run the statistics describe), so that the result file has both, as DESIGN.md §2 wants.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { derive, type Derived } from '../../dsl/derive/index.ts';
import type { AcceleratorSpec } from '../../dsl/spec.ts';
import { compareResults, type MismatchField, type ResultComparison } from '../../io/layer-result.ts';
import { toCoords } from '../../model/coord-columns.ts';
import { wrapSigned } from '../../model/arith.ts';
import { runLayer } from '../../model/layer.ts';
import { planCoords } from '../../model/layer-plan.ts';
import { layerStats, type LayerStats } from '../../model/stats.ts';
import type { LayerCase, LayerResult } from '../../model/types.ts';
import type { BuildProfile, BuildResult } from '../build.ts';
import { RUNS_ROOT } from '../cosim.ts';
import { idleLimit, layerQuietCycles } from '../watchdog.ts';
import { runSim, type RunResult } from '../run.ts';
import { checkCaseForSpec, hardwareCase, tiledHardwareCase } from './check.ts';
import { shiftCoord, shiftCoords, type Rebase } from '../../model/rebase.ts';
import type { Coord } from '../../model/types.ts';
import { checkRegisterWrites, checkRunCapacity } from '../capacity.ts';
import { FieldError } from '../../model/errors.ts';
import { mapSchedule, type MapSchedule } from '../../model/run-table.ts';
import { caseForPattern, type DenseLayerPolicy } from './sparse.ts';
import { PASS_GROUPINGS, type PassGrouping } from '../../model/pass-grouping.ts';
import { flagSweepCycles, predictCycles } from '../../model/cycle-model.ts';
import { buildAccel } from './rtl.ts';
import { checkFusionJobs } from './fusion.ts';
import {
  channelTiles,
  decodeOutput,
  decodeReadback,
  encodeLayer,
  layerScript,
  outputBeatCount,
  readbackRegisters,
  streamsWords,
  type Beat,
  type HwLayer,
  type LayerReadback,
  type PerfCounter,
} from './stream.ts';
import { chooseTiling, type TilingChoice, type TilingPolicy } from '../../model/tile-choice.ts';
import { coreOnlyAllowed, coreOnlyLayer, mirrorKernel, rebaseTiles, splitTile, tileInputs, tileRunCoords, tileLimits, tileOutChannels, TilingError, type Tile, type TileLayer } from '../../model/tiles.ts';

export interface AccelRunOptions {
  /** Seed of the harness's random stalls (and of Verilator's X randomisation). */
  seed?: number;
  /** Probability of a stall per cycle on every stream and on the AXI-Lite responses. */
  stall?: number;
  stallPorts?: Record<string, number>;
  profile?: BuildProfile;
  /** Folder of the harness run (default .cache/sim-runs/accel-<name>). */
  workDir?: string;
  name?: string;
  /** Cap on input points per tile (forces tiling). */
  maxTilePoints?: number;
  /** Skip the accumulator run of a requantized case (the result then has no accumulators). */
  featuresOnly?: boolean;
  /** Build with --trace-fst and write <workDir>/wave.fst. */
  trace?: boolean;
  /** Tiles are split and rerun after a MAP_OVERFLOW at most this often (default 4). */
  maxRetries?: number;
  /** false: plan tiles without the map-entry estimate (tests of the MAP_OVERFLOW retry). */
  mapEstimate?: boolean;
  /**
   * Test option: send the whole case as one hardware run without the driver's capacity checks or
   * tiling, so that the accelerator's own overflow flags answer (an AccelError carrying the
   * readback). Register values are still checked against their widths (never truncated).
   */
  bypassCapacityChecks?: boolean;
  /**
   * N:M accelerators: a layer whose weights are not N:M sparse is refused ('refuse', the default,
   * error naming the first offending group) or run padded at dense speed ('pad', sparse.ts).
   */
  denseLayers?: DenseLayerPolicy;
  /**
   * The scheduler's pass-grouping policy (LAYER_TYPE.GROUPING): 'auto' (default) lets the cycle
   * model pick the fastest policy the spec supports for this layer; a named policy forces it (a
   * policy the spec lacks is refused by name).
   */
  passGrouping?: PassGrouping | 'auto';
  /**
   * LAYER_TYPE.W0_BLOCK (buffers.w0Interleave): 'auto' (default) lets the cycle model pick the
   * fastest block for the layer; a number forces it (checked against the field's width when
   * written; a non-zero block on a spec without the interleave is refused by name).
   */
  w0Block?: number | 'auto';
  /**
   * Tiled odd-k submanifold layers (model/tile-choice.ts): 'halo' (the default here: the tiles
   * model/cycle-model-runs.ts mirrors) runs each tile as the layer, 'core' runs core-only tiles
   * where the spec can, 'auto' the faster of the two by the cycle model, as the batch driver and
   * `sparseforge sim` do.
   */
  tiling?: TilingPolicy;
  /**
   * Test option: compare the RTL with this result instead of the golden model's (the mismatch
   * report and its waveform rerun are tested with it, as the network runner's expectOverride).
   */
  expectOverride?: LayerResult;
}

/** The tile plan of a tiled layer and how it was chosen (model/tile-choice.ts TilingChoice without its tiles). */
export type TilingStats = Pick<TilingChoice, 'plan' | 'chosenBy' | 'predicted'>;

/** The pass-grouping policy a layer ran with, and how it was chosen. */
export interface PassGroupingStats {
  policy: PassGrouping;
  /** 'cycle model': the fastest predicted of several; 'only': the spec has one; 'forced': the caller's. */
  chosenBy: 'cycle model' | 'only' | 'forced';
  /** Predicted PERF_TOTAL_CYCLES per policy compared (the measured runs' sum), when the model was asked. */
  predicted: Partial<Record<PassGrouping, number>>;
  /**
   * LAYER_TYPE.W0_BLOCK the layer ran with (buffers.w0Interleave; 0 without it) and the cycle
   * model's prediction per block tried (empty when forced or absent).
   */
  w0Block: number;
  w0Predicted: Record<number, number>;
}

export interface AccelStats {
  spec: string;
  layer: LayerCase['layer'];
  requant: boolean;
  pointsIn: number;
  pointsOut: number;
  mapEntries: number;
  macs: number;
  /** DESIGN.md §3: Σ_i |map_i| · ceil(Cin / rows) · ceil(Cout / cols). */
  computeBound: number;
  tiles: number;
  /** Hardware layers run (tiles, twice each for a requantized case with accumulators). */
  hwLayers: number;
  /** Sums over the measured layer runs (the requantized ones for a requantized case). */
  cycles: {
    /** PERF_TOTAL_CYCLES: START to DONE. */
    total: number;
    /** Input beats of the coordinate sections: the cycles the mapping must wait for its data. */
    coordLoad: number;
    /** total − coordLoad: the cycles utilisation is measured against. */
    measured: number;
    /** PERF_MAPPING_CYCLES (downsampling + merge, overlapped with compute). */
    mapping: number;
    /** PERF_COMPUTE_CYCLES: rows accepted by the matrix unit (map entries · tiles, plus drain rows). */
    compute: number;
    /** PERF_STALL_CYCLES: cycles with compute left in which the matrix unit took no row. */
    stall: number;
    /** total − compute − stall: from the last row to DONE (pipeline latency, output stream). */
    tail: number;
    /** Rows that are not map entries: drain passes of zero rows (non-submanifold layers). */
    drainRows: number;
    /** Harness cycles from writing START to seeing BUSY = 0, summed over the measured runs. */
    endToEnd: number;
  };
  /** computeBound / cycles.measured. */
  utilisation: number;
  /** computeBound / cycles.total. */
  utilisationTotal: number;
  /** How the mapping engine maps this layer on this spec (map-free downsampler, or merge job order). */
  mapSchedule: MapSchedule;
  /** The compute scheduler's pass grouping for this layer (model/pass-grouping.ts). */
  passGrouping: PassGroupingStats;
  /** The tile plan (model/tile-choice.ts) of a tiled layer that could run either plan. */
  tiling?: TilingStats;
  build: { cached: boolean; buildMs: number; wallMs: number; profile: BuildProfile };
  sim: { wallMs: number; simCpuMs: number; cycles: number; cyclesPerSecond: number };
  match: boolean;
  mismatches: number;
  /**
   * Cycle model: the drain port's epoch-wrap sweeps before the measured runs' STARTs
   * (flagSweepCycles: accumulatorDepth cycles every 2^drainEpochBits − 1 STARTs since reset). BUSY
   * time outside `cycles.total`, inside `cycles.endToEnd`.
   */
  sweepCycles: number;
}

export interface AccelRunResult {
  result: LayerResult;
  golden: LayerResult;
  comparison: ResultComparison;
  stats: AccelStats;
  tiles: Tile[];
  readbacks: LayerReadback[];
  run: RunResult;
  build: BuildResult;
  /** Reruns after a map-buffer overflow split a tile. */
  retries: number;
  /** The translation per batch into the spec's coordinate range (model/rebase.ts); tiles and readbacks are in the translated frame. */
  rebase: Rebase;
  /** The FST waveform of the run (`trace`), when the harness wrote it. */
  waveform?: string;
  /**
   * Harness cycle at which the output stream carried a result value (-1: not streamed): point
   * `point`'s coordinate, or with `channel` its word holding that channel, of the accumulator run
   * (field 'accumulators') or of the measured run (features, coordinates).
   */
  outputCycle: (point: number, channel?: number, field?: MismatchField) => number;
}

export class AccelError extends Error {
  readonly readback?: LayerReadback;
  constructor(message: string, readback?: LayerReadback) {
    super(message);
    this.name = 'AccelError';
    this.readback = readback;
  }
}

export interface Job {
  tile: Tile;
  hw: HwLayer;
  nOut: number;
  beats: Beat[];
  /** The run whose statistics count. */
  measured: boolean;
  /** Names the job in error messages (default `tile N`). */
  label?: string;
}

function widths(spec: AcceleratorSpec) {
  const { inWidth, weightWidth, accWidth, outWidth } = spec.arithmetic;
  return { inWidth, weightWidth, accWidth, outWidth };
}

/** Canonical view of a case: inputs and their features in canonical order, outputs. */
export function canonicalLayer(c: LayerCase): TileLayer & { features: number[][] } {
  const p = planCoords(c);
  return {
    layer: c.layer,
    inCoords: toCoords(p.inCols),
    outCoords: toCoords(p.outCols),
    features: Array.from(p.inputOrder, (i) => c.input.features[i]!),
  };
}

export function tileHw(c: LayerCase, lay: ReturnType<typeof canonicalLayer>, tile: Tile, requantOut: boolean): HwLayer {
  // A channel group (model/tiles.ts): the group's slice of every per-output-channel table.
  const g = tile.outChannels;
  const cut = <T>(a: T[]): T[] => (g === undefined ? a : a.slice(g[0], g[1]));
  const moved = (coords: Coord[]) => (tile.rebase === undefined ? coords : shiftCoords(coords, tile.rebase, 1));
  // A core-only tile (model/tiles.ts) runs as a stride-1 transposed layer over its core, kernel mirrored.
  const co = tile.coreOnly === true;
  const weights = g === undefined ? c.weights : c.weights.map((w) => w.map(cut));
  return {
    ...(co ? coreOnlyLayer(c.layer) : c.layer),
    outChannels: tileOutChannels(c.layer, tile),
    inCoords: moved(tileInputs(lay.inCoords, tile)),
    features: tileInputs(lay.features, tile),
    outCoords: c.layer.type === 'transposed' || co ? moved(tile.hwOut) : undefined,
    weights: co ? mirrorKernel(weights) : weights,
    bias: c.bias === undefined ? undefined : cut(c.bias),
    requant: c.requant === undefined || g === undefined ? c.requant : { ...c.requant, multiplier: cut(c.requant.multiplier), shift: cut(c.requant.shift) },
    requantOut,
  };
}

/** Run a layer case on the RTL of `spec` and compare it with the golden model. */
export async function runAccelCase(spec: AcceleratorSpec, given: LayerCase, opts: AccelRunOptions = {}): Promise<AccelRunResult> {
  const c = caseForPattern(spec, given, opts.denseLayers ?? 'refuse');
  const { hc, rebase, perTile } = opts.bypassCapacityChecks ? { ...hardwareCase(spec, c), perTile: false } : tiledHardwareCase(spec, c);
  checkCaseForSpec(spec, hc, !opts.bypassCapacityChecks, !perTile);
  const d = derive(spec);
  const golden = opts.expectOverride ?? runLayer(c, widths(spec)).result;
  const lay = canonicalLayer(hc);
  const lim = tileLimits(spec, opts.maxTilePoints, opts.mapEstimate);
  const own = (ts: Tile[]) => (perTile ? rebaseTiles(lay, ts, spec.mapping.coordWidth) : ts);
  const choice = opts.bypassCapacityChecks ? undefined : tilingOrRefuse(spec, lay, lim, { bias: hc.bias !== undefined, requant: hc.requant !== undefined }, opts.tiling ?? 'halo');
  let tiles = choice === undefined ? [wholeTile(lay)] : own(choice.tiles);
  // Reported, as by the network runner, where there was a choice (a tiled odd-k submanifold layer on a spec that can run core-only tiles).
  const tiling: TilingStats | undefined = choice === undefined || tiles.length === 1 || choice.chosenBy === 'only' ? undefined : { plan: choice.plan, chosenBy: choice.chosenBy, predicted: choice.predicted };
  const grouping = choosePassGroupingFor(spec, hc, lay, tiles, opts.passGrouping ?? 'auto', { w0Block: opts.w0Block });
  const build = await buildAccel(spec, { profile: opts.profile, trace: opts.trace });
  const maxRetries = opts.maxRetries ?? 4;
  for (let attempt = 0; ; attempt++) {
    const r = await runTiles(spec, d, hc, lay, tiles, build, opts, grouping.policy, grouping.w0Block);
    if (r.overflowTile === undefined) {
      const res = finish(spec, c, golden, lay, tiles, r, build, opts, rebase);
      return { ...res, stats: { ...res.stats, passGrouping: grouping, mapSchedule: mapSchedule(spec.mapping, c.layer, grouping.policy), ...(tiling ? { tiling } : {}) }, retries: attempt, ...(r.waveform ? { waveform: r.waveform } : {}) };
    }
    if (attempt >= maxRetries) throw new AccelError(`tile ${r.overflowTile} still overflows the map buffer after ${maxRetries} splits`);
    const t = tiles[r.overflowTile]!;
    tiles = [...tiles.slice(0, r.overflowTile), ...splitTile(lay, lim, t), ...tiles.slice(r.overflowTile + 1)];
  }
}

/**
 * The layer's pass-grouping policy: the caller's, the spec's only one, or the one the cycle model's
 * replay of the layer's tiles predicts fastest (the TorchSparse++-style per-layer grouping search).
 */
export function choosePassGroupingFor(
  spec: AcceleratorSpec, c: LayerCase, lay: TileLayer, tiles: Tile[], want: PassGrouping | 'auto',
  /** The runs' map reuse and fusion flags (batch runs), as the cycle model replays them. */
  flags: { reuseMap?: boolean; featOnChip?: boolean; wordsOnChip?: boolean; w0Block?: number | 'auto' } = {},
): PassGroupingStats {
  const supported = spec.gatherScatter.passGrouping;
  const w0Want = flags.w0Block ?? 'auto';
  if (w0Want !== 'auto' && w0Want !== 0 && !spec.buffers.w0Interleave) {
    throw new FieldError('buffers.w0Interleave', `${spec.name} has no W0 / feature interleave; cannot run a layer with W0_BLOCK ${w0Want}`);
  }
  const w0Fixed = spec.buffers.w0Interleave ? (w0Want === 'auto' ? undefined : w0Want) : 0;
  let fixed: PassGroupingStats | undefined;
  if (want !== 'auto') {
    if (!PASS_GROUPINGS.includes(want) || !supported.includes(want)) {
      throw new FieldError('gatherScatter.passGrouping', `${spec.name} has ${supported.join(', ')}; cannot run a layer with pass grouping ${want}`);
    }
    fixed = { policy: want, chosenBy: 'forced', predicted: {}, w0Block: 0, w0Predicted: {} };
  } else if (supported.length === 1) fixed = { policy: supported[0]!, chosenBy: 'only', predicted: {}, w0Block: 0, w0Predicted: {} };
  if (fixed && w0Fixed !== undefined) return { ...fixed, w0Block: w0Fixed };
  const { w0Block: _w0, ...runFlags } = flags;
  const runs = tiles.map((t) => ({ ...tileRunCoords(lay.inCoords, t), outChannels: tileOutChannels(c.layer, t), ...runFlags, ...(t.coreOnly ? { coreOnly: true } : {}) }));
  const p = predictCycles(spec, { mapEntries: 0, kernelVolume: c.layer.kernelSize ** 3 } as LayerStats, {
    ...c.layer,
    requant: c.requant !== undefined,
    bias: c.bias !== undefined,
    runs,
    passGrouping: fixed?.policy,
    w0Block: w0Fixed,
  });
  const w0 = { w0Block: p.w0Block?.block ?? 0, w0Predicted: w0Fixed === undefined ? (p.w0Block?.predicted ?? {}) : {} };
  if (fixed) return { ...fixed, ...w0 };
  const choice = p.passGrouping!;
  return { policy: choice.policy, chosenBy: 'cycle model', predicted: choice.predicted, ...w0 };
}

function wholeTile(lay: TileLayer): Tile {
  return { inRows: lay.inCoords.map((_, i) => i), outRows: lay.outCoords.map((_, i) => i), hwOut: lay.outCoords, coreAt: lay.outCoords.map((_, i) => i) };
}

/** The planner's tiles (the plan `policy` asks for); a neighbourhood that fits no tile is a capacity refusal (FieldError, exit 2), not a crash. */
function tilingOrRefuse(spec: AcceleratorSpec, lay: TileLayer, lim: ReturnType<typeof tileLimits>, post: { bias: boolean; requant: boolean }, policy: TilingPolicy): TilingChoice {
  let choice: TilingChoice;
  try {
    choice = chooseTiling(spec, lay, lim, post, policy);
  } catch (e) {
    if (e instanceof TilingError) throw new FieldError(e.message.includes('mapping.coordWidth') ? 'mapping.coordWidth' : 'buffers', `${spec.name} cannot tile this layer: ${e.message}`);
    throw e;
  }
  // Core-only tiles asked for a tiled layer that cannot have them: said, not silently run in halo tiles.
  if (policy === 'core' && choice.plan !== 'core' && choice.tiles.length > 1) {
    const L = lay.layer;
    const why = coreOnlyAllowed(spec, L)
      ? 'no core-only tile plan fits the buffers'
      : `they need an odd-k (k ≥ 3) submanifold layer and transposed layers up to that kernel size on the spec (this is ${L.type} k=${L.kernelSize} on ${spec.name})`;
    throw new FieldError('tiling', `core-only tiles asked for, but ${why}; use halo or auto`);
  }
  return choice;
}

export interface TilesRun {
  run: RunResult;
  jobs: Job[];
  readbacks: LayerReadback[];
  decoded: ReturnType<typeof decodeOutput>[];
  startCycles: number[];
  doneCycles: number[];
  /** Each job's STARTs taken before it since the harness run's reset (default: its index: the jobs are the whole run). */
  startIndex?: number[];
  overflowTile?: number;
  /** The FST waveform of a traced run (`trace`), when the harness wrote it. */
  waveform?: string;
}

export interface JobsRun extends Omit<TilesRun, 'overflowTile'> {
  /** The job that reported MAP_OVERFLOW (the run stopped being decoded there). */
  overflowJob?: number;
  /** The FST waveform of a traced run (`trace`), when the harness wrote it. */
  waveform?: string;
}

/** The harness's idle limit for a script of layer runs (sim/watchdog.ts): the longest run's bound. */
export function watchdogCycles(spec: AcceleratorSpec, runs: HwLayer[]): number {
  let worst = 0;
  for (const hw of runs) {
    const nIn = hw.inCoords.length;
    const { ti, to } = channelTiles(spec, hw);
    worst = Math.max(worst, layerQuietCycles(spec, hw.kernelSize, nIn, hw.outCoords?.length ?? nIn, ti * to, to));
  }
  return idleLimit(worst);
}

async function runTiles(
  spec: AcceleratorSpec, d: Derived, c: LayerCase, lay: ReturnType<typeof canonicalLayer>, tiles: Tile[], build: BuildResult, opts: AccelRunOptions,
  passGrouping?: PassGrouping,
  w0Block?: number,
): Promise<TilesRun> {
  const modes = c.requant === undefined ? [false] : opts.featuresOnly ? [true] : [false, true];
  const jobs: Job[] = [];
  for (const tile of tiles) {
    for (const requantOut of modes) {
      const hw = { ...tileHw(c, lay, tile, requantOut), passGrouping, w0Block };
      jobs.push({ tile, hw, nOut: tile.hwOut.length, beats: encodeLayer(spec, d, hw), measured: requantOut === (c.requant !== undefined), label: `tile ${tiles.indexOf(tile) + 1}` });
    }
  }
  const r = await runJobs(spec, d, jobs, build, opts);
  const { overflowJob, ...rest } = r;
  return overflowJob === undefined ? rest : { ...rest, overflowTile: tiles.indexOf(jobs[overflowJob]!.tile) };
}

/** Run hardware layer jobs back to back in one harness run; decode every job's readback and output. */
export async function runJobs(spec: AcceleratorSpec, d: Derived, jobs: Job[], build: BuildResult, opts: AccelRunOptions): Promise<JobsRun> {
  const workDir = opts.workDir ?? join(RUNS_ROOT, `accel-${opts.name ?? spec.name}`);
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  if (!opts.bypassCapacityChecks) {
    for (const j of jobs) {
      checkRunCapacity(spec, { ...j.hw, nIn: j.hw.inCoords.length, nOut: j.nOut });
    }
    checkFusionJobs(spec, jobs);
  }
  const script = jobs.flatMap((j) => layerScript(d, j.hw));
  checkRegisterWrites(d.registers, script);
  const run = await runSim(build.binary, {
    workDir,
    seed: opts.seed ?? 1,
    stall: opts.stall ?? 0,
    stallPorts: opts.stallPorts,
    inputs: { in: { beats: jobs.flatMap((j) => j.beats), width: d.axis.dataWidth } },
    outputs: ['out'],
    axil: script,
    idleCycles: watchdogCycles(spec, jobs.map((j) => j.hw)),
    maxCycles: 2_000_000_000,
    trace: opts.trace ? join(workDir, 'wave.fst') : undefined,
  });
  const waveform = opts.trace && existsSync(join(workDir, 'wave.fst')) ? join(workDir, 'wave.fst') : undefined;
  if (!run.ok && opts.bypassCapacityChecks) {
    // A layer refused at START leaves its stream unconsumed: report the hardware's error flag.
    const per = readbackRegisters(d).length;
    const reads = run.axil.filter((a) => a.op === 'r');
    if (reads.length >= per) {
      const rb = decodeReadback(d, reads.slice(0, per).map((a) => a.data));
      if (rb.error) throw new AccelError(`layer run 1/${jobs.length}: STATUS.ERROR, code ${rb.errorCode} ${rb.errorName}`, rb);
    }
  }
  if (!run.ok) {
    throw new AccelError(`harness ${run.summary.status}: ${run.summary.error || run.stderr.trim()} (reproduce: ${run.command})`);
  }
  // Split the AXI-Lite log and the output beats per layer run.
  const perLayer = readbackRegisters(d).length;
  const reads = run.axil.filter((a) => a.op === 'r');
  const polls = run.axil.filter((a) => a.op === 'p');
  const starts = run.axil.filter((a) => a.op === 'w' && a.addr === d.registers.registers.find((r) => r.name === 'CONTROL')!.offset);
  const out = run.outputs.out ?? [];
  const readbacks: LayerReadback[] = [];
  const decoded: ReturnType<typeof decodeOutput>[] = [];
  let k = 0;
  for (let i = 0; i < jobs.length; i++) {
    const j = jobs[i]!;
    const rb = decodeReadback(d, reads.slice(i * perLayer, (i + 1) * perLayer).map((a) => a.data));
    readbacks.push(rb);
    if (rb.error) {
      if (rb.errorName === 'MAP_OVERFLOW' && !opts.bypassCapacityChecks) return { run, jobs, readbacks, decoded, startCycles: [], doneCycles: [], overflowJob: i };
      throw new AccelError(`layer run ${i + 1}/${jobs.length} (${j.label ?? 'job'}): STATUS.ERROR, code ${rb.errorCode} ${rb.errorName}`, rb);
    }
    if (!rb.done) throw new AccelError(`layer run ${i + 1}/${jobs.length} (${j.label ?? 'job'}): BUSY cleared without DONE`, rb);
    if (rb.outPoints !== j.nOut) throw new AccelError(`layer run ${i + 1} (${j.label ?? 'job'}): OUT_POINTS ${rb.outPoints}, the host expected ${j.nOut}`, rb);
    const n = outputBeatCount(spec, d, j.hw, j.nOut);
    decoded.push(decodeOutput(spec, d, j.hw, j.nOut, out.slice(k, k + n)));
    k += n;
  }
  if (k !== out.length) throw new AccelError(`${out.length - k} output beats more than the layers announced`);
  return { run, jobs, readbacks, decoded, startCycles: starts.map((s) => s.cycle), doneCycles: polls.map((p) => p.cycle), waveform };
}

export function finish(
  spec: AcceleratorSpec, c: LayerCase, golden: LayerResult, lay: ReturnType<typeof canonicalLayer>, tiles: Tile[], r: TilesRun,
  build: BuildResult, opts: AccelRunOptions, rebase?: Rebase,
): AccelRunResult {
  const nOut = lay.outCoords.length;
  const cout = c.layer.outChannels;
  const accumulators: number[][] = new Array(nOut);
  const features: number[][] | undefined = c.requant !== undefined ? new Array(nOut) : undefined;
  const coords = new Array(nOut);
  // Fusion with FUSION.NO_STREAM: the words stayed on chip; only the coordinates can be compared.
  const observed = r.jobs.every((j) => streamsWords(j.hw));
  r.jobs.forEach((j, i) => {
    const dec = r.decoded[i]!;
    const t = j.tile;
    for (let i = 0; i < t.outRows.length; i++) {
      const q = t.outRows[i]!;
      const h = t.coreAt[i]!;
      const here = t.rebase ? shiftCoord(dec.coords[h]!, t.rebase, -1) : dec.coords[h]!;
      coords[q] = rebase ? shiftCoord(here, rebase, -1) : here;
      if (!observed) continue;
      const into = j.hw.requantOut ? features! : accumulators;
      if (t.outChannels === undefined) into[q] = dec.values[h]!;
      else {
        // A channel group fills its slice of the row.
        const row = (into[q] ??= new Array<number>(cout));
        dec.values[h]!.forEach((v, o) => (row[t.outChannels![0] + o] = v));
      }
    }
  });
  // Wraps: the reduction itself cannot wrap (spec rule on accWidth), so an accumulator wraps
  // exactly when its sum before the bias plus the bias leaves the accWidth range.
  let wraps = 0;
  const accW = spec.arithmetic.accWidth;
  const half = 2 ** (accW - 1);
  // (A loop, not every(): every() skips the holes of a features-only run.)
  let haveAcc = true;
  for (let q = 0; q < nOut; q++) if (accumulators[q] === undefined) haveAcc = false;
  if (haveAcc && c.bias !== undefined) {
    for (const row of accumulators) {
      for (let o = 0; o < cout; o++) {
        const exact = wrapSigned(row[o]! - c.bias[o]!, accW) + c.bias[o]!;
        if (exact < -half || exact >= half) wraps++;
      }
    }
  }
  const result: LayerResult = {
    tensorStride: golden.tensorStride,
    coords,
    accumulators: haveAcc ? accumulators : [],
    wraps: haveAcc ? wraps : golden.wraps,
  };
  if (features && observed) result.features = features;
  const comparison = !observed
    ? compareResults({ tensorStride: golden.tensorStride, coords: golden.coords, accumulators: [], wraps: 0 }, { ...result, wraps: 0 }, { limit: 20 })
    : compareResults(golden, haveAcc ? result : { ...result, accumulators: golden.accumulators }, { limit: 20 });
  const stats = layerStatsFor(spec, c, r, tiles, build, comparison, opts);
  const outputCycle = (point: number, channel?: number, field?: MismatchField): number => {
    // The job holding the point (its channel group's), of the run the field comes from.
    const inGroup = (t: Tile) => channel === undefined || t.outChannels === undefined || (channel >= t.outChannels[0] && channel < t.outChannels[1]);
    const ofField = (j: Job) => (field === 'accumulators' ? !j.hw.requantOut : j.measured);
    const k = r.jobs.findIndex((j) => ofField(j) && inGroup(j.tile) && j.tile.outRows.includes(point));
    if (k < 0) return -1;
    const dec = r.decoded[k]!;
    const t = r.jobs[k]!.tile;
    const h = t.coreAt[t.outRows.indexOf(point)]!;
    const ch = channel === undefined ? 0 : channel - (t.outChannels?.[0] ?? 0);
    return (channel === undefined ? dec.coordCycles[h] : dec.wordCycles[h]?.[Math.floor(ch / spec.matrix.cols)]) ?? -1;
  };
  return { result, golden, comparison, stats, tiles, readbacks: r.readbacks, run: r.run, build, retries: 0, rebase: rebase ?? { coordWidth: spec.mapping.coordWidth, align: 1, shifts: new Map() }, outputCycle };
}

function layerStatsFor(
  spec: AcceleratorSpec, c: LayerCase, r: TilesRun, tiles: Tile[], build: BuildResult, comparison: ResultComparison,
  opts: AccelRunOptions,
): AccelStats {
  const st: LayerStats = layerStats(c, widths(spec));
  const { ti, to } = channelTiles(spec, c.layer);
  const sum = (name: PerfCounter) => r.readbacks.reduce((a, rb, i) => a + (r.jobs[i]!.measured ? rb.counters[name] : 0), 0);
  const total = sum('PERF_TOTAL_CYCLES');
  const compute = sum('PERF_COMPUTE_CYCLES');
  const stall = sum('PERF_STALL_CYCLES');
  // A job that reuses the map on chip sends no coordinates.
  const coordLoad = r.jobs.reduce((a, j) => a + (j.measured ? (j.hw.reuseMap ? 0 : j.hw.inCoords.length) + (j.hw.outCoords?.length ?? 0) : 0), 0);
  // Drain passes of zero rows: every run but an odd-k submanifold one (its final pass is the
  // centre offset's), so also a core-only tile's (a stride-1 transposed run).
  const drains = (hw: HwLayer) => !(hw.type === 'submanifold' && hw.kernelSize % 2 === 1);
  const drainRows = spec.gatherScatter.drainPort ? 0 : r.jobs.reduce((a, j) => a + (j.measured && drains(j.hw) ? j.nOut * channelTiles(spec, j.hw).to : 0), 0);
  const computeBound = st.mapEntries * ti * to;
  const measured = total - coordLoad;
  const sim = r.run.summary;
  return {
    spec: spec.name,
    layer: c.layer,
    requant: c.requant !== undefined,
    pointsIn: st.pointsIn,
    pointsOut: st.pointsOut,
    mapEntries: st.mapEntries,
    macs: st.macs,
    computeBound,
    tiles: tiles.length,
    hwLayers: r.jobs.length,
    cycles: {
      total,
      coordLoad,
      measured,
      mapping: sum('PERF_MAPPING_CYCLES'),
      compute,
      stall,
      tail: total - compute - stall,
      drainRows,
      endToEnd: r.jobs.reduce((a, j, i) => a + (j.measured ? (r.doneCycles[i] ?? 0) - (r.startCycles[i] ?? 0) : 0), 0),
    },
    utilisation: measured > 0 ? computeBound / measured : 0,
    utilisationTotal: total > 0 ? computeBound / total : 0,
    mapSchedule: mapSchedule(spec.mapping, c.layer),
    passGrouping: { policy: spec.gatherScatter.passGrouping[0]!, chosenBy: 'only', predicted: {}, w0Block: 0, w0Predicted: {} },
    build: { cached: build.cached, buildMs: Math.round(build.buildMs), wallMs: Math.round(build.wallMs), profile: opts.profile ?? 'test' },
    sim: {
      wallMs: Math.round(r.run.wallMs),
      simCpuMs: Math.round(sim.simCpuMs),
      cycles: sim.cycles,
      cyclesPerSecond: sim.simCpuMs > 0 ? Math.round((sim.cycles / sim.simCpuMs) * 1000) : 0,
    },
    match: comparison.equal,
    mismatches: comparison.count,
    sweepCycles: r.jobs.reduce((a, j, i) => a + (j.measured ? flagSweepCycles(spec, r.startIndex?.[i] ?? i) : 0), 0),
  };
}
