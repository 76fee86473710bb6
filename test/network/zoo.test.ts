// The model zoo (generator/network/zoo/) and calibration (generator/network/calibrate.ts): the
// architectures' layouts, determinism, and calibrated INT8 networks that use the output range
// without saturating, and track their float reference.
import { describe, expect, it } from 'vitest';
import { planNetwork, runNetwork, type ConvNode, type Network } from '../../generator/model/index.ts';
import { bunnyPoints } from '../../generator/io/bunny.ts';
import { buildTensor } from '../../generator/io/tensor-builder.ts';
import { runFloatNetwork } from '../../generator/network/float.ts';
import { parseFloatNetwork, serializeFloatNetwork } from '../../generator/network/float-file.ts';
import { MINKUNET_CHANNELS } from '../../generator/network/zoo/minkunet.ts';
import { scaleChannels } from '../../generator/network/zoo/float-network.ts';
import { buildZooNetwork, zooFloatNetwork } from '../../generator/network/zoo/index.ts';

const bunny = buildTensor({ points: bunnyPoints(), voxel: 0.25, channels: 4, seed: 1 });
const convs = (net: Network) => net.nodes.filter((n): n is ConvNode => n.op === 'conv');

function correlation(a: number[], b: number[]): number {
  const ma = a.reduce((s, v) => s + v, 0) / a.length, mb = b.reduce((s, v) => s + v, 0) / b.length;
  let n = 0, da = 0, db = 0;
  for (let i = 0; i < a.length; i++) {
    n += (a[i] - ma) * (b[i] - mb);
    da += (a[i] - ma) ** 2;
    db += (b[i] - mb) ** 2;
  }
  return n / Math.sqrt(da * db);
}

describe('minkunet', () => {
  const z = buildZooNetwork({ arch: 'minkunet', width: 0.25, inChannels: 4, classes: 19, seed: 1 }, bunny);
  const net = z.network;
  const plan = planNetwork(net);
  let golden: ReturnType<typeof runNetwork> | undefined;
  const run = () => (golden ??= runNetwork(net, bunny, { all: true }));

  it('has the MinkUNet18 layout of TorchSparse/SPVNAS', () => {
    expect(net.name).toBe('minkunet-w0.25');
    expect(scaleChannels(MINKUNET_CHANNELS, 1)).toEqual([32, 32, 64, 128, 256, 256, 128, 96, 96]);
    const cs = scaleChannels(MINKUNET_CHANNELS, 0.25);
    expect(cs).toEqual([8, 8, 16, 32, 64, 64, 32, 24, 24]);
    const info = (n: string) => plan.info.get(n)!;
    expect(info('stem.1')).toMatchObject({ channels: 8, tensorStride: 1 });
    for (let s = 1; s <= 4; s++) {
      const down = net.nodes.find((n) => n.name === `enc${s}.down`) as ConvNode;
      expect(down.layer).toEqual({ type: 'conv', kernelSize: 2, stride: 2, outChannels: cs[s - 1] });
      expect(info(`enc${s}.res1`)).toMatchObject({ channels: cs[s], tensorStride: 2 ** s });
      const up = net.nodes.find((n) => n.name === `dec${s}.up`) as ConvNode;
      expect(up.layer).toEqual({ type: 'transposed', kernelSize: 2, stride: 2, outChannels: cs[4 + s] });
      expect(up.outputCoordsOf).toBe(s === 4 ? 'stem.1' : `enc${4 - s}.res1`);
      expect(net.nodes.find((n) => n.name === `dec${s}.cat`)!.inputs).toEqual([`dec${s}.up`, s === 4 ? 'stem.1' : `enc${4 - s}.res1`]);
      expect(info(`dec${s}.res1`)).toMatchObject({ channels: cs[4 + s], tensorStride: 2 ** (4 - s) });
    }
    // Residual blocks: 1×1 shortcut exactly where channels change (enc1.res0: 8 → 8 has none).
    const ds = net.nodes.filter((n) => n.name.endsWith('.ds')).map((n) => n.name);
    expect(ds).toEqual(['enc2.res0.ds', 'enc3.res0.ds', 'enc4.res0.ds', 'dec1.res0.ds', 'dec2.res0.ds', 'dec3.res0.ds', 'dec4.res0.ds']);
    expect(net.nodes.find((n) => n.name === 'enc1.res0')!.inputs).toEqual(['enc1.res0.conv2', 'enc1.down']);
    // stem 2; enc1 7 (no shortcut conv), enc2-4 8 each; dec1-4 9 each; head.
    expect(net.nodes).toHaveLength(2 + 7 + 3 * 8 + 4 * 9 + 1);
    const head = net.nodes.at(-1) as ConvNode;
    expect(head).toMatchObject({ name: 'head', layer: { type: 'submanifold', kernelSize: 1, outChannels: 19 } });
    expect(head.requant).toBeUndefined();
    expect(net.outputs).toEqual(['head']);
    // Every other conv requantizes; ReLU after conv1, down, up, the stem, and the adds; not after conv2 / ds.
    for (const c of convs(net).slice(0, -1)) {
      expect(c.requant, c.name).toBeDefined();
      expect(c.requant!.relu, c.name).toBe(!/\.(conv2|ds)$/.test(c.name));
    }
    for (const n of net.nodes) if (n.op === 'add') expect(n.add.relu).toBe(true);
  });

  it('is a function of the seed', () => {
    expect(zooFloatNetwork({ arch: 'minkunet', width: 0.25, inChannels: 4, classes: 19, seed: 1 })).toEqual(z.float);
    const other = zooFloatNetwork({ arch: 'minkunet', width: 0.25, inChannels: 4, classes: 19, seed: 2 });
    expect(other.nodes[0]).not.toEqual(z.float.nodes[0]);
  });

  it('calibrates: the INT8 range is used, few outputs saturate, the golden model agrees', () => {
    const { stats, tensors } = run();
    expect(stats.map((s) => s.saturated)).toEqual(z.stats.map((s) => s.saturated));
    for (const r of z.report) {
      const t = tensors.get(r.name)!;
      if (r.op === 'concat' || t.features === undefined) continue;
      expect(r.saturated / r.values, r.name).toBeLessThan(0.01);
      let max = 0;
      for (const row of t.features) for (const v of row) max = Math.max(max, Math.abs(v));
      expect(max, r.name).toBeGreaterThanOrEqual(120);
    }
    expect(z.report.reduce((s, r) => s + r.saturated, 0)).toBeGreaterThan(0);
    // Weights use the INT8 range too (per-layer scale: the largest folded weight is ±127).
    for (const c of convs(net)) expect(c.weights.flat(2).reduce((m, v) => Math.max(m, Math.abs(v)), 0), c.name).toBe(127);
    expect(stats.reduce((s, n) => s + n.wraps, 0)).toBe(0);
  });

  it('tracks the float reference through the scales', () => {
    const { tensors } = run();
    const float = runFloatNetwork(z.float, bunny, z.inputScale);
    for (const name of ['stem.1', 'enc2.res1', 'enc4.res1', 'dec2.cat', 'dec4.res1', 'head']) {
      const t = tensors.get(name)!;
      const f = float.get(name)!;
      expect(f.coords).toEqual(t.coords);
      const s = z.scales[name].outputScale;
      const q: number[] = [], r: number[] = [];
      (t.features ?? t.accumulators!).forEach((row, i) => row.forEach((v, c) => { q.push(v * s[c]); r.push(f.values[i * f.channels + c]); }));
      expect(correlation(q, r), name).toBeGreaterThan(0.98);
    }
    // The float file round-trips the float network and the scales.
    const back = parseFloatNetwork(JSON.parse(serializeFloatNetwork({ network: z.float, inputScale: z.inputScale, scales: z.scales })));
    expect(back.scales).toEqual(z.scales);
    const w = (back.network.nodes[0] as { weights: number[][][] }).weights[4][1][2];
    expect(w).toBe(Math.fround((z.float.nodes[0] as { weights: number[][][] }).weights[4][1][2]));
  });
});

