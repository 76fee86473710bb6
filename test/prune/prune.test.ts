import { describe, expect, it } from 'vitest';
import { findNmViolation, runLayer, type NmPattern } from '../../generator/model/index.ts';
import { buildCase } from '../../generator/io/case-builder.ts';
import { bunnyPoints } from '../../generator/io/bunny.ts';
import { pruneCase, pruneNetwork, pruneWeights } from '../../generator/prune/prune.ts';
import type { Network } from '../../generator/model/network-types.ts';
import { denseReference } from '../../generator/model/dense-reference.ts';
import { Prng } from '../../generator/io/prng.ts';

describe('pruneWeights', () => {
  it('keeps the N largest magnitudes of each group; ties keep the lower channel', () => {
    // One kernel index, 6 input channels (a full 4-group and a short 2-group), 2 output channels.
    const w = [[[3, 0], [-7, 1], [7, 1], [2, 1], [-1, 5], [1, 0]]];
    const { weights, count } = pruneWeights(w, { n: 2, m: 4 });
    // cout 0: |3|, |-7|, |7|, |2| → keep -7 and 7; short group: 1 and 1 ≤ N, kept.
    // cout 1: 0, 1, 1, 1 → three ones tie: keep the first two channels (1 and 2).
    expect(weights).toEqual([[[0, 0], [-7, 1], [7, 1], [0, 0], [-1, 5], [1, 0]]]);
    expect(count).toEqual({ zeroed: 3, nonZerosBefore: 10, total: 12 });
    expect(w[0]![0]).toEqual([3, 0]); // input untouched
    expect(pruneWeights(w, { n: 1, m: 2 }).weights).toEqual([[[0, 0], [-7, 1], [7, 1], [0, 0], [-1, 5], [0, 0]]]);
  });

  it('gives N:M-sparse weights, is idempotent, and the golden result equals the dense reference of the pruned weights', () => {
    const prng = new Prng(7);
    const points = bunnyPoints().slice(0, 300);
    for (const [pattern, layer, cin] of [[{ n: 2, m: 4 }, 'submanifold', 10], [{ n: 1, m: 4 }, 'conv', 7], [{ n: 3, m: 8 }, 'transposed', 13]] as [NmPattern, 'submanifold' | 'conv' | 'transposed', number][]) {
      const c = buildCase({ points, voxel: 0.05, layer, kernel: layer === 'submanifold' ? 3 : 2, stride: layer === 'submanifold' ? 1 : 2, cin, cout: 5, requant: true, relu: false, seed: prng.int(1, 1000) });
      expect(findNmViolation(c.weights, pattern)).toBeDefined();
      const { case: p } = pruneCase(c, pattern);
      expect(findNmViolation(p.weights, pattern)).toBeUndefined();
      expect(pruneCase(p, pattern).count.zeroed).toBe(0);
      const r = runLayer(p).result;
      const ref = denseReference(p);
      expect(r.coords).toEqual(ref.coords);
      expect(r.accumulators).toEqual(ref.accumulators);
    }
  });
});

describe('pruneNetwork', () => {
  const net: Network = {
    name: 'two',
    inputChannels: 4,
    nodes: [
      { name: 'a', op: 'conv', inputs: ['input'], layer: { type: 'submanifold', kernelSize: 1, stride: 1, outChannels: 1 }, weights: [[[1], [2], [3], [4]]] },
      { name: 'b', op: 'conv', inputs: ['a'], layer: { type: 'submanifold', kernelSize: 1, stride: 1, outChannels: 1 }, weights: [[[5]]] },
      { name: 'c', op: 'add', inputs: ['a', 'a'], add: { multiplierA: [1], multiplierB: [1], shift: [0], relu: false } },
    ],
    outputs: ['b', 'c'],
  };

  it('prunes every conv node, or only the ones named', () => {
    const all = pruneNetwork(net, { n: 1, m: 2 });
    expect((all.network.nodes[0] as { weights: number[][][] }).weights).toEqual([[[0], [2], [0], [4]]]);
    expect(all.layers.map((l) => [l.node, l.count.zeroed])).toEqual([['a', 2], ['b', 0]]);
    const only = pruneNetwork(net, { n: 1, m: 4 }, ['b']);
    expect(only.network.nodes[0]).toBe(net.nodes[0]);
    expect(() => pruneNetwork(net, { n: 1, m: 4 }, ['c'])).toThrow('--layers: "c" is not a conv node of network two (conv nodes: a, b)');
    expect(() => pruneNetwork(net, { n: 1, m: 4 }, ['zz'])).toThrow('--layers: "zz" is not a node of network two');
  });
});
