// The lint gate (issue: every preset and ≥ 20 random valid specs pass verilator -Wall with no
// warnings). Verilator runs two at a time: the machines have two cores.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRESET_NAMES, presets, randomValidSpec, type AcceleratorSpec } from '../../generator/dsl/index.ts';
import { emitAccelerator, writeEmitted } from '../../generator/emit/index.ts';
import { formatLintMessage, lintRtl, lintStub, lintTops, parseVerilatorOutput, verilatorLaunch, verilatorTool } from '../../generator/emit/lint.ts';
import { parseModules } from '../../generator/emit/ports.ts';
import { PROJECT_ROOT } from '../../generator/emit/render.ts';
import { runTool, ToolMissingError } from '../../generator/emit/tools.ts';

const DIR = join(PROJECT_ROOT, '.cache', 'lint-gate');
const RANDOM_SEEDS = Array.from({ length: 24 }, (_, i) => 1000 + i);

async function lintSpec(spec: AcceleratorSpec): Promise<string[]> {
  const out = join(DIR, spec.name);
  await writeEmitted(emitAccelerator(spec).files, out);
  const report = await lintRtl(out, { concurrency: 2 });
  expect(report.modules.length).toBeGreaterThan(0);
  return report.messages.map(formatLintMessage);
}

describe('lint gate: verilator --lint-only -Wall, zero warnings', () => {
  it.each(PRESET_NAMES)('preset %s', async (p) => {
    expect(await lintSpec(presets[p])).toEqual([]);
  });

  it.each(RANDOM_SEEDS)('random spec %i', async (seed) => {
    expect(await lintSpec(randomValidSpec(seed))).toEqual([]);
  });

  // What the fast gate leaves out: every module as its own top, the matrix columns elaborated in
  // place. Server is the slow one (4,096 multipliers in each of two runs).
  it.each(PRESET_NAMES)('preset %s, every module as its own top, no stubs', async (p) => {
    const out = join(DIR, `${presets[p].name}-full`);
    const emitted = emitAccelerator(presets[p]);
    await writeEmitted(emitted.files, out);
    const report = await lintRtl(out, { stubs: [], everyModule: true });
    expect(report.modules.map((m) => m.module)).toEqual(emitted.modules.map((m) => m.name));
    expect(report.messages.map(formatLintMessage)).toEqual([]);
  }, 120_000);
});

// A small hierarchy: top instantiates leaf (no parameters), fifo (parameterised) and col
// (stubbed), and col instantiates pe.
const HIER: Record<string, string> = {
  top: [
    'module top (input wire clk_i, input wire [7:0] a_i, output wire [7:0] y_o, output wire [3:0] z_o, output wire [7:0] c_o);',
    '  leaf u_leaf (.a_i(a_i), .y_o(y_o));',
    '  fifo #(.W(4)) u_fifo (.d_i(a_i[3:0]), .q_o(z_o));',
    '  col u_col (.clk_i(clk_i), .x_i(a_i), .y_o(c_o));',
    'endmodule',
  ].join('\n'),
  leaf: 'module leaf (input wire [7:0] a_i, output wire [7:0] y_o);\n  assign y_o = ~a_i;\nendmodule',
  fifo: 'module fifo #(parameter W = 8) (input wire [W-1:0] d_i, output wire [W-1:0] q_o);\n  assign q_o = d_i;\nendmodule',
  col: [
    'module col (input wire clk_i, input wire [7:0] x_i, output wire [7:0] y_o);',
    '  wire [7:0] c_w;',
    '  pe u_pe (.a_i(x_i), .y_o(c_w));',
    '  reg [7:0] q;',
    '  always @(posedge clk_i) q <= c_w;',
    '  assign y_o = q;',
    'endmodule',
  ].join('\n'),
  pe: 'module pe (input wire [7:0] a_i, output wire [7:0] y_o);\n  assign y_o = a_i + 8\'d1;\nendmodule',
};

function writeHier(name: string, edits: Record<string, string> = {}, stubs: string[] = ['col']): string {
  const dir = join(DIR, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [m, text] of Object.entries({ ...HIER, ...edits })) writeFileSync(join(dir, `${m}.v`), `${text}\n`);
  writeFileSync(join(dir, 'files.f'), Object.keys(HIER).map((m) => `${m}.v\n`).join(''));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ derived: { replicated: stubs } }));
  return dir;
}

