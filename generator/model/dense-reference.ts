// A dense-convolution reference for tests: DESIGN.md §1 evaluated by direct definition on a dense
// voxel grid, deliberately sharing no code with the sparse path (no kernel map, no packed keys,
// its own offsets, BigInt wrap and requantization). Slow by design; small cases only. It assumes
// a valid case: validation is runLayer's job.
import { DEFAULT_WIDTHS, type ArithmeticWidths, type Coord, type LayerCase, type LayerResult } from './types.ts';

interface Grid {
  min: [number, number, number];
  dims: [number, number, number];
  /** Input row per voxel, -1 when empty. */
  cell: Int32Array;
}

export function denseReference(c: LayerCase, widths: ArithmeticWidths = DEFAULT_WIDTHS): LayerResult {
  const { type, kernelSize: k, stride, inTensorStride: ts, inChannels: cin, outChannels: cout } = c.layer;
  const outTs = type === 'conv' ? ts * stride : type === 'transposed' ? ts / stride : ts;
  const coords = c.input.coords;
  const grids = scatter(coords, ts);

  const outCoords = outputCoordinates(c, outTs);
  // Conv and submanifold read in[p + d·ts]; transposed finds the q with p = q + d·outTs.
  const step = type === 'transposed' ? -outTs : ts;
  const axis: number[] = [];
  for (let a = 0; a < k; a++) axis.push(k % 2 === 1 ? a - (k - 1) / 2 : a);

  const bound = 2 ** (widths.inWidth - 1) * 2 ** (widths.weightWidth - 1) * cin * k ** 3;
  if (bound >= 2 ** 53) throw new RangeError('denseReference: widths too large for exact number sums');

  const accumulators: number[][] = [];
  let wraps = 0;
  for (const p of outCoords) {
    const sums = new Array<number>(cout).fill(0);
    const grid = grids.get(p[0]);
    for (let iz = 0; iz < k; iz++) {
      for (let iy = 0; iy < k; iy++) {
        for (let ix = 0; ix < k; ix++) {
          const row = grid === undefined ? -1 : lookup(grid, ts, [p[1] + axis[ix] * step, p[2] + axis[iy] * step, p[3] + axis[iz] * step]);
          if (row < 0) continue; // empty voxel: contributes zeros
          const w = c.weights[(iz * k + iy) * k + ix];
          const f = c.input.features[row];
          for (let ci = 0; ci < cin; ci++) for (let o = 0; o < cout; o++) sums[o] += f[ci] * w[ci][o];
        }
      }
    }
    accumulators.push(sums.map((s, o) => {
      const exact = BigInt(s) + BigInt(c.bias?.[o] ?? 0);
      const wrapped = BigInt.asIntN(widths.accWidth, exact);
      if (wrapped !== exact) wraps++;
      return Number(wrapped);
    }));
  }

  const result: LayerResult = { tensorStride: outTs, coords: outCoords, accumulators, wraps };
  if (c.requant !== undefined) {
    const rq = c.requant;
    result.features = accumulators.map((row) => row.map((a, o) => requantDivide(a, rq.multiplier[o], rq.shift[o], rq.relu, widths.outWidth)));
  }
  return result;
}

function scatter(coords: readonly Coord[], ts: number): Map<number, Grid> {
  const byBatch = new Map<number, number[]>();
  coords.forEach((p, row) => {
    const list = byBatch.get(p[0]) ?? [];
    list.push(row);
    byBatch.set(p[0], list);
  });
  const grids = new Map<number, Grid>();
  for (const [b, rows] of byBatch) {
    const min: [number, number, number] = [Infinity, Infinity, Infinity];
    const max: [number, number, number] = [-Infinity, -Infinity, -Infinity];
    for (const r of rows) {
      for (let a = 0; a < 3; a++) {
        min[a] = Math.min(min[a], coords[r][a + 1]);
        max[a] = Math.max(max[a], coords[r][a + 1]);
      }
    }
    const dims: [number, number, number] = [0, 1, 2].map((a) => (max[a] - min[a]) / ts + 1) as [number, number, number];
    const cell = new Int32Array(dims[0] * dims[1] * dims[2]).fill(-1);
    const grid = { min, dims, cell };
    for (const r of rows) cell[voxel(grid, ts, [coords[r][1], coords[r][2], coords[r][3]])] = r;
    grids.set(b, grid);
  }
  return grids;
}

function voxel(g: Grid, ts: number, p: [number, number, number]): number {
  const v = [0, 1, 2].map((a) => (p[a] - g.min[a]) / ts);
  return (v[0] * g.dims[1] + v[1]) * g.dims[2] + v[2];
}

function lookup(g: Grid, ts: number, p: [number, number, number]): number {
  for (let a = 0; a < 3; a++) {
    const v = (p[a] - g.min[a]) / ts;
    if (!Number.isInteger(v) || v < 0 || v >= g.dims[a]) return -1;
  }
  return g.cell[voxel(g, ts, p)];
}

function outputCoordinates(c: LayerCase, outTs: number): Coord[] {
  let out: Coord[];
  if (c.layer.type === 'transposed') out = c.outputCoords!.map((p) => [...p] as Coord);
  else if (c.layer.type === 'submanifold') out = c.input.coords.map((p) => [...p] as Coord);
  else {
    const seen = new Map<string, Coord>();
    for (const p of c.input.coords) {
      const q: Coord = [p[0], ...[p[1], p[2], p[3]].map((v) => Math.floor(v / outTs) * outTs)] as Coord;
      seen.set(q.join(','), q);
    }
    out = [...seen.values()];
  }
  return out.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || a[3] - b[3]);
}

/** Requantization by explicit BigInt floor division rather than a shift. */
function requantDivide(acc: number, m: number, sh: number, relu: boolean, outWidth: number): number {
  const num = BigInt(acc) * BigInt(m) + (sh > 0 ? 2n ** BigInt(sh - 1) : 0n);
  const den = 2n ** BigInt(sh);
  let q = num / den;
  if (num % den !== 0n && num < 0n) q -= 1n;
  const hi = 2n ** BigInt(outWidth - 1) - 1n;
  const lo = relu ? 0n : -hi - 1n;
  return Number(q < lo ? lo : q > hi ? hi : q);
}
