// Turning user input into a checked AcceleratorSpec: strict parsing of complete specs, and
// `defineAccelerator`, which deep-merges a partial spec over a base (baseSpec by default).
import { FieldError } from '../model/errors.ts';
import { baseSpec } from './presets.ts';
import { acceleratorSchema, crossRules, type AcceleratorSpec } from './spec.ts';
import { deepMerge, inSchemaOrder, isPlainObject, validate, type DeepPartial, type Issue } from './schema.ts';

/** A spec that breaks one or more rules; `field`/`rule` are the first, `issues` all of them. */
export class SpecError extends FieldError {
  readonly issues: Issue[];

  constructor(issues: Issue[]) {
    const first = issues[0]!;
    super(first.field, first.rule);
    this.name = 'SpecError';
    this.issues = issues;
    // One line for the CLI, which prints only the first line of a message.
    if (issues.length > 1) {
      this.message += ` (and ${issues.length - 1} more: ${issues
        .slice(1)
        .map((i) => i.field)
        .join(', ')})`;
    }
  }
}

/** Every broken rule of `input`, empty when it is a valid complete spec. */
export function validateSpec(input: unknown): Issue[] {
  return validate(acceleratorSchema, crossRules, input);
}

/**
 * A complete spec (every field present); throws SpecError. Returns a copy whose keys are in
 * schema order (equal specs give byte-identical manifests whatever order their keys came in).
 */
export function parseSpec(input: unknown): AcceleratorSpec {
  const issues = validateSpec(input);
  if (issues.length > 0) throw new SpecError(issues);
  return inSchemaOrder(acceleratorSchema, input) as AcceleratorSpec;
}

export type SpecInput = DeepPartial<AcceleratorSpec> & { name: string };

/**
 * A spec from a partial description: objects are merged field by field over `base`
 * (baseSpec, i.e. the schema defaults, unless given), lists and scalars replace. Unknown fields
 * survive the merge and are rejected by name. Throws SpecError.
 */
export function defineAccelerator(partial: SpecInput, base: AcceleratorSpec = baseSpec): AcceleratorSpec {
  // The name is the one field without a default: two accelerators must not share module names
  // by accident (a config file that forgot it would otherwise become `sf_fpga`).
  if (isPlainObject(partial) && partial.name === undefined) {
    throw new SpecError([{ field: 'name', rule: 'required (a Verilog identifier that prefixes every module)' }]);
  }
  return parseSpec(deepMerge(base, partial));
}
