// Structured N:M weight sparsity (DESIGN.md §7). A layer's weights are N:M sparse when, for every
// kernel index i, output channel o and group g of M consecutive input channels [g·M, (g+1)·M)
// (channels past Cin count as zero), at most N of W[i][g·M + j][o] are non-zero. The arithmetic
// does not change: a sparse layer's golden result is the dense result of the same weights.
import { FieldError } from './errors.ts';

export interface NmPattern {
  /** Non-zero weights kept per group. */
  n: number;
  /** Group size (consecutive input channels); a power of two ≤ 8. */
  m: number;
}

/** Group sizes an N:M pattern may use. */
export const NM_GROUP_SIZES = [2, 4, 8] as const;

/** Every valid pattern name: `1:2`, `1:4`, `2:4`, `3:4`, `1:8` … `7:8`. */
export const NM_PATTERN_NAMES: readonly string[] = NM_GROUP_SIZES.flatMap((m) =>
  Array.from({ length: m - 1 }, (_, k) => `${k + 1}:${m}`),
);

export const NM_PATTERN_RULE = 'must be an N:M pattern with 1 ≤ N < M and M a power of two ≤ 8 (e.g. 2:4, 1:4)';

/** Parses `N:M`; throws a FieldError naming `field` otherwise. */
export function parseNmPattern(s: string, field = 'pattern'): NmPattern {
  const m = /^([1-9]):([1-9])$/.exec(s);
  if (!m || !NM_PATTERN_NAMES.includes(s)) throw new FieldError(field, `${NM_PATTERN_RULE}, got ${JSON.stringify(s)}`);
  return { n: Number(m[1]), m: Number(m[2]) };
}

export function nmName(p: NmPattern): string {
  return `${p.n}:${p.m}`;
}

/** Where a weight tensor breaks an N:M pattern: the first offending (kernel index, group, output channel). */
export interface NmViolation {
  kernelIndex: number;
  /** Input-channel group: channels [group·M, (group+1)·M). */
  group: number;
  outChannel: number;
  /** Non-zero weights found in the group (> N). */
  nonZeros: number;
}

/**
 * The first group (kernel index, then group, then output channel, in that order) holding more
 * than N non-zero weights, or undefined when `weights[i][cin][cout]` is N:M sparse.
 */
export function findNmViolation(weights: readonly (readonly (readonly number[])[])[], p: NmPattern): NmViolation | undefined {
  for (let i = 0; i < weights.length; i++) {
    const wi = weights[i]!;
    const cin = wi.length;
    const cout = cin === 0 ? 0 : wi[0]!.length;
    const groups = Math.ceil(cin / p.m);
    for (let g = 0; g < groups; g++) {
      for (let o = 0; o < cout; o++) {
        let nonZeros = 0;
        for (let j = g * p.m; j < Math.min(cin, (g + 1) * p.m); j++) if (wi[j]![o] !== 0) nonZeros++;
        if (nonZeros > p.n) return { kernelIndex: i, group: g, outChannel: o, nonZeros };
      }
    }
  }
  return undefined;
}

/** One line for an error message: what is wrong and where. */
export function describeNmViolation(v: NmViolation, p: NmPattern): string {
  const lo = v.group * p.m;
  return (
    `weights are not ${nmName(p)} sparse: kernel index ${v.kernelIndex}, input-channel group ${v.group} ` +
    `(channels ${lo}…${lo + p.m - 1}), output channel ${v.outChannel} has ${v.nonZeros} non-zero weights (at most ${p.n})`
  );
}

/**
 * Input channels one pass of an accelerator's matrix unit covers: `rows` when `weightSparsity` is
 * dense (or absent), rows · M/N for an N:M pattern (the rows multipliers form rows/N groups of N,
 * each fed by M channels; the spec's validation makes N divide rows).
 */
export function channelsPerPass(matrix: { rows: number; weightSparsity?: string }): number {
  const s = matrix.weightSparsity;
  if (s === undefined || s === 'dense') return matrix.rows;
  const p = parseNmPattern(s, 'matrix.weightSparsity');
  return Math.floor(matrix.rows / p.n) * p.m;
}

/** Bits of a weight's position in its group on such an accelerator: log2 M (0 when dense). */
export function positionBits(matrix: { weightSparsity?: string }): number {
  const s = matrix.weightSparsity;
  if (s === undefined || s === 'dense') return 0;
  return Math.log2(parseNmPattern(s, 'matrix.weightSparsity').m);
}
