// The complete accelerator on the `fpga` (16×16, two mapping lanes) and `edge` (8×8) presets and
// on a random valid spec with three lanes, no scatter forwarding and small buffers: the bunny
// workloads of the issue (submanifold k = 3 and 5, conv, transposed, 17→33 and 64→64 channels on
// 16×16), bit-exact against the golden model, several with random backpressure.
import { describe, expect, it } from 'vitest';
import { presets } from '../../generator/dsl/presets.ts';
import { randomValidSpec } from '../../generator/dsl/random.ts';
import { bunnyCase, randomCase } from './cases.ts';
import { ACCEL_TIMEOUT_MS, expectBitExact } from './run.ts';

describe('accelerator co-simulation: fpga', () => {
  const spec = presets.fpga;

  it('bunny (voxel 0.25, 1,790 points) submanifold k=3, 16→16, requant + ReLU: the README job', async () => {
    const c = bunnyCase(spec, { voxel: 0.25, type: 'submanifold', k: 3, cin: 16, cout: 16, requant: true, relu: true });
    const r = await expectBitExact(spec, c, 'fpga-bunny-sub3');
    expect(r.stats.pointsIn).toBe(1790);
    expect(r.stats.mapEntries).toBe(10036);
    expect(r.stats.tiles).toBe(1);
  }, ACCEL_TIMEOUT_MS);

  it('bunny submanifold k=5, 17→33 channels (2×3 tiles), backpressure 0.3', async () => {
    const c = bunnyCase(spec, { voxel: 0.8, type: 'submanifold', k: 5, cin: 17, cout: 33, requant: true });
    await expectBitExact(spec, c, 'fpga-bunny-sub5', { stall: 0.3, seed: 21 });
  }, ACCEL_TIMEOUT_MS);

  it('bunny submanifold k=3, 64→64 channels (4×4 tiles on 16×16), raw accumulators', async () => {
    const c = bunnyCase(spec, { voxel: 0.8, type: 'submanifold', k: 3, cin: 64, cout: 64 });
    const r = await expectBitExact(spec, c, 'fpga-bunny-64');
    expect(r.stats.cycles.compute).toBe(16 * r.stats.mapEntries);
  }, ACCEL_TIMEOUT_MS);

  it('bunny conv k=2 s=2 and k=3 s=2, transposed k=2 s=2, backpressure 0.2', async () => {
    for (const [i, o] of [
      { type: 'conv', k: 2, s: 2, cin: 16, cout: 32, requant: true, relu: true },
      { type: 'conv', k: 3, s: 2, cin: 3, cout: 5 },
      { type: 'transposed', k: 2, s: 2, cin: 32, cout: 16, requant: true },
    ].entries()) {
      const c = bunnyCase(spec, { voxel: 0.5, ...(o as { type: 'conv'; k: number; s: number; cin: number; cout: number }) });
      await expectBitExact(spec, c, `fpga-bunny-${o.type}${o.k}`, { stall: 0.2, seed: 30 + i });
    }
  }, ACCEL_TIMEOUT_MS);
});

describe('accelerator co-simulation: edge', () => {
  const spec = presets.edge;
  it('bunny submanifold k=3, 8→24, requant, and conv k=2 s=2 from tensor stride 2', async () => {
    const sub = bunnyCase(spec, { voxel: 0.6, type: 'submanifold', k: 3, cin: 8, cout: 24, requant: true, relu: true });
    await expectBitExact(spec, sub, 'edge-bunny-sub3', { stall: 0.25, seed: 41 });
    const conv = bunnyCase(spec, { voxel: 0.6, type: 'conv', k: 2, s: 2, ts: 2, cin: 5, cout: 9 });
    await expectBitExact(spec, conv, 'edge-bunny-conv2-ts2');
  }, ACCEL_TIMEOUT_MS);

  // The edge knobs (mapping.overlapLoad, segmentMajor, both pass-grouping policies): the transposed
  // merge reads output coordinates while they load, and offset-grouped passes (the host's pick is
  // `bank` on these small cases) are forced once, under backpressure.
  it('bunny transposed k=2 s=2 8→16 (merge during the load) and submanifold k=3 offset-grouped, backpressure 0.25', async () => {
    expect([spec.mapping.overlapLoad, spec.mapping.segmentMajor, spec.gatherScatter.passGrouping]).toEqual([true, true, ['bank', 'offset']]);
    const tr = bunnyCase(spec, { voxel: 0.6, type: 'transposed', k: 2, s: 2, cin: 8, cout: 16, requant: true });
    await expectBitExact(spec, tr, 'edge-bunny-trans2', { stall: 0.25, seed: 42 });
    const sub = bunnyCase(spec, { voxel: 0.8, type: 'submanifold', k: 3, cin: 8, cout: 16, requant: true, relu: true });
    const r = await expectBitExact(spec, sub, 'edge-bunny-sub3-offset', { stall: 0.25, seed: 43, passGrouping: 'offset' });
    expect(r.stats.passGrouping.policy).toBe('offset');
  }, ACCEL_TIMEOUT_MS);
});

describe('accelerator co-simulation: random spec 35 (3 lanes, no forwarding, 64-word feature buffer)', () => {
  const spec = randomValidSpec(35);

  it('is the configuration this test means', () => {
    expect(spec.mapping.lanes).toBe(3);
    expect(spec.gatherScatter.scatterForwarding).toBe(false);
    expect(spec.buffers.featureDepth).toBe(64);
    expect(spec.postprocess.requant).toBe(false);
  });

  it('submanifold k=5 and k=3, conv k=3 s=2, transposed k=2 s=2, tiled, backpressure 0.3', async () => {
    const cases = [
      randomCase(spec, { type: 'submanifold', k: 5, cin: 3, cout: 5, n: 110, span: 7, seed: 51 }),
      randomCase(spec, { type: 'submanifold', k: 3, cin: 7, cout: 6, n: 200, span: 7, batches: 2, seed: 52 }),
      randomCase(spec, { type: 'conv', k: 3, s: 2, cin: 4, cout: 4, n: 200, span: 7, seed: 53 }),
      randomCase(spec, { type: 'transposed', k: 2, s: 2, cin: 5, cout: 3, n: 200, span: 7, seed: 54 }),
    ];
    let tiled = 0;
    for (const [i, c] of cases.entries()) {
      const r = await expectBitExact(spec, c, `rnd35-${i}`, { stall: 0.3, seed: 55 + i });
      if (r.stats.tiles > 1) tiled++;
    }
    expect(tiled).toBeGreaterThan(0);
  }, ACCEL_TIMEOUT_MS);
});
