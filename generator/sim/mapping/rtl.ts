// Rendering of the mapping engine's RTL (templates/mapping/*.v.hbs) for co-simulation, `sim-map`
// and synthesis. The context is the emission engine's `{ spec, prefix, derived }` with
// `derived.mapping` = deriveMapping(spec); the product emitter does not include templates/mapping/
// yet (it renders templates/*.v.hbs), so this is the one place that lists the engine's modules.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { deriveMapping, type MappingDerived } from '../../dsl/derive/mapping.ts';
import type { AcceleratorSpec } from '../../dsl/spec.ts';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const MAPPING_TEMPLATE_DIR = join(PROJECT_ROOT, 'templates', 'mapping');

/** Templates of the mapping engine, leaves first; the last one is the top. */
export const MAPPING_TEMPLATES = [
  'map_ram.v.hbs',
  'map_lane.v.hbs',
  'map_downsample.v.hbs',
  'map_engine.v.hbs',
  'map_regs.v.hbs',
  'map_axis_out.v.hbs',
  'mapping_top.v.hbs',
] as const;

export interface MappingRtlFile {
  /** `<module>.v`. */
  name: string;
  module: string;
  text: string;
}

const compiled = new Map<string, HandlebarsTemplateDelegate>();

function template(name: string): HandlebarsTemplateDelegate {
  let t = compiled.get(name);
  if (!t) {
    t = Handlebars.compile(readFileSync(join(MAPPING_TEMPLATE_DIR, name), 'utf8'), { noEscape: true, strict: true });
    compiled.set(name, t);
  }
  return t;
}

export function mappingContext(spec: AcceleratorSpec): { spec: AcceleratorSpec; prefix: string; derived: { mapping: MappingDerived } } {
  return { spec, prefix: `${spec.name}_`, derived: { mapping: deriveMapping(spec) } };
}

/** Render every module of the mapping engine (the downsampler only when the spec has conv layers). */
export function renderMappingRtl(spec: AcceleratorSpec): MappingRtlFile[] {
  const ctx = mappingContext(spec);
  const out: MappingRtlFile[] = [];
  for (const name of MAPPING_TEMPLATES) {
    if (name === 'map_downsample.v.hbs' && !ctx.derived.mapping.hasDownsample) continue;
    const text = template(name)(ctx).replace(/^\n/, '');
    const m = /^\s*module\s+([A-Za-z_][A-Za-z0-9_$]*)/m.exec(text);
    if (!m) throw new Error(`template ${name} declares no module`);
    out.push({ name: `${m[1]}.v`, module: m[1]!, text });
  }
  return out;
}
