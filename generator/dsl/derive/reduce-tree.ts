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
