// The sweep runner. Plan every point (emit its RTL, hash what its result depends on), take what
// is already known — points finished in the output folder (points.jsonl) and the global cache —
// and evaluate the rest with `jobs` tool processes at a time. Each finished point is appended to
// points.jsonl at once, so an interruption keeps it, and re-running the same command continues
// where it stopped. Results, CSV and report are written at the end, and also on interruption
// (marked incomplete).
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import { join, relative, resolve } from 'node:path';
import { GENERATOR_NAME, GENERATOR_VERSION } from '../dsl/version.ts';
import { emitAccelerator } from '../emit/index.ts';
import { PROJECT_ROOT } from '../emit/render.ts';
import { ToolMissingError } from '../emit/tools.ts';
import { writeFileAtomic } from '../io/files.ts';
import { yosysVersion } from '../synth/yosys.ts';
import { defaultCacheRoot, hashJson, JsonCache, modelSourceHash } from './cache.ts';
import { evaluatePoint, pointKey, Slots, type Counters, type EvalContext, type PlannedPoint, type Steps } from './evaluate.ts';
import { expandGrid, variedPaths, type PointDef, type SweepGrid } from './grid.ts';
import { Progress, type ProgressMode, type ProgressStream } from './progress.ts';
import { renderReport } from './report.ts';
import { computePareto, cycleModelSummary, RESULTS_FORMAT, resultsCsv, resultsJson, type PointResult, type SweepResults, type WorkloadSummary } from './results.ts';
import { rtlHash, rtlUnits, verilatorVersion } from './rtl-units.ts';
import { prepareWorkloads, type PreparedWorkload } from './workloads.ts';

export const RUN_FORMAT = 'sparseforge.sweep-run/1';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

export interface SweepOptions {
  outDir: string;
  /** Tool processes at once (default: the number of CPU cores). */
  jobs?: number;
  /** Override the grid's synth / lint / verify. */
  steps?: Partial<Steps>;
  shard?: Shard;
  /** Cache folder (default .cache of the project, or $SPARSEFORGE_CACHE). */
  cacheRoot?: string;
  /** false: do not read cached points (they are still written); the output folder still resumes. */
  useCache?: boolean;
  progress?: ProgressMode;
  stream?: ProgressStream;
  /** Stops scheduling points; finished ones are kept and the outputs written as incomplete. */
  signal?: AbortSignal;
}

export interface RunCounters extends Counters {
  /** Points in the whole grid. */
  points: number;
  /** Points of this shard. */
  selected: number;
  invalid: number;
  /** Evaluated in this run. */
  computed: number;
  /** Taken from the global cache. */
  cached: number;
  /** Taken from the output folder's points.jsonl. */
  resumed: number;
  failed: number;
  verifyFailed: number;
}

export interface SweepRun {
  results: SweepResults;
  counters: RunCounters;
  wallMs: number;
  interrupted: boolean;
  outDir: string;
  files: string[];
}

export class SweepToolError extends Error {}

export function parseShard(s: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(s.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new SweepToolError(`--shard: must be i/N with 1 ≤ i ≤ N (e.g. 2/8), got ${JSON.stringify(s)}`);
  return { index, count };
}

/** Round-robin, so that every shard gets a similar mix of cheap and expensive corners. */
export function inShard(index: number, shard: Shard | undefined): boolean {
  return !shard || index % shard.count === shard.index - 1;
}

function displayPath(p: string): string {
  if (p === '(inline)') return p;
  const r = relative(PROJECT_ROOT, p);
  return r.startsWith('..') ? p : r.split('\\').join('/');
}

export function gridHash(grid: SweepGrid, workloads: PreparedWorkload[], steps: Steps): string {
  return hashJson({
    format: grid.format,
    name: grid.name,
    base: grid.base,
    axes: grid.axes,
    sample: grid.sample ?? null,
    workloads: workloads.map((w) => [w.name, w.hash]),
    steps,
  });
}

export function workloadSummaries(ws: PreparedWorkload[]): WorkloadSummary[] {
  return ws.map((w) => ({
    name: w.name,
    hash: w.hash,
    description: w.description,
    layer: { type: w.layer.type, kernelSize: w.layer.kernelSize, stride: w.layer.stride, inTensorStride: w.layer.inTensorStride, inChannels: w.layer.inChannels, outChannels: w.layer.outChannels },
    pointsIn: w.stats.pointsIn,
    pointsOut: w.stats.pointsOut,
    mapEntries: w.stats.mapEntries,
    macs: w.stats.macs,
    ...(w.network
      ? { network: { name: w.network.net.name, nodes: w.network.net.nodes.length, convNodes: w.network.net.nodes.filter((n) => n.op === 'conv').length } }
      : {}),
  }));
}

function invalidResult(d: PointDef): PointResult {
  const first = d.issues![0]!;
  return {
    id: d.id,
    index: d.index,
    params: d.params,
    status: 'invalid',
    error: `${first.field}: ${first.rule}${d.issues!.length > 1 ? ` (and ${d.issues!.length - 1} more)` : ''}`,
    issues: d.issues,
    workloads: {},
  };
}

function failedResult(d: PointDef, e: unknown, key?: string): PointResult {
  const msg = e instanceof Error ? e.message.split('\n')[0]! : String(e);
  return { id: d.id, index: d.index, params: d.params, status: 'failed', error: msg, ...(key ? { key } : {}), workloads: {} };
}

/** Finished points of an earlier run in `file`, by cache key (a torn last line is ignored). */
async function readJournal(file: string): Promise<Map<string, PointResult>> {
  const out = new Map<string, PointResult>();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const entry = JSON.parse(line) as { result?: PointResult };
      const r = entry.result;
      if (r?.key && r.status === 'ok') out.set(r.key, r);
    } catch {
      // The line a killed process was writing.
    }
  }
  return out;
}

