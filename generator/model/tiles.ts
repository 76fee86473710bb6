// Host-side tiling (docs/accelerator.md, "Clouds larger than the buffers"): a layer whose points,
// features, accumulators or kernel map do not fit on chip is cut into tiles. A tile owns a set of
// output points (its *core*) and streams every input point the core needs (its halo): the inputs
// inside the core's bounding box widened by the kernel's reach on each axis. The hardware runs the
// tile as an ordinary layer over those inputs (any canonical subset of the cloud is a valid layer);
// only the core's outputs are kept (a submanifold or conv tile also produces outputs around the
// core, computed from an incomplete neighbourhood: they belong to the neighbouring tiles).
//
// The planner bisects the output points recursively: batches first (no halo), then the spatial
// axis whose cut leaves the fewest halo points, the cut placed at the point count the region's
// load asks for (a region 3.4× over its capacities is cut 2 : 2, one 2.6× over 1 : 2); the first
// region on a path at most SEARCH_LOAD× over tries a cut on every axis and keeps the cheapest plan
// (cost: input and output rows the tiles handle, halos included, plus one weight stream per tile).
// Tiles are 2-D / 3-D boxes sized from the actual point density, so a cloud whose x-columns are
// dense still tiles (x-slabs, before issue 13, recomputed 17–60 % extra rows on the bunny and could
// not tile the LiDAR scan on small presets).
import type { AcceleratorSpec } from '../dsl/spec.ts';
import { convOutputCoords } from './downsample.ts';
import { kernelAxisOffsets, kernelOffsets } from './kernel.ts';
import { layerStats } from './stats.ts';
import { channelsPerPass } from './sparsity.ts';
import type { Coord, LayerShape } from './types.ts';
import { axisShift, planRebase, rebaseAlignment, shiftCoords, type Rebase } from './rebase.ts';

export interface TileLayer {
  layer: LayerShape;
  /** Canonical input coordinates of the whole layer. */
  inCoords: Coord[];
  /** Canonical output coordinates of the whole layer. */
  outCoords: Coord[];
}

export interface Tile {
  /** Canonical input rows of the layer the tile streams (ascending). */
  inRows: number[];
  /** Core: canonical output rows of the layer this tile owns (ascending). */
  outRows: number[];
  /** The output coordinates the hardware produces for this tile (canonical). */
  hwOut: Coord[];
  /** Index in hwOut of each core output (parallel to outRows, ascending). */
  coreAt: number[];
  /**
   * Output-channel group [lo, hi) this run computes (a multiple of matrix.cols wide, the last one
   * clipped); absent: every output channel. Set only when one output's neighbourhood times the
   * layer's cout tiles exceeds the accumulator buffer (see planTiles).
   */
  outChannels?: [number, number];
  /**
   * The tile's own translation into the coordinate range (model/rebase.ts), when the layer as a
   * whole cannot be re-based (rebaseTiles): inputs and hardware outputs move by it on the way in,
   * the outputs back on the way out.
   */
  rebase?: Rebase;
  /**
   * Core-only tile of an odd-k submanifold layer (TileLimits.coreOnly): the hardware runs it as a
   * stride-1 transposed layer whose given outputs are the core (hwOut = the core's coordinates)
   * with the kernel mirrored (W'[i] = W[K−1−i]: δ_{K−1−i} = −δ_i), which is the same sum over the
   * same inputs (DESIGN.md §1), so no halo output is computed. Absent: the tile runs as the layer.
   */
  coreOnly?: boolean;
}

export interface TileLimits {
  coordDepth: number;
  featureDepth: number;
  accumulatorDepth: number;
  /** Map entries per bank, and banks. */
  bankDepth: number;
  lanes: number;
  rows: number;
  cols: number;
  /** Largest input points per tile (tests force tiling with it). */
  maxPoints?: number;
  /** false: skip the map-entry estimate (tests: let the hardware report MAP_OVERFLOW). */
  mapEstimate?: boolean;
  /**
   * Signed coordinate bits (mapping.coordWidth): each batch's inputs and hardware outputs of a tile
   * must fit after a translation by a multiple of the layer's coarsest tensor stride.
   */
  coordWidth?: number;
  /**
   * Tile odd-k submanifold layers core-only (Tile.coreOnly): the accelerator must run stride-1
   * transposed layers of that kernel size (coreOnlyAllowed). Default false: each tile computes
   * every point it streams, halo included.
   */
  coreOnly?: boolean;
}

