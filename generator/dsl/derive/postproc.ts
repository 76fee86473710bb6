// Derived parameters of the post-processing unit (templates/postproc.v.hbs); aggregated by
// derive/index.ts as `derived.postproc`. Every number the template prints is computed here.
//
// Per lane (DESIGN.md §1): s = wrap(acc + bias, accWidth);
//   y = clamp(floor((s·m + r) / 2^sh), lo, hi), r = 2^(sh-1) (0 when sh = 0),
//   lo = relu ? 0 : -2^(outWidth-1), hi = 2^(outWidth-1) - 1.
// Datapath: p = s·m exact at productWidth = accWidth + multiplierWidth bits (m unsigned);
//   sh = 0: y = p;  sh ≥ 1: y = (q + 1) >>> 1 = (q >>> 1) + q[0] with q = p >>> (sh - 1) (the same floor, without a
//   2^(sh-1) constant: floor((p + 2^(sh-1)) / 2^sh) = floor((floor(p / 2^(sh-1)) + 1) / 2)).
//   Arithmetic shifts of ≥ productWidth - 1 give all sign bits, so the shift amount is clamped
//   there and every shift 0 … 2^shiftWidth - 1 is exact (large shifts give 0 or -1 before clamp).
// Stages: 1 bias add, 2 multiply (DSP M register), 3 shift + round, 4 clamp/relu, then the FIFO;
// postprocess.pipelineStages adds 2a (the product's second register), 3a (the shift before the
// rounding add), 4a (the saturation flags before the select), in that order.
import type { AcceleratorSpec } from '../spec.ts';
import { addrWidth, countWidth } from './math.ts';

export interface PostprocDerived {
  module: string;
  fifoModule: string;
  /** Lanes per beat (= matrix cols: one output-channel tile of one point). */
  lanes: number;
  accWidth: number;
  outWidth: number;
  multiplierWidth: number;
  shiftWidth: number;
  bias: boolean;
  requant: boolean;
  /** ReLU input present (requant && relu). */
  relu: boolean;
  accMsb: number;
  outMsb: number;
  multMsb: number;
  shiftMsb: number;
  /** Exact product width accWidth + multiplierWidth and derived indices. */
  productWidth: number;
  productMsb: number;
  /** Zero-extension of the multiplier to productWidth (≥ 1: it is unsigned). */
  multExt: number;
  /** Sign-extension of the biased accumulator to productWidth. */
  accExt: number;
  /** The shift amount sh - 1 is clamped to productWidth - 1 when the shift field can exceed it. */
  shiftClamp: boolean;
  /** productWidth - 1 as a shiftWidth-bit literal value (only used when shiftClamp). */
  shiftClampValue: number;
  /** Saturation: bits [productMsb-1 : outMsb] must all equal the sign bit for y to fit; also
   *  productWidth - 1 (the zero padding of the rounding increment). */
  satHighBit: number;
  /** Ones / zeros in the saturated outputs: outWidth - 1. */
  outMagWidth: number;
  tagWidth: number;
  tagMsb: number;
  accBusWidth: number;
  accBusMsb: number;
  multBusWidth: number;
  multBusMsb: number;
  shiftBusWidth: number;
  shiftBusMsb: number;
  outBusWidth: number;
  outBusMsb: number;
  /** Extra requantization stages (spec.postprocess.pipelineStages): multiply, shift, clamp. */
  pipelineStages: number;
  pipeMul: boolean;
  pipeShift: boolean;
  pipeClamp: boolean;
  /** Valid/tag/last registers after stage 1 (requant): stage 2 … latency, each fed by `prev`. */
  sideStages: { stage: number; prev: number }[];
  /** ReLU flag registers after relu1 (stage 2 … reluAtClamp). */
  reluStages: { stage: number; prev: number }[];
  /** Stage of the ReLU flag that the clamp select reads (latency - 1). */
  reluAtClamp: number;
  /** Cycles from an accepted beat to its result entering the output FIFO (4 + pipelineStages with requant, else 1). */
  latency: number;
  latencyToOutput: number;
  fifoDepth: number;
  fifoPtrWidth: number;
  fifoCountWidth: number;
  /** FIFO payload: {last, tag, out lanes (when requant), acc lanes}. */
  fifoWidth: number;
  fifoWidthMsb: number;
  fifoLastBit: number;
  fifoTagLsb: number;
  fifoTagMsb: number;
  fifoOutLsb: number;
  fifoOutMsb: number;
}

