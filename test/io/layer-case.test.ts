import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FieldError } from '../../generator/model/index.ts';
import {
  parseLayerCase,
  readLayerCaseFile,
  serializeLayerCase,
  writeLayerCaseFile,
} from '../../generator/io/layer-case.ts';
import { convDoc, submanifoldDoc, tempDir, transposedDoc, type Json } from './cases.ts';

/** Expect `parseLayerCase(doc)` to throw a FieldError on `field` whose message matches `rule`. */
function rejects(doc: Json, field: string, rule?: RegExp, widths?: Parameters<typeof parseLayerCase>[1]) {
  let err: unknown;
  try {
    parseLayerCase(doc, widths);
  } catch (e) {
    err = e;
  }
  expect(err, `expected an error on ${field}`).toBeInstanceOf(FieldError);
  const fe = err as FieldError;
  expect(fe.field).toBe(field);
  expect(fe.message.startsWith(`${field}: `)).toBe(true);
  if (rule) expect(fe.message).toMatch(rule);
}

function edit(f: (d: Json) => void, base: () => Json = submanifoldDoc): Json {
  const d = base();
  f(d);
  return d;
}

describe('parseLayerCase', () => {
  it('accepts valid submanifold, conv and transposed cases and copies the data', () => {
    const doc = submanifoldDoc();
    const c = parseLayerCase(doc);
    expect(c.layer).toEqual(doc.layer);
    expect(c.input.coords).toEqual(doc.input.coords);
    expect(c.input.coords).not.toBe(doc.input.coords);
    expect(c.requant).toEqual(doc.requant);
    expect(c.outputCoords).toBeUndefined();
    expect(parseLayerCase(convDoc()).bias).toBeUndefined();
    expect(parseLayerCase(transposedDoc()).outputCoords).toHaveLength(4);
  });

  it('reads -0 as 0', () => {
    const c = parseLayerCase(edit((d) => (d.weights[0][0][1] = -0)));
    expect(Object.is(c.weights[0][0][1], 0)).toBe(true);
  });

  it('round-trips through serializeLayerCase, one point per line', () => {
    for (const make of [submanifoldDoc, convDoc, transposedDoc]) {
      const c = parseLayerCase(make());
      const text = serializeLayerCase(c);
      expect(parseLayerCase(JSON.parse(text))).toEqual(c);
      expect(text.endsWith('}\n')).toBe(true);
      for (const p of c.input.coords) expect(text).toContain(`\n      [${p.join(',')}]`);
    }
    // Key order follows DESIGN.md §2.
    const keys = Object.keys(JSON.parse(serializeLayerCase(parseLayerCase(submanifoldDoc()))));
    expect(keys).toEqual(['format', 'layer', 'input', 'weights', 'bias', 'requant']);
  });

  it('rejects a bad format string', () => {
    rejects(edit((d) => (d.format = 'sparseforge.layer-case/2')), 'format', /expected "sparseforge.layer-case\/1"/);
    rejects(edit((d) => delete d.format), 'format', /missing/);
    rejects([] as unknown as Json, '(document)', /expected an object/);
  });

  it('rejects unknown fields at every level, naming them', () => {
    rejects(edit((d) => (d.extra = 1)), 'extra', /unknown field/);
    rejects(edit((d) => (d.layer.foo = 1)), 'layer.foo', /unknown field/);
    rejects(edit((d) => (d.input.normals = [])), 'input.normals', /unknown field/);
    rejects(edit((d) => (d.requant.zeroPoint = [0, 0, 0])), 'requant.zeroPoint', /unknown field/);
  });

  it('rejects an unknown layer type and bad layer numbers', () => {
    rejects(edit((d) => (d.layer.type = 'dilated')), 'layer.type', /submanifold, conv, transposed/);
    rejects(edit((d) => (d.layer.kernelSize = 0)), 'layer.kernelSize', /out of range/);
    rejects(edit((d) => (d.layer.kernelSize = 2.5)), 'layer.kernelSize', /positive integer/);
    rejects(edit((d) => (d.layer.stride = 2)), 'layer.stride', /submanifold layers have stride 1/);
    rejects(edit((d) => (d.layer.inTensorStride = 3)), 'layer.inTensorStride', /power of two/);
    rejects(edit((d) => (d.layer.inChannels = '2')), 'layer.inChannels', /positive integer, got the string "2"/);
    rejects(edit((d) => (d.layer.stride = 3), convDoc), 'layer.stride', /power of two/);
    rejects(edit((d) => (d.layer.stride = 8), transposedDoc), 'layer.inTensorStride', /not divisible by layer.stride 8/);
    rejects(edit((d) => delete d.layer.outChannels), 'layer.outChannels', /missing/);
  });

  it('rejects duplicate coordinates, naming the later one', () => {
    rejects(edit((d) => d.input.coords.push([0, 2, 4, 6]) && d.input.features.push([0, 0])), 'input.coords[3]',
      /duplicate coordinate \[0, 2, 4, 6\].*input\.coords\[0\]/);
    rejects(edit((d) => d.outputCoords.push([0, 2, 0, 0]), transposedDoc), 'outputCoords[4]', /duplicate/);
  });

  it('rejects a coordinate that is not a multiple of the tensor stride', () => {
    rejects(edit((d) => (d.input.coords[1] = [0, 0, 3, 0])), 'input.coords[1]', /y = 3 is not a multiple of the tensor stride 2/);
    rejects(edit((d) => (d.outputCoords[2] = [0, 6, -2, 11]), transposedDoc), 'outputCoords[2]', /not a multiple of the tensor stride 2/);
  });

  it('rejects malformed coordinates', () => {
    rejects(edit((d) => (d.input.coords[2] = [0, 1, 2])), 'input.coords[2]', /expected 4 entries \(\[b, x, y, z\]\)/);
    rejects(edit((d) => (d.input.coords[2][0] = -1)), 'input.coords[2][0]', /-1 is out of range \[0, 2\^31 - 1\]/);
    rejects(edit((d) => (d.input.coords[2][3] = 2 ** 31)), 'input.coords[2][3]', /out of range/);
    rejects(edit((d) => (d.input.coords[0][1] = 0.5)), 'input.coords[0][1]', /expected an integer, got number 0.5/);
  });

  it('rejects wrong shapes of features, weights, bias and requant', () => {
    rejects(edit((d) => d.input.features.pop()), 'input.features', /expected 3 entries \(one row per coordinate\), got 2/);
    rejects(edit((d) => d.input.features[1].push(0)), 'input.features[1]', /expected 2 entries \(layer.inChannels\)/);
    rejects(edit((d) => d.weights.pop()), 'weights', /expected 27 entries \(kernelSize\^3 = 27\), got 26/);
    rejects(edit((d) => d.weights[4].pop()), 'weights[4]', /expected 2 entries \(layer.inChannels\)/);
    rejects(edit((d) => d.weights[4][1].push(0)), 'weights[4][1]', /expected 3 entries \(layer.outChannels\)/);
    rejects(edit((d) => (d.bias = [1, 2])), 'bias', /expected 3 entries/);
    rejects(edit((d) => (d.requant.shift = [0, 0])), 'requant.shift', /expected 3 entries/);
    rejects(edit((d) => (d.requant.relu = 'yes')), 'requant.relu', /true or false/);
    rejects(edit((d) => (d.weights = {})), 'weights', /expected an array, got an object/);
  });

  it('rejects values outside their integer ranges, naming the element', () => {
    rejects(edit((d) => (d.input.features[2][1] = 128)), 'input.features[2][1]', /128 is out of range \[-128, 127\]/);
    rejects(edit((d) => (d.input.features[0][0] = -129)), 'input.features[0][0]', /out of range/);
    rejects(edit((d) => (d.weights[4][1][2] = -129)), 'weights[4][1][2]', /out of range \[-128, 127\]/);
    rejects(edit((d) => (d.weights[4][1][2] = 1.5)), 'weights[4][1][2]', /expected an integer/);
    rejects(edit((d) => (d.requant.shift[2] = 64)), 'requant.shift[2]', /64 is out of range \[0, 63\]/);
    rejects(edit((d) => (d.requant.multiplier[1] = 2 ** 31)), 'requant.multiplier[1]', /out of range \[0, 2\^31 - 1\]/);
    rejects(edit((d) => (d.requant.multiplier[0] = -1)), 'requant.multiplier[0]', /out of range/);
    rejects(edit((d) => (d.bias[0] = 2 ** 31)), 'bias[0]', /out of range \[-2\^31, 2\^31 - 1\]/);
  });

  it('checks features and weights against other widths when given', () => {
    const wide = { inWidth: 12, weightWidth: 8, accWidth: 32, outWidth: 8 };
    expect(() => parseLayerCase(edit((d) => (d.input.features[2][1] = 2000)), wide)).not.toThrow();
    const narrow = { inWidth: 8, weightWidth: 4, accWidth: 32, outWidth: 8 };
    rejects(convDoc(), 'input.features[1][0]', /2 is out of range \[-2, 1\]/, { ...narrow, inWidth: 2 });
    rejects(edit((d) => (d.weights[0][0][0] = 8), convDoc), 'weights[0][0][0]', /out of range \[-8, 7\]/, narrow);
  });

  it('requires outputCoords exactly for transposed layers', () => {
    rejects(edit((d) => delete d.outputCoords, transposedDoc), 'outputCoords', /missing/);
    rejects(edit((d) => (d.outputCoords = [[0, 0, 0, 0]]), convDoc), 'outputCoords', /only transposed layers.*conv/);
    rejects(edit((d) => (d.outputCoords = [])), 'outputCoords', /only transposed layers.*submanifold/);
  });
});

