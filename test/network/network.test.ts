// The golden network (generator/model/network*.ts): validation errors that name the node, node
// semantics on a hand-made U-Net, per-node statistics, the per-node layer cases a runner drives.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_WIDTHS, NodeError, layerStats, networkShapes, nodeLayerCase, planNetwork, requantSaturated, runLayer, runNetwork, runNode,
  type AddNode, type ConvNode, type Network, type NodeTensor,
} from '../../generator/model/index.ts';
import { clone, tinyInput, tinyUNet } from './nets.ts';
import { referenceNetwork } from './reference.ts';

const conv = (net: Network, name: string) => net.nodes.find((n) => n.name === name) as ConvNode;
const add = (net: Network, name: string) => net.nodes.find((n) => n.name === name) as AddNode;

function error(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('network validation', () => {
  const bad = (mutate: (n: Network) => void, input: NodeTensor = tinyInput()) => {
    const net = clone(tinyUNet());
    mutate(net);
    return error(() => runNetwork(net, input));
  };

  it('accepts the hand-made U-Net in any node order and gives a topological order', () => {
    const net = tinyUNet();
    const plan = planNetwork(net);
    expect(plan.order).toEqual(['stem', 'down', 'up', 'cat', 'branch', 'res', 'head']);
    const reversed = { ...net, nodes: [...net.nodes].reverse() };
    const a = runNetwork(net, tinyInput(), { all: true });
    const b = runNetwork(reversed, tinyInput(), { all: true });
    expect(b.result).toEqual(a.result);
    const ro = planNetwork(reversed).order;
    for (const n of net.nodes) for (const s of n.inputs) if (s !== 'input') expect(ro.indexOf(s)).toBeLessThan(ro.indexOf(n.name));
    expect(plan.info.get('cat')).toMatchObject({ channels: 8, tensorStride: 1, hasFeatures: true, consumers: ['branch', 'res'] });
    expect(plan.info.get('down')).toMatchObject({ channels: 4, tensorStride: 2 });
    expect(plan.info.get('head')).toMatchObject({ hasFeatures: false, consumers: [] });
  });

  it('names the node: graph errors', () => {
    expect(bad((n) => { n.nodes[1].inputs = ['nope']; })).toBe('nodes[1] "down": inputs[0]: no node named "nope"');
    expect(bad((n) => { n.nodes[4].name = 'stem'; })).toBe('nodes[4] "stem": name: duplicate node name, also nodes[0]');
    expect(bad((n) => { n.nodes[2].name = 'input'; })).toBe('nodes[2] "input": name: "input" is reserved for the input cloud');
    expect(bad((n) => { (n.nodes[3] as { op: string }).op = 'mul'; })).toBe('nodes[3] "cat": op: must be one of conv, add, concat (got "mul")');
    expect(bad((n) => { n.nodes[3].inputs = ['up'] as never; })).toBe('nodes[3] "cat": inputs: a concat node has exactly 2 inputs');
    expect(bad((n) => { n.nodes[0].inputs = ['res']; })).toBe('nodes[1] "down": inputs: the graph has a cycle: "down" → "up" → "cat" → "res" → "stem" → "down"');
    expect(bad((n) => { n.nodes[4].inputs = ['branch']; })).toBe('nodes[4] "branch": inputs: the graph has a cycle: "branch" → "branch"');
    expect(bad((n) => { n.outputs = ['head', 'nope']; })).toBe('outputs[1]: no node named "nope"');
    expect(bad((n) => { n.outputs = []; })).toBe('outputs: must name at least one node');
    expect(bad((n) => { n.outputs = ['head', 'head']; })).toBe('outputs[1]: "head" is listed twice');
  });

  it('names the node: shapes, tensor strides, channels, requantization between nodes', () => {
    expect(bad((n) => { add(n, 'res').inputs = ['cat', 'stem']; }))
      .toBe('nodes[5] "res": inputs: "cat" has 8 channels but "stem" has 4; add needs the same channel count');
    expect(bad((n) => { add(n, 'res').inputs = ['cat', 'down']; }))
      .toBe('nodes[5] "res": inputs: "cat" has tensor stride 1 but "down" has tensor stride 2; add needs the same coordinate set');
    expect(bad((n) => { n.nodes[3].inputs = ['up', 'down']; }))
      .toBe('nodes[3] "cat": inputs: "up" has tensor stride 1 but "down" has tensor stride 2; concat needs the same coordinate set');
    expect(bad((n) => { conv(n, 'up').outputCoordsOf = 'down'; }))
      .toBe('nodes[2] "up": outputCoordsOf: "down" has tensor stride 2, but this transposed layer (input "down" at tensor stride 2, stride 2) outputs tensor stride 1');
    expect(bad((n) => { delete conv(n, 'up').outputCoordsOf; }))
      .toBe('nodes[2] "up": outputCoordsOf: a transposed layer names the node whose coordinates it outputs');
    expect(bad((n) => { conv(n, 'stem').outputCoordsOf = 'input'; }))
      .toBe('nodes[0] "stem": outputCoordsOf: only a transposed layer takes output coordinates (this one is submanifold)');
    expect(bad((n) => { conv(n, 'up').inputs = ['stem']; conv(n, 'up').weights = conv(n, 'down').weights; }))
      .toBe('nodes[2] "up": layer.stride: a transposed layer\'s stride must divide the tensor stride of its input "stem" (1), got 2');
    expect(bad((n) => { delete conv(n, 'branch').requant; }))
      .toBe('nodes[4] "branch": requant: missing, but the node feeds "res" (inputs[1] of nodes[5]); features between nodes are outWidth-bit, so only a network output may keep raw accumulators');
    expect(bad((n) => { conv(n, 'stem').layer.stride = 2; })).toBe('nodes[0] "stem": layer.stride: a submanifold layer has stride 1 (got 2)');
    expect(bad((n) => { conv(n, 'down').layer.stride = 3; }))
      .toBe('nodes[1] "down": layer.stride: output tensor stride 1·3 = 3 must be a power of two in [1, 2^30]');
  });

  it('names the node: data ranges and shapes', () => {
    expect(bad((n) => { conv(n, 'down').weights[7][2][0] = 300; }))
      .toBe('nodes[1] "down": weights[7][2][0]: must be an integer in [-2^7, 2^7-1] (8-bit signed), got 300');
    expect(bad((n) => { conv(n, 'branch').weights[0].pop(); })).toBe('nodes[4] "branch": weights[0]: must have 8 rows (layer.inChannels) (got 7)');
    expect(bad((n) => { conv(n, 'stem').requant!.shift[1] = 64; })).toBe('nodes[0] "stem": requant.shift[1]: must be an integer in [0, 63], got 64');
    expect(bad((n) => { add(n, 'res').add.multiplierB[3] = -1; })).toBe('nodes[5] "res": add.multiplierB[3]: must be an integer in [0, 2^31-1], got -1');
    expect(bad((n) => { add(n, 'res').add.shift = [1]; })).toBe('nodes[5] "res": add.shift: must be an array of 8 integers (one per channel)');
  });

  it('checks the input tensor and the coordinate sets of add and concat at run time', () => {
    const input = tinyInput();
    expect(bad(() => {}, { ...input, tensorStride: 2 })).toBe('input.tensorStride: the network input has tensor stride 1 (got 2)');
    expect(bad(() => {}, { ...input, features: input.features!.map((r) => [...r, 0]) }))
      .toBe('input.features[0]: must have 2 channels (the network\'s inputChannels), got 3');
    expect(bad(() => {}, { ...input, coords: [...input.coords.slice(0, 11), input.coords[0]] }))
      .toBe('input.coords[11]: duplicate coordinate [0, 1, 1, 0], same as input.coords[0]');
    // Within one network every tensor at a given tensor stride has the coordinates floor(input / ts)·ts,
    // so the run-time check guards runners that hand in their own tensors (e.g. from the RTL).
    const plan = planNetwork(tinyUNet());
    const t = (coords: [number, number, number, number][], c: number): NodeTensor => ({ tensorStride: 1, coords, features: coords.map(() => Array(c).fill(1)) });
    const tensors = new Map([['up', t([[0, 0, 0, 0], [0, 1, 0, 0]], 4)], ['stem', t([[0, 0, 0, 0], [0, 2, 0, 0]], 4)]]);
    expect(error(() => runNode(plan, 'cat', tensors)))
      .toBe('nodes[3] "cat": inputs: "up" and "stem" have different coordinate sets (concat needs the same): canonical row 1 is [0, 1, 0, 0] in the first and [0, 2, 0, 0] in the second');
    tensors.set('stem', t([[0, 0, 0, 0]], 4));
    expect(error(() => runNode(plan, 'cat', tensors))).toBe('nodes[3] "cat": inputs: "up" has 2 points but "stem" has 1 (concat needs the same coordinate set)');
    expect(error(() => runNode(plan, 'branch', tensors))).toBe('nodes[4] "branch": tensors: node "cat" has not run yet');
  });
});

describe('network semantics', () => {
  it('the U-Net: every node as the reference computes it, outputs in canonical order', () => {
    const net = tinyUNet();
    const run = runNetwork(net, tinyInput(), { all: true });
    const ref = referenceNetwork(net, tinyInput(), DEFAULT_WIDTHS);
    expect(Object.keys(run.result.nodes)).toEqual(run.order);
    for (const n of net.nodes) expect(run.result.nodes[n.name]).toEqual(ref[n.name]);
    expect(run.result.nodes.head.accumulators).toBeDefined();
    expect(run.result.nodes.head.features).toBeUndefined();
    expect(run.result.nodes.up.coords).toEqual(run.result.nodes.stem.coords);
    expect(run.result.nodes.down.tensorStride).toBe(2);
    // Without --all only the outputs.
    expect(Object.keys(runNetwork(net, tinyInput()).result.nodes)).toEqual(['head']);
    // keep: false drops features nobody reads any more, keeps coordinates, same result.
    const lean = runNetwork(net, tinyInput(), { keep: false });
    expect(lean.result).toEqual(runNetwork(net, tinyInput()).result);
    for (const name of ['input', 'stem', 'down', 'up', 'cat', 'branch', 'res']) {
      expect(lean.tensors.get(name)!.features, name).toBeUndefined();
      expect(lean.tensors.get(name)!.coords).toEqual(run.tensors.get(name)!.coords);
    }
    // The input under 'input', canonical.
    const inp = run.tensors.get('input')!;
    expect(inp.coords[0]).toEqual([0, -2, -1, 0]);
    // Values are not degenerate: the residual add produces both zeros (ReLU) and positive values.
    const flat = run.result.nodes.res.features!.flat();
    expect(Math.max(...flat)).toBeGreaterThan(0);
    expect(flat).toContain(0);
  });

  it('stats: map entries and MACs from the layer model, saturation counted exactly', () => {
    const net = tinyUNet();
    const run = runNetwork(net, tinyInput());
    for (const s of run.stats) {
      if (s.op !== 'conv') {
        expect(s).toMatchObject({ mapEntries: 0, macs: 0, kernelVolume: 0 });
        continue;
      }
      const c = nodeLayerCase(run.plan, s.name, run.tensors);
      const ls = layerStats(c);
      expect(s).toMatchObject({ pointsIn: ls.pointsIn, pointsOut: ls.pointsOut, mapEntries: ls.mapEntries, macs: ls.macs,
        mapEntriesPerOffset: ls.mapEntriesPerOffset, inTensorStride: ls.inTensorStride, outTensorStride: ls.outTensorStride });
      const lr = runLayer(c).result;
      expect(run.tensors.get(s.name)!.features ?? run.tensors.get(s.name)!.accumulators).toEqual(lr.features ?? lr.accumulators);
      expect(s.wraps).toBe(lr.wraps);
    }
    const seen: string[] = [];
    runNetwork(net, tinyInput(), { onNode: (st, done, total) => { seen.push(`${st.name} ${done}/${total}`); } });
    expect(seen).toEqual(run.order.map((n, i) => `${n} ${i + 1}/7`));
    const shapes = networkShapes(net, tinyInput().coords);
    expect(shapes.stats).toEqual(run.stats.map((s) => ({ ...s, wraps: 0, saturated: 0 })));
    expect(run.stats.find((s) => s.name === 'cat')).toMatchObject({ inChannels: 8, outChannels: 8, pointsIn: 12, pointsOut: 12 });
    expect(run.stats.some((s) => s.saturated > 0)).toBe(true);
  });

  it('requantSaturated agrees with an exact count at the clamp boundaries', () => {
    const acc = [[-(2 ** 40), -2049, -2048, -2047, -1, 0, 2031, 2032, 2033, 2 ** 40]];
    for (const [m, sh] of [[1, 4], [3, 7], [2 ** 31 - 1, 63], [0, 5], [5, 0], [123456, 40]]) {
      const rq = { multiplier: Array(10).fill(m), shift: Array(10).fill(sh), relu: false };
      const exact = acc[0].filter((a) => {
        const y = (BigInt(a) * BigInt(m) + (sh > 0 ? 1n << BigInt(sh - 1) : 0n)) >> BigInt(sh);
        return y > 127n || y < -128n;
      }).length;
      expect(requantSaturated(acc, rq, 8), `m ${m} sh ${sh}`).toBe(exact);
    }
  });
});
