// Co-simulation helper of the mapping tests: build once per spec, run a job with backpressure,
// compare every entry and every output coordinate with the golden model.
import type { AcceleratorSpec } from '../../generator/dsl/spec.ts';
import { buildMappingSim } from '../../generator/sim/mapping/build.ts';
import { compareMapping, goldenMapping, runMappingSim, type MapComparison, type MapJob, type MapSimResult, type StimulusOptions } from '../../generator/sim/mapping/driver.ts';

const builds = new Map<string, Promise<string>>();

export function binaryFor(spec: AcceleratorSpec): Promise<string> {
  let b = builds.get(spec.name);
  if (!b) {
    b = buildMappingSim(spec).then((r) => r.binary);
    builds.set(spec.name, b);
  }
  return b;
}

export async function cosim(spec: AcceleratorSpec, job: MapJob, opts: StimulusOptions = {}): Promise<{ result: MapSimResult; cmp: MapComparison }> {
  const bin = await binaryFor(spec);
  const result = await runMappingSim(bin, spec, job, opts);
  const cmp = compareMapping(spec, job, goldenMapping(job), result);
  return { result, cmp };
}

export async function simulate(spec: AcceleratorSpec, job: MapJob, opts: StimulusOptions = {}): Promise<MapSimResult> {
  return runMappingSim(await binaryFor(spec), spec, job, opts);
}
