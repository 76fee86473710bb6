// Coordinate and kernel-map reuse (LAYER_TYPE.REUSE_MAP, docs/accelerator.md "Map reuse"):
// consecutive submanifold layers over the same coordinates run without re-sending the
// coordinates and without re-running the mapping engine, bit-exact under backpressure; the
// hardware refuses a reuse it cannot honour (REUSE_INVALID) and the host refuses one whose
// coordinates differ.
import { describe, expect, it } from 'vitest';
import { derive } from '../../generator/dsl/derive/index.ts';
import { presets } from '../../generator/dsl/presets.ts';
import { formatComparison } from '../../generator/io/layer-result.ts';
import { FieldError } from '../../generator/model/errors.ts';
import type { LayerCase } from '../../generator/model/types.ts';
import { checkMapReuse, runAccelBatch, type BatchLayer } from '../../generator/sim/accel/batch.ts';
import { AccelError, canonicalLayer, runJobs, tileHw, type Job } from '../../generator/sim/accel/driver.ts';
import { buildAccel } from '../../generator/sim/accel/rtl.ts';
import { encodeLayer } from '../../generator/sim/accel/stream.ts';
import { planTiles, tileLimits } from '../../generator/model/tiles.ts';
import { predictCycles } from '../../generator/model/cycle-model.ts';
import { layerStats } from '../../generator/model/stats.ts';
import { bunnyCase, randomCase, widthsOf } from './cases.ts';
import { ACCEL_TIMEOUT_MS } from './run.ts';

const spec = presets.fpga;

/** The same coordinates with other channels, weights and requantization. */
function onCoords(base: LayerCase, o: { cin: number; cout: number; seed: number; requant?: boolean; k?: number }): LayerCase {
  const c = randomCase(spec, { type: 'submanifold', k: o.k ?? 3, cin: o.cin, cout: o.cout, n: 8, seed: o.seed, requant: false });
  const feats = base.input.coords.map((_, i) => Array.from({ length: o.cin }, (_, j) => ((i * 31 + j * 17 + o.seed) % 255) - 127));
  const out: LayerCase = { ...c, layer: { ...c.layer, inTensorStride: base.layer.inTensorStride }, input: { coords: base.input.coords, features: feats } };
  if (o.requant) {
    out.requant = { multiplier: new Array(o.cout).fill(1 << 10), shift: new Array(o.cout).fill(20), relu: true };
  }
  return out;
}

function expectExact(r: Awaited<ReturnType<typeof runAccelBatch>>): void {
  for (const l of r.layers) expect(l.comparison.count, `${l.name}: ${formatComparison(l.comparison)}\nreproduce: ${r.run.command}`).toBe(0);
}

