// A small schema description in the spirit of zod, without the dependency: the accelerator spec
// is described once (spec.ts) and this module turns that description into the TypeScript type,
// field-named validation errors, the JSON Schema printed by `sparseforge schema`, defaults and a
// Markdown parameter table. Only the shapes the spec needs exist: integers (ranges, powers of
// two, value lists), booleans, Verilog identifiers, enum sets, string choices and nested objects.
import { fieldPath } from '../model/errors.ts';
import { isPow2 } from './derive/math.ts';
import { isVerilogIdentifier, VERILOG_KEYWORDS } from './identifier.ts';

interface FieldBase {
  description: string;
}

export interface IntField extends FieldBase {
  kind: 'int';
  min: number;
  max: number;
  /** The hardware indexes or shifts by it, so only powers of two are accepted. */
  pow2?: boolean;
  /** An explicit value list (e.g. AXI4-Lite allows 32 or 64 bits only). */
  values?: readonly number[];
  default: number;
  /** Unit shown in docs (bits, words, …). */
  unit?: string;
}

export interface BoolField extends FieldBase {
  kind: 'bool';
  default: boolean;
}

export interface IdentifierField extends FieldBase {
  kind: 'identifier';
  maxLength: number;
  default?: string;
}

export interface EnumSetField<T extends string = string> extends FieldBase {
  kind: 'enumSet';
  values: readonly T[];
  default: readonly T[];
}

/** One string of a fixed list (e.g. `dense` or an N:M pattern). */
export interface ChoiceField<T extends string = string> extends FieldBase {
  kind: 'choice';
  values: readonly T[];
  default: T;
  /** The rule in words, for errors and docs (the list itself may be long). */
  rule: string;
}

export interface ObjectField<S extends Shape = Shape> extends FieldBase {
  kind: 'object';
  fields: S;
}

export type Field = IntField | BoolField | IdentifierField | EnumSetField<string> | ChoiceField<string> | ObjectField<Shape>;
export type Shape = { readonly [key: string]: Field };

export type Infer<F> = F extends IntField
  ? number
  : F extends BoolField
    ? boolean
    : F extends IdentifierField
      ? string
      : F extends EnumSetField<infer T>
        ? T[]
        : F extends ChoiceField<infer T>
          ? T
          : F extends ObjectField<infer S>
            ? { -readonly [K in keyof S]: Infer<S[K]> }
            : never;

export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

// Constructors keep literal types (`values`, nested shapes) so that Infer<> stays precise.
export const int = (f: Omit<IntField, 'kind'>): IntField => ({ kind: 'int', ...f });
export const bool = (f: Omit<BoolField, 'kind'>): BoolField => ({ kind: 'bool', ...f });
export const identifier = (f: Omit<IdentifierField, 'kind'>): IdentifierField => ({ kind: 'identifier', ...f });
export const enumSet = <const T extends string>(f: Omit<EnumSetField<T>, 'kind'>): EnumSetField<T> => ({
  kind: 'enumSet',
  ...f,
});
export const choice = <const T extends string>(f: Omit<ChoiceField<T>, 'kind'>): ChoiceField<T> => ({ kind: 'choice', ...f });
export const object = <const S extends Shape>(description: string, fields: S): ObjectField<S> => ({
  kind: 'object',
  description,
  fields,
});

/** One problem found in a spec: the dotted field path and the rule it breaks. */
export interface Issue {
  field: string;
  rule: string;
}

/**
 * A rule across fields. `fields[0]` is the field an error is reported against; the others are
 * named in the message. `check` sees a structurally valid spec.
 */
