// Core-only tiles on the fpga RTL (model/tiles.ts Tile.coreOnly, model/tile-choice.ts): a tiled
// 3×3×3 submanifold layer whose tiles run as stride-1 transposed layers over their cores with the
// kernel mirrored, as the network runner does where the cycle model predicts it faster:
//  - bit-exact with the golden layer under random AXI backpressure on the bunny (5 tiles);
//  - the matrix unit's rows (PERF compute) equal the compute bound (the halo plan's exceed it by
//    the halo outputs' rows: +11 % here), and the cycle model is within 2 % of co-simulation;
//  - the network runner's 'auto' choice on a plate with many channel tiles picks core-only and
//    stays bit-exact.
// Mutations: the host without the kernel mirror (tileHw) → mismatches; a core-only tile run as the
// layer (coreOnly ignored in tileHw) → OUT_POINTS differs from the host's count.
import { describe, expect, it } from 'vitest';
import { presets } from '../../generator/dsl/presets.ts';
import { formatComparison } from '../../generator/io/layer-result.ts';
import { predictCycles } from '../../generator/model/cycle-model.ts';
import { layerStats } from '../../generator/model/stats.ts';
import type { Coord, LayerCase } from '../../generator/model/types.ts';
import { runAccelBatch } from '../../generator/sim/accel/batch.ts';
import { bunnyCase, randomCase } from './cases.ts';
import { ACCEL_TIMEOUT_MS } from './run.ts';

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
