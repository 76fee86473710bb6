// Shared plumbing of the robustness suites: the fast-check seed (fixed, so CI is deterministic;
// SPARSEFORGE_FUZZ_SEED explores another one), scratch folders under .cache/robustness, the CLI,
// and the one assertion every fuzzer makes about a rejection: a FieldError with a one-line
// message that names a field, never another exception type or a stack trace.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import type fc from 'fast-check';
import { expect } from 'vitest';
import { PROJECT_ROOT } from '../../generator/emit/render.ts';
import { FieldError } from '../../generator/model/errors.ts';

export { PROJECT_ROOT };

/** The fast-check seed of every property in test/robustness (printed in every failure report). */
export const FUZZ_SEED = Number(process.env.SPARSEFORGE_FUZZ_SEED ?? 20_240_601);
if (!Number.isSafeInteger(FUZZ_SEED)) throw new Error(`SPARSEFORGE_FUZZ_SEED must be an integer, got ${process.env.SPARSEFORGE_FUZZ_SEED}`);

/**
 * fast-check parameters: the fixed seed, offset per property so that two properties do not draw
 * the same sequence, and a deliberate run count. A failure report names seed and path.
 */
export function fcParams<T>(salt: number, numRuns: number): fc.Parameters<T> {
  return { seed: FUZZ_SEED + salt, numRuns, endOnFailure: false, verbose: 1 };
}

export const ROBUSTNESS_ROOT = join(PROJECT_ROOT, '.cache', 'robustness');

/** A fresh scratch folder under .cache/robustness (removed by `cleanup`). */
export function scratchDir(prefix: string): { dir: string; cleanup: () => void } {
  mkdirSync(ROBUSTNESS_ROOT, { recursive: true });
  const dir = mkdtempSync(join(ROBUSTNESS_ROOT, `${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const BIN = join(PROJECT_ROOT, 'bin', 'sparseforge');

/** One CLI invocation (about a second: tsx start-up). Times out instead of hanging. */
export function runCli(args: string[], cwd: string = PROJECT_ROOT) {
  return execa(BIN, args, { cwd, reject: false, timeout: 60_000, env: { SPARSEFORGE_DEBUG: '' } });
}

/** Every file under `dir`, relative and `/`-separated, sorted; [] when `dir` does not exist. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(dir, p).split('\\').join('/'));
    }
  };
  try {
    if (statSync(dir).isDirectory()) walk(dir);
  } catch {
    return [];
  }
  return out.sort();
}

/** `fn`'s outcome: its value, or what it threw. */
export function outcome<T>(fn: () => T): { ok: true; value: T } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

export async function outcomeAsync<T>(fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** What an error looks like in a failure message (type and first lines). */
export function describeThrown(e: unknown): string {
  if (e instanceof Error) return `${e.constructor.name}: ${(e.stack ?? e.message).split('\n').slice(0, 4).join(' | ')}`;
  return `non-Error thrown: ${String(e)}`;
}

/**
 * `e` is a FieldError with a usable message: one line, no stack frames, `field: rule` (possibly
 * after a file prefix), a non-empty field. Returns it typed.
 */
export function expectFieldError(e: unknown, context: string): FieldError {
  if (!(e instanceof FieldError)) {
    throw new Error(`${context}: expected a FieldError, got ${describeThrown(e)}`);
  }
  expect(e.field, `${context}: empty field in ${JSON.stringify(e.message)}`).not.toBe('');
  expect(e.message, `${context}: multi-line message`).not.toMatch(/[\n\r]/);
  // eslint-disable-next-line no-control-regex
  expect(e.message, `${context}: control character in the message`).not.toMatch(/[\x00-\x1f]/);
  expect(e.message, `${context}: stack frame in the message`).not.toMatch(/\bat .+:\d+:\d+/);
  expect(e.message.includes(`${e.field}: ${e.rule}`), `${context}: message ${JSON.stringify(e.message)} is not "[file: ]<field>: <rule>[ (and N more: …)]"`).toBe(true);
  expect(e.rule.trim(), `${context}: empty rule`).not.toBe('');
  return e;
}

/** A CLI run that was refused for bad input: exit 2 and exactly one `sparseforge: …` line on stderr. */
export function expectCliRefusal(r: { exitCode?: number; stderr: unknown; stdout: unknown; timedOut?: boolean }, context: string): string {
  const stderr = String(r.stderr);
  expect(r.timedOut ?? false, `${context}: the command hung`).toBe(false);
  expect(r.exitCode, `${context}: exit code (stderr ${JSON.stringify(stderr)})`).toBe(2);
  expect(stderr, `${context}: stderr must be one line`).toMatch(/^sparseforge: [^\n]+\n?$/);
  expect(stderr).not.toMatch(/\bat .+:\d+:\d+/);
  return stderr.replace(/\n$/, '');
}

/** A path into a JSON document: object keys and array indices. */
export type Path = (string | number)[];

/** Every path in `doc`, parents before children (the places a fuzzer may edit). */
export function paths(doc: unknown, at: Path = [], out: Path[] = []): Path[] {
  if (Array.isArray(doc)) doc.forEach((v, i) => (out.push([...at, i]), paths(v, [...at, i], out)));
  else if (typeof doc === 'object' && doc !== null) for (const [k, v] of Object.entries(doc)) (out.push([...at, k]), paths(v, [...at, k], out));
  return out;
}

/** The object or array that holds the last key of `p`, if the path still leads there. */
export function parentOf(doc: unknown, p: Path): Record<string | number, unknown> | undefined {
  let o: unknown = doc;
  for (const k of p.slice(0, -1)) {
    if (typeof o !== 'object' || o === null) return undefined;
    o = (o as Record<string | number, unknown>)[k];
  }
  return typeof o === 'object' && o !== null ? (o as Record<string | number, unknown>) : undefined;
}
