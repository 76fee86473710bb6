import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FieldError } from '../../generator/model/errors.ts';
import { canonicalPermutation, compareCoords, validateTensor } from '../../generator/model/tensor.ts';
import type { Coord } from '../../generator/model/types.ts';
import { randomCloud, rng, shuffle } from './prng.ts';

function fieldOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof FieldError) return e.message;
    throw e;
  }
  throw new Error('no FieldError thrown');
}

describe('canonical order', () => {
  it('compares lexicographically on (b, x, y, z)', () => {
    expect(compareCoords([0, 5, 5, 5], [1, -9, -9, -9])).toBeLessThan(0);
    expect(compareCoords([0, -1, 9, 9], [0, 0, -9, -9])).toBeLessThan(0);
    expect(compareCoords([0, 0, 0, 1], [0, 0, 0, -1])).toBeGreaterThan(0);
    expect(compareCoords([2, 1, 2, 3], [2, 1, 2, 3])).toBe(0);
  });

  it('sorts a small list', () => {
    const coords: Coord[] = [[1, 0, 0, 0], [0, 3, -1, 2], [0, -2, 5, 5], [0, 3, -1, -7]];
    expect(Array.from(canonicalPermutation(coords))).toEqual([2, 3, 1, 0]);
  });

  // Three extents exercise the three sorting paths: packed key+index, keys with a comparator
  // (key · n no longer below 2^53) and column comparison (no key space).
  it.each([
    ['small box', 8, 1],
    ['wide box', 1 << 15, 4],
    ['huge box', 1 << 29, 2],
  ])('agrees with a comparator sort: %s', (_name, extent, batches) => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 0, max: 300 }), (seed, n) => {
        const coords = randomCloud(rng(seed), n, { batches, extent, ts: 1 });
        const expected = coords.map((c, i) => [c, i] as const).sort((a, b) => compareCoords(a[0], b[0])).map((p) => p[1]);
        expect(Array.from(canonicalPermutation(coords))).toEqual(expected);
      }),
      { numRuns: 40 },
    );
  });

  it('sorts 100k points quickly', () => {
    const r = rng(7);
    const coords = shuffle(r, Array.from({ length: 100_000 }, (_, i): Coord => [i % 3, (i * 7919) % 1000 - 500, i % 17, i]));
    const t = performance.now();
    const p = canonicalPermutation(coords);
    const ms = performance.now() - t;
    let sorted = true;
    for (let i = 1; i < p.length; i++) sorted &&= compareCoords(coords[p[i - 1]], coords[p[i]]) < 0;
    expect(sorted).toBe(true);
    // A generous bound: the machine running the suite is shared.
    expect(ms).toBeLessThan(1000);
  });
});

describe('validateTensor', () => {
  it('returns the canonical permutation of a valid tensor', () => {
    expect(Array.from(validateTensor([[0, 2, 0, 0], [0, -2, 4, 0]], 2))).toEqual([1, 0]);
    expect(validateTensor([], 1)).toHaveLength(0);
  });

  it('names both indices of a duplicate', () => {
    const msg = fieldOf(() => validateTensor([[0, 1, 2, 3], [0, 4, 5, 6], [1, 1, 2, 3], [0, 1, 2, 3]], 1));
    expect(msg).toMatch(/^input\.coords\[3\]: /);
    expect(msg).toContain('input.coords[0]');
  });

  it('names the point whose coordinate is off the tensor-stride grid', () => {
    expect(fieldOf(() => validateTensor([[0, 0, 0, 0], [0, 4, -6, 8]], 4, 'outputCoords'))).toMatch(
      /^outputCoords\[1\]: y = -6 is not a multiple of the tensor stride 4/,
    );
  });

  it('allows any batch index ≥ 0 whatever the stride', () => {
    expect(() => validateTensor([[3, 0, 0, 0]], 2)).not.toThrow();
    expect(fieldOf(() => validateTensor([[-1, 0, 0, 0]], 1))).toMatch(/^input\.coords\[0\]: batch/);
  });

  it('rejects malformed entries', () => {
    expect(fieldOf(() => validateTensor([[0, 0, 0]] as unknown as Coord[], 1))).toMatch(/^input\.coords\[0\]/);
    expect(fieldOf(() => validateTensor([[0, 0, 0.5, 0]], 1))).toMatch(/^input\.coords\[0\]: entry 2/);
    expect(fieldOf(() => validateTensor([[0, 2 ** 31, 0, 0]], 1))).toMatch(/^input\.coords\[0\]/);
    expect(fieldOf(() => validateTensor([[0, '1', 0, 0]] as unknown as Coord[], 1))).toMatch(/^input\.coords\[0\]/);
  });

  it('requires a power-of-two tensor stride', () => {
    for (const ts of [0, 3, 6, -2, 1.5]) {
      expect(fieldOf(() => validateTensor([], ts, 'input.coords', 'layer.inTensorStride'))).toMatch(/^layer\.inTensorStride: /);
    }
  });
});
