// The lint gate: `verilator --lint-only -Wall` over every emitted module, in as few runs as cover
// them all (lintTops: the roots with their hierarchy, parameterised modules once more with their
// defaults, replicated modules on their own and as stubs in their parents; `everyModule` runs each
// module as its own top). The gate is zero warnings; a waiver goes into
// verilator/lint-waivers.vlt with the reason beside it.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { instantiations, parseModules, rootModules, type ModuleInterface } from './ports.ts';
import { PROJECT_ROOT } from './render.ts';
import { runTool, verilatorLaunch, type ToolSpec } from './tools.ts';

export { ToolMissingError, verilatorLaunch } from './tools.ts';

export const LINT_WAIVERS = join(PROJECT_ROOT, 'verilator', 'lint-waivers.vlt');
export const LINT_STUB_DIR = join(PROJECT_ROOT, '.cache', 'lint-stubs');

export interface LintMessage {
  severity: 'warning' | 'error';
  /** Verilator's code (`UNUSEDSIGNAL`, `WIDTHTRUNC`, …), empty for plain errors. */
  code: string;
  file: string;
  line: number;
  column: number;
  message: string;
}

export interface ModuleLint {
  module: string;
  messages: LintMessage[];
  ok: boolean;
}

export interface LintReport {
  ok: boolean;
  /** One entry per Verilator run (a top and the hierarchy under it). */
  modules: ModuleLint[];
  /** Modules its parents' runs saw as stubs. */
  stubs: string[];
  /** Every message once (a submodule's warning appears under each module that includes it). */
  messages: LintMessage[];
  /** Wall-clock milliseconds. */
  elapsedMs: number;
}

export interface LintOptions {
  /** Verilator invocations at once (default 2: the machines have two cores). */
  concurrency?: number;
  /** Lint only these modules (full names). */
  modules?: string[];
  /** Waiver file; default verilator/lint-waivers.vlt when it exists. */
  waivers?: string | null;
  verilatorBin?: string;
  /**
   * Modules that the other modules' lints see as stubs (each is still linted on its own). Default:
   * the replicated modules (`derived.replicated`) of the folder's manifest.json, none without one; `[]` lints every module
   * with its complete hierarchy.
   */
  stubs?: string[];
}

const MSG_RE = /^%(Warning|Error)(?:-([A-Z0-9_]+))?: (?:(.+?):(\d+):(\d+): )?(.*)$/;

export function parseVerilatorOutput(text: string): LintMessage[] {
  const out: LintMessage[] = [];
  for (const line of text.split('\n')) {
    const m = MSG_RE.exec(line);
    if (!m) continue;
    // Summary lines ("Exiting due to N warning(s)") repeat what was already reported.
    if (m[3] === undefined && /^Exiting due to/.test(m[6]!)) continue;
    out.push({
      severity: m[1] === 'Warning' ? 'warning' : 'error',
      code: m[2] ?? '',
      file: m[3] ?? '',
      line: m[4] ? Number(m[4]) : 0,
      column: m[5] ? Number(m[5]) : 0,
      message: m[6]!,
    });
  }
  return out;
}

/** The .v files of an output folder (from files.f when present) and the modules they declare. */
export function rtlSources(dir: string): { files: string[]; modules: string[]; fileOf: Map<string, string> } {
  const root = resolve(dir);
  const list = join(root, 'files.f');
  const files = existsSync(list)
    ? readFileSync(list, 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '' && !l.startsWith('//') && !l.startsWith('#'))
        .map((l) => resolve(root, l))
    : readdirSync(root)
        .filter((f) => f.endsWith('.v') || f.endsWith('.sv'))
        .sort()
        .map((f) => join(root, f));
  const fileOf = new Map<string, string>();
  for (const f of files) for (const m of parseModules(readFileSync(f, 'utf8'))) fileOf.set(m.name, f);
  return { files, modules: [...fileOf.keys()], fileOf };
}

export async function pool<T, R>(items: T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return results;
}

