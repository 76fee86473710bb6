// The pipelined downsampler merge (mapping.comparePipeline, templates/partials/map_downsample_pipe.hbs)
// against the golden model under random backpressure: 16 classes (stride ≤ 4), the bunny (4
// classes), one class holding every point (the list RAM's next-pointer bypass every cycle), a
// class of one point, a full coordinate buffer. And its latency: 2·classes + 1 cycles more than the
// unpipelined merge, exactly what the cycle model adds (the same layer on both RTLs). The map-free
// path (fpga preset) is co-simulated on the whole accelerator: test/accel/compare-pipeline.test.ts.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineAccelerator } from '../../generator/dsl/define.ts';
import { presets } from '../../generator/dsl/presets.ts';
import { emitAccelerator, writeEmitted } from '../../generator/emit/index.ts';
import { formatLintMessage, lintRtl } from '../../generator/emit/lint.ts';
import { PROJECT_ROOT } from '../../generator/emit/render.ts';
import type { AcceleratorSpec } from '../../generator/dsl/spec.ts';
import { replayParams } from '../../generator/model/cycle-model.ts';
import { replayLayer } from '../../generator/model/cycle-model-replay.ts';
import { convOutputCoords } from '../../generator/model/downsample.ts';
import type { MapJob, MapLayer } from '../../generator/sim/mapping/driver.ts';
import type { Coord } from '../../generator/model/types.ts';
import { bunny, cloud } from './clouds.ts';
import { MAP_ERROR_CODES, type MapErrorName } from '../../generator/dsl/derive/mapping.ts';
import type { StimulusOptions } from '../../generator/sim/mapping/driver.ts';
import { cosim, simulate } from './run.ts';
import { wide } from './specs.ts';

const pipe = (s: AcceleratorSpec, name: string): AcceleratorSpec => ({ ...s, name, mapping: { ...s.mapping, comparePipeline: true } });
const widePipe = pipe(wide, 'sf_maptest_cp');
// The fpga preset has the knob on; the plain merge is the preset without it.
const fpgaPipe = presets.fpga;
const fpgaPlain: AcceleratorSpec = { ...presets.fpga, name: 'sf_fpga_nocp', mapping: { ...presets.fpga.mapping, comparePipeline: false, mapFreeEarlyWalk: false } };
/** One class (maxStride 1): every fetch of the merge chains through the next-pointer bypass. */
const onePipe = pipe({ ...wide, mapping: { ...wide.mapping, maxStride: 1 } }, 'sf_maptest_cp1');

const STALLS = [0, 300, 600];
const TIMEOUT_MS = 600_000;

async function check(spec: AcceleratorSpec, layer: MapLayer, coords: Coord[], seed: number): Promise<number> {
  const j: MapJob = { layer, inCoords: coords };
  const { result, cmp } = await cosim(spec, j, { seed, stallIn: STALLS[seed % 3], stallOut: STALLS[(seed >> 1) % 3] });
  const what = `${spec.name} conv k=${layer.kernelSize} s=${layer.stride} ts=${layer.inTensorStride}, ${coords.length} points, seed ${seed}`;
  expect(cmp.mismatches, what).toEqual([]);
  expect(result.status.done, what).toBe(true);
  return result.counters.MAP_DS_CYCLES!;
}

const conv = (k: number, s: number, ts: number): MapLayer => ({ type: 'conv', kernelSize: k, stride: s, inTensorStride: ts });

