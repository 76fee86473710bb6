import { describe, expect, it } from 'vitest';
import { Prng, splitmix32 } from '../../generator/io/prng.ts';

describe('Prng', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = new Prng(42).ints(50, -128, 127);
    expect(new Prng(42).ints(50, -128, 127)).toEqual(a);
    expect(new Prng(43).ints(50, -128, 127)).not.toEqual(a);
    expect(new Prng(2 ** 40 + 42).ints(50, -128, 127)).not.toEqual(a);
    const s = splitmix32(1);
    expect([s(), s()]).toEqual((() => { const t = splitmix32(1); return [t(), t()]; })());
  });

  it('covers its range uniformly enough', () => {
    const r = new Prng(7);
    const counts = new Array(8).fill(0);
    for (let i = 0; i < 8000; i++) counts[r.int(0, 7)]++;
    for (const c of counts) expect(c).toBeGreaterThan(850);
    for (let i = 0; i < 1000; i++) {
      const f = r.nextFloat();
      expect(f >= 0 && f < 1).toBe(true);
      const u = r.nextU32();
      expect(Number.isInteger(u) && u >= 0 && u < 2 ** 32).toBe(true);
    }
    expect(r.int(5, 5)).toBe(5);
    expect(() => r.int(2, 1)).toThrow(RangeError);
    expect(() => new Prng(0.5)).toThrow(RangeError);
    expect(r.shuffle([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
  });
});
