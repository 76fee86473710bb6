// Host-side tiling (docs/accelerator.md, "Clouds larger than the buffers"): a layer whose points,
// features, accumulators or kernel map do not fit on chip is cut into x-slab tiles. Each tile
// is a contiguous range of the canonical output list (the *core*) plus every input point the
// core needs (its halo): with canonical (b, x, y, z) order the inputs whose (b, x) lies in a
// range form a contiguous range too. The hardware runs the tile as an ordinary layer; only the
// core's outputs are kept (a submanifold or conv tile also produces outputs around the core,
// computed from an incomplete neighbourhood: they belong to the neighbouring tiles).
import type { AcceleratorSpec } from '../dsl/spec.ts';
import { convOutputCoords } from './downsample.ts';
import { kernelAxisOffsets } from './kernel.ts';
import { layerStats } from './stats.ts';
import { channelsPerPass } from './sparsity.ts';
import type { Coord, LayerShape } from './types.ts';

export interface TileLayer {
  layer: LayerShape;
  /** Canonical input coordinates of the whole layer. */
  inCoords: Coord[];
  /** Canonical output coordinates of the whole layer. */
  outCoords: Coord[];
}

export interface Tile {
  /** Canonical input rows [inLo, inHi) of the layer. */
  inLo: number;
  inHi: number;
  /** Core: canonical output rows [outLo, outHi) of the layer. */
  outLo: number;
  outHi: number;
  /** The output coordinates the hardware produces for this tile (canonical). */
  hwOut: Coord[];
  /** Index in hwOut of the core's first output. */
  coreOffset: number;
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
  };
}

function bx(c: Coord): [number, number] {
  return [c[0], c[1]];
}

function cmpBx(a: [number, number], b: [number, number]): number {
  return a[0] !== b[0] ? a[0] - b[0] : a[1] - b[1];
}

/** First index i in sorted `coords` with (b, x) ≥ key (or > key when `after`). */
function lowerBound(coords: Coord[], key: [number, number], after: boolean): number {
  let lo = 0;
  let hi = coords.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    const c = cmpBx(bx(coords[m]!), key);
    if (c < 0 || (after && c === 0)) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/** x-reach [lo, hi] (coordinate units) from an output to the inputs it needs. */
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

interface Candidate extends Tile {
  fits: boolean;
  why: string;
}

/** Map slots a bank may have to hold (stored entries: the centre of a fused layer and mirrors are not stored twice). */
export function mapSlotEstimate(layer: LayerShape, inCoords: Coord[], hwOut: Coord[], lanes: number): { total: number; perBank: number } {
  const { type, kernelSize: k } = layer;
  const c = {
    layer: { ...layer, inChannels: 1, outChannels: 1 },
    input: { coords: inCoords, features: inCoords.map(() => [0]) },
    weights: Array.from({ length: k ** 3 }, () => [[0]]),
    ...(type === 'transposed' ? { outputCoords: hwOut } : {}),
  };
  const per = layerStats(c).mapEntriesPerOffset;
  const fused = type === 'submanifold' && k % 2 === 1;
  const stored = fused ? per.slice(0, (per.length - 1) / 2) : per;
  const total = stored.reduce((a, b) => a + b, 0);
  const segments = lanes === 1 ? 1 : 2 ** Math.ceil(Math.log2(lanes));
  const biggestJob = Math.max(0, ...stored.map((e) => Math.ceil(e / segments)));
  return { total, perBank: Math.ceil((total / lanes) * 1.25) + biggestJob };
}

function candidate(t: TileLayer, lim: TileLimits, outLo: number, outHi: number, whole = false): Candidate {
  const { layer, inCoords, outCoords } = t;
  const [rlo, rhi] = inputReach(layer);
  const first = outCoords[outLo]!;
  const last = outCoords[outHi - 1]!;
  const inLo = whole ? 0 : lowerBound(inCoords, [first[0], first[1] + rlo], false);
  const inHi = whole ? inCoords.length : lowerBound(inCoords, [last[0], last[1] + rhi], true);
  const tileIn = inCoords.slice(inLo, inHi);
  let hwOut: Coord[];
  if (whole) hwOut = outCoords;
  else if (layer.type === 'submanifold') hwOut = tileIn;
  else if (layer.type === 'conv') hwOut = convOutputCoords(tileIn, layer.inTensorStride * layer.stride);
  else hwOut = outCoords.slice(outLo, outHi);
  const coreOffset = whole ? 0 : layer.type === 'submanifold' ? outLo - inLo : lowerBoundCoord(hwOut, first);
  const ti = Math.ceil(layer.inChannels / lim.rows);
  const to = Math.ceil(layer.outChannels / lim.cols);
  const nIn = tileIn.length;
  const nOut = hwOut.length;
  let why = '';
  if (lim.maxPoints !== undefined && nIn > lim.maxPoints) why = `${nIn} input points > the tile limit ${lim.maxPoints}`;
  else if (nIn > lim.coordDepth) why = `${nIn} input points > buffers.coordDepth ${lim.coordDepth}`;
  else if (nOut > lim.coordDepth) why = `${nOut} output points > buffers.coordDepth ${lim.coordDepth}`;
  else if (nIn * ti > lim.featureDepth) why = `${nIn}·${ti} feature words > buffers.featureDepth ${lim.featureDepth}`;
  else if (nOut * to > lim.accumulatorDepth) why = `${nOut}·${to} accumulator words > buffers.accumulatorDepth ${lim.accumulatorDepth}`;
  else if (lim.mapEstimate !== false) {
    const est = mapSlotEstimate(layer, tileIn, hwOut, lim.lanes);
    if (est.perBank > lim.bankDepth) why = `≈${est.perBank} map entries per bank > ${lim.bankDepth} (buffers.mapDepth / lanes)`;
  }
  return { inLo, inHi, outLo, outHi, hwOut, coreOffset, fits: why === '', why };
}

function lowerBoundCoord(coords: Coord[], key: Coord): number {
  let lo = 0;
  let hi = coords.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    const c = coords[m]!;
    const d = c[0] - key[0] || c[1] - key[1] || c[2] - key[2] || c[3] - key[3];
    if (d < 0) lo = m + 1;
    else hi = m;
  }
  return lo;
}

