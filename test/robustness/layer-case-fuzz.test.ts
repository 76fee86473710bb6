// Fuzzed layer-case documents (DESIGN.md §2) through parseLayerCase, parseJsonText and
// readLayerCaseFile: valid cases mutated (fields deleted, duplicated, retyped, unknown fields,
// numbers pushed out of range, arrays shuffled and reshaped) and JSON text truncated at every
// character. Each document is either a case that the golden model runs and that round-trips
// through serializeLayerCase, or a FieldError that names a field (or the file and line/column of
// a JSON syntax error); never a RangeError, a TypeError or a stack trace.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJsonText } from '../../generator/io/files.ts';
import { buildCase } from '../../generator/io/case-builder.ts';
import { LAYER_CASE_FORMAT, parseLayerCase, readLayerCaseFile, serializeLayerCase } from '../../generator/io/layer-case.ts';
import { runLayer, type FieldError, type LayerCase } from '../../generator/model/index.ts';
import { convDoc, submanifoldDoc, transposedDoc, type Json } from '../io/cases.ts';
import { describeThrown, expectFieldError, fcParams, FUZZ_SEED, outcome, outcomeAsync, parentOf, paths, scratchDir, type Path } from './helpers.ts';

const scratch = scratchDir('case-fuzz');
afterAll(scratch.cleanup);
beforeAll(() => {
  process.stdout.write(`[robustness] layer-case fuzz: fast-check seed ${FUZZ_SEED}\n`);
});

/** A seeded case from a small random cloud, with requantization and ReLU. */
function builtDoc(layer: 'submanifold' | 'conv' | 'transposed'): Json {
  const points = Float64Array.from({ length: 36 }, (_, i) => ((i * 7919) % 97) / 13 - 3);
  const c = buildCase({ points, voxel: 0.9, layer, kernel: layer === 'submanifold' ? 3 : 2, stride: layer === 'submanifold' ? 1 : 2, cin: 3, cout: 2, requant: true, relu: layer !== 'conv', seed: 5 });
  return JSON.parse(serializeLayerCase(c)) as Json;
}

const BASES: Record<string, Json> = {
  submanifold: submanifoldDoc(),
  transposed: transposedDoc(),
  conv: convDoc(),
  'built-submanifold': builtDoc('submanifold'),
  'built-conv': builtDoc('conv'),
  'built-transposed': builtDoc('transposed'),
};
const BASE_NAMES = Object.keys(BASES);
const TOP_FIELDS = ['format', 'layer', 'input', 'weights', 'bias', 'requant', 'outputCoords'];


/** Every node of a JSON document (objects, arrays, leaves), root excluded. */
/** Values that break a field's type or range (and some that, by luck, fit). */
const badValue = fc.oneof(
  fc.constantFrom<unknown>(
    null, true, false, '', '1', 'submanifold', [], {}, [[]], [1, 2, 3, 4], [[0, 0, 0, 0]], 0, -0, 1, -1, 0.5, 2.5, 3, 127, 128, -128, -129, 255,
    2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 30, 2 ** 30 + 1, -(2 ** 30) - 1, 2 ** 53, 1e21, 1e300, -1e300, 64, 65, 65536, 65537, 63, 64, NaN, Infinity,
  ),
  fc.integer({ min: -(2 ** 33), max: 2 ** 33 }),
  fc.double(),
  fc.string({ maxLength: 8 }),
  fc.jsonValue({ maxDepth: 2 }),
);

type Edit =
  | { op: 'delete' | 'duplicate' | 'shuffle' | 'transpose' | 'push'; at: number; salt: number }
  | { op: 'set'; at: number; value: unknown }
  | { op: 'unknown'; at: number; key: string; value: unknown };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: badValue }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constantFrom('delete' as const, 'duplicate' as const, 'shuffle' as const, 'transpose' as const, 'push' as const), at: fc.nat(), salt: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('unknown' as const),
      at: fc.nat(),
      key: fc.oneof(fc.constantFrom('constructor', '__proto__', 'toString', 'extra', 'Format', 'a b', 'line\nbreak', ''), fc.string({ maxLength: 8 })),
      value: badValue,
    }),
  },
);

