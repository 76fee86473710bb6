// PLY point clouds: `format ascii 1.0` and `format binary_little_endian 1.0`. Only the vertex
// positions are kept; every other element and property (colours, normals, face lists) is
// parsed past and ignored. Errors name the problem and where it is (`PLY line 57: …`,
// `PLY: vertex 1203: truncated binary data`).
import { FieldError } from '../model/index.ts';
import { readFileBytes } from './files.ts';

export type PlyScalarType = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64';

const TYPE_NAMES: Record<string, PlyScalarType> = {
  char: 'int8', int8: 'int8',
  uchar: 'uint8', uint8: 'uint8',
  short: 'int16', int16: 'int16',
  ushort: 'uint16', uint16: 'uint16',
  int: 'int32', int32: 'int32',
  uint: 'uint32', uint32: 'uint32',
  float: 'float32', float32: 'float32',
  double: 'float64', float64: 'float64',
};

const SIZE: Record<PlyScalarType, number> = {
  int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, float32: 4, float64: 8,
};

const INT_RANGE: Partial<Record<PlyScalarType, [number, number]>> = {
  int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767], uint16: [0, 65535],
  int32: [-(2 ** 31), 2 ** 31 - 1], uint32: [0, 2 ** 32 - 1],
};

export type PlyProperty =
  | { name: string; type: PlyScalarType }
  | { name: string; type: 'list'; countType: PlyScalarType; itemType: PlyScalarType };

export interface PlyElement {
  name: string;
  count: number;
  properties: PlyProperty[];
}

export interface PlyHeader {
  format: 'ascii' | 'binary_little_endian';
  elements: PlyElement[];
  comments: string[];
  /** Byte offset of the body (just after `end_header` and its line break). */
  bodyOffset: number;
  /** Number of lines in the header (the body's first line is headerLines + 1). */
  headerLines: number;
}

/**
 * A FieldError whose text stays one printable line: header words, element names and tokens come
 * from the file and may hold any byte (a stray CR, NUL or escape sequence), so control characters
 * are shown as `\xNN`.
 */
function plyError(field: string, rule: string): FieldError {
  const printable = (s: string) => s.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return new FieldError(printable(field), printable(rule));
}

/** Parse the header of a PLY file. */
export function parsePlyHeader(bytes: Uint8Array, name = 'PLY'): PlyHeader {
  function bad(line: number | undefined, rule: string): never {
    throw plyError(line === undefined ? name : `${name} line ${line}`, rule);
  }
  if (!(bytes[0] === 0x70 && bytes[1] === 0x6c && bytes[2] === 0x79 && (bytes[3] === 0x0a || bytes[3] === 0x0d))) {
    bad(undefined, 'not a PLY file (it must start with the line "ply")');
  }
  // The header is ASCII and ends with the line `end_header`.
  const marker = 'end_header';
  let end = -1;
  const limit = Math.min(bytes.length, 1 << 20);
  for (let i = 0; i + marker.length <= limit; i++) {
    if (bytes[i] !== 0x65 || (i > 0 && bytes[i - 1] !== 0x0a)) continue;
    let ok = true;
    for (let k = 1; k < marker.length && ok; k++) ok = bytes[i + k] === marker.charCodeAt(k);
    if (!ok) continue;
    let j = i + marker.length;
    while (bytes[j] === 0x20 || bytes[j] === 0x09) j++;
    if (bytes[j] === 0x0d) j++;
    if (bytes[j] === 0x0a) {
      end = j + 1;
      break;
    }
    if (j >= bytes.length) {
      end = j;
      break;
    }
  }
  if (end < 0) bad(undefined, 'no "end_header" line (truncated or not a PLY file)');
  const text = new TextDecoder('latin1').decode(bytes.subarray(0, end));
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();

  let format: PlyHeader['format'] | undefined;
  const elements: PlyElement[] = [];
  const comments: string[] = [];
  for (let li = 1; li < lines.length; li++) {
    const lineNo = li + 1;
    const line = lines[li].replace(/\r$/, '').trim();
    if (line === '') continue;
    const words = line.split(/\s+/);
    switch (words[0]) {
      case 'format': {
        if (format !== undefined) bad(lineNo, 'second "format" line');
        if (words.length !== 3) bad(lineNo, `expected "format <ascii|binary_little_endian> 1.0", got "${line}"`);
        if (words[1] === 'binary_big_endian') {
          bad(lineNo, 'big-endian binary PLY is not supported; convert it to binary_little_endian or ascii');
        }
        if (words[1] !== 'ascii' && words[1] !== 'binary_little_endian') bad(lineNo, `unknown format "${words[1]}"`);
        if (words[2] !== '1.0') bad(lineNo, `unsupported PLY version "${words[2]}" (expected 1.0)`);
        format = words[1] as PlyHeader['format'];
        break;
      }
      case 'comment':
        comments.push(line.slice(7).trim());
        break;
      case 'obj_info':
        break;
      case 'element': {
        if (words.length !== 3) bad(lineNo, `expected "element <name> <count>", got "${line}"`);
        if (!/^\d+$/.test(words[2]) || !Number.isSafeInteger(Number(words[2]))) {
          bad(lineNo, `element ${words[1]}: bad count "${words[2]}"`);
        }
        if (elements.some((e) => e.name === words[1])) bad(lineNo, `element ${words[1]} declared twice`);
        elements.push({ name: words[1], count: Number(words[2]), properties: [] });
        break;
      }
      case 'property': {
        const el = elements[elements.length - 1];
        if (el === undefined) bad(lineNo, 'property before any element');
        let prop: PlyProperty;
        if (words[1] === 'list') {
          if (words.length !== 5) bad(lineNo, `expected "property list <count type> <item type> <name>", got "${line}"`);
          const countType = scalarType(words[2], lineNo, bad);
          if (countType === 'float32' || countType === 'float64') bad(lineNo, `list count type must be an integer type, got ${words[2]}`);
          prop = { name: words[4], type: 'list', countType, itemType: scalarType(words[3], lineNo, bad) };
        } else {
          if (words.length !== 3) bad(lineNo, `expected "property <type> <name>", got "${line}"`);
          prop = { name: words[2], type: scalarType(words[1], lineNo, bad) };
        }
        if (el.properties.some((p) => p.name === prop.name)) bad(lineNo, `property ${prop.name} of element ${el.name} declared twice`);
        el.properties.push(prop);
        break;
      }
      case 'end_header':
        break;
      default:
        bad(lineNo, `unknown header keyword "${words[0]}"`);
    }
  }
  if (format === undefined) bad(undefined, 'no "format" line in the header');
  return { format, elements, comments, bodyOffset: end, headerLines: lines.length };
}

