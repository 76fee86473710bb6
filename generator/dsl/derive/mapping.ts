// Derived parameters of the mapping engine (templates/mapping/*.v.hbs); aggregated by
// derive/index.ts as `derived.mapping`. Every number the mapping templates print comes from here.
//
// Keys. A point `{b, x, y, z}` (signed x/y/z of coordWidth bits) is held in the coordinate
// buffers as a *key* `{b, x^s, y^s, z^s}` from the MSB (s = the field's sign bit flipped), so
// unsigned key order = canonical order. The merge compares *extended* keys whose x/y/z fields
// have one guard bit (extField = coordWidth + 1 bits, offset binary with bias 2^(coordWidth-1)):
// `u + 2^(cw-1) − δ` never wraps while |δ| ≤ 2^(cw-1), which the engine checks at START
// (BAD_TENSOR_STRIDE otherwise). So a shift can never produce a false match.
//
// Map words. One word per beat of the internal map stream: `lanes` slots, slot l at bits
// [l·slotWidth +: slotWidth], slot fields from the LSB: valid, mirror, kernel index, input index,
// output index. `mirror` (submanifold, odd k, kernel index < centre) means the slot also stands
// for the entry (k³−1−kidx, output index, input index).
import type { AcceleratorSpec } from '../spec.ts';
import { addrWidth, ceilDiv, clog2, countWidth } from './math.ts';
import { nearFirstOrder, segMajorMaxK } from '../../model/run-table.ts';
import { reduceTree, type ReduceTree } from './reduce-tree.ts';
import { deriveRegisters, ERROR_CODES, LAYER_TYPE_CODES, type RegisterMap } from './registers.ts';

/** Mapping-engine error codes: the aggregate's ERROR_CODES where one fits, plus one of our own. */
export const MAP_ERROR_CODES = {
  NONE: 0,
  UNSUPPORTED_LAYER: 1,
  BAD_KERNEL: 2,
  BAD_STRIDE: 3,
  COORD_OVERFLOW: 5,
  DUPLICATE_COORD: 10,
  UNSORTED_COORDS: 11,
  STREAM_PROTOCOL: 12,
  /** Not (yet) in registers.ts ERROR_CODES: the tensor stride makes a shifted or quantized coordinate leave the comparator range. */
  BAD_TENSOR_STRIDE: 13,
} as const;
export type MapErrorName = keyof typeof MAP_ERROR_CODES;

export const MAP_ERROR_DESCRIPTIONS: Record<MapErrorName, string> = {
  NONE: 'no error',
  UNSUPPORTED_LAYER: 'layer type not among mapping.layerTypes',
  BAD_KERNEL: 'kernel size 0 or above mapping.maxKernelSize',
  BAD_STRIDE: 'stride not a power of two ≤ mapping.maxStride (or not 1 for submanifold)',
  COORD_OVERFLOW: 'more points than buffers.coordDepth',
  DUPLICATE_COORD: 'two points with the same coordinates',
  UNSORTED_COORDS: 'coordinates not in canonical order',
  STREAM_PROTOCOL: 'coordinate stream ended early (TLAST) or carried more beats than announced',
  BAD_TENSOR_STRIDE: 'tensor stride too large for coordWidth (shifted or quantized coordinates would leave the range)',
};

/** One register that mapping_top decodes: `expr` is the Verilog read value (already padded). */
export interface MapReadReg {
  name: string;
  index: number;
  expr: string;
}

export interface MapCounter {
  /** Register base name (PERF_* of the aggregate map, or MAP_* appended after it). */
  name: string;
  /** Engine output port carrying the 64-bit count. */
  port: string;
  description: string;
}

export interface MappingDerived {
  // module names
  topModule: string;
  engineModule: string;
  laneModule: string;
  dsModule: string;
  ramModule: string;
  regsModule: string;
  serModule: string;

  lanes: number;
  laneMsb: number;
  coordWidth: number;
  coordMsb: number;
  batchWidth: number;
  /** batchWidth + 3·coordWidth. */
  keyWidth: number;
  keyMsb: number;
  /** Field bit ranges of a key {b, x, y, z} (z in the low bits). */
  zLsb: number; zMsb: number; yLsb: number; yMsb: number; xLsb: number; xMsb: number; bLsb: number; bMsb: number;
  /** Field bit ranges of an AXIS point {b, z, y, x} (x in the low bits; derive().coords.pointWidth). */
  pxLsb: number; pxMsb: number; pyLsb: number; pyMsb: number; pzLsb: number; pzMsb: number; pbLsb: number; pbMsb: number;
  /** Sign bits of x/y/z in a key: `keyWidth'h…`. */
  flipMaskLit: string;
  extFieldWidth: number;
  extFieldMsb: number;
  extKeyWidth: number;
  extKeyMsb: number;
  /** Ext-key field ranges. */
  ezLsb: number; ezMsb: number; eyLsb: number; eyMsb: number; exLsb: number; exMsb: number; ebLsb: number; ebMsb: number;
  /** 2^(cw-1) as an extFieldWidth-bit literal. */
  extBiasLit: string;
  /** 2^(cw-1) in the dispatcher's wide signed arithmetic (deltaWidth bits). */
  deltaWidth: number;
  deltaMsb: number;
  deltaBiasLit: string;
  deltaOneLit: string;
  deltaZeroLit: string;

