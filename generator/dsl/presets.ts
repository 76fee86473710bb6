// Presets are derived from one base spec (Gemmini style: `{ ...base, matrix: { rows: 32, … } }`)
// so that a change to the base reaches every preset.
import type { AcceleratorSpec } from './spec.ts';

export const baseSpec: AcceleratorSpec = {
  name: 'sf_fpga',
  arithmetic: { inWidth: 8, weightWidth: 8, accWidth: 32, outWidth: 8 },
  mapping: {
    lanes: 2,
    maxKernelSize: 5,
    maxStride: 2,
    layerTypes: ['submanifold', 'conv', 'transposed'],
    coordWidth: 16,
    batchWidth: 4,
  },
  buffers: { coordDepth: 4096, featureDepth: 4096, weightDepth: 2048, accumulatorDepth: 4096, mapDepth: 32768 },
  gatherScatter: { scatterForwarding: true },
  matrix: { rows: 16, cols: 16 },
  postprocess: { bias: true, requant: true, relu: true, multiplierWidth: 16, shiftWidth: 6 },
  interfaces: { axisDataWidth: 128, axilDataWidth: 32 },
};

export const presets = {
  tiny: {
    ...baseSpec,
    name: 'sf_tiny',
    mapping: { ...baseSpec.mapping, lanes: 1, maxKernelSize: 3 },
    buffers: { coordDepth: 256, featureDepth: 256, weightDepth: 256, accumulatorDepth: 256, mapDepth: 2048 },
    matrix: { rows: 4, cols: 4 },
    interfaces: { ...baseSpec.interfaces, axisDataWidth: 32 },
  },
  edge: {
    ...baseSpec,
    name: 'sf_edge',
    buffers: { ...baseSpec.buffers, coordDepth: 2048, featureDepth: 2048, accumulatorDepth: 2048, mapDepth: 16384 },
    matrix: { rows: 8, cols: 8 },
    interfaces: { ...baseSpec.interfaces, axisDataWidth: 64 },
  },
  fpga: baseSpec,
  server: {
    ...baseSpec,
    name: 'sf_server',
    mapping: { ...baseSpec.mapping, lanes: 8 },
    buffers: { coordDepth: 65536, featureDepth: 65536, weightDepth: 8192, accumulatorDepth: 65536, mapDepth: 524288 },
    matrix: { rows: 64, cols: 64 },
    interfaces: { ...baseSpec.interfaces, axisDataWidth: 512 },
  },
} satisfies Record<string, AcceleratorSpec>;

export type PresetName = keyof typeof presets;
export const PRESET_NAMES = Object.keys(presets) as PresetName[];
