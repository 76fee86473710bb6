// The accelerator's stream formats and register programming, host side (docs/accelerator.md):
// packing one hardware layer into AXI4-Stream input beats, the AXI4-Lite script that runs it, and
// unpacking the AXI4-Stream output. Every bit position comes from derive(spec); nothing here
// knows a width of its own.
import type { Derived } from '../../dsl/derive/index.ts';
import type { AcceleratorSpec } from '../../dsl/spec.ts';
import type { Coord, LayerType, Requant } from '../../model/types.ts';
import { inChannelsPerPass, weightPattern } from '../../dsl/sparsity.ts';
import { FieldError } from '../../model/errors.ts';
import { PASS_GROUPING_CODES, PASS_GROUPINGS, type PassGrouping } from '../../model/pass-grouping.ts';
import { w0Interleave, w0SlotOrder } from '../../model/w0-order.ts';

/** One layer as the hardware runs it: coordinates in canonical order, rows in the same order. */
export interface HwLayer {
  type: LayerType;
  kernelSize: number;
  stride: number;
  inTensorStride: number;
  inChannels: number;
  outChannels: number;
  inCoords: Coord[];
  /** `features[j]`: the inChannels features of inCoords[j]. */
  features: number[][];
  /** Transposed layers: the output coordinates (canonical order). */
  outCoords?: Coord[];
  /** `weights[kernelIndex][cin][cout]`. */
  weights: number[][][];
  bias?: number[];
  requant?: Requant;
  /** POSTPROC.REQUANT_EN: stream requantized features (needs `requant`) instead of accumulators. */
  requantOut: boolean;
  /**
   * LAYER_TYPE.REUSE_MAP: the previous hardware layer was a submanifold layer over the same
   * coordinates (same kernel size and tensor stride) and its map is still on chip: the CIN
   * section is not sent and the mapping engine does not run. The caller guarantees the
   * coordinates are the same (sim/accel/batch.ts checks it).
   */
  reuseMap?: boolean;
  /**
   * Fusion across layers (buffers.keepFeatures, docs/accelerator.md "Fusion"): FUSION.FEAT_ON_CHIP,
   * the features are those the previous hardware layer kept at `featInBase` (no FEAT section; the
   * caller guarantees they are `features`, sim/accel/batch.ts checks the chain).
   */
  featOnChip?: boolean;
  /** FUSION.KEEP_OUT: also write the requantized output words into the feature buffer at `featOutBase`. */
  keepOut?: boolean;
  /** FUSION.NO_STREAM (with keepOut): the output words are not streamed, only the coordinates. */
  noStream?: boolean;
  /** FEAT_IN_BASE / FEAT_OUT_BASE: first feature-buffer word of the input features / kept output words. */
  featInBase?: number;
  featOutBase?: number;
  /**
   * LAYER_TYPE.GROUPING: the scheduler's pass-grouping policy for this run (model/pass-grouping.ts;
   * the host driver picks it with the cycle model). Unset: the register's reset value (bank), or
   * the only policy the spec has.
   */
  passGrouping?: PassGrouping;
  /**
   * LAYER_TYPE.W0_BLOCK (buffers.w0Interleave): feature words after each tile of the first weight
   * pair (model/w0-order.ts; the host driver picks it with the cycle model). Unset or 0: every
   * tile of the first pair, then FEAT.
   */
  w0Block?: number;
}

/** The layer streams its output words (not FUSION.KEEP_OUT with NO_STREAM). */
export function streamsWords(hw: Pick<HwLayer, 'keepOut' | 'noStream'>): boolean {
  return !(hw.keepOut === true && hw.noStream === true);
}

export interface Beat {
  data: bigint;
  last: boolean;
}

export function channelTiles(spec: AcceleratorSpec, layer: { inChannels: number; outChannels: number }): { ti: number; to: number } {
  return { ti: Math.ceil(layer.inChannels / inChannelsPerPass(spec)), to: Math.ceil(layer.outChannels / spec.matrix.cols) };
}

function mask(width: number): bigint {
  return (1n << BigInt(width)) - 1n;
}

/** Lanes of `width` bits, lane 0 in the low bits (two's complement; absent lanes 0). */
export function packLanes(values: ArrayLike<number>, width: number): bigint {
  const m = mask(width);
  let v = 0n;
  for (let i = values.length - 1; i >= 0; i--) v = (v << BigInt(width)) | (BigInt(values[i]!) & m);
  return v;
}

