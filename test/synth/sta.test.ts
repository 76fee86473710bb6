// The static timing analysis on small hand-written netlists whose answers are worked out by hand
// from the delay tables (delays.ts): a wrong delay, a wrong dedicated hop or a wrong path search
// changes a number here.
import { describe, expect, it } from 'vitest';
import { ice40Delays, xc7Delays } from '../../generator/synth/delays.ts';
import { analyzeTiming, characterizeModule, type YosysBit, type YosysCell, type YosysNetlist } from '../../generator/synth/sta.ts';
import { moduleResolver } from '../../generator/synth/estimate.ts';
import { flattenNetlist } from './sta-flatten.ts';

type Dir = 'input' | 'output';
const DIRS: Record<string, Record<string, Dir>> = {
  FDRE: { C: 'input', CE: 'input', R: 'input', D: 'input', Q: 'output' },
  LUT1: { I0: 'input', O: 'output' },
  LUT2: { I0: 'input', I1: 'input', O: 'output' },
  CARRY4: { CI: 'input', CYINIT: 'input', DI: 'input', S: 'input', O: 'output', CO: 'output' },
  MUXF7: { I0: 'input', I1: 'input', S: 'input', O: 'output' },
  DSP48E1: { CLK: 'input', A: 'input', B: 'input', P: 'output' },
  RAMB18E1: { CLKARDCLK: 'input', ADDRARDADDR: 'input', DOADO: 'output' },
  SB_DFF: { C: 'input', D: 'input', Q: 'output' },
  SB_LUT4: { I0: 'input', I1: 'input', I2: 'input', I3: 'input', O: 'output' },
  SB_CARRY: { I0: 'input', I1: 'input', CI: 'input', CO: 'output' },
  FOO: { A: 'input', Y: 'output' },
};

/** A netlist from a list of cells; nets are numbers, net 1 is the clock. */
function netlist(cells: Record<string, [string, Record<string, YosysBit[]>, Record<string, string>?]>, ports: Record<string, [Dir, number[]]> = {}): YosysNetlist {
  const c: Record<string, YosysCell> = {};
  for (const [name, [type, conn, params]] of Object.entries(cells)) {
    c[name] = { type, connections: conn, port_directions: DIRS[type], parameters: params ?? {}, attributes: {} };
  }
  return {
    modules: {
      top: {
        ports: { clk: { direction: 'input', bits: [1] }, ...Object.fromEntries(Object.entries(ports).map(([n, [d, b]]) => [n, { direction: d, bits: b }])) },
        cells: c,
        netnames: { a_q: { bits: [10] }, z_q: { bits: [20] }, $hidden: { hide_name: 1, bits: [11] } },
      },
    },
  };
}

const ff = (d: YosysBit, q: number): [string, Record<string, YosysBit[]>] => ['FDRE', { C: [1], CE: ['1'], R: ['0'], D: [d], Q: [q] }];

