// `sparseforge sim` and `sparseforge run` through the real executable, on the tiny preset (the
// build is shared with test/accel/tiny.test.ts through the build cache).
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { presets } from '../../generator/dsl/presets.ts';
import { writeLayerCaseFile } from '../../generator/io/layer-case.ts';
import { compareResults, readLayerResultFile } from '../../generator/io/layer-result.ts';
import { runLayer } from '../../generator/model/layer.ts';
import { randomCase } from './cases.ts';
import { ACCEL_TIMEOUT_MS } from './run.ts';
import { simulateCase, type SimRunArgs } from '../../generator/cli/commands/sim.ts';
import { readBeats } from '../../generator/sim/run.ts';

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
    'sim: a tiled submanifold layer runs the tile plan the cycle model predicts faster (core-only with many channel tiles, halo with few), bit-exact',
    async () => {
      const spec = presets.tiny;
      // 232 points in 5 tiles, 8 → 16 channels: mapping hides behind compute, so core-only tiles
      // (no halo rows) win; 345 points in 2 tiles, 2 → 3 channels: core-only's longer mapping
      // (every offset, the core streamed too) costs more than the halo rows it saves.
      const cases = [
        { name: 'core', plan: 'core', c: randomCase(spec, { type: 'submanifold', k: 3, cin: 8, cout: 16, n: 280, span: 4, requant: true, seed: 7 }) },
        { name: 'halo', plan: 'halo', c: randomCase(spec, { type: 'submanifold', k: 3, cin: 2, cout: 3, n: 400, span: 5, requant: true, seed: 7 }) },
      ];
      for (const { name, plan, c } of cases) {
        await writeLayerCaseFile(join(dir, `${name}.json`), c);
        const r = await run('sim', `${name}.json`, '--preset', 'tiny', '-o', `${name}.result.json`, '--stats', `${name}.stats.json`, '--backpressure', '0.2');
        expect(r.stderr).toBe('');
        expect(r.exitCode).toBe(0);
        expect(r.stdout).toContain('RTL matches the golden model');
        expect(r.stdout).toMatch(new RegExp(`tiles\\s+${plan === 'core' ? 'core-only' : 'halo'} tiles .*; chosen by the cycle model: halo \\d+, core \\d+ cycles predicted`));
        expect(compareResults(runLayer(c).result, await readLayerResultFile(join(dir, `${name}.result.json`))).equal).toBe(true);
        const stats = JSON.parse(readFileSync(join(dir, `${name}.stats.json`), 'utf8'));
        expect(stats.tiles).toBeGreaterThan(1);
        expect(stats.tiling.plan, name).toBe(plan);
        expect(stats.tiling.chosenBy).toBe('cycle model');
        const { halo, core } = stats.tiling.predicted;
        expect(plan === 'core' ? core < halo : halo <= core, `${name}: predicted halo ${halo}, core ${core}`).toBe(true);
        // Core-only tiles compute the bound's rows (plus, without a drain port, a drain pass of each
        // transposed tile run); halo tiles also compute their halo outputs.
        if (plan === 'core') expect(stats.cycles.compute - stats.cycles.drainRows).toBe(stats.computeBound);
        else expect(stats.cycles.compute).toBeGreaterThan(stats.computeBound);
      }
      // Forced: the same layer in halo tiles.
      const f = await run('sim', 'core.json', '--preset', 'tiny', '--tiling', 'halo', '--json');
      expect(f.stderr).toBe('');
      expect(f.exitCode).toBe(0);
      expect(JSON.parse(f.stdout)).toMatchObject({ match: true, tiling: { plan: 'halo', chosenBy: 'forced' } });
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

  it(
    'sim --trace writes an FST waveform of the run and names it; run takes --trace too; a non-.fst name is refused',
    async () => {
      const c = randomCase(presets.tiny, { type: 'conv', k: 2, s: 2, cin: 3, cout: 5, n: 60, span: 3, requant: true, relu: true, seed: 72 });
      await writeLayerCaseFile(join(dir, 'tr.json'), c);
      const r = await run('sim', 'tr.json', '--preset', 'tiny', '--trace', 'waves/tr.fst', '--seed', '3');
      expect(r.stderr).toBe('');
      expect(r.exitCode).toBe(0);
      const wave = join(dir, 'waves', 'tr.fst');
      expect(r.stdout).toContain(`waveform        ${wave} (FST)`);
      expect(statSync(wave).size).toBeGreaterThan(1000);
      // An FST file starts with its header block (type 0, FST_BL_HDR).
      expect(readFileSync(wave)[0]).toBe(0);
      const bad = await run('sim', 'tr.json', '--preset', 'tiny', '--trace', 'tr.vcd');
      expect(bad.exitCode).toBe(2);
      expect(bad.stderr).toContain('--trace');
      expect(existsSync(join(dir, 'tr.vcd'))).toBe(false);
      const help = await run('run', '--help');
      expect(help.stdout).toMatch(/--trace\s+write an FST waveform/);
    },
    ACCEL_TIMEOUT_MS,
  );

  it(
    'a mismatch reruns the case with a waveform and reports case, seed, cycle, coordinate, channel, expected, actual and the waveform',
    async () => {
      // The mismatch is forced by a corrupted expected result (AccelRunOptions.expectOverride), as
      // test/network/sim.test.ts forces a node's.
      const spec = presets.tiny;
      const c = randomCase(spec, { type: 'conv', k: 2, s: 2, cin: 3, cout: 5, n: 60, span: 3, requant: true, relu: true, seed: 72 });
      const golden = runLayer(c).result;
      const bad = structuredClone(golden);
      bad.features![3]![2]! += 1;
      const args: SimRunArgs = { seed: 5, backpressure: 0.2, profile: 'test', denseLayers: 'refuse', passGrouping: 'auto', tiling: 'auto', json: false, preset: 'tiny' } as SimRunArgs;
      const lines: string[] = [];
      const out = await simulateCase(spec, c, args, 'bad.json', 'bad.json', { expectOverride: bad }, (l) => lines.push(l));
      expect(out.r.stats.match).toBe(false);
      expect(lines.join('\n')).toContain('repeating the harness run with a waveform');
      const rep = out.mismatch!;
      expect(rep).toMatch(/^co-simulation mismatch: case bad\.json, seed 5, x-seed \d+, stall 0\.2\n/);
      const m = rep.match(/first mismatch: case bad\.json, seed 5, cycle (\d+), coordinate \[([-\d, ]+)\], channel 2, features: expected (-?\d+), actual (-?\d+)\n/);
      expect(m, rep).not.toBeNull();
      expect(m![2]).toBe(golden.coords[3]!.join(', '));
      expect([Number(m![3]), Number(m![4])]).toEqual([golden.features![3]![2]! + 1, golden.features![3]![2]!]);
      const wave = rep.match(/waveform: (\S+\.fst) \(the harness run repeated with --trace-fst\)/)?.[1];
      expect(wave, rep).toBeDefined();
      expect(statSync(wave!).size).toBeGreaterThan(1000);
      expect(rep).not.toMatch(/did not reproduce|in the traced rerun/);
      expect(rep).toMatch(/reproduce with the waveform: \S+ .*--trace \S+\.fst/);
      expect(rep).toMatch(/reproduce the harness run: \S+/);
      // The cycle is the one at which the traced run's output stream carried the value: lane 2 of
      // that beat (4 eight-bit features per 32-bit beat) is the actual value.
      const beat = readBeats(join(dirname(wave!), 'out.out')).find((b) => b.cycle === Number(m![1]));
      expect(beat, `no output beat at cycle ${m![1]}`).toBeDefined();
      expect(Number(BigInt.asIntN(8, beat!.data >> 16n))).toBe(Number(m![4]));
    },
    ACCEL_TIMEOUT_MS,
  );
});