export function derivePostproc(spec: AcceleratorSpec): PostprocDerived {
  const prefix = `${spec.name}_`;
  const { accWidth, outWidth } = spec.arithmetic;
  const { multiplierWidth, shiftWidth, bias, requant } = spec.postprocess;
  const relu = requant && spec.postprocess.relu;
  const lanes = spec.matrix.cols;
  const productWidth = accWidth + multiplierWidth;
  if (requant && outWidth < 2) throw new RangeError(`postprocess: outWidth ${outWidth} must be at least 2`);
  if (requant && outWidth >= productWidth) {
    throw new RangeError(`postprocess: outWidth ${outWidth} must be below accWidth + multiplierWidth (${productWidth})`);
  }
  const maxShiftMinus1 = 2 ** shiftWidth - 2;
  const shiftClamp = maxShiftMinus1 > productWidth - 1;
  const { pipelineStages } = spec.postprocess;
  if (pipelineStages > 0 && !requant) throw new RangeError(`postprocess.pipelineStages ${pipelineStages} requires requant`);
  const latency = requant ? 4 + pipelineStages : 1;
  const chain = (from: number, to: number): { stage: number; prev: number }[] =>
    Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => ({ stage: from + i, prev: from + i - 1 }));
  let fifoDepth = 2;
  while (fifoDepth < latency + 2) fifoDepth *= 2;
  const tagWidth = addrWidth(spec.buffers.accumulatorDepth);
  const accBusWidth = lanes * accWidth;
  const outBusWidth = requant ? lanes * outWidth : 0;
  const fifoWidth = 1 + tagWidth + outBusWidth + accBusWidth;
  return {
    module: `${prefix}postproc`,
    fifoModule: `${prefix}stream_fifo`,
    lanes,
    accWidth,
    outWidth,
    multiplierWidth,
    shiftWidth,
    bias,
    requant,
    relu,
    accMsb: accWidth - 1,
    outMsb: outWidth - 1,
    multMsb: multiplierWidth - 1,
    shiftMsb: shiftWidth - 1,
    productWidth,
    productMsb: productWidth - 1,
    multExt: productWidth - multiplierWidth,
    accExt: productWidth - accWidth,
    shiftClamp,
    shiftClampValue: productWidth - 1,
    satHighBit: productWidth - 2,
    outMagWidth: outWidth - 1,
    tagWidth,
    tagMsb: tagWidth - 1,
    accBusWidth,
    accBusMsb: accBusWidth - 1,
    multBusWidth: lanes * multiplierWidth,
    multBusMsb: lanes * multiplierWidth - 1,
    shiftBusWidth: lanes * shiftWidth,
    shiftBusMsb: lanes * shiftWidth - 1,
    outBusWidth,
    outBusMsb: outBusWidth - 1,
    pipelineStages,
    pipeMul: pipelineStages >= 1,
    pipeShift: pipelineStages >= 2,
    pipeClamp: pipelineStages >= 3,
    sideStages: requant ? chain(2, latency) : [],
    reluStages: relu ? chain(2, latency - 1) : [],
    reluAtClamp: latency - 1,
    latency,
    latencyToOutput: latency + 1,
    fifoDepth,
    fifoPtrWidth: addrWidth(fifoDepth),
    fifoCountWidth: countWidth(fifoDepth),
    fifoWidth,
    fifoWidthMsb: fifoWidth - 1,
    fifoLastBit: fifoWidth - 1,
    fifoTagLsb: accBusWidth + outBusWidth,
    fifoTagMsb: accBusWidth + outBusWidth + tagWidth - 1,
    fifoOutLsb: accBusWidth,
    fifoOutMsb: accBusWidth + outBusWidth - 1,
  };
}
