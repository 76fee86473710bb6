// Benchmark: the 24-point example sweep (scripts/sweeps/example.ts: matrix size × mapping lanes ×
// buffer depth on the bunny and a LiDAR-like scan) with Verilator lint, Yosys synth_xilinx
// resource estimates and the cycle model — first with an empty cache (every unit linted and
// synthesized), then re-run with the warm cache, in this process and through the CLI (tsx start-up
// included). The cold run writes the committed example results and report to
// bench/results/sweep-example/.
//
// Target (issue): the warm re-run is ≥ 10× faster than the cold run. Times are wall-clock: the
// work happens in Yosys and Verilator child processes, which the process CPU clock does not see.
// Run: `npx tsx bench/run.ts sweep` (tens of minutes on two cores; uses a private cache folder).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { PROJECT_ROOT } from '../generator/emit/render.ts';
import { loadGridFile, runSweep, type SweepRun } from '../generator/sweep/index.ts';
import { machine, target, type Bench, type BenchResult } from './harness.ts';

const GRID = join(PROJECT_ROOT, 'scripts', 'sweeps', 'example.ts');
const OUT = join(PROJECT_ROOT, 'bench', 'results', 'sweep-example');
const TARGET_SPEEDUP = 10;

function result(name: string, ms: number, work: number): BenchResult {
  return { name, value: ms, wallValue: ms, unit: 'ms', work, workUnit: 'points', timing: { wallMs: ms, cpuMs: ms, runs: 1, warmup: 0 } };
}

async function timedSweep(outDir: string, cacheRoot: string, log: (l: string) => void): Promise<{ ms: number; run: SweepRun }> {
  const t0 = performance.now();
  const grid = await loadGridFile(GRID);
  const run = await runSweep(grid, {
    outDir,
    cacheRoot,
    jobs: os.availableParallelism(),
    progress: 'lines',
    stream: { write: (s: string) => s.split('\n').filter(Boolean).forEach(log) },
  });
  return { ms: performance.now() - t0, run };
}

const bench: Bench = {
  name: 'sweep',
  description: '24-point example sweep with lint, Yosys and the cycle model: cold cache, then warm re-run',
  async run(log) {
    const info = machine();
    const cache = mkdtempSync(join(os.tmpdir(), 'sf-sweep-bench-'));
    const warmOut = mkdtempSync(join(os.tmpdir(), 'sf-sweep-bench-out-'));
    try {
      rmSync(OUT, { recursive: true, force: true });
      log('cold: empty cache');
      const cold = await timedSweep(OUT, cache, log);
      log(`cold: ${(cold.ms / 1000).toFixed(1)} s, Yosys runs ${cold.run.counters.synthRuns}, lint runs ${cold.run.counters.lintRuns}`);
      const warm = await timedSweep(join(warmOut, 'in-process'), cache, log);
      log(`warm (in process): ${(warm.ms / 1000).toFixed(2)} s, computed ${warm.run.counters.computed}, from the cache ${warm.run.counters.cached}`);
      const t0 = performance.now();
      const cli = await execa(join(PROJECT_ROOT, 'bin', 'sparseforge'), ['sweep', GRID, '--out', join(warmOut, 'cli'), '--cache-dir', cache, '--progress', 'none'], { all: true });
      const cliMs = performance.now() - t0;
      log(`warm (CLI): ${(cliMs / 1000).toFixed(2)} s: ${cli.stdout.split('\n').find((l) => l.includes(' of ')) ?? ''}`);
      const n = cold.run.counters.selected;
      const results = [result('cold sweep (lint + Yosys + cycle model)', cold.ms, n), result('warm re-run, in process', warm.ms, n), result('warm re-run, CLI', cliMs, n)];
      const targets = [
        target(`warm CLI re-run ≥ ${TARGET_SPEEDUP}× faster than cold`, 'cold / warm CLI wall time', '>=', TARGET_SPEEDUP, '×', cold.ms / cliMs, cold.ms / cliMs),
      ];
      const ok = (r: SweepRun) => r.results.points.filter((p) => p.status === 'ok').length;
      return {
        ...info,
        method:
          'scripts/sweeps/example.ts run by runSweep with jobs = cores into a fresh cache folder (cold: every RTL unit linted by Verilator and synthesized by Yosys 0.23 synth_xilinx), then again with that cache (warm) in process and via bin/sparseforge; wall-clock times, one run each',
        workload: {
          grid: 'scripts/sweeps/example.ts',
          points: n,
          okPoints: ok(cold.run),
          workloads: cold.run.results.workloads.map((w) => `${w.name}: ${w.description}`),
          cold: cold.run.counters,
          warm: warm.run.counters,
          output: 'bench/results/sweep-example/',
        },
        results,
        targets,
        pass: targets.every((t) => t.pass) && ok(cold.run) === n,
      };
    } finally {
      rmSync(cache, { recursive: true, force: true });
      rmSync(warmOut, { recursive: true, force: true });
    }
  },
};

export default bench;
