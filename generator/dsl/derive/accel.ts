// Derived parameters of the complete accelerator's top level and its own submodules
// (templates/top/*.v.hbs); aggregated by derive/index.ts as `derived.accel`. Every number those
// templates print comes from here (docs/accelerator.md describes the architecture and the
// stream formats these numbers lay out).
//
// Buffers (all simple dual-port, synchronous read: block RAM):
//   features     featureDepth words of X·inWidth bits (X = input channels per pass: rows, or
//                rows·M/N with N:M weight sparsity), tile-major: word t·N_in + j holds input
//                channels [t·X, (t+1)·X) of canonical input point j;
//   weights      weightDepth words of cols·laneWidth bits (laneWidth = weightWidth, plus log2 M
//                position bits with N:M sparsity), a ring of (cout tile, cin tile)
//                pairs; a pair is K·rows words (K = k³ kernel offsets), offset i's tile at i·rows;
//   accumulators accumulatorDepth words of cols·accWidth bits, word t·N_out + q = output channels
//                [t·cols, (t+1)·cols) of output point q;
//   map banks    one per mapping lane, floor(mapDepth / lanes) entries {output, input} each;
//   out coords   coordDepth points (the output coordinates, streamed out first).
import type { AcceleratorSpec } from '../spec.ts';
import { maxKernelVolume, pointWidth } from '../spec.ts';
import { deriveMapping } from './mapping.ts';
import { runTableRuns } from '../../model/run-table.ts';
import { ewChunkEntries, mtChunkEntries } from '../../model/cycle-model-replay.ts';
import { deriveMatrix } from './matrix.ts';
import { addrWidth, ceilDiv, clog2, countWidth } from './math.ts';
import { derivePostproc } from './postproc.ts';
import { reduceFlat, type FlatReduce } from './reduce-tree.ts';
import { ERROR_CODES, LAYER_TYPE_CODES, W0_BLOCK_WIDTH, type RegisterMap } from './registers.ts';

/** A field of a packed word: bits [msb:lsb]. */
export interface PackedField {
  lsb: number;
  msb: number;
  width: number;
}

/** One beat-sized slice of a table word (bias, multipliers, shifts) or an output word. */
export interface BeatSlice {
  index: number;
  /** Bits [msb:lsb] of the word carried by this beat (the last beat may be partial). */
  lsb: number;
  msb: number;
  width: number;
  /** Beat index literal (beat counter width). */
  lit: string;
  /** The beat's bits as they come off the stream: `s_data_i[width-1:0]` or the whole beat. */
  axisMsb: number;
}

/** A read-mux entry of the register file: `{idx}: rdata_d = {expr};`. */
export interface RegRead {
  name: string;
  idxLit: string;
  expr: string;
}

/** An RW register field held in the register file. */
export interface RegField {
  reg: string;
  field: string;
  /** Register signal in accel_regs (`<sig>_q`). */
  sig: string;
  idxLit: string;
  width: number;
  msb: number;
  lsb: number;
  fieldMsb: number;
  resetLit: string;
}

export interface AccelDerived {
  /** Module names. */
  m: {
    top: string;
    regs: string;
    ctrl: string;
    loader: string;
    mapbuf: string;
    sched: string;
    wfetch: string;
    gather: string;
    scatter: string;
    /** The drain port (spec.gatherScatter.drainPort). */
    drain: string;
    output: string;
    /** Fusion across layers (buffers.keepFeatures): kept output words into the feature buffer. */
    fuse: string;
    ram: string;
    fifo: string;
    matrix: string;
    postproc: string;
    engine: string;
  };

  // ---- streams
  axisW: number;
  axisM: number;
  pointW: number;
  pointM: number;
  /** AXI-Stream bits above one point (0: none). */
  axisPointPad: number;
  axisPadLsb: number;

  // ---- points, channels, kernel
  cntW: number;
  cntM: number;
  idxW: number;
  idxM: number;
  cntZero: string;
  cntOne: string;
  coordDepthCntLit: string;
  chW: number;
  chM: number;
  chZero: string;
  maxChannelsLit: string;
  kW: number;
  kM: number;
  /** Map-free conv k = s = 2 (spec.mapping.mapFreeDownsample) and its k / stride literals. */
  mapFree: boolean;
  /** Map-free transposed k = s = 2 (spec.mapping.mapFreeTransposed): the engine's progress frontier. */
  mapFreeTrans: boolean;
  /** ... and the drain port's marks follow that frontier on those layers. */
  mtMarks: boolean;
  /** interfaces.outputOrder 'interleaved': map-free conv layers send coordinate, word, coordinate, … */
  outInterleave: boolean;
  mtCut: MtCutParams | null;
  /**
   * Map-free conv with the early walk (mapping.mapFreeEarlyWalk): chunks of ewChunkEntries bank
   * entries, each chunk's last entry {output, input} kept (accel_mapbuf ewt), passed by the
   * scheduler once that entry's features are in.
   */
  ewCut: MtCutParams | null;
  /** buffers.keepFeatures: fusion across layers (FUSION, FEAT_IN_BASE, FEAT_OUT_BASE). */
  keepFeatures: boolean;
  /** Width of a feature-buffer end address (base + words), for the fusion checks. */
  featEndW: number;
  featEndM: number;
  featDepthEndLit: string;
  featEndZero: string;
  /** f_loaded when the features are on chip: every address counts as loaded. */
  featCntAllLit: string;
  mfKLit: string;
  mfStrideLit: string;
  kZero: string;
  kMaxLit: string;
  kNeedsMaxCheck: boolean;
  strideW: number;
  strideM: number;
  tsW: number;
  tsM: number;
  typeSubLit: string;
  typeConvLit: string;
  typeTransLit: string;
  /** Kernel volume K = k³ (1 … maxVolume). */
  kvW: number;
  kvM: number;
  kvOne: string;
  /** k·k·k computed at 3·kW bits, then the low kvW bits kept (k is checked first). */
  kCubeW: number;
  kCubeM: number;
  kidxW: number;
  kidxM: number;
  kidxOne: string;
  kidxZero: string;
  rows: number;
  cols: number;
  rowsLog2: number;
  colsLog2: number;
  /**
   * Width of the tile-count sums Cin + X − 1 and Cout + cols − 1 (ceil(C / X) = (C + X − 1) >> log2 X):
   * they reach maxChannels + max(X, cols) − 1, which with N:M sparsity (X = rows·M/N may exceed
   * maxChannels) needs more than chW + 1 bits; a narrower sum wrapped to 0 tiles (a 1:4 spec with
   * rows 4, maxChannels 4: 1 + 15 = 16 in 4 bits) and the layer hung on STREAM_PROTOCOL.
   */
  chRoundW: number;
  chRoundM: number;
  rowsM1Lit: string;
  /** Input channels per pass X (rows, or rows·M/N): ceil(Cin / X) = (Cin + X − 1) >> log2(X). */
  xRows: number;
  xRowsLog2: number;
  xRowsM1Lit: string;
  colsM1Lit: string;
  tiW: number;
  tiM: number;
  toW: number;
  toM: number;
  tiOne: string;
  toOne: string;
  toZero: string;
  tiZero: string;
  /** Cout-tile index (0 … maxOutTiles − 1). */
  toIdxW: number;
  toIdxM: number;
  /** Table depth (power of two ≥ maxOutTiles, so every index is in range). */
  tblDepth: number;
  /** K·rows: words of one weight pair. */
  krW: number;
  krM: number;
  /** Bits of K·rows before truncation to krW: kvW + rowsLog2. */
  krRawW: number;
  krRawM: number;
  /** Pairs Ti·To. */
  pairW: number;
  pairM: number;
  pairOne: string;

