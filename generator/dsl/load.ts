// Specs from files and from the CLI's --preset/--config choice. A config file holds what
// `defineAccelerator` takes (a partial spec with `name`, merged over baseSpec): `.json` as a
// document (a top-level `$schema` key is ignored, editors add it), `.ts`/`.js`/`.mjs` as the
// default export: a spec object, a builder, or a function returning either.
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FieldError } from '../model/errors.ts';
import { defineAccelerator, type SpecInput } from './define.ts';
import { isPlainObject } from './schema.ts';
import { isPresetName, PRESET_NAMES, presets, type PresetName } from './presets.ts';
import type { AcceleratorSpec } from './spec.ts';

const SCRIPT_EXTENSIONS = new Set(['.ts', '.mts', '.js', '.mjs']);

function fromValue(value: unknown, file: string): AcceleratorSpec {
  if (typeof value === 'object' && value !== null && typeof (value as { build?: unknown }).build === 'function') {
    return (value as { build(): AcceleratorSpec }).build();
  }
  if (!isPlainObject(value)) {
    throw new FieldError('(spec)', `${file}: must hold an accelerator spec object, got ${Array.isArray(value) ? 'an array' : typeof value}`);
  }
  const { $schema, ...rest } = value;
  if ($schema !== undefined && typeof $schema !== 'string') throw new FieldError('$schema', 'must be a string');
  return defineAccelerator(rest as SpecInput);
}

/** Load and validate a spec file (.json, or .ts/.js through dynamic import). */
export async function loadSpecFile(file: string): Promise<AcceleratorSpec> {
  const ext = extname(file).toLowerCase();
  const abs = resolve(file);
  if (ext === '.json') {
    let text: string;
    try {
      text = await readFile(abs, 'utf8');
    } catch (e) {
      throw new FieldError('--config', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new FieldError('--config', `${file} is not valid JSON: ${(e as Error).message}`);
    }
    return fromValue(value, file);
  }
  if (SCRIPT_EXTENSIONS.has(ext)) {
    let mod: { default?: unknown };
    try {
      mod = (await import(pathToFileURL(abs).href)) as { default?: unknown };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ERR_MODULE_NOT_FOUND' && (e as Error).message.includes(abs)) {
        throw new FieldError('--config', `cannot read ${file}: ENOENT`);
      }
      // A .ts file outside a package with "type": "module" loads as CommonJS, and its import of
      // the (ESM) generator then forms a require(esm) cycle that Node refuses.
      if (code === 'ERR_REQUIRE_CYCLE_MODULE') {
        throw new FieldError('--config', `${file} was loaded as CommonJS (no package.json with "type": "module" above it): rename it to .mts, or add {"type": "module"} to a package.json beside it`);
      }
      throw e;
    }
    if (mod.default === undefined) throw new FieldError('--config', `${file} has no default export (export the spec, a builder or a function returning one)`);
    const value = typeof mod.default === 'function' ? await (mod.default as () => unknown)() : mod.default;
    return fromValue(value, file);
  }
  throw new FieldError('--config', `${file}: unsupported file type ${JSON.stringify(ext || file)} (use .json or .ts)`);
}

export function presetSpec(name: string): AcceleratorSpec {
  if (!isPresetName(name)) throw new FieldError('--preset', `unknown preset ${JSON.stringify(name)} (known: ${PRESET_NAMES.join(', ')})`);
  return structuredClone(presets[name as PresetName]);
}

export interface SpecSource {
  preset?: string;
  config?: string;
}

/** Exactly one of --preset / --config; the result is validated either way. */
export async function resolveSpec(src: SpecSource): Promise<AcceleratorSpec> {
  if (src.preset !== undefined && src.config !== undefined) throw new FieldError('--preset', 'give either --preset or --config, not both');
  if (src.preset !== undefined) return defineAccelerator(presetSpec(src.preset));
  if (src.config !== undefined) return loadSpecFile(src.config);
  throw new FieldError('--preset', `give --preset (${PRESET_NAMES.join(', ')}) or --config FILE`);
}
