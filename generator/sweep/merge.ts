// `sweep merge`: combine the output folders of the shards of one sweep into one result. The
// shards must come from the same grid (same grid hash: parameters, workload contents, steps);
// each point must appear once (or identically more than once, e.g. a shard run twice). The
// merged files are what the unsharded run writes.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FieldError } from '../model/errors.ts';
import { canonicalJson } from '../dsl/derive/index.ts';
import { computePareto, cycleModelSummary, RESULTS_FORMAT, type PointResult, type SweepResults } from './results.ts';
import { writeOutputs } from './run.ts';

export interface MergeResult {
  results: SweepResults;
  files: string[];
  /** Points of the grid that no shard has. */
  missing: string[];
  shards: number;
  /** `i/N` of shards not among the folders (when the folders are shards of N). */
  missingShards: string[];
}

async function readResults(dir: string): Promise<SweepResults> {
  const file = join(resolve(dir), 'results.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new FieldError(dir, 'has no results.json (is it the --out folder of a sweep?)');
  }
  let r: SweepResults;
  try {
    r = JSON.parse(text) as SweepResults;
  } catch (e) {
    throw new FieldError(file, `not valid JSON: ${(e as Error).message}`);
  }
  if (r.format !== RESULTS_FORMAT) throw new FieldError(`${file}: format`, `expected ${JSON.stringify(RESULTS_FORMAT)}, got ${JSON.stringify(r.format)}`);
  return r;
}

export async function mergeSweeps(dirs: string[], outDir: string): Promise<MergeResult> {
  if (dirs.length === 0) throw new FieldError('DIR', 'give the output folders of the shards to merge');
  const parts = await Promise.all(dirs.map(readResults));
  const first = parts[0]!;
  parts.forEach((p, i) => {
    if (p.gridHash !== first.gridHash) {
      throw new FieldError(dirs[i]!, `comes from a different sweep than ${dirs[0]} (grid hash ${p.gridHash.slice(0, 12)} vs ${first.gridHash.slice(0, 12)}: parameters, workloads or steps differ)`);
    }
  });
  const byIndex = new Map<number, { p: PointResult; from: string }>();
  parts.forEach((part, i) => {
    for (const p of part.points) {
      const seen = byIndex.get(p.index);
      if (seen && canonicalJson(seen.p) !== canonicalJson(p)) {
        throw new FieldError(dirs[i]!, `point ${p.id} differs from the one in ${seen.from}`);
      }
      byIndex.set(p.index, { p, from: dirs[i]! });
    }
  });
  const total = first.totalPoints;
  const points = [...byIndex.values()].map((x) => x.p).sort((a, b) => a.index - b.index);
  const width = Math.max(4, String(total).length);
  const idOf = (i: number) => `p${String(i + 1).padStart(width, '0')}`;
  const missing: string[] = [];
  for (let i = 0; i < total; i++) if (!byIndex.has(i)) missing.push(idOf(i));
  const count = first.shard?.count;
  const given = new Set(parts.map((p) => p.shard?.index));
  const missingShards = count && parts.every((p) => p.shard?.count === count) ? Array.from({ length: count }, (_, i) => i + 1).filter((i) => !given.has(i)).map((i) => `${i}/${count}`) : [];
  const { shard: _s, ...common } = first;
  const results: SweepResults = {
    ...common,
    cycleModel: cycleModelSummary(points),
    missing,
    points,
    pareto: computePareto(points, first.workloads.map((w) => w.name)),
    paretoTime: computePareto(points, first.workloads.map((w) => w.name), 'time'),
  };
  const files = await writeOutputs({ outDir: resolve(outDir), results });
  return { results, files, missing, shards: parts.length, missingShards };
}
