// Shared pieces of the benchmarks: timing, machine description, the report format that
// bench/run.ts writes to bench/results/<name>.json, and the summary it prints.
import os from 'node:os';

export interface Measurement {
  /** Median wall-clock time of one run, ms. */
  wallMs: number;
  /** Median process CPU time (user + system) of one run, ms. */
  cpuMs: number;
  runs: number;
  warmup: number;
}

/**
 * Runs `fn` `warmup` times unmeasured (JIT tiers, caches), then `runs` times, and takes the median
 * of each clock. CPU time is reported beside wall time because the benchmark machines are
 * shared: under load, wall time also counts the time other processes held the core.
 */
export function measure(fn: () => unknown, opts: { warmup: number; runs: number }): Measurement {
  for (let i = 0; i < opts.warmup; i++) fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < opts.runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wallMs: median(wall), cpuMs: median(cpu), runs: opts.runs, warmup: opts.warmup };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface BenchResult {
  name: string;
  /** Throughput from CPU time (the figure targets are judged on). */
  value: number;
  /** Throughput from wall-clock time. */
  wallValue: number;
  unit: string;
  /** Work per run and the raw timings, so that the figure can be recomputed. */
  work: number;
  workUnit: string;
  timing: Measurement;
}

/** Throughput `work / time` in millions per second, from both clocks. */
export function throughput(name: string, work: number, workUnit: string, unit: string, m: Measurement): BenchResult {
  return { name, value: work / m.cpuMs / 1e3, wallValue: work / m.wallMs / 1e3, unit, work, workUnit, timing: m };
}

export interface Target {
  name: string;
  /** What the target compares, e.g. a result name or a ratio of two. */
  metric: string;
  comparison: '>=' | '<=';
  threshold: number;
  unit: string;
  value: number;
  wallValue: number;
  /** Judged on the CPU-time figure. */
  pass: boolean;
  passWallClock: boolean;
}

export function target(
  name: string, metric: string, comparison: '>=' | '<=', threshold: number, unit: string, value: number, wallValue: number,
): Target {
  const ok = (v: number) => (comparison === '>=' ? v >= threshold : v <= threshold);
  return { name, metric, comparison, threshold, unit, value, wallValue, pass: ok(value), passWallClock: ok(wallValue) };
}

export interface BenchReport {
  date: string;
  node: string;
  cpu: string;
  cores: number;
  /** 1/5/15-minute load averages when the benchmark started: a busy machine slows wall time. */
  loadAverage: number[];
  method: string;
  workload: Record<string, unknown>;
  results: BenchResult[];
  targets: Target[];
  pass: boolean;
}

export function machine(): Pick<BenchReport, 'date' | 'node' | 'cpu' | 'cores' | 'loadAverage'> {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    loadAverage: os.loadavg().map((v) => Math.round(v * 100) / 100),
  };
}

/** What every `bench/*.bench.ts` default-exports. */
export interface Bench {
  /** Also the results file name: bench/results/<name>.json. */
  name: string;
  description: string;
  run(log: (line: string) => void): Promise<BenchReport> | BenchReport;
}

const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

export function summary(r: BenchReport): string {
  const lines: string[] = [];
  lines.push(`${r.cpu} (${r.cores} cores), node ${r.node}, load ${r.loadAverage.join(' ')}`);
  const width = Math.max(...r.results.map((x) => x.name.length), 10);
  for (const x of r.results) {
    lines.push(`  ${x.name.padEnd(width)}  ${fmt(x.value).padStart(8)} ${x.unit}  (wall ${fmt(x.wallValue)}; median of ${x.timing.runs})`);
  }
  for (const t of r.targets) {
    const mark = t.pass ? 'PASS' : 'FAIL';
    lines.push(`  [${mark}] ${t.name}: ${fmt(t.value)} ${t.comparison} ${t.threshold} ${t.unit}` +
      (t.pass === t.passWallClock ? '' : `  (wall clock ${fmt(t.wallValue)}: ${t.passWallClock ? 'pass' : 'fail'})`));
  }
  return lines.join('\n');
}
