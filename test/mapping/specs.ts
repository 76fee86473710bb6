// Specs of the mapping-engine tests: small, so that builds and runs stay fast.
import { defineAccelerator } from '../../generator/dsl/define.ts';
import { presets } from '../../generator/dsl/presets.ts';
import type { AcceleratorSpec } from '../../generator/dsl/spec.ts';

export const tiny: AcceleratorSpec = presets.tiny;

/** 3 lanes (not a power of two), k ≤ 5, stride ≤ 4 (16 downsampling classes), 9-bit coordinates. */
export const wide: AcceleratorSpec = defineAccelerator({
  name: 'sf_maptest',
  mapping: { lanes: 3, maxKernelSize: 5, maxStride: 4, coordWidth: 9, batchWidth: 4 },
  buffers: { coordDepth: 512, featureDepth: 256, weightDepth: 512, accumulatorDepth: 256, mapDepth: 2048 },
  matrix: { rows: 4, cols: 4, maxChannels: 16 },
  interfaces: { axisDataWidth: 32, axilDataWidth: 32 },
});

/** The bunny needs deep buffers: the fpga preset (2 lanes, 4096 points, k ≤ 5). */
export const bunnySpec: AcceleratorSpec = presets.fpga;

/** Without conv: no downsampler in the RTL; conv requests must raise UNSUPPORTED_LAYER. */
export const noConv: AcceleratorSpec = { ...presets.tiny, name: 'sf_tiny_noconv', mapping: { ...presets.tiny.mapping, layerTypes: ['submanifold', 'transposed'] } };
