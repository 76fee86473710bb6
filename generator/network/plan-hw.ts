// How the network runner puts conv nodes on the accelerator, shared by co-simulation (runner.ts)
// and the cycle-model estimate (estimate.ts): tiles (the host driver's tile planner), which
// nodes reuse the map on chip (the previous conv on the chip was a submanifold layer over the
// same coordinates with the same kernel size and tensor stride, and neither was tiled), the
// cycle model's prediction with and without reuse, and the stream bytes.
import { derive, type Derived } from '../dsl/derive/index.ts';
import type { AcceleratorSpec } from '../dsl/spec.ts';
import { predictCycles, type CycleModelRun, type CyclePrediction } from '../model/cycle-model.ts';
import { FieldError, NodeError } from '../model/errors.ts';
import type { NodeStats } from '../model/network.ts';
import { nodeLayerShape, type NetworkPlan } from '../model/network-plan.ts';
import type { LayerStats } from '../model/stats.ts';
import type { Coord, LayerCase, LayerShape } from '../model/types.ts';
import { mapReuseRefusal } from '../sim/accel/batch.ts';
import { coreOnlyLayer } from '../model/tiles.ts';
import { checkCaseForSpec, tiledHardwareCase } from '../sim/accel/check.ts';
import { inputBeatCount, outputBeatCount, type HwLayer } from '../sim/accel/stream.ts';
import type { NodeCycles, NodeLoss } from './report.ts';

/** What the previous conv left on the chip, as far as reuse goes. */
export interface ChipState {
  layer: Pick<HwLayer, 'type' | 'kernelSize' | 'inTensorStride' | 'inCoords'>;
  tiled: boolean;
}

/**
 * What the host driver refuses (layer type, kernel, stride, channels, coordinate range, stages),
 * over every conv node before anything runs: a NodeError naming the node, the field and the value
 * (`nodes[35] "dec1.res0.conv1": sf_fpga cannot run it: layer.inChannels: … got 640`).
 */
export function checkNetworkForSpec(spec: AcceleratorSpec, plan: NetworkPlan, coordsOf: (node: string) => Coord[]): void {
  for (const name of plan.order) {
    const n = plan.info.get(name)!.node!;
    if (n.op !== 'conv') continue;
    const c: LayerCase = { layer: nodeLayerShape(plan, n), input: { coords: coordsOf(n.inputs[0]!), features: [] }, weights: n.weights };
    if (n.bias !== undefined) c.bias = n.bias;
    if (n.requant !== undefined) c.requant = n.requant;
    if (n.outputCoordsOf !== undefined) c.outputCoords = coordsOf(n.outputCoordsOf);
    try {
      // A layer too wide to re-base as a whole is re-based tile by tile (the planner bounds each tile's extent).
      const hw = tiledHardwareCase(spec, c);
      checkCaseForSpec(spec, hw.hc, true, !hw.perTile);
    } catch (e) {
      if (e instanceof FieldError) throw new NodeError(plan.info.get(name)!.index, name, '', `${spec.name} cannot run it: ${e.message}`);
      throw e;
    }
  }
}

/** Whether a conv over `inCoords` (canonical) may reuse the map the previous conv left. */
export function canReuse(prev: ChipState | undefined, layer: LayerShape, inCoords: Coord[], tiles: number): boolean {
  if (prev === undefined || prev.tiled || tiles !== 1) return false;
  const hw = { type: layer.type, kernelSize: layer.kernelSize, inTensorStride: layer.inTensorStride, inCoords } as HwLayer;
  return mapReuseRefusal(prev.layer as HwLayer, hw) === undefined;
}

export function layerStatsOf(s: NodeStats): LayerStats {
  return {
    layerType: s.layerType!, pointsIn: s.pointsIn, pointsOut: s.pointsOut, inTensorStride: s.inTensorStride, outTensorStride: s.outTensorStride,
    kernelVolume: s.kernelVolume, mapEntriesPerOffset: s.mapEntriesPerOffset, mapEntries: s.mapEntries, macs: s.macs,
    avgNeighbours: s.pointsOut === 0 ? 0 : s.mapEntries / s.pointsOut,
  };
}

export interface ConvModel {
  prediction: CyclePrediction;
  noReuse: CyclePrediction;
}

/** The cycle model of a conv node's runs, as given and with every reuse flag cleared. */
export function modelConv(
  spec: AcceleratorSpec, stats: NodeStats, layer: LayerShape, post: { bias: boolean; requant: boolean }, runs: CycleModelRun[],
  /** The prediction of the same runs when the caller already has it (the tile choice's, for plain runs). */
  known?: CyclePrediction,
): ConvModel {
  const ls = layerStatsOf(stats);
  const prediction = known ?? predictCycles(spec, ls, { ...layer, ...post, runs });
  const noReuse = runs.some((r) => r.reuseMap) ? predictCycles(spec, ls, { ...layer, ...post, runs: runs.map((r) => ({ ...r, reuseMap: false })) }) : prediction;
  return { prediction, noReuse };
}

