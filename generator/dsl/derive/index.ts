// Every derived parameter, computed in one place from a validated spec. Templates, the C header,
// the manifest, docs and the simulation harness read these numbers and never compute their own
// (DESIGN.md §4). Unit-specific parts come from the modules that own the unit's RTL
// (mapping.ts, matrix.ts, postproc.ts) and appear here as `mapping` / `matrix` / `postproc`.
import { createHash } from 'node:crypto';
import type { LayerType } from '../../model/types.ts';
import { GENERATOR_NAME, GENERATOR_VERSION, parseVersion } from '../version.ts';
import { maxKernelVolume, pointWidth, reductionWidth, type AcceleratorSpec } from '../spec.ts';
import { addrWidth, ceilDiv, clog2, countWidth } from './math.ts';
import { inChannelsPerPass, weightIndexWidth } from '../sparsity.ts';
import { deriveMapping, type MappingDerived } from './mapping.ts';
import { deriveMatrix, type MatrixDerived } from './matrix.ts';
import { derivePostproc, type PostprocDerived } from './postproc.ts';
import { deriveRegisters, LAYER_TYPE_CODES, type RegisterMap } from './registers.ts';
import { deriveAccel, type AccelDerived } from './accel.ts';

export interface BufferDerived {
  depth: number;
  addrWidth: number;
  /** Bits per word. */
  width: number;
  /** Independent memories the depth is split or replicated over (see the unit's comment). */
  banks: number;
}

export interface Derived {
  name: string;
  /** Prefix of every emitted module: `${name}_`. */
  prefix: string;
  /** SHA-256 (hex) of the canonical JSON spec. */
  configHash: string;
  /** Its first 32 bits, as the CONFIG_HASH register holds them. */
  configHashWord: number;
  generator: { name: string; version: string };
  arithmetic: {
    inWidth: number;
    weightWidth: number;
    /** inWidth + weightWidth: an exact signed product. */
    productWidth: number;
    accWidth: number;
    outWidth: number;
    /** Accumulator bits the largest legal reduction needs (≤ accWidth by validation). */
    reductionWidth: number;
  };
  kernel: {
    maxSize: number;
    /** maxSize³. */
    maxVolume: number;
    /** Bits of a kernel-size register (holds 1 … maxSize). */
    sizeWidth: number;
    /** Bits of a kernel index (0 … maxVolume − 1). */
    indexWidth: number;
    maxStride: number;
    /** Bits of a stride register (holds 1 … maxStride). */
    strideWidth: number;
  };
  coords: {
    coordWidth: number;
    batchWidth: number;
    /** batchWidth + 3 · coordWidth: one point, packed `{b, z, y, x}` from the MSB (x in the low bits). */
    pointWidth: number;
    /** Bits of log2(tensor stride) (0 … coordWidth − 1). */
    tensorStrideLog2Width: number;
    /** Bits of a point count (0 … coordDepth). */
    pointCountWidth: number;
  };
  layerTypes: {
    codes: typeof LAYER_TYPE_CODES;
    codeWidth: number;
    supported: Record<LayerType, boolean>;
    /** Bit `code` set for each supported type. */
    mask: number;
  };
  channels: {
    max: number;
    /** Bits of a channel count (0 … max). */
    countWidth: number;
    /** ceil(max / input channels per pass): input-channel tiles of the widest layer. */
    maxInTiles: number;
    /** ceil(max / cols). */
    maxOutTiles: number;
    inTileWidth: number;
    outTileWidth: number;
  };
  buffers: {
    /** Sorted coordinates; one bank per mapping lane so every lane streams its shifted input. */
    coord: BufferDerived;
    /** Input features, one pass's input channels per word (`rows`, or rows·M/N with N:M sparsity). */
    feature: BufferDerived;
    /** Weight tile rows, `cols` weights (with N:M sparsity: {position, weight} lanes) per word; two banks: the next offset's tile loads while the current one computes. */
    weight: BufferDerived;
    /** Output accumulators, `cols` channels per word, read-modify-written by the scatter. */
    accumulator: BufferDerived;
    /** Map entries `{kernel index, input index, output index}`; one bank per lane (each lane writes its own). */
    map: BufferDerived;
  };
  axis: {
    dataWidth: number;
    /** TKEEP bits (one per byte). */
    keepWidth: number;
    /** Beats per point on the coordinate stream (validation guarantees one). */
    pointBeats: number;
    featureWordWidth: number;
    weightWordWidth: number;
    /** cols · outWidth: one requantized output word. */
    outWordWidth: number;
    /** cols · accWidth: one output word when requantization is off. */
    accWordWidth: number;
    outBeatsPerWord: number;
    accBeatsPerWord: number;
  };
  axil: {
    dataWidth: number;
    /** WSTRB bits. */
    strbWidth: number;
    addrWidth: number;
  };
  latencies: {
    /** Cycles from a buffer read address to its data (registered block-RAM output). */
    bufferRead: number;
    /** Cycles of the scatter read-modify-write: read, add, write back. */
    scatterRmw: number;
    /** Partial sums in flight in the scatter that forwarding must cover (0 without forwarding). */
    scatterForwardDepth: number;
    /** Matrix unit: accepted row to y_valid_o (from `matrix`). */
    matrix: number;
    /** Post-processing: accepted word to output valid (from `postproc`). */
    postproc: number;
  };
  mapping: MappingDerived;
  matrix: MatrixDerived;
  postproc: PostprocDerived;
  registers: RegisterMap;
  /** The complete accelerator's top level (accel.ts). */
  accel: AccelDerived;
  /**
   * Modules instantiated many times (the matrix unit's columns). Tools handle each once: the lint
   * gate checks it on its own and gives its parents a port-compatible stub (emit/lint.ts);
   * synthesis keeps it as one module until the netlist is counted (synth/yosys.ts).
   */
  replicated: string[];
}