describe('map reuse on the fpga preset', () => {
  it('three submanifold layers on the bunny share one map, bit-exact under backpressure; no coordinates, no mapping the second time', async () => {
    const a = bunnyCase(spec, { voxel: 0.5, type: 'submanifold', k: 3, cin: 16, cout: 16, requant: true, relu: true, seed: 3 });
    const layers: BatchLayer[] = [
      { name: 'a', case: a },
      { name: 'b', case: onCoords(a, { cin: 16, cout: 24, seed: 5, requant: true }) },
      { name: 'c', case: onCoords(a, { cin: 24, cout: 16, seed: 7 }) },
    ];
    const r = await runAccelBatch(spec, layers, { name: 'reuse-bunny', stall: 0.3, seed: 11 });
    expectExact(r);
    expect(r.layers.map((l) => l.reused)).toEqual([false, true, true]);
    for (const l of r.layers.slice(1)) {
      expect(l.readbacks[0]!.counters.PERF_MAPPING_CYCLES).toBe(0);
      expect(l.stats.cycles.coordLoad).toBe(0);
      expect(l.stats.cycles.compute).toBe(l.stats.computeBound);
    }
    const noReuse = await runAccelBatch(spec, layers, { name: 'reuse-bunny-off', reuse: false });
    const withReuse = await runAccelBatch(spec, layers, { name: 'reuse-bunny-on' });
    expectExact(noReuse);
    expectExact(withReuse);
    expect(noReuse.layers.map((l) => l.reused)).toEqual([false, false, false]);
    // The cycle model follows: within 1 % of co-simulation with and without reuse.
    for (const x of [noReuse, withReuse]) {
      for (const l of x.layers) {
        const c = layers.find((y) => y.name === l.name)!.case;
        const lay = canonicalLayer(c);
        const p = predictCycles(spec, layerStats(c, widthsOf(spec)), {
          ...c.layer, requant: c.requant !== undefined, bias: c.bias !== undefined,
          runs: [{ inCoords: lay.inCoords, outCoords: lay.outCoords, reuseMap: l.reused }],
        });
        const err = (p.total - l.stats.cycles.total) / l.stats.cycles.total;
        expect(Math.abs(err), `${l.name} reuse=${l.reused}: predicted ${p.total}, measured ${l.stats.cycles.total}`).toBeLessThanOrEqual(0.01);
      }
    }
    // Each reused layer saves its coordinate load (one beat per point) and the mapping's start, less
    // what of them the layer without reuse hides under compute (mapping.overlapLoad: its merge, and
    // with 4-row tile loads its first passes, run while the coordinates arrive — 823 of 939 beats on
    // b): at least 0.8 beat per point, and at least 90 % of the saving the cycle model predicts.
    for (let i = 1; i < 3; i++) {
      const n = noReuse.layers[i]!.stats;
      const saved = n.cycles.total - withReuse.layers[i]!.stats.cycles.total;
      const c = layers[i]!.case;
      const lay = canonicalLayer(c);
      const predicted = (reuseMap: boolean) => predictCycles(spec, layerStats(c, widthsOf(spec)), {
        ...c.layer, requant: c.requant !== undefined, bias: c.bias !== undefined,
        runs: [{ inCoords: lay.inCoords, outCoords: lay.outCoords, reuseMap }],
      }).total;
      expect(saved, layers[i]!.name).toBeGreaterThanOrEqual(0.8 * n.pointsIn);
      expect(saved, layers[i]!.name).toBeGreaterThanOrEqual(0.9 * (predicted(false) - predicted(true)));
    }
  }, ACCEL_TIMEOUT_MS);

  it('a layer over other coordinates with the same point count maps again; the next one reuses the new map, not the stale one', async () => {
    const x = randomCase(spec, { type: 'submanifold', k: 3, cin: 5, cout: 7, n: 300, span: 4, seed: 21, requant: true });
    // y: the same number of points, one of them moved.
    const taken = new Set(x.input.coords.map((c) => c.join(',')));
    const ycoords = x.input.coords.slice(1);
    for (let v = -4; ; v++) if (!taken.has(`0,${v},4,4`)) { ycoords.push([0, v, 4, 4]); break; }
    const y: LayerCase = { ...x, input: { coords: ycoords, features: x.input.features } };
    const layers: BatchLayer[] = [
      { name: 'x', case: x },
      { name: 'y1', case: y },
      { name: 'y2', case: onCoords(y, { cin: 5, cout: 9, seed: 2 }) },
      { name: 'x2', case: onCoords(x, { cin: 5, cout: 3, seed: 4, requant: true }) },
    ];
    const r = await runAccelBatch(spec, layers, { name: 'reuse-stale', stall: 0.2, seed: 5 });
    expectExact(r);
    expect(r.layers.map((l) => l.reused)).toEqual([false, false, true, false]);
  }, ACCEL_TIMEOUT_MS);

  it('the hardware refuses REUSE_MAP after a conv layer, after another point count or kernel size (REUSE_INVALID)', async () => {
    const d = derive(spec);
    const build = await buildAccel(spec, {});
    const sub = randomCase(spec, { type: 'submanifold', k: 3, cin: 4, cout: 4, n: 120, seed: 31 });
    const conv = randomCase(spec, { type: 'conv', k: 2, s: 2, cin: 4, cout: 4, n: 120, seed: 31 });
    const job = (c: LayerCase, reuse: boolean, label: string): Job => {
      const lay = canonicalLayer(c);
      const tile = planTiles(lay, tileLimits(spec))[0]!;
      const hw = { ...tileHw(c, lay, tile, false), reuseMap: reuse };
      return { tile, hw, nOut: tile.hwOut.length, beats: encodeLayer(spec, d, hw), measured: true, label };
    };
    const fewer: LayerCase = { ...sub, input: { coords: sub.input.coords.slice(1), features: sub.input.features.slice(1) } };
    const k5 = onCoords(sub, { cin: 4, cout: 4, seed: 1, k: 5 });
    for (const [name, first, second] of [
      ['after conv', conv, sub],
      ['other point count', sub, fewer],
      ['other kernel size', sub, k5],
    ] as const) {
      // A refused layer consumes no stream data: its beats are not sent.
      const jobs = [job(first, false, 'first'), { ...job(second, true, 'second'), beats: [] }];
      const err = await runJobs(spec, d, jobs, build, { name: `reuse-refused`, stall: 0.1 }).then(() => undefined, (e: unknown) => e);
      expect(err, name).toBeInstanceOf(AccelError);
      expect((err as AccelError).readback?.errorName, name).toBe('REUSE_INVALID');
    }
    // Nothing ran before: no map on chip.
    const err = await runJobs(spec, d, [{ ...job(sub, true, 'only'), beats: [] }], build, { name: 'reuse-first' }).then(() => undefined, (e: unknown) => e);
    expect((err as AccelError).readback?.errorName).toBe('REUSE_INVALID');
    // The accepted pair.
    const ok = await runJobs(spec, d, [job(sub, false, 'a'), job(sub, true, 'b')], build, { name: 'reuse-ok' });
    expect(ok.readbacks.map((rb) => rb.done)).toEqual([true, true]);
    expect(ok.readbacks[1]!.counters.PERF_MAPPING_CYCLES).toBe(0);
  }, ACCEL_TIMEOUT_MS);

  it('the host refuses a reuse whose coordinates differ, naming reuseMap', () => {
    const d = derive(spec);
    const a = randomCase(spec, { type: 'submanifold', k: 3, cin: 4, cout: 4, n: 50, seed: 1 });
    const b = randomCase(spec, { type: 'submanifold', k: 3, cin: 4, cout: 4, n: 50, seed: 2 });
    const mk = (c: LayerCase, reuse: boolean) => {
      const lay = canonicalLayer(c);
      const tile = planTiles(lay, tileLimits(spec))[0]!;
      return { hw: { ...tileHw(c, lay, tile, false), reuseMap: reuse } };
    };
    expect(() => checkMapReuse([mk(a, false), mk(b, true)])).toThrow(FieldError);
    expect(() => checkMapReuse([mk(a, false), mk(b, true)])).toThrow(/reuseMap: layer run 2: cannot reuse the map on chip/);
    expect(() => checkMapReuse([mk(a, true)])).toThrow(/no previous layer/);
    expect(() => checkMapReuse([mk(a, false), mk(a, true)])).not.toThrow();
    void d;
  });
});
