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
