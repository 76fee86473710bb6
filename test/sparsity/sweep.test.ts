// `matrix.weightSparsity` as a sweep dimension: sparse points run the workloads pruned to their
// pattern, and the report sets the speed-up against the dense twin beside the resource cost.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGrid, runSweep } from '../../generator/sweep/index.ts';
import { sparsityComparison } from '../../generator/sweep/sparsity.ts';
import type { SweepResults } from '../../generator/sweep/results.ts';
import { microGrid, MICRO_BASE, MICRO_POINTS, sink, tempDir } from '../sweep/helpers.ts';

describe('sweep over matrix.weightSparsity', () => {
  it('predicts pruned workloads on sparse points; the report shows speed-up and resource ratios', async () => {
    const root = tempDir();
    const grid = microGrid({
      base: { ...MICRO_BASE, interfaces: { axisDataWidth: 64 } },
      grid: { 'matrix.weightSparsity': ['dense', '1:2', '1:4'] },
      workloads: [{ name: 'block-sub3', builder: { points: MICRO_POINTS, voxel: 1, layer: 'submanifold', kernel: 3, cin: 8, cout: 2, seed: 1 } }],
    });
    const r = await runSweep(parseGrid(grid), { outDir: join(root, 'out'), cacheRoot: join(root, 'cache'), jobs: 1, progress: 'lines', stream: sink() });
    const doc = JSON.parse(readFileSync(join(r.outDir, 'results.json'), 'utf8')) as SweepResults;
    expect(doc.points.map((p) => p.status)).toEqual(['ok', 'ok', 'ok']);
    const w = (i: number) => doc.points[i]!.workloads['block-sub3']!;
    // 8 input channels: 4 passes per output tile dense (rows 2), 2 with 1:2, 1 with 1:4.
    expect(w(1).computeBound).toBe(w(0).computeBound! / 2);
    expect(w(2).computeBound).toBe(w(0).computeBound! / 4);
    expect(w(1).cycles!.compute).toBeLessThan(w(0).cycles!.compute);
    expect(w(2).cycles!.compute).toBeLessThan(w(1).cycles!.compute);
    const rows = sparsityComparison(doc);
    expect(rows.map((x) => [x.pattern, x.dense])).toEqual([['1:2', doc.points[0]!.id], ['1:4', doc.points[0]!.id]]);
    expect(rows[0]!.speedup['block-sub3']).toBeCloseTo(w(0).cycles!.total / w(1).cycles!.total, 12);
    expect(rows[1]!.speedup['block-sub3']).toBeGreaterThan(1);
    const html = readFileSync(join(r.outDir, 'report.html'), 'utf8');
    expect(html).toContain('N:M weight sparsity: speed-up and resource cost');
  }, 300_000);

  it('pairs each sparse point with the dense point that differs only in the pattern', () => {
    const pt = (id: string, lanes: number, ws: string, luts: number, cycles: number) => ({
      id, index: 0, params: { 'mapping.lanes': lanes, 'matrix.weightSparsity': ws }, status: 'ok' as const,
      resources: { luts, ffs: 2 * luts, dsp48: 16, ramb18: 0, ramb36: 0, bram36: 0, lutram: 0, latches: 0, units: {} },
      workloads: { a: { supported: true, cycles: { total: cycles, load: 0, mapping: 0, compute: 0, drain: 0, tiling: 0 } } },
    });
    const r = {
      parameters: ['mapping.lanes', 'matrix.weightSparsity'],
      workloads: [{ name: 'a' }],
      points: [pt('p0', 1, 'dense', 100, 1000), pt('p1', 1, '2:4', 130, 600), pt('p2', 2, 'dense', 200, 800), pt('p3', 2, '2:4', 250, 500), pt('p4', 4, '2:4', 300, 400)],
    } as unknown as SweepResults;
    const rows = sparsityComparison(r);
    expect(rows.map((x) => [x.point, x.dense, x.luts, x.ffs, x.dsp48, x.speedup.a])).toEqual([
      ['p1', 'p0', 1.3, 1.3, 1, 1000 / 600],
      ['p3', 'p2', 1.25, 1.25, 1, 800 / 500],
    ]);
  });
});
