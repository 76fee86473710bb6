// Co-simulation helper of the mapping tests, on the shared framework (generator/sim/): `cosim`
// builds once per spec (cached in .cache/verilator), runs a job with backpressure and compares
// every entry and every output coordinate with the golden model — a mismatch throws the
// framework's CosimMismatchError (case, seed, cycle, coordinate, expected, actual, FST waveform of
// a traced rerun); `simulate` only runs (error paths).
import type { AcceleratorSpec } from '../../generator/dsl/spec.ts';
import { buildMappingSim } from '../../generator/sim/mapping/build.ts';
import { cosimMapping, runMappingSim, type MapComparison, type MapJob, type MapSimResult, type StimulusOptions } from '../../generator/sim/mapping/driver.ts';

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
  const { result, cmp } = await cosimMapping(spec, job, opts);
  return { result, cmp };
}

export async function simulate(spec: AcceleratorSpec, job: MapJob, opts: StimulusOptions = {}): Promise<MapSimResult> {
  return runMappingSim(await binaryFor(spec), spec, job, opts);
}
