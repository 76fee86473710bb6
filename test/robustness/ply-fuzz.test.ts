// Fuzzed PLY files through parsePly: truncation at every byte, corrupted header counts, types and
// format lines, garbage bytes, ASCII bodies with missing/extra/non-finite values. Each file either
// parses into finite x/y/z triples (one per declared vertex) or is refused with a FieldError whose
// message starts with `PLY` (the name of the source) and says where; never a RangeError, a
// TypeError or a hang.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodePly, parsePly, parsePlyHeader, type PlyWriteOptions } from '../../generator/io/ply.ts';
import { plyFixtures } from '../fixtures/ply/make-fixtures.ts';
import { describeThrown, expectFieldError, fcParams, FUZZ_SEED, outcome } from './helpers.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder('latin1').decode(b);
const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);

/** A slow parse is a bug too (the inputs are at most a few kB). */
const PARSE_BUDGET_MS = 250;

/** More shapes than the fixtures: lists inside the vertex element, integer coordinates, an element first. */
function extraFiles(): Record<string, Uint8Array> {
  const mk = (format: PlyWriteOptions['format']): PlyWriteOptions => ({
    format,
    comments: ['fuzz base'],
    elements: [
      { name: 'material', properties: [{ name: 'id', type: 'uint16' }], rows: [[1], [2]] },
      {
        name: 'vertex',
        properties: [
          { name: 'tags', type: 'list', countType: 'uint8', itemType: 'int16' },
          { name: 'z', type: 'int32' },
          { name: 'x', type: 'int16' },
          { name: 'y', type: 'float64' },
        ],
        rows: [
          [[1, 2], -3, 4, 0.5],
          [[], 7, -8, -1e10],
          [[9], 0, 0, 2.25],
        ],
      },
    ],
  });
  return { 'lists-ascii.ply': encodePly(mk('ascii')), 'lists-binary.ply': encodePly(mk('binary_little_endian')) };
}

const BASES: Record<string, Uint8Array> = { ...plyFixtures(), ...extraFiles() };
const BASE_NAMES = Object.keys(BASES);

/** parsePly's outcome must be finite triples, one per declared vertex, or a `PLY…` FieldError. */
function checkParse(bytes: Uint8Array, context: string): 'ok' | 'refused' {
  const t0 = performance.now();
  const r = outcome(() => parsePly(bytes));
  const ms = performance.now() - t0;
  expect(ms, `${context}: parse took ${ms.toFixed(0)} ms`).toBeLessThan(PARSE_BUDGET_MS);
  if (r.ok) {
    const h = parsePlyHeader(bytes);
    const count = h.elements.find((e) => e.name === 'vertex')!.count;
    expect(r.value.length, context).toBe(count * 3);
    for (const v of r.value) expect(Number.isFinite(v), `${context}: non-finite coordinate ${v}`).toBe(true);
    return 'ok';
  }
  const e = expectFieldError(r.error, context);
  expect(e.message, context).toMatch(/^PLY( line \d+)?: /);
  return 'refused';
}