/** The cycle model's account of where a node's cycles went (report.ts NodeLoss), summed over its runs. */
export function modelLoss(p: CyclePrediction): NodeLoss {
  const runs = p.runs ?? [];
  const sum = (f: (r: NonNullable<CyclePrediction['runs']>[number]) => number) => runs.reduce((a, r) => a + f(r), 0);
  return {
    bound: p.computeBound,
    halo: sum((r) => r.compute) - p.computeBound,
    startup: sum((r) => r.loss.startup),
    tileLoad: sum((r) => r.loss.tileLoad),
    weightStream: sum((r) => r.loss.weightStream),
    schedule: sum((r) => r.loss.schedule),
    descFifo: sum((r) => r.loss.descFifo),
    outStream: sum((r) => r.loss.outStream),
    tail: sum((r) => r.total - r.lastRow),
  };
}

/** The cycle model's phases in the report's terms. */
export function modelCycles(p: CyclePrediction): NodeCycles {
  const runs = p.runs ?? [];
  const sum = (f: (r: NonNullable<CyclePrediction['runs']>[number]) => number) => runs.reduce((a, r) => a + f(r), 0);
  const total = p.total;
  const compute = sum((r) => r.compute);
  const tail = sum((r) => r.tail);
  const coordLoad = sum((r) => r.coordLoad);
  return { total, coordLoad, measured: total - coordLoad, mapping: sum((r) => r.mapping), compute, stall: total - compute - tail, tail };
}

/**
 * Fusion across layers (buffers.keepFeatures): 'off'; 'on' keeps a conv's output on chip for the
 * next conv and does not stream it when nothing else needs it; 'debug' keeps it and streams it
 * too, so that every node is still compared word for word.
 */
export type FusionMode = 'off' | 'on' | 'debug';

export const FUSION_MODES: readonly FusionMode[] = ['off', 'on', 'debug'];

export interface NodeFusionPlan {
  /** Keep the output on chip for the next conv node (which reads exactly this node). */
  keepForNext: boolean;
  /** Also stream the output words (another node needs them, a network output, or debug). */
  streamOut: boolean;
}

/**
 * Which conv nodes keep their output for the next conv in `convs` (topological order): the next
 * conv reads this node as its input, and this node requantizes. Whether it fits on chip (and
 * whether either node is tiled) is decided per run by the host driver (sim/accel/batch.ts, and
 * the estimate with the same placement).
 */
export function fusionPlan(spec: AcceleratorSpec, plan: NetworkPlan, convs: readonly string[], mode: FusionMode): Map<string, NodeFusionPlan> {
  const out = new Map<string, NodeFusionPlan>();
  if (mode === 'off') return out;
  if (!spec.buffers.keepFeatures) throw new FieldError('buffers.keepFeatures', `fusion ${mode}: ${spec.name} was generated without buffers.keepFeatures`);
  const outputs = new Set(plan.network.outputs);
  convs.forEach((name, i) => {
    const next = convs[i + 1];
    const info = plan.info.get(name)!;
    const n = info.node!;
    if (next === undefined || n.op !== 'conv' || n.requant === undefined) return;
    const nn = plan.info.get(next)!.node!;
    if (nn.op !== 'conv' || nn.inputs[0] !== name) return;
    const others = info.consumers.some((c) => c !== next) || outputs.has(name);
    out.set(name, { keepForNext: true, streamOut: mode === 'debug' || others });
  });
  return out;
}

/** AXI4-Stream bytes of a conv node's runs (FEAT and output words left out where fusion kept them on chip). */
export function streamBytes(
  spec: AcceleratorSpec, d: Derived, layer: LayerShape, post: { bias: boolean; requant: boolean }, runs: CycleModelRun[],
): { bytesIn: number; bytesOut: number } {
  const W = spec.interfaces.axisDataWidth / 8;
  let bin = 0, bout = 0;
  for (const r of runs) {
    const s = { ...(r.coreOnly ? coreOnlyLayer(layer) : layer), outChannels: r.outChannels ?? layer.outChannels, nIn: r.inCoords.length, nOut: r.outCoords.length, bias: post.bias, requantOut: post.requant, reuseMap: r.reuseMap, featOnChip: r.featOnChip };
    bin += inputBeatCount(spec, s);
    bout += outputBeatCount(spec, d, { ...layer, outChannels: r.outChannels ?? layer.outChannels, requantOut: post.requant, keepOut: r.wordsOnChip, noStream: r.wordsOnChip }, r.outCoords.length);
  }
  return { bytesIn: bin * W, bytesOut: bout * W };
}

export { derive };
