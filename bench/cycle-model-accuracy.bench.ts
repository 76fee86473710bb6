// Accuracy of the cycle model against co-simulation with no backpressure, on every layer case of
// test/accel/ (test/accel/cycle-model-cases.ts; the tests assert the same bound): the accelerator
// test cases, the short-pass cases (transposed layers, MinkUNet w1.0 node shapes on the LiDAR
// strip), and the transposed ones again on fpga without map-free transposed (k = s = 2 merges)
// and without the drain port (bench only: their own builds). Figure: the largest |predicted − measured| / measured of PERF_TOTAL_CYCLES, target ≤ 2 %.
import { presets } from '../generator/dsl/presets.ts';
import type { AcceleratorSpec } from '../generator/dsl/spec.ts';
import { CYCLE_MODEL_REPLAY } from '../generator/model/cycle-model.ts';
import { compareCycleModel, cycleModelCases, formatRow, MAX_ERROR, networkNodeCases, transposedCases, worstRow } from '../test/accel/cycle-model-cases.ts';
import { machine, target, type Bench, type BenchReport } from './harness.ts';

const bench: Bench = {
  name: 'cycle-model-accuracy',
  description: 'cycle model vs co-simulated PERF_TOTAL_CYCLES on every accelerator test case (no backpressure)',
  async run(log) {
    const info = machine();
    const fpga = presets.fpga;
    const noDrain: AcceleratorSpec = { ...fpga, name: 'sf_fpga_nodrain', gatherScatter: { ...fpga.gatherScatter, drainPort: false } };
    const noMt: AcceleratorSpec = { ...fpga, name: 'sf_fpga_nomt', mapping: { ...fpga.mapping, mapFreeTransposed: false } };
    const cases = [...cycleModelCases(), ...transposedCases(), ...networkNodeCases(), ...transposedCases(noMt), ...transposedCases(noDrain)];
    const rows = await compareCycleModel(cases, (r) => log(formatRow(r)));
    const worst = worstRow(rows);
    const err = Math.abs(worst.error);
    log(`largest error: ${(worst.error * 100).toFixed(2)} % (${worst.case})`);
    const t = target(`largest error ≤ ${MAX_ERROR * 100} %`, '|predicted − measured| / measured', '<=', MAX_ERROR, 'fraction', err, err);
    const report: BenchReport = {
      ...info,
      method: 'host driver with stall probability 0, seed 1; PERF_TOTAL_CYCLES summed over the measured runs of every tile',
      workload: { model: CYCLE_MODEL_REPLAY, cases: rows.length, worstCase: worst.case, rows },
      results: [],
      targets: [t],
      pass: t.pass,
    };
    return report;
  },
};

export default bench;
