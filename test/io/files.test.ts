import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lineColumn, locateJsonError, parseJsonText, writeFileAtomic } from '../../generator/io/files.ts';
import { tempDir } from './cases.ts';

describe('JSON errors', () => {
  it('locates the first syntax error', () => {
    const cases: [string, number, RegExp][] = [
      ['{"a": 1,}', 8, /property name/],
      ['[1, 2', 5, /unexpected end of input/],
      ['{"a" 1}', 5, /expected ':'/],
      ['[1 2]', 3, /expected ',' or ']'/],
      ['{"a": tru}', 9, /expected true, found "}"/],
      ['[01]', 2, /expected ',' or ']'/],
      ['"a\u0001"', 2, /control character/],
      ['{} x', 3, /unexpected data after the JSON value/],
      ['[-]', 2, /expected a digit/],
    ];
    for (const [text, offset, reason] of cases) {
      expect(() => JSON.parse(text), text).toThrow();
      const found = locateJsonError(text);
      expect(found?.offset, text).toBe(offset);
      expect(found?.reason, text).toMatch(reason);
    }
    expect(locateJsonError('{"a": [1, -2.5e3, true, null, "x\\u00e9"]}')).toBeUndefined();
    expect(lineColumn('ab\ncd\nef', 7)).toEqual({ line: 3, column: 2 });
    expect(() => parseJsonText('{\n  "a": [1,\n  ]\n}', 'x.json')).toThrow('x.json: invalid JSON at line 3, column 3: expected a value, found "]"');
  });
});

describe('writeFileAtomic', () => {
  const t = tempDir();
  afterAll(t.cleanup);

  it('replaces the target in one step and leaves no temp file', async () => {
    const p = join(t.dir, 'out.txt');
    writeFileSync(p, 'old');
    await writeFileAtomic(p, 'new');
    expect(readFileSync(p, 'utf8')).toBe('new');
    expect(readdirSync(t.dir)).toEqual(['out.txt']);
  });

  it('keeps the old file and removes the temp file when renaming fails', async () => {
    const sub = join(t.dir, 'taken');
    await writeFileAtomic(join(t.dir, 'x'), 'x');
    // A directory in the way of the rename.
    const { mkdirSync } = await import('node:fs');
    mkdirSync(sub);
    writeFileSync(join(sub, 'keep'), '1');
    await expect(writeFileAtomic(sub, 'data')).rejects.toThrow(/taken: cannot write: is a directory/);
    expect(readdirSync(t.dir).sort()).toEqual(['out.txt', 'taken', 'x']);
  });
});
