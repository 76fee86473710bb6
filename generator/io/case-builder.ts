// Build a layer case from a point cloud: voxelize, then fill features, weights and bias with
// seeded random integers, and (optionally) calibrate per-channel requantization so that the
// outputs spread over the output range. Everything is a function of the options and the seed.
import {
  DEFAULT_WIDTHS,
  FieldError,
  LAYER_TYPES,
  convOutputCoords,
  kernelVolume,
  runLayer,
  type ArithmeticWidths,
  type Coord,
  type LayerCase,
  type LayerType,
  type Requant,
} from '../model/index.ts';
import { COORD_LIMIT, isPowerOfTwo, signedRange } from './check.ts';
import { CHANNELS_MAX, KERNEL_MAX } from './layer-case.ts';
import { Prng } from './prng.ts';
import { voxelize } from './voxelize.ts';

export interface BuildCaseOptions {
  /** Interleaved `[x, y, z, …]` float points. */
  points: Float64Array;
  /** Voxel size (same units as the points). */
  voxel: number;
  layer: LayerType;
  kernel: number;
  stride: number;
  cin: number;
  cout: number;
  /** Add per-channel requantization (multiplier/shift calibrated on the data). */
  requant: boolean;
  /** ReLU in the requantization (needs `requant`). */
  relu: boolean;
  /** Add a random per-channel bias (default true). */
  bias?: boolean;
  seed: number;
  /**
   * Tensor stride of the voxelized cloud (default 1): the input of submanifold/conv layers, the
   * output of transposed layers (whose input is then at `inTensorStride · stride`).
   */
  inTensorStride?: number;
  /** Datapath widths (default INT8 in/weights/out, 32-bit accumulators). */
  widths?: ArithmeticWidths;
}

/** Significant bits of a calibrated multiplier: m ∈ [2^(MULT_BITS-1), 2^MULT_BITS). */
export const CALIBRATED_MULTIPLIER_BITS = 15;

/** Build a deterministic layer case; option errors name the CLI flag (`--kernel`, `--cin`, …). */
export function buildCase(opts: BuildCaseOptions): LayerCase {
  const widths = opts.widths ?? DEFAULT_WIDTHS;
  const { layer: type, kernel, stride, cin, cout, seed } = opts;
  const ts = opts.inTensorStride ?? 1;
  if (typeof opts.voxel !== 'number' || !Number.isFinite(opts.voxel) || opts.voxel <= 0) {
    throw new FieldError('--voxel', `must be a finite number > 0, got ${opts.voxel}`);
  }
  if (!(LAYER_TYPES as readonly string[]).includes(type)) {
    throw new FieldError('--layer', `must be one of ${LAYER_TYPES.join(', ')}, got ${String(type)}`);
  }
  positiveInt(kernel, '--kernel', KERNEL_MAX);
  positiveInt(stride, '--stride', 2 ** 30);
  positiveInt(cin, '--cin', CHANNELS_MAX);
  positiveInt(cout, '--cout', CHANNELS_MAX);
  if (!Number.isSafeInteger(seed)) throw new FieldError('--seed', `must be an integer, got ${seed}`);
  if (!isPowerOfTwo(ts) || ts > COORD_LIMIT) throw new FieldError('--tensor-stride', `must be a power of two in [1, 2^30], got ${ts}`);
  if (type === 'submanifold' && stride !== 1) throw new FieldError('--stride', `submanifold layers have stride 1, got ${stride}`);
  if (type !== 'submanifold' && !isPowerOfTwo(stride)) {
    throw new FieldError('--stride', `must be a power of two for ${type} layers (tensor strides are powers of two), got ${stride}`);
  }
  if (type !== 'submanifold' && ts * stride > COORD_LIMIT) {
    throw new FieldError('--stride', `tensor stride ${ts}·${stride} exceeds 2^30`);
  }
  if (opts.relu && !opts.requant) throw new FieldError('--relu', 'needs --requant (ReLU is part of requantization)');

  let cloud: Coord[];
  try {
    cloud = voxelize(opts.points, opts.voxel);
  } catch (e) {
    if (e instanceof FieldError && e.field === 'voxel') throw new FieldError('--voxel', e.rule);
    throw e;
  }
  if (cloud.length === 0) throw new FieldError('points', 'the point cloud is empty');
  for (const c of cloud) {
    for (let a = 1; a <= 3; a++) {
      const v = c[a] * ts;
      if (Math.abs(v) > COORD_LIMIT) {
        throw new FieldError('--tensor-stride', `voxel coordinate ${c[a]} · tensor stride ${ts} = ${v} exceeds ±2^30`);
      }
      c[a] = v;
    }
  }

  let inCoords: Coord[];
  let outputCoords: Coord[] | undefined;
  let inTensorStride = ts;
  if (type === 'transposed') {
    inTensorStride = ts * stride;
    outputCoords = cloud;
    inCoords = convOutputCoords(cloud, inTensorStride);
  } else {
    inCoords = cloud;
  }

  const rng = new Prng(seed);
  const [fLo, fHi] = signedRange(widths.inWidth);
  const [wLo, wHi] = signedRange(widths.weightWidth);
  const features = inCoords.map(() => rng.ints(cin, fLo, fHi));
  const kv = kernelVolume(kernel);
  const weights: number[][][] = [];
  for (let i = 0; i < kv; i++) {
    const wi: number[][] = [];
    for (let c = 0; c < cin; c++) wi.push(rng.ints(cout, wLo, wHi));
    weights.push(wi);
  }
  const c: LayerCase = {
    layer: { type, kernelSize: kernel, stride, inTensorStride, inChannels: cin, outChannels: cout },
    input: { coords: inCoords, features },
    weights,
  };
  if (opts.bias ?? true) {
    // About one product's magnitude: visible in the outputs, small next to a full accumulation.
    const b = 2 ** (widths.inWidth + widths.weightWidth - 4);
    c.bias = rng.ints(cout, -b, b);
  }
  if (type === 'transposed') c.outputCoords = outputCoords;
  if (opts.requant) c.requant = calibrateRequant(c, opts.relu, widths);
  return c;
}

