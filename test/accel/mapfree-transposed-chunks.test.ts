// Map-free transposed k = s = 2, the last cin-tile pair's chunked passes (accel_sched mtCut) and
// their progress marks, on a cloud built so that both are visible in the output stream (fpga, the
// cached build, no stalls):
//  - 8 banks (one per kernel index), each holding exactly 64 = 2 chunks of entries, so every
//    bank's first pass sits on the chunk-cut comparator's equality (a whole chunk follows the
//    chunk's end: av + low = 2·chunk);
//  - bank 7 (the last one the walk visits) owns outputs 0…32: its first chunk ends at output 31
//    and its next entry is output 32; every other bank's first chunk ends beyond output 32.
// The chunk rule (computed here in TypeScript from the map, independently of the RTL) then gives
// 16 passes of 32 entries, bank after bank, and a first progress mark — posted once every bank
// has issued its first pass — with limit min over banks of (first pass's last output + 1) = 32.
// The drain reads the words below that limit as soon as the first round's passes are done, and
// the next word (output 32, in bank 7's second pass, 8 passes later) only after the next mark, so
// the output words leave in a first burst of exactly 32, then a gap.
// Mutations tried by hand (each fails this file):
//  - the chunk-cut comparator strict (accel_sched `{1'b0, av_q} >= cutthr_q` → `>`): no bank is
//    cut, no mark inside the pair, all 512 words leave in one burst after the last row (the
//    bunny cases of mapfree-transposed.test.ts stay green: a cut one chunk later costs < 2 %);
//  - a chunk's mark one output too high (accel_sched `cko_q <= ck_out_i + 1`, or accel_mapbuf's
//    chunk-end table written with the entry's output + 1): the first mark's limit is 33, so output 32 is drained
//    before bank 7's second pass adds the last cin tile to it (mismatch at point 32, and a first
//    burst of 33 words).
import { describe, expect, it } from 'vitest';
import { presets } from '../../generator/dsl/presets.ts';
import { mtChunkEntries } from '../../generator/model/cycle-model-replay.ts';
import { compareCoords } from '../../generator/model/tensor.ts';
import type { Coord, LayerCase } from '../../generator/model/types.ts';
import { canonicalLayer } from '../../generator/sim/accel/driver.ts';
import { randomCase } from './cases.ts';
import { ACCEL_TIMEOUT_MS, expectBitExact } from './run.ts';

const spec = presets.fpga;
const CHUNK = mtChunkEntries(spec.matrix.rows, spec.buffers.mapDepth / spec.mapping.lanes);

/** The outputs (tensor stride 1): kernel index ix + 2·iy + 4·iz = the output's offset from its parent. */
function chunkCloud(): Coord[] {
  const pts: Coord[] = [];
  const grid = (x: number, iy: number, iz: number, na: number, nb: number, skip?: (a: number, b: number) => boolean) => {
    for (let a = 0; a < na; a++) for (let b = 0; b < nb; b++) if (!skip?.(a, b)) pts.push([0, x, 2 * a + iy, 2 * b + iz]);
  };
  // Kernel index 7 (odd x, y, z): outputs 0…32 (x = 1), then 31 more at x = 3.
  grid(1, 1, 1, 4, 8);
  pts.push([0, 1, 9, 1]);
  grid(3, 1, 1, 4, 8, (a, b) => a === 3 && b === 7);
  // Kernel indices 0, 2, 4, 6 (even x) at x = 2 and 1, 3, 5 (odd x) at x = 3: 64 each.
  for (const [iy, iz] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) grid(2, iy, iz, 8, 8);
  for (const [iy, iz] of [[0, 0], [1, 0], [0, 1]] as const) grid(3, iy, iz, 8, 8);
  return pts.sort(compareCoords);
}

/**
 * The scheduler's chunk rule in the last cin-tile pair of a map-free transposed layer (docs: the
 * header of templates/top/accel_sched.v.hbs): banks in walk order 0, 1, …; at each visit a bank
 * with entries left passes from its pointer s0 either to the next multiple of the chunk, when a
 * whole chunk follows that end (s0 + avail ≥ (⌊s0/chunk⌋ + 2)·chunk), or to its run's end.
 * `strict` is the mutated comparator (>). Returns the passes in issue order.
 */
