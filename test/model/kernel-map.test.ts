import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convOutputCoords } from '../../generator/model/downsample.ts';
import { kernelOffsets, mirrorIndex, type Offset } from '../../generator/model/kernel.ts';
import {
  buildKernelMapHash, buildKernelMapMerge, buildSubmanifoldMapSymmetric, type KernelMap, type MapSign,
} from '../../generator/model/kernel-map.ts';
import { canonicalPermutation } from '../../generator/model/tensor.ts';
import type { Coord } from '../../generator/model/types.ts';
import { randomCloud, rng } from './prng.ts';

const sorted = (c: Coord[]) => Array.from(canonicalPermutation(c), (i) => c[i]);

/** The definition, by exhaustive search. */
function bruteForce(inC: Coord[], outC: Coord[], offsets: Offset[], sign: MapSign): [number, number][][] {
  return offsets.map(([dx, dy, dz]) => {
    const pairs: [number, number][] = [];
    outC.forEach((q, qi) => {
      inC.forEach((p, pi) => {
        if (p[0] === q[0] && p[1] === q[1] + sign * dx && p[2] === q[2] + sign * dy && p[3] === q[3] + sign * dz) pairs.push([pi, qi]);
      });
    });
    return pairs;
  });
}

const asPairs = (m: KernelMap) => m.pairs.map((p) => Array.from(p.input, (j, e): [number, number] => [j, p.output[e]]));

function checkDocumentedOrder(m: KernelMap): void {
  for (const p of m.pairs) {
    expect(p.input.length).toBe(p.output.length);
    for (let e = 1; e < p.output.length; e++) {
      expect(p.output[e]).toBeGreaterThan(p.output[e - 1]);
      expect(p.input[e]).toBeGreaterThan(p.input[e - 1]);
    }
  }
}

const cloudArb = fc.record({
  seed: fc.integer(),
  n: fc.integer({ min: 0, max: 40 }),
  batches: fc.integer({ min: 1, max: 3 }),
  extent: fc.integer({ min: 1, max: 5 }),
  ts: fc.constantFrom(1, 2, 4),
});