/** Whether `spec` can run a tile of `layer` core-only (a stride-1 transposed layer of the same kernel). */
export function coreOnlyAllowed(spec: AcceleratorSpec, layer: LayerShape): boolean {
  // k = 1 has no halo: nothing to save, and the core's coordinates would be streamed twice.
  return layer.type === 'submanifold' && layer.kernelSize % 2 === 1 && layer.kernelSize > 1 &&
    spec.mapping.layerTypes.includes('transposed') && layer.kernelSize <= spec.mapping.maxKernelSize;
}

/** The layer a core-only tile runs (stride-1 transposed, same kernel, channels and tensor stride). */
export function coreOnlyLayer(layer: LayerShape): LayerShape {
  return { ...layer, type: 'transposed', stride: 1 };
}

/** W'[i] = W[K−1−i]: the kernel of a core-only tile (odd k: the offset of K−1−i is −δ_i). */
export function mirrorKernel<T>(weights: T[]): T[] {
  return [...weights].reverse();
}

export function tileLimits(spec: AcceleratorSpec, maxPoints?: number, mapEstimate = true): TileLimits {
  return {
    coordDepth: spec.buffers.coordDepth,
    featureDepth: spec.buffers.featureDepth,
    accumulatorDepth: spec.buffers.accumulatorDepth,
    bankDepth: Math.floor(spec.buffers.mapDepth / spec.mapping.lanes),
    lanes: spec.mapping.lanes,
    rows: channelsPerPass(spec.matrix),
    cols: spec.matrix.cols,
    maxPoints,
    mapEstimate,
    coordWidth: spec.mapping.coordWidth,
  };
}

/**
 * Whether a run's coordinates fit `coordWidth` bits after an aligned translation per batch:
 * the largest extent ÷ range (load) and, when not, why.
 */
function extentCheck(layer: LayerShape, tileIn: Coord[], hwOut: Coord[], coordWidth: number): { load: number; why: string } {
  const align = rebaseAlignment(layer);
  const lo = -(2 ** (coordWidth - 1));
  const hi = 2 ** (coordWidth - 1) - 1;
  const boxes = new Map<number, number[]>();
  for (const list of [tileIn, hwOut]) {
    for (const p of list) {
      let b = boxes.get(p[0]);
      if (b === undefined) boxes.set(p[0], (b = [Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity]));
      for (let a = 0; a < 3; a++) {
        if (p[a + 1]! < b[a]!) b[a] = p[a + 1]!;
        if (p[a + 1]! > b[a + 3]!) b[a + 3] = p[a + 1]!;
      }
    }
  }
  let load = 0;
  let why = '';
  for (const [batch, b] of boxes) {
    for (let a = 0; a < 3; a++) {
      const fits = axisShift(b[a]!, b[a + 3]!, lo, hi, align) !== undefined;
      const ratio = (b[a + 3]! - b[a]! + 1) / (hi - lo + 1);
      load = Math.max(load, fits ? Math.min(ratio, 1) : Math.max(ratio, 1.01));
      if (!fits && why === '') {
        why = `batch ${batch}: ${'xyz'[a]} extent ${b[a + 3]! - b[a]!} (inputs and outputs${align > 1 ? `, aligned to tensor stride ${align}` : ''}) > the ${coordWidth}-bit coordinates (mapping.coordWidth) even re-based`;
      }
    }
  }
  return { load, why };
}

/**
 * Give each tile its own translation into the `coordWidth`-bit range (for a layer whose batches
 * cannot be re-based as a whole; the planner, given the coordWidth limit, made every tile fit).
 */
export function rebaseTiles(t: TileLayer, tiles: Tile[], coordWidth: number): Tile[] {
  return tiles.map((tile) => {
    const tin = tileInputs(t.inCoords, tile);
    const given = t.layer.type === 'transposed' || tile.coreOnly === true;
    return { ...tile, rebase: planRebase(given ? { ...t.layer, type: 'transposed', stride: 1 } as LayerShape : t.layer, tin, given ? tile.hwOut : undefined, coordWidth) };
  });
}

