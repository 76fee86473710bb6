// Matrix-unit co-simulation: random cases, stream encoding and the golden expectation.
// A case is a list of passes; each pass has its own weight tile (rows of `cols` weights; a tile
// shorter than `rows` leaves the missing rows zero) and streams gathered rows through it. Every
// pass consumes exactly one tile (see templates/matrix_unit.v.hbs), so the weight stream is the
// tiles back to back and the activation stream the passes back to back.
import type { MatrixDerived } from '../dsl/derive/matrix.ts';
import { wrapSigned } from '../model/arith.ts';
import type { ExpectedBeat } from './compare.ts';
import { packBeat, type StreamLayout } from './layout.ts';
import { Prng, randomSigned, randomUnsigned } from './random.ts';

export interface MatrixPass {
  /** tile[r][c]: weight of input channel r, output channel c; length 1 … rows. */
  tile: number[][];
  rows: { x: number[]; tag: number }[];
}

export interface MatrixCase {
  passes: MatrixPass[];
}

export interface MatrixCaseOptions {
  passes: number;
  /** Rows per pass are drawn from 1 … maxRows (1-row passes swap tiles every cycle). */
  maxRows: number;
  /** Probability that a tile has fewer than `rows` rows. */
  shortTiles?: number;
  /** Probability of an extreme operand. */
  extremes?: number;
}

export function randomMatrixCase(d: MatrixDerived, seed: number, o: MatrixCaseOptions): MatrixCase {
  // The standalone harness speaks the dense tile format; N:M matrix units are checked inside the
  // complete accelerator (test/sparsity/accel.test.ts), whose host driver compresses the weights.
  if (d.sparse) throw new Error(`randomMatrixCase: ${d.module} has N:M weight sparsity; co-simulate it through the accelerator (sim/accel)`);
  const prng = new Prng(seed);
  const ext = o.extremes ?? 0.25;
  const passes: MatrixPass[] = [];
  for (let p = 0; p < o.passes; p++) {
    const tileRows = prng.nextFloat() < (o.shortTiles ?? 0.15) ? prng.int(1, d.rows) : d.rows;
    // Some passes use all-extreme operands: the largest partial sums (and wraps) come from these.
    const allExtreme = prng.nextFloat() < 0.1;
    const e = allExtreme ? 1 : ext;
    const tile = Array.from({ length: tileRows }, () =>
      Array.from({ length: d.cols }, () => Number(randomSigned(prng, d.weightWidth, e))),
    );
    const n = prng.int(1, o.maxRows);
    const rows = Array.from({ length: n }, () => ({
      x: Array.from({ length: d.rows }, () => Number(randomSigned(prng, d.inWidth, e))),
      tag: Number(randomUnsigned(prng, d.tagWidth, 0.1)),
    }));
    passes.push({ tile, rows });
  }
  return { passes };
}

export function encodeMatrixCase(c: MatrixCase, w: StreamLayout, x: StreamLayout): {
  w: { data: bigint; last: boolean }[];
  x: { data: bigint; last: boolean }[];
} {
  const wb: { data: bigint; last: boolean }[] = [];
  const xb: { data: bigint; last: boolean }[] = [];
  for (const p of c.passes) {
    // R tile rows per weight beat (buffers.weightReadRows): a short tile's last beat is padded with
    // zero rows, which compute as the rows a short tile leaves zero.
    const cols = p.tile[0]!.length;
    const lanes = w.fields.find((f) => f.name === 'w')!.lanes;
    const R = lanes / cols;
    if (!Number.isInteger(R) || R < 1) throw new Error(`encodeMatrixCase: weight stream has ${lanes} lanes, not a multiple of ${cols} columns`);
    const beats = Math.ceil(p.tile.length / R);
    for (let b = 0; b < beats; b++) {
      const lane: number[] = [];
      for (let j = 0; j < R; j++) lane.push(...(p.tile[b * R + j] ?? new Array<number>(cols).fill(0)));
      wb.push({ data: packBeat(w, { w: lane }), last: b === beats - 1 });
    }
    p.rows.forEach((row, i) => xb.push({ data: packBeat(x, { x: row.x, tag: row.tag }), last: i === p.rows.length - 1 }));
  }
  return { w: wb, x: xb };
}

/** Golden partial sums: y[c] = Σ_r x[r]·W[r][c] (missing tile rows are zero), wrapped to psumWidth. */
export function expectedMatrix(d: MatrixDerived, c: MatrixCase): ExpectedBeat[] {
  const out: ExpectedBeat[] = [];
  c.passes.forEach((p, pi) => {
    p.rows.forEach((row, ri) => {
      const y: number[] = [];
      for (let col = 0; col < d.cols; col++) {
        let s = 0;
        for (let r = 0; r < p.tile.length; r++) s += row.x[r]! * p.tile[r]![col]!;
        y.push(wrapSigned(s, d.psumWidth));
      }
      out.push({ fields: { y, tag: [row.tag] }, last: ri === p.rows.length - 1, where: `pass ${pi}, row ${ri}` });
    });
  });
  return out;
}
