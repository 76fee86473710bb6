// Static checks of a network (DESIGN.md §6) and what follows from the graph alone: a topological
// order, and every node's channel count, tensor stride and whether it carries outWidth-bit
// features. Every error names the node (NodeError) or the top-level field.
import { FieldError, NodeError } from './errors.ts';
import { packBias, packRequant, packWeights } from './layer-data.ts';
import { validateLayerShape } from './layer-shape.ts';
import { kernelVolume } from './kernel.ts';
import { INPUT_NODE, NODE_OPS, type AddNode, type ConvNode, type Network, type NetworkNode } from './network-types.ts';
import { isPowerOfTwo } from './tensor.ts';
import { DEFAULT_WIDTHS, LAYER_TYPES, type ArithmeticWidths, type LayerShape } from './types.ts';

/** What the graph says about one node (or the input). */
export interface NodeInfo {
  /** Undefined for the input. */
  node?: NetworkNode;
  /** Index in `network.nodes` (-1 for the input). */
  index: number;
  channels: number;
  tensorStride: number;
  /** False for a conv without requantization: its output is raw accumulators. */
  hasFeatures: boolean;
  /** Nodes that read this one as an input (not as `outputCoordsOf`), in topological order. */
  consumers: string[];
}

export interface NetworkPlan {
  network: Network;
  /** Node names in topological order (ties broken by file order); the input is not listed. */
  order: string[];
  /** Every node, and the input under INPUT_NODE. */
  info: Map<string, NodeInfo>;
}

/** Largest channel count a network node may have (as in layer cases). */
export const NETWORK_CHANNELS_MAX = 1 << 16;
/** Requantization/add multiplier and shift ranges (DESIGN.md §1, §6). */
export const NETWORK_MULTIPLIER_MAX = 2 ** 31 - 1;
export const NETWORK_SHIFT_MAX = 63;

export interface PlanOptions {
  widths?: ArithmeticWidths;
  /** Also check weights, bias, requant and add parameters (default true). */
  data?: boolean;
}

/** Validates the graph (and, by default, every node's data) and returns the plan. */
export function planNetwork(net: Network, opts: PlanOptions = {}): NetworkPlan {
  const widths = opts.widths ?? DEFAULT_WIDTHS;
  if (typeof net !== 'object' || net === null) throw new FieldError('network', 'must be an object');
  if (typeof net.name !== 'string') throw new FieldError('name', 'must be a string');
  if (!Number.isInteger(net.inputChannels) || net.inputChannels < 1 || net.inputChannels > NETWORK_CHANNELS_MAX) {
    throw new FieldError('inputChannels', `must be an integer in [1, ${NETWORK_CHANNELS_MAX}] (got ${String(net.inputChannels)})`);
  }
  if (!Array.isArray(net.nodes)) throw new FieldError('nodes', 'must be an array of nodes');
  if (!Array.isArray(net.outputs)) throw new FieldError('outputs', 'must be an array of node names');

  const byName = new Map<string, number>();
  net.nodes.forEach((n, i) => {
    checkNodeShape(n, i);
    if (byName.has(n.name)) {
      throw new NodeError(i, n.name, 'name', `duplicate node name, also nodes[${byName.get(n.name)}]`);
    }
    byName.set(n.name, i);
  });
  net.nodes.forEach((n, i) => {
    n.inputs.forEach((src, k) => {
      if (src !== INPUT_NODE && !byName.has(src)) throw new NodeError(i, n.name, `inputs[${k}]`, `no node named ${JSON.stringify(src)}`);
    });
    if (n.op === 'conv' && n.outputCoordsOf !== undefined && n.outputCoordsOf !== INPUT_NODE && !byName.has(n.outputCoordsOf)) {
      throw new NodeError(i, n.name, 'outputCoordsOf', `no node named ${JSON.stringify(n.outputCoordsOf)}`);
    }
  });
  const order = topologicalOrder(net, byName);

  const info = new Map<string, NodeInfo>();
  info.set(INPUT_NODE, { index: -1, channels: net.inputChannels, tensorStride: 1, hasFeatures: true, consumers: [] });
  for (const name of order) {
    const i = byName.get(name)!;
    const n = net.nodes[i];
    const ins = n.inputs.map((s) => info.get(s)!);
    ins.forEach((src, k) => {
      if (!src.hasFeatures) {
        const p = src.node as ConvNode;
        throw new NodeError(src.index, p.name, 'requant',
          `missing, but the node feeds ${JSON.stringify(n.name)} (inputs[${k}] of nodes[${i}]); features between nodes are ` +
            `outWidth-bit, so only a network output may keep raw accumulators`);
      }
      src.consumers.push(name);
    });
    info.set(name, { node: n, index: i, ...nodeShape(n, i, ins, info), consumers: [] });
  }

  const seen = new Set<string>();
  if (net.outputs.length === 0) throw new FieldError('outputs', 'must name at least one node');
  net.outputs.forEach((o, k) => {
    if (typeof o !== 'string' || !byName.has(o)) {
      throw new FieldError(`outputs[${k}]`, o === INPUT_NODE ? 'the input is not a node output' : `no node named ${JSON.stringify(o)}`);
    }
    if (seen.has(o)) throw new FieldError(`outputs[${k}]`, `${JSON.stringify(o)} is listed twice`);
    seen.add(o);
  });

  if (opts.data ?? true) for (const name of order) checkNodeData(info.get(name)!, info, widths);
  return { network: net, order, info };
}

