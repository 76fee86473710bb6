// The lint gate (issue: every preset and ≥ 20 random valid specs pass verilator -Wall with no
// warnings). Verilator runs two at a time: the machines have two cores.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRESET_NAMES, presets, randomValidSpec, type AcceleratorSpec } from '../../generator/dsl/index.ts';
import { emitAccelerator, writeEmitted } from '../../generator/emit/index.ts';
import { formatLintMessage, lintRtl, parseVerilatorOutput } from '../../generator/emit/lint.ts';
import { PROJECT_ROOT } from '../../generator/emit/render.ts';
import { ToolMissingError } from '../../generator/emit/tools.ts';

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

  it('a missing verilator says how to install it', async () => {
    const dir = join(DIR, 'bad');
    const err = await lintRtl(dir, { verilatorBin: '/nonexistent/verilator' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolMissingError);
    expect((err as Error).message).toContain('apt-get install -y verilator');
  });
});
