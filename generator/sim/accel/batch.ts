// Several layer cases on the complete accelerator, back to back in one harness run (the network
// runner's unit of work, generator/network/runner.ts), with coordinate and kernel-map reuse
// (docs/accelerator.md, "Map reuse"): a submanifold layer over exactly the coordinates of the
// previous hardware layer — also submanifold, same kernel size and tensor stride, neither one
// tiled — sets LAYER_TYPE.REUSE_MAP, sends no coordinates and does not run the mapping engine.
//
// Fusion across layers (docs/accelerator.md, "Fusion across layers"; buffers.keepFeatures): a
// layer marked `keepForNext` whose output is exactly the next layer's input (same canonical
// coordinates, channels and features), neither of them tiled, writes its requantized output into
// the feature buffer beside its own input (FUSION.KEEP_OUT; sim/accel/fusion.ts places it) and the
// next layer reads it there (FUSION.FEAT_ON_CHIP: no FEAT section). Where it does not fit, the
// layer streams as usual and `fusion.refusal` says why. `streamOut: false` also keeps the words
// off the output stream (FUSION.NO_STREAM): the host then sees only the output coordinates, and
// that layer's features are checked only through the layers that consume them.
//
// Each case runs once per tile: with POSTPROC.REQUANT_EN when it has requantization (the
// features), else the accumulators after bias. Every case is compared with the golden layer.
import { derive } from '../../dsl/derive/index.ts';
import type { AcceleratorSpec } from '../../dsl/spec.ts';
import { FieldError } from '../../model/errors.ts';
import { mapSchedule } from '../../model/run-table.ts';
import { runLayer } from '../../model/layer.ts';
import { rebaseTiles, splitTile, tileLimits, tileRunCoords, type Tile } from '../../model/tiles.ts';
import { chooseTiling, type TilingChoice, type TilingPolicy } from '../../model/tile-choice.ts';
import type { LayerCase, LayerResult } from '../../model/types.ts';
import type { BuildResult } from '../build.ts';
import type { RunResult } from '../run.ts';
import { checkCaseForSpec, tiledHardwareCase } from './check.ts';
import { checkWeightPattern } from './sparse.ts';
import {
  AccelError, canonicalLayer, choosePassGroupingFor, finish, runJobs, tileHw, type AccelRunOptions, type AccelStats, type Job, type PassGroupingStats,
} from './driver.ts';
import { buildAccel } from './rtl.ts';
import { encodeLayer, outputBeatCount, streamsWords, type HwLayer, type LayerReadback } from './stream.ts';
import { checkFusionJobs, featureWords, keptOutputBase } from './fusion.ts';
import type { CycleModelRun } from '../../model/cycle-model.ts';
import type { ResultComparison } from '../../io/layer-result.ts';

export interface BatchLayer {
  /** Names the layer in errors and reports (a network node). */
  name: string;
  case: LayerCase;
  /** The expected result (default: the golden layer of the case). */
  golden?: LayerResult;
  /** Fusion: keep the output on chip as the next layer's input features, where it fits. */
  keepForNext?: boolean;
  /** With a kept output: also stream the words (default true; false: FUSION.NO_STREAM). */
  streamOut?: boolean;
}

export interface BatchOptions extends AccelRunOptions {
  /** Reuse the map on chip where allowed (default true). */
  reuse?: boolean;
  /** Keep outputs on chip for layers marked keepForNext (default false; needs buffers.keepFeatures). */
  fusion?: boolean;
  /** Tiled odd-k submanifold layers: halo tiles, core-only tiles, or the faster by the cycle model (default; model/tile-choice.ts). */
  tiling?: TilingPolicy;
}

/** How a layer's features moved (fusion across layers). */
export interface LayerFusion {
  /** The input features came from the feature buffer (FUSION.FEAT_ON_CHIP), not the stream. */
  featOnChip: boolean;
  /** The output words were kept in the feature buffer for the next layer (FUSION.KEEP_OUT). */
  keptOut: boolean;
  /** The output words were streamed out (the host compared them). */
  streamedOut: boolean;
  /** keepForNext asked but not honoured: why. */
  refusal?: string;
  /** FEAT_IN_BASE of an on-chip input, FEAT_OUT_BASE of a kept output (feature-buffer words). */
  inBase?: number;
  outBase?: number;
}

