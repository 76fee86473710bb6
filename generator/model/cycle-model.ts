// Analytical cycle model of one layer on one accelerator: the figure design-space sweeps rank
// designs by, so that a sweep does not need an RTL simulation per point.
//
// Two methods behind one entry point, `predictCycles(spec, stats, layer)`:
//
// * **schedule replay** (when `layer.runs` carries the coordinates of every hardware run, e.g. from
//   `cycleModelRuns` in cycle-model-runs.ts, which re-derives the host driver's tiles):
//   generator/model/cycle-model-replay.ts replays the RTL's schedule per run — the coordinate
//   load, the downsampler (conv), the mapping engine's dispatcher and merge lanes (binary search
//   and every comparison replayed from the coordinates), the compute scheduler's bank walk
//   (chunks of ≥ 2·rows entries while the mapping runs, feature-arrival checks, mirrored passes,
//   identity/drain passes, 4-deep descriptor FIFO), double-buffered weight tiles and the weight
//   ring (a pair's weights stream in as earlier pairs release the ring), scatter hazards without
//   forwarding, and the output-bound final pass. Calibrated against co-simulation with no
//   backpressure on every layer case of test/accel/ (test/accel/cycle-model.test.ts, largest
//   error in bench/results/cycle-model.json): `total` is PERF_TOTAL_CYCLES summed over the runs
//   the host driver measures (the requantized run of each tile of a requantized case).
//   A run with `reuseMap` (LAYER_TYPE.REUSE_MAP) has no coordinate load and no mapping: the same
//   runs of the map are complete at START (test/accel/reuse.test.ts: within 1 %).
// * **first order** (no coordinates: what generator/sweep/ passes today): the strictly sequential
//   phase estimate below, NOT calibrated. `CyclePrediction.method` says which one answered.
//
// First-order schedule (pessimistic where the RTL overlaps phases):
//   load     every input beat streamed once over AXI4-Stream, one beat per cycle: coordinates
//            (one point per beat), feature words (`rows` channels per beat), weight words
//            (`cols` weights per beat), bias/requantization words;
//   mapping  downsampling (conv: one input point per cycle), then the merge: each merged kernel
//            offset is two jobs, dispatched in offset order to the first free lane; a job costs
//            (n_in + n_out − |map_i|) / 2 comparisons. Submanifold layers with odd k merge
//            offsets 0 … centre only (the mirror gives the rest);
//   compute  per kernel offset with entries, per (input, output) channel-tile pair: one pass of
//            max(|map_i|, rows) cycles, plus one exposed tile load at the start;
//   drain    output coordinates and output words at the stream width.
// A layer larger than the on-chip buffers is cut into `tiles`; each extra tile streams the
// weights again. Halo points shared by neighbouring tiles are not counted.
//
// Pure: no I/O, no imports outside generator/model/.
import { kernelVolume } from './kernel.ts';
import { channelsPerPass, positionBits } from './sparsity.ts';
import type { LayerStats } from './stats.ts';
import type { Coord, LayerShape } from './types.ts';
import { ewChunkEntries, mtChunkEntries, replayLayer, type ReplayParams, type ReplayResult } from './cycle-model-replay.ts';
import { runTableRuns } from './run-table.ts';
import { chooseW0Block, type W0BlockChoice } from './w0-order.ts';
import { choosePassGrouping, type PassGrouping, type PassGroupingChoice } from './pass-grouping.ts';

export const CYCLE_MODEL = {
  name: 'first-order',
  version: 1,
  /** True only once the model has been compared with co-simulation of the complete accelerator. */
  calibrated: false,
} as const;

