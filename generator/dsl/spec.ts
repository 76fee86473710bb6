// The accelerator spec: one object, organised by unit, that every consumer (RTL templates,
// golden-model widths, C header, manifest, docs, cycle model) reads. Validation and derived
// parameters live beside it (validate.ts, derive.ts); nothing else computes a parameter.
import type { LayerType } from '../model/types.ts';

export interface ArithmeticSpec {
  /** Input feature width (signed). */
  inWidth: number;
  /** Weight width (signed). */
  weightWidth: number;
  /** Accumulator width (signed, wraps). */
  accWidth: number;
  /** Requantized output width (signed). */
  outWidth: number;
}

export interface MappingSpec {
  /** Kernel offsets merged in parallel by the mapping engine. */
  lanes: number;
  /** Largest kernel size the engine supports (offset counters, weight buffer sizing). */
  maxKernelSize: number;
  /** Largest layer stride the engine supports. */
  maxStride: number;
  /** Layer types the accelerator accepts; others raise an error flag. */
  layerTypes: LayerType[];
  /** Bits per spatial coordinate (signed), x/y/z each. */
  coordWidth: number;
  /** Bits of the batch index (unsigned). */
  batchWidth: number;
}

export interface BufferSpec {
  /** Points per coordinate buffer (input and output each). */
  coordDepth: number;
  /** Input feature rows held on chip. */
  featureDepth: number;
  /** Weight words (rows × cols tiles) held on chip. */
  weightDepth: number;
  /** Output accumulator rows held on chip. */
  accumulatorDepth: number;
  /** Kernel-map entries held on chip. */
  mapDepth: number;
}

export interface GatherScatterSpec {
  /** Depth of the scatter read-modify-write pipeline forwarding window (hazard bypass). */
  scatterForwarding: boolean;
}

export interface MatrixSpec {
  /** Input channels per pass. */
  rows: number;
  /** Output channels per pass. */
  cols: number;
}

export interface PostprocessSpec {
  bias: boolean;
  requant: boolean;
  relu: boolean;
  /** Requantization multiplier width (unsigned). */
  multiplierWidth: number;
  /** Width of the shift field: shifts 0 … 2^shiftWidth − 1. */
  shiftWidth: number;
}

export interface InterfaceSpec {
  /** AXI4-Stream data width in bits (slave and master). */
  axisDataWidth: number;
  /** AXI4-Lite data width in bits. */
  axilDataWidth: number;
}

export interface AcceleratorSpec {
  /** Verilog identifier; prefixes every emitted module. */
  name: string;
  arithmetic: ArithmeticSpec;
  mapping: MappingSpec;
  buffers: BufferSpec;
  gatherScatter: GatherScatterSpec;
  matrix: MatrixSpec;
  postprocess: PostprocessSpec;
  interfaces: InterfaceSpec;
}