/** A tile's run as the hardware sees its coordinates: inputs and hardware outputs, moved by the tile's own re-basing. */
export function tileRunCoords(inCoords: Coord[], tile: Tile): { inCoords: Coord[]; outCoords: Coord[] } {
  const tin = tileInputs(inCoords, tile);
  if (tile.rebase === undefined) return { inCoords: tin, outCoords: tile.hwOut };
  return { inCoords: shiftCoords(tin, tile.rebase, 1), outCoords: shiftCoords(tile.hwOut, tile.rebase, 1) };
}

/** Whether the layer's batches can be re-based as a whole (else each tile is: rebaseTiles). */
export function rebasesWhole(t: TileLayer, coordWidth: number): boolean {
  try {
    planRebase(t.layer, t.inCoords, t.layer.type === 'transposed' ? t.outCoords : undefined, coordWidth);
    return true;
  } catch {
    return false;
  }
}

/** The input coordinates a tile streams (canonical). */
export function tileInputs<T>(all: T[], tile: Tile): T[] {
  return tile.inRows.map((i) => all[i]!);
}

/** Reach [lo, hi] (coordinate units, the same on x, y and z) from an output to the inputs it needs. */
export function inputReach(layer: LayerShape): [number, number] {
  const axis = kernelAxisOffsets(layer.kernelSize);
  const dmin = axis[0]!;
  const dmax = axis[axis.length - 1]!;
  const ts = layer.inTensorStride;
  if (layer.type === 'submanifold') return [dmin * ts, dmax * ts];
  if (layer.type === 'conv') return [Math.min(dmin * ts, 0), Math.max(dmax * ts, ts * layer.stride - 1)];
  const tsOut = ts / layer.stride;
  return [-dmax * tsOut + 0, -dmin * tsOut + 0];
}

/** Map slots a bank may have to hold (stored entries: the centre of a fused layer and mirrors are not stored twice). */
export function mapSlotEstimate(layer: LayerShape, inCoords: Coord[], hwOut: Coord[], lanes: number): { total: number; perBank: number; entries: number } {
  const { type, kernelSize: k } = layer;
  const c = {
    layer: { ...layer, inChannels: 1, outChannels: 1 },
    input: { coords: inCoords, features: inCoords.map(() => [0]) },
    weights: Array.from({ length: k ** 3 }, () => [[0]]),
    ...(type === 'transposed' ? { outputCoords: hwOut } : {}),
  };
  const per = (type === 'submanifold' ? submanifoldEntries(inCoords, k, layer.inTensorStride) : undefined) ?? layerStats(c).mapEntriesPerOffset;
  const fused = type === 'submanifold' && k % 2 === 1;
  const stored = fused ? per.slice(0, (per.length - 1) / 2) : per;
  const total = stored.reduce((a, b) => a + b, 0);
  const segments = lanes === 1 ? 1 : 2 ** Math.ceil(Math.log2(lanes));
  const biggestJob = Math.max(0, ...stored.map((e) => Math.ceil(e / segments)));
  return { total, perBank: Math.ceil((total / lanes) * 1.25) + biggestJob, entries: per.reduce((a, b) => a + b, 0) };
}

/**
 * Map entries per kernel index of a submanifold layer (outputs = inputs): for offset δ_i, the
 * points p with p + δ_i in the cloud — layerStats' figures without building the map (the planner
 * asks for many tiles). undefined when the packed keys would not stay exact doubles.
 */