export function unpackLane(word: bigint, lane: number, width: number, signed: boolean): number {
  const raw = (word >> BigInt(lane * width)) & mask(width);
  if (signed && raw >> BigInt(width - 1) === 1n) return Number(raw - (1n << BigInt(width)));
  return Number(raw);
}

/** A point as the streams carry it: `{b, z, y, x}`, x in the low coordWidth bits. */
export function packPoint(spec: AcceleratorSpec, p: Coord): bigint {
  // Never mask a value silently: the driver re-bases and checks before it packs (check.ts).
  const half = 2 ** (spec.mapping.coordWidth - 1);
  if (p[0] < 0 || p[0] >= 2 ** spec.mapping.batchWidth || [p[1], p[2], p[3]].some((v) => v < -half || v >= half)) {
    throw new RangeError(`point [${p.join(', ')}] does not fit mapping.coordWidth ${spec.mapping.coordWidth} / batchWidth ${spec.mapping.batchWidth}`);
  }
  const cw = BigInt(spec.mapping.coordWidth);
  const m = mask(spec.mapping.coordWidth);
  return (
    ((BigInt(p[0]) & mask(spec.mapping.batchWidth)) << (3n * cw)) |
    ((BigInt(p[3]) & m) << (2n * cw)) |
    ((BigInt(p[2]) & m) << cw) |
    (BigInt(p[1]) & m)
  );
}

export function unpackPoint(spec: AcceleratorSpec, v: bigint): Coord {
  const cw = spec.mapping.coordWidth;
  const s = (sh: number) => unpackLane(v >> BigInt(sh), 0, cw, true);
  return [Number((v >> BigInt(3 * cw)) & mask(spec.mapping.batchWidth)), s(0), s(cw), s(2 * cw)];
}

/** A word of `wordWidth` bits split into beats, beat j = bits [j·W +: W]. */
function wordBeats(word: bigint, wordWidth: number, W: number): bigint[] {
  const n = Math.ceil(wordWidth / W);
  const out: bigint[] = [];
  for (let j = 0; j < n; j++) out.push((word >> BigInt(j * W)) & mask(W));
  return out;
}

function section(out: Beat[], beats: bigint[]): void {
  beats.forEach((data, i) => out.push({ data, last: i === beats.length - 1 }));
}

/** The input stream of one layer (sections CIN, COUT, BIAS, MULT, SHIFT, W0, FEAT, WREST). */
export function encodeLayer(spec: AcceleratorSpec, d: Derived, hw: HwLayer): Beat[] {
  const { rows: R, cols: C } = spec.matrix;
  const X = inChannelsPerPass(spec);
  const W = spec.interfaces.axisDataWidth;
  const { ti, to } = channelTiles(spec, hw);
  const out: Beat[] = [];
  if (!hw.reuseMap) section(out, hw.inCoords.map((p) => packPoint(spec, p)));
  if (hw.type === 'transposed') section(out, (hw.outCoords ?? []).map((p) => packPoint(spec, p)));
  const lanesOf = (vals: number[] | undefined, t: number, fill = 0) =>
    Array.from({ length: C }, (_, c) => {
      const o = t * C + c;
      return vals !== undefined && o < hw.outChannels ? vals[o]! : fill;
    });
  if (spec.postprocess.bias && hw.bias !== undefined) {
    const beats: bigint[] = [];
    for (let t = 0; t < to; t++) beats.push(...wordBeats(packLanes(lanesOf(hw.bias, t), spec.arithmetic.accWidth), C * spec.arithmetic.accWidth, W));
    section(out, beats);
  }
  if (hw.requantOut) {
    const rq = hw.requant!;
    const mw = spec.postprocess.multiplierWidth;
    const sw = spec.postprocess.shiftWidth;
    const mb: bigint[] = [];
    const sb: bigint[] = [];
    for (let t = 0; t < to; t++) {
      mb.push(...wordBeats(packLanes(lanesOf(rq.multiplier, t), mw), C * mw, W));
      sb.push(...wordBeats(packLanes(lanesOf(rq.shift, t), sw), C * sw, W));
    }
    section(out, mb);
    section(out, sb);
  }
  const kv = hw.kernelSize ** 3;
  const ww = spec.arithmetic.weightWidth;
  const nm = weightPattern(spec);
  // buffers.w0Interleave: every pair's tiles in weight-ring slot order (0, K−1, 1, K−2, …).
  const mixOn = spec.buffers.w0Interleave;
  const kOrder = mixOn ? w0SlotOrder(kv) : Array.from({ length: kv }, (_, k) => k);
  const pairBeats = (tO: number, tI: number): bigint[] => {
    const beats: bigint[] = [];
    if (nm) {
      for (const k of kOrder) beats.push(...sparseTile(hw, k, tO, tI, R, C, X, nm, ww));
      return beats;
    }
    for (const k of kOrder) {
      for (let r = 0; r < R; r++) {
        const ci = tI * R + r;
        const lanes = Array.from({ length: C }, (_, c) => {
          const co = tO * C + c;
          return ci < hw.inChannels && co < hw.outChannels ? hw.weights[k]![ci]![co]! : 0;
        });
        beats.push(packLanes(lanes, ww));
      }
    }
    return beats;
  };
  const w0 = pairBeats(0, 0);
  const feat: bigint[] = [];
  for (let t = 0; t < (hw.featOnChip ? 0 : ti); t++) {
    for (const row of hw.features) {
      feat.push(packLanes(Array.from({ length: X }, (_, r) => (t * X + r < hw.inChannels ? row[t * X + r]! : 0)), spec.arithmetic.inWidth));
    }
  }
  const block = hw.w0Block ?? 0;
  if (block !== 0 && !mixOn) throw new FieldError('buffers.w0Interleave', `${spec.name} has no W0 / feature interleave; a layer cannot run with W0_BLOCK ${block}`);
  // W0 and FEAT, interleaved by tiles and blocks of features; each still ends with TLAST.
  const tileBeats = w0.length / kv;
  for (const part of w0Interleave(kv, feat.length, block)) {
    if (part[0] === 'w') {
      for (let b = part[1] * tileBeats; b < (part[1] + 1) * tileBeats; b++) out.push({ data: w0[b]!, last: b === w0.length - 1 });
    } else {
      for (let j = part[1]; j < part[2]; j++) out.push({ data: feat[j]!, last: j === feat.length - 1 });
    }
  }
  const rest: bigint[] = [];
  for (let tO = 0; tO < to; tO++) for (let tI = 0; tI < ti; tI++) if (tO + tI > 0) rest.push(...pairBeats(tO, tI));
  section(out, rest);
  return out;
}

