// Map-free transposed k = s = 2 (spec.mapping.mapFreeTransposed; templates/partials/map_ds_parent.hbs
// and the downsamplers): the given output points are walked by parent through the downsampler's
// classes and each parent is matched against the input list by a monotone compare, one output per
// cycle; the engine's progress frontier lets the drain port drain finished outputs while compute
// continues. Bit-exact under backpressure on the bunny and on random cases (several cin / cout
// tiles, tensor strides, batches, negative coordinates, outputs without a parent and inputs
// without children, one class holding every output, a bank one below / at / one past capacity),
// with the drain port and pipelined merge (fpga) and without both, the offset-grouped walk; the
// map is really map-free; the cycle model within 2 %; a bad coordinate list (the outputs already
// linked into the classes) raises its code and the next layer runs bit-exact; -Wall clean.
// Mutations tried by hand (each fails this file): the parent comparator flipped (pm_lt_n as
// ip_key_i > best_key), the kernel index's x bit dropped from the entry, the progress mark off
// (mt_i tied low at the scheduler), the frontier left at the engine's once the map is complete
// (accel_sched mt_src = mt_front_i: tail 1,806 on the 24→24 bunny), the last-pair chunks off
// (cut_w tied low: tail 1,806), the chunk-end table read one chunk ahead (ck_idx_o + 1: words
// drained early), the table written at a chunk's first entry instead of its last (model error
// 3.4 %). A chunk's mark one output too high and the chunk-cut comparator made strict pass here
// (the next chunk's first row is scattered right behind the pass; a cut one chunk later costs
// < 2 %): mapfree-transposed-chunks.test.ts catches both.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { derive } from '../../generator/dsl/derive/index.ts';
import { presets } from '../../generator/dsl/presets.ts';
import { emitAccelerator, writeEmitted } from '../../generator/emit/index.ts';
import { formatLintMessage, lintRtl } from '../../generator/emit/lint.ts';
import { PROJECT_ROOT } from '../../generator/emit/render.ts';
import type { AcceleratorSpec } from '../../generator/dsl/spec.ts';
import { Prng } from '../../generator/io/prng.ts';
import { predictCycles } from '../../generator/model/cycle-model.ts';
import { cycleModelRuns } from '../../generator/model/cycle-model-runs.ts';
import { runLayer } from '../../generator/model/layer.ts';
import { layerStats } from '../../generator/model/stats.ts';
import { RUNS_ROOT } from '../../generator/sim/cosim.ts';
import { canonicalLayer } from '../../generator/sim/accel/driver.ts';
import { buildAccel } from '../../generator/sim/accel/rtl.ts';
import { decodeOutput, decodeReadback, encodeLayer, layerScript, outputBeatCount, type Beat, type HwLayer } from '../../generator/sim/accel/stream.ts';
import { runSim } from '../../generator/sim/run.ts';
import { compareCoords } from '../../generator/model/tensor.ts';
import type { Coord, LayerCase } from '../../generator/model/types.ts';
import { bunnyCase, MT_SMALL_SPEC, randomCase, widthsOf } from './cases.ts';
import { MAX_ERROR } from './cycle-model-cases.ts';
import { ACCEL_TIMEOUT_MS, expectBitExact } from './run.ts';

const spec = presets.fpga;
/** No drain port, the unpipelined merge, 256 map entries per bank; a 4×4 array (a quicker build), 2 weight rows per read. */
const small: AcceleratorSpec = MT_SMALL_SPEC;

/**
 * Drops every `drop`-th input (its outputs lose their parent: bias only) and adds inputs in parent
 * cells no output falls in (inputs without children: the matcher skips them).
 */