export function submanifoldEntries(coords: Coord[], k: number, ts: number): number[] | undefined {
  if (coords.length === 0) return new Array<number>(k ** 3).fill(0);
  const [lo, hi] = bbox(coords, coords.map((_, i) => i));
  const pad = k * ts;
  const dims = [1, 2, 3].map((a) => hi[a]! - lo[a]! + 1 + 2 * pad);
  const nb = hi[0]! - lo[0]! + 1;
  if (nb * dims[0]! * dims[1]! * dims[2]! > 2 ** 52) return undefined;
  const [dx, dy, dz] = dims as [number, number, number];
  const keys = new Float64Array(coords.length);
  const present = new Set<number>();
  coords.forEach((c, i) => {
    keys[i] = (((c[0] - lo[0]!) * dx + (c[1] - lo[1]! + pad)) * dy + (c[2] - lo[2]! + pad)) * dz + (c[3] - lo[3]! + pad);
    present.add(keys[i]!);
  });
  const offsets = kernelOffsets(k, ts);
  const K = offsets.length;
  const per = new Array<number>(K).fill(0);
  // Odd kernels: offsets come in mirror pairs i ↔ K−1−i (δ and −δ) with equal counts.
  const odd = k % 2 === 1;
  for (let i = 0; i < (odd ? Math.ceil(K / 2) : K); i++) {
    const [ox, oy, oz] = offsets[i]!;
    const d = (ox * dy + oy) * dz + oz;
    let n = 0;
    for (let j = 0; j < keys.length; j++) if (present.has(keys[j]! + d)) n++;
    per[i] = n;
    if (odd) per[K - 1 - i] = n;
  }
  return per;
}

/** mapSlotEstimate's perBank if every output had an entry at every stored offset (an upper bound). */
function mapBound(layer: LayerShape, nIn: number, nOut: number, lanes: number): number {
  const k = layer.kernelSize;
  const stored = layer.type === 'submanifold' && k % 2 === 1 ? (k ** 3 - 1) / 2 : k ** 3;
  const perOffset = Math.min(nIn, nOut);
  const segments = lanes === 1 ? 1 : 2 ** Math.ceil(Math.log2(lanes));
  return Math.ceil(((perOffset * stored) / lanes) * 1.25) + Math.ceil(perOffset / segments);
}

function cmpCoord(a: Coord, b: Coord): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || a[3] - b[3];
}

/** First index i in sorted `coords` with (b, x) ≥ key (or > key when `after`). */
function lowerBoundBx(coords: Coord[], b: number, x: number, after: boolean): number {
  let lo = 0;
  let hi = coords.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    const c = coords[m]!;
    const d = c[0] - b || c[1] - x;
    if (d < 0 || (after && d === 0)) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/** Bounding box [lo, hi] over (b, x, y, z) of the given rows of `coords`. */
function bbox(coords: Coord[], rows: number[]): [number[], number[]] {
  const lo = [Infinity, Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity, -Infinity];
  for (const r of rows) {
    const c = coords[r]!;
    for (let a = 0; a < 4; a++) {
      if (c[a]! < lo[a]!) lo[a] = c[a]!;
      if (c[a]! > hi[a]!) hi[a] = c[a]!;
    }
  }
  return [lo, hi];
}

/**
 * Input rows inside the box of `core`'s outputs widened by the reach (same batch range); only
 * rows of `within` (ascending) when given: a sub-core's inputs are among its parent's.
 */
/** First index of ascending `a` whose value is ≥ v. */
function firstAtLeast(a: readonly number[], v: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (a[m]! < v) lo = m + 1;
    else hi = m;
  }
  return lo;
}

function haloRows(t: TileLayer, reach: [number, number], core: number[], within?: number[]): number[] {
  const [lo, hi] = bbox(t.outCoords, core);
  const [rlo, rhi] = reach;
  const from = lowerBoundBx(t.inCoords, lo[0]!, lo[1]! + rlo, false);
  const to = lowerBoundBx(t.inCoords, hi[0]!, hi[1]! + rhi, true);
  const out: number[] = [];
  // `within` is ascending: only its rows in [from, to) can be inside
  let k0 = 0, n = to - from;
  if (within !== undefined) {
    k0 = firstAtLeast(within, from);
    n = firstAtLeast(within, to);
  }
  for (let k = k0; k < n; k++) {
    const i = within === undefined ? from + k : within[k]!;
    const c = t.inCoords[i]!;
    if (c[1] < lo[1]! + rlo || c[1] > hi[1]! + rhi) continue;
    if (c[2] < lo[2]! + rlo || c[2] > hi[2]! + rhi) continue;
    if (c[3] < lo[3]! + rlo || c[3] > hi[3]! + rhi) continue;
    out.push(i);
  }
  return out;
}

interface Candidate extends Tile {
  fits: boolean;
  why: string;
  /** Largest used ÷ available over the capacities (> 1: does not fit). */
  load: number;
  /** Planning cost: input and output rows the tile handles, halos included. */
  cost: number;
}