  // ---- buffers
  featDepth: number;
  featAw: number;
  featAwM: number;
  featCntW: number;
  featCntM: number;
  featWordW: number;
  featWordM: number;
  /** n_in · Ti (cntW + tiW bits) compared with featureDepth. */
  featNeedW: number;
  featNeedM: number;
  featDepthNeedLit: string;
  /** The capacity compares are not constant for their widths. */
  featCheck: boolean;
  accCheck: boolean;
  chCheck: boolean;
  accDepth: number;
  accAw: number;
  accAwM: number;
  accAwZero: string;
  accAwOne: string;
  accLastLit: string;
  accWordW: number;
  accWordM: number;
  accWordZero: string;
  accNeedW: number;
  accNeedM: number;
  accNeedZero: string;
  accDepthNeedLit: string;
  wDepth: number;
  wAw: number;
  wAwM: number;
  wWordW: number;
  wWordM: number;
  wFillW: number;
  wFillM: number;
  wDepthFillLit: string;
  /**
   * buffers.weightReadRows (WR): the weight buffer as WR banks of wDepth / WR words (word w in bank
   * w mod WR at w / WR), read WR consecutive rows at a time; wRd = the WR words of one read.
   */
  wRead: {
    rows: number;
    banked: boolean;
    bankDepth: number;
    bankAw: number;
    bankAwM: number;
    hi: string;
    wRdW: number;
    wRdM: number;
    banks: { bank: number; sel: string; lsb: number; msb: number }[];
  };
  /** Compare width of fill (wFillW) and K·rows (krW). */
  wCmpW: number;
  /** Padding of `{kidx, rowsLog2 zeros}` to wAw bits (0: none). */
  wKidxPad: number;
  lanes: number;
  laneIdxW: number;
  laneIdxM: number;
  laneLastLit: string;
  laneZeroLit: string;
  laneOneLit: string;
  /** Per lane: its slot in a map word and its fields in the flattened per-bank buses. */
  laneList: {
    index: number;
    lit: string;
    slotLsb: number;
    slotMsb: number;
    wrLsb: number;
    wrMsb: number;
    nsegLsb: number;
    nsegMsb: number;
    lastLsb: number;
    lastMsb: number;
  }[];
  /** lanes · entryW: each bank's last written entry. */
  lastBusW: number;
  lastBusM: number;
  /** lanes · bankCntW and lanes · segIdxW: the flattened write pointers and segment counts. */
  wrBusW: number;
  wrBusM: number;
  nsegBusW: number;
  nsegBusM: number;
  bankDepth: number;
  bankAw: number;
  bankAwM: number;
  bankCntW: number;
  bankCntM: number;
  bankDepthLit: string;
  bankCntZero: string;
  bankCntOne: string;
  entryW: number;
  entryM: number;
  /** Segment table per bank: depth (power of two > maxVolume), index/count width. */
  segDepth: number;
  segLast: number;
  segIdxW: number;
  segIdxM: number;
  segIdxZero: string;
  segIdxOne: string;
  segIdxMaxLit: string;
  /** Segment word {mirror, kidx, start}. */
  segW: number;
  segM: number;
  seg: { start: PackedField; kidx: PackedField; mirror: number };
  /** Open segments are cut into passes of at least this many entries (bankCntW literal). */
  chunkMin: number;
  chunkMinLit: string;
  /**
   * Map-free transposed layers with the drain port (mt_i): rows entries suffice (one weight tile's
   * load still hides behind a pass), so compute and the drain follow the map closer.
   */
  chunkMinMtLit: string;
  /**
   * Start-up checkpoints (accel_sched ckp/ckl): recorded once an open run holds rows entries, so a
   * prefix pass is at least one weight tile's load long.
   */
  ckMinLit: string;
  /** Pass length width: max(bankCntW, cntW). */
  lenW: number;
  lenM: number;
  lenOne: string;
  lenZero: string;

  // ---- map words (from the mapping engine)
  mapWordW: number;
  mapWordM: number;
  slot: { w: number; m: number; valid: number; mirror: number; kidx: PackedField; inIdx: PackedField; outIdx: PackedField };

  // ---- descriptors
  gd: {
    w: number;
    m: number;
    /** Entries are the indices 0 … len−1 themselves (identity or drain pass), not map entries. */
    synth: number;
    /** Rows are zero (drain pass: read, finalize and clear every accumulator word). */
    zero: number;
    final: number;
    lastTo: number;
    swap: number;
    bank: PackedField;
    start: PackedField;
    len: PackedField;
    to: PackedField;
    featBase: PackedField;
    accBase: PackedField;
  };
  wd: { w: number; m: number; kind: PackedField; kidx: PackedField };
  /**
   * Pass grouping (gatherScatter.passGrouping): `on` = the scheduler has the offset-grouped policy
   * (and the REUSE weight descriptor), `field` = both policies, chosen by LAYER_TYPE.GROUPING
   * (else the one policy is fixed).
   */
  grp: { on: boolean; field: boolean; om: boolean };
  /**
   * Pass-list replay (gatherScatter.passListDepth, accel_sched pl_*): `on`, the list RAM's depth,
   * its index and count widths, an entry {reuse, swap, kidx, len, start, bank} (a recorded gather
   * and weight descriptor without the pair's fields), and the literals the scheduler compares.
   */
  pl: {
    on: boolean;
    depth: number;
    depthM: number;
    idxW: number;
    idxM: number;
    cntW: number;
    cntM: number;
    cntZero: string;
    cntOne: string;
    /** The count of a full list (depth) at cntW bits. */
    fullLit: string;
    w: number;
    m: number;
    bank: PackedField;
    start: PackedField;
    len: PackedField;
    kidx: PackedField;
    swap: number;
    reuse: number;
    /** The index of entry pl_n_q / pl_i_q (the count narrowed to idxW bits; it is < depth when written or read). */
    cntToIdx: string;
    iToIdx: string;
  };
  /**
   * buffers.w0Interleave: the weight ring holds tiles in slot order (kernel index 0, K−1, 1, K−2, …)
   * and the loader interleaves the first pair's tiles with LAYER_TYPE.W0_BLOCK feature words.
   */
  w0mix: { on: boolean; featAddr: string; blkM: number; blkZero: string; blkOne: string; kvM: number; kvOfKr: string; kvOne: string; kidxToKv: string; slotOfPos: string };
  pinfo: { w: number; m: number; final: number; lastTo: number; to: PackedField };
  descFifoDepth: number;
  descFifoPtrW: number;
  descFifoCntW: number;
  pinfoFifoDepth: number;
  pinfoFifoPtrW: number;
  pinfoFifoCntW: number;
  /** Credit FIFOs behind the one-cycle read pipelines (gather, weight fetch, scatter, coordinates). */
  pipeFifoDepth: number;
  pipeFifoPtrW: number;
  pipeFifoCntW: number;

  // ---- gather / scatter
  xW: number;
  xM: number;
  tagW: number;
  tagM: number;
  psumW: number;
  psumM: number;
  psumExt: number;
  /** Index (idxW bits) to feature / accumulator address expressions: see fitExpr. */
  gidxToFeat: string;
  sidxToAcc: string;
  qToIdx: string;
  featAddrCmpPad: number;
  forwarding: boolean;
  /** spec.gatherScatter.drainPort: the accumulator drain port (templates/top/accel_drain.v.hbs). */
  drainPort: boolean;
  /** Drain marks inside a cout tile (drain port and map-free conv: one ascending run per bank, the map in output order). */
  drainMarks: boolean;
  /**
   * Map-free conv with the drain port and the interleaved output: an open run is passed at rows
   * entries (chunkMinMtLit), as map-free transposed layers, so the words trail the map less.
   */
  mfRowChunks: boolean;
  /** Drain marks: the frontier's max over the banks' masked last outputs (fl_N) and the bound
   *  minimum over front_max_q and the banks' bounds (bnd_N_q), each one comparator level deep
   *  (all pairs compared at once; issue 15). */
  dmFront: FlatReduce;
  dmMin: FlatReduce;
  limW: number;
  limM: number;
  limZero: string;
  limOne: string;
  /** Layer epoch of the drain port's accumulator-word tags (gatherScatter.drainEpochBits); epochs 1 … epMax, 0 = swept. */
  epW: number;
  epM: number;
  epZero: string;
  epOne: string;
  epMaxLit: string;
  /** Pass counters of the drain port (modulo 2^pcW). */
  pcW: number;
  pcM: number;
  pcZero: string;
  pcOne: string;
  scatterOutW: number;
  scatterOutM: number;

