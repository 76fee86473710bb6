// Voxelization of a float point cloud (DESIGN.md §1): `c = floor(p / v)` per axis, batch `b`,
// one point per voxel, canonical (b, x, y, z) order.
import { FieldError } from '../model/index.ts';
import type { Coord } from '../model/index.ts';
import { BATCH_LIMIT, COORD_LIMIT } from './check.ts';

/**
 * Voxel coordinates of interleaved `[x, y, z, …]` points with voxel size `voxel`, deduplicated
 * and sorted. Note that `floor(p / v)` is taken literally in double precision (0.3 / 0.1 is
 * 2.9999999999999996, so it lands in voxel 2).
 */
export function voxelize(xyz: Float64Array, voxel: number, batch = 0): Coord[] {
  if (typeof voxel !== 'number' || !Number.isFinite(voxel) || voxel <= 0) {
    throw new FieldError('voxel', `must be a finite number > 0, got ${voxel}`);
  }
  if (!Number.isInteger(batch) || batch < 0 || batch > BATCH_LIMIT) {
    throw new FieldError('batch', `must be an integer in [0, 2^31 - 1], got ${batch}`);
  }
  if (xyz.length % 3 !== 0) throw new FieldError('points', `expected x, y, z triples, got ${xyz.length} numbers`);
  const n = xyz.length / 3;
  const q = new Int32Array(xyz.length);
  for (let i = 0; i < xyz.length; i++) {
    const p = xyz[i];
    if (!Number.isFinite(p)) throw new FieldError(`points[${Math.floor(i / 3)}]`, `non-finite ${'xyz'[i % 3]} coordinate (${p})`);
    const c = Math.floor(p / voxel);
    if (c < -COORD_LIMIT || c > COORD_LIMIT) {
      throw new FieldError('voxel',
        `point ${Math.floor(i / 3)} (${'xyz'[i % 3]} = ${p}) maps to voxel coordinate ${c}, beyond ±2^30; use a larger voxel`);
    }
    q[i] = c;
  }
  const order = Int32Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => q[3 * a] - q[3 * b] || q[3 * a + 1] - q[3 * b + 1] || q[3 * a + 2] - q[3 * b + 2],
  );
  const out: Coord[] = [];
  for (let k = 0; k < n; k++) {
    const i = order[k];
    const last = out[out.length - 1];
    if (last && last[1] === q[3 * i] && last[2] === q[3 * i + 1] && last[3] === q[3 * i + 2]) continue;
    out.push([batch, q[3 * i], q[3 * i + 1], q[3 * i + 2]]);
  }
  return out;
}
