// The complete accelerator with both pipelining knobs on (PIPE_SPEC in test/sim/configs.ts: tiny
// with one more adder-tree stage, matrix.treePipeline 1, and the three extra requantization
// stages, postprocess.pipelineStages 3; with the accumulator drain port): bit-exact against the golden model under random
// backpressure, with back-to-back same-address rows across passes — the scatter's forwarding
// behind the deeper matrix pipeline — and the cycle model following the added latency (the
// accuracy itself: test/accel/cycle-model.test.ts, which has PIPE_SPEC cases).
import { beforeAll, describe, expect, it } from 'vitest';
import { presets } from '../../generator/dsl/presets.ts';
import { predictCycles } from '../../generator/model/cycle-model.ts';
import { cycleModelRuns } from '../../generator/model/cycle-model-runs.ts';
import { layerStats } from '../../generator/model/stats.ts';
import type { LayerCase } from '../../generator/model/types.ts';
import { buildAccel } from '../../generator/sim/accel/rtl.ts';
import { PIPE_SPEC } from '../sim/configs.ts';
import { randomCase, widthsOf } from './cases.ts';
import { ACCEL_TIMEOUT_MS, expectBitExact } from './run.ts';

const spec = PIPE_SPEC;

function predict(s: typeof spec, c: LayerCase) {
  const { runs } = cycleModelRuns(s, c, {});
  return predictCycles(s, layerStats(c, widthsOf(s)), { ...c.layer, requant: c.requant !== undefined, bias: c.bias !== undefined, runs });
}

describe('accelerator co-simulation: pipelining knobs (tiny, treePipeline 1, pipelineStages 3)', () => {
  beforeAll(async () => {
    await buildAccel(spec);
  }, ACCEL_TIMEOUT_MS);

  it('is the configuration this test means', () => {
    expect([spec.matrix.treePipeline, spec.postprocess.pipelineStages, spec.gatherScatter.scatterForwarding, spec.gatherScatter.drainPort]).toEqual([1, 3, true, true]);
  });

  it('submanifold k=3, 9→6 (channel tiles), requant + ReLU, backpressure 0.3', async () => {
    const c = randomCase(spec, { type: 'submanifold', k: 3, cin: 9, cout: 6, n: 60, span: 3, requant: true, relu: true, seed: 61 });
    await expectBitExact(spec, c, 'pipe-sub3-9to6', { stall: 0.3, seed: 61 });
  });

  it('conv k=2 s=2 and transposed k=2 s=2, requant, backpressure 0.2', async () => {
    const conv = randomCase(spec, { type: 'conv', k: 2, s: 2, cin: 4, cout: 6, n: 150, span: 4, requant: true, seed: 62 });
    await expectBitExact(spec, conv, 'pipe-conv2', { stall: 0.2, seed: 62 });
    const tr = randomCase(spec, { type: 'transposed', k: 2, s: 2, cin: 6, cout: 4, n: 100, span: 3, requant: true, relu: true, seed: 63 });
    await expectBitExact(spec, tr, 'pipe-trans2', { stall: 0.2, seed: 63 });
  });

  it('back-to-back same-address rows across passes: forwarded in the scatter behind the deeper pipeline', async () => {
    // The schedule replay marks a pass whose first row hits the previous pass's last address in
    // the next cycle (a stall without forwarding): this case has such a pass.
    const c = randomCase(spec, { type: 'submanifold', k: 3, ts: 4, cin: 2, cout: 7, n: 120, span: 3, seed: 9 });
    const p = predict(spec, c);
    expect(p.runs!.reduce((a, r) => a + r.hazards, 0)).toBeGreaterThan(0);
    await expectBitExact(spec, c, 'pipe-hazard', { stall: 0, seed: 64 });
    await expectBitExact(spec, { ...c, requant: undefined }, 'pipe-hazard-stall', { stall: 0.3, seed: 65 });
  });

  it('the cycle model adds the knobs\' register stages to the tail, nothing else', () => {
    const c = randomCase(spec, { type: 'submanifold', k: 3, cin: 3, cout: 5, n: 120, span: 3, requant: true, seed: 1 });
    const on = predict(spec, c);
    const off = predict({ ...presets.tiny, gatherScatter: spec.gatherScatter }, c);
    expect(on.runs!.length).toBe(off.runs!.length);
    on.runs!.forEach((r, i) => expect(r.total - off.runs![i]!.total).toBe(1 + 3));
    expect(on.compute).toBe(off.compute);
  });
});
