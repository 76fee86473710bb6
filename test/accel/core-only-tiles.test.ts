// Core-only tiles on the fpga RTL (model/tiles.ts Tile.coreOnly, model/tile-choice.ts): a tiled
// 3×3×3 submanifold layer whose tiles run as stride-1 transposed layers over their cores with the
// kernel mirrored, as the network runner does where the cycle model predicts it faster:
//  - bit-exact with the golden layer under random AXI backpressure on the bunny (5 tiles);
//  - the matrix unit's rows (PERF compute) equal the compute bound (the halo plan's exceed it by
//    the halo outputs' rows: +11 % here), and the cycle model is within 2 % of co-simulation;
//  - the network runner's 'auto' choice on a plate with many channel tiles picks core-only and
//    stays bit-exact.
//  - tiny: a georeferenced cloud (two dense 5×5×5 blocks 1,000 voxels apart, 8·10⁵ voxels from
//    the origin) too wide for the 8-bit coordinates as a whole: core-only tiles, each re-based on
//    its own (model/tiles.ts rebaseTiles), whose maps (13³ = 2,197 entries: every offset, no
//    mirror) overflow the 2,048-entry bank the planner was told not to estimate: MAP_OVERFLOW,
//    split (splitTile), re-based and rerun, still core-only — through the single-layer driver (as
//    `sim` runs it) and the batch driver (as the network runner does), bit-exact, rows = bound;
//    core-only tiles forced on a tiled conv layer are refused by name (`sim --tiling core`).
// Mutations: the host without the kernel mirror (tileHw) → mismatches; a core-only tile run as the
// layer (coreOnly ignored in tileHw) → OUT_POINTS differs from the host's count; a core-only tile's
// outputs not moved by its re-basing (tileHw) and the halves of a split re-based tile not re-based
// (splitTile) → the host refuses a coordinate outside mapping.coordWidth; the halves of a split
// core-only tile planned as halo tiles (splitTile's lim) → not core-only, rows above the bound.
import { describe, expect, it } from 'vitest';
import { presets } from '../../generator/dsl/presets.ts';
import { formatComparison } from '../../generator/io/layer-result.ts';
import { predictCycles } from '../../generator/model/cycle-model.ts';
import { layerStats } from '../../generator/model/stats.ts';
import type { Coord, LayerCase } from '../../generator/model/types.ts';
import { runAccelBatch } from '../../generator/sim/accel/batch.ts';
import { runAccelCase } from '../../generator/sim/accel/driver.ts';
import { bunnyCase, randomCase } from './cases.ts';
import { ACCEL_TIMEOUT_MS, expectBitExact } from './run.ts';

const spec = presets.fpga;

describe('core-only tiles on the fpga preset', () => {
  it('bunny 32→32 in 600-point tiles: bit-exact under backpressure; rows = bound; cycle model within 2 %', async () => {
    const c = bunnyCase(spec, { voxel: 0.25, type: 'submanifold', k: 3, cin: 32, cout: 32, requant: true, relu: true, seed: 3 });
    const layers = [{ name: 'sub', case: c }];
    const stalled = await runAccelBatch(spec, layers, { name: 'core-only-stall', tiling: 'core', maxTilePoints: 600, stall: 0.3, seed: 17 });
    const s = stalled.layers[0]!;
    expect(s.comparison.count, `${formatComparison(s.comparison)}\nreproduce: ${stalled.run.command}`).toBe(0);
    expect(s.tiles.length).toBeGreaterThan(2);
    expect(s.tiles.every((t) => t.coreOnly === true)).toBe(true);
    expect(s.tiling.plan).toBe('core');

    const r = await runAccelBatch(spec, layers, { name: 'core-only', tiling: 'core', maxTilePoints: 600 });
    const l = r.layers[0]!;
    expect(l.comparison.count).toBe(0);
    const bound = layerStats(c).mapEntries * 2 * 2;
    expect(l.stats.computeBound).toBe(bound);
    expect(l.stats.cycles.compute).toBe(bound);
    const model = predictCycles(spec, layerStats(c), { ...c.layer, requant: true, bias: c.bias !== undefined, runs: l.runs });
    expect(model.compute).toBe(bound);
    expect(Math.abs(model.total / l.stats.cycles.total - 1)).toBeLessThan(0.02);
    // The same tiles computing every streamed point: more rows than the bound (model replay).
    const halo = predictCycles(spec, layerStats(c), { ...c.layer, requant: true, bias: c.bias !== undefined, runs: l.runs.map((x) => ({ ...x, coreOnly: false, outCoords: x.inCoords })) });
    expect(halo.compute).toBeGreaterThan(1.05 * bound);
  }, ACCEL_TIMEOUT_MS);

  it('auto on a 22×22×2 plate, 96→48: the cycle model picks core-only, bit-exact', async () => {
    const base = randomCase(spec, { type: 'submanifold', k: 3, cin: 96, cout: 48, n: 4, seed: 9, requant: true });
    const coords: Coord[] = [];
    for (let x = 0; x < 22; x++) for (let y = 0; y < 22; y++) for (let z = 0; z < 2; z++) coords.push([0, x, y, z]);
    const c: LayerCase = { ...base, input: { coords, features: coords.map((_, i) => Array.from({ length: 96 }, (_, j) => ((i * 37 + j * 11) % 255) - 127)) } };
    const r = await runAccelBatch(spec, [{ name: 'plate', case: c }], { name: 'core-only-auto', stall: 0.1, seed: 3 });
    const l = r.layers[0]!;
    expect(l.comparison.count, `${formatComparison(l.comparison)}\nreproduce: ${r.run.command}`).toBe(0);
    expect(l.tiles.length).toBeGreaterThan(1);
    expect(l.tiling).toMatchObject({ plan: 'core', chosenBy: 'cycle model' });
    expect(l.tiling.predicted.core!).toBeLessThan(l.tiling.predicted.halo!);
    expect(l.stats.cycles.compute).toBe(l.stats.computeBound);
  }, ACCEL_TIMEOUT_MS);
});