/** The schedule-replay method (layers with `runs`): calibrated against co-simulation (≤ 2 %). */
export const CYCLE_MODEL_REPLAY = {
  name: 'schedule-replay',
  // 3: the gather's descriptor FIFO (short passes); the scheduler's walk starts with a submanifold/transposed layer.
  // 4: map-free transposed: no progress mark once the mapping engine is idle (its frontier reads 0).
  // 5: map-free transposed: the frontier is N_out once the map is complete, last-pair passes in chunks bank after bank;
  //    the tile-end mark replaces a pending mark of its pair.
  // 6: buffers.w0Interleave: the first pair's tiles in slot order interleaved with W0_BLOCK feature words (the
  //    loader timeline), the block chosen per layer (model/w0-order.ts); features on chip wait only for tiles.
  // 7: the tile-end mark's replacement of a pending mark is replayed (v5 still drained the replaced mark's words at its
  //    own hit; map-free conv k2 s2 on the bunny v0.5 predicted -1.15 %, now +0.25 %).
  // 8: the offset-grouped walk skips a bank whose recorded candidate is of another kernel index than the target
  //    (accel_sched bo_q): one cycle instead of a four-cycle visit (MinkUNet w1.0 enc4.res0.conv1 on the strip −12.9 %).
  // 9: offset-grouped, the cycle a pass is pushed (EMA / EMB) also does NEXT's work (enc4.res0.conv1 −12.5 % more).
  // 10: interfaces.outputOrder 'interleaved': a map-free conv's words leave with their coordinates as they are final.
  // 11: buffers.weightReadRows: a tile loads in ⌈rows / weightReadRows⌉ cycles; the rows-entry pass threshold (map-free
  //     transposed, and map-free conv with the interleaved output, with the drain port) is max(4, rows / weightReadRows).
  // 12: interfaces.outputOrder 'interleaved' replayed cycle-exact: the marks register by register (a bank's bound raised
  //     to the frontier stays raised), mk_hit at the drain's pass count, a coordinate beat before each cout-tile-0 word,
  //     bank writes counted the cycle they land (bunny conv k2 s2 16→16 on fpga: 4,116 predicted → 4,096 = RTL).
  // 13: gatherScatter.passListDepth: the first pair that starts on a complete map records its runs' passes, later pairs
  //     replay them one per cycle; a REUSE beat and a tile load wait for the weight fetcher's previous beats (they
  //     bound only when passes come one per cycle: replayed offset-grouped conv k3 s2 12→12 −3.3 % → −0.5 %).
  // 14: a later pair's weight tile is usable 2 cycles after its last word is written (the ring's fill registered, then
  //     compared): map-free conv with two cin tiles exact (bunny 32→48 −2 cycles before), 5 map-free transposed cases too.
  version: 14,
  calibrated: true,
} as const;

/** One hardware layer run (one tile): canonical input and hardware output coordinates [b, x, y, z]. */
export interface CycleModelRun {
  inCoords: readonly Coord[];
  outCoords: readonly Coord[];
  /** The run reuses the previous run's map on chip (LAYER_TYPE.REUSE_MAP). */
  reuseMap?: boolean;
  /** Fusion: the input features are on chip (FUSION.FEAT_ON_CHIP: no FEAT section). */
  featOnChip?: boolean;
  /** Fusion: the output words stay on chip only (FUSION.KEEP_OUT with NO_STREAM). */
  wordsOnChip?: boolean;
  /** Output channels of this run when the host split the layer's into groups (model/tiles.ts); default the layer's. */
  outChannels?: number;
  /**
   * A core-only tile of an odd-k submanifold layer (model/tiles.ts Tile.coreOnly): the run is a
   * stride-1 transposed layer whose outputs (`outCoords`) are the tile's core.
   */
  coreOnly?: boolean;
}

/** The spec fields the model reads; an AcceleratorSpec is one. */
export interface CycleModelParams {
  arithmetic: { inWidth: number; weightWidth: number; accWidth: number; outWidth: number };
  mapping: { lanes: number; maxStride?: number; maxKernelSize?: number; mapFreeDownsample?: boolean; mapFreeTransposed?: boolean; mapFreeEarlyWalk?: boolean; segmentMajor?: boolean; nearFirstJobs?: boolean; comparePipeline?: boolean; overlapLoad?: boolean };
  /** weightReadRows (default 1): weight-tile rows the fetcher reads per cycle (a tile loads in rows / weightReadRows). */
  buffers: { coordDepth: number; featureDepth: number; weightDepth: number; accumulatorDepth: number; mapDepth: number; w0Interleave?: boolean; weightReadRows?: number };
  /** `weightSparsity` (default dense): an N:M pattern widens a pass to rows · M/N input channels. */
  matrix: { rows: number; cols: number; weightSparsity?: string; treePipeline?: number };
  /** outputOrder (default sections): 'interleaved' map-free conv output (accel_output il); only the replay reads it. */
  interfaces: { axisDataWidth: number; outputOrder?: string };
  /** Table widths (default 16 / 6); only the replay reads them. */
  postprocess?: { multiplierWidth: number; shiftWidth: number; pipelineStages?: number };
  /**
   * scatterForwarding default true; drainPort default false; passGrouping (default bank): the
   * policies the scheduler supports, of which the replay picks the fastest per layer (as the host
   * driver does). Only the replay reads them.
   */
  gatherScatter?: { scatterForwarding: boolean; drainPort?: boolean; drainEpochBits?: number; passGrouping?: readonly PassGrouping[]; passListDepth?: number };
}

