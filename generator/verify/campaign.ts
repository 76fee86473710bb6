// The verification campaign (docs/verification.md): per seed a spec (a preset, or one of a small
// pool of random valid specs), a random cloud and layer case (case-gen.ts), co-simulated on the
// complete accelerator through the host driver under random backpressure and compared with the
// golden model. Seeds are grouped by spec so that one Verilator build serves all of them. A failing
// seed is reported with the command that reproduces it and minimized (minimize.ts) into the out dir.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { presetSpec } from '../dsl/load.ts';
import { randomCampaignSpec } from '../dsl/random.ts';
import type { AcceleratorSpec } from '../dsl/spec.ts';
import { serializeLayerCase } from '../io/layer-case.ts';
import { formatComparison } from '../io/layer-result.ts';
import { splitmix32 } from '../io/prng.ts';
import type { LayerCase, LayerType } from '../model/types.ts';
import { runAccelCase } from '../sim/accel/driver.ts';
import { buildAccel } from '../sim/accel/rtl.ts';
import type { BuildProfile } from '../sim/build.ts';
import { PROJECT_ROOT } from '../sim/render.ts';
import { drawFittingCase, type CaseGenOptions } from './case-gen.ts';
import { collectCoverage, type CoverageReport } from './coverage.ts';
import { directedWorkDir, runDirected } from './directed.ts';
import { minimizeCase } from './minimize.ts';

export interface SpecSource {
  /** `preset:<name>` or `random:<seed>`. */
  id: string;
  spec: AcceleratorSpec;
}

export interface CampaignOptions {
  /** Number of cases. */
  seeds: number;
  firstSeed?: number;
  /** Preset names; the seeds go round-robin over them (default: tiny). */
  presets?: string[];
  /** Draw specs from a pool of random valid specs (⌈seeds/10⌉ unless poolSize / specSeeds). */
  randomSpecs?: boolean;
  poolSize?: number;
  /** Pin the random spec seeds of the pool. */
  specSeeds?: number[];
  /** Concurrent harness runs (default: number of cores). */
  jobs?: number;
  /** Out dir: summary.json, failures/<seed>/ (minimized case, spec, report). */
  out?: string;
  /** Line + toggle coverage build and report (coverage/ in the out dir). */
  coverage?: boolean;
  /** Case generator bounds. */
  gen?: CaseGenOptions;
  /** Minimize failing cases (default true). */
  minimize?: boolean;
  /** Progress line callback (default: stderr). */
  progress?: (line: string) => void;
  /** Stop after this many failures (default: never). */
  maxFailures?: number;
  /** The command line, recorded in the summary. */
  command?: string;
  /** Run the directed register/error run once per spec (default true). */
  directed?: boolean;
}

export interface CaseOutcome {
  seed: number;
  spec: string;
  label: string;
  type: LayerType;
  ok: boolean;
  mismatches: number;
  error?: string;
  cycles: number;
  wallMs: number;
}

export interface CampaignFailure {
  seed: number;
  spec: string;
  label: string;
  message: string;
  reproduce: string;
  dir: string;
  minimized?: { points: number; inChannels: number; outChannels: number; runs: number };
}

export interface CampaignSummary {
  format: 'sparseforge.verify-summary/1';
  command: string;
  /** The out dir. */
  out: string;
  cases: number;
  passed: number;
  mismatches: number;
  errors: number;
  failures: CampaignFailure[];
  perLayerType: Record<string, { cases: number; failed: number }>;
  perSpec: Record<string, { cases: number; failed: number; buildMs: number; cached: boolean }>;
  perCloud: Record<string, number>;
  postprocess: Record<string, number>;
  backpressure: Record<string, number>;
  points: { total: number; max: number };
  simCycles: number;
  wallMs: number;
  firstSeed: number;
  specs: string[];
  profile: BuildProfile;
  environment: { node: string; cpu: string; cores: number; platform: string };
  coverage?: CoverageReport;
  /** The directed run per spec (directed.ts): error names seen, problems. */
  directed: Record<string, { ok: boolean; errors: string[]; problems: string[] }>;
  /** Specs whose RTL did not build (their seeds are not run and not counted in `cases`). */
  buildFailures: { spec: string; message: string; seeds: number; dir: string }[];
}

