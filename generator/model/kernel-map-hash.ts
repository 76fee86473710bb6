// Hash-based kernel map, the software libraries' algorithm: the input coordinates go into a
// table and each output coordinate probes it once per offset. Walking the outputs in order
// yields the documented pair order directly.
import { toColumns, type CoordColumns } from './coord-columns.ts';
import { FieldError } from './errors.ts';
import type { Offset } from './kernel.ts';
import { KeyTable32, KeyTable64 } from './key-table.ts';
import type { KernelMap, MapPairs, MapSign } from './kernel-map.ts';
import { kernelSizeOf, mapContext } from './map-context.ts';
import type { Coord } from './types.ts';

/** Any order works (indices refer to positions in the given lists); coordinates must be unique. */
export function buildKernelMapHash(
  inCoords: readonly Coord[], outCoords: readonly Coord[], offsets: readonly Offset[], sign: MapSign,
): KernelMap {
  const inCols = toColumns(inCoords, 'inCoords');
  return hashMapColumns(inCols, outCoords === inCoords ? inCols : toColumns(outCoords, 'outCoords'), offsets, sign);
}

export function hashMapColumns(
  inCols: CoordColumns, outCols: CoordColumns, offsets: readonly Offset[], sign: MapSign,
): KernelMap {
  const ctx = mapContext(inCols, outCols, offsets);
  // Each output probes once per offset, so nout bounds the hits even if outputs repeat.
  const si = new Int32Array(outCols.n);
  const so = new Int32Array(outCols.n);
  let probe: (d: Offset) => number;
  if (ctx.kind === 'int32') {
    const table = new KeyTable32(ctx.inKeys, 'inCoords');
    probe = (d) => table.probeAll(ctx.outKeys, sign * ctx.offsetKey(d), si, so);
  } else if (ctx.kind === 'float64') {
    const table = new KeyTable64(ctx.inKeys, 'inCoords');
    probe = (d) => probeFloat64(table, ctx.outKeys, sign * ctx.offsetKey(d), si, so);
  } else {
    const table = new Map<string, number>();
    for (let r = 0; r < inCols.n; r++) {
      const key = columnKey(inCols, r, 0, 0, 0);
      const first = table.get(key);
      if (first !== undefined) throw new FieldError(`inCoords[${r}]`, `duplicate coordinate, same as inCoords[${first}]`);
      table.set(key, r);
    }
    probe = (d) => {
      let m = 0;
      for (let q = 0; q < outCols.n; q++) {
        const j = table.get(columnKey(outCols, q, sign * d[0], sign * d[1], sign * d[2]));
        if (j !== undefined) {
          si[m] = j;
          so[m++] = q;
        }
      }
      return m;
    };
  }
  const pairs: MapPairs[] = offsets.map((d) => {
    const m = probe(d);
    return { input: si.slice(0, m), output: so.slice(0, m) };
  });
  return { kernelSize: kernelSizeOf(offsets), offsets: offsets.map((d) => [d[0], d[1], d[2]]), pairs };
}

function probeFloat64(table: KeyTable64, outKeys: Float64Array, shift: number, si: Int32Array, so: Int32Array): number {
  let m = 0;
  for (let q = 0; q < outKeys.length; q++) {
    const j = table.get(outKeys[q] + shift);
    if (j >= 0) {
      si[m] = j;
      so[m++] = q;
    }
  }
  return m;
}

function columnKey(c: CoordColumns, r: number, dx: number, dy: number, dz: number): string {
  return `${c.b[r]},${c.x[r] + dx},${c.y[r] + dy},${c.z[r] + dz}`;
}