function headerAndBody(bytes: Uint8Array): { header: string; body: Uint8Array } {
  const h = parsePlyHeader(bytes);
  return { header: dec(bytes.subarray(0, h.bodyOffset)), body: bytes.subarray(h.bodyOffset) };
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

beforeAll(() => {
  process.stdout.write(`[robustness] PLY fuzz: fast-check seed ${FUZZ_SEED}\n`);
});

describe('PLY files, truncated', () => {
  it('at every byte of header and body: binary files always refused, ASCII refused or complete', () => {
    let refused = 0;
    let cuts = 0;
    for (const [name, bytes] of Object.entries(BASES)) {
      cuts += bytes.length;
      const binary = name.includes('binary');
      for (let n = 0; n < bytes.length; n++) {
        const what = checkParse(bytes.subarray(0, n), `${name} cut at byte ${n} of ${bytes.length}`);
        if (what === 'refused') refused++;
        else if (binary) throw new Error(`${name} cut at byte ${n} of ${bytes.length} was accepted`);
      }
      expect(checkParse(bytes, name)).toBe('ok');
    }
    // ASCII cuts inside the last value (`0.2` of `0.25`) still parse; nothing else does.
    expect(refused).toBeGreaterThan(0.95 * cuts);
  });

  it('the messages say where: header line, missing line, truncated binary vertex', () => {
    const b = BASES['points-binary-float.ply']!;
    const { header } = headerAndBody(b);
    const msg = (bytes: Uint8Array) => {
      const r = outcome(() => parsePly(bytes));
      return r.ok ? 'accepted' : expectFieldError(r.error, 'message').message;
    };
    expect(msg(b.subarray(0, 2))).toMatch(/^PLY: not a PLY file/);
    expect(msg(b.subarray(0, header.length - 4))).toMatch(/^PLY: no "end_header" line/);
    expect(msg(b.subarray(0, header.length + 10))).toMatch(/^PLY: vertex 0: truncated binary data/);
    const a = BASES['points-ascii-float.ply']!;
    const ah = headerAndBody(a).header;
    expect(msg(a.subarray(0, ah.length + 10))).toMatch(/^PLY line \d+: vertex 0: missing value for /);
    expect(msg(a.subarray(0, a.length - 12))).toMatch(/^PLY(?: line \d+)?: face \d: /);
  });
});

describe('PLY files, corrupted', () => {
  const countWord = fc.oneof(
    fc.nat({ max: 40 }).map(String),
    fc.constantFrom('0', '-1', '3.0', '1e3', '0x10', '', 'ten', '9007199254740991', '9007199254740993', '99999999999999', '4294967296', '00010'),
    fc.bigInt({ min: 0n, max: 2n ** 70n }).map(String),
  );

  it('header: counts, format line, property types, deleted/duplicated/inserted lines', () => {
    const lineEdit = fc.oneof(
      fc.record({ op: fc.constant('count' as const), el: fc.nat(), count: countWord }),
      fc.record({
        op: fc.constant('format' as const),
        line: fc.oneof(
          fc.constantFrom('format ascii 1.0', 'format binary_little_endian 1.0', 'format binary_big_endian 1.0', 'format ascii 2.0', 'format ascii', 'format', 'format ascii 1.0 extra', 'format utf8 1.0', ''),
          fc.string({ maxLength: 20 }).map((s) => `format ${s}`),
        ),
      }),
      fc.record({
        op: fc.constant('type' as const),
        at: fc.nat(),
        type: fc.constantFrom('char', 'uchar', 'short', 'ushort', 'int', 'uint', 'float', 'double', 'int8', 'float64', 'half', 'list', 'list uchar', 'string', ''),
      }),
      fc.record({ op: fc.constantFrom('delete' as const, 'duplicate' as const), at: fc.nat() }),
      fc.record({ op: fc.constant('insert' as const), at: fc.nat(), line: fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('element vertex 1', 'property float x', 'end_header', 'comment x', 'obj_info y', 'element', 'property')) }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...BASE_NAMES), fc.array(lineEdit, { minLength: 1, maxLength: 3 }), (name, edits) => {
        const { header, body } = headerAndBody(BASES[name]!);
        const lines = header.replace(/\n$/, '').split('\n');
        for (const e of edits) {
          const props = lines.map((l, i) => [l, i] as const).filter(([l]) => l.startsWith('property '));
          const els = lines.map((l, i) => [l, i] as const).filter(([l]) => l.startsWith('element '));
          switch (e.op) {
            case 'count': {
              if (els.length === 0) break;
              const [l, i] = els[e.el % els.length]!;
              lines[i] = l.split(' ').slice(0, 2).concat(e.count).join(' ');
              break;
            }
            case 'format': {
              const i = lines.findIndex((l) => l.startsWith('format'));
              if (i >= 0) lines[i] = e.line;
              break;
            }
            case 'type': {
              if (props.length === 0) break;
              const [l, i] = props[e.at % props.length]!;
              const w = l.split(' ');
              w[w.length - 2] = e.type;
              lines[i] = w.join(' ');
              break;
            }
            case 'delete':
              if (lines.length > 1) lines.splice(1 + (e.at % (lines.length - 1)), 1);
              break;
            case 'duplicate': {
              const i = 1 + (e.at % (lines.length - 1));
              lines.splice(i, 0, lines[i]!);
              break;
            }
            case 'insert':
              lines.splice(1 + (e.at % lines.length), 0, e.line);
              break;
          }
        }
        const bytes = concat(latin1(`${lines.join('\n')}\n`), body);
        checkParse(bytes, `${name} with header edits ${JSON.stringify(edits)}:\n${lines.join('\n')}`);
      }),
      fcParams(11, 600),
    );
  });

  it('body: garbage bytes overwritten, inserted and deleted anywhere', () => {
    const edit = fc.record({
      op: fc.constantFrom('overwrite', 'insert', 'delete'),
      at: fc.nat(),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
    });
    fc.assert(
      fc.property(fc.constantFrom(...BASE_NAMES), fc.array(edit, { minLength: 1, maxLength: 4 }), fc.boolean(), (name, edits, anywhere) => {
        const base = BASES[name]!;
        const { header } = headerAndBody(base);
        const from = anywhere ? 0 : header.length;
        let b: Uint8Array = Uint8Array.from(base);
        for (const e of edits) {
          const at = from + (e.at % Math.max(1, b.length - from));
          if (e.op === 'overwrite') for (let k = 0; k < e.bytes.length && at + k < b.length; k++) b[at + k] = e.bytes[k]!;
          else if (e.op === 'insert') b = concat(b.subarray(0, at), e.bytes, b.subarray(at));
          else b = concat(b.subarray(0, at), b.subarray(at + e.bytes.length));
        }
        checkParse(b, `${name} with ${JSON.stringify(edits.map((e) => ({ ...e, bytes: [...e.bytes] })))}`);
      }),
      fcParams(12, 800),
    );
  });

  it('ASCII bodies: missing, extra, non-finite and malformed values; lines joined and split', () => {
    const asciiNames = BASE_NAMES.filter((n) => n.includes('ascii'));
    const token = fc.oneof(
      fc.constantFrom('nan', 'NaN', '-nan', 'inf', '-inf', 'Infinity', '-Infinity', '1e400', '-1e400', '1e-400', '0x10', '1,5', '1.5.2', '+', '-', '.', 'e5', '1e', '--1', '١', '256', '-1', '65536', '4294967296', '-2147483649', '3.5'),
      fc.double().map(String),
      fc.integer().map(String),
      fc.string({ minLength: 1, maxLength: 6 }).filter((s) => !/\s/.test(s)),
    );
    const edit = fc.oneof(
      fc.record({ op: fc.constant('replace' as const), at: fc.nat(), tok: token }),
      fc.record({ op: fc.constantFrom('delete' as const, 'duplicate' as const, 'join' as const, 'split' as const, 'dropLine' as const, 'blank' as const), at: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...asciiNames), fc.array(edit, { minLength: 1, maxLength: 3 }), (name, edits) => {
        const { header, body } = headerAndBody(BASES[name]!);
        let lines = dec(body).replace(/\n$/, '').split('\n').map((l) => l.split(' '));
        for (const e of edits) {
          if (lines.length === 0) break;
          const li = e.at % lines.length;
          const row = lines[li]!;
          const ti = Math.floor(e.at / lines.length) % Math.max(1, row.length);
          switch (e.op) {
            case 'replace':
              row[ti] = e.tok;
              break;
            case 'delete':
              row.splice(ti, 1);
              break;
            case 'duplicate':
              row.splice(ti, 0, row[ti] ?? '0');
              break;
            case 'join':
              if (li + 1 < lines.length) lines.splice(li, 2, [...row, ...lines[li + 1]!]);
              break;
            case 'split':
              lines.splice(li, 1, row.slice(0, ti), row.slice(ti));
              break;
            case 'dropLine':
              lines = lines.filter((_, i) => i !== li);
              break;
            case 'blank':
              lines.splice(li, 0, ['']);
              break;
          }
        }
        const text = `${lines.map((r) => r.join(' ')).join('\n')}\n`;
        checkParse(concat(latin1(header), enc(text)), `${name} with ${JSON.stringify(edits)}:\n${text}`);
      }),
      fcParams(13, 800),
    );
  });

  it('non-finite coordinates are refused naming the vertex and the axis', () => {
    for (const [tok, shown] of [['nan', 'NaN'], ['inf', 'Infinity'], ['-Infinity', '-Infinity']] as const) {
      const a = BASES['points-ascii-double.ply']!;
      const { header, body } = headerAndBody(a);
      const lines = dec(body).split('\n');
      lines[3] = lines[3]!.replace(/^(\S+) (\S+)/, `$1 ${tok}`);
      const r = outcome(() => parsePly(concat(latin1(header), enc(lines.join('\n')))));
      expect(r.ok).toBe(false);
      expect(expectFieldError(!r.ok && r.error, tok).message).toBe(`PLY: vertex 3: non-finite y coordinate (${shown})`);
    }
    const bin = Uint8Array.from(BASES['points-binary-double.ply']!);
    const off = headerAndBody(bin).header.length;
    new DataView(bin.buffer).setFloat64(off + 8, NaN, true); // vertex 0, y
    const r = outcome(() => parsePly(bin));
    expect(!r.ok && expectFieldError(r.error, 'binary NaN').message).toBe('PLY: vertex 0: non-finite y coordinate (NaN)');
  });

  it('regressions: absurd counts neither throw RangeError nor hang', () => {
    const head = (vertexCount: string, extra = '') =>
      `ply\nformat binary_little_endian 1.0\nelement vertex ${vertexCount}\nproperty float x\nproperty float y\nproperty float z\n${extra}end_header\n`;
    // A vertex count larger than a typed array can hold used to be a RangeError.
    for (const fmt of ['ascii', 'binary_little_endian']) {
      for (const count of ['9007199254740991', '99999999999999', '400000000']) {
        const bytes = enc(head(count).replace('binary_little_endian', fmt) + '1 2 3\n');
        const r = outcome(() => parsePly(bytes));
        expect(r.ok).toBe(false);
        expect(expectFieldError(!r.ok && r.error, `${fmt} count ${count}`).message, describeThrown(!r.ok && r.error)).toMatch(/^PLY: vertex [01]: (truncated binary data|unexpected end of file)/);
      }
    }
    // An element without properties and a huge count used to loop 10^15 times (binary).
    const t0 = performance.now();
    const pts = new Uint8Array(12);
    new DataView(pts.buffer).setFloat32(4, 1.5, true);
    expect([...parsePly(concat(enc(head('1', 'element marker 999999999999999\n')), pts))]).toEqual([0, 1.5, 0]);
    expect(performance.now() - t0).toBeLessThan(PARSE_BUDGET_MS);
  });
});
