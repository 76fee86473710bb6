// `sparseforge.network/1` files (DESIGN.md §6): strict parsing into a Network, compact
// serialization, atomic file I/O. Value ranges are those of layer cases (weights weightWidth-bit,
// bias accWidth-bit, multipliers [0, 2^31-1], shifts [0, 63]); every error names the node:
// `nodes[3] "enc1.down": weights[7][2][0]: 300 is out of range [-128, 127]`.
import { DEFAULT_WIDTHS, FieldError, NODE_OPS, NodeError, planNetwork } from '../model/index.ts';
import type {
  AddParams, ArithmeticWidths, ConvNode, Network, NetworkLayer, NetworkNode, NodeOp, Requant,
} from '../model/index.ts';
import {
  checkArray, checkBoolean, checkInt, checkIntMatrix, checkIntVector, checkObject, describe, isPowerOfTwo, signedRange,
} from './check.ts';
import { inFile, readJsonFile, writeFileAtomic } from './files.ts';
import { CHANNELS_MAX, MULTIPLIER_MAX, SHIFT_MAX, parseLayerKind, row, rows } from './layer-case.ts';

export const NETWORK_FORMAT = 'sparseforge.network/1';

const TOP_FIELDS = ['format', 'name', 'inputChannels', 'nodes', 'outputs'] as const;
const NODE_FIELDS: Record<NodeOp, readonly string[]> = {
  conv: ['name', 'op', 'inputs', 'layer', 'weights', 'bias', 'requant', 'outputCoordsOf'],
  add: ['name', 'op', 'inputs', 'add'],
  concat: ['name', 'op', 'inputs'],
};
const NODE_REQUIRED: Record<NodeOp, readonly string[]> = {
  conv: ['name', 'op', 'inputs', 'layer', 'weights'],
  add: ['name', 'op', 'inputs', 'add'],
  concat: ['name', 'op', 'inputs'],
};
const LAYER_FIELDS = ['type', 'kernelSize', 'stride', 'outChannels'] as const;
const REQUANT_FIELDS = ['multiplier', 'shift', 'relu'] as const;
const ADD_FIELDS = ['multiplierA', 'multiplierB', 'shift', 'relu'] as const;

/**
 * Validate a parsed JSON document as a network: structure and unknown fields, then the graph
 * (names, inputs, cycles, channels, tensor strides, requantization between nodes; see
 * planNetwork), then every node's data against the channel counts the graph implies.
 */
export function parseNetwork(json: unknown, widths: ArithmeticWidths = DEFAULT_WIDTHS): Network {
  const doc = checkObject(json, '', TOP_FIELDS);
  if (doc.format !== NETWORK_FORMAT) throw new FieldError('format', `expected "${NETWORK_FORMAT}", got ${describe(doc.format)}`);
  if (typeof doc.name !== 'string') throw new FieldError('name', `expected a string, got ${describe(doc.name)}`);
  const inputChannels = checkInt(doc.inputChannels, 'inputChannels', 1, CHANNELS_MAX, 'a positive integer');
  const rawNodes = checkArray(doc.nodes, 'nodes');
  const nodes = rawNodes.map((v, i) => parseNodeHeader(v, i));
  const outputs = checkArray(doc.outputs, 'outputs').map((o, k) => {
    if (typeof o !== 'string') throw new FieldError(`outputs[${k}]`, `expected a node name, got ${describe(o)}`);
    return o;
  });
  const net: Network = { name: doc.name, inputChannels, nodes, outputs };
  const plan = planNetwork(net, { widths, data: false });
  nodes.forEach((n, i) => {
    const cin = plan.info.get(n.inputs[0])!.channels;
    inNode(i, n.name, () => {
      if (n.op === 'conv') parseConvData(n, cin, widths);
      else if (n.op === 'add') n.add = parseAdd(n.add, cin);
    });
  });
  return net;
}

/** Run `fn`; a FieldError it throws becomes a NodeError of node `i`. */
function inNode<T>(i: number, name: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof FieldError && !(e instanceof NodeError)) throw new NodeError(i, name, e.field, e.rule);
    throw e;
  }
}

/** Everything but the data whose shape depends on the graph (weights, bias, requant, add), kept raw. */
function parseNodeHeader(v: unknown, i: number): NetworkNode {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new NodeError(i, '', '', `expected an object, got ${describe(v)}`);
  const o = v as Record<string, unknown>;
  if (typeof o.name !== 'string' || o.name === '') throw new NodeError(i, '', 'name', `expected a non-empty string, got ${describe(o.name)}`);
  const name = o.name;
  return inNode(i, name, () => {
    if (typeof o.op !== 'string' || !(NODE_OPS as readonly string[]).includes(o.op)) {
      throw new FieldError('op', `expected one of ${NODE_OPS.join(', ')}, got ${describe(o.op)}`);
    }
    const op = o.op as NodeOp;
    checkObject(o, '', NODE_FIELDS[op], NODE_REQUIRED[op]);
    const arity = op === 'conv' ? 1 : 2;
    const inputs = checkArray(o.inputs, 'inputs', arity, `a ${op} node has ${arity} input${arity > 1 ? 's' : ''}`).map((s, k) => {
      if (typeof s !== 'string') throw new FieldError(`inputs[${k}]`, `expected a node name, got ${describe(s)}`);
      return s;
    });
    if (op === 'concat') return { name, op, inputs: inputs as [string, string] };
    if (op === 'add') return { name, op, inputs: inputs as [string, string], add: o.add as AddParams };
    const node: ConvNode = { name, op, inputs: inputs as [string], layer: parseNodeLayer(o.layer), weights: o.weights as number[][][] };
    if (o.bias !== undefined) node.bias = o.bias as number[];
    if (o.requant !== undefined) node.requant = o.requant as Requant;
    if (o.outputCoordsOf !== undefined) {
      if (typeof o.outputCoordsOf !== 'string') throw new FieldError('outputCoordsOf', `expected a node name, got ${describe(o.outputCoordsOf)}`);
      node.outputCoordsOf = o.outputCoordsOf;
    }
    return node;
  });
}

