// `sparseforge prune` through the real executable (each spawn ≈ 0.7 s, so few invocations).
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { findNmViolation } from '../../generator/model/index.ts';
import { readLayerCaseFile } from '../../generator/io/layer-case.ts';
import { submanifoldDoc, tempDir } from '../io/cases.ts';
import { pruneWeights } from '../../generator/prune/prune.ts';

const BIN = join(import.meta.dirname, '../../bin/sparseforge');
const t = tempDir('sparseforge-prune-');
afterAll(t.cleanup);
const run = (...args: string[]) => execa(BIN, args, { cwd: t.dir, reject: false });

describe('sparseforge prune', () => {
  it('prunes a layer case to 1:2 and names bad patterns', async () => {
    const doc = submanifoldDoc();
    writeFileSync(join(t.dir, 'c.json'), JSON.stringify(doc));
    const r = await run('prune', 'c.json', '--pattern', '1:2', '-o', 'p.json');
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const p = await readLayerCaseFile(join(t.dir, 'p.json'));
    expect(findNmViolation(p.weights, { n: 1, m: 2 })).toBeUndefined();
    const want = pruneWeights(doc.weights, { n: 1, m: 2 });
    expect(p.weights).toEqual(JSON.parse(JSON.stringify(want.weights)));
    expect(r.stdout).toBe(`p.json: 1:2 layer case, ${want.count.zeroed} of ${want.count.nonZerosBefore} non-zero weights zeroed (162 weights, ${want.count.nonZerosBefore - want.count.zeroed} non-zero left, density ${((want.count.nonZerosBefore - want.count.zeroed) / 162).toFixed(3)})\n`.trimEnd());
    expect(p.input).toEqual(doc.input);

    const bad = await run('prune', 'c.json', '--pattern', '2:6', '-o', 'q.json');
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toBe('sparseforge: --pattern: must be an N:M pattern with 1 ≤ N < M and M a power of two ≤ 8 (e.g. 2:4, 1:4), got "2:6"');
    const layers = await run('prune', 'c.json', '--pattern', '2:4', '--layers', 'x', '-o', 'q.json');
    expect(layers.exitCode).toBe(2);
    expect(layers.stderr).toContain('--layers: applies to network files only');
  });
});
