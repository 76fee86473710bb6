// Setup mistakes and malformed files at every CLI entry point (issue 12, item 4): the executable
// run before `npm ci` (no node_modules, or one without a dependency) prints one line naming the
// README's setup command; every command that reads a file, on every kind of malformed file the
// test suites use, exits 2 with one line on stderr and no stack trace.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { pool } from '../../generator/emit/lint.ts';
import { afterAll, describe, expect, it } from 'vitest';
import { writePlyAscii, writePlyBinary } from '../../generator/io/ply.ts';
import { parseLayerCase, serializeLayerCase } from '../../generator/io/layer-case.ts';
import { serializeNetwork } from '../../generator/io/network.ts';
import { serializeTensor } from '../../generator/io/tensor.ts';
import { transposedDoc } from '../io/cases.ts';
import { tinyInput, tinyUNet } from '../network/nets.ts';
import { expectCliRefusal, PROJECT_ROOT, runCli, scratchDir } from '../robustness/helpers.ts';

const scratch = scratchDir('scans-setup');
// Copies of the checkout live outside it: Node would find the project's node_modules in a parent folder.
const outside = mkdtempSync(join(tmpdir(), 'sparseforge-setup-'));
afterAll(() => {
  scratch.cleanup();
  rmSync(outside, { recursive: true, force: true });
});

/** A copy of the executable and the sources, with `node_modules` holding the main checkout's packages except `omit` (all when undefined). */
function checkoutCopy(name: string, keep: ((pkg: string) => boolean) | undefined): string {
  const dir = join(outside, name);
  mkdirSync(dir, { recursive: true });
  for (const p of ['bin', 'generator', 'package.json']) cpSync(join(PROJECT_ROOT, p), join(dir, p), { recursive: true });
  if (keep !== undefined) {
    const nm = join(PROJECT_ROOT, 'node_modules');
    mkdirSync(join(dir, 'node_modules'));
    for (const e of readdirSync(nm)) if (keep(e)) symlinkSync(join(nm, e), join(dir, 'node_modules', e));
  }
  return dir;
}

const setupLine = (r: { stderr: unknown }) => String(r.stderr).replace(/\n$/, '');

