// Verilator build of the complete accelerator (<name>_accel) with the generic harness: the RTL is
// exactly what `sparseforge generate` writes (every product module), the binding is one
// AXI4-Stream source `in`, one sink `out` and the AXI4-Lite register file.
import { derive, type Derived } from '../../dsl/derive/index.ts';
import type { AcceleratorSpec } from '../../dsl/spec.ts';
import { renderModules } from '../../emit/index.ts';
import type { DutBinding } from '../binding.ts';
import { buildSim, type BuildOptions, type BuildProfile, type BuildResult } from '../build.ts';

export function accelBinding(d: Derived): DutBinding {
  return {
    clock: 'clk_i',
    reset: 'rst_i',
    sources: [{ name: 'in', prefix: 's_axis_', width: d.axis.dataWidth }],
    sinks: [{ name: 'out', prefix: 'm_axis_', width: d.axis.dataWidth }],
    axil: { prefix: 's_axil_', addrWidth: d.axil.addrWidth, dataWidth: d.axil.dataWidth },
  };
}

export function accelBuildOptions(spec: AcceleratorSpec, opts: { profile?: BuildProfile; trace?: boolean } = {}): BuildOptions {
  const d = derive(spec);
  const files = renderModules(spec, d).map((r) => ({ name: r.module.file, text: r.text }));
  return { files, top: d.accel.m.top, binding: accelBinding(d), profile: opts.profile ?? 'test', trace: opts.trace };
}

/** Build (or fetch from the cache) the harness binary of the accelerator. */
export async function buildAccel(spec: AcceleratorSpec, opts: { profile?: BuildProfile; trace?: boolean } = {}): Promise<BuildResult> {
  return buildSim(accelBuildOptions(spec, opts));
}
