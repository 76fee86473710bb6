// Clock estimates for 7-series parts, where no open router exists: Yosys `synth_xilinx` →
// flattened JSON netlist → static timing analysis (sta.ts) with the 7-series delay table
// (delays.ts) at speed grades -1 and -2, each with fast and slow net delays. The result is a
// range, never a promise: the wire delays of a placed design lie somewhere in it (the iCE40
// calibration in bench/timing.bench.ts measures how far such an estimate lands from a router).
// Paths are grouped by the RTL module their endpoint register is written in (the `src`
// attribute Yosys keeps on flip-flops, block RAMs and DSPs), so one synthesis of the top gives
// the worst path of every module inside it. Results are cached under .cache/timing/ by a hash of
// the RTL, the top, the kept modules and the Yosys version.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { configHash } from '../dsl/derive/index.ts';
import type { AcceleratorSpec } from '../dsl/spec.ts';
import { emitAccelerator, writeEmitted } from '../emit/index.ts';
import { manifestReplicated, rtlSources } from '../emit/lint.ts';
import { PROJECT_ROOT } from '../emit/render.ts';
import { runTool } from '../emit/tools.ts';
import { xc7Delays, type Corner, type SpeedGrade } from './delays.ts';
import { analyzeTiming, fmaxMHz, type TimingPath, type YosysCell, type YosysNetlist } from './sta.ts';
import { hashFiles, yosysTool, yosysVersion } from './yosys.ts';

/** Bumped when the script, the delay table or the grouping changes. */
const TIMING_VERSION = 1;
export const TIMING_CACHE_DIR = join(PROJECT_ROOT, '.cache', 'timing');

export interface PathSummary {
  start: string;
  end: string;
  endPin: string;
  levels: number;
  cellTypes: Record<string, number>;
  delayNs: number;
}

export interface CornerEstimate {
  grade: SpeedGrade;
  corner: Corner;
  fmaxMHz: number;
  worst: PathSummary;
  /** The worst path ending in each RTL module. */
  modules: Record<string, PathSummary>;
}

export interface TimingReport {
  name?: string;
  top: string;
  rtlDir: string;
  rtlHash: string;
  yosysVersion: string;
  /** Every grade × corner. */
  corners: CornerEstimate[];
  cells: number;
  cached: boolean;
  elapsedMs: number;
}

export interface TimingOptions {
  top?: string;
  cacheDir?: string;
  useCache?: boolean;
  timeoutMs?: number;
}

function summary(p: TimingPath): PathSummary {
  return { start: p.start, end: p.end, endPin: p.endPin, levels: p.levels, cellTypes: p.cellTypes, delayNs: Number(p.delay.toFixed(3)) };
}

/** The RTL module a cell was written in: the first `src` file of the RTL folder. */
export function moduleOfCell(cell: YosysCell | undefined, rtlModules: Set<string>, fallback: string): string {
  const src = cell?.attributes?.src;
  if (typeof src !== 'string') return fallback;
  for (const part of src.split('|')) {
    const m = basename(part.replace(/:[\d.\-]+$/, '')).replace(/\.s?v$/, '');
    if (rtlModules.has(m)) return m;
  }
  return fallback;
}

/** Runs the STA at every grade × corner over a flattened synth_xilinx netlist. */
export function estimateNetlist(netlist: YosysNetlist, top: string, rtlModules: Set<string>): CornerEstimate[] {
  const out: CornerEstimate[] = [];
  for (const grade of [1, 2] as const) {
    for (const corner of ['fast', 'slow'] as const) {
      const r = analyzeTiming(netlist, top, xc7Delays(grade, corner), (_, cell) => moduleOfCell(cell, rtlModules, top));
      if (!r.worst) throw new Error(`timing: no register-to-register path in ${top}`);
      out.push({
        grade,
        corner,
        fmaxMHz: Number(fmaxMHz(r.worst.delay).toFixed(1)),
        worst: summary(r.worst),
        modules: Object.fromEntries([...r.groups].sort(([a], [b]) => (a < b ? -1 : 1)).map(([g, p]) => [g, summary(p)])),
      });
    }
  }
  return out;
}

export function timingScript(files: string[], top: string, keep: string[]): string {
  const q = (p: string): string => `"${p}"`;
  const k = keep.join(' ');
  return [
    `read_verilog -sv ${files.map(q).join(' ')}`,
    ...(keep.length ? [`setattr -mod -set keep_hierarchy 1 ${k}`] : []),
    `synth_xilinx -noiopad -noclkbuf -top ${top}`,
    ...(keep.length ? [`setattr -mod -unset keep_hierarchy ${k}`] : []),
    'flatten',
    'write_json net.json',
  ].join('; ');
}

