// Map-free downsampling (spec.mapping.mapFreeDownsample, templates/mapping/map_downsample.v.hbs):
// for conv k = s = 2 the downsampler emits each input point's map entry while it merges, in the
// lane of its kernel index, gated by the feature stream; the output coordinates stream out while
// they are still being counted. Bit-exact under backpressure (several cin / cout tiles, tensor
// strides, batches, negative coordinates, one class holding every point, a bank overflowing), and
// the mapping really is the downsampler alone (no merge).
import { describe, expect, it } from 'vitest';
import { presets } from '../../generator/dsl/presets.ts';
import type { AcceleratorSpec } from '../../generator/dsl/spec.ts';
import { bunnyCase, oneClass, randomCase } from './cases.ts';
import { ACCEL_TIMEOUT_MS, expectBitExact } from './run.ts';

const spec = presets.fpga;

describe('map-free conv k = s = 2 (fpga preset)', () => {
  it('is enabled on the fpga preset', () => {
    expect(spec.mapping.mapFreeDownsample).toBe(true);
  });

  it('bunny 16→16 without stalls: the map costs the downsampler only and overlaps compute', async () => {
    const c = bunnyCase(spec, { voxel: 0.25, type: 'conv', k: 2, s: 2, cin: 16, cout: 16, requant: true, relu: true });
    const r = await expectBitExact(spec, c, 'mapfree-bunny');
    const s = r.stats;
    expect(s.mapSchedule).toEqual({ map: 'map-free' });
    // The merge path needs ≈ 2.5 cycles per input point; the downsampler alone one (plus the
    // wait for the first features behind the weights).
    expect(s.cycles.mapping).toBeLessThan(s.pointsIn + 300);
    expect(s.utilisation).toBeGreaterThan(0.5);
  }, ACCEL_TIMEOUT_MS);

  it('random clouds: 3 batches, 20→20 (two cin and cout tiles), tensor strides 1 and 4, backpressure 0.3', async () => {
    for (const [i, o] of [
      { ts: 1, batches: 3, cin: 20, cout: 20, seed: 71 },
      { ts: 4, batches: 1, cin: 5, cout: 9, seed: 72 },
    ].entries()) {
      const c = randomCase(spec, { type: 'conv', k: 2, s: 2, n: 400, span: 6, requant: true, relu: i === 0, ...o });
      await expectBitExact(spec, c, `mapfree-rnd${i}`, { stall: 0.3, seed: 7 + i });
    }
  }, ACCEL_TIMEOUT_MS);

  it('one point; every point in one kernel index (one lane); that lane overflowing its bank (tiles split)', async () => {
    const one = randomCase(spec, { type: 'conv', k: 2, s: 2, n: 1, span: 3, cin: 3, cout: 4, seed: 73 });
    await expectBitExact(spec, one, 'mapfree-one', { stall: 0.2, seed: 3 });
    const single = oneClass(randomCase(spec, { type: 'conv', k: 2, s: 2, n: 300, span: 5, cin: 4, cout: 4, seed: 74 }));
    await expectBitExact(spec, single, 'mapfree-oneclass', { stall: 0.2, seed: 4 });
    // A bank holds mapDepth / lanes entries: with a 64-entry map buffer (8 per bank) one kernel
    // index overflows it, the hardware raises MAP_OVERFLOW and the driver splits the tile.
    const small: AcceleratorSpec = { ...spec, name: 'sf_mapfree_small', buffers: { ...spec.buffers, mapDepth: 64 } };
    const r = await expectBitExact(small, oneClass(randomCase(small, { type: 'conv', k: 2, s: 2, n: 24, span: 4, cin: 3, cout: 3, seed: 75 })), 'mapfree-overflow', { stall: 0.2, seed: 5, mapEstimate: false });
    expect(r.stats.tiles).toBeGreaterThan(1);
  }, ACCEL_TIMEOUT_MS);
});
