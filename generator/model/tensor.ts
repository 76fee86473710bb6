// Sparse-tensor coordinates: canonical order and validation (DESIGN.md §1).
import { compareShifted, toColumns, type CoordColumns } from './coord-columns.ts';
import { makeKeySpace } from './coord-keys.ts';
import { FieldError } from './errors.ts';
import type { Coord } from './types.ts';

/** Lexicographic comparison on (b, x, y, z). */
export function compareCoords(a: Coord, b: Coord): number {
  return (a[0] - b[0]) || (a[1] - b[1]) || (a[2] - b[2]) || (a[3] - b[3]);
}

/** Indices of `coords` in canonical order: `coords[p[0]]` comes first. */
export function canonicalPermutation(coords: readonly Coord[]): Int32Array {
  return canonicalOrder(toColumns(coords, 'coords'));
}

export function canonicalOrder(cols: CoordColumns): Int32Array {
  const n = cols.n;
  const space = makeKeySpace([cols], [0, 0, 0]);
  if (space !== null && space.size * n < 2 ** 53) {
    // Key and index share one float so that the native (comparator-free) sort does all the work;
    // the index rides in the low digits and orders duplicates by position.
    const keys = space.key(cols);
    for (let r = 0; r < n; r++) keys[r] = keys[r] * n + r;
    keys.sort();
    const order = new Int32Array(n);
    for (let r = 0; r < n; r++) order[r] = keys[r] % n;
    return order;
  }
  const order = Int32Array.from({ length: n }, (_, i) => i);
  if (space !== null) {
    const keys = space.key(cols);
    order.sort((p, q) => keys[p] - keys[q] || p - q);
  } else {
    order.sort((p, q) => compareShifted(cols, p, cols, q, 0, 0, 0) || p - q);
  }
  return order;
}

export function isPowerOfTwo(v: number): boolean {
  return Number.isInteger(v) && v >= 1 && v <= 2 ** 30 && (v & (v - 1)) === 0;
}

const AXES = ['x', 'y', 'z'] as const;

/**
 * Checks a coordinate list against DESIGN.md §1 and returns its canonical permutation.
 * `strideField` names the tensor stride in errors about the stride itself.
 */
export function validateTensor(
  coords: readonly Coord[], tensorStride: number, field = 'input.coords', strideField = 'tensorStride',
): Int32Array {
  if (!isPowerOfTwo(tensorStride)) {
    throw new FieldError(strideField, `must be a power of two in [1, 2^30] (got ${tensorStride})`);
  }
  if (!Array.isArray(coords)) throw new FieldError(field, 'must be an array of [b, x, y, z]');
  for (let i = 0; i < coords.length; i++) {
    const c = coords[i] as unknown;
    if (!Array.isArray(c) || c.length !== 4) throw new FieldError(`${field}[${i}]`, 'must be [b, x, y, z]');
    for (let a = 0; a < 4; a++) {
      const v = c[a];
      if (typeof v !== 'number' || (v | 0) !== v) {
        throw new FieldError(`${field}[${i}]`, `entry ${a} must be an integer in [-2^31, 2^31-1] (got ${String(v)})`);
      }
    }
    if (c[0] < 0) throw new FieldError(`${field}[${i}]`, `batch index must be ≥ 0 (got ${c[0]})`);
    for (let a = 1; a < 4; a++) {
      if (c[a] % tensorStride !== 0) {
        throw new FieldError(
          `${field}[${i}]`, `${AXES[a - 1]} = ${c[a]} is not a multiple of the tensor stride ${tensorStride}`,
        );
      }
    }
  }
  const cols = toColumns(coords, field);
  const order = canonicalOrder(cols);
  for (let r = 1; r < order.length; r++) {
    const p = order[r - 1], q = order[r];
    if (compareShifted(cols, p, cols, q, 0, 0, 0) === 0) {
      const [first, second] = p < q ? [p, q] : [q, p];
      throw new FieldError(
        `${field}[${second}]`, `duplicate coordinate [${coords[second].join(', ')}], same as ${field}[${first}]`,
      );
    }
  }
  return order;
}
