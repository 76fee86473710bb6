// Core-only tiles (model/tiles.ts Tile.coreOnly) and the host's per-layer tiling choice
// (model/tile-choice.ts), without the RTL:
//  - a core-only tile run through the golden model as the stride-1 transposed layer the host
//    programs (outputs = the core, kernel mirrored) gives exactly the submanifold layer's outputs
//    at the core (random clouds, tensor strides 1 and 2, k = 3 and 5, random capacities);
//  - the cores own every output once, every tile fits its capacities as that transposed layer,
//    and the tiles' map entries sum to the layer's: rows = compute bound (a halo plan's exceed it);
//  - the choice: the cycle model's faster plan, 'halo' / 'core' when forced, k = 1 never core-only.
// test/accel/core-only-tiles.test.ts runs core-only tiles on the fpga RTL.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { presets } from '../../generator/dsl/presets.ts';
import { bunnyPoints } from '../../generator/io/bunny.ts';
import { buildTensor } from '../../generator/io/tensor-builder.ts';
import { toCoords } from '../../generator/model/coord-columns.ts';
import { planCoords } from '../../generator/model/layer-plan.ts';
import { runLayer } from '../../generator/model/layer.ts';
import { layerStats } from '../../generator/model/stats.ts';
import { compareCoords } from '../../generator/model/tensor.ts';
import { chooseTiling, predictTiles } from '../../generator/model/tile-choice.ts';
import { coreOnlyAllowed, coreOnlyLayer, mirrorKernel, planTiles, tileInputs, TilingError, type Tile, type TileLayer, type TileLimits } from '../../generator/model/tiles.ts';
import type { LayerCase } from '../../generator/model/types.ts';
import { int, randomCloud, rng, signedInt } from './prng.ts';

interface Drawn { k: number; ts: number; n: number; extent: number; cin: number; cout: number; seed: number }

function makeCase(d: Drawn): { c: LayerCase; lay: TileLayer } {
  const r = rng(d.seed);
  const coords = randomCloud(r, d.n, { batches: 1 + (d.seed % 2), extent: d.extent, ts: d.ts }).sort(compareCoords);
  const kv = d.k ** 3;
  const c: LayerCase = {
    layer: { type: 'submanifold', kernelSize: d.k, stride: 1, inTensorStride: d.ts, inChannels: d.cin, outChannels: d.cout },
    input: { coords, features: coords.map(() => Array.from({ length: d.cin }, () => signedInt(r, 8))) },
    weights: Array.from({ length: kv }, () => Array.from({ length: d.cin }, () => Array.from({ length: d.cout }, () => signedInt(r, 8)))),
    bias: Array.from({ length: d.cout }, () => int(r, -1000, 1000)),
  };
  const p = planCoords(c);
  return { c, lay: { layer: c.layer, inCoords: toCoords(p.inCols), outCoords: toCoords(p.outCols) } };
}

/** The hardware run of a core-only tile as a layer case: stride-1 transposed, outputs = the core, kernel mirrored. */
function tileCase(c: LayerCase, lay: TileLayer, t: Tile): LayerCase {
  const rows = t.inRows;
  return {
    layer: coreOnlyLayer(c.layer),
    input: { coords: tileInputs(lay.inCoords, t), features: rows.map((i) => c.input.features[i]!) },
    weights: mirrorKernel(c.weights),
    outputCoords: t.hwOut,
    ...(c.bias ? { bias: c.bias } : {}),
  };
}

const drawnArb = fc.record({
  k: fc.constantFrom(3, 3, 5),
  ts: fc.constantFrom(1, 2),
  n: fc.integer({ min: 12, max: 140 }),
  extent: fc.integer({ min: 2, max: 6 }),
  cin: fc.integer({ min: 1, max: 6 }),
  cout: fc.integer({ min: 1, max: 6 }),
  seed: fc.integer({ min: 1, max: 1 << 30 }),
});