describe('resnet', () => {
  it('is an encoder-only SparseResNet21D-style backbone, calibrated', () => {
    const z = buildZooNetwork({ arch: 'resnet', width: 0.5, inChannels: 4, classes: 10, seed: 3 }, bunny);
    const net = z.network;
    const plan = planNetwork(net);
    expect(net.name).toBe('resnet-w0.5');
    const stage = (s: number) => net.nodes.find((n) => n.name === `stage${s}.conv`) as ConvNode;
    expect(stage(0).layer).toEqual({ type: 'submanifold', kernelSize: 3, stride: 1, outChannels: 8 });
    for (const [s, c] of [[1, 16], [2, 32], [3, 64]]) {
      expect(stage(s).layer).toEqual({ type: 'conv', kernelSize: 3, stride: 2, outChannels: c });
      expect(plan.info.get(`stage${s}.res2`)).toMatchObject({ channels: c, tensorStride: 2 ** s });
    }
    expect(net.nodes.filter((n) => n.op === 'add')).toHaveLength(8);
    expect(net.nodes.some((n) => n.name.endsWith('.ds'))).toBe(false);
    expect(plan.info.get('head')).toMatchObject({ channels: 10, tensorStride: 8, hasFeatures: false });
    for (const r of z.report) if (r.op !== 'concat' && r.name !== 'head') expect(r.saturated / r.values, r.name).toBeLessThan(0.01);
  });

  it('option errors name the flag', () => {
    const o = { arch: 'resnet', width: 1, inChannels: 4, classes: 10, seed: 1 };
    expect(() => zooFloatNetwork({ ...o, arch: 'vgg' })).toThrow('ARCH: must be one of minkunet, resnet, got "vgg"');
    expect(() => zooFloatNetwork({ ...o, width: 0 })).toThrow('--width: must be a number in (0, 16], got 0');
    expect(() => zooFloatNetwork({ ...o, classes: 0 })).toThrow('--classes: must be an integer in [1, 4096], got 0');
    expect(() => zooFloatNetwork({ ...o, inChannels: 1.5 })).toThrow('--in-channels: must be an integer in [1, 4096], got 1.5');
  });
});
