import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, defineAccelerator, presets } from '../../generator/dsl/index.ts';
import { compareEmitted, emitAccelerator, PathEscapeError, safeJoin, writeEmitted } from '../../generator/emit/index.ts';
import { formatLintMessage, lintRtl } from '../../generator/emit/lint.ts';
import { parseModules, rootModules } from '../../generator/emit/ports.ts';
import { listModuleTemplates, PROJECT_ROOT } from '../../generator/emit/render.ts';
import { FieldError } from '../../generator/model/errors.ts';
import pkg from '../../package.json' with { type: 'json' };

const FIXTURES = join(import.meta.dirname, 'fixtures', 'templates');
const SCRATCH = join(PROJECT_ROOT, '.cache', 'test-emit');

beforeAll(() => {
  rmSync(SCRATCH, { recursive: true, force: true });
  mkdirSync(SCRATCH, { recursive: true });
});
afterAll(() => rmSync(SCRATCH, { recursive: true, force: true }));

describe('emission with the fixture templates', () => {
  const r = emitAccelerator(presets.tiny, { templatesDir: FIXTURES });

  it('finds module templates in subfolders, skips tb/ and partials/', () => {
    expect(listModuleTemplates(FIXTURES).map((t) => t.name)).toEqual(['adder', 'counter']);
    expect(r.files.map((f) => f.path)).toEqual([
      'files.f',
      'manifest.json',
      'sf_tiny.core',
      'sf_tiny_adder.v',
      'sf_tiny_counter.v',
      'sf_tiny_regs.h',
      'sf_tiny_regs.md',
    ]);
  });

  it('renders with partials, numbers from derived, no HTML escaping', () => {
    const v = r.files.find((f) => f.path === 'sf_tiny_adder.v')!.contents;
    expect(v).toContain('module sf_tiny_adder (');
    expect(v).toContain('input  wire signed [7:0] a_i, b_i,');
    expect(v).toContain('output reg  [15:0] sum_o');
    expect(v).toContain('always @(posedge clk_i) sum_o <= a_i + b_i;');
    expect(v).toContain('sf_tiny_counter #(.W(4)) u_counter');
  });

  it('writes files.f, the FuseSoC core and a manifest with ports', () => {
    expect(r.files.find((f) => f.path === 'files.f')!.contents).toBe('sf_tiny_adder.v\nsf_tiny_counter.v\n');
    const core = r.files.find((f) => f.path === 'sf_tiny.core')!.contents;
    expect(core.startsWith('CAPI=2:\n')).toBe(true);
    expect(core).toContain(`name: sparseforge:accelerator:sf_tiny:${pkg.version}`);
    expect(core).toContain('      - sf_tiny_counter.v');
    expect(core).toContain('    toplevel: sf_tiny_adder');
    expect(core).not.toContain('toplevel: sf_tiny_counter');

    const m = JSON.parse(r.files.find((f) => f.path === 'manifest.json')!.contents);
    expect(m.format).toBe('sparseforge.manifest/1');
    expect(m.generator).toEqual({ name: 'sparseforge', version: pkg.version });
    expect(m.configHash).toBe(createHash('sha256').update(canonicalJson(presets.tiny)).digest('hex'));
    expect(m.spec).toEqual(presets.tiny);
    expect(m.derived.registers.count).toBeGreaterThan(10);
    expect(m.files).toEqual(r.files.map((f) => f.path));
    expect(m.modules).toEqual([
      {
        name: 'sf_tiny_adder',
        parameters: [],
        ports: [
          { name: 'clk_i', direction: 'input', width: 1, range: '', signed: false },
          { name: 'a_i', direction: 'input', width: 8, range: '[7:0]', signed: true },
          { name: 'b_i', direction: 'input', width: 8, range: '[7:0]', signed: true },
          { name: 'sum_o', direction: 'output', width: 16, range: '[15:0]', signed: false },
        ],
        file: 'sf_tiny_adder.v',
        template: 'test/emit/fixtures/templates/adder.v.hbs',
        root: true,
      },
      {
        name: 'sf_tiny_counter',
        parameters: [{ name: 'W', value: '4' }],
        ports: [{ name: 'clk_i', direction: 'input', width: 1, range: '', signed: false }],
        file: 'sf_tiny_counter.v',
        template: 'test/emit/fixtures/templates/unit/counter.v.hbs',
        root: false,
      },
    ]);
  });

  it('writes a register header and doc', () => {
    const h = r.files.find((f) => f.path === 'sf_tiny_regs.h')!.contents;
    expect(h).toContain('#ifndef SF_TINY_REGS_H');
    expect(h).toMatch(/#define SF_TINY_STATUS_DONE_MASK\s+0x00000002u/);
    expect(h).toMatch(/#define SF_TINY_CONFIG_HASH\s+0x[0-9A-F]{8}u/);
    const md = r.files.find((f) => f.path === 'sf_tiny_regs.md')!.contents;
    expect(md).toContain('| 0x0000 | ID | RO | 0x53460001 |');
    expect(md).toContain('## Error codes');
  });

  it('refuses a template that does not declare its module', () => {
    const dir = join(SCRATCH, 'bad-templates');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'thing.v.hbs'), 'module {{prefix}}other (input wire a_i);\nendmodule\n');
    expect(() => emitAccelerator(presets.tiny, { templatesDir: dir })).toThrow(/must declare exactly one module named sf_tiny_thing/);
    writeFileSync(join(dir, 'thing.v.hbs'), 'module {{prefix}}thing (input wire [{{derived.matrix.noSuchField}}:0] a_i);\nendmodule\n');
    expect(() => emitAccelerator(presets.tiny, { templatesDir: dir })).toThrow(/thing\.v\.hbs: "noSuchField" not defined/);
  });
});

