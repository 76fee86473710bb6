// The gather-GEMV-scatter hot loop, and the accumulator post-processing (bias, wrap, requant).
import { requantize } from './arith.ts';
import type { KernelMap } from './kernel-map.ts';
import type { PackedRequant } from './layer-data.ts';

/**
 * Exact sums `acc[q·cout + o] = Σ_i Σ_(j,q) Σ_c in[j·cin + c] · W[(i·cin + c)·cout + o]` in float64
 * (the caller has checked that every partial sum stays below 2^53). Four input channels are
 * folded per pass over the contiguous weight rows so that each accumulator is loaded and stored
 * a quarter as often.
 */
export function accumulate(
  map: KernelMap, features: Int32Array, cin: number, weights: Float64Array, cout: number, nOut: number,
): Float64Array {
  const acc = new Float64Array(nOut * cout);
  const cin4 = cin - (cin % 4);
  for (let i = 0; i < map.pairs.length; i++) {
    const { input, output } = map.pairs[i];
    const wi = i * cin * cout;
    for (let e = 0; e < input.length; e++) {
      const f = input[e] * cin;
      const a = output[e] * cout;
      let c = 0;
      for (; c < cin4; c += 4) {
        const x0 = features[f + c], x1 = features[f + c + 1], x2 = features[f + c + 2], x3 = features[f + c + 3];
        const w0 = wi + c * cout, w1 = w0 + cout, w2 = w1 + cout, w3 = w2 + cout;
        for (let o = 0; o < cout; o++) {
          acc[a + o] += x0 * weights[w0 + o] + x1 * weights[w1 + o] + x2 * weights[w2 + o] + x3 * weights[w3 + o];
        }
      }
      for (; c < cin; c++) {
        const x = features[f + c];
        const w = wi + c * cout;
        for (let o = 0; o < cout; o++) acc[a + o] += x * weights[w + o];
      }
    }
  }
  return acc;
}

/** Adds the bias and wraps every accumulator to accWidth in place; returns the wrap count. */
export function addBiasAndWrap(acc: Float64Array, bias: Float64Array | null, cout: number, accWidth: number): number {
  const full = 2 ** accWidth, half = full / 2;
  let wraps = 0;
  for (let r = 0; r < acc.length; r += cout) {
    for (let o = 0; o < cout; o++) {
      let v = acc[r + o] + (bias === null ? 0 : bias[o]);
      if (v < -half || v >= half) {
        wraps++;
        // Exact: a power-of-two division, its floor and the product all stay below 2^53.
        v -= Math.floor((v + half) / full) * full;
      }
      acc[r + o] = v;
    }
  }
  return wraps;
}

export function requantizeAll(acc: Float64Array, rq: PackedRequant, cout: number, outWidth: number): Int32Array {
  const out = new Int32Array(acc.length);
  let maxAcc = 0;
  for (let i = 0; i < acc.length; i++) maxAcc = Math.max(maxAcc, Math.abs(acc[i]));
  const hi = 2 ** (outWidth - 1) - 1;
  const lo = rq.relu ? 0 : -(hi + 1);
  for (let o = 0; o < cout; o++) {
    const m = rq.multiplier[o], sh = rq.shift[o];
    const r = sh > 0 ? 2 ** (sh - 1) : 0;
    if (sh <= 52 && maxAcc * m + r < 2 ** 53 && outWidth <= 32) {
      // Every product, the rounding add and the power-of-two division are exact in float64:
      // requantize()'s float path, without its per-call checks.
      const div = 2 ** sh;
      for (let i = o; i < acc.length; i += cout) {
        const y = Math.floor((acc[i] * m + r) / div);
        out[i] = y < lo ? lo : y > hi ? hi : y;
      }
    } else {
      for (let i = o; i < acc.length; i += cout) out[i] = requantize(acc[i], m, sh, rq.relu, outWidth);
    }
  }
  return out;
}
