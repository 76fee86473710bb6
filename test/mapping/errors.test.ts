// Capacity and unsupported-configuration errors: the engine raises STATUS.ERROR with a code
// readable over AXI-Lite, never emits a map entry for a run it cannot do, and never drops one
// silently.
import { describe, expect, it } from 'vitest';
import { MAP_ERROR_CODES, type MapErrorName } from '../../generator/dsl/derive/mapping.ts';
import type { MapJob, MapSimResult, StimulusOptions } from '../../generator/sim/mapping/driver.ts';
import type { AcceleratorSpec } from '../../generator/dsl/spec.ts';
import { cloud } from './clouds.ts';
import { cosim, simulate } from './run.ts';
import { noConv, tiny } from './specs.ts';

const small = cloud('scatter', 5, 40, 1, 6);
const sub3: MapJob = { layer: { type: 'submanifold', kernelSize: 3, stride: 1, inTensorStride: 1 }, inCoords: small };
const conv2: MapJob = { layer: { type: 'conv', kernelSize: 2, stride: 2, inTensorStride: 1 }, inCoords: small };

async function expectError(spec: AcceleratorSpec, job: MapJob, name: MapErrorName, opts: StimulusOptions = {}): Promise<MapSimResult> {
  const r = await simulate(spec, job, { stallIn: 200, stallOut: 200, seed: 9, maxCycles: 200_000, ...opts });
  expect(r.timeout, 'the run must end (no hang)').toBe(false);
  expect(r.status.error).toBe(true);
  expect(r.status.done).toBe(false);
  expect(r.status.busy).toBe(false);
  expect(r.status.errorName).toBe(name);
  expect(r.status.errorCode).toBe(MAP_ERROR_CODES[name]);
  expect(r.pairs.every((p) => p.output.length === 0), 'no map entry for a refused run').toBe(true);
  return r;
}

describe('mapping engine error paths (tiny preset)', () => {
  it('more input points than buffers.coordDepth', async () => {
    const big = cloud('scatter', 1, tiny.buffers.coordDepth + 1, 1, 12);
    expect(big.length).toBe(tiny.buffers.coordDepth + 1);
    await expectError(tiny, { ...sub3, inCoords: big }, 'COORD_OVERFLOW');
  });
  it('more transposed output points than buffers.coordDepth', async () => {
    const out = cloud('scatter', 2, tiny.buffers.coordDepth + 3, 1, 12);
    await expectError(tiny, { layer: { type: 'transposed', kernelSize: 2, stride: 2, inTensorStride: 2 }, inCoords: small.map((c) => [c[0], c[1] * 2, c[2] * 2, c[3] * 2]), outCoords: out }, 'COORD_OVERFLOW');
  });
  it('kernel size above maxKernelSize, and 0', async () => {
    await expectError(tiny, sub3, 'BAD_KERNEL', { override: { kernelSize: tiny.mapping.maxKernelSize + 1 } });
    await expectError(tiny, sub3, 'BAD_KERNEL', { override: { kernelSize: 0 } });
  });
  it('stride above maxStride, not a power of two, or ≠ 1 for submanifold', async () => {
    await expectError(tiny, conv2, 'BAD_STRIDE', { override: { stride: 4 } });
    await expectError(tiny, conv2, 'BAD_STRIDE', { override: { stride: 3 } });
    await expectError(tiny, conv2, 'BAD_STRIDE', { override: { stride: 0 } });
    await expectError(tiny, sub3, 'BAD_STRIDE', { override: { stride: 2 } });
  });
  it('layer type code 3', async () => {
    await expectError(tiny, sub3, 'UNSUPPORTED_LAYER', { override: { type: 3 } });
  });
  it('layer type not in the spec (no downsampler generated)', async () => {
    await expectError(noConv, conv2, 'UNSUPPORTED_LAYER');
    // The same RTL still maps submanifold layers.
    const { cmp } = await cosim(noConv, sub3, { seed: 2, stallIn: 300, stallOut: 300 });
    expect(cmp.mismatches).toEqual([]);
  });
  it('tensor stride that would overflow a shifted or quantized coordinate', async () => {
    // coordWidth 8: ts' = 2^8 would reach past the sign bit (ts' = 2^7 is still fine).
    await expectError(tiny, conv2, 'BAD_TENSOR_STRIDE', { override: { tsLog2: 7 } });
    // |δ| = 1 · 2^7 is still in range for k = 3 …
    const far = { ...sub3, inCoords: [[0, -128, 0, 0], [0, 0, 0, 0]] as MapJob['inCoords'] };
    const { cmp } = await cosim(tiny, { ...far, layer: { ...far.layer, inTensorStride: 128 } });
    expect(cmp.mismatches).toEqual([]);
    // … a transposed layer needs ts ≥ stride.
    await expectError(tiny, { layer: { type: 'transposed', kernelSize: 2, stride: 2, inTensorStride: 2 }, inCoords: small, outCoords: small }, 'BAD_TENSOR_STRIDE', { override: { tsLog2: 0 } });
  });
  it('unsorted and duplicate coordinates', async () => {
    const swapped = [...small];
    [swapped[3], swapped[4]] = [swapped[4]!, swapped[3]!];
    await expectError(tiny, { ...sub3, inCoords: swapped }, 'UNSORTED_COORDS');
    const dup = [...small];
    dup[5] = dup[4]!;
    await expectError(tiny, { ...sub3, inCoords: dup }, 'DUPLICATE_COORD');
  });
  it('a stream that ends early or carries too many beats', async () => {
    await expectError(tiny, sub3, 'STREAM_PROTOCOL', { editBeats: (b) => b.map((x, i) => ({ ...x, last: i === 10 })) });
    await expectError(tiny, sub3, 'STREAM_PROTOCOL', { override: { nIn: small.length - 3 } });
    await expectError(tiny, sub3, 'STREAM_PROTOCOL', { override: { nIn: small.length + 2 }, editBeats: (b) => [...b, ...b.slice(0, 2).map((x) => ({ ...x, last: false }))] });
  });
  it('coordinates outside the spec are refused by the driver, never truncated', async () => {
    const { checkJobFits } = await import('../../generator/sim/mapping/driver.ts');
    expect(() => checkJobFits(tiny, { ...sub3, inCoords: [[0, 128, 0, 0]] })).toThrow(/coordinate 128 outside/);
    expect(() => checkJobFits(tiny, { ...sub3, inCoords: [[16, 0, 0, 0]] })).toThrow(/batch index 16/);
  });
  it('empty input: a map without entries', async () => {
    const { cmp, result } = await cosim(tiny, { ...conv2, inCoords: [] });
    expect(cmp.mismatches).toEqual([]);
    expect(result.outPoints).toBe(0);
  });
});
