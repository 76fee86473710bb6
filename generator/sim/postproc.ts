// Post-processing co-simulation: random beats, stream encoding and the golden expectation
// (generator/model/arith.ts: wrapSigned + requantize, DESIGN.md §1). The golden functions take
// safe integers, so accumulators wider than 53 bits (accWidth ≤ 64 is legal) go through the
// same formula in BigInt (`requantizeBig`, checked against `requantize` wherever both apply).
import type { PostprocDerived } from '../dsl/derive/postproc.ts';
import { requantize, wrapSigned } from '../model/arith.ts';
import type { ExpectedBeat } from './compare.ts';
import { packBeat, type StreamLayout } from './layout.ts';
import { Prng, randomSigned, randomUnsigned } from './random.ts';

export interface PostprocBeat {
  acc: bigint[];
  bias: bigint[];
  mult: bigint[];
  shift: number[];
  relu: boolean;
  tag: number;
  last: boolean;
}

export function randomPostprocBeats(d: PostprocDerived, seed: number, n: number, extremes = 0.25): PostprocBeat[] {
  const prng = new Prng(seed);
  const beats: PostprocBeat[] = [];
  const maxShift = 2 ** d.shiftWidth - 1;
  for (let i = 0; i < n; i++) {
    const lanes = d.lanes;
    beats.push({
      acc: Array.from({ length: lanes }, () => randomSigned(prng, d.accWidth, extremes)),
      bias: Array.from({ length: lanes }, () => (d.bias ? randomSigned(prng, d.accWidth, extremes) : 0n)),
      mult: Array.from({ length: lanes }, () => (d.requant ? randomUnsigned(prng, d.multiplierWidth, extremes) : 0n)),
      // Shifts cover 0 … 2^shiftWidth − 1 evenly, with the ends favoured.
      shift: Array.from({ length: lanes }, () => {
        if (!d.requant) return 0;
        const r = prng.nextFloat();
        return r < 0.1 ? 0 : r < 0.2 ? maxShift : prng.int(0, maxShift);
      }),
      relu: d.relu ? prng.nextFloat() < 0.5 : false,
      tag: Number(randomUnsigned(prng, d.tagWidth, 0.1)),
      last: prng.nextFloat() < 0.25 || i === n - 1,
    });
  }
  return beats;
}

export function encodePostprocBeats(d: PostprocDerived, a: StreamLayout, beats: PostprocBeat[]): { data: bigint; last: boolean }[] {
  return beats.map((b) => {
    const v: Record<string, bigint[] | number[] | number> = { acc: b.acc, tag: b.tag };
    if (d.bias) v.bias = b.bias;
    if (d.requant) {
      v.mult = b.mult;
      v.shift = b.shift;
    }
    if (d.relu) v.relu = b.relu ? 1 : 0;
    return { data: packBeat(a, v), last: b.last };
  });
}

function wrapBig(v: bigint, width: number): bigint {
  return BigInt.asIntN(width, v);
}

/** DESIGN.md §1 requantization in BigInt (any widths). */
export function requantizeBig(acc: bigint, m: bigint, sh: number, relu: boolean, outWidth: number): bigint {
  const hi = (1n << BigInt(outWidth - 1)) - 1n;
  const lo = relu ? 0n : -(1n << BigInt(outWidth - 1));
  const r = sh > 0 ? 1n << BigInt(sh - 1) : 0n;
  const y = (acc * m + r) >> BigInt(sh); // >> on bigint is floor division by 2^sh
  return y < lo ? lo : y > hi ? hi : y;
}

/** Golden results of one beat: biased, wrapped accumulators and requantized outputs. */
export function expectedPostprocBeat(d: PostprocDerived, b: PostprocBeat): { acc: (number | bigint)[]; q: number[] } {
  const acc: (number | bigint)[] = [];
  const q: number[] = [];
  for (let c = 0; c < d.lanes; c++) {
    const sum = b.acc[c]! + (d.bias ? b.bias[c]! : 0n);
    let biased: bigint;
    if (d.accWidth <= 52) {
      // Golden model: the exact sum fits in a safe integer (|sum| < 2^52 + 2^52).
      biased = BigInt(wrapSigned(Number(sum), d.accWidth));
    } else {
      biased = wrapBig(sum, d.accWidth);
    }
    acc.push(d.accWidth <= 52 ? Number(biased) : biased);
    if (d.requant) {
      const m = b.mult[c]!;
      const useGolden = d.accWidth <= 52 && m <= BigInt(Number.MAX_SAFE_INTEGER);
      q.push(useGolden ? requantize(Number(biased), Number(m), b.shift[c]!, b.relu, d.outWidth) : Number(requantizeBig(biased, m, b.shift[c]!, b.relu, d.outWidth)));
    }
  }
  return { acc, q };
}

export function expectedPostproc(d: PostprocDerived, beats: PostprocBeat[]): ExpectedBeat[] {
  return beats.map((b, i) => {
    const e = expectedPostprocBeat(d, b);
    const fields: Record<string, (number | bigint)[]> = { acc: e.acc, tag: [b.tag] };
    if (d.requant) fields.q = e.q;
    return { fields, last: b.last, where: `beat ${i}` };
  });
}
