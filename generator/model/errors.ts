/**
 * An error in user input that names the offending field (`input.coords[3]`, `matrix.rows`, …).
 * The CLI prints `message` as one line and exits non-zero; no stack trace reaches the user.
 */
export class FieldError extends Error {
  readonly field: string;
  readonly rule: string;

  constructor(field: string, rule: string) {
    super(`${field}: ${rule}`);
    this.name = 'FieldError';
    this.field = field;
    this.rule = rule;
  }
}

/** Prefix a nested field path: `fieldPath('input', 'coords', 3)` → `input.coords[3]`. */
export function fieldPath(...parts: (string | number)[]): string {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? p : `.${p}`;
  }
  return out;
}

/**
 * A FieldError inside one node of a network (DESIGN.md §6): the message reads
 * `nodes[3] "enc1.down": weights[7][2][0]: …`, so the user finds the node by index and by name.
 */
export class NodeError extends FieldError {
  /** The node's name (empty when the node has no usable name). */
  readonly node: string;
  readonly nodeIndex: number;
  /** The field inside the node (`weights[7][2][0]`), empty for the node as a whole. */
  readonly nodeField: string;

  constructor(index: number, name: string, field: string, rule: string) {
    const where = `nodes[${index}]${name === '' ? '' : ` ${JSON.stringify(name)}`}`;
    super(field === '' ? where : `${where}: ${field}`, rule);
    this.name = 'NodeError';
    this.node = name;
    this.nodeIndex = index;
    this.nodeField = field;
  }
}
