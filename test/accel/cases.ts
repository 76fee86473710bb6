// Layer cases for the accelerator co-simulation: seeded random clouds (several batches, any
// tensor stride) or the bunny, with random features/weights/bias in the spec's widths and
// calibrated requantization.
import { presets } from '../../generator/dsl/presets.ts';
import type { AcceleratorSpec } from '../../generator/dsl/spec.ts';
import { bunnyPoints } from '../../generator/io/bunny.ts';
import { buildCase, calibrateRequant } from '../../generator/io/case-builder.ts';
import { Prng } from '../../generator/io/prng.ts';
import { convOutputCoords } from '../../generator/model/downsample.ts';
import { runLayer } from '../../generator/model/layer.ts';
import { compareCoords } from '../../generator/model/tensor.ts';
import type { ArithmeticWidths, Coord, LayerCase, LayerType } from '../../generator/model/types.ts';

export interface CaseOptions {
  type: LayerType;
  k: number;
  s?: number;
  /** Tensor stride of the cloud (the input of submanifold/conv layers, the output of transposed ones). */
  ts?: number;
  cin: number;
  cout: number;
  /** Points drawn (duplicates merged). */
  n: number;
  /** |coordinate| / ts ≤ span. */
  span?: number;
  batches?: number;
  requant?: boolean;
  relu?: boolean;
  bias?: boolean;
  seed: number;
  /** A given cloud (canonical order, tensor stride `ts`) instead of a random one; `n`, `span`, `batches` are then ignored. */
  cloud?: Coord[];
}

export function widthsOf(spec: AcceleratorSpec): ArithmeticWidths {
  const { inWidth, weightWidth, accWidth, outWidth } = spec.arithmetic;
  return { inWidth, weightWidth, accWidth, outWidth };
}

function randomCloud(seed: number, n: number, span: number, batches: number, ts: number): Coord[] {
  const r = new Prng(seed);
  const seen = new Map<string, Coord>();
  for (let i = 0; i < n; i++) {
    const c: Coord = [r.int(0, batches - 1), r.int(-span, span) * ts, r.int(-span, span) * ts, r.int(-span, span) * ts];
    seen.set(c.join(','), c);
  }
  return [...seen.values()].sort(compareCoords);
}

/** A layer case on a random cloud with data in the spec's widths. */
export function randomCase(spec: AcceleratorSpec, o: CaseOptions): LayerCase {
  const w = widthsOf(spec);
  const r = new Prng(o.seed * 7919 + 17);
  const ts = o.ts ?? 1;
  const s = o.s ?? 1;
  const cloud = o.cloud ?? randomCloud(o.seed, o.n, o.span ?? 5, o.batches ?? 1, ts);
  const inCoords = o.type === 'transposed' ? convOutputCoords(cloud, ts * s) : cloud;
  const hi = (bits: number) => 2 ** (bits - 1) - 1;
  const kv = o.k ** 3;
  const c: LayerCase = {
    layer: { type: o.type, kernelSize: o.k, stride: s, inTensorStride: o.type === 'transposed' ? ts * s : ts, inChannels: o.cin, outChannels: o.cout },
    input: { coords: inCoords, features: inCoords.map(() => r.ints(o.cin, -hi(w.inWidth) - 1, hi(w.inWidth))) },
    weights: Array.from({ length: kv }, () => Array.from({ length: o.cin }, () => r.ints(o.cout, -hi(w.weightWidth) - 1, hi(w.weightWidth)))),
  };
  if (o.bias ?? true) {
    const b = 2 ** Math.min(w.accWidth - 2, w.inWidth + w.weightWidth - 2);
    c.bias = r.ints(o.cout, -b, b);
  }
  if (o.type === 'transposed') c.outputCoords = cloud;
  if (o.requant) c.requant = calibrateRequant(c, o.relu ?? false, w);
  return c;
}

/** The bunny case `sparseforge case --bunny` builds. */
export function bunnyCase(spec: AcceleratorSpec, o: { voxel: number; type: LayerType; k: number; s?: number; cin: number; cout: number; requant?: boolean; relu?: boolean; seed?: number; ts?: number }): LayerCase {
  return buildCase({
    points: bunnyPoints(),
    voxel: o.voxel,
    layer: o.type,
    kernel: o.k,
    stride: o.s ?? 1,
    cin: o.cin,
    cout: o.cout,
    requant: o.requant ?? false,
    relu: o.relu ?? false,
    seed: o.seed ?? 1,
    inTensorStride: o.ts ?? 1,
    widths: widthsOf(spec),
  });
}

/**
 * A submanifold k=3 layer on a dense side³ block: an inner point's neighbourhood is 27 points, so
 * 27 · ceil(cout / cols) accumulator words; past accumulatorDepth the host must split the output
 * channels into groups (model/tiles.ts).
 */
