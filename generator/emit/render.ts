// Handlebars rendering of the Verilog templates. Every `templates/**/*.v.hbs` is one module, named
// `<prefix><basename>` and written to `<prefix><basename>.v` (subfolders such as `mapping/` only
// group templates by unit; a template that renders to nothing is a unit this spec does not have,
// and no file is written for it); `templates/partials/*.hbs` are partials (`{{> name}}`) and
// `templates/tb/` holds test-only wrappers: neither is a module of the product. Templates print numbers from `derived` only: the helpers compare and
// iterate, they never compute.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { Derived } from '../dsl/derive/index.ts';
import type { AcceleratorSpec } from '../dsl/spec.ts';
import { parseModules, type ModuleInterface } from './ports.ts';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TEMPLATE_DIR = join(PROJECT_ROOT, 'templates');
const MODULE_SUFFIX = '.v.hbs';

/** What every template sees. */
export interface TemplateContext {
  spec: AcceleratorSpec;
  derived: Derived;
  /** `${spec.name}_`. */
  prefix: string;
  /** The module this template renders. */
  module: { name: string; fullName: string };
  generator: { name: string; version: string };
}

export interface ModuleTemplate {
  /** Basename without `.v.hbs`: `matrix_unit`. */
  name: string;
  /** Absolute path of the template. */
  path: string;
}

/** Folders of templates/ that hold no product modules. */
export const NON_MODULE_DIRS = ['tb', 'partials'];

/** The product's module templates, sorted by module name (the order of files.f and the manifest). */
export function listModuleTemplates(dir: string = TEMPLATE_DIR): ModuleTemplate[] {
  if (!existsSync(dir)) return [];
  const out: ModuleTemplate[] = [];
  const walk = (d: string, top: boolean): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) {
        if (!(top && NON_MODULE_DIRS.includes(e.name))) walk(join(d, e.name), false);
      } else if (e.isFile() && e.name.endsWith(MODULE_SUFFIX)) {
        out.push({ name: e.name.slice(0, -MODULE_SUFFIX.length), path: join(d, e.name) });
      }
    }
  };
  walk(dir, true);
  out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (let i = 1; i < out.length; i++) {
    if (out[i]!.name === out[i - 1]!.name) throw new Error(`two templates for module ${out[i]!.name}: ${out[i - 1]!.path} and ${out[i]!.path}`);
  }
  return out;
}

function registerHelpers(hb: typeof Handlebars): void {
  // Logic only: arithmetic belongs in derive/ (DESIGN.md §4).
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('ne', (a: unknown, b: unknown) => a !== b);
  hb.registerHelper('lt', (a: number, b: number) => a < b);
  hb.registerHelper('gt', (a: number, b: number) => a > b);
  hb.registerHelper('le', (a: number, b: number) => a <= b);
  hb.registerHelper('ge', (a: number, b: number) => a >= b);
  hb.registerHelper('and', (...args: unknown[]) => args.slice(0, -1).every(Boolean));
  hb.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  hb.registerHelper('not', (a: unknown) => !a);
  hb.registerHelper('upper', (s: string) => String(s).toUpperCase());
  hb.registerHelper('lower', (s: string) => String(s).toLowerCase());
  hb.registerHelper('join', (xs: unknown[], sep: unknown) => (Array.isArray(xs) ? xs.join(typeof sep === 'string' ? sep : ', ') : ''));
  /** Pads a name to a column so that declaration lists line up: `{{pad name 12}}`. */
  hb.registerHelper('pad', (s: unknown, n: number) => String(s).padEnd(n));
}

interface Env {
  hb: typeof Handlebars;
  compiled: Map<string, { source: string; fn: HandlebarsTemplateDelegate }>;
  partialsKey: string;
}

const envs = new Map<string, Env>();

function envFor(dir: string): Env {
  let env = envs.get(dir);
  if (!env) {
    const hb = Handlebars.create();
    registerHelpers(hb);
    env = { hb, compiled: new Map(), partialsKey: '' };
    envs.set(dir, env);
  }
  // Partials are re-read on every render call so that a long-running process (tests, watch)
  // sees edits; they are small.
  const pdir = join(dir, 'partials');
  const partials: [string, string][] = existsSync(pdir)
    ? readdirSync(pdir)
        .filter((f) => f.endsWith('.hbs'))
        .sort()
        .map((f) => [basename(f, '.hbs').replace(/\.v$/, ''), readFileSync(join(pdir, f), 'utf8')])
    : [];
  const key = JSON.stringify(partials);
  if (key !== env.partialsKey) {
    for (const name of Object.keys(env.hb.partials)) env.hb.unregisterPartial(name);
    for (const [name, src] of partials) env.hb.registerPartial(name, src);
    env.partialsKey = key;
    env.compiled.clear();
  }
  return env;
}

/** Renders one template file with the context; compiled templates are cached by content. */
export function renderTemplateFile(path: string, context: object, dir: string = dirname(path)): string {
  const env = envFor(dir);
  const source = readFileSync(path, 'utf8');
  let entry = env.compiled.get(path);
  if (!entry || entry.source !== source) {
    // noEscape: `<=`, `&` and `'` are Verilog, not HTML. strict: a misspelt field is an error,
    // not an empty string in the RTL.
    entry = { source, fn: env.hb.compile(source, { noEscape: true, strict: true }) };
    env.compiled.set(path, entry);
  }
  try {
    return entry.fn(context);
  } catch (e) {
    throw new Error(`template ${path}: ${(e as Error).message}`);
  }
}

export function templateContext(spec: AcceleratorSpec, derived: Derived, moduleName: string): TemplateContext {
  return {
    spec,
    derived,
    prefix: derived.prefix,
    module: { name: moduleName, fullName: `${derived.prefix}${moduleName}` },
    generator: derived.generator,
  };
}

/** A product module as `generate` writes it. */
export interface ProductModuleText {
  /** File name, e.g. `sf_tiny_matrix_unit.v`. */
  name: string;
  /** The file's contents (ending in a newline). */
  text: string;
  /** Module name, e.g. `sf_tiny_mapping_top`. */
  module: string;
  /** Template, relative to the project: `templates/mapping/mapping_top.v.hbs`. */
  template: string;
  /** Its parameters and ports, parsed from the text. */
  iface: ModuleInterface;
}

/**
 * Renders one product template for a spec, or null when it renders to nothing (a unit the spec
 * does not have, such as the downsampler of a spec without conv layers). Otherwise the template
 * must declare exactly one module, named `<prefix><template name>`.
 */
export function renderProductModule(spec: AcceleratorSpec, derived: Derived, t: ModuleTemplate, dir: string = TEMPLATE_DIR): ProductModuleText | null {
  const fullName = `${derived.prefix}${t.name}`;
  const text = renderTemplateFile(t.path, templateContext(spec, derived, t.name), dir);
  if (text.trim() === '') return null;
  const declared = parseModules(text);
  if (declared.length !== 1 || declared[0]!.name !== fullName) {
    throw new Error(
      `template ${t.path} must declare exactly one module named ${fullName} (one module per template), found ${
        declared.map((m) => m.name).join(', ') || 'none'
      }`,
    );
  }
  return {
    name: `${fullName}.v`,
    text: text.endsWith('\n') ? text : `${text}\n`,
    module: fullName,
    template: relative(PROJECT_ROOT, t.path).split('\\').join('/'),
    iface: declared[0]!,
  };
}
