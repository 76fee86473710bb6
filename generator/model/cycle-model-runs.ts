// The hardware runs of a layer case as the host driver makes them (generator/sim/accel/driver.ts):
// the canonical coordinates, cut into the same tiles by the driver's own pure planner
// (generator/model/tiles.ts planTiles), each with its input rows and hardware output list.
// The cycle model (cycle-model.ts) takes them as data (`CycleModelLayer.runs`) and stays pure.
//
// Not covered: a tile the hardware still reports MAP_OVERFLOW for is split by the driver at run
// time (the planner's map estimate normally prevents it); pass `mapEstimate: false` only to mirror
// the tests that provoke it.
import type { AcceleratorSpec } from '../dsl/spec.ts';
import { planTiles, rebasesWhole, rebaseTiles, tileLimits, tileOutChannels, tileRunCoords, type Tile } from './tiles.ts';
import { toCoords } from './coord-columns.ts';
import type { CycleModelRun } from './cycle-model.ts';
import { planCoords } from './layer-plan.ts';
import type { LayerCase } from './types.ts';

export interface CycleModelRunOptions {
  /** The driver's `maxTilePoints` (forced tiling). */
  maxTilePoints?: number;
  mapEstimate?: boolean;
}

/** Tiles and runs of `c` on `spec` (pure). */
export function cycleModelRuns(spec: AcceleratorSpec, c: LayerCase, opts: CycleModelRunOptions = {}): { tiles: Tile[]; runs: CycleModelRun[] } {
  const p = planCoords(c);
  const inCoords = toCoords(p.inCols);
  const outCoords = toCoords(p.outCols);
  const tl = { layer: c.layer, inCoords, outCoords };
  let tiles = planTiles(tl, tileLimits(spec, opts.maxTilePoints, opts.mapEstimate ?? true));
  // A layer too wide to re-base as a whole: each tile on its own, as the driver does.
  if (!rebasesWhole(tl, spec.mapping.coordWidth)) tiles = rebaseTiles(tl, tiles, spec.mapping.coordWidth);
  return { tiles, runs: tiles.map((t) => ({ ...tileRunCoords(inCoords, t), outChannels: tileOutChannels(c.layer, t) })) };
}
