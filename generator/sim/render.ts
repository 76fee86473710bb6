// Rendering of RTL for co-simulation, through the emission engine's renderer
// (generator/emit/render.ts) so that the simulated Verilog is exactly what `generate` writes.
// Test-only wrappers (templates/tb/) are rendered the same way with an extra `tb` context field;
// they are never part of the product's module list.
import { join } from 'node:path';
import { derive } from '../dsl/derive/index.ts';
import type { AcceleratorSpec } from '../dsl/spec.ts';
import { PROJECT_ROOT, renderTemplateFile, templateContext, TEMPLATE_DIR } from '../emit/render.ts';

export { PROJECT_ROOT, TEMPLATE_DIR };

export interface RtlFile {
  /** File name, e.g. `sf_tiny_matrix_unit.v`. */
  name: string;
  text: string;
}

/**
 * Render templates (paths relative to templates/, e.g. `matrix_unit.v.hbs`, `tb/sim_top.v.hbs`)
 * for `spec`; each file is named after the module it declares.
 */
export function renderModules(spec: AcceleratorSpec, templates: string[], extraContext: object = {}): RtlFile[] {
  const derived = derive(spec);
  return templates.map((rel) => {
    const base = rel.split('/').pop()!.replace(/\.v\.hbs$/, '');
    const ctx = { ...templateContext(spec, derived, base), ...extraContext };
    const text = renderTemplateFile(join(TEMPLATE_DIR, rel), ctx, TEMPLATE_DIR);
    const m = /^\s*module\s+([A-Za-z_][A-Za-z0-9_$]*)/m.exec(text);
    if (!m) throw new Error(`template ${rel} declares no module`);
    return { name: `${m[1]}.v`, text };
  });
}
