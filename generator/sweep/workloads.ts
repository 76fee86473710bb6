// Workloads of a sweep: layer cases built from a point cloud (bunny, PLY, inline points) or read
// from case files, identified by the hash of their canonical serialization. A workload does not
// depend on the accelerator, so it is built and analysed (kernel map statistics) once per sweep,
// and the statistics are cached by content.
import { join, resolve } from 'node:path';
import { bunnyPoints } from '../io/bunny.ts';
import { buildCase } from '../io/case-builder.ts';
import { LAYER_CASE_FORMAT, parseLayerCase, readLayerCaseFile, serializeLayerCase } from '../io/layer-case.ts';
import { readPlyFile } from '../io/ply.ts';
import type { CycleModelLayer } from '../model/cycle-model.ts';
import { FieldError } from '../model/errors.ts';
import { layerStats, type LayerStats } from '../model/stats.ts';
import type { LayerCase } from '../model/types.ts';
import { JsonCache, modelSourceHash, sha256 } from './cache.ts';
import type { NetworkCloud, SweepGrid, WorkloadBuilder, WorkloadInput } from './grid.ts';
import { parseNetwork, readNetworkFile, serializeNetwork } from '../io/network.ts';
import { serializeTensor } from '../io/tensor.ts';
import { buildTensor } from '../io/tensor-builder.ts';
import { networkShapes, type NetworkShapeRun } from '../model/network.ts';
import { nodeLayerShape } from '../model/network-plan.ts';
import type { Network, NodeTensor } from '../model/network-types.ts';
import { buildZooNetwork } from '../network/zoo/index.ts';

export interface PreparedWorkload {
  name: string;
  /** SHA-256 of the case's canonical serialization. */
  hash: string;
  /** One line: where the points came from and the layer. */
  description: string;
  layer: CycleModelLayer;
  stats: LayerStats;
  extent: WorkloadExtent;
  /** Layer workloads: the case. Network workloads: the first conv node's case (shape and data, no features). */
  case: LayerCase;
  /** Network workloads: the network, its input tensor and the coordinates of every node. */
  network?: PreparedNetwork;
}

export interface PreparedNetwork {
  net: Network;
  input: NodeTensor;
  shapes: NetworkShapeRun;
}

/** Value ranges of the data, checked against each point's datapath widths. */
export interface WorkloadExtent {
  featureMin: number;
  featureMax: number;
  weightMin: number;
  weightMax: number;
}

export function caseExtent(c: LayerCase): WorkloadExtent {
  const e: WorkloadExtent = { featureMin: 0, featureMax: 0, weightMin: 0, weightMax: 0 };
  for (const row of c.input.features) {
    for (const v of row) {
      if (v < e.featureMin) e.featureMin = v;
      if (v > e.featureMax) e.featureMax = v;
    }
  }
  for (const k of c.weights) {
    for (const row of k) {
      for (const v of row) {
        if (v < e.weightMin) e.weightMin = v;
        if (v > e.weightMax) e.weightMax = v;
      }
    }
  }
  return e;
}

/** The case builder names its errors after CLI flags; a grid names builder fields. */
const FLAG_FIELDS: Record<string, string> = {
  '--voxel': 'voxel',
  '--layer': 'layer',
  '--kernel': 'kernel',
  '--stride': 'stride',
  '--cin': 'cin',
  '--cout': 'cout',
  '--seed': 'seed',
  '--relu': 'relu',
  '--tensor-stride': 'tensorStride',
  points: 'points',
};

function flatPoints(p: NonNullable<WorkloadBuilder['points']>, field: string): Float64Array {
  if (Array.isArray(p) && p.length > 0 && Array.isArray(p[0])) {
    const rows = p as number[][];
    const out = new Float64Array(rows.length * 3);
    rows.forEach((r, i) => {
      if (!Array.isArray(r) || r.length !== 3 || !r.every((v) => typeof v === 'number' && Number.isFinite(v))) {
        throw new FieldError(`${field}[${i}]`, 'must be [x, y, z] (three finite numbers)');
      }
      out.set(r, 3 * i);
    });
    return out;
  }
  const flat = Float64Array.from(p as ArrayLike<number>);
  if (flat.length % 3 !== 0) throw new FieldError(field, `an interleaved [x, y, z, …] array needs a multiple of 3 numbers, got ${flat.length}`);
  return flat;
}

