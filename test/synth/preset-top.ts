// The synthesis gate's check of one preset's accelerator top (synth.test.ts, server.long.test.ts).
import { expect } from 'vitest';
import type { AcceleratorSpec } from '../../generator/dsl/index.ts';
import { synthesize, type SynthReport } from '../../generator/synth/yosys.ts';

// Yosys on a whole accelerator top takes one to three minutes on a busy two-core machine, server
// six to ten.
export const SYNTH_TIMEOUT_MS = 1_200_000;

function moduleOf(r: SynthReport, suffix: string) {
  const m = r.modules.find((x) => x.module.endsWith(`_${suffix}`));
  if (!m) throw new Error(`no module *_${suffix} in ${r.modules.map((x) => x.module).join(', ')}`);
  return m;
}

export async function checkPresetTop(spec: AcceleratorSpec, opts: { timing?: boolean } = {}): Promise<SynthReport> {
  const r = await synthesize(spec, opts);
  expect(r.name).toBe(spec.name);
  expect(r.totalOf).toEqual([`${spec.name}_accel`]);
  const top = moduleOf(r, 'accel');
  expect(top.root).toBe(true);
  expect(top.latches, 'latches').toBe(0);
  expect([r.total.luts, r.total.ffs, r.total.dsp48, r.total.bram, r.total.latches]).toEqual([top.luts, top.ffs, top.dsp48, top.bram, top.latches]);
  // Every 8×8 multiplier of the matrix unit lands in a DSP48 (the post-processing adds a few).
  expect(top.dsp48).toBeGreaterThanOrEqual(spec.matrix.rows * spec.matrix.cols);
  expect(top.dsp48).toBeLessThanOrEqual(spec.matrix.rows * spec.matrix.cols + 4 * spec.matrix.cols);
  expect(top.ffs).toBeGreaterThan(0);
  expect(top.luts).toBeGreaterThan(0);
  // The coordinate, feature and accumulator buffers are synchronous-read arrays: block RAM.
  expect(top.bram.ramb18 + top.bram.ramb36).toBeGreaterThan(0);
  return r;
}