describe('pipelined downsampler merge: co-simulation under backpressure', () => {
  it('rejects maxStride 8 (64 classes) with a message naming the parameter', () => {
    expect(() => defineAccelerator({ name: 'sf_cp8', mapping: { maxStride: 8, comparePipeline: true } })).toThrow(/mapping\.comparePipeline.*maxStride ≤ 4/s);
  });

  it('emits -Wall clean RTL: 16, 4 (map-free and not) and 1 class', async () => {
    for (const spec of [widePipe, fpgaPipe, pipe(presets.tiny, 'sf_tiny_cp'), onePipe]) {
      const out = join(PROJECT_ROOT, '.cache', 'lint-gate', spec.name);
      await writeEmitted(emitAccelerator(spec).files, out);
      const report = await lintRtl(out, { concurrency: 2 });
      expect(report.messages.map(formatLintMessage), spec.name).toEqual([]);
    }
  }, TIMEOUT_MS);

  it('one class (maxStride 1): conv k=3 s=1 and k=2 s=1', async () => {
    const coords = cloud('batches', 310, 200, 1, 10);
    await check(onePipe, conv(3, 1, 1), coords, 13);
    await check(onePipe, conv(2, 1, 1), coords.slice(0, 1), 14);
  }, TIMEOUT_MS);

  it('START checks, registered with the knob: every error code, and one cycle more per layer (the model adds it)', async () => {
    const small = cloud('scatter', 5, 40, 1, 6);
    const conv2: MapJob = { layer: conv(2, 2, 1), inCoords: small };
    const expectError = async (job: MapJob, name: MapErrorName, override: StimulusOptions['override'] = undefined) => {
      const r = await simulate(widePipe, job, { stallIn: 200, stallOut: 200, seed: 9, maxCycles: 200_000, override });
      expect(r.timeout, name).toBe(false);
      expect([r.status.error, r.status.done, r.status.errorName, r.status.errorCode], name).toEqual([true, false, name, MAP_ERROR_CODES[name]]);
      expect(r.pairs.every((p) => p.output.length === 0)).toBe(true);
    };
    await expectError(conv2, 'UNSUPPORTED_LAYER', { type: 3 });
    await expectError(conv2, 'BAD_KERNEL', { kernelSize: 0 });
    await expectError(conv2, 'BAD_STRIDE', { stride: 3 });
    await expectError(conv2, 'BAD_TENSOR_STRIDE', { tsLog2: 8 });
    await expectError({ ...conv2, inCoords: cloud('scatter', 1, widePipe.buffers.coordDepth + 1, 1, 12) }, 'COORD_OVERFLOW');
    // A submanifold layer (no downsampler): PERF_TOTAL_CYCLES one more than without the knob.
    const sub: MapJob = { layer: { type: 'submanifold', kernelSize: 3, stride: 1, inTensorStride: 1 }, inCoords: small };
    const total = async (spec: AcceleratorSpec) => (await cosim(spec, sub, { seed: 6 })).result.counters.PERF_TOTAL_CYCLES!;
    expect((await total(widePipe)) - (await total(wide))).toBe(1);
    const model = (spec: AcceleratorSpec) =>
      replayLayer(replayParams(spec), { ...sub.layer, inCoords: small, outCoords: small, inChannels: 4, outChannels: 4, requant: false, bias: false }).total;
    expect(model(widePipe) - model(wide)).toBe(1);
  }, TIMEOUT_MS);

  it('16 classes (stride ≤ 4): random clouds at strides 2 and 4, tensor strides 1, 2, 4', async () => {
    const kinds = ['scatter', 'negative', 'batches'] as const;
    let seed = 1;
    for (const [ki, kind] of kinds.entries()) {
      const ts = [1, 2, 4][ki]!;
      const coords = cloud(kind, 300 + ki, 150 + 30 * ki, ts, 10);
      for (const l of [ki === 1 ? conv(3, 2, ts) : conv(2, 2, ts), conv(2, 4, ts)]) await check(widePipe, l, coords, seed++);
    }
  }, TIMEOUT_MS);

  it('edges: one point; every point in one class; one class of one point; a full coordinate buffer', async () => {
    await check(widePipe, conv(2, 4, 1), [[0, 3, -2, 5]], 7);
    // x, y multiples of 4: one class of stride 4 holds every point (the merge takes one class
    // every cycle, so its next pointer goes straight from the list RAM to its read address).
    const one = cloud('scatter', 41, 200, 1, 12).map((c) => [c[0], c[1] * 4, c[2] * 4, c[3]] as Coord);
    const oneSorted = [...new Map(one.map((c) => [c.join(','), c])).values()].sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || a[3] - b[3]);
    await check(widePipe, conv(2, 4, 1), oneSorted, 8);
    await check(widePipe, conv(2, 2, 1), oneSorted, 9);
    // Every point in class 0 but one (sub-position x mod 4 = 1, after the rest in canonical order).
    const lone = [...oneSorted.slice(0, 60), [0, 61, 1, 0] as Coord];
    await check(widePipe, conv(2, 2, 1), lone, 10);
    // coordDepth points.
    const full = cloud('scatter', 42, widePipe.buffers.coordDepth, 1, 12);
    expect(full.length).toBe(widePipe.buffers.coordDepth);
    await check(widePipe, conv(2, 2, 1), full, 11);
    await check(widePipe, conv(3, 4, 1), full, 12);
  }, TIMEOUT_MS);

  it('the bunny (fpga preset with the knob): conv k=2 and k=3, stride 2, under backpressure', async () => {
    const coords = bunny(0.4);
    expect(coords.length).toBeGreaterThan(500);
    await check(fpgaPipe, conv(2, 2, 1), coords, 4);
    await check(fpgaPipe, conv(3, 2, 1), coords, 5);
  }, TIMEOUT_MS);

  it('costs 2·classes + 1 cycles of start-up, one point per cycle after it: the cycle model adds the same', async () => {
    const coords = bunny(0.5);
    const l = conv(3, 2, 1);
    const plain = await check(fpgaPlain, l, coords, 0);
    const piped = await check(fpgaPipe, l, coords, 0);
    const out = convOutputCoords(coords, 2);
    const model = (spec: AcceleratorSpec) =>
      replayLayer(replayParams(spec), { type: 'conv', kernelSize: 3, stride: 2, inTensorStride: 1, inCoords: coords, outCoords: out, inChannels: 4, outChannels: 4, requant: false, bias: false }).downsample;
    expect(piped - plain).toBe(2 * 4 + 1);
    expect(model(fpgaPipe) - model(fpgaPlain)).toBe(piped - plain);
    // 16 classes: 33 cycles more.
    const c16 = cloud('scatter', 43, 300, 1, 12);
    expect((await check(widePipe, conv(2, 4, 1), c16, 6)) - (await check(wide, conv(2, 4, 1), c16, 6))).toBe(2 * 16 + 1);
  }, TIMEOUT_MS);
});
