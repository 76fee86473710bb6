// `sparseforge prune` through the real executable (each spawn ≈ 0.7 s, so few invocations).
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { findNmViolation } from '../../generator/model/index.ts';
import { readLayerCaseFile } from '../../generator/io/layer-case.ts';
import { submanifoldDoc, tempDir } from '../io/cases.ts';
import { pruneWeights } from '../../generator/prune/prune.ts';
import { readNetworkFile, serializeNetwork } from '../../generator/io/network.ts';
import { serializeTensor } from '../../generator/io/tensor.ts';
import { tinyInput, tinyUNet } from '../network/nets.ts';

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

  it('prunes chosen nodes of a network file; sensitivity reports every layer as JSON', async () => {
    writeFileSync(join(t.dir, 'net.json'), serializeNetwork(tinyUNet()));
    writeFileSync(join(t.dir, 'in.json'), serializeTensor(tinyInput()));
    const r = await run('prune', 'net.json', '--pattern', '1:4', '--layers', 'branch', 'head', '-o', 'net14.json');
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^  branch {2}\d+ of \d+ non-zero weights zeroed/);
    expect(r.stdout).toContain('net14.json: 1:4 network tiny-unet, 2 conv nodes pruned');
    const net = await readNetworkFile(join(t.dir, 'net14.json'));
    for (const n of net.nodes) {
      if (n.op !== 'conv') continue;
      const v = findNmViolation(n.weights, { n: 1, m: 4 });
      if (n.name === 'branch' || n.name === 'head') expect(v, n.name).toBeUndefined();
      else if (n.name !== 'stem') expect(v, n.name).toBeDefined();
    }
    const bad = await run('prune', 'net.json', '--pattern', '1:4', '--layers', 'cat', '-o', 'x.json');
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--layers: "cat" is not a conv node of network tiny-unet');

    const s = await run('sensitivity', 'net.json', '--input', 'in.json', '--pattern', '2:4', '--preset', 'tiny', '--json');
    expect(s.exitCode).toBe(0);
    const doc = JSON.parse(s.stdout);
    expect(doc.rows.map((x: { layer: string }) => x.layer)).toEqual(['stem', 'down', 'up', 'branch', 'head', 'all']);
    expect(doc.rows[0].sqnrDb).toBeNull(); // identical: Infinity is written as null
    expect(doc.spec).toEqual({ dense: 'sf_tiny_dense', sparse: 'sf_tiny_2of4' });
  });
});