describe('static timing analysis (known answers)', () => {
  // FF a → LUT2 → LUT1 → FF z, plus a shorter path FF a → LUT1 → FF y.
  const chain = netlist({
    a: ff(2, 10),
    l1: ['LUT2', { I0: [10], I1: [10], O: [11] }],
    l2: ['LUT1', { I0: [11], O: [12] }],
    z: ff(12, 20),
    s: ['LUT1', { I0: [10], O: [13] }],
    y: ff(13, 21),
  });

  it('the longest register-to-register path through LUTs (xc7 -1, slow nets)', () => {
    const r = analyzeTiming(chain, 'top', xc7Delays(1, 'slow'));
    // clock-to-Q 0.456; a_q has fanout 3: 0.75 + 0.1·log2(3); LUT 0.124; LUT→LUT net 0.75;
    // LUT 0.124; LUT→FF D of fanout 1 (same slice) 0.07; setup 0.06.
    const expected = 0.456 + (0.75 + 0.1 * Math.log2(3)) + 0.124 + 0.75 + 0.124 + 0.07 + 0.06;
    expect(r.worst!.delay).toBeCloseTo(expected, 9);
    expect(r.worst!.levels).toBe(2);
    expect(r.worst!.start).toBe('a_q');
    expect(r.worst!.end).toBe('z_q');
    expect(r.worst!.endPin).toBe('FDRE.D');
    expect(r.worst!.cellTypes).toEqual({ LUT2: 1, LUT1: 1 });
    expect(r.worst!.points.map((p) => p.cell)).toEqual(['a', 'l1', 'l2']);
    // The D pins of z and y; a's D (undriven) and the constant CE/R pins have no path.
    expect(r.endpoints).toBe(2);
  });

  it('fast nets and speed grade -2 (every -1 delay × 0.84)', () => {
    const fast = analyzeTiming(chain, 'top', xc7Delays(1, 'fast'));
    expect(fast.worst!.delay).toBeCloseTo(0.456 + 0.35 + 0.124 + 0.35 + 0.124 + 0 + 0.06, 9);
    const g2 = analyzeTiming(chain, 'top', xc7Delays(2, 'slow'));
    expect(g2.worst!.delay).toBeCloseTo(analyzeTiming(chain, 'top', xc7Delays(1, 'slow')).worst!.delay * 0.84, 9);
  });

  it('carry chains: dedicated CO→CI and LUT→S hops, bit i depends on bits 0…i only', () => {
    const n = netlist({
      a: ff(2, 10),
      l: ['LUT1', { I0: [10], O: [11] }],
      c0: ['CARRY4', { CI: ['0'], CYINIT: ['0'], DI: ['0', '0', '0', '0'], S: [11, '0', '0', '0'], O: [30, 31, 32, 33], CO: [40, 41, 42, 43] }],
      c1: ['CARRY4', { CI: [43], CYINIT: ['0'], DI: ['0', '0', '0', '0'], S: ['0', '0', '0', '0'], O: [50, 51, 52, 53], CO: [60, 61, 62, 63] }],
      z: ff(53, 20),
      // Bit 3 of the first stage's S must not reach its O[0].
      b: ff(2, 14),
      l3: ['LUT1', { I0: [14], O: [15] }],
      c2: ['CARRY4', { CI: ['0'], CYINIT: ['0'], DI: ['0', '0', '0', '0'], S: ['0', '0', '0', 15], O: [70, 71, 72, 73], CO: [80, 81, 82, 83] }],
      y: ff(70, 21),
    });
    const r = analyzeTiming(n, 'top', xc7Delays(1, 'slow'));
    // 0.456 + net 0.75 + LUT 0.124 + (LUT→S 0) + S→CO 0.52 + (CO→CI 0) + CI→O 0.26 + net to FF 0.75 + setup 0.06.
    expect(r.worst!.delay).toBeCloseTo(0.456 + 0.75 + 0.124 + 0 + 0.52 + 0 + 0.26 + 0.75 + 0.06, 9);
    expect(r.worst!.cellTypes).toEqual({ LUT1: 1, CARRY4: 2 });
    expect(r.endpoints).toBe(1); // y's D (O[0] of c2) has no path: S[3] does not reach it
  });

  it('DSP48E1: the pipeline registers decide where a path starts and ends', () => {
    const build = (preg: string, areg: string) =>
      netlist({
        a: ff(2, 10),
        d: ['DSP48E1', { CLK: [1], A: [10], B: ['0'], P: [30] }, { AREG: areg, BREG: areg, MREG: '0', PREG: preg }],
        z: ff(30, 20),
      });
    const net = 0.75;
    // Only PREG: A → multiplier → PREG setup 3.9; P → FF: clock-to-P 0.38.
    const p = analyzeTiming(build('1', '0'), 'top', xc7Delays(1, 'slow'));
    expect(p.worst!.delay).toBeCloseTo(Math.max(0.456 + net + 3.9, 0.38 + net + 0.06), 9);
    // No register at all: A → P combinational 4.04, one level.
    const c = analyzeTiming(build('0', '0'), 'top', xc7Delays(1, 'slow'));
    expect(c.worst!.delay).toBeCloseTo(0.456 + net + 4.04 + net + 0.06, 9);
    expect(c.worst!.levels).toBe(1);
    // AREG/BREG and PREG: two short paths.
    const ap = analyzeTiming(build('1', '1'), 'top', xc7Delays(1, 'slow'));
    expect(ap.worst!.delay).toBeCloseTo(Math.max(0.456 + net + 0.3, 0.38 + net + 0.06), 9);
  });

  it('block RAM clock-to-out, without and with the output register', () => {
    const build = (reg: string) =>
      netlist({ r: ['RAMB18E1', { CLKARDCLK: [1], ADDRARDADDR: ['0'], DOADO: [30] }, { DOA_REG: reg }], z: ff(30, 20) });
    expect(analyzeTiming(build('0'), 'top', xc7Delays(1, 'slow')).worst!.delay).toBeCloseTo(2.45 + 0.75 + 0.06, 9);
    expect(analyzeTiming(build('1'), 'top', xc7Delays(1, 'slow')).worst!.delay).toBeCloseTo(0.88 + 0.75 + 0.06, 9);
  });

  it('module ports count as registers; groups collect the worst path per endpoint group', () => {
    const n = netlist({ l: ['LUT1', { I0: [5], O: [6] }], z: ff(6, 20), m: ['MUXF7', { I0: [20], I1: [20], S: [20], O: [7] }] }, { in: ['input', [5]], out: ['output', [7]] });
    const r = analyzeTiming(n, 'top', xc7Delays(1, 'fast'), (name) => (name === 'out' ? 'ports' : 'regs'));
    // in (0.456) → net 0.35 → LUT 0.124 → FF (fanout 1, 0) + 0.06
    expect(r.groups.get('regs')!.delay).toBeCloseTo(0.456 + 0.35 + 0.124 + 0 + 0.06, 9);
    // z (0.456) → net to S 0.35 → MUXF7 S 0.35 → net 0.35 → output register setup 0.06
    expect(r.groups.get('ports')!.delay).toBeCloseTo(0.456 + 0.35 + 0.35 + 0.35 + 0.06, 9);
    expect(r.worst!.end).toBe('out');
  });

  it('iCE40: packed LUT→DFF, carry chains, route-through', () => {
    const n = netlist({
      a: ['SB_DFF', { C: [1], D: [2], Q: [10] }],
      l: ['SB_LUT4', { I0: [10], I1: ['0'], I2: ['0'], I3: ['0'], O: [11] }],
      z: ['SB_DFF', { C: [1], D: [11], Q: [20] }],
      c0: ['SB_CARRY', { I0: [10], I1: ['0'], CI: ['0'], CO: [12] }],
      c1: ['SB_CARRY', { I0: ['0'], I1: ['0'], CI: [12], CO: [13] }],
      s: ['SB_LUT4', { I0: ['0'], I1: ['0'], I2: ['0'], I3: [13], O: [14] }],
      y: ['SB_DFF', { C: [1], D: [14], Q: [21] }],
      w: ['SB_DFF', { C: [1], D: [10], Q: [22] }],
    });
    const r = analyzeTiming(n, 'top', ice40Delays('fast'), (name) => name);
    const wire = 0.589;
    expect(r.groups.get('z')!.delay).toBeCloseTo(0.54 + wire + 0.449 + 0 + 0.021, 9);
    // a → I0 of the carry (in1→carryout 0.259) → CI→CO 0.126 → (dedicated) LUT I3 0.316 → DFF.
    expect(r.groups.get('y')!.delay).toBeCloseTo(0.54 + wire + 0.259 + 0 + 0.126 + 0 + 0.316 + 0 + 0.021, 9);
    // A flip-flop fed by a flip-flop goes through a route-through LUT.
    expect(r.groups.get('w')!.delay).toBeCloseTo(0.54 + wire + 0.449 + 0.021, 9);
    expect(analyzeTiming(n, 'top', ice40Delays('slow'), (x) => x).groups.get('z')!.delay).toBeCloseTo(0.54 + 1.312 + 0.449 + 0.021, 9);
  });

  it('refuses combinational loops and unknown cells, naming them', () => {
    const loop = netlist({ a: ['LUT1', { I0: [11], O: [10] }], b: ['LUT1', { I0: [10], O: [11] }], z: ff(10, 20) });
    expect(() => analyzeTiming(loop, 'top', xc7Delays(1, 'fast'))).toThrow(/combinational loop/);
    const foo = netlist({ f: ['FOO', { A: ['0'], Y: [3] }] });
    expect(() => analyzeTiming(foo, 'top', xc7Delays(1, 'fast'))).toThrow(/cell f: no 7-series delay for cell type FOO/);
    expect(() => analyzeTiming(foo, 'nope', xc7Delays(1, 'fast'))).toThrow(/module nope is not in the netlist/);
  });

  it('groups endpoints by the RTL module of their flattened hierarchical name', () => {
    const sources = [
      { name: 'x_accel', text: 'module x_accel(input wire clk_i);\n  x_engine u_engine (.clk_i(clk_i));\n  x_ram #(.W(2), .D((4))) u_buf (.clk_i(clk_i));\nendmodule\n' },
      { name: 'x_engine', text: 'module x_engine(input wire clk_i);\n  for (l = 0; l < 2; l = l + 1) begin : g_lane\n    x_ram #(\n      .W(3)\n    ) u_ic (.clk_i(clk_i));\n  end\nendmodule\n' },
      { name: 'x_ram', text: 'module x_ram(input wire clk_i);\nendmodule\n' },
    ];
    const of = moduleResolver('x_accel', sources);
    expect(of('u_engine.\\g_lane[1].u_ic.mem_q.0.0')).toBe('x_ram');
    expect(of('$flatten\\u_engine.$auto$ff.cc:266:slice$42')).toBe('x_engine');
    expect(of('u_buf.mem_q.0.0')).toBe('x_ram');
    expect(of('$auto$ff.cc:266:slice$7')).toBe('x_accel');
    expect(of('u_nope.r_q')).toBe('x_accel');
  });
});

