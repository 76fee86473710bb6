// Static checks of the matrix unit, post-processing unit and their FIFO for every preset (server
// included: too big for a co-simulation build in CI, cheap to lint) and a few random specs:
// `verilator --lint-only -Wall` clean, and Icarus 11 / Yosys 0.23 accept the same text.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { presets } from '../../generator/dsl/presets.ts';
import { validateSpec } from '../../generator/dsl/index.ts';
import { deriveMatrix } from '../../generator/dsl/derive/matrix.ts';
import { derivePostproc } from '../../generator/dsl/derive/postproc.ts';
import { PROJECT_ROOT, renderModules } from '../../generator/sim/render.ts';
import { toolBin } from '../../generator/sim/toolchain.ts';
import { verilatorLaunch, verilatorTool } from '../../generator/emit/lint.ts';
import { runTool } from '../../generator/emit/tools.ts';
import { smallRandomSpecs } from './configs.ts';
import type { AcceleratorSpec } from '../../generator/dsl/spec.ts';

const UNIT_TEMPLATES = ['stream_fifo.v.hbs', 'matrix_col.v.hbs', 'matrix_unit.v.hbs', 'postproc.v.hbs'];
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
  // verilatorLaunch: verilator_bin without the Perl script's start-up, as the lint gate runs it.
  const l = verilatorLaunch(verilatorTool(), ['--lint-only', '-Wall', WAIVERS, '--top-module', top, ...files]);
  const r = await runTool(l.tool, l.args);
  return r.exitCode === 0 ? '' : r.all || `exit ${r.exitCode}`;
}

const specs: [string, AcceleratorSpec][] = [
  ...Object.entries(presets),
  ...smallRandomSpecs(6).map((s): [string, AcceleratorSpec] => [s.name, s]),
  ...[31, 47, 58].map((seed): [string, AcceleratorSpec] => {
    // Wide random operands at the preset array sizes.
    const s = smallRandomSpecs(seed % 20 + 1).at(-1)!;
    // Growing the array to 16×16 must keep the spec valid: a 16-row tile per kernel offset in the
    // weight buffer, a feature/weight word per stream beat, an accumulator that holds the reduction.
    const pow2 = (v: number) => 2 ** Math.ceil(Math.log2(v));
    const volume = s.mapping.maxKernelSize ** 3;
    const maxChannels = Math.max(16, s.matrix.maxChannels);
    const { inWidth, weightWidth } = s.arithmetic;
    const big: AcceleratorSpec = {
      ...s,
      name: `${s.name}_big`,
      arithmetic: { ...s.arithmetic, accWidth: Math.max(s.arithmetic.accWidth, inWidth + weightWidth + Math.ceil(Math.log2(volume * maxChannels))) },
      buffers: { ...s.buffers, weightDepth: pow2(Math.max(s.buffers.weightDepth, Math.max(volume, 2) * 16)) },
      interfaces: { ...s.interfaces, axisDataWidth: Math.max(s.interfaces.axisDataWidth, pow2(16 * inWidth), pow2(16 * weightWidth)) },
      matrix: { ...s.matrix, rows: 16, cols: 16, maxChannels },
    };
    return [`${s.name}-16x16`, big];
  }),
];

describe('matrix unit / post-processing RTL', () => {
  for (const [tag, spec] of specs) {
    it(`${tag}: verilator -Wall clean (matrix unit, post-processing, FIFO with its defaults)`, async () => {
      expect(validateSpec(spec)).toEqual([]);
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
