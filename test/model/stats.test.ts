import { describe, expect, it } from 'vitest';
import { layerStats } from '../../generator/model/stats.ts';
import type { LayerCase } from '../../generator/model/types.ts';

describe('layerStats', () => {
  it('counts map entries per kernel index, MACs and neighbours', () => {
    // Three points in a row along x: the middle one has two x neighbours.
    const c: LayerCase = {
      layer: { type: 'submanifold', kernelSize: 3, stride: 1, inTensorStride: 1, inChannels: 2, outChannels: 5 },
      input: { coords: [[0, 2, 0, 0], [0, 0, 0, 0], [0, 1, 0, 0]], features: [[0, 0], [0, 0], [0, 0]] },
      weights: Array.from({ length: 27 }, () => [[0, 0, 0, 0, 0], [0, 0, 0, 0, 0]]),
    };
    const s = layerStats(c);
    const perOffset = new Array(27).fill(0);
    perOffset[12] = 2; // δ = (-1, 0, 0)
    perOffset[13] = 3;
    perOffset[14] = 2;
    expect(s).toEqual({
      layerType: 'submanifold', pointsIn: 3, pointsOut: 3, inTensorStride: 1, outTensorStride: 1, kernelVolume: 27,
      mapEntriesPerOffset: perOffset, mapEntries: 7, macs: 7 * 2 * 5, avgNeighbours: 7 / 3,
    });
  });

  it('describes a downsampling conv', () => {
    const c: LayerCase = {
      layer: { type: 'conv', kernelSize: 2, stride: 2, inTensorStride: 2, inChannels: 1, outChannels: 1 },
      input: { coords: [[0, 0, 0, 0], [0, 2, 2, 2], [0, 4, 0, 0]], features: [[1], [1], [1]] },
      weights: Array.from({ length: 8 }, () => [[1]]),
    };
    const s = layerStats(c);
    expect(s).toMatchObject({ pointsIn: 3, pointsOut: 2, inTensorStride: 2, outTensorStride: 4, mapEntries: 3, macs: 3, avgNeighbours: 1.5 });
    expect(s.mapEntriesPerOffset[0]).toBe(2);
    expect(s.mapEntriesPerOffset[7]).toBe(1);
  });

  it('reports 0 neighbours for an empty cloud', () => {
    const c: LayerCase = {
      layer: { type: 'submanifold', kernelSize: 1, stride: 1, inTensorStride: 1, inChannels: 1, outChannels: 1 },
      input: { coords: [], features: [] },
      weights: [[[1]]],
    };
    expect(layerStats(c)).toMatchObject({ pointsOut: 0, mapEntries: 0, avgNeighbours: 0 });
  });
});
