// The accumulator drain port (spec.gatherScatter.drainPort, templates/top/accel_drain.v.hbs): conv
// and transposed layers send finished accumulator words to post-processing through a second
// accumulator copy while the next cout tile computes, instead of a drain pass of zero rows through
// the matrix unit; a written-this-layer flag per word replaces the zero write-back. Bit-exact on the
// bunny with several cout tiles under random backpressure on every stream (the output stream now
// stalls the drain, not compute), tiled layers back to back (the previous layer's words must read as
// zero), no drain rows in the matrix unit, and the cycle model within 2 %. The flags are layer-epoch
// tags in block RAM: a small epoch (drainEpochBits 2) wraps every 3 layers (a tag sweep first). On map-free conv layers the
// scheduler also marks progress inside a cout tile, so words drain before the tile's last row.
// Mutations caught by data (not only by a cycle count): a bank bound one output too high after a
// pass (accel_sched pass_bnd + 1: the lagging-bank case), a frontier one too high (the tiled case),
// a START taken without the epoch wrap sweep (accel_ctrl: the large/small/large batch).
import { describe, expect, it } from 'vitest';
import { presets } from '../../generator/dsl/presets.ts';
import { flagSweepCycles, predictCycles } from '../../generator/model/cycle-model.ts';
import { cycleModelRuns } from '../../generator/model/cycle-model-runs.ts';
import { layerStats } from '../../generator/model/stats.ts';
import { calibrateRequant } from '../../generator/io/case-builder.ts';
import { Prng } from '../../generator/io/prng.ts';
import type { Coord, LayerCase } from '../../generator/model/types.ts';
import { runAccelBatch, type BatchLayer } from '../../generator/sim/accel/batch.ts';
import { formatComparison } from '../../generator/io/layer-result.ts';
import { bunnyCase, randomCase, widthsOf } from './cases.ts';
import { MAX_ERROR } from './cycle-model-cases.ts';
import { ACCEL_TIMEOUT_MS, expectBitExact } from './run.ts';

const spec = presets.fpga;

/**
 * Conv k2s2 whose kernel-index-0 bank lags: a line of `line` points at offset (0,0,0) (consecutive
 * outputs 0 … line−1, each with one entry, all in that bank), then a side³ block at offset (1,1,1)
 * only (every later output's one entry in bank 7). Bank 0's first pass (≥ chunkMin entries) ends at
 * some output M while its entry for M+1 is already on the way; the rest of its run (< chunkMin
 * entries) waits until the map is done, while bank 7's passes push the frontier far ahead. So
 * bank 0's bound (M+1) is the minimum for most of the layer, and a bound one too high drains word
 * M+1 before its only entry is issued (it reads as zero).
 */
function laggingBankCase(line: number, side: number, seed: number): LayerCase {
  const w = widthsOf(spec);
  const base = randomCase(spec, { type: 'conv', k: 2, s: 2, cin: 16, cout: 16, n: 1, span: 1, seed });
  const coords: Coord[] = [];
  for (let i = 0; i < line; i++) coords.push([0, 0, 0, 2 * i]);
  for (let a = 0; a < side; a++) for (let b = 0; b < side; b++) for (let c = 0; c < side; c++) coords.push([0, 3 + 2 * a, 2 * b + 1, 2 * c + 1]);
  const r = new Prng(seed * 31 + 5);
  const hi = 2 ** (w.inWidth - 1) - 1;
  const c: LayerCase = { ...base, input: { coords, features: coords.map(() => r.ints(16, -hi - 1, hi)) } };
  c.requant = calibrateRequant(c, false, w);
  return c;
}

