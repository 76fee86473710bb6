// Output coordinates of a strided conv: unique(floor(c / ts') · ts') on x, y, z (DESIGN.md §1).
import { allocColumns, compareShifted, toColumns, toCoords, type CoordColumns } from './coord-columns.ts';
import { FieldError } from './errors.ts';
import { canonicalOrder } from './tensor.ts';
import type { Coord } from './types.ts';

/** Any input order; the result is in canonical order. */
export function convOutputCoords(coords: readonly Coord[], outTensorStride: number): Coord[] {
  return toCoords(downsampleColumns(toColumns(coords, 'input.coords'), outTensorStride));
}

/** `order[r]`, when given, is the caller's index of row r, used in error messages. */
export function downsampleColumns(cols: CoordColumns, ts: number, field = 'input.coords', order?: Int32Array): CoordColumns {
  if (!Number.isInteger(ts) || ts < 1) throw new FieldError('outTensorStride', `must be an integer ≥ 1 (got ${ts})`);
  const q = allocColumns(cols.n);
  for (let r = 0; r < cols.n; r++) {
    // Floor, not truncation: -1 belongs to the cell starting at -ts.
    const x = Math.floor(cols.x[r] / ts) * ts, y = Math.floor(cols.y[r] / ts) * ts, z = Math.floor(cols.z[r] / ts) * ts;
    if ((x | 0) !== x || (y | 0) !== y || (z | 0) !== z) {
      throw new FieldError(`${field}[${order === undefined ? r : order[r]}]`, `quantized to stride ${ts} it leaves the 32-bit coordinate range`);
    }
    q.b[r] = cols.b[r];
    q.x[r] = x;
    q.y[r] = y;
    q.z[r] = z;
  }
  const sorted = canonicalOrder(q);
  const out = allocColumns(cols.n);
  let m = 0;
  for (let r = 0; r < sorted.length; r++) {
    const s = sorted[r];
    if (m > 0 && compareShifted(out, m - 1, q, s, 0, 0, 0) === 0) continue;
    out.b[m] = q.b[s];
    out.x[m] = q.x[s];
    out.y[m] = q.y[s];
    out.z[m] = q.z[s];
    m++;
  }
  return { n: m, b: out.b.subarray(0, m), x: out.x.subarray(0, m), y: out.y.subarray(0, m), z: out.z.subarray(0, m) };
}