describe('names and paths', () => {
  it.each(['module', '1abc', 'a-b', '../up', 'a/b'])('rejects the accelerator name %j', (name) => {
    expect(() => emitAccelerator({ ...presets.tiny, name }, { templatesDir: FIXTURES })).toThrow(FieldError);
    expect(() => emitAccelerator({ ...presets.tiny, name }, { templatesDir: FIXTURES })).toThrow(/^name: /);
  });

  it.each(['../evil.v', '/etc/evil.v', 'a/../../evil.v', 'a\\b.v', '', './x.v', 'a//b.v', 'x\0.v'])('refuses the output path %j', (p) => {
    expect(() => safeJoin(SCRATCH, p)).toThrow(PathEscapeError);
  });

  it('writes nothing when one path escapes', async () => {
    const dir = join(SCRATCH, 'escape');
    await expect(
      writeEmitted(
        [
          { path: 'ok.v', contents: 'x' },
          { path: '../escaped.v', contents: 'x' },
        ],
        dir,
      ),
    ).rejects.toThrow(PathEscapeError);
    expect(existsSync(join(dir, 'ok.v'))).toBe(false);
    expect(existsSync(join(SCRATCH, 'escaped.v'))).toBe(false);
  });
});

describe('writing', () => {
  it('is byte-identical on re-run, atomic, and removes files a previous run emitted', async () => {
    const dir = join(SCRATCH, 'write');
    const a = emitAccelerator(presets.tiny, { templatesDir: FIXTURES });
    const w1 = await writeEmitted(a.files, dir);
    expect(w1.written).toHaveLength(a.files.length);
    const snapshot = Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
    const w2 = await writeEmitted(emitAccelerator(presets.tiny, { templatesDir: FIXTURES }).files, dir);
    expect(w2.written).toEqual([]);
    expect(w2.unchanged).toHaveLength(a.files.length);
    expect(Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]))).toEqual(snapshot);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(await compareEmitted(a.files, dir)).toEqual({ missing: [], different: [], extra: [] });

    // A user's own file survives; a module the new emission no longer has is removed.
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const fewer = a.files.filter((f) => f.path !== 'sf_tiny_counter.v');
    expect(await compareEmitted(fewer, dir)).toEqual({ missing: [], different: [], extra: ['sf_tiny_counter.v'] });
    const manifest = fewer.find((f) => f.path === 'manifest.json')!;
    const m = JSON.parse(manifest.contents);
    m.files = m.files.filter((f: string) => f !== 'sf_tiny_counter.v');
    const w3 = await writeEmitted(fewer.map((f) => (f === manifest ? { ...f, contents: JSON.stringify(m) } : f)), dir);
    expect(w3.removed).toEqual(['sf_tiny_counter.v']);
    expect(existsSync(join(dir, 'sf_tiny_counter.v'))).toBe(false);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
  });
});

