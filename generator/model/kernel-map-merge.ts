// Merge-based kernel map: the mapping engine's algorithm (DESIGN.md §3). Both coordinate lists
// are in canonical order and translation keeps the shifted input list in that order, so one
// two-pointer pass per offset finds every match, emitted by ascending output index.
import { compareShifted, firstUnsortedRow, toColumns, type CoordColumns } from './coord-columns.ts';
import { FieldError } from './errors.ts';
import type { Offset } from './kernel.ts';
import type { KernelMap, MapPairs, MapSign } from './kernel-map.ts';
import { kernelSizeOf, mapContext, type MapContext } from './map-context.ts';
import type { Coord } from './types.ts';

/** Inputs and outputs must be in canonical order; see kernel-map.ts for the pair convention. */
export function buildKernelMapMerge(
  inCoords: readonly Coord[], outCoords: readonly Coord[], offsets: readonly Offset[], sign: MapSign,
): KernelMap {
  const inCols = toColumns(inCoords, 'inCoords');
  return mergeMapColumns(inCols, outCoords === inCoords ? inCols : toColumns(outCoords, 'outCoords'), offsets, sign);
}

export function mergeMapColumns(
  inCols: CoordColumns, outCols: CoordColumns, offsets: readonly Offset[], sign: MapSign,
): KernelMap {
  requireCanonical(inCols, 'inCoords');
  if (outCols !== inCols) requireCanonical(outCols, 'outCoords');
  const ctx = mapContext(inCols, outCols, offsets);
  const scratch = newScratch(ctx);
  return {
    kernelSize: kernelSizeOf(offsets),
    offsets: offsets.map((d) => [d[0], d[1], d[2]]),
    pairs: offsets.map((d) => mergeOffset(ctx, d, sign, scratch)),
  };
}

export function requireCanonical(cols: CoordColumns, field: string): void {
  const r = firstUnsortedRow(cols);
  if (r >= 0) throw new FieldError(`${field}[${r}]`, 'coordinates must be unique and in canonical order');
}

export interface Scratch { input: Int32Array; output: Int32Array }

export function newScratch(ctx: MapContext): Scratch {
  // One slot more than the matches can fill: the branch-free loops store before they decide.
  const n = Math.min(ctx.inCols.n, ctx.outCols.n) + 1;
  return { input: new Int32Array(n), output: new Int32Array(n) };
}

export function mergeOffset(ctx: MapContext, d: Offset, sign: MapSign, s: Scratch): MapPairs {
  let m: number;
  if (ctx.kind === 'int32') m = mergeInt32(ctx.inKeys, ctx.outKeys, sign * ctx.offsetKey(d), s.input, s.output);
  else if (ctx.kind === 'float64') m = mergeFloat64(ctx.inKeys, ctx.outKeys, sign * ctx.offsetKey(d), s.input, s.output);
  else m = mergeColumns(ctx.inCols, ctx.outCols, sign * d[0], sign * d[1], sign * d[2], s.input, s.output);
  return { input: s.input.slice(0, m), output: s.output.slice(0, m) };
}

// The two keyed loops are identical but for the key type. They are branch-free because which
// pointer advances is data-dependent and mispredicts about half the time.
function mergeInt32(kin: Int32Array, kout: Int32Array, shift: number, si: Int32Array, so: Int32Array): number {
  const nin = kin.length, nout = kout.length;
  let p = 0, q = 0, m = 0;
  while (p < nin && q < nout) {
    const a = kin[p] - shift, b = kout[q];
    si[m] = p;
    so[m] = q;
    m += +(a === b);
    p += +(a <= b);
    q += +(a >= b);
  }
  return m;
}

function mergeFloat64(kin: Float64Array, kout: Float64Array, shift: number, si: Int32Array, so: Int32Array): number {
  const nin = kin.length, nout = kout.length;
  let p = 0, q = 0, m = 0;
  while (p < nin && q < nout) {
    const a = kin[p] - shift, b = kout[q];
    si[m] = p;
    so[m] = q;
    m += +(a === b);
    p += +(a <= b);
    q += +(a >= b);
  }
  return m;
}

/** in[p] matches out[q] when in[p] = out[q] + (dx, dy, dz). */
function mergeColumns(
  inCols: CoordColumns, outCols: CoordColumns, dx: number, dy: number, dz: number, si: Int32Array, so: Int32Array,
): number {
  let p = 0, q = 0, m = 0;
  while (p < inCols.n && q < outCols.n) {
    const c = compareShifted(inCols, p, outCols, q, dx, dy, dz);
    if (c < 0) p++;
    else if (c > 0) q++;
    else {
      si[m] = p++;
      so[m++] = q++;
    }
  }
  return m;
}
