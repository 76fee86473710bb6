// Issue 13's measured breakdown of a network's utilisation loss (the cycle model's NodeLoss per
// node, report.ts): summed per layer kind and per output-channel width, as fractions of the
// cycles, so that the resource that limits each group is named (bench/network.bench.ts records it).
import type { NetworkReport, NodeLoss, NodeRow } from './report.ts';

export const LOSS_KEYS = ['halo', 'startup', 'tileLoad', 'weightStream', 'schedule', 'descFifo', 'outStream', 'tail'] as const;

export interface LossGroup extends NodeLoss {
  group: string;
  nodes: number;
  cycles: number;
  utilisation: number;
  /** The cause with the most cycles (of LOSS_KEYS), and its share of the group's cycles. */
  largest: { cause: (typeof LOSS_KEYS)[number]; share: number };
}

const zero = (): NodeLoss => ({ bound: 0, halo: 0, startup: 0, tileLoad: 0, weightStream: 0, schedule: 0, descFifo: 0, outStream: 0, tail: 0 });

/** Sum the accelerator nodes' losses by `key` (nodes without a breakdown are skipped). */
export function lossBy(r: NetworkReport, key: (n: NodeRow) => string): LossGroup[] {
  const groups = new Map<string, LossGroup>();
  for (const n of r.nodes) {
    if (n.where !== 'accelerator' || n.loss === undefined) continue;
    const k = key(n);
    const g = groups.get(k) ?? { group: k, nodes: 0, cycles: 0, utilisation: 0, largest: { cause: 'halo', share: 0 }, ...zero() };
    g.nodes++;
    g.cycles += n.cycles.total;
    g.bound += n.loss.bound;
    for (const c of LOSS_KEYS) g[c] += n.loss[c];
    groups.set(k, g);
  }
  for (const g of groups.values()) {
    g.utilisation = g.cycles > 0 ? g.bound / g.cycles : 0;
    const cause = LOSS_KEYS.reduce((a, c) => (g[c] > g[a] ? c : a), LOSS_KEYS[0]);
    g.largest = { cause, share: g.cycles > 0 ? g[cause] / g.cycles : 0 };
  }
  return [...groups.values()];
}

/** The whole network's breakdown (one group). */
export function lossTotal(r: NetworkReport): LossGroup | undefined {
  return lossBy(r, () => 'network')[0];
}
