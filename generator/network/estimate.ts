// `net sim --model`: the network report from the cycle model alone, without simulation. Only
// coordinates and kernel maps are computed (networkShapes), every conv node is cut into the host
// driver's tiles and replayed by the calibrated schedule replay, with the same map-reuse decisions
// as the co-simulation runner (and the same fusion placement, sim/accel/fusion.ts) — fast enough for a full-size MinkUNet on a LiDAR scan.
import type { AcceleratorSpec } from '../dsl/spec.ts';
import { networkShapes } from '../model/network.ts';
import { nodeLayerShape } from '../model/network-plan.ts';
import type { Network } from '../model/network-types.ts';
import type { Coord } from '../model/types.ts';
import { rebasesWhole, rebaseTiles, tileLimits, tileOutChannels, tileRunCoords, TilingError, type Tile } from '../model/tiles.ts';
import { NodeError } from '../model/errors.ts';
import { chooseTiling, type TilingChoice, type TilingPolicy } from '../model/tile-choice.ts';
import { flagSweepCycles, type CycleModelRun } from '../model/cycle-model.ts';
import type { ReplayResult } from '../model/cycle-model-replay.ts';
import { canReuse, checkNetworkForSpec, derive, fusionPlan, layerStatsOf, modelConv, modelCycles, modelLoss, streamBytes, type ChipState, type FusionMode } from './plan-hw.ts';
import { featureWords, keptOutputBase } from '../sim/accel/fusion.ts';
import { hostRow, nodeKind, summarize, type ClockRange, type NetworkReport, type NodeRow } from './report.ts';

export interface EstimateOptions {
  /** Reuse the map on chip where allowed (default true). */
  reuse?: boolean;
  /** Fusion across layers (default 'off'; network/plan-hw.ts). */
  fusion?: FusionMode;
  /** The clock of the time figures, when given. */
  clockMhz?: number;
  /** The accelerator's estimated Fmax range (synth --timing), when known. */
  clockEstimate?: ClockRange;
  onProgress?: (line: string) => void;
  /** Tiled odd-k submanifold nodes: halo tiles, core-only tiles, or the faster by the cycle model (default; model/tile-choice.ts). */
  tiling?: TilingPolicy;
}

/** A node's pass-list figures over its runs (NodeRow.passList). */
function passListOf(runs: readonly ReplayResult[]): NonNullable<NodeRow['passList']> {
  return {
    longest: runs.reduce((a, r) => Math.max(a, r.passList.recorded), -1),
    replayedPairs: runs.reduce((a, r) => a + r.passList.replayedPairs, 0),
    fallbacks: runs.filter((r) => r.passList.fallback).length,
  };
}