function candidate(t: TileLayer, lim: TileLimits, core: number[], whole = false, within?: number[], halo?: number[]): Candidate {
  const { inCoords, outCoords } = t;
  const coreOnly = !whole && lim.coreOnly === true && t.layer.type === 'submanifold' && t.layer.kernelSize % 2 === 1 && t.layer.kernelSize > 1;
  // A core-only tile is planned (capacities, map estimate) as the transposed layer it runs.
  const layer = coreOnly ? coreOnlyLayer(t.layer) : t.layer;
  const inRows = whole ? inCoords.map((_, i) => i) : (halo ?? haloRows(t, inputReach(t.layer), core, within));
  const tileIn = tileInputs(inCoords, { inRows } as Tile);
  let hwOut: Coord[];
  if (whole) hwOut = outCoords;
  else if (coreOnly) hwOut = core.map((q) => outCoords[q]!);
  else if (layer.type === 'submanifold') hwOut = tileIn;
  else if (layer.type === 'conv') hwOut = convOutputCoords(tileIn, layer.inTensorStride * layer.stride);
  else hwOut = core.map((q) => outCoords[q]!);
  const coreAt: number[] = [];
  if (whole || layer.type === 'transposed') for (let i = 0; i < core.length; i++) coreAt.push(i);
  else {
    let h = 0;
    for (const q of core) {
      const want = outCoords[q]!;
      while (h < hwOut.length && cmpCoord(hwOut[h]!, want) < 0) h++;
      coreAt.push(h);
    }
  }
  const ti = Math.ceil(layer.inChannels / lim.rows);
  const to = Math.ceil(layer.outChannels / lim.cols);
  const nIn = tileIn.length;
  const nOut = hwOut.length;
  const checks: [number, number, string][] = [
    [nIn, lim.maxPoints ?? Infinity, `${nIn} input points > the tile limit ${lim.maxPoints}`],
    [nIn, lim.coordDepth, `${nIn} input points > buffers.coordDepth ${lim.coordDepth}`],
    [nOut, lim.coordDepth, `${nOut} output points > buffers.coordDepth ${lim.coordDepth}`],
    [nIn * ti, lim.featureDepth, `${nIn}·${ti} feature words > buffers.featureDepth ${lim.featureDepth}`],
    [nOut * to, lim.accumulatorDepth, `${nOut}·${to} accumulator words > buffers.accumulatorDepth ${lim.accumulatorDepth}`],
  ];
  let why = checks.find(([used, cap]) => used > cap)?.[2] ?? '';
  let load = Math.max(...checks.map(([used, cap]) => used / cap));
  if (lim.coordWidth !== undefined) {
    const ext = extentCheck(layer, tileIn, hwOut, lim.coordWidth);
    load = Math.max(load, ext.load);
    if (why === '') why = ext.why;
  }
  // The map estimate builds the tile's map: only when its upper bound (every output has an entry
  // at every stored offset) could overflow a bank.
  if (why === '' && lim.mapEstimate !== false && mapBound(layer, nIn, nOut, lim.lanes) > lim.bankDepth) {
    const est = mapSlotEstimate(layer, tileIn, hwOut, lim.lanes);
    load = Math.max(load, est.perBank / lim.bankDepth);
    if (est.perBank > lim.bankDepth) why = `≈${est.perBank} map entries per bank > ${lim.bankDepth} (buffers.mapDepth / lanes)`;
  }
  return { inRows, outRows: core, hwOut, coreAt, ...(coreOnly ? { coreOnly } : {}), fits: why === '', why, load, cost: nIn + nOut };
}

export class TilingError extends Error {}

const range = (lo: number, hi: number): number[] => Array.from({ length: hi - lo }, (_, i) => lo + i);

/** Planning cost of a plan: its tiles' costs plus one weight stream (K·rows beats per channel-tile pair) per tile. */
function planCost(t: TileLayer, lim: TileLimits, tiles: Candidate[]): number {
  const perTile = t.layer.kernelSize ** 3 * lim.rows;
  return tiles.reduce((a, c) => a + c.cost + perTile, 0);
}

/**
 * Cut the layer into tiles that fit: one tile when the whole layer fits, else boxes by recursive
 * bisection. Every output row is in exactly one tile's core.
 */
