// Derived parameters of the matrix unit (templates/matrix_unit.v.hbs); aggregated by
// derive/index.ts as `derived.matrix`. Every number the template prints is computed here.
//
// Datapath (per column c, per pass on one weight tile):
//   stage 1 (registered multiply): p[r] = x[r] · W[r][c], exact (inWidth + weightWidth bits);
//   adder tree over the `rows` products, registered every `TREE_LEVELS_PER_STAGE` levels and
//   after the last level; the result (psumWidth bits) enters the output FIFO.
// N:M weight sparsity (DESIGN.md §7): the `rows` multipliers form rows/N groups of N; group g is
// fed by the M activations [g·M, (g+1)·M) of the pass (x is rows·M/N channels wide), and each
// multiplier muxes its activation by the log2(M)-bit position stored beside its weight (a weight
// lane is {position, weight}). Dense is the case N = M = 1 without positions.
// Partial sums are exact when the exact range of a `rows`-product sum fits in accWidth; otherwise
// they wrap to accWidth (two's complement) — the accumulator they are added into wraps at accWidth
// anyway, so the final accumulator is the same.
import type { AcceleratorSpec } from '../spec.ts';
import { inChannelsPerPass, weightIndexWidth, weightPattern } from '../sparsity.ts';
import { addrWidth, clog2, countWidth, lit } from './math.ts';

/** Adder-tree levels between two pipeline registers. */
export const TREE_LEVELS_PER_STAGE = 2;

export interface TreeNode {
  /** Index of this node within its level. */
  index: number;
  /** Left operand: index in the previous level. */
  a: number;
  /** Right operand (absent for an odd node passed through). */
  b: number | null;
  hasB: boolean;
}

export interface TreeLevel {
  /** 1 … levels; level 0 is the registered products. */
  level: number;
  /** Width of this level's nodes and its MSB index. */
  width: number;
  msb: number;
  /** Width of the previous level's nodes and its MSB index. */
  prevWidth: number;
  prevMsb: number;
  /** Operands are sign-extended by one bit before the add (width = prevWidth + 1). */
  extend: boolean;
  registered: boolean;
  nodes: TreeNode[];
  /** Previous level (0 = the registered products). */
  prevLevel: number;
  /** Signal-name suffix of the previous level's nodes: `_q` when registered. */
  prevSuffix: '' | '_q';
  /** Index of the pipeline stage this level's register belongs to (when registered). */
  stage: number;
  /** Stage whose valid/sideband registers feed this level (for registered levels). */
  prevStage: number;
}

