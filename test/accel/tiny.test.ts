// The complete accelerator on the `tiny` preset (4×4 matrix unit, 256-entry buffers, one mapping
// lane): every layer type, channel tiling, requantization with and without ReLU and raw
// accumulators, tensor strides 2 and 4, several batches, clouds larger than the buffers (tiled,
// also where x-columns are too dense for x-slabs)
// and random backpressure on every stream — bit-exact against the golden model. One Verilator
// build serves every case.
import { beforeAll, describe, expect, it } from 'vitest';
import { presets } from '../../generator/dsl/presets.ts';
import type { Coord } from '../../generator/model/types.ts';
import { buildAccel } from '../../generator/sim/accel/rtl.ts';
import { bunnyCase, denseBlockCase, randomCase, wideCase } from './cases.ts';
import { ACCEL_TIMEOUT_MS, expectBitExact } from './run.ts';

const spec = presets.tiny;

describe('accelerator co-simulation: tiny', () => {
  beforeAll(async () => {
    await buildAccel(spec);
  }, ACCEL_TIMEOUT_MS);

  it('submanifold k=3, 3→5, raw accumulators', async () => {
    const c = randomCase(spec, { type: 'submanifold', k: 3, cin: 3, cout: 5, n: 120, span: 3, seed: 1 });
    const r = await expectBitExact(spec, c, 'tiny-sub3-3to5');
    expect(r.stats.tiles).toBe(1);
    expect(r.stats.mapEntries).toBeGreaterThan(3 * r.stats.pointsIn);
  });

  it('submanifold k=3, 17→33 (5×9 channel tiles), requant + ReLU, backpressure 0.3', async () => {
    const c = randomCase(spec, { type: 'submanifold', k: 3, cin: 17, cout: 33, n: 40, span: 3, requant: true, relu: true, seed: 2 });
    const r = await expectBitExact(spec, c, 'tiny-sub3-17to33', { stall: 0.3, seed: 2 });
    expect(r.stats.tiles).toBeGreaterThan(1);
  });

  it('submanifold k=1 (the identity pass only), a slow input stream: the gather holds each row until its feature word has been loaded', async () => {
    // k = 1 maps at once, so the identity pass starts while the features still stream in; no run
    // gates it in the scheduler, only the gather's loaded check (gidx < f_loaded − fbase).
    const c = randomCase(spec, { type: 'submanifold', k: 1, cin: 4, cout: 4, n: 60, span: 4, seed: 11 });
    await expectBitExact(spec, c, 'tiny-sub1-slow-in', { stallPorts: { in: 0.8, out: 0.1, axil: 0 }, seed: 11 });
  });
  it('conv k=2 s=2, requant without ReLU, backpressure 0.3', async () => {
    const c = randomCase(spec, { type: 'conv', k: 2, s: 2, cin: 4, cout: 6, n: 200, span: 5, requant: true, seed: 3 });
    await expectBitExact(spec, c, 'tiny-conv2', { stall: 0.3, seed: 3 });
  });

  it('conv k=3 s=2, raw accumulators, 3 batches', async () => {
    const c = randomCase(spec, { type: 'conv', k: 3, s: 2, cin: 5, cout: 3, n: 180, span: 4, batches: 3, seed: 4 });
    await expectBitExact(spec, c, 'tiny-conv3');
  });

  it('transposed k=2 s=2, requant + ReLU, backpressure 0.3', async () => {
    const c = randomCase(spec, { type: 'transposed', k: 2, s: 2, cin: 6, cout: 4, n: 160, span: 4, requant: true, relu: true, seed: 5 });
    await expectBitExact(spec, c, 'tiny-trans2', { stall: 0.3, seed: 5 });
  });

  it('tensor stride 2: submanifold k=3 and transposed k=2 s=2 onto ts 2', async () => {
    const sub = randomCase(spec, { type: 'submanifold', k: 3, ts: 2, cin: 4, cout: 4, n: 150, span: 4, requant: true, seed: 6 });
    await expectBitExact(spec, sub, 'tiny-sub3-ts2', { stall: 0.2, seed: 6 });
    const tr = randomCase(spec, { type: 'transposed', k: 2, s: 2, ts: 2, cin: 3, cout: 5, n: 120, span: 4, seed: 7 });
    expect(tr.layer.inTensorStride).toBe(4);
    await expectBitExact(spec, tr, 'tiny-trans2-ts2');
  });

  it('tensor stride 4: conv k=2 s=2 (output ts 8) and submanifold k=3', async () => {
    const conv = randomCase(spec, { type: 'conv', k: 2, s: 2, ts: 4, cin: 4, cout: 4, n: 200, span: 5, requant: true, relu: true, seed: 8 });
    await expectBitExact(spec, conv, 'tiny-conv2-ts4', { stall: 0.2, seed: 8 });
    const sub = randomCase(spec, { type: 'submanifold', k: 3, ts: 4, cin: 2, cout: 7, n: 120, span: 3, seed: 9 });
    await expectBitExact(spec, sub, 'tiny-sub3-ts4');
  });

  it('no bias; requantization only', async () => {
    const c = randomCase(spec, { type: 'submanifold', k: 3, cin: 4, cout: 4, n: 150, span: 4, requant: true, bias: false, seed: 10 });
    await expectBitExact(spec, c, 'tiny-nobias');
  });

  it('a cloud larger than the buffers: the bunny (939 points) in tiles, backpressure 0.2', async () => {
    const c = bunnyCase(spec, { voxel: 0.5, type: 'submanifold', k: 3, cin: 4, cout: 4, requant: true, relu: true });
    expect(c.input.coords.length).toBeGreaterThan(3 * spec.buffers.coordDepth);
    const r = await expectBitExact(spec, c, 'tiny-bunny-tiled', { stall: 0.2, seed: 11 });
    expect(r.stats.tiles).toBeGreaterThanOrEqual(4);
    // The cores cover every output point once.
    const owned = r.tiles.flatMap((t) => t.outRows).sort((a, b) => a - b);
    expect(owned).toEqual(Array.from({ length: r.stats.pointsOut }, (_, q) => q));
  });

  it('tiled conv k=3 s=2 and transposed k=2 s=2 on the bunny', async () => {
    const conv = bunnyCase(spec, { voxel: 0.5, type: 'conv', k: 3, s: 2, cin: 3, cout: 5, requant: true });
    const rc = await expectBitExact(spec, conv, 'tiny-bunny-conv3', { stall: 0.1, seed: 12 });
    expect(rc.stats.tiles).toBeGreaterThan(1);
    const tr = bunnyCase(spec, { voxel: 0.5, type: 'transposed', k: 2, s: 2, cin: 5, cout: 3 });
    const rt = await expectBitExact(spec, tr, 'tiny-bunny-trans2');
    expect(rt.stats.tiles).toBeGreaterThan(1);
  });

  it('x-columns denser than the buffers: the bunny (voxel 0.25) cut in y and z, every layer type, backpressure 0.2', async () => {
    // 8 → 8: 2 cin and 2 cout tiles, so a tile holds ≤ 128 points; x-slabs could not tile this cloud
    // (a 3-column neighbourhood of one x-column holds more), boxes can.
    const sub = bunnyCase(spec, { voxel: 0.25, type: 'submanifold', k: 3, cin: 8, cout: 8, requant: true, relu: true });
    const xs = sub.input.coords.map((p) => p[1]);
    const perX = new Map<number, number>();
    for (const x of xs) perX.set(x, (perX.get(x) ?? 0) + 1);
    const slab = Math.max(...xs.map((x) => (perX.get(x - 1) ?? 0) + perX.get(x)! + (perX.get(x + 1) ?? 0)));
    expect(slab).toBeGreaterThan(spec.buffers.featureDepth / 2);
    const r = await expectBitExact(spec, sub, 'tiny-bunny-yz', { stall: 0.2, seed: 15 });
    // Some x-column's outputs are owned by more than one tile: a y or z cut.
    const owners = new Map<number, Set<number>>();
    const outs = r.result.coords;
    r.tiles.forEach((t, k) => t.outRows.forEach((q) => owners.set(outs[q]![1], (owners.get(outs[q]![1]) ?? new Set()).add(k))));
    expect([...owners.values()].some((s) => s.size > 1)).toBe(true);
    expect(r.stats.cycles.compute / r.stats.computeBound).toBeLessThan(1.5);
    const conv = bunnyCase(spec, { voxel: 0.25, type: 'conv', k: 2, s: 2, cin: 8, cout: 8, requant: true });
    expect((await expectBitExact(spec, conv, 'tiny-bunny-yz-conv', { stall: 0.2, seed: 16 })).stats.tiles).toBeGreaterThan(1);
    const tr = bunnyCase(spec, { voxel: 0.25, type: 'transposed', k: 2, s: 2, cin: 8, cout: 8 });
    expect((await expectBitExact(spec, tr, 'tiny-bunny-yz-trans', { stall: 0.2, seed: 17 })).stats.tiles).toBeGreaterThan(1);
  });

  it('one neighbourhood × the cout tiles over the accumulator buffer: output channels split into groups, requant + ReLU, backpressure 0.3', async () => {
    // A dense 5×5×5 block, 3 → 40: an inner point needs 27 · 10 = 270 accumulator words > 256, so no
    // box plan exists; two groups of 20 channels (27 · 5 = 135 words) run as separate layer runs.
    const c = denseBlockCase(spec, { side: 5, cin: 3, cout: 40, seed: 21, requant: true, relu: true });
    const r = await expectBitExact(spec, c, 'tiny-cout-groups', { stall: 0.3, seed: 21 });
    const groups = [...new Set(r.tiles.map((t) => JSON.stringify(t.outChannels)))];
    expect(groups).toEqual([JSON.stringify([0, 20]), JSON.stringify([20, 40])]);
    // Each group's cores own every output once.
    for (const g of groups) {
      const owned = r.tiles.filter((t) => JSON.stringify(t.outChannels) === g).flatMap((t) => t.outRows).sort((a, b) => a - b);
      expect(owned).toEqual(Array.from({ length: r.stats.pointsOut }, (_, q) => q));
    }
  });

  it('a cloud wider than the 8-bit coordinates even re-based: cut into tiles, each re-based on its own (submanifold, conv k=2 s=2 at ts 2), backpressure 0.3', async () => {
    // Four copies of a small cloud 160 voxels apart: x spans ≈ 490 (ts 1) / 980 (ts 2) > 256.
    const sub = wideCase(spec, { type: 'submanifold', k: 3, cin: 3, cout: 5, n: 40, span: 3, seed: 22, requant: true, relu: true, copies: 4, gap: 160 });
    const xs = sub.input.coords.map((p) => p[1]);
    expect(Math.max(...xs) - Math.min(...xs)).toBeGreaterThan(2 ** spec.mapping.coordWidth);
    const rs = await expectBitExact(spec, sub, 'tiny-wide-sub', { stall: 0.3, seed: 22 });
    expect(rs.stats.tiles).toBeGreaterThan(1);
    // Every tile moved by its own translation; at least two different ones.
    expect(new Set(rs.tiles.map((t) => JSON.stringify([...t.rebase!.shifts]))).size).toBeGreaterThan(1);
    const conv = wideCase(spec, { type: 'conv', k: 2, s: 2, ts: 2, cin: 4, cout: 4, n: 40, span: 3, seed: 23, requant: true, copies: 4, gap: 80 });
    const rc = await expectBitExact(spec, conv, 'tiny-wide-conv', { stall: 0.3, seed: 23 });
    expect(rc.stats.tiles).toBeGreaterThan(1);
    for (const t of rc.tiles) for (const s of t.rebase!.shifts.values()) for (const v of s) expect(Math.abs(v % 4)).toBe(0);
  });

  it('a map-buffer overflow the planner did not foresee: MAP_OVERFLOW, split, rerun', async () => {
    // A dense 7×7×5 block (245 points): ≈ 2,300 stored map entries > the 2,048-entry bank.
    const base = randomCase(spec, { type: 'submanifold', k: 3, cin: 2, cout: 3, n: 1, span: 1, seed: 14 });
    const coords: Coord[] = [];
    for (let x = 0; x < 7; x++) for (let y = 0; y < 7; y++) for (let z = 0; z < 5; z++) coords.push([0, x, y, z]);
    const c = { ...base, input: { coords, features: coords.map((p) => [p[1] - p[2], p[3] + 1]) } };
    const r = await expectBitExact(spec, c, 'tiny-map-overflow', { mapEstimate: false });
    expect(r.retries).toBeGreaterThan(0);
    expect(r.stats.tiles).toBeGreaterThan(1);
  });

  it('forced small tiles give the same result', async () => {
    const c = randomCase(spec, { type: 'submanifold', k: 3, cin: 3, cout: 3, n: 200, span: 4, requant: true, seed: 13 });
    const r = await expectBitExact(spec, c, 'tiny-forced-tiles', { maxTilePoints: 100 });
    expect(r.stats.tiles).toBeGreaterThanOrEqual(3);
  });
}, ACCEL_TIMEOUT_MS);
