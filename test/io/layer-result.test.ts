import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FieldError, runLayer, type LayerResult } from '../../generator/model/index.ts';
import { parseLayerCase } from '../../generator/io/layer-case.ts';
import {
  compareResults,
  formatComparison,
  formatMismatch,
  parseLayerResult,
  readLayerResultFile,
  serializeLayerResult,
  writeLayerResultFile,
} from '../../generator/io/layer-result.ts';
import { submanifoldDoc, tempDir } from './cases.ts';

function result(): LayerResult {
  return {
    tensorStride: 2,
    coords: [[0, 0, 0, 0], [0, 2, 4, 6], [1, -2, 4, 6]],
    accumulators: [[1, -2, 3], [2 ** 31 - 1, -(2 ** 31), 0], [7, 8, 9]],
    features: [[1, 0, 3], [127, -128, 0], [7, 8, 9]],
    wraps: 1,
  };
}

function fieldOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof FieldError) return e.field;
    throw e;
  }
  return '(no error)';
}

describe('layer-result files', () => {
  const t = tempDir();
  afterAll(t.cleanup);

  it('round-trips, with and without features', async () => {
    const r = result();
    expect(parseLayerResult(JSON.parse(serializeLayerResult(r)))).toEqual(r);
    const { features: _, ...noFeatures } = r;
    const text = serializeLayerResult(noFeatures);
    expect(text).not.toContain('features');
    expect(parseLayerResult(JSON.parse(text))).toEqual(noFeatures);
    const path = join(t.dir, 'r.json');
    await writeLayerResultFile(path, r);
    expect(await readLayerResultFile(path)).toEqual(r);
    expect(readdirSync(t.dir)).toEqual(['r.json']);
  });

  it('holds what the golden model computes', () => {
    const { result: r } = runLayer(parseLayerCase(submanifoldDoc()));
    expect(parseLayerResult(JSON.parse(serializeLayerResult(r)))).toEqual(r);
  });

  it('rejects malformed results, naming the field', () => {
    const doc = () => JSON.parse(serializeLayerResult(result()));
    const bad = (f: (d: any) => void) => {
      const d = doc();
      f(d);
      return () => parseLayerResult(d);
    };
    expect(fieldOf(bad((d) => (d.format = 'sparseforge.layer-case/1')))).toBe('format');
    expect(fieldOf(bad((d) => (d.extra = 0)))).toBe('extra');
    expect(fieldOf(bad((d) => (d.tensorStride = 6)))).toBe('tensorStride');
    expect(fieldOf(bad((d) => (d.coords[1] = [0, 2, 4, 5])))).toBe('coords[1]');
    expect(fieldOf(bad((d) => ([d.coords[0], d.coords[1]] = [d.coords[1], d.coords[0]])))).toBe('coords[1]');
    expect(() => bad((d) => (d.coords[2] = [0, 2, 4, 6]))()).toThrow(/coords\[2\]: duplicate coordinate/);
    expect(fieldOf(bad((d) => d.accumulators[2].pop()))).toBe('accumulators[2]');
    expect(fieldOf(bad((d) => (d.accumulators[1][1] = -(2 ** 31) - 1)))).toBe('accumulators[1][1]');
    expect(fieldOf(bad((d) => (d.features[1][0] = 128)))).toBe('features[1][0]');
    expect(fieldOf(bad((d) => d.features.pop()))).toBe('features');
    expect(fieldOf(bad((d) => (d.wraps = -1)))).toBe('wraps');
    expect(fieldOf(bad((d) => delete d.wraps))).toBe('wraps');
  });
});

describe('compareResults', () => {
  it('finds nothing between equal results', () => {
    const c = compareResults(result(), result());
    expect(c).toEqual({ equal: true, count: 0, mismatches: [] });
    expect(formatComparison(c)).toBe('results match');
  });

  it('reports channel mismatches with point, coordinate, channel, expected and actual', () => {
    const a = result();
    a.accumulators[1][2] = 5;
    a.features![2][0] = -1;
    const c = compareResults(result(), a);
    expect(c.count).toBe(2);
    expect(c.mismatches[0]).toEqual({ field: 'accumulators', point: 1, coord: [0, 2, 4, 6], channel: 2, expected: 0, actual: 5 });
    expect(c.mismatches[1]).toMatchObject({ field: 'features', point: 2, channel: 0, expected: 7, actual: -1 });
    expect(formatMismatch(c.mismatches[0])).toBe('point 1 [0, 2, 4, 6] accumulators[2]: expected 0, got 5');
  });

  it('matches points by coordinate: a missing point is one mismatch', () => {
    const a = result();
    a.coords.splice(1, 1);
    a.accumulators.splice(1, 1);
    a.features!.splice(1, 1);
    const c = compareResults(result(), a);
    expect(c.count).toBe(1);
    expect(c.mismatches[0]).toMatchObject({ field: 'coords', point: 1, expected: [0, 2, 4, 6], actual: null, note: 'missing in actual' });
    const extra = compareResults(a, result());
    expect(extra.mismatches[0]).toMatchObject({ field: 'coords', expected: null, actual: [0, 2, 4, 6], note: 'unexpected in actual' });
  });

  it('reports disorder, stride, wraps and missing features; honours the limit', () => {
    const a = result();
    a.coords.reverse();
    a.tensorStride = 1;
    a.wraps = 0;
    delete a.features;
    const c = compareResults(result(), a, { limit: 2 });
    expect(c.mismatches.map((m) => m.field)).toEqual(['tensorStride', 'features']);
    expect(c.count).toBeGreaterThan(3);
    expect(formatComparison(c)).toMatch(/more mismatches/);
    const all = compareResults(result(), a);
    expect(all.mismatches.some((m) => m.note === 'actual not in canonical order')).toBe(true);
    expect(all.mismatches.at(-1)).toMatchObject({ field: 'wraps', expected: 1, actual: 0 });
    expect(compareResults(result(), { ...result(), wraps: 0 }, { wraps: false }).equal).toBe(true);
  });
});
