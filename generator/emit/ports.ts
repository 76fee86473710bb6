// Module interfaces read back from the emitted Verilog, for the manifest: what a user wiring the
// RTL into a design needs, taken from the text the tools will see rather than declared twice.
// Only the subset the templates use is understood: one module per file with an ANSI header
// (`module m #(parameter ...) (input wire [7:0] a_i, ...);`).

export interface Port {
  name: string;
  direction: 'input' | 'output' | 'inout';
  /** Bits, when the range is made of integer literals; null for a parameterised range. */
  width: number | null;
  /** The declared range as written (`[7:0]`, `[WIDTH-1:0]`), empty for one bit. */
  range: string;
  signed: boolean;
}

export interface Parameter {
  name: string;
  /** Default value as written. */
  value: string;
}

export interface ModuleInterface {
  name: string;
  parameters: Parameter[];
  ports: Port[];
}

/** The text without comments (line comments removed, block comments replaced by a space). */
export function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, '');
}

/** The text between the bracket at `open` and its match, and the index after the match. */
function balanced(s: string, open: number): { inner: string; end: number } {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')') {
      depth--;
      if (depth === 0) return { inner: s.slice(open + 1, i), end: i + 1 };
    }
  }
  throw new Error('unbalanced parentheses in module header');
}

/** Split on commas that are not inside (), [] or {}. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '') out.push(cur);
  return out.map((x) => x.trim()).filter((x) => x !== '');
}

const PORT_RE =
  /^(input|output|inout)\s+(?:(?:wire|reg|logic|var)\s+)?(signed\s+)?(?:(?:wire|reg|logic)\s+)?(\[[^\]]+\])?\s*([A-Za-z_][A-Za-z0-9_$]*)$/;
const CONT_RE = /^([A-Za-z_][A-Za-z0-9_$]*)$/;
const PARAM_RE = /^(?:parameter|localparam)?\s*(?:integer|int|signed|unsigned|real|logic|bit)?\s*(?:\[[^\]]+\])?\s*([A-Za-z_][A-Za-z0-9_$]*)\s*=\s*([\s\S]+)$/;

function rangeWidth(range: string): number | null {
  const m = /^\[\s*(\d+)\s*:\s*(\d+)\s*\]$/.exec(range);
  if (!m) return null;
  return Math.abs(Number(m[1]) - Number(m[2])) + 1;
}

/** Parses every module declared in `src` (normally exactly one). */
export function parseModules(src: string): ModuleInterface[] {
  const s = stripComments(src);
  const out: ModuleInterface[] = [];
  const re = /\bmodule\s+([A-Za-z_][A-Za-z0-9_$]*)\s*/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    const name = m[1]!;
    let i = re.lastIndex;
    const parameters: Parameter[] = [];
    if (s[i] === '#') {
      const open = s.indexOf('(', i);
      const { inner, end } = balanced(s, open);
      for (const part of splitTop(inner)) {
        const pm = PARAM_RE.exec(part.replace(/\s+/g, ' ').trim());
        if (!pm) throw new Error(`module ${name}: cannot parse parameter ${JSON.stringify(part)}`);
        parameters.push({ name: pm[1]!, value: pm[2]!.trim() });
      }
      i = end;
      while (/\s/.test(s[i] ?? '')) i++;
    }
    const ports: Port[] = [];
    if (s[i] === '(') {
      const { inner, end } = balanced(s, i);
      let prev: Omit<Port, 'name'> | undefined;
      for (const part of splitTop(inner)) {
        const text = part.replace(/\s+/g, ' ').trim();
        const pm = PORT_RE.exec(text);
        if (pm) {
          const range = (pm[3] ?? '').replace(/\s+/g, '');
          prev = { direction: pm[1] as Port['direction'], width: range === '' ? 1 : rangeWidth(range), range, signed: pm[2] !== undefined };
          ports.push({ name: pm[4]!, ...prev });
          continue;
        }
        const cm = CONT_RE.exec(text);
        if (cm && prev) {
          ports.push({ name: cm[1]!, ...prev });
          continue;
        }
        throw new Error(`module ${name}: cannot parse port ${JSON.stringify(text)} (templates use ANSI port declarations)`);
      }
      re.lastIndex = end;
    }
    out.push({ name, parameters, ports });
  }
  return out;
}

/**
 * Does `body` (comments stripped) instantiate module `name`? An instantiation is the module name
 * followed by a parameter list (`#(`) or an instance name and `(`.
 */
export function instantiates(body: string, name: string): boolean {
  return new RegExp(`(?<!\\bmodule\\s+)\\b${name.replace(/\$/g, '\\$')}\\s*(#\\s*\\(|[A-Za-z_][A-Za-z0-9_$]*\\s*\\()`).test(body);
}

/** For each module, the modules among `sources` that it instantiates (outside comments). */
export function instantiations(sources: { name: string; text: string }[]): Map<string, Set<string>> {
  const stripped = sources.map((s) => ({ name: s.name, text: stripComments(s.text) }));
  const children = new Map<string, Set<string>>(stripped.map((s) => [s.name, new Set<string>()]));
  for (const parent of stripped) {
    for (const child of stripped) if (child !== parent && instantiates(parent.text, child.name)) children.get(parent.name)!.add(child.name);
  }
  return children;
}

/** Every module below `m` in the instantiation map (children, their children, …). */
export function descendants(children: Map<string, Set<string>>, m: string, seen: Set<string> = new Set()): Set<string> {
  for (const c of children.get(m) ?? []) {
    if (!seen.has(c)) {
      seen.add(c);
      descendants(children, c, seen);
    }
  }
  return seen;
}

/** Modules that no other module instantiates: candidates for a top level. */
export function rootModules(sources: { name: string; text: string }[]): Set<string> {
  const children = instantiations(sources);
  const instantiated = new Set([...children.values()].flatMap((c) => [...c]));
  return new Set(sources.map((s) => s.name).filter((n) => !instantiated.has(n)));
}