/** Estimates the clock of an RTL folder's top (default: the `_accel` module, else the only root). */
export async function estimateTimingRtl(rtlDir: string, opts: TimingOptions = {}): Promise<TimingReport> {
  const dir = resolve(rtlDir);
  const { files, modules } = rtlSources(dir);
  const top = opts.top ?? modules.find((m) => m.endsWith('_accel')) ?? modules[0];
  if (top === undefined || !modules.includes(top)) throw new Error(`timing: module ${top} is not in ${dir}`);
  const keep = manifestReplicated(dir).filter((m) => m !== top);
  const rtlHash = hashFiles(files);
  const yv = await yosysVersion();
  const key = createHash('sha256').update(JSON.stringify({ TIMING_VERSION, rtlHash, top, keep, yv })).digest('hex');
  const cacheDir = opts.cacheDir ?? TIMING_CACHE_DIR;
  const cacheFile = join(cacheDir, `${key}.json`);
  if (opts.useCache !== false) {
    try {
      const hit = JSON.parse(await readFile(cacheFile, 'utf8')) as TimingReport;
      return { ...hit, rtlDir: dir, cached: true, elapsedMs: 0 };
    } catch {
      // not cached yet
    }
  }
  await mkdir(cacheDir, { recursive: true });
  const work = join(cacheDir, `${key}.${process.pid}.work`);
  await mkdir(work, { recursive: true });
  const t0 = performance.now();
  try {
    const res = await runTool(yosysTool(), ['-q', '-p', timingScript(files, top, keep)], { cwd: work, timeoutMs: opts.timeoutMs ?? 60 * 60_000 });
    if (res.exitCode !== 0) {
      const log = res.all.trim().split('\n');
      throw new Error(`yosys failed on ${top}: ${log.find((l) => l.startsWith('ERROR')) ?? log.at(-1)}`);
    }
    const netlist = JSON.parse(await readFile(join(work, 'net.json'), 'utf8')) as YosysNetlist;
    const corners = estimateNetlist(netlist, top, new Set(modules));
    const report: TimingReport = {
      top,
      rtlDir: dir,
      rtlHash,
      yosysVersion: yv,
      corners,
      cells: Object.keys(netlist.modules[top]!.cells).length,
      cached: false,
      elapsedMs: Math.round(performance.now() - t0),
    };
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(report, null, 2)}\n`);
    await rename(tmp, cacheFile);
    return report;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Emits the spec's RTL under .cache/rtl/ and estimates its clock. */
export async function estimateTiming(target: AcceleratorSpec | { rtlDir: string }, opts: TimingOptions = {}): Promise<TimingReport> {
  if ('rtlDir' in target) return estimateTimingRtl(target.rtlDir, opts);
  const emitted = emitAccelerator(target);
  const dir = join(PROJECT_ROOT, '.cache', 'rtl', `${emitted.spec.name}-${configHash(emitted.spec).slice(0, 12)}`);
  await writeEmitted(emitted.files, dir);
  return { name: emitted.spec.name, ...(await estimateTimingRtl(dir, opts)) };
}

/** The estimated Fmax range (MHz) at a speed grade: slow nets … fast nets. */
export function fmaxRange(r: TimingReport, grade: SpeedGrade): { min: number; max: number } {
  const at = (c: Corner): number => r.corners.find((x) => x.grade === grade && x.corner === c)!.fmaxMHz;
  return { min: at('slow'), max: at('fast') };
}

function fmtPath(p: PathSummary): string {
  const types = Object.entries(p.cellTypes)
    .sort(([, a], [, b]) => b - a)
    .map(([t, n]) => `${n} ${t}`)
    .join(', ');
  return `${p.start} → ${p.end} (${p.endPin}), ${p.levels} levels${types ? ` [${types}]` : ''}`;
}

/** The text `sparseforge synth --timing` prints. */
export function formatTimingReport(r: TimingReport): string {
  const at = (g: SpeedGrade, c: Corner): CornerEstimate => r.corners.find((x) => x.grade === g && x.corner === c)!;
  const s2 = at(2, 'slow');
  const f2 = at(2, 'fast');
  const lines = [
    `${r.name ?? r.rtlDir}: estimated clock of ${r.top} on 7-series (Yosys synth_xilinx netlist, static timing with data-sheet delays; ${r.cells} cells${r.cached ? ', cached' : `, ${(r.elapsedMs / 1000).toFixed(1)} s`})`,
    'An estimate, not sign-off: the range spans fast and slow net delays; an iCE40 place and route calibrates the method (bench/results/timing-*.json).',
    `worst register-to-register path per module, speed grade -2 (delay with slow nets … fast nets):`,
    `${'module'.padEnd(30)} ${'delay ns'.padStart(13)} ${'Fmax MHz'.padStart(13)}  path (slow nets)`,
  ];
  for (const [m, p] of Object.entries(s2.modules)) {
    const fast = f2.modules[m];
    const d = `${p.delayNs.toFixed(2)}…${(fast?.delayNs ?? p.delayNs).toFixed(2)}`;
    const f = `${fmaxMHz(p.delayNs).toFixed(0)}…${fmaxMHz(fast?.delayNs ?? p.delayNs).toFixed(0)}`;
    lines.push(`${m.padEnd(30)} ${d.padStart(13)} ${f.padStart(13)}  ${fmtPath(p)}`);
  }
  for (const g of [1, 2] as const) {
    const range = fmaxRange(r, g);
    lines.push(`estimated Fmax of ${r.top}, xc7 -${g}: ${range.min.toFixed(0)} … ${range.max.toFixed(0)} MHz (critical: ${fmtPath(at(g, 'slow').worst)})`);
  }
  return `${lines.join('\n')}\n`;
}
