// Small N:M-sparse accelerator specs for fast tests (the `tiny` array with 2:4 and 1:4 weight
// sparsity; the stream widens so that a feature word of rows · M/N channels fits a beat).
import { defineAccelerator, presets, type AcceleratorSpec } from '../../generator/dsl/index.ts';

export const tiny2of4: AcceleratorSpec = defineAccelerator({ name: 'sf_tiny_2of4', matrix: { weightSparsity: '2:4' }, interfaces: { axisDataWidth: 64 } }, presets.tiny);
export const tiny1of4: AcceleratorSpec = defineAccelerator({ name: 'sf_tiny_1of4', matrix: { weightSparsity: '1:4' }, interfaces: { axisDataWidth: 128 } }, presets.tiny);
/** The fpga array with 1:4 weights: a pass covers 64 input channels (16-bit features × 64 need a 512-bit beat). */
export const fpga1of4: AcceleratorSpec = defineAccelerator({ name: 'sf_fpga_1of4', matrix: { weightSparsity: '1:4' }, interfaces: { axisDataWidth: 512 }, buffers: { keepFeatures: false } }, presets.fpga);
/**
 * tiny 1:4 with maxChannels 4: a pass (16 channels) is wider than any layer. The channel-tile
 * count ceil(Cin / 16) = (Cin + 15) >> 4 once wrapped to 0 in a 4-bit sum (accel_ctrl), so FEAT was
 * announced empty and every layer hung after STREAM_PROTOCOL (random spec 711026).
 */
export const tiny1of4Narrow: AcceleratorSpec = defineAccelerator({ name: 'sf_tiny_1of4_mc4', matrix: { weightSparsity: '1:4', maxChannels: 4 }, interfaces: { axisDataWidth: 128 } }, presets.tiny);