describe('core-only tiles (model/tiles.ts coreOnly)', () => {
  it('each tile, run as the stride-1 transposed layer over its core with the kernel mirrored, gives the layer\'s outputs; cores partition the outputs; rows = bound', () => {
    let tiled = 0;
    fc.assert(
      fc.property(
        drawnArb,
        fc.record({
          coordDepth: fc.integer({ min: 16, max: 120 }),
          featureDepth: fc.integer({ min: 16, max: 240 }),
          accumulatorDepth: fc.integer({ min: 16, max: 240 }),
          bankDepth: fc.integer({ min: 64, max: 600 }),
          lanes: fc.constantFrom(1, 2, 8),
          rows: fc.constantFrom(2, 4),
          cols: fc.constantFrom(2, 4),
        }),
        (d, lim0) => {
          const { c, lay } = makeCase(d);
          const lim: TileLimits = { ...lim0, coreOnly: true };
          let tiles: Tile[];
          try {
            tiles = planTiles(lay, lim);
          } catch (e) {
            expect(e).toBeInstanceOf(TilingError);
            return;
          }
          const whole = runLayer(c).result;
          if (tiles.length === 1) {
            // The whole layer fits: it runs as itself.
            expect(tiles[0]!.coreOnly).toBeUndefined();
            return;
          }
          tiled++;
          const owner = new Int32Array(lay.outCoords.length).fill(-1);
          let entries = 0;
          let haloEntries = 0;
          const ti = Math.ceil(d.cin / lim.rows);
          const to = Math.ceil(d.cout / lim.cols);
          tiles.forEach((t, k) => {
            expect(t.coreOnly).toBe(true);
            expect(t.hwOut).toEqual(t.outRows.map((q) => lay.outCoords[q]));
            expect(t.coreAt).toEqual(t.outRows.map((_, i) => i));
            const nIn = t.inRows.length;
            expect(nIn).toBeLessThanOrEqual(lim.coordDepth);
            expect(nIn * ti).toBeLessThanOrEqual(lim.featureDepth);
            expect(t.hwOut.length * to).toBeLessThanOrEqual(lim.accumulatorDepth);
            const tc = tileCase(c, lay, t);
            const got = runLayer(tc).result;
            expect(got.coords).toEqual(t.hwOut);
            t.outRows.forEach((q, i) => {
              expect(owner[q], `output ${q} owned twice`).toBe(-1);
              owner[q] = k;
              expect(got.accumulators[i], `tile ${k}, output ${q}`).toEqual(whole.accumulators[q]);
            });
            entries += layerStats(tc).mapEntries;
            // The same tile as the layer itself (every streamed point an output).
            const tin = tileInputs(lay.inCoords, t);
            haloEntries += layerStats({ ...c, input: { coords: tin, features: tin.map(() => new Array<number>(d.cin).fill(0)) } }).mapEntries;
          });
          expect(owner.every((o) => o >= 0)).toBe(true);
          const bound = layerStats(c).mapEntries;
          expect(entries).toBe(bound);
          expect(haloEntries).toBeGreaterThanOrEqual(bound);
        },
      ),
      { seed: 1313, numRuns: 80 },
    );
    expect(tiled).toBeGreaterThan(30);
  });

  it('without the kernel mirror the tile computes a different sum (the mirror is needed)', () => {
    // One asymmetric neighbourhood: a point with a neighbour at +x only.
    const { c, lay } = makeCase({ k: 3, ts: 1, n: 60, extent: 3, cin: 2, cout: 2, seed: 7 });
    const tiles = planTiles(lay, { coordDepth: 24, featureDepth: 1000, accumulatorDepth: 1000, bankDepth: 1000, lanes: 1, rows: 4, cols: 4, coreOnly: true });
    expect(tiles.length).toBeGreaterThan(1);
    const whole = runLayer(c).result;
    const t = tiles[0]!;
    const plain = runLayer({ ...tileCase(c, lay, t), weights: c.weights }).result;
    expect(t.outRows.some((q, i) => plain.accumulators[i]!.some((v, o) => v !== whole.accumulators[q]![o]))).toBe(true);
  });
});

describe('tiling choice (model/tile-choice.ts)', () => {
  const spec = presets.fpga;
  // A dense 24×24 two-layer plate (a road surface): 1,152 points, 96 channels → 6 cin tiles, 682 points per tile.
  const plate = (cin: number, cout: number) => {
    const coords = [];
    for (let x = 0; x < 24; x++) for (let y = 0; y < 24; y++) for (let z = 0; z < 2; z++) coords.push([0, x, y, z] as [number, number, number, number]);
    return { layer: { type: 'submanifold' as const, kernelSize: 3, stride: 1, inTensorStride: 1, inChannels: cin, outChannels: cout }, inCoords: coords, outCoords: coords };
  };
  const lim = { coordDepth: 4096, featureDepth: 4096, accumulatorDepth: 4096, bankDepth: 32768 / 8, lanes: 8, rows: 16, cols: 16 };
  const post = { bias: true, requant: true };

  it('many channel tiles: core-only (no halo rows) is predicted faster and chosen; forced plans are honoured', () => {
    const t = plate(96, 96);
    const ch = chooseTiling(spec, t, lim, post);
    expect(ch.chosenBy).toBe('cycle model');
    expect(ch.plan).toBe('core');
    expect(ch.predicted.core!).toBeLessThan(ch.predicted.halo!);
    expect(ch.tiles.every((x) => x.coreOnly)).toBe(true);
    expect(ch.predicted.core).toBe(predictTiles(spec, t, ch.tiles, post));
    const halo = chooseTiling(spec, t, lim, post, 'halo');
    expect(halo.plan).toBe('halo');
    expect(halo.tiles.some((x) => x.coreOnly)).toBe(false);
    expect(chooseTiling(spec, t, lim, post, 'core').plan).toBe('core');
  });

  it('two channel tiles each way on the bunny in 600-point tiles: the mapping is not hidden and halo tiles are chosen', () => {
    // (fpga RTL: halo 54,437 cycles, core-only 57,189; test/accel/core-only-tiles.test.ts)
    const coords = buildTensor({ points: bunnyPoints(), voxel: 0.25, channels: 1, seed: 1 }).coords;
    const t = { layer: { ...plate(32, 32).layer }, inCoords: coords, outCoords: coords };
    const ch = chooseTiling(spec, t, { ...lim, maxPoints: 600 }, post);
    expect(ch.chosenBy).toBe('cycle model');
    expect(ch.predicted.halo!).toBeLessThanOrEqual(ch.predicted.core!);
    expect(ch.plan).toBe('halo');
  });

  it('k = 1, a single tile, or a spec without transposed layers: only the plain plan', () => {
    const t = plate(96, 96);
    expect(chooseTiling(spec, { ...t, layer: { ...t.layer, kernelSize: 1 } }, lim, post)).toMatchObject({ plan: 'halo', chosenBy: 'only' });
    expect(chooseTiling(spec, plate(16, 16), lim, post)).toMatchObject({ plan: 'halo', chosenBy: 'only' });
    const noTrans = { ...spec, mapping: { ...spec.mapping, layerTypes: ['submanifold', 'conv'] as typeof spec.mapping.layerTypes } };
    expect(coreOnlyAllowed(noTrans, t.layer)).toBe(false);
    expect(chooseTiling(noTrans, t, lim, post)).toMatchObject({ plan: 'halo', chosenBy: 'only' });
  });
});
