// fast-check arbitraries around the accelerator-spec shape: valid specs (randomValidSpec, the
// presets), near-valid ones (one to three mutations: a leaf set to a boundary or garbage value,
// a field or unit deleted, an unknown field added, a unit replaced), partial specs as a config
// file holds them, and plain garbage. Every draw records what it changed, so a test can check
// that the error names the field it broke.
import fc from 'fast-check';
import { acceleratorSchema, crossRules, presets, randomValidSpec, type AcceleratorSpec } from '../../generator/dsl/index.ts';
import type { Field, IntField } from '../../generator/dsl/schema.ts';

/** One leaf of the schema: `matrix.rows` and its field description. */
export interface Leaf {
  path: string[];
  field: Exclude<Field, { kind: 'object' }>;
}

export const LEAVES: Leaf[] = [];
for (const [k, f] of Object.entries(acceleratorSchema.fields)) {
  if (f.kind === 'object') for (const [sk, sf] of Object.entries(f.fields)) LEAVES.push({ path: [k, sk], field: sf as Leaf['field'] });
  else LEAVES.push({ path: [k], field: f });
}
export const UNITS = Object.keys(acceleratorSchema.fields).filter((k) => acceleratorSchema.fields[k as keyof typeof acceleratorSchema.fields].kind === 'object');
export const TOP_KEYS = Object.keys(acceleratorSchema.fields);

/** Keys that are not spec fields; several used to slip through (prototype names) or break messages. */
export const unknownKey = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom('constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', 'Rows', 'rows ', 'a.b', 'x y', 'line\nbreak', '', '0', '$schema', 'matrix.rows', '\u00e9t\u00e9'),
    fc.string({ minLength: 1, maxLength: 12 }),
  );

/** Values that are wrong (or, by luck, right) for any field: wrong types, non-finite, huge, nested garbage. */
export const garbage = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.constantFrom<unknown>(
      NaN, Infinity, -Infinity, -0, 0, -1, 1, 2.5, 3, 17, 1e308, -1e308, 2 ** 53, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER,
      Number.MIN_VALUE, 2 ** 31, 2 ** 32, '16', '', 'x', '1e3', 'sf_tiny', true, false, null, undefined, [], {}, [16], { value: 16 },
      ['conv'], ['conv', 'conv'], ['dense'],
    ),
    fc.double(),
    fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
    fc.string({ maxLength: 20 }),
    fc.anything({ maxDepth: 2, maxKeys: 4 }),
  );

/** In-range and just-out-of-range values of an integer field. */
function intBoundaries(f: IntField): number[] {
  const v = [f.min, f.max, f.min - 1, f.max + 1, f.min * 2, f.max * 2, f.default];
  if (f.pow2) v.push(f.min + 1 === 2 ? 3 : f.min + 1, f.max - 1, f.max / 2);
  if (f.values) v.push(...f.values, f.values[0]! + 1);
  return v;
}

/** A value for one leaf: mostly boundaries and legal values of its kind, sometimes garbage. */
export function leafValue(leaf: Leaf): fc.Arbitrary<unknown> {
  const f = leaf.field;
  switch (f.kind) {
    case 'int':
      return fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...intBoundaries(f)) },
        { weight: 2, arbitrary: fc.integer({ min: f.min, max: f.max }) },
        { weight: 2, arbitrary: garbage() },
      );
    case 'bool':
      return fc.oneof({ weight: 3, arbitrary: fc.boolean() }, { weight: 1, arbitrary: garbage() });
    case 'identifier':
      return fc.oneof(
        fc.constantFrom('a', '_', 'x'.repeat(40), 'x'.repeat(41), 'module', 'wire', '1abc', 'a-b', 'a b', 'sf_tiny', 'α', 'a\nb'),
        fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}$/),
        garbage(),
      );
    case 'choice':
      return fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...f.values, '4:4', '0:4', '2:3', '2:16', ' 2:4', '2/4', 'Dense') },
        { weight: 1, arbitrary: garbage() },
      );
    case 'enumSet':
      return fc.oneof(
        fc.subarray([...f.values]),
        fc.array(fc.constantFrom(...f.values, 'dense', ''), { maxLength: 5 }),
        garbage(),
      );
  }
}

export type Mutation =
  | { op: 'set'; path: string[]; value: unknown }
  | { op: 'delete'; path: string[] }
  | { op: 'unknown'; path: string[]; key: string; value: unknown }
  | { op: 'unit'; path: string[]; value: unknown };

