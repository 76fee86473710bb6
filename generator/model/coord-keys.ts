// Packing of (b, x, y, z) into one float64 integer key whose numeric order is the canonical
// order and in which a translation is an addition: key(c + δ) = key(c) + key(δ). The batch
// index is replaced by its rank among the batches present (translations never change it), and
// the box is padded by the largest offset so that shifted coordinates stay inside it. A key
// space exists only when the padded box has fewer than 2^53 cells; callers fall back to
// column-wise comparison otherwise. Below 2^31 cells the keys also fit an Int32Array, which
// halves the memory traffic of the map builders' hot loops.
import type { CoordColumns } from './coord-columns.ts';

export interface KeySpace {
  /** Number of cells; every key is in [0, size). */
  readonly size: number;
  key(cols: CoordColumns): Float64Array;
  /** Only when `size <= INT32_KEYS`. */
  key32(cols: CoordColumns): Int32Array;
  offsetKey(dx: number, dy: number, dz: number): number;
}

const EXACT = 2 ** 53;
export const INT32_KEYS = 2 ** 31 - 1;

export function makeKeySpace(lists: readonly CoordColumns[], pad: readonly [number, number, number]): KeySpace | null {
  let bmin = Infinity, bmax = -Infinity, xmin = Infinity, xmax = -Infinity;
  let ymin = Infinity, ymax = -Infinity, zmin = Infinity, zmax = -Infinity;
  for (const c of lists) {
    for (let r = 0; r < c.n; r++) {
      const b = c.b[r], x = c.x[r], y = c.y[r], z = c.z[r];
      if (b < bmin) bmin = b;
      if (b > bmax) bmax = b;
      if (x < xmin) xmin = x;
      if (x > xmax) xmax = x;
      if (y < ymin) ymin = y;
      if (y > ymax) ymax = y;
      if (z < zmin) zmin = z;
      if (z > zmax) zmax = z;
    }
  }
  if (bmin === Infinity) return emptySpace();
  xmin -= pad[0];
  ymin -= pad[1];
  zmin -= pad[2];
  const sx = xmax + pad[0] - xmin + 1, sy = ymax + pad[1] - ymin + 1, sz = zmax + pad[2] - zmin + 1;
  const rank = batchRanks(lists, bmin, bmax);
  const size = rank.count * sx * sy * sz;
  if (!(size < EXACT)) return null;
  const syz = sy * sz;
  const sxyz = sx * syz;
  return {
    size,
    key(cols) {
      const out = new Float64Array(cols.n);
      const { b, x, y, z } = cols;
      for (let r = 0; r < cols.n; r++) {
        out[r] = rank.of(b[r]) * sxyz + (x[r] - xmin) * syz + (y[r] - ymin) * sz + (z[r] - zmin);
      }
      return out;
    },
    key32(cols) {
      if (size > INT32_KEYS) throw new RangeError('key space too large for int32 keys');
      return Int32Array.from(this.key(cols));
    },
    offsetKey(dx, dy, dz) {
      return dx * syz + dy * sz + dz;
    },
  };
}

function emptySpace(): KeySpace {
  return { size: 0, key: () => new Float64Array(0), key32: () => new Int32Array(0), offsetKey: () => 0 };
}

interface BatchRank { count: number; of(b: number): number }

function batchRanks(lists: readonly CoordColumns[], bmin: number, bmax: number): BatchRank {
  // A dense table covers the usual case (a handful of small batch indices) without hashing.
  if (bmax - bmin < 1 << 16) {
    const table = new Int32Array(bmax - bmin + 1).fill(-1);
    for (const c of lists) for (let r = 0; r < c.n; r++) table[c.b[r] - bmin] = 0;
    let count = 0;
    for (let i = 0; i < table.length; i++) if (table[i] === 0) table[i] = count++;
    return { count, of: (b) => table[b - bmin] };
  }
  const seen = new Set<number>();
  for (const c of lists) for (let r = 0; r < c.n; r++) seen.add(c.b[r]);
  const sorted = [...seen].sort((p, q) => p - q);
  const map = new Map<number, number>();
  sorted.forEach((b, i) => map.set(b, i));
  return { count: sorted.length, of: (b) => map.get(b)! };
}
