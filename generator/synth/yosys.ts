// FPGA resource estimates with Yosys: `synth_xilinx -noiopad` (7-series cells, no I/O buffers:
// the accelerator is a block inside a larger design), then `stat -json`. The total is the
// accelerator top (`<name>_accel`); without one, the sum over the root modules (those no other
// module instantiates), so that a helper is not counted twice. Replicated modules (the matrix
// columns) are synthesized once and flattened only for counting. Results are cached under
// .cache/synth/ by a hash of the RTL, the module, the kept modules and the Yosys version: an
// unchanged module is never synthesized twice.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { configHash } from '../dsl/derive/index.ts';
import type { AcceleratorSpec } from '../dsl/spec.ts';
import { emitAccelerator, writeEmitted } from '../emit/index.ts';
import { manifestReplicated, pool, rtlSources } from '../emit/lint.ts';
import { descendants, instantiations, parseModules, rootModules } from '../emit/ports.ts';
import { PROJECT_ROOT } from '../emit/render.ts';
import { runTool, type ToolSpec } from '../emit/tools.ts';
import { estimateNetlist, type CornerEstimate } from './estimate.ts';
import type { YosysNetlist } from './sta.ts';

/** Bumped when the script or the counting changes, so old cache entries are not reused. */
const SCRIPT_VERSION = 3;
/** Bumped when the clock estimate (delays.ts, sta.ts, estimate.ts) changes. */
const TIMING_VERSION = 2;

/** SPARSEFORGE_SYNTH_CACHE moves it (tests use a temporary folder). */
export const SYNTH_CACHE_DIR = process.env.SPARSEFORGE_SYNTH_CACHE ?? join(PROJECT_ROOT, '.cache', 'synth');

export interface SynthCounts {
  /** LUT1 … LUT6. */
  luts: number;
  /** FDRE/FDSE/FDCE/FDPE. */
  ffs: number;
  /** DSP48E1 slices. */
  dsp48: number;
  bram: { ramb18: number; ramb36: number };
  /** Distributed RAM and shift-register LUTs (RAM32M, RAM64M, SRL16E, …). */
  lutram: number;
  /** LDCE/LDPE or unmapped $dlatch: must be 0. */
  latches: number;
  /** Every cell type and its count. */
  cells: Record<string, number>;
}

export interface ModuleSynth extends SynthCounts {
  module: string;
  root: boolean;
  cached: boolean;
  /** The 7-series clock estimate (estimate.ts), when asked for (`timing`). */
  timing?: CornerEstimate[];
  /** Milliseconds Yosys took (0 when cached). */
  elapsedMs: number;
}

export interface SynthReport {
  /** Accelerator name, when synthesized from a spec. */
  name?: string;
  rtlDir: string;
  /** SHA-256 over the RTL files (names and contents). */
  rtlHash: string;
  yosysVersion: string;
  script: string;
  modules: ModuleSynth[];
  /** The accelerator top (`<name>_accel`) when there is one, else the sum over the root modules. */
  total: SynthCounts;
  /** The modules `total` adds up. */
  totalOf: string[];
  /** The clock estimate of the accelerator top (or the single synthesized top), with `timing`. */
  timing?: CornerEstimate[];
}

export interface SynthOptions {
  /** Synthesize only this module (full name) and count it as the total. */
  top?: string;
  /** Synthesize only the root modules (the total is the same; submodules get no row of their own). */
  rootsOnly?: boolean;
  /** Synthesize every module as its own top (a row per module; slow on large specs). */
  perModule?: boolean;
  /** Yosys processes at once (default 2). */
  concurrency?: number;
  cacheDir?: string;
  /** false: ignore cached results (they are still written). */
  useCache?: boolean;
  yosysBin?: string;
  timeoutMs?: number;
  /**
   * Modules synthesized once however often they are instantiated (kept as their own module until
   * the netlist is flattened for counting). Default: the replicated modules (`derived.replicated`)
   * of the folder's manifest.json; `[]` flattens everything first.
   */
  keep?: string[];
  /**
   * Also write the netlist (flattened but for the kept modules) and estimate the clock with the
   * static timing analysis (estimate.ts) in the same Yosys run; cached with the counts, which a
   * later run without timing reuses.
   */
  timing?: boolean;
  /** Answer from the cache only: a module not cached throws NotCachedError instead of running Yosys. */
  cacheOnly?: boolean;
}

