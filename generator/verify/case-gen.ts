// Random layer cases for the verification campaign (docs/verification.md): a seeded random cloud
// (blobs, scatter, lines, planes; negative coordinates, several batches, tensor strides) and a
// random layer within what the spec runs (type, kernel, stride, channels, bias, requantization
// ± ReLU or raw accumulators), data in the spec's widths. Everything is a function of the spec
// and the seed; clouds are small so that one case simulates in well under a second.
import type { AcceleratorSpec } from '../dsl/spec.ts';
import { canonicalLayer } from '../sim/accel/driver.ts';
import { planTiles, tileLimits } from '../model/tiles.ts';
import { calibrateRequant } from '../io/case-builder.ts';
import { Prng } from '../io/prng.ts';
import { inChannelsPerPass, weightPattern } from '../dsl/sparsity.ts';
import { pruneWeights } from '../prune/prune.ts';
import { convOutputCoords } from '../model/downsample.ts';
import { compareCoords } from '../model/tensor.ts';
import type { ArithmeticWidths, Coord, LayerCase, LayerType, Requant } from '../model/types.ts';

export const CLOUD_KINDS = ['blobs', 'scatter', 'lines', 'planes'] as const;
export type CloudKind = (typeof CLOUD_KINDS)[number];

export interface CaseDraw {
  case: LayerCase;
  cloud: CloudKind;
  /** Backpressure: stall probability per cycle on every port. */
  stall: number;
  /** Short label: `submanifold k3 ts2 3→5 requant+relu blobs 23 pts`. */
  label: string;
  /** Redraws needed before the case fitted on chip (see drawFittingCase). */
  redraws?: number;
}

export interface CaseGenOptions {
  /** Upper bound on the points drawn (default 48). */
  maxPoints?: number;
  /** Upper bound on the channels (default: 2·rows+1 / 2·cols+1, at most 24). */
  maxChannels?: number;
}

export function widthsOf(spec: AcceleratorSpec): ArithmeticWidths {
  const { inWidth, weightWidth, accWidth, outWidth } = spec.arithmetic;
  return { inWidth, weightWidth, accWidth, outWidth };
}

function pick<T>(r: Prng, xs: readonly T[]): T {
  return xs[r.int(0, xs.length - 1)]!;
}

/** A cloud of about `n` points at tensor stride 1, |coordinate| ≤ span, batches 0 … batches-1. */
export function randomCloud(r: Prng, kind: CloudKind, n: number, span: number, batches: number): Coord[] {
  const seen = new Map<string, Coord>();
  const clamp = (v: number) => Math.max(-span, Math.min(span, v));
  const add = (b: number, x: number, y: number, z: number) => {
    const c: Coord = [b, clamp(x), clamp(y), clamp(z)];
    seen.set(c.join(','), c);
  };
  const rc = () => r.int(-span, span);
  for (let b = 0; b < batches; b++) {
    const m = Math.max(1, Math.round(n / batches));
    switch (kind) {
      case 'scatter':
        for (let i = 0; i < m; i++) add(b, rc(), rc(), rc());
        break;
      case 'blobs': {
        const centres = Array.from({ length: r.int(1, 3) }, () => [rc(), rc(), rc()] as const);
        const rad = Math.max(1, Math.min(span, r.int(1, 2)));
        for (let i = 0; i < m; i++) {
          const [x, y, z] = pick(r, centres);
          add(b, x + r.int(-rad, rad), y + r.int(-rad, rad), z + r.int(-rad, rad));
        }
        break;
      }
      case 'lines': {
        const lines = Array.from({ length: r.int(1, 3) }, () => ({ o: [rc(), rc(), rc()], axis: r.int(0, 2) }));
        for (let i = 0; i < m; i++) {
          const l = pick(r, lines);
          const p = [...l.o];
          p[l.axis] = rc();
          add(b, p[0]!, p[1]!, p[2]!);
        }
        break;
      }
      case 'planes': {
        const planes = Array.from({ length: r.int(1, 2) }, () => ({ v: rc(), axis: r.int(0, 2) }));
        for (let i = 0; i < m; i++) {
          const pl = pick(r, planes);
          const p = [rc(), rc(), rc()];
          p[pl.axis] = pl.v;
          add(b, p[0]!, p[1]!, p[2]!);
        }
        break;
      }
    }
  }
  return [...seen.values()].sort(compareCoords);
}

