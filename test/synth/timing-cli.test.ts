// `sparseforge synth --timing`: the resource table, then the worst register-to-register path per
// module and the estimated Fmax range of the top at -1 and -2 (one Yosys run, cached).
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../generator/emit/render.ts';
import { synthesize } from '../../generator/synth/yosys.ts';

const BIN = join(PROJECT_ROOT, 'bin', 'sparseforge');
const ARGS = ['synth', '--rtl', join(PROJECT_ROOT, 'rtl-out', 'sf_tiny'), '--top', 'sf_tiny_postproc', '--timing'];

describe('sparseforge synth --timing', () => {
  it('prints the worst path per module and the Fmax range of the top', async () => {
    const r = await execa(BIN, ARGS, { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/^module\s+LUT\s+FF\s+DSP48/m); // the resource table first
    expect(out).toContain('estimated clock of sf_tiny_postproc on 7-series');
    // A row per module with a path: delay range, Fmax range, start → end, levels.
    expect(out).toMatch(/^sf_tiny_postproc\s+[\d.]+…[\d.]+\s+\d+…\d+\s+\S+ → \S+ \(\w+\.\w+\), \d+ levels \[/m);
    expect(out).toMatch(/^sf_tiny_stream_fifo\s+[\d.]+…[\d.]+/m);
    const fmax = (g: number): [number, number] => {
      const m = new RegExp(`estimated Fmax of sf_tiny_postproc, xc7 -${g}: (\\d+) … (\\d+) MHz \\(critical: `).exec(out);
      expect(m, out).not.toBeNull();
      return [Number(m![1]), Number(m![2])];
    };
    const [lo1, hi1] = fmax(1);
    const [lo2, hi2] = fmax(2);
    expect(lo1).toBeLessThan(hi1);
    expect(lo2).toBeGreaterThan(lo1);
    expect(hi2).toBeGreaterThan(hi1);

    // The same figures as the library, from the cache.
    const lib = await synthesize({ rtlDir: join(PROJECT_ROOT, 'rtl-out', 'sf_tiny') }, { top: 'sf_tiny_postproc', timing: true });
    expect(lib.modules[0]!.cached).toBe(true);
    const slow2 = lib.timing!.find((c) => c.grade === 2 && c.corner === 'slow')!;
    expect(Math.round(slow2.fmaxMHz)).toBe(lo2);
    expect(Object.keys(slow2.modules)).toEqual(expect.arrayContaining(['sf_tiny_postproc', 'sf_tiny_stream_fifo']));
    // A run without timing answers from the timing run's entry (one server synthesis serves both).
    const plain = await synthesize({ rtlDir: join(PROJECT_ROOT, 'rtl-out', 'sf_tiny') }, { top: 'sf_tiny_postproc' });
    expect(plain.modules[0]!.cached).toBe(true);
    expect(plain.timing).toBeUndefined();
    expect(plain.total).toEqual(lib.total);

    const json = JSON.parse((await execa(BIN, [...ARGS, '--json'])).stdout);
    expect(json.timing).toHaveLength(4);
    expect(json.timing.map((c: { grade: number; corner: string }) => `${c.grade}${c.corner}`)).toEqual(['1fast', '1slow', '2fast', '2slow']);
  }, 600_000);

  it('refuses --timing with --per-module, naming both', async () => {
    const r = await execa(BIN, [...ARGS, '--per-module'], { reject: false });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain('--timing and --per-module');
  });
});
