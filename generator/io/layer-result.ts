// `sparseforge.layer-result/1` files: what the golden model (or the RTL) produced for a case.
// Strict parsing, serialization, atomic file I/O, and the comparison used for mismatch reports.
import { FieldError, validateTensor, DEFAULT_WIDTHS } from '../model/index.ts';
import type { ArithmeticWidths, Coord, LayerResult } from '../model/index.ts';
import {
  checkArray,
  checkCanonicalOrder,
  checkCoords,
  checkInt,
  checkIntMatrix,
  checkObject,
  checkTensorStride,
  coordLess,
  describe,
  signedRange,
} from './check.ts';
import { inFile, readJsonFile, writeFileAtomic } from './files.ts';
import { rows } from './layer-case.ts';

export const LAYER_RESULT_FORMAT = 'sparseforge.layer-result/1';

const FIELDS = ['format', 'tensorStride', 'coords', 'accumulators', 'features', 'wraps'] as const;

/**
 * Validate a parsed result document: tensor stride a power of two, coordinates multiples of it in
 * strict canonical order, `accumulators` (accWidth) and `features` (outWidth) one row per point,
 * all rows the same channel count, `wraps` a non-negative integer.
 */
export function parseLayerResult(json: unknown, widths: ArithmeticWidths = DEFAULT_WIDTHS): LayerResult {
  const doc = checkObject(json, '', FIELDS, ['format', 'tensorStride', 'coords', 'accumulators', 'wraps']);
  if (doc.format !== LAYER_RESULT_FORMAT) {
    throw new FieldError('format', `expected "${LAYER_RESULT_FORMAT}", got ${describe(doc.format)}`);
  }
  const tensorStride = checkTensorStride(doc.tensorStride, 'tensorStride');
  const coords = checkCoords(doc.coords, 'coords');
  validateTensor(coords, tensorStride, 'coords');
  checkCanonicalOrder(coords, 'coords');
  const acc = checkArray(doc.accumulators, 'accumulators', coords.length, 'one row per coordinate');
  const channels = acc.length > 0 ? checkArray(acc[0], 'accumulators[0]').length : 0;
  if (acc.length > 0 && channels === 0) throw new FieldError('accumulators[0]', 'expected at least one channel');
  const [aLo, aHi] = signedRange(widths.accWidth);
  const accumulators = checkIntMatrix(acc, 'accumulators', coords.length, channels, aLo, aHi, undefined, 'the channel count of accumulators[0]');
  const result: LayerResult = {
    tensorStride,
    coords,
    accumulators,
    wraps: checkInt(doc.wraps, 'wraps', 0, Number.MAX_SAFE_INTEGER, 'a non-negative integer'),
  };
  if (doc.features !== undefined) {
    const [oLo, oHi] = signedRange(widths.outWidth);
    result.features = checkIntMatrix(doc.features, 'features', coords.length, channels, oLo, oHi,
      'one row per coordinate', 'the channel count of accumulators');
  }
  return result;
}

/** JSON text of a result, one point per line; `features` only when present. */
export function serializeLayerResult(r: LayerResult): string {
  const parts = [
    `"format": ${JSON.stringify(LAYER_RESULT_FORMAT)}`,
    `"tensorStride": ${r.tensorStride}`,
    `"coords": ${rows(r.coords, '  ')}`,
    `"accumulators": ${rows(r.accumulators, '  ')}`,
  ];
  if (r.features !== undefined) parts.push(`"features": ${rows(r.features, '  ')}`);
  parts.push(`"wraps": ${r.wraps}`);
  return `{\n  ${parts.join(',\n  ')}\n}\n`;
}

export async function readLayerResultFile(path: string, widths?: ArithmeticWidths): Promise<LayerResult> {
  const json = await readJsonFile(path);
  return inFile(path, () => parseLayerResult(json, widths));
}

export async function writeLayerResultFile(path: string, r: LayerResult): Promise<void> {
  await writeFileAtomic(path, serializeLayerResult(r));
}

export type MismatchField = 'tensorStride' | 'coords' | 'accumulators' | 'features' | 'wraps';

/** One difference between an expected and an actual result. */
export interface ResultMismatch {
  field: MismatchField;
  /** Point index: in `expected` when the point exists there, else in `actual`. */
  point?: number;
  /** The point's coordinate. */
  coord?: Coord;
  channel?: number;
  /** `null`: absent on this side (a missing point, channel or features block). */
  expected: number | Coord | null;
  actual: number | Coord | null;
  /** Extra explanation, e.g. `not in canonical order`. */
  note?: string;
}

export interface ResultComparison {
  equal: boolean;
  /** Total number of mismatches found (may exceed `mismatches.length`). */
  count: number;
  /** The first `limit` mismatches, in point order. */
  mismatches: ResultMismatch[];
}

export interface CompareOptions {
  /** How many mismatches to keep (default 20). */
  limit?: number;
  /** Compare the `wraps` counters (default true; hardware may not count wraps). */
  wraps?: boolean;
}

