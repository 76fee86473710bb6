// Content-addressed caches of a sweep. Every entry is a JSON file named by the hash of
// everything its contents depend on, written atomically (temp file + rename), so concurrent
// sweeps — shards on a cluster sharing the project folder — can read and fill the same cache
// without locks: two writers of one key write the same bytes.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalJson } from '../dsl/derive/index.ts';
import { PROJECT_ROOT } from '../emit/render.ts';
import { writeFileAtomic } from '../io/files.ts';

/** Bump when the meaning of a cached point changes (result layout, how resources are summed, …). */
export const SWEEP_CACHE_VERSION = 4;

export function defaultCacheRoot(): string {
  return process.env.SPARSEFORGE_CACHE ?? join(PROJECT_ROOT, '.cache');
}

export function sha256(...parts: (string | Uint8Array)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
}

export function hashJson(v: unknown): string {
  return sha256(canonicalJson(v));
}

let sourceHash: Promise<string> | undefined;

/** Folders whose code decides a point's predictions: the golden and cycle models, and the host
 * driver's tiling and case checks (which runs the cycle model replays, what a point supports). */
// generator/prune: a sparse point runs its workloads pruned (sweep/sparsity.ts).
const PREDICTION_SOURCES = [join('generator', 'model'), join('generator', 'sim', 'accel'), join('generator', 'prune')];

/**
 * Hash of the sources behind cached layer statistics and cycle predictions: they are only reused
 * while that code is unchanged.
 */
export function modelSourceHash(): Promise<string> {
  sourceHash ??= (async () => {
    const h = createHash('sha256');
    for (const rel of PREDICTION_SOURCES) {
      const dir = join(PROJECT_ROOT, rel);
      const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.ts')).sort();
      for (const f of files) h.update(join(rel, f)).update('\0').update(await readFile(join(dir, f))).update('\0');
    }
    return h.digest('hex');
  })();
  return sourceHash;
}

export class JsonCache {
  constructor(readonly dir: string) {}

  file(key: string): string {
    return join(this.dir, `${key}.json`);
  }

  async get<T>(key: string): Promise<T | undefined> {
    try {
      return JSON.parse(await readFile(this.file(key), 'utf8')) as T;
    } catch {
      // Missing, or a torn file from a crashed writer on a filesystem without atomic rename.
      return undefined;
    }
  }

  async put(key: string, value: unknown): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeFileAtomic(this.file(key), `${JSON.stringify(value)}\n`);
  }
}
