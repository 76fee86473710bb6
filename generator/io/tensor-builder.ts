// A network input tensor from a point cloud: voxelized (DESIGN.md §1), features seeded random
// integers over the whole inWidth range. Everything is a function of the options and the seed.
import { DEFAULT_WIDTHS, FieldError, type ArithmeticWidths, type NodeTensor } from '../model/index.ts';
import { signedRange } from './check.ts';
import { CHANNELS_MAX } from './layer-case.ts';
import { Prng } from './prng.ts';
import { voxelize } from './voxelize.ts';

export interface BuildTensorOptions {
  /** Interleaved `[x, y, z, …]` float points. */
  points: Float64Array;
  voxel: number;
  channels: number;
  seed: number;
  widths?: ArithmeticWidths;
}

/** Option errors name the CLI flag (`--voxel`, `--channels`, `--seed`). */
export function buildTensor(opts: BuildTensorOptions): NodeTensor {
  const widths = opts.widths ?? DEFAULT_WIDTHS;
  if (typeof opts.voxel !== 'number' || !Number.isFinite(opts.voxel) || opts.voxel <= 0) {
    throw new FieldError('--voxel', `must be a finite number > 0, got ${opts.voxel}`);
  }
  if (!Number.isInteger(opts.channels) || opts.channels < 1 || opts.channels > CHANNELS_MAX) {
    throw new FieldError('--channels', `must be an integer in [1, ${CHANNELS_MAX}], got ${opts.channels}`);
  }
  if (!Number.isSafeInteger(opts.seed)) throw new FieldError('--seed', `must be an integer, got ${opts.seed}`);
  let coords;
  try {
    coords = voxelize(opts.points, opts.voxel);
  } catch (e) {
    if (e instanceof FieldError && e.field === 'voxel') throw new FieldError('--voxel', e.rule);
    throw e;
  }
  if (coords.length === 0) throw new FieldError('points', 'the point cloud is empty');
  const rng = new Prng(opts.seed);
  const [lo, hi] = signedRange(widths.inWidth);
  return { tensorStride: 1, coords, features: coords.map(() => rng.ints(opts.channels, lo, hi)) };
}
