// Line and toggle coverage of a campaign run on coverage builds (BuildProfile 'coverage',
// generator/sim/build.ts): every harness run writes its counters to <raw>/cov-<pid>.dat;
// verilator_coverage merges them (--write) and annotates the sources (--annotate, lines with
// '%00' are uncovered); this module parses the merged data file for per-module figures.
//
// Figures per emitted module (one module per file, DESIGN.md §5), counters merged over instances
// (a point counts as covered when any instance hit it):
// - line: the source lines of Verilator's line-coverage points (blocks, branches; each point's
//   `S` field lists its lines); a line is covered when a covered point spans it;
// - toggle: every bit of every signal seen both 0→1 and 1→0 (Verilator's toggle points).
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { CACHE_ROOT, COVERAGE_DUMP_MODULE } from '../sim/build.ts';

export interface ModuleCoverage {
  module: string;
  file: string;
  lines: { covered: number; total: number; pct: number };
  /** Line-coverage points (blocks/branches). */
  points: { covered: number; total: number; pct: number };
  toggle: { covered: number; total: number; pct: number };
  /** Uncovered source lines, as ranges `a-b`. */
  uncovered: string[];
}

export interface CoverageReport {
  /** Over every module of every build in the run. */
  lines: { covered: number; total: number; pct: number };
  toggle: { covered: number; total: number; pct: number };
  /** Per top (spec): line and toggle totals. */
  perTop: Record<string, { lines: { covered: number; total: number; pct: number }; toggle: { covered: number; total: number; pct: number } }>;
  modules: ModuleCoverage[];
  /** verilator_coverage's own "Total coverage" line of the merged file (line + toggle points). */
  verilatorTotal: string;
  merged: string;
  annotated: string;
  runs: number;
}

const pct = (c: number, t: number) => (t === 0 ? 100 : Math.round((10000 * c) / t) / 100);
const ratio = (c: number, t: number) => ({ covered: c, total: t, pct: pct(c, t) });

interface Point {
  file: string;
  page: string;
  kind: 'line' | 'toggle' | 'other';
  lines: number[];
  count: number;
}

function parseLineSpans(s: string): number[] {
  const out: number[] = [];
  for (const part of s.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const a = Number(m[1]);
    const b = m[2] ? Number(m[2]) : a;
    for (let i = a; i <= b; i++) out.push(i);
  }
  return out;
}

