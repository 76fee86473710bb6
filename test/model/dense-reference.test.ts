import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { denseReference } from '../../generator/model/dense-reference.ts';
import { runLayer } from '../../generator/model/layer.ts';
import { randomCaseArb } from './random-case.ts';

describe('sparse model vs dense reference', () => {
  it('agrees on 500 random cases', () => {
    const seen = { submanifold: 0, conv: 0, transposed: 0, wraps: 0, requant: 0, empty: 0 };
    fc.assert(
      fc.property(randomCaseArb, ({ c, widths }) => {
        const sparse = runLayer(c, widths).result;
        expect(sparse).toEqual(denseReference(c, widths));
        seen[c.layer.type]++;
        if (sparse.wraps > 0) seen.wraps++;
        if (sparse.features !== undefined) seen.requant++;
        if (sparse.coords.length === 0) seen.empty++;
      }),
      { numRuns: 500 },
    );
    // The generator must keep reaching every regime it is meant to cover.
    expect(seen.submanifold).toBeGreaterThan(50);
    expect(seen.conv).toBeGreaterThan(50);
    expect(seen.transposed).toBeGreaterThan(50);
    expect(seen.wraps).toBeGreaterThan(25);
    expect(seen.requant).toBeGreaterThan(100);
  });
});
