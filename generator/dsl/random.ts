// Seeded random valid specs for the gates (lint, synthesis) and co-simulation tests. The same
// seed gives the same spec on every machine; the draw covers non-square arrays, odd widths,
// single-lane and multi-lane mapping, every layer-type subset and narrow and wide streams, and
// keeps buffers small so that simulations stay fast.
import { LAYER_TYPES, type LayerType } from '../model/types.ts';
import { parseSpec } from './define.ts';
import { clog2 } from './derive/math.ts';
import type { PassGrouping } from '../model/pass-grouping.ts';
import { maxKernelVolume, pointWidth, reductionWidth, type AcceleratorSpec } from './spec.ts';

/** mulberry32: tiny, fast and good enough for choosing parameters. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

export function randomValidSpec(seed: number): AcceleratorSpec {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`randomValidSpec: seed must be a non-negative integer, got ${seed}`);
  const r = rng(seed ^ 0x5eed5eed);
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const pow2 = (loLog: number, hiLog: number): number => 2 ** int(loLog, hiLog);

  const rows = pow2(0, 5);
  const cols = pow2(0, 5);
  const inWidth = int(2, 16);
  const weightWidth = int(2, 16);
  const maxKernelSize = int(1, 5);
  const volume = maxKernelSize ** 3;
  const maxChannels = Math.max(rows, cols, pick([1, 3, 8, 16, 48, 64, 100, 256]));
  const layerTypes = LAYER_TYPES.filter(() => r() < 0.6) as LayerType[];
  if (layerTypes.length === 0) layerTypes.push(pick(LAYER_TYPES));
  const coordWidth = int(4, 20);
  const batchWidth = int(1, 6);
  const requant = r() < 0.75;

  const draft: AcceleratorSpec = {
    name: `rnd${seed}`,
    arithmetic: { inWidth, weightWidth, accWidth: 0, outWidth: int(2, 16) },
    mapping: {
      lanes: Math.min(volume, pick([1, 1, 2, 3, 4, 8])),
      maxKernelSize,
      maxStride: pow2(0, 3),
      layerTypes,
      coordWidth,
      batchWidth,
      mapFreeDownsample: false,
      mapFreeTransposed: false,
      mapFreeEarlyWalk: false,
      segmentMajor: false,
      nearFirstJobs: false,
      comparePipeline: false,
      overlapLoad: false,
    },
    buffers: {
      coordDepth: pow2(4, 10),
      featureDepth: pow2(4, 10),
      weightDepth: nextPow2(Math.max(16, Math.max(volume, 2) * rows)) * pick([1, 1, 2]),
      accumulatorDepth: pow2(4, 10),
      mapDepth: pow2(6, 13),
      keepFeatures: false,
      w0Interleave: false,
      weightReadRows: 1,
    },
    gatherScatter: { scatterForwarding: r() < 0.5, drainPort: false, drainEpochBits: 8, passGrouping: ['bank'], passListDepth: 0 },
    matrix: { rows, cols, maxChannels, weightSparsity: 'dense', treePipeline: 0 },
    postprocess: {
      bias: r() < 0.7,
      requant,
      relu: requant && r() < 0.5,
      multiplierWidth: int(1, 31),
      shiftWidth: int(1, 6),
      pipelineStages: 0,
    },
    interfaces: { axisDataWidth: 0, axilDataWidth: pick([32, 32, 64]), outputOrder: 'sections' },
  };
  // No draw (the stream of later fields stays as it was): on wherever the spec allows it.
  const mp = draft.mapping;
  mp.mapFreeDownsample = mp.lanes >= 8 && mp.maxStride >= 2 && mp.maxKernelSize >= 2 && mp.layerTypes.includes('conv');
  mp.segmentMajor = mp.lanes % 2 === 0;
  // The merge overlapped with the coordinate load wherever there is more than one lane (one-lane
  // specs keep the load-then-merge path in the campaign).
  mp.overlapLoad = mp.lanes >= 2;
  // Grouping one offset's passes across banks needs banks to group (and costs area): both policies from 2 lanes.
  if (mp.lanes >= 2) draft.gatherScatter.passGrouping = ['bank', 'offset'];
  const need = reductionWidth(draft);
  // At least 8 bits (the schema minimum; a tiny reduction — narrow data, k = 1, few channels —
  // needs fewer: those seeds threw), the other seeds unchanged.
  draft.arithmetic.accWidth = Math.max(8, Math.min(64, Math.max(need, draft.arithmetic.outWidth) + pick([0, 0, 1, 4, 8])));
  const widest = Math.max(8, pointWidth(draft), rows * inWidth, cols * weightWidth);
  draft.interfaces.axisDataWidth = Math.min(1024, nextPow2(widest) * pick([1, 1, 2]));
  // Knobs drawn after every draw above, so a seed keeps the fields it had before they were drawn;
  // only these change. passGrouping and segmentMajor were on wherever allowed: now a quarter of
  // those seeds (and half the other new draws) leave them off, so that every combination occurs.
  const gs = draft.gatherScatter;
  if (mp.lanes >= 2) gs.passGrouping = pick<PassGrouping[]>([['bank', 'offset'], ['bank', 'offset'], ['offset'], ['bank']]);
  if (mp.lanes % 2 === 0) mp.segmentMajor = r() < 0.75;
  gs.drainPort = r() < 0.4;
  // Small epochs wrap within a few layers (1 bit: a tag sweep before every START after the first).
  if (gs.drainPort) gs.drainEpochBits = pick([1, 2, 3, 8]);
  mp.comparePipeline = mp.maxStride <= 4 && r() < 0.4;
  if (r() < 0.5) draft.matrix.treePipeline = int(0, Math.floor(clog2(rows) / 2));
  if (requant && r() < 0.5) draft.postprocess.pipelineStages = int(1, 3);
  // Fusion needs an output word to be a feature word: cols = rows, outWidth = inWidth, requant.
  if (cols === rows && draft.arithmetic.outWidth === inWidth && requant) draft.buffers.keepFeatures = r() < 0.5;
  // Map-free transposed k = s = 2 wherever the spec allows it (map-free downsampling and transposed
  // layers), in three quarters of those seeds: drawn last, so the fields above keep their values.
  if (mp.mapFreeDownsample && mp.layerTypes.includes('transposed')) mp.mapFreeTransposed = r() < 0.75;
  // Near-first segment-major jobs in half of the segment-major seeds (drawn after everything above).
  if (mp.segmentMajor) mp.nearFirstJobs = r() < 0.5;
  // The start-up W0 / feature interleave in half the seeds: drawn last, so the fields above keep their values.
  draft.buffers.w0Interleave = r() < 0.5;
  // The interleaved output of map-free conv layers in half of the map-free seeds (drawn last).
  if (mp.mapFreeDownsample) draft.interfaces.outputOrder = r() < 0.5 ? 'interleaved' : 'sections';
  // Weight-tile rows read per cycle (banked weight buffer): a divisor of rows ≤ 4, drawn last.
  draft.buffers.weightReadRows = pick([1, 2, 4].filter((n) => rows % n === 0));
  // Pass-list replay (gatherScatter.passListDepth) in half the seeds, a small list so that layers
  // both fit and fall back (drawn last).
  if (r() < 0.5) gs.passListDepth = pick([4, 16, 64]);
  // The map-free conv walk during the coordinate load in half of the pipelined map-free seeds (drawn last).
  if (mp.mapFreeDownsample && mp.comparePipeline) mp.mapFreeEarlyWalk = r() < 0.5;
  if (Math.max(maxKernelVolume(draft), 2) * rows > draft.buffers.weightDepth) throw new Error('randomValidSpec: weight depth rule');
  // Validation is the contract: a draw that breaks a rule is a bug here, not a skipped seed.
  return parseSpec(draft);
}

/**
 * randomValidSpec(seed) with `matrix.weightSparsity` drawn too (the verification campaign's random
 * specs): dense in about half the draws, otherwise an N:M pattern whose N divides `rows`, with the
 * stream widened when a feature word (rows · M/N channels) or a weight word ({position, weight}
 * lanes) no longer fits a beat. A separate generator, so the other parameters of a seed stay those
 * of randomValidSpec(seed) (the lint/synthesis/co-simulation tests that use it are unchanged).
 */
