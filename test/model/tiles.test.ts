// The host driver's tile planner (generator/model/tiles.ts), without the RTL: for every layer type
// (submanifold k = 1 / 3 at tensor strides 1 and 2, conv k = 2 s = 2 and k = 3 s = 2, transposed
// k = 2 s = 2) on random multi-batch clouds,
//  - the tiles' cores own every output exactly once, each core output sits where coreAt says in
//    the tile's hardware outputs, and those are what the hardware produces from the tile's inputs;
//  - every input the golden kernel map pairs with a core output is among the tile's inputs;
//  - every tile fits every capacity (coordinate buffer for inputs and outputs, feature words per
//    cin tile, accumulator words per cout tile, map entries per bank, the forced tile limit);
//  - each capacity at its edge: the whole layer's need one below (tiles, or a refusal), at and one
//    past (one tile);
//  - a refusal names one output whose own neighbourhood, taken from the golden map independently
//    of the planner, exceeds the named capacity;
//  - clouds whose x-columns are too dense for x-slabs are cut in y and z;
//  - output-channel groups (one output's neighbourhood times the cout tiles over the accumulator
//    buffer) appear only when some output alone does not fit with every output channel, are whole
//    cout tiles, cover every channel once, and each group's tiles own every output once.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toCoords } from '../../generator/model/coord-columns.ts';
import { convOutputCoords } from '../../generator/model/downsample.ts';
import { planCoords } from '../../generator/model/layer-plan.ts';
import { runLayer } from '../../generator/model/layer.ts';
import { layerStats } from '../../generator/model/stats.ts';
import { compareCoords } from '../../generator/model/tensor.ts';
import { rebaseAlignment, shiftCoords } from '../../generator/model/rebase.ts';
import { mapSlotEstimate, planTiles, rebasesWhole, rebaseTiles, splitTile, submanifoldEntries, tileInputs, TilingError, type Tile, type TileLayer, type TileLimits } from '../../generator/model/tiles.ts';
import type { Coord, LayerCase, LayerShape } from '../../generator/model/types.ts';
import { randomCloud, rng } from './prng.ts';

type Kind = 'sub3' | 'sub3ts2' | 'sub1' | 'conv2' | 'conv3' | 'trans2';
const KINDS: Kind[] = ['sub3', 'sub3ts2', 'sub1', 'conv2', 'conv3', 'trans2'];

interface Drawn {
  kind: Kind;
  n: number;
  batches: number;
  extent: number;
  cin: number;
  cout: number;
  seed: number;
}

/** A layer case on a random cloud, coordinates canonical; weights are not used by the planner. */
function makeCase(d: Drawn): { c: LayerCase; lay: TileLayer; pairs: [number, number][] } {
  const r = rng(d.seed);
  const shape: Record<Kind, Omit<LayerShape, 'inChannels' | 'outChannels'>> = {
    sub3: { type: 'submanifold', kernelSize: 3, stride: 1, inTensorStride: 1 },
    sub3ts2: { type: 'submanifold', kernelSize: 3, stride: 1, inTensorStride: 2 },
    sub1: { type: 'submanifold', kernelSize: 1, stride: 1, inTensorStride: 1 },
    conv2: { type: 'conv', kernelSize: 2, stride: 2, inTensorStride: 1 },
    conv3: { type: 'conv', kernelSize: 3, stride: 2, inTensorStride: 1 },
    trans2: { type: 'transposed', kernelSize: 2, stride: 2, inTensorStride: 2 },
  };
  const layer: LayerShape = { ...shape[d.kind], inChannels: d.cin, outChannels: d.cout };
  const ts = d.kind === 'sub3ts2' ? 2 : 1;
  const fine = randomCloud(r, d.n, { batches: d.batches, extent: d.extent, ts }).sort(compareCoords);
  const inCoords = layer.type === 'transposed' ? convOutputCoords(fine, 2) : fine;
  const k3 = layer.kernelSize ** 3;
  const c: LayerCase = {
    layer,
    input: { coords: inCoords, features: inCoords.map(() => Array.from({ length: d.cin }, () => 0)) },
    weights: Array.from({ length: k3 }, () => Array.from({ length: d.cin }, () => Array.from({ length: d.cout }, () => 0))),
    ...(layer.type === 'transposed' ? { outputCoords: fine } : {}),
  };
  const p = planCoords(c);
  const lay = { layer, inCoords: toCoords(p.inCols), outCoords: toCoords(p.outCols) };
  const pairs: [number, number][] = runLayer(c).map.pairs.flatMap((m) => Array.from(m.input, (i, e): [number, number] => [i, m.output[e]!]));
  return { c, lay, pairs };
}