/** `cacheOnly` and the module has no cached result. */
export class NotCachedError extends Error {
  /** `cacheFile`: where the result would be. */
  constructor(readonly module: string, readonly cacheFile: string) {
    super(`${module}: not synthesized yet (no cached result)`);
    this.name = 'NotCachedError';
  }
}

export function yosysTool(opts: { yosysBin?: string } = {}): ToolSpec {
  return { bin: opts.yosysBin ?? process.env.SPARSEFORGE_YOSYS ?? 'yosys', aptPackage: 'yosys', envVar: 'SPARSEFORGE_YOSYS' };
}

const versions = new Map<string, string>();
export async function yosysVersion(opts: { yosysBin?: string } = {}): Promise<string> {
  const tool = yosysTool(opts);
  let v = versions.get(tool.bin);
  if (v === undefined) {
    const res = await runTool(tool, ['-V']);
    if (res.exitCode !== 0) throw new Error(`${tool.bin} -V exited ${res.exitCode}: ${res.all.trim()}`);
    v = res.all.trim().split('\n')[0]!;
    versions.set(tool.bin, v);
  }
  return v;
}

const hex2 = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');
/** The content parameters of RAMB36E1 (INIT_00…7F, INITP_00…0F; RAMB18E1 has the first half). */
export const RAMB_INIT_PARAMS: readonly string[] = [
  ...Array.from({ length: 128 }, (_, i) => `INIT_${hex2(i)}`),
  ...Array.from({ length: 16 }, (_, i) => `INITP_${hex2(i)}`),
];

/**
 * The Yosys script. read_verilog takes quoted paths (spaces are fine); `tee -o` keeps quotes as
 * part of the name, so the statistics go to a bare file name in Yosys's working directory.
 * `keep` modules carry keep_hierarchy through synth_xilinx, so that Yosys maps one matrix column
 * rather than `cols` identical copies (the column's ports are all used and all driven: flattening
 * it early would leave nothing to optimise across its boundary). `flatten` after synthesis then
 * counts every instance, and keeps `stat -json` valid: Yosys 0.23 prints the text hierarchy tree
 * into the JSON of a design that has submodules. The timing netlist is written before that, with
 * everything flattened but the kept modules: the static timing analysis times a matrix column
 * once and each instance as a cell (estimate.ts), which is what makes the server preset's 64
 * columns fit in memory.
 */
export function synthScript(files: string[], top: string, statFile: string, keep: string[] = [], netlistFile?: string): string {
  if (!/^[\w.-]+$/.test(statFile)) throw new Error(`synthScript: statistics file must be a bare file name, got ${statFile}`);
  if (netlistFile !== undefined && !/^[\w.-]+$/.test(netlistFile)) throw new Error(`synthScript: netlist file must be a bare file name, got ${netlistFile}`);
  const q = (p: string): string => `"${p}"`;
  const k = keep.join(' ');
  return [
    `read_verilog -sv ${files.map(q).join(' ')}`,
    ...(keep.length ? [`setattr -mod -set keep_hierarchy 1 ${k}`] : []),
    `synth_xilinx -noiopad -top ${top}`,
    // The timing netlist drops source attributes (half its size on large designs; cells are
    // grouped by their hierarchical names).
    // Block-RAM contents (INIT_xx/INITP_xx, 256 bits each, 144 per RAMB36E1) time nothing but are
    // most of a large netlist's JSON (the server preset's RAMB36s): dropped likewise.
    ...(netlistFile !== undefined
      ? ['flatten', 'setattr -unset src', 'setattr -unset hdlname', `setparam ${RAMB_INIT_PARAMS.map((p) => `-unset ${p}`).join(' ')} t:RAMB18E1 t:RAMB36E1`, `write_json ${netlistFile}`]
      : []),
    ...(keep.length ? [`setattr -mod -unset keep_hierarchy ${k}`] : []),
    'flatten',
    `tee -q -o ${statFile} stat -json`,
  ].join('; ');
}

