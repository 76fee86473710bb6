// Small N:M-sparse accelerator specs for fast tests (the `tiny` array with 2:4 and 1:4 weight
// sparsity; the stream widens so that a feature word of rows · M/N channels fits a beat).
import { defineAccelerator, presets, type AcceleratorSpec } from '../../generator/dsl/index.ts';

export const tiny2of4: AcceleratorSpec = defineAccelerator({ name: 'sf_tiny_2of4', matrix: { weightSparsity: '2:4' }, interfaces: { axisDataWidth: 64 } }, presets.tiny);
export const tiny1of4: AcceleratorSpec = defineAccelerator({ name: 'sf_tiny_1of4', matrix: { weightSparsity: '1:4' }, interfaces: { axisDataWidth: 128 } }, presets.tiny);
/** The fpga array with 1:4 weights: a pass covers 64 input channels (16-bit features × 64 need a 512-bit beat). */
export const fpga1of4: AcceleratorSpec = defineAccelerator({ name: 'sf_fpga_1of4', matrix: { weightSparsity: '1:4' }, interfaces: { axisDataWidth: 512 }, buffers: { keepFeatures: false } }, presets.fpga);
