// `sparseforge sim-map` through bin/sparseforge (execa): text report, --json, and an engine error.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../generator/sim/mapping/rtl.ts';
import { goldenMapping, jobFromCase } from '../../generator/sim/mapping/driver.ts';
import { readLayerCaseFile } from '../../generator/io/layer-case.ts';

const bin = join(PROJECT_ROOT, 'bin', 'sparseforge');
const dir = join(PROJECT_ROOT, '.cache', 'test-sim-map');
const convCase = join(dir, 'bunny-conv.json');

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  await execa(bin, ['case', '--bunny', '--voxel', '1.25', '--layer', 'conv', '--kernel', '2', '--stride', '2', '--cin', '1', '--cout', '1', '--seed', '3', '-o', convCase]);
});

describe('sparseforge sim-map', () => {
  it('prints entries per offset, output points, cycles and the verdict', async () => {
    const r = await execa(bin, ['sim-map', convCase, '--preset', 'tiny', '--stall', '300'], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/output points \d+ \(downsampled\)/);
    expect(r.stdout).toMatch(/map entries per kernel offset/);
    expect(r.stdout).toMatch(/mapping cycles \d+/);
    expect(r.stdout).toMatch(/RTL matches the golden model/);
  });
  it('--json: per-offset counts indexed by kernel index, output points, cycles', async () => {
    const r = await execa(bin, ['sim-map', convCase, '--preset', 'tiny', '--json'], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      entriesPerOffset: number[]; outputPoints: number; cycles: Record<string, number>; match: boolean; totalEntries: number;
    };
    const job = jobFromCase(await readLayerCaseFile(convCase));
    const g = goldenMapping(job);
    expect(doc.match).toBe(true);
    expect(doc.entriesPerOffset).toEqual(g.map.pairs.map((p) => p.output.length));
    expect(doc.outputPoints).toBe(g.outCoords.length);
    expect(doc.totalEntries).toBe(doc.entriesPerOffset.reduce((a, b) => a + b, 0));
    for (const k of ['total', 'mapping', 'downsample', 'merge', 'load']) expect(doc.cycles[k]).toBeGreaterThan(0);
  });
  it('tiles a cloud larger than the coordinate buffers like sim; refuses one whose neighbourhood cannot fit, exit 2 (issue 12)', async () => {
    // Before issue 12 the driver sent every point and the engine answered COORD_OVERFLOW (exit 1);
    // the engine's own flag is still tested without the driver in errors.test.ts.
    const big = join(dir, 'bunny-sub.json');
    await execa(bin, ['case', '--bunny', '--voxel', '0.5', '--layer', 'submanifold', '--kernel', '3', '--cin', '1', '--cout', '1', '--seed', '1', '-o', big]);
    const r = await execa(bin, ['sim-map', big, '--preset', 'tiny'], { reject: false });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/\d+ tiles \(boxes of at most buffers\.coordDepth = 256 points/);
    expect(r.stdout).toContain('RTL matches the golden model');
    // One x plane of 17 × 17 = 289 points: x-slabs could not cut it (refused before issue 13 item 4);
    // boxes cut it in y and z. With tiles of at most 4 points one output's 3 × 3 patch cannot fit: refused.
    const plane: number[][] = [];
    for (let y = 0; y < 17; y++) for (let z = 0; z < 17; z++) plane.push([0, 0, y, z]);
    const c = { format: 'sparseforge.layer-case/1', layer: { type: 'submanifold', kernelSize: 3, stride: 1, inTensorStride: 1, inChannels: 1, outChannels: 1 }, input: { coords: plane, features: plane.map(() => [1]) }, weights: Array.from({ length: 27 }, () => [[1]]) };
    writeFileSync(join(dir, 'plane.json'), JSON.stringify(c));
    const yz = await execa(bin, ['sim-map', join(dir, 'plane.json'), '--preset', 'tiny'], { reject: false });
    expect(yz.stderr).toBe('');
    expect(yz.stdout).toMatch(/[2-9] tiles \(boxes/);
    expect(yz.stdout).toContain('RTL matches the golden model');
    const p = await execa(bin, ['sim-map', join(dir, 'plane.json'), '--preset', 'tiny', '--tile-points', '4'], { reject: false });
    expect(p.exitCode).toBe(2);
    expect(p.stdout).toBe('');
    expect(p.stderr, p.stderr).toMatch(/^sparseforge: .*plane\.json: buffers\.coordDepth: .*output point \d+ alone does not fit on chip: \d input points > the tile limit 4$/);
  });
});
