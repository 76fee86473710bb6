// RTL for co-simulation, rendered by the emission engine's own renderer and context
// (generator/emit/render.ts renderTemplateFile + templateContext, the calls generator/emit/index.ts
// renderModules makes for `sparseforge generate`), so the simulated Verilog is exactly what
// `generate` writes; nothing here compiles a template. Only the templates a simulation needs are
// rendered (a half-written template of another unit does not stop it). Test-only wrappers
// (templates/tb/) are not product modules: they get the same context plus an extra `tb` field.
import { join } from 'node:path';
import { derive, type Derived } from '../dsl/derive/index.ts';
import { instantiates, stripComments } from '../emit/ports.ts';
import type { AcceleratorSpec } from '../dsl/spec.ts';
import {
  listModuleTemplates,
  NON_MODULE_DIRS,
  PROJECT_ROOT,
  renderProductModule,
  renderTemplateFile,
  templateContext,
  TEMPLATE_DIR,
  type ModuleTemplate,
  type ProductModuleText,
} from '../emit/render.ts';

export { PROJECT_ROOT, TEMPLATE_DIR };

export interface RtlFile {
  /** File name, e.g. `sf_tiny_matrix_unit.v`. */
  name: string;
  text: string;
}

/** A product module as `generate` writes it. */
export type ProductRtlFile = ProductModuleText;

/** renderProductModule for a template the simulated design instantiates: it must exist. */
function productModule(spec: AcceleratorSpec, derived: Derived, t: ModuleTemplate): ProductRtlFile {
  const f = renderProductModule(spec, derived, t);
  if (!f) throw new Error(`template ${t.path} renders no module for spec ${spec.name}, but the simulated design needs it`);
  return f;
}

/**
 * The product modules of the design under `top` (a module name, e.g. `sf_tiny_mapping_top`): the
 * top and every product module it instantiates, transitively; leaves first, the top last. Only
 * these templates are rendered.
 */
export function renderHierarchy(spec: AcceleratorSpec, top: string): ProductRtlFile[] {
  const derived = derive(spec);
  const templates = new Map(listModuleTemplates(TEMPLATE_DIR).map((t) => [`${derived.prefix}${t.name}`, t]));
  const names = [...templates.keys()].sort();
  if (!templates.has(top)) throw new Error(`${top} is not a module of ${spec.name} (modules: ${names.join(', ')})`);
  const out: ProductRtlFile[] = [];
  const done = new Set<string>();
  const visit = (name: string, path: string[]): void => {
    if (path.includes(name)) throw new Error(`recursive instantiation: ${[...path, name].join(' → ')}`);
    if (done.has(name)) return;
    const f = productModule(spec, derived, templates.get(name)!);
    const body = stripComments(f.text);
    for (const child of names) if (child !== name && instantiates(body, child)) visit(child, [...path, name]);
    done.add(name);
    out.push(f);
  };
  visit(top, []);
  return out;
}

/**
 * Render templates (paths relative to templates/, e.g. `matrix_unit.v.hbs`, `tb/sim_top.v.hbs`)
 * for `spec`; each file is named after the module it declares. Product templates are rendered
 * exactly as emission renders them (emit/render.ts renderProductModule); `extraContext` only reaches the
 * test-only wrappers.
 */
export function renderModules(spec: AcceleratorSpec, templates: string[], extraContext: object = {}): RtlFile[] {
  const derived = derive(spec);
  return templates.map((rel) => {
    const path = join(TEMPLATE_DIR, rel);
    const base = rel.split('/').pop()!.replace(/\.v\.hbs$/, '');
    if (!NON_MODULE_DIRS.includes(rel.split('/')[0]!)) {
      const f = productModule(spec, derived, { name: base, path });
      return { name: f.name, text: f.text };
    }
    const ctx = { ...templateContext(spec, derived, base), ...extraContext };
    const text = renderTemplateFile(path, ctx, TEMPLATE_DIR);
    const m = /^\s*module\s+([A-Za-z_][A-Za-z0-9_$]*)/m.exec(text);
    if (!m) throw new Error(`template ${rel} declares no module`);
    return { name: `${m[1]}.v`, text };
  });
}