/**
 * One compressed N:M weight tile (docs/accelerator.md, "N:M weight sparsity"): `rows` words; word r
 * is slot r mod N of group floor(r / N), whose M input channels are
 * [tI·X + g·M, tI·X + g·M + M); lane c = {position, weight} of the (r mod N)-th non-zero weight of
 * that group for output channel tO·cols + c, in ascending channel order, or {0, 0} when the group
 * has fewer non-zeros. The caller has checked that no group holds more than N.
 */
export function sparseTile(
  hw: Pick<HwLayer, 'weights' | 'inChannels' | 'outChannels'>,
  k: number,
  tO: number,
  tI: number,
  R: number,
  C: number,
  X: number,
  nm: { n: number; m: number },
  weightWidth: number,
): bigint[] {
  const laneW = weightWidth + Math.log2(nm.m);
  const wm = mask(weightWidth);
  const lanes: bigint[][] = Array.from({ length: R }, () => new Array<bigint>(C).fill(0n));
  for (let g = 0; g < R / nm.n; g++) {
    const base = tI * X + g * nm.m;
    for (let c = 0; c < C; c++) {
      const co = tO * C + c;
      if (co >= hw.outChannels) continue;
      let slot = 0;
      for (let j = 0; j < nm.m && base + j < hw.inChannels; j++) {
        const w = hw.weights[k]![base + j]![co]!;
        if (w === 0) continue;
        if (slot === nm.n) throw new Error(`sparseTile: kernel index ${k}, channels ${base}…${base + nm.m - 1}, output channel ${co}: more than ${nm.n} non-zero weights`);
        lanes[g * nm.n + slot]![c] = (BigInt(j) << BigInt(weightWidth)) | (BigInt(w) & wm);
        slot++;
      }
    }
  }
  return lanes.map((row) => row.reduceRight((acc, lane) => (acc << BigInt(laneW)) | lane, 0n));
}

function reg(d: Derived, name: string): number {
  const r = d.registers.registers.find((x) => x.name === name);
  if (!r) throw new Error(`register ${name} is not in the register map`);
  return r.offset;
}

function fieldBit(d: Derived, regName: string, field: string): number | undefined {
  return d.registers.registers.find((x) => x.name === regName)?.fields.find((f) => f.name === field)?.lsb;
}

const hex = (v: number | bigint) => v.toString(16);