/**
 * Drain port (templates/top/accel_drain.v.hbs): cycles a START waits before it is taken because
 * the layer epoch of the accumulator-word tags wraps, given the STARTs taken since reset, the
 * last error or the last CLEAR (this one excluded; wrap sweeps do not restart the count). The
 * epochs 1 … 2^E − 1 (E = drainEpochBits, default 8) serve one START each; the next START runs
 * an accumulatorDepth-cycle sweep first. BUSY time outside PERF_TOTAL_CYCLES (START to DONE).
 */
export function flagSweepCycles(spec: CycleModelParams, startsSinceSweep: number): number {
  if (!spec.gatherScatter?.drainPort) return 0;
  const period = 2 ** (spec.gatherScatter.drainEpochBits ?? 8) - 1;
  return startsSinceSweep > 0 && startsSinceSweep % period === 0 ? spec.buffers.accumulatorDepth : 0;
}

/** The layer shape of the case, and which post-processing tables it carries. */
export interface CycleModelLayer extends LayerShape {
  /** The case has requantization (outputs are outWidth wide; accWidth otherwise). Default true. */
  requant?: boolean;
  /** The case has a bias table. Default true. */
  bias?: boolean;
  /**
   * The hardware runs (tiles) of the layer with their coordinates: selects the calibrated schedule
   * replay. `cycleModelRuns` (cycle-model-runs.ts) derives them as the host driver does.
   */
  runs?: readonly CycleModelRun[];
  /**
   * Replay only: the pass-grouping policy the host programs. Unset: the fastest of the spec's
   * `gatherScatter.passGrouping` (model/pass-grouping.ts choosePassGrouping).
   */
  passGrouping?: PassGrouping;
  /**
   * Replay only, spec.buffers.w0Interleave: the LAYER_TYPE.W0_BLOCK the host programs. Unset: the
   * fastest by the replay (model/w0-order.ts chooseW0Block) for the chosen policy.
   */
  w0Block?: number;
}

export interface CyclePrediction {
  /** 'replay' (calibrated, `layer.runs` given) or 'first-order'. */
  method: 'replay' | 'first-order';
  /**
   * Predicted cycles. Replay: PERF_TOTAL_CYCLES (START taken → DONE) summed over the runs. First
   * order: from the first input beat to the last output beat.
   */
  total: number;
  load: number;
  mapping: number;
  compute: number;
  drain: number;
  /** Weight re-streaming of tiles beyond the first. */
  tiling: number;
  /** DESIGN.md §3: Σ_i |map_i| · ceil(Cin / rows) · ceil(Cout / cols). */
  computeBound: number;
  /** computeBound / total. */
  utilisation: number;
  /** Tiles the host driver cuts the layer into (1 when it fits on chip). */
  tiles: number;
  /** Buffers the layer overflows (empty when it fits), e.g. `buffers.coordDepth`. */
  overflows: string[];
  detail: {
    coordBeats: number;
    featureBeats: number;
    weightBeats: number;
    paramBeats: number;
    downsample: number;
    merge: number;
    mergedOffsets: number;
    comparisons: number;
    passes: number;
    outBeats: number;
  };
  /** Replay only: the figures of every run (tile). */
  runs?: ReplayResult[];
  /** Replay only: the pass-grouping policy replayed, and the predicted total of every policy compared. */
  passGrouping?: PassGroupingChoice;
  /**
   * Replay only, spec.buffers.w0Interleave: the W0_BLOCK replayed, and the predicted total of every
   * block tried (of the layer's largest run when it has several).
   */
  w0Block?: W0BlockChoice;
}

const ceilDiv = (a: number, b: number): number => Math.ceil(a / b);

