// The harness's idle limit (--idle-cycles) for the drivers that poll STATUS while the hardware
// works: a poll that reads "busy" is not progress (testbench/harness.cpp), so the limit must
// exceed the longest stretch a working design can spend without a handshake. Both bounds below
// are generous upper bounds on that stretch; the limit adds a constant and a factor of 4.
import type { AcceleratorSpec } from '../dsl/spec.ts';
import { kernelVolume } from '../model/kernel.ts';

/** The idle limit for a quiet stretch of at most `quietCycles`. */
export function idleLimit(quietCycles: number): number {
  return 100_000 + 4 * quietCycles;
}

/**
 * Mapping one layer: every kernel offset merges at most nIn + nOut coordinates (one comparison a
 * cycle on a single lane), after loading at most `coordDepth` points.
 */
export function mappingQuietCycles(spec: AcceleratorSpec, kernelSize: number, nIn: number, nOut: number): number {
  return kernelVolume(kernelSize) * (nIn + nOut + 1) + spec.buffers.coordDepth;
}

/**
 * One layer on the accelerator: mapping, then at most min(nIn, nOut) map entries per offset, each
 * computed once per channel-tile pair (`tiles` = input × output channel tiles), a drain pass of
 * every output per output-channel tile (`outTiles`), and clearing the accumulators.
 */
export function layerQuietCycles(spec: AcceleratorSpec, kernelSize: number, nIn: number, nOut: number, tiles: number, outTiles: number): number {
  return mappingQuietCycles(spec, kernelSize, nIn, nOut) + kernelVolume(kernelSize) * Math.min(nIn, nOut) * tiles + nOut * outTiles + spec.buffers.accumulatorDepth;
}
