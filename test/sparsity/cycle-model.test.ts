// The cycle model on N:M-sparse accelerators against co-simulation (no backpressure): the same 2 %
// bound as the dense cases of test/accel/cycle-model.test.ts, with exact tiles and compute rows.
import { describe, expect, it } from 'vitest';
import { presets } from '../../generator/dsl/presets.ts';
import { parseNmPattern, type LayerCase } from '../../generator/model/index.ts';
import { pruneCase } from '../../generator/prune/prune.ts';
import type { AcceleratorSpec } from '../../generator/dsl/spec.ts';
import { bunnyCase, randomCase } from '../accel/cases.ts';
import { compareCycleModel, formatTable, MAX_ERROR, type NamedCase } from '../accel/cycle-model-cases.ts';
import { ACCEL_TIMEOUT_MS } from '../accel/run.ts';
import { tiny1of4, tiny2of4 } from './specs.ts';

const prune = (spec: AcceleratorSpec, c: LayerCase) => pruneCase(c, parseNmPattern(spec.matrix.weightSparsity)).case;

export function sparseCycleModelCases(withFpga = false): NamedCase[] {
  const f = presets['fpga-2of4'];
  const L: NamedCase[] = [];
  const t = (name: string, spec: AcceleratorSpec, make: () => LayerCase) => L.push({ name, spec, make: () => prune(spec, make()) });
  for (const s of [tiny2of4, tiny1of4]) {
    t(`${s.matrix.weightSparsity} tiny sub k3 19→6`, s, () => randomCase(s, { type: 'submanifold', k: 3, cin: 19, cout: 6, n: 90, span: 3, requant: true, relu: true, seed: 41 }));
    t(`${s.matrix.weightSparsity} tiny conv k2 s2 13→5`, s, () => randomCase(s, { type: 'conv', k: 2, s: 2, cin: 13, cout: 5, n: 160, span: 5, seed: 42 }));
    t(`${s.matrix.weightSparsity} tiny transposed k2 s2 7→9`, s, () => randomCase(s, { type: 'transposed', k: 2, s: 2, cin: 7, cout: 9, n: 120, span: 4, requant: true, seed: 43 }));
  }
  t('2:4 tiny bunny sub k3 (tiled)', tiny2of4, () => bunnyCase(tiny2of4, { voxel: 0.5, type: 'submanifold', k: 3, cin: 7, cout: 4, requant: true }));
  // The fpga-2of4 cases (accel.test.ts) when the caller asks: bench/sparsity.bench.ts records the
  // cycle model's error on the fpga-size layers, and CI keeps to the tiny builds here.
  if (withFpga) {
    t('2:4 fpga bunny sub k3 40→20', f, () => bunnyCase(f, { voxel: 0.8, type: 'submanifold', k: 3, cin: 40, cout: 20, requant: true, relu: true }));
    t('2:4 fpga bunny conv k2 s2 35→17', f, () => bunnyCase(f, { voxel: 0.8, type: 'conv', k: 2, s: 2, cin: 35, cout: 17 }));
    t('2:4 fpga bunny transposed k2 s2 18→33', f, () => bunnyCase(f, { voxel: 0.8, type: 'transposed', k: 2, s: 2, cin: 18, cout: 33, requant: true }));
  }
  return L;
}

describe('cycle model vs co-simulation on N:M accelerators (no backpressure)', () => {
  it(`every sparse case within ${MAX_ERROR * 100} %`, async () => {
    const rows = await compareCycleModel(sparseCycleModelCases());
    console.log(formatTable(rows));
    for (const r of rows) expect(Math.abs(r.error), `${r.case}: predicted ${r.predicted}, measured ${r.measured}`).toBeLessThanOrEqual(MAX_ERROR);
  }, 4 * ACCEL_TIMEOUT_MS);
});