/** Makespan of jobs dispatched in order, each to the lane that becomes free first. */
function listSchedule(jobs: number[], lanes: number): number {
  const free = new Array<number>(Math.max(1, lanes)).fill(0);
  for (const j of jobs) {
    let k = 0;
    for (let l = 1; l < free.length; l++) if (free[l]! < free[k]!) k = l;
    free[k]! += j;
  }
  return Math.max(...free);
}

/** A transposed k = s = 2 layer the downsampler walks map-free (run-table.ts mapSchedule). */
function mapFreeTransposed(spec: CycleModelParams, layer: LayerShape): boolean {
  const m = spec.mapping;
  return layer.type === 'transposed' && layer.kernelSize === 2 && layer.stride === 2 && m.lanes >= 8 && m.mapFreeDownsample === true && m.mapFreeTransposed === true;
}

/** The replay's view of a spec. */
export function replayParams(spec: CycleModelParams): ReplayParams {
  return {
    lanes: spec.mapping.lanes,
    rows: spec.matrix.rows,
    xRows: channelsPerPass(spec.matrix),
    positionBits: positionBits(spec.matrix),
    cols: spec.matrix.cols,
    axisDataWidth: spec.interfaces.axisDataWidth,
    accWidth: spec.arithmetic.accWidth,
    outWidth: spec.arithmetic.outWidth,
    inWidth: spec.arithmetic.inWidth,
    weightWidth: spec.arithmetic.weightWidth,
    weightDepth: spec.buffers.weightDepth,
    dsClasses: (spec.mapping.maxStride ?? 2) ** 2,
    mapFree: spec.mapping.mapFreeDownsample ?? false,
    mapFreeTrans: spec.mapping.mapFreeTransposed ?? false,
    segmentMajor: spec.mapping.segmentMajor ?? false,
    nearFirst: (spec.mapping.segmentMajor ?? false) && (spec.mapping.nearFirstJobs ?? false),
    comparePipeline: spec.mapping.comparePipeline ?? false,
    overlapLoad: spec.mapping.overlapLoad ?? false,
    w0Interleave: spec.buffers.w0Interleave ?? false,
    weightReadRows: spec.buffers.weightReadRows ?? 1,
    runTableRuns: runTableRuns(spec.mapping.maxKernelSize ?? 5),
    multiplierWidth: spec.postprocess?.multiplierWidth ?? 16,
    shiftWidth: spec.postprocess?.shiftWidth ?? 6,
    scatterForwarding: spec.gatherScatter?.scatterForwarding ?? true,
    drainPort: spec.gatherScatter?.drainPort ?? false,
    passListDepth: spec.gatherScatter?.passListDepth ?? 0,
    mtChunk: mtChunkEntries(spec.matrix.rows, Math.floor(spec.buffers.mapDepth / spec.mapping.lanes)),
    ewChunk: (spec.mapping.mapFreeEarlyWalk ?? false) && (spec.mapping.mapFreeDownsample ?? false) && (spec.mapping.comparePipeline ?? false)
      ? ewChunkEntries(spec.matrix.rows, spec.buffers.weightReadRows ?? 1, Math.floor(spec.buffers.mapDepth / spec.mapping.lanes))
      : 0,
    extraLatency: (spec.matrix.treePipeline ?? 0) + (spec.postprocess?.pipelineStages ?? 0),
    outputInterleaved: spec.interfaces.outputOrder === 'interleaved',
  };
}

