// Pruning sensitivity (generator/prune/sensitivity.ts): per-layer and whole-network rows on the
// hand-made U-Net (INT8 only) and on a small model-zoo MinkUNet with its float reference.
import { describe, expect, it } from 'vitest';
import { presets } from '../../generator/dsl/presets.ts';
import { runNetwork } from '../../generator/model/index.ts';
import { buildTensor } from '../../generator/io/tensor-builder.ts';
import { bunnyPoints } from '../../generator/io/bunny.ts';
import { buildZooNetwork } from '../../generator/network/zoo/index.ts';
import { argmaxChanged, formatSensitivity, sensitivity, sqnrDb, withWeightSparsity } from '../../generator/prune/sensitivity.ts';
import { pruneNetwork } from '../../generator/prune/prune.ts';
import { tinyInput, tinyUNet } from '../network/nets.ts';

const out = (values: number[], channels: number) => new Map([['o', { points: values.length / channels, channels, values: Float64Array.from(values) }]]);

describe('metrics', () => {
  it('SQNR in dB over every value, argmax changes per point', () => {
    expect(sqnrDb(out([3, 4], 2), out([3, 4], 2))).toBe(Infinity);
    // signal 25, noise 0.25 → 20 dB
    expect(sqnrDb(out([3, 4], 2), out([3.5, 4], 2))).toBeCloseTo(20, 12);
    expect(argmaxChanged(out([1, 2, 5, 0, 1, 1], 2), out([1, 2, 0, 5, 1, 1], 2))).toBeCloseTo(1 / 3, 12);
  });

  it('the N:M twin of a spec widens the stream as needed', () => {
    const t = withWeightSparsity(presets.fpga, '2:4');
    expect([t.name, t.matrix.weightSparsity, t.interfaces.axisDataWidth]).toEqual(['sf_fpga_2of4', '2:4', 256]);
    expect(withWeightSparsity(presets.fpga, 'dense').interfaces.axisDataWidth).toBe(128);
  });
});

describe('sensitivity', () => {
  it('INT8 only: one row per conv layer plus all; pruning that zeroes nothing changes nothing', () => {
    const net = tinyUNet();
    const r = sensitivity(net, tinyInput(), { pattern: { n: 2, m: 4 }, spec: presets.tiny });
    expect(r.rows.map((x) => x.layer)).toEqual(['stem', 'down', 'up', 'branch', 'head', 'all']);
    // stem has 2 input channels: at most 2 non-zeros per group of 4 already.
    const stem = r.rows[0]!;
    expect([stem.zeroed, stem.sqnrDb, stem.argmaxChanged]).toEqual([0, Infinity, 0]);
    const all = r.rows.at(-1)!;
    expect(all.zeroed).toBe(r.rows.slice(0, -1).reduce((s, x) => s + x.zeroed, 0));
    expect(all.cyclesSaved).toBe(r.rows.slice(0, -1).reduce((s, x) => s + x.cyclesSaved, 0));
    // The all-layers row is the golden network of the pruned network, compared with the unpruned one.
    const a = runNetwork(net, tinyInput()).result.nodes.head!.accumulators!.flat();
    const b = runNetwork(pruneNetwork(net, { n: 2, m: 4 }).network, tinyInput()).result.nodes.head!.accumulators!.flat();
    const sig = a.reduce((s, v) => s + v * v, 0);
    const noise = a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0);
    expect(all.sqnrDb).toBeCloseTo(10 * Math.log10(sig / noise), 9);
    expect(r.floatReference).toBeUndefined();
    expect(formatSensitivity(r)).toContain('no float network given');
  });

  it('a zoo MinkUNet with its float reference: quantization, pruning and both side by side', () => {
    const input = buildTensor({ points: bunnyPoints(), voxel: 1.2, channels: 4, seed: 3 });
    const z = buildZooNetwork({ arch: 'minkunet', width: 0.125, inChannels: 4, classes: 5, seed: 3 }, input);
    const layers = ['dec4.res0.conv1', 'head'];
    const r = sensitivity(z.network, input, { pattern: { n: 1, m: 4 }, layers, spec: presets.fpga, float: { network: z.float, inputScale: z.inputScale, scales: z.scales } });
    expect(r.rows.map((x) => x.layer)).toEqual([...layers, 'all']);
    const q = r.floatReference!.int8SqnrDb;
    expect(Number.isFinite(q) && q > 5).toBe(true);
    for (const row of r.rows) {
      expect(row.zeroed).toBeGreaterThan(0);
      expect(row.float!.int8).toBe(q);
      expect(Number.isFinite(row.float!.pruned)).toBe(true);
      expect(row.float!.both).toBeLessThanOrEqual(q + 0.5);
    }
    expect(r.rows.at(-1)!.sqnrDb).toBeLessThanOrEqual(Math.min(...r.rows.slice(0, -1).map((x) => x.sqnrDb)) + 1);
  });
});