describe('kernel maps', () => {
  it('hash ≡ merge ≡ symmetric ≡ definition for submanifold layers', () => {
    fc.assert(
      fc.property(cloudArb, fc.constantFrom(1, 3, 5), ({ seed, n, batches, extent, ts }, k) => {
        const coords = sorted(randomCloud(rng(seed), n, { batches, extent, ts }));
        const offsets = kernelOffsets(k, ts);
        const hash = buildKernelMapHash(coords, coords, offsets, 1);
        const merge = buildKernelMapMerge(coords, coords, offsets, 1);
        const sym = buildSubmanifoldMapSymmetric(coords, k, ts);
        const expected = bruteForce(coords, coords, offsets, 1);
        expect(asPairs(hash)).toEqual(expected);
        expect(asPairs(merge)).toEqual(expected);
        expect(asPairs(sym)).toEqual(expected);
        for (const m of [hash, merge, sym]) {
          expect(m.kernelSize).toBe(k);
          expect(m.offsets).toEqual(offsets);
          checkDocumentedOrder(m);
        }
        // The map of -δ is the map of δ with its pairs swapped.
        const mergePairs = asPairs(merge);
        const swapped = offsets.map((_, i) => mergePairs[mirrorIndex(i, k)].map(([j, q]) => [q, j]).sort((a, b) => a[1] - b[1]));
        expect(mergePairs).toEqual(swapped);
      }),
      { numRuns: 150 },
    );
  });

  it('hash ≡ merge ≡ definition for even submanifold, strided conv and transposed maps', () => {
    fc.assert(
      fc.property(cloudArb, fc.constantFrom(2, 3), fc.constantFrom(1, 2, 3), ({ seed, n, batches, extent, ts }, k, s) => {
        const fine = sorted(randomCloud(rng(seed), n, { batches, extent, ts }));
        const coarse = convOutputCoords(fine, ts * s);
        // Conv: fine → coarse with δ at the fine stride; transposed: coarse → fine, δ at the fine stride.
        for (const [inC, outC, sign] of [[fine, coarse, 1], [coarse, fine, -1], [fine, fine, 1]] as const) {
          const offsets = kernelOffsets(k, ts);
          const expected = bruteForce(inC, outC, offsets, sign);
          const hash = buildKernelMapHash(inC, outC, offsets, sign);
          const merge = buildKernelMapMerge(inC, outC, offsets, sign);
          expect(asPairs(hash)).toEqual(expected);
          expect(asPairs(merge)).toEqual(expected);
          checkDocumentedOrder(merge);
        }
      }),
      { numRuns: 100 },
    );
  });

  // Wide boxes switch the builders to float64 keys, huge ones to column comparison.
  it.each([
    ['float64 keys', 1 << 14],
    ['column comparison', 1 << 27],
  ])('stays correct with %s', (_name, spread) => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 40 }), (seed, n) => {
        const r = rng(seed);
        // Clusters far apart so that neighbours still exist.
        const coords = sorted(
          randomCloud(r, n, { batches: 2, extent: 2, ts: 1 }).map(([b, x, y, z], i): Coord => {
            const far = (i % 3) * spread;
            return [b, x + far, y - far, z + far];
          }).filter((c, i, all) => all.findIndex((d) => d.join() === c.join()) === i),
        );
        const offsets = kernelOffsets(3, 1);
        const expected = bruteForce(coords, coords, offsets, 1);
        expect(asPairs(buildKernelMapHash(coords, coords, offsets, 1))).toEqual(expected);
        expect(asPairs(buildKernelMapMerge(coords, coords, offsets, 1))).toEqual(expected);
        expect(asPairs(buildSubmanifoldMapSymmetric(coords, 3, 1))).toEqual(expected);
      }),
      { numRuns: 30 },
    );
  });

  it('accepts outputs in any order for hash but requires canonical order for merge', () => {
    const coords: Coord[] = [[0, 1, 0, 0], [0, 0, 0, 0]];
    const offsets = kernelOffsets(3, 1);
    expect(asPairs(buildKernelMapHash(coords, coords, offsets, 1))[12]).toEqual([[1, 0]]);
    expect(() => buildKernelMapMerge(coords, coords, offsets, 1)).toThrow(/^inCoords\[1\]: .*canonical order/);
    expect(() => buildSubmanifoldMapSymmetric(coords, 3, 1)).toThrow(/^coords\[1\]: /);
    expect(() => buildSubmanifoldMapSymmetric(sorted(coords), 2, 1)).toThrow(/^layer\.kernelSize: /);
  });

  it('rejects duplicate input coordinates in every key regime', () => {
    for (const far of [5, 1 << 14, 1 << 27]) {
      const coords: Coord[] = [[0, 0, 0, 0], [0, far, -far, far], [0, 1, 0, 0], [0, far, -far, far]];
      expect(() => buildKernelMapHash(coords, coords, kernelOffsets(3, 1), 1)).toThrow(/^inCoords\[3\]: duplicate .*inCoords\[1\]/);
    }
  });

  it('maps a 100k-point cloud quickly and identically with all builders', () => {
    const r = rng(11);
    const coords = sorted(randomCloud(r, 100_000, { batches: 2, extent: 40, ts: 1 }));
    const offsets = kernelOffsets(3, 1);
    const hash = buildKernelMapHash(coords, coords, offsets, 1);
    const merge = buildKernelMapMerge(coords, coords, offsets, 1);
    const sym = buildSubmanifoldMapSymmetric(coords, 3, 1);
    // Element loops rather than toEqual, whose diffing is slow on arrays this size.
    const same = (a: Int32Array, b: Int32Array) => a.length === b.length && a.every((v, e) => v === b[e]);
    let entries = 0;
    for (let i = 0; i < 27; i++) {
      entries += hash.pairs[i].output.length;
      for (const m of [merge, sym]) expect(same(m.pairs[i].input, hash.pairs[i].input) && same(m.pairs[i].output, hash.pairs[i].output)).toBe(true);
    }
    expect(entries).toBeGreaterThan(100_000);
  });
});
