// One real point with Verilator lint and Yosys (the micro accelerator: seconds of synthesis),
// then the same sweep again: nothing is linted or synthesized twice.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { presets } from '../../generator/dsl/index.ts';
import { emitAccelerator } from '../../generator/emit/index.ts';
import { parseGrid, runSweep } from '../../generator/sweep/index.ts';
import { rtlUnits } from '../../generator/sweep/rtl-units.ts';
import { microGrid, sink, tempDir } from './helpers.ts';

describe('sweep with lint and synthesis', () => {
  it('a unit carries the replicated modules under its root (the matrix column of the accelerator top)', () => {
    const units = rtlUnits(emitAccelerator(presets.tiny));
    const accel = units.find((u) => u.root === 'sf_tiny_accel')!;
    expect(accel.replicated).toEqual(['sf_tiny_matrix_col']);
    expect(accel.files.map((f) => f.path)).toContain('sf_tiny_matrix_col.v');
    expect(units.find((u) => u.root === 'sf_tiny_mapping_top')!.replicated).toEqual([]);
  });

  it('estimates resources of the accelerator top level, and answers from the caches the second time', async () => {
    const root = tempDir();
    const cache = join(root, 'cache');
    const grid = parseGrid(microGrid({ grid: { 'mapping.lanes': [1] }, synth: true, lint: true }));
    const first = await runSweep(grid, { outDir: join(root, 'a'), cacheRoot: cache, jobs: 2, progress: 'none', stream: sink() });
    expect(first.counters).toMatchObject({ computed: 1, failed: 0 });
    expect(first.counters.synthRuns).toBeGreaterThanOrEqual(1);
    expect(first.counters.lintRuns).toBeGreaterThanOrEqual(1);
    const p = first.results.points[0]!;
    expect(p.status, p.error).toBe('ok');
    expect(p.lint).toMatchObject({ ok: true, warnings: 0 });
    const res = p.resources!;
    expect(res.luts).toBeGreaterThan(0);
    expect(res.ffs).toBeGreaterThan(0);
    expect(res.dsp48).toBeGreaterThan(0);
    expect(res.latches).toBe(0);
    expect(res.bram36).toBe(res.ramb36 + res.ramb18 / 2);
    // With the top level in the emission, it alone is the design.
    expect(Object.keys(res.units)).toEqual(['sf_micro_accel']);
    expect(res.luts).toBe(Object.values(res.units).reduce((s, u) => s + u.luts, 0));
    // One point is its own Pareto front; the report draws it.
    expect(first.results.pareto['block-sub3']).toEqual({ luts: ['p0001'], dsp48: ['p0001'], bram36: ['p0001'] });
    // The clock estimate of the same Yosys run, and the time per layer at that clock.
    const t = p.timing!;
    for (const g of ['-1', '-2'] as const) {
      expect(t.fmaxMHz[g].min).toBeGreaterThan(10);
      expect(t.fmaxMHz[g].max).toBeGreaterThan(t.fmaxMHz[g].min);
      expect(t.fmaxMHz[g].max).toBeLessThan(800);
    }
    expect(t.fmaxMHz['-2'].min).toBeGreaterThan(t.fmaxMHz['-1'].min); // the faster grade
    expect(t.critical.levels).toBeGreaterThan(0);
    expect(t.critical.module).toMatch(/^sf_micro_/);
    for (const o of Object.values(p.workloads)) {
      expect(o.timeUs!.max).toBeCloseTo(o.cycles!.total / t.fmaxMHz['-2'].min, 3);
      expect(o.timeUs!.min).toBeCloseTo(o.cycles!.total / t.fmaxMHz['-2'].max, 3);
    }
    expect(first.results.paretoTime!['block-sub3']).toEqual({ luts: ['p0001'], dsp48: ['p0001'], bram36: ['p0001'] });
    const html = readFileSync(join(first.outDir, 'report.html'), 'utf8');
    expect(html).toContain('block-sub3: cycles vs LUTs');
    expect(html).toContain('block-sub3: time vs LUTs');
    expect(html).toMatch(/<g class="pareto" data-id="p0001"><title>p0001 \(Pareto\)/);

    const second = await runSweep(grid, { outDir: join(root, 'b'), cacheRoot: cache, jobs: 2, progress: 'none', stream: sink() });
    expect(second.counters).toMatchObject({ computed: 0, cached: 1, synthRuns: 0, lintRuns: 0 });
    expect(second.results.points).toEqual(first.results.points);
  }, 600_000);
});