  // ---- loader sections
  secW: number;
  secM: number;
  secZero: string;
  secOne: string;
  /** Zero-extensions into secW bits. */
  secPadCnt: number;
  secPadKr: number;
  secPadTo: number;
  tblBeatW: number;
  tblBeatM: number;
  tblBeatZero: string;
  tblBeatOne: string;
  hasBias: boolean;
  hasRequant: boolean;
  hasRelu: boolean;
  biasSlices: BeatSlice[];
  multSlices: BeatSlice[];
  shiftSlices: BeatSlice[];
  biasBeatsLit: string;
  multBeatsLit: string;
  shiftBeatsLit: string;
  biasLastBeatLit: string;
  multLastBeatLit: string;
  shiftLastBeatLit: string;
  biasBusW: number;
  biasBusM: number;
  multBusW: number;
  multBusM: number;
  shiftBusW: number;
  shiftBusM: number;

  // ---- output
  outQW: number;
  outQM: number;
  outBeats: number;
  accBeats: number;
  outBeatW: number;
  outBeatM: number;
  outBeatZero: string;
  outBeatOne: string;
  outLastBeatLit: string;
  accLastBeatLit: string;
  serW: number;
  serM: number;
  /** Padding of the accumulator word / the requantized word to serW (0: none). */
  serAccPad: number;
  serQPad: number;
  serSlices: { index: number; lsb: number; msb: number; lit: string }[];
  coordOutPad: number;

  // ---- registers and control
  axilW: number;
  axilM: number;
  axilStrbM: number;
  axilAddrW: number;
  axilAddrM: number;
  regIdxW: number;
  regIdxM: number;
  regIdxLsb: number;
  axilZero: string;
  regReads: RegRead[];
  regFields: RegField[];
  /** POSTPROC enables without a register field (the stage was not generated): tied to 0. */
  regAbsent: { sig: string }[];
  regIdx: Record<string, string>;
  controlStartBit: number;
  controlClearBit: number;
  statusDoneBit: number;
  statusErrorBit: number;
  hiLatches: { port: string; loIdxLit: string; hiMsb: number; hiLsb: number }[];
  counterW: number;
  counterM: number;
  counterZero: string;
  counterOne: string;
  errW: number;
  errM: number;
  err: Record<string, string>;
  sweepLastLit: string;
  /**
   * Verilog expressions and literals whose widths depend on the spec (zero-extensions,
   * truncations, packed positions), by the name the templates use.
   */
  ex: Record<string, string | number>;
}

function lit(width: number, value: number | bigint): string {
  const v = BigInt(value);
  if (v < 0n || v >= 1n << BigInt(width)) throw new RangeError(`accel: literal ${v} does not fit ${width} bits`);
  return `${width}'d${v.toString()}`;
}

/** Fields packed LSB first. */
function pack<K extends string>(fields: [K, number][]): { fields: Record<K, PackedField>; w: number } {
  let lsb = 0;
  const out = {} as Record<K, PackedField>;
  for (const [name, width] of fields) {
    out[name] = { lsb, msb: lsb + width - 1, width };
    lsb += width;
  }
  return { fields: out, w: lsb };
}

/** Verilog expression giving `sig` (from bits wide) at `to` bits: truncate or zero-extend. */
/** Map-free transposed chunked passes in the last cin-tile pair (accel_mapbuf ckt, accel_sched mt_cut). */
export interface MtCutParams {
  /** Entries per chunk (a power of two ≥ 2) and its log2. */
  chunk: number;
  log2: number;
  /** The per-bank table of chunk-end outputs: address width and depth (2^aw ≥ bankDepth / chunk). */
  aw: number;
  awM: number;
  depth: number;
  last: number;
  /** Slices of a bank pointer: the chunk index and the offset inside the chunk. */
  idxHi: number;
  lowM: number;
  lowAll: number;
  hiOneLit: string;
  /** 2·chunk in bankCnt + 1 bits; chunk in len bits; the low offset widened to len / bankCnt + 1 bits. */
  twoLit: string;
  /** chunk in bankCnt + 1 bits (the early walk's whole-chunk threshold). */
  chunkWideLit: string;
  chunkLenLit: string;
  lowPadLen: number;
  lowPadWide: number;
  wideM: number;
  lowPadCnt: number;
}

function mtCutParams(R: number, bankDepth: number, bankCntW: number, lenW: number): MtCutParams | null {
  return cutParams(mtChunkEntries(R, bankDepth), bankDepth, bankCntW, lenW);
}

function cutParams(chunk: number, bankDepth: number, bankCntW: number, lenW: number): MtCutParams | null {
  if (chunk < 2) return null;
  const log2 = clog2(chunk);
  const aw = addrWidth(Math.floor(bankDepth / chunk));
  return {
    chunk,
    log2,
    aw,
    awM: aw - 1,
    depth: 2 ** aw,
    last: 2 ** aw - 1,
    idxHi: log2 + aw - 1,
    lowM: log2 - 1,
    lowAll: chunk - 1,
    hiOneLit: lit(bankCntW - log2, 1),
    twoLit: lit(bankCntW + 1, 2 * chunk),
    chunkWideLit: lit(bankCntW + 1, chunk),
    chunkLenLit: lit(lenW, chunk),
    lowPadLen: lenW - log2,
    lowPadWide: bankCntW + 1 - log2,
    wideM: bankCntW,
    lowPadCnt: bankCntW - log2,
  };
}

export function fitExpr(sig: string, from: number, to: number): string {
  if (from === to) return sig;
  if (from > to) return `${sig}[${to - 1}:0]`;
  return `{${to - from}'d0, ${sig}}`;
}

function slices(wordWidth: number, W: number, beatW: number): BeatSlice[] {
  const n = ceilDiv(wordWidth, W);
  const out: BeatSlice[] = [];
  for (let j = 0; j < n; j++) {
    const lsb = j * W;
    const msb = Math.min(wordWidth, lsb + W) - 1;
    const width = msb - lsb + 1;
    out.push({ index: j, lsb, msb, width, lit: lit(beatW, j), axisMsb: width - 1 });
  }
  return out;
}

function pow2AtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