/**
 * Per output channel, pick `m / 2^sh ≈ hi / (3 · rms(acc))` (acc after bias, from the golden
 * model), with m holding CALIBRATED_MULTIPLIER_BITS significant bits: roughly ±3 standard
 * deviations of the accumulators map onto the output range.
 */
export function calibrateRequant(c: LayerCase, relu: boolean, widths: ArithmeticWidths = DEFAULT_WIDTHS): Requant {
  const { result } = runLayer({ ...c, requant: undefined }, widths);
  const cout = c.layer.outChannels;
  const [, hi] = signedRange(widths.outWidth);
  const sumSq = new Float64Array(cout);
  for (const row of result.accumulators) for (let o = 0; o < cout; o++) sumSq[o] += row[o] * row[o];
  const n = Math.max(1, result.accumulators.length);
  const multiplier: number[] = [];
  const shift: number[] = [];
  for (let o = 0; o < cout; o++) {
    const rms = Math.sqrt(sumSq[o] / n);
    const [m, sh] = rms === 0 ? [1, 0] : fixedPoint(hi / (3 * rms));
    multiplier.push(m);
    shift.push(sh);
  }
  return { multiplier, shift, relu };
}

/** `scale ≈ m / 2^sh` with m < 2^CALIBRATED_MULTIPLIER_BITS, sh ∈ [0, 63]. */
function fixedPoint(scale: number): [number, number] {
  const top = 2 ** CALIBRATED_MULTIPLIER_BITS;
  let sh = CALIBRATED_MULTIPLIER_BITS - 1 - Math.floor(Math.log2(scale));
  sh = Math.min(63, Math.max(0, sh));
  const m = Math.min(top - 1, Math.max(1, Math.round(scale * 2 ** sh)));
  return [m, sh];
}

function positiveInt(v: number, flag: string, max: number): void {
  if (!Number.isInteger(v) || v < 1 || v > max) throw new FieldError(flag, `must be an integer in [1, ${max}], got ${v}`);
}
