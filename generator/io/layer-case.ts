// `sparseforge.layer-case/1` files (DESIGN.md §2): strict parsing into a LayerCase, compact
// serialization (one point per line, so that diffs stay readable), atomic file I/O.
import { FieldError, validateTensor, DEFAULT_WIDTHS, LAYER_TYPES } from '../model/index.ts';
import type { ArithmeticWidths, LayerCase, LayerShape, LayerType, Requant } from '../model/index.ts';
import {
  checkArray,
  checkBoolean,
  checkCoords,
  checkInt,
  checkIntMatrix,
  checkIntVector,
  checkObject,
  checkTensorStride,
  describe,
  isPowerOfTwo,
  signedRange,
} from './check.ts';
import { inFile, readJsonFile, writeFileAtomic } from './files.ts';

export const LAYER_CASE_FORMAT = 'sparseforge.layer-case/1';

/** Requantization multiplier range in a case file (DESIGN.md §1). */
export const MULTIPLIER_MAX = 2 ** 31 - 1;
/** Requantization shift range in a case file. */
export const SHIFT_MAX = 63;

/** Largest channel count / kernel size accepted (guards against absurd allocations). */
export const CHANNELS_MAX = 1 << 16;
export const KERNEL_MAX = 64;

const TOP_FIELDS = ['format', 'layer', 'input', 'weights', 'bias', 'requant', 'outputCoords'] as const;
const LAYER_FIELDS = ['type', 'kernelSize', 'stride', 'inTensorStride', 'inChannels', 'outChannels'] as const;
const INPUT_FIELDS = ['coords', 'features'] as const;
const REQUANT_FIELDS = ['multiplier', 'shift', 'relu'] as const;

/**
 * Validate a parsed JSON document as a layer case and return a fresh LayerCase. Checks structure,
 * types, shapes, value ranges (features/weights against `widths`, INT8 by default), the layer
 * rules (stride, tensor strides, outputCoords presence), coordinates being multiples of their
 * tensor stride and unique. Throws FieldError naming the full field path.
 */
export function parseLayerCase(json: unknown, widths: ArithmeticWidths = DEFAULT_WIDTHS): LayerCase {
  const doc = checkObject(json, '', TOP_FIELDS, ['format', 'layer', 'input', 'weights']);
  if (doc.format !== LAYER_CASE_FORMAT) {
    throw new FieldError('format', `expected "${LAYER_CASE_FORMAT}", got ${describe(doc.format)}`);
  }
  const layer = parseLayerShape(doc.layer);
  const { inChannels: cin, outChannels: cout } = layer;
  const kv = layer.kernelSize ** 3;

  const input = checkObject(doc.input, 'input', INPUT_FIELDS);
  const coords = checkCoords(input.coords, 'input.coords');
  const [inLo, inHi] = signedRange(widths.inWidth);
  const features = checkIntMatrix(input.features, 'input.features', coords.length, cin, inLo, inHi,
    'one row per coordinate', 'layer.inChannels');

  const [wLo, wHi] = signedRange(widths.weightWidth);
  const w = checkArray(doc.weights, 'weights', kv, `kernelSize^3 = ${kv}`);
  const weights = new Array<number[][]>(kv);
  for (let i = 0; i < kv; i++) {
    weights[i] = checkIntMatrix(w[i], `weights[${i}]`, cin, cout, wLo, wHi, 'layer.inChannels', 'layer.outChannels');
  }

  const c: LayerCase = { layer, input: { coords, features }, weights };
  if (doc.bias !== undefined) {
    const [aLo, aHi] = signedRange(widths.accWidth);
    c.bias = checkIntVector(doc.bias, 'bias', cout, aLo, aHi, 'layer.outChannels');
  }
  if (doc.requant !== undefined) c.requant = parseRequant(doc.requant, cout);

  validateTensor(coords, layer.inTensorStride, 'input.coords');
  if (layer.type === 'transposed') {
    if (doc.outputCoords === undefined) {
      throw new FieldError('outputCoords', 'missing (transposed layers list their output coordinates)');
    }
    c.outputCoords = checkCoords(doc.outputCoords, 'outputCoords');
    validateTensor(c.outputCoords, layer.inTensorStride / layer.stride, 'outputCoords');
  } else if (doc.outputCoords !== undefined) {
    throw new FieldError('outputCoords', `only transposed layers take output coordinates (layer.type is ${layer.type})`);
  }
  return c;
}

