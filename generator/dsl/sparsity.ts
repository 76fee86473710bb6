// What the spec's `matrix.weightSparsity` means for the datapath (DESIGN.md §7): the pattern, how
// many input channels one pass of the matrix unit covers and the position bits beside each
// weight. The rules themselves live in the model (model/sparsity.ts), which the tile planner and
// the cycle model share; this is the spec-typed view of them.
import { channelsPerPass, parseNmPattern, positionBits, type NmPattern } from '../model/sparsity.ts';
import type { AcceleratorSpec } from './spec.ts';

/** The N:M pattern of a sparse spec, undefined for a dense one. */
export function weightPattern(spec: Pick<AcceleratorSpec, 'matrix'>): NmPattern | undefined {
  const s = spec.matrix.weightSparsity;
  return s === 'dense' ? undefined : parseNmPattern(s, 'matrix.weightSparsity');
}

/** Input channels one pass covers: `rows` (dense) or rows · M/N (N:M). */
export function inChannelsPerPass(spec: Pick<AcceleratorSpec, 'matrix'>): number {
  return channelsPerPass(spec.matrix);
}

/** Bits of a weight's position inside its group: log2 M (0 when dense). */
export function weightIndexWidth(spec: Pick<AcceleratorSpec, 'matrix'>): number {
  return positionBits(spec.matrix);
}