export interface MatrixDerived {
  /** Module names (prefix = `<spec.name>_`). */
  module: string;
  /** One column (products and adder tree), instantiated `cols` times by `module`. */
  colModule: string;
  fifoModule: string;
  rows: number;
  cols: number;
  inWidth: number;
  weightWidth: number;
  accWidth: number;
  /** Exact signed product of one input and one weight. */
  productWidth: number;
  /** Smallest signed width that holds every sum of `rows` products exactly. */
  exactPsumWidth: number;
  /** Width of each output partial sum: min(exactPsumWidth, accWidth). */
  psumWidth: number;
  /** True when psumWidth < exactPsumWidth (partial sums wrap to accWidth). */
  psumWraps: boolean;
  /** Width of the registered products feeding the tree (= min(productWidth, psumWidth)). */
  leafWidth: number;
  /**
   * Products are computed at leafWidth: operands sign-extended to it. When accWidth < productWidth
   * the product wraps to leafWidth (multiplication modulo 2^n only depends on the operands' low n
   * bits, so this equals the wrapped exact product).
   */
  leafTruncate: boolean;
  /** Sign-extension bits to bring an input / a weight to leafWidth (0 = none). */
  inExt: number;
  weightExt: number;
  inExtend: boolean;
  weightExtend: boolean;
  inMsb: number;
  weightMsb: number;
  productMsb: number;
  leafMsb: number;
  psumMsb: number;
  /** Sideband tag width (default: accumulator address width, the scatter address of a row). */
  tagWidth: number;
  tagMsb: number;
  /** N:M weight sparsity: positions beside the weights and a mux in front of each multiplier. */
  sparse: boolean;
  /** An activation of zero (the mux's default, so that synthesis sees no latch). */
  inZero: string;
  /** Activation channels per pass (x lanes): rows, or rows · M/N. */
  xChannels: number;
  /** Bits of a weight's position in its group (log2 M; 0 when dense) and its MSB. */
  selWidth: number;
  selMsb: number;
  /** Bits of one weight lane {position, weight}: weightWidth + selWidth. */
  laneWidth: number;
  /** One column's positions of a tile: `rows` positions, row r at [r*selWidth +: selWidth]. */
  sColWidth: number;
  sColMsb: number;
  /** Flat port widths. */
  xDataWidth: number;
  xDataMsb: number;
  wDataWidth: number;
  wDataMsb: number;
  /** One column's weights of a tile: `rows` weights, row r at [r*weightWidth +: weightWidth]. */
  wColWidth: number;
  wColMsb: number;
  yDataWidth: number;
  yDataMsb: number;
  /**
   * Weight tile beat counter (buffers.weightReadRows = R rows per beat): counts 0 … rows / R
   * (rows / R = overflowed tile).
   */
  rowCountWidth: number;
  rowCountMsb: number;
  /** Index of a beat within a tile (wrow_idx), when a tile has more than one beat. */
  rowIndexWidth: number;
  rowIndexMsb: number;
  beatIndexed: boolean;
  /** Rows per weight beat (buffers.weightReadRows) and the port's width: R · wDataWidth. */
  wReadRows: number;
  wPortWidth: number;
  wPortMsb: number;
  /** The R rows of a beat: lane i is row beat·R + i (index expression), port bits [lsb, msb]. */
  wLanes: { lane: number; idx: string; lsb: number; msb: number }[];
  /**
   * Weight-tile reuse (gatherScatter.passGrouping has `offset`): a `w_reuse_i` beat makes the last
   * loaded tile serve one more pass; `rep` (repW bits) counts the head tile's extra passes.
   */
  tileReuse: boolean;
  repW: number;
  repM: number;
  repZero: string;
  repOne: string;
  repMax: string;
  /** Row index of the last row, and rows / R (beats of a full tile), at rowCountWidth bits. */
  lastRow: number;
  rowsCount: number;
  /** Bit ranges of row r in the activation word (x) and in a column's weight word (w). */
  rowList: {
    row: number;
    xLsb: number;
    xMsb: number;
    wLsb: number;
    wMsb: number;
    /** Sparse: bits of this row's position in a column's position word, and its M choices (position literal → activation bits). */
    sLsb: number;
    sMsb: number;
    choices: { lit: string; xLsb: number; xMsb: number }[];
  }[];
  /** Level of the tree's root node (0 when rows = 1: the product itself) and its name suffix. */
  rootLevel: number;
  rootSuffix: '' | '_q';
  /** Adder-tree levels (empty when rows = 1). */
  levels: TreeLevel[];
  /** Registered stages after the product stage (stage 1). */
  treeStages: number;
  /** Cycles from an accepted x beat to its result being written into the output FIFO. */
  latency: number;
  /** Cycles from an accepted x beat to y_valid_o of its result with an empty FIFO and y_ready high. */
  latencyToOutput: number;
  /** Stage list for the valid/sideband pipeline: stage 1 … latency. */
  stages: { stage: number; prev: number }[];
  /** Output FIFO (credit based: x is accepted only when room is reserved for its result). */
  fifoDepth: number;
  fifoPtrWidth: number;
  fifoCountWidth: number;
  /** FIFO payload: {last, tag, psums}. */
  fifoWidth: number;
  fifoWidthMsb: number;
  /** Bit positions inside the FIFO payload. */
  fifoLastBit: number;
  fifoTagLsb: number;
  fifoTagMsb: number;
}

/** Smallest width w with -2^(w-1) ≤ lo and hi ≤ 2^(w-1) - 1. */
export function signedWidthFor(lo: bigint, hi: bigint): number {
  let w = 1;
  while (-(1n << BigInt(w - 1)) > lo || (1n << BigInt(w - 1)) - 1n < hi) w++;
  return w;
}

/** Exact signed width of a sum of `n` products of an `a`-bit and a `b`-bit signed value. */
export function exactSumOfProductsWidth(n: number, a: number, b: number): number {
  const minA = -(1n << BigInt(a - 1));
  const maxA = (1n << BigInt(a - 1)) - 1n;
  const minB = -(1n << BigInt(b - 1));
  const maxB = (1n << BigInt(b - 1)) - 1n;
  const prods = [minA * minB, minA * maxB, maxA * minB, maxA * maxB];
  let lo = prods[0];
  let hi = prods[0];
  for (const p of prods) {
    if (p < lo) lo = p;
    if (p > hi) hi = p;
  }
  return signedWidthFor(lo * BigInt(n), hi * BigInt(n));
}

