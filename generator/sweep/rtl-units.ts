// Lint and synthesis of a sweep point, one *unit* at a time: a root module of the emission with
// every module it instantiates. Points of a sweep share their accelerator name, so a unit whose
// parameters a grid dimension does not touch (the matrix unit when only mapping lanes vary) is
// byte-identical across points; keyed by the hash of its own files, it is linted and synthesized
// once per sweep instead of once per point (generator/synth caches by the hash of the folder it
// is given, so each unit gets its own folder).
//
// What counts as the design: once the emission has the accelerator's top level
// (`<name>_accel`, templates/top/accel.v.hbs), its unit is the design and its resources are the
// point's; other roots are standalone wrappers of parts the top already contains (e.g.
// `<name>_mapping_top`, the mapping engine alone for co-simulation) and are linted but not added.
// Before the top level existed, the estimate was the sum over every root.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EmitResult } from '../emit/index.ts';
import { formatLintMessage, LINT_WAIVERS, lintRtl, verilatorTool } from '../emit/lint.ts';
import { descendants, instantiations } from '../emit/ports.ts';
import { runTool } from '../emit/tools.ts';
import type { CornerEstimate } from '../synth/estimate.ts';
import { synthesizeRtl, type SynthCounts } from '../synth/yosys.ts';
import { JsonCache, sha256 } from './cache.ts';

export interface RtlUnit {
  root: string;
  files: { path: string; contents: string }[];
  /** SHA-256 over the unit's file names and contents. */
  hash: string;
  /** Its replicated modules (`derived.replicated`): linted once and stubbed, synthesized once. */
  replicated: string[];
}

/** SHA-256 over every emitted Verilog file (names and contents): the point's RTL identity. */
export function rtlHash(emitted: EmitResult): string {
  return sha256(...emitted.files.filter((f) => f.path.endsWith('.v')).flatMap((f) => [f.path, f.contents]));
}

/** One unit per root module of the emission. */
export function rtlUnits(emitted: EmitResult): RtlUnit[] {
  const text = new Map<string, { file: string; contents: string }>();
  for (const m of emitted.modules) {
    const f = emitted.files.find((x) => x.path === m.file);
    if (!f) throw new Error(`emission lists module ${m.name} in ${m.file}, which it did not produce`);
    text.set(m.name, { file: f.path, contents: f.contents });
  }
  const children = instantiations([...text].map(([name, { contents }]) => ({ name, text: contents })));
  return emitted.modules
    .filter((m) => m.root)
    .map((m) => {
      const closure = new Set([m.name, ...descendants(children, m.name)]);
      const files = [...closure]
        .sort()
        .map((n) => ({ path: text.get(n)!.file, contents: text.get(n)!.contents }));
      const replicated = emitted.derived.replicated.filter((r) => closure.has(r));
      return { root: m.name, files, hash: sha256(m.name, ...files.flatMap((f) => [f.path, f.contents])), replicated };
    });
}

/** The units whose resources make up the design (see the header). */
export function designUnits(units: RtlUnit[], topModule: string): RtlUnit[] {
  const top = units.find((u) => u.root === topModule);
  return top ? [top] : units;
}

/** Writes the unit's files under `<cacheRoot>/sweep/rtl/<hash>/` once; returns the folder. */
export async function materializeUnit(unit: RtlUnit, cacheRoot: string): Promise<string> {
  const dir = join(cacheRoot, 'sweep', 'rtl', unit.hash);
  if (existsSync(join(dir, 'files.f'))) return dir;
  const tmp = `${dir}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await mkdir(tmp, { recursive: true });
  for (const f of unit.files) await writeFile(join(tmp, f.path), f.contents);
  await writeFile(join(tmp, 'files.f'), `${unit.files.map((f) => f.path).join('\n')}\n`);
  try {
    await rename(tmp, dir);
  } catch {
    // Another worker wrote the same unit first; its files are identical.
    await rm(tmp, { recursive: true, force: true });
  }
  return dir;
}

export interface UnitLint {
  ok: boolean;
  warnings: number;
  /** The first few messages (file paths inside the unit folder). */
  messages: string[];
}

const verilatorVersions = new Map<string, Promise<string>>();

/** `verilator --version`, also the check that Verilator is installed (ToolMissingError if not). */
export function verilatorVersion(): Promise<string> {
  const tool = verilatorTool();
  let v = verilatorVersions.get(tool.bin);
  if (!v) {
    v = runTool(tool, ['--version']).then((r) => {
      if (r.exitCode !== 0) throw new Error(`${tool.bin} --version exited ${r.exitCode}: ${r.all.trim()}`);
      return r.all.trim().split('\n')[0]!;
    });
    verilatorVersions.set(tool.bin, v);
  }
  return v;
}

async function waiverHash(): Promise<string> {
  return existsSync(LINT_WAIVERS) ? sha256(await readFile(LINT_WAIVERS)) : 'none';
}

/** Lints every module of the unit as `lintRtl` does (cached by unit, stubs, Verilator version and waivers). */
export async function lintUnit(unit: RtlUnit, cacheRoot: string): Promise<{ lint: UnitLint; cached: boolean }> {
  const cache = new JsonCache(join(cacheRoot, 'sweep', 'lint'));
  const key = sha256(unit.hash, `stubs:${unit.replicated.join(',')}`, await verilatorVersion(), await waiverHash());
  const hit = await cache.get<UnitLint>(key);
  if (hit) return { lint: hit, cached: true };
  const dir = await materializeUnit(unit, cacheRoot);
  const report = await lintRtl(dir, { stubs: unit.replicated, concurrency: 1 });
  const lint: UnitLint = {
    ok: report.ok,
    warnings: report.messages.length,
    messages: report.messages.slice(0, 5).map((m) => formatLintMessage({ ...m, file: m.file.startsWith(dir) ? m.file.slice(dir.length + 1) : m.file })),
  };
  await cache.put(key, lint);
  return { lint, cached: false };
}

/**
 * Yosys synth_xilinx of the unit with the 7-series clock estimate from the same run
 * (generator/synth caches both under `<cacheRoot>/synth`).
 */
export async function synthUnit(unit: RtlUnit, cacheRoot: string): Promise<{ counts: SynthCounts; timing?: CornerEstimate[]; cached: boolean }> {
  const dir = await materializeUnit(unit, cacheRoot);
  const r = await synthesizeRtl(dir, { top: unit.root, keep: unit.replicated, concurrency: 1, cacheDir: join(cacheRoot, 'synth'), timing: true });
  const m = r.modules[0]!;
  const { module: _m, root: _r, cached, elapsedMs: _e, timing, ...counts } = m;
  return { counts, ...(timing ? { timing } : {}), cached };
}
