// A whole accelerator placed and routed on an iCE40 HX8K, and its bitstream written with icepack:
// proof that the open flow is complete. ICE40_CI_SPEC is ICE40_SPEC (the smallest whole
// accelerator) restricted to what leaves the placer room (see its comment): the same top, loader,
// mapping engine, scheduler, gather/scatter, post-processing and AXI interfaces. The routed Fmax
// must lie near the static estimate of the same netlist. ICE40_SPEC itself, at about 96 % of the
// logic cells, takes minutes of placement (ice40-accel.long.test.ts, `npm run test:long`); here it
// is only synthesized and packed, so that a design that no longer fits the HX8K turns CI red.
// Cached by RTL hash.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ICE40_CI_SPEC, ICE40_SPEC, packSpec, placeAndRouteSpec } from '../../generator/synth/ice40.ts';
import { checkHx8kBitstream, checkIce40Result, PNR_TIMEOUT_MS } from './ice40-check.ts';

describe('iCE40 place and route of a whole accelerator', () => {
  it('a whole accelerator with headroom fits an HX8K, routes, and gives a bitstream', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'sf-ice40-')), 'sf_ice40.bin');
    const r = await placeAndRouteSpec(ICE40_CI_SPEC, { seed: 1, bitstream: out });
    expect(r.module).toBe(`${ICE40_CI_SPEC.name}_accel`);
    checkIce40Result(r);
    expect(r.lcs.used).toBeLessThan(0.9 * r.lcs.total); // the headroom this test is for
    expect(r.rams.used).toBeGreaterThan(0); // the buffers are block RAM
    checkHx8kBitstream(out);
  }, 2 * PNR_TIMEOUT_MS);

  it('the smallest whole accelerator (ICE40_SPEC) still fits an HX8K after packing', async () => {
    const p = await packSpec(ICE40_SPEC);
    expect(p.module).toBe('sf_ice40_accel');
    expect(p.lcs.total).toBe(7680);
    expect(p.lcs.used).toBeGreaterThan(0.5 * p.lcs.total);
    expect(p.lcs.used).toBeLessThanOrEqual(p.lcs.total);
    expect(p.rams.used).toBeGreaterThan(0);
    expect(p.rams.used).toBeLessThanOrEqual(p.rams.total);
  }, PNR_TIMEOUT_MS);
});