export function planTiles(t: TileLayer, lim: TileLimits): Tile[] {
  const nOut = t.outCoords.length;
  if (nOut === 0) return [{ inRows: range(0, t.inCoords.length), outRows: [], hwOut: [], coreAt: [] }];
  try {
    return planBoxes(t, lim);
  } catch (e) {
    if (!(e instanceof TilingError)) throw e;
    return planChannelGroups(t, lim, e);
  }
}

function planBoxes(t: TileLayer, lim: TileLimits): Tile[] {
  const whole = candidate(t, lim, range(0, t.outCoords.length), true);
  if (whole.fits) return [strip(whole)];
  return planBoxCandidates(t, lim).map(strip);
}

/**
 * Output-channel groups: only when no box plan exists (one output's neighbourhood does not fit).
 * Output channels are independent (weights, bias and requantization per channel), so each group
 * of whole cout tiles runs as its own hardware layer over the same boxes, bit-exact by
 * construction. The fewest groups whose box plan fits; every group uses the same spatial tiles
 * (planned for the widest group), groups outermost.
 */
function planChannelGroups(t: TileLayer, lim: TileLimits, first: TilingError): Tile[] {
  const cout = t.layer.outChannels;
  const tiles = Math.ceil(cout / lim.cols);
  let last = first;
  for (let g = 2; g <= tiles; g++) {
    const width = Math.ceil(tiles / g) * lim.cols;
    if (g > 2 && width === Math.ceil(tiles / (g - 1)) * lim.cols) continue;
    const sub: TileLayer = { ...t, layer: { ...t.layer, outChannels: width } };
    let boxes: Tile[];
    try {
      boxes = planBoxes(sub, lim);
    } catch (e) {
      if (!(e instanceof TilingError)) throw e;
      last = e;
      continue;
    }
    const out: Tile[] = [];
    for (let lo = 0; lo < cout; lo += width) for (const b of boxes) out.push({ ...b, outChannels: [lo, Math.min(cout, lo + width)] });
    return out;
  }
  throw last;
}

/** Output channels a tile's run computes. */
export function tileOutChannels(layer: Pick<LayerShape, 'outChannels'>, tile: Pick<Tile, 'outChannels'>): number {
  return tile.outChannels === undefined ? layer.outChannels : tile.outChannels[1] - tile.outChannels[0];
}

// The first region on a path whose load is at most this tries a cut on every axis (its halves
// are planned greedily) and keeps the cheapest plan; larger regions pick the axis from the halo of
// one cut.
const SEARCH_LOAD = 4;

function planBoxCandidates(t: TileLayer, lim: TileLimits): Candidate[] {
  const reach = inputReach(t.layer);
  const halos = new Map<number[], number[]>();
  const rec = (core: number[], within?: number[], search = true): Candidate[] => {
    const c = candidate(t, lim, core, false, within, halos.get(core));
    halos.delete(core);
    // (the halo of the cut picked is the next level's input rows: kept for its candidate)
    const haloOf = (rows: number[]): number => {
      const h = haloRows(t, reach, rows, c.inRows);
      halos.set(rows, h);
      return h.length;
    };
    if (c.fits) return [c];
    if (core.length === 1) throw new TilingError(`output point ${core[0]} alone does not fit on chip: ${c.why}`);
    const parts = Math.max(2, Math.ceil(c.load));
    const cuts = cutOptions(t, core, Math.floor(parts / 2) / parts);
    if (cuts.batch !== undefined) return [...rec(cuts.batch[0], c.inRows, search), ...rec(cuts.batch[1], c.inRows, search)];
    if (cuts.spatial.length === 0) throw new TilingError(`output point ${core[0]} alone does not fit on chip: ${c.why}`);
    if (search && c.load <= SEARCH_LOAD && cuts.spatial.length > 1) {
      let best: Candidate[] | undefined;
      let bestCost = Infinity;
      for (const [l, r] of cuts.spatial) {
        const plan = [...rec(l, c.inRows, false), ...rec(r, c.inRows, false)];
        const cost = planCost(t, lim, plan);
        if (cost < bestCost) [best, bestCost] = [plan, cost];
      }
      return best!;
    }
    let pick = cuts.spatial[0]!;
    let pickHalo = Infinity;
    for (const cut of cuts.spatial) {
      const h = haloOf(cut[0]) + haloOf(cut[1]);
      if (h < pickHalo) [pick, pickHalo] = [cut, h];
    }
    for (const cut of cuts.spatial) if (cut !== pick) { halos.delete(cut[0]); halos.delete(cut[1]); }
    return [...rec(pick[0], c.inRows, search), ...rec(pick[1], c.inRows, search)];
  };
  return rec(range(0, t.outCoords.length));
}