/** Names of the 64-bit performance counters, in register-map order. */
export const PERF_COUNTERS = ['PERF_TOTAL_CYCLES', 'PERF_MAPPING_CYCLES', 'PERF_COMPUTE_CYCLES', 'PERF_STALL_CYCLES', 'PERF_MAP_ENTRIES'] as const;
export type PerfCounter = (typeof PERF_COUNTERS)[number];

/** Registers read after a layer, in order (`PERF_*` expand to _LO/_HI on a 32-bit bus). */
export function readbackRegisters(d: Derived): string[] {
  const names = ['STATUS', 'OUT_POINTS'];
  for (const c of PERF_COUNTERS) {
    if (d.registers.perfCounterWidth > d.registers.dataWidth) names.push(`${c}_LO`, `${c}_HI`);
    else names.push(c);
  }
  return names;
}

/**
 * LAYER_TYPE bits of a run's pass-grouping policy. A policy the spec does not have is refused by
 * name; the code itself is checked against the GROUPING field's width with every other write
 * (sim/capacity.ts checkRegisterWrites).
 */
function groupingBits(d: Derived, hw: HwLayer): number {
  if (hw.passGrouping === undefined) return 0;
  const caps = d.registers.registers.find((r) => r.name === 'CAPS1')?.fields.find((f) => f.name === 'PASS_GROUPINGS');
  const supported = PASS_GROUPINGS.filter((g) => ((caps?.reset ?? 1) >> PASS_GROUPING_CODES[g]) & 1);
  if (!supported.includes(hw.passGrouping)) {
    throw new FieldError('gatherScatter.passGrouping', `${d.name} has ${supported.join(', ')}; a layer cannot run with pass grouping ${hw.passGrouping}`);
  }
  const lsb = fieldBit(d, 'LAYER_TYPE', 'GROUPING');
  return lsb === undefined ? 0 : PASS_GROUPING_CODES[hw.passGrouping] * 2 ** lsb;
}

/**
 * LAYER_TYPE bits of W0_BLOCK. A non-zero block on a spec without the field is refused by name; the
 * value is checked against the field's width with every other write (checkRegisterWrites).
 */
function w0BlockBits(d: Derived, hw: HwLayer): number {
  const block = hw.w0Block ?? 0;
  if (!Number.isInteger(block) || block < 0) throw new FieldError('LAYER_TYPE.W0_BLOCK', `must be a non-negative integer, got ${block}`);
  if (block === 0) return 0;
  const lsb = fieldBit(d, 'LAYER_TYPE', 'W0_BLOCK');
  if (lsb === undefined) throw new FieldError('buffers.w0Interleave', `${d.name} has no LAYER_TYPE.W0_BLOCK; a layer cannot run with W0_BLOCK ${block}`);
  return block * 2 ** lsb;
}

/** The AXI-Lite script of one layer: program, START, wait for BUSY = 0, read status and counters. */
export function layerScript(d: Derived, hw: HwLayer): string[] {
  const log2 = (v: number) => Math.round(Math.log2(v));
  const pp = (name: string, on: boolean) => {
    const b = fieldBit(d, 'POSTPROC', name);
    return on && b !== undefined ? 1 << b : 0;
  };
  const postproc =
    pp('BIAS_EN', hw.bias !== undefined) | pp('REQUANT_EN', hw.requantOut) | pp('RELU_EN', hw.requantOut && (hw.requant?.relu ?? false));
  const w = (name: string, v: number) => `w ${hex(reg(d, name))} ${hex(v)}`;
  const busy = 1 << (fieldBit(d, 'STATUS', 'BUSY') ?? 0);
  const fusing = hw.featOnChip === true || hw.keepOut === true;
  const hasFusion = d.registers.registers.some((r) => r.name === 'FUSION');
  if (fusing && !hasFusion) throw new Error('layerScript: fusion asked of an accelerator generated without buffers.keepFeatures');
  const fusion = hasFusion
    ? [
        w('FUSION', (hw.featOnChip ? 1 << fieldBit(d, 'FUSION', 'FEAT_ON_CHIP')! : 0) | (hw.keepOut ? 1 << fieldBit(d, 'FUSION', 'KEEP_OUT')! : 0) | (hw.keepOut && hw.noStream ? 1 << fieldBit(d, 'FUSION', 'NO_STREAM')! : 0)),
        w('FEAT_IN_BASE', hw.featInBase ?? 0),
        w('FEAT_OUT_BASE', hw.featOutBase ?? 0),
      ]
    : [];
  return [
    w('LAYER_TYPE', d.layerTypes.codes[hw.type] + (hw.reuseMap ? 1 << fieldBit(d, 'LAYER_TYPE', 'REUSE_MAP')! : 0) + groupingBits(d, hw) + w0BlockBits(d, hw)),
    w('KERNEL_SIZE', hw.kernelSize),
    w('STRIDE', hw.stride),
    w('IN_TENSOR_STRIDE', log2(hw.inTensorStride)),
    w('IN_POINTS', hw.inCoords.length),
    w('OUT_POINTS', hw.type === 'transposed' ? (hw.outCoords?.length ?? 0) : 0),
    w('IN_CHANNELS', hw.inChannels),
    w('OUT_CHANNELS', hw.outChannels),
    w('POSTPROC', postproc),
    ...fusion,
    w('CONTROL', 1 << (fieldBit(d, 'CONTROL', 'START') ?? 0)),
    `p ${hex(reg(d, 'STATUS'))} ${hex(busy)} 0`,
    ...readbackRegisters(d).map((n) => `r ${hex(reg(d, n))}`),
  ];
}

