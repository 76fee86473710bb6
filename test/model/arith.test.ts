import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitsSigned, requantize, signedRange, wrapSigned } from '../../generator/model/arith.ts';

/** Independent reference: BigInt with explicit floor division (no shifts). */
function requantRef(acc: bigint, m: bigint, sh: number, relu: boolean, outWidth: number): number {
  const num = acc * m + (sh > 0 ? 2n ** BigInt(sh - 1) : 0n);
  const den = 2n ** BigInt(sh);
  let q = num / den;
  if (num % den !== 0n && num < 0n) q -= 1n;
  const hi = 2n ** BigInt(outWidth - 1) - 1n;
  const lo = relu ? 0n : -hi - 1n;
  return Number(q < lo ? lo : q > hi ? hi : q);
}

function inverseMod(a: bigint, mod: bigint): bigint {
  // Newton's iteration for an odd a modulo a power of two: each step doubles the correct bits.
  let x = 1n;
  for (let i = 0; i < 6; i++) x = (x * (2n - a * x)) % mod;
  return ((x % mod) + mod) % mod;
}

describe('wrapSigned / fitsSigned', () => {
  it('wraps like a two’s-complement register', () => {
    expect(wrapSigned(127, 8)).toBe(127);
    expect(wrapSigned(128, 8)).toBe(-128);
    expect(wrapSigned(-129, 8)).toBe(127);
    expect(wrapSigned(256 + 5, 8)).toBe(5);
    expect(wrapSigned(-(2 ** 47), 48)).toBe(-(2 ** 47));
    expect(wrapSigned(2 ** 47, 48)).toBe(-(2 ** 47));
    expect(wrapSigned(2 ** 53 - 1, 48)).toBe(-1);
    expect(fitsSigned(-128, 8)).toBe(true);
    expect(fitsSigned(128, 8)).toBe(false);
    expect(signedRange(4)).toEqual({ lo: -8, hi: 7 });
  });

  it('agrees with BigInt.asIntN', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 48 }), fc.maxSafeInteger(), (w, v) => {
        expect(wrapSigned(v, w)).toBe(Number(BigInt.asIntN(w, BigInt(v))));
        expect(fitsSigned(v, w)).toBe(BigInt.asIntN(w, BigInt(v)) === BigInt(v));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('requantize', () => {
  it('passes the product through with sh = 0 (no rounding term)', () => {
    expect(requantize(5, 3, 0, false, 8)).toBe(15);
    expect(requantize(-5, 3, 0, false, 8)).toBe(-15);
  });

  it('rounds half up: floor((x + 2^(sh-1)) / 2^sh), also for negative values', () => {
    expect(requantize(3, 1, 1, false, 8)).toBe(2); // 1.5 → 2
    expect(requantize(-3, 1, 1, false, 8)).toBe(-1); // -1.5 → -1 (floor of -1)
    expect(requantize(-5, 1, 2, false, 8)).toBe(-1); // -1.25 → floor(-3/4) = -1
    expect(requantize(-6, 1, 2, false, 8)).toBe(-1); // -1.5 → floor(-4/4) = -1
    expect(requantize(-7, 1, 2, false, 8)).toBe(-2); // -1.75 → floor(-5/4) = -2
    expect(requantize(-1, 1, 4, false, 8)).toBe(0);
  });

  it('clamps to the output width and applies relu as a lower bound of 0', () => {
    expect(requantize(1000, 1, 0, false, 8)).toBe(127);
    expect(requantize(-1000, 1, 0, false, 8)).toBe(-128);
    expect(requantize(-1000, 1, 0, true, 8)).toBe(0);
    expect(requantize(50, 1, 0, true, 8)).toBe(50);
    expect(requantize(100, 1, 0, false, 4)).toBe(7);
  });

  it('returns 0 for m = 0', () => {
    expect(requantize(123456, 0, 0, false, 8)).toBe(0);
    expect(requantize(-(2 ** 47), 0, 63, false, 8)).toBe(0);
  });

  it('handles sh = 63 and products beyond 2^53 exactly', () => {
    const m = 2 ** 31 - 1;
    const acc = 2 ** 47 - 1;
    // acc · m ≈ 2^78: far outside float64's exact range.
    expect(requantize(acc, m, 63, false, 32)).toBe(requantRef(BigInt(acc), BigInt(m), 63, false, 32));
    expect(requantize(-acc - 1, m, 63, false, 32)).toBe(requantRef(BigInt(-acc - 1), BigInt(m), 63, false, 32));
    expect(requantize(acc, m, 40, false, 32)).toBe(requantRef(BigInt(acc), BigInt(m), 40, false, 32));
    // acc·m ≡ 2^23 - 1 (mod 2^24) with acc·m ≈ 2^54: the exact sum p + 2^23 sits one below a
    // multiple of 2^24, and rounding p to float64 (ulp 4) would push it across.
    const m255 = 255n, mod = 2n ** 24n;
    const accBig = 2n ** 46n + ((2n ** 23n - 1n) * inverseMod(m255, mod)) % mod;
    expect((accBig * m255) % mod).toBe(2n ** 23n - 1n);
    const exact = requantRef(accBig, m255, 24, false, 32);
    expect(requantize(Number(accBig), 255, 24, false, 32)).toBe(exact);
    expect(Math.floor((Number(accBig) * 255 + 2 ** 23) / 2 ** 24)).not.toBe(exact); // what float64 would give
    expect(requantize(acc, 1, 63, false, 8)).toBe(0);
    expect(requantize(-(2 ** 47), 2 ** 31 - 1, 63, false, 8)).toBe(-128); // ≈ -2^15, clamped
    expect(requantize(-(2 ** 47), 1, 63, false, 8)).toBe(0);
    expect(requantize(-(2 ** 47), 1, 48, false, 8)).toBe(0); // exactly -1/2 rounds up
    expect(requantize(-(2 ** 47), 1, 47, false, 8)).toBe(-1);
  });

  it('agrees with a BigInt floor-division reference across the whole parameter range', () => {
    const accArb = fc.oneof(
      fc.integer({ min: -(2 ** 20), max: 2 ** 20 }),
      fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      fc.bigInt({ min: -(2n ** 47n), max: 2n ** 47n - 1n }).map(Number),
    );
    const mArb = fc.oneof(fc.integer({ min: 0, max: 1024 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }));
    fc.assert(
      fc.property(accArb, mArb, fc.integer({ min: 0, max: 63 }), fc.boolean(), fc.integer({ min: 2, max: 32 }), (acc, m, sh, relu, w) => {
        expect(requantize(acc, m, sh, relu, w)).toBe(requantRef(BigInt(acc), BigInt(m), sh, relu, w));
      }),
      { numRuns: 5000 },
    );
  });
});
