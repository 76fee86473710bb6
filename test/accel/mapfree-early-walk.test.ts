// Map-free conv walk during the coordinate load (spec.mapping.mapFreeEarlyWalk, on in the fpga preset;
// templates/partials/map_downsample_pipe.hbs "Early walk", accel_sched / accel_mapbuf ew_*): the
// downsampler's class lists still grow while the merge walks them; a parent is taken once an input
// of a later (batch, x-slab pair) has arrived or the load has ended; the map runs ahead of the
// features and the scheduler passes chunks of ewChunkEntries bank entries once the chunk's last
// entry's features are in. The shared fpga build (the preset: the knob and the sections output, the
// combination that meets issue 13's 0.85; docs/accelerator.md).
// Covered here: bit-exact under random backpressure on the bunny and on small clouds with several
// x-slab pairs, batch boundaries, tensor stride 4, two points and one class holding every point;
// utilisation ≥ 0.85 on the bunny 16→16 (0.605 with the walk after the load) and the cycle model
// within 0.5 % (exact when measured: 3,875). The map buffer's capacity edge (a bank overflowing:
// MAP_OVERFLOW, the tile split) was checked bit-exact on this spec with mapDepth 64 when the knob
// was built (test/accel/mapfree.test.ts's case); it is not in CI, as it needs its own build.
// Mutations run against this file (when the knob was built, on this spec); each turned it red:
//  - slab comparison off by one (hs_lt `<` → `<=`): OUT_POINTS 943 / 325, expected 939 / 324;
//  - the out-of-sight gate dropped (ew_ok without ~|unc): OUT_POINTS 940 / 335;
//  - a class's tail fetched while the load lasts (rf_tail forced 0): OUT_POINTS 721, expected 939;
//  - the scheduler's chunk feature check dropped (ew_cut without ewfin_q < f_loaded_i): no
//    mismatch (the gather waits row by row) but utilisation 0.41;
//  - the chunk-end table written at the chunk's first entry instead of its last: utilisation 0.66;
//  - a pass two chunks long (ewlen_q = 2·chunk − low): accumulator mismatch;
//  - the knob off: the walk after the load, utilisation 0.605.
import { describe, expect, it } from 'vitest';
import { presets } from '../../generator/dsl/presets.ts';
import type { AcceleratorSpec } from '../../generator/dsl/spec.ts';
import { cycleModelRuns } from '../../generator/model/cycle-model-runs.ts';
import { predictCycles } from '../../generator/model/cycle-model.ts';
import { layerStats } from '../../generator/model/stats.ts';
import { bunnyCase, oneClass, randomCase, widthsOf } from './cases.ts';
import { ACCEL_TIMEOUT_MS, expectBitExact } from './run.ts';

const spec: AcceleratorSpec = presets.fpga;

describe('map-free conv walk during the coordinate load (mapping.mapFreeEarlyWalk, fpga)', () => {
  it('is on in the fpga preset, with the sections output (presets.ts says why)', () => {
    expect(spec.mapping.mapFreeEarlyWalk).toBe(true);
    expect(spec.interfaces.outputOrder).toBe('sections');
  });

  it('bunny 16→16: utilisation ≥ 0.85 without stalls, the cycle model within 0.5 %, bit-exact under backpressure', async () => {
    const c = bunnyCase(spec, { voxel: 0.25, type: 'conv', k: 2, s: 2, cin: 16, cout: 16, requant: true, relu: true });
    const r = await expectBitExact(spec, c, 'ew-bunny', { stall: 0, seed: 1 });
    expect(r.stats.utilisation).toBeGreaterThanOrEqual(0.85);
    const { runs } = cycleModelRuns(spec, c);
    const p = predictCycles(spec, layerStats(c, widthsOf(spec)), { ...c.layer, requant: true, bias: c.bias !== undefined, runs });
    expect(Math.abs(p.total - r.stats.cycles.total) / r.stats.cycles.total, `model ${p.total}, measured ${r.stats.cycles.total}`).toBeLessThanOrEqual(0.005);
    await expectBitExact(spec, c, 'ew-bunny-bp', { stall: 0.2, seed: 11 });
  }, ACCEL_TIMEOUT_MS);

  it('small clouds: x-slab pairs, batch boundaries, tensor stride 4, two points, one class; backpressure 0.3', async () => {
    for (const [i, o] of [
      { ts: 1, batches: 3, cin: 20, cout: 20, n: 400, span: 6, seed: 81 },
      { ts: 4, batches: 2, cin: 5, cout: 9, n: 200, span: 9, seed: 82 },
      { ts: 1, batches: 2, cin: 3, cout: 4, n: 2, span: 3, seed: 83 },
    ].entries()) {
      const c = randomCase(spec, { type: 'conv', k: 2, s: 2, requant: true, relu: i === 0, ...o });
      await expectBitExact(spec, c, `ew-rnd${i}`, { stall: 0.3, seed: 20 + i });
    }
    await expectBitExact(spec, oneClass(randomCase(spec, { type: 'conv', k: 2, s: 2, n: 300, span: 5, batches: 2, cin: 4, cout: 4, seed: 84 })), 'ew-oneclass', { stall: 0.2, seed: 24 });
  }, ACCEL_TIMEOUT_MS);
});
