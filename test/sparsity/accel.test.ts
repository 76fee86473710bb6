// N:M weight sparsity on the complete accelerator (DESIGN.md §7): 2:4 and 1:4 at the tiny array
// size and 2:4 and 1:4 at the fpga size, pruned layers of every type whose channel counts are not
// multiples of M × rows, under random backpressure, bit-exact against the golden model; the named
// refusal of a layer that is not N:M sparse, and the padded dense fallback at dense speed.
import { describe, expect, it } from 'vitest';
import { presets } from '../../generator/dsl/presets.ts';
import { findNmViolation, parseNmPattern, runLayer, type LayerCase } from '../../generator/model/index.ts';
import { runAccelCase } from '../../generator/sim/accel/driver.ts';
import { pruneCase } from '../../generator/prune/prune.ts';
import { bunnyCase, randomCase, type CaseOptions } from '../accel/cases.ts';
import { ACCEL_TIMEOUT_MS, expectBitExact } from '../accel/run.ts';
import { fpga1of4, tiny1of4, tiny1of4Narrow, tiny2of4 } from './specs.ts';
import type { AcceleratorSpec } from '../../generator/dsl/spec.ts';

function pruned(spec: AcceleratorSpec, o: CaseOptions): LayerCase {
  const c = pruneCase(randomCase(spec, o), parseNmPattern(spec.matrix.weightSparsity)).case;
  expect(findNmViolation(c.weights, parseNmPattern(spec.matrix.weightSparsity))).toBeUndefined();
  return c;
}

describe.each([
  ['2:4', tiny2of4],
  ['1:4', tiny1of4],
] as const)('tiny %s', (pattern, spec) => {
  it(`submanifold k=3, conv k=2 s=2, transposed k=2 s=2, channels not multiples of M·rows, backpressure 0.3`, async () => {
    // 2:4: a pass covers 8 channels (M·rows = 16); 1:4: 16 channels.
    const sub = pruned(spec, { type: 'submanifold', k: 3, cin: 19, cout: 6, n: 90, span: 3, requant: true, relu: true, seed: 41 });
    const r = await expectBitExact(spec, sub, `${spec.name}-sub3`, { stall: 0.3, seed: 41 });
    expect(r.stats.computeBound).toBe(r.stats.mapEntries * Math.ceil(19 / (pattern === '2:4' ? 8 : 16)) * 2);
    const conv = pruned(spec, { type: 'conv', k: 2, s: 2, cin: 13, cout: 5, n: 160, span: 5, seed: 42 });
    await expectBitExact(spec, conv, `${spec.name}-conv2`, { stall: 0.3, seed: 42 });
    const tr = pruned(spec, { type: 'transposed', k: 2, s: 2, cin: 7, cout: 9, n: 120, span: 4, requant: true, seed: 43 });
    await expectBitExact(spec, tr, `${spec.name}-trans2`, { stall: 0.3, seed: 43 });
  }, ACCEL_TIMEOUT_MS);
});

describe('tiny 1:4, maxChannels 4 (a pass wider than every layer)', () => {
  it('submanifold k=3 3→4 requant + ReLU and transposed k=2 s=2 4→3, backpressure 0.3', async () => {
    const spec = tiny1of4Narrow;
    // One cin tile of 16 channels: the tile count (Cin + 15) >> 4 needs 5 bits for Cin ≤ 4.
    const sub = pruned(spec, { type: 'submanifold', k: 3, cin: 3, cout: 4, n: 30, span: 3, requant: true, relu: true, seed: 53 });
    const r = await expectBitExact(spec, sub, `${spec.name}-sub3`, { stall: 0.3, seed: 53 });
    expect(r.stats.computeBound).toBe(r.stats.mapEntries * 1 * 1);
    const tr = pruned(spec, { type: 'transposed', k: 2, s: 2, cin: 4, cout: 3, n: 20, span: 3, requant: true, seed: 54 });
    await expectBitExact(spec, tr, `${spec.name}-trans2`, { stall: 0.3, seed: 54 });
  }, ACCEL_TIMEOUT_MS);
});