describe('setup mistakes', () => {
  it('bin/sparseforge without node_modules, or with a dependency missing: one line naming `bash scripts/setup.sh`', async () => {
    const bare = checkoutCopy('bare', undefined);
    const noYargs = checkoutCopy('no-yargs', (p) => p !== 'yargs');
    const noHandlebars = checkoutCopy('no-handlebars', (p) => p !== 'handlebars');
    const env = { SPARSEFORGE_DEBUG: '' };
    const [a, b, c] = await Promise.all([
      execa(join(bare, 'bin', 'sparseforge'), ['--help'], { reject: false, env }),
      execa(join(noYargs, 'bin', 'sparseforge'), ['golden', 'x.json', '-o', 'y.json'], { reject: false, env, cwd: noYargs }),
      // A dependency only one command loads (lazily).
      execa(join(noHandlebars, 'bin', 'sparseforge'), ['generate', '--preset', 'tiny', '--out', join(noHandlebars, 'rtl')], { reject: false, env, cwd: noHandlebars }),
    ]);
    for (const [r, what] of [[a, 'no node_modules'], [b, 'no yargs'], [c, 'no handlebars']] as const) {
      expect(r.exitCode, what).toBe(2);
      expect(String(r.stdout), what).toBe('');
      expect(setupLine(r).split('\n'), `${what}: ${String(r.stderr)}`).toHaveLength(1);
      expect(String(r.stderr), what).toMatch(/^sparseforge: .*run 'bash scripts\/setup\.sh'/);
      expect(String(r.stderr), what).not.toMatch(/\bat .+:\d+:\d+|node:internal|ERR_MODULE_NOT_FOUND/);
    }
    expect(String(a.stderr)).toContain('node_modules/tsx is missing');
    expect(String(b.stderr)).toContain("'yargs'");
    expect(String(c.stderr)).toContain("'handlebars'");
    // The README's quick start names the same command.
    expect(readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8')).toContain('bash scripts/setup.sh');
  }, 120_000);
});


describe('every CLI command on every malformed file', () => {
  it('exit 2, one line naming the file, no stack trace', async () => {
    const d = scratch.dir;
    const w = (name: string, data: string | Uint8Array) => {
      writeFileSync(join(d, name), data);
      return join(d, name);
    };
    const validCase = serializeLayerCase(parseLayerCase(transposedDoc()));
    const valid = w('valid.json', validCase);
    const retyped = JSON.parse(validCase) as Record<string, unknown>;
    retyped.weights = 'x';
    mkdirSync(join(d, 'a-directory.json'), { recursive: true });
    const common = { missing: join(d, 'missing.json'), directory: join(d, 'a-directory.json'), empty: w('empty.json', '') };
    const cases = { ...common, truncated: w('truncated.json', validCase.slice(0, 200)), retyped: w('retyped.json', JSON.stringify(retyped)), array: w('array.json', '[1, 2]') };
    const fixtures = join(PROJECT_ROOT, 'test', 'dsl', 'fixtures');
    const specs = { ...common, notJson: join(fixtures, 'not-json.json'), badField: join(fixtures, 'bad-field.json'), noDefault: join(fixtures, 'no-default.ts'), wrongType: w('spec.txt', 'rows: 4') };
    const pts = Float64Array.from([0, 0, 0, 1.5, 2.5, -3.5, 4, 4, 4]);
    const bin = writePlyBinary(pts);
    const plys = {
      missing: join(d, 'missing.ply'),
      empty: w('empty.ply', ''),
      truncated: w('truncated.ply', bin.subarray(0, bin.length - 5)),
      hugeCount: w('huge.ply', new TextDecoder('latin1').decode(writePlyAscii(pts)).replace('element vertex 3', 'element vertex 99999999999999')),
      notPly: w('not.ply', 'hello\n'),
    };
    const grids = { notJson: w('grid-bad.json', '{ "format": '), badField: w('grid-field.json', JSON.stringify({ format: 'sparseforge.sweep/1', base: 'tiny', vary: { 'matrix.rowz': [4] }, workloads: [] })) };
    const validNet = w('net.json', serializeNetwork(tinyUNet()));
    const validTensor = w('tensor.json', serializeTensor(tinyInput()));
    const netText = serializeNetwork(tinyUNet());
    const tensorText = serializeTensor(tinyInput());
    const retype = (text: string, key: string) => JSON.stringify({ ...(JSON.parse(text) as object), [key]: 'x' });
    const networks = { empty: common.empty, truncated: w('net-truncated.json', netText.slice(0, 300)), retyped: w('net-retyped.json', retype(netText, 'nodes')), array: w('net-array.json', '[]') };
    const tensors = { truncated: w('tensor-truncated.json', tensorText.slice(0, 60)), retyped: w('tensor-retyped.json', retype(tensorText, 'coords')) };
    const caseArgs = ['--voxel', '0.5', '--layer', 'submanifold', '--kernel', '3', '--cin', '2', '--cout', '2', '--seed', '1'];
    const jobs: { name: string; args: string[]; ci?: boolean }[] = [];
    // In CI: every file through the first command of its kind, and one file (rotating) through each other command.
    const add = (kind: number, cmd: number, name: string, args: string[]) => jobs.push({ name, args, ci: cmd === 0 || kind === cmd });
    Object.entries(cases).forEach(([k, f], i) => {
      add(i, 0, `golden ${k}`, ['golden', f, '-o', join(d, 'out.json')]);
      add(i, 1, `stats ${k}`, ['stats', f]);
      add(i, 2, `sim ${k}`, ['sim', f, '--preset', 'tiny']);
      add(i, 3, `sim-map ${k}`, ['sim-map', f, '--preset', 'tiny']);
    });
    Object.entries(specs).forEach(([k, f], i) => {
      add(i, 0, `generate --config ${k}`, ['generate', '--config', f, '--out', join(d, 'rtl')]);
      add(i, 1, `synth --config ${k}`, ['synth', '--config', f]);
      add(i, 2, `sim --config ${k}`, ['sim', valid, '--config', f]);
      add(i, 3, `sim-map --config ${k}`, ['sim-map', valid, '--config', f]);
      add(i, 4, `run --config ${k}`, ['run', '--bunny', ...caseArgs, '--config', f]);
    });
    Object.entries(plys).forEach(([k, f], i) => {
      add(i, 0, `case --ply ${k}`, ['case', '--ply', f, ...caseArgs, '-o', join(d, 'case.json')]);
      add(i, 1, `run --ply ${k}`, ['run', '--ply', f, ...caseArgs, '--preset', 'tiny']);
    });
    Object.entries(networks).forEach(([k, f], i) => {
      add(i, 0, `net golden ${k}`, ['net', 'golden', f, '--input', validTensor, '-o', join(d, 'out.json')]);
      add(i, 1, `net sim --model ${k}`, ['net', 'sim', f, '--input', validTensor, '--preset', 'fpga', '--model']);
      add(i, 2, `prune ${k}`, ['prune', f, '--pattern', '2:4', '-o', join(d, 'out.json')]);
      add(i, 3, `sensitivity ${k}`, ['sensitivity', f, '--input', validTensor, '--pattern', '2:4']);
    });
    Object.entries(tensors).forEach(([k, f], i) => {
      add(i, 0, `net golden --input ${k}`, ['net', 'golden', validNet, '--input', f, '-o', join(d, 'out.json')]);
      add(i, 1, `net sim --input ${k}`, ['net', 'sim', validNet, '--input', f, '--preset', 'fpga']);
    });
    add(4, 4, 'prune (layer case) array', ['prune', cases.array, '--pattern', '2:4', '-o', join(d, 'out.json')]);
    Object.entries(grids).forEach(([k, f], i) => add(i, 0, `sweep ${k}`, ['sweep', f, '--out', join(d, 'sweep')]));
    add(0, 0, 'synth --rtl missing', ['synth', '--rtl', join(d, 'no-rtl')]);
    add(0, 0, 'verify --spec-seeds malformed', ['verify', '--seeds', '1', '--random-specs', '--spec-seeds', '1,x']);
    // SPARSEFORGE_CLI_MATRIX=full runs the whole product (94 invocations, about four minutes).
    const full = process.env.SPARSEFORGE_CLI_MATRIX === 'full';
    const picked = full ? jobs : jobs.filter((j) => j.ci);
    const results = await pool(picked, 2, async (j) => {
      const r = await runCli(j.args, d);
      const stderr = String(r.stderr);
      const file = j.args.find((a) => a.startsWith(d) && a !== valid && a !== validNet && a !== validTensor && !/(out\.json|case\.json|rtl|sweep)$/.test(a));
      const ok = r.exitCode === 2 && /^sparseforge: [^\n]+\n?$/.test(stderr) && !/\bat .+:\d+:\d+/.test(stderr) && String(r.stdout) === '' &&
        (file === undefined || stderr.includes(file.split('/').pop()!));
      return ok ? undefined : `${j.name}: exit ${r.exitCode}, stderr ${JSON.stringify(stderr.slice(0, 300))}`;
    });
    expect(results.filter((x) => x !== undefined)).toEqual([]);
    expect(picked.length).toBeGreaterThanOrEqual(full ? 90 : 40);
  }, process.env.SPARSEFORGE_CLI_MATRIX === 'full' ? 1_200_000 : 300_000);
});