/** Fit a calibrated requantization into the spec's multiplier and shift widths (same scale where possible). */
export function fitRequant(q: Requant, multiplierWidth: number, shiftWidth: number): Requant {
  const mMax = 2 ** multiplierWidth - 1;
  const sMax = 2 ** shiftWidth - 1;
  const multiplier: number[] = [];
  const shift: number[] = [];
  q.multiplier.forEach((m0, i) => {
    let m = m0;
    let s = q.shift[i]!;
    while (m > mMax && s > 0) {
      m = Math.floor(m / 2);
      s--;
    }
    while (s > sMax && m > 1) {
      m = Math.floor(m / 2);
      s--;
    }
    multiplier.push(Math.min(m, mMax));
    shift.push(Math.min(s, sMax));
  });
  return { multiplier, shift, relu: q.relu };
}

/** The random layer case of `seed` on `spec`. */
export function randomLayerCase(spec: AcceleratorSpec, seed: number, opts: CaseGenOptions = {}): CaseDraw {
  const r = new Prng(seed * 2 + 0x51f0);
  const mp = spec.mapping;
  const w = widthsOf(spec);
  const type: LayerType = pick(r, mp.layerTypes);
  // Kernel: mostly the common sizes, sometimes the spec's maximum.
  const kMax = mp.maxKernelSize;
  let k = r.int(0, 3) === 0 ? kMax : r.int(1, Math.min(kMax, 3));
  let s = 1;
  if (type !== 'submanifold') {
    const sLogMax = Math.log2(mp.maxStride);
    s = 2 ** r.int(0, sLogMax);
    if (r.int(0, 2) === 0 && mp.maxStride >= 2) s = Math.min(mp.maxStride, 2);
  }
  // Map-free transposed specs: half their transposed cases are k = s = 2, the layers that path
  // runs (an extra draw only on such specs, so the cases of every other spec stay as they were).
  if (type === 'transposed' && mp.mapFreeTransposed && r.int(0, 1) === 0) {
    k = 2;
    s = 2;
  }
  // Tensor stride of the cloud and a span that keeps every coordinate (and the transposed
  // layer's quantized inputs) inside the spec's coordWidth.
  const B = 2 ** (mp.coordWidth - 1) - 1;
  while (s > 1 && 2 * s > B) s /= 2;
  const tsCands = [1, 1, 1, 2, 4].filter((t) => 2 * t * s <= B);
  const ts = tsCands.length ? pick(r, tsCands) : 1;
  const T = type === 'transposed' ? ts * s : ts;
  // The coarsest coordinates (conv outputs, transposed inputs) are floor(c / (ts·s))·ts·s.
  const spanMax = Math.max(1, Math.floor((B - ts * s) / ts));
  const span = Math.max(1, Math.min(spanMax, r.int(2, 7)));
  const batches = Math.min(2 ** mp.batchWidth, r.int(0, 2) === 0 ? r.int(2, 3) : 1);
  const kind = pick(r, CLOUD_KINDS);
  const n = r.int(1, opts.maxPoints ?? 48);
  const cloud = randomCloud(r, kind, n, span, batches).map((c): Coord => [c[0], c[1] * ts, c[2] * ts, c[3] * ts]);
  const inCoords = type === 'transposed' ? convOutputCoords(cloud, T) : cloud;

  const chMax = (n0: number) => Math.max(1, Math.min(spec.matrix.maxChannels, opts.maxChannels ?? Math.min(24, 2 * n0 + 1)));
  // Input channels in units of one pass (rows, or rows · M/N on an N:M accelerator).
  const xRows = inChannelsPerPass(spec);
  const cin = r.int(0, 3) === 0 ? r.int(1, chMax(xRows)) : r.int(1, Math.min(chMax(xRows), xRows));
  const cout = r.int(0, 3) === 0 ? r.int(1, chMax(spec.matrix.cols)) : r.int(1, Math.min(chMax(spec.matrix.cols), spec.matrix.cols));
  const range = (bits: number): [number, number] => [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1];
  const [fLo, fHi] = range(w.inWidth);
  const [wLo, wHi] = range(w.weightWidth);
  // Occasionally extreme data (every value at the range ends) to exercise the widest sums.
  const extreme = r.int(0, 9) === 0;
  const val = (lo: number, hi: number) => (extreme ? (r.int(0, 1) ? lo : hi) : r.int(lo, hi));
  const kv = k ** 3;
  const c: LayerCase = {
    layer: { type, kernelSize: k, stride: s, inTensorStride: T, inChannels: cin, outChannels: cout },
    input: { coords: inCoords, features: inCoords.map(() => Array.from({ length: cin }, () => val(fLo, fHi))) },
    weights: Array.from({ length: kv }, () => Array.from({ length: cin }, () => Array.from({ length: cout }, () => val(wLo, wHi)))),
  };
  // An N:M accelerator runs N:M-sparse layers: prune the drawn weights (no random draw consumed).
  const nm = weightPattern(spec);
  if (nm) c.weights = pruneWeights(c.weights, nm).weights;
  if (type === 'transposed') c.outputCoords = cloud;
  const pp = spec.postprocess;
  if (pp.bias && r.int(0, 3) !== 0) {
    const b = 2 ** Math.min(w.accWidth - 2, w.inWidth + w.weightWidth - 2);
    c.bias = Array.from({ length: cout }, () => r.int(-b, b));
  }
  let post = 'raw';
  if (pp.requant && r.int(0, 3) !== 0) {
    const relu = pp.relu && r.int(0, 1) === 1;
    const mMax = 2 ** pp.multiplierWidth - 1;
    const sMax = 2 ** pp.shiftWidth - 1;
    if (r.int(0, 4) === 0) {
      // Uncalibrated: any multiplier and shift the spec holds (saturation, zero multipliers).
      c.requant = { multiplier: Array.from({ length: cout }, () => r.int(0, mMax)), shift: Array.from({ length: cout }, () => r.int(0, sMax)), relu };
    } else {
      c.requant = fitRequant(calibrateRequant(c, relu, w), pp.multiplierWidth, pp.shiftWidth);
    }
    post = relu ? 'requant+relu' : 'requant';
  }
  const stall = pick(r, [0, 0.1, 0.3, 0.5, 0.7]);
  // A quarter of the cases lie far from the origin, each batch elsewhere (a georeferenced scan):
  // the host driver re-bases them into coordWidth (model/rebase.ts). Shifts are multiples of the
  // input tensor stride only, so a conv's output grid is not aligned with them.
  let far = '';
  if (r.int(0, 3) === 0) {
    const shifts = Array.from({ length: batches }, () => [r.int(-(2 ** 22), 2 ** 22) * T, r.int(-(2 ** 22), 2 ** 22) * T, r.int(-(2 ** 22), 2 ** 22) * T]);
    const mv = (l: Coord[]) => l.map((p): Coord => [p[0], p[1] + shifts[p[0]]![0]!, p[2] + shifts[p[0]]![1]!, p[3] + shifts[p[0]]![2]!]);
    c.input.coords = mv(c.input.coords);
    if (c.outputCoords) c.outputCoords = mv(c.outputCoords);
    far = ' far';
  }
  const label = `${type} k${k}${type === 'submanifold' ? '' : ` s${s}`} ts${T} ${cin}→${cout} ${post}${c.bias ? '+bias' : ''} ${kind} ${inCoords.length} pts ${batches}b${far} stall ${stall}`;
  return { case: c, cloud: kind, stall, label };
}

