// The golden model of one layer (DESIGN.md §1): the definition the RTL is checked against.
import { toCoords } from './coord-columns.ts';
import { accumulate, addBiasAndWrap, requantizeAll } from './accumulate.ts';
import type { KernelMap } from './kernel-map.ts';
import { planCoords, planLayer, type LayerPlan } from './layer-plan.ts';
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

/** A layer's result as flat arrays (`[point · cout + o]`), before it is cut into rows. */
export interface LayerFlatRun {
  plan: LayerPlan;
  /** Accumulators after bias, wrapped to accWidth. */
  acc: Float64Array;
  /** Requantized outputs, when the case has requant. */
  features: Int32Array | null;
  wraps: number;
}

/** Validates `c` and computes its result as flat arrays (what runLayer and the network nodes share). */
export function runLayerFlat(c: LayerCase, widths: ArithmeticWidths = DEFAULT_WIDTHS): LayerFlatRun {
  const p = planLayer(c, widths);
  const { inChannels: cin, outChannels: cout } = c.layer;
  const acc = accumulate(p.map, p.features, cin, Float64Array.from(p.weights), cout, p.outCols.n);
  const wraps = addBiasAndWrap(acc, p.bias, cout, widths.accWidth);
  const features = p.requant === null ? null : requantizeAll(acc, p.requant, cout, widths.outWidth);
  return { plan: p, acc, features, wraps };
}

/** Validates `c` (FieldError naming the field) and computes its result; input in any order. */
export function runLayer(c: LayerCase, widths: ArithmeticWidths = DEFAULT_WIDTHS): LayerRun {
  const { plan: p, acc, features, wraps } = runLayerFlat(c, widths);
  const cout = c.layer.outChannels;
  const outCoords = toCoords(p.outCols);
  const result: LayerResult = {
    tensorStride: p.outTensorStride,
    coords: outCoords,
    accumulators: rows(acc, cout),
    wraps,
  };
  if (features !== null) result.features = rows(features, cout);
  return { result, map: p.map, inputOrder: p.inputOrder, outCoords };
}

/** Output coordinates in canonical order; checks only the layer shape and the coordinates. */
export function layerOutputCoords(c: LayerCase): Coord[] {
  return toCoords(planCoords(c).outCols);
}

/** `[point][channel]` rows of a flat `[point · width + channel]` array. */
export function rows(flat: Float64Array | Int32Array, width: number): number[][] {
  const out: number[][] = new Array(flat.length / width);
  for (let r = 0; r < out.length; r++) {
    const row: number[] = [];
    for (let c = r * width, end = c + width; c < end; c++) row.push(flat[c]);
    out[r] = row;
  }
  return out;
}