/** Apply edits to a deep copy of a document (JSON semantics: `__proto__` stays an own key). */
function applyEdits(base: Json, edits: Edit[]): unknown {
  const doc = JSON.parse(JSON.stringify(base)) as unknown;
  for (const e of edits) {
    const all = paths(doc);
    if (all.length === 0) break;
    const p = all[e.at % all.length]!;
    const parent = parentOf(doc, p);
    if (!parent) continue;
    const k = p[p.length - 1]!;
    const v = parent[k];
    switch (e.op) {
      case 'set':
        Object.defineProperty(parent, k, { value: e.value, enumerable: true, writable: true, configurable: true });
        break;
      case 'delete':
        if (Array.isArray(parent)) parent.splice(k as number, 1);
        else delete parent[k];
        break;
      case 'duplicate':
        if (Array.isArray(parent)) parent.splice(k as number, 0, structuredClone(v));
        else if (Array.isArray(v) && v.length > 0) v.push(structuredClone(v[e.salt % v.length]));
        break;
      case 'shuffle':
        if (Array.isArray(v) && v.length > 1) {
          // Rotate and swap: a permutation that always changes something.
          const r = 1 + (e.salt % (v.length - 1));
          v.push(...v.splice(0, r));
          const i = e.salt % v.length;
          [v[0], v[i]] = [v[i], v[0]];
        }
        break;
      case 'transpose':
        // A matrix with its shape swapped (rows ↔ columns), or a row moved one level up/down.
        if (Array.isArray(v) && v.length > 0 && v.every(Array.isArray)) {
          const rows = v as unknown[][];
          const cols = Math.max(...rows.map((r) => r.length));
          parent[k] = Array.from({ length: cols }, (_, c) => rows.map((r) => r[c] ?? 0));
        } else if (Array.isArray(v)) parent[k] = e.salt % 2 ? [v] : v.flat();
        break;
      case 'push':
        if (typeof v === 'number') parent[k] = [v + 1, v - 1, v * 2, -v, v + 256, v - 256, v * 2 ** 20, v + 0.5, v + 2 ** 31, 2 ** 30 - v][e.salt % 10];
        break;
      case 'unknown': {
        // Any object of the document: the root, layer, input, requant.
        const nodes = [doc, ...all.map((q) => parentOf(doc, q)?.[q[q.length - 1]!])];
        const objs = nodes.filter((o): o is Record<string, unknown> => typeof o === 'object' && o !== null && !Array.isArray(o));
        Object.defineProperty(objs[e.at % objs.length]!, e.key, { value: e.value, enumerable: true, writable: true, configurable: true });
        break;
      }
    }
  }
  return doc;
}

/** How check.ts spells an object key in a path (`a.b`, `a["x y"]`). */
function keyName(k: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : `[${JSON.stringify(k)}]`;
}

/** An accepted case runs through the golden model and survives a serialize/parse round trip. */
function checkAccepted(c: LayerCase, context: string): void {
  const run = outcome(() => runLayer(c));
  if (!run.ok) throw new Error(`${context}: accepted case crashes the golden model: ${describeThrown(run.error)}`);
  const again = outcome(() => parseLayerCase(JSON.parse(serializeLayerCase(c))));
  if (!again.ok) throw new Error(`${context}: accepted case does not round-trip: ${describeThrown(again.error)}`);
  expect(again.value, context).toEqual(c);
}

function checkRejected(e: unknown, doc: unknown, context: string): void {
  const err = expectFieldError(e, context);
  const roots = new Set([...TOP_FIELDS, '(document)']);
  if (typeof doc === 'object' && doc !== null && !Array.isArray(doc)) for (const k of Object.keys(doc)) roots.add(keyName(k));
  const f = err.field;
  const ok = [...roots].some((r) => f === r || f.startsWith(`${r}.`) || f.startsWith(`${r}[`));
  expect(ok, `${context}: error names ${JSON.stringify(f)}, not a field of the case`).toBe(true);
}

const show = (doc: unknown) => (JSON.stringify(doc, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)) ?? String(doc)).slice(0, 600);