  depth: number;
  idxWidth: number;
  idxMsb: number;
  /** Bits of a point count 0 … depth. */
  cntWidth: number;
  cntMsb: number;
  depthLit: string;
  cntZeroLit: string;
  cntOneLit: string;
  idxZeroLit: string;
  idxOneLit: string;

  maxKernelSize: number;
  kWidth: number;
  kMsb: number;
  kMaxLit: string;
  kZeroLit: string;
  kOneLit: string;
  kidxWidth: number;
  kidxMsb: number;
  kidxZeroLit: string;
  kidxOneLit: string;
  kidxMaxLit: string;

  maxStride: number;
  strideWidth: number;
  strideMsb: number;
  strideLog2Max: number;
  /** Strides 1, 2, 4 … maxStride with their log2: the RTL's power-of-two decode. */
  strideList: { log2: number; lit: string; log2Lit: string }[];
  sLog2Width: number;
  sLog2Msb: number;
  tsWidth: number;
  tsMsb: number;
  /** Max legal tensor-stride log2 (coordWidth − 1) in tsWidth bits. */
  tsMaxLit: string;
  /** coordWidth − 1 as a (tsWidth+1)-bit literal, for tsLog2 + sLog2. */
  tsSumMaxLit: string;
  tsSumWidth: number;
  tsSumMsb: number;

  layerTypeSub: boolean;
  layerTypeConv: boolean;
  layerTypeTrans: boolean;
  codeSubLit: string;
  codeConvLit: string;
  codeTransLit: string;

  // downsampler
  hasDownsample: boolean;
  /** Map-free conv k = s = 2 (spec.mapping.mapFreeDownsample): the downsampler emits the map. */
  mapFree: boolean;
  /**
   * Map-free transposed k = s = 2 (spec.mapping.mapFreeTransposed): the downsampler walks the given
   * output points in parent order and matches each parent against the input list (mt_i).
   */
  mapFreeTrans: boolean;
  /** Map-free conv walk during the coordinate load (spec.mapping.mapFreeEarlyWalk; pipelined downsampler). */
  mfEarly: boolean;
  /** MSB of a (batch, x) slab key: the early walk's slab comparisons. */
  slabMsb: number;
  /** Its progress frontier: a balanced min tree over the candidates mtc_<i> (classes, then the FIFO / entry buffer). */
  mtFrontTree: ReduceTree;
  cntOnesLit: string;
  /** cntWidth − idxWidth: pads an index to a count. */
  mtIdxPad: number;
  /** Indices of the frontier candidates after the classes'. */
  mtFrontC1: number;
  mtFrontC2: number;
  mtFrontC3: number;
  /** Merge jobs segment-major (spec.mapping.segmentMajor). */
  segmentMajor: boolean;
  /** Segment-major jobs near offsets first (spec.mapping.nearFirstJobs, with segmentMajor). */
  nearFirst: boolean;
  /**
   * The near-first job table (model/run-table.ts nearFirstOrder): case items {half, k_q, job index
   * in the segment} → the job's kernel index and (ix, iy, iz); jobs whose offset is the usual one
   * (kernel index = job index) are left to the counters.
   */
  nfRom: { key: string; kidx: string; ix: string; iy: string; iz: string }[];
  /** om_i: the accelerator's scheduler groups passes by offset for this layer: dispatch offset-major. */
  offsetMajorIn: boolean;
  /**
   * Largest k dispatched segment-major (full kernels / submanifold odd-k halves): a lane's jobs
   * then need not ascend in kernel index, so every job may open a run in its map-buffer bank, and
   * all K·segments jobs must fit the run table (runTableRuns); larger kernels go offset-major.
   */
  segMajorMaxKFullLit: string;
  segMajorMaxKHalfLit: string;
  /** The comparisons as Verilog (constants when every / no kernel size fits: no constant compare). */
  segMajorFullCmp: string;
  segMajorHalfCmp: string;
  /** Bit of a class index holding the x sub-position's LSB (the y one is bit 0). */
  mfClsXBit: number;
  /** Class bits the map-free kernel index does not use (maxStride 4: bits 1 and 3), unused in the pipelined merge. */
  mfClsSpare: boolean;
  /** kidx width minus the 3 bits of a k = 2 kernel index. */
  mfKidxPad: number;
  kTwoLit: string;
  strideTwoLit: string;
  /** Map-free buffer entry {output index, input index, z, y, x}. */
  mfEntryMsb: number;
  mfOutLsb: number;
  mfInMsb: number;
  /** Feature-count input of the map-free gate (featureDepth count width) and compare pads. */
  mfFeatMsb: number;
  mfFeatMsbPlus1: number;
  mfIdxPad: number;
  mfFeatPad: number;
  classes: number;
  classMsb: number;
  classWidth: number;
  /** Per class: index, its sub-positions (a along x, c along y), and literals. */
  classList: { index: number; a: number; c: number; aLit: string; cLit: string; lit: string }[];
  classZeroLit: string;
  classOneLit: string;
  classLastLit: string;
  /** Mask helper width: a one-hot shift of coordWidth bits. */
  coordOneLit: string;
  coordZeroLit: string;

