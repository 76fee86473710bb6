// The golden model of a network (DESIGN.md §6): every node of the DAG run in topological order,
// conv nodes through the layer golden model (runLayerFlat), add and concat element-wise. Every
// node's tensor stays available (the RTL runner compares each one), in canonical order.
import { toCoords } from './coord-columns.ts';
import { FieldError, NodeError } from './errors.ts';
import { countMapEntries, type KernelMap } from './kernel-map.ts';
import { kernelVolume } from './kernel.ts';
import { rows, runLayerFlat } from './layer.ts';
import { packFeatures } from './layer-data.ts';
import { layerKernelMap, planCoords } from './layer-plan.ts';
import { validateWidths } from './layer-shape.ts';
import { addFeatures, checkSameCoords, concatFeatures } from './network-add.ts';
import { checkAddParams, nodeLayerShape, planNetwork, type NetworkPlan } from './network-plan.ts';
import { INPUT_NODE, type ConvNode, type Network, type NetworkResult, type NodeOp, type NodeTensor } from './network-types.ts';
import { validateTensor } from './tensor.ts';
import { DEFAULT_WIDTHS, type ArithmeticWidths, type Coord, type LayerCase, type LayerType, type Requant } from './types.ts';

/** Workload and arithmetic figures of one node. */
export interface NodeStats {
  name: string;
  op: NodeOp;
  inputs: string[];
  /** Conv nodes only. */
  layerType?: LayerType;
  kernelSize?: number;
  stride?: number;
  /** Points of the (first) input. */
  pointsIn: number;
  pointsOut: number;
  inTensorStride: number;
  outTensorStride: number;
  /** A conv's Cin; an add's channels; a concat's total. */
  inChannels: number;
  outChannels: number;
  /** 0 for add and concat. */
  kernelVolume: number;
  mapEntries: number;
  /** Indexed by kernel index; empty for add and concat. */
  mapEntriesPerOffset: number[];
  /** mapEntries · Cin · Cout (0 for add and concat). */
  macs: number;
  /** Accumulators whose exact value did not fit accWidth (conv). */
  wraps: number;
  /** Outputs whose exact value lay outside the signed outWidth range before the clamp (requantized conv, add). */
  saturated: number;
}

export interface NodeRun {
  tensor: NodeTensor;
  stats: NodeStats;
  /** Conv nodes: the kernel map used (indices into the canonical input and output lists). */
  map?: KernelMap;
}

export interface NetworkRun {
  plan: NetworkPlan;
  /** Every node's tensor and the canonical input under INPUT_NODE. */
  tensors: Map<string, NodeTensor>;
  /** Node names in the order they ran (topological). */
  order: string[];
  /** In `order`. */
  stats: NodeStats[];
  /** The outputs (every node with `all`), in run order. */
  result: NetworkResult;
}

export interface RunNetworkOptions {
  widths?: ArithmeticWidths;
  /** Put every node's tensor into `result` (default: the network outputs only). */
  all?: boolean;
  /**
   * Keep every node's features in `tensors` (default true). With false, and without `all`, a
   * node's features are dropped once every node reading them has run (coordinates stay), so a
   * deep network on a large scan holds only the live tensors.
   */
  keep?: boolean;
  /** Called after each node (progress of long runs). */
  onNode?: (stats: NodeStats, done: number, total: number) => void;
}

/** Validates the network and the input (FieldError / NodeError) and runs every node. */
export function runNetwork(net: Network, input: NodeTensor, opts: RunNetworkOptions = {}): NetworkRun {
  const widths = opts.widths ?? DEFAULT_WIDTHS;
  validateWidths(widths);
  // Conv data is validated by runLayer (its errors become NodeErrors) and add parameters by
  // runNode, so weights are checked once rather than twice.
  const plan = planNetwork(net, { widths, data: false });
  const tensors = new Map<string, NodeTensor>([[INPUT_NODE, canonicalInput(net, input, widths)]]);
  const stats: NodeStats[] = [];
  const drop = !(opts.keep ?? true) && !(opts.all ?? false);
  const pending = new Map([...plan.info].map(([name, x]) => [name, x.consumers.length]));
  const outputs = new Set(net.outputs);
  for (const name of plan.order) {
    const r = runNode(plan, name, tensors, widths);
    tensors.set(name, r.tensor);
    stats.push(r.stats);
    opts.onNode?.(r.stats, stats.length, plan.order.length);
    if (!drop) continue;
    for (const src of new Set(plan.info.get(name)!.node!.inputs)) {
      const left = pending.get(src)! - plan.info.get(name)!.node!.inputs.filter((s) => s === src).length;
      pending.set(src, left);
      const t = tensors.get(src)!;
      if (left === 0 && !outputs.has(src)) tensors.set(src, { tensorStride: t.tensorStride, coords: t.coords });
    }
  }
  return { plan, tensors, order: plan.order, stats, result: pickResult(plan, tensors, opts.all ?? false) };
}