const ti = (lay: TileLayer, lim: TileLimits) => Math.ceil(lay.layer.inChannels / lim.rows);
const to = (lay: TileLayer, lim: TileLimits, tile?: Tile) => Math.ceil((tile?.outChannels ? tile.outChannels[1] - tile.outChannels[0] : lay.layer.outChannels) / lim.cols);

/** What the hardware produces from the tile's inputs (submanifold: the inputs; conv: their cells; transposed: the given outputs). */
function hardwareOutputs(lay: TileLayer, tile: Tile): Coord[] {
  const tin = tileInputs(lay.inCoords, tile);
  if (lay.layer.type === 'submanifold') return tin;
  if (lay.layer.type === 'conv') return convOutputCoords(tin, lay.layer.inTensorStride * lay.layer.stride);
  return tile.hwOut;
}

/** Capacity violations of one run (inputs, hardware outputs); [] when it fits. */
function violations(lay: TileLayer, lim: TileLimits, tin: Coord[], hwOut: Coord[], tile?: Tile): string[] {
  const v: string[] = [];
  if (tin.length > (lim.maxPoints ?? Infinity)) v.push('tile limit');
  if (tin.length > lim.coordDepth || hwOut.length > lim.coordDepth) v.push('coordDepth');
  if (tin.length * ti(lay, lim) > lim.featureDepth) v.push('featureDepth');
  if (hwOut.length * to(lay, lim, tile) > lim.accumulatorDepth) v.push('accumulatorDepth');
  if (lim.mapEstimate !== false && mapSlotEstimate(lay.layer, tin, hwOut, lim.lanes).perBank > lim.bankDepth) v.push('mapDepth');
  if (lim.coordWidth !== undefined && !extentFits(lay, [...tin, ...hwOut], lim.coordWidth)) v.push('coordWidth');
  return v;
}

/** Every batch's coordinates fit coordWidth bits after some translation by a multiple of the layer's coarsest tensor stride (brute force over shifts). */
function extentFits(lay: TileLayer, coords: Coord[], cw: number): boolean {
  const lo = -(2 ** (cw - 1));
  const hi = 2 ** (cw - 1) - 1;
  const align = lay.layer.type === 'conv' ? lay.layer.inTensorStride * lay.layer.stride : lay.layer.inTensorStride;
  const batches = new Set(coords.map((p) => p[0]));
  for (const b of batches) {
    const pts = coords.filter((p) => p[0] === b);
    for (let a = 1; a < 4; a++) {
      const vs = pts.map((p) => p[a]!);
      const min = Math.min(...vs);
      const max = Math.max(...vs);
      let ok = false;
      for (let k = Math.floor((lo - max) / align) - 1; k <= Math.ceil((hi - min) / align) + 1 && !ok; k++) ok = min + k * align >= lo && max + k * align <= hi;
      if (!ok) return false;
    }
  }
  return true;
}

/** Every invariant of a plan; returns the number of tiles. */
function checkPlan(lay: TileLayer, lim: TileLimits, pairs: [number, number][], tiles: Tile[]): number {
  const groups = [...new Map(tiles.map((t) => [String(t.outChannels), t.outChannels])).values()];
  if (groups.length > 1 || groups[0] !== undefined) {
    // Channel groups: whole cout tiles, contiguous, covering [0, cout) once; only when some output
    // alone (its golden neighbourhood) does not fit with every output channel.
    const cout = lay.layer.outChannels;
    const ranges = groups.map((g) => g!).sort((a, b) => a[0] - b[0]);
    expect(ranges[0]![0]).toBe(0);
    expect(ranges[ranges.length - 1]![1]).toBe(cout);
    ranges.forEach((g, i) => {
      if (i > 0) expect(g[0]).toBe(ranges[i - 1]![1]);
      expect(g[0] % lim.cols).toBe(0);
      expect(g[1] > g[0]).toBe(true);
    });
    const alone = lay.outCoords.some((_, q) => violations(lay, lim, ...neighbourhood(lay, pairs, q)).length > 0);
    expect(alone, 'channel groups without an output that alone does not fit').toBe(true);
    for (const g of ranges) checkGroup(lay, lim, pairs, tiles.filter((t) => t.outChannels === undefined || (t.outChannels[0] === g[0] && t.outChannels[1] === g[1])));
    return tiles.length;
  }
  return checkGroup(lay, lim, pairs, tiles);
}