export interface LayerReadback {
  busy: boolean;
  done: boolean;
  error: boolean;
  errorCode: number;
  errorName: string;
  outPoints: number;
  counters: Record<PerfCounter, number>;
}

/** Decode the reads of `layerScript` (the `r` lines, in order). */
export function decodeReadback(d: Derived, reads: bigint[]): LayerReadback {
  const names = readbackRegisters(d);
  if (reads.length !== names.length) throw new Error(`expected ${names.length} register reads, got ${reads.length}`);
  const v = new Map(names.map((n, i) => [n, reads[i]!]));
  const status = d.registers.registers.find((r) => r.name === 'STATUS')!;
  const f = (name: string) => {
    const fd = status.fields.find((x) => x.name === name)!;
    return Number((v.get('STATUS')! >> BigInt(fd.lsb)) & mask(fd.width));
  };
  const counters = {} as Record<PerfCounter, number>;
  for (const c of PERF_COUNTERS) {
    const val = v.has(c) ? v.get(c)! : v.get(`${c}_LO`)! | (v.get(`${c}_HI`)! << BigInt(d.registers.dataWidth));
    counters[c] = Number(val);
  }
  const code = f('ERROR_CODE');
  return {
    busy: f('BUSY') === 1,
    done: f('DONE') === 1,
    error: f('ERROR') === 1,
    errorCode: code,
    errorName: d.registers.errorCodes.find((e) => e.code === code)?.name ?? `UNKNOWN_${code}`,
    outPoints: Number(v.get('OUT_POINTS')!),
    counters,
  };
}

/** The shape of one hardware layer run, as far as its stream lengths go. */
export interface HwShape {
  type: LayerType;
  kernelSize: number;
  inChannels: number;
  outChannels: number;
  nIn: number;
  nOut: number;
  bias: boolean;
  requantOut: boolean;
  reuseMap?: boolean;
  /** Fusion: no FEAT section (features on chip). */
  featOnChip?: boolean;
}

/** Input beats `encodeLayer` produces for a run of this shape (without building them). */
export function inputBeatCount(spec: AcceleratorSpec, s: HwShape): number {
  const W = spec.interfaces.axisDataWidth;
  const C = spec.matrix.cols;
  const { ti, to } = channelTiles(spec, s);
  const beats = (bits: number) => Math.ceil(bits / W);
  const coords = (s.reuseMap ? 0 : s.nIn) + (s.type === 'transposed' ? s.nOut : 0);
  const bias = spec.postprocess.bias && s.bias ? to * beats(C * spec.arithmetic.accWidth) : 0;
  const req = s.requantOut ? to * (beats(C * spec.postprocess.multiplierWidth) + beats(C * spec.postprocess.shiftWidth)) : 0;
  const weights = s.kernelSize ** 3 * spec.matrix.rows * ti * to;
  return coords + bias + req + weights + (s.featOnChip ? 0 : s.nIn * ti);
}

/**
 * interfaces.outputOrder 'interleaved' applies to this layer: a map-free conv k = s = 2 run that
 * streams its words (accel_output il): coordinate q, then cout tile 0's word of point q, for every
 * q, then the words of cout tiles 1 … To−1 cout-tile-major. Every other layer sends the sections.
 */
export function interleavedOutput(spec: AcceleratorSpec, hw: Pick<HwLayer, 'type' | 'kernelSize' | 'stride' | 'keepOut' | 'noStream'>): boolean {
  return spec.interfaces.outputOrder === 'interleaved' && spec.mapping.mapFreeDownsample && hw.type === 'conv' &&
    hw.kernelSize === 2 && hw.stride === 2 && streamsWords(hw);
}

