import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FieldError } from '../../generator/model/index.ts';
import { encodePly, parsePly, parsePlyHeader, readPlyFile, writePlyAscii, writePlyBinary } from '../../generator/io/ply.ts';
import { FIXTURE_POINTS, plyFixtures } from '../fixtures/ply/make-fixtures.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/ply');
const expected = Float64Array.from(FIXTURE_POINTS.flat());
const enc = (s: string) => new TextEncoder().encode(s);

function message(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(FieldError);
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('parsePly', () => {
  it('reads the same points from ascii and binary, float and double, skipping colours and faces', async () => {
    const made = plyFixtures();
    for (const [name, bytes] of Object.entries(made)) {
      // The checked-in fixtures are what make-fixtures.ts produces.
      expect(new Uint8Array(readFileSync(join(FIXTURES, name))), name).toEqual(bytes);
      expect(await readPlyFile(join(FIXTURES, name)), name).toEqual(expected);
    }
    const h = parsePlyHeader(made['points-binary-double.ply']);
    expect(h.format).toBe('binary_little_endian');
    expect(h.elements.map((e) => [e.name, e.count])).toEqual([['vertex', 10], ['face', 3]]);
    expect(h.comments).toEqual(['sparseforge test fixture', 'x/y/z stored as float64']);
  });

  it('skips elements before the vertex element and list properties inside it; accepts integer x/y/z', () => {
    for (const format of ['ascii', 'binary_little_endian'] as const) {
      const bytes = encodePly({
        format,
        elements: [
          { name: 'camera', properties: [{ name: 'view', type: 'float64' }, { name: 'tags', type: 'list', countType: 'uint16', itemType: 'int8' }], rows: [[1.5, [1, -2, 3]], [2, []]] },
          {
            name: 'vertex',
            properties: [
              { name: 'nx', type: 'float32' },
              { name: 'z', type: 'int16' },
              { name: 'neighbours', type: 'list', countType: 'uint8', itemType: 'uint32' },
              { name: 'y', type: 'int32' },
              { name: 'x', type: 'uint8' },
            ],
            rows: [[0.5, -3, [1, 2], 7, 255], [0, 4, [], -8, 0]],
          },
        ],
      });
      expect(parsePly(bytes), format).toEqual(Float64Array.from([255, 7, -3, 0, -8, 4]));
    }
  });

  it('accepts CRLF headers, obj_info and an empty cloud', () => {
    const text = 'ply\r\nformat ascii 1.0\r\nobj_info scanner 3\r\nelement vertex 2\r\nproperty double x\r\nproperty double y\r\nproperty double z\r\nend_header\r\n1 2 3\r\n-4.5e1 .5 6.\r\n';
    expect(parsePly(enc(text))).toEqual(Float64Array.from([1, 2, 3, -45, 0.5, 6]));
    expect(parsePly(writePlyBinary(new Float64Array(0)))).toEqual(new Float64Array(0));
  });

  it('writePlyAscii / writePlyBinary round-trip', () => {
    expect(parsePly(writePlyAscii(expected))).toEqual(expected);
    expect(parsePly(writePlyBinary(expected, 'float64'))).toEqual(expected);
  });

  it('reports truncated binary data with the element index', () => {
    const pts = Float64Array.from({ length: 3 * 2000 }, (_, i) => i / 8);
    const full = writePlyBinary(pts);
    const cut = full.subarray(0, full.length - 12 * 797 + 5); // 1203 whole vertices and 5 bytes remain
    expect(message(() => parsePly(cut))).toBe('PLY: vertex 1203: truncated binary data');
    const faces = plyFixtures()['points-binary-float.ply'];
    expect(message(() => parsePly(faces.subarray(0, faces.length - 2), 'scan.ply'))).toBe('scan.ply: face 2: truncated binary data');
    expect(message(() => parsePly(Uint8Array.from([...full, 0])))).toMatch(/1 byte\(s\) of unexpected data after the last element/);
  });

  it('reports a bad ASCII number with its line', () => {
    const lines = new TextDecoder().decode(plyFixtures()['points-ascii-float.ply']).split('\n');
    const header = lines.indexOf('end_header') + 1;
    lines[header + 3] = '10.5 -3.2.5 7 120 252 7 0.75'; // vertex 3
    expect(message(() => parsePly(enc(lines.join('\n'))))).toBe(`PLY line ${header + 4}: vertex 3: bad number "-3.2.5" for y (float32)`);
    lines[header + 3] = '10.5 -3.25 7 300 252 7 0.75';
    expect(message(() => parsePly(enc(lines.join('\n'))))).toMatch(/vertex 3: 300 out of range for red \(uint8\)/);
    lines[header + 3] = '10.5 -3.25 7 1 252 7';
    expect(message(() => parsePly(enc(lines.join('\n'))))).toMatch(/vertex 3: missing value for intensity/);
  });

  it('rejects non-finite coordinates', () => {
    const text = 'ply\nformat ascii 1.0\nelement vertex 2\nproperty float x\nproperty float y\nproperty float z\nend_header\n1 2 3\n4 nan 6\n';
    expect(message(() => parsePly(enc(text)))).toBe('PLY: vertex 1: non-finite y coordinate (NaN)');
    const bin = writePlyBinary(Float64Array.from([1, 2, Infinity]));
    expect(message(() => parsePly(bin))).toBe('PLY: vertex 0: non-finite z coordinate (Infinity)');
  });

  it('rejects bad headers with a clear message', () => {
    const head = (body: string) => enc(`ply\n${body}end_header\n`);
    expect(message(() => parsePly(enc('PLY\nformat ascii 1.0\n')))).toMatch(/not a PLY file/);
    expect(message(() => parsePly(enc('ply\nformat ascii 1.0\nelement vertex 1\n')))).toMatch(/no "end_header"/);
    expect(message(() => parsePly(head('format binary_big_endian 1.0\nelement vertex 0\n')))).toBe(
      'PLY line 2: big-endian binary PLY is not supported; convert it to binary_little_endian or ascii');
    expect(message(() => parsePly(head('format ascii 1.0\nelement face 0\nproperty list uchar int vertex_indices\n')))).toBe('PLY: no "vertex" element in the header');
    expect(message(() => parsePly(head('format ascii 1.0\nelement vertex 0\nproperty float x\nproperty float y\n')))).toBe('PLY: the vertex element has no "z" property');
    expect(message(() => parsePly(head('format ascii 1.0\nelement vertex 0\nproperty half x\n')))).toBe('PLY line 4: unknown property type "half"');
    expect(message(() => parsePly(head('element vertex 0\n')))).toBe('PLY: no "format" line in the header');
  });

  it('names the file when reading from disk', async () => {
    await expect(readPlyFile(join(FIXTURES, 'absent.ply'))).rejects.toThrow(/absent\.ply: no such file/);
  });
});