/** The result file's content: the outputs, or every node in run order. */
export function pickResult(plan: NetworkPlan, tensors: Map<string, NodeTensor>, all: boolean): NetworkResult {
  const nodes: Record<string, NodeTensor> = {};
  for (const name of all ? plan.order : plan.network.outputs) nodes[name] = tensors.get(name)!;
  return { nodes };
}

/** The input tensor checked against the network (tensor stride 1, inputChannels, inWidth) in canonical order. */
export function canonicalInput(net: Network, input: NodeTensor, widths: ArithmeticWidths = DEFAULT_WIDTHS): NodeTensor {
  if (typeof input !== 'object' || input === null) throw new FieldError('input', 'must be a tensor');
  if (input.tensorStride !== 1) throw new FieldError('input.tensorStride', `the network input has tensor stride 1 (got ${String(input.tensorStride)})`);
  const order = validateTensor(input.coords, 1, 'input.coords');
  const c = net.inputChannels;
  const rows = input.features;
  if (!Array.isArray(rows)) throw new FieldError('input.features', 'must be an array of feature rows (one per coordinate)');
  rows.forEach((r, i) => {
    if (Array.isArray(r) && r.length !== c) throw new FieldError(`input.features[${i}]`, `must have ${c} channels (the network's inputChannels), got ${r.length}`);
  });
  const flat = packFeatures(rows, order, c, widths.inWidth, 'input.features');
  const coords: Coord[] = new Array(order.length);
  const features: number[][] = new Array(order.length);
  for (let r = 0; r < order.length; r++) {
    const p = input.coords[order[r]];
    coords[r] = [p[0], p[1], p[2], p[3]];
    features[r] = Array.from(flat.subarray(r * c, (r + 1) * c));
  }
  return { tensorStride: 1, coords, features };
}

/**
 * The layer case conv node `name` runs, from the tensors computed so far: input features of its
 * input node (canonical order), Cin and the input tensor stride from that node, the output
 * coordinates of `outputCoordsOf` for transposed layers. The RTL runner drives exactly this case.
 */
export function nodeLayerCase(plan: NetworkPlan, name: string, tensors: Map<string, NodeTensor>): LayerCase {
  const x = plan.info.get(name);
  if (x?.node?.op !== 'conv') throw new FieldError('node', `${JSON.stringify(name)} is not a conv node of the network`);
  const n = x.node;
  const src = tensorOf(tensors, n.inputs[0]);
  const c: LayerCase = {
    layer: nodeLayerShape(plan, n),
    input: { coords: src.coords, features: src.features! },
    weights: n.weights,
  };
  if (n.bias !== undefined) c.bias = n.bias;
  if (n.requant !== undefined) c.requant = n.requant;
  if (n.outputCoordsOf !== undefined) c.outputCoords = tensorOf(tensors, n.outputCoordsOf).coords;
  return c;
}

function tensorOf(tensors: Map<string, NodeTensor>, name: string): NodeTensor {
  const t = tensors.get(name);
  if (t === undefined) throw new FieldError('tensors', `node ${JSON.stringify(name)} has not run yet`);
  return t;
}