describe('fuzzed layer cases', () => {
  it('parseLayerCase: mutated documents are valid cases or FieldErrors naming a field', () => {
    let acceptedMutants = 0;
    let rejected = 0;
    const fields = new Set<string>();
    fc.assert(
      fc.property(fc.constantFrom(...BASE_NAMES), fc.array(edit, { minLength: 1, maxLength: 3 }), (name, edits) => {
        const doc = applyEdits(BASES[name]!, edits);
        const context = `${name} with ${show(edits)}: ${show(doc)}`;
        const r = outcome(() => parseLayerCase(doc));
        if (r.ok) {
          acceptedMutants++;
          return checkAccepted(r.value, context);
        }
        rejected++;
        checkRejected(r.error, doc, context);
        fields.add((r.error as FieldError).field.replace(/\[\d+\]/g, '[]'));
      }),
      fcParams(21, 1500),
    );
    // … and reach every part of the format.
    for (const f of ['format', 'layer.type', 'layer.kernelSize', 'input.coords[][]', 'input.features[][]', 'weights[][][]', 'bias', 'requant.shift', 'outputCoords[]']) {
      expect([...fields].some((x) => x.startsWith(f)), `no error on ${f} among ${[...fields].sort().join(', ')}`).toBe(true);
    }
    expect(rejected).toBeGreaterThan(500);
    expect(acceptedMutants).toBeGreaterThan(20); // shuffled coordinates, in-range numbers, …
  });

  it('the base documents are valid; garbage documents are refused', () => {
    for (const [name, doc] of Object.entries(BASES)) checkAccepted(parseLayerCase(doc), name);
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.dictionary(fc.constantFrom(...TOP_FIELDS, 'x'), badValue, { maxKeys: 7 })), (doc) => {
        const r = outcome(() => parseLayerCase(doc));
        if (r.ok) throw new Error(`garbage accepted: ${show(doc)}`);
        checkRejected(r.error, doc, show(doc));
      }),
      fcParams(22, 500),
    );
  });

  it('JSON text truncated at every character: a syntax error with line and column', () => {
    for (const name of ['transposed', 'built-conv']) {
      const text = serializeLayerCase(parseLayerCase(BASES[name]!));
      const body = text.trimEnd().length;
      for (let n = 0; n < body; n++) {
        const r = outcome(() => parseLayerCase(parseJsonText(text.slice(0, n), `${name}.json`)));
        if (r.ok) throw new Error(`${name} cut at ${n} of ${text.length} was accepted`);
        const e = expectFieldError(r.error, `${name} cut at ${n}`);
        expect(e.field).toBe(`${name}.json`);
        expect(e.rule).toMatch(/^invalid JSON( at line \d+, column \d+)?: /);
      }
      // Only trailing whitespace can go.
      expect(parseLayerCase(parseJsonText(text.slice(0, body), name))).toEqual(parseLayerCase(BASES[name]!));
    }
  });

  it('readLayerCaseFile: mutated and truncated files, errors prefixed with the path', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...BASE_NAMES), fc.array(edit, { maxLength: 2 }), fc.option(fc.nat(), { nil: undefined }), async (name, edits, cut) => {
        const doc = applyEdits(BASES[name]!, edits);
        let text = JSON.stringify(doc) ?? '';
        if (cut !== undefined) text = text.slice(0, cut % (text.length + 1));
        const file = join(scratch.dir, `case-${n++}.json`);
        writeFileSync(file, text);
        const context = `${file}: ${text.slice(0, 300)}`;
        const r = await outcomeAsync(() => readLayerCaseFile(file));
        if (r.ok) return checkAccepted(r.value, context);
        const e = expectFieldError(r.error, context);
        expect(e.message.startsWith(`${file}: `), `${context}: message ${e.message} does not start with the path`).toBe(true);
        // Round trip through JSON text: NaN became null, -0 became 0.
        if (!e.rule.startsWith('invalid JSON')) checkRejected(e, JSON.parse(text), context);
      }),
      fcParams(23, 150),
    );
  });

  it('values JSON cannot carry (NaN, ±Infinity, -0, BigInt) are refused or normalised when passed directly', () => {
    const set = (doc: Json, f: (d: Json) => void) => {
      const d = structuredClone(doc);
      f(d);
      return d;
    };
    const base = BASES.submanifold!;
    for (const v of [NaN, Infinity, -Infinity, 1n, undefined]) {
      for (const [where, mutate] of [
        ['layer.kernelSize', (d: Json) => (d.layer.kernelSize = v)],
        ['input.features[1][0]', (d: Json) => (d.input.features[1][0] = v)],
        ['input.coords[2][3]', (d: Json) => (d.input.coords[2][3] = v)],
        ['weights[26][1][2]', (d: Json) => (d.weights[26][1][2] = v)],
        ['requant.shift[0]', (d: Json) => (d.requant.shift[0] = v)],
      ] as const) {
        const r = outcome(() => parseLayerCase(set(base, mutate)));
        expect(r.ok, `${where} = ${String(v)}`).toBe(false);
        const e = expectFieldError(!r.ok && r.error, `${where} = ${String(v)}`);
        expect(e.field).toBe(v === undefined && where === 'layer.kernelSize' ? 'layer.kernelSize' : where);
      }
    }
    // -0 is read as 0.
    const c = parseLayerCase(set(base, (d) => (d.input.features[0][0] = -0)));
    expect(Object.is(c.input.features[0]![0], 0)).toBe(true);
    expect(parseLayerCase(set(base, (d) => (d.format = LAYER_CASE_FORMAT)))).toEqual(parseLayerCase(base));
  });
});