describe('lint coverage with fewer Verilator runs', () => {
  const sources = Object.entries(HIER).map(([name, text]) => ({ name, text }));

  it('runs the roots, the parameterised and the stubbed modules; the rest is inside them', () => {
    expect(lintTops(sources, ['col'])).toEqual(['top', 'fifo', 'col']);
    expect(lintTops(sources, [])).toEqual(['top', 'fifo']);
  });

  it('the hierarchy is clean, with and without stubs, and the manifest names the stubs', async () => {
    const dir = writeHier('hier');
    const fast = await lintRtl(dir);
    expect(fast.stubs).toEqual(['col']);
    expect(fast.modules.map((m) => m.module)).toEqual(['top', 'fifo', 'col']);
    expect(fast.messages.map(formatLintMessage)).toEqual([]);
    const full = await lintRtl(dir, { stubs: [], everyModule: true });
    expect(full.modules.map((m) => m.module)).toEqual(Object.keys(HIER));
    expect(full.messages).toEqual([]);
  });

  it('a warning in a module that is not run as a top is still reported (through its root)', async () => {
    const dir = writeHier('hier-leaf', { leaf: 'module leaf (input wire [7:0] a_i, output wire [7:0] y_o);\n  assign y_o = a_i[3:0];\nendmodule' });
    const r = await lintRtl(dir);
    expect(r.modules.map((m) => m.module)).not.toContain('leaf');
    expect(r.messages).toContainEqual(expect.objectContaining({ code: expect.stringMatching(/^WIDTH/), file: join(dir, 'leaf.v'), line: 2 }));
  });

  it('a warning under a stubbed module is reported (the stubbed module runs on its own)', async () => {
    const dir = writeHier('hier-pe', { pe: 'module pe (input wire [7:0] a_i, output wire [7:0] y_o);\n  assign y_o = a_i + 4\'d1;\nendmodule' });
    const r = await lintRtl(dir);
    expect(r.messages).toContainEqual(expect.objectContaining({ code: expect.stringMatching(/^WIDTH/), file: join(dir, 'pe.v'), line: 2 }));
  });

  it('a parent connecting a stubbed module with the wrong width is reported', async () => {
    const dir = writeHier('hier-pin', { top: HIER.top!.replace('.x_i(a_i)', '.x_i(a_i[3:0])') });
    const r = await lintRtl(dir);
    expect(r.messages).toContainEqual(expect.objectContaining({ code: expect.stringMatching(/^(WIDTH|PINCONNECT)/), file: join(dir, 'top.v') }));
  });

  it('a combinational loop through a stubbed module is not hidden by the stub', async () => {
    // col made combinational, and top feeds its output back into its input.
    const comb = 'module col (input wire clk_i, input wire [7:0] x_i, output wire [7:0] y_o);\n  wire unused_w = clk_i;\n  assign y_o = x_i;\nendmodule';
    const loop = HIER.top!.replace('.x_i(a_i)', '.x_i(c_o ^ a_i)');
    const dir = writeHier('hier-loop', { col: comb, top: loop });
    const full = await lintRtl(dir, { stubs: [] });
    const fast = await lintRtl(dir);
    expect(full.messages.map((m) => m.code)).toContain('UNOPTFLAT');
    expect(fast.messages.map((m) => m.code)).toContain('UNOPTFLAT');
  });

  it('a stub has the same ports and lints clean on its own', async () => {
    const stub = lintStub(parseModules(HIER.col!)[0]!);
    expect(parseModules(stub)).toEqual(parseModules(HIER.col!));
    const dir = join(DIR, 'stub');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'col.v'), stub);
    expect((await lintRtl(dir)).messages).toEqual([]);
    expect(() => lintStub(parseModules(HIER.fifo!)[0]!)).toThrow(/fifo has parameters/);
  });
});

describe('lint plumbing', () => {
  it('reports warnings with their code and place', async () => {
    const dir = join(DIR, 'bad');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'bad.v'), 'module bad (\n  input wire [7:0] a_i,\n  output wire [3:0] y_o\n);\n  assign y_o = a_i;\nendmodule\n');
    const report = await lintRtl(dir);
    expect(report.ok).toBe(false);
    expect(report.modules.map((m) => m.module)).toEqual(['bad']);
    expect(report.messages).toContainEqual(expect.objectContaining({ severity: 'warning', code: expect.stringMatching(/^WIDTH/), line: 5 }));
  });

  it('parses verilator output', () => {
    const text = [
      "%Warning-UNUSEDSIGNAL: /x/a.v:3:20: Signal is not used: 'q'",
      '                                    : ... In instance a',
      '%Error: /x/a.v:9:1: syntax error',
      '%Error: Exiting due to 1 error(s)',
    ].join('\n');
    expect(parseVerilatorOutput(text)).toEqual([
      { severity: 'warning', code: 'UNUSEDSIGNAL', file: '/x/a.v', line: 3, column: 20, message: "Signal is not used: 'q'" },
      { severity: 'error', code: '', file: '/x/a.v', line: 9, column: 1, message: 'syntax error' },
    ]);
  });

  it('the lint runs verilator_bin as the verilator script would: same output, same exit status', async () => {
    const dir = join(DIR, 'launch');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'bad.v'), 'module bad (\n  input wire [7:0] a_i,\n  output wire [3:0] y_o\n);\n  assign y_o = a_i;\nendmodule\n');
    writeFileSync(join(dir, 'syn.v'), 'module syn (input wire a_i);\n  assign = ;\nendmodule\n');
    const runs = [
      ['--lint-only', '-Wall', '-Wno-fatal', '--top-module', 'bad', join(dir, 'bad.v')],
      ['--lint-only', '-Wall', '--top-module', 'bad', join(dir, 'bad.v')],
      ['--lint-only', '-Wall', '--top-module', 'syn', join(dir, 'syn.v')],
    ];
    const fast = verilatorLaunch(verilatorTool(), runs[0]!);
    expect(fast.tool.bin).toBe('/bin/sh'); // the script is bypassed on this machine (Debian's Perl `verilator`)
    expect(fast.args.at(-runs[0]!.length - 1)).toMatch(/\/verilator_bin$/);
    for (const args of runs) {
      const viaScript = await runTool(verilatorTool(), args);
      const l = verilatorLaunch(verilatorTool(), args);
      const direct = await runTool(l.tool, l.args);
      expect(direct, args.join(' ')).toEqual(viaScript);
    }
    expect(verilatorLaunch(verilatorTool({ verilatorBin: '/opt/v/verilator' }), ['--version']).tool.bin).toBe('/opt/v/verilator');
  });

  it('a missing verilator says how to install it', async () => {
    const dir = join(DIR, 'bad');
    const err = await lintRtl(dir, { verilatorBin: '/nonexistent/verilator' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolMissingError);
    expect((err as Error).message).toContain('apt-get install -y verilator');
  });
});