export function randomCampaignSpec(seed: number): AcceleratorSpec {
  const base = randomValidSpec(seed);
  const r = rng(seed ^ 0x2b0f4a11);
  const patterns = ['1:2', '1:4', '2:4', '1:8', '2:8', '4:8'].filter((p) => base.matrix.rows % Number(p.split(':')[0]) === 0);
  if (r() < 0.5) return base;
  const p = patterns[Math.floor(r() * patterns.length)]!;
  const [n, m] = p.split(':').map(Number) as [number, number];
  const x = (base.matrix.rows / n) * m;
  const sel = Math.log2(m);
  const widest = Math.max(base.interfaces.axisDataWidth, x * base.arithmetic.inWidth, base.matrix.cols * (base.arithmetic.weightWidth + sel));
  if (widest > 1024) return base;
  return parseSpec({
    ...base,
    // Fusion needs an output word to be a feature word (cols = input channels per pass), which the
    // pattern changes (seeds 1548, 2477, 3929, 4785 drew both and threw).
    buffers: { ...base.buffers, keepFeatures: base.buffers.keepFeatures && x === base.matrix.cols },
    matrix: { ...base.matrix, weightSparsity: p },
    interfaces: { ...base.interfaces, axisDataWidth: nextPow2(widest) },
  });
}
