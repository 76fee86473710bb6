// The `net` commands through the real executable (bin/sparseforge); each spawn costs ~0.7 s, so
// the invocations are few and each checks several things.
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { runNetwork } from '../../generator/model/index.ts';
import { bunnyPoints } from '../../generator/io/bunny.ts';
import { readNetworkFile, writeNetworkFile } from '../../generator/io/network.ts';
import { readFloatNetworkFile } from '../../generator/network/float-file.ts';
import { buildZooNetwork } from '../../generator/network/zoo/index.ts';
import { readNetworkResultFile } from '../../generator/io/network-result.ts';
import { readTensorFile } from '../../generator/io/tensor.ts';
import { buildTensor } from '../../generator/io/tensor-builder.ts';
import { tempDir } from '../io/cases.ts';
import { tinyUNet } from './nets.ts';

const BIN = join(import.meta.dirname, '../../bin/sparseforge');
const t = tempDir('sparseforge-net-cli-');
afterAll(t.cleanup);
const run = (...args: string[]) => execa(BIN, args, { cwd: t.dir, reject: false });

describe('sparseforge net tensor / golden', () => {
  it('writes a bunny tensor and runs the golden network on it and on the cloud flags', async () => {
    await writeNetworkFile(join(t.dir, 'tiny.json'), tinyUNet());
    const made = await run('net', 'tensor', '--bunny', '--voxel', '0.5', '--channels', '2', '--seed', '3', '-o', 'bunny.tensor.json');
    expect(made.stderr).toBe('');
    const x = await readTensorFile(join(t.dir, 'bunny.tensor.json'));
    expect(x).toEqual(buildTensor({ points: bunnyPoints(), voxel: 0.5, channels: 2, seed: 3 }));
    expect(made.stdout).toBe(`bunny.tensor.json: ${x.coords.length} points (voxel 0.5 on bunny, 1839 raw points), 2 channels, seed 3`);

    const g = await run('net', 'golden', 'tiny.json', '--input', 'bunny.tensor.json', '-o', 'all.json', '--all');
    expect(g.stderr).toBe('');
    expect(g.exitCode).toBe(0);
    const expected = runNetwork(tinyUNet(), x, { all: true });
    expect(await readNetworkResultFile(join(t.dir, 'all.json'))).toEqual(expected.result);
    const lines = g.stdout.split('\n');
    expect(lines[0]).toMatch(/^node +op +points in→out +ts +channels +map entries +MACs +wraps +saturated$/);
    expect(lines[2]).toMatch(new RegExp(`^down +conv k2 s2 +${x.coords.length}→${expected.tensors.get('down')!.coords.length} +1→2 +4→4 `));
    expect(lines.at(-1)).toMatch(new RegExp(`^all.json: tiny-unet, 7 nodes on ${x.coords.length} points from bunny.tensor.json, 7 node tensors written, [0-9,]+ MACs, 0 wraps, [0-9.]+ s$`));

    // The cloud flags build the same tensor.
    const c = await run('net', 'golden', 'tiny.json', '--bunny', '--voxel', '0.5', '--seed', '3', '-o', 'out.json', '-q');
    expect(c.stdout).toMatch(/^out\.json: tiny-unet, 7 nodes on \d+ points from bunny \(voxel 0\.5, seed 3\), 1 node tensors written/);
    expect((await readNetworkResultFile(join(t.dir, 'out.json'))).nodes.head).toEqual(expected.result.nodes.head);
  });

  it('net init writes a calibrated zoo network and prints the saturation per node', async () => {
    const r = await run('net', 'init', 'resnet', '--width', '0.25', '--in-channels', '4', '--classes', '5', '--seed', '2',
      '--bunny', '--voxel', '0.5', '-o', 'rn.json', '--float-out', 'rn.float.json');
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const x = buildTensor({ points: bunnyPoints(), voxel: 0.5, channels: 4, seed: 2 });
    const z = buildZooNetwork({ arch: 'resnet', width: 0.25, inChannels: 4, classes: 5, seed: 2 }, x);
    expect(await readNetworkFile(join(t.dir, 'rn.json'))).toEqual(z.network);
    expect((await readFloatNetworkFile(join(t.dir, 'rn.float.json'))).scales).toEqual(z.scales);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^node +op +clip level +saturated$/);
    expect(lines[1]).toMatch(/^stage0\.conv +submanifold k3 +\d+ +\d+\.\d\d%$/);
    expect(lines).toContainEqual(expect.stringMatching(/^stage1\.conv +conv k3 s2 /));
    expect(lines).toContainEqual(expect.stringMatching(/^head +submanifold k1 \(raw\) +- +-$/));
    expect(lines.at(-1)).toMatch(new RegExp(`^rn.json: resnet-w0.25, ${z.network.nodes.length} nodes, [0-9,]+ INT8 weights, calibrated on ${x.coords.length} points \\(voxel 0.5 on bunny\\), most saturated \\S+ \\d+\\.\\d\\d%$`));
  });

  it('bad input: one line, exit 2', async () => {
    const cases: [string[], string][] = [
      [['net', 'golden', 'tiny.json', '-o', 'x.json'], 'sparseforge: --input: give the input: --input TENSOR.json, or --ply FILE | --bunny with --voxel and --seed'],
      [['net', 'golden', 'tiny.json', '--bunny', '--voxel', '0.5', '-o', 'x.json'], 'sparseforge: --seed: required with a cloud input (it seeds the input features)'],
      [['net', 'golden', 'missing.json', '--bunny', '--voxel', '0.5', '--seed', '1', '-o', 'x.json'], 'sparseforge: missing.json: no such file'],
      [['net', 'tensor', '--bunny', '--voxel', '-1', '--channels', '2', '--seed', '1', '-o', 'x.json'], 'sparseforge: --voxel: must be a finite number > 0, got -1'],
      [['net', 'frobnicate'], 'sparseforge: Unknown argument: frobnicate'],
      [['net', 'init', 'vgg', '--in-channels', '4', '--classes', '3', '--seed', '1', '-o', 'x.json'], 'sparseforge: ARCH: must be one of minkunet, resnet, got "vgg"'],
      [['net', 'init', 'resnet', '--width', '-1', '--in-channels', '4', '--classes', '3', '--seed', '1', '-o', 'x.json'], 'sparseforge: --width: must be a number in (0, 16], got -1'],
    ];
    for (const [args, message] of cases) {
      const r = await run(...args);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr).toBe(message);
    }
  });
});