export function estimateNetwork(spec: AcceleratorSpec, net: Network, inputCoords: Coord[], opts: EstimateOptions = {}): NetworkReport {
  const shapes = networkShapes(net, inputCoords);
  const plan = shapes.plan;
  const d = derive(spec);
  const lim = tileLimits(spec);
  const rows: NodeRow[] = [];
  checkNetworkForSpec(spec, plan, (node) => shapes.coords.get(node)!);
  let chip: ChipState | undefined;
  const convNames = shapes.stats.filter((s) => s.op === 'conv').map((s) => s.name);
  const convs = convNames.length;
  const fplan = fusionPlan(spec, plan, convNames, opts.fusion ?? 'off');
  const tileMemo = new Map<string, Tile[]>();
  const tilingMemo = new Map<string, TilingChoice>();
  const tilesOf = (name: string) => {
    let t = tileMemo.get(name);
    if (t !== undefined) return t;
    const n = plan.info.get(name)!.node!;
    if (n.op !== 'conv') throw new Error(`${name} is not a conv node`);
    try {
      const tl = { layer: nodeLayerShape(plan, n), inCoords: shapes.coords.get(n.inputs[0])!, outCoords: shapes.coords.get(name)! };
      const st = shapes.stats.find((x) => x.name === name)!;
      const choice = chooseTiling(spec, tl, lim, { bias: n.bias !== undefined, requant: n.requant !== undefined }, opts.tiling ?? 'auto', layerStatsOf(st));
      t = choice.tiles;
      if (choice.chosenBy !== 'only') tilingMemo.set(name, choice);
      // Too wide to re-base as a whole: each tile gets its own translation, as the host driver does.
      if (!rebasesWhole(tl, spec.mapping.coordWidth)) t = rebaseTiles(tl, t, spec.mapping.coordWidth);
    } catch (e) {
      // The host driver could not run this node either: say which node and why.
      if (e instanceof TilingError) throw new NodeError(plan.info.get(name)!.index, name, '', `host tiling on ${spec.name}: ${e.message}`);
      throw e;
    }
    tileMemo.set(name, t);
    return t;
  };
  // What the previous conv kept on chip, and for which node.
  let kept: { base: number; for: string } | undefined;
  let done = 0;
  // STARTs since reset: the whole network as one run, each tile one START (the batch driver's runs).
  let starts = 0;
  const t0 = performance.now();
  for (const s of shapes.stats) {
    const n = plan.info.get(s.name)!.node!;
    if (n.op !== 'conv') {
      rows.push(hostRow(s));
      continue;
    }
    const layer = nodeLayerShape(plan, n);
    const inCoords = shapes.coords.get(n.inputs[0])!;
    const outCoords = shapes.coords.get(s.name)!;
    const tiles = tilesOf(s.name);
    const reuse = opts.reuse !== false && canReuse(chip, layer, inCoords, tiles.length);
    // Fusion, as sim/accel/batch.ts decides it: both nodes single-tile, the output beside the input.
    const featOnChip = kept?.for === s.name;
    const inBase = featOnChip ? kept!.base : 0;
    kept = undefined;
    const fp = fplan.get(s.name);
    const next = convNames[convNames.indexOf(s.name) + 1];
    let keptOut = false;
    if (fp && next !== undefined && tiles.length === 1 && tilesOf(next).length === 1) {
      const { inWords, outWords } = featureWords(spec, layer, inCoords.length, outCoords.length);
      const base = keptOutputBase(spec.buffers.featureDepth, { base: inBase, words: inWords }, outWords);
      if (typeof base === 'number') {
        kept = { base, for: next };
        keptOut = true;
      }
    }
    const wordsOnChip = keptOut && !fp!.streamOut;
    const runs: CycleModelRun[] = tiles.map((t) => ({ ...tileRunCoords(inCoords, t), reuseMap: reuse, featOnChip, wordsOnChip, outChannels: tileOutChannels(layer, t), ...(t.coreOnly ? { coreOnly: true } : {}) }));
    const post = { bias: n.bias !== undefined, requant: n.requant !== undefined };
    const plain = streamBytes(spec, d, layer, post, runs.map((r) => ({ ...r, featOnChip: false, wordsOnChip: false })));
    // The tile choice already replayed these runs when they are plain (a tiled node neither reuses nor fuses).
    const tc = tilingMemo.get(s.name);
    const plainRuns = runs.every((r) => !r.reuseMap && !r.featOnChip && !r.wordsOnChip) && !tiles.some((t) => t.rebase !== undefined);
    const m = modelConv(spec, s, layer, post, runs, plainRuns ? tc?.prediction : undefined);
    const cycles = modelCycles(m.prediction);
    let sweepCycles = 0;
    for (let j = 0; j < tiles.length; j++) sweepCycles += flagSweepCycles(spec, starts++);
    rows.push({
      name: s.name, op: 'conv', kind: nodeKind(s), where: 'accelerator', pointsIn: s.pointsIn, pointsOut: s.pointsOut,
      inTensorStride: s.inTensorStride, outTensorStride: s.outTensorStride, inChannels: s.inChannels, outChannels: s.outChannels,
      mapEntries: s.mapEntries, macs: s.macs, computeBound: m.prediction.computeBound, tiles: tiles.length, reused: reuse, cycles,
      ...(tilingMemo.has(s.name) ? { tiling: tilingMemo.get(s.name)!.plan, tilingPredicted: tilingMemo.get(s.name)!.predicted } : {}),
      passGrouping: m.prediction.passGrouping?.policy,
      ...(m.prediction.passGrouping ? { passGroupingPredicted: m.prediction.passGrouping.predicted } : {}),
      utilisation: cycles.total > 0 ? m.prediction.computeBound / cycles.total : 0,
      ...streamBytes(spec, d, layer, post, runs),
      bytesNoFusion: plain.bytesIn + plain.bytesOut,
      fusion: { featOnChip, keptOut, streamedOut: !wordsOnChip },
      sweepCycles,
      loss: modelLoss(m.prediction),
      ...(spec.gatherScatter.passListDepth > 0 && m.prediction.runs ? { passList: passListOf(m.prediction.runs) } : {}),
      model: { total: m.prediction.total, noReuse: m.noReuse.total },
    });
    chip = { layer: { type: layer.type, kernelSize: layer.kernelSize, inTensorStride: layer.inTensorStride, inCoords }, tiled: tiles.length > 1 };
    done++;
    opts.onProgress?.(`cycle model: ${done}/${convs} conv nodes (${s.name}, ${tiles.length} tile${tiles.length === 1 ? '' : 's'}), ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  return summarize({
    network: net.name, spec: spec.name, source: 'cycle-model', inputPoints: inputCoords.length, reuse: opts.reuse !== false, fusion: opts.fusion ?? 'off',
    ...(opts.clockMhz !== undefined ? { clockMhz: opts.clockMhz } : {}), ...(opts.clockEstimate ? { clockEstimate: opts.clockEstimate } : {}), nodes: rows,
  });
}