/** Checks the tools the steps need, with the fix in the message. */
async function toolVersions(steps: Steps): Promise<EvalContext['tools']> {
  const tools: EvalContext['tools'] = { yosys: null, verilator: null };
  try {
    if (steps.synth) tools.yosys = await yosysVersion();
  } catch (e) {
    if (e instanceof ToolMissingError) throw new SweepToolError(`${e.message}; or sweep without resource estimates: "synth": false in the grid, or --no-synth`);
    throw e;
  }
  try {
    if (steps.lint || steps.verify) tools.verilator = await verilatorVersion();
  } catch (e) {
    if (e instanceof ToolMissingError) {
      throw new SweepToolError(`${e.message}; or sweep without it: "lint": false in the grid (or --no-lint)${steps.verify ? ' and no --verify' : ''}`);
    }
    throw e;
  }
  return tools;
}

export interface WriteOptions {
  outDir: string;
  results: SweepResults;
}

/** Writes results.json, results.csv and report.html; returns their paths. */
export async function writeOutputs({ outDir, results }: WriteOptions): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const files = [join(outDir, 'results.json'), join(outDir, 'results.csv'), join(outDir, 'report.html')];
  await writeFileAtomic(files[0]!, resultsJson(results));
  await writeFileAtomic(files[1]!, resultsCsv(results));
  await writeFileAtomic(files[2]!, renderReport(results));
  return files;
}