/** Runs one node on the tensors of its inputs; errors are NodeErrors naming the node. */
export function runNode(
  plan: NetworkPlan, name: string, tensors: Map<string, NodeTensor>, widths: ArithmeticWidths = DEFAULT_WIDTHS,
): NodeRun {
  const x = plan.info.get(name)!;
  const n = x.node!;
  try {
    if (n.op === 'conv') {
      const flat = runLayerFlat(nodeLayerCase(plan, name, tensors), widths);
      const p = flat.plan;
      const cout = n.layer.outChannels;
      const tensor: NodeTensor = { tensorStride: p.outTensorStride, coords: sharedCoords(n, tensors, null) ?? toCoords(p.outCols) };
      // Only the rows the tensor holds are built: a requantized node's accumulators stay flat.
      if (flat.features !== null) tensor.features = rows(flat.features, cout);
      else tensor.accumulators = rows(flat.acc, cout);
      const stats = convStats(plan, n, p.map, p.inCols.n, p.outCols.n, p.outTensorStride);
      stats.wraps = flat.wraps;
      if (n.requant !== undefined) stats.saturated = countSaturated(flat.acc, cout, n.requant, widths.outWidth);
      return { tensor, stats, map: p.map };
    }
    const a = tensorOf(tensors, n.inputs[0]), b = tensorOf(tensors, n.inputs[1]);
    checkSameCoords(a, b, [n.inputs[0], n.inputs[1]], n.op);
    const stats = elementStats(n.name, n.op, n.inputs, a, x.channels);
    if (n.op === 'add') {
      checkAddParams(n, x.channels);
      const y = addFeatures(a.features!, b.features!, n.add, widths.outWidth);
      stats.saturated = y.saturated;
      return { tensor: { tensorStride: a.tensorStride, coords: a.coords, features: y.features }, stats };
    }
    return { tensor: { tensorStride: a.tensorStride, coords: a.coords, features: concatFeatures(a.features!, b.features!) }, stats };
  } catch (e) {
    if (e instanceof FieldError && !(e instanceof NodeError)) throw new NodeError(x.index, name, e.field, e.rule);
    throw e;
  }
}

/**
 * A submanifold output has its input's coordinates and a transposed output those of
 * `outputCoordsOf`, both already canonical: sharing that list instead of a fresh copy keeps a
 * deep network on a large scan to one coordinate list per tensor stride.
 */
function sharedCoords<T extends Coord[] | null>(
  n: ConvNode, from: Map<string, NodeTensor> | Map<string, Coord[]>, fallback: T,
): Coord[] | T {
  const src = n.layer.type === 'submanifold' ? n.inputs[0] : n.layer.type === 'transposed' ? n.outputCoordsOf! : undefined;
  if (src === undefined) return fallback;
  const v = from.get(src);
  if (v === undefined) return fallback;
  return Array.isArray(v) ? v : v.coords;
}

function convStats(plan: NetworkPlan, n: ConvNode, map: KernelMap, pointsIn: number, pointsOut: number, outTensorStride: number): NodeStats {
  const shape = nodeLayerShape(plan, n);
  const entries = countMapEntries(map);
  return {
    name: n.name, op: 'conv', inputs: [...n.inputs], layerType: n.layer.type, kernelSize: n.layer.kernelSize, stride: n.layer.stride,
    pointsIn, pointsOut, inTensorStride: shape.inTensorStride, outTensorStride,
    inChannels: shape.inChannels, outChannels: shape.outChannels,
    kernelVolume: kernelVolume(n.layer.kernelSize), mapEntries: entries, mapEntriesPerOffset: map.pairs.map((p) => p.output.length),
    macs: entries * shape.inChannels * shape.outChannels, wraps: 0, saturated: 0,
  };
}

function elementStats(name: string, op: NodeOp, inputs: string[], a: NodeTensor, channels: number): NodeStats {
  return {
    name, op, inputs: [...inputs], pointsIn: a.coords.length, pointsOut: a.coords.length,
    inTensorStride: a.tensorStride, outTensorStride: a.tensorStride, inChannels: channels, outChannels: channels,
    kernelVolume: 0, mapEntries: 0, mapEntriesPerOffset: [], macs: 0, wraps: 0, saturated: 0,
  };
}

/**
 * Accumulators whose requantized value lies outside [-2^(w-1), 2^(w-1)-1] before the clamp.
 * With m > 0, `floor((acc·m + r) / 2^sh) > hi` exactly when `acc ≥ ceil(((hi+1)·2^sh − r) / m)`
 * (and symmetrically below), so two exact per-channel thresholds decide every accumulator.
 */
