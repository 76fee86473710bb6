import { describe, expect, it } from 'vitest';
import { reduceFlat, reduceTree } from '../../generator/dsl/derive/reduce-tree.ts';

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

// Evaluates the flat reduction as the template's wires would: comparators, one-hot wins, AND-OR.
function evalFlat(leaves: number[], op: '>' | '<'): { value: number; winners: number; comparators: number } {
  const names = leaves.map((_, i) => `l${i}`);
  const f = reduceFlat('f', names, op, 8);
  const env = new Map<string, number>(names.map((n, i) => [n, leaves[i]!]));
  for (const c of f.cmps) {
    const m = /^\((\w+) ([<>]) (\w+)\)$/.exec(c.expr)!;
    expect(m[1]).toBe(c.b);
    expect(m[3]).toBe(c.a);
    const [b, a] = [env.get(c.b)!, env.get(c.a)!];
    env.set(c.name, (op === '>' ? b > a : b < a) ? 1 : 0);
  }
  let value = 0;
  let winners = 0;
  for (const w of f.wins) {
    const on = w.terms === "1'b1" || w.terms.split(' & ').every((t) => (t.startsWith('~') ? env.get(t.slice(1)) === 0 : env.get(t) === 1));
    if (on) {
      winners++;
      value |= env.get(w.leaf)!;
    }
  }
  return { value, winners, comparators: f.comparators };
}

describe('reduceFlat (drain marks in one comparator level)', () => {
  it('selects exactly one leaf, the max or min, ties included, with n(n−1)/2 comparators', () => {
    for (let n = 1; n <= 10; n++) {
      for (let seed = 0; seed < 20; seed++) {
        // Few distinct values: many ties.
        const leaves = Array.from({ length: n }, (_, i) => ((i + 1) * (seed + 3) * 7919) % 5);
        const mx = evalFlat(leaves, '>');
        expect(mx.winners).toBe(1);
        expect(mx.value).toBe(Math.max(...leaves));
        const mn = evalFlat(leaves, '<');
        expect(mn.winners).toBe(1);
        expect(mn.value).toBe(Math.min(...leaves));
        expect(mx.comparators).toBe((n * (n - 1)) / 2);
      }
    }
    expect(reduceFlat('f', ['a'], '>', 4).root).toBe('a');
    expect(() => reduceFlat('f', [], '<', 4)).toThrow(/no leaves/);
  });
});
