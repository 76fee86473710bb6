// Several layer cases on the complete accelerator, back to back in one harness run (the network
// runner's unit of work, generator/network/runner.ts), with coordinate and kernel-map reuse
// (docs/accelerator.md, "Map reuse"): a submanifold layer over exactly the coordinates of the
// previous hardware layer — also submanifold, same kernel size and tensor stride, neither one
// tiled — sets LAYER_TYPE.REUSE_MAP, sends no coordinates and does not run the mapping engine.
//
// Each case runs once per tile: with POSTPROC.REQUANT_EN when it has requantization (the
// features), else the accumulators after bias. Every case is compared with the golden layer.
import { derive } from '../../dsl/derive/index.ts';
import type { AcceleratorSpec } from '../../dsl/spec.ts';
import { FieldError } from '../../model/errors.ts';
import { runLayer } from '../../model/layer.ts';
import { planTiles, splitTile, tileLimits, type Tile } from '../../model/tiles.ts';
import type { LayerCase, LayerResult } from '../../model/types.ts';
import type { BuildResult } from '../build.ts';
import type { RunResult } from '../run.ts';
import { checkCaseForSpec, hardwareCase } from './check.ts';
import { checkWeightPattern } from './sparse.ts';
import {
  AccelError, canonicalLayer, finish, runJobs, tileHw, type AccelRunOptions, type AccelStats, type Job,
} from './driver.ts';
import { buildAccel } from './rtl.ts';
import { encodeLayer, outputBeatCount, type HwLayer, type LayerReadback } from './stream.ts';
import type { CycleModelRun } from '../../model/cycle-model.ts';
import type { ResultComparison } from '../../io/layer-result.ts';

export interface BatchLayer {
  /** Names the layer in errors and reports (a network node). */
  name: string;
  case: LayerCase;
  /** The expected result (default: the golden layer of the case). */
  golden?: LayerResult;
}

export interface BatchOptions extends AccelRunOptions {
  /** Reuse the map on chip where allowed (default true). */
  reuse?: boolean;
}

export interface BatchLayerResult {
  name: string;
  result: LayerResult;
  golden: LayerResult;
  comparison: ResultComparison;
  stats: AccelStats;
  tiles: Tile[];
  /** The layer ran with LAYER_TYPE.REUSE_MAP (no coordinates sent, no mapping). */
  reused: boolean;
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

/** Run `layers` in order on the RTL of `spec` in one harness run and compare each with its golden. */
export async function runAccelBatch(spec: AcceleratorSpec, layers: BatchLayer[], opts: BatchOptions = {}): Promise<BatchResult> {
  const d = derive(spec);
  const lim = tileLimits(spec, opts.maxTilePoints, opts.mapEstimate);
  const prepared = layers.map((l) => {
    // Each layer is re-based into the coordinate range on its own (model/rebase.ts); layers over the
    // same coordinates get the same translation, so map reuse sees identical coordinates.
    let hw: ReturnType<typeof hardwareCase>;
    try {
      hw = hardwareCase(spec, l.case);
      checkCaseForSpec(spec, hw.hc);
      checkWeightPattern(spec, l.case);
    } catch (e) {
      if (e instanceof FieldError) throw new FieldError(`${l.name}.${e.field}`, e.message);
      throw e;
    }
    const lay = canonicalLayer(hw.hc);
    const golden = l.golden ?? runLayer(l.case, spec.arithmetic).result;
    return { ...l, hc: hw.hc, rebase: hw.rebase, lay, golden, tiles: planTiles(lay, lim) };
  });
  const build = await buildAccel(spec, { profile: opts.profile, trace: opts.trace });
  const maxRetries = opts.maxRetries ?? 4;
  for (let attempt = 0; ; attempt++) {
    const jobs: Job[] = [];
    const owner: number[] = [];
    const reused: boolean[] = [];
    prepared.forEach((p, li) => {
      const requantOut = p.case.requant !== undefined;
      for (const tile of p.tiles) {
        const hw = tileHw(p.hc, p.lay, tile, requantOut);
        const prev = jobs.length > 0 && owner[owner.length - 1] === li - 1 && prepared[li - 1]!.tiles.length === 1 ? jobs[jobs.length - 1]!.hw : undefined;
        hw.reuseMap = opts.reuse !== false && p.tiles.length === 1 && mapReuseRefusal(prev, hw) === undefined;
        reused[li] = hw.reuseMap;
        jobs.push({ tile, hw, nOut: tile.hwOut.length, beats: encodeLayer(spec, d, hw), measured: true, label: `${p.name}, tile ${p.tiles.indexOf(tile) + 1}/${p.tiles.length}` });
        owner.push(li);
      }
    });
    checkMapReuse(jobs);
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
      };
      const f = finish(spec, p.case, p.golden, p.lay, p.tiles, sub, build, { ...opts, featuresOnly: true }, p.rebase);
      return {
        name: p.name,
        result: f.result,
        golden: p.golden,
        comparison: f.comparison,
        stats: f.stats,
        tiles: p.tiles,
        reused: reused[li]!,
        readbacks: sub.readbacks,
        runs: sub.jobs.map((j) => ({ inCoords: j.hw.inCoords, outCoords: j.tile.hwOut, reuseMap: j.hw.reuseMap === true })),
        beatsIn: sub.jobs.reduce((a, j) => a + j.beats.length, 0),
        beatsOut: sub.jobs.reduce((a, j) => a + outputBeatCount(spec, d, j.hw, j.nOut), 0),
        outputCycle: (point: number, channel?: number) => {
          const k = sub.jobs.findIndex((j) => point >= j.tile.outLo && point < j.tile.outHi);
          if (k < 0) return -1;
          const dec = sub.decoded[k]!;
          const h = sub.jobs[k]!.tile.coreOffset + point - sub.jobs[k]!.tile.outLo;
          return (channel === undefined ? dec.coordCycles[h] : dec.wordCycles[h]?.[Math.floor(channel / spec.matrix.cols)]) ?? -1;
        },
      };
    });
    return { layers: out, run: r.run, build, retries: attempt, ...(r.waveform ? { waveform: r.waveform } : {}) };
  }
}
