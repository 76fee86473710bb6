// Structural checks shared by the file readers (layer cases, results). Every failure is a
// FieldError naming the full path of the offending value (`input.features[12][3]`).
import { FieldError, isPowerOfTwo } from '../model/index.ts';
import type { Coord } from '../model/index.ts';

export { isPowerOfTwo };

/** Largest |x|, |y|, |z| of a coordinate accepted in files (and produced by voxelize). */
export const COORD_LIMIT = 2 ** 30;
/** Largest batch index accepted in files. */
export const BATCH_LIMIT = 2 ** 31 - 1;

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

/**
 * `v` must be a plain object whose keys are all in `allowed`, and which has every key of
 * `required`. Returns it typed as a record.
 */
export function checkObject(
  v: unknown,
  field: string,
  allowed: readonly string[],
  required: readonly string[] = allowed,
): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new FieldError(field || '(document)', `expected an object, got ${describe(v)}`);
  }
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw new FieldError(join(field, k), 'unknown field');
  }
  for (const k of required) {
    if (!(k in o) || o[k] === undefined) throw new FieldError(join(field, k), 'missing');
  }
  return o;
}

/**
 * `a.b` or `b` at the top level; a key that is not identifier-like (spaces, dots, line breaks —
 * an unknown field can be any string) is quoted, `a["x y"]`, so the message stays one line.
 */
export function join(field: string, key: string): string {
  if (!/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) return `${field}[${JSON.stringify(key)}]`;
  return field === '' ? key : `${field}.${key}`;
}

/** An array, optionally of an exact length. */
export function checkArray(v: unknown, field: string, length?: number, lengthWhat?: string): unknown[] {
  if (!Array.isArray(v)) throw new FieldError(field, `expected an array, got ${describe(v)}`);
  if (length !== undefined && v.length !== length) {
    throw new FieldError(field, `expected ${length} entries${lengthWhat ? ` (${lengthWhat})` : ''}, got ${v.length}`);
  }
  return v;
}

/** An integer in [min, max]. */
export function checkInt(v: unknown, field: string, min: number, max: number, what = 'an integer'): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new FieldError(field, `expected ${what}, got ${describe(v)}`);
  }
  if (v < min || v > max) throw new FieldError(field, `${v} is out of range [${fmt(min)}, ${fmt(max)}]`);
  return v === 0 ? 0 : v; // JSON -0 becomes 0
}

export function checkBoolean(v: unknown, field: string): boolean {
  if (typeof v !== 'boolean') throw new FieldError(field, `expected true or false, got ${describe(v)}`);
  return v;
}

/** A power of two in [1, 2^30]. */
export function checkTensorStride(v: unknown, field: string): number {
  const n = checkInt(v, field, 1, COORD_LIMIT, 'a positive integer');
  if (!isPowerOfTwo(n)) throw new FieldError(field, `${n} is not a power of two`);
  return n;
}

/** Signed two's-complement range of a width in bits. */
export function signedRange(bits: number): [number, number] {
  return [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1];
}

/** A vector of `length` integers in [min, max]; returns a fresh copy (-0 read as 0). */
export function checkIntVector(
  v: unknown,
  field: string,
  length: number | undefined,
  min: number,
  max: number,
  lengthWhat?: string,
): number[] {
  const a = checkArray(v, field, length, lengthWhat);
  const out = new Array<number>(a.length);
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    // Fast path for the common case; the slow path produces the message.
    out[i] = typeof x === 'number' && Number.isInteger(x) && x >= min && x <= max ? x + 0 : checkInt(x, `${field}[${i}]`, min, max);
  }
  return out;
}

/** A matrix with `rows` rows (when given) of `cols` integers in [min, max]. */
export function checkIntMatrix(
  v: unknown,
  field: string,
  rows: number | undefined,
  cols: number,
  min: number,
  max: number,
  rowsWhat?: string,
  colsWhat?: string,
): number[][] {
  const a = checkArray(v, field, rows, rowsWhat);
  const out = new Array<number[]>(a.length);
  for (let i = 0; i < a.length; i++) out[i] = checkIntVector(a[i], `${field}[${i}]`, cols, min, max, colsWhat);
  return out;
}

/** A list of `[b, x, y, z]` coordinates (range-checked); returns fresh tuples. */
export function checkCoords(v: unknown, field: string): Coord[] {
  const a = checkArray(v, field);
  const out = new Array<Coord>(a.length);
  for (let i = 0; i < a.length; i++) {
    const f = `${field}[${i}]`;
    const c = checkArray(a[i], f, 4, '[b, x, y, z]');
    out[i] = [
      checkInt(c[0], `${f}[0]`, 0, BATCH_LIMIT, 'a batch index (non-negative integer)'),
      checkInt(c[1], `${f}[1]`, -COORD_LIMIT, COORD_LIMIT),
      checkInt(c[2], `${f}[2]`, -COORD_LIMIT, COORD_LIMIT),
      checkInt(c[3], `${f}[3]`, -COORD_LIMIT, COORD_LIMIT),
    ];
  }
  return out;
}

/** Lexicographic (b, x, y, z) order. */
export function coordLess(a: Coord, b: Coord): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || a[3] - b[3];
}

/** Strictly increasing canonical order (which also rules out duplicates). */
export function checkCanonicalOrder(coords: Coord[], field: string): void {
  for (let i = 1; i < coords.length; i++) {
    const d = coordLess(coords[i - 1], coords[i]);
    if (d === 0) throw new FieldError(`${field}[${i}]`, `duplicate coordinate [${coords[i].join(', ')}] (also at ${field}[${i - 1}])`);
    if (d > 0) throw new FieldError(`${field}[${i}]`, `not in canonical (b, x, y, z) order: [${coords[i].join(', ')}] sorts before ${field}[${i - 1}]`);
  }
}

function fmt(n: number): string {
  const a = Math.abs(n);
  if (a >= 2 ** 15 && Number.isInteger(Math.log2(a + 1))) return `${n < 0 ? '-' : ''}2^${Math.log2(a + 1)} - 1`;
  if (a >= 2 ** 15 && Number.isInteger(Math.log2(a))) return `${n < 0 ? '-' : ''}2^${Math.log2(a)}`;
  return String(n);
}
