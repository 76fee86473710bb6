// Benchmark: generate + lint per preset (issue target: under 2 s each). For every preset it
// measures, in process, emission (templates → files in memory) + writing + verilator
// --lint-only -Wall of every module (two verilators at a time), and, end to end, the command a
// user runs: `bin/sparseforge generate --preset P --lint` (adds Node/tsx start-up).
// CPU time counts this process and its children (verilator, the CLI), read from /proc, because
// almost all of the work happens in child processes; wall time is reported beside it.
// Run through `npm run bench` (bench/run.ts), or alone: `npx tsx bench/emit.bench.ts`.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { PRESET_NAMES, presets } from '../generator/dsl/index.ts';
import { emitAccelerator, writeEmitted } from '../generator/emit/index.ts';
import { lintRtl } from '../generator/emit/lint.ts';
import { PROJECT_ROOT } from '../generator/emit/render.ts';
import { machine, median, summary, target, type Bench, type BenchReport, type BenchResult, type Measurement } from './harness.ts';

export const TARGET_MS = 2000;
const WARMUP = 1;
const RUNS = 3;

/** CPU milliseconds of this process plus its waited-for children (Linux /proc; self only elsewhere). */
function cpuMsWithChildren(): number {
  const self = process.cpuUsage();
  let children = 0;
  try {
    // Fields after the command name; cutime and cstime are fields 16 and 17 (1-based), in clock ticks.
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(rest[13]) + Number(rest[14]);
    children = (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    // not Linux: children are not counted
  }
  return (self.user + self.system) / 1000 + children;
}

async function measureAsync(fn: (i: number) => Promise<unknown>): Promise<Measurement> {
  for (let i = 0; i < WARMUP; i++) await fn(-1 - i);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const c0 = cpuMsWithChildren();
    const t0 = performance.now();
    await fn(i);
    wall.push(performance.now() - t0);
    cpu.push(cpuMsWithChildren() - c0);
  }
  return { wallMs: median(wall), cpuMs: median(cpu), runs: RUNS, warmup: WARMUP };
}

function timeResult(name: string, workUnit: string, m: Measurement): BenchResult {
  return { name, value: m.cpuMs, wallValue: m.wallMs, unit: 'ms', work: 1, workUnit, timing: m };
}

const bench: Bench = {
  name: 'emit',
  description: 'generate (emit + write) + verilator --lint-only -Wall of every module, per preset; and the CLI end to end',
  async run(log) {
    const dir = join(PROJECT_ROOT, '.cache', 'bench-emit');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const results: BenchResult[] = [];
    const workload: Record<string, unknown> = {};
    const targets = [];
    for (const preset of PRESET_NAMES) {
      const spec = presets[preset];
      let warnings = 0;
      const m = await measureAsync(async (i) => {
        const out = join(dir, `${preset}-${i}`);
        const emitted = emitAccelerator(spec);
        await writeEmitted(emitted.files, out);
        warnings = (await lintRtl(out, { concurrency: 2 })).messages.length;
      });
      const emitOnly = await measureAsync(async () => emitAccelerator(spec));
      const cli = await measureAsync(async (i) => {
        const r = await execa(join(PROJECT_ROOT, 'bin', 'sparseforge'), ['generate', '--preset', preset, '--out', join(dir, `${preset}-cli-${i}`), '--lint'], {
          reject: false,
        });
        if (r.exitCode !== 0) throw new Error(`generate --preset ${preset} --lint exited ${r.exitCode}: ${r.stderr || r.stdout}`);
      });
      const emitted = emitAccelerator(spec);
      workload[preset] = {
        modules: emitted.modules.length,
        verilogLines: emitted.files.filter((f) => f.path.endsWith('.v')).reduce((n, f) => n + f.contents.split('\n').length - 1, 0),
        lintWarnings: warnings,
      };
      results.push(timeResult(`generate+lint ${preset}`, `emit + write + lint of preset ${preset}`, m));
      results.push(timeResult(`emit ${preset}`, `emitAccelerator(${preset}) in memory`, emitOnly));
      results.push(timeResult(`cli generate --lint ${preset}`, `bin/sparseforge generate --preset ${preset} --lint`, cli));
      targets.push(target(`generate + lint ${preset} under 2 s`, `generate+lint ${preset}`, '<=', TARGET_MS, 'ms', m.cpuMs, m.wallMs));
      log(`${preset}: generate+lint ${m.wallMs.toFixed(0)} ms wall / ${m.cpuMs.toFixed(0)} ms CPU; emit ${emitOnly.wallMs.toFixed(0)} ms; CLI ${cli.wallMs.toFixed(0)} ms wall`);
    }
    rmSync(dir, { recursive: true, force: true });
    const report: BenchReport = {
      ...machine(),
      method: `median of ${RUNS} runs after ${WARMUP} warm-up; CPU time = this process + child processes (verilator, the CLI); lint runs 2 verilators at a time`,
      workload,
      results,
      targets,
      pass: targets.every((t) => t.pass),
    };
    return report;
  },
};

export default bench;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const report = await bench.run((l) => process.stdout.write(`${l}\n`));
  const file = join(PROJECT_ROOT, 'bench', 'results', `${bench.name}.json`);
  mkdirSync(join(PROJECT_ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${summary(report)}\nwritten ${file}\n`);
}
