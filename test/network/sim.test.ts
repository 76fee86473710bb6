// The network runner on the RTL (generator/network/runner.ts) and the cycle-model estimate
// (estimate.ts): a hand-made U-Net with every node kind and a residual chain with map reuse, on
// the fpga preset, bit-exact at every node under random backpressure; a wrong node is named; the
// estimate makes the same tiling and reuse decisions; stream byte counts match the stream.
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { derive } from '../../generator/dsl/derive/index.ts';
import { presets } from '../../generator/dsl/presets.ts';
import { bunnyPoints } from '../../generator/io/bunny.ts';
import { writeNetworkFile } from '../../generator/io/network.ts';
import { readNetworkResultFile } from '../../generator/io/network-result.ts';
import { writeTensorFile } from '../../generator/io/tensor.ts';
import { buildTensor } from '../../generator/io/tensor-builder.ts';
import { runNetwork, type Network, type NetworkNode, type NodeTensor } from '../../generator/model/index.ts';
import { estimateNetwork } from '../../generator/network/estimate.ts';
import { formatNetworkReport } from '../../generator/network/report.ts';
import { simulateNetwork } from '../../generator/network/runner.ts';
import { canonicalLayer, tileHw } from '../../generator/sim/accel/driver.ts';
import { encodeLayer, inputBeatCount } from '../../generator/sim/accel/stream.ts';
import { readBeats } from '../../generator/sim/run.ts';
import { planTiles, tileLimits } from '../../generator/model/tiles.ts';
import { tempDir } from '../io/cases.ts';
import { randomCase } from '../accel/cases.ts';
import { clone, tinyInput, tinyUNet } from './nets.ts';

const spec = presets.fpga;
const TIMEOUT = 600_000;
const BIN = join(import.meta.dirname, '../../bin/sparseforge');
const t = tempDir('sparseforge-net-sim-');
afterAll(t.cleanup);

const ramp = (k: number, cin: number, cout: number, seed: number) =>
  Array.from({ length: k ** 3 }, (_, i) => Array.from({ length: cin }, (_, c) => Array.from({ length: cout }, (_, o) => ((i * 7 + c * 5 + o * 3 + seed) % 9) - 4)));
const rq = (cout: number, relu: boolean) => ({ multiplier: Array(cout).fill(5), shift: Array(cout).fill(7), relu });

/** stem → [a → b] + stem → [c → d] + res1 → down → head: two residual blocks whose convs share the stem's map. */
function residualChain(c1 = 16, c2 = 24): Network {
  const sub = (name: string, input: string, cin: number, cout: number, seed: number, relu = true): NetworkNode => ({
    name, op: 'conv', inputs: [input], layer: { type: 'submanifold', kernelSize: 3, stride: 1, outChannels: cout }, weights: ramp(3, cin, cout, seed),
    bias: Array.from({ length: cout }, (_, o) => o - 3), requant: rq(cout, relu),
  });
  const add = (name: string, a: string, b: string, c: number): NetworkNode => ({
    name, op: 'add', inputs: [a, b], add: { multiplierA: Array(c).fill(3), multiplierB: Array(c).fill(5), shift: Array(c).fill(3), relu: true },
  });
  const nodes: NetworkNode[] = [
    sub('stem', 'input', 3, c1, 1),
    sub('a', 'stem', c1, c1, 2),
    sub('b', 'a', c1, c1, 3, false),
    add('res0', 'stem', 'b', c1),
    sub('c', 'res0', c1, c2, 4),
    sub('d', 'c', c2, c1, 5, false),
    add('res1', 'res0', 'd', c1),
    { name: 'down', op: 'conv', inputs: ['res1'], layer: { type: 'conv', kernelSize: 2, stride: 2, outChannels: 8 }, weights: ramp(2, c1, 8, 6), requant: rq(8, true) },
    { name: 'head', op: 'conv', inputs: ['down'], layer: { type: 'submanifold', kernelSize: 1, stride: 1, outChannels: 5 }, weights: ramp(1, 8, 5, 7) },
  ];
  return { name: 'residual-chain', inputChannels: 3, nodes, outputs: ['head'] };
}