/**
 * Ways to cut a core in two between distinct coordinate values: at a batch boundary when the core
 * spans batches (no halo), else one cut per spatial axis with more than one value, each near
 * `frac` of the points. Both halves keep canonical order.
 */
function cutOptions(t: TileLayer, core: number[], frac: number): { batch?: [number[], number[]]; spatial: [number[], number[]][] } {
  const coords = t.outCoords;
  const at = (axis: number): [number[], number[]] | undefined => {
    const n = core.length;
    const vals = new Float64Array(n);
    for (let i = 0; i < n; i++) vals[i] = coords[core[i]!]![axis]!;
    const target = Math.min(n - 1, Math.max(1, Math.round(n * frac)));
    // The value v at the target's sorted position; the nearest boundaries (sorted positions where
    // the value changes) are where v's run starts (below) and ends (above); ties go below.
    const v = nthSmallest(vals, target);
    let below = 0;
    let upto = 0;
    for (let i = 0; i < n; i++) {
      if (vals[i]! < v) below++;
      if (vals[i]! <= v) upto++;
    }
    const lowOk = below >= 1;
    const highOk = upto <= n - 1;
    if (!lowOk && !highOk) return undefined;
    const useLow = lowOk && (!highOk || target - below <= upto - target);
    const left: number[] = [];
    const right: number[] = [];
    for (const q of core) ((useLow ? coords[q]![axis]! < v : coords[q]![axis]! <= v) ? left : right).push(q);
    return [left, right];
  };
  const batch = at(0);
  if (batch !== undefined) return { batch, spatial: [] };
  const spatial: [number[], number[]][] = [];
  for (const axis of [1, 2, 3]) {
    const cut = at(axis);
    if (cut !== undefined) spatial.push(cut);
  }
  return { spatial };
}

/** The k-th smallest value (0-based) of `a` (reorders `a`): quickselect. */
function nthSmallest(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/** Split a tile's core in two (after a map-buffer overflow the estimate did not foresee). */
export function splitTile(t: TileLayer, lim0: TileLimits, tile: Tile): Tile[] {
  // The halves are planned as the tile was (core-only or not).
  const lim = { ...lim0, coreOnly: tile.coreOnly === true };
  if (tile.outChannels !== undefined) {
    const sub: TileLayer = { ...t, layer: { ...t.layer, outChannels: tile.outChannels[1] - tile.outChannels[0] } };
    return splitTile(sub, lim, { ...tile, outChannels: undefined }).map((h) => ({ ...h, outChannels: tile.outChannels }));
  }
  if (tile.rebase !== undefined) {
    const cw = tile.rebase.coordWidth;
    return rebaseTiles(t, splitTile(t, lim, { ...tile, rebase: undefined }), cw);
  }
  if (tile.outRows.length < 2) throw new TilingError(`output point ${tile.outRows[0]} alone overflows the map buffer`);
  const cuts = cutOptions(t, tile.outRows, 0.5);
  const reach = inputReach(t.layer);
  let pick = cuts.batch;
  let pickHalo = Infinity;
  for (const cut of pick === undefined ? cuts.spatial : []) {
    const h = haloRows(t, reach, cut[0]).length + haloRows(t, reach, cut[1]).length;
    if (h < pickHalo) [pick, pickHalo] = [cut, h];
  }
  if (pick === undefined) throw new TilingError(`output point ${tile.outRows[0]} alone overflows the map buffer`);
  return [strip(candidate(t, lim, pick[0])), strip(candidate(t, lim, pick[1]))];
}

function strip(c: Candidate): Tile {
  return { inRows: c.inRows, outRows: c.outRows, hwOut: c.hwOut, coreAt: c.coreAt, ...(c.coreOnly ? { coreOnly: true } : {}) };
}
