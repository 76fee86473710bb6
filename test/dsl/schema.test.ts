import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acceleratorSchema, PRESET_NAMES, presets, randomValidSpec, specJsonSchema, specMarkdown } from '../../generator/dsl/index.ts';
import type { Field } from '../../generator/dsl/schema.ts';

type Json = Record<string, unknown>;

/** Every dotted leaf path of the schema description. */
function leafPaths(f: Field, prefix = ''): string[] {
  if (f.kind !== 'object') return [prefix];
  return Object.entries(f.fields).flatMap(([k, sub]) => leafPaths(sub, prefix ? `${prefix}.${k}` : k));
}

const KNOWN_KEYWORDS = new Set([
  '$schema', '$id', '$comment', 'title', 'description', 'type', 'properties', 'additionalProperties', 'required',
  'items', 'enum', 'minimum', 'maximum', 'minItems', 'uniqueItems', 'pattern', 'maxLength', 'default', 'not',
]);

/**
 * A validator for the JSON Schema subset the spec schema uses; enough to check that the schema
 * means what validateSpec means on the structural rules.
 */
function conforms(schema: Json, v: unknown, path = ''): string[] {
  const errs: string[] = [];
  for (const k of Object.keys(schema)) if (!KNOWN_KEYWORDS.has(k)) errs.push(`${path}: unknown keyword ${k}`);
  const t = schema.type;
  if (t === 'object') {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return [`${path}: not an object`];
    const props = schema.properties as Record<string, Json>;
    for (const r of (schema.required as string[] | undefined) ?? []) if (!(r in v)) errs.push(`${path}.${r}: required`);
    for (const [k, sub] of Object.entries(v)) {
      if (props[k]) errs.push(...conforms(props[k], sub, `${path}.${k}`));
      else if (schema.additionalProperties === false) errs.push(`${path}.${k}: additional property`);
    }
  } else if (t === 'array') {
    if (!Array.isArray(v)) return [`${path}: not an array`];
    if (typeof schema.minItems === 'number' && v.length < schema.minItems) errs.push(`${path}: too few items`);
    if (schema.uniqueItems && new Set(v.map((x) => JSON.stringify(x))).size !== v.length) errs.push(`${path}: duplicates`);
    v.forEach((x, i) => errs.push(...conforms(schema.items as Json, x, `${path}[${i}]`)));
  } else if (t === 'integer') {
    if (!Number.isInteger(v)) return [`${path}: not an integer`];
    if (typeof schema.minimum === 'number' && (v as number) < schema.minimum) errs.push(`${path}: below minimum`);
    if (typeof schema.maximum === 'number' && (v as number) > schema.maximum) errs.push(`${path}: above maximum`);
  } else if (t === 'boolean') {
    if (typeof v !== 'boolean') errs.push(`${path}: not a boolean`);
  } else if (t === 'string') {
    if (typeof v !== 'string') return [`${path}: not a string`];
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern).test(v)) errs.push(`${path}: pattern`);
    if (typeof schema.maxLength === 'number' && v.length > schema.maxLength) errs.push(`${path}: too long`);
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(v)) errs.push(`${path}: not in enum`);
  if (schema.not && conforms(schema.not as Json, v, path).length === 0) errs.push(`${path}: matches not`);
  return errs;
}

describe('JSON Schema', () => {
  const schema = specJsonSchema();

  it('is a draft 2020-12 schema that round-trips through JSON', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
    expect(schema.required).toEqual(['name']);
    expect(schema.additionalProperties).toBe(false);
  });

  it('describes every field with a description and a default', () => {
    for (const path of leafPaths(acceleratorSchema)) {
      let node = schema as Json;
      for (const k of path.split('.')) node = (node.properties as Record<string, Json>)[k]!;
      expect(node, path).toBeDefined();
      expect(typeof node.description, path).toBe('string');
      if (path !== 'name') expect(node.default, path).toBeDefined();
    }
  });

  it('accepts the presets and random specs, rejects structural errors', () => {
    for (const p of PRESET_NAMES) expect(conforms(schema, presets[p])).toEqual([]);
    for (let i = 0; i < 50; i++) expect(conforms(schema, randomValidSpec(i))).toEqual([]);
    expect(conforms(schema, { name: 'x', $schema: './s.json' })).toEqual([]);
    expect(conforms(schema, { name: 'x', matrix: { rows: 12 } })).toEqual(['.matrix.rows: not in enum']);
    expect(conforms(schema, { name: 'x', matrix: { rowz: 4 } })).toEqual(['.matrix.rowz: additional property']);
    expect(conforms(schema, { name: 'module' })).toEqual(['.name: matches not']);
    expect(conforms(schema, { name: '1x' })).toEqual(['.name: pattern']);
    expect(conforms(schema, { name: 'x', interfaces: { axilDataWidth: 48 } })).toEqual(['.interfaces.axilDataWidth: not in enum']);
    expect(conforms(schema, { name: 'x', mapping: { layerTypes: ['conv', 'conv'] } })).toEqual(['.mapping.layerTypes: duplicates']);
    expect(conforms(schema, {})).toEqual(['.name: required']);
  });
});

describe('Markdown reference', () => {
  const md = specMarkdown();

  it('has a row for every field and lists the cross-field rules', () => {
    for (const path of leafPaths(acceleratorSchema)) expect(md).toContain(`| \`${path}\` |`);
    expect(md).toContain('### Cross-field rules');
    expect(md).toContain('`arithmetic.accWidth` ≥ inWidth + weightWidth');
  });

  it('docs/spec-parameters.md is up to date (regenerate: bin/sparseforge schema --markdown > docs/spec-parameters.md)', () => {
    const file = join(import.meta.dirname, '..', '..', 'docs', 'spec-parameters.md');
    expect(readFileSync(file, 'utf8')).toBe(md);
  });
});