/** An output's own neighbourhood from the golden map: its inputs and the hardware outputs they give. */
function neighbourhood(lay: TileLayer, pairs: [number, number][], q: number): [Coord[], Coord[]] {
  const tin = pairs.filter(([, o]) => o === q).map(([i]) => i).sort((a, b) => a - b).map((i) => lay.inCoords[i]!);
  const { type, inTensorStride, stride } = lay.layer;
  return [tin, type === 'submanifold' ? tin : type === 'conv' ? convOutputCoords(tin, inTensorStride * stride) : [lay.outCoords[q]!]];
}

/** The invariants of the tiles of one channel group (or of an ungrouped plan). */
function checkGroup(lay: TileLayer, lim: TileLimits, pairs: [number, number][], tiles: Tile[]): number {
  const nOut = lay.outCoords.length;
  const owner = new Int32Array(nOut).fill(-1);
  const ascending = (a: number[]) => a.every((v, i) => i === 0 || a[i - 1]! < v);
  tiles.forEach((t, k) => {
    expect(ascending(t.inRows) && ascending(t.outRows) && ascending(t.coreAt)).toBe(true);
    expect(t.coreAt).toHaveLength(t.outRows.length);
    expect(t.hwOut).toEqual(hardwareOutputs(lay, t));
    t.outRows.forEach((q, i) => {
      expect(owner[q], `output ${q} owned twice`).toBe(-1);
      owner[q] = k;
      expect(t.hwOut[t.coreAt[i]!]).toEqual(lay.outCoords[q]);
    });
    expect(violations(lay, lim, tileInputs(lay.inCoords, t), t.hwOut, t), `tile ${k}`).toEqual([]);
  });
  expect(owner.every((o) => o >= 0), 'every output owned').toBe(true);
  const inSets = tiles.map((t) => new Set(t.inRows));
  for (const [i, q] of pairs) expect(inSets[owner[q]!]!.has(i), `input ${i} of output ${q}`).toBe(true);
  return tiles.length;
}

/** A refusal names an output whose own exact neighbourhood (golden map) violates a capacity. */
function checkRefusal(lay: TileLayer, lim: TileLimits, pairs: [number, number][], e: unknown): void {
  expect(e).toBeInstanceOf(TilingError);
  const msg = (e as Error).message;
  expect(msg.split('\n')).toHaveLength(1);
  const m = /^output point (\d+) alone does not fit on chip: .*(the tile limit|buffers\.coordDepth|buffers\.featureDepth|buffers\.accumulatorDepth|buffers\.mapDepth|mapping\.coordWidth)/.exec(msg);
  expect(m, msg).not.toBeNull();
  const q = Number(m![1]);
  const tin = pairs.filter(([, o]) => o === q).map(([i]) => i).sort((a, b) => a - b).map((i) => lay.inCoords[i]!);
  const { type, inTensorStride, stride } = lay.layer;
  const hwOut = type === 'submanifold' ? tin : type === 'conv' ? convOutputCoords(tin, inTensorStride * stride) : [lay.outCoords[q]!];
  const named = m![2] === 'the tile limit' ? 'tile limit' : m![2]!.replace('buffers.', '').replace('mapping.', '');
  expect(violations(lay, lim, tin, hwOut), msg).toContain(named);
}

const drawnArb = (kinds: Kind[] = KINDS): fc.Arbitrary<Drawn> =>
  fc.record({
    kind: fc.constantFrom(...kinds),
    n: fc.integer({ min: 10, max: 160 }),
    batches: fc.integer({ min: 1, max: 3 }),
    extent: fc.integer({ min: 2, max: 7 }),
    cin: fc.integer({ min: 1, max: 9 }),
    cout: fc.integer({ min: 1, max: 9 }),
    seed: fc.integer({ min: 1, max: 1 << 30 }),
  });

const BIG = 1 << 30;
const unlimited = (rows: number, cols: number, lanes: number): TileLimits => ({
  coordDepth: BIG, featureDepth: BIG, accumulatorDepth: BIG, bankDepth: BIG, lanes, rows, cols, mapEstimate: true,
});