function thinParents(c: LayerCase, seed: number, drop = 4): LayerCase {
  const r = new Prng(seed);
  const ts = c.layer.inTensorStride;
  const key = (p: Coord) => p.join(',');
  const parents = new Set(c.outputCoords!.map((q) => key([q[0], Math.floor(q[1] / ts) * ts, Math.floor(q[2] / ts) * ts, Math.floor(q[3] / ts) * ts])));
  const inputs = new Map<string, { p: Coord; f: number[] }>();
  c.input.coords.forEach((p, i) => { if (i % drop !== 1) inputs.set(key(p), { p, f: c.input.features[i]! }); });
  const hi = 2 ** (widthsOf(spec).inWidth - 1) - 1;
  for (const p of c.input.coords.slice(0, 40)) {
    const e: Coord = [p[0], p[1], p[2] + ts * r.int(1, 3), p[3] - ts];
    if (!parents.has(key(e)) && !inputs.has(key(e))) inputs.set(key(e), { p: e, f: r.ints(c.layer.inChannels, -hi - 1, hi) });
  }
  const all = [...inputs.values()].sort((a, b) => compareCoords(a.p, b.p));
  return { ...c, input: { coords: all.map((v) => v.p), features: all.map((v) => v.f) } };
}

/** Every output at sub-position 0 (even x, y, z at ts 1): one kernel index, one lane, one bank. */
function oneClassCase(s: AcceleratorSpec, n: number, seed: number, cin = 3, cout = 5): LayerCase {
  const base = randomCase(s, { type: 'transposed', k: 2, s: 2, n: 1, span: 1, cin, cout, seed, requant: true });
  const uniq: Coord[] = Array.from({ length: n }, (_, i): Coord => [0, 2 * (i % 8) - 8, 2 * (Math.floor(i / 8) % 8) - 8, 2 * Math.floor(i / 64) - 8]).sort(compareCoords);
  const r = new Prng(seed);
  const hi = 2 ** (widthsOf(s).inWidth - 1) - 1;
  return { ...base, outputCoords: uniq, input: { coords: uniq, features: uniq.map(() => r.ints(cin, -hi - 1, hi)) } };
}

function modelError(s: AcceleratorSpec, c: LayerCase, measured: number, compute: number): number {
  const { runs } = cycleModelRuns(s, c, {});
  const p = predictCycles(s, layerStats(c, widthsOf(s)), { ...c.layer, requant: c.requant !== undefined, bias: c.bias !== undefined, runs });
  expect(p.compute).toBe(compute);
  return (p.total - measured) / measured;
}

