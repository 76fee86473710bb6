// The mapping engine's host side for a whole layer (what `sparseforge sim-map` runs): a cloud whose
// points do not fit the coordinate buffers is cut into the same tiles as the accelerator's
// host driver cuts (generator/model/tiles.ts, coordinate limits only: the engine alone has no
// feature, accumulator or map buffer), each tile runs on the engine and is checked entry by entry
// against the golden map of the tile, and the tiles' cores are merged and checked against the
// golden map of the whole cloud. Each tile is re-based into the coordinate range on its own
// (runMappingSim → encodeStimulus). A single output's neighbourhood larger than the buffers is
// refused with a FieldError naming buffers.coordDepth (exit status 2), before anything is built.
import type { AcceleratorSpec } from '../../dsl/spec.ts';
import { FieldError } from '../../model/errors.ts';
import { planTiles, tileInputs, tileLimits, TilingError, type Tile } from '../../model/tiles.ts';
import type { Coord } from '../../model/types.ts';
import { checkRunCapacity } from '../capacity.ts';
import { compareMapping, goldenMapping, rebaseJob, runMappingSim, type GoldenMapping, type MapComparison, type MapJob, type MapSimResult, type StimulusOptions } from './driver.ts';

export interface MappingTileRun {
  tile: Tile;
  job: MapJob;
  result: MapSimResult;
  /** The tile's run against the golden map of the tile (order, every entry, OUT_POINTS, counters). */
  cmp: MapComparison;
}

export interface MappingCaseResult {
  golden: GoldenMapping;
  tiles: MappingTileRun[];
  /** Map entries per kernel index of the merged cores (equals the golden count when ok). */
  entriesPerOffset: number[];
  /** Output points: merged cores (conv: the downsampled coordinates streamed by the engine). */
  outPoints: number;
  /** Counters summed over the tiles. */
  counters: Record<string, number>;
  ok: boolean;
  mismatches: string[];
  /** An engine error flag (first tile that raised one). */
  engineError?: { tile: number; name: string; code: number };
}

/** The tiles of a job on `spec` (one when it fits); FieldError when one output's neighbourhood cannot fit. */
export function planMappingTiles(spec: AcceleratorSpec, job: MapJob, golden: GoldenMapping, maxTilePoints?: number): Tile[] {
  const lim = { ...tileLimits(spec, maxTilePoints, false), featureDepth: Infinity, accumulatorDepth: Infinity };
  const layer = { ...job.layer, inChannels: 1, outChannels: 1 };
  try {
    return planTiles({ layer, inCoords: job.inCoords, outCoords: golden.outCoords }, lim);
  } catch (e) {
    if (e instanceof TilingError) throw new FieldError('buffers.coordDepth', `${spec.name} cannot tile this layer: ${e.message}`);
    throw e;
  }
}

export function tileJob(job: MapJob, t: Tile): MapJob {
  const inCoords = tileInputs(job.inCoords, t);
  return job.layer.type === 'transposed' ? { layer: job.layer, inCoords, outCoords: t.hwOut } : { layer: job.layer, inCoords };
}

/**
 * Check, plan, run and compare a whole job (canonical coordinates; golden computed on the original
 * coordinates). Every check happens before the first simulation: re-basing (extent), the tile plan
 * and every tile's capacities.
 */
export async function runMappingCase(
  spec: AcceleratorSpec, binary: () => Promise<string>, job: MapJob, opts: StimulusOptions & { golden?: GoldenMapping; maxTilePoints?: number } = {},
): Promise<MappingCaseResult> {
  const golden = opts.golden ?? goldenMapping(job);
  const plan = planMappingTiles(spec, job, golden, opts.maxTilePoints);
  const jobs = plan.map((t) => tileJob(job, t));
  jobs.forEach((j) => {
    rebaseJob(spec, j);
    const nOut = j.layer.type === 'transposed' ? j.outCoords!.length : j.layer.type === 'conv' ? 0 : j.inCoords.length;
    checkRunCapacity(spec, { ...j.layer, nIn: j.inCoords.length, nOut }, false);
  });
  const bin = await binary();
  const tiles: MappingTileRun[] = [];
  for (let i = 0; i < plan.length; i++) {
    const t = plan[i]!;
    const j = jobs[i]!;
    const result = await runMappingSim(bin, spec, j, opts);
    const cmp = compareMapping(spec, j, plan.length === 1 ? golden : goldenMapping(j), result);
    tiles.push({ tile: t, job: j, result, cmp });
  }
  return mergeMappingTiles(job, golden, tiles);
}

