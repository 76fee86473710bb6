// The mapping engine (<prefix>mapping_top) as a DUT of the shared co-simulation framework: its
// RTL (the emission's hierarchy under the top, rtl.ts), its port binding for the generic harness
// (testbench/harness.cpp: one AXI4-Stream source `in`, one sink `out`, the AXI4-Lite slave without
// WSTRB) and a cached build (generator/sim/build.ts: .cache/verilator/<hash>, per-hash and slot
// locks, ccache).
import type { AcceleratorSpec } from '../../dsl/spec.ts';
import { deriveMapping } from '../../dsl/derive/mapping.ts';
import type { DutBinding } from '../binding.ts';
import { buildSim, type BuildOptions, type BuildProfile, type BuildResult } from '../build.ts';
import { renderMappingRtl } from './rtl.ts';

/** Harness stream names of the mapping top. */
export const MAPPING_STREAMS = { in: 'in', out: 'out' } as const;

export function mappingBinding(spec: AcceleratorSpec): DutBinding {
  const d = deriveMapping(spec);
  return {
    clock: 'clk_i',
    reset: 'rst_i',
    sources: [{ name: MAPPING_STREAMS.in, prefix: 's_axis_', width: d.axisWidth }],
    sinks: [{ name: MAPPING_STREAMS.out, prefix: 'm_axis_', width: d.axisWidth }],
    // The register block ignores WSTRB (templates/mapping/README.md) and has no such port.
    axil: { prefix: 's_axil_', addrWidth: d.axilAddrWidth, dataWidth: d.axilWidth, wstrb: null },
  };
}

export interface MappingBuildOptions {
  /** `test` (default: X randomised, quick compile) or `speed` (benchmarks). */
  profile?: BuildProfile;
  /** Build with --trace-fst. */
  trace?: boolean;
  force?: boolean;
}

/** The framework's build options of `<prefix>mapping_top` for a spec. */
export function mappingBuildOptions(spec: AcceleratorSpec, opts: MappingBuildOptions = {}): BuildOptions {
  return {
    files: renderMappingRtl(spec).map((f) => ({ name: f.name, text: f.text })),
    top: deriveMapping(spec).topModule,
    binding: mappingBinding(spec),
    profile: opts.profile ?? 'test',
    ...(opts.trace ? { trace: true } : {}),
    ...(opts.force ? { force: true } : {}),
  };
}

export interface MappingBuild extends BuildResult {
  /** False when the binary came from the cache. */
  built: boolean;
}

/** Build (or fetch from the cache) the harness binary of the spec's mapping engine. */
export async function buildMappingSim(spec: AcceleratorSpec, opts: MappingBuildOptions = {}): Promise<MappingBuild> {
  const r = await buildSim(mappingBuildOptions(spec, opts));
  return { ...r, built: !r.cached };
}