function predictReplay(spec: CycleModelParams, stats: LayerStats, layer: CycleModelLayer, runs: readonly CycleModelRun[]): CyclePrediction {
  const p = replayParams(spec);
  const requant = layer.requant ?? true;
  const bias = layer.bias ?? true;
  const replayAll = (passGrouping: PassGrouping, w0Block = layer.w0Block ?? 0, which: readonly CycleModelRun[] = runs) => which.map((r) =>
    replayLayer(p, {
      type: r.coreOnly ? 'transposed' : layer.type,
      kernelSize: layer.kernelSize,
      stride: r.coreOnly ? 1 : layer.stride,
      inTensorStride: layer.inTensorStride,
      inChannels: layer.inChannels,
      outChannels: r.outChannels ?? layer.outChannels,
      inCoords: r.inCoords,
      outCoords: r.outCoords,
      requant,
      bias,
      reuseMap: r.reuseMap,
      featOnChip: r.featOnChip,
      wordsOnChip: r.wordsOnChip,
      passGrouping,
      w0Block,
    }),
  );
  const byPolicy = new Map<PassGrouping, ReplayResult[]>();
  const choice = choosePassGrouping(layer.passGrouping ? [layer.passGrouping] : (spec.gatherScatter?.passGrouping ?? ['bank']), (g) => {
    const r = replayAll(g);
    byPolicy.set(g, r);
    return r.reduce((a, x) => a + x.total, 0);
  });
  let res = byPolicy.get(choice.policy)!;
  // W0_BLOCK for the chosen policy (one value for every run of the layer).
  let w0: W0BlockChoice | undefined;
  if (spec.buffers.w0Interleave === true) {
    const tot = (r: ReplayResult[]) => r.reduce((a, x) => a + x.total, 0);
    if (layer.w0Block !== undefined) w0 = { block: layer.w0Block, predicted: { [layer.w0Block]: tot(res) } };
    else {
      // A layer of several runs (tiles) is searched on its largest run, then every run replayed with
      // the block found (the host writes one W0_BLOCK per layer; tiles are alike, and the search
      // costs ≈ 15 replays).
      const feats = runs.map((r) => (r.featOnChip ? 0 : r.inCoords.length * ceilDiv(layer.inChannels, channelsPerPass(spec.matrix))));
      const big = feats.indexOf(Math.max(0, ...feats));
      const one = runs.length > 1;
      // (block 0 is the replay already made; with several runs, of the largest run)
      const byBlock = new Map<number, ReplayResult[]>([[0, one ? [res[big]!] : res]]);
      w0 = chooseW0Block((g) => {
        const r = byBlock.get(g) ?? (one ? [replayAll(choice.policy, g, [runs[big]!])[0]!] : replayAll(choice.policy, g));
        byBlock.set(g, r);
        return tot(r);
      }, feats[big] ?? 0, layer.type === 'submanifold' || (mapFreeTransposed(spec, layer) && 'strict'));
      // Conv layers keep the plain stream (block 0) unless a block is predicted > 1 % faster: the
      // block barely moves a conv layer (fpga bunny 16→16 predicted flat 4,753 at 0 … 64), and with
      // buffers.weightReadRows 4 the replay put block 128 at 4,729, measured 4,867 (block 0: 4,750).
      if (layer.type === 'conv' && w0.block !== 0 && w0.predicted[w0.block]! >= 0.99 * w0.predicted[0]!) w0 = { ...w0, block: 0 };
      if (!one) res = byBlock.get(w0.block)!;
      else if (w0.block !== 0) {
        const b = w0.block;
        const found = byBlock.get(b)![0]!;
        res = runs.map((r, i) => (i === big ? found : replayAll(choice.policy, b, [r])[0]!));
      }
    }
  }
  const sum = (f: (r: ReplayResult) => number) => res.reduce((a, r) => a + f(r), 0);
  const ti = ceilDiv(layer.inChannels, channelsPerPass(spec.matrix));
  const to = ceilDiv(layer.outChannels, spec.matrix.cols);
  const computeBound = stats.mapEntries * ti * to;
  const total = sum((r) => r.total);
  const symmetric = layer.type === 'submanifold' && layer.kernelSize % 2 === 1;
  return {
    method: 'replay',
    total,
    load: sum((r) => r.coordLoad),
    mapping: sum((r) => r.mapping),
    compute: sum((r) => r.compute),
    drain: sum((r) => r.tail),
    tiling: 0,
    computeBound,
    utilisation: total === 0 ? 0 : computeBound / total,
    tiles: runs.length,
    overflows: [],
    detail: {
      coordBeats: sum((r) => r.coordLoad),
      featureBeats: runs.reduce((a, r) => a + (r.featOnChip ? 0 : r.inCoords.length * ti), 0),
      weightBeats: runs.reduce((a, r) => a + stats.kernelVolume * ti * spec.matrix.rows * ceilDiv(r.outChannels ?? layer.outChannels, spec.matrix.cols), 0),
      paramBeats: 0,
      downsample: sum((r) => r.downsample),
      merge: sum((r) => r.merge),
      mergedOffsets: symmetric ? (stats.kernelVolume + 1) / 2 : stats.kernelVolume,
      comparisons: sum((r) => r.comparisons),
      passes: sum((r) => r.passes),
      outBeats: 0,
    },
    runs: res,
    passGrouping: choice,
    w0Block: w0,
  };
}