/** Whether the host driver can tile the case on the spec (no single output needs more than the buffers hold). */
export function fitsOnChip(spec: AcceleratorSpec, c: LayerCase): boolean {
  try {
    planTiles(canonicalLayer(c), tileLimits(spec));
    return true;
  } catch {
    return false;
  }
}

/**
 * randomLayerCase, redrawn with fewer points and channels while one output alone would not fit
 * the spec's buffers (dense neighbourhoods on specs with 16-entry buffers): the driver refuses
 * those, which says nothing about the RTL. Deterministic in (spec, seed).
 */
export function drawFittingCase(spec: AcceleratorSpec, seed: number, opts: CaseGenOptions = {}): CaseDraw {
  let maxPoints = opts.maxPoints ?? 48;
  let maxChannels = opts.maxChannels;
  for (let k = 0; ; k++) {
    const d = randomLayerCase(spec, k === 0 ? seed : seed + k * 1_000_003, { maxPoints, maxChannels });
    if (k >= 8 || fitsOnChip(spec, d.case)) return k === 0 ? d : { ...d, redraws: k, label: `${d.label} (redraw ${k})` };
    maxPoints = Math.max(1, Math.floor(maxPoints / 2));
    maxChannels = Math.max(1, Math.floor((maxChannels ?? 24) / 2));
  }
}
