// Fuzzed accelerator specs through every entry point (parseSpec, defineAccelerator, loadSpecFile
// on .json and .ts files, `sparseforge generate --config`): each input either yields a spec that
// emits (and, for a bounded sample, lints clean), or is rejected with a FieldError whose one-line
// message names a field. Never another exception type, never a stack trace, never an output
// folder for a refused spec.
import { existsSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accelerator, acceleratorSchema, defineAccelerator, loadSpecFile, parseSpec, SpecError, type AcceleratorSpec, type SpecInput } from '../../generator/dsl/index.ts';
import type { Field } from '../../generator/dsl/schema.ts';
import { emitAccelerator, writeEmitted } from '../../generator/emit/index.ts';
import { formatLintMessage, lintRtl } from '../../generator/emit/lint.ts';
import {
  describeThrown,
  expectCliRefusal,
  expectFieldError,
  fcParams,
  FUZZ_SEED,
  listFiles,
  outcome,
  outcomeAsync,
  PROJECT_ROOT,
  runCli,
  scratchDir,
} from './helpers.ts';
import {
  garbageSpec,
  mutatedFullSpec,
  mutationField,
  namesField,
  nearValidFullSpec,
  partialSpec,
  TOP_KEYS,
  UNITS,
} from './spec-arbitraries.ts';

/** Accepted specs linted per run (a lint of the root modules takes ~0.5 s). */
const LINT_SAMPLE = 4;

const scratch = scratchDir('spec-fuzz');
afterAll(scratch.cleanup);
beforeAll(() => {
  process.stdout.write(`[robustness] spec fuzz: fast-check seed ${FUZZ_SEED} (SPARSEFORGE_FUZZ_SEED to change)\n`);
});

/** Accepted specs, by config hash, in the order they were first met (the lint sample's pool). */
const accepted = new Map<string, AcceleratorSpec>();

/**
 * An accepted spec must be a valid complete spec and emit without throwing; the input it came
 * from (when given) may only hold spec fields: an unknown field is never accepted silently.
 */
function checkAccepted(spec: AcceleratorSpec, context: string, input?: unknown): void {
  if (input !== undefined) {
    const unknown: string[] = [];
    const walk = (v: unknown, f: Field, path: string) => {
      if (f.kind !== 'object' || typeof v !== 'object' || v === null) return;
      for (const k of Object.keys(v)) {
        if (path === '' && k === '$schema') continue;
        const sub = Object.hasOwn(f.fields, k) ? f.fields[k] : undefined;
        if (sub === undefined) unknown.push(path ? `${path}.${k}` : k);
        else walk((v as Record<string, unknown>)[k], sub, path ? `${path}.${k}` : k);
      }
    };
    walk(input, acceleratorSchema, '');
    expect(unknown, `${context}: accepted with unknown fields`).toEqual([]);
  }
  const again = outcome(() => parseSpec(spec));
  if (!again.ok) throw new Error(`${context}: accepted spec does not re-validate: ${describeThrown(again.error)}`);
  const emitted = outcome(() => emitAccelerator(spec));
  if (!emitted.ok) {
    throw new Error(`${context}: accepted spec ${JSON.stringify(spec)} does not emit: ${describeThrown(emitted.error)}`);
  }
  if (!accepted.has(emitted.value.derived.configHash)) accepted.set(emitted.value.derived.configHash, spec);
}

/** How the validator spells a top-level key of the input (`a.b` → `["a.b"]`). */
function keyName(k: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : `[${JSON.stringify(k)}]`;
}

/** The reported field is a spec field, a key of the input, or one of the whole-input names. */
function expectSpecField(field: string, input: unknown, context: string, extra: string[] = []): void {
  const roots = new Set<string>([...TOP_KEYS, '(spec)', ...extra]);
  if (typeof input === 'object' && input !== null) for (const k of Object.keys(input)) roots.add(keyName(k));
  const ok = [...roots].some((r) => field === r || field.startsWith(`${r}.`) || field.startsWith(`${r}[`));
  expect(ok, `${context}: error names ${JSON.stringify(field)}, which is not a field of the spec or of the input`).toBe(true);
}

