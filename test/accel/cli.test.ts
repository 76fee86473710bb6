// `sparseforge sim` and `sparseforge run` through the real executable, on the tiny preset (the
// build is shared with test/accel/tiny.test.ts through the build cache).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { presets } from '../../generator/dsl/presets.ts';
import { writeLayerCaseFile } from '../../generator/io/layer-case.ts';
import { compareResults, readLayerResultFile } from '../../generator/io/layer-result.ts';
import { runLayer } from '../../generator/model/layer.ts';
import { randomCase } from './cases.ts';
import { ACCEL_TIMEOUT_MS } from './run.ts';

const BIN = join(import.meta.dirname, '../../bin/sparseforge');
const dir = mkdtempSync(join(tmpdir(), 'sparseforge-accel-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const run = (...args: string[]) => execa(BIN, args, { cwd: dir, reject: false });

describe('sparseforge sim / run', () => {
  it(
    'sim: result file equal to the golden result, stats, backpressure',
    async () => {
      const spec = presets.tiny;
      const c = randomCase(spec, { type: 'conv', k: 2, s: 2, cin: 3, cout: 5, n: 150, span: 4, requant: true, relu: true, seed: 71 });
      await writeLayerCaseFile(join(dir, 'conv.json'), c);
      const r = await run('sim', 'conv.json', '--preset', 'tiny', '-o', 'conv.result.json', '--stats', 'conv.stats.json', '--backpressure', '0.3', '--seed', '4');
      expect(r.stderr).toBe('');
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toContain('RTL matches the golden model');
      expect(r.stdout).toMatch(/utilisation\s+\d+\.\d %/);
      const res = await readLayerResultFile(join(dir, 'conv.result.json'));
      expect(compareResults(runLayer(c).result, res).equal).toBe(true);
      const stats = JSON.parse(readFileSync(join(dir, 'conv.stats.json'), 'utf8'));
      expect(stats).toMatchObject({ spec: 'sf_tiny', match: true, mismatches: 0, pointsIn: c.input.coords.length });
      expect(stats.cycles.total).toBeGreaterThan(stats.cycles.compute);
      expect(stats.sim.cyclesPerSecond).toBeGreaterThan(0);
    },
    ACCEL_TIMEOUT_MS,
  );

  it(
    'run --bunny: builds the case and simulates it; refusals exit 2 naming the field',
    async () => {
      const r = await run('run', '--bunny', '--voxel', '1.5', '--layer', 'submanifold', '--kernel', '3', '--cin', '3', '--cout', '5',
        '--requant', '--preset', 'tiny', '--save-case', 'b.json', '--json');
      expect(r.stderr).toBe('');
      expect(r.exitCode).toBe(0);
      const stats = JSON.parse(r.stdout);
      expect(stats).toMatchObject({ match: true, pointsIn: 128 });
      const bad = await run('run', '--bunny', '--voxel', '1.5', '--layer', 'submanifold', '--kernel', '5', '--cin', '3', '--cout', '5', '--preset', 'tiny');
      expect(bad.exitCode).toBe(2);
      expect(bad.stderr).toContain('layer.kernelSize');
    },
    ACCEL_TIMEOUT_MS,
  );
});
