// `sparseforge.tensor/1` files (DESIGN.md §6): one sparse tensor, the input of a network.
// Coordinates in any order (no duplicates, multiples of the tensor stride), one feature row of
// inWidth-bit integers per coordinate, every row the same channel count.
import { DEFAULT_WIDTHS, FieldError, validateTensor } from '../model/index.ts';
import type { ArithmeticWidths, NodeTensor } from '../model/index.ts';
import { checkArray, checkCoords, checkIntMatrix, checkObject, checkTensorStride, describe, signedRange } from './check.ts';
import { inFile, readJsonFile, writeFileAtomic } from './files.ts';
import { rows } from './layer-case.ts';

export const TENSOR_FORMAT = 'sparseforge.tensor/1';

const FIELDS = ['format', 'tensorStride', 'coords', 'features'] as const;

export interface ParseTensorOptions {
  widths?: ArithmeticWidths;
  /** Required channel count (e.g. the network's inputChannels); otherwise that of the first row. */
  channels?: number;
  /** What `channels` is, for the message (e.g. `the network's inputChannels`). */
  channelsWhat?: string;
}

/** Validates a parsed tensor document; features range-checked against inWidth (INT8 by default). */
export function parseTensor(json: unknown, opts: ParseTensorOptions = {}): NodeTensor {
  const widths = opts.widths ?? DEFAULT_WIDTHS;
  const doc = checkObject(json, '', FIELDS);
  if (doc.format !== TENSOR_FORMAT) throw new FieldError('format', `expected "${TENSOR_FORMAT}", got ${describe(doc.format)}`);
  const tensorStride = checkTensorStride(doc.tensorStride, 'tensorStride');
  const coords = checkCoords(doc.coords, 'coords');
  const feats = checkArray(doc.features, 'features', coords.length, 'one row per coordinate');
  let channels = opts.channels;
  let what = opts.channelsWhat ?? 'channels';
  if (channels === undefined) {
    channels = feats.length > 0 ? checkArray(feats[0], 'features[0]').length : 1;
    what = 'the channel count of features[0]';
    if (feats.length > 0 && channels === 0) throw new FieldError('features[0]', 'expected at least one channel');
  }
  const [lo, hi] = signedRange(widths.inWidth);
  const features = checkIntMatrix(feats, 'features', coords.length, channels, lo, hi, 'one row per coordinate', what);
  validateTensor(coords, tensorStride, 'coords', 'tensorStride');
  return { tensorStride, coords, features };
}

/** JSON text of a tensor, one coordinate / feature row per line. */
export function serializeTensor(t: NodeTensor): string {
  if (t.features === undefined) throw new FieldError('features', 'a tensor file holds features');
  return `{\n  "format": ${JSON.stringify(TENSOR_FORMAT)},\n  "tensorStride": ${t.tensorStride},\n` +
    `  "coords": ${rows(t.coords, '  ')},\n  "features": ${rows(t.features, '  ')}\n}\n`;
}

export async function readTensorFile(path: string, opts?: ParseTensorOptions): Promise<NodeTensor> {
  const json = await readJsonFile(path);
  return inFile(path, () => parseTensor(json, opts));
}

export async function writeTensorFile(path: string, t: NodeTensor): Promise<void> {
  await writeFileAtomic(path, serializeTensor(t));
}
