// Validation of a whole layer case and everything known before the arithmetic: canonical
// coordinates on both sides, the packed data and the kernel map.
import { permuteColumns, toColumns, type CoordColumns } from './coord-columns.ts';
import { downsampleColumns } from './downsample.ts';
import { FieldError } from './errors.ts';
import { kernelOffsets, kernelVolume } from './kernel.ts';
import type { KernelMap } from './kernel-map.ts';
import { mergeMapColumns } from './kernel-map-merge.ts';
import { symmetricMapColumns } from './kernel-map-symmetric.ts';
import { packBias, packFeatures, packRequant, packWeights, type PackedRequant } from './layer-data.ts';
import { checkExactReduction, outTensorStride, validateLayerShape, validateWidths } from './layer-shape.ts';
import { validateTensor } from './tensor.ts';
import { DEFAULT_WIDTHS, type ArithmeticWidths, type LayerCase } from './types.ts';

export interface CoordPlan {
  inTensorStride: number;
  outTensorStride: number;
  /** `inputOrder[r]` is the case's index of canonical input row r. */
  inputOrder: Int32Array;
  inCols: CoordColumns;
  outCols: CoordColumns;
}

export interface LayerPlan extends CoordPlan {
  widths: ArithmeticWidths;
  kernelVolume: number;
  /** Canonical input rows × inChannels. */
  features: Int32Array;
  /** kernelVolume × inChannels × outChannels, outChannels fastest. */
  weights: Int32Array;
  bias: Float64Array | null;
  requant: PackedRequant | null;
  map: KernelMap;
}

/** Checks the layer shape and both coordinate lists and puts them in canonical order. */
export function planCoords(c: LayerCase): CoordPlan {
  if (typeof c !== 'object' || c === null) throw new FieldError('case', 'must be an object');
  validateLayerShape(c.layer);
  const layer = c.layer;
  const inTs = layer.inTensorStride;
  const outTs = outTensorStride(layer);
  if (typeof c.input !== 'object' || c.input === null) throw new FieldError('input', 'must be an object');
  const inputOrder = validateTensor(c.input.coords, inTs, 'input.coords', 'layer.inTensorStride');
  const inCols = toColumns(c.input.coords, 'input.coords', inputOrder);
  let outCols: CoordColumns;
  if (layer.type === 'transposed') {
    if (c.outputCoords === undefined) throw new FieldError('outputCoords', 'is required for a transposed layer');
    const outOrder = validateTensor(c.outputCoords, outTs, 'outputCoords', 'layer.stride');
    outCols = permuteColumns(toColumns(c.outputCoords, 'outputCoords'), outOrder);
  } else {
    if (c.outputCoords !== undefined) {
      throw new FieldError('outputCoords', `only a transposed layer takes output coordinates (this one is ${layer.type})`);
    }
    outCols = layer.type === 'conv' ? downsampleColumns(inCols, outTs, 'input.coords', inputOrder) : inCols;
  }
  return { inTensorStride: inTs, outTensorStride: outTs, inputOrder, inCols, outCols };
}

/** The kernel map the model uses: the hardware's merge, halved by symmetry where it applies. */
export function layerKernelMap(c: LayerCase, p: CoordPlan): KernelMap {
  const { type, kernelSize: k } = c.layer;
  if (type === 'submanifold' && k % 2 === 1) return symmetricMapColumns(p.inCols, k, p.inTensorStride);
  if (type === 'transposed') return mergeMapColumns(p.inCols, p.outCols, kernelOffsets(k, p.outTensorStride), -1);
  return mergeMapColumns(p.inCols, p.outCols, kernelOffsets(k, p.inTensorStride), 1);
}

export function planLayer(c: LayerCase, widths: ArithmeticWidths = DEFAULT_WIDTHS): LayerPlan {
  const coords = planCoords(c);
  if (typeof widths !== 'object' || widths === null) throw new FieldError('widths', 'must be an object');
  validateWidths(widths);
  const { kernelSize, inChannels: cin, outChannels: cout } = c.layer;
  const volume = kernelVolume(kernelSize);
  checkExactReduction(widths, cin, volume);
  const features = packFeatures(c.input.features, coords.inputOrder, cin, widths.inWidth, 'input.features');
  const weights = packWeights(c.weights, volume, cin, cout, widths.weightWidth);
  const bias = packBias(c.bias, cout, widths.accWidth);
  const requant = packRequant(c.requant, cout);
  return { ...coords, widths, kernelVolume: volume, features, weights, bias, requant, map: layerKernelMap(c, coords) };
}