export function deriveAccel(spec: AcceleratorSpec, registers: RegisterMap): AccelDerived {
  const prefix = `${spec.name}_`;
  const mp = deriveMapping(spec);
  const mx = deriveMatrix(spec);
  const pp = derivePostproc(spec);
  const { arithmetic: ar, buffers: bf, matrix: mt, interfaces: io, postprocess: po } = spec;
  const W = io.axisDataWidth;
  const PW = pointWidth(spec);
  const R = mt.rows;
  const C = mt.cols;
  // Input channels per pass (the cin tile) and bits per weight lane; R stays the tile's row count.
  const RX = mx.xChannels;
  const laneW = mx.laneWidth;
  const V = maxKernelVolume(spec);
  const L = spec.mapping.lanes;

  const cntW = countWidth(bf.coordDepth);
  const idxW = addrWidth(bf.coordDepth);
  const chW = countWidth(mt.maxChannels);
  const chRoundW = Math.max(chW + 1, countWidth(mt.maxChannels + Math.max(RX, R, C) - 1));
  const kW = countWidth(spec.mapping.maxKernelSize);
  const kvW = countWidth(V);
  const kidxW = addrWidth(V);
  const maxInTiles = ceilDiv(mt.maxChannels, RX);
  const maxOutTiles = ceilDiv(mt.maxChannels, C);
  const tiW = countWidth(maxInTiles);
  const toW = countWidth(maxOutTiles);
  const toIdxW = addrWidth(maxOutTiles);
  const krW = countWidth(V * R);
  const pairW = countWidth(maxInTiles * maxOutTiles);

  const featAw = addrWidth(bf.featureDepth);
  const featCntW = countWidth(bf.featureDepth);
  const accAw = addrWidth(bf.accumulatorDepth);
  const wAw = addrWidth(bf.weightDepth);
  const wFillW = countWidth(bf.weightDepth);
  const bankDepth = Math.floor(bf.mapDepth / L);
  if (bankDepth < 1) throw new RangeError(`accel: buffers.mapDepth ${bf.mapDepth} gives no entry per lane`);
  const bankAw = addrWidth(bankDepth);
  const bankCntW = countWidth(bankDepth);
  const laneIdxW = addrWidth(L);
  // The run table holds every run of offset-major jobs (≤ V); segment-major needs its jobs to fit (mapping.ts segMajorMaxK).
  const segDepth = runTableRuns(spec.mapping.maxKernelSize) + 1;
  const segIdxW = clog2(segDepth);
  const segPack = pack<'start' | 'kidx' | 'mirror'>([
    ['start', bankAw],
    ['kidx', kidxW],
    ['mirror', 1],
  ]);
  const chunkMin = Math.max(1, Math.min(bankDepth, Math.max(4, 2 * R)));
  const lenW = Math.max(bankCntW, cntW);

  // Pass list: one entry per recorded pass, counted 0 … depth.
  const plDepth = spec.gatherScatter.passListDepth;
  const plIdxW = addrWidth(Math.max(plDepth, 2));
  const plCntW = countWidth(Math.max(plDepth, 2));
  // The REUSE bit only with the offset-grouped policy (the only one that emits REUSE).
  const plPack = pack<'bank' | 'start' | 'len' | 'kidx' | 'swap' | 'reuse'>([
    ['bank', laneIdxW],
    ['start', bankAw],
    ['len', lenW],
    ['kidx', kidxW],
    ['swap', 1],
    ['reuse', spec.gatherScatter.passGrouping.includes('offset') ? 1 : 0],
  ]);

  const rowsLog2 = clog2(R);
  const colsLog2 = clog2(C);
  // Weight-tile rows per read (banked weight buffer); a tile is R / WR reads.
  const WR = bf.weightReadRows;
  const wrLog2 = clog2(WR);
  if (R % WR !== 0 || bf.weightDepth % WR !== 0 || 2 ** wrLog2 !== WR) throw new RangeError(`accel: buffers.weightReadRows ${WR} must be a power of two dividing matrix.rows ${R} and buffers.weightDepth ${bf.weightDepth}`);
  if (2 ** rowsLog2 !== R || 2 ** colsLog2 !== C) throw new RangeError('accel: matrix rows and cols must be powers of two');
  const wKidxPad = wAw - kidxW - rowsLog2;
  if (wKidxPad < 0) throw new RangeError('accel: weight buffer smaller than maxKernelSize³ · rows');

  // Descriptors.
  const gdPack = pack<'synth' | 'zero' | 'final' | 'lastTo' | 'swap' | 'bank' | 'start' | 'len' | 'to' | 'featBase' | 'accBase'>([
    ['synth', 1],
    ['zero', 1],
    ['final', 1],
    ['lastTo', 1],
    ['swap', 1],
    ['bank', laneIdxW],
    ['start', bankAw],
    ['len', lenW],
    ['to', toIdxW],
    ['featBase', featAw],
    ['accBase', accAw],
  ]);
  const wdPack = pack<'kind' | 'kidx'>([
    ['kind', 2],
    ['kidx', kidxW],
  ]);
  const piPack = pack<'final' | 'lastTo' | 'to'>([
    ['final', 1],
    ['lastTo', 1],
    ['to', toIdxW],
  ]);

  // Loader sections: the longest one in beats.
  const biasBusW = C * ar.accWidth;
  const multBusW = C * po.multiplierWidth;
  const shiftBusW = C * po.shiftWidth;
  const biasBeats = ceilDiv(biasBusW, W);
  const multBeats = ceilDiv(multBusW, W);
  const shiftBeats = ceilDiv(shiftBusW, W);
  const tblBeatW = addrWidth(Math.max(biasBeats, multBeats, shiftBeats));
  const secW =
    Math.max(cntW + tiW, pairW + krW, toW + clog2(Math.max(biasBeats, multBeats, shiftBeats)) + 1, krW, cntW) + 1;
  const featNeedW = cntW + tiW;
  const accNeedW = cntW + toW;
  const featEndW = Math.max(featNeedW, accNeedW, featAw) + 1;

  // Output words.
  const outQW = C * ar.outWidth;
  const accWordW = C * ar.accWidth;
  const outBeats = ceilDiv(outQW, W);
  const accBeats = ceilDiv(accWordW, W);
  const maxBeats = Math.max(outBeats, accBeats);
  const outBeatW = addrWidth(maxBeats);
  const serW = maxBeats * W;

  const pipeFifoDepth = 4;
  const descFifoDepth = 4;
  const pinfoFifoDepth = 8;
  // Drain port: passes issued by the scheduler and completed by the scatter are counted modulo
  // 2^pcW; at most descFifoDepth + pinfoFifoDepth + a few passes are ever in flight.
  const drainPort = spec.gatherScatter.drainPort;
  const epW = spec.gatherScatter.drainEpochBits;
  const pcW = clog2(2 * (descFifoDepth + pinfoFifoDepth + 4));
  // Drain limits: accumulator addresses up to accumulatorDepth (and N_out added to a base).
  const limW = Math.max(accAw, cntW) + 1;

  // ---- register file
  const axilW = io.axilDataWidth;
  const stride = axilW / 8;
  const regIdxW = registers.indexWidth;
  const regIdxLsb = clog2(stride);
  const byName = new Map(registers.registers.map((r) => [r.name, r]));
  const reg = (name: string) => {
    const r = byName.get(name);
    if (!r) throw new Error(`accel: register ${name} missing from the register map`);
    return r;
  };
  const fieldOf = (rname: string, fname: string) => {
    const f = reg(rname).fields.find((x) => x.name === fname);
    if (!f) throw new Error(`accel: register field ${rname}.${fname} missing from the register map`);
    return f;
  };
  const idxLit = (name: string) => lit(regIdxW, reg(name).index);
  const rwDefs: [string, string, string][] = [
    ['LAYER_TYPE', 'TYPE', 'type'],
    ['LAYER_TYPE', 'REUSE_MAP', 'reuse'],
    ['KERNEL_SIZE', 'SIZE', 'k'],
    ['STRIDE', 'STRIDE', 'stride'],
    ['IN_TENSOR_STRIDE', 'LOG2', 'ts'],
    ['IN_POINTS', 'COUNT', 'n_in'],
    ['OUT_POINTS', 'COUNT', 'n_out'],
    ['IN_CHANNELS', 'COUNT', 'cin'],
    ['OUT_CHANNELS', 'COUNT', 'cout'],
  ];
  if (reg('LAYER_TYPE').fields.some((x) => x.name === 'GROUPING')) rwDefs.push(['LAYER_TYPE', 'GROUPING', 'group']);
  if (bf.w0Interleave) rwDefs.push(['LAYER_TYPE', 'W0_BLOCK', 'w0blk']);
  const pprr = reg('POSTPROC');
  const regAbsent: { sig: string }[] = [];
  for (const [f, sig] of [
    ['BIAS_EN', 'bias'],
    ['REQUANT_EN', 'requant'],
    ['RELU_EN', 'relu'],
  ] as const) {
    if (pprr.fields.some((x) => x.name === f)) rwDefs.push(['POSTPROC', f, sig]);
    else regAbsent.push({ sig });
  }
  if (bf.keepFeatures) {
    rwDefs.push(
      ['FUSION', 'FEAT_ON_CHIP', 'chip'],
      ['FUSION', 'KEEP_OUT', 'keep'],
      ['FUSION', 'NO_STREAM', 'nostream'],
      ['FEAT_IN_BASE', 'ADDR', 'fin_base'],
      ['FEAT_OUT_BASE', 'ADDR', 'fout_base'],
    );
  }
  const regFields: RegField[] = rwDefs.map(([r, f, sig]) => {
    const fd = fieldOf(r, f);
    return {
      reg: r,
      field: f,
      sig,
      idxLit: idxLit(r),
      width: fd.width,
      msb: fd.msb,
      lsb: fd.lsb,
      fieldMsb: fd.width - 1,
      resetLit: lit(fd.width, fd.reset),
    };
  });
  const expectWidth = (r: string, f: string, w: number) => {
    const fd = fieldOf(r, f);
    if (fd.width !== w) throw new Error(`accel: ${r}.${f} is ${fd.width} bits, the datapath expects ${w}`);
  };
  expectWidth('LAYER_TYPE', 'TYPE', 2);
  expectWidth('LAYER_TYPE', 'REUSE_MAP', 1);
  expectWidth('KERNEL_SIZE', 'SIZE', kW);
  expectWidth('STRIDE', 'STRIDE', mp.strideWidth);
  expectWidth('IN_TENSOR_STRIDE', 'LOG2', mp.tsWidth);
  expectWidth('IN_POINTS', 'COUNT', cntW);
  expectWidth('OUT_POINTS', 'COUNT', cntW);
  expectWidth('IN_CHANNELS', 'COUNT', chW);
  expectWidth('OUT_CHANNELS', 'COUNT', chW);
  if (bf.keepFeatures) {
    expectWidth('FEAT_IN_BASE', 'ADDR', featAw);
    expectWidth('FEAT_OUT_BASE', 'ADDR', featAw);
  }

  const rwSig = new Map(regFields.map((f) => [`${f.reg}.${f.field}`, `${f.sig}_q`]));
  const counterPorts: Record<string, string> = {
    PERF_TOTAL_CYCLES: 'cnt_total',
    PERF_MAPPING_CYCLES: 'cnt_mapping',
    PERF_COMPUTE_CYCLES: 'cnt_compute',
    PERF_STALL_CYCLES: 'cnt_stall',
    PERF_MAP_ENTRIES: 'cnt_entries',
  };
  const hiLatches: AccelDerived['hiLatches'] = [];
  const regReads: RegRead[] = [];
  for (const r of registers.registers) {
    const parts: { lsb: number; width: number; expr: string }[] = [];
    const perf = /^(PERF_[A-Z_]+?)(_LO|_HI)?$/.exec(r.name);
    const perfPort = perf ? counterPorts[perf[1]!] : undefined;
    for (const f of r.fields) {
      let expr: string | null;
      const key = `${r.name}.${f.name}`;
      if (rwSig.has(key)) expr = key === 'OUT_POINTS.COUNT' ? 'out_points' : rwSig.get(key)!;
      else if (f.access === 'WO') expr = null;
      else if (r.name === 'STATUS') {
        expr = { BUSY: 'busy_i', DONE: 'done_q', ERROR: 'err_q', ERROR_CODE: 'err_code_q' }[f.name] ?? null;
        if (expr === null) throw new Error(`accel: unknown STATUS field ${f.name}`);
      } else if (perfPort !== undefined) {
        if (perf![2] === '_HI') {
          expr = `${perfPort}_hi_q`;
          hiLatches.push({ port: perfPort, loIdxLit: idxLit(`${perf![1]}_LO`), hiMsb: registers.perfCounterWidth - 1, hiLsb: axilW });
        } else if (perf![2] === '_LO') expr = `${perfPort}_i[${f.width - 1}:0]`;
        else expr = `${perfPort}_i`;
      } else if (f.access === 'RO') expr = lit(f.width, f.reset);
      else throw new Error(`accel: register field ${key} (${f.access}) has no source in the register file`);
      if (expr !== null) parts.push({ lsb: f.lsb, width: f.width, expr });
    }
    parts.sort((a, b) => b.lsb - a.lsb);
    const cat: string[] = [];
    let top = axilW;
    for (const p of parts) {
      const gap = top - (p.lsb + p.width);
      if (gap > 0) cat.push(`${gap}'d0`);
      cat.push(p.expr);
      top = p.lsb;
    }
    if (top > 0) cat.push(`${top}'d0`);
    const expr = cat.length === 1 ? cat[0]! : `{${cat.join(', ')}}`;
    regReads.push({ name: r.name, idxLit: idxLit(r.name), expr });
  }
  const regIdx: Record<string, string> = {};
  for (const n of ['CONTROL', 'STATUS']) regIdx[n] = idxLit(n);

  const errW = 8;
  const err = Object.fromEntries(ERROR_CODES.map((e) => [e.name, lit(errW, e.code)]));

  const psumW = mx.psumWidth;
  const ceilFields = mp; // slot layout comes from the mapping engine
  const laneList = Array.from({ length: L }, (_, l) => ({
    index: l,
    lit: lit(laneIdxW, l),
    slotLsb: l * ceilFields.slotWidth,
    slotMsb: (l + 1) * ceilFields.slotWidth - 1,
    wrLsb: l * bankCntW,
    wrMsb: (l + 1) * bankCntW - 1,
    nsegLsb: l * segIdxW,
    nsegMsb: (l + 1) * segIdxW - 1,
    lastLsb: l * 2 * idxW,
    lastMsb: (l + 1) * 2 * idxW - 1,
    // The output index of the bank's last entry, and at cntW bits (drain marks).
    lastOutLsb: l * 2 * idxW + idxW,
    lastOutCnt: fitExpr(`lo_${l}`, idxW, cntW),
  }));

  return {
    m: {
      top: `${prefix}accel`,
      regs: `${prefix}accel_regs`,
      ctrl: `${prefix}accel_ctrl`,
      loader: `${prefix}accel_loader`,
      mapbuf: `${prefix}accel_mapbuf`,
      sched: `${prefix}accel_sched`,
      wfetch: `${prefix}accel_wfetch`,
      gather: `${prefix}accel_gather`,
      scatter: `${prefix}accel_scatter`,
      drain: `${prefix}accel_drain`,
      output: `${prefix}accel_output`,
      fuse: `${prefix}accel_fuse`,
      ram: `${prefix}accel_ram`,
      fifo: mx.fifoModule,
      matrix: mx.module,
      postproc: pp.module,
      engine: mp.engineModule,
    },
    axisW: W,
    axisM: W - 1,
    pointW: PW,
    pointM: PW - 1,
    axisPointPad: W - PW,
    axisPadLsb: PW,

    cntW,
    cntM: cntW - 1,
    idxW,
    idxM: idxW - 1,
    cntZero: lit(cntW, 0),
    cntOne: lit(cntW, 1),
    coordDepthCntLit: lit(cntW, bf.coordDepth),
    chW,
    chM: chW - 1,
    chZero: lit(chW, 0),
    maxChannelsLit: lit(chW, mt.maxChannels),
    kW,
    kM: kW - 1,
    mapFree: mp.mapFree,
    mapFreeTrans: mp.mapFreeTrans,
    mtMarks: drainPort && mp.mapFreeTrans,
    outInterleave: mp.mapFree && spec.interfaces.outputOrder === 'interleaved',
    mtCut: drainPort && mp.mapFreeTrans ? mtCutParams(R, bankDepth, bankCntW, lenW) : null,
    ewCut: mp.mfEarly ? cutParams(ewChunkEntries(R, WR, bankDepth), bankDepth, bankCntW, lenW) : null,
    keepFeatures: bf.keepFeatures,
    featEndW,
    featEndM: featEndW - 1,
    featDepthEndLit: lit(featEndW, bf.featureDepth),
    featEndZero: lit(featEndW, 0),
    featCntAllLit: lit(featCntW, 2 ** featCntW - 1),
    mfKLit: mp.mapFree ? lit(kW, 2) : '',
    mfStrideLit: mp.mapFree ? lit(mp.strideWidth, 2) : '',
    kZero: lit(kW, 0),
    kMaxLit: lit(kW, spec.mapping.maxKernelSize),
    kNeedsMaxCheck: 2 ** kW - 1 > spec.mapping.maxKernelSize,
    strideW: mp.strideWidth,
    strideM: mp.strideWidth - 1,
    tsW: mp.tsWidth,
    tsM: mp.tsWidth - 1,
    typeSubLit: lit(2, LAYER_TYPE_CODES.submanifold),
    typeConvLit: lit(2, LAYER_TYPE_CODES.conv),
    typeTransLit: lit(2, LAYER_TYPE_CODES.transposed),
    kvW,
    kvM: kvW - 1,
    kvOne: lit(kvW, 1),
    kCubeW: 3 * kW,
    kCubeM: 3 * kW - 1,
    kidxW,
    kidxM: kidxW - 1,
    kidxOne: lit(kidxW, 1),
    kidxZero: lit(kidxW, 0),
    rows: R,
    cols: C,
    rowsLog2,
    colsLog2,
    chRoundW,
    chRoundM: chRoundW - 1,
    rowsM1Lit: lit(chRoundW, R - 1),
    xRows: RX,
    xRowsLog2: clog2(RX),
    xRowsM1Lit: lit(chRoundW, RX - 1),
    colsM1Lit: lit(chRoundW, C - 1),
    tiW,
    tiM: tiW - 1,
    toW,
    toM: toW - 1,
    tiOne: lit(tiW, 1),
    toOne: lit(toW, 1),
    toZero: lit(toW, 0),
    tiZero: lit(tiW, 0),
    toIdxW,
    toIdxM: toIdxW - 1,
    tblDepth: 2 ** toIdxW,
    krW,
    krM: krW - 1,
    krRawW: kvW + rowsLog2,
    krRawM: kvW + rowsLog2 - 1,
    pairW,
    pairM: pairW - 1,
    pairOne: lit(pairW, 1),

    featDepth: bf.featureDepth,
    featAw,
    featAwM: featAw - 1,
    featCntW,
    featCntM: featCntW - 1,
    featWordW: RX * ar.inWidth,
    featWordM: RX * ar.inWidth - 1,
    featNeedW,
    featNeedM: featNeedW - 1,
    featDepthNeedLit: lit(featNeedW, Math.min(bf.featureDepth, 2 ** featNeedW - 1)),
    featCheck: bf.featureDepth < 2 ** featNeedW - 1,
    accCheck: bf.accumulatorDepth < 2 ** accNeedW - 1,
    chCheck: mt.maxChannels < 2 ** chW - 1,
    accDepth: bf.accumulatorDepth,
    accAw,
    accAwM: accAw - 1,
    accAwZero: lit(accAw, 0),
    accAwOne: lit(accAw, 1),
    accLastLit: lit(accAw, bf.accumulatorDepth - 1),
    accWordW,
    accWordM: accWordW - 1,
    accWordZero: lit(accWordW, 0),
    accNeedW,
    accNeedM: accNeedW - 1,
    accNeedZero: lit(accNeedW, 0),
    accDepthNeedLit: lit(accNeedW, Math.min(bf.accumulatorDepth, 2 ** accNeedW - 1)),
    wDepth: bf.weightDepth,
    wAw,
    wAwM: wAw - 1,
    wWordW: C * laneW,
    wWordM: C * laneW - 1,
    wFillW,
    wFillM: wFillW - 1,
    wDepthFillLit: lit(wFillW, bf.weightDepth),
    wRead: {
      rows: WR,
      banked: WR > 1,
      bankDepth: bf.weightDepth / WR,
      bankAw: wAw - wrLog2,
      bankAwM: wAw - wrLog2 - 1,
      hi: `${wAw - 1}:${wrLog2}`,
      wRdW: WR * C * laneW,
      wRdM: WR * C * laneW - 1,
      banks: Array.from({ length: WR }, (_, bank) => ({
        bank,
        sel: wrLog2 > 0 ? `(w_waddr[${wrLog2 - 1}:0] == ${lit(wrLog2, bank)})` : '1\'b1',
        lsb: bank * C * laneW,
        msb: (bank + 1) * C * laneW - 1,
      })),
    },
    wCmpW: Math.max(wFillW, krW),
    wKidxPad,
    lanes: L,
    laneIdxW,
    laneIdxM: laneIdxW - 1,
    laneLastLit: lit(laneIdxW, L - 1),
    laneZeroLit: lit(laneIdxW, 0),
    laneOneLit: lit(laneIdxW, 1),
    laneList,
    wrBusW: L * bankCntW,
    wrBusM: L * bankCntW - 1,
    nsegBusW: L * segIdxW,
    nsegBusM: L * segIdxW - 1,
    lastBusW: L * 2 * idxW,
    lastBusM: L * 2 * idxW - 1,
    bankDepth,
    bankAw,
    bankAwM: bankAw - 1,
    bankCntW,
    bankCntM: bankCntW - 1,
    bankDepthLit: lit(bankCntW, bankDepth),
    bankCntZero: lit(bankCntW, 0),
    bankCntOne: lit(bankCntW, 1),
    entryW: 2 * idxW,
    entryM: 2 * idxW - 1,
    segDepth,
    segLast: segDepth - 1,
    segIdxW,
    segIdxM: segIdxW - 1,
    segIdxZero: lit(segIdxW, 0),
    segIdxOne: lit(segIdxW, 1),
    segIdxMaxLit: lit(segIdxW, segDepth - 1),
    segW: segPack.w,
    segM: segPack.w - 1,
    seg: { start: segPack.fields.start, kidx: segPack.fields.kidx, mirror: segPack.fields.mirror.lsb },
    chunkMin,
    chunkMinLit: lit(bankCntW, chunkMin),
    // A tile loads in R / WR cycles: a pass of that many entries hides the next load.
    chunkMinMtLit: lit(bankCntW, Math.max(1, Math.min(bankDepth, Math.max(4, R / WR)))),
    ckMinLit: lit(bankCntW, Math.max(1, Math.min(bankDepth, R))),
    lenW,
    lenM: lenW - 1,
    lenOne: lit(lenW, 1),
    lenZero: lit(lenW, 0),

    mapWordW: mp.mapWordWidth,
    mapWordM: mp.mapWordWidth - 1,
    slot: {
      w: mp.slotWidth,
      m: mp.slotWidth - 1,
      valid: mp.slotValidBit,
      mirror: mp.slotMirrorBit,
      kidx: { lsb: mp.slotKidxLsb, msb: mp.slotKidxMsb, width: mp.slotKidxMsb - mp.slotKidxLsb + 1 },
      inIdx: { lsb: mp.slotInLsb, msb: mp.slotInMsb, width: mp.slotInMsb - mp.slotInLsb + 1 },
      outIdx: { lsb: mp.slotOutLsb, msb: mp.slotOutMsb, width: mp.slotOutMsb - mp.slotOutLsb + 1 },
    },

    gd: {
      w: gdPack.w,
      m: gdPack.w - 1,
      synth: gdPack.fields.synth.lsb,
      zero: gdPack.fields.zero.lsb,
      final: gdPack.fields.final.lsb,
      lastTo: gdPack.fields.lastTo.lsb,
      swap: gdPack.fields.swap.lsb,
      bank: gdPack.fields.bank,
      start: gdPack.fields.start,
      len: gdPack.fields.len,
      to: gdPack.fields.to,
      featBase: gdPack.fields.featBase,
      accBase: gdPack.fields.accBase,
    },
    wd: { w: wdPack.w, m: wdPack.w - 1, kind: wdPack.fields.kind, kidx: wdPack.fields.kidx },
    w0mix: {
      on: bf.w0Interleave,
      featAddr: fitExpr('fcnt_q', secW, featAw),
      blkM: W0_BLOCK_WIDTH - 1,
      blkZero: lit(W0_BLOCK_WIDTH, 0),
      blkOne: lit(W0_BLOCK_WIDTH, 1),
      kvM: kvW - 1,
      kvOfKr: rowsLog2 > 0 ? `kr_i[${krW - 1}:${rowsLog2}]` : 'kr_i',
      kvOne: lit(kvW, 1),
      kidxToKv: fitExpr('kidx', kidxW, kvW),
      slotOfPos: fitExpr('slot_w', kvW + 1, kidxW),
    },
    grp: {
      on: spec.gatherScatter.passGrouping.includes('offset'),
      field: spec.gatherScatter.passGrouping.length > 1,
      om: mp.offsetMajorIn,
    },
    pl: {
      on: plDepth > 0,
      depth: plDepth,
      depthM: Math.max(plDepth - 1, 0),
      idxW: plIdxW,
      idxM: plIdxW - 1,
      cntW: plCntW,
      cntM: plCntW - 1,
      cntZero: lit(plCntW, 0),
      cntOne: lit(plCntW, 1),
      fullLit: lit(plCntW, Math.max(plDepth, 0)),
      w: plPack.w,
      m: plPack.w - 1,
      bank: plPack.fields.bank,
      start: plPack.fields.start,
      len: plPack.fields.len,
      kidx: plPack.fields.kidx,
      swap: plPack.fields.swap.lsb,
      reuse: plPack.fields.reuse.lsb,
      cntToIdx: fitExpr('pl_n_q', plCntW, plIdxW),
      iToIdx: fitExpr('pl_i_q', plCntW, plIdxW),
    },
    pinfo: { w: piPack.w, m: piPack.w - 1, final: piPack.fields.final.lsb, lastTo: piPack.fields.lastTo.lsb, to: piPack.fields.to },
    descFifoDepth,
    descFifoPtrW: clog2(descFifoDepth),
    descFifoCntW: countWidth(descFifoDepth),
    pinfoFifoDepth,
    pinfoFifoPtrW: clog2(pinfoFifoDepth),
    pinfoFifoCntW: countWidth(pinfoFifoDepth),
    pipeFifoDepth,
    pipeFifoPtrW: clog2(pipeFifoDepth),
    pipeFifoCntW: countWidth(pipeFifoDepth),

    xW: RX * ar.inWidth,
    xM: RX * ar.inWidth - 1,
    tagW: mx.tagWidth,
    tagM: mx.tagWidth - 1,
    psumW,
    psumM: psumW - 1,
    psumExt: ar.accWidth - psumW,
    gidxToFeat: fitExpr('gidx', idxW, featAw),
    sidxToAcc: fitExpr('sidx', idxW, accAw),
    qToIdx: fitExpr('e_q', lenW, idxW),
    featAddrCmpPad: featCntW - featAw,
    forwarding: spec.gatherScatter.scatterForwarding,
    drainPort,
    drainMarks: drainPort && mp.mapFree,
    mfRowChunks: drainPort && mp.mapFree && spec.interfaces.outputOrder === 'interleaved',
    dmFront: reduceFlat('fmx', laneList.map((l) => `fl_${l.index}`), '>', cntW),
    dmMin: reduceFlat('wmn', ['front_max_q', ...laneList.map((l) => `bnd_${l.index}_q`)], '<', cntW),
    limW,
    limM: limW - 1,
    limZero: lit(limW, 0),
    limOne: lit(limW, 1),
    epW,
    epM: epW - 1,
    epZero: lit(epW, 0),
    epOne: lit(epW, 1),
    epMaxLit: lit(epW, 2 ** epW - 1),
    pcW,
    pcM: pcW - 1,
    pcZero: lit(pcW, 0),
    pcOne: lit(pcW, 1),
    scatterOutW: toIdxW + 1 + accWordW,
    scatterOutM: toIdxW + accWordW,

    secW,
    secM: secW - 1,
    secZero: lit(secW, 0),
    secOne: lit(secW, 1),
    secPadCnt: secW - cntW,
    secPadKr: secW - krW,
    secPadTo: secW - toW,
    tblBeatW,
    tblBeatM: tblBeatW - 1,
    tblBeatZero: lit(tblBeatW, 0),
    tblBeatOne: lit(tblBeatW, 1),
    hasBias: po.bias,
    hasRequant: po.requant,
    hasRelu: pp.relu,
    biasSlices: slices(biasBusW, W, tblBeatW),
    multSlices: slices(multBusW, W, tblBeatW),
    shiftSlices: slices(shiftBusW, W, tblBeatW),
    biasBeatsLit: lit(secW, biasBeats),
    multBeatsLit: lit(secW, multBeats),
    shiftBeatsLit: lit(secW, shiftBeats),
    biasLastBeatLit: lit(tblBeatW, biasBeats - 1),
    multLastBeatLit: lit(tblBeatW, multBeats - 1),
    shiftLastBeatLit: lit(tblBeatW, shiftBeats - 1),
    biasBusW,
    biasBusM: biasBusW - 1,
    multBusW,
    multBusM: multBusW - 1,
    shiftBusW,
    shiftBusM: shiftBusW - 1,

    outQW,
    outQM: outQW - 1,
    outBeats,
    accBeats,
    outBeatW,
    outBeatM: outBeatW - 1,
    outBeatZero: lit(outBeatW, 0),
    outBeatOne: lit(outBeatW, 1),
    outLastBeatLit: lit(outBeatW, outBeats - 1),
    accLastBeatLit: lit(outBeatW, accBeats - 1),
    serW,
    serM: serW - 1,
    serAccPad: serW - accWordW,
    serQPad: serW - outQW,
    serSlices: Array.from({ length: maxBeats }, (_, j) => ({ index: j, lsb: j * W, msb: j * W + W - 1, lit: lit(outBeatW, j) })),
    coordOutPad: W - PW,

    axilW,
    axilM: axilW - 1,
    axilStrbM: axilW / 8 - 1,
    axilAddrW: registers.addrWidth,
    axilAddrM: registers.addrWidth - 1,
    regIdxW,
    regIdxM: regIdxW - 1,
    regIdxLsb,
    axilZero: lit(axilW, 0),
    regReads,
    regFields,
    regAbsent,
    regIdx,
    controlStartBit: fieldOf('CONTROL', 'START').lsb,
    controlClearBit: fieldOf('CONTROL', 'CLEAR').lsb,
    statusDoneBit: fieldOf('STATUS', 'DONE').lsb,
    statusErrorBit: fieldOf('STATUS', 'ERROR').lsb,
    hiLatches,
    counterW: registers.perfCounterWidth,
    counterM: registers.perfCounterWidth - 1,
    counterZero: lit(registers.perfCounterWidth, 0),
    counterOne: lit(registers.perfCounterWidth, 1),
    errW,
    errM: errW - 1,
    err,
    sweepLastLit: lit(accAw, bf.accumulatorDepth - 1),
    ex: expressions(),
  };

  function expressions(): Record<string, string | number> {
    const rowIdxW = addrWidth(R);
    // The fetcher's beat counter: a tile is R / WR reads of WR rows.
    const fRowIdxW = addrWidth(R / WR);
    const rowW = wrLog2 > 0 ? `{row_q, ${lit(wrLog2, 0)}}` : 'row_q';
    const xFifoW = 1 + mx.tagWidth + RX * ar.inWidth;
    const kidxOffW = kidxW + rowsLog2;
    const kidxCat = rowsLog2 > 0 ? `{tslot, ${rowsLog2}'d0}` : 'tslot';
    return {
      // accel_ctrl
      kCubeExt: fitExpr('k_q', kW, 3 * kW),
      krRaw: rowsLog2 > 0 ? `{k_cube[${kvW - 1}:0], ${rowsLog2}'d0}` : `k_cube[${kvW - 1}:0]`,
      cinRound: fitExpr('cin_q', chW, chRoundW),
      coutRound: fitExpr('cout_q', chW, chRoundW),
      cfgCinRound: fitExpr('cfg_cin_i', chW, chRoundW),
      tiPair: fitExpr('ti_q', tiW, pairW),
      toPair: fitExpr('to_q', toW, pairW),
      pairsSec: fitExpr('pairs_m1', pairW, secW),
      krSec: fitExpr('kr_q', krW, secW),
      nInFeat: fitExpr('cfg_n_in_i', cntW, featNeedW),
      tiFeat: fitExpr('cfg_ti_t', tiW, featNeedW),
      // accel (top): N_out·To kept beside oc_cnt_q
      nOutAcc: fitExpr('n_stat', cntW, accNeedW),
      toAcc: fitExpr('l_to', toW, accNeedW),
      featBeats: fitExpr('feat_need_q', featNeedW, secW),
      // accel_ctrl, fusion checks (feature-buffer regions as [base, base + words))
      inBaseEnd: fitExpr('fin_base_q', featAw, featEndW),
      outBaseEnd: fitExpr('fout_base_q', featAw, featEndW),
      featNeedEnd: fitExpr('feat_need_q', featNeedW, featEndW),
      accNeedEnd: fitExpr('acc_need', accNeedW, featEndW),
      nOutTag: 'n_out_i',
      // accel_loader
      nInSec: fitExpr('n_in_i', cntW, secW),
      nOutSec: fitExpr('n_out_i', cntW, secW),
      toSec: fitExpr('to_i', toW, secW),
      krSecL: fitExpr('kr_i', krW, secW),
      featAddr: fitExpr('count_q', secW, featAw),
      toIdxOne: lit(toIdxW, 1),
      toIdxZero: lit(toIdxW, 0),
      wAwOne: lit(wAw, 1),
      wAwZero: lit(wAw, 0),
      featCntOne: lit(featCntW, 1),
      featCntZero: lit(featCntW, 0),
      // accel_sched
      segStartCnt: fitExpr('seg_start', bankAw, bankCntW),
      availLen: fitExpr('avail', bankCntW, lenW),
      mavailLen: fitExpr('mavail', bankCntW, lenW),
      mptrStart: `mp_q[${bankAw - 1}:0]`,
      grpKeyW: kidxW + 1,
      grpKeyM: kidxW,
      nOutLen: fitExpr('n_out_i', cntW, lenW),
      bankAwZero: lit(bankAw, 0),
      featAwZero: lit(featAw, 0),
      featAwOne: lit(featAw, 1),
      nOutAcc2: fitExpr('n_out_i', cntW, accAw),
      nInFeat2: fitExpr('n_in_i', cntW, featAw),
      toIdx: fitExpr('to_q', toW, toIdxW),
      drToIdx: fitExpr('dto_q', toW, toIdxW),
      limAbase: fitExpr('abase_q', accAw, limW),
      limNout: fitExpr('n_out_i', cntW, limW),
      limWmin: fitExpr('wmin_q', cntW, limW),
      maxOutPlus: `${fitExpr('max_out', idxW, cntW)} + ${lit(cntW, 1)}`,
      dnAddr: fitExpr('dn_q', limW, accAw),
      fbaseCnt: fitExpr('fbase_q', featAw, featCntW),
      rlInCnt: fitExpr('rl_in', idxW, featCntW),
      rlOutCnt: fitExpr('rl_out', idxW, featCntW),
      lsInCnt: fitExpr('ls_in', idxW, featCntW),
      lsOutCnt: fitExpr('ls_out', idxW, featCntW),
      ckInCnt: fitExpr('ck_in', idxW, featCntW),
      ewInCnt: fitExpr('ew_in', idxW, featCntW),
      ckOutCnt: fitExpr('ck_out', idxW, featCntW),
      ckavLen: fitExpr('ckavail', bankCntW, lenW),
      // accel_wfetch
      rowIdxM: rowIdxW - 1,
      rowLastLit: lit(rowIdxW, R - 1),
      rowZero: lit(rowIdxW, 0),
      rowOne: lit(rowIdxW, 1),
      fRowIdxM: fRowIdxW - 1,
      fRowLastLit: lit(fRowIdxW, R / WR - 1),
      fRowZero: lit(fRowIdxW, 0),
      fRowOne: lit(fRowIdxW, 1),
      rowBeats: R / WR,
      fillCmp: fitExpr('fill_q', wFillW, Math.max(wFillW, krW)),
      krCmp: fitExpr('kr_i', krW, Math.max(wFillW, krW)),
      kidxOff: kidxOffW === wAw ? kidxCat : `{${wAw - kidxOffW}'d0, ${kidxCat}}`,
      rowToW: fitExpr(rowW, fRowIdxW + wrLog2, wAw),
      fillCmpT: 'fill_q',
      tileEnd: `${kidxOffW === wFillW ? kidxCat : `{${wFillW - kidxOffW}'d0, ${kidxCat}}`} + ${lit(wFillW, R)}`,
      fillOne: lit(wFillW, 1),
      fillZero: lit(wFillW, 0),
      krFill: fitExpr('kr_i', krW, wFillW),
      krW: fitExpr('kr_i', krW, wAw),
      wFifoW: WR * C * laneW + 1 + (spec.gatherScatter.passGrouping.includes('offset') ? 1 : 0),
      wLastBit: WR * C * laneW,
      wReuseBit: WR * C * laneW + 1,
      wFifoM: WR * C * laneW + (spec.gatherScatter.passGrouping.includes('offset') ? 1 : 0),
      wWordZero: lit(WR * C * laneW, 0),
      // accel_gather
      roomM: featCntW,
      fbaseRoom: fitExpr('s1_fbase_q', featAw, featCntW + 1),
      gidxCmp: fitExpr('gidx_f', featAw, featCntW),
      eToBank: fitExpr('e_q', lenW, bankAw),
      dTo: `d_data_i[${gdPack.fields.to.msb}:${gdPack.fields.to.lsb}]`,
      xFifoW,
      xFifoM: xFifoW - 1,
      xTagLsb: RX * ar.inWidth,
      xTagMsb: RX * ar.inWidth + mx.tagWidth - 1,
      xZero: lit(RX * ar.inWidth, 0),
      // accel_scatter
      yM: mx.yDataWidth - 1,
      accW: ar.accWidth,
      accM: ar.accWidth - 1,
      oToLsb: accWordW + 1,
      // accel_output
      cFifoW: PW + 1,
      serQ: fitExpr('w_q_i', outQW, serW),
      serAcc: fitExpr('w_acc_i', accWordW, serW),
      coordBeat: W === PW ? `cfifo_out[${PW - 1}:0]` : `{${W - PW}'d0, cfifo_out[${PW - 1}:0]}`,
      // accel (top)
      km1: fitExpr('kvol_m1', kvW, kidxW),
      coordDepth: bf.coordDepth,
      tblLast: 2 ** toIdxW - 1,
      biasZero: lit(biasBusW, 0),
      ppTagM: pp.tagWidth - 1,
      ppTagZero: lit(pp.tagWidth, 0),
    };
  }
}