/** The fields a layer case and a network's conv node share: type, kernel size, stride. */
export function parseLayerKind(o: Record<string, unknown>): { type: LayerType; kernelSize: number; stride: number } {
  if (typeof o.type !== 'string' || !(LAYER_TYPES as readonly string[]).includes(o.type)) {
    throw new FieldError('layer.type', `expected one of ${LAYER_TYPES.join(', ')}, got ${describe(o.type)}`);
  }
  const type = o.type as LayerType;
  const kernelSize = checkInt(o.kernelSize, 'layer.kernelSize', 1, KERNEL_MAX, 'a positive integer');
  const stride = checkInt(o.stride, 'layer.stride', 1, 2 ** 30, 'a positive integer');
  if (type === 'submanifold' && stride !== 1) {
    throw new FieldError('layer.stride', `submanifold layers have stride 1, got ${stride}`);
  }
  return { type, kernelSize, stride };
}

function parseLayerShape(v: unknown): LayerShape {
  const o = checkObject(v, 'layer', LAYER_FIELDS);
  const { type, kernelSize, stride } = parseLayerKind(o);
  const inTensorStride = checkTensorStride(o.inTensorStride, 'layer.inTensorStride');
  const inChannels = checkInt(o.inChannels, 'layer.inChannels', 1, CHANNELS_MAX, 'a positive integer');
  const outChannels = checkInt(o.outChannels, 'layer.outChannels', 1, CHANNELS_MAX, 'a positive integer');
  if (type === 'conv') {
    if (!isPowerOfTwo(stride)) {
      throw new FieldError('layer.stride', `${stride} is not a power of two (the output tensor stride inTensorStride·stride must be one)`);
    }
    if (inTensorStride * stride > 2 ** 30) {
      throw new FieldError('layer.stride', `output tensor stride ${inTensorStride}·${stride} exceeds 2^30`);
    }
  }
  if (type === 'transposed' && inTensorStride % stride !== 0) {
    throw new FieldError('layer.inTensorStride',
      `${inTensorStride} is not divisible by layer.stride ${stride} (transposed layers go from tensor stride stride·ts_out to ts_out)`);
  }
  return { type, kernelSize, stride, inTensorStride, inChannels, outChannels };
}

function parseRequant(v: unknown, cout: number): Requant {
  const o = checkObject(v, 'requant', REQUANT_FIELDS);
  return {
    multiplier: checkIntVector(o.multiplier, 'requant.multiplier', cout, 0, MULTIPLIER_MAX, 'layer.outChannels'),
    shift: checkIntVector(o.shift, 'requant.shift', cout, 0, SHIFT_MAX, 'layer.outChannels'),
    relu: checkBoolean(o.relu, 'requant.relu'),
  };
}

/**
 * JSON text of a case: fields in the order of DESIGN.md §2, one coordinate / feature row /
 * weight row (`weights[i][cin]`) per line, no other whitespace inside rows. Ends with a newline.
 */
export function serializeLayerCase(c: LayerCase): string {
  const L = c.layer;
  const parts: string[] = [
    `"format": ${JSON.stringify(LAYER_CASE_FORMAT)}`,
    `"layer": ${JSON.stringify({
      type: L.type,
      kernelSize: L.kernelSize,
      stride: L.stride,
      inTensorStride: L.inTensorStride,
      inChannels: L.inChannels,
      outChannels: L.outChannels,
    })}`,
    `"input": {\n    "coords": ${rows(c.input.coords, '    ')},\n    "features": ${rows(c.input.features, '    ')}\n  }`,
    `"weights": ${c.weights.length === 0 ? '[]' : `[\n${c.weights.map((w) => `    ${rows(w, '    ')}`).join(',\n')}\n  ]`}`,
  ];
  if (c.bias !== undefined) parts.push(`"bias": ${row(c.bias)}`);
  if (c.requant !== undefined) {
    const r = c.requant;
    parts.push(`"requant": {"multiplier": ${row(r.multiplier)}, "shift": ${row(r.shift)}, "relu": ${r.relu}}`);
  }
  if (c.outputCoords !== undefined) parts.push(`"outputCoords": ${rows(c.outputCoords, '  ')}`);
  return `{\n  ${parts.join(',\n  ')}\n}\n`;
}

/** `[1,2,3]` */
export function row(v: readonly number[]): string {
  return `[${v.join(',')}]`;
}

/** An array of rows, one per line, indented under `indent`. */
export function rows(m: readonly (readonly number[])[], indent: string): string {
  if (m.length === 0) return '[]';
  return `[\n${m.map((r) => `${indent}  ${row(r)}`).join(',\n')}\n${indent}]`;
}

/** Read and validate a case file; errors are prefixed with the path. */
export async function readLayerCaseFile(path: string, widths?: ArithmeticWidths): Promise<LayerCase> {
  const json = await readJsonFile(path);
  return inFile(path, () => parseLayerCase(json, widths));
}

/** Write a case file atomically (nothing is left behind if writing fails). */
export async function writeLayerCaseFile(path: string, c: LayerCase): Promise<void> {
  await writeFileAtomic(path, serializeLayerCase(c));
}
