// Random small networks using every node kind of DESIGN.md §6: submanifold, strided conv and
// transposed conv nodes (odd and even kernels), residual adds, skip concats, raw-accumulator
// outputs, over small dense clouds with several batches and negative coordinates. Nodes are
// written in a shuffled order (any topological order must be accepted).
import { Prng } from '../../generator/io/prng.ts';
import type { ArithmeticWidths, Coord, Network, NetworkNode, NodeTensor, Requant } from '../../generator/model/index.ts';

interface Avail { name: string; ts: number; channels: number; group: number }

export interface RandomNetwork {
  net: Network;
  input: NodeTensor;
  widths: ArithmeticWidths;
}

export function randomNetwork(seed: number): RandomNetwork {
  const g = new Prng(seed);
  const wide = g.int(0, 4) === 0;
  const widths: ArithmeticWidths = wide
    ? { inWidth: 12, weightWidth: 6, accWidth: g.int(0, 1) ? 40 : 20, outWidth: 12 }
    : { inWidth: 8, weightWidth: 8, accWidth: g.int(0, 2) === 0 ? 18 : 32, outWidth: 8 };
  const half = (bits: number) => 2 ** (bits - 1);
  const cin = g.int(1, 5);

  const span = g.int(3, 7);
  const seen = new Set<string>();
  const coords: Coord[] = [];
  const n = g.int(1, 40);
  for (let i = 0; i < n; i++) {
    const c: Coord = [g.int(0, 1), g.int(-span, span), g.int(-span, span), g.int(-2, 2)];
    if (seen.has(c.join())) continue;
    seen.add(c.join());
    coords.push(c);
  }
  const input: NodeTensor = {
    tensorStride: 1, coords, features: coords.map(() => g.ints(cin, -half(widths.inWidth), half(widths.inWidth) - 1)),
  };

  const nodes: NetworkNode[] = [];
  const avail: Avail[] = [{ name: 'input', ts: 1, channels: cin, group: 0 }];
  let groups = 1;
  const weights = (k: number, ci: number, co: number) =>
    Array.from({ length: k ** 3 }, () => Array.from({ length: ci }, () => g.ints(co, -half(widths.weightWidth), half(widths.weightWidth) - 1)));
  const requant = (co: number): Requant => {
    const big = g.int(0, 5) === 0;
    return {
      multiplier: Array.from({ length: co }, () => (big ? g.int(0, 2 ** 31 - 1) : g.int(0, 4096))),
      shift: Array.from({ length: co }, () => (big ? g.int(0, 63) : g.int(6, 20))),
      relu: g.int(0, 1) === 1,
    };
  };
  const pick = (f: (a: Avail) => boolean) => {
    const c = avail.filter(f);
    return c.length === 0 ? undefined : c[g.int(0, c.length - 1)];
  };
  const conv = (src: Avail, type: 'submanifold' | 'conv' | 'transposed', k: number, stride: number, co: number, of?: Avail): Avail => {
    const name = `n${nodes.length}`;
    const node: NetworkNode = { name, op: 'conv', inputs: [src.name], layer: { type, kernelSize: k, stride, outChannels: co }, weights: weights(k, src.channels, co) };
    if (g.int(0, 1)) node.bias = g.ints(co, -500, 500);
    node.requant = requant(co);
    if (of) node.outputCoordsOf = of.name;
    nodes.push(node);
    const ts = type === 'conv' ? src.ts * stride : type === 'transposed' ? src.ts / stride : src.ts;
    const a = { name, ts, channels: co, group: type === 'submanifold' ? src.group : type === 'transposed' ? of!.group : groups++ };
    avail.push(a);
    return a;
  };

  const steps = g.int(3, 9);
  for (let s = 0; s < steps; s++) {
    const kind = g.int(0, 5);
    const src = avail[g.int(0, avail.length - 1)];
    if (kind === 0 || kind === 1) conv(src, 'submanifold', g.int(0, 2) === 0 ? 1 : g.int(0, 1) ? 3 : 2, 1, g.int(1, 6));
    else if (kind === 2) {
      if (src.ts >= 4) continue;
      conv(src, 'conv', g.int(0, 1) ? 2 : 3, 2, g.int(1, 6));
    } else if (kind === 3) {
      const up = pick((a) => a.ts >= 2);
      if (!up) continue;
      const of = pick((a) => a.ts === up.ts / 2)!;
      conv(up, 'transposed', g.int(0, 2) ? 2 : 3, 2, g.int(1, 6), of);
    } else if (kind === 4) {
      // A residual pair: a submanifold branch with the same channel count, then the add.
      const branch = conv(src, 'submanifold', g.int(0, 1) ? 3 : 1, 1, src.channels);
      const [a, b] = g.int(0, 1) ? [src, branch] : [branch, src];
      const c = src.channels;
      const big = g.int(0, 4) === 0;
      const name = `n${nodes.length}`;
      nodes.push({
        name, op: 'add', inputs: [a.name, b.name],
        add: {
          multiplierA: Array.from({ length: c }, () => (big ? g.int(0, 2 ** 31 - 1) : g.int(0, 1 << 12))),
          multiplierB: Array.from({ length: c }, () => (big ? g.int(0, 2 ** 31 - 1) : g.int(0, 1 << 12))),
          shift: Array.from({ length: c }, () => (big ? g.int(0, 63) : g.int(0, 14))),
          relu: g.int(0, 1) === 1,
        },
      });
      avail.push({ name, ts: src.ts, channels: c, group: src.group });
    } else {
      const other = pick((a) => a.group === src.group);
      const name = `n${nodes.length}`;
      const [a, b] = g.int(0, 1) ? [src, other!] : [other!, src];
      nodes.push({ name, op: 'concat', inputs: [a.name, b.name] });
      avail.push({ name, ts: src.ts, channels: a.channels + b.channels, group: src.group });
    }
  }
  if (nodes.length === 0) conv(avail[0], 'submanifold', 3, 1, 2);
  const outputs = [nodes[nodes.length - 1].name];
  if (g.int(0, 1)) {
    // A raw head: a 1×1 conv without requantization, read by nobody.
    const src = avail[g.int(1, avail.length - 1)];
    const name = `n${nodes.length}`;
    const co = g.int(1, 4);
    nodes.push({ name, op: 'conv', inputs: [src.name], layer: { type: 'submanifold', kernelSize: 1, stride: 1, outChannels: co }, weights: weights(1, src.channels, co) });
    outputs.push(name);
  }
  g.shuffle(nodes);
  return { net: { name: `random-${seed}`, inputChannels: cin, nodes, outputs }, input, widths };
}
