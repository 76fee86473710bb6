// What the kernel-map builders share: the coordinate lists with their packed keys, and the
// documented pair order.
import type { CoordColumns } from './coord-columns.ts';
import { INT32_KEYS, makeKeySpace } from './coord-keys.ts';
import type { Offset } from './kernel.ts';
import type { MapPairs } from './kernel-map.ts';

/**
 * Coordinates of both sides and their packed keys: Int32Array keys for boxes below 2^31 cells,
 * Float64Array keys below 2^53, none beyond (builders then compare columns). Each builder has
 * one loop per key kind so that every loop stays monomorphic.
 */
export type MapContext =
  | { inCols: CoordColumns; outCols: CoordColumns; kind: 'int32'; inKeys: Int32Array; outKeys: Int32Array; offsetKey(d: Offset): number }
  | { inCols: CoordColumns; outCols: CoordColumns; kind: 'float64'; inKeys: Float64Array; outKeys: Float64Array; offsetKey(d: Offset): number }
  | { inCols: CoordColumns; outCols: CoordColumns; kind: 'columns' };

export function mapContext(inCols: CoordColumns, outCols: CoordColumns, offsets: readonly Offset[]): MapContext {
  const pad: [number, number, number] = [0, 0, 0];
  for (const d of offsets) for (let a = 0; a < 3; a++) pad[a] = Math.max(pad[a], Math.abs(d[a]));
  const space = makeKeySpace([inCols, outCols], pad);
  if (space === null) return { inCols, outCols, kind: 'columns' };
  const offsetKey = (d: Offset) => space.offsetKey(d[0], d[1], d[2]);
  if (space.size <= INT32_KEYS) {
    const inKeys = space.key32(inCols);
    return { inCols, outCols, kind: 'int32', inKeys, outKeys: inCols === outCols ? inKeys : space.key32(outCols), offsetKey };
  }
  const inKeys = space.key(inCols);
  return { inCols, outCols, kind: 'float64', inKeys, outKeys: inCols === outCols ? inKeys : space.key(outCols), offsetKey };
}

export function kernelSizeOf(offsets: readonly Offset[]): number {
  const k = Math.round(Math.cbrt(offsets.length));
  if (k * k * k !== offsets.length || k < 1) throw new RangeError(`${offsets.length} offsets is not a cubic kernel`);
  return k;
}

/** Restores the documented order (ascending output index); a no-op when it already holds. */
export function sortPairsByOutput(p: MapPairs): MapPairs {
  const out = p.output;
  let sorted = true;
  for (let r = 1; r < out.length && sorted; r++) sorted = out[r - 1] < out[r];
  if (sorted) return p;
  const order = Int32Array.from({ length: out.length }, (_, i) => i).sort((a, b) => out[a] - out[b]);
  return { input: order.map((r) => p.input[r]), output: order.map((r) => out[r]) };
}
