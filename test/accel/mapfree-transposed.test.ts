// Map-free transposed k = s = 2 (spec.mapping.mapFreeTransposed, templates/partials/map_ds_parent.hbs):
// the given output points are walked by parent through the downsampler's classes and each parent
// is matched against the input list by a monotone compare, one output per cycle; the engine's
// progress frontier lets the drain port drain finished outputs while compute continues.
import { describe, expect, it } from 'vitest';
import { presets } from '../../generator/dsl/presets.ts';
import type { AcceleratorSpec } from '../../generator/dsl/spec.ts';
import { bunnyCase, randomCase } from './cases.ts';
import { ACCEL_TIMEOUT_MS, expectBitExact } from './run.ts';

const fpga = presets.fpga;
const spec: AcceleratorSpec = { ...fpga, name: 'sf_fpga_mt', mapping: { ...fpga.mapping, mapFreeTransposed: true } };

describe('map-free transposed k = s = 2', () => {
  it('bunny 16→16 without stalls', async () => {
    const c = bunnyCase(spec, { voxel: 0.25, type: 'transposed', k: 2, s: 2, cin: 16, cout: 16, requant: true, relu: true });
    const r = await expectBitExact(spec, c, 'mt-bunny');
    const s = r.stats;
    console.log(JSON.stringify({ cycles: s.cycles, util: s.utilisation, pts: [s.pointsIn, s.pointsOut] }));
    expect(s.mapSchedule).toEqual({ map: 'map-free' });
  }, ACCEL_TIMEOUT_MS);
});
