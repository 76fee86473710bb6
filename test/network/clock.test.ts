// The time figures of `net sim` are never at a clock the reader is not told about: at a given
// --clock-mhz (said to be within, above or below the cached Fmax estimate), else at both ends of
// the estimate that `synth --timing` cached for the same spec, else none. The synthesis cache is
// a temporary folder (SPARSEFORGE_SYNTH_CACHE); the planted estimate tests the plumbing (which
// entry is read, which figures are printed), not the estimate itself (test/synth/*).
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { presets } from '../../generator/dsl/index.ts';
import { bunnyPoints } from '../../generator/io/bunny.ts';
import { writeNetworkFile } from '../../generator/io/network.ts';
import { buildTensor } from '../../generator/io/tensor-builder.ts';
import { estimateNetwork } from '../../generator/network/estimate.ts';
import { formatNetworkReport, timeLine } from '../../generator/network/report.ts';
import type { CornerEstimate } from '../../generator/synth/estimate.ts';
import { cachedClockEstimate } from '../../generator/synth/timing.ts';
import { NotCachedError, synthesize } from '../../generator/synth/yosys.ts';
import { tempDir } from '../io/cases.ts';
import { tinyUNet } from './nets.ts';

const BIN = join(import.meta.dirname, '../../bin/sparseforge');
const t = tempDir('sparseforge-clock-');
afterAll(t.cleanup);
const cache = join(t.dir, 'synth-cache');
mkdirSync(cache);
const run = (...args: string[]) =>
  execa(BIN, args, { cwd: t.dir, reject: false, env: { SPARSEFORGE_SYNTH_CACHE: cache } });
const NET = ['net', 'sim', 'tiny.json', '--bunny', '--voxel', '0.5', '--seed', '3', '--preset', 'tiny', '--model'];

const path = { start: 'a_q', end: 'b_q', endPin: 'D', levels: 3, cellTypes: { LUT6: 3 } };
/** -2: 80 MHz with slow nets, 120 with fast; -1 lower. */
const corners = (): CornerEstimate[] =>
  ([[1, 'fast', 100], [1, 'slow', 67], [2, 'fast', 120], [2, 'slow', 80]] as const).map(([grade, corner, mhz]) => ({
    grade, corner, fmaxMHz: mhz, worst: { ...path, delayNs: 1000 / mhz }, modules: { sf_tiny_accel: { ...path, delayNs: 1000 / mhz } },
  }));

describe('net sim: time only at a clock the reader is told about', () => {
  it('the report: a given clock, the estimate\'s ends, both compared, or no time at all', () => {
    const x = buildTensor({ points: bunnyPoints(), voxel: 0.5, channels: 2, seed: 3 });
    const est = { top: 'sf_tiny_accel', grade: 2, minMhz: 80, maxMhz: 120 };
    const none = estimateNetwork(presets.tiny, tinyUNet(), x.coords);
    const cyc = none.totals.cycles;
    const noReuse = cyc + none.totals.modelCyclesNoReuse - none.totals.modelCycles;
    expect(cyc).toBeGreaterThan(0);
    expect(none.clockMhz).toBeUndefined();
    expect(none.totals.timeMs).toBeUndefined();
    expect(none.totals.timeMsAtEstimate).toBeUndefined();
    expect(timeLine(none)).toBe('time: no clock (no estimate cached for sf_tiny: run sparseforge synth --timing with the same spec, or give --clock-mhz F)');

    const atEst = estimateNetwork(presets.tiny, tinyUNet(), x.coords, { clockEstimate: est });
    expect(atEst.totals.timeMsAtEstimate).toEqual({ min: cyc / 120e3, max: cyc / 80e3, noReuseMin: noReuse / 120e3, noReuseMax: noReuse / 80e3 });
    expect(atEst.totals.timeMs).toBeUndefined();
    expect(formatNetworkReport(atEst)).toContain(
      `\ntime at the estimated Fmax of sf_tiny_accel (xc7 -2, synth --timing): 80 … 120 MHz: ${(cyc / 120e3).toFixed(3)} … ${(cyc / 80e3).toFixed(3)} ms ` +
        `(${(noReuse / 120e3).toFixed(3)} … ${(noReuse / 80e3).toFixed(3)} ms without map reuse), accelerator only\n`,
    );

    const at = (mhz: number, clockEstimate?: typeof est) => estimateNetwork(presets.tiny, tinyUNet(), x.coords, { clockMhz: mhz, ...(clockEstimate ? { clockEstimate } : {}) });
    const given = at(100);
    expect(given.totals.timeMs).toBe(cyc / 100e3);
    expect(timeLine(given)).toBe(
      `time at 100 MHz (given; no clock estimate cached for sf_tiny (sparseforge synth --timing with the same spec)): ${(cyc / 100e3).toFixed(3)} ms (${(noReuse / 100e3).toFixed(3)} ms without map reuse), accelerator only`,
    );
    expect(timeLine(at(200, est))).toMatch(/^time at 200 MHz \(given; ABOVE the estimated Fmax of sf_tiny_accel \(xc7 -2, synth --timing\): 80 … 120 MHz\): /);
    expect(timeLine(at(120, est))).toMatch(/^time at 120 MHz \(given; within the estimated Fmax /);
    expect(timeLine(at(79, est))).toMatch(/^time at 79 MHz \(given; below the estimated Fmax /);
  });

  it('net sim reads the estimate synth --timing cached for the same spec, and never runs Yosys for it', async () => {
    await writeNetworkFile(join(t.dir, 'tiny.json'), tinyUNet());
    expect(await cachedClockEstimate(presets.tiny, { cacheDir: cache })).toBeUndefined();
    expect(readdirSync(cache)).toEqual([]); // nothing synthesized
    const given = await run(...NET, '--clock-mhz', '150');
    expect(given.exitCode, given.stderr).toBe(0);
    expect(given.stdout).toMatch(/\ntime at 150 MHz \(given; no clock estimate cached for sf_tiny \(sparseforge synth --timing with the same spec\)\): [\d.]+ ms \([\d.]+ ms without map reuse\), accelerator only\n/);

    // What synth --timing would have written for tiny's accelerator top.
    let file = '';
    try {
      await synthesize(presets.tiny, { timing: true, cacheOnly: true, cacheDir: cache });
    } catch (e) {
      expect(e).toBeInstanceOf(NotCachedError);
      file = (e as NotCachedError).cacheFile;
    }
    expect(file.startsWith(cache)).toBe(true);
    writeFileSync(file, JSON.stringify({ luts: 1, ffs: 1, dsp48: 0, bram: { ramb18: 0, ramb36: 0 }, lutram: 0, latches: 0, cells: {}, timing: corners() }));
    expect(await cachedClockEstimate(presets.tiny, { cacheDir: cache })).toEqual({ top: 'sf_tiny_accel', grade: 2, minMhz: 80, maxMhz: 120 });
    // Another spec is not answered from tiny's entry.
    expect(await cachedClockEstimate({ ...presets.tiny, matrix: { ...presets.tiny.matrix, treePipeline: 1 } }, { cacheDir: cache })).toBeUndefined();

    const est = await run(...NET);
    expect(est.exitCode, est.stderr).toBe(0);
    expect(est.stdout).toMatch(/\ntime at the estimated Fmax of sf_tiny_accel \(xc7 -2, synth --timing\): 80 … 120 MHz: [\d.]+ … [\d.]+ ms \([\d.]+ … [\d.]+ ms without map reuse\), accelerator only\n/);
    const bad = await run(...NET, '--clock-mhz', '0');
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toBe('sparseforge: --clock-mhz: must be > 0, got 0');
  }, 120_000);
});
