// Segment-major merge jobs (spec.mapping.segmentMajor, templates/mapping/map_engine.v.hbs): the
// engine dispatches every offset of output segment 0, then segment 1, … when all of a layer's jobs
// fit a map-buffer bank's run table (model/run-table.ts), else offset-major. The engine's mapping
// cycles are replayed exactly by the cycle model for the order it uses, so a dispatcher that
// ignores the flag (or a model that disagrees with it) fails here; bit-exactness of both orders
// under backpressure is covered by presets.test.ts (fpga: k = 3 segment-major, k = 5 offset-major).
import { describe, expect, it } from 'vitest';
import { presets } from '../../generator/dsl/presets.ts';
import type { AcceleratorSpec } from '../../generator/dsl/spec.ts';
import { predictCycles } from '../../generator/model/cycle-model.ts';
import { cycleModelRuns } from '../../generator/model/cycle-model-runs.ts';
import { runTableRuns, segMajorMaxK } from '../../generator/model/run-table.ts';
import { layerStats } from '../../generator/model/stats.ts';
import { bunnyCase, widthsOf } from './cases.ts';
import { ACCEL_TIMEOUT_MS, expectBitExact } from './run.ts';

describe('segment-major merge jobs', () => {
  it('run table capacity and the kernels that fit it', () => {
    expect(runTableRuns(5)).toBe(127);
    expect(runTableRuns(3)).toBe(31);
    // fpga: 8 segments; k = 3 submanifold merges 14 offsets (112 jobs ≤ 127), k = 5 63 (504).
    expect(segMajorMaxK(5, 8, true)).toBe(3);
    expect(segMajorMaxK(5, 8, false)).toBe(2);
    expect(segMajorMaxK(3, 1, true)).toBe(3);
  });

  it('fpga bunny submanifold k=3: mapping cycles as replayed segment-major, not offset-major', async () => {
    const spec = presets.fpga;
    expect(spec.mapping.segmentMajor).toBe(true);
    const c = bunnyCase(spec, { voxel: 0.25, type: 'submanifold', k: 3, cin: 16, cout: 16, requant: true, relu: true });
    const r = await expectBitExact(spec, c, 'segmajor-bunny');
    const predict = (s: AcceleratorSpec) => predictCycles(s, layerStats(c, widthsOf(s)), { ...c.layer, requant: true, bias: true, runs: cycleModelRuns(s, c).runs });
    const seg = predict(spec).mapping;
    const off = predict({ ...spec, mapping: { ...spec.mapping, segmentMajor: false } }).mapping;
    expect(seg).not.toBe(off);
    expect(r.stats.cycles.mapping).toBe(seg);
  }, ACCEL_TIMEOUT_MS);
});