export function deriveMatrix(spec: AcceleratorSpec): MatrixDerived {
  const prefix = `${spec.name}_`;
  const { rows, cols } = spec.matrix;
  const { inWidth, weightWidth, accWidth } = spec.arithmetic;
  const pattern = weightPattern(spec);
  const xChannels = inChannelsPerPass(spec);
  const selWidth = weightIndexWidth(spec);
  const laneWidth = weightWidth + selWidth;
  const productWidth = inWidth + weightWidth;
  const exactPsumWidth = exactSumOfProductsWidth(rows, inWidth, weightWidth);
  const psumWidth = Math.min(exactPsumWidth, accWidth);
  const leafWidth = Math.min(productWidth, psumWidth);
  if (leafWidth < Math.max(inWidth, weightWidth)) {
    throw new RangeError(`matrix: accWidth ${accWidth} is narrower than an operand (inWidth ${inWidth}, weightWidth ${weightWidth})`);
  }

  // Adder tree: which levels are registered (the root always; every TREE_LEVELS_PER_STAGE-th;
  // then, one per matrix.treePipeline stage, the middle of the earliest longest unregistered run).
  const levelCount = clog2(rows);
  const regAt = new Set<number>();
  for (let l = 1; l <= levelCount; l++) if (l === levelCount || l % TREE_LEVELS_PER_STAGE === 0) regAt.add(l);
  for (let k = 0; k < spec.matrix.treePipeline; k++) {
    const bounds = [0, ...[...regAt].sort((a, b) => a - b)];
    let best = -1;
    for (let i = 1; i < bounds.length; i++) if (bounds[i]! - bounds[i - 1]! > 1 && (best < 0 || bounds[i]! - bounds[i - 1]! > bounds[best]! - bounds[best - 1]!)) best = i;
    if (best < 0) throw new RangeError(`matrix.treePipeline: ${spec.matrix.treePipeline} stages, but the ${levelCount}-level adder tree has only ${k} unregistered levels`);
    regAt.add(bounds[best - 1]! + Math.floor((bounds[best]! - bounds[best - 1]!) / 2));
  }
  const levels: TreeLevel[] = [];
  let count = rows;
  let prevWidth = leafWidth;
  let level = 0;
  let stage = 1; // stage 1 = product registers
  let lastRegStage = 1;
  while (count > 1) {
    level++;
    const n = Math.ceil(count / 2);
    const width = Math.min(psumWidth, prevWidth + 1);
    const nodes: TreeNode[] = [];
    for (let i = 0; i < n; i++) {
      const hasB = 2 * i + 1 < count;
      nodes.push({ index: i, a: 2 * i, b: hasB ? 2 * i + 1 : null, hasB });
    }
    const registered = regAt.has(level);
    const thisStage = registered ? stage + 1 : stage;
    levels.push({
      level,
      width,
      msb: width - 1,
      prevWidth,
      prevMsb: prevWidth - 1,
      extend: width > prevWidth,
      registered,
      nodes,
      prevLevel: level - 1,
      prevSuffix: levels.length === 0 || levels[levels.length - 1]!.registered ? '_q' : '',
      stage: thisStage,
      prevStage: lastRegStage,
    });
    if (registered) {
      stage++;
      lastRegStage = stage;
    }
    count = n;
    prevWidth = width;
  }
  const latency = stage;
  const stages = [];
  for (let s = 1; s <= latency; s++) stages.push({ stage: s, prev: s - 1 });
  // Credit FIFO: with y_ready high, L + 1 results are reserved but not yet popped; one more slot
  // keeps the input ready every cycle. Power of two so that the pointers wrap by themselves.
  let fifoDepth = 2;
  while (fifoDepth < latency + 2) fifoDepth *= 2;
  const tagWidth = addrWidth(spec.buffers.accumulatorDepth);
  const yDataWidth = cols * psumWidth;
  const R = spec.buffers.weightReadRows;
  if (rows % R !== 0) throw new RangeError(`matrix: buffers.weightReadRows ${R} does not divide matrix.rows ${rows}`);
  const beats = rows / R;
  const rowCountWidth = countWidth(beats);
  const rowIndexWidth = addrWidth(beats);
  const beatIndexed = beats > 1;
  const laneBits = clog2(R);
  const wDataWidth = cols * laneWidth;
  const wLanes = Array.from({ length: R }, (_, lane) => ({
    lane,
    // Row beat·R + lane: the beat index above the lane bits (one-beat tiles: the lane alone).
    idx: R === 1 ? 'wrow_idx' : beatIndexed ? `{wrow_idx, ${lit(laneBits, lane)}}` : lit(Math.max(1, clog2(rows)), lane),
    lsb: lane * wDataWidth,
    msb: lane * wDataWidth + wDataWidth - 1,
  }));
  const tileReuse = spec.gatherScatter.passGrouping.includes('offset');
  // Pending extra passes of the head tile: one per bank and a margin, so that reuse beats rarely wait.
  const repW = clog2(spec.mapping.lanes) + 2;
  return {
    module: `${prefix}matrix_unit`,
    colModule: `${prefix}matrix_col`,
    fifoModule: `${prefix}stream_fifo`,
    rows,
    cols,
    inWidth,
    weightWidth,
    accWidth,
    productWidth,
    exactPsumWidth,
    psumWidth,
    psumWraps: psumWidth < exactPsumWidth,
    leafWidth,
    leafTruncate: leafWidth < productWidth,
    inExt: leafWidth - inWidth,
    weightExt: leafWidth - weightWidth,
    inExtend: leafWidth > inWidth,
    weightExtend: leafWidth > weightWidth,
    inMsb: inWidth - 1,
    weightMsb: weightWidth - 1,
    productMsb: productWidth - 1,
    leafMsb: leafWidth - 1,
    psumMsb: psumWidth - 1,
    tagWidth,
    tagMsb: tagWidth - 1,
    sparse: pattern !== undefined,
    inZero: lit(inWidth, 0),
    xChannels,
    selWidth,
    selMsb: selWidth - 1,
    laneWidth,
    sColWidth: rows * selWidth,
    sColMsb: rows * selWidth - 1,
    xDataWidth: xChannels * inWidth,
    xDataMsb: xChannels * inWidth - 1,
    wDataWidth: cols * laneWidth,
    wDataMsb: cols * laneWidth - 1,
    wColWidth: rows * weightWidth,
    wColMsb: rows * weightWidth - 1,
    yDataWidth,
    yDataMsb: yDataWidth - 1,
    rowCountWidth,
    rowCountMsb: rowCountWidth - 1,
    rowIndexWidth,
    rowIndexMsb: rowIndexWidth - 1,
    beatIndexed: R === 1 || beatIndexed,
    wReadRows: R,
    wPortWidth: R * wDataWidth,
    wPortMsb: R * wDataWidth - 1,
    wLanes,
    lastRow: rows - 1,
    rowsCount: beats,
    tileReuse,
    repW,
    repM: repW - 1,
    repZero: lit(repW, 0),
    repOne: lit(repW, 1),
    repMax: lit(repW, 2 ** repW - 1),
    rowList: Array.from({ length: rows }, (_, row) => ({
      row,
      xLsb: row * inWidth,
      xMsb: row * inWidth + inWidth - 1,
      wLsb: row * weightWidth,
      wMsb: row * weightWidth + weightWidth - 1,
      sLsb: row * selWidth,
      sMsb: row * selWidth + selWidth - 1,
      choices: pattern
        ? Array.from({ length: pattern.m }, (_, j) => {
            const ch = Math.floor(row / pattern.n) * pattern.m + j;
            return { lit: lit(selWidth, j), xLsb: ch * inWidth, xMsb: ch * inWidth + inWidth - 1 };
          })
        : [],
    })),
    rootLevel: levels.length,
    // The root level is always registered, and so are the products (level 0).
    rootSuffix: '_q',
    levels,
    treeStages: latency - 1,
    latency,
    latencyToOutput: latency + 1,
    stages,
    fifoDepth,
    fifoPtrWidth: addrWidth(fifoDepth),
    fifoCountWidth: countWidth(fifoDepth),
    fifoWidth: 1 + tagWidth + yDataWidth,
    fifoWidthMsb: tagWidth + yDataWidth,
    fifoLastBit: tagWidth + yDataWidth,
    fifoTagLsb: yDataWidth,
    fifoTagMsb: yDataWidth + tagWidth - 1,
  };
}
