import { describe, expect, it } from 'vitest';
import { compareCoords, FieldError } from '../../generator/model/index.ts';
import { bunnyPoints } from '../../generator/io/bunny.ts';
import { voxelize } from '../../generator/io/voxelize.ts';

describe('voxelize', () => {
  it('floors p / v per axis, merges duplicates, sorts canonically', () => {
    const pts = Float64Array.from([
      0.25, 0.25, 0.25, // voxel (0, 0, 0)
      0.49, 0.01, 0.3, // same voxel
      -0.01, 0, 0, // x floors to -1
      1.5, -2.5, 0.5,
      0, 0, 0,
    ]);
    expect(voxelize(pts, 0.5)).toEqual([[0, -1, 0, 0], [0, 0, 0, 0], [0, 3, -5, 1]]);
    expect(voxelize(pts, 0.5, 3)[0]).toEqual([3, -1, 0, 0]);
    expect(voxelize(new Float64Array(0), 1)).toEqual([]);
  });

  it('rejects bad voxel sizes and out-of-range coordinates, naming them', () => {
    const pts = Float64Array.from([1, 2, 3]);
    for (const v of [0, -1, NaN, Infinity]) expect(() => voxelize(pts, v)).toThrow(/^voxel: must be a finite number > 0/);
    expect(() => voxelize(Float64Array.from([0, 0, 2 ** 31]), 1)).toThrow(/^voxel: point 0 \(z = 2147483648\) maps to voxel coordinate 2147483648, beyond ±2\^30/);
    expect(() => voxelize(Float64Array.from([0, 0, 0, 1, NaN, 0]), 1)).toThrow(FieldError);
    expect(() => voxelize(Float64Array.from([0, 0, 0, 1, NaN, 0]), 1)).toThrow(/^points\[1\]: non-finite y/);
    expect(() => voxelize(pts, 1, -1)).toThrow(/^batch:/);
  });

  it('voxelizes the bunny', () => {
    const pts = bunnyPoints();
    expect(pts.length).toBe(1839 * 3);
    const coarse = voxelize(pts, 1);
    expect(coarse.length).toBeLessThan(1839);
    for (let i = 1; i < coarse.length; i++) expect(compareCoords(coarse[i - 1], coarse[i])).toBeLessThan(0);
  });
});
