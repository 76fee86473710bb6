// The synthesis gate: Yosys synth_xilinx on the accelerator tops of tiny, edge and fpga (server:
// server.long.test.ts, a file of its own so that it runs beside this one) and a few small random specs;
// zero latches and plausible resource counts. Only the tops are synthesized (their totals include
// the submodules), the matrix columns once each; results are cached.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { presets, randomValidSpec, type AcceleratorSpec } from '../../generator/dsl/index.ts';
import { PROJECT_ROOT } from '../../generator/emit/render.ts';
import { ToolMissingError } from '../../generator/emit/tools.ts';
import { countCells, parseStat, synthesize, type SynthReport } from '../../generator/synth/yosys.ts';
import { checkPresetTop, SYNTH_TIMEOUT_MS } from './preset-top.ts';


const SMALL_RANDOM: AcceleratorSpec[] = [];
for (let seed = 2000; SMALL_RANDOM.length < 3; seed++) {
  const s = randomValidSpec(seed);
  if (s.matrix.rows * s.matrix.cols <= 16 && s.buffers.coordDepth <= 256 && s.mapping.lanes <= 2) SMALL_RANDOM.push(s);
}

describe('synthesis gate: synth_xilinx -noiopad, zero latches', () => {
  it.each(['tiny', 'edge', 'fpga'] as const)('preset %s: the accelerator top', async (p) => {
    await checkPresetTop(presets[p]);
  }, SYNTH_TIMEOUT_MS);

  it.each(SMALL_RANDOM.map((s) => [s.name, s] as const))('random spec %s', async (_, spec) => {
    const r = await synthesize(spec);
    expect(r.modules.length).toBeGreaterThan(0);
    for (const m of r.modules) expect(m.latches, `${m.module} latches`).toBe(0);
    expect(r.total.ffs).toBeGreaterThan(0);
  }, SYNTH_TIMEOUT_MS);

  it('a replicated module synthesized once counts the same as the flattened design', async () => {
    const top = `${presets.tiny.name}_matrix_unit`;
    const kept = await synthesize(presets.tiny, { top });
    const flat = await synthesize(presets.tiny, { top, keep: [] });
    expect(kept.script).toContain(`setattr -mod -set keep_hierarchy 1 ${presets.tiny.name}_matrix_col`);
    expect(flat.script).not.toContain('keep_hierarchy');
    expect(kept.total).toEqual(flat.total);
    expect(kept.total.dsp48).toBe(presets.tiny.matrix.rows * presets.tiny.matrix.cols);
  }, SYNTH_TIMEOUT_MS);

  it('answers from the cache the second time', async () => {
    const a = await synthesize(presets.tiny);
    const b = await synthesize(presets.tiny);
    expect(b.modules.every((m) => m.cached)).toBe(true);
    expect(b.total).toEqual(a.total);
    expect(b.rtlHash).toBe(a.rtlHash);
  });
});

describe('synthesis plumbing', () => {
  it('classifies cells', () => {
    const c = countCells({ LUT1: 1, LUT6: 2, LUT6_2: 1, FDRE: 3, FDSE: 1, FDCE: 1, DSP48E1: 4, RAMB18E1: 2, RAMB36E1: 1, RAM32M: 5, SRL16E: 1, LDCE: 1, $_DLATCH_P_: 1, CARRY4: 7 });
    expect(c).toMatchObject({ luts: 4, ffs: 5, dsp48: 4, bram: { ramb18: 2, ramb36: 1 }, lutram: 6, latches: 2 });
    expect(Object.keys(c.cells)).toEqual([...Object.keys(c.cells)].sort());
  });

  it('reads the top module of stat -json', () => {
    const json = JSON.stringify({ modules: { '\\top': { num_cells_by_type: { LUT2: 3, '$paramod$ab\\sub': 1, '\\sub2': 1 } } } });
    expect(parseStat(json, 'top')).toEqual({ LUT2: 3 });
    expect(() => parseStat('{}', 'top')).toThrow(/no cell counts/);
  });

  it('a missing Yosys says how to install it', async () => {
    const dir = join(PROJECT_ROOT, '.cache', 'test-synth-missing');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'm.v'), 'module m (input wire a_i, output wire y_o);\n  assign y_o = a_i;\nendmodule\n');
    const err = await synthesize({ rtlDir: dir }, { yosysBin: '/nonexistent/yosys' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolMissingError);
    expect((err as Error).message).toContain('apt-get install -y yosys');
    rmSync(dir, { recursive: true, force: true });
  });

  it('sparseforge synth --json (CLI, cached after the gate)', async () => {
    const r = await execa(join(PROJECT_ROOT, 'bin', 'sparseforge'), ['synth', '--preset', 'tiny', '--json'], { reject: false });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout) as SynthReport;
    expect(report.name).toBe('sf_tiny');
    expect(report.total.latches).toBe(0);
    expect(report.modules.map((m) => m.module)).toEqual(['sf_tiny_accel']);
    expect(report.totalOf).toEqual(['sf_tiny_accel']);
    expect(report.modules[0]!.cached).toBe(true);
  });

  it('sparseforge synth without Yosys: one line with the install command, exit 1', async () => {
    const r = await execa(join(PROJECT_ROOT, 'bin', 'sparseforge'), ['synth', '--preset', 'tiny'], {
      reject: false,
      env: { SPARSEFORGE_YOSYS: '/nonexistent/yosys' },
    });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe('sparseforge: /nonexistent/yosys not found: install it with `apt-get install -y yosys` (or point SPARSEFORGE_YOSYS at it)');
  });
});
