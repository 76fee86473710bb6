// Balanced binary reduction trees (min / max over a few registers) for the templates: the tree's
// shape is computed here so that templates only print one wire per node.

export interface ReduceNode {
  /** The node's wire name. */
  name: string;
  /** Its two operands (leaf signals or earlier nodes). */
  a: string;
  b: string;
}

export interface ReduceTree {
  /** Nodes in dependency order (level by level). Empty for a single leaf. */
  nodes: ReduceNode[];
  /** The signal holding the reduction: the last node, or the only leaf. */
  root: string;
  /** Comparator levels from a leaf to the root: ceil(log2(leaves)). */
  levels: number;
}

/**
 * Pairs neighbours level by level (an odd last operand is carried up unchanged), so the depth is
 * ceil(log2(n)) comparators instead of the n − 1 of a serial chain. Nodes are named
 * `${prefix}_<level>_<index>`.
 */
export function reduceTree(prefix: string, leaves: string[]): ReduceTree {
  if (leaves.length === 0) throw new RangeError(`reduceTree ${prefix}: no leaves`);
  const nodes: ReduceNode[] = [];
  let cur = leaves.slice();
  let level = 0;
  while (cur.length > 1) {
    const next: string[] = [];
    for (let j = 0; j + 1 < cur.length; j += 2) {
      const name = `${prefix}_${level}_${j >> 1}`;
      nodes.push({ name, a: cur[j]!, b: cur[j + 1]! });
      next.push(name);
    }
    if (cur.length % 2 === 1) next.push(cur[cur.length - 1]!);
    cur = next;
    level++;
  }
  return { nodes, root: cur[0]!, levels: level };
}

export interface FlatReduce {
  /** One comparator per pair of leaves a before b: `name` = `expr` = (b OP a), b strictly beats a. */
  cmps: { name: string; a: string; b: string; expr: string }[];
  /** Per leaf, its one-hot select: the AND of the pair comparisons it wins. */
  wins: { name: string; leaf: string; terms: string }[];
  /** The AND-OR select of the winning leaf (a Verilog expression over the wins and leaves). */
  root: string;
  /** Comparators in all. */
  comparators: number;
}

/**
 * A min or max over a few registers in one comparator level (issue 15): every pair is compared at
 * once, the leaf that wins all its comparisons is selected (ties go to the earlier leaf, so
 * exactly one wins), and an AND-OR picks it. n(n−1)/2 comparators instead of a tree's n − 1, for
 * one comparator on the path instead of ceil(log2 n). `op` is '>' for a maximum, '<' for a minimum.
 */
export function reduceFlat(prefix: string, leaves: string[], op: '>' | '<', width: number): FlatReduce {
  if (leaves.length === 0) throw new RangeError(`reduceFlat ${prefix}: no leaves`);
  const cmps: FlatReduce['cmps'] = [];
  const terms: string[][] = leaves.map(() => []);
  for (let i = 0; i < leaves.length; i++) {
    for (let j = i + 1; j < leaves.length; j++) {
      const name = `${prefix}_c${i}_${j}`;
      // name = leaf j strictly beats leaf i; otherwise leaf i wins the pair (ties to the earlier).
      cmps.push({ name, a: leaves[i]!, b: leaves[j]!, expr: `(${leaves[j]!} ${op} ${leaves[i]!})` });
      terms[i]!.push(`~${name}`);
      terms[j]!.push(name);
    }
  }
  const wins = leaves.map((leaf, i) => ({ name: `${prefix}_w${i}`, leaf, terms: terms[i]!.length ? terms[i]!.join(' & ') : "1'b1" }));
  const root = leaves.length === 1 ? leaves[0]! : wins.map((w) => `({${width}{${w.name}}} & ${w.leaf})`).join(' | ');
  return { cmps, wins, root, comparators: cmps.length };
}
