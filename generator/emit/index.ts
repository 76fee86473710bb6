// Emission: from a spec to the complete contents of an output folder, in memory. Nothing here
// writes (see write.ts), reads the clock or the machine's paths, so the same spec and templates
// give byte-identical files.
import { relative } from 'node:path';
import { derive, type Derived } from '../dsl/derive/index.ts';
import { parseSpec } from '../dsl/define.ts';
import { assertVerilogIdentifier } from '../dsl/identifier.ts';
import type { AcceleratorSpec } from '../dsl/spec.ts';
import {
  fileList,
  fusesocCore,
  MANIFEST_FORMAT,
  manifestJson,
  registerDoc,
  registerHeader,
  type EmittedModule,
  type Manifest,
} from './artifacts.ts';
import { rootModules } from './ports.ts';
import { listModuleTemplates, renderProductModule, TEMPLATE_DIR } from './render.ts';

export interface EmittedFile {
  /** Relative to the output folder, `/`-separated. */
  path: string;
  contents: string;
}

export interface EmitResult {
  spec: AcceleratorSpec;
  derived: Derived;
  modules: EmittedModule[];
  manifest: Manifest;
  files: EmittedFile[];
}

export interface EmitOptions {
  /** Folder of `*.v.hbs` module templates (default: the project's templates/). */
  templatesDir?: string;
}

/** Renders the modules only: the fast path for lint and simulation harnesses. */
export function renderModules(spec: AcceleratorSpec, derived: Derived, opts: EmitOptions = {}): { module: EmittedModule; text: string }[] {
  const dir = opts.templatesDir ?? TEMPLATE_DIR;
  const templates = listModuleTemplates(dir);
  if (templates.length === 0) throw new Error(`no module templates (*.v.hbs) in ${dir}`);
  const rendered = templates.flatMap((t) => {
    assertVerilogIdentifier(t.name, `template ${t.path}`);
    const f = renderProductModule(spec, derived, t, dir);
    return f ? [{ text: f.text, iface: f.iface, file: f.name, template: f.template }] : [];
  });
  const roots = rootModules(rendered.map((r) => ({ name: r.iface.name, text: r.text })));
  return rendered.map((r) => ({
    module: { ...r.iface, file: r.file, template: r.template, root: roots.has(r.iface.name) },
    text: r.text,
  }));
}

/** Everything `sparseforge generate` writes, as relative paths and contents. */
export function emitAccelerator(input: AcceleratorSpec, opts: EmitOptions = {}): EmitResult {
  const spec = parseSpec(input);
  const derived = derive(spec);
  const rendered = renderModules(spec, derived, opts);
  const modules = rendered.map((r) => r.module);
  const files: EmittedFile[] = rendered.map((r) => ({ path: r.module.file, contents: r.text }));
  files.push({ path: 'files.f', contents: fileList(modules) });
  files.push({ path: `${spec.name}_regs.h`, contents: registerHeader(spec, derived) });
  files.push({ path: `${spec.name}_regs.md`, contents: registerDoc(spec, derived) });
  files.push({ path: `${spec.name}.core`, contents: fusesocCore(spec, derived, modules) });
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    generator: derived.generator,
    name: spec.name,
    configHash: derived.configHash,
    spec,
    derived,
    modules,
    files: [...files.map((f) => f.path), 'manifest.json'].sort(),
  };
  files.push({ path: 'manifest.json', contents: manifestJson(manifest) });
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { spec, derived, modules, manifest, files };
}

export { compareEmitted, PathEscapeError, safeJoin, writeEmitted, type CompareResult, type WriteResult } from './write.ts';
export type { EmittedModule, Manifest } from './artifacts.ts';