async function buildWorkloadCase(b: WorkloadBuilder, field: string, baseDir: string): Promise<{ c: LayerCase; source: string }> {
  let points: Float64Array;
  let source: string;
  if (b.bunny) {
    points = bunnyPoints();
    source = 'bunny';
  } else if (b.ply !== undefined) {
    try {
      points = await readPlyFile(resolve(baseDir, b.ply));
    } catch (e) {
      if (e instanceof FieldError) throw new FieldError(`${field}.ply`, e.message);
      throw e;
    }
    source = b.ply;
  } else {
    points = flatPoints(b.points!, `${field}.points`);
    source = `${points.length / 3} inline points`;
  }
  try {
    const c = buildCase({
      points,
      voxel: b.voxel,
      layer: b.layer,
      kernel: b.kernel,
      stride: b.stride ?? 1,
      cin: b.cin,
      cout: b.cout,
      requant: b.requant ?? false,
      relu: b.relu ?? false,
      bias: b.bias,
      seed: b.seed,
      inTensorStride: b.tensorStride,
    });
    return { c, source: `${source} voxel ${b.voxel}` };
  } catch (e) {
    if (e instanceof FieldError) {
      const sub = FLAG_FIELDS[e.field];
      throw new FieldError(sub ? `${field}.${sub}` : field, e.rule);
    }
    throw e;
  }
}

async function loadWorkloadCase(w: WorkloadInput, field: string, baseDir: string): Promise<{ c: LayerCase; source: string }> {
  if (w.builder) return buildWorkloadCase(w.builder, `${field}.builder`, baseDir);
  if (typeof w.case === 'string') {
    const path = resolve(baseDir, w.case);
    try {
      return { c: await readLayerCaseFile(path), source: w.case };
    } catch (e) {
      if (e instanceof FieldError) throw new FieldError(`${field}.case`, e.message);
      throw e;
    }
  }
  try {
    return { c: parseLayerCase({ format: LAYER_CASE_FORMAT, ...(w.case as LayerCase) }), source: 'inline case' };
  } catch (e) {
    if (e instanceof FieldError) throw new FieldError(`${field}.case.${e.field}`, e.rule);
    throw e;
  }
}

export function describeLayer(c: LayerCase): string {
  const L = c.layer;
  return `${L.type} k=${L.kernelSize}${L.type === 'submanifold' ? '' : ` s=${L.stride}`}, ${L.inChannels}→${L.outChannels} ch`;
}

async function cloudPoints(c: NetworkCloud, field: string, baseDir: string): Promise<{ points: Float64Array; source: string }> {
  if (c.bunny) return { points: bunnyPoints(), source: 'bunny' };
  if (c.ply !== undefined) {
    try {
      return { points: await readPlyFile(resolve(baseDir, c.ply)), source: c.ply };
    } catch (e) {
      if (e instanceof FieldError) throw new FieldError(`${field}.ply`, e.message);
      throw e;
    }
  }
  const points = flatPoints(c.points!, `${field}.points`);
  return { points, source: `${points.length / 3} inline points` };
}