export interface CrossRule<T> {
  fields: string[];
  /** One sentence for the docs. */
  description: string;
  check(spec: T): string | undefined;
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'bigint') return `${v}n (a BigInt)`;
  let s: string | undefined;
  try {
    s = JSON.stringify(v);
  } catch {
    // Cycles, BigInts: fall back below.
  }
  if (s === undefined) {
    // Functions, symbols, cyclic or null-prototype objects (String() of those can throw too).
    try {
      s = typeof v === 'function' ? 'a function' : String(v).replace(/\s+/g, ' ');
    } catch {
      s = `a ${typeof v}`;
    }
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/**
 * The path of an object key: `a.b` for identifier-like keys, `a["b c"]` otherwise, so that a key
 * holding dots, spaces or line breaks cannot break the one-line message or look like a path.
 */
function keyPath(path: string, key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? fieldPath(path, key) : `${path}[${JSON.stringify(key)}]`;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** The rule text of an integer field, shared by error messages and docs. */
export function intRule(f: IntField): string {
  if (f.values) return `must be one of ${f.values.join(', ')}`;
  if (f.pow2) return `must be a power of two between ${f.min} and ${f.max}`;
  return `must be an integer between ${f.min} and ${f.max}`;
}

function checkField(f: Field, v: unknown, path: string, issues: Issue[]): void {
  switch (f.kind) {
    case 'int': {
      const ok =
        typeof v === 'number' &&
        Number.isInteger(v) &&
        (f.values ? f.values.includes(v) : v >= f.min && v <= f.max && (!f.pow2 || isPow2(v)));
      if (!ok) issues.push({ field: path, rule: `${intRule(f)}, got ${describeValue(v)}` });
      return;
    }
    case 'bool':
      if (typeof v !== 'boolean') issues.push({ field: path, rule: `must be true or false, got ${describeValue(v)}` });
      return;
    case 'identifier': {
      if (typeof v !== 'string') {
        issues.push({ field: path, rule: `must be a string, got ${describeValue(v)}` });
      } else if (!isVerilogIdentifier(v)) {
        issues.push({
          field: path,
          rule: `must be a Verilog identifier (a letter or _ then letters, digits or _), got ${describeValue(v)}`,
        });
      } else if (VERILOG_KEYWORDS.has(v)) {
        issues.push({ field: path, rule: `must not be a Verilog/SystemVerilog keyword, got ${describeValue(v)}` });
      } else if (v.length > f.maxLength) {
        issues.push({ field: path, rule: `must be at most ${f.maxLength} characters, got ${v.length}` });
      }
      return;
    }
    case 'choice':
      if (typeof v !== 'string' || !f.values.includes(v)) issues.push({ field: path, rule: `${f.rule}, got ${describeValue(v)}` });
      return;
    case 'enumSet': {
      if (!Array.isArray(v)) {
        issues.push({ field: path, rule: `must be a non-empty list of ${f.values.join(' | ')}, got ${describeValue(v)}` });
        return;
      }
      if (v.length === 0) issues.push({ field: path, rule: `must list at least one of ${f.values.join(', ')}` });
      const seen = new Set<unknown>();
      v.forEach((item, i) => {
        const at = fieldPath(path, i);
        if (!f.values.includes(item as string)) {
          issues.push({ field: at, rule: `must be one of ${f.values.join(', ')}, got ${describeValue(item)}` });
        } else if (seen.has(item)) {
          issues.push({ field: at, rule: `duplicate ${describeValue(item)}` });
        }
        seen.add(item);
      });
      return;
    }
    case 'object': {
      if (!isPlainObject(v)) {
        issues.push({ field: path || '(spec)', rule: `must be an object, got ${describeValue(v)}` });
        return;
      }
      const known = Object.keys(f.fields);
      for (const key of Object.keys(v)) {
        // Own keys only: `constructor`, `toString`, `__proto__` … are unknown fields too.
        if (!Object.hasOwn(f.fields, key)) {
          issues.push({ field: keyPath(path, key), rule: `unknown field (known: ${known.join(', ')})` });
        }
      }
      for (const key of known) {
        const sub = fieldPath(path, key);
        if (!(key in v) || v[key] === undefined) issues.push({ field: sub, rule: 'required' });
        else checkField(f.fields[key]!, v[key], sub, issues);
      }
      return;
    }
  }
}

/**
 * A copy of a structurally valid value with every object's keys in schema order, so that equal
 * specs serialize to the same bytes (manifest.json) whatever the key order of the input.
 */
export function inSchemaOrder(f: Field, v: unknown): unknown {
  switch (f.kind) {
    case 'object': {
      const o = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [k, sub] of Object.entries(f.fields)) out[k] = inSchemaOrder(sub, o[k]);
      return out;
    }
    case 'enumSet':
      return [...(v as unknown[])];
    default:
      return v;
  }
}

/** What the docs need of a cross rule. */
export type RuleDoc = Pick<CrossRule<unknown>, 'fields' | 'description'>;

/** Structural validation, then the cross-field rules when the structure is sound. */
export function validate<S extends Shape>(root: ObjectField<S>, rules: CrossRule<Infer<ObjectField<S>>>[], v: unknown): Issue[] {
  const issues: Issue[] = [];
  checkField(root, v, '', issues);
  if (issues.length > 0) return issues;
  for (const rule of rules) {
    const broken = rule.check(v as Infer<ObjectField<S>>);
    if (broken !== undefined) issues.push({ field: rule.fields[0]!, rule: broken });
  }
  return issues;
}

/** The default value of every field that has one, as a nested object. */
export function defaults(f: Field): unknown {
  switch (f.kind) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, sub] of Object.entries(f.fields)) {
        const d = defaults(sub);
        if (d !== undefined) out[k] = d;
      }
      return out;
    }
    case 'enumSet':
      return [...f.default];
    default:
      return f.default;
  }
}

/**
 * Deep merge for partial specs: objects merge key by key, anything else (arrays included)
 * replaces. Keys the base does not have are kept so that validation can reject them by name.
 */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return cloneValue(base);
  if (isPlainObject(base) && isPlainObject(over)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(base)) setOwn(out, k, cloneValue(base[k]));
    for (const [k, v] of Object.entries(over)) setOwn(out, k, deepMerge(Object.hasOwn(base, k) ? base[k] : undefined, v));
    return out;
  }
  return cloneValue(over);
}

/**
 * A copy of `v`; a value that cannot be cloned (a function or symbol somewhere inside) is kept
 * as it is: it can never pass validation, which then names its field (structuredClone would
 * throw a DataCloneError naming nothing).
 */
