// One co-simulation: build (cached), run, compare with the expected beats; on a mismatch or a
// harness failure, rebuild with --trace-fst, rerun the same seeds with a waveform and throw a
// CosimMismatchError whose message is the full report (case, seed, cycle, beat, channel,
// expected, actual, waveform path, command to reproduce). A DUT whose output is not a fixed beat
// sequence (the mapping engine: map entries interleave by timing) captures its sinks without an
// expected count (`captures`) and compares them itself (`verify`), with the same report.
import { appendFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildSim, type BuildOptions, type BuildResult } from './build.ts';
import { compareStream, CosimMismatchError, mismatchReport, type ExpectedBeat, type Mismatch } from './compare.ts';
import type { StreamLayout } from './layout.ts';
import { PROJECT_ROOT } from './render.ts';
import { runSim, xSeedFor, type RunOptions, type RunResult } from './run.ts';

/** Run folders (stimulus, responses, waveforms); SPARSEFORGE_RUNS_DIR moves them (one per test worker). */
export const RUNS_ROOT = process.env.SPARSEFORGE_RUNS_DIR ? resolve(process.env.SPARSEFORGE_RUNS_DIR) : join(PROJECT_ROOT, '.cache', 'sim-runs');

export interface StreamCheck {
  stream: string;
  layout: StreamLayout;
  expected: ExpectedBeat[];
}

export interface CosimOptions {
  /** Names the case in reports and its run folder (`.cache/sim-runs/<caseName>`). */
  caseName: string;
  build: BuildOptions;
  run: Omit<RunOptions, 'workDir' | 'outputs' | 'expect'>;
  checks: StreamCheck[];
  /** Sinks captured without an expected beat count (the run does not wait for them; see `verify`). */
  captures?: string[];
  /**
   * Comparison of the run beyond fixed beat sequences (order-independent streams, registers read
   * over AXI-Lite): the mismatches it returns are reported like those of `checks`. Called once,
   * on the first (untraced) run, also when the harness failed.
   */
  verify?: (result: RunResult) => Mismatch[];
  /** Rerun with a waveform on a mismatch (default true). */
  traceOnMismatch?: boolean;
  /** Where run files go (default RUNS_ROOT/<caseName>). */
  workDir?: string;
  /** Called with one line per run (seeds, cycles); default: appended to `<workDir>/cosim.log`. */
  log?: (line: string) => void;
}

export interface CosimResult {
  build: BuildResult;
  result: RunResult;
  mismatches: Mismatch[];
  workDir: string;
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]+/g, '_');
}

export async function cosim(opts: CosimOptions): Promise<CosimResult> {
  const workDir = opts.workDir ?? join(RUNS_ROOT, safeName(opts.caseName));
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const log = opts.log ?? ((line: string) => appendFileSync(join(workDir, 'cosim.log'), `${line}\n`));
  const build = await buildSim(opts.build);
  const runOpts: RunOptions = {
    ...opts.run,
    xSeed: opts.run.xSeed ?? xSeedFor(opts.run.seed),
    workDir,
    outputs: [...opts.checks.map((c) => c.stream), ...(opts.captures ?? []).filter((n) => !opts.checks.some((c) => c.stream === n))],
    expect: Object.fromEntries(opts.checks.map((c) => [c.stream, c.expected.length])),
  };
  const result = await runSim(build.binary, runOpts);
  const stallPorts = opts.run.stallPorts && Object.keys(opts.run.stallPorts).length > 0 ? opts.run.stallPorts : undefined;
  const stallText = `stall ${opts.run.stall ?? 0}${stallPorts ? ` (${Object.entries(stallPorts).map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}`;
  log(
    `[cosim] ${opts.caseName}: seed ${opts.run.seed}, x-seed ${runOpts.xSeed}, ${stallText}: ` +
      `${result.summary.status}, ${result.cycles} cycles, ${Math.round(result.wallMs)} ms (build ${build.cached ? 'cached' : `${Math.round(build.buildMs)} ms`})`,
  );
  const mismatches: Mismatch[] = [];
  for (const c of opts.checks) mismatches.push(...compareStream(c.stream, c.layout, c.expected, result.outputs[c.stream] ?? []));
  if (opts.verify) mismatches.push(...opts.verify(result));
  if (result.ok && mismatches.length === 0) return { build, result, mismatches, workDir };

  // Failure: rerun the same seeds with a waveform.
  let waveform: string | undefined;
  let waveformError: string | undefined;
  let command = result.command;
  if (opts.traceOnMismatch !== false) {
    try {
      const tb = await buildSim({ ...opts.build, trace: true });
      const traceDir = join(workDir, 'trace');
      const fst = join(traceDir, 'wave.fst');
      const rerun = await runSim(tb.binary, { ...runOpts, workDir: traceDir, trace: fst });
      command = rerun.command;
      if (existsSync(fst)) waveform = fst;
      else waveformError = 'the traced rerun wrote no FST file';
    } catch (e) {
      waveformError = (e as Error).message.split('\n')[0];
    }
  }
  const report = mismatchReport({
    caseName: opts.caseName,
    seed: opts.run.seed,
    xSeed: runOpts.xSeed!,
    stall: opts.run.stall ?? 0,
    ...(stallPorts ? { stallPorts } : {}),
    mismatches,
    failure: result.ok ? undefined : `${result.summary.status}: ${result.summary.error || result.stderr.trim()}`,
    waveform,
    waveformError,
    command,
  });
  log(report);
  process.stderr.write(`${report}\n`);
  throw new CosimMismatchError(report, mismatches, waveform);
}
