// Random operands for co-simulation stimulus, biased towards the extremes of each width
// (−2^(w−1), 2^(w−1)−1, 0, ±1), where datapath bugs live.
import { Prng } from '../io/prng.ts';

export { Prng };

/** Uniform random bigint in [0, 2^width). */
export function randomBits(prng: Prng, width: number): bigint {
  let v = 0n;
  for (let b = 0; b < width; b += 32) v = (v << 32n) | BigInt(prng.nextU32());
  return v & ((1n << BigInt(width)) - 1n);
}

/** Signed `width`-bit value; with probability `extremes` one of min, max, 0, 1, −1. */
export function randomSigned(prng: Prng, width: number, extremes = 0.2): bigint {
  const min = -(1n << BigInt(width - 1));
  const max = (1n << BigInt(width - 1)) - 1n;
  if (prng.nextFloat() < extremes) {
    const pick = [min, max, min, max, 0n, 1n, -1n][prng.int(0, 6)]!;
    return pick < min ? min : pick > max ? max : pick;
  }
  return randomBits(prng, width) + min;
}

/** Unsigned `width`-bit value; with probability `extremes` one of 0, 1, max. */
export function randomUnsigned(prng: Prng, width: number, extremes = 0.2): bigint {
  const max = (1n << BigInt(width)) - 1n;
  if (prng.nextFloat() < extremes) return [0n, max, max, 1n][prng.int(0, 3)]! & max;
  return randomBits(prng, width);
}
