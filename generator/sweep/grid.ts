// Sweep grid files (`sparseforge.sweep/1`): which accelerator parameters to vary, over which
// workloads, with which steps. Parsing is strict and every problem names its field
// (`grid["matrix.rowz"]`, `workloads[1].builder.voxel`); a combination of valid values that breaks
// a spec rule is not a grid error but an invalid *point*, reported in the results beside the
// others, so one bad corner of a grid never stops a sweep.
import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defineAccelerator, SpecError, validateSpec, type SpecInput } from '../dsl/define.ts';
import { isPresetName, PRESET_NAMES, presets } from '../dsl/presets.ts';
import { isPlainObject, type Field, type Issue, type ObjectField } from '../dsl/schema.ts';
import { acceleratorSchema, type AcceleratorSpec } from '../dsl/spec.ts';
import { Prng } from '../io/prng.ts';
import { FieldError } from '../model/errors.ts';
import { LAYER_TYPES, type LayerCase, type LayerType } from '../model/types.ts';
import type { Network } from '../model/network-types.ts';

export const SWEEP_FORMAT = 'sparseforge.sweep/1';
const MAX_POINTS = 100_000;

/** Where a workload's points come from: exactly one of bunny, ply, points. */
export interface WorkloadBuilder {
  bunny?: boolean;
  /** PLY file, relative to the grid file. */
  ply?: string;
  /** Inline `[x, y, z]` points or an interleaved array (`.ts` grids, e.g. a generated scan). */
  points?: number[][] | ArrayLike<number>;
  voxel: number;
  layer: LayerType;
  kernel: number;
  stride?: number;
  cin: number;
  cout: number;
  seed: number;
  requant?: boolean;
  relu?: boolean;
  bias?: boolean;
  tensorStride?: number;
}

export interface WorkloadInput {
  name: string;
  builder?: WorkloadBuilder;
  /** A layer-case file (relative to the grid file) or, in `.ts` grids, the case itself. */
  case?: string | LayerCase;
  /** A whole network: a network file (relative to the grid file) or, in `.ts` grids, the network itself. Needs `input`. */
  network?: string | Network;
  /** A model-zoo network (`net init`), calibrated on `input`. Needs `input`. */
  zoo?: ZooWorkload;
  /** The cloud a network runs on: exactly one of bunny, ply, points; voxel; seed of the input features. */
  input?: NetworkCloud;
}

export interface ZooWorkload {
  arch: string;
  width: number;
  inChannels: number;
  classes: number;
  seed: number;
}

export interface NetworkCloud {
  bunny?: boolean;
  ply?: string;
  points?: number[][] | ArrayLike<number>;
  voxel: number;
  seed: number;
}

/** What a grid file holds (JSON document or a `.ts` default export). */
export interface SweepGridInput {
  $schema?: string;
  format: typeof SWEEP_FORMAT;
  /** Report title and default output folder name (default: the file's base name). */
  name?: string;
  /** A preset name or a (partial) spec merged over the defaults; every point derives from it. */
  base: string | SpecInput;
  /** Spec field (dotted path) → values. A key `"a,b"` varies fields together: values `[[a1, b1], …]`. */
  grid?: Record<string, unknown[]>;
  sample?: {
    count: number;
    seed: number;
    /** Field → `[v1, v2, …]` (uniform choice) or `{ min, max, pow2? }` (uniform integer / power of two). */
    ranges: Record<string, unknown[] | { min: number; max: number; pow2?: boolean }>;
  };
  workloads: WorkloadInput[];
  /** Yosys resource estimate per point (default true). */
  synth?: boolean;
  /** Verilator lint per point (default true). */
  lint?: boolean;
  /** Co-simulation per point and workload (default false; `--verify` turns it on). */
  verify?: boolean;
}

/** One varied dimension: one field, or several fields varied together. */
export interface Axis {
  key: string;
  paths: string[];
  /** One tuple per value, each of `paths.length` entries. */
  values: unknown[][];
}

export type Range = { path: string; choices: unknown[] } | { path: string; min: number; max: number; pow2: boolean };

export interface SweepGrid {
  format: typeof SWEEP_FORMAT;
  name: string;
  /** The file it was read from (absolute), or `(inline)`. */
  source: string;
  /** Folder that relative workload paths are resolved against. */
  baseDir: string;
  base: AcceleratorSpec;
  /** `preset fpga` or `spec <name>`. */
  baseLabel: string;
  axes: Axis[];
  sample?: { count: number; seed: number; ranges: Range[] };
  workloads: WorkloadInput[];
  synth: boolean;
  lint: boolean;
  verify: boolean;
}