export function requantSaturated(acc: number[][], rq: Requant, outWidth: number): number {
  const cout = rq.multiplier.length;
  const flat = new Float64Array(acc.length * cout);
  acc.forEach((row, r) => flat.set(row, r * cout));
  return countSaturated(flat, cout, rq, outWidth);
}

function countSaturated(acc: Float64Array, cout: number, rq: Requant, outWidth: number): number {
  const top = 1n << BigInt(outWidth - 1);
  const up = new Float64Array(cout), down = new Float64Array(cout);
  for (let o = 0; o < cout; o++) {
    const m = BigInt(rq.multiplier[o]);
    const sh = BigInt(rq.shift[o]);
    const r = rq.shift[o] > 0 ? 1n << (sh - 1n) : 0n;
    if (m === 0n) {
      up[o] = Infinity;
      down[o] = -Infinity;
      continue;
    }
    up[o] = Number(ceilDiv((top << sh) - r, m));
    down[o] = Number(ceilDiv(-(top << sh) - r, m));
  }
  let n = 0;
  for (let i = 0; i < acc.length; i += cout) for (let o = 0; o < cout; o++) if (acc[i + o] >= up[o] || acc[i + o] < down[o]) n++;
  return n;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return q * b < a ? q + 1n : q;
}

/** Coordinate-only figures of every node (map entries, MACs), without the arithmetic. */
export interface NetworkShapeRun {
  plan: NetworkPlan;
  coords: Map<string, Coord[]>;
  stats: NodeStats[];
}

/** A node's output coordinates and, for a conv node, its kernel map (indices into canonical lists). */
export interface NodeShape {
  coords: Coord[];
  map?: KernelMap;
  stats: NodeStats;
}

/**
 * The coordinates and kernel map of node `name` from the (canonical) coordinates of the nodes it
 * reads; no arithmetic. A float evaluation of the same network (the model zoo's float reference)
 * walks the network with this.
 */
export function shapeNode(plan: NetworkPlan, name: string, coords: Map<string, Coord[]>): NodeShape {
  const x = plan.info.get(name)!;
  const n = x.node!;
  const get = (s: string) => {
    const c = coords.get(s);
    if (c === undefined) throw new FieldError('coords', `node ${JSON.stringify(s)} has not run yet`);
    return c;
  };
  try {
    if (n.op === 'conv') {
      const c: LayerCase = { layer: nodeLayerShape(plan, n), input: { coords: get(n.inputs[0]), features: [] }, weights: [] };
      if (n.outputCoordsOf !== undefined) c.outputCoords = get(n.outputCoordsOf);
      const p = planCoords(c);
      const map = layerKernelMap(c, p);
      const stats = convStats(plan, n, map, p.inCols.n, p.outCols.n, p.outTensorStride);
      return { coords: sharedCoords(n, coords, null) ?? toCoords(p.outCols), map, stats };
    }
    const a = get(n.inputs[0]), b = get(n.inputs[1]);
    const ta = plan.info.get(n.inputs[0])!.tensorStride;
    checkSameCoords({ tensorStride: ta, coords: a }, { tensorStride: ta, coords: b }, [n.inputs[0], n.inputs[1]], n.op);
    return { coords: a, stats: elementStats(name, n.op, n.inputs, { tensorStride: ta, coords: a }, x.channels) };
  } catch (e) {
    if (e instanceof FieldError && !(e instanceof NodeError)) throw new NodeError(x.index, name, e.field, e.rule);
    throw e;
  }
}

/**
 * The stats of `runNetwork` from the input coordinates alone: only coordinates and kernel maps
 * are computed (fast enough for a 100k-point scan), so wraps and saturation are 0.
 */
export function networkShapes(net: Network, inputCoords: Coord[]): NetworkShapeRun {
  const plan = planNetwork(net, { data: false });
  const order = validateTensor(inputCoords, 1, 'input.coords');
  const coords = new Map<string, Coord[]>([[INPUT_NODE, Array.from(order, (r) => inputCoords[r])]]);
  const stats: NodeStats[] = [];
  for (const name of plan.order) {
    const s = shapeNode(plan, name, coords);
    coords.set(name, s.coords);
    stats.push(s.stats);
  }
  return { plan, coords, stats };
}