describe('layer-case files', () => {
  const t = tempDir();
  afterAll(t.cleanup);

  it('writes atomically and reads back', async () => {
    const path = join(t.dir, 'case.json');
    const c = parseLayerCase(transposedDoc());
    await writeLayerCaseFile(path, c);
    expect(await readLayerCaseFile(path)).toEqual(c);
    expect(readdirSync(t.dir)).toEqual(['case.json']);
  });

  it('leaves nothing behind when the target cannot be written', async () => {
    const c = parseLayerCase(convDoc());
    await expect(writeLayerCaseFile(join(t.dir, 'missing', 'case.json'), c)).rejects.toThrow(/does not exist/);
    await expect(writeLayerCaseFile(t.dir, c)).rejects.toThrow(/is a directory/);
    expect(readdirSync(t.dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('names the file, then the field', async () => {
    await expect(readLayerCaseFile(join(t.dir, 'nope.json'))).rejects.toThrow(/nope\.json: no such file/);
    const bad = join(t.dir, 'bad.json');
    writeFileSync(bad, JSON.stringify(edit((d) => (d.weights[4][1][2] = 300))));
    const err = await readLayerCaseFile(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FieldError);
    expect((err as FieldError).field).toBe('weights[4][1][2]');
    expect((err as Error).message).toBe(`${bad}: weights[4][1][2]: 300 is out of range [-128, 127]`);
  });

  it('reports the line and column of a JSON syntax error', async () => {
    const bad = join(t.dir, 'syntax.json');
    writeFileSync(bad, '{\n  "format": "sparseforge.layer-case/1",\n  "layer": {"type": "conv",}\n}\n');
    await expect(readLayerCaseFile(bad)).rejects.toThrow(`${bad}: invalid JSON at line 3, column 28: expected a property name in double quotes, found "}"`);
    writeFileSync(bad, '{"format": "x"');
    await expect(readLayerCaseFile(bad)).rejects.toThrow(/line 1, column 15: unexpected end of input/);
  });
});