function cloneValue(v: unknown): unknown {
  try {
    return structuredClone(v);
  } catch {
    return v;
  }
}

/** `o[k] = v` that keeps a `__proto__` key as an own field (to be rejected by name) instead of re-parenting `o`. */
function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

export interface JsonSchemaOptions {
  id?: string;
  title?: string;
  /** Fields that must be present at the top level (the rest default). */
  required?: string[];
}

/** A draft 2020-12 JSON Schema of the structure (cross-field rules are listed in `$comment`). */
export function toJsonSchema(root: ObjectField, rules: RuleDoc[], opts: JsonSchemaOptions = {}): Record<string, unknown> {
  const node = (f: Field): Record<string, unknown> => {
    switch (f.kind) {
      case 'int': {
        const out: Record<string, unknown> = { type: 'integer', description: f.description };
        if (f.values) out.enum = [...f.values];
        else {
          out.minimum = f.min;
          out.maximum = f.max;
          if (f.pow2) {
            const pows: number[] = [];
            for (let p = f.min; p <= f.max; p *= 2) if (isPow2(p)) pows.push(p);
            out.enum = pows;
          }
        }
        out.default = f.default;
        return out;
      }
      case 'bool':
        return { type: 'boolean', description: f.description, default: f.default };
      case 'identifier':
        return {
          type: 'string',
          description: f.description,
          pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
          maxLength: f.maxLength,
          not: { enum: [...VERILOG_KEYWORDS].sort() },
          ...(f.default === undefined ? {} : { default: f.default }),
        };
      case 'choice':
        return { type: 'string', description: f.description, enum: [...f.values], default: f.default };
      case 'enumSet':
        return {
          type: 'array',
          description: f.description,
          items: { enum: [...f.values] },
          minItems: 1,
          uniqueItems: true,
          default: [...f.default],
        };
      case 'object':
        return {
          type: 'object',
          description: f.description,
          properties: Object.fromEntries(Object.entries(f.fields).map(([k, sub]) => [k, node(sub)])),
          additionalProperties: false,
        };
    }
  };
  const body = node(root);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    ...(opts.id ? { $id: opts.id } : {}),
    ...(opts.title ? { title: opts.title } : {}),
    ...body,
    // Editors add `$schema` to the files they validate; allow it at the top level only.
    properties: { $schema: { type: 'string' }, ...(body.properties as object) },
    required: opts.required ?? [],
    $comment: `Cross-field rules (checked by sparseforge, not expressible here): ${rules.map((r) => r.description).join(' ')}`,
  };
}

function mdEscape(s: string): string {
  return s.replace(/\|/g, '\\|');
}

/** Markdown tables: one per nested object, then the cross-field rules. */
export function toMarkdown(root: ObjectField, rules: RuleDoc[]): string {
  const lines: string[] = [];
  const leafRows: string[] = [];
  const header = ['| Field | Type | Allowed | Default | Description |', '| --- | --- | --- | --- | --- |'];
  const row = (path: string, f: Exclude<Field, ObjectField>): string => {
    let type: string;
    let allowed: string;
    let def: string;
    switch (f.kind) {
      case 'int':
        type = f.unit ? `integer (${f.unit})` : 'integer';
        allowed = f.values ? f.values.join(', ') : `${f.pow2 ? 'power of two, ' : ''}${f.min} … ${f.max}`;
        def = String(f.default);
        break;
      case 'bool':
        type = 'boolean';
        allowed = 'true, false';
        def = String(f.default);
        break;
      case 'identifier':
        type = 'string';
        allowed = `Verilog identifier, ≤ ${f.maxLength} chars, not a keyword`;
        def = f.default === undefined ? '(required)' : f.default;
        break;
      case 'choice':
        type = 'string';
        allowed = f.values.join(', ');
        def = f.default;
        break;
      case 'enumSet':
        type = 'list';
        allowed = `non-empty subset of ${f.values.join(', ')}`;
        def = f.default.join(', ');
        break;
    }
    return `| \`${path}\` | ${type} | ${mdEscape(allowed)} | ${mdEscape(def)} | ${mdEscape(f.description)} |`;
  };
  for (const [k, f] of Object.entries(root.fields)) {
    if (f.kind !== 'object') leafRows.push(row(k, f));
  }
  if (leafRows.length) lines.push(...header, ...leafRows, '');
  for (const [k, f] of Object.entries(root.fields)) {
    if (f.kind !== 'object') continue;
    lines.push(`### \`${k}\` — ${f.description}`, '', ...header);
    for (const [sk, sf] of Object.entries(f.fields)) {
      if (sf.kind === 'object') throw new Error(`toMarkdown: ${k}.${sk}: nesting deeper than two levels`);
      lines.push(row(`${k}.${sk}`, sf));
    }
    lines.push('');
  }
  lines.push('### Cross-field rules', '');
  for (const r of rules) lines.push(`- ${r.description} (reported on \`${r.fields[0]}\`)`);
  lines.push('');
  return lines.join('\n');
}