/** Parse a verilator coverage data file; points merged over the instance hierarchy (`h`). */
export function parseCoverageData(text: string): Point[] {
  const merged = new Map<string, Point>();
  for (const line of text.split('\n')) {
    const m = /^C '(.*)' (\d+)$/.exec(line);
    if (!m) continue;
    const fields: Record<string, string> = {};
    for (const kv of m[1]!.split('\u0001')) {
      if (!kv) continue;
      const i = kv.indexOf('\u0002');
      if (i > 0) fields[kv.slice(0, i)] = kv.slice(i + 1);
    }
    const page = fields.page ?? '';
    const kind = page.startsWith('v_line') ? 'line' : page.startsWith('v_toggle') ? 'toggle' : 'other';
    const key = `${page}\u0001${fields.f}\u0001${fields.l}\u0001${fields.n}\u0001${fields.o}\u0001${fields.S ?? ''}`;
    const count = Number(m[2]);
    const p = merged.get(key);
    if (p) p.count += count;
    else merged.set(key, { file: (fields.f ?? '').replace(/^.*\//, ''), page, kind, lines: kind === 'line' ? parseLineSpans(fields.S ?? fields.l ?? '') : [Number(fields.l)], count });
  }
  return [...merged.values()];
}

function ranges(xs: number[]): string[] {
  const s = [...new Set(xs)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j]! + 1) j++;
    out.push(i === j ? String(s[i]) : `${s[i]}-${s[j]}`);
    i = j + 1;
  }
  return out;
}

/** Per-module figures from parsed points. */
export function moduleCoverage(points: Point[]): ModuleCoverage[] {
  const byFile = new Map<string, Point[]>();
  for (const p of points) {
    if (p.kind === 'other' || p.file.startsWith(COVERAGE_DUMP_MODULE)) continue;
    (byFile.get(p.file) ?? byFile.set(p.file, []).get(p.file)!).push(p);
  }
  const out: ModuleCoverage[] = [];
  for (const [file, ps] of [...byFile].sort((a, b) => a[0].localeCompare(b[0]))) {
    const lp = ps.filter((p) => p.kind === 'line');
    const tp = ps.filter((p) => p.kind === 'toggle');
    const all = new Set<number>();
    const hit = new Set<number>();
    for (const p of lp) {
      for (const l of p.lines) {
        all.add(l);
        if (p.count > 0) hit.add(l);
      }
    }
    const miss = [...all].filter((l) => !hit.has(l));
    out.push({
      module: file.replace(/\.s?v$/, ''),
      file,
      lines: ratio(hit.size, all.size),
      points: ratio(lp.filter((p) => p.count > 0).length, lp.length),
      toggle: ratio(tp.filter((p) => p.count > 0).length, tp.length),
      uncovered: ranges(miss),
    });
  }
  return out;
}

async function vcov(args: string[], cwd: string): Promise<string> {
  const r = await execa('verilator_coverage', args, { cwd, reject: false, all: true, maxBuffer: 256 * 1024 * 1024 });
  if (r.exitCode !== 0) throw new Error(`verilator_coverage ${args.slice(0, 3).join(' ')} … failed: ${(r.all ?? '').split('\n').slice(0, 5).join(' | ')}`);
  return r.all ?? '';
}

/** Merge `rawDir`/*.dat in batches (bounded command lines) into `outFile`. */
export async function mergeCoverage(rawDir: string, outFile: string): Promise<number> {
  const files = existsSync(rawDir) ? readdirSync(rawDir).filter((f) => f.endsWith('.dat')).map((f) => join(rawDir, f)) : [];
  if (files.length === 0) throw new Error(`no coverage data in ${rawDir} (was the campaign built with the coverage profile?)`);
  const batch = 64;
  let acc: string | undefined;
  for (let i = 0; i < files.length; i += batch) {
    const part = files.slice(i, i + batch);
    const tmp = `${outFile}.tmp-${i}`;
    await vcov(['--write', tmp, ...(acc ? [acc] : []), ...part], rawDir);
    if (acc) rmSync(acc, { force: true });
    acc = tmp;
  }
  rmSync(outFile, { force: true });
  cpSync(acc!, outFile);
  rmSync(acc!, { force: true });
  return files.length;
}

/** Sources of every coverage build referenced by the data (their `src/` folders), copied under `dir/src`. */
function gatherSources(files: Set<string>, dir: string): void {
  mkdirSync(join(dir, 'src'), { recursive: true });
  const want = new Set(files);
  if (!existsSync(CACHE_ROOT)) return;
  for (const h of readdirSync(CACHE_ROOT)) {
    const src = join(CACHE_ROOT, h, 'src');
    if (!existsSync(join(CACHE_ROOT, h, 'build.json')) || !existsSync(src)) continue;
    let profile = '';
    try {
      profile = (JSON.parse(readFileSync(join(CACHE_ROOT, h, 'build.json'), 'utf8')) as { profile?: string }).profile ?? '';
    } catch {
      continue;
    }
    if (profile !== 'coverage') continue;
    for (const f of readdirSync(src)) {
      if (want.has(f)) {
        cpSync(join(src, f), join(dir, 'src', f));
        want.delete(f);
      }
    }
  }
}

/** Merge, annotate and summarise the raw coverage files of a run into `outDir`. */
export async function collectCoverage(rawDir: string, outDir: string): Promise<CoverageReport> {
  mkdirSync(outDir, { recursive: true });
  const merged = join(outDir, 'merged.dat');
  const runs = await mergeCoverage(rawDir, merged);
  const points = parseCoverageData(readFileSync(merged, 'utf8'));
  const modules = moduleCoverage(points);
  // Annotated sources: verilator_coverage reads the sources by the paths in the data (src/<file>).
  const work = join(outDir, 'annotate-work');
  rmSync(work, { recursive: true, force: true });
  gatherSources(new Set(points.map((p) => p.file)), work);
  cpSync(merged, join(work, 'merged.dat'));
  const annotated = join(outDir, 'annotated');
  rmSync(annotated, { recursive: true, force: true });
  let verilatorTotal = '';
  try {
    const txt = await vcov(['--annotate', annotated, '--annotate-min', '1', 'merged.dat'], work);
    verilatorTotal = /Total coverage \([^)]*\) [\d.]+%/.exec(txt)?.[0] ?? txt.trim().split('\n')[0] ?? '';
  } catch (e) {
    verilatorTotal = `annotation failed: ${(e as Error).message}`;
  }
  rmSync(work, { recursive: true, force: true });
  rmSync(rawDir, { recursive: true, force: true });
  const sum = (ms: ModuleCoverage[], k: 'lines' | 'toggle') => ratio(ms.reduce((a, m) => a + m[k].covered, 0), ms.reduce((a, m) => a + m[k].total, 0));
  // Module files are named <spec prefix>_<module>; group by the spec's top (its prefix).
  const tops = new Map<string, ModuleCoverage[]>();
  for (const m of modules) {
    const top = /^(.*?)_(accel|map|matrix|postproc|stream)/.exec(m.module)?.[1] ?? m.module;
    (tops.get(top) ?? tops.set(top, []).get(top)!).push(m);
  }
  const perTop: CoverageReport['perTop'] = {};
  for (const [t, ms] of tops) perTop[t] = { lines: sum(ms, 'lines'), toggle: sum(ms, 'toggle') };
  const report: CoverageReport = {
    lines: sum(modules, 'lines'),
    toggle: sum(modules, 'toggle'),
    perTop,
    modules,
    verilatorTotal,
    merged,
    annotated,
    runs,
  };
  writeFileSync(join(outDir, 'coverage.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(outDir, 'coverage.txt'), formatCoverage(report));
  return report;
}

export function formatCoverage(r: CoverageReport): string {
  const lines = [
    `coverage over ${r.runs} harness runs: lines ${r.lines.covered}/${r.lines.total} (${r.lines.pct} %), toggle ${r.toggle.covered}/${r.toggle.total} (${r.toggle.pct} %)`,
    `verilator_coverage: ${r.verilatorTotal}`,
    '',
    `${'module'.padEnd(32)} ${'lines'.padStart(16)} ${'toggle'.padStart(18)}  uncovered lines`,
  ];
  for (const m of r.modules) {
    lines.push(
      `${m.module.padEnd(32)} ${`${m.lines.covered}/${m.lines.total} ${m.lines.pct.toFixed(1)}%`.padStart(16)} ${`${m.toggle.covered}/${m.toggle.total} ${m.toggle.pct.toFixed(1)}%`.padStart(18)}  ${m.uncovered.join(',')}`,
    );
  }
  lines.push('', `annotated sources: ${r.annotated} (lines marked %00… are uncovered)`);
  return `${lines.join('\n')}\n`;
}