/** The layer a conv node runs, with Cin and the input tensor stride taken from its input node. */
export function nodeLayerShape(plan: NetworkPlan, n: ConvNode): LayerShape {
  const src = plan.info.get(n.inputs[0])!;
  return { ...n.layer, inTensorStride: src.tensorStride, inChannels: src.channels };
}

function checkNodeShape(n: NetworkNode, i: number): void {
  if (typeof n !== 'object' || n === null) throw new NodeError(i, '', '', 'must be an object');
  if (typeof n.name !== 'string' || n.name === '') throw new NodeError(i, '', 'name', 'must be a non-empty string');
  if (n.name === INPUT_NODE) throw new NodeError(i, n.name, 'name', `"${INPUT_NODE}" is reserved for the input cloud`);
  if (!(NODE_OPS as readonly string[]).includes(n.op)) {
    throw new NodeError(i, n.name, 'op', `must be one of ${NODE_OPS.join(', ')} (got ${JSON.stringify(n.op)})`);
  }
  const arity = n.op === 'conv' ? 1 : 2;
  if (!Array.isArray(n.inputs) || n.inputs.length !== arity) {
    throw new NodeError(i, n.name, 'inputs', `a ${n.op} node has exactly ${arity} input${arity > 1 ? 's' : ''}`);
  }
  n.inputs.forEach((s, k) => {
    if (typeof s !== 'string') throw new NodeError(i, n.name, `inputs[${k}]`, 'must be a node name');
  });
  if (n.op !== 'conv') return;
  const L = n.layer;
  if (typeof L !== 'object' || L === null) throw new NodeError(i, n.name, 'layer', 'must be an object');
  if (!(LAYER_TYPES as readonly string[]).includes(L.type)) {
    throw new NodeError(i, n.name, 'layer.type', `must be one of ${LAYER_TYPES.join(', ')} (got ${JSON.stringify(L.type)})`);
  }
  for (const f of ['kernelSize', 'stride', 'outChannels'] as const) {
    const v = L[f];
    if (!Number.isInteger(v) || v < 1) throw new NodeError(i, n.name, `layer.${f}`, `must be an integer ≥ 1 (got ${String(v)})`);
  }
  if (L.outChannels > NETWORK_CHANNELS_MAX) {
    throw new NodeError(i, n.name, 'layer.outChannels', `must be at most ${NETWORK_CHANNELS_MAX} (got ${L.outChannels})`);
  }
  if (L.type === 'transposed') {
    if (typeof n.outputCoordsOf !== 'string') {
      throw new NodeError(i, n.name, 'outputCoordsOf', 'a transposed layer names the node whose coordinates it outputs');
    }
  } else if (n.outputCoordsOf !== undefined) {
    throw new NodeError(i, n.name, 'outputCoordsOf', `only a transposed layer takes output coordinates (this one is ${L.type})`);
  }
}