/** Output beats of one layer with `nOut` output points. */
export function outputBeatCount(
  spec: AcceleratorSpec, d: Derived, hw: Pick<HwLayer, 'inChannels' | 'outChannels' | 'requantOut' | 'keepOut' | 'noStream'>, nOut: number,
): number {
  const { to } = channelTiles(spec, hw);
  if (!streamsWords(hw)) return nOut;
  return nOut + nOut * to * (hw.requantOut ? d.accel.outBeats : d.accel.accBeats);
}

export interface DecodedOutput {
  coords: Coord[];
  /** `[point][outChannel]`: requantized features or accumulators (after bias); empty when the words were not streamed. */
  values: number[][];
  /** Harness cycle of the first coordinate beat, of the first and the last word beat. */
  cycles: { firstCoord: number; firstWord: number; last: number };
  /** Harness cycle of each point's coordinate beat. */
  coordCycles: number[];
  /** `[point][coutTile]`: harness cycle of the last beat of the point's word of that cout tile. */
  wordCycles: number[][];
}

/**
 * Split one layer's output beats (coordinates, then cout-tile-major words; or interleaved, see
 * {@link interleavedOutput}) and check TLAST.
 */
export function decodeOutput(
  spec: AcceleratorSpec, d: Derived, hw: HwLayer, nOut: number, beats: { data: bigint; last: boolean; cycle: number }[],
): DecodedOutput {
  const { to } = channelTiles(spec, hw);
  const C = spec.matrix.cols;
  const W = BigInt(spec.interfaces.axisDataWidth);
  const lane = hw.requantOut ? spec.arithmetic.outWidth : spec.arithmetic.accWidth;
  const per = hw.requantOut ? d.accel.outBeats : d.accel.accBeats;
  const expected = outputBeatCount(spec, d, hw, nOut);
  if (beats.length !== expected) throw new Error(`expected ${expected} output beats (${nOut} points), got ${beats.length}`);
  const il = interleavedOutput(spec, hw);
  // Beat index of point q's coordinate and of the first beat of its word of cout tile t.
  const coordAt = (q: number) => (il ? q * (1 + per) : q);
  const wordAt = (t: number, q: number) => (il ? (t === 0 ? q * (1 + per) + 1 : nOut * (1 + per) + ((t - 1) * nOut + q) * per) : nOut + (t * nOut + q) * per);
  const coords: Coord[] = [];
  const coordCycles: number[] = [];
  for (let q = 0; q < nOut; q++) {
    const b = beats[coordAt(q)]!;
    if (b.last !== (!il && q === nOut - 1)) throw new Error(`output coordinate beat ${q}: TLAST ${b.last ? 'set' : 'missing'}`);
    coords.push(unpackPoint(spec, b.data));
    coordCycles.push(b.cycle);
  }
  const values = Array.from({ length: nOut }, () => new Array<number>(hw.outChannels).fill(0));
  const wordCycles = Array.from({ length: nOut }, () => new Array<number>(to).fill(-1));
  for (let t = 0; t < (streamsWords(hw) ? to : 0); t++) {
    for (let q = 0; q < nOut; q++) {
      let word = 0n;
      let k = wordAt(t, q);
      for (let j = 0; j < per; j++) {
        const b = beats[k++]!;
        const isLast = t === to - 1 && q === nOut - 1 && j === per - 1;
        if (b.last !== isLast) throw new Error(`output word (cout tile ${t}, point ${q}) beat ${j}: TLAST ${b.last ? 'set' : 'missing'}`);
        word |= b.data << (BigInt(j) * W);
        wordCycles[q]![t] = b.cycle;
      }
      for (let c = 0; c < C; c++) {
        const o = t * C + c;
        if (o < hw.outChannels) values[q]![o] = unpackLane(word, c, lane, true);
      }
    }
  }
  return {
    coords,
    // Words kept on chip only (FUSION.NO_STREAM) were never seen by the host: no values.
    values: streamsWords(hw) ? values : [],
    cycles: {
      firstCoord: nOut > 0 ? beats[0]!.cycle : -1,
      firstWord: beats.length > nOut ? beats[wordAt(0, 0)]!.cycle : -1,
      last: beats.length > 0 ? beats[beats.length - 1]!.cycle : -1,
    },
    coordCycles,
    wordCycles,
  };
}
