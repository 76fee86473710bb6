// The synthesis gate on N:M-sparse accelerators (tiny array 2:4, and the fpga-2of4 preset): the
// whole top through Yosys synth_xilinx with zero latches (the activation muxes are complete case
// statements) and one DSP48 per multiplier, as for the dense presets.
import { describe, expect, it } from 'vitest';
import { presets } from '../../generator/dsl/index.ts';
import { checkPresetTop, SYNTH_TIMEOUT_MS } from './preset-top.ts';
import { tiny2of4 } from '../sparsity/specs.ts';

describe('synthesis gate: N:M weight sparsity', () => {
  it('tiny 2:4: the accelerator top', async () => {
    // Zero latches in the whole top (the columns counted per instance) and a DSP48 per multiplier.
    const r = await checkPresetTop(tiny2of4);
    expect(r.total.latches).toBe(0);
  }, SYNTH_TIMEOUT_MS);

  it('preset fpga-2of4: the accelerator top', async () => {
    const r = await checkPresetTop(presets['fpga-2of4']);
    expect(r.total.latches).toBe(0);
  }, SYNTH_TIMEOUT_MS);
});