function scalarType(word: string, lineNo: number, bad: (line: number, rule: string) => never): PlyScalarType {
  const t = TYPE_NAMES[word];
  if (t === undefined) bad(lineNo, `unknown property type "${word}"`);
  return t;
}

/**
 * Vertex positions of a PLY file as interleaved `[x0, y0, z0, x1, …]`. The vertex element must
 * have scalar x, y and z properties (float, double or an integer type); all coordinates must be
 * finite. `name` prefixes error messages (the file path, by default `PLY`).
 */
export function parsePly(bytes: Uint8Array, name = 'PLY'): Float64Array {
  const h = parsePlyHeader(bytes, name);
  const vi = h.elements.findIndex((e) => e.name === 'vertex');
  if (vi < 0) throw plyError(name, 'no "vertex" element in the header');
  const vertex = h.elements[vi];
  const axes = ['x', 'y', 'z'].map((a) => {
    const k = vertex.properties.findIndex((p) => p.name === a);
    if (k < 0) throw plyError(name, `the vertex element has no "${a}" property`);
    if (vertex.properties[k].type === 'list') throw plyError(name, `vertex property "${a}" is a list, expected a number`);
    return k;
  });
  // A corrupt count must not size the output (RangeError, or gigabytes for a 1 kB file): every
  // vertex takes at least one byte of the body, so a larger count fails in the readers below
  // (truncated data / unexpected end of file) before a vertex past this capacity is visited.
  const out = new Float64Array(Math.min(vertex.count, bytes.length - h.bodyOffset) * 3);
  const visit = (el: number, i: number, values: Float64Array) => {
    if (el !== vi) return;
    for (let a = 0; a < 3; a++) {
      const v = values[axes[a]];
      if (!Number.isFinite(v)) {
        throw plyError(name, `vertex ${i}: non-finite ${'xyz'[a]} coordinate (${v})`);
      }
      out[i * 3 + a] = v;
    }
  };
  if (h.format === 'ascii') readAscii(bytes, h, name, visit);
  else readBinary(bytes, h, name, visit);
  if (out.length !== vertex.count * 3) throw new Error(`parsePly: ${vertex.count} vertices read into room for ${out.length / 3}`);
  return out;
}

/** Read a PLY file's vertex positions; errors name the file. */
export async function readPlyFile(path: string): Promise<Float64Array> {
  return parsePly(await readFileBytes(path), path);
}

type Visit = (element: number, index: number, scalars: Float64Array) => void;

const FLOAT_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INT_RE = /^[+-]?\d+$/;
const NONFINITE_RE = /^[+-]?(nan|inf|infinity)$/i;