export function denseBlockCase(spec: AcceleratorSpec, o: { side: number; cin: number; cout: number; seed: number; requant?: boolean; relu?: boolean }): LayerCase {
  const w = widthsOf(spec);
  const base = randomCase(spec, { type: 'submanifold', k: 3, cin: o.cin, cout: o.cout, n: 1, span: 1, seed: o.seed });
  const r = new Prng(o.seed * 104729 + 3);
  const coords: Coord[] = [];
  for (let x = 0; x < o.side; x++) for (let y = 0; y < o.side; y++) for (let z = 0; z < o.side; z++) coords.push([0, x, y, z]);
  const hi = 2 ** (w.inWidth - 1) - 1;
  const c: LayerCase = { ...base, input: { coords, features: coords.map(() => r.ints(o.cin, -hi - 1, hi)) } };
  if (o.requant) c.requant = calibrateRequant(c, o.relu ?? false, w);
  return c;
}

/**
 * A submanifold or conv case on `copies` clusters of a random cloud strung out along x, `gap`
 * voxels (times the tensor stride) apart: wider than a small coordWidth even re-based as a whole,
 * so each tile is re-based on its own (model/tiles.ts rebaseTiles).
 */
export function wideCase(spec: AcceleratorSpec, o: CaseOptions & { copies: number; gap: number }): LayerCase {
  const w = widthsOf(spec);
  const base = randomCase(spec, { ...o, requant: false });
  const ts = o.ts ?? 1;
  const coords: Coord[] = [];
  for (const p of base.input.coords) for (let j = 0; j < o.copies; j++) coords.push([p[0], p[1] + j * o.gap * ts * (o.s ?? 1), p[2], p[3]]);
  coords.sort(compareCoords);
  const r = new Prng(o.seed * 31 + 5);
  const hi = 2 ** (w.inWidth - 1) - 1;
  const c: LayerCase = { ...base, input: { coords, features: coords.map(() => r.ints(o.cin, -hi - 1, hi)) } };
  if (o.requant) c.requant = calibrateRequant(c, o.relu ?? false, w);
  return c;
}

/** The layer that consumes `prev`'s golden output (coordinates, tensor stride, features). */
export function nextLayer(spec: AcceleratorSpec, prev: LayerCase, o: { type: LayerType; k: number; s?: number; cout: number; seed: number; relu?: boolean; requant?: boolean }): LayerCase {
  const w = widthsOf(spec);
  const g = runLayer(prev, w).result;
  const r = new Prng(o.seed);
  const cin = prev.layer.outChannels;
  const hi = (bits: number) => 2 ** (bits - 1) - 1;
  const c: LayerCase = {
    layer: { type: o.type, kernelSize: o.k, stride: o.s ?? 1, inTensorStride: g.tensorStride, inChannels: cin, outChannels: o.cout },
    input: { coords: g.coords, features: g.features! },
    weights: Array.from({ length: o.k ** 3 }, () => Array.from({ length: cin }, () => r.ints(o.cout, -hi(w.weightWidth) - 1, hi(w.weightWidth)))),
    bias: r.ints(o.cout, -500, 500),
  };
  if (o.requant ?? true) c.requant = calibrateRequant(c, o.relu ?? true, w);
  return c;
}

/**
 * fpga as a 4×4 array without the drain port, the unpipelined merge, 256 map entries per bank and
 * 2 weight-tile rows per read (buffers.weightReadRows; a tile is 2 beats): one build shared by
 * test/accel/mapfree-transposed.test.ts and test/accel/weight-read-rows.test.ts.
 */
export const MT_SMALL_SPEC: AcceleratorSpec = {
  ...presets.fpga,
  name: 'sf_mt_small',
  matrix: { ...presets.fpga.matrix, rows: 4, cols: 4, maxChannels: 64 },
  mapping: { ...presets.fpga.mapping, comparePipeline: false, mapFreeEarlyWalk: false },
  buffers: { ...presets.fpga.buffers, mapDepth: 2048, keepFeatures: false, weightReadRows: 2 },
  // A 32-entry pass list (test/accel/pass-list.test.ts): its layers replay or fall back.
  gatherScatter: { ...presets.fpga.gatherScatter, drainPort: false, passListDepth: 32 },
};

/** Moves every point to the same sub-position (even x, y, z): one kernel index (one map-free lane, one downsampler class). */
export function oneClass(c: LayerCase): LayerCase {
  const seen = new Set<string>();
  const keep: number[] = [];
  c.input.coords.forEach((p, i) => {
    const q = [p[0], p[1] * 2, p[2] * 2, p[3] * 2];
    const k = q.join(',');
    if (!seen.has(k)) { seen.add(k); keep.push(i); }
  });
  const coords = keep.map((i) => { const p = c.input.coords[i]!; return [p[0], p[1] * 2, p[2] * 2, p[3] * 2] as [number, number, number, number]; });
  const order = coords.map((_, i) => i).sort((a, b) => {
    const x = coords[a]!, y = coords[b]!;
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2] || x[3] - y[3];
  });
  return { ...c, input: { coords: order.map((i) => coords[i]!), features: order.map((i) => c.input.features[keep[i]!]!) } };
}