describe('accumulator drain port (fpga preset)', () => {
  it('is on for fpga, off for edge', () => {
    expect(spec.gatherScatter.drainPort).toBe(true);
    expect(presets.edge.gatherScatter.drainPort).toBe(false);
  });

  it('bunny 16→40 (3 cout tiles), backpressure 0.3: conv, transposed, submanifold k=2 drained; k=3 final pass', async () => {
    for (const [i, [type, k, s, cin]] of ([['conv', 2, 2, 16], ['conv', 2, 2, 20], ['transposed', 2, 2, 16], ['submanifold', 2, 1, 16], ['submanifold', 3, 1, 16]] as const).entries()) {
      // conv 20→40: two cin tiles, so progress marks come in the second pair of each cout tile only.
      const c = bunnyCase(spec, { voxel: 0.5, type, k, s, cin, cout: 40, requant: i !== 3, relu: i === 0 });
      const r = await expectBitExact(spec, c, `drain-${type}-k${k}`, { stall: 0.3, seed: 11 + i });
      // No drain rows: the matrix unit takes the map entries only (expectBitExact checks rows = bound + drainRows).
      expect(r.stats.cycles.drainRows).toBe(0);
    }
  }, ACCEL_TIMEOUT_MS);

  it('tiled conv 16→40 (layers back to back: words of the previous tile read as zero), backpressure 0.2', async () => {
    const c = bunnyCase(spec, { voxel: 0.5, type: 'conv', k: 2, s: 2, cin: 16, cout: 40, requant: true });
    const r = await expectBitExact(spec, c, 'drain-tiled', { stall: 0.2, seed: 21, maxTilePoints: 150 });
    expect(r.stats.tiles).toBeGreaterThan(2);
  }, ACCEL_TIMEOUT_MS);

  it('epoch wrap (drainEpochBits 2: a tag sweep before every 4th START): tiled conv bit-exact across wraps, backpressure 0.2; the sweeps cost flagSweepCycles', async () => {
    // Tags are 2-bit layer epochs 1…3: a wrong compare, or a START taken without the wrap sweep,
    // lets the words an earlier layer wrote read as written (the scatter adds onto stale sums).
    const small = { ...spec, gatherScatter: { ...spec.gatherScatter, drainEpochBits: 2 } };
    const c = bunnyCase(spec, { voxel: 0.5, type: 'conv', k: 2, s: 2, cin: 16, cout: 40, requant: false });
    const r = await expectBitExact(small, c, 'drain-wrap', { stall: 0.2, seed: 31, maxTilePoints: 150 });
    expect(r.stats.hwLayers).toBeGreaterThanOrEqual(7);
    // Without stalls, against the 8-bit preset (no wrap in so few layers): the same START-to-DONE
    // cycles, and the harness waits for the sweeps before its STARTs are taken.
    const w = await expectBitExact(small, c, 'drain-wrap-cycles', { stall: 0, maxTilePoints: 150 });
    const b = await expectBitExact(spec, c, 'drain-wrap-base', { stall: 0, maxTilePoints: 150 });
    expect(w.stats.cycles.total).toBe(b.stats.cycles.total);
    let predicted = 0;
    for (let j = 0; j < w.stats.hwLayers; j++) {
      predicted += flagSweepCycles(small, j);
      expect(flagSweepCycles(spec, j)).toBe(0);
    }
    expect(predicted).toBeGreaterThanOrEqual(2 * spec.buffers.accumulatorDepth);
    // The host driver reports the same prediction.
    expect([w.stats.sweepCycles, b.stats.sweepCycles]).toEqual([predicted, 0]);
    const extra = w.stats.cycles.endToEnd - b.stats.cycles.endToEnd;
    expect(Math.abs(extra - predicted) / predicted, `sweep cycles: predicted ${predicted}, measured ${extra}`).toBeLessThanOrEqual(MAX_ERROR);
  }, 2 * ACCEL_TIMEOUT_MS);

  it('epoch wrap by data: a large layer, three small ones, a large one (drainEpochBits 2), backpressure 0.2', async () => {
    // The fifth START reuses the first layer's epoch (1 after the wrap sweep before the fourth).
    // The small layers write only the lowest words, so without the sweep the fifth layer finds the
    // first layer's words tagged with its own epoch and adds onto their stale sums.
    const small = { ...spec, gatherScatter: { ...spec.gatherScatter, drainEpochBits: 2 } };
    const big = (seed: number) => bunnyCase(spec, { voxel: 0.5, type: 'conv', k: 2, s: 2, cin: 16, cout: 16, requant: true, seed });
    const tinyLayer = (seed: number) => randomCase(spec, { type: 'conv', k: 2, s: 2, cin: 16, cout: 16, n: 12, span: 3, seed, requant: true });
    const layers: BatchLayer[] = [big(1), tinyLayer(2), tinyLayer(3), tinyLayer(4), big(5)].map((c, i) => ({ name: `l${i}`, case: c }));
    const r = await runAccelBatch(small, layers, { name: 'drain-wrap-data', stall: 0.2, seed: 41 });
    for (const l of r.layers) expect(l.comparison.count, `${l.name}: ${formatComparison(l.comparison)}\nreproduce: ${r.run.command}`).toBe(0);
    expect(r.layers.map((l) => l.tiles.length)).toEqual([1, 1, 1, 1, 1]);
    expect(r.layers[4]!.stats.pointsOut).toBeGreaterThan(4 * r.layers[1]!.stats.pointsOut);
  }, ACCEL_TIMEOUT_MS);

  it('map-free conv 16→16 (one cout tile), no stalls: words drain before the last row (progress marks)', async () => {
    const c = bunnyCase(spec, { voxel: 0.25, type: 'conv', k: 2, s: 2, cin: 16, cout: 16, requant: true, relu: true });
    const r = await expectBitExact(spec, c, 'drain-marks', { stall: 0 });
    const nOut = r.stats.pointsOut;
    // Without marks the whole tile (N_out words, one per cycle) drains after the last row.
    expect(r.stats.cycles.tail).toBeLessThan(nOut - 150);
  }, ACCEL_TIMEOUT_MS);

  it('progress marks: a lagging bank keeps the drain one word short of its pending entry (map-free conv, no stalls)', async () => {
    // Without stalls the map outruns the features by little, so bank 0's first pass cuts its run
    // of consecutive outputs. A bank bound one too high after a pass (pass_bnd = max out + 2 in
    // accel_sched) drains that bank's next output before its entry: a data mismatch (bunny cases
    // catch it only by chance of timing). A frontier one too high is caught by the tiled case.
    for (const seed of [1, 2]) {
      const c = laggingBankCase(48, 7, seed);
      const r = await expectBitExact(spec, c, `drain-lag-${seed}`, { stall: 0, seed });
      expect(r.stats.tiles).toBe(1);
      expect(r.stats.cycles.drainRows).toBe(0);
    }
  }, ACCEL_TIMEOUT_MS);

  it('no stalls: earlier cout tiles drain while the next computes; the cycle model within 2 %', async () => {
    for (const type of ['conv', 'transposed'] as const) {
      const c = bunnyCase(spec, { voxel: 0.5, type, k: 2, s: 2, cin: 16, cout: 48, requant: true, relu: true });
      const r = await expectBitExact(spec, c, `drain-model-${type}`, { stall: 0 });
      const nOut = r.stats.pointsOut;
      // Only the last of the 3 cout tiles drains after the last row (one word per cycle).
      expect(r.stats.cycles.tail).toBeLessThan(nOut + 40);
      const { runs } = cycleModelRuns(spec, c, {});
      const p = predictCycles(spec, layerStats(c, widthsOf(spec)), { ...c.layer, requant: true, bias: c.bias !== undefined, runs });
      expect(p.compute).toBe(r.stats.cycles.compute);
      const err = (p.total - r.stats.cycles.total) / r.stats.cycles.total;
      expect(Math.abs(err), `${type}: predicted ${p.total}, measured ${r.stats.cycles.total}`).toBeLessThanOrEqual(MAX_ERROR);
    }
  }, ACCEL_TIMEOUT_MS);
});