export class TilingError extends Error {}

/**
 * Cut the layer into tiles that fit. One tile when the whole layer fits. Cores grow greedily
 * (binary search on their end) and are then cut back to an x-column boundary when possible.
 */
export function planTiles(t: TileLayer, lim: TileLimits): Tile[] {
  const nOut = t.outCoords.length;
  if (nOut === 0) {
    return [{ inLo: 0, inHi: t.inCoords.length, outLo: 0, outHi: 0, hwOut: [], coreOffset: 0 }];
  }
  const whole = candidate(t, lim, 0, nOut, true);
  if (whole.fits) return [strip(whole)];
  const tiles: Tile[] = [];
  let q0 = 0;
  while (q0 < nOut) {
    const one = candidate(t, lim, q0, q0 + 1);
    if (!one.fits) throw new TilingError(`output point ${q0} alone does not fit on chip: ${one.why}`);
    let lo = q0 + 1;
    let hi = nOut;
    while (lo < hi) {
      const m = (lo + hi + 1) >> 1;
      if (candidate(t, lim, q0, m).fits) lo = m;
      else hi = m - 1;
    }
    let q1 = lo;
    if (q1 < nOut) {
      // Prefer a slab boundary: cut before the x-column that q1 starts in, if the core keeps one.
      const key = bx(t.outCoords[q1]!);
      const colStart = lowerBound(t.outCoords, key, false);
      if (colStart > q0) q1 = colStart;
    }
    tiles.push(strip(candidate(t, lim, q0, q1)));
    q0 = q1;
  }
  return tiles;
}

/** Split a tile's core in two (after a map-buffer overflow the estimate did not foresee). */
export function splitTile(t: TileLayer, lim: TileLimits, tile: Tile): Tile[] {
  if (tile.outHi - tile.outLo < 2) throw new TilingError(`output point ${tile.outLo} alone overflows the map buffer`);
  const mid = (tile.outLo + tile.outHi) >> 1;
  return [strip(candidate(t, lim, tile.outLo, mid)), strip(candidate(t, lim, mid, tile.outHi))];
}

function strip(c: Candidate): Tile {
  return { inLo: c.inLo, inHi: c.inHi, outLo: c.outLo, outHi: c.outHi, hwOut: c.hwOut, coreOffset: c.coreOffset };
}