/** The random spec seeds of a pool: draws from `base` on, skipping arrays too big to build quickly. */
export function randomSpecPool(size: number, base: number): number[] {
  const out: number[] = [];
  for (let s = base; out.length < size; s++) {
    const spec = randomCampaignSpec(s);
    // Build cost grows with the array and the stream width; the pool keeps them small.
    if (spec.matrix.rows * spec.matrix.cols > 64 || spec.interfaces.axisDataWidth > 256) continue;
    out.push(s);
  }
  return out;
}

export function specSources(o: CampaignOptions): SpecSource[] {
  if (o.randomSpecs) {
    const seeds = o.specSeeds ?? randomSpecPool(o.poolSize ?? Math.max(1, Math.ceil(o.seeds / 10)), 1000 + (o.firstSeed ?? 1));
    return seeds.map((s) => ({ id: `random:${s}`, spec: randomCampaignSpec(s) }));
  }
  return (o.presets ?? ['tiny']).map((p) => ({ id: `preset:${p}`, spec: presetSpec(p) }));
}

/** Which spec of the pool a seed runs on (a function of the seed and the pool only). */
export function specIndexFor(seed: number, poolSize: number): number {
  return splitmix32(seed)() % poolSize;
}

function reproduceCommand(src: SpecSource, seed: number, o: CampaignOptions): string {
  const spec = src.id.startsWith('random:') ? `--random-specs --spec-seeds ${src.id.slice(7)}` : `--preset ${src.id.slice(7)}`;
  return `sparseforge verify ${spec} --first-seed ${seed} --seeds 1${o.coverage ? ' --coverage' : ''}`;
}

function countInc(m: Record<string, number>, k: string): void {
  m[k] = (m[k] ?? 0) + 1;
}

/** A limited-concurrency map. */
async function pool<T>(items: T[], jobs: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
}

export interface CaseRun {
  ok: boolean;
  mismatches: number;
  error?: string;
  cycles: number;
  report: string;
}

/** Run one case on one spec; never throws for a DUT failure (errors are failures). */
export async function runCase(spec: AcceleratorSpec, c: LayerCase, opts: { seed: number; stall: number; profile: BuildProfile; workDir: string }): Promise<CaseRun> {
  try {
    const r = await runAccelCase(spec, c, { seed: opts.seed, stall: opts.stall, profile: opts.profile, workDir: opts.workDir });
    const ok = r.comparison.equal;
    return {
      ok,
      mismatches: r.comparison.count,
      cycles: r.run.cycles,
      report: ok ? '' : `${formatComparison(r.comparison)}\nharness: ${r.run.command}`,
    };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return { ok: false, mismatches: 0, error: msg, cycles: 0, report: msg };
  }
}

