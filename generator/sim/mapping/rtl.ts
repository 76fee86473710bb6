// The mapping engine's RTL (templates/mapping/*.v.hbs) for co-simulation, `sim-map`, synthesis
// and the benchmark: the hierarchy under <prefix>mapping_top exactly as `sparseforge generate`
// writes it (generator/sim/render.ts renderHierarchy renders through the emission engine). The
// downsampler is part of it only when the spec has conv layers (map_engine instantiates it then).
import type { AcceleratorSpec } from '../../dsl/spec.ts';
import { deriveMapping } from '../../dsl/derive/mapping.ts';
import { PROJECT_ROOT, renderHierarchy } from '../render.ts';

export { PROJECT_ROOT };

export interface MappingRtlFile {
  /** `<module>.v`. */
  name: string;
  module: string;
  text: string;
}

/** `<prefix>mapping_top`. */
export function mappingTopModule(spec: AcceleratorSpec): string {
  return deriveMapping(spec).topModule;
}

/** Every module of `<prefix>mapping_top`, leaves first; the last one is the top. */
export function renderMappingRtl(spec: AcceleratorSpec): MappingRtlFile[] {
  return renderHierarchy(spec, mappingTopModule(spec)).map((f) => ({ name: f.name, module: f.module, text: f.text }));
}
