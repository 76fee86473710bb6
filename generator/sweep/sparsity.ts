// N:M weight sparsity in a sweep (`matrix.weightSparsity` as a grid dimension): a point with a
// pattern runs each workload pruned to that pattern (the same layer or every conv node of a
// network workload, magnitude-pruned, so the map
// and the channel counts are the workload's), and the report sets each sparse point's speed-up
// beside its resource cost against the dense point that differs from it only in the pattern.
import type { AcceleratorSpec } from '../dsl/spec.ts';
import { weightPattern } from '../dsl/sparsity.ts';
import { nmName } from '../model/index.ts';
import { pruneCase, pruneNetwork } from '../prune/prune.ts';
import type { PointResult, SweepResults } from './results.ts';
import type { PreparedWorkload } from './workloads.ts';

const pruned = new WeakMap<PreparedWorkload, Map<string, PreparedWorkload>>();

/** The workload as a point runs it: pruned to the point's N:M pattern, or unchanged when dense. */
export function workloadForSpec(spec: AcceleratorSpec, w: PreparedWorkload): PreparedWorkload {
  const p = weightPattern(spec);
  if (!p) return w;
  let byPattern = pruned.get(w);
  if (!byPattern) pruned.set(w, (byPattern = new Map()));
  const key = nmName(p);
  let out = byPattern.get(key);
  if (!out) {
    out = { ...w, case: pruneCase(w.case, p).case };
    if (w.network) out.network = { ...w.network, net: pruneNetwork(w.network.net, p).network };
    byPattern.set(key, out);
  }
  return out;
}

export const SPARSITY_PARAM = 'matrix.weightSparsity';

export interface SparsityRow {
  point: string;
  pattern: string;
  dense: string;
  /** Ratios sparse / dense (resources) and dense cycles / sparse cycles per workload. */
  luts?: number;
  ffs?: number;
  dsp48?: number;
  speedup: Record<string, number | undefined>;
}

/** Every sparse point that has a dense twin (all other parameters equal), with its speed-up and resource ratios. */
export function sparsityComparison(r: SweepResults): SparsityRow[] {
  if (!r.parameters.includes(SPARSITY_PARAM)) return [];
  const others = r.parameters.filter((p) => p !== SPARSITY_PARAM);
  const sig = (p: PointResult) => JSON.stringify(others.map((k) => p.params[k]));
  const dense = new Map<string, PointResult>();
  for (const p of r.points) if (p.status === 'ok' && p.params[SPARSITY_PARAM] === 'dense') dense.set(sig(p), p);
  const rows: SparsityRow[] = [];
  for (const p of r.points) {
    const pattern = p.params[SPARSITY_PARAM];
    if (p.status !== 'ok' || pattern === 'dense' || typeof pattern !== 'string') continue;
    const d = dense.get(sig(p));
    if (!d) continue;
    const ratio = (a?: number, b?: number) => (a !== undefined && b !== undefined && b > 0 ? a / b : undefined);
    const speedup: Record<string, number | undefined> = {};
    for (const w of r.workloads) speedup[w.name] = ratio(d.workloads[w.name]?.cycles?.total, p.workloads[w.name]?.cycles?.total);
    rows.push({
      point: p.id,
      pattern,
      dense: d.id,
      luts: ratio(p.resources?.luts, d.resources?.luts),
      ffs: ratio(p.resources?.ffs, d.resources?.ffs),
      dsp48: ratio(p.resources?.dsp48, d.resources?.dsp48),
      speedup,
    });
  }
  return rows;
}