describe('core-only tiles on the tiny preset: per-tile re-basing and the MAP_OVERFLOW retry', () => {
  const tiny = presets.tiny;
  const FAR = 800_000;
  const base = randomCase(tiny, { type: 'submanifold', k: 3, cin: 2, cout: 3, n: 1, span: 1, seed: 14, requant: true });
  const coords: Coord[] = [];
  for (const x0 of [0, 1000]) for (let x = 0; x < 5; x++) for (let y = 0; y < 5; y++) for (let z = 0; z < 5; z++) coords.push([0, FAR + x0 + x, -FAR + y, FAR + z]);
  const c: LayerCase = { ...base, input: { coords, features: coords.map((p, i) => [((i * 37) % 255) - 127, (p[3] % 7) - 3]) } };
  const expectPlan = (tiles: { coreOnly?: boolean; rebase?: unknown }[], stats: { computeBound: number; cycles: { compute: number; drainRows: number } }) => {
    expect(tiles.length).toBeGreaterThanOrEqual(4);
    expect(tiles.every((t) => t.coreOnly === true && t.rebase !== undefined)).toBe(true);
    // Tiny has no drain port: a core-only tile (a transposed run) adds a drain pass; the rest are the bound's rows.
    expect(stats.cycles.drainRows).toBe(coords.length);
    expect(stats.cycles.compute - stats.cycles.drainRows).toBe(stats.computeBound);
  };

  it('single-layer driver (as `sim`), under backpressure: bit-exact after the splits', async () => {
    const r = await expectBitExact(tiny, c, 'core-only-rebase-retry', { tiling: 'core', mapEstimate: false, stall: 0.2, seed: 3 });
    expect(r.retries).toBe(2);
    expect(r.stats.tiling).toEqual({ plan: 'core', chosenBy: 'forced', predicted: {} });
    expectPlan(r.tiles, r.stats);
  }, ACCEL_TIMEOUT_MS);

  it('core-only tiles forced on a tiled layer that cannot have them: refused by name, not run in halo tiles', async () => {
    const conv = randomCase(tiny, { type: 'conv', k: 3, s: 2, cin: 2, cout: 3, n: 200, span: 4, seed: 15 });
    await expect(runAccelCase(tiny, conv, { tiling: 'core', maxTilePoints: 60 })).rejects.toThrow(/^tiling: core-only tiles asked for, but they need an odd-k \(k ≥ 3\) submanifold layer .*this is conv k=3/);
  });

  it('batch driver (as the network runner): bit-exact after the splits', async () => {
    const r = await runAccelBatch(tiny, [{ name: 'far', case: c }], { name: 'core-only-rebase-retry-batch', tiling: 'core', mapEstimate: false });
    const l = r.layers[0]!;
    expect(l.comparison.count, `${formatComparison(l.comparison)}\nreproduce: ${r.run.command}`).toBe(0);
    expect(r.retries).toBe(2);
    expect(l.tiling.plan).toBe('core');
    expectPlan(l.tiles, l.stats);
  }, ACCEL_TIMEOUT_MS);
});