function show(v: unknown): string {
  const seen = new WeakSet<object>();
  return (
    JSON.stringify(v, (_k, x: unknown) => {
      if (typeof x === 'number' && !Number.isFinite(x)) return String(x);
      if (typeof x === 'bigint') return `${x}n`;
      if (typeof x === 'object' && x !== null) {
        if (seen.has(x)) return '[cycle]';
        seen.add(x);
      }
      return x;
    }) ?? String(v)
  );
}

describe('fuzzed specs, in process', () => {
  it('parseSpec: near-valid specs are accepted or rejected naming the field that was broken', () => {
    let rejected = 0;
    fc.assert(
      fc.property(nearValidFullSpec(), ({ input, mutation }) => {
        const r = outcome(() => parseSpec(input));
        const context = `parseSpec(${show(input)}) after ${show(mutation)}`;
        if (r.ok) {
          checkAccepted(r.value, context, input);
          // A complete spec comes back as it went in.
          expect(r.value, context).toEqual(input);
          return;
        }
        rejected++;
        const e = expectFieldError(r.error, context);
        expect(e, context).toBeInstanceOf(SpecError);
        const fields = (e as SpecError).issues.map((i) => i.field);
        expect(e.field).toBe(fields[0]);
        const target = mutationField(mutation);
        expect(fields.some((f) => namesField(f, target)), `${context}: issues ${show(fields)} do not name ${target}`).toBe(true);
      }),
      fcParams(1, 300),
    );
    // The draw must exercise both outcomes.
    expect(rejected).toBeGreaterThan(80);
    expect(accepted.size).toBeGreaterThan(20);
  });

  it('parseSpec and defineAccelerator: several mutations, partial specs, garbage', () => {
    fc.assert(
      fc.property(fc.oneof(mutatedFullSpec(), partialSpec(), garbageSpec()), fc.boolean(), (input, viaDefine) => {
        const context = `${viaDefine ? 'defineAccelerator' : 'parseSpec'}(${show(input)})`;
        const r = outcome(() => (viaDefine ? defineAccelerator(input as SpecInput) : parseSpec(input)));
        if (r.ok) return checkAccepted(r.value, context, input);
        const e = expectFieldError(r.error, context);
        expectSpecField(e.field, input, context);
      }),
      fcParams(2, 500),
    );
  });

  it('the builder: unit partials from the fuzzer', () => {
    fc.assert(
      fc.property(partialSpec(), (input) => {
        const context = `builder from ${show(input)}`;
        const r = outcome(() => buildFrom(input));
        // The builder only sees the name and the units.
        if (r.ok) return checkAccepted(r.value, context, Object.fromEntries(Object.entries(input).filter(([k]) => k === 'name' || UNITS.includes(k))));
        const e = expectFieldError(r.error, context);
        expectSpecField(e.field, input, context);
      }),
      fcParams(3, 100),
    );
  });
});

/** The builder driven untyped, as a .ts config file can drive it: one call per unit of the input. */
function buildFrom(input: Record<string, unknown>): AcceleratorSpec {
  let b = accelerator(input.name as string);
  for (const [k, v] of Object.entries(input)) {
    if (UNITS.includes(k)) b = (b as unknown as Record<string, (p: unknown) => typeof b>)[k]!.call(b, v);
  }
  return b.build();
}

/** A JavaScript literal for a fuzzed value (NaN, -0, undefined, BigInt and `__proto__` keys survive). */
function jsLiteral(v: unknown, depth = 0): string {
  if (depth > 20) return 'null';
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  switch (typeof v) {
    case 'number':
      return Object.is(v, -0) ? '-0' : Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : String(v);
    case 'bigint':
      return `${v}n`;
    case 'string':
    case 'boolean':
      return JSON.stringify(v);
    case 'object':
      if (Array.isArray(v)) return `[${Array.from(v, (x) => jsLiteral(x, depth + 1)).join(', ')}]`;
      // Computed keys: `["__proto__"]: x` is an own property, as JSON.parse makes it.
      return `{ ${Object.entries(v).map(([k, x]) => `[${JSON.stringify(k)}]: ${jsLiteral(x, depth + 1)}`).join(', ')} }`;
    default:
      return 'undefined';
  }
}

