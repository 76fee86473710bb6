// Shared helpers of the accelerator co-simulation tests: run a case through the host driver and
// fail with the first mismatches and the reproduction command.
import { expect } from 'vitest';
import type { AcceleratorSpec } from '../../generator/dsl/spec.ts';
import { formatComparison } from '../../generator/io/layer-result.ts';
import type { LayerCase } from '../../generator/model/types.ts';
import { runAccelCase, type AccelRunOptions, type AccelRunResult } from '../../generator/sim/accel/driver.ts';

/** One timeout for a test that may have to build its configuration first (cold ccache). */
export const ACCEL_TIMEOUT_MS = 600_000;

export async function expectBitExact(spec: AcceleratorSpec, c: LayerCase, name: string, opts: AccelRunOptions = {}): Promise<AccelRunResult> {
  const r = await runAccelCase(spec, c, { name, ...opts });
  const report = `${name}: ${formatComparison(r.comparison)}\nreproduce: ${r.run.command}`;
  expect(r.comparison.count, report).toBe(0);
  expect(r.stats.match).toBe(true);
  expect(r.result.coords).toEqual(r.golden.coords);
  if (!opts.featuresOnly) {
    expect(r.result.accumulators).toEqual(r.golden.accumulators);
    expect(r.result.wraps).toBe(r.golden.wraps);
  }
  if (c.requant) expect(r.result.features).toEqual(r.golden.features);
  // Every row the matrix unit took is a map entry (per channel-tile pair) or a drain row.
  const s = r.stats;
  if (s.tiles === 1) expect(s.cycles.compute).toBe(s.computeBound + s.cycles.drainRows);
  expect(s.cycles.total).toBe(s.cycles.compute + s.cycles.stall + s.cycles.tail);
  return r;
}