  // lane prefetch FIFO
  fifoDepth: number;
  fifoLast: number;
  fifoPtrWidth: number;
  fifoPtrMsb: number;
  fifoCntWidth: number;
  fifoCntMsb: number;
  fifoDepthLit: string;
  fifoCntZeroLit: string;
  fifoCntOneLit: string;
  fifoPtrOneLit: string;
  fifoPtrZeroLit: string;

  // map words
  slotWidth: number;
  slotMsb: number;
  slotValidBit: number;
  slotMirrorBit: number;
  slotKidxLsb: number; slotKidxMsb: number;
  slotInLsb: number; slotInMsb: number;
  slotOutLsb: number; slotOutMsb: number;
  mapWordWidth: number;
  mapWordMsb: number;
  /** Lane l's slot range in a map word. */
  laneList: { index: number; lsb: number; msb: number; lit: string }[];
  entryCountWidth: number;
  entryCountMsb: number;

  // AXI4-Stream
  axisWidth: number;
  axisMsb: number;
  axisKeepWidth: number;
  axisKeepMsb: number;
  mapBeats: number;
  beatCntWidth: number;
  beatCntMsb: number;
  mapBeatsLastLit: string;
  beatZeroLit: string;
  beatOneLit: string;
  /** Serializer word: mapBeats · axisWidth bits. */
  serWidth: number;
  serMsb: number;
  /** Pad bits from a map word to serWidth (0 = none). */
  serMapPad: number;
  serMapPadMsb: number;
  /** Pad bits from a point to serWidth. */
  serPointPad: number;
  serPointPadMsb: number;
  /** Beat j of a serialized word: bits [lsb, msb]. */
  beatList: { index: number; lsb: number; msb: number; lit: string }[];

  // AXI4-Lite
  axilWidth: number;
  axilMsb: number;
  axilStrbMsb: number;
  axilAddrWidth: number;
  axilAddrMsb: number;
  regIndexWidth: number;
  regIndexMsb: number;
  /** AXI address bits [axilAddrMsb : regIndexLsb] form the register index. */
  regIndexLsb: number;
  regIdx: Record<string, string>;
  readRegs: MapReadReg[];
  counters: MapCounter[];
  counterWidth: number;
  counterMsb: number;
  /** Counters wider than the bus use _LO/_HI pairs. */
  counterSplit: boolean;
  errWidth: number;
  errMsb: number;
  errLits: Record<MapErrorName, string>;

  /** The register map of the aggregate (layout only: ID/VERSION/CONFIG_HASH values are not printed). */
  registerMap: RegisterMap;
  /** Registers appended after the aggregate map (mapping-engine diagnostics). */
  extraRegisters: { name: string; index: number; offset: number; description: string }[];

  // downsampler helpers
  /** spec.mapping.comparePipeline on a spec with conv layers: the pipelined merge (templates/partials/map_downsample_pipe.hbs). */
  dsPipe: boolean;
  /** spec.mapping.comparePipeline: the engine's START checks registered (one more cycle per layer). */
  checkPipe: boolean;
  /**
   * spec.mapping.overlapLoad on a spec with submanifold or transposed layers: lanes merge while
   * the coordinates load, gated by loaded-count registers (map_engine, map_lane).
   */
  overlapLoad: boolean;
  clsMsb: number;
  classKeyWidth: number;
  classKeyMsb: number;
  classIdxWidth: number;
  classIdxMsb: number;
  tsSumPadTs: number;
  tsSumPadS: number;
  coordOnesLit: string;
  multiClass: boolean;
  sBitsMsb: number;
  sBitsOnesLit: string;
  keyZeroLit: string;
  mapWordZeroLit: string;
  /** Engine: beats of the load stream that are not coordinates. */
  axisPadMsb: number;
  axisPointPad: number;
  strideOneLit: string;
  extKeyZeroLit: string;
  /** Output segments per kernel offset (jobs per offset): 1 for one lane, else the next power of two ≥ lanes. */
  segments: number;
  segLog2: number;
  segWidth: number;
  segMsb: number;
  segProdMsb: number;
  segPadCnt: number;
  segPadSeg: number;
  segSliceMsb: number;
  segSliceLsb: number;
  segLastLit: string;
  segOneLit: string;
  segZeroLit: string;
  deltaPadK: number;
  laneOneLit: string;
  entryCountZeroLit: string;
  counterZeroLit: string;
  counterOneLit: string;
  counterPadEntries: number;
  /** _HI latches (counterSplit only): the _LO read that latches counter bits [63 : axilWidth]. */
  axilZeroLit: string;
  tsZeroLit: string;
  /** The k ≤ maxKernelSize / tsLog2 ≤ coordWidth−1 checks are not constant for the register width. */
  kNeedsMaxCheck: boolean;
  tsNeedsMaxCheck: boolean;
  hiLatches: { port: string; loIndexLit: string; hiMsb: number; hiLsb: number; width: number }[];
}

