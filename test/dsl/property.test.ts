import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acceleratorSchema, derive, parseSpec, validateSpec } from '../../generator/dsl/index.ts';
import type { IntField } from '../../generator/dsl/schema.ts';
import { validSpec } from './arbitrary.ts';

const INT_FIELDS: [string, string, IntField][] = Object.entries(acceleratorSchema.fields).flatMap(([unit, f]) =>
  f.kind === 'object'
    ? Object.entries(f.fields)
        .filter(([, sf]) => sf.kind === 'int')
        .map(([k, sf]): [string, string, IntField] => [unit, k, sf as IntField])
    : [],
);

describe('properties of valid specs', () => {
  it('validate, round-trip through JSON and derive', () => {
    fc.assert(
      fc.property(validSpec(), (s) => {
        expect(validateSpec(s)).toEqual([]);
        expect(parseSpec(JSON.parse(JSON.stringify(s)))).toEqual(s);
        const d = derive(s);
        expect(d.arithmetic.reductionWidth).toBeLessThanOrEqual(s.arithmetic.accWidth);
        expect(d.axis.dataWidth).toBeGreaterThanOrEqual(d.coords.pointWidth);
      }),
      { numRuns: 200 },
    );
  });

  it('an integer field pushed out of its range is reported on that field', () => {
    fc.assert(
      fc.property(validSpec(), fc.constantFrom(...INT_FIELDS), fc.boolean(), (s, [unit, key, f], above) => {
        const bad = structuredClone(s) as unknown as Record<string, Record<string, unknown>>;
        bad[unit]![key] = above ? f.max + 1 : f.min - 1;
        const issues = validateSpec(bad);
        expect(issues.map((i) => i.field)).toContain(`${unit}.${key}`);
      }),
      { numRuns: 300 },
    );
  });
});
