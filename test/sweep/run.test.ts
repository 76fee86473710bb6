// The sweep runner without external tools (synth and lint off): result contents, the cache (no
// recomputation on a re-run, only changed points recomputed), resuming after an interruption,
// invalid and unsupported points, and the report.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandGrid, parseGrid, predictWorkload, prepareWorkloads, runSweep, type SweepGridInput } from '../../generator/sweep/index.ts';
import { microGrid, sink, tempDir } from './helpers.ts';

function run(grid: SweepGridInput, outDir: string, cacheRoot: string, extra: Partial<Parameters<typeof runSweep>[1]> = {}) {
  return runSweep(parseGrid(grid), { outDir, cacheRoot, jobs: 2, progress: 'lines', stream: sink(), ...extra });
}

const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');

describe('sweep results', () => {
  it('writes one result per point with the cycle model on every workload, as JSON and CSV', async () => {
    const root = tempDir();
    const grid = microGrid();
    const r = await run(grid, join(root, 'out'), join(root, 'cache'));
    expect(r.interrupted).toBe(false);
    expect(r.counters).toMatchObject({ points: 4, selected: 4, computed: 4, cached: 0, resumed: 0, invalid: 0, failed: 0 });
    const doc = JSON.parse(read(r.outDir, 'results.json'));
    expect(doc.format).toBe('sparseforge.sweep-results/1');
    expect(doc.parameters).toEqual(['mapping.lanes', 'matrix.rows', 'matrix.cols']);
    expect(doc.workloads.map((w: { name: string }) => w.name)).toEqual(['block-sub3', 'block-down2']);
    // Every layer fits the host driver's tiling: the calibrated schedule replay answers.
    expect(doc.cycleModel).toEqual({ methods: [{ name: 'schedule-replay', version: expect.any(Number), calibrated: true, predictions: 8 }] });
    expect(doc.missing).toEqual([]);
    expect(doc.points).toHaveLength(4);

    // Every number is the cycle model's, and the compute bound is DESIGN.md §3's.
    const g = parseGrid(grid);
    const ws = await prepareWorkloads(g, join(root, 'cache'));
    for (const [i, def] of expandGrid(g).entries()) {
      const p = doc.points[i];
      expect(p.id).toBe(def.id);
      expect(p.status).toBe('ok');
      expect(p.spec).toEqual(def.spec);
      for (const w of ws) {
        const c = predictWorkload(def.spec!, w);
        if ('unsupported' in c) throw new Error(c.unsupported);
        const o = p.workloads[w.name];
        expect(o.model).toBe('replay');
        expect(o.cycles.total).toBe(c.total);
        const bound = w.stats.mapEntriesPerOffset.reduce(
          (s, e) => s + e * Math.ceil(w.layer.inChannels / def.spec!.matrix.rows) * Math.ceil(w.layer.outChannels / def.spec!.matrix.cols),
          0,
        );
        expect(o.computeBound).toBe(bound);
        expect(o.utilisation).toBeCloseTo(bound / c.total, 12);
      }
    }
    // More lanes: faster mapping; a bigger matrix: fewer compute cycles.
    const t = (i: number, w: string) => doc.points[i].workloads[w].cycles;
    expect(t(2, 'block-sub3').mapping).toBeLessThan(t(0, 'block-sub3').mapping);
    expect(t(1, 'block-sub3').compute).toBeLessThan(t(0, 'block-sub3').compute);

    const csv = read(r.outDir, 'results.csv').trimEnd().split('\n');
    expect(csv[0]).toBe(
      'point,status,mapping.lanes,matrix.rows,matrix.cols,luts,ffs,dsp48,ramb18,ramb36,bram36,lutram,lint_warnings,workload,supported,' +
        'cycles_total,cycles_load,cycles_mapping,cycles_compute,cycles_drain,cycles_tiling,compute_bound,utilisation,tiles,' +
        'pareto_luts,pareto_dsp48,pareto_bram36,fmax_min_mhz,fmax_max_mhz,time_us_min,time_us_max,pareto_time_luts,pareto_time_dsp48,pareto_time_bram36,' +
        'cycle_model,verify,verify_cycles,model_error,error',
    );
    expect(csv).toHaveLength(1 + 4 * 2);
    const row = csv[4]!.split(',');
    expect(row.slice(0, 5)).toEqual(['p0002', 'ok', '1', '4', '4']);
    expect(row[13]).toBe('block-down2');
    expect(Number(row[15])).toBe(doc.points[1].workloads['block-down2'].cycles.total);
    // The journal holds every finished point.
    expect(read(r.outDir, 'points.jsonl').trimEnd().split('\n')).toHaveLength(4);
  });

  it('re-running answers from the cache without recomputing, with identical files', async () => {
    const root = tempDir();
    const cache = join(root, 'cache');
    const a = await run(microGrid(), join(root, 'a'), cache);
    expect(a.counters.computed).toBe(4);
    const b = await run(microGrid(), join(root, 'b'), cache);
    expect(b.counters).toMatchObject({ computed: 0, cached: 4, resumed: 0 });
    for (const f of ['results.json', 'results.csv', 'report.html']) expect(read(b.outDir, f)).toBe(read(a.outDir, f));
    // Into the same folder: everything is already there.
    const c = await run(microGrid(), join(root, 'a'), cache);
    expect(c.counters).toMatchObject({ computed: 0, cached: 0, resumed: 4 });
    // A grown grid computes only the new points, even though point ids shift.
    const grown = microGrid({ grid: { 'mapping.lanes': [1, 2, 4], 'matrix.rows,matrix.cols': [[2, 2], [4, 4]] } });
    const d = await run(grown, join(root, 'd'), cache);
    expect(d.counters).toMatchObject({ computed: 2, cached: 4 });
    const docA = JSON.parse(read(a.outDir, 'results.json'));
    const docD = JSON.parse(read(d.outDir, 'results.json'));
    expect(docD.points[2].workloads).toEqual(docA.points[2].workloads);
    expect(docD.points[2].params).toEqual({ 'mapping.lanes': 2, 'matrix.rows': 2, 'matrix.cols': 2 });
  });

  it('resumes after an interruption: finished points are kept, the rest computed', async () => {
    const root = tempDir();
    const out = join(root, 'out');
    const ac = new AbortController();
    const stream = sink((_, n) => {
      if (n === 2) ac.abort();
    });
    const first = await run(microGrid(), out, join(root, 'cache1'), { jobs: 1, signal: ac.signal, stream });
    expect(first.interrupted).toBe(true);
    expect(first.counters.computed).toBe(2);
    const partial = JSON.parse(read(out, 'results.json'));
    expect(partial.points.map((p: { id: string }) => p.id)).toEqual(['p0001', 'p0002']);
    expect(partial.missing).toEqual(['p0003', 'p0004']);
    expect(read(out, 'report.html')).toContain('2 not run (interrupted)');
    // A torn line from a killed writer is ignored.
    const journal = read(out, 'points.jsonl');
    expect(journal.trimEnd().split('\n')).toHaveLength(2);
    const { appendFileSync } = await import('node:fs');
    appendFileSync(join(out, 'points.jsonl'), '{"result": {"id": "p0003", "sta');

    // A different (empty) cache: what is reused comes from the output folder.
    const second = await run(microGrid(), out, join(root, 'cache2'));
    expect(second.interrupted).toBe(false);
    expect(second.counters).toMatchObject({ resumed: 2, computed: 2, cached: 0 });
    const full = await run(microGrid(), join(root, 'fresh'), join(root, 'cache3'));
    expect(read(out, 'results.json')).toBe(read(full.outDir, 'results.json'));
  });

  it('reports invalid points and unsupported workloads per point without stopping', async () => {
    const root = tempDir();
    const grid = microGrid({
      grid: { 'mapping.lanes': [1, 99], 'mapping.maxKernelSize': [3, 1] },
    });
    const r = await run(grid, join(root, 'out'), join(root, 'cache'));
    expect(r.counters).toMatchObject({ invalid: 2, computed: 2, failed: 0 });
    const doc = JSON.parse(read(r.outDir, 'results.json'));
    expect(doc.points.map((p: { status: string }) => p.status)).toEqual(['ok', 'ok', 'invalid', 'invalid']);
    expect(doc.points[2].error).toMatch(/^mapping\.lanes: must be an integer between 1 and 16, got 99/);
    // maxKernelSize 1 cannot run 3×3×3 or 2×2×2 kernels.
    expect(doc.points[1].workloads['block-sub3']).toEqual({ supported: false, reason: 'layer.kernelSize: sf_micro supports kernel sizes up to mapping.maxKernelSize = 1, got 3' });
    const csv = read(r.outDir, 'results.csv');
    expect(csv).toContain('p0003,invalid,99,3,');
    expect(csv).toMatch(/p0002,ok,1,1,.*block-sub3,false,.*maxKernelSize = 1, got 3/);
    expect(read(r.outDir, 'report.html')).toContain('mapping.lanes: must be an integer between 1 and 16, got 99');
  });

  it('calls a layer the host driver cannot tile on a point unsupported, with the driver\'s reason', async () => {
    const root = tempDir();
    const r = await run(microGrid({ grid: { 'buffers.mapDepth': [256, 16] } }), join(root, 'out'), join(root, 'cache'));
    const [big, small] = r.results.points;
    expect(big!.workloads['block-sub3']!.supported).toBe(true);
    expect(small!.status).toBe('ok');
    expect(small!.workloads['block-sub3']).toEqual({
      supported: false,
      reason: expect.stringMatching(/^host tiling: output point \d+ alone does not fit on chip: .*buffers\.mapDepth/),
    });
  });

  it('counts a shard round-robin and writes only its points', async () => {
    const root = tempDir();
    const r = await run(microGrid(), join(root, 'out'), join(root, 'cache'), { shard: { index: 2, count: 3 } });
    expect(r.counters).toMatchObject({ points: 4, selected: 1 });
    const doc = JSON.parse(read(r.outDir, 'results.json'));
    expect(doc.shard).toEqual({ index: 2, count: 3 });
    expect(doc.points.map((p: { id: string }) => p.id)).toEqual(['p0002']);
  });
});

describe('--verify', () => {
  it('co-simulates the complete accelerator on every workload: outputs against the golden model, cycles against the model', async () => {
    const root = tempDir();
    const r = await run(microGrid({ grid: { 'mapping.lanes': [2] } }), join(root, 'out'), join(root, 'cache'), { steps: { verify: true } });
    expect(r.counters).toMatchObject({ computed: 1, failed: 0, verifyFailed: 0, simRuns: 2 });
    const p = r.results.points[0]!;
    for (const w of ['block-sub3', 'block-down2']) {
      const o = p.workloads[w]!;
      expect(o.model).toBe('replay');
      const v = o.verify!;
      expect(v, JSON.stringify(v)).toMatchObject({ scope: 'accelerator', status: 'pass', tiles: 1 });
      expect(v.measured!.total).toBeGreaterThan(0);
      expect(v.modelError).toBeCloseTo(o.cycles!.total / v.measured!.total - 1, 12);
      // The replay is calibrated against this co-simulation.
      expect(Math.abs(v.modelError!)).toBeLessThan(0.05);
    }
    expect(read(r.outDir, 'results.csv')).toMatch(/,block-sub3,true,([^,]*,){19}replay,pass,\d+,-?0\.\d+,\n/);
  });
});
