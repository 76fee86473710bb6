// Bad layer cases and PLY files through the real executable (`golden`, `case --ply`): a non-zero
// exit (2: bad input), exactly one line on stderr that equals the library's message, and no
// output file (partial or temporary) left in the output folder. Each invocation costs about a
// second (tsx start-up), so there are few, run two at a time.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { readPlyFile, writePlyAscii, writePlyBinary } from '../../generator/io/ply.ts';
import { readLayerCaseFile, serializeLayerCase, parseLayerCase } from '../../generator/io/layer-case.ts';
import { transposedDoc } from '../io/cases.ts';
import { expectCliRefusal, expectFieldError, FUZZ_SEED, listFiles, outcomeAsync, runCli, scratchDir } from './helpers.ts';
import { pool } from '../../generator/emit/lint.ts';

const scratch = scratchDir('io-cli');
afterAll(scratch.cleanup);

interface Job {
  name: string;
  /** Input file name → contents. */
  input: { file: string; data: string | Uint8Array };
  args: (input: string, out: string) => string[];
  /** The library call whose error the CLI must print. */
  library: (input: string) => Promise<unknown>;
}


/** Runs a refused job: one line equal to the library message, exit 2, empty output folder. */
async function refused(job: Job): Promise<string> {
  const input = join(scratch.dir, job.input.file);
  writeFileSync(input, job.input.data);
  const lib = await outcomeAsync(() => job.library(input));
  if (lib.ok) throw new Error(`${job.name}: the library accepted the input`);
  const err = expectFieldError(lib.error, job.name);
  const out = join(scratch.dir, `out-${job.name}`);
  mkdirSync(out, { recursive: true });
  const r = await runCli(job.args(input, join(out, 'result.json')), scratch.dir);
  const line = expectCliRefusal(r, job.name);
  expect(line, job.name).toBe(`sparseforge: ${err.message}`);
  expect(listFiles(out), `${job.name}: files left in the output folder`).toEqual([]);
  return line;
}

const validCase = serializeLayerCase(parseLayerCase(transposedDoc()));
const golden = (input: string, out: string) => ['golden', input, '-o', out];
const casePly = (input: string, out: string) => ['case', '--ply', input, '--voxel', '0.5', '--layer', 'submanifold', '--kernel', '3', '--cin', '2', '--cout', '2', '--seed', '1', '-o', out];

describe('golden and case --ply refuse bad input cleanly', () => {
  it('bad layer cases and bad PLY files: exit 2, one line, nothing written', async () => {
    // The first rejected draw of the fuzzer's kind of mutation: a random field retyped.
    const doc = JSON.parse(validCase) as Record<string, unknown>;
    const [retype] = fc.sample(fc.tuple(fc.constantFrom('layer', 'input', 'weights', 'outputCoords'), fc.constantFrom<unknown>('x', 7, null, [[1]])), { seed: FUZZ_SEED, numRuns: 1 });
    doc[retype![0]] = retype![1];
    const pts = Float64Array.from([0, 0, 0, 1.5, 2.5, -3.5, 4, 4, 4]);
    const binary = writePlyBinary(pts);
    const hugeCount = new TextDecoder('latin1').decode(writePlyAscii(pts)).replace('element vertex 3', 'element vertex 99999999999999');
    const jobs: Job[] = [
      { name: 'truncated-case', input: { file: 'truncated.json', data: validCase.slice(0, 200) }, args: golden, library: readLayerCaseFile },
      { name: 'retyped-case', input: { file: 'retyped.json', data: JSON.stringify(doc) }, args: golden, library: readLayerCaseFile },
      { name: 'truncated-ply', input: { file: 'truncated.ply', data: binary.subarray(0, binary.length - 5) }, args: casePly, library: readPlyFile },
      // Was a RangeError (exit 1, "Invalid typed array length").
      { name: 'huge-count-ply', input: { file: 'huge.ply', data: hugeCount }, args: casePly, library: readPlyFile },
    ];
    const lines = await pool(jobs, 2, refused);
    expect(lines[0]).toMatch(/truncated\.json: invalid JSON at line \d+, column \d+: unexpected end of input$/);
    expect(lines[1]).toMatch(new RegExp(`retyped\\.json: ${retype![0]}: `));
    expect(lines[2]).toMatch(/truncated\.ply: vertex 2: truncated binary data$/);
    expect(lines[3]).toMatch(/huge\.ply: vertex 3: unexpected end of file/);
  }, 120_000);

  it('a write that fails leaves no temporary file; a pathological PLY element does not hang', async () => {
    const outDir = join(scratch.dir, 'write-fails');
    mkdirSync(join(outDir, 'result.json'), { recursive: true });
    const input = join(scratch.dir, 'valid.json');
    writeFileSync(input, validCase);
    // An element without properties and a huge count (binary): it used to loop 10^15 times.
    const pts = Float64Array.from([0.25, 0.5, 0.75]);
    const ply = new TextDecoder('latin1').decode(writePlyBinary(pts)).replace('end_header', 'element marker 999999999999999\nend_header');
    const plyFile = join(scratch.dir, 'marker.ply');
    writeFileSync(plyFile, Uint8Array.from(ply, (c) => c.charCodeAt(0)));
    expect(await readPlyFile(plyFile)).toEqual(Float64Array.from([0.25, 0.5, 0.75]));
    const plyOut = join(scratch.dir, 'out-marker');
    mkdirSync(plyOut);
    const [w, p] = await Promise.all([
      runCli(['golden', input, '-o', join(outDir, 'result.json')], scratch.dir),
      runCli(casePly(plyFile, join(plyOut, 'case.json')), scratch.dir),
    ]);
    const line = expectCliRefusal(w, 'golden -o <a directory>');
    expect(line).toMatch(/result\.json: cannot write: is a directory$/);
    expect(listFiles(outDir)).toEqual([]);
    expect(p.timedOut).toBe(false);
    expect(String(p.stderr)).toBe('');
    expect(p.exitCode).toBe(0);
    expect(listFiles(plyOut)).toEqual(['case.json']);
    expect(parseLayerCase(JSON.parse(readFileSync(join(plyOut, 'case.json'), 'utf8'))).input.coords).toEqual([[0, 0, 1, 1]]);
  }, 120_000);
});
