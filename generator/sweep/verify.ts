// `--verify`: co-simulation of a sweep point on each workload with the complete accelerator and
// its host driver (generator/sim/accel: tiling, streaming, Verilator harness). Every output is
// compared with the golden model, and the measured cycles (PERF_TOTAL_CYCLES summed over the
// measured runs) with the cycle model's prediction.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { AcceleratorSpec } from '../dsl/spec.ts';
import type { CyclePrediction } from '../model/cycle-model.ts';
import { runAccelCase, type AccelRunResult } from '../sim/accel/driver.ts';
import type { PreparedWorkload } from './workloads.ts';
import { simulateNetwork, type NetSimResult } from '../network/runner.ts';

export interface VerifyOutcome {
  /** What was co-simulated. */
  scope: 'accelerator';
  status: 'pass' | 'fail';
  /** The first mismatch or the error. */
  reason?: string;
  mismatches?: number;
  tiles?: number;
  measured?: { total: number; mapping: number; compute: number; stall: number };
  /** predicted total / measured total − 1. */
  modelError?: number;
}

export interface VerifyHooks {
  /** The Verilator build of the point's accelerator (shared by points with the same RTL). */
  build(): Promise<unknown>;
  /** Runs an external tool invocation under the sweep's concurrency limit. */
  slot<T>(fn: () => Promise<T>): Promise<T>;
  onRun(): void;
  /** A folder of its own for the harness run (points run concurrently). */
  workDir: string;
}

function describeMismatch(r: AccelRunResult): string {
  const m = r.comparison.mismatches[0];
  return m ? `${r.comparison.count} mismatch(es), first ${JSON.stringify(m)}` : 'outputs differ from the golden model';
}

export async function verifyWorkload(spec: AcceleratorSpec, w: PreparedWorkload, predicted: CyclePrediction, hooks: VerifyHooks): Promise<VerifyOutcome> {
  const base = { scope: 'accelerator' as const };
  await hooks.build();
  const workDir = join(hooks.workDir, w.name);
  if (w.network) return verifyNetwork(spec, w, predicted, hooks, workDir);
  let r: AccelRunResult;
  try {
    r = await hooks.slot(() => runAccelCase(spec, w.case, { workDir, name: w.name }));
  } catch (e) {
    return { ...base, status: 'fail', reason: e instanceof Error ? e.message.split('\n')[0] : String(e) };
  } finally {
    hooks.onRun();
  }
  const c = r.stats.cycles;
  const out: VerifyOutcome = {
    ...base,
    status: r.comparison.equal ? 'pass' : 'fail',
    ...(r.comparison.equal ? {} : { reason: describeMismatch(r), mismatches: r.comparison.count }),
    tiles: r.stats.tiles,
    measured: { total: c.total, mapping: c.mapping, compute: c.compute, stall: c.stall },
    modelError: c.total === 0 ? undefined : predicted.total / c.total - 1,
  };
  // Waveform-free runs are only worth keeping when something went wrong.
  if (out.status === 'pass') rmSync(workDir, { recursive: true, force: true });
  return out;
}

/** A network workload: every conv node on the RTL (net sim), every node compared with the golden network. */
async function verifyNetwork(spec: AcceleratorSpec, w: PreparedWorkload, predicted: CyclePrediction, hooks: VerifyHooks, workDir: string): Promise<VerifyOutcome> {
  const base = { scope: 'accelerator' as const };
  let r: NetSimResult;
  try {
    r = await hooks.slot(() => simulateNetwork(spec, w.network!.net, w.network!.input, { workDir, name: w.name }));
  } catch (e) {
    return { ...base, status: 'fail', reason: e instanceof Error ? e.message.split('\n')[0] : String(e) };
  } finally {
    hooks.onRun();
  }
  const acc = r.report.nodes.filter((n) => n.where === 'accelerator');
  const sum = (f: (n: (typeof acc)[number]) => number) => acc.reduce((a, n) => a + f(n), 0);
  const total = r.report.totals.cycles;
  const out: VerifyOutcome = {
    ...base,
    status: r.report.match ? 'pass' : 'fail',
    ...(r.report.match ? {} : { reason: r.report.firstMismatch!.report.split('\n')[0], mismatches: sum((n) => n.mismatches ?? 0) }),
    tiles: sum((n) => n.tiles),
    measured: { total, mapping: sum((n) => n.cycles.mapping), compute: sum((n) => n.cycles.compute), stall: sum((n) => n.cycles.stall) },
    modelError: total === 0 ? undefined : predicted.total / total - 1,
  };
  if (out.status === 'pass') rmSync(workDir, { recursive: true, force: true });
  return out;
}
