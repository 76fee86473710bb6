// Submanifold kernel map that merges only the offsets before the centre (DESIGN.md §3): the
// centre is the identity and the map of -δ is the map of δ with its pairs swapped.
import { toColumns, type CoordColumns } from './coord-columns.ts';
import { centreIndex, kernelOffsets, mirrorIndex } from './kernel.ts';
import type { KernelMap, MapPairs } from './kernel-map.ts';
import { mapContext, sortPairsByOutput } from './map-context.ts';
import { mergeOffset, newScratch, requireCanonical } from './kernel-map-merge.ts';
import type { Coord } from './types.ts';

/** `coords` in canonical order; `k` odd; `ts` the tensor stride. */
export function buildSubmanifoldMapSymmetric(coords: readonly Coord[], k: number, ts: number): KernelMap {
  return symmetricMapColumns(toColumns(coords, 'coords'), k, ts);
}

export function symmetricMapColumns(cols: CoordColumns, k: number, ts: number): KernelMap {
  const centre = centreIndex(k);
  requireCanonical(cols, 'coords');
  const offsets = kernelOffsets(k, ts);
  const ctx = mapContext(cols, cols, offsets);
  const scratch = newScratch(ctx);
  const pairs: MapPairs[] = new Array(offsets.length);
  for (let i = 0; i < centre; i++) pairs[i] = mergeOffset(ctx, offsets[i], 1, scratch);
  const identity = Int32Array.from({ length: cols.n }, (_, r) => r);
  pairs[centre] = { input: identity, output: identity.slice() };
  // Swapped pairs are already in output order (translation preserves order); the sort only
  // guards the documented order.
  for (let i = centre + 1; i < offsets.length; i++) {
    const m = pairs[mirrorIndex(i, k)];
    pairs[i] = sortPairsByOutput({ input: m.output.slice(), output: m.input.slice() });
  }
  return { kernelSize: k, offsets, pairs };
}
