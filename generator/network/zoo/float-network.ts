// The float form of a model-zoo network: the same DAG as the INT8 network (same node names,
// layers and edges) with unquantized float weights and no rounding anywhere. It is the reference
// that quantization error and pruning sensitivity are measured against.
import type { ConvNode, Network, NetworkLayer, NetworkNode } from '../../model/index.ts';
import { Prng } from '../../io/prng.ts';

export interface FloatConvNode {
  name: string;
  op: 'conv';
  inputs: [string];
  layer: NetworkLayer;
  outputCoordsOf?: string;
  /** `weights[kernelIndex][cin][cout]`, floats. */
  weights: number[][][];
  relu: boolean;
  /** False only for a raw output (the head): the INT8 network keeps its accumulators. */
  requant: boolean;
}

export interface FloatAddNode {
  name: string;
  op: 'add';
  inputs: [string, string];
  relu: boolean;
}

export interface FloatConcatNode {
  name: string;
  op: 'concat';
  inputs: [string, string];
}

export type FloatNode = FloatConvNode | FloatAddNode | FloatConcatNode;

export interface FloatNetwork {
  name: string;
  inputChannels: number;
  nodes: FloatNode[];
  outputs: string[];
}

/** Appends nodes with seeded He-initialised weights and tracks every node's channel count. */
export class FloatNetworkBuilder {
  readonly nodes: FloatNode[] = [];
  private readonly channels = new Map<string, number>();
  private readonly rng: Prng;

  constructor(readonly inputChannels: number, seed: number) {
    this.rng = new Prng(seed);
    this.channels.set('input', inputChannels);
  }

  channelsOf(name: string): number {
    const c = this.channels.get(name);
    if (c === undefined) throw new Error(`zoo: no node ${name}`);
    return c;
  }

  /**
   * A conv node; weights ~ N(0, gain / fan-in), fan-in = k³·Cin (He initialisation with gain 2
   * before a ReLU, 1 otherwise).
   */
  conv(name: string, input: string, layer: NetworkLayer, opts: { relu: boolean; requant?: boolean; outputCoordsOf?: string }): string {
    const cin = this.channelsOf(input);
    const kv = layer.kernelSize ** 3;
    const std = Math.sqrt((opts.relu ? 2 : 1) / (kv * cin));
    const weights = Array.from({ length: kv }, () =>
      Array.from({ length: cin }, () => Array.from({ length: layer.outChannels }, () => std * this.gaussian())));
    const node: FloatConvNode = { name, op: 'conv', inputs: [input], layer, weights, relu: opts.relu, requant: opts.requant ?? true };
    if (opts.outputCoordsOf !== undefined) node.outputCoordsOf = opts.outputCoordsOf;
    this.nodes.push(node);
    this.channels.set(name, layer.outChannels);
    return name;
  }

  add(name: string, a: string, b: string, relu: boolean): string {
    this.nodes.push({ name, op: 'add', inputs: [a, b], relu });
    this.channels.set(name, this.channelsOf(a));
    return name;
  }

  concat(name: string, a: string, b: string): string {
    this.nodes.push({ name, op: 'concat', inputs: [a, b] });
    this.channels.set(name, this.channelsOf(a) + this.channelsOf(b));
    return name;
  }

  /**
   * The residual basic block of TorchSparse / MinkowskiEngine: `relu(conv2(relu(conv1(x))) + sc)`
   * with 3×3×3 submanifold convs, and a 1×1 conv shortcut where the channel count changes.
   */
  residual(name: string, input: string, cout: number): string {
    const sub = (k: number) => ({ type: 'submanifold' as const, kernelSize: k, stride: 1, outChannels: cout });
    const c1 = this.conv(`${name}.conv1`, input, sub(3), { relu: true });
    const c2 = this.conv(`${name}.conv2`, c1, sub(3), { relu: false });
    const sc = this.channelsOf(input) === cout ? input : this.conv(`${name}.ds`, input, sub(1), { relu: false });
    return this.add(name, c2, sc, true);
  }

  build(name: string, outputs: string[]): FloatNetwork {
    return { name, inputChannels: this.inputChannels, nodes: this.nodes, outputs };
  }

  /** Standard normal (Box–Muller). */
  private gaussian(): number {
    if (this.spare !== undefined) {
      const g = this.spare;
      this.spare = undefined;
      return g;
    }
    const u = 1 - this.rng.nextFloat();
    const v = this.rng.nextFloat();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  private spare: number | undefined;
}

/** `floor(c · width)`, at least 1 (TorchSparse scales channel plans with `int(cr * c)`). */
export function scaleChannels(plan: readonly number[], width: number): number[] {
  return plan.map((c) => Math.max(1, Math.floor(c * width)));
}

/**
 * The INT8 network's structure: same nodes, layers and edges, empty data (weights, requantization
 * and add parameters are filled in by quantization; `requant` is present exactly where it will be).
 */
export function networkStructure(float: FloatNetwork): Network {
  const nodes: NetworkNode[] = float.nodes.map((n) => {
    if (n.op === 'concat') return { name: n.name, op: 'concat', inputs: [...n.inputs] as [string, string] };
    if (n.op === 'add') return { name: n.name, op: 'add', inputs: [...n.inputs] as [string, string], add: { multiplierA: [], multiplierB: [], shift: [], relu: n.relu } };
    const c: ConvNode = { name: n.name, op: 'conv', inputs: [n.inputs[0]], layer: { ...n.layer }, weights: [] };
    if (n.outputCoordsOf !== undefined) c.outputCoordsOf = n.outputCoordsOf;
    if (n.requant) c.requant = { multiplier: [], shift: [], relu: n.relu };
    return c;
  });
  return { name: float.name, inputChannels: float.inputChannels, nodes, outputs: [...float.outputs] };
}