export interface PointDef {
  index: number;
  /** `p0001`, `p0002`, … in expansion order. */
  id: string;
  /** The varied fields of this point (path → value), in axis order. */
  params: Record<string, unknown>;
  /** The point's spec when valid. */
  spec?: AcceleratorSpec;
  /** Every broken rule when invalid. */
  issues?: Issue[];
}

const TOP_KEYS = ['$schema', 'format', 'name', 'base', 'grid', 'sample', 'workloads', 'synth', 'lint', 'verify'];
const BUILDER_KEYS = ['bunny', 'ply', 'points', 'voxel', 'layer', 'kernel', 'stride', 'cin', 'cout', 'seed', 'requant', 'relu', 'bias', 'tensorStride'];
const WORKLOAD_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

function describe(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object';
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** The leaf fields of the spec schema by dotted path (`matrix.rows`, …). */
export function specLeaves(): Map<string, Field> {
  const out = new Map<string, Field>();
  const walk = (f: ObjectField, prefix: string) => {
    for (const [k, sub] of Object.entries(f.fields)) {
      const p = prefix ? `${prefix}.${k}` : k;
      if (sub.kind === 'object') walk(sub, p);
      else out.set(p, sub);
    }
  };
  walk(acceleratorSchema, '');
  return out;
}

/** Levenshtein distance, for "did you mean" suggestions. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length]![b.length]!;
}

function checkPath(path: string, field: string, leaves: Map<string, Field>): void {
  if (path === 'name') throw new FieldError(field, 'the accelerator name cannot be swept (every point shares the base name, so identical modules are synthesized once)');
  if (leaves.has(path)) return;
  const known = [...leaves.keys()];
  const near = known
    .map((k) => [k, Math.min(distance(path, k), distance(path.split('.').at(-1)!, k.split('.').at(-1)!) + 1)] as const)
    .sort((a, b) => a[1] - b[1])[0];
  const hint = near && near[1] <= 3 ? ` (did you mean ${near[0]}?)` : '';
  throw new FieldError(field, `unknown spec field ${JSON.stringify(path)}${hint}; fields are dotted paths such as matrix.rows, mapping.lanes, buffers.coordDepth`);
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let o = obj;
  for (const p of parts.slice(0, -1)) o = o[p] as Record<string, unknown>;
  o[parts.at(-1)!] = structuredClone(value);
}

function integer(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new FieldError(field, `must be an integer between ${min} and ${max}, got ${describe(v)}`);
  }
  return v;
}

function boolField(v: unknown, field: string, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw new FieldError(field, `must be true or false, got ${describe(v)}`);
  return v;
}

function parseBase(v: unknown): { base: AcceleratorSpec; label: string } {
  if (typeof v === 'string') {
    if (!isPresetName(v)) throw new FieldError('base', `unknown preset ${JSON.stringify(v)} (known: ${PRESET_NAMES.join(', ')}), or give a spec object`);
    return { base: structuredClone(presets[v]), label: `preset ${v}` };
  }
  if (!isPlainObject(v)) throw new FieldError('base', `must be a preset name (${PRESET_NAMES.join(', ')}) or a spec object, got ${describe(v)}`);
  try {
    const spec = defineAccelerator(v as SpecInput);
    return { base: spec, label: `spec ${spec.name}` };
  } catch (e) {
    if (e instanceof SpecError) {
      const err = new FieldError(`base.${e.field}`, e.rule);
      if (e.issues.length > 1) err.message += ` (and ${e.issues.length - 1} more: ${e.issues.slice(1).map((i) => `base.${i.field}`).join(', ')})`;
      throw err;
    }
    throw e;
  }
}

function parseAxes(v: unknown, leaves: Map<string, Field>): Axis[] {
  if (v === undefined) return [];
  if (!isPlainObject(v)) throw new FieldError('grid', `must be an object of "spec.field": [values], got ${describe(v)}`);
  const seen = new Map<string, string>();
  return Object.entries(v).map(([key, values]) => {
    const field = `grid[${JSON.stringify(key)}]`;
    const paths = key.split(',').map((p) => p.trim());
    for (const p of paths) {
      checkPath(p, field, leaves);
      const other = seen.get(p);
      if (other !== undefined) throw new FieldError(field, `${p} is already varied by grid[${JSON.stringify(other)}]`);
      seen.set(p, key);
    }
    if (!Array.isArray(values) || values.length === 0) throw new FieldError(field, `must be a non-empty list of values, got ${describe(values)}`);
    const tuples = values.map((val, i) => {
      if (paths.length === 1) return [val];
      if (!Array.isArray(val) || val.length !== paths.length) {
        throw new FieldError(`${field}[${i}]`, `must be a list of ${paths.length} values (${paths.join(', ')}), got ${describe(val)}`);
      }
      return val;
    });
    return { key, paths, values: tuples };
  });
}

function parseSample(v: unknown, leaves: Map<string, Field>, axes: Axis[]): SweepGrid['sample'] {
  if (v === undefined) return undefined;
  if (!isPlainObject(v)) throw new FieldError('sample', `must be an object { count, seed, ranges }, got ${describe(v)}`);
  for (const k of Object.keys(v)) if (!['count', 'seed', 'ranges'].includes(k)) throw new FieldError(`sample.${k}`, 'unknown field (known: count, seed, ranges)');
  const count = integer(v.count, 'sample.count', 1, MAX_POINTS);
  if (typeof v.seed !== 'number' || !Number.isSafeInteger(v.seed)) throw new FieldError('sample.seed', `must be an integer, got ${describe(v.seed)}`);
  if (!isPlainObject(v.ranges) || Object.keys(v.ranges).length === 0) {
    throw new FieldError('sample.ranges', `must be a non-empty object of "spec.field": [choices] | { min, max, pow2? }, got ${describe(v.ranges)}`);
  }
  const gridPaths = new Set(axes.flatMap((a) => a.paths));
  const ranges: Range[] = Object.entries(v.ranges).map(([path, r]) => {
    const field = `sample.ranges[${JSON.stringify(path)}]`;
    checkPath(path, field, leaves);
    if (gridPaths.has(path)) throw new FieldError(field, `${path} is already varied by the grid; vary it in one place`);
    if (Array.isArray(r)) {
      if (r.length === 0) throw new FieldError(field, 'must list at least one choice');
      return { path, choices: r };
    }
    if (!isPlainObject(r)) throw new FieldError(field, `must be a list of choices or { min, max, pow2? }, got ${describe(r)}`);
    for (const k of Object.keys(r)) if (!['min', 'max', 'pow2'].includes(k)) throw new FieldError(`${field}.${k}`, 'unknown field (known: min, max, pow2)');
    const min = integer(r.min, `${field}.min`, -(2 ** 31), 2 ** 31);
    const max = integer(r.max, `${field}.max`, min, 2 ** 31);
    const pow2 = boolField(r.pow2, `${field}.pow2`, false);
    if (pow2 && (min < 1 || 2 ** Math.floor(Math.log2(max)) < min)) throw new FieldError(field, `holds no power of two between ${min} and ${max}`);
    return { path, min, max, pow2 };
  });
  return { count, seed: v.seed, ranges };
}

function parseBuilder(v: unknown, field: string): WorkloadBuilder {
  if (!isPlainObject(v)) throw new FieldError(field, `must be an object, got ${describe(v)}`);
  for (const k of Object.keys(v)) if (!BUILDER_KEYS.includes(k)) throw new FieldError(`${field}.${k}`, `unknown field (known: ${BUILDER_KEYS.join(', ')})`);
  const sources = ['bunny', 'ply', 'points'].filter((k) => v[k] !== undefined && v[k] !== false);
  if (sources.length !== 1) throw new FieldError(field, `give exactly one point source: bunny: true, ply: "file.ply" or points (got ${sources.length === 0 ? 'none' : sources.join(' and ')})`);
  if (v.bunny !== undefined && v.bunny !== true && v.bunny !== false) throw new FieldError(`${field}.bunny`, `must be true, got ${describe(v.bunny)}`);
  if (v.ply !== undefined && (typeof v.ply !== 'string' || v.ply === '')) throw new FieldError(`${field}.ply`, `must be a file path, got ${describe(v.ply)}`);
  if (v.points !== undefined && !Array.isArray(v.points) && !ArrayBuffer.isView(v.points)) {
    throw new FieldError(`${field}.points`, `must be a list of [x, y, z] or an interleaved number array, got ${describe(v.points)}`);
  }
  if (typeof v.voxel !== 'number' || !(v.voxel > 0) || !Number.isFinite(v.voxel)) throw new FieldError(`${field}.voxel`, `must be a number > 0, got ${describe(v.voxel)}`);
  if (!(LAYER_TYPES as readonly unknown[]).includes(v.layer)) throw new FieldError(`${field}.layer`, `must be one of ${LAYER_TYPES.join(', ')}, got ${describe(v.layer)}`);
  integer(v.kernel, `${field}.kernel`, 1, 64);
  if (v.stride !== undefined) integer(v.stride, `${field}.stride`, 1, 2 ** 30);
  integer(v.cin, `${field}.cin`, 1, 65536);
  integer(v.cout, `${field}.cout`, 1, 65536);
  if (typeof v.seed !== 'number' || !Number.isSafeInteger(v.seed)) throw new FieldError(`${field}.seed`, `must be an integer, got ${describe(v.seed)}`);
  for (const b of ['requant', 'relu', 'bias']) boolField(v[b], `${field}.${b}`, false);
  if (v.tensorStride !== undefined) integer(v.tensorStride, `${field}.tensorStride`, 1, 2 ** 30);
  return v as unknown as WorkloadBuilder;
}

const WORKLOAD_KEYS = ['name', 'builder', 'case', 'network', 'zoo', 'input'];
const CLOUD_KEYS = ['bunny', 'ply', 'points', 'voxel', 'seed'];
const ZOO_KEYS = ['arch', 'width', 'inChannels', 'classes', 'seed'];

function parseNetworkWorkload(w: Record<string, unknown>, field: string): WorkloadInput {
  const out: WorkloadInput = { name: w.name as string };
  if (w.network !== undefined) {
    if (typeof w.network === 'string') {
      if (w.network === '') throw new FieldError(`${field}.network`, 'must be a file path');
    } else if (!isPlainObject(w.network)) {
      throw new FieldError(`${field}.network`, `must be a network file path (or, in a .ts grid, a network), got ${describe(w.network)}`);
    }
    out.network = w.network as string | Network;
  } else {
    const z = w.zoo;
    if (!isPlainObject(z)) throw new FieldError(`${field}.zoo`, `must be { arch, width, inChannels, classes, seed }, got ${describe(z)}`);
    for (const k of Object.keys(z)) if (!ZOO_KEYS.includes(k)) throw new FieldError(`${field}.zoo.${k}`, `unknown field (known: ${ZOO_KEYS.join(', ')})`);
    if (typeof z.arch !== 'string') throw new FieldError(`${field}.zoo.arch`, `must be an architecture name, got ${describe(z.arch)}`);
    if (typeof z.width !== 'number' || !(z.width > 0) || z.width > 16) throw new FieldError(`${field}.zoo.width`, `must be a number in (0, 16], got ${describe(z.width)}`);
    integer(z.inChannels, `${field}.zoo.inChannels`, 1, 4096);
    integer(z.classes, `${field}.zoo.classes`, 1, 4096);
    if (typeof z.seed !== 'number' || !Number.isSafeInteger(z.seed)) throw new FieldError(`${field}.zoo.seed`, `must be an integer, got ${describe(z.seed)}`);
    out.zoo = z as unknown as ZooWorkload;
  }
  const c = w.input;
  const f = `${field}.input`;
  if (!isPlainObject(c)) throw new FieldError(f, `a network workload needs its cloud: { bunny | ply | points, voxel, seed }, got ${describe(c)}`);
  for (const k of Object.keys(c)) if (!CLOUD_KEYS.includes(k)) throw new FieldError(`${f}.${k}`, `unknown field (known: ${CLOUD_KEYS.join(', ')})`);
  const sources = ['bunny', 'ply', 'points'].filter((k) => c[k] !== undefined && c[k] !== false);
  if (sources.length !== 1) throw new FieldError(f, `give exactly one point source: bunny: true, ply: "file.ply" or points (got ${sources.length === 0 ? 'none' : sources.join(' and ')})`);
  if (c.ply !== undefined && (typeof c.ply !== 'string' || c.ply === '')) throw new FieldError(`${f}.ply`, `must be a file path, got ${describe(c.ply)}`);
  if (c.points !== undefined && !Array.isArray(c.points) && !ArrayBuffer.isView(c.points)) {
    throw new FieldError(`${f}.points`, `must be a list of [x, y, z] or an interleaved number array, got ${describe(c.points)}`);
  }
  if (typeof c.voxel !== 'number' || !(c.voxel > 0) || !Number.isFinite(c.voxel)) throw new FieldError(`${f}.voxel`, `must be a number > 0, got ${describe(c.voxel)}`);
  if (typeof c.seed !== 'number' || !Number.isSafeInteger(c.seed)) throw new FieldError(`${f}.seed`, `must be an integer, got ${describe(c.seed)}`);
  out.input = c as unknown as NetworkCloud;
  return out;
}

function parseWorkloads(v: unknown): WorkloadInput[] {
  if (!Array.isArray(v) || v.length === 0) throw new FieldError('workloads', `must be a non-empty list of { name, builder | case }, got ${describe(v)}`);
  const names = new Set<string>();
  return v.map((w, i) => {
    const field = `workloads[${i}]`;
    if (!isPlainObject(w)) throw new FieldError(field, `must be an object { name, builder | case }, got ${describe(w)}`);
    for (const k of Object.keys(w)) if (!WORKLOAD_KEYS.includes(k)) throw new FieldError(`${field}.${k}`, `unknown field (known: ${WORKLOAD_KEYS.join(', ')})`);
    if (typeof w.name !== 'string' || !WORKLOAD_NAME.test(w.name)) {
      throw new FieldError(`${field}.name`, `must be 1–64 letters, digits, '_', '.', '-' (starting with a letter or digit), got ${describe(w.name)}`);
    }
    if (names.has(w.name)) throw new FieldError(`${field}.name`, `duplicate workload name ${JSON.stringify(w.name)}`);
    names.add(w.name);
    const kinds = ['builder', 'case', 'network', 'zoo'].filter((k) => w[k] !== undefined);
    if (kinds.length !== 1) throw new FieldError(field, `give exactly one of builder or case (a layer) or network or zoo (a network) (got ${kinds.length === 0 ? 'none' : kinds.join(' and ')})`);
    if (w.network !== undefined || w.zoo !== undefined) return parseNetworkWorkload(w, field);
    if (w.input !== undefined) throw new FieldError(`${field}.input`, 'only applies to a network or zoo workload');
    if (w.builder !== undefined) return { name: w.name, builder: parseBuilder(w.builder, `${field}.builder`) };
    if (typeof w.case === 'string') {
      if (w.case === '') throw new FieldError(`${field}.case`, 'must be a file path');
      return { name: w.name, case: w.case };
    }
    if (!isPlainObject(w.case)) throw new FieldError(`${field}.case`, `must be a layer-case file path (or, in a .ts grid, a layer case), got ${describe(w.case)}`);
    return { name: w.name, case: w.case as unknown as LayerCase };
  });
}

/** Validates a grid document; `source` is its file (relative paths resolve against its folder). */
export function parseGrid(value: unknown, source = '(inline)'): SweepGrid {
  if (!isPlainObject(value)) throw new FieldError('(grid)', `must be an object, got ${describe(value)}`);
  for (const k of Object.keys(value)) if (!TOP_KEYS.includes(k)) throw new FieldError(k, `unknown field (known: ${TOP_KEYS.slice(1).join(', ')})`);
  if (value.format !== SWEEP_FORMAT) throw new FieldError('format', `must be ${JSON.stringify(SWEEP_FORMAT)}, got ${describe(value.format)}`);
  const abs = source === '(inline)' ? source : resolve(source);
  let name: string;
  if (value.name === undefined) {
    name = abs === '(inline)' ? 'sweep' : abs.split(/[\\/]/).at(-1)!.replace(/\.[^.]*$/, '');
  } else if (typeof value.name !== 'string' || !WORKLOAD_NAME.test(value.name)) {
    throw new FieldError('name', `must be 1–64 letters, digits, '_', '.', '-', got ${describe(value.name)}`);
  } else {
    name = value.name;
  }
  const { base, label } = parseBase(value.base);
  const leaves = specLeaves();
  const axes = parseAxes(value.grid, leaves);
  const sample = parseSample(value.sample, leaves, axes);
  if (axes.length === 0 && !sample) throw new FieldError('grid', 'give a grid, a sample or both (a sweep needs something to vary)');
  const workloads = parseWorkloads(value.workloads);
  const grid: SweepGrid = {
    format: SWEEP_FORMAT,
    name,
    source: abs,
    baseDir: abs === '(inline)' ? process.cwd() : dirname(abs),
    base,
    baseLabel: label,
    axes,
    sample,
    workloads,
    synth: boolField(value.synth, 'synth', true),
    lint: boolField(value.lint, 'lint', true),
    verify: boolField(value.verify, 'verify', false),
  };
  const n = pointCount(grid);
  if (n > MAX_POINTS) throw new FieldError('grid', `expands to ${n} points, more than ${MAX_POINTS}; split the sweep`);
  return grid;
}

/** Reads a `.json` grid or imports a `.ts`/`.js` one (its default export, or a function returning it). */
export async function loadGridFile(file: string): Promise<SweepGrid> {
  const abs = resolve(file);
  const ext = extname(file).toLowerCase();
  let value: unknown;
  if (ext === '.json') {
    let text: string;
    try {
      text = await readFile(abs, 'utf8');
    } catch (e) {
      throw new FieldError(file, `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new FieldError(file, `not valid JSON: ${(e as Error).message}`);
    }
  } else if (['.ts', '.mts', '.js', '.mjs'].includes(ext)) {
    let mod: { default?: unknown };
    try {
      mod = (await import(pathToFileURL(abs).href)) as { default?: unknown };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && (e as Error).message.includes(abs)) throw new FieldError(file, 'cannot read: ENOENT');
      throw e;
    }
    if (mod.default === undefined) throw new FieldError(file, 'has no default export (export the grid object, or a function returning it)');
    value = typeof mod.default === 'function' ? await (mod.default as () => unknown)() : mod.default;
  } else {
    throw new FieldError(file, `unsupported grid file type ${JSON.stringify(ext || file)} (use .json or .ts)`);
  }
  try {
    return parseGrid(value, abs);
  } catch (e) {
    if (e instanceof FieldError) {
      const err = new FieldError(e.field, e.rule);
      err.message = `${file}: ${e.message}`;
      throw err;
    }
    throw e;
  }
}

export function pointCount(grid: SweepGrid): number {
  return grid.axes.reduce((n, a) => n * a.values.length, 1) * (grid.sample?.count ?? 1);
}

/** The distinct random draws of `sample`, each a path → value map (duplicates dropped). */
function drawSamples(sample: NonNullable<SweepGrid['sample']>): Record<string, unknown>[] {
  const rng = new Prng(sample.seed);
  const out: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  // Bounded: a small space cannot yield `count` distinct draws.
  for (let tries = 0; out.length < sample.count && tries < sample.count * 20; tries++) {
    const d: Record<string, unknown> = {};
    for (const r of sample.ranges) {
      if ('choices' in r) d[r.path] = structuredClone(r.choices[rng.int(0, r.choices.length - 1)]);
      else if (r.pow2) {
        const lo = Math.ceil(Math.log2(r.min));
        const hi = Math.floor(Math.log2(r.max));
        d[r.path] = 2 ** rng.int(lo, hi);
      } else d[r.path] = rng.int(r.min, r.max);
    }
    const key = JSON.stringify(d);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}

/**
 * Every point: the Cartesian product of the axes (first axis slowest), each combined with every
 * random draw (the same draws for every grid point, so grid points are compared on equal terms).
 */
export function expandGrid(grid: SweepGrid): PointDef[] {
  const draws = grid.sample ? drawSamples(grid.sample) : [{}];
  const combos: Record<string, unknown>[] = [];
  const rec = (i: number, acc: Record<string, unknown>) => {
    if (i === grid.axes.length) {
      for (const d of draws) combos.push({ ...acc, ...d });
      return;
    }
    const a = grid.axes[i]!;
    for (const tuple of a.values) {
      const next = { ...acc };
      a.paths.forEach((p, k) => (next[p] = tuple[k]));
      rec(i + 1, next);
    }
  };
  rec(0, {});
  const width = Math.max(4, String(combos.length).length);
  return combos.map((params, index) => {
    const candidate = structuredClone(grid.base) as unknown as Record<string, unknown>;
    for (const [p, v] of Object.entries(params)) setPath(candidate, p, v);
    const issues = validateSpec(candidate);
    const id = `p${String(index + 1).padStart(width, '0')}`;
    return issues.length === 0
      ? { index, id, params, spec: candidate as unknown as AcceleratorSpec }
      : { index, id, params, issues };
  });
}

/** Short column labels for the varied fields: the last path segment unless two fields share it. */
export function paramLabels(paths: string[]): Map<string, string> {
  const last = (p: string) => p.split('.').at(-1)!;
  const count = new Map<string, number>();
  for (const p of paths) count.set(last(p), (count.get(last(p)) ?? 0) + 1);
  return new Map(paths.map((p) => [p, count.get(last(p))! > 1 ? p : last(p)]));
}

/** Every varied path of a grid, in axis order then sample order. */
export function variedPaths(grid: SweepGrid): string[] {
  return [...grid.axes.flatMap((a) => a.paths), ...(grid.sample?.ranges.map((r) => r.path) ?? [])];
}