export function predictCycles(spec: CycleModelParams, stats: LayerStats, layer: CycleModelLayer): CyclePrediction {
  if (layer.runs !== undefined) return predictReplay(spec, stats, layer, layer.runs);
  const { rows, cols } = spec.matrix;
  const axis = spec.interfaces.axisDataWidth;
  const nIn = stats.pointsIn;
  const nOut = stats.pointsOut;
  const cin = layer.inChannels;
  const cout = layer.outChannels;
  const kv = kernelVolume(layer.kernelSize);
  if (kv !== stats.kernelVolume) {
    throw new Error(`predictCycles: layer kernel size ${layer.kernelSize} does not match the stats' kernel volume ${stats.kernelVolume}`);
  }
  const xRows = channelsPerPass(spec.matrix);
  const inTiles = ceilDiv(cin, xRows);
  const outTiles = ceilDiv(cout, cols);
  const requant = layer.requant ?? true;
  const bias = layer.bias ?? true;
  const entries = stats.mapEntriesPerOffset;

  const coordBeats = nIn + (layer.type === 'transposed' ? nOut : 0);
  const featureBeats = nIn * inTiles;
  // A sparse tile holds `rows` compressed words for xRows channels.
  const weightBeats = xRows === rows ? kv * cin * outTiles : kv * inTiles * rows * outTiles;
  // Bias: one word per output tile; requantization: a multiplier word and a shift word per tile.
  const paramBeats = outTiles * ((bias ? 1 : 0) + (requant ? 2 : 0));
  const load = coordBeats + featureBeats + weightBeats + paramBeats;

  const downsample = layer.type === 'conv' ? nIn : 0;
  const symmetric = layer.type === 'submanifold' && layer.kernelSize % 2 === 1;
  const merged = symmetric ? (kv + 1) / 2 : kv;
  const jobs: number[] = [];
  let comparisons = 0;
  for (let i = 0; i < merged; i++) {
    const c = nIn + nOut - (entries[i] ?? 0);
    comparisons += c;
    jobs.push(c / 2, c / 2);
  }
  const merge = nIn === 0 || nOut === 0 ? 0 : Math.ceil(listSchedule(jobs, spec.mapping.lanes));
  const mapping = downsample + merge;

  let computeBound = 0;
  let compute = 0;
  let passes = 0;
  // A pass takes at least its tile load (rows / weightReadRows cycles).
  const tileLoad = Math.ceil(rows / (spec.buffers.weightReadRows ?? 1));
  for (const e of entries) {
    if (e === 0) continue;
    computeBound += e * inTiles * outTiles;
    compute += inTiles * outTiles * Math.max(e, tileLoad);
    passes += inTiles * outTiles;
  }
  if (passes > 0) compute += tileLoad;

  const outWordBits = cols * (requant ? spec.arithmetic.outWidth : spec.arithmetic.accWidth);
  const outBeats = nOut * outTiles * ceilDiv(outWordBits, axis);
  const drain = nOut + outBeats;

  const need: [string, number, number][] = [
    ['buffers.coordDepth', Math.max(nIn, nOut), spec.buffers.coordDepth],
    ['buffers.featureDepth', nIn * inTiles, spec.buffers.featureDepth],
    ['buffers.accumulatorDepth', nOut * outTiles, spec.buffers.accumulatorDepth],
    ['buffers.mapDepth', symmetric ? entries.slice(0, merged).reduce((a, b) => a + b, 0) : stats.mapEntries, spec.buffers.mapDepth],
  ];
  const overflows = need.filter(([, n, depth]) => n > depth).map(([field]) => field);
  const tiles = Math.max(1, ...need.map(([, n, depth]) => ceilDiv(n, depth)));
  const tiling = (tiles - 1) * weightBeats;

  const total = load + mapping + compute + drain + tiling;
  return {
    method: 'first-order',
    total,
    load,
    mapping,
    compute,
    drain,
    tiling,
    computeBound,
    utilisation: total === 0 ? 0 : computeBound / total,
    tiles,
    overflows,
    detail: { coordBeats, featureBeats, weightBeats, paramBeats, downsample, merge, mergedOffsets: merged, comparisons, passes, outBeats },
  };
}
