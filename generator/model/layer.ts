// The golden model of one layer (DESIGN.md §1): the definition the RTL is checked against.
import { toCoords } from './coord-columns.ts';
import { accumulate, addBiasAndWrap, requantizeAll } from './accumulate.ts';
import type { KernelMap } from './kernel-map.ts';
import { planCoords, planLayer } from './layer-plan.ts';
import { DEFAULT_WIDTHS, type ArithmeticWidths, type Coord, type LayerCase, type LayerResult } from './types.ts';

export { outTensorStride } from './layer-shape.ts';

export interface LayerRun {
  result: LayerResult;
  /** The kernel map used, indices into the canonical input and output lists. */
  map: KernelMap;
  /** `inputOrder[r]` is the case's index of canonical input row r. */
  inputOrder: Int32Array;
  /** Same array as `result.coords`. */
  outCoords: Coord[];
}

/** Validates `c` (FieldError naming the field) and computes its result; input in any order. */
export function runLayer(c: LayerCase, widths: ArithmeticWidths = DEFAULT_WIDTHS): LayerRun {
  const p = planLayer(c, widths);
  const { inChannels: cin, outChannels: cout } = c.layer;
  const acc = accumulate(p.map, p.features, cin, Float64Array.from(p.weights), cout, p.outCols.n);
  const wraps = addBiasAndWrap(acc, p.bias, cout, widths.accWidth);
  const outCoords = toCoords(p.outCols);
  const result: LayerResult = {
    tensorStride: p.outTensorStride,
    coords: outCoords,
    accumulators: rows(acc, cout),
    wraps,
  };
  if (p.requant !== null) result.features = rows(requantizeAll(acc, p.requant, cout, widths.outWidth), cout);
  return { result, map: p.map, inputOrder: p.inputOrder, outCoords };
}

/** Output coordinates in canonical order; checks only the layer shape and the coordinates. */
export function layerOutputCoords(c: LayerCase): Coord[] {
  return toCoords(planCoords(c).outCols);
}

function rows(flat: Float64Array | Int32Array, width: number): number[][] {
  const out: number[][] = new Array(flat.length / width);
  for (let r = 0; r < out.length; r++) out[r] = Array.from(flat.subarray(r * width, (r + 1) * width));
  return out;
}