describe('fuzzed spec files', () => {
  it('loadSpecFile on .json files: documents, broken text, $schema', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          { weight: 4, arbitrary: fc.oneof(mutatedFullSpec(), partialSpec(), garbageSpec()).map((v) => ({ kind: 'doc' as const, v })) },
          { weight: 1, arbitrary: fc.tuple(partialSpec(), fc.nat()).map(([v, cut]) => ({ kind: 'cut' as const, v, cut })) },
          { weight: 1, arbitrary: fc.tuple(partialSpec(), fc.oneof(fc.string(), garbageSpec())).map(([v, s]) => ({ kind: 'schema' as const, v, s })) },
          { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((text) => ({ kind: 'text' as const, text })) },
        ),
        async (draw) => {
          let text: string;
          let doc: unknown;
          if (draw.kind === 'text') text = draw.text;
          else {
            doc = draw.kind === 'schema' && typeof draw.v === 'object' && draw.v !== null ? { $schema: draw.s, ...(draw.v as object) } : draw.v;
            text = JSON.stringify(doc) ?? 'null';
            if (draw.kind === 'cut') text = text.slice(0, draw.cut % (text.length + 1));
          }
          const file = join(scratch.dir, `spec-${n++}.json`);
          writeFileSync(file, text);
          const context = `loadSpecFile(${relative(PROJECT_ROOT, file)}) of ${JSON.stringify(text.slice(0, 300))}`;
          const r = await outcomeAsync(() => loadSpecFile(file));
          if (r.ok) return checkAccepted(r.value, context, JSON.parse(text));
          const e = expectFieldError(r.error, context);
          expectSpecField(e.field, JSON.parse(JSON.stringify(doc ?? null)), context, ['--config', '$schema']);
        },
      ),
      fcParams(4, 120),
    );
  });

  it('loadSpecFile on .ts files: object, function, async function and builder default exports', async () => {
    let n = 0;
    const dsl = join(PROJECT_ROOT, 'generator', 'dsl', 'index.ts');
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutatedFullSpec(), partialSpec(), garbageSpec()), fc.constantFrom('object', 'function', 'async', 'builder'), async (input, form) => {
        const lit = jsLiteral(input);
        let body: string;
        if (form === 'object') body = `export default ${lit};\n`;
        else if (form === 'function') body = `export default () => (${lit});\n`;
        else if (form === 'async') body = `export default async () => (${lit});\n`;
        else {
          const o = (typeof input === 'object' && input !== null && !Array.isArray(input) ? input : {}) as Record<string, unknown>;
          const calls = Object.entries(o)
            .filter(([k]) => UNITS.includes(k))
            .map(([k, v]) => `.${k}(${jsLiteral(v)} as never)`)
            .join('');
          body = `import { accelerator } from ${JSON.stringify(relative(scratch.dir, dsl).split('\\').join('/'))};\nexport default accelerator(${jsLiteral(o.name)} as never)${calls};\n`;
        }
        const file = join(scratch.dir, `spec-${n++}.ts`);
        writeFileSync(file, body);
        const context = `loadSpecFile(${relative(PROJECT_ROOT, file)}) of ${JSON.stringify(body.slice(0, 300))}`;
        const r = await outcomeAsync(() => loadSpecFile(file));
        if (r.ok) return checkAccepted(r.value, context, form === 'builder' ? undefined : input);
        const e = expectFieldError(r.error, context);
        expectSpecField(e.field, input, context, ['--config', '$schema']);
      }),
      fcParams(5, 32),
    );
  });
});

