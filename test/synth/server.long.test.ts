// (`npm run test:long`, part of `npm run verify:long`; not in `npm test`.)
// The synthesis gate on the server preset (64×64, PointAcc-scale buffers): Yosys maps one matrix
// column and 4,096 multipliers' worth of DSP48s, and thousands of RAMB36. About six minutes and
// 3 GB, so it is a file of its own: vitest runs it beside synth.test.ts (vitest.config.ts starts
// the long files first). The same Yosys run writes the timing netlist, with the 64 columns kept
// as one module (flattened it is more JSON than Node can read as one string), so `synth --timing`
// on server is checked here without a second server synthesis: the CLI answers from the cache.
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { presets } from '../../generator/dsl/index.ts';
import { PROJECT_ROOT } from '../../generator/emit/render.ts';
import { fmaxRange } from '../../generator/synth/estimate.ts';
import { checkPresetTop, SYNTH_TIMEOUT_MS } from './preset-top.ts';

describe('synthesis gate: synth_xilinx -noiopad, zero latches', () => {
  it('preset server: the accelerator top, and its clock estimate (synth --timing)', async () => {
    const r = await checkPresetTop(presets.server, { timing: true });
    const name = presets.server.name;
    const corners = r.timing!;
    expect(corners.map((c) => `${c.grade}${c.corner}`)).toEqual(['1fast', '1slow', '2fast', '2slow']);
    for (const c of corners) {
      // The column is timed once: its paths are there, named after its first instance.
      expect(Object.keys(c.modules)).toEqual(expect.arrayContaining([`${name}_accel`, `${name}_matrix_col`, `${name}_matrix_unit`, `${name}_map_downsample`]));
      const col = c.modules[`${name}_matrix_col`]!;
      expect(col.levels).toBeGreaterThan(0);
      expect(col.end).toMatch(/g_col\[\d+\]\.u_col\./);
      // The top's worst path is the worst of the modules'.
      expect(c.worst.delayNs).toBe(Math.max(...Object.values(c.modules).map((m) => m.delayNs)));
    }
    const [g1, g2] = [fmaxRange(corners, 1), fmaxRange(corners, 2)];
    expect(g1.min).toBeLessThan(g1.max);
    expect(g2.min).toBeGreaterThan(g1.min);
    expect(g2.min).toBeGreaterThan(5);
    expect(g2.max).toBeLessThan(600);

    // The command, from the cache of the run above.
    const out = await execa(join(PROJECT_ROOT, 'bin', 'sparseforge'), ['synth', '--preset', 'server', '--timing'], { reject: false });
    expect(out.exitCode, out.stderr).toBe(0);
    expect(out.stdout).toMatch(new RegExp(`^${name}_accel\\s+\\d+\\s+\\d+.*cached$`, 'm'));
    expect(out.stdout).toMatch(new RegExp(`^${name}_matrix_col\\s+[\\d.]+…[\\d.]+\\s+\\d+…\\d+\\s+\\S+ → \\S+`, 'm'));
    expect(out.stdout).toContain(`estimated Fmax of ${name}_accel, xc7 -2: ${g2.min.toFixed(0)} … ${g2.max.toFixed(0)} MHz`);
  }, SYNTH_TIMEOUT_MS);
});