export const mutation = (): fc.Arbitrary<Mutation> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...LEAVES).chain((l) => leafValue(l).map((value) => ({ op: 'set' as const, path: l.path, value }))) },
    { weight: 2, arbitrary: fc.constantFrom(...LEAVES.map((l) => l.path), ...UNITS.map((u) => [u])).map((path) => ({ op: 'delete' as const, path })) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom<string[]>([], ...UNITS.map((u) => [u])), unknownKey(), garbage())
        .map(([path, key, value]) => ({ op: 'unknown' as const, path, key, value })),
    },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...UNITS), garbage()).map(([u, value]) => ({ op: 'unit' as const, path: [u], value })) },
  );

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function define(o: Record<string, unknown>, k: string, v: unknown): void {
  // Own property even for `__proto__` (what JSON.parse produces).
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** Apply a mutation to a (deep-copied) object; a path through a non-object is skipped. */
export function applyMutation(root: Record<string, unknown>, m: Mutation): void {
  let o: unknown = root;
  for (const k of m.path.slice(0, m.op === 'unknown' ? m.path.length : -1)) {
    if (!isObj(o) || !Object.hasOwn(o, k)) return;
    o = o[k];
  }
  if (!isObj(o)) return;
  const last = m.path[m.path.length - 1]!;
  switch (m.op) {
    case 'set':
    case 'unit':
      define(o, last, m.value);
      return;
    case 'delete':
      delete o[last];
      return;
    case 'unknown':
      define(o, m.key, m.value);
      return;
  }
}

/** The field a mutation touches, as the validator spells it (`matrix.rows`, `matrix["x y"]`). */
export function mutationField(m: Mutation): string {
  const keyPath = (path: string, key: string) =>
    /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? (path === '' ? key : `${path}.${key}`) : `${path}[${JSON.stringify(key)}]`;
  if (m.op === 'unknown') return keyPath(m.path.join('.'), m.key);
  return m.path.join('.');
}

/**
 * Fields an error may legitimately name for a rejection caused by changing `field`: the field
 * itself, its unit, a field inside it, or the reporting field of a cross rule that reads it.
 */
export function acceptableFields(field: string): Set<string> {
  const out = new Set<string>([field, '(spec)']);
  const unit = field.split(/[.[]/)[0]!;
  out.add(unit);
  for (const r of crossRules) if (r.fields.some((f) => f === field || f.startsWith(`${field}.`) || field.startsWith(`${f}.`))) out.add(r.fields[0]!);
  return out;
}

export function namesField(reported: string, field: string): boolean {
  for (const f of acceptableFields(field)) {
    if (reported === f || reported.startsWith(`${f}.`) || reported.startsWith(`${f}[`)) return true;
  }
  return false;
}

/** The base of a near-valid spec: a preset or a seeded random valid spec. */
export const validFullSpec = (): fc.Arbitrary<AcceleratorSpec> =>
  fc.oneof(
    fc.constantFrom(...Object.values(presets)).map((s) => structuredClone(s) as AcceleratorSpec),
    fc.nat({ max: 2 ** 31 - 1 }).map((seed) => randomValidSpec(seed)),
  );

/** A full spec with one mutation, and the mutation. */
export const nearValidFullSpec = (): fc.Arbitrary<{ input: Record<string, unknown>; mutation: Mutation }> =>
  fc.tuple(validFullSpec(), mutation()).map(([spec, m]) => {
    const input = structuredClone(spec) as unknown as Record<string, unknown>;
    applyMutation(input, m);
    return { input, mutation: m };
  });

/** A full spec with one to three mutations. */
export const mutatedFullSpec = (): fc.Arbitrary<Record<string, unknown>> =>
  fc.tuple(validFullSpec(), fc.array(mutation(), { minLength: 1, maxLength: 3 })).map(([spec, ms]) => {
    const input = structuredClone(spec) as unknown as Record<string, unknown>;
    for (const m of ms) applyMutation(input, m);
    return input;
  });

/**
 * A partial spec as a config file holds it: `name` (usually) and a random subset of a valid
 * spec's units and leaves, then zero to two mutations.
 */
export const partialSpec = (): fc.Arbitrary<Record<string, unknown>> =>
  fc
    .tuple(
      validFullSpec(),
      fc.subarray(LEAVES.filter((l) => l.path.length === 2)),
      fc.constantFrom<string | undefined>('p_spec', 'p_spec', 'p_spec', undefined),
      fc.array(mutation(), { maxLength: 2 }),
    )
    .map(([spec, leaves, name, ms]) => {
      const input: Record<string, unknown> = {};
      if (name !== undefined) input.name = name;
      for (const l of leaves) {
        const [u, k] = l.path as [keyof AcceleratorSpec, string];
        const unit = (input[u] ??= {}) as Record<string, unknown>;
        unit[k] = structuredClone((spec[u] as unknown as Record<string, unknown>)[k]);
      }
      for (const m of ms) applyMutation(input, m);
      return input;
    });

/** Anything at all at the top level, and objects made of spec-ish keys with garbage values. */
export const garbageSpec = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.anything({ maxDepth: 3 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...TOP_KEYS), unknownKey()), fc.oneof(garbage(), fc.dictionary(fc.oneof(fc.constantFrom(...LEAVES.map((l) => l.path[1] ?? l.path[0]!)), unknownKey()), garbage(), { maxKeys: 4 })), { maxKeys: 6 }),
  );