describe('tiny 2:4: tiling, refusal and dense layers', () => {
  it('a cloud larger than the buffers (tiles), 7 → 4 channels', async () => {
    const c = pruneCase(bunnyCase(tiny2of4, { voxel: 0.5, type: 'submanifold', k: 3, cin: 7, cout: 4, requant: true }), { n: 2, m: 4 }).case;
    const r = await expectBitExact(tiny2of4, c, 'tiny2of4-bunny-tiled', { stall: 0.1, seed: 44 });
    expect(r.stats.tiles).toBeGreaterThan(1);
  }, ACCEL_TIMEOUT_MS);

  it('refuses a layer that is not 2:4 sparse, naming the first offending kernel index, group and output channel', async () => {
    const c = pruned(tiny2of4, { type: 'submanifold', k: 3, cin: 9, cout: 3, n: 30, span: 2, seed: 45 });
    // Kernel index 4, channels 4…7 (group 1), output channel 2: three non-zeros.
    c.weights[4]![4]![2] = 1;
    c.weights[4]![5]![2] = 2;
    c.weights[4]![6]![2] = 3;
    c.weights[4]![7]![2] = 0;
    await expect(runAccelCase(tiny2of4, c)).rejects.toThrow(
      'weights[4]: weights are not 2:4 sparse: kernel index 4, input-channel group 1 (channels 4…7), output channel 2 has 3 non-zero weights (at most 2); sf_tiny_2of4 has matrix.weightSparsity 2:4',
    );
  });

  it("runs a dense layer padded (denseLayers: 'pad') at the speed of the dense array", async () => {
    const c = randomCase(tiny2of4, { type: 'submanifold', k: 3, cin: 6, cout: 5, n: 100, span: 3, requant: true, seed: 46 });
    expect(findNmViolation(c.weights, { n: 2, m: 4 })).toBeDefined();
    const r = await expectBitExact(tiny2of4, c, 'tiny2of4-dense-padded', { denseLayers: 'pad', stall: 0.2, seed: 46 });
    expect(r.golden).toEqual(runLayer(c).result);
    // Dense tiny (4 rows) needs ceil(6/4) = 2 input tiles, and so does the padded layer (8 virtual channels per pass).
    expect(r.stats.computeBound).toBe(r.stats.mapEntries * 2 * 2);
  }, ACCEL_TIMEOUT_MS);
});

describe('fpga-2of4 (16×16, 32 channels per pass)', () => {
  const spec = presets['fpga-2of4'];
  it('bunny submanifold k=3 40→20, conv k=2 s=2 and transposed k=2 s=2, backpressure 0.2', async () => {
    const sub = pruneCase(bunnyCase(spec, { voxel: 0.8, type: 'submanifold', k: 3, cin: 40, cout: 20, requant: true, relu: true }), { n: 2, m: 4 }).case;
    await expectBitExact(spec, sub, 'fpga2of4-sub3', { stall: 0.2, seed: 47 });
    const conv = pruneCase(bunnyCase(spec, { voxel: 0.8, type: 'conv', k: 2, s: 2, cin: 35, cout: 17 }), { n: 2, m: 4 }).case;
    await expectBitExact(spec, conv, 'fpga2of4-conv2', { stall: 0.2, seed: 48 });
    const tr = pruneCase(bunnyCase(spec, { voxel: 0.8, type: 'transposed', k: 2, s: 2, cin: 18, cout: 33, requant: true }), { n: 2, m: 4 }).case;
    await expectBitExact(spec, tr, 'fpga2of4-trans2', { stall: 0.2, seed: 49 });
  }, ACCEL_TIMEOUT_MS);
});

describe('fpga 1:4 (16×16, 64 channels per pass)', () => {
  it('bunny submanifold k=3 70→20, conv k=2 s=2 and transposed k=2 s=2, backpressure 0.2', async () => {
    const spec = fpga1of4;
    const sub = pruneCase(bunnyCase(spec, { voxel: 0.8, type: 'submanifold', k: 3, cin: 70, cout: 20, requant: true, relu: true }), { n: 1, m: 4 }).case;
    await expectBitExact(spec, sub, 'fpga1of4-sub3', { stall: 0.2, seed: 50 });
    const conv = pruneCase(bunnyCase(spec, { voxel: 0.8, type: 'conv', k: 2, s: 2, cin: 67, cout: 17 }), { n: 1, m: 4 }).case;
    await expectBitExact(spec, conv, 'fpga1of4-conv2', { stall: 0.2, seed: 51 });
    const tr = pruneCase(bunnyCase(spec, { voxel: 0.8, type: 'transposed', k: 2, s: 2, cin: 66, cout: 33, requant: true }), { n: 1, m: 4 }).case;
    await expectBitExact(spec, tr, 'fpga1of4-trans2', { stall: 0.2, seed: 52 });
  }, ACCEL_TIMEOUT_MS);
});
