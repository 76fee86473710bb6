import { describe, expect, it } from 'vitest';
import { reduceTree } from '../../generator/dsl/derive/reduce-tree.ts';

// Evaluates the tree with `op` over numeric leaves, as the template's wires would.
function evalTree(leaves: number[], op: (a: number, b: number) => number): { value: number; levels: number } {
  const names = leaves.map((_, i) => `l${i}`);
  const t = reduceTree('t', names);
  const env = new Map(names.map((n, i) => [n, leaves[i]!]));
  for (const n of t.nodes) {
    expect(env.has(n.a) && env.has(n.b), `${n.name} reads a signal defined later`).toBe(true);
    env.set(n.name, op(env.get(n.a)!, env.get(n.b)!));
  }
  return { value: env.get(t.root)!, levels: t.levels };
}

describe('reduceTree (drain marks: frontier max, bound min)', () => {
  it('is balanced (ceil(log2 n) levels) and reduces every leaf exactly once', () => {
    for (let n = 1; n <= 17; n++) {
      const leaves = Array.from({ length: n }, (_, i) => (i * 7919) % 23);
      const mn = evalTree(leaves, Math.min);
      expect(mn.value).toBe(Math.min(...leaves));
      expect(mn.levels).toBe(Math.ceil(Math.log2(n)));
      expect(evalTree(leaves, Math.max).value).toBe(Math.max(...leaves));
      // Each leaf a distinct power of two: a sum tree shows every leaf counted once.
      expect(evalTree(leaves.map((_, i) => 2 ** i), (a, b) => a + b).value).toBe(2 ** n - 1);
      const t = reduceTree('t', leaves.map((_, i) => `l${i}`));
      expect(t.nodes.length).toBe(n - 1);
    }
  });
  it('refuses an empty leaf list', () => {
    expect(() => reduceTree('t', [])).toThrow(/no leaves/);
  });
});
