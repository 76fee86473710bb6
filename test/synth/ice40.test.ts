// Place and route on iCE40 (Yosys synth_ice40 → nextpnr-ice40): two modules of the tiny preset
// (whole accelerators: ice40-accel.test.ts, ice40-accel.long.test.ts). The routed Fmax must lie near the static
// estimate of the same netlist (the calibration the 7-series estimate relies on); results are
// cached by RTL hash.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../generator/emit/render.ts';
import { parseModules } from '../../generator/emit/ports.ts';
import { parseNextpnr, placeAndRoute, registerWrapper } from '../../generator/synth/ice40.ts';
import { checkIce40Result, PNR_TIMEOUT_MS } from './ice40-check.ts';

const TINY = join(PROJECT_ROOT, 'rtl-out', 'sf_tiny');
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

  it.each(['sf_tiny_matrix_col', 'sf_tiny_map_lane'])('module %s routes, near its static estimate', async (module) => {
    const r = await placeAndRoute(TINY, module, { seed: 1 });
    expect(r.module).toBe(module);
    checkIce40Result(r);
    const again = await placeAndRoute(TINY, module, { seed: 1 });
    expect(again.cached).toBe(true);
    expect(again.fmaxMHz).toBe(r.fmaxMHz);
  }, PNR_TIMEOUT_MS);

});
