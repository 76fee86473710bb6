// The golden network against the independent reference (test/network/reference.ts) on random
// small networks with every node kind, every node's tensor compared.
import { describe, expect, it } from 'vitest';
import { runNetwork } from '../../generator/model/index.ts';
import { randomNetwork } from './random-network.ts';
import { referenceNetwork } from './reference.ts';

describe('golden network vs the independent dictionary reference', () => {
  it('agrees on every node of 300 random networks', () => {
    const kinds = new Set<string>();
    for (let seed = 1; seed <= 300; seed++) {
      const { net, input, widths } = randomNetwork(seed);
      const run = runNetwork(net, input, { widths, all: true });
      const ref = referenceNetwork(net, input, widths);
      for (const n of net.nodes) {
        kinds.add(n.op === 'conv' ? `${n.layer.type}${n.requant ? '' : '-raw'}` : n.op);
        expect(run.result.nodes[n.name], `seed ${seed} node ${n.name}`).toEqual(ref[n.name]);
      }
    }
    expect([...kinds].sort()).toEqual(['add', 'concat', 'conv', 'submanifold', 'submanifold-raw', 'transposed']);
  });
});
