// A layer case whose RTL result does not match: repeat its harness run with a waveform (a
// --trace-fst build; the same case, tiles, seed and stalls, so the cycles are those of the first
// run) and report the first mismatch as every co-simulation mismatch is reported (sim/cosim.ts):
// case, seed, cycle, coordinate, channel, expected, actual, waveform, command to reproduce.
// `sparseforge sim` / `run` use it; the network runner's node report (network/trace.ts) shares
// the trace type and its lines.
import type { AcceleratorSpec } from '../../dsl/spec.ts';
import type { ResultMismatch } from '../../io/layer-result.ts';
import type { LayerCase } from '../../model/types.ts';
import { runAccelCase, type AccelRunOptions, type AccelRunResult } from './driver.ts';

/** The traced rerun of a harness run that did not match. */
export interface RunTrace {
  waveform?: string;
  /** Why there is no waveform, if none. */
  waveformError?: string;
  /** The traced harness run's command line. */
  command?: string;
  /** The first mismatch's cycle in the traced run (-1 if it did not reproduce there). */
  cycle: number;
  /** The traced run reproduced the mismatch. */
  reproduced: boolean;
}

/** Rerun a layer case with a waveform (`opts` as for the first run; its name gets `-trace`). */
export async function traceCaseMismatch(spec: AcceleratorSpec, c: LayerCase, opts: AccelRunOptions, first: ResultMismatch): Promise<RunTrace> {
  try {
    const r = await runAccelCase(spec, c, { ...opts, name: `${opts.name ?? spec.name}-trace`, trace: true });
    const out: RunTrace = { command: r.run.command, cycle: mismatchCycle(r, first), reproduced: !r.comparison.equal };
    if (r.waveform) out.waveform = r.waveform;
    else out.waveformError = 'the traced rerun wrote no FST file';
    return out;
  } catch (e) {
    return { waveformError: (e as Error).message.split('\n')[0], cycle: -1, reproduced: false };
  }
}

/** The harness cycle at which the run's output stream carried the mismatching value (-1: none). */
export function mismatchCycle(r: AccelRunResult, m: ResultMismatch): number {
  return m.point === undefined ? -1 : r.outputCycle(m.point, m.channel, m.field);
}

const show = (v: number | number[] | null) => (v === null ? 'none' : Array.isArray(v) ? `[${v.join(', ')}]` : String(v));

/** `… coordinate [0, 1, 2, 3], channel 2, features: expected 5, actual 4` */
export function mismatchFields(m: ResultMismatch): string {
  return `coordinate ${m.coord ? show(m.coord) : 'none'}, ${m.channel !== undefined ? `channel ${m.channel}` : 'whole point'}, ${m.field}: expected ${show(m.expected)}, actual ${show(m.actual)}${m.note ? ` (${m.note})` : ''}`;
}

/** The waveform lines of a traced rerun; `what` says what was repeated. */
export function traceLines(t: RunTrace, firstCycle: number, what: string): string[] {
  const lines: string[] = [];
  if (t.waveform) {
    lines.push(`  waveform: ${t.waveform} (${what} with --trace-fst)`);
    if (!t.reproduced) lines.push('  the traced rerun did not reproduce the mismatch');
    else if (t.cycle !== firstCycle) lines.push(`  in the traced rerun the value left at cycle ${t.cycle}`);
  } else {
    lines.push(`  waveform: not available (${t.waveformError ?? 'no FST file'})`);
  }
  if (t.command) lines.push(`  reproduce with the waveform: ${t.command}`);
  return lines;
}

export interface CaseMismatchInfo {
  /** The case (its file, or how it was built). */
  caseName: string;
  seed: number;
  xSeed: number;
  stall: number;
  mismatch: ResultMismatch;
  /** Harness cycle of the mismatching value in the first run (-1: not an output of it). */
  cycle: number;
  /** The traced rerun; absent when the first run itself was traced (its waveform is given). */
  trace?: RunTrace;
  /** The first run's own waveform (`--trace`). */
  waveform?: string;
  /** The first run's harness command line. */
  command: string;
}

/** The PyMTL-style lines of a layer case's first mismatch. */
export function caseMismatchReport(r: CaseMismatchInfo): string {
  const lines = [
    `co-simulation mismatch: case ${r.caseName}, seed ${r.seed}, x-seed ${r.xSeed}, stall ${r.stall}`,
    `  first mismatch: case ${r.caseName}, seed ${r.seed}, cycle ${r.cycle}, ${mismatchFields(r.mismatch)}`,
  ];
  if (r.waveform) lines.push(`  waveform: ${r.waveform} (this run, --trace)`);
  else if (r.trace) lines.push(...traceLines(r.trace, r.cycle, 'the harness run repeated'));
  lines.push(`  reproduce the harness run: ${r.command}`);
  return lines.join('\n');
}