/**
 * Compare two results point by point. Points are matched by coordinate (a merge over canonical
 * order), so one missing or extra point is one mismatch rather than a shift of every later
 * point. If `actual` is not in canonical order, that is reported and points are matched by index.
 */
export function compareResults(expected: LayerResult, actual: LayerResult, opts: CompareOptions = {}): ResultComparison {
  const limit = opts.limit ?? 20;
  const mismatches: ResultMismatch[] = [];
  let count = 0;
  const add = (m: ResultMismatch) => {
    count++;
    if (mismatches.length < limit) mismatches.push(m);
  };
  if (expected.tensorStride !== actual.tensorStride) {
    add({ field: 'tensorStride', expected: expected.tensorStride, actual: actual.tensorStride });
  }
  const hasE = expected.features !== undefined;
  const hasA = actual.features !== undefined;
  if (hasE !== hasA) {
    add({ field: 'features', expected: null, actual: null, note: hasE ? 'missing in actual' : 'unexpected in actual' });
  }

  const channels = (r: LayerResult, i: number) => {
    const a = r.accumulators[i]?.length ?? 0;
    return Math.max(a, r.features?.[i]?.length ?? 0);
  };
  const comparePoint = (i: number, j: number) => {
    const coord = expected.coords[i];
    const n = Math.max(channels(expected, i), channels(actual, j));
    for (const field of ['accumulators', 'features'] as const) {
      const e = expected[field]?.[i];
      const a = actual[field]?.[j];
      if (e === undefined || a === undefined) continue;
      for (let ch = 0; ch < n; ch++) {
        const ev = e[ch] ?? null;
        const av = a[ch] ?? null;
        if (ev !== av) add({ field, point: i, coord, channel: ch, expected: ev, actual: av });
      }
    }
  };

  const ordered = firstDisorder(actual.coords);
  if (ordered === -1) {
    let i = 0;
    let j = 0;
    const ne = expected.coords.length;
    const na = actual.coords.length;
    while (i < ne || j < na) {
      const d = i >= ne ? 1 : j >= na ? -1 : coordLess(expected.coords[i], actual.coords[j]);
      if (d === 0) comparePoint(i++, j++);
      else if (d < 0) {
        add({ field: 'coords', point: i, coord: expected.coords[i], expected: expected.coords[i], actual: null, note: 'missing in actual' });
        i++;
      } else {
        add({ field: 'coords', point: j, coord: actual.coords[j], expected: null, actual: actual.coords[j], note: 'unexpected in actual' });
        j++;
      }
    }
  } else {
    add({ field: 'coords', point: ordered, coord: actual.coords[ordered], expected: expected.coords[ordered] ?? null,
      actual: actual.coords[ordered], note: 'actual not in canonical order' });
    const n = Math.max(expected.coords.length, actual.coords.length);
    for (let i = 0; i < n; i++) {
      const e = expected.coords[i] ?? null;
      const a = actual.coords[i] ?? null;
      if (e === null || a === null || coordLess(e, a) !== 0) {
        if (i !== ordered) add({ field: 'coords', point: i, coord: e ?? a ?? undefined, expected: e, actual: a });
      } else comparePoint(i, i);
    }
  }
  if ((opts.wraps ?? true) && expected.wraps !== actual.wraps) {
    add({ field: 'wraps', expected: expected.wraps, actual: actual.wraps });
  }
  return { equal: count === 0, count, mismatches };
}

function firstDisorder(coords: Coord[]): number {
  for (let i = 1; i < coords.length; i++) if (coordLess(coords[i - 1], coords[i]) >= 0) return i;
  return -1;
}

/** One line describing a mismatch, e.g. `point 12 [0, 3, 4, 5] accumulators[7]: expected 1234, got 1200`. */
export function formatMismatch(m: ResultMismatch): string {
  const v = (x: number | Coord | null) => (x === null ? 'none' : Array.isArray(x) ? `[${x.join(', ')}]` : String(x));
  let where = '';
  if (m.point !== undefined) where += `point ${m.point} `;
  if (m.coord !== undefined) where += `[${m.coord.join(', ')}] `;
  where += m.field;
  if (m.channel !== undefined) where += `[${m.channel}]`;
  const note = m.note ? ` (${m.note})` : '';
  if (m.field === 'features' && m.point === undefined) return `${where}${note}`;
  return `${where}: expected ${v(m.expected)}, got ${v(m.actual)}${note}`;
}

/** A short multi-line report: the first mismatches and how many there are in total. */
export function formatComparison(c: ResultComparison): string {
  if (c.equal) return 'results match';
  const lines = c.mismatches.map(formatMismatch);
  if (c.count > c.mismatches.length) lines.push(`… ${c.count - c.mismatches.length} more mismatches (${c.count} in total)`);
  return lines.join('\n');
}
