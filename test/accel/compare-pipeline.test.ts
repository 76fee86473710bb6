// The fpga preset with the pipelined downsampler merge (mapping.comparePipeline,
// templates/partials/map_downsample_pipe.hbs) on the whole accelerator: map-free conv k = s = 2 on
// the bunny under backpressure, every point in one kernel index, and a conv k = 3 (the merge path)
// — bit-exact against the golden model; and the cycle model within its 2 % on both, following the
// pipelined merge's start-up exactly (the same cases on the unpipelined preset are in
// cycle-model-cases.ts).
import { describe, expect, it } from 'vitest';
import { presets } from '../../generator/dsl/presets.ts';
import type { AcceleratorSpec } from '../../generator/dsl/spec.ts';
import { bunnyCase, randomCase } from './cases.ts';
import { compareCycleModel, formatTable, MAX_ERROR } from './cycle-model-cases.ts';
import { ACCEL_TIMEOUT_MS, expectBitExact } from './run.ts';

// The fpga preset has the knob on; `plainSpec` is the preset without it.
const spec: AcceleratorSpec = presets.fpga;
const plainSpec: AcceleratorSpec = { ...presets.fpga, name: 'sf_fpga_nocp', mapping: { ...presets.fpga.mapping, comparePipeline: false, mapFreeEarlyWalk: false } };

describe('fpga preset with mapping.comparePipeline', () => {
  it('map-free bunny conv k=2 s=2 under backpressure 0.3; one kernel index holding every point', async () => {
    const c = bunnyCase(spec, { voxel: 0.4, type: 'conv', k: 2, s: 2, cin: 16, cout: 16, requant: true, relu: true });
    const r = await expectBitExact(spec, c, 'cp-mapfree-bunny', { stall: 0.3, seed: 11 });
    expect(r.stats.mapSchedule).toEqual({ map: 'map-free' });
    const base = randomCase(spec, { type: 'conv', k: 2, s: 2, n: 200, span: 5, cin: 4, cout: 4, seed: 74 });
    // Even x, y, z (canonical order kept): one downsampler class, one kernel index.
    const coords = base.input.coords.map((p) => [p[0], p[1] * 2, p[2] * 2, p[3] * 2] as [number, number, number, number]);
    await expectBitExact(spec, { ...base, input: { ...base.input, coords } }, 'cp-mapfree-oneclass', { stall: 0.2, seed: 12 });
  }, ACCEL_TIMEOUT_MS);

  it('cycle model within 2 % (map-free and merge conv), with the merge start-up the RTL has', async () => {
    const make = (s: AcceleratorSpec) => [
      { name: `${s.name} bunny conv k2 s2`, spec: s, make: () => bunnyCase(s, { voxel: 0.5, type: 'conv', k: 2, s: 2, cin: 16, cout: 32, requant: true, relu: true }) },
      { name: `${s.name} bunny conv k3 s2`, spec: s, make: () => bunnyCase(s, { voxel: 0.5, type: 'conv', k: 3, s: 2, cin: 3, cout: 5 }) },
    ];
    const rows = await compareCycleModel(make(spec));
    console.log(formatTable(rows));
    for (const r of rows) expect(Math.abs(r.error), `${r.case}: predicted ${r.predicted}, measured ${r.measured}`).toBeLessThanOrEqual(MAX_ERROR);
    // The unpipelined preset on the merge case: the model's mapping error is the same cycle for
    // cycle, so the model adds exactly the cycles the pipelined merge adds.
    const [plain] = await compareCycleModel(make(plainSpec).slice(1));
    const piped = rows[1]!;
    expect(piped.mappingMeasured - plain!.mappingMeasured).toBe(2 * 4 + 1);
    expect(piped.mappingPredicted - piped.mappingMeasured).toBe(plain!.mappingPredicted - plain!.mappingMeasured);
  }, ACCEL_TIMEOUT_MS);
});
