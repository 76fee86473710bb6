// Coordinates held as four Int32Array columns: the form every hot loop of the model reads.
// Int32 is the coordinate type of MinkowskiEngine and TorchSparse, and validateTensor enforces it.
import { FieldError } from './errors.ts';
import type { Coord } from './types.ts';

export interface CoordColumns {
  readonly n: number;
  readonly b: Int32Array;
  readonly x: Int32Array;
  readonly y: Int32Array;
  readonly z: Int32Array;
}

export function allocColumns(n: number): CoordColumns {
  return { n, b: new Int32Array(n), x: new Int32Array(n), y: new Int32Array(n), z: new Int32Array(n) };
}

/**
 * Columns of `coords`, optionally reordered (`order[r]` is the index of row r). The int32 check is
 * the only one made: callers outside the model may hand in unvalidated lists, and an Int32Array
 * would silently truncate them.
 */
export function toColumns(coords: readonly Coord[], field: string, order?: Int32Array): CoordColumns {
  const n = coords.length;
  const cols = allocColumns(n);
  for (let r = 0; r < n; r++) {
    const src = order === undefined ? r : order[r];
    const c = coords[src];
    const b = c[0], x = c[1], y = c[2], z = c[3];
    if ((b | 0) !== b || (x | 0) !== x || (y | 0) !== y || (z | 0) !== z || c.length !== 4) {
      throw new FieldError(`${field}[${src}]`, 'must be [b, x, y, z] with 32-bit integer entries');
    }
    cols.b[r] = b;
    cols.x[r] = x;
    cols.y[r] = y;
    cols.z[r] = z;
  }
  return cols;
}

export function toCoords(cols: CoordColumns): Coord[] {
  const out: Coord[] = new Array(cols.n);
  for (let r = 0; r < cols.n; r++) out[r] = [cols.b[r], cols.x[r], cols.y[r], cols.z[r]];
  return out;
}

export function permuteColumns(cols: CoordColumns, order: Int32Array): CoordColumns {
  const out = allocColumns(order.length);
  for (let r = 0; r < order.length; r++) {
    const s = order[r];
    out.b[r] = cols.b[s];
    out.x[r] = cols.x[s];
    out.y[r] = cols.y[s];
    out.z[r] = cols.z[s];
  }
  return out;
}

/** Lexicographic (b, x, y, z) comparison of row i of `a` with row j of `c` shifted by `d`. */
export function compareShifted(
  a: CoordColumns, i: number, c: CoordColumns, j: number, dx: number, dy: number, dz: number,
): number {
  return (a.b[i] - c.b[j]) || (a.x[i] - (c.x[j] + dx)) || (a.y[i] - (c.y[j] + dy)) || (a.z[i] - (c.z[j] + dz));
}

/** Index of the first row that is not strictly after its predecessor, or -1 when canonical. */
export function firstUnsortedRow(cols: CoordColumns): number {
  for (let r = 1; r < cols.n; r++) {
    if (compareShifted(cols, r - 1, cols, r, 0, 0, 0) >= 0) return r;
  }
  return -1;
}
