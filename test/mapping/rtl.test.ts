// The mapping engine's RTL: deterministic, lint-clean under Verilator -Wall, accepted by Icarus,
// and synthesized by Yosys (synth_xilinx) without latches, the coordinate buffers in block RAM.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { randomValidSpec } from '../../generator/dsl/random.ts';
import type { AcceleratorSpec } from '../../generator/dsl/spec.ts';
import { PROJECT_ROOT, renderMappingRtl } from '../../generator/sim/mapping/rtl.ts';
import { synthesizeRtl } from '../../generator/synth/yosys.ts';
import { verilatorLaunch, verilatorTool } from '../../generator/emit/lint.ts';
import { runTool } from '../../generator/emit/tools.ts';
import { bunnySpec, noConv, tiny, wide } from './specs.ts';

function writeRtl(spec: AcceleratorSpec): { dir: string; files: string[]; top: string } {
  const dir = join(PROJECT_ROOT, '.cache', 'mapping-rtl', spec.name);
  mkdirSync(dir, { recursive: true });
  const rtl = renderMappingRtl(spec);
  const files = rtl.map((f) => {
    const p = join(dir, f.name);
    writeFileSync(p, f.text);
    return p;
  });
  return { dir, files, top: rtl[rtl.length - 1]!.module };
}

const specs: AcceleratorSpec[] = [tiny, wide, bunnySpec, noConv, ...[3, 5, 8, 11, 21, 34].map(randomValidSpec)];

describe('mapping engine RTL', () => {
  it('is a function of the spec only (byte-identical twice)', () => {
    for (const s of specs) expect(renderMappingRtl(s)).toEqual(renderMappingRtl(s));
  });
  it('has no unrendered template syntax and a module per file', () => {
    for (const s of specs) {
      for (const f of renderMappingRtl(s)) {
        expect(f.text).not.toMatch(/\{\{[#/^!>a-zA-Z.]/);
        expect(f.text.match(/^\s*module\s/gm)?.length).toBe(1);
        expect(f.module.startsWith(`${s.name}_`)).toBe(true);
      }
    }
  });
  it('passes verilator --lint-only -Wall', async () => {
    for (const s of specs) {
      const { files, top } = writeRtl(s);
      const l = verilatorLaunch(verilatorTool(), ['--lint-only', '-Wall', '--top-module', top, ...files]);
      const r = await runTool(l.tool, l.args);
      expect(r.all, s.name).toBe('');
      expect(r.exitCode).toBe(0);
    }
  });
  it('compiles with Icarus Verilog (-g2005)', async () => {
    for (const s of [tiny, wide, noConv]) {
      const { dir, files, top } = writeRtl(s);
      const r = await execa('iverilog', ['-g2005', '-Wall', '-o', join(dir, 'a.vvp'), '-s', top, ...files], { reject: false, all: true });
      expect(r.exitCode, r.all).toBe(0);
    }
  });
  it('synthesizes with Yosys synth_xilinx: no latches, coordinate buffers in block RAM', async () => {
    const { dir, top } = writeRtl(wide);
    const rep = await synthesizeRtl(dir, { top });
    expect(rep.total.latches).toBe(0);
    expect(rep.total.bram.ramb18 + rep.total.bram.ramb36).toBeGreaterThanOrEqual(2 * wide.mapping.lanes);
  }, 600_000);
});