describe('hierarchical timing: a kept module timed once, as a cell at each instance', () => {
  // sub: input a → LUT → register r; r and a → LUT2 → LUT → register r2; r → LUT → output q
  // (clock to out); a → LUT → output y (combinational). top: s → both instances' a; u0.q → z (a LUT feeding
  // one flip-flop: the dedicated hop across the boundary); u0.y, u1.y → LUT2 → w.
  const sub = {
    ports: { clk: { direction: 'input' as const, bits: [1] }, a: { direction: 'input' as const, bits: [2] }, y: { direction: 'output' as const, bits: [5] }, q: { direction: 'output' as const, bits: [6] } },
    cells: {
      l: { type: 'LUT1', port_directions: DIRS.LUT1, connections: { I0: [2], O: [3] } },
      r: { type: 'FDRE', port_directions: DIRS.FDRE, connections: { C: [1], CE: ['1' as const], R: ['0' as const], D: [3], Q: [4] } },
      l3: { type: 'LUT2', port_directions: DIRS.LUT2, connections: { I0: [4], I1: [2], O: [9] } },
      l4: { type: 'LUT1', port_directions: DIRS.LUT1, connections: { I0: [9], O: [7] } },
      r2: { type: 'FDRE', port_directions: DIRS.FDRE, connections: { C: [1], CE: ['1' as const], R: ['0' as const], D: [7], Q: [8] } },
      l2: { type: 'LUT1', port_directions: DIRS.LUT1, connections: { I0: [4], O: [6] } },
      comb: { type: 'LUT1', port_directions: DIRS.LUT1, connections: { I0: [2], O: [5] } },
    },
    netnames: { r_q: { bits: [4] }, r2_q: { bits: [8] } },
  };
  const subDirs = { clk: 'input', a: 'input', y: 'output', q: 'output' } as const;
  const top = netlist({
    s: ff(2, 10),
    u0: ['sub', { clk: [1], a: [10], y: [11], q: [12] }],
    u1: ['sub', { clk: [1], a: [10], y: [13], q: [14] }],
    z: ff(12, 20),
    l: ['LUT2', { I0: [11], I1: [13], O: [15] }],
    w: ff(15, 21),
  });
  for (const c of Object.values(top.modules.top!.cells)) if (c.type === 'sub') c.port_directions = subDirs;
  top.modules.sub = sub;
  const flat = flattenNetlist(top, 'top', ['sub']);
  const group = (name: string): string => (/^u\d\./.test(name) ? 'sub' : 'top');

  for (const [grade, corner] of [[1, 'slow'], [2, 'fast']] as const) {
    it(`gives the flattened netlist's paths (xc7 -${grade}, ${corner} nets)`, () => {
      const model = xc7Delays(grade, corner);
      const ref = analyzeTiming(flat, 'top', model, group);
      const m = characterizeModule(top, 'sub', model, () => 'sub');
      const hier = analyzeTiming(top, 'top', model, () => 'top', new Map([['sub', m]]));
      expect([...hier.groups.keys()].sort()).toEqual(['sub', 'top']);
      for (const g of ['sub', 'top']) {
        const [h, f] = [hier.groups.get(g)!, ref.groups.get(g)!];
        expect(h.delay, g).toBeCloseTo(f.delay, 9);
        expect([h.levels, h.cellTypes, h.endPin], g).toEqual([f.levels, f.cellTypes, f.endPin]);
      }
      expect(hier.worst!.delay).toBeCloseTo(ref.worst!.delay, 9);
      // The paths that cross the boundary: s → u*.a → r (group sub, ends inside), u0.r → q → z,
      // u*.a → y → w.
      expect(hier.groups.get('sub')!.end).toMatch(/^u\d\.r2_q$/);
      expect(m.arcs.get('a[0]')!.get('y[0]')!.levels).toBe(1);
      expect(m.outputs.get('q[0]')!.reg).toBe('r_q');
      expect(m.inputs.get('a[0]')!.reg).toBe('r2_q');
    });
  }

  it('the boundary wires are timed as flattened: fanout of both sides, the dedicated LUT → flip-flop hop', () => {
    const model = xc7Delays(1, 'slow');
    const m = characterizeModule(top, 'sub', model);
    // s_q drives l, l3 and comb in each of the two instances: fanout 6.
    expect(m.inPins.get('a[0]')).toEqual({ fanout: 3 });
    expect(m.outPins.get('q[0]')).toEqual({ driverType: 'LUT1', driverPort: 'O', fanout: 0 });
    const hier = analyzeTiming(top, 'top', model, (n) => n, new Map([['sub', m]]));
    // u0.r → LUT → z: clock-to-Q, net (fanout 2: l2 and l3), LUT, LUT → FF D (fanout 1) 0.07, setup.
    expect(hier.groups.get('z')!.delay).toBeCloseTo(0.456 + (0.75 + 0.1) + 0.124 + 0.07 + 0.06, 9);
    expect(hier.groups.get('z')!.start).toBe('u0.r_q');
  });
});
