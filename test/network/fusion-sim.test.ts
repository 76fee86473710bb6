// Fusion across layers on whole networks (`net sim --fusion on`, buffers.keepFeatures on the fpga
// preset): the model zoo's resnet (width 0.25) on the bunny, under random backpressure. Every conv
// whose output is the next conv's input keeps it in the feature buffer where it fits; an output
// nothing else needs never leaves the chip, so for those nodes only the coordinates are compared
// and their features are checked through the nodes computed from them (the chain on chip is real:
// the next conv reads what the accelerator wrote). The cycle-model estimate makes the same fusion
// decisions and counts the same off-chip bytes.
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { writeNetworkFile } from '../../generator/io/network.ts';
import { readNetworkResultFile } from '../../generator/io/network-result.ts';
import { writeTensorFile } from '../../generator/io/tensor.ts';
import { runNetwork } from '../../generator/model/index.ts';
import { tempDir } from '../io/cases.ts';
import { tinyInput, tinyUNet } from './nets.ts';
import { presets } from '../../generator/dsl/presets.ts';
import { bunnyPoints } from '../../generator/io/bunny.ts';
import { buildTensor } from '../../generator/io/tensor-builder.ts';
import { estimateNetwork } from '../../generator/network/estimate.ts';
import { simulateNetwork } from '../../generator/network/runner.ts';
import { formatNetworkReport } from '../../generator/network/report.ts';
import { buildZooNetwork } from '../../generator/network/zoo/index.ts';

const spec = presets.fpga;
const TIMEOUT = 900_000;
const BIN = join(import.meta.dirname, '../../bin/sparseforge');
const t = tempDir('sparseforge-net-fusion-');

describe('net sim --fusion on the fpga preset', () => {
  const input = buildTensor({ points: bunnyPoints(), voxel: 0.25, channels: 4, seed: 1 });

  it('resnet --width 0.25 on the bunny, backpressure 0.2: kept outputs never streamed, every streamed node bit-exact, fewer off-chip bytes; the estimate agrees', async () => {
    const net = buildZooNetwork({ arch: 'resnet', width: 0.25, inChannels: 4, classes: 19, seed: 1 }, input).network;
    const r = await simulateNetwork(spec, net, input, { stall: 0.2, seed: 8, name: 'fuse-resnet', fusion: 'on' });
    expect(r.report.match, r.report.firstMismatch?.report).toBe(true);
    const convs = r.report.nodes.filter((n) => n.where === 'accelerator');
    const onChip = convs.filter((n) => n.fusion?.featOnChip);
    const unseen = convs.filter((n) => n.fusion?.keptOut && !n.fusion.streamedOut);
    expect(onChip.length).toBeGreaterThan(0);
    expect(unseen.length).toBeGreaterThan(0);
    // Every node that reads on chip follows one that kept; the network outputs are always streamed.
    for (const n of unseen) expect(net.outputs, n.name).not.toContain(n.name);
    expect(r.report.totals.fusedNodes).toBe(onChip.length);
    expect(r.report.totals.offChipBytes).toBeLessThan(r.report.totals.offChipBytesNoFusion);
    expect(r.result.nodes[net.outputs[0]!]).toEqual(r.golden.tensors.get(net.outputs[0]!));
    // The cycle-model estimate decides the same and counts the same bytes.
    const m = estimateNetwork(spec, net, input.coords, { fusion: 'on' });
    const mConvs = m.nodes.filter((n) => n.where === 'accelerator');
    expect(mConvs.map((n) => [n.name, n.fusion])).toEqual(convs.map((n) => [n.name, { featOnChip: n.fusion!.featOnChip, keptOut: n.fusion!.keptOut, streamedOut: n.fusion!.streamedOut }]));
    expect(m.totals.offChipBytes).toBe(r.report.totals.offChipBytes);
    expect(m.totals.offChipBytesNoFusion).toBe(r.report.totals.offChipBytesNoFusion);
  }, TIMEOUT);

  it('the command: --fusion on keeps stem (also streamed: concat needs it) and down (never streamed) on chip; the table says where; --model agrees; --fusion on a chip without keepFeatures is refused by name', async () => {
    await writeNetworkFile(join(t.dir, 'tiny.json'), tinyUNet());
    await writeTensorFile(join(t.dir, 'x.json'), tinyInput());
    const run = (...args: string[]) => execa(BIN, args, { cwd: t.dir, reject: false });
    const s = await run('net', 'sim', 'tiny.json', '--input', 'x.json', '--preset', 'fpga', '--stall', '0.2', '--fusion', 'on', '-o', 'r.json');
    expect(s.exitCode, s.stderr).toBe(0);
    const row = (name: string) => s.stdout.split('\n').find((l) => l.startsWith(`${name} `)) ?? '';
    expect(row('stem')).toContain('stream→kept+stream');
    expect(row('down')).toContain('chip→kept');
    expect(row('up')).toContain('chip→stream');
    expect(row('branch')).toContain('stream→stream');
    expect(s.stdout).toMatch(/without fusion \d+\.\d+ MB \(fusion on: 2 conv nodes read their features on chip, \d+\.\d% saved\)/);
    expect(s.stdout).toContain('bit-exact: every streamed node matches the golden network; 1 conv node kept its output on chip only (coordinates compared');
    expect(await readNetworkResultFile(join(t.dir, 'r.json'))).toEqual(runNetwork(tinyUNet(), tinyInput(), { widths: spec.arithmetic }).result);
    const m = await run('net', 'sim', 'tiny.json', '--input', 'x.json', '--preset', 'fpga', '--model', '--fusion', 'on', '--json');
    expect(m.exitCode, m.stderr).toBe(0);
    const rep = JSON.parse(m.stdout) as { totals: { fusedNodes: number; offChipBytes: number; offChipBytesNoFusion: number } };
    expect(rep.totals.fusedNodes).toBe(2);
    expect(rep.totals.offChipBytes).toBeLessThan(rep.totals.offChipBytesNoFusion);
    const bad = await run('net', 'sim', 'tiny.json', '--input', 'x.json', '--preset', 'edge', '--model', '--fusion', 'on');
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('buffers.keepFeatures');
  }, TIMEOUT);

  it('--fusion debug (and --all with on) keeps and streams: every node compared word for word, the same fusion decisions', async () => {
    const net = tinyUNet();
    const golden = runNetwork(net, tinyInput(), { widths: spec.arithmetic, all: true });
    for (const o of [{ fusion: 'debug' as const }, { fusion: 'on' as const, all: true }]) {
      const r = await simulateNetwork(spec, net, tinyInput(), { ...o, stall: 0.2, seed: 3, name: `fuse-tiny-${o.fusion}` });
      expect(r.report.match, r.report.firstMismatch?.report).toBe(true);
      const f = Object.fromEntries(r.report.nodes.filter((n) => n.where === 'accelerator').map((n) => [n.name, n.fusion]));
      expect(f.stem).toMatchObject({ featOnChip: false, keptOut: true, streamedOut: true });
      expect(f.down).toMatchObject({ featOnChip: true, keptOut: true, streamedOut: true });
      expect(f.up).toMatchObject({ featOnChip: true, keptOut: false, streamedOut: true });
      expect(formatNetworkReport(r.report)).toContain('bit-exact: every node matches the golden network');
      if (o.fusion === 'on') for (const n of golden.order) expect(r.result.nodes[n], n).toEqual(golden.tensors.get(n));
    }
  }, TIMEOUT);
});