describe('net sim: the network runner on the RTL', () => {
  it('a U-Net with every node kind, bit-exact at every node under backpressure; the report says where each node ran', async () => {
    const r = await simulateNetwork(spec, tinyUNet(), tinyInput(), { stall: 0.3, seed: 7, all: true });
    expect(r.report.match, r.report.firstMismatch?.report).toBe(true);
    expect(r.result).toEqual(runNetwork(tinyUNet(), tinyInput(), { all: true, widths: spec.arithmetic }).result);
    expect(r.report.nodes.map((n) => `${n.name}:${n.where}`)).toEqual(['stem:accelerator', 'down:accelerator', 'up:accelerator', 'cat:host', 'branch:accelerator', 'res:host', 'head:accelerator']);
    expect(r.report.nodes.every((n) => n.match === true)).toBe(true);
    const T = r.report.totals;
    expect(T.cycles).toBe(r.report.nodes.reduce((a, n) => a + n.cycles.total, 0));
    expect(T.utilisation).toBeCloseTo(T.computeBound / T.cycles, 12);
    expect(T.offChipBytes).toBe(T.bytesIn + T.bytesOut);
    for (const n of r.report.nodes.filter((x) => x.where === 'accelerator')) expect(n.cycles.total).toBe(n.cycles.compute + n.cycles.stall + n.cycles.tail);
    const text = formatNetworkReport(r.report);
    expect(text).toMatch(/^node +op +on +points in→out/);
    expect(text).toContain('bit-exact: every node matches the golden network');
  }, TIMEOUT);

  it('a residual chain on the bunny reuses the map along the chain, bit-exact with and without reuse; the cycle model follows within 1 %', async () => {
    const net = residualChain();
    const input = buildTensor({ points: bunnyPoints(), voxel: 0.5, channels: 3, seed: 4 });
    const on = await simulateNetwork(spec, net, input, { stall: 0.25, seed: 3 });
    expect(on.report.match, on.report.firstMismatch?.report).toBe(true);
    const reused = on.report.nodes.filter((n) => n.reused).map((n) => n.name);
    expect(reused).toEqual(['a', 'b', 'c', 'd']);
    const quiet = await simulateNetwork(spec, net, input, {});
    const off = await simulateNetwork(spec, net, input, { reuse: false });
    expect(quiet.report.match && off.report.match).toBe(true);
    expect(off.report.nodes.some((n) => n.reused)).toBe(false);
    expect(quiet.report.totals.cycles).toBeLessThan(off.report.totals.cycles);
    expect(quiet.report.totals.bytesIn).toBeLessThan(off.report.totals.bytesIn);
    // Without backpressure the cycle model predicts the chain's nodes within 1 %, with and without
    // reuse; the small 268-point layers after the downsampling within 1.6 % (measured: the 1×1
    // head −1.52 %, the downsampling −0.86 %).
    for (const x of [quiet, off]) {
      for (const n of x.report.nodes.filter((y) => y.where === 'accelerator')) {
        const bound = n.inTensorStride === 1 ? 0.01 : 0.016;
        expect(Math.abs(n.model.error!), `${n.name} reuse=${n.reused}`).toBeLessThanOrEqual(bound);
      }
    }
    // The model's no-reuse figure is the no-reuse co-simulation within 1 %.
    expect(Math.abs(quiet.report.totals.modelCyclesNoReuse / off.report.totals.cycles - 1)).toBeLessThanOrEqual(0.01);
    // The estimate makes the same decisions and predictions without simulating.
    const est = estimateNetwork(spec, net, input.coords);
    expect(est.nodes.map((n) => [n.name, n.where, n.tiles, n.reused, n.passGrouping, n.bytesIn, n.bytesOut, n.model.total]))
      .toEqual(quiet.report.nodes.map((n) => [n.name, n.where, n.tiles, n.reused, n.passGrouping, n.bytesIn, n.bytesOut, n.model.total]));
    // Every accelerator node says which pass grouping the host chose (the column of the report).
    for (const n of quiet.report.nodes) expect(n.passGrouping !== undefined, n.name).toBe(n.where === 'accelerator');
    expect(formatNetworkReport(quiet.report)).toMatch(/ reuse +features in→out +grouping +model err\n/);
  }, TIMEOUT);

  it('on tiny the chain is tiled: tiled nodes never reuse, the result stays bit-exact, the estimate agrees', async () => {
    const net = residualChain(4, 6);
    const input = buildTensor({ points: bunnyPoints(), voxel: 0.8, channels: 3, seed: 2 });
    const r = await simulateNetwork(presets.tiny, net, input, { stall: 0.2, seed: 9, name: 'net-tiny-chain' });
    expect(r.report.match, r.report.firstMismatch?.report).toBe(true);
    const acc = r.report.nodes.filter((n) => n.where === 'accelerator');
    expect(acc.some((n) => n.tiles > 1)).toBe(true);
    for (const n of acc.filter((x) => x.tiles > 1)) expect(n.reused, n.name).toBe(false);
    const est = estimateNetwork(presets.tiny, net, input.coords);
    expect(est.nodes.map((n) => [n.name, n.tiles, n.reused, n.tiling, n.model.total])).toEqual(r.report.nodes.map((n) => [n.name, n.tiles, n.reused, n.tiling, n.model.total]));
  }, TIMEOUT);

  it('a wrong node is named: a corrupted conv and a corrupted host add', async () => {
    const golden = runNetwork(tinyUNet(), tinyInput(), { all: true, widths: spec.arithmetic });
    const bad = (name: string, ch: number): Record<string, NodeTensor> => {
      const x = clone(golden.tensors.get(name)!);
      x.features![3]![ch]! += 1;
      return { [name]: x };
    };
    // On tiny: the mismatch's traced rerun builds the accelerator with --trace-fst, smallest there.
    const r1 = await simulateNetwork(presets.tiny, tinyUNet(), tinyInput(), { expectOverride: bad('branch', 2), name: 'net-bad-branch' });
    expect(r1.report.match).toBe(false);
    expect(r1.report.firstMismatch!.node).toBe('branch');
    expect(r1.report.firstMismatch!.report).toMatch(/^node "branch" \(subm k3, accelerator, 1 tile\(s\), seed 1, stall 0\): point 3 .*features\[2\]: expected/s);
    expect(r1.report.firstMismatch!.report).toContain('reproduce the harness run:');
    expect(r1.report.nodes.find((n) => n.name === 'branch')!.mismatches).toBe(1);
    // The PyMTL-style report of the traced rerun: node, case, seed, cycle, coordinate, channel,
    // expected, actual, and the waveform of the harness run repeated up to the node.
    const rep = r1.report.firstMismatch!.report;
    const want = golden.tensors.get('branch')!;
    expect(rep).toMatch(/co-simulation mismatch at node "branch": case net-bad-branch-1 \(harness run 1\/1, conv node 4 of 5 in it\), seed 1, x-seed \d+, stall 0/);
    const m = rep.match(/first mismatch: node branch, case net-bad-branch-1, seed 1, cycle (\d+), coordinate \[([-\d, ]+)\], channel 2, features: expected (-?\d+), actual (-?\d+)\n/);
    expect(m, rep).not.toBeNull();
    expect(m![2]).toBe(want.coords[3]!.join(', '));
    expect([Number(m![3]), Number(m![4])]).toEqual([want.features![3]![2]! + 1, want.features![3]![2]!]);
    const wave = rep.match(/waveform: (\S+\.fst) \(harness run 1 repeated up to this node with --trace-fst\)/)?.[1];
    expect(wave, rep).toBeDefined();
    expect(statSync(wave!).size).toBeGreaterThan(1000);
    expect(rep).not.toMatch(/did not reproduce|in the traced rerun/);
    expect(rep).toMatch(/reproduce with the waveform: \S+ .*--trace \S+\.fst/);
    // The cycle is the one at which the traced run's output stream carried the value: lane 2 of
    // that beat (4 eight-bit features per 32-bit beat) is the actual value.
    const beat = readBeats(join(dirname(wave!), 'out.out')).find((b) => b.cycle === Number(m![1]));
    expect(beat, `no output beat at cycle ${m![1]}`).toBeDefined();
    expect(Number(BigInt.asIntN(8, beat!.data >> 16n))).toBe(Number(m![4]));
    const r2 = await simulateNetwork(spec, tinyUNet(), tinyInput(), { expectOverride: bad('res', 0), name: 'net-bad-res' });
    expect(r2.report.firstMismatch!.node).toBe('res');
    expect(r2.report.firstMismatch!.report).toMatch(/^node "res" \(add, host driver\)/);
    expect(formatNetworkReport(r2.report)).toContain('MISMATCH at node res');
  }, TIMEOUT);

  it('the estimate and the runner refuse a node the accelerator cannot run, naming it, the field and the value (a 640-channel concat on the 512-channel fpga preset), before any build', async () => {
    const k1 = (name: string, input: string, cin: number, cout: number, seed: number): NetworkNode => ({
      name, op: 'conv', inputs: [input], layer: { type: 'submanifold', kernelSize: 1, stride: 1, outChannels: cout }, weights: ramp(1, cin, cout, seed),
      ...(name === 'head' ? {} : { requant: rq(cout, true) }),
    });
    const net: Network = {
      name: 'wide', inputChannels: 2, outputs: ['head'],
      nodes: [k1('a', 'input', 2, 512, 1), k1('b', 'input', 2, 128, 2), { name: 'cat', op: 'concat', inputs: ['a', 'b'] }, k1('head', 'cat', 640, 3, 3)],
    };
    const refusal = /^nodes\[3\] "head": sf_fpga cannot run it: layer\.inChannels: .*matrix\.maxChannels = 512 .*got 640$/;
    expect(() => estimateNetwork(spec, net, tinyInput().coords)).toThrow(refusal);
    const progress: string[] = [];
    await expect(simulateNetwork(spec, net, tinyInput(), { name: 'net-wide', onProgress: (l) => progress.push(l) })).rejects.toThrow(refusal);
    expect(progress.filter((l) => l.startsWith('harness run'))).toEqual([]);
    // 512 channels run (the preset's limit): the same network without the 128-channel branch.
    const ok: Network = { name: 'wide-ok', inputChannels: 2, outputs: ['head'], nodes: [k1('a', 'input', 2, 512, 1), k1('head', 'a', 512, 3, 3)] };
    expect(estimateNetwork(spec, ok, tinyInput().coords).nodes.map((n) => n.inChannels)).toEqual([2, 512]);
  });

  it('stream byte counts equal the stream the host builds', () => {
    const d = derive(spec);
    for (const [i, o] of [
      { type: 'submanifold', k: 3, cin: 17, cout: 33, requant: true },
      { type: 'conv', k: 2, s: 2, cin: 5, cout: 40 },
      { type: 'transposed', k: 2, s: 2, cin: 16, cout: 16, requant: true },
    ].entries()) {
      const c = randomCase(spec, { ...(o as { type: 'conv'; k: number; cin: number; cout: number }), n: 60, seed: 50 + i });
      const lay = canonicalLayer(c);
      const tile = planTiles(lay, tileLimits(spec))[0]!;
      for (const reuseMap of o.type === 'submanifold' ? [false, true] : [false]) {
        const hw = { ...tileHw(c, lay, tile, c.requant !== undefined), reuseMap };
        const n = inputBeatCount(spec, { ...c.layer, nIn: hw.inCoords.length, nOut: tile.hwOut.length, bias: c.bias !== undefined, requantOut: hw.requantOut, reuseMap });
        expect(n, `${o.type} reuse=${reuseMap}`).toBe(encodeLayer(spec, d, hw).length);
      }
    }
  });

  it('the command: net sim writes the RTL result and the report; --model; a bad --stall is named', async () => {
    await writeNetworkFile(join(t.dir, 'tiny.json'), tinyUNet());
    await writeTensorFile(join(t.dir, 'x.json'), tinyInput());
    const run = (...args: string[]) => execa(BIN, args, { cwd: t.dir, reject: false });
    const s = await run('net', 'sim', 'tiny.json', '--input', 'x.json', '--preset', 'fpga', '--stall', '0.2', '-o', 'r.json', '--stats', 's.json');
    expect(s.exitCode, s.stderr).toBe(0);
    expect(s.stderr).toMatch(/harness run 1\/1: 5 conv nodes \(stem … head\)/);
    expect(s.stdout).toMatch(/^node +op +on +points in→out +ts +ch +map entries +MACs +cycles +coord +mapping +compute +stall +tail +util +KB in +KB out +tiles +reuse +features in→out +grouping +model err$/m);
    expect(s.stdout).toContain('bit-exact: every node matches the golden network');
    expect(await readNetworkResultFile(join(t.dir, 'r.json'))).toEqual(runNetwork(tinyUNet(), tinyInput(), { widths: spec.arithmetic }).result);
    const m = await run('net', 'sim', 'tiny.json', '--bunny', '--voxel', '0.5', '--seed', '1', '--preset', 'fpga', '--model', '--json');
    expect(m.exitCode, m.stderr).toBe(0);
    const rep = JSON.parse(m.stdout) as { source: string; nodes: unknown[]; totals: { cycles: number } };
    expect(rep.source).toBe('cycle-model');
    expect(rep.nodes).toHaveLength(7);
    expect(rep.totals.cycles).toBeGreaterThan(0);
    const bad = await run('net', 'sim', 'tiny.json', '--input', 'x.json', '--preset', 'fpga', '--stall', '1.5');
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr).toContain('--stall: must be in [0, 1), got 1.5');
  }, TIMEOUT);
});
