// Co-simulation of the mapping engine against the golden model: every map entry (per kernel
// index, in the documented order) and every downsampled coordinate, under random backpressure.
import { describe, expect, it } from 'vitest';
import { randomValidSpec } from '../../generator/dsl/random.ts';
import type { AcceleratorSpec } from '../../generator/dsl/spec.ts';
import type { MapJob, MapLayer } from '../../generator/sim/mapping/driver.ts';
import type { Coord } from '../../generator/model/types.ts';
import { bunny, cloud, transposedPair, type CloudKind } from './clouds.ts';
import { cosim } from './run.ts';
import { bunnySpec, tiny, wide } from './specs.ts';

const STALLS = [0, 250, 600];

function job(layer: MapLayer, coords: Coord[]): MapJob {
  if (layer.type !== 'transposed') return { layer, inCoords: coords };
  const tsOut = layer.inTensorStride / layer.stride;
  return { layer, ...transposedPair(coords, tsOut, layer.stride) };
}

/** Layers over a cloud at tensor stride ts (for transposed: the cloud is the output, at ts). */
function layersFor(spec: AcceleratorSpec, ts: number): MapLayer[] {
  const m = spec.mapping;
  const all: MapLayer[] = [
    { type: 'submanifold', kernelSize: 3, stride: 1, inTensorStride: ts },
    { type: 'submanifold', kernelSize: 5, stride: 1, inTensorStride: ts },
    { type: 'submanifold', kernelSize: 2, stride: 1, inTensorStride: ts },
    { type: 'conv', kernelSize: 2, stride: 2, inTensorStride: ts },
    { type: 'conv', kernelSize: 3, stride: 2, inTensorStride: ts },
    { type: 'conv', kernelSize: 3, stride: 1, inTensorStride: ts },
    { type: 'conv', kernelSize: 2, stride: 4, inTensorStride: ts },
    { type: 'conv', kernelSize: 2, stride: 8, inTensorStride: ts },
    { type: 'submanifold', kernelSize: 1, stride: 1, inTensorStride: ts },
    { type: 'transposed', kernelSize: 2, stride: 2, inTensorStride: ts * 2 },
  ];
  return all.filter((l) => m.layerTypes.includes(l.type) && l.kernelSize <= m.maxKernelSize && l.stride <= m.maxStride);
}

function label(l: MapLayer): string {
  return `${l.type} k=${l.kernelSize} s=${l.stride} ts=${l.inTensorStride}`;
}

async function check(spec: AcceleratorSpec, j: MapJob, seed: number): Promise<void> {
  const { result, cmp } = await cosim(spec, j, { seed, stallIn: STALLS[seed % 3], stallOut: STALLS[(seed >> 1) % 3] });
  expect(cmp.mismatches, `${label(j.layer)}, ${j.inCoords.length} points`).toEqual([]);
  expect(result.status.done).toBe(true);
  expect(cmp.totalEntries).toBe(result.counters.PERF_MAP_ENTRIES);
}

describe('mapping engine co-simulation: random clouds (3 lanes, k ≤ 5, stride ≤ 4)', () => {
  const kinds: CloudKind[] = ['blob', 'scatter', 'line', 'plane', 'negative', 'batches'];
  kinds.forEach((kind, ki) => {
    const ts = [1, 2, 4][ki % 3]!;
    it(`${kind} at tensor stride ${ts}`, async () => {
      const coords = cloud(kind, 100 + ki, 160 + 40 * ki, ts);
      let seed = ki * 17;
      for (const l of layersFor(wide, ts)) await check(wide, job(l, coords), seed++);
    });
  });
  it('scatter at tensor strides 1, 2 and 4', async () => {
    for (const ts of [1, 2, 4]) {
      const coords = cloud('scatter', 7 + ts, 300, ts, 12);
      let seed = ts * 5;
      for (const l of layersFor(wide, ts)) await check(wide, job(l, coords), seed++);
    }
  });
});

describe('mapping engine co-simulation: tiny preset (1 lane)', () => {
  it('submanifold, conv and transposed layers on random clouds', async () => {
    const kinds: CloudKind[] = ['blob', 'batches', 'negative'];
    let seed = 1;
    for (const kind of kinds) {
      const coords = cloud(kind, seed, 200, 1, 10);
      for (const l of layersFor(tiny, 1)) await check(tiny, job(l, coords), seed++);
    }
  });
});

describe('mapping engine co-simulation: the bunny (fpga preset, 2 lanes)', () => {
  for (const voxel of [0.5, 0.3]) {
    it(`voxel ${voxel}`, async () => {
      const coords = bunny(voxel);
      expect(coords.length).toBeGreaterThan(500);
      const layers: MapLayer[] = [
        { type: 'submanifold', kernelSize: 3, stride: 1, inTensorStride: 1 },
        { type: 'conv', kernelSize: 2, stride: 2, inTensorStride: 1 },
        { type: 'conv', kernelSize: 3, stride: 2, inTensorStride: 1 },
        { type: 'transposed', kernelSize: 2, stride: 2, inTensorStride: 2 },
      ];
      if (voxel === 0.5) layers.push({ type: 'submanifold', kernelSize: 5, stride: 1, inTensorStride: 1 });
      let seed = Math.round(voxel * 10);
      for (const l of layers) await check(bunnySpec, job(l, coords), seed++);
    });
  }
});

describe('mapping engine co-simulation: random valid specs', () => {
  for (const specSeed of [3, 5, 8, 11]) {
    it(`randomValidSpec(${specSeed})`, async () => {
      const spec = randomValidSpec(specSeed);
      const m = spec.mapping;
      const span = Math.max(2, Math.min(12, 2 ** (m.coordWidth - 1) / 16));
      const n = Math.min(spec.buffers.coordDepth, 120);
      const coords = cloud('scatter', specSeed, n, 1, span).filter((c) => c[0] < 2 ** m.batchWidth);
      let seed = specSeed;
      const layers = layersFor(spec, 1).filter((l) => l.type !== 'transposed' || 2 * span * 2 < 2 ** (m.coordWidth - 1));
      expect(layers.length).toBeGreaterThan(0);
      for (const l of layers) await check(spec, job(l, coords), seed++);
    });
  }
});
