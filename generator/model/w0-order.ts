// Weight-ring slot order and the start-up interleave of the first weight pair with the features
// (spec buffers.w0Interleave, issue 13 item 3; docs/accelerator.md "Input stream"). Shared by the
// host's stream builder (generator/sim/accel/stream.ts), the cycle model's loader timeline
// (cycle-model-replay.ts) and the RTL's formula (templates/top/accel_wfetch.v.hbs). Pure.

/**
 * Slot of kernel index `k` among a pair's `kv` tiles: 0, K−1, 1, K−2, …, the centre last — the
 * order the scheduler first needs them (a mirrored run's swapped pass uses K−1−i right after i,
 * the identity pass of an odd-k submanifold layer comes last in each pair).
 */
export function w0Slot(k: number, kv: number): number {
  return 2 * k <= kv - 1 ? 2 * k : 2 * (kv - 1 - k) + 1;
}

/** Kernel index of each slot (the inverse of w0Slot). */
export function w0SlotOrder(kv: number): number[] {
  const order = new Array<number>(kv);
  for (let k = 0; k < kv; k++) order[w0Slot(k, kv)] = k;
  return order;
}

/**
 * The order in which the stream carries the first pair's `tiles` tiles and the `feats` feature
 * words when `block` (LAYER_TYPE.W0_BLOCK) feature words follow each tile: entry `['w', s]` is the
 * tile in slot s, `['f', j0, j1]` feature words [j0, j1). block 0: every tile, then the features.
 */
export function w0Interleave(tiles: number, feats: number, block: number): (['w', number] | ['f', number, number])[] {
  const out: (['w', number] | ['f', number, number])[] = [];
  let j = 0;
  for (let s = 0; s < tiles; s++) {
    out.push(['w', s]);
    if (block > 0 && j < feats) {
      const e = Math.min(feats, j + block);
      out.push(['f', j, e]);
      j = e;
    }
  }
  if (j < feats) out.push(['f', j, feats]);
  return out;
}

/** LAYER_TYPE.W0_BLOCK values the host driver tries first per layer with the cycle model (then refines around the best). */
export const W0_BLOCK_CANDIDATES = [0, 4, 8, 16, 32, 64, 128, 256, 512] as const;
/** The refinement around the best coarse block b: round(b · f). */
const W0_BLOCK_REFINE = [0.625, 0.75, 0.875, 1.125, 1.25, 1.5] as const;

export interface W0BlockChoice {
  block: number;
  /** Predicted PERF_TOTAL_CYCLES (summed over the layer's runs) per W0_BLOCK tried. */
  predicted: Record<number, number>;
}

/**
 * The W0_BLOCK the host programs for a layer: the fastest by `predict` (the cycle model's replay)
 * of W0_BLOCK_CANDIDATES up to `maxBlock` (the layer's feature words), then of round(b · f) for the
 * best coarse b and the factors of W0_BLOCK_REFINE (the total is not smooth in the block: on the
 * bunny 16→16 fpga layer 8 → 12,335 cycles predicted, 9 → 12,281, 13 → 12,339; measured 12,366 and
 * 12,277). `refine` false: the coarse blocks only (the cycle model refines submanifold and map-free
 * transposed layers: a map-free conv walk takes one point per cycle as its features arrive, so the
 * block moves its start by a few cycles — finer than the replay resolves there. A map-free
 * transposed walk also waits for its parents' features while the tiles take the stream, which
 * delays every pass after it: fpga bunny v0.25 16→16 measured 2,242 / 2,214 cycles after the load
 * at 8 / 9 (refined), and on five more bunny cases the refined block measured −30 … +11 cycles).
 * Ties go to the smaller block, except that `refine` 'strict' (map-free transposed) keeps the
 * coarse block unless a refined one is predicted faster: fpga bunny v2 32→32 predicted 809 at
 * 7 … 32, measured 830 at 7 and 813 at 8.
 */
export function chooseW0Block(predict: (block: number) => number, maxBlock: number, refine: boolean | 'strict' = true): W0BlockChoice {
  const predicted: Record<number, number> = {};
  let best = 0;
  const tryBlock = (g: number, ties = true) => {
    if (g in predicted || g > Math.max(maxBlock, 0) || g < 0) return;
    const c = predict(g);
    predicted[g] = c;
    if (c < predicted[best]! || (ties && c === predicted[best]! && g < best)) best = g;
  };
  tryBlock(0);
  for (const g of W0_BLOCK_CANDIDATES) tryBlock(g);
  const coarse = best;
  if (refine !== false && coarse > 0) for (const f of W0_BLOCK_REFINE) tryBlock(Math.round(coarse * f), refine !== 'strict');
  return { block: best, predicted };
}