export interface BatchLayerResult {
  name: string;
  result: LayerResult;
  golden: LayerResult;
  comparison: ResultComparison;
  stats: AccelStats;
  tiles: Tile[];
  /** The tile plan the host ran (model/tile-choice.ts): 'core' when the tiles ran core-only. */
  tiling: TilingChoice;
  /** The layer ran with LAYER_TYPE.REUSE_MAP (no coordinates sent, no mapping). */
  reused: boolean;
  fusion: LayerFusion;
  readbacks: LayerReadback[];
  /** The hardware runs as the cycle model takes them (canonical coordinates per tile, reuse flag). */
  runs: CycleModelRun[];
  /** AXI4-Stream beats into and out of the accelerator, over the layer's tiles. */
  beatsIn: number;
  beatsOut: number;
  /**
   * Harness cycle at which output point `point` (canonical order) left the accelerator: its
   * coordinate beat, or with `channel` the last beat of the word holding that channel; -1 if none.
   */
  outputCycle: (point: number, channel?: number) => number;
}

export interface BatchResult {
  layers: BatchLayerResult[];
  run: RunResult;
  build: BuildResult;
  retries: number;
  /** The FST waveform, when run with `trace`. */
  waveform?: string;
}

const sameCoords = (a: readonly number[][], b: readonly number[][]): number => {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    const p = a[i]!, q = b[i]!;
    if (p[0] !== q[0] || p[1] !== q[1] || p[2] !== q[2] || p[3] !== q[3]) return i;
  }
  return -1;
};

/**
 * Why `hw` may not reuse the map `prev` left on chip, or undefined when it may. The hardware
 * checks type, kernel size, tensor stride and point count (REUSE_INVALID); only the host can
 * check that the coordinates themselves are the same.
 */
export function mapReuseRefusal(prev: HwLayer | undefined, hw: HwLayer): string | undefined {
  if (prev === undefined) return 'no previous layer on the accelerator';
  if (prev.type !== 'submanifold' || hw.type !== 'submanifold') return 'both layers must be submanifold';
  if (prev.kernelSize !== hw.kernelSize) return `kernel size ${hw.kernelSize} differs from the previous layer's ${prev.kernelSize}`;
  if (prev.inTensorStride !== hw.inTensorStride) return `tensor stride ${hw.inTensorStride} differs from the previous layer's ${prev.inTensorStride}`;
  const at = sameCoords(prev.inCoords, hw.inCoords);
  if (at >= 0) {
    return prev.inCoords.length !== hw.inCoords.length
      ? `${hw.inCoords.length} points, the previous layer had ${prev.inCoords.length}`
      : `coordinates differ from the previous layer's at point ${at}`;
  }
  return undefined;
}

/** The host's refusal: a job marked reuseMap must follow a layer with the same map. */
export function checkMapReuse(jobs: readonly { hw: HwLayer }[]): void {
  for (let i = 0; i < jobs.length; i++) {
    const hw = jobs[i]!.hw;
    if (!hw.reuseMap) continue;
    const why = mapReuseRefusal(jobs[i - 1]?.hw, hw);
    if (why !== undefined) throw new FieldError('reuseMap', `layer run ${i + 1}: cannot reuse the map on chip: ${why}`);
  }
}

/** Why `next` cannot take `cur`'s output as its input features on chip, or undefined. */
function chainRefusal(cur: { case: LayerCase; golden: LayerResult; tiles: Tile[] }, next: { case: LayerCase; tiles: Tile[] } | undefined): string | undefined {
  if (next === undefined) return 'no next layer in this harness run';
  if (cur.case.requant === undefined || cur.golden.features === undefined) return 'the output is not requantized';
  if (cur.tiles.length > 1) return `the layer is cut into ${cur.tiles.length} tiles`;
  if (next.tiles.length > 1) return `the next layer is cut into ${next.tiles.length} tiles`;
  if (next.case.layer.inChannels !== cur.case.layer.outChannels) return `the next layer has ${next.case.layer.inChannels} input channels, this one ${cur.case.layer.outChannels} outputs`;
  const lay = canonicalLayer(next.case);
  const at = sameCoords(cur.golden.coords, lay.inCoords);
  if (at >= 0) return `the next layer's input coordinates differ from this output at point ${at}`;
  const f = cur.golden.features;
  for (let j = 0; j < f.length; j++) {
    const a = f[j]!, b = lay.features[j]!;
    for (let c = 0; c < a.length; c++) if (a[c] !== b[c]) return `the next layer's input features differ from this output at point ${j}, channel ${c}`;
  }
  return undefined;
}