/** Kahn's algorithm, always taking the earliest ready node in file order (so a sorted file keeps its order). */
function topologicalOrder(net: Network, byName: Map<string, number>): string[] {
  const deps = net.nodes.map((n) => {
    const d = [...n.inputs];
    if (n.op === 'conv' && n.outputCoordsOf !== undefined) d.push(n.outputCoordsOf);
    return d.filter((s) => s !== INPUT_NODE).map((s) => byName.get(s)!);
  });
  const pending = deps.map((d) => new Set(d).size);
  const users: number[][] = net.nodes.map(() => []);
  deps.forEach((d, i) => new Set(d).forEach((s) => users[s].push(i)));
  // A binary heap of ready indices keeps this O(n log n) for networks of any size.
  const ready = new MinHeap();
  pending.forEach((p, i) => { if (p === 0) ready.push(i); });
  const order: string[] = [];
  while (ready.size > 0) {
    const i = ready.pop();
    order.push(net.nodes[i].name);
    for (const u of users[i]) if (--pending[u] === 0) ready.push(u);
  }
  if (order.length < net.nodes.length) {
    const loop = findCycle(pending.findIndex((p) => p > 0), deps, pending);
    const first = loop[0];
    throw new NodeError(first, net.nodes[first].name, 'inputs',
      `the graph has a cycle: ${loop.map((k) => JSON.stringify(net.nodes[k].name)).join(' → ')}`);
  }
  return order;
}

/** Walks unfinished dependencies from `start` until a node repeats; returns that loop. */
function findCycle(start: number, deps: number[][], pending: number[]): number[] {
  const path: number[] = [];
  const at = new Map<number, number>();
  let v = start;
  while (!at.has(v)) {
    at.set(v, path.length);
    path.push(v);
    v = deps[v].find((d) => pending[d] > 0)!;
  }
  const loop = path.slice(at.get(v)!);
  // Report the loop in data-flow order, closed on its first node.
  loop.reverse();
  return [...loop, loop[0]];
}

class MinHeap {
  private a: number[] = [];
  get size(): number { return this.a.length; }
  push(v: number): void {
    const a = this.a;
    a.push(v);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p] <= a[i]) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }
  pop(): number {
    const a = this.a;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < a.length && a[l] < a[m]) m = l;
        if (r < a.length && a[r] < a[m]) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}

