// The lint gate: `verilator --lint-only -Wall` on every emitted module, each as the top module
// (so a helper module is checked with its default parameters as well as in context). The gate
// is zero warnings; a waiver goes into verilator/lint-waivers.vlt with the reason beside it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseModules } from './ports.ts';
import { PROJECT_ROOT } from './render.ts';
import { runTool, type ToolSpec } from './tools.ts';

export { ToolMissingError } from './tools.ts';

export const LINT_WAIVERS = join(PROJECT_ROOT, 'verilator', 'lint-waivers.vlt');

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
  modules: ModuleLint[];
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
 * Lints `top`. When every file is named after its module (as `generate` writes them), Verilator
 * gets only the top's file and finds the rest through `-y` on demand, instead of parsing every
 * file for every module.
 */
export async function lintFiles(files: string[], top: string, opts: LintOptions & { fileOf?: Map<string, string> } = {}): Promise<LintMessage[]> {
  const waivers = opts.waivers === undefined ? (existsSync(LINT_WAIVERS) ? LINT_WAIVERS : null) : opts.waivers;
  const byName = opts.fileOf && [...opts.fileOf].every(([m, f]) => basename(f) === `${m}.v`);
  const sources = byName
    ? [...new Set(files.map((f) => dirname(f)))].flatMap((d) => ['-y', d]).concat(opts.fileOf!.get(top)!)
    : files;
  // -Wno-fatal: report every warning instead of stopping at the first batch.
  const args = ['--lint-only', '-Wall', '-Wno-fatal', '--top-module', top, ...(waivers ? [waivers] : []), ...sources];
  const res = await runTool(verilatorTool(opts), args);
  const messages = parseVerilatorOutput(res.all);
  if (res.exitCode !== 0 && messages.length === 0) {
    messages.push({ severity: 'error', code: '', file: '', line: 0, column: 0, message: `verilator exited ${res.exitCode}: ${res.all.trim()}` });
  }
  return messages;
}

/** Lints every module of an RTL folder (as written by `generate`). */
export async function lintRtl(dir: string, opts: LintOptions = {}): Promise<LintReport> {
  const t0 = performance.now();
  const { files, modules, fileOf } = rtlSources(dir);
  const selected = opts.modules ?? modules;
  for (const m of selected) if (!modules.includes(m)) throw new Error(`lintRtl: module ${m} is not in ${dir}`);
  const perModule = await pool(selected, opts.concurrency ?? 2, async (module) => {
    const messages = await lintFiles(files, module, { ...opts, fileOf });
    return { module, messages, ok: messages.length === 0 };
  });
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
  return { ok: messages.length === 0, modules: perModule, messages, elapsedMs: performance.now() - t0 };
}

export function formatLintMessage(m: LintMessage): string {
  const where = m.file ? `${m.file}:${m.line}:${m.column}: ` : '';
  return `%${m.severity === 'warning' ? 'Warning' : 'Error'}${m.code ? `-${m.code}` : ''}: ${where}${m.message}`;
}
