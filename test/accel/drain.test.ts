// The accumulator drain port (spec.gatherScatter.drainPort, templates/top/accel_drain.v.hbs): conv
// and transposed layers send finished accumulator words to post-processing through a second
// accumulator copy while the next cout tile computes, instead of a drain pass of zero rows through
// the matrix unit; a written-this-layer flag per word replaces the zero write-back. Bit-exact on the
// bunny with several cout tiles under random backpressure on every stream (the output stream now
// stalls the drain, not compute), tiled layers back to back (the previous layer's words must read as
// zero), no drain rows in the matrix unit, and the cycle model within 2 %. The flags are layer-epoch
// tags in block RAM: a small epoch (drainEpochBits 2) wraps every 3 layers (a tag sweep first). On map-free conv layers the
// scheduler also marks progress inside a cout tile, so words drain before the tile's last row.
import { describe, expect, it } from 'vitest';
import { presets } from '../../generator/dsl/presets.ts';
import { flagSweepCycles, predictCycles } from '../../generator/model/cycle-model.ts';
import { cycleModelRuns } from '../../generator/model/cycle-model-runs.ts';
import { layerStats } from '../../generator/model/stats.ts';
import { bunnyCase, widthsOf } from './cases.ts';
import { MAX_ERROR } from './cycle-model-cases.ts';
import { ACCEL_TIMEOUT_MS, expectBitExact } from './run.ts';

const spec = presets.fpga;

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
    const extra = w.stats.cycles.endToEnd - b.stats.cycles.endToEnd;
    expect(Math.abs(extra - predicted) / predicted, `sweep cycles: predicted ${predicted}, measured ${extra}`).toBeLessThanOrEqual(MAX_ERROR);
  }, 2 * ACCEL_TIMEOUT_MS);

  it('map-free conv 16→16 (one cout tile), no stalls: words drain before the last row (progress marks)', async () => {
    const c = bunnyCase(spec, { voxel: 0.25, type: 'conv', k: 2, s: 2, cin: 16, cout: 16, requant: true, relu: true });
    const r = await expectBitExact(spec, c, 'drain-marks', { stall: 0 });
    const nOut = r.stats.pointsOut;
    // Without marks the whole tile (N_out words, one per cycle) drains after the last row.
    expect(r.stats.cycles.tail).toBeLessThan(nOut - 150);
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