function lit(width: number, value: number | bigint): string {
  const v = BigInt(value);
  if (v < 0n || v >= 1n << BigInt(width)) throw new RangeError(`literal ${v} does not fit ${width} bits`);
  return `${width}'d${v.toString()}`;
}

function hexLit(width: number, value: bigint): string {
  return `${width}'h${value.toString(16)}`;
}

function nearFirstRom(maxK: number, segments: number, kWidth: number, kidxWidth: number): MappingDerived['nfRom'] {
  const out: MappingDerived['nfRom'] = [];
  for (const half of [true, false]) {
    const kMax = segMajorMaxK(maxK, segments, half);
    for (let k = 1; k <= kMax; k++) {
      // half applies to odd k only (the engine's half = submanifold & k odd)
      if (half && k % 2 === 0) continue;
      nearFirstOrder(k, half).forEach((kidx, j) => {
        if (kidx === j) return;
        out.push({
          key: `{1'b${half ? 1 : 0}, ${lit(kWidth, k)}, ${lit(kidxWidth, j)}}`,
          kidx: lit(kidxWidth, kidx),
          ix: lit(kWidth, kidx % k),
          iy: lit(kWidth, Math.floor(kidx / k) % k),
          iz: lit(kWidth, Math.floor(kidx / (k * k))),
        });
      });
    }
  }
  return out;
}