describe('tile planner (model/tiles.ts)', () => {
  it('the map estimate\'s fast submanifold count equals the golden map\'s entries per kernel index', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 3), fc.constantFrom(1, 2), fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 1 << 30 }), (k, ts, n, batches, seed) => {
        const coords = randomCloud(rng(seed), n, { batches, extent: 4, ts }).sort(compareCoords);
        const c: LayerCase = {
          layer: { type: 'submanifold', kernelSize: k, stride: 1, inTensorStride: ts, inChannels: 1, outChannels: 1 },
          input: { coords, features: coords.map(() => [0]) },
          weights: Array.from({ length: k ** 3 }, () => [[0]]),
        };
        expect(submanifoldEntries(coords, k, ts)).toEqual(layerStats(c).mapEntriesPerOffset);
      }),
      { seed: 77, numRuns: 60 },
    );
  });

  it('small random capacities: cores own every output once, inputs cover every neighbour, every tile fits — or a refusal naming a capacity one output alone exceeds', () => {
    fc.assert(
      fc.property(
        drawnArb(),
        fc.record({
          coordDepth: fc.integer({ min: 8, max: 120 }),
          featureDepth: fc.integer({ min: 8, max: 240 }),
          accumulatorDepth: fc.integer({ min: 8, max: 240 }),
          bankDepth: fc.integer({ min: 8, max: 400 }),
          lanes: fc.constantFrom(1, 2, 4, 8),
          rows: fc.constantFrom(2, 4),
          cols: fc.constantFrom(2, 4),
          maxPoints: fc.option(fc.integer({ min: 6, max: 80 }), { nil: undefined }),
          mapEstimate: fc.boolean(),
        }),
        (d, lim) => {
          const { lay, pairs } = makeCase(d);
          let tiles: Tile[];
          try {
            tiles = planTiles(lay, lim);
          } catch (e) {
            checkRefusal(lay, lim, pairs, e);
            return;
          }
          checkPlan(lay, lim, pairs, tiles);
          // A tile split after a map overflow keeps the invariants (its halves own its core).
          const big = tiles.find((t) => t.outRows.length >= 2);
          if (big !== undefined) {
            const halves = splitTile(lay, lim, big);
            expect(halves.flatMap((h) => h.outRows).sort((a, b) => a - b)).toEqual(big.outRows);
            checkPlan(lay, { ...lim, mapEstimate: false, coordDepth: BIG, featureDepth: BIG, accumulatorDepth: BIG, maxPoints: undefined }, pairs, tiles.flatMap((t) => (t === big ? halves : [t])));
          }
        },
      ),
      { seed: 1312, numRuns: 120 },
    );
  });

  it('every capacity at its edge: the whole layer one below is tiled or refused, at and one past it is one tile', () => {
    type Cap = 'coordDepth' | 'featureDepth' | 'accumulatorDepth' | 'bankDepth' | 'maxPoints';
    fc.assert(
      fc.property(drawnArb(), fc.constantFrom<Cap>('coordDepth', 'featureDepth', 'accumulatorDepth', 'bankDepth', 'maxPoints'), fc.constantFrom(1, 2, 4), (d, cap, lanes) => {
        const { lay, pairs } = makeCase(d);
        const base = unlimited(2, 2, lanes);
        const nIn = lay.inCoords.length;
        const nOut = lay.outCoords.length;
        const need: Record<Cap, number> = {
          coordDepth: Math.max(nIn, nOut),
          featureDepth: nIn * ti(lay, base),
          accumulatorDepth: nOut * to(lay, base),
          bankDepth: mapSlotEstimate(lay.layer, lay.inCoords, lay.outCoords, lanes).perBank,
          maxPoints: nIn,
        };
        for (const delta of [-1, 0, 1]) {
          const lim = { ...base, [cap]: need[cap] + delta };
          let tiles: Tile[];
          try {
            tiles = planTiles(lay, lim);
          } catch (e) {
            expect(delta, `${cap} ${need[cap]} + ${delta} refused`).toBe(-1);
            checkRefusal(lay, lim, pairs, e);
            continue;
          }
          const n = checkPlan(lay, lim, pairs, tiles);
          if (delta >= 0) expect(n, `${cap} = need ${need[cap]} + ${delta}`).toBe(1);
          else if (need[cap] > 0) expect(n, `${cap} = need ${need[cap]} − 1`).toBeGreaterThan(1);
        }
      }),
      { seed: 2718, numRuns: 80 },
    );
  });

  it('one output times the cout tiles over the accumulator buffer: output-channel groups of whole cout tiles, every group tiled and covering every output', () => {
    fc.assert(
      fc.property(drawnArb(), fc.integer({ min: 3, max: 19 }), fc.constantFrom(1, 2), (d, cout, cols) => {
        const { lay, pairs } = makeCase({ ...d, cout });
        const tilesOut = Math.ceil(cout / cols);
        if (lay.outCoords.length === 0 || tilesOut < 2) return;
        const biggest = Math.max(...lay.outCoords.map((_, q) => neighbourhood(lay, pairs, q)[1].length));
        // The biggest neighbourhood fits with tilesOut − 1 cout tiles, not with all of them.
        const lim: TileLimits = { ...unlimited(2, cols, 1), accumulatorDepth: biggest * (tilesOut - 1) };
        const tiles = planTiles(lay, lim);
        const groups = new Set(tiles.map((t) => String(t.outChannels)));
        expect(groups.size).toBeGreaterThanOrEqual(2);
        expect(tiles.every((t) => t.outChannels !== undefined)).toBe(true);
        checkPlan(lay, lim, pairs, tiles);
        // With one more accumulator word per cout tile the layer needs no groups.
        const wide = planTiles(lay, { ...lim, accumulatorDepth: biggest * tilesOut });
        expect(wide.every((t) => t.outChannels === undefined)).toBe(true);
        checkPlan(lay, { ...lim, accumulatorDepth: biggest * tilesOut }, pairs, wide);
      }),
      { seed: 4242, numRuns: 60 },
    );
  });

  it('coordinates wider than mapping.coordWidth: every tile fits after its own aligned translation (rebaseTiles), or a refusal naming one output', () => {
    fc.assert(
      fc.property(drawnArb(), fc.integer({ min: 3, max: 5 }), fc.integer({ min: 8, max: 60 }), (d, cw, extent) => {
        const { lay, pairs } = makeCase({ ...d, extent });
        const lim: TileLimits = { ...unlimited(2, 2, 1), coordWidth: cw };
        let tiles: Tile[];
        try {
          tiles = planTiles(lay, lim);
        } catch (e) {
          checkRefusal(lay, lim, pairs, e);
          return;
        }
        checkPlan(lay, lim, pairs, tiles);
        const whole = rebasesWhole(lay, cw);
        expect(whole).toBe(extentFits(lay, [...lay.inCoords, ...lay.outCoords], cw));
        if (whole) expect(tiles).toHaveLength(1);
        const align = rebaseAlignment(lay.layer);
        for (const t of rebaseTiles(lay, tiles, cw)) {
          // Shifts are multiples of the alignment; the moved inputs and hardware outputs lie in range.
          for (const s of t.rebase!.shifts.values()) for (const v of s) expect(Math.abs(v % align)).toBe(0);
          const moved = [...shiftCoords(tileInputs(lay.inCoords, t), t.rebase!, 1), ...shiftCoords(t.hwOut, t.rebase!, 1)];
          for (const p of moved) for (let a = 1; a < 4; a++) expect(p[a]! >= -(2 ** (cw - 1)) && p[a]! <= 2 ** (cw - 1) - 1, `${p}`).toBe(true);
        }
      }),
      { seed: 31337, numRuns: 80 },
    );
  });

  it('an x-column denser than the buffers is cut in y and z (x-slabs could not tile it) with few halo rows', () => {
    // A 4 × 24 × 24 slab of points: every x-column's 3-column neighbourhood holds 1,728 points.
    const coords: Coord[] = [];
    for (let x = 0; x < 4; x++) for (let y = 0; y < 24; y++) for (let z = 0; z < 24; z++) coords.push([0, x, y, z]);
    const layer: LayerShape = { type: 'submanifold', kernelSize: 3, stride: 1, inTensorStride: 1, inChannels: 4, outChannels: 4 };
    const lay = { layer, inCoords: coords, outCoords: coords };
    const lim: TileLimits = { ...unlimited(4, 4, 1), coordDepth: 400, featureDepth: 400, accumulatorDepth: 400 };
    const c: LayerCase = { layer, input: { coords, features: coords.map(() => [0, 0, 0, 0]) }, weights: Array.from({ length: 27 }, () => [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]) };
    const pairs: [number, number][] = runLayer(c).map.pairs.flatMap((m) => Array.from(m.input, (i, e): [number, number] => [i, m.output[e]!]));
    const tiles = planTiles(lay, lim);
    checkPlan(lay, lim, pairs, tiles);
    const spans = (t: Tile, a: number) => new Set(t.outRows.map((q) => coords[q]![a])).size;
    expect(tiles.some((t) => spans(t, 2) < 24 && spans(t, 3) < 24)).toBe(true);
    // Halo: input rows streamed over output rows; x-slabs of 1 column would stream ≥ 3×.
    const streamed = tiles.reduce((a, t) => a + t.inRows.length, 0);
    expect(streamed / coords.length).toBeLessThan(1.9);
  });
});