/** Merge tile runs (exported for tests): per-tile verdicts plus the merged cores against the golden map of the whole job. */
export function mergeMappingTiles(job: MapJob, golden: GoldenMapping, tiles: MappingTileRun[]): MappingCaseResult {
  const vol = golden.map.pairs.length;
  const counters: Record<string, number> = {};
  for (const t of tiles) for (const [k, v] of Object.entries(t.result.counters)) counters[k] = (counters[k] ?? 0) + v;
  const mismatches: string[] = [];
  let engineError: MappingCaseResult['engineError'];
  tiles.forEach((t, i) => {
    const s = t.result.status;
    if (s.error && engineError === undefined) engineError = { tile: i, name: s.errorName, code: s.errorCode };
    for (const m of t.cmp.mismatches) mismatches.push(tiles.length > 1 ? `tile ${i + 1}/${tiles.length}: ${m}` : m);
  });
  if (tiles.length === 1) {
    const t = tiles[0]!;
    return {
      golden,
      tiles,
      entriesPerOffset: t.result.pairs.map((p) => p.output.length),
      outPoints: t.result.outPoints,
      counters,
      ok: t.cmp.ok,
      mismatches,
      ...(engineError ? { engineError } : {}),
    };
  }
  // Cores: output t.outRows[i] of the whole layer is output t.coreAt[i] of the tile; tile input j is t.inRows[j].
  const merged = Array.from({ length: vol }, () => [] as [number, number][]);
  const outSlots: (Coord | undefined)[] = [];
  for (const { tile: t, result: r } of tiles) {
    const owner = new Map(t.coreAt.map((h, i) => [h, t.outRows[i]!]));
    r.pairs.forEach((p, k) => {
      for (let e = 0; e < p.output.length; e++) {
        const q = owner.get(p.output[e]!);
        const j = t.inRows[p.input[e]!];
        if (q !== undefined && j !== undefined && k < vol) merged[k]!.push([j, q]);
      }
    });
    if (job.layer.type === 'conv') t.coreAt.forEach((h, i) => (outSlots[t.outRows[i]!] = r.outCoords?.[h]));
  }
  const outCoords: Coord[] = [];
  for (let q = 0; q < outSlots.length; q++) if (outSlots[q] !== undefined) outCoords.push(outSlots[q]!);
  const limit = 20;
  const add = (m: string) => {
    if (mismatches.length < limit) mismatches.push(`merged tiles: ${m}`);
  };
  golden.map.pairs.forEach((g, k) => {
    const got = merged[k]!.sort((a, b) => a[1] - b[1] || a[0] - b[0]);
    if (got.length !== g.output.length) add(`kernel index ${k}: ${got.length} entries, expected ${g.output.length}`);
    const n = Math.min(got.length, g.output.length);
    for (let e = 0; e < n; e++) {
      if (got[e]![0] !== g.input[e] || got[e]![1] !== g.output[e]) {
        add(`kernel index ${k} entry ${e}: (${got[e]![0]}, ${got[e]![1]}), expected (${g.input[e]}, ${g.output[e]})`);
        break;
      }
    }
  });
  if (job.layer.type === 'conv') {
    if (outCoords.length !== golden.outCoords.length) add(`output points ${outCoords.length}, expected ${golden.outCoords.length}`);
    const i = outCoords.findIndex((c, q) => golden.outCoords[q] === undefined || c.some((v, a) => v !== golden.outCoords[q]![a]));
    if (i >= 0) add(`output coord ${i}: [${outCoords[i]}], expected [${golden.outCoords[i]}]`);
  }
  const outPoints = job.layer.type === 'conv' ? outCoords.length : tiles.reduce((a, t) => a + t.tile.outRows.length, 0);
  return {
    golden,
    tiles,
    entriesPerOffset: merged.map((m) => m.length),
    outPoints,
    counters,
    ok: mismatches.length === 0,
    mismatches,
    ...(engineError ? { engineError } : {}),
  };
}