/** JSON with object keys sorted at every level: the form the config hash is taken over. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

export function configHash(spec: AcceleratorSpec): string {
  return createHash('sha256').update(canonicalJson(spec)).digest('hex');
}

function buffer(depth: number, width: number, banks: number): BufferDerived {
  return { depth, addrWidth: addrWidth(depth), width, banks };
}

/** Derived parameters of a spec. The spec must be valid (parseSpec / defineAccelerator). */
export function derive(spec: AcceleratorSpec): Derived {
  const { arithmetic: ar, mapping: mp, buffers: bf, matrix: mx, interfaces: io } = spec;
  const hash = configHash(spec);
  const configHashWord = Number.parseInt(hash.slice(0, 8), 16);
  const maxVolume = maxKernelVolume(spec);
  const supported = {
    submanifold: mp.layerTypes.includes('submanifold'),
    conv: mp.layerTypes.includes('conv'),
    transposed: mp.layerTypes.includes('transposed'),
  };
  const mask = mp.layerTypes.reduce((m, t) => m | (1 << LAYER_TYPE_CODES[t]), 0);
  const tensorStrideLog2Width = countWidth(mp.coordWidth - 1);
  const bufferRead = 1;
  const scatterRmw = bufferRead + 2;

  const buffers = {
    coord: buffer(bf.coordDepth, pointWidth(spec), mp.lanes),
    feature: buffer(bf.featureDepth, inChannelsPerPass(spec) * ar.inWidth, 1),
    weight: buffer(bf.weightDepth, mx.cols * (ar.weightWidth + weightIndexWidth(spec)), 2),
    accumulator: buffer(bf.accumulatorDepth, mx.cols * ar.accWidth, 1),
    // A 1-offset kernel still gets one kernel-index bit so that the field exists.
    map: buffer(bf.mapDepth, addrWidth(maxVolume) + 2 * addrWidth(bf.coordDepth), mp.lanes),
  };

  const log2 = {
    coordDepth: clog2(bf.coordDepth),
    featureDepth: clog2(bf.featureDepth),
    weightDepth: clog2(bf.weightDepth),
    accumulatorDepth: clog2(bf.accumulatorDepth),
    mapDepth: clog2(bf.mapDepth),
  };
  const registers = deriveRegisters({
    spec,
    configHashWord,
    version: parseVersion(GENERATOR_VERSION),
    log2,
    layerTypeMask: mask,
    tensorStrideLog2Width,
  });

  const matrix = deriveMatrix(spec);
  const postproc = derivePostproc(spec);
  return {
    name: spec.name,
    prefix: `${spec.name}_`,
    configHash: hash,
    configHashWord,
    generator: { name: GENERATOR_NAME, version: GENERATOR_VERSION },
    arithmetic: {
      inWidth: ar.inWidth,
      weightWidth: ar.weightWidth,
      productWidth: ar.inWidth + ar.weightWidth,
      accWidth: ar.accWidth,
      outWidth: ar.outWidth,
      reductionWidth: reductionWidth(spec),
    },
    kernel: {
      maxSize: mp.maxKernelSize,
      maxVolume,
      sizeWidth: countWidth(mp.maxKernelSize),
      indexWidth: addrWidth(maxVolume),
      maxStride: mp.maxStride,
      strideWidth: countWidth(mp.maxStride),
    },
    coords: {
      coordWidth: mp.coordWidth,
      batchWidth: mp.batchWidth,
      pointWidth: pointWidth(spec),
      tensorStrideLog2Width,
      pointCountWidth: countWidth(bf.coordDepth),
    },
    layerTypes: { codes: LAYER_TYPE_CODES, codeWidth: 2, supported, mask },
    channels: {
      max: mx.maxChannels,
      countWidth: countWidth(mx.maxChannels),
      maxInTiles: ceilDiv(mx.maxChannels, inChannelsPerPass(spec)),
      maxOutTiles: ceilDiv(mx.maxChannels, mx.cols),
      inTileWidth: addrWidth(ceilDiv(mx.maxChannels, inChannelsPerPass(spec))),
      outTileWidth: addrWidth(ceilDiv(mx.maxChannels, mx.cols)),
    },
    buffers,
    axis: {
      dataWidth: io.axisDataWidth,
      keepWidth: io.axisDataWidth / 8,
      pointBeats: 1,
      featureWordWidth: buffers.feature.width,
      weightWordWidth: buffers.weight.width,
      outWordWidth: mx.cols * ar.outWidth,
      accWordWidth: mx.cols * ar.accWidth,
      outBeatsPerWord: ceilDiv(mx.cols * ar.outWidth, io.axisDataWidth),
      accBeatsPerWord: ceilDiv(mx.cols * ar.accWidth, io.axisDataWidth),
    },
    axil: { dataWidth: io.axilDataWidth, strbWidth: io.axilDataWidth / 8, addrWidth: registers.addrWidth },
    latencies: {
      bufferRead,
      scatterRmw,
      scatterForwardDepth: spec.gatherScatter.scatterForwarding ? scatterRmw : 0,
      matrix: matrix.latencyToOutput,
      postproc: postproc.latencyToOutput,
    },
    mapping: deriveMapping(spec),
    matrix,
    postproc,
    registers,
    accel: deriveAccel(spec, registers),
    replicated: [matrix.colModule],
  };
}

export type { MappingDerived } from './mapping.ts';
export type { MatrixDerived } from './matrix.ts';
export type { PostprocDerived } from './postproc.ts';
export type { Access, ErrorCode, Register, RegisterField, RegisterMap } from './registers.ts';
export { clog2, countWidth, addrWidth } from './math.ts';