export function verilatorTool(opts: { verilatorBin?: string } = {}): ToolSpec {
  return { bin: opts.verilatorBin ?? process.env.SPARSEFORGE_VERILATOR ?? 'verilator', aptPackage: 'verilator', envVar: 'SPARSEFORGE_VERILATOR' };
}

/**
 * A module with the same ports as `m` whose every output is a combinational function of every
 * input: in a parent's lint it is port-exact (widths, names, directions), and a combinational loop
 * through the real module still shows up as a loop through the stub. The stub can only add loops
 * the real module does not have; the matrix column has none to add (its parent never feeds its
 * outputs back into its inputs).
 */
export function lintStub(m: ModuleInterface): string {
  if (m.parameters.length > 0) throw new Error(`lint stub: module ${m.name} has parameters; only parameterless modules are stubbed`);
  const inputs = m.ports.filter((p) => p.direction === 'input');
  const outputs = m.ports.filter((p) => p.direction === 'output');
  if (m.ports.some((p) => p.direction === 'inout' || p.width === null)) throw new Error(`lint stub: module ${m.name} has an inout or a parameterised port`);
  if (inputs.length === 0) throw new Error(`lint stub: module ${m.name} has no inputs`);
  const decl = m.ports.map((p) => `  ${p.direction} wire ${p.signed ? 'signed ' : ''}${p.range ? `${p.range} ` : ''}${p.name}`);
  return [
    `// Lint stub of ${m.name}, written by the lint gate: never synthesized or simulated.`,
    `module ${m.name} (`,
    decl.join(',\n'),
    ');',
    `  wire any_w = ^{${inputs.map((p) => p.name).join(', ')}};`,
    ...outputs.map((p) => `  assign ${p.name} = ${p.width === 1 ? 'any_w' : `{${p.width}{any_w}}`};`),
    'endmodule',
    '',
  ].join('\n');
}

/** Writes the stub of `module` (from its file) under .cache/lint-stubs/ and returns its path. */
function stubFile(module: string, file: string): string {
  const iface = parseModules(readFileSync(file, 'utf8')).find((m) => m.name === module);
  if (!iface) throw new Error(`lint stub: ${file} does not declare module ${module}`);
  const text = lintStub(iface);
  const dir = join(LINT_STUB_DIR, createHash('sha256').update(text).digest('hex').slice(0, 16));
  const path = join(dir, `${module}.v`);
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  }
  return path;
}

/** `derived.replicated` of an output folder's manifest.json ([] when there is none). */
export function manifestReplicated(dir: string): string[] {
  const path = join(resolve(dir), 'manifest.json');
  if (!existsSync(path)) return [];
  const stubs = (JSON.parse(readFileSync(path, 'utf8')) as { derived?: { replicated?: unknown } }).derived?.replicated;
  if (stubs === undefined) return [];
  if (!Array.isArray(stubs) || !stubs.every((x) => typeof x === 'string')) throw new Error(`${path}: derived.replicated must be a list of module names`);
  return stubs;
}

/**
 * Lints `top`. When every file is named after its module (as `generate` writes them), Verilator
 * gets only the top's file and finds the rest through `-y` on demand, instead of parsing every
 * file for every module.
 */
export async function lintFiles(files: string[], top: string, opts: LintOptions & { fileOf?: Map<string, string> } = {}): Promise<LintMessage[]> {
  const waivers = opts.waivers === undefined ? (existsSync(LINT_WAIVERS) ? LINT_WAIVERS : null) : opts.waivers;
  const byName = opts.fileOf && [...opts.fileOf].every(([m, f]) => basename(f) === `${m}.v`);
  const stubbed = (opts.stubs ?? []).filter((m) => m !== top);
  const stubFiles = stubbed.map((m) => {
    const f = opts.fileOf?.get(m);
    if (!f) throw new Error(`lint: stubbed module ${m} is not among the sources`);
    return stubFile(m, f);
  });
  // An explicitly listed stub defines its module before `-y` is searched for it.
  const sources = byName
    ? [...stubFiles, ...[...new Set(files.map((f) => dirname(f)))].flatMap((d) => ['-y', d]), opts.fileOf!.get(top)!]
    : [...stubFiles, ...files.filter((f) => !stubbed.some((m) => opts.fileOf?.get(m) === f))];
  // -Wno-fatal: report every warning instead of stopping at the first batch.
  const args = ['--lint-only', '-Wall', '-Wno-fatal', '--top-module', top, ...(waivers ? [waivers] : []), ...sources];
  const launch = verilatorLaunch(verilatorTool(opts), args);
  const res = await runTool(launch.tool, launch.args);
  const messages = parseVerilatorOutput(res.all);
  if (res.exitCode !== 0 && messages.length === 0) {
    messages.push({ severity: 'error', code: '', file: '', line: 0, column: 0, message: `verilator exited ${res.exitCode}: ${res.all.trim()}` });
  }
  return messages;
}