describe('the real templates', () => {
  it('emit byte-identical output twice', () => {
    for (const p of ['tiny', 'fpga'] as const) {
      const a = emitAccelerator(presets[p]);
      const b = emitAccelerator(structuredClone(presets[p]));
      expect(b.files).toEqual(a.files);
    }
  });

  it('emit one file per module, each declaring the module its name says', () => {
    const r = emitAccelerator(presets.tiny);
    for (const m of r.modules) {
      const text = r.files.find((f) => f.path === m.file)!.contents;
      expect(parseModules(text).map((x) => x.name)).toEqual([m.name]);
      expect(m.file).toBe(`${m.name}.v`);
      expect(m.ports.length).toBeGreaterThan(0);
      for (const port of m.ports) expect(port.name).toMatch(/^[a-z][a-z0-9_]*_[io]$/);
    }
  });

  it('a spec without conv layers has no downsampler, and its RTL lints clean', async () => {
    const spec = defineAccelerator({ name: 'sf_noconv', mapping: { layerTypes: ['submanifold', 'transposed'] } }, presets.tiny);
    const r = emitAccelerator(spec);
    expect(r.modules.map((m) => m.name)).not.toContain('sf_noconv_map_downsample');
    expect(r.files.map((f) => f.path)).not.toContain('sf_noconv_map_downsample.v');
    expect(emitAccelerator(presets.tiny).modules.map((m) => m.name)).toContain('sf_tiny_map_downsample');
    const out = join(PROJECT_ROOT, '.cache', 'test-emit-noconv');
    await writeEmitted(r.files, out);
    const lint = await lintRtl(out);
    expect(lint.messages.map(formatLintMessage)).toEqual([]);
    expect(readFileSync(join(out, 'files.f'), 'utf8')).not.toContain('downsample');
  });

  it('a spec change reaches the RTL', () => {
    const a = emitAccelerator(presets.tiny);
    const b = emitAccelerator(defineAccelerator({ name: 'sf_tiny', matrix: { rows: 2 } }, presets.tiny));
    expect(b.manifest.configHash).not.toBe(a.manifest.configHash);
    expect(b.files.find((f) => f.path === 'sf_tiny_matrix_unit.v')!.contents).not.toBe(
      a.files.find((f) => f.path === 'sf_tiny_matrix_unit.v')!.contents,
    );
  });

  it('the C header compiles', async () => {
    const cc = await execa('cc', ['--version'], { reject: false });
    if (cc.failed) return; // no C compiler on this machine
    const dir = join(SCRATCH, 'header');
    for (const spec of [presets.tiny, defineAccelerator({ name: 'wide64', interfaces: { axilDataWidth: 64 } })]) {
      const r = emitAccelerator(spec);
      await writeEmitted(r.files, dir);
      const src = join(dir, 'check.c');
      writeFileSync(src, `#include "${spec.name}_regs.h"\n#include "${spec.name}_regs.h"\nunsigned long long f(void) { return ${spec.name.toUpperCase()}_STATUS_DONE_MASK; }\n`);
      const res = await execa('cc', ['-std=c99', '-Wall', '-Wextra', '-Werror', '-pedantic', '-fsyntax-only', src], { reject: false, all: true });
      expect(res.all).toBe('');
      expect(res.exitCode).toBe(0);
    }
  });
});

describe('port parser', () => {
  it('reads ANSI headers with parameters, continuation names and comments', () => {
    const src = `// c
module m #(parameter integer W = 8, parameter D = 2) (
  input  wire clk_i, // clock
  input  wire [W-1:0] a_i, b_i,
  output reg signed [15 : 0] y_o, /* block */
  inout  wire [3:0] io_io
);
endmodule
module n; endmodule`;
    const [m, n] = parseModules(src);
    expect(m!.parameters).toEqual([
      { name: 'W', value: '8' },
      { name: 'D', value: '2' },
    ]);
    expect(m!.ports).toEqual([
      { name: 'clk_i', direction: 'input', width: 1, range: '', signed: false },
      { name: 'a_i', direction: 'input', width: null, range: '[W-1:0]', signed: false },
      { name: 'b_i', direction: 'input', width: null, range: '[W-1:0]', signed: false },
      { name: 'y_o', direction: 'output', width: 16, range: '[15:0]', signed: true },
      { name: 'io_io', direction: 'inout', width: 4, range: '[3:0]', signed: false },
    ]);
    expect(n).toEqual({ name: 'n', parameters: [], ports: [] });
    expect(() => parseModules('module x (a, b);\nendmodule')).toThrow(/ANSI/);
  });

  it('finds root modules', () => {
    const roots = rootModules([
      { name: 'top', text: 'module top; sub u_sub (.a(b)); lib #(.W(1)) u_lib (); endmodule' },
      { name: 'sub', text: 'module sub; endmodule' },
      { name: 'lib', text: 'module lib; endmodule' },
      { name: 'other', text: '// sub u_sub (\nmodule other; endmodule' },
    ]);
    expect([...roots].sort()).toEqual(['other', 'top']);
  });
});