function lastPairPasses(banks: number[][], chunk: number, strict = false): { bank: number; from: number; to: number; lastOut: number }[] {
  const ptr = banks.map(() => 0);
  const out: { bank: number; from: number; to: number; lastOut: number }[] = [];
  while (banks.some((b, i) => ptr[i]! < b.length)) {
    banks.forEach((b, i) => {
      const s0 = ptr[i]!;
      if (s0 >= b.length) return;
      const lim = (Math.floor(s0 / chunk) + 2) * chunk;
      const cut = strict ? b.length > lim : b.length >= lim;
      const e1 = cut ? (Math.floor(s0 / chunk) + 1) * chunk : b.length;
      out.push({ bank: i, from: s0, to: e1, lastOut: b[e1 - 1]! });
      ptr[i] = e1;
    });
  }
  return out;
}

/**
 * The first progress mark's limit: once every bank with entries has issued its first pass, each
 * bank bounds the outputs it may still contribute to by its last issued output + 1 (N_out when it
 * has nothing left); the limit is the minimum, a mark only when it is below N_out.
 */
function firstMarkLimit(banks: number[][], passes: ReturnType<typeof lastPairPasses>, nOut: number): number {
  const used = banks.filter((b) => b.length > 0).length;
  let w = nOut;
  for (const p of passes.slice(0, used)) w = Math.min(w, p.to === banks[p.bank]!.length ? nOut : p.lastOut + 1);
  return w;
}

describe('map-free transposed: chunked last-pair passes and their marks (fpga)', () => {
  it('a first mark at the chunk rule\'s limit: the first burst of drained words is exactly the words below it; bit-exact with and without backpressure', async () => {
    const c: LayerCase = randomCase(spec, { type: 'transposed', k: 2, s: 2, cin: 20, cout: 12, n: 0, seed: 5, requant: true, cloud: chunkCloud() });
    // Two cin tiles (the chunks are cut in the second), one cout tile.
    expect([Math.ceil(20 / spec.matrix.rows), Math.ceil(12 / spec.matrix.cols)]).toEqual([2, 1]);
    // The map, from the coordinates: output q's bank is its kernel index (its offset from the parent).
    const lay = canonicalLayer(c);
    const parents = new Set(lay.inCoords.map((p) => p.join(',')));
    const banks: number[][] = Array.from({ length: 8 }, () => []);
    lay.outCoords.forEach((q, i) => {
      const par: Coord = [q[0], q[1] - (q[1] & 1), q[2] - (q[2] & 1), q[3] - (q[3] & 1)];
      expect(parents.has(par.join(','))).toBe(true);
      banks[(q[1] & 1) + 2 * (q[2] & 1) + 4 * (q[3] & 1)]!.push(i);
    });
    const nOut = lay.outCoords.length;
    expect(CHUNK).toBe(32);
    expect(banks.map((b) => b.length)).toEqual(new Array(8).fill(2 * CHUNK));
    const passes = lastPairPasses(banks, CHUNK);
    expect(passes.map((p) => p.to - p.from)).toEqual(new Array(16).fill(CHUNK));
    const limit = firstMarkLimit(banks, passes, nOut);
    expect(limit).toBe(32);
    expect(banks[7]![CHUNK]).toBe(limit); // the next word is bank 7's, in its second pass
    // The strict comparator would pass every bank whole: 8 passes and no mark inside the pair.
    const strict = lastPairPasses(banks, CHUNK, true);
    expect(strict).toHaveLength(8);
    expect(firstMarkLimit(banks, strict, nOut)).toBe(nOut);

    const r = await expectBitExact(spec, c, 'mt-chunks', { featuresOnly: true, passGrouping: 'bank' });
    expect(r.stats.mapSchedule).toEqual({ map: 'map-free' });
    expect(r.tiles).toHaveLength(1);
    // One coordinate beat and one 128-bit word beat per output.
    const out = r.run.outputs.out!;
    expect(out).toHaveLength(2 * nOut);
    const words = out.slice(nOut).map((b) => b.cycle);
    // Bursts: consecutive words at most a few cycles apart (the drain reads one word per cycle).
    let first = 1;
    while (first < nOut && words[first]! - words[first - 1]! <= 4) first++;
    expect(first, `first burst of drained words; word cycles ${words.slice(0, 40).join(' ')} …`).toBe(limit);
    // The next word waits for bank 7's second pass, 8 passes of 32 rows after its first.
    expect(words[limit]! - words[limit - 1]!).toBeGreaterThan(4 * CHUNK);

    await expectBitExact(spec, c, 'mt-chunks-bp', { featuresOnly: true, passGrouping: 'bank', stall: 0.3, seed: 31 });
  }, ACCEL_TIMEOUT_MS);
});
