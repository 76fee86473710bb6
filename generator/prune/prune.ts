// N:M magnitude pruning (DESIGN.md §7): in every group of M consecutive input channels of every
// (kernel index, output channel), keep the N weights of largest magnitude and zero the others.
// Ties are broken towards the lower input channel (a stable order: |w| descending, then channel
// ascending), so pruning is deterministic and idempotent: an N:M-sparse tensor is returned as it is.
import { FieldError, type LayerCase, type NmPattern } from '../model/index.ts';
import { INPUT_NODE, type Network } from '../model/network-types.ts';

export interface PruneCount {
  /** Weights that were non-zero before and zeroed by pruning. */
  zeroed: number;
  /** Non-zero weights before pruning. */
  nonZerosBefore: number;
  total: number;
}

/** `weights[i][cin][cout]` pruned to N:M (a new array; the input is not changed). */
export function pruneWeights(weights: readonly (readonly (readonly number[])[])[], p: NmPattern): { weights: number[][][]; count: PruneCount } {
  const out = weights.map((wi) => wi.map((row) => [...row]));
  const count: PruneCount = { zeroed: 0, nonZerosBefore: 0, total: 0 };
  const idx: number[] = [];
  for (const wi of out) {
    const cin = wi.length;
    const cout = cin === 0 ? 0 : wi[0]!.length;
    count.total += cin * cout;
    for (let g = 0; g * p.m < cin; g++) {
      const lo = g * p.m;
      const hi = Math.min(cin, lo + p.m);
      for (let o = 0; o < cout; o++) {
        idx.length = 0;
        for (let j = lo; j < hi; j++) {
          if (wi[j]![o] !== 0) idx.push(j);
        }
        count.nonZerosBefore += idx.length;
        if (idx.length <= p.n) continue;
        idx.sort((a, b) => Math.abs(wi[b]![o]!) - Math.abs(wi[a]![o]!) || a - b);
        for (let k = p.n; k < idx.length; k++) {
          wi[idx[k]!]![o] = 0;
          count.zeroed++;
        }
      }
    }
  }
  return { weights: out, count };
}

export function pruneCase(c: LayerCase, p: NmPattern): { case: LayerCase; count: PruneCount } {
  const { weights, count } = pruneWeights(c.weights, p);
  return { case: { ...c, weights }, count };
}

export interface PrunedLayer {
  node: string;
  count: PruneCount;
}

/**
 * Prunes the conv nodes named in `layers` (every conv node when undefined); a name that is not a
 * conv node of the network is an error naming it.
 */
export function pruneNetwork(net: Network, p: NmPattern, layers?: readonly string[]): { network: Network; layers: PrunedLayer[] } {
  const convs = new Set(net.nodes.filter((n) => n.op === 'conv').map((n) => n.name));
  if (layers) {
    for (const name of layers) {
      if (!convs.has(name)) {
        const known = net.nodes.some((n) => n.name === name) || name === INPUT_NODE;
        throw new FieldError('--layers', `${JSON.stringify(name)} ${known ? 'is not a conv node' : 'is not a node'} of network ${net.name} (conv nodes: ${[...convs].join(', ')})`);
      }
    }
  }
  const chosen = new Set(layers ?? convs);
  const pruned: PrunedLayer[] = [];
  const nodes = net.nodes.map((n) => {
    if (n.op !== 'conv' || !chosen.has(n.name)) return n;
    const { weights, count } = pruneWeights(n.weights, p);
    pruned.push({ node: n.name, count });
    return { ...n, weights };
  });
  return { network: { ...net, nodes }, layers: pruned };
}