describe('accepted specs', () => {
  it(`a sample of ${LINT_SAMPLE} accepted specs lints clean (verilator --lint-only -Wall)`, async () => {
    // Fall back to a fresh draw when the suites above were filtered out.
    if (accepted.size < LINT_SAMPLE) {
      for (const { input } of fc.sample(nearValidFullSpec(), { seed: FUZZ_SEED, numRuns: 200 })) {
        const r = outcome(() => parseSpec(input));
        if (r.ok) checkAccepted(r.value, `parseSpec(${show(input)})`);
      }
    }
    // Spread the sample over the pool (every k-th spec), small arrays only: lint time grows with rows · cols.
    const pool = [...accepted.values()].filter((s) => s.matrix.rows * s.matrix.cols <= 1024);
    const step = Math.max(1, Math.floor(pool.length / LINT_SAMPLE));
    const sample = pool.filter((_, i) => i % step === 0).slice(0, LINT_SAMPLE);
    expect(sample.length).toBe(LINT_SAMPLE);
    for (const [i, spec] of sample.entries()) {
      const e = emitAccelerator(spec);
      const dir = join(scratch.dir, `lint-${i}-${spec.name}`);
      await writeEmitted(e.files, dir);
      // Root modules lint their whole hierarchy. The first spec also lints its parameterised
      // helpers alone, with their default parameters (every invocation costs ~0.4 s).
      const modules = e.modules.filter((m) => m.root || (i === 0 && m.parameters.length > 0)).map((m) => m.name);
      const report = await lintRtl(dir, { modules });
      expect(report.messages.map(formatLintMessage), `lint of ${JSON.stringify(spec)}`).toEqual([]);
    }
  }, 120_000);
});

describe('sparseforge generate --config with refused specs', () => {
  it('exit 2, one stderr line equal to the library message, no output folder', async () => {
    // Targeted inputs (each was a bug or is easy to get wrong) plus the first rejected fuzz draws.
    const files: { name: string; text: string }[] = [
      { name: 'proto-key.json', text: '{"name": "cli_a", "constructor": 1}' },
      { name: 'fn-field.ts', text: 'export default { name: "cli_b", matrix: { rows: () => 16 } };\n' },
      { name: 'syntax.json', text: '{"name": "cli_c", "matrix": {"rows": 16,}' },
    ];
    let k = 0;
    for (const v of fc.sample(fc.oneof(mutatedFullSpec(), partialSpec()), { seed: FUZZ_SEED + 6, numRuns: 200 })) {
      if (k >= 1) break;
      const text = JSON.stringify(v);
      const file = join(scratch.dir, `cli-probe-${k}.json`);
      writeFileSync(file, text);
      if (!(await outcomeAsync(() => loadSpecFile(file))).ok) files.push({ name: `fuzz-${k++}.json`, text });
    }
    const runs = files.map(async ({ name, text }) => {
      const file = join(scratch.dir, name);
      writeFileSync(file, text);
      const expected = await outcomeAsync(() => loadSpecFile(file));
      if (expected.ok) throw new Error(`${name} was expected to be refused`);
      const err = expectFieldError(expected.error, name);
      const out = join(scratch.dir, `out-${name}`);
      const r = await runCli(['generate', '--config', file, '--out', out]);
      const line = expectCliRefusal(r, `generate --config ${name}`);
      expect(line).toBe(`sparseforge: ${err.message}`);
      expect(existsSync(out), `generate --config ${name} left ${out} behind`).toBe(false);
      return line;
    });
    const lines = await Promise.all(runs);
    expect(lines[0]).toMatch(/^sparseforge: constructor: unknown field/);
    expect(lines[1]).toMatch(/^sparseforge: matrix\.rows: must be a power of two between 1 and 256, got a function/);
    expect(lines[2]).toMatch(/^sparseforge: --config: .*syntax\.json is not valid JSON/);
    expect(listFiles(scratch.dir).filter((f) => f.startsWith('out-'))).toEqual([]);
  }, 120_000);
});