function nodeShape(
  n: NetworkNode, i: number, ins: NodeInfo[], info: Map<string, NodeInfo>,
): { channels: number; tensorStride: number; hasFeatures: boolean } {
  if (n.op === 'conv') {
    const src = ins[0];
    const shape: LayerShape = { ...n.layer, inTensorStride: src.tensorStride, inChannels: src.channels };
    if (n.layer.type === 'transposed' && src.tensorStride % n.layer.stride !== 0) {
      throw new NodeError(i, n.name, 'layer.stride', `a transposed layer's stride must divide the tensor stride of its input ` +
        `${JSON.stringify(n.inputs[0])} (${src.tensorStride}), got ${n.layer.stride}`);
    }
    try {
      validateLayerShape(shape);
    } catch (e) {
      if (e instanceof FieldError) {
        const rule = e.field === 'layer.inTensorStride' ? `input ${JSON.stringify(n.inputs[0])}'s tensor stride: ${e.rule}` : e.rule;
        throw new NodeError(i, n.name, e.field === 'layer.inTensorStride' ? 'inputs[0]' : e.field, rule);
      }
      throw e;
    }
    let ts = src.tensorStride;
    if (n.layer.type === 'conv') {
      ts *= n.layer.stride;
      if (!isPowerOfTwo(ts)) {
        throw new NodeError(i, n.name, 'layer.stride',
          `output tensor stride ${src.tensorStride}·${n.layer.stride} = ${ts} must be a power of two in [1, 2^30]`);
      }
    } else if (n.layer.type === 'transposed') {
      ts /= n.layer.stride;
      const of = info.get(n.outputCoordsOf!)!;
      if (of.tensorStride !== ts) {
        throw new NodeError(i, n.name, 'outputCoordsOf',
          `${JSON.stringify(n.outputCoordsOf)} has tensor stride ${of.tensorStride}, but this transposed layer (input ` +
            `${JSON.stringify(n.inputs[0])} at tensor stride ${src.tensorStride}, stride ${n.layer.stride}) outputs tensor stride ${ts}`);
      }
    }
    return { channels: n.layer.outChannels, tensorStride: ts, hasFeatures: n.requant !== undefined };
  }
  const [a, b] = ins;
  if (a.tensorStride !== b.tensorStride) {
    throw new NodeError(i, n.name, 'inputs', `${JSON.stringify(n.inputs[0])} has tensor stride ${a.tensorStride} but ` +
      `${JSON.stringify(n.inputs[1])} has tensor stride ${b.tensorStride}; ${n.op} needs the same coordinate set`);
  }
  if (n.op === 'add') {
    if (a.channels !== b.channels) {
      throw new NodeError(i, n.name, 'inputs', `${JSON.stringify(n.inputs[0])} has ${a.channels} channels but ` +
        `${JSON.stringify(n.inputs[1])} has ${b.channels}; add needs the same channel count`);
    }
    return { channels: a.channels, tensorStride: a.tensorStride, hasFeatures: true };
  }
  const channels = a.channels + b.channels;
  if (channels > NETWORK_CHANNELS_MAX) throw new NodeError(i, n.name, 'inputs', `${channels} channels exceed ${NETWORK_CHANNELS_MAX}`);
  return { channels, tensorStride: a.tensorStride, hasFeatures: true };
}

function checkNodeData(x: NodeInfo, info: Map<string, NodeInfo>, widths: ArithmeticWidths): void {
  const n = x.node!;
  const wrap = (fn: () => void) => {
    try {
      fn();
    } catch (e) {
      if (e instanceof FieldError && !(e instanceof NodeError)) throw new NodeError(x.index, n.name, e.field, e.rule);
      throw e;
    }
  };
  if (n.op === 'conv') {
    const cin = info.get(n.inputs[0])!.channels;
    wrap(() => {
      packWeights(n.weights, kernelVolume(n.layer.kernelSize), cin, n.layer.outChannels, widths.weightWidth);
      packBias(n.bias, n.layer.outChannels, widths.accWidth);
      packRequant(n.requant, n.layer.outChannels);
    });
  } else if (n.op === 'add') {
    wrap(() => checkAddParams(n, x.channels));
  }
}

/** The add parameters' shapes and ranges (multipliers like requant multipliers, shifts like requant shifts). */
export function checkAddParams(n: AddNode, channels: number): void {
  const p = n.add;
  if (typeof p !== 'object' || p === null) throw new FieldError('add', 'must be an object');
  const vec = (v: unknown, f: string, max: number) => {
    if (!Array.isArray(v) || v.length !== channels) {
      throw new FieldError(`add.${f}`, `must be an array of ${channels} integers (one per channel)`);
    }
    v.forEach((e, c) => {
      if (typeof e !== 'number' || !Number.isInteger(e) || e < 0 || e > max) {
        throw new FieldError(`add.${f}[${c}]`, `must be an integer in [0, ${max === NETWORK_SHIFT_MAX ? 63 : '2^31-1'}], got ${String(e)}`);
      }
    });
  };
  vec(p.multiplierA, 'multiplierA', NETWORK_MULTIPLIER_MAX);
  vec(p.multiplierB, 'multiplierB', NETWORK_MULTIPLIER_MAX);
  vec(p.shift, 'shift', NETWORK_SHIFT_MAX);
  if (typeof p.relu !== 'boolean') throw new FieldError('add.relu', 'must be true or false');
}
