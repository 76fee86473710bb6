import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineAccelerator, loadSpecFile, presets, resolveSpec } from '../../generator/dsl/index.ts';
import { FieldError } from '../../generator/model/errors.ts';

const fx = (f: string): string => join(import.meta.dirname, 'fixtures', f);
const expected = defineAccelerator({ name: 'ts_accel', matrix: { rows: 8, cols: 8 }, interfaces: { axisDataWidth: 64 } });

describe('loadSpecFile', () => {
  it('loads a partial JSON spec over baseSpec, ignoring $schema', async () => {
    const s = await loadSpecFile(fx('partial.json'));
    expect(s).toEqual({ ...expected, name: 'json_accel' });
  });

  it.each(['builder.ts', 'object.ts'])('loads the default export of %s', async (f) => {
    expect(await loadSpecFile(fx(f))).toEqual(expected);
  });

  it('loads the default export of function.ts (computed over presets.fpga)', async () => {
    expect(await loadSpecFile(fx('function.ts'))).toEqual({
      ...expected,
      mapping: { ...expected.mapping, mapFreeDownsample: true, mapFreeTransposed: true, mapFreeEarlyWalk: true, segmentMajor: true, comparePipeline: true, overlapLoad: true },
      matrix: { ...expected.matrix, maxChannels: 512 },
      gatherScatter: { ...expected.gatherScatter, drainPort: true, passGrouping: ['bank', 'offset'], passListDepth: 256 },
      buffers: { ...expected.buffers, keepFeatures: true, w0Interleave: true, weightReadRows: 4 },
    });
  });

  it('names the bad field of a JSON file', async () => {
    await expect(loadSpecFile(fx('bad-field.json'))).rejects.toThrow(/^matrix\.colums: unknown field/);
  });

  it('reports unreadable and malformed files as field errors', async () => {
    await expect(loadSpecFile(fx('not-json.json'))).rejects.toThrow(/not valid JSON/);
    await expect(loadSpecFile(fx('missing.json'))).rejects.toThrow(/cannot read .*ENOENT/);
    await expect(loadSpecFile(fx('missing.ts'))).rejects.toThrow(/cannot read .*ENOENT/);
    await expect(loadSpecFile(fx('no-default.ts'))).rejects.toThrow(/no default export/);
    await expect(loadSpecFile(fx('spec.yaml'))).rejects.toThrow(/unsupported file type/);
    await expect(loadSpecFile(fx('not-json.json'))).rejects.toBeInstanceOf(FieldError);
  });
});

describe('resolveSpec', () => {
  it('takes a preset or a config, not both or neither', async () => {
    expect(await resolveSpec({ preset: 'tiny' })).toEqual(presets.tiny);
    expect(await resolveSpec({ config: fx('partial.json') })).toMatchObject({ name: 'json_accel' });
    await expect(resolveSpec({})).rejects.toThrow(/--preset/);
    await expect(resolveSpec({ preset: 'tiny', config: 'x.json' })).rejects.toThrow(/not both/);
    await expect(resolveSpec({ preset: 'huge' })).rejects.toThrow(/unknown preset "huge" \(known: tiny, edge, fpga, server, fpga-2of4\)/);
  });

  it('hands out copies of the presets', async () => {
    const s = await resolveSpec({ preset: 'tiny' });
    s.matrix.rows = 2;
    expect(presets.tiny.matrix.rows).toBe(4);
  });
});

// Through the CLI (Node + tsx, as users run it; vitest's own loader would hide the difference): a
// .ts config outside this package loads as CommonJS and cannot import the ESM generator.
describe('--config outside the project', () => {
  it('a .ts file gets one line naming the fix; the same file as .mts loads', async () => {
    const { execa } = await import('execa');
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'sf-config-'));
    const dsl = join(import.meta.dirname, '..', '..', 'generator', 'dsl', 'index.ts');
    const body = `import { presets } from ${JSON.stringify(dsl)};\nexport default { ...presets.tiny, name: 'sf_outside' };\n`;
    await writeFile(join(dir, 'spec.ts'), body);
    await writeFile(join(dir, 'spec.mts'), body);
    const bin = join(import.meta.dirname, '..', '..', 'bin', 'sparseforge');
    const bad = await execa(bin, ['generate', '--config', join(dir, 'spec.ts'), '--out', join(dir, 'a')], { reject: false });
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/--config: .*spec\.ts was loaded as CommonJS.*rename it to \.mts/);
    const good = await execa(bin, ['generate', '--config', join(dir, 'spec.mts'), '--out', join(dir, 'b')], { reject: false });
    expect(good.exitCode, good.stderr).toBe(0);
    expect(good.stdout).toContain('sf_outside');
  }, 60_000);
});
