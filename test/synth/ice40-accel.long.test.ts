// The smallest whole accelerator (ICE40_SPEC: 2×2 array, one mapping lane, small buffers) placed
// and routed on an iCE40 HX8K, and its bitstream written with icepack: proof that the open flow is
// complete. The routed Fmax must lie near the static estimate of the same netlist. It fills about
// 96 % of the logic cells, and nextpnr's legalisation then takes about four minutes of CPU: it runs
// in `npm run test:long`. CI places and routes a variant with headroom (ice40-accel.test.ts) and
// checks there that this one still fits (synth_ice40 and nextpnr --pack-only). Cached by RTL hash.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ICE40_SPEC, placeAndRouteSpec } from '../../generator/synth/ice40.ts';
import { checkHx8kBitstream, checkIce40Result, PNR_TIMEOUT_MS } from './ice40-check.ts';

describe('iCE40 place and route of a whole accelerator', () => {
  it('the smallest whole accelerator fits an HX8K, routes, and gives a bitstream', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'sf-ice40-')), 'sf_ice40.bin');
    const r = await placeAndRouteSpec(ICE40_SPEC, { seed: 1, bitstream: out });
    expect(r.module).toBe('sf_ice40_accel');
    checkIce40Result(r);
    expect(r.rams.used).toBeGreaterThan(0); // the buffers are block RAM
    checkHx8kBitstream(out);
  }, 2 * PNR_TIMEOUT_MS);
});
