// A conv node that does not match: the network runner repeats the node's harness run up to and
// including that node with a waveform (a --trace-fst build; the same layers, seed and stalls, so
// the cycles are those of the first run) and reports it as every co-simulation mismatch is
// reported (sim/cosim.ts): node, case, seed, cycle, coordinate, channel, expected, actual,
// waveform, command to reproduce.
import type { ResultMismatch } from '../io/layer-result.ts';
import { runAccelBatch, type BatchLayer, type BatchOptions } from '../sim/accel/batch.ts';
import type { AcceleratorSpec } from '../dsl/spec.ts';
import { mismatchFields, traceLines, type RunTrace } from '../sim/accel/trace.ts';

/** The traced rerun of a node's harness run (sim/accel/trace.ts: the same for a layer case). */
export type NodeTrace = RunTrace;

/**
 * Rerun `layers` (the node's harness run, cut after the node, which is last) with a waveform. The
 * node streams its output words even where fusion kept them on chip, so the waveform shows them.
 */
export async function traceNodeMismatch(spec: AcceleratorSpec, layers: BatchLayer[], opts: BatchOptions, first: ResultMismatch): Promise<NodeTrace> {
  const { keepForNext: _k, streamOut: _s, ...node } = layers[layers.length - 1]!;
  try {
    const r = await runAccelBatch(spec, [...layers.slice(0, -1), node], { ...opts, trace: true });
    const l = r.layers[r.layers.length - 1]!;
    const out: NodeTrace = { command: r.run.command, cycle: first.point === undefined ? -1 : l.outputCycle(first.point, first.channel), reproduced: !l.comparison.equal };
    if (r.waveform) out.waveform = r.waveform;
    else out.waveformError = 'the traced rerun wrote no FST file';
    return out;
  } catch (e) {
    return { waveformError: (e as Error).message.split('\n')[0], cycle: -1, reproduced: false };
  }
}

export interface NodeMismatchInfo {
  node: string;
  /** The harness run's case name (its run folder) and where the node sits in it. */
  caseName: string;
  harnessRun: number;
  harnessRuns: number;
  position: number;
  runLength: number;
  seed: number;
  xSeed: number;
  stall: number;
  mismatch: ResultMismatch;
  /** Harness cycle of the mismatching value in the first run (-1: not an output of it). */
  cycle: number;
  trace?: NodeTrace;
}

/** The PyMTL-style lines of a conv node's mismatch (after the node's comparison lines). */
export function nodeMismatchReport(r: NodeMismatchInfo): string {
  const lines = [
    `co-simulation mismatch at node ${JSON.stringify(r.node)}: case ${r.caseName} (harness run ${r.harnessRun}/${r.harnessRuns}, conv node ${r.position} of ${r.runLength} in it), ` +
      `seed ${r.seed}, x-seed ${r.xSeed}, stall ${r.stall}`,
    `  first mismatch: node ${r.node}, case ${r.caseName}, seed ${r.seed}, cycle ${r.cycle}, ${mismatchFields(r.mismatch)}`,
  ];
  if (r.trace !== undefined) lines.push(...traceLines(r.trace, r.cycle, `harness run ${r.harnessRun} repeated up to this node`));
  return lines.join('\n');
}
