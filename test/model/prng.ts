// Seeded generators for test data: fast-check draws the structure and a seed, and the bulk
// (features, weights, coordinates) comes from this PRNG so that large cases stay cheap to draw.
import type { Coord } from '../../generator/model/types.ts';

export type Rng = () => number;

/** mulberry32: uniform in [0, 1). */
export function rng(seed: number): Rng {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function int(r: Rng, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

export function signedInt(r: Rng, width: number): number {
  return int(r, -(2 ** (width - 1)), 2 ** (width - 1) - 1);
}

/** Up to `n` unique coordinates, in random order, on the `ts` grid within ±`extent` cells. */
export function randomCloud(r: Rng, n: number, opts: { batches: number; extent: number; ts: number }): Coord[] {
  const seen = new Map<string, Coord>();
  for (let tries = 0; tries < 4 * n && seen.size < n; tries++) {
    const c: Coord = [
      int(r, 0, opts.batches - 1),
      int(r, -opts.extent, opts.extent) * opts.ts,
      int(r, -opts.extent, opts.extent) * opts.ts,
      int(r, -opts.extent, opts.extent) * opts.ts,
    ];
    seen.set(c.join(','), c);
  }
  return shuffle(r, [...seen.values()]);
}

export function shuffle<T>(r: Rng, a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

export function matrix(r: Rng, rows: number, cols: number, width: number): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => signedInt(r, width)));
}
