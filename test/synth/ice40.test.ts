// Place and route on iCE40 (Yosys synth_ice40 → nextpnr-ice40 → icepack): two modules of the
// tiny preset and the smallest whole accelerator (ICE40_SPEC), whose bitstream is written. The
// routed Fmax must lie near the static estimate of the same netlist (the calibration the 7-series
// estimate relies on); results are cached by RTL hash.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../generator/emit/render.ts';
import { parseModules } from '../../generator/emit/ports.ts';
import { ICE40_SPEC, parseNextpnr, placeAndRoute, placeAndRouteSpec, registerWrapper, type Ice40Result } from '../../generator/synth/ice40.ts';

const TINY = join(PROJECT_ROOT, 'rtl-out', 'sf_tiny');
const PNR_TIMEOUT_MS = 1_200_000;

function checkResult(r: Ice40Result): void {
  expect(r.fmaxMHz).toBeGreaterThan(20);
  expect(r.fmaxMHz).toBeLessThan(400);
  expect(r.lcs.used).toBeGreaterThan(0);
  expect(r.lcs.used).toBeLessThanOrEqual(r.lcs.total);
  expect(r.lcs.total).toBe(7680);
  expect(r.estimate.fmaxMHz.fast).toBeGreaterThan(r.estimate.fmaxMHz.slow);
  // The estimate's range brackets the router's answer within a margin (bench/timing.bench.ts
  // records how far it lands on every module).
  expect(r.fmaxMHz).toBeGreaterThan(0.7 * r.estimate.fmaxMHz.slow);
  expect(r.fmaxMHz).toBeLessThan(1.4 * r.estimate.fmaxMHz.fast);
}

describe('iCE40 place and route (nextpnr-ice40 --hx8k)', () => {
  it('the register wrapper drives every input from a flip-flop and captures every output', () => {
    const m = parseModules(readFileSync(join(TINY, 'sf_tiny_matrix_col.v'), 'utf8'))[0]!;
    const w = registerWrapper(m);
    expect(w).toContain('reg [63:0] in_q;'); // x_i and w_i, 32 bits each
    expect(w).toContain('always @(posedge clk_i) in_q <= {in_q[62:0], sin_i};');
    expect(w).toContain('reg [17:0] cap_q;');
    expect(w).toContain('.x_i(in_q[31:0])');
    expect(w).toContain('.w_i(in_q[63:32])');
    expect(w).toContain('.psum_o(out_w[17:0])');
    expect(() => registerWrapper({ name: 'n', parameters: [], ports: [{ name: 'a_i', direction: 'input', width: 1, range: '', signed: false }] })).toThrow(/no clk_i/);
  });

  it('reads the post-route Fmax, the utilisation and the critical path from the log', () => {
    const log = [
      "Info: Max frequency for clock 'clk_i$SB_IO_IN_$glb_clk': 90.00 MHz (PASS at 12.00 MHz)",
      'Info: Device utilisation:',
      'Info: \t         ICESTORM_LC:   791/ 7680    10%',
      'Info: \t        ICESTORM_RAM:     3/   32     9%',
      "Info: Critical path report for clock 'clk_i$SB_IO_IN_$glb_clk' (posedge -> posedge):",
      'Info:  0.5  0.5  Source a_q_DFFLC.O',
      'Info:  0.6  1.1    Net a_q budget 0.0 ns (1,1) -> (1,2)',
      'Info:                Sink b_LC.I0',
      'Info:  0.6  1.1    Net b budget 0.0 ns (1,1) -> (1,2)',
      'Info:                Sink c_q_DFFLC.I1',
      "Info: Max frequency for clock 'clk_i$SB_IO_IN_$glb_clk': 107.32 MHz (PASS at 12.00 MHz)",
    ].join('\n');
    expect(parseNextpnr(log)).toEqual({ fmaxMHz: 107.32, lcs: { used: 791, total: 7680 }, rams: { used: 3, total: 32 }, criticalPath: { from: 'a_q_DFFLC.O', to: 'c_q_DFFLC.I1' } });
    expect(() => parseNextpnr('Info: nothing')).toThrow(/no "Max frequency"/);
  });

  it.each(['sf_tiny_matrix_col', 'sf_tiny_postproc'])('module %s routes, near its static estimate', async (module) => {
    const r = await placeAndRoute(TINY, module, { seed: 1 });
    expect(r.module).toBe(module);
    checkResult(r);
    const again = await placeAndRoute(TINY, module, { seed: 1 });
    expect(again.cached).toBe(true);
    expect(again.fmaxMHz).toBe(r.fmaxMHz);
  }, PNR_TIMEOUT_MS);

  it('the smallest whole accelerator fits an HX8K, routes, and gives a bitstream', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'sf-ice40-')), 'sf_ice40.bin');
    const r = await placeAndRouteSpec(ICE40_SPEC, { seed: 1, bitstream: out });
    expect(r.module).toBe('sf_ice40_accel');
    checkResult(r);
    expect(r.rams.used).toBeGreaterThan(0); // the buffers are block RAM
    expect(existsSync(out)).toBe(true);
    const bin = readFileSync(out);
    expect(bin.length).toBe(135100); // an HX8K bitstream
    expect(bin.includes(Buffer.from([0x7e, 0xaa, 0x99, 0x7e]))).toBe(true); // the iCE40 sync word
  }, PNR_TIMEOUT_MS);
});