const ZERO = (): SynthCounts => ({ luts: 0, ffs: 0, dsp48: 0, bram: { ramb18: 0, ramb36: 0 }, lutram: 0, latches: 0, cells: {} });

/** Resource classes of a cell-type histogram. */
export function countCells(cells: Record<string, number>): SynthCounts {
  const c = ZERO();
  c.cells = Object.fromEntries(Object.entries(cells).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  for (const [type, n] of Object.entries(cells)) {
    if (/^LUT[1-6](_2)?$/.test(type)) c.luts += n;
    else if (/^FD[RSCP]E(_1)?$/.test(type)) c.ffs += n;
    else if (/^DSP48/.test(type)) c.dsp48 += n;
    else if (/^RAMB18/.test(type)) c.bram.ramb18 += n;
    else if (/^RAMB36/.test(type)) c.bram.ramb36 += n;
    else if (/^(RAM(32|64|128|256)|SRL)/.test(type)) c.lutram += n;
    else if (/^LD[CP]E?$|DLATCH/i.test(type)) c.latches += n;
  }
  return c;
}

function addCounts(a: SynthCounts, b: SynthCounts): SynthCounts {
  const cells = { ...a.cells };
  for (const [k, v] of Object.entries(b.cells)) cells[k] = (cells[k] ?? 0) + v;
  return {
    luts: a.luts + b.luts,
    ffs: a.ffs + b.ffs,
    dsp48: a.dsp48 + b.dsp48,
    bram: { ramb18: a.bram.ramb18 + b.bram.ramb18, ramb36: a.bram.ramb36 + b.bram.ramb36 },
    lutram: a.lutram + b.lutram,
    latches: a.latches + b.latches,
    cells: countCells(cells).cells,
  };
}

interface StatJson {
  design?: { num_cells_by_type?: Record<string, number> };
  modules?: Record<string, { num_cells_by_type?: Record<string, number> }>;
}

/** The cell histogram of the (flattened) top module in `stat -json`. */
export function parseStat(json: string, top: string): Record<string, number> {
  const stat = JSON.parse(json) as StatJson;
  const byType = stat.modules?.[`\\${top}`]?.num_cells_by_type ?? stat.design?.num_cells_by_type;
  if (!byType) throw new Error(`yosys stat -json: no cell counts for ${top}`);
  // Submodule instances (`$paramod…\name`, `\name`) are hierarchy, not cells.
  return Object.fromEntries(Object.entries(byType).filter(([k]) => !k.startsWith('$paramod') && !k.startsWith('\\')));
}

export function hashFiles(files: string[]): string {
  const h = createHash('sha256');
  for (const f of [...files].sort()) {
    h.update(basename(f)).update('\0').update(readFileSync(f)).update('\0');
  }
  return h.digest('hex');
}

async function synthModule(
  files: string[],
  top: string,
  keep: string[],
  rtlHash: string,
  version: string,
  opts: SynthOptions,
  sources: { name: string; text: string }[] = [],
): Promise<{ counts: SynthCounts; timing?: CornerEstimate[]; cached: boolean; elapsedMs: number }> {
  const cacheDir = opts.cacheDir ?? SYNTH_CACHE_DIR;
  const timing = opts.timing === true;
  // Without timing the key is the one older entries were written under.
  const keyOf = (withTiming: boolean): string =>
    createHash('sha256')
      .update(JSON.stringify({ SCRIPT_VERSION, rtlHash, top, keep, version, ...(withTiming ? { timing: TIMING_VERSION } : {}) }))
      .digest('hex');
  const key = keyOf(timing);
  const cacheFile = join(cacheDir, `${key}.json`);
  if (opts.useCache !== false) {
    // A run with timing has the counts too (one server synthesis serves both).
    for (const file of timing ? [cacheFile] : [cacheFile, join(cacheDir, `${keyOf(true)}.json`)]) {
      try {
        const { timing: t, ...counts } = JSON.parse(await readFile(file, 'utf8')) as SynthCounts & { timing?: CornerEstimate[] };
        return { counts, ...(t && timing ? { timing: t } : {}), cached: true, elapsedMs: 0 };
      } catch {
        // not cached yet
      }
    }
  }
  if (opts.cacheOnly) throw new NotCachedError(top, cacheFile);
  await mkdir(cacheDir, { recursive: true });
  const statName = `${key}.${process.pid}.stat.json`;
  const statFile = join(cacheDir, statName);
  const netName = timing ? `${key}.${process.pid}.net.json` : undefined;
  const t0 = performance.now();
  try {
    const res = await runTool(yosysTool(opts), ['-q', '-p', synthScript(files, top, statName, keep, netName)], {
      cwd: cacheDir,
      // The server preset's top is ≈ 10 min of Yosys on an idle core, well over an hour on a loaded
      // shared machine: the limit only stops a hung run.
      timeoutMs: opts.timeoutMs ?? 4 * 3600_000,
    });
    if (res.exitCode !== 0) {
      const log = res.all.trim().split('\n');
      const first = log.find((l) => l.startsWith('ERROR')) ?? log.at(-1) ?? '';
      // The CLI prints the first line only: put Yosys's error there, the log tail after it.
      throw new Error(`yosys failed on ${top}: ${first}\n${log.slice(-20).join('\n')}`);
    }
    const counts = countCells(parseStat(await readFile(statFile, 'utf8'), top));
    const corners =
      netName !== undefined ? estimateNetlist(await readNetlist(join(cacheDir, netName), top), top, sources) : undefined;
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(corners ? { ...counts, timing: corners } : counts, null, 2)}\n`);
    await rename(tmp, cacheFile);
    return { counts, ...(corners ? { timing: corners } : {}), cached: false, elapsedMs: performance.now() - t0 };
  } finally {
    await rm(statFile, { force: true });
    if (netName !== undefined) await rm(join(cacheDir, netName), { force: true });
  }
}

/** Node's longest string is about 512 MB: the netlist is read as one JSON text. */
export const NETLIST_LIMIT_BYTES = 500 * 2 ** 20;

/**
 * Reads the timing netlist. A netlist larger than Node's longest string (about 512 MB: the server
 * preset's 64×64 array, had its columns been flattened) cannot be parsed as one JSON text: that
 * is said plainly instead of V8's "Invalid string length".
 */
export async function readNetlist(path: string, top: string, limit = NETLIST_LIMIT_BYTES): Promise<YosysNetlist> {
  const bytes = (await stat(path)).size;
  if (bytes > limit) {
    throw new Error(
      `synth --timing: the timing netlist of ${top} is ${(bytes / 2 ** 20).toFixed(0)} MB of JSON, more than the ${(limit / 2 ** 20).toFixed(0)} MB the timing analysis can read ` +
        `(it already keeps each replicated module once and drops source attributes and block-RAM contents); time the design in parts with --top MODULE, or synthesize without --timing for resources`,
    );
  }
  return JSON.parse(await readFile(path, 'utf8')) as YosysNetlist;
}

/** Synthesizes an RTL folder (as `generate` writes it). */
export async function synthesizeRtl(rtlDir: string, opts: SynthOptions = {}): Promise<SynthReport> {
  const dir = resolve(rtlDir);
  const { files } = rtlSources(dir);
  const sources = files.flatMap((f) => {
    const text = readFileSync(f, 'utf8');
    return parseModules(text).map((m) => ({ name: m.name, text }));
  });
  const all = sources.map((s) => s.name);
  if (opts.top !== undefined && !all.includes(opts.top)) {
    throw new Error(`synthesize: module ${opts.top} is not in ${dir} (modules: ${all.join(', ')})`);
  }
  const roots = opts.top !== undefined ? new Set([opts.top]) : rootModules(sources);
  // The accelerator top is what a user instantiates; other roots (the standalone mapping-engine
  // top used by `sim-map`) would count the mapping engine twice, so the total is the top alone.
  const accelTop = opts.top ?? all.find((m) => m.endsWith('_accel') && roots.has(m));
  const selected =
    opts.top !== undefined ? [opts.top]
    : opts.perModule ? all
    : opts.rootsOnly || accelTop === undefined ? all.filter((m) => roots.has(m))
    : [accelTop];
  const version = await yosysVersion(opts);
  const rtlHash = hashFiles(files);
  const keep = opts.keep ?? manifestReplicated(dir);
  for (const m of keep) if (!all.includes(m)) throw new Error(`synthesize: kept module ${m} is not in ${dir}`);
  const children = instantiations(sources);
  const modules = await pool(selected, opts.concurrency ?? 2, async (module): Promise<ModuleSynth> => {
    const below = descendants(children, module);
    const r = await synthModule(files, module, keep.filter((k) => below.has(k)), rtlHash, version, opts, sources);
    return { module, root: roots.has(module), cached: r.cached, elapsedMs: r.elapsedMs, ...r.counts, ...(r.timing ? { timing: r.timing } : {}) };
  });
  const counted = accelTop !== undefined ? modules.filter((m) => m.module === accelTop) : modules.filter((m) => m.root);
  const total = counted.reduce((acc, m) => addCounts(acc, m), ZERO());
  return {
    rtlDir: dir,
    rtlHash,
    yosysVersion: version,
    script: synthScript(['<files.f>'], '<module>', 'stat.json', keep),
    modules,
    total,
    totalOf: counted.map((m) => m.module),
    ...(counted.length === 1 && counted[0]!.timing ? { timing: counted[0]!.timing } : {}),
  };
}

/** Emits the spec's RTL under .cache/rtl/ and synthesizes it. */
export async function synthesize(target: AcceleratorSpec | { rtlDir: string }, opts: SynthOptions = {}): Promise<SynthReport> {
  if ('rtlDir' in target) return synthesizeRtl(target.rtlDir, opts);
  const emitted = emitAccelerator(target);
  const dir = join(PROJECT_ROOT, '.cache', 'rtl', `${emitted.spec.name}-${configHash(emitted.spec).slice(0, 12)}`);
  await writeEmitted(emitted.files, dir);
  const report = await synthesizeRtl(dir, opts);
  return { name: emitted.spec.name, ...report };
}

function pad(s: string | number, n: number): string {
  return String(s).padStart(n);
}

/** The table `sparseforge synth` prints. */
export function formatSynthReport(r: SynthReport): string {
  const head = `${'module'.padEnd(32)} ${pad('LUT', 7)} ${pad('FF', 7)} ${pad('DSP48', 6)} ${pad('RAMB18', 7)} ${pad('RAMB36', 7)} ${pad('LUTRAM', 7)} ${pad('latch', 6)}`;
  const row = (name: string, c: SynthCounts): string =>
    `${name.padEnd(32)} ${pad(c.luts, 7)} ${pad(c.ffs, 7)} ${pad(c.dsp48, 6)} ${pad(c.bram.ramb18, 7)} ${pad(c.bram.ramb36, 7)} ${pad(c.lutram, 7)} ${pad(c.latches, 6)}`;
  const lines = [
    `${r.name ?? r.rtlDir}: Yosys synth_xilinx -noiopad (${r.yosysVersion.replace(/\s*\(.*$/, '')}), RTL ${r.rtlHash.slice(0, 12)}`,
    head,
    ...r.modules.map((m) => `${row(m.root ? m.module : `${m.module} (sub)`, m)}${m.cached ? '  cached' : ''}`),
    row(r.totalOf.length === 1 ? `total (${r.totalOf[0]})` : 'total (root modules)', r.total),
  ];
  return `${lines.join('\n')}\n`;
}