/** A network workload: the network (file, inline or zoo), its input cloud, every node's coordinates. */
async function prepareNetwork(w: WorkloadInput, i: number, baseDir: string): Promise<PreparedWorkload> {
  const field = `workloads[${i}]`;
  const { points, source } = await cloudPoints(w.input!, `${field}.input`, baseDir);
  const named = <T>(sub: string, fn: () => T | Promise<T>): Promise<T> =>
    Promise.resolve()
      .then(fn)
      .catch((e: unknown) => {
        throw e instanceof FieldError ? new FieldError(`${field}.${sub}: ${e.field}`, e.rule) : e;
      });
  let net: Network;
  let input: NodeTensor;
  if (w.zoo !== undefined) {
    input = await named('input', () => buildTensor({ points, voxel: w.input!.voxel, channels: w.zoo!.inChannels, seed: w.input!.seed }));
    net = await named('zoo', () => buildZooNetwork(w.zoo!, input).network);
  } else {
    net = await named('network', () => (typeof w.network === 'string' ? readNetworkFile(resolve(baseDir, w.network)) : parseNetwork({ format: 'sparseforge.network/1', ...w.network! })));
    input = await named('input', () => buildTensor({ points, voxel: w.input!.voxel, channels: net.inputChannels, seed: w.input!.seed }));
  }
  const shapes = await named('network', () => networkShapes(net, input.coords));
  const convs = shapes.stats.filter((s) => s.op === 'conv');
  if (convs.length === 0) throw new FieldError(`${field}.network`, 'has no conv node: nothing runs on the accelerator');
  const first = shapes.plan.info.get(convs[0]!.name)!.node!;
  if (first.op !== 'conv') throw new Error('unreachable');
  const firstCase: LayerCase = { layer: nodeLayerShape(shapes.plan, first), input: { coords: shapes.coords.get(first.inputs[0])!, features: [] }, weights: first.weights };
  const out = shapes.coords.get(net.outputs[0]!)!;
  const mapEntries = convs.reduce((a, s) => a + s.mapEntries, 0);
  const stats: LayerStats = {
    layerType: first.layer.type, pointsIn: input.coords.length, pointsOut: out.length, inTensorStride: 1,
    outTensorStride: shapes.plan.info.get(net.outputs[0]!)!.tensorStride, kernelVolume: 0, mapEntriesPerOffset: [],
    mapEntries, macs: convs.reduce((a, s) => a + s.macs, 0), avgNeighbours: out.length === 0 ? 0 : mapEntries / out.length,
  };
  const extent: WorkloadExtent = { featureMin: 0, featureMax: 0, weightMin: 0, weightMax: 0 };
  for (const row of input.features ?? []) for (const v of row) { extent.featureMin = Math.min(extent.featureMin, v); extent.featureMax = Math.max(extent.featureMax, v); }
  for (const n of net.nodes) if (n.op === 'conv') for (const k of n.weights) for (const r of k) for (const v of r) { extent.weightMin = Math.min(extent.weightMin, v); extent.weightMax = Math.max(extent.weightMax, v); }
  return {
    name: w.name,
    hash: sha256(serializeNetwork(net), serializeTensor(input)),
    description: `${source} voxel ${w.input!.voxel}: network ${net.name} (${net.nodes.length} nodes, ${convs.length} conv), ${input.coords.length} points`,
    layer: { ...firstCase.layer, requant: first.requant !== undefined, bias: first.bias !== undefined },
    stats,
    extent,
    case: firstCase,
    network: { net, input, shapes },
  };
}

/** Builds or reads every workload and its statistics (cached under `<cacheRoot>/sweep/workloads`). */
export async function prepareWorkloads(grid: SweepGrid, cacheRoot: string, useCache = true): Promise<PreparedWorkload[]> {
  const cache = new JsonCache(join(cacheRoot, 'sweep', 'workloads'));
  const model = await modelSourceHash();
  const out: PreparedWorkload[] = [];
  for (const [i, w] of grid.workloads.entries()) {
    if (w.network !== undefined || w.zoo !== undefined) {
      out.push(await prepareNetwork(w, i, grid.baseDir));
      continue;
    }
    const { c, source } = await loadWorkloadCase(w, `workloads[${i}]`, grid.baseDir);
    const text = serializeLayerCase(c);
    const hash = sha256(text);
    const key = sha256(hash, model);
    let stats = useCache ? await cache.get<LayerStats>(key) : undefined;
    if (!stats) {
      try {
        stats = layerStats(c);
      } catch (e) {
        if (e instanceof FieldError) throw new FieldError(`workloads[${i}] (${w.name}): ${e.field}`, e.rule);
        throw e;
      }
      await cache.put(key, stats);
    }
    out.push({
      name: w.name,
      hash,
      description: `${source}: ${describeLayer(c)}, ${stats.pointsIn} points`,
      layer: { ...c.layer, requant: c.requant !== undefined, bias: c.bias !== undefined },
      stats,
      extent: caseExtent(c),
      case: c,
    });
  }
  return out;
}
