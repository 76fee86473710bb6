// Fusion across layers (buffers.keepFeatures, docs/accelerator.md "Fusion across layers"): a
// layer's requantized output stays in the feature buffer as the next layer's input features
// (FUSION.KEEP_OUT / FEAT_ON_CHIP), bit-exact under backpressure on the bunny; the output of a
// layer that does not fit beside its input falls back to streaming; the hardware refuses a fusion
// it cannot honour (FEATURES_INVALID, FEATURE_ALIAS) and the host names the job first.
import { describe, expect, it } from 'vitest';
import { calibrateRequant } from '../../generator/io/case-builder.ts';
import { formatComparison } from '../../generator/io/layer-result.ts';
import { Prng } from '../../generator/io/prng.ts';
import { presets } from '../../generator/dsl/presets.ts';
import type { AcceleratorSpec } from '../../generator/dsl/spec.ts';
import { runLayer } from '../../generator/model/layer.ts';
import type { LayerCase } from '../../generator/model/types.ts';
import { runAccelBatch, type BatchLayer } from '../../generator/sim/accel/batch.ts';
import { derive } from '../../generator/dsl/derive/index.ts';
import { AccelError, canonicalLayer, runJobs, tileHw, type Job } from '../../generator/sim/accel/driver.ts';
import { buildAccel } from '../../generator/sim/accel/rtl.ts';
import { encodeLayer, layerScript, type HwLayer } from '../../generator/sim/accel/stream.ts';
import { checkFusionJobs } from '../../generator/sim/accel/fusion.ts';
import { checkRegisterWrites } from '../../generator/sim/capacity.ts';
import { planTiles, tileLimits } from '../../generator/model/tiles.ts';
import { predictCycles } from '../../generator/model/cycle-model.ts';
import { layerStats } from '../../generator/model/stats.ts';
import { bunnyCase, nextLayer, randomCase, widthsOf } from './cases.ts';
import { ACCEL_TIMEOUT_MS } from './run.ts';

export const fuseSpec: AcceleratorSpec = presets.fpga;

/** The cycle model of every layer of a batch (the batch's runs carry the fusion flags) against PERF_TOTAL_CYCLES. */
function modelErrors(spec: AcceleratorSpec, r: Awaited<ReturnType<typeof runAccelBatch>>, layers: BatchLayer[]): { name: string; err: number; predicted: number; measured: number }[] {
  return r.layers.map((l) => {
    const c = layers.find((y) => y.name === l.name)!.case;
    const p = predictCycles(spec, layerStats(c, widthsOf(spec)), { ...c.layer, requant: c.requant !== undefined, bias: c.bias !== undefined, runs: l.runs });
    const measured = l.stats.cycles.total;
    return { name: l.name, err: (p.total - measured) / measured, predicted: p.total, measured };
  });
}

function expectModel(spec: AcceleratorSpec, r: Awaited<ReturnType<typeof runAccelBatch>>, layers: BatchLayer[], tol = 0.02): void {
  for (const m of modelErrors(spec, r, layers)) expect(Math.abs(m.err), `${m.name}: predicted ${m.predicted}, measured ${m.measured}`).toBeLessThanOrEqual(tol);
}

function expectExact(r: Awaited<ReturnType<typeof runAccelBatch>>): void {
  for (const l of r.layers) expect(l.comparison.count, `${l.name}: ${formatComparison(l.comparison)}\nreproduce: ${r.run.command}`).toBe(0);
}