function parseAsciiValue(tok: string, type: PlyScalarType): number | undefined {
  if (type === 'float32' || type === 'float64') {
    if (FLOAT_RE.test(tok)) return Number(tok);
    if (NONFINITE_RE.test(tok)) return tok.toLowerCase().includes('nan') ? NaN : tok.startsWith('-') ? -Infinity : Infinity;
    return undefined;
  }
  if (!INT_RE.test(tok)) return undefined;
  return Number(tok);
}

function readAscii(bytes: Uint8Array, h: PlyHeader, name: string, visit: Visit): void {
  const text = new TextDecoder('latin1').decode(bytes.subarray(h.bodyOffset));
  let pos = 0;
  let lineNo = h.headerLines;
  const nextLine = (): string | undefined => {
    while (pos < text.length) {
      let e = text.indexOf('\n', pos);
      if (e < 0) e = text.length;
      const line = text.slice(pos, e).trim();
      pos = e + 1;
      lineNo++;
      if (line !== '') return line;
    }
    return undefined;
  };
  h.elements.forEach((el, ei) => {
    const scalars = new Float64Array(el.properties.length);
    for (let i = 0; i < el.count; i++) {
      const line = nextLine();
      if (line === undefined) throw plyError(name, `${el.name} ${i}: unexpected end of file (the header declares ${el.count} ${el.name} lines)`);
      const toks = line.split(/\s+/);
      let t = 0;
      const take = (type: PlyScalarType, what: string): number => {
        const tok = toks[t++];
        if (tok === undefined) throw plyError(`${name} line ${lineNo}`, `${el.name} ${i}: missing value for ${what}`);
        const v = parseAsciiValue(tok, type);
        if (v === undefined) throw plyError(`${name} line ${lineNo}`, `${el.name} ${i}: bad number "${tok}" for ${what} (${type})`);
        const r = INT_RANGE[type];
        if (r && (v < r[0] || v > r[1])) throw plyError(`${name} line ${lineNo}`, `${el.name} ${i}: ${tok} out of range for ${what} (${type})`);
        return v;
      };
      el.properties.forEach((p, k) => {
        if (p.type === 'list') {
          const n = take(p.countType, `the length of list ${p.name}`);
          if (n < 0) throw plyError(`${name} line ${lineNo}`, `${el.name} ${i}: negative list length ${n} for ${p.name}`);
          for (let m = 0; m < n; m++) take(p.itemType, `${p.name}[${m}]`);
          scalars[k] = n;
        } else scalars[k] = take(p.type, p.name);
      });
      if (t < toks.length) {
        throw plyError(`${name} line ${lineNo}`, `${el.name} ${i}: ${toks.length - t} unexpected extra value(s) ("${toks[t]}")`);
      }
      visit(ei, i, scalars);
    }
  });
  const rest = nextLine();
  if (rest !== undefined) throw plyError(`${name} line ${lineNo}`, 'unexpected data after the last element');
}

function readBinary(bytes: Uint8Array, h: PlyHeader, name: string, visit: Visit): void {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = h.bodyOffset;
  const len = bytes.byteLength;
  const read = (t: PlyScalarType): number => {
    switch (t) {
      case 'int8': return dv.getInt8(off);
      case 'uint8': return dv.getUint8(off);
      case 'int16': return dv.getInt16(off, true);
      case 'uint16': return dv.getUint16(off, true);
      case 'int32': return dv.getInt32(off, true);
      case 'uint32': return dv.getUint32(off, true);
      case 'float32': return dv.getFloat32(off, true);
      case 'float64': return dv.getFloat64(off, true);
    }
  };
  h.elements.forEach((el, ei) => {
    const scalars = new Float64Array(el.properties.length);
    const truncated = (i: number) => plyError(name, `${el.name} ${i}: truncated binary data`);
    // Fixed-size records (no lists) are checked in one step.
    const fixed = el.properties.every((p) => p.type !== 'list');
    if (fixed) {
      const rec = el.properties.reduce((s, p) => s + SIZE[p.type as PlyScalarType], 0);
      if (off + rec * el.count > len) throw truncated(Math.floor((len - off) / rec));
      // An element without properties occupies no bytes: nothing to read (and its count, which
      // nothing bounds, must not drive a loop). Only the vertex element is visited, and it has x, y, z.
      if (rec === 0) return;
    }
    for (let i = 0; i < el.count; i++) {
      el.properties.forEach((p, k) => {
        if (p.type === 'list') {
          if (off + SIZE[p.countType] > len) throw truncated(i);
          const n = read(p.countType);
          off += SIZE[p.countType];
          if (n < 0) throw plyError(name, `${el.name} ${i}: negative list length ${n} for ${p.name}`);
          const bytesNeeded = n * SIZE[p.itemType];
          if (off + bytesNeeded > len) throw truncated(i);
          off += bytesNeeded;
          scalars[k] = n;
        } else {
          if (!fixed && off + SIZE[p.type] > len) throw truncated(i);
          scalars[k] = read(p.type);
          off += SIZE[p.type];
        }
      });
      visit(ei, i, scalars);
    }
  });
  if (off < len) {
    throw plyError(name, `${len - off} byte(s) of unexpected data after the last element (check the header's counts and types)`);
  }
}

