// The host driver's per-layer tiling choice (issue 13): a tiled odd-k submanifold layer either
// runs each tile as the layer itself, which also computes every halo point it streams (their
// outputs are thrown away: on the LiDAR scans 12–20 % more rows than the compute bound), or
// core-only (model/tiles.ts Tile.coreOnly: a stride-1 transposed layer over the core, kernel
// mirrored), which computes exactly the bound's rows but streams the core's coordinates as well
// and merges all K offsets instead of (K+1)/2. Where the mapping is not hidden behind compute
// (few channel tiles) the first can be faster, so the host asks the cycle model, as it does for
// the pass grouping, and runs the faster plan.
//
// Pure: no I/O.
import type { AcceleratorSpec } from '../dsl/spec.ts';
import { predictCycles, type CycleModelRun, type CyclePrediction } from './cycle-model.ts';
import type { LayerStats } from './stats.ts';
import { coreOnlyAllowed, planTiles, tileOutChannels, tileRunCoords, TilingError, type Tile, type TileLayer, type TileLimits } from './tiles.ts';

export type TilingPolicy = 'halo' | 'core' | 'auto';
export const TILING_POLICIES: readonly TilingPolicy[] = ['halo', 'core', 'auto'];

export interface TilingChoice {
  tiles: Tile[];
  /** The plan run: 'halo' (each tile as the layer) or 'core' (core-only tiles). */
  plan: 'halo' | 'core';
  /** How it was chosen: only one plan possible (single tile, or no core-only tiles on this spec / layer), forced, or the cycle model. */
  chosenBy: 'only' | 'forced' | 'cycle model';
  /** The cycle model's totals of both plans when it chose. */
  predicted: { halo?: number; core?: number };
  /** The cycle model's prediction of the plan run (plain runs: no reuse, no fusion), when it chose. */
  prediction?: CyclePrediction;
}

/** The cycle model's prediction of a tile plan (replay, the faster pass grouping; plain runs). */
export function predictTilePlan(spec: AcceleratorSpec, t: TileLayer, tiles: Tile[], post: { bias: boolean; requant: boolean }, stats?: LayerStats): CyclePrediction {
  const runs: CycleModelRun[] = tiles.map((x) => ({ ...tileRunCoords(t.inCoords, x), outChannels: tileOutChannels(t.layer, x), ...(x.coreOnly ? { coreOnly: true } : {}) }));
  return predictCycles(spec, stats ?? ({ mapEntries: 0, kernelVolume: t.layer.kernelSize ** 3 } as LayerStats), { ...t.layer, ...post, runs });
}

/** Predicted PERF_TOTAL_CYCLES of a tile plan. */
export function predictTiles(spec: AcceleratorSpec, t: TileLayer, tiles: Tile[], post: { bias: boolean; requant: boolean }): number {
  return predictTilePlan(spec, t, tiles, post).total;
}

/**
 * The tiles of a layer: planTiles as before ('halo'), core-only where the spec can run it ('core'),
 * or the faster of the two by the cycle model ('auto'). A TilingError of the halo plan propagates
 * (the layer cannot be tiled); a core-only plan that cannot be made falls back to the halo plan.
 */
export function chooseTiling(
  spec: AcceleratorSpec, t: TileLayer, lim: TileLimits, post: { bias: boolean; requant: boolean }, policy: TilingPolicy = 'auto',
  /** The layer's statistics (the computeBound of the returned prediction), when the caller has them. */
  stats?: LayerStats,
): TilingChoice {
  const halo = planTiles(t, { ...lim, coreOnly: false });
  if (halo.length === 1 || policy === 'halo' || !coreOnlyAllowed(spec, t.layer)) {
    return { tiles: halo, plan: 'halo', chosenBy: policy === 'halo' && halo.length > 1 && coreOnlyAllowed(spec, t.layer) ? 'forced' : 'only', predicted: {} };
  }
  let core: Tile[];
  try {
    core = planTiles(t, { ...lim, coreOnly: true });
  } catch (e) {
    if (e instanceof TilingError) return { tiles: halo, plan: 'halo', chosenBy: 'only', predicted: {} };
    throw e;
  }
  if (policy === 'core') return { tiles: core, plan: 'core', chosenBy: 'forced', predicted: {} };
  const ph = predictTilePlan(spec, t, halo, post, stats);
  const pc = predictTilePlan(spec, t, core, post, stats);
  const predicted = { halo: ph.total, core: pc.total };
  return predicted.core < predicted.halo
    ? { tiles: core, plan: 'core', chosenBy: 'cycle model', predicted, prediction: pc }
    : { tiles: halo, plan: 'halo', chosenBy: 'cycle model', predicted, prediction: ph };
}