describe('fusion across layers (fpga with buffers.keepFeatures)', () => {
  it('two chained layers on the bunny: the output stays on chip, bit-exact under backpressure, with and without streaming it too', async () => {
    const spec = fuseSpec;
    const a = bunnyCase(spec, { voxel: 0.5, type: 'submanifold', k: 3, cin: 16, cout: 24, requant: true, relu: true, seed: 3 });
    const b = nextLayer(spec, a, { type: 'submanifold', k: 3, cout: 16, seed: 5 });
    // Debug mode: the kept output is streamed as well, so both layers are compared word for word.
    const debug = await runAccelBatch(spec, [{ name: 'a', case: a, keepForNext: true }, { name: 'b', case: b }], { name: 'fuse2-debug', fusion: true, stall: 0.3, seed: 7 });
    expectExact(debug);
    const na = a.input.coords.length;
    expect(debug.layers.map((l) => l.fusion)).toEqual([
      { featOnChip: false, keptOut: true, streamedOut: true, outBase: na },
      { featOnChip: true, keptOut: false, streamedOut: true, inBase: na },
    ]);
    // Kept only: a's words never leave the chip; b (computed from them) is compared.
    const kept = await runAccelBatch(spec, [{ name: 'a', case: a, keepForNext: true, streamOut: false }, { name: 'b', case: b }], { name: 'fuse2', fusion: true, stall: 0.3, seed: 9 });
    expectExact(kept);
    expect(kept.layers[0]!.fusion).toEqual({ featOnChip: false, keptOut: true, streamedOut: false, outBase: na });
    expect(kept.layers[0]!.result.features).toBeUndefined();
    expect(kept.layers[1]!.fusion.featOnChip).toBe(true);
    const off = await runAccelBatch(spec, [{ name: 'a', case: a }, { name: 'b', case: b }], { name: 'fuse2-off' });
    expectExact(off);
    // The cycle model follows without backpressure (within 2 %), fused and not.
    const layers: BatchLayer[] = [{ name: 'a', case: a, keepForNext: true, streamOut: false }, { name: 'b', case: b }];
    const calm = await runAccelBatch(spec, layers, { name: 'fuse2-calm', fusion: true });
    expectExact(calm);
    expectModel(spec, calm, layers);
    expectModel(spec, off, layers);
    // Off-chip traffic: a sends no words out, b no features in.
    expect(off.layers[0]!.beatsOut - kept.layers[0]!.beatsOut).toBe(na * 2);
    expect(off.layers[1]!.beatsIn - kept.layers[1]!.beatsIn).toBe(na * 2);
  }, ACCEL_TIMEOUT_MS);

  it('three chained layers (submanifold → map-free conv k=2 s=2 → submanifold): two kept outputs, placed after and below the input', async () => {
    const spec = fuseSpec;
    const a = bunnyCase(spec, { voxel: 0.5, type: 'submanifold', k: 3, cin: 16, cout: 16, requant: true, relu: true, seed: 13 });
    const b = nextLayer(spec, a, { type: 'conv', k: 2, s: 2, cout: 32, seed: 17 });
    const c = nextLayer(spec, b, { type: 'submanifold', k: 3, cout: 16, seed: 19 });
    const layers: BatchLayer[] = [
      { name: 'a', case: a, keepForNext: true, streamOut: false },
      { name: 'b', case: b, keepForNext: true, streamOut: false },
      { name: 'c', case: c },
    ];
    const r = await runAccelBatch(spec, layers, { name: 'fuse3', fusion: true, stall: 0.3, seed: 23 });
    expectExact(r);
    expect(r.layers.map((l) => [l.fusion.featOnChip, l.fusion.keptOut, l.fusion.streamedOut])).toEqual([
      [false, true, false],
      [true, true, false],
      [true, false, true],
    ]);
    // a keeps after its input (word N_a); b's 2·N_b words fit below b's input, at word 0.
    const na = a.input.coords.length;
    const nb = b.input.coords.length;
    expect(2 * runLayer(b, widthsOf(spec)).result.coords.length).toBeLessThanOrEqual(na);
    expect(nb).toBe(na);
    expect(r.layers.map((l) => [l.fusion.inBase, l.fusion.outBase])).toEqual([[undefined, na], [na, 0], [0, undefined]]);
    const calm = await runAccelBatch(spec, layers, { name: 'fuse3-calm', fusion: true });
    expectExact(calm);
    expectModel(spec, calm, layers);
  }, ACCEL_TIMEOUT_MS);

  it('capacity edge: an output that fits beside its input (one point below, at the buffer size) stays on chip; one point past streams', async () => {
    const spec = fuseSpec;
    const depth = spec.buffers.featureDepth;
    const grid = (n: number) => Array.from({ length: n }, (_, i) => [0, i % 64, Math.floor(i / 64) % 64, Math.floor(i / 4096)] as [number, number, number, number]);
    const results: boolean[] = [];
    for (const n of [depth / 2 - 1, depth / 2, depth / 2 + 1]) {
      const r0 = new Prng(n);
      const a: LayerCase = {
        layer: { type: 'submanifold', kernelSize: 1, stride: 1, inTensorStride: 1, inChannels: 16, outChannels: 16 },
        input: { coords: grid(n), features: grid(n).map(() => r0.ints(16, -128, 127)) },
        weights: [Array.from({ length: 16 }, () => r0.ints(16, -128, 127))],
      };
      a.requant = calibrateRequant(a, true, widthsOf(spec));
      const b = nextLayer(spec, a, { type: 'submanifold', k: 1, cout: 16, seed: n });
      const r = await runAccelBatch(spec, [{ name: 'a', case: a, keepForNext: true, streamOut: false }, { name: 'b', case: b }], { name: `fuse-edge-${n}`, fusion: true, stall: 0.2, seed: n });
      expectExact(r);
      results.push(r.layers[0]!.fusion.keptOut);
      expect(r.layers[1]!.fusion.featOnChip).toBe(r.layers[0]!.fusion.keptOut);
      if (!r.layers[0]!.fusion.keptOut) {
        expect(r.layers[0]!.fusion.refusal).toMatch(/do not fit beside the \d+ input words in buffers.featureDepth/);
        expect(r.layers[0]!.fusion.streamedOut).toBe(true);
      }
    }
    expect(results).toEqual([true, true, false]);
  }, ACCEL_TIMEOUT_MS);

  it('the hardware refuses a fusion it cannot honour (FEATURES_INVALID at START; FEATURE_ALIAS one word past the buffer or over the input) and runs the region that ends at the last word; the host names the job first', async () => {
    const spec = fuseSpec;
    const d = derive(spec);
    const build = await buildAccel(spec, {});
    const depth = spec.buffers.featureDepth;
    const a = randomCase(spec, { type: 'submanifold', k: 3, cin: 16, cout: 16, n: 200, seed: 41, requant: true, relu: true });
    const b = nextLayer(spec, a, { type: 'submanifold', k: 3, cout: 16, seed: 43 });
    const n = canonicalLayer(a).inCoords.length;
    const job = (c: LayerCase, extra: Partial<HwLayer>, label: string, requantOut = true): Job => {
      const lay = canonicalLayer(c);
      const tile = planTiles(lay, tileLimits(spec))[0]!;
      const hw: HwLayer = { ...tileHw(c, lay, tile, requantOut), ...extra };
      return { tile, hw, nOut: tile.hwOut.length, beats: encodeLayer(spec, d, hw), measured: true, label };
    };
    const refused = async (jobs: Job[], what: string): Promise<string | undefined> => {
      const err = await runJobs(spec, d, jobs, build, { name: 'fuse-refused', stall: 0.1, bypassCapacityChecks: true }).then(() => undefined, (e: unknown) => e);
      expect(err, what).toBeInstanceOf(AccelError);
      return (err as AccelError).readback?.errorName;
    };
    // Refused at START: a refused layer consumes no stream data, so its beats are not sent.
    const none = (j: Job): Job => ({ ...j, beats: [] });
    const keepA = job(a, { keepOut: true, noStream: true, featOutBase: n }, 'a');
    expect(await refused([none(job(b, { featOnChip: true, featInBase: n }, 'b'))], 'nothing kept')).toBe('FEATURES_INVALID');
    expect(await refused([keepA, none(job(b, { featOnChip: true, featInBase: n + 1 }, 'b'))], 'other base')).toBe('FEATURES_INVALID');
    expect(await refused([keepA, job(a, {}, 'streamed'), none(job(b, { featOnChip: true, featInBase: n }, 'b'))], 'a streamed layer came between')).toBe('FEATURES_INVALID');
    expect(await refused([none(job(a, { keepOut: true, featOutBase: n }, 'a', false))], 'KEEP_OUT without REQUANT_EN')).toBe('FEATURES_INVALID');
    // Refused once N_out is known (the loader drops the announced stream): one word past the buffer, or over the input.
    expect(await refused([job(a, { keepOut: true, featOutBase: depth - n + 1 }, 'a')], 'one word past')).toBe('FEATURE_ALIAS');
    expect(await refused([job(a, { keepOut: true, featOutBase: n - 1 }, 'a')], 'overlap at the end of the input')).toBe('FEATURE_ALIAS');
    expect(await refused([job(a, { keepOut: true, featOutBase: 0, featInBase: 1 }, 'a')], 'overlap at the start of the input')).toBe('FEATURE_ALIAS');
    // A conv's N_out·To is counted as its output coordinates arrive (the controller compares a
    // register kept in step with them): one word past the buffer is refused, ending at the last word runs.
    const c = nextLayer(spec, a, { type: 'conv', k: 2, s: 2, cout: 16, seed: 45 });
    const nc = job(c, {}, 'c').nOut;
    expect(await refused([job(c, { keepOut: true, featOutBase: depth - nc + 1 }, 'c')], 'conv: one word past')).toBe('FEATURE_ALIAS');
    const convEdge = await runJobs(spec, d, [job(c, { keepOut: true, featOutBase: depth - nc }, 'c')], build, { name: 'fuse-conv-edge', stall: 0.1 });
    expect(convEdge.readbacks.map((rb) => rb.errorName)).toEqual(['NONE']);
    expect(convEdge.decoded[0]!.values).toEqual(runLayer(c, widthsOf(spec)).result.features);
    // At the edge: the kept region ends at the last word, the input starts right after it; b reads it bit-exact.
    const atEdge = await runJobs(spec, d, [job(a, { keepOut: true, noStream: true, featOutBase: depth - n, featInBase: 0 }, 'a'), job(b, { featOnChip: true, featInBase: depth - n }, 'b')], build, { name: 'fuse-edge-hw', stall: 0.2 });
    expect(atEdge.readbacks.map((rb) => rb.errorName)).toEqual(['NONE', 'NONE']);
    expect(atEdge.decoded[0]!.values).toEqual([]);
    expect(atEdge.decoded[1]!.values).toEqual(runLayer(b, widthsOf(spec)).result.features);
    // The host refuses the same job lists before running them, naming the field.
    const host = (jobs: Job[]) => () => checkFusionJobs(spec, jobs);
    expect(host([job(b, { featOnChip: true, featInBase: n }, 'b')])).toThrow(/featOnChip: layer run 1 \(b\): cannot read its features on chip: no previous layer run/);
    expect(host([keepA, job(b, { featOnChip: true, featInBase: n + 1 }, 'b')])).toThrow(/its output is at word \d+, not \d+/);
    expect(host([job(a, { keepOut: true, featOutBase: depth - n + 1 }, 'a')])).toThrow(/featOutBase: layer run 1 \(a\): kept output \[\d+, \d+\) leaves buffers.featureDepth 4096/);
    expect(host([job(a, { keepOut: true, featOutBase: n - 1 }, 'a')])).toThrow(/overlaps the input features/);
    expect(host([job(a, { keepOut: true, featOutBase: n }, 'a', false)])).toThrow(/keepOut: .*only requantized outputs/);
    expect(host([keepA, job(b, { featOnChip: true, featInBase: n }, 'b')])).not.toThrow();
    // A register value beyond FEAT_OUT_BASE's width is refused before anything runs, never truncated.
    expect(() => checkRegisterWrites(d.registers, layerScript(d, { ...keepA.hw, featOutBase: depth }))).toThrow(/FEAT_OUT_BASE/);
    // An accelerator without buffers.keepFeatures refuses fusion, naming the parameter.
    expect(() => checkFusionJobs(presets['fpga-2of4'], [keepA])).toThrow(/buffers.keepFeatures/);
  }, ACCEL_TIMEOUT_MS);
});
