// Static checks of the matrix unit, post-processing unit and their FIFO for every preset (server
// included: too big for a co-simulation build in CI, cheap to lint) and a few random specs:
// `verilator --lint-only -Wall` clean, and Icarus 11 / Yosys 0.23 accept the same text.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { presets } from '../../generator/dsl/presets.ts';
import { deriveMatrix } from '../../generator/dsl/derive/matrix.ts';
import { derivePostproc } from '../../generator/dsl/derive/postproc.ts';
import { PROJECT_ROOT, renderModules } from '../../generator/sim/render.ts';
import { toolBin } from '../../generator/sim/toolchain.ts';
import { smallRandomSpecs } from './configs.ts';
import type { AcceleratorSpec } from '../../generator/dsl/spec.ts';

const UNIT_TEMPLATES = ['stream_fifo.v.hbs', 'matrix_unit.v.hbs', 'postproc.v.hbs'];
const WAIVERS = join(PROJECT_ROOT, 'verilator', 'lint-waivers.vlt');

function writeUnits(spec: AcceleratorSpec, tag: string): { dir: string; files: string[] } {
  const dir = join(PROJECT_ROOT, '.cache', 'sim-rtl', tag);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = renderModules(spec, UNIT_TEMPLATES).map((f) => {
    const p = join(dir, f.name);
    writeFileSync(p, f.text);
    return p;
  });
  return { dir, files };
}

async function lint(files: string[], top: string): Promise<string> {
  const r = await execa(toolBin('verilator'), ['--lint-only', '-Wall', WAIVERS, '--top-module', top, ...files], { reject: false, all: true });
  return r.exitCode === 0 ? '' : (r.all ?? `exit ${r.exitCode}`);
}

const specs: [string, AcceleratorSpec][] = [
  ...Object.entries(presets),
  ...smallRandomSpecs(6).map((s): [string, AcceleratorSpec] => [s.name, s]),
  ...[31, 47, 58].map((seed): [string, AcceleratorSpec] => {
    // Wide random operands at the preset array sizes.
    const s = smallRandomSpecs(seed % 20 + 1).at(-1)!;
    return [`${s.name}-16x16`, { ...s, name: `${s.name}_big`, matrix: { ...s.matrix, rows: 16, cols: 16, maxChannels: Math.max(16, s.matrix.maxChannels) } }];
  }),
];

describe('matrix unit / post-processing RTL', () => {
  for (const [tag, spec] of specs) {
    it(`${tag}: verilator -Wall clean (matrix unit, post-processing, FIFO with its defaults)`, async () => {
      const { files } = writeUnits(spec, tag);
      expect(await lint(files, deriveMatrix(spec).module)).toBe('');
      expect(await lint(files, derivePostproc(spec).module)).toBe('');
      expect(await lint(files.filter((f) => f.endsWith('_stream_fifo.v')), deriveMatrix(spec).fifoModule)).toBe('');
    }, 120_000);
  }

  for (const name of ['tiny', 'edge'] as const) {
    it(`${name}: Icarus (-g2005) and Yosys read, elaborate and check the same text`, async () => {
      const spec = presets[name];
      const { files } = writeUnits(spec, `${name}-tools`);
      const iv = await execa(toolBin('iverilog'), ['-g2005', '-o', '/dev/null', ...files], { reject: false, all: true });
      expect(iv.all ?? '').toBe('');
      expect(iv.exitCode).toBe(0);
      for (const top of [deriveMatrix(spec).module, derivePostproc(spec).module]) {
        const ys = await execa(toolBin('yosys'), ['-q', '-p', `read_verilog ${files.join(' ')}; hierarchy -check -top ${top}; proc; check -assert`], { reject: false, all: true });
        expect(ys.exitCode, ys.all).toBe(0);
      }
    }, 120_000);
  }
});