/** Data for one element when writing a PLY file: one row of values per instance. */
export interface PlyElementData {
  name: string;
  properties: PlyProperty[];
  /** Per instance, one entry per property: a number, or an array for list properties. */
  rows: (number | number[])[][];
}

export interface PlyWriteOptions {
  format: 'ascii' | 'binary_little_endian';
  comments?: string[];
  elements: PlyElementData[];
}

const TYPE_WORD: Record<PlyScalarType, string> = {
  int8: 'char', uint8: 'uchar', int16: 'short', uint16: 'ushort', int32: 'int', uint32: 'uint', float32: 'float', float64: 'double',
};

/** Encode a PLY file (any elements and properties); used for fixtures and exports. */
export function encodePly(o: PlyWriteOptions): Uint8Array {
  let header = `ply\nformat ${o.format} 1.0\n`;
  for (const c of o.comments ?? []) header += `comment ${c}\n`;
  for (const el of o.elements) {
    header += `element ${el.name} ${el.rows.length}\n`;
    for (const p of el.properties) {
      header += p.type === 'list'
        ? `property list ${TYPE_WORD[p.countType]} ${TYPE_WORD[p.itemType]} ${p.name}\n`
        : `property ${TYPE_WORD[p.type]} ${p.name}\n`;
    }
  }
  header += 'end_header\n';
  const enc = new TextEncoder();
  if (o.format === 'ascii') {
    let body = '';
    for (const el of o.elements) {
      for (const r of el.rows) {
        body += `${r.map((v) => (Array.isArray(v) ? [v.length, ...v].join(' ') : String(v))).join(' ')}\n`;
      }
    }
    return enc.encode(header + body);
  }
  let size = 0;
  for (const el of o.elements) {
    for (const r of el.rows) {
      el.properties.forEach((p, k) => {
        size += p.type === 'list' ? SIZE[p.countType] + (r[k] as number[]).length * SIZE[p.itemType] : SIZE[p.type];
      });
    }
  }
  const head = enc.encode(header);
  const out = new Uint8Array(head.length + size);
  out.set(head);
  const dv = new DataView(out.buffer);
  let off = head.length;
  const write = (t: PlyScalarType, v: number) => {
    switch (t) {
      case 'int8': dv.setInt8(off, v); break;
      case 'uint8': dv.setUint8(off, v); break;
      case 'int16': dv.setInt16(off, v, true); break;
      case 'uint16': dv.setUint16(off, v, true); break;
      case 'int32': dv.setInt32(off, v, true); break;
      case 'uint32': dv.setUint32(off, v, true); break;
      case 'float32': dv.setFloat32(off, v, true); break;
      case 'float64': dv.setFloat64(off, v, true); break;
    }
    off += SIZE[t];
  };
  for (const el of o.elements) {
    for (const r of el.rows) {
      el.properties.forEach((p, k) => {
        if (p.type === 'list') {
          const items = r[k] as number[];
          write(p.countType, items.length);
          for (const v of items) write(p.itemType, v);
        } else write(p.type, r[k] as number);
      });
    }
  }
  return out;
}

function vertexElement(xyz: Float64Array, type: PlyScalarType): PlyElementData {
  const rows: number[][] = [];
  for (let i = 0; i + 2 < xyz.length; i += 3) rows.push([xyz[i], xyz[i + 1], xyz[i + 2]]);
  return { name: 'vertex', properties: [{ name: 'x', type }, { name: 'y', type }, { name: 'z', type }], rows };
}

/** An ASCII PLY holding just the vertices (x, y, z as `type`, float by default). */
export function writePlyAscii(xyz: Float64Array, type: PlyScalarType = 'float32'): Uint8Array {
  return encodePly({ format: 'ascii', elements: [vertexElement(xyz, type)] });
}

/** A binary little-endian PLY holding just the vertices. */
export function writePlyBinary(xyz: Float64Array, type: PlyScalarType = 'float32'): Uint8Array {
  return encodePly({ format: 'binary_little_endian', elements: [vertexElement(xyz, type)] });
}
