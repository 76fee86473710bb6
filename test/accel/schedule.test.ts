// Segment-major merge jobs (spec.mapping.segmentMajor, templates/mapping/map_engine.v.hbs): the
// engine dispatches every offset of output segment 0, then segment 1, … when all of a layer's jobs
// fit a map-buffer bank's run table (model/run-table.ts), else offset-major. The engine's mapping
// cycles are replayed exactly by the cycle model for the order it uses, so a dispatcher that
// ignores the flag (or a model that disagrees with it) fails here; bit-exactness of both orders
// under backpressure is covered by presets.test.ts (fpga: k = 3 segment-major, k = 5 offset-major).
import { describe, expect, it } from 'vitest';
import { presets } from '../../generator/dsl/presets.ts';
import type { AcceleratorSpec } from '../../generator/dsl/spec.ts';
import { predictCycles, replayParams } from '../../generator/model/cycle-model.ts';
import { replayLayer } from '../../generator/model/cycle-model-replay.ts';
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
    expect(r.stats.mapSchedule).toEqual({ map: 'merge', jobOrder: 'segment-major' });
  }, ACCEL_TIMEOUT_MS);

  it('fpga bunny submanifold k=5: too many jobs for the run table, so offset-major', async () => {
    const spec = presets.fpga;
    const c = bunnyCase(spec, { voxel: 0.8, type: 'submanifold', k: 5, cin: 4, cout: 4, requant: true });
    const r = await expectBitExact(spec, c, 'segmajor-k5', { stall: 0.1, seed: 2 });
    const noStall = await expectBitExact(spec, c, 'segmajor-k5-nostall');
    const predict = (s: AcceleratorSpec) => predictCycles(s, layerStats(c, widthsOf(s)), { ...c.layer, requant: true, bias: true, runs: cycleModelRuns(s, c).runs });
    const off = predict({ ...spec, mapping: { ...spec.mapping, segmentMajor: false } }).mapping;
    // The same replay with a run table large enough for segment-major dispatch.
    const { runs } = cycleModelRuns(spec, c);
    expect(runs.length).toBe(1);
    const L = { ...c.layer, inCoords: runs[0]!.inCoords, outCoords: runs[0]!.outCoords, requant: true, bias: true };
    const seg = replayLayer({ ...replayParams(spec), runTableRuns: 1e9 }, L).mapping;
    expect(Math.abs(seg - off)).toBeGreaterThan(10);
    expect(Math.abs(noStall.stats.cycles.mapping - off)).toBeLessThanOrEqual(2);
    expect(r.stats.match).toBe(true);
    expect(r.stats.mapSchedule).toEqual({ map: 'merge', jobOrder: 'offset-major' });
  }, ACCEL_TIMEOUT_MS);
});