function parseNodeLayer(v: unknown): NetworkLayer {
  const o = checkObject(v, 'layer', LAYER_FIELDS);
  const { type, kernelSize, stride } = parseLayerKind(o);
  const outChannels = checkInt(o.outChannels, 'layer.outChannels', 1, CHANNELS_MAX, 'a positive integer');
  if (type !== 'submanifold' && !isPowerOfTwo(stride)) {
    throw new FieldError('layer.stride', `${stride} is not a power of two (tensor strides are powers of two)`);
  }
  return { type, kernelSize, stride, outChannels };
}

function parseConvData(n: ConvNode, cin: number, widths: ArithmeticWidths): void {
  const { kernelSize: k, outChannels: cout } = n.layer;
  const kv = k ** 3;
  const [wLo, wHi] = signedRange(widths.weightWidth);
  const w = checkArray(n.weights, 'weights', kv, `kernelSize^3 = ${kv}`);
  const weights = new Array<number[][]>(kv);
  for (let i = 0; i < kv; i++) {
    weights[i] = checkIntMatrix(w[i], `weights[${i}]`, cin, cout, wLo, wHi, 'the input node\'s channels', 'layer.outChannels');
  }
  n.weights = weights;
  if (n.bias !== undefined) {
    const [aLo, aHi] = signedRange(widths.accWidth);
    n.bias = checkIntVector(n.bias, 'bias', cout, aLo, aHi, 'layer.outChannels');
  }
  if (n.requant !== undefined) {
    const o = checkObject(n.requant, 'requant', REQUANT_FIELDS);
    n.requant = {
      multiplier: checkIntVector(o.multiplier, 'requant.multiplier', cout, 0, MULTIPLIER_MAX, 'layer.outChannels'),
      shift: checkIntVector(o.shift, 'requant.shift', cout, 0, SHIFT_MAX, 'layer.outChannels'),
      relu: checkBoolean(o.relu, 'requant.relu'),
    };
  }
}

function parseAdd(v: unknown, channels: number): AddParams {
  const o = checkObject(v, 'add', ADD_FIELDS);
  const what = 'the inputs\' channels';
  return {
    multiplierA: checkIntVector(o.multiplierA, 'add.multiplierA', channels, 0, MULTIPLIER_MAX, what),
    multiplierB: checkIntVector(o.multiplierB, 'add.multiplierB', channels, 0, MULTIPLIER_MAX, what),
    shift: checkIntVector(o.shift, 'add.shift', channels, 0, SHIFT_MAX, what),
    relu: checkBoolean(o.relu, 'add.relu'),
  };
}

/** JSON text of a network: one node per block, one weight row (`weights[i][cin]`) per line. */
export function serializeNetwork(net: Network): string {
  const nodes = net.nodes.map((n) => {
    const head = [`"name": ${JSON.stringify(n.name)}`, `"op": ${JSON.stringify(n.op)}`, `"inputs": ${JSON.stringify(n.inputs)}`];
    const parts = [head.join(', ')];
    if (n.op === 'add') {
      const a = n.add;
      parts.push(`"add": {"multiplierA": ${row(a.multiplierA)}, "multiplierB": ${row(a.multiplierB)}, "shift": ${row(a.shift)}, "relu": ${a.relu}}`);
    } else if (n.op === 'conv') {
      if (n.outputCoordsOf !== undefined) parts.push(`"outputCoordsOf": ${JSON.stringify(n.outputCoordsOf)}`);
      const L = n.layer;
      parts.push(`"layer": ${JSON.stringify({ type: L.type, kernelSize: L.kernelSize, stride: L.stride, outChannels: L.outChannels })}`);
      parts.push(`"weights": ${n.weights.length === 0 ? '[]' : `[\n${n.weights.map((w) => `        ${rows(w, '        ')}`).join(',\n')}\n      ]`}`);
      if (n.bias !== undefined) parts.push(`"bias": ${row(n.bias)}`);
      if (n.requant !== undefined) {
        const r = n.requant;
        parts.push(`"requant": {"multiplier": ${row(r.multiplier)}, "shift": ${row(r.shift)}, "relu": ${r.relu}}`);
      }
    }
    return `    {\n      ${parts.join(',\n      ')}\n    }`;
  });
  return `{\n  "format": ${JSON.stringify(NETWORK_FORMAT)},\n  "name": ${JSON.stringify(net.name)},\n` +
    `  "inputChannels": ${net.inputChannels},\n  "nodes": [\n${nodes.join(',\n')}\n  ],\n  "outputs": ${JSON.stringify(net.outputs)}\n}\n`;
}

export async function readNetworkFile(path: string, widths?: ArithmeticWidths): Promise<Network> {
  const json = await readJsonFile(path);
  return inFile(path, () => parseNetwork(json, widths));
}

export async function writeNetworkFile(path: string, net: Network): Promise<void> {
  await writeFileAtomic(path, serializeNetwork(net));
}