/**
 * The modules to run Verilator on so that every module is checked: the roots (each with its
 * whole hierarchy), every parameterised module (once more on its own, with its default
 * parameters), every stubbed module and whatever only a stubbed module instantiates.
 */
export function lintTops(sources: { name: string; text: string }[], stubs: string[]): string[] {
  const children = instantiations(sources);
  const stubbed = new Set(stubs);
  const parameterised = sources.filter((s) => parseModules(s.text).some((m) => m.parameters.length > 0)).map((s) => s.name);
  const tops = new Set<string>([...rootModules(sources), ...stubbed, ...parameterised]);
  // A top's lint covers its hierarchy down to the stubs (which are tops themselves).
  const covered = new Set<string>();
  const visit = (m: string): void => {
    if (covered.has(m)) return;
    covered.add(m);
    for (const c of children.get(m) ?? []) if (!stubbed.has(c)) visit(c);
  };
  for (const t of tops) visit(t);
  for (const s of sources) if (!covered.has(s.name)) tops.add(s.name);
  return sources.map((s) => s.name).filter((n) => tops.has(n));
}

/**
 * Lints an RTL folder (as written by `generate`): every module is checked, most of them inside
 * their root's hierarchy (see lintTops); `everyModule` runs each module as its own top as well.
 */
export async function lintRtl(dir: string, opts: LintOptions & { everyModule?: boolean } = {}): Promise<LintReport> {
  const t0 = performance.now();
  const { files, modules, fileOf } = rtlSources(dir);
  for (const m of opts.modules ?? []) if (!modules.includes(m)) throw new Error(`lintRtl: module ${m} is not in ${dir}`);
  const stubs = opts.stubs ?? manifestReplicated(dir);
  for (const m of stubs) if (!modules.includes(m)) throw new Error(`lintRtl: stubbed module ${m} is not in ${dir}`);
  const sources = modules.map((name) => ({ name, text: readFileSync(fileOf.get(name)!, 'utf8') }));
  const selected = opts.modules ?? (opts.everyModule ? modules : lintTops(sources, stubs));
  // Largest hierarchy first, so that the longest Verilator run does not start last.
  const children = instantiations(sources);
  const size = (m: string): number =>
    sources.find((s) => s.name === m)!.text.length + [...children.get(m)!].reduce((n, c) => n + (stubs.includes(c) ? 0 : size(c)), 0);
  const order = [...selected].sort((a, b) => size(b) - size(a));
  const results = new Map<string, LintMessage[]>();
  await pool(order, opts.concurrency ?? 2, async (module) => {
    results.set(module, await lintFiles(files, module, { ...opts, stubs, fileOf }));
  });
  const perModule = selected.map((module) => ({ module, messages: results.get(module)!, ok: results.get(module)!.length === 0 }));
  // A submodule's warning shows up under every root that instantiates it; report it once.
  const seen = new Set<string>();
  const messages = perModule
    .flatMap((m) => m.messages)
    .filter((m) => {
      const key = formatLintMessage(m);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  return { ok: messages.length === 0, modules: perModule, stubs, messages, elapsedMs: performance.now() - t0 };
}

export function formatLintMessage(m: LintMessage): string {
  const where = m.file ? `${m.file}:${m.line}:${m.column}: ` : '';
  return `%${m.severity === 'warning' ? 'Warning' : 'Error'}${m.code ? `-${m.code}` : ''}: ${where}${m.message}`;
}
