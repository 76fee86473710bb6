// The generate and schema commands through the real entry point (bin/sparseforge). Each
// invocation costs about a second (tsx start-up), so there are few.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { acceleratorSchema } from '../../generator/dsl/index.ts';
import { PROJECT_ROOT } from '../../generator/emit/render.ts';

const BIN = join(PROJECT_ROOT, 'bin', 'sparseforge');
const DIR = join(PROJECT_ROOT, '.cache', 'test-cli-emit');
const run = (args: string[]) => execa(BIN, args, { reject: false, cwd: PROJECT_ROOT });

afterAll(() => rmSync(DIR, { recursive: true, force: true }));

describe('sparseforge generate', () => {
  it('--lint-full lints every module as its own top, without stubs', async () => {
    const r = await run(['generate', '--preset', 'tiny', '--out', join(DIR, 'tiny-full'), '--lint-full']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/lint: verilator --lint-only -Wall, 22 tops covering 22 modules, 0 warnings in \d+ ms/);
  });

  it('writes the output folder, then --check finds it up to date, then stale', async () => {
    rmSync(DIR, { recursive: true, force: true });
    const out = join(DIR, 'tiny');
    const r = await run(['generate', '--preset', 'tiny', '--out', out, '--lint']);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^sf_tiny: \d+ modules, \d+ files in .*tiny \(\d+ written, 0 unchanged\)/);
    expect(r.stdout).toContain('sf_tiny_matrix_unit.v');
    expect(r.stdout).toMatch(/lint: verilator --lint-only -Wall, \d+ tops covering 22 modules, sf_tiny_matrix_col linted on its own, stubbed in its parents, 0 warnings in \d+ ms/);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.name).toBe('sf_tiny');

    const ok = await run(['generate', '--preset', 'tiny', '--out', out, '--check']);
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout).toContain('is up to date');
    writeFileSync(join(out, 'sf_tiny_matrix_unit.v'), '// edited\n');
    const stale = await run(['generate', '--preset', 'tiny', '--out', out, '--check']);
    expect(stale.exitCode).toBe(1);
    expect(stale.stdout).toContain('differs sf_tiny_matrix_unit.v');
  });

  it('a bad config file is one line naming the field, exit 2', async () => {
    mkdirSync(DIR, { recursive: true });
    const cfg = join(DIR, 'bad.json');
    writeFileSync(cfg, JSON.stringify({ name: 'bad', matrix: { rows: 12 } }));
    const r = await run(['generate', '--config', cfg, '--out', join(DIR, 'bad')]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe('sparseforge: matrix.rows: must be a power of two between 1 and 256, got 12');
    const both = await run(['generate', '--preset', 'tiny', '--config', cfg]);
    expect(both.exitCode).toBe(2);
  });
});

describe('sparseforge schema', () => {
  it('prints the JSON Schema, or Markdown', async () => {
    const r = await run(['schema']);
    expect(r.exitCode).toBe(0);
    const schema = JSON.parse(r.stdout);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(Object.keys(schema.properties)).toEqual(['$schema', ...Object.keys(acceleratorSchema.fields)]);
    const md = await run(['schema', '--markdown']);
    expect(md.stdout).toContain('| `matrix.rows` | integer | power of two, 1 … 256 | 16 |');
  });
});