export function deriveMapping(spec: AcceleratorSpec): MappingDerived {
  // k_q ≤ max as Verilog; k_q never exceeds maxKernelSize (checked at START) and is never 0 there.
  const kCmp = (max: number): string =>
    max >= spec.mapping.maxKernelSize ? "1'b1" : max < 1 ? "1'b0" : `(k_q <= ${lit(countWidth(spec.mapping.maxKernelSize), max)})`;
  const { mapping: mp, buffers: bf, interfaces: io } = spec;
  const prefix = `${spec.name}_`;
  const cw = mp.coordWidth;
  const bw = mp.batchWidth;
  const keyWidth = bw + 3 * cw;
  const ef = cw + 1;
  const extKeyWidth = bw + 3 * ef;
  const L = mp.lanes;
  const depth = bf.coordDepth;
  const idxWidth = addrWidth(depth);
  const featCntWidth = countWidth(spec.buffers.featureDepth);
  const cntWidth = countWidth(depth);
  const maxVolume = mp.maxKernelSize ** 3;
  const kidxWidth = addrWidth(maxVolume);
  const kWidth = countWidth(mp.maxKernelSize);
  const strideWidth = countWidth(mp.maxStride);
  const strideLog2Max = clog2(mp.maxStride);
  const sLog2Width = countWidth(strideLog2Max);
  const tsWidth = countWidth(cw - 1);
  const tsSumWidth = Math.max(tsWidth, sLog2Width) + 1;
  // |d| ≤ maxKernelSize and the shift reaches cw − 1 (checked at START): kWidth + cw bits plus
  // a sign bit and a guard bit.
  const deltaWidth = kWidth + cw + 2;

  const slotKidxLsb = 2;
  const slotInLsb = slotKidxLsb + kidxWidth;
  const slotOutLsb = slotInLsb + idxWidth;
  const slotWidth = slotOutLsb + idxWidth;
  const mapWordWidth = L * slotWidth;
  const W = io.axisDataWidth;
  const mapBeats = ceilDiv(mapWordWidth, W);
  const beatCntWidth = Math.max(1, clog2(mapBeats));
  const serWidth = mapBeats * W;
  const classesPerAxis = mp.maxStride;
  const classes = classesPerAxis * classesPerAxis;
  const classWidth = Math.max(1, 2 * clog2(mp.maxStride));

  const flip = (1n << BigInt(cw - 1)) | (1n << BigInt(2 * cw - 1)) | (1n << BigInt(3 * cw - 1));
  const fifoDepth = 4;

  const hasSub = mp.layerTypes.includes('submanifold');
  const hasConv = mp.layerTypes.includes('conv');
  const hasTrans = mp.layerTypes.includes('transposed');
  const layerTypeMask = mp.layerTypes.reduce((m, t) => m | (1 << LAYER_TYPE_CODES[t]), 0);

  // The aggregate register map's layout (the values that need the spec hash are not used here).
  const registerMap = deriveRegisters({
    spec,
    configHashWord: 0,
    version: { major: 0, minor: 0, patch: 0 },
    log2: {
      coordDepth: clog2(bf.coordDepth),
      featureDepth: clog2(bf.featureDepth),
      weightDepth: clog2(bf.weightDepth),
      accumulatorDepth: clog2(bf.accumulatorDepth),
      mapDepth: clog2(bf.mapDepth),
    },
    layerTypeMask,
    tensorStrideLog2Width: tsWidth,
  });
  const axilWidth = io.axilDataWidth;
  const stride = axilWidth / 8;
  const counterWidth = 64;
  const counterSplit = counterWidth > axilWidth;
  const counters: MapCounter[] = [
    { name: 'PERF_TOTAL_CYCLES', port: 'cnt_total', description: 'Cycles from START to DONE/ERROR.' },
    { name: 'PERF_MAPPING_CYCLES', port: 'cnt_mapping', description: 'Cycles of the downsampling and merge phases (after the coordinates are loaded).' },
    { name: 'PERF_MAP_ENTRIES', port: 'cnt_entries', description: 'Kernel-map entries produced (a mirrored slot counts twice).' },
    { name: 'MAP_DS_CYCLES', port: 'cnt_ds', description: 'Cycles of the downsampling phase (conv layers).' },
    { name: 'MAP_MERGE_CYCLES', port: 'cnt_merge', description: 'Cycles of the merge phase (first dispatch to end-of-map word accepted).' },
    { name: 'MAP_COMPARISONS', port: 'cnt_cmp', description: 'Merge steps (comparisons) summed over lanes.' },
    { name: 'MAP_LANE_BUSY', port: 'cnt_busy', description: 'Cycles a lane held an offset, summed over lanes.' },
    { name: 'MAP_LOAD_CYCLES', port: 'cnt_load', description: 'Cycles of the coordinate-load phase.' },
  ];
  const byName = new Map(registerMap.registers.map((r) => [r.name, r]));
  const extraRegisters: MappingDerived['extraRegisters'] = [];
  let nextIndex = registerMap.count;
  const regIndexOf = (name: string): number => {
    const r = byName.get(name);
    if (r) return r.index;
    const e = extraRegisters.find((x) => x.name === name);
    if (e) return e.index;
    throw new Error(`mapping: register ${name} not found`);
  };
  for (const c of counters) {
    const parts = counterSplit ? [`${c.name}_LO`, `${c.name}_HI`] : [c.name];
    for (const p of parts) {
      if (!byName.has(p)) {
        extraRegisters.push({ name: p, index: nextIndex, offset: nextIndex * stride, description: c.description });
        nextIndex++;
      }
    }
  }
  const regIndexWidth = Math.max(addrWidth(nextIndex), 1);
  const regIndexLsb = clog2(stride);
  const axilAddrWidth = regIndexWidth + regIndexLsb;
  const regIdx: Record<string, string> = {};
  for (const name of [
    'ID', 'CAPS1', 'CONTROL', 'STATUS', 'LAYER_TYPE', 'KERNEL_SIZE', 'STRIDE', 'IN_TENSOR_STRIDE', 'IN_POINTS', 'OUT_POINTS',
  ]) regIdx[name] = lit(regIndexWidth, regIndexOf(name));

  const pad = (expr: string, width: number): string => (width >= axilWidth ? expr : `{${axilWidth - width}'d0, ${expr}}`);
  const idReg = byName.get('ID')!;
  const caps1 = byName.get('CAPS1')!;
  const readRegs: MapReadReg[] = [
    { name: 'ID', index: idReg.index, expr: `${axilWidth}'h${idReg.reset.toString(16)}` },
    { name: 'CAPS1', index: caps1.index, expr: `${axilWidth}'h${caps1.reset.toString(16)}` },
    { name: 'STATUS', index: regIndexOf('STATUS'), expr: pad('{err_code_q, 5\'d0, err_q, done_q, busy}', 16) },
    { name: 'LAYER_TYPE', index: regIndexOf('LAYER_TYPE'), expr: pad('type_q', 2) },
    { name: 'KERNEL_SIZE', index: regIndexOf('KERNEL_SIZE'), expr: pad('k_q', kWidth) },
    { name: 'STRIDE', index: regIndexOf('STRIDE'), expr: pad('stride_q', strideWidth) },
    { name: 'IN_TENSOR_STRIDE', index: regIndexOf('IN_TENSOR_STRIDE'), expr: pad('ts_q', tsWidth) },
    { name: 'IN_POINTS', index: regIndexOf('IN_POINTS'), expr: pad('n_in_q', cntWidth) },
    { name: 'OUT_POINTS', index: regIndexOf('OUT_POINTS'), expr: pad('out_points', cntWidth) },
  ];
  for (const c of counters) {
    if (counterSplit) {
      readRegs.push({ name: `${c.name}_LO`, index: regIndexOf(`${c.name}_LO`), expr: `${c.port}_i[${axilWidth - 1}:0]` });
      readRegs.push({ name: `${c.name}_HI`, index: regIndexOf(`${c.name}_HI`), expr: `${c.port}_hi_q` });
    } else {
      readRegs.push({ name: c.name, index: regIndexOf(c.name), expr: `${c.port}_i` });
    }
  }
  for (const r of readRegs) r.expr = `${lit(regIndexWidth, r.index)}: rdata_d = ${r.expr};`;
  if (!hasSub && !hasConv && !hasTrans) throw new Error('mapping: no layer type');

  const errWidth = 8;
  const errLits = Object.fromEntries(Object.entries(MAP_ERROR_CODES).map(([k, v]) => [k, lit(errWidth, v)])) as Record<MapErrorName, string>;
  void ERROR_CODES;

  const strideList = [];
  for (let l = 0; l <= strideLog2Max; l++) strideList.push({ log2: l, lit: lit(strideWidth, 2 ** l), log2Lit: lit(sLog2Width, l) });

  const classList = [];
  for (let a = 0; a < classesPerAxis; a++) {
    for (let c = 0; c < classesPerAxis; c++) {
      const index = a * classesPerAxis + c;
      classList.push({ index, a, c, aLit: lit(Math.max(1, strideLog2Max), a), cLit: lit(Math.max(1, strideLog2Max), c), lit: lit(classWidth, index) });
    }
  }

  const beatList = [];
  for (let j = 0; j < mapBeats; j++) beatList.push({ index: j, lsb: j * W, msb: j * W + W - 1, lit: lit(beatCntWidth, j) });
  const laneList = [];
  for (let l = 0; l < L; l++) laneList.push({ index: l, lsb: l * slotWidth, msb: l * slotWidth + slotWidth - 1, lit: `${l}` });

  const entryCountWidth = countWidth(2 * L);
  // Splitting every offset into `lanes` output segments (a power of two) keeps the lanes evenly
  // loaded to the last offset (13 + 1 submanifold offsets on 4 lanes would otherwise take 4
  // rounds for 3.5 rounds of work); one lane gains nothing from it.
  let segments = 1;
  if (L > 1) while (segments < L) segments *= 2;
  const segLog2 = clog2(segments);
  const segWidth = Math.max(1, segLog2);

  return {
    topModule: `${prefix}mapping_top`,
    engineModule: `${prefix}map_engine`,
    laneModule: `${prefix}map_lane`,
    dsModule: `${prefix}map_downsample`,
    ramModule: `${prefix}map_ram`,
    regsModule: `${prefix}map_regs`,
    serModule: `${prefix}map_axis_out`,
    lanes: L,
    laneMsb: L - 1,
    coordWidth: cw,
    coordMsb: cw - 1,
    batchWidth: bw,
    keyWidth,
    keyMsb: keyWidth - 1,
    zLsb: 0, zMsb: cw - 1, yLsb: cw, yMsb: 2 * cw - 1, xLsb: 2 * cw, xMsb: 3 * cw - 1, bLsb: 3 * cw, bMsb: keyWidth - 1,
    pxLsb: 0, pxMsb: cw - 1, pyLsb: cw, pyMsb: 2 * cw - 1, pzLsb: 2 * cw, pzMsb: 3 * cw - 1, pbLsb: 3 * cw, pbMsb: keyWidth - 1,
    flipMaskLit: hexLit(keyWidth, flip),
    extFieldWidth: ef,
    extFieldMsb: ef - 1,
    extKeyWidth,
    extKeyMsb: extKeyWidth - 1,
    ezLsb: 0, ezMsb: ef - 1, eyLsb: ef, eyMsb: 2 * ef - 1, exLsb: 2 * ef, exMsb: 3 * ef - 1, ebLsb: 3 * ef, ebMsb: extKeyWidth - 1,
    extBiasLit: lit(ef, 2 ** (cw - 1)),
    deltaWidth,
    deltaMsb: deltaWidth - 1,
    deltaBiasLit: lit(deltaWidth, 2 ** (cw - 1)),
    deltaOneLit: lit(deltaWidth, 1),
    deltaZeroLit: lit(deltaWidth, 0),
    depth,
    idxWidth,
    idxMsb: idxWidth - 1,
    cntWidth,
    cntMsb: cntWidth - 1,
    depthLit: lit(cntWidth, depth),
    cntZeroLit: lit(cntWidth, 0),
    cntOneLit: lit(cntWidth, 1),
    idxZeroLit: lit(idxWidth, 0),
    idxOneLit: lit(idxWidth, 1),
    maxKernelSize: mp.maxKernelSize,
    kWidth,
    kMsb: kWidth - 1,
    kMaxLit: lit(kWidth, mp.maxKernelSize),
    kZeroLit: lit(kWidth, 0),
    kOneLit: lit(kWidth, 1),
    kidxWidth,
    kidxMsb: kidxWidth - 1,
    kidxZeroLit: lit(kidxWidth, 0),
    kidxOneLit: lit(kidxWidth, 1),
    kidxMaxLit: lit(kidxWidth, maxVolume - 1),
    maxStride: mp.maxStride,
    strideWidth,
    strideMsb: strideWidth - 1,
    strideLog2Max,
    strideList,
    sLog2Width,
    sLog2Msb: sLog2Width - 1,
    tsWidth,
    tsMsb: tsWidth - 1,
    tsMaxLit: lit(tsWidth, cw - 1),
    tsSumMaxLit: lit(tsSumWidth, cw - 1),
    tsSumWidth,
    tsSumMsb: tsSumWidth - 1,
    layerTypeSub: hasSub,
    layerTypeConv: hasConv,
    layerTypeTrans: hasTrans,
    codeSubLit: lit(2, LAYER_TYPE_CODES.submanifold),
    codeConvLit: lit(2, LAYER_TYPE_CODES.conv),
    codeTransLit: lit(2, LAYER_TYPE_CODES.transposed),
    hasDownsample: hasConv,
    mapFree: hasConv && mp.mapFreeDownsample,
    mapFreeTrans: hasConv && hasTrans && mp.mapFreeDownsample && mp.mapFreeTransposed,
    mfEarly: hasConv && mp.mapFreeDownsample && mp.comparePipeline && mp.mapFreeEarlyWalk,
    slabMsb: bw + cw - 1,
    // Candidates: one per class, then two taken-point FIFO entries (pipelined merge only) and the
    // two entry-buffer entries.
    mtFrontTree: reduceTree('mtf', Array.from({ length: classes + (mp.comparePipeline ? 4 : 2) }, (_, i) => `mtc_${i}`)),
    cntOnesLit: lit(cntWidth, 2 ** cntWidth - 1),
    mtIdxPad: cntWidth - idxWidth,
    mtFrontC1: classes + 1,
    mtFrontC2: classes + 2,
    mtFrontC3: classes + 3,
    segmentMajor: mp.segmentMajor,
    nearFirst: mp.segmentMajor && mp.nearFirstJobs,
    nfRom: mp.segmentMajor && mp.nearFirstJobs ? nearFirstRom(mp.maxKernelSize, segments, kWidth, kidxWidth) : [],
    // Offset-grouped passes (gatherScatter.passGrouping) need each bank's runs in kernel-index order.
    offsetMajorIn: mp.segmentMajor && spec.gatherScatter.passGrouping.includes('offset'),
    segMajorMaxKFullLit: lit(kWidth, segMajorMaxK(mp.maxKernelSize, segments, false)),
    segMajorMaxKHalfLit: lit(kWidth, segMajorMaxK(mp.maxKernelSize, segments, true)),
    segMajorFullCmp: kCmp(segMajorMaxK(mp.maxKernelSize, segments, false)),
    segMajorHalfCmp: kCmp(segMajorMaxK(mp.maxKernelSize, segments, true)),
    mfClsXBit: strideLog2Max,
    mfClsSpare: strideLog2Max > 1,
    mfKidxPad: kidxWidth - 3,
    kTwoLit: mp.mapFreeDownsample ? lit(kWidth, 2) : '',
    strideTwoLit: mp.mapFreeDownsample ? lit(strideWidth, 2) : '',
    mfEntryMsb: 2 * idxWidth + 2,
    mfOutLsb: idxWidth + 3,
    mfInMsb: idxWidth + 2,
    mfFeatMsb: featCntWidth - 1,
    mfFeatMsbPlus1: featCntWidth,
    mfIdxPad: Math.max(idxWidth, featCntWidth) - idxWidth,
    mfFeatPad: Math.max(idxWidth, featCntWidth) - featCntWidth,
    classes,
    classMsb: classes - 1,
    classWidth,
    classList,
    classZeroLit: lit(classWidth, 0),
    classOneLit: lit(classWidth, 1),
    classLastLit: lit(classWidth, classes - 1),
    coordOneLit: lit(cw, 1),
    coordZeroLit: lit(cw, 0),
    fifoDepth,
    fifoLast: fifoDepth - 1,
    fifoPtrWidth: clog2(fifoDepth),
    fifoPtrMsb: clog2(fifoDepth) - 1,
    fifoCntWidth: countWidth(fifoDepth),
    fifoCntMsb: countWidth(fifoDepth) - 1,
    fifoDepthLit: lit(countWidth(fifoDepth), fifoDepth),
    fifoCntZeroLit: lit(countWidth(fifoDepth), 0),
    fifoCntOneLit: lit(countWidth(fifoDepth), 1),
    fifoPtrOneLit: lit(clog2(fifoDepth), 1),
    fifoPtrZeroLit: lit(clog2(fifoDepth), 0),
    slotWidth,
    slotMsb: slotWidth - 1,
    slotValidBit: 0,
    slotMirrorBit: 1,
    slotKidxLsb, slotKidxMsb: slotInLsb - 1,
    slotInLsb, slotInMsb: slotOutLsb - 1,
    slotOutLsb, slotOutMsb: slotWidth - 1,
    mapWordWidth,
    mapWordMsb: mapWordWidth - 1,
    laneList,
    entryCountWidth,
    entryCountMsb: entryCountWidth - 1,
    axisWidth: W,
    axisMsb: W - 1,
    axisKeepWidth: W / 8,
    axisKeepMsb: W / 8 - 1,
    mapBeats,
    beatCntWidth,
    beatCntMsb: beatCntWidth - 1,
    mapBeatsLastLit: lit(beatCntWidth, mapBeats - 1),
    beatZeroLit: lit(beatCntWidth, 0),
    beatOneLit: lit(beatCntWidth, 1),
    serWidth,
    serMsb: serWidth - 1,
    serMapPad: serWidth - mapWordWidth,
    serMapPadMsb: serWidth - mapWordWidth - 1,
    serPointPad: serWidth - keyWidth,
    serPointPadMsb: serWidth - keyWidth - 1,
    beatList,
    axilWidth,
    axilMsb: axilWidth - 1,
    axilStrbMsb: axilWidth / 8 - 1,
    axilAddrWidth,
    axilAddrMsb: axilAddrWidth - 1,
    regIndexWidth,
    regIndexMsb: regIndexWidth - 1,
    regIndexLsb,
    regIdx,
    readRegs,
    counters,
    counterWidth,
    counterMsb: counterWidth - 1,
    counterSplit,
    errWidth,
    errMsb: errWidth - 1,
    errLits,
    registerMap,
    extraRegisters,
    dsPipe: hasConv && mp.comparePipeline,
    checkPipe: mp.comparePipeline,
    overlapLoad: mp.overlapLoad && (mp.layerTypes.includes('submanifold') || mp.layerTypes.includes('transposed')),
    clsMsb: classWidth - 1,
    classKeyWidth: classes * keyWidth,
    classKeyMsb: classes * keyWidth - 1,
    classIdxWidth: classes * idxWidth,
    classIdxMsb: classes * idxWidth - 1,
    tsSumPadTs: tsSumWidth - tsWidth,
    tsSumPadS: tsSumWidth - sLog2Width,
    coordOnesLit: hexLit(cw, (1n << BigInt(cw)) - 1n),
    multiClass: strideLog2Max > 0,
    sBitsMsb: Math.max(0, strideLog2Max - 1),
    sBitsOnesLit: hexLit(Math.max(1, strideLog2Max), (1n << BigInt(Math.max(1, strideLog2Max))) - 1n),
    keyZeroLit: lit(keyWidth, 0),
    mapWordZeroLit: lit(mapWordWidth, 0),
    axisPadMsb: W - keyWidth - 1,
    axisPointPad: W - keyWidth,
    strideOneLit: lit(strideWidth, 1),
    extKeyZeroLit: lit(extKeyWidth, 0),
    segments,
    segLog2,
    segWidth,
    segMsb: segWidth - 1,
    segProdMsb: cntWidth + segWidth - 1,
    segPadCnt: cntWidth,
    segPadSeg: segWidth,
    segSliceMsb: segLog2 + cntWidth - 1,
    segSliceLsb: segLog2,
    segLastLit: lit(segWidth, segments - 1),
    segOneLit: lit(segWidth, 1),
    segZeroLit: lit(segWidth, 0),
    deltaPadK: deltaWidth - kWidth,
    laneOneLit: lit(L, 1),
    entryCountZeroLit: lit(entryCountWidth, 0),
    counterZeroLit: lit(counterWidth, 0),
    counterOneLit: lit(counterWidth, 1),
    counterPadEntries: counterWidth - entryCountWidth,
    axilZeroLit: lit(axilWidth, 0),
    kNeedsMaxCheck: 2 ** kWidth - 1 > mp.maxKernelSize,
    tsNeedsMaxCheck: 2 ** tsWidth - 1 > cw - 1,
    tsZeroLit: lit(tsWidth, 0),
    hiLatches: counterSplit
      ? counters.map((c) => ({
          port: c.port,
          loIndexLit: lit(regIndexWidth, regIndexOf(`${c.name}_LO`)),
          hiMsb: counterWidth - 1,
          hiLsb: axilWidth,
          width: counterWidth - axilWidth,
        }))
      : [],
  };
}
