// The cycle model (generator/model/cycle-model.ts, schedule replay) against co-simulation with no
// backpressure: the predicted PERF_TOTAL_CYCLES (summed over the measured runs of every tile) must
// be within 2 % of the measured one for every layer case of test/accel/ (cases in
// cycle-model-cases.ts). The table is printed; `npm run bench -- cycle-model-accuracy` records it.
import { describe, expect, it } from 'vitest';
import { compareCycleModel, formatTable, MAX_ERROR } from './cycle-model-cases.ts';
import { ACCEL_TIMEOUT_MS } from './run.ts';

describe('cycle model vs co-simulation (no backpressure)', () => {
  it(`every test/accel layer case within ${MAX_ERROR * 100} %`, async () => {
    const rows = await compareCycleModel();
    console.log(formatTable(rows));
    for (const r of rows) expect(Math.abs(r.error), `${r.case}: predicted ${r.predicted}, measured ${r.measured}`).toBeLessThanOrEqual(MAX_ERROR);
  }, 4 * ACCEL_TIMEOUT_MS);
});