/** Run `layers` in order on the RTL of `spec` in one harness run and compare each with its golden. */
export async function runAccelBatch(spec: AcceleratorSpec, layers: BatchLayer[], opts: BatchOptions = {}): Promise<BatchResult> {
  const d = derive(spec);
  const lim = tileLimits(spec, opts.maxTilePoints, opts.mapEstimate);
  const prepared = layers.map((l) => {
    // Each layer is re-based into the coordinate range on its own (model/rebase.ts); layers over the
    // same coordinates get the same translation, so map reuse sees identical coordinates.
    // A layer too wide to re-base as a whole: each tile on its own (model/tiles.ts rebaseTiles).
    let hw: ReturnType<typeof tiledHardwareCase>;
    try {
      hw = tiledHardwareCase(spec, l.case);
      checkCaseForSpec(spec, hw.hc, true, !hw.perTile);
      checkWeightPattern(spec, l.case);
    } catch (e) {
      if (e instanceof FieldError) throw new FieldError(`${l.name}.${e.field}`, e.message);
      throw e;
    }
    const lay = canonicalLayer(hw.hc);
    const golden = l.golden ?? runLayer(l.case, spec.arithmetic).result;
    const tiling = chooseTiling(spec, lay, lim, { bias: l.case.bias !== undefined, requant: l.case.requant !== undefined }, opts.tiling ?? 'auto');
    const tiles = tiling.tiles;
    return { ...l, hc: hw.hc, rebase: hw.rebase, perTile: hw.perTile, lay, golden, tiling, tiles: hw.perTile ? rebaseTiles(lay, tiles, spec.mapping.coordWidth) : tiles };
  });
  if (opts.fusion && !spec.buffers.keepFeatures) throw new FieldError('buffers.keepFeatures', `${spec.name} was generated without buffers.keepFeatures: no fusion across layers`);
  const build = await buildAccel(spec, { profile: opts.profile, trace: opts.trace });
  const maxRetries = opts.maxRetries ?? 4;
  for (let attempt = 0; ; attempt++) {
    const jobs: Job[] = [];
    const owner: number[] = [];
    const reused: boolean[] = [];
    const fusion: LayerFusion[] = [];
    const grouping: PassGroupingStats[] = [];
    prepared.forEach((p, li) => {
      const requantOut = p.case.requant !== undefined;
      const f: LayerFusion = { featOnChip: false, keptOut: false, streamedOut: true };
      fusion[li] = f;
      for (const tile of p.tiles) {
        const hw = tileHw(p.hc, p.lay, tile, requantOut);
        const prev = jobs.length > 0 && owner[owner.length - 1] === li - 1 && prepared[li - 1]!.tiles.length === 1 ? jobs[jobs.length - 1]!.hw : undefined;
        hw.reuseMap = opts.reuse !== false && p.tiles.length === 1 && mapReuseRefusal(prev, hw) === undefined;
        reused[li] = hw.reuseMap;
        if (prev?.keepOut) {
          hw.featOnChip = true;
          hw.featInBase = prev.featOutBase;
          f.featOnChip = true;
          f.inBase = hw.featInBase;
        }
        if (opts.fusion && p.keepForNext) {
          const why = chainRefusal(p, prepared[li + 1]);
          const { inWords, outWords } = featureWords(spec, hw, hw.inCoords.length, tile.hwOut.length);
          const base = why ?? keptOutputBase(spec.buffers.featureDepth, { base: hw.featInBase ?? 0, words: inWords }, outWords);
          if (typeof base === 'number') {
            hw.keepOut = true;
            hw.featOutBase = base;
            hw.noStream = p.streamOut === false;
            f.keptOut = true;
            f.streamedOut = !hw.noStream;
            f.outBase = base;
          } else f.refusal = base;
        }
        grouping[li] ??= choosePassGroupingFor(spec, p.hc, p.lay, p.tiles, opts.passGrouping ?? 'auto', {
          reuseMap: hw.reuseMap, featOnChip: hw.featOnChip === true, wordsOnChip: !streamsWords(hw), w0Block: opts.w0Block,
        });
        hw.passGrouping = grouping[li]!.policy;
        hw.w0Block = grouping[li]!.w0Block;
        jobs.push({ tile, hw, nOut: tile.hwOut.length, beats: encodeLayer(spec, d, hw), measured: true, label: `${p.name}, tile ${p.tiles.indexOf(tile) + 1}/${p.tiles.length}` });
        owner.push(li);
      }
    });
    checkMapReuse(jobs);
    checkFusionJobs(spec, jobs);
    const r = await runJobs(spec, d, jobs, build, opts);
    if (r.overflowJob !== undefined) {
      const li = owner[r.overflowJob]!;
      const p = prepared[li]!;
      if (attempt >= maxRetries) throw new AccelError(`${p.name}: a tile still overflows the map buffer after ${maxRetries} splits`);
      const t = jobs[r.overflowJob]!.tile;
      const k = p.tiles.indexOf(t);
      p.tiles = [...p.tiles.slice(0, k), ...splitTile(p.lay, lim, t), ...p.tiles.slice(k + 1)];
      continue;
    }
    const out: BatchLayerResult[] = prepared.map((p, li) => {
      const idx = owner.flatMap((o, j) => (o === li ? [j] : []));
      const pick = <T>(a: T[]) => idx.map((j) => a[j]!);
      const sub = {
        run: r.run,
        jobs: pick(r.jobs),
        readbacks: pick(r.readbacks),
        decoded: pick(r.decoded),
        startCycles: pick(r.startCycles),
        doneCycles: pick(r.doneCycles),
        startIndex: idx,
      };
      const f = finish(spec, p.case, p.golden, p.lay, p.tiles, sub, build, { ...opts, featuresOnly: true }, p.rebase);
      return {
        name: p.name,
        result: f.result,
        golden: p.golden,
        comparison: f.comparison,
        stats: { ...f.stats, passGrouping: grouping[li]!, mapSchedule: mapSchedule(spec.mapping, p.case.layer, grouping[li]!.policy) },
        tiles: p.tiles,
        tiling: p.tiling,
        reused: reused[li]!,
        fusion: fusion[li]!,
        readbacks: sub.readbacks,
        runs: sub.jobs.map((j) => ({
          inCoords: j.hw.inCoords, outCoords: tileRunCoords(p.lay.inCoords, j.tile).outCoords, reuseMap: j.hw.reuseMap === true, outChannels: j.hw.outChannels,
          featOnChip: j.hw.featOnChip === true, wordsOnChip: !streamsWords(j.hw), ...(j.tile.coreOnly ? { coreOnly: true } : {}),
        })),
        beatsIn: sub.jobs.reduce((a, j) => a + j.beats.length, 0),
        beatsOut: sub.jobs.reduce((a, j) => a + outputBeatCount(spec, d, j.hw, j.nOut), 0),
        outputCycle: (point: number, channel?: number) => {
          // A channel-grouped layer: the group holding `channel` (its first group for the coordinate).
          const inGroup = (t: Tile) => channel === undefined || t.outChannels === undefined || (channel >= t.outChannels[0] && channel < t.outChannels[1]);
          const k = sub.jobs.findIndex((j) => inGroup(j.tile) && j.tile.outRows.includes(point));
          if (k < 0) return -1;
          const dec = sub.decoded[k]!;
          const t = sub.jobs[k]!.tile;
          const h = t.coreAt[t.outRows.indexOf(point)]!;
          const ch = channel === undefined ? 0 : channel - (t.outChannels?.[0] ?? 0);
          return (channel === undefined ? dec.coordCycles[h] : dec.wordCycles[h]?.[Math.floor(ch / spec.matrix.cols)]) ?? -1;
        },
      };
    });
    return { layers: out, run: r.run, build, retries: attempt, ...(r.waveform ? { waveform: r.waveform } : {}) };
  }
}
