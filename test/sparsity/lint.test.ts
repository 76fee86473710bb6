// The lint gate on N:M-sparse accelerators beyond the fpga-2of4 preset (which test/emit/lint.test.ts
// covers with every preset): each group size (M = 2, 4, 8), N = 1 up to N = rows, and the
// campaign's random sparse specs, every one verilator -Wall clean.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineAccelerator, presets, type AcceleratorSpec } from '../../generator/dsl/index.ts';
import { randomCampaignSpec } from '../../generator/dsl/random.ts';
import { emitAccelerator, writeEmitted } from '../../generator/emit/index.ts';
import { formatLintMessage, lintRtl } from '../../generator/emit/lint.ts';
import { PROJECT_ROOT } from '../../generator/emit/render.ts';
import { tiny1of4, tiny2of4 } from './specs.ts';

const DIR = join(PROJECT_ROOT, '.cache', 'lint-gate');

const SPECS: AcceleratorSpec[] = [
  tiny2of4,
  tiny1of4,
  defineAccelerator({ name: 'sf_tiny_1of2', matrix: { weightSparsity: '1:2' }, interfaces: { axisDataWidth: 64 } }, presets.tiny),
  defineAccelerator({ name: 'sf_tiny_4of8', matrix: { weightSparsity: '4:8' }, interfaces: { axisDataWidth: 64 } }, presets.tiny),
  defineAccelerator({ name: 'sf_edge_1of8', matrix: { weightSparsity: '1:8' }, interfaces: { axisDataWidth: 512 } }, presets.edge),
  // Sparse specs of the random campaign pool (1002: 1:4, CI's campaign spec; 1020: 4:8).
  ...[1002, 1020].map(randomCampaignSpec),
];

describe('lint gate: N:M weight sparsity', () => {
  it('the pool specs are sparse', () => {
    expect(SPECS.slice(5).map((s) => s.matrix.weightSparsity).every((w) => w !== 'dense')).toBe(true);
  });
  it.each(SPECS.map((s) => [s.name, s.matrix.weightSparsity, s] as const))('%s (%s)', async (_, __, spec) => {
    const out = join(DIR, spec.name);
    await writeEmitted(emitAccelerator(spec).files, out);
    const report = await lintRtl(out, { concurrency: 2 });
    expect(report.messages.map(formatLintMessage)).toEqual([]);
  });
});
