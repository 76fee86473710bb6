// The two element-wise node kinds of DESIGN.md §6: the residual `add` and the skip `concat`.
// Both need inputs over the same coordinate set; tensors reach them in canonical order, so the
// sets are equal exactly when the lists are.
import { FieldError } from './errors.ts';
import type { AddParams, NodeTensor } from './network-types.ts';
import type { Coord } from './types.ts';

/** Throws naming both inputs and the first row where their (canonical) coordinate lists differ. */
export function checkSameCoords(a: NodeTensor, b: NodeTensor, names: [string, string], op: string): void {
  const ca = a.coords, cb = b.coords;
  const n = Math.min(ca.length, cb.length);
  for (let r = 0; r < n; r++) {
    const p = ca[r], q = cb[r];
    if (p[0] !== q[0] || p[1] !== q[1] || p[2] !== q[2] || p[3] !== q[3]) {
      throw new FieldError('inputs', `${JSON.stringify(names[0])} and ${JSON.stringify(names[1])} have different coordinate sets ` +
        `(${op} needs the same): canonical row ${r} is ${fmt(p)} in the first and ${fmt(q)} in the second`);
    }
  }
  if (ca.length !== cb.length) {
    throw new FieldError('inputs', `${JSON.stringify(names[0])} has ${ca.length} points but ${JSON.stringify(names[1])} has ` +
      `${cb.length} (${op} needs the same coordinate set)`);
  }
}

function fmt(c: Coord): string {
  return `[${c.join(', ')}]`;
}

export interface AddOutput {
  features: number[][];
  /** Outputs whose exact value lay outside the signed outWidth range before clamping. */
  saturated: number;
}

/**
 * `y = clamp(floor((a·ma + b·mb + r) / 2^sh), lo, hi)` per channel with exact products and no
 * intermediate wrap. Float64 is exact while every term stays below 2^53; beyond that, BigInt.
 */
export function addFeatures(a: number[][], b: number[][], p: AddParams, outWidth: number): AddOutput {
  const channels = p.shift.length;
  const hi = 2 ** (outWidth - 1) - 1;
  const lo = p.relu ? 0 : -(hi + 1);
  let maxIn = 0;
  for (const rows of [a, b]) for (const row of rows) for (const v of row) maxIn = Math.max(maxIn, Math.abs(v));
  const exact = p.shift.every((sh, c) => sh <= 52 && maxIn * (p.multiplierA[c] + p.multiplierB[c]) + 2 ** Math.max(0, sh - 1) < 2 ** 53);
  const out: number[][] = new Array(a.length);
  let saturated = 0;
  if (exact) {
    const ma = Float64Array.from(p.multiplierA), mb = Float64Array.from(p.multiplierB);
    const round = Float64Array.from(p.shift, (sh) => (sh > 0 ? 2 ** (sh - 1) : 0));
    const div = Float64Array.from(p.shift, (sh) => 2 ** sh);
    for (let r = 0; r < a.length; r++) {
      const ra = a[r], rb = b[r];
      const y: number[] = [];
      for (let c = 0; c < channels; c++) {
        const v = Math.floor((ra[c] * ma[c] + rb[c] * mb[c] + round[c]) / div[c]);
        if (v > hi || v < -(hi + 1)) saturated++;
        y.push(v < lo ? lo : v > hi ? hi : v);
      }
      out[r] = y;
    }
    return { features: out, saturated };
  }
  for (let r = 0; r < a.length; r++) {
    const ra = a[r], rb = b[r];
    const y: number[] = [];
    for (let c = 0; c < channels; c++) {
      const sh = p.shift[c];
      const big = (BigInt(ra[c]) * BigInt(p.multiplierA[c]) + BigInt(rb[c]) * BigInt(p.multiplierB[c]) +
        (sh > 0 ? 1n << BigInt(sh - 1) : 0n)) >> BigInt(sh);
      const v = big > BigInt(hi) ? hi + 1 : big < BigInt(-(hi + 1)) ? -(hi + 2) : Number(big);
      if (v > hi || v < -(hi + 1)) saturated++;
      y.push(v < lo ? lo : v > hi ? hi : v);
    }
    out[r] = y;
  }
  return { features: out, saturated };
}

/** Channels of `a`, then of `b`, row by row. */
export function concatFeatures(a: number[][], b: number[][]): number[][] {
  const out: number[][] = new Array(a.length);
  for (let r = 0; r < a.length; r++) out[r] = a[r].concat(b[r]);
  return out;
}
