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

/** LAYER_TYPE.W0_BLOCK values the host driver tries per layer with the cycle model. */
export const W0_BLOCK_CANDIDATES = [0, 4, 8, 16, 32, 64, 128, 256, 512] as const;

export interface W0BlockChoice {
  block: number;
  /** Predicted PERF_TOTAL_CYCLES (summed over the layer's runs) per W0_BLOCK tried. */
  predicted: Record<number, number>;
}

/**
 * The W0_BLOCK the host programs for a layer: the fastest of W0_BLOCK_CANDIDATES by `predict` (the
 * cycle model's replay), tried in ascending order and stopped after two in a row that do not
 * beat the best (the total is close to unimodal in the block: too small a block starves compute
 * of features, too large one of tiles). Ties go to the smaller block.
 */
export function chooseW0Block(predict: (block: number) => number, maxBlock: number): W0BlockChoice {
  const predicted: Record<number, number> = {};
  let best = 0;
  let worse = 0;
  for (const g of W0_BLOCK_CANDIDATES) {
    if (g > maxBlock) break;
    const c = predict(g);
    predicted[g] = c;
    if (g === 0 || c < predicted[best]!) { best = g; worse = 0; } else if (++worse >= 2) break;
  }
  return { block: best, predicted };
}