describe('map-free transposed k = s = 2', () => {
  it('is enabled on the fpga preset', () => {
    expect(spec.mapping.mapFreeTransposed).toBe(true);
  });

  it('bunny 16→16 without stalls: map-free (mapping ≈ outputs), drained while it computes, cycle model within 2 %', async () => {
    const c = bunnyCase(spec, { voxel: 0.25, type: 'transposed', k: 2, s: 2, cin: 16, cout: 16, requant: true, relu: true });
    const r = await expectBitExact(spec, c, 'mt-bunny');
    const s = r.stats;
    expect(s.mapSchedule).toEqual({ map: 'map-free' });
    // The merge took 2,749 cycles (≈ N_in + N_out); the walk one per output, behind the first features.
    expect(s.cycles.mapping).toBeLessThan(s.pointsOut + 200);
    // Progress marks: most of the 1,790 words drain before the last row (the tile-end mark alone
    // leaves all of them for after it).
    expect(s.cycles.tail).toBeLessThan(s.pointsOut / 4);
    // 0.857 with 4 weight-tile rows per read and a pass per max(4, rows / 4) entries
    // (buffers.weightReadRows; 0.808 at one row per read and rows entries, 0.72 with 2·rows).
    expect(s.utilisation).toBeGreaterThanOrEqual(0.85);
    const err = modelError(spec, c, s.cycles.total, s.cycles.compute);
    expect(Math.abs(err), `model error ${err}`).toBeLessThanOrEqual(MAX_ERROR);
  }, ACCEL_TIMEOUT_MS);

  it('two cin and two cout tiles (bunny 24→24, MinkUNet dec4.up): marks in every last cin-tile pair, chunked passes; bit-exact under backpressure, model within 2 %', async () => {
    // The engine's frontier reads 0 once it is idle; the scheduler takes N_out once the map is
    // complete, and in the last cin-tile pair passes a bank's run in chunks bank after bank, so
    // the last cout tile drains while it computes (before: no mark in the pairs after the map,
    // one pass per bank, every one of the 1,790 words after the last row: tail 1,806).
    const c = bunnyCase(spec, { voxel: 0.25, type: 'transposed', k: 2, s: 2, cin: 24, cout: 24, requant: true, relu: true });
    const r = await expectBitExact(spec, c, 'mt-bunny-tiles');
    const s = r.stats;
    expect(s.mapSchedule).toEqual({ map: 'map-free' });
    expect(s.cycles.tail).toBeLessThan(s.pointsOut / 2);
    const err = modelError(spec, c, s.cycles.total, s.cycles.compute);
    expect(Math.abs(err), `model error ${err}`).toBeLessThanOrEqual(MAX_ERROR);
    await expectBitExact(spec, c, 'mt-bunny-tiles-bp', { stall: 0.3, seed: 21 });
  }, ACCEL_TIMEOUT_MS);

  it('random clouds under backpressure 0.3: batches, negative coordinates, 2 cin and cout tiles, tensor stride 4, missing parents and childless inputs', async () => {
    const cases: [string, LayerCase][] = [
      ['rnd-tiles', randomCase(spec, { type: 'transposed', k: 2, s: 2, n: 500, span: 6, batches: 3, cin: 20, cout: 20, seed: 81, requant: true, relu: true })],
      ['rnd-ts4-thin', thinParents(randomCase(spec, { type: 'transposed', k: 2, s: 2, n: 300, span: 5, ts: 4, batches: 2, cin: 5, cout: 9, seed: 82 }), 83)],
      ['rnd-thin', thinParents(randomCase(spec, { type: 'transposed', k: 2, s: 2, n: 400, span: 6, cin: 16, cout: 40, seed: 84, requant: true }), 85, 3)],
    ];
    for (const [i, [name, c]] of cases.entries()) {
      const r = await expectBitExact(spec, c, `mt-${name}`, { stall: 0.3, seed: 11 + i });
      expect(r.stats.mapSchedule).toEqual({ map: 'map-free' });
    }
    // The offset-grouped walk with the same marks (the host picks bank for these layers).
    const g = await expectBitExact(spec, cases[2]![1], 'mt-rnd-thin-offset', { stall: 0.3, seed: 14, passGrouping: 'offset' });
    expect(g.stats.passGrouping.policy).toBe('offset');
  }, ACCEL_TIMEOUT_MS);

  it('one class holding every output; a single output; every output without a parent', async () => {
    await expectBitExact(spec, oneClassCase(spec, 60, 86), 'mt-oneclass', { stall: 0.2, seed: 5 });
    // Two cin tiles: the last pair replays the one bank (consecutive outputs) in chunks, each
    // mark at a chunk's last output + 1.
    await expectBitExact(spec, oneClassCase(spec, 300, 98, 20, 12), 'mt-oneclass-chunks', { stall: 0.2, seed: 15 });
    const one = randomCase(spec, { type: 'transposed', k: 2, s: 2, n: 1, span: 3, cin: 3, cout: 4, seed: 87 });
    await expectBitExact(spec, one, 'mt-one', { stall: 0.2, seed: 6 });
    const c = randomCase(spec, { type: 'transposed', k: 2, s: 2, n: 50, span: 3, cin: 3, cout: 4, seed: 88 });
    const orphan: LayerCase = { ...c, input: { coords: c.input.coords.map((p) => [p[0], p[1], p[2], p[3] + 64] as Coord), features: c.input.features } };
    await expectBitExact(spec, orphan, 'mt-orphans', { stall: 0.2, seed: 7 });
  }, ACCEL_TIMEOUT_MS);

  it('Verilator -Wall clean with the unpipelined merge and no drain port (the fpga preset is in the lint gate)', async () => {
    const out = join(PROJECT_ROOT, '.cache', 'lint-gate', small.name);
    await writeEmitted(emitAccelerator(small).files, out);
    const report = await lintRtl(out, { concurrency: 2 });
    expect(report.modules.length).toBeGreaterThan(0);
    expect(report.messages.map(formatLintMessage)).toEqual([]);
  }, ACCEL_TIMEOUT_MS);

  it('without drain port and pipelined merge: bunny and missing parents bit-exact, model within 2 %; a bank one below / at / one past capacity', async () => {
    const c = bunnyCase(small, { voxel: 0.5, type: 'transposed', k: 2, s: 2, cin: 8, cout: 8, requant: true });
    const r = await expectBitExact(small, c, 'mt-small-bunny');
    expect(r.stats.mapSchedule).toEqual({ map: 'map-free' });
    expect(r.stats.tiles).toBe(1);
    const err = modelError(small, c, r.stats.cycles.total, r.stats.cycles.compute);
    expect(Math.abs(err), `model error ${err}`).toBeLessThanOrEqual(MAX_ERROR);
    const t = thinParents(randomCase(small, { type: 'transposed', k: 2, s: 2, n: 120, span: 4, batches: 2, cin: 4, cout: 4, seed: 89 }), 90);
    await expectBitExact(small, t, 'mt-small-thin', { stall: 0.3, seed: 8 });
    // Map-free conv on the same downsampler (its output points leave by oc_valid_o, which does not
    // wait for the parent matcher).
    const cv = await expectBitExact(small, randomCase(small, { type: 'conv', k: 2, s: 2, n: 200, span: 5, batches: 2, cin: 4, cout: 4, seed: 97 }), 'mt-small-conv', { stall: 0.3, seed: 9 });
    expect(cv.stats.mapSchedule).toEqual({ map: 'map-free' });
    // A bank holds mapDepth / lanes = 256 entries: 255 and 256 in one kernel index fit, 257 raise
    // MAP_OVERFLOW (the driver splits the tile and retries).
    for (const [n, retries] of [[255, 0], [256, 0], [257, 1]] as const) {
      const oc = oneClassCase(small, n, 91 + n);
      expect(oc.outputCoords!.length).toBe(n);
      const rr = await expectBitExact(small, oc, `mt-bank-${n}`, { stall: 0.2, seed: n, mapEstimate: false });
      expect(rr.retries, `${n} entries in one bank`).toBe(retries);
    }
  }, ACCEL_TIMEOUT_MS);

  it('an unsorted / duplicate output near the end of the list (classes already linked) or an unsorted input: the code, the stream dropped, the next map-free layer bit-exact', async () => {
    const d = derive(spec);
    const c = thinParents(randomCase(spec, { type: 'transposed', k: 2, s: 2, cin: 3, cout: 4, n: 200, span: 4, requant: true, seed: 95 }), 96);
    const lay = canonicalLayer(c);
    const hw: HwLayer = { ...c.layer, inCoords: lay.inCoords, outCoords: lay.outCoords, features: lay.features, weights: c.weights, bias: c.bias, requant: c.requant, requantOut: true };
    const good = encodeLayer(spec, d, hw);
    const nIn = hw.inCoords.length;
    const e = nIn + hw.outCoords!.length; // the output list's end in the stream
    const swap = (b: Beat[], i: number) => b.map((x, j) => (j === i ? b[i + 1]! : j === i + 1 ? b[i]! : x));
    const bad: { name: string; edit: (b: Beat[]) => Beat[] }[] = [
      { name: 'UNSORTED_COORDS', edit: (b) => swap(b, e - 3) },
      { name: 'DUPLICATE_COORD', edit: (b) => b.map((x, j) => (j === e - 2 ? b[e - 3]! : x)) },
      { name: 'UNSORTED_COORDS', edit: (b) => swap(b, nIn - 3) },
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
    const r = await runSim(b.binary, {
      workDir: join(RUNS_ROOT, 'accel-mapfree-transposed-errors'),
      seed: 9,
      inputs: { in: { beats, width: spec.interfaces.axisDataWidth } },
      outputs: ['out'],
      axil: script,
      stallPorts: { in: 0.3, out: 0.2, axil: 0 },
    });
    expect(r.ok, `${r.summary.status}: ${r.summary.error} (${r.command})`).toBe(true);
    const reads = r.axil.filter((a) => a.op === 'r');
    const per = reads.length / (bad.length + 1);
    bad.forEach((x, i) => {
      const rb = decodeReadback(d, reads.slice(i * per, (i + 1) * per).map((a) => a.data));
      expect([rb.error, rb.errorName, rb.done], `${x.name} #${i}`).toEqual([true, x.name, false]);
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
