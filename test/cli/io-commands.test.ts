// The case / golden / stats commands through the real executable (bin/sparseforge). Each spawn
// costs ~0.7 s (tsx), so the invocations are few and each checks several things.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { layerStats, runLayer } from '../../generator/model/index.ts';
import { bunnyPoints } from '../../generator/io/bunny.ts';
import { buildCase } from '../../generator/io/case-builder.ts';
import { parseLayerCase, readLayerCaseFile } from '../../generator/io/layer-case.ts';
import { compareResults, readLayerResultFile } from '../../generator/io/layer-result.ts';
import { voxelize } from '../../generator/io/voxelize.ts';
import { formatStats } from '../../generator/cli/commands/stats.ts';
import { submanifoldDoc, tempDir } from '../io/cases.ts';

const BIN = join(import.meta.dirname, '../../bin/sparseforge');
const t = tempDir('sparseforge-cli-');
afterAll(t.cleanup);
const run = (...args: string[]) => execa(BIN, args, { cwd: t.dir, reject: false });

describe('sparseforge case / golden / stats', () => {
  it('--help lists the commands', async () => {
    const r = await run('--help');
    expect(r.exitCode).toBe(0);
    for (const c of ['case', 'golden <case>', 'stats <case>']) expect(r.stdout).toContain(`sparseforge ${c}`);
  });

  it('builds a bunny case, computes its statistics and its golden result', async () => {
    const made = await run('case', '--bunny', '--voxel', '0.1', '--layer', 'submanifold', '--kernel', '3',
      '--cin', '16', '--cout', '16', '--requant', '--seed', '1', '-o', 'bunny.json');
    expect(made.stderr).toBe('');
    expect(made.exitCode).toBe(0);
    const points = voxelize(bunnyPoints(), 0.1).length;
    expect(made.stdout).toBe(`bunny.json: submanifold k=3 s=1, 16→16 channels, ${points} points in (tensor stride 1, voxel 0.1 on bunny, 1839 raw points), bias, requant, seed 1`);
    const c = await readLayerCaseFile(join(t.dir, 'bunny.json'));
    expect(c).toEqual(buildCase({ points: bunnyPoints(), voxel: 0.1, layer: 'submanifold', kernel: 3, stride: 1, cin: 16, cout: 16, requant: true, relu: false, seed: 1 }));

    const stats = await run('stats', 'bunny.json', '--json');
    expect(stats.exitCode).toBe(0);
    const s = JSON.parse(stats.stdout);
    expect(s.pointsIn).toBe(points);
    expect(s.pointsOut).toBe(points);
    expect(s.mapEntriesPerOffset).toHaveLength(27);
    expect(s.mapEntriesPerOffset.reduce((a: number, b: number) => a + b, 0)).toBe(s.mapEntries);
    expect(s.mapEntriesPerOffset[13]).toBe(points); // the centre offset maps every point to itself
    expect(s.macs).toBe(s.mapEntries * 16 * 16);
    expect(s.avgNeighbours).toBeCloseTo(s.mapEntries / points, 12);
    expect(s).toEqual(layerStats(c));

    const golden = await run('golden', 'bunny.json', '-o', 'bunny.result.json');
    expect(golden.exitCode).toBe(0);
    const r = await readLayerResultFile(join(t.dir, 'bunny.result.json'));
    expect(golden.stdout).toBe(`bunny.result.json: ${points} points out (tensor stride 1), 16 channels, requantized features, ${r.wraps} wraps`);
    expect(compareResults(runLayer(c).result, r).equal).toBe(true);
    expect(r.features).toHaveLength(points);
  });

  it('builds a conv case from a PLY file', async () => {
    const r = await run('case', '--ply', join(import.meta.dirname, '../fixtures/ply/points-binary-double.ply'), '--voxel', '1',
      '--layer', 'conv', '--kernel', '2', '--stride', '2', '--cin', '3', '--cout', '2', '--tensor-stride', '2', '--no-bias', '--seed', '5', '-o', 'ply.json');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^ply\.json: conv k=2 s=2, 3→2 channels, 7 points in \(tensor stride 2, voxel 1 on .*points-binary-double\.ply, 10 raw points\), no bias, no requant, seed 5$/);
    const c = JSON.parse(readFileSync(join(t.dir, 'ply.json'), 'utf8'));
    expect(c.layer.inTensorStride).toBe(2);
    expect(c.bias).toBeUndefined();
  });

  it('a bad case file: exit code 2, one line on stderr naming the field, no output file', async () => {
    const doc = submanifoldDoc();
    doc.weights[4][1][2] = 300;
    writeFileSync(join(t.dir, 'bad.json'), JSON.stringify(doc));
    const r = await run('golden', 'bad.json', '-o', 'bad.result.json');
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('sparseforge: bad.json: weights[4][1][2]: 300 is out of range [-128, 127]');
    expect(existsSync(join(t.dir, 'bad.result.json'))).toBe(false);
  });

  it('a bad option: exit code 2, the flag named, no output file', async () => {
    const r = await run('case', '--bunny', '--voxel', '0.1', '--layer', 'submanifold', '--kernel', '3', '--stride', '2',
      '--cin', '4', '--cout', '4', '--seed', '1', '-o', 'never.json');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe('sparseforge: --stride: submanifold layers have stride 1, got 2');
    expect(readdirSync(t.dir).filter((f) => f.startsWith('never') || f.includes('.tmp'))).toEqual([]);
  });

  it('stats prints a table with one cell per kernel offset', () => {
    const c = parseLayerCase(submanifoldDoc());
    const text = formatStats(c, layerStats(c));
    expect(text).toMatch(/^layer          submanifold, kernel 3, stride 1, 2 → 3 channels$/m);
    expect(text).toMatch(/^points         3 in \(tensor stride 2\) → 3 out \(tensor stride 2\)$/m);
    expect(text).toContain('13 [ 0  0  0] 3');
    expect(text.trimEnd().split('\n').slice(-9)).toHaveLength(9);
    expect(text.match(/\[[- \d]+\]/g)).toHaveLength(27);
  });
});
