// Writing an emission to disk. Every path must stay inside the output folder (a file list is
// data, and data can be wrong); each file is written to a temporary sibling and renamed, so a
// reader (a running simulation, an FPGA flow) never sees half a file. Files that a previous
// generation listed in its manifest and this one no longer emits are removed, so a committed
// output folder never keeps a stale module.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve, sep } from 'node:path';
import type { EmittedFile } from './index.ts';
import { MANIFEST_FORMAT } from './artifacts.ts';

export interface WriteResult {
  outDir: string;
  written: string[];
  unchanged: string[];
  removed: string[];
}

export class PathEscapeError extends Error {}

/** The absolute target of `rel` inside `outDir`; throws PathEscapeError if it would leave it. */
export function safeJoin(outDir: string, rel: string): string {
  const root = resolve(outDir);
  if (rel === '' || rel.includes('\0') || rel.includes('\\') || isAbsolute(rel) || /^[A-Za-z]:/.test(rel)) {
    throw new PathEscapeError(`refusing to write ${JSON.stringify(rel)}: not a relative path inside ${root}`);
  }
  if (rel.split('/').some((seg) => seg === '..' || seg === '.' || seg === '')) {
    throw new PathEscapeError(`refusing to write ${JSON.stringify(rel)}: path segments '', '.' and '..' are not allowed`);
  }
  const target = resolve(root, rel);
  if (!target.startsWith(root + sep)) throw new PathEscapeError(`refusing to write ${JSON.stringify(rel)}: outside ${root}`);
  return target;
}

async function readOrNull(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

async function previousFiles(outDir: string): Promise<string[]> {
  const text = await readOrNull(resolve(outDir, 'manifest.json'));
  if (text === null) return [];
  try {
    const m = JSON.parse(text) as { format?: unknown; files?: unknown };
    if (m.format !== MANIFEST_FORMAT || !Array.isArray(m.files)) return [];
    return m.files.filter((f): f is string => typeof f === 'string');
  } catch {
    return [];
  }
}

export async function writeEmitted(files: EmittedFile[], outDir: string): Promise<WriteResult> {
  const root = resolve(outDir);
  // Check every path before touching the disk: a bad list writes nothing.
  const targets = files.map((f) => ({ file: f, target: safeJoin(root, f.path) }));
  const seen = new Set<string>();
  for (const { file } of targets) {
    if (seen.has(file.path)) throw new Error(`duplicate output path ${file.path}`);
    seen.add(file.path);
  }
  const before = await previousFiles(root);
  await mkdir(root, { recursive: true });
  const result: WriteResult = { outDir: root, written: [], unchanged: [], removed: [] };
  for (const { file, target } of targets) {
    if ((await readOrNull(target)) === file.contents) {
      result.unchanged.push(file.path);
      continue;
    }
    await mkdir(dirname(target), { recursive: true });
    const tmp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, file.contents);
      await rename(tmp, target);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    result.written.push(file.path);
  }
  for (const old of before) {
    if (seen.has(old)) continue;
    let target: string;
    try {
      target = safeJoin(root, old);
    } catch {
      continue; // a tampered manifest cannot make us delete outside the folder
    }
    await rm(target, { force: true });
    result.removed.push(old);
  }
  return result;
}

export interface CompareResult {
  /** Emitted but not on disk. */
  missing: string[];
  /** On disk with other contents. */
  different: string[];
  /** Listed by the manifest on disk but no longer emitted. */
  extra: string[];
}

/** How an output folder differs from an emission (for `generate --check` and staleness tests). */
export async function compareEmitted(files: EmittedFile[], outDir: string): Promise<CompareResult> {
  const root = resolve(outDir);
  const res: CompareResult = { missing: [], different: [], extra: [] };
  const emitted = new Set(files.map((f) => f.path));
  for (const f of files) {
    const on = await readOrNull(safeJoin(root, f.path));
    if (on === null) res.missing.push(f.path);
    else if (on !== f.contents) res.different.push(f.path);
  }
  for (const old of await previousFiles(root)) if (!emitted.has(old)) res.extra.push(old);
  return res;
}