export async function runSweep(grid: SweepGrid, opts: SweepOptions): Promise<SweepRun> {
  const t0 = performance.now();
  const steps: Steps = { synth: grid.synth, lint: grid.lint, verify: grid.verify, ...stripUndefined(opts.steps ?? {}) };
  const jobs = Math.max(1, opts.jobs ?? os.availableParallelism());
  const cacheRoot = resolve(opts.cacheRoot ?? defaultCacheRoot());
  const outDir = resolve(opts.outDir);
  const tools = await toolVersions(steps);
  const workloads = await prepareWorkloads(grid, cacheRoot, opts.useCache !== false);
  const ctx: EvalContext = {
    steps,
    workloads,
    cacheRoot,
    modelHash: await modelSourceHash(),
    tools,
    slots: new Slots(jobs),
    counters: { synthRuns: 0, lintRuns: 0, simBuilds: 0, simRuns: 0 },
    memo: new Map(),
  };
  const all = expandGrid(grid);
  const selected = all.filter((d) => inShard(d.index, opts.shard));
  const counters: RunCounters = {
    ...ctx.counters,
    points: all.length,
    selected: selected.length,
    invalid: 0,
    computed: 0,
    cached: 0,
    resumed: 0,
    failed: 0,
    verifyFailed: 0,
  };

  const byId = new Map<string, PointResult>();
  const planned: PlannedPoint[] = [];
  for (const d of selected) {
    if (!d.spec) {
      byId.set(d.id, invalidResult(d));
      counters.invalid++;
      continue;
    }
    try {
      const emitted = emitAccelerator(d.spec);
      const hash = rtlHash(emitted);
      planned.push({ def: d as PlannedPoint['def'], emitted, units: rtlUnits(emitted), rtlHash: hash, key: pointKey(ctx, d.spec, hash) });
    } catch (e) {
      byId.set(d.id, failedResult(d, e));
      counters.failed++;
    }
  }

  await mkdir(outDir, { recursive: true });
  const hash = gridHash(grid, workloads, steps);
  await writeFileAtomic(
    join(outDir, 'sweep.json'),
    `${JSON.stringify(
      {
        format: RUN_FORMAT,
        name: grid.name,
        grid: displayPath(grid.source),
        gridHash: hash,
        totalPoints: all.length,
        shard: opts.shard ?? null,
        points: selected.map((d) => d.id),
        steps,
      },
      null,
      1,
    )}\n`,
  );
  const journalFile = join(outDir, 'points.jsonl');
  const journal = await readJournal(journalFile);
  const cache = new JsonCache(join(cacheRoot, 'sweep', 'points'));
  const runInfo = new Map<string, { source: 'computed' | 'cache' | 'resumed'; elapsedMs: number }>();
  const todo: PlannedPoint[] = [];
  const journalLines: string[] = [];
  for (const p of planned) {
    const resumed = journal.get(p.key);
    if (resumed) {
      byId.set(p.def.id, { ...resumed, id: p.def.id, index: p.def.index, params: p.def.params });
      runInfo.set(p.def.id, { source: 'resumed', elapsedMs: 0 });
      counters.resumed++;
      continue;
    }
    const hit = opts.useCache === false ? undefined : await cache.get<PointResult>(p.key);
    if (hit) {
      const r = { ...hit, id: p.def.id, index: p.def.index, params: p.def.params };
      byId.set(p.def.id, r);
      runInfo.set(p.def.id, { source: 'cache', elapsedMs: 0 });
      counters.cached++;
      // The output folder holds everything it reports, even what came from the cache.
      journalLines.push(JSON.stringify({ result: r, source: 'cache' }));
      continue;
    }
    todo.push(p);
  }
  if (journalLines.length > 0) await appendFile(journalFile, `${journalLines.join('\n')}\n`);

  const progress = new Progress(opts.stream ?? process.stdout, opts.progress ?? 'auto', selected.length, todo.length, jobs);
  progress.skip(selected.length - todo.length);
  const signal = opts.signal;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < todo.length && !signal?.aborted) {
      const p = todo[next++]!;
      const started = performance.now();
      progress.draw(p.def.id);
      let r: PointResult;
      try {
        r = await evaluatePoint(ctx, p);
      } catch (e) {
        // Tools killed by the interruption fail; those points were not evaluated.
        if (signal?.aborted) return;
        r = failedResult(p.def, e, p.key);
      }
      const ms = performance.now() - started;
      byId.set(r.id, r);
      runInfo.set(r.id, { source: 'computed', elapsedMs: Math.round(ms) });
      counters.computed++;
      if (r.status === 'failed') counters.failed++;
      else await cache.put(p.key, r);
      await appendFile(journalFile, `${JSON.stringify({ result: r, source: 'computed', elapsedMs: Math.round(ms) })}\n`);
      progress.finished(r, ms);
    }
  };
  const pool = Promise.all(Array.from({ length: Math.min(jobs, Math.max(1, todo.length)) }, worker));
  const interruptedBy = new Promise<'interrupted'>((res) => {
    if (signal?.aborted) res('interrupted');
    signal?.addEventListener('abort', () => res('interrupted'), { once: true });
  });
  const outcome = await Promise.race([pool.then(() => 'done' as const), interruptedBy]);
  progress.end();
  const interrupted = outcome === 'interrupted' && selected.some((d) => !byId.has(d.id));
  Object.assign(counters, ctx.counters);

  const points = selected.filter((d) => byId.has(d.id)).map((d) => byId.get(d.id)!);
  for (const p of points) {
    for (const o of Object.values(p.workloads)) if (o.verify?.status === 'fail') counters.verifyFailed++;
  }
  const results: SweepResults = {
    format: RESULTS_FORMAT,
    name: grid.name,
    grid: displayPath(grid.source),
    gridHash: hash,
    generator: { name: GENERATOR_NAME, version: GENERATOR_VERSION },
    cycleModel: cycleModelSummary(points),
    base: grid.baseLabel,
    parameters: variedPaths(grid),
    steps,
    workloads: workloadSummaries(workloads),
    totalPoints: all.length,
    ...(opts.shard ? { shard: opts.shard } : {}),
    missing: selected.filter((d) => !byId.has(d.id)).map((d) => d.id),
    points,
    pareto: computePareto(points, workloads.map((w) => w.name)),
    paretoTime: computePareto(points, workloads.map((w) => w.name), 'time'),
  };
  const files = await writeOutputs({ outDir, results });
  const wallMs = performance.now() - t0;
  const runFile = join(outDir, 'run.json');
  await writeFileAtomic(
    runFile,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        cores: os.availableParallelism(),
        jobs,
        cacheRoot,
        wallMs: Math.round(wallMs),
        interrupted,
        counters,
        points: selected.filter((d) => runInfo.has(d.id)).map((d) => ({ id: d.id, ...runInfo.get(d.id)! })),
      },
      null,
      1,
    )}\n`,
  );
  return { results, counters, wallMs, interrupted, outDir, files: [...files, runFile, journalFile] };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