export async function runCampaign(o: CampaignOptions): Promise<CampaignSummary> {
  const t0 = performance.now();
  const log = o.progress ?? ((l: string) => process.stderr.write(`${l}\n`));
  const firstSeed = o.firstSeed ?? 1;
  const jobs = o.jobs ?? cpus().length;
  const profile: BuildProfile = o.coverage ? 'coverage' : 'test';
  const out = o.out ?? join(PROJECT_ROOT, '.cache', 'verify', `run-${process.pid}`);
  mkdirSync(out, { recursive: true });
  const runRoot = join(PROJECT_ROOT, '.cache', 'sim-runs', `verify-${process.pid}`);
  const covDir = join(out, 'coverage', 'raw');
  if (o.coverage) {
    rmSync(join(out, 'coverage'), { recursive: true, force: true });
    mkdirSync(covDir, { recursive: true });
    process.env.SF_COVERAGE_DIR = covDir;
  }
  const sources = specSources(o);
  // Group the seeds by spec, in pool order: one build per spec, reused by all its seeds.
  const groups = sources.map((src) => ({ src, seeds: [] as number[] }));
  for (let i = 0; i < o.seeds; i++) {
    const seed = firstSeed + i;
    const g = sources.length === 1 ? 0 : o.randomSpecs ? specIndexFor(seed, sources.length) : i % sources.length;
    groups[g]!.seeds.push(seed);
  }
  const summary: CampaignSummary = {
    format: 'sparseforge.verify-summary/1',
    command: o.command ?? '',
    out,
    cases: 0,
    passed: 0,
    mismatches: 0,
    errors: 0,
    failures: [],
    perLayerType: {},
    perSpec: {},
    perCloud: {},
    postprocess: {},
    backpressure: {},
    points: { total: 0, max: 0 },
    simCycles: 0,
    wallMs: 0,
    firstSeed,
    specs: sources.map((s) => s.id),
    profile,
    directed: {},
    buildFailures: [],
    environment: { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, platform: `${process.platform}-${process.arch}` },
  };
  let done = 0;
  let stop = false;
  for (const g of groups) {
    if (g.seeds.length === 0 || stop) continue;
    const { src } = g;
    const name = `${src.id} (${src.spec.name})`;
    log(`[verify] ${name}: building (${profile})…`);
    let b: Awaited<ReturnType<typeof buildAccel>>;
    try {
      b = await buildAccel(src.spec, { profile });
    } catch (e) {
      // A spec whose RTL does not build is a failure of every seed drawn for it; the others go on.
      const msg = (e instanceof Error ? e.message : String(e)).split('\n').slice(0, 3).join(' | ');
      log(`[verify] FAIL ${name}: build failed: ${msg}`);
      const dir = join(out, 'failures', `build-${src.id.replace(/[^\w-]/g, '_')}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'spec.json'), `${JSON.stringify(src.spec, null, 2)}\n`);
      writeFileSync(join(dir, 'report.txt'), `${e instanceof Error ? e.message : String(e)}\n`);
      summary.buildFailures.push({ spec: src.id, message: msg, seeds: g.seeds.length, dir });
      summary.perSpec[src.id] = { cases: 0, failed: g.seeds.length, buildMs: 0, cached: false };
      done += g.seeds.length;
      continue;
    }
    log(`[verify] ${name}: build ${b.cached ? 'cached' : `${(b.buildMs / 1000).toFixed(1)} s`}; ${g.seeds.length} case(s)`);
    const ps = (summary.perSpec[src.id] = { cases: 0, failed: 0, buildMs: Math.round(b.buildMs), cached: b.cached });
    await pool(g.seeds, jobs, async (seed) => {
      if (stop) return;
      const draw = drawFittingCase(src.spec, seed, o.gen);
      const c = draw.case;
      const workDir = join(runRoot, String(seed));
      const tc = performance.now();
      const r = await runCase(src.spec, c, { seed, stall: draw.stall, profile, workDir });
      const wallMs = performance.now() - tc;
      summary.cases++;
      ps.cases++;
      const lt = (summary.perLayerType[c.layer.type] ??= { cases: 0, failed: 0 });
      lt.cases++;
      countInc(summary.perCloud, draw.cloud);
      countInc(summary.postprocess, c.requant ? (c.requant.relu ? 'requant+relu' : 'requant') : 'raw');
      countInc(summary.backpressure, String(draw.stall));
      summary.points.total += c.input.coords.length;
      summary.points.max = Math.max(summary.points.max, c.input.coords.length);
      summary.simCycles += r.cycles;
      done++;
      if (r.ok) {
        summary.passed++;
        rmSync(workDir, { recursive: true, force: true });
      } else {
        if (r.error) summary.errors++;
        else summary.mismatches++;
        lt.failed++;
        ps.failed++;
        const reproduce = reproduceCommand(src, seed, o);
        log(`[verify] FAIL seed ${seed} on ${name}: ${draw.label}\n  ${r.report.split('\n').slice(0, 8).join('\n  ')}\n  reproduce: ${reproduce}`);
        const dir = join(out, 'failures', `seed-${seed}`);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'spec.json'), `${JSON.stringify(src.spec, null, 2)}\n`);
        writeFileSync(join(dir, 'case.json'), serializeLayerCase(c));
        writeFileSync(join(dir, 'report.txt'), `seed ${seed} on ${name}: ${draw.label}\nstall ${draw.stall}\nreproduce: ${reproduce}\n\n${r.report}\n`);
        const f: CampaignFailure = { seed, spec: src.id, label: draw.label, message: (r.error ?? `${r.mismatches} mismatches`).split('\n')[0]!, reproduce, dir };
        summary.failures.push(f);
        if (o.minimize !== false) {
          log(`[verify] minimizing seed ${seed}…`);
          const m = await minimizeCase(c, (cc, k) => runCase(src.spec, cc, { seed, stall: draw.stall, profile, workDir: join(workDir, `min-${k}`) }).then((x) => !x.ok));
          writeFileSync(join(dir, 'minimized.json'), serializeLayerCase(m.case));
          const rr = await runCase(src.spec, m.case, { seed, stall: draw.stall, profile, workDir: join(workDir, 'min-final') });
          writeFileSync(join(dir, 'minimized-report.txt'), `${rr.report}\n\nreproduce: sparseforge sim ${join(dir, 'minimized.json')} --config ${join(dir, 'spec.json')} --seed ${seed} --backpressure ${draw.stall}\n`);
          f.minimized = { points: m.case.input.coords.length, inChannels: m.case.layer.inChannels, outChannels: m.case.layer.outChannels, runs: m.runs };
          log(`[verify] seed ${seed} minimized to ${f.minimized.points} points, ${f.minimized.inChannels}→${f.minimized.outChannels} channels (${m.runs} runs): ${dir}`);
        }
        if (o.maxFailures !== undefined && summary.failures.length >= o.maxFailures) stop = true;
      }
      if (done % 50 === 0) {
        // A partial summary, so that an interrupted long campaign still leaves its figures.
        summary.wallMs = Math.round(performance.now() - t0);
        writeFileSync(join(out, 'summary.partial.json'), `${JSON.stringify(summary, null, 2)}\n`);
      }
      if (done % 10 === 0 || done === o.seeds || !r.ok) {
        const el = (performance.now() - t0) / 1000;
        log(`[verify] ${done}/${o.seeds} cases, ${summary.mismatches} mismatches, ${summary.errors} errors, ${el.toFixed(0)} s (seed ${seed}: ${draw.label}, ${r.cycles} cycles, ${Math.round(wallMs)} ms)`);
      }
    });
    if (o.directed !== false && !stop) {
      const dr = await runDirected(src.spec, { profile, workDir: directedWorkDir(runRoot, src.id), seed: g.seeds[0]! });
      summary.directed[src.id] = { ok: dr.ok, errors: dr.errors, problems: dr.problems };
      log(`[verify] ${name}: directed run (registers, ${dr.errors.join(', ')}, recovery) ${dr.ok ? 'ok' : `FAILED: ${dr.problems.join('; ')}`}`);
      if (!dr.ok) {
        summary.errors++;
        summary.failures.push({ seed: g.seeds[0]!, spec: src.id, label: 'directed run', message: dr.problems.join('; '), reproduce: reproduceCommand(src, g.seeds[0]!, o), dir: directedWorkDir(runRoot, src.id) });
      }
    }
  }
  if (o.coverage) {
    log('[verify] merging coverage…');
    summary.coverage = await collectCoverage(covDir, join(out, 'coverage'));
    delete process.env.SF_COVERAGE_DIR;
  }
  if (Object.values(summary.directed).every((x) => x.ok)) rmSync(runRoot, { recursive: true, force: true });
  summary.wallMs = Math.round(performance.now() - t0);
  writeFileSync(join(out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  rmSync(join(out, 'summary.partial.json'), { force: true });
  return summary;
}
