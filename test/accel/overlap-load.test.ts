// mapping.overlapLoad on the whole accelerator (fpga preset): submanifold and transposed layers
// merge while the coordinate section still streams in (templates/mapping/map_lane.v.hbs gates
// each read on the engine's loaded counts). Bit-exact against the golden model with a slow input
// stream (the lanes catch up with the load and wait), under random backpressure on every stream,
// on the bunny and random clouds with negative coordinates and batches, tiled; and an unsorted or
// duplicate coordinate near the end of the list — found after the merge has emitted map words into
// the map buffer — still raises its code, the rest of the layer's stream is dropped and the next
// layer in the same simulation runs bit-exact. The standalone engine: test/mapping/overlap-load.test.ts.
//
// Mutations checked by hand (each turns the bit-exact test red): the lane's input gate removed
// (a_ok = a_addr != n_in: merges against unloaded RAM), the gate off by one (a_addr <= in_av).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { derive } from '../../generator/dsl/derive/index.ts';
import { presets } from '../../generator/dsl/presets.ts';
import type { AcceleratorSpec } from '../../generator/dsl/spec.ts';
import { runLayer } from '../../generator/model/layer.ts';
import { RUNS_ROOT } from '../../generator/sim/cosim.ts';
import { canonicalLayer } from '../../generator/sim/accel/driver.ts';
import { buildAccel } from '../../generator/sim/accel/rtl.ts';
import { decodeOutput, decodeReadback, encodeLayer, layerScript, outputBeatCount, type Beat, type HwLayer } from '../../generator/sim/accel/stream.ts';
import { runSim } from '../../generator/sim/run.ts';
import { bunnyCase, randomCase } from './cases.ts';
import { ACCEL_TIMEOUT_MS, expectBitExact } from './run.ts';

const spec: AcceleratorSpec = presets.fpga;
const slowIn = (p: number, rest = 0.1) => ({ stallPorts: { in: p, out: rest, axil: rest } });

describe('fpga: the merge overlaps the coordinate load (mapping.overlapLoad)', () => {
  it('is on in the fpga preset', () => {
    expect(spec.mapping.overlapLoad).toBe(true);
    expect(derive(spec).mapping.overlapLoad).toBe(true);
  });

  it('bit-exact: bunny submanifold and transposed with a slow input stream, random clouds (negative, batches) under backpressure, tiled', async () => {
    const sub = bunnyCase(spec, { voxel: 0.6, type: 'submanifold', k: 3, cin: 16, cout: 16, requant: true, relu: true });
    const rs = await expectBitExact(spec, sub, 'ov-bunny-sub', { seed: 21, ...slowIn(0.8) });
    expect(rs.stats.tiles).toBe(1);
    // k = 3 (k = s = 2 is map-free on fpga: no merge, the downsampler walks the outputs after the load).
    await expectBitExact(spec, bunnyCase(spec, { voxel: 0.6, type: 'transposed', k: 3, s: 2, cin: 16, cout: 16, requant: true }), 'ov-bunny-trans', { seed: 22, ...slowIn(0.7) });
    // Negative coordinates (the random clouds span −span … span) and three batches, k = 5.
    await expectBitExact(spec, randomCase(spec, { type: 'submanifold', k: 5, cin: 5, cout: 7, n: 180, span: 4, batches: 3, seed: 23 }), 'ov-rnd-sub5', { seed: 23, stall: 0.3 });
    await expectBitExact(spec, randomCase(spec, { type: 'transposed', k: 3, s: 2, cin: 4, cout: 6, n: 160, span: 4, batches: 2, seed: 24, requant: true }), 'ov-rnd-trans3', { seed: 24, stall: 0.3 });
    // Conv merges after its downsampler (unchanged path, same RTL).
    await expectBitExact(spec, randomCase(spec, { type: 'conv', k: 3, s: 2, cin: 4, cout: 4, n: 160, span: 4, batches: 2, seed: 25 }), 'ov-rnd-conv3', { seed: 25, stall: 0.3 });
    // Tiled: every tile is its own START with its own coordinate load.
    const tiled = await expectBitExact(spec, randomCase(spec, { type: 'submanifold', k: 3, cin: 6, cout: 6, n: 220, span: 5, batches: 2, seed: 26, requant: true }), 'ov-tiled', { seed: 26, maxTilePoints: 80, ...slowIn(0.6, 0.2) });
    expect(tiled.stats.tiles).toBeGreaterThan(1);
  }, ACCEL_TIMEOUT_MS);

  it('UNSORTED_COORDS / DUPLICATE_COORD near the end of the list after the merge started: same code, stream drained, next layer bit-exact', async () => {
    const d = derive(spec);
    const c = randomCase(spec, { type: 'submanifold', k: 3, cin: 3, cout: 4, n: 160, span: 4, requant: true, seed: 31 });
    const lay = canonicalLayer(c);
    const hw: HwLayer = { ...c.layer, inCoords: lay.inCoords, features: lay.features, weights: c.weights, bias: c.bias, requant: c.requant, requantOut: true };
    const good = encodeLayer(spec, d, hw);
    const n = hw.inCoords.length;
    const bad: { name: string; edit: (b: Beat[]) => Beat[] }[] = [
      { name: 'UNSORTED_COORDS', edit: (b) => b.map((x, i) => (i === n - 3 ? b[n - 2]! : i === n - 2 ? b[n - 3]! : x)) },
      { name: 'DUPLICATE_COORD', edit: (b) => b.map((x, i) => (i === n - 2 ? b[n - 3]! : x)) },
    ];
    const beats: Beat[] = [];
    const script: string[] = [];
    for (const x of bad) {
      beats.push(...x.edit(good));
      script.push(...layerScript(d, hw));
    }
    beats.push(...good);
    script.push(...layerScript(d, hw));
    const b = await buildAccel(spec);
    // The input stream is slow: the lanes have emitted map words long before the bad beat arrives
    // (the engine's counters are cleared by the abort, so the standalone test,
    // test/mapping/overlap-load.test.ts, is the one that counts the comparisons made before an error).
    const r = await runSim(b.binary, {
      workDir: join(RUNS_ROOT, 'accel-overlap-errors'),
      seed: 3,
      inputs: { in: { beats, width: spec.interfaces.axisDataWidth } },
      outputs: ['out'],
      axil: script,
      stallPorts: { in: 0.7, out: 0.2, axil: 0 },
    });
    expect(r.ok, `${r.summary.status}: ${r.summary.error} (${r.command})`).toBe(true);
    const reads = r.axil.filter((a) => a.op === 'r');
    const per = reads.length / (bad.length + 1);
    bad.forEach((x, i) => {
      const rb = decodeReadback(d, reads.slice(i * per, (i + 1) * per).map((a) => a.data));
      expect([rb.error, rb.errorName, rb.done], x.name).toEqual([true, x.name, false]);
    });
    const rb = decodeReadback(d, reads.slice(bad.length * per).map((a) => a.data));
    expect([rb.error, rb.done]).toEqual([false, true]);
    const golden = runLayer(c).result;
    const out = r.outputs.out!;
    const nOut = outputBeatCount(spec, d, hw, golden.coords.length);
    const dec = decodeOutput(spec, d, hw, golden.coords.length, out.slice(out.length - nOut));
    expect(dec.coords).toEqual(golden.coords);
    expect(dec.values).toEqual(golden.features);
  }, ACCEL_TIMEOUT_MS);
});
