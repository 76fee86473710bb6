// File plumbing shared by the readers and writers: reading with one-line errors, JSON parsing
// that reports where the syntax breaks, and atomic writes (temp file in the same folder, then
// rename) so that a failed write never leaves a partial output file behind.
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { FieldError } from '../model/index.ts';

/** Read a whole file; a missing or unreadable file is a FieldError naming the path. */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (e) {
    throw readError(path, e);
  }
}

export async function readFileText(path: string): Promise<string> {
  const bytes = await readFileBytes(path);
  return new TextDecoder('utf-8').decode(bytes);
}

/** Read and parse a JSON file; syntax errors give the line and column. */
export async function readJsonFile(path: string): Promise<unknown> {
  return parseJsonText(await readFileText(path), path);
}

/** `JSON.parse` whose error names the source and the line/column where the syntax breaks. */
export function parseJsonText(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    let where = '';
    let reason = e instanceof Error ? e.message : String(e);
    try {
      const found = locateJsonError(text);
      if (found) {
        const { line, column } = lineColumn(text, found.offset);
        where = ` at line ${line}, column ${column}`;
        reason = found.reason;
      }
    } catch {
      // Pathologically nested input: keep JSON.parse's own message.
    }
    throw new FieldError(source, `invalid JSON${where}: ${reason}`);
  }
}

/** Run `fn` (a parser); prefix any FieldError it throws with the file it came from. */
export function inFile<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof FieldError) {
      const err = new FieldError(e.field, e.rule);
      err.message = `${path}: ${e.message}`;
      throw err;
    }
    throw e;
  }
}

/**
 * Write `data` to `path` atomically: the bytes go to a fresh temp file beside the target, are
 * flushed, and the temp file is renamed over the target. On any failure the temp file is removed
 * and the target is untouched.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const target = resolve(path);
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  try {
    fh = await open(tmp, 'wx', 0o644);
    await fh.writeFile(data);
    await fh.sync();
    await fh.close();
    fh = undefined;
    await rename(tmp, target);
  } catch (e) {
    if (fh) await fh.close().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    throw writeError(path, e);
  }
}

function errnoCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
}

function readError(path: string, e: unknown): Error {
  switch (errnoCode(e)) {
    case 'ENOENT':
      return new FieldError(path, 'no such file');
    case 'EISDIR':
      return new FieldError(path, 'is a directory, not a file');
    case 'EACCES':
    case 'EPERM':
      return new FieldError(path, 'permission denied');
    default:
      return new Error(`cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function writeError(path: string, e: unknown): Error {
  switch (errnoCode(e)) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new FieldError(path, `cannot write: folder ${dirname(path)} does not exist`);
    case 'EISDIR':
      return new FieldError(path, 'cannot write: is a directory');
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new FieldError(path, 'cannot write: permission denied');
    default:
      return new Error(`cannot write ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * A strict JSON syntax scanner used only after JSON.parse failed (Node's messages do not always
 * carry a position). Returns the offset of the first error and what was expected there.
 */
export function locateJsonError(text: string): { offset: number; reason: string } | undefined {
  let i = 0;
  const n = text.length;
  class Stop {
    constructor(
      readonly offset: number,
      readonly reason: string,
    ) {}
  }
  const fail = (reason: string): never => {
    throw new Stop(i, i >= n ? 'unexpected end of input' : `${reason}, found ${JSON.stringify(text[i])}`);
  };
  const ws = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const literal = (word: string) => {
    for (let k = 0; k < word.length; k++) {
      if (text[i] !== word[k]) fail(`expected ${word}`);
      i++;
    }
  };
  const digits = () => {
    const start = i;
    while (i < n && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
    if (i === start) fail('expected a digit');
  };
  const number = () => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else digits();
    if (text[i] === '.') {
      i++;
      digits();
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      digits();
    }
  };
  const string = () => {
    i++; // opening quote
    for (;;) {
      if (i >= n) fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return;
      }
      if (c < 32) fail('control character in string');
      if (c === 92) {
        i++;
        const e = text[i];
        if (e === 'u') {
          i++;
          for (let k = 0; k < 4; k++) {
            if (!/[0-9a-fA-F]/.test(text[i] ?? '')) fail('expected a hex digit');
            i++;
          }
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i++;
        else fail('invalid escape');
      } else i++;
    }
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a property name in double quotes');
        string();
        ws();
        if (text[i] !== ':') fail("expected ':'");
        i++;
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail("expected ',' or '}'");
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail("expected ',' or ']'");
      }
    } else if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) number();
    else fail('expected a value');
  };
  try {
    if (text.charCodeAt(0) === 0xfeff) i = 1;
    value();
    ws();
    if (i < n) fail('unexpected data after the JSON value');
    return undefined;
  } catch (e) {
    if (e instanceof Stop) return { offset: e.offset, reason: e.reason };
    throw e;
  }
}
