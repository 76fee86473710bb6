// The kernel map (DESIGN.md §1); its builders live beside it (kernel-map-*.ts).
//
// Convention: for kernel index i, the pair (j, q) means input row j feeds output row q, where
// in[j] = out[q] + sign·δ_i; rows index the canonically ordered coordinate lists. Conv and
// submanifold layers use sign = +1 (out[q] = Σ in[q + δ]), transposed layers sign = -1
// (in[q] feeds out[p] when p = q + δ).
//
// Documented order — the hardware emits map entries in this order: within one kernel index the
// pairs are sorted by ascending output index. It is the order the merge produces; and since
// translation preserves the canonical order, the input indices of one kernel index ascend too.
import type { Offset } from './kernel.ts';

export interface MapPairs {
  input: Int32Array;
  output: Int32Array;
}

export interface KernelMap {
  kernelSize: number;
  /** `δ_i` per kernel index, already scaled by the tensor stride the map was built with. */
  offsets: Offset[];
  /** One entry per kernel index. */
  pairs: MapPairs[];
}

export type MapSign = 1 | -1;

export { buildKernelMapHash } from './kernel-map-hash.ts';
export { buildKernelMapMerge } from './kernel-map-merge.ts';
export { buildSubmanifoldMapSymmetric } from './kernel-map-symmetric.ts';

export function countMapEntries(map: KernelMap): number {
  let n = 0;
  for (const p of map.pairs) n += p.output.length;
  return n;
}
