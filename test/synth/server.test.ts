// The synthesis gate on the server preset (64×64, PointAcc-scale buffers): Yosys maps one matrix
// column and 4,096 multipliers' worth of DSP48s, and thousands of RAMB36. About six minutes and
// 3 GB, so it is a file of its own: vitest runs it beside synth.test.ts (vitest.config.ts starts
// the long files first).
import { describe, it } from 'vitest';
import { presets } from '../../generator/dsl/index.ts';
import { checkPresetTop, SYNTH_TIMEOUT_MS } from './preset-top.ts';

describe('synthesis gate: synth_xilinx -noiopad, zero latches', () => {
  it('preset server: the accelerator top', async () => {
    await checkPresetTop(presets.server);
  }, SYNTH_TIMEOUT_MS);
});
